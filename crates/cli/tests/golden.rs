//! Golden outputs: the demo's settlement for every month 2025-01..2026-10 and
//! the follow-up for 2026-10 (both layouts, with and without "Prognos 2"),
//! recorded from the real binary before a refactor and compared after it.
//!
//! The fixtures in `tests/golden/skala2/` come from `resurs demo --skala 2`
//! (small enough for the test suite); `tests/golden/exempelstad/` holds the
//! same outputs for the full demo, compared by `scripts/golden.sh` in CI.
//! A deliberate change of a figure is made by rerunning with
//! `RESURS_GOLDEN_WRITE=1` and listing the change in the commit and the
//! closing note.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The months and follow-up variants that are recorded.
pub fn cases() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for y in [2025, 2026] {
        for m in 1..=12 {
            if y == 2026 && m > 10 {
                continue;
            }
            let p = format!("{y}-{m:02}");
            out.push((
                format!("settle_{p}.json"),
                ["settle", "--period", &p, "--format", "json"]
                    .map(String::from)
                    .to_vec(),
            ));
        }
    }
    for layout in ["kostnad", "resultat"] {
        // Without manual forecasts (`förslag`) and with "Prognos 2" (the default at 2026-10).
        let base = [
            "followup", "--period", "2026-10", "--layout", layout, "--format", "json",
        ]
        .map(String::from);
        let mut without = base.to_vec();
        without.extend(["--prognos", "förslag"].map(String::from));
        out.push((format!("followup_{layout}.json"), without));
        let mut with = base.to_vec();
        with.extend(["--prognos", "Prognos 2"].map(String::from));
        out.push((format!("followup_{layout}_prognos2.json"), with));
    }
    out
}

/// The first differences between two JSON values, as `path: a ≠ b`.
fn diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    if out.len() >= 10 {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => diff(&format!("{path}.{k}"), v, w, out),
                    None => out.push(format!("{path}.{k}: saknas i den nya utdatan")),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{path}.{k}: ny i den nya utdatan"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!("{path}: {} element före, {} efter", x.len(), y.len()));
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), v, w, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} före, {b} efter")),
        _ => {}
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/skala2")
}

#[test]
fn demo_settlements_and_followups_match_the_recorded_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = |args: &[String]| {
        let out = Command::new(env!("CARGO_BIN_EXE_resurs"))
            .current_dir(dir.path())
            .env_remove("RESURS_DB")
            .env_remove("RESURS_PSEUDONYM_KEY")
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    run(&["demo", "--skala", "2", "--katalog", "filer"].map(String::from));
    let write = std::env::var_os("RESURS_GOLDEN_WRITE").is_some();
    let mut failures = Vec::new();
    for (name, args) in cases() {
        let now: serde_json::Value = serde_json::from_slice(&run(&args)).unwrap();
        let path = fixtures().join(&name);
        if write {
            let mut text = serde_json::to_string(&now).unwrap();
            text.push('\n');
            std::fs::write(&path, text).unwrap();
            continue;
        }
        let before: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let mut d = Vec::new();
        diff("", &before, &now, &mut d);
        if !d.is_empty() {
            failures.push(format!("{name}:\n  {}", d.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "utdatan skiljer sig från de sparade:\n{}",
        failures.join("\n")
    );
}
