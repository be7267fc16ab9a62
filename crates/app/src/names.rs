//! Names for the codes reports show: accounts (konto) and activity codes
//! (verksamhet). A name from the database wins (SIE `#KONTO` for accounts,
//! `resurs import verksamheter` for activity codes); a code without one gets
//! the shipped default (`data/kontoplan.csv`, common Kommun-Bas account
//! names, and `data/verksamheter.csv`, common activity codes), so a CSV
//! ledger without names still reads as words (docs/regler.md, "Namn på koder").

use crate::AppError;
use resurs_store::Store;
use std::collections::BTreeMap;

/// The shipped account plan (`kod;namn`, UTF-8).
pub const KONTOPLAN: &str = include_str!("../data/kontoplan.csv");
/// The shipped activity codes (`kod;namn`, UTF-8).
pub const VERKSAMHETER: &str = include_str!("../data/verksamheter.csv");

fn defaults(csv: &str) -> BTreeMap<String, String> {
    csv.lines()
        .skip(1)
        .filter_map(|l| l.split_once(';'))
        .map(|(k, n)| (k.trim().to_string(), n.trim().to_string()))
        .filter(|(k, n)| !k.is_empty() && !n.is_empty())
        .collect()
}

/// Code → name lookups, the stored names over the shipped defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub konton: BTreeMap<String, String>,
    pub verksamheter: BTreeMap<String, String>,
}

impl Names {
    /// The shipped defaults only.
    pub fn shipped() -> Names {
        Names {
            konton: defaults(KONTOPLAN),
            verksamheter: defaults(VERKSAMHETER),
        }
    }

    /// The stored names over the shipped defaults.
    pub fn load(store: &Store) -> Result<Names, AppError> {
        let mut n = Names::shipped();
        n.konton.extend(store.konto_names()?);
        n.verksamheter.extend(store.verksamhet_names()?);
        Ok(n)
    }

    /// An account's name ("" when neither the ledger nor the plan has one).
    pub fn konto(&self, code: &str) -> &str {
        self.konton.get(code).map_or("", String::as_str)
    }

    /// An activity code's name ("" when unknown).
    pub fn verksamhet(&self, code: &str) -> &str {
        self.verksamheter.get(code).map_or("", String::as_str)
    }
}

/// Account names: the stored ones over the shipped account plan.
pub fn account_names(store: &Store) -> Result<BTreeMap<String, String>, AppError> {
    Ok(Names::load(store)?.konton)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_defaults_name_the_common_codes() {
        let n = Names::shipped();
        assert_eq!(n.konto("5011"), "Månadslön tillsvidareanställda");
        assert_eq!(n.konto("4610"), "Köp av huvudverksamhet");
        assert_eq!(n.verksamhet("521"), "Daglig verksamhet");
        assert_eq!(n.konto("0000"), "");
        assert!(n.konton.len() > 50 && n.verksamheter.len() > 20);
    }
}
