//! Issue 12 item 6: the staff import (docs/format/personal.md) and `resurs
//! personal`, run through the real binary.

use chrono::NaiveDate;
use resurs_core::personnummer::Personnummer;
use std::path::PathBuf;
use std::process::{Command, Output};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn db(&self) -> PathBuf {
        self.dir.path().join("test.db")
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_resurs"))
            .current_dir(self.dir.path())
            .env_remove("RESURS_DB")
            .env_remove("RESURS_PSEUDONYM_KEY")
            .arg("--db")
            .arg(self.db())
            .args(args)
            .output()
            .unwrap()
    }
    fn import(&self, kind: &str, name: &str, text: &str) -> Output {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        self.run(&["import", kind, p.to_str().unwrap()])
    }
    fn import_ok(&self, kind: &str, name: &str, text: &str) {
        let out = self.import(kind, name, text);
        assert!(out.status.success(), "import {kind}: {}", stderr(&out));
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const ORG: &str = "kod;namn;nivå;överordnad;giltig_från;giltig_till
K;Testkommun;kommun;;2020-01-01;
VON;Vård- och omsorgsnämnden;nämnd;K;2020-01-01;
711;Hemtjänst Centrum;ansvar;VON;2020-01-01;
721;Solgården;ansvar;VON;2020-01-01;
";
const UTFORARE: &str = "kod;namn;regiform;ansvar;platser
711;Hemtjänst Centrum;egen regi;711;
721;Solgården;egen regi;721;20
";
const HEAD: &str = "personnummer;enhet;period;avtalad_tid;arbetad_tid;sjuk_kort;sjuk_lång;sjukdagar;övertid;mertid;timavlönad;anställd_från;anställd_till\n";

fn pnr(date: &str, serial: u16) -> String {
    Personnummer::synthetic(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(), serial)
}

/// Six women at 711 for two months (one sick 16 hours short and 8 long in
/// January, one leaving at the end of February), three men at 721.
fn staff_file() -> (String, Vec<String>) {
    let mut s = String::from(HEAD);
    let mut people = Vec::new();
    for i in 0..6u16 {
        let p = pnr("1980-03-04", 2 + 2 * i * 10);
        for m in ["2026-01", "2026-02"] {
            let (kort, lang, dagar) = if i == 0 && m == "2026-01" { ("16", "8", "3") } else { ("", "", "") };
            let till = if i == 5 { "2026-02-28" } else { "" };
            s.push_str(&format!("{p};711;{m};160;150;{kort};{lang};{dagar};2;;;2019-01-01;{till}\n"));
        }
        people.push(p);
    }
    for i in 0..3u16 {
        let p = pnr("1990-07-08", 1 + 2 * i * 10);
        s.push_str(&format!("{p};721;2026-01;165;160;;;;;;;2020-01-01;\n"));
        people.push(p);
    }
    (s, people)
}

#[test]
fn a_staff_file_gives_sick_leave_and_turnover_with_small_groups_hidden() {
    let env = Env::new();
    env.import_ok("organisation", "org.csv", ORG);
    env.import_ok("utforare", "utforare.csv", UTFORARE);
    let (file, people) = staff_file();
    env.import_ok("personal", "personal.csv", &file);

    let out = env.run(&["personal", "--ar", "2026", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let unit = |kod: &str| json["enheter"].as_array().unwrap().iter().find(|u| u["kod"] == kod).unwrap().clone();
    let u = unit("711");
    assert_eq!(u["anstallda"], 6);
    // 24 sick hours of 12 × 160 contracted = 1,25 %; 16 short = 0,83 %.
    assert_eq!(u["sjukfranvaro"], 125);
    assert_eq!(u["sjukfranvaro_kort"], 83);
    assert_eq!(u["frisknarvaro"], 10000, "3 sick days is at most 5");
    assert_eq!(u["avslutade"], 1);
    // 1 ended ÷ 6 on average = 16,67 %.
    assert_eq!(u["personalomsattning"], 1667);
    // 24 overtime hours ÷ (2 × 165) = 0,07 FTE.
    assert_eq!(u["overtid_mertid_arsarbetare"], 7);
    let small = unit("721");
    assert_eq!(small["dold"], true, "three employees are too few: {small}");
    assert!(small["sjukfranvaro"].is_null());
    assert_eq!(json["till"], "2026-02", "the last month with staff data");

    // Table and CSV show the same figures; the suppressed unit says why.
    let text = stdout(&env.run(&["personal", "--ar", "2026"]));
    assert!(text.contains("711 Hemtjänst Centrum") && text.contains("1,3 %"), "{text}");
    assert!(text.contains("färre än 5"), "{text}");
    let csv = stdout(&env.run(&["personal", "--ar", "2026", "--format", "csv"]));
    assert!(csv.contains("711 Hemtjänst Centrum;6;"), "{csv}");
    let xlsx = env.dir.path().join("p.xlsx");
    let out = env.run(&["personal", "--ar", "2026", "--format", "xlsx", "-o", xlsx.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    // No personnummer in the database file or any output.
    let db = std::fs::read(env.db()).unwrap();
    for p in &people {
        let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
        for needle in [p.as_str(), digits.as_str(), &digits[2..]] {
            assert!(!db.windows(needle.len()).any(|w| w == needle.as_bytes()), "{needle} in the database");
            assert!(!text.contains(needle) && !csv.contains(needle));
        }
    }

    // The import is undone like every other, and its pseudonyms go with it.
    let list = stdout(&env.run(&["import", "list"]));
    assert!(list.contains("personal.csv"), "{list}");
    let out = env.run(&["import", "undo", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&env.run(&["personal", "--ar", "2026", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["enheter"].as_array().unwrap().len(), 0, "{json}");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM personal", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn a_bad_staff_file_is_refused_whole_with_row_and_column_and_no_personnummer() {
    let env = Env::new();
    env.import_ok("organisation", "org.csv", ORG);
    env.import_ok("utforare", "utforare.csv", UTFORARE);
    let a = pnr("1980-03-04", 2);
    let good = format!("{a};711;2026-01;160;150;;;;;;;2019-01-01;\n");
    let mut bad_check = a.clone();
    let last = bad_check.pop().unwrap().to_digit(10).unwrap();
    bad_check.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let file = format!(
        "{HEAD}{good}\
         {a};999;2026-02;160;150;;;;;;;2019-01-01;\n\
         {a};711;2026-03;-5;150;;;;;;;2019-01-01;\n\
         {a};711;2026-04;160;800;;;;;;;2019-01-01;\n\
         {a};711;2026-05;160;150;;;40;;;;2019-01-01;\n\
         {a};711;2026-06;160;150;;;;;;;2026-07-01;\n\
         {a};711;2026-07;160;150;;;;;;;2026-01-01;2025-12-31\n\
         {bad_check};711;2026-08;160;150;;;;;;;2019-01-01;\n\
         {good}"
    );
    let out = env.import("personal", "personal.csv", &file);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = format!("{}{}", stdout(&out), stderr(&out));
    for want in [
        "rad 3, kolumn \"enhet\": värdet \"999\"",
        "rad 4, kolumn \"avtalad_tid\": värdet \"-5\"",
        "rad 5, kolumn \"arbetad_tid\": värdet \"800\", förväntade högst 744 timmar",
        "rad 6, kolumn \"sjukdagar\": värdet \"40\"",
        "rad 7, kolumn \"period\": värdet \"2026-06\", förväntade en månad inom anställningen",
        "rad 8, kolumn \"anställd_till\"",
        "rad 9, kolumn \"personnummer\"",
        "rad 10, kolumn \"period\": värdet \"2026-01\", förväntade en unik nyckel",
    ] {
        assert!(err.contains(want), "«{want}» in\n{err}");
    }
    assert!(!err.contains(&a) && !err.contains(&bad_check), "a personnummer was shown:\n{err}");
    // Nothing of the file was stored.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM personal_manad", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM personal", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
}
