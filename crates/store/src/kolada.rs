//! Kolada figures (migration 0015): KPI and municipality metadata, values
//! per KPI, municipality, year and gender, saved peer groups and the
//! published net and reference costs per inhabitant.

use crate::db::params;
use crate::db::{DbResult, Row};
use crate::{Ctx, Result, Store, Tx};
use resurs_core::num::Money;
use resurs_core::period::Period;

/// One stored Kolada value. `varde` is in ten-thousandths (12,3 = 123 000);
/// `None` when Kolada publishes the row without a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KoladaValue {
    pub kpi: String,
    pub kommun: String,
    pub ar: i32,
    pub kon: String,
    pub varde: Option<i64>,
    pub antal: Option<i64>,
    pub status: String,
}

/// A KPI's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiMeta {
    pub kpi: String,
    pub titel: String,
    pub beskrivning: String,
    pub enhet: String,
    pub per_kon: bool,
}

/// A municipality's metadata (`grupp`: population group, "" when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KommunMeta {
    pub kod: String,
    pub namn: String,
    pub typ: String,
    pub grupp: String,
}

/// A saved peer group: by population group (`slag` "befolkningsgrupp",
/// `grupp` its name) or a chosen list (`slag` "lista", `kommuner`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerGroup {
    pub namn: String,
    pub slag: String,
    pub grupp: String,
    pub kommuner: Vec<String>,
}

/// A published net cost and reference cost per inhabitant (öre).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefCost {
    pub ar: i32,
    pub omrade: String,
    pub kommun: String,
    pub nettokostnad: Money,
    pub referenskostnad: Option<Money>,
}

fn value_row(r: &Row<'_>) -> DbResult<KoladaValue> {
    Ok(KoladaValue {
        kpi: r.get(0)?,
        kommun: r.get(1)?,
        ar: r.get::<i64>(2)? as i32,
        kon: r.get(3)?,
        varde: r.get(4)?,
        antal: r.get(5)?,
        status: r.get(6)?,
    })
}

impl Store {
    /// The values of `kpi`, by municipality, year and gender.
    pub fn kolada_values(&self, kpi: &str) -> Result<Vec<KoladaValue>> {
        self.conn
            .query(
                "SELECT kpi, kommun, ar, kon, varde, antal, status FROM kolada_varde WHERE kpi = $1 \
                 ORDER BY kommun, ar, kon",
                params![kpi],
                value_row,
            )
            .ctx("läsning av Koladavärden")
    }

    /// The number of stored values per KPI.
    pub fn kolada_value_counts(&self) -> Result<Vec<(String, i64)>> {
        self.conn
            .query(
                "SELECT kpi, COUNT(*) FROM kolada_varde GROUP BY kpi ORDER BY kpi",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av Koladavärden")
    }

    pub fn kolada_kpis(&self) -> Result<Vec<KpiMeta>> {
        self.conn
            .query(
                "SELECT kpi, titel, beskrivning, enhet, per_kon FROM kolada_kpi ORDER BY kpi",
                params![],
                |r| {
                    Ok(KpiMeta {
                        kpi: r.get(0)?,
                        titel: r.get(1)?,
                        beskrivning: r.get(2)?,
                        enhet: r.get(3)?,
                        per_kon: r.get::<i64>(4)? != 0,
                    })
                },
            )
            .ctx("läsning av Koladas nyckeltal")
    }

    pub fn kolada_kommuner(&self) -> Result<Vec<KommunMeta>> {
        self.conn
            .query(
                "SELECT kod, namn, typ, grupp FROM kolada_kommun ORDER BY kod",
                params![],
                |r| {
                    Ok(KommunMeta {
                        kod: r.get(0)?,
                        namn: r.get(1)?,
                        typ: r.get(2)?,
                        grupp: r.get(3)?,
                    })
                },
            )
            .ctx("läsning av Koladas kommuner")
    }

    pub fn peer_groups(&self) -> Result<Vec<PeerGroup>> {
        let groups: Vec<(i64, String, String, String)> = self
            .conn
            .query(
                "SELECT id, namn, slag, grupp FROM jamforelsegrupp ORDER BY namn",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("läsning av jämförelsegrupper")?;
        let members: Vec<(i64, String)> = self
            .conn
            .query(
                "SELECT grupp_id, kommun FROM jamforelsegrupp_kommun ORDER BY grupp_id, kommun",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av jämförelsegrupper")?;
        Ok(groups
            .into_iter()
            .map(|(id, namn, slag, grupp)| PeerGroup {
                namn,
                slag,
                grupp,
                kommuner: members.iter().filter(|m| m.0 == id).map(|m| m.1.clone()).collect(),
            })
            .collect())
    }

    /// Published net and reference costs per inhabitant of `year`.
    pub fn reference_costs(&self, year: i32) -> Result<Vec<RefCost>> {
        self.conn
            .query(
                "SELECT ar, omrade, kommun, nettokostnad, referenskostnad FROM referenskostnad WHERE ar = $1 \
                 ORDER BY omrade, kommun",
                params![year],
                |r| {
                    Ok(RefCost {
                        ar: r.get::<i64>(0)? as i32,
                        omrade: r.get(1)?,
                        kommun: r.get(2)?,
                        nettokostnad: Money::from_ore(r.get(3)?),
                        referenskostnad: r.get::<Option<i64>>(4)?.map(Money::from_ore),
                    })
                },
            )
            .ctx("läsning av referenskostnader")
    }

    /// The ledger's sums per activity code (verksamhet) over `[from, to]`.
    pub fn ledger_by_activity(&self, from: Period, to: Period) -> Result<Vec<(String, Money)>> {
        self.conn
            .query(
                "SELECT verksamhet, COALESCE(SUM(belopp), 0) FROM huvudbok WHERE period >= $1 AND period <= $2 \
                 GROUP BY verksamhet ORDER BY verksamhet",
                params![from.as_int(), to.as_int()],
                |r| Ok((r.get(0)?, Money::from_ore(r.get(1)?))),
            )
            .ctx("läsning av huvudbok")
    }
}

impl Tx<'_> {
    /// The stored value of a key (for the audit log): value and count.
    pub fn kolada_value(
        &self,
        kpi: &str,
        kommun: &str,
        ar: i32,
        kon: &str,
    ) -> Result<Option<(Option<i64>, Option<i64>)>> {
        self.read_opt(
            "läsning av Koladavärde",
            "SELECT varde, antal FROM kolada_varde WHERE kpi = $1 AND kommun = $2 AND ar = $3 AND kon = $4",
            params![kpi, kommun, ar, kon],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Stores a value, replacing the one of the same key.
    pub fn put_kolada_value(&self, v: &KoladaValue) -> Result<bool> {
        self.exec(
            "sparande av Koladavärde",
            "INSERT INTO kolada_varde (kpi, kommun, ar, kon, varde, antal, status) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (kpi, kommun, ar, kon) DO UPDATE SET varde = excluded.varde, antal = excluded.antal, \
             status = excluded.status",
            params![
                v.kpi.as_str(),
                v.kommun.as_str(),
                v.ar,
                v.kon.as_str(),
                v.varde,
                v.antal,
                v.status.as_str()
            ],
        )
    }

    pub fn put_kolada_kpi(&self, k: &KpiMeta) -> Result<bool> {
        self.exec(
            "sparande av Koladas nyckeltal",
            "INSERT INTO kolada_kpi (kpi, titel, beskrivning, enhet, per_kon) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kpi) DO UPDATE SET titel = excluded.titel, beskrivning = excluded.beskrivning, \
             enhet = excluded.enhet, per_kon = excluded.per_kon",
            params![
                k.kpi.as_str(),
                k.titel.as_str(),
                k.beskrivning.as_str(),
                k.enhet.as_str(),
                i64::from(k.per_kon)
            ],
        )
    }

    pub fn put_kolada_kommun(&self, k: &KommunMeta) -> Result<bool> {
        self.exec(
            "sparande av Koladas kommuner",
            "INSERT INTO kolada_kommun (kod, namn, typ, grupp) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (kod) DO UPDATE SET namn = excluded.namn, typ = excluded.typ, grupp = excluded.grupp",
            params![k.kod.as_str(), k.namn.as_str(), k.typ.as_str(), k.grupp.as_str()],
        )
    }

    /// The stored published costs of a key (for the audit log).
    pub fn reference_cost(&self, ar: i32, omrade: &str, kommun: &str) -> Result<Option<(i64, Option<i64>)>> {
        self.read_opt(
            "läsning av referenskostnad",
            "SELECT nettokostnad, referenskostnad FROM referenskostnad WHERE ar = $1 AND omrade = $2 AND kommun = $3",
            params![ar, omrade, kommun],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    pub fn put_reference_cost(&self, c: &RefCost) -> Result<bool> {
        self.exec(
            "sparande av referenskostnad",
            "INSERT INTO referenskostnad (ar, omrade, kommun, nettokostnad, referenskostnad) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (ar, omrade, kommun) DO UPDATE SET nettokostnad = excluded.nettokostnad, \
             referenskostnad = excluded.referenskostnad",
            params![
                c.ar,
                c.omrade.as_str(),
                c.kommun.as_str(),
                c.nettokostnad.ore(),
                c.referenskostnad.map(Money::ore)
            ],
        )
    }

    /// Saves a peer group under its name (replacing one of the same name);
    /// answers the old group's description for the audit log.
    pub fn save_peer_group(&self, g: &PeerGroup) -> Result<Option<String>> {
        let old: Option<(i64, String, String)> = self.read_opt(
            "läsning av jämförelsegrupp",
            "SELECT id, slag, grupp FROM jamforelsegrupp WHERE namn = $1",
            params![g.namn.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let before = match &old {
            Some((id, slag, grupp)) => {
                self.exec(
                    "sparande av jämförelsegrupp",
                    "DELETE FROM jamforelsegrupp_kommun WHERE grupp_id = $1",
                    params![*id],
                )?;
                self.exec(
                    "sparande av jämförelsegrupp",
                    "DELETE FROM jamforelsegrupp WHERE id = $1",
                    params![*id],
                )?;
                Some(format!("{slag} {grupp}"))
            }
            None => None,
        };
        let id = self.insert_id(
            "sparande av jämförelsegrupp",
            "INSERT INTO jamforelsegrupp (namn, slag, grupp) VALUES ($1, $2, $3) RETURNING id",
            params![g.namn.as_str(), g.slag.as_str(), g.grupp.as_str()],
        )?;
        for k in &g.kommuner {
            self.exec(
                "sparande av jämförelsegrupp",
                "INSERT INTO jamforelsegrupp_kommun (grupp_id, kommun) VALUES ($1, $2) ON CONFLICT (grupp_id, kommun) DO NOTHING",
                params![id, k.as_str()],
            )?;
        }
        Ok(before)
    }
}
