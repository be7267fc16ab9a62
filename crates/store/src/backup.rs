//! Backup and restore of the SQLite database with SQLite's online backup
//! API: a consistent copy while other connections (a running `resurs
//! serve`) keep reading and writing, and a restore that takes the
//! database's write lock like any other writer.

use crate::db::params;
use crate::{Ctx, DbError, Result, Store, StoreError, MIGRATIONS};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// The answer to `resurs backup` and `resurs restore` on PostgreSQL.
const PG_BACKUP: &str = "resurs backup och resurs restore gäller en SQLite-databas. En PostgreSQL-databas \
     säkerhetskopieras med PostgreSQL:s egna verktyg, t.ex. pg_dump --format=custom --file=resurs.dump \
     DATABAS, och återställs med pg_restore (se docs/drift.md, avsnittet PostgreSQL)";

/// What a backup file holds, read without changing it.
#[derive(Debug, Clone)]
pub struct BackupCheck {
    /// Schema version of the file (`PRAGMA user_version`).
    pub schemaversion: i64,
    /// Number of imports in the file's import log.
    pub importer: i64,
}

/// Why a file cannot be restored.
#[derive(Debug, thiserror::Error)]
pub enum BackupProblem {
    #[error("filen {0} går inte att öppna som en SQLite-databas")]
    NotSqlite(String),
    #[error("filen {0} är inte en säkerhetskopia av en Resurs-databas (tabellerna meta och import_logg saknas)")]
    NotResurs(String),
    #[error("filen {path} är skadad: SQLite:s integritetskontroll svarade \"{answer}\"")]
    Damaged { path: String, answer: String },
    #[error(
        "filen {path} har schemaversion {found}, men denna version av Resurs känner bara till {known}; \
         uppdatera Resurs innan du återställer"
    )]
    TooNew { path: String, found: i64, known: i64 },
}

/// Copies with SQLite's backup API, the whole database in one step (a
/// consistent snapshot), waiting while another connection holds a lock.
fn copy(from: &Connection, to: &mut Connection, context: &'static str) -> Result<()> {
    let backup = Backup::new(from, to).ctx(context)?;
    // About 30 s of waiting for another writer (an import) to finish.
    for _ in 0..300 {
        match backup.step(-1).ctx(context)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => std::thread::sleep(Duration::from_millis(100)),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    Err(StoreError::Sql {
        context,
        source: rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None).into(),
    })
}

impl Store {
    /// Whether `resurs backup` and `resurs restore` apply: a SQLite
    /// database; on PostgreSQL the answer points to pg_dump.
    pub fn backup_supported(&self) -> Result<()> {
        if self.conn.is_pg() {
            return Err(StoreError::Unsupported(format!("{PG_BACKUP}.")));
        }
        Ok(())
    }

    /// Writes a consistent copy of the database into `target`, which must be
    /// an existing empty file (the caller creates it with owner-only
    /// permissions).
    pub fn backup_into(&self, target: &Path) -> Result<()> {
        let Some(conn) = self.conn.sqlite() else {
            return Err(StoreError::Unsupported(format!("{PG_BACKUP}.")));
        };
        let mut to = Connection::open(target).map_err(|source| StoreError::Open {
            path: target.display().to_string(),
            source: source.into(),
        })?;
        copy(conn, &mut to, "säkerhetskopiering")
    }

    /// Checks a backup file without changing it: a SQLite database that
    /// passes the integrity check, with Resurs's tables, and a schema this
    /// version knows.
    pub fn check_backup(path: &Path) -> Result<std::result::Result<BackupCheck, BackupProblem>> {
        let shown = path.display().to_string();
        let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
            Ok(c) => c,
            Err(_) => return Ok(Err(BackupProblem::NotSqlite(shown))),
        };
        let Ok(version) = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)) else {
            return Ok(Err(BackupProblem::NotSqlite(shown)));
        };
        let answer: String = match conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0)) {
            Ok(a) => a,
            Err(e) => {
                return Ok(Err(BackupProblem::Damaged {
                    path: shown,
                    answer: e.to_string(),
                }))
            }
        };
        if answer != "ok" {
            return Ok(Err(BackupProblem::Damaged { path: shown, answer }));
        }
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'import_logg')",
                [],
                |r| r.get(0),
            )
            .ctx("kontroll av säkerhetskopia")?;
        if tables != 2 || version < 1 {
            return Ok(Err(BackupProblem::NotResurs(shown)));
        }
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Ok(Err(BackupProblem::TooNew {
                path: shown,
                found: version,
                known,
            }));
        }
        let importer = conn
            .query_row("SELECT COUNT(*) FROM import_logg", [], |r| r.get(0))
            .ctx("kontroll av säkerhetskopia")?;
        Ok(Ok(BackupCheck {
            schemaversion: version,
            importer,
        }))
    }

    /// Replaces the whole content of this database with the backup at
    /// `source` (checked first with [`Store::check_backup`]), then brings
    /// its schema up to date. Other connections see the new content at
    /// their next read. Every session ends (users sign in again).
    pub fn restore_from(&mut self, source: &Path) -> Result<()> {
        let Some(conn) = self.conn.sqlite_mut() else {
            return Err(StoreError::Unsupported(format!(
                "{PG_BACKUP}; en säkerhetskopia från pg_dump återställs med pg_restore."
            )));
        };
        // The change counter must move past every value a server has seen,
        // whatever the backup's counter was.
        let seen: i64 = conn
            .query_row("SELECT n FROM resurs_andring", [], |r| r.get(0))
            .map_err(DbError::from)
            .ctx("återställning")?;
        let from = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|source_err| {
            StoreError::Open {
                path: source.display().to_string(),
                source: source_err.into(),
            }
        })?;
        copy(&from, conn, "återställning")?;
        self.migrate(None)?;
        // Everyone signs in again: no session of the backup's time lives on.
        self.conn
            .execute("DELETE FROM session", params![])
            .ctx("återställning")?;
        self.conn
            .execute("UPDATE resurs_andring SET n = $1", params![seen + 1])
            .ctx("återställning")?;
        Ok(())
    }
}
