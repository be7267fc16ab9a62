//! `resurs driftredovisning`: the operating statement by cost type for a
//! node and a year-to-date month (docs/driftredovisning.md). The figures
//! are the follow-up report's (`crate::followup::gather`, the same ledger,
//! budget version and periodisation), summed per account over the node's
//! subtree and grouped by a cost-type file (docs/format/kostnadsslag.md;
//! the shipped default `data/kostnadsslag.csv` follows Kommun-Bas).
//! The rows are `resurs_core::drift`'s; [`grid`] is the one table the CLI
//! (csv, xlsx) and the web render.

use crate::AppError;
use resurs_core::drift::{self, KontoBelopp, Kostnadsslag, Rad, RadTyp, KOLUMNER};
use resurs_core::followup::{Metod, NodeReport, Periodisering};
use resurs_core::period::Period;
use resurs_io::grid::{Cell, Col, Grid, Kind};
use resurs_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

/// The shipped cost-type grouping (Kommun-Bas).
pub const STANDARD: &str = include_str!("../data/kostnadsslag.csv");

/// What the statement is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub ar: i32,
    /// Year to date through this month (1–12).
    pub till: u32,
    /// Node (default: the top of the tree).
    pub nod: Option<String>,
    /// Budget version (default: the newest adopted or revised of the year).
    pub budget: Option<String>,
    /// A cost-type file's (name, text), used as given.
    pub kostnadsslag: Option<(String, String)>,
    /// A stored grouping's version (`resurs kostnadsslag load`). Without
    /// this and a file: the newest stored grouping, else the shipped default.
    pub slagversion: Option<String>,
}

/// The name of the shipped grouping among the choices (`--slagversion standard`).
pub const STANDARD_NAME: &str = "standard";

/// The grouping a statement uses: a file as given, a stored version by
/// name (`standard`: the shipped one), else the newest stored grouping,
/// else the shipped default.
pub fn grouping(
    store: &Store,
    file: Option<&(String, String)>,
    version: Option<&str>,
) -> Result<Kostnadsslag, AppError> {
    if let Some((name, text)) = file {
        return parse_grouping(name, text);
    }
    let stored = store.cost_type_versions()?;
    let row = match version.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) if v == STANDARD_NAME => None,
        Some(v) => Some(stored.iter().find(|r| r.version == v).ok_or_else(|| {
            let mut known: Vec<&str> = vec![STANDARD_NAME];
            known.extend(stored.iter().map(|r| r.version.as_str()));
            AppError::User(format!(
                "Kostnadsslagsversionen \"{v}\" finns inte; laddade versioner: {}",
                known.join(", ")
            ))
        })?),
        None => stored.last(),
    };
    match row {
        Some(r) => parse_grouping(&format!("kostnadsslag {} ({})", r.version, r.fil), &r.innehall),
        None => parse_grouping("kostnadsslag.csv (standard)", STANDARD),
    }
}

/// A stored grouping for the list.
#[derive(Debug, Clone, Serialize)]
pub struct GroupingVersion {
    pub version: String,
    pub fil: String,
    pub laddad: String,
    pub intervall: usize,
}

/// The shipped grouping and every stored one, oldest first; the last is the default.
pub fn grouping_versions(store: &Store) -> Result<Vec<GroupingVersion>, AppError> {
    let shipped = parse_grouping("kostnadsslag.csv (standard)", STANDARD)?;
    let mut out = vec![GroupingVersion {
        version: STANDARD_NAME.to_string(),
        fil: format!("inbyggd ({})", shipped.version),
        laddad: String::new(),
        intervall: shipped.intervall.len(),
    }];
    for r in store.cost_type_versions()? {
        let n = Kostnadsslag::parse(&r.innehall, &r.fil).map_or(0, |k| k.intervall.len());
        out.push(GroupingVersion {
            version: r.version,
            fil: r.fil,
            laddad: r.laddad,
            intervall: n,
        });
    }
    Ok(out)
}

/// Checks a cost-type file and stores it under the version its first line
/// names, audited in the same transaction. The same content again is no
/// change (`Ok(false)`); another content under a stored version name is
/// refused (a version never changes).
pub fn load_grouping(
    store: &mut Store,
    actor: &crate::Actor,
    name: &str,
    text: &str,
    timestamp: &str,
) -> Result<bool, AppError> {
    use sha2::{Digest, Sha256};
    let k = parse_grouping(name, text)?;
    if k.version == STANDARD_NAME {
        return Err(AppError::User(format!(
            "{name} rad 1: versionsnamnet \"{STANDARD_NAME}\" är den inbyggda grupperingens; välj ett annat namn"
        )));
    }
    let sha: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let tx = store.begin()?;
    if let Some(old) = tx.cost_type_version(&k.version)? {
        if old.sha256 == sha {
            return Ok(false);
        }
        return Err(AppError::User(format!(
            "Kostnadsslagsversionen \"{}\" finns redan (laddad {} ur {}) med annat innehåll; en version ändras aldrig, ge filen ett nytt versionsnamn på rad 1.",
            k.version, old.laddad, old.fil
        )));
    }
    crate::check_lengths(&[("filnamn", name, resurs_core::limits::TEXT_MAX)])?;
    tx.insert_cost_types(&k.version, text, &sha, name, timestamp)?;
    crate::audit(
        &tx,
        actor,
        timestamp,
        "kostnadsslag",
        &k.version,
        None,
        Some(&format!("{} intervall ur fil {name}", k.intervall.len())),
    )?;
    tx.commit()?;
    Ok(true)
}

/// One column of the statement.
#[derive(Debug, Clone, Serialize)]
pub struct Kolumn {
    pub nyckel: &'static str,
    pub rubrik: String,
}

/// The operating statement: result layout (income +, cost −), öre.
#[derive(Debug, Clone, Serialize)]
pub struct Driftredovisning {
    pub period: Period,
    pub nod: String,
    pub namn: String,
    pub budgetversion: Option<String>,
    /// The version of the cost-type grouping used.
    pub kostnadsslag: String,
    pub kolumner: Vec<Kolumn>,
    pub rader: Vec<Rad>,
}

impl Driftredovisning {
    /// The row with key `nyckel` (group, sum or account).
    pub fn rad(&self, nyckel: &str) -> Option<&Rad> {
        self.rader.iter().find(|r| r.nyckel == nyckel && r.typ != RadTyp::Konto)
    }
    /// The headline: "Driftredovisning 754 Södergården, januari–oktober 2026".
    pub fn rubrik(&self) -> String {
        format!("Driftredovisning {} {}, {}", self.nod, self.namn, span(self.period))
    }
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// "januari–oktober 2026".
pub fn span(p: Period) -> String {
    let m = p.month() as usize;
    if m == 1 {
        format!("januari {}", p.year())
    } else {
        format!("januari–{} {}", MONTHS[m - 1], p.year())
    }
}

/// Reads a cost-type file, every problem with its line.
pub fn parse_grouping(name: &str, text: &str) -> Result<Kostnadsslag, AppError> {
    Kostnadsslag::parse(text, name).map_err(|p| AppError::User(p.join("\n")))
}

/// The month a report runs through, refused with a Swedish message when
/// out of range or when the ledger has no outcome for it (a period without
/// ledger data says so instead of printing zeros).
pub fn check_period(store: &Store, ar: i32, till: u32) -> Result<Period, AppError> {
    if !resurs_core::limits::year_ok(ar) {
        return Err(AppError::User(format!(
            "--ar: värdet \"{}\", förväntade ett år mellan 1900 och 2100",
            ar
        )));
    }
    let Some(period) = Period::new(ar, till).filter(|_| (1..=12).contains(&till)) else {
        return Err(AppError::User(format!(
            "--till: värdet \"{}\", förväntade en månad 1–12",
            till
        )));
    };
    // A period without ledger data says so instead of printing zeros.
    match store.ledger_period_span()? {
        None => {
            return Err(AppError::User(
                "Huvudboken är tom: det finns inget utfall att redovisa. Importera huvudboken först (resurs import huvudbok).".into(),
            ))
        }
        Some((first, last)) if period > last || period.year() < first.year() => {
            return Err(AppError::User(format!(
                "Det finns inget utfall för {}: huvudboken har utfall för {first} till och med {last}. Välj en period i det intervallet.",
                span(period)
            )))
        }
        Some(_) => {}
    }
    Ok(period)
}

/// The operating statement for `o`.
pub fn driftredovisning(store: &Store, o: &Options) -> Result<Driftredovisning, AppError> {
    let period = check_period(store, o.ar, o.till)?;
    if let Some(n) = &o.nod {
        crate::check_lengths(&[("--nod", n, resurs_core::limits::CODE_MAX)])?;
    }
    let slag = grouping(store, o.kostnadsslag.as_ref(), o.slagversion.as_deref())?;
    let fo = crate::followup::Options {
        period,
        node: o.nod.clone(),
        metod: Metod::UtfallBudget,
        periodisering: Periodisering::Jamn,
        prognos: crate::followup::Prognosval::Forslag,
        budget: o.budget.clone(),
        konton: true,
        utan_specialposter: false,
    };
    let g = crate::followup::gather(store, &fo)?;
    let what = format!("driftredovisningen för {}", span(period));
    if !resurs_core::followup::inputs_within_bounds(&g.input) {
        return Err(AppError::User(resurs_core::num::total_too_large(&what)));
    }
    let Some(root) = resurs_core::followup::report(&g.input, o.nod.as_deref()) else {
        return Err(AppError::User(match &o.nod {
            Some(n) => format!("Noden \"{n}\" finns inte i organisationsträdet eller huvudboken."),
            None => "Organisationsträdet är tomt; importera organisationen först.".into(),
        }));
    };
    let mut per: BTreeMap<String, KontoBelopp> = BTreeMap::new();
    fn walk(n: &NodeReport, per: &mut BTreeMap<String, KontoBelopp>) {
        for k in &n.konton {
            let e = per.entry(k.konto.clone()).or_insert_with(|| KontoBelopp {
                konto: k.konto.clone(),
                namn: k.namn.clone(),
                ..KontoBelopp::default()
            });
            e.budget += k.belopp.budget;
            e.utfall += k.belopp.utfall;
            e.fg_ar += k.belopp.fg_ar;
        }
        for b in &n.barn {
            walk(b, per);
        }
    }
    walk(&root, &mut per);
    if per.values().all(|k| k.utfall == 0) {
        return Err(AppError::User(format!(
            "Nod {} {} har inget utfall i huvudboken för {}; rapporten visas inte med nollor.",
            root.kod,
            root.namn,
            span(period)
        )));
    }
    let konton: Vec<KontoBelopp> = per.into_values().collect();
    let rader = drift::statement(&konton, &slag).map_err(|missing| {
        AppError::User(format!(
            "Kostnadsslagsfilen ({}) täcker inte {} {} som har belopp under nod {}: lägg till ett intervall för {} i filen (docs/format/kostnadsslag.md).",
            slag.version,
            if missing.len() == 1 { "kontot" } else { "kontona" },
            missing.join(", "),
            root.kod,
            if missing.len() == 1 { "det" } else { "dem" },
        ))
    })?;
    Ok(Driftredovisning {
        period,
        nod: root.kod.clone(),
        namn: root.namn.clone(),
        budgetversion: g.budget_version,
        kostnadsslag: slag.version,
        kolumner: KOLUMNER
            .iter()
            .map(|(k, h)| Kolumn {
                nyckel: k,
                rubrik: match *k {
                    "fg_ar" => format!("Utfall {}", period.year() - 1),
                    _ => h.to_string(),
                },
            })
            .collect(),
        rader,
    })
}

/// The statement as a table in tkr: group and sum rows, and with `konton`
/// each group's accounts under it. `link` gives a group row's drill-down
/// address (the web); `None` writes plain text.
pub fn grid(d: &Driftredovisning, konton: bool, link: Option<&dyn Fn(&str) -> String>) -> Grid {
    let mut cols = vec![Col::text("Rad"), Col::text("Konto")];
    cols.extend(
        d.kolumner
            .iter()
            .map(|c| Col::new(format!("{} (tkr)", c.rubrik), Kind::Tkr)),
    );
    let mut g = Grid::new("drift", "Driftredovisning", cols);
    for r in &d.rader {
        if r.typ == RadTyp::Konto && !konton {
            continue;
        }
        let mut cells = match r.typ {
            RadTyp::Konto => vec![Cell::text(r.namn.clone()), Cell::text(r.nyckel.clone())],
            RadTyp::Grupp => match link {
                Some(f) if !r.delar.is_empty() => vec![Cell::Link(r.namn.clone(), f(&r.nyckel)), Cell::Empty],
                _ => vec![Cell::text(r.namn.clone()), Cell::Empty],
            },
            RadTyp::Summa => vec![Cell::text(r.namn.clone()), Cell::Empty],
        };
        cells.extend(r.varden.iter().map(|v| Cell::Num(*v)));
        match r.typ {
            RadTyp::Summa => g.push_class("sum", cells),
            RadTyp::Konto => g.push_class("sub", cells),
            RadTyp::Grupp => g.push(cells),
        }
    }
    g
}

/// The accounts of one group as a table (the drill-down).
pub fn group_grid(d: &Driftredovisning, grupp: &str) -> Option<Grid> {
    let at = d
        .rader
        .iter()
        .position(|r| r.typ == RadTyp::Grupp && r.nyckel == grupp)?;
    let head = &d.rader[at];
    let mut cols = vec![Col::text("Konto"), Col::text("Namn")];
    cols.extend(
        d.kolumner
            .iter()
            .map(|c| Col::new(format!("{} (tkr)", c.rubrik), Kind::Tkr)),
    );
    let mut g = Grid::new("konton", format!("{} per konto", head.namn), cols);
    for &i in &head.delar {
        let r = &d.rader[i];
        let mut cells = vec![Cell::text(r.nyckel.clone()), Cell::text(r.namn.clone())];
        cells.extend(r.varden.iter().map(|v| Cell::Num(*v)));
        g.push(cells);
    }
    let mut sum = vec![Cell::text("Summa"), Cell::text(head.namn.clone())];
    sum.extend(head.varden.iter().map(|v| Cell::Num(*v)));
    g.push_class("sum", sum);
    Some(g)
}
