//! Bulk imports: the rows of a CSV file (read and checked by
//! [`crate::bulk`]) made into records, checked against what the database
//! knows, and written in one transaction, all or nothing. The API's
//! `POST /v1/import/{kind}` and the console's import page both go through
//! here; the idempotency of a write and the shape of the answer are theirs.
//!
//! Each kind is imported in two steps: a `prepare` that makes the records
//! and collects the rows it already knows are bad (an unknown customer, a
//! plan that does not exist), then either a check that keeps nothing (the
//! dry run) or a write. Both refuse with one 422 `invalid_rows` listing
//! every bad row (line, column, message); [`row_errors`] reads the rows
//! back out of it.
//!
//! Every row's node must lie within the caller's `scope`: one outside it is
//! reported as one that does not exist, in the same words.

use std::collections::HashSet;

use crate::bulk::{
    Cell, CsvWriter, CustomerRow, LicenseRow, MemberRow, Parent, RowError, LIST_SEPARATOR,
};
use crate::error::{ApiError, ApiResult};
use crate::secret::{self, LicenseKey};
use crate::service::licenses::{prepare_license, IssueOverrides};
use crate::service::members::{new_service, Source};
use crate::service::now;
use crate::service::seat_rules::check_new_license;
use crate::staff::Staff;
use crate::store::{
    invalid_rows, Customer, Idem, ImportCustomer, LicenseRecord, Member, MemberService, NewLicense,
    NewService, Outcome, Scope, StoreResult,
};
use crate::AppState;

/// The rows of a refused import (the 422 `invalid_rows` the checks and
/// writes here answer), in line order; `None` for any other error.
pub(crate) fn row_errors(e: &ApiError) -> Option<Vec<RowError>> {
    if e.kind != "invalid_rows" {
        return None;
    }
    let errors = e.extra.as_ref()?.get("errors")?.clone();
    serde_json::from_value(errors).ok()
}

/// Where a row's `customer` leads: the one node with that id or external
/// reference within `scope` (one outside it is as one that does not
/// exist); the row's error otherwise.
pub(crate) async fn customer_id(
    s: &AppState,
    scope: &Scope,
    reference: &str,
) -> Result<String, String> {
    let found = s
        .store
        .customers_named(scope, reference)
        .await
        .map_err(|e| e.to_string())?;
    match found.as_slice() {
        [c] => Ok(c.id.clone()),
        [] => Err(format!(
            "no customer has the id or external_ref '{reference}'"
        )),
        _ => Err(format!(
            "several customers have the external_ref '{reference}': name the customer by id"
        )),
    }
}

// ------------------------------------------------------------ customers

/// Customer nodes ready to check or create, in the file's order.
pub(crate) struct CustomerImport {
    rows: Vec<ImportCustomer>,
}

/// The nodes `rows` ask for, each with its id (given or new) and its parent
/// (an earlier row, or a stored node the store looks up).
pub(crate) fn prepare_customers(rows: Vec<CustomerRow>) -> CustomerImport {
    let at = now().0;
    let mut import: Vec<ImportCustomer> = Vec::with_capacity(rows.len());
    for row in rows {
        let (parent_id, parent_ref, parent_row) = match row.parent {
            Some(Parent::Row(i)) => (Some(import[i].customer.id.clone()), None, Some(i)),
            Some(Parent::Stored(r)) => (None, Some(r), None),
            None => (None, None, None),
        };
        import.push(ImportCustomer {
            line: row.line,
            customer: Customer {
                id: row.id.unwrap_or_else(|| secret::new_id("cus")),
                parent_id,
                kind: row.kind,
                name: row.name,
                email: row.email,
                external_ref: row.external_ref,
                created_at: at,
                retired_at: None,
                billing_interval: None,
                billing_next: None,
                billing_next_on: None,
            },
            parent_ref,
            parent_row,
        });
    }
    CustomerImport { rows: import }
}

impl CustomerImport {
    /// Each row's line, in order.
    pub fn lines(&self) -> Vec<u64> {
        self.rows.iter().map(|r| r.line).collect()
    }

    /// Checks every row as a write would (parents, ids, references in use),
    /// keeping nothing: the number of rows, or the 422 listing the bad ones.
    pub async fn check(self, s: &AppState, scope: &Scope, actor: &str) -> ApiResult<usize> {
        let n = self.rows.len();
        s.store
            .import_customers(scope, self.rows, true, actor, None)
            .await?;
        Ok(n)
    }

    /// Creates the nodes, all or none.
    pub async fn write(
        self,
        s: &AppState,
        scope: &Scope,
        actor: &str,
        idem: Option<Idem<Vec<Customer>>>,
    ) -> StoreResult<Outcome<Vec<Customer>>> {
        s.store
            .import_customers(scope, self.rows, false, actor, idem)
            .await
    }
}

// ------------------------------------------------------------ licenses

/// Licenses ready to store, each with its key; and the rows refused.
pub(crate) struct LicenseImport {
    prepared: Vec<(u64, (NewLicense, LicenseKey))>,
    errors: Vec<RowError>,
}

/// The licenses `rows` ask for, issued as `POST /v1/licenses` issues them
/// (the same checks, the same files), for `staff` within `scope`.
pub(crate) async fn prepare_licenses(
    s: &AppState,
    staff: &Staff,
    scope: &Scope,
    rows: Vec<LicenseRow>,
) -> ApiResult<LicenseImport> {
    let mut errors = Vec::new();
    let mut prepared = Vec::with_capacity(rows.len());
    let mut ids = HashSet::new();
    for row in rows {
        let line = row.line;
        if let Some(id) = &row.id {
            if !ids.insert(id.clone()) {
                errors.push(RowError::new(
                    line,
                    Some("id"),
                    "this id names an earlier row too",
                ));
                continue;
            }
            if s.store.license(id).await.is_ok() {
                errors.push(RowError::new(
                    line,
                    Some("id"),
                    "a license with this id exists",
                ));
                continue;
            }
        }
        let customer = match &row.customer {
            Some(r) => match customer_id(s, scope, r).await {
                Ok(id) => Some(id),
                Err(e) => {
                    errors.push(RowError::new(line, Some("customer"), e));
                    continue;
                }
            },
            None => None,
        };
        let req = IssueOverrides {
            policy_id: row.policy_id,
            licensee: row.licensee,
            email: row.email,
            customer_id: customer,
            seats: row.seats,
            machines: row.machines,
            user: row.user,
            metadata: None,
            expires: row.expires,
            features: row.features,
        };
        let made = match prepare_license(s, &req, row.id.as_deref()).await {
            Ok((new, key, policy)) => check_new_license(s, staff, &new.record, &policy)
                .await
                .map(|()| (new, key)),
            Err(e) => Err(e),
        };
        match made {
            Ok(p) => prepared.push((line, p)),
            Err(e) if e.status.is_client_error() => {
                let column = (e.detail == "no such policy").then_some("policy_id");
                errors.push(RowError::new(line, column, e.detail));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(LicenseImport { prepared, errors })
}

impl LicenseImport {
    /// Every row good: their number; else the 422 listing the bad ones
    /// (`dry_run` says whether the request was only a check).
    pub fn check(&self, dry_run: bool) -> ApiResult<usize> {
        if self.errors.is_empty() {
            Ok(self.prepared.len())
        } else {
            Err(invalid_rows(self.errors.clone(), dry_run).into())
        }
    }

    /// Each row's line and license key, in order: the keys are shown once,
    /// in the answer to the write.
    pub fn keys(&self) -> Vec<(u64, String)> {
        self.prepared
            .iter()
            .map(|(line, (_, key))| (*line, key.reveal().to_owned()))
            .collect()
    }

    /// Stores the licenses, all or none (after [`LicenseImport::check`]).
    pub async fn write(
        self,
        s: &AppState,
        actor: &str,
        idem: Option<Idem<Vec<LicenseRecord>>>,
    ) -> StoreResult<Outcome<Vec<LicenseRecord>>> {
        let licenses = self.prepared.into_iter().map(|(_, (new, _))| new).collect();
        s.store.import_licenses(licenses, actor, idem).await
    }
}

// ------------------------------------------------------------ members

/// Members ready to store (each with its service when the row names a
/// plan, and that service's key); and the rows refused.
pub(crate) struct MemberImport {
    members: Vec<(u64, Member, Option<NewService>)>,
    keys: Vec<(u64, Option<String>)>,
    errors: Vec<RowError>,
}

/// The members `rows` ask for, in nodes within `scope`; a row naming a
/// `plan_id` gets a service as `POST /v1/customers/{id}/members` makes it
/// (no default plan: a row without `plan_id` gets no service).
pub(crate) async fn prepare_members(
    s: &AppState,
    scope: &Scope,
    rows: Vec<MemberRow>,
) -> ApiResult<MemberImport> {
    let at = now().0;
    let mut import = MemberImport {
        members: Vec::with_capacity(rows.len()),
        keys: Vec::with_capacity(rows.len()),
        errors: Vec::new(),
    };
    for row in rows {
        let customer = match customer_id(s, scope, &row.customer).await {
            Ok(id) => id,
            Err(e) => {
                import
                    .errors
                    .push(RowError::new(row.line, Some("customer"), e));
                continue;
            }
        };
        let member = Member {
            id: secret::new_id("mem"),
            customer_id: customer,
            name: row.name,
            email: row.email,
            external_ref: row.external_ref,
            plan_id: None,
            options: Vec::new(),
            license_id: None,
            subscription_id: None,
            created_at: at,
            updated_at: at,
        };
        let (service, key) = match row.plan_id {
            None => (None, None),
            Some(plan) => match new_service(s, &member, Source::Plan(plan), row.options).await {
                Ok((service, key)) => (Some(service), Some(key.reveal().to_owned())),
                Err(e) if e.status.is_client_error() => {
                    import
                        .errors
                        .push(RowError::new(row.line, Some("plan_id"), e.detail));
                    continue;
                }
                Err(e) => return Err(e),
            },
        };
        import.keys.push((row.line, key));
        import.members.push((row.line, member, service));
    }
    Ok(import)
}

impl MemberImport {
    /// No row refused so far (the database may still refuse some).
    pub fn ready(&self) -> bool {
        self.errors.is_empty()
    }

    /// Each row's line and its service's key (none without a service), in
    /// order: the keys are shown once, in the answer to the write.
    pub fn keys(&self) -> &[(u64, Option<String>)] {
        &self.keys
    }

    /// Checks every row as a write would (e-mails taken, free seats), with
    /// the rows already refused, keeping nothing: the number of members, or
    /// the 422 listing every bad row.
    pub async fn check(self, s: &AppState, actor: &str) -> ApiResult<usize> {
        let n = self.members.len();
        s.store
            .import_members(self.members, self.errors, true, actor, None)
            .await?;
        Ok(n)
    }

    /// Creates the members and their services, all or none (after
    /// [`MemberImport::ready`]: rows refused before are not written).
    pub async fn write(
        self,
        s: &AppState,
        actor: &str,
        idem: Option<Idem<Vec<MemberService>>>,
    ) -> StoreResult<Outcome<Vec<MemberService>>> {
        s.store
            .import_members(self.members, self.errors, false, actor, idem)
            .await
    }
}

/// The row an export writes for `m`: the columns a members import reads,
/// so export -> import gives the same members.
pub(crate) fn member_line(w: &mut CsvWriter, m: &Member) {
    w.row(&[
        Cell::Text(&m.customer_id),
        Cell::Text(&m.name),
        Cell::Text(&m.email),
        Cell::Opt(m.external_ref.as_deref()),
        Cell::Opt(m.plan_id.as_deref()),
        Cell::Text(&m.options.join(&LIST_SEPARATOR.to_string())),
    ]);
}
