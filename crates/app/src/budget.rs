//! `resurs budget`: the framework budget from a frame file (docs/budget.md),
//! its allocation to units, and budget versions.

use crate::settle::inputs;
use crate::{audit, models, Actor, AppError};
use resurs_core::budget::{self, Allocation, Band, Frame, PriceTag};
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_core::rules::settle::settle;
use resurs_core::rules::Share;
use resurs_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameFile {
    ar: i32,
    bas: String,
    version: String,
    typ: Option<String>,
    lon_procent: toml::Value,
    pris_procent: toml::Value,
    lonekonton: Option<Vec<String>>,
    sparbeting: Option<toml::Value>,
    sparbeting_nod: Option<String>,
    demografi: Option<Vec<DemoFile>>,
    prislapp: Option<Vec<TagFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    nod: String,
    fran_alder: Option<u32>,
    till_alder: Option<u32>,
    pris_per_individ: Option<toml::Value>,
    /// `efterfrågan`: the supplement from the demand projection (docs/budget.md).
    #[serde(alias = "källa")]
    kalla: Option<toml::Spanned<String>>,
    /// The projection's service, e.g. `särskilt boende (brukare)`.
    #[serde(alias = "tjänst")]
    tjanst: Option<toml::Spanned<String>>,
    scenario: Option<toml::Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagFile {
    tjanst: String,
    pris_per_individ: toml::Value,
    antal: i64,
}

fn text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        other => other.to_string(),
    }
}

fn money(v: &toml::Value, key: &str) -> Result<i64, AppError> {
    Money::parse_sv(&text(v)).map(|m| m.ore()).map_err(|e| {
        AppError::User(format!(
            "nyckeln \"{key}\", värdet {}: förväntade {}",
            text(v),
            e.expected()
        ))
    })
}

/// A price or salary change of the frame: −100 % to 100 %.
fn percent(v: &toml::Value, key: &str) -> Result<Share, AppError> {
    let bad = |expected: &str| AppError::User(format!("nyckeln \"{key}\", värdet {}: förväntade {expected}", text(v)));
    let s = Share::from_percent_sv(&text(v)).map_err(|e| bad(e.expected()))?;
    if s.0.abs() > Share::ONE.0 {
        return Err(bad("en procentsats mellan -100 och 100"));
    }
    Ok(s)
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameReport {
    pub ar: i32,
    pub bas: String,
    pub version: String,
    pub typ: String,
    pub lon: Share,
    pub pris: Share,
    pub ram: Frame,
    pub prislappar: Vec<PriceTag>,
    pub prislappsram: Option<i64>,
    /// Months whose volumes are the expected volumes.
    pub volymer: Option<(Period, Period)>,
    pub fordelning: Vec<Allocation>,
    pub fordelat: i64,
    /// ram − fördelat: positive = left unallocated, negative = a savings requirement to place.
    pub ofordelat: i64,
    pub sparad: bool,
}

/// Most bytes of a framework-budget file (`resurs budget ram FIL`); a
/// municipality's file is a few kB.
pub const RAM_MAX_BYTES: u64 = 1 << 20;

/// Computes (and with `save` stores) the frame of `text` (a frame file named `name`).
pub fn frame(
    store: &mut Store,
    actor: &Actor,
    name: &str,
    text_in: &str,
    save: bool,
    periodise: Option<resurs_core::followup::Periodisering>,
    timestamp: &str,
) -> Result<FrameReport, AppError> {
    let f: FrameFile = toml::from_str(text_in).map_err(|e| {
        let line = e
            .span()
            .map_or(1, |s| text_in[..s.start.min(text_in.len())].matches('\n').count() + 1);
        AppError::User(format!("Ramfilen {name}, rad {line}: {}", e.message()))
    })?;
    let typ = f.typ.clone().unwrap_or_else(|| "scenario".into());
    let Some(budget_typ) = resurs_core::model::BudgetTyp::parse_sv(&typ) else {
        return Err(AppError::User(format!(
            "Ramfilen {name}: nyckeln \"typ\", värdet \"{typ}\": förväntade {}",
            resurs_core::model::BudgetTyp::expected()
        )));
    };
    let base: Vec<_> = store
        .budget_lines(&f.bas, f.ar - 1)?
        .into_iter()
        .map(|l| (l.ansvar, l.konto, l.verksamhet, l.belopp.ore()))
        .collect();
    if base.is_empty() {
        return Err(AppError::User(format!(
            "Ramfilen {name}: basversionen \"{}\" har inga budgetrader för {}.",
            f.bas,
            f.ar - 1
        )));
    }
    if store.budget_versions(f.ar)?.iter().any(|v| v.version == f.version) && save {
        return Err(AppError::User(format!(
            "Budgetversionen \"{}\" finns redan för {}; välj ett nytt namn.",
            f.version, f.ar
        )));
    }
    let nodes = store.org_nodes()?;
    let known = |code: &str| nodes.iter().any(|n| n.kod == code);
    let mut bands = Vec::new();
    let mut projected = Vec::new();
    // The demand projections asked for, one per scenario (None: own rates).
    let mut projections: BTreeMap<Option<String>, crate::efterfragan::Projection> = BTreeMap::new();
    let mut costs: Option<crate::efterfragan::KpbCosts> = None;
    let line_of = |span: std::ops::Range<usize>| text_in[..span.start.min(text_in.len())].matches('\n').count() + 1;
    for (i, d) in f.demografi.iter().flatten().enumerate() {
        if !known(&d.nod) {
            return Err(AppError::User(format!(
                "Ramfilen {name}: demografi nr {}: noden \"{}\" finns inte i organisationsträdet.",
                i + 1,
                d.nod
            )));
        }
        if let Some(k) = &d.kalla {
            let at = format!("Ramfilen {name}, rad {}: demografi nr {}", line_of(k.span()), i + 1);
            if resurs_core::model::fold(k.get_ref()) != "efterfragan" {
                return Err(AppError::User(format!(
                    "{at}: nyckeln \"kalla\", värdet \"{}\": förväntade \"efterfrågan\" (eller ingen källa: åldersspann och pris per individ).",
                    k.get_ref()
                )));
            }
            if d.fran_alder.is_some() || d.till_alder.is_some() || d.pris_per_individ.is_some() {
                return Err(AppError::User(format!(
                    "{at}: med kalla = \"efterfrågan\" kommer volymen och enhetskostnaden ur prognosen; ta bort fran_alder, till_alder och pris_per_individ."
                )));
            }
            let Some(tj) = &d.tjanst else {
                return Err(AppError::User(format!(
                    "{at}: nyckeln \"tjanst\" saknas: ange tjänsten som i efterfrågeprognosen, t.ex. tjanst = \"särskilt boende (brukare)\"."
                )));
            };
            let at_tj = format!("Ramfilen {name}, rad {}: demografi nr {}", line_of(tj.span()), i + 1);
            let scen = d
                .scenario
                .as_ref()
                .map(|s| s.get_ref().trim().to_string())
                .filter(|s| !s.is_empty());
            if !projections.contains_key(&scen) {
                if costs.is_none() {
                    costs = Some(crate::efterfragan::KpbCosts::of(store)?);
                }
                let Some(c) = costs.as_ref() else { continue };
                let at_s = match &d.scenario {
                    Some(s) => format!(
                        "Ramfilen {name}, rad {}: demografi nr {}, scenario \"{}\"",
                        line_of(s.span()),
                        i + 1,
                        s.get_ref()
                    ),
                    None => at.clone(),
                };
                let p = crate::efterfragan::project(store, None, scen.as_deref(), c).map_err(|e| match e {
                    AppError::User(m) => AppError::User(format!("{at_s}: efterfrågeprognosen kan inte räknas: {m}")),
                    other => other,
                })?;
                projections.insert(scen.clone(), p);
            }
            let Some(p) = projections.get(&scen) else { continue };
            let want = resurs_core::model::fold(tj.get_ref());
            let Some(s) = p.tjanster.iter().find(|s| resurs_core::model::fold(&s.tjanst) == want) else {
                let names: Vec<&str> = p.tjanster.iter().map(|s| s.tjanst.as_str()).collect();
                return Err(AppError::User(format!(
                    "{at_tj}: nyckeln \"tjanst\", värdet \"{}\": förväntade en tjänst i efterfrågeprognosen ({}).",
                    tj.get_ref(),
                    names.join(", ")
                )));
            };
            let point = |y: i32| s.ar.iter().find(|x| x.ar == y).map(|x| x.volym);
            let (Some(fore), Some(efter)) = (point(f.ar - 1), point(f.ar)) else {
                return Err(AppError::User(format!(
                    "{at_tj}: efterfrågeprognosen för \"{}\" saknar år {} eller {} (prognosen börjar {} och räknar bara år med befolkning, utfall eller prognos; importera befolkningsprognos).",
                    s.tjanst,
                    f.ar - 1,
                    f.ar,
                    p.basar
                )));
            };
            let (Some(kostnad), Some(kalla)) = (s.enhetskostnad, s.kostnadskalla.clone()) else {
                return Err(AppError::User(format!(
                    "{at_tj}: tjänsten \"{}\" har ingen enhetskostnad i prognosen (varken KPB eller modellpris); sätt ett pris i ett scenario.",
                    s.tjanst
                )));
            };
            projected.push(resurs_core::budget::ProjBand {
                nod: d.nod.clone(),
                tjanst: s.tjanst.clone(),
                scenario: scen.clone(),
                enhet: s.enhet.to_string(),
                ar_fore: f.ar - 1,
                ar_efter: f.ar,
                volym_fore: fore,
                volym_efter: efter,
                enhetskostnad: kostnad,
                manader: match s.enhet_kod {
                    crate::efterfragan::Enhet::Timmar => 12,
                    crate::efterfragan::Enhet::Brukare => 1,
                },
                kostnadskalla: kalla,
            });
            continue;
        }
        if d.tjanst.is_some() || d.scenario.is_some() {
            return Err(AppError::User(format!(
                "Ramfilen {name}: demografi nr {}: tjanst och scenario gäller bara med kalla = \"efterfrågan\".",
                i + 1
            )));
        }
        let (Some(fran_alder), Some(till_alder), Some(pris)) = (d.fran_alder, d.till_alder, &d.pris_per_individ) else {
            return Err(AppError::User(format!(
                "Ramfilen {name}: demografi nr {}: ange fran_alder, till_alder och pris_per_individ (eller kalla = \"efterfrågan\" med tjanst).",
                i + 1
            )));
        };
        let before = store.population_band(f.ar - 1, fran_alder, till_alder)?;
        let after = store.population_band(f.ar, fran_alder, till_alder)?;
        let (Some(b), Some(a)) = (before.map(|p| p.antal), after.map(|p| p.antal)) else {
            return Err(AppError::User(format!(
                "Ramfilen {name}: befolkning saknas för {} eller {} (importera befolkning med utfall och prognos).",
                f.ar - 1,
                f.ar
            )));
        };
        bands.push(Band {
            nod: d.nod.clone(),
            fran_alder,
            till_alder,
            pris_per_individ: money(pris, "demografi.pris_per_individ")?,
            antal_fore: b,
            antal_efter: a,
        });
    }
    let sparbeting = match &f.sparbeting {
        Some(v) => money(v, "sparbeting")?,
        None => 0,
    };
    if sparbeting != 0 && f.sparbeting_nod.as_deref().is_none_or(|n| !known(n)) {
        return Err(AppError::User(format!(
            "Ramfilen {name}: sparbeting_nod måste vara en nod i organisationsträdet när sparbeting anges."
        )));
    }
    let input = budget::Input {
        bas: base,
        lon: percent(&f.lon_procent, "lon_procent")?,
        pris: percent(&f.pris_procent, "pris_procent")?,
        lonekonton: f.lonekonton.clone().unwrap_or_else(|| vec!["5".into()]),
        demografi: bands,
        efterfragan: projected,
        sparbeting,
        sparbeting_nod: f.sparbeting_nod.clone(),
    };
    let ram = budget::frame(&input);
    let mut tags = Vec::new();
    for t in f.prislapp.iter().flatten() {
        tags.push((
            t.tjanst.clone(),
            money(&t.pris_per_individ, "prislapp.pris_per_individ")?,
            t.antal,
        ));
    }
    let (prislappar, tag_total) = budget::price_tags(&tags);
    // Allocation: modelled units get the models' compensation for the expected
    // volumes (the last 12 months with visits before the budget year), with the
    // model versions valid on 1 January of the budget year; others a grant.
    let all_models = models::stored(store)?;
    let jan = Period::new(f.ar, 1).ok_or_else(|| AppError::User("ogiltigt år".into()))?;
    let chosen: Vec<_> = all_models
        .iter()
        .filter(|m| m.valid_on(jan.first_day()))
        .map(|m| {
            let mut m = m.clone();
            m.giltig_fran = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(m.giltig_fran);
            m.giltig_till = None;
            m
        })
        .collect();
    let last = store.visit_periods()?.into_iter().filter(|p| *p < jan).max();
    let mut comp: BTreeMap<String, i64> = BTreeMap::new();
    let window = last.map(|l| (l.add_months(-11), l));
    if let (Some((from, to)), false) = (window, chosen.is_empty()) {
        let ansvar = store.provider_ansvar()?;
        for p in from.through(to) {
            let (providers, volumes) = inputs(store, p)?;
            let s = settle(p, &chosen, &providers, &volumes);
            for u in &s.utforare {
                if let Some(a) = ansvar.get(&u.utforare) {
                    *comp.entry(a.clone()).or_default() += u.belopp.ore();
                }
            }
        }
    }
    let mut fordelning = budget::allocate(&ram.rader, &comp);
    // Names beside the codes (the newest name of each organisation code).
    let names: std::collections::HashMap<String, String> =
        store.org_nodes()?.into_iter().map(|n| (n.kod, n.namn)).collect();
    for a in &mut fordelning {
        a.namn = names.get(&a.ansvar).cloned().unwrap_or_default();
    }
    let fordelat: i64 = fordelning.iter().map(|a| a.fordelat).sum();
    if save {
        use sha2::{Digest, Sha256};
        let sha: String = Sha256::digest(text_in.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        // Last year's monthly outcome per ansvar and account, for the profile.
        let mut profile: BTreeMap<(String, String), resurs_core::followup::Months> = BTreeMap::new();
        if periodise == Some(resurs_core::followup::Periodisering::Profil) {
            if let (Some(a), Some(b)) = (Period::new(f.ar - 1, 1), Period::new(f.ar - 1, 12)) {
                for m in store.ledger_months(a, b)? {
                    profile.entry((m.ansvar, m.konto)).or_insert([0; 12])[m.period.month() as usize - 1] +=
                        m.belopp.ore();
                }
            }
        }
        let tx = store.begin()?;
        let import_id = tx.log_import("budgetram", name, &sha, ram.rader.len() as i64, timestamp)?;
        let mut stored = 0i64;
        for (a, k, v, b) in &ram.rader {
            let row = |period: Option<Period>, amount: i64| resurs_core::model::Budgetrad {
                version: f.version.clone(),
                typ: budget_typ,
                ar: f.ar,
                period,
                ansvar: a.clone(),
                konto: k.clone(),
                verksamhet: v.clone(),
                belopp: Money::from_ore(amount),
            };
            match periodise {
                None => {
                    if !tx.insert_budget(resurs_store::Tag::NONE, &row(None, *b), import_id)? {
                        return Err(AppError::internal(format!("dubblett i ramens rader ({a} {k})")));
                    }
                    stored += 1;
                }
                Some(how) => {
                    let last = profile.get(&(a.clone(), k.clone())).copied().unwrap_or([0; 12]);
                    let w = resurs_core::followup::weights(how, f.ar, &last);
                    for (m, x) in resurs_core::followup::spread(*b, &w).iter().enumerate() {
                        tx.insert_budget(
                            resurs_store::Tag::NONE,
                            &row(Period::new(f.ar, m as u32 + 1), *x),
                            import_id,
                        )?;
                        stored += 1;
                    }
                }
            }
        }
        tx.upsert_konto(budget::KONTO_DEMOGRAFI, "Demografitillägg (ram)", import_id)?;
        tx.upsert_konto(budget::KONTO_SPARBETING, "Sparbeting (ram)", import_id)?;
        tx.finish_import(import_id, ram.rader.len() as i64, stored)?;
        audit(
            &tx,
            actor,
            timestamp,
            "budgetversion",
            &format!("{} {} ({})", f.version, f.ar, budget_typ.code()),
            None,
            Some(&format!(
                "ram {} ur fil {name}, {stored} budgetrader",
                Money::from_ore(ram.ram).fmt_kr()
            )),
        )?;
        tx.commit()?;
    }
    Ok(FrameReport {
        ar: f.ar,
        bas: f.bas,
        version: f.version,
        typ: budget_typ.code().to_string(),
        lon: input.lon,
        pris: input.pris,
        ofordelat: ram.ram - fordelat,
        ram,
        prislappsram: (!prislappar.is_empty()).then_some(tag_total),
        prislappar,
        volymer: window,
        fordelning,
        fordelat,
        sparad: save,
    })
}

/// The text of a demographic supplement's line in the frame (terminal and
/// web): the age band and price, or where a projected supplement came from
/// (service, years, volumes, unit cost and its source).
pub fn demo_label(d: &resurs_core::budget::DemoRow) -> String {
    match &d.efterfragan {
        None => format!(
            "+ demografi {} år, {:+} personer × {} ({})",
            d.alder,
            d.okning,
            Money::from_ore(d.pris_per_individ).fmt_kr(),
            d.nod
        ),
        Some(p) => {
            let q = |v: i64| resurs_core::num::Qty::from_hundredths(v).to_string();
            let per = if p.manader == 12 { " × 12 månader" } else { "" };
            format!(
                "+ demografi ur efterfrågan{}: {} {} → {}: {} → {} {} ({}{}){per} × {} ({}) ({})",
                p.scenario.as_ref().map_or(String::new(), |s| format!(", scenario {s}")),
                p.tjanst,
                p.ar_fore,
                p.ar_efter,
                q(p.volym_fore),
                q(p.volym_efter),
                p.enhet,
                if p.volym_efter >= p.volym_fore { "+" } else { "" },
                q(p.volym_efter - p.volym_fore),
                Money::from_ore(p.enhetskostnad).fmt_kr(),
                p.kostnadskalla,
                d.nod
            )
        }
    }
}

/// Budget versions of a year with their totals.
pub fn versions(store: &Store, year: i32) -> Result<Vec<(String, String, i64)>, AppError> {
    let mut out = Vec::new();
    for v in store.budget_versions(year)? {
        let total: i64 = store
            .budget_lines(&v.version, year)?
            .iter()
            .map(|l| l.belopp.ore())
            .sum();
        out.push((v.version, v.typ.code().to_string(), total));
    }
    Ok(out)
}

/// A budget version of a year with its total.
#[derive(Debug, Clone, Serialize)]
pub struct VersionTotal {
    pub version: String,
    pub typ: String,
    /// Sum of the version's lines, öre.
    pub summa: i64,
}

/// One unit's (ansvar's) budget in each version of the year.
#[derive(Debug, Clone, Serialize)]
pub struct UnitBudget {
    pub ansvar: String,
    /// One amount per version, in the order of [`Allocations::versioner`]
    /// (`None` when the version has no line for the unit), öre.
    pub belopp: Vec<Option<i64>>,
}

/// The year's budget versions and how each allocates the budget to units.
#[derive(Debug, Clone, Serialize)]
pub struct Allocations {
    pub ar: i32,
    pub versioner: Vec<VersionTotal>,
    pub rader: Vec<UnitBudget>,
}

/// The year's budget versions with their totals, and each unit's budget in
/// every version (`resurs budget list`, per unit).
pub fn allocations(store: &Store, year: i32) -> Result<Allocations, AppError> {
    let versions = store.budget_versions(year)?;
    let mut per_unit: BTreeMap<String, Vec<Option<i64>>> = BTreeMap::new();
    let mut versioner = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let mut summa = Money::ZERO;
        for l in store.budget_lines(&v.version, year)? {
            summa += l.belopp;
            let cell = per_unit
                .entry(l.ansvar.clone())
                .or_insert_with(|| vec![None; versions.len()]);
            if let Some(c) = cell.get_mut(i) {
                *c = Some((Money::from_ore(c.unwrap_or(0)) + l.belopp).ore());
            }
        }
        versioner.push(VersionTotal {
            version: v.version.clone(),
            typ: v.typ.code().to_string(),
            summa: summa.ore(),
        });
    }
    Ok(Allocations {
        ar: year,
        versioner,
        rader: per_unit
            .into_iter()
            .map(|(ansvar, belopp)| UnitBudget { ansvar, belopp })
            .collect(),
    })
}
