//! Routes for subscriptions: a customer's plan with seats, billing, term,
//! renewal option and notice period. The dates come from
//! [`crate::billing`]; the licenses are issued and renewed through
//! the same paths as `POST /v1/plans/{id}/licenses` and
//! `POST /v1/licenses/{id}/renew`.
//!
//! For the periodic jobs: [`renew_due`](crate::service::subscriptions::renew_due)
//! executes the renewals (and ends) due by a day, safely repeated;
//! [`SubscriptionStore::list_subscriptions`](crate::store::SubscriptionStore::list_subscriptions)
//! with [`SubscriptionFilter::term_end_before`] finds the terms ending
//! soon, and [`Subscription::view`] gives each one's next invoice, last day
//! to cancel and next possible end.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::history::history_page;
use crate::api::idempotency::idempotent;
use crate::api::licenses::{file_mode, reason, Reason, SeatsRequest};
use crate::api::{named, staff_event, Created, Listed, Listing, Reply, READERS};
use crate::billing::{BillingInterval, BillingModel, Contract, NoticePeriod, RenewalOption};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, IdempotencyKey, PageQuery, Staff, Q};
use crate::routes::{Access, Route};
use crate::secret;
use crate::service::catalogue::offered;
use crate::service::licenses::{plan_features, prepare_license, IssueOverrides};
use crate::service::seat_rules::{check_seats, SUBSCRIPTION_RAISERS};
use crate::service::subscriptions::{
    self, bad, busy, cancellable_at, extend_licenses, refuse_unless_active, renew_term, showable,
    today, ATTEMPTS,
};
use crate::store::Role;
use crate::store::{
    Catalogued, HistoryEntry, HistoryFilter, Member, Subscription, SubscriptionFilter,
    SubscriptionView,
};
use crate::AppState;
use licentia::Timestamp;

use Role::{Admin, Finance, Issuer};

/// Who may create, change, cancel and renew subscriptions: the roles that
/// issue licenses, and finance, whose business subscriptions are.
const COMMERCE: &[Role] = &[Admin, Issuer, Finance];

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post(
            "/v1/subscriptions",
            Token,
            "Create a subscription and issue its license (admin, issuer, finance)",
            create,
        ),
        Route::get(
            "/v1/subscriptions",
            Token,
            "List subscriptions (filters: customer_id, plan_id, status, term_end_before, cancellable=this-month)",
            list,
        ),
        Route::get(
            "/v1/subscriptions/{id}",
            Token,
            "Show a subscription with its next invoice, last day to cancel and next possible end",
            show,
        ),
        Route::put(
            "/v1/subscriptions/{id}/seats",
            Token,
            "Change the seats (raise: admin, finance); never below the seats in use",
            set_seats,
        ),
        Route::put(
            "/v1/subscriptions/{id}/renewal",
            Token,
            "Change the renewal option now (a customer's grant: only by a right its partner delegated)",
            set_renewal,
        ),
        Route::put(
            "/v1/subscriptions/{id}/options",
            Token,
            "Replace the options (adding one is a raise, removing one a cut); its licenses are signed anew",
            set_options,
        ),
        Route::get(
            "/v1/subscriptions/{id}/members",
            Token,
            "The members its licences serve, and how many licences are free",
            members,
        ),
        Route::get(
            "/v1/subscriptions/{id}/history",
            Token,
            "A subscription's history: operation, when, done by, details",
            history,
        ),
        Route::put(
            "/v1/subscriptions/{id}/billing",
            Token,
            "Change the billing model or interval from the next cycle",
            set_billing,
        ),
        Route::post(
            "/v1/subscriptions/{id}/cancel",
            Token,
            "Cancel by the last day to cancel: it ends at the next possible end",
            cancel,
        ),
        Route::post(
            "/v1/subscriptions/{id}/renew",
            Token,
            "Renew the current term per the renewal option, extending the licenses; once per term",
            renew,
        ),
    ]
}

/// A calendar date, `YYYY-MM-DD` exactly.
fn date(field: &str, text: &str) -> ApiResult<NaiveDate> {
    text.parse()
        .ok()
        .filter(|_| text.len() == 10)
        .ok_or_else(|| ApiError::invalid(format!("'{field}' must be a date, YYYY-MM-DD")))
}

/// The answer for a subscription: every stored field and what follows
/// from them today.
fn shown(sub: &Subscription) -> ApiResult<SubscriptionView> {
    Ok(sub.view(today(sub)?)?)
}

/// `POST /v1/subscriptions` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    /// The customer node.
    customer_id: String,
    /// The plan.
    plan_id: String,
    /// Seats.
    seats: u32,
    /// `monthly`, or prepaid for a term: `prepaid_1y`, `prepaid_3y`, `prepaid_5y`.
    billing: String,
    /// Invoices `monthly`, `quarterly` or `yearly`; absent: as its
    /// customer's billing cycle, which it then follows.
    interval: Option<String>,
    /// First day, `YYYY-MM-DD`.
    start: String,
    /// At term end: `none`, `once`, `always` or `switch_to_monthly`.
    renewal: String,
    /// Notice period, e.g. `1 week before month end` or `3 months before term end`.
    notice: String,
    /// Codes of the plan's add-on options.
    #[serde(default)]
    options: Vec<String>,
}

/// A new subscription, as `POST /v1/subscriptions` answers.
#[derive(Clone, Serialize, JsonSchema)]
pub struct SubscriptionIssued {
    /// The subscription, with its next invoice, last day to cancel and next
    /// possible end.
    subscription: SubscriptionView,
    /// The key of its license, shown in this answer only.
    license_key: String,
}

/// `POST /v1/subscriptions` (admin, issuer, finance): the subscription and
/// its license, issued from the plan with the subscription's seats and
/// expiring at the end of the term's last day; the license key is in this
/// answer only.
pub async fn create(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    body: Body<NewSubscription>,
) -> ApiResult<Created<SubscriptionIssued>> {
    let req = &body.value;
    named(
        staff.allow_at(&s, COMMERCE, Some(&req.customer_id)),
        "no such customer",
    )
    .await?;
    let model: BillingModel = req.billing.parse().map_err(bad)?;
    let renewal: RenewalOption = req.renewal.parse().map_err(bad)?;
    let notice: NoticePeriod = req.notice.parse().map_err(bad)?;
    let start = date("start", &req.start)?;
    if req.seats == 0 {
        return Err(ApiError::invalid("seats must be at least 1"));
    }
    let customer = named(s.store.customer(&req.customer_id), "no such customer").await?;
    offered(Catalogued::Customer, &customer.name, customer.retired_at)?;
    let (interval, follows_customer): (BillingInterval, bool) =
        match (&req.interval, &customer.billing_interval) {
            (Some(own), _) => (own.parse().map_err(bad)?, false),
            (None, Some(cycle)) => (cycle.parse().map_err(bad)?, true),
            (None, None) => {
                return Err(ApiError::invalid(
                    "give 'interval': the customer has no billing cycle to follow",
                ))
            }
        };
    let contract = Contract::new(start, model, interval, renewal).map_err(bad)?;
    let plan = named(s.store.plan(&req.plan_id), "no such plan").await?;
    offered(Catalogued::Plan, &plan.name, plan.retired_at)?;
    let policy = s.store.policy(&plan.policy_id).await?;
    let scope = (&policy, Some(customer.id.as_str()));
    let seats = i64::from(req.seats);
    check_seats(
        &s,
        &staff,
        "subscription",
        SUBSCRIPTION_RAISERS,
        scope,
        seats,
        Some(model.name()),
    )
    .await?;
    let at = Timestamp::now().0;
    let mut sub = Subscription {
        id: secret::new_id("sub"),
        customer_id: customer.id.clone(),
        plan_id: plan.id.clone(),
        product_id: plan.product_id.clone(),
        seats: i64::from(req.seats),
        options: req.options.clone(),
        zone: s
            .config
            .zone()
            .map_err(ApiError::internal)?
            .name()
            .to_owned(),
        start,
        billing: String::new(),
        term_from_month: 0,
        term_start: start,
        term_end: start,
        interval: String::new(),
        invoices_from_month: 0,
        pending: None,
        renewal: String::new(),
        notice: notice.to_string(),
        status: "active".into(),
        ends_on: None,
        license_ids: Vec::new(),
        follows_customer,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    sub.set_contract(&contract);
    showable(&sub)?;
    let overrides = IssueOverrides {
        policy_id: plan.policy_id.clone(),
        licensee: customer.name.clone(),
        customer_id: Some(customer.id.clone()),
        seats: Some(req.seats),
        expires: Some(sub.end_of(sub.term_end)?.to_string()),
        features: Some(plan_features(&policy, &plan.options, &req.options)?),
        ..IssueOverrides::default()
    };
    let actor = staff.actor();
    let (license, license_key, _) = prepare_license(&s, &overrides, None).await?;
    sub.license_ids.push(license.record.id.clone());
    // Its dates as of the day just checked: the store keeps the
    // subscription as given.
    let issued = SubscriptionIssued {
        subscription: shown(&sub)?,
        license_key: license_key.reveal(),
    };
    let render = move |stored: &Subscription| {
        let mut answer = issued.clone();
        answer.subscription.subscription = stored.clone();
        answer
    };
    idempotent(
        &s,
        &key,
        "subscription.create",
        &actor,
        &body.hash,
        render,
        |idem| s.store.create_subscription(sub, license, &actor, idem),
    )
    .await
}

/// Filters of the subscription list.
#[derive(Deserialize, JsonSchema)]
pub struct SubscriptionQuery {
    /// The customer node.
    customer_id: Option<String>,
    /// The plan.
    plan_id: Option<String>,
    /// Only this status.
    status: Option<String>,
    /// Only terms ending before this date.
    term_end_before: Option<String>,
    /// `this-month`: only those whose last day to cancel is between today
    /// and the end of this month, in their own zone.
    cancellable: Option<String>,
}

/// `GET /v1/subscriptions`, soonest term end first.
pub async fn list(
    State(s): State<AppState>,
    staff: Staff,
    Listing { filter: q, page }: Listing<SubscriptionQuery>,
) -> ApiResult<Reply<Listed<SubscriptionView>>> {
    let scope = staff.scope(READERS)?;
    let page = page.page()?;
    let filter = SubscriptionFilter {
        customer_id: q.customer_id,
        plan_id: q.plan_id,
        status: q.status,
        term_end_before: q
            .term_end_before
            .as_deref()
            .map(|d| date("term_end_before", d))
            .transpose()?,
        cancellable_at: cancellable_at(q.cancellable.as_deref())?,
    };
    let found = s
        .store
        .list_subscriptions(&scope, &filter, page.clone())
        .await?
        .try_map(|sub| shown(&sub))?;
    Ok(Listed::page(found, &page))
}

/// `GET /v1/subscriptions/{id}`.
pub async fn show(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<SubscriptionView>> {
    staff.read()?;
    Ok(Reply::Fresh(shown(&s.store.subscription(&id).await?)?))
}

/// `PUT /v1/subscriptions/{id}/seats`: see [`subscriptions::set_seats`].
pub async fn set_seats(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<SeatsRequest>,
) -> ApiResult<Reply<SubscriptionView>> {
    let saved = subscriptions::set_seats(&s, &staff, &id, body.value.seats).await?;
    Ok(Reply::Fresh(shown(&saved)?))
}

/// `PUT /v1/subscriptions/{id}/renewal` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalRequest {
    /// At term end: `none`, `once`, `always` or `switch_to_monthly`.
    renewal: String,
}

/// `PUT /v1/subscriptions/{id}/renewal`: see [`subscriptions::set_renewal`].
pub async fn set_renewal(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<RenewalRequest>,
) -> ApiResult<Reply<SubscriptionView>> {
    let saved = subscriptions::set_renewal(&s, &staff, &id, &body.value.renewal).await?;
    Ok(Reply::Fresh(shown(&saved)?))
}

/// `PUT /v1/subscriptions/{id}/options` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionsRequest {
    /// Codes of the plan's options; the list replaces the current one.
    options: Vec<String>,
}

/// `PUT /v1/subscriptions/{id}/options`: see [`subscriptions::set_options`].
pub async fn set_options(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<OptionsRequest>,
) -> ApiResult<Reply<SubscriptionView>> {
    let options = body.value.options.clone();
    let saved = subscriptions::set_options(&s, &staff, &id, options).await?;
    Ok(Reply::Fresh(shown(&saved)?))
}

/// The members a subscription's licences serve, as
/// `GET /v1/subscriptions/{id}/members` answers.
#[derive(Serialize, JsonSchema)]
pub struct SubscriptionMembers {
    /// Its seats: how many licences it has.
    seats: i64,
    /// How many of them serve a member.
    assigned: i64,
    /// How many are free.
    free: i64,
    /// The members, by name.
    members: Vec<Member>,
}

/// `GET /v1/subscriptions/{id}/members`.
pub async fn members(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<SubscriptionMembers>> {
    staff.read()?;
    let sub = s.store.subscription(&id).await?;
    let members = subscriptions::served(&s, &sub).await?;
    let assigned = i64::try_from(members.len()).map_err(ApiError::internal)?;
    Ok(Reply::Fresh(SubscriptionMembers {
        seats: sub.seats,
        assigned,
        free: (sub.seats - assigned).max(0),
        members,
    }))
}

/// `GET /v1/subscriptions/{id}/history`: the entries about it, oldest first.
pub async fn history(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Q(q): Q<PageQuery>,
) -> ApiResult<Reply<Listed<HistoryEntry>>> {
    let filter = HistoryFilter {
        subscription_id: Some(id),
        ..HistoryFilter::default()
    };
    history_page(&s, &staff, filter, &q).await
}

/// `PUT /v1/subscriptions/{id}/billing` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingRequest {
    /// `monthly`, or prepaid for a term: `prepaid_1y`, `prepaid_3y`, `prepaid_5y`.
    billing: Option<String>,
    /// Invoices `monthly`, `quarterly` or `yearly`.
    interval: Option<String>,
}

/// `PUT /v1/subscriptions/{id}/billing` (admin, issuer, finance): a change
/// recorded as pending. A new interval takes effect at the current cycle's
/// next boundary (the next invoice after today); a new model with the next
/// term. Asking for what is in effect withdraws the pending change.
pub async fn set_billing(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<BillingRequest>,
) -> ApiResult<Reply<SubscriptionView>> {
    staff.allow(COMMERCE)?;
    let req = &body.value;
    if req.billing.is_none() && req.interval.is_none() {
        return Err(ApiError::invalid("give 'billing', 'interval' or both"));
    }
    let model: Option<BillingModel> = req
        .billing
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(bad)?;
    let interval: Option<BillingInterval> = req
        .interval
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(bad)?;
    for _ in 0..ATTEMPTS {
        let read = s.store.subscription(&id).await?;
        let next = subscriptions::billing_changed(&read, model, interval)?;
        showable(&next)?;
        let details = json!({ "pending": next.pending });
        let ev = staff_event(&staff, "subscription.billing", &id, details);
        if let Some(saved) = s.store.update_subscription(&next, &[], ev, None).await? {
            return Ok(Reply::Fresh(shown(&saved)?));
        }
    }
    Err(busy())
}

/// `POST /v1/subscriptions/{id}/cancel` (admin, issuer, finance): by the
/// last day to cancel, the subscription ends at the next possible end (its
/// licenses end then too) and does not renew. After the last day for the
/// current term, 409 `too_late_to_cancel` with that day and the next
/// possible end.
pub async fn cancel(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Option<Body<Reason>>,
) -> ApiResult<Reply<SubscriptionView>> {
    staff.allow(COMMERCE)?;
    let why = reason(body);
    for _ in 0..ATTEMPTS {
        let read = s.store.subscription(&id).await?;
        refuse_unless_active(&read)?;
        let day = today(&read)?;
        let mut next = read.as_of(day)?;
        let contract = next.contract()?;
        let notice = next.notice_period()?;
        let term_end = contract.term().end();
        let Some(cancellation) = contract.cancellation(&notice, day).map_err(bad)? else {
            let ends = contract.final_end().map_err(bad)?;
            return Err(ApiError::conflict(
                "ends_by_itself",
                "the subscription ends by itself before any end that notice can still reach",
            )
            .with(json!({ "final_end": ends })));
        };
        if cancellation.ends_on > term_end {
            let missed = notice.last_day_to_cancel(term_end).map_err(bad)?;
            return Err(ApiError::conflict(
                "too_late_to_cancel",
                format!(
                    "the last day to cancel the term ending {term_end} was {missed}; the next possible end is {}, by cancelling on or before {}",
                    cancellation.ends_on, cancellation.last_day_to_cancel
                ),
            )
            .with(json!({
                "term_end": term_end,
                "last_day_to_cancel": missed,
                "next_possible_end": cancellation.ends_on,
                "next_last_day_to_cancel": cancellation.last_day_to_cancel,
            })));
        }
        next.status = "cancelled".into();
        next.ends_on = Some(cancellation.ends_on);
        next.pending = None;
        // Licenses expire with the term; an earlier end shortens them.
        let (licenses, _) = if cancellation.ends_on < term_end {
            extend_licenses(&s, &next, cancellation.ends_on, "file").await?
        } else {
            (Vec::new(), BTreeMap::new())
        };
        let details = json!({ "ends_on": cancellation.ends_on, "reason": why });
        let ev = staff_event(&staff, "subscription.cancel", &id, details);
        if let Some(saved) = s
            .store
            .update_subscription(&next, &licenses, ev, None)
            .await?
        {
            return Ok(Reply::Fresh(shown(&saved)?));
        }
    }
    Err(busy())
}

/// `POST /v1/subscriptions/{id}/renew` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    /// The last day of the term to renew (default: the current term's).
    term_end: Option<String>,
    /// `file` (default) or `token`.
    #[serde(default = "file_mode")]
    mode: String,
}

/// What `POST /v1/subscriptions/{id}/renew` answers.
#[derive(Serialize, JsonSchema)]
pub struct SubscriptionRenewal {
    /// The subscription as it stands after the call.
    subscription: SubscriptionView,
    /// Whether this call renewed the term (false: it was renewed before).
    renewed: bool,
    /// Renewal tokens by license id (`token` mode; empty otherwise).
    renewal_tokens: BTreeMap<String, String>,
}

/// `POST /v1/subscriptions/{id}/renew` (admin, issuer, finance): renews the
/// current term now (see [`renew_term`]); naming `term_end` makes a retry
/// safe: a term renews once.
pub async fn renew(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Option<Body<RenewRequest>>,
) -> ApiResult<Reply<SubscriptionRenewal>> {
    staff.allow(COMMERCE)?;
    let req = body.map_or_else(
        || RenewRequest {
            term_end: None,
            mode: file_mode(),
        },
        |b| b.value,
    );
    if !matches!(req.mode.as_str(), "file" | "token") {
        return Err(ApiError::invalid("mode is 'file' or 'token'"));
    }
    let term_end = req
        .term_end
        .as_deref()
        .map(|d| date("term_end", d))
        .transpose()?;
    let r = renew_term(&s, &id, term_end, &req.mode, &staff.actor()).await?;
    Ok(Reply::Fresh(SubscriptionRenewal {
        subscription: shown(&r.subscription)?,
        renewed: r.renewed,
        renewal_tokens: r.tokens,
    }))
}
