//! A QR code drawn as SVG: a licence's compact form, an offline activation
//! request or its answer, for a phone or a scanner to carry between a
//! machine with no network and no USB and the back office.
//! The `qrcode` crate gives the module matrix; the drawing is one path of
//! unit squares on a white square with a four-module quiet zone, so any
//! decoder reads it at any size.

use std::fmt::Write;

use qrcode::{Color, EcLevel, QrCode};

use crate::error::ApiError;

/// The quiet zone the standard asks for, in modules.
const QUIET: usize = 4;

/// `text` as an SVG QR code (error correction M: a quarter of it may be
/// smudged), titled `title` for screen readers. Text longer than a QR
/// code holds is refused.
///
/// ```
/// let svg = licentia_server::qr::svg("lic1.AAAA", "the licence").unwrap();
/// assert!(svg.starts_with("<svg") && svg.contains("<title>the licence</title>"));
/// assert!(licentia_server::qr::svg(&"x".repeat(5000), "too long").is_err());
/// ```
pub fn svg(text: &str, title: &str) -> Result<String, ApiError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| ApiError::invalid(format!("too long for a QR code: {e}")))?;
    let width = code.width();
    let side = width + 2 * QUIET;
    let mut path = String::with_capacity(width * width * 8);
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let _ = write!(path, "M{} {}h1v1h-1z", i % width + QUIET, i / width + QUIET);
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
         shape-rendering=\"crispEdges\" role=\"img\"><title>{}</title>\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>\n",
        escape(title)
    ))
}

/// Text made safe inside SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn too_long_is_refused_and_titles_are_escaped() {
        assert!(super::svg(&"x".repeat(5000), "t").is_err());
        let svg = super::svg("lic.abc", "a <b> & \"c\"").unwrap();
        assert!(
            svg.contains("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"),
            "{svg}"
        );
    }
}
