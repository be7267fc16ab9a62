//! `resurs avvikelse`: the deviation between budget and outcome explained
//! per unit with a compensation model, aggregated per department and
//! committee (docs/driftredovisning.md, "Avvikelseanalys"). The split is
//! `resurs_core::avvikelse`'s; the inputs are the follow-up's budget and
//! outcome (`crate::followup::gather`) and two settlements of every month
//! so far: with the model versions in force (compensation) and with the
//! versions valid on 1 January of the year (the budget's rates, the same
//! versions the budget allocation uses, `crate::budget::frame`).

use crate::AppError;
use resurs_core::avvikelse::{self, Effekter, Underlag};
use resurs_core::followup::{Metod, Periodisering};
use resurs_core::period::Period;
use resurs_core::rules::mul_div;
use resurs_io::grid::{Cell, Col, Grid, Kind};
use resurs_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the analysis is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub ar: i32,
    /// Year to date through this month (1–12).
    pub till: u32,
    pub nod: Option<String>,
    pub budget: Option<String>,
}

/// One row: a unit (`enhet`), a department (`avdelning`), a committee
/// (`nämnd`) or the total of the node asked for (`summa`).
#[derive(Debug, Clone, Serialize)]
pub struct Rad {
    pub typ: &'static str,
    pub kod: String,
    pub namn: String,
    /// The inputs (ledger sign, öre).
    pub underlag: Underlag,
    /// The split (result sign, öre): exact.
    pub effekter: Effekter,
    /// Deviation, volume, price and efficiency effects in tkr; the three
    /// effects sum to the deviation.
    pub tkr: [i64; 4],
}

/// The placement split (IFO): volume and average-cost effects.
#[derive(Debug, Clone, Serialize)]
pub struct Placeringar {
    /// Budget so far (the full-year budget × days so far ÷ days of the year), öre.
    pub budget: i64,
    pub kostnad: i64,
    /// Budgeted care days: last year's days in the same months.
    pub dygn_budget: i64,
    pub dygn: i64,
    /// `volym` = volume effect, `pris` = average-cost effect.
    pub effekter: Effekter,
    pub tkr: [i64; 4],
}

#[derive(Debug, Clone, Serialize)]
pub struct Avvikelseanalys {
    pub period: Period,
    pub nod: String,
    pub namn: String,
    pub budgetversion: Option<String>,
    pub rader: Vec<Rad>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeringar: Option<Placeringar>,
}

impl Avvikelseanalys {
    pub fn rubrik(&self) -> String {
        format!(
            "Avvikelseanalys {} {}, {}",
            self.nod,
            self.namn,
            crate::drift::span(self.period)
        )
    }
    /// The total row.
    pub fn summa(&self) -> Option<&Rad> {
        self.rader.iter().find(|r| r.typ == "summa")
    }
}

fn tkr_of(e: &Effekter) -> [i64; 4] {
    let t = e.tkr();
    [t.iter().sum(), t[0], t[1], t[2]]
}

/// The analysis for `o`.
pub fn avvikelse(store: &Store, o: &Options) -> Result<Avvikelseanalys, AppError> {
    let period = crate::drift::check_period(store, o.ar, o.till)?;
    if let Some(n) = &o.nod {
        crate::check_lengths(&[("--nod", n, resurs_core::limits::CODE_MAX)])?;
    }
    let fo = crate::followup::Options {
        period,
        node: o.nod.clone(),
        metod: Metod::UtfallBudget,
        periodisering: Periodisering::Jamn,
        prognos: crate::followup::Prognosval::Forslag,
        budget: o.budget.clone(),
        konton: false,
        utan_specialposter: false,
    };
    let g = crate::followup::gather(store, &fo)?;
    if !resurs_core::followup::inputs_within_bounds(&g.input) {
        return Err(AppError::User(resurs_core::num::total_too_large(&format!(
            "avvikelseanalysen för {}",
            crate::drift::span(period)
        ))));
    }
    let Some(root) = resurs_core::followup::report(&g.input, o.nod.as_deref()) else {
        return Err(AppError::User(match &o.nod {
            Some(n) => format!("Noden \"{n}\" finns inte i organisationsträdet eller huvudboken."),
            None => "Organisationsträdet är tomt; importera organisationen först.".into(),
        }));
    };
    // Compensation per ansvar: the versions in force, and those of 1 January.
    let models = crate::models::stored(store)?;
    if models.is_empty() {
        return Err(AppError::User(
            "Inga ersättningsmodeller är laddade; avvikelseanalysen delar upp avvikelsen med modellernas priser (resurs models load).".into(),
        ));
    }
    let jan = Period::new(o.ar, 1).ok_or_else(|| AppError::User("ogiltigt år".into()))?;
    let budget_models: Vec<_> = models
        .iter()
        .filter(|m| m.valid_on(jan.first_day()))
        .map(|m| {
            let mut m = m.clone();
            m.giltig_fran = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(m.giltig_fran);
            m.giltig_till = None;
            m
        })
        .collect();
    let ansvar = store.provider_ansvar()?;
    let mut ers: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for p in jan.through(period) {
        let (now, _) = crate::settle::settle_stored(store, p, &models, false)?;
        for u in &now.utforare {
            if let Some(a) = ansvar.get(&u.utforare) {
                let e = ers.entry(a.clone()).or_default();
                e.1 = e.1.saturating_add(u.belopp.ore());
            }
        }
        let (then, _) = crate::settle::settle_stored(store, p, &budget_models, false)?;
        for u in &then.utforare {
            if let Some(a) = ansvar.get(&u.utforare) {
                let e = ers.entry(a.clone()).or_default();
                e.0 = e.0.saturating_add(u.belopp.ore());
            }
        }
    }
    let snap = resurs_core::org::OrgTree::new(g.input.nodes.iter().cloned()).snapshot(period.last_day());
    let level_above = |code: &str, level: &str| -> Option<String> {
        let mut c = snap.parent.get(code)?.clone();
        for _ in 0..64 {
            if snap.nodes.get(&c).is_some_and(|n| n.niva.code() == level) {
                return Some(c);
            }
            c = snap.parent.get(&c)?.clone();
        }
        None
    };
    let name = |code: &str| snap.nodes.get(code).map(|n| n.namn.clone()).unwrap_or_default();
    let mut rader = Vec::new();
    let mut dept: BTreeMap<String, (Underlag, Effekter)> = BTreeMap::new();
    let mut comm: BTreeMap<String, (Underlag, Effekter)> = BTreeMap::new();
    let mut total = (Underlag::default(), Effekter::default());
    let add = |acc: &mut (Underlag, Effekter), u: &Underlag, e: &Effekter| {
        acc.0.budget += u.budget;
        acc.0.utfall += u.utfall;
        acc.0.ers_budgetpris += u.ers_budgetpris;
        acc.0.ersattning += u.ersattning;
        acc.1 += *e;
    };
    for (a, (ers_b, ers_n)) in &ers {
        if *ers_b == 0 && *ers_n == 0 {
            continue;
        }
        let Some(node) = root.find(a) else { continue };
        let u = Underlag {
            budget: node.belopp.budget,
            utfall: node.belopp.utfall,
            ers_budgetpris: *ers_b,
            ersattning: *ers_n,
        };
        let e = avvikelse::split(&u);
        if let Some(d) = level_above(a, "avdelning") {
            add(dept.entry(d).or_default(), &u, &e);
        }
        if let Some(c) = level_above(a, "nämnd") {
            add(comm.entry(c).or_default(), &u, &e);
        }
        add(&mut total, &u, &e);
        rader.push(Rad {
            typ: "enhet",
            kod: a.clone(),
            namn: node.namn.clone(),
            underlag: u,
            tkr: tkr_of(&e),
            effekter: e,
        });
    }
    if rader.is_empty() {
        return Err(AppError::User(format!(
            "Nod {} {} har inga enheter med ersättningsmodell (utförare med ansvar under noden och ersättning {}).",
            root.kod,
            root.namn,
            crate::drift::span(period)
        )));
    }
    for (typ, map) in [("avdelning", dept), ("nämnd", comm)] {
        for (k, (u, e)) in map {
            if k == root.kod {
                continue;
            }
            rader.push(Rad {
                typ,
                namn: name(&k),
                kod: k,
                underlag: u,
                tkr: tkr_of(&e),
                effekter: e,
            });
        }
    }
    rader.push(Rad {
        typ: "summa",
        kod: root.kod.clone(),
        namn: root.namn.clone(),
        underlag: total.0,
        tkr: tkr_of(&total.1),
        effekter: total.1,
    });
    let placeringar = placements(store, period, &root)?;
    Ok(Avvikelseanalys {
        period,
        nod: root.kod.clone(),
        namn: root.namn.clone(),
        budgetversion: g.budget_version,
        rader,
        placeringar,
    })
}

/// The placement split when a placement model applies and its budget
/// units lie under the node; `None` otherwise.
fn placements(
    store: &Store,
    period: Period,
    root: &resurs_core::followup::NodeReport,
) -> Result<Option<Placeringar>, AppError> {
    let units = crate::reports::placement_units(store, period)?;
    if units.is_empty() || !units.iter().any(|u| root.find(u).is_some()) {
        return Ok(None);
    }
    let Ok(now) = crate::reports::placements(store, period, None) else {
        return Ok(None);
    };
    let Some(last_year) = Period::new(period.year() - 1, period.month()) else {
        return Ok(None);
    };
    let before = crate::reports::placements(store, last_year, Some(now.budget))?;
    let days_so_far: i64 = now.manader.iter().map(|m| m.period.days() as i64).sum();
    let year_days: i64 = (1..=12)
        .filter_map(|m| Period::new(period.year(), m))
        .map(|p| p.days() as i64)
        .sum();
    let budget = mul_div(now.budget.ore(), days_so_far, year_days.max(1));
    let Some(e) = avvikelse::split_placements(budget, now.kostnad.ore(), before.dygn, now.dygn) else {
        return Ok(None);
    };
    let t = avvikelse::tkr_parts(&[e.volym, e.pris]);
    Ok(Some(Placeringar {
        budget,
        kostnad: now.kostnad.ore(),
        dygn_budget: before.dygn,
        dygn: now.dygn,
        tkr: [t[0] + t[1], t[0], t[1], 0],
        effekter: e,
    }))
}

/// The analysis as a table in tkr (the rounding that keeps each row's sum).
pub fn grid(a: &Avvikelseanalys) -> Grid {
    let mut g = Grid::new(
        "avvikelse",
        "Avvikelseanalys",
        vec![
            Col::text("Nivå"),
            Col::text("Kod"),
            Col::text("Namn"),
            Col::new("Budget (tkr)", Kind::Tkr),
            Col::new("Utfall (tkr)", Kind::Tkr),
            Col::new("Ersättning till budgetpris (tkr)", Kind::Tkr),
            Col::new("Ersättning (tkr)", Kind::Tkr),
            Col::new("Avvikelse (tkr)", Kind::Count),
            Col::new("Volymeffekt (tkr)", Kind::Count),
            Col::new("Priseffekt (tkr)", Kind::Count),
            Col::new("Effektivitet (tkr)", Kind::Count),
        ],
    );
    for r in &a.rader {
        let u = &r.underlag;
        let mut cells = vec![
            Cell::text(r.typ),
            Cell::text(r.kod.clone()),
            Cell::text(r.namn.clone()),
            Cell::Num(-u.budget),
            Cell::Num(-u.utfall),
            Cell::Num(-u.ers_budgetpris),
            Cell::Num(-u.ersattning),
        ];
        cells.extend(r.tkr.iter().map(|v| Cell::Num(*v)));
        match r.typ {
            "enhet" => g.push(cells),
            _ => g.push_class("sum", cells),
        }
    }
    g
}

/// The placement split as a table (tkr), when there is one.
pub fn placement_grid(a: &Avvikelseanalys) -> Option<Grid> {
    let p = a.placeringar.as_ref()?;
    let mut g = Grid::new(
        "placeringar",
        "Placeringar: volym och snittkostnad",
        vec![
            Col::new("Budget (tkr)", Kind::Tkr),
            Col::new("Kostnad (tkr)", Kind::Tkr),
            Col::new("Budgeterade dygn", Kind::Count),
            Col::new("Dygn", Kind::Count),
            Col::new("Avvikelse (tkr)", Kind::Count),
            Col::new("Volymeffekt (tkr)", Kind::Count),
            Col::new("Snittkostnadseffekt (tkr)", Kind::Count),
        ],
    );
    g.push(vec![
        Cell::Num(p.budget),
        Cell::Num(p.kostnad),
        Cell::Num(p.dygn_budget),
        Cell::Num(p.dygn),
        Cell::Num(p.tkr[0]),
        Cell::Num(p.tkr[1]),
        Cell::Num(p.tkr[2]),
    ]);
    Some(g)
}
