//! One brukare's KPB (docs/kpb.md, "En brukare"): what the brukare's cost
//! is made of — per (unit, service) the volume with its unit, the cell's
//! unit price and the brukare's cost — per service and in total, read from
//! the stored run. Every door (page, API, `resurs kpb --brukare`) renders
//! these tables; none does arithmetic.

use crate::kpb::{cell_link, label};
use resurs_core::kpb::Kpb;
use resurs_core::period::Period;
use resurs_io::grid::{Cell, Col, Grid, Kind};
use serde::Serialize;
use std::collections::BTreeMap;

/// Longest pseudonym looked up.
pub const MAX_PSEUDONYM: usize = 64;

/// One (unit, service) line of a brukare's cost.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Linje {
    pub enhet: String,
    pub enhet_namn: String,
    pub insats: String,
    pub insats_namn: String,
    pub volymenhet: String,
    /// Hundredths of the volume unit.
    pub volym: i64,
    /// The cell's unit price, öre per volume unit.
    pub styckpris: i64,
    /// The brukare's share of the cell's cost, öre.
    pub kostnad: i64,
    /// Link to what the cell's figure is made of.
    pub cell: String,
}

/// A service in total (over the units the reader sees).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PerInsats {
    pub insats: String,
    pub insats_namn: String,
    pub volymenhet: String,
    pub volym: i64,
    pub kostnad: i64,
}

/// The brukare's KPB as the reader may see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Vy {
    pub pseudonym: String,
    pub fran: i32,
    pub till: i32,
    pub linjer: Vec<Linje>,
    pub insatser: Vec<PerInsats>,
    /// Sum of the lines shown, öre.
    pub kostnad: i64,
    /// Whether every line is shown (then `kostnad` is the brukare's total in the run).
    pub hela: bool,
}

/// The brukare `pseudonym` of the run, with only the lines at units
/// `enhet` accepts. `None` when the run has no such brukare or none of
/// their lines is at a unit the reader sees (the same answer, so that a
/// reader cannot learn that someone gets services elsewhere).
pub fn vy(k: &Kpb, pseudonym: &str, enhet: &dyn Fn(&str) -> bool) -> Option<Vy> {
    let b = k.brukare.iter().find(|b| b.pseudonym == pseudonym.trim())?;
    let cells: BTreeMap<(&str, &str), &resurs_core::kpb::Cell> = k
        .celler
        .iter()
        .map(|c| ((c.enhet.as_str(), c.insats.as_str()), c))
        .collect();
    let mut linjer = Vec::new();
    for r in b.rader.iter().filter(|r| enhet(&r.enhet)) {
        let c = cells.get(&(r.enhet.as_str(), r.insats.as_str()));
        linjer.push(Linje {
            enhet: r.enhet.clone(),
            enhet_namn: c.map_or_else(|| r.enhet.clone(), |c| c.enhet_namn.clone()),
            insats: r.insats.clone(),
            insats_namn: c.map_or_else(|| r.insats.clone(), |c| c.insats_namn.clone()),
            volymenhet: c.map_or_else(String::new, |c| c.volymenhet.clone()),
            volym: r.volym,
            styckpris: c.map_or(0, |c| c.styckpris),
            kostnad: r.kostnad,
            cell: cell_link(k, &r.enhet, &r.insats),
        });
    }
    if linjer.is_empty() {
        return None;
    }
    let mut per: BTreeMap<&str, PerInsats> = BTreeMap::new();
    for l in &linjer {
        let p = per.entry(l.insats.as_str()).or_insert_with(|| PerInsats {
            insats: l.insats.clone(),
            insats_namn: l.insats_namn.clone(),
            volymenhet: l.volymenhet.clone(),
            volym: 0,
            kostnad: 0,
        });
        p.volym += l.volym;
        p.kostnad += l.kostnad;
    }
    let kostnad = linjer.iter().map(|l| l.kostnad).sum();
    let hela = linjer.len() == b.rader.len();
    debug_assert!(!hela || kostnad == b.kostnad, "the lines sum to the stored total");
    Some(Vy {
        pseudonym: b.pseudonym.clone(),
        fran: k.fran,
        till: k.till,
        insatser: per.into_values().collect(),
        linjer,
        kostnad,
        hela,
    })
}

/// The volume unit in plural, as a column shows it.
fn enhet_text(volymenhet: &str) -> &str {
    match volymenhet {
        "månad" | "nivå" => "brukarmånader",
        "styck" => "besök",
        o => o,
    }
}

fn span(v: &Vy) -> String {
    format!(
        "{}–{}",
        Period::from_int(v.fran as i64).map_or_else(String::new, |p| p.to_string()),
        Period::from_int(v.till as i64).map_or_else(String::new, |p| p.to_string())
    )
}

/// The two tables: per (unit, service) line with the link to the cell,
/// and per service; both end in the total.
pub fn tabeller(v: &Vy) -> (Grid, Grid) {
    let sum_text = if v.hela {
        "Kostnad för brukaren"
    } else {
        "Kostnad vid dina enheter"
    };
    let mut g = Grid::new(
        "kpb-brukare",
        format!("Brukare {} {}: insatser per enhet", v.pseudonym, span(v)),
        vec![
            Col::text("Enhet"),
            Col::text("Enhetens namn"),
            Col::text("Insats"),
            Col::new("Volym", Kind::Hundredths { decimals: 2 }),
            Col::text("Volymenhet"),
            Col::new("Styckkostnad, kr", Kind::Kr),
            Col::text("Per"),
            Col::new("Kostnad, kr", Kind::Kr),
        ],
    );
    for l in &v.linjer {
        g.push(vec![
            Cell::Link(l.enhet.clone(), l.cell.clone()),
            Cell::text(&l.enhet_namn),
            Cell::text(format!("{} {}", l.insats, l.insats_namn)),
            Cell::Num(l.volym),
            Cell::text(enhet_text(&l.volymenhet)),
            Cell::Num(l.styckpris),
            Cell::text(label(&l.volymenhet)),
            Cell::Num(l.kostnad),
        ]);
    }
    g.push_class(
        "sum",
        vec![
            Cell::text(sum_text),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Num(v.kostnad),
        ],
    );
    let mut p = Grid::new(
        "kpb-brukare-insatser",
        format!("Brukare {} {}: per insats", v.pseudonym, span(v)),
        vec![
            Col::text("Insats"),
            Col::text("Namn"),
            Col::new("Volym", Kind::Hundredths { decimals: 2 }),
            Col::text("Volymenhet"),
            Col::new("Kostnad, kr", Kind::Kr),
        ],
    );
    for i in &v.insatser {
        p.push(vec![
            Cell::text(&i.insats),
            Cell::text(&i.insats_namn),
            Cell::Num(i.volym),
            Cell::text(enhet_text(&i.volymenhet)),
            Cell::Num(i.kostnad),
        ]);
    }
    p.push_class(
        "sum",
        vec![
            Cell::text(sum_text),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Num(v.kostnad),
        ],
    );
    (g, p)
}

/// The JSON of `resurs kpb --brukare P --format json` and `/api/kpb/brukare`.
pub fn json(v: &Vy) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// A link to a brukare's page for the run.
pub fn lank(k: &Kpb, pseudonym: &str) -> String {
    let till = Period::from_int(k.till as i64).map_or_else(String::new, |p| p.to_string());
    if k.direkt {
        format!("/kpb/brukare?manad={till}&p={}", crate::kpb::enc(pseudonym))
    } else {
        format!("/kpb/brukare?ar={}&till={till}&p={}", k.ar, crate::kpb::enc(pseudonym))
    }
}

/// Checks a pseudonym given by a user: not empty, not too long.
pub fn check_pseudonym(p: &str) -> Result<&str, String> {
    let p = p.trim();
    if p.is_empty() {
        Err("p: ange en pseudonym".into())
    } else if p.chars().count() > MAX_PSEUDONYM || p.chars().any(char::is_control) {
        Err(format!(
            "p: värdet \"{}\" är ingen pseudonym (högst {MAX_PSEUDONYM} tecken)",
            p.chars().take(20).filter(|c| !c.is_control()).collect::<String>()
        ))
    } else {
        Ok(p)
    }
}
