//! [`BulkStore`] on SQL: each import is one transaction; a dry run makes
//! the same inserts (so later rows see earlier ones) and rolls back.

use sqlx::Row;

use super::customers::{insert_customer, CUSTOMERS};
use super::licenses::{insert_license, LICENSES};
use super::members::{insert_member, MEMBERS};
use super::table::{count, fetch_rows, scope_clause};
use super::SqlStore;
use crate::bulk::{fits, RowError, TREE};
use crate::store::{
    invalid_rows, BulkStore, Customer, Idem, ImportCustomer, LicenseRecord, Member, MemberService,
    NewLicense, NewService, Outcome,
};
use crate::store::{Scope, StoreResult};

#[async_trait::async_trait]
impl BulkStore for SqlStore {
    async fn import_customers(
        &self,
        scope: &Scope,
        rows: Vec<ImportCustomer>,
        dry_run: bool,
        actor: &str,
        idem: Option<Idem<Vec<Customer>>>,
    ) -> StoreResult<Outcome<Vec<Customer>>> {
        let mut tx = self.begin().await?;
        let mut errors = Vec::new();
        let mut created: Vec<Option<Customer>> = Vec::with_capacity(rows.len());
        for row in rows {
            // This row's errors: (column, message).
            let mut bad: Vec<(&str, String)> = Vec::new();
            let mut c = row.customer;
            // A row under a bad row is not created either (the bad row's
            // error says why); its own checks still run.
            let orphan = row.parent_row.is_some_and(|i| created[i].is_none());
            if row.parent_ref.is_none() && row.parent_row.is_none() && *scope != Scope::All {
                bad.push((
                    "parent",
                    "a node without a parent is made at the vendor root only: name its parent"
                        .into(),
                ));
            }
            if let Some(reference) = &row.parent_ref {
                let (within, nodes) = scope_clause("id", scope, 2);
                let parents = fetch_rows(
                    &mut *tx.tx,
                    &format!(
                        "SELECT id, kind FROM customers WHERE (id = $1 OR external_ref = $1) {within} LIMIT 2"
                    ),
                    std::iter::once(reference.as_str().into()).chain(nodes),
                )
                .await?;
                match parents.as_slice() {
                    [] => bad.push((
                        "parent",
                        format!("no customer has the id or external_ref '{reference}'"),
                    )),
                    [p] => {
                        let kind: String = p.try_get("kind")?;
                        if !fits(&c.kind, Some(&kind)) {
                            bad.push(("parent", TREE.into()));
                        }
                        c.parent_id = Some(p.try_get("id")?);
                    }
                    _ => bad.push((
                        "parent",
                        format!("several customers have the external_ref '{reference}': name the parent by id"),
                    )),
                }
            }
            let taken = count(
                &mut *tx.tx,
                "SELECT COUNT(*) AS n FROM customers WHERE id = $1",
                [c.id.as_str().into()],
            )
            .await?;
            if taken > 0 {
                bad.push(("id", format!("a customer with the id {} exists", c.id)));
            }
            if let Some(r) = &c.external_ref {
                let holder =
                    sqlx::query("SELECT id FROM customers WHERE external_ref = $1 LIMIT 1")
                        .bind(r)
                        .fetch_optional(&mut *tx.tx)
                        .await?;
                if let Some(holder) = holder {
                    let id: String = holder.try_get("id")?;
                    bad.push((
                        "external_ref",
                        format!("customer {id} has this external_ref"),
                    ));
                }
            }
            if bad.is_empty() && !orphan {
                insert_customer(&mut tx, &c, actor).await?;
                created.push(Some(c));
            } else {
                errors.extend(
                    bad.into_iter()
                        .map(|(column, message)| RowError::new(row.line, Some(column), message)),
                );
                created.push(None);
            }
        }
        if !errors.is_empty() {
            tx.rollback().await?;
            return Err(invalid_rows(errors, dry_run));
        }
        let created = created.into_iter().flatten().collect();
        if dry_run {
            tx.rollback().await?;
            return Ok(Outcome::Fresh(created));
        }
        self.finish(tx, created, idem).await
    }

    async fn import_licenses(
        &self,
        licenses: Vec<NewLicense>,
        actor: &str,
        idem: Option<Idem<Vec<LicenseRecord>>>,
    ) -> StoreResult<Outcome<Vec<LicenseRecord>>> {
        let mut tx = self.begin().await?;
        let mut records = Vec::with_capacity(licenses.len());
        for new in licenses {
            records.push(insert_license(&mut tx, new, actor).await?);
        }
        self.finish(tx, records, idem).await
    }

    async fn import_members(
        &self,
        rows: Vec<(u64, Member, Option<NewService>)>,
        mut errors: Vec<RowError>,
        dry_run: bool,
        actor: &str,
        idem: Option<Idem<Vec<MemberService>>>,
    ) -> StoreResult<Outcome<Vec<MemberService>>> {
        let mut tx = self.begin().await?;
        let mut created = Vec::with_capacity(rows.len());
        for (line, m, service) in rows {
            // Checked before the insert: a failed statement would end the
            // transaction on PostgreSQL, and with it the other rows' checks.
            let taken = count(
                &mut *tx.tx,
                "SELECT COUNT(*) AS n FROM members WHERE customer_id = $1 AND email = $2",
                [m.customer_id.as_str().into(), m.email.as_str().into()],
            )
            .await?;
            if taken > 0 {
                errors.push(RowError::new(
                    line,
                    Some("email"),
                    "this customer already has a member with this e-mail",
                ));
                continue;
            }
            match insert_member(&mut tx, m, service, actor).await {
                Ok(done) => created.push(done),
                // A seat beyond the allocation: checked after the insert,
                // by reads only, so the transaction goes on.
                Err(e) if e.is_refusal() => {
                    errors.push(RowError::new(line, Some("plan_id"), e.to_string()));
                }
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            tx.rollback().await?;
            return Err(invalid_rows(errors, dry_run));
        }
        if dry_run {
            tx.rollback().await?;
            return Ok(Outcome::Fresh(created));
        }
        self.finish(tx, created, idem).await
    }

    async fn members_after(
        &self,
        scope: &Scope,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<Member>> {
        let (within, nodes) = scope_clause("customer_id", scope, 3);
        let page = [after.into(), limit.into()].into_iter().chain(nodes);
        let rest = format!("WHERE id > $1 {within} ORDER BY id LIMIT $2");
        MEMBERS.all(&self.pool, &rest, page).await
    }

    async fn customers_named(&self, scope: &Scope, reference: &str) -> StoreResult<Vec<Customer>> {
        let (within, nodes) = scope_clause("id", scope, 2);
        let named = format!("WHERE (id = $1 OR external_ref = $1) {within} LIMIT 2");
        let args = std::iter::once(reference.into()).chain(nodes);
        CUSTOMERS.all(&self.pool, &named, args).await
    }

    async fn customers_after(
        &self,
        scope: &Scope,
        kind: &str,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<Customer>> {
        let (within, nodes) = scope_clause("id", scope, 4);
        let page = [kind.into(), after.into(), limit.into()]
            .into_iter()
            .chain(nodes);
        let rest = format!("WHERE kind = $1 AND id > $2 {within} ORDER BY id LIMIT $3");
        CUSTOMERS.all(&self.pool, &rest, page).await
    }

    async fn licenses_after(
        &self,
        scope: &Scope,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<LicenseRecord>> {
        let (within, nodes) = scope_clause("customer_id", scope, 3);
        let page = [after.into(), limit.into()].into_iter().chain(nodes);
        let rest = format!("WHERE id > $1 {within} ORDER BY id LIMIT $2");
        LICENSES.all(&self.pool, &rest, page).await
    }
}
