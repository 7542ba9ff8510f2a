//! Bulk: CSV import (with a dry run) and export of customers and licenses.
//! The file's own checks are [`crate::bulk`]'s; these are the ones only the
//! database can make, and the one transaction each import runs in.

use serde_json::json;

use super::{
    Customer, Idem, LicenseRecord, Member, MemberService, NewLicense, NewService, Outcome,
};
use crate::bulk::RowError;
use crate::store::{Scope, StoreError, StoreResult};

/// A customer node to import: the node (its id made, its parent set when
/// the parent is a row of the same file) and what is left to look up.
#[derive(Debug, Clone)]
pub struct ImportCustomer {
    /// Line of the file.
    pub line: u64,
    /// The node to create.
    pub customer: Customer,
    /// The parent as the file names a stored node: an id or an external reference.
    pub parent_ref: Option<String>,
    /// The parent as an earlier row of the file (its index).
    pub parent_row: Option<usize>,
}

/// The 422 of an import with bad rows: every one of them, and that nothing
/// was changed.
pub fn invalid_rows(mut errors: Vec<RowError>, dry_run: bool) -> StoreError {
    errors.sort_by_key(|e| e.line);
    StoreError::invalid_as(
        "invalid_rows",
        format!(
            "{} bad row{} (line, column, message in errors); nothing was changed",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        ),
    )
    .with(json!({ "dry_run": dry_run, "errors": errors }))
}

/// Storage for bulk; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait BulkStore: Send + Sync {
    /// Creates customer nodes in one transaction, in order, checking what
    /// the database knows: a parent named by id or external reference
    /// exists (once) and fits the tree, ids and external references are not
    /// in use. Any bad row: nothing is created, and the 422 lists every one
    /// ([`invalid_rows`]). `dry_run`: the same checks, then nothing is kept.
    /// A parent must be within `scope` (one outside is as one that does not
    /// exist), and a node without a parent is made at the vendor root only.
    async fn import_customers(
        &self,
        scope: &Scope,
        rows: Vec<ImportCustomer>,
        dry_run: bool,
        actor: &str,
        idem: Option<Idem<Vec<Customer>>>,
    ) -> StoreResult<Outcome<Vec<Customer>>>;
    /// Stores issued licenses in one transaction (all or none).
    async fn import_licenses(
        &self,
        licenses: Vec<NewLicense>,
        actor: &str,
        idem: Option<Idem<Vec<LicenseRecord>>>,
    ) -> StoreResult<Outcome<Vec<LicenseRecord>>>;
    /// Creates members (and their services, each taking a seat of its
    /// node's allocation) in one transaction; an e-mail already a member of
    /// the node, or a seat beyond the allocation, is a bad row: nothing is
    /// created and the 422 lists every bad row ([`invalid_rows`]), with
    /// `errors`, those the caller found before.
    async fn import_members(
        &self,
        rows: Vec<(u64, Member, Option<NewService>)>,
        errors: Vec<RowError>,
        dry_run: bool,
        actor: &str,
        idem: Option<Idem<Vec<MemberService>>>,
    ) -> StoreResult<Outcome<Vec<MemberService>>>;
    /// Up to `limit` members with ids after `after`, by id.
    async fn members_after(
        &self,
        scope: &Scope,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<Member>>;
    /// The customer nodes with this id or external reference.
    async fn customers_named(&self, scope: &Scope, reference: &str) -> StoreResult<Vec<Customer>>;
    /// Up to `limit` customer nodes of `kind` with ids after `after`, by id.
    async fn customers_after(
        &self,
        scope: &Scope,
        kind: &str,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<Customer>>;
    /// Up to `limit` licenses with ids after `after`, by id.
    async fn licenses_after(
        &self,
        scope: &Scope,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<LicenseRecord>>;
}
