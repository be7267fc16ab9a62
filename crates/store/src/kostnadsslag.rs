//! Stored cost-type groupings (migration 0017, docs/format/kostnadsslag.md).

use crate::db::params;
use crate::db::{DbResult, Row};
use crate::{Ctx, Result, Store, Tx};

/// A stored cost-type grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostTypeRow {
    pub id: i64,
    pub version: String,
    pub innehall: String,
    pub sha256: String,
    pub fil: String,
    pub laddad: String,
}

fn cost_type_row(r: &Row<'_>) -> DbResult<CostTypeRow> {
    Ok(CostTypeRow {
        id: r.get(0)?,
        version: r.get(1)?,
        innehall: r.get(2)?,
        sha256: r.get(3)?,
        fil: r.get(4)?,
        laddad: r.get(5)?,
    })
}

const COLUMNS: &str = "SELECT id, version, innehall, sha256, fil, laddad FROM kostnadsslag";

impl Store {
    /// Every stored grouping, oldest first.
    pub fn cost_type_versions(&self) -> Result<Vec<CostTypeRow>> {
        self.conn
            .query(&format!("{COLUMNS} ORDER BY id"), params![], cost_type_row)
            .ctx("läsning av kostnadsslag")
    }
}

impl Tx<'_> {
    /// The stored grouping named `version`.
    pub fn cost_type_version(&self, version: &str) -> Result<Option<CostTypeRow>> {
        self.read_opt(
            "läsning av kostnadsslag",
            &format!("{COLUMNS} WHERE version = $1"),
            params![version],
            cost_type_row,
        )
    }

    /// Stores a grouping; `false` when the version name is taken.
    pub fn insert_cost_types(
        &self,
        version: &str,
        innehall: &str,
        sha256: &str,
        fil: &str,
        laddad: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av kostnadsslag",
            "INSERT INTO kostnadsslag (version, innehall, sha256, fil, laddad) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (version) DO NOTHING",
            params![version, innehall, sha256, fil, laddad],
        )
    }
}
