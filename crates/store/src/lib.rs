//! The Resurs store: schema, migrations, queries and transactions.
//!
//! All SQL of the project lives in this crate. The default backend is one
//! SQLite file. Statements use only SQL that PostgreSQL also accepts
//! (`$1` parameters, `ON CONFLICT … DO NOTHING`, no SQLite functions), so the
//! PostgreSQL backend a later issue adds can share the queries and differ in
//! connection handling and migration files only.
//!
//! The queries are `impl Store` and `impl Tx` blocks in one module per
//! subject (`org`, `register`, `volumes`, `ledger`, `models`, `followup`,
//! `registers`, `users`, `overview`). Reads return named rows with typed
//! values (dates, money, quantities, months, the core's enums), each read
//! and checked here once: a stored value that cannot be read is a
//! [`StoreError::Value`] naming table, column and value, never a default.
//!
//! Writes go through a [`Tx`]: an import opens one, writes every row, and
//! either commits at the end or is dropped, which rolls everything back.

use chrono::NaiveDate;
use resurs_core::model::Regiform;
use resurs_core::period::Period;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod backup;
mod followup;
mod ledger;
mod models;
mod org;
mod overview;
mod register;
mod registers;
mod sessions;
mod undo;
mod users;
mod volumes;

pub use backup::{BackupCheck, BackupProblem};
pub use followup::{Forecast, ForecastEntry, ForecastVersion, SpecialEffectRow};
pub use ledger::{BudgetCell, BudgetLine, BudgetVersion, LedgerLineRow, LedgerMonth, PopulationBand};
pub use models::{ModelVersionRow, SettlementRun};
pub use register::ProviderRow;
pub use registers::{GrantRow, Intraprenad, IntraprenadEntry, InvestmentRow, MeasureRow};
pub use sessions::{SessionRow, ThrottleRow};
pub use undo::Undone;
pub use users::{AuditRow, TokenRow, UserRow};
pub use volumes::{
    status_code, AssistanceRow, AttendanceRow, BesokInserter, DecisionRow, GrantedRow, PlacementRow, StayRow, VisitRow,
};

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
    include_str!("../migrations/sqlite/0009_sessioner.sql"),
    include_str!("../migrations/sqlite/0010_import_angra.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("kunde inte öppna databasen {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    /// The disk (or the file system's quota) is full: nothing of the
    /// change was kept (the transaction is rolled back).
    #[error(
        "disken är full: databasen kunde inte skriva vid {context}. Inget av ändringen har sparats; \
         frigör utrymme på disken där databasen ligger och försök igen"
    )]
    DiskFull { context: &'static str },
    #[error("databasfel vid {context}: {source}")]
    Sql {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("databasen {path} har schemaversion {found}, men denna version av Resurs känner bara till {known}; uppdatera Resurs")]
    TooNew { path: String, found: i64, known: i64 },
    /// Another connection holds the database (an import running): SQLite
    /// BUSY or LOCKED after the busy timeout.
    #[error("databasen är upptagen vid {context}")]
    Busy { context: &'static str },
    /// An SQL sum beyond i64 (SQLite's `integer overflow`): absurd stored amounts.
    #[error("summan blev för stor vid {context}")]
    Overflow { context: &'static str },
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

/// Reads an optional stored date.
fn stored_opt_date(table: &'static str, column: &'static str, s: Option<String>) -> Result<Option<NaiveDate>> {
    s.map(|s| stored_date(table, column, &s)).transpose()
}

/// Reads a stored regiform code: an unknown one must not be taken for own
/// operation (which would drop VAT compensation silently).
fn stored_regiform(s: &str) -> Result<Regiform> {
    Regiform::parse_sv(s).ok_or_else(|| unreadable("utforare", "regiform", s, Regiform::expected()))
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
        self.map_err(|source| classify(context, source))
    }
}

/// A busy database, a full disk and an overflowing sum are their own errors
/// (the user or the operator can do something about them); everything else
/// is [`StoreError::Sql`].
fn classify(context: &'static str, source: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked, DiskFull};
    match &source {
        rusqlite::Error::SqliteFailure(e, _) if matches!(e.code, DatabaseBusy | DatabaseLocked) => {
            StoreError::Busy { context }
        }
        rusqlite::Error::SqliteFailure(e, _) if e.code == DiskFull => StoreError::DiskFull { context },
        rusqlite::Error::SqliteFailure(_, Some(msg)) if msg == "integer overflow" => StoreError::Overflow { context },
        _ => StoreError::Sql { context, source },
    }
}

impl StoreError {
    /// Whether the user or the operator can act on this error without a
    /// developer: a busy database, a full disk, an overflowing sum.
    pub fn is_operational(&self) -> bool {
        matches!(
            self,
            StoreError::Busy { .. } | StoreError::DiskFull { .. } | StoreError::Overflow { .. }
        )
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

/// An earlier import of the same content.
#[derive(Debug, Clone)]
pub struct PriorImport {
    pub filnamn: String,
    pub importerad: String,
    pub tillagda: i64,
}

/// An import: one row of the import log.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub id: i64,
    pub typ: String,
    pub filnamn: String,
    pub rader: i64,
    pub tillagda: i64,
    pub importerad: String,
}

/// Creates a new, empty database file readable by its owner only (0600,
/// whatever the umask), before SQLite opens it: the database holds
/// pseudonymised personal data and password hashes. SQLite gives its
/// `-journal` and `-wal` files the database file's mode. An existing file
/// keeps its mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" {
        return Ok(());
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
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
        // A file that cannot be created here cannot be opened either; SQLite
        // reports that below with its own text.
        let _ = create_private(path);
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

    /// Code (or pseudonym) → id for one table.
    pub fn code_ids(&self, table: CodeTable) -> Result<HashMap<String, i64>> {
        let mut st = self.conn.prepare(table.sql()).ctx("läsning av koder")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("läsning av koder")?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
            .ctx("läsning av koder")
    }

    /// Imports, newest first.
    pub fn imports(&self) -> Result<Vec<ImportRow>> {
        let mut st = self
            .conn
            .prepare("SELECT id, typ, filnamn, rader, tillagda, importerad FROM import_logg ORDER BY id DESC")
            .ctx("läsning av importloggen")?;
        let rows = st
            .query_map([], |r| {
                Ok(ImportRow {
                    id: r.get(0)?,
                    typ: r.get(1)?,
                    filnamn: r.get(2)?,
                    rader: r.get(3)?,
                    tillagda: r.get(4)?,
                    importerad: r.get(5)?,
                })
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

    /// Starts a write transaction; dropping it without [`Tx::commit`] rolls
    /// back everything written through it.
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        self.conn.execute_batch("BEGIN").ctx("start av transaktion")?;
        Ok(Tx {
            conn: &self.conn,
            done: false,
        })
    }

    /// As [`Store::begin`], but takes the write lock at once (`BEGIN
    /// IMMEDIATE`): for read-decide-write steps that must not interleave with
    /// another connection's, such as reserving a sign-in attempt.
    pub fn begin_immediate(&mut self) -> Result<Tx<'_>> {
        self.conn.execute_batch("BEGIN IMMEDIATE").ctx("start av transaktion")?;
        Ok(Tx {
            conn: &self.conn,
            done: false,
        })
    }
}

/// A write transaction. Insert methods return `false` when the row's key
/// already exists (a duplicate), and nothing is written for that row.
pub struct Tx<'c> {
    conn: &'c Connection,
    done: bool,
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

    /// An insert that returns the new row's id, or `None` on a key conflict.
    fn insert_new_id(&self, context: &'static str, sql: &str, p: impl rusqlite::Params) -> Result<Option<i64>> {
        let mut st = self.conn.prepare_cached(sql).ctx(context)?;
        st.query_row(p, |r| r.get(0)).optional().ctx(context)
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

    #[test]
    fn rows_are_typed_and_a_bad_date_in_stays_or_decisions_is_an_error() {
        use resurs_core::num::{Money, Qty};
        let dir = std::env::temp_dir().join(format!("resurs-store-rader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let _ = std::fs::remove_file(&path);
        let s = Store::open(&path).unwrap();
        s.conn
            .execute_batch(
                "INSERT INTO utforare (kod, namn, regiform, platser, bemanning, import_id) VALUES ('U1', 'Ekbacken', 'intraprenad', 6, 'vaknatt', 1); \
                 INSERT INTO insats (kod, namn, lagrum, volymenhet, verksamhet, import_id) VALUES ('LSS9', 'Bostad', 'LSS', 'dygn', 'LSS-boende', 1); \
                 INSERT INTO brukare (pseudonym, fodelsear, kon) VALUES ('B1', 1980, 'K'); \
                 INSERT INTO vistelse (vistelse_id, brukare_id, utforare_id, plats, inflyttning, utflyttning, typ, import_id) \
                 VALUES ('V1', 1, 1, 'P1', '2026-02-01', NULL, 'permanent', 1); \
                 INSERT INTO beslut (beslut_id, brukare_id, insats_id, lagrum, beviljad, niva, utforare_id, beslutsdatum, startdatum, slutdatum, import_id) \
                 VALUES ('D1', 1, 1, 'LSS', 1250, '3', 1, '2026-01-15', '2026-02-01', NULL, 1); \
                 INSERT INTO placering (placering_id, brukare_id, malgrupp, typ, utforare_id, startdatum, slutdatum, dygnskostnad, import_id) \
                 VALUES ('P1', 1, 'vuxen', 'HVB', 1, '2026-02-01', '2026-03-31', 450000, 1);",
            )
            .unwrap();
        let (from, to) = (
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        );
        let p = &s.providers().unwrap()[0];
        assert_eq!(p.regiform, Regiform::Intraprenad);
        assert_eq!(p.bemanning, Some(resurs_core::rules::models::Bemanning::Vaknatt));
        assert_eq!(p.platser, Some(6));
        let stay = &s.stays_between(from, to).unwrap()[0];
        assert_eq!(stay.inflyttning, NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert_eq!(stay.utflyttning, None);
        let d = &s.decisions_between(from, to).unwrap()[0];
        assert_eq!((d.beslut_id.as_str(), d.niva.as_deref()), ("D1", Some("3")));
        assert_eq!(d.beviljad, Some(Qty::from_hundredths(1250)));
        let pl = &s.placements_between(from, to).unwrap()[0];
        assert_eq!(pl.dygnskostnad, Money::from_ore(450000));
        assert_eq!(pl.slutdatum, NaiveDate::from_ymd_opt(2026, 3, 31));

        s.conn
            .execute_batch("UPDATE vistelse SET utflyttning = '2026-02-30'; UPDATE beslut SET startdatum = '2026-1-5'")
            .unwrap();
        let e = s.stays_between(from, to).unwrap_err();
        assert!(
            matches!(&e, StoreError::Value { table: "vistelse", column: "utflyttning", value, .. } if value == "2026-02-30"),
            "{e}"
        );
        assert!(e.to_string().contains("\"2026-02-30\" i vistelse.utflyttning"), "{e}");
        let e = s.decisions_between(from, to).unwrap_err();
        assert!(
            matches!(&e, StoreError::Value { table: "beslut", column: "startdatum", value, .. } if value == "2026-1-5"),
            "{e}"
        );
        assert!(e.to_string().contains("\"2026-1-5\" i beslut.startdatum"), "{e}");
        // An unknown staffing type is an error too, never "none".
        s.conn
            .execute_batch("UPDATE utforare SET bemanning = 'sovande'")
            .unwrap();
        let e = s.providers().unwrap_err();
        assert!(e.to_string().contains("\"sovande\" i utforare.bemanning"), "{e}");
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_full_disk_is_told_as_such_and_keeps_nothing() {
        let dir = std::env::temp_dir().join(format!("resurs-store-full-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let _ = std::fs::remove_file(&path);
        let mut s = Store::open(&path).unwrap();
        let before = s.content_checksum().unwrap();
        // SQLite answers SQLITE_FULL when the file may not grow further,
        // exactly as when the disk is full.
        let pages: i64 = s.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        s.conn
            .execute_batch(&format!("PRAGMA max_page_count = {}", pages + 2))
            .unwrap();
        let e = {
            let tx = s.begin().unwrap();
            let mut err = None;
            for i in 0..10_000 {
                let name = format!("fil-{i}-{}", "x".repeat(500));
                if let Err(e) = tx.log_import("besok", &name, &format!("sha{i}"), 1, "2026-01-01T00:00:00Z") {
                    err = Some(e);
                    break;
                }
            }
            err.expect("the file may not grow")
        };
        assert!(e.is_operational(), "{e:?}");
        assert!(e.to_string().starts_with("disken är full"), "{e}");
        assert_eq!(s.content_checksum().unwrap(), before, "nothing kept");
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
