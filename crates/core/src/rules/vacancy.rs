//! Occupied days and the vacancy rule for residential and short-term care
//! (docs/regler.md, "Särskilt boende och korttid").
//!
//! Rules (docs/regler.md, "Avräkning"):
//! - an occupied day (*belagt dygn*) is a night in the place: the move-in
//!   day counts, the move-out day does not;
//! - after a move-out, payment continues for `grace_days` days (the move-out
//!   day is the first of them) or until the next move-in, whichever comes
//!   first, then stops. The same rule applies to own and external providers.

use crate::period::Period;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// One stay in a place: move-in and (if any) move-out date.
pub type Stay = (NaiveDate, Option<NaiveDate>);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlaceDays {
    pub occupied: i64,
    /// Vacant days still paid under the vacancy rule.
    pub vacancy_paid: i64,
    /// Vacant days not paid.
    pub vacant_unpaid: i64,
}

impl PlaceDays {
    pub fn paid(&self) -> i64 {
        self.occupied + self.vacancy_paid
    }
}

/// What one day of a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayStatus {
    /// Occupied by the stay with this index.
    Occupied(usize),
    /// Vacant but paid under the vacancy rule; the index of the stay that ended.
    Grace(usize),
    Vacant,
}

/// The status of `day` for a place with `stays`.
pub fn day_status(stays: &[Stay], grace_days: u32, day: NaiveDate) -> DayStatus {
    if let Some(i) = stays.iter().position(|(i, o)| *i <= day && o.is_none_or(|o| day < o)) {
        return DayStatus::Occupied(i);
    }
    // The latest move-out on or before this day, and no move-in since.
    let latest = stays
        .iter()
        .enumerate()
        .filter_map(|(k, (_, o))| o.filter(|o| *o <= day).map(|o| (o, k)))
        .max();
    match latest {
        Some((o, k))
            if day < o + Duration::days(grace_days as i64) && !stays.iter().any(|(i, _)| *i > o && *i <= day) =>
        {
            DayStatus::Grace(k)
        }
        _ => DayStatus::Vacant,
    }
}

/// Days in `month` for one place, given its stays (any order).
pub fn place_days(stays: &[Stay], grace_days: u32, month: Period) -> PlaceDays {
    let mut out = PlaceDays::default();
    for day in month.first_day().iter_days().take(month.days() as usize) {
        match day_status(stays, grace_days, day) {
            DayStatus::Occupied(_) => out.occupied += 1,
            DayStatus::Grace(_) => out.vacancy_paid += 1,
            DayStatus::Vacant => out.vacant_unpaid += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn vacancy_rule_cases() {
        let march = Period::parse("2026-03").unwrap();
        // (stays, grace days, occupied, vacancy paid, unpaid, reason)
        type Case = (Vec<Stay>, u32, i64, i64, i64, &'static str);
        let cases: Vec<Case> = vec![
            (vec![(d("2025-01-10"), None)], 2, 31, 0, 0, "no move-out: whole month"),
            (vec![(d("2026-03-10"), None)], 2, 22, 0, 9, "moves in on the 10th"),
            (
                vec![(d("2025-01-10"), Some(d("2026-03-15")))],
                2,
                14,
                2,
                15,
                "move-out 15th: 14 nights, paid 15th and 16th",
            ),
            (
                vec![(d("2025-01-10"), Some(d("2026-03-15"))), (d("2026-03-16"), None)],
                2,
                30,
                1,
                0,
                "next move-in ends the grace days",
            ),
            (
                vec![(d("2025-01-10"), Some(d("2026-03-15")))],
                0,
                14,
                0,
                17,
                "no grace days",
            ),
            (
                vec![(d("2025-01-10"), Some(d("2026-02-27")))],
                5,
                0,
                3,
                28,
                "grace days run into the next month",
            ),
            (
                vec![(d("2026-03-05"), Some(d("2026-03-05")))],
                2,
                0,
                2,
                29,
                "same-day move-in and move-out has no night",
            ),
        ];
        for (stays, grace, occ, paid, unpaid, why) in cases {
            let r = place_days(&stays, grace, march);
            assert_eq!(
                (r.occupied, r.vacancy_paid, r.vacant_unpaid),
                (occ, paid, unpaid),
                "{why}"
            );
            assert_eq!(r.occupied + r.vacancy_paid + r.vacant_unpaid, 31, "{why}");
        }
    }

    /// Paid days are the occupied nights plus the vacancy days still paid
    /// (docs/regler.md, "Avräkning"); the settlement pays this many days.
    #[test]
    fn paid_days_are_occupied_nights_plus_vacancy_days() {
        let march = Period::parse("2026-03").unwrap();
        // (stays, grace days, paid days, reason)
        type Case = (Vec<Stay>, u32, i64, &'static str);
        let cases: Vec<Case> = vec![
            (
                vec![(d("2025-01-10"), Some(d("2026-03-15")))],
                2,
                16,
                "14 nights + 2 vacancy days (15th and 16th)",
            ),
            (
                vec![(d("2025-01-10"), None)],
                2,
                31,
                "occupied all month, no vacancy days",
            ),
            (
                vec![(d("2025-01-10"), Some(d("2026-02-27")))],
                5,
                3,
                "only the vacancy days 1–3 March",
            ),
            (vec![], 2, 0, "a place without stays is not paid"),
        ];
        for (stays, grace, paid, why) in cases {
            assert_eq!(place_days(&stays, grace, march).paid(), paid, "{why}");
        }
    }

    #[test]
    fn leap_february() {
        let feb = Period::parse("2028-02").unwrap();
        let r = place_days(&[(d("2027-06-01"), None)], 2, feb);
        assert_eq!(r.occupied, 29);
    }
}
