//! Swedish public holidays (*röda dagar*), computed rather than listed, and
//! the eves that are treated as holidays in working-time agreements.
//!
//! Sources: Lag (1989:253) om allmänna helgdagar. Easter Sunday by the
//! anonymous Gregorian algorithm (Meeus/Jones/Butcher).

use chrono::{Datelike, NaiveDate, Weekday};

/// Easter Sunday of `year`.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("easter is a valid date")
}

/// The first `weekday` on or after `from`.
fn first_on_or_after(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let shift = (7 + weekday.num_days_from_monday() as i64 - from.weekday().num_days_from_monday() as i64) % 7;
    from + chrono::Duration::days(shift)
}

/// The public holidays of `year` with their Swedish names, in date order.
pub fn public_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let d = |m, day| NaiveDate::from_ymd_opt(year, m, day).expect("valid date");
    let easter = easter_sunday(year);
    let days = |n| easter + chrono::Duration::days(n);
    let mut v = vec![
        (d(1, 1), "nyårsdagen"),
        (d(1, 6), "trettondedag jul"),
        (days(-2), "långfredagen"),
        (easter, "påskdagen"),
        (days(1), "annandag påsk"),
        (d(5, 1), "första maj"),
        (days(39), "Kristi himmelsfärds dag"),
        (days(49), "pingstdagen"),
        (d(6, 6), "Sveriges nationaldag"),
        (first_on_or_after(d(6, 20), Weekday::Sat), "midsommardagen"),
        (first_on_or_after(d(10, 31), Weekday::Sat), "alla helgons dag"),
        (d(12, 25), "juldagen"),
        (d(12, 26), "annandag jul"),
    ];
    v.sort();
    v
}

/// Whether `date` is a public holiday (not counting ordinary Sundays).
pub fn is_public_holiday(date: NaiveDate) -> bool {
    public_holidays(date.year()).iter().any(|(d, _)| *d == date)
}

/// Midsummer eve, Christmas eve and New Year's eve: not public holidays in
/// law, but treated as such by the municipal working-time agreements and by
/// daily activities, which are closed.
pub fn is_holiday_eve(date: NaiveDate) -> bool {
    let y = date.year();
    let midsommarafton = first_on_or_after(NaiveDate::from_ymd_opt(y, 6, 19).expect("valid"), Weekday::Fri);
    date == midsommarafton || (date.month() == 12 && matches!(date.day(), 24 | 31))
}

/// Weekday that is neither a public holiday nor a holiday eve.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(date) && !is_holiday_eve(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::date::parse_date(s).unwrap()
    }

    #[test]
    fn easter_matches_the_almanac() {
        for (year, date) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
        ] {
            assert_eq!(easter_sunday(year), d(date), "{year}");
        }
    }

    #[test]
    fn holidays_of_2026() {
        let names: Vec<(String, &str)> = public_holidays(2026)
            .into_iter()
            .map(|(d, n)| (d.to_string(), n))
            .collect();
        let want = [
            ("2026-01-01", "nyårsdagen"),
            ("2026-01-06", "trettondedag jul"),
            ("2026-04-03", "långfredagen"),
            ("2026-04-05", "påskdagen"),
            ("2026-04-06", "annandag påsk"),
            ("2026-05-01", "första maj"),
            ("2026-05-14", "Kristi himmelsfärds dag"),
            ("2026-05-24", "pingstdagen"),
            ("2026-06-06", "Sveriges nationaldag"),
            ("2026-06-20", "midsommardagen"),
            ("2026-10-31", "alla helgons dag"),
            ("2026-12-25", "juldagen"),
            ("2026-12-26", "annandag jul"),
        ];
        let want: Vec<(String, &str)> = want.iter().map(|(a, b)| (a.to_string(), *b)).collect();
        assert_eq!(names, want);
    }

    #[test]
    fn working_days() {
        let cases = [
            ("2026-06-19", false, "midsommarafton"),
            ("2026-06-18", true, "ordinary Thursday"),
            ("2026-12-24", false, "julafton"),
            ("2026-11-23", true, "Monday"),
            ("2026-11-22", false, "Sunday"),
            ("2025-06-06", false, "national day on a Friday"),
        ];
        for (date, want, why) in cases {
            assert_eq!(is_working_day(d(date)), want, "{why}");
        }
    }
}
