//! The command line on PostgreSQL (`--db postgres://…`): the demo, its
//! settlements and follow-ups give exactly the recorded golden outputs
//! (`tests/golden/skala2/`, the same as on SQLite), and the content
//! checksum equals the SQLite run's. Runs when `RESURS_TEST_PG` names a
//! server where databases may be created (`scripts/pg-test` starts one);
//! otherwise it says so and passes.

use resurs_store::testing::TestDb;
use std::path::Path;
use std::process::{Command, Output};

fn resurs(dir: &Path, db: &std::ffi::OsStr, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resurs"))
        .current_dir(dir)
        .env_remove("RESURS_DB")
        .env_remove("RESURS_PSEUDONYM_KEY")
        .env_remove("RESURS_PSEUDONYM_KEY_FILE")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The golden cases: settlements of every demo month and the follow-ups.
fn cases() -> Vec<(String, Vec<String>)> {
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
        for (suffix, prognos) in [("", "förslag"), ("_prognos2", "Prognos 2")] {
            out.push((
                format!("followup_{layout}{suffix}.json"),
                [
                    "followup",
                    "--period",
                    "2026-10",
                    "--layout",
                    layout,
                    "--format",
                    "json",
                    "--prognos",
                    prognos,
                ]
                .map(String::from)
                .to_vec(),
            ));
        }
    }
    out
}

fn checksum(dir: &Path, db: &std::ffi::OsStr) -> String {
    let info: serde_json::Value = serde_json::from_str(&ok(
        resurs(dir, db, &["info", "--kontrollsumma", "--format", "json"]),
        "info",
    ))
    .unwrap();
    info["kontrollsumma"].as_str().unwrap().to_string()
}

#[test]
fn the_demo_on_postgres_gives_the_golden_outputs_and_the_sqlite_checksum() {
    let Some(pg) = TestDb::create("cli-demo") else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = std::ffi::OsString::from(&pg.url);
    let file = dir.path().join("demo.db").into_os_string();

    ok(resurs(dir.path(), &file, &["demo", "--skala", "2"]), "demo på SQLite");
    let out = resurs(dir.path(), &url, &["demo", "--skala", "2"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let table = ok(out, "demo på PostgreSQL");
    assert!(stderr.contains("Exempelstad skapad i postgres"), "{stderr}");
    assert!(table.contains(&pg.url), "the overview names the database: {table}");

    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/skala2");
    let mut failures = Vec::new();
    for (name, args) in cases() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let now: serde_json::Value = serde_json::from_str(&ok(resurs(dir.path(), &url, &args), &name)).unwrap();
        let before: serde_json::Value = serde_json::from_slice(&std::fs::read(fixtures.join(&name)).unwrap()).unwrap();
        if now != before {
            failures.push(name);
        }
    }
    assert!(failures.is_empty(), "skiljer sig från de sparade utdata: {failures:?}");

    // The settlements above were stored (results, not data): same checksum.
    ok(
        resurs(dir.path(), &file, &["settle", "--period", "2026-03"]),
        "settle på SQLite",
    );
    assert_eq!(checksum(dir.path(), &file), checksum(dir.path(), &url));

    // A table output is the same on both backends too.
    let f1 = ok(
        resurs(dir.path(), &url, &["followup", "--period", "2026-10"]),
        "followup",
    );
    let f2 = ok(
        resurs(dir.path(), &file, &["followup", "--period", "2026-10"]),
        "followup",
    );
    assert_eq!(f1, f2);

    // The demo is made only once; backup points to pg_dump.
    let again = resurs(dir.path(), &url, &["demo", "--skala", "2"]);
    assert!(!again.status.success());
    let backup = resurs(dir.path(), &url, &["backup", "kopia.db"]);
    let e = String::from_utf8_lossy(&backup.stderr);
    assert!(!backup.status.success() && e.contains("pg_dump"), "{e}");
    let e = String::from_utf8_lossy(&resurs(dir.path(), &url, &["demo", "--ersatt"]).stderr).into_owned();
    assert!(e.contains("dropdb"), "{e}");
}

#[test]
fn a_postgres_password_is_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let out = resurs(
        dir.path(),
        std::ffi::OsStr::new("postgres://resurs:hemligt-lösen@127.0.0.1:1/resurs"),
        &["info"],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success());
    assert!(text.contains("postgres://resurs:***@127.0.0.1:1/resurs"), "{text}");
    assert!(!text.contains("hemligt"), "{text}");
}
