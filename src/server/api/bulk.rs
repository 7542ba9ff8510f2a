//! Routes for bulk.

use crate::server::{Field, Route};

/// The routes of this part of the API.
pub(in crate::server) fn routes() -> Vec<Route> {
    vec![]
}

/// The JSON body each route of this part takes.
pub(in crate::server) fn request_fields(_method: &str, _path: &str) -> Option<&'static [Field]> {
    None
}
