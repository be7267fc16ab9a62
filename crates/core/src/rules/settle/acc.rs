//! The settlement's accumulator: per rule line the exact sum of its volume
//! (no rounding until the line is paid), keyed by small ids so that adding
//! a visit allocates nothing; and the assembly of the result tree.

use super::{Allowance, Detail, ProviderIn, ProviderNode, RuleLine, ServiceNode, Settlement, Uncovered, Visit};
use crate::num::{Money, Qty};
use crate::period::Period;
use crate::rules::modelfile::ModelVersion;
use crate::rules::models::Bemanning;
use crate::rules::timeclass::TimeClass;
use crate::rules::{mul_div, Share};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Strings seen in the volumes, each stored once.
#[derive(Default)]
pub struct Names {
    ids: HashMap<Box<str>, u32, FxBuild>,
    names: Vec<Box<str>>,
}

impl Names {
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), i);
        i
    }
    pub fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }
}

/// How a line's volume is counted and priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Minutes at a rate per hour.
    Minutes,
    /// Hundredths (hours, needs points) at a rate per whole unit.
    Hundredths,
    /// Days of a month of this many days at a rate per month.
    MonthDays(i64),
    /// Whole units (days, deliveries, months), each this many hundredths of
    /// the line's volume (a half attendance day is 50), at a rate per unit.
    Count(i64),
}

impl Basis {
    /// The exact amount of `q` units at `rate`, rounded to öre once.
    fn amount(self, rate: Money, q: i64) -> i64 {
        mul_div(rate.ore(), q, self.denominator())
    }
    fn denominator(self) -> i64 {
        match self {
            Basis::Minutes => 60,
            Basis::Hundredths => 100,
            Basis::MonthDays(d) => d,
            Basis::Count(_) => 1,
        }
    }
    fn volume(self, q: i64) -> Qty {
        match self {
            Basis::Minutes => Qty::from_minutes(q),
            Basis::Hundredths => Qty::from_hundredths(q),
            Basis::MonthDays(d) => Qty::from_hundredths(mul_div(100, q, d)),
            Basis::Count(each) => Qty::from_hundredths(q * each),
        }
    }
}

/// How a dygn line is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DygnRate {
    Standard,
    Level(u32),
    Individual(u32),
    Points,
}

/// What a rule line is; its Swedish label is made once, at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    Timpris(TimeClass),
    Styckpris,
    NarvaroHel,
    NarvaroHalv,
    Placering { typ: u32, kostnad: i64 },
    Anslag { arsbelopp: i64 },
    Bonus,
    Manadsbelopp,
    Niva(u32),
    BeviljadTid,
    UtfordUnderKontroll,
    Dygn { vakans: bool, rate: DygnRate },
    Grund { bemanning: Bemanning, platser: i64 },
}

impl Rule {
    fn label(self, names: &Names, version: &ModelVersion) -> String {
        match self {
            Rule::Timpris(c) => format!("timpris {}", c.label()),
            Rule::Styckpris => "styckpris per leverans".into(),
            Rule::NarvaroHel => "närvarodag hel".into(),
            Rule::NarvaroHalv => "närvarodag halv".into(),
            Rule::Placering { typ, kostnad } => format!(
                "placeringsdygn {}, {}/dygn",
                names.name(typ),
                Money::from_ore(kostnad).fmt_kr()
            ),
            Rule::Anslag { arsbelopp } => format!("anslag, årsbelopp {}", Money::from_ore(arsbelopp).fmt_kr()),
            Rule::Bonus => "bonus sänkt omsorgsbehov".into(),
            Rule::Manadsbelopp => "månadsbelopp".into(),
            Rule::Niva(l) => format!("nivå {}", names.name(l)),
            Rule::BeviljadTid => "beviljad tid".into(),
            Rule::UtfordUnderKontroll => {
                let k = match &version.typ {
                    crate::rules::modelfile::ModelKind::HemtjanstBeviljadTid { kontrollniva, .. } => {
                        kontrollniva.map_or(String::new(), |k| k.fmt_percent())
                    }
                    _ => String::new(),
                };
                format!("utförd tid (utförandegrad under kontrollnivån {k})")
            }
            Rule::Dygn { vakans, rate } => {
                let prefix = if vakans { "vakansdygn" } else { "dygnspris" };
                match rate {
                    DygnRate::Standard => prefix.to_string(),
                    DygnRate::Level(l) => format!("{prefix} nivå {}", names.name(l)),
                    DygnRate::Individual(id) => format!("{prefix} individuellt pris, beslut {}", names.name(id)),
                    DygnRate::Points => format!("{prefix} behovspoäng"),
                }
            }
            Rule::Grund { bemanning, platser } => {
                format!("grundersättning {}, {platser} platser", bemanning.label())
            }
        }
    }
    fn unit(self) -> &'static str {
        match self {
            Rule::Timpris(_) | Rule::BeviljadTid | Rule::UtfordUnderKontroll => "timmar",
            Rule::Styckpris | Rule::Bonus => "st",
            Rule::NarvaroHel | Rule::NarvaroHalv => "dagar",
            Rule::Placering { .. } => "dygn",
            Rule::Anslag { .. } | Rule::Manadsbelopp | Rule::Niva(_) => "månader",
            Rule::Dygn {
                rate: DygnRate::Points, ..
            } => "poängdygn",
            Rule::Dygn { .. } => "dygn",
            Rule::Grund { .. } => "platsdygn",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct LineKey {
    utforare: u32,
    insats: u32,
    version: u32,
    rule: Rule,
}

struct Line {
    rate: Money,
    basis: Basis,
    q: i64,
    /// (brukare, day, units) when detail is kept.
    detail: Vec<(u32, NaiveDate, i64)>,
}

/// Where a line's volume comes from.
pub struct Part<'a> {
    pub version: usize,
    pub utforare: &'a str,
    pub insats: &'a str,
    pub rule: Rule,
    pub rate: Money,
    pub basis: Basis,
    pub brukare: &'a str,
    pub day: NaiveDate,
    pub q: i64,
}

type UncoveredKey = (String, String, String, String);

pub struct Acc {
    detail: bool,
    pub names: Names,
    lines: HashMap<LineKey, Line, FxBuild>,
    /// (utforare, insats) → the version that first priced it (names the service).
    service_model: HashMap<(u32, u32), usize, FxBuild>,
    uncovered: BTreeMap<UncoveredKey, (BTreeSet<NaiveDate>, i64, &'static str)>,
    /// Performed minutes per (brukare, utforare, insats, version) of services
    /// paid on granted time.
    performed: HashMap<(u32, u32, u32, usize), i64, FxBuild>,
    allowance: BTreeMap<String, (i64, Money)>,
}

impl Acc {
    pub fn new(detail: bool) -> Acc {
        Acc {
            detail,
            names: Names::default(),
            lines: HashMap::default(),
            service_model: HashMap::default(),
            uncovered: BTreeMap::new(),
            performed: HashMap::default(),
            allowance: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, p: Part<'_>) {
        let key = LineKey {
            utforare: self.names.id(p.utforare),
            insats: self.names.id(p.insats),
            version: p.version as u32,
            rule: p.rule,
        };
        self.service_model
            .entry((key.utforare, key.insats))
            .or_insert(p.version);
        let line = self.lines.entry(key).or_insert(Line {
            rate: p.rate,
            basis: p.basis,
            q: 0,
            detail: Vec::new(),
        });
        line.q += p.q;
        if self.detail {
            let b = self.names.id(p.brukare);
            line.detail.push((b, p.day, p.q));
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn uncovered(
        &mut self,
        brukare: &str,
        utforare: &str,
        insats: &str,
        why: &str,
        day: NaiveDate,
        hundredths: i64,
        unit: &'static str,
    ) {
        let e = self
            .uncovered
            .entry((brukare.into(), utforare.into(), insats.into(), why.into()))
            .or_insert((BTreeSet::new(), 0, unit));
        e.0.insert(day);
        e.1 += hundredths;
    }

    /// A visit to a service paid on granted time: its minutes count toward
    /// the execution rate.
    pub fn performed(&mut self, v: Visit<'_>, version: usize) {
        let key = (
            self.names.id(v.brukare),
            self.names.id(v.utforare),
            self.names.id(v.insats),
            version,
        );
        *self.performed.entry(key).or_default() += (v.end - v.start).num_minutes();
    }

    /// Performed minutes of a brukare with a provider and service, per version.
    pub fn performed_minutes(&mut self, brukare: &str, utforare: &str, insats: &str) -> Vec<(usize, i64)> {
        let (b, u, i) = (self.names.id(brukare), self.names.id(utforare), self.names.id(insats));
        let mut out: Vec<(usize, i64)> = self
            .performed
            .iter()
            .filter(|((pb, pu, pi, _), _)| (*pb, *pu, *pi) == (b, u, i))
            .map(|((_, _, _, v), m)| (*v, *m))
            .collect();
        out.sort();
        out
    }

    pub fn allowance(&mut self, brukare: &str, hundredths: i64, amount: Money) {
        let e = self.allowance.entry(brukare.to_string()).or_insert((0, Money::ZERO));
        e.0 += hundredths;
        e.1 += amount;
    }

    /// The result tree: lines priced and rounded once, percentage lines per
    /// service, every total the sum of its parts.
    pub fn into_settlement(self, period: Period, models: &[ModelVersion], providers: &[ProviderIn]) -> Settlement {
        let names = &self.names;
        let regi: BTreeMap<&str, &ProviderIn> = providers.iter().map(|p| (p.kod.as_str(), p)).collect();
        let mut versions: BTreeSet<String> = BTreeSet::new();
        // utforare → insats → (model name, [(version, line)])
        type Services = BTreeMap<String, (String, Vec<(usize, RuleLine)>)>;
        let mut tree: BTreeMap<String, Services> = BTreeMap::new();
        for (key, line) in self.lines {
            let m = &models[key.version as usize];
            versions.insert(m.id());
            let belopp = line.basis.amount(line.rate, line.q);
            let detalj = if self.detail {
                detail(names, &line, belopp)
            } else {
                Vec::new()
            };
            let rule = RuleLine {
                regel: key.rule.label(names, m),
                modellversion: m.id(),
                volym: line.basis.volume(line.q),
                enhet: key.rule.unit().to_string(),
                pris: Some(line.rate),
                procent: None,
                belopp: Money::from_ore(belopp),
                detalj,
            };
            let model = self
                .service_model
                .get(&(key.utforare, key.insats))
                .map_or_else(String::new, |v| models[*v].namn.clone());
            tree.entry(names.name(key.utforare).to_string())
                .or_default()
                .entry(names.name(key.insats).to_string())
                .or_insert_with(|| (model, Vec::new()))
                .1
                .push((key.version as usize, rule));
        }
        let mut out = Vec::new();
        for (utforare, services) in tree {
            let p = regi.get(utforare.as_str()).copied();
            let mut nodes = Vec::new();
            for (insats, (model, mut lines)) in services {
                // Time classes in the day's order, then levels in order.
                let rank = |r: &str| {
                    ["dag", "kväll", "natt", "helg"]
                        .iter()
                        .position(|c| r.ends_with(c))
                        .unwrap_or(9)
                };
                lines.sort_by(|(_, a), (_, b)| {
                    (rank(&a.regel), &a.regel, &a.modellversion).cmp(&(rank(&b.regel), &b.regel, &b.modellversion))
                });
                let first = lines.first().map(|(v, _)| &models[*v]);
                let mut rader: Vec<RuleLine> = lines.into_iter().map(|(_, l)| l).collect();
                if let (Some(m), Some(p)) = (first, p) {
                    rader.extend(supplements(m, p, &utforare, rader.iter().map(|l| l.belopp).sum()));
                }
                nodes.push(ServiceNode {
                    modell: model,
                    insats,
                    belopp: rader.iter().map(|l| l.belopp).sum(),
                    rader,
                });
            }
            out.push(ProviderNode {
                namn: p.map_or_else(|| utforare.clone(), |p| p.namn.clone()),
                regiform: p.map_or_else(String::new, |p| p.regiform.code().to_string()),
                utforare,
                belopp: nodes.iter().map(|n| n.belopp).sum(),
                tjanster: nodes,
            });
        }
        let ej_prissatt = self
            .uncovered
            .into_iter()
            .map(|((brukare, utforare, insats, orsak), (days, vol, enhet))| Uncovered {
                brukare,
                utforare,
                insats,
                dagar: days.len() as u32,
                volym: Qty::from_hundredths(vol),
                enhet: enhet.to_string(),
                orsak,
            })
            .collect();
        let habiliteringsersattning: Vec<Allowance> = self
            .allowance
            .into_iter()
            .map(|(brukare, (days, belopp))| Allowance {
                brukare,
                dagar: Qty::from_hundredths(days),
                belopp,
            })
            .collect();
        Settlement {
            period,
            belopp: out.iter().map(|p| p.belopp).sum(),
            utforare: out,
            ej_prissatt,
            modellversioner: versions.into_iter().collect(),
            habiliteringsersattning_belopp: habiliteringsersattning.iter().map(|a| a.belopp).sum(),
            habiliteringsersattning,
        }
    }
}

/// The percentage lines of a service under version `m` (the version of its
/// first line): VAT compensation for external providers, the rural
/// supplement for listed providers, the small-unit supplement.
fn supplements(m: &ModelVersion, p: &ProviderIn, utforare: &str, subtotal: Money) -> Vec<RuleLine> {
    let t = &m.tillagg;
    let mut extra: Vec<(&str, Share)> = Vec::new();
    if let Some(share) = t.momskompensation.filter(|_| !p.regiform.is_own()) {
        extra.push(("momskompensation", share));
    }
    if let Some((share, list)) = &t.landsbygd {
        if list.iter().any(|u| u == utforare) {
            extra.push(("landsbygdstillägg", *share));
        }
    }
    if let (Some((under, share)), Some(platser)) = (t.smaenhet, p.platser) {
        if platser < under as i64 {
            extra.push(("småenhetstillägg", share));
        }
    }
    extra
        .into_iter()
        .map(|(name, share)| RuleLine {
            regel: format!("{name} {}", share.fmt_percent()),
            modellversion: m.id(),
            volym: Qty::from_hundredths(subtotal.ore()),
            enhet: "kr".to_string(),
            pris: None,
            procent: Some(share),
            belopp: Money::from_ore(mul_div(subtotal.ore(), share.0, Share::ONE.0)),
            detalj: Vec::new(),
        })
        .collect()
}

/// Brukare-days of a line, its amount divided by largest remainder so that
/// the days add up to the line exactly.
fn detail(names: &Names, line: &Line, total: i64) -> Vec<Detail> {
    let mut days: BTreeMap<(NaiveDate, &str), i64> = BTreeMap::new();
    for (b, day, q) in &line.detail {
        *days.entry((*day, names.name(*b))).or_default() += q;
    }
    let d = line.basis.denominator() as i128;
    let rate = line.rate.ore() as i128;
    let mut rows: Vec<(NaiveDate, &str, i64, i64, i128)> = days
        .into_iter()
        .map(|((day, b), q)| {
            let exact = rate * q as i128;
            (day, b, q, exact.div_euclid(d) as i64, exact.rem_euclid(d))
        })
        .collect();
    let mut left = total - rows.iter().map(|r| r.3).sum::<i64>();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|a, b| rows[*b].4.cmp(&rows[*a].4).then(a.cmp(b)));
    for i in order {
        if left <= 0 {
            break;
        }
        if rows[i].4 > 0 {
            rows[i].3 += 1;
            left -= 1;
        }
    }
    rows.into_iter()
        .map(|(datum, b, q, belopp, _)| Detail {
            brukare: b.to_string(),
            datum,
            volym: line.basis.volume(q),
            belopp: Money::from_ore(belopp),
        })
        .collect()
}

/// A small fast hasher for the engine's own keys (interned ids and the
/// codes of providers and services, which import has checked against the
/// registers; brukare are HMAC pseudonyms), after the Firefox/rustc
/// `FxHasher`. Not for keys an outsider chooses freely.
#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ (rest.len() as u64) << 56);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

pub type FxBuild = std::hash::BuildHasherDefault<Fx>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    /// The engine's hasher spreads its keys: distinct keys, distinct hashes.
    #[test]
    fn fx_hashes_distinct_keys_apart() {
        let b = FxBuild::default();
        let keys = ["711", "712", "LOV1", "HT_OMV", "HT_SERV", "", "a", "ab", "abcdefghi"];
        let mut seen: Vec<u64> = keys.iter().map(|k| b.hash_one(k)).collect();
        seen.extend([0u32, 1, 2].map(|i| b.hash_one(i)));
        seen.extend([(1u32, 2u32), (2, 1)].map(|k| b.hash_one(k)));
        // (different widths of one number hash alike; a map has one key type)
        seen.extend([3u8, 4].map(|k| b.hash_one(k)));
        seen.extend([7u64, 8].map(|k| b.hash_one(k)));
        seen.extend([9usize, 10].map(|k| b.hash_one(k)));
        seen.extend([-1i64, 11].map(|k| b.hash_one(k)));
        let n = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), n);
    }
}
