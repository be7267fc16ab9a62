//! Exempelstad's staff file (`personal.csv`, docs/format/personal.md): the
//! own home-care units and care homes, one row per employee and month,
//! shaped like a real municipality's figures (docs/exempelstad.md): sick
//! leave about 7–8 % with a winter peak, a few long-term sick, frisknärvaro
//! around a third, summer covered by hourly-paid staff, turnover about
//! 12 % a year, and in home care worked time such that about 60 % of it is
//! time with the brukare.

use crate::demo::Rng;
use crate::AppError;
use chrono::NaiveDate;
use resurs_core::period::Period;
use resurs_core::personnummer::Personnummer;
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const HEADER: &str = "personnummer;enhet;period;avtalad_tid;arbetad_tid;sjuk_kort;sjuk_lång;sjukdagar;övertid;mertid;timavlönad;anställd_från;anställd_till";

/// One employee of a unit.
struct Employee {
    pnr: String,
    grade: f64,
    from: NaiveDate,
    /// Long-term sick for this many more months.
    long_sick: u32,
}

fn h(v: f64) -> String {
    format!("{:.2}", v.max(0.0)).replace('.', ",")
}

/// Writes the staff file. `units`: (unit code, worked hours the unit needs
/// per month); `months`: the months to cover.
pub(crate) fn write(
    dir: &Path,
    seed: u64,
    units: &[(String, BTreeMap<Period, f64>)],
) -> Result<(PathBuf, u64), AppError> {
    let path = dir.join("personal.csv");
    let err = |_| AppError::internal(format!("kunde inte skriva {}", path.display()));
    let file = std::fs::File::create(&path).map_err(AppError::io(format!("skapa {}", path.display())))?;
    let mut out = BufWriter::new(file);
    writeln!(out, "{HEADER}").map_err(err)?;
    let mut rng = Rng::new(seed ^ 0x5045_5253_4f4e_414c);
    let mut serial: u16 = 3;
    let mut used = std::collections::HashSet::new();
    let mut person = |rng: &mut Rng, young: bool| -> String {
        let (lo, hi) = if young { (1995, 2005) } else { (1962, 2000) };
        loop {
            let y = rng.range(lo, hi) as i32;
            let d =
                NaiveDate::from_ymd_opt(y, 1, 1).expect("valid date") + chrono::Duration::days(rng.below(365) as i64);
            serial = (serial + 11) % 1000;
            let p = Personnummer::synthetic(d, serial);
            if used.insert(p.clone()) {
                return p;
            }
        }
    };
    let mut rows = 0u64;
    for (kod, need) in units {
        let Some(avg) = (!need.is_empty()).then(|| need.values().sum::<f64>() / need.len() as f64) else {
            continue;
        };
        // Monthly-paid staff cover about 85 % of an ordinary month.
        let n = ((avg * 0.85) / (165.0 * 0.88 * 0.92)).round().max(5.0) as usize;
        let first = *need.keys().next().expect("not empty");
        let start = first.first_day();
        let mut staff: Vec<Employee> = (0..n)
            .map(|_| Employee {
                pnr: person(&mut rng, false),
                grade: [1.0, 1.0, 0.9, 0.8, 0.75][rng.below(5) as usize],
                from: start - chrono::Duration::days(200 + rng.below(4000) as i64),
                long_sick: 0,
            })
            .collect();
        let hourly: Vec<String> = (0..n.max(10)).map(|_| person(&mut rng, true)).collect();
        for (&p, &worked_needed) in need {
            let m = p.month();
            let sick_factor = match m {
                1..=3 => 1.6,
                10..=12 => 1.2,
                6..=8 => 0.6,
                _ => 1.0,
            };
            let vacation = match m {
                6..=8 => 0.30,
                12 => 0.08,
                _ => 0.03,
            };
            let mut worked_total = 0.0;
            let mut leaving = Vec::new();
            for (i, e) in staff.iter_mut().enumerate() {
                let avtalad = 165.0 * e.grade;
                if e.long_sick == 0 && rng.chance(0.004) {
                    e.long_sick = 2 + rng.below(5) as u32;
                }
                let (mut kort, mut lang, mut dagar) = (0.0, 0.0, 0i64);
                if e.long_sick > 0 {
                    lang = avtalad;
                    dagar = 21;
                    e.long_sick -= 1;
                } else if rng.chance(0.28 * sick_factor) {
                    let d = 1 + rng.below(4) as i64;
                    kort = (d as f64 * 8.0 * e.grade).min(avtalad);
                    dagar = d;
                }
                let overtid = if rng.chance(0.08) {
                    2.0 + rng.below(8) as f64
                } else {
                    0.0
                };
                let mertid = if e.grade < 1.0 && rng.chance(0.25) {
                    4.0 + rng.below(14) as f64
                } else {
                    0.0
                };
                let arbetad = (avtalad - kort - lang) * (1.0 - vacation) + overtid + mertid;
                worked_total += arbetad;
                // About one in a hundred leaves each month (12 % a year).
                let till = if rng.chance(0.01) {
                    leaving.push(i);
                    Some(p.last_day())
                } else {
                    None
                };
                writeln!(
                    out,
                    "{};{kod};{p};{};{};{};{};{dagar};{};{};;{};{}",
                    e.pnr,
                    h(avtalad),
                    h(arbetad),
                    h(kort),
                    h(lang),
                    h(overtid),
                    h(mertid),
                    e.from,
                    till.map_or(String::new(), |d| d.to_string())
                )
                .map_err(err)?;
                rows += 1;
            }
            // Hourly-paid staff cover what is left.
            let rest = worked_needed - worked_total;
            if rest > 1.0 {
                // At most about 110 hours each, as few people as that allows.
                let k = ((rest / 110.0).ceil() as usize).clamp(1, hourly.len());
                let per = (rest / k as f64).min(700.0);
                for pnr in &hourly[..k] {
                    writeln!(
                        out,
                        "{pnr};{kod};{p};0;{};;;;;;{};{};",
                        h(per),
                        h(per),
                        NaiveDate::from_ymd_opt(2024, 5, 1).expect("valid date")
                    )
                    .map_err(err)?;
                    rows += 1;
                }
            }
            // Those who left are replaced from next month.
            for i in leaving.into_iter().rev() {
                let grade = staff[i].grade;
                let young = rng.chance(0.5);
                staff[i] = Employee {
                    pnr: person(&mut rng, young),
                    grade,
                    from: p.next().first_day(),
                    long_sick: 0,
                };
            }
        }
    }
    out.flush().map_err(err)?;
    Ok((path, rows))
}
