//! Users, roles, passwords (argon2id), sessions, API tokens, CSRF and
//! sign-in throttling.
//!
//! Sessions live in memory (a restart signs everyone out); users and API
//! tokens are stored in the database, passwords as argon2id PHC strings and
//! tokens as SHA-256, so neither can be read back.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use resurs_store::Store;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The four roles of the issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Roll {
    /// Everything, including users and API tokens.
    Admin,
    /// Reads and changes all data (forecasts, imports).
    Ekonom,
    /// Reads and changes only its own subtree of the organisation.
    Enhetschef,
    /// Reads everything, changes nothing (politicians, auditors).
    Lasare,
}

impl Roll {
    pub const ALL: [Roll; 4] = [Roll::Admin, Roll::Ekonom, Roll::Enhetschef, Roll::Lasare];

    pub fn parse(s: &str) -> Option<Roll> {
        match resurs_core::model::fold(s).as_str() {
            "admin" => Some(Roll::Admin),
            "ekonom" => Some(Roll::Ekonom),
            "enhetschef" => Some(Roll::Enhetschef),
            "lasare" => Some(Roll::Lasare),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Roll::Admin => "admin",
            Roll::Ekonom => "ekonom",
            Roll::Enhetschef => "enhetschef",
            Roll::Lasare => "läsare",
        }
    }
}

/// A signed-in user.
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub namn: String,
    pub roll: Roll,
    /// Root of the subtree an enhetschef sees.
    pub nod: Option<String>,
}

impl User {
    /// May change data (forecasts) at all.
    pub fn can_write(&self) -> bool {
        matches!(self.roll, Roll::Admin | Roll::Ekonom | Roll::Enhetschef)
    }
    /// May import files and see the whole municipality's changes.
    pub fn is_controller(&self) -> bool {
        matches!(self.roll, Roll::Admin | Roll::Ekonom)
    }
    pub fn sees_all(&self) -> bool {
        self.roll != Roll::Enhetschef
    }
}

/// Errors of user management, in Swedish.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UserError {}

impl From<resurs_store::StoreError> for UserError {
    fn from(e: resurs_store::StoreError) -> UserError {
        UserError(e.to_string())
    }
}

/// Minimum password length.
pub const MIN_PASSWORD: usize = 10;

pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the operating system's random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// argon2id (the crate's defaults: 19 MiB, 2 passes) with a random salt.
pub fn hash_password(password: &str) -> Result<String, UserError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(UserError(format!(
            "lösenordet är för kort: minst {MIN_PASSWORD} tecken"
        )));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| UserError(format!("slumptal saknas: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| UserError(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UserError(format!("lösenordet kunde inte hashas: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn check_name(namn: &str) -> Result<(), UserError> {
    let ok = !namn.is_empty()
        && namn.len() <= 64
        && namn
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        Err(UserError(format!(
            "användarnamnet \"{namn}\" är ogiltigt: 1–64 tecken, bokstäver, siffror och . - _ @"
        )))
    }
}

/// Adds a user; `actor` is written to the audit log.
pub fn add_user(
    store: &mut Store,
    namn: &str,
    roll: Roll,
    nod: Option<&str>,
    password: &str,
    actor: &str,
) -> Result<(), UserError> {
    check_name(namn)?;
    let nod = nod.map(str::trim).filter(|n| !n.is_empty());
    match (roll, nod) {
        (Roll::Enhetschef, None) => {
            return Err(UserError(
                "en enhetschef behöver en nod (--nod KOD) vars delträd hen ser".into(),
            ))
        }
        (Roll::Enhetschef, Some(n)) if !store.org_nodes()?.iter().any(|o| o.kod == n) => {
            return Err(UserError(format!("noden \"{n}\" finns inte i organisationsträdet")));
        }
        (Roll::Enhetschef, Some(_)) => {}
        (_, Some(_)) => {
            return Err(UserError(
                "bara en enhetschef har en nod; de andra rollerna ser hela organisationen".into(),
            ))
        }
        _ => {}
    }
    let hash = hash_password(password)?;
    let ts = now();
    let tx = store.begin()?;
    if !tx.insert_user(namn, roll.name(), nod, &hash, &ts)? {
        return Err(UserError(format!("användaren \"{namn}\" finns redan")));
    }
    let after = format!(
        "roll {}{}",
        roll.name(),
        nod.map_or(String::new(), |n| format!(", nod {n}"))
    );
    tx.audit(
        &ts,
        actor,
        "ny användare",
        &format!("användare {namn}"),
        None,
        Some(&after),
    )?;
    tx.commit()?;
    Ok(())
}

/// Sets a new password.
pub fn set_password(store: &mut Store, namn: &str, password: &str, actor: &str) -> Result<(), UserError> {
    let hash = hash_password(password)?;
    let ts = now();
    let tx = store.begin()?;
    if !tx.set_password(namn, &hash)? {
        return Err(UserError(format!("användaren \"{namn}\" finns inte")));
    }
    tx.audit(&ts, actor, "nytt lösenord", &format!("användare {namn}"), None, None)?;
    tx.commit()?;
    Ok(())
}

/// Issues an API token for `namn`; the token is returned once and only its
/// hash is stored.
pub fn issue_token(store: &mut Store, namn: &str, label: &str, actor: &str) -> Result<String, UserError> {
    let token = format!("rsk_{}", random_hex(24));
    let ts = now();
    let tx = store.begin()?;
    if !tx.insert_token(namn, label, &sha256_hex(&token), &ts)? {
        return Err(UserError(format!("användaren \"{namn}\" finns inte")));
    }
    tx.audit(
        &ts,
        actor,
        "ny API-nyckel",
        &format!("användare {namn}"),
        None,
        Some(label),
    )?;
    tx.commit()?;
    Ok(token)
}

pub fn user_of(row: &resurs_store::UserRow) -> Option<User> {
    Some(User {
        namn: row.namn.clone(),
        roll: Roll::parse(&row.roll)?,
        nod: row.nod.clone(),
    })
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    expires: Instant,
}

/// Idle sessions end after this long.
pub const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);

#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Starts a session; returns (cookie token, csrf token).
    pub fn start(&self, user: User) -> (String, String) {
        let token = random_hex(32);
        let csrf = random_hex(32);
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        map.retain(|_, s| s.expires > now);
        map.insert(
            sha256_hex(&token),
            Session {
                user,
                csrf: csrf.clone(),
                expires: now + SESSION_IDLE,
            },
        );
        (token, csrf)
    }

    pub fn get(&self, token: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let key = sha256_hex(token);
        let now = Instant::now();
        match map.get_mut(&key) {
            Some(s) if s.expires > now => {
                s.expires = now + SESSION_IDLE;
                Some(s.clone())
            }
            Some(_) => {
                map.remove(&key);
                None
            }
            None => None,
        }
    }

    pub fn end(&self, token: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&sha256_hex(token));
    }

    /// Ends every session of a user (after a password change).
    pub fn end_user(&self, namn: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, s| s.user.namn != namn);
    }
}

/// Failed sign-ins: after `free` failures in a row for a key, each further
/// attempt waits 30 s × 2^(n − free), at most 15 minutes. A success clears
/// the count. The server keeps one per user name ([`FREE_ATTEMPTS`]) and one
/// per client address ([`FREE_ATTEMPTS_PER_ADDRESS`], higher, since many
/// users may share an address behind a proxy).
pub struct Throttle {
    map: Mutex<HashMap<String, (u32, Instant)>>,
    free: u32,
}

pub const FREE_ATTEMPTS: u32 = 5;
pub const FREE_ATTEMPTS_PER_ADDRESS: u32 = 30;

impl Throttle {
    pub fn new(free: u32) -> Throttle {
        Throttle {
            map: Mutex::new(HashMap::new()),
            free,
        }
    }

    fn wait_for(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::ZERO;
        }
        let secs = 30u64.saturating_mul(1 << (failures - self.free).min(5));
        Duration::from_secs(secs.min(900))
    }

    /// Seconds left before `keys` may try again (0: go ahead).
    pub fn blocked(&self, keys: &[String]) -> u64 {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        keys.iter()
            .filter_map(|k| map.get(k))
            .map(|(n, last)| {
                let until = *last + self.wait_for(*n);
                until.saturating_duration_since(now).as_secs()
            })
            .max()
            .unwrap_or(0)
    }

    pub fn fail(&self, keys: &[String]) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if map.len() > 100_000 {
            map.retain(|_, (_, last)| now.duration_since(*last) < Duration::from_secs(900));
        }
        for k in keys {
            let e = map.entry(k.clone()).or_insert((0, now));
            e.0 += 1;
            e.1 = now;
        }
    }

    pub fn succeed(&self, keys: &[String]) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            map.remove(k);
        }
    }
}

/// The documented demo users (docs/webb.md), one per role.
pub const DEMO_USERS: [(&str, Roll, Option<&str>, &str); 4] = [
    ("admin", Roll::Admin, None, "demo-admin-2026"),
    ("ekonom", Roll::Ekonom, None, "demo-ekonom-2026"),
    ("enhetschef", Roll::Enhetschef, Some("713"), "demo-chef-2026"),
    ("lasare", Roll::Lasare, None, "demo-lasare-2026"),
];

/// Creates the demo users that are missing.
pub fn ensure_demo_users(store: &mut Store) -> Result<usize, UserError> {
    let have: Vec<String> = store.users()?.into_iter().map(|u| u.namn).collect();
    let mut added = 0;
    for (namn, roll, nod, pw) in DEMO_USERS {
        if !have.iter().any(|h| h == namn) {
            add_user(store, namn, roll, nod, pw, "demo")?;
            added += 1;
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_verify() {
        let h = hash_password("rätt-lösenord-1").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("rätt-lösenord-1", &h));
        assert!(!verify_password("fel-lösenord-1", &h));
        assert!(hash_password("kort").is_err());
    }

    #[test]
    fn throttling_waits_after_five_failures_and_doubles() {
        let t = Throttle::new(FREE_ATTEMPTS);
        assert_eq!(t.wait_for(4), Duration::ZERO);
        assert_eq!(t.wait_for(5), Duration::from_secs(30));
        assert_eq!(t.wait_for(6), Duration::from_secs(60));
        assert_eq!(t.wait_for(20), Duration::from_secs(900));
        assert_eq!(Throttle::new(FREE_ATTEMPTS_PER_ADDRESS).wait_for(29), Duration::ZERO);
        let keys = vec!["u:anna".to_string()];
        for _ in 0..4 {
            t.fail(&keys);
        }
        assert_eq!(t.blocked(&keys), 0);
        t.fail(&keys);
        assert!(t.blocked(&keys) >= 29);
        t.succeed(&keys);
        assert_eq!(t.blocked(&keys), 0);
    }

    #[test]
    fn roles_parse_in_swedish() {
        assert_eq!(Roll::parse("Läsare"), Some(Roll::Lasare));
        assert_eq!(Roll::parse("enhetschef"), Some(Roll::Enhetschef));
        assert_eq!(Roll::parse("chef"), None);
    }
}
