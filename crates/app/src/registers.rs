//! `resurs intraprenad`, `resurs atgard`, `resurs statsbidrag`,
//! `resurs investering`: the registers followed beside the ledger.

use crate::followup::{report, Options};
use crate::{audit, comment, now, Actor, AppError};
use resurs_core::followup::{Metod, Periodisering};
use resurs_core::limits::{CODE_MAX, NAME_MAX, TEXT_MAX};
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_core::registers::{fund, share, Fund};
use resurs_store::Store;
use serde::Serialize;

/// A date as stored and shown (`YYYY-MM-DD`).
fn date_text(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn check_node(store: &Store, node: &str) -> Result<(), AppError> {
    if store.org_nodes()?.iter().any(|n| n.kod == node) {
        Ok(())
    } else {
        Err(AppError::User(format!(
            "--node: värdet \"{node}\", förväntade en kod i organisationsträdet"
        )))
    }
}

/// One intraprenad's result fund.
#[derive(Debug, Clone, Serialize)]
pub struct IntraprenadRow {
    pub utforare: String,
    pub namn: String,
    pub ansvar: String,
    /// How the year's result was found: "utfall" (closed year) or "prognos".
    pub grund: &'static str,
    pub fond: Fund,
    pub kommentar: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntraprenadReport {
    pub ar: i32,
    pub period: Period,
    pub rader: Vec<IntraprenadRow>,
    pub summa: Fund,
}

/// The year's result of `ansvar` (budget − outcome for a closed year,
/// budget − forecast otherwise) as of `period`.
fn year_result(store: &Store, ansvar: &str, period: Period) -> Result<(i64, &'static str), AppError> {
    let o = Options {
        period,
        node: Some(ansvar.to_string()),
        metod: Metod::UtfallBudget,
        periodisering: Periodisering::Jamn,
        prognos: crate::followup::Prognosval::Forslag,
        budget: None,
        konton: false,
        utan_specialposter: false,
    };
    let r = match report(store, &o) {
        Ok(r) => r,
        Err(AppError::User(_)) => return Ok((0, "inget utfall")),
        Err(e) => return Err(e),
    };
    let a = r.rot.find(ansvar).map(|n| n.belopp).unwrap_or_default();
    Ok(resurs_core::registers::year_result(&a, period.month() == 12))
}

/// The result funds of the intraprenader for `period`'s year. The incoming
/// balance is the one entered for the year, or else last year's outgoing
/// balance when last year has an entry, or else 0.
pub fn intraprenad(store: &Store, period: Period) -> Result<IntraprenadReport, AppError> {
    let year = period.year();
    let units = store.intraprenader()?;
    if units.is_empty() {
        return Err(AppError::User(
            "Det finns inga intraprenader i utförarregistret (regiform intraprenad).".into(),
        ));
    }
    let this = store.intraprenad_entries(year)?;
    let last = store.intraprenad_entries(year - 1)?;
    let mut rader = Vec::new();
    for unit in units {
        let ansvar = unit.ansvar;
        let entry = this.get(&ansvar);
        let ingaende = match entry.and_then(|e| e.ingaende) {
            Some(i) => i.ore(),
            None => match last.get(&ansvar) {
                Some(l) => {
                    let dec = Period::new(year - 1, 12).unwrap_or(period);
                    let (res, _) = year_result(store, &ansvar, dec)?;
                    fund(l.ingaende.map_or(0, Money::ore), res, l.uttag.ore()).utgaende
                }
                None => 0,
            },
        };
        let (res, grund) = year_result(store, &ansvar, period)?;
        let uttag = entry.map_or(0, |e| e.uttag.ore());
        rader.push(IntraprenadRow {
            utforare: unit.kod,
            namn: unit.namn,
            ansvar,
            grund,
            fond: fund(ingaende, res, uttag),
            kommentar: entry.map_or(String::new(), |e| e.kommentar.clone()),
        });
    }
    let mut summa = Fund::default();
    for r in &rader {
        summa.ingaende += r.fond.ingaende;
        summa.overskott += r.fond.overskott;
        summa.underskott += r.fond.underskott;
        summa.uttag += r.fond.uttag;
        summa.utgaende += r.fond.utgaende;
    }
    Ok(IntraprenadReport {
        ar: year,
        period,
        rader,
        summa,
    })
}

/// Enters an intraprenad's incoming balance and/or use of equity for a year.
pub fn set_intraprenad(
    store: &mut Store,
    actor: &Actor,
    ansvar: &str,
    year: i32,
    ingaende: Option<Money>,
    uttag: Money,
    kommentar: &str,
) -> Result<(), AppError> {
    crate::check_lengths(&[("--ansvar", ansvar, CODE_MAX), ("--kommentar", kommentar, TEXT_MAX)])?;
    if !store.intraprenader()?.iter().any(|i| i.ansvar == ansvar) {
        return Err(AppError::User(format!(
            "--ansvar: värdet \"{ansvar}\", förväntade ansvaret för en utförare med regiform intraprenad"
        )));
    }
    let text = |inc: Option<i64>, uttag: i64, kommentar: &str| {
        format!(
            "ingående {}, uttag {}{}",
            inc.map_or("från förra året".into(), |i| Money::from_ore(i).fmt_kr()),
            Money::from_ore(uttag).fmt_kr(),
            comment(kommentar)
        )
    };
    let tx = store.begin()?;
    let before = tx
        .intraprenad_entry(ansvar, year)?
        .map(|e| text(e.ingaende.map(Money::ore), e.uttag.ore(), &e.kommentar));
    tx.set_intraprenad(ansvar, year, ingaende, uttag, kommentar.trim())?;
    audit(
        &tx,
        actor,
        &now(),
        "intraprenad",
        &format!("ansvar {ansvar} {year}"),
        before.as_deref(),
        Some(&text(ingaende.map(|m| m.ore()), uttag.ore(), kommentar.trim())),
    )?;
    tx.commit()?;
    Ok(())
}

/// A measure of an action plan or an efficiency requirement.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    pub slag: String,
    pub plan: String,
    pub nod: String,
    pub atgard: String,
    pub planerad: i64,
    pub hittills: i64,
    pub prognos: i64,
    /// hittills ÷ planerad, millionths.
    pub uppnatt: Option<i64>,
    /// prognos ÷ planerad, millionths.
    pub prognos_andel: Option<i64>,
    pub kommentar: String,
}

/// The kinds of measure lists.
pub const MEASURE_KINDS: [&str; 2] = ["åtgärdsplan", "effektiviseringskrav"];

#[allow(clippy::too_many_arguments)]
pub fn set_measure(
    store: &mut Store,
    actor: &Actor,
    slag: &str,
    plan: &str,
    node: &str,
    year: i32,
    atgard: &str,
    planerad: Money,
    hittills: Money,
    prognos: Money,
    kommentar: &str,
) -> Result<(), AppError> {
    crate::check_lengths(&[
        ("--plan", plan, NAME_MAX),
        ("--node", node, CODE_MAX),
        ("--atgard", atgard, NAME_MAX),
        ("--kommentar", kommentar, TEXT_MAX),
    ])?;
    let slag = match resurs_core::model::fold(slag).as_str() {
        "atgardsplan" | "atgard" => MEASURE_KINDS[0],
        "effektiviseringskrav" | "effektivisering" => MEASURE_KINDS[1],
        _ => {
            return Err(AppError::User(format!(
                "--slag: värdet \"{slag}\", förväntade åtgärdsplan eller effektiviseringskrav"
            )))
        }
    };
    check_node(store, node)?;
    if plan.trim().is_empty() || atgard.trim().is_empty() {
        return Err(AppError::User(
            "--plan och --atgard: namn på planen och åtgärden".into(),
        ));
    }
    let text = |slag: &str, nod: &str, (p, h, f): (i64, i64, i64), kommentar: &str| {
        format!(
            "{slag}, nod {nod}: planerad {}, hittills {}, prognos {}{}",
            Money::from_ore(p).fmt_kr(),
            Money::from_ore(h).fmt_kr(),
            Money::from_ore(f).fmt_kr(),
            comment(kommentar)
        )
    };
    let amounts = (planerad.ore(), hittills.ore(), prognos.ore());
    let tx = store.begin()?;
    let before = tx.measure_entry(plan.trim(), year, atgard.trim())?.map(|m| {
        text(
            &m.slag,
            &m.nod,
            (m.planerad.ore(), m.hittills.ore(), m.prognos.ore()),
            &m.kommentar,
        )
    });
    tx.set_atgard(
        slag,
        plan.trim(),
        node,
        year,
        atgard.trim(),
        (planerad, hittills, prognos),
        kommentar.trim(),
    )?;
    audit(
        &tx,
        actor,
        &now(),
        "åtgärd",
        &format!("{} {year}: {}", plan.trim(), atgard.trim()),
        before.as_deref(),
        Some(&text(slag, node, amounts, kommentar.trim())),
    )?;
    tx.commit()?;
    Ok(())
}

pub fn measures(store: &Store, year: i32) -> Result<Vec<Measure>, AppError> {
    Ok(store
        .measures(year)?
        .into_iter()
        .map(|m| {
            let (planerad, hittills, prognos) = (m.planerad.ore(), m.hittills.ore(), m.prognos.ore());
            Measure {
                slag: m.slag,
                plan: m.plan,
                nod: m.nod,
                atgard: m.atgard,
                planerad,
                hittills,
                prognos,
                uppnatt: share(hittills, planerad),
                prognos_andel: share(prognos, planerad),
                kommentar: m.kommentar,
            }
        })
        .collect())
}

/// A targeted state grant.
#[derive(Debug, Clone, Serialize)]
pub struct Grant {
    pub namn: String,
    pub nod: String,
    pub belopp: i64,
    pub anvant: i64,
    /// belopp − använt
    pub kvar: i64,
    pub aterrapport: Option<String>,
    pub aterbetalning: i64,
    pub kommentar: String,
}

#[allow(clippy::too_many_arguments)]
pub fn set_grant(
    store: &mut Store,
    actor: &Actor,
    namn: &str,
    year: i32,
    node: &str,
    belopp: Money,
    anvant: Money,
    aterrapport: Option<&str>,
    aterbetalning: Money,
    kommentar: &str,
) -> Result<(), AppError> {
    crate::check_lengths(&[("--namn", namn, NAME_MAX), ("--kommentar", kommentar, TEXT_MAX)])?;
    check_node(store, node)?;
    let aterrapport = aterrapport
        .map(|d| {
            resurs_core::date::parse_date(d).ok_or_else(|| {
                AppError::User(format!(
                    "--aterrapport: värdet \"{d}\", förväntade ett datum ÅÅÅÅ-MM-DD"
                ))
            })
        })
        .transpose()?;
    let aterrapport_text = aterrapport.map(date_text);
    let text = |b: i64, a: i64, r: Option<&str>, t: i64, k: &str| {
        format!(
            "belopp {}, använt {}, återrapport {}, återbetalning {}{}",
            Money::from_ore(b).fmt_kr(),
            Money::from_ore(a).fmt_kr(),
            r.unwrap_or("–"),
            Money::from_ore(t).fmt_kr(),
            comment(k)
        )
    };
    let tx = store.begin()?;
    let before = tx.grant_entry(namn.trim(), year, node)?.map(|g| {
        text(
            g.belopp.ore(),
            g.anvant.ore(),
            g.aterrapport.map(date_text).as_deref(),
            g.aterbetalning.ore(),
            &g.kommentar,
        )
    });
    tx.set_statsbidrag(
        namn.trim(),
        year,
        node,
        belopp,
        anvant,
        aterrapport,
        aterbetalning,
        kommentar.trim(),
    )?;
    audit(
        &tx,
        actor,
        &now(),
        "statsbidrag",
        &format!("{} {year}, nod {node}", namn.trim()),
        before.as_deref(),
        Some(&text(
            belopp.ore(),
            anvant.ore(),
            aterrapport_text.as_deref(),
            aterbetalning.ore(),
            kommentar.trim(),
        )),
    )?;
    tx.commit()?;
    Ok(())
}

pub fn grants(store: &Store, year: i32) -> Result<Vec<Grant>, AppError> {
    Ok(store
        .grants(year)?
        .into_iter()
        .map(|g| Grant {
            kvar: g.belopp.ore() - g.anvant.ore(),
            namn: g.namn,
            nod: g.nod,
            belopp: g.belopp.ore(),
            anvant: g.anvant.ore(),
            aterrapport: g.aterrapport.map(date_text),
            aterbetalning: g.aterbetalning.ore(),
            kommentar: g.kommentar,
        })
        .collect())
}

/// An investment with its budget and outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Investment {
    pub projekt: String,
    pub nod: String,
    pub budget: i64,
    pub utfall: i64,
    /// utfall ÷ budget, millionths.
    pub forbrukat: Option<i64>,
    pub kommentar: String,
}

#[allow(clippy::too_many_arguments)]
pub fn set_investment(
    store: &mut Store,
    actor: &Actor,
    projekt: &str,
    year: i32,
    node: &str,
    budget: Money,
    utfall: Money,
    kommentar: &str,
) -> Result<(), AppError> {
    crate::check_lengths(&[("--projekt", projekt, NAME_MAX), ("--kommentar", kommentar, TEXT_MAX)])?;
    check_node(store, node)?;
    let text = |nod: &str, b: i64, u: i64, k: &str| {
        format!(
            "nod {nod}: budget {}, utfall {}{}",
            Money::from_ore(b).fmt_kr(),
            Money::from_ore(u).fmt_kr(),
            comment(k)
        )
    };
    let tx = store.begin()?;
    let before = tx
        .investment_entry(projekt.trim(), year)?
        .map(|i| text(&i.nod, i.budget.ore(), i.utfall.ore(), &i.kommentar));
    tx.set_investering(projekt.trim(), year, node, budget, utfall, kommentar.trim())?;
    audit(
        &tx,
        actor,
        &now(),
        "investering",
        &format!("{} {year}", projekt.trim()),
        before.as_deref(),
        Some(&text(node, budget.ore(), utfall.ore(), kommentar.trim())),
    )?;
    tx.commit()?;
    Ok(())
}

pub fn investments(store: &Store, year: i32) -> Result<Vec<Investment>, AppError> {
    Ok(store
        .investments(year)?
        .into_iter()
        .map(|i| Investment {
            forbrukat: share(i.utfall.ore(), i.budget.ore()),
            projekt: i.projekt,
            nod: i.nod,
            budget: i.budget.ore(),
            utfall: i.utfall.ore(),
            kommentar: i.kommentar,
        })
        .collect())
}
