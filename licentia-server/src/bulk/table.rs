//! The CSV reader: a bounded, strict parse of an import's table (its header
//! checked against the kind's columns, every bad row reported with its line).

use std::collections::HashMap;

use super::write::unescape;
use super::{Kind, RowError, MAX_FIELD_LEN, MAX_ROWS};

/// One data row: its line and its fields, by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Line where the row starts.
    pub line: u64,
    fields: HashMap<&'static str, String>,
}

impl Record {
    /// The field of `column`, trimmed and unescaped; `None` when absent or empty.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.fields
            .get(column)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// A checked CSV table: known columns, at most [`MAX_ROWS`] rows of the
/// header's width, no field over [`MAX_FIELD_LEN`] bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The columns the header names, in its order.
    pub columns: Vec<&'static str>,
    /// The data rows.
    pub records: Vec<Record>,
}

/// Reads the table of `kind` from `bytes`; every bad row is reported (a bad
/// header stops there: the rows cannot be read without it).
pub fn parse_table(kind: Kind, bytes: &[u8]) -> Result<Table, Vec<RowError>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = Lines {
        bytes,
        seen: 0,
        line: 1,
    };
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => {
            return Err(vec![RowError::new(
                1,
                None,
                "the file is empty: the first line names the columns",
            )])
        }
        Some(Err(e)) => return Err(vec![RowError::new(1, None, format!("not CSV: {e}"))]),
        Some(Ok(h)) => h,
    };
    let header: Vec<&str> = match header.iter().map(std::str::from_utf8).collect() {
        Ok(h) => h,
        Err(_) => return Err(vec![RowError::new(1, None, "not UTF-8 text")]),
    };
    let columns = header_columns(kind, &header)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (n, record) in records.enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                errors.push(RowError::new(line, None, format!("not CSV: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        if n >= MAX_ROWS {
            errors.push(RowError::new(
                line,
                None,
                format!("more than {MAX_ROWS} rows: import them in several files"),
            ));
            break;
        }
        if record.len() != columns.len() {
            errors.push(RowError::new(
                line,
                None,
                format!(
                    "{} fields where the header names {}",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let mut fields = HashMap::new();
        let mut ok = true;
        for (column, value) in columns.iter().zip(record.iter()) {
            // The limit is on the value read (what a writer writes back is
            // at most one escape longer than what it was given).
            let problem = match std::str::from_utf8(value).map(|t| unescape(t.trim())) {
                Ok(text) if text.len() <= MAX_FIELD_LEN => {
                    fields.insert(*column, text.to_owned());
                    continue;
                }
                Ok(_) => format!("longer than {MAX_FIELD_LEN} bytes"),
                Err(_) => "not UTF-8 text".to_owned(),
            };
            errors.push(RowError::new(line, Some(column), problem));
            ok = false;
        }
        if ok {
            rows.push(Record { line, fields });
        }
    }
    // The reader takes a quoted field left open as running to the end of the
    // file; every closed one has an even number of quotes.
    if bytes.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
        let line = rows.last().map_or(1, |r| r.line);
        errors.push(RowError::new(line, None, "a quoted field is not closed"));
    }
    if errors.is_empty() {
        Ok(Table {
            columns,
            records: rows,
        })
    } else {
        Err(errors)
    }
}

/// Line numbers from byte offsets, counted once, front to back.
struct Lines<'a> {
    bytes: &'a [u8],
    seen: usize,
    line: u64,
}

impl Lines<'_> {
    /// The line of byte `at` (not before the last one asked).
    fn at(&mut self, at: u64) -> u64 {
        let mut at = usize::try_from(at)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        // The reader may place a record at the line end before it (the \n
        // of a CRLF) and skips blank lines: the record starts past them.
        while self
            .bytes
            .get(at)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            at += 1;
        }
        if at > self.seen {
            self.line += self.bytes[self.seen..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.seen = at;
        }
        self.line
    }
}

fn header_columns(kind: Kind, header: &[&str]) -> Result<Vec<&'static str>, Vec<RowError>> {
    let known = kind.columns();
    let mut errors = Vec::new();
    let mut columns = Vec::new();
    for name in header.iter().map(|h| h.trim()) {
        match known.iter().find(|(k, _)| *k == name) {
            Some(_) if columns.contains(&name) => {
                errors.push(RowError::new(1, Some(name), "this column is named twice"))
            }
            Some((k, _)) => columns.push(*k),
            None => errors.push(RowError::new(
                1,
                Some(name).filter(|n| n.len() <= 64),
                format!(
                    "unknown column; {} has: {}",
                    kind.as_str(),
                    known.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
    for (name, required) in known {
        if *required && !columns.contains(name) {
            errors.push(RowError::new(1, Some(name), "this column is required"));
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}
