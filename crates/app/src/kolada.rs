//! `resurs kolada`, `resurs jamfor`, `resurs kostnadsniva`: Kolada figures
//! (the JSON of Kolada's API v2 and v3), peer groups, comparison views and
//! the cost level (docs/jamforelser.md).

use crate::{audit, now, Actor, AppError};
use resurs_core::kolada::{self as calc, Deviation, Steps};
use resurs_core::limits::{year_ok, NAME_MAX, TEXT_MAX};
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_store::{KoladaChange, KoladaGroup, KoladaValue, KommunMeta, KpiMeta, PeerGroup, RefCost, Store};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The curated KPI list (elder care, LSS, IFO and their costs), shipped.
pub const KPI_LIST: &str = include_str!("../data/kolada_kpi.csv");
/// The largest Kolada file read (bytes). One page of Kolada's API (at most
/// 5 000 values) is about 1 MB; a file is parsed whole into JSON, which
/// takes up to about 16 bytes of memory per byte of a hostile file, so the
/// limit keeps one parse near 256 MiB.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The most bytes of all files of one import together (they are held in
/// memory while they are checked).
pub const MAX_TOTAL_BYTES: u64 = 128 * 1024 * 1024;
/// The most values one import stores.
pub const MAX_VALUES: usize = 1_000_000;
/// The most problems listed when a file is refused.
const MAX_PROBLEMS: usize = 20;
/// The meta key of the own municipality's code.
pub(crate) const OWN_KEY: &str = "kommunkod";
/// The most pages `hamta` follows (and files one import reads).
pub const MAX_PAGES: usize = 200;
/// The most municipality groups one import stores.
pub const MAX_GROUPS: usize = 20_000;
/// The most members of one municipality group (Sweden has 290
/// municipalities and 21 regions).
pub const MAX_GROUP_MEMBERS: usize = 400;

/// One KPI of the curated list.
#[derive(Debug, Clone, Serialize)]
pub struct CuratedKpi {
    pub kpi: String,
    pub omrade: String,
    pub titel: String,
    pub enhet: String,
}

/// The curated KPI list.
pub fn curated() -> Vec<CuratedKpi> {
    KPI_LIST
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split(';').collect();
            (c.len() == 4).then(|| CuratedKpi {
                kpi: c[0].into(),
                omrade: c[1].into(),
                titel: c[2].into(),
                enhet: c[3].into(),
            })
        })
        .collect()
}

/// Whether `s` is a KPI id as Kolada writes them (a capital letter and
/// digits, e.g. N00669, U21463).
pub fn is_kpi_id(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=16).contains(&b.len()) && b[0].is_ascii_uppercase() && b[1..].iter().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `s` is a municipality code (four digits; `0000` is the country).
pub fn is_kommun(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

/// What the files hold, checked.
#[derive(Debug, Default, Clone)]
pub struct Parsed {
    pub values: Vec<KoladaValue>,
    pub kpis: Vec<KpiMeta>,
    pub kommuner: Vec<KommunMeta>,
    /// Kolada's municipality groups (`/v2/municipality_groups`, `/v3/municipality_groups`).
    pub grupper: Vec<KoladaGroup>,
    /// The next page a values file points to (`next_page` in v2, `next_url` in v3).
    pub next: Option<String>,
}

struct Check<'a> {
    file: &'a str,
    problems: &'a mut Vec<String>,
    total: &'a mut usize,
}

impl Check<'_> {
    fn add(&mut self, path: &str, text: impl Into<String>) {
        *self.total += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(format!("{}: {path}: {}", self.file, text.into()));
        }
    }
}

use resurs_core::limits::shown as shown_str;

fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// A JSON number as ten-thousandths, exactly for up to four decimals (more
/// are rounded half away from zero).
fn ten_thousandths(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return i.checked_mul(10_000);
    }
    let s = n.to_string();
    if !s.contains(['e', 'E']) {
        let (neg, s) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s.as_str()),
        };
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let mut f: String = frac.chars().take(5).collect();
        while f.len() < 5 {
            f.push('0');
        }
        let w: i64 = whole.parse().ok()?;
        let f5: i64 = f.parse().ok()?;
        let v = w.checked_mul(10_000)?.checked_add((f5 + 5) / 10)?;
        return Some(if neg { -v } else { v });
    }
    let f = n.as_f64()? * 10_000.0;
    (f.is_finite() && f.abs() < 9.0e18).then(|| f.round() as i64)
}

fn str_field<'v>(c: &mut Check<'_>, o: &'v serde_json::Map<String, Value>, path: &str, key: &str) -> Option<&'v str> {
    match o.get(key) {
        Some(Value::String(s)) => Some(s),
        Some(v) => {
            c.add(
                &format!("{path}.{key}"),
                format!("värdet {}, förväntade en text", shown(v)),
            );
            None
        }
        None => {
            c.add(&format!("{path}.{key}"), "saknas");
            None
        }
    }
}

fn opt_text(o: &serde_json::Map<String, Value>, key: &str) -> String {
    match o.get(key) {
        Some(Value::String(s)) => s.trim().chars().take(TEXT_MAX).collect(),
        _ => String::new(),
    }
}

/// Reads one file's text: a values page, a KPI or municipality metadata
/// page (v2 or v3), or a JSON array of such pages. Problems are added
/// with their JSON path; `out` gets what was read.
pub fn parse(file: &str, text: &str, out: &mut Parsed, problems: &mut Vec<String>, total: &mut usize) {
    let mut c = Check { file, problems, total };
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            c.add(
                "$",
                format!("inte giltig JSON (rad {}, kolumn {}): {e}", e.line(), e.column()),
            );
            return;
        }
    };
    match &v {
        Value::Array(pages) => {
            for (i, p) in pages.iter().enumerate() {
                page(&mut c, &format!("$[{i}]"), p, out);
            }
        }
        _ => page(&mut c, "$", &v, out),
    }
}

fn page(c: &mut Check<'_>, path: &str, v: &Value, out: &mut Parsed) {
    let Some(o) = v.as_object() else {
        c.add(
            path,
            "okänd form: förväntade ett JSON-objekt med \"values\" (ett svar från Koladas API)",
        );
        return;
    };
    let Some(Value::Array(items)) = o.get("values") else {
        c.add(
            &format!("{path}.values"),
            "okänd form: saknas eller är inte en lista; förväntade Koladas svar {\"count\", \"values\": […]}",
        );
        return;
    };
    for key in ["next_page", "next_url"] {
        if let Some(Value::String(s)) = o.get(key) {
            out.next = Some(s.clone());
        }
    }
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}.values[{i}]");
        let Some(e) = item.as_object() else {
            c.add(&p, format!("värdet {}, förväntade ett objekt", shown(item)));
            continue;
        };
        if e.contains_key("members") {
            group_entry(c, &p, e, out);
            if out.grupper.len() > MAX_GROUPS {
                c.add(
                    &p,
                    format!("fler än {MAX_GROUPS} kommungrupper i en import; dela upp filerna"),
                );
                return;
            }
        } else if e.contains_key("kpi") && e.contains_key("municipality") {
            value_entry(c, &p, e, out);
        } else if e.contains_key("id") && e.contains_key("title") {
            meta_entry(c, &p, e, out);
        } else {
            c.add(
                &p,
                "okänd form: förväntade ett värde (kpi, municipality, period, values), metadata (id, title) eller en kommungrupp (id, title, members)",
            );
        }
        if out.values.len() > MAX_VALUES {
            c.add(&p, format!("fler än {MAX_VALUES} värden i en import; dela upp filerna"));
            return;
        }
    }
}

fn value_entry(c: &mut Check<'_>, p: &str, e: &serde_json::Map<String, Value>, out: &mut Parsed) {
    let kpi = str_field(c, e, p, "kpi");
    if let Some(k) = kpi {
        if !is_kpi_id(k) {
            c.add(
                &format!("{p}.kpi"),
                format!("värdet \"{}\", förväntade ett nyckeltals-id som N00669", shown_str(k)),
            );
        }
    }
    let kommun = str_field(c, e, p, "municipality");
    if let Some(k) = kommun {
        if !is_kommun(k) {
            c.add(
                &format!("{p}.municipality"),
                format!(
                    "värdet \"{}\", förväntade en kommunkod med fyra siffror (0000 = riket)",
                    shown_str(k)
                ),
            );
        }
    }
    let ar = match e.get("period") {
        Some(Value::Number(n)) => match n.as_i64().and_then(|y| i32::try_from(y).ok()).filter(|y| year_ok(*y)) {
            Some(y) => Some(y),
            None => {
                c.add(
                    &format!("{p}.period"),
                    format!("värdet {n}, förväntade ett år mellan 1900 och 2100"),
                );
                None
            }
        },
        Some(v) => {
            c.add(
                &format!("{p}.period"),
                format!("värdet {}, förväntade ett år (heltal)", shown(v)),
            );
            None
        }
        None => {
            c.add(&format!("{p}.period"), "saknas");
            None
        }
    };
    let Some(Value::Array(vals)) = e.get("values") else {
        c.add(
            &format!("{p}.values"),
            "saknas eller är inte en lista [{gender, count, status, value}]",
        );
        return;
    };
    for (j, x) in vals.iter().enumerate() {
        let q = format!("{p}.values[{j}]");
        let Some(x) = x.as_object() else {
            c.add(
                &q,
                format!("värdet {}, förväntade {{gender, count, status, value}}", shown(x)),
            );
            continue;
        };
        let kon = match x.get("gender") {
            Some(Value::String(g)) if matches!(g.as_str(), "K" | "M" | "T") => Some(g.clone()),
            Some(v) => {
                c.add(
                    &format!("{q}.gender"),
                    format!("värdet {}, förväntade K, M eller T", shown(v)),
                );
                None
            }
            None => {
                c.add(&format!("{q}.gender"), "saknas");
                None
            }
        };
        let varde = match x.get("value") {
            None | Some(Value::Null) => Some(None),
            Some(Value::Number(n)) => match ten_thousandths(n) {
                Some(v) => Some(Some(v)),
                None => {
                    c.add(&format!("{q}.value"), format!("värdet {n} är för stort"));
                    None
                }
            },
            Some(v) => {
                c.add(
                    &format!("{q}.value"),
                    format!("värdet {}, förväntade ett tal", shown(v)),
                );
                None
            }
        };
        let antal = match x.get("count") {
            None | Some(Value::Null) => Some(None),
            Some(Value::Number(n)) if n.as_i64().is_some_and(|v| v >= 0) => Some(n.as_i64()),
            Some(v) => {
                c.add(
                    &format!("{q}.count"),
                    format!("värdet {}, förväntade ett heltal ≥ 0", shown(v)),
                );
                None
            }
        };
        let status = match x.get("status") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.chars().take(NAME_MAX).collect(),
            Some(v) => {
                c.add(
                    &format!("{q}.status"),
                    format!("värdet {}, förväntade en text", shown(v)),
                );
                String::new()
            }
        };
        if let (Some(kpi), Some(kommun), Some(ar), Some(kon), Some(varde), Some(antal)) =
            (kpi, kommun, ar, kon, varde, antal)
        {
            if is_kpi_id(kpi) && is_kommun(kommun) {
                out.values.push(KoladaValue {
                    kpi: kpi.to_string(),
                    kommun: kommun.to_string(),
                    ar,
                    kon,
                    varde,
                    antal,
                    status,
                });
            }
        }
    }
}

/// Whether `s` is a municipality group id as Kolada writes them (e.g.
/// G37411): letters, digits, `-` and `_`, at most 32.
pub fn is_group_id(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A municipality group: `{"id", "title", "members": [{"id", "title"}]}`
/// (a member may also be given as the bare code, `"0114"`).
fn group_entry(c: &mut Check<'_>, p: &str, e: &serde_json::Map<String, Value>, out: &mut Parsed) {
    let id = str_field(c, e, p, "id");
    if let Some(id) = id {
        if !is_group_id(id) {
            c.add(
                &format!("{p}.id"),
                format!(
                    "värdet {}, förväntade ett grupp-id som G37411",
                    shown(&Value::String(id.into()))
                ),
            );
        }
    }
    let title = str_field(c, e, p, "title");
    let Some(Value::Array(items)) = e.get("members") else {
        c.add(
            &format!("{p}.members"),
            format!(
                "värdet {}, förväntade en lista [{{\"id\", \"title\"}}]",
                shown(e.get("members").unwrap_or(&Value::Null))
            ),
        );
        return;
    };
    if items.len() > MAX_GROUP_MEMBERS {
        c.add(
            &format!("{p}.members"),
            format!("{} medlemmar, högst {MAX_GROUP_MEMBERS}", items.len()),
        );
        return;
    }
    let mut medlemmar: Vec<(String, String)> = Vec::new();
    let mut ok = true;
    for (j, m) in items.iter().enumerate() {
        let q = format!("{p}.members[{j}]");
        let (kod, namn) = match m {
            Value::String(k) => (Some(k.as_str()), String::new()),
            Value::Object(o) => (str_field(c, o, &q, "id"), opt_text(o, "title")),
            v => {
                c.add(&q, format!("värdet {}, förväntade {{\"id\", \"title\"}}", shown(v)));
                ok = false;
                continue;
            }
        };
        let Some(kod) = kod else {
            ok = false;
            continue;
        };
        if !is_kommun(kod) {
            let path = if m.is_string() { q.clone() } else { format!("{q}.id") };
            c.add(
                &path,
                format!("värdet \"{kod}\", förväntade en kommunkod med fyra siffror"),
            );
            ok = false;
            continue;
        }
        if !medlemmar.iter().any(|x| x.0 == kod) {
            medlemmar.push((kod.to_string(), namn.chars().take(NAME_MAX).collect()));
        }
    }
    if let (Some(id), Some(title), true) = (id, title, ok) {
        if is_group_id(id) {
            medlemmar.sort();
            out.grupper.push(KoladaGroup {
                id: id.to_string(),
                titel: title.trim().chars().take(NAME_MAX).collect(),
                medlemmar,
            });
        }
    }
}

fn meta_entry(c: &mut Check<'_>, p: &str, e: &serde_json::Map<String, Value>, out: &mut Parsed) {
    let (Some(id), Some(title)) = (str_field(c, e, p, "id"), str_field(c, e, p, "title")) else {
        return;
    };
    let title: String = title.trim().chars().take(NAME_MAX).collect();
    // A municipality has a "type" (K: kommun, L: region) and a four-digit id.
    if e.contains_key("type") || is_kommun(id) {
        if !is_kommun(id) {
            c.add(
                &format!("{p}.id"),
                format!(
                    "värdet \"{}\", förväntade en kommunkod med fyra siffror (0000 = riket)",
                    shown_str(id)
                ),
            );
            return;
        }
        let grupp = ["population_group", "befolkningsgrupp", "municipality_group"]
            .iter()
            .map(|k| opt_text(e, k))
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        out.kommuner.push(KommunMeta {
            kod: id.to_string(),
            namn: title,
            typ: opt_text(e, "type"),
            grupp: grupp.chars().take(NAME_MAX).collect(),
        });
    } else {
        if !is_kpi_id(id) {
            c.add(
                &format!("{p}.id"),
                format!("värdet \"{}\", förväntade ett nyckeltals-id som N00669", shown_str(id)),
            );
            return;
        }
        let per_kon = match e.get("is_divided_by_gender").or_else(|| e.get("divided_by_gender")) {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        };
        let enhet = ["unit", "enhet"]
            .iter()
            .map(|k| opt_text(e, k))
            .find(|s| !s.is_empty())
            .unwrap_or_else(|| {
                curated()
                    .into_iter()
                    .find(|k| k.kpi == id)
                    .map(|k| k.enhet)
                    .unwrap_or_default()
            });
        out.kpis.push(KpiMeta {
            kpi: id.to_string(),
            titel: title,
            beskrivning: opt_text(e, "description"),
            enhet: enhet.chars().take(NAME_MAX).collect(),
            per_kon,
        });
    }
}

/// The import log's type of a Kolada import (undone like any import).
pub const IMPORTTYP: &str = "kolada";

/// What an import stored.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    /// The import's number in the import log (`resurs import undo N`).
    pub import: i64,
    pub filer: usize,
    pub varden: usize,
    pub nya: usize,
    pub ersatta: usize,
    pub oforandrade: usize,
    pub nyckeltal: usize,
    pub kommuner: usize,
    /// Kolada's municipality groups stored.
    pub kommungrupper: usize,
}

fn value_text(v: Option<i64>) -> String {
    match v {
        Some(v) => resurs_core::num::format_hundredths(resurs_core::num::round_div(v, 100), 2),
        None => "inget värde".into(),
    }
}

/// Reads a file for an import, bounded.
pub fn read_file(path: &std::path::Path) -> Result<String, AppError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| AppError::User(format!("{name}: kan inte läsas: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(AppError::User(format!(
            "{name}: filen är {} byte, mer än gränsen {MAX_FILE_BYTES} byte",
            meta.len()
        )));
    }
    // A named pipe or a device reports size 0 in its metadata: the read
    // itself stops one byte past the limit.
    let bytes = crate::fil::read_bounded(path, MAX_FILE_BYTES, "Koladafilen")?;
    String::from_utf8(bytes).map_err(|e| {
        AppError::User(format!(
            "{name}: inte UTF-8 (byte {}); Koladas API svarar i UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Checks all `files` (name, text) and stores their figures in one
/// transaction, or refuses them all with the JSON paths of the first
/// problems and stores nothing. A value already stored is replaced; the
/// audit log keeps the old one.
pub fn import_texts(store: &mut Store, actor: &Actor, files: &[(String, String)]) -> Result<ImportSummary, AppError> {
    let parsed = check_texts(files)?;
    store_parsed(store, actor, files, &parsed)
}

/// Checks all `files` (name, text) without storing anything: what they
/// hold, or every file refused with the JSON paths of the first problems
/// (the same message as `resurs kolada import`).
pub fn check_texts(files: &[(String, String)]) -> Result<Parsed, AppError> {
    if files.len() > MAX_PAGES {
        return Err(AppError::User(format!(
            "{} filer; högst {MAX_PAGES} filer i en Koladaimport",
            files.len()
        )));
    }
    let bytes: u64 = files.iter().map(|(_, t)| t.len() as u64).sum();
    if bytes > MAX_TOTAL_BYTES {
        return Err(AppError::User(format!(
            "filerna är tillsammans {bytes} byte; högst {MAX_TOTAL_BYTES} byte i en Koladaimport (dela upp den)"
        )));
    }
    if let Some((name, t)) = files.iter().find(|(_, t)| t.len() as u64 > MAX_FILE_BYTES) {
        return Err(AppError::User(format!(
            "{name}: filen är {} byte, mer än gränsen {MAX_FILE_BYTES} byte",
            t.len()
        )));
    }
    let mut parsed = Parsed::default();
    let mut problems = Vec::new();
    let mut total = 0;
    for (name, text) in files {
        parse(name, text, &mut parsed, &mut problems, &mut total);
    }
    if total > 0 {
        let more = if total > problems.len() {
            format!("\n  … och {} fel till", total - problems.len())
        } else {
            String::new()
        };
        return Err(AppError::User(format!(
            "Koladafilen refuserades; inget sparades ({total} fel):\n  {}{more}",
            problems.join("\n  ")
        )));
    }
    Ok(parsed)
}

/// One KPI of a checked import: its values and how many are new, replace a
/// stored value or are unchanged.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PreviewKpi {
    pub kpi: String,
    pub titel: String,
    pub varden: usize,
    pub nya: usize,
    pub ersatta: usize,
    pub oforandrade: usize,
}

/// One municipality group of a checked import.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PreviewGroup {
    pub id: String,
    pub titel: String,
    pub medlemmar: usize,
    /// Whether a group of the same id is stored (and will be replaced).
    pub ersatter: bool,
}

/// What a checked import will store (the web's check page).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Preview {
    pub filer: usize,
    pub nyckeltal: Vec<PreviewKpi>,
    /// Municipalities with values.
    pub kommuner: Vec<String>,
    /// Years with values.
    pub ar: Vec<i32>,
    pub varden: usize,
    pub nya: usize,
    pub ersatta: usize,
    pub oforandrade: usize,
    /// KPI metadata rows.
    pub nyckeltal_metadata: usize,
    /// Municipality metadata rows.
    pub kommun_metadata: usize,
    pub kommungrupper: Vec<PreviewGroup>,
}

/// A KPI's stored values by (municipality, year, gender): value and count.
type StoredValues = HashMap<(String, i32, String), (Option<i64>, Option<i64>)>;

/// What storing `p` would do, compared with the stored values.
pub fn preview(store: &Store, filer: usize, p: &Parsed) -> Result<Preview, AppError> {
    let mut per: BTreeMap<String, PreviewKpi> = BTreeMap::new();
    let meta: HashMap<String, String> = store
        .kolada_kpis()?
        .into_iter()
        .map(|k| (k.kpi, k.titel))
        .chain(p.kpis.iter().map(|k| (k.kpi.clone(), k.titel.clone())))
        .collect();
    let cur = curated();
    let mut stored: HashMap<String, StoredValues> = HashMap::new();
    let (mut kommuner, mut ar) = (BTreeSet::new(), BTreeSet::new());
    let mut seen = BTreeSet::new();
    for v in &p.values {
        if !stored.contains_key(&v.kpi) {
            let m = store
                .kolada_values(&v.kpi)?
                .into_iter()
                .map(|x| ((x.kommun, x.ar, x.kon), (x.varde, x.antal)))
                .collect();
            stored.insert(v.kpi.clone(), m);
        }
        let row = per.entry(v.kpi.clone()).or_insert_with(|| PreviewKpi {
            kpi: v.kpi.clone(),
            titel: meta
                .get(&v.kpi)
                .cloned()
                .or_else(|| cur.iter().find(|c| c.kpi == v.kpi).map(|c| c.titel.clone()))
                .unwrap_or_default(),
            varden: 0,
            nya: 0,
            ersatta: 0,
            oforandrade: 0,
        });
        row.varden += 1;
        kommuner.insert(v.kommun.clone());
        ar.insert(v.ar);
        let key = (v.kommun.clone(), v.ar, v.kon.clone());
        // A later page's value of the same key replaces an earlier one's.
        let first = seen.insert((v.kpi.clone(), key.clone()));
        match stored[&v.kpi].get(&key) {
            _ if !first => row.ersatta += 1,
            None => row.nya += 1,
            Some((old, antal)) if *old == v.varde && *antal == v.antal => row.oforandrade += 1,
            Some(_) => row.ersatta += 1,
        }
    }
    let known: BTreeSet<String> = store.kolada_groups()?.into_iter().map(|g| g.id).collect();
    let nyckeltal: Vec<PreviewKpi> = per.into_values().collect();
    Ok(Preview {
        filer,
        varden: p.values.len(),
        nya: nyckeltal.iter().map(|k| k.nya).sum(),
        ersatta: nyckeltal.iter().map(|k| k.ersatta).sum(),
        oforandrade: nyckeltal.iter().map(|k| k.oforandrade).sum(),
        nyckeltal,
        kommuner: kommuner.into_iter().collect(),
        ar: ar.into_iter().collect(),
        nyckeltal_metadata: p.kpis.len(),
        kommun_metadata: p.kommuner.len(),
        kommungrupper: p
            .grupper
            .iter()
            .map(|g| PreviewGroup {
                id: g.id.clone(),
                titel: g.titel.clone(),
                medlemmar: g.medlemmar.len(),
                ersatter: known.contains(&g.id),
            })
            .collect(),
    })
}

/// The tables of the check page: values per KPI and the municipality groups.
pub fn preview_grids(pv: &Preview) -> Vec<resurs_io::grid::Grid> {
    use resurs_io::grid::{Cell, Col, Grid, Kind, Row};
    let mut g = Grid::new(
        "kontroll-nyckeltal",
        "Värden per nyckeltal",
        vec![
            Col::text("Nyckeltal"),
            Col::text("Titel"),
            Col::new("Värden", Kind::Count),
            Col::new("Nya", Kind::Count),
            Col::new("Ersätter lagrade", Kind::Count),
            Col::new("Oförändrade", Kind::Count),
        ],
    );
    for k in &pv.nyckeltal {
        g.push(vec![
            Cell::text(&k.kpi),
            Cell::text(&k.titel),
            Cell::Num(k.varden as i64),
            Cell::Num(k.nya as i64),
            Cell::Num(k.ersatta as i64),
            Cell::Num(k.oforandrade as i64),
        ]);
    }
    if pv.nyckeltal.len() > 1 {
        g.rows.push(Row {
            cells: vec![
                Cell::text("Summa"),
                Cell::text(""),
                Cell::Num(pv.varden as i64),
                Cell::Num(pv.nya as i64),
                Cell::Num(pv.ersatta as i64),
                Cell::Num(pv.oforandrade as i64),
            ],
            class: Some("sum"),
        });
    }
    let mut out = vec![g];
    if !pv.kommungrupper.is_empty() {
        let mut k = Grid::new(
            "kontroll-kommungrupper",
            "Koladas kommungrupper",
            vec![
                Col::text("Id"),
                Col::text("Titel"),
                Col::new("Medlemmar", Kind::Count),
                Col::text("Ersätter lagrad"),
            ],
        );
        for x in &pv.kommungrupper {
            k.push(vec![
                Cell::text(&x.id),
                Cell::text(&x.titel),
                Cell::Num(x.medlemmar as i64),
                Cell::text(if x.ersatter { "ja" } else { "nej" }),
            ]);
        }
        out.push(k);
    }
    out
}

/// Stores checked figures (one transaction, audited).
pub fn store_parsed(
    store: &mut Store,
    actor: &Actor,
    files: &[(String, String)],
    p: &Parsed,
) -> Result<ImportSummary, AppError> {
    let ts = now();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let mut name = names.join(", ");
    if name.chars().count() > 200 {
        name = format!(
            "{}… ({} filer)",
            name.chars().take(180).collect::<String>(),
            files.len()
        );
    }
    let sha: String = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for (n, t) in files {
            h.update(n.as_bytes());
            h.update([0]);
            h.update(t.as_bytes());
            h.update([0]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    };
    let tx = store.begin()?;
    let import = tx.log_import(IMPORTTYP, &name, &sha, p.values.len() as i64, &ts)?;
    let mut s = ImportSummary {
        import,
        filer: files.len(),
        varden: p.values.len(),
        nyckeltal: p.kpis.len(),
        kommuner: p.kommuner.len(),
        kommungrupper: p.grupper.len(),
        ..Default::default()
    };
    let members_text = |g: &KoladaGroup| {
        let ks: Vec<&str> = g.medlemmar.iter().map(|m| m.0.as_str()).collect();
        format!("{}: {}", g.titel, ks.join(","))
    };
    for g in &p.grupper {
        let before = tx.put_kolada_group_undoable(import, g)?;
        if let Some(old) = before.filter(|o| o != g) {
            audit(
                &tx,
                actor,
                &ts,
                "kolada kommungrupp",
                &g.id,
                Some(&members_text(&old)),
                Some(&members_text(g)),
            )?;
        }
    }
    for k in &p.kpis {
        tx.put_kolada_kpi_undoable(import, k)?;
    }
    for k in &p.kommuner {
        tx.put_kolada_kommun_undoable(import, k)?;
    }
    for v in &p.values {
        match tx.put_kolada_value_undoable(import, v)? {
            KoladaChange::New => s.nya += 1,
            KoladaChange::Unchanged => s.oforandrade += 1,
            KoladaChange::Replaced(old) => {
                s.ersatta += 1;
                audit(
                    &tx,
                    actor,
                    &ts,
                    "kolada värde",
                    &format!("{} {} {} {}", v.kpi, v.kommun, v.ar, v.kon),
                    Some(&value_text(old)),
                    Some(&value_text(v.varde)),
                )?;
            }
        }
    }
    let changed = (s.nya + s.ersatta) as i64;
    tx.finish_import(import, p.values.len() as i64, changed)?;
    audit(
        &tx,
        actor,
        &ts,
        "kolada import",
        &format!("import {import}: {} filer ({name})", s.filer),
        None,
        Some(&format!(
            "{} värden ({} nya, {} ersatta, {} oförändrade), {} nyckeltal, {} kommuner{}",
            s.varden,
            s.nya,
            s.ersatta,
            s.oforandrade,
            s.nyckeltal,
            s.kommuner,
            if s.kommungrupper > 0 {
                format!(", {} kommungrupper", s.kommungrupper)
            } else {
                String::new()
            }
        )),
    )?;
    tx.commit()?;
    Ok(s)
}

/// The address of Kolada's values for `kpis`, `kommuner` and `years`
/// (API v2 or v3). Ids are checked first, so nothing else reaches the address.
pub fn api_url(version: u8, kpis: &[String], kommuner: &[String], years: &[i32]) -> Result<String, AppError> {
    api_url_at(API_BASE, version, kpis, kommuner, years)
}

/// Kolada's public API.
pub const API_BASE: &str = "https://api.kolada.se";

/// [`api_url`] under another base address (an intranet mirror).
pub fn api_url_at(
    base: &str,
    version: u8,
    kpis: &[String],
    kommuner: &[String],
    years: &[i32],
) -> Result<String, AppError> {
    let base = base.trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() > 200 {
        return Err(AppError::User(format!(
            "RESURS_KOLADA_URL: värdet \"{base}\", förväntade en adress som börjar med https://"
        )));
    }
    if !matches!(version, 2 | 3) {
        return Err(AppError::User(format!(
            "--api: värdet \"{version}\", förväntade 2 eller 3"
        )));
    }
    if kpis.is_empty() || kpis.len() > 50 {
        return Err(AppError::User("--kpi: ange 1–50 nyckeltals-id".into()));
    }
    if let Some(k) = kpis.iter().find(|k| !is_kpi_id(k)) {
        return Err(AppError::User(format!(
            "--kpi: värdet \"{k}\", förväntade ett nyckeltals-id som N00669"
        )));
    }
    if kommuner.is_empty() || kommuner.len() > 300 {
        return Err(AppError::User("--kommun: ange 1–300 kommunkoder".into()));
    }
    if let Some(k) = kommuner.iter().find(|k| !is_kommun(k)) {
        return Err(AppError::User(format!(
            "--kommun: värdet \"{k}\", förväntade en kommunkod med fyra siffror (0000 = riket)"
        )));
    }
    if years.is_empty() || years.len() > 50 || years.iter().any(|y| !year_ok(*y)) {
        return Err(AppError::User("--ar: ange 1–50 år mellan 1900 och 2100".into()));
    }
    let ys: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    Ok(format!(
        "{base}/v{version}/data/kpi/{}/municipality/{}/year/{}",
        kpis.join(","),
        kommuner.join(","),
        ys.join(",")
    ))
}

/// The address of Kolada's municipality groups (API v2 or v3):
/// `…/v2/municipality_groups` or `…/v3/municipality_groups`.
pub fn groups_url_at(base: &str, version: u8) -> Result<String, AppError> {
    let base = base.trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() > 200 {
        return Err(AppError::User(format!(
            "RESURS_KOLADA_URL: värdet \"{base}\", förväntade en adress som börjar med https://"
        )));
    }
    if !matches!(version, 2 | 3) {
        return Err(AppError::User(format!(
            "--api: värdet \"{version}\", förväntade 2 eller 3"
        )));
    }
    Ok(format!("{base}/v{version}/municipality_groups"))
}

/// Fetches `url` and the pages it points to through `get` (the HTTP
/// client is the caller's), checks every page and stores them all, or
/// nothing. Only addresses on api.kolada.se are followed.
pub fn fetch_and_import(
    store: &mut Store,
    actor: &Actor,
    url: &str,
    get: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<ImportSummary, AppError> {
    let mut files = Vec::new();
    // Later pages must stay on the first page's host.
    let host: String = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/") + "/";
    let mut next = Some(url.to_string());
    while let Some(u) = next.take() {
        if files.len() >= MAX_PAGES {
            return Err(AppError::User(format!(
                "Kolada svarade med fler än {MAX_PAGES} sidor; begränsa urvalet"
            )));
        }
        if !u.starts_with(&host) {
            return Err(AppError::User(format!(
                "Kolada pekade på nästa sida \"{u}\", som inte ligger på {host}; inget sparades"
            )));
        }
        let text = get(&u).map_err(|e| {
            AppError::User(format!(
                "Kunde inte hämta {u}: {e}. Datorn behöver nå Koladas API ({host}); utan internet: hämta filen på en annan dator och kör resurs kolada import FIL"
            ))
        })?;
        let mut p = Parsed::default();
        let mut probs = Vec::new();
        let mut total = 0;
        parse(&u, &text, &mut p, &mut probs, &mut total);
        next = p.next.filter(|n| !n.is_empty());
        files.push((u, text));
    }
    import_texts(store, actor, &files)
}

/// The own municipality's code (set by `resurs kolada egen`, the demo: 9999).
pub fn own_code(store: &Store) -> Result<String, AppError> {
    store.meta(OWN_KEY)?.ok_or_else(|| {
        AppError::User("Egen kommunkod saknas; ange den med resurs kolada egen KOD (fyra siffror).".into())
    })
}

/// Sets the own municipality's code (audited).
pub fn set_own_code(store: &mut Store, actor: &Actor, kod: &str) -> Result<(), AppError> {
    if !is_kommun(kod) || kod == "0000" {
        return Err(AppError::User(format!(
            "kommunkod: värdet \"{kod}\", förväntade en kommunkod med fyra siffror (inte 0000, som är riket)"
        )));
    }
    let before = store.meta(OWN_KEY)?;
    let tx = store.begin()?;
    tx.set_meta(OWN_KEY, kod)?;
    audit(
        &tx,
        actor,
        &now(),
        "kolada egen kommun",
        "kommunkod",
        before.as_deref(),
        Some(kod),
    )?;
    tx.commit()?;
    Ok(())
}

/// Saves a peer group by name: by population group (`grupp`) or a list of
/// municipality codes (audited).
pub fn save_group(
    store: &mut Store,
    actor: &Actor,
    namn: &str,
    befolkningsgrupp: Option<&str>,
    kommuner: &[String],
) -> Result<PeerGroup, AppError> {
    let namn = namn.trim();
    if namn.is_empty() {
        return Err(AppError::User("--namn: ange jämförelsegruppens namn".into()));
    }
    crate::check_lengths(&[("--namn", namn, NAME_MAX)])?;
    let g = match (
        befolkningsgrupp.map(str::trim).filter(|s| !s.is_empty()),
        kommuner.is_empty(),
    ) {
        (Some(bg), true) => {
            crate::check_lengths(&[("--befolkningsgrupp", bg, NAME_MAX)])?;
            let known: BTreeSet<String> = store.kolada_kommuner()?.into_iter().map(|k| k.grupp).collect();
            if !known.contains(bg) {
                let list: Vec<&str> = known.iter().map(String::as_str).filter(|s| !s.is_empty()).collect();
                return Err(AppError::User(format!(
                    "--befolkningsgrupp: värdet \"{bg}\", förväntade en av: {}",
                    if list.is_empty() {
                        "(ingen importerad kommunmetadata har befolkningsgrupp)".to_string()
                    } else {
                        list.join(", ")
                    }
                )));
            }
            PeerGroup {
                namn: namn.into(),
                slag: "befolkningsgrupp".into(),
                grupp: bg.into(),
                kommuner: Vec::new(),
            }
        }
        (None, false) => {
            if kommuner.len() > 300 {
                return Err(AppError::User("--kommuner: högst 300 kommuner i en grupp".into()));
            }
            if let Some(k) = kommuner.iter().find(|k| !is_kommun(k) || *k == "0000") {
                return Err(AppError::User(format!(
                    "--kommuner: värdet \"{k}\", förväntade kommunkoder med fyra siffror (inte 0000)"
                )));
            }
            let mut ks = kommuner.to_vec();
            ks.sort();
            ks.dedup();
            PeerGroup {
                namn: namn.into(),
                slag: "lista".into(),
                grupp: String::new(),
                kommuner: ks,
            }
        }
        _ => {
            return Err(AppError::User(
                "Ange antingen --befolkningsgrupp eller --kommuner (inte båda, inte ingen)".into(),
            ))
        }
    };
    let tx = store.begin()?;
    let before = tx.save_peer_group(&g)?;
    let after = match g.slag.as_str() {
        "lista" => format!("lista {}", g.kommuner.join(",")),
        _ => format!("befolkningsgrupp {}", g.grupp),
    };
    audit(
        &tx,
        actor,
        &now(),
        "jämförelsegrupp",
        &g.namn,
        before.as_deref(),
        Some(&after),
    )?;
    tx.commit()?;
    Ok(g)
}

/// Saves a peer group by name from one of Kolada's imported municipality
/// groups (`gid`, e.g. G37411); its members are read from the imported
/// group, so a re-import of the groups updates the peer group (audited).
pub fn save_kolada_group(store: &mut Store, actor: &Actor, namn: &str, gid: &str) -> Result<PeerGroup, AppError> {
    let namn = namn.trim();
    let gid = gid.trim();
    if namn.is_empty() {
        return Err(AppError::User("--namn: ange jämförelsegruppens namn".into()));
    }
    crate::check_lengths(&[("--namn", namn, NAME_MAX)])?;
    let groups = store.kolada_groups()?;
    let Some(kg) = groups.iter().find(|g| g.id == gid) else {
        let list: Vec<String> = groups
            .iter()
            .take(20)
            .map(|g| format!("{} ({})", g.id, g.titel))
            .collect();
        let more = if groups.len() > 20 { ", …" } else { "" };
        return Err(AppError::User(format!(
            "--kolada-grupp: värdet \"{gid}\", förväntade en importerad kommungrupp: {}{more}",
            if list.is_empty() {
                "(inga är importerade; importera Koladas municipality_groups med resurs kolada import eller resurs kolada hamta --grupper)".to_string()
            } else {
                list.join(", ")
            }
        )));
    };
    let g = PeerGroup {
        namn: namn.into(),
        slag: "kolada".into(),
        grupp: kg.id.clone(),
        kommuner: Vec::new(),
    };
    let tx = store.begin()?;
    let before = tx.save_peer_group(&g)?;
    audit(
        &tx,
        actor,
        &now(),
        "jämförelsegrupp",
        &g.namn,
        before.as_deref(),
        Some(&format!("kolada {} {}", kg.id, kg.titel)),
    )?;
    tx.commit()?;
    Ok(g)
}

/// The members of a peer group (without `own`).
fn members(store: &Store, g: &PeerGroup, own: &str) -> Result<Vec<String>, AppError> {
    let mut m: Vec<String> = if g.slag == "kolada" {
        store
            .kolada_groups()?
            .into_iter()
            .find(|k| k.id == g.grupp)
            .map(|k| k.medlemmar.into_iter().map(|m| m.0).collect())
            .unwrap_or_default()
    } else if g.slag == "befolkningsgrupp" {
        store
            .kolada_kommuner()?
            .into_iter()
            .filter(|k| k.grupp == g.grupp)
            .map(|k| k.kod)
            .collect()
    } else {
        g.kommuner.clone()
    };
    m.retain(|k| k != own && k != "0000");
    Ok(m)
}

/// What `resurs kolada list` and the page's choices show.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub egen: Option<String>,
    pub nyckeltal: Vec<KpiRow>,
    pub grupper: Vec<GroupRow>,
    pub kommuner: usize,
    /// Kolada's imported municipality groups.
    pub kommungrupper: Vec<KoladaGroupRow>,
}

/// One of Kolada's municipality groups and its members.
#[derive(Debug, Clone, Serialize)]
pub struct KoladaGroupRow {
    pub id: String,
    pub titel: String,
    pub medlemmar: Vec<MemberRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub kod: String,
    pub namn: String,
}

impl MemberRow {
    /// `kod namn`, or the code alone when Kolada gave no name.
    pub fn label(&self) -> String {
        if self.namn.is_empty() {
            self.kod.clone()
        } else {
            format!("{} {}", self.kod, self.namn)
        }
    }
}

impl KoladaGroupRow {
    /// The members as `kod namn, kod namn, …` (CLI and web).
    pub fn members_text(&self) -> String {
        self.medlemmar
            .iter()
            .map(MemberRow::label)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Overview {
    /// What a peer group selects, as `resurs kolada list` and the page show
    /// it: its municipalities, the Kolada group (with its title when
    /// imported) or the population group.
    pub fn selection(&self, g: &GroupRow) -> String {
        match g.slag.as_str() {
            "lista" => g.kommuner.join(", "),
            "kolada" => match self.kommungrupper.iter().find(|k| k.id == g.grupp) {
                Some(k) => format!("{} {}", k.id, k.titel),
                None => format!("{} (inte importerad)", g.grupp),
            },
            _ => g.grupp.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct KpiRow {
    pub kpi: String,
    pub titel: String,
    pub omrade: String,
    pub enhet: String,
    pub per_kon: bool,
    pub varden: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub namn: String,
    pub slag: String,
    pub grupp: String,
    pub kommuner: Vec<String>,
}

/// The curated and imported KPIs with their counts, the saved groups.
pub fn overview(store: &Store) -> Result<Overview, AppError> {
    let counts: HashMap<String, i64> = store.kolada_value_counts()?.into_iter().collect();
    let meta: HashMap<String, KpiMeta> = store.kolada_kpis()?.into_iter().map(|k| (k.kpi.clone(), k)).collect();
    let mut rows: Vec<KpiRow> = curated()
        .into_iter()
        .map(|c| {
            let m = meta.get(&c.kpi);
            KpiRow {
                titel: m.map_or(c.titel.clone(), |m| m.titel.clone()),
                enhet: m
                    .map(|m| m.enhet.clone())
                    .filter(|e| !e.is_empty())
                    .unwrap_or(c.enhet.clone()),
                per_kon: m.is_some_and(|m| m.per_kon),
                varden: counts.get(&c.kpi).copied().unwrap_or(0),
                omrade: c.omrade,
                kpi: c.kpi,
            }
        })
        .collect();
    for (kpi, n) in &counts {
        if !rows.iter().any(|r| &r.kpi == kpi) {
            let m = meta.get(kpi);
            rows.push(KpiRow {
                kpi: kpi.clone(),
                titel: m.map_or_else(String::new, |m| m.titel.clone()),
                omrade: "övrigt".into(),
                enhet: m.map_or_else(String::new, |m| m.enhet.clone()),
                per_kon: m.is_some_and(|m| m.per_kon),
                varden: *n,
            });
        }
    }
    Ok(Overview {
        egen: store.meta(OWN_KEY)?,
        nyckeltal: rows,
        grupper: store
            .peer_groups()?
            .into_iter()
            .map(|g| GroupRow {
                namn: g.namn,
                slag: g.slag,
                grupp: g.grupp,
                kommuner: g.kommuner,
            })
            .collect(),
        kommuner: store.kolada_kommuner()?.len(),
        kommungrupper: {
            // A member given as a bare code gets its name from the municipality metadata.
            let names: HashMap<String, String> =
                store.kolada_kommuner()?.into_iter().map(|k| (k.kod, k.namn)).collect();
            store
                .kolada_groups()?
                .into_iter()
                .map(|g| KoladaGroupRow {
                    id: g.id,
                    titel: g.titel,
                    medlemmar: g
                        .medlemmar
                        .into_iter()
                        .map(|(kod, namn)| MemberRow {
                            namn: if namn.is_empty() {
                                names.get(&kod).cloned().unwrap_or_default()
                            } else {
                                namn
                            },
                            kod,
                        })
                        .collect(),
                })
                .collect()
        },
    })
}

/// One line of a comparison over years: values in hundredths.
#[derive(Debug, Clone, Serialize)]
pub struct Serie {
    pub kod: String,
    pub namn: String,
    /// egen, riket, median (the peer group's), grupp (a member), vald (chosen).
    pub roll: &'static str,
    pub varden: Vec<Option<i64>>,
}

/// The own municipality's place in the peer group in a year.
#[derive(Debug, Clone, Serialize)]
pub struct Placering {
    pub ar: i32,
    /// 1 = the highest value.
    pub rang: usize,
    /// Municipalities with a value (the own included).
    pub antal: usize,
    /// 1 = the highest quarter.
    pub kvartil: u8,
    pub egen: i64,
    pub median: Option<i64>,
}

/// A year's value per gender.
#[derive(Debug, Clone, Serialize)]
pub struct KonRad {
    pub kon: String,
    pub egen: Option<i64>,
    pub riket: Option<i64>,
    pub median: Option<i64>,
}

/// The comparison view of one KPI (values in hundredths of the KPI's unit).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub kpi: String,
    pub titel: String,
    pub enhet: String,
    pub per_kon: bool,
    pub kon: String,
    pub egen: String,
    pub grupp: Option<String>,
    pub ar: Vec<i32>,
    pub serier: Vec<Serie>,
    pub placering: Vec<Placering>,
    pub per_kon_senaste: Vec<KonRad>,
    /// The peer group (and the own) in the latest year, highest first.
    pub lista: Vec<ListRad>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListRad {
    pub kod: String,
    pub namn: String,
    pub varde: i64,
    pub rang: usize,
    pub egen: bool,
}

/// The choices of a comparison.
#[derive(Debug, Clone, Default)]
pub struct CompareOpts {
    pub kpi: String,
    /// K, M or T (default T).
    pub kon: Option<String>,
    /// A saved peer group's name.
    pub grupp: Option<String>,
    /// Chosen municipalities shown beside.
    pub kommuner: Vec<String>,
    pub fran: Option<i32>,
    pub till: Option<i32>,
}

fn hundredths(v: i64) -> i64 {
    resurs_core::num::round_div(v, 100)
}

/// The comparison of the own municipality with the country, a peer group
/// and chosen municipalities, over the years with values.
pub fn compare(store: &Store, o: &CompareOpts) -> Result<Comparison, AppError> {
    let own = own_code(store)?;
    if !is_kpi_id(&o.kpi) {
        return Err(AppError::User(format!(
            "--kpi: värdet \"{}\", förväntade ett nyckeltals-id som N00669",
            o.kpi
        )));
    }
    let kon = o.kon.clone().unwrap_or_else(|| "T".into());
    if !matches!(kon.as_str(), "K" | "M" | "T") {
        return Err(AppError::User(format!(
            "--kon: värdet \"{kon}\", förväntade K, M eller T"
        )));
    }
    if let Some(k) = o.kommuner.iter().find(|k| !is_kommun(k)) {
        return Err(AppError::User(format!(
            "--kommuner: värdet \"{k}\", förväntade en kommunkod med fyra siffror"
        )));
    }
    let all = store.kolada_values(&o.kpi)?;
    if all.is_empty() {
        return Err(AppError::User(format!(
            "Inga värden för {} är importerade; importera med resurs kolada import FIL",
            o.kpi
        )));
    }
    let names: HashMap<String, String> = store.kolada_kommuner()?.into_iter().map(|k| (k.kod, k.namn)).collect();
    let name = |k: &str| {
        names
            .get(k)
            .cloned()
            .unwrap_or_else(|| if k == "0000" { "Riket".into() } else { k.to_string() })
    };
    let meta = store.kolada_kpis()?.into_iter().find(|k| k.kpi == o.kpi);
    let cur = curated().into_iter().find(|c| c.kpi == o.kpi);
    let per_kon = all.iter().any(|v| v.kon != "T") || meta.as_ref().is_some_and(|m| m.per_kon);
    let group = match &o.grupp {
        Some(g) => Some(
            store
                .peer_groups()?
                .into_iter()
                .find(|x| &x.namn == g)
                .ok_or_else(|| AppError::User(format!("--grupp: ingen sparad jämförelsegrupp heter \"{g}\"")))?,
        ),
        None => None,
    };
    let peers = match &group {
        Some(g) => members(store, g, &own)?,
        None => Vec::new(),
    };
    // value[(kommun, år, kön)]
    let mut by: BTreeMap<(&str, i32, &str), i64> = BTreeMap::new();
    let mut years = BTreeSet::new();
    for v in &all {
        if let Some(x) = v.varde {
            by.insert((v.kommun.as_str(), v.ar, v.kon.as_str()), hundredths(x));
            if o.fran.is_none_or(|f| v.ar >= f) && o.till.is_none_or(|t| v.ar <= t) {
                years.insert(v.ar);
            }
        }
    }
    let ar: Vec<i32> = years.into_iter().collect();
    let series = |k: &str, g: &str| -> Vec<Option<i64>> { ar.iter().map(|y| by.get(&(k, *y, g)).copied()).collect() };
    let median_of = |y: i32, g: &str| -> Option<i64> {
        let vals: Vec<i64> = peers
            .iter()
            .filter_map(|p| by.get(&(p.as_str(), y, g)).copied())
            .collect();
        calc::median(&vals)
    };
    let mut serier = vec![Serie {
        kod: own.clone(),
        namn: name(&own),
        roll: "egen",
        varden: series(&own, &kon),
    }];
    serier.push(Serie {
        kod: "0000".into(),
        namn: "Riket".into(),
        roll: "riket",
        varden: series("0000", &kon),
    });
    if let Some(g) = &group {
        serier.push(Serie {
            kod: String::new(),
            namn: format!("{}: median", g.namn),
            roll: "median",
            varden: ar.iter().map(|y| median_of(*y, &kon)).collect(),
        });
    }
    for k in &o.kommuner {
        if k != &own && k != "0000" {
            serier.push(Serie {
                kod: k.clone(),
                namn: name(k),
                roll: "vald",
                varden: series(k, &kon),
            });
        }
    }
    let mut placering = Vec::new();
    if group.is_some() {
        for y in &ar {
            if let Some(e) = by.get(&(own.as_str(), *y, kon.as_str())) {
                let mut vals: Vec<i64> = peers
                    .iter()
                    .filter_map(|p| by.get(&(p.as_str(), *y, kon.as_str())).copied())
                    .collect();
                let median = calc::median(&vals);
                vals.push(*e);
                if let Some((rang, antal, kvartil)) = calc::rank_quartile(*e, &vals) {
                    placering.push(Placering {
                        ar: *y,
                        rang,
                        antal,
                        kvartil,
                        egen: *e,
                        median,
                    });
                }
            }
        }
    }
    let last = ar.last().copied();
    let per_kon_senaste = match last {
        Some(y) if per_kon => ["K", "M", "T"]
            .iter()
            .map(|g| KonRad {
                kon: (*g).into(),
                egen: by.get(&(own.as_str(), y, *g)).copied(),
                riket: by.get(&("0000", y, *g)).copied(),
                median: if group.is_some() { median_of(y, g) } else { None },
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut lista = Vec::new();
    if let (Some(y), Some(_)) = (last, &group) {
        let mut rows: Vec<(String, i64)> = peers
            .iter()
            .chain(std::iter::once(&own))
            .filter_map(|k| by.get(&(k.as_str(), y, kon.as_str())).map(|v| (k.clone(), *v)))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let vals: Vec<i64> = rows.iter().map(|r| r.1).collect();
        for (k, v) in rows {
            let rang = calc::rank_quartile(v, &vals).map_or(0, |r| r.0);
            lista.push(ListRad {
                namn: name(&k),
                egen: k == own,
                kod: k,
                varde: v,
                rang,
            });
        }
    }
    Ok(Comparison {
        titel: meta
            .as_ref()
            .map(|m| m.titel.clone())
            .or(cur.as_ref().map(|c| c.titel.clone()))
            .unwrap_or_default(),
        enhet: meta
            .as_ref()
            .map(|m| m.enhet.clone())
            .filter(|e| !e.is_empty())
            .or(cur.map(|c| c.enhet))
            .unwrap_or_default(),
        kpi: o.kpi.clone(),
        per_kon,
        kon,
        egen: own,
        grupp: group.map(|g| g.namn),
        ar,
        serier,
        placering,
        per_kon_senaste,
        lista,
    })
}

/// A cost area and the activity codes (verksamhet) of the ledger that
/// count as it (docs/jamforelser.md, "Kostnadsområden").
pub const AREAS: [(&str, &str, &[&str]); 3] = [
    ("aldreomsorg", "Äldreomsorg", &["510", "511", "512", "513", "514"]),
    ("lss", "Insatser enligt LSS", &["520", "521", "522", "523"]),
    (
        "ifo",
        "Individ- och familjeomsorg",
        &["560", "570", "580", "600", "610", "620"],
    ),
];

/// One area's cost level: own figures from the ledger and population beside
/// the published ones. Money in öre; per inhabitant in öre per inhabitant.
#[derive(Debug, Clone, Serialize)]
pub struct AreaCost {
    pub omrade: String,
    pub namn: String,
    pub verksamheter: Vec<String>,
    pub nettokostnad: i64,
    pub per_invanare: Option<i64>,
    /// Elder care only: per inhabitant 65+ and 80+.
    pub per_invanare_65: Option<i64>,
    pub per_invanare_80: Option<i64>,
    pub publicerad_per_invanare: Option<i64>,
    pub riket_per_invanare: Option<i64>,
    pub referens_per_invanare: Option<i64>,
    /// From the own ledger figures.
    pub steg: Option<Steps>,
    pub nka: Option<Deviation>,
    /// From the published net cost.
    pub steg_publicerad: Option<Steps>,
    pub nka_publicerad: Option<Deviation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostLevel {
    pub ar: i32,
    pub kommun: String,
    pub invanare: i64,
    pub invanare_65: i64,
    pub invanare_80: i64,
    pub omraden: Vec<AreaCost>,
}

/// The cost level of `year`: the ledger's net cost per area (the whole
/// year), the population of the year, and the imported published figures.
pub fn cost_level(store: &Store, year: i32) -> Result<CostLevel, AppError> {
    if !year_ok(year) {
        return Err(AppError::User(format!(
            "--ar: värdet \"{year}\", förväntade ett år mellan 1900 och 2100"
        )));
    }
    let own = own_code(store)?;
    let pop = |from: u32, to: u32| -> Result<i64, AppError> {
        Ok(store.population_band(year, from, to)?.map_or(0, |b| b.antal))
    };
    let invanare = pop(0, 200)?;
    if invanare == 0 {
        return Err(AppError::User(format!(
            "Ingen befolkning för {year} är importerad; importera befolkning (resurs import befolkning FIL)"
        )));
    }
    let (inv65, inv80) = (pop(65, 200)?, pop(80, 200)?);
    let (from, to) = match (Period::new(year, 1), Period::new(year, 12)) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(AppError::User(format!("--ar: värdet \"{year}\" går inte att använda"))),
    };
    let ledger: HashMap<String, Money> = store.ledger_by_activity(from, to)?.into_iter().collect();
    let refs = store.reference_costs(year)?;
    let find = |omrade: &str, kommun: &str| refs.iter().find(|r| r.omrade == omrade && r.kommun == kommun);
    let mut omraden = Vec::new();
    for (kod, namn, verks) in AREAS {
        let net: i64 = verks.iter().filter_map(|v| ledger.get(*v)).map(|m| m.ore()).sum();
        let pubown = find(kod, &own);
        let publicerad = pubown.map(|r| r.nettokostnad.ore());
        let riket = find(kod, "0000").map(|r| r.nettokostnad.ore());
        let referens = pubown.and_then(|r| r.referenskostnad).map(Money::ore);
        let elder = kod == "aldreomsorg";
        let steps_of = |net: i64, inh: i64| match (riket, referens) {
            (Some(c), Some(r)) => calc::steps(net, inh, c, r),
            _ => None,
        };
        let nka_of = |net: i64, inh: i64| referens.and_then(|r| calc::deviation(net, inh, r));
        omraden.push(AreaCost {
            omrade: kod.into(),
            namn: namn.into(),
            verksamheter: verks.iter().map(|v| v.to_string()).collect(),
            nettokostnad: net,
            per_invanare: calc::per_inhabitant(net, invanare),
            per_invanare_65: if elder { calc::per_inhabitant(net, inv65) } else { None },
            per_invanare_80: if elder { calc::per_inhabitant(net, inv80) } else { None },
            publicerad_per_invanare: publicerad,
            riket_per_invanare: riket,
            referens_per_invanare: referens,
            steg: steps_of(net, invanare),
            nka: nka_of(net, invanare),
            // The published figure is per inhabitant: as a total over one inhabitant.
            steg_publicerad: publicerad.and_then(|p| steps_of(p, 1)),
            nka_publicerad: publicerad.and_then(|p| nka_of(p, 1)).map(|d| Deviation {
                // Scaled to the whole population for mnkr.
                ore: d.ore.saturating_mul(invanare),
                mnkr_hundradelar: resurs_core::num::round_div(d.ore.saturating_mul(invanare), 1_000_000),
                procent: d.procent,
            }),
        });
    }
    Ok(CostLevel {
        ar: year,
        kommun: own,
        invanare,
        invanare_65: inv65,
        invanare_80: inv80,
        omraden,
    })
}

/// The header of the published costs file (docs/format/referenskostnad.md).
pub const REF_HEADER: &str = "år;område;kommun;nettokostnad_kr_per_invanare;referenskostnad_kr_per_invanare";

/// Reads the published net and reference costs per inhabitant (`;`, UTF-8):
/// the whole file or, with the row, column and value of each problem, nothing.
pub fn parse_reference(name: &str, text: &str) -> Result<Vec<RefCost>, AppError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    let head = lines.next().unwrap_or("").trim();
    if head != REF_HEADER {
        return Err(AppError::User(format!(
            "{name}: rad 1: rubrikraden \"{}\", förväntade \"{REF_HEADER}\"",
            shown_str(head)
        )));
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, line) in lines.enumerate() {
        let row = i + 2;
        if line.trim().is_empty() {
            continue;
        }
        if out.len() >= 100_000 {
            problems.push(format!("rad {row}: fler än 100 000 rader"));
            break;
        }
        if problems.len() >= resurs_core::limits::MAX_PROBLEMS {
            problems.push(format!("rad {row}: för många fel; resten av filen lästes inte"));
            break;
        }
        let c: Vec<&str> = line.split(';').map(str::trim).collect();
        if c.len() != 5 {
            problems.push(format!("rad {row}: {} kolumner, förväntade 5", c.len()));
            continue;
        }
        let ar = c[0].parse::<i32>().ok().filter(|y| year_ok(*y));
        if ar.is_none() {
            problems.push(format!(
                "rad {row}, kolumn år: värdet \"{}\", förväntade ett år 1900–2100",
                shown_str(c[0])
            ));
        }
        if !AREAS.iter().any(|a| a.0 == c[1]) {
            problems.push(format!(
                "rad {row}, kolumn område: värdet \"{}\", förväntade aldreomsorg, lss eller ifo",
                shown_str(c[1])
            ));
        }
        if !is_kommun(c[2]) {
            problems.push(format!(
                "rad {row}, kolumn kommun: värdet \"{}\", förväntade en kommunkod med fyra siffror",
                shown_str(c[2])
            ));
        }
        let netto = Money::parse_sv(c[3]).ok();
        if netto.is_none() {
            problems.push(format!(
                "rad {row}, kolumn nettokostnad_kr_per_invanare: värdet \"{}\", förväntade kronor, t.ex. 23 456,50",
                shown_str(c[3])
            ));
        }
        let referens = if c[4].is_empty() {
            Some(None)
        } else {
            Money::parse_sv(c[4]).ok().map(Some)
        };
        if referens.is_none() {
            problems.push(format!(
                "rad {row}, kolumn referenskostnad_kr_per_invanare: värdet \"{}\", förväntade kronor eller tomt",
                shown_str(c[4])
            ));
        }
        if let (Some(ar), Some(netto), Some(referens)) = (ar, netto, referens) {
            if !seen.insert((ar, c[1].to_string(), c[2].to_string())) {
                problems.push(format!(
                    "rad {row}: {ar} {} {} finns redan på en tidigare rad",
                    shown_str(c[1]),
                    shown_str(c[2])
                ));
            }
            out.push(RefCost {
                ar,
                omrade: c[1].into(),
                kommun: c[2].into(),
                nettokostnad: netto,
                referenskostnad: referens,
            });
        }
    }
    if !problems.is_empty() {
        let n = problems.len();
        problems.truncate(MAX_PROBLEMS);
        return Err(AppError::User(format!(
            "{name} refuserades; inget sparades ({n} fel):\n  {}",
            problems.join("\n  ")
        )));
    }
    Ok(out)
}

/// Stores published costs (replacing those of the same year, area and
/// municipality; the audit log keeps the old).
pub fn import_reference(store: &mut Store, actor: &Actor, name: &str, text: &str) -> Result<usize, AppError> {
    let rows = parse_reference(name, text)?;
    let ts = now();
    let tx = store.begin()?;
    let show = |n: i64, r: Option<i64>| {
        format!(
            "nettokostnad {}, referenskostnad {}",
            Money::from_ore(n).fmt_kr(),
            r.map_or("–".into(), |r| Money::from_ore(r).fmt_kr())
        )
    };
    for r in &rows {
        let before = tx.reference_cost(r.ar, &r.omrade, &r.kommun)?;
        tx.put_reference_cost(r)?;
        if let Some((n, rf)) = before {
            audit(
                &tx,
                actor,
                &ts,
                "referenskostnad",
                &format!("{} {} {}", r.ar, r.omrade, r.kommun),
                Some(&show(n, rf)),
                Some(&show(r.nettokostnad.ore(), r.referenskostnad.map(Money::ore))),
            )?;
        }
    }
    audit(
        &tx,
        actor,
        &ts,
        "referenskostnad import",
        name,
        None,
        Some(&format!("{} rader", rows.len())),
    )?;
    tx.commit()?;
    Ok(rows.len())
}

/// The tables of a comparison, as the page, the xlsx and CSV show them
/// (values in hundredths of the KPI's unit).
pub fn comparison_grids(c: &Comparison) -> Vec<resurs_io::grid::Grid> {
    use resurs_io::grid::{Cell, Col, Grid, Kind};
    let v1 = Kind::Hundredths { decimals: 1 };
    let unit = if c.enhet.is_empty() {
        String::new()
    } else {
        format!(", {}", c.enhet)
    };
    let mut cols = vec![Col::text("Kommun"), Col::text("Jämförelse")];
    cols.extend(c.ar.iter().map(|y| Col::new(y.to_string(), v1)));
    let head_unit = if c.titel.ends_with(&c.enhet) { "" } else { unit.as_str() };
    let mut g = Grid::new("serier", format!("{} {}{head_unit} ({})", c.kpi, c.titel, c.kon), cols);
    for s in &c.serier {
        let roll = match s.roll {
            "egen" => "egen kommun",
            "riket" => "riket",
            "median" => "jämförelsegruppens median",
            _ => "vald kommun",
        };
        let mut cells = vec![Cell::text(&s.namn), Cell::text(roll)];
        cells.extend(s.varden.iter().map(|v| Cell::opt(*v)));
        g.push(cells);
    }
    let mut out = vec![g];
    if !c.placering.is_empty() {
        let mut p = Grid::new(
            "placering",
            format!("Placering i {}", c.grupp.clone().unwrap_or_default()),
            vec![
                Col::text("År"),
                Col::new("Rang (1 = högst)", Kind::Count),
                Col::new("Antal med värde", Kind::Count),
                Col::new("Kvartil (1 = högsta)", Kind::Count),
                Col::new(format!("Eget värde{unit}"), v1),
                Col::new(format!("Gruppens median{unit}"), v1),
            ],
        );
        for x in &c.placering {
            p.push(vec![
                Cell::text(x.ar.to_string()),
                Cell::Num(x.rang as i64),
                Cell::Num(x.antal as i64),
                Cell::Num(i64::from(x.kvartil)),
                Cell::Num(x.egen),
                Cell::opt(x.median),
            ]);
        }
        out.push(p);
    }
    if !c.per_kon_senaste.is_empty() {
        let y = c.ar.last().copied().unwrap_or_default();
        let mut k = Grid::new(
            "kon",
            format!("Kvinnor, män och totalt {y}"),
            vec![
                Col::text("Kön"),
                Col::new(format!("Egen kommun{unit}"), v1),
                Col::new(format!("Riket{unit}"), v1),
                Col::new(format!("Gruppens median{unit}"), v1),
            ],
        );
        for r in &c.per_kon_senaste {
            let name = match r.kon.as_str() {
                "K" => "Kvinnor",
                "M" => "Män",
                _ => "Totalt",
            };
            k.push(vec![
                Cell::text(name),
                Cell::opt(r.egen),
                Cell::opt(r.riket),
                Cell::opt(r.median),
            ]);
        }
        out.push(k);
    }
    if !c.lista.is_empty() {
        let y = c.ar.last().copied().unwrap_or_default();
        let mut l = Grid::new(
            "lista",
            format!("Jämförelsegruppen {y}"),
            vec![
                Col::new("Rang", Kind::Count),
                Col::text("Kommun"),
                Col::new(format!("Värde{unit}"), v1),
            ],
        );
        for r in &l_rows(c) {
            l.rows.push(resurs_io::grid::Row {
                cells: vec![Cell::Num(r.1 as i64), Cell::text(&r.2), Cell::Num(r.3)],
                class: r.0,
            });
        }
        out.push(l);
    }
    out
}

fn l_rows(c: &Comparison) -> Vec<(Option<&'static str>, usize, String, i64)> {
    c.lista
        .iter()
        .map(|r| {
            (
                r.egen.then_some("sum"),
                r.rang,
                format!("{} {}{}", r.kod, r.namn, if r.egen { " (egen)" } else { "" }),
                r.varde,
            )
        })
        .collect()
}

/// The tables of the cost level page, the xlsx and CSV.
pub fn cost_grids(c: &CostLevel) -> Vec<resurs_io::grid::Grid> {
    use resurs_io::grid::{Cell, Col, Grid, Kind};
    let mut a = Grid::new(
        "kostnad",
        format!("Nettokostnad per invånare {}", c.ar),
        vec![
            Col::text("Område"),
            Col::text("Verksamheter i huvudboken"),
            Col::new("Nettokostnad, tkr", Kind::Tkr),
            Col::new("Kr/inv (egen)", Kind::KrWhole),
            Col::new("Kr/inv 65+ (egen)", Kind::KrWhole),
            Col::new("Kr/inv 80+ (egen)", Kind::KrWhole),
            Col::new("Kr/inv (publicerad)", Kind::KrWhole),
            Col::new("Riket, kr/inv", Kind::KrWhole),
            Col::new("Referenskostnad, kr/inv", Kind::KrWhole),
        ],
    );
    for x in &c.omraden {
        a.push(vec![
            Cell::text(&x.namn),
            Cell::text(x.verksamheter.join(", ")),
            Cell::Num(x.nettokostnad),
            Cell::opt(x.per_invanare),
            Cell::opt(x.per_invanare_65),
            Cell::opt(x.per_invanare_80),
            Cell::opt(x.publicerad_per_invanare),
            Cell::opt(x.riket_per_invanare),
            Cell::opt(x.referens_per_invanare),
        ]);
    }
    let idx = Kind::Hundredths { decimals: 1 };
    let mut s = Grid::new(
        "steg",
        format!("Strukturjusterad jämförelse {}", c.ar),
        vec![
            Col::text("Område"),
            Col::text("Underlag"),
            Col::new("Steg 1: nettokostnad, index (riket = 100)", idx),
            Col::new("Steg 2: standardkostnad, index (riket = 100)", idx),
            Col::new("Steg 3: nettokostnad över standardkostnad", Kind::Percent),
            Col::new("NKA, mnkr", idx),
            Col::new("NKA", Kind::Percent),
        ],
    );
    for x in &c.omraden {
        for (label, st, nka) in [
            ("egen bokföring", &x.steg, &x.nka),
            ("publicerad", &x.steg_publicerad, &x.nka_publicerad),
        ] {
            s.push(vec![
                Cell::text(&x.namn),
                Cell::text(label),
                Cell::opt(st.map(|v| v.steg1)),
                Cell::opt(st.map(|v| v.steg2)),
                Cell::opt(st.map(|v| v.steg3)),
                Cell::opt(nka.map(|d| d.mnkr_hundradelar)),
                Cell::opt(nka.map(|d| d.procent)),
            ]);
        }
    }
    vec![a, s]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(text: &str) -> (Parsed, Vec<String>) {
        let mut p = Parsed::default();
        let mut probs = Vec::new();
        let mut total = 0;
        parse("f.json", text, &mut p, &mut probs, &mut total);
        (p, probs)
    }

    /// Found by probing: the year was cast to i32 before it was checked,
    /// so -4294965296 (2000 − 2³²) was read as the year 2000.
    /// Bounds before parsing: one file over 16 MiB, or files over 128 MiB
    /// together, are refused with their size and nothing is parsed; the
    /// file reader stops one byte past the limit (a pipe reports size 0).
    #[test]
    fn oversized_kolada_files_are_refused_before_parsing() {
        let big = "x".repeat(MAX_FILE_BYTES as usize + 1);
        let e = check_texts(&[("stor.json".into(), big.clone())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("stor.json") && e.contains("gränsen 16777216 byte"), "{e}");
        let part = "y".repeat(MAX_FILE_BYTES as usize);
        let many: Vec<(String, String)> = (0..9).map(|i| (format!("sida{i}.json"), part.clone())).collect();
        let e = check_texts(&many).unwrap_err().to_string();
        assert!(e.contains("högst 134217728 byte i en Koladaimport"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stor.json");
        std::fs::write(&path, &big).unwrap();
        let e = read_file(&path).unwrap_err().to_string();
        assert!(e.contains("gränsen 16777216 byte"), "{e}");
        std::fs::write(&path, "{\"values\": []}").unwrap();
        assert_eq!(read_file(&path).unwrap(), "{\"values\": []}");
    }

    #[test]
    fn a_year_far_outside_i32_is_refused_not_wrapped() {
        for y in ["-4294965296", "4294969296"] {
            let text = format!(
                r#"{{"values":[{{"kpi":"N00669","municipality":"0000","period":{y},"values":[{{"gender":"T","value":1}}]}}]}}"#
            );
            let (p, probs) = parse_one(&text);
            assert!(p.values.is_empty(), "{y}: {:?}", p.values);
            assert_eq!(
                probs,
                [format!(
                    "f.json: $.values[0].period: värdet {y}, förväntade ett år mellan 1900 och 2100"
                )]
            );
        }
    }

    /// Found by probing: every bad row of a reference-cost file added a
    /// message quoting its value whole.
    #[test]
    fn a_hostile_reference_file_is_refused_briefly() {
        let mut text = format!("{REF_HEADER}\n");
        text.push_str(&"x\n".repeat(100_000));
        text.push_str(&format!("2025;{};9999;1;1\n", "a".repeat(100_000)));
        let e = parse_reference("ref.csv", &text).unwrap_err().to_string();
        assert!(e.len() < 5_000, "{} bytes", e.len());
        assert!(e.contains("(201 fel)"), "{e}");
        let e = parse_reference(
            "ref.csv",
            &format!("{REF_HEADER}\n2025;{};9999;1;1\n", "a".repeat(100_000)),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("värdet \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…\""),
            "{e}"
        );
        assert!(e.len() < 500, "{e}");
    }

    #[test]
    fn reads_v2_and_v3_values_and_metadata() {
        let v2 = r#"{"count":1,"values":[{"kpi":"N00669","municipality":"0000","period":2024,
            "values":[{"count":1,"gender":"T","status":"","value":12345.6},{"count":1,"gender":"K","status":null,"value":null}]}],
            "next_page":"https://api.kolada.se/v2/data/kpi/N00669/year/2024?page=2"}"#;
        let (p, probs) = parse_one(v2);
        assert!(probs.is_empty(), "{probs:?}");
        assert_eq!(p.values.len(), 2);
        assert_eq!(p.values[0].varde, Some(123_456_000));
        assert_eq!(p.values[1].varde, None);
        assert!(p.next.is_some());
        let v3 = r#"{"count":2,"values":[{"id":"U21463","title":"Nöjdhet","description":"…","is_divided_by_gender":true,"municipality_type":"K"},
            {"id":"9999","title":"Exempelstad","type":"K","population_group":"50 000–99 999 invånare"}],"next_url":null}"#;
        let (p, probs) = parse_one(v3);
        assert!(probs.is_empty(), "{probs:?}");
        assert_eq!(p.kpis.len(), 1);
        assert!(p.kpis[0].per_kon);
        assert_eq!(p.kommuner[0].grupp, "50 000–99 999 invånare");
    }

    #[test]
    fn bad_values_are_named_by_their_json_path() {
        let bad = r#"{"values":[{"kpi":"N00669","municipality":"123","period":1800,
            "values":[{"gender":"X","value":"12,3"}]}]}"#;
        let (p, probs) = parse_one(bad);
        assert!(p.values.is_empty());
        let all = probs.join("\n");
        assert!(all.contains("$.values[0].municipality: värdet \"123\""), "{all}");
        assert!(all.contains("$.values[0].period: värdet 1800"), "{all}");
        assert!(all.contains("$.values[0].values[0].gender: värdet \"X\""), "{all}");
        assert!(
            all.contains("$.values[0].values[0].value: värdet \"12,3\", förväntade ett tal"),
            "{all}"
        );
        let (_, probs) = parse_one(r#"{"rows":[]}"#);
        assert!(probs[0].contains("$.values: okänd form"), "{probs:?}");
    }

    #[test]
    fn municipality_groups_in_v2_and_v3_shapes() {
        // v2 /v2/municipality_groups: members as objects {id, title}.
        let v2 = r#"{"count":1,"values":[{"id":"G37411","title":"Liknande kommuner",
            "members":[{"id":"1266","title":"Hörby"},{"id":"1214","title":"Svalöv"},{"id":"1266","title":"Hörby"}]}]}"#;
        let (p, probs) = parse_one(v2);
        assert!(probs.is_empty(), "{probs:?}");
        assert_eq!(p.grupper.len(), 1);
        assert_eq!(
            p.grupper[0].medlemmar,
            vec![("1214".into(), "Svalöv".into()), ("1266".into(), "Hörby".into())],
            "sorted, a repeated member once"
        );
        assert!(
            p.kpis.is_empty() && p.kommuner.is_empty(),
            "G37411 is not read as a KPI"
        );
        // v3 /v3/municipality_groups: paged with next_url; bare codes are taken too.
        let v3 = r#"{"count":1,"values":[{"id":"G1","title":"T","members":["0114"]}],"next_url":"https://api.kolada.se/v3/municipality_groups?page=2"}"#;
        let (p, probs) = parse_one(v3);
        assert!(probs.is_empty(), "{probs:?}");
        assert_eq!(p.grupper[0].medlemmar, vec![("0114".into(), String::new())]);
        assert!(p.next.is_some());
        let (p, probs) = parse_one(r#"{"values":[{"id":"G1","title":"T","members":["114"]}]}"#);
        assert!(p.grupper.is_empty());
        assert!(probs[0].contains("$.values[0].members[0]: värdet \"114\""), "{probs:?}");
    }

    #[test]
    fn exact_ten_thousandths() {
        let n = |s: &str| ten_thousandths(&serde_json::from_str::<serde_json::Number>(s).unwrap());
        assert_eq!(n("87.3"), Some(873_000));
        assert_eq!(n("-0.12345"), Some(-1235));
        assert_eq!(n("100"), Some(1_000_000));
        assert_eq!(n("1e2"), Some(1_000_000));
    }

    #[test]
    fn api_address_is_built_from_checked_ids() {
        let u = api_url(
            2,
            &["N00669".into(), "U21463".into()],
            &["9999".into(), "0000".into()],
            &[2024, 2025],
        )
        .unwrap();
        assert_eq!(
            u,
            "https://api.kolada.se/v2/data/kpi/N00669,U21463/municipality/9999,0000/year/2024,2025"
        );
        assert!(api_url(2, &["N0/../x".into()], &["9999".into()], &[2024]).is_err());
        assert!(api_url(3, &["N00669".into()], &["99".into()], &[2024]).is_err());
    }
}
