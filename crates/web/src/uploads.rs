//! Uploaded files waiting for the user to confirm the import.
//!
//! An upload may hold personal identity numbers (they are pseudonymised
//! only by the import), so it never lingers:
//!
//! - it is written, chunk by chunk, into a private directory (mode 0700,
//!   a random name created anew, never an existing directory) as a file of
//!   mode 0600 created with `O_EXCL`;
//! - every file is owned by a guard ([`UploadFile`]) that deletes it when
//!   dropped: on a refused or oversize upload, a client that disconnects
//!   mid-upload (the request future is dropped), a panic in the worker, an
//!   import, a discard, an eviction or an expiry;
//! - a pending upload expires after [`Limits::ttl`] (checked on use and by a
//!   sweeper, [`sweep_forever`]);
//! - the directory is removed when the server stops, and by `Drop` if the
//!   server returns early with an error.
//!
//! The metadata lives in memory only; the module is self-contained so it
//! can move into the database later.

use std::collections::HashMap;
use std::fs::{DirBuilder, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Weak};
use std::time::{Duration, Instant};

/// How large, how many and how long.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file accepted, in bytes (1 GiB).
    pub max_bytes: u64,
    /// How long an upload waits for confirmation (30 minutes).
    pub ttl: Duration,
    /// Pending uploads per user; a further upload evicts the user's oldest (5).
    pub per_user: usize,
    /// Pending uploads in all; beyond it new uploads are refused (50).
    pub total: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 1 << 30,
            ttl: Duration::from_secs(30 * 60),
            per_user: 5,
            total: 50,
        }
    }
}

/// A file in the uploads directory, deleted when the guard is dropped.
#[derive(Debug)]
pub struct UploadFile {
    path: PathBuf,
}

impl UploadFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for UploadFile {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(fel = %e, "en uppladdad fil kunde inte tas bort");
            }
        }
    }
}

/// A validated upload waiting for confirmation. Dropping it deletes the file.
#[derive(Debug)]
pub struct Pending {
    pub user: String,
    pub kind: &'static str,
    pub filnamn: String,
    pub bytes: u64,
    pub file: UploadFile,
    created: Instant,
}

impl Pending {
    pub fn new(user: String, kind: &'static str, filnamn: String, bytes: u64, file: UploadFile) -> Pending {
        Pending {
            user,
            kind,
            filnamn,
            bytes,
            file,
            created: Instant::now(),
        }
    }
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

/// Why a pending upload could not be taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Missing {
    /// Unknown id, or another user's upload.
    Unknown,
    /// Older than the time limit (and now deleted).
    Expired,
}

/// The private directory and the pending uploads in it.
pub struct Uploads {
    dir: PathBuf,
    limits: Limits,
    pending: Mutex<HashMap<String, Pending>>,
}

fn random_hex(bytes: usize) -> Result<String, String> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|e| format!("slumptal saknas: {e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

impl Uploads {
    /// Creates a new private directory under the system's temporary
    /// directory (`TMPDIR`); the error is for the operator.
    pub fn create(limits: Limits) -> Result<Uploads, String> {
        Self::create_in(&std::env::temp_dir(), limits)
    }

    /// Creates `resurs-uppladdning-<random>` in `base`, mode 0700; an
    /// existing directory of that name is never reused.
    pub fn create_in(base: &Path, limits: Limits) -> Result<Uploads, String> {
        let dir = base.join(format!("resurs-uppladdning-{}", random_hex(16)?));
        DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("katalogen för uppladdningar {} kunde inte skapas: {e}", dir.display()))?;
        Ok(Uploads {
            dir,
            limits,
            pending: Mutex::new(HashMap::new()),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a new upload may start (the total is not reached).
    pub fn has_room(&self) -> bool {
        self.sweep();
        self.map().len() < self.limits.total
    }

    /// A new file (mode 0600, created exclusively) for an upload of
    /// `filnamn`: its id, the guard that deletes it and the handle to write
    /// to. The file is named `<id>-<filnamn>` with only letters, digits and
    /// `.-_` kept, so the readers see the extension (xlsx or CSV) and the
    /// messages the user's file name.
    pub fn new_file(&self, filnamn: &str) -> std::io::Result<(String, UploadFile, File)> {
        let id = random_hex(12).map_err(std::io::Error::other)?;
        // The last 100 characters, so a long name keeps its extension.
        let skip = filnamn.chars().count().saturating_sub(100);
        let safe: String = filnamn
            .chars()
            .skip(skip)
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.dir.join(format!("{id}-{safe}"));
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        Ok((id, UploadFile { path }, f))
    }

    /// Keeps a validated upload under `id`. A user over [`Limits::per_user`]
    /// loses the oldest pending upload (its file is deleted).
    pub fn keep(&self, id: String, p: Pending) {
        let mut map = self.map();
        let user = p.user.clone();
        map.insert(id, p);
        loop {
            let mine: Vec<(&String, Instant)> = map
                .iter()
                .filter(|(_, q)| q.user == user)
                .map(|(k, q)| (k, q.created))
                .collect();
            if mine.len() <= self.limits.per_user {
                break;
            }
            let Some(oldest) = mine.iter().min_by_key(|x| x.1).map(|x| x.0.clone()) else {
                break;
            };
            map.remove(&oldest);
        }
    }

    /// Takes the user's pending upload `id` out (the caller imports or
    /// drops it; either way the file is deleted when it is dropped).
    pub fn take(&self, id: &str, user: &str) -> Result<Pending, Missing> {
        let mut map = self.map();
        match map.get(id) {
            Some(p) if p.user == user => {
                let p = map.remove(id).ok_or(Missing::Unknown)?;
                if p.created.elapsed() > self.limits.ttl {
                    return Err(Missing::Expired);
                }
                Ok(p)
            }
            _ => Err(Missing::Unknown),
        }
    }

    /// How many uploads are pending.
    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops expired uploads, and any file in the directory that no pending
    /// upload owns and that is older than the time limit (left by a crash
    /// of an earlier version, say). Returns how many were removed.
    pub fn sweep(&self) -> usize {
        let ttl = self.limits.ttl;
        let mut removed = 0;
        {
            let mut map = self.map();
            let before = map.len();
            map.retain(|_, p| p.created.elapsed() <= ttl);
            removed += before - map.len();
        }
        let owned: Vec<PathBuf> = self.map().values().map(|p| p.path().to_path_buf()).collect();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let path = e.path();
                let old = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > ttl);
                if old && !owned.contains(&path) && std::fs::remove_file(&path).is_ok() {
                    removed += 1;
                }
            }
        }
        if removed > 0 {
            tracing::info!(antal = removed, "uppladdningar som inte bekräftades i tid togs bort");
        }
        removed
    }

    /// Deletes every pending upload and the directory (at shutdown).
    pub fn remove_all(&self) {
        self.map().clear();
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::error!(fel = %e, katalog = %self.dir.display(), "katalogen för uppladdningar kunde inte tas bort")
            }
        }
    }
}

impl Drop for Uploads {
    fn drop(&mut self) {
        self.remove_all();
    }
}

/// Sweeps expired uploads every half time limit (at least every minute)
/// until the uploads are gone.
pub async fn sweep_forever(uploads: Weak<Uploads>) {
    let Some(ttl) = uploads.upgrade().map(|u| u.limits.ttl) else {
        return;
    };
    let every = (ttl / 2).clamp(Duration::from_millis(50), Duration::from_secs(60));
    loop {
        tokio::time::sleep(every).await;
        let Some(u) = uploads.upgrade() else { return };
        // Directory listing and file removal are blocking.
        let _ = tokio::task::spawn_blocking(move || u.sweep()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    fn limits(ttl: Duration) -> Limits {
        Limits {
            ttl,
            per_user: 2,
            total: 3,
            ..Limits::default()
        }
    }

    fn upload(u: &Uploads, user: &str) -> String {
        let (id, file, mut f) = u.new_file("b.csv").unwrap();
        f.write_all(b"personnummer;19121212-1212\n").unwrap();
        u.keep(id.clone(), Pending::new(user.into(), "besok", "b.csv".into(), 27, file));
        id
    }

    #[test]
    fn the_directory_and_files_are_private_and_never_reused() {
        let base = tempfile::tempdir().unwrap();
        let u = Uploads::create_in(base.path(), Limits::default()).unwrap();
        let mode = std::fs::metadata(u.dir()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let id = upload(&u, "ekonom");
        let mode = std::fs::metadata(u.dir().join(format!("{id}-b.csv")))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        let other = Uploads::create_in(base.path(), Limits::default()).unwrap();
        assert_ne!(u.dir(), other.dir(), "each server gets its own directory");
    }

    #[test]
    fn a_file_is_deleted_when_a_worker_panics_with_it() {
        let base = tempfile::tempdir().unwrap();
        let u = Uploads::create_in(base.path(), Limits::default()).unwrap();
        let (_, file, _) = u.new_file("b.csv").unwrap();
        let path = file.path().to_path_buf();
        assert!(path.exists());
        let r = std::thread::spawn(move || {
            let _owned = file;
            panic!("the worker fails");
        })
        .join();
        assert!(r.is_err());
        assert!(!path.exists(), "the guard deleted the file while unwinding");
    }

    #[test]
    fn a_user_keeps_a_bounded_number_and_the_oldest_goes() {
        let base = tempfile::tempdir().unwrap();
        let u = Uploads::create_in(base.path(), limits(Duration::from_secs(60))).unwrap();
        let first = upload(&u, "ekonom");
        std::thread::sleep(Duration::from_millis(5));
        upload(&u, "ekonom");
        std::thread::sleep(Duration::from_millis(5));
        upload(&u, "ekonom");
        assert_eq!(u.len(), 2);
        assert_eq!(u.take(&first, "ekonom").unwrap_err(), Missing::Unknown);
        assert!(!u.dir().join(format!("{first}-b.csv")).exists());
        upload(&u, "admin");
        assert!(!u.has_room(), "three pending in all is the total");
    }

    #[test]
    fn an_expired_upload_is_gone_on_use_and_by_the_sweep() {
        let base = tempfile::tempdir().unwrap();
        let u = Uploads::create_in(base.path(), limits(Duration::from_millis(30))).unwrap();
        let a = upload(&u, "ekonom");
        let b = upload(&u, "admin");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(u.take(&a, "ekonom").unwrap_err(), Missing::Expired);
        assert!(!u.dir().join(format!("{a}-b.csv")).exists());
        assert_eq!(u.sweep(), 1);
        assert!(!u.dir().join(format!("{b}-b.csv")).exists());
        assert_eq!(std::fs::read_dir(u.dir()).unwrap().count(), 0);
    }

    #[test]
    fn dropping_the_uploads_removes_the_directory() {
        let base = tempfile::tempdir().unwrap();
        let u = Uploads::create_in(base.path(), Limits::default()).unwrap();
        upload(&u, "ekonom");
        let dir = u.dir().to_path_buf();
        drop(u);
        assert!(!dir.exists());
    }
}
