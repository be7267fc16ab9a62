//! Report values shared by every renderer (terminal, JSON, later web and
//! xlsx). Renderers format them; they never compute.

use crate::num::Qty;
use crate::period::Period;
use serde::Serialize;

/// What one kind of data holds: how many records and which dates or periods
/// they cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Innehall {
    /// Storage name of the kind (`besok`, `huvudbok`, …).
    pub typ: &'static str,
    /// Swedish label.
    pub namn: &'static str,
    pub antal: i64,
    pub fran: Option<String>,
    pub till: Option<String>,
}

/// Home care per month: distinct brukare with at least one performed visit,
/// and performed hours (actual end − actual start of performed visits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HemtjanstManad {
    pub period: Period,
    pub brukare: i64,
    pub utforda_timmar: Qty,
    pub besok: i64,
}

/// `resurs info`: an overview of the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Oversikt {
    pub databas: String,
    pub schemaversion: i64,
    pub importer: i64,
    pub innehall: Vec<Innehall>,
    pub hemtjanst: Vec<HemtjanstManad>,
}
