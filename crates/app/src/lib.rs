//! Resurs use cases shared by the command line and the web application:
//! importing files, handling the pseudonym key, generating the demo
//! municipality and large visit files, forecasts, registers, budgets,
//! models and users.
//!
//! This crate joins the pure core, the store and the file formats; it holds
//! no SQL (that is the store's) and no rules (those are the core's).
//!
//! Every use case that changes data takes an [`Actor`] and writes its entry
//! in the audit log (`handelselogg`) inside the same store transaction as
//! the change: a change that is rolled back leaves no entry, and no door
//! (command line, web page, API) can change data without one.

pub mod avvikelse;
pub mod backup;
pub mod belaggning;
pub mod budget;
pub mod demo;
pub mod demo_kolada;
pub mod demo_kpb;
pub mod demo_mal;
mod demo_personal;
pub mod drift;
pub mod efterfragan;
pub mod ej_verkstallda;
pub mod fil;
pub mod followup;
pub mod gen;
pub mod import;
pub mod keys;
pub mod kolada;
pub mod kpb;
pub mod kpb_brukare;
pub mod ledger;
pub mod mal;
pub mod models;
pub mod names;
pub mod period;
pub mod personal;
pub mod produktivitet;
pub mod rapport;
pub mod registers;
pub mod registertabeller;
pub mod reports;
pub mod scenario;
pub mod settle;
pub mod users;

/// Errors that stop a use case. User errors carry a Swedish explanation the
/// user can act on; internal errors (database, I/O, serialisation, stored
/// values that cannot be read) are not the user's doing and are reported
/// by the shells without their detail where the user is not the operator.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request cannot be done; the message says why and what to do.
    #[error("{0}")]
    User(String),
    /// A file the user gave cannot be read.
    #[error(transparent)]
    File(#[from] resurs_io::FileError),
    /// The database cannot take the change now (another import holds it,
    /// the disk is full); the message says so. The web answers 503.
    #[error("{0}")]
    Unavailable(String),
    /// Something failed inside Resurs or its database.
    #[error(transparent)]
    Internal(#[from] Internal),
}

/// What went wrong inside (see [`AppError::Internal`]).
#[derive(Debug, thiserror::Error)]
pub enum Internal {
    #[error(transparent)]
    Store(#[from] resurs_store::StoreError),
    #[error("kunde inte {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// Serialisation, randomness and other failures with a description.
    #[error("{0}")]
    Other(String),
}

/// Checks typed text against its limit (docs/format/README.md, "Gränser"):
/// `fields` are (name as the user knows it, value, limit).
pub fn check_lengths(fields: &[(&str, &str, usize)]) -> Result<(), AppError> {
    for (what, v, max) in fields {
        resurs_core::limits::check_len(what, v, *max).map_err(AppError::User)?;
    }
    Ok(())
}

/// The message for a database held by another import (SQLite BUSY/LOCKED).
pub const BUSY: &str = "Databasen är upptagen av en annan import; försök igen om en stund.";

impl From<resurs_store::StoreError> for AppError {
    fn from(e: resurs_store::StoreError) -> AppError {
        match e {
            resurs_store::StoreError::Busy { .. } => AppError::Unavailable(BUSY.into()),
            // A full disk is told as it is: the operator can act on it.
            e @ resurs_store::StoreError::DiskFull { .. } => AppError::Unavailable(e.to_string()),
            resurs_store::StoreError::Overflow { .. } => AppError::User(resurs_core::num::total_too_large(
                "databasens summor (huvudbok eller budget)",
            )),
            // Asking one backend for what only the other does (a SQLite
            // backup of a PostgreSQL database): the text says what to use.
            e @ resurs_store::StoreError::Unsupported(_) => AppError::User(e.to_string()),
            e => AppError::Internal(Internal::Store(e)),
        }
    }
}

impl AppError {
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> AppError {
        let what = what.into();
        move |source| AppError::Internal(Internal::Io { what, source })
    }

    /// An internal error described by `what`.
    pub fn internal(what: impl std::fmt::Display) -> AppError {
        AppError::Internal(Internal::Other(what.to_string()))
    }

    /// Whether this is an internal error rather than the user's.
    pub fn is_internal(&self) -> bool {
        matches!(self, AppError::Internal(_))
    }
}

/// Who makes a change, as written in the audit log: the signed-in user of
/// the web application, `cli:NAMN` for the command line (`--anvandare` or
/// the operating-system user), or `demo` for the generated municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    /// A signed-in user of the web application (or another named actor).
    pub fn new(name: impl Into<String>) -> Actor {
        Actor(name.into())
    }

    /// The command line: `explicit` (`--anvandare`), else `$USER`, else
    /// `$LOGNAME`, else `okänd`. The prefix `cli:` tells the reader of the
    /// log that the name was given on the command line, not signed in.
    pub fn cli(explicit: Option<&str>) -> Actor {
        let from_env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let name = explicit
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .or_else(|| from_env("USER"))
            .or_else(|| from_env("LOGNAME"))
            .unwrap_or_else(|| "okänd".into());
        Actor(format!("cli:{name}"))
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

/// Now, as written in logs (UTC, seconds).
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A comment as the tail of an audit text: `; comment`, or nothing.
pub(crate) fn comment(c: &str) -> String {
    match c.trim() {
        "" => String::new(),
        c => format!("; {c}"),
    }
}

/// One audit entry, written through the transaction of the change it records.
pub(crate) fn audit(
    tx: &resurs_store::Tx<'_>,
    actor: &Actor,
    tid: &str,
    handling: &str,
    objekt: &str,
    fore: Option<&str>,
    efter: Option<&str>,
) -> Result<(), AppError> {
    tx.audit(tid, actor.name(), handling, objekt, fore, efter)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_actor_is_the_option_then_the_os_user() {
        assert_eq!(Actor::cli(Some(" anna ")).name(), "cli:anna");
        let os = Actor::cli(None);
        assert!(os.name().starts_with("cli:") && os.name().len() > 4, "{}", os.name());
        assert_eq!(Actor::new("ekonom").name(), "ekonom");
    }
}
