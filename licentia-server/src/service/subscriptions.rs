//! Subscriptions' business: renewing a term once however often it is
//! asked (by staff or by the periodic job), ending what does not renew,
//! and the checks every change of a subscription passes. The dates come
//! from [`crate::billing`]; the licenses are renewed through
//! [`extend_license`], as `POST /v1/licenses/{id}/renew` renews them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::json;

use crate::api::staff_event;
use crate::billing::{BillingError, BillingInterval, BillingModel, Contract, RenewalOption};
use crate::error::{ApiError, ApiResult};
use crate::service::invoices::proration;
use crate::service::licenses::{extend_license, plan_features, with_features, Extension};
use crate::service::seat_rules::{may_change_subscription, SubscriptionChange};
use crate::staff::Staff;
use crate::store::{Event, LicenseRecord, Member, Page, PendingChange, Subscription};
use crate::AppState;
use licentia::Timestamp;

/// A refused calendar value is the caller's to fix.
pub(crate) fn bad(e: BillingError) -> ApiError {
    ApiError::invalid(e.to_string())
}

/// Today in the subscription's zone.
pub(crate) fn today(sub: &Subscription) -> ApiResult<NaiveDate> {
    Ok(sub.day_of(Timestamp::now())?)
}

/// The instant a `cancellable` filter asks about: `this-month` keeps the
/// subscriptions whose last day to cancel is between today and the end of
/// this month (the dashboard's tile); any other value is refused.
pub(crate) fn cancellable_at(value: Option<&str>) -> ApiResult<Option<i64>> {
    match value {
        None => Ok(None),
        Some("this-month") => Ok(Some(Timestamp::now().0)),
        Some(_) => Err(ApiError::invalid(
            "'cancellable' must be this-month when given",
        )),
    }
}

/// Refuses (422) a subscription whose dates, as shown today, would reach
/// past the calendar (years 1 to 9999): stored, it could not be shown, and
/// would break the list and the jobs for every subscription.
pub(crate) fn showable(sub: &Subscription) -> ApiResult<()> {
    today(sub)
        .and_then(|day| Ok(sub.view(day)?))
        .map(|_| ())
        .map_err(|_| {
            ApiError::invalid(
                "the subscription's dates would reach past the calendar (years 1 to 9999)",
            )
        })
}

/// The 409 for a subscription changed by another request between our read
/// and our write, every time we tried.
pub(crate) fn busy() -> ApiError {
    ApiError::conflict(
        "subscription_changed",
        "the subscription kept changing during the request; try again",
    )
}

/// How many times a change is decided again after losing a race.
pub(crate) const ATTEMPTS: usize = 3;

/// The same for a change of seats, which people make at the same instant
/// (several admins cutting seats together): each lost race is another
/// caller's write, so this many callers at once all get an answer.
const SEAT_ATTEMPTS: usize = 16;

/// Refuses changes to a subscription that is no longer active.
pub(crate) fn refuse_unless_active(sub: &Subscription) -> ApiResult<()> {
    match sub.status.as_str() {
        "active" => Ok(()),
        status => Err(ApiError::conflict(
            "subscription_inactive",
            format!("the subscription is {status}"),
        )
        // Not "status": in a problem document that is the HTTP status.
        .with(json!({ "subscription_status": status, "ends_on": sub.ends_on }))),
    }
}

/// Re-signs every license of `sub` — its own, and those of the members it
/// serves — to expire at the end of `last_day` (`mode` as for
/// `POST /v1/licenses/{id}/renew`); the new records, and the renewal tokens
/// by license id. A member assigned meanwhile bumps the subscription's
/// version, so the update that stores these records is retried and reads
/// the members again.
pub(crate) async fn extend_licenses(
    s: &AppState,
    sub: &Subscription,
    last_day: NaiveDate,
    mode: &str,
) -> ApiResult<(Vec<LicenseRecord>, BTreeMap<String, String>)> {
    let expires = sub.end_of(last_day)?;
    let mut records = Vec::new();
    let mut tokens = BTreeMap::new();
    for id in &held_licenses(s, sub).await? {
        let mut record = s.store.license(id).await?;
        let ext = Extension {
            hard: Some(expires),
            ..Extension::default()
        };
        if let Some(token) = extend_license(s, &mut record, ext, mode, None).await? {
            tokens.insert(id.clone(), token);
        }
        records.push(record);
    }
    Ok((records, tokens))
}

/// `read` with the change of billing asked for recorded as pending: a new
/// interval from the current cycle's next boundary (the next invoice after
/// today), a new model with the next term; asking for what is in effect
/// withdraws the pending change. Refused when the subscription is not
/// active, or when the next term could not be invoiced so (a monthly term
/// invoiced yearly).
pub(crate) fn billing_changed(
    read: &Subscription,
    model: Option<BillingModel>,
    interval: Option<BillingInterval>,
) -> ApiResult<Subscription> {
    refuse_unless_active(read)?;
    let day = today(read)?;
    let mut next = read.as_of(day)?;
    let contract = next.contract()?;
    let mut pending = next.pending.clone().unwrap_or_default();
    if let Some(interval) = interval {
        if interval == contract.invoices().interval() {
            pending.interval = None;
            pending.interval_effective = None;
            pending.interval_from_month = None;
        } else {
            let change = contract.change_interval(interval, day).map_err(bad)?;
            pending.interval = Some(interval.name().to_owned());
            pending.interval_effective = Some(change.effective);
            pending.interval_from_month = Some(change.contract.invoices().from_month());
        }
    }
    if let Some(model) = model {
        if model == contract.model() {
            pending.billing = None;
            pending.billing_effective = None;
        } else {
            if contract.renewal() == RenewalOption::None {
                return Err(ApiError::conflict(
                    "does_not_renew",
                    "the subscription ends with this term: a new billing model has no term to apply to",
                ));
            }
            pending.billing = Some(model.name().to_owned());
            pending.billing_effective = next.term_end.succ_opt();
        }
    }
    // The next term must be possible under the change (a monthly term
    // is not invoiced yearly).
    let next_model = match &pending.billing {
        Some(name) => name.parse().map_err(bad)?,
        None => contract.model(),
    };
    let next_interval = match &pending.interval {
        Some(name) => name.parse().map_err(bad)?,
        None => contract.invoices().interval(),
    };
    if next_interval.months() > next_model.term_months() {
        return Err(bad(BillingError::IntervalExceedsTerm {
            interval: next_interval,
            model: next_model,
        }));
    }
    next.pending = (pending != PendingChange::default()).then_some(pending);
    Ok(next)
}

/// Every member `sub` serves (as many as its seats at most).
pub(crate) async fn served(s: &AppState, sub: &Subscription) -> ApiResult<Vec<Member>> {
    let all = Page::first(sub.seats.max(1));
    Ok(s.store.subscription_members(&sub.id, all).await?.items)
}

/// Every licence `sub` holds: its own, and those of the members it serves.
pub(crate) async fn held_licenses(s: &AppState, sub: &Subscription) -> ApiResult<Vec<String>> {
    let served = served(s, sub)
        .await?
        .into_iter()
        .filter_map(|m| m.license_id);
    Ok(sub.license_ids.iter().cloned().chain(served).collect())
}

/// Replaces the options of the subscription `id` with `options` (codes of
/// its plan's options): its own licenses are signed anew with the plan's
/// and the options' features. Adding an option is a raise and removing one
/// a cut, for [`may_change_subscription`]; an option a member's licence
/// holds is not removed (409 `option_in_use`: change those members first).
pub(crate) async fn set_options(
    s: &AppState,
    staff: &Staff,
    id: &str,
    options: Vec<String>,
) -> ApiResult<Subscription> {
    for _ in 0..ATTEMPTS {
        let read = s.store.subscription(id).await?;
        let added = options.iter().any(|o| !read.options.contains(o));
        let change = if added {
            SubscriptionChange::Raise
        } else {
            SubscriptionChange::Lower
        };
        let placement = staff.place(s, Some(&read.customer_id)).await?;
        may_change_subscription(staff, &placement, &read.billing, change)?;
        refuse_unless_active(&read)?;
        let plan = s.store.plan(&read.plan_id).await?;
        let policy = s.store.policy(&plan.policy_id).await?;
        let features = plan_features(&policy, &plan.options, &options)?;
        let removed: Vec<&String> = read
            .options
            .iter()
            .filter(|o| !options.contains(o))
            .collect();
        let holders = served(s, &read)
            .await?
            .into_iter()
            .filter(|m| m.options.iter().any(|o| removed.contains(&o)))
            .count();
        if holders > 0 {
            return Err(ApiError::conflict(
                "option_in_use",
                format!("{holders} members' licences hold an option being removed: change their options first"),
            )
            .with(json!({ "members": holders, "removed": removed })));
        }
        let mut licenses = Vec::new();
        for license in &read.license_ids {
            let record = s.store.license(license).await?;
            licenses.push(with_features(s, record, features.clone()).await?);
        }
        let mut next = read.clone();
        next.options = options.clone();
        let details = json!({ "from": read.options, "to": options });
        let ev = staff_event(staff, "subscription.options", id, details);
        let day = today(&read)?;
        let prorated = proration(s, &read, &next, day, &staff.actor()).await?;
        let saved = s
            .store
            .update_subscription(&next, &licenses, ev, prorated)
            .await?;
        if let Some(saved) = saved {
            return Ok(saved);
        }
    }
    Err(busy())
}

/// What a renewal did.
#[derive(Debug)]
pub(crate) struct Renewal {
    /// The subscription as it stands after the call.
    pub subscription: Subscription,
    /// Whether this call renewed the term (false: it was renewed before).
    pub renewed: bool,
    /// Renewal tokens by license id (`token` mode).
    pub tokens: BTreeMap<String, String>,
}

/// Renews the term of `id` that ends on `term_end` (the current one when
/// `None`) per its renewal option, extending its licenses to the new
/// term's end (`mode`: `file` re-signs the licenses' own files, `token`
/// makes renewal tokens). Once per term: when that term was already
/// renewed, by an earlier call or a racing one, nothing more happens and
/// `renewed` is false. Refused (409) for a subscription that does not
/// renew (option `none`, cancelled, ended) or a `term_end` that is not
/// the current term's or an earlier one.
pub(crate) async fn renew_term(
    s: &AppState,
    id: &str,
    term_end: Option<NaiveDate>,
    mode: &str,
    actor: &str,
) -> ApiResult<Renewal> {
    let mut target = term_end;
    for _ in 0..ATTEMPTS {
        let read = s.store.subscription(id).await?;
        // Fixed at the first read, so a retry never renews a second term.
        let target = *target.get_or_insert(read.term_end);
        if read.term_end > target {
            return Ok(Renewal {
                subscription: read,
                renewed: false,
                tokens: BTreeMap::new(),
            });
        }
        if read.term_end < target {
            return Err(ApiError::conflict(
                "not_current_term",
                format!("the current term ends on {}", read.term_end),
            )
            .with(json!({ "term_end": read.term_end })));
        }
        refuse_unless_active(&read)?;
        let Some(contract) = read.next_contract()? else {
            return Err(ApiError::conflict(
                "does_not_renew",
                format!(
                    "the renewal option is {}: the subscription ends on {}",
                    read.renewal, read.term_end
                ),
            )
            .with(json!({ "renewal": read.renewal, "term_end": read.term_end })));
        };
        let next = read.renewed(&contract)?;
        showable(&next)?;
        let (licenses, tokens) = extend_licenses(s, &next, next.term_end, mode).await?;
        let ev = Event {
            actor: actor.to_owned(),
            operation: "subscription.renew",
            subject: id.to_owned(),
            license_id: None,
            customer_id: None,
            details: json!({
                "from_term_end": read.term_end, "term_start": next.term_start,
                "term_end": next.term_end, "billing": next.billing,
                "interval": next.interval, "renewal": next.renewal,
            }),
        };
        if let Some(saved) = s
            .store
            .update_subscription(&next, &licenses, ev, None)
            .await?
        {
            return Ok(Renewal {
                subscription: saved,
                renewed: true,
                tokens,
            });
        }
    }
    Err(busy())
}

/// For the periodic job: brings `id` up to `today` (a day in its zone).
/// Each term that ended before `today` and renews is renewed (licenses
/// re-signed in `file` mode, history recorded, actor `system`); a
/// subscription whose last day has passed without renewal becomes
/// `ended`. Safe to call any number of times, from any number of
/// instances: a term renews once. Answers the subscription as it stands
/// and how many terms this call renewed.
pub(crate) async fn renew_due(
    s: &AppState,
    id: &str,
    today: NaiveDate,
) -> ApiResult<(Subscription, u32)> {
    let mut renewed = 0;
    loop {
        let read = s.store.subscription(id).await?;
        let last_day = read.ends_on.unwrap_or(read.term_end);
        if read.status == "ended" || last_day >= today {
            return Ok((read, renewed));
        }
        if read.next_contract()?.is_some() {
            if renew_term(s, id, Some(read.term_end), "file", "system")
                .await?
                .renewed
            {
                renewed += 1;
            }
            continue;
        }
        let mut ended = read.clone();
        ended.status = "ended".into();
        ended.ends_on = Some(last_day);
        ended.pending = None;
        let ev = Event {
            actor: "system".into(),
            operation: "subscription.end",
            subject: id.to_owned(),
            license_id: None,
            customer_id: None,
            details: json!({ "ends_on": last_day }),
        };
        // Lost to a concurrent change: read again and decide again.
        s.store.update_subscription(&ended, &[], ev, None).await?;
    }
}

/// Sets the seats of the subscription `id`: a raise by admin or finance, a
/// cut by any of admin, issuer, finance (at a customer or a site, only by
/// the rights its partner delegated: see [`may_change_subscription`]); its
/// licenses follow, and none goes below its seats in use (409
/// `seats_in_use`).
pub(crate) async fn set_seats(
    s: &AppState,
    staff: &Staff,
    id: &str,
    seats: u32,
) -> ApiResult<Subscription> {
    let seats = i64::from(seats);
    if seats == 0 {
        return Err(ApiError::invalid("seats must be at least 1"));
    }
    for _ in 0..SEAT_ATTEMPTS {
        let current = s.store.subscription(id).await?;
        let change = if seats > current.seats {
            SubscriptionChange::Raise
        } else {
            SubscriptionChange::Lower
        };
        let placement = staff.place(s, Some(&current.customer_id)).await?;
        may_change_subscription(staff, &placement, &current.billing, change)?;
        let next = Subscription {
            seats,
            ..current.clone()
        };
        let prorated = proration(s, &current, &next, today(&current)?, &staff.actor()).await?;
        let details = json!({ "from": current.seats, "to": seats });
        let ev = staff_event(staff, "subscription.seats", id, details);
        let raise = change == SubscriptionChange::Raise;
        let saved = s
            .store
            .set_subscription_seats(id, seats, raise, current.version, ev, prorated)
            .await?;
        if let Some(saved) = saved {
            return Ok(saved);
        }
    }
    Err(busy())
}

/// Sets the renewal option of the subscription `id` (`none`, `once`,
/// `always`, `switch_to_monthly`) from now on (see
/// [`may_change_subscription`] for who may).
pub(crate) async fn set_renewal(
    s: &AppState,
    staff: &Staff,
    id: &str,
    renewal: &str,
) -> ApiResult<Subscription> {
    let renewal: RenewalOption = renewal.parse().map_err(bad)?;
    for _ in 0..ATTEMPTS {
        let read = s.store.subscription(id).await?;
        let change = SubscriptionChange::Renewal;
        let placement = staff.place(s, Some(&read.customer_id)).await?;
        may_change_subscription(staff, &placement, &read.billing, change)?;
        refuse_unless_active(&read)?;
        let mut next = read.as_of(today(&read)?)?;
        let now = next.contract()?;
        let contract =
            Contract::from_parts(now.term(), now.model(), now.invoices(), renewal).map_err(bad)?;
        next.set_contract(&contract);
        showable(&next)?;
        let details = json!({ "from": read.renewal, "to": next.renewal });
        let ev = staff_event(staff, "subscription.renewal", id, details);
        if let Some(saved) = s.store.update_subscription(&next, &[], ev, None).await? {
            return Ok(saved);
        }
    }
    Err(busy())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{launch_with_listener, Config};
    use serde_json::Value;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// What the periodic job relies on: [`renew_due`] catches up on every
    /// term that ended, once however often it runs, and ends what does not
    /// renew. The catalogue is made over HTTP by a running server; the job
    /// runs on an [`AppState`] of its own on the same database, as
    /// `licentia jobs run` does.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn renew_due_catches_up_once_and_ends() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            listen: "127.0.0.1:0".parse().unwrap(),
            rate_limit_per_minute: 0,
            ..Config::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = launch_with_listener(config.clone(), listener)
            .await
            .unwrap();
        let admin = running.bootstrap_token.clone().unwrap();
        let client = reqwest::Client::new();
        let base = format!("http://{}", running.addr);
        let post = |path: &str, body: Value| {
            let req = client
                .post(format!("{base}{path}"))
                .bearer_auth(&admin)
                .json(&body);
            async move {
                let resp = req.send().await.unwrap();
                assert_eq!(resp.status(), 201);
                resp.json::<Value>().await.unwrap()
            }
        };
        let product = post("/v1/products", json!({"code": "due", "name": "Due"})).await;
        let policy = post(
            "/v1/policies",
            json!({"product_id": product["id"], "name": "p", "binding": "unbound"}),
        )
        .await;
        let plan = post(
            "/v1/plans",
            json!({"name": "Plan", "policy_id": policy["id"]}),
        )
        .await;
        let customer = post("/v1/customers", json!({"kind": "customer", "name": "Acme"})).await;
        let subscribe = |start: &str, billing: &str, renewal: &str| {
            post(
                "/v1/subscriptions",
                json!({
                    "customer_id": customer["id"], "plan_id": plan["id"], "seats": 2,
                    "billing": billing, "interval": "monthly", "start": start,
                    "renewal": renewal, "notice": "1 month before term end",
                }),
            )
        };
        let monthly = subscribe("2030-01-15", "monthly", "always").await;
        let once = subscribe("2030-01-01", "prepaid_1y", "once").await;
        let id = |v: &Value| v["subscription"]["id"].as_str().unwrap().to_owned();
        let (monthly, once) = (id(&monthly), id(&once));

        let state = AppState::open(&config).await.unwrap();
        // Three monthly terms ended by 20 April: each renews, in order.
        let (sub, renewed) = renew_due(&state, &monthly, day(2030, 4, 20)).await.unwrap();
        assert_eq!((renewed, sub.term_end), (3, day(2030, 5, 14)));
        let license = state.store.license(&sub.license_ids[0]).await.unwrap();
        assert_eq!(
            license.expires_at,
            Some(Timestamp::parse("2030-05-15").unwrap().0)
        );
        let history = |op: &'static str| {
            let state = state.clone();
            async move {
                let filter = crate::store::HistoryFilter {
                    operation: Some(op.into()),
                    ..Default::default()
                };
                let page = crate::store::Page::first(500);
                state
                    .store
                    .history(&crate::store::Scope::All, &filter, page)
                    .await
                    .unwrap()
                    .len()
            }
        };
        assert_eq!(history("subscription.renew").await, 3);
        // The same day again, or a day within the term: nothing more.
        for today in [day(2030, 4, 20), day(2030, 5, 14)] {
            let (sub, renewed) = renew_due(&state, &monthly, today).await.unwrap();
            assert_eq!((renewed, sub.term_end), (0, day(2030, 5, 14)));
        }
        assert_eq!(history("subscription.renew").await, 3);

        // `once` renews one year, then ends when that year is over.
        let (sub, renewed) = renew_due(&state, &once, day(2032, 6, 1)).await.unwrap();
        assert_eq!(renewed, 1);
        assert_eq!(
            (sub.status.as_str(), sub.ends_on, sub.renewal.as_str()),
            ("ended", Some(day(2031, 12, 31)), "none")
        );
        let (sub, renewed) = renew_due(&state, &once, day(2032, 6, 2)).await.unwrap();
        assert_eq!((renewed, sub.status.as_str()), (0, "ended"));
        assert_eq!(history("subscription.end").await, 1);
        running.stop().await.unwrap();
    }
}
