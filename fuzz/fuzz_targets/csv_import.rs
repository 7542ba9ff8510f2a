//! The CSV import reader and checks (`licentia_server::bulk::read`), as the server
//! and `licentia import` run them on a file. The first byte picks the kind.
//! Besides "no panic": a table the reader accepts, written back by the
//! writer (quoting, formula escape), reads back to the same fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licentia_server::bulk::{parse_table, read, Cell, CsvWriter, Kind};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let kind = match selector % 3 {
        0 => Kind::Customers,
        1 => Kind::Licenses,
        _ => Kind::Members,
    };
    let _ = read(kind, bytes);
    let Ok(table) = parse_table(kind, bytes) else {
        return;
    };
    let mut writer = CsvWriter::new(&table.columns);
    for r in &table.records {
        let cells: Vec<Cell> = table
            .columns
            .iter()
            .map(|c| Cell::Text(r.get(c).unwrap_or("")))
            .collect();
        writer.row(&cells);
    }
    let written = writer.finish();
    let again = parse_table(kind, written.as_bytes()).expect("what the writer writes reads");
    assert_eq!(again.columns, table.columns);
    assert_eq!(again.records.len(), table.records.len());
    for (a, b) in again.records.iter().zip(&table.records) {
        for c in &table.columns {
            assert_eq!(a.get(c), b.get(c), "column {c}");
        }
    }
});
