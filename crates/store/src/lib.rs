//! The Resurs store: schema, migrations, queries and transactions.
//!
//! All SQL of the project lives in this crate. The default backend is one
//! SQLite file. Statements use only SQL that PostgreSQL also accepts
//! (`$1` parameters, `ON CONFLICT … DO NOTHING`, no SQLite functions), so the
//! PostgreSQL backend a later issue adds can share the queries and differ in
//! connection handling and migration files only.
//!
//! Writes go through a [`Tx`]: an import opens one, writes every row, and
//! either commits at the end or is dropped, which rolls everything back.

use chrono::NaiveDate;
use resurs_core::model::{BesokStatus, Kon, OrgNiva, OrgNode};
use resurs_core::num::Qty;
use resurs_core::period::Period;
use resurs_core::report::{HemtjanstManad, Innehall, Oversikt};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Migrations in order; the index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/0001_grund.sql"),
    include_str!("../migrations/sqlite/0002_modeller.sql"),
    include_str!("../migrations/sqlite/0003_bemanning.sql"),
    include_str!("../migrations/sqlite/0004_konto.sql"),
    include_str!("../migrations/sqlite/0005_prognos.sql"),
    include_str!("../migrations/sqlite/0006_specialpost.sql"),
    include_str!("../migrations/sqlite/0007_register.sql"),
    include_str!("../migrations/sqlite/0008_anvandare.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("kunde inte öppna databasen {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("databasfel vid {context}: {source}")]
    Sql {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("databasen {path} har schemaversion {found}, men denna version av Resurs känner bara till {known}; uppdatera Resurs")]
    TooNew { path: String, found: i64, known: i64 },
    /// A stored value that cannot be read is an error, never a default.
    #[error("värdet \"{value}\" i {table}.{column} kan inte läsas: förväntade {expected}")]
    Value {
        table: &'static str,
        column: &'static str,
        value: String,
        expected: String,
    },
}

/// A stored value that cannot be read.
fn unreadable(table: &'static str, column: &'static str, value: &str, expected: impl Into<String>) -> StoreError {
    StoreError::Value {
        table,
        column,
        value: value.to_string(),
        expected: expected.into(),
    }
}

/// Reads a stored date (`YYYY-MM-DD`).
fn stored_date(table: &'static str, column: &'static str, s: &str) -> Result<NaiveDate> {
    resurs_core::date::parse_date(s).ok_or_else(|| unreadable(table, column, s, "ett datum ÅÅÅÅ-MM-DD"))
}

/// Checks that a date column of returned rows holds dates (the rows keep
/// their text; the callers parse it).
fn check_date(table: &'static str, column: &'static str, s: &str) -> Result<()> {
    stored_date(table, column, s).map(|_| ())
}

/// Checks a stored regiform code: an unknown one must not be taken for
/// own operation (which would drop VAT compensation silently).
fn check_regiform(s: &str) -> Result<()> {
    match resurs_core::model::Regiform::parse_sv(s) {
        Some(_) => Ok(()),
        None => Err(unreadable(
            "utforare",
            "regiform",
            s,
            resurs_core::model::Regiform::expected(),
        )),
    }
}

/// Reads a stored month (`yyyymm`).
fn stored_period(table: &'static str, column: &'static str, p: i64) -> Result<Period> {
    Period::from_int(p).ok_or_else(|| unreadable(table, column, &p.to_string(), "en månad ÅÅÅÅMM"))
}

pub type Result<T> = std::result::Result<T, StoreError>;

trait Ctx<T> {
    fn ctx(self, context: &'static str) -> Result<T>;
}
impl<T> Ctx<T> for rusqlite::Result<T> {
    fn ctx(self, context: &'static str) -> Result<T> {
        self.map_err(|source| StoreError::Sql { context, source })
    }
}

fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Tables that map a code (or pseudonym) to an internal id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeTable {
    Utforare,
    Insats,
    Brukare,
    Personal,
}

impl CodeTable {
    fn sql(self) -> &'static str {
        match self {
            CodeTable::Utforare => "SELECT kod, id FROM utforare",
            CodeTable::Insats => "SELECT kod, id FROM insats",
            CodeTable::Brukare => "SELECT pseudonym, id FROM brukare",
            CodeTable::Personal => "SELECT pseudonym, id FROM personal",
        }
    }
}

/// A provider: (code, name, regiform code, places, staffing type code).
pub type ProviderRow = (String, String, String, Option<i64>, Option<String>);
/// A performed visit: (brukare, utförare, insats, actual start, actual end), times in minutes.
pub type VisitRow = (String, String, String, i64, i64);
/// A stay: (brukare, enhet, plats, inflyttning, utflyttning).
pub type StayRow = (String, String, String, String, Option<String>);
/// A decision: (beslut_id, brukare, utförare, insats, nivå, startdatum, slutdatum, beviljad in hundredths).
pub type DecisionRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
);
/// An intraprenad's entry for a year: (incoming or `None`, use of equity, comment).
pub type IntraprenadEntry = (Option<i64>, i64, String);

/// A measure: (slag, plan, node, measure, (planned, to date, forecast) öre, comment).
pub type MeasureRow = (String, String, String, String, (i64, i64, i64), String);
/// An investment: (project, node, budget, outcome, comment).
pub type InvestmentRow = (String, String, i64, i64, String);
/// A state grant: (name, node, amount, used, report-back date, repayment, comment).
pub type GrantRow = (String, String, i64, i64, Option<String>, i64, String);

/// A special effect: (tag, part, node, month or `None`, outcome öre, forecast öre, comment).
pub type SpecialEffectRow = (String, String, String, Option<Period>, i64, i64, String);
/// A budget sum: (ansvar, account, month or `None` for annual rows, öre).
pub type BudgetCell = (String, String, Option<Period>, i64);
/// A personal-assistance period: (brukare, utförare, regiform code, från,
/// till, beviljade and utförda in hundredths, FK hourly amount in öre).
pub type AssistanceRow = (String, String, String, String, String, i64, i64, i64);
/// A placement: (brukare, utförare, typ, startdatum, slutdatum, dygnskostnad öre).
pub type PlacementRow = (String, String, String, String, Option<String>, i64);
/// A granted volume: (utförare, insats, beviljad in hundredths, startdatum, slutdatum).
pub type GrantedRow = (String, String, i64, String, Option<String>);
/// A stored settlement: (id, period, created, fingerprint, total öre, result JSON).
pub type SettlementRow = (i64, i64, String, String, i64, String);

/// An earlier import of the same content.
#[derive(Debug, Clone)]
pub struct PriorImport {
    pub filnamn: String,
    pub importerad: String,
    pub tillagda: i64,
}

/// The kinds of data with their table, label and how to read their span.
const KINDS: &[(&str, &str, &str)] = &[
    (
        "org_nod",
        "organisationsnoder",
        "SELECT MIN(giltig_fran), MAX(giltig_fran) FROM org_nod",
    ),
    ("utforare", "utförare och enheter", ""),
    ("insats", "insatser", ""),
    ("brukare", "brukare (pseudonymer)", ""),
    ("personal", "personal (pseudonymer)", ""),
    (
        "beslut",
        "beslut",
        "SELECT MIN(beslutsdatum), MAX(beslutsdatum) FROM beslut",
    ),
    (
        "besok",
        "besök (utförd tid)",
        "SELECT MIN(period), MAX(period) FROM besok",
    ),
    (
        "vistelse",
        "vistelser",
        "SELECT MIN(inflyttning), MAX(COALESCE(utflyttning, inflyttning)) FROM vistelse",
    ),
    ("narvaro", "närvarodagar", "SELECT MIN(datum), MAX(datum) FROM narvaro"),
    (
        "placering",
        "placeringar",
        "SELECT MIN(startdatum), MAX(COALESCE(slutdatum, startdatum)) FROM placering",
    ),
    (
        "assistans",
        "assistansperioder",
        "SELECT MIN(fran), MAX(till) FROM assistans",
    ),
    (
        "huvudbok",
        "huvudboksrader",
        "SELECT MIN(period), MAX(period) FROM huvudbok",
    ),
    ("budget", "budgetrader", "SELECT MIN(ar), MAX(ar) FROM budget"),
    (
        "befolkning",
        "befolkningsrader",
        "SELECT MIN(ar), MAX(ar) FROM befolkning",
    ),
];

/// A user of the web application (the password as its argon2id hash).
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub namn: String,
    pub roll: String,
    pub nod: Option<String>,
    pub losenord: String,
    pub aktiv: bool,
}

/// A ledger line: (period yyyymm, verksamhet, amount öre, text).
pub type LedgerLineRow = (i64, String, i64, Option<String>);

/// An import: (id, typ, filnamn, rader, tillagda, importerad).
pub type ImportRow = (i64, String, String, i64, i64, String);

/// One entry of the audit log.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: i64,
    pub tid: String,
    pub vem: String,
    pub handling: String,
    pub objekt: String,
    pub fore: Option<String>,
    pub efter: Option<String>,
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies any
    /// pending migrations.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        // 16 KiB pages: fewer B-tree splits when millions of visits are
        // inserted (takes effect only for a new, empty database file).
        conn.execute_batch(
            "PRAGMA page_size = 16384; PRAGMA journal_mode = DELETE; PRAGMA synchronous = NORMAL; \
             PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA busy_timeout = 10000;",
        )
        .ctx("inställning av databasen")?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("läsning av schemaversion")?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.path.display().to_string(),
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction().ctx("migrering")?;
            tx.execute_batch(sql).ctx("migrering")?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .ctx("migrering")?;
            tx.commit().ctx("migrering")?;
        }
        Ok(())
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("läsning av schemaversion")
    }

    /// Whether any data (other than settings) has been stored.
    pub fn has_data(&self) -> Result<bool> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM import_logg", [], |r| r.get(0))
            .ctx("kontroll av innehåll")?;
        Ok(n > 0)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT varde FROM meta WHERE nyckel = $1", [key], |r| r.get(0))
            .optional()
            .ctx("läsning av inställning")
    }

    pub fn prior_import(&self, typ: &str, sha256: &str) -> Result<Option<PriorImport>> {
        self.conn
            .query_row(
                "SELECT filnamn, importerad, tillagda FROM import_logg WHERE typ = $1 AND sha256 = $2",
                [typ, sha256],
                |r| {
                    Ok(PriorImport {
                        filnamn: r.get(0)?,
                        importerad: r.get(1)?,
                        tillagda: r.get(2)?,
                    })
                },
            )
            .optional()
            .ctx("läsning av importlogg")
    }

    pub fn org_nodes(&self) -> Result<Vec<OrgNode>> {
        let mut st = self
            .conn
            .prepare("SELECT kod, namn, niva, overordnad, giltig_fran, giltig_till FROM org_nod ORDER BY id")
            .ctx("läsning av organisation")?;
        type Raw = (String, String, String, Option<String>, String, Option<String>);
        let rows = st
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .ctx("läsning av organisation")?;
        let raw = rows
            .collect::<rusqlite::Result<Vec<Raw>>>()
            .ctx("läsning av organisation")?;
        raw.into_iter()
            .map(|(kod, namn, niva, overordnad, from, to)| {
                Ok(OrgNode {
                    kod,
                    namn,
                    niva: OrgNiva::parse_sv(&niva)
                        .ok_or_else(|| unreadable("org_nod", "niva", &niva, OrgNiva::expected()))?,
                    overordnad,
                    giltig_fran: stored_date("org_nod", "giltig_fran", &from)?,
                    giltig_till: to.map(|t| stored_date("org_nod", "giltig_till", &t)).transpose()?,
                })
            })
            .collect()
    }

    /// Code (or pseudonym) → id for one table.
    pub fn code_ids(&self, table: CodeTable) -> Result<HashMap<String, i64>> {
        let mut st = self.conn.prepare(table.sql()).ctx("läsning av koder")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("läsning av koder")?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
            .ctx("läsning av koder")
    }

    /// Code → legal basis (`lagrum`) of every service.
    pub fn insats_lagrum(&self) -> Result<HashMap<String, String>> {
        let mut st = self
            .conn
            .prepare("SELECT kod, lagrum FROM insats")
            .ctx("läsning av insatser")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("läsning av insatser")?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
            .ctx("läsning av insatser")
    }

    /// Every stored model version as (id, JSON content), oldest first.
    pub fn model_versions(&self) -> Result<Vec<(i64, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT id, innehall FROM modell_version ORDER BY namn, giltig_fran")
            .ctx("läsning av modeller")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("läsning av modeller")?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av modeller")
    }

    /// Providers as (code, name, regiform code, places).
    pub fn providers(&self) -> Result<Vec<ProviderRow>> {
        let mut st = self
            .conn
            .prepare("SELECT kod, namn, regiform, platser, bemanning FROM utforare ORDER BY kod")
            .ctx("läsning av utförare")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .ctx("läsning av utförare")?;
        let rows: Vec<ProviderRow> = rows.collect::<rusqlite::Result<_>>().ctx("läsning av utförare")?;
        for r in &rows {
            check_regiform(&r.2)?;
        }
        Ok(rows)
    }

    /// Performed visits of `period`: (brukare, utförare, insats, actual start, actual end) in minutes.
    pub fn performed_visits(&self, period: Period) -> Result<Vec<VisitRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT b.pseudonym, u.kod, i.kod, v.fakt_start, v.fakt_slut FROM besok v \
                 JOIN brukare b ON b.id = v.brukare_id JOIN utforare u ON u.id = v.utforare_id \
                 JOIN insats i ON i.id = v.insats_id \
                 WHERE v.period = $1 AND v.status = $2 AND v.fakt_start IS NOT NULL AND v.fakt_slut IS NOT NULL \
                 ORDER BY v.id",
            )
            .ctx("läsning av besök")?;
        let rows = st
            .query_map(params![period.as_int(), status_code(BesokStatus::Utford)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .ctx("läsning av besök")?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av besök")
    }

    /// Performed visits of `period`, streamed without collecting them: `f`
    /// gets (brukare, utförare, insats, actual start, actual end in minutes)
    /// borrowed from the row. The settlement reads a month this way.
    pub fn each_performed_visit(&self, period: Period, mut f: impl FnMut(&str, &str, &str, i64, i64)) -> Result<()> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT b.pseudonym, u.kod, i.kod, v.fakt_start, v.fakt_slut FROM besok v \
                 JOIN brukare b ON b.id = v.brukare_id JOIN utforare u ON u.id = v.utforare_id \
                 JOIN insats i ON i.id = v.insats_id \
                 WHERE v.period = $1 AND v.status = $2 AND v.fakt_start IS NOT NULL AND v.fakt_slut IS NOT NULL \
                 ORDER BY v.id",
            )
            .ctx("läsning av besök")?;
        let mut rows = st
            .query(params![period.as_int(), status_code(BesokStatus::Utford)])
            .ctx("läsning av besök")?;
        while let Some(r) = rows.next().ctx("läsning av besök")? {
            let text = |i: usize| r.get_ref(i).ok().and_then(|v| v.as_str().ok()).unwrap_or("");
            let (s, e): (i64, i64) = (r.get(3).ctx("läsning av besök")?, r.get(4).ctx("läsning av besök")?);
            f(text(0), text(1), text(2), s, e);
        }
        Ok(())
    }

    /// Stays overlapping `[from, to]`: (brukare, enhet, plats, inflyttning, utflyttning).
    pub fn stays_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<StayRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT b.pseudonym, u.kod, v.plats, v.inflyttning, v.utflyttning FROM vistelse v \
                 JOIN brukare b ON b.id = v.brukare_id JOIN utforare u ON u.id = v.utforare_id \
                 WHERE v.inflyttning <= $1 AND (v.utflyttning IS NULL OR v.utflyttning >= $2) ORDER BY v.id",
            )
            .ctx("läsning av vistelser")?;
        let rows = st
            .query_map([date_str(to), date_str(from)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .ctx("läsning av vistelser")?;
        let rows: Vec<StayRow> = rows.collect::<rusqlite::Result<_>>().ctx("läsning av vistelser")?;
        for r in &rows {
            check_date("vistelse", "inflyttning", &r.3)?;
            if let Some(d) = &r.4 {
                check_date("vistelse", "utflyttning", d)?;
            }
        }
        Ok(rows)
    }

    /// Carried-out decisions with a provider overlapping `[from, to]`:
    /// (brukare, utförare, insats, nivå, startdatum, slutdatum).
    pub fn decisions_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DecisionRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT d.beslut_id, b.pseudonym, u.kod, i.kod, d.niva, d.startdatum, d.slutdatum, d.beviljad FROM beslut d \
                 JOIN brukare b ON b.id = d.brukare_id JOIN utforare u ON u.id = d.utforare_id \
                 JOIN insats i ON i.id = d.insats_id \
                 WHERE d.startdatum IS NOT NULL AND d.startdatum <= $1 AND (d.slutdatum IS NULL OR d.slutdatum >= $2) \
                 ORDER BY d.id",
            )
            .ctx("läsning av beslut")?;
        let rows = st
            .query_map([date_str(to), date_str(from)], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .ctx("läsning av beslut")?;
        let rows: Vec<DecisionRow> = rows.collect::<rusqlite::Result<_>>().ctx("läsning av beslut")?;
        for r in &rows {
            check_date("beslut", "startdatum", &r.5)?;
            if let Some(d) = &r.6 {
                check_date("beslut", "slutdatum", d)?;
            }
        }
        Ok(rows)
    }

    /// Granted volume of carried-out decisions with a provider overlapping
    /// `[from, to]`: (utförare, insats, beviljad in hundredths, startdatum, slutdatum).
    pub fn granted_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<GrantedRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT u.kod, i.kod, d.beviljad, d.startdatum, d.slutdatum FROM beslut d \
                 JOIN utforare u ON u.id = d.utforare_id JOIN insats i ON i.id = d.insats_id \
                 WHERE d.beviljad IS NOT NULL AND d.startdatum IS NOT NULL AND d.startdatum <= $1 \
                 AND (d.slutdatum IS NULL OR d.slutdatum >= $2) ORDER BY d.id",
            )
            .ctx("läsning av beslut")?;
        let rows = st
            .query_map([date_str(to), date_str(from)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .ctx("läsning av beslut")?;
        let rows: Vec<GrantedRow> = rows.collect::<rusqlite::Result<_>>().ctx("läsning av beslut")?;
        for r in &rows {
            check_date("beslut", "startdatum", &r.3)?;
            if let Some(d) = &r.4 {
                check_date("beslut", "slutdatum", d)?;
            }
        }
        Ok(rows)
    }

    /// Attendance days of `period`: (brukare, enhet, datum, omfattning code).
    pub fn attendance_in(&self, period: Period) -> Result<Vec<(String, String, String, String)>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT b.pseudonym, u.kod, n.datum, n.omfattning FROM narvaro n \
                 JOIN brukare b ON b.id = n.brukare_id JOIN utforare u ON u.id = n.utforare_id \
                 WHERE n.datum >= $1 AND n.datum <= $2 ORDER BY n.id",
            )
            .ctx("läsning av närvaro")?;
        let rows = st
            .query_map([date_str(period.first_day()), date_str(period.last_day())], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .ctx("läsning av närvaro")?;
        let rows: Vec<(String, String, String, String)> =
            rows.collect::<rusqlite::Result<_>>().ctx("läsning av närvaro")?;
        for r in &rows {
            check_date("narvaro", "datum", &r.2)?;
        }
        Ok(rows)
    }

    /// Placements overlapping `period`.
    pub fn placements_in(&self, period: Period) -> Result<Vec<PlacementRow>> {
        self.placements_between(period.first_day(), period.last_day())
    }

    /// Placements overlapping `[from, to]`.
    pub fn placements_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<PlacementRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT b.pseudonym, u.kod, p.typ, p.startdatum, p.slutdatum, p.dygnskostnad FROM placering p \
                 JOIN brukare b ON b.id = p.brukare_id JOIN utforare u ON u.id = p.utforare_id \
                 WHERE p.startdatum <= $1 AND (p.slutdatum IS NULL OR p.slutdatum >= $2) ORDER BY p.id",
            )
            .ctx("läsning av placeringar")?;
        let rows = st
            .query_map([date_str(to), date_str(from)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .ctx("läsning av placeringar")?;
        let rows: Vec<PlacementRow> = rows.collect::<rusqlite::Result<_>>().ctx("läsning av placeringar")?;
        for r in &rows {
            check_date("placering", "startdatum", &r.3)?;
            if let Some(d) = &r.4 {
                check_date("placering", "slutdatum", d)?;
            }
        }
        Ok(rows)
    }

    /// Personal-assistance periods in force on `day`: (brukare, utförare,
    /// regiform code, från, till, beviljade, utförda in hundredths, FK rate öre).
    pub fn assistance_on(&self, day: NaiveDate) -> Result<Vec<AssistanceRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT b.pseudonym, u.kod, u.regiform, a.fran, a.till, a.beviljade, a.utforda, a.fk_timbelopp \
                 FROM assistans a JOIN brukare b ON b.id = a.brukare_id JOIN utforare u ON u.id = a.utforare_id \
                 WHERE a.fran <= $1 AND a.till >= $1 ORDER BY u.kod, b.pseudonym",
            )
            .ctx("läsning av assistans")?;
        let rows = st
            .query_map([date_str(day)], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .ctx("läsning av assistans")?;
        let rows: Vec<AssistanceRow> = rows.collect::<rusqlite::Result<_>>().ctx("läsning av assistans")?;
        for r in &rows {
            check_regiform(&r.2)?;
            check_date("assistans", "fran", &r.3)?;
            check_date("assistans", "till", &r.4)?;
        }
        Ok(rows)
    }

    /// The newest adopted or revised budget version of `year`, if any.
    pub fn current_budget_version(&self, year: i32) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT version FROM budget WHERE ar = $1 AND typ IN ('beslutad', 'reviderad') ORDER BY id DESC LIMIT 1",
                params![year],
                |r| r.get(0),
            )
            .optional()
            .ctx("läsning av budget")
    }

    /// Budget total (öre) of `version` and `year` over the given ansvar
    /// codes and accounts (every account when `konton` is empty).
    pub fn budget_total(&self, version: &str, year: i32, ansvar: &[String], konton: &[String]) -> Result<i64> {
        let mut st = self
            .conn
            .prepare("SELECT ansvar, konto, belopp FROM budget WHERE version = $1 AND ar = $2")
            .ctx("läsning av budget")?;
        let rows = st
            .query_map(params![version, year], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
            })
            .ctx("läsning av budget")?;
        let mut sum = 0;
        for row in rows {
            let (a, k, b) = row.ctx("läsning av budget")?;
            if ansvar.contains(&a) && (konton.is_empty() || konton.contains(&k)) {
                sum += b;
            }
        }
        Ok(sum)
    }

    /// Ledger sums per (ansvar, account, month) for the months `[from, to]`.
    pub fn ledger_months(&self, from: Period, to: Period) -> Result<Vec<(String, String, Period, i64)>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT ansvar, konto, period, SUM(belopp) FROM huvudbok WHERE period >= $1 AND period <= $2 \
                 GROUP BY ansvar, konto, period ORDER BY ansvar, konto, period",
            )
            .ctx("läsning av huvudbok")?;
        let rows = st
            .query_map(params![from.as_int(), to.as_int()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .ctx("läsning av huvudbok")?;
        let rows: Vec<(String, String, i64, i64)> = rows.collect::<rusqlite::Result<_>>().ctx("läsning av huvudbok")?;
        rows.into_iter()
            .map(|(a, k, p, b)| Ok((a, k, stored_period("huvudbok", "period", p)?, b)))
            .collect()
    }

    /// Budget sums of `version` and `year` per (ansvar, account, month or
    /// `None` for annual rows).
    pub fn budget_cells(&self, version: &str, year: i32) -> Result<Vec<BudgetCell>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT ansvar, konto, period, SUM(belopp) FROM budget WHERE version = $1 AND ar = $2 \
                 GROUP BY ansvar, konto, period ORDER BY ansvar, konto, period",
            )
            .ctx("läsning av budget")?;
        let rows = st
            .query_map(params![version, year], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .ctx("läsning av budget")?;
        let rows: Vec<(String, String, i64, i64)> = rows.collect::<rusqlite::Result<_>>().ctx("läsning av budget")?;
        // Period 0 marks an annual row.
        rows.into_iter()
            .map(|(a, k, p, b)| {
                let month = (p != 0).then(|| stored_period("budget", "period", p)).transpose()?;
                Ok((a, k, month, b))
            })
            .collect()
    }

    /// Budget lines of `version` and `year` summed over months: (ansvar, account, verksamhet, öre).
    pub fn budget_lines(&self, version: &str, year: i32) -> Result<Vec<(String, String, String, i64)>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT ansvar, konto, verksamhet, SUM(belopp) FROM budget WHERE version = $1 AND ar = $2 \
                 GROUP BY ansvar, konto, verksamhet ORDER BY ansvar, konto, verksamhet",
            )
            .ctx("läsning av budget")?;
        let rows = st
            .query_map(params![version, year], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .ctx("läsning av budget")?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av budget")
    }

    /// Population of `year` aged `[from, to]`: outcome when there is one, else
    /// the forecast; `None` when the year has neither.
    pub fn population_band(&self, year: i32, from: u32, to: u32) -> Result<Option<(i64, String)>> {
        for typ in ["utfall", "prognos"] {
            let (n, count): (i64, i64) = self
                .conn
                .query_row(
                    "SELECT COALESCE(SUM(antal), 0), COUNT(*) FROM befolkning WHERE ar = $1 AND typ = $2 \
                     AND alder >= $3 AND alder <= $4",
                    params![year, typ, from, to],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .ctx("läsning av befolkning")?;
            if count > 0 {
                return Ok(Some((n, typ.to_string())));
            }
        }
        Ok(None)
    }

    /// Budget versions of `year` as (version, typ).
    pub fn budget_versions(&self, year: i32) -> Result<Vec<(String, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT version, MIN(typ) FROM budget WHERE ar = $1 GROUP BY version ORDER BY MIN(id)")
            .ctx("läsning av budget")?;
        let rows = st
            .query_map(params![year], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("läsning av budget")?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av budget")
    }

    /// Account names.
    pub fn konto_names(&self) -> Result<HashMap<String, String>> {
        let mut st = self
            .conn
            .prepare("SELECT kod, namn FROM konto")
            .ctx("läsning av konton")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("läsning av konton")?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
            .ctx("läsning av konton")
    }

    /// Intraprenad balances entered for `year`: ansvar → (incoming or `None`, use of equity, comment).
    pub fn intraprenad_entries(&self, year: i32) -> Result<HashMap<String, IntraprenadEntry>> {
        let mut st = self
            .conn
            .prepare("SELECT ansvar, ingaende, uttag, kommentar FROM intraprenad_saldo WHERE ar = $1")
            .ctx("läsning av intraprenader")?;
        let rows = st
            .query_map(params![year], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
            .ctx("läsning av intraprenader")?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
            .ctx("läsning av intraprenader")
    }

    /// Providers run as intraprenader: (code, name, ansvar).
    pub fn intraprenader(&self) -> Result<Vec<(String, String, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT kod, namn, ansvar FROM utforare WHERE regiform = 'intraprenad' AND ansvar IS NOT NULL ORDER BY kod")
            .ctx("läsning av intraprenader")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx("läsning av intraprenader")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("läsning av intraprenader")
    }

    /// Measures of `year`: (slag, plan, node, measure, planned, to date, forecast öre, comment).
    pub fn measures(&self, year: i32) -> Result<Vec<MeasureRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT slag, plan, nod, atgard, planerad, hittills, prognos, kommentar FROM atgard \
                 WHERE ar = $1 ORDER BY slag, plan, id",
            )
            .ctx("läsning av åtgärder")?;
        let rows = st
            .query_map(params![year], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    (r.get(4)?, r.get(5)?, r.get(6)?),
                    r.get(7)?,
                ))
            })
            .ctx("läsning av åtgärder")?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av åtgärder")
    }

    /// State grants of `year`: (name, node, amount, used, report-back date, repayment, comment).
    pub fn grants(&self, year: i32) -> Result<Vec<GrantRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT namn, nod, belopp, anvant, aterrapport, aterbetalning, kommentar FROM statsbidrag \
                 WHERE ar = $1 ORDER BY namn, nod",
            )
            .ctx("läsning av statsbidrag")?;
        let rows = st
            .query_map(params![year], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .ctx("läsning av statsbidrag")?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av statsbidrag")
    }

    /// Investments of `year`: (project, node, budget, outcome, comment).
    pub fn investments(&self, year: i32) -> Result<Vec<InvestmentRow>> {
        let mut st = self
            .conn
            .prepare("SELECT projekt, nod, budget, utfall, kommentar FROM investering WHERE ar = $1 ORDER BY projekt")
            .ctx("läsning av investeringar")?;
        let rows = st
            .query_map(params![year], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .ctx("läsning av investeringar")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("läsning av investeringar")
    }

    /// Special effects of `year`.
    pub fn special_effects(&self, year: i32) -> Result<Vec<SpecialEffectRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT tagg, del, nod, period, utfall, prognos, kommentar FROM specialpost WHERE ar = $1 ORDER BY id",
            )
            .ctx("läsning av specialposter")?;
        let rows = st
            .query_map(params![year], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .ctx("läsning av specialposter")?;
        let rows = rows
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("läsning av specialposter")?;
        rows.into_iter()
            .map(|(t, d, n, p, u, f, k)| {
                let month = p.map(|p| stored_period("specialpost", "period", p)).transpose()?;
                Ok((t, d, n, month, u, f, k))
            })
            .collect()
    }

    /// Forecast versions of `year`: (id, name, checkpoint month), oldest checkpoint first.
    pub fn forecast_versions(&self, year: i32) -> Result<Vec<(i64, String, i64)>> {
        let mut st = self
            .conn
            .prepare("SELECT id, namn, period FROM prognos_version WHERE ar = $1 ORDER BY period, id")
            .ctx("läsning av prognoser")?;
        let rows = st
            .query_map(params![year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx("läsning av prognoser")?;
        let rows: Vec<(i64, String, i64)> = rows.collect::<rusqlite::Result<_>>().ctx("läsning av prognoser")?;
        for r in &rows {
            stored_period("prognos_version", "period", r.2)?;
        }
        Ok(rows)
    }

    /// The forecasts of a version: (node, amount öre, comment).
    pub fn forecasts(&self, version_id: i64) -> Result<Vec<(String, i64, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT nod, belopp, kommentar FROM prognos WHERE version_id = $1 ORDER BY nod")
            .ctx("läsning av prognoser")?;
        let rows = st
            .query_map(params![version_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx("läsning av prognoser")?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av prognoser")
    }

    /// Provider code → the ansvar that carries its costs.
    pub fn provider_ansvar(&self) -> Result<HashMap<String, String>> {
        let mut st = self
            .conn
            .prepare("SELECT kod, ansvar FROM utforare WHERE ansvar IS NOT NULL")
            .ctx("läsning av utförare")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("läsning av utförare")?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
            .ctx("läsning av utförare")
    }

    /// Ledger total (öre) of `ansvar` over the months `[from, to]`.
    pub fn ledger_total(&self, ansvar: &str, from: Period, to: Period) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT COALESCE(SUM(belopp), 0) FROM huvudbok WHERE ansvar = $1 AND period >= $2 AND period <= $3",
                params![ansvar, from.as_int(), to.as_int()],
                |r| r.get(0),
            )
            .ctx("läsning av huvudbok")
    }

    /// The ledger lines of `ansvar` and `konto` from `from` through `to`:
    /// (period yyyymm, verksamhet, amount öre, text), in order.
    pub fn ledger_lines(&self, ansvar: &str, konto: &str, from: Period, to: Period) -> Result<Vec<LedgerLineRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT period, verksamhet, belopp, text FROM huvudbok \
                 WHERE ansvar = $1 AND konto = $2 AND period >= $3 AND period <= $4 ORDER BY period, id",
            )
            .ctx("läsning av huvudbok")?;
        let rows = st
            .query_map(params![ansvar, konto, from.as_int(), to.as_int()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .ctx("läsning av huvudbok")?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av huvudbok")
    }

    /// The last month with ledger lines.
    pub fn latest_ledger_period(&self) -> Result<Option<Period>> {
        let p: Option<i64> = self
            .conn
            .query_row("SELECT MAX(period) FROM huvudbok", [], |r| r.get(0))
            .ctx("läsning av huvudbok")?;
        p.map(|p| stored_period("huvudbok", "period", p)).transpose()
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserRow>> {
        let mut st = self
            .conn
            .prepare("SELECT id, namn, roll, nod, losenord, aktiv FROM anvandare ORDER BY namn")
            .ctx("läsning av användare")?;
        let rows = st
            .query_map([], |r| {
                Ok(UserRow {
                    id: r.get(0)?,
                    namn: r.get(1)?,
                    roll: r.get(2)?,
                    nod: r.get(3)?,
                    losenord: r.get(4)?,
                    aktiv: r.get::<_, i64>(5)? != 0,
                })
            })
            .ctx("läsning av användare")?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av användare")
    }

    /// The active user holding the API token with this SHA-256.
    pub fn user_by_token(&self, sha256: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT a.namn FROM api_nyckel k JOIN anvandare a ON a.id = k.anvandare \
                 WHERE k.sha256 = $1 AND k.aterkallad IS NULL AND a.aktiv = 1",
                [sha256],
                |r| r.get(0),
            )
            .optional()
            .ctx("läsning av API-nyckel")
    }

    /// The audit log, newest first: (id, tid, vem, handling, objekt, före, efter).
    pub fn audit_log(&self, limit: i64) -> Result<Vec<AuditRow>> {
        let mut st = self
            .conn
            .prepare("SELECT id, tid, vem, handling, objekt, fore, efter FROM handelselogg ORDER BY id DESC LIMIT $1")
            .ctx("läsning av händelseloggen")?;
        let rows = st
            .query_map([limit], |r| {
                Ok(AuditRow {
                    id: r.get(0)?,
                    tid: r.get(1)?,
                    vem: r.get(2)?,
                    handling: r.get(3)?,
                    objekt: r.get(4)?,
                    fore: r.get(5)?,
                    efter: r.get(6)?,
                })
            })
            .ctx("läsning av händelseloggen")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("läsning av händelseloggen")
    }

    /// Imports, newest first: (id, typ, filnamn, rader, tillagda, importerad).
    pub fn imports(&self) -> Result<Vec<ImportRow>> {
        let mut st = self
            .conn
            .prepare("SELECT id, typ, filnamn, rader, tillagda, importerad FROM import_logg ORDER BY id DESC")
            .ctx("läsning av importloggen")?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .ctx("läsning av importloggen")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("läsning av importloggen")
    }

    /// A counter that changes whenever another connection commits a change
    /// to the database (SQLite's `data_version`); used to drop cached pages.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .ctx("läsning av dataversion")
    }

    /// Months that have performed visits, in order.
    pub fn visit_periods(&self) -> Result<Vec<Period>> {
        let mut st = self
            .conn
            .prepare("SELECT DISTINCT period FROM besok ORDER BY period")
            .ctx("läsning av besök")?;
        let rows = st.query_map([], |r| r.get::<_, i64>(0)).ctx("läsning av besök")?;
        let v = rows.collect::<rusqlite::Result<Vec<_>>>().ctx("läsning av besök")?;
        v.into_iter().map(|p| stored_period("besok", "period", p)).collect()
    }

    /// A stored settlement run: (id, period, created, fingerprint, total öre, result JSON).
    pub fn settlement(&self, id: i64) -> Result<Option<SettlementRow>> {
        self.conn
            .query_row(
                "SELECT id, period, skapad, fingeravtryck, belopp, resultat FROM avrakning WHERE id = $1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()
            .ctx("läsning av avräkning")
    }

    /// The latest earlier run of `period` with the same input fingerprint: (id, total öre).
    pub fn settlement_by_fingerprint(&self, period: Period, fingerprint: &str) -> Result<Option<(i64, i64)>> {
        self.conn
            .query_row(
                "SELECT id, belopp FROM avrakning WHERE period = $1 AND fingeravtryck = $2 ORDER BY id DESC LIMIT 1",
                params![period.as_int(), fingerprint],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .ctx("läsning av avräkning")
    }

    /// Starts a write transaction; dropping it without [`Tx::commit`] rolls
    /// back everything written through it.
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        self.conn.execute_batch("BEGIN").ctx("start av transaktion")?;
        Ok(Tx {
            conn: &self.conn,
            done: false,
        })
    }

    /// Overview for `resurs info`.
    pub fn overview(&self) -> Result<Oversikt> {
        let mut innehall = Vec::new();
        for (table, label, span_sql) in KINDS {
            let antal: i64 = self
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .ctx("räkning")?;
            let (fran, till) = if span_sql.is_empty() || antal == 0 {
                (None, None)
            } else {
                self.conn
                    .query_row(span_sql, [], |r| {
                        Ok((value_text(r.get_ref(0)?), value_text(r.get_ref(1)?)))
                    })
                    .ctx("läsning av omfång")?
            };
            let fix = |v: Option<String>| v.map(|s| period_text(table, s));
            innehall.push(Innehall {
                typ: table,
                namn: label,
                antal,
                fran: fix(fran),
                till: fix(till),
            });
        }
        let mut st = self
            .conn
            .prepare(
                "SELECT period, COUNT(DISTINCT brukare_id), SUM(fakt_slut - fakt_start), COUNT(*) \
                 FROM besok WHERE status = $1 AND fakt_slut IS NOT NULL GROUP BY period ORDER BY period",
            )
            .ctx("sammanställning av hemtjänst")?;
        let rows = st
            .query_map([status_code(BesokStatus::Utford)], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get::<_, i64>(2)?, r.get(3)?))
            })
            .ctx("sammanställning av hemtjänst")?;
        let hemtjanst = rows
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("sammanställning av hemtjänst")?
            .into_iter()
            .map(|(p, brukare, minutes, besok)| {
                Ok(HemtjanstManad {
                    period: stored_period("besok", "period", p)?,
                    brukare,
                    utforda_timmar: Qty::from_minutes(minutes),
                    besok,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let importer = self
            .conn
            .query_row("SELECT COUNT(*) FROM import_logg", [], |r| r.get(0))
            .ctx("räkning")?;
        Ok(Oversikt {
            databas: self.path.display().to_string(),
            schemaversion: self.schema_version()?,
            importer,
            innehall,
            hemtjanst,
        })
    }

    /// SHA-256 over the content of every data table in a fixed order, leaving
    /// out clock times (of imports and model loads) and stored settlement runs
    /// (which are results, not data). Two databases with the same checksum
    /// hold the same data.
    pub fn content_checksum(&self) -> Result<String> {
        let mut h = Sha256::new();
        let mut tables: Vec<&str> = vec!["meta"];
        tables.extend(KINDS.iter().map(|k| k.0));
        tables.push("import_logg");
        tables.push("modell_version");
        tables.extend([
            "konto",
            "prognos_version",
            "prognos",
            "specialpost",
            "intraprenad_saldo",
            "atgard",
            "statsbidrag",
            "investering",
        ]);
        for t in tables {
            let sql = match t {
                "import_logg" => {
                    "SELECT id, typ, filnamn, sha256, rader, tillagda FROM import_logg ORDER BY id".to_string()
                }
                "meta" => "SELECT nyckel, varde FROM meta ORDER BY nyckel".to_string(),
                "konto" => "SELECT kod, namn FROM konto ORDER BY kod".to_string(),
                "prognos_version" => "SELECT id, namn, ar, period FROM prognos_version ORDER BY id".to_string(),
                "prognos" => "SELECT id, version_id, nod, belopp, kommentar FROM prognos ORDER BY id".to_string(),
                "specialpost" => {
                    "SELECT id, tagg, del, nod, ar, period, utfall, prognos, kommentar FROM specialpost ORDER BY id"
                        .to_string()
                }
                "modell_version" => {
                    "SELECT id, namn, typ, giltig_fran, giltig_till, innehall, sha256, fil FROM modell_version ORDER BY id"
                        .to_string()
                }
                _ => format!("SELECT * FROM {t} ORDER BY id"),
            };
            h.update(t.as_bytes());
            let mut st = self.conn.prepare(&sql).ctx("kontrollsumma")?;
            let n = st.column_count();
            let mut rows = st.query([]).ctx("kontrollsumma")?;
            while let Some(r) = rows.next().ctx("kontrollsumma")? {
                for i in 0..n {
                    match r.get_ref(i).ctx("kontrollsumma")? {
                        ValueRef::Null => h.update([0u8]),
                        ValueRef::Integer(v) => {
                            h.update([1u8]);
                            h.update(v.to_le_bytes());
                        }
                        ValueRef::Real(v) => {
                            h.update([2u8]);
                            h.update(v.to_le_bytes());
                        }
                        ValueRef::Text(s) | ValueRef::Blob(s) => {
                            h.update([3u8]);
                            h.update((s.len() as u64).to_le_bytes());
                            h.update(s);
                        }
                    }
                }
            }
        }
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

fn value_text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// Periods are stored as yyyymm; show them as YYYY-MM.
fn period_text(table: &str, s: String) -> String {
    if matches!(table, "besok" | "huvudbok") {
        if let Some(p) = s.parse::<i64>().ok().and_then(Period::from_int) {
            return p.to_string();
        }
    }
    s
}

/// Storage code of a visit status.
pub fn status_code(s: BesokStatus) -> i64 {
    match s {
        BesokStatus::Utford => 0,
        BesokStatus::Installd => 1,
        BesokStatus::Bomtid => 2,
    }
}

/// A write transaction. Insert methods return `false` when the row's key
/// already exists (a duplicate), and nothing is written for that row.
pub struct Tx<'c> {
    conn: &'c Connection,
    done: bool,
}

/// See [`Tx::besok_inserter`].
pub struct BesokInserter<'c> {
    st: rusqlite::Statement<'c>,
}

impl BesokInserter<'_> {
    /// Inserts a visit; `false` when its key (provider, visit id) exists.
    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        &mut self,
        utforare: i64,
        besok_id: &str,
        brukare: i64,
        insats: i64,
        personal: i64,
        period: Period,
        plan: (i64, i64),
        fakt: (Option<i64>, Option<i64>),
        status: BesokStatus,
        import: i64,
    ) -> Result<bool> {
        let n = self
            .st
            .execute(params![
                utforare,
                besok_id,
                brukare,
                insats,
                personal,
                period.as_int(),
                plan.0,
                plan.1,
                fakt.0,
                fakt.1,
                status_code(status),
                import
            ])
            .ctx("sparande av besök")?;
        Ok(n > 0)
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

impl<'c> Tx<'c> {
    pub fn commit(mut self) -> Result<()> {
        self.conn.execute_batch("COMMIT").ctx("sparande av import")?;
        self.done = true;
        Ok(())
    }

    fn exec(&self, context: &'static str, sql: &str, p: impl rusqlite::Params) -> Result<bool> {
        let mut st = self.conn.prepare_cached(sql).ctx(context)?;
        Ok(st.execute(p).ctx(context)? > 0)
    }

    fn insert_id(&self, context: &'static str, sql: &str, p: impl rusqlite::Params) -> Result<i64> {
        let mut st = self.conn.prepare_cached(sql).ctx(context)?;
        st.query_row(p, |r| r.get(0)).ctx(context)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.exec(
            "sparande av inställning",
            "INSERT INTO meta (nyckel, varde) VALUES ($1, $2) ON CONFLICT (nyckel) DO UPDATE SET varde = excluded.varde",
            [key, value],
        )
        .map(|_| ())
    }

    /// Records an import (its row count is filled in by [`Tx::finish_import`]).
    pub fn log_import(&self, typ: &str, filnamn: &str, sha256: &str, rader: i64, importerad: &str) -> Result<i64> {
        self.insert_id(
            "importlogg",
            "INSERT INTO import_logg (typ, filnamn, sha256, rader, tillagda, importerad) VALUES ($1, $2, $3, $4, 0, $5) RETURNING id",
            params![typ, filnamn, sha256, rader, importerad],
        )
    }

    pub fn finish_import(&self, id: i64, rader: i64, tillagda: i64) -> Result<()> {
        self.exec(
            "importlogg",
            "UPDATE import_logg SET rader = $1, tillagda = $2 WHERE id = $3",
            params![rader, tillagda, id],
        )
        .map(|_| ())
    }

    pub fn insert_org(&self, n: &OrgNode, import: i64) -> Result<bool> {
        self.exec(
            "sparande av organisation",
            "INSERT INTO org_nod (kod, namn, niva, overordnad, giltig_fran, giltig_till, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kod, giltig_fran) DO NOTHING",
            params![
                n.kod,
                n.namn,
                n.niva.code(),
                n.overordnad,
                date_str(n.giltig_fran),
                n.giltig_till.map(date_str),
                import
            ],
        )
    }

    /// An insert that returns the new row's id, or `None` on a key conflict.
    fn insert_new_id(&self, context: &'static str, sql: &str, p: impl rusqlite::Params) -> Result<Option<i64>> {
        let mut st = self.conn.prepare_cached(sql).ctx(context)?;
        st.query_row(p, |r| r.get(0)).optional().ctx(context)
    }

    pub fn insert_utforare(&self, u: &resurs_core::model::Utforare, import: i64) -> Result<Option<i64>> {
        self.insert_new_id(
            "sparande av utförare",
            "INSERT INTO utforare (kod, namn, regiform, ansvar, platser, bemanning, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kod) DO NOTHING RETURNING id",
            params![
                u.kod,
                u.namn,
                u.regiform.code(),
                u.ansvar,
                u.platser,
                u.bemanning.map(|b| b.code()),
                import
            ],
        )
    }

    pub fn insert_insats(&self, i: &resurs_core::model::Insats, import: i64) -> Result<Option<i64>> {
        self.insert_new_id(
            "sparande av insats",
            "INSERT INTO insats (kod, namn, lagrum, volymenhet, verksamhet, import_id) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (kod) DO NOTHING RETURNING id",
            params![i.kod, i.namn, i.lagrum.code(), i.volymenhet.code(), i.verksamhet.code(), import],
        )
    }

    pub fn insert_brukare(&self, pseudonym: &str, fodelsear: i32, kon: Kon, omrade: Option<&str>) -> Result<i64> {
        self.insert_id(
            "sparande av brukare",
            "INSERT INTO brukare (pseudonym, fodelsear, kon, omrade) VALUES ($1, $2, $3, $4) RETURNING id",
            params![pseudonym, fodelsear, kon.code(), omrade],
        )
    }

    pub fn set_brukare_omrade(&self, id: i64, omrade: &str) -> Result<()> {
        self.exec(
            "sparande av brukare",
            "UPDATE brukare SET omrade = $1 WHERE id = $2",
            params![omrade, id],
        )
        .map(|_| ())
    }

    pub fn insert_personal(&self, pseudonym: &str) -> Result<i64> {
        self.insert_id(
            "sparande av personal",
            "INSERT INTO personal (pseudonym) VALUES ($1) RETURNING id",
            [pseudonym],
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_beslut(
        &self,
        beslut_id: &str,
        brukare: i64,
        insats: i64,
        lagrum: &str,
        beviljad: Option<Qty>,
        niva: Option<&str>,
        utforare: Option<i64>,
        dates: [Option<NaiveDate>; 3],
        import: i64,
    ) -> Result<bool> {
        self.exec(
            "sparande av beslut",
            "INSERT INTO beslut (beslut_id, brukare_id, insats_id, lagrum, beviljad, niva, utforare_id, beslutsdatum, startdatum, slutdatum, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (beslut_id) DO NOTHING",
            params![
                beslut_id,
                brukare,
                insats,
                lagrum,
                beviljad.map(Qty::hundredths),
                niva,
                utforare,
                dates[0].map(date_str),
                dates[1].map(date_str),
                dates[2].map(date_str),
                import
            ],
        )
    }

    /// Visit times are minutes since 1970-01-01 00:00 local time.
    /// A prepared insert for visits, held for the whole import (visit files
    /// have millions of rows).
    pub fn besok_inserter(&self) -> Result<BesokInserter<'c>> {
        let st = self
            .conn
            .prepare(
                "INSERT INTO besok (utforare_id, besok_id, brukare_id, insats_id, personal_id, period, plan_start, plan_slut, fakt_start, fakt_slut, status, import_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (utforare_id, besok_id) DO NOTHING",
            )
            .ctx("sparande av besök")?;
        Ok(BesokInserter { st })
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_vistelse(
        &self,
        vistelse_id: &str,
        brukare: i64,
        utforare: i64,
        plats: &str,
        inflyttning: NaiveDate,
        utflyttning: Option<NaiveDate>,
        typ: &str,
        import: i64,
    ) -> Result<bool> {
        self.exec(
            "sparande av vistelse",
            "INSERT INTO vistelse (vistelse_id, brukare_id, utforare_id, plats, inflyttning, utflyttning, typ, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (vistelse_id) DO NOTHING",
            params![vistelse_id, brukare, utforare, plats, date_str(inflyttning), utflyttning.map(date_str), typ, import],
        )
    }

    pub fn insert_narvaro(
        &self,
        brukare: i64,
        utforare: i64,
        datum: NaiveDate,
        omfattning: &str,
        import: i64,
    ) -> Result<bool> {
        self.exec(
            "sparande av närvaro",
            "INSERT INTO narvaro (brukare_id, utforare_id, datum, omfattning, import_id) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (brukare_id, utforare_id, datum) DO NOTHING",
            params![brukare, utforare, date_str(datum), omfattning, import],
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_placering(
        &self,
        placering_id: &str,
        brukare: i64,
        malgrupp: &str,
        typ: &str,
        utforare: i64,
        start: NaiveDate,
        slut: Option<NaiveDate>,
        dygnskostnad_ore: i64,
        import: i64,
    ) -> Result<bool> {
        self.exec(
            "sparande av placering",
            "INSERT INTO placering (placering_id, brukare_id, malgrupp, typ, utforare_id, startdatum, slutdatum, dygnskostnad, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (placering_id) DO NOTHING",
            params![placering_id, brukare, malgrupp, typ, utforare, date_str(start), slut.map(date_str), dygnskostnad_ore, import],
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_assistans(
        &self,
        brukare: i64,
        utforare: i64,
        fran: NaiveDate,
        till: NaiveDate,
        beviljade: Qty,
        utforda: Qty,
        fk_timbelopp_ore: i64,
        import: i64,
    ) -> Result<bool> {
        self.exec(
            "sparande av assistans",
            "INSERT INTO assistans (brukare_id, utforare_id, fran, till, beviljade, utforda, fk_timbelopp, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (brukare_id, fran) DO NOTHING",
            params![
                brukare,
                utforare,
                date_str(fran),
                date_str(till),
                beviljade.hundredths(),
                utforda.hundredths(),
                fk_timbelopp_ore,
                import
            ],
        )
    }

    pub fn insert_huvudbok(&self, r: &resurs_core::model::Huvudboksrad, import: i64) -> Result<bool> {
        self.exec(
            "sparande av huvudbok",
            "INSERT INTO huvudbok (period, konto, ansvar, verksamhet, belopp, text, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![r.period.as_int(), r.konto, r.ansvar, r.verksamhet, r.belopp.ore(), r.text, import],
        )
    }

    /// The id of forecast version `namn` of `year`, created with checkpoint
    /// `period` when new; an existing version keeps its checkpoint.
    pub fn forecast_version(&self, namn: &str, year: i32, period: Period, skapad: &str) -> Result<(i64, i64)> {
        let found: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT id, period FROM prognos_version WHERE namn = $1 AND ar = $2",
                params![namn, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .ctx("läsning av prognoser")?;
        if let Some(f) = found {
            return Ok(f);
        }
        let id = self.insert_id(
            "sparande av prognosversion",
            "INSERT INTO prognos_version (namn, ar, period, skapad) VALUES ($1, $2, $3, $4) RETURNING id",
            params![namn, year, period.as_int(), skapad],
        )?;
        Ok((id, period.as_int() as i64))
    }

    /// Sets a node's full-year forecast in a version (replacing an earlier one).
    pub fn set_forecast(&self, version_id: i64, nod: &str, belopp: i64, kommentar: &str, satt: &str) -> Result<bool> {
        self.exec(
            "sparande av prognos",
            "INSERT INTO prognos (version_id, nod, belopp, kommentar, satt) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (version_id, nod) DO UPDATE SET belopp = excluded.belopp, kommentar = excluded.kommentar, \
             satt = excluded.satt",
            params![version_id, nod, belopp, kommentar, satt],
        )
    }

    /// One row (or none) read inside the transaction, e.g. the value a
    /// change replaces, for the audit log.
    fn read_opt<T>(
        &self,
        context: &'static str,
        sql: &str,
        p: impl rusqlite::Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        let mut st = self.conn.prepare_cached(sql).ctx(context)?;
        st.query_row(p, f).optional().ctx(context)
    }

    /// A node's forecast in a version: (amount öre, comment).
    pub fn forecast_entry(&self, version_id: i64, nod: &str) -> Result<Option<(i64, String)>> {
        self.read_opt(
            "läsning av prognos",
            "SELECT belopp, kommentar FROM prognos WHERE version_id = $1 AND nod = $2",
            params![version_id, nod],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// An intraprenad's entry for a year.
    pub fn intraprenad_entry(&self, ansvar: &str, year: i32) -> Result<Option<IntraprenadEntry>> {
        self.read_opt(
            "läsning av intraprenad",
            "SELECT ingaende, uttag, kommentar FROM intraprenad_saldo WHERE ansvar = $1 AND ar = $2",
            params![ansvar, year],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// A measure of a plan and year.
    pub fn measure_entry(&self, plan: &str, year: i32, atgard: &str) -> Result<Option<MeasureRow>> {
        self.read_opt(
            "läsning av åtgärd",
            "SELECT slag, plan, nod, atgard, planerad, hittills, prognos, kommentar FROM atgard \
             WHERE plan = $1 AND ar = $2 AND atgard = $3",
            params![plan, year, atgard],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    (r.get(4)?, r.get(5)?, r.get(6)?),
                    r.get(7)?,
                ))
            },
        )
    }

    /// A state grant of a year and node.
    pub fn grant_entry(&self, namn: &str, year: i32, nod: &str) -> Result<Option<GrantRow>> {
        self.read_opt(
            "läsning av statsbidrag",
            "SELECT namn, nod, belopp, anvant, aterrapport, aterbetalning, kommentar FROM statsbidrag \
             WHERE namn = $1 AND ar = $2 AND nod = $3",
            params![namn, year, nod],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
    }

    /// An investment of a year.
    pub fn investment_entry(&self, projekt: &str, year: i32) -> Result<Option<InvestmentRow>> {
        self.read_opt(
            "läsning av investering",
            "SELECT projekt, nod, budget, utfall, kommentar FROM investering WHERE projekt = $1 AND ar = $2",
            params![projekt, year],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
    }

    /// Adds a user (`false` if the name is taken).
    pub fn insert_user(&self, namn: &str, roll: &str, nod: Option<&str>, losenord: &str, skapad: &str) -> Result<bool> {
        self.exec(
            "nytt konto",
            "INSERT INTO anvandare (namn, roll, nod, losenord, skapad) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (namn) DO NOTHING",
            params![namn, roll, nod, losenord, skapad],
        )
    }

    /// Sets a user's password hash (`false` if there is no such user).
    pub fn set_password(&self, namn: &str, losenord: &str) -> Result<bool> {
        self.exec(
            "byte av lösenord",
            "UPDATE anvandare SET losenord = $1 WHERE namn = $2",
            params![losenord, namn],
        )
    }

    /// Stores an API token's hash for a user (`false` if there is no such user).
    pub fn insert_token(&self, anvandare: &str, namn: &str, sha256: &str, skapad: &str) -> Result<bool> {
        self.exec(
            "ny API-nyckel",
            "INSERT INTO api_nyckel (anvandare, namn, sha256, skapad) \
             SELECT id, $1, $2, $3 FROM anvandare WHERE namn = $4",
            params![namn, sha256, skapad, anvandare],
        )
    }

    /// Writes one entry of the audit log.
    pub fn audit(
        &self,
        tid: &str,
        vem: &str,
        handling: &str,
        objekt: &str,
        fore: Option<&str>,
        efter: Option<&str>,
    ) -> Result<()> {
        self.exec(
            "skrivning i händelseloggen",
            "INSERT INTO handelselogg (tid, vem, handling, objekt, fore, efter) VALUES ($1, $2, $3, $4, $5, $6)",
            params![tid, vem, handling, objekt, fore, efter],
        )?;
        Ok(())
    }

    /// Sets an intraprenad's incoming balance (`None`: carried from last year) and use of equity.
    pub fn set_intraprenad(
        &self,
        ansvar: &str,
        year: i32,
        ingaende: Option<i64>,
        uttag: i64,
        kommentar: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av intraprenad",
            "INSERT INTO intraprenad_saldo (ansvar, ar, ingaende, uttag, kommentar) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (ansvar, ar) DO UPDATE SET ingaende = excluded.ingaende, uttag = excluded.uttag, \
             kommentar = excluded.kommentar",
            params![ansvar, year, ingaende, uttag, kommentar],
        )
    }

    /// Adds or updates a measure of an action plan or efficiency requirement.
    #[allow(clippy::too_many_arguments)]
    pub fn set_atgard(
        &self,
        slag: &str,
        plan: &str,
        nod: &str,
        year: i32,
        atgard: &str,
        belopp: (i64, i64, i64),
        kommentar: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av åtgärd",
            "INSERT INTO atgard (slag, plan, nod, ar, atgard, planerad, hittills, prognos, kommentar) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (plan, ar, atgard) DO UPDATE SET \
             slag = excluded.slag, nod = excluded.nod, planerad = excluded.planerad, hittills = excluded.hittills, \
             prognos = excluded.prognos, kommentar = excluded.kommentar",
            params![slag, plan, nod, year, atgard, belopp.0, belopp.1, belopp.2, kommentar],
        )
    }

    /// Adds or updates a targeted state grant.
    #[allow(clippy::too_many_arguments)]
    pub fn set_statsbidrag(
        &self,
        namn: &str,
        year: i32,
        nod: &str,
        belopp: i64,
        anvant: i64,
        aterrapport: Option<&str>,
        aterbetalning: i64,
        kommentar: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av statsbidrag",
            "INSERT INTO statsbidrag (namn, ar, nod, belopp, anvant, aterrapport, aterbetalning, kommentar) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (namn, ar, nod) DO UPDATE SET \
             belopp = excluded.belopp, anvant = excluded.anvant, aterrapport = excluded.aterrapport, \
             aterbetalning = excluded.aterbetalning, kommentar = excluded.kommentar",
            params![namn, year, nod, belopp, anvant, aterrapport, aterbetalning, kommentar],
        )
    }

    /// Adds or updates an investment.
    pub fn set_investering(
        &self,
        projekt: &str,
        year: i32,
        nod: &str,
        budget: i64,
        utfall: i64,
        kommentar: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av investering",
            "INSERT INTO investering (projekt, ar, nod, budget, utfall, kommentar) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (projekt, ar) DO UPDATE SET nod = excluded.nod, budget = excluded.budget, \
             utfall = excluded.utfall, kommentar = excluded.kommentar",
            params![projekt, year, nod, budget, utfall, kommentar],
        )
    }

    /// Stores a special effect.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_special_effect(
        &self,
        tagg: &str,
        del: &str,
        nod: &str,
        year: i32,
        period: Option<Period>,
        utfall: i64,
        prognos: i64,
        kommentar: &str,
        skapad: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av specialpost",
            "INSERT INTO specialpost (tagg, del, nod, ar, period, utfall, prognos, kommentar, skapad) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            params![
                tagg,
                del,
                nod,
                year,
                period.map(|p| p.as_int()),
                utfall,
                prognos,
                kommentar,
                skapad
            ],
        )
    }

    /// Stores an account's name (the newest name wins).
    pub fn upsert_konto(&self, kod: &str, namn: &str) -> Result<bool> {
        self.exec(
            "sparande av kontonamn",
            "INSERT INTO konto (kod, namn) VALUES ($1, $2) ON CONFLICT (kod) DO UPDATE SET namn = excluded.namn",
            params![kod, namn],
        )
    }

    pub fn insert_budget(&self, r: &resurs_core::model::Budgetrad, import: i64) -> Result<bool> {
        self.exec(
            "sparande av budget",
            "INSERT INTO budget (version, typ, ar, period, ansvar, konto, verksamhet, belopp, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (version, ar, period, ansvar, konto, verksamhet) DO NOTHING",
            params![r.version, r.typ.code(), r.ar, r.period.map_or(0, Period::as_int), r.ansvar, r.konto, r.verksamhet, r.belopp.ore(), import],
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_model_version(
        &self,
        namn: &str,
        typ: &str,
        from: NaiveDate,
        to: Option<NaiveDate>,
        json: &str,
        sha256: &str,
        fil: &str,
        laddad: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av modell",
            "INSERT INTO modell_version (namn, typ, giltig_fran, giltig_till, innehall, sha256, fil, laddad) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (namn, giltig_fran) DO NOTHING",
            params![namn, typ, date_str(from), to.map(date_str), json, sha256, fil, laddad],
        )
    }

    pub fn insert_settlement(
        &self,
        period: Period,
        skapad: &str,
        fingerprint: &str,
        versions: &str,
        belopp: i64,
        json: &str,
    ) -> Result<i64> {
        self.insert_id(
            "sparande av avräkning",
            "INSERT INTO avrakning (period, skapad, fingeravtryck, modellversioner, belopp, resultat) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            params![period.as_int(), skapad, fingerprint, versions, belopp, json],
        )
    }

    pub fn insert_befolkning(&self, r: &resurs_core::model::Befolkning, import: i64) -> Result<bool> {
        self.exec(
            "sparande av befolkning",
            "INSERT INTO befolkning (ar, alder, kon, antal, typ, import_id) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (ar, alder, kon, typ) DO NOTHING",
            params![r.ar, r.alder, r.kon.code(), r.antal, r.typ.code(), import],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_and_rolls_back_a_dropped_transaction() {
        let dir = std::env::temp_dir().join(format!("resurs-store-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let _ = std::fs::remove_file(&path);
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let before = s.content_checksum().unwrap();
        {
            let tx = s.begin().unwrap();
            tx.log_import("org", "a.csv", "abc", 1, "2026-01-01T00:00:00Z").unwrap();
        }
        assert_eq!(
            s.content_checksum().unwrap(),
            before,
            "dropped transaction leaves nothing"
        );
        assert!(!s.has_data().unwrap());
        let tx = s.begin().unwrap();
        tx.log_import("org", "a.csv", "abc", 1, "2026-01-01T00:00:00Z").unwrap();
        tx.commit().unwrap();
        assert!(s.has_data().unwrap());
        assert!(s.prior_import("org", "abc").unwrap().is_some());
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.schema_version().unwrap(),
            MIGRATIONS.len() as i64,
            "reopening does not migrate again"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unreadable_value_is_an_error_naming_table_column_and_value() {
        let dir = std::env::temp_dir().join(format!("resurs-store-varde-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let _ = std::fs::remove_file(&path);
        let s = Store::open(&path).unwrap();
        s.conn
            .execute_batch(
                "INSERT INTO org_nod (kod, namn, niva, giltig_fran, import_id) VALUES ('K', 'Kommun', 'kommun', '2026-13-01', 1); \
                 INSERT INTO utforare (kod, namn, regiform, import_id) VALUES ('U1', 'Omsorg AB', 'privat', 1);",
            )
            .unwrap();
        let e = s.org_nodes().unwrap_err();
        assert!(
            matches!(&e, StoreError::Value { table: "org_nod", column: "giltig_fran", value, .. } if value == "2026-13-01"),
            "{e}"
        );
        assert!(e.to_string().contains("org_nod.giltig_fran"), "{e}");
        // An unknown regiform is not taken for own operation (which would drop VAT compensation).
        let e = s.providers().unwrap_err();
        assert!(e.to_string().contains("\"privat\" i utforare.regiform"), "{e}");
        s.conn
            .execute_batch("UPDATE org_nod SET giltig_fran = '2026-01-01', niva = 'gruppen'")
            .unwrap();
        let e = s.org_nodes().unwrap_err();
        assert!(e.to_string().contains("org_nod.niva"), "{e}");
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
