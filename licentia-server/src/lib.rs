//! The licentia back office as a library: what `licentia serve` runs.
//!
//! A thin HTTP server over a database (SQLite by default, PostgreSQL for any
//! number of instances): it stores, authorizes and schedules, and every
//! document it hands out is signed by the core's [`Issuer`](licentia::Issuer).
//! The binary only bootstraps: [`launch`] runs the server until a signal,
//! [`launch_with_listener`] runs it on a listener the caller bound (tests
//! use `127.0.0.1:0`).
//!
//! The layers, each calling only the ones below it:
//!
//! - `api/`: one file per business area — its routes, request and answer
//!   types, and thin handlers (extract, authorize, call the service, answer);
//! - `service/`: the business operations, with no HTTP in them, which the
//!   handlers, the [`jobs`] and the [`commands`] call;
//! - [`store`]: one storage trait per area, and [`sql`], their SQLite and
//!   PostgreSQL implementation, one file per area;
//! - [`billing`]: the pure calendar of subscriptions (no clock, no database).
//!
//! Routes are declared once, beside their handlers ([`routes()`]); the router
//! and the OpenAPI document ([`openapi()`]) are both built from that table.

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod api;
pub mod backup;
pub mod billing;
pub mod bulk;
pub mod client_addr;
pub mod commands;
pub mod config;
pub mod console;
pub mod custody;
pub mod delivery;
pub mod egress;
pub mod error;
mod extract;
pub mod history;
pub mod jobs;
pub mod keyring;
mod observe;
pub mod openapi;
pub mod qr;
mod ratelimit;
pub mod routes;
pub mod secret;
mod serve;
mod service;
pub mod sql;
pub mod staff;
mod state;
pub mod store;
mod tls;

pub use backup::{backup, restore};
pub use commands::{
    create_account, create_token, fill_scale, retire_key, rotate_key, verify_history,
};
pub use config::{Config, Overrides};
pub use openapi::openapi;
pub use routes::{routes, Access, Route};
pub use serve::{
    init_logging, launch, launch_with_listener, open_store, Running, HEADER_READ_TIMEOUT,
    SHUTDOWN_GRACE,
};
pub use state::AppState;
