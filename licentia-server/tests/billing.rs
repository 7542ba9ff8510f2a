//! The subscription calendar (`licentia_server::billing`) at its edges and
//! under properties: month ends, leap days, notice periods, time zones,
//! cycle changes, renewal options and an idempotent daily notice run.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use licentia::Timestamp;
use licentia_server::billing::{
    add_months, due_notices, last_day_of_month, AnchoredSchedule, BillingError, BillingInterval,
    BillingModel, Cancellation, Contract, LeadTimes, NoticeKey, NoticePeriod, RenewalOption,
    TermEnd, Zone, ZonedDate,
};
use proptest::prelude::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn zone(name: &str) -> Zone {
    name.parse().unwrap()
}

fn renewed(c: &Contract) -> Contract {
    match c.at_term_end().unwrap() {
        TermEnd::Renews(next) => next,
        other => panic!("expected a renewal, got {other:?}"),
    }
}

#[test]
fn thirty_first_of_january_plus_one_month() {
    assert_eq!(add_months(day(2025, 1, 31), 1).unwrap(), day(2025, 2, 28));
    assert_eq!(add_months(day(2024, 1, 31), 1).unwrap(), day(2024, 2, 29));
    assert_eq!(add_months(day(2100, 1, 31), 1).unwrap(), day(2100, 2, 28));
    assert_eq!(add_months(day(2000, 1, 31), 1).unwrap(), day(2000, 2, 29));
    // The day is clamped, not carried: two single steps lose the 31st,
    // which is why schedules count from their anchor.
    let twice = add_months(add_months(day(2025, 1, 31), 1).unwrap(), 1).unwrap();
    assert_eq!(twice, day(2025, 3, 28));
    let anchored = AnchoredSchedule::new(day(2025, 1, 31), 0, 1).unwrap();
    assert_eq!(anchored.nth(2).unwrap(), day(2025, 3, 31));
}

#[test]
fn leap_days_2024_2025_and_2100() {
    assert_eq!(add_months(day(2024, 2, 29), 12).unwrap(), day(2025, 2, 28));
    assert_eq!(add_months(day(2024, 2, 29), -12).unwrap(), day(2023, 2, 28));
    assert_eq!(last_day_of_month(day(2024, 2, 1)), day(2024, 2, 29));
    assert_eq!(last_day_of_month(day(2025, 2, 1)), day(2025, 2, 28));
    assert_eq!(last_day_of_month(day(2100, 2, 1)), day(2100, 2, 28));
    // A yearly subscription started on a leap day keeps 29 February when
    // there is one.
    let c = Contract::new(
        day(2024, 2, 29),
        BillingModel::Prepaid1Year,
        BillingInterval::Yearly,
        RenewalOption::Always,
    )
    .unwrap();
    let starts: Vec<_> = c
        .renewals()
        .take(5)
        .map(|c| c.unwrap().term().start())
        .collect();
    assert_eq!(
        starts,
        [
            day(2024, 2, 29),
            day(2025, 2, 28),
            day(2026, 2, 28),
            day(2027, 2, 28),
            day(2028, 2, 29)
        ]
    );
    // Across 2100, which has no 29 February.
    let century = AnchoredSchedule::new(day(2096, 2, 29), 0, 48).unwrap();
    assert_eq!(century.nth(1).unwrap(), day(2100, 2, 28));
    assert_eq!(century.nth(2).unwrap(), day(2104, 2, 29));
}

#[test]
fn one_week_before_month_end_the_day_itself_and_the_day_after() {
    let c = Contract::new(
        day(2025, 1, 31),
        BillingModel::Monthly,
        BillingInterval::Monthly,
        RenewalOption::Always,
    )
    .unwrap();
    let notice: NoticePeriod = "1 week before month end".parse().unwrap();
    assert_eq!(
        c.cancellation(&notice, day(2025, 2, 21)).unwrap(),
        Some(Cancellation {
            last_day_to_cancel: day(2025, 2, 21),
            ends_on: day(2025, 2, 28)
        })
    );
    assert_eq!(
        c.cancellation(&notice, day(2025, 2, 22)).unwrap(),
        Some(Cancellation {
            last_day_to_cancel: day(2025, 3, 24),
            ends_on: day(2025, 3, 31)
        })
    );
}

#[test]
fn three_months_before_term_end_the_day_itself_and_the_day_after() {
    let c = Contract::new(
        day(2024, 1, 31),
        BillingModel::Prepaid3Years,
        BillingInterval::Yearly,
        RenewalOption::Always,
    )
    .unwrap();
    assert_eq!(c.term().end(), day(2027, 1, 30));
    let notice: NoticePeriod = "3 months before term end".parse().unwrap();
    // Ends at the start of 2027-01-31; three months before is 2026-10-31.
    let on_time = c.cancellation(&notice, day(2026, 10, 30)).unwrap().unwrap();
    assert_eq!(on_time.last_day_to_cancel, day(2026, 10, 30));
    assert_eq!(on_time.ends_on, day(2027, 1, 30));
    let late = c.cancellation(&notice, day(2026, 10, 31)).unwrap().unwrap();
    assert_eq!(late.ends_on, day(2030, 1, 30));
    assert_eq!(late.last_day_to_cancel, day(2029, 10, 30));
}

#[test]
fn a_date_in_auckland_and_in_los_angeles_are_different_instants() {
    let d = day(2027, 7, 1);
    let nz = ZonedDate::new(d, zone("Pacific/Auckland")).unwrap();
    let la = ZonedDate::new(d, zone("America/Los_Angeles")).unwrap();
    // July: NZST +12, PDT -7; the same date starts 19 hours apart.
    assert_eq!(nz.start(), at("2027-06-30T12:00:00Z"));
    assert_eq!(la.start(), at("2027-07-01T07:00:00Z"));
    assert_eq!(la.start().0 - nz.start().0, 19 * 3600);
    // One instant is a different date in each.
    let noon_utc = at("2027-07-01T12:00:00Z");
    assert_eq!(
        ZonedDate::of_instant(noon_utc, zone("Pacific/Auckland"))
            .unwrap()
            .date(),
        day(2027, 7, 2)
    );
    assert_eq!(
        ZonedDate::of_instant(noon_utc, zone("America/Los_Angeles"))
            .unwrap()
            .date(),
        day(2027, 7, 1)
    );
}

#[test]
fn expiry_on_a_berlin_dst_day() {
    let berlin = zone("Europe/Berlin");
    // 2027-03-28: clocks go from 02:00 CET to 03:00 CEST.
    let dst = ZonedDate::new(day(2027, 3, 28), berlin).unwrap();
    assert_eq!(dst.start(), at("2027-03-27T23:00:00Z"));
    assert_eq!(dst.end(), at("2027-03-28T22:00:00Z"));
    // Expires "on 2027-03-31": the first instant of 1 April, in CEST.
    let expiry = ZonedDate::new(day(2027, 3, 31), berlin).unwrap();
    assert_eq!(expiry.end(), at("2027-03-31T22:00:00Z"));
    // In winter the same rule gives 23:00Z.
    let winter = ZonedDate::new(day(2027, 1, 31), berlin).unwrap();
    assert_eq!(winter.end(), at("2027-01-31T23:00:00Z"));
    // The last second of the DST day is still that day; the next is not.
    assert_eq!(
        ZonedDate::of_instant(Timestamp(dst.end().0 - 1), berlin).unwrap(),
        dst
    );
    assert_eq!(
        ZonedDate::of_instant(dst.end(), berlin).unwrap().date(),
        day(2027, 3, 29)
    );
}

#[test]
fn a_cycle_change_mid_cycle_takes_effect_at_the_next_cycle() {
    let c = Contract::new(
        day(2025, 8, 31),
        BillingModel::Prepaid3Years,
        BillingInterval::Quarterly,
        RenewalOption::Always,
    )
    .unwrap();
    // Quarterly: 31 Aug, 30 Nov, 28 Feb, 31 May... Asked for yearly on
    // 15 December: the current quarter runs to 27 February.
    let change = c
        .change_interval(BillingInterval::Yearly, day(2025, 12, 15))
        .unwrap();
    assert_eq!(change.effective, day(2026, 2, 28));
    assert_eq!(
        c.next_invoice(day(2025, 12, 15)).unwrap(),
        Some(change.effective)
    );
    let after = change.contract;
    assert_eq!(
        after.next_invoice(day(2026, 3, 1)).unwrap(),
        Some(day(2027, 2, 28))
    );
    assert_eq!(
        after.next_invoice(day(2027, 3, 1)).unwrap(),
        Some(day(2028, 2, 29))
    );
    // The term ends 2028-08-30; February 2029 is the next term's.
    assert_eq!(after.next_invoice(day(2028, 3, 1)).unwrap(), None);
    // Term and renewal are untouched.
    assert_eq!(after.term(), c.term());
    assert_eq!(after.renewal(), RenewalOption::Always);
}

#[test]
fn every_renewal_option_at_term_end() {
    let make = |renewal| {
        Contract::new(
            day(2025, 1, 31),
            BillingModel::Prepaid1Year,
            BillingInterval::Yearly,
            renewal,
        )
        .unwrap()
    };
    let ends: Vec<_> = RenewalOption::ALL
        .iter()
        .map(|&r| make(r).at_term_end().unwrap())
        .collect();
    assert_eq!(
        ends[0],
        TermEnd::Ends {
            on: day(2026, 1, 30)
        }
    );
    for (option, end) in RenewalOption::ALL.iter().zip(&ends).skip(1) {
        let TermEnd::Renews(next) = end else {
            panic!("{option} should renew")
        };
        assert_eq!(next.term().start(), day(2026, 1, 31), "{option}");
    }
    // The next term of the contract whose term end is `ends[i]`.
    let next = |i: usize| {
        let TermEnd::Renews(next) = ends[i] else {
            unreachable!()
        };
        next
    };
    let (once, always, monthly) = (next(1), next(2), next(3));
    assert_eq!(
        (once.model(), once.renewal(), once.term().end()),
        (
            BillingModel::Prepaid1Year,
            RenewalOption::None,
            day(2027, 1, 30)
        )
    );
    assert_eq!(
        (always.model(), always.renewal()),
        (BillingModel::Prepaid1Year, RenewalOption::Always)
    );
    assert_eq!(
        (monthly.model(), monthly.renewal(), monthly.term().end()),
        (
            BillingModel::Monthly,
            RenewalOption::Always,
            day(2026, 2, 27)
        )
    );
    assert_eq!(monthly.invoices().interval(), BillingInterval::Monthly);
    assert_eq!(renewed(&monthly).term().start(), day(2026, 2, 28));
    assert_eq!(renewed(&renewed(&monthly)).term().start(), day(2026, 3, 31));
}

#[test]
fn persisted_parts_rebuild_the_same_contract() {
    let c = Contract::new(
        day(2024, 5, 31),
        BillingModel::Prepaid1Year,
        BillingInterval::Quarterly,
        RenewalOption::SwitchToMonthly,
    )
    .unwrap();
    let next = renewed(&c);
    // What the store keeps: anchor, month offsets, lengths and names.
    let term = licentia_server::billing::Term::new(
        next.term().anchor(),
        next.term().from_month(),
        next.term().months(),
    )
    .unwrap();
    let invoices = licentia_server::billing::InvoiceSchedule::new(
        next.term().anchor(),
        next.invoices().from_month(),
        next.invoices().interval().to_string().parse().unwrap(),
    )
    .unwrap();
    let rebuilt = Contract::from_parts(
        term,
        next.model().to_string().parse().unwrap(),
        invoices,
        next.renewal().to_string().parse().unwrap(),
    )
    .unwrap();
    assert_eq!(rebuilt, next);
    assert!(matches!(
        Contract::from_parts(
            term,
            BillingModel::Prepaid1Year,
            invoices,
            RenewalOption::None
        ),
        Err(BillingError::TermLength { months: 1, .. })
    ));
}

/// The daily job's contract: each key is due from `end - lead`, is returned
/// every day until the end, and a run that remembers what it sent sends each
/// exactly once, whether it runs once a day, twice a day or skips days.
#[test]
fn a_daily_notice_run_sends_each_notice_exactly_once() {
    let leads: LeadTimes = "90,30,7".parse().unwrap();
    let end = day(2027, 3, 31);
    let mut sent: BTreeSet<NoticeKey<&str, &str>> = BTreeSet::new();
    let mut log = Vec::new();
    let mut d = day(2026, 11, 1);
    while d <= day(2027, 4, 30) {
        for _run in 0..2 {
            for key in due_notices(&"sub-1", &"expiry", end, &leads, d) {
                if sent.insert(key.clone()) {
                    log.push((d, key.lead_days));
                }
            }
        }
        // Skip a stretch of days, as a job that was down would.
        d = if d == day(2027, 3, 20) {
            day(2027, 3, 26)
        } else {
            d.succ_opt().unwrap()
        };
    }
    assert_eq!(
        log,
        [
            (day(2026, 12, 31), 90),
            (day(2027, 3, 1), 30),
            (day(2027, 3, 26), 7)
        ]
    );
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1i32..=9998, 1u32..=12, 1u32..=31)
        .prop_filter_map("a real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

fn recent_date() -> impl Strategy<Value = NaiveDate> {
    (1990i32..=2090, 1u32..=12, 1u32..=31)
        .prop_filter_map("a real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

fn notice() -> impl Strategy<Value = NoticePeriod> {
    (
        1u32..=40,
        prop::sample::select(vec!["day", "week", "month"]),
        prop::sample::select(vec!["month", "quarter", "year", "term"]),
    )
        .prop_map(|(n, unit, boundary)| {
            let s = if n == 1 { "" } else { "s" };
            format!("{n} {unit}{s} before {boundary} end")
                .parse()
                .unwrap()
        })
}

fn contract() -> impl Strategy<Value = Contract> {
    (
        recent_date(),
        prop::sample::select(BillingModel::ALL.to_vec()),
        prop::sample::select(RenewalOption::ALL.to_vec()),
    )
        .prop_map(|(start, model, renewal)| {
            Contract::new(start, model, BillingInterval::Monthly, renewal).unwrap()
        })
}

proptest! {
    #[test]
    fn adding_months_never_overshoots_the_month_end(d in date(), n in -1200i64..=1200) {
        if let Ok(got) = add_months(d, n) {
            let months = |x: NaiveDate| i64::from(x.year()) * 12 + i64::from(x.month0());
            prop_assert_eq!(months(got), months(d) + n);
            prop_assert!(got.day() <= d.day());
            prop_assert!(got.day() == d.day() || got == last_day_of_month(got));
        } else {
            let reached = i64::from(d.year()) * 12 + i64::from(d.month0()) + n;
            prop_assert!(!(12..=9999 * 12 + 11).contains(&reached));
        }
    }

    #[test]
    fn anchored_schedules_strictly_increase_and_keep_the_anchor_day(
        anchor in recent_date(),
        offset in 0u32..120,
        step in prop::sample::select(vec![1u32, 3, 12, 36, 60]),
        k in 0u32..100,
    ) {
        let s = AnchoredSchedule::new(anchor, offset, step).unwrap();
        let (a, b) = (s.nth(k).unwrap(), s.nth(k + 1).unwrap());
        prop_assert!(a < b);
        prop_assert_eq!(b.day(), anchor.day().min(last_day_of_month(b).day()));
    }

    #[test]
    fn first_on_or_after_is_the_first(
        anchor in recent_date(),
        step in prop::sample::select(vec![1u32, 3, 12]),
        probe in recent_date(),
    ) {
        let s = AnchoredSchedule::new(anchor, 0, step).unwrap();
        let k = s.first_on_or_after(probe).unwrap();
        prop_assert!(s.nth(k).unwrap() >= probe);
        if k > 0 {
            prop_assert!(s.nth(k - 1).unwrap() < probe);
        }
        let after = s.first_after(probe).unwrap();
        prop_assert!(s.nth(after).unwrap() > probe);
    }

    #[test]
    fn notice_deadlines_never_pass_the_end(n in notice(), end in recent_date()) {
        let deadline = n.last_day_to_cancel(end).unwrap();
        prop_assert!(deadline <= end);
        prop_assert_eq!(n.to_string().parse::<NoticePeriod>().unwrap(), n);
    }

    #[test]
    fn cancellations_respect_as_of_and_move_on_the_day_after(
        c in contract(),
        n in notice(),
        as_of in recent_date(),
    ) {
        match c.cancellation(&n, as_of).unwrap() {
            Some(got) => {
                prop_assert!(as_of <= got.last_day_to_cancel);
                prop_assert!(got.last_day_to_cancel <= got.ends_on);
                prop_assert!(c.term().start() <= got.ends_on);
                prop_assert!(c.final_end().unwrap().is_none_or(|last| got.ends_on <= last));
                // The deadline day still gives this end; the next day a later one.
                let same = c.cancellation(&n, got.last_day_to_cancel).unwrap();
                prop_assert_eq!(same, Some(got));
                let next_day = got.last_day_to_cancel.succ_opt().unwrap();
                if let Some(later) = c.cancellation(&n, next_day).unwrap() {
                    prop_assert!(later.ends_on > got.ends_on);
                }
            }
            None => prop_assert!(c.final_end().unwrap().is_some()),
        }
    }

    #[test]
    fn executing_due_renewals_is_idempotent(c in contract(), today in recent_date()) {
        let due = c.renewals_due(today).unwrap();
        let current = due.last().copied().unwrap_or(c);
        prop_assert_eq!(current.renewals_due(today).unwrap(), Vec::new());
        // Either the current term runs on `today` (or has not started), or
        // the subscription has ended before it.
        if current.term().end() < today {
            prop_assert_eq!(current.final_end().unwrap(), Some(current.term().end()));
        }
        for pair in due.windows(2) {
            prop_assert_eq!(pair[0].term().end().succ_opt().unwrap(), pair[1].term().start());
        }
    }

    #[test]
    fn zoned_days_tile_time(
        d in recent_date(),
        name in prop::sample::select(vec![
            "Europe/Berlin", "Pacific/Auckland", "America/Los_Angeles",
            "America/Santiago", "America/Havana", "Asia/Kolkata", "UTC",
        ]),
    ) {
        let z: Zone = name.parse().unwrap();
        let today = ZonedDate::new(d, z).unwrap();
        let tomorrow = ZonedDate::new(d.succ_opt().unwrap(), z).unwrap();
        prop_assert_eq!(today.end(), tomorrow.start());
        prop_assert!(today.end().0 - today.start().0 >= 22 * 3600);
        prop_assert!(today.end().0 - today.start().0 <= 26 * 3600);
        prop_assert_eq!(ZonedDate::of_instant(today.start(), z).unwrap(), today);
        prop_assert_eq!(ZonedDate::of_instant(Timestamp(today.end().0 - 1), z).unwrap(), today);
    }

    #[test]
    fn a_notice_is_due_exactly_from_end_minus_lead_to_end(
        end in recent_date(),
        lead in 0u32..=400,
        offset in -500i64..=20,
    ) {
        let leads = LeadTimes::new([lead]).unwrap();
        let d = end + chrono::Duration::days(offset);
        let due = !due_notices(&1u8, &"expiry", end, &leads, d).is_empty();
        prop_assert_eq!(due, -i64::from(lead) <= offset && offset <= 0);
    }
}
