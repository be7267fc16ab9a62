//! Cost per brukare (KPB) by the national method (docs/kpb.md, rules in
//! docs/regler.md "Kostnad per brukare"): the ledger cost of every included
//! ansvar is allocated to (unit, service) cells — direct costs to the cells
//! of the unit whose ansvar carries them, indirect cost pools by the
//! allocation keys of `fordelningsnycklar` — and each cell's cost to the
//! brukare in proportion to their volumes. All in integer öre with the
//! largest-remainder rule, so every krona is allocated exactly once and the
//! allocated total equals the ledger total of the included ansvar.

// Öre are written kr_öre (600_000_00 = 600 000,00 kr), hundredths of a
// percent as 100_00 = 100,00 %.
#![allow(clippy::inconsistent_digit_grouping)]

use crate::num::{format_hundredths, parse_hundredths, round_div};
use crate::period::Period;
use crate::sekretess::{aldersgrupp, visa, BRUKARE_ALDERSGRUPPER};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Most rows of an allocation-key file.
pub const MAX_NYCKELRADER: usize = 10_000;
/// Default outlier thresholds in öre (ordinary housing and residential care; LSS).
pub const GRANS_SOL_ORE: i64 = 600_000_00;
pub const GRANS_LSS_ORE: i64 = 1_000_000_00;

/// The key a cost pool is allocated by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Nyckel {
    Timmar,
    Arsarbetare,
    Kvm,
    Andel,
    /// Not a pool: the hours one volume unit of a service weighs when an
    /// ansvar (or a pool's receiver) carries services of different volume
    /// units (docs/format/fordelningsnycklar.md, "Timvikt").
    Timvikt,
}

impl Nyckel {
    pub fn parse(s: &str) -> Option<Nyckel> {
        match s.trim().to_lowercase().as_str() {
            "timmar" => Some(Nyckel::Timmar),
            "årsarbetare" | "arsarbetare" | "åa" => Some(Nyckel::Arsarbetare),
            "kvm" | "m²" | "m2" => Some(Nyckel::Kvm),
            "andel" | "%" => Some(Nyckel::Andel),
            "timvikt" => Some(Nyckel::Timvikt),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Nyckel::Timmar => "timmar",
            Nyckel::Arsarbetare => "årsarbetare",
            Nyckel::Kvm => "kvm",
            Nyckel::Andel => "andel",
            Nyckel::Timvikt => "timvikt",
        }
    }
}

/// One row of the allocation-key file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NyckelRad {
    /// Line in the file (1 = the header).
    pub rad: u32,
    pub pool: String,
    pub ansvar: String,
    pub nyckel: Nyckel,
    pub enhet: String,
    /// Empty: all the unit's services, by their volumes.
    pub insats: Option<String>,
    /// Hundredths (of an hour, FTE, m² or percent).
    pub varde: i64,
}

/// The volume unit of a service measured by the granted hours of its
/// decisions (docs/kpb.md, "Volymer ur beslut").
pub const BEVILJADE_TIMMAR: &str = "beviljade timmar";

/// `*` in the `ansvar` or `enhet` column of a timvikt row: every one.
pub const ALLA: &str = "*";

const HEADER: [&str; 6] = ["pool", "ansvar", "nyckel", "enhet", "insats", "värde"];

/// Reads the allocation-key file (CSV with `;`, UTF-8, header
/// `pool;ansvar;nyckel;enhet;insats;värde`). Every problem is one Swedish
/// line naming the row and column; none means the rows are well formed.
pub fn parse_nycklar(text: &str) -> Result<Vec<NyckelRad>, Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    let mut errs = Vec::new();
    let head = loop {
        match lines.next() {
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((_, l)) => break l,
            None => {
                return Err(vec![
                    "Filen är tom: rubrikraden pool;ansvar;nyckel;enhet;insats;värde saknas.".into(),
                ])
            }
        }
    };
    let cols: Vec<String> = head.split(';').map(|c| c.trim().to_lowercase()).collect();
    let want: Vec<String> = HEADER.iter().map(|s| s.to_string()).collect();
    let want_ascii: Vec<String> = want.iter().map(|s| s.replace('ä', "a")).collect();
    if cols != want && cols != want_ascii {
        return Err(vec![format!(
            "rad 1: rubrikraden är \"{}\", förväntade pool;ansvar;nyckel;enhet;insats;värde",
            crate::limits::shown(head.trim())
        )]);
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        let rad = (i + 1) as u32;
        if line.trim().is_empty() {
            continue;
        }
        if rows.len() >= MAX_NYCKELRADER {
            errs.push(format!("rad {rad}: filen har fler än {MAX_NYCKELRADER} rader"));
            break;
        }
        if errs.len() >= crate::limits::MAX_PROBLEMS {
            errs.push(format!(
                "rad {rad}: fler än {} fel; resten av filen lästes inte",
                crate::limits::MAX_PROBLEMS
            ));
            break;
        }
        let c: Vec<&str> = line.split(';').map(str::trim).collect();
        if c.len() != 6 {
            errs.push(format!(
                "rad {rad}: {} kolumner, förväntade 6 (pool;ansvar;nyckel;enhet;insats;värde)",
                c.len()
            ));
            continue;
        }
        let mut bad = |col: &str, v: &str, exp: &str| {
            errs.push(format!(
                "rad {rad}, kolumn {col}: värdet \"{}\", förväntade {exp}",
                crate::limits::shown(v)
            ))
        };
        for (n, col) in [(0, "pool"), (1, "ansvar"), (3, "enhet")] {
            if c[n].is_empty() {
                bad(col, c[n], "ett värde");
            } else if c[n].chars().count() > crate::limits::NAME_MAX {
                bad(col, c[n], "en kortare text");
            }
        }
        let nyckel = Nyckel::parse(c[2]);
        if nyckel.is_none() {
            bad("nyckel", c[2], "timmar, årsarbetare, kvm, andel eller timvikt");
        }
        let varde = match parse_hundredths(c[5]) {
            Ok(v) if v > 0 && v <= crate::num::MAX_QTY_HUNDREDTHS => Some(v),
            _ => {
                bad("värde", c[5], "ett positivt tal med högst två decimaler");
                None
            }
        };
        if let (Some(nyckel), Some(varde)) = (nyckel, varde) {
            rows.push(NyckelRad {
                rad,
                pool: c[0].to_string(),
                ansvar: c[1].to_string(),
                nyckel,
                enhet: c[3].to_string(),
                insats: Some(c[4].to_string()).filter(|s| !s.is_empty()),
                varde,
            });
        }
    }
    if errs.is_empty() && rows.is_empty() {
        errs.push("Filen har inga rader under rubrikraden.".into());
    }
    if errs.is_empty() {
        Ok(rows)
    } else {
        Err(errs)
    }
}

/// Checks the rows against the registers: every unit and service must
/// exist, a pool has one ansvar and one key, an ansvar is in one pool, and
/// a pool by `andel` allocates exactly 100 % (more is refused at the line
/// that passes 100 %, less leaves part of the pool unallocated).
pub fn check_nycklar(rows: &[NyckelRad], enheter: &BTreeSet<String>, insatser: &BTreeSet<String>) -> Vec<String> {
    let mut errs = Vec::new();
    let mut pools: BTreeMap<&str, (&NyckelRad, i64, u32)> = BTreeMap::new();
    let mut ansvar_pool: HashMap<&str, &str> = HashMap::new();
    let mut vikter: HashMap<(&str, &str, &str), u32> = HashMap::new();
    let mut vikt_pool: HashMap<&str, u32> = HashMap::new();
    for r in rows.iter().filter(|r| r.nyckel == Nyckel::Timvikt) {
        vikt_pool.entry(&r.pool).or_insert(r.rad);
        if r.enhet != ALLA && !enheter.contains(&r.enhet) {
            errs.push(format!(
                "rad {}, kolumn enhet: okänd enhet \"{}\" (timvikt {}); skriv en utförarkod eller {ALLA} för alla",
                r.rad, r.enhet, r.pool
            ));
        }
        match &r.insats {
            None => errs.push(format!(
                "rad {}, kolumn insats: en timvikt gäller en insats; kolumnen är tom (timvikt {})",
                r.rad, r.pool
            )),
            Some(i) if !insatser.contains(i) => errs.push(format!(
                "rad {}, kolumn insats: okänd insats \"{i}\" (timvikt {})",
                r.rad, r.pool
            )),
            Some(i) => {
                if let Some(first) = vikter.insert((&r.ansvar, &r.enhet, i), r.rad) {
                    errs.push(format!(
                        "rad {}, kolumn insats: timvikt för insats {i}, ansvar {} och enhet {} står redan på rad {first}",
                        r.rad, r.ansvar, r.enhet
                    ));
                }
            }
        }
    }
    for r in rows.iter().filter(|r| r.nyckel != Nyckel::Timvikt) {
        if let Some(first) = vikt_pool.get(r.pool.as_str()) {
            errs.push(format!(
                "rad {}, kolumn pool: namnet {} är en timvikt på rad {first}; ge poolen ett eget namn",
                r.rad, r.pool
            ));
            continue;
        }
        if !enheter.contains(&r.enhet) {
            errs.push(format!(
                "rad {}, kolumn enhet: okänd enhet \"{}\" (pool {})",
                r.rad, r.enhet, r.pool
            ));
        }
        if let Some(i) = &r.insats {
            if !insatser.contains(i) {
                errs.push(format!(
                    "rad {}, kolumn insats: okänd insats \"{i}\" (pool {})",
                    r.rad, r.pool
                ));
            }
        }
        match pools.get_mut(r.pool.as_str()) {
            None => {
                pools.insert(&r.pool, (r, r.varde, r.rad));
                if let Some(other) = ansvar_pool.insert(&r.ansvar, &r.pool) {
                    errs.push(format!(
                        "rad {}, kolumn ansvar: ansvar \"{}\" fördelas redan i pool {other}; ett ansvar hör till en pool",
                        r.rad, r.ansvar
                    ));
                }
            }
            Some((first, sum, last)) => {
                if first.ansvar != r.ansvar {
                    errs.push(format!(
                        "rad {}, kolumn ansvar: pool {} har ansvar \"{}\" på rad {}, här \"{}\"",
                        r.rad, r.pool, first.ansvar, first.rad, r.ansvar
                    ));
                }
                if first.nyckel != r.nyckel {
                    errs.push(format!(
                        "rad {}, kolumn nyckel: pool {} fördelas efter {} på rad {}, här {}",
                        r.rad,
                        r.pool,
                        first.nyckel.code(),
                        first.rad,
                        r.nyckel.code()
                    ));
                }
                let before = *sum;
                *sum += r.varde;
                *last = r.rad;
                if r.nyckel == Nyckel::Andel && before <= 100_00 && *sum > 100_00 {
                    errs.push(format!(
                        "rad {}, kolumn värde: pool {} fördelar {} % – mer än 100 %",
                        r.rad,
                        r.pool,
                        format_hundredths(*sum, 2)
                    ));
                }
            }
        }
    }
    for (pool, (first, sum, last)) in &pools {
        if first.nyckel == Nyckel::Andel && *sum < 100_00 {
            errs.push(format!(
                "rad {}–{}: pool {pool} fördelar bara {} %; {} % av poolen blir ofördelat",
                first.rad,
                last,
                format_hundredths(*sum, 2),
                format_hundredths(100_00 - sum, 2)
            ));
        }
    }
    errs
}

/// A unit (utförare) in the KPB.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Enhet {
    pub namn: String,
    pub regiform: String,
    pub ansvar: Option<String>,
}

/// A service in the KPB.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Insats {
    pub namn: String,
    pub volymenhet: String,
    pub verksamhet: String,
    pub lagrum: String,
}

/// A brukare (pseudonym only).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Brukare {
    pub pseudonym: String,
    pub fodelsear: i32,
    pub kon: String,
}

/// A brukare's volume of one service at one unit, in hundredths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volym {
    pub enhet: String,
    pub insats: String,
    /// Index into [`Indata::brukare`].
    pub brukare: usize,
    pub volym: i64,
    /// Weight when a cost is split between cells: hours of visit time for
    /// services delivered as visits (`tid`), else the volume itself.
    pub vikt: i64,
    pub tid: bool,
}

/// Everything the KPB is computed from.
#[derive(Debug, Clone, Default)]
pub struct Indata {
    pub ar: i32,
    /// First and last month (yyyymm).
    pub fran: i32,
    pub till: i32,
    /// Direct costs only (the lighter monthly view): no pools.
    pub direkt: bool,
    /// Ledger cost (cost accounts) per ansvar, öre.
    pub kostnad: BTreeMap<String, i64>,
    pub enheter: BTreeMap<String, Enhet>,
    pub insatser: BTreeMap<String, Insats>,
    pub brukare: Vec<Brukare>,
    pub volymer: Vec<Volym>,
    pub nycklar: Vec<NyckelRad>,
    /// Services whose volume this run is granted hours from the decisions
    /// (no performed time of theirs in the period).
    pub beviljade: BTreeSet<String>,
    pub grans_sol: i64,
    pub grans_lss: i64,
}

/// An indirect cost a cell got from a pool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Andel {
    pub pool: String,
    pub ansvar: String,
    pub nyckel: String,
    pub belopp: i64,
}

/// One (unit, service) cell: its cost, what it is made of, its volume and price.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Cell {
    pub enhet: String,
    pub enhet_namn: String,
    pub regiform: String,
    pub insats: String,
    pub insats_namn: String,
    pub volymenhet: String,
    /// Ansvar of the direct cost (none: the unit has no ansvar of its own).
    pub ansvar: Option<String>,
    /// Where a share of the cell's cost was weighed in hours with a
    /// timvikt: (ansvar, hundredths of an hour per volume unit).
    #[serde(default)]
    pub timvikt: Vec<(String, i64)>,
    pub direkt: i64,
    pub indirekt: Vec<Andel>,
    pub kostnad: i64,
    /// Hundredths of the volume unit.
    pub volym: i64,
    pub brukare: u64,
    /// Öre per volume unit.
    pub styckpris: i64,
}

/// A service for the whole municipality, with the spread of its unit prices.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tjanst {
    pub insats: String,
    pub namn: String,
    pub volymenhet: String,
    pub enheter: u64,
    pub kostnad: i64,
    pub volym: i64,
    pub brukare: u64,
    pub styckpris: i64,
    pub min: i64,
    pub max: i64,
}

/// One brukare's cost.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BrukarKostnad {
    pub pseudonym: String,
    pub aldersgrupp: String,
    pub kon: String,
    pub lss: bool,
    pub kostnad: i64,
    /// Per service: (insats, öre).
    pub insatser: Vec<(String, i64)>,
    /// What the cost is made of: one line per (unit, service) cell, in
    /// cell order; the lines sum to `kostnad`.
    pub rader: Vec<BrukarRad>,
}

/// One (unit, service) line of a brukare's cost: the volume and the
/// brukare's share of the cell's cost (volume × the cell's unit price,
/// rounded so that the cell's brukare sum to the cell's cost).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BrukarRad {
    pub enhet: String,
    pub insats: String,
    /// Hundredths of the cell's volume unit.
    pub volym: i64,
    pub kostnad: i64,
}

/// A breakdown group; figures `None` when fewer than five brukare.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Grupp {
    pub aldersgrupp: String,
    pub kon: String,
    pub antal: Option<u64>,
    pub kostnad: Option<i64>,
    pub medel: Option<i64>,
}

/// A cost pool as allocated.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PoolUt {
    pub pool: String,
    pub ansvar: String,
    pub nyckel: String,
    pub kostnad: i64,
    pub mottagare: u64,
}

/// The result: stored as a run and rendered by every door.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Kpb {
    pub ar: i32,
    pub fran: i32,
    pub till: i32,
    pub direkt: bool,
    /// Ledger cost of the included ansvar, öre.
    pub huvudbok: i64,
    /// Allocated to cells; equal to `huvudbok`.
    pub fordelat: i64,
    /// Ansvar with cost but no volume and no pool (not included): (ansvar, öre).
    pub ej_med: Vec<(String, i64)>,
    pub celler: Vec<Cell>,
    pub tjanster: Vec<Tjanst>,
    pub pooler: Vec<PoolUt>,
    /// Sorted by cost, highest first.
    pub brukare: Vec<BrukarKostnad>,
    /// Share of cost (hundredths of a percent) of the costliest 1, 5 and 10 %
    /// of brukare; `None` when fewer than five brukare.
    pub topp: Vec<(u32, Option<i64>)>,
    /// (share of brukare, share of cost), hundredths of a percent, brukare costliest first.
    pub kurva: Vec<(i64, i64)>,
    pub grans_sol: i64,
    pub grans_lss: i64,
    /// Indices into `brukare` above their threshold.
    pub ytterfall: Vec<usize>,
    pub grupper: Vec<Grupp>,
    /// Notes on the run (a pool receiver without volume).
    pub anmarkningar: Vec<String>,
}

/// One decision of a brukare for a service at a unit, as the KPB reads it
/// for volumes from decisions: its first and last day (inclusive; none:
/// still in force) and granted hours per month (hundredths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeslutDagar {
    pub start: NaiveDate,
    pub slut: Option<NaiveDate>,
    pub timmar: Option<i64>,
}

/// Brukare-months and granted hours (both in hundredths) of one brukare's
/// decisions for one service at one unit in the months `fran..=till`
/// (docs/regler.md, "Kostnad per brukare"): each day with a decision in
/// force is 1 ÷ the month's days of a brukare-month and the decision's
/// monthly hours ÷ the month's days of granted hours; on a day with
/// overlapping decisions the one that started last counts (ties: the later
/// in the list). Each month is rounded half up to hundredths, then summed.
pub fn beslutsvolym(beslut: &[BeslutDagar], fran: Period, till: Period) -> (i64, i64) {
    let (mut manader, mut timmar) = (0i64, 0i64);
    let mut p = fran;
    while p <= till {
        let md = p.days() as i64;
        let (mut dagar, mut h) = (0i64, 0i64);
        let mut day = p.first_day();
        while day <= p.last_day() {
            let mut best: Option<&BeslutDagar> = None;
            for b in beslut {
                if b.start <= day && b.slut.is_none_or(|s| s >= day) && best.is_none_or(|x| b.start >= x.start) {
                    best = Some(b);
                }
            }
            if let Some(b) = best {
                dagar += 1;
                h += b.timmar.unwrap_or(0);
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        manader += round_div(dagar * 100, md);
        timmar += round_div(h, md);
        p = p.next();
    }
    (manader, timmar)
}

/// Splits `amount` over `weights` in proportion, exactly (largest remainder;
/// ties to the earlier). All weights zero: `None`.
pub fn fordela(amount: i64, weights: &[i64]) -> Option<Vec<i64>> {
    let total: i128 = weights.iter().map(|w| *w as i128).sum();
    if total <= 0 {
        return None;
    }
    let mut out = Vec::with_capacity(weights.len());
    let mut rest: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let p = amount as i128 * *w as i128;
        let q = p.div_euclid(total);
        out.push(q as i64);
        given += q;
        rest.push((p.rem_euclid(total), i));
    }
    let left = (amount as i128 - given) as usize;
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rest.into_iter().take(left) {
        out[i] += 1;
    }
    Some(out)
}

fn price(kostnad: i64, volym: i64) -> i64 {
    if volym == 0 {
        0
    } else {
        round_div_i128(kostnad as i128 * 100, volym as i128)
    }
}

fn round_div_i128(n: i128, d: i128) -> i64 {
    if d == 0 {
        return 0;
    }
    let (q, r) = (n / d, n % d);
    let adj = if r.abs() * 2 >= d.abs() {
        if (n < 0) ^ (d < 0) {
            -1
        } else {
            1
        }
    } else {
        0
    };
    (q + adj) as i64
}

/// The (unit, service) cells of a run, in (unit, service) order: each
/// cell's brukare volumes, its volume and its weight when a cost is split
/// between cells (hours of visit time for cells with visits, else the
/// volume), and the timvikt rows that weigh other units in hours.
struct Celler<'a> {
    d: &'a Indata,
    keys: Vec<(String, String)>,
    idx: HashMap<(String, String), usize>,
    /// Per cell: (brukare, volume), in the order of the volumes.
    members: Vec<Vec<(usize, i64)>>,
    vol: Vec<i64>,
    /// Per cell: (weight, whether it is visit time).
    wt: Vec<(i64, bool)>,
    timvikt: HashMap<(&'a str, &'a str, &'a str), i64>,
}

impl<'a> Celler<'a> {
    fn new(d: &'a Indata) -> Celler<'a> {
        // (brukare volumes, weight, visit time) per (unit, service).
        type Raw = (Vec<(usize, i64)>, i64, bool);
        let mut cells: BTreeMap<(String, String), Raw> = BTreeMap::new();
        for v in d.volymer.iter().filter(|v| v.volym > 0) {
            let c = cells.entry((v.enhet.clone(), v.insats.clone())).or_default();
            c.0.push((v.brukare, v.volym));
            c.1 += v.vikt;
            c.2 |= v.tid;
        }
        let timvikt = d
            .nycklar
            .iter()
            .filter(|r| r.nyckel == Nyckel::Timvikt)
            .filter_map(|r| Some(((r.ansvar.as_str(), r.enhet.as_str(), r.insats.as_deref()?), r.varde)))
            .collect();
        let mut c = Celler {
            d,
            keys: Vec::with_capacity(cells.len()),
            idx: HashMap::with_capacity(cells.len()),
            members: Vec::with_capacity(cells.len()),
            vol: Vec::with_capacity(cells.len()),
            wt: Vec::with_capacity(cells.len()),
            timvikt,
        };
        for (i, (k, (m, w, tid))) in cells.into_iter().enumerate() {
            c.idx.insert(k.clone(), i);
            c.keys.push(k);
            c.vol.push(m.iter().map(|x| x.1).sum());
            c.members.push(m);
            c.wt.push((w, tid));
        }
        c
    }

    /// A service's volume unit in this run (granted hours where its volume
    /// comes from the decisions' hours).
    fn vunit(&self, insats: &str) -> &'a str {
        if self.d.beviljade.contains(insats) {
            BEVILJADE_TIMMAR
        } else {
            self.d.insatser.get(insats).map_or("", |i| i.volymenhet.as_str())
        }
    }

    /// The unit cell `i` weighs in.
    fn wunit(&self, i: usize) -> &'a str {
        if self.wt[i].1 {
            "timmar (besökstid)"
        } else {
            self.vunit(&self.keys[i].1)
        }
    }

    /// The hours one volume unit of `insats` weighs in `ansvar` at `enhet`:
    /// the most specific timvikt row.
    fn timvikt_of(&self, ansvar: &str, enhet: &str, insats: &str) -> Option<i64> {
        [(ansvar, enhet), (ansvar, ALLA), (ALLA, enhet), (ALLA, ALLA)]
            .iter()
            .find_map(|(a, e)| self.timvikt.get(&(*a, *e, insats)).copied())
    }

    /// Splits `amount` of `ansvar` over cells `cs` by their weights; cells
    /// of different weight units are weighed in hours (visit time, or the
    /// volume × the service's timvikt, noted in `vagd`). A missing timvikt
    /// is an error naming `what`.
    fn split(
        &self,
        amount: i64,
        cs: &[usize],
        ansvar: &str,
        what: &str,
        errs: &mut Vec<String>,
        vagd: &mut [Vec<(String, i64)>],
    ) -> Option<Vec<(usize, i64)>> {
        let units: BTreeSet<&str> = cs.iter().map(|i| self.wunit(*i)).collect();
        let w: Vec<i64> = if units.len() > 1 {
            let mut saknas: BTreeSet<String> = BTreeSet::new();
            let w: Vec<i64> = cs
                .iter()
                .map(|i| {
                    let (e, s) = &self.keys[*i];
                    if self.wt[*i].1 {
                        return self.wt[*i].0 * 100;
                    }
                    match self.timvikt_of(ansvar, e, s) {
                        Some(t) => {
                            if !vagd[*i].iter().any(|(a, _)| a == ansvar) {
                                vagd[*i].push((ansvar.to_string(), t));
                            }
                            self.wt[*i].0 * t
                        }
                        None => {
                            saknas.insert(format!("{s} ({}) vid {e}", self.wunit(*i)));
                            0
                        }
                    }
                })
                .collect();
            if !saknas.is_empty() {
                errs.push(format!(
                    "{what}: bär insatser med olika volymenheter ({}); ange i fördelningsnycklarna en timvikt (timmar per volymenhet) för {}",
                    units.into_iter().collect::<Vec<_>>().join(", "),
                    saknas.into_iter().collect::<Vec<_>>().join(", ")
                ));
                return None;
            }
            w
        } else {
            cs.iter().map(|i| self.wt[*i].0).collect()
        };
        fordela(amount, &w).map(|parts| cs.iter().copied().zip(parts).collect())
    }
}

/// The ledger's cost allocated to the cells: direct costs and each pool's
/// shares, with what was left out and the notes.
struct Fordelning {
    direkt: Vec<i64>,
    indirekt: Vec<Vec<Andel>>,
    /// Per cell: the timvikt it was weighed with, per ansvar.
    vagd: Vec<Vec<(String, i64)>>,
    huvudbok: i64,
    ej_med: Vec<(String, i64)>,
    pooler: Vec<PoolUt>,
    anmarkningar: Vec<String>,
    /// Ansvar allocated as pools (not a cell's direct cost).
    pool_ansvar: BTreeSet<String>,
}

/// Allocates every included ansvar's cost to the cells: an ansvar that is
/// a pool by its key, any other to the cells of the units that have it.
fn fordela_kostnad(c: &Celler<'_>) -> Result<Fordelning, Vec<String>> {
    let d = c.d;
    let n = c.keys.len();
    let mut errs = Vec::new();
    let mut f = Fordelning {
        direkt: vec![0; n],
        indirekt: vec![Vec::new(); n],
        vagd: vec![Vec::new(); n],
        huvudbok: 0,
        ej_med: Vec::new(),
        pooler: Vec::new(),
        anmarkningar: Vec::new(),
        pool_ansvar: BTreeSet::new(),
    };
    let nycklar: Vec<&NyckelRad> = if d.direkt {
        Vec::new()
    } else {
        d.nycklar.iter().filter(|r| r.nyckel != Nyckel::Timvikt).collect()
    };
    f.pool_ansvar = nycklar.iter().map(|r| r.ansvar.clone()).collect();
    // Cells of each ansvar (direct costs).
    let mut by_ansvar: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (e, _)) in c.keys.iter().enumerate() {
        if let Some(a) = d.enheter.get(e).and_then(|u| u.ansvar.as_deref()) {
            by_ansvar.entry(a).or_default().push(i);
        }
    }
    for (ansvar, cost) in &d.kostnad {
        if f.pool_ansvar.contains(ansvar) {
            continue;
        }
        match by_ansvar.get(ansvar.as_str()) {
            Some(cs) => {
                f.huvudbok += cost;
                if let Some(parts) = c.split(*cost, cs, ansvar, &format!("ansvar {ansvar}"), &mut errs, &mut f.vagd) {
                    for (i, p) in parts {
                        f.direkt[i] += p;
                    }
                }
            }
            None => {
                if *cost != 0 {
                    f.ej_med.push((ansvar.clone(), *cost));
                }
            }
        }
    }
    let mut pools: BTreeMap<&str, Vec<&NyckelRad>> = BTreeMap::new();
    for r in nycklar {
        pools.entry(r.pool.as_str()).or_default().push(r);
    }
    for (pool, rows) in &pools {
        fordela_pool(c, pool, rows, &mut f, &mut errs);
    }
    if errs.is_empty() {
        Ok(f)
    } else {
        Err(errs)
    }
}

/// One cost pool by its key: each receiver's share, then over the
/// receiver's cells. A receiver without volume gets nothing and its share
/// goes to the pool's other receivers (told as a note); a pool without any
/// receiver with volume is left out.
fn fordela_pool(c: &Celler<'_>, pool: &str, rows: &[&NyckelRad], f: &mut Fordelning, errs: &mut Vec<String>) {
    let d = c.d;
    let ansvar = &rows[0].ansvar;
    let cost = d.kostnad.get(ansvar).copied().unwrap_or(0);
    let receivers: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| match &r.insats {
            Some(i) => c.idx.get(&(r.enhet.clone(), i.clone())).copied().into_iter().collect(),
            None => c
                .keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k.0 == r.enhet)
                .map(|(i, _)| i)
                .collect(),
        })
        .collect();
    for (r, cs) in rows.iter().zip(&receivers) {
        if cs.is_empty() {
            f.anmarkningar.push(format!(
                "rad {} i fördelningsnycklarna (pool {pool}): enheten {}{} har ingen volym {}–{}; dess andel fördelas på poolens övriga mottagare",
                r.rad,
                r.enhet,
                r.insats.as_ref().map(|i| format!(" med insatsen {i}")).unwrap_or_default(),
                d.fran,
                d.till
            ));
        }
    }
    let w: Vec<i64> = rows
        .iter()
        .zip(&receivers)
        .map(|(r, cs)| if cs.is_empty() { 0 } else { r.varde })
        .collect();
    let Some(parts) = fordela(cost, &w) else {
        if cost != 0 {
            f.anmarkningar.push(format!(
                "pool {pool} (ansvar {ansvar}): ingen mottagare har volym {}–{}, så poolen är inte med",
                d.fran, d.till
            ));
            f.ej_med.push((ansvar.clone(), cost));
        }
        return;
    };
    f.huvudbok += cost;
    let mut mottagare = BTreeSet::new();
    for ((r, part), cs) in rows.iter().zip(parts).zip(&receivers) {
        if cs.is_empty() {
            continue;
        }
        let what = format!("rad {} (pool {pool})", r.rad);
        if let Some(split) = c.split(part, cs, ansvar, &what, errs, &mut f.vagd) {
            for (i, p) in split {
                mottagare.insert(i);
                match f.indirekt[i].iter_mut().find(|a| a.pool == pool) {
                    Some(a) => a.belopp += p,
                    None => f.indirekt[i].push(Andel {
                        pool: pool.to_string(),
                        ansvar: ansvar.clone(),
                        nyckel: r.nyckel.code().into(),
                        belopp: p,
                    }),
                }
            }
        }
    }
    f.pooler.push(PoolUt {
        pool: pool.to_string(),
        ansvar: ansvar.clone(),
        nyckel: rows[0].nyckel.code().into(),
        kostnad: cost,
        mottagare: mottagare.len() as u64,
    });
}

/// Computes the KPB. An error is a Swedish sentence the user can act on
/// (a pool whose receivers have no volume, an ansvar carrying services of
/// different volume units without a timvikt).
pub fn berakna(d: &Indata) -> Result<Kpb, Vec<String>> {
    let c = Celler::new(d);
    let mut f = fordela_kostnad(&c)?;
    // Cells, and each cell's cost over its brukare by volume.
    let mut per_brukare: Vec<BTreeMap<String, i64>> = vec![BTreeMap::new(); d.brukare.len()];
    let mut rader: Vec<Vec<BrukarRad>> = vec![Vec::new(); d.brukare.len()];
    let mut celler = Vec::with_capacity(c.keys.len());
    let mut fordelat = 0i64;
    for (i, (e, s)) in c.keys.iter().enumerate() {
        let total = f.direkt[i] + f.indirekt[i].iter().map(|a| a.belopp).sum::<i64>();
        fordelat += total;
        let bv = &c.members[i];
        let w: Vec<i64> = bv.iter().map(|x| x.1).collect();
        let parts = fordela(total, &w).unwrap_or_else(|| vec![0; w.len()]);
        for ((b, v), p) in bv.iter().zip(parts) {
            *per_brukare[*b].entry(s.clone()).or_default() += p;
            match rader[*b].last_mut() {
                Some(r) if r.enhet == *e && r.insats == *s => {
                    r.volym += v;
                    r.kostnad += p;
                }
                _ => rader[*b].push(BrukarRad {
                    enhet: e.clone(),
                    insats: s.clone(),
                    volym: *v,
                    kostnad: p,
                }),
            }
        }
        let unit = d.enheter.get(e);
        let ins = d.insatser.get(s);
        celler.push(Cell {
            enhet: e.clone(),
            enhet_namn: unit.map_or_else(|| e.clone(), |u| u.namn.clone()),
            regiform: unit.map_or_else(String::new, |u| u.regiform.clone()),
            insats: s.clone(),
            insats_namn: ins.map_or_else(|| s.clone(), |x| x.namn.clone()),
            volymenhet: c.vunit(s).to_string(),
            ansvar: unit
                .and_then(|u| u.ansvar.clone())
                .filter(|a| !f.pool_ansvar.contains(a)),
            timvikt: std::mem::take(&mut f.vagd[i]),
            direkt: f.direkt[i],
            indirekt: std::mem::take(&mut f.indirekt[i]),
            kostnad: total,
            volym: c.vol[i],
            brukare: bv.iter().map(|x| x.0).collect::<BTreeSet<_>>().len() as u64,
            styckpris: price(total, c.vol[i]),
        });
    }
    let tjanster = tjanster(&celler, &c);
    let brukare = brukarkostnader(d, per_brukare, rader);
    let (topp, kurva) = kostnadskurva(&brukare);
    let ytterfall = brukare
        .iter()
        .enumerate()
        .filter(|(_, b)| b.kostnad > if b.lss { d.grans_lss } else { d.grans_sol })
        .map(|(i, _)| i)
        .collect();
    let grupper = grupper(&brukare);
    let huvudbok = f.huvudbok;
    debug_assert_eq!(huvudbok, fordelat);
    if huvudbok != fordelat {
        return Err(vec![format!(
            "Fördelat {fordelat} öre men huvudboken har {huvudbok} öre; kontrollera fördelningsnycklarna"
        )]);
    }
    Ok(Kpb {
        ar: d.ar,
        fran: d.fran,
        till: d.till,
        direkt: d.direkt,
        huvudbok,
        fordelat,
        ej_med: f.ej_med,
        celler,
        tjanster,
        pooler: f.pooler,
        brukare,
        topp,
        kurva,
        grans_sol: d.grans_sol,
        grans_lss: d.grans_lss,
        ytterfall,
        grupper,
        anmarkningar: f.anmarkningar,
    })
}

/// Each service for the municipality: its cells summed, the price over
/// all of them and the spread of the cells' prices.
fn tjanster(celler: &[Cell], c: &Celler<'_>) -> Vec<Tjanst> {
    let mut tj: BTreeMap<&str, Tjanst> = BTreeMap::new();
    let mut tj_brukare: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (i, cell) in celler.iter().enumerate() {
        let t = tj.entry(cell.insats.as_str()).or_insert_with(|| Tjanst {
            insats: cell.insats.clone(),
            namn: cell.insats_namn.clone(),
            volymenhet: cell.volymenhet.clone(),
            enheter: 0,
            kostnad: 0,
            volym: 0,
            brukare: 0,
            styckpris: 0,
            min: i64::MAX,
            max: i64::MIN,
        });
        t.enheter += 1;
        t.kostnad += cell.kostnad;
        t.volym += cell.volym;
        t.min = t.min.min(cell.styckpris);
        t.max = t.max.max(cell.styckpris);
        tj_brukare
            .entry(cell.insats.as_str())
            .or_default()
            .extend(c.members[i].iter().map(|x| x.0));
    }
    tj.into_iter()
        .map(|(k, mut t)| {
            t.styckpris = price(t.kostnad, t.volym);
            t.brukare = tj_brukare.get(k).map_or(0, |s| s.len() as u64);
            t
        })
        .collect()
}

/// Every brukare with a cost, costliest first (ties by pseudonym).
fn brukarkostnader(
    d: &Indata,
    per_brukare: Vec<BTreeMap<String, i64>>,
    rader: Vec<Vec<BrukarRad>>,
) -> Vec<BrukarKostnad> {
    let lss: BTreeSet<&str> = d
        .insatser
        .iter()
        .filter(|(_, i)| matches!(i.lagrum.as_str(), "LSS" | "SFB"))
        .map(|(k, _)| k.as_str())
        .collect();
    let mut brukare: Vec<BrukarKostnad> = per_brukare
        .into_iter()
        .zip(rader)
        .enumerate()
        .filter(|(_, (m, _))| !m.is_empty())
        .map(|(i, (m, rader))| {
            let b = &d.brukare[i];
            let alder = (d.ar - b.fodelsear).max(0) as u32;
            BrukarKostnad {
                pseudonym: b.pseudonym.clone(),
                aldersgrupp: aldersgrupp(BRUKARE_ALDERSGRUPPER, alder).to_string(),
                kon: b.kon.clone(),
                lss: m.keys().any(|k| lss.contains(k.as_str())),
                kostnad: m.values().sum(),
                insatser: m.into_iter().collect(),
                rader,
            }
        })
        .collect();
    brukare.sort_by(|a, b| b.kostnad.cmp(&a.kostnad).then(a.pseudonym.cmp(&b.pseudonym)));
    brukare
}

/// The costliest 1, 5 and 10 % and their share of the cost (none for
/// fewer than five brukare).
type Topp = Vec<(u32, Option<i64>)>;

/// The costliest 1, 5 and 10 % of brukare's share of the cost, and the
/// curve (share of brukare, costliest first, against share of cost); none
/// for fewer than five brukare.
fn kostnadskurva(brukare: &[BrukarKostnad]) -> (Topp, Vec<(i64, i64)>) {
    let n = brukare.len() as u64;
    let sum: i64 = brukare.iter().map(|b| b.kostnad).sum();
    let share = |k: usize| -> i64 {
        let top: i64 = brukare[..k].iter().map(|b| b.kostnad).sum();
        if sum == 0 {
            0
        } else {
            round_div_i128(top as i128 * 10_000, sum as i128)
        }
    };
    let topp = [1u32, 5, 10]
        .iter()
        .map(|p| {
            let k = ((n * *p as u64).div_ceil(100)) as usize;
            (*p, visa(n, ()).map(|_| share(k.min(brukare.len()))))
        })
        .collect();
    let kurva = if crate::sekretess::dold(n) {
        Vec::new()
    } else {
        let mut pts = vec![(0, 0)];
        for p in 1..=100u64 {
            let k = (n * p).div_ceil(100) as usize;
            pts.push((p as i64 * 100, share(k)));
        }
        pts
    };
    (topp, kurva)
}

/// Age band × legal gender, with the totals; groups under five (and the
/// secondary ones) hidden.
fn grupper(brukare: &[BrukarKostnad]) -> Vec<Grupp> {
    let mut g: BTreeMap<(usize, String), (u64, i64)> = BTreeMap::new();
    for b in brukare {
        let band = BRUKARE_ALDERSGRUPPER
            .iter()
            .position(|x| x.2 == b.aldersgrupp)
            .unwrap_or(usize::MAX);
        for key in [
            (band, b.kon.clone()),
            (band, "alla".into()),
            (usize::MAX - 1, b.kon.clone()),
            (usize::MAX - 1, "alla".into()),
        ] {
            let e = g.entry(key).or_default();
            e.0 += 1;
            e.1 += b.kostnad;
        }
    }
    let hidden = dolda_grupper(&g);
    g.into_iter()
        .map(|(key, (antal, kostnad))| {
            let shown = !hidden.contains(&key);
            let (band, kon) = key;
            Grupp {
                aldersgrupp: BRUKARE_ALDERSGRUPPER
                    .get(band)
                    .map_or(
                        if band == usize::MAX - 1 {
                            "alla åldrar"
                        } else {
                            "okänd ålder"
                        },
                        |x| x.2,
                    )
                    .to_string(),
                kon,
                antal: shown.then_some(antal),
                kostnad: shown.then_some(kostnad),
                medel: shown.then(|| round_div(kostnad, antal as i64)),
            }
        })
        .collect()
}

/// The groups of the age × gender table to hide: every group under five
/// brukare, and then (secondary suppression) in any row or column where
/// exactly one group is hidden, the smallest shown group too, so that a
/// hidden figure cannot be got back from a total by subtraction. The table
/// has the totals "alla" (gender) and `usize::MAX - 1` (all ages).
pub fn dolda_grupper(g: &BTreeMap<(usize, String), (u64, i64)>) -> BTreeSet<(usize, String)> {
    let mut hidden: BTreeSet<(usize, String)> = g
        .iter()
        .filter(|(_, (n, _))| crate::sekretess::dold(*n))
        .map(|(k, _)| k.clone())
        .collect();
    let bands: BTreeSet<usize> = g.keys().map(|k| k.0).collect();
    let kons: BTreeSet<String> = g.keys().map(|k| k.1.clone()).collect();
    let mut lines: Vec<Vec<(usize, String)>> = Vec::new();
    for b in &bands {
        lines.push(g.keys().filter(|k| k.0 == *b).cloned().collect());
    }
    for k in &kons {
        lines.push(g.keys().filter(|x| &x.1 == k).cloned().collect());
    }
    loop {
        let mut changed = false;
        for line in &lines {
            if line.iter().filter(|k| hidden.contains(*k)).count() == 1 {
                if let Some(k) = line
                    .iter()
                    .filter(|k| !hidden.contains(*k))
                    .min_by_key(|k| (g[*k].0, (*k).clone()))
                {
                    hidden.insert(k.clone());
                    changed = true;
                }
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[&str]) -> BTreeSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_hidden_group_cannot_be_got_back_from_a_total() {
        // Band 0: 6 women, 3 men (hidden), 9 in all; band 1: 8 women only.
        let mut g = BTreeMap::new();
        for (k, n) in [
            ((0, "K"), 6),
            ((0, "M"), 3),
            ((0, "alla"), 9),
            ((1, "K"), 8),
            ((1, "alla"), 8),
            ((usize::MAX - 1, "K"), 14),
            ((usize::MAX - 1, "M"), 3),
            ((usize::MAX - 1, "alla"), 17),
        ] {
            g.insert((k.0, k.1.to_string()), (n, 0));
        }
        let h = dolda_grupper(&g);
        let hid = |b: usize, k: &str| h.contains(&(b, k.to_string()));
        assert!(
            hid(0, "M") && hid(0, "K"),
            "the women of band 0 would give the men: 9 − 6"
        );
        assert!(hid(usize::MAX - 1, "M"), "all men = the hidden men of band 0");
        assert!(hid(usize::MAX - 1, "K"), "all women − band 1 would give band 0");
        assert!(!hid(0, "alla") && !hid(1, "K") && !hid(usize::MAX - 1, "alla"));
        // Every line has none or at least two hidden.
        for b in [0, 1, usize::MAX - 1] {
            let n = ["K", "M", "alla"]
                .iter()
                .filter(|k| g.contains_key(&(b, k.to_string())) && hid(b, k))
                .count();
            assert_ne!(n, 1, "band {b}");
        }
    }

    #[test]
    fn allocation_is_exact_with_largest_remainder() {
        assert_eq!(fordela(100, &[1, 1, 1]).unwrap(), vec![34, 33, 33]);
        assert_eq!(fordela(-100, &[1, 1, 1]).unwrap().iter().sum::<i64>(), -100);
        assert_eq!(fordela(7, &[0, 0]), None);
        let p = fordela(999_999_999_97, &[3, 7, 11, 13]).unwrap();
        assert_eq!(p.iter().sum::<i64>(), 999_999_999_97);
    }

    #[test]
    fn bad_key_files_are_refused_with_line_and_key() {
        let text = "pool;ansvar;nyckel;enhet;insats;värde\n\
                    Ledning;710;andel;711;HT_OMV;60\n\
                    Ledning;710;andel;999;;50\n\
                    Lokaler;792;kvm;711;NOPE;100\n\
                    Admin;791;andel;711;;80\n";
        let rows = parse_nycklar(text).unwrap();
        let errs = check_nycklar(&rows, &set(&["711"]), &set(&["HT_OMV"]));
        let all = errs.join("\n");
        assert!(
            all.contains("rad 3, kolumn enhet: okänd enhet \"999\" (pool Ledning)"),
            "{all}"
        );
        assert!(
            all.contains("rad 3, kolumn värde: pool Ledning fördelar 110,00 % – mer än 100 %"),
            "{all}"
        );
        assert!(
            all.contains("rad 4, kolumn insats: okänd insats \"NOPE\" (pool Lokaler)"),
            "{all}"
        );
        assert!(
            all.contains("rad 5–5: pool Admin fördelar bara 80,00 %; 20,00 % av poolen blir ofördelat"),
            "{all}"
        );
        let e = parse_nycklar("pool;ansvar;nyckel;enhet;insats;värde\nA;1;vikt;2;;x\n")
            .unwrap_err()
            .join("\n");
        assert!(e.contains("rad 2, kolumn nyckel: värdet \"vikt\""), "{e}");
        assert!(e.contains("rad 2, kolumn värde: värdet \"x\""), "{e}");
    }

    #[test]
    fn every_krona_is_allocated_once_and_prices_follow() {
        let mut d = Indata {
            ar: 2025,
            fran: 202501,
            till: 202512,
            grans_sol: GRANS_SOL_ORE,
            grans_lss: GRANS_LSS_ORE,
            ..Default::default()
        };
        for (e, a) in [("A", "1"), ("B", "2")] {
            d.enheter.insert(
                e.into(),
                Enhet {
                    namn: e.into(),
                    regiform: "egen regi".into(),
                    ansvar: Some(a.into()),
                },
            );
        }
        d.insatser.insert(
            "HT".into(),
            Insats {
                namn: "Hemtjänst".into(),
                volymenhet: "timmar".into(),
                verksamhet: "hemtjänst".into(),
                lagrum: "SoL".into(),
            },
        );
        for i in 0..7 {
            d.brukare.push(Brukare {
                pseudonym: format!("P{i}"),
                fodelsear: 1940,
                kon: "K".into(),
            });
            d.volymer.push(Volym {
                enhet: if i < 3 { "A" } else { "B" }.into(),
                insats: "HT".into(),
                brukare: i,
                volym: 100_00 * (i as i64 + 1),
                vikt: 100_00 * (i as i64 + 1),
                tid: true,
            });
        }
        d.kostnad.insert("1".into(), 300_000_01);
        d.kostnad.insert("2".into(), 1_000_000_00);
        d.kostnad.insert("9".into(), 100_000_00);
        d.kostnad.insert("8".into(), 5_00);
        d.nycklar =
            parse_nycklar("pool;ansvar;nyckel;enhet;insats;värde\nLedning;9;andel;A;;25\nLedning;9;andel;B;HT;75\n")
                .unwrap();
        let k = berakna(&d).unwrap();
        assert_eq!(k.huvudbok, 1_400_000_01);
        assert_eq!(k.fordelat, k.huvudbok);
        assert_eq!(k.ej_med, vec![("8".to_string(), 5_00)]);
        assert_eq!(k.brukare.iter().map(|b| b.kostnad).sum::<i64>(), k.huvudbok);
        for b in &k.brukare {
            assert_eq!(b.rader.iter().map(|r| r.kostnad).sum::<i64>(), b.kostnad, "{b:?}");
            assert_eq!(b.rader.len(), 1, "one cell each");
        }
        let a = &k.celler[0];
        assert_eq!(
            (a.direkt, a.indirekt[0].belopp, a.volym),
            (300_000_01, 25_000_00, 600_00)
        );
        // (300 000,01 + 25 000) kr / 600 h = 541,67 kr/h.
        assert_eq!(a.styckpris, 541_67);
        // B: (1 000 000 + 75 000) kr / 2 200 h = 488,64 kr/h; the spread is 488,64–541,67.
        assert_eq!((k.tjanster[0].min, k.tjanster[0].max), (48_864, 541_67));
        // The costliest brukare (P6, 700 h of B's 2 200 h of 1 075 000 kr) is an outlier.
        assert_eq!(k.brukare[0].pseudonym, "P6");
        // P6 costs 1 075 000 kr × 700 / 2 200 h = 342 045 kr: no outlier above 600 000 kr.
        assert!(k.ytterfall.is_empty());
        // Seven brukare: the 80–89 band of women is shown, no smaller group is.
        assert!(k.grupper.iter().all(|g| g.antal.is_none_or(|n| n >= 5)));
        assert_eq!(k.topp[0].0, 1);
        // Direct only: the pool is left out and its ansvar listed as not included.
        d.direkt = true;
        let m = berakna(&d).unwrap();
        assert_eq!(m.huvudbok, 1_300_000_01);
        assert!(m.ej_med.contains(&("9".to_string(), 100_000_00)));
    }

    #[test]
    fn a_pool_whose_receivers_have_no_volume_is_left_out_and_told() {
        let mut d = Indata {
            ar: 2025,
            fran: 202501,
            till: 202512,
            ..Default::default()
        };
        d.kostnad.insert("9".into(), 100);
        d.nycklar = parse_nycklar("pool;ansvar;nyckel;enhet;insats;värde\nLedning;9;kvm;A;;25\n").unwrap();
        let k = berakna(&d).unwrap();
        let e = k.anmarkningar.join("\n");
        assert!(
            e.contains("rad 2 i fördelningsnycklarna (pool Ledning): enheten A har ingen volym"),
            "{e}"
        );
        assert!(e.contains("pool Ledning (ansvar 9): ingen mottagare har volym"), "{e}");
        assert_eq!((k.huvudbok, k.fordelat), (0, 0));
        assert_eq!(k.ej_med, vec![("9".to_string(), 100)]);
    }

    /// Found by probing: every bad row added a message, and a message
    /// quoted its value whole, so a 4 MiB file of short bad rows built
    /// millions of messages and one long value a message of megabytes.
    #[test]
    fn a_hostile_key_file_gives_few_short_messages() {
        let mut text = String::from("pool;ansvar;nyckel;enhet;insats;värde\n");
        text.push_str(&"x\n".repeat(100_000));
        let errs = parse_nycklar(&text).unwrap_err();
        assert_eq!(errs.len(), crate::limits::MAX_PROBLEMS + 1);
        assert!(errs.last().unwrap().contains("resten av filen lästes inte"), "{errs:?}");
        let long = format!(
            "pool;ansvar;nyckel;enhet;insats;värde\nP;710;{};711;;{}\n",
            "k".repeat(100_000),
            "9".repeat(100_000)
        );
        let errs = parse_nycklar(&long).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs.iter().all(|e| e.chars().count() < 200), "{errs:?}");
        assert!(errs[0].starts_with("rad 2, kolumn nyckel: värdet \"kkkk"), "{errs:?}");
        let head = format!("{}\n", "h".repeat(100_000));
        let errs = parse_nycklar(&head).unwrap_err();
        assert!(errs[0].chars().count() < 200, "{errs:?}");
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    /// Volumes from decisions (docs/regler.md, "Kostnad per brukare"):
    /// brukare-months and granted hours, both in hundredths.
    #[test]
    fn decisions_give_brukare_months_and_granted_hours_day_by_day() {
        let b = |start: &str, slut: Option<&str>, timmar: Option<i64>| BeslutDagar {
            start: d(start),
            slut: slut.map(d),
            timmar,
        };
        type Case<'a> = (&'a str, Vec<BeslutDagar>, &'a str, &'a str, (i64, i64));
        let cases: Vec<Case> = vec![
            (
                "a whole month",
                vec![b("2026-01-01", None, Some(31_00))],
                "2026-03",
                "2026-03",
                (100, 31_00),
            ),
            (
                "from the 16th of 31 days",
                vec![b("2026-03-16", None, None)],
                "2026-03",
                "2026-03",
                (52, 0),
            ),
            (
                "ends on the 15th (inclusive)",
                vec![b("2026-01-01", Some("2026-03-15"), Some(62_00))],
                "2026-03",
                "2026-03",
                (48, 30_00),
            ),
            (
                "ended before the period",
                vec![b("2025-01-01", Some("2026-02-28"), Some(10_00))],
                "2026-03",
                "2026-03",
                (0, 0),
            ),
            (
                "starts after the period",
                vec![b("2026-04-01", None, Some(10_00))],
                "2026-03",
                "2026-03",
                (0, 0),
            ),
            // February 2028 has 29 days: 14 of them are 0,48 of a month.
            (
                "a leap February",
                vec![b("2028-02-16", None, Some(29_00))],
                "2028-02",
                "2028-02",
                (48, 14_00),
            ),
            // A reconsideration from the 11th: 10 days at 30 h and 21 at 62 h.
            (
                "a reconsideration counts from its start",
                vec![b("2026-01-01", None, Some(30_00)), b("2026-03-11", None, Some(62_00))],
                "2026-03",
                "2026-03",
                (100, 51_68),
            ),
            // Two decisions on the same days count once.
            (
                "overlap counts once",
                vec![b("2026-03-01", None, None), b("2026-03-01", None, None)],
                "2026-03",
                "2026-03",
                (100, 0),
            ),
            // A year: each month rounded, then summed (12 months, 12 × 20 h).
            (
                "a year",
                vec![b("2020-01-01", None, Some(20_00))],
                "2026-01",
                "2026-12",
                (1200, 240_00),
            ),
            ("no decision", vec![], "2026-01", "2026-12", (0, 0)),
        ];
        for (what, beslut, fran, till, want) in cases {
            assert_eq!(beslutsvolym(&beslut, p(fran), p(till)), want, "{what}");
        }
    }

    /// An ansvar carrying hours and months needs a timvikt; the most
    /// specific one (ansvar and unit before `*`) is used.
    #[test]
    fn an_ansvar_with_hours_and_months_is_weighed_by_its_timvikt() {
        let mut d = Indata {
            ar: 2026,
            fran: 202603,
            till: 202603,
            grans_sol: GRANS_SOL_ORE,
            grans_lss: GRANS_LSS_ORE,
            ..Default::default()
        };
        d.enheter.insert(
            "A".into(),
            Enhet {
                namn: "A".into(),
                regiform: "egen regi".into(),
                ansvar: Some("1".into()),
            },
        );
        for (k, u) in [("HT", "timmar"), ("LARM", "månad")] {
            d.insatser.insert(
                k.into(),
                Insats {
                    namn: k.into(),
                    volymenhet: u.into(),
                    verksamhet: "hemtjänst".into(),
                    lagrum: "SoL".into(),
                },
            );
        }
        for (i, (ins, vol, tid)) in [("HT", 9_00, true), ("LARM", 1_00, false)].into_iter().enumerate() {
            d.brukare.push(Brukare {
                pseudonym: format!("P{i}"),
                fodelsear: 1940,
                kon: "K".into(),
            });
            d.volymer.push(Volym {
                enhet: "A".into(),
                insats: ins.into(),
                brukare: i,
                volym: vol,
                vikt: vol,
                tid,
            });
        }
        d.kostnad.insert("1".into(), 1_000_00);
        let e = berakna(&d).unwrap_err().join("\n");
        assert!(
            e.contains("ansvar 1: bär insatser med olika volymenheter (månad, timmar (besökstid))"),
            "{e}"
        );
        assert!(
            e.contains("en timvikt (timmar per volymenhet) för LARM (månad) vid A"),
            "{e}"
        );
        let head = "pool;ansvar;nyckel;enhet;insats;värde\n";
        // `*` everywhere: a month weighs 1 hour, so the larm gets 1 of 10 hours.
        d.nycklar = parse_nycklar(&format!("{head}L;*;timvikt;*;LARM;1\n")).unwrap();
        let k = berakna(&d).unwrap();
        assert_eq!(
            k.celler.iter().map(|c| c.direkt).collect::<Vec<_>>(),
            vec![900_00, 100_00]
        );
        // The ansvar's own timvikt beats `*`: 3 hours a month gives 3 of 12.
        d.nycklar = parse_nycklar(&format!(
            "{head}L;*;timvikt;*;LARM;1\nL;1;timvikt;A;LARM;3\nM;*;timvikt;A;LARM;2\n"
        ))
        .unwrap();
        let k = berakna(&d).unwrap();
        assert_eq!(
            k.celler.iter().map(|c| c.direkt).collect::<Vec<_>>(),
            vec![750_00, 250_00]
        );
        assert_eq!(k.celler[1].timvikt, vec![("1".to_string(), 3_00)]);
        assert_eq!(k.celler[1].styckpris, 250_00);
        // (ansvar, *) beats (*, unit): 2 of 11 hours would be the other way.
        d.nycklar = parse_nycklar(&format!("{head}L;1;timvikt;*;LARM;1,5\nM;*;timvikt;A;LARM;2\n")).unwrap();
        assert_eq!(berakna(&d).unwrap().celler[1].direkt, 142_86);
        // The lighter monthly view keeps the timvikt (it splits direct costs).
        d.direkt = true;
        assert_eq!(berakna(&d).unwrap().celler[1].direkt, 142_86);
        // One volume unit on the ansvar: no timvikt is needed or used.
        d.volymer.truncate(1);
        d.nycklar.clear();
        assert!(berakna(&d).unwrap().celler[0].timvikt.is_empty());
    }

    #[test]
    fn bad_timvikt_rows_are_refused_with_line_and_column() {
        let text = "pool;ansvar;nyckel;enhet;insats;värde\n\
                    Larm;*;timvikt;*;;1\n\
                    Larm;*;timvikt;999;LARM;1\n\
                    Larm;*;timvikt;*;NOPE;1\n\
                    Larm;*;timvikt;*;LARM;1\n\
                    Larm2;*;timvikt;*;LARM;2\n\
                    Larm;710;andel;711;;100\n";
        let rows = parse_nycklar(text).unwrap();
        let all = check_nycklar(&rows, &set(&["711"]), &set(&["LARM"])).join("\n");
        for want in [
            "rad 2, kolumn insats: en timvikt gäller en insats; kolumnen är tom (timvikt Larm)",
            "rad 3, kolumn enhet: okänd enhet \"999\" (timvikt Larm)",
            "rad 4, kolumn insats: okänd insats \"NOPE\" (timvikt Larm)",
            "rad 6, kolumn insats: timvikt för insats LARM, ansvar * och enhet * står redan på rad 5",
            "rad 7, kolumn pool: namnet Larm är en timvikt på rad 2",
        ] {
            assert!(all.contains(want), "{want}\n{all}");
        }
        assert_eq!(all.lines().count(), 5, "{all}");
    }
}
