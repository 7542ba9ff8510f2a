//! The console's assets, embedded in the binary: its stylesheet, its one
//! scripts (htmx, vendored with its license in `assets/htmx/`, and a few
//! lines of its own) and its icon.
//! Each is served under a name that carries its content hash, so it can be
//! cached for a year and a new build is fetched at once.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Page, PageAccess};

/// One embedded file.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: [Asset; 4] = [
    Asset {
        name: "console.css",
        media_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/console.css"),
    },
    Asset {
        name: "htmx.min.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/htmx/htmx.min.js"),
    },
    Asset {
        name: "console.js",
        media_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/console.js"),
    },
    Asset {
        name: "icon.svg",
        media_type: "image/svg+xml",
        bytes: include_bytes!("../../assets/icon.svg"),
    },
];

pub(super) fn pages() -> Vec<Page> {
    vec![Page::get("/assets/{file}", PageAccess::Public, asset)]
}

/// Each asset's hashed name (`console.3f2a9c01.css`), computed once.
fn hashed() -> &'static [String; 4] {
    static NAMES: OnceLock<[String; 4]> = OnceLock::new();
    NAMES.get_or_init(|| {
        ASSETS.each_ref().map(|a| {
            let digest = crate::secret::sha256_hex(a.bytes);
            let (stem, ext) = a.name.split_once('.').unwrap_or((a.name, ""));
            format!("{stem}.{}.{ext}", &digest[..12])
        })
    })
}

/// The path pages link an asset by (`/assets/console.<hash>.css`).
pub(crate) fn href(name: &str) -> String {
    ASSETS
        .iter()
        .zip(hashed())
        .find(|(a, _)| a.name == name)
        .map_or_else(String::new, |(_, h)| format!("/assets/{h}"))
}

/// `GET /assets/{file}`: an embedded asset by its hashed name.
async fn asset(Path(file): Path<String>) -> Response {
    let Some(found) = ASSETS.iter().zip(hashed()).find(|(_, h)| **h == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, found.0.media_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        found.0.bytes,
    )
        .into_response()
}
