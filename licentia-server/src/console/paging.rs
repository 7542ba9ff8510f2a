//! Long lists, a page at a time: the page the address asks for (`?page=`,
//! from 1, and the store's cursor `after=` or `before=` of the page it was
//! reached from), read by the [`Paging`] extractor with the rest of the
//! query kept, and the [`Pager`] drawn under the list
//! (`templates/console/pager.html`): "showing X–Y" and the links to the
//! previous and next pages, each keeping the list's filters.
//!
//! The links follow the store's cursors, so the ten-thousandth page costs
//! what the first does; a page number alone (an old link) is read by
//! offset. The store says whether a page has a neighbour without counting
//! the list.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use fluent_bundle::{FluentArgs, FluentValue};

use super::frame::{refusal, Frame};
use super::i18n::Tr;
use crate::error::ApiError;
use crate::store::{Page, Rows};

/// Rows on a page of a list.
pub(crate) const PER_PAGE: i64 = 100;

/// The last page that may be asked for (its offset stays far within `i64`).
const LAST_PAGE: i64 = 1_000_000;

/// The query parameters a pager's links leave out: the page itself, and
/// the notice of what was just done (shown once, not on every page).
const NOT_KEPT: [&str; 4] = ["page", "after", "before", "done"];

/// The page of a list an address asks for.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    /// From 1.
    page: i64,
    /// The store's cursor the page starts after (`after`) or ends before.
    cursor: Option<(Side, String)>,
    /// The address's path.
    path: String,
    /// The rest of its query (the list's filters), in order.
    kept: Vec<(String, String)>,
}

impl Paging {
    /// The page `page` (from 1) of the list at `path`, filtered by `kept`.
    fn new(page: i64, path: &str, kept: Vec<(String, String)>) -> Paging {
        Paging {
            page,
            cursor: None,
            path: path.to_owned(),
            kept,
        }
    }

    /// The first page of the list at `path`, unfiltered (the list drawn
    /// again under a refused form).
    pub fn first(path: &str) -> Paging {
        Paging::new(1, path, Vec::new())
    }

    /// Reads `page` from the query `query` of the list at `path`; refused
    /// when it is not a whole number from 1 to [`LAST_PAGE`].
    fn read(path: &str, query: &str) -> Result<Paging, ApiError> {
        let mut page = 1;
        let mut cursor = None;
        let mut kept = Vec::new();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "page" => page = parse_page(&v)?,
                "after" => cursor = Some((Side::After, v.into_owned())),
                "before" => cursor = Some((Side::Before, v.into_owned())),
                _ if NOT_KEPT.contains(&k.as_ref()) => {}
                _ => kept.push((k.into_owned(), v.into_owned())),
            }
        }
        Ok(Paging {
            cursor,
            ..Paging::new(page, path, kept)
        })
    }

    /// The rows to read from the store: this page's.
    pub fn rows(&self) -> Page {
        let mut rows = Page::first(PER_PAGE);
        match self.cursor.clone() {
            Some((Side::After, c)) => rows.after = Some(c),
            Some((Side::Before, c)) => rows.before = Some(c),
            None => rows.offset = (self.page - 1) * PER_PAGE,
        }
        rows
    }

    /// The rows read with [`Paging::rows`], and the pager that goes under
    /// them.
    pub fn cut<T>(&self, t: &Tr, found: Rows<T>) -> (Vec<T>, Pager) {
        let first = (self.page - 1) * PER_PAGE + 1;
        let shown = found.len() as i64;
        let showing = if shown == 0 {
            t.t("paging-none")
        } else {
            let mut args = FluentArgs::new();
            args.set("first", FluentValue::from(first));
            args.set("last", FluentValue::from(first + shown - 1));
            t.args("paging-showing", &args)
        };
        // Back by the store's cursor; by number from an old link's page.
        let back = match found.prev.clone() {
            Some(c) => Some(Some((Side::Before, c))),
            None if self.page > 1 && self.cursor.is_none() => Some(None),
            None => None,
        };
        let pager = Pager {
            showing,
            label: t.t("pages"),
            previous: back.map(|c| Link {
                href: self.href(self.page - 1, c),
                label: t.t("previous-page"),
            }),
            next: found.next.map(|c| Link {
                href: self.href(self.page + 1, Some((Side::After, c))),
                label: t.t("next-page"),
            }),
        };
        (found.items, pager)
    }

    /// The address of page `page` of the same list, at `cursor`.
    fn href(&self, page: i64, cursor: Option<(Side, String)>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(&self.kept);
        if let Some((side, c)) = &cursor {
            query.append_pair(side.name(), c);
        }
        let query = query.append_pair("page", &page.to_string()).finish();
        format!("{}?{query}", self.path)
    }
}

/// Which side of its cursor a page lies.
#[derive(Debug, Clone, Copy)]
enum Side {
    /// The rows after it.
    After,
    /// The rows before it.
    Before,
}

impl Side {
    /// The query parameter.
    fn name(self) -> &'static str {
        match self {
            Side::After => "after",
            Side::Before => "before",
        }
    }
}

/// `text` as a page number, or the refusal saying what one is.
fn parse_page(text: &str) -> Result<i64, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(1);
    }
    text.parse::<i64>()
        .ok()
        .filter(|n| (1..=LAST_PAGE).contains(n))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "'page' must be a whole number from 1 to {LAST_PAGE}, not '{text}'"
            ))
        })
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        Paging::read(parts.uri.path(), parts.uri.query().unwrap_or_default())
            .map_err(|e| refusal(&Frame::anonymous(parts), e))
    }
}

/// A link of the pager.
pub(crate) struct Link {
    /// Where it goes.
    pub href: String,
    /// Its words.
    pub label: String,
}

/// What goes under a paged list: which rows it shows, and the ways to the
/// pages around it.
pub(crate) struct Pager {
    /// "Showing 101–200".
    pub showing: String,
    /// The navigation's name, for assistive technology.
    pub label: String,
    /// The previous page, if this is not the first.
    pub previous: Option<Link>,
    /// The next page, if there are more rows.
    pub next: Option<Link>,
}

impl Pager {
    /// Whether the list spans more than this page (a list that fits on
    /// one page is drawn without a pager).
    pub fn paged(&self) -> bool {
        self.previous.is_some() || self.next.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::i18n::Lang;

    #[test]
    fn a_page_is_a_whole_number_from_one() {
        assert_eq!(parse_page("").unwrap(), 1);
        assert_eq!(parse_page("3").unwrap(), 3);
        for bad in ["0", "-1", "abc", "2.5", "1000001", "99999999999999999999"] {
            let e = parse_page(bad).unwrap_err();
            assert_eq!(e.status.as_u16(), 400, "{bad}");
            assert!(e.detail.contains("'page' must be a whole number"), "{bad}");
        }
    }

    /// A page as the store reads it: `n` rows and the cursors around them.
    fn read(n: usize, next: Option<&str>, prev: Option<&str>) -> Rows<i32> {
        Rows {
            items: vec![0; n],
            next: next.map(str::to_owned),
            prev: prev.map(str::to_owned),
        }
    }

    #[test]
    fn the_links_keep_the_filters_follow_the_cursors_and_drop_the_notice() {
        let paging = Paging::read("/purchases", "customer_id=a%20b&done=x&page=2").unwrap();
        assert_eq!(paging.rows().offset, PER_PAGE);
        let t = Tr::new(Lang::En);
        let (rows, pager) = paging.cut(&t, read(PER_PAGE as usize, Some("N"), Some("P")));
        assert_eq!(rows.len(), PER_PAGE as usize);
        assert_eq!(pager.showing, "Showing 101–200");
        assert_eq!(
            pager.previous.unwrap().href,
            "/purchases?customer_id=a+b&before=P&page=1"
        );
        assert_eq!(
            pager.next.unwrap().href,
            "/purchases?customer_id=a+b&after=N&page=3"
        );
    }

    #[test]
    fn a_cursor_is_read_instead_of_an_offset() {
        let paging = Paging::read("/licenses", "after=abc&page=3&before=x&after=def").unwrap();
        let rows = paging.rows();
        assert_eq!((rows.offset, rows.after.as_deref()), (0, Some("def")));
        assert_eq!(rows.before, None);
        let paging = Paging::read("/licenses", "before=b&page=2").unwrap();
        assert_eq!(paging.rows().before.as_deref(), Some("b"));
    }

    #[test]
    fn the_last_page_has_no_next() {
        let paging = Paging::read("/accounts", "").unwrap();
        let t = Tr::new(Lang::En);
        let (rows, pager) = paging.cut(&t, read(3, None, None));
        assert_eq!(rows.len(), 3);
        assert!(!pager.paged());
    }
}
