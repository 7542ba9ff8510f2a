//! [`MemberStore`] on SQL.
//!
//! A member's service is the member row's `license_id`: assigning sets it
//! and takes the node's seat in the same transaction ([`check_allocation`]
//! counts services, see [`super::customers::used_sql`]); unassigning clears it and
//! revokes the license. A service of a subscription also takes one of its
//! licences ([`take_licence`]), and the subscription's history says so.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::customers::{check_allocation, Taken};
use super::history::{append, event};
use super::licenses::{insert_license, write_terms};
use super::revocation::bump_revocation;
use super::subscriptions::SUBSCRIPTIONS;
use super::table::{fetch_optional, from_row, Filter, Table};
use super::{named_conflict, now, SqlStore, Tx};
use crate::store::{
    DefaultPlan, Event, FromSubscription, Idem, LicenseRecord, Member, MemberService, MemberStore,
    NewService, Outcome, Page, Rows, SERVICE_ASSIGNED, SUBSCRIPTION_FULL,
};
use crate::store::{StoreError, StoreResult};

const MEMBER_COLUMNS: &str = "id, customer_id, name, email, external_ref, plan_id, options, \
     license_id, subscription_id, created_at, updated_at";

pub(super) const MEMBERS: Table<Member> =
    Table::new("members", MEMBER_COLUMNS, "member", member_row);

fn member_row(r: &AnyRow) -> StoreResult<Member> {
    let options: String = r.try_get("options")?;
    Ok(from_row!(r => Member {
        id, customer_id, name, email, external_ref, plan_id, license_id, subscription_id,
        created_at, updated_at;
        options: serde_json::from_str(&options).map_err(StoreError::internal)?,
    }))
}

fn options_json(options: &[String]) -> StoreResult<String> {
    serde_json::to_string(options).map_err(StoreError::internal)
}

/// A history entry about a member.
fn member_event(
    actor: &str,
    operation: &'static str,
    member: &Member,
    license_id: Option<String>,
    details: serde_json::Value,
) -> Event {
    let mut ev = event(actor, operation, &member.id, details);
    ev.customer_id = Some(member.customer_id.clone());
    ev.license_id = license_id;
    ev
}

/// The service a member holds: its license, and the subscription it is a
/// licence of.
struct Held {
    license_id: Option<String>,
    subscription_id: Option<String>,
}

/// Takes the member row's lock for the rest of `tx`; the service it holds.
async fn lock_member(tx: &mut Tx, id: &str) -> StoreResult<Held> {
    let row = sqlx::query(
        "UPDATE members SET updated_at = $1 WHERE id = $2 RETURNING license_id, subscription_id",
    )
    .bind(now())
    .bind(id)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or_else(|| StoreError::not_found("member"))?;
    Ok(Held {
        license_id: row.try_get("license_id")?,
        subscription_id: row.try_get("subscription_id")?,
    })
}

/// A history entry about a subscription's licences: the member it serves
/// or served (the subscription's own history shows who took or gave one).
fn subscription_event(
    actor: &str,
    operation: &'static str,
    subscription_id: &str,
    member: &Member,
    license_id: Option<&str>,
) -> Event {
    let details = serde_json::json!({
        "member_id": member.id, "name": member.name, "email": member.email,
        "license_id": license_id,
    });
    let mut ev = event(actor, operation, subscription_id, details);
    ev.customer_id = Some(member.customer_id.clone());
    ev
}

/// Takes one of the licences of the subscription `from` for `member` (whose
/// row already names it) in `tx`: refused when the subscription is not
/// active (409 `subscription_inactive`), when its term is no longer the one
/// the license was signed for (409 `subscription_changed`: sign again), or
/// when every licence serves a member already (409 [`SUBSCRIPTION_FULL`]).
/// Bumps the subscription's version, so a renewal or a change of seats
/// racing this one reads it again and counts this member.
async fn take_licence(
    tx: &mut Tx,
    from: &FromSubscription,
    member: &Member,
    actor: &str,
) -> StoreResult<()> {
    let row = sqlx::query(
        "UPDATE subscriptions SET version = version + 1, updated_at = $1 \
         WHERE id = $2 AND status = 'active' AND term_end = $3 RETURNING seats",
    )
    .bind(now())
    .bind(&from.id)
    .bind(from.term_end.to_string())
    .fetch_optional(&mut *tx.tx)
    .await?;
    let Some(row) = row else {
        let s = SUBSCRIPTIONS.get(&mut *tx.tx, &from.id).await?;
        if s.status != "active" {
            return Err(StoreError::conflict(
                "subscription_inactive",
                format!("the subscription is {}", s.status),
            )
            .with(serde_json::json!({"subscription_status": s.status, "ends_on": s.ends_on})));
        }
        return Err(StoreError::conflict(
            "subscription_changed",
            "the subscription's term changed during the request; try again",
        ));
    };
    let seats: i64 = row.try_get("seats")?;
    let others: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM members \
         WHERE subscription_id = $1 AND license_id IS NOT NULL AND id <> $2",
    )
    .bind(&from.id)
    .bind(&member.id)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get("n")?;
    if others >= seats {
        return Err(StoreError::conflict(
            SUBSCRIPTION_FULL,
            format!("all {seats} licences of the subscription serve members"),
        )
        .with(serde_json::json!({"seats": seats, "assigned": others})));
    }
    let ev = subscription_event(
        actor,
        "subscription.member_assign",
        &from.id,
        member,
        member.license_id.as_deref(),
    );
    append(tx, ev).await
}

/// Ends the member's service in `tx`, if it holds one: the license is
/// revoked (the revocation list grows), its machines deactivated and its
/// leases returned, so none of them holds a seat any more; the member no
/// longer names it. The member after, and the license ended.
async fn end_service(
    tx: &mut Tx,
    member_id: &str,
    actor: &str,
) -> StoreResult<(Member, Option<String>)> {
    let held = lock_member(tx, member_id).await?;
    let license = held.license_id;
    let at = now();
    if let Some(license) = &license {
        let revoked = sqlx::query(
            "UPDATE licenses SET status = 'revoked', updated_at = $1 \
             WHERE id = $2 AND status <> 'revoked' RETURNING product_id, customer_id",
        )
        .bind(at)
        .bind(license)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if let Some(row) = revoked {
            bump_revocation(tx, &row.try_get::<String, _>("product_id")?).await?;
            let mut ev = event(
                actor,
                "license.revoke",
                license,
                serde_json::json!({"reason": "member service unassigned", "member_id": member_id}),
            );
            ev.license_id = Some(license.clone());
            ev.customer_id = row.try_get("customer_id")?;
            append(tx, ev).await?;
        }
        // Its machines and leases end now, at the same instant.
        for ended in [
            "UPDATE activations SET deactivated_at = $1 WHERE license_id = $2 AND deactivated_at IS NULL",
            "UPDATE leases SET returned_at = $1 WHERE license_id = $2 AND returned_at IS NULL",
        ] {
            sqlx::query(ended)
                .bind(at)
                .bind(license)
                .execute(&mut *tx.tx)
                .await?;
        }
        sqlx::query("UPDATE licenses SET seats_used = 0 WHERE id = $1")
            .bind(license)
            .execute(&mut *tx.tx)
            .await?;
    }
    let row = sqlx::query(&format!(
        "UPDATE members SET license_id = NULL, plan_id = NULL, options = '[]', \
         subscription_id = NULL, updated_at = $1 WHERE id = $2 RETURNING {MEMBER_COLUMNS}"
    ))
    .bind(at)
    .bind(member_id)
    .fetch_one(&mut *tx.tx)
    .await?;
    let member = member_row(&row)?;
    if let (Some(subscription), Some(license)) = (&held.subscription_id, &license) {
        let ev = subscription_event(
            actor,
            "subscription.member_unassign",
            subscription,
            &member,
            Some(license),
        );
        append(tx, ev).await?;
    }
    Ok((member, license))
}

#[async_trait::async_trait]
impl MemberStore for SqlStore {
    async fn create_member(
        &self,
        m: Member,
        service: Option<NewService>,
        actor: &str,
        idem: Option<Idem<MemberService>>,
    ) -> StoreResult<Outcome<MemberService>> {
        let mut tx = self.begin().await?;
        let result = insert_member(&mut tx, m, service, actor).await?;
        self.finish(tx, result, idem).await
    }

    async fn list_members(&self, customer_id: &str, page: Page) -> StoreResult<Rows<Member>> {
        let f = Filter::default().text("customer_id", Some(customer_id));
        MEMBERS.list(&self.pool, f, "name, id", page).await
    }

    async fn member(&self, id: &str) -> StoreResult<Member> {
        MEMBERS.get(&self.pool, id).await
    }

    async fn assign_service(
        &self,
        member_id: &str,
        service: NewService,
        actor: &str,
        idem: Option<Idem<MemberService>>,
    ) -> StoreResult<Outcome<MemberService>> {
        let mut tx = self.begin().await?;
        if let Some(held) = lock_member(&mut tx, member_id).await?.license_id {
            return Err(StoreError::conflict(
                SERVICE_ASSIGNED,
                "the member holds a service already: unassign it first",
            )
            .with(serde_json::json!({"license_id": held})));
        }
        let license = insert_license(&mut tx, service.license, actor).await?;
        let license_id = &license.id;
        let row = sqlx::query(&format!(
            "UPDATE members SET license_id = $1, plan_id = $2, options = $3, \
             subscription_id = $4, updated_at = $5 WHERE id = $6 RETURNING {MEMBER_COLUMNS}"
        ))
        .bind(license_id)
        .bind(&service.plan_id)
        .bind(options_json(&service.options)?)
        .bind(service.subscription.as_ref().map(|s| s.id.clone()))
        .bind(now())
        .bind(member_id)
        .fetch_one(&mut *tx.tx)
        .await?;
        let member = member_row(&row)?;
        if let Some(from) = &service.subscription {
            take_licence(&mut tx, from, &member, actor).await?;
        }
        check_allocation(&mut tx, license_id, Taken::Service).await?;
        let ev = member_event(
            actor,
            "member.assign",
            &member,
            Some(license_id.clone()),
            serde_json::json!({
                "plan_id": member.plan_id, "options": member.options,
                "subscription_id": member.subscription_id,
            }),
        );
        append(&mut tx, ev).await?;
        let result = MemberService {
            member,
            license: Some(license),
        };
        self.finish(tx, result, idem).await
    }

    async fn replace_options(
        &self,
        member_id: &str,
        options: Vec<String>,
        license: LicenseRecord,
        ev: Event,
    ) -> StoreResult<MemberService> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE members SET options = $1, updated_at = $2 WHERE id = $3 AND license_id = $4 \
             RETURNING {MEMBER_COLUMNS}"
        ))
        .bind(options_json(&options)?)
        .bind(now())
        .bind(member_id)
        .bind(&license.id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| {
            StoreError::conflict(
                "service_changed",
                "the member's service changed meanwhile: read the member again",
            )
        })?;
        let member = member_row(&row)?;
        let record = write_terms(&mut tx, &license, ev).await?;
        tx.commit().await?;
        Ok(MemberService {
            member,
            license: Some(record),
        })
    }

    async fn unassign_service(&self, member_id: &str, actor: &str) -> StoreResult<Member> {
        let mut tx = self.begin().await?;
        let (member, license) = end_service(&mut tx, member_id, actor).await?;
        let Some(license) = license else {
            return Err(StoreError::conflict(
                "no_service",
                "the member holds no service",
            ));
        };
        let ev = member_event(
            actor,
            "member.unassign",
            &member,
            Some(license),
            serde_json::json!({}),
        );
        tx.commit_with(ev).await?;
        Ok(member)
    }

    async fn delete_member(&self, member_id: &str, actor: &str) -> StoreResult<Member> {
        let mut tx = self.begin().await?;
        let (member, license) = end_service(&mut tx, member_id, actor).await?;
        sqlx::query("DELETE FROM members WHERE id = $1")
            .bind(member_id)
            .execute(&mut *tx.tx)
            .await?;
        let ev = member_event(
            actor,
            "member.delete",
            &member,
            license,
            serde_json::json!({"email": member.email}),
        );
        tx.commit_with(ev).await?;
        Ok(member)
    }

    async fn set_default_plan(
        &self,
        customer_id: &str,
        plan_id: &str,
        subscription_id: Option<&str>,
        actor: &str,
    ) -> StoreResult<DefaultPlan> {
        let mut tx = self.begin().await?;
        let at = now();
        sqlx::query(
            "INSERT INTO default_plans (customer_id, plan_id, subscription_id, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id) DO UPDATE SET \
             plan_id = excluded.plan_id, subscription_id = excluded.subscription_id, \
             updated_at = excluded.updated_at",
        )
        .bind(customer_id)
        .bind(plan_id)
        .bind(subscription_id)
        .bind(at)
        .execute(&mut *tx.tx)
        .await?;
        let mut ev = event(
            actor,
            "customer.default_plan",
            customer_id,
            serde_json::json!({"plan_id": plan_id, "subscription_id": subscription_id}),
        );
        ev.customer_id = Some(customer_id.to_owned());
        if let Some(subscription) = subscription_id {
            // The star moved to it: its own history says so too.
            let mut starred = event(
                actor,
                "subscription.default",
                subscription,
                serde_json::json!({"customer_id": customer_id}),
            );
            starred.customer_id = Some(customer_id.to_owned());
            append(&mut tx, starred).await?;
        }
        tx.commit_with(ev).await?;
        Ok(DefaultPlan {
            customer_id: customer_id.to_owned(),
            plan_id: plan_id.to_owned(),
            subscription_id: subscription_id.map(str::to_owned),
            updated_at: at,
        })
    }

    async fn default_plan(&self, customer_id: &str) -> StoreResult<Option<DefaultPlan>> {
        fetch_optional(
            &self.pool,
            "SELECT customer_id, plan_id, subscription_id, updated_at FROM default_plans \
             WHERE customer_id = $1",
            [customer_id.into()],
            |r| {
                Ok(from_row!(r => DefaultPlan {
                    customer_id, plan_id, subscription_id, updated_at
                }))
            },
        )
        .await
    }

    async fn subscription_members(
        &self,
        subscription_id: &str,
        page: Page,
    ) -> StoreResult<Rows<Member>> {
        let f = Filter::default().text("subscription_id", Some(subscription_id));
        MEMBERS.list(&self.pool, f, "name, id", page).await
    }
}

/// Inserts a member (and its service's license, taking a seat of the
/// node's allocation) and records it, inside `tx`.
pub(super) async fn insert_member(
    tx: &mut Tx,
    m: Member,
    service: Option<NewService>,
    actor: &str,
) -> StoreResult<MemberService> {
    let (plan_id, options, license, from) = match service {
        Some(svc) => (
            Some(svc.plan_id),
            svc.options,
            Some(insert_license(tx, svc.license, actor).await?),
            svc.subscription,
        ),
        None => (None, Vec::new(), None, None),
    };
    let row = sqlx::query(&format!(
        "INSERT INTO members ({MEMBER_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING {MEMBER_COLUMNS}"
    ))
    .bind(&m.id)
    .bind(&m.customer_id)
    .bind(&m.name)
    .bind(&m.email)
    .bind(&m.external_ref)
    .bind(&plan_id)
    .bind(options_json(&options)?)
    .bind(license.as_ref().map(|l| l.id.clone()))
    .bind(from.as_ref().map(|s| s.id.clone()))
    .bind(m.created_at)
    .fetch_one(&mut *tx.tx)
    .await
    .map_err(|e| named_conflict(e, "this customer already has a member with this e-mail"))?;
    let member = member_row(&row)?;
    if let Some(from) = &from {
        take_licence(tx, from, &member, actor).await?;
    }
    if let Some(license) = &member.license_id {
        check_allocation(tx, license, Taken::Service).await?;
    }
    let ev = member_event(
        actor,
        "member.create",
        &member,
        member.license_id.clone(),
        serde_json::json!({
            "email": member.email, "plan_id": member.plan_id, "options": member.options,
            "subscription_id": member.subscription_id,
        }),
    );
    append(tx, ev).await?;
    Ok(MemberService { member, license })
}
