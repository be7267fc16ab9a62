//! Resurs domain core: the values and rules of municipal care allocation and
//! follow-up, with no I/O, no SQL and no async.
//!
//! Everything that decides what a number *means* lives here: exact money and
//! quantities ([`num`]), calendar periods ([`period`]), dates ([`date`]),
//! personal identity numbers and their pseudonyms ([`personnummer`],
//! [`pseudonym`]), the organisation tree and its validity rules ([`org`]) and
//! the records that describe volumes and the ledger ([`model`]).

pub mod avvikelse;
pub mod budget;
pub mod calendar;
pub mod close;
pub mod date;
pub mod drift;
pub mod followup;
pub mod kolada;
pub mod kpb;
pub mod limits;
pub mod mal;
pub mod model;
pub mod num;
pub mod org;
pub mod period;
pub mod personal;
pub mod personnummer;
pub mod pseudonym;
pub mod registers;
pub mod report;
pub mod rules;
pub mod sekretess;
pub mod sie;

pub use num::{Money, Qty};
pub use period::Period;
