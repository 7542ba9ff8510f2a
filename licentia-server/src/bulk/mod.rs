//! CSV for the back office's bulk import and export: a
//! bounded reader that checks every row and reports every bad one, the typed
//! rows of each import, and a spreadsheet-safe writer.
//!
//! Everything here is pure (no database): the server runs it first, then
//! checks what only the database knows (does the policy exist, is the id
//! free); the command line runs the same checks on a whole file before it
//! sends it in chunks; the fuzzer runs it on any bytes.
//!
//! The format is RFC 4180: comma-separated, `"`-quoted fields with `""` for
//! a quote inside, CRLF or LF line ends, a header line naming the columns
//! (in any order; optional ones may be left out). Fields are trimmed. A
//! leading UTF-8 byte order mark (as spreadsheets write) is ignored.
//!
//! **Formula injection.** A spreadsheet runs a cell that starts with `=`,
//! `+`, `-`, `@` (or a tab or carriage return) as a formula. The writer puts
//! a `'` before such text cells (and before a text cell that starts with `'`
//! itself, so the escape can be undone); the reader removes that one `'`
//! again. So `=1+1` is written `'=1+1`, read back as `=1+1`, and an export
//! read back by an import gives the same values. Numbers are written as they
//! are (`-5` stays a number).
//!
//! ```
//! use licentia_server::bulk::{read, Cell, Kind, Rows, CsvWriter};
//! let mut csv = CsvWriter::new(&["kind", "name"]);
//! csv.row(&[Cell::Text("partner"), Cell::Text("=HYPERLINK(\"x\")")]);
//! let text = csv.finish();
//! assert_eq!(text, "kind,name\r\npartner,\"'=HYPERLINK(\"\"x\"\")\"\r\n");
//! let Ok(Rows::Customers(rows)) = read(Kind::Customers, text.as_bytes()) else { panic!() };
//! assert_eq!(rows[0].name, "=HYPERLINK(\"x\")");
//! ```

mod rows;
mod table;
mod write;

use serde::{Deserialize, Serialize};

pub use rows::{email, fits, read, text, CustomerRow, LicenseRow, MemberRow, Parent, Rows, TREE};
pub use table::{parse_table, Record, Table};
pub use write::{Cell, CsvWriter};

/// The most data rows one import takes.
pub const MAX_ROWS: usize = 10_000;
/// The longest field, in bytes (each column has its own, smaller, limit too).
pub const MAX_FIELD_LEN: usize = 4096;
/// Separates the items of a list field (features, machines).
pub const LIST_SEPARATOR: char = ';';

/// What is imported or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nodes of the customer tree.
    Customers,
    /// Licenses, issued as `POST /v1/licenses` issues them.
    Licenses,
    /// Members of customer nodes, with their service when a plan is named.
    Members,
}

impl Kind {
    /// The name in routes and on the command line.
    pub fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "customers" => Kind::Customers,
            "licenses" => Kind::Licenses,
            "members" => Kind::Members,
            _ => return None,
        })
    }

    /// The name in routes and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Customers => "customers",
            Kind::Licenses => "licenses",
            Kind::Members => "members",
        }
    }

    /// The columns, in the order exports write them; `true` when required.
    pub fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            Kind::Customers => &[
                ("id", false),
                ("external_ref", false),
                ("kind", true),
                ("name", true),
                ("email", false),
                ("parent", false),
            ],
            Kind::Licenses => &[
                ("id", false),
                ("policy_id", true),
                ("licensee", true),
                ("email", false),
                ("customer", false),
                ("seats", false),
                ("expires", false),
                ("features", false),
                ("user", false),
                ("machines", false),
            ],
            Kind::Members => &[
                ("customer", true),
                ("name", true),
                ("email", true),
                ("external_ref", false),
                ("plan_id", false),
                ("options", false),
            ],
        }
    }
}

/// A bad row (or header): where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    /// The column, when one field is at fault.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl RowError {
    /// An error in `column` of the row starting at `line`.
    pub fn new(line: u64, column: Option<&str>, message: impl Into<String>) -> RowError {
        RowError {
            line,
            column: column.map(str::to_owned),
            message: message.into(),
        }
    }
}
