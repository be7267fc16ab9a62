//! Monthly settlement (*avräkning*, docs/regler.md, "Ersättningsmodeller"): a month's volumes and the
//! stored model versions → what each provider and unit is paid, as a tree
//! total → provider → service → rule lines (→ brukare-days on request).
//!
//! Rules (docs/regler.md, "Avräkning" and "Avrundning"):
//! - each volume is priced by the one model version that applies to its
//!   service on its day ([`ModelIndex::applicable`]); a visit uses the
//!   version valid on the day it starts;
//! - a rule line (provider × service × model version × rule) is what is
//!   paid: its amount is volume × rate computed exactly over the whole line
//!   and rounded to öre once, half away from zero; percentage lines are
//!   rounded once on the service subtotal; every total above is the sum of
//!   the lines below;
//! - brukare-day detail divides each line's amount over its brukare-days by
//!   largest remainder, so the detail adds up to the line to the öre;
//! - volumes no model covers are never guessed: they are listed as
//!   uncovered.
//!
//! The engine is streaming: [`Settler`] takes visits one at a time (from the
//! store or straight from a file) and holds only per-line sums, so memory
//! does not grow with the number of visits unless detail is asked for.
//! Each model type has its own function in [`kinds`]; [`Settler::visit`] and
//! [`Settler::finish`] dispatch to them with exhaustive matches.

mod acc;
mod index;
mod kinds;
#[cfg(test)]
mod tests;

pub use index::ModelIndex;

use crate::model::Regiform;
use crate::num::{Money, Qty};
use crate::period::Period;
use crate::rules::modelfile::ModelVersion;
use crate::rules::models::Bemanning;
use crate::rules::Share;
use acc::Acc;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// A performed home-care visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitIn {
    pub brukare: String,
    pub utforare: String,
    pub insats: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// A performed visit borrowed from whatever holds it (a file's row buffer).
#[derive(Debug, Clone, Copy)]
pub struct Visit<'a> {
    pub brukare: &'a str,
    pub utforare: &'a str,
    pub insats: &'a str,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl<'a> From<&'a VisitIn> for Visit<'a> {
    fn from(v: &'a VisitIn) -> Visit<'a> {
        Visit {
            brukare: &v.brukare,
            utforare: &v.utforare,
            insats: &v.insats,
            start: v.start,
            end: v.end,
        }
    }
}

/// A stay with the decision that explains it (service and level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StayIn {
    pub brukare: String,
    pub utforare: String,
    pub plats: String,
    pub inflyttning: NaiveDate,
    pub utflyttning: Option<NaiveDate>,
    /// Service of the matching decision; `None` when there is none.
    pub insats: Option<String>,
    pub niva: Option<String>,
    /// Id of the matching decision (for individual rates).
    pub beslut_id: Option<String>,
}

/// One attendance day in daily activities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceIn {
    pub brukare: String,
    pub utforare: String,
    pub datum: NaiveDate,
    pub halv: bool,
}

/// An IFO placement with its own cost per day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacementIn {
    pub brukare: String,
    pub utforare: String,
    pub typ: String,
    pub startdatum: NaiveDate,
    pub slutdatum: Option<NaiveDate>,
    pub dygnskostnad: Money,
}

/// All volumes of a month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Volumes {
    pub visits: Vec<VisitIn>,
    pub stays: Vec<StayIn>,
    pub attendance: Vec<AttendanceIn>,
    pub placements: Vec<PlacementIn>,
    pub decisions: Vec<DecisionIn>,
}

/// A carried-out decision with a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionIn {
    pub beslut_id: String,
    pub brukare: String,
    pub utforare: String,
    pub insats: String,
    /// Granted volume per month (hours for home care).
    pub beviljad: Option<Qty>,
    /// Level, support-need level or needs points in the decision.
    pub niva: Option<String>,
    pub startdatum: NaiveDate,
    pub slutdatum: Option<NaiveDate>,
}

/// What the individual receives alongside (habiliteringsersättning); not
/// part of any provider's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowance {
    pub brukare: String,
    pub dagar: Qty,
    pub belopp: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderIn {
    pub kod: String,
    pub namn: String,
    pub regiform: Regiform,
    pub platser: Option<i64>,
    /// Staffing type of an LSS housing unit.
    pub bemanning: Option<Bemanning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub brukare: String,
    pub datum: NaiveDate,
    pub volym: Qty,
    pub belopp: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleLine {
    /// What the line is, in Swedish (`timpris kväll`, `dygnspris nivå 3`).
    pub regel: String,
    pub modellversion: String,
    pub volym: Qty,
    /// `timmar`, `dygn` or `kr` (percentage lines are on an amount).
    pub enhet: String,
    /// Rate per unit, or `None` for percentage lines.
    pub pris: Option<Money>,
    pub procent: Option<Share>,
    pub belopp: Money,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub detalj: Vec<Detail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNode {
    pub modell: String,
    pub insats: String,
    pub belopp: Money,
    pub rader: Vec<RuleLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderNode {
    pub utforare: String,
    pub namn: String,
    pub regiform: String,
    pub belopp: Money,
    pub tjanster: Vec<ServiceNode>,
}

/// A volume that no model prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uncovered {
    pub brukare: String,
    pub utforare: String,
    pub insats: String,
    pub dagar: u32,
    pub volym: Qty,
    pub enhet: String,
    pub orsak: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub period: Period,
    pub belopp: Money,
    pub utforare: Vec<ProviderNode>,
    pub ej_prissatt: Vec<Uncovered>,
    pub modellversioner: Vec<String>,
    /// Habilitation allowance to individuals, per brukare (not in `belopp`).
    #[serde(default)]
    pub habiliteringsersattning: Vec<Allowance>,
    #[serde(default)]
    pub habiliteringsersattning_belopp: Money,
}

impl Settlement {
    /// Whether no amount of the statement overflowed or went beyond
    /// [`crate::num::MAX_TOTAL_ORE`] (prices × volumes are checked, see
    /// [`Money::OVERFLOW`]).
    pub fn within_bounds(&self) -> bool {
        let ok = |m: Money| !m.is_overflow();
        ok(self.belopp)
            && ok(self.habiliteringsersattning_belopp)
            && self.utforare.iter().all(|p| {
                ok(p.belopp)
                    && p.tjanster
                        .iter()
                        .all(|s| ok(s.belopp) && s.rader.iter().all(|l| ok(l.belopp)))
            })
    }

    /// Drops brukare-day detail (the amounts are unchanged).
    pub fn without_detail(mut self) -> Settlement {
        for p in &mut self.utforare {
            for s in &mut p.tjanster {
                for l in &mut s.rader {
                    l.detalj.clear();
                }
            }
        }
        self
    }
}

/// Settles `period` with brukare-day detail.
pub fn settle(period: Period, models: &[ModelVersion], providers: &[ProviderIn], volumes: &Volumes) -> Settlement {
    let mut s = Settler::new(period, models, providers, true);
    for v in &volumes.visits {
        s.visit(v.into());
    }
    s.finish(volumes)
}

/// A settlement in progress: visits are added one at a time, everything
/// else at [`Settler::finish`].
pub struct Settler<'m> {
    period: Period,
    index: ModelIndex<'m>,
    providers: &'m [ProviderIn],
    acc: Acc,
}

impl<'m> Settler<'m> {
    /// `detail`: keep brukare-days for each line (memory grows with them).
    pub fn new(period: Period, models: &'m [ModelVersion], providers: &'m [ProviderIn], detail: bool) -> Settler<'m> {
        Settler {
            period,
            index: ModelIndex::new(models),
            providers,
            acc: Acc::new(detail),
        }
    }

    /// One performed visit, priced by the model of its service on the day
    /// it starts.
    pub fn visit(&mut self, v: Visit<'_>) {
        use crate::rules::modelfile::ModelKind as K;
        let day = v.start.date();
        let Some((vi, m)) = self.index.applicable(v.insats, day) else {
            let minutes = (v.end - v.start).num_minutes();
            self.acc.uncovered(
                v.brukare,
                v.utforare,
                v.insats,
                "ingen modell för insatsen",
                day,
                Qty::from_minutes(minutes).hundredths(),
                "timmar",
            );
            return;
        };
        match &m.typ {
            K::HemtjanstUtfordTid {
                tidsklasser, timpris, ..
            } => kinds::utford_tid(&mut self.acc, vi, tidsklasser, timpris, v),
            K::Styckpris { pris } => kinds::styckpris(&mut self.acc, vi, *pris, v),
            // Paid from the decision; the visit measures performed time.
            K::HemtjanstBeviljadTid { .. } => self.acc.performed(v, vi),
            K::HemtjanstNiva { .. } | K::Manadsniva { .. } | K::Manadsbelopp { .. } => {}
            K::Dygn(_) | K::BoendestodTid(_) | K::Narvaro { .. } | K::Placering { .. } | K::Assistans { .. } => {
                let minutes = (v.end - v.start).num_minutes();
                self.acc.uncovered(
                    v.brukare,
                    v.utforare,
                    v.insats,
                    "modelltypen ersätter inte besök",
                    day,
                    Qty::from_minutes(minutes).hundredths(),
                    "timmar",
                );
            }
            // Never returned by `applicable` (grants price no volumes).
            K::Anslag { .. } => {}
        }
    }

    /// Everything but the visits, then the tree.
    pub fn finish(mut self, volumes: &Volumes) -> Settlement {
        let (p, ix) = (self.period, &self.index);
        for a in &volumes.attendance {
            kinds::narvaro(&mut self.acc, ix, a);
        }
        for pl in &volumes.placements {
            kinds::placering(&mut self.acc, ix, p, pl);
        }
        kinds::anslag(&mut self.acc, ix, p);
        kinds::decisions(&mut self.acc, ix, p, &volumes.decisions);
        kinds::dygn(&mut self.acc, ix, p, &volumes.stays);
        kinds::grundersattning(&mut self.acc, ix, p, self.providers, &volumes.stays);
        self.acc.into_settlement(p, self.index.models(), self.providers)
    }
}
