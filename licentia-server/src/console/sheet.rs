//! One page shape for the catalogue, keys, purchases and notices: a title,
//! what the page says, the record's terms, tables, and forms (filters, a
//! create form, a confirmation) whose fields each carry their label and
//! the rule they obey. A refused form is drawn again with the refusal, the
//! person's input kept and the fields the rule names marked.
//!
//! It is also the page every destructive action passes through
//! ([`Sheet::confirm`]): what will happen, in words, and a button that
//! does it (a POST with the form's CSRF token) beside a way back. Without
//! JavaScript this is the confirmation; nothing is changed by following a
//! link.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;

use super::frame::{refusal, render, render_as, Frame};
use super::i18n::Tr;
use super::paging::Pager;
use super::problems::said;
use crate::error::ApiError;

/// A form as posted: its fields in order (a repeated name, e.g. checkboxes,
/// once per value). Reading never fails: a missing field reads as empty,
/// and each handler refuses what it cannot use, on the page.
pub(crate) struct Posted(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let frame = Frame::anonymous(&parts);
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let e = ApiError::bad_request(format!("this form cannot be read: {}", e.body_text()));
            refusal(&frame, e)
        })?;
        Ok(Posted(
            url::form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

impl Posted {
    /// The field `name`, trimmed (empty when absent).
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The field `name`, trimmed; none when absent or empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    /// Every value of the field `name` (checkboxes), trimmed, empty ones left out.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// A whole number typed in field `name` (none when left empty); refused
/// with the field's rule when it is not one within `0..=max`.
pub(crate) fn whole(name: &str, text: &str, max: u64) -> Result<Option<u64>, ApiError> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u64>()
        .ok()
        .filter(|n| *n <= max)
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "'{name}' must be a whole number from 0 to {max}, not '{text}'"
            ))
        })
}

/// [`whole`], for a `u32` term.
pub(crate) fn whole_u32(name: &str, text: &str) -> Result<Option<u32>, ApiError> {
    Ok(whole(name, text, u64::from(u32::MAX))?.map(|n| n as u32))
}

/// One option of a select or of a group of checkboxes.
pub(crate) struct Opt {
    /// The value sent.
    pub value: String,
    /// What the person reads.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

impl Opt {
    /// The options `(value, label)`, those in `chosen` selected.
    pub fn list(options: Vec<(String, String)>, chosen: &[String]) -> Vec<Opt> {
        options
            .into_iter()
            .map(|(value, label)| Opt {
                selected: chosen.contains(&value),
                value,
                label,
            })
            .collect()
    }
}

/// One field of a form.
pub(crate) struct Field {
    /// Its name in the form (the API's field name).
    pub name: &'static str,
    /// Its label.
    pub label: String,
    /// The rule it obeys, shown under it.
    pub hint: String,
    /// What was typed (kept when the form is refused).
    pub value: String,
    /// `text`, `number`, `date`, `email`, `url`, `select`, `textarea` or
    /// `checks` (a group of checkboxes).
    pub input: &'static str,
    /// The options of a select or of checkboxes.
    pub options: Vec<Opt>,
    /// Must be given.
    pub required: bool,
    /// Named by the refusal the form was drawn again with.
    pub invalid: bool,
}

impl Field {
    /// A text field.
    pub fn text(name: &'static str, label: String, hint: String, value: String) -> Field {
        Field {
            name,
            label,
            hint,
            value,
            input: "text",
            options: Vec::new(),
            required: false,
            invalid: false,
        }
    }

    /// The same field as another kind of input.
    pub fn kind(self, input: &'static str) -> Field {
        Field { input, ..self }
    }

    /// The same field, to be given.
    pub fn required(self) -> Field {
        Field {
            required: true,
            ..self
        }
    }

    /// The same field as a select of `options`.
    pub fn select(self, options: Vec<(String, String)>) -> Field {
        let chosen = [self.value.clone()];
        Field {
            options: Opt::list(options, &chosen),
            input: "select",
            ..self
        }
    }

    /// Whether it is drawn as `input`.
    pub fn is(&self, input: &str) -> bool {
        self.input == input
    }
}

/// A link drawn as a button.
pub(crate) struct Action {
    /// Where it goes.
    pub href: String,
    /// What it says.
    pub label: String,
    /// The page's main action.
    pub primary: bool,
}

impl Action {
    /// A link to `href`.
    pub fn new(href: impl Into<String>, label: String) -> Action {
        Action {
            href: href.into(),
            label,
            primary: false,
        }
    }

    /// The same link, as the page's main action.
    pub fn primary(self) -> Action {
        Action {
            primary: true,
            ..self
        }
    }
}

/// A cell of a table.
pub(crate) struct Cell {
    /// Its text.
    pub text: String,
    /// A link, if it opens a record.
    pub href: Option<String>,
    /// A number (right-aligned).
    pub num: bool,
}

impl Cell {
    /// A cell of text.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: None,
            num: false,
        }
    }

    /// A cell holding a number.
    pub fn num(n: i64) -> Cell {
        Cell {
            text: n.to_string(),
            href: None,
            num: true,
        }
    }

    /// A cell linking to `href`.
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: Some(href.into()),
            num: false,
        }
    }
}

/// A table under its own heading.
pub(crate) struct Table {
    /// Its heading (an `h2`).
    pub heading: String,
    /// Its column headings.
    pub heads: Vec<String>,
    /// Which columns hold numbers.
    pub nums: Vec<bool>,
    /// Its rows.
    pub rows: Vec<Vec<Cell>>,
    /// What it says when it has no row.
    pub empty: String,
}

impl Table {
    /// A table of `heads`, filled by `rows`.
    pub fn new(heading: String, heads: Vec<String>, rows: Vec<Vec<Cell>>, empty: String) -> Table {
        let nums = (0..heads.len())
            .map(|i| !rows.is_empty() && rows.iter().all(|r| r.get(i).is_some_and(|c| c.num)))
            .collect();
        Table {
            heading,
            heads,
            nums,
            rows,
            empty,
        }
    }

    /// Whether column `i` holds numbers.
    pub fn num(&self, i: &usize) -> bool {
        self.nums.get(*i).copied().unwrap_or(false)
    }
}

/// A form on a page.
pub(crate) struct Form {
    /// Its id, prefixing its fields' ids.
    pub id: &'static str,
    /// Its heading (an `h2`), if it has one of its own.
    pub heading: Option<String>,
    /// `get` (filters) or `post`.
    pub method: &'static str,
    /// Where it goes.
    pub action: String,
    /// What it says before its fields.
    pub lead: Vec<String>,
    /// Its fields.
    pub fields: Vec<Field>,
    /// Hidden fields (besides the CSRF token).
    pub hidden: Vec<(String, String)>,
    /// Its button.
    pub submit: String,
    /// The button destroys something.
    pub danger: bool,
    /// Why it was refused, in the API's words.
    pub refused: Option<String>,
    /// The way back without sending it.
    pub cancel: Option<Action>,
    /// It posts as `multipart/form-data`, its CSRF token in the query: a
    /// large field (an import's CSV) is sent as it is, not percent-encoded
    /// to three times its size.
    pub upload: bool,
}

impl Form {
    /// A form posting `fields` to `action`.
    pub fn post(
        id: &'static str,
        action: impl Into<String>,
        fields: Vec<Field>,
        submit: String,
    ) -> Form {
        Form {
            id,
            heading: None,
            method: "post",
            action: action.into(),
            lead: Vec::new(),
            fields,
            hidden: Vec::new(),
            submit,
            danger: false,
            refused: None,
            cancel: None,
            upload: false,
        }
    }

    /// The form of a confirmation: it posts `hidden` to `action`, its
    /// button (a destructive one) says what it does, in words, not "OK";
    /// beside it, the way back to `back`.
    pub fn confirm(
        f: &Frame,
        action: impl Into<String>,
        hidden: Vec<(String, String)>,
        button: String,
        back: impl Into<String>,
    ) -> Form {
        Form {
            hidden,
            danger: true,
            cancel: Some(Action::new(back, f.t.t("sheet-cancel"))),
            ..Form::post("confirm", action, Vec::new(), button)
        }
    }

    /// Whether it posts (and so carries the CSRF token).
    pub fn posts(&self) -> bool {
        self.method == "post"
    }

    /// The same form, refused by `e`: the refusal shown, the fields it
    /// names marked.
    pub fn refused(mut self, t: &Tr, e: &ApiError) -> Form {
        for field in &mut self.fields {
            field.invalid = names(&e.detail, field.name);
        }
        self.refused = Some(said(t, e));
        self
    }
}

/// A page of forms refused by `e`, drawn again by `draw`: each form shows
/// the refusal and marks the fields it names, and the page has the
/// refusal's status; a failure of the server is its own refusal page.
pub(crate) fn redraw(f: &Frame, e: ApiError, draw: impl FnOnce() -> Sheet) -> Response {
    if e.status.is_server_error() {
        return refusal(f, e);
    }
    let mut page = draw();
    page.forms = page
        .forms
        .into_iter()
        .map(|form| form.refused(&f.t, &e))
        .collect();
    page.status(e.status)
}

/// Whether a refusal names field `name` (as a whole word).
fn names(detail: &str, name: &str) -> bool {
    detail
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| w == name)
}

/// The page: the same shape for lists, records, forms and confirmations.
#[derive(Template)]
#[template(path = "console/sheet.html")]
pub(crate) struct Sheet {
    /// The frame.
    pub f: Frame,
    /// The `h1`.
    pub title: String,
    /// What the page says first.
    pub lead: Vec<String>,
    /// Something to heed (drawn as a notice, with words, not colour alone).
    pub notice: Option<String>,
    /// What was just done.
    pub done: Option<String>,
    /// The page's actions.
    pub actions: Vec<Action>,
    /// The record's terms: (term, value).
    pub terms: Vec<(String, String)>,
    /// Filters above the tables (a GET form).
    pub filters: Option<Form>,
    /// Tables.
    pub tables: Vec<Table>,
    /// The pages of a paged list (its one table), under the tables.
    pub pager: Option<Pager>,
    /// Forms, after the tables.
    pub forms: Vec<Form>,
}

impl Sheet {
    /// An empty page titled `title`.
    pub fn new(f: Frame, title: String) -> Sheet {
        Sheet {
            f,
            title,
            lead: Vec::new(),
            notice: None,
            done: None,
            actions: Vec::new(),
            terms: Vec::new(),
            filters: None,
            tables: Vec::new(),
            pager: None,
            forms: Vec::new(),
        }
    }

    /// A confirmation: `title`, what will happen (`what`, said before the
    /// form's button) and `form` (see [`Form::confirm`]).
    pub fn confirm(f: Frame, title: String, what: String, mut form: Form) -> Sheet {
        form.lead.insert(0, what);
        let mut page = Sheet::new(f, title);
        page.forms.push(form);
        page
    }

    /// The page drawn with `status`.
    pub fn status(&self, status: StatusCode) -> Response {
        render_as(self, Some(status))
    }

    /// The page drawn.
    pub fn page(&self) -> Response {
        render(self)
    }
}

/// Panics naming every message id of `ids` the English catalogue lacks
/// (for the ids a page builds from names, which the catalogue test cannot
/// find in the templates).
#[cfg(test)]
pub(crate) fn assert_said(ids: impl IntoIterator<Item = String>) {
    let en = super::i18n::Tr::new(super::i18n::Lang::En);
    let missing: Vec<String> = ids.into_iter().filter(|id| en.t(id) == *id).collect();
    assert!(missing.is_empty(), "locales/en.ftl lacks {missing:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_marks_the_fields_it_names() {
        assert!(names("'quantity' must be a whole number", "quantity"));
        assert!(names("seats, lease_ttl_secs and more", "lease_ttl_secs"));
        assert!(!names("'max_offline_days' must be", "offline"));
    }

    #[test]
    fn numbers_are_whole_and_bounded() {
        assert_eq!(whole("n", "", 9).unwrap(), None);
        assert_eq!(whole("n", "7", 9).unwrap(), Some(7));
        let e = whole("seats", "-1", 9).unwrap_err();
        assert!(
            e.detail
                .contains("'seats' must be a whole number from 0 to 9"),
            "{}",
            e.detail
        );
        assert!(whole("n", "10", 9).is_err());
        assert!(whole("n", "2.5", 9).is_err());
    }
}
