//! History as people read it: the hash-chained entries a filter selects,
//! within the person's grants, a page at a time (by the store's cursor),
//! each entry's details as `key: value` pairs. A customer's, a
//! subscription's and a licence's pages draw the first page; the whole
//! history pages go on from there.

use askama::Template;
use serde::Deserialize;

use super::frame::{render, Frame, OrRefuse, PageResult, Viewer};
use super::i18n::Tr;
use crate::api::READERS;
use crate::error::ApiResult;
use crate::store::{HistoryEntry, HistoryFilter, Page as Window};
use crate::AppState;

/// One line of a history table.
pub(crate) struct HistoryLine {
    pub operation: String,
    pub when: String,
    pub done_by: String,
    pub details: String,
}

/// The history entries as drawn: details as `key: value` pairs.
fn history_lines(t: &Tr, entries: Vec<HistoryEntry>) -> Vec<HistoryLine> {
    entries
        .into_iter()
        .map(|e| HistoryLine {
            operation: e.operation,
            when: t.time(e.at),
            done_by: e.done_by,
            details: details_text(&e.details),
        })
        .collect()
}

/// A history entry's details (JSON text) as `key: value, ...`.
fn details_text(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Ok(serde_json::Value::Null) => String::new(),
        _ => json.to_owned(),
    }
}

/// The most history lines one page shows.
const HISTORY_PAGE: i64 = 100;

/// `?after=` of a history page: the cursor the page before gave.
#[derive(Deserialize, Default)]
pub(crate) struct HistoryQuery {
    #[serde(default)]
    pub after: Option<String>,
}

/// One page of the history `filter` selects within the person's grants,
/// after the cursor `after`: the lines, and the cursor of the next page
/// when there is one.
pub(crate) async fn history_of(
    s: &AppState,
    v: &Viewer,
    filter: HistoryFilter,
    after: Option<String>,
) -> ApiResult<(Vec<HistoryLine>, Option<String>)> {
    let scope = v.staff.scope(READERS)?;
    let rows = Window {
        after,
        ..Window::first(HISTORY_PAGE)
    };
    let entries = s.store.history(&scope, &filter, rows).await?;
    Ok((history_lines(&v.frame.t, entries.items), entries.next))
}

/// The address of the history page at `path` that goes on after `cursor`.
pub(crate) fn later(path: &str, cursor: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("after", cursor)
        .finish();
    format!("{path}?{query}")
}

/// What a whole history page names: its title, the record it came from,
/// and its own address.
pub(crate) struct Shown {
    pub title: String,
    pub back: String,
    pub back_label: String,
    pub path: String,
}

#[derive(Template)]
#[template(path = "console/history.html")]
struct HistoryPage {
    f: Frame,
    title: String,
    back: String,
    back_label: String,
    lines: Vec<HistoryLine>,
    next: Option<String>,
}

/// A page of the history `filter` selects, after the cursor `after`, with
/// the link to the next one.
pub(crate) async fn history_page(
    s: &AppState,
    v: &Viewer,
    f: Frame,
    shown: Shown,
    filter: HistoryFilter,
    after: Option<String>,
) -> PageResult {
    let (lines, next) = history_of(s, v, filter, after).await.or_refuse(&f)?;
    let page = HistoryPage {
        title: shown.title,
        back: shown.back,
        back_label: shown.back_label,
        lines,
        next: next.map(|n| later(&shown.path, &n)),
        f,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_pairs() {
        assert_eq!(details_text(r#"{"from":40,"to":45}"#), "from: 40, to: 45");
        assert_eq!(
            details_text(r#"{"product_id":"prd_1","parent_id":null}"#),
            "product_id: prd_1"
        );
        assert_eq!(details_text("null"), "");
        assert_eq!(details_text("not json"), "not json");
    }
}
