//! Ledger import (`resurs import huvudbok`): CSV, xlsx or SIE 4, with an
//! optional mapping from the finance system's codes to the organisation tree
//! (docs/format/huvudbok.md, docs/format/mappning.md).
//!
//! Every ledger line ends up as (period, account, ansvar, verksamhet,
//! amount). Lines whose codes the mapping does not cover, or whose ansvar is
//! not in the organisation tree for the period, are never dropped: they are
//! listed by code with their number of lines and amount, and the file is
//! refused, or, with `--omappat`, kept under the ansvar `OMAPPAT`.

use crate::import::{file_sha256, Kind, Options, Outcome, HUVUDBOK};
use crate::AppError;
use resurs_core::model::Huvudboksrad;
use resurs_core::num::Money;
use resurs_core::org::OrgTree;
use resurs_core::period::Period;
use resurs_core::sie;
use resurs_io::{Columns, Problems, Row, TableReader};
use resurs_store::Store;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The ansvar code unmapped lines are kept under.
pub const OMAPPAT: &str = "OMAPPAT";

/// How codes of one kind are translated.
#[derive(Debug, Clone, Default)]
struct Rules {
    exact: HashMap<String, String>,
    /// (prefix, target), longest prefix first.
    prefixes: Vec<(String, String)>,
}

impl Rules {
    fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.prefixes.is_empty()
    }
    /// The code in Resurs, or `None` when no rule covers `code`. Without any
    /// rule every code stands for itself.
    fn map(&self, code: &str) -> Option<String> {
        if self.is_empty() {
            return Some(code.to_string());
        }
        let target = match self.exact.get(code) {
            Some(t) => t,
            None => &self.prefixes.iter().find(|(p, _)| code.starts_with(p.as_str()))?.1,
        };
        Some(if target == "*" {
            code.to_string()
        } else {
            target.clone()
        })
    }
}

/// A mapping file, read and checked.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// SIE dimension holding ansvar.
    pub ansvar_dim: u32,
    /// SIE dimension holding verksamhet (`None`: lines get an empty verksamhet).
    pub verksamhet_dim: Option<u32>,
    ansvar: Rules,
    konto: Rules,
    verksamhet: Rules,
}

impl Default for Mapping {
    fn default() -> Mapping {
        Mapping {
            ansvar_dim: 1,
            verksamhet_dim: Some(6),
            ansvar: Rules::default(),
            konto: Rules::default(),
            verksamhet: Rules::default(),
        }
    }
}

pub static MAPPNING: &[resurs_io::ColSpec] = &[
    resurs_io::ColSpec::req("slag"),
    resurs_io::ColSpec::req("från").alias(&["fran", "kod"]),
    resurs_io::ColSpec::req("till").alias(&["mål"]),
];

/// Reads a mapping file (CSV or xlsx).
pub fn read_mapping(path: &Path) -> Result<Result<Mapping, Problems>, AppError> {
    let mut table = TableReader::open(path)?;
    let mut problems = Problems::new(table.file.clone());
    let Some(cols) = Columns::resolve(MAPPNING, table.headers(), &mut problems) else {
        return Ok(Err(problems));
    };
    let mut m = Mapping::default();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    while let Some(next) = table.next_row() {
        let (line, rec) = match next {
            Ok(r) => r,
            Err((line, expected)) => {
                problems.add(Some(line), None, None, expected);
                continue;
            }
        };
        let mut r = Row::new(rec, &cols, line, &mut problems);
        let (Some(slag), Some(fran), Some(till)) = (r.text(0), r.text(1), r.text(2)) else {
            continue;
        };
        let slag = resurs_core::model::fold(slag);
        if let Some(first) = seen.insert((slag.clone(), fran.to_string()), line) {
            r.problem(
                1,
                Some(fran),
                format!("en kod som bara står en gång per slag (även på rad {first})"),
            );
            continue;
        }
        let rules = match slag.as_str() {
            "dimension" | "dim" => {
                let Ok(d) = fran.parse::<u32>() else {
                    r.problem(1, Some(fran), "ett SIE-dimensionsnummer (heltal)");
                    continue;
                };
                match resurs_core::model::fold(till).as_str() {
                    "ansvar" => m.ansvar_dim = d,
                    "verksamhet" => m.verksamhet_dim = Some(d),
                    _ => r.problem(2, Some(till), "ansvar eller verksamhet"),
                }
                continue;
            }
            "ansvar" => &mut m.ansvar,
            "konto" => &mut m.konto,
            "verksamhet" => &mut m.verksamhet,
            _ => {
                r.problem(0, Some(slag.as_str()), "dimension, ansvar, konto eller verksamhet");
                continue;
            }
        };
        match fran.strip_suffix('*') {
            Some(prefix) => rules.prefixes.push((prefix.to_string(), till.to_string())),
            None => {
                rules.exact.insert(fran.to_string(), till.to_string());
            }
        }
    }
    for rules in [&mut m.ansvar, &mut m.konto, &mut m.verksamhet] {
        rules
            .prefixes
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    }
    Ok(if problems.is_empty() { Ok(m) } else { Err(problems) })
}

/// One line as read from the file, before mapping.
struct RawLine {
    line: usize,
    period: Period,
    konto: String,
    ansvar: Option<String>,
    verksamhet: String,
    belopp: Money,
    text: Option<String>,
    verifikation: Option<String>,
}

/// What else the user is told after a ledger import.
#[derive(Debug, Clone, Default)]
pub struct LedgerInfo {
    pub sie: Option<SieSummary>,
    /// Unmapped codes kept under [`OMAPPAT`]: "slag kod: n rader, belopp".
    pub omappat: Vec<String>,
}

/// What the SIE file held besides its lines (for the user's summary).
#[derive(Debug, Clone, Default)]
pub struct SieSummary {
    pub verifikationer: usize,
    pub balansrader: usize,
    pub konton: usize,
    pub kalla: &'static str,
}

fn sie_lines(
    text: &str,
    mapping: &Mapping,
    problems: &mut Problems,
) -> (Vec<RawLine>, SieSummary, BTreeMap<String, String>) {
    let file = match sie::parse(text) {
        Ok(f) => f,
        Err(list) => {
            for p in list {
                problems.add(Some(p.rad), Some(&p.post), Some(&p.varde), p.fel);
            }
            return (Vec::new(), SieSummary::default(), BTreeMap::new());
        }
    };
    let object = |objs: &[sie::ObjectRef], dim: Option<u32>| -> Option<String> {
        let d = dim?;
        objs.iter().find(|(n, _)| *n == d).map(|(_, c)| c.clone())
    };
    let result_account = |k: &str| k.chars().next().is_some_and(|c| ('3'..='8').contains(&c));
    let mut out = Vec::new();
    let mut summary = SieSummary {
        verifikationer: file.ver.len(),
        balansrader: file.balansrader,
        konton: file.konton.len(),
        kalla: "verifikationer",
    };
    if !file.ver.is_empty() {
        for v in &file.ver {
            for t in &v.trans {
                if !result_account(&t.konto) {
                    summary.balansrader += 1;
                    continue;
                }
                out.push(RawLine {
                    line: t.rad,
                    period: Period::of(t.datum.unwrap_or(v.datum)),
                    konto: t.konto.clone(),
                    ansvar: object(&t.objekt, Some(mapping.ansvar_dim)),
                    verksamhet: object(&t.objekt, mapping.verksamhet_dim).unwrap_or_default(),
                    belopp: t.belopp,
                    // The transaction's own text, else the verification's.
                    text: t
                        .text
                        .clone()
                        .filter(|x| !x.trim().is_empty())
                        .or_else(|| Some(v.text.clone()).filter(|x| !x.trim().is_empty())),
                    verifikation: Some(format!("{} {}", v.serie, v.nr).trim().to_string()).filter(|x| !x.is_empty()),
                });
            }
        }
    } else if !file.psaldo.is_empty() {
        summary.kalla = "periodsaldon (#PSALDO)";
        for p in file.psaldo.iter().filter(|p| p.ar == 0 && result_account(&p.konto)) {
            out.push(RawLine {
                line: p.rad,
                period: p.period,
                konto: p.konto.clone(),
                ansvar: object(&p.objekt, Some(mapping.ansvar_dim)),
                verksamhet: object(&p.objekt, mapping.verksamhet_dim).unwrap_or_default(),
                belopp: p.belopp,
                text: None,
                verifikation: None,
            });
        }
    } else if !file.res.is_empty() {
        problems.add(
            None,
            Some("#RES"),
            None,
            "verifikationer (#VER) eller periodsaldon (#PSALDO): filen har bara årssaldon (#RES), som inte kan fördelas på månader",
        );
    } else {
        problems.add(
            None,
            None,
            None,
            "minst en verifikation (#VER) eller ett periodsaldo (#PSALDO)",
        );
    }
    (out, summary, file.konton)
}

fn table_lines(table: &mut TableReader, problems: &mut Problems) -> Option<Vec<RawLine>> {
    let cols = Columns::resolve(HUVUDBOK, table.headers(), problems)?;
    let mut out = Vec::new();
    while let Some(next) = table.next_row() {
        let (line, rec) = match next {
            Ok(r) => r,
            Err((line, expected)) => {
                problems.add(Some(line), None, None, expected);
                continue;
            }
        };
        let mut r = Row::new(rec, &cols, line, problems);
        let period = r.period(0);
        let konto = r.text(1);
        let ansvar = r.text(2);
        let verksamhet = r.text(3);
        let belopp = r.money(4);
        let text = r.opt_text(5);
        let verifikation = r.opt_text(6);
        if let (Some(period), Some(konto), Some(ansvar), Some(verksamhet), Some(belopp)) =
            (period, konto, ansvar, verksamhet, belopp)
        {
            out.push(RawLine {
                line,
                period,
                konto: konto.into(),
                ansvar: Some(ansvar.into()),
                verksamhet: verksamhet.into(),
                belopp,
                text: text.map(Into::into),
                verifikation: verifikation.map(Into::into),
            });
        }
    }
    Some(out)
}

/// Codes the mapping does not cover, per kind and code.
#[derive(Default)]
struct Unmapped {
    /// (slag, code) → (first line, lines, amount)
    codes: BTreeMap<(&'static str, String), (usize, usize, Money)>,
}

impl Unmapped {
    fn add(&mut self, slag: &'static str, code: &str, line: usize, amount: Money) {
        let e = self
            .codes
            .entry((slag, code.to_string()))
            .or_insert((line, 0, Money::ZERO));
        e.1 += 1;
        e.2 += amount;
    }
}

/// Imports a ledger file; `mapping` translates codes, `keep_unmapped` keeps
/// unmapped lines under [`OMAPPAT`] instead of refusing the file.
pub fn import(
    store: &mut Store,
    path: &Path,
    mapping: Option<&Mapping>,
    keep_unmapped: bool,
    opts: Options<'_>,
) -> Result<(Outcome, LedgerInfo), AppError> {
    let kind = Kind::Huvudbok;
    let sha = file_sha256(path)?;
    if let Some(prior) = store.prior_import(kind.name(), &sha)? {
        return Ok((
            Outcome::AlreadyImported {
                filnamn: prior.filnamn,
                importerad: prior.importerad,
            },
            LedgerInfo::default(),
        ));
    }
    let default = Mapping::default();
    let mapping = mapping.unwrap_or(&default);
    let bytes_head = {
        use std::io::Read;
        let mut buf = vec![0u8; 512];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut buf))
            .map_err(AppError::io(format!("läsa filen {}", path.display())))?;
        buf.truncate(n);
        buf
    };
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut problems = Problems::new(name.clone());
    let (lines, summary, konton, encoding, aggregate) = if sie::looks_like_sie(&bytes_head) {
        let bytes = crate::fil::read_bounded(path, resurs_io::limits::MAX_TEXT_BYTES, "SIE-filen")?;
        let (text, enc) = sie::decode(&bytes);
        let (lines, summary, konton) = sie_lines(&text, mapping, &mut problems);
        (lines, Some(summary), konton, enc, true)
    } else {
        let mut table = TableReader::open(path)?;
        let Some(lines) = table_lines(&mut table, &mut problems) else {
            return Ok((Outcome::Refused(problems), LedgerInfo::default()));
        };
        (lines, None, BTreeMap::new(), table.encoding.label(), false)
    };
    if lines.is_empty() && problems.is_empty() {
        problems.add(None, None, None, "minst en rad med ett resultatkonto (klass 3–8)");
    }
    let mut info = LedgerInfo {
        sie: summary,
        omappat: Vec::new(),
    };
    if !problems.is_empty() {
        return Ok((Outcome::Refused(problems), info));
    }
    let org = OrgTree::new(store.org_nodes()?);
    let mut unmapped = Unmapped::default();
    let mut rows: Vec<Huvudboksrad> = Vec::with_capacity(lines.len());
    for l in &lines {
        let mut why: Option<(&'static str, String)> = None;
        let ansvar = match &l.ansvar {
            None => {
                why = Some(("ansvar", format!("(inget objekt i dimension {})", mapping.ansvar_dim)));
                None
            }
            Some(a) => match mapping.ansvar.map(a) {
                Some(m) if org.valid_some_day(&m, l.period.first_day(), l.period.last_day()) => Some(m),
                Some(m) if m != *a => {
                    why = Some((
                        "ansvar",
                        format!("{a} (→ {m}, inte i organisationsträdet {})", l.period),
                    ));
                    None
                }
                _ => {
                    why = Some(("ansvar", a.clone()));
                    None
                }
            },
        };
        let konto = mapping.konto.map(&l.konto);
        if konto.is_none() && why.is_none() {
            why = Some(("konto", l.konto.clone()));
        }
        let verksamhet = mapping.verksamhet.map(&l.verksamhet);
        if verksamhet.is_none() && why.is_none() {
            why = Some(("verksamhet", l.verksamhet.clone()));
        }
        match (ansvar, konto, verksamhet, why) {
            (Some(ansvar), Some(konto), Some(verksamhet), None) => rows.push(Huvudboksrad {
                period: l.period,
                konto,
                ansvar,
                verksamhet,
                belopp: l.belopp,
                text: l.text.clone(),
                verifikation: l.verifikation.clone(),
            }),
            (_, _, _, Some((slag, code))) => {
                unmapped.add(slag, &code, l.line, l.belopp);
                if keep_unmapped {
                    rows.push(Huvudboksrad {
                        period: l.period,
                        konto: l.konto.clone(),
                        ansvar: OMAPPAT.to_string(),
                        verksamhet: l.verksamhet.clone(),
                        belopp: l.belopp,
                        text: Some(format!("omappat {slag} {code}")),
                        verifikation: l.verifikation.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    if !unmapped.codes.is_empty() && !keep_unmapped {
        for ((slag, code), (line, n, amount)) in &unmapped.codes {
            problems.add(
                Some(*line),
                Some(slag),
                Some(code),
                format!(
                    "{} ({n} {}, summa {}); rätta mappningen eller importera med --omappat för att lägga \
                     raderna under {OMAPPAT}",
                    if *slag == "ansvar" {
                        "en känd kod i organisationsträdet, direkt eller via mappningen"
                    } else {
                        "en kod som mappningen täcker"
                    },
                    if *n == 1 { "rad" } else { "rader" },
                    amount.fmt_kr()
                ),
            );
        }
        return Ok((Outcome::Refused(problems), info));
    }
    info.omappat = unmapped
        .codes
        .iter()
        .map(|((slag, code), (_, n, amount))| format!("{slag} {code}: {n} rader, {}", amount.fmt_kr()))
        .collect();
    // SIE transactions are summed per month, account, ansvar, verksamhet,
    // text and verification (so the ledger-line page can show each
    // verification with its text).
    if aggregate {
        type Key = (Period, String, String, String, Option<String>, Option<String>);
        let mut sums: BTreeMap<Key, Money> = BTreeMap::new();
        for r in rows.drain(..) {
            *sums
                .entry((r.period, r.konto, r.ansvar, r.verksamhet, r.text, r.verifikation))
                .or_insert(Money::ZERO) += r.belopp;
        }
        rows = sums
            .into_iter()
            .map(
                |((period, konto, ansvar, verksamhet, text, verifikation), belopp)| Huvudboksrad {
                    period,
                    konto,
                    ansvar,
                    verksamhet,
                    belopp,
                    text,
                    verifikation,
                },
            )
            .collect();
    }
    let tx = store.begin()?;
    let import_id = tx.log_import(kind.name(), &name, &sha, 0, &opts.timestamp)?;
    // PostgreSQL: the lines are written many at a time (every line is new).
    tx.batch_rows();
    for r in &rows {
        tx.insert_huvudbok(r, import_id)?;
    }
    tx.flush_rows()?;
    for (k, n) in &konton {
        tx.upsert_konto(k, n, import_id)?;
    }
    tx.finish_import(import_id, lines.len() as i64, rows.len() as i64)?;
    opts.audit(&tx, kind, &name, lines.len(), rows.len())?;
    if opts.dry_run {
        drop(tx);
    } else {
        tx.commit()?;
    }
    Ok((
        Outcome::Imported {
            rows: lines.len(),
            added: rows.len(),
            new_brukare: 0,
            encoding,
            unused_columns: Vec::new(),
        },
        info,
    ))
}
