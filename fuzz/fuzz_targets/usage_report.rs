//! Offline usage reports (unsigned, written by customers' machines): what
//! parses writes back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia::UsageReport;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(report) = UsageReport::parse(text) {
        assert_eq!(
            UsageReport::parse(&report.to_armor()).expect("own output parses"),
            report
        );
    }
});
