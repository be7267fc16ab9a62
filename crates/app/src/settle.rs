//! `resurs settle`: loads a month's volumes and the stored model versions,
//! runs the settlement in the core, and stores the run with a fingerprint
//! of its inputs so that it can be shown again and checked by a re-run.

use crate::models;
use crate::AppError;
use chrono::{Datelike, Duration, NaiveDate};
use resurs_core::date::from_minutes;
use resurs_core::period::Period;
use resurs_core::rules::modelfile::ModelVersion;
use resurs_core::rules::settle::{
    AttendanceIn, DecisionIn, PlacementIn, ProviderIn, Settlement, Settler, StayIn, Visit, VisitIn, Volumes,
};
use resurs_store::Store;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

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

/// Providers and the month's volumes.
pub type Inputs = (Vec<ProviderIn>, Volumes);

/// The inputs of a settlement, gathered from the store (visits included).
pub fn inputs(store: &Store, period: Period) -> Result<Inputs, AppError> {
    let (providers, mut volumes) = inputs_but_visits(store, period)?;
    store.each_performed_visit(period, |brukare, utforare, insats, s, e| {
        volumes.visits.push(VisitIn {
            brukare: brukare.to_string(),
            utforare: utforare.to_string(),
            insats: insats.to_string(),
            start: from_minutes(s),
            end: from_minutes(e),
        })
    })?;
    Ok((providers, volumes))
}

/// Everything a month's settlement needs but the visits, which are
/// streamed (see [`settle_stored`]).
fn inputs_but_visits(store: &Store, period: Period) -> Result<Inputs, AppError> {
    let providers = providers(store)?;
    // A year back, so that vacancy days after a move-out before the month count.
    let from = period.first_day() - Duration::days(366);
    let to = period.last_day();
    let mut decisions = Vec::new();
    for d in store.decisions_between(from, to)? {
        decisions.push(DecisionIn {
            startdatum: d.startdatum,
            slutdatum: d.slutdatum,
            beslut_id: d.beslut_id,
            brukare: d.brukare,
            utforare: d.utforare,
            insats: d.insats,
            niva: d.niva,
            beviljad: d.beviljad,
        });
    }
    // Decisions by (brukare, provider), so that each stay finds its own by
    // lookup rather than by scanning every decision.
    let mut by_person: HashMap<(&str, &str), Vec<&DecisionIn>> = HashMap::new();
    for d in &decisions {
        by_person.entry((&d.brukare, &d.utforare)).or_default().push(d);
    }
    let mut stays = Vec::new();
    for s in store.stays_between(from, to)? {
        let (inn, ut) = (s.inflyttning, s.utflyttning);
        // The decision for this person at this unit that overlaps the stay; the latest start wins.
        let d = by_person
            .get(&(s.brukare.as_str(), s.utforare.as_str()))
            .into_iter()
            .flatten()
            .filter(|d| d.startdatum <= ut.unwrap_or(NaiveDate::MAX) && d.slutdatum.is_none_or(|e| e >= inn))
            .max_by_key(|d| d.startdatum);
        stays.push(StayIn {
            insats: d.map(|d| d.insats.clone()),
            niva: d.and_then(|d| d.niva.clone()),
            beslut_id: d.map(|d| d.beslut_id.clone()),
            brukare: s.brukare,
            utforare: s.utforare,
            plats: s.plats,
            inflyttning: inn,
            utflyttning: ut,
        });
    }
    drop(by_person);
    let mut attendance = Vec::new();
    for a in store.attendance_in(period)? {
        attendance.push(AttendanceIn {
            brukare: a.brukare,
            utforare: a.utforare,
            datum: a.datum,
            halv: a.omfattning == resurs_core::model::Omfattning::Halv,
        });
    }
    let mut placements = Vec::new();
    for p in store.placements_in(period)? {
        placements.push(PlacementIn {
            brukare: p.brukare,
            utforare: p.utforare,
            typ: p.typ,
            startdatum: p.startdatum,
            slutdatum: p.slutdatum,
            dygnskostnad: p.dygnskostnad,
        });
    }
    // Decisions in force some day of the month (for monthly amounts and
    // granted time), and those ending the day before it (a reassessment on
    // the 1st replaces them).
    let day_before = period.first_day() - Duration::days(1);
    decisions.retain(|d| d.startdatum <= to && d.slutdatum.is_none_or(|e| e >= day_before));
    Ok((
        providers,
        Volumes {
            visits: Vec::new(),
            stays,
            attendance,
            placements,
            decisions,
        },
    ))
}

/// Settles `period` from the store with `models`: the visits are streamed
/// from the database into the engine, never collected. Returns the
/// settlement and the fingerprint (SHA-256) of every input.
pub fn settle_stored(
    store: &Store,
    period: Period,
    models: &[ModelVersion],
    detail: bool,
) -> Result<(Settlement, String), AppError> {
    let (providers, volumes) = inputs_but_visits(store, period)?;
    let mut fp = Fingerprint::new(period, models, &providers);
    let mut s = Settler::new(period, models, &providers, detail);
    store.each_performed_visit(period, |brukare, utforare, insats, start, end| {
        fp.visit(brukare, utforare, insats, start, end);
        s.visit(Visit {
            brukare,
            utforare,
            insats,
            start: from_minutes(start),
            end: from_minutes(end),
        })
    })?;
    fp.volumes(&volumes);
    let settlement = s.finish(&volumes);
    if !settlement.within_bounds() {
        return Err(AppError::User(resurs_core::num::total_too_large(&format!(
            "avräkningen för {period}"
        ))));
    }
    Ok((settlement, fp.finish()))
}

/// SHA-256 over every input of a settlement, fed field by field (each with
/// its length), without serialising the volumes.
struct Fingerprint(Sha256);

impl Fingerprint {
    fn new(period: Period, models: &[ModelVersion], providers: &[ProviderIn]) -> Fingerprint {
        let mut f = Fingerprint(Sha256::new());
        f.text(&period.to_string());
        for m in models {
            // Model versions are few; their stored form is their content.
            f.text(&serde_json::to_string(m).unwrap_or_default());
        }
        for p in providers {
            f.text(&p.kod);
            f.text(&p.namn);
            f.text(p.regiform.code());
            f.int(p.platser.unwrap_or(-1));
            f.text(p.bemanning.map_or("", |b| b.code()));
        }
        f
    }
    fn text(&mut self, s: &str) {
        self.0.update((s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
    }
    fn int(&mut self, i: i64) {
        self.0.update(i.to_le_bytes());
    }
    fn date(&mut self, d: Option<NaiveDate>) {
        self.int(d.map_or(i64::MIN, |d| d.num_days_from_ce() as i64));
    }
    fn visit(&mut self, brukare: &str, utforare: &str, insats: &str, start: i64, end: i64) {
        self.text(brukare);
        self.text(utforare);
        self.text(insats);
        self.int(start);
        self.int(end);
    }
    fn volumes(&mut self, v: &Volumes) {
        for s in &v.stays {
            for t in [&s.brukare, &s.utforare, &s.plats] {
                self.text(t);
            }
            self.date(Some(s.inflyttning));
            self.date(s.utflyttning);
            for t in [&s.insats, &s.niva, &s.beslut_id] {
                self.text(t.as_deref().unwrap_or("\u{0}"));
            }
        }
        for a in &v.attendance {
            self.text(&a.brukare);
            self.text(&a.utforare);
            self.date(Some(a.datum));
            self.int(a.halv as i64);
        }
        for p in &v.placements {
            self.text(&p.brukare);
            self.text(&p.utforare);
            self.text(&p.typ);
            self.date(Some(p.startdatum));
            self.date(p.slutdatum);
            self.int(p.dygnskostnad.ore());
        }
        for d in &v.decisions {
            for t in [&d.beslut_id, &d.brukare, &d.utforare, &d.insats] {
                self.text(t);
            }
            self.int(d.beviljad.map_or(-1, |q| q.hundredths()));
            self.text(d.niva.as_deref().unwrap_or("\u{0}"));
            self.date(Some(d.startdatum));
            self.date(d.slutdatum);
        }
    }
    fn finish(self) -> String {
        self.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn stored_models(store: &Store) -> Result<Vec<ModelVersion>, AppError> {
    let models = models::stored(store)?;
    if models.is_empty() {
        return Err(AppError::User(
            "Det finns inga ersättningsmodeller i databasen; ladda dem med `resurs model load FIL`.".into(),
        ));
    }
    Ok(models)
}

/// Settles `period` from the stored inputs without storing a run (what
/// the web pages show, with brukare-days; `resurs settle` stores its runs).
pub fn compute(store: &Store, period: Period) -> Result<Settlement, AppError> {
    let models = models::stored(store)?;
    Ok(settle_stored(store, period, &models, true)?.0)
}

/// Settles `period` and stores the run: the result tree without
/// brukare-days (those are reproduced from the stored inputs), the model
/// versions and the fingerprint of the inputs.
pub fn run(
    store: &mut Store,
    period: Period,
    allow_uncovered: bool,
    detail: bool,
    timestamp: &str,
) -> Result<Outcome, AppError> {
    let models = stored_models(store)?;
    let (settlement, fingerprint) = settle_stored(store, period, &models, detail)?;
    if !settlement.ej_prissatt.is_empty() && !allow_uncovered {
        return Ok(Outcome::Uncovered(settlement));
    }
    let same_as = store
        .settlement_by_fingerprint(period, &fingerprint)?
        .map(|(id, total)| (id, total == settlement.belopp));
    let json = serde_json::to_string(&settlement.clone().without_detail()).map_err(AppError::internal)?;
    let versions = settlement.modellversioner.join(", ");
    let tx = store.begin()?;
    let id = tx.insert_settlement(period, timestamp, &fingerprint, &versions, settlement.belopp, &json)?;
    tx.commit()?;
    Ok(Outcome::Done {
        run: id,
        settlement,
        same_as,
    })
}

/// A stored run (without brukare-days; see [`stored_detail`]).
pub fn stored(store: &Store, id: i64) -> Result<Settlement, AppError> {
    let Some(run) = store.settlement(id)? else {
        return Err(AppError::User(format!(
            "Det finns ingen avräkningskörning nummer {id}."
        )));
    };
    serde_json::from_str(&run.resultat).map_err(|e| AppError::internal(format!("avräkning {id} kan inte läsas: {e}")))
}

/// A stored run with its brukare-days, recomputed from the stored inputs;
/// refused when the inputs have changed since the run (the fingerprint
/// differs), since the days would then not be the run's.
pub fn stored_detail(store: &Store, id: i64) -> Result<Settlement, AppError> {
    let Some(run) = store.settlement(id)? else {
        return Err(AppError::User(format!(
            "Det finns ingen avräkningskörning nummer {id}."
        )));
    };
    let period = run.period;
    let models = models::stored(store)?;
    let (s, now) = settle_stored(store, period, &models, true)?;
    if now != run.fingeravtryck || s.belopp != run.belopp {
        return Err(AppError::User(format!(
            "Avräkning {id} ({period}) kan inte visas per brukare och dag: indata har ändrats sedan körningen \
             (annat fingeravtryck). Kör `resurs settle --period {period}` igen för en ny körning."
        )));
    }
    Ok(s)
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

/// The rows of a visit file: a CSV file filtered on the month before any
/// parsing, or an xlsx sheet.
enum Source {
    Csv(Box<resurs_io::FilteredCsv>),
    Xlsx(resurs_io::TableReader),
}

impl Source {
    fn next_row(&mut self) -> Option<Result<(usize, &resurs_io::StringRecord), resurs_io::table::BadRow>> {
        match self {
            Source::Csv(r) => r.next_row(),
            Source::Xlsx(t) => t.next_row(),
        }
    }
}

/// Settles the performed visits of `period` in a visit file (import format)
/// without importing it, with the stored models and providers. The file is
/// streamed: rows of other months are skipped by a byte search before any
/// parsing (a visit of May 2025 has `2025-05-` on its row), the month's rows
/// are checked exactly as import checks them (same Swedish messages, a
/// repeated `besok_id` per provider refused), and each visit goes straight
/// into the engine, so memory does not grow with the file. Only the file's
/// visits are settled (no grants); the run is not stored.
pub fn from_file(store: &Store, period: Period, path: &std::path::Path, detail: bool) -> Result<FromFile, AppError> {
    use crate::import::{parse_besok, BESOK, DUP};
    use resurs_core::model::BesokStatus;
    use resurs_core::personnummer::Personnummer;
    use resurs_io::{Columns, Problems, Row};
    use resurs_store::CodeTable;
    use std::hash::BuildHasher;

    // Only the file's visits are settled: grants (paid whatever the volumes)
    // are left out.
    let models: Vec<ModelVersion> = stored_models(store)?
        .into_iter()
        .filter(|m| m.prices_volumes())
        .collect();
    let pseudo = crate::keys::pseudonymizer(store, crate::keys::NewKey::Random)?;
    let providers = providers(store)?;
    let utforare_ids = store.code_ids(CodeTable::Utforare)?;
    let insats_ids = store.code_ids(CodeTable::Insats)?;
    let code_of =
        |ids: &HashMap<String, i64>| -> HashMap<i64, String> { ids.iter().map(|(k, v)| (*v, k.clone())).collect() };
    let (utforare_codes, insats_codes) = (code_of(&utforare_ids), code_of(&insats_ids));
    let mut src = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        Source::Xlsx(resurs_io::TableReader::open(path)?)
    } else {
        Source::Csv(Box::new(resurs_io::FilteredCsv::open(
            path,
            format!("{period}-").as_bytes(),
        )?))
    };
    let (file, headers) = match &src {
        Source::Csv(r) => (r.file.clone(), r.headers().to_vec()),
        Source::Xlsx(t) => (t.file.clone(), t.headers().to_vec()),
    };
    let mut problems = Problems::new(file);
    let Some(cols) = Columns::resolve(BESOK, &headers, &mut problems) else {
        return Ok(FromFile::Refused(problems));
    };
    let today = chrono::Utc::now().date_naive();
    let mut names: HashMap<Personnummer, String> = HashMap::new();
    // (provider, besok_id) → first line, held as a keyed 64-bit hash so that
    // memory stays small whatever the file (see docs/regler.md).
    let keyed = std::collections::hash_map::RandomState::new();
    let mut seen: HashMap<u64, u32> = HashMap::new();
    let mut engine = Settler::new(period, &models, &providers, detail);
    let mut stats = FileStats { rows: 0, used: 0 };
    let mut xlsx_rows = 0u64;
    while let Some(next) = src.next_row() {
        let (line, rec) = match next {
            Ok(x) => x,
            Err((line, expected)) => {
                problems.add(Some(line), None, None, expected);
                continue;
            }
        };
        xlsx_rows += 1;
        let mut row = Row::new(rec, &cols, line, &mut problems);
        let Some(v) = parse_besok(&mut row, &utforare_ids, &insats_ids, today) else {
            continue;
        };
        if v.period != period {
            continue;
        }
        let key = keyed.hash_one((v.utforare, v.id.as_str()));
        if seen.insert(key, line as u32).is_some() {
            problems.add(Some(line), Some(BESOK[0].name), Some(&v.id), DUP);
            continue;
        }
        let (BesokStatus::Utford, (Some(s), Some(e))) = (v.status, v.fakt) else {
            continue;
        };
        if !problems.is_empty() {
            continue; // the file is refused anyway; only its problems matter now
        }
        let brukare = names.entry(v.pnr).or_insert_with_key(|p| pseudo.brukare(p));
        let (Some(utforare), Some(insats)) = (utforare_codes.get(&v.utforare), insats_codes.get(&v.insats)) else {
            continue;
        };
        engine.visit(Visit {
            brukare,
            utforare,
            insats,
            start: from_minutes(s),
            end: from_minutes(e),
        });
        stats.used += 1;
    }
    stats.rows = match &src {
        Source::Csv(r) => r.rows(),
        Source::Xlsx(_) => xlsx_rows,
    };
    if !problems.is_empty() {
        return Ok(FromFile::Refused(problems));
    }
    let settlement = engine.finish(&Volumes::default());
    if !settlement.within_bounds() {
        return Err(AppError::User(resurs_core::num::total_too_large(&format!(
            "avräkningen för {period}"
        ))));
    }
    Ok(FromFile::Done(settlement, stats))
}

/// The providers as the settlement needs them (a register value that
/// cannot be read is the store's error, never a default).
pub(crate) fn providers(store: &Store) -> Result<Vec<ProviderIn>, AppError> {
    Ok(store
        .providers()?
        .into_iter()
        .map(|p| ProviderIn {
            kod: p.kod,
            namn: p.namn,
            regiform: p.regiform,
            platser: p.platser,
            bemanning: p.bemanning,
        })
        .collect())
}
