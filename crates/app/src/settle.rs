//! `resurs settle`: loads a month's volumes and the stored model versions,
//! runs the settlement in the core, and stores the run with a fingerprint
//! of its inputs so that it can be shown again and checked by a re-run.

use crate::models;
use crate::AppError;
use chrono::{Duration, NaiveDate};
use resurs_core::date::{from_minutes, parse_date};
use resurs_core::model::Regiform;
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_core::rules::models::Bemanning;
use resurs_core::rules::settle::{
    settle, AttendanceIn, DecisionIn, PlacementIn, ProviderIn, Settlement, StayIn, VisitIn, Volumes,
};
use resurs_store::Store;
use sha2::{Digest, Sha256};

#[derive(Debug)]
pub enum Outcome {
    /// Settled and stored as run `id`; `same_as` is an earlier run with the
    /// same inputs (and whether its total is identical).
    Done {
        run: i64,
        settlement: Settlement,
        same_as: Option<(i64, bool)>,
    },
    /// Volumes no model covers, and `--allow-uncovered` was not given.
    Uncovered(Settlement),
}

fn date(s: &str) -> NaiveDate {
    parse_date(s).unwrap_or_default()
}

/// Providers and the month's volumes.
pub type Inputs = (Vec<ProviderIn>, Volumes);

/// The inputs of a settlement, gathered from the store.
pub fn inputs(store: &Store, period: Period) -> Result<Inputs, AppError> {
    let providers = providers(store)?;
    let visits = store
        .performed_visits(period)?
        .into_iter()
        .map(|(brukare, utforare, insats, s, e)| VisitIn {
            brukare,
            utforare,
            insats,
            start: from_minutes(s),
            end: from_minutes(e),
        })
        .collect();
    // A year back, so that vacancy days after a move-out before the month count.
    let from = period.first_day() - Duration::days(366);
    let to = period.last_day();
    let decisions = store.decisions_between(from, to)?;
    let stays = store
        .stays_between(from, to)?
        .into_iter()
        .map(|(brukare, utforare, plats, inn, ut)| {
            let inn = date(&inn);
            let ut = ut.as_deref().map(date);
            // The decision for this person at this unit that overlaps the stay; the latest start wins.
            let d = decisions
                .iter()
                .filter(|d| d.1 == brukare && d.2 == utforare)
                .filter(|d| date(&d.5) <= ut.unwrap_or(NaiveDate::MAX) && d.6.as_deref().is_none_or(|e| date(e) >= inn))
                .max_by_key(|d| date(&d.5));
            StayIn {
                insats: d.map(|d| d.3.clone()),
                niva: d.and_then(|d| d.4.clone()),
                beslut_id: d.map(|d| d.0.clone()),
                brukare,
                utforare,
                plats,
                inflyttning: inn,
                utflyttning: ut,
            }
        })
        .collect();
    let attendance = store
        .attendance_in(period)?
        .into_iter()
        .map(|(brukare, utforare, datum, omf)| AttendanceIn {
            brukare,
            utforare,
            datum: date(&datum),
            halv: omf == resurs_core::model::Omfattning::Halv.code(),
        })
        .collect();
    let placements = store
        .placements_in(period)?
        .into_iter()
        .map(|(brukare, utforare, typ, start, end, cost)| PlacementIn {
            brukare,
            utforare,
            typ,
            startdatum: date(&start),
            slutdatum: end.as_deref().map(date),
            dygnskostnad: Money::from_ore(cost),
        })
        .collect();
    // Decisions in force some day of the month (for monthly amounts and
    // granted time), and those ending the day before it (a reassessment on
    // the 1st replaces them).
    let day_before = period.first_day() - Duration::days(1);
    let decisions = decisions
        .into_iter()
        .filter(|d| date(&d.5) <= to && d.6.as_deref().is_none_or(|e| date(e) >= day_before))
        .map(
            |(beslut_id, brukare, utforare, insats, niva, start, end, beviljad)| DecisionIn {
                beslut_id,
                brukare,
                utforare,
                insats,
                niva,
                beviljad: beviljad.map(resurs_core::num::Qty::from_hundredths),
                startdatum: date(&start),
                slutdatum: end.as_deref().map(date),
            },
        )
        .collect();
    Ok((
        providers,
        Volumes {
            visits,
            stays,
            attendance,
            placements,
            decisions,
        },
    ))
}

/// Settles `period` from the stored inputs without storing a run (what
/// the web pages show; `resurs settle` stores its runs).
pub fn compute(store: &Store, period: Period) -> Result<Settlement, AppError> {
    let models = models::stored(store)?;
    let (providers, volumes) = inputs(store, period)?;
    Ok(settle(period, &models, &providers, &volumes))
}

/// Settles `period` and stores the run.
pub fn run(store: &mut Store, period: Period, allow_uncovered: bool, timestamp: &str) -> Result<Outcome, AppError> {
    let models = models::stored(store)?;
    if models.is_empty() {
        return Err(AppError::User(
            "Det finns inga ersättningsmodeller i databasen; ladda dem med `resurs model load FIL`.".into(),
        ));
    }
    let (providers, volumes) = inputs(store, period)?;
    let settlement = settle(period, &models, &providers, &volumes);
    if !settlement.ej_prissatt.is_empty() && !allow_uncovered {
        return Ok(Outcome::Uncovered(settlement));
    }
    let json_err = |e: serde_json::Error| AppError::User(format!("internt fel: {e}"));
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&(period, &models, &providers, &volumes)).map_err(json_err)?);
    let fingerprint: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let same_as = store
        .settlement_by_fingerprint(period, &fingerprint)?
        .map(|(id, total)| (id, total == settlement.belopp.ore()));
    let json = serde_json::to_string(&settlement).map_err(json_err)?;
    let versions = settlement.modellversioner.join(", ");
    let tx = store.begin()?;
    let id = tx.insert_settlement(
        period,
        timestamp,
        &fingerprint,
        &versions,
        settlement.belopp.ore(),
        &json,
    )?;
    tx.commit()?;
    Ok(Outcome::Done {
        run: id,
        settlement,
        same_as,
    })
}

/// A stored run.
pub fn stored(store: &Store, id: i64) -> Result<Settlement, AppError> {
    let Some((_, _, _, _, _, json)) = store.settlement(id)? else {
        return Err(AppError::User(format!(
            "Det finns ingen avräkningskörning nummer {id}."
        )));
    };
    serde_json::from_str(&json).map_err(|e| AppError::User(format!("avräkning {id} kan inte läsas: {e}")))
}

/// What a settlement straight from a visit file read.
#[derive(Debug)]
pub struct FileStats {
    pub rows: u64,
    pub used: u64,
}

#[derive(Debug)]
pub enum FromFile {
    Done(Settlement, FileStats),
    Refused(resurs_io::Problems),
}

/// Settles the performed visits of `period` in a visit file (import format)
/// without importing it: streamed row by row, with the stored models and
/// providers. Only the file's visits are settled; the run is not stored.
pub fn from_file(store: &Store, period: Period, path: &std::path::Path) -> Result<FromFile, AppError> {
    use crate::import::BESOK;
    use resurs_core::model::BesokStatus;
    use resurs_core::personnummer::Personnummer;
    use resurs_io::{Columns, Problems, Row, TableReader};
    use std::collections::HashMap;

    let models = models::stored(store)?;
    if models.is_empty() {
        return Err(AppError::User(
            "Det finns inga ersättningsmodeller i databasen; ladda dem med `resurs model load FIL`.".into(),
        ));
    }
    // Only the file's visits are settled: grants (paid whatever the volumes)
    // are left out.
    let models: Vec<_> = models.into_iter().filter(|m| m.prices_volumes()).collect();
    let pseudo = crate::keys::pseudonymizer(store, crate::keys::NewKey::Random)?;
    let providers = providers(store)?;
    let prefix = period.to_string();
    // Most rows of a large file belong to other months: find the candidate
    // lines by a byte search before any CSV parsing (see `prefilter`).
    let fast = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        None
    } else {
        prefilter(path, format!("{prefix}-").as_bytes())?
    };
    let (mut table, line_map, total_rows) = match fast {
        Some((buf, map, total)) => {
            let name = path
                .file_name()
                .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
            (
                TableReader::from_csv(name, Box::new(std::io::Cursor::new(buf)))?,
                Some(map),
                Some(total),
            )
        }
        None => (TableReader::open(path)?, None, None),
    };
    let mut problems = Problems::new(table.file.clone());
    let Some(cols) = Columns::resolve(BESOK, table.headers(), &mut problems) else {
        return Ok(FromFile::Refused(problems));
    };
    let known: std::collections::HashSet<&str> = providers.iter().map(|p| p.kod.as_str()).collect();
    let today = chrono::Utc::now().date_naive();
    let mut names: HashMap<Personnummer, String> = HashMap::new();
    let mut visits = Vec::new();
    let mut stats = FileStats { rows: 0, used: 0 };
    while let Some(next) = table.next_row() {
        // Line numbers of the filtered buffer map back to the file's own.
        let original = |line: usize| {
            line_map
                .as_ref()
                .map_or(line, |m| m.get(line.wrapping_sub(2)).copied().unwrap_or(line))
        };
        let (line, rec) = match next {
            Ok((line, rec)) => (original(line), rec),
            Err((line, expected)) => {
                problems.add(Some(original(line)), None, None, expected);
                continue;
            }
        };
        stats.rows += 1;
        let mut row = Row::new(rec, &cols, line, &mut problems);
        // Cheap filters first: status and the month of the actual start.
        if !row.raw(7).starts_with(&prefix) || BesokStatus::parse_sv(row.raw(9)) != Some(BesokStatus::Utford) {
            continue;
        }
        let pnr = row.personnummer(1, today);
        let utforare = row.text(2);
        let insats = row.text(3);
        let start = row.datetime(7);
        let end = row.datetime(8);
        if let Some(u) = utforare {
            if !known.contains(u) {
                row.problem(2, Some(u), "en känd utförare/enhet (koden finns inte i databasen)");
            }
        }
        let (Some(pnr), Some(utforare), Some(insats), Some(start), Some(end), true) =
            (pnr, utforare, insats, start, end, row.ok())
        else {
            continue;
        };
        if end < start {
            row.problem(8, Some(row.raw(8)), "en tidpunkt som inte är före faktisk_start");
            continue;
        }
        let brukare = names.entry(pnr).or_insert_with_key(|p| pseudo.brukare(p)).clone();
        visits.push(VisitIn {
            brukare,
            utforare: utforare.to_string(),
            insats: insats.to_string(),
            start,
            end,
        });
        stats.used += 1;
    }
    if let Some(total) = total_rows {
        stats.rows = total;
    }
    if !problems.is_empty() {
        return Ok(FromFile::Refused(problems));
    }
    let volumes = Volumes {
        visits,
        ..Default::default()
    };
    Ok(FromFile::Done(settle(period, &models, &providers, &volumes), stats))
}

/// Keeps the header and the lines that contain `needle` (e.g. `2025-05-`),
/// with each kept line's number in the file, and counts the data rows. A
/// visit of the month has its actual start in the month, so its line must
/// contain the month; other lines are skipped without CSV parsing. Returns
/// `None` when a line holds a quote character: a quoted field may span lines,
/// and then only the full CSV reader is correct.
#[allow(clippy::type_complexity)]
fn prefilter(path: &std::path::Path, needle: &[u8]) -> Result<Option<(Vec<u8>, Vec<usize>, u64)>, AppError> {
    use std::io::BufRead;
    let what = format!("läsa filen {}", path.display());
    let f = std::fs::File::open(path).map_err(AppError::io(format!("läsa filen {}", path.display())))?;
    let mut r = std::io::BufReader::with_capacity(1 << 20, f);
    let finder = memchr::memmem::Finder::new(needle);
    let mut line = Vec::with_capacity(256);
    let mut out = Vec::new();
    let mut map = Vec::new();
    let mut n = 0usize;
    let mut rows = 0u64;
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)
            .map_err(|e| AppError::io(what.clone())(e))?
            == 0
        {
            break;
        }
        n += 1;
        if memchr::memchr(b'"', &line).is_some() {
            return Ok(None);
        }
        if n == 1 {
            out.extend_from_slice(&line);
            if !line.ends_with(b"\n") {
                out.push(b'\n');
            }
            continue;
        }
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        rows += 1;
        if finder.find(&line).is_some() {
            out.extend_from_slice(&line);
            if !line.ends_with(b"\n") {
                out.push(b'\n');
            }
            map.push(n);
        }
    }
    Ok(Some((out, map, rows)))
}

/// The providers as the settlement needs them. A register value that cannot
/// be read is an error, never a default (an unknown regiform read as own
/// regime would silently drop VAT compensation).
pub(crate) fn providers(store: &Store) -> Result<Vec<ProviderIn>, AppError> {
    store
        .providers()?
        .into_iter()
        .map(|(kod, namn, regi, platser, bemanning)| {
            let regiform = Regiform::parse_sv(&regi).ok_or_else(|| {
                AppError::User(format!(
                    "utförare {kod} i databasen har regiformen \"{regi}\", som inte kan läsas (tabell utforare, kolumn regiform)"
                ))
            })?;
            let bemanning = match bemanning.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
                None => None,
                Some(b) => Some(Bemanning::parse(b).ok_or_else(|| {
                    AppError::User(format!(
                        "utförare {kod} i databasen har bemanningen \"{b}\", som inte kan läsas (tabell utforare, kolumn bemanning)"
                    ))
                })?),
            };
            Ok(ProviderIn {
                kod,
                namn,
                regiform,
                platser,
                bemanning,
            })
        })
        .collect()
}
