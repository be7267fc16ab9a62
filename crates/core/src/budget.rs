//! The framework budget (*ram*, docs/regler.md, "Ram och internbudget"):
//! last year's budget, plus wage and price uplift, plus the demographic
//! supplement, minus the savings requirement; the price-tag variant; and the
//! allocation to units.
//!
//! Every step is computed per budget line and rounded to öre there, so the
//! frame is exactly the sum of the new version's lines.

use crate::rules::{mul_div, Share};
use serde::Serialize;
use std::collections::BTreeMap;

/// A budget line: (ansvar, account, verksamhet, öre).
pub type Line = (String, String, String, i64);

/// An age band of the demographic supplement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    pub nod: String,
    pub fran_alder: u32,
    pub till_alder: u32,
    pub pris_per_individ: i64,
    /// Population in the band last year and in the budget year.
    pub antal_fore: i64,
    pub antal_efter: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Input {
    pub bas: Vec<Line>,
    pub lon: Share,
    pub pris: Share,
    /// Account prefixes counted as wages (personnel costs).
    pub lonekonton: Vec<String>,
    pub demografi: Vec<Band>,
    /// Supplements from the demand projection (docs/budget.md, "Demografi ur efterfrågeprognosen").
    pub efterfragan: Vec<ProjBand>,
    pub sparbeting: i64,
    pub sparbeting_nod: Option<String>,
}

/// A demographic supplement taken from the demand projection: the change in
/// a service's projected volume from the year before the budget year to the
/// budget year, times the projection's unit cost (docs/budget.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjBand {
    pub nod: String,
    /// The service as in the projection, e.g. `särskilt boende (brukare)`.
    pub tjanst: String,
    pub scenario: Option<String>,
    /// The projection's volume unit (label).
    pub enhet: String,
    /// The year before the budget year and the budget year.
    pub ar_fore: i32,
    pub ar_efter: i32,
    /// Projected volumes, hundredths of the unit.
    pub volym_fore: i64,
    pub volym_efter: i64,
    /// Öre per unit and year (per hour for hours).
    pub enhetskostnad: i64,
    /// 12 for a monthly volume (granted hours per month), else 1.
    pub manader: i64,
    /// Where the unit cost comes from (e.g. `KPB 2025`, `modellpris`).
    pub kostnadskalla: String,
}

impl ProjBand {
    /// (volym_efter − volym_fore) × enhetskostnad × manader, the volume in
    /// hundredths: rounded once to whole öre, half away from zero (the same
    /// rule as the projection's cost, `crate::mal::cost`).
    pub fn belopp(&self) -> i64 {
        crate::mal::cost(
            self.volym_efter.saturating_sub(self.volym_fore),
            self.enhetskostnad,
            self.manader,
        )
    }
}

/// Account used for the demographic supplement and savings lines.
pub const KONTO_DEMOGRAFI: &str = "9991";
pub const KONTO_SPARBETING: &str = "9992";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoRow {
    pub nod: String,
    pub alder: String,
    pub okning: i64,
    pub pris_per_individ: i64,
    pub belopp: i64,
    /// Set when the supplement comes from the demand projection (then
    /// `alder` is empty, `okning` 0 and `pris_per_individ` the unit cost).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efterfragan: Option<ProjBand>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frame {
    pub bas: i64,
    pub lonupprakning: i64,
    pub prisupprakning: i64,
    pub demografi: i64,
    pub sparbeting: i64,
    /// bas + uppräkningar + demografi − sparbeting = Σ rader.
    pub ram: i64,
    pub demografirader: Vec<DemoRow>,
    /// The new version's lines.
    pub rader: Vec<Line>,
}

fn is_wage(konto: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| konto.starts_with(p.as_str()))
}

/// Computes the frame from last year's lines.
pub fn frame(i: &Input) -> Frame {
    let (mut lon, mut pris) = (0, 0);
    let mut rader = Vec::with_capacity(i.bas.len() + i.demografi.len() + 1);
    for (a, k, v, b) in &i.bas {
        // Wages are uplifted by the wage rate; other costs (positive) by the
        // price rate; income (negative) is left as it is.
        let up = if is_wage(k, &i.lonekonton) {
            let x = mul_div(*b, i.lon.0, Share::ONE.0);
            lon += x;
            x
        } else if *b > 0 {
            let x = mul_div(*b, i.pris.0, Share::ONE.0);
            pris += x;
            x
        } else {
            0
        };
        rader.push((a.clone(), k.clone(), v.clone(), b + up));
    }
    let mut demografirader = Vec::new();
    for band in &i.demografi {
        let okning = band.antal_efter - band.antal_fore;
        let belopp = okning * band.pris_per_individ;
        demografirader.push(DemoRow {
            nod: band.nod.clone(),
            alder: format!("{}–{}", band.fran_alder, band.till_alder),
            okning,
            pris_per_individ: band.pris_per_individ,
            belopp,
            efterfragan: None,
        });
        // Several bands on one node make one line.
        match rader.iter_mut().find(|l| l.0 == band.nod && l.1 == KONTO_DEMOGRAFI) {
            Some(l) => l.3 += belopp,
            None => rader.push((band.nod.clone(), KONTO_DEMOGRAFI.into(), String::new(), belopp)),
        }
    }
    for p in &i.efterfragan {
        let belopp = p.belopp();
        demografirader.push(DemoRow {
            nod: p.nod.clone(),
            alder: String::new(),
            okning: 0,
            pris_per_individ: p.enhetskostnad,
            belopp,
            efterfragan: Some(p.clone()),
        });
        match rader.iter_mut().find(|l| l.0 == p.nod && l.1 == KONTO_DEMOGRAFI) {
            Some(l) => l.3 += belopp,
            None => rader.push((p.nod.clone(), KONTO_DEMOGRAFI.into(), String::new(), belopp)),
        }
    }
    if let (Some(nod), true) = (&i.sparbeting_nod, i.sparbeting != 0) {
        rader.push((nod.clone(), KONTO_SPARBETING.into(), String::new(), -i.sparbeting));
    }
    let bas: i64 = i.bas.iter().map(|l| l.3).sum();
    let demografi: i64 = demografirader.iter().map(|d| d.belopp).sum();
    Frame {
        bas,
        lonupprakning: lon,
        prisupprakning: pris,
        demografi,
        sparbeting: i.sparbeting,
        ram: rader.iter().map(|l| l.3).sum(),
        demografirader,
        rader,
    }
}

/// One unit's (ansvar's) share of the frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub ansvar: String,
    /// The unit's name in the organisation (filled in by the app; empty
    /// when the code is not in the organisation).
    pub namn: String,
    /// The unit's lines in the new version (uplifted last year's budget).
    pub uppraknad_budget: i64,
    /// Expected compensation from the models on expected volumes (modelled units).
    pub modellersattning: Option<i64>,
    /// What the unit gets: the compensation when modelled, else a grant of its uplifted budget.
    pub fordelat: i64,
}

/// Allocates the frame's lines to units: an ansvar with model compensation
/// (ansvar → öre) gets the compensation, every other ansvar its own lines
/// as a grant.
pub fn allocate(rader: &[Line], compensation: &BTreeMap<String, i64>) -> Vec<Allocation> {
    let mut by_ansvar: BTreeMap<String, i64> = BTreeMap::new();
    for (a, _, _, b) in rader {
        *by_ansvar.entry(a.clone()).or_default() += b;
    }
    for a in compensation.keys() {
        by_ansvar.entry(a.clone()).or_default();
    }
    by_ansvar
        .into_iter()
        .map(|(a, up)| {
            let m = compensation.get(&a).copied().filter(|c| *c != 0);
            Allocation {
                fordelat: m.unwrap_or(up),
                modellersattning: m,
                uppraknad_budget: up,
                ansvar: a,
                namn: String::new(),
            }
        })
        .collect()
}

/// A price tag: price per individual × expected number of individuals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceTag {
    pub tjanst: String,
    pub pris_per_individ: i64,
    pub antal: i64,
    pub belopp: i64,
}

pub fn price_tags(tags: &[(String, i64, i64)]) -> (Vec<PriceTag>, i64) {
    let rows: Vec<PriceTag> = tags
        .iter()
        .map(|(t, p, n)| PriceTag {
            tjanst: t.clone(),
            pris_per_individ: *p,
            antal: *n,
            belopp: p * n,
        })
        .collect();
    let total = rows.iter().map(|r| r.belopp).sum();
    (rows, total)
}

// Amounts in the tests are written kronor_öre (1_000_000_00 = 1 000 000 kr).
#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn line(a: &str, k: &str, b: i64) -> Line {
        (a.into(), k.into(), "510".into(), b)
    }

    #[test]
    fn frame_is_the_sum_of_its_lines() {
        let input = Input {
            bas: vec![
                line("711", "5011", 1_000_000_00), // wages: +3,2 %
                line("711", "6410", 200_000_00),   // other costs: +1 %
                line("711", "3510", -50_000_00),   // income: unchanged
            ],
            lon: Share(32_000),
            pris: Share(10_000),
            lonekonton: vec!["5".into()],
            demografi: vec![Band {
                nod: "73".into(),
                fran_alder: 80,
                till_alder: 130,
                pris_per_individ: 180_000_00,
                antal_fore: 4_100,
                antal_efter: 4_230,
            }],
            efterfragan: vec![],
            sparbeting: 5_000_000_00,
            sparbeting_nod: Some("VOF".into()),
        };
        let f = frame(&input);
        // (step, öre)
        let cases = [
            ("bas", f.bas, 1_150_000_00),
            ("lön 3,2 %", f.lonupprakning, 32_000_00),
            ("pris 1 % på övriga kostnader", f.prisupprakning, 2_000_00),
            ("demografi 130 × 180 000", f.demografi, 23_400_000_00),
            (
                "ram",
                f.ram,
                1_150_000_00 + 32_000_00 + 2_000_00 + 23_400_000_00 - 5_000_000_00,
            ),
        ];
        for (what, got, want) in cases {
            assert_eq!(got, want, "{what}");
        }
        assert_eq!(f.ram, f.rader.iter().map(|l| l.3).sum::<i64>());
        assert_eq!(f.rader[2].3, -50_000_00, "income not uplifted");
        // Allocation: 711 is modelled (compensation replaces its lines), VOF a grant.
        let comp = BTreeMap::from([("711".to_string(), 1_000_000_00)]);
        let alloc = allocate(&f.rader, &comp);
        let a711 = alloc.iter().find(|a| a.ansvar == "711").unwrap();
        assert_eq!(
            (a711.fordelat, a711.modellersattning),
            (1_000_000_00, Some(1_000_000_00))
        );
        let vof = alloc.iter().find(|a| a.ansvar == "VOF").unwrap();
        assert_eq!((vof.fordelat, vof.modellersattning), (-5_000_000_00, None));
        let (rows, total) = price_tags(&[
            ("särskilt boende".into(), 720_000_00, 652),
            ("hemtjänst".into(), 140_000_00, 2_050),
        ]);
        assert_eq!(rows[0].belopp, 469_440_000_00);
        assert_eq!(total, 469_440_000_00 + 287_000_000_00);
    }

    #[test]
    fn a_projected_supplement_is_the_volume_change_times_the_unit_cost_rounded_once() {
        // 512,34 → 530,10 places at 950 000,00 kr a year: 17,76 × 950 000 = 16 872 000 kr.
        let mut p = ProjBand {
            nod: "73".into(),
            tjanst: "särskilt boende (brukare)".into(),
            scenario: None,
            enhet: "brukare (platser)".into(),
            ar_fore: 2026,
            ar_efter: 2027,
            volym_fore: 51_234,
            volym_efter: 53_010,
            enhetskostnad: 950_000_00,
            manader: 1,
            kostnadskalla: "modellpris".into(),
        };
        assert_eq!(p.belopp(), 16_872_000_00);
        // Hours per month: −0,01 h × 520,33 kr × 12 = −62,4396 kr → −62,44 kr (half away from zero).
        p.volym_fore = 1;
        p.volym_efter = 0;
        p.enhetskostnad = 520_33;
        p.manader = 12;
        assert_eq!(p.belopp(), -62_44);
    }
}
