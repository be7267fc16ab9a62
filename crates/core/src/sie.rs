//! SIE 4 (*klassisk SIE*, typ 4) as Swedish finance systems export it: the
//! parts Resurs needs for the ledger.
//!
//! - Encoding: the standard prescribes PC8 (code page 437). A file that is
//!   valid UTF-8 is read as UTF-8 (many systems write UTF-8 today); any other
//!   file is decoded as CP437, so å, ä and ö come out right either way.
//! - A line is a label (`#VER`) and fields separated by spaces or tabs.
//!   Fields may be quoted (`"Hemtjänst \"Centrum\""`); object lists are in
//!   braces (`{1 "711" 6 "510"}`); amounts use a decimal point.
//! - Read: `#FLAGGA`, `#FORMAT`, `#SIETYP`, `#PROGRAM`, `#GEN`, `#FNAMN`,
//!   `#RAR`, `#KONTO`, `#DIM`, `#UNDERDIM`, `#OBJEKT`, `#IB`, `#UB`, `#RES`,
//!   `#PSALDO`, `#VER` with `#TRANS`. `#RTRANS` (added) and `#BTRANS`
//!   (removed) are skipped: the standard has every added transaction also
//!   written as a `#TRANS` right after it. Labels the standard allows but
//!   Resurs does not use are counted and ignored, as the standard asks.
//! - Problems carry the line number, the label and the value.

use crate::num::{Money, NumError};
use crate::period::Period;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Code page 437, bytes 0x80–0xFF.
pub(crate) const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', 'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û',
    'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', 'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡',
    '«', '»', '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', '└', '┴', '┬', '├', '─',
    '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█',
    '▄', '▌', '▐', '▀', 'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', '≡', '±', '≥',
    '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

/// The text of a SIE file and the encoding it was read with.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.trim_start_matches('\u{feff}').to_string(), "UTF-8"),
        Err(_) => (
            bytes
                .iter()
                .map(|&b| {
                    if b < 0x80 {
                        b as char
                    } else {
                        CP437_HIGH[(b - 0x80) as usize]
                    }
                })
                .collect(),
            "PC8 (CP437)",
        ),
    }
}

/// A dimension number and object code (`{1 "711"}`).
pub type ObjectRef = (u32, String);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trans {
    pub rad: usize,
    pub konto: String,
    pub objekt: Vec<ObjectRef>,
    pub belopp: Money,
    pub datum: Option<NaiveDate>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ver {
    pub rad: usize,
    pub serie: String,
    pub nr: String,
    pub datum: NaiveDate,
    pub text: String,
    pub trans: Vec<Trans>,
}

/// A period balance (`#PSALDO`): the account's movement in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Psaldo {
    pub rad: usize,
    pub ar: i32,
    pub period: Period,
    pub konto: String,
    pub objekt: Vec<ObjectRef>,
    pub belopp: Money,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SieFile {
    pub format: Option<String>,
    pub sietyp: Option<String>,
    pub program: Option<String>,
    pub fnamn: Option<String>,
    /// Year index (0 = current, −1 = previous) → first and last day.
    pub rar: BTreeMap<i32, (NaiveDate, NaiveDate)>,
    pub konton: BTreeMap<String, String>,
    pub dimensioner: BTreeMap<u32, String>,
    pub objekt: BTreeMap<ObjectRef, String>,
    pub ver: Vec<Ver>,
    pub psaldo: Vec<Psaldo>,
    /// `#RES`: (year index, account, amount) for the whole year.
    pub res: Vec<(i32, String, Money)>,
    /// `#IB`/`#UB` lines (balance sheet; not used by follow-up).
    pub balansrader: usize,
    /// Labels read but not used, with their count.
    pub ignorerade: BTreeMap<String, usize>,
}

/// A problem in a SIE file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SieProblem {
    pub rad: usize,
    pub post: String,
    pub varde: String,
    pub fel: String,
}

impl SieProblem {
    pub fn render(&self) -> String {
        if self.varde.is_empty() {
            format!("rad {}, {}: {}", self.rad, self.post, self.fel)
        } else {
            format!(
                "rad {}, {}, värdet \"{}\": {}",
                self.rad, self.post, self.varde, self.fel
            )
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Text(String),
    Objects(Vec<String>),
}

/// Splits a line into fields: quoted strings, braces, plain words.
fn tokenize(line: &str) -> Result<Vec<Token>, &'static str> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    let mut in_braces: Option<Vec<String>> = None;
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        if c == '{' {
            if in_braces.is_some() {
                return Err("klammer inne i en objektlista");
            }
            chars.next();
            in_braces = Some(Vec::new());
            continue;
        }
        if c == '}' {
            chars.next();
            match in_braces.take() {
                Some(list) => out.push(Token::Objects(list)),
                None => return Err("avslutande klammer utan början"),
            }
            continue;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            word.push(n);
                        }
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => word.push(c),
                }
            }
            if !closed {
                return Err("citattecken som inte avslutas");
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '{' || c == '}' || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        match &mut in_braces {
            Some(list) => list.push(word),
            None => out.push(Token::Text(word)),
        }
    }
    if in_braces.is_some() {
        return Err("objektlista som inte avslutas med }");
    }
    Ok(out)
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(s[..4].parse().ok()?, s[4..6].parse().ok()?, s[6..].parse().ok()?)
}

fn parse_period(s: &str) -> Option<Period> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Period::new(s[..4].parse().ok()?, s[4..].parse().ok()?)
}

/// An amount with a decimal point (`-1234.50`), at most two decimals.
fn parse_amount(s: &str) -> Result<Money, &'static str> {
    if s.contains(',') {
        return Err("ett belopp med decimalpunkt, t.ex. -1234.50 (SIE använder punkt)");
    }
    Money::parse_sv(&s.replace('.', ",")).map_err(|e| match e {
        NumError::TooManyDecimals => "ett belopp med högst två decimaler",
        NumError::TooLarge => "ett belopp mellan -1000000000000 och 1000000000000 (gränsen per belopp)",
        _ => "ett belopp med decimalpunkt, t.ex. -1234.50",
    })
}

fn objects(list: &[String]) -> Result<Vec<ObjectRef>, &'static str> {
    if !list.len().is_multiple_of(2) {
        return Err("par av dimensionsnummer och objektkod, t.ex. {1 \"711\"}");
    }
    list.chunks(2)
        .map(|p| {
            p[0].parse::<u32>()
                .map(|d| (d, p[1].clone()))
                .map_err(|_| "ett dimensionsnummer (heltal) först i varje par")
        })
        .collect()
}

struct Reader {
    file: SieFile,
    problems: Vec<SieProblem>,
    open_ver: Option<Ver>,
    in_block: bool,
}

impl Reader {
    fn problem(&mut self, rad: usize, post: &str, varde: &str, fel: impl Into<String>) {
        self.problems.push(SieProblem {
            rad,
            post: post.to_string(),
            varde: varde.to_string(),
            fel: fel.into(),
        });
    }

    fn text<'a>(&mut self, rad: usize, post: &str, t: &'a [Token], i: usize, what: &str) -> Option<&'a str> {
        match t.get(i) {
            Some(Token::Text(s)) => Some(s),
            Some(Token::Objects(_)) => {
                self.problem(rad, post, "{…}", format!("förväntade {what}, inte en objektlista"));
                None
            }
            None => {
                self.problem(rad, post, "", format!("fältet {what} saknas"));
                None
            }
        }
    }

    fn close_ver(&mut self, rad: usize) {
        if let Some(v) = self.open_ver.take() {
            let sum: Money = v.trans.iter().map(|t| t.belopp).sum();
            if sum != Money::ZERO {
                self.problem(
                    v.rad,
                    "#VER",
                    &format!("{} {}", v.serie, v.nr),
                    format!(
                        "en verifikation som balanserar; transaktionerna summerar till {} (slutar på rad {rad})",
                        sum.fmt_kr()
                    ),
                );
            }
            self.file.ver.push(v);
        }
    }

    fn line(&mut self, rad: usize, raw: &str) {
        let line = raw.trim();
        if line.is_empty() {
            return;
        }
        if line == "{" {
            if self.open_ver.is_none() || self.in_block {
                self.problem(rad, "{", "", "en { direkt efter en #VER-rad");
            }
            self.in_block = true;
            return;
        }
        if line == "}" {
            if !self.in_block {
                self.problem(rad, "}", "", "en } som avslutar ett #VER-block");
            }
            self.in_block = false;
            self.close_ver(rad);
            return;
        }
        let tokens = match tokenize(line) {
            Ok(t) => t,
            Err(e) => {
                let label = line.split_whitespace().next().unwrap_or("");
                self.problem(rad, label, "", format!("raden kan inte läsas: {e}"));
                return;
            }
        };
        let Some(Token::Text(label)) = tokens.first() else {
            return;
        };
        if !label.starts_with('#') {
            self.problem(rad, label, "", "en rad som börjar med en post, t.ex. #TRANS");
            return;
        }
        let label = label.to_ascii_uppercase();
        let f = &tokens[1..];
        if label != "#TRANS" && label != "#RTRANS" && label != "#BTRANS" && self.in_block {
            self.problem(rad, &label, "", "#TRANS inne i ett #VER-block (saknas en } ?)");
            return;
        }
        if label != "#VER" && self.open_ver.is_some() && !self.in_block {
            self.problem(rad, &label, "", "en { efter #VER-raden");
            self.open_ver = None;
        }
        match label.as_str() {
            "#FLAGGA" | "#GEN" | "#KPTYP" | "#VALUTA" | "#ORGNR" | "#ADRESS" | "#FTYP" | "#TAXAR" | "#SRU"
            | "#UNDERDIM" | "#KTYP" | "#ENHET" | "#OIB" | "#OUB" | "#PBUDGET" | "#OMFATTN" | "#PROSA" | "#BKOD"
            | "#FNR" => {
                *self.file.ignorerade.entry(label).or_default() += 1;
            }
            "#FORMAT" => self.file.format = self.text(rad, &label, f, 0, "format").map(String::from),
            "#SIETYP" => self.file.sietyp = self.text(rad, &label, f, 0, "typ").map(String::from),
            "#PROGRAM" => self.file.program = self.text(rad, &label, f, 0, "program").map(String::from),
            "#FNAMN" => self.file.fnamn = self.text(rad, &label, f, 0, "namn").map(String::from),
            "#RAR" => {
                let (Some(i), Some(a), Some(b)) = (
                    self.text(rad, &label, f, 0, "årsnummer"),
                    self.text(rad, &label, f, 1, "startdatum"),
                    self.text(rad, &label, f, 2, "slutdatum"),
                ) else {
                    return;
                };
                match (i.parse::<i32>(), parse_date(a), parse_date(b)) {
                    (Ok(i), Some(a), Some(b)) if a <= b => {
                        self.file.rar.insert(i, (a, b));
                    }
                    (Err(_), _, _) => self.problem(rad, &label, i, "ett årsnummer (0, -1, …)"),
                    _ => self.problem(rad, &label, &format!("{a} {b}"), "två datum ÅÅÅÅMMDD, start före slut"),
                }
            }
            "#KONTO" => {
                if let (Some(k), Some(n)) = (
                    self.text(rad, &label, f, 0, "kontonummer"),
                    self.text(rad, &label, f, 1, "kontonamn"),
                ) {
                    self.file.konton.insert(k.to_string(), n.to_string());
                }
            }
            "#DIM" => {
                if let (Some(d), Some(n)) = (
                    self.text(rad, &label, f, 0, "dimensionsnummer"),
                    self.text(rad, &label, f, 1, "namn"),
                ) {
                    match d.parse::<u32>() {
                        Ok(d) => {
                            self.file.dimensioner.insert(d, n.to_string());
                        }
                        Err(_) => self.problem(rad, &label, d, "ett dimensionsnummer (heltal)"),
                    }
                }
            }
            "#OBJEKT" => {
                if let (Some(d), Some(k), Some(n)) = (
                    self.text(rad, &label, f, 0, "dimensionsnummer"),
                    self.text(rad, &label, f, 1, "objektkod"),
                    self.text(rad, &label, f, 2, "namn"),
                ) {
                    match d.parse::<u32>() {
                        Ok(d) => {
                            self.file.objekt.insert((d, k.to_string()), n.to_string());
                        }
                        Err(_) => self.problem(rad, &label, d, "ett dimensionsnummer (heltal)"),
                    }
                }
            }
            "#IB" | "#UB" => self.file.balansrader += 1,
            "#RES" => {
                let (Some(i), Some(k), Some(b)) = (
                    self.text(rad, &label, f, 0, "årsnummer"),
                    self.text(rad, &label, f, 1, "konto"),
                    self.text(rad, &label, f, 2, "belopp"),
                ) else {
                    return;
                };
                match (i.parse::<i32>(), parse_amount(b)) {
                    (Ok(i), Ok(m)) => self.file.res.push((i, k.to_string(), m)),
                    (Err(_), _) => self.problem(rad, &label, i, "ett årsnummer (0, -1, …)"),
                    (_, Err(e)) => self.problem(rad, &label, b, e),
                }
            }
            "#PSALDO" => {
                let (Some(i), Some(p), Some(k)) = (
                    self.text(rad, &label, f, 0, "årsnummer"),
                    self.text(rad, &label, f, 1, "period"),
                    self.text(rad, &label, f, 2, "konto"),
                ) else {
                    return;
                };
                let (obj, amount_at) = match f.get(3) {
                    Some(Token::Objects(list)) => (list.clone(), 4),
                    _ => (Vec::new(), 3),
                };
                let Some(b) = self.text(rad, &label, f, amount_at, "saldo") else {
                    return;
                };
                let obj = match objects(&obj) {
                    Ok(o) => o,
                    Err(e) => return self.problem(rad, &label, &obj.join(" "), e),
                };
                match (i.parse::<i32>(), parse_period(p), parse_amount(b)) {
                    (Ok(ar), Some(period), Ok(belopp)) => self.file.psaldo.push(Psaldo {
                        rad,
                        ar,
                        period,
                        konto: k.to_string(),
                        objekt: obj,
                        belopp,
                    }),
                    (Err(_), _, _) => self.problem(rad, &label, i, "ett årsnummer (0, -1, …)"),
                    (_, None, _) => self.problem(rad, &label, p, "en period ÅÅÅÅMM"),
                    (_, _, Err(e)) => self.problem(rad, &label, b, e),
                }
            }
            "#VER" => {
                if self.open_ver.is_some() {
                    self.problem(rad, &label, "", "en { efter föregående #VER-rad");
                }
                let (Some(serie), Some(nr), Some(d)) = (
                    self.text(rad, &label, f, 0, "serie"),
                    self.text(rad, &label, f, 1, "verifikationsnummer"),
                    self.text(rad, &label, f, 2, "datum"),
                ) else {
                    self.open_ver = None;
                    return;
                };
                let text = match f.get(3) {
                    Some(Token::Text(t)) => t.clone(),
                    _ => String::new(),
                };
                match parse_date(d) {
                    Some(datum) => {
                        self.open_ver = Some(Ver {
                            rad,
                            serie: serie.to_string(),
                            nr: nr.to_string(),
                            datum,
                            text,
                            trans: Vec::new(),
                        })
                    }
                    None => {
                        self.problem(rad, &label, d, "ett datum ÅÅÅÅMMDD");
                        // The block still follows; its lines are read and dropped.
                        self.open_ver = Some(Ver {
                            rad,
                            serie: serie.to_string(),
                            nr: nr.to_string(),
                            datum: NaiveDate::MIN,
                            text,
                            trans: Vec::new(),
                        });
                    }
                }
            }
            "#RTRANS" | "#BTRANS" => {
                if !self.in_block {
                    self.problem(rad, &label, "", "transaktioner står inne i ett #VER-block");
                }
                *self.file.ignorerade.entry(label).or_default() += 1;
            }
            "#TRANS" => {
                if !self.in_block {
                    self.problem(rad, &label, "", "transaktioner står inne i ett #VER-block");
                    return;
                }
                let Some(k) = self.text(rad, &label, f, 0, "konto") else {
                    return;
                };
                let obj = match f.get(1) {
                    Some(Token::Objects(list)) => list.clone(),
                    _ => {
                        return self.problem(rad, &label, "", "en objektlista efter kontot (tom: {})");
                    }
                };
                let obj = match objects(&obj) {
                    Ok(o) => o,
                    Err(e) => return self.problem(rad, &label, &obj.join(" "), e),
                };
                let Some(b) = self.text(rad, &label, f, 2, "belopp") else {
                    return;
                };
                let belopp = match parse_amount(b) {
                    Ok(m) => m,
                    Err(e) => return self.problem(rad, &label, b, e),
                };
                let datum = match f.get(3) {
                    Some(Token::Text(d)) if !d.is_empty() => match parse_date(d) {
                        Some(d) => Some(d),
                        None => return self.problem(rad, &label, d, "ett transaktionsdatum ÅÅÅÅMMDD eller \"\""),
                    },
                    _ => None,
                };
                let text = match f.get(4) {
                    Some(Token::Text(t)) if !t.is_empty() => Some(t.clone()),
                    _ => None,
                };
                if let Some(v) = &mut self.open_ver {
                    v.trans.push(Trans {
                        rad,
                        konto: k.to_string(),
                        objekt: obj,
                        belopp,
                        datum,
                        text,
                    });
                }
            }
            other => {
                *self.file.ignorerade.entry(other.to_string()).or_default() += 1;
            }
        }
    }
}

/// Reads a SIE 4 text. `Ok` only when no line had a problem.
pub fn parse(text: &str) -> Result<SieFile, Vec<SieProblem>> {
    let mut r = Reader {
        file: SieFile::default(),
        problems: Vec::new(),
        open_ver: None,
        in_block: false,
    };
    let mut last = 0;
    for (i, line) in text.lines().enumerate() {
        r.line(i + 1, line);
        last = i + 1;
    }
    if r.in_block || r.open_ver.is_some() {
        let at = r.open_ver.as_ref().map_or(last, |v| v.rad);
        r.problem(at, "#VER", "", "ett block som avslutas med } före filens slut");
    }
    if r.file.sietyp.as_deref().is_some_and(|t| t != "4") {
        let t = r.file.sietyp.clone().unwrap_or_default();
        r.problem(1, "#SIETYP", &t, "SIE typ 4 (typ 1–3 saknar verifikationer och objekt)");
    }
    // A verification with a bad date was kept only to read its block.
    r.file.ver.retain(|v| v.datum != NaiveDate::MIN);
    if r.problems.is_empty() {
        Ok(r.file)
    } else {
        Err(r.problems)
    }
}

/// Whether `bytes` look like a SIE file (its first label).
pub fn looks_like_sie(bytes: &[u8]) -> bool {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    start[first..].starts_with(b"#FLAGGA")
        || start[first..].starts_with(b"#SIETYP")
        || start[first..].starts_with(b"#PROGRAM")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A realistic export: a municipality's finance system, PC8, two
    /// dimensions (ansvar 1, verksamhet 6), three verifications.
    const FILE: &str = "#FLAGGA 0
#PROGRAM \"Ekonomisystem\" 12.4
#FORMAT PC8
#GEN 20260205
#SIETYP 4
#FNAMN \"Exempelstads kommun\"
#RAR 0 20260101 20261231
#RAR -1 20250101 20251231
#KONTO 1930 \"Bank\"
#KONTO 3510 \"Omsorgsavgifter\"
#KONTO 5011 \"Löner månadsavlönade\"
#KONTO 4610 \"Köp av huvudverksamhet\"
#DIM 1 \"Ansvar\"
#DIM 6 \"Verksamhet\"
#OBJEKT 1 \"711\" \"Hemtjänst Centrum\"
#OBJEKT 1 \"712\" \"Hemtjänst Norr\"
#OBJEKT 6 \"510\" \"Hemtjänst, ordinärt boende\"
#IB 0 1930 1000000.00
#RES 0 5011 2468.00
#PSALDO 0 202601 5011 {1 \"711\"} 1234.00
#VER A 1 20260131 \"Lön januari\" 20260205
{
#TRANS 5011 {1 \"711\" 6 \"510\"} 1234.00
#TRANS 5011 {1 \"712\" 6 \"510\"} 1234.00 20260131 \"Lön \\\"Norr\\\"\"
#TRANS 1930 {} -2468.00
}
#VER B 7 20260215 \"Avgifter\"
{
#RTRANS 3510 {1 \"711\" 6 \"510\"} -500.50
#TRANS 3510 {1 \"711\" 6 \"510\"} -500.50
#BTRANS 3510 {1 \"712\" 6 \"510\"} -500.50
#TRANS 1930 {} 500.50
}
#VER C 2 20260220 \"Köp\"
{
#TRANS 4610 {1 \"711\"} 9000.00 20260219
#TRANS 1930 {} -9000.00
}
";

    fn cp437(text: &str) -> Vec<u8> {
        text.chars()
            .map(|c| {
                if (c as u32) < 0x80 {
                    c as u8
                } else {
                    0x80 + CP437_HIGH.iter().position(|&x| x == c).expect("in CP437") as u8
                }
            })
            .collect()
    }

    #[test]
    fn reads_a_pc8_file_with_swedish_letters() {
        let bytes = cp437(FILE);
        assert!(std::str::from_utf8(&bytes).is_err(), "å/ä/ö in CP437 are not UTF-8");
        let (text, enc) = decode(&bytes);
        assert_eq!(enc, "PC8 (CP437)");
        let f = parse(&text).unwrap();
        assert_eq!(f.fnamn.as_deref(), Some("Exempelstads kommun"));
        assert_eq!(f.konton["5011"], "Löner månadsavlönade");
        assert_eq!(f.objekt[&(1, "711".to_string())], "Hemtjänst Centrum");
        assert_eq!(f.rar[&-1].0, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        assert_eq!(f.ver.len(), 3);
        // (verification, transaction, account, objects, amount in öre, date)
        let v = &f.ver[0];
        assert_eq!(v.text, "Lön januari");
        assert_eq!(v.trans[1].text.as_deref(), Some("Lön \"Norr\""));
        assert_eq!(v.trans[1].objekt, vec![(1, "712".into()), (6, "510".into())]);
        assert_eq!(f.ver[1].trans.len(), 2, "RTRANS and BTRANS are skipped");
        assert_eq!(f.ver[1].trans[0].belopp, Money::from_ore(-50_050));
        assert_eq!(f.ver[2].trans[0].datum, NaiveDate::from_ymd_opt(2026, 2, 19));
        assert_eq!(f.psaldo[0].period, Period::new(2026, 1).unwrap());
        assert_eq!(f.res[0], (0, "5011".into(), Money::from_kr(2468)));
        assert_eq!(f.balansrader, 1);
    }

    #[test]
    fn reads_the_same_file_as_utf8() {
        let (text, enc) = decode(FILE.as_bytes());
        assert_eq!(enc, "UTF-8");
        assert_eq!(parse(&text).unwrap().konton["5011"], "Löner månadsavlönade");
    }

    #[test]
    fn broken_lines_are_refused_with_line_and_label() {
        // (edit, line, label, text in the message, reason)
        let cases = [
            (
                FILE.replace(
                    "#TRANS 5011 {1 \"711\" 6 \"510\"} 1234.00",
                    "#TRANS 5011 {1 \"711\" 6 \"510\"} 1234,00",
                ),
                23,
                "#TRANS",
                "decimalpunkt",
                "decimal comma",
            ),
            (
                FILE.replace("#VER C 2 20260220", "#VER C 2 20261320"),
                34,
                "#VER",
                "ÅÅÅÅMMDD",
                "impossible date",
            ),
            (
                FILE.replace("#TRANS 1930 {} -2468.00", "#TRANS 1930 {} -2467.00"),
                21,
                "#VER",
                "balanserar",
                "unbalanced verification",
            ),
            (
                FILE.replace("#TRANS 4610 {1 \"711\"} 9000.00", "#TRANS 4610 {1 \"711} 9000.00"),
                36,
                "#TRANS",
                "citattecken",
                "unterminated quote",
            ),
            (
                FILE.replace("#TRANS 4610 {1 \"711\"} 9000.00", "#TRANS 4610 {1} 9000.00"),
                36,
                "#TRANS",
                "par av dimensionsnummer",
                "object list without code",
            ),
            (
                FILE.trim_end().trim_end_matches('}').to_string(),
                34,
                "#VER",
                "avslutas med }",
                "file ends inside a block",
            ),
            (
                FILE.replace("#PSALDO 0 202601", "#PSALDO 0 2026-01"),
                20,
                "#PSALDO",
                "ÅÅÅÅMM",
                "bad period",
            ),
            (
                FILE.replace("#TRANS 1930 {} 500.50", "#TRANS 1930 {} 500.505"),
                32,
                "#TRANS",
                "högst två decimaler",
                "three decimals",
            ),
            (
                FILE.replace(
                    "#PSALDO 0 202601 5011 {1 \"711\"} 1234.00",
                    "#PSALDO 0 202601 5011 {1 \"711\"} 92233720368547758.07",
                ),
                20,
                "#PSALDO",
                "gränsen per belopp",
                "an amount beyond the limit (i64::MAX öre)",
            ),
            (
                FILE.replace("#TRANS 1930 {} 500.50", "#TRANS 1930 {} 1000000000000.01"),
                32,
                "#TRANS",
                "gränsen per belopp",
                "one öre beyond the limit",
            ),
        ];
        for (text, line, label, msg, why) in cases {
            let p = parse(&text).expect_err(why);
            assert!(
                p.iter()
                    .any(|p| p.rad == line && p.post == label && p.fel.contains(msg)),
                "{why}: {p:?}"
            );
        }
    }

    #[test]
    fn recognises_sie_files() {
        assert!(looks_like_sie(b"#FLAGGA 0\n#SIETYP 4\n"));
        assert!(looks_like_sie(b"\xEF\xBB\xBF#FLAGGA 0\n"));
        assert!(!looks_like_sie(b"period;konto;ansvar\n"));
    }
}
