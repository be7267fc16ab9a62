//! `resurs backup` and `resurs restore`: a consistent copy of the database
//! while it is in use, and a checked restore that replaces everything.
//!
//! A backup file is written under a temporary name with owner-only
//! permissions (it holds the same data as the database) and gets its name
//! only when it is complete, so a half-written copy never looks like a
//! backup; an existing file is never overwritten. The pseudonym key
//! (`<databas>.pseudonymnyckel`) is not part of the copy: it is a secret
//! and is kept separately (docs/drift.md).

use crate::{audit, now, Actor, AppError};
use resurs_store::Store;
use std::path::{Path, PathBuf};

/// A written backup.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    pub fil: PathBuf,
    pub byte: u64,
    /// Content checksum of the copy (`resurs info --kontrollsumma`).
    pub kontrollsumma: String,
}

/// A finished restore.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Restored {
    pub fran: PathBuf,
    pub schemaversion: i64,
    pub importer: i64,
    /// Content checksum of the database after the restore, equal to the
    /// backup's.
    pub kontrollsumma: String,
}

fn private_new_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Writes a consistent copy of `store` to `target`, a new file.
pub fn backup(store: &Store, target: &Path) -> Result<Written, AppError> {
    if target.exists() {
        return Err(AppError::User(format!(
            "filen {} finns redan; välj ett nytt namn (en säkerhetskopia skrivs aldrig över)",
            target.display()
        )));
    }
    let name = target
        .file_name()
        .ok_or_else(|| AppError::User(format!("{} är inget filnamn", target.display())))?
        .to_string_lossy()
        .into_owned();
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(AppError::User(format!("katalogen {} finns inte", dir.display())));
    }
    let partial = dir.join(format!(".{name}.delvis-{}", std::process::id()));
    let _ = std::fs::remove_file(&partial);
    drop(private_new_file(&partial).map_err(AppError::io(format!("skapa {}", partial.display())))?);
    let result = (|| {
        store.backup_into(&partial)?;
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .map_err(AppError::io(format!("skriva {}", partial.display())))?;
        // A hard link gives the copy its name only if the name is still
        // free (no overwrite even if another process took it meanwhile).
        std::fs::hard_link(&partial, target).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                AppError::User(format!("filen {} finns redan; välj ett nytt namn", target.display()))
            } else {
                AppError::io(format!("skapa {}", target.display()))(e)
            }
        })?;
        Ok::<(), AppError>(())
    })();
    let _ = std::fs::remove_file(&partial);
    result?;
    let byte = std::fs::metadata(target)
        .map_err(AppError::io(format!("läsa {}", target.display())))?
        .len();
    let kontrollsumma = Store::open(target)?.content_checksum()?;
    Ok(Written {
        fil: target.to_path_buf(),
        byte,
        kontrollsumma,
    })
}

/// Replaces the content of `store` with the backup at `source`. A database
/// that already holds data is replaced only when `replace` is set. The
/// restore is audited in the restored database.
pub fn restore(store: &mut Store, source: &Path, actor: &Actor, replace: bool) -> Result<Restored, AppError> {
    if !source.is_file() {
        return Err(AppError::User(format!("filen {} finns inte", source.display())));
    }
    let check = Store::check_backup(source)?.map_err(|p| AppError::User(p.to_string()))?;
    if store.has_data()? && !replace {
        return Err(AppError::User(format!(
            "databasen {} innehåller redan data, och en återställning ersätter allt i den; kör om med --ersatt \
             om det är meningen (ta gärna en säkerhetskopia av den först)",
            store.path().display()
        )));
    }
    store.restore_from(source)?;
    let kontrollsumma = store.content_checksum()?;
    let tx = store.begin()?;
    audit(
        &tx,
        actor,
        &now(),
        "återställning",
        &format!("databas från {}", source.display()),
        None,
        Some(&format!(
            "schemaversion {}, {} importer, kontrollsumma {kontrollsumma}",
            check.schemaversion, check.importer
        )),
    )?;
    tx.commit()?;
    Ok(Restored {
        fran: source.to_path_buf(),
        schemaversion: check.schemaversion,
        importer: check.importer,
        kontrollsumma,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn refuses_files_that_are_not_resurs_backups() {
        let dir = temp();
        let mut store = Store::open(&dir.path().join("db")).unwrap();
        let actor = Actor::new("test");
        let text = dir.path().join("text.db");
        std::fs::write(&text, "inte en databas\n".repeat(100)).unwrap();
        let e = restore(&mut store, &text, &actor, false).unwrap_err().to_string();
        assert!(
            e.contains("går inte att öppna som en SQLite-databas") || e.contains("inte en säkerhetskopia"),
            "{e}"
        );
        let other = dir.path().join("annan.db");
        rusqlite_free_db(&other);
        let e = restore(&mut store, &other, &actor, false).unwrap_err().to_string();
        assert!(e.contains("inte en säkerhetskopia av en Resurs-databas"), "{e}");
        let e = restore(&mut store, &dir.path().join("saknas.db"), &actor, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("finns inte"), "{e}");
    }

    /// A SQLite database without Resurs's tables.
    fn rusqlite_free_db(path: &Path) {
        let c = rusqlite::Connection::open(path).unwrap();
        c.execute_batch("CREATE TABLE annat (x INTEGER); PRAGMA user_version = 3;")
            .unwrap();
    }

    #[test]
    fn a_backup_is_private_never_overwrites_and_restores_to_the_same_checksum() {
        let dir = temp();
        let db = dir.path().join("resurs.db");
        let mut store = Store::open(&db).unwrap();
        let actor = Actor::new("test");
        {
            let tx = store.begin().unwrap();
            tx.log_import("organisation", "org.csv", "abc", 1, "2026-01-01T00:00:00Z")
                .unwrap();
            tx.commit().unwrap();
        }
        let before = store.content_checksum().unwrap();
        let target = dir.path().join("kopia.db");
        let w = backup(&store, &target).unwrap();
        assert_eq!(w.kontrollsumma, before);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "backup readable only by its owner");
        }
        let e = backup(&store, &target).unwrap_err().to_string();
        assert!(e.contains("finns redan"), "{e}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("delvis"))
            .collect();
        assert!(leftovers.is_empty(), "no partial file left");

        // Change the database, then restore: the content is the backup's.
        {
            let tx = store.begin().unwrap();
            tx.log_import("utforare", "u.csv", "def", 1, "2026-01-02T00:00:00Z")
                .unwrap();
            tx.commit().unwrap();
        }
        assert_ne!(store.content_checksum().unwrap(), before);
        let e = restore(&mut store, &target, &actor, false).unwrap_err().to_string();
        assert!(e.contains("--ersatt"), "{e}");
        let r = restore(&mut store, &target, &actor, true).unwrap();
        assert_eq!(r.kontrollsumma, before);
        assert_eq!(store.content_checksum().unwrap(), before);
        assert_eq!(store.imports().unwrap().len(), 1);
        let log = store.audit_log(1).unwrap();
        assert_eq!(log[0].handling, "återställning");
        assert_eq!(log[0].vem, "test");
    }
}
