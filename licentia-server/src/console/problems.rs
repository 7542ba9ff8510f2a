//! A refusal in the reader's language.
//!
//! The API answers a refusal as a problem document: a stable `kind`, an
//! English `detail`, and the numbers behind it as extra members (seats
//! held, given, in use...). The console says it again from its catalogue's
//! `problem-<kind>` message, with those members as the message's
//! arguments, so a French reader reads the rule and its numbers in French.
//! The kinds that carry a field's own rule (`invalid`, `bad_request`)
//! quote the API's words as `$detail`: the field and the rule are named in
//! them, and they are the same words the API's callers read.

use fluent_bundle::{FluentArgs, FluentValue};

use super::i18n::Tr;
use crate::error::ApiError;

/// What the console says of `e`: its kind's message in `t`'s language, or
/// "the server could not do this" for an internal failure (whose cause is
/// in the log, never on the page). A fault that passes (the database away
/// or full, the server at capacity) says what it is and when to retry.
pub(crate) fn said(t: &Tr, e: &ApiError) -> String {
    if e.kind == "internal" {
        tracing::warn!(kind = e.kind, "console request failed");
        return t.t("refusal-internal");
    }
    let id = format!("problem-{}", e.kind.replace('_', "-"));
    let text = t.args(&id, &arguments(e));
    if text == id {
        // A kind without its message (a test keeps this from happening).
        e.detail.clone()
    } else {
        text
    }
}

/// The problem's extra members (numbers and words) and its detail, as a
/// message's arguments.
fn arguments(e: &ApiError) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    args.set("detail", FluentValue::from(e.detail.clone()));
    if let Some(serde_json::Value::Object(members)) = &e.extra {
        for (name, value) in members {
            let value = match value {
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => FluentValue::from(i),
                    None => FluentValue::from(n.to_string()),
                },
                serde_json::Value::String(s) => FluentValue::from(s.clone()),
                serde_json::Value::Bool(b) => FluentValue::from(b.to_string()),
                _ => continue,
            };
            args.set(name.clone(), value);
        }
    }
    args
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use super::*;
    use crate::console::i18n::Lang;

    fn exceeds_parent() -> ApiError {
        ApiError::conflict(
            "allocation_exceeds_parent",
            "the parent holds 100 seats: 60 given to its children, 0 in use, 40 free",
        )
        .with(json!({"parent_id": "p", "allocated": 100, "given": 60, "used": 0, "free": 40}))
    }

    #[test]
    fn a_rule_is_said_in_the_reader_s_language_with_its_numbers() {
        let e = exceeds_parent();
        for lang in Lang::ALL {
            let text = said(&Tr::new(lang), &e);
            for number in ["100", "60", "40"] {
                assert!(text.contains(number), "{lang:?}: {text}");
            }
            assert!(!text.contains("problem-"), "{lang:?}: {text}");
        }
        assert!(said(&Tr::new(Lang::Fr), &e).contains("libres"));
        assert!(said(&Tr::new(Lang::De), &e).contains("frei"));
    }

    #[test]
    fn a_field_s_rule_quotes_the_api_s_words() {
        let e = ApiError::invalid("'seats' must be a whole number from 0 to 9");
        let fr = said(&Tr::new(Lang::Fr), &e);
        assert!(
            fr.contains("'seats' must be a whole number from 0 to 9"),
            "{fr}"
        );
        assert_ne!(fr, e.detail, "a French lead-in");
    }

    #[test]
    fn a_server_fault_shows_no_cause() {
        let e = ApiError::internal("disk on fire at /var/lib/x");
        let text = said(&Tr::new(Lang::En), &e);
        assert!(!text.contains("disk"), "{text}");
        let busy =
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database_busy", "busy").retry_after(1);
        assert!(said(&Tr::new(Lang::De), &busy).contains("Datenbank"));
    }

    /// Every kind the server's source can answer with, as the calls that
    /// make a problem name it (a literal or a `const`).
    fn kinds_in_source() -> Vec<String> {
        fn files(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("source dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("source");
                    // The code, not its tests.
                    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
                    out.push(code.to_owned());
                }
            }
        }
        let mut sources = Vec::new();
        files(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
            &mut sources,
        );
        let literal = |s: &str| -> Option<String> {
            let s = s.trim_start().strip_prefix('"')?;
            let end = s.find('"')?;
            Some(s[..end].to_owned())
        };
        let mut consts = std::collections::HashMap::new();
        for text in &sources {
            for part in text.split("const ").skip(1) {
                if let Some((name, rest)) = part.split_once(": &str =") {
                    if let Some(value) = literal(rest) {
                        consts.insert(name.trim().to_owned(), value);
                    }
                }
            }
        }
        let mut kinds = Vec::new();
        for text in &sources {
            for call in [
                "ApiError::new(",
                "ApiError::conflict(",
                "StoreError::conflict(",
                "StoreError::invalid_as(",
            ] {
                for part in text.split(call).skip(1) {
                    let mut arg = part;
                    if call == "ApiError::new(" {
                        arg = part.split_once(',').map_or("", |(_, rest)| rest);
                    }
                    let token = arg.trim_start();
                    let kind = literal(token).or_else(|| {
                        let name: String = token
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                            .collect();
                        consts.get(name.rsplit("::").next()?).cloned()
                    });
                    if let Some(kind) = kind.filter(|k| !k.is_empty()) {
                        kinds.push(kind);
                    }
                }
            }
        }
        // Named by a `match` rather than a call (store/licenses.rs).
        kinds
            .extend(["license_suspended", "license_revoked", "license_inactive"].map(String::from));
        kinds.sort();
        kinds.dedup();
        kinds
    }

    #[test]
    fn every_kind_the_server_answers_has_its_words() {
        let kinds = kinds_in_source();
        assert!(kinds.len() > 40, "the source is read: {kinds:?}");
        assert!(
            kinds.contains(&"allocation_exhausted".to_owned()),
            "consts resolve"
        );
        // English here; French and German say every id English says
        // (`i18n`'s completeness test).
        let missing: Vec<&String> = kinds
            .iter()
            .filter(|k| {
                let id = format!("problem-{}", k.replace('_', "-"));
                Tr::new(Lang::En).t(&id) == id
            })
            .collect();
        assert!(missing.is_empty(), "no words for {missing:?}");
    }
}
