//! The operating statement by cost type (*driftredovisning*,
//! docs/driftredovisning.md): the grouping of accounts into cost types (a
//! versioned file, docs/format/kostnadsslag.md) and the statement's rows in
//! the result layout (income +, cost −), every column computed here.
//!
//! Amounts come in with the ledger's sign (costs positive, income negative)
//! in öre and go out with the result layout's sign (−ledger), so a positive
//! deviation (outcome − budget) is better than budget.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest grouping file accepted (bytes) and most ranges.
pub const MAX_FILE_BYTES: usize = 64 * 1024;
pub const MAX_RANGES: usize = 1000;

/// A cost type: the groups of the statement. Every account with figures
/// belongs to exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grupp {
    Intakter,
    Personal,
    Lokaler,
    Kop,
    Ovrigt,
    Kommunbidrag,
    Finans,
}

impl Grupp {
    pub const ALL: [Grupp; 7] = [
        Grupp::Intakter,
        Grupp::Personal,
        Grupp::Lokaler,
        Grupp::Kop,
        Grupp::Ovrigt,
        Grupp::Kommunbidrag,
        Grupp::Finans,
    ];
    /// The key written in the grouping file and the JSON.
    pub fn key(self) -> &'static str {
        match self {
            Grupp::Intakter => "intakter",
            Grupp::Personal => "personal",
            Grupp::Lokaler => "lokaler",
            Grupp::Kop => "kop",
            Grupp::Ovrigt => "ovrigt",
            Grupp::Kommunbidrag => "kommunbidrag",
            Grupp::Finans => "finans",
        }
    }
    /// The row's heading in the statement.
    pub fn label(self) -> &'static str {
        match self {
            Grupp::Intakter => "Verksamhetens intäkter",
            Grupp::Personal => "Personalkostnader",
            Grupp::Lokaler => "Lokalhyror",
            Grupp::Kop => "Köp av tjänster och huvudverksamhet",
            Grupp::Ovrigt => "Övriga kostnader",
            Grupp::Kommunbidrag => "Kommunbidrag",
            Grupp::Finans => "Finansnetto",
        }
    }
    /// A key as written in a file (å/ä/ö and case folded).
    pub fn parse(s: &str) -> Option<Grupp> {
        let f = crate::model::fold(s);
        Grupp::ALL.into_iter().find(|g| g.key() == f)
    }
}

/// One range of accounts (bounds inclusive, compared on the account's
/// leading digits, as many as the bounds have).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervall {
    pub grupp: Grupp,
    pub fran: u64,
    pub till: u64,
    /// The line of the file.
    pub rad: usize,
}

/// A grouping of accounts into cost types, with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kostnadsslag {
    pub version: String,
    /// Digits of every bound (the accounts' leading digits compared).
    pub siffror: usize,
    pub intervall: Vec<Intervall>,
}

impl Kostnadsslag {
    /// The group of `konto`, `None` when no range covers it (or the account
    /// does not begin with as many digits as the bounds have).
    pub fn grupp(&self, konto: &str) -> Option<Grupp> {
        let head = konto.get(..self.siffror)?;
        if !head.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = head.parse().ok()?;
        self.intervall
            .iter()
            .find(|r| r.fran <= n && n <= r.till)
            .map(|r| r.grupp)
    }

    /// Reads a grouping file (docs/format/kostnadsslag.md): every problem
    /// with its line; the whole file is refused on any.
    pub fn parse(text: &str, file: &str) -> Result<Kostnadsslag, Vec<String>> {
        let mut problems = Vec::new();
        if text.len() > MAX_FILE_BYTES {
            return Err(vec![format!(
                "{file}: filen är {} byte, högst {MAX_FILE_BYTES} byte tillåts för en kostnadsslagsfil",
                text.len()
            )]);
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut version: Option<String> = None;
        let mut header = false;
        let mut siffror: Option<usize> = None;
        let mut intervall: Vec<Intervall> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let rad = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split(';').map(str::trim).collect();
            if version.is_none() {
                let name = f.get(1).copied().unwrap_or("");
                if crate::model::fold(f[0]) != "version" || name.is_empty() || f.len() != 2 {
                    problems.push(format!(
                        "{file} rad {rad}: förväntade första raden \"version;NAMN\" (t.ex. version;kommunbas-2026), fick \"{}\"",
                        crate::limits::shown(line)
                    ));
                    return Err(problems);
                }
                if name.chars().count() > crate::limits::NAME_MAX {
                    problems.push(format!(
                        "{file} rad {rad}, kolumn 2: versionsnamnet är längre än {} tecken",
                        crate::limits::NAME_MAX
                    ));
                    return Err(problems);
                }
                version = Some(name.to_string());
                continue;
            }
            if !header {
                let cols: Vec<String> = f.iter().map(|c| crate::model::fold(c)).collect();
                if cols != ["grupp", "fran", "till"] {
                    problems.push(format!(
                        "{file} rad {rad}: förväntade rubrikraden \"grupp;från;till\", fick \"{}\"",
                        crate::limits::shown(line)
                    ));
                    return Err(problems);
                }
                header = true;
                continue;
            }
            if intervall.len() >= MAX_RANGES {
                problems.push(format!(
                    "{file} rad {rad}: högst {MAX_RANGES} intervall i en kostnadsslagsfil"
                ));
                break;
            }
            if f.len() != 3 {
                problems.push(format!(
                    "{file} rad {rad}: förväntade 3 kolumner (grupp;från;till), fick {}",
                    f.len()
                ));
                continue;
            }
            let Some(grupp) = Grupp::parse(f[0]) else {
                let known: Vec<&str> = Grupp::ALL.iter().map(|g| g.key()).collect();
                problems.push(format!(
                    "{file} rad {rad}, kolumn grupp: okänd grupp \"{}\", förväntade en av {}",
                    crate::limits::shown(f[0]),
                    known.join(", ")
                ));
                continue;
            };
            let mut bound = |col: &str, v: &str| -> Option<u64> {
                if v.is_empty() || v.len() > 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
                    problems.push(format!(
                        "{file} rad {rad}, kolumn {col}: värdet \"{}\", förväntade ett kontonummer med 1–9 siffror",
                        crate::limits::shown(v)
                    ));
                    return None;
                }
                match siffror {
                    Some(d) if d != v.len() => {
                        problems.push(format!(
                            "{file} rad {rad}, kolumn {col}: värdet \"{v}\" har {} siffror; alla gränser i filen ska ha lika många ({d})",
                            v.len()
                        ));
                        None
                    }
                    _ => {
                        siffror = Some(v.len());
                        v.parse().ok()
                    }
                }
            };
            let (Some(fran), Some(till)) = (bound("från", f[1]), bound("till", f[2])) else {
                continue;
            };
            if fran > till {
                problems.push(format!(
                    "{file} rad {rad}: från ({}) är större än till ({})",
                    f[1], f[2]
                ));
                continue;
            }
            intervall.push(Intervall { grupp, fran, till, rad });
        }
        if version.is_none() {
            problems.push(format!(
                "{file}: filen är tom; förväntade \"version;NAMN\" och \"grupp;från;till\""
            ));
        } else if !header {
            problems.push(format!("{file}: rubrikraden \"grupp;från;till\" saknas"));
        }
        let mut sorted: Vec<&Intervall> = intervall.iter().collect();
        sorted.sort_by_key(|r| (r.fran, r.rad));
        for w in sorted.windows(2) {
            if w[1].fran <= w[0].till {
                problems.push(format!(
                    "{file} rad {}: intervallet {}–{} överlappar intervallet {}–{} på rad {}",
                    w[1].rad, w[1].fran, w[1].till, w[0].fran, w[0].till, w[0].rad
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if intervall.is_empty() {
            return Err(vec![format!("{file}: filen har inga intervall")]);
        }
        Ok(Kostnadsslag {
            version: version.unwrap_or_default(),
            siffror: siffror.unwrap_or(4),
            intervall,
        })
    }
}

/// One account's figures for the statement (ledger sign, öre, year to date).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KontoBelopp {
    pub konto: String,
    pub namn: String,
    pub budget: i64,
    pub utfall: i64,
    pub fg_ar: i64,
}

/// What a row of the statement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RadTyp {
    /// A cost type (its accounts follow as `konto` rows).
    Grupp,
    /// A sum of other rows (`delar`).
    Summa,
    /// An account under its cost type.
    Konto,
}

/// The columns, in the order of [`Rad::varden`]: key and heading.
pub const KOLUMNER: [(&str, &str); 5] = [
    ("budget", "Budget"),
    ("utfall", "Utfall"),
    ("avvikelse", "Avvikelse"),
    ("fg_ar", "Utfall fg år"),
    ("forandring", "Förändring"),
];

/// One row of the statement: result sign (income +, cost −), öre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rad {
    pub typ: RadTyp,
    /// Group key, sum key (`kostnader`, `nettokostnader`, `resultat`) or account.
    pub nyckel: String,
    pub namn: String,
    /// 0 for groups and sums, 1 for accounts.
    pub djup: usize,
    /// Account rows: the cost type they belong to.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub grupp: Option<Grupp>,
    /// budget, utfall, avvikelse (utfall − budget), fg_ar, forandring (utfall − fg_ar).
    pub varden: [i64; 5],
    /// Rows (indexes) this row is the sum of.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub delar: Vec<usize>,
}

impl Rad {
    fn new(typ: RadTyp, nyckel: &str, namn: &str, budget: i64, utfall: i64, fg_ar: i64) -> Rad {
        Rad {
            typ,
            nyckel: nyckel.to_string(),
            namn: namn.to_string(),
            djup: usize::from(typ == RadTyp::Konto),
            grupp: None,
            varden: [budget, utfall, utfall - budget, fg_ar, utfall - fg_ar],
            delar: Vec::new(),
        }
    }
    pub fn budget(&self) -> i64 {
        self.varden[0]
    }
    pub fn utfall(&self) -> i64 {
        self.varden[1]
    }
    pub fn avvikelse(&self) -> i64 {
        self.varden[2]
    }
}

/// The sum keys of the statement.
pub const KOSTNADER: &str = "kostnader";
pub const NETTOKOSTNADER: &str = "nettokostnader";
pub const RESULTAT: &str = "resultat";

/// The statement's rows: the five operating groups with their accounts,
/// Verksamhetens kostnader, Verksamhetens nettokostnader, Kommunbidrag and
/// Finansnetto with their accounts, Årets resultat. Accounts with a figure
/// that no range covers refuse the statement: `Err` lists them (sorted).
/// Amounts must be within `crate::num::MAX_TOTAL_ORE` in total (checked by
/// the caller), so no sum overflows.
pub fn statement(konton: &[KontoBelopp], slag: &Kostnadsslag) -> Result<Vec<Rad>, Vec<String>> {
    let mut per: BTreeMap<Grupp, Vec<&KontoBelopp>> = BTreeMap::new();
    let mut missing = Vec::new();
    for k in konton {
        if k.budget == 0 && k.utfall == 0 && k.fg_ar == 0 {
            continue;
        }
        match slag.grupp(&k.konto) {
            Some(g) => per.entry(g).or_default().push(k),
            None => missing.push(k.konto.clone()),
        }
    }
    if !missing.is_empty() {
        missing.sort();
        missing.dedup();
        return Err(missing);
    }
    for list in per.values_mut() {
        list.sort_by(|a, b| a.konto.cmp(&b.konto));
    }
    let mut rows: Vec<Rad> = Vec::new();
    let group_row = |rows: &mut Vec<Rad>, g: Grupp| -> usize {
        let list = per.get(&g).cloned().unwrap_or_default();
        let (mut b, mut u, mut f) = (0i64, 0i64, 0i64);
        let at = rows.len();
        rows.push(Rad::new(RadTyp::Grupp, g.key(), g.label(), 0, 0, 0));
        for k in list {
            let mut r = Rad::new(RadTyp::Konto, &k.konto, &k.namn, -k.budget, -k.utfall, -k.fg_ar);
            r.grupp = Some(g);
            b -= k.budget;
            u -= k.utfall;
            f -= k.fg_ar;
            let i = rows.len();
            rows[at].delar.push(i);
            rows.push(r);
        }
        let delar = std::mem::take(&mut rows[at].delar);
        rows[at] = Rad::new(RadTyp::Grupp, g.key(), g.label(), b, u, f);
        rows[at].delar = delar;
        at
    };
    let sum = |rows: &mut Vec<Rad>, key: &str, name: &str, parts: Vec<usize>| -> usize {
        let (mut b, mut u, mut f) = (0, 0, 0);
        for &p in &parts {
            b += rows[p].varden[0];
            u += rows[p].varden[1];
            f += rows[p].varden[3];
        }
        let mut r = Rad::new(RadTyp::Summa, key, name, b, u, f);
        r.delar = parts;
        rows.push(r);
        rows.len() - 1
    };
    let intakter = group_row(&mut rows, Grupp::Intakter);
    let costs: Vec<usize> = [Grupp::Personal, Grupp::Lokaler, Grupp::Kop, Grupp::Ovrigt]
        .into_iter()
        .map(|g| group_row(&mut rows, g))
        .collect();
    let kostnader = sum(&mut rows, KOSTNADER, "Verksamhetens kostnader", costs);
    let netto = sum(
        &mut rows,
        NETTOKOSTNADER,
        "Verksamhetens nettokostnader",
        vec![intakter, kostnader],
    );
    let kb = group_row(&mut rows, Grupp::Kommunbidrag);
    let fin = group_row(&mut rows, Grupp::Finans);
    sum(&mut rows, RESULTAT, "Årets resultat", vec![netto, kb, fin]);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "version;test-1\ngrupp;från;till\nintakter;3000;3999\nkop;4000;4999\npersonal;5000;5999\nlokaler;6000;6199\novrigt;6200;7299\nkop;7300;7399\novrigt;7400;8399\nkommunbidrag;8400;8499\nfinans;8500;8999\n";

    #[test]
    fn groups_by_leading_digits() {
        let s = Kostnadsslag::parse(FILE, "k.csv").unwrap();
        assert_eq!(s.version, "test-1");
        assert_eq!(s.grupp("5011"), Some(Grupp::Personal));
        assert_eq!(s.grupp("50111"), Some(Grupp::Personal));
        assert_eq!(s.grupp("7310"), Some(Grupp::Kop));
        assert_eq!(s.grupp("9999"), None);
        assert_eq!(s.grupp("X1"), None);
    }

    #[test]
    fn refuses_overlap_unknown_group_and_bad_bounds_with_lines() {
        let bad =
            "version;v\ngrupp;från;till\nintakter;3000;3999\npersonal;3500;5999\nhyror;6000;6099\novrigt;70;7999\n";
        let e = Kostnadsslag::parse(bad, "k.csv").unwrap_err();
        assert!(
            e.iter()
                .any(|p| p.contains("rad 4") && p.contains("överlappar") && p.contains("rad 3")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|p| p.contains("rad 5") && p.contains("okänd grupp \"hyror\"")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|p| p.contains("rad 6") && p.contains("lika många")),
            "{e:?}"
        );
    }

    #[test]
    fn statement_sums_and_signs() {
        let s = Kostnadsslag::parse(FILE, "k.csv").unwrap();
        let k = |konto: &str, b: i64, u: i64, f: i64| KontoBelopp {
            konto: konto.into(),
            namn: String::new(),
            budget: b,
            utfall: u,
            fg_ar: f,
        };
        let rows = statement(
            &[
                k("3510", -100, -120, -90),
                k("5011", 1000, 1100, 900),
                k("8410", -900, -900, -800),
            ],
            &s,
        )
        .unwrap();
        let get = |key: &str| rows.iter().find(|r| r.nyckel == key).unwrap().varden;
        assert_eq!(get("intakter"), [100, 120, 20, 90, 30]);
        assert_eq!(get("personal"), [-1000, -1100, -100, -900, -200]);
        assert_eq!(get(NETTOKOSTNADER), [-900, -980, -80, -810, -170]);
        assert_eq!(get(RESULTAT), [0, -80, -80, -10, -70]);
        let e = statement(&[k("9010", 0, 5, 0)], &s).unwrap_err();
        assert_eq!(e, vec!["9010".to_string()]);
    }
}
