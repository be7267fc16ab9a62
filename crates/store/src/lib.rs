//! The Resurs store: schema, migrations, queries and transactions.
//!
//! All SQL of the project lives in this crate. The default backend is one
//! SQLite file; the same store runs on PostgreSQL when `--db` is a
//! `postgres://` URL ([`DbLocation`]). Statements use only SQL that both
//! accept (`$1` parameters, `ON CONFLICT … DO NOTHING`, `RETURNING id`, no
//! SQLite functions) and go through the backend-neutral layer in `db`
//! (parameters as values, rows read with typed getters), so every query is
//! written once. The migrations are one set of files, written for SQLite;
//! `dialect` derives PostgreSQL's schema from them.
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
use db::{params, Conn, DbResult, Row};
use resurs_core::model::Regiform;
use resurs_core::period::Period;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

mod backup;
mod batch;
mod db;
mod dialect;
mod followup;
mod kolada;
mod kolada_angra;
mod kolada_grupp;
mod kostnadsslag;
mod kpb;
mod ledger;
mod mal;
mod models;
mod org;
mod overview;
mod period;
mod personal;
mod pg_tls;
mod rapport;
mod register;
mod registers;
mod sessions;
#[doc(hidden)]
pub mod testing;
mod undo;
mod uploads;
mod users;
mod volumes;

pub use backup::{BackupCheck, BackupProblem};
pub use db::DbError;
pub use followup::{Forecast, ForecastEntry, ForecastVersion, SpecialEffectRow};
pub use kolada::{KoladaValue, KommunMeta, KpiMeta, PeerGroup, RefCost};
pub use kolada_angra::Change as KoladaChange;
pub use kolada_grupp::KoladaGroup;
pub use kostnadsslag::CostTypeRow;
pub use kpb::{KpbBrukare, KpbEnhet, KpbInsats, KpbVolym, KpbVolymer};
pub use ledger::{BudgetCell, BudgetLine, BudgetVersion, LedgerLineRow, LedgerMonth, PopulationBand};
pub use mal::{ActiveDecision, GoalRow, IndicatorRow, KeyRow, OutcomeRow, OverrideRow};
pub use models::{ModelVersionRow, SettlementRun};
pub use period::{AdjustmentRow, LockedChange, PeriodLock, PeriodStatusRow};
pub use personal::{GrantFact, NewStaffMonth, UnmetDecision, VisitFact};
pub use rapport::{ReportRow, ReportText};
pub use register::ProviderRow;
pub use registers::{GrantRow, Intraprenad, IntraprenadEntry, InvestmentRow, MeasureRow};
pub use sessions::{SessionInfo, SessionRow, ThrottleRow};
pub use undo::Undone;
pub use uploads::UploadRow;
pub use users::{AuditFilter, AuditRow, TokenRow, UserRow};
pub use volumes::{
    status_code, AssistanceRow, AttendanceRow, BesokInserter, DecisionRow, GrantedRow, PlacementRow, StayRow, VisitRow,
};

/// Migrations in order; the index + 1 is the schema version. They are
/// written for SQLite; PostgreSQL gets them through [`dialect`].
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
    include_str!("../migrations/sqlite/0011_namn.sql"),
    include_str!("../migrations/sqlite/0012_uppladdning.sql"),
    include_str!("../migrations/sqlite/0013_kpb.sql"),
    include_str!("../migrations/sqlite/0014_personal.sql"),
    include_str!("../migrations/sqlite/0015_kolada.sql"),
    include_str!("../migrations/sqlite/0016_mal.sql"),
    include_str!("../migrations/sqlite/0017_kostnadsslag.sql"),
    include_str!("../migrations/sqlite/0018_rapport.sql"),
    include_str!("../migrations/sqlite/0019_period.sql"),
    include_str!("../migrations/sqlite/0020_belaggningskrav.sql"),
    include_str!("../migrations/sqlite/0021_kpb_angra.sql"),
    include_str!("../migrations/sqlite/0022_kolada_kommungrupp.sql"),
];

/// How long a writer waits for another one (an import) before the change is
/// refused as [`StoreError::Busy`]: SQLite's busy timeout, PostgreSQL's
/// `lock_timeout` for the writers' advisory lock.
const BUSY_TIMEOUT_MS: u64 = 10_000;

/// The advisory lock that serialises writers (and migrations) on
/// PostgreSQL, as SQLite's database lock does ("Resurs" in ASCII).
const PG_WRITE_LOCK: i64 = 0x5265_7375_7273;

/// PostgreSQL's bookkeeping, created before the first migration: the schema
/// version (SQLite's `user_version`) and the change counter every
/// committing write transaction bumps (SQLite's `data_version`).
const PG_BOOTSTRAP: &str = "CREATE TABLE IF NOT EXISTS resurs_schema (version BIGINT NOT NULL); \
     INSERT INTO resurs_schema (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM resurs_schema); \
     CREATE TABLE IF NOT EXISTS resurs_andring (n BIGINT NOT NULL); \
     INSERT INTO resurs_andring (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM resurs_andring);";

/// SQLite: the same change counter as on PostgreSQL (not a migration: it is
/// bookkeeping, left out of the content checksum).
const SQLITE_COUNTER: &str = "BEGIN; CREATE TABLE IF NOT EXISTS resurs_andring (n INTEGER NOT NULL); \
     INSERT INTO resurs_andring (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM resurs_andring); COMMIT;";

/// Where the database is: a SQLite file, or a PostgreSQL server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    File(PathBuf),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl DbLocation {
    /// A `--db` value: a URL starting with `postgres://` or
    /// `postgresql://` is a PostgreSQL server, anything else a file.
    pub fn parse(value: &std::ffi::OsStr) -> DbLocation {
        match value.to_str() {
            Some(s) if is_postgres_url(s) => DbLocation::Postgres(s.to_string()),
            _ => DbLocation::File(PathBuf::from(value)),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, DbLocation::Postgres(_))
    }

    /// The file of a SQLite database.
    pub fn file(&self) -> Option<&Path> {
        match self {
            DbLocation::File(p) => Some(p),
            DbLocation::Postgres(_) => None,
        }
    }
}

impl From<PathBuf> for DbLocation {
    fn from(p: PathBuf) -> DbLocation {
        DbLocation::File(p)
    }
}

impl From<&Path> for DbLocation {
    fn from(p: &Path) -> DbLocation {
        DbLocation::File(p.to_path_buf())
    }
}

/// Shows the file, or the URL with its password masked.
impl fmt::Display for DbLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbLocation::File(p) => write!(f, "{}", p.display()),
            DbLocation::Postgres(url) => f.write_str(&mask_url(url)),
        }
    }
}

fn is_postgres_url(s: &str) -> bool {
    let lower = s.get(..13).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// A connection URL with the password replaced by `***` (in the user
/// part and in a `password=` parameter), for every message and log line.
pub fn mask_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let auth_start = scheme_end + 3;
        let auth_end = out[auth_start..]
            .find(['/', '?', '#'])
            .map_or(out.len(), |i| auth_start + i);
        if let Some(at) = out[auth_start..auth_end].rfind('@') {
            let userinfo = &out[auth_start..auth_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(auth_start + colon + 1..auth_start + at, "***");
            }
        }
    }
    let lower = out.to_ascii_lowercase();
    if let Some(p) = lower.find("password=") {
        let from = p + "password=".len();
        let to = out[from..].find('&').map_or(out.len(), |i| from + i);
        out.replace_range(from..to, "***");
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("kunde inte öppna databasen {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: DbError,
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
        source: DbError,
    },
    #[error("databasen {path} har schemaversion {found}, men denna version av Resurs känner bara till {known}; uppdatera Resurs")]
    TooNew { path: String, found: i64, known: i64 },
    /// Another connection holds the database (an import running): SQLite
    /// BUSY or LOCKED after the busy timeout; on PostgreSQL a lock or
    /// statement timeout or a deadlock.
    #[error("databasen är upptagen vid {context}")]
    Busy { context: &'static str },
    /// An SQL sum beyond i64 (SQLite's `integer overflow`, PostgreSQL's
    /// numeric_value_out_of_range): absurd stored amounts.
    #[error("summan blev för stor vid {context}")]
    Overflow { context: &'static str },
    /// A migration that cannot be carried over to PostgreSQL.
    #[error("migrering {version} kan inte översättas till PostgreSQL: {why}")]
    Translate { version: usize, why: String },
    /// Something only the other backend does, with what to do instead.
    #[error("{0}")]
    Unsupported(String),
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
impl<T> Ctx<T> for DbResult<T> {
    fn ctx(self, context: &'static str) -> Result<T> {
        self.map_err(|source| classify(context, source))
    }
}

/// A busy database, a full disk and an overflowing sum are their own errors
/// (the user or the operator can do something about them); everything else
/// is [`StoreError::Sql`]. Both backends' codes are read in one place,
/// [`DbError::kind`].
fn classify(context: &'static str, source: DbError) -> StoreError {
    match source.kind() {
        Some(db::ErrorKind::Busy) => StoreError::Busy { context },
        Some(db::ErrorKind::DiskFull) => StoreError::DiskFull { context },
        Some(db::ErrorKind::Overflow) => StoreError::Overflow { context },
        None => StoreError::Sql { context, source },
    }
}

impl<T> Ctx<T> for rusqlite::Result<T> {
    fn ctx(self, context: &'static str) -> Result<T> {
        self.map_err(DbError::from).ctx(context)
    }
}

impl StoreError {
    /// Whether the user or the operator can act on this error without a
    /// developer: a busy database, a full disk, an overflowing sum, or
    /// asking one backend for what only the other does.
    pub fn is_operational(&self) -> bool {
        matches!(
            self,
            StoreError::Busy { .. }
                | StoreError::DiskFull { .. }
                | StoreError::Overflow { .. }
                | StoreError::Unsupported(_)
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
    conn: Conn,
    location: DbLocation,
}

/// PostgreSQL, right after connecting: sets the writers' lock timeout (to
/// the busy timeout when the session has none, `0`; otherwise to the value
/// it has, which changes nothing) and reads the schema version, in one
/// round trip. An error (no schema yet) leaves the session as it was: the
/// statement is its own transaction.
fn pg_first_contact(client: &mut postgres::Client) -> std::result::Result<Option<i64>, postgres::Error> {
    let sql = format!(
        "SELECT version, set_config('lock_timeout', CASE WHEN current_setting('lock_timeout') = '0' \
         THEN '{BUSY_TIMEOUT_MS}' ELSE current_setting('lock_timeout') END, false) FROM resurs_schema"
    );
    for m in client.simple_query(&sql)? {
        if let postgres::SimpleQueryMessage::Row(r) = m {
            return Ok(r.get(0).and_then(|v| v.parse().ok()));
        }
    }
    Ok(None)
}

/// The PostgreSQL schema: every migration translated, in order.
fn pg_migrations() -> Result<Vec<String>> {
    let mut t = dialect::Translator::default();
    MIGRATIONS
        .iter()
        .enumerate()
        .map(|(i, m)| {
            t.translate(m)
                .map_err(|why| StoreError::Translate { version: i + 1, why })
        })
        .collect()
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and applies
    /// any pending migrations.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_location(&DbLocation::File(path.to_path_buf()))
    }

    /// Opens the database at a `--db` value: a SQLite file or a
    /// `postgres://` URL (see [`DbLocation::parse`]).
    pub fn open_url(value: &str) -> Result<Store> {
        Store::open_location(&DbLocation::parse(std::ffi::OsStr::new(value)))
    }

    /// Opens the database at `location` (a SQLite file is created if
    /// needed; a PostgreSQL database must exist) and applies any pending
    /// migrations.
    pub fn open_location(location: &DbLocation) -> Result<Store> {
        let mut pg_version = None;
        let conn = match location {
            DbLocation::File(path) => {
                // A new file is the owner's only (0600). A file that cannot
                // be created here cannot be opened either; SQLite reports
                // that below with its own text.
                let _ = create_private(path);
                let conn = rusqlite::Connection::open(path).map_err(|source| StoreError::Open {
                    path: path.display().to_string(),
                    source: source.into(),
                })?;
                // 16 KiB pages: fewer B-tree splits when millions of visits are
                // inserted (takes effect only for a new, empty database file).
                conn.execute_batch(
                    "PRAGMA page_size = 16384; PRAGMA journal_mode = DELETE; PRAGMA synchronous = NORMAL; \
                     PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;",
                )
                .and_then(|()| conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS)))
                .map_err(DbError::from)
                .ctx("inställning av databasen")?;
                Conn::Sqlite(conn)
            }
            DbLocation::Postgres(url) => {
                let open_err = |source: DbError| StoreError::Open {
                    path: mask_url(url),
                    source,
                };
                let mut client = pg_tls::connect(url).map_err(open_err)?;
                // A writer waits for the writers' lock at most as long as
                // SQLite's busy timeout, then the change is refused as busy
                // (unless the operator chose a lock_timeout of their own,
                // e.g. with `options=-c lock_timeout=…` in the URL). The
                // usual case, a database already created, takes one round
                // trip with the schema version; a new one the long way.
                pg_version = match pg_first_contact(&mut client) {
                    Ok(Some(v)) => Some(v),
                    _ => {
                        let own: String = client
                            .query_one("SHOW lock_timeout", &[])
                            .and_then(|r| r.try_get(0))
                            .map_err(|e| open_err(e.into()))?;
                        if own == "0" {
                            client
                                .batch_execute(&format!("SET lock_timeout = {BUSY_TIMEOUT_MS}"))
                                .map_err(|e| open_err(e.into()))?;
                        }
                        None
                    }
                };
                Conn::Pg(Box::new(std::cell::RefCell::new(db::Pg::new(client))))
            }
        };
        let mut store = Store {
            conn,
            location: location.clone(),
        };
        store.migrate(pg_version)?;
        Ok(store)
    }

    /// Where the database is (shown with [`DbLocation`]'s `Display`, which
    /// masks a password).
    pub fn location(&self) -> &DbLocation {
        &self.location
    }

    /// The file of a SQLite database; `None` on PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        self.location.file()
    }

    /// Whether this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        self.conn.is_pg()
    }

    /// Whether the connection is lost (a PostgreSQL server that went away);
    /// such a store is not worth keeping in a pool.
    pub fn is_broken(&self) -> bool {
        match &self.conn {
            Conn::Sqlite(_) => false,
            Conn::Pg(c) => c.try_borrow().map(|c| c.client.is_closed()).unwrap_or(false),
        }
    }

    /// How long a writer waits for another (tests shorten it).
    #[cfg(test)]
    pub(crate) fn set_busy_timeout_ms(&self, ms: u64) {
        match &self.conn {
            Conn::Sqlite(c) => c.busy_timeout(std::time::Duration::from_millis(ms)).unwrap(),
            Conn::Pg(_) => self.conn.batch(&format!("SET lock_timeout = {ms}")).unwrap(),
        }
    }

    /// `pg_version`: the schema version PostgreSQL told at the first contact.
    fn migrate(&mut self, pg_version: Option<i64>) -> Result<()> {
        if self.conn.is_pg() {
            return self.migrate_pg(pg_version);
        }
        let version: i64 = self.schema_version()?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.location.to_string(),
                found: version,
                known,
            });
        }
        // The change counter the web's cache watches (as on PostgreSQL),
        // created once; checked first so that opening never writes.
        let has_counter: i64 = self
            .conn
            .query_one(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'resurs_andring'",
                params![],
                |r| r.get(0),
            )
            .ctx("läsning av ändringsräknaren")?;
        if has_counter == 0 {
            self.conn.batch(SQLITE_COUNTER).ctx("ändringsräknaren")?;
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let conn = &self.conn;
            (|| -> DbResult<()> {
                conn.batch("BEGIN")?;
                let r = conn
                    .batch(sql)
                    .and_then(|()| conn.batch(&format!("PRAGMA user_version = {}", i + 1)))
                    .and_then(|()| conn.batch("COMMIT"));
                if r.is_err() {
                    let _ = conn.batch("ROLLBACK");
                }
                r
            })()
            .ctx("migrering")?;
        }
        Ok(())
    }

    /// PostgreSQL: each pending migration in its own transaction, under the
    /// writers' advisory lock so that servers starting together migrate
    /// once.
    fn migrate_pg(&mut self, told: Option<i64>) -> Result<()> {
        let known = MIGRATIONS.len() as i64;
        // Up to date (the usual case): no lock, nothing created.
        if told == Some(known) {
            return Ok(());
        }
        if let Ok(v) = self
            .conn
            .query_one("SELECT version FROM resurs_schema", params![], |r| r.get::<i64>(0))
        {
            if v == known {
                return Ok(());
            }
        }
        let translated = pg_migrations()?;
        loop {
            let conn = &self.conn;
            let step = (|| -> DbResult<std::result::Result<bool, i64>> {
                conn.batch(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({PG_WRITE_LOCK}); {PG_BOOTSTRAP}"
                ))?;
                let version: i64 = conn.query_one("SELECT version FROM resurs_schema", params![], |r| r.get(0))?;
                if version > known {
                    conn.batch("ROLLBACK")?;
                    return Ok(Err(version));
                }
                if version == known {
                    conn.batch("COMMIT")?;
                    return Ok(Ok(true));
                }
                conn.batch(&translated[version as usize])?;
                conn.execute("UPDATE resurs_schema SET version = $1", params![version + 1])?;
                conn.batch("COMMIT")?;
                Ok(Ok(false))
            })();
            if step.is_err() {
                let _ = self.conn.batch("ROLLBACK");
            }
            match step.ctx("migrering")? {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(found) => {
                    return Err(StoreError::TooNew {
                        path: self.location.to_string(),
                        found,
                        known,
                    })
                }
            }
        }
    }

    pub fn schema_version(&self) -> Result<i64> {
        let sql = if self.conn.is_pg() {
            "SELECT version FROM resurs_schema"
        } else {
            "PRAGMA user_version"
        };
        self.conn
            .query_one(sql, params![], |r| r.get(0))
            .ctx("läsning av schemaversion")
    }

    /// Whether any data (other than settings) has been stored.
    pub fn has_data(&self) -> Result<bool> {
        let n: i64 = self
            .conn
            .query_one("SELECT COUNT(*) FROM import_logg", params![], |r| r.get(0))
            .ctx("kontroll av innehåll")?;
        Ok(n > 0)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_opt("SELECT varde FROM meta WHERE nyckel = $1", params![key], |r| r.get(0))
            .ctx("läsning av inställning")
    }

    pub fn prior_import(&self, typ: &str, sha256: &str) -> Result<Option<PriorImport>> {
        self.conn
            .query_opt(
                "SELECT filnamn, importerad, tillagda FROM import_logg WHERE typ = $1 AND sha256 = $2",
                params![typ, sha256],
                |r| {
                    Ok(PriorImport {
                        filnamn: r.get(0)?,
                        importerad: r.get(1)?,
                        tillagda: r.get(2)?,
                    })
                },
            )
            .ctx("läsning av importlogg")
    }

    /// Code (or pseudonym) → id for one table.
    pub fn code_ids(&self, table: CodeTable) -> Result<HashMap<String, i64>> {
        let rows = self
            .conn
            .query(table.sql(), params![], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("läsning av koder")?;
        Ok(rows.into_iter().collect())
    }

    /// Imports, newest first.
    pub fn imports(&self) -> Result<Vec<ImportRow>> {
        self.conn
            .query(
                "SELECT id, typ, filnamn, rader, tillagda, importerad FROM import_logg ORDER BY id DESC",
                params![],
                |r| {
                    Ok(ImportRow {
                        id: r.get(0)?,
                        typ: r.get(1)?,
                        filnamn: r.get(2)?,
                        rader: r.get(3)?,
                        tillagda: r.get(4)?,
                        importerad: r.get(5)?,
                    })
                },
            )
            .ctx("läsning av importloggen")
    }

    /// A counter that changes whenever a connection (of any process)
    /// commits a change to the data; used to drop cached pages. Every
    /// committing write transaction bumps it, except the bookkeeping of
    /// sign-ins and sessions ([`Tx::commit_quiet`]), which changes no figure
    /// and must not empty every cache each time a session is used.
    pub fn data_version(&self) -> Result<i64> {
        self.conn
            .query_one("SELECT n FROM resurs_andring", params![], |r| r.get(0))
            .ctx("läsning av dataversion")
    }

    /// Starts a write transaction; dropping it without [`Tx::commit`] rolls
    /// back everything written through it. On PostgreSQL it waits for the
    /// writers' lock, so that writers follow one another as on SQLite.
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        self.begin_with("BEGIN")
    }

    /// As [`Store::begin`], but takes the write lock at once (`BEGIN
    /// IMMEDIATE`): for read-decide-write steps that must not interleave with
    /// another connection's, such as reserving a sign-in attempt. On
    /// PostgreSQL every write transaction already starts with the writers'
    /// advisory lock, so the rows it reads cannot change before it commits
    /// (every write of them goes through such a transaction).
    pub fn begin_immediate(&mut self) -> Result<Tx<'_>> {
        self.begin_with("BEGIN IMMEDIATE")
    }

    fn begin_with(&mut self, sqlite: &str) -> Result<Tx<'_>> {
        let sql = if self.conn.is_pg() {
            format!("BEGIN; SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
        } else {
            sqlite.to_string()
        };
        if let Err(e) = self.conn.batch(&sql) {
            if self.conn.is_pg() {
                // BEGIN went through and the lock failed: end the transaction.
                let _ = self.conn.batch("ROLLBACK");
            }
            return Err(e).ctx("start av transaktion");
        }
        Ok(Tx {
            conn: &self.conn,
            done: false,
            unflushed: Default::default(),
            besok_rebuild: Default::default(),
            batching: std::cell::Cell::new(false),
            pending: Default::default(),
            next_ids: Default::default(),
        })
    }
}

/// A write transaction. Insert methods return `false` when the row's key
/// already exists (a duplicate), and nothing is written for that row.
pub struct Tx<'c> {
    conn: &'c Conn,
    done: bool,
    /// Visits a [`BesokInserter`] has not written yet.
    unflushed: std::rc::Rc<std::cell::Cell<usize>>,
    /// Whether a [`BesokInserter`]'s first load waits to rebuild indexes.
    besok_rebuild: std::rc::Rc<std::cell::Cell<bool>>,
    /// Whether rows are queued and written many at a time (PostgreSQL,
    /// [`Tx::batch_rows`]).
    batching: std::cell::Cell<bool>,
    pending: std::cell::RefCell<batch::Pending>,
    /// The next id of a table whose queued rows get their ids here.
    next_ids: std::cell::RefCell<HashMap<&'static str, i64>>,
}

/// Which row of a file an insert is, to name it if it turns out to be a
/// duplicate: its line and the value shown for it (the key's first column).
#[derive(Debug, Clone, Copy)]
pub struct Tag<'a> {
    pub line: usize,
    pub shown: &'a str,
}

impl Tag<'_> {
    /// A row that is not from a file (its duplicates are told at once: the
    /// transaction does not batch).
    pub const NONE: Tag<'static> = Tag { line: 0, shown: "" };
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.batch("ROLLBACK");
        }
    }
}

impl<'c> Tx<'c> {
    /// Commits, bumping the change counter ([`Store::data_version`]).
    pub fn commit(self) -> Result<()> {
        self.commit_with("UPDATE resurs_andring SET n = n + 1; COMMIT")
    }

    /// Commits without bumping the change counter: for sessions and
    /// sign-in throttling, which change no figure a page shows.
    pub fn commit_quiet(self) -> Result<()> {
        self.commit_with("COMMIT")
    }

    fn commit_with(mut self, sql: &str) -> Result<()> {
        let (queued, rejected) = {
            let p = self.pending.borrow();
            (p.queued(), p.has_rejected())
        };
        if queued > 0 || rejected {
            return Err(StoreError::Sql {
                context: "sparande av import",
                source: DbError::Unsupported(format!(
                    "{queued} rader har inte skrivits eller dubbletter har inte hämtats (Tx::flush_rows anropades inte)"
                )),
            });
        }
        if self.unflushed.get() > 0 || self.besok_rebuild.get() {
            return Err(StoreError::Sql {
                context: "sparande av import",
                source: DbError::Unsupported(format!(
                    "{} besök har inte skrivits (BesokInserter::finish anropades inte)",
                    self.unflushed.get()
                )),
            });
        }
        self.conn.batch(sql).ctx("sparande av import")?;
        self.done = true;
        Ok(())
    }

    fn exec(&self, context: &'static str, sql: &str, p: &[db::Value<'_>]) -> Result<bool> {
        self.before_statement(context)?;
        Ok(self.conn.execute(sql, p).ctx(context)? > 0)
    }

    fn insert_id(&self, context: &'static str, sql: &str, p: &[db::Value<'_>]) -> Result<i64> {
        self.before_statement(context)?;
        self.conn.query_one(sql, p, |r| r.get(0)).ctx(context)
    }

    /// PostgreSQL: from here on the rows of the inserts that take a [`Tag`]
    /// (and brukare, staff and ledger lines) are queued and written many at
    /// a time (see `batch.rs`); a duplicate is told by
    /// [`Tx::flush_rows`] instead of the insert's `false`. Nothing changes
    /// on SQLite, where a row costs no round trip.
    pub fn batch_rows(&self) {
        if self.conn.is_pg() {
            self.batching.set(true);
        }
    }

    /// Writes the queued rows; the duplicates found since the last call
    /// (line, shown value), in line order. Must be called before the
    /// transaction commits when [`Tx::batch_rows`] was.
    pub fn flush_rows(&self) -> Result<Vec<(usize, String)>> {
        self.flush("sparande av import")?;
        Ok(self
            .pending
            .borrow_mut()
            .take_rejected()
            .into_iter()
            .map(|(line, s)| (line as usize, s))
            .collect())
    }

    fn flush(&self, context: &'static str) -> Result<()> {
        if self.pending.borrow().queued() == 0 {
            return Ok(());
        }
        self.pending.borrow_mut().flush(self.conn).ctx(context)
    }

    /// Every other statement first writes what is queued (so that it sees
    /// it), and ids are read afresh after it (it may have inserted rows).
    fn before_statement(&self, context: &'static str) -> Result<()> {
        if self.batching.get() {
            self.flush(context)?;
            self.next_ids.borrow_mut().clear();
        }
        Ok(())
    }

    /// An insert of one row of `spec`: at once, or queued when batching
    /// (then `true`; a duplicate is told by [`Tx::flush_rows`]).
    fn put(
        &self,
        context: &'static str,
        spec: &'static batch::Spec,
        tag: Tag<'_>,
        p: &[db::Value<'_>],
    ) -> Result<bool> {
        if !self.batching.get() {
            return self.exec(context, spec.insert, p);
        }
        let full = self
            .pending
            .borrow_mut()
            .push(spec, tag.line as u64, tag.shown, p)
            .ctx(context)?;
        if full {
            self.flush(context)?;
        }
        Ok(true)
    }

    /// When batching: the id the next row of `table` gets (the next after
    /// the highest, as SQLite and the id trigger give; the transaction holds
    /// the writers' lock). `None` when not batching.
    fn next_id(&self, context: &'static str, table: &'static str) -> Result<Option<i64>> {
        if !self.batching.get() {
            return Ok(None);
        }
        if let Some(id) = self.next_ids.borrow_mut().get_mut(table) {
            *id += 1;
            return Ok(Some(*id - 1));
        }
        self.flush(context)?;
        let id: i64 = self
            .conn
            .query_one(
                &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"),
                params![],
                |r| r.get(0),
            )
            .ctx(context)?;
        self.next_ids.borrow_mut().insert(table, id + 1);
        Ok(Some(id))
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.exec(
            "sparande av inställning",
            "INSERT INTO meta (nyckel, varde) VALUES ($1, $2) ON CONFLICT (nyckel) DO UPDATE SET varde = excluded.varde",
            params![key, value],
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
    fn insert_new_id(&self, context: &'static str, sql: &str, p: &[db::Value<'_>]) -> Result<Option<i64>> {
        self.before_statement(context)?;
        self.conn.query_opt(sql, p, |r| r.get(0)).ctx(context)
    }

    /// One row (or none) read inside the transaction, e.g. the value a
    /// change replaces, for the audit log.
    fn read_opt<T>(
        &self,
        context: &'static str,
        sql: &str,
        p: &[db::Value<'_>],
        f: impl FnOnce(&Row<'_>) -> DbResult<T>,
    ) -> Result<Option<T>> {
        self.before_statement(context)?;
        self.conn.query_opt(sql, p, f).ctx(context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resurs_core::model::{BesokStatus, Kon};

    /// A store for a test on one backend; the SQLite file's folder or the
    /// PostgreSQL database goes away with it.
    pub(crate) struct Backend {
        pub(crate) store: Store,
        _pg: Option<testing::TestDb>,
        dir: Option<PathBuf>,
    }

    impl Drop for Backend {
        fn drop(&mut self) {
            if let Some(d) = &self.dir {
                let _ = std::fs::remove_dir_all(d);
            }
        }
    }

    pub(crate) fn sqlite(test: &str) -> Backend {
        let dir = std::env::temp_dir().join(format!("resurs-store-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let _ = std::fs::remove_file(&path);
        Backend {
            store: Store::open(&path).unwrap(),
            _pg: None,
            dir: Some(dir),
        }
    }

    pub(crate) fn postgres(test: &str) -> Option<Backend> {
        let db = testing::TestDb::create(test)?;
        Some(Backend {
            store: Store::open_url(&db.url).unwrap(),
            _pg: Some(db),
            dir: None,
        })
    }

    /// SQLite, and PostgreSQL when `RESURS_TEST_PG` is set.
    pub(crate) fn backends(test: &str) -> Vec<Backend> {
        let mut v = vec![sqlite(test)];
        v.extend(postgres(test));
        v
    }

    #[test]
    fn migrates_and_rolls_back_a_dropped_transaction() {
        for mut b in backends("migrering") {
            let s = &mut b.store;
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
            let location = s.location().clone();
            b.store = Store::open_location(&location).unwrap();
            let s = &b.store;
            assert_eq!(
                s.schema_version().unwrap(),
                MIGRATIONS.len() as i64,
                "reopening does not migrate again"
            );
        }
    }

    #[test]
    fn an_unreadable_value_is_an_error_naming_table_column_and_value() {
        for b in backends("varde") {
            let s = &b.store;
            s.conn
                .batch(
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
                .batch("UPDATE org_nod SET giltig_fran = '2026-01-01', niva = 'gruppen'")
                .unwrap();
            let e = s.org_nodes().unwrap_err();
            assert!(e.to_string().contains("org_nod.niva"), "{e}");
        }
    }

    #[test]
    fn rows_are_typed_and_a_bad_date_in_stays_or_decisions_is_an_error() {
        use resurs_core::num::{Money, Qty};
        for b in backends("rader") {
            let s = &b.store;
            s.conn
                .batch(
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
                .batch("UPDATE vistelse SET utflyttning = '2026-02-30'; UPDATE beslut SET startdatum = '2026-1-5'")
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
            s.conn.batch("UPDATE utforare SET bemanning = 'sovande'").unwrap();
            let e = s.providers().unwrap_err();
            assert!(e.to_string().contains("\"sovande\" i utforare.bemanning"), "{e}");
        }
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
        let pages: i64 = s.conn.query_one("PRAGMA page_count", params![], |r| r.get(0)).unwrap();
        s.conn.batch(&format!("PRAGMA max_page_count = {}", pages + 2)).unwrap();
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

    /// The same writes on a store: conflicts, a rolled-back transaction,
    /// upserts and more visits than one PostgreSQL batch, with duplicates
    /// within and across batches.
    fn same_writes(s: &mut Store) -> Vec<(u64, String)> {
        let mut rejected = Vec::new();
        {
            let tx = s.begin().unwrap();
            tx.log_import("besok", "x.csv", "nej", 1, "2026-01-01T00:00:00Z")
                .unwrap();
            tx.insert_brukare("B-rullas-tillbaka", 1950, Kon::K, None).unwrap();
        }
        let tx = s.begin().unwrap();
        let import = tx
            .log_import("besok", "a.csv", "abc", 1, "2026-01-01T00:00:00Z")
            .unwrap();
        assert_eq!(import, 1, "a rolled-back id is used again, as SQLite does");
        for kod in ["U1", "U2", "U1"] {
            tx.conn
                .execute(
                    "INSERT INTO utforare (kod, namn, regiform, import_id) VALUES ($1, 'Omsorg', 'egen', $2) \
                     ON CONFLICT (kod) DO NOTHING",
                    params![kod, import],
                )
                .unwrap();
        }
        tx.conn
            .execute(
                "INSERT INTO insats (kod, namn, lagrum, volymenhet, verksamhet, import_id) \
                 VALUES ('HT', 'Hemtjänst', 'SoL', 'timmar', 'hemtjänst', $1)",
                params![import],
            )
            .unwrap();
        let b1 = tx.insert_brukare("B1", 1940, Kon::K, Some("Norr")).unwrap();
        let b2 = tx.insert_brukare("B2 – åäö", 1938, Kon::M, None).unwrap();
        let p1 = tx.insert_personal("P1").unwrap();
        tx.set_meta("a", "1").unwrap();
        tx.set_meta("a", "2").unwrap();
        let period = Period::from_int(202603).unwrap();
        let mut ins = tx.besok_inserter().unwrap();
        for i in 0..10_000u64 {
            // Every 997th visit repeats an earlier one (in this or an earlier batch).
            let id = if i % 997 == 996 {
                format!("V{}", i - 900)
            } else {
                format!("V{i}")
            };
            let start = 29_500_000 + i as i64 * 60;
            let fakt = if i % 3 == 0 {
                (Some(start + 5), Some(start + 50))
            } else {
                (Some(start), Some(start + 30))
            };
            let status = if i % 11 == 0 {
                BesokStatus::Installd
            } else {
                BesokStatus::Utford
            };
            let (u, b) = if i % 2 == 0 { (1, b1) } else { (2, b2) };
            ins.insert(i, u, &id, b, 1, p1, period, (start, start + 30), fakt, status, import)
                .unwrap();
            rejected.extend(ins.take_rejected());
        }
        rejected.extend(ins.finish().unwrap());
        tx.finish_import(import, 10_000, 10_000 - rejected.len() as i64)
            .unwrap();
        tx.commit().unwrap();
        rejected
    }

    #[test]
    fn both_backends_give_the_same_ids_rows_and_checksum() {
        let Some(pg) = postgres("samma") else { return };
        let mut results = Vec::new();
        for mut b in [sqlite("samma"), pg] {
            let s = &mut b.store;
            let rejected = same_writes(s);
            let period = Period::from_int(202603).unwrap();
            let mut visits = Vec::new();
            s.each_performed_visit(period, |b, u, i, start, end| {
                visits.push((b.to_string(), u.to_string(), i.to_string(), start, end))
            })
            .unwrap();
            assert_eq!(visits.len(), s.performed_visits(period).unwrap().len());
            let mut o = s.overview().unwrap();
            o.databas.clear();
            let ids = s.code_ids(CodeTable::Brukare).unwrap();
            results.push((
                rejected,
                visits,
                format!("{o:?}"),
                ids,
                s.content_checksum().unwrap(),
                s.imports().unwrap().len(),
            ));
        }
        let (a, b) = (&results[0], &results[1]);
        assert_eq!(a.0.len(), 10, "duplicates found: {:?}", a.0);
        assert_eq!(a.0, b.0, "the same duplicates, tagged the same");
        assert_eq!(a.1, b.1, "the same visits in the same order");
        assert_eq!(a.2, b.2, "the same overview (sums, counts, spans)");
        assert_eq!(a.3, b.3, "the same ids");
        assert_eq!(a.4, b.4, "the same content checksum");
        assert_eq!(a.5, b.5);
    }

    /// An import's rows on a store: more than one PostgreSQL batch of
    /// attendance rows with keys repeated within a batch, across batches
    /// and from an earlier import, brukare created along the way, ledger
    /// lines and an organisation node; the duplicates (line, value) as the
    /// store told them.
    fn batched_import(s: &mut Store) -> Vec<(usize, String)> {
        use resurs_core::model::{Huvudboksrad, OrgNiva, OrgNode};
        let day = |i: usize| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new((i % 300) as u64);
        let mut told = Vec::new();
        {
            let tx = s.begin().unwrap();
            let import = tx
                .log_import("narvaro", "a.csv", "a", 0, "2026-01-01T00:00:00Z")
                .unwrap();
            let b = tx.insert_brukare("B0", 1950, Kon::K, None).unwrap();
            for i in 0..10 {
                assert!(tx.insert_narvaro(Tag::NONE, b, 1, day(i), "heldag", import).unwrap());
            }
            tx.commit().unwrap();
        }
        let tx = s.begin().unwrap();
        tx.batch_rows();
        let import = tx
            .log_import("narvaro", "b.csv", "b", 0, "2026-01-01T00:00:00Z")
            .unwrap();
        let mut people = vec![tx.code_id_of_b0()];
        for line in 2..(2 + 3 * batch::BATCH + 77) {
            let n = line - 2;
            if n % 1000 == 999 {
                people.push(tx.insert_brukare(&format!("B{n}"), 1940, Kon::M, Some("Norr")).unwrap());
                tx.note_new_omrade(*people.last().unwrap(), import).unwrap();
            }
            if n % 2500 == 1 {
                // A statement of its own between queued rows sees them.
                tx.set_brukare_omrade(people[0], "Söder", import).unwrap();
            }
            // Every 613th row repeats one 500 rows back (same or earlier
            // batch); rows 0..10 of person 0 exist from the first import.
            let (who, d) = if n % 613 == 612 {
                ((n - 500) % people.len(), n - 500)
            } else {
                (n % people.len(), n)
            };
            let shown = day(d).to_string();
            let tag = Tag { line, shown: &shown };
            if !tx
                .insert_narvaro(tag, people[who], 1, day(d), "halvdag", import)
                .unwrap()
            {
                told.push((line, shown.clone()));
            }
        }
        for p in 0..3 {
            let r = Huvudboksrad {
                period: Period::from_int(202601 + p).unwrap(),
                konto: "4010".into(),
                ansvar: "A1".into(),
                verksamhet: "V".into(),
                belopp: resurs_core::num::Money::from_ore(100 + p),
                text: None,
                verifikation: (p == 1).then(|| "A 7".into()),
            };
            assert!(tx.insert_huvudbok(&r, import).unwrap());
        }
        let node = OrgNode {
            kod: "K".into(),
            namn: "Kommun".into(),
            niva: OrgNiva::Kommun,
            overordnad: None,
            giltig_fran: day(0),
            giltig_till: None,
        };
        for line in [5000, 5001] {
            let shown = "2026-01-01";
            if !tx.insert_org(Tag { line, shown }, &node, import).unwrap() {
                told.push((line, shown.into()));
            }
        }
        told.extend(tx.flush_rows().unwrap());
        told.sort();
        tx.commit().unwrap();
        told
    }

    impl Tx<'_> {
        fn code_id_of_b0(&self) -> i64 {
            self.conn
                .query_one("SELECT id FROM brukare WHERE pseudonym = 'B0'", params![], |r| r.get(0))
                .unwrap()
        }
    }

    #[test]
    fn a_batched_import_on_postgres_tells_the_same_duplicates_and_keeps_the_same_rows() {
        let Some(mut pg) = postgres("satsvis") else { return };
        let mut lite = sqlite("satsvis");
        let a = batched_import(&mut lite.store);
        let b = batched_import(&mut pg.store);
        assert!(
            a.len() > 10,
            "duplicates within and across batches and from before: {a:?}"
        );
        assert!(a.iter().any(|(l, _)| *l == 5001), "the organisation node's repeat");
        assert_eq!(a, b, "the same duplicates on the same lines");
        assert_eq!(
            lite.store.content_checksum().unwrap(),
            pg.store.content_checksum().unwrap(),
            "the same rows with the same ids"
        );
        // A commit with queued rows not written is refused, not half done.
        let next: i64 = pg
            .store
            .conn
            .query_one("SELECT MAX(id) + 1 FROM brukare", params![], |r| r.get(0))
            .unwrap();
        let before = pg.store.content_checksum().unwrap();
        let tx = pg.store.begin().unwrap();
        tx.batch_rows();
        assert_eq!(
            tx.insert_brukare("B-ny", 1950, Kon::K, None).unwrap(),
            next,
            "the next id, as SQLite gives"
        );
        let e = tx.commit().unwrap_err();
        assert!(e.to_string().contains("flush_rows"), "{e}");
        assert_eq!(pg.store.content_checksum().unwrap(), before, "nothing kept");
    }

    #[test]
    fn another_connections_commit_changes_the_data_version() {
        for mut b in backends("dataversion") {
            let watcher = Store::open_location(b.store.location()).unwrap();
            let kind = b.store_kind();
            let writer = &mut b.store;
            let v0 = watcher.data_version().unwrap();
            assert_eq!(watcher.data_version().unwrap(), v0, "nothing changed");
            {
                let tx = writer.begin().unwrap();
                tx.set_meta("x", "1").unwrap();
            }
            assert_eq!(watcher.data_version().unwrap(), v0, "a rollback changes nothing");
            // Sessions and sign-in throttling change no figure: the caches
            // stay (otherwise every use of a session empties them).
            writer.start_session("abc", "ingen", "csrf", 0, 60).unwrap();
            writer.touch_session("abc", 120).unwrap();
            let tx = writer.begin_immediate().unwrap();
            tx.set_throttle_row(
                "n:x",
                crate::ThrottleRow {
                    antal: 1,
                    forsta: 0,
                    senaste: 0,
                },
            )
            .unwrap();
            tx.commit_quiet().unwrap();
            assert_eq!(watcher.data_version().unwrap(), v0, "{kind}: sessions are not data");
            let tx = writer.begin().unwrap();
            tx.set_meta("x", "1").unwrap();
            tx.commit().unwrap();
            assert_ne!(watcher.data_version().unwrap(), v0, "{kind}");
        }
    }

    impl Backend {
        pub(crate) fn store_kind(&self) -> &'static str {
            if self._pg.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        }
    }

    #[test]
    fn servers_starting_together_migrate_once() {
        let Some(db) = testing::TestDb::create("samtidigt") else {
            return;
        };
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let url = db.url.clone();
                std::thread::spawn(move || Store::open_url(&url).map(|s| s.schema_version().unwrap()))
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap().unwrap(), MIGRATIONS.len() as i64);
        }
    }

    #[test]
    fn a_writer_waiting_for_another_is_told_the_database_is_busy() {
        for mut b in backends("upptagen") {
            let kind = b.store_kind();
            let mut other = Store::open_location(b.store.location()).unwrap();
            other.set_busy_timeout_ms(200);
            let tx = b.store.begin_immediate().unwrap();
            tx.set_meta("x", "1").unwrap();
            let started = std::time::Instant::now();
            let e = match other.begin_immediate() {
                Err(e) => e,
                Ok(tx2) => tx2.set_meta("x", "2").unwrap_err(),
            };
            assert!(matches!(e, StoreError::Busy { .. }), "{kind}: {e:?}");
            assert!(e.is_operational());
            assert!(started.elapsed() < std::time::Duration::from_secs(5), "{kind}");
            drop(tx);
            // The lock is free again: the other writer goes ahead.
            let tx2 = other.begin_immediate().unwrap();
            tx2.set_meta("x", "2").unwrap();
            tx2.commit().unwrap();
            assert_eq!(b.store.meta("x").unwrap().as_deref(), Some("2"), "{kind}");
        }
    }

    #[test]
    fn a_sum_beyond_i64_is_an_overflow_on_both_backends() {
        for mut b in backends("summa") {
            let kind = b.store_kind();
            let half = i64::MAX / 2 + 1;
            let tx = b.store.begin().unwrap();
            for i in 0..2 {
                tx.conn
                    .execute(
                        "INSERT INTO huvudbok (period, konto, ansvar, verksamhet, belopp, import_id) \
                         VALUES (202601, '4010', 'A1', 'V', $1, 1)",
                        params![half + i],
                    )
                    .unwrap();
            }
            tx.commit().unwrap();
            let (from, to) = (Period::from_int(202601).unwrap(), Period::from_int(202612).unwrap());
            let e = b.store.ledger_total("A1", from, to).unwrap_err();
            assert!(matches!(e, StoreError::Overflow { .. }), "{kind}: {e:?}");
            assert!(e.is_operational(), "{kind}");
            let e = b.store.ledger_months(from, to).unwrap_err();
            assert!(matches!(e, StoreError::Overflow { .. }), "{kind}: {e:?}");
            // The largest sum that fits is read exactly, and so is the smallest.
            b.store
                .conn
                .batch(&format!(
                    "UPDATE huvudbok SET belopp = {} WHERE belopp = {}",
                    i64::MAX - half,
                    half + 1
                ))
                .unwrap();
            assert_eq!(b.store.ledger_total("A1", from, to).unwrap().ore(), i64::MAX, "{kind}");
            b.store
                .conn
                .batch(&format!(
                    "UPDATE huvudbok SET belopp = -belopp - 1 WHERE belopp = {half}; \
                     UPDATE huvudbok SET belopp = -belopp WHERE belopp = {}",
                    i64::MAX - half
                ))
                .unwrap();
            assert_eq!(b.store.ledger_total("A1", from, to).unwrap().ore(), i64::MIN, "{kind}");
        }
    }

    #[test]
    fn a_database_url_is_shown_without_its_password() {
        let l = DbLocation::parse(std::ffi::OsStr::new("postgres://resurs:hemligt@db.local:5432/resurs"));
        assert!(l.is_postgres());
        assert_eq!(l.to_string(), "postgres://resurs:***@db.local:5432/resurs");
        assert_eq!(
            mask_url("postgresql://resurs@%2Frun%2Fpostgresql/resurs?password=hemligt&sslmode=disable"),
            "postgresql://resurs@%2Frun%2Fpostgresql/resurs?password=***&sslmode=disable"
        );
        assert_eq!(
            mask_url("postgresql:///resurs?host=/tmp"),
            "postgresql:///resurs?host=/tmp"
        );
        let f = DbLocation::parse(std::ffi::OsStr::new("data/resurs.db"));
        assert_eq!(f.file(), Some(Path::new("data/resurs.db")));
        assert!(DbLocation::parse(std::ffi::OsStr::new("POSTGRESQL://x/y")).is_postgres());
        // A server that cannot be reached: the message names it without the password.
        let e = Store::open_url("postgres://resurs:hemligt@127.0.0.1:1/resurs")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("postgres://resurs:***@127.0.0.1:1/resurs"), "{e}");
        assert!(!e.contains("hemligt"), "{e}");
    }

    #[test]
    fn backup_on_postgres_points_to_pg_dump() {
        let Some(b) = postgres("backup") else { return };
        let e = b.store.backup_supported().unwrap_err();
        assert!(e.is_operational());
        assert!(e.to_string().contains("pg_dump"), "{e}");
        assert!(b.store.path().is_none());
    }
}
