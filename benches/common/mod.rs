//! What the benches share: criterion's medians of this run, and the one
//! machine-readable line per figure that `scripts/bench.sh` gathers into
//! BENCHMARKS.md.
//!
//! Each bench uses part of it, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::SystemTime;

/// Whether criterion is measuring (`cargo bench`), not smoke-testing
/// (`cargo test --benches`, `-- --test`).
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench") && !std::env::args().any(|a| a == "--test")
}

/// Where criterion writes its estimates: `$CRITERION_HOME`, else
/// `<target>/criterion` (a bench binary is `<target>/<profile>/deps/<name>`).
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.join("criterion"))
}

/// The median (ns) this run measured for `group/id`, if it measured it
/// (estimates older than `since` are a previous run's).
pub fn median(group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()?
        .join(group)
        .join(id)
        .join("new/estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None;
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// One figure: what was measured, against what limit, and the target the
/// issues set for the ratio (`None`: no target).
pub struct Figure<'a> {
    /// What was measured.
    pub name: &'a str,
    /// The median (or the figure itself), in `unit`; `None` for a ratio-only row.
    pub value: Option<f64>,
    /// µs, ns, bytes, licenses/s...
    pub unit: &'a str,
    /// The physical limit beside it, and its value in the same unit.
    pub limit: Option<(&'a str, f64)>,
    /// When `value` is `None`: the ratio measured some other way (paired).
    pub ratio: Option<f64>,
    /// The largest ratio the issues allow.
    pub max_ratio: Option<f64>,
    /// A short remark for the table.
    pub note: &'a str,
}

impl Figure<'_> {
    /// Prints the figure as one `BENCHJSON` line (and a readable one).
    pub fn emit(&self) {
        let ratio = self
            .ratio
            .or_else(|| Some(self.value? / self.limit?.1).filter(|r| r.is_finite()));
        let met = match (ratio, self.max_ratio) {
            (Some(r), Some(max)) => Some(r <= max),
            _ => None,
        };
        let json = serde_json::json!({
            "figure": self.name,
            "value": self.value,
            "unit": self.unit,
            "limit": self.limit.map(|l| l.0),
            "limit_value": self.limit.map(|l| l.1),
            "ratio": ratio,
            "target": self.max_ratio.map(|m| format!("≤ {m}×")),
            "met": met,
            "note": self.note,
        });
        println!("BENCHJSON {json}");
    }
}

/// A figure with a value and nothing else yet.
pub fn figure<'a>(name: &'a str, value: Option<f64>, unit: &'a str) -> Figure<'a> {
    Figure {
        name,
        value,
        unit,
        limit: None,
        ratio: None,
        max_ratio: None,
        note: "",
    }
}
