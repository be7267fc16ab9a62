//! The municipality's pseudonym key (docs/regler.md, "Dataskydd").
//!
//! The key comes from `RESURS_PSEUDONYM_KEY` when set, otherwise from a key
//! file: the one named by `RESURS_PSEUDONYM_KEY_FILE` when set, else the
//! file beside a SQLite database (`<databas>.pseudonymnyckel`), mode 0600,
//! created with 32 random bytes on first use. A PostgreSQL database has no
//! file beside it: its key must come from one of the two variables (the
//! demo, whose key is derived from its seed and is no secret, does without). The store remembers a fingerprint of the key
//! it was first used with and refuses imports under another key, because
//! pseudonyms made with different keys would not match.

use crate::AppError;
use resurs_core::pseudonym::Pseudonymizer;
use resurs_store::{DbLocation, Store, Tx};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const ENV_KEY: &str = "RESURS_PSEUDONYM_KEY";
pub const ENV_KEY_FILE: &str = "RESURS_PSEUDONYM_KEY_FILE";
const META_FINGERPRINT: &str = "pseudonymnyckel_kontroll";

pub fn key_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".pseudonymnyckel");
    PathBuf::from(s)
}

/// The key file of the database at `location`: `RESURS_PSEUDONYM_KEY_FILE`
/// when set, else beside a SQLite file; `None` for PostgreSQL without it.
pub fn key_file(location: &DbLocation) -> Option<PathBuf> {
    match std::env::var_os(ENV_KEY_FILE).filter(|v| !v.is_empty()) {
        Some(p) => Some(PathBuf::from(p)),
        None => location.file().map(key_path),
    }
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Where a new key comes from when none exists yet.
#[derive(Debug, Clone, Copy)]
pub enum NewKey {
    Random,
    /// The demo derives its key from the seed so that the same seed gives the
    /// same pseudonyms; such a key must never be used for real data.
    Demo(u64),
}

/// The key for `store`, creating the key file on first use.
pub fn pseudonymizer(store: &Store, new_key: NewKey) -> Result<Pseudonymizer, AppError> {
    let key = match std::env::var(ENV_KEY) {
        Ok(v) if !v.is_empty() => {
            if v.len() < 16 {
                return Err(AppError::User(format!(
                    "{ENV_KEY} är för kort: nyckeln måste vara minst 16 tecken."
                )));
            }
            v.into_bytes()
        }
        _ => {
            let Some(path) = key_file(store.location()) else {
                if let NewKey::Demo(seed) = new_key {
                    return demo_key(store, seed);
                }
                return Err(AppError::User(format!(
                    "En PostgreSQL-databas har ingen fil bredvid sig för pseudonymnyckeln: ange nyckeln i {ENV_KEY} \
                     eller en nyckelfil i {ENV_KEY_FILE} (filen skapas vid första användningen). Se docs/drift.md."
                )));
            };
            match std::fs::read_to_string(&path) {
                Ok(text) => from_hex(&text).filter(|k| k.len() >= 16).ok_or_else(|| {
                    AppError::User(format!(
                        "Nyckelfilen {} är skadad: förväntade minst 32 hexadecimala tecken.",
                        path.display()
                    ))
                })?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if store.meta(META_FINGERPRINT)?.is_some() {
                        return Err(AppError::User(format!(
                            "Nyckelfilen {} saknas men databasen innehåller redan pseudonymer. Återställ nyckelfilen eller ange nyckeln i {ENV_KEY}.",
                            path.display()
                        )));
                    }
                    let key = match new_key {
                        NewKey::Random => {
                            let mut k = vec![0u8; 32];
                            getrandom::fill(&mut k)
                                .map_err(|e| AppError::User(format!("kunde inte skapa slumpmässig nyckel: {e}")))?;
                            k
                        }
                        NewKey::Demo(seed) => Sha256::digest(format!("resurs-demo-nyckel:{seed}")).to_vec(),
                    };
                    write_key_file(&path, &key)?;
                    key
                }
                Err(e) => return Err(AppError::io(format!("läsa nyckelfilen {}", path.display()))(e)),
            }
        }
    };
    let ps = Pseudonymizer::new(&key).ok_or_else(|| AppError::User("Pseudonymnyckeln är för kort.".into()))?;
    if let Some(fp) = store.meta(META_FINGERPRINT)? {
        if fp != ps.fingerprint() {
            return Err(AppError::User(format!(
                "Pseudonymnyckeln är inte den som databasen {} skapades med; pseudonymerna skulle inte stämma. Använd rätt nyckelfil eller {ENV_KEY}.",
                store.location()
            )));
        }
    }
    Ok(ps)
}

/// The demo's key on a database without a key file (PostgreSQL): derived
/// from the seed, kept nowhere.
fn demo_key(store: &Store, seed: u64) -> Result<Pseudonymizer, AppError> {
    let key = Sha256::digest(format!("resurs-demo-nyckel:{seed}")).to_vec();
    let ps = Pseudonymizer::new(&key).ok_or_else(|| AppError::User("Pseudonymnyckeln är för kort.".into()))?;
    if store.meta(META_FINGERPRINT)?.is_some_and(|fp| fp != ps.fingerprint()) {
        return Err(AppError::User(format!(
            "Pseudonymnyckeln är inte den som databasen {} skapades med; ange rätt nyckel i {ENV_KEY} eller {ENV_KEY_FILE}.",
            store.location()
        )));
    }
    Ok(ps)
}

/// Records the key's fingerprint in the same transaction as the first
/// import that uses it.
pub fn remember(tx: &Tx<'_>, ps: &Pseudonymizer) -> Result<(), AppError> {
    tx.set_meta(META_FINGERPRINT, &ps.fingerprint())?;
    Ok(())
}

fn write_key_file(path: &Path, key: &[u8]) -> Result<(), AppError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(AppError::io(format!("skapa nyckelfilen {}", path.display())))?;
    writeln!(f, "{}", to_hex(key)).map_err(AppError::io(format!("skriva nyckelfilen {}", path.display())))?;
    Ok(())
}
