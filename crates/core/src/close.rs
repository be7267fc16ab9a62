//! Month close (docs/manadsstangning.md): what changed between two drafts
//! of a month's settlement, the posting rules (docs/format/konteringsregler.md),
//! the month's verifications and the SIE 4I booking file.

use crate::model::Regiform;
use crate::num::{Money, Qty};
use crate::period::Period;
use crate::rules::settle::Settlement;
use crate::sie::ObjectRef;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

// ------------------------------------------------------------------ diff

/// An amount of one provider and service that differs between two drafts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmountChange {
    pub utforare: String,
    pub insats: String,
    pub fore: Money,
    pub efter: Money,
}

/// A volume (per unit: `timmar`, `dygn`, …) that differs between two drafts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeChange {
    pub utforare: String,
    pub insats: String,
    pub enhet: String,
    pub fore: Qty,
    pub efter: Qty,
}

/// What changed since the last draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub belopp: Vec<AmountChange>,
    pub volymer: Vec<VolumeChange>,
    /// Model versions used now but not in the draft.
    pub nya_modeller: Vec<String>,
    /// Model versions of the draft not used now.
    pub borttagna_modeller: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.belopp.is_empty()
            && self.volymer.is_empty()
            && self.nya_modeller.is_empty()
            && self.borttagna_modeller.is_empty()
    }
}

type Key = (String, String);

fn amounts(s: &Settlement) -> BTreeMap<Key, Money> {
    let mut m = BTreeMap::new();
    for p in &s.utforare {
        for t in &p.tjanster {
            *m.entry((p.utforare.clone(), t.insats.clone())).or_insert(Money::ZERO) += t.belopp;
        }
    }
    m
}

fn volumes(s: &Settlement) -> BTreeMap<(String, String, String), Qty> {
    let mut m = BTreeMap::new();
    for p in &s.utforare {
        for t in &p.tjanster {
            for l in &t.rader {
                // Percentage lines are on an amount, not a volume.
                if l.procent.is_some() || l.enhet == "kr" {
                    continue;
                }
                let e = m
                    .entry((p.utforare.clone(), t.insats.clone(), l.enhet.clone()))
                    .or_insert(Qty::ZERO);
                *e = Qty::from_hundredths(e.hundredths() + l.volym.hundredths());
            }
        }
    }
    m
}

/// What differs between the draft `before` and the settlement `now`: per
/// provider and service the amount and the volume per unit, and the model
/// versions used.
pub fn changes(before: &Settlement, now: &Settlement) -> Changes {
    let mut c = Changes::default();
    let (a, b) = (amounts(before), amounts(now));
    let keys: BTreeSet<&Key> = a.keys().chain(b.keys()).collect();
    for k in keys {
        let (f, e) = (
            a.get(k).copied().unwrap_or(Money::ZERO),
            b.get(k).copied().unwrap_or(Money::ZERO),
        );
        if f != e {
            c.belopp.push(AmountChange {
                utforare: k.0.clone(),
                insats: k.1.clone(),
                fore: f,
                efter: e,
            });
        }
    }
    let (a, b) = (volumes(before), volumes(now));
    let keys: BTreeSet<&(String, String, String)> = a.keys().chain(b.keys()).collect();
    for k in keys {
        let (f, e) = (
            a.get(k).copied().unwrap_or(Qty::ZERO),
            b.get(k).copied().unwrap_or(Qty::ZERO),
        );
        if f != e {
            c.volymer.push(VolumeChange {
                utforare: k.0.clone(),
                insats: k.1.clone(),
                enhet: k.2.clone(),
                fore: f,
                efter: e,
            });
        }
    }
    let (mb, mn): (BTreeSet<&String>, BTreeSet<&String>) = (
        before.modellversioner.iter().collect(),
        now.modellversioner.iter().collect(),
    );
    c.nya_modeller = mn.difference(&mb).map(|s| s.to_string()).collect();
    c.borttagna_modeller = mb.difference(&mn).map(|s| s.to_string()).collect();
    c
}

// --------------------------------------------------------- posting rules

/// Most rows a posting-rule file may have.
pub const MAX_RULE_ROWS: usize = 10_000;

/// The posting rules: the purchaser's ansvar object, each provider's
/// counter account (income for own units, payable for external providers)
/// and ansvar object, each service's cost account and verksamhet object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostingRules {
    pub bestallare: String,
    /// Provider → (account, ansvar object (empty: none), line).
    pub utforare: BTreeMap<String, (String, String, usize)>,
    /// Service → (account, verksamhet object (empty: none), line).
    pub insatser: BTreeMap<String, (String, String, usize)>,
    /// Account → name (optional `kontonamn` rows).
    pub kontonamn: BTreeMap<String, String>,
}

/// A problem of a posting-rule file or of the booking: the line (0: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleProblem {
    pub rad: usize,
    pub fel: String,
}

impl RuleProblem {
    pub fn render(&self, file: &str) -> String {
        if self.rad == 0 {
            format!("{file}: {}", self.fel)
        } else {
            format!("{file} rad {}: {}", self.rad, self.fel)
        }
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= crate::limits::CODE_MAX && !s.chars().any(|c| c.is_control() || c == '"')
}

/// Reads a posting-rule file: `slag;kod;konto;objekt;namn` rows (docs/format/konteringsregler.md),
/// `#` comments and blank lines ignored; the first non-comment row may be the header.
pub fn parse_rules(text: &str) -> Result<PostingRules, Vec<RuleProblem>> {
    use crate::limits::{shown, NAME_MAX};
    // An account name goes into the SIE file's #KONTO line: bounded.
    let long_name = |namn: &str| {
        (namn.chars().count() > NAME_MAX).then(|| {
            format!(
                "kolumn namn: värdet \"{}\", förväntade ett kontonamn på högst {NAME_MAX} tecken",
                shown(namn)
            )
        })
    };
    let mut r = PostingRules::default();
    let mut problems = Vec::new();
    let mut bad = |rad: usize, fel: String| problems.push(RuleProblem { rad, fel });
    let mut rows = 0usize;
    for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let rad = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        rows += 1;
        if rows > MAX_RULE_ROWS {
            bad(rad, format!("högst {MAX_RULE_ROWS} rader"));
            break;
        }
        let f: Vec<&str> = line.split(';').map(str::trim).collect();
        let slag = crate::model::fold(f[0]);
        if rows == 1 && slag == "slag" {
            continue;
        }
        let get = |j: usize| f.get(j).copied().unwrap_or("");
        let (kod, konto, objekt, namn) = (get(1), get(2), get(3), get(4));
        match slag.as_str() {
            "bestallare" => {
                if !is_code(kod) {
                    bad(
                        rad,
                        format!(
                            "kolumn kod: värdet \"{}\", förväntade beställarens ansvarskod",
                            shown(kod)
                        ),
                    );
                } else if !r.bestallare.is_empty() {
                    bad(rad, "beställaren står redan på en tidigare rad".into());
                } else {
                    r.bestallare = kod.to_string();
                }
            }
            "utforare" | "insats" => {
                let what = if slag == "utforare" { "utföraren" } else { "insatsen" };
                if !is_code(kod) {
                    bad(
                        rad,
                        format!("kolumn kod: värdet \"{}\", förväntade koden för {what}", shown(kod)),
                    );
                    continue;
                }
                if !is_code(konto) || !konto.chars().all(|c| c.is_ascii_digit()) {
                    bad(
                        rad,
                        format!(
                            "kolumn konto: värdet \"{}\", förväntade ett kontonummer (siffror) för {what} {kod}",
                            shown(konto)
                        ),
                    );
                    continue;
                }
                if !objekt.is_empty() && !is_code(objekt) {
                    bad(
                        rad,
                        format!("kolumn objekt: värdet \"{}\", förväntade en objektkod", shown(objekt)),
                    );
                    continue;
                }
                if let Some(fel) = long_name(namn) {
                    bad(rad, fel);
                    continue;
                }
                let map = if slag == "utforare" {
                    &mut r.utforare
                } else {
                    &mut r.insatser
                };
                if let Some((_, _, first)) = map.get(kod) {
                    bad(rad, format!("{what} {kod} står redan på rad {first}"));
                    continue;
                }
                map.insert(kod.to_string(), (konto.to_string(), objekt.to_string(), rad));
                if !namn.is_empty() {
                    r.kontonamn.insert(konto.to_string(), namn.to_string());
                }
            }
            "kontonamn" => {
                if !is_code(kod) {
                    bad(
                        rad,
                        format!("kolumn kod: värdet \"{}\", förväntade ett kontonummer", shown(kod)),
                    );
                } else if let Some(fel) = long_name(namn) {
                    bad(rad, fel);
                } else {
                    r.kontonamn.insert(kod.to_string(), get(4).to_string());
                }
            }
            _ => bad(
                rad,
                format!(
                    "kolumn slag: värdet \"{}\", förväntade bestallare, utforare, insats eller kontonamn",
                    shown(f[0])
                ),
            ),
        }
    }
    if r.bestallare.is_empty() && problems.is_empty() {
        problems.push(RuleProblem {
            rad: 0,
            fel: "en rad bestallare;ANSVAR (beställarens ansvar för kostnaden) saknas".into(),
        });
    }
    if problems.is_empty() {
        Ok(r)
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------- verifications

/// One transaction line of a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookTrans {
    pub konto: String,
    pub objekt: Vec<ObjectRef>,
    pub belopp: Money,
    pub text: String,
}

/// One verification: one provider of the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookVer {
    pub nr: u32,
    pub datum: NaiveDate,
    pub utforare: String,
    pub text: String,
    pub trans: Vec<BookTrans>,
}

/// A correction of a locked month, booked in an open month as an explicit
/// line of the provider's verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    /// The locked month it corrects.
    pub avser: Period,
    pub utforare: String,
    pub insats: String,
    pub belopp: Money,
    pub text: String,
}

impl Adjustment {
    /// The line's text: `rättelse avser 2026-03: …`.
    pub fn line_text(&self) -> String {
        format!("rättelse avser {}: {}", self.avser, self.text)
    }
}

/// The SIE dimension of ansvar (as the ledger import reads it).
pub const DIM_ANSVAR: u32 = 1;
/// The SIE dimension of verksamhet.
pub const DIM_VERKSAMHET: u32 = 6;
/// The verification series of Resurs's booking files.
pub const SERIE: &str = "R";

/// The month's verifications: per provider with an amount, a cost line per
/// service (the purchaser's cost account, ansvar and verksamhet objects)
/// and the counter line (the provider's income account with its ansvar for
/// own units, the payable account for external providers). Every provider
/// and service must have an account; the refusal names them.
/// `ansvar_of` gives a provider's unit (used when the rule has no object).
pub fn verifications(
    s: &Settlement,
    adjustments: &[Adjustment],
    rules: &PostingRules,
    ansvar_of: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<BookVer>, Vec<RuleProblem>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let datum = s.period.last_day();
    for a in adjustments {
        if !s.utforare.iter().any(|p| p.utforare == a.utforare) {
            problems.push(RuleProblem {
                rad: 0,
                fel: format!(
                    "{} för utföraren {}: utföraren har ingen avräkning {}",
                    a.line_text(),
                    a.utforare,
                    s.period
                ),
            });
        }
    }
    for p in &s.utforare {
        let adj: Vec<&Adjustment> = adjustments.iter().filter(|a| a.utforare == p.utforare).collect();
        if adj.is_empty() && p.belopp == Money::ZERO && p.tjanster.iter().all(|t| t.belopp == Money::ZERO) {
            continue;
        }
        let Some((motkonto, obj, _)) = rules.utforare.get(&p.utforare) else {
            problems.push(RuleProblem {
                rad: 0,
                fel: format!(
                    "utföraren {} {} har inget konto; lägg till en rad utforare;{};KONTO;ANSVAR",
                    p.utforare, p.namn, p.utforare
                ),
            });
            continue;
        };
        let own = Regiform::parse_sv(&p.regiform).is_some_and(Regiform::is_own);
        let mut trans = Vec::new();
        for t in p.tjanster.iter().filter(|t| t.belopp != Money::ZERO) {
            let Some((konto, verks, _)) = rules.insatser.get(&t.insats) else {
                problems.push(RuleProblem {
                    rad: 0,
                    fel: format!(
                        "insatsen {} (utföraren {}) har inget kostnadskonto; lägg till en rad insats;{};KONTO;VERKSAMHET",
                        t.insats, p.utforare, t.insats
                    ),
                });
                continue;
            };
            let mut objekt = vec![(DIM_ANSVAR, rules.bestallare.clone())];
            if !verks.is_empty() {
                objekt.push((DIM_VERKSAMHET, verks.clone()));
            }
            trans.push(BookTrans {
                konto: konto.clone(),
                objekt,
                belopp: t.belopp,
                text: t.insats.clone(),
            });
        }
        for a in adj {
            let Some((konto, verks, _)) = rules.insatser.get(&a.insats) else {
                problems.push(RuleProblem {
                    rad: 0,
                    fel: format!(
                        "insatsen {} ({}, utföraren {}) har inget kostnadskonto; lägg till en rad insats;{};KONTO;VERKSAMHET",
                        a.insats,
                        a.line_text(),
                        p.utforare,
                        a.insats
                    ),
                });
                continue;
            };
            let mut objekt = vec![(DIM_ANSVAR, rules.bestallare.clone())];
            if !verks.is_empty() {
                objekt.push((DIM_VERKSAMHET, verks.clone()));
            }
            trans.push(BookTrans {
                konto: konto.clone(),
                objekt,
                belopp: a.belopp,
                text: a.line_text(),
            });
        }
        let sum: Money = trans.iter().map(|t| t.belopp).sum();
        let ansvar = if obj.is_empty() {
            ansvar_of(&p.utforare)
        } else {
            Some(obj.clone())
        };
        let objekt = match (own, ansvar) {
            (true, Some(a)) => vec![(DIM_ANSVAR, a)],
            _ => Vec::new(),
        };
        trans.push(BookTrans {
            konto: motkonto.clone(),
            objekt,
            belopp: Money::ZERO - sum,
            text: p.utforare.clone(),
        });
        let kind = if own { "Intern ersättning" } else { "Ersättning" };
        out.push(BookVer {
            nr: out.len() as u32 + 1,
            datum,
            utforare: p.utforare.clone(),
            text: format!("{kind} {} {} {}", s.period, p.utforare, p.namn),
            trans,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

// ------------------------------------------------------------------ SIE 4I

/// What a booking file says about itself.
#[derive(Debug, Clone)]
pub struct SieHeader<'a> {
    pub program: &'a str,
    pub version: &'a str,
    pub gen: NaiveDate,
    pub fnamn: &'a str,
    pub period: Period,
}

/// A character as CP437 (PC8), `?` for one the code page lacks.
fn cp437(c: char) -> u8 {
    if (c as u32) < 0x80 {
        return c as u8;
    }
    crate::sie::CP437_HIGH
        .iter()
        .position(|&h| h == c)
        .map_or(b'?', |i| 0x80 + i as u8)
}

fn quote(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    format!("\"{clean}\"")
}

fn amount(m: Money) -> String {
    let o = m.ore();
    let sign = if o < 0 { "-" } else { "" };
    let a = o.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The SIE 4I text (verifications to import into a finance system).
pub fn sie_text(h: &SieHeader<'_>, rules: &PostingRules, vers: &[BookVer]) -> String {
    use std::fmt::Write;
    let mut t = String::new();
    let _ = writeln!(t, "#FLAGGA 0");
    let _ = writeln!(t, "#FORMAT PC8");
    let _ = writeln!(t, "#SIETYP 4");
    let _ = writeln!(t, "#PROGRAM {} {}", quote(h.program), quote(h.version));
    let _ = writeln!(t, "#GEN {}", ymd(h.gen));
    let _ = writeln!(t, "#FNAMN {}", quote(h.fnamn));
    let year = h.period.first_day().format("%Y").to_string();
    let _ = writeln!(t, "#RAR 0 {year}0101 {year}1231");
    let mut konton = BTreeSet::new();
    let mut objekt = BTreeSet::new();
    for v in vers {
        for tr in &v.trans {
            konton.insert(tr.konto.clone());
            for o in &tr.objekt {
                objekt.insert(o.clone());
            }
        }
    }
    for k in &konton {
        let namn = rules.kontonamn.get(k).map_or(k.as_str(), String::as_str);
        let _ = writeln!(t, "#KONTO {k} {}", quote(namn));
    }
    let _ = writeln!(t, "#DIM {DIM_ANSVAR} \"Ansvar\"");
    let _ = writeln!(t, "#DIM {DIM_VERKSAMHET} \"Verksamhet\"");
    for (d, o) in &objekt {
        let _ = writeln!(t, "#OBJEKT {d} {} {}", quote(o), quote(o));
    }
    for v in vers {
        let _ = writeln!(
            t,
            "#VER {SERIE} {} {} {} {}",
            v.nr,
            ymd(v.datum),
            quote(&v.text),
            ymd(h.gen)
        );
        let _ = writeln!(t, "{{");
        for tr in &v.trans {
            let objs: Vec<String> = tr.objekt.iter().map(|(d, o)| format!("{d} {}", quote(o))).collect();
            let _ = writeln!(
                t,
                "   #TRANS {} {{{}}} {} {} {}",
                tr.konto,
                objs.join(" "),
                amount(tr.belopp),
                ymd(v.datum),
                quote(&tr.text)
            );
        }
        let _ = writeln!(t, "}}");
    }
    t
}

/// The SIE text as PC8 (CP437) bytes, CRLF line ends as the standard has them.
pub fn sie_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 20);
    for c in text.chars() {
        if c == '\n' {
            out.extend_from_slice(b"\r\n");
        } else {
            out.push(cp437(c));
        }
    }
    out
}

/// The booking as CSV (semicolons, decimal comma): one line per transaction.
pub fn csv_text(vers: &[BookVer]) -> String {
    let esc = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([';', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut t = String::from("verifikation;datum;konto;ansvar;verksamhet;belopp;text;verifikationstext\n");
    for v in vers {
        for tr in &v.trans {
            let obj = |d: u32| {
                tr.objekt
                    .iter()
                    .find(|(x, _)| *x == d)
                    .map_or(String::new(), |(_, o)| o.clone())
            };
            t.push_str(&format!(
                "{};{};{};{};{};{};{};{}\n",
                v.nr,
                v.datum,
                esc(&tr.konto),
                esc(&obj(DIM_ANSVAR)),
                esc(&obj(DIM_VERKSAMHET)),
                amount(tr.belopp).replace('.', ","),
                esc(&tr.text),
                esc(&v.text)
            ));
        }
    }
    t
}

/// Reads a booking file back (with [`crate::sie::parse`]) and gives each
/// provider's booked amount: the negated counter line of its verification
/// (the transaction whose text is the provider code), checking that every
/// verification balances and that its cost lines sum to it.
pub fn read_back(sie: &crate::sie::SieFile) -> Result<BTreeMap<String, Money>, String> {
    let mut out = BTreeMap::new();
    for v in &sie.ver {
        let total: Money = v.trans.iter().map(|t| t.belopp).sum();
        if total != Money::ZERO {
            return Err(format!("verifikation {} balanserar inte ({total})", v.nr));
        }
        let Some(last) = v.trans.last() else {
            return Err(format!("verifikation {} saknar transaktioner", v.nr));
        };
        let kod = last.text.clone().unwrap_or_default();
        out.insert(kod, Money::ZERO - last.belopp);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_without_an_account_are_refused_with_their_line() {
        let e =
            parse_rules("slag;kod;konto;objekt\nbestallare;100\nutforare;U1;;711\ninsats;HT;4610;510\n").unwrap_err();
        assert_eq!(e[0].rad, 3, "{e:?}");
        assert!(e[0].fel.contains("kolumn konto"), "{e:?}");
        let ok = parse_rules("bestallare;100\nutforare;U1;3510;711;Interna intäkter\ninsats;HT;4610;510\n").unwrap();
        assert_eq!(ok.utforare["U1"].0, "3510");
        assert_eq!(ok.kontonamn["3510"], "Interna intäkter");
    }

    #[test]
    fn sie_text_is_pc8_and_reads_back() {
        let rules = parse_rules("bestallare;100\nutforare;U1;3510;711\ninsats;HT;4610;510\n").unwrap();
        let v = BookVer {
            nr: 1,
            datum: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            utforare: "U1".into(),
            text: "Intern ersättning 2026-03 U1 Åsa hemtjänst".into(),
            trans: vec![
                BookTrans {
                    konto: "4610".into(),
                    objekt: vec![(1, "100".into()), (6, "510".into())],
                    belopp: Money::from_ore(123_456),
                    text: "HT".into(),
                },
                BookTrans {
                    konto: "3510".into(),
                    objekt: vec![(1, "711".into())],
                    belopp: Money::from_ore(-123_456),
                    text: "U1".into(),
                },
            ],
        };
        let h = SieHeader {
            program: "Resurs",
            version: "1",
            gen: NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
            fnamn: "Exempelstad",
            period: Period::new(2026, 3).unwrap(),
        };
        let bytes = sie_bytes(&sie_text(&h, &rules, &[v]));
        assert!(std::str::from_utf8(&bytes).is_err(), "PC8, not UTF-8");
        assert!(bytes.windows(2).any(|w| w == [0x8f, b's']), "Å as CP437 0x8F");
        let (text, enc) = crate::sie::decode(&bytes);
        assert_eq!(enc, "PC8 (CP437)");
        let f = crate::sie::parse(&text).unwrap();
        assert_eq!(f.ver[0].text, "Intern ersättning 2026-03 U1 Åsa hemtjänst");
        assert_eq!(read_back(&f).unwrap()["U1"], Money::from_ore(123_456));
    }

    /// Found by probing: a provider's account name had no length limit
    /// (it is written into the SIE file's #KONTO line), and messages quoted
    /// a value whole.
    #[test]
    fn a_long_name_or_value_in_posting_rules_is_refused_briefly() {
        let long = "n".repeat(100_000);
        let text = format!("bestallare;VON\nutforare;711;3510;;{long}\nkontonamn;4610;;;{long}\nslag{long};x\n");
        let p = parse_rules(&text).unwrap_err();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].fel.starts_with("kolumn namn: värdet \"nnnn"), "{p:?}");
        assert!(p[1].fel.starts_with("kolumn namn:"), "{p:?}");
        assert!(p.iter().all(|x| x.fel.chars().count() < 200), "{p:?}");
        assert_eq!((p[0].rad, p[1].rad, p[2].rad), (2, 3, 4));
    }
}
