//! Kolada's municipality groups (migration 0022): id, title and members,
//! as imported from `/v2/municipality_groups` or `/v3/municipality_groups`.

use crate::db::params;
use crate::{Ctx, Result, Store, Tx};

/// One of Kolada's municipality groups with its members (code, name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KoladaGroup {
    pub id: String,
    pub titel: String,
    pub medlemmar: Vec<(String, String)>,
}

impl Store {
    /// Every imported municipality group with its members, by id.
    pub fn kolada_groups(&self) -> Result<Vec<KoladaGroup>> {
        let groups: Vec<(String, String)> = self
            .conn
            .query(
                "SELECT gid, titel FROM kolada_kommungrupp ORDER BY gid",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av Koladas kommungrupper")?;
        let members: Vec<(String, String, String)> = self
            .conn
            .query(
                "SELECT gid, kommun, namn FROM kolada_kommungrupp_medlem ORDER BY gid, kommun",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ctx("läsning av Koladas kommungrupper")?;
        let mut by_group: std::collections::HashMap<String, Vec<(String, String)>> = std::collections::HashMap::new();
        for (g, k, n) in members {
            by_group.entry(g).or_default().push((k, n));
        }
        Ok(groups
            .into_iter()
            .map(|(id, titel)| KoladaGroup {
                medlemmar: by_group.remove(&id).unwrap_or_default(),
                id,
                titel,
            })
            .collect())
    }
}

impl Tx<'_> {
    /// The stored group of `gid` (for the audit log and the check page).
    pub fn kolada_group(&self, gid: &str) -> Result<Option<KoladaGroup>> {
        let titel: Option<String> = self.read_opt(
            "läsning av Koladas kommungrupp",
            "SELECT titel FROM kolada_kommungrupp WHERE gid = $1",
            params![gid],
            |r| r.get(0),
        )?;
        let Some(titel) = titel else {
            return Ok(None);
        };
        self.before_statement("läsning av Koladas kommungrupp")?;
        let medlemmar = self
            .conn
            .query(
                "SELECT kommun, namn FROM kolada_kommungrupp_medlem WHERE gid = $1 ORDER BY kommun",
                params![gid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av Koladas kommungrupp")?;
        Ok(Some(KoladaGroup {
            id: gid.to_string(),
            titel,
            medlemmar,
        }))
    }

    /// Stores a group, replacing the title and members of the same id.
    pub fn put_kolada_group(&self, g: &KoladaGroup) -> Result<()> {
        self.exec(
            "sparande av Koladas kommungrupp",
            "INSERT INTO kolada_kommungrupp (gid, titel) VALUES ($1, $2) \
             ON CONFLICT (gid) DO UPDATE SET titel = excluded.titel",
            params![g.id.as_str(), g.titel.as_str()],
        )?;
        self.exec(
            "sparande av Koladas kommungrupp",
            "DELETE FROM kolada_kommungrupp_medlem WHERE gid = $1",
            params![g.id.as_str()],
        )?;
        for (k, n) in &g.medlemmar {
            self.exec(
                "sparande av Koladas kommungrupp",
                "INSERT INTO kolada_kommungrupp_medlem (gid, kommun, namn) VALUES ($1, $2, $3) \
                 ON CONFLICT (gid, kommun) DO NOTHING",
                params![g.id.as_str(), k.as_str(), n.as_str()],
            )?;
        }
        Ok(())
    }
}
