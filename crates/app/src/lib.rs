//! Resurs use cases shared by the command line and (later) the web
//! application: importing files, handling the pseudonym key, generating the
//! demo municipality and large visit files.
//!
//! This crate joins the pure core, the store and the file formats; it holds
//! no SQL (that is the store's) and no rules (those are the core's).

pub mod budget;
pub mod demo;
pub mod followup;
pub mod gen;
pub mod import;
pub mod keys;
pub mod ledger;
pub mod models;
pub mod registers;
pub mod reports;
pub mod scenario;
pub mod settle;

/// Errors that stop a use case, each with a Swedish message for the user.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] resurs_store::StoreError),
    #[error(transparent)]
    File(#[from] resurs_io::FileError),
    #[error("{0}")]
    User(String),
    #[error("kunde inte {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl AppError {
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> AppError {
        let what = what.into();
        move |source| AppError::Io { what, source }
    }
}
