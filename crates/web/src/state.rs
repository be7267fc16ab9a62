//! Shared server state: a pool of database connections, the page-data
//! cache, the password verifier and the server's settings and counters
//! (sessions and throttling are in the database, see [`crate::auth`]).
//!
//! Computed figures (follow-up reports, trend series, settlements) are
//! cached per parameters and dropped as soon as anything changes the
//! database, whoever changed it (this server, or `resurs` on the command
//! line): a watcher connection reads the store's `data_version` (the
//! `resurs_andring` counter every data-changing commit bumps, on both
//! backends; sessions and sign-in throttling do not bump it) before each use.

use crate::auth::Verifier;
use crate::uploads::{self, Uploads};
use resurs_app::followup::{Prognosval, Report, Table, Trend};
use resurs_core::followup::{Layout, Metod, Periodisering};
use resurs_core::period::Period;
use resurs_core::rules::scenario::Scenario;
use resurs_core::rules::settle::Settlement;
use resurs_store::{DbLocation, Store};
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub type Shared = Arc<AppState>;

pub struct AppState {
    pub db: DbLocation,
    pool: Mutex<Vec<Store>>,
    watcher: Mutex<(Store, i64)>,
    cache: Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>,
    compute: Mutex<()>,
    /// Runs argon2 for sign-ins on a few threads (bounded memory).
    pub verifier: Verifier,
    pub settings: Settings,
    /// Open connections now and the cap (set by the accept loop).
    pub connections: AtomicU64,
    pub connection_cap: AtomicU64,
    /// Scenario comparisons running in the background, by cache key.
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    /// Uploads waiting for confirmation, in the database (encrypted), and
    /// the private directory for files being checked or imported, removed
    /// when the state is dropped (see [`crate::uploads`]).
    pub uploads: Arc<Uploads>,
}

/// What the operator chose for `resurs serve` (docs/drift.md).
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// The session cookie is always `Secure` (`--saker-kaka`).
    pub secure_cookie: bool,
    /// Trust `X-Forwarded-For` (client address) and `X-Forwarded-Proto`
    /// (`https` makes the cookie `Secure`) from a reverse proxy (`--proxy`).
    pub trust_proxy: bool,
}

/// An error shown to the user: status and Swedish text. User errors are
/// 4xx with their explanation; internal errors are 500 with an incident
/// number only (see [`Fail::internal`]).
#[derive(Debug)]
pub struct Fail(pub u16, pub String);

impl Fail {
    pub fn forbidden(what: impl Into<String>) -> Fail {
        Fail(403, what.into())
    }
    pub fn not_found(what: impl Into<String>) -> Fail {
        Fail(404, what.into())
    }
    pub fn bad(what: impl Into<String>) -> Fail {
        Fail(400, what.into())
    }

    /// An internal error: the detail (which may hold database text) goes to
    /// the log with an incident number; the user gets the number only.
    pub fn internal(detail: impl std::fmt::Display) -> Fail {
        let incident = incident_number();
        tracing::error!(incident = %incident, fel = %detail, "internt fel");
        Fail(
            500,
            format!(
                "Ett internt fel inträffade (incident {incident}). Felet är loggat; försök igen senare, och \
                 kontakta systemförvaltningen med incidentnumret om det består."
            ),
        )
    }
}

/// A random incident number of eight digits, e.g. `4711-0815`, to find an
/// error in the server log.
fn incident_number() -> String {
    let mut b = [0u8; 4];
    let n = match getrandom::fill(&mut b) {
        Ok(()) => u32::from_le_bytes(b),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos()),
    } % 100_000_000;
    format!("{:04}-{:04}", n / 10_000, n % 10_000)
}

impl From<resurs_app::AppError> for Fail {
    fn from(e: resurs_app::AppError) -> Fail {
        if e.is_internal() {
            Fail::internal(e)
        } else if matches!(&e, resurs_app::AppError::Unavailable(_)) {
            tracing::warn!(fel = %e, "databasen kan inte ta emot ändringen nu");
            Fail(503, e.to_string())
        } else {
            Fail(400, e.to_string())
        }
    }
}
impl From<resurs_store::StoreError> for Fail {
    fn from(e: resurs_store::StoreError) -> Fail {
        // A busy database, a full disk or an overflowing sum is explained
        // (see AppError); anything else is an incident.
        resurs_app::AppError::from(e).into()
    }
}

impl AppState {
    /// Opens the database; the error is for the operator starting the server.
    /// `db` is a SQLite file or a PostgreSQL URL ([`DbLocation`]).
    pub fn open(db: impl Into<DbLocation>, settings: Settings) -> Result<AppState, String> {
        Self::open_with(db, settings, uploads::Limits::default())
    }

    /// As [`AppState::open`], with other limits on uploads (tests use a
    /// short time limit and a small size).
    pub fn open_with(
        db: impl Into<DbLocation>,
        settings: Settings,
        limits: uploads::Limits,
    ) -> Result<AppState, String> {
        let db: DbLocation = db.into();
        let watcher = Store::open_location(&db).map_err(|e| e.to_string())?;
        let v = watcher.data_version().map_err(|e| e.to_string())?;
        let secret = uploads::upload_secret(&watcher);
        let uploads = Arc::new(Uploads::create(db.clone(), &secret, limits)?);
        Ok(AppState {
            db,
            pool: Mutex::new(Vec::new()),
            watcher: Mutex::new((watcher, v)),
            cache: Mutex::new(HashMap::new()),
            compute: Mutex::new(()),
            verifier: Verifier::new(Verifier::default_threads()),
            settings,
            connections: AtomicU64::new(0),
            connection_cap: AtomicU64::new(0),
            uploads,
            jobs: Mutex::new(HashMap::new()),
        })
    }

    /// Runs `f` with a connection from the pool (blocking; call from
    /// `spawn_blocking`).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, Fail>) -> Result<T, Fail> {
        let taken = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut store = match taken {
            Some(s) => s,
            None => Store::open_location(&self.db)?,
        };
        let out = f(&mut store);
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        // A connection to a PostgreSQL server that went away is not kept.
        if pool.len() < 16 && !store.is_broken() {
            pool.push(store);
        }
        out
    }

    /// Drops the cache if the database changed since it was filled.
    fn refresh(&self) {
        let mut w = self.watcher.lock().unwrap_or_else(|e| e.into_inner());
        let v = w.0.data_version().unwrap_or(-1);
        if v != w.1 {
            w.1 = v;
            self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }

    /// The cached value for `key`, computed by `f` on a miss (one
    /// computation at a time, so that a burst of requests computes once).
    pub fn cached<T: Send + Sync + 'static>(
        &self,
        key: String,
        f: impl FnOnce(&mut Store) -> Result<T, Fail>,
    ) -> Result<Arc<T>, Fail> {
        self.refresh();
        let hit = |state: &AppState| {
            state
                .cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&key)
                .cloned()
                .and_then(|v| v.downcast::<T>().ok())
        };
        if let Some(v) = hit(self) {
            return Ok(v);
        }
        let _one = self.compute.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = hit(self) {
            return Ok(v);
        }
        let v = Arc::new(self.with_store(f)?);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 500 {
            cache.clear();
        }
        cache.insert(key, v.clone());
        Ok(v)
    }

    /// The data version the caches hold now (after dropping them if the
    /// database changed).
    fn version(&self) -> i64 {
        self.refresh();
        self.watcher.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    /// The cached value for `key`, if there is one (nothing is computed).
    fn peek<T: Send + Sync + 'static>(&self, key: &str) -> Option<Arc<T>> {
        self.refresh();
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
            .and_then(|v| v.downcast::<T>().ok())
    }

    fn put<T: Send + Sync + 'static>(&self, key: String, v: Arc<T>) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 500 {
            cache.clear();
        }
        cache.insert(key, v);
    }

    /// The scenario comparison of two model versions over a year: from the
    /// cache (keyed by versions, year and the data version, so an import
    /// makes it compute again), or computed in the background. A request
    /// waits at most [`SCENARIO_WAIT`] for a computation and otherwise gets
    /// its progress, so the page can show it and ask again.
    pub fn scenario(self: &Arc<Self>, base: &str, alt: &str, year: i32) -> Result<ScenarioState, Fail> {
        let key = format!("scenario|{}|{base}|{alt}|{year}", self.version());
        if let Some(v) = self.peek::<Scenario>(&key) {
            return Ok(ScenarioState::Ready(v, true));
        }
        let job = {
            let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
            match jobs.get(&key) {
                Some(j) => j.clone(),
                None => {
                    let job = Arc::new(Job::default());
                    jobs.insert(key.clone(), job.clone());
                    let (st, j, k) = (self.clone(), job.clone(), key.clone());
                    let (base, alt) = (base.to_string(), alt.to_string());
                    std::thread::spawn(move || {
                        // A panic must not leave the page waiting for ever.
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            st.with_store(|s| {
                                Ok(resurs_app::scenario::run_with_progress(
                                    s,
                                    &base,
                                    &alt,
                                    year,
                                    &mut |d, o| {
                                        j.done.store(d, Ordering::Relaxed);
                                        j.of.store(o, Ordering::Relaxed);
                                    },
                                )?)
                            })
                        }))
                        .unwrap_or_else(|_| Err(Fail::internal("scenarioberäkningen avbröts (panik)")));
                        let mut out = j.out.lock().unwrap_or_else(|e| e.into_inner());
                        match r {
                            Ok(v) => {
                                let v = Arc::new(v);
                                st.put(k.clone(), v.clone());
                                *out = Some(Ok(v));
                            }
                            Err(f) => *out = Some(Err((f.0, f.1))),
                        }
                        st.jobs.lock().unwrap_or_else(|e| e.into_inner()).remove(&k);
                    });
                    job
                }
            }
        };
        let until = std::time::Instant::now() + SCENARIO_WAIT;
        loop {
            if let Some(r) = job.out.lock().unwrap_or_else(|e| e.into_inner()).clone() {
                return r.map(|v| ScenarioState::Ready(v, false)).map_err(|(c, t)| Fail(c, t));
            }
            if std::time::Instant::now() >= until {
                return Ok(ScenarioState::Running(
                    job.done.load(Ordering::Relaxed),
                    job.of.load(Ordering::Relaxed),
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Service code → name.
    pub fn service_names(&self) -> Result<Arc<HashMap<String, String>>, Fail> {
        self.cached("insatsnamn".into(), |s| Ok(s.insats_names()?))
    }

    /// The month the pages open on: the last month with ledger lines.
    pub fn default_period(&self) -> Result<Period, Fail> {
        let v = self.cached("period".into(), |s| Ok(s.latest_ledger_period()?))?;
        Ok(v.unwrap_or_else(|| Period::of(chrono::Utc::now().date_naive())))
    }

    /// The first and last month with ledger lines (cached like the figures).
    pub fn ledger_span(&self) -> Result<Option<(Period, Period)>, Fail> {
        let v = self.cached("periodspann".into(), |s| Ok(s.ledger_period_span()?))?;
        Ok(*v)
    }

    /// The whole follow-up report (with accounts) for a month and choice of
    /// forecasts (the same rule as the CLI: `Prognosval`).
    pub fn report(&self, period: Period, prognos: &Prognosval) -> Result<Arc<Report>, Fail> {
        let key = format!("rapport|{period}|{prognos:?}");
        let prognos = prognos.clone();
        self.cached(key, move |s| {
            Ok(resurs_app::followup::report(
                s,
                &resurs_app::followup::Options {
                    period,
                    node: None,
                    metod: Metod::UtfallBudget,
                    periodisering: Periodisering::Jamn,
                    prognos,
                    budget: None,
                    konton: true,
                    utan_specialposter: false,
                },
            )?)
        })
    }

    /// The report's rows under `node` in `layout`: what the pages and the
    /// API render (every column computed in the core).
    pub fn table(&self, period: Period, prognos: &Prognosval, layout: Layout, node: &str) -> Result<Arc<Table>, Fail> {
        let rep = self.report(period, prognos)?;
        let key = format!("tabell|{period}|{prognos:?}|{layout:?}|{node}");
        let node = node.to_string();
        self.cached(key, move |_| {
            resurs_app::followup::table(&rep, layout, Some(&node))
                .ok_or_else(|| Fail::not_found(format!("Noden {node} finns inte i organisationen {period}.")))
        })
    }

    pub fn trends(&self, period: Period) -> Result<Arc<BTreeMap<String, Trend>>, Fail> {
        self.cached(format!("trend|{period}"), move |s| {
            Ok(resurs_app::followup::trends(
                s,
                &resurs_app::followup::Options {
                    period,
                    node: None,
                    metod: Metod::UtfallBudget,
                    periodisering: Periodisering::Jamn,
                    prognos: Prognosval::Forslag,
                    budget: None,
                    konton: false,
                    utan_specialposter: false,
                },
            )?)
        })
    }

    pub fn settlement(&self, period: Period) -> Result<Arc<Settlement>, Fail> {
        self.cached(format!("avrakning|{period}"), move |s| {
            Ok(resurs_app::settle::compute(s, period)?)
        })
    }

    /// Provider code → the ansvar (unit) that carries it.
    pub fn provider_units(&self) -> Result<Arc<HashMap<String, String>>, Fail> {
        self.cached("utforare-ansvar".into(), |s| Ok(s.provider_ansvar()?))
    }

    /// The organisation tree as of a month's last day, from the stored
    /// organisation (not from a report, which leaves out nodes without
    /// figures): the access scopes of the roles come from here.
    pub fn tree(&self, period: Period) -> Result<Arc<Tree>, Fail> {
        self.cached(format!("trad|{period}"), move |s| {
            let snap = resurs_core::org::OrgTree::new(s.org_nodes()?).snapshot(period.last_day());
            let Some(top) = snap.top else {
                return Err(Fail::bad(
                    "Organisationsträdet är tomt; importera organisationen först.",
                ));
            };
            Ok(Tree {
                parent: snap.parent,
                names: snap.nodes.into_iter().map(|(k, n)| (k, n.namn)).collect(),
                top,
            })
        })
    }
}

/// How long a page waits for a scenario computation before it answers
/// with the progress instead.
pub const SCENARIO_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// A scenario comparison running in the background: months done of all,
/// and the outcome once there is one.
#[derive(Default)]
pub struct Job {
    done: AtomicUsize,
    of: AtomicUsize,
    #[allow(clippy::type_complexity)]
    out: Mutex<Option<Result<Arc<Scenario>, (u16, String)>>>,
}

/// A scenario: ready (and whether it came from the cache when asked), or
/// still computing (months done, of).
pub enum ScenarioState {
    Ready(Arc<Scenario>, bool),
    Running(usize, usize),
}

/// The organisation tree as of a day.
pub struct Tree {
    pub parent: HashMap<String, String>,
    pub names: HashMap<String, String>,
    pub top: String,
}

impl Tree {
    /// `code` and its ancestors, the top first. A code outside the tree
    /// (a ledger code such as OMAPPAT) sits under the top, as in the report.
    pub fn path(&self, code: &str) -> Vec<String> {
        let mut out = vec![code.to_string()];
        let mut c = code;
        while let Some(p) = self.parent.get(c) {
            if out.contains(p) || out.len() > 64 {
                break;
            }
            out.push(p.clone());
            c = p;
        }
        if out.last() != Some(&self.top) {
            out.push(self.top.clone());
        }
        out.reverse();
        out
    }

    /// Whether `code` is `root` or below it.
    pub fn within(&self, code: &str, root: &str) -> bool {
        self.path(code).iter().any(|c| c == root)
    }
}
