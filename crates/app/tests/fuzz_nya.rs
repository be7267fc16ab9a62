//! The mutation fuzzer (docs/fuzzing.md) over the readers of user files
//! added after the first fuzzing round: allocation keys (KPB), posting
//! rules, cost types, Kolada JSON, published reference costs, report
//! templates, goal files, and the staff, activity-code and population
//! imports. The engine is `crates/io/tests/support/fuzz_engine.rs`, shared
//! with `crates/io/tests/fuzz.rs`; the checks are the same: no panic, no
//! hang (2 s per input), an output bounded by the input, and here also
//! short messages (a value is quoted cut, never a whole hostile line).
//!
//! `cargo test -p resurs-app --test fuzz_nya` runs a few thousand cases per
//! reader; `scripts/fuzz.sh` runs the long runs (`FUZZ_CASES`, `FUZZ_SEED`,
//! `FUZZ_REPLAY=FIL` as for the other readers).

#[path = "../../io/tests/support/fuzz_engine.rs"]
mod fuzz_engine;

use fuzz_engine::{cases, fuzz_with};
use resurs_app::import::{import_file, Kind, Options, Outcome};
use resurs_app::keys::NewKey;
use resurs_app::{Actor, AppError};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// The longest message one problem may have.
const MESSAGE_MAX: usize = 1000;
/// The longest refusal (all its listed problems together).
const REFUSAL_MAX: usize = 32 * 1024;

fn docs(file: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs").join(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The fenced examples of a docs page whose fence starts with `fence`
/// (e.g. "```csv").
fn doc_examples(file: &str, fence: &str) -> Vec<Vec<u8>> {
    let text = docs(file);
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        match &mut cur {
            None if line.trim_start().starts_with(fence) => cur = Some(String::new()),
            Some(c) if line.trim_start().starts_with("```") => {
                out.push(std::mem::take(c).into_bytes());
                cur = None;
            }
            Some(c) => {
                c.push_str(line);
                c.push('\n');
            }
            None => {}
        }
    }
    assert!(!out.is_empty(), "docs/{file} has no {fence} example");
    out
}

/// Messages are short: a value is quoted cut.
fn short(messages: &[String]) -> usize {
    for m in messages {
        assert!(
            m.chars().count() <= MESSAGE_MAX,
            "a message of {} characters",
            m.chars().count()
        );
    }
    messages.len()
}

/// A refusal is bounded, whatever the file.
fn refusal(e: &AppError) -> usize {
    let s = e.to_string();
    assert!(s.len() <= REFUSAL_MAX, "a refusal of {} bytes", s.len());
    1
}

fn text(input: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(input)
}

const CSV_TOKENS: &[&[u8]] = &[
    b";;;;;",
    b"\n;\n",
    b"100,00",
    b"0,001",
    b"-0",
    b"   ",
    b"\xe2\x80\xa6",
    b"9223372036854775807",
];

#[test]
fn kpb_keys_never_panic_hang_or_grow() {
    let mut seeds = doc_examples("format/fordelningsnycklar.md", "```csv");
    seeds.push(resurs_app::demo_kpb::nycklar().into_bytes());
    let enheter: BTreeSet<String> = ["711", "712", "731", "FH", "HVB1", "HVB2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let insatser: BTreeSet<String> = ["HT_OMV", "SÄBO"].iter().map(|s| s.to_string()).collect();
    let mut extra: Vec<&[u8]> = CSV_TOKENS.to_vec();
    extra.extend([
        &b"andel"[..],
        b"timmar",
        b"kvm",
        b"\xc3\xa5rsarbetare",
        b"Ledning;710;andel;711;;",
    ]);
    fuzz_with(
        "kpb-nycklar",
        &seeds,
        &extra,
        cases(3000),
        1,
        |input| match resurs_core::kpb::parse_nycklar(&text(input)) {
            Ok(rows) => rows.len() + short(&resurs_core::kpb::check_nycklar(&rows, &enheter, &insatser)),
            Err(errs) => short(&errs),
        },
    );
}

#[test]
fn posting_rules_never_panic_hang_or_grow() {
    let seeds = doc_examples("format/konteringsregler.md", "```csv");
    let mut extra: Vec<&[u8]> = CSV_TOKENS.to_vec();
    extra.extend([
        &b"bestallare;"[..],
        b"utforare;",
        b"insats;",
        b"kontonamn;",
        b"slag;kod;konto;objekt;namn\n",
    ]);
    fuzz_with(
        "konteringsregler",
        &seeds,
        &extra,
        cases(3000),
        1,
        |input| match resurs_core::close::parse_rules(&text(input)) {
            Ok(r) => 1 + r.utforare.len() + r.insatser.len() + r.kontonamn.len(),
            Err(p) => short(&p.iter().map(|p| p.render("f.csv")).collect::<Vec<_>>()),
        },
    );
}

#[test]
fn cost_types_never_panic_hang_or_grow() {
    let mut seeds = doc_examples("format/kostnadsslag.md", "```csv");
    seeds.push(std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/kostnadsslag.csv")).unwrap());
    let mut extra: Vec<&[u8]> = CSV_TOKENS.to_vec();
    extra.extend([
        &b"version;"[..],
        b"grupp;fr\xc3\xa5n;till\n",
        b"kop;",
        b"999999999",
        b"1000000000",
    ]);
    fuzz_with("kostnadsslag", &seeds, &extra, cases(3000), 1, |input| {
        match resurs_core::drift::Kostnadsslag::parse(&text(input), "f.csv") {
            Ok(k) => {
                // Every lookup answers, whatever the account.
                for konto in ["", "5", "5011", "50111", "999999999999", "x"] {
                    let _ = k.grupp(konto);
                }
                1 + k.intervall.len()
            }
            Err(p) => short(&p),
        }
    });
}

/// The demo's Kolada pages, cut to a few values each (a seed is at most
/// the engine's largest input).
fn kolada_seeds() -> Vec<Vec<u8>> {
    let mut seeds = doc_examples("format/kolada.md", "```json");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/kolada");
    let mut pages = Vec::new();
    for f in [
        "kommuner.json",
        "nyckeltal.json",
        "varden-sida1.json",
        "varden-sida2.json",
    ] {
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join(f)).unwrap()).unwrap();
        if let Some(serde_json::Value::Array(a)) = v.get_mut("values") {
            a.truncate(12);
        }
        seeds.push(serde_json::to_vec_pretty(&v).unwrap());
        pages.push(v);
    }
    // A JSON list of pages, as `kolada import` also reads.
    seeds.push(serde_json::to_vec(&serde_json::Value::Array(pages[1..3].to_vec())).unwrap());
    seeds
}

#[test]
fn kolada_json_never_panics_hangs_or_grows() {
    let seeds = kolada_seeds();
    let extra: &[&[u8]] = &[
        b"{\"values\":[",
        b"{\"kpi\":\"N00669\",\"municipality\":\"0000\",\"period\":2025,\"values\":[]}",
        b"{\"gender\":\"T\",\"value\":1.5}",
        b"\"period\":",
        b"-4294965296",
        b"4294969296",
        b"18446744073709551615",
        b"1e400",
        b"-0.00005",
        b"0.123456789",
        b"null",
        b"true",
        b"[[[[[[[[[[[[[[[[",
        b"]]]]]]]]]]]]]]]]",
        b"\"\\ud800\"",
        b"\"\\u0000\"",
        b",",
        b":",
    ];
    fuzz_with("kolada", &seeds, extra, cases(3000), 1, |input| {
        let mut out = resurs_app::kolada::Parsed::default();
        let mut problems = Vec::new();
        let mut total = 0;
        resurs_app::kolada::parse("f.json", &text(input), &mut out, &mut problems, &mut total);
        for v in &out.values {
            assert!(resurs_core::limits::year_ok(v.ar), "year {} read", v.ar);
        }
        short(&problems) + out.values.len() + out.kpis.len() + out.kommuner.len()
    });
}

#[test]
fn reference_costs_never_panic_hang_or_grow() {
    let mut seeds = doc_examples("format/referenskostnad.md", "```");
    seeds.push(
        b"\xef\xbb\xbf\xc3\xa5r;omr\xc3\xa5de;kommun;nettokostnad_kr_per_invanare;referenskostnad_kr_per_invanare\n\
2025;aldreomsorg;9999;27 310;25 704\n2025;lss;9999;9 876,50;\n2025;ifo;0000;4 100;4 100\n"
            .to_vec(),
    );
    let mut extra: Vec<&[u8]> = CSV_TOKENS.to_vec();
    extra.extend([&b"aldreomsorg"[..], b"lss", b"ifo", b"0000", b"2100", b"1899"]);
    fuzz_with(
        "referenskostnad",
        &seeds,
        &extra,
        cases(3000),
        1,
        |input| match resurs_app::kolada::parse_reference("f.csv", &text(input)) {
            Ok(rows) => rows.len(),
            Err(e) => refusal(&e),
        },
    );
}

#[test]
fn report_templates_never_panic_hang_or_grow() {
    let mut seeds = doc_examples("format/rapportmall.md", "```");
    seeds.retain(|s| s.starts_with(b"#"));
    for typ in ["manad", "delar", "ar"] {
        let t = resurs_app::rapport::Typ::parse(typ).unwrap();
        seeds.push(resurs_app::rapport::default_template(t).into_bytes());
    }
    let extra: &[&[u8]] = &[
        b" = ",
        b"avsnitt = ",
        b"n\xc3\xa4mnd = ",
        b"logotyp = ../../etc/passwd",
        b": ",
        b"kpb",
        b"mal",
    ];
    fuzz_with(
        "rapportmall",
        &seeds,
        extra,
        cases(3000),
        1,
        |input| match resurs_app::rapport::parse_template(&text(input), "mall.txt") {
            Ok(t) => 1 + t.avsnitt.len(),
            Err(e) => refusal(&e),
        },
    );
}

#[test]
fn goal_files_never_panic_hang_or_grow() {
    let mut seeds = doc_examples("format/mal.md", "```csv");
    seeds.push(resurs_app::demo_mal::goal_file().into_bytes());
    // A long cascade, each goal under the one before (1 500 goals, within
    // the largest input): the cycle check must stay linear.
    let mut chain = String::from("typ;kod;namn;nivå;överordnad;ansvarig;nyckel\n");
    for i in 0..1500 {
        let over = if i == 0 { String::new() } else { format!("G{}", i - 1) };
        chain.push_str(&format!("mål;G{i};n;enhet;{over};a;\n"));
    }
    seeds.push(chain.into_bytes());
    // What the database holds: an indicator, three nodes, a KPB service.
    let stored_goals: HashMap<String, resurs_store::GoalRow> = HashMap::new();
    let stored_inds: HashSet<String> = ["I99".to_string()].into();
    let org: HashSet<String> = ["71", "73", "731"].iter().map(|s| s.to_string()).collect();
    let services: HashSet<String> = ["HT_OMV".to_string()].into();
    let mut extra: Vec<&[u8]> = CSV_TOKENS.to_vec();
    extra.extend([
        &b"m\xc3\xa5l;"[..],
        b"indikator;",
        b"utfall;",
        b"KF1",
        b"VON1",
        b"absolut",
        b"relativ",
        b"procentenheter",
        b"71:50, 73:150",
        b"budgetavvikelse:71",
        b"2026-13",
    ]);
    fuzz_with("mal", &seeds, &extra, cases(2000), 1, |input| {
        let Ok(mut t) =
            resurs_io::TableReader::from_csv("mal.csv".into(), Box::new(std::io::Cursor::new(input.to_vec())))
        else {
            return 0;
        };
        match resurs_app::mal::check_table(&mut t, &stored_goals, &stored_inds, &org, &services) {
            Ok(c) => c.goals.len() + c.inds.len() + c.outs.len(),
            Err(p) => {
                let r = p.render();
                let longest = p.listed().iter().map(|x| x.render()).max_by_key(String::len);
                assert!(
                    r.len() <= REFUSAL_MAX,
                    "a refusal of {} bytes; longest: {longest:?}",
                    r.len()
                );
                p.listed().len()
            }
        }
    });
}

/// The imports that need the database (units to refer to, the pseudonym
/// key) are fuzzed whole, as a dry run: each file is checked as a real
/// import would and everything is rolled back.
fn fuzz_import(name: &str, kind: Kind, file: &str, n: u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = resurs_store::Store::open(&dir.path().join("fuzz.db")).unwrap();
    let opts = || Options {
        new_key: NewKey::Demo(1),
        ..Options::now(Actor::new("fuzz"))
    };
    // The organisation and the units of docs/format/utforare.md.
    let org = "kod;namn;nivå;överordnad;giltig_från;giltig_till\nEXS;Exempelstad;kommun;;2020-01-01;\n\
               71;Hemtjänst;avdelning;EXS;2020-01-01;\n711;Centrum;ansvar;71;2020-01-01;\n\
               719;LOV;ansvar;71;2020-01-01;\n731;Södergården;ansvar;71;2020-01-01;\n\
               749;Entreprenad;ansvar;71;2020-01-01;\n76103;Cedervägen;ansvar;71;2020-01-01;\n";
    let units = doc_examples("format/utforare.md", "```csv").remove(0);
    for (kind, file, bytes) in [
        (Kind::Organisation, "organisation.csv", org.as_bytes().to_vec()),
        (Kind::Utforare, "utforare.csv", units),
    ] {
        let path = dir.path().join(file);
        std::fs::write(&path, bytes).unwrap();
        let done = import_file(&mut store, kind, &path, opts()).unwrap();
        assert!(matches!(done, Outcome::Imported { .. }), "{done:?}");
    }
    let seeds = doc_examples(file, "```csv");
    let path = dir.path().join("f.csv");
    let extra: &[&[u8]] = &[
        b"19800101-0001",
        b"800101-0001",
        b"20250101-0002",
        b"711",
        b"2025-01",
        b"744,01",
        b"-1",
        b"2025-02-29",
        b"utfall",
        b"prognos",
    ];
    let store = std::cell::RefCell::new(store);
    fuzz_with(name, &seeds, extra, n, 1, |input| {
        std::fs::write(&path, input).unwrap();
        let o = Options {
            dry_run: true,
            ..opts()
        };
        match import_file(&mut store.borrow_mut(), kind, &path, o) {
            Ok(Outcome::Imported { rows, .. }) => rows,
            Ok(Outcome::Refused(p)) => p.listed().len(),
            Ok(Outcome::AlreadyImported { .. }) => 0,
            Err(e) => refusal(&e),
        }
    });
}

#[test]
fn staff_files_never_panic_hang_or_grow() {
    fuzz_import("personal", Kind::Personal, "format/personal.md", cases(600));
}

#[test]
fn activity_code_files_never_panic_hang_or_grow() {
    fuzz_import("verksamheter", Kind::Verksamheter, "format/verksamheter.md", cases(600));
}

#[test]
fn population_files_never_panic_hang_or_grow() {
    fuzz_import("befolkning", Kind::Befolkning, "format/befolkning.md", cases(600));
}
