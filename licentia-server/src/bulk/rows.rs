//! The typed rows of each import kind (customers, licenses, members) and
//! the field checks that make them.

use std::collections::HashMap;

use licentia::{Entitlement, LicenseId, Timestamp};

use super::table::{parse_table, Record};
use super::{Kind, RowError, LIST_SEPARATOR};

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
