//! Notices: what the jobs found due, written once to an outbox, and its
//! delivery to webhooks and e-mail recipients subscribed to its kind.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Account, Idem, LicenseRecord, Outcome, Page, Role, Rows, Scope};
use crate::store::StoreResult;

/// A license's hard expiry is near (one notice per lead time).
pub const LICENSE_EXPIRING: &str = "license.expiring";
/// A subscription's term ends and it does not renew (one per lead time).
pub const SUBSCRIPTION_EXPIRING: &str = "subscription.expiring";
/// A subscription term that renews is about to end (before its last day).
pub const SUBSCRIPTION_RENEWING: &str = "subscription.renewing";
/// A subscription renewed into a new term.
pub const SUBSCRIPTION_RENEWED: &str = "subscription.renewed";
/// An invoice of a subscription is due (one per lead time).
pub const INVOICE_DUE: &str = "invoice.due";
/// The last day to cancel a subscription is near (one per lead time).
pub const CANCELLATION_DEADLINE: &str = "cancellation.deadline";

/// Every notice kind, as subscriptions name them.
pub const NOTICE_KINDS: &[&str] = &[
    LICENSE_EXPIRING,
    SUBSCRIPTION_EXPIRING,
    SUBSCRIPTION_RENEWING,
    SUBSCRIPTION_RENEWED,
    INVOICE_DUE,
    CANCELLATION_DEADLINE,
    super::CONTRACT_ENDING,
];

/// Who receives notices of some kinds: a webhook or an e-mail address.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NoticeSubscription {
    /// Id.
    pub id: String,
    /// The notice kinds it receives (of [`NOTICE_KINDS`]).
    pub kinds: Vec<String>,
    /// Where notices are POSTed (signed with the subscription's secret).
    pub webhook_url: Option<String>,
    /// Where notices are mailed.
    pub email: Option<String>,
    /// The role it belongs to: tokens of that role may list and delete it.
    pub role: Option<Role>,
    /// The node it belongs to (none: the vendor root): only notices about
    /// records within its subtree reach it.
    pub customer_id: Option<String>,
    /// The account whose notice preference it is, if one's.
    pub account_id: Option<String>,
    /// A preference's own lead time, in months before the date announced
    /// (none: the configured lead times).
    pub lead_months: Option<i64>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Who created it.
    pub created_by: String,
}

/// The number of days a notice `months` months before `end` comes ahead of
/// it (a calendar month back, the last day of a shorter month when `end`'s
/// day is not in it); none past the calendar's start.
pub fn months_lead_days(end: chrono::NaiveDate, months: u32) -> Option<u32> {
    let first = end.checked_sub_months(chrono::Months::new(months))?;
    u32::try_from((end - first).num_days()).ok()
}

/// One notice in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Notification {
    /// Id: receivers deduplicate by it.
    pub id: String,
    /// Its kind (of [`NOTICE_KINDS`]).
    pub kind: String,
    /// What it is about (a license, subscription or invoice id).
    pub subject: String,
    /// The lead time it was written for: `due_on` is this many days away or
    /// closer (0 for events such as a renewal).
    pub lead_days: i64,
    /// The date announced: an end, an invoice or a deadline (`YYYY-MM-DD`).
    pub due_on: String,
    /// The day of the job run that wrote it.
    pub run_date: String,
    /// What the notice is about, in detail.
    pub data: serde_json::Value,
    /// Written (Unix seconds).
    pub created_at: i64,
}

/// One attempt to deliver a notification.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryAttempt {
    /// 1 for the first.
    pub attempt: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// The HTTP status or SMTP reply code, when one came.
    pub status_code: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
    /// When the next attempt is due, after a failure that will be retried.
    pub next_attempt_at: Option<i64>,
}

/// A notification's delivery to one subscription.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Delivery {
    /// Id.
    pub id: String,
    /// The notification.
    pub notification_id: String,
    /// The subscription.
    pub subscription_id: String,
    /// `pending`, `delivered`, `failed` (attempts used up) or `cancelled`
    /// (the subscription was deleted).
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// When the next attempt is due (while pending).
    pub next_attempt_at: i64,
    /// The last HTTP status or SMTP reply code.
    pub last_status: Option<i64>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it succeeded.
    pub delivered_at: Option<i64>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Every attempt, first first.
    pub log: Vec<DeliveryAttempt>,
}

/// Where a claimed delivery goes.
pub enum Target {
    /// POST to this URL, signed with this secret.
    Webhook {
        /// The URL.
        url: String,
        /// The signing secret.
        secret: String,
    },
    /// Mail to this address.
    Email(String),
}

/// A delivery this instance claimed: no other instance attempts it until
/// the claim is finished or lapses.
pub struct ClaimedDelivery {
    /// The delivery's id.
    pub id: String,
    /// The claim's id, which finishing it must show.
    pub claim: String,
    /// This attempt's number (1 for the first).
    pub attempt: i64,
    /// What to deliver.
    pub notification: Notification,
    /// Where.
    pub target: Target,
}

/// How a delivery attempt ended.
pub struct AttemptResult {
    /// The attempt, as logged.
    pub attempt: DeliveryAttempt,
    /// `delivered`, `pending` (retried at `attempt.next_attempt_at`) or
    /// `failed`.
    pub status: &'static str,
}

/// Filters on the notification list.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct NotificationFilter {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only about this subject.
    pub subject: Option<String>,
}

/// Storage for notices; one method per operation, each one transaction.
#[async_trait::async_trait]
pub trait NoticeStore: Send + Sync {
    /// Stores a subscription (with its webhook secret, if a webhook).
    async fn create_notice_subscription(
        &self,
        subscription: NoticeSubscription,
        secret: Option<String>,
        idem: Option<Idem<NoticeSubscription>>,
    ) -> StoreResult<Outcome<NoticeSubscription>>;
    /// Live subscriptions, all or those of `role`.
    async fn list_notice_subscriptions(
        &self,
        scope: &Scope,
        role: Option<Role>,
        page: Page,
    ) -> StoreResult<Rows<NoticeSubscription>>;
    /// Replaces the notice preferences of `account` (its address, at
    /// `node`): one subscription per (kind, months); the old ones end, their
    /// pending deliveries cancelled.
    async fn set_notice_preferences(
        &self,
        account: &Account,
        node: Option<String>,
        preferences: Vec<(String, i64)>,
    ) -> StoreResult<Vec<NoticeSubscription>>;
    /// The live notice preferences of an account.
    async fn notice_preferences(&self, account_id: &str) -> StoreResult<Vec<NoticeSubscription>>;
    /// Every lead time in months some live preference asks for.
    async fn preference_months(&self) -> StoreResult<Vec<u32>>;
    /// A live subscription.
    async fn notice_subscription(&self, id: &str) -> StoreResult<NoticeSubscription>;
    /// Deletes a subscription; its pending deliveries are cancelled.
    async fn delete_notice_subscription(&self, id: &str, actor: &str) -> StoreResult<()>;

    /// Active licenses whose hard expiry is in `[after, before)` (Unix
    /// seconds), soonest first.
    async fn expiring_licenses(&self, after: i64, before: i64) -> StoreResult<Vec<LicenseRecord>>;

    /// Writes a notification unless one with its key (subject, kind, lead
    /// days, due date) exists, with a pending delivery for each live
    /// subscription to its kind, due at `notification.created_at`; true if
    /// written now.
    /// `standard`: the notice is at one of the configured lead times (it
    /// reaches the subscriptions without a lead time of their own; one with
    /// `lead_months` gets the notices at exactly that many months).
    async fn record_notification(
        &self,
        notification: Notification,
        standard: bool,
        actor: &str,
    ) -> StoreResult<bool>;
    /// Notifications, newest first.
    async fn list_notifications(
        &self,
        scope: &Scope,
        filter: &NotificationFilter,
        page: Page,
    ) -> StoreResult<Rows<Notification>>;
    /// A notification.
    async fn notification(&self, id: &str) -> StoreResult<Notification>;
    /// A notification's deliveries, each with its attempts.
    async fn deliveries(&self, notification_id: &str) -> StoreResult<Vec<Delivery>>;

    /// The ids of up to `limit` pending deliveries due at `at` and not
    /// claimed (or whose claim lapsed).
    async fn due_deliveries(&self, at: i64, limit: i64) -> StoreResult<Vec<String>>;
    /// Claims a due delivery until `until` (None: not due, or another
    /// instance holds it).
    async fn claim_delivery(
        &self,
        id: &str,
        at: i64,
        until: i64,
    ) -> StoreResult<Option<ClaimedDelivery>>;
    /// Records an attempt and the delivery's new state, and releases the
    /// claim; false (nothing written) if the claim is no longer held.
    async fn finish_delivery(
        &self,
        id: &str,
        claim: &str,
        result: AttemptResult,
    ) -> StoreResult<bool>;

    /// Deletes stored `Idempotency-Key` answers created before `before`
    /// (Unix seconds); how many.
    async fn purge_idempotency(&self, before: i64) -> StoreResult<u64>;
}
