//! The PostgreSQL schema, derived mechanically from the one set of
//! migration files (written for SQLite, `migrations/sqlite/`).
//!
//! The translation keeps SQLite's behaviour on PostgreSQL:
//!
//! - a column's declared type is mapped by SQLite's own affinity rules:
//!   `…INT…` → `BIGINT`; `…CHAR…`, `…CLOB…`, `…TEXT…` and date/time names
//!   (stored as text) → `TEXT COLLATE "C"` (byte order, as SQLite's
//!   `BINARY` collation, so `ORDER BY`, `MIN` and comparisons agree);
//!   `BLOB` → `BYTEA`; `…REAL…`, `…FLOA…`, `…DOUB…` → `DOUBLE PRECISION`;
//!   `BOOLEAN` → `BIGINT` (SQLite stores 0/1). `NUMERIC`/`DECIMAL` and a
//!   column without a type are refused: their SQLite meaning depends on the
//!   value stored;
//! - `INTEGER PRIMARY KEY` (SQLite's rowid) → `BIGINT PRIMARY KEY` with a
//!   trigger that assigns `MAX(id) + 1` when no id is given, exactly as
//!   SQLite does, so both backends give the same ids for the same data (an
//!   identity sequence would skip numbers on conflicts and rollbacks);
//!   `AUTOINCREMENT` is dropped;
//! - `REFERENCES …` and `FOREIGN KEY …` are dropped: SQLite does not
//!   enforce them here (`PRAGMA foreign_keys` is off);
//! - `DEFAULT CURRENT_TIMESTAMP` (`_DATE`, `_TIME`) becomes the same text
//!   SQLite stores (UTC, `YYYY-MM-DD HH:MM:SS`);
//! - `INSERT OR IGNORE` → `INSERT … ON CONFLICT DO NOTHING`; `PRAGMA`
//!   statements are dropped; `WITHOUT ROWID` and `STRICT` are dropped;
//!   `CAST(… AS type)` maps the type as above.
//!
//! Anything it cannot translate faithfully (`INSERT OR REPLACE`,
//! `COLLATE NOCASE`, a conflict clause on a column, …) is an error naming
//! the statement: the unit test over every migration catches it before a
//! PostgreSQL server does.

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Str(String),
    Space(String),
    Comment(String),
    Punct(char),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Word(s) | Tok::Quoted(s) | Tok::Str(s) | Tok::Space(s) | Tok::Comment(s) => s.clone(),
            Tok::Punct(c) => c.to_string(),
        }
    }
    fn is_blank(&self) -> bool {
        matches!(self, Tok::Space(_) | Tok::Comment(_))
    }
    fn upper(&self) -> String {
        match self {
            Tok::Word(s) => s.to_ascii_uppercase(),
            _ => String::new(),
        }
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self, Tok::Word(s) if s.eq_ignore_ascii_case(w))
    }
}

fn tokenize(sql: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let take_until = |i: usize, end: &str| -> Option<usize> {
        let rest: String = chars[i..].iter().collect();
        rest.find(end)
            .map(|p| i + rest[..p].chars().count() + end.chars().count())
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            out.push(Tok::Space(chars[start..i].iter().collect()));
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            out.push(Tok::Comment(chars[start..i].iter().collect()));
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i = take_until(i + 2, "*/").ok_or("en kommentar /* slutar aldrig")?;
            out.push(Tok::Comment(chars[start..i].iter().collect()));
        } else if c == '\'' || c == '"' || c == '`' || c == '[' {
            let close = if c == '[' { ']' } else { c };
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("en sträng eller ett namn inom {c} slutar aldrig")),
                    Some(&d) if d == close => {
                        if chars.get(i + 1) == Some(&close) && close != ']' {
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(_) => i += 1,
                }
            }
            let s: String = chars[start..i].iter().collect();
            out.push(if c == '\'' {
                Tok::Str(s)
            } else if c == '"' {
                Tok::Quoted(s)
            } else {
                // `name` and [name] are SQLite's other identifier quotes.
                Tok::Quoted(format!("\"{}\"", &s[1..s.len() - 1]))
            });
        } else if c.is_alphanumeric() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            i += 1;
            out.push(Tok::Punct(c));
        }
    }
    Ok(out)
}

/// Words that end a column's type and start its constraints.
const CONSTRAINT_WORDS: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

/// PostgreSQL's type for a declared SQLite type, by SQLite's affinity rules.
fn map_type(declared: &str) -> Result<&'static str, String> {
    let t = declared.to_ascii_uppercase();
    if t.is_empty() {
        return Err("en kolumn utan typ (SQLite sparar då värdet som det kommer)".into());
    }
    if t.contains("INT") {
        return Ok("BIGINT");
    }
    if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        return Ok("TEXT COLLATE \"C\"");
    }
    if t.contains("BLOB") {
        return Ok("BYTEA");
    }
    if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        return Ok("DOUBLE PRECISION");
    }
    if t == "BOOLEAN" || t == "BOOL" {
        return Ok("BIGINT");
    }
    if t == "DATE" || t == "DATETIME" || t == "TIMESTAMP" || t == "TIME" {
        return Ok("TEXT COLLATE \"C\"");
    }
    Err(format!(
        "typen {declared} (NUMERIC-affinitet i SQLite: värdet avgör hur det sparas); välj INTEGER, REAL eller TEXT"
    ))
}

/// Indexes of the non-blank tokens.
fn meaningful(toks: &[Tok]) -> Vec<usize> {
    (0..toks.len()).filter(|&i| !toks[i].is_blank()).collect()
}

/// An `INTEGER PRIMARY KEY` column's trigger: SQLite's id assignment. It
/// fires only for rows without an id (bulk visit inserts bring their own).
fn id_trigger(table: &str, column: &str) -> String {
    let fname = format!(
        "resurs_id_{}",
        table
            .trim_matches('"')
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            })
            .collect::<String>()
    );
    format!(
        "\nCREATE OR REPLACE FUNCTION {fname}() RETURNS trigger LANGUAGE plpgsql AS $resurs$\n\
         BEGIN\n    IF NEW.{column} IS NULL THEN\n        NEW.{column} := (SELECT COALESCE(MAX({column}), 0) + 1 FROM {table});\n    END IF;\n    RETURN NEW;\nEND\n$resurs$;\n\
         DROP TRIGGER IF EXISTS resurs_id ON {table};\n\
         CREATE TRIGGER resurs_id BEFORE INSERT ON {table} FOR EACH ROW WHEN (NEW.{column} IS NULL) \
         EXECUTE FUNCTION {fname}();\n"
    )
}

/// The translator; it remembers each table's `INTEGER PRIMARY KEY` column
/// across migrations (a renamed table gets its trigger anew).
#[derive(Default)]
pub(crate) struct Translator {
    id_columns: HashMap<String, String>,
}

fn key(name: &str) -> String {
    name.trim_matches('"').to_ascii_lowercase()
}

impl Translator {
    /// Translates one migration file.
    pub fn translate(&mut self, sql: &str) -> Result<String, String> {
        let toks = tokenize(sql)?;
        let mut out = String::new();
        let mut stmt: Vec<Tok> = Vec::new();
        for t in toks {
            if t == Tok::Punct(';') {
                out.push_str(&self.statement(&stmt)?);
                out.push(';');
                stmt.clear();
            } else {
                stmt.push(t);
            }
        }
        out.push_str(&self.statement(&stmt)?);
        Ok(out)
    }

    fn statement(&mut self, toks: &[Tok]) -> Result<String, String> {
        let m = meaningful(toks);
        if m.is_empty() {
            return Ok(toks.iter().map(Tok::text).collect());
        }
        let words: Vec<String> = m.iter().take(6).map(|&i| toks[i].upper()).collect();
        let w = |n: usize| words.get(n).map(String::as_str).unwrap_or("");
        let shown = || {
            let s: String = toks.iter().map(Tok::text).collect();
            s.trim().lines().next().unwrap_or("").to_string()
        };
        let fail = |why: String| Err(format!("{why} i \"{}\"", shown()));
        match (w(0), w(1)) {
            ("PRAGMA", _) => Ok(format!("{}-- (PRAGMA gäller bara SQLite)\nSELECT 1", lead(toks))),
            ("CREATE", "TABLE") => self.create_table(toks).or_else(fail),
            ("ALTER", "TABLE") => self.alter_table(toks).or_else(fail),
            ("DROP", "TABLE") => {
                let name = m
                    .iter()
                    .skip(2)
                    .map(|&i| &toks[i])
                    .find(|t| !t.is_word("IF") && !t.is_word("EXISTS"));
                if let Some(t) = name {
                    self.id_columns.remove(&key(&t.text()));
                }
                Ok(toks.iter().map(Tok::text).collect())
            }
            ("INSERT", "OR") if w(2) == "IGNORE" => {
                let mut t = toks.to_vec();
                t[m[1]] = Tok::Space(String::new());
                t[m[2]] = Tok::Space(String::new());
                let body = cast_types(&t).or_else(fail)?;
                Ok(format!("{} ON CONFLICT DO NOTHING", body.trim_end()))
            }
            ("INSERT", "OR") | ("REPLACE", _) => fail(format!(
                "{} {} finns inte i PostgreSQL; skriv INSERT … ON CONFLICT (…) DO UPDATE",
                w(0),
                w(2)
            )),
            _ => cast_types(toks).or_else(fail),
        }
    }

    fn create_table(&mut self, toks: &[Tok]) -> Result<String, String> {
        let m = meaningful(toks);
        let mut k = 2;
        if toks[m[k]].is_word("IF") {
            k += 3;
        }
        let name_i = *m.get(k).ok_or("tabellnamn saknas")?;
        let table = toks[name_i].text();
        let open = *m.get(k + 1).ok_or("kolumnlistan saknas")?;
        if toks[open] != Tok::Punct('(') {
            return Err("CREATE TABLE … AS SELECT översätts inte; skapa tabellen med kolumner".into());
        }
        let close = matching(toks, open).ok_or("kolumnlistan slutar aldrig")?;
        // Column definitions and table constraints, split at top-level commas.
        let mut parts: Vec<(usize, usize)> = Vec::new();
        let (mut depth, mut from) = (0, open + 1);
        for (i, t) in toks.iter().enumerate().take(close).skip(open + 1) {
            match t {
                Tok::Punct('(') => depth += 1,
                Tok::Punct(')') => depth -= 1,
                Tok::Punct(',') if depth == 0 => {
                    parts.push((from, i));
                    from = i + 1;
                }
                _ => {}
            }
        }
        parts.push((from, close));
        let mut defs: Vec<String> = Vec::new();
        let mut id_column: Option<String> = None;
        let mut integer_columns: Vec<String> = Vec::new();
        let mut table_pk: Option<String> = None;
        for &(a, b) in &parts {
            let part = &toks[a..b];
            let pm = meaningful(part);
            let Some(&first) = pm.first() else {
                defs.push(part.iter().map(Tok::text).collect());
                continue;
            };
            let head = part[first].upper();
            if head == "FOREIGN" {
                continue; // not enforced by SQLite here
            }
            if matches!(head.as_str(), "CONSTRAINT" | "PRIMARY" | "UNIQUE" | "CHECK") {
                if head == "PRIMARY" {
                    let cols: Vec<String> = pm
                        .iter()
                        .map(|&i| &part[i])
                        .filter(|t| matches!(t, Tok::Word(_) | Tok::Quoted(_)))
                        .skip(2)
                        .map(Tok::text)
                        .collect();
                    if cols.len() == 1 {
                        table_pk = Some(cols[0].clone());
                    }
                }
                if part.iter().any(|t| t.is_word("ON")) && part.iter().any(|t| t.is_word("CONFLICT")) {
                    return Err("en konfliktklausul (ON CONFLICT) i tabelldefinitionen finns bara i SQLite".into());
                }
                defs.push(cast_types(part)?);
                continue;
            }
            let (def, col) = column_def(part)?;
            if col.integer_pk {
                id_column = Some(col.name.clone());
            }
            if col.integer {
                integer_columns.push(col.name.clone());
            }
            defs.push(def);
        }
        if let Some(pk) = table_pk {
            if id_column.is_none() && integer_columns.iter().any(|c| key(c) == key(&pk)) {
                id_column = Some(pk);
            }
        }
        let mut out: String = toks[..=open].iter().map(Tok::text).collect();
        out.push_str(&defs.join(","));
        out.push(')');
        for t in &toks[close + 1..] {
            if !(t.is_word("WITHOUT") || t.is_word("ROWID") || t.is_word("STRICT") || *t == Tok::Punct(',')) {
                out.push_str(&t.text());
            }
        }
        if let Some(c) = id_column {
            out.push_str(";\n");
            out.push_str(id_trigger(&table, &c).trim_end().trim_end_matches(';'));
            self.id_columns.insert(key(&table), c);
        }
        Ok(out)
    }

    fn alter_table(&mut self, toks: &[Tok]) -> Result<String, String> {
        let m = meaningful(toks);
        let table = toks
            .get(*m.get(2).ok_or("tabellnamn saknas")?)
            .map(Tok::text)
            .unwrap_or_default();
        let verb = m.get(3).map(|&i| toks[i].upper()).unwrap_or_default();
        match verb.as_str() {
            "ADD" => {
                let mut start = m[3] + 1;
                if m.get(4).is_some_and(|&i| toks[i].is_word("COLUMN")) {
                    start = m[4] + 1;
                }
                let (def, col) = column_def(&toks[start..])?;
                if col.integer_pk {
                    return Err("en ny kolumn INTEGER PRIMARY KEY går inte att lägga till".into());
                }
                let head: String = toks[..start].iter().map(Tok::text).collect();
                Ok(format!("{head}{def}"))
            }
            "RENAME" => {
                let text: String = toks.iter().map(Tok::text).collect();
                let is_table = m.get(4).is_some_and(|&i| toks[i].is_word("TO"));
                if is_table {
                    let new = m.get(5).map(|&i| toks[i].text()).ok_or("nytt namn saknas")?;
                    if let Some(c) = self.id_columns.remove(&key(&table)) {
                        let trigger = id_trigger(&new, &c);
                        self.id_columns.insert(key(&new), c);
                        return Ok(format!("{text};{}", trigger.trim_end().trim_end_matches(';')));
                    }
                } else {
                    // RENAME [COLUMN] old TO new
                    let words: Vec<String> = m[4..].iter().map(|&i| toks[i].text()).collect();
                    let (old, new) = match words.as_slice() {
                        [c, o, _, n] if c.eq_ignore_ascii_case("COLUMN") => (o.clone(), n.clone()),
                        [o, _, n] => (o.clone(), n.clone()),
                        _ => return Err("okänd form av RENAME".into()),
                    };
                    if self.id_columns.get(&key(&table)).is_some_and(|c| key(c) == key(&old)) {
                        self.id_columns.insert(key(&table), new.clone());
                        let trigger = id_trigger(&table, &new);
                        return Ok(format!("{text};{}", trigger.trim_end().trim_end_matches(';')));
                    }
                }
                Ok(text)
            }
            _ => cast_types(toks),
        }
    }
}

/// The whitespace and comments before a statement's first word.
fn lead(toks: &[Tok]) -> String {
    toks.iter().take_while(|t| t.is_blank()).map(Tok::text).collect()
}

fn matching(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Maps the type of `CAST(… AS type)` in an ordinary statement.
fn cast_types(toks: &[Tok]) -> Result<String, String> {
    let mut out = String::new();
    let mut i = 0;
    let m = meaningful(toks);
    while i < toks.len() {
        let t = &toks[i];
        if t.is_word("COLLATE") {
            let next = m.iter().find(|&&j| j > i).map(|&j| toks[j].upper());
            if next.as_deref() == Some("NOCASE") || next.as_deref() == Some("RTRIM") {
                return Err("COLLATE NOCASE/RTRIM finns bara i SQLite".into());
            }
        }
        if t.is_word("AS") {
            // Inside CAST( … AS type ): the next word is a type.
            if let Some(&j) = m.iter().find(|&&j| j > i) {
                let depth_cast = is_in_cast(toks, i);
                if depth_cast {
                    if let Tok::Word(w) = &toks[j] {
                        out.push_str(&toks[i..j].iter().map(Tok::text).collect::<String>());
                        out.push_str(map_type(w)?.trim_end_matches(" COLLATE \"C\""));
                        i = j + 1;
                        continue;
                    }
                }
            }
        }
        out.push_str(&t.text());
        i += 1;
    }
    Ok(out)
}

/// Whether token `at` stands directly inside `CAST(`.
fn is_in_cast(toks: &[Tok], at: usize) -> bool {
    let mut depth = 0i32;
    for i in (0..at).rev() {
        match &toks[i] {
            Tok::Punct(')') => depth += 1,
            Tok::Punct('(') => {
                if depth == 0 {
                    return toks[..i]
                        .iter()
                        .rev()
                        .find(|t| !t.is_blank())
                        .is_some_and(|t| t.is_word("CAST"));
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    false
}

struct Column {
    name: String,
    integer: bool,
    integer_pk: bool,
}

/// Translates one column definition.
fn column_def(part: &[Tok]) -> Result<(String, Column), String> {
    let pm = meaningful(part);
    let &first = pm.first().ok_or("tom kolumndefinition")?;
    let name = part[first].text();
    // The declared type: words (and a parenthesised size) up to a constraint.
    let mut k = 1;
    let mut declared: Vec<String> = Vec::new();
    let mut type_end = first + 1;
    while let Some(&i) = pm.get(k) {
        match &part[i] {
            Tok::Word(w) if !CONSTRAINT_WORDS.contains(&w.to_ascii_uppercase().as_str()) => {
                declared.push(w.clone());
                type_end = i + 1;
                k += 1;
            }
            Tok::Punct('(') if !declared.is_empty() => {
                let close = matching(part, i).ok_or("en typ med parentes slutar aldrig")?;
                type_end = close + 1;
                k = pm.iter().position(|&j| j > close).unwrap_or(pm.len());
            }
            _ => break,
        }
    }
    let declared = declared.join(" ");
    let pg_type = map_type(&declared).map_err(|e| format!("kolumnen {name}: {e}"))?;
    let type_start = pm.get(1).copied().filter(|&i| i < type_end).unwrap_or(type_end);
    // Blanks at the end of the part (before a comma or the closing
    // parenthesis) are kept as they are.
    let suffix_from = part.iter().rposition(|t| !t.is_blank()).map_or(part.len(), |i| i + 1);
    let rest = &part[type_end.min(suffix_from)..suffix_from];
    let rm = meaningful(rest);
    let upper: Vec<String> = rm.iter().map(|&i| rest[i].upper()).collect();
    let has = |a: &str, b: &str| upper.windows(2).any(|w| w[0] == a && w[1] == b);
    let integer_pk = declared.eq_ignore_ascii_case("INTEGER") && has("PRIMARY", "KEY");
    if has("ON", "CONFLICT") {
        return Err(format!(
            "kolumnen {name}: en konfliktklausul (ON CONFLICT) finns bara i SQLite"
        ));
    }
    let mut out: String = part[..type_start].iter().map(Tok::text).collect();
    if type_start == type_end {
        out.push(' ');
    }
    out.push_str(pg_type);
    // The constraints, without REFERENCES … and AUTOINCREMENT; `c` walks the
    // non-blank tokens of `rest`.
    let mut c = 0;
    let word = |c: usize| rm.get(c).map(|&i| rest[i].upper()).unwrap_or_default();
    while c < rm.len() {
        let i = rm[c];
        let before: String = rest[if c == 0 { 0 } else { rm[c - 1] + 1 }..i]
            .iter()
            .map(Tok::text)
            .collect();
        let t = &rest[i];
        match word(c).as_str() {
            "AUTOINCREMENT" => {
                c += 1;
                continue;
            }
            "COLLATE" => match word(c + 1).as_str() {
                "BINARY" => {
                    c += 2;
                    continue;
                }
                other => return Err(format!("kolumnen {name}: COLLATE {other} finns bara i SQLite")),
            },
            "DEFAULT" => {
                let f = match word(c + 1).as_str() {
                    "CURRENT_TIMESTAMP" => Some("YYYY-MM-DD HH24:MI:SS"),
                    "CURRENT_DATE" => Some("YYYY-MM-DD"),
                    "CURRENT_TIME" => Some("HH24:MI:SS"),
                    _ => None,
                };
                if let Some(f) = f {
                    out.push_str(&before);
                    out.push_str(&format!("DEFAULT (to_char(now() AT TIME ZONE 'UTC', '{f}'))"));
                    c += 2;
                    continue;
                }
            }
            "REFERENCES" => {
                // REFERENCES table [(cols)] [ON DELETE|UPDATE action] [MATCH x] [[NOT] DEFERRABLE] [INITIALLY x]
                c += 2;
                if rm.get(c).is_some_and(|&j| rest[j] == Tok::Punct('(')) {
                    let close = matching(rest, rm[c]).ok_or("REFERENCES ( slutar aldrig")?;
                    c = rm.iter().position(|&j| j > close).unwrap_or(rm.len());
                }
                loop {
                    match word(c).as_str() {
                        "ON" => {
                            c += if matches!(word(c + 2).as_str(), "SET" | "NO") {
                                4
                            } else {
                                3
                            }
                        }
                        "MATCH" | "INITIALLY" => c += 2,
                        "DEFERRABLE" => c += 1,
                        "NOT" if word(c + 1) == "DEFERRABLE" => c += 2,
                        _ => break,
                    }
                }
                continue;
            }
            _ => {}
        }
        out.push_str(&before);
        out.push_str(&t.text());
        c += 1;
    }
    out.push_str(&part[suffix_from..].iter().map(Tok::text).collect::<String>());
    let out = cast_types(&tokenize(&out)?)?;
    Ok((
        out,
        Column {
            name,
            integer: declared.eq_ignore_ascii_case("INTEGER"),
            integer_pk,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MIGRATIONS;

    fn all() -> Vec<String> {
        let mut t = Translator::default();
        MIGRATIONS
            .iter()
            .enumerate()
            .map(|(i, m)| t.translate(m).unwrap_or_else(|e| panic!("migrering {}: {e}", i + 1)))
            .collect()
    }

    #[test]
    fn every_migration_translates_without_sqlite_types() {
        let pg = all();
        for (i, sql) in pg.iter().enumerate() {
            let toks = tokenize(sql).unwrap();
            for t in &toks {
                for bad in ["INTEGER", "AUTOINCREMENT", "BLOB", "REAL", "PRAGMA", "REFERENCES"] {
                    assert!(!t.is_word(bad), "migrering {}: {bad} kvar i\n{sql}", i + 1);
                }
            }
        }
        // Every table with an id gets SQLite's id assignment.
        let all = pg.join("\n");
        let tables = all.matches("CREATE TABLE").count();
        let with_id = all.matches("BIGINT PRIMARY KEY").count();
        assert_eq!(all.matches("CREATE TRIGGER resurs_id BEFORE INSERT").count(), with_id);
        assert_eq!(
            tables - with_id,
            6,
            "meta, konto, session, inloggningsforsok, uppladdning and verksamhet have text keys"
        );
        // 0015: Kolada figures, peer groups and published reference costs (all with ids).
        assert!(all.contains("UNIQUE (kpi, kommun, ar, kon)"), "{all}");
        // 0011: the verification of a ledger line and the activity-code register.
        assert!(
            all.contains("ALTER TABLE huvudbok ADD COLUMN verifikation TEXT COLLATE \"C\";"),
            "{all}"
        );
        assert!(
            all.contains("CREATE TABLE verksamhet (\n    kod  TEXT COLLATE \"C\" PRIMARY KEY,"),
            "{all}"
        );
        // 0009: sessions and sign-in throttling.
        assert!(all.contains("sha256    TEXT COLLATE \"C\"    PRIMARY KEY,"), "{all}");
        assert!(
            all.contains("anvandare BIGINT NOT NULL,\n    csrf"),
            "REFERENCES dropped: {all}"
        );
        assert!(all.contains("nyckel  TEXT COLLATE \"C\"    PRIMARY KEY,"), "{all}");
        assert!(all.contains("CREATE INDEX inloggningsforsok_senaste ON inloggningsforsok (senaste);"));
        // 0010: values an import replaced, with SQLite's id assignment.
        assert!(
            all.contains("CREATE TRIGGER resurs_id BEFORE INSERT ON import_ersatt "),
            "{all}"
        );
        assert!(all.contains("UNIQUE (import_id, tabell, nyckel)"), "{all}");
        assert!(all.contains("huvudbok (\n    id         BIGINT PRIMARY KEY,"), "{all}");
        assert!(
            all.contains("    text       TEXT COLLATE \"C\",\n"),
            "a column named text keeps its name"
        );
        assert!(all.contains("ALTER TABLE utforare ADD COLUMN bemanning TEXT COLLATE \"C\";"));
        assert!(all.contains("anvandare  BIGINT NOT NULL,"), "REFERENCES dropped: {all}");
        assert!(all.contains("aktiv    BIGINT NOT NULL DEFAULT 1,"));
        assert!(all.contains("UNIQUE (utforare_id, besok_id)"));
        assert!(all.contains("CREATE INDEX besok_period ON besok (period);"));
    }

    #[test]
    fn ordinary_ddl_of_later_migrations_translates() {
        let mut t = Translator::default();
        let sql = "-- Sessions.\nCREATE TABLE IF NOT EXISTS session (\n    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    \
                   token BLOB NOT NULL UNIQUE,\n    anvandare INTEGER NOT NULL REFERENCES anvandare(id) ON DELETE CASCADE,\n    \
                   vikt REAL,\n    aktiv BOOLEAN NOT NULL DEFAULT 0,\n    namn VARCHAR(40) COLLATE BINARY,\n    \
                   skapad TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    FOREIGN KEY (anvandare) REFERENCES anvandare(id)\n) WITHOUT ROWID;\n\
                   CREATE UNIQUE INDEX IF NOT EXISTS session_token ON session (token);\n\
                   INSERT OR IGNORE INTO meta (nyckel, varde) VALUES ('a', 'b');\n\
                   UPDATE besok SET status = CAST(status AS INTEGER) WHERE status <> '';\n\
                   PRAGMA foreign_keys = ON;\n\
                   ALTER TABLE session RENAME TO sessioner;\n\
                   ALTER TABLE import_logg ADD COLUMN angrad TEXT;\n\
                   DROP TABLE IF EXISTS gammal;\n";
        let pg = t.translate(sql).unwrap();
        assert!(pg.contains("id BIGINT PRIMARY KEY,"), "{pg}");
        assert!(pg.contains("token BYTEA NOT NULL UNIQUE,"), "{pg}");
        assert!(pg.contains("anvandare BIGINT NOT NULL,"), "{pg}");
        assert!(pg.contains("vikt DOUBLE PRECISION,"), "{pg}");
        assert!(pg.contains("aktiv BIGINT NOT NULL DEFAULT 0,"), "{pg}");
        assert!(pg.contains("namn TEXT COLLATE \"C\","), "{pg}");
        assert!(
            pg.contains("DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))"),
            "{pg}"
        );
        assert!(!pg.contains("FOREIGN"), "{pg}");
        assert!(!pg.contains("ROWID"), "{pg}");
        assert!(pg.contains("VALUES ('a', 'b') ON CONFLICT DO NOTHING;"), "{pg}");
        assert!(pg.contains("CAST(status AS BIGINT)"), "{pg}");
        assert!(
            pg.contains("CREATE TRIGGER resurs_id BEFORE INSERT ON session "),
            "{pg}"
        );
        assert!(
            pg.contains("FROM sessioner);"),
            "renamed table gets its id trigger anew: {pg}"
        );
        assert!(pg.contains("ADD COLUMN angrad TEXT COLLATE \"C\";"), "{pg}");
        assert!(!pg.contains("PRAGMA foreign_keys"), "{pg}");

        for bad in [
            "INSERT OR REPLACE INTO meta VALUES ('a', 'b')",
            "CREATE TABLE x (a TEXT COLLATE NOCASE)",
            "CREATE TABLE x (a NUMERIC)",
            "CREATE TABLE x (a)",
            "CREATE TABLE x (a TEXT UNIQUE ON CONFLICT REPLACE)",
        ] {
            assert!(Translator::default().translate(bad).is_err(), "{bad}");
        }
    }
}
