//! Swedish personal identity numbers (*personnummer*, also *samordningsnummer*).
//!
//! A number is only ever held in memory long enough to check it and turn it
//! into a pseudonym (see [`crate::pseudonym`]); it is never stored or logged
//! (docs/regler.md, "Dataskydd"). Accepted forms: `YYYYMMDDNNNC`, `YYYYMMDD-NNNC`,
//! `YYMMDD-NNNC`, `YYMMDD+NNNC` (`+` = 100 years or older) and `YYMMDDNNNC`.

use chrono::{Datelike, NaiveDate};

/// What is wrong with a personnummer; [`PnrError::expected`] gives the
/// Swedish text shown to the user (the number itself is never echoed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PnrError {
    Format,
    Date,
    Checksum,
}

impl PnrError {
    pub fn expected(self) -> &'static str {
        match self {
            PnrError::Format => "personnummer med 10 eller 12 siffror (ÅÅÅÅMMDD-NNNN)",
            PnrError::Date => "personnummer med ett giltigt födelsedatum",
            PnrError::Checksum => "personnummer med rätt kontrollsiffra (Luhn)",
        }
    }
}

/// A checked personnummer, normalised to 12 digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Personnummer {
    digits: [u8; 12],
}

impl std::fmt::Debug for Personnummer {
    // Never print the number, not even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Personnummer(****)")
    }
}

/// Luhn check over the ten digits YYMMDDNNNC.
pub fn luhn_ok(ten: &[u8]) -> bool {
    let sum: u32 = ten
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let v = d as u32 * if i % 2 == 0 { 2 } else { 1 };
            if v > 9 {
                v - 9
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl Personnummer {
    /// Checks and normalises `s`. `today` decides the century of a 10-digit
    /// number: the latest century that does not put the birth date after
    /// `today`, one century earlier when the separator is `+`.
    pub fn parse(s: &str, today: NaiveDate) -> Result<Personnummer, PnrError> {
        let s = s.trim();
        let mut digits = [0u8; 12];
        let mut n = 0;
        let mut sep = None;
        for (i, c) in s.bytes().enumerate() {
            match c {
                b'0'..=b'9' => {
                    if n == 12 {
                        return Err(PnrError::Format);
                    }
                    digits[n] = c - b'0';
                    n += 1;
                }
                b'-' | b'+' if sep.is_none() && (i == 6 || i == 8) && n == i => sep = Some(c),
                _ => return Err(PnrError::Format),
            }
        }
        let full = match n {
            12 => {
                if sep == Some(b'+') {
                    return Err(PnrError::Format);
                }
                digits
            }
            10 => {
                if sep.is_some() && s.as_bytes()[6] != sep.unwrap() {
                    return Err(PnrError::Format);
                }
                let yy = digits[0] as i32 * 10 + digits[1] as i32;
                let mm = (digits[2] * 10 + digits[3]) as u32;
                let dd = (digits[4] * 10 + digits[5]) as u32;
                let dd = if dd > 60 { dd - 60 } else { dd };
                let mut year = today.year() - (today.year() - yy).rem_euclid(100);
                // A birthday later this year than today means the previous century.
                if let Some(bd) = NaiveDate::from_ymd_opt(year, mm, dd) {
                    if bd > today {
                        year -= 100;
                    }
                }
                if sep == Some(b'+') {
                    year -= 100;
                }
                let mut full = [0u8; 12];
                full[0] = (year / 1000 % 10) as u8;
                full[1] = (year / 100 % 10) as u8;
                full[2..].copy_from_slice(&digits[..10]);
                full
            }
            _ => return Err(PnrError::Format),
        };
        let year = full[..4].iter().fold(0i32, |a, &d| a * 10 + d as i32);
        let month = (full[4] * 10 + full[5]) as u32;
        let mut day = (full[6] * 10 + full[7]) as u32;
        if day > 60 {
            day -= 60; // samordningsnummer
        }
        if NaiveDate::from_ymd_opt(year, month, day).is_none() {
            return Err(PnrError::Date);
        }
        if !luhn_ok(&full[2..]) {
            return Err(PnrError::Checksum);
        }
        Ok(Personnummer { digits: full })
    }

    pub fn birth_year(&self) -> i32 {
        self.digits[..4].iter().fold(0i32, |a, &d| a * 10 + d as i32)
    }

    /// Legal gender from the ninth digit of the ten (odd = man).
    pub fn gender(&self) -> crate::model::Kon {
        if self.digits[10] % 2 == 1 {
            crate::model::Kon::M
        } else {
            crate::model::Kon::K
        }
    }

    /// The 12 digits, only for hashing into a pseudonym.
    pub(crate) fn canonical(&self) -> [u8; 12] {
        let mut out = [0u8; 12];
        for (o, d) in out.iter_mut().zip(self.digits) {
            *o = b'0' + d;
        }
        out
    }

    /// Builds a valid number (correct check digit) from a date and a
    /// three-digit serial; used by the demo generator for synthetic people.
    pub fn synthetic(birth: NaiveDate, serial: u16) -> String {
        let yy = birth.year() % 100;
        let base = format!("{:02}{:02}{:02}{:03}", yy, birth.month(), birth.day(), serial % 1000);
        let mut ten: Vec<u8> = base.bytes().map(|b| b - b'0').chain([0]).collect();
        let check = (0..10u8)
            .find(|&c| {
                ten[9] = c;
                luhn_ok(&ten)
            })
            .unwrap_or(0);
        format!("{}{}-{}{}", birth.year() / 100, &base[..6], &base[6..], check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kon;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn accepts_the_usual_forms_of_one_number() {
        // Skatteverket's test number 19121212-1212.
        let forms = ["19121212-1212", "191212121212", "121212+1212"];
        let first = Personnummer::parse(forms[0], today()).unwrap();
        for f in forms {
            assert_eq!(Personnummer::parse(f, today()).unwrap(), first, "{f}");
        }
        assert_eq!(first.birth_year(), 1912);
        assert_eq!(first.gender(), Kon::M);
    }

    #[test]
    fn ten_digit_century_follows_today() {
        // (birth date, 10-digit separator, expected birth year, reason)
        let cases = [
            ("1945-03-12", '-', 1945, "45 is 1945, not 2045"),
            ("2020-01-01", '-', 2020, "20 is this century"),
            ("1926-12-01", '-', 1926, "birthday later than today means last century"),
            ("1920-05-05", '+', 1920, "+ marks 100 years or older"),
        ];
        for (birth, sep, year, why) in cases {
            let full = Personnummer::synthetic(chrono::NaiveDate::parse_from_str(birth, "%Y-%m-%d").unwrap(), 123);
            let ten = format!("{}{}{}", &full[2..8], sep, &full[9..]);
            let p = Personnummer::parse(&ten, today()).unwrap_or_else(|e| panic!("{why}: {e:?}"));
            assert_eq!(p.birth_year(), year, "{why}");
        }
    }

    #[test]
    fn rejects_bad_numbers_with_their_reason() {
        let cases = [
            ("19121212-1213", PnrError::Checksum, "wrong check digit"),
            ("19121312-1212", PnrError::Date, "month 13"),
            ("1212121212121", PnrError::Format, "13 digits"),
            ("12121-21212", PnrError::Format, "separator in the wrong place"),
            ("abc", PnrError::Format, "letters"),
            ("", PnrError::Format, "empty"),
        ];
        for (s, want, why) in cases {
            assert_eq!(Personnummer::parse(s, today()), Err(want), "{why}");
        }
    }

    #[test]
    fn synthetic_numbers_pass_the_check_and_samordningsnummer_are_accepted() {
        for serial in 0..200u16 {
            let d = NaiveDate::from_ymd_opt(
                1930 + (serial as i32 % 60),
                1 + serial as u32 % 12,
                1 + serial as u32 % 28,
            )
            .unwrap();
            let s = Personnummer::synthetic(d, serial);
            let p = Personnummer::parse(&s, today()).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert_eq!(p.birth_year(), d.year());
        }
        // Day + 60 marks a samordningsnummer: 1912-12-72 is valid.
        let ten: Vec<u8> = "121272121".bytes().map(|b| b - b'0').collect();
        let check = (0..10).find(|c| luhn_ok(&[ten.clone(), vec![*c]].concat())).unwrap();
        assert!(Personnummer::parse(&format!("19121272-121{check}"), today()).is_ok());
    }

    #[test]
    fn debug_output_hides_the_number() {
        let p = Personnummer::parse("19121212-1212", today()).unwrap();
        assert!(!format!("{p:?}").contains("1212"));
    }
}
