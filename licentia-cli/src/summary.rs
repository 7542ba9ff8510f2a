//! A license body for people (text) and for scripts (JSON). Shared by
//! `verify` (a verified license) and `inspect` (an unverified one).

use std::fmt::Write as _;

use licentia::{Binding, KeyId, LicenseBody, LicenseKind, MatchRule, Timestamp};
use serde_json::{json, Value};

fn time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_string()))
}

fn rule_name(rule: MatchRule) -> &'static str {
    match rule {
        MatchRule::All => "all",
        MatchRule::Most => "most",
        MatchRule::Two => "two",
        MatchRule::Any => "any",
    }
}

/// The body as a JSON object; every time is RFC 3339 UTC, ids are hex.
pub fn json(body: &LicenseBody, key_id: KeyId) -> Value {
    let binding = match &body.binding {
        Binding::Unbound => json!({ "type": "unbound" }),
        Binding::NodeLocked { machines, rule } => json!({
            "type": "node-locked",
            "match_rule": rule_name(*rule),
            "machines": machines.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
        Binding::Floating { max_machines } => {
            json!({ "type": "floating", "max_machines": max_machines })
        }
        Binding::NamedUser { user } => json!({ "type": "named-user", "user": user }),
    };
    let replaces = match &body.kind {
        LicenseKind::Temporary { replaces } => Value::String(replaces.to_string()),
        _ => Value::Null,
    };
    let t = &body.terms;
    json!({
        "id": body.id.to_string(),
        "key_id": key_id.to_string(),
        "product": body.product,
        "licensee": {
            "name": body.licensee.name,
            "email": body.licensee.email,
            "customer_ref": body.licensee.customer_ref,
        },
        "issued_at": body.issued_at.to_string(),
        "kind": body.kind.name(),
        "replaces": replaces,
        "binding": binding,
        "seats": body.seats,
        "entitlements": body.entitlements.iter().map(|e| json!({
            "code": e.code,
            "count": e.count,
            "expires": time(e.expires),
        })).collect::<Vec<_>>(),
        "metadata": body.metadata.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect::<serde_json::Map<_, _>>(),
        "terms": {
            "valid_from": time(t.valid_from),
            "soft_expiry": time(t.soft_expiry),
            "hard_expiry": time(t.hard_expiry),
            "grace_secs": t.grace_secs,
            "updates_until": time(t.updates_until),
            "check_in": t.check_in.map(|c| json!({
                "interval_secs": c.interval_secs,
                "max_offline_secs": c.max_offline_secs,
            })),
        },
        "environment": {
            "virtual_machines": body.environment.virtual_machines,
            "containers": body.environment.containers,
        },
        "meters": body.meters.iter().map(|m| json!({
            "name": m.name,
            "quota": m.quota,
            "period": m.period.name(),
        })).collect::<Vec<_>>(),
    })
}

/// The body as aligned `field: value` lines; absent terms are left out.
pub fn text(body: &LicenseBody, key_id: KeyId) -> String {
    let mut lines: Vec<(&str, String)> = vec![
        ("id", body.id.to_string()),
        ("signed by key", key_id.to_string()),
        ("product", body.product.clone()),
        ("licensee", licensee(body)),
        ("issued at", body.issued_at.to_string()),
        ("kind", kind(&body.kind)),
        ("binding", binding(&body.binding)),
        ("seats", body.seats.to_string()),
    ];
    if !body.entitlements.is_empty() {
        let features = body.entitlements.iter().map(|e| {
            let mut s = e.code.clone();
            if let Some(n) = e.count {
                let _ = write!(s, "={n}");
            }
            if let Some(end) = e.expires {
                let _ = write!(s, " (until {end})");
            }
            s
        });
        lines.push(("features", features.collect::<Vec<_>>().join(", ")));
    }
    if !body.metadata.is_empty() {
        let pairs = body.metadata.iter().map(|(k, v)| format!("{k}={v}"));
        lines.push(("metadata", pairs.collect::<Vec<_>>().join(", ")));
    }
    let t = &body.terms;
    let times = [
        ("valid from", t.valid_from),
        ("soft expiry", t.soft_expiry),
        ("expires", t.hard_expiry),
        ("updates until", t.updates_until),
    ];
    for (label, at) in times {
        if let Some(at) = at {
            lines.push((label, at.to_string()));
        }
    }
    if let Some(secs) = t.grace_secs {
        lines.push(("grace", duration(u64::from(secs))));
    }
    if let Some(c) = t.check_in {
        lines.push((
            "check-in",
            format!(
                "every {}, then {} offline",
                duration(u64::from(c.interval_secs)),
                duration(u64::from(c.max_offline_secs))
            ),
        ));
    }
    if body.environment.restricts() {
        let refused = [
            (!body.environment.virtual_machines).then_some("virtual machines"),
            (!body.environment.containers).then_some("containers"),
        ];
        let refused: Vec<&str> = refused.into_iter().flatten().collect();
        lines.push(("refuses", refused.join(", ")));
    }
    if !body.meters.is_empty() {
        let meters = body.meters.iter().map(ToString::to_string);
        lines.push(("meters", meters.collect::<Vec<_>>().join(", ")));
    }
    let width = lines
        .iter()
        .map(|(label, _)| label.len())
        .max()
        .unwrap_or(0)
        + 1;
    lines
        .iter()
        .map(|(label, value)| format!("{:<width$} {value}", format!("{label}:")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn licensee(body: &LicenseBody) -> String {
    let l = &body.licensee;
    let mut s = l.name.clone();
    if let Some(email) = &l.email {
        let _ = write!(s, " <{email}>");
    }
    if let Some(r) = &l.customer_ref {
        let _ = write!(s, " (customer {r})");
    }
    s
}

fn kind(kind: &LicenseKind) -> String {
    match kind {
        LicenseKind::Temporary { replaces } => format!("temporary, replacing {replaces}"),
        other => other.name().to_owned(),
    }
}

fn binding(binding: &Binding) -> String {
    match binding {
        Binding::Unbound => "unbound".into(),
        Binding::NodeLocked { machines, rule } => format!(
            "node-locked (match {}) to {}",
            rule_name(*rule),
            machines
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Binding::Floating { max_machines } => format!("floating, at most {max_machines} machines"),
        Binding::NamedUser { user } => format!("named user '{user}'"),
    }
}

/// Whole days when exact, else seconds.
fn duration(secs: u64) -> String {
    const DAY: u64 = licentia::DAY.unsigned_abs();
    match secs {
        s if s % DAY == 0 && s / DAY == 1 => "1 day".into(),
        s if s % DAY == 0 => format!("{} days", s / DAY),
        s => format!("{s} s"),
    }
}
