//! `resurs demo`: the demo municipality *Exempelstad*.
//!
//! Generated from a seed (same seed → same files, byte for byte, and the same
//! database content), calibrated to the Östersund-scale figures in
//! docs/regler.md, "Exempelstadens storlek". The generator writes ordinary
//! import files and imports them through the same path as a user's files, so
//! the demo also exercises every importer. What it contains and how it is
//! shaped is documented in `docs/exempelstad.md`.

use crate::import::{self, Kind, Outcome};
use crate::keys::NewKey;
use crate::AppError;
use chrono::{Datelike, Duration, NaiveDate};
use resurs_core::calendar::is_working_day;
use resurs_core::period::Period;
use resurs_core::personnummer::Personnummer;
use resurs_store::Store;
use std::collections::{BTreeMap, HashSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Options of `resurs demo`.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// 1–100: share of the full Exempelstad's people and places.
    pub scale_percent: u32,
    /// Keep the generated import files here (otherwise a temporary folder).
    pub dir: Option<PathBuf>,
}

/// What the demo created.
#[derive(Debug, Clone)]
pub struct Summary {
    pub files: usize,
    pub rows: u64,
}

/// SplitMix64: small, fast and, unlike a library generator, guaranteed to
/// give the same sequence in every version of Resurs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    /// Exponentially distributed with the given mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }
    /// Roughly normal (sum of uniforms), mean 0, standard deviation 1.
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.f64()).sum::<f64>() - 6.0
    }
    /// Index chosen with the given weights.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// First and last day of the demo's outcomes.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date")
}
fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).expect("valid date")
}
fn months() -> Vec<Period> {
    Period::of(first_day()).through(Period::of(last_day())).collect()
}
fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Own home-care units and LOV providers: (code, name, ansvar, regiform).
pub fn home_care_providers() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    vec![
        ("711", "Hemtjänst Centrum", "711", "egen regi"),
        ("712", "Hemtjänst Norr", "712", "egen regi"),
        ("713", "Hemtjänst Söder", "713", "intraprenad"),
        ("714", "Hemtjänst Öster", "714", "egen regi"),
        ("715", "Hemtjänst Väster", "715", "egen regi"),
        ("716", "Hemtjänst Ängen", "716", "egen regi"),
        ("717", "Hemtjänst Backen", "717", "egen regi"),
        ("718", "Hemtjänst Landsbygd", "718", "egen regi"),
        ("LOV1", "Omsorgshuset AB", "719", "LOV"),
        ("LOV2", "Trygga Händer AB", "719", "LOV"),
        ("LOV3", "Vardagshjälpen i Exempelstad AB", "719", "LOV"),
        ("LOV4", "Nära Omsorg AB", "719", "LOV"),
    ]
}

const AREAS: [&str; 8] = [
    "Centrum",
    "Norr",
    "Söder",
    "Öster",
    "Väster",
    "Ängen",
    "Backen",
    "Landsbygd",
];

/// Care homes: (code, name, places, dementia focus, regiform).
fn care_homes() -> Vec<(&'static str, &'static str, u32, bool, &'static str)> {
    vec![
        ("731", "Södergården", 52, true, "egen regi"),
        ("732", "Ängsbacken", 48, false, "egen regi"),
        ("733", "Lindgården", 60, false, "egen regi"),
        ("734", "Björkhagen", 44, true, "egen regi"),
        ("735", "Solgläntan", 40, false, "intraprenad"),
        ("736", "Tallåsen", 56, false, "egen regi"),
        ("737", "Ekbacken", 36, true, "egen regi"),
        ("738", "Rosengården", 18, false, "egen regi"),
        ("739", "Furuliden", 16, true, "egen regi"),
        ("740", "Hagaberg", 42, false, "egen regi"),
        ("741", "Strandgården", 54, false, "egen regi"),
        ("742", "Vallmon", 38, false, "egen regi"),
        ("743", "Kastanjen", 46, false, "egen regi"),
        ("744", "Lärkan", 40, false, "egen regi"),
        ("ENT1", "Omsorgsgården (entreprenad)", 30, false, "upphandlad"),
        ("ENT2", "Sjöängen (entreprenad)", 30, true, "upphandlad"),
    ]
}

const STREETS: [&str; 24] = [
    "Almvägen",
    "Björkvägen",
    "Cedervägen",
    "Dungen",
    "Ekvägen",
    "Fjällgatan",
    "Granvägen",
    "Hasselstigen",
    "Idegransvägen",
    "Jämtgatan",
    "Kvarnvägen",
    "Lönnvägen",
    "Mossvägen",
    "Norrgatan",
    "Odlingsvägen",
    "Parkvägen",
    "Rönnvägen",
    "Sjövägen",
    "Tallvägen",
    "Udden",
    "Vallvägen",
    "Åkervägen",
    "Ängsvägen",
    "Östergatan",
];

/// LSS housing units: (kostnadsställe, name, places, area ansvar, service housing).
fn lss_units() -> Vec<(String, String, u32, &'static str, bool)> {
    let per_area = [12, 12, 12, 11, 11, 11];
    let areas = ["761", "762", "763", "764", "765", "766"];
    let places = [6, 5, 6, 7, 5, 6, 4, 6, 8, 5, 6, 6];
    let mut v = Vec::new();
    let mut n = 0;
    for (a, count) in areas.iter().zip(per_area) {
        for i in 0..count {
            let service = i == 0 && n % 2 == 0;
            let street = STREETS[n % STREETS.len()];
            let name = if service {
                format!("Servicebostad {street}")
            } else {
                format!("Gruppbostad {street}")
            };
            let p = if service { 9 } else { places[n % places.len()] };
            v.push((format!("{a}{:02}", i + 1), name, p, *a, service));
            n += 1;
        }
    }
    v
}

/// One generated visit: minute-of-day times relative to `day`.
pub struct Visit {
    pub day: NaiveDate,
    pub insats: &'static str,
    pub plan_start: i64,
    pub plan_len: i64,
    pub actual: Option<(i64, i64)>,
    pub status: &'static str,
}

/// A visit on `day` of about `mean_len` minutes, at a time of day weighted
/// like home care (mornings busiest); `night` allows night visits.
pub fn random_visit(rng: &mut Rng, day: NaiveDate, mean_len: i64, night: bool) -> Visit {
    // Night visits fall on the same calendar day (early morning or late
    // evening) so that a visit always starts on the day it was drawn for.
    let night_w = if night { 3.0 } else { 0.0 };
    let slot = rng.weighted(&[40.0, 25.0, 15.0, 17.0, night_w, night_w]);
    let (from, to) = [
        (7 * 60, 9 * 60 + 30),
        (11 * 60, 13 * 60),
        (14 * 60, 17 * 60),
        (18 * 60, 21 * 60 + 30),
        (22 * 60, 23 * 60 + 55),
        (30, 6 * 60),
    ][slot];
    let start = (rng.range(from, to) / 5) * 5;
    let kind = rng.weighted(&[80.0, 12.0, 8.0]);
    let (insats, len) = match kind {
        0 => ("HT_OMV", (mean_len as f64 * (0.5 + rng.f64())).round() as i64),
        1 => ("HT_SERV", rng.range(45, 90)),
        _ => ("HT_HSL", rng.range(10, 20)),
    };
    let plan_len = (len.max(10) / 5) * 5;
    let r = rng.f64();
    let (status, actual) = if r < 0.025 {
        ("inställd", None)
    } else if r < 0.033 {
        ("bomtid", Some((start, start + 5)))
    } else {
        let s = (start + rng.range(-5, 15)).clamp(0, 1439);
        let l = ((plan_len as f64) * (0.8 + 0.4 * rng.f64())).round() as i64;
        ("utförd", Some((s, s + l.max(5))))
    };
    Visit {
        day,
        insats,
        plan_start: start,
        plan_len,
        actual,
        status,
    }
}

/// Writes visit rows fast: dates are formatted once per day.
pub struct VisitWriter {
    out: BufWriter<Box<dyn Write>>,
    day_cache: BTreeMap<NaiveDate, String>,
}

impl VisitWriter {
    pub fn new(out: Box<dyn Write>) -> VisitWriter {
        VisitWriter {
            out: BufWriter::with_capacity(1 << 20, out),
            day_cache: BTreeMap::new(),
        }
    }

    pub fn header(&mut self) -> std::io::Result<()> {
        writeln!(self.out, "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status")
    }

    fn stamp(&mut self, day: NaiveDate, minute: i64) -> String {
        let d = day + Duration::days(minute.div_euclid(1440));
        let m = minute.rem_euclid(1440);
        if self.day_cache.len() > 4096 {
            self.day_cache.clear();
        }
        let ds = self
            .day_cache
            .entry(d)
            .or_insert_with(|| d.format("%Y-%m-%d").to_string());
        format!("{ds} {:02}:{:02}", m / 60, m % 60)
    }

    /// `id` becomes the visit id `{prefix}{id:09}`.
    pub fn write(
        &mut self,
        prefix: char,
        id: u64,
        pnr: &str,
        provider: &str,
        v: &Visit,
        staff: &str,
    ) -> std::io::Result<()> {
        let ps = self.stamp(v.day, v.plan_start);
        let pe = self.stamp(v.day, v.plan_start + v.plan_len);
        let (fs, fe) = match v.actual {
            Some((s, e)) => (self.stamp(v.day, s), self.stamp(v.day, e)),
            None => (String::new(), String::new()),
        };
        writeln!(
            self.out,
            "{prefix}{id:09};{pnr};{provider};{};{staff};{ps};{pe};{fs};{fe};{}",
            v.insats, v.status
        )
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// `-1234,50` for a file (no thousands separators).
fn kr(ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let a = ore.unsigned_abs();
    format!("{sign}{},{:02}", a / 100, a % 100)
}

fn kr_f(amount: f64) -> String {
    kr((amount * 100.0).round() as i64)
}

fn date_opt(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A `;`-separated UTF-8 file being written.
struct CsvFile {
    path: PathBuf,
    out: BufWriter<std::fs::File>,
    rows: u64,
}

impl CsvFile {
    fn create(dir: &Path, name: &str, header: &str) -> Result<CsvFile, AppError> {
        let path = dir.join(name);
        let f = std::fs::File::create(&path).map_err(AppError::io(format!("skapa {}", path.display())))?;
        let mut out = BufWriter::new(f);
        writeln!(out, "{header}").map_err(AppError::io(format!("skriva {}", path.display())))?;
        Ok(CsvFile { path, out, rows: 0 })
    }
    fn row(&mut self, cells: &[&str]) -> Result<(), AppError> {
        self.rows += 1;
        writeln!(self.out, "{}", cells.join(";")).map_err(AppError::io(format!("skriva {}", self.path.display())))
    }
    fn done(mut self) -> Result<(PathBuf, u64), AppError> {
        self.out
            .flush()
            .map_err(AppError::io(format!("skriva {}", self.path.display())))?;
        Ok((self.path, self.rows))
    }
}

/// Volumes gathered while generating, from which the ledger is derived.
#[derive(Default)]
struct Volumes {
    /// (provider code, period) → performed minutes.
    home_minutes: BTreeMap<(String, Period), i64>,
    /// (unit code, period) → occupied days.
    occupied: BTreeMap<(String, Period), i64>,
    /// period → attendance days (full = 1, half = 0.5 counted as halves).
    dv_halfdays: BTreeMap<Period, i64>,
    /// (provider, period) → performed assistance hours and FK rate (öre).
    pa_hours: BTreeMap<(String, Period), (f64, i64)>,
    /// (ansvar, period) → placement cost in kr.
    placements: BTreeMap<(String, Period), f64>,
}

struct Gen {
    rng: Rng,
    scale: f64,
    dir: PathBuf,
    used_pnr: HashSet<String>,
    serial: u16,
    vol: Volumes,
    beslut: CsvFile,
    beslut_no: u64,
    /// Id for the next decision instead of the running number.
    next_decision_id: Option<String>,
    /// Home-care people (pnr) with their active range, for short-term care.
    home_people: Vec<(String, NaiveDate, Option<NaiveDate>)>,
    lss_people: Vec<String>,
    files: Vec<(Kind, PathBuf, u64)>,
}

impl Gen {
    fn scaled(&self, n: f64) -> usize {
        ((n * self.scale).round() as usize).max(1)
    }

    /// A new synthetic person born between the years given.
    fn person(&mut self, from_year: i32, to_year: i32) -> String {
        loop {
            let y = self.rng.range(from_year as i64, to_year as i64) as i32;
            let d = ymd(y, 1, 1) + Duration::days(self.rng.below(365) as i64);
            self.serial = self.serial.wrapping_add(7) % 1000;
            let p = Personnummer::synthetic(d, self.serial);
            if self.used_pnr.insert(p.clone()) {
                return p;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn decision(
        &mut self,
        pnr: &str,
        insats: &str,
        volym: Option<String>,
        niva: Option<String>,
        provider: Option<&str>,
        decided: NaiveDate,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        area: Option<&str>,
    ) -> Result<(), AppError> {
        self.beslut_no += 1;
        let id = self
            .next_decision_id
            .take()
            .unwrap_or_else(|| format!("D{:07}", self.beslut_no));
        self.beslut.row(&[
            &id,
            pnr,
            insats,
            "",
            volym.as_deref().unwrap_or(""),
            niva.as_deref().unwrap_or(""),
            provider.unwrap_or(""),
            &decided.to_string(),
            &date_opt(start),
            &date_opt(end),
            area.unwrap_or(""),
        ])
    }

    fn push(&mut self, kind: Kind, f: CsvFile) -> Result<(), AppError> {
        let (p, n) = f.done()?;
        self.files.push((kind, p, n));
        Ok(())
    }
}

/// Writes every Exempelstad file into `dir`, in import order.
pub fn generate(
    dir: &Path,
    seed: u64,
    scale_percent: u32,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<(Kind, PathBuf, u64)>, AppError> {
    std::fs::create_dir_all(dir).map_err(AppError::io(format!("skapa katalogen {}", dir.display())))?;
    let beslut = CsvFile::create(
        dir,
        "beslut.csv",
        "beslut_id;personnummer;insats;lagrum;beviljad_volym;nivå;utförare;beslutsdatum;startdatum;slutdatum;område",
    )?;
    let mut g = Gen {
        rng: Rng::new(seed),
        scale: scale_percent.clamp(1, 100) as f64 / 100.0,
        dir: dir.to_path_buf(),
        used_pnr: HashSet::new(),
        serial: 0,
        vol: Volumes::default(),
        beslut,
        beslut_no: 0,
        next_decision_id: None,
        home_people: Vec::new(),
        lss_people: Vec::new(),
        files: Vec::new(),
    };
    log("Skapar organisation, insatser och utförare …");
    organisation(&mut g)?;
    insatser(&mut g)?;
    utforare(&mut g)?;
    log("Skapar hemtjänst med besök (utförd tid) …");
    home_care(&mut g)?;
    log("Skapar vistelser i särskilt boende, korttid och LSS-boende …");
    let stays = CsvFile::create(
        &g.dir,
        "vistelser.csv",
        "vistelse_id;personnummer;enhet;plats;inflyttning;utflyttning;typ",
    )?;
    let stays = residential(&mut g, stays)?;
    g.push(Kind::Vistelser, stays)?;
    log("Skapar daglig verksamhet, boendestöd, personlig assistans och placeringar …");
    daily_activities(&mut g)?;
    housing_support(&mut g)?;
    assistance(&mut g)?;
    placements(&mut g)?;
    let beslut = std::mem::replace(&mut g.beslut, CsvFile::create(&g.dir, ".tom", "x")?);
    let (p, n) = beslut.done()?;
    let _ = std::fs::remove_file(g.dir.join(".tom"));
    // Decisions go before the volumes that refer to the same people.
    let pos = g.files.iter().position(|f| f.0 == Kind::Besok).unwrap_or(g.files.len());
    g.files.insert(pos, (Kind::Beslut, p, n));
    log("Skapar huvudbok, budget och befolkning …");
    ledger_and_budget(&mut g)?;
    population(&mut g)?;
    log("Skapar personal (timmar, sjukfrånvaro, övertid) …");
    let staff = crate::demo_personal::write(&g.dir, seed, &staff_need(&g))?;
    g.files.push((Kind::Personal, staff.0, staff.1));
    Ok(g.files)
}

/// Worked hours each own unit needs per month, for the staff file: home
/// care about 1 / 0,6 of the performed time (brukartidsandel about 60 %),
/// care homes about 150 hours a month per place.
fn staff_need(g: &Gen) -> Vec<(String, BTreeMap<Period, f64>)> {
    let mut v = Vec::new();
    for (i, (kod, _, _, regiform)) in home_care_providers().into_iter().enumerate() {
        if regiform == "LOV" {
            continue;
        }
        let share = 0.57 + 0.01 * (i % 6) as f64;
        let need: BTreeMap<Period, f64> = g
            .vol
            .home_minutes
            .iter()
            .filter(|((k, _), _)| k == kod)
            .map(|((_, p), min)| (*p, *min as f64 / 60.0 / share))
            .collect();
        v.push((kod.to_string(), need));
    }
    for (kod, _, places, _, regiform) in care_homes() {
        if regiform == "upphandlad" {
            continue;
        }
        let hours = (places as f64 * g.scale).round().max(4.0) * 150.0;
        v.push((kod.to_string(), months().into_iter().map(|p| (p, hours)).collect()));
    }
    v
}

fn organisation(g: &mut Gen) -> Result<(), AppError> {
    let mut f = CsvFile::create(
        &g.dir,
        "organisation.csv",
        "kod;namn;nivå;överordnad;giltig_från;giltig_till",
    )?;
    let from = "2020-01-01";
    let node = |f: &mut CsvFile, kod: &str, namn: &str, niva: &str, parent: &str, fr: &str, to: &str| {
        f.row(&[kod, namn, niva, parent, fr, to])
    };
    node(&mut f, "EXS", "Exempelstads kommun", "kommun", "", from, "")?;
    node(&mut f, "VON", "Vård- och omsorgsnämnden", "nämnd", "EXS", from, "")?;
    node(&mut f, "SN", "Socialnämnden", "nämnd", "EXS", from, "")?;
    node(
        &mut f,
        "VOF",
        "Vård- och omsorgsförvaltningen",
        "förvaltning",
        "VON",
        from,
        "",
    )?;
    node(&mut f, "SOF", "Socialförvaltningen", "förvaltning", "SN", from, "")?;
    for (kod, namn, parent) in [
        ("71", "Hemtjänst", "VOF"),
        ("73", "Särskilt boende", "VOF"),
        ("75", "Korttidsvård", "VOF"),
        ("76", "Funktionsstöd", "VOF"),
        ("79", "Gemensamt vård och omsorg", "VOF"),
        ("81", "Individ- och familjeomsorg", "SOF"),
        ("89", "Gemensamt socialtjänst", "SOF"),
    ] {
        node(&mut f, kod, namn, "avdelning", parent, from, "")?;
    }
    // The 2026 reorganisation: rural home care becomes its own department.
    node(
        &mut f,
        "72",
        "Hemtjänst landsbygd",
        "avdelning",
        "VOF",
        "2026-01-01",
        "",
    )?;
    for (kod, namn, _, _) in home_care_providers().into_iter().take(7) {
        node(&mut f, kod, namn, "ansvar", "71", from, "")?;
    }
    node(&mut f, "718", "Hemtjänst Landsbygd", "ansvar", "71", from, "2025-12-31")?;
    node(&mut f, "718", "Hemtjänst Landsbygd", "ansvar", "72", "2026-01-01", "")?;
    node(&mut f, "719", "Köpt hemtjänst (LOV)", "ansvar", "71", from, "")?;
    node(&mut f, "710", "Hemtjänst gemensamt", "ansvar", "71", from, "")?;
    for (kod, namn, _, _, regi) in care_homes() {
        if regi != "upphandlad" {
            node(&mut f, kod, namn, "ansvar", "73", from, "")?;
        }
    }
    node(&mut f, "749", "Köpt särskilt boende", "ansvar", "73", from, "")?;
    node(&mut f, "751", "Korttidsboendet Ljuset", "ansvar", "75", from, "")?;
    node(&mut f, "752", "Korttidsboendet Vila", "ansvar", "75", from, "")?;
    for (i, a) in ["761", "762", "763", "764", "765", "766"].iter().enumerate() {
        node(
            &mut f,
            a,
            &format!("LSS-boende område {}", i + 1),
            "ansvar",
            "76",
            from,
            "",
        )?;
    }
    for (kst, namn, _, area, _) in lss_units() {
        node(&mut f, &kst, &namn, "kostnadsställe", area, from, "")?;
    }
    node(&mut f, "771", "Daglig verksamhet", "ansvar", "76", from, "")?;
    node(
        &mut f,
        "772",
        "Boendestöd och socialpsykiatri",
        "ansvar",
        "76",
        from,
        "",
    )?;
    node(&mut f, "773", "Personlig assistans", "ansvar", "76", from, "")?;
    node(
        &mut f,
        "791",
        "Förvaltningsledning vård och omsorg",
        "ansvar",
        "79",
        from,
        "",
    )?;
    node(&mut f, "792", "Biståndsenheten", "ansvar", "79", from, "")?;
    node(&mut f, "811", "Barn och unga", "ansvar", "81", from, "")?;
    node(&mut f, "812", "Vuxna", "ansvar", "81", from, "")?;
    node(
        &mut f,
        "891",
        "Förvaltningsledning socialtjänst",
        "ansvar",
        "89",
        from,
        "",
    )?;
    g.push(Kind::Organisation, f)
}

fn insatser(g: &mut Gen) -> Result<(), AppError> {
    let mut f = CsvFile::create(&g.dir, "insatser.csv", "kod;namn;lagrum;volymenhet;verksamhet")?;
    for row in [
        ["HT_OMV", "Hemtjänst omvårdnad", "SoL", "timmar", "hemtjänst"],
        ["HT_SERV", "Hemtjänst service", "SoL", "timmar", "hemtjänst"],
        ["HT_HSL", "Delegerad hälso- och sjukvård", "HSL", "timmar", "hemtjänst"],
        ["HT_LARM", "Trygghetslarm", "SoL", "månad", "hemtjänst"],
        ["HT_MAT", "Matdistribution", "SoL", "styck", "hemtjänst"],
        ["SABO_SOM", "Särskilt boende, somatik", "SoL", "dygn", "särskilt boende"],
        ["SABO_DEM", "Särskilt boende, demens", "SoL", "dygn", "särskilt boende"],
        ["KORTTID", "Korttidsvård", "SoL", "dygn", "korttid"],
        [
            "LSS_GRUPP",
            "Bostad med särskild service, gruppbostad",
            "LSS",
            "dygn",
            "LSS-boende",
        ],
        [
            "LSS_SERV",
            "Bostad med särskild service, servicebostad",
            "LSS",
            "dygn",
            "LSS-boende",
        ],
        ["DV", "Daglig verksamhet", "LSS", "närvarodagar", "daglig verksamhet"],
        ["BST", "Boendestöd", "SoL", "timmar", "boendestöd"],
        [
            "PA_SFB",
            "Personlig assistans (SFB)",
            "SFB",
            "timmar",
            "personlig assistans",
        ],
        [
            "PA_LSS",
            "Personlig assistans (LSS)",
            "LSS",
            "timmar",
            "personlig assistans",
        ],
        ["IFO_PLAC", "Placering", "SoL", "dygn", "IFO"],
    ] {
        f.row(&row)?;
    }
    g.push(Kind::Insatser, f)
}

fn utforare(g: &mut Gen) -> Result<(), AppError> {
    let mut f = CsvFile::create(
        &g.dir,
        "utforare.csv",
        "kod;namn;regiform;ansvar;platser;bemanning;beläggningskrav",
    )?;
    for (kod, namn, ansvar, regi) in home_care_providers() {
        f.row(&[kod, namn, regi, ansvar, "", "", ""])?;
    }
    for (kod, namn, places, _, regi) in care_homes() {
        let ansvar = if regi == "upphandlad" { "749" } else { kod };
        // Care homes are required to be nearly full; short-term care (below) less so.
        f.row(&[kod, namn, regi, ansvar, &g.scaled(places as f64).to_string(), "", "97"])?;
    }
    f.row(&[
        "751",
        "Korttidsboendet Ljuset",
        "egen regi",
        "751",
        &g.scaled(20.0).to_string(),
        "",
        "85",
    ])?;
    f.row(&[
        "752",
        "Korttidsboendet Vila",
        "egen regi",
        "752",
        &g.scaled(16.0).to_string(),
        "",
        "85",
    ])?;
    // Group homes with six places or more have awake night staff.
    for (kst, namn, places, _, service) in lss_units() {
        let bemanning = if !service && places >= 6 {
            "vaken natt"
        } else {
            "dagtäckning"
        };
        f.row(&[&kst, &namn, "egen regi", &kst, &places.to_string(), bemanning, ""])?;
    }
    for row in [
        ["771", "Daglig verksamhet Exempelstad", "egen regi", "771", ""],
        ["772", "Boendestödsenheten", "egen regi", "772", ""],
        ["773", "Personlig assistans, kommunen", "egen regi", "773", ""],
        ["PA1", "Assistansbolaget Norr AB", "upphandlad", "773", ""],
        ["FH", "Kommunens familjehemsvård", "egen regi", "811", ""],
        ["HVB1", "Ungdomshemmet Älven AB", "upphandlad", "811", ""],
        ["HVB2", "Behandlingshemmet Klippan AB", "upphandlad", "811", ""],
        ["HVB3", "Vuxenboendet Fyren AB", "upphandlad", "812", ""],
        ["SIS", "Statens institutionsstyrelse", "upphandlad", "811", ""],
        ["STOD1", "Stödboendet Trappan AB", "upphandlad", "812", ""],
    ] {
        f.row(&[row[0], row[1], row[2], row[3], row[4], "", ""])?;
    }
    g.push(Kind::Utforare, f)
}

/// Seasonal execution factor: summer staffing and winter sick leave mean a
/// little less of the granted time is performed.
fn season_execution(p: Period) -> f64 {
    match p.month() {
        7 => 0.93,
        6 | 8 => 0.96,
        1 | 2 => 0.97,
        12 => 0.96,
        _ => 1.0,
    }
}

fn home_care(g: &mut Gen) -> Result<(), AppError> {
    let providers = home_care_providers();
    let file = std::fs::File::create(g.dir.join("besok.csv")).map_err(AppError::io("skapa besok.csv"))?;
    let mut w = VisitWriter::new(Box::new(file));
    w.header().map_err(AppError::io("skriva besok.csv"))?;
    let months = months();
    let initial = g.scaled(2000.0);
    let arrivals_per_month = g.scaled(50.0);
    let mut people: Vec<(NaiveDate, bool)> = (0..initial).map(|_| (first_day(), true)).collect();
    for p in &months {
        for _ in 0..arrivals_per_month {
            let d = p.first_day() + Duration::days(g.rng.below(p.days() as u64) as i64);
            people.push((d, false));
        }
    }
    // Each unit performs a little differently (execution rate).
    let unit_exec: Vec<f64> = (0..providers.len()).map(|_| 0.86 + 0.1 * g.rng.f64()).collect();
    let mut visit_no: u64 = 0;
    let staff_pool = 45u64;
    for (start, existing) in people {
        let pnr = if g.rng.chance(0.9) {
            g.person(1922, 1960)
        } else {
            g.person(1961, 2004)
        };
        let area = g.rng.weighted(&[22.0, 14.0, 14.0, 12.0, 12.0, 10.0, 8.0, 8.0]);
        let provider = if g.rng.chance(0.2) {
            8 + g.rng.below(4) as usize
        } else {
            area
        };
        let (pcode, _, _, _) = providers[provider];
        // Hours per month by the three Östersund intervals (docs/regler.md,
        // "Nivåer i hemtjänsten").
        let level = g.rng.weighted(&[50.0, 35.0, 15.0]);
        let granted = match level {
            0 => 4.0 + g.rng.f64() * 20.0,
            1 => 25.0 + g.rng.f64() * 45.0,
            _ => 75.0 + g.rng.exp(45.0).min(150.0),
        };
        let granted = (granted * 2.0).round() / 2.0;
        // Roughly 2,5 % a month leave home care (care home, death).
        let months_left = g.rng.exp(40.0) as i64;
        let end = start
            .checked_add_months(chrono::Months::new(months_left as u32 + 1))
            .map(|d| d - Duration::days(g.rng.below(28) as i64 + 1));
        let end = end.filter(|e| *e <= last_day() && *e >= start);
        let decided = if existing {
            ymd(2018, 1, 1) + Duration::days(g.rng.below(365 * 7) as i64)
        } else {
            start - Duration::days(g.rng.range(3, 20))
        };
        let real_start = if existing {
            decided + Duration::days(g.rng.range(2, 14))
        } else {
            start
        };
        // One in ten is reassessed during the period: need goes up or down.
        let reassess = if g.rng.chance(0.1) {
            let m = months[g.rng.below(months.len() as u64) as usize];
            Some((
                m.first_day().max(real_start + Duration::days(30)),
                if g.rng.chance(0.4) { 0.7 } else { 1.3 },
            ))
        } else {
            None
        };
        let area_name = AREAS[area];
        match reassess {
            Some((when, factor)) if end.is_none_or(|e| e > when) && when <= last_day() => {
                g.decision(
                    &pnr,
                    "HT_OMV",
                    Some(hours(granted)),
                    None,
                    Some(pcode),
                    decided,
                    Some(real_start),
                    Some(when - Duration::days(1)),
                    Some(area_name),
                )?;
                g.decision(
                    &pnr,
                    "HT_OMV",
                    Some(hours(granted * factor)),
                    None,
                    Some(pcode),
                    when - Duration::days(5),
                    Some(when),
                    end,
                    Some(area_name),
                )?;
            }
            _ => g.decision(
                &pnr,
                "HT_OMV",
                Some(hours(granted)),
                None,
                Some(pcode),
                decided,
                Some(real_start),
                end,
                Some(area_name),
            )?,
        }
        if g.rng.chance(0.6) {
            g.decision(
                &pnr,
                "HT_LARM",
                None,
                None,
                Some(pcode),
                decided,
                Some(real_start),
                end,
                None,
            )?;
        }
        let meals = g.rng.chance(0.15);
        if meals {
            g.decision(
                &pnr,
                "HT_MAT",
                Some("20".into()),
                None,
                Some(pcode),
                decided,
                Some(real_start),
                end,
                None,
            )?;
        }
        g.home_people.push((pnr.clone(), real_start, end));
        let mean_len = if granted < 25.0 { 50 } else { 35 };
        for p in &months {
            let days = p.overlap_days(start.max(first_day()), end) as i64;
            if days == 0 {
                continue;
            }
            let g_month = match reassess {
                Some((when, factor)) if p.first_day() >= when => granted * factor,
                _ => granted,
            };
            let target =
                g_month * 60.0 * unit_exec[provider] * season_execution(*p) * (0.92 + 0.16 * g.rng.f64()) * days as f64
                    / p.days() as f64;
            let first = start.max(p.first_day());
            let mut done = 0.0;
            let mut visits = Vec::new();
            while done < target {
                let day = first + Duration::days(g.rng.below(days as u64) as i64);
                let v = random_visit(&mut g.rng, day, mean_len, granted > 75.0);
                if v.status == "utförd" {
                    if let Some((s, e)) = v.actual {
                        done += (e - s) as f64;
                    }
                }
                visits.push(v);
            }
            visits.sort_by_key(|v| (v.day, v.plan_start));
            let mut minutes = 0;
            for v in &visits {
                visit_no += 1;
                let staff = format!("{pcode}-P{:03}", g.rng.below(staff_pool));
                w.write('B', visit_no, &pnr, pcode, v, &staff)
                    .map_err(AppError::io("skriva besok.csv"))?;
                if v.status == "utförd" {
                    if let Some((s, e)) = v.actual {
                        // Counted in the month the visit starts, as the importer does.
                        let d = v.day + Duration::days(s.div_euclid(1440));
                        let key = (pcode.to_string(), Period::of(d));
                        if Period::of(d) == *p {
                            minutes += e - s;
                        } else {
                            *g.vol.home_minutes.entry(key).or_default() += e - s;
                        }
                    }
                }
            }
            *g.vol.home_minutes.entry((pcode.to_string(), *p)).or_default() += minutes;
            // Meal boxes: one delivery each working day, registered like a visit.
            if meals {
                for day in first.iter_days().take(days as usize) {
                    if !resurs_core::calendar::is_working_day(day) {
                        continue;
                    }
                    let v = Visit {
                        day,
                        insats: "HT_MAT",
                        plan_start: 11 * 60,
                        plan_len: 5,
                        actual: Some((11 * 60, 11 * 60 + 5)),
                        status: "utförd",
                    };
                    visit_no += 1;
                    w.write('B', visit_no, &pnr, pcode, &v, &format!("{pcode}-M01"))
                        .map_err(AppError::io("skriva besok.csv"))?;
                }
            }
        }
    }
    // Decisions not carried out: granted but no start date yet.
    for _ in 0..g.scaled(14.0) {
        let pnr = g.person(1925, 1950);
        let decided = ymd(2026, 3, 1) + Duration::days(g.rng.below(220) as i64);
        let area = g.rng.below(8) as usize;
        let h = hours(10.0 + g.rng.f64() * 30.0);
        g.decision(
            &pnr,
            "HT_OMV",
            Some(h),
            None,
            None,
            decided,
            None,
            None,
            Some(AREAS[area]),
        )?;
    }
    w.finish().map_err(AppError::io("skriva besok.csv"))?;
    g.files.push((Kind::Besok, g.dir.join("besok.csv"), visit_no));
    Ok(())
}

fn hours(h: f64) -> String {
    let hundredths = (h * 100.0).round() as i64;
    kr(hundredths)
}

/// Care homes, short-term care and LSS housing: a timeline of stays per
/// place, with vacancies between a move-out and the next move-in.
fn residential(g: &mut Gen, mut f: CsvFile) -> Result<CsvFile, AppError> {
    let mut stay_no = 0u64;
    struct Unit {
        code: String,
        places: u32,
        mean_stay: f64,
        mean_gap: f64,
        min_gap: i64,
        typ: &'static str,
        insats: &'static str,
        kind: u8, // 0 care home, 1 short-term, 2 LSS
    }
    let mut units = Vec::new();
    for (code, _, places, dementia, _) in care_homes() {
        units.push(Unit {
            code: code.into(),
            places: g.scaled(places as f64) as u32,
            mean_stay: 820.0,
            mean_gap: 12.0,
            min_gap: 3,
            typ: "permanent",
            insats: if dementia { "SABO_DEM" } else { "SABO_SOM" },
            kind: 0,
        });
    }
    for (code, places) in [("751", 20.0), ("752", 16.0)] {
        units.push(Unit {
            code: code.into(),
            places: g.scaled(places) as u32,
            mean_stay: 12.0,
            mean_gap: 2.5,
            min_gap: 0,
            typ: "korttid",
            insats: "KORTTID",
            kind: 1,
        });
    }
    for (kst, _, places, _, service) in lss_units() {
        let places = if g.scale < 1.0 {
            ((places as f64 * g.scale).round() as u32).max(if g.rng.chance(g.scale) { 1 } else { 0 })
        } else {
            places
        };
        units.push(Unit {
            code: kst,
            places,
            mean_stay: 5500.0,
            mean_gap: 60.0,
            min_gap: 20,
            typ: "permanent",
            insats: if service { "LSS_SERV" } else { "LSS_GRUPP" },
            kind: 2,
        });
    }
    for u in units {
        for place in 1..=u.places {
            let place_code = format!("{}-{:03}", u.code, place);
            // The first resident moved in some time before the demo starts.
            let mut move_in = first_day() - Duration::days(g.rng.below((u.mean_stay * 1.5) as u64 + 1) as i64 + 1);
            let mut stay_no_in_place = 0;
            loop {
                let len = (g.rng.exp(u.mean_stay) as i64).max(if u.kind == 1 { 2 } else { 20 });
                let out = move_in + Duration::days(len);
                let move_out = (out <= last_day()).then_some(out);
                if move_out.is_none_or(|o| o >= first_day()) {
                    let pnr = match u.kind {
                        1 if !g.home_people.is_empty() && g.rng.chance(0.5) => {
                            let i = g.rng.below(g.home_people.len() as u64) as usize;
                            g.home_people[i].0.clone()
                        }
                        2 => g.person(1955, 2004),
                        _ => g.person(1918, 1948),
                    };
                    if u.kind == 2 {
                        g.lss_people.push(pnr.clone());
                    }
                    stay_no += 1;
                    let id = format!("V{stay_no:07}");
                    f.row(&[
                        &id,
                        &pnr,
                        &u.code,
                        &place_code,
                        &move_in.to_string(),
                        &date_opt(move_out),
                        u.typ,
                    ])?;
                    let niva = (u.kind == 2)
                        .then(|| (1 + g.rng.weighted(&[10.0, 18.0, 22.0, 20.0, 14.0, 10.0, 6.0])).to_string());
                    let decided = move_in - Duration::days(g.rng.range(5, 60));
                    // The first resident of the first group home has an individually
                    // investigated rate in the LSS model (docs/modeller/lss_boende.toml).
                    if u.kind == 2 && place == 1 && stay_no_in_place == 0 && u.code == lss_units()[0].0 {
                        g.next_decision_id = Some("D-IND-0001".into());
                    }
                    stay_no_in_place += 1;
                    g.decision(
                        &pnr,
                        u.insats,
                        None,
                        niva,
                        Some(&u.code),
                        decided,
                        Some(move_in),
                        move_out,
                        None,
                    )?;
                    // Each move-in is recorded for the ledger by occupied days per month.
                    for p in months() {
                        let end_day = move_out.map(|o| o - Duration::days(1));
                        let days = p.overlap_days(move_in, end_day) as i64;
                        if days > 0 {
                            *g.vol.occupied.entry((u.code.clone(), p)).or_default() += days;
                        }
                    }
                }
                let Some(o) = move_out else { break };
                move_in = o + Duration::days(u.min_gap + g.rng.exp(u.mean_gap) as i64);
                if move_in > last_day() {
                    break;
                }
            }
        }
    }
    // Waiting for a place: decisions not carried out.
    for (insats, n, from) in [
        ("SABO_SOM", 10.0, 1925),
        ("SABO_DEM", 6.0, 1925),
        ("LSS_GRUPP", 9.0, 1975),
    ] {
        for _ in 0..g.scaled(n) {
            let pnr = g.person(from, from + 25);
            let decided = ymd(2025, 9, 1) + Duration::days(g.rng.below(400) as i64);
            let niva = (insats == "LSS_GRUPP").then(|| g.rng.range(2, 6).to_string());
            g.decision(&pnr, insats, None, niva, None, decided, None, None, None)?;
        }
    }
    Ok(f)
}

fn daily_activities(g: &mut Gen) -> Result<(), AppError> {
    let mut f = CsvFile::create(&g.dir, "narvaro.csv", "personnummer;enhet;datum;omfattning")?;
    let n = g.scaled(320.0);
    let days: Vec<NaiveDate> = first_day()
        .iter_days()
        .take_while(|d| *d <= last_day())
        .filter(|d| is_working_day(*d))
        .collect();
    for i in 0..n {
        let pnr = if i < g.lss_people.len() * 7 / 10 && i < n * 7 / 10 {
            g.lss_people[i].clone()
        } else {
            g.person(1960, 2005)
        };
        let start = if g.rng.chance(0.85) {
            first_day() - Duration::days(g.rng.range(30, 3000))
        } else {
            first_day() + Duration::days(g.rng.below(600) as i64)
        };
        let end = if g.rng.chance(0.1) {
            Some(start.max(first_day()) + Duration::days(g.rng.range(60, 500))).filter(|e| *e <= last_day())
        } else {
            None
        };
        let decided = start - Duration::days(g.rng.range(10, 40));
        g.decision(&pnr, "DV", None, None, Some("771"), decided, Some(start), end, None)?;
        let p_attend = 0.72 + 0.23 * g.rng.f64();
        let p_half = 0.15 * g.rng.f64();
        for d in &days {
            if *d < start || end.is_some_and(|e| *d > e) {
                continue;
            }
            let summer = if d.month() == 7 { 0.45 } else { 1.0 };
            if !g.rng.chance(p_attend * summer) {
                continue;
            }
            let half = g.rng.chance(p_half);
            f.row(&[&pnr, "771", &d.to_string(), if half { "halv" } else { "hel" }])?;
            *g.vol.dv_halfdays.entry(Period::of(*d)).or_default() += if half { 1 } else { 2 };
        }
    }
    g.push(Kind::Narvaro, f)
}

fn housing_support(g: &mut Gen) -> Result<(), AppError> {
    for _ in 0..g.scaled(150.0) {
        let pnr = g.person(1950, 2004);
        let start = first_day() - Duration::days(g.rng.range(-500, 1500));
        let end = if g.rng.chance(0.25) {
            Some(start.max(first_day()) + Duration::days(g.rng.range(60, 400))).filter(|e| *e <= last_day())
        } else {
            None
        };
        let h = g.rng.range(4, 30) as f64;
        g.decision(
            &pnr,
            "BST",
            Some(hours(h)),
            None,
            Some("772"),
            start - Duration::days(14),
            Some(start),
            end,
            None,
        )?;
    }
    Ok(())
}

/// Försäkringskassan's hourly rate used in the demo (öre): a demo figure.
fn fk_rate(year: i32) -> i64 {
    if year <= 2025 {
        33_260
    } else {
        33_925
    }
}

fn assistance(g: &mut Gen) -> Result<(), AppError> {
    let mut f = CsvFile::create(
        &g.dir,
        "assistans.csv",
        "personnummer;utförare;från;till;beviljade_timmar;utförda_timmar;fk_timbelopp",
    )?;
    let periods = [
        (ymd(2025, 1, 1), ymd(2025, 6, 30)),
        (ymd(2025, 7, 1), ymd(2025, 12, 31)),
        (ymd(2026, 1, 1), ymd(2026, 6, 30)),
        (ymd(2026, 7, 1), ymd(2026, 12, 31)),
    ];
    for _ in 0..g.scaled(45.0) {
        let pnr = g.person(1950, 2015);
        let provider = if g.rng.chance(0.35) { "PA1" } else { "773" };
        let weekly = g.rng.range(40, 168) as f64;
        let sfb = weekly > 20.0 && g.rng.chance(0.85);
        let monthly = weekly * 52.0 / 12.0;
        let decided = ymd(2023, 1, 1) + Duration::days(g.rng.below(700) as i64);
        g.decision(
            &pnr,
            if sfb { "PA_SFB" } else { "PA_LSS" },
            Some(hours(monthly)),
            None,
            Some(provider),
            decided,
            Some(ymd(2024, 12, 1)),
            None,
            None,
        )?;
        let use_rate = 0.9 + 0.12 * g.rng.f64();
        for (from, to) in periods {
            let granted = weekly * 26.0;
            // The current period has outcomes only up to the demo's last month.
            let months_done = Period::of(from).through(Period::of(to.min(last_day()))).count() as f64;
            let used = granted * use_rate * months_done / 6.0;
            let rate = fk_rate(from.year());
            f.row(&[
                &pnr,
                provider,
                &from.to_string(),
                &to.to_string(),
                &hours(granted),
                &hours(used),
                &kr(rate),
            ])?;
            for p in Period::of(from).through(Period::of(to.min(last_day()))) {
                let e = g.vol.pa_hours.entry((provider.to_string(), p)).or_insert((0.0, rate));
                e.0 += used / months_done;
            }
        }
    }
    g.push(Kind::Assistans, f)
}

fn placements(g: &mut Gen) -> Result<(), AppError> {
    let mut f = CsvFile::create(
        &g.dir,
        "placeringar.csv",
        "placering_id;personnummer;målgrupp;typ;utförare;startdatum;slutdatum;dygnskostnad",
    )?;
    // (type, provider options, active on average, mean days, cost range per day, child share)
    type PlacementKind = (&'static str, &'static [&'static str], f64, f64, (i64, i64), f64);
    let kinds: [PlacementKind; 4] = [
        ("familjehem", &["FH"], 55.0, 700.0, (700, 1_400), 1.0),
        ("HVB", &["HVB1", "HVB2", "HVB3"], 35.0, 220.0, (2_800, 5_500), 0.7),
        ("SiS", &["SIS"], 8.0, 120.0, (4_500, 5_600), 0.75),
        ("stödboende", &["STOD1"], 32.0, 260.0, (1_100, 2_500), 0.5),
    ];
    let mut no = 0u64;
    for (typ, providers, active, mean_days, (lo, hi), child_share) in kinds {
        let active = active * g.scale;
        let horizon = (mean_days * 4.0) as i64;
        let rate = active / mean_days;
        let mut day = first_day() - Duration::days(horizon);
        while day <= last_day() {
            // Arrivals per day follow the rate; a stationary count of `active`.
            let mut k = 0;
            let mut x = g.rng.f64();
            let lim = (-rate).exp();
            while x > lim {
                k += 1;
                x *= g.rng.f64();
            }
            for _ in 0..k {
                let len = (g.rng.exp(mean_days) as i64).max(3);
                let end = day + Duration::days(len);
                if end < first_day() {
                    continue;
                }
                let child = g.rng.chance(child_share);
                let provider = if typ == "HVB" {
                    if child {
                        providers[g.rng.below(2) as usize]
                    } else {
                        "HVB3"
                    }
                } else {
                    providers[0]
                };
                let pnr = if child {
                    g.person(2008, 2022)
                } else {
                    g.person(1960, 2006)
                };
                let cost = g.rng.range(lo, hi) * 100;
                no += 1;
                let end_opt = (end <= last_day()).then_some(end);
                f.row(&[
                    &format!("P{no:06}"),
                    &pnr,
                    if child { "barn" } else { "vuxen" },
                    typ,
                    provider,
                    &day.to_string(),
                    &date_opt(end_opt),
                    &kr(cost),
                ])?;
                let decided = day - Duration::days(g.rng.range(0, 10));
                g.decision(
                    &pnr,
                    "IFO_PLAC",
                    None,
                    None,
                    Some(provider),
                    decided,
                    Some(day),
                    end_opt,
                    None,
                )?;
                let ansvar = if child { "811" } else { "812" };
                for p in months() {
                    let days = p.overlap_days(day, end_opt) as f64;
                    if days > 0.0 {
                        *g.vol.placements.entry((ansvar.to_string(), p)).or_default() += days * cost as f64 / 100.0;
                    }
                }
            }
            day += Duration::days(1);
        }
    }
    g.push(Kind::Placeringar, f)
}

/// Seasonal factors for hourly staff (summer cover) and sick pay (winter).
fn season_staff(p: Period) -> (f64, f64, f64) {
    let m = p.month();
    let hourly = match m {
        6..=8 => 2.6,
        1..=3 => 1.4,
        _ => 1.0,
    };
    let sick = match m {
        1..=3 => 1.8,
        10..=12 => 1.2,
        6..=8 => 0.6,
        _ => 1.0,
    };
    let overtime = match m {
        6..=8 => 2.0,
        12 => 1.5,
        _ => 1.0,
    };
    (hourly, sick, overtime)
}

/// Ledger lines per ansvar/konto/month derived from the volumes, and budgets
/// for 2025 and 2026 (see docs/exempelstad.md for the cost model).
fn ledger_and_budget(g: &mut Gen) -> Result<(), AppError> {
    let mut lines: BTreeMap<(Period, String, String, String), f64> = BTreeMap::new();
    let mut add = |p: Period, ansvar: &str, konto: &str, verks: &str, amount: f64| {
        *lines
            .entry((p, ansvar.to_string(), konto.to_string(), verks.to_string()))
            .or_default() += amount;
    };
    // Staff cost split: monthly salaries, hourly staff, sick pay, overtime, on-costs.
    let staff =
        |add: &mut dyn FnMut(Period, &str, &str, &str, f64), p: Period, ansvar: &str, verks: &str, base: f64| {
            let (hourly, sick, overtime) = season_staff(p);
            let parts = [
                ("5011", base * 0.80),
                ("5021", base * 0.07 * hourly),
                ("5111", base * 0.025 * sick),
                ("5051", base * 0.015 * overtime),
            ];
            let mut wages = 0.0;
            for (konto, v) in parts {
                add(p, ansvar, konto, verks, v);
                wages += v;
            }
            add(p, ansvar, "5410", verks, wages * 0.41);
        };
    // Some units cost more than planned: these run over budget.
    let overrun = |code: &str| match code {
        "712" => 1.09,
        "716" => 1.06,
        "738" => 1.08,
        "76305" => 1.15,
        _ => 1.0,
    };
    let months = months();
    for p in &months {
        for (code, _, ansvar, regi) in home_care_providers() {
            let hours = *g.vol.home_minutes.get(&(code.to_string(), *p)).unwrap_or(&0) as f64 / 60.0;
            if regi == "LOV" {
                add(*p, ansvar, "4610", "510", hours * 405.0);
            } else {
                staff(&mut add, *p, ansvar, "510", hours * 225.0 * overrun(code));
                add(
                    *p,
                    ansvar,
                    "7010",
                    "510",
                    if code == "718" { 85_000.0 } else { 48_000.0 },
                );
                add(*p, ansvar, "6110", "510", 62_000.0);
                add(*p, ansvar, "6410", "510", hours * 6.0);
                add(*p, ansvar, "3510", "510", -hours * 24.0);
            }
        }
        add(*p, "710", "5011", "510", 420_000.0);
        add(*p, "710", "5410", "510", 172_000.0);
        for (code, _, places, _, regi) in care_homes() {
            let occupied = *g.vol.occupied.get(&(code.to_string(), *p)).unwrap_or(&0) as f64;
            if regi == "upphandlad" {
                add(*p, "749", "4610", "511", occupied * 1_720.0);
                continue;
            }
            let place_days = g.scaled(places as f64) as f64 * p.days() as f64;
            // Under 20 places costs more per place (no economies of scale).
            let size = if places < 20 { 1.18 } else { 1.0 };
            staff(&mut add, *p, code, "511", place_days * 860.0 * size * overrun(code));
            add(*p, code, "6110", "511", g.scaled(places as f64) as f64 * 6_200.0);
            add(*p, code, "6510", "511", occupied * 95.0);
            add(*p, code, "6410", "511", occupied * 28.0);
            add(*p, code, "3510", "511", -occupied * 255.0);
        }
        for (code, places) in [("751", 20.0), ("752", 16.0)] {
            let place_days = g.scaled(places) as f64 * p.days() as f64;
            staff(&mut add, *p, code, "512", place_days * 1_080.0);
            add(*p, code, "6110", "512", g.scaled(places) as f64 * 6_500.0);
        }
        for (kst, _, _, _, _) in lss_units() {
            let occupied = *g.vol.occupied.get(&(kst.clone(), *p)).unwrap_or(&0) as f64;
            if occupied == 0.0 {
                continue;
            }
            staff(&mut add, *p, &kst, "520", occupied * 1_060.0 * overrun(&kst));
            add(*p, &kst, "6110", "520", occupied * 95.0);
            add(*p, &kst, "6410", "520", occupied * 30.0);
        }
        let halfdays = *g.vol.dv_halfdays.get(p).unwrap_or(&0) as f64;
        staff(&mut add, *p, "771", "521", 1_050_000.0 * g.scale + halfdays * 150.0);
        add(*p, "771", "6110", "521", 210_000.0 * g.scale);
        staff(&mut add, *p, "772", "530", 720_000.0 * g.scale);
        for provider in ["773", "PA1"] {
            if let Some((h, rate)) = g.vol.pa_hours.get(&(provider.to_string(), *p)) {
                let income = h * *rate as f64 / 100.0;
                if provider == "773" {
                    staff(&mut add, *p, "773", "522", h * 215.0);
                } else {
                    add(*p, "773", "4610", "522", income * 1.02);
                }
                add(*p, "773", "3810", "522", -income);
            }
        }
        add(*p, "791", "5011", "550", 1_150_000.0);
        add(*p, "791", "5410", "550", 470_000.0);
        add(*p, "791", "7310", "550", 260_000.0);
        add(*p, "792", "5011", "550", 980_000.0);
        add(*p, "792", "5410", "550", 400_000.0);
        for (ansvar, verks) in [("811", "600"), ("812", "610")] {
            let cost = *g.vol.placements.get(&(ansvar.to_string(), *p)).unwrap_or(&0.0);
            add(
                *p,
                ansvar,
                "4610",
                verks,
                cost * if ansvar == "812" { 1.12 } else { 1.0 },
            );
            staff(
                &mut add,
                *p,
                ansvar,
                verks,
                if ansvar == "811" { 1_050_000.0 } else { 640_000.0 },
            );
        }
        add(*p, "891", "5011", "650", 520_000.0);
        add(*p, "891", "5410", "650", 213_000.0);
        add(*p, "891", "7310", "650", 90_000.0);
    }
    let mut f = CsvFile::create(&g.dir, "huvudbok.csv", "period;konto;ansvar;verksamhet;belopp;text")?;
    let mut yearly: BTreeMap<(i32, String, String, String), f64> = BTreeMap::new();
    for ((p, ansvar, konto, verks), amount) in &lines {
        // A little noise: real months are never exactly the model.
        let noisy = amount * (1.0 + 0.015 * g.rng.normal());
        let ore = (noisy * 100.0).round() as i64;
        if ore == 0 {
            continue;
        }
        f.row(&[&p.to_string(), konto, ansvar, verks, &kr(ore), ""])?;
        *yearly
            .entry((p.year(), ansvar.clone(), konto.clone(), verks.clone()))
            .or_default() += *amount;
    }
    g.push(Kind::Huvudbok, f)?;
    // Budgets: the year's expected cost as planned before the year (so the
    // overrunning units are under-budgeted), rounded to whole thousands.
    let mut b = CsvFile::create(
        &g.dir,
        "budget.csv",
        "version;typ;år;period;ansvar;konto;verksamhet;belopp",
    )?;
    for ((year, ansvar, konto, verks), amount) in &yearly {
        let full_year = if *year == 2026 { amount * 12.0 / 10.0 } else { *amount };
        let planned = full_year / overrun(ansvar) * (1.0 + 0.01 * g.rng.normal());
        let planned = if konto == "4610" && ansvar == "812" {
            planned / 1.12
        } else {
            planned
        };
        let rounded = (planned / 1000.0).round() * 1000.0;
        if rounded == 0.0 {
            continue;
        }
        let version = format!("Budget {year}");
        b.row(&[
            &version,
            "beslutad",
            &year.to_string(),
            "",
            ansvar,
            konto,
            verks,
            &kr_f(rounded),
        ])?;
    }
    g.push(Kind::Budget, b)
}

fn population(g: &mut Gen) -> Result<(), AppError> {
    let mut f = CsvFile::create(&g.dir, "befolkning.csv", "år;ålder;kön;antal;typ")?;
    // 2025 by one-year age (100 = 100 years and older), about 64 000 people.
    let mut pop: Vec<[f64; 2]> = (0..=100)
        .map(|a| {
            let a = a as f64;
            let base = if a < 20.0 {
                760.0 - a * 4.0
            } else if a < 35.0 {
                880.0
            } else if a < 65.0 {
                840.0 + (a - 35.0) * 2.5
            } else {
                915.0 * (-((a - 65.0) / 21.0).powf(2.4)).exp()
            };
            // The large cohorts born in the 1940s.
            let base = base * (1.0 + 0.3 * (-((a - 78.0) / 5.0).powi(2)).exp());
            let women = if a > 70.0 {
                (0.5 + (a - 70.0) * 0.009).min(0.78)
            } else {
                0.49
            };
            [base * women, base * (1.0 - women)]
        })
        .collect();
    for year in 2025..=2035 {
        let typ = if year == 2025 { "utfall" } else { "prognos" };
        for (age, counts) in pop.iter().enumerate() {
            for (i, kon) in ["K", "M"].iter().enumerate() {
                f.row(&[
                    &year.to_string(),
                    &age.to_string(),
                    kon,
                    &(counts[i].round() as i64).to_string(),
                    typ,
                ])?;
            }
        }
        // Age one year: mortality rising with age, some young in-migration.
        let mut next = vec![[0.0; 2]; 101];
        next[0] = [315.0, 330.0];
        for (a, counts) in pop.iter().enumerate() {
            for (s, count) in counts.iter().enumerate() {
                let q = if a < 30 {
                    0.0004
                } else {
                    (0.0004 * (0.095 * (a as f64 - 30.0)).exp() * if s == 1 { 1.25 } else { 1.0 }).min(0.45)
                };
                let migr = match a {
                    19..=34 => 1.018,
                    35..=64 => 1.003,
                    _ => 1.0,
                };
                let survivors = count * (1.0 - q) * migr;
                let to = (a + 1).min(100);
                next[to][s] += survivors;
            }
        }
        pop = next;
    }
    g.push(Kind::Befolkning, f)
}

/// Forecast versions as the managers would have made them: at each
/// checkpoint the proposal by last year's monthly profile (run-rate when
/// there is no last year), rounded to whole tkr, for the committees and
/// the larger departments. 2025 is closed, so its accuracy can be shown.
fn forecasts(store: &mut Store) -> Result<(), AppError> {
    use crate::followup::{report, set_forecast, Options as FOpts};
    use resurs_core::followup::{Metod, Periodisering};
    let plan: [(i32, u32, &str); 5] = [
        (2025, 4, "Prognos 1"),
        (2025, 8, "Prognos 2"),
        (2025, 10, "Månad 10"),
        (2026, 4, "Prognos 1"),
        (2026, 8, "Prognos 2"),
    ];
    for (year, month, name) in plan {
        let Some(period) = Period::new(year, month) else {
            continue;
        };
        let o = FOpts {
            period,
            node: None,
            metod: Metod::Profil,
            periodisering: Periodisering::Jamn,
            prognos: crate::followup::Prognosval::Forslag,
            budget: None,
            konton: false,
            utan_specialposter: false,
        };
        let r = report(store, &o)?;
        let stamp = format!("{}T12:00:00Z", period.last_day());
        for code in ["VON", "SN", "71", "73", "76", "81"] {
            let Some(n) = r.rot.find(code) else { continue };
            let tkr = resurs_core::num::round_div(n.belopp.prognos, 100_000);
            let comment =
                format!("Utfall t.o.m. {period} framskrivet efter förra årets månadsprofil, avrundat till tkr");
            let amount = resurs_core::num::Money::from_ore(tkr * 100_000);
            set_forecast(store, &actor(), name, period, code, amount, &comment, &stamp)?;
        }
    }
    Ok(())
}

/// The registers beside the ledger: the two intraprenader's result funds,
/// an action plan for home care and an efficiency requirement for the care
/// homes, two state grants and three investments.
fn registers(store: &mut Store) -> Result<(), AppError> {
    use crate::registers as reg;
    use resurs_core::num::Money;
    let kr = Money::from_kr;
    reg::set_intraprenad(
        store,
        &actor(),
        "713",
        2025,
        Some(kr(850_000)),
        kr(0),
        "Ingående resultatfond enligt bokslut 2024",
    )?;
    reg::set_intraprenad(
        store,
        &actor(),
        "735",
        2025,
        Some(kr(-320_000)),
        kr(0),
        "Underskott från 2024 att återställa",
    )?;
    reg::set_intraprenad(
        store,
        &actor(),
        "713",
        2026,
        None,
        kr(200_000),
        "Uttag för kompetensutveckling (beslut VON § 34)",
    )?;
    let plan = "Åtgärdsplan hemtjänst 2026";
    for (atgard, p, h, f) in [
        ("Samplanering av insatser per område", 2_400_000, 1_300_000, 2_100_000),
        ("Minskad bomtid genom digital avbokning", 900_000, 350_000, 600_000),
        ("Översyn av timanställningar sommartid", 1_200_000, 1_150_000, 1_200_000),
    ] {
        reg::set_measure(
            store,
            &actor(),
            "åtgärdsplan",
            plan,
            "71",
            2026,
            atgard,
            kr(p),
            kr(h),
            kr(f),
            "",
        )?;
    }
    reg::set_measure(
        store,
        &actor(),
        "effektiviseringskrav",
        "Effektiviseringskrav särskilt boende 2026",
        "73",
        2026,
        "1 % av nettokostnaden",
        kr(3_050_000),
        kr(2_200_000),
        kr(2_700_000),
        "Nämndens budgetbeslut",
    )?;
    reg::set_grant(
        store,
        &actor(),
        "Äldreomsorgslyftet",
        2026,
        "VON",
        kr(4_800_000),
        kr(3_950_000),
        Some("2027-03-31"),
        kr(0),
        "Undersköterskeutbildning på arbetstid",
    )?;
    reg::set_grant(
        store,
        &actor(),
        "Stärkt bemanning i äldreomsorgen",
        2026,
        "VON",
        kr(6_200_000),
        kr(4_100_000),
        Some("2027-02-28"),
        kr(600_000),
        "Beräknad återbetalning för ej använda medel",
    )?;
    for (p, node, b, u) in [
        ("Digitala trygghetslarm", "71", 1_800_000, 1_650_000),
        ("Nytt särskilt boende Björkhagen, etapp 2", "73", 42_000_000, 19_500_000),
        ("Inventarier LSS-boenden", "76", 1_200_000, 400_000),
    ] {
        reg::set_investment(store, &actor(), p, 2026, node, kr(b), kr(u), "")?;
    }
    Ok(())
}

/// A covid-19 wave in early 2026: extra occupancy in the care homes
/// (structural: volume) and protective equipment in home care (other).
fn special_effects(store: &mut Store) -> Result<(), AppError> {
    use resurs_core::num::Money;
    let items: [(&str, &str, u32, i64, i64, &str); 5] = [
        (
            "strukturell",
            "73",
            1,
            420_000,
            0,
            "Fler korta vistelser under smittspridningen",
        ),
        (
            "strukturell",
            "73",
            2,
            610_000,
            0,
            "Fler korta vistelser under smittspridningen",
        ),
        (
            "strukturell",
            "73",
            3,
            380_000,
            1_600_000,
            "Fler korta vistelser; helårseffekt enligt Prognos 1",
        ),
        ("övrig", "71", 1, 185_000, 0, "Skyddsutrustning och extra städ"),
        (
            "övrig",
            "71",
            2,
            240_000,
            700_000,
            "Skyddsutrustning; helårseffekt enligt Prognos 1",
        ),
    ];
    for (part, node, month, outcome, forecast, comment) in items {
        let Some(p) = Period::new(2026, month) else { continue };
        let stamp = format!("{}T12:00:00Z", p.last_day());
        crate::followup::add_effect(
            store,
            &actor(),
            "covid-19",
            part,
            node,
            p,
            Money::from_kr(outcome),
            Money::from_kr(forecast),
            comment,
            &stamp,
        )?;
    }
    Ok(())
}

/// The demo's changes are audited as made by `demo`.
fn actor() -> crate::Actor {
    crate::Actor::new("demo")
}

/// Creates Exempelstad in an empty `store`.
pub fn run(store: &mut Store, opts: &Options, log: &mut dyn FnMut(&str)) -> Result<Summary, AppError> {
    if store.has_data()? {
        return Err(AppError::User(format!(
            "Databasen {} innehåller redan data; demon skapas bara i en tom databas. Ange en ny fil med --db.",
            store.location()
        )));
    }
    let (dir, temporary) = match &opts.dir {
        Some(d) => (d.clone(), false),
        None => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            (
                std::env::temp_dir().join(format!("resurs-demo-{}-{nanos}", std::process::id())),
                true,
            )
        }
    };
    let result = (|| {
        let files = generate(&dir, opts.seed, opts.scale_percent, log)?;
        let mut rows = 0;
        for (kind, path, _) in &files {
            log(&format!(
                "Importerar {} …",
                path.file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            ));
            let mut io = import::Options::now(actor());
            // Fixed "today" so that the demo is the same whenever it runs.
            io.today = ymd(2026, 11, 15);
            io.new_key = NewKey::Demo(opts.seed);
            match import::import_file(store, *kind, path, io)? {
                Outcome::Imported { rows: n, .. } => rows += n as u64,
                Outcome::AlreadyImported { .. } => {}
                Outcome::Refused(problems) => {
                    return Err(AppError::internal(format!("demogeneratorn:\n{}", problems.render())));
                }
            }
        }
        log("Laddar ersättningsmodellerna i docs/modeller …");
        for (name, text) in crate::models::EXEMPELSTAD {
            let ts = crate::now();
            if let crate::models::LoadOutcome::Refused(msg) =
                crate::models::load_text(store, &actor(), name, text, &ts)?
            {
                return Err(AppError::internal(format!("demons modeller:\n{msg}")));
            }
        }
        log("Lägger in prognoser (Prognos 1 i april, Prognos 2 i augusti, Månad 10 för 2025) …");
        forecasts(store)?;
        log("Märker specialposter (covid-19 2026, strukturell och övrig) …");
        special_effects(store)?;
        log("Registrerar intraprenader, åtgärdsplan, statsbidrag och investeringar …");
        registers(store)?;
        log("Lägger in mål, indikatorer och ett efterfrågescenario …");
        crate::demo_mal::run(store, &dir, &actor())?;
        log("Importerar Koladas nyckeltal för Exempelstad, riket och jämförelsekommunerna …");
        crate::demo_kolada::run(store, &actor())?;
        log("Lägger in fördelningsnycklar för kostnad per brukare (KPB) …");
        crate::demo_kpb::run(store)?;
        Ok(Summary {
            files: files.len(),
            rows,
        })
    })();
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}
