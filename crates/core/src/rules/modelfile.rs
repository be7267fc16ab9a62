//! Compensation model files (TOML, docs/regler.md, "Ersättningsmodeller"): reading, checking, and the
//! model values the settlement uses.
//!
//! One file may hold several models (`[[modell]]`). A model has a name, a
//! type, the services (insatser) it covers, a validity start (and optional
//! end), the decision behind it, and its rates. Versions of one model are
//! separate `[[modell]]` entries with the same name and different
//! `giltig_fran`. The format is documented in `docs/modeller/README.md`.
//!
//! Problems are reported in Swedish with line and key; amounts are exact
//! (a TOML number or a string with decimal comma, at most two decimals).

use crate::num::{Money, NumError};
use crate::rules::models::{conflicting_coverage, overlaps};
pub use crate::rules::models::{ModelKind, ModelVersion};
use crate::rules::Share;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

/// The kinds of model Resurs can settle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ModelType {
    /// Home care paid per performed hour, by service and time class.
    HemtjanstUtfordTid,
    /// Paid per occupied day by level (residential, short-term, LSS housing).
    Dygn,
    /// Time-based budget for housing support (docs/regler.md, "Boendestöd och socialpsykiatri"): granted hours ×
    /// execution rate ÷ brukartidsandel × cost per worked hour.
    BoendestodTid,
    /// Daily activities paid per attendance day, full or half (docs/regler.md, "Daglig verksamhet").
    Narvaro,
    /// IFO placements: days × cost per day (docs/regler.md, "IFO-placeringar").
    Placering,
    /// A flat monthly amount per brukare with a decision (safety alarm, HSL,
    /// respite), by days in partial months (docs/regler.md, "Hemtjänst").
    Manadsbelopp,
    /// Home care paid on granted time, falling to performed time when the
    /// execution rate is below the control level (docs/regler.md, "Hemtjänst").
    HemtjanstBeviljadTid,
    /// Home care paid a monthly amount by level, the level set by granted
    /// hours per month in intervals (docs/regler.md, "Nivåer i hemtjänsten").
    HemtjanstNiva,
    /// A fixed yearly grant per provider, indexed yearly, paid in twelfths:
    /// services outside the models (docs/regler.md, "Anslag") and the municipal
    /// provider's "ultimate responsibility" amount ("Hemtjänst").
    Anslag,
    /// A monthly amount by the level in the decision (docs/regler.md, "Hemtjänst", the
    /// 29-level model; "Boendestöd och socialpsykiatri", five levels per month), by
    /// days in partial months.
    Manadsniva,
    /// A price per delivered unit, one performed visit being one delivery
    /// (docs/regler.md, "Hemtjänst", meals per delivered box).
    Styckpris,
    /// Personal assistance (docs/regler.md, "Personlig assistans"): cost per hour against
    /// Försäkringskassan's hourly amount over six-month periods; a report,
    /// not a monthly payment.
    Assistans,
}

impl ModelType {
    pub fn code(self) -> &'static str {
        match self {
            ModelType::HemtjanstUtfordTid => "hemtjanst_utford_tid",
            ModelType::Dygn => "dygn",
            ModelType::BoendestodTid => "boendestod_tid",
            ModelType::Narvaro => "narvaro",
            ModelType::Placering => "placering",
            ModelType::Manadsbelopp => "manadsbelopp",
            ModelType::HemtjanstBeviljadTid => "hemtjanst_beviljad_tid",
            ModelType::HemtjanstNiva => "hemtjanst_niva",
            ModelType::Anslag => "anslag",
            ModelType::Manadsniva => "manadsniva",
            ModelType::Styckpris => "styckpris",
            ModelType::Assistans => "assistans",
        }
    }
    /// The model type in Swedish, for people (pages, lists, the diff):
    /// never the file's code (`hemtjanst_utford_tid`).
    pub fn label(self) -> &'static str {
        match self {
            ModelType::HemtjanstUtfordTid => "Hemtjänst, ersättning per utförd timme",
            ModelType::Dygn => "Ersättning per belagt dygn",
            ModelType::BoendestodTid => "Boendestöd, tidsbaserad budget",
            ModelType::Narvaro => "Ersättning per närvarodag",
            ModelType::Placering => "Placeringar, kostnad per dygn",
            ModelType::Manadsbelopp => "Månadsbelopp per brukare",
            ModelType::HemtjanstBeviljadTid => "Hemtjänst, ersättning per beviljad timme",
            ModelType::HemtjanstNiva => "Hemtjänst, ersättning per nivå",
            ModelType::Anslag => "Anslag per utförare",
            ModelType::Manadsniva => "Månadsbelopp per nivå",
            ModelType::Styckpris => "Styckpris per leverans",
            ModelType::Assistans => "Personlig assistans",
        }
    }
    /// What the model's volume is counted in: (the unit of the settlement's
    /// rule lines that carry it, the unit in Swedish for people). A scenario
    /// sums only these lines, so a home-care comparison is in hours, not in
    /// hours plus bonus pieces.
    pub fn volume_unit(self) -> (&'static str, &'static str) {
        match self {
            ModelType::HemtjanstUtfordTid => ("timmar", "utförda timmar"),
            ModelType::HemtjanstBeviljadTid => ("timmar", "timmar"),
            ModelType::HemtjanstNiva | ModelType::Manadsniva | ModelType::Manadsbelopp => ("månader", "brukarmånader"),
            ModelType::Anslag => ("månader", "månader"),
            ModelType::Styckpris => ("st", "leveranser"),
            ModelType::Dygn | ModelType::Placering => ("dygn", "belagda dygn"),
            ModelType::Narvaro => ("dagar", "närvarodagar"),
            ModelType::BoendestodTid => ("timmar", "beviljade timmar"),
            ModelType::Assistans => ("timmar", "timmar"),
        }
    }
    pub const ALL: [ModelType; 12] = [
        ModelType::HemtjanstUtfordTid,
        ModelType::HemtjanstBeviljadTid,
        ModelType::HemtjanstNiva,
        ModelType::Manadsniva,
        ModelType::Manadsbelopp,
        ModelType::Styckpris,
        ModelType::Dygn,
        ModelType::BoendestodTid,
        ModelType::Narvaro,
        ModelType::Assistans,
        ModelType::Placering,
        ModelType::Anslag,
    ];
    pub fn parse(s: &str) -> Option<ModelType> {
        ModelType::ALL.into_iter().find(|t| t.code() == s)
    }
}

/// An amount or percentage as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Num {
    fn text(&self) -> String {
        match self {
            Num::Int(i) => i.to_string(),
            // The shortest representation round-trips, so 412.37 stays 412.37.
            Num::Float(f) => f.to_string(),
            Num::Text(s) => s.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    modell: Vec<Spanned<ModelToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelToml {
    namn: String,
    typ: Spanned<String>,
    insatser: Spanned<Vec<String>>,
    giltig_fran: Spanned<toml::value::Datetime>,
    giltig_till: Option<Spanned<toml::value::Datetime>>,
    beslut: Option<String>,
    tidsklasser: Option<Spanned<TimeClassToml>>,
    timpris: Option<BTreeMap<String, Spanned<ClassRatesToml>>>,
    dygnspris: Option<Spanned<BTreeMap<String, Spanned<Num>>>>,
    vakansdagar: Option<Spanned<i64>>,
    smaenhet: Option<Spanned<SmallUnitToml>>,
    momskompensation_procent: Option<Spanned<Num>>,
    landsbygd: Option<Spanned<RuralToml>>,
    utforandegrad: Option<Spanned<Num>>,
    brukartidsandel: Option<Spanned<Num>>,
    kostnad_per_arbetad_timme: Option<Spanned<Num>>,
    narvaropris: Option<Spanned<DayRatesToml>>,
    habiliteringsersattning: Option<Spanned<DayRatesToml>>,
    manadsbelopp: Option<Spanned<Num>>,
    timpris_beviljad: Option<Spanned<Num>>,
    kontrollniva_procent: Option<Spanned<Num>>,
    nivaer: Option<Spanned<Vec<Spanned<LevelToml>>>>,
    arsbelopp: Option<Spanned<BTreeMap<String, Spanned<Num>>>>,
    basar: Option<Spanned<i64>>,
    index_procent: Option<Spanned<Num>>,
    nivapris: Option<Spanned<BTreeMap<String, Spanned<Num>>>>,
    bonus_sankt_behov: Option<Spanned<Num>>,
    styckpris: Option<Spanned<Num>>,
    a_conto: Option<Spanned<AcontoToml>>,
    grundpris_per_plats: Option<Spanned<BTreeMap<String, Spanned<Num>>>>,
    poangpris: Option<Spanned<Num>>,
    individuellt_dygnspris: Option<Spanned<BTreeMap<String, Spanned<Num>>>>,
    kostnad_per_timme: Option<Spanned<Num>>,
    kommunens_timmar_per_vecka: Option<Spanned<Num>>,
    budget_ansvar: Option<Vec<String>>,
    budget_konton: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AcontoToml {
    belaggning_procent: Spanned<Num>,
    dygnspris: Option<Spanned<Num>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelToml {
    niva: String,
    fran_timmar: Spanned<Num>,
    till_timmar: Spanned<Num>,
    belopp: Spanned<Num>,
}

/// One level of a level model: granted hours per month from `fran`
/// (inclusive) to `till` (exclusive; inclusive for the last level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub niva: String,
    pub fran: crate::num::Qty,
    pub till: crate::num::Qty,
    pub belopp: Money,
}

impl Level {
    /// The level's hour interval, for [`crate::rules::levels`].
    pub fn interval(&self) -> crate::rules::levels::Interval {
        crate::rules::levels::Interval {
            level: self.niva.clone(),
            from: self.fran,
            to: self.till,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DayRatesToml {
    hel: Spanned<Num>,
    halv: Spanned<Num>,
}

/// Rates for a full and a half attendance day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRates {
    pub hel: Money,
    pub halv: Money,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeClassToml {
    dag_start: String,
    kvall_start: String,
    natt_start: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassRatesToml {
    dag: Spanned<Num>,
    kvall: Spanned<Num>,
    natt: Spanned<Num>,
    helg: Spanned<Num>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SmallUnitToml {
    under_platser: i64,
    tillagg_procent: Spanned<Num>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuralToml {
    procent: Spanned<Num>,
    utforare: Vec<String>,
}

/// Hourly rates of one service by time class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassRates {
    pub dag: Money,
    pub kvall: Money,
    pub natt: Money,
    pub helg: Money,
}

/// One version of a model as it is stored in the database (`modell_version`,
/// JSON): the flat record of every key any type may have. Code works on the
/// typed [`ModelVersion`]; this is only the storage form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRecord {
    pub namn: String,
    pub typ: String,
    pub insatser: Vec<String>,
    pub giltig_fran: NaiveDate,
    pub giltig_till: Option<NaiveDate>,
    pub beslut: Option<String>,
    pub tidsklasser: Option<[u32; 3]>,
    /// Service → hourly rates (home care).
    pub timpris: BTreeMap<String, ClassRates>,
    /// Level → rate per occupied day (`standard` when no level applies).
    pub dygnspris: BTreeMap<String, Money>,
    pub vakansdagar: u32,
    /// Units with fewer places than this get `smaenhet_tillagg` on top.
    pub smaenhet_under_platser: Option<u32>,
    pub smaenhet_tillagg: Option<Share>,
    /// VAT compensation for external providers (upphandlad, LOV).
    pub momskompensation: Option<Share>,
    pub landsbygd: Option<Share>,
    pub landsbygd_utforare: Vec<String>,
    /// Housing-support budget model (`boendestod_tid`).
    #[serde(default)]
    pub boendestod: Option<crate::rules::boendestod::Model>,
    /// Provider's rate per attendance day (`narvaro`).
    #[serde(default)]
    pub narvaropris: Option<DayRates>,
    /// The individual's habilitation allowance per attendance day (`narvaro`),
    /// computed alongside and not part of the provider's payment.
    #[serde(default)]
    pub habiliteringsersattning: Option<DayRates>,
    /// Monthly amount per brukare (`manadsbelopp`).
    #[serde(default)]
    pub manadsbelopp: Option<Money>,
    /// Rate per granted hour (`hemtjanst_beviljad_tid`).
    #[serde(default)]
    pub timpris_beviljad: Option<Money>,
    /// Below this execution rate, performed time is paid instead of granted.
    #[serde(default)]
    pub kontrollniva: Option<Share>,
    /// Levels by granted hours (`hemtjanst_niva`), in order.
    #[serde(default)]
    pub nivaer: Vec<Level>,
    /// Yearly grant per provider in the base year (`anslag`).
    #[serde(default)]
    pub arsbelopp: BTreeMap<String, Money>,
    #[serde(default)]
    pub basar: Option<i32>,
    #[serde(default)]
    pub index: Option<Share>,
    /// Level in the decision → monthly amount (`manadsniva`).
    #[serde(default)]
    pub nivapris: BTreeMap<String, Money>,
    /// Paid once to the provider when a reassessment lowers the need
    /// (home-care models).
    #[serde(default)]
    pub bonus_sankt_behov: Option<Money>,
    /// Price per delivered unit (`styckpris`).
    #[serde(default)]
    pub styckpris: Option<Money>,
    /// A-conto advance on expected occupancy (`dygn`): the occupancy share
    /// and the rate per day (the model's `standard` rate when not given).
    #[serde(default)]
    pub a_conto_belaggning: Option<Share>,
    #[serde(default)]
    pub a_conto_dygnspris: Option<Money>,
    /// Basic amount per place and day by the unit's staffing type (`dygn`, LSS).
    #[serde(default)]
    pub grundpris_per_plats: BTreeMap<String, Money>,
    /// Rate per needs point and occupied day (`dygn`, LSS points system).
    #[serde(default)]
    pub poangpris: Option<Money>,
    /// Decision id → individual rate per occupied day (`dygn`).
    #[serde(default)]
    pub individuellt_dygnspris: BTreeMap<String, Money>,
    /// Cost per performed hour (`assistans`).
    #[serde(default)]
    pub kostnad_per_timme: Option<Money>,
    /// Hours per week the municipality pays in cases under the social
    /// insurance code (`assistans`, 20 when not given).
    #[serde(default)]
    pub kommunens_timmar_per_vecka: Option<crate::num::Qty>,
    /// The budget the placements are followed against (`placering`): its
    /// ansvar codes and accounts.
    #[serde(default)]
    pub budget_ansvar: Vec<String>,
    #[serde(default)]
    pub budget_konton: Vec<String>,
}

/// A problem in a model file: line, key and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelProblem {
    pub rad: usize,
    pub nyckel: String,
    pub fel: String,
}

impl ModelProblem {
    pub fn render(&self) -> String {
        format!("rad {}, nyckel \"{}\": {}", self.rad, self.nyckel, self.fel)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Translates the TOML library's English messages for the common cases.
fn toml_message_sv(msg: &str) -> (String, String) {
    let quoted = |m: &str| m.split('`').nth(1).unwrap_or("").to_string();
    if msg.starts_with("unknown field") {
        let key = quoted(msg);
        let expected = msg.split("expected").nth(1).unwrap_or("").trim().replace('`', "\"");
        (key, format!("okänd nyckel; tillåtna är {expected}"))
    } else if msg.starts_with("missing field") {
        let key = quoted(msg);
        (key.clone(), format!("nyckeln \"{key}\" saknas"))
    } else if msg.contains("invalid type") {
        (String::new(), format!("fel typ av värde ({})", msg.trim()))
    } else {
        (String::new(), format!("filen är inte giltig TOML ({})", msg.trim()))
    }
}

struct Ctx<'a> {
    text: &'a str,
    problems: Vec<ModelProblem>,
}

impl Ctx<'_> {
    fn at(&mut self, span: std::ops::Range<usize>, key: &str, fel: impl Into<String>) {
        self.problems.push(ModelProblem {
            rad: line_of(self.text, span.start),
            nyckel: key.to_string(),
            fel: fel.into(),
        });
    }
    fn money(&mut self, v: &Spanned<Num>, key: &str) -> Option<Money> {
        match Money::parse_sv(&v.get_ref().text()) {
            Ok(m) if m.ore() < 0 => {
                self.at(
                    v.span(),
                    key,
                    format!("värdet {} är negativt; förväntade ett belopp ≥ 0", v.get_ref().text()),
                );
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                self.at(
                    v.span(),
                    key,
                    format!("värdet \"{}\": förväntade {}", v.get_ref().text(), e.expected()),
                );
                None
            }
        }
    }
    fn percent(&mut self, v: &Spanned<Num>, key: &str) -> Option<Share> {
        match Share::from_percent_sv(&v.get_ref().text()) {
            Ok(s) if s.0 < 0 || s.0 > Share::ONE.0 => {
                self.at(
                    v.span(),
                    key,
                    format!(
                        "värdet {}: förväntade en procentsats mellan 0 och 100",
                        v.get_ref().text()
                    ),
                );
                None
            }
            Ok(s) => Some(s),
            Err(e) => {
                self.at(
                    v.span(),
                    key,
                    format!("värdet \"{}\": förväntade {}", v.get_ref().text(), percent_expected(e)),
                );
                None
            }
        }
    }
    fn date(&mut self, v: &Spanned<toml::value::Datetime>, key: &str) -> Option<NaiveDate> {
        let d = v.get_ref();
        match (d.date, d.time) {
            (Some(date), None) => NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32),
            _ => {
                self.at(
                    v.span(),
                    key,
                    format!("värdet {d}: förväntade ett datum ÅÅÅÅ-MM-DD utan klockslag"),
                );
                None
            }
        }
    }
}

fn percent_expected(e: NumError) -> &'static str {
    match e {
        NumError::TooManyDecimals => "högst fyra decimaler",
        other => other.expected(),
    }
}

/// The first number missing from numbered levels (`1`, `2`, … without a
/// gap); other keys (`standard`) are ignored.
fn first_missing_level<'a>(keys: impl Iterator<Item = &'a String>) -> Option<u32> {
    let mut numbered: Vec<u32> = keys.filter_map(|k| k.parse().ok()).collect();
    numbered.sort();
    numbered
        .iter()
        .enumerate()
        .find(|(i, n)| **n != *i as u32 + 1)
        .map(|(i, _)| i as u32 + 1)
}

fn level_gap(missing: u32) -> String {
    format!("nivåerna ska vara 1, 2, 3 … utan glapp; nivå {missing} saknas")
}

fn parse_clock(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && s.len() == 5).then_some(h * 60 + m)
}

/// The keys of `m` that its type `t` has no use for, with where they are:
/// a key that does nothing would let a reader believe it does.
fn foreign_keys(m: &ModelToml, t: ModelType) -> Vec<(&'static str, std::ops::Range<usize>)> {
    use ModelType as T;
    let at = |s: Option<std::ops::Range<usize>>| s.unwrap_or_else(|| m.typ.span());
    let sp = |v: &Option<Spanned<Num>>| v.as_ref().map(|v| v.span());
    let present: Vec<(&'static str, Option<std::ops::Range<usize>>, bool)> = vec![
        (
            "tidsklasser",
            m.tidsklasser.as_ref().map(|v| v.span()),
            m.tidsklasser.is_some(),
        ),
        (
            "timpris",
            m.timpris.as_ref().and_then(|t| t.values().next().map(|v| v.span())),
            m.timpris.is_some(),
        ),
        (
            "dygnspris",
            m.dygnspris.as_ref().map(|v| v.span()),
            m.dygnspris.is_some(),
        ),
        (
            "vakansdagar",
            m.vakansdagar.as_ref().map(|v| v.span()),
            m.vakansdagar.is_some(),
        ),
        ("smaenhet", m.smaenhet.as_ref().map(|v| v.span()), m.smaenhet.is_some()),
        (
            "momskompensation_procent",
            sp(&m.momskompensation_procent),
            m.momskompensation_procent.is_some(),
        ),
        (
            "landsbygd",
            m.landsbygd.as_ref().map(|v| v.span()),
            m.landsbygd.is_some(),
        ),
        ("utforandegrad", sp(&m.utforandegrad), m.utforandegrad.is_some()),
        ("brukartidsandel", sp(&m.brukartidsandel), m.brukartidsandel.is_some()),
        (
            "kostnad_per_arbetad_timme",
            sp(&m.kostnad_per_arbetad_timme),
            m.kostnad_per_arbetad_timme.is_some(),
        ),
        (
            "narvaropris",
            m.narvaropris.as_ref().map(|v| v.span()),
            m.narvaropris.is_some(),
        ),
        (
            "habiliteringsersattning",
            m.habiliteringsersattning.as_ref().map(|v| v.span()),
            m.habiliteringsersattning.is_some(),
        ),
        ("manadsbelopp", sp(&m.manadsbelopp), m.manadsbelopp.is_some()),
        (
            "timpris_beviljad",
            sp(&m.timpris_beviljad),
            m.timpris_beviljad.is_some(),
        ),
        (
            "kontrollniva_procent",
            sp(&m.kontrollniva_procent),
            m.kontrollniva_procent.is_some(),
        ),
        ("nivaer", m.nivaer.as_ref().map(|v| v.span()), m.nivaer.is_some()),
        (
            "arsbelopp",
            m.arsbelopp.as_ref().map(|v| v.span()),
            m.arsbelopp.is_some(),
        ),
        ("basar", m.basar.as_ref().map(|v| v.span()), m.basar.is_some()),
        ("index_procent", sp(&m.index_procent), m.index_procent.is_some()),
        ("nivapris", m.nivapris.as_ref().map(|v| v.span()), m.nivapris.is_some()),
        (
            "bonus_sankt_behov",
            sp(&m.bonus_sankt_behov),
            m.bonus_sankt_behov.is_some(),
        ),
        ("styckpris", sp(&m.styckpris), m.styckpris.is_some()),
        ("a_conto", m.a_conto.as_ref().map(|v| v.span()), m.a_conto.is_some()),
        (
            "grundpris_per_plats",
            m.grundpris_per_plats.as_ref().map(|v| v.span()),
            m.grundpris_per_plats.is_some(),
        ),
        ("poangpris", sp(&m.poangpris), m.poangpris.is_some()),
        (
            "individuellt_dygnspris",
            m.individuellt_dygnspris.as_ref().map(|v| v.span()),
            m.individuellt_dygnspris.is_some(),
        ),
        (
            "kostnad_per_timme",
            sp(&m.kostnad_per_timme),
            m.kostnad_per_timme.is_some(),
        ),
        (
            "kommunens_timmar_per_vecka",
            sp(&m.kommunens_timmar_per_vecka),
            m.kommunens_timmar_per_vecka.is_some(),
        ),
        ("budget_ansvar", None, m.budget_ansvar.is_some()),
        ("budget_konton", None, m.budget_konton.is_some()),
    ];
    // Supplements on a service subtotal fit every type that prices volumes.
    const PERCENT: [&str; 2] = ["momskompensation_procent", "landsbygd"];
    let own: &[&str] = match t {
        T::HemtjanstUtfordTid => &["tidsklasser", "timpris", "bonus_sankt_behov"],
        T::HemtjanstBeviljadTid => &["timpris_beviljad", "kontrollniva_procent", "bonus_sankt_behov"],
        T::HemtjanstNiva => &["nivaer", "bonus_sankt_behov"],
        T::Manadsniva => &["nivapris", "bonus_sankt_behov"],
        T::Manadsbelopp => &["manadsbelopp"],
        T::Styckpris => &["styckpris"],
        T::Dygn => &[
            "dygnspris",
            "vakansdagar",
            "smaenhet",
            "grundpris_per_plats",
            "poangpris",
            "individuellt_dygnspris",
            "a_conto",
        ],
        T::BoendestodTid => &["utforandegrad", "brukartidsandel", "kostnad_per_arbetad_timme"],
        T::Narvaro => &["narvaropris", "habiliteringsersattning"],
        T::Placering => &["budget_ansvar", "budget_konton"],
        T::Anslag => &["arsbelopp", "basar", "index_procent"],
        T::Assistans => &["kostnad_per_timme", "kommunens_timmar_per_vecka"],
    };
    let percent_ok = !matches!(t, T::Anslag | T::Assistans | T::BoendestodTid);
    present
        .into_iter()
        .filter(|(key, _, set)| *set && !own.contains(key) && !(percent_ok && PERCENT.contains(key)))
        .map(|(key, span, _)| (key, at(span)))
        .collect()
}

/// Reads and checks a model file. `Ok` holds every model version of the file.
pub fn parse(text: &str) -> Result<Vec<ModelVersion>, Vec<ModelProblem>> {
    let file: FileToml = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let (key, fel) = toml_message_sv(e.message());
            return Err(vec![ModelProblem {
                rad: e.span().map_or(1, |s| line_of(text, s.start)),
                nyckel: key,
                fel,
            }]);
        }
    };
    let mut c = Ctx {
        text,
        problems: Vec::new(),
    };
    // (span of giltig_fran, span of insatser, version)
    let mut out: Vec<(std::ops::Range<usize>, std::ops::Range<usize>, ModelVersion)> = Vec::new();
    for m in &file.modell {
        let m = m.get_ref();
        let problems_before = c.problems.len();
        if let Some(t) = ModelType::parse(m.typ.get_ref()) {
            for (key, at) in foreign_keys(m, t) {
                c.at(
                    at,
                    key,
                    format!(
                        "nyckeln \"{key}\" hör inte till modelltypen {}; ta bort den eller välj en annan typ",
                        t.code()
                    ),
                );
            }
        }
        let span = m.insatser.span();
        let typ = ModelType::parse(m.typ.get_ref());
        if typ.is_none() {
            c.at(
                m.typ.span(),
                "typ",
                format!(
                    "okänd modelltyp \"{}\"; förväntade en av {}",
                    m.typ.get_ref(),
                    ModelType::ALL.map(|t| t.code()).join(", ")
                ),
            );
        }
        if m.insatser.get_ref().is_empty() {
            c.at(span.clone(), "insatser", "minst en insats");
        }
        let from = c.date(&m.giltig_fran, "giltig_fran");
        let to = m.giltig_till.as_ref().and_then(|t| c.date(t, "giltig_till"));
        if let (Some(f), Some(t), Some(ts)) = (from, to, &m.giltig_till) {
            if t < f {
                c.at(
                    ts.span(),
                    "giltig_till",
                    format!("slutdatum {t} är före giltig_fran {f}"),
                );
            }
        }
        let tidsklasser = m.tidsklasser.as_ref().and_then(|tk| {
            let v = tk.get_ref();
            let parts: Vec<Option<u32>> = [&v.dag_start, &v.kvall_start, &v.natt_start]
                .iter()
                .map(|s| parse_clock(s))
                .collect();
            match parts.as_slice() {
                [Some(d), Some(k), Some(n)] if d < k && k < n => Some([*d, *k, *n]),
                _ => {
                    c.at(
                        tk.span(),
                        "tidsklasser",
                        "klockslag TT:MM med dag_start < kvall_start < natt_start",
                    );
                    None
                }
            }
        });
        let mut timpris = BTreeMap::new();
        for (insats, r) in m.timpris.iter().flatten() {
            let rr = r.get_ref();
            let key = |k: &str| format!("timpris.{insats}.{k}");
            let vals = [
                c.money(&rr.dag, &key("dag")),
                c.money(&rr.kvall, &key("kvall")),
                c.money(&rr.natt, &key("natt")),
                c.money(&rr.helg, &key("helg")),
            ];
            if let [Some(dag), Some(kvall), Some(natt), Some(helg)] = vals {
                timpris.insert(insats.clone(), ClassRates { dag, kvall, natt, helg });
            }
        }
        let mut dygnspris = BTreeMap::new();
        for (level, v) in m.dygnspris.iter().flat_map(|d| d.get_ref()) {
            if let Some(money) = c.money(v, &format!("dygnspris.{level}")) {
                dygnspris.insert(level.clone(), money);
            }
        }
        // Numbered levels must run 1, 2, 3 … without a gap.
        if let Some(missing) = first_missing_level(dygnspris.keys()) {
            let at = m.dygnspris.as_ref().map_or(span.clone(), |d| d.span());
            c.at(at, "dygnspris", level_gap(missing));
        }
        match typ {
            Some(ModelType::HemtjanstUtfordTid) => {
                for ins in m.insatser.get_ref() {
                    if !timpris.contains_key(ins) && m.timpris.as_ref().is_none_or(|t| !t.contains_key(ins)) {
                        c.at(
                            span.clone(),
                            &format!("timpris.{ins}"),
                            format!("timpris för insatsen {ins} saknas"),
                        );
                    }
                }
            }
            Some(ModelType::Dygn) if dygnspris.is_empty() && m.dygnspris.is_none() && m.poangpris.is_none() => {
                c.at(
                    m.typ.span(),
                    "dygnspris",
                    "minst ett dygnspris (t.ex. standard = \"1 593,00\") eller ett poangpris",
                );
            }
            _ => {}
        }
        let boendestod = if typ == Some(ModelType::BoendestodTid) {
            let mut share = |v: &Option<Spanned<Num>>, key: &str| -> Option<Share> {
                let Some(v) = v else {
                    c.at(
                        m.typ.span(),
                        key,
                        format!("nyckeln \"{key}\" saknas (krävs för boendestod_tid)"),
                    );
                    return None;
                };
                match Share::from_fraction_sv(&v.get_ref().text()) {
                    Ok(s) if s.0 > 0 && s.0 <= Share::ONE.0 => Some(s),
                    _ => {
                        c.at(
                            v.span(),
                            key,
                            format!(
                                "värdet \"{}\": förväntade en andel större än 0 och högst 1, t.ex. 0,5",
                                v.get_ref().text()
                            ),
                        );
                        None
                    }
                }
            };
            let exec = share(&m.utforandegrad, "utforandegrad");
            let andel = share(&m.brukartidsandel, "brukartidsandel");
            let cost = match &m.kostnad_per_arbetad_timme {
                Some(v) => c.money(v, "kostnad_per_arbetad_timme"),
                None => {
                    c.at(
                        m.typ.span(),
                        "kostnad_per_arbetad_timme",
                        "nyckeln \"kostnad_per_arbetad_timme\" saknas (krävs för boendestod_tid)",
                    );
                    None
                }
            };
            match (exec, andel, cost) {
                (Some(execution_rate), Some(brukartidsandel), Some(cost_per_worked_hour)) => {
                    Some(crate::rules::boendestod::Model {
                        execution_rate,
                        brukartidsandel,
                        cost_per_worked_hour,
                    })
                }
                _ => None,
            }
        } else {
            None
        };
        let mut day_rates = |v: &Option<Spanned<DayRatesToml>>, key: &str| -> Option<DayRates> {
            let r = v.as_ref()?.get_ref();
            let hel = c.money(&r.hel, &format!("{key}.hel"));
            let halv = c.money(&r.halv, &format!("{key}.halv"));
            Some(DayRates { hel: hel?, halv: halv? })
        };
        let narvaropris = day_rates(&m.narvaropris, "narvaropris");
        let habiliteringsersattning = day_rates(&m.habiliteringsersattning, "habiliteringsersattning");
        let manadsbelopp = m.manadsbelopp.as_ref().and_then(|v| c.money(v, "manadsbelopp"));
        let timpris_beviljad = m.timpris_beviljad.as_ref().and_then(|v| c.money(v, "timpris_beviljad"));
        let kontrollniva = m
            .kontrollniva_procent
            .as_ref()
            .and_then(|v| c.percent(v, "kontrollniva_procent"));
        for (t, present, key) in [
            (ModelType::Manadsbelopp, m.manadsbelopp.is_some(), "manadsbelopp"),
            (
                ModelType::HemtjanstBeviljadTid,
                m.timpris_beviljad.is_some(),
                "timpris_beviljad",
            ),
        ] {
            if typ == Some(t) && !present {
                c.at(
                    m.typ.span(),
                    key,
                    format!("nyckeln \"{key}\" saknas (krävs för {})", t.code()),
                );
            }
        }
        let mut nivaer = Vec::new();
        if let Some(list) = &m.nivaer {
            for l in list.get_ref() {
                let l = l.get_ref();
                let key = format!("nivaer.{}", l.niva);
                let qty = |c: &mut Ctx, v: &Spanned<Num>, k: &str| match crate::num::Qty::parse_sv(&v.get_ref().text())
                {
                    Ok(q) => Some(q),
                    Err(e) => {
                        c.at(
                            v.span(),
                            k,
                            format!("värdet \"{}\": förväntade {}", v.get_ref().text(), e.expected()),
                        );
                        None
                    }
                };
                let fran = qty(&mut c, &l.fran_timmar, &format!("{key}.fran_timmar"));
                let till = qty(&mut c, &l.till_timmar, &format!("{key}.till_timmar"));
                let belopp = c.money(&l.belopp, &format!("{key}.belopp"));
                if let (Some(fran), Some(till), Some(belopp)) = (fran, till, belopp) {
                    nivaer.push(Level {
                        niva: l.niva.clone(),
                        fran,
                        till,
                        belopp,
                    });
                }
            }
            let intervals: Vec<crate::rules::levels::Interval> = nivaer.iter().map(Level::interval).collect();
            if let Err(e) = crate::rules::levels::check(&intervals) {
                c.at(list.span(), "nivaer", e);
            }
        } else if typ == Some(ModelType::HemtjanstNiva) {
            c.at(
                m.typ.span(),
                "nivaer",
                "minst en nivå ([[modell.nivaer]] med niva, fran_timmar, till_timmar, belopp)",
            );
        }
        let mut arsbelopp = BTreeMap::new();
        for (u, v) in m.arsbelopp.iter().flat_map(|a| a.get_ref()) {
            if let Some(money) = c.money(v, &format!("arsbelopp.{u}")) {
                arsbelopp.insert(u.clone(), money);
            }
        }
        if typ == Some(ModelType::Anslag) && m.arsbelopp.is_none() {
            c.at(
                m.typ.span(),
                "arsbelopp",
                "nyckeln \"arsbelopp\" (utförare = belopp per år) saknas (krävs för anslag)",
            );
        }
        let index = m.index_procent.as_ref().and_then(|v| c.percent(v, "index_procent"));
        let basar = m.basar.as_ref().map(|b| *b.get_ref() as i32);
        if typ == Some(ModelType::Narvaro) && m.narvaropris.is_none() {
            c.at(
                m.typ.span(),
                "narvaropris",
                "nyckeln \"narvaropris\" (hel, halv) saknas (krävs för narvaro)",
            );
        }
        let money_map = |c: &mut Ctx, v: &Option<Spanned<BTreeMap<String, Spanned<Num>>>>, key: &str| {
            let mut out = BTreeMap::new();
            for (k, x) in v.iter().flat_map(|d| d.get_ref()) {
                if let Some(money) = c.money(x, &format!("{key}.{k}")) {
                    out.insert(k.clone(), money);
                }
            }
            out
        };
        let nivapris = money_map(&mut c, &m.nivapris, "nivapris");
        let grundpris_per_plats = money_map(&mut c, &m.grundpris_per_plats, "grundpris_per_plats");
        let individuellt_dygnspris = money_map(&mut c, &m.individuellt_dygnspris, "individuellt_dygnspris");
        if let Some(g) = &m.grundpris_per_plats {
            for k in g.get_ref().keys() {
                // The code as written in the provider register, no aliases.
                if !crate::model::Bemanning::ALL.iter().any(|b| b.code() == k) {
                    c.at(
                        g.span(),
                        &format!("grundpris_per_plats.{k}"),
                        format!("okänd bemanningstyp \"{k}\"; tillåtna är dagtackning och vaknatt"),
                    );
                }
            }
        }
        if let Some(missing) = first_missing_level(nivapris.keys()) {
            let at = m.nivapris.as_ref().map_or(span.clone(), |d| d.span());
            c.at(at, "nivapris", level_gap(missing));
        }
        let bonus_sankt_behov = m
            .bonus_sankt_behov
            .as_ref()
            .and_then(|v| c.money(v, "bonus_sankt_behov"));
        let styckpris = m.styckpris.as_ref().and_then(|v| c.money(v, "styckpris"));
        let poangpris = m.poangpris.as_ref().and_then(|v| c.money(v, "poangpris"));
        let kostnad_per_timme = m
            .kostnad_per_timme
            .as_ref()
            .and_then(|v| c.money(v, "kostnad_per_timme"));
        let kommunens_timmar_per_vecka =
            m.kommunens_timmar_per_vecka
                .as_ref()
                .and_then(|v| match crate::num::Qty::parse_sv(&v.get_ref().text()) {
                    Ok(q) if (0..=16_800).contains(&q.hundredths()) => Some(q),
                    _ => {
                        c.at(
                            v.span(),
                            "kommunens_timmar_per_vecka",
                            format!("värdet \"{}\": förväntade timmar per vecka 0–168", v.get_ref().text()),
                        );
                        None
                    }
                });
        let (a_conto_belaggning, a_conto_dygnspris) = match &m.a_conto {
            Some(a) => {
                // Within 0–100 % like every percentage (`percent`).
                let share = c.percent(&a.get_ref().belaggning_procent, "a_conto.belaggning_procent");
                let rate = a
                    .get_ref()
                    .dygnspris
                    .as_ref()
                    .and_then(|v| c.money(v, "a_conto.dygnspris"));
                if a.get_ref().dygnspris.is_none() && !dygnspris.contains_key("standard") {
                    c.at(
                        a.span(),
                        "a_conto.dygnspris",
                        "a conto kräver ett dygnspris när modellen saknar dygnspris.standard",
                    );
                }
                (share, rate)
            }
            None => (None, None),
        };
        for (t, present, key) in [
            (ModelType::Manadsniva, m.nivapris.is_some(), "nivapris"),
            (ModelType::Styckpris, m.styckpris.is_some(), "styckpris"),
            (ModelType::Assistans, m.kostnad_per_timme.is_some(), "kostnad_per_timme"),
        ] {
            if typ == Some(t) && !present {
                c.at(
                    m.typ.span(),
                    key,
                    format!("nyckeln \"{key}\" saknas (krävs för {})", t.code()),
                );
            }
        }
        let vakansdagar = match &m.vakansdagar {
            Some(v) if !(0..=365).contains(v.get_ref()) => {
                c.at(v.span(), "vakansdagar", "ett antal dagar 0–365");
                0
            }
            Some(v) => *v.get_ref() as u32,
            None => 0,
        };
        let (smaenhet_under_platser, smaenhet_tillagg) = match &m.smaenhet {
            Some(s) => (
                Some(s.get_ref().under_platser.max(0) as u32),
                c.percent(&s.get_ref().tillagg_procent, "smaenhet.tillagg_procent"),
            ),
            None => (None, None),
        };
        let momskompensation = m
            .momskompensation_procent
            .as_ref()
            .and_then(|v| c.percent(v, "momskompensation_procent"));
        let (landsbygd, landsbygd_utforare) = match &m.landsbygd {
            Some(l) => (
                c.percent(&l.get_ref().procent, "landsbygd.procent"),
                l.get_ref().utforare.clone(),
            ),
            None => (None, Vec::new()),
        };
        if let (Some(from), Some(_)) = (from, typ) {
            let record = ModelRecord {
                namn: m.namn.clone(),
                typ: m.typ.get_ref().clone(),
                insatser: m.insatser.get_ref().clone(),
                giltig_fran: from,
                giltig_till: to,
                beslut: m.beslut.clone(),
                tidsklasser,
                timpris,
                dygnspris,
                vakansdagar,
                smaenhet_under_platser,
                smaenhet_tillagg,
                momskompensation,
                landsbygd,
                landsbygd_utforare,
                boendestod,
                narvaropris,
                habiliteringsersattning,
                manadsbelopp,
                timpris_beviljad,
                kontrollniva,
                nivaer,
                arsbelopp,
                basar,
                index,
                nivapris,
                bonus_sankt_behov,
                styckpris,
                a_conto_belaggning,
                a_conto_dygnspris,
                grundpris_per_plats,
                poangpris,
                individuellt_dygnspris,
                kostnad_per_timme,
                kommunens_timmar_per_vecka,
                budget_ansvar: m.budget_ansvar.clone().unwrap_or_default(),
                budget_konton: m.budget_konton.clone().unwrap_or_default(),
            };
            // Problems the checks above found already leave a key out of the
            // record; only report what is left once the file is otherwise clean.
            let clean = c.problems.len() == problems_before;
            match ModelVersion::from_record(record) {
                Ok(v) => out.push((m.giltig_fran.span(), m.insatser.span(), v)),
                Err(problems) if clean => {
                    for (key, fel) in problems {
                        c.at(m.typ.span(), key, fel);
                    }
                }
                Err(_) => {}
            }
        }
    }
    // Versions of one model must not overlap.
    for (i, (span, insatser, a)) in out.iter().enumerate() {
        for (_, _, b) in &out[..i] {
            if a.namn == b.namn && overlaps((a.giltig_fran, a.giltig_till), (b.giltig_fran, b.giltig_till)) {
                c.at(
                    span.clone(),
                    "giltig_fran",
                    format!(
                        "modellen \"{}\" har redan en version giltig {} (överlappande giltighet)",
                        a.namn, b.giltig_fran
                    ),
                );
            }
            if let Some(insats) = conflicting_coverage(a, b) {
                c.at(
                    insatser.clone(),
                    "insatser",
                    format!(
                        "insatsen {insats} ersätts redan av modellen \"{}\" ({}) samma dagar; en insats kan bara ha en modell åt gången",
                        b.namn,
                        b.model_type().code()
                    ),
                );
            }
        }
    }
    if c.problems.is_empty() {
        Ok(out.into_iter().map(|(_, _, v)| v).collect())
    } else {
        c.problems.sort_by_key(|p| p.rad);
        Err(c.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2025-01-01
beslut = "VON 2024-11-20 § 112"
momskompensation_procent = 6

[modell.timpris.HT_OMV]
dag = "412,00"
kvall = 455
natt = 520.5
helg = "498,00"

[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2025-04-01

[modell.timpris.HT_OMV]
dag = "420,00"
kvall = "465,00"
natt = "530,00"
helg = "508,00"
"#;

    #[test]
    fn reads_versions_with_exact_amounts() {
        let v = parse(GOOD).unwrap();
        assert_eq!(v.len(), 2);
        let ModelKind::HemtjanstUtfordTid { timpris, .. } = &v[0].typ else {
            panic!("{:?}", v[0].typ)
        };
        assert_eq!(timpris["HT_OMV"].natt, Money::from_ore(52_050));
        assert_eq!(timpris["HT_OMV"].kvall, Money::from_kr(455));
        assert_eq!(v[0].tillagg.momskompensation, Some(Share(60_000)));
        assert_eq!(v[1].id(), "Hemtjänst@2025-04-01");
    }

    #[test]
    fn bad_files_name_line_and_key() {
        // (edit of the good file, line, key, text in the message, reason)
        let cases = [
            (
                GOOD.replace("beslut = ", "beslutt = "),
                7,
                "beslutt",
                "okänd nyckel",
                "unknown key",
            ),
            (
                GOOD.replace("dag = \"412,00\"", "dag = \"-412,00\""),
                11,
                "timpris.HT_OMV.dag",
                "negativt",
                "negative rate",
            ),
            (
                GOOD.replace("giltig_fran = 2025-04-01", "giltig_fran = 2025-01-01"),
                20,
                "giltig_fran",
                "överlappande giltighet",
                "overlapping validity",
            ),
            (
                GOOD.replace(
                    "[modell.timpris.HT_OMV]\ndag = \"420,00\"",
                    "[modell.timpris.HT_SERV]\ndag = \"420,00\"",
                ),
                19,
                "timpris.HT_OMV",
                "saknas",
                "missing rate for a service",
            ),
            (
                GOOD.replace("dag = \"412,00\"", "dag = \"412,005\""),
                11,
                "timpris.HT_OMV.dag",
                "högst två decimaler",
                "three decimals",
            ),
            (
                GOOD.replace(
                    "typ = \"hemtjanst_utford_tid\"\ninsatser = [\"HT_OMV\"]\ngiltig_fran = 2025-01-01",
                    "typ = \"per_timme\"\ninsatser = [\"HT_OMV\"]\ngiltig_fran = 2025-01-01",
                ),
                4,
                "typ",
                "okänd modelltyp",
                "unknown type",
            ),
        ];
        for (text, line, key, msg, why) in cases {
            let p = parse(&text).expect_err(why);
            assert!(
                p.iter()
                    .any(|p| p.rad == line && p.nyckel == key && p.fel.contains(msg)),
                "{why}: {:?}",
                p
            );
        }
    }

    /// Contradictions between keys and the model type, and between models:
    /// each refused at check with line and key (issue 10, "Bad input").
    #[test]
    fn keys_of_another_type_and_two_models_for_one_service_are_refused() {
        let dygn = "[[modell]]\nnamn = \"SÄBO\"\ntyp = \"dygn\"\ninsatser = [\"SABO\"]\ngiltig_fran = 2025-01-01\n";
        // (file, line, key, text in the message, reason)
        let cases = [
            (
                format!("{dygn}vakansdagar = 2\ntimpris_beviljad = 400\n[modell.dygnspris]\nstandard = 1500\n"),
                7,
                "timpris_beviljad",
                "hör inte till modelltypen dygn",
                "a granted-time rate on a per-day model",
            ),
            (
                format!("{dygn}[modell.dygnspris]\nstandard = 1500\n[modell.tidsklasser]\ndag_start = \"07:00\"\nkvall_start = \"18:00\"\nnatt_start = \"22:00\"\n"),
                8,
                "tidsklasser",
                "hör inte till modelltypen dygn",
                "time classes on a per-day model",
            ),
            (
                "[[modell]]\nnamn = \"Larm\"\ntyp = \"manadsbelopp\"\ninsatser = [\"HT_LARM\"]\ngiltig_fran = 2025-01-01\nmanadsbelopp = 300\nbonus_sankt_behov = 1500\n".to_string(),
                7,
                "bonus_sankt_behov",
                "hör inte till modelltypen manadsbelopp",
                "a reassessment bonus on a flat monthly amount",
            ),
            (
                format!("{dygn}[modell.dygnspris]\nstandard = 1500\n\n[[modell]]\nnamn = \"Annan\"\ntyp = \"manadsbelopp\"\ninsatser = [\"SABO\"]\ngiltig_fran = 2025-06-01\nmanadsbelopp = 300\n"),
                12,
                "insatser",
                "ersätts redan av modellen \"SÄBO\"",
                "two models for one service on the same days",
            ),
            (
                "[[modell]]\nnamn = \"Larm\"\ntyp = \"manadsbelopp\"\ninsatser = [\"HT_LARM\"]\ngiltig_fran = 2025-01-01\n".to_string(),
                3,
                "manadsbelopp",
                "saknas",
                "a required rate missing",
            ),
        ];
        for (text, line, key, msg, why) in cases {
            let p = parse(&text).expect_err(why);
            assert!(
                p.iter()
                    .any(|p| p.rad == line && p.nyckel == key && p.fel.contains(msg)),
                "{why}: {p:?}"
            );
        }
        // A grant beside the service's model is no contradiction: it prices no volumes.
        let ok = format!("{dygn}[modell.dygnspris]\nstandard = 1500\n\n[[modell]]\nnamn = \"Anslag\"\ntyp = \"anslag\"\ninsatser = [\"SABO\"]\ngiltig_fran = 2025-01-01\n[modell.arsbelopp]\nS1 = 100000\n");
        assert_eq!(parse(&ok).unwrap().len(), 2);
    }

    #[test]
    fn level_gaps_are_refused() {
        let text = r#"
[[modell]]
namn = "LSS"
typ = "dygn"
insatser = ["LSS_GRUPP"]
giltig_fran = 2025-01-01
[modell.dygnspris]
1 = "1 800"
2 = "2 100"
4 = "2 900"
"#;
        let p = parse(text).unwrap_err();
        assert!(p[0].fel.contains("nivå 3 saknas"), "{p:?}");
        assert_eq!(p[0].nyckel, "dygnspris");
    }

    #[test]
    fn new_model_keys_are_checked() {
        let base = "[[modell]]\nnamn = \"M\"\ninsatser = [\"X\"]\ngiltig_fran = 2025-01-01\n";
        // (extra lines, key, message, reason)
        let cases = [
            (
                "typ = \"manadsniva\"\n",
                "nivapris",
                "saknas",
                "level model without prices",
            ),
            (
                "typ = \"manadsniva\"\n[modell.nivapris]\n1 = 100\n3 = 300\n",
                "nivapris",
                "nivå 2 saknas",
                "level gap",
            ),
            ("typ = \"styckpris\"\n", "styckpris", "saknas", "piece rate missing"),
            ("typ = \"assistans\"\n", "kostnad_per_timme", "saknas", "cost missing"),
            (
                "typ = \"dygn\"\npoangpris = 95\n[modell.grundpris_per_plats]\nsovande = 300\n",
                "grundpris_per_plats.sovande",
                "okänd bemanningstyp",
                "unknown staffing type",
            ),
            (
                "typ = \"dygn\"\n[modell.dygnspris]\n1 = 900\n[modell.a_conto]\nbelaggning_procent = 95\n",
                "a_conto.dygnspris",
                "kräver ett dygnspris",
                "a conto without a rate",
            ),
            (
                "typ = \"dygn\"\n[modell.dygnspris]\nstandard = 900\n[modell.a_conto]\nbelaggning_procent = 120\n",
                "a_conto.belaggning_procent",
                "mellan 0 och 100",
                "occupancy over 100 %",
            ),
            (
                "typ = \"dygn\"\npoangpris = 95\nmomskompensation_procent = 100.01\n",
                "momskompensation_procent",
                "mellan 0 och 100",
                "a supplement over 100 %",
            ),
            (
                "typ = \"dygn\"\npoangpris = 95\nmomskompensation_procent = -1\n",
                "momskompensation_procent",
                "mellan 0 och 100",
                "a negative supplement",
            ),
            (
                "typ = \"dygn\"\npoangpris = \"-5\"\n",
                "poangpris",
                "negativt",
                "negative point rate",
            ),
            (
                "typ = \"assistans\"\nkostnad_per_timme = 360\nkommunens_timmar_per_vecka = 200\n",
                "kommunens_timmar_per_vecka",
                "0–168",
                "more hours than a week has",
            ),
        ];
        for (extra, key, msg, why) in cases {
            let text = format!("{base}{extra}");
            let p = parse(&text).expect_err(why);
            assert!(
                p.iter().any(|p| p.nyckel == key && p.fel.contains(msg) && p.rad >= 2),
                "{why}: {p:?}"
            );
        }
        let ok = format!("{base}typ = \"dygn\"\npoangpris = \"95,50\"\n[modell.grundpris_per_plats]\nvaknatt = 610\n");
        let v = parse(&ok).unwrap();
        let d = v[0].dygn().unwrap();
        assert_eq!(d.poangpris, Some(Money::from_ore(9_550)));
        assert_eq!(
            d.grundpris_per_plats[&crate::rules::models::Bemanning::Vaknatt],
            Money::from_kr(610)
        );
    }

    /// One model "M" of type `typ` for the service X, valid from 2025-01-01
    /// (`typ` on line 3); `extra` starts on line 6.
    fn one_model(typ: &str, extra: &str) -> String {
        format!("[[modell]]\nnamn = \"M\"\ntyp = \"{typ}\"\ninsatser = [\"X\"]\ngiltig_fran = 2025-01-01\n{extra}")
    }

    /// The versions of an accepted file, or every problem as the user reads
    /// it (`model check`, the web's model upload).
    fn check(text: &str) -> Result<Vec<ModelVersion>, Vec<String>> {
        parse(text).map_err(|p| p.iter().map(ModelProblem::render).collect())
    }

    /// The model types are shown to people by their Swedish names (model list,
    /// model page, scenario), never by the file's code, and a scenario counts
    /// the volume in the type's own unit (docs/webb.md, "Modeller": "utförda
    /// timmar för hemtjänst, belagda dygn för boenden"); the first unit is the
    /// one on the settlement's rule lines (`settle::acc`).
    #[test]
    fn model_types_have_swedish_names_and_volume_units() {
        // (type, code in the file, name, (unit on the rule lines, unit for people))
        let cases = [
            (
                ModelType::HemtjanstUtfordTid,
                "hemtjanst_utford_tid",
                "Hemtjänst, ersättning per utförd timme",
                ("timmar", "utförda timmar"),
            ),
            (
                ModelType::HemtjanstBeviljadTid,
                "hemtjanst_beviljad_tid",
                "Hemtjänst, ersättning per beviljad timme",
                ("timmar", "timmar"),
            ),
            (
                ModelType::HemtjanstNiva,
                "hemtjanst_niva",
                "Hemtjänst, ersättning per nivå",
                ("månader", "brukarmånader"),
            ),
            (
                ModelType::Manadsniva,
                "manadsniva",
                "Månadsbelopp per nivå",
                ("månader", "brukarmånader"),
            ),
            (
                ModelType::Manadsbelopp,
                "manadsbelopp",
                "Månadsbelopp per brukare",
                ("månader", "brukarmånader"),
            ),
            (
                ModelType::Styckpris,
                "styckpris",
                "Styckpris per leverans",
                ("st", "leveranser"),
            ),
            (
                ModelType::Dygn,
                "dygn",
                "Ersättning per belagt dygn",
                ("dygn", "belagda dygn"),
            ),
            (
                ModelType::BoendestodTid,
                "boendestod_tid",
                "Boendestöd, tidsbaserad budget",
                ("timmar", "beviljade timmar"),
            ),
            (
                ModelType::Narvaro,
                "narvaro",
                "Ersättning per närvarodag",
                ("dagar", "närvarodagar"),
            ),
            (
                ModelType::Assistans,
                "assistans",
                "Personlig assistans",
                ("timmar", "timmar"),
            ),
            (
                ModelType::Placering,
                "placering",
                "Placeringar, kostnad per dygn",
                ("dygn", "belagda dygn"),
            ),
            (
                ModelType::Anslag,
                "anslag",
                "Anslag per utförare",
                ("månader", "månader"),
            ),
        ];
        assert_eq!(cases.len(), ModelType::ALL.len(), "every type is in the table");
        for (t, code, label, unit) in cases {
            assert_eq!(ModelType::parse(code), Some(t), "{code}");
            assert_eq!(t.label(), label, "{code}");
            assert_eq!(t.volume_unit(), unit, "{code}");
        }
    }

    /// A refused model file tells the user the line, the key and what was
    /// expected, in Swedish and in full (docs/modeller/README.md, "Fel"), and
    /// each problem once: a key the checks already refused is not reported a
    /// second time by the model's own check (`ModelVersion::from_record`),
    /// and a problem only that check finds is still reported.
    #[test]
    fn refused_files_give_the_whole_message_once() {
        let rates = |dag: &str| format!("[modell.timpris.X]\ndag = {dag}\nkvall = 455\nnatt = 520\nhelg = 498\n");
        // (file, every problem as rendered, reason)
        let cases = [
            (
                one_model("hemtjanst_utford_tid", &rates("\"-0,01\"")),
                vec!["rad 7, nyckel \"timpris.X.dag\": värdet -0,01 är negativt; förväntade ett belopp ≥ 0"],
                "a negative rate, and no \"timpris saknas\" for the service besides",
            ),
            (
                one_model("hemtjanst_utford_tid", &rates("\"412,005\"")),
                vec!["rad 7, nyckel \"timpris.X.dag\": värdet \"412,005\": förväntade högst två decimaler"],
                "an amount with three decimals",
            ),
            (
                one_model("hemtjanst_utford_tid", ""),
                vec!["rad 4, nyckel \"timpris.X\": timpris för insatsen X saknas"],
                "a service without rates",
            ),
            (
                one_model(
                    "hemtjanst_beviljad_tid",
                    "timpris_beviljad = 400\nkontrollniva_procent = \"90,12345\"\n",
                ),
                vec!["rad 7, nyckel \"kontrollniva_procent\": värdet \"90,12345\": förväntade högst fyra decimaler"],
                "a percentage with five decimals",
            ),
            (
                one_model(
                    "hemtjanst_beviljad_tid",
                    "timpris_beviljad = 400\nkontrollniva_procent = \"nittio\"\n",
                ),
                vec!["rad 7, nyckel \"kontrollniva_procent\": värdet \"nittio\": förväntade ett tal, t.ex. 1 234,50"],
                "a percentage that is no number",
            ),
            (
                one_model("dygn", ""),
                vec![
                    "rad 3, nyckel \"dygnspris\": minst ett dygnspris (t.ex. standard = \"1 593,00\") eller ett poangpris",
                ],
                "a per-day model without any rate",
            ),
            (
                one_model("manadsbelopp", "giltig_till = 2024-12-31\nmanadsbelopp = 300\n"),
                vec!["rad 6, nyckel \"giltig_till\": slutdatum 2024-12-31 är före giltig_fran 2025-01-01"],
                "a version ending the day before it starts",
            ),
            (
                one_model(
                    "boendestod_tid",
                    "utforandegrad = 0\nbrukartidsandel = \"0,5\"\nkostnad_per_arbetad_timme = 500\n",
                ),
                vec![
                    "rad 6, nyckel \"utforandegrad\": värdet \"0\": förväntade en andel större än 0 och högst 1, t.ex. 0,5",
                ],
                "an execution rate of 0, and no \"krävs\" from the model's own check besides",
            ),
            (
                one_model("manadsbelopp", ""),
                vec!["rad 3, nyckel \"manadsbelopp\": nyckeln \"manadsbelopp\" saknas (krävs för manadsbelopp)"],
                "a required amount missing, reported once",
            ),
            (
                one_model("manadsniva", "[modell.nivapris]\n"),
                vec!["rad 3, nyckel \"nivapris\": minst ett nivåpris"],
                "an empty price list, found only by the model's own check",
            ),
            (
                one_model("anslag", "[modell.arsbelopp]\n"),
                vec!["rad 3, nyckel \"arsbelopp\": minst ett årsbelopp (utförare = belopp)"],
                "an empty grant list, found only by the model's own check",
            ),
        ];
        for (text, expected, why) in cases {
            match check(&text) {
                Ok(v) => panic!("{why}: accepted {v:?}"),
                Err(p) => assert_eq!(p, expected, "{why}"),
            }
        }
    }

    /// Amounts are at least 0 kr and percentages 0–100 (docs/modeller/README.md,
    /// "Belopp … Procent …, 0–100"; docs/format/README.md, "Gränser"): the
    /// limits themselves are accepted, the smallest step beyond them refused.
    #[test]
    fn amounts_and_percentages_on_and_just_outside_their_limits() {
        // (monthly amount as written, the amount in öre or the message)
        let amounts = [
            ("0", Ok(0)),
            ("\"0,01\"", Ok(1)),
            (
                "\"-0,01\"",
                Err("rad 6, nyckel \"manadsbelopp\": värdet -0,01 är negativt; förväntade ett belopp ≥ 0"),
            ),
        ];
        for (written, expected) in amounts {
            let got = check(&one_model("manadsbelopp", &format!("manadsbelopp = {written}\n"))).map(|v| {
                let ModelKind::Manadsbelopp { belopp } = &v[0].typ else {
                    panic!("{:?}", v[0].typ)
                };
                belopp.ore()
            });
            assert_eq!(
                got,
                expected.map_err(|e| vec![e.to_string()]),
                "manadsbelopp = {written}"
            );
        }
        // (control level as written, the share in millionths or the message)
        let percentages = [
            ("0", Ok(0)),
            ("\"0,0001\"", Ok(1)),
            ("100", Ok(1_000_000)),
            ("\"99,9999\"", Ok(999_999)),
            (
                "\"-0,0001\"",
                Err(
                    "rad 7, nyckel \"kontrollniva_procent\": värdet -0,0001: förväntade en procentsats mellan 0 och 100",
                ),
            ),
            (
                "\"100,0001\"",
                Err(
                    "rad 7, nyckel \"kontrollniva_procent\": värdet 100,0001: förväntade en procentsats mellan 0 och 100",
                ),
            ),
        ];
        for (written, expected) in percentages {
            let text = one_model(
                "hemtjanst_beviljad_tid",
                &format!("timpris_beviljad = 400\nkontrollniva_procent = {written}\n"),
            );
            let got = check(&text).map(|v| {
                let ModelKind::HemtjanstBeviljadTid { kontrollniva, .. } = &v[0].typ else {
                    panic!("{:?}", v[0].typ)
                };
                kontrollniva.expect("given").millionths()
            });
            assert_eq!(
                got,
                expected.map_err(|e| vec![e.to_string()]),
                "kontrollniva_procent = {written}"
            );
        }
    }

    /// Time-class boundaries are clock times TT:MM, 00:00–23:59, with
    /// dag_start < kvall_start < natt_start (docs/modeller/README.md,
    /// `hemtjanst_utford_tid`); a visit is split by the minute at them.
    #[test]
    fn time_class_clocks_on_and_just_outside_their_limits() {
        const REFUSED: &str =
            "rad 11, nyckel \"tidsklasser\": klockslag TT:MM med dag_start < kvall_start < natt_start";
        // (dag_start, kvall_start, natt_start, the boundaries in minutes after midnight or refused)
        let cases = [
            ("07:00", "18:00", "22:00", Some([420, 1080, 1320])),
            // 0 and 23 hours, 0 and 59 minutes: the first and last minute of the day.
            ("00:00", "12:59", "23:59", Some([0, 779, 1439])),
            ("06:30", "18:45", "22:15", Some([390, 1125, 1335])),
            // 24 hours and 60 minutes are no clock times.
            ("07:00", "18:00", "24:00", None),
            ("07:00", "18:60", "22:00", None),
            ("07:60", "18:00", "22:00", None),
            // The order: equal boundaries, and each pair out of order alone.
            ("07:00", "07:00", "22:00", None),
            ("07:00", "22:00", "22:00", None),
            ("18:00", "07:00", "22:00", None),
            ("07:00", "22:00", "18:00", None),
        ];
        for (dag, kvall, natt, expected) in cases {
            let text = one_model(
                "hemtjanst_utford_tid",
                &format!(
                    "[modell.timpris.X]\ndag = 412\nkvall = 455\nnatt = 520\nhelg = 498\n[modell.tidsklasser]\ndag_start = \"{dag}\"\nkvall_start = \"{kvall}\"\nnatt_start = \"{natt}\"\n"
                ),
            );
            let got = check(&text).map(|v| {
                let ModelKind::HemtjanstUtfordTid { tidsklasser: b, .. } = &v[0].typ else {
                    panic!("{:?}", v[0].typ)
                };
                [b.day_start, b.evening_start, b.night_start]
            });
            let expected = expected.ok_or_else(|| vec![REFUSED.to_string()]);
            assert_eq!(got, expected, "{dag}, {kvall}, {natt}");
        }
    }

    /// A version may be valid a single day (giltig_till = giltig_fran) but
    /// not end before it starts; vacancy days are 0–365; the shares of the
    /// housing-support budget are above 0 and at most 1 (docs/modeller/README.md,
    /// `dygn` and `boendestod_tid`; docs/regler.md, "Boendestöd och socialpsykiatri").
    #[test]
    fn validity_vacancy_days_and_shares_on_their_limits() {
        // (giltig_till, accepted)
        for (till, accepted) in [("2025-01-01", true), ("2024-12-31", false), ("2025-01-02", true)] {
            let text = one_model("manadsbelopp", &format!("giltig_till = {till}\nmanadsbelopp = 300\n"));
            match parse(&text) {
                Ok(v) => {
                    assert!(accepted, "giltig_till = {till} accepted");
                    assert_eq!(v[0].giltig_till.map(|d| d.to_string()).as_deref(), Some(till));
                }
                Err(p) => assert!(!accepted, "giltig_till = {till}: {p:?}"),
            }
        }
        // (vakansdagar, the days or refused)
        for (days, expected) in [(0, Some(0)), (365, Some(365)), (366, None), (-1, None)] {
            let text = one_model(
                "dygn",
                &format!("vakansdagar = {days}\n[modell.dygnspris]\nstandard = 1500\n"),
            );
            let got = check(&text).map(|v| v[0].dygn().expect("dygn").vakansdagar);
            let expected =
                expected.ok_or_else(|| vec!["rad 6, nyckel \"vakansdagar\": ett antal dagar 0–365".to_string()]);
            assert_eq!(got, expected, "vakansdagar = {days}");
        }
        // (utforandegrad as written, the share in millionths or refused)
        let shares = [
            ("\"0,000001\"", Some(1)),
            ("\"0,5\"", Some(500_000)),
            ("1", Some(1_000_000)),
            ("0", None),
            ("\"-0,5\"", None),
            ("\"1,000001\"", None),
        ];
        for (written, expected) in shares {
            let text = one_model(
                "boendestod_tid",
                &format!("utforandegrad = {written}\nbrukartidsandel = \"0,5\"\nkostnad_per_arbetad_timme = 500\n"),
            );
            let got = check(&text).map(|v| {
                let ModelKind::BoendestodTid(b) = &v[0].typ else {
                    panic!("{:?}", v[0].typ)
                };
                b.execution_rate.millionths()
            });
            let expected = expected.ok_or_else(|| {
                vec![format!(
                    "rad 6, nyckel \"utforandegrad\": värdet \"{}\": förväntade en andel större än 0 och högst 1, t.ex. 0,5",
                    written.trim_matches('"')
                )]
            });
            assert_eq!(got, expected, "utforandegrad = {written}");
        }
    }
}
