//! Users, roles, passwords (argon2id), sessions, API tokens, CSRF and
//! sign-in throttling.
//!
//! Sessions live in memory (a restart signs everyone out); users and API
//! tokens are stored in the database through `resurs_app::users` (shared
//! with `resurs user`), passwords as argon2id PHC strings and tokens as
//! SHA-256, so neither can be read back.

pub use resurs_app::users::{
    ensure_demo_users, hash_password, random_hex, sha256_hex, verify_password, Roll, DEMO_USERS, MIN_PASSWORD,
};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
