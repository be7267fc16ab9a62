//! Large synthetic files in the import formats, streamed (for benchmarks).
//!
//! `resurs gen visits` writes visit rows for Exempelstad's home-care
//! providers, so the file can be imported into a demo database. Rows are
//! produced one at a time: 10 million rows need no more memory than ten.

use crate::demo::{home_care_providers, Rng, VisitWriter};
use crate::AppError;
use chrono::{Duration, NaiveDate};
use resurs_core::personnummer::Personnummer;
use std::io::Write;

/// Writes `rows` visit rows (plus the header) to `out`: 3 800 a day from
/// 2025-01-01, or all of them in `month` (the days of the month in turn),
/// with every field in quotes when `quoted`.
pub fn visits(
    out: Box<dyn Write>,
    rows: u64,
    seed: u64,
    month: Option<resurs_core::period::Period>,
    quoted: bool,
) -> Result<(), AppError> {
    let mut rng = Rng::new(seed ^ 0x5649_5349_5453);
    let providers = home_care_providers();
    // A pool of people big enough that each gets a realistic number of visits.
    let pool_size = (rows / 60).clamp(50, 40_000) as usize;
    let mut people = Vec::with_capacity(pool_size);
    for i in 0..pool_size {
        let birth = NaiveDate::from_ymd_opt(
            1925 + rng.below(40) as i32,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        )
        .expect("valid date");
        people.push((
            Personnummer::synthetic(birth, (i % 1000) as u16),
            providers[i % providers.len()].0,
        ));
    }
    let out: Box<dyn Write> = if quoted { Box::new(Quoting::new(out)) } else { out };
    let mut w = VisitWriter::new(out);
    w.header().map_err(AppError::io("skriva besöksfilen"))?;
    let per_day = 3_800u64;
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date");
    for n in 0..rows {
        let day = match month {
            Some(m) => m.first_day() + Duration::days(((n / per_day) % m.days() as u64) as i64),
            None => start + Duration::days((n / per_day) as i64),
        };
        let (pnr, provider) = &people[rng.below(pool_size as u64) as usize];
        let v = crate::demo::random_visit(&mut rng, day, 30, false);
        let staff = format!("{provider}-P{:03}", rng.below(60));
        // Prefix G keeps the ids apart from the demo's own visits (B…).
        w.write('G', n, pnr, provider, &v, &staff)
            .map_err(AppError::io("skriva besöksfilen"))?;
    }
    w.finish().map_err(AppError::io("skriva besöksfilen"))?;
    Ok(())
}

/// Writes `rows` visit rows for `brukare` people spread evenly over the
/// days of `year` (the KPB benchmark: a city's year of home care).
pub fn visits_in_year(out: Box<dyn Write>, rows: u64, seed: u64, year: i32, brukare: usize) -> Result<(), AppError> {
    let mut rng = Rng::new(seed ^ 0x4b50_4220_4152);
    let providers = home_care_providers();
    let first =
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| AppError::User(format!("--ar: {year} är inget år")))?;
    let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    };
    let pool_size = brukare.clamp(1, 1_000_000);
    let mut people = Vec::with_capacity(pool_size);
    for i in 0..pool_size {
        let birth = NaiveDate::from_ymd_opt(
            1925 + (i % 70) as i32,
            1 + (i / 70 % 12) as u32,
            1 + (i / 840 % 28) as u32,
        )
        .expect("valid date");
        people.push((
            Personnummer::synthetic(birth, (i / 23_520 % 1000) as u16),
            providers[i % providers.len()].0,
        ));
    }
    let mut w = VisitWriter::new(out);
    w.header().map_err(AppError::io("skriva besöksfilen"))?;
    let per_day = rows.div_ceil(days).max(1);
    for n in 0..rows {
        let day = first + Duration::days((n / per_day).min(days - 1) as i64);
        let (pnr, provider) = &people[rng.below(pool_size as u64) as usize];
        let v = crate::demo::random_visit(&mut rng, day, 30, false);
        let staff = format!("{provider}-P{:03}", rng.below(60));
        w.write('K', n, pnr, provider, &v, &staff)
            .map_err(AppError::io("skriva besöksfilen"))?;
    }
    w.finish().map_err(AppError::io("skriva besöksfilen"))?;
    Ok(())
}

/// Puts every `;`-separated field of each line in quotes.
struct Quoting {
    out: Box<dyn Write>,
    line: Vec<u8>,
}

impl Quoting {
    fn new(out: Box<dyn Write>) -> Quoting {
        Quoting {
            out,
            line: Vec::with_capacity(256),
        }
    }
}

impl Write for Quoting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            if b == b'\n' {
                let mut q = Vec::with_capacity(self.line.len() + 32);
                for (i, field) in self.line.split(|&c| c == b';').enumerate() {
                    if i > 0 {
                        q.push(b';');
                    }
                    q.push(b'"');
                    q.extend_from_slice(field);
                    q.push(b'"');
                }
                q.push(b'\n');
                self.out.write_all(&q)?;
                self.line.clear();
            } else {
                self.line.push(b);
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
