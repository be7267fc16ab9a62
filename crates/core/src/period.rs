//! Calendar months (`YYYY-MM`), the period of every report and settlement.
//! The fiscal year is the calendar year (docs/regler.md, "Perioder och datum").

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((1..=12).contains(&month) && crate::limits::year_ok(year)).then_some(Period { year, month })
    }
    pub fn of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }
    /// Reads `YYYY-MM` (also `YYYYMM`).
    pub fn parse(s: &str) -> Option<Period> {
        // Bytes, not text: a character of several bytes is never cut.
        let b = s.trim().as_bytes();
        let (y, m) = match b.len() {
            7 if b[4] == b'-' => (&b[..4], &b[5..]),
            6 => (&b[..4], &b[4..]),
            _ => return None,
        };
        if !y.iter().chain(m).all(u8::is_ascii_digit) {
            return None;
        }
        let number = |d: &[u8]| d.iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
        Period::new(number(y) as i32, number(m))
    }
    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u32 {
        self.month
    }
    /// `yyyymm` as an integer, the form the store keeps.
    pub fn as_int(self) -> i32 {
        self.year * 100 + self.month as i32
    }
    pub fn from_int(v: i64) -> Option<Period> {
        Period::new((v / 100) as i32, (v % 100) as u32)
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid period")
    }
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid date")
    }
    /// Whether `day` falls in this month.
    pub fn contains(self, day: NaiveDate) -> bool {
        Period::of(day) == self
    }
    pub fn days(self) -> u32 {
        self.last_day().day()
    }
    pub fn next(self) -> Period {
        self.add_months(1)
    }
    pub fn prev(self) -> Period {
        self.add_months(-1)
    }
    pub fn add_months(self, n: i32) -> Period {
        let idx = self.year * 12 + self.month as i32 - 1 + n;
        Period {
            year: idx.div_euclid(12),
            month: (idx.rem_euclid(12) + 1) as u32,
        }
    }
    /// Months from `self` to `other` (positive when `other` is later).
    pub fn months_until(self, other: Period) -> i32 {
        (other.year * 12 + other.month as i32) - (self.year * 12 + self.month as i32)
    }
    /// All periods from `self` to `last`, both included.
    pub fn through(self, last: Period) -> impl Iterator<Item = Period> {
        let n = self.months_until(last);
        (0..=n.max(-1)).map(move |i| self.add_months(i))
    }
    /// Number of days of `[from, to]` (both inclusive, `to` open-ended when
    /// `None`) that fall in this month. Decisions and stays that start or end
    /// mid-month count by days.
    pub fn overlap_days(self, from: NaiveDate, to: Option<NaiveDate>) -> u32 {
        let start = from.max(self.first_day());
        let end = to.map_or(self.last_day(), |t| t.min(self.last_day()));
        if end < start {
            0
        } else {
            (end - start).num_days() as u32 + 1
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("ogiltig period: {s}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (the staff import's period column, and any
    /// `period=` in the web): six bytes with a character of two bytes at
    /// byte 3 were cut inside it and panicked.
    #[test]
    fn a_period_with_a_wide_character_is_refused_not_a_crash() {
        for s in ["711ån", "2från", "_från", "202å1", "2025-å", "20é-01", "ååå"] {
            assert_eq!(Period::parse(s), None, "{s}");
        }
        assert_eq!(Period::parse("2025-01"), Period::new(2025, 1));
        assert_eq!(Period::parse(" 202512 "), Period::new(2025, 12));
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }
    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(p("2026-08").to_string(), "2026-08");
        assert_eq!(p("202601"), p("2026-01"));
        for bad in ["2026-13", "2026-00", "26-08", "2026/08", "abcd-ef", ""] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn month_arithmetic_crosses_years() {
        assert_eq!(p("2025-12").next(), p("2026-01"));
        assert_eq!(p("2026-01").prev(), p("2025-12"));
        assert_eq!(p("2025-01").add_months(21), p("2026-10"));
        assert_eq!(p("2025-01").months_until(p("2026-10")), 21);
        assert_eq!(p("2025-01").through(p("2026-10")).count(), 22);
        assert_eq!(p("2025-03").through(p("2025-02")).count(), 0);
    }

    #[test]
    fn days_in_month_and_leap_years() {
        let cases = [
            ("2024-02", 29),
            ("2025-02", 28),
            ("2100-02", 28),
            ("2000-02", 29),
            ("2026-04", 30),
            ("2026-12", 31),
        ];
        for (per, days) in cases {
            assert_eq!(p(per).days(), days, "{per}");
        }
    }

    #[test]
    fn overlap_counts_days_inside_the_month() {
        let m = p("2026-03");
        // (from, to, days, reason)
        let cases = [
            (
                "2026-03-10",
                Some("2026-03-20"),
                11,
                "starts and ends mid-month, both days count",
            ),
            ("2026-01-01", None, 31, "open-ended stay covers the whole month"),
            ("2026-03-31", None, 1, "moves in on the last day"),
            ("2026-02-01", Some("2026-03-01"), 1, "moves out on the first day"),
            ("2026-04-01", None, 0, "starts after the month"),
            ("2025-01-01", Some("2026-02-28"), 0, "ended before the month"),
        ];
        for (from, to, want, why) in cases {
            assert_eq!(m.overlap_days(d(from), to.map(d)), want, "{why}");
        }
    }
}
