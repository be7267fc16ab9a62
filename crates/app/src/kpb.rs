//! Cost per brukare (KPB, docs/kpb.md): importing the allocation keys,
//! running the KPB (or reading a stored run that is still current) and the
//! tables every door renders (terminal, CSV, xlsx, web page, JSON API).

use crate::{audit, Actor, AppError};
use resurs_core::kpb::{self, Brukare, Enhet, Indata, Insats, Kpb, Volym};
use resurs_core::period::Period;
use resurs_io::grid::{Cell, Col, Grid, Kind};
use resurs_store::Store;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Largest allocation-key file read.
pub const MAX_FILBYTES: u64 = 4 << 20;

/// Which KPB: a year (to a month: year to date), or one month's direct
/// costs only (the lighter monthly view).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Val {
    pub fran: Period,
    pub till: Period,
    pub direkt: bool,
}

impl Val {
    /// The year `ar` to `till` (default December).
    pub fn ar(ar: i32, till: Option<Period>) -> Result<Val, AppError> {
        let fran = Period::new(ar, 1).ok_or_else(|| AppError::User(format!("--year: värdet {ar} är inget år")))?;
        let till = till.unwrap_or_else(|| fran.add_months(11));
        if till.year() != ar {
            return Err(AppError::User(format!(
                "--till: {till} ligger inte i år {ar}; ange en månad ÅÅÅÅ-MM i samma år"
            )));
        }
        Ok(Val {
            fran,
            till,
            direkt: false,
        })
    }
    /// One month, direct costs only.
    pub fn manad(p: Period) -> Val {
        Val {
            fran: p,
            till: p,
            direkt: true,
        }
    }
}

/// Reads, checks and stores an allocation-key file, replacing the keys
/// before; the whole file is refused on any problem (row and column named).
/// The file is logged as an import (type `fordelningsnycklar`), so that
/// `resurs import undo N` puts the keys before it back; returns the rows
/// and the import's number.
pub fn import_nycklar(store: &mut Store, actor: &Actor, name: &str, text: &str) -> Result<(usize, i64), AppError> {
    if text.len() as u64 > MAX_FILBYTES {
        return Err(AppError::User(format!(
            "{name}: filen är större än {} MiB; en fil med fördelningsnycklar är några hundra rader",
            MAX_FILBYTES >> 20
        )));
    }
    let fail = |errs: Vec<String>| {
        let n = errs.len();
        let mut shown: Vec<String> = errs.into_iter().take(50).collect();
        if n > 50 {
            shown.push(format!("… och {} fel till", n - 50));
        }
        AppError::User(format!(
            "{name}: filen importerades inte ({n} fel):\n{}",
            shown.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")
        ))
    };
    let rows = kpb::parse_nycklar(text).map_err(fail)?;
    let units: BTreeSet<String> = store.kpb_enheter()?.into_iter().map(|u| u.0).collect();
    let services: BTreeSet<String> = store.kpb_insatser()?.into_iter().map(|i| i.0).collect();
    let errs = kpb::check_nycklar(&rows, &units, &services);
    if !errs.is_empty() {
        return Err(fail(errs));
    }
    let pools: BTreeSet<&str> = rows.iter().map(|r| r.pool.as_str()).collect();
    let sha: String = {
        use sha2::{Digest, Sha256};
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let now = crate::now();
    let tx = store.begin()?;
    let id = tx.log_import(IMPORTTYP, name, &sha, rows.len() as i64, &now)?;
    let before = tx.replace_kpb_nycklar(&rows, id)?;
    tx.finish_import(id, rows.len() as i64, rows.len() as i64)?;
    audit(
        &tx,
        actor,
        &now,
        "importera fördelningsnycklar",
        &format!("import {id}: {name}"),
        Some(&format!("{before} rader")),
        Some(&format!("{} rader, {} kostnadspooler", rows.len(), pools.len())),
    )?;
    tx.commit()?;
    Ok((rows.len(), id))
}

/// The import log's type of an allocation-key file.
pub const IMPORTTYP: &str = "fordelningsnycklar";

/// Gathers the inputs and computes the KPB.
pub fn compute(store: &Store, val: Val) -> Result<Kpb, AppError> {
    let kostnad: BTreeMap<String, i64> = store.kpb_kostnad(val.fran, val.till)?.into_iter().collect();
    let enheter: BTreeMap<String, Enhet> = store
        .kpb_enheter()?
        .into_iter()
        .map(|(kod, namn, regiform, ansvar)| {
            (
                kod,
                Enhet {
                    namn,
                    regiform,
                    ansvar: ansvar.filter(|a| !a.trim().is_empty()),
                },
            )
        })
        .collect();
    let insatser: BTreeMap<String, Insats> = store
        .kpb_insatser()?
        .into_iter()
        .map(|(kod, namn, volymenhet, verksamhet, lagrum)| {
            (
                kod,
                Insats {
                    namn,
                    volymenhet,
                    verksamhet,
                    lagrum,
                },
            )
        })
        .collect();
    let vol = store.kpb_volymer(val.fran, val.till)?;
    let mut index: HashMap<i64, usize> = HashMap::new();
    let mut brukare = Vec::new();
    for (id, pseudonym, fodelsear, kon) in store.kpb_brukare()? {
        index.insert(id, brukare.len());
        brukare.push(Brukare {
            pseudonym,
            fodelsear,
            kon,
        });
    }
    let volymer = vol
        .rader
        .into_iter()
        .filter_map(|v| {
            Some(Volym {
                brukare: *index.get(&v.brukare)?,
                enhet: v.enhet,
                insats: v.insats,
                volym: v.volym,
                vikt: v.vikt,
                tid: v.tid,
            })
        })
        .collect();
    let d = Indata {
        ar: val.fran.year(),
        fran: val.fran.as_int(),
        till: val.till.as_int(),
        direkt: val.direkt,
        kostnad,
        enheter,
        insatser,
        brukare,
        volymer,
        nycklar: store.kpb_nycklar()?,
        beviljade: vol.beviljade,
        grans_sol: kpb::GRANS_SOL_ORE,
        grans_lss: kpb::GRANS_LSS_ORE,
    };
    kpb::berakna(&d).map_err(|errs| {
        AppError::User(format!(
            "KPB {}–{} kan inte räknas:\n{}",
            val.fran,
            val.till,
            errs.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")
        ))
    })
}

/// The KPB of `val`: the stored run when nothing has changed since it was
/// computed, else a new run, stored for the next page.
pub fn run(store: &mut Store, val: Val) -> Result<Kpb, AppError> {
    let version = store.data_version()?;
    if let Some((andring, json)) = store.kpb_korning(val.fran, val.till, val.direkt)? {
        if andring == version {
            if let Ok(k) = serde_json::from_str::<Kpb>(&json) {
                return Ok(k);
            }
        }
    }
    let k = compute(store, val)?;
    let json = serde_json::to_string(&k).map_err(|e| AppError::Internal(crate::Internal::Other(e.to_string())))?;
    let tx = store.begin()?;
    tx.save_kpb_korning(val.fran, val.till, val.direkt, version, &crate::now(), &json)?;
    tx.commit_quiet()?;
    Ok(k)
}

/// The stored run of `val` when nothing has changed since it was computed,
/// else a new computation (not stored: for readers without a write
/// transaction, such as a report being built).
pub fn stored_or_compute(store: &Store, val: Val) -> Result<Kpb, AppError> {
    let version = store.data_version()?;
    if let Some((andring, json)) = store.kpb_korning(val.fran, val.till, val.direkt)? {
        if andring == version {
            if let Ok(k) = serde_json::from_str::<Kpb>(&json) {
                return Ok(k);
            }
        }
    }
    compute(store, val)
}

/// What a reader may see: `enhet` says whether a unit is theirs; `alla`
/// (controllers and administrators) also sees the brukare-level analyses.
pub struct Syn<'a> {
    pub enhet: &'a dyn Fn(&str) -> bool,
    pub alla: bool,
}

/// Outliers by thresholds (öre): brukare with an LSS service above `lss`,
/// others above `sol`.
pub fn ytterfall(k: &Kpb, sol: i64, lss: i64) -> Vec<&kpb::BrukarKostnad> {
    k.brukare
        .iter()
        .filter(|b| b.kostnad > if b.lss { lss } else { sol })
        .collect()
}

pub(crate) fn label(volymenhet: &str) -> &'static str {
    match volymenhet {
        "timmar" => "utförd timme",
        kpb::BEVILJADE_TIMMAR => "beviljad timme",
        "dygn" => "dygn",
        "närvarodagar" => "närvarodag",
        "månad" | "nivå" => "brukarmånad",
        "styck" => "styck",
        _ => "enhet",
    }
}

/// Link to the drill-down of one cell.
pub fn cell_link(k: &Kpb, enhet: &str, insats: &str) -> String {
    let what = if k.direkt {
        format!(
            "manad={}",
            Period::from_int(k.till as i64).map_or_else(String::new, |p| p.to_string())
        )
    } else {
        format!(
            "ar={}&till={}",
            k.ar,
            Period::from_int(k.till as i64).map_or_else(String::new, |p| p.to_string())
        )
    };
    format!("/kpb/cell?{what}&enhet={}&insats={}", enc(enhet), enc(insats))
}

pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The tables of a KPB, in the order a page shows them.
pub struct Tabeller {
    pub enheter: Grid,
    pub insatser: Grid,
    pub avstamning: Grid,
    pub pooler: Grid,
    pub fordelning: Option<Grid>,
    pub ytterfall: Option<Grid>,
    pub grupper: Option<Grid>,
}

impl Tabeller {
    pub fn all(&self) -> Vec<&Grid> {
        let mut v = vec![&self.enheter, &self.insatser, &self.avstamning, &self.pooler];
        v.extend(self.fordelning.iter());
        v.extend(self.ytterfall.iter());
        v.extend(self.grupper.iter());
        v
    }
}

/// A figure of a breakdown group, or the suppression mark (fewer than five).
fn dold(v: Option<i64>) -> Cell {
    v.map_or_else(|| Cell::text(resurs_core::sekretess::DOLD_TEXT), Cell::Num)
}

/// Builds the tables; `sol` and `lss` are the outlier thresholds in öre.
pub fn tabeller(k: &Kpb, syn: &Syn<'_>, sol: i64, lss: i64) -> Tabeller {
    let span = format!(
        "{}–{}",
        Period::from_int(k.fran as i64).map_or_else(String::new, |p| p.to_string()),
        Period::from_int(k.till as i64).map_or_else(String::new, |p| p.to_string())
    );
    let mut enheter = Grid::new(
        "kpb-enheter",
        format!("Styckkostnad per enhet {span}"),
        vec![
            Col::text("Enhet"),
            Col::text("Namn"),
            Col::text("Regiform"),
            Col::text("Insats"),
            Col::text("Per"),
            Col::new("Direkt kostnad, tkr", Kind::Tkr),
            Col::new("Fördelad indirekt kostnad, tkr", Kind::Tkr),
            Col::new("Kostnad, tkr", Kind::Tkr),
            Col::new("Volym", Kind::Hundredths { decimals: 0 }),
            Col::new("Brukare", Kind::Count),
            Col::new("Styckkostnad, kr", Kind::Kr),
        ],
    );
    for c in k.celler.iter().filter(|c| (syn.enhet)(&c.enhet)) {
        enheter.push(vec![
            Cell::Link(c.enhet.clone(), cell_link(k, &c.enhet, &c.insats)),
            Cell::text(&c.enhet_namn),
            Cell::text(&c.regiform),
            Cell::text(format!("{} {}", c.insats, c.insats_namn)),
            Cell::text(label(&c.volymenhet)),
            Cell::Num(c.direkt),
            Cell::Num(c.kostnad - c.direkt),
            Cell::Num(c.kostnad),
            Cell::Num(c.volym),
            Cell::Num(c.brukare as i64),
            Cell::Num(c.styckpris),
        ]);
    }
    let mut insatser = Grid::new(
        "kpb-insatser",
        format!("Styckkostnad per insats, hela kommunen {span}"),
        vec![
            Col::text("Insats"),
            Col::text("Namn"),
            Col::text("Per"),
            Col::new("Enheter", Kind::Count),
            Col::new("Brukare", Kind::Count),
            Col::new("Kostnad, tkr", Kind::Tkr),
            Col::new("Volym", Kind::Hundredths { decimals: 0 }),
            Col::new("Styckkostnad, kr", Kind::Kr),
            Col::new("Lägsta enhet, kr", Kind::Kr),
            Col::new("Högsta enhet, kr", Kind::Kr),
        ],
    );
    for t in &k.tjanster {
        insatser.push(vec![
            Cell::text(&t.insats),
            Cell::text(&t.namn),
            Cell::text(label(&t.volymenhet)),
            Cell::Num(t.enheter as i64),
            Cell::Num(t.brukare as i64),
            Cell::Num(t.kostnad),
            Cell::Num(t.volym),
            Cell::Num(t.styckpris),
            Cell::Num(t.min),
            Cell::Num(t.max),
        ]);
    }
    let mut avstamning = Grid::new(
        "kpb-avstamning",
        format!("Avstämning mot huvudboken {span}"),
        vec![Col::text("Post"), Col::new("Belopp, kr", Kind::Kr)],
    );
    avstamning.push(vec![
        Cell::text("Huvudbokens kostnad (konto 4–7) för de ingående ansvaren"),
        Cell::Num(k.huvudbok),
    ]);
    avstamning.push(vec![
        Cell::text("Fördelat på enheter och insatser"),
        Cell::Num(k.fordelat),
    ]);
    avstamning.push_class(
        "sum",
        vec![Cell::text("Skillnad (ska vara 0)"), Cell::Num(k.huvudbok - k.fordelat)],
    );
    for (a, v) in &k.ej_med {
        avstamning.push(vec![
            Cell::text(format!(
                "Ej med: ansvar {a} (kostnad utan volym eller fördelningsnyckel)"
            )),
            Cell::Num(*v),
        ]);
    }
    for a in &k.anmarkningar {
        avstamning.push(vec![Cell::text(format!("Anmärkning: {a}")), Cell::Empty]);
    }
    let mut pooler = Grid::new(
        "kpb-pooler",
        format!("Indirekta kostnadspooler {span}"),
        vec![
            Col::text("Pool"),
            Col::text("Ansvar"),
            Col::text("Nyckel"),
            Col::new("Kostnad, tkr", Kind::Tkr),
            Col::new("Mottagande enhet/insats", Kind::Count),
        ],
    );
    for p in &k.pooler {
        pooler.push(vec![
            Cell::text(&p.pool),
            Cell::text(&p.ansvar),
            Cell::text(&p.nyckel),
            Cell::Num(p.kostnad),
            Cell::Num(p.mottagare as i64),
        ]);
    }
    let (mut fordelning, mut ytter, mut grupper) = (None, None, None);
    if syn.alla {
        let mut g = Grid::new(
            "kpb-fordelning",
            format!("Kostnadens fördelning över brukarna {span}"),
            vec![
                Col::text("De dyraste brukarna"),
                Col::new("Andel av kostnaden", Kind::Percent),
            ],
        );
        for (p, share) in &k.topp {
            g.push(vec![Cell::text(format!("{p} %")), Cell::opt(*share)]);
        }
        fordelning = Some(g);
        let mut y = Grid::new(
            "kpb-ytterfall",
            format!("Ytterfall {span}"),
            vec![
                Col::text("Pseudonym"),
                Col::text("Gräns"),
                Col::new("Kostnad, kr", Kind::KrWhole),
                Col::text("Insatser (kr)"),
            ],
        );
        for b in ytterfall(k, sol, lss) {
            y.push(vec![
                Cell::text(&b.pseudonym),
                Cell::text(if b.lss { "LSS" } else { "SoL" }),
                Cell::Num(b.kostnad),
                Cell::text(
                    b.insatser
                        .iter()
                        .map(|(i, v)| format!("{i} {}", resurs_core::num::Money::from_ore(*v).fmt_kr()))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ]);
        }
        ytter = Some(y);
        let mut a = Grid::new(
            "kpb-grupper",
            format!("Kostnad per åldersgrupp och juridiskt kön {span}"),
            vec![
                Col::text("Åldersgrupp"),
                Col::text("Kön"),
                Col::new("Brukare", Kind::Count),
                Col::new("Kostnad, tkr", Kind::Tkr),
                Col::new("Medel per brukare, kr", Kind::KrWhole),
            ],
        );
        for gr in &k.grupper {
            a.push(vec![
                Cell::text(&gr.aldersgrupp),
                Cell::text(match gr.kon.as_str() {
                    "K" => "kvinnor",
                    "M" => "män",
                    "alla" => "alla",
                    o => o,
                }),
                dold(gr.antal.map(|n| n as i64)),
                dold(gr.kostnad),
                dold(gr.medel),
            ]);
        }
        grupper = Some(a);
    }
    Tabeller {
        enheter,
        insatser,
        avstamning,
        pooler,
        fordelning,
        ytterfall: ytter,
        grupper,
    }
}

/// What one (unit, service) figure is made of.
pub fn cell_tabell(k: &Kpb, enhet: &str, insats: &str) -> Option<(Grid, Grid)> {
    let c = k.celler.iter().find(|c| c.enhet == enhet && c.insats == insats)?;
    let mut g = Grid::new(
        "kpb-cell",
        format!("{} {} – {} {}", c.enhet, c.enhet_namn, c.insats, c.insats_namn),
        vec![Col::text("Del"), Col::new("Belopp, kr", Kind::Kr)],
    );
    g.push(vec![
        Cell::text(match &c.ansvar {
            Some(a) => format!("Direkt kostnad ur huvudboken, ansvar {a} (enhetens del efter volym)"),
            None => "Direkt kostnad".to_string(),
        }),
        Cell::Num(c.direkt),
    ]);
    for (a, t) in &c.timvikt {
        g.push(vec![
            Cell::text(format!(
                "Vägd i timmar mot ansvarets övriga insatser: {} timmar per {} (timvikt, ansvar {a})",
                resurs_core::num::format_hundredths(*t, 2),
                label(&c.volymenhet)
            )),
            Cell::Empty,
        ]);
    }
    for a in &c.indirekt {
        g.push(vec![
            Cell::text(format!(
                "Indirekt: {} (ansvar {}, nyckel {})",
                a.pool, a.ansvar, a.nyckel
            )),
            Cell::Num(a.belopp),
        ]);
    }
    g.push_class("sum", vec![Cell::text("Kostnad"), Cell::Num(c.kostnad)]);
    let mut v = Grid::new(
        "kpb-volym",
        "Volym och styckkostnad",
        vec![
            Col::new("Volym", Kind::Hundredths { decimals: 2 }),
            Col::text("Per"),
            Col::new("Brukare", Kind::Count),
            Col::new("Styckkostnad, kr", Kind::Kr),
        ],
    );
    v.push(vec![
        Cell::Num(c.volym),
        Cell::text(label(&c.volymenhet)),
        Cell::Num(c.brukare as i64),
        Cell::Num(c.styckpris),
    ]);
    Some((g, v))
}

/// The tables as plain text for the terminal.
pub fn text(grids: &[&Grid]) -> String {
    let mut out = String::new();
    for g in grids {
        out.push_str(&g.name);
        out.push('\n');
        let cells: Vec<Vec<String>> = std::iter::once(g.cols.iter().map(|c| c.title.clone()).collect())
            .chain(
                g.rows
                    .iter()
                    .map(|r| r.cells.iter().enumerate().map(|(i, c)| g.show(i, c)).collect()),
            )
            .collect();
        let widths: Vec<usize> = (0..g.cols.len())
            .map(|i| {
                cells
                    .iter()
                    .map(|r| r.get(i).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for r in &cells {
            let line: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let pad = widths[i].saturating_sub(s.chars().count());
                    if g.cols[i].kind.is_number() {
                        format!("{}{s}", " ".repeat(pad))
                    } else {
                        format!("{s}{}", " ".repeat(pad))
                    }
                })
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The JSON of `resurs kpb --format json` and `/api/kpb`: the run without
/// its per-brukare list (only outliers above the thresholds, by pseudonym
/// with their services, no age or gender); for a reader who does not see
/// everything, only their units' cells and no brukare-level analyses.
pub fn json(k: &Kpb, syn: &Syn<'_>, sol: i64, lss: i64) -> serde_json::Value {
    let ytter: Vec<serde_json::Value> = ytterfall(k, sol, lss)
        .into_iter()
        .map(|b| {
            serde_json::json!({
                "pseudonym": b.pseudonym,
                "grans": if b.lss { "LSS" } else { "SoL" },
                "kostnad": b.kostnad,
                "insatser": b.insatser,
            })
        })
        .collect();
    let mut v = serde_json::to_value(k).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.remove("brukare");
        o.remove("ytterfall");
        o.insert("antal_brukare".into(), serde_json::json!(k.brukare.len()));
        o.insert("grans_sol".into(), serde_json::json!(sol));
        o.insert("grans_lss".into(), serde_json::json!(lss));
        if syn.alla {
            o.insert("ytterfall".into(), serde_json::Value::Array(ytter));
        } else {
            for key in [
                "kurva",
                "topp",
                "grupper",
                "antal_brukare",
                "pooler",
                "ej_med",
                "huvudbok",
                "fordelat",
            ] {
                o.remove(key);
            }
            let cells: Vec<&kpb::Cell> = k.celler.iter().filter(|c| (syn.enhet)(&c.enhet)).collect();
            o.insert("celler".into(), serde_json::to_value(cells).unwrap_or_default());
        }
    }
    v
}
