//! The page every destructive action passes through: what will happen,
//! in words, and a button that does it (a POST with the form's CSRF
//! token) beside a way back. Without JavaScript this is the confirmation;
//! nothing is changed by following a link.

use askama::Template;

use super::frame::Frame;

/// "Are you sure?", saying what will happen.
#[derive(Template)]
#[template(path = "console/confirm.html")]
pub(crate) struct Confirm {
    pub f: Frame,
    /// What is about to be done, as a heading.
    pub title: String,
    /// What it will change, exactly, in a sentence or two.
    pub what: String,
    /// Where the form posts.
    pub action: String,
    /// The form's fields besides its CSRF token: (name, value).
    pub fields: Vec<(String, String)>,
    /// The button's words (the action, not "OK").
    pub button: String,
    /// Where "cancel" goes.
    pub back: String,
    /// The form posts as `multipart/form-data`, its CSRF token in the
    /// query: a large field (an import's CSV) is sent as it is, not
    /// percent-encoded to three times its size.
    pub upload: bool,
}
