//! The route table: every area's routes, each declared once beside its
//! handler (`api/<area>.rs`). A route's request body, query parameters and
//! answer are read from its handler's own signature (see `Documented`),
//! so the router and the OpenAPI document cannot drift apart and no field
//! list is kept by hand.

use std::future::Future;
use std::pin::Pin;

use axum::extract::{Path, State};
use axum::handler::Handler;
use axum::routing::MethodRouter;
use schemars::JsonSchema;
use serde::Serialize;

use crate::api::{self, Reply};
use crate::error::ApiError;
use crate::extract::Staff;
use crate::openapi::Operation;
use crate::store::{Role, StoreResult};
use crate::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// An API token with one of the listed roles (checked in the handler).
    Token,
    /// A product, with its license key; rate limited.
    LicenseKey,
}

/// One route: method, path, who may call it, what it does, its handler,
/// and how its handler's signature documents it.
pub struct Route {
    /// HTTP method, lower case.
    pub method: &'static str,
    /// Path, with `{id}` parameters.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    pub(crate) document: fn(&mut Operation),
    pub(crate) handler: MethodRouter<AppState>,
}

macro_rules! route_method {
    ($name:ident) => {
        #[doc = concat!("A `", stringify!($name), "` route to `handler`.")]
        pub(crate) fn $name<H, T, A>(
            path: &'static str,
            access: Access,
            summary: &'static str,
            handler: H,
        ) -> Route
        where
            H: Handler<T, AppState> + Documented<A>,
            T: 'static,
        {
            Route {
                method: stringify!($name),
                path,
                access,
                summary,
                document: <H as Documented<A>>::document,
                handler: axum::routing::$name(handler),
            }
        }
    };
}

/// How a [`Route::show`] reads its record: a store lookup by id.
pub(crate) type Lookup<T> =
    for<'a> fn(&'a AppState, &'a str) -> Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

/// How a [`Route::remove`] acts: a store change of the record with the
/// path's `{id}`, made by the named actor, answering the record as it was.
pub(crate) type Removal<T> =
    for<'a> fn(
        &'a AppState,
        &'a str,
        &'a str,
    ) -> Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

impl Route {
    route_method!(get);
    route_method!(post);
    route_method!(put);
    route_method!(patch);
    route_method!(delete);

    /// A `GET` route at `path` that shows any staff role whose grants
    /// reach it the record `lookup` finds by the path's `{id}`.
    pub(crate) fn show<T>(path: &'static str, summary: &'static str, lookup: Lookup<T>) -> Route
    where
        T: Serialize + JsonSchema + Send + 'static,
    {
        let handler = move |State(s): State<AppState>, staff: Staff, Path(id): Path<String>| async move {
            staff.read()?;
            Ok::<Reply<T>, ApiError>(Reply::Fresh(lookup(&s, &id).await?))
        };
        Route::get(path, Access::Token, summary, handler)
    }

    /// A `DELETE` route at `path` that `roles` may call: `remove` is given
    /// the path's `{id}` and the caller's name for the history.
    pub(crate) fn remove<T>(
        path: &'static str,
        summary: &'static str,
        roles: &'static [Role],
        remove: Removal<T>,
    ) -> Route
    where
        T: Serialize + JsonSchema + Send + 'static,
    {
        let handler = move |State(s): State<AppState>, staff: Staff, Path(id): Path<String>| async move {
            staff.allow(roles)?;
            Ok::<Reply<T>, ApiError>(Reply::Fresh(remove(&s, &id, &staff.actor()).await?))
        };
        Route::delete(path, Access::Token, summary, handler)
    }
}

/// Every route of the server, area by area.
pub fn routes() -> Vec<Route> {
    [
        api::health::routes(),
        crate::openapi::routes(),
        api::sessions::routes(),
        api::accounts::routes(),
        api::passwords::routes(),
        api::tokens::routes(),
        api::keys::routes(),
        api::catalogue::routes(),
        api::customers::routes(),
        api::licenses::routes(),
        api::activations::routes(),
        api::telephone::routes(),
        api::leases::routes(),
        api::revocation::routes(),
        api::releases::routes(),
        api::history::routes(),
        api::purchases::routes(),
        api::contracts::routes(),
        api::members::routes(),
        api::subscriptions::routes(),
        api::invoices::routes(),
        api::notices::routes(),
        api::reports::routes(),
        api::bulk::routes(),
        api::usage::routes(),
        crate::observe::scrape::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What an extractor adds to its route's document: a JSON body, query
/// parameters, a header. Most add nothing (the state, the caller, path
/// parameters, which the path itself names).
pub(crate) trait ArgDoc {
    /// Adds this argument to `op`.
    fn document(_op: &mut Operation) {}
}

/// What a handler's answer adds to its route's document: status, media
/// type, schema.
pub(crate) trait AnswerDoc {
    /// Adds the answer to `op`.
    fn document(op: &mut Operation);
}

/// A handler whose signature documents its route: every argument is an
/// [`ArgDoc`], the answer an [`AnswerDoc`] (problems are documented once,
/// for every route).
pub(crate) trait Documented<Args> {
    /// Fills `op` from the handler's arguments and answer.
    fn document(op: &mut Operation);
}

macro_rules! documented {
    ($($arg:ident),*) => {
        impl<F, Fut, R, $($arg,)*> Documented<($($arg,)*)> for F
        where
            F: FnOnce($($arg),*) -> Fut,
            Fut: Future<Output = Result<R, ApiError>>,
            R: AnswerDoc,
            $($arg: ArgDoc,)*
        {
            fn document(op: &mut Operation) {
                $(<$arg as ArgDoc>::document(op);)*
                R::document(op);
            }
        }
    };
}

documented!();
documented!(A1);
documented!(A1, A2);
documented!(A1, A2, A3);
documented!(A1, A2, A3, A4);
documented!(A1, A2, A3, A4, A5);
documented!(A1, A2, A3, A4, A5, A6);
documented!(A1, A2, A3, A4, A5, A6, A7);
