//! A product's releases on its page (the list, and the form vendor staff
//! add one with), and the releases a licence may run on the licence's.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};

use super::frame::{Frame, OrRefuse, PageResult, Viewer};
use super::sheet::{redraw, Cell, Field, Form, Posted, Sheet, Table};
use super::{Page, PageAccess};
use crate::service::releases::{self, NewRelease};
use crate::store::{Product, ReleaseRecord};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    vec![Page::post(
        "/products/{id}/releases",
        PageAccess::Signed,
        create_release,
    )]
}

/// A product's releases, newest first.
pub(super) fn table(f: &Frame, releases: &[ReleaseRecord]) -> Table {
    let t = f.t;
    let rows = releases
        .iter()
        .map(|r| {
            let download = if r.download_url.is_empty() {
                Cell::text("—")
            } else {
                Cell::link(t.t("rel-download"), r.download_url.clone())
            };
            vec![
                Cell::text(&r.version),
                Cell::text(t.date(r.released_at)),
                Cell::text(&r.channel),
                Cell::text(&r.notes),
                download,
            ]
        })
        .collect();
    Table::new(
        t.n("rel-count", releases.len() as i64),
        vec![
            t.t("rel-version"),
            t.t("rel-date"),
            t.t("rel-channel"),
            t.t("rel-notes"),
            t.t("rel-download-url"),
        ],
        rows,
        t.t("cat-none"),
    )
}

/// The form that records a release of `product`, with what was typed.
pub(super) fn form(f: &Frame, product: &str, typed: &NewRelease) -> Form {
    let t = f.t;
    let field = |name: &'static str, id: &str, value: &str| {
        Field::text(name, t.t(id), t.t(&format!("{id}-rule")), value.to_owned())
    };
    let fields = vec![
        field("version", "rel-version", &typed.version).required(),
        field("date", "rel-date", &typed.date)
            .kind("date")
            .required(),
        field(
            "channel",
            "rel-channel",
            typed.channel.as_deref().unwrap_or("stable"),
        ),
        field(
            "notes",
            "rel-notes",
            typed.notes.as_deref().unwrap_or_default(),
        ),
        field(
            "download_url",
            "rel-download-url",
            typed.download_url.as_deref().unwrap_or_default(),
        )
        .kind("url"),
    ];
    let mut form = Form::post(
        "release",
        format!("/products/{product}/releases"),
        fields,
        t.t("rel-add"),
    );
    form.heading = Some(t.t("rel-new"));
    form
}

/// The versions a licence may run, as its page says them.
pub(super) fn runnable(f: &Frame, releases: &[ReleaseRecord]) -> String {
    if releases.is_empty() {
        return f.t.t("none");
    }
    releases
        .iter()
        .map(|r| r.version.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `POST /products/{id}/releases`: back to the product's page, or the
/// form again with the rule that refused it.
async fn create_release(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    posted: Posted,
) -> PageResult {
    let f = v.frame.at("catalogue");
    let product: Product = s.store.product(&id).await.or_refuse(&f)?;
    let new = NewRelease {
        version: posted.get("version"),
        date: posted.get("date"),
        channel: posted.opt("channel"),
        notes: posted.opt("notes"),
        download_url: posted.opt("download_url"),
    };
    match releases::add_release(&s, &v.staff, &product, &new).await {
        Ok(_) => Ok(Redirect::to(&format!("/products/{}", product.id)).into_response()),
        Err(e) => Ok(redraw(&f, e, || {
            let mut page = Sheet::new(f.clone(), format!("{} — {}", product.code, product.name));
            page.forms.push(form(&f, &product.id, &new));
            page
        })),
    }
}
