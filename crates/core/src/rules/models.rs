//! Typed compensation models: a version is a common header (name, services,
//! validity, decision reference, percentage supplements) plus one variant
//! per model type holding exactly its own rates and parameters.
//!
//! Model files are parsed once (`modelfile::parse`) into these values; the
//! stored form in the database is the flat [`ModelRecord`] (unchanged since
//! the first model migration), converted on the way in and out, so that
//! databases written by earlier versions read the same.
//!
//! Adding a model type: see the checklist in ARCHITECTURE.md. The
//! exhaustive matches in [`ModelKind::model_type`], [`ModelVersion::try_from`]
//! and the settlement's `dispatch` show everything a new type must touch.

use crate::num::{Money, Qty};
use crate::rules::boendestod;
use crate::rules::modelfile::{ClassRates, DayRates, Level, ModelRecord, ModelType};
use crate::rules::timeclass::Boundaries;
use crate::rules::Share;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::model::Bemanning;

impl Bemanning {
    /// Reads the code in a model file or the provider register (as import
    /// does: code, label or alias).
    pub fn parse(s: &str) -> Option<Bemanning> {
        Bemanning::parse_sv(s)
    }
}

/// Percentage lines on a service's subtotal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Supplements {
    /// VAT compensation for external providers (upphandlad, LOV).
    pub momskompensation: Option<Share>,
    /// The rural supplement and the providers it applies to.
    pub landsbygd: Option<(Share, Vec<String>)>,
    /// Units with fewer places than `.0` get `.1` on top (`dygn`).
    pub smaenhet: Option<(u32, Share)>,
}

/// Per-day model (`dygn`): residential care, short-term care, LSS housing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dygn {
    /// Level → rate per occupied day (`standard` when no level applies).
    pub dygnspris: BTreeMap<String, Money>,
    pub vakansdagar: u32,
    /// Basic amount per place and day by the unit's staffing type (LSS).
    pub grundpris_per_plats: BTreeMap<Bemanning, Money>,
    /// Rate per needs point and occupied day (LSS points system).
    pub poangpris: Option<Money>,
    /// Decision id → individual rate per occupied day.
    pub individuellt_dygnspris: BTreeMap<String, Money>,
    /// A-conto advance: occupancy share and rate per day.
    pub a_conto: Option<(Share, Money)>,
}

/// What a model type holds beyond the common header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelKind {
    /// Home care per performed hour by service and time class.
    HemtjanstUtfordTid {
        tidsklasser: Boundaries,
        timpris: BTreeMap<String, ClassRates>,
        bonus: Option<Money>,
    },
    /// Home care on granted time, performed time below the control level.
    HemtjanstBeviljadTid {
        timpris: Money,
        kontrollniva: Option<Share>,
        bonus: Option<Money>,
    },
    /// Home care by level, the level set by granted hours per month.
    HemtjanstNiva {
        nivaer: Vec<Level>,
        bonus: Option<Money>,
    },
    /// A monthly amount by the level in the decision.
    Manadsniva {
        nivapris: BTreeMap<String, Money>,
        bonus: Option<Money>,
    },
    /// A flat monthly amount per brukare with a decision.
    Manadsbelopp {
        belopp: Money,
    },
    /// A price per delivered unit (one performed visit).
    Styckpris {
        pris: Money,
    },
    Dygn(Dygn),
    /// Housing-support budget model (a budget, not a monthly payment).
    BoendestodTid(boendestod::Model),
    /// Daily activities per attendance day, with the individual's
    /// habilitation allowance alongside.
    Narvaro {
        narvaropris: DayRates,
        habiliteringsersattning: Option<DayRates>,
    },
    /// IFO placements at their own cost per day, followed against a budget.
    Placering {
        budget_ansvar: Vec<String>,
        budget_konton: Vec<String>,
    },
    /// A yearly grant per provider, indexed yearly, paid in twelfths.
    Anslag {
        arsbelopp: BTreeMap<String, Money>,
        basar: Option<i32>,
        index: Option<Share>,
    },
    /// Personal assistance (a report, not a monthly payment).
    Assistans {
        kostnad_per_timme: Money,
        kommunens_timmar_per_vecka: Qty,
    },
}

impl ModelKind {
    pub fn model_type(&self) -> ModelType {
        match self {
            ModelKind::HemtjanstUtfordTid { .. } => ModelType::HemtjanstUtfordTid,
            ModelKind::HemtjanstBeviljadTid { .. } => ModelType::HemtjanstBeviljadTid,
            ModelKind::HemtjanstNiva { .. } => ModelType::HemtjanstNiva,
            ModelKind::Manadsniva { .. } => ModelType::Manadsniva,
            ModelKind::Manadsbelopp { .. } => ModelType::Manadsbelopp,
            ModelKind::Styckpris { .. } => ModelType::Styckpris,
            ModelKind::Dygn(_) => ModelType::Dygn,
            ModelKind::BoendestodTid(_) => ModelType::BoendestodTid,
            ModelKind::Narvaro { .. } => ModelType::Narvaro,
            ModelKind::Placering { .. } => ModelType::Placering,
            ModelKind::Anslag { .. } => ModelType::Anslag,
            ModelKind::Assistans { .. } => ModelType::Assistans,
        }
    }
    /// The bonus paid once when a reassessment lowers the need (home care).
    pub fn bonus(&self) -> Option<Money> {
        match self {
            ModelKind::HemtjanstUtfordTid { bonus, .. }
            | ModelKind::HemtjanstBeviljadTid { bonus, .. }
            | ModelKind::HemtjanstNiva { bonus, .. }
            | ModelKind::Manadsniva { bonus, .. } => *bonus,
            _ => None,
        }
    }
}

/// One version of a model, checked and typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ModelRecord", try_from = "ModelRecord")]
pub struct ModelVersion {
    pub namn: String,
    pub insatser: Vec<String>,
    pub giltig_fran: NaiveDate,
    pub giltig_till: Option<NaiveDate>,
    pub beslut: Option<String>,
    pub tillagg: Supplements,
    pub typ: ModelKind,
}

impl ModelVersion {
    pub fn model_type(&self) -> ModelType {
        self.typ.model_type()
    }
    /// Whether this version applies on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.giltig_fran <= day && self.giltig_till.is_none_or(|t| day <= t)
    }
    /// `namn@ÅÅÅÅ-MM-DD`, how a version is named on the command line.
    pub fn id(&self) -> String {
        format!("{}@{}", self.namn, self.giltig_fran)
    }
    pub fn covers(&self, insats: &str) -> bool {
        self.insatser.iter().any(|i| i == insats)
    }
    /// Whether the model prices a service's volumes (every type but the
    /// grant, which is paid per provider whatever the volumes).
    pub fn prices_volumes(&self) -> bool {
        !matches!(self.typ, ModelKind::Anslag { .. })
    }
    /// The per-day model's parameters, if this is one.
    pub fn dygn(&self) -> Option<&Dygn> {
        match &self.typ {
            ModelKind::Dygn(d) => Some(d),
            _ => None,
        }
    }
    /// The yearly grant of `utforare` in `year` (`anslag`): the base-year
    /// amount indexed once per year after the base year, rounded to öre
    /// each year.
    pub fn grant_for_year(&self, utforare: &str, year: i32) -> Option<Money> {
        let ModelKind::Anslag {
            arsbelopp,
            basar,
            index,
        } = &self.typ
        else {
            return None;
        };
        let mut amount = arsbelopp.get(utforare)?.ore();
        let base = basar.unwrap_or(year);
        let index = index.unwrap_or(Share(0));
        for _ in base..year {
            amount = crate::rules::mul_div(amount, Share::ONE.0 + index.0, Share::ONE.0);
        }
        Some(Money::from_ore(amount))
    }
}

/// Whether two versions' validity overlaps. A version without an end runs
/// until the next version of the same model starts, so two open versions
/// overlap only if they start on the same day.
pub fn overlaps(a: (NaiveDate, Option<NaiveDate>), b: (NaiveDate, Option<NaiveDate>)) -> bool {
    match (a.1, b.1) {
        (None, None) => a.0 == b.0,
        (Some(at), None) => b.0 <= at && b.0 >= a.0,
        (None, Some(bt)) => a.0 <= bt && a.0 >= b.0,
        (Some(at), Some(bt)) => a.0 <= bt && b.0 <= at,
    }
}

/// Whether two versions could both apply on some day: validity that
/// overlaps as dates, a version without an end running on for ever. Two
/// different models that both price one service on such a day contradict
/// each other (which one would pay?).
pub fn could_share_a_day(a: &ModelVersion, b: &ModelVersion) -> bool {
    let end = |m: &ModelVersion| m.giltig_till.unwrap_or(NaiveDate::MAX);
    a.giltig_fran <= end(b) && b.giltig_fran <= end(a)
}

/// Two versions of different models that price the same service on the
/// same days: (service, first version, second version).
pub fn conflicting_coverage<'a>(a: &'a ModelVersion, b: &'a ModelVersion) -> Option<&'a str> {
    if a.namn == b.namn || !a.prices_volumes() || !b.prices_volumes() || !could_share_a_day(a, b) {
        return None;
    }
    a.insatser.iter().find(|i| b.covers(i)).map(String::as_str)
}

/// A stored record that cannot be a typed version: (key, what is wrong).
pub type RecordProblem = (&'static str, String);

impl TryFrom<ModelRecord> for ModelVersion {
    type Error = String;
    fn try_from(r: ModelRecord) -> Result<Self, String> {
        ModelVersion::from_record(r).map_err(|p| {
            p.into_iter()
                .map(|(k, e)| format!("{k}: {e}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

impl ModelVersion {
    /// The typed version of a flat record; every parameter the type needs
    /// must be there.
    pub fn from_record(r: ModelRecord) -> Result<ModelVersion, Vec<RecordProblem>> {
        let mut problems: Vec<RecordProblem> = Vec::new();
        let Some(t) = ModelType::parse(&r.typ) else {
            return Err(vec![("typ", format!("okänd modelltyp \"{}\"", r.typ))]);
        };
        let need = |v: Option<Money>, key: &'static str, problems: &mut Vec<RecordProblem>| {
            if v.is_none() {
                problems.push((key, format!("nyckeln \"{key}\" saknas (krävs för {})", t.code())));
            }
            v.unwrap_or(Money::ZERO)
        };
        let typ = match t {
            ModelType::HemtjanstUtfordTid => {
                for i in &r.insatser {
                    if !r.timpris.contains_key(i) {
                        problems.push(("timpris", format!("timpris för insatsen {i} saknas")));
                    }
                }
                let tidsklasser = match r.tidsklasser {
                    Some([d, k, n]) => Boundaries {
                        day_start: d,
                        evening_start: k,
                        night_start: n,
                    },
                    None => Boundaries::default(),
                };
                ModelKind::HemtjanstUtfordTid {
                    tidsklasser,
                    timpris: r.timpris,
                    bonus: r.bonus_sankt_behov,
                }
            }
            ModelType::HemtjanstBeviljadTid => ModelKind::HemtjanstBeviljadTid {
                timpris: need(r.timpris_beviljad, "timpris_beviljad", &mut problems),
                kontrollniva: r.kontrollniva,
                bonus: r.bonus_sankt_behov,
            },
            ModelType::HemtjanstNiva => {
                if r.nivaer.is_empty() {
                    problems.push(("nivaer", "minst en nivå".into()));
                }
                ModelKind::HemtjanstNiva {
                    nivaer: r.nivaer,
                    bonus: r.bonus_sankt_behov,
                }
            }
            ModelType::Manadsniva => {
                if r.nivapris.is_empty() {
                    problems.push(("nivapris", "minst ett nivåpris".into()));
                }
                ModelKind::Manadsniva {
                    nivapris: r.nivapris,
                    bonus: r.bonus_sankt_behov,
                }
            }
            ModelType::Manadsbelopp => ModelKind::Manadsbelopp {
                belopp: need(r.manadsbelopp, "manadsbelopp", &mut problems),
            },
            ModelType::Styckpris => ModelKind::Styckpris {
                pris: need(r.styckpris, "styckpris", &mut problems),
            },
            ModelType::Dygn => {
                if r.dygnspris.is_empty() && r.poangpris.is_none() {
                    problems.push(("dygnspris", "minst ett dygnspris eller ett poangpris".into()));
                }
                let mut grund = BTreeMap::new();
                for (k, v) in &r.grundpris_per_plats {
                    match Bemanning::parse(k) {
                        Some(b) => {
                            grund.insert(b, *v);
                        }
                        None => problems.push(("grundpris_per_plats", format!("okänd bemanningstyp \"{k}\""))),
                    }
                }
                let a_conto = match r.a_conto_belaggning {
                    Some(share) => match r.a_conto_dygnspris.or_else(|| r.dygnspris.get("standard").copied()) {
                        Some(rate) => Some((share, rate)),
                        None => {
                            problems.push((
                                "a_conto.dygnspris",
                                "a conto kräver ett dygnspris när modellen saknar dygnspris.standard".into(),
                            ));
                            None
                        }
                    },
                    None => None,
                };
                ModelKind::Dygn(Dygn {
                    dygnspris: r.dygnspris,
                    vakansdagar: r.vakansdagar,
                    grundpris_per_plats: grund,
                    poangpris: r.poangpris,
                    individuellt_dygnspris: r.individuellt_dygnspris,
                    a_conto,
                })
            }
            ModelType::BoendestodTid => match r.boendestod {
                Some(b) => ModelKind::BoendestodTid(b),
                None => {
                    problems.push((
                        "utforandegrad",
                        "utforandegrad, brukartidsandel och kostnad_per_arbetad_timme krävs för boendestod_tid".into(),
                    ));
                    ModelKind::BoendestodTid(boendestod::Model {
                        execution_rate: Share::ONE,
                        brukartidsandel: Share::ONE,
                        cost_per_worked_hour: Money::ZERO,
                    })
                }
            },
            ModelType::Narvaro => match r.narvaropris {
                Some(narvaropris) => ModelKind::Narvaro {
                    narvaropris,
                    habiliteringsersattning: r.habiliteringsersattning,
                },
                None => {
                    problems.push(("narvaropris", "nyckeln \"narvaropris\" (hel, halv) saknas".into()));
                    ModelKind::Narvaro {
                        narvaropris: DayRates {
                            hel: Money::ZERO,
                            halv: Money::ZERO,
                        },
                        habiliteringsersattning: None,
                    }
                }
            },
            ModelType::Placering => ModelKind::Placering {
                budget_ansvar: r.budget_ansvar,
                budget_konton: r.budget_konton,
            },
            ModelType::Anslag => {
                if r.arsbelopp.is_empty() {
                    problems.push(("arsbelopp", "minst ett årsbelopp (utförare = belopp)".into()));
                }
                ModelKind::Anslag {
                    arsbelopp: r.arsbelopp,
                    basar: r.basar,
                    index: r.index,
                }
            }
            ModelType::Assistans => ModelKind::Assistans {
                kostnad_per_timme: need(r.kostnad_per_timme, "kostnad_per_timme", &mut problems),
                kommunens_timmar_per_vecka: r.kommunens_timmar_per_vecka.unwrap_or(Qty::whole(20)),
            },
        };
        let tillagg = Supplements {
            momskompensation: r.momskompensation,
            landsbygd: r.landsbygd.map(|p| (p, r.landsbygd_utforare.clone())),
            smaenhet: match (r.smaenhet_under_platser, r.smaenhet_tillagg) {
                (Some(u), Some(p)) => Some((u, p)),
                _ => None,
            },
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ModelVersion {
            namn: r.namn,
            insatser: r.insatser,
            giltig_fran: r.giltig_fran,
            giltig_till: r.giltig_till,
            beslut: r.beslut,
            tillagg,
            typ,
        })
    }
}

impl From<ModelVersion> for ModelRecord {
    fn from(m: ModelVersion) -> ModelRecord {
        let mut r = ModelRecord {
            namn: m.namn,
            typ: m.typ.model_type().code().to_string(),
            insatser: m.insatser,
            giltig_fran: m.giltig_fran,
            giltig_till: m.giltig_till,
            beslut: m.beslut,
            momskompensation: m.tillagg.momskompensation,
            ..ModelRecord::default()
        };
        if let Some((p, list)) = m.tillagg.landsbygd {
            r.landsbygd = Some(p);
            r.landsbygd_utforare = list;
        }
        if let Some((u, p)) = m.tillagg.smaenhet {
            r.smaenhet_under_platser = Some(u);
            r.smaenhet_tillagg = Some(p);
        }
        match m.typ {
            ModelKind::HemtjanstUtfordTid {
                tidsklasser,
                timpris,
                bonus,
            } => {
                if tidsklasser != Boundaries::default() {
                    r.tidsklasser = Some([
                        tidsklasser.day_start,
                        tidsklasser.evening_start,
                        tidsklasser.night_start,
                    ]);
                }
                r.timpris = timpris;
                r.bonus_sankt_behov = bonus;
            }
            ModelKind::HemtjanstBeviljadTid {
                timpris,
                kontrollniva,
                bonus,
            } => {
                r.timpris_beviljad = Some(timpris);
                r.kontrollniva = kontrollniva;
                r.bonus_sankt_behov = bonus;
            }
            ModelKind::HemtjanstNiva { nivaer, bonus } => {
                r.nivaer = nivaer;
                r.bonus_sankt_behov = bonus;
            }
            ModelKind::Manadsniva { nivapris, bonus } => {
                r.nivapris = nivapris;
                r.bonus_sankt_behov = bonus;
            }
            ModelKind::Manadsbelopp { belopp } => r.manadsbelopp = Some(belopp),
            ModelKind::Styckpris { pris } => r.styckpris = Some(pris),
            ModelKind::Dygn(d) => {
                r.dygnspris = d.dygnspris;
                r.vakansdagar = d.vakansdagar;
                r.grundpris_per_plats = d
                    .grundpris_per_plats
                    .into_iter()
                    .map(|(b, v)| (b.code().to_string(), v))
                    .collect();
                r.poangpris = d.poangpris;
                r.individuellt_dygnspris = d.individuellt_dygnspris;
                if let Some((share, rate)) = d.a_conto {
                    r.a_conto_belaggning = Some(share);
                    r.a_conto_dygnspris = Some(rate);
                }
            }
            ModelKind::BoendestodTid(b) => r.boendestod = Some(b),
            ModelKind::Narvaro {
                narvaropris,
                habiliteringsersattning,
            } => {
                r.narvaropris = Some(narvaropris);
                r.habiliteringsersattning = habiliteringsersattning;
            }
            ModelKind::Placering {
                budget_ansvar,
                budget_konton,
            } => {
                r.budget_ansvar = budget_ansvar;
                r.budget_konton = budget_konton;
            }
            ModelKind::Anslag {
                arsbelopp,
                basar,
                index,
            } => {
                r.arsbelopp = arsbelopp;
                r.basar = basar;
                r.index = index;
            }
            ModelKind::Assistans {
                kostnad_per_timme,
                kommunens_timmar_per_vecka,
            } => {
                r.kostnad_per_timme = Some(kostnad_per_timme);
                r.kommunens_timmar_per_vecka = Some(kommunens_timmar_per_vecka);
            }
        }
        r
    }
}

impl ModelVersion {
    /// Every key of the version in Swedish, one line each, as `resurs model
    /// show` and the web's model page print it.
    pub fn describe(&self) -> Vec<String> {
        let mut s = vec![
            format!("{} ({})", self.id(), self.model_type().code()),
            format!(
                "  giltig {} – {}",
                self.giltig_fran,
                self.giltig_till.map_or("tills vidare".into(), |d| d.to_string())
            ),
        ];
        if let Some(b) = &self.beslut {
            s.push(format!("  beslut: {b}"));
        }
        s.push(format!("  insatser: {}", self.insatser.join(", ")));
        let kr = |label: &str, v: Option<Money>, s: &mut Vec<String>| {
            if let Some(v) = v {
                s.push(format!("  {label}: {}", v.fmt_kr()));
            }
        };
        match &self.typ {
            ModelKind::HemtjanstUtfordTid {
                tidsklasser,
                timpris,
                bonus,
            } => {
                for (insats, r) in timpris {
                    s.push(format!(
                        "  timpris {insats}: dag {}, kväll {}, natt {}, helg {}",
                        r.dag.fmt_kr(),
                        r.kvall.fmt_kr(),
                        r.natt.fmt_kr(),
                        r.helg.fmt_kr()
                    ));
                }
                if *tidsklasser != Boundaries::default() {
                    let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
                    s.push(format!(
                        "  tidsklasser: dag från {}, kväll från {}, natt från {}",
                        hm(tidsklasser.day_start),
                        hm(tidsklasser.evening_start),
                        hm(tidsklasser.night_start)
                    ));
                }
                kr("bonus sänkt omsorgsbehov", *bonus, &mut s);
            }
            ModelKind::HemtjanstBeviljadTid {
                timpris,
                kontrollniva,
                bonus,
            } => {
                kr("timpris beviljad tid", Some(*timpris), &mut s);
                if let Some(k) = kontrollniva {
                    s.push(format!("  kontrollnivå: {}", k.fmt_percent()));
                }
                kr("bonus sänkt omsorgsbehov", *bonus, &mut s);
            }
            ModelKind::HemtjanstNiva { nivaer, bonus } => {
                for l in nivaer {
                    s.push(format!(
                        "  nivå {}: {}–{} h/månad, {}",
                        l.niva,
                        l.fran.fmt_sv(),
                        l.till.fmt_sv(),
                        l.belopp.fmt_kr()
                    ));
                }
                kr("bonus sänkt omsorgsbehov", *bonus, &mut s);
            }
            ModelKind::Manadsniva { nivapris, bonus } => {
                for (level, r) in nivapris {
                    s.push(format!("  nivåpris {level}: {} per månad", r.fmt_kr()));
                }
                kr("bonus sänkt omsorgsbehov", *bonus, &mut s);
            }
            ModelKind::Manadsbelopp { belopp } => kr("månadsbelopp", Some(*belopp), &mut s),
            ModelKind::Styckpris { pris } => kr("styckpris", Some(*pris), &mut s),
            ModelKind::Dygn(d) => {
                for (level, r) in &d.dygnspris {
                    s.push(format!("  dygnspris {level}: {}", r.fmt_kr()));
                }
                if d.vakansdagar > 0 {
                    s.push(format!("  vakansdagar: {}", d.vakansdagar));
                }
                for (b, r) in &d.grundpris_per_plats {
                    s.push(format!("  grundpris per plats ({}): {}", b.code(), r.fmt_kr()));
                }
                kr("poängpris", d.poangpris, &mut s);
                for (id, r) in &d.individuellt_dygnspris {
                    s.push(format!("  individuellt dygnspris beslut {id}: {}", r.fmt_kr()));
                }
                if let Some((b, rate)) = d.a_conto {
                    s.push(format!("  a conto: {} beläggning à {}", b.fmt_percent(), rate.fmt_kr()));
                }
            }
            ModelKind::BoendestodTid(b) => {
                s.push(format!("  utförandegrad: {}", b.execution_rate.fmt_percent()));
                s.push(format!("  brukartidsandel: {}", b.brukartidsandel.fmt_percent()));
                kr("kostnad per arbetad timme", Some(b.cost_per_worked_hour), &mut s);
            }
            ModelKind::Narvaro {
                narvaropris,
                habiliteringsersattning,
            } => {
                s.push(format!(
                    "  närvaropris: hel {}, halv {}",
                    narvaropris.hel.fmt_kr(),
                    narvaropris.halv.fmt_kr()
                ));
                if let Some(r) = habiliteringsersattning {
                    s.push(format!(
                        "  habiliteringsersättning: hel {}, halv {}",
                        r.hel.fmt_kr(),
                        r.halv.fmt_kr()
                    ));
                }
            }
            ModelKind::Placering {
                budget_ansvar,
                budget_konton,
            } => {
                if !budget_ansvar.is_empty() {
                    s.push(format!(
                        "  följs mot budget: ansvar {}, konton {}",
                        budget_ansvar.join(", "),
                        if budget_konton.is_empty() {
                            "alla".to_string()
                        } else {
                            budget_konton.join(", ")
                        }
                    ));
                }
            }
            ModelKind::Anslag {
                arsbelopp,
                basar,
                index,
            } => {
                for (u, r) in arsbelopp {
                    s.push(format!("  årsbelopp {u}: {}", r.fmt_kr()));
                }
                if let Some(i) = index {
                    s.push(format!(
                        "  index: {} per år från {}",
                        i.fmt_percent(),
                        basar.unwrap_or_default()
                    ));
                }
            }
            ModelKind::Assistans {
                kostnad_per_timme,
                kommunens_timmar_per_vecka,
            } => {
                kr("kostnad per timme", Some(*kostnad_per_timme), &mut s);
                s.push(format!(
                    "  kommunens timmar per vecka: {}",
                    kommunens_timmar_per_vecka.fmt_sv()
                ));
            }
        }
        let t = &self.tillagg;
        if let Some((u, p)) = t.smaenhet {
            s.push(format!("  småenhetstillägg: {} under {u} platser", p.fmt_percent()));
        }
        if let Some(p) = t.momskompensation {
            s.push(format!("  momskompensation externa utförare: {}", p.fmt_percent()));
        }
        if let Some((p, list)) = &t.landsbygd {
            s.push(format!(
                "  landsbygdstillägg {} för {}",
                p.fmt_percent(),
                list.join(", ")
            ));
        }
        s
    }
}

/// The value of one model parameter, typed so that every front end shows
/// it the same way and an export keeps it a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ParamValue {
    Kr(Money),
    Procent(Share),
    /// A whole count with its unit (`dagar`, `platser`).
    Antal(i64, &'static str),
    /// Hours (hundredths) with their unit (`timmar per månad`).
    Timmar(Qty, &'static str),
    /// A time of day in minutes after midnight.
    Klockslag(u32),
    Text(String),
}

impl ParamValue {
    /// The value in Swedish with its unit (`466,00 kr`, `6 %`, `2 dagar`).
    pub fn fmt_sv(&self) -> String {
        match self {
            ParamValue::Kr(m) => m.fmt_kr(),
            ParamValue::Procent(p) => p.fmt_percent(),
            ParamValue::Antal(n, u) => format!("{n} {u}"),
            ParamValue::Timmar(q, u) => format!("{} {u}", q.fmt_sv()),
            ParamValue::Klockslag(m) => format!("{:02}:{:02}", m / 60, m % 60),
            ParamValue::Text(t) => t.clone(),
        }
    }
    /// The number in hundredths of its unit (öre, hundredths of a percent,
    /// hundredths of a day or hour) for a table column, and the unit; text
    /// and times of day have no number.
    pub fn hundredths(&self) -> Option<(i64, &'static str)> {
        match self {
            ParamValue::Kr(m) => Some((m.ore(), "kr")),
            ParamValue::Procent(p) => Some((p.hundredths_of_percent(), "%")),
            ParamValue::Antal(n, u) => Some((n.saturating_mul(100), u)),
            ParamValue::Timmar(q, u) => Some((q.hundredths(), u)),
            ParamValue::Klockslag(_) | ParamValue::Text(_) => None,
        }
    }
}

/// One parameter of a version: its name in Swedish (unique within the
/// version, so that two versions can be compared by name) and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    pub namn: String,
    pub varde: ParamValue,
}

/// A parameter that differs between two versions (`None`: the version
/// lacks it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub namn: String,
    pub fore: Option<ParamValue>,
    pub efter: Option<ParamValue>,
}

impl ModelVersion {
    /// Every parameter of the version in Swedish, in the order a person
    /// reads them: rates by service and time class, levels, days, shares as
    /// percentages, then the supplements. Validity, decision and services
    /// are the header, not parameters (see [`diff`] for those).
    pub fn parameters(&self) -> Vec<Param> {
        let mut out: Vec<Param> = Vec::new();
        let mut p = |namn: String, varde: ParamValue| out.push(Param { namn, varde });
        let bonus = |p: &mut dyn FnMut(String, ParamValue), b: &Option<Money>| {
            if let Some(b) = b {
                p("Bonus vid sänkt omsorgsbehov".into(), ParamValue::Kr(*b));
            }
        };
        match &self.typ {
            ModelKind::HemtjanstUtfordTid {
                tidsklasser,
                timpris,
                bonus: b,
            } => {
                for (insats, r) in timpris {
                    for (class, v) in [("dag", r.dag), ("kväll", r.kvall), ("natt", r.natt), ("helg", r.helg)] {
                        p(format!("Timpris {insats}, {class}"), ParamValue::Kr(v));
                    }
                }
                p("Dagtid börjar".into(), ParamValue::Klockslag(tidsklasser.day_start));
                p(
                    "Kvällstid börjar".into(),
                    ParamValue::Klockslag(tidsklasser.evening_start),
                );
                p("Nattid börjar".into(), ParamValue::Klockslag(tidsklasser.night_start));
                bonus(&mut p, b);
            }
            ModelKind::HemtjanstBeviljadTid {
                timpris,
                kontrollniva,
                bonus: b,
            } => {
                p("Timpris per beviljad timme".into(), ParamValue::Kr(*timpris));
                if let Some(k) = kontrollniva {
                    p("Kontrollnivå (lägsta utförandegrad)".into(), ParamValue::Procent(*k));
                }
                bonus(&mut p, b);
            }
            ModelKind::HemtjanstNiva { nivaer, bonus: b } => {
                for l in nivaer {
                    p(
                        format!("Nivå {}, från", l.niva),
                        ParamValue::Timmar(l.fran, "timmar per månad"),
                    );
                    p(
                        format!("Nivå {}, till", l.niva),
                        ParamValue::Timmar(l.till, "timmar per månad"),
                    );
                    p(format!("Nivå {}, belopp per månad", l.niva), ParamValue::Kr(l.belopp));
                }
                bonus(&mut p, b);
            }
            ModelKind::Manadsniva { nivapris, bonus: b } => {
                for (level, r) in nivapris {
                    p(format!("Nivå {level}, belopp per månad"), ParamValue::Kr(*r));
                }
                bonus(&mut p, b);
            }
            ModelKind::Manadsbelopp { belopp } => p("Belopp per brukare och månad".into(), ParamValue::Kr(*belopp)),
            ModelKind::Styckpris { pris } => p("Pris per leverans".into(), ParamValue::Kr(*pris)),
            ModelKind::Dygn(d) => {
                for (level, r) in &d.dygnspris {
                    let namn = if level == "standard" {
                        "Dygnspris".to_string()
                    } else {
                        format!("Dygnspris nivå {level}")
                    };
                    p(namn, ParamValue::Kr(*r));
                }
                p(
                    "Vakansdagar".into(),
                    ParamValue::Antal(i64::from(d.vakansdagar), "dagar"),
                );
                for (b, r) in &d.grundpris_per_plats {
                    p(
                        format!("Grundpris per plats och dygn, {}", b.label()),
                        ParamValue::Kr(*r),
                    );
                }
                if let Some(r) = d.poangpris {
                    p("Pris per behovspoäng och dygn".into(), ParamValue::Kr(r));
                }
                for (id, r) in &d.individuellt_dygnspris {
                    p(format!("Individuellt dygnspris, beslut {id}"), ParamValue::Kr(*r));
                }
                if let Some((b, rate)) = d.a_conto {
                    p("A conto: beläggning".into(), ParamValue::Procent(b));
                    p("A conto: dygnspris".into(), ParamValue::Kr(rate));
                }
            }
            ModelKind::BoendestodTid(b) => {
                p("Utförandegrad".into(), ParamValue::Procent(b.execution_rate));
                p("Brukartidsandel".into(), ParamValue::Procent(b.brukartidsandel));
                p(
                    "Kostnad per arbetad timme".into(),
                    ParamValue::Kr(b.cost_per_worked_hour),
                );
            }
            ModelKind::Narvaro {
                narvaropris,
                habiliteringsersattning,
            } => {
                p("Närvaropris, heldag".into(), ParamValue::Kr(narvaropris.hel));
                p("Närvaropris, halvdag".into(), ParamValue::Kr(narvaropris.halv));
                if let Some(r) = habiliteringsersattning {
                    p("Habiliteringsersättning, heldag".into(), ParamValue::Kr(r.hel));
                    p("Habiliteringsersättning, halvdag".into(), ParamValue::Kr(r.halv));
                }
            }
            ModelKind::Placering {
                budget_ansvar,
                budget_konton,
            } => {
                if !budget_ansvar.is_empty() {
                    p(
                        "Följs mot budget för ansvar".into(),
                        ParamValue::Text(budget_ansvar.join(", ")),
                    );
                    let konton = if budget_konton.is_empty() {
                        "alla".to_string()
                    } else {
                        budget_konton.join(", ")
                    };
                    p("Följs mot budget för konton".into(), ParamValue::Text(konton));
                }
            }
            ModelKind::Anslag {
                arsbelopp,
                basar,
                index,
            } => {
                for (u, r) in arsbelopp {
                    p(format!("Årsbelopp utförare {u}"), ParamValue::Kr(*r));
                }
                if let Some(i) = index {
                    p("Uppräkning per år".into(), ParamValue::Procent(*i));
                }
                if let Some(y) = basar {
                    p("Basår".into(), ParamValue::Text(y.to_string()));
                }
            }
            ModelKind::Assistans {
                kostnad_per_timme,
                kommunens_timmar_per_vecka,
            } => {
                p("Kostnad per timme".into(), ParamValue::Kr(*kostnad_per_timme));
                p(
                    "Kommunens timmar per vecka".into(),
                    ParamValue::Timmar(*kommunens_timmar_per_vecka, "timmar per vecka"),
                );
            }
        }
        let t = &self.tillagg;
        if let Some((u, share)) = t.smaenhet {
            p("Småenhetstillägg".into(), ParamValue::Procent(share));
            p(
                "Småenhetstillägg under".into(),
                ParamValue::Antal(i64::from(u), "platser"),
            );
        }
        if let Some(share) = t.momskompensation {
            p("Momskompensation, externa utförare".into(), ParamValue::Procent(share));
        }
        if let Some((share, list)) = &t.landsbygd {
            p("Landsbygdstillägg".into(), ParamValue::Procent(*share));
            p(
                "Landsbygdstillägg för utförare".into(),
                ParamValue::Text(list.join(", ")),
            );
        }
        out
    }
}

/// What differs between two versions, parameter by parameter (old → new),
/// the header first (model type, validity, decision, services). Equal
/// parameters are left out; a parameter only one version has is listed
/// with `None` on the other side.
pub fn diff(a: &ModelVersion, b: &ModelVersion) -> Vec<Change> {
    let head = |m: &ModelVersion| -> Vec<Param> {
        let text = |namn: &str, v: String| Param {
            namn: namn.into(),
            varde: ParamValue::Text(v),
        };
        vec![
            text("Modelltyp", m.model_type().label().into()),
            text("Giltig från", m.giltig_fran.to_string()),
            text(
                "Giltig till",
                m.giltig_till.map_or("tills vidare".into(), |d| d.to_string()),
            ),
            text("Beslut", m.beslut.clone().unwrap_or_else(|| "–".into())),
            text("Insatser", m.insatser.join(", ")),
        ]
    };
    let (mut pa, mut pb) = (head(a), head(b));
    pa.extend(a.parameters());
    pb.extend(b.parameters());
    let mut out = Vec::new();
    for x in &pa {
        match pb.iter().find(|y| y.namn == x.namn) {
            Some(y) if y.varde == x.varde => {}
            Some(y) => out.push(Change {
                namn: x.namn.clone(),
                fore: Some(x.varde.clone()),
                efter: Some(y.varde.clone()),
            }),
            None => out.push(Change {
                namn: x.namn.clone(),
                fore: Some(x.varde.clone()),
                efter: None,
            }),
        }
    }
    for y in &pb {
        if !pa.iter().any(|x| x.namn == y.namn) {
            out.push(Change {
                namn: y.namn.clone(),
                fore: None,
                efter: Some(y.varde.clone()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::modelfile::parse;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Validity of two versions of one model (an open version runs until the
    /// next starts): (a, b, overlap).
    #[test]
    fn overlapping_validity() {
        type Span = (&'static str, Option<&'static str>);
        let cases: [(Span, Span, bool); 9] = [
            (("2025-01-01", None), ("2025-01-01", None), true),
            (("2025-01-01", None), ("2025-04-01", None), false),
            (("2025-01-01", Some("2025-03-31")), ("2025-04-01", None), false),
            (("2025-01-01", Some("2025-04-01")), ("2025-04-01", None), true),
            (("2025-04-01", None), ("2025-01-01", Some("2025-04-01")), true),
            (("2025-04-01", None), ("2025-01-01", Some("2025-03-31")), false),
            (
                ("2025-01-01", Some("2025-06-30")),
                ("2025-06-30", Some("2025-12-31")),
                true,
            ),
            (
                ("2025-01-01", Some("2025-06-29")),
                ("2025-06-30", Some("2025-12-31")),
                false,
            ),
            (
                ("2025-07-01", Some("2025-12-31")),
                ("2025-01-01", Some("2025-06-30")),
                false,
            ),
        ];
        for ((af, at), (bf, bt), want) in cases {
            let got = overlaps((d(af), at.map(d)), (d(bf), bt.map(d)));
            assert_eq!(got, want, "{af}–{at:?} / {bf}–{bt:?}");
        }
    }

    const TWO: &str = r#"
[[modell]]
namn = "A"
typ = "manadsbelopp"
insatser = ["X", "Y"]
giltig_fran = 2025-01-01
giltig_till = 2025-06-30
manadsbelopp = 300

[[modell]]
namn = "B"
typ = "styckpris"
insatser = ["Z"]
giltig_fran = 2025-07-01
styckpris = 80

[[modell]]
namn = "C"
typ = "anslag"
insatser = ["X"]
giltig_fran = 2025-01-01
[modell.arsbelopp]
U1 = 1000
"#;

    /// Two different models pricing one service on a shared day contradict
    /// each other; a grant beside a model does not.
    #[test]
    fn conflicting_coverage_of_a_service() {
        let v = parse(TWO).unwrap();
        let (a, b, c) = (&v[0], &v[1], &v[2]);
        // (first, second, service in conflict)
        let mut b_on_y = b.clone();
        b_on_y.insatser = vec!["Y".into()];
        let mut b_early = b_on_y.clone();
        b_early.giltig_fran = d("2025-06-30");
        let mut a_again = a.clone();
        a_again.giltig_fran = d("2025-03-01");
        let cases: [(&ModelVersion, &ModelVersion, Option<&str>); 6] = [
            (a, b, None),             // other services
            (a, &b_on_y, None),       // same service, A ends the day before B starts
            (a, &b_early, Some("Y")), // one shared day
            (&b_early, a, Some("Y")),
            (a, c, None),        // a grant prices no volumes
            (a, &a_again, None), // versions of one model are checked as versions
        ];
        for (x, y, want) in cases {
            assert_eq!(conflicting_coverage(x, y), want, "{} / {}", x.id(), y.id());
        }
        assert!(could_share_a_day(a, &b_early));
        assert!(!could_share_a_day(a, &b_on_y));
    }

    /// The stored form is the flat record; every example model reads back
    /// equal, and the record holds what the file said.
    #[test]
    fn stored_form_round_trips() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/modeller");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            for v in parse(&std::fs::read_to_string(&p).unwrap()).unwrap() {
                let json = serde_json::to_string(&v).unwrap();
                let back: ModelVersion = serde_json::from_str(&json).unwrap();
                assert_eq!(back, v, "{}", p.display());
                let r: ModelRecord = v.clone().into();
                assert_eq!(
                    (
                        &r.namn,
                        r.typ.as_str(),
                        &r.insatser,
                        r.giltig_fran,
                        r.giltig_till,
                        &r.beslut
                    ),
                    (
                        &v.namn,
                        v.model_type().code(),
                        &v.insatser,
                        v.giltig_fran,
                        v.giltig_till,
                        &v.beslut
                    )
                );
                assert_eq!(r.momskompensation, v.tillagg.momskompensation);
                n += 1;
            }
        }
        assert!(n >= 15, "{n} versions");
    }

    /// The parameters read as Swedish names and values, never program
    /// output; the diff of the two home-care versions lists the raised rates.
    #[test]
    fn parameters_in_swedish_and_the_diff_of_two_versions() {
        let v = parse(include_str!("../../../../docs/modeller/hemtjanst.toml")).unwrap();
        let shown: Vec<String> = v[0]
            .parameters()
            .iter()
            .map(|p| format!("{}: {}", p.namn, p.varde.fmt_sv()))
            .collect();
        for want in [
            "Timpris HT_OMV, kväll: 466,00 kr",
            "Kvällstid börjar: 18:00",
            "Momskompensation, externa utförare: 6 %",
            "Landsbygdstillägg för utförare: 718",
        ] {
            assert!(shown.contains(&want.to_string()), "{want}\n{shown:#?}");
        }
        assert_eq!(
            ParamValue::Procent(Share(71_000)).hundredths(),
            Some((710, "%")),
            "7,1 % is 710 hundredths of a percent"
        );
        let changes = diff(&v[0], &v[1]);
        let kvall = changes
            .iter()
            .find(|c| c.namn == "Timpris HT_OMV, kväll")
            .expect("the evening rate changed");
        assert_eq!(kvall.fore, Some(ParamValue::Kr(Money::from_kr(466))));
        assert_ne!(kvall.efter, kvall.fore);
        assert!(changes.iter().any(|c| c.namn == "Giltig från"));
        assert!(!changes.iter().any(|c| c.namn == "Insatser"), "same services");
        assert!(diff(&v[0], &v[0]).is_empty());
        let boende = parse(include_str!("../../../../docs/modeller/boendestod.toml")).unwrap();
        let p = boende[0].parameters();
        assert!(p.iter().all(|p| !p.varde.fmt_sv().contains("Share")));
        assert_eq!(p[0].namn, "Utförandegrad");
    }

    /// The parameters of a per-day model by level and of a placement model
    /// read as a person would (docs/regler.md, "LSS-boende",
    /// "IFO-placeringar"): the standard rate is "Dygnspris", a level's rate
    /// names its level, and the budget followed is listed only when given.
    #[test]
    fn parameters_of_per_day_and_placement_models() {
        let shown = |v: &ModelVersion| -> Vec<String> {
            v.parameters()
                .iter()
                .map(|p| format!("{}: {}", p.namn, p.varde.fmt_sv()))
                .collect()
        };
        let sabo = parse(include_str!("../../../../docs/modeller/sarskilt_boende.toml")).unwrap();
        let lss = parse(include_str!("../../../../docs/modeller/lss_boende.toml")).unwrap();
        let ifo = parse(include_str!("../../../../docs/modeller/daglig_verksamhet_och_ifo.toml")).unwrap();
        // (version, parameter shown, present)
        let cases = [
            (&sabo[0], "Dygnspris: 1 540,00 kr", true),
            (&sabo[0], "Dygnspris nivå standard: 1 540,00 kr", false),
            (&sabo[0], "Vakansdagar: 2 dagar", true),
            (&sabo[0], "Småenhetstillägg under: 20 platser", true),
            (&sabo[0], "A conto: beläggning: 95 %", true),
            (&lss[0], "Dygnspris nivå 1: 860,00 kr", true),
            (&lss[0], "Dygnspris: 860,00 kr", false),
            (&lss[0], "Individuellt dygnspris, beslut D-IND-0001: 5 900,00 kr", true),
            (&ifo[1], "Följs mot budget för ansvar: 811, 812", true),
            (&ifo[1], "Följs mot budget för konton: 4610", true),
        ];
        for (v, want, present) in cases {
            let got = shown(v);
            assert_eq!(got.contains(&want.to_string()), present, "{want}\n{got:#?}");
        }
        // A placement model without a budget lists no budget lines.
        let mut no_budget = ifo[1].clone();
        if let ModelKind::Placering { budget_ansvar, .. } = &mut no_budget.typ {
            budget_ansvar.clear();
        }
        assert!(!shown(&no_budget).iter().any(|p| p.starts_with("Följs mot budget")));
    }

    /// A parameter only one version has is listed in the diff with the other
    /// side empty, in both directions (`resurs model diff`, the models page):
    /// a placement model that starts following a budget shows the new lines
    /// as added, and the way back shows them as removed. Found by mutation
    /// testing (the added side was never tried).
    #[test]
    fn a_parameter_in_one_version_only_is_listed_as_added_or_removed() {
        let ifo = parse(include_str!("../../../../docs/modeller/daglig_verksamhet_och_ifo.toml")).unwrap();
        let with_budget = ifo[1].clone();
        let mut without = ifo[1].clone();
        if let ModelKind::Placering { budget_ansvar, .. } = &mut without.typ {
            budget_ansvar.clear();
        }
        let namn = "Följs mot budget för ansvar";
        let added = diff(&without, &with_budget);
        let c = added.iter().find(|c| c.namn == namn).expect("listed as added");
        assert_eq!((c.fore.is_none(), c.efter.is_some()), (true, true), "{added:#?}");
        let removed = diff(&with_budget, &without);
        let c = removed.iter().find(|c| c.namn == namn).expect("listed as removed");
        assert_eq!((c.fore.is_some(), c.efter.is_none()), (true, true), "{removed:#?}");
    }

    /// Time classes other than 07/18/22 survive storage: a saved model reads
    /// back with the evening starting when the file said. The default time
    /// classes are stored as absent, as databases written before time
    /// classes existed hold them (the stored form is unchanged).
    #[test]
    fn own_time_classes_survive_storage() {
        let mut m = parse(include_str!("../../../../docs/modeller/hemtjanst.toml"))
            .unwrap()
            .remove(0);
        let plain: ModelRecord = m.clone().into();
        assert_eq!(plain.tidsklasser, None);
        if let ModelKind::HemtjanstUtfordTid { tidsklasser, .. } = &mut m.typ {
            tidsklasser.evening_start = 19 * 60;
        }
        let r: ModelRecord = m.clone().into();
        assert_eq!(r.tidsklasser, Some([7 * 60, 19 * 60, 22 * 60]));
        assert_eq!(ModelVersion::try_from(r).unwrap(), m);
    }

    /// `model show` prints every key.
    #[test]
    fn describe_names_every_key() {
        let v = parse(include_str!("../../../../docs/modeller/hemtjanst.toml")).unwrap();
        let text = v[0].describe().join("\n");
        for want in [
            "Hemtjänst utförd tid@2025-01-01 (hemtjanst_utford_tid)",
            "  giltig 2025-01-01 – tills vidare",
            "  insatser: HT_OMV, HT_SERV, HT_HSL",
            "  timpris HT_OMV: dag 418,00 kr, kväll 466,00 kr, natt 538,00 kr, helg 502,00 kr",
            "  bonus sänkt omsorgsbehov: 1 500,00 kr",
            "  momskompensation externa utförare: 6 %",
            "  landsbygdstillägg 7,1 % för 718",
        ] {
            assert!(text.contains(want), "{want}\n{text}");
        }
        let v = parse(include_str!("../../../../docs/modeller/sarskilt_boende.toml")).unwrap();
        let text = v[0].describe().join("\n");
        for want in ["  vakansdagar: 2", "  småenhetstillägg", "  a conto:"] {
            assert!(text.contains(want), "{want}\n{text}");
        }
        let korttid = v[1].describe().join("\n");
        assert!(!korttid.contains("vakansdagar"), "{korttid}");
        let v = parse(include_str!("../../../../docs/modeller/daglig_verksamhet_och_ifo.toml")).unwrap();
        assert!(v[1]
            .describe()
            .contains(&"  följs mot budget: ansvar 811, 812, konton 4610".to_string()));
        assert!(!v[0].describe().iter().any(|l| l.contains("följs mot budget")));
        // Time classes are shown when they differ from 07/18/22.
        let mut m = parse(include_str!("../../../../docs/modeller/hemtjanst.toml"))
            .unwrap()
            .remove(0);
        assert!(!m.describe().iter().any(|l| l.contains("tidsklasser")));
        if let ModelKind::HemtjanstUtfordTid { tidsklasser, .. } = &mut m.typ {
            tidsklasser.evening_start = 19 * 60;
        }
        assert!(m
            .describe()
            .contains(&"  tidsklasser: dag från 07:00, kväll från 19:00, natt från 22:00".to_string()));
    }
}
