//! Charts drawn on the server as SVG: horizontal bars, one per labelled
//! value, for the reports people look at rather than read. Each chart is
//! an image with a title and a description for screen readers, and the
//! page shows the same numbers in a table beside it. Labels come from
//! stored data and are escaped here, since the SVG is put in the page as is.

use std::fmt::Write;

/// One bar: its label, its value, and the value as people read it.
pub(crate) struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

/// Height of one bar's row, in SVG units.
const ROW: usize = 28;
/// Width of the label column and of the bars' column.
const LABEL_WIDTH: usize = 220;
const BARS_WIDTH: usize = 420;

/// Text made safe inside SVG (element text and attribute values).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A horizontal bar chart of `bars`, scaled to the largest value, titled
/// `title` (an empty chart says `empty`).
pub(crate) fn bars(title: &str, bars: &[Bar], empty: &str) -> String {
    let height = ROW * bars.len().max(1) + 8;
    let width = LABEL_WIDTH + BARS_WIDTH + 90;
    let mut svg = String::new();
    let described: Vec<String> = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, b.shown))
        .collect();
    let _ = write!(
        svg,
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" aria-label=\"{}\">\
         <title>{}</title><desc>{}</desc>",
        escape(title),
        escape(title),
        escape(&described.join("; "))
    );
    if bars.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"20\" class=\"chart-label\">{}</text>",
            escape(empty)
        );
    }
    let top = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    for (i, b) in bars.iter().enumerate() {
        let y = i * ROW + 4;
        let length = if top > 0.0 {
            (b.value.max(0.0) / top * BARS_WIDTH as f64).round() as usize
        } else {
            0
        };
        let label: String = b.label.chars().take(32).collect();
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"chart-label\">{}</text>\
             <rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{}\" height=\"{}\" rx=\"3\" class=\"chart-bar\"/>\
             <text x=\"{}\" y=\"{}\" class=\"chart-value\">{}</text>",
            LABEL_WIDTH - 8,
            y + 17,
            escape(&label),
            length.max(1),
            ROW - 8,
            LABEL_WIDTH + length + 6,
            y + 17,
            escape(&b.shown),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            shown: value.to_string(),
        }
    }

    #[test]
    fn bars_are_scaled_to_the_largest() {
        let svg = bars(
            "Platforms",
            &[bar("linux", 10.0), bar("windows", 5.0)],
            "none",
        );
        assert!(svg.contains(&format!("width=\"{BARS_WIDTH}\"")), "{svg}");
        assert!(
            svg.contains(&format!("width=\"{}\"", BARS_WIDTH / 2)),
            "{svg}"
        );
        assert!(svg.contains("<desc>linux: 10; windows: 5</desc>"));
    }

    #[test]
    fn labels_from_data_cannot_break_out_of_the_svg() {
        let svg = bars(
            "t",
            &[bar("</svg><script>alert(1)</script>\"'&", 1.0)],
            "none",
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;/svg&gt;&lt;script&gt;"));
        assert_eq!(svg.matches("</svg>").count(), 1);
    }

    #[test]
    fn an_empty_chart_says_so() {
        let svg = bars("t", &[], "Nothing yet");
        assert!(svg.contains("Nothing yet") && svg.ends_with("</svg>"));
    }
}
