//! Undo of a Kolada import (`resurs import undo N`, "Ångra" on the import
//! page): before an import changes a value, a KPI's or a municipality's
//! metadata or a municipality group, the row as it was (or that there was
//! none) goes to `import_ersatt` under the import's id, and undoing the
//! import puts it back. Unchanged values are not written and not kept.

use crate::db::params;
use crate::kolada::{KoladaValue, KommunMeta, KpiMeta};
use crate::kolada_grupp::KoladaGroup;
use crate::{unreadable, Result, Tx};

/// Fields packed into one text: tab-separated, `\` escapes `\`, tab and
/// newline, so any text survives.
fn pack(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| f.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n"))
        .collect::<Vec<_>>()
        .join("\t")
}

fn unpack(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\t' => out.push(String::new()),
            '\\' => {
                let last = out.last_mut().expect("one field");
                match chars.next() {
                    Some('t') => last.push('\t'),
                    Some('n') => last.push('\n'),
                    Some(o) => last.push(o),
                    None => {}
                }
            }
            o => out.last_mut().expect("one field").push(o),
        }
    }
    out
}

fn opt(v: Option<i64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

/// How a stored value compares with the one an import brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    New,
    /// Replaced; the old value (for the audit log).
    Replaced(Option<i64>),
    Unchanged,
}

impl Tx<'_> {
    fn remember(&self, import: i64, tabell: &str, nyckel: &str, fore: Option<String>) -> Result<()> {
        self.exec(
            "sparande av ångringsuppgift",
            "INSERT INTO import_ersatt (import_id, tabell, nyckel, fanns, varde) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (import_id, tabell, nyckel) DO NOTHING",
            params![import, tabell, nyckel, i64::from(fore.is_some()), fore],
        )
        .map(|_| ())
    }

    /// Stores a value of import `import`, keeping the one it replaces.
    pub fn put_kolada_value_undoable(&self, import: i64, v: &KoladaValue) -> Result<Change> {
        let before: Option<(Option<i64>, Option<i64>, String)> = self.read_opt(
            "läsning av Koladavärde",
            "SELECT varde, antal, status FROM kolada_varde WHERE kpi = $1 AND kommun = $2 AND ar = $3 AND kon = $4",
            params![v.kpi.as_str(), v.kommun.as_str(), v.ar, v.kon.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let change = match &before {
            None => Change::New,
            Some((varde, antal, status)) if *varde == v.varde && *antal == v.antal && *status == v.status => {
                return Ok(Change::Unchanged)
            }
            Some((varde, _, _)) => Change::Replaced(*varde),
        };
        let key = pack(&[&v.kpi, &v.kommun, &v.ar.to_string(), &v.kon]);
        let fore = before.map(|(varde, antal, status)| pack(&[&opt(varde), &opt(antal), &status]));
        self.remember(import, "kolada_varde", &key, fore)?;
        self.put_kolada_value(v)?;
        Ok(change)
    }

    /// Stores a KPI's metadata of import `import`, keeping what it replaces.
    pub fn put_kolada_kpi_undoable(&self, import: i64, k: &KpiMeta) -> Result<()> {
        let before: Option<(String, String, String, i64)> = self.read_opt(
            "läsning av Koladas nyckeltal",
            "SELECT titel, beskrivning, enhet, per_kon FROM kolada_kpi WHERE kpi = $1",
            params![k.kpi.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        if let Some((t, b, e, p)) = &before {
            if *t == k.titel && *b == k.beskrivning && *e == k.enhet && (*p != 0) == k.per_kon {
                return Ok(());
            }
        }
        let fore = before.map(|(t, b, e, p)| pack(&[&t, &b, &e, &p.to_string()]));
        self.remember(import, "kolada_kpi", &k.kpi, fore)?;
        self.put_kolada_kpi(k).map(|_| ())
    }

    /// Stores a municipality's metadata of import `import`, keeping what it replaces.
    pub fn put_kolada_kommun_undoable(&self, import: i64, k: &KommunMeta) -> Result<()> {
        let before: Option<(String, String, String)> = self.read_opt(
            "läsning av Koladas kommuner",
            "SELECT namn, typ, grupp FROM kolada_kommun WHERE kod = $1",
            params![k.kod.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if let Some((n, t, g)) = &before {
            if *n == k.namn && *t == k.typ && *g == k.grupp {
                return Ok(());
            }
        }
        let fore = before.map(|(n, t, g)| pack(&[&n, &t, &g]));
        self.remember(import, "kolada_kommun", &k.kod, fore)?;
        self.put_kolada_kommun(k).map(|_| ())
    }

    /// Stores a municipality group of import `import`, keeping the one it
    /// replaces; answers the group before (for the audit log).
    pub fn put_kolada_group_undoable(&self, import: i64, g: &KoladaGroup) -> Result<Option<KoladaGroup>> {
        let before = self.kolada_group(&g.id)?;
        if before.as_ref() == Some(g) {
            return Ok(before);
        }
        let fore = before.as_ref().map(|b| {
            let mut f: Vec<&str> = vec![&b.titel];
            for (k, n) in &b.medlemmar {
                f.push(k);
                f.push(n);
            }
            pack(&f)
        });
        self.remember(import, "kolada_kommungrupp", &g.id, fore)?;
        self.put_kolada_group(g)?;
        Ok(before)
    }

    /// Puts back one row a Kolada import changed (`fore`: the row before;
    /// none: the import added it). `false` when `tabell` is not Kolada's.
    pub(crate) fn undo_kolada(&self, tabell: &str, nyckel: &str, fore: Option<&str>) -> Result<bool> {
        let ctx = "ångring av Koladaimport";
        let bad = |what: &str| unreadable("import_ersatt", "varde", what, "en sparad Koladarad");
        match tabell {
            "kolada_varde" => {
                let k = unpack(nyckel);
                let [kpi, kommun, ar, kon] = k.as_slice() else {
                    return Err(bad(nyckel));
                };
                let ar: i32 = ar.parse().map_err(|_| bad(nyckel))?;
                match fore {
                    None => self.exec(
                        ctx,
                        "DELETE FROM kolada_varde WHERE kpi = $1 AND kommun = $2 AND ar = $3 AND kon = $4",
                        params![kpi.as_str(), kommun.as_str(), ar, kon.as_str()],
                    )?,
                    Some(f) => {
                        let v = unpack(f);
                        let [varde, antal, status] = v.as_slice() else {
                            return Err(bad(f));
                        };
                        let num = |s: &str| -> Result<Option<i64>> {
                            if s.is_empty() {
                                Ok(None)
                            } else {
                                s.parse().map(Some).map_err(|_| bad(f))
                            }
                        };
                        self.put_kolada_value(&KoladaValue {
                            kpi: kpi.clone(),
                            kommun: kommun.clone(),
                            ar,
                            kon: kon.clone(),
                            varde: num(varde)?,
                            antal: num(antal)?,
                            status: status.clone(),
                        })?
                    }
                };
            }
            "kolada_kpi" => match fore {
                None => {
                    self.exec(ctx, "DELETE FROM kolada_kpi WHERE kpi = $1", params![nyckel])?;
                }
                Some(f) => {
                    let v = unpack(f);
                    let [titel, beskrivning, enhet, per_kon] = v.as_slice() else {
                        return Err(bad(f));
                    };
                    self.put_kolada_kpi(&KpiMeta {
                        kpi: nyckel.to_string(),
                        titel: titel.clone(),
                        beskrivning: beskrivning.clone(),
                        enhet: enhet.clone(),
                        per_kon: per_kon != "0",
                    })?;
                }
            },
            "kolada_kommun" => match fore {
                None => {
                    self.exec(ctx, "DELETE FROM kolada_kommun WHERE kod = $1", params![nyckel])?;
                }
                Some(f) => {
                    let v = unpack(f);
                    let [namn, typ, grupp] = v.as_slice() else {
                        return Err(bad(f));
                    };
                    self.put_kolada_kommun(&KommunMeta {
                        kod: nyckel.to_string(),
                        namn: namn.clone(),
                        typ: typ.clone(),
                        grupp: grupp.clone(),
                    })?;
                }
            },
            "kolada_kommungrupp" => match fore {
                None => {
                    self.exec(
                        ctx,
                        "DELETE FROM kolada_kommungrupp_medlem WHERE gid = $1",
                        params![nyckel],
                    )?;
                    self.exec(ctx, "DELETE FROM kolada_kommungrupp WHERE gid = $1", params![nyckel])?;
                }
                Some(f) => {
                    let v = unpack(f);
                    let Some((titel, rest)) = v.split_first() else {
                        return Err(bad(f));
                    };
                    if rest.len() % 2 != 0 {
                        return Err(bad(f));
                    }
                    self.put_kolada_group(&KoladaGroup {
                        id: nyckel.to_string(),
                        titel: titel.clone(),
                        medlemmar: rest.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect(),
                    })?;
                }
            },
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::{pack, unpack};

    #[test]
    fn packed_fields_come_back_whatever_they_hold() {
        for fields in [
            vec!["a", "b"],
            vec!["", ""],
            vec!["tab\there", "back\\slash\\t", "rad\nny", ""],
            vec!["ensam"],
        ] {
            assert_eq!(unpack(&pack(&fields)), fields, "{fields:?}");
        }
    }
}
