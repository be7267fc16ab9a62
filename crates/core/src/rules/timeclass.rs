//! Time classes of home-care visits: a visit is split by minute into day,
//! evening, night and weekend/holiday time (docs/regler.md, "Hemtjänst"),
//! with the daylight-saving changes of Europe/Stockholm taken into account.
//!
//! Rules (docs/regler.md, "Avräkning"):
//! - night: every day from `night_start` to `day_start` (default 22–07);
//! - weekend/holiday (*helg*): the rest of Saturdays, Sundays, public
//!   holidays and the eves of midsummer, Christmas and New Year;
//! - evening: other days from `evening_start` to `night_start` (18–22);
//! - day: other days from `day_start` to `evening_start` (07–18).
//! - Daylight saving: on the last Sunday of March the wall-clock hour
//!   02:00–03:00 does not exist and counts 0 minutes; on the last Sunday of
//!   October it occurs twice, and a visit covering all of it gets the extra
//!   60 minutes (night). A visit starting or ending inside the repeated hour
//!   is counted once, since the wall clock cannot tell which one it was.

use crate::calendar::{is_holiday_eve, is_public_holiday};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum TimeClass {
    Dag,
    Kvall,
    Natt,
    Helg,
}

impl TimeClass {
    pub fn label(self) -> &'static str {
        match self {
            TimeClass::Dag => "dag",
            TimeClass::Kvall => "kväll",
            TimeClass::Natt => "natt",
            TimeClass::Helg => "helg",
        }
    }
}

/// Boundaries in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Boundaries {
    pub day_start: u32,
    pub evening_start: u32,
    pub night_start: u32,
}

impl Default for Boundaries {
    fn default() -> Self {
        Boundaries {
            day_start: 7 * 60,
            evening_start: 18 * 60,
            night_start: 22 * 60,
        }
    }
}

/// Minutes per time class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Split {
    pub dag: i64,
    pub kvall: i64,
    pub natt: i64,
    pub helg: i64,
}

impl Split {
    pub fn total(&self) -> i64 {
        self.dag + self.kvall + self.natt + self.helg
    }
    pub fn get(&self, c: TimeClass) -> i64 {
        match c {
            TimeClass::Dag => self.dag,
            TimeClass::Kvall => self.kvall,
            TimeClass::Natt => self.natt,
            TimeClass::Helg => self.helg,
        }
    }
    fn add(&mut self, c: TimeClass, m: i64) {
        match c {
            TimeClass::Dag => self.dag += m,
            TimeClass::Kvall => self.kvall += m,
            TimeClass::Natt => self.natt += m,
            TimeClass::Helg => self.helg += m,
        }
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let last = NaiveDate::from_ymd_opt(year, month + 1, 1).expect("valid") - Duration::days(1);
    last - Duration::days(last.weekday().num_days_from_sunday() as i64)
}

/// The day summer time starts (clocks 02:00 → 03:00).
pub fn dst_start(year: i32) -> NaiveDate {
    last_sunday(year, 3)
}
/// The day summer time ends (clocks 03:00 → 02:00).
pub fn dst_end(year: i32) -> NaiveDate {
    last_sunday(year, 10)
}

fn is_helg(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun) || is_public_holiday(d) || is_holiday_eve(d)
}

/// The class of the wall-clock minute starting at `minute` on `day`.
pub fn class_at(b: &Boundaries, day: NaiveDate, minute: u32) -> TimeClass {
    if minute >= b.night_start || minute < b.day_start {
        TimeClass::Natt
    } else if is_helg(day) {
        TimeClass::Helg
    } else if minute >= b.evening_start {
        TimeClass::Kvall
    } else {
        TimeClass::Dag
    }
}

/// Splits `[start, end)` (local wall-clock times) into minutes per class.
pub fn split(b: &Boundaries, start: NaiveDateTime, end: NaiveDateTime) -> Split {
    let mut out = Split::default();
    if end <= start {
        return out;
    }
    let mut t = start;
    while t < end {
        let day = t.date();
        let minute = t.hour() * 60 + t.minute();
        // Next point where the class may change: a boundary or midnight.
        let next_min = [b.day_start, b.evening_start, b.night_start, 24 * 60]
            .into_iter()
            .filter(|&m| m > minute)
            .min()
            .unwrap_or(24 * 60);
        let next = (day.and_time(NaiveTime::MIN) + Duration::minutes(next_min as i64)).min(end);
        let class = class_at(b, day, minute);
        let mut minutes = (next - t).num_minutes();
        // Daylight saving, measured on the wall clock between 02:00 and 03:00.
        let two = day.and_hms_opt(2, 0, 0).expect("valid");
        let three = day.and_hms_opt(3, 0, 0).expect("valid");
        let overlap = (next.min(three) - t.max(two)).num_minutes().max(0);
        if day == dst_start(day.year()) {
            minutes -= overlap;
        } else if day == dst_end(day.year()) && t <= two && next >= three {
            minutes += 60;
        }
        out.add(class, minutes);
        t = next;
    }
    out
}

/// Real elapsed minutes of `[start, end)`, daylight saving included.
pub fn elapsed_minutes(start: NaiveDateTime, end: NaiveDateTime) -> i64 {
    split(&Boundaries::default(), start, end).total()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_datetime;

    fn s(a: &str, b: &str) -> Split {
        split(
            &Boundaries::default(),
            parse_datetime(a).unwrap(),
            parse_datetime(b).unwrap(),
        )
    }

    #[test]
    fn visits_are_split_by_minute() {
        // (start, end, dag, kväll, natt, helg, reason)
        let cases = [
            ("2026-11-23 08:00", "2026-11-23 08:30", 30, 0, 0, 0, "Monday morning"),
            ("2026-11-23 17:45", "2026-11-23 18:20", 15, 20, 0, 0, "crosses 18:00"),
            ("2026-11-23 21:50", "2026-11-23 22:10", 0, 10, 10, 0, "crosses 22:00"),
            (
                "2026-11-23 23:40",
                "2026-11-24 00:20",
                0,
                0,
                40,
                0,
                "crosses midnight, night on both days",
            ),
            ("2026-11-24 06:50", "2026-11-24 07:15", 15, 0, 10, 0, "night ends at 07"),
            ("2026-11-28 09:00", "2026-11-28 10:00", 0, 0, 0, 60, "Saturday"),
            (
                "2026-11-27 21:30",
                "2026-11-28 07:30",
                0,
                30,
                540,
                30,
                "Friday evening into Saturday",
            ),
            (
                "2026-12-24 12:00",
                "2026-12-24 13:00",
                0,
                0,
                0,
                60,
                "julafton counts as helg",
            ),
            (
                "2026-05-14 10:00",
                "2026-05-14 11:00",
                0,
                0,
                0,
                60,
                "Kristi himmelsfärd",
            ),
            ("2026-11-23 08:00", "2026-11-23 08:00", 0, 0, 0, 0, "empty"),
        ];
        for (a, b, dag, kvall, natt, helg, why) in cases {
            assert_eq!(s(a, b), Split { dag, kvall, natt, helg }, "{why}");
        }
    }

    /// The classes' names as columns show them, and the minutes per class
    /// of a visit over several classes (docs/regler.md, "Avräkning").
    #[test]
    fn class_names_and_minutes_per_class() {
        let labels = [
            (TimeClass::Dag, "dag"),
            (TimeClass::Kvall, "kväll"),
            (TimeClass::Natt, "natt"),
            (TimeClass::Helg, "helg"),
        ];
        for (c, want) in labels {
            assert_eq!(c.label(), want);
        }
        // Friday 17:30 to Saturday 07:30: 30 day, 240 evening, 540 night, 30 weekend.
        let v = s("2026-11-27 17:30", "2026-11-28 07:30");
        // (class, minutes)
        let cases = [
            (TimeClass::Dag, 30),
            (TimeClass::Kvall, 240),
            (TimeClass::Natt, 540),
            (TimeClass::Helg, 30),
        ];
        for (c, want) in cases {
            assert_eq!(v.get(c), want, "{}", c.label());
        }
        assert_eq!(v.total(), 840);
    }

    /// A visit that starts a few minutes after a class boundary belongs
    /// wholly to the new class (docs/regler.md, "Avräkning": day from 07,
    /// evening from 18, night from 22 on weekdays). Found by mutation
    /// testing: the minute of the day must count the minutes past the hour.
    #[test]
    fn a_visit_starting_just_after_a_boundary_is_in_the_new_class() {
        // Wednesday 2026-11-25: (start, end, class, minutes)
        let cases = [
            ("2026-11-25 07:10", "2026-11-25 07:40", TimeClass::Dag, 30),
            ("2026-11-25 18:05", "2026-11-25 18:35", TimeClass::Kvall, 30),
            ("2026-11-25 22:15", "2026-11-25 22:45", TimeClass::Natt, 30),
        ];
        for (start, end, class, want) in cases {
            let v = s(start, end);
            assert_eq!(v.get(class), want, "{start}–{end}: {}", class.label());
            assert_eq!(v.total(), want, "{start}–{end}: all in one class");
        }
    }

    /// Visits that start or end exactly on the hour the clocks change
    /// (docs/regler.md, "Avräkning"): in autumn 02:00–03:00 on the wall clock
    /// covers the whole repeated hour, two real hours; in spring that hour
    /// does not exist.
    #[test]
    fn daylight_saving_on_the_hour() {
        // (start, end, real minutes, reason)
        let cases = [
            (
                "2026-10-25 02:00",
                "2026-10-25 03:00",
                120,
                "autumn: the repeated hour twice",
            ),
            (
                "2026-10-25 01:30",
                "2026-10-25 03:00",
                150,
                "autumn: ends as the hour ends",
            ),
            (
                "2026-10-25 02:00",
                "2026-10-25 03:30",
                150,
                "autumn: starts as the hour starts",
            ),
            (
                "2026-10-25 02:30",
                "2026-10-25 03:30",
                60,
                "autumn: starts inside, counted once",
            ),
            (
                "2026-03-29 02:00",
                "2026-03-29 03:00",
                0,
                "spring: the hour does not exist",
            ),
            (
                "2026-03-29 01:00",
                "2026-03-29 02:30",
                60,
                "spring: 02:00–02:30 does not exist",
            ),
        ];
        for (a, b, want, why) in cases {
            assert_eq!(s(a, b).total(), want, "{why}");
        }
    }

    #[test]
    fn daylight_saving_changes() {
        assert_eq!(dst_start(2026).to_string(), "2026-03-29");
        assert_eq!(dst_end(2026).to_string(), "2026-10-25");
        // Spring: 01:30–03:30 on the wall clock is one real hour.
        assert_eq!(s("2026-03-29 01:30", "2026-03-29 03:30").total(), 60);
        // Autumn: 01:30–03:30 is three real hours.
        assert_eq!(s("2026-10-25 01:30", "2026-10-25 03:30").natt, 180);
        // Inside the repeated hour it is counted once.
        assert_eq!(s("2026-10-25 02:15", "2026-10-25 02:45").total(), 30);
        // An ordinary night is unchanged.
        assert_eq!(s("2026-10-18 01:30", "2026-10-18 03:30").total(), 120);
        assert_eq!(
            elapsed_minutes(
                parse_datetime("2026-03-28 22:00").unwrap(),
                parse_datetime("2026-03-29 07:00").unwrap()
            ),
            480
        );
    }
}
