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

/// The committee reports recorded before the report builder was split into
/// one function per section (docs/rapporter.md): each kind of report, and
/// one for a part of the organisation. `--typ`, `--period`, `--nod`.
pub fn report_cases() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("manad_2026-10", vec!["--typ", "manad", "--period", "2026-10"]),
        ("delar_2026-08", vec!["--typ", "delar", "--period", "2026-08"]),
        ("ar_2025-12", vec!["--typ", "ar", "--period", "2025-12"]),
        (
            "delar_2026-08_VON",
            vec!["--typ", "delar", "--period", "2026-08", "--nod", "VON"],
        ),
    ]
}

/// The worksheets, shared strings and charts of an xlsx file (not the zip
/// bytes, which carry timestamps), one row or cell per line.
fn xlsx_text(path: &Path) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut names: Vec<String> = (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
        .filter(|n| {
            n.starts_with("xl/worksheets/")
                || n.starts_with("xl/charts/")
                || n == "xl/sharedStrings.xml"
                || n == "xl/workbook.xml"
        })
        .collect();
    names.sort();
    let mut out = String::new();
    for n in names {
        let mut xml = String::new();
        z.by_name(&n).unwrap().read_to_string(&mut xml).unwrap();
        out.push_str(&format!("== {n} ==\n"));
        out.push_str(
            &xml.replace("<row", "\n<row")
                .replace("<si>", "\n<si>")
                .replace("<c:ser>", "\n<c:ser>"),
        );
        out.push('\n');
    }
    out
}

/// The text of a docx document: a paragraph per line with its style in
/// brackets, table cells separated by `|`, header rows marked.
fn docx_text(path: &Path) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        let Some(j) = rest[i..].find('>') else { break };
        let tag = &rest[i + 1..i + j];
        rest = &rest[i + j + 1..];
        out.push_str(text);
        let name = tag.split_whitespace().next().unwrap_or("");
        match name {
            "/w:p" => out.push('\n'),
            "/w:tc" => out.push_str(" | "),
            "/w:tr" => out.push('\n'),
            "w:tblHeader" | "w:tblHeader/" => out.push_str("[rubrikrad] "),
            "w:pStyle" => {
                if let Some(v) = tag.split("w:val=\"").nth(1) {
                    out.push_str(&format!("[{}] ", v.split('"').next().unwrap_or("")));
                }
            }
            _ => {}
        }
    }
    out
}

/// The first differing lines of two texts, as `line n: a ≠ b`.
fn text_diff(before: &str, now: &str) -> Vec<String> {
    let (a, b): (Vec<&str>, Vec<&str>) = (before.lines().collect(), now.lines().collect());
    let mut out = Vec::new();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied(), b.get(i).copied());
        if x != y {
            out.push(format!(
                "rad {}: {:?} före, {:?} efter",
                i + 1,
                x.unwrap_or("(slut)"),
                y.unwrap_or("(slut)")
            ));
            if out.len() >= 10 {
                break;
            }
        }
    }
    out
}

#[test]
fn demo_reports_as_json_xlsx_docx_and_pdf_text_match_the_recorded_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = |args: &[&str]| {
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
        out
    };
    run(&["demo", "--skala", "2", "--katalog", "filer"]);
    let write = std::env::var_os("RESURS_GOLDEN_WRITE").is_some();
    let mut failures = Vec::new();
    for (id, (name, args)) in report_cases().into_iter().enumerate() {
        let id = (id + 1).to_string();
        let file = |ext: &str| dir.path().join(format!("{name}.{ext}"));
        let xlsx = file("xlsx");
        let mut create = vec!["rapport"];
        create.extend(args.iter().copied());
        create.extend(["--format", "xlsx", "--ut", xlsx.to_str().unwrap()]);
        run(&create);
        for f in ["docx", "pdf"] {
            let out = file(f);
            run(&[
                "rapport",
                "--version",
                &id,
                "--format",
                f,
                "--ut",
                out.to_str().unwrap(),
            ]);
        }
        // The document as stored (every cell in öre / hundredths of a percent) and its data state.
        let conn = rusqlite::Connection::open(&db).unwrap();
        let (doc, state): (String, String) = conn
            .query_row(
                "SELECT innehall, datalage FROM rapport WHERE id = ?1",
                [id.parse::<i64>().unwrap()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let json = serde_json::json!({
            "dokument": serde_json::from_str::<serde_json::Value>(&doc).unwrap(),
            "datalage": serde_json::from_str::<serde_json::Value>(&state).unwrap(),
        });
        let pdf = Command::new("pdftotext")
            .arg("-layout")
            .arg(file("pdf"))
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) behövs för testet");
        assert!(pdf.status.success());
        let texts = [
            ("xlsx.txt", xlsx_text(&xlsx)),
            ("docx.txt", docx_text(&file("docx"))),
            ("pdf.txt", String::from_utf8(pdf.stdout).unwrap()),
        ];
        let path = |ext: &str| fixtures().join(format!("rapport_{name}.{ext}"));
        if write {
            let mut text = serde_json::to_string(&json).unwrap();
            text.push('\n');
            std::fs::write(path("json"), text).unwrap();
            for (ext, t) in &texts {
                std::fs::write(path(ext), t).unwrap();
            }
            continue;
        }
        let before: serde_json::Value = serde_json::from_slice(&std::fs::read(path("json")).unwrap()).unwrap();
        let mut d = Vec::new();
        diff("", &before, &json, &mut d);
        if !d.is_empty() {
            failures.push(format!("rapport_{name}.json:\n  {}", d.join("\n  ")));
        }
        for (ext, t) in &texts {
            let before = std::fs::read_to_string(path(ext)).unwrap();
            let d = text_diff(&before, t);
            if !d.is_empty() {
                failures.push(format!("rapport_{name}.{ext}:\n  {}", d.join("\n  ")));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "rapporterna skiljer sig från de sparade:\n{}",
        failures.join("\n")
    );
}
