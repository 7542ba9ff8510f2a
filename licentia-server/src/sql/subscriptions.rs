//! [`SubscriptionStore`] on SQL.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::history::{append, event};
use super::invoices::write_prorated;
use super::licenses::{insert_license, write_seats, write_terms};
use super::table::{count, fetch_all, from_row, scope_clause, Filter, Table};
use super::{now, Scope, SqlStore};
use crate::store::{
    Event, Idem, LicenseRecord, NewLicense, Outcome, Page, Prorated, Rows, Subscription,
    SubscriptionFilter, SubscriptionStore,
};
use crate::store::{StoreError, StoreResult};
use licentia::{Timestamp, DAY};

const COLUMNS: &str = "id, customer_id, plan_id, product_id, seats, options, zone, start_date, \
     billing, term_from_month, term_start, term_end, billing_interval, invoices_from_month, \
     pending, renewal, notice, status, ends_on, license_ids, version, created_at, updated_at, \
     follows_customer";

fn date(r: &AnyRow, column: &str) -> StoreResult<NaiveDate> {
    let text: String = r.try_get(column)?;
    text.parse().map_err(StoreError::internal)
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(StoreError::internal)
}

fn text<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(StoreError::internal)
}

fn months(r: &AnyRow, column: &str) -> StoreResult<u32> {
    u32::try_from(r.try_get::<i64, _>(column)?).map_err(StoreError::internal)
}

fn subscription_row(r: &AnyRow) -> StoreResult<Subscription> {
    let options: String = r.try_get("options")?;
    let pending: Option<String> = r.try_get("pending")?;
    let ends_on: Option<String> = r.try_get("ends_on")?;
    let license_ids: String = r.try_get("license_ids")?;
    Ok(from_row!(r => Subscription {
        id, customer_id, plan_id, product_id, seats, zone, billing, renewal, notice, status,
        version, created_at, updated_at;
        options: json(&options)?,
        start: date(r, "start_date")?,
        term_from_month: months(r, "term_from_month")?,
        term_start: date(r, "term_start")?,
        term_end: date(r, "term_end")?,
        interval: r.try_get("billing_interval")?,
        invoices_from_month: months(r, "invoices_from_month")?,
        pending: pending.as_deref().map(json).transpose()?,
        ends_on: ends_on
            .map(|d| d.parse().map_err(StoreError::internal))
            .transpose()?,
        license_ids: json(&license_ids)?,
        follows_customer: r.try_get::<i64, _>("follows_customer")? != 0,
    }))
}

/// The longest a cancellation window lasts: from the first of a month to
/// the end of its last day, with an hour more across a change of clocks.
const LONGEST_WINDOW: i64 = 32 * DAY;

/// The windows moved on per transaction by a refresh.
const REFRESH_BATCH: i64 = 500;

/// Windows moved on by one refresh from which the table's statistics are
/// taken again.
const REANALYZE_AFTER: u64 = 10_000;

pub(super) const SUBSCRIPTIONS: Table<Subscription> =
    Table::new("subscriptions", COLUMNS, "subscription", subscription_row);

#[async_trait::async_trait]
impl SubscriptionStore for SqlStore {
    async fn create_subscription(
        &self,
        s: Subscription,
        license: NewLicense,
        actor: &str,
        idem: Option<Idem<Subscription>>,
    ) -> StoreResult<Outcome<Subscription>> {
        let window = s.cancellation_window(Timestamp(now()))?;
        let mut tx = self.begin().await?;
        insert_license(&mut tx, license, actor).await?;
        sqlx::query(&format!(
            "INSERT INTO subscriptions ({COLUMNS}, cancel_opens, cancel_closes) VALUES ($1, $2, \
             $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
             $21, $22, $23, $24, $25, $26)"
        ))
        .bind(&s.id)
        .bind(&s.customer_id)
        .bind(&s.plan_id)
        .bind(&s.product_id)
        .bind(s.seats)
        .bind(text(&s.options)?)
        .bind(&s.zone)
        .bind(s.start.to_string())
        .bind(&s.billing)
        .bind(i64::from(s.term_from_month))
        .bind(s.term_start.to_string())
        .bind(s.term_end.to_string())
        .bind(&s.interval)
        .bind(i64::from(s.invoices_from_month))
        .bind(s.pending.as_ref().map(text).transpose()?)
        .bind(&s.renewal)
        .bind(&s.notice)
        .bind(&s.status)
        .bind(s.ends_on.map(|d| d.to_string()))
        .bind(text(&s.license_ids)?)
        .bind(s.version)
        .bind(s.created_at)
        .bind(s.updated_at)
        .bind(i64::from(s.follows_customer))
        .bind(window.map(|w| w.0))
        .bind(window.map(|w| w.1))
        .execute(&mut *tx.tx)
        .await?;
        let mut ev = event(
            actor,
            "subscription.create",
            &s.id,
            serde_json::json!({
                "plan_id": s.plan_id, "seats": s.seats, "billing": s.billing,
                "interval": s.interval, "start": s.start, "term_end": s.term_end,
                "renewal": s.renewal, "notice": s.notice, "license_ids": s.license_ids,
            }),
        );
        ev.customer_id = Some(s.customer_id.clone());
        append(&mut tx, ev).await?;
        self.finish(tx, s, idem).await
    }

    async fn subscription(&self, id: &str) -> StoreResult<Subscription> {
        SUBSCRIPTIONS.get(&self.pool, id).await
    }

    async fn subscriptions_following(&self, customer_id: &str) -> StoreResult<Vec<Subscription>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM subscriptions \
             WHERE customer_id = $1 AND follows_customer = 1 AND status = 'active' ORDER BY id"
        ))
        .bind(customer_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(subscription_row).collect()
    }

    async fn list_subscriptions(
        &self,
        scope: &Scope,
        filter: &SubscriptionFilter,
        page: Page,
    ) -> StoreResult<Rows<Subscription>> {
        let f = Filter::default()
            .scope("customer_id", scope)
            .text("customer_id", filter.customer_id.as_deref())
            .text("plan_id", filter.plan_id.as_deref())
            .text("status", filter.status.as_deref())
            // ISO dates compare as text in date order.
            .compare(
                "term_end <",
                filter.term_end_before.map(|d| d.to_string()).as_deref(),
            )
            .int("cancel_opens <=", filter.cancellable_at)
            .int("cancel_closes >", filter.cancellable_at);
        SUBSCRIPTIONS
            .list(&self.pool, f, "term_end, id", page)
            .await
    }

    async fn cancellations_this_month(&self, scope: &Scope, at: i64) -> StoreResult<i64> {
        let (within, mut args) = scope_clause("customer_id", scope, 3);
        args.splice(0..0, [at.into(), (at + LONGEST_WINDOW).into()]);
        // A stored window holds `at`: read from the index by its close,
        // which is at most a month and a day after its opening.
        let stored = count(
            &self.pool,
            &format!(
                "SELECT COUNT(*) AS n FROM subscriptions WHERE cancel_closes > $1 \
                 AND cancel_closes <= $2 AND cancel_opens <= $1{within}"
            ),
            args.clone(),
        )
        .await?;
        // The windows passed since the last refresh: computed here.
        args.truncate(1);
        let (within, scoped) = scope_clause("customer_id", scope, 2);
        args.extend(scoped);
        let passed = fetch_all(
            &self.pool,
            &format!("SELECT {COLUMNS} FROM subscriptions WHERE cancel_closes <= $1{within}"),
            args,
            subscription_row,
        )
        .await?;
        let mut now_open = 0;
        for sub in passed {
            if let Some((opens, closes)) = sub.cancellation_window(Timestamp(at))? {
                now_open += i64::from(opens <= at && at < closes);
            }
        }
        Ok(stored + now_open)
    }

    async fn refresh_cancellation_windows(&self, at: i64) -> StoreResult<u64> {
        let mut written = 0;
        loop {
            // Each window written leaves the passed ones (it closes after
            // `at`, or is gone): the next batch is the next in the index.
            let passed = fetch_all(
                &self.pool,
                &format!(
                    "SELECT {COLUMNS} FROM subscriptions WHERE cancel_closes <= $1 \
                     ORDER BY cancel_closes LIMIT {REFRESH_BATCH}"
                ),
                [at.into()],
                subscription_row,
            )
            .await?;
            let mut moved = 0;
            if !passed.is_empty() {
                let mut tx = self.begin().await?;
                for sub in &passed {
                    let window = sub.cancellation_window(Timestamp(at))?;
                    // A subscription changed meanwhile has its window
                    // written by that change.
                    moved += sqlx::query(
                        "UPDATE subscriptions SET cancel_opens = $1, cancel_closes = $2 \
                         WHERE id = $3 AND version = $4",
                    )
                    .bind(window.map(|w| w.0))
                    .bind(window.map(|w| w.1))
                    .bind(&sub.id)
                    .bind(sub.version)
                    .execute(&mut *tx.tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
            }
            written += moved;
            // Nothing left, or only rows changing under us (their writers
            // store their windows; the next refresh sees to the rest).
            if moved == 0 {
                if written >= REANALYZE_AFTER {
                    // The planner's statistics still see every window
                    // passed (after migration 0038, or a bulk fill): the
                    // next count would read the whole table.
                    sqlx::query("ANALYZE subscriptions")
                        .execute(&self.pool)
                        .await?;
                }
                return Ok(written);
            }
        }
    }

    async fn set_subscription_seats(
        &self,
        id: &str,
        seats: i64,
        may_raise: bool,
        version: i64,
        ev: Event,
        prorated: Option<Prorated>,
    ) -> StoreResult<Option<Subscription>> {
        let mut tx = self.begin().await?;
        let only_cut = if may_raise { "" } else { " AND seats >= $1" };
        let row = sqlx::query(&format!(
            "UPDATE subscriptions SET seats = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND version = $4 AND status <> 'ended'{only_cut} RETURNING {COLUMNS}"
        ))
        .bind(seats)
        .bind(now())
        .bind(id)
        .bind(version)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else {
            let stands = SUBSCRIPTIONS.get(&mut *tx.tx, id).await?;
            if stands.version != version {
                tx.lost_race().await?;
                return Ok(None);
            }
            if stands.status != "ended" {
                return Err(StoreError::forbidden(
                    "only the admin and finance roles may raise a subscription's seats",
                ));
            }
            return Err(StoreError::conflict(
                "subscription_ended",
                "the subscription has ended",
            ));
        };
        let s = subscription_row(&row)?;
        // Its licences that serve members stay theirs: fewer seats than
        // members is refused.
        let assigned: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM members WHERE subscription_id = $1 AND license_id IS NOT NULL",
        )
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("n")?;
        if assigned > seats {
            return Err(StoreError::conflict(
                "subscription_seats_assigned",
                format!("{assigned} members hold a licence of this subscription: it cannot have fewer seats"),
            )
            .with(serde_json::json!({"seats": seats, "assigned": assigned})));
        }
        for license in &s.license_ids {
            let details = serde_json::json!({ "to": seats, "subscription_id": s.id });
            // The subscription's own row decided who may raise.
            write_seats(
                &mut tx,
                license,
                seats,
                true,
                event(&ev.actor, "license.seats", license, details),
            )
            .await?;
        }
        if let Some(p) = prorated {
            write_prorated(&mut tx, p).await?;
        }
        tx.commit_with(Event {
            customer_id: Some(s.customer_id.clone()),
            ..ev
        })
        .await?;
        Ok(Some(s))
    }

    async fn update_subscription(
        &self,
        next: &Subscription,
        licenses: &[LicenseRecord],
        ev: Event,
        prorated: Option<Prorated>,
    ) -> StoreResult<Option<Subscription>> {
        let at = now();
        let window = next.cancellation_window(Timestamp(at))?;
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE subscriptions SET billing = $1, term_from_month = $2, term_start = $3, \
             term_end = $4, billing_interval = $5, invoices_from_month = $6, pending = $7, \
             renewal = $8, status = $9, ends_on = $10, options = $11, version = version + 1, \
             updated_at = $12, cancel_opens = $15, cancel_closes = $16 \
             WHERE id = $13 AND version = $14 RETURNING {COLUMNS}"
        ))
        .bind(&next.billing)
        .bind(i64::from(next.term_from_month))
        .bind(next.term_start.to_string())
        .bind(next.term_end.to_string())
        .bind(&next.interval)
        .bind(i64::from(next.invoices_from_month))
        .bind(next.pending.as_ref().map(text).transpose()?)
        .bind(&next.renewal)
        .bind(&next.status)
        .bind(next.ends_on.map(|d| d.to_string()))
        .bind(text(&next.options)?)
        .bind(at)
        .bind(&next.id)
        .bind(next.version)
        .bind(window.map(|w| w.0))
        .bind(window.map(|w| w.1))
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else {
            // Changed by someone else since it was read (or gone).
            SUBSCRIPTIONS.get(&mut *tx.tx, &next.id).await?;
            tx.lost_race().await?;
            return Ok(None);
        };
        let s = subscription_row(&row)?;
        // A renewal extends the licenses; a cancellation may end them
        // sooner; new options change their features.
        let operation = match ev.operation {
            "subscription.renew" => "license.renew",
            "subscription.options" => "license.entitlements",
            _ => "license.expiry",
        };
        for license in licenses {
            let details = serde_json::json!({
                "expires_at": license.expires_at, "features": license.spec.features,
                "subscription_id": s.id,
            });
            write_terms(
                &mut tx,
                license,
                event(&ev.actor, operation, &license.id, details),
            )
            .await?;
        }
        if let Some(p) = prorated {
            write_prorated(&mut tx, p).await?;
        }
        tx.commit_with(Event {
            customer_id: Some(s.customer_id.clone()),
            ..ev
        })
        .await?;
        Ok(Some(s))
    }
}
