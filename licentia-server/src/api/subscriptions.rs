//! Routes for subscriptions: a customer's plan with seats, billing, term,
//! renewal option and notice period. The dates come from
//! [`crate::billing`]; the licenses are issued and renewed through
//! the same paths as `POST /v1/plans/{id}/licenses` and
//! `POST /v1/licenses/{id}/renew`.
//!
//! For the periodic jobs: [`renew_due`] executes the renewals (and ends)
//! due by a day, safely repeated; [`SubscriptionStore::list_subscriptions`]
//! with [`SubscriptionFilter::term_end_before`] finds the terms ending
//! soon, and [`Subscription::view`] gives each one's next invoice, last day
//! to cancel and next possible end.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    extend_license, file_mode, idempotent, ok, plan_features, pre_check, prepare_license, reason,
    replay_response, seats_change, secret, to_value, Answer, IssueOverrides, Pre, Reason, Role,
    SeatsRequest, READERS,
};
use crate::billing::{
    BillingError, BillingInterval, BillingModel, Contract, NoticePeriod, RenewalOption,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, IdempotencyKey, PageQuery, Staff, Q};
use crate::store::{
    Event, Idem, LicenseRecord, Outcome, PendingChange, Subscription, SubscriptionFilter,
};
use crate::{route, Access, AppState, Field, Route};
use licentia::Timestamp;

use Role::{Admin, Finance, Issuer};

/// Who may create, change, cancel and renew subscriptions: the roles that
/// issue licenses, and finance, whose business subscriptions are.
const COMMERCE: &[Role] = &[Admin, Issuer, Finance];
/// Who may raise a subscription's seats (as for allocations, not issuers).
const RAISERS: &[Role] = &[Admin, Finance];

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        route(
            "post",
            "/v1/subscriptions",
            Token,
            "Create a subscription and issue its license (admin, issuer, finance)",
            post(create),
        ),
        route(
            "get",
            "/v1/subscriptions",
            Token,
            "List subscriptions (filters: customer_id, plan_id, status, term_end_before)",
            get(list),
        )
        .paged(),
        route(
            "get",
            "/v1/subscriptions/{id}",
            Token,
            "Show a subscription with its next invoice, last day to cancel and next possible end",
            get(show),
        ),
        route(
            "put",
            "/v1/subscriptions/{id}/seats",
            Token,
            "Change the seats (raise: admin, finance); never below the seats in use",
            put(set_seats),
        ),
        route(
            "put",
            "/v1/subscriptions/{id}/billing",
            Token,
            "Change the billing model or interval from the next cycle",
            put(set_billing),
        ),
        route(
            "post",
            "/v1/subscriptions/{id}/cancel",
            Token,
            "Cancel by the last day to cancel: it ends at the next possible end",
            post(cancel),
        ),
        route(
            "post",
            "/v1/subscriptions/{id}/renew",
            Token,
            "Renew the current term per the renewal option, extending the licenses; once per term",
            post(renew),
        ),
    ]
}

/// The JSON body each route of this part takes.
pub(crate) fn request_fields(method: &str, path: &str) -> Option<&'static [Field]> {
    const S: &str = "string";
    const I: &str = "integer";
    const A: &str = "array";
    Some(match (method, path) {
        ("post", "/v1/subscriptions") => &[
            ("customer_id", S, true),
            ("plan_id", S, true),
            ("seats", I, true),
            ("billing", S, true),
            ("interval", S, true),
            ("start", S, true),
            ("renewal", S, true),
            ("notice", S, true),
            ("options", A, false),
        ],
        ("put", "/v1/subscriptions/{id}/seats") => &[("seats", I, true)],
        ("put", "/v1/subscriptions/{id}/billing") => {
            &[("billing", S, false), ("interval", S, false)]
        }
        ("post", "/v1/subscriptions/{id}/cancel") => &[("reason", S, false)],
        ("post", "/v1/subscriptions/{id}/renew") => &[("term_end", S, false), ("mode", S, false)],
        _ => return None,
    })
}

/// A refused calendar value is the caller's to fix.
fn bad(e: BillingError) -> ApiError {
    ApiError::invalid(e.to_string())
}

/// A calendar date, `YYYY-MM-DD` exactly.
fn date(field: &str, text: &str) -> ApiResult<NaiveDate> {
    text.parse()
        .ok()
        .filter(|_| text.len() == 10)
        .ok_or_else(|| ApiError::invalid(format!("'{field}' must be a date, YYYY-MM-DD")))
}

/// Today in the subscription's zone.
fn today(sub: &Subscription) -> ApiResult<NaiveDate> {
    sub.day_of(Timestamp::now())
}

/// The answer for a subscription: every stored field and what follows
/// from them today.
fn shown(sub: &Subscription) -> ApiResult<Value> {
    Ok(to_value(&sub.view(today(sub)?)?))
}

/// Refuses (422) a subscription whose dates, as shown today, would reach
/// past the calendar (years 1 to 9999): stored, it could not be shown, and
/// would break the list and the jobs for every subscription.
fn showable(sub: &Subscription) -> ApiResult<()> {
    today(sub)
        .and_then(|day| sub.view(day))
        .map(|_| ())
        .map_err(|_| {
            ApiError::invalid(
                "the subscription's dates would reach past the calendar (years 1 to 9999)",
            )
        })
}

/// `POST /v1/subscriptions` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    customer_id: String,
    plan_id: String,
    seats: u32,
    billing: String,
    interval: String,
    start: String,
    renewal: String,
    notice: String,
    #[serde(default)]
    options: Vec<String>,
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
) -> Answer {
    staff.allow(COMMERCE)?;
    let req = &body.value;
    let model: BillingModel = req.billing.parse().map_err(bad)?;
    let interval: BillingInterval = req.interval.parse().map_err(bad)?;
    let renewal: RenewalOption = req.renewal.parse().map_err(bad)?;
    let notice: NoticePeriod = req.notice.parse().map_err(bad)?;
    let start = date("start", &req.start)?;
    if req.seats == 0 {
        return Err(ApiError::invalid("seats must be at least 1"));
    }
    let contract = Contract::new(start, model, interval, renewal).map_err(bad)?;
    let plan = s
        .store
        .plan(&req.plan_id)
        .await
        .map_err(ApiError::absent_is_invalid("no such plan"))?;
    let customer = s
        .store
        .customer(&req.customer_id)
        .await
        .map_err(ApiError::absent_is_invalid("no such customer"))?;
    let policy = s.store.policy(&plan.policy_id).await?;
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
    let (license, license_key) = prepare_license(&s, &overrides, None).await?;
    sub.license_ids.push(license.record.id.clone());
    let shown_key = license_key.reveal();
    let render = move |sub: &Subscription| {
        // A view of a subscription just checked cannot fail; if it did, the
        // stored fields alone are still the truth.
        let view = shown(sub).unwrap_or_else(|_| to_value(sub));
        json!({ "subscription": view, "license_key": shown_key })
    };
    idempotent!(
        s,
        key,
        "subscription.create",
        &actor,
        &body.hash,
        StatusCode::CREATED,
        render,
        |idem| {
            s.store
                .create_subscription(sub, license, &actor, idem)
                .await?
        }
    )
}

/// Filters of the subscription list.
#[derive(Deserialize)]
pub struct SubscriptionQuery {
    customer_id: Option<String>,
    plan_id: Option<String>,
    status: Option<String>,
    term_end_before: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /v1/subscriptions`, soonest term end first.
pub async fn list(State(s): State<AppState>, staff: Staff, Q(q): Q<SubscriptionQuery>) -> Answer {
    staff.allow(READERS)?;
    let page = PageQuery::new(q.limit, q.offset).page()?;
    let filter = SubscriptionFilter {
        customer_id: q.customer_id,
        plan_id: q.plan_id,
        status: q.status,
        term_end_before: q
            .term_end_before
            .as_deref()
            .map(|d| date("term_end_before", d))
            .transpose()?,
    };
    let items = s
        .store
        .list_subscriptions(&filter, page)
        .await?
        .iter()
        .map(shown)
        .collect::<ApiResult<Vec<Value>>>()?;
    super::list(&items, page)
}

/// `GET /v1/subscriptions/{id}`.
pub async fn show(State(s): State<AppState>, staff: Staff, Path(id): Path<String>) -> Answer {
    staff.allow(READERS)?;
    ok(shown(&s.store.subscription(&id).await?)?)
}

/// `PUT /v1/subscriptions/{id}/seats`: a raise by admin or finance, a cut
/// by any of admin, issuer, finance; the licenses follow, and none goes
/// below its seats in use (409 `seats_in_use`).
pub async fn set_seats(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<SeatsRequest>,
) -> Answer {
    let current = s.store.subscription(&id).await?;
    let (seats, may_raise, ev) = seats_change(
        &staff,
        &id,
        "subscription.seats",
        (current.seats, body.value.seats),
        RAISERS,
        COMMERCE,
    )?;
    ok(shown(
        &s.store
            .set_subscription_seats(&id, seats, may_raise, ev)
            .await?,
    )?)
}

/// The 409 for a subscription changed by another request between our read
/// and our write, three times running.
fn busy() -> ApiError {
    ApiError::conflict(
        "subscription_changed",
        "the subscription kept changing during the request; try again",
    )
}

/// How many times a change is decided again after losing a race.
const ATTEMPTS: usize = 3;

/// Refuses changes to a subscription that is no longer active.
fn refuse_unless_active(sub: &Subscription) -> ApiResult<()> {
    match sub.status.as_str() {
        "active" => Ok(()),
        status => Err(ApiError::conflict(
            "subscription_inactive",
            format!("the subscription is {status}"),
        )
        // Not "status": in a problem document that is the HTTP status.
        .with(json!({ "subscription_status": status, "ends_on": sub.ends_on }))),
    }
}

/// `PUT /v1/subscriptions/{id}/billing` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingRequest {
    billing: Option<String>,
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
) -> Answer {
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
        refuse_unless_active(&read)?;
        let day = today(&read)?;
        let mut next = read.as_of(day)?;
        let contract = next.contract()?;
        let mut pending = next.pending.clone().unwrap_or_default();
        if let Some(interval) = interval {
            if interval == contract.invoices().interval() {
                pending.interval = None;
                pending.interval_effective = None;
                pending.interval_from_month = None;
            } else {
                let change = contract.change_interval(interval, day).map_err(bad)?;
                pending.interval = Some(interval.name().to_owned());
                pending.interval_effective = Some(change.effective);
                pending.interval_from_month = Some(change.contract.invoices().from_month());
            }
        }
        if let Some(model) = model {
            if model == contract.model() {
                pending.billing = None;
                pending.billing_effective = None;
            } else {
                if contract.renewal() == RenewalOption::None {
                    return Err(ApiError::conflict(
                        "does_not_renew",
                        "the subscription ends with this term: a new billing model has no term to apply to",
                    ));
                }
                pending.billing = Some(model.name().to_owned());
                pending.billing_effective = next.term_end.succ_opt();
            }
        }
        // The next term must be possible under the change (a monthly term
        // is not invoiced yearly).
        let next_model = match &pending.billing {
            Some(name) => name.parse().map_err(bad)?,
            None => contract.model(),
        };
        let next_interval = match &pending.interval {
            Some(name) => name.parse().map_err(bad)?,
            None => contract.invoices().interval(),
        };
        if next_interval.months() > next_model.term_months() {
            return Err(bad(BillingError::IntervalExceedsTerm {
                interval: next_interval,
                model: next_model,
            }));
        }
        next.pending = (pending != PendingChange::default()).then_some(pending);
        showable(&next)?;
        let ev = Event {
            actor: staff.actor(),
            operation: "subscription.billing",
            subject: id.clone(),
            license_id: None,
            customer_id: None,
            details: json!({ "pending": next.pending }),
        };
        if let Some(saved) = s.store.update_subscription(&next, &[], ev).await? {
            return ok(shown(&saved)?);
        }
    }
    Err(busy())
}

/// Re-signs every license of `sub` to expire at the end of `last_day`
/// (`mode` as for `POST /v1/licenses/{id}/renew`); the new records, and
/// the renewal tokens by license id.
async fn extend_licenses(
    s: &AppState,
    sub: &Subscription,
    last_day: NaiveDate,
    mode: &str,
) -> ApiResult<(Vec<LicenseRecord>, serde_json::Map<String, Value>)> {
    let expires = sub.end_of(last_day)?;
    let mut records = Vec::new();
    let mut tokens = serde_json::Map::new();
    for id in &sub.license_ids {
        let mut record = s.store.license(id).await?;
        if let Some(token) = extend_license(s, &mut record, expires, None, mode, None).await? {
            tokens.insert(id.clone(), Value::String(token));
        }
        records.push(record);
    }
    Ok((records, tokens))
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
) -> Answer {
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
            (Vec::new(), serde_json::Map::new())
        };
        let ev = Event {
            actor: staff.actor(),
            operation: "subscription.cancel",
            subject: id.clone(),
            license_id: None,
            customer_id: None,
            details: json!({ "ends_on": cancellation.ends_on, "reason": why }),
        };
        if let Some(saved) = s.store.update_subscription(&next, &licenses, ev).await? {
            return ok(shown(&saved)?);
        }
    }
    Err(busy())
}

/// What a renewal did.
#[derive(Debug)]
pub(crate) struct Renewal {
    /// The subscription as it stands after the call.
    pub subscription: Subscription,
    /// Whether this call renewed the term (false: it was renewed before).
    pub renewed: bool,
    /// Renewal tokens by license id (`token` mode).
    pub tokens: serde_json::Map<String, Value>,
}

/// Renews the term of `id` that ends on `term_end` (the current one when
/// `None`) per its renewal option, extending its licenses to the new
/// term's end (`mode`: `file` re-signs the licenses' own files, `token`
/// makes renewal tokens). Once per term: when that term was already
/// renewed, by an earlier call or a racing one, nothing more happens and
/// `renewed` is false. Refused (409) for a subscription that does not
/// renew (option `none`, cancelled, ended) or a `term_end` that is not
/// the current term's or an earlier one.
pub(crate) async fn renew_term(
    s: &AppState,
    id: &str,
    term_end: Option<NaiveDate>,
    mode: &str,
    actor: &str,
) -> ApiResult<Renewal> {
    let mut target = term_end;
    for _ in 0..ATTEMPTS {
        let read = s.store.subscription(id).await?;
        // Fixed at the first read, so a retry never renews a second term.
        let target = *target.get_or_insert(read.term_end);
        if read.term_end > target {
            return Ok(Renewal {
                subscription: read,
                renewed: false,
                tokens: serde_json::Map::new(),
            });
        }
        if read.term_end < target {
            return Err(ApiError::conflict(
                "not_current_term",
                format!("the current term ends on {}", read.term_end),
            )
            .with(json!({ "term_end": read.term_end })));
        }
        refuse_unless_active(&read)?;
        let Some(contract) = read.next_contract()? else {
            return Err(ApiError::conflict(
                "does_not_renew",
                format!(
                    "the renewal option is {}: the subscription ends on {}",
                    read.renewal, read.term_end
                ),
            )
            .with(json!({ "renewal": read.renewal, "term_end": read.term_end })));
        };
        let next = read.renewed(&contract)?;
        showable(&next)?;
        let (licenses, tokens) = extend_licenses(s, &next, next.term_end, mode).await?;
        let ev = Event {
            actor: actor.to_owned(),
            operation: "subscription.renew",
            subject: id.to_owned(),
            license_id: None,
            customer_id: None,
            details: json!({
                "from_term_end": read.term_end, "term_start": next.term_start,
                "term_end": next.term_end, "billing": next.billing,
                "interval": next.interval, "renewal": next.renewal,
            }),
        };
        if let Some(saved) = s.store.update_subscription(&next, &licenses, ev).await? {
            return Ok(Renewal {
                subscription: saved,
                renewed: true,
                tokens,
            });
        }
    }
    Err(busy())
}

/// For the periodic job: brings `id` up to `today` (a day in its zone).
/// Each term that ended before `today` and renews is renewed (licenses
/// re-signed in `file` mode, history recorded, actor `system`); a
/// subscription whose last day has passed without renewal becomes
/// `ended`. Safe to call any number of times, from any number of
/// instances: a term renews once. Answers the subscription as it stands
/// and how many terms this call renewed.
pub(crate) async fn renew_due(
    s: &AppState,
    id: &str,
    today: NaiveDate,
) -> ApiResult<(Subscription, u32)> {
    let mut renewed = 0;
    loop {
        let read = s.store.subscription(id).await?;
        let last_day = read.ends_on.unwrap_or(read.term_end);
        if read.status == "ended" || last_day >= today {
            return Ok((read, renewed));
        }
        if read.next_contract()?.is_some() {
            if renew_term(s, id, Some(read.term_end), "file", "system")
                .await?
                .renewed
            {
                renewed += 1;
            }
            continue;
        }
        let mut ended = read.clone();
        ended.status = "ended".into();
        ended.ends_on = Some(last_day);
        ended.pending = None;
        let ev = Event {
            actor: "system".into(),
            operation: "subscription.end",
            subject: id.to_owned(),
            license_id: None,
            customer_id: None,
            details: json!({ "ends_on": last_day }),
        };
        // Lost to a concurrent change: read again and decide again.
        s.store.update_subscription(&ended, &[], ev).await?;
    }
}

/// `POST /v1/subscriptions/{id}/renew` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    /// The last day of the term to renew (default: the current term's).
    term_end: Option<String>,
    /// `file` (default) or `token`.
    #[serde(default = "file_mode")]
    mode: String,
}

/// `POST /v1/subscriptions/{id}/renew` (admin, issuer, finance): renews the
/// current term now (see [`renew_term`]); naming `term_end` makes a retry
/// safe: a term renews once.
pub async fn renew(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Option<Body<RenewRequest>>,
) -> Answer {
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
    ok(json!({
        "subscription": shown(&r.subscription)?,
        "renewed": r.renewed,
        "renewal_tokens": r.tokens,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{launch_with_listener, Config};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// What the periodic job relies on: [`renew_due`] catches up on every
    /// term that ended, once however often it runs, and ends what does not
    /// renew. The catalogue is made over HTTP by a running server; the job
    /// runs on an [`AppState`] of its own on the same database, as
    /// `licentia jobs run` does.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn renew_due_catches_up_once_and_ends() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            listen: "127.0.0.1:0".parse().unwrap(),
            rate_limit_per_minute: 0,
            ..Config::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = launch_with_listener(config.clone(), listener)
            .await
            .unwrap();
        let admin = running.bootstrap_token.clone().unwrap();
        let client = reqwest::Client::new();
        let base = format!("http://{}", running.addr);
        let post = |path: &str, body: Value| {
            let req = client
                .post(format!("{base}{path}"))
                .bearer_auth(&admin)
                .json(&body);
            async move {
                let resp = req.send().await.unwrap();
                assert_eq!(resp.status(), 201);
                resp.json::<Value>().await.unwrap()
            }
        };
        let product = post("/v1/products", json!({"code": "due", "name": "Due"})).await;
        let policy = post(
            "/v1/policies",
            json!({"product_id": product["id"], "name": "p", "binding": "unbound"}),
        )
        .await;
        let plan = post(
            "/v1/plans",
            json!({"name": "Plan", "policy_id": policy["id"]}),
        )
        .await;
        let customer = post("/v1/customers", json!({"kind": "customer", "name": "Acme"})).await;
        let subscribe = |start: &str, billing: &str, renewal: &str| {
            post(
                "/v1/subscriptions",
                json!({
                    "customer_id": customer["id"], "plan_id": plan["id"], "seats": 2,
                    "billing": billing, "interval": "monthly", "start": start,
                    "renewal": renewal, "notice": "1 month before term end",
                }),
            )
        };
        let monthly = subscribe("2030-01-15", "monthly", "always").await;
        let once = subscribe("2030-01-01", "prepaid_1y", "once").await;
        let id = |v: &Value| v["subscription"]["id"].as_str().unwrap().to_owned();
        let (monthly, once) = (id(&monthly), id(&once));

        let state = AppState::open(&config).await.unwrap();
        // Three monthly terms ended by 20 April: each renews, in order.
        let (sub, renewed) = renew_due(&state, &monthly, day(2030, 4, 20)).await.unwrap();
        assert_eq!((renewed, sub.term_end), (3, day(2030, 5, 14)));
        let license = state.store.license(&sub.license_ids[0]).await.unwrap();
        assert_eq!(
            license.expires_at,
            Some(Timestamp::parse("2030-05-15").unwrap().0)
        );
        let history = |op: &'static str| {
            let state = state.clone();
            async move {
                let filter = crate::store::HistoryFilter {
                    operation: Some(op.into()),
                    ..Default::default()
                };
                let page = crate::store::Page {
                    limit: 500,
                    offset: 0,
                };
                state.store.history(&filter, page).await.unwrap().len()
            }
        };
        assert_eq!(history("subscription.renew").await, 3);
        // The same day again, or a day within the term: nothing more.
        for today in [day(2030, 4, 20), day(2030, 5, 14)] {
            let (sub, renewed) = renew_due(&state, &monthly, today).await.unwrap();
            assert_eq!((renewed, sub.term_end), (0, day(2030, 5, 14)));
        }
        assert_eq!(history("subscription.renew").await, 3);

        // `once` renews one year, then ends when that year is over.
        let (sub, renewed) = renew_due(&state, &once, day(2032, 6, 1)).await.unwrap();
        assert_eq!(renewed, 1);
        assert_eq!(
            (sub.status.as_str(), sub.ends_on, sub.renewal.as_str()),
            ("ended", Some(day(2031, 12, 31)), "none")
        );
        let (sub, renewed) = renew_due(&state, &once, day(2032, 6, 2)).await.unwrap();
        assert_eq!((renewed, sub.status.as_str()), (0, "ended"));
        assert_eq!(history("subscription.end").await, 1);
        running.stop().await.unwrap();
    }
}
