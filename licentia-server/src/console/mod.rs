//! The web console: the back office for the people who run it, served by
//! `licentia serve` at `/`.
//!
//! Server-rendered HTML (askama templates under `templates/console/`,
//! compiled into the binary), text from Fluent catalogues in English,
//! French and German (`locales/`), and one vendored script, htmx, which
//! only swaps parts of pages: every page reads and every form posts back
//! without JavaScript. A view per area, each calling the same service
//! layer as the JSON API and authorized by the same [`Staff`] extractor:
//! a customer admin sees the same console, cut to their part of the tree.
//!
//! The pages are declared once, in [`pages()`]: the router and the tests
//! that prove every page answers only within the caller's grants are both
//! built from that table.
//!
//! [`Staff`]: crate::staff::Staff

// A page handler's error is the refusal page itself, drawn once on its way
// out: boxing it would only add an allocation to every refusal.
#![allow(clippy::result_large_err)]

mod accounts;
mod assets;
mod catalogue;
mod chart;
mod contracts;
mod csrf;
mod customer_changes;
mod customers;
mod dashboard;
mod frame;
mod history;
pub mod i18n;
mod invoices;
mod keys;
mod licenses;
mod member_import;
mod members;
mod notices;
mod paging;
mod problems;
mod purchases;
mod releases;
mod renewals;
mod reports;
mod settings;
mod sheet;
mod sign_in;
mod subscriptions;

use axum::routing::MethodRouter;
use axum::Router;

use crate::AppState;

/// Who may open a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAccess {
    /// Anyone: signing in, the assets.
    Public,
    /// A signed-in person; what it shows is cut to their grants.
    Signed,
}

/// One page of the console (or a form's target).
pub struct Page {
    /// HTTP method, lower case.
    pub method: &'static str,
    /// Path, with `{id}` parameters.
    pub path: &'static str,
    /// Who may open it.
    pub access: PageAccess,
    pub(crate) handler: MethodRouter<AppState>,
}

macro_rules! page_method {
    ($name:ident) => {
        #[doc = concat!("A `", stringify!($name), "` page at `path`.")]
        pub(crate) fn $name<H, T>(path: &'static str, access: PageAccess, handler: H) -> Page
        where
            H: axum::handler::Handler<T, AppState>,
            T: 'static,
        {
            Page {
                method: stringify!($name),
                path,
                access,
                handler: axum::routing::$name(handler),
            }
        }
    };
}

impl Page {
    page_method!(get);
    page_method!(post);
}

/// Every page of the console, area by area.
pub fn pages() -> Vec<Page> {
    [
        sign_in::pages(),
        assets::pages(),
        dashboard::pages(),
        renewals::pages(),
        reports::pages(),
        catalogue::pages(),
        releases::pages(),
        keys::pages(),
        purchases::pages(),
        contracts::pages(),
        invoices::pages(),
        notices::pages(),
        accounts::pages(),
        settings::pages(),
        customers::pages(),
        customer_changes::pages(),
        members::pages(),
        member_import::pages(),
        subscriptions::pages(),
        licenses::pages(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The console's router: its pages, public ones rate limited per client
/// address like the API's, and every form's CSRF token checked.
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let mut signed = Router::new();
    let mut public = Router::new();
    for page in pages() {
        match page.access {
            PageAccess::Signed => signed = signed.route(page.path, page.handler),
            PageAccess::Public => public = public.route(page.path, page.handler),
        }
    }
    let public = public.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::ratelimit::limit_by_address,
    ));
    signed
        .merge(public)
        .layer(axum::middleware::from_fn(csrf::form_token))
        .layer(axum::middleware::from_fn(frame::security_headers))
}
