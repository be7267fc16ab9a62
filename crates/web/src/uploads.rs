//! Uploaded files waiting for the user to confirm the import.
//!
//! An upload may hold personal identity numbers (they are pseudonymised
//! only by the import), so it never lingers, and any server on the same
//! database can confirm it (several `resurs serve` behind a load balancer):
//!
//! - while it is received and checked, it is written chunk by chunk into a
//!   private directory (mode 0700, a random name created anew, never an
//!   existing directory) as a file of mode 0600 created with `O_EXCL`,
//!   owned by a guard ([`UploadFile`]) that deletes it when dropped: on a
//!   refused or oversize upload, a client that disconnects mid-upload (the
//!   request future is dropped), a panic in the worker, and once it is kept;
//! - a correct upload is kept in the database (migration 0012), encrypted:
//!   a keystream of HMAC-SHA-256 in counter mode over a random nonce, and an
//!   HMAC-SHA-256 tag over its description and the ciphertext
//!   (encrypt-then-MAC), both keys derived from the pseudonym key
//!   ([`upload_secret`]), which is never in the database;
//! - confirming or discarding it (on any server) deletes its rows; a
//!   confirmation decrypts it into a guarded file for the import;
//! - it expires after [`Limits::ttl`] (checked on use and by a sweeper on
//!   every server, [`sweep_forever`]), a user keeps at most
//!   [`Limits::per_user`] and all users together [`Limits::total`];
//! - the directory is removed when the server stops, and by `Drop` if the
//!   server returns early with an error.

use hmac::{Hmac, Mac};
use resurs_store::{DbLocation, Store, UploadRow};
use sha2::Sha256;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Weak};
use std::time::Duration;

type HmacSha256 = Hmac<Sha256>;

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

/// Size of the parts an upload is stored in.
const PART: usize = 1 << 20;

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

/// An upload in a guarded file: being checked, or taken out of the
/// database for its import. Dropping it deletes the file.
#[derive(Debug)]
pub struct Pending {
    pub user: String,
    pub kind: String,
    pub filnamn: String,
    pub bytes: u64,
    pub file: UploadFile,
}

impl Pending {
    pub fn new(user: String, kind: impl Into<String>, filnamn: String, bytes: u64, file: UploadFile) -> Pending {
        Pending {
            user,
            kind: kind.into(),
            filnamn,
            bytes,
            file,
        }
    }
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

/// Why a pending upload could not be taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Missing {
    /// Unknown id, another user's upload, taken by another request, or one
    /// this server cannot read (another key).
    Unknown,
    /// Older than the time limit (and now deleted).
    Expired,
    /// The database or the file system failed (for the log).
    Failed(String),
}

/// The secret the upload keys are derived from: from the pseudonym key
/// when this server has it (`RESURS_PSEUDONYM_KEY`, or the key file that
/// exists), so that every server on the database shares it; otherwise a
/// random one of this process (uploads are then confirmed on the server
/// that received them).
pub fn upload_secret(store: &Store) -> [u8; 32] {
    use resurs_app::keys;
    let has_key = std::env::var(keys::ENV_KEY).is_ok_and(|v| !v.is_empty())
        || keys::key_file(store.location()).is_some_and(|p| p.exists());
    if has_key {
        match keys::pseudonymizer(store, keys::NewKey::Random) {
            Ok(ps) => return ps.derive_key("uppladdning"),
            Err(e) => {
                tracing::warn!(fel = %e, "pseudonymnyckeln kunde inte läsas; uppladdningar bekräftas bara på denna server")
            }
        }
    } else {
        tracing::info!("ingen pseudonymnyckel än; uppladdningar bekräftas bara på denna server");
    }
    let mut k = [0u8; 32];
    let _ = getrandom::fill(&mut k);
    k
}

fn keyed(secret: &[u8; 32], label: &[u8]) -> HmacSha256 {
    let mut m = <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(label);
    let k = m.finalize().into_bytes();
    <HmacSha256 as Mac>::new_from_slice(&k).expect("HMAC takes any key length")
}

/// The keystream cipher (HMAC-SHA-256 in counter mode) at a byte offset.
struct Stream<'a> {
    prf: &'a HmacSha256,
    nonce: [u8; 16],
    offset: u64,
    block: [u8; 32],
    block_no: Option<u64>,
}

impl Stream<'_> {
    fn apply(&mut self, data: &mut [u8]) {
        for b in data.iter_mut() {
            let no = self.offset / 32;
            if self.block_no != Some(no) {
                let mut m = self.prf.clone();
                m.update(&self.nonce);
                m.update(&no.to_be_bytes());
                self.block.copy_from_slice(&m.finalize().into_bytes());
                self.block_no = Some(no);
            }
            *b ^= self.block[(self.offset % 32) as usize];
            self.offset += 1;
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The private directory, the database and the keys.
pub struct Uploads {
    dir: PathBuf,
    limits: Limits,
    db: DbLocation,
    conn: Mutex<Option<Store>>,
    enc: HmacSha256,
    mac: HmacSha256,
}

fn random_hex(bytes: usize) -> Result<String, String> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|e| format!("slumptal saknas: {e}"))?;
    Ok(hex(&b))
}

impl Uploads {
    /// Creates a new private directory under the system's temporary
    /// directory (`TMPDIR`); the error is for the operator.
    pub fn create(db: DbLocation, secret: &[u8; 32], limits: Limits) -> Result<Uploads, String> {
        Self::create_in(&std::env::temp_dir(), db, secret, limits)
    }

    /// Creates `resurs-uppladdning-<random>` in `base`, mode 0700; an
    /// existing directory of that name is never reused.
    pub fn create_in(base: &Path, db: DbLocation, secret: &[u8; 32], limits: Limits) -> Result<Uploads, String> {
        let dir = base.join(format!("resurs-uppladdning-{}", random_hex(16)?));
        DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("katalogen för uppladdningar {} kunde inte skapas: {e}", dir.display()))?;
        Ok(Uploads {
            dir,
            limits,
            db,
            conn: Mutex::new(None),
            enc: keyed(secret, b"resurs-uppladdning-krypto-v1"),
            mac: keyed(secret, b"resurs-uppladdning-mac-v1"),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs `f` on this module's own connection (opened on first use).
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, String>) -> Result<T, String> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        if conn.as_ref().is_none_or(|s| s.is_broken()) {
            *conn = Some(Store::open_location(&self.db).map_err(|e| e.to_string())?);
        }
        match conn.as_mut() {
            Some(s) => f(s),
            None => Err("ingen databasanslutning".into()),
        }
    }

    /// Whether a new upload may start (the total is not reached).
    pub fn has_room(&self) -> bool {
        self.sweep();
        match self.with_store(|s| s.upload_count().map_err(|e| e.to_string())) {
            Ok(n) => (n as usize) < self.limits.total,
            Err(e) => {
                tracing::error!(fel = %e, "uppladdningarna kunde inte räknas");
                false
            }
        }
    }

    /// A new file (mode 0600, created exclusively) for an upload of
    /// `filnamn`: its id, the guard that deletes it and the handle to write
    /// to. The file is named `<id>-<filnamn>` with only letters, digits and
    /// `.-_` kept, so the readers see the extension (xlsx or CSV) and the
    /// messages the user's file name.
    pub fn new_file(&self, filnamn: &str) -> std::io::Result<(String, UploadFile, File)> {
        let id = random_hex(12).map_err(std::io::Error::other)?;
        let (guard, f) = self.file_for(&id, filnamn)?;
        Ok((id, guard, f))
    }

    fn file_for(&self, id: &str, filnamn: &str) -> std::io::Result<(UploadFile, File)> {
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
        // A random tail: the same upload may be taken out twice at once.
        let tail = random_hex(4).map_err(std::io::Error::other)?;
        let path = self.dir.join(format!("{id}-{tail}-{safe}"));
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        Ok((UploadFile { path }, f))
    }

    /// The tag over an upload's description (everything but the tag).
    fn tag_start(&self, u: &UploadRow) -> HmacSha256 {
        let mut m = self.mac.clone();
        for field in [&u.id, &u.anvandare, &u.typ, &u.filnamn, &u.nonce] {
            m.update(&(field.len() as u64).to_be_bytes());
            m.update(field.as_bytes());
        }
        m.update(&u.storlek.to_be_bytes());
        m.update(&u.skapad.to_be_bytes());
        m
    }

    /// Keeps a checked upload under `id` in the database, encrypted, and
    /// deletes its file (`p` is dropped). A user over [`Limits::per_user`]
    /// loses the oldest pending upload.
    pub fn keep(&self, id: String, p: Pending) -> Result<(), String> {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|e| format!("slumptal saknas: {e}"))?;
        let mut row = UploadRow {
            id,
            anvandare: p.user.clone(),
            typ: p.kind.clone(),
            filnamn: p.filnamn.clone(),
            storlek: p.bytes as i64,
            skapad: now_ms(),
            nonce: hex(&nonce),
            mac: String::new(),
        };
        let mut tag = self.tag_start(&row);
        let mut stream = Stream {
            prf: &self.enc,
            nonce,
            offset: 0,
            block: [0; 32],
            block_no: None,
        };
        let mut f = File::open(p.path()).map_err(|e| format!("uppladdad fil kunde inte läsas: {e}"))?;
        let per_user = self.limits.per_user;
        self.with_store(|s| {
            let tx = s.begin().map_err(|e| e.to_string())?;
            // The description first (the parts refer to it), its tag last.
            tx.insert_upload(&row).map_err(|e| e.to_string())?;
            let mut buf = vec![0u8; PART];
            let mut nr = 0i64;
            loop {
                let mut n = 0;
                while n < PART {
                    match f.read(&mut buf[n..]) {
                        Ok(0) => break,
                        Ok(k) => n += k,
                        Err(e) => return Err(format!("uppladdad fil kunde inte läsas: {e}")),
                    }
                }
                if n == 0 {
                    break;
                }
                stream.apply(&mut buf[..n]);
                tag.update(&buf[..n]);
                tx.insert_upload_part(&row.id, nr, &buf[..n])
                    .map_err(|e| e.to_string())?;
                nr += 1;
            }
            row.mac = hex(&tag.finalize().into_bytes());
            tx.set_upload_mac(&row.id, &row.mac).map_err(|e| e.to_string())?;
            for (old, _) in tx
                .user_uploads(&row.anvandare)
                .map_err(|e| e.to_string())?
                .into_iter()
                .skip(per_user)
            {
                tx.delete_upload(&old).map_err(|e| e.to_string())?;
            }
            tx.commit_quiet().map_err(|e| e.to_string())
        })
    }

    /// Takes the user's pending upload `id` out of the database into a
    /// guarded file (the caller imports or drops it; either way the file is
    /// deleted when it is dropped). Its rows are deleted: a second request
    /// for it, on any server, finds nothing.
    pub fn take(&self, id: &str, user: &str) -> Result<Pending, Missing> {
        let ttl = self.limits.ttl.as_millis() as i64;
        let failed = |e: String| Missing::Failed(e);
        let row = self
            .with_store(|s| s.upload(id).map_err(|e| e.to_string()))
            .map_err(failed)?;
        let Some(row) = row.filter(|r| r.anvandare == user) else {
            return Err(Missing::Unknown);
        };
        let delete = || {
            self.with_store(|s| {
                let tx = s.begin().map_err(|e| e.to_string())?;
                let gone = tx.delete_upload(id).map_err(|e| e.to_string())?;
                tx.commit_quiet().map_err(|e| e.to_string())?;
                Ok(gone)
            })
        };
        if now_ms() - row.skapad > ttl {
            delete().map_err(failed)?;
            return Err(Missing::Expired);
        }
        let nonce: [u8; 16] = unhex(&row.nonce)
            .and_then(|n| n.try_into().ok())
            .ok_or(Missing::Unknown)?;
        let (guard, mut out) = self
            .file_for(id, &row.filnamn)
            .map_err(|e| failed(format!("uppladdad fil kunde inte skapas: {e}")))?;
        let mut tag = self.tag_start(&row);
        let mut stream = Stream {
            prf: &self.enc,
            nonce,
            offset: 0,
            block: [0; 32],
            block_no: None,
        };
        let mut nr = 0i64;
        loop {
            let part = self
                .with_store(|s| s.upload_part(id, nr).map_err(|e| e.to_string()))
                .map_err(failed)?;
            let Some(mut part) = part else { break };
            tag.update(&part);
            stream.apply(&mut part);
            out.write_all(&part)
                .map_err(|e| failed(format!("uppladdad fil kunde inte skrivas: {e}")))?;
            nr += 1;
        }
        let expected = unhex(&row.mac).unwrap_or_default();
        if tag.verify_slice(&expected).is_err() || stream.offset != row.storlek as u64 {
            // Another key (a server without the pseudonym key) or changed rows.
            tracing::warn!(uppladdning = %id, "en uppladdning kunde inte läsas med denna servers nyckel");
            return Err(Missing::Unknown);
        }
        if !delete().map_err(failed)? {
            // Another request took it first.
            return Err(Missing::Unknown);
        }
        Ok(Pending::new(
            row.anvandare,
            row.typ,
            row.filnamn,
            row.storlek as u64,
            guard,
        ))
    }

    /// How many uploads are pending (all servers).
    pub fn len(&self) -> usize {
        self.with_store(|s| s.upload_count().map_err(|e| e.to_string()))
            .map_or(0, |n| n as usize)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Deletes expired uploads from the database, and any file in the
    /// directory older than the time limit (left by a crash, say). Returns
    /// how many were removed.
    pub fn sweep(&self) -> usize {
        let ttl = self.limits.ttl;
        let before = now_ms() - ttl.as_millis() as i64;
        let mut removed = match self.with_store(|s| {
            let tx = s.begin().map_err(|e| e.to_string())?;
            let n = tx.delete_uploads_before(before).map_err(|e| e.to_string())?;
            tx.commit_quiet().map_err(|e| e.to_string())?;
            Ok(n)
        }) {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(fel = %e, "utgångna uppladdningar kunde inte tas bort");
                0
            }
        };
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let old = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > ttl);
                if old && std::fs::remove_file(e.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        if removed > 0 {
            tracing::info!(antal = removed, "uppladdningar som inte bekräftades i tid togs bort");
        }
        removed
    }

    /// Removes the directory (at shutdown). Pending uploads stay in the
    /// database for the other servers until they are confirmed, discarded
    /// or expire.
    pub fn remove_all(&self) {
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
        // Database and file removal are blocking.
        let _ = tokio::task::spawn_blocking(move || u.sweep()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn limits(ttl: Duration) -> Limits {
        Limits {
            ttl,
            per_user: 2,
            total: 3,
            ..Limits::default()
        }
    }

    struct T {
        base: tempfile::TempDir,
        db: PathBuf,
    }

    fn t() -> T {
        let base = tempfile::tempdir().unwrap();
        let db = base.path().join("t.db");
        Store::open(&db).unwrap();
        T { base, db }
    }

    fn uploads(t: &T, l: Limits) -> Uploads {
        Uploads::create_in(t.base.path(), DbLocation::from(t.db.clone()), &[7; 32], l).unwrap()
    }

    const CONTENT: &[u8] = b"personnummer;19121212-1212\n";

    fn upload(u: &Uploads, user: &str) -> String {
        let (id, file, mut f) = u.new_file("b.csv").unwrap();
        f.write_all(CONTENT).unwrap();
        u.keep(
            id.clone(),
            Pending::new(user.into(), "besok", "b.csv".into(), CONTENT.len() as u64, file),
        )
        .unwrap();
        id
    }

    fn files(u: &Uploads) -> usize {
        std::fs::read_dir(u.dir()).unwrap().count()
    }

    #[test]
    fn the_directory_and_files_are_private_and_never_reused() {
        let t = t();
        let u = uploads(&t, Limits::default());
        let mode = std::fs::metadata(u.dir()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let (_, file, _) = u.new_file("b.csv").unwrap();
        let mode = std::fs::metadata(file.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let other = uploads(&t, Limits::default());
        assert_ne!(u.dir(), other.dir(), "each server gets its own directory");
    }

    #[test]
    fn a_kept_upload_is_encrypted_in_the_database_and_comes_back_whole() {
        let t = t();
        let u = uploads(&t, Limits::default());
        let id = upload(&u, "ekonom");
        assert_eq!(files(&u), 0, "the file is gone once kept");
        let raw = std::fs::read(&t.db).unwrap();
        assert!(
            !raw.windows(13).any(|w| w == b"19121212-1212"),
            "the personnummer is in the database file in clear text"
        );
        // Another server with the same secret takes it; then it is gone.
        let other = uploads(&t, Limits::default());
        assert_eq!(
            other.take(&id, "admin").unwrap_err(),
            Missing::Unknown,
            "another user's"
        );
        let p = other.take(&id, "ekonom").unwrap();
        assert_eq!(std::fs::read(p.path()).unwrap(), CONTENT);
        assert_eq!((p.kind.as_str(), p.filnamn.as_str(), p.bytes), ("besok", "b.csv", 27));
        assert_eq!(u.take(&id, "ekonom").unwrap_err(), Missing::Unknown, "taken once");
        let path = p.path().to_path_buf();
        drop(p);
        assert!(!path.exists());
        assert!(u.is_empty());
    }

    #[test]
    fn a_server_with_another_key_or_changed_rows_cannot_read_an_upload() {
        let t = t();
        let u = uploads(&t, Limits::default());
        let id = upload(&u, "ekonom");
        let stranger = Uploads::create_in(
            t.base.path(),
            DbLocation::from(t.db.clone()),
            &[8; 32],
            Limits::default(),
        )
        .unwrap();
        assert_eq!(stranger.take(&id, "ekonom").unwrap_err(), Missing::Unknown);
        assert_eq!(files(&stranger), 0, "nothing decrypted is left behind");
        let conn = rusqlite::Connection::open(&t.db).unwrap();
        conn.execute("UPDATE uppladdning SET filnamn = 'annan.csv'", [])
            .unwrap();
        assert_eq!(u.take(&id, "ekonom").unwrap_err(), Missing::Unknown);
    }

    #[test]
    fn a_file_is_deleted_when_a_worker_panics_with_it() {
        let t = t();
        let u = uploads(&t, Limits::default());
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
        let t = t();
        let u = uploads(&t, limits(Duration::from_secs(60)));
        let first = upload(&u, "ekonom");
        std::thread::sleep(Duration::from_millis(5));
        upload(&u, "ekonom");
        std::thread::sleep(Duration::from_millis(5));
        upload(&u, "ekonom");
        assert_eq!(u.len(), 2);
        assert_eq!(u.take(&first, "ekonom").unwrap_err(), Missing::Unknown);
        upload(&u, "admin");
        assert!(!u.has_room(), "three pending in all is the total");
    }

    #[test]
    fn an_expired_upload_is_gone_on_use_and_by_the_sweep() {
        let t = t();
        let u = uploads(&t, limits(Duration::from_millis(30)));
        let a = upload(&u, "ekonom");
        upload(&u, "admin");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(u.take(&a, "ekonom").unwrap_err(), Missing::Expired);
        assert_eq!(u.len(), 1);
        assert_eq!(u.sweep(), 1);
        assert!(u.is_empty());
        assert_eq!(files(&u), 0);
    }

    #[test]
    fn dropping_the_uploads_removes_the_directory() {
        let t = t();
        let u = uploads(&t, Limits::default());
        let (_, _file, _) = u.new_file("b.csv").unwrap();
        let dir = u.dir().to_path_buf();
        drop(u);
        assert!(!dir.exists());
    }
}
