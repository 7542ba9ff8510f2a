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

use std::collections::HashMap;

use serde::Serialize;

use licentia::{Entitlement, LicenseId, Timestamp};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// What starts a formula in a spreadsheet, and the escape itself.
const ESCAPED: &[char] = &['=', '+', '-', '@', '\t', '\r', '\''];

/// Removes the writer's formula escape (one `'` before an escaped character).
fn unescape(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(ESCAPED) => rest,
        _ => value,
    }
}

/// A trimmed text of 1 to `max` bytes without control characters (the rule
/// of every free-text field of the back office).
pub fn text(value: &str, max: usize) -> Option<&str> {
    let v = value.trim();
    (!v.is_empty() && v.len() <= max && !v.chars().any(char::is_control)).then_some(v)
}

/// A customer node to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    /// Line of the file.
    pub line: u64,
    /// The id to give it (`cus_` and 20 hex digits), or a new one.
    pub id: Option<String>,
    /// The vendor's own reference (unique: imports refuse one in use).
    pub external_ref: Option<String>,
    /// `partner`, `customer` or `site`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// The parent node.
    pub parent: Option<Parent>,
}

/// Where a customer row's parent is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parent {
    /// An earlier row of the same file (its index).
    Row(usize),
    /// A stored node, by id or external reference (the server looks it up).
    Stored(String),
}

/// A license to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseRow {
    /// Line of the file.
    pub line: u64,
    /// The license id (32 hex digits) to give it, or a new one.
    pub id: Option<String>,
    /// The policy.
    pub policy_id: String,
    /// Licensee name.
    pub licensee: String,
    /// Licensee e-mail.
    pub email: Option<String>,
    /// The customer node, by id or external reference.
    pub customer: Option<String>,
    /// Seats over the policy's.
    pub seats: Option<u32>,
    /// Expiry over the policy's duration (normalized RFC 3339).
    pub expires: Option<String>,
    /// Features over the policy's.
    pub features: Option<Vec<String>>,
    /// Named user (named-user policies).
    pub user: Option<String>,
    /// Machine fingerprints (node-locked policies).
    pub machines: Option<Vec<String>>,
}

/// A member to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// Line of the file.
    pub line: u64,
    /// The customer node, by id or external reference.
    pub customer: String,
    /// Name.
    pub name: String,
    /// E-mail, in lower case (unique per customer node).
    pub email: String,
    /// The vendor's own reference.
    pub external_ref: Option<String>,
    /// The plan of the member's service; none: no service.
    pub plan_id: Option<String>,
    /// The plan's options the service takes.
    pub options: Vec<String>,
}

/// The checked rows of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    /// Customer nodes, parents before children.
    Customers(Vec<CustomerRow>),
    /// Licenses.
    Licenses(Vec<LicenseRow>),
    /// Members.
    Members(Vec<MemberRow>),
}

impl Rows {
    /// How many rows.
    pub fn len(&self) -> usize {
        match self {
            Rows::Customers(r) => r.len(),
            Rows::Licenses(r) => r.len(),
            Rows::Members(r) => r.len(),
        }
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads and checks an import of `kind`: every bad row is reported, each
/// with its line, column and what is wrong. What only the database knows is
/// left to the server.
pub fn read(kind: Kind, bytes: &[u8]) -> Result<Rows, Vec<RowError>> {
    let table = parse_table(kind, bytes)?;
    let mut errors = Vec::new();
    let rows = match kind {
        Kind::Customers => Rows::Customers(customers(&table.records, &mut errors)),
        Kind::Licenses => Rows::Licenses(
            table
                .records
                .iter()
                .filter_map(|r| license(r, &mut errors))
                .collect(),
        ),
        Kind::Members => Rows::Members(members(&table.records, &mut errors)),
    };
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Field checks of one row, collecting every error.
struct Checks<'a> {
    record: &'a Record,
    errors: &'a mut Vec<RowError>,
    bad: bool,
}

impl Checks<'_> {
    fn fail(&mut self, column: &str, message: impl Into<String>) {
        self.errors
            .push(RowError::new(self.record.line, Some(column), message));
        self.bad = true;
    }

    fn text(&mut self, column: &str, max: usize) -> Option<String> {
        let value = self.record.get(column)?;
        match text(value, max) {
            Some(v) => Some(v.to_owned()),
            None => {
                self.fail(
                    column,
                    format!("1 to {max} characters without control characters"),
                );
                None
            }
        }
    }

    fn required(&mut self, column: &str, max: usize) -> String {
        if self.record.get(column).is_none() {
            self.fail(column, "required");
        }
        self.text(column, max).unwrap_or_default()
    }

    fn list(
        &mut self,
        column: &str,
        check: impl Fn(&str) -> Result<(), String>,
    ) -> Option<Vec<String>> {
        let value = self.record.get(column)?;
        let items: Vec<String> = value
            .split(LIST_SEPARATOR)
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(str::to_owned)
            .collect();
        for item in &items {
            if let Err(e) = check(item) {
                self.fail(column, e);
            }
        }
        Some(items)
    }
}

/// Ids the server makes: a prefix, `_` and 20 lowercase hex digits.
fn is_id(value: &str, prefix: &str) -> bool {
    value
        .strip_prefix(prefix)
        .and_then(|v| v.strip_prefix('_'))
        .is_some_and(|hex| {
            hex.len() == 20
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

fn customers(records: &[Record], errors: &mut Vec<RowError>) -> Vec<CustomerRow> {
    // The first row each id or reference names: a parent is found among the
    // rows before its child (rows are created in file order).
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (index, record) in records.iter().enumerate() {
        for column in ["id", "external_ref"] {
            if let Some(v) = record.get(column) {
                names.entry(v).or_insert(index);
            }
        }
    }
    let mut rows: Vec<CustomerRow> = Vec::with_capacity(records.len());
    for (index, record) in records.iter().enumerate() {
        let mut c = Checks {
            record,
            errors,
            bad: false,
        };
        let id = c.text("id", 64);
        if id.as_deref().is_some_and(|id| !is_id(id, "cus")) {
            c.fail(
                "id",
                "an id is cus_ and 20 hex digits (leave it empty for a new one)",
            );
        }
        let external_ref = c.text("external_ref", 128);
        for column in ["id", "external_ref"] {
            if let Some(v) = record.get(column) {
                if names.get(v).is_some_and(|&first| first < index) {
                    c.fail(column, format!("'{v}' names an earlier row too"));
                }
            }
        }
        let kind = c.required("kind", 16);
        let known_kind = matches!(kind.as_str(), "partner" | "customer" | "site");
        if !kind.is_empty() && !known_kind {
            c.fail("kind", "partner, customer or site");
        }
        let name = c.required("name", 256);
        let email = c.text("email", 256);
        let parent = match c.text("parent", 128) {
            None => None,
            Some(p) => match names.get(p.as_str()).copied() {
                Some(i) if i < index => Some(Parent::Row(i)),
                Some(i) if i == index => {
                    c.fail("parent", "a node is not its own parent");
                    None
                }
                Some(_) => {
                    c.fail("parent", "the parent's row must come before its children");
                    None
                }
                None => Some(Parent::Stored(p)),
            },
        };
        let parent_kind = match &parent {
            Some(Parent::Row(i)) => Some(Some(rows[*i].kind.as_str())),
            Some(Parent::Stored(_)) => None, // the server knows its kind
            None => Some(None),
        };
        if let Some(parent_kind) = parent_kind {
            if known_kind && !fits(&kind, parent_kind) {
                c.fail("parent", TREE);
            }
        }
        // Bad rows keep their slot, so later rows' parent indexes stay right
        // (and the import fails anyway).
        rows.push(CustomerRow {
            line: record.line,
            id,
            external_ref,
            kind,
            name,
            email,
            parent,
        });
    }
    rows
}

/// The customer tree's rule, as the API says it.
pub const TREE: &str = "the tree is partner -> customer -> site: a partner has no parent, a customer's parent is a partner (or none), a site's parent is a customer";

/// Whether a node of `kind` may sit under a parent of `parent_kind`.
pub fn fits(kind: &str, parent_kind: Option<&str>) -> bool {
    matches!(
        (kind, parent_kind),
        ("partner", None) | ("customer", None | Some("partner")) | ("site", Some("customer"))
    )
}

fn license(record: &Record, errors: &mut Vec<RowError>) -> Option<LicenseRow> {
    let mut c = Checks {
        record,
        errors,
        bad: false,
    };
    let id = c.text("id", 64);
    if let Some(id) = &id {
        if LicenseId::parse(id).is_err() {
            c.fail(
                "id",
                "a license id is 32 hex digits (leave it empty for a new one)",
            );
        }
    }
    let policy_id = c.required("policy_id", 64);
    let licensee = c.required("licensee", licentia::license::MAX_FIELD_LEN);
    let email = c.text("email", 256);
    let customer = c.text("customer", 128);
    let seats = c.text("seats", 10).and_then(|s| match s.parse::<u32>() {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            c.fail("seats", "a whole number of seats, at least 1");
            None
        }
    });
    let expires = c
        .text("expires", 64)
        .and_then(|e| match Timestamp::parse(&e) {
            Ok(t) => Some(t.to_string()),
            Err(e) => {
                c.fail("expires", e.to_string());
                None
            }
        });
    let features = c.list("features", |f| {
        Entitlement::parse(f)
            .and_then(|e| e.validate())
            .map_err(|e| format!("feature '{f}': {e}"))
    });
    let user = c.text("user", 256);
    let machines = c.list("machines", |m| {
        licentia::Fingerprint::parse(m)
            .map(|_| ())
            .map_err(|e| format!("machine '{m}': {e}"))
    });
    (!c.bad).then_some(LicenseRow {
        line: record.line,
        id,
        policy_id,
        licensee,
        email,
        customer,
        seats,
        expires,
        features,
        user,
        machines,
    })
}

/// A well-formed e-mail address, in lower case (the rule of the members API).
pub fn email(value: &str) -> Option<String> {
    let e = text(value, 256)?;
    let well_formed = e
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && e.matches('@').count() == 1
        && !e.contains(char::is_whitespace);
    well_formed.then(|| e.to_lowercase())
}

fn members(records: &[Record], errors: &mut Vec<RowError>) -> Vec<MemberRow> {
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        let mut c = Checks {
            record,
            errors,
            bad: false,
        };
        let customer = c.required("customer", 128);
        let name = c.required("name", licentia::license::MAX_FIELD_LEN);
        if record.get("email").is_none() {
            c.fail("email", "required");
        }
        let email = record.get("email").and_then(|e| {
            let e = email(e);
            if e.is_none() {
                c.fail("email", "not an e-mail address");
            }
            e
        });
        let external_ref = c.text("external_ref", 128);
        let plan_id = c.text("plan_id", 64);
        let options = c.list("options", |o| {
            text(o, 64)
                .map(|_| ())
                .ok_or_else(|| format!("option '{o}' is not a code"))
        });
        if options.as_ref().is_some_and(|o| !o.is_empty()) && plan_id.is_none() {
            c.fail("options", "options are taken with a plan_id");
        }
        if let Some(e) = &email {
            if !seen.insert((customer.clone(), e.clone())) {
                c.fail("email", "an earlier row has this customer and e-mail");
            }
        }
        if !c.bad {
            rows.push(MemberRow {
                line: record.line,
                customer,
                name,
                email: email.unwrap_or_default(),
                external_ref,
                plan_id,
                options: options.unwrap_or_default(),
            });
        }
    }
    rows
}

/// One cell of a written row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Text: quoted as needed, escaped when a spreadsheet would run it.
    Text(&'a str),
    /// Optional text: empty when absent.
    Opt(Option<&'a str>),
    /// A whole number, written as is.
    Int(i64),
    /// A number with a fraction, written as is.
    Num(f64),
}

/// Writes CSV: a header, then rows; RFC 4180 quoting, CRLF line ends, and
/// the formula escape on text cells (see the module's documentation).
#[derive(Debug, Clone)]
pub struct CsvWriter {
    out: String,
}

impl CsvWriter {
    /// A table with these columns.
    pub fn new(columns: &[&str]) -> CsvWriter {
        let mut w = CsvWriter { out: String::new() };
        w.row(&columns.iter().map(|c| Cell::Text(c)).collect::<Vec<_>>());
        w
    }

    /// Appends a row.
    pub fn row(&mut self, cells: &[Cell<'_>]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            match *cell {
                Cell::Text(t) => self.text(t),
                Cell::Opt(t) => self.text(t.unwrap_or("")),
                Cell::Int(n) => self.out.push_str(&n.to_string()),
                Cell::Num(x) => self.out.push_str(&x.to_string()),
            }
        }
        self.out.push_str("\r\n");
    }

    fn text(&mut self, t: &str) {
        let escape = if t.starts_with(ESCAPED) { "'" } else { "" };
        if t.contains([',', '"', '\r', '\n']) {
            self.out.push('"');
            self.out.push_str(escape);
            self.out.push_str(&t.replace('"', "\"\""));
            self.out.push('"');
        } else {
            self.out.push_str(escape);
            self.out.push_str(t);
        }
    }

    /// The bytes written since the last take (for streaming), leaving the writer empty.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// The whole text.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells no field check lets through the API (newlines) still come out
    /// quoted, and an independent reader gets every cell back; ours undoes
    /// the formula escape too.
    #[test]
    fn writer_quotes_and_escapes() {
        let cells = [
            "plain",
            "comma, inside",
            "quote \" inside",
            "line\r\nbreak",
            "=1+1",
            "-5",
            "@SUM(A1)",
            "+x",
            "'quoted",
            "",
        ];
        let mut w = CsvWriter::new(&["a", "b", "n"]);
        for pair in cells.chunks(2) {
            w.row(&[Cell::Text(pair[0]), Cell::Text(pair[1]), Cell::Int(-5)]);
        }
        let text = w.finish();
        assert!(text.contains("\"line\r\nbreak\""));
        let mut read = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let got: Vec<Vec<String>> = read
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(got[0], ["plain", "comma, inside", "-5"]);
        assert_eq!(got[1], ["quote \" inside", "line\r\nbreak", "-5"]);
        assert_eq!(got[2], ["'=1+1", "'-5", "-5"], "text escaped, numbers not");
        assert_eq!(got[3], ["'@SUM(A1)", "'+x", "-5"]);
        assert_eq!(got[4], ["''quoted", "", "-5"]);
        assert_eq!(unescape("'=1+1"), "=1+1");
        assert_eq!(unescape("''quoted"), "'quoted");
        assert_eq!(
            unescape("'plain"),
            "'plain",
            "only the writer's escape is removed"
        );
    }
}
