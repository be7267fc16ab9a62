//! Users, roles, passwords (argon2id), sessions, API tokens, CSRF and
//! sign-in throttling.
//!
//! Sessions and throttling live in the database (migration 0009), so that
//! a restart signs no one out and several `resurs serve` processes can share
//! one database; users and API tokens are stored through `resurs_app::users`
//! (shared with `resurs user`). Passwords are argon2id PHC strings, session
//! and API tokens are stored as SHA-256 only, so none can be read back.
//!
//! A sign-in (docs/drift.md, "Inloggning, sessioner och anslutningar"):
//! 1. takes a place on the [`Verifier`] (a few threads that run argon2,
//!    19 MiB each; waits at most [`SIGN_IN_WAIT`], else 429 "upptagen"),
//! 2. reserves the attempt in the throttle ([`reserve`]) in one `BEGIN
//!    IMMEDIATE` transaction: it counts as a failure until a success clears
//!    it, so parallel guesses cannot slip past the limit,
//! 3. verifies the password on the verifier, 4. clears the name keys on
//!    success.

use crate::state::{AppState, Fail};
pub use resurs_app::users::{
    ensure_demo_users, hash_password, random_hex, sha256_hex, verify_password, verify_password_in, Roll, DEMO_USERS,
    MIN_PASSWORD,
};
use resurs_store::{Store, ThrottleRow};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

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

/// Seconds since 1970 (the database's times of sessions and throttling).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

// ---------------------------------------------------------------- sessions

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

/// Idle sessions end after this long.
pub const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);
/// A session's expiry is moved forward at most this often (one write per
/// session a minute, not one per request).
pub const SESSION_TOUCH: i64 = 60;

/// Starts a session; returns (cookie token, csrf token).
pub fn start_session(st: &AppState, user: &User) -> Result<(String, String), Fail> {
    let token = random_hex(32);
    let csrf = random_hex(32);
    let now = unix_now();
    let until = now + SESSION_IDLE.as_secs() as i64;
    let added = st.with_store(|s| Ok(s.start_session(&sha256_hex(&token), &user.namn, &csrf, now, until)?))?;
    if !added {
        return Err(Fail(401, "Kontot är avaktiverat.".into()));
    }
    Ok((token, csrf))
}

/// The live session of a cookie token, with the user as the database has
/// it now (a deactivated user has none).
pub fn session(st: &AppState, token: &str) -> Result<Option<Session>, Fail> {
    let key = sha256_hex(token);
    let now = unix_now();
    st.with_store(|s| {
        let Some(row) = s.session(&key, now)? else {
            return Ok(None);
        };
        let idle = SESSION_IDLE.as_secs() as i64;
        if row.utgar - idle + SESSION_TOUCH <= now {
            // Best effort: a session that cannot be extended now is
            // extended on a later request.
            if let Err(e) = s.touch_session(&key, now + idle) {
                tracing::warn!(fel = %e, "sessionen kunde inte förlängas");
            }
        }
        let Some(roll) = Roll::parse(&row.roll) else {
            return Ok(None);
        };
        Ok(Some(Session {
            user: User {
                namn: row.namn,
                roll,
                nod: row.nod,
            },
            csrf: row.csrf,
        }))
    })
}

pub fn end_session(st: &AppState, token: &str) -> Result<(), Fail> {
    st.with_store(|s| Ok(s.end_session(&sha256_hex(token))?))
}

// ---------------------------------------------------------------- throttling

/// Free failed attempts for one name from one address; then each further
/// attempt waits 30 s × 2^(n − 5), at most 15 minutes.
pub const FREE_PER_NAME_ADDRESS: i64 = 5;
/// Free failed attempts for one name from all addresses together (guessing
/// spread over many machines), then the same back-off.
pub const FREE_PER_NAME: i64 = 20;
/// Failed attempts per client address in [`ADDRESS_WINDOW`] seconds,
/// whatever the names: the ceiling for one address. Higher than the per-name limits, so
/// that the users behind one proxy do not lock each other out.
pub const ADDRESS_CEILING: i64 = 100;
pub const ADDRESS_WINDOW: i64 = 600;
/// Throttling rows are forgotten a day after their last attempt, and at
/// most this many are kept (the oldest go first).
pub const FORGET_AFTER: i64 = 24 * 3600;
pub const MAX_THROTTLE_ROWS: i64 = 100_000;

/// How a throttling key counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// `free` failures in a row, then a doubling wait; a success clears it.
    Backoff { free: i64 },
    /// At most `ceiling` attempts in a window of `window` seconds; not
    /// cleared by a success (an attacker could sign in to an own account).
    Window { ceiling: i64, window: i64 },
}

impl Rule {
    /// Seconds before a key with `row` may try again (0: now).
    pub fn wait(self, row: Option<ThrottleRow>, now: i64) -> i64 {
        let Some(r) = row else { return 0 };
        match self {
            Rule::Backoff { free } => {
                if r.antal < free {
                    return 0;
                }
                let wait = 30i64.saturating_mul(1 << (r.antal - free).min(5)).min(900);
                (r.senaste + wait - now).max(0)
            }
            Rule::Window { ceiling, window } => {
                if now >= r.forsta + window || r.antal < ceiling {
                    0
                } else {
                    r.forsta + window - now
                }
            }
        }
    }

    /// The row after one more attempt.
    pub fn attempt(self, row: Option<ThrottleRow>, now: i64) -> ThrottleRow {
        match (self, row) {
            (Rule::Window { window, .. }, Some(r)) if now < r.forsta + window => ThrottleRow {
                antal: r.antal + 1,
                senaste: now,
                ..r
            },
            (Rule::Backoff { .. }, Some(r)) => ThrottleRow {
                antal: r.antal + 1,
                senaste: now,
                ..r
            },
            _ => ThrottleRow {
                antal: 1,
                forsta: now,
                senaste: now,
            },
        }
    }
}

/// The throttling keys of one sign-in: name + address, name, address.
#[derive(Debug, Clone)]
pub struct Keys(pub [(String, Rule); 3]);

impl Keys {
    pub fn new(namn: &str, ip: &str) -> Keys {
        // Names compare without case in the keys, so that "Admin" and
        // "admin" share a count; a long name is cut (no such user exists).
        let namn: String = namn.to_lowercase().chars().take(80).collect();
        Keys([
            (
                format!("na:{namn}|{ip}"),
                Rule::Backoff {
                    free: FREE_PER_NAME_ADDRESS,
                },
            ),
            (format!("n:{namn}"), Rule::Backoff { free: FREE_PER_NAME }),
            (
                format!("a:{ip}"),
                Rule::Window {
                    ceiling: ADDRESS_CEILING,
                    window: ADDRESS_WINDOW,
                },
            ),
        ])
    }
}

/// Reserves one attempt for `keys` if none of them is blocked: `Ok(0)`, and
/// the attempt counts as a failure until [`succeeded`] clears it. Otherwise
/// the seconds to wait, and nothing is written. One `BEGIN IMMEDIATE`
/// transaction, so concurrent sign-ins (in this process or another on the
/// same database) are counted one after the other.
pub fn reserve(store: &mut Store, keys: &Keys, now: i64) -> Result<i64, Fail> {
    let tx = store.begin_immediate()?;
    let mut rows = Vec::with_capacity(keys.0.len());
    let mut wait = 0;
    for (key, rule) in &keys.0 {
        let row = tx.throttle_row(key)?;
        wait = wait.max(rule.wait(row, now));
        rows.push(row);
    }
    if wait > 0 {
        return Ok(wait);
    }
    for ((key, rule), row) in keys.0.iter().zip(rows) {
        tx.set_throttle_row(key, rule.attempt(row, now))?;
    }
    // Prune now and then (one reservation in 64), so that a spray of names
    // and addresses cannot grow the table without bound.
    static PRUNE: AtomicU64 = AtomicU64::new(0);
    if PRUNE.fetch_add(1, Ordering::Relaxed).is_multiple_of(64) {
        tx.prune_throttle(now - FORGET_AFTER, MAX_THROTTLE_ROWS)?;
    }
    tx.commit_quiet()?;
    Ok(0)
}

/// A successful sign-in clears the name keys and takes its own attempt
/// back from the address's window (which so counts failures only, and is
/// not emptied by an attacker signing in to an own account).
pub fn succeeded(store: &mut Store, keys: &Keys) -> Result<(), Fail> {
    let tx = store.begin_immediate()?;
    for (key, rule) in &keys.0 {
        match rule {
            Rule::Backoff { .. } => tx.clear_throttle(key)?,
            Rule::Window { .. } => {
                if let Some(r) = tx.throttle_row(key)? {
                    tx.set_throttle_row(
                        key,
                        ThrottleRow {
                            antal: (r.antal - 1).max(0),
                            ..r
                        },
                    )?;
                }
            }
        }
    }
    tx.commit_quiet()?;
    Ok(())
}

// ---------------------------------------------------------------- password verification

/// How long a sign-in waits for a place on the verifier before it is
/// answered 429 (the server is busy with other sign-ins).
pub const SIGN_IN_WAIT: Duration = Duration::from_secs(3);
/// `Retry-After` for a sign-in refused because the verifier was busy.
pub const BUSY_RETRY_AFTER: u64 = 5;

/// Runs argon2 verifications on a fixed number of threads. argon2id with
/// the crate's parameters takes 19 MiB per verification, so the threads
/// bound the memory sign-ins can take (and reuse their allocations); a
/// semaphore of twice that many places bounds the sign-ins in progress.
pub struct Verifier {
    jobs: std::sync::mpsc::Sender<Job>,
    places: Arc<Semaphore>,
    pub threads: usize,
    /// Passwords verified (the metric `verifieringar` of `/api/drift`).
    pub verified: AtomicU64,
    /// Sign-ins answered 429 because every place was taken.
    pub busy: AtomicU64,
}

struct Job {
    password: String,
    /// `None`: an unknown user, verified against a fixed hash so that the
    /// answer takes as long.
    phc: Option<String>,
    reply: oneshot::Sender<bool>,
    _place: OwnedSemaphorePermit,
}

/// A fixed argon2id hash (the same parameters as every stored one) that an
/// unknown user's password is verified against, so that the answer takes
/// as long.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("ingen-sådan-användare").unwrap_or_default())
}

/// A place on the verifier (see [`Verifier::place`]).
pub struct Place(OwnedSemaphorePermit);

impl Verifier {
    pub fn new(threads: usize) -> Verifier {
        let threads = threads.max(1);
        let (jobs, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("resurs-argon2-{i}"))
                .spawn(move || {
                    // argon2's working memory, kept by the thread.
                    let mut memory = Vec::new();
                    loop {
                        let job = match rx.lock().unwrap_or_else(|e| e.into_inner()).recv() {
                            Ok(j) => j,
                            Err(_) => return,
                        };
                        let ok = match &job.phc {
                            Some(phc) => verify_password_in(&job.password, phc, &mut memory),
                            None => {
                                let _ = verify_password_in(&job.password, dummy_hash(), &mut memory);
                                false
                            }
                        };
                        let _ = job.reply.send(ok);
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(fel = %e, "en tråd för lösenordskontroll kunde inte startas");
            }
        }
        Verifier {
            jobs,
            places: Arc::new(Semaphore::new(threads * 2)),
            threads,
            verified: AtomicU64::new(0),
            busy: AtomicU64::new(0),
        }
    }

    /// Threads for a machine: its cores, at least 1, at most 4.
    pub fn default_threads() -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4)
    }

    /// Waits at most [`SIGN_IN_WAIT`] for a place; `None` when busy.
    pub async fn place(&self) -> Option<Place> {
        match tokio::time::timeout(SIGN_IN_WAIT, self.places.clone().acquire_owned()).await {
            Ok(Ok(p)) => Some(Place(p)),
            _ => {
                self.busy.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Verifies `password` against `phc` (an unknown user: `None`) on the
    /// verifier's threads. The place is held until the thread is done, even
    /// if the client goes away.
    pub async fn verify(&self, place: Place, password: String, phc: Option<String>) -> bool {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            password,
            phc,
            reply,
            _place: place.0,
        };
        if self.jobs.send(job).is_err() {
            return false;
        }
        self.verified.fetch_add(1, Ordering::Relaxed);
        answer.await.unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_waits_after_five_failures_and_doubles() {
        let rule = Rule::Backoff {
            free: FREE_PER_NAME_ADDRESS,
        };
        let mut row = None;
        for _ in 0..4 {
            row = Some(rule.attempt(row, 1000));
        }
        assert_eq!(rule.wait(row, 1000), 0);
        row = Some(rule.attempt(row, 1000));
        assert_eq!(rule.wait(row, 1000), 30);
        assert_eq!(rule.wait(row, 1029), 1);
        assert_eq!(rule.wait(row, 1030), 0);
        row = Some(rule.attempt(row, 1030));
        assert_eq!(rule.wait(row, 1030), 60);
        for _ in 0..20 {
            row = Some(rule.attempt(row, 5000));
        }
        assert_eq!(rule.wait(row, 5000), 900);
    }

    #[test]
    fn the_address_ceiling_is_a_window_that_starts_over() {
        let rule = Rule::Window {
            ceiling: 3,
            window: 600,
        };
        let mut row = None;
        for t in [0, 10, 20] {
            assert_eq!(rule.wait(row, t), 0);
            row = Some(rule.attempt(row, t));
        }
        assert_eq!(rule.wait(row, 30), 570);
        assert_eq!(rule.wait(row, 600), 0);
        let fresh = rule.attempt(row, 600);
        assert_eq!((fresh.antal, fresh.forsta), (1, 600));
    }
}
