//! [`NoticeStore`] on SQL.
//!
//! The outbox's unique key (subject, kind, lead days, due date) makes a
//! second job run, on this instance or another, write nothing; deliveries are
//! claimed with a conditional update, so two instances never attempt the
//! same one at once.

use sqlx::any::AnyRow;
use sqlx::Row;

/// The customer node a notification is about: its license's, its
/// subscription's or its contract's.
pub(super) const NOTIFICATION_NODE: &str = "COALESCE(\
     (SELECT customer_id FROM licenses WHERE licenses.id = notifications.subject), \
     (SELECT customer_id FROM subscriptions WHERE subscriptions.id = notifications.subject), \
     (SELECT customer_id FROM contracts WHERE contracts.id = notifications.subject))";

use super::history::event;
use super::licenses::LICENSES;
use super::table::{fetch_all, from_row, Filter, Table};
use super::{now, Scope, SqlStore};
use crate::secret;
use crate::store::*;
use crate::store::{StoreError, StoreResult};

const SUBSCRIPTION_COLUMNS: &str = "id, kinds, webhook_url, email, role, customer_id, \
     account_id, lead_months, created_at, created_by";
const NOTIFICATION_COLUMNS: &str =
    "id, kind, subject, lead_days, due_on, run_date, data, created_at";
const DELIVERY_COLUMNS: &str = "id, notification_id, subscription_id, status, attempts, \
     next_attempt_at, last_status, last_error, delivered_at, created_at";

const SUBSCRIPTIONS: Table<NoticeSubscription> = Table::new(
    "notice_subscriptions",
    SUBSCRIPTION_COLUMNS,
    "notice subscription",
    subscription_row,
);
const NOTIFICATIONS: Table<Notification> = Table::new(
    "notifications",
    NOTIFICATION_COLUMNS,
    "notification",
    notification_row,
);
const DELIVERIES: Table<Delivery> = Table::new(
    "notice_deliveries",
    DELIVERY_COLUMNS,
    "delivery",
    delivery_row,
);

fn subscription_row(r: &AnyRow) -> StoreResult<NoticeSubscription> {
    let kinds: String = r.try_get("kinds")?;
    let role: Option<String> = r.try_get("role")?;
    Ok(from_row!(r => NoticeSubscription {
        id, webhook_url, email, customer_id, account_id, lead_months, created_at, created_by;
        kinds: serde_json::from_str(&kinds).map_err(StoreError::internal)?,
        role: role
            .map(|r| Role::parse(&r).ok_or_else(|| StoreError::internal("unknown role stored")))
            .transpose()?,
    }))
}

fn notification_row(r: &AnyRow) -> StoreResult<Notification> {
    let data: String = r.try_get("data")?;
    Ok(from_row!(r => Notification {
        id, kind, subject, lead_days, due_on, run_date, created_at;
        data: serde_json::from_str(&data).map_err(StoreError::internal)?,
    }))
}

fn delivery_row(r: &AnyRow) -> StoreResult<Delivery> {
    Ok(from_row!(r => Delivery {
        id, notification_id, subscription_id, status, attempts, next_attempt_at, last_status,
        last_error, delivered_at, created_at;
        log: Vec::new(),
    }))
}

fn attempt_row(r: &AnyRow) -> StoreResult<DeliveryAttempt> {
    Ok(from_row!(r => DeliveryAttempt {
        attempt, at, status_code, error, next_attempt_at
    }))
}

#[async_trait::async_trait]
impl NoticeStore for SqlStore {
    async fn create_notice_subscription(
        &self,
        s: NoticeSubscription,
        secret: Option<String>,
        idem: Option<Idem<NoticeSubscription>>,
    ) -> StoreResult<Outcome<NoticeSubscription>> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO notice_subscriptions \
             (id, kinds, webhook_url, secret, email, role, created_at, created_by, customer_id, \
             account_id, lead_months) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&s.id)
        .bind(serde_json::to_string(&s.kinds).map_err(StoreError::internal)?)
        .bind(&s.webhook_url)
        .bind(secret)
        .bind(&s.email)
        .bind(s.role.map(Role::as_str))
        .bind(s.created_at)
        .bind(&s.created_by)
        .bind(&s.customer_id)
        .bind(&s.account_id)
        .bind(s.lead_months)
        .execute(&mut *tx.tx)
        .await?;
        super::history::append(
            &mut tx,
            event(
                &s.created_by,
                "notice_subscription.create",
                &s.id,
                // The target is named by its kind only: a URL may carry a
                // credential in its query.
                serde_json::json!({
                    "kinds": s.kinds,
                    "channel": if s.webhook_url.is_some() { "webhook" } else { "email" },
                    "role": s.role,
                }),
            ),
        )
        .await?;
        self.finish(tx, s, idem).await
    }

    async fn list_notice_subscriptions(
        &self,
        scope: &Scope,
        role: Option<Role>,
        page: Page,
    ) -> StoreResult<Rows<NoticeSubscription>> {
        let f = Filter::default()
            .scope("customer_id", scope)
            .always("deleted_at IS NULL")
            .text("role", role.map(Role::as_str));
        SUBSCRIPTIONS
            .list(&self.pool, f, "created_at, id", page)
            .await
    }

    async fn notice_subscription(&self, id: &str) -> StoreResult<NoticeSubscription> {
        SUBSCRIPTIONS
            .find(&self.pool, "id = $1 AND deleted_at IS NULL", id)
            .await
    }

    async fn set_notice_preferences(
        &self,
        account: &Account,
        node: Option<String>,
        preferences: Vec<(String, i64)>,
    ) -> StoreResult<Vec<NoticeSubscription>> {
        let mut tx = self.begin().await?;
        let at = now();
        sqlx::query(
            "UPDATE notice_deliveries SET status = 'cancelled' WHERE status = 'pending' \
             AND subscription_id IN (SELECT id FROM notice_subscriptions \
             WHERE account_id = $1 AND deleted_at IS NULL)",
        )
        .bind(&account.id)
        .execute(&mut *tx.tx)
        .await?;
        sqlx::query(
            "UPDATE notice_subscriptions SET deleted_at = $2 WHERE account_id = $1 AND deleted_at IS NULL",
        )
        .bind(&account.id)
        .bind(at)
        .execute(&mut *tx.tx)
        .await?;
        let actor = format!("account:{}", account.id);
        let mut made = Vec::new();
        for (kind, months) in preferences {
            let s = NoticeSubscription {
                id: secret::new_id("nsb"),
                kinds: vec![kind],
                webhook_url: None,
                email: Some(account.email.clone()),
                role: None,
                customer_id: node.clone(),
                account_id: Some(account.id.clone()),
                lead_months: Some(months),
                created_at: at,
                created_by: actor.clone(),
            };
            sqlx::query(
                "INSERT INTO notice_subscriptions (id, kinds, email, created_at, created_by, \
                 customer_id, account_id, lead_months) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&s.id)
            .bind(serde_json::to_string(&s.kinds).map_err(StoreError::internal)?)
            .bind(&s.email)
            .bind(at)
            .bind(&actor)
            .bind(&s.customer_id)
            .bind(&s.account_id)
            .bind(s.lead_months)
            .execute(&mut *tx.tx)
            .await?;
            made.push(s);
        }
        let details = serde_json::json!({ "preferences": made.iter().map(|s| (&s.kinds[0], s.lead_months)).collect::<Vec<_>>() });
        tx.commit_with(event(
            &actor,
            "account.notice_preferences",
            &account.id,
            details,
        ))
        .await?;
        Ok(made)
    }

    async fn notice_preferences(&self, account_id: &str) -> StoreResult<Vec<NoticeSubscription>> {
        SUBSCRIPTIONS
            .all(
                &self.pool,
                "WHERE account_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
                [account_id.into()],
            )
            .await
    }

    async fn preference_months(&self) -> StoreResult<Vec<u32>> {
        fetch_all(
            &self.pool,
            "SELECT DISTINCT lead_months FROM notice_subscriptions \
             WHERE lead_months IS NOT NULL AND deleted_at IS NULL",
            [],
            |r| {
                let m: i64 = r.try_get("lead_months")?;
                u32::try_from(m).map_err(StoreError::internal)
            },
        )
        .await
    }

    async fn delete_notice_subscription(&self, id: &str, actor: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE notice_subscriptions SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::not_found("notice subscription"));
        }
        sqlx::query(
            "UPDATE notice_deliveries SET status = 'cancelled' \
             WHERE subscription_id = $1 AND status = 'pending'",
        )
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit_with(event(
            actor,
            "notice_subscription.delete",
            id,
            serde_json::json!({}),
        ))
        .await
    }

    async fn expiring_licenses(&self, after: i64, before: i64) -> StoreResult<Vec<LicenseRecord>> {
        LICENSES
            .all(
                &self.pool,
                "WHERE status = 'active' AND expires_at >= $1 AND expires_at < $2 \
                 ORDER BY expires_at, id",
                [after.into(), before.into()],
            )
            .await
    }

    async fn record_notification(
        &self,
        n: Notification,
        standard: bool,
        actor: &str,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        // On PostgreSQL a concurrent writer of the same key is waited for,
        // then this insert does nothing.
        let written = sqlx::query(&format!(
            "INSERT INTO notifications ({NOTIFICATION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (subject, kind, lead_days, due_on) DO NOTHING"
        ))
        .bind(&n.id)
        .bind(&n.kind)
        .bind(&n.subject)
        .bind(n.lead_days)
        .bind(&n.due_on)
        .bind(&n.run_date)
        .bind(n.data.to_string())
        .bind(n.created_at)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if written == 0 {
            return Ok(false);
        }
        // Only the subscriptions at the vendor root or at the node of the
        // notice's license or subscription, or above it.
        let subscribers = sqlx::query(
            "SELECT id, kinds, lead_months FROM notice_subscriptions WHERE deleted_at IS NULL \
             AND (customer_id IS NULL OR customer_id IN (\
             WITH RECURSIVE up (id, parent_id) AS (\
             SELECT id, parent_id FROM customers WHERE id = COALESCE(\
             (SELECT customer_id FROM licenses WHERE id = $1), \
             (SELECT customer_id FROM subscriptions WHERE id = $1), \
             (SELECT customer_id FROM contracts WHERE id = $1)) \
             UNION ALL SELECT c.id, c.parent_id FROM customers c JOIN up ON c.id = up.parent_id) \
             SELECT id FROM up)) ORDER BY id",
        )
        .bind(&n.subject)
        .fetch_all(&mut *tx.tx)
        .await?;
        for row in subscribers {
            let kinds: String = row.try_get("kinds")?;
            let kinds: Vec<String> = serde_json::from_str(&kinds).map_err(StoreError::internal)?;
            if !kinds.contains(&n.kind) {
                continue;
            }
            // At the configured lead times, or at the subscription's own.
            let months: Option<i64> = row.try_get("lead_months")?;
            let reached = match months.and_then(|m| u32::try_from(m).ok()) {
                None => standard,
                Some(m) => n
                    .due_on
                    .parse()
                    .ok()
                    .and_then(|end| months_lead_days(end, m))
                    .is_some_and(|lead| i64::from(lead) == n.lead_days),
            };
            if !reached {
                continue;
            }
            let subscription: String = row.try_get("id")?;
            sqlx::query(
                "INSERT INTO notice_deliveries \
                 (id, notification_id, subscription_id, status, attempts, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, 'pending', 0, $4, $4)",
            )
            .bind(secret::new_id("dlv"))
            .bind(&n.id)
            .bind(&subscription)
            .bind(n.created_at)
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.commit_with(event(
            actor,
            "notice.create",
            &n.id,
            serde_json::json!({
                "kind": n.kind,
                "subject": n.subject,
                "lead_days": n.lead_days,
                "due_on": n.due_on,
            }),
        ))
        .await?;
        Ok(true)
    }

    async fn list_notifications(
        &self,
        scope: &Scope,
        filter: &NotificationFilter,
        page: Page,
    ) -> StoreResult<Rows<Notification>> {
        let f = Filter::default()
            .scope(NOTIFICATION_NODE, scope)
            .text("kind", filter.kind.as_deref())
            .text("subject", filter.subject.as_deref());
        NOTIFICATIONS
            .list(&self.pool, f, "created_at DESC, id DESC", page)
            .await
    }

    async fn notification(&self, id: &str) -> StoreResult<Notification> {
        NOTIFICATIONS.get(&self.pool, id).await
    }

    async fn deliveries(&self, notification_id: &str) -> StoreResult<Vec<Delivery>> {
        let mut deliveries = DELIVERIES
            .all(
                &self.pool,
                "WHERE notification_id = $1 ORDER BY created_at, id",
                [notification_id.into()],
            )
            .await?;
        let attempts = fetch_all(
            &self.pool,
            "SELECT a.delivery_id, a.attempt, a.at, a.status_code, a.error, a.next_attempt_at \
             FROM notice_attempts a JOIN notice_deliveries d ON d.id = a.delivery_id \
             WHERE d.notification_id = $1 ORDER BY a.delivery_id, a.attempt",
            [notification_id.into()],
            |r| Ok((r.try_get::<String, _>("delivery_id")?, attempt_row(r)?)),
        )
        .await?;
        for (delivery, attempt) in attempts {
            if let Some(d) = deliveries.iter_mut().find(|d| d.id == delivery) {
                d.log.push(attempt);
            }
        }
        Ok(deliveries)
    }

    async fn due_deliveries(&self, at: i64, limit: i64) -> StoreResult<Vec<String>> {
        fetch_all(
            &self.pool,
            "SELECT id FROM notice_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until <= $1) \
             ORDER BY next_attempt_at, id LIMIT $2",
            [at.into(), limit.into()],
            |r| Ok(r.try_get("id")?),
        )
        .await
    }

    async fn claim_delivery(
        &self,
        id: &str,
        at: i64,
        until: i64,
    ) -> StoreResult<Option<ClaimedDelivery>> {
        let mut tx = self.begin().await?;
        let claim = secret::new_id("clm");
        // The same conditions as `due_deliveries`, checked again in the
        // update itself: of two instances, only one's update matches.
        let Some(row) = sqlx::query(
            "UPDATE notice_deliveries SET claim = $1, claimed_until = $2, attempts = attempts + 1 \
             WHERE id = $3 AND status = 'pending' AND next_attempt_at <= $4 \
             AND (claimed_until IS NULL OR claimed_until <= $4) \
             RETURNING attempts, notification_id, subscription_id",
        )
        .bind(&claim)
        .bind(until)
        .bind(id)
        .bind(at)
        .fetch_optional(&mut *tx.tx)
        .await?
        else {
            return Ok(None);
        };
        let notification_id: String = row.try_get("notification_id")?;
        let subscription_id: String = row.try_get("subscription_id")?;
        let attempt: i64 = row.try_get("attempts")?;
        let n = sqlx::query(&format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = $1"
        ))
        .bind(&notification_id)
        .fetch_one(&mut *tx.tx)
        .await?;
        let s = sqlx::query(
            "SELECT webhook_url, secret, email, deleted_at FROM notice_subscriptions WHERE id = $1",
        )
        .bind(&subscription_id)
        .fetch_one(&mut *tx.tx)
        .await?;
        if s.try_get::<Option<i64>, _>("deleted_at")?.is_some() {
            // Deleted after this delivery was written (a notice recorded
            // while the subscription was being deleted): nothing goes out.
            sqlx::query(
                "UPDATE notice_deliveries SET status = 'cancelled', claim = NULL, \
                 claimed_until = NULL WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
            tx.commit().await?;
            return Ok(None);
        }
        let url: Option<String> = s.try_get("webhook_url")?;
        let secret: Option<String> = s.try_get("secret")?;
        let email: Option<String> = s.try_get("email")?;
        let target = match (url, secret, email) {
            (Some(url), Some(secret), _) => Target::Webhook { url, secret },
            (_, _, Some(email)) => Target::Email(email),
            _ => return Err(StoreError::internal("a subscription without a target")),
        };
        tx.commit().await?;
        Ok(Some(ClaimedDelivery {
            id: id.to_owned(),
            claim,
            attempt,
            notification: notification_row(&n)?,
            target,
        }))
    }

    async fn finish_delivery(
        &self,
        id: &str,
        claim: &str,
        result: AttemptResult,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let a = &result.attempt;
        let delivered_at = (result.status == "delivered").then_some(a.at);
        let updated = sqlx::query(
            // A delivery cancelled during its attempt (its subscription
            // deleted) stays cancelled: the attempt is only logged.
            "UPDATE notice_deliveries SET \
             status = CASE WHEN status = 'cancelled' THEN status ELSE $1 END, \
             last_status = $2, last_error = $3, \
             next_attempt_at = COALESCE($4, next_attempt_at), delivered_at = $5, \
             claim = NULL, claimed_until = NULL \
             WHERE id = $6 AND claim = $7",
        )
        .bind(result.status)
        .bind(a.status_code)
        .bind(&a.error)
        .bind(a.next_attempt_at)
        .bind(delivered_at)
        .bind(id)
        .bind(claim)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO notice_attempts (delivery_id, attempt, at, status_code, error, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(a.attempt)
        .bind(a.at)
        .bind(a.status_code)
        .bind(&a.error)
        .bind(a.next_attempt_at)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn purge_idempotency(&self, before: i64) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let purged = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(purged)
    }
}
