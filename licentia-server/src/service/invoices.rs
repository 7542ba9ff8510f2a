//! Invoices' business: what the nightly job bills, once per subject and
//! period, and what staff record of them (paid or void: licentia takes no
//! payment). The money rules (prices per seat per month, tax once per
//! invoice rounded half away from zero, proration by days) are
//! [`crate::billing`]'s; the periods come from each subscription's
//! invoice schedule.
//!
//! **A subscription's invoices.** One per period of its invoice schedule
//! (an invoice is issued on the first day of the period it covers, e.g.
//! four a year for a prepaid year invoiced quarterly), from its first day
//! on, while it runs: its plan's seats and each option chosen, at the
//! plan's prices as they stand when the invoice is written, for the
//! interval's months. A plan without a price is not invoiced. A run after
//! a gap writes every period missed, once each, oldest first, on the
//! schedule in effect (after a change of interval, or the switch to
//! monthly at a term's end, from the change on).
//!
//! **Allocations (Wazo).** The vendor bills the top nodes of the customer
//! tree (partners, or customers it sells to directly) for the seats it
//! allocates them, one invoice per node per calendar month with a line
//! per product that has an allocation price. Allocations keep no past, so
//! a node's first invoice is for the month of the run that first finds it
//! allocated, and each month from then on is invoiced once (caught up
//! after a gap) at the seats allocated when it is written. How a partner
//! bills its own customers is its business, not licentia's.
//!
//! **Usage.** A plan may price its policy's meters per unit beyond the
//! units included each period. A subscription's invoice also carries the
//! usage of its licences in every meter period that ended before the day it
//! is written and that no invoice billed yet: one line per meter and
//! period. Each counter records the units an invoice accounted for, moved
//! in that invoice's transaction, so a unit is billed once.
//!
//! **Proration.** A change of seats or options during a period already
//! invoiced is prorated by days (see [`crate::billing::prorate`]) and carried, charge
//! or credit, by the subscription's next invoice. A change during a period
//! not invoiced yet needs none: its invoice bills the seats as they are.
//! The adjustment is written in the change's own transaction, from the
//! subscription as that transaction changed it (a change that raced
//! another is decided again), so neither is ever written without the other.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::api::{staff_event, READERS};
use crate::billing::{
    line_amount, prorate, tax, BillingError, BillingInterval, Currency, InvoiceSchedule, Period,
    Price, ZonedDate,
};
use crate::bulk::{Cell, CsvWriter};
use crate::error::{ApiError, ApiResult};
use crate::secret;
use crate::service::{now, text_field};
use crate::staff::Staff;
use crate::store::{
    Adjustment, BilledCounter, Event, Invoice, InvoiceFilter, InvoiceLine, Page, Placement, Plan,
    Prorated, Role, Rows, Subscription, ALLOCATION_INVOICE, SUBSCRIPTION_INVOICE,
};
use crate::AppState;

use Role::{Admin, Finance};

/// Who may record an invoice paid or void: finance, and admins.
pub(crate) const SETTLERS: &[Role] = &[Admin, Finance];

/// What a run wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Written {
    /// Invoices written now.
    pub written: u64,
    /// Invoices an earlier (or racing) run had written.
    pub already: u64,
}

impl Written {
    fn add(&mut self, recorded: bool) {
        if recorded {
            self.written += 1;
        } else {
            self.already += 1;
        }
    }
}

/// A refused money value: the caller's to fix, or (for stored values) a
/// price edited since, reported per subject by the job.
fn bad(e: BillingError) -> ApiError {
    ApiError::invalid(e.to_string())
}

/// The currency of `price`.
fn currency(price: &Price) -> ApiResult<Currency> {
    price.check().map_err(bad)
}

/// What one seat of `sub` costs a month at `plan`'s prices: the plan's
/// price and the price of each option it chose.
fn seat_month(plan: &Plan, price: &Price, options: &[String]) -> i64 {
    let optional: i64 = plan
        .options
        .iter()
        .filter(|o| options.contains(&o.code))
        .filter_map(|o| o.price)
        .sum();
    price.amount + optional
}

/// The lines billing `seats` seats of `plan` (and the options chosen) for
/// `months` months.
fn subscription_lines(
    plan: &Plan,
    price: &Price,
    seats: i64,
    options: &[String],
    months: u32,
) -> ApiResult<Vec<InvoiceLine>> {
    let mut lines = vec![InvoiceLine {
        kind: "plan".into(),
        description: format!("{}: {seats} seats × {months} months", plan.name),
        item: plan.id.clone(),
        quantity: seats,
        unit_amount: price.amount,
        months,
        amount: line_amount(seats, price.amount, months).map_err(bad)?,
    }];
    for o in plan.options.iter().filter(|o| options.contains(&o.code)) {
        let Some(unit) = o.price else { continue };
        lines.push(InvoiceLine {
            kind: "option".into(),
            description: format!("{}: {seats} seats × {months} months", o.name),
            item: o.code.clone(),
            quantity: seats,
            unit_amount: unit,
            months,
            amount: line_amount(seats, unit, months).map_err(bad)?,
        });
    }
    Ok(lines)
}

/// The usage lines of `sub`'s licences for every period of a priced meter
/// that ended by `ended_by` (Unix seconds) with units not invoiced yet:
/// one line per meter and period, billing the units each licence used
/// beyond the included ones (less those an earlier invoice billed) at the
/// unit price; and the counters the lines account for.
async fn usage_lines(
    s: &AppState,
    sub: &Subscription,
    plan: &Plan,
    ended_by: i64,
) -> ApiResult<(Vec<InvoiceLine>, Vec<BilledCounter>)> {
    if plan.meter_prices.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let licenses = crate::service::subscriptions::held_licenses(s, sub).await?;
    // By meter (in the plan's order) and period.
    let mut units: BTreeMap<(usize, i64, i64), i64> = BTreeMap::new();
    let mut counters = Vec::new();
    for c in s.store.unbilled_usage(&licenses, ended_by).await? {
        let Some(at) = plan.meter_prices.iter().position(|m| m.meter == c.meter) else {
            continue;
        };
        let beyond = |used: i64| (used - plan.meter_prices[at].included).max(0);
        *units.entry((at, c.period_start, c.period_end)).or_default() +=
            beyond(c.used) - beyond(c.billed_used);
        counters.push(BilledCounter {
            license_id: c.license_id.clone(),
            meter: c.meter.clone(),
            period_start: c.period_start,
            before: c.billed_used,
            after: c.used,
        });
    }
    let mut lines = Vec::new();
    for ((at, start, end), quantity) in units {
        let price = &plan.meter_prices[at];
        if quantity <= 0 {
            continue;
        }
        let day = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .map(|d| d.date_naive().to_string())
                .unwrap_or_default()
        };
        lines.push(InvoiceLine {
            kind: "usage".into(),
            description: format!(
                "{}, {} to {} (UTC): {quantity} units beyond the {} included per licence",
                price.meter,
                day(start),
                day(end - 1),
                price.included
            ),
            item: price.meter.clone(),
            quantity,
            unit_amount: price.unit_amount,
            months: 0,
            amount: line_amount(quantity, price.unit_amount, 1).map_err(bad)?,
        });
    }
    Ok((lines, counters))
}

/// An invoice of `lines` (in `currency`, taxed at `rate_bp` once on
/// their sum), due.
#[allow(clippy::too_many_arguments)]
fn invoice_of(
    kind: &str,
    subject: &str,
    customer_id: &str,
    subscription_id: Option<&str>,
    period: Period,
    currency: Currency,
    rate_bp: u32,
    lines: Vec<InvoiceLine>,
) -> ApiResult<Invoice> {
    let net = lines
        .iter()
        .try_fold(0i64, |sum, l| sum.checked_add(l.amount))
        .ok_or_else(|| {
            bad(BillingError::BadPrice(
                "the invoice's sum is too large".into(),
            ))
        })?;
    let tax = tax(net, rate_bp).map_err(bad)?;
    let at = now().0;
    Ok(Invoice {
        id: secret::new_id("inv"),
        kind: kind.to_owned(),
        subject: subject.to_owned(),
        customer_id: customer_id.to_owned(),
        subscription_id: subscription_id.map(str::to_owned),
        period_start: period.start(),
        period_end: period.end(),
        currency: currency.code().to_owned(),
        lines,
        net,
        tax_rate_bp: i64::from(rate_bp),
        tax,
        total: net.checked_add(tax).ok_or_else(|| {
            bad(BillingError::BadPrice(
                "the invoice's total is too large".into(),
            ))
        })?,
        status: "due".into(),
        settled_at: None,
        settled_note: None,
        created_at: at,
        updated_at: at,
    })
}

/// The day after `day` (the calendar's end is refused before a run).
fn after(day: NaiveDate) -> ApiResult<NaiveDate> {
    day.succ_opt()
        .ok_or_else(|| ApiError::invalid("the date falls outside the calendar"))
}

/// For the job: writes the invoices of `sub` (as renewed up to `today`)
/// for every period that started by `today` and is not invoiced yet,
/// oldest first; the first one written also carries the prorated changes
/// waiting for it. Safe to repeat, from any number of instances: a period
/// is invoiced once.
pub(crate) async fn invoice_subscription(
    s: &AppState,
    sub: &Subscription,
    today: NaiveDate,
    actor: &str,
) -> ApiResult<Written> {
    let mut done = Written::default();
    let plan = s.store.plan(&sub.plan_id).await?;
    let Some(price) = plan.price.clone() else {
        return Ok(done);
    };
    let currency = currency(&price)?;
    let now = sub.as_of(today)?;
    let contract = now.contract()?;
    let last = match sub.status.as_str() {
        "active" => today,
        _ => sub.ends_on.unwrap_or(sub.term_end).min(today),
    };
    let from = match s.store.last_invoiced(&sub.id).await? {
        Some(d) => after(d)?,
        // Never invoiced: from its start, or from the day its plan was
        // given a price.
        None => sub.start.max(plan.priced_since.unwrap_or(sub.start)),
    };
    let months = contract.invoices().interval().months();
    let periods = contract.invoices().periods(from, last).map_err(bad)?;
    if periods.is_empty() {
        return Ok(done);
    }
    let mut adjustments = s.store.open_adjustments(&sub.id).await?;
    // Usage of the periods ended before today began, in the
    // subscription's zone: billed after the fact, on its next invoice.
    let ended_by = ZonedDate::new(today, sub.zone()?).map_err(bad)?.start().0;
    let (mut usage, mut counters) = usage_lines(s, sub, &plan, ended_by).await?;
    for period in periods {
        let mut lines = subscription_lines(&plan, &price, sub.seats, &sub.options, months)?;
        let carried: Vec<String> = adjustments
            .iter()
            .filter(|a| a.currency == currency.code())
            .map(|a| a.id.clone())
            .collect();
        lines.extend(
            adjustments
                .iter()
                .filter(|a| a.currency == currency.code())
                .map(|a| InvoiceLine {
                    kind: "proration".into(),
                    description: a.description.clone(),
                    item: plan.id.clone(),
                    quantity: a.quantity,
                    unit_amount: 0,
                    months: 0,
                    amount: a.amount,
                }),
        );
        lines.extend(usage.iter().cloned());
        let invoice = invoice_of(
            SUBSCRIPTION_INVOICE,
            &sub.id,
            &sub.customer_id,
            Some(&sub.id),
            period,
            currency,
            price.tax_rate_bp,
            lines,
        )?;
        let recorded = s
            .store
            .record_invoice(invoice, &carried, &counters, actor)
            .await?;
        if recorded {
            adjustments.clear();
            usage.clear();
            counters.clear();
        }
        done.add(recorded);
    }
    Ok(done)
}

/// For the job: writes each top node's invoice of its allocated seats for
/// every calendar month that started by `today` (from the month of its
/// first invoice), once. A node that cannot be invoiced (products priced
/// in several currencies or tax rates) is added to `errors` and skipped.
pub(crate) async fn invoice_allocations(
    s: &AppState,
    today: NaiveDate,
    actor: &str,
    errors: &mut Vec<String>,
) -> ApiResult<Written> {
    let mut by_node: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for a in s.store.billed_allocations().await? {
        by_node
            .entry(a.customer_id)
            .or_default()
            .push((a.product_id, a.seats));
    }
    let month_of = |d: NaiveDate| d.with_day(1).expect("every month has a first day");
    let mut done = Written::default();
    for (node, held) in by_node {
        let mut lines = Vec::new();
        let mut terms: Option<(Currency, u32)> = None;
        let mut mixed = false;
        for (product_id, seats) in &held {
            let product = s.store.product(product_id).await?;
            let Some(price) = product.allocation_price else {
                continue;
            };
            let c = currency(&price)?;
            if terms.is_some_and(|t| t != (c, price.tax_rate_bp)) {
                mixed = true;
            }
            terms.get_or_insert((c, price.tax_rate_bp));
            lines.push(InvoiceLine {
                kind: "allocation".into(),
                description: format!("{}: {seats} allocated seats", product.name),
                item: product.id.clone(),
                quantity: *seats,
                unit_amount: price.amount,
                months: 1,
                amount: line_amount(*seats, price.amount, 1).map_err(bad)?,
            });
        }
        let Some((currency, rate)) = terms else {
            continue;
        };
        if mixed {
            errors.push(format!(
                "customer {node}: its allocated products are priced in several currencies or tax rates; one invoice has one"
            ));
            continue;
        }
        let from = match s.store.last_invoiced(&node).await? {
            Some(d) => after(d)?,
            None => month_of(today),
        };
        let months = InvoiceSchedule::new(month_of(from), 0, BillingInterval::Monthly)
            .and_then(|m| m.periods(from, today))
            .map_err(bad)?;
        for period in months {
            let invoice = invoice_of(
                ALLOCATION_INVOICE,
                &node,
                &node,
                None,
                period,
                currency,
                rate,
                lines.clone(),
            )?;
            done.add(s.store.record_invoice(invoice, &[], &[], actor).await?);
        }
    }
    Ok(done)
}

/// What a change of the seats or the options of a subscription from
/// `before` to `after` (today, in its zone) costs for the rest of the
/// period it falls in: the change of its price per period prorated by the
/// days left, for the next invoice (see the module's notes). The store
/// writes it with the change, and only when that period was already
/// invoiced. A change that bills nothing (an unpriced plan, no period yet,
/// a zero amount) has none.
pub(crate) async fn proration(
    s: &AppState,
    before: &Subscription,
    after: &Subscription,
    today: NaiveDate,
    actor: &str,
) -> ApiResult<Option<Prorated>> {
    let delta = after.seats - before.seats;
    let plan = s.store.plan(&after.plan_id).await?;
    let Some(price) = plan.price.clone() else {
        return Ok(None);
    };
    let currency = currency(&price)?;
    let schedule = after.as_of(today)?.contract()?.invoices();
    let Some(period) = schedule.period_containing(today).map_err(bad)? else {
        return Ok(None);
    };
    if delta == 0 && before.options == after.options {
        return Ok(None);
    }
    let months = schedule.interval().months();
    let priced = |sub: &Subscription| {
        line_amount(sub.seats, seat_month(&plan, &price, &sub.options), months).map_err(bad)
    };
    let per_period = priced(after)? - priced(before)?;
    let amount = prorate(per_period, period, today).map_err(bad)?;
    if amount == 0 {
        return Ok(None);
    }
    let left = (period.end() - today).num_days() + 1;
    let mut changed = Vec::new();
    if delta != 0 {
        changed.push(format!("seats {} → {}", before.seats, after.seats));
    }
    if before.options != after.options {
        let list = |o: &[String]| format!("[{}]", o.join(", "));
        changed.push(format!(
            "options {} → {}",
            list(&before.options),
            list(&after.options)
        ));
    }
    let adjustment = Adjustment {
        id: secret::new_id("adj"),
        subscription_id: after.id.clone(),
        changed_on: today,
        description: format!(
            "{} on {today}: {left} of {} days of {} to {}",
            changed.join(", "),
            period.days(),
            period.start(),
            period.end()
        ),
        quantity: delta,
        currency: currency.code().to_owned(),
        amount,
        invoice_id: None,
        created_at: now().0,
    };
    let ev = Event {
        actor: actor.to_owned(),
        operation: "invoice.adjustment",
        subject: after.id.clone(),
        license_id: None,
        customer_id: Some(after.customer_id.clone()),
        details: json!({
            "changed_on": today, "quantity": delta, "amount": amount,
            "currency": currency.code(), "period_start": period.start(),
            "period_end": period.end(),
        }),
    };
    Ok(Some(Prorated {
        adjustment,
        period_start: period.start(),
        event: ev,
    }))
}

/// The invoices within the caller's grants that `filter` keeps.
pub(crate) async fn list(
    s: &AppState,
    staff: &Staff,
    filter: &InvoiceFilter,
    page: Page,
) -> ApiResult<Rows<Invoice>> {
    check_status(filter.status.as_deref())?;
    let scope = staff.scope(READERS)?;
    Ok(s.store.list_invoices(&scope, filter, page).await?)
}

/// How many invoices within the caller's grants `filter` keeps.
pub(crate) async fn count(s: &AppState, staff: &Staff, filter: &InvoiceFilter) -> ApiResult<i64> {
    check_status(filter.status.as_deref())?;
    let scope = staff.scope(READERS)?;
    Ok(s.store.count_invoices(&scope, filter).await?)
}

/// Refuses a status that is none of `due`, `paid`, `void`.
fn check_status(status: Option<&str>) -> ApiResult<()> {
    match status {
        Some(st) if !crate::store::INVOICE_STATUSES.contains(&st) => Err(ApiError::invalid(
            format!("'{st}' is not an invoice status: expected one of due, paid, void"),
        )),
        _ => Ok(()),
    }
}

/// Records the due invoice `id` as `status` (`paid`: settled elsewhere,
/// or `void`), with an optional note (a payment reference, a reason), by
/// admin or finance at the vendor root: the invoices are the vendor's, so
/// a customer's or a partner's own admin reads them but does not settle
/// them. 409 once it is settled.
pub(crate) async fn settle(
    s: &AppState,
    staff: &Staff,
    id: &str,
    status: &str,
    note: Option<&str>,
) -> ApiResult<Invoice> {
    staff.allow_placed(SETTLERS, &Placement::Vendor)?;
    let (operation, status) = match status {
        "paid" => ("invoice.paid", "paid"),
        "void" => ("invoice.void", "void"),
        other => {
            return Err(ApiError::invalid(format!(
                "an invoice is settled as paid or void, not '{other}'"
            )))
        }
    };
    let note = note
        .filter(|n| !n.trim().is_empty())
        .map(|n| text_field("note", n, 512))
        .transpose()?;
    let ev = staff_event(staff, operation, id, json!({ "note": note }));
    Ok(s.store
        .settle_invoice(id, status, note, now().0, ev)
        .await?)
}

/// An amount of `invoice` in its currency, as people read it
/// (`1,234.50 EUR` is written `1234.50 EUR`).
pub(crate) fn shown(invoice: &Invoice, amount: i64) -> String {
    match invoice.currency.parse::<Currency>() {
        Ok(c) => c.format(amount),
        Err(_) => format!("{amount} {}", invoice.currency),
    }
}

/// The CSV columns of an invoice export; amounts in minor units of
/// `currency`.
pub(crate) const CSV_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "customer_id",
    "subscription_id",
    "period_start",
    "period_end",
    "currency",
    "net",
    "tax_rate_bp",
    "tax",
    "total",
    "status",
    "settled_note",
    "lines",
];

/// Every invoice within the caller's grants that `filter` keeps, as CSV
/// (newest period first), read 500 at a time.
pub(crate) async fn csv(s: &AppState, staff: &Staff, filter: &InvoiceFilter) -> ApiResult<String> {
    let mut w = CsvWriter::new(CSV_COLUMNS);
    let mut page = Page::first(crate::extract::MAX_LIMIT);
    loop {
        let batch = list(s, staff, filter, page.clone()).await?;
        for i in &batch.items {
            w.row(&[
                Cell::Text(&i.id),
                Cell::Text(&i.kind),
                Cell::Text(&i.customer_id),
                Cell::Opt(i.subscription_id.as_deref()),
                Cell::Text(&i.period_start.to_string()),
                Cell::Text(&i.period_end.to_string()),
                Cell::Text(&i.currency),
                Cell::Int(i.net),
                Cell::Int(i.tax_rate_bp),
                Cell::Int(i.tax),
                Cell::Int(i.total),
                Cell::Text(&i.status),
                Cell::Opt(i.settled_note.as_deref()),
                Cell::Int(i.lines.len() as i64),
            ]);
        }
        match batch.next {
            Some(next) => page.after = Some(next),
            None => return Ok(w.finish()),
        }
    }
}
