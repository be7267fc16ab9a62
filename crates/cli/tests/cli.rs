//! Tests that run the real `resurs` binary in temporary directories, the way
//! a controller would use it.

use chrono::NaiveDate;
use resurs_core::personnummer::Personnummer;
use std::path::{Path, PathBuf};
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
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn db(&self) -> PathBuf {
        self.path("test.db")
    }
    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_resurs"));
        c.current_dir(self.dir.path())
            .env_remove("RESURS_DB")
            .env_remove("RESURS_PSEUDONYM_KEY");
        c
    }
    fn run(&self, args: &[&str]) -> Output {
        let mut c = self.cmd();
        c.arg("--db").arg(self.db()).args(args);
        c.output().unwrap()
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }
    fn import(&self, kind: &str, name: &str, text: &str) -> Output {
        let p = self.write(name, text);
        self.run(&["import", kind, p.to_str().unwrap()])
    }
    fn import_ok(&self, kind: &str, name: &str, text: &str) -> String {
        let out = self.import(kind, name, text);
        assert!(out.status.success(), "import {kind} failed: {}", stderr(&out));
        stdout(&out)
    }
    /// The organisation, services and providers most tests need.
    fn base(&self) {
        self.import_ok("organisation", "org.csv", ORG);
        self.import_ok("insatser", "insatser.csv", INSATSER);
        self.import_ok("utforare", "utforare.csv", UTFORARE);
    }
    fn db_bytes(&self) -> Vec<u8> {
        std::fs::read(self.db()).unwrap()
    }
    fn info_json(&self) -> serde_json::Value {
        let out = self.run(&["info", "--format", "json", "--kontrollsumma"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// An audit entry: (vem, handling, objekt, före, efter).
type AuditEntry = (String, String, String, Option<String>, Option<String>);

/// The audit log, oldest first.
fn audit_log(env: &Env) -> Vec<AuditEntry> {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let mut st = conn
        .prepare("SELECT vem, handling, objekt, fore, efter FROM handelselogg ORDER BY id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
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
HT;Hemtjänst;avdelning;VON;2020-01-01;
711;Hemtjänst Centrum;ansvar;HT;2020-01-01;
";
const INSATSER: &str = "kod;namn;lagrum;volymenhet;verksamhet
HT_OMV;Omvårdnad;SoL;timmar;hemtjänst
SABO;Särskilt boende;SoL;dygn;särskilt boende
";
const UTFORARE: &str = "kod;namn;regiform;ansvar;platser
711;Hemtjänst Centrum;egen regi;711;
LOV1;Omsorg AB;LOV;711;
S1;Solgården;egen regi;711;20
";

/// A valid personnummer for a person born on `date`.
fn pnr(date: &str, serial: u16) -> String {
    Personnummer::synthetic(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(), serial)
}

/// A personnummer with a wrong check digit.
fn bad_pnr() -> String {
    let good = pnr("1940-05-17", 123);
    let last = good.chars().last().unwrap().to_digit(10).unwrap();
    format!("{}{}", &good[..good.len() - 1], (last + 1) % 10)
}

#[test]
fn each_kind_of_bad_input_is_refused_in_swedish_and_nothing_is_written() {
    let env = Env::new();
    env.base();
    let p1 = pnr("1938-02-11", 101);
    let bad = bad_pnr();
    let visit_head = "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\n";
    let beslut_head = "beslut_id;personnummer;insats;beviljad_volym;utförare;beslutsdatum;startdatum;slutdatum\n";
    // (kind, file content, texts the message must contain, reason)
    let cases: Vec<(&str, String, Vec<String>, &str)> = vec![
        (
            "beslut",
            format!("{beslut_head}D1;{p1};HT_OMV;20;711;2025-01-10;2025-01-15;\nD2;{p1};HT_OMV;20;711;2025-13-01;;\n"),
            vec!["rad 3, kolumn \"beslutsdatum\": värdet \"2025-13-01\", förväntade ett giltigt datum ÅÅÅÅ-MM-DD".into()],
            "wrong date",
        ),
        (
            "huvudbok",
            "period;konto;ansvar;verksamhet;belopp\n2025-01;5011;711;510;12 kr\n".into(),
            vec!["rad 2, kolumn \"belopp\": värdet \"12 kr\", förväntade ett tal".into()],
            "non-number",
        ),
        (
            "huvudbok",
            "period;ansvar;verksamhet;belopp\n2025-01;711;510;100\n".into(),
            vec!["rad 1, kolumn \"konto\": förväntade en kolumn med namnet \"konto\" i rubrikraden (kolumnen saknas)".into()],
            "missing column",
        ),
        (
            "besok",
            format!("{visit_head}B1;{p1};X99;HT_OMV;P1;2025-01-02 08:00;2025-01-02 08:30;2025-01-02 08:00;2025-01-02 08:30;utförd\n"),
            vec!["rad 2, kolumn \"utförare\": värdet \"X99\", förväntade en känd utförare".into()],
            "unknown unit code",
        ),
        (
            "huvudbok",
            "period;konto;ansvar;verksamhet;belopp\n2025-01;5011;999;510;100\n".into(),
            vec!["rad 2, kolumn \"ansvar\": värdet \"999\", förväntade en känd kod i organisationsträdet".into()],
            "unknown ansvar",
        ),
        (
            "beslut",
            format!("{beslut_head}D1;{bad};HT_OMV;20;711;2025-01-10;2025-01-15;\n"),
            vec!["rad 2, kolumn \"personnummer\": förväntade personnummer med rätt kontrollsiffra (Luhn)".into()],
            "bad personnummer checksum",
        ),
        (
            "vistelser",
            format!("vistelse_id;personnummer;enhet;plats;inflyttning;utflyttning;typ\nV1;{p1};S1;S1-01;2025-03-01;2025-02-01;permanent\n"),
            vec!["rad 2, kolumn \"utflyttning\": värdet \"2025-02-01\", förväntade ett datum som inte är före inflyttning (2025-03-01)".into()],
            "end before start",
        ),
        (
            "besok",
            format!("{visit_head}B1;{p1};711;HT_OMV;P1;2025-01-02 08:00;2025-01-02 08:30;2025-01-02 08:40;2025-01-02 08:10;utförd\n"),
            vec!["rad 2, kolumn \"faktisk_slut\": värdet \"2025-01-02 08:10\", förväntade en tidpunkt efter faktisk_start".into()],
            "visit ends before it starts",
        ),
        (
            "beslut",
            format!("{beslut_head}D1;{p1};HT_OMV;20;711;2025-01-10;2025-01-15;\nD1;{p1};HT_OMV;25;711;2025-02-10;2025-02-15;\n"),
            vec!["rad 3, kolumn \"beslut_id\": värdet \"D1\", förväntade en unik nyckel".into()],
            "duplicate key",
        ),
        (
            "organisation",
            "kod;namn;nivå;överordnad;giltig_från;giltig_till\n712;Hemtjänst Norr;ansvar;SAKNAS;2025-01-01;\n".into(),
            vec!["rad 2, kolumn \"överordnad\": värdet \"SAKNAS\", förväntade en kod som finns i organisationen".into()],
            "unknown parent in the tree",
        ),
        (
            "vistelser",
            format!("vistelse_id;personnummer;enhet;plats;inflyttning;utflyttning;typ\nV1;{p1};S1;S1-01;2025-03-01;;tillfällig\n"),
            vec!["rad 2, kolumn \"typ\": värdet \"tillfällig\", förväntade ett av: permanent eller korttid".into()],
            "unknown term",
        ),
    ];
    for (kind, content, wants, why) in cases {
        let before = env.db_bytes();
        let out = env.import(kind, "fel.csv", &content);
        assert_eq!(out.status.code(), Some(1), "{why}: exit code");
        let err = stderr(&out);
        assert!(
            err.starts_with("Filen fel.csv importerades inte; inget har sparats."),
            "{why}: {err}"
        );
        for w in wants {
            assert!(err.contains(&w), "{why}: expected «{w}» in:\n{err}");
        }
        assert!(
            !err.contains(&bad) && !err.contains(&p1),
            "{why}: a personnummer was echoed"
        );
        assert_eq!(env.db_bytes(), before, "{why}: the database changed");
    }
}

#[test]
fn many_problems_are_listed_up_to_a_cap_then_counted() {
    let env = Env::new();
    env.base();
    let mut text = String::from("period;konto;ansvar;verksamhet;belopp\n");
    for i in 0..60 {
        text.push_str(&format!("2025-{:02};5011;711;510;inte ett tal\n", i % 12 + 1));
    }
    let out = env.import("huvudbok", "manga.csv", &text);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("60 fel:"), "{err}");
    assert!(err.contains("rad 51, kolumn \"belopp\""));
    assert!(!err.contains("rad 52,"));
    assert!(err.contains("… och 10 fel till (de första 50 visas)."), "{err}");
}

#[test]
fn the_same_file_twice_adds_nothing_and_says_so() {
    let env = Env::new();
    env.base();
    let p1 = pnr("1938-02-11", 101);
    let file = format!("beslut_id;personnummer;insats;beviljad_volym;utförare;beslutsdatum;startdatum\nD1;{p1};HT_OMV;20,5;711;2025-01-10;2025-01-15\n");
    let first = env.import_ok("beslut", "beslut.csv", &file);
    assert!(first.contains("1 rader, 1 tillagda, 1 nya brukare"), "{first}");
    let sum = env.info_json()["kontrollsumma"].clone();
    // Same content under another name: still recognised.
    let second = env.import_ok("beslut", "beslut-kopia.csv", &file);
    assert!(
        second.contains("har redan importerats") && second.contains("inget lades till"),
        "{second}"
    );
    assert_eq!(env.info_json()["kontrollsumma"], sum);
}

#[test]
fn personnummer_never_reach_the_database_file() {
    let env = Env::new();
    env.base();
    let people: Vec<String> = (0..20)
        .map(|i| pnr(&format!("19{}-0{}-1{}", 30 + i, 1 + i % 9, i % 10), 200 + i as u16))
        .collect();
    let mut beslut = String::from("beslut_id;personnummer;insats;beviljad_volym;utförare;beslutsdatum;startdatum\n");
    let mut visits = String::from("besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\n");
    for (i, p) in people.iter().enumerate() {
        // Alternate the written forms: 12 digits with and without dash, 10 digits.
        let form = match i % 3 {
            0 => p.clone(),
            1 => p.replace('-', ""),
            _ => p[2..].to_string(),
        };
        beslut.push_str(&format!("D{i};{form};HT_OMV;10;711;2025-01-01;2025-01-02\n"));
        visits.push_str(&format!("B{i};{form};711;HT_OMV;Anna Andersson;2025-01-03 08:00;2025-01-03 08:30;2025-01-03 08:00;2025-01-03 08:30;utförd\n"));
    }
    let out = env.import_ok("beslut", "beslut.csv", &beslut);
    assert!(out.contains("20 nya brukare"), "{out}");
    let out = env.import_ok("besok", "besok.csv", &visits);
    assert!(!out.contains("nya brukare"), "same people in both files: {out}");
    let bytes = env.db_bytes();
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    for p in &people {
        let digits = p.replace('-', "");
        for form in [p.as_str(), digits.as_str(), &digits[2..], &p[2..]] {
            assert!(!contains(form), "found a personnummer form in the database file");
        }
    }
    assert!(!contains("Anna Andersson"), "staff names are pseudonymised too");
    let json = env.info_json();
    let brukare = json["innehall"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["typ"] == "brukare")
        .unwrap()["antal"]
        .clone();
    assert_eq!(brukare, 20, "10- and 12-digit forms of one number are one person");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("test.db.pseudonymnyckel"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is readable by its owner only");
    }
}

#[test]
fn an_import_under_another_key_is_refused() {
    let env = Env::new();
    env.base();
    let p1 = pnr("1938-02-11", 101);
    env.import_ok(
        "beslut",
        "a.csv",
        &format!("beslut_id;personnummer;insats;beslutsdatum\nD1;{p1};HT_OMV;2025-01-10\n"),
    );
    let mut c = env.cmd();
    c.env("RESURS_PSEUDONYM_KEY", "en-helt-annan-nyckel-som-ar-lang");
    let b = env.write(
        "b.csv",
        &format!("beslut_id;personnummer;insats;beslutsdatum\nD2;{p1};HT_OMV;2025-01-10\n"),
    );
    let out = c
        .arg("--db")
        .arg(env.db())
        .args(["import", "beslut"])
        .arg(b)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Pseudonymnyckeln är inte den som databasen"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn info_counts_home_care_hours_per_month() {
    let env = Env::new();
    env.base();
    let (a, b) = (pnr("1931-04-02", 11), pnr("1944-09-30", 12));
    let visits = format!(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status
B1;{a};711;HT_OMV;P1;2025-01-31 23:30;2025-02-01 00:15;2025-01-31 23:40;2025-02-01 00:20;utförd
B2;{a};711;HT_OMV;P1;2025-02-03 08:00;2025-02-03 08:30;2025-02-03 08:00;2025-02-03 08:30;utförd
B3;{b};LOV1;HT_OMV;P2;2025-02-03 09:00;2025-02-03 10:00;2025-02-03 09:00;2025-02-03 10:30;utförd
B4;{b};LOV1;HT_OMV;P2;2025-02-04 09:00;2025-02-04 10:00;;;inställd
"
    );
    env.import_ok("besok", "besok.csv", &visits);
    let json = env.info_json();
    let months = json["hemtjanst"].as_array().unwrap();
    // January: one visit of 40 minutes that crosses midnight, counted in its start month.
    assert_eq!(months[0]["period"], "2025-01");
    assert_eq!(months[0]["utforda_timmar"], 67, "40 min = 0,67 h");
    assert_eq!(months[0]["brukare"], 1);
    // February: 30 + 90 minutes; the cancelled visit is not performed time.
    assert_eq!(months[1]["period"], "2025-02");
    assert_eq!(months[1]["utforda_timmar"], 200);
    assert_eq!(months[1]["brukare"], 2);
    assert_eq!(months[1]["besok"], 2);
    let table = stdout(&env.run(&["info"]));
    assert!(table.contains("2025-02") && table.contains("2,0"), "{table}");
    assert!(table.contains("besök (utförd tid)"), "{table}");
}

#[test]
fn windows_1252_and_bom_files_are_read() {
    let env = Env::new();
    let mut cp1252: Vec<u8> = b"kod;namn;niv\xe5;\xf6verordnad;giltig_fr\xe5n;giltig_till\r\n".to_vec();
    cp1252.extend_from_slice(
        b"K;Testkommun;kommun;;2020-01-01;\r\nVON;V\xe5rd- och omsorgsn\xe4mnden;n\xe4mnd;K;2020-01-01;\r\n",
    );
    let p = env.path("org1252.csv");
    std::fs::write(&p, cp1252).unwrap();
    let out = env.run(&["import", "organisation", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 tillagda. Teckenkodning: Windows-1252."),
        "{}",
        stdout(&out)
    );
    let bom = "\u{feff}kod;namn;lagrum;volymenhet;verksamhet\nHT_OMV;Omvårdnad;SoL;timmar;hemtjänst\n";
    let out = env.import_ok("insatser", "bom.csv", bom);
    assert!(out.contains("Teckenkodning: UTF-8 med BOM"), "{out}");
}

#[test]
fn xlsx_files_import_like_csv() {
    let env = Env::new();
    env.base();
    let path = env.path("huvudbok.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["period", "konto", "ansvar", "verksamhet", "belopp"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "2025-01").unwrap();
    ws.write_number(1, 1, 5011.0).unwrap();
    ws.write_string(1, 2, "711").unwrap();
    ws.write_number(1, 3, 510.0).unwrap();
    ws.write_number(1, 4, 123456.78).unwrap();
    ws.write_string(2, 0, "2025-02").unwrap();
    ws.write_number(2, 1, 5011.0).unwrap();
    ws.write_string(2, 2, "711").unwrap();
    ws.write_number(2, 3, 510.0).unwrap();
    ws.write_string(2, 4, "fel").unwrap();
    wb.save(&path).unwrap();
    let out = env.run(&["import", "huvudbok", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("rad 3, kolumn \"belopp\": värdet \"fel\""),
        "{}",
        stderr(&out)
    );
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["period", "konto", "ansvar", "verksamhet", "belopp"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "2025-01").unwrap();
    ws.write_number(1, 1, 5011.0).unwrap();
    ws.write_string(1, 2, "711").unwrap();
    ws.write_number(1, 3, 510.0).unwrap();
    ws.write_number(1, 4, 123456.78).unwrap();
    wb.save(&path).unwrap();
    let out = env.run(&["import", "huvudbok", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 tillagda. Teckenkodning: xlsx."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_database_is_chosen_by_option_environment_or_default() {
    let env = Env::new();
    let org = env.write("org.csv", ORG);
    // info does not create a database by mistake.
    let out = env.cmd().arg("info").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("databasen resurs.db finns inte"),
        "{}",
        stderr(&out)
    );
    // Default: resurs.db in the working directory.
    let out = env.cmd().args(["import", "organisation"]).arg(&org).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.path("resurs.db").exists());
    // RESURS_DB
    let out = env
        .cmd()
        .env("RESURS_DB", env.path("miljo.db"))
        .arg("info")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "miljo.db does not exist yet");
    let out = env
        .cmd()
        .env("RESURS_DB", env.path("miljo.db"))
        .args(["import", "organisation"])
        .arg(&org)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = env
        .cmd()
        .env("RESURS_DB", env.path("miljo.db"))
        .arg("info")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("miljo.db"), "{}", stdout(&out));
    // --db before the subcommand wins over RESURS_DB.
    let out = env
        .cmd()
        .env("RESURS_DB", env.path("miljo.db"))
        .args(["--db", "flagga.db", "import", "organisation"])
        .arg(&org)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = env
        .cmd()
        .env("RESURS_DB", env.path("miljo.db"))
        .args(["--db", "flagga.db", "info"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("flagga.db") && stdout(&out).contains("organisationsnoder                  4"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unknown_kind_and_missing_file_are_explained() {
    let env = Env::new();
    let out = env.run(&["import", "lonelistor", "x.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("okänt slag av fil \"lonelistor\""),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["import", "beslut", "finns-inte.csv"]);
    assert!(
        stderr(&out).contains("filen finns-inte.csv finns inte"),
        "{}",
        stderr(&out)
    );
}

fn demo(env: &Env, db: &str, dir: &str, seed: &str) -> Output {
    let mut c = env.cmd();
    c.args(["--db", db, "demo", "--seed", seed, "--skala", "2", "--katalog", dir]);
    c.output().unwrap()
}

fn checksum(env: &Env, db: &str) -> String {
    let out = env
        .cmd()
        .args(["--db", db, "info", "--format", "json", "--kontrollsumma"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["kontrollsumma"].as_str().unwrap().to_string()
}

fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_demo_is_deterministic_per_seed() {
    let env = Env::new();
    for (db, dir) in [("a.db", "filer-a"), ("b.db", "filer-b")] {
        let out = demo(&env, db, dir, "7");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let (a, b) = (files_in(&env.path("filer-a")), files_in(&env.path("filer-b")));
    assert_eq!(a.len(), 13, "one file per kind (personal.csv included)");
    assert!(a == b, "same seed, same files byte for byte");
    assert_eq!(
        checksum(&env, "a.db"),
        checksum(&env, "b.db"),
        "same seed, same database content"
    );
    let out = demo(&env, "c.db", "filer-c", "8");
    assert!(out.status.success());
    assert_ne!(
        checksum(&env, "a.db"),
        checksum(&env, "c.db"),
        "another seed, other data"
    );
    // The demo refuses a database that already holds data.
    let out = demo(&env, "a.db", "filer-d", "7");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("innehåller redan data"), "{}", stderr(&out));
    // … unless asked to replace it: then it is the same as a fresh run.
    let mut c = env.cmd();
    c.args(["--db", "a.db", "demo", "--seed", "8", "--skala", "2", "--ersatt"]);
    assert!(c.output().unwrap().status.success());
    assert_eq!(checksum(&env, "a.db"), checksum(&env, "c.db"));
}

#[test]
fn generated_visits_import_into_the_demo() {
    let env = Env::new();
    let out = demo(&env, "demo.db", "filer", "1");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env
        .cmd()
        .args(["gen", "visits", "--rows", "2000", "--seed", "3", "--output", "gen.csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(env.path("gen.csv")).unwrap();
    assert_eq!(text.lines().count(), 2001);
    let out = env
        .cmd()
        .args(["--db", "demo.db", "import", "besok", "gen.csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 000 rader, 2 000 tillagda"), "{}", stdout(&out));
    // Without --output the file goes to standard output.
    let out = env.cmd().args(["gen", "visits", "--rows", "5"]).output().unwrap();
    assert_eq!(stdout(&out).lines().count(), 6);
}

#[test]
fn rate_calculator_shows_each_step() {
    let env = Env::new();
    let args = [
        "rate",
        "--manadslon",
        "29 500",
        "--po",
        "40,15",
        "--arsarbetstid",
        "1 700",
        "--ob",
        "18",
        "--omkostnad-procent",
        "12",
        "--brukartidsandel",
        "0,6",
    ];
    let out = env.cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for want in [
        "Personalomkostnader (PO)",
        "40,15 %",
        "496 131,00 kr",
        "291,84 kr",
        "37,18 kr",
        "347,02 kr",
        "231,35 kr",
        "Timpris per brukartimme",
        "578,37 kr",
    ] {
        assert!(text.contains(want), "«{want}» missing in:\n{text}");
    }
    let out = env.cmd().args(args).args(["--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["resultat"]["rate_per_brukar_hour"], 57_837, "öre");
    let out = env
        .cmd()
        .args([
            "rate",
            "--manadslon",
            "29x",
            "--po",
            "40",
            "--arsarbetstid",
            "1700",
            "--brukartidsandel",
            "0,6",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--manadslon: värdet \"29x\", förväntade ett tal"),
        "{}",
        stderr(&out)
    );
    let out = env
        .cmd()
        .args([
            "rate",
            "--manadslon",
            "29500",
            "--po",
            "40",
            "--arsarbetstid",
            "1700",
            "--brukartidsandel",
            "1,5",
        ])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("brukartidsandelen måste vara större än 0 och högst 1"),
        "{}",
        stderr(&out)
    );
}

const MODEL: &str = r#"[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2025-01-01
momskompensation_procent = 6

[modell.timpris.HT_OMV]
dag = "420,00"
kvall = "480,00"
natt = "540,00"
helg = "510,00"
"#;

#[test]
fn model_files_are_checked_loaded_listed_and_shown() {
    let env = Env::new();
    env.base();
    let good = env.write("hemtjanst.toml", MODEL);
    let out = env.run(&["model", "check", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Hemtjänst@2025-01-01"));
    // (broken file, message, reason)
    let cases = [
        (
            MODEL.replace("typ = ", "typp = "),
            "rad 3, nyckel \"typp\": okänd nyckel",
            "unknown key",
        ),
        (
            MODEL.replace("\"420,00\"", "\"-420,00\""),
            "rad 9, nyckel \"timpris.HT_OMV.dag\"",
            "negative rate",
        ),
        (
            format!("{MODEL}\n{MODEL}"),
            "överlappande giltighet",
            "overlapping versions in one file",
        ),
    ];
    for (text, want, why) in cases {
        let p = env.write("fel.toml", &text);
        let before = env.db_bytes();
        for cmd in ["check", "load"] {
            let out = env.run(&["model", cmd, p.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(1), "{why} ({cmd})");
            assert!(stderr(&out).contains(want), "{why} ({cmd}): {}", stderr(&out));
        }
        assert_eq!(env.db_bytes(), before, "{why}: nothing stored");
    }
    let out = env.run(&["model", "load", good.to_str().unwrap()]);
    assert!(stdout(&out).contains("1 nya modellversioner"), "{}", stdout(&out));
    let out = env.run(&["model", "load", good.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("0 nya modellversioner, 1 redan sparade"),
        "{}",
        stdout(&out)
    );
    // Same start, other rates: refused as overlapping the stored version.
    let changed = env.write("andrad.toml", &MODEL.replace("420,00", "425,00"));
    let out = env.run(&["model", "load", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("överlappande giltighet"), "{}", stderr(&out));
    let out = env.run(&["model", "list"]);
    assert!(stdout(&out).contains("Hemtjänst") && stdout(&out).contains("insatser: HT_OMV"));
    let out = env.run(&["model", "show", "Hemtjänst"]);
    assert!(
        stdout(&out).contains("timpris HT_OMV: dag 420,00 kr, kväll 480,00 kr, natt 540,00 kr, helg 510,00 kr"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("momskompensation externa utförare: 6 %"));
}

#[test]
fn settlement_prices_visits_lists_uncovered_and_reruns_to_the_ore() {
    let env = Env::new();
    env.base();
    let a = pnr("1931-04-02", 11);
    let visits = format!(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status
B1;{a};711;HT_OMV;P1;2025-03-03 08:00;2025-03-03 08:30;2025-03-03 08:00;2025-03-03 08:30;utförd
B2;{a};711;HT_OMV;P1;2025-03-03 21:45;2025-03-03 22:15;2025-03-03 21:45;2025-03-03 22:15;utförd
B3;{a};LOV1;HT_OMV;P2;2025-03-08 10:00;2025-03-08 11:00;2025-03-08 10:00;2025-03-08 11:00;utförd
"
    );
    env.import_ok("besok", "besok.csv", &visits);
    let out = env.run(&["settle", "--period", "2025-03"]);
    assert_eq!(out.status.code(), Some(1), "no model yet");
    assert!(stderr(&out).contains("inga ersättningsmodeller"), "{}", stderr(&out));
    let m = env.write("m.toml", MODEL);
    env.run(&["model", "load", m.to_str().unwrap()]);
    let out = env.run(&["settle", "--period", "2025-03", "--format", "json", "--detail"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 30 min day 210 + 15 min evening 120 + 15 min night 135 = 465; LOV: Saturday 510 + 6 % = 540,60.
    assert_eq!(v["belopp"], 100_560);
    assert_eq!(v["utforare"][0]["belopp"], 46_500);
    assert_eq!(
        v["utforare"][1]["tjanster"][0]["rader"][1]["regel"],
        "momskompensation 6 %"
    );
    assert_eq!(
        v["utforare"][0]["tjanster"][0]["rader"][0]["detalj"][0]["datum"],
        "2025-03-03"
    );
    assert!(stderr(&out).contains("sparad som nummer 1"));
    // Straight from the file, without importing: the same amounts, nothing stored.
    let out = env.run(&[
        "settle",
        "--period",
        "2025-03",
        "--fran-fil",
        "besok.csv",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(f["belopp"], 100_560);
    assert!(
        stderr(&out).contains("3 rader lästa, 3 utförda besök i 2025-03; körningen sparas inte"),
        "{}",
        stderr(&out)
    );
    // A file with quoted fields takes the full CSV path and gives the same result.
    let quoted = std::fs::read_to_string(env.path("besok.csv"))
        .unwrap()
        .replace(";P1;", ";\"P1\";");
    let q = env.write("citat.csv", &quoted);
    let out = env.run(&[
        "settle",
        "--period",
        "2025-03",
        "--fran-fil",
        q.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(f["belopp"], 100_560);
    let bad = env.write(
        "fel.csv",
        &format!("besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\nB1;{a};X99;HT_OMV;P1;2025-03-03 08:00;2025-03-03 08:30;2025-03-03 08:00;2025-03-03 08:30;utförd\n"),
    );
    let out = env.run(&["settle", "--period", "2025-03", "--fran-fil", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("rad 2, kolumn \"utförare\": värdet \"X99\""),
        "{}",
        stderr(&out)
    );
    // A visit id repeated for one provider would be paid twice: refused with
    // the row, column and value, exactly as import refuses it.
    let dup = std::fs::read_to_string(env.path("besok.csv"))
        .unwrap()
        .replace("B2;", "B1;");
    let d = env.write("dubblett.csv", &dup);
    let out = env.run(&["settle", "--period", "2025-03", "--fran-fil", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("rad 3, kolumn \"besok_id\": värdet \"B1\", förväntade en unik nyckel"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["import", "besok", d.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("rad 3, kolumn \"besok_id\": värdet \"B1\""),
        "{}",
        stderr(&out)
    );
    // The same id at another provider is another visit.
    let other = std::fs::read_to_string(env.path("besok.csv"))
        .unwrap()
        .replace("B3;", "B1;");
    let o = env.write("annan.csv", &other);
    let out = env.run(&[
        "settle",
        "--period",
        "2025-03",
        "--fran-fil",
        o.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A bad time in the month's rows gives import's message.
    let badtime = std::fs::read_to_string(env.path("besok.csv"))
        .unwrap()
        .replace(";2025-03-03 08:30;utförd", ";2025-03-03 8.30;utförd");
    let t = env.write("tid.csv", &badtime);
    let out = env.run(&["settle", "--period", "2025-03", "--fran-fil", t.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("rad 2, kolumn \"faktisk_slut\": värdet \"2025-03-03 8.30\""),
        "{}",
        stderr(&out)
    );
    // A stored run keeps no brukare-days; asked for, they are recomputed from
    // the unchanged inputs and add up to the stored run.
    let out = env.run(&["settle", "--visa", "1", "--format", "json", "--detail"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["belopp"], 100_560);
    assert_eq!(
        v["utforare"][0]["tjanster"][0]["rader"][0]["detalj"][0]["belopp"],
        21_000
    );
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let stored: String = conn
        .query_row("SELECT resultat FROM avrakning WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert!(!stored.contains("detalj"), "{stored}");
    drop(conn);
    // A re-run with the same inputs gives the same öre and says so.
    let out = env.run(&["settle", "--period", "2025-03"]);
    assert!(
        stderr(&out).contains("samma indata som nummer 1 och samma belopp på öret"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("Totalt") && stdout(&out).contains("1 005,60 kr"),
        "{}",
        stdout(&out)
    );
    let out = env.run(&["settle", "--visa", "1", "--format", "csv"]);
    assert!(stdout(&out).starts_with("period;utförare;"), "{}", stdout(&out));
    assert!(stdout(&out).contains("momskompensation 6 %"));
    // A service without a model is listed, not guessed.
    let b = pnr("1944-09-30", 12);
    env.import_ok(
        "insatser",
        "ins2.csv",
        "kod;namn;lagrum;volymenhet;verksamhet\nHT_SERV;Service;SoL;timmar;hemtjänst\n",
    );
    env.import_ok(
        "besok",
        "besok2.csv",
        &format!("besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\nB9;{b};711;HT_SERV;P1;2025-03-04 10:00;2025-03-04 10:45;2025-03-04 10:00;2025-03-04 10:45;utförd\n"),
    );
    let out = env.run(&["settle", "--period", "2025-03"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("1 volymer saknar ersättningsmodell") && err.contains("insats HT_SERV: 1 dagar, 0,75 timmar"),
        "{err}"
    );
    let out = env.run(&["settle", "--period", "2025-03", "--allow-uncovered"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("ej prissatta"), "{}", stdout(&out));
    let out = env.run(&["settle", "--period", "2025-13"]);
    assert!(
        stderr(&out).contains("--period: värdet \"2025-13\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn scenario_compares_two_model_versions_on_the_same_volumes() {
    let env = Env::new();
    let out = demo(&env, "demo.db", "filer", "1");
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |args: &[&str]| {
        env.cmd()
            .args(["--db", "demo.db", "scenario"])
            .args(args)
            .output()
            .unwrap()
    };
    // docs/regler.md, "Boendestöd och socialpsykiatri": 50 %/50 % against
    // 80 %/50 % gives 62,5 % of the base.
    let out = run(&[
        "--base",
        "Boendestöd@2025-01-01",
        "--alt",
        "Boendestöd@2026-01-01",
        "--year",
        "2026",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["alt_andel_av_bas"], 625_000, "{v}");
    let rows = v["rader"].as_array().unwrap();
    assert!(!rows.is_empty());
    let sum: i64 = rows.iter().map(|r| r["bas"].as_i64().unwrap()).sum();
    assert_eq!(v["bas_total"].as_i64().unwrap(), sum);
    let table = stdout(&run(&[
        "--base",
        "Boendestöd@2025-01-01",
        "--alt",
        "Boendestöd@2026-01-01",
        "--year",
        "2026",
    ]));
    assert!(table.contains("Alternativet ger 62,5 % av basen"), "{table}");
    assert!(table.contains(" tkr"), "{table}");
    // Home care: the April 2026 rates against the old ones on 2026's visits.
    let out = run(&[
        "--base",
        "Hemtjänst utförd tid@2025-01-01",
        "--alt",
        "Hemtjänst utförd tid@2026-04-01",
        "--year",
        "2026",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["alt_total"].as_i64().unwrap() > v["bas_total"].as_i64().unwrap());
    let own = v["rader"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["utforare"] == "711")
        .unwrap();
    assert!(
        own["faktisk_kostnad_per_utford_timme"].as_i64().unwrap() > 0,
        "ledger cost per performed hour: {own}"
    );
    assert!(own["bas_per_utford_timme"].as_i64().unwrap() > 0);
    // Bad input.
    let out = run(&[
        "--base",
        "Boendestöd@2024-01-01",
        "--alt",
        "Boendestöd@2026-01-01",
        "--year",
        "2026",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Modellversionen \"Boendestöd@2024-01-01\" finns inte"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "--base",
        "Boendestöd@2025-01-01",
        "--alt",
        "LSS-boende@2025-01-01",
        "--year",
        "2026",
    ]);
    assert!(stderr(&out).contains("olika modelltyp"), "{}", stderr(&out));
}

#[test]
fn settlement_statement_as_xlsx_has_one_sheet_per_provider() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let env = Env::new();
    env.base();
    let a = pnr("1931-04-02", 11);
    env.import_ok(
        "besok",
        "besok.csv",
        &format!(
            "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status
B1;{a};711;HT_OMV;P1;2025-03-03 08:00;2025-03-03 08:30;2025-03-03 08:00;2025-03-03 08:30;utförd
B3;{a};LOV1;HT_OMV;P2;2025-03-08 10:00;2025-03-08 11:00;2025-03-08 10:00;2025-03-08 11:00;utförd
"
        ),
    );
    let m = env.write("m.toml", MODEL);
    env.run(&["model", "load", m.to_str().unwrap()]);
    let out = env.run(&[
        "settle",
        "--period",
        "2025-03",
        "--format",
        "xlsx",
        "--output",
        "avrakning.xlsx",
        "--detail",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut wb: Xlsx<_> = open_workbook(env.path("avrakning.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Sammanställning", "711 Hemtjänst Centrum", "LOV1 Omsorg AB"]
    );
    let lov = wb.worksheet_range("LOV1 Omsorg AB").unwrap();
    let cells: Vec<String> = lov.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.iter().any(|c| c == "momskompensation 6 %"), "{cells:?}");
    assert!(
        cells.iter().any(|c| c == "540.6"),
        "the statement's total is the sum of its lines: {cells:?}"
    );
    let summary = wb.worksheet_range("Sammanställning").unwrap();
    assert!(summary
        .rows()
        .any(|r| matches!(r.first(), Some(Data::String(s)) if s == "Totalt")));
}

#[test]
fn lss_units_a_conto_assistance_and_placements_from_files() {
    let env = Env::new();
    env.base();
    env.import_ok(
        "insatser",
        "insatser2.csv",
        "kod;namn;lagrum;volymenhet;verksamhet
LSS_GRUPP;Gruppbostad;LSS;dygn;LSS-boende
PA_SFB;Personlig assistans;SFB;timmar;personlig assistans
IFO_PLAC;Placering;SoL;dygn;IFO
",
    );
    // Staffing type is read from the provider register; a bad one is refused with its row.
    let out = env.import(
        "utforare",
        "bad.csv",
        "kod;namn;regiform;ansvar;platser;bemanning\nG1;Gruppbostad 1;egen regi;711;4;sovande natt\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("rad 2") && stderr(&out).contains("bemanning") && stderr(&out).contains("sovande natt"),
        "{}",
        stderr(&out)
    );
    env.import_ok(
        "utforare",
        "utforare2.csv",
        "kod;namn;regiform;ansvar;platser;bemanning
G1;Gruppbostad 1;egen regi;711;4;vaken natt
PA;Assistans kommunen;egen regi;711;;
HVB1;Hemmet AB;upphandlad;711;;
",
    );
    let (a, b) = (pnr("1980-01-02", 11), pnr("1985-03-04", 12));
    env.import_ok(
        "beslut",
        "beslut.csv",
        &format!(
            "beslut_id;personnummer;insats;nivå;utförare;beslutsdatum;startdatum;slutdatum
L1;{a};LSS_GRUPP;12,5;G1;2024-01-01;2024-01-10;
L2;{b};LSS_GRUPP;;G1;2024-01-01;2024-01-10;
"
        ),
    );
    env.import_ok(
        "vistelser",
        "vistelser.csv",
        &format!(
            "vistelse_id;personnummer;enhet;plats;inflyttning;utflyttning;typ
V1;{a};G1;G1-1;2024-01-10;;permanent
V2;{b};G1;G1-2;2024-01-10;;permanent
"
        ),
    );
    let model = env.write(
        "lss.toml",
        r#"[[modell]]
namn = "LSS"
typ = "dygn"
insatser = ["LSS_GRUPP"]
giltig_fran = 2025-01-01
poangpris = "95,00"
[modell.grundpris_per_plats]
dagtackning = "420,00"
vaknatt = "610,00"
[modell.individuellt_dygnspris]
L2 = "6 400,00"
[modell.a_conto]
belaggning_procent = 90
dygnspris = "1 000,00"

[[modell]]
namn = "PA"
typ = "assistans"
insatser = ["PA_SFB"]
giltig_fran = 2025-01-01
kostnad_per_timme = "360,00"

[[modell]]
namn = "Placeringar"
typ = "placering"
insatser = ["IFO_PLAC"]
giltig_fran = 2025-01-01
budget_ansvar = ["711"]
budget_konton = ["4610"]
"#,
    );
    let out = env.run(&["model", "load", model.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.run(&["settle", "--period", "2026-02", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = &v["utforare"][0]["tjanster"][0]["rader"];
    let amount = |regel: &str| {
        lines
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["regel"] == regel)
            .unwrap_or_else(|| panic!("{regel} saknas: {lines}"))["belopp"]
            .as_i64()
            .unwrap()
    };
    // February 2026 has 28 days. (rule, öre)
    let cases = [
        ("grundersättning vaken natt, 4 platser", 61_000 * 4 * 28),
        ("dygnspris behovspoäng", 9_500 * 25 / 2 * 28),
        ("dygnspris individuellt pris, beslut L2", 640_000 * 28),
    ];
    for (regel, ore) in cases {
        assert_eq!(amount(regel), ore, "{regel}");
    }
    assert_eq!(v["belopp"], 61_000 * 4 * 28 + 118_750 * 28 + 640_000 * 28);
    // A conto for March: 4 places × 31 days × 1 000 kr × 90 %, and February settled
    // against February's advance (4 × 28 × 1 000 × 90 %).
    let out = env.run(&["acconto", "--period", "2026-03", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["rader"][0]["forskott"], 11_160_000);
    assert_eq!(p["rader"][0]["forskott_foregaende"], 10_080_000);
    assert_eq!(p["rader"][0]["utfall_foregaende"], v["belopp"]);
    assert_eq!(
        p["att_betala"].as_i64().unwrap(),
        11_160_000 + v["belopp"].as_i64().unwrap() - 10_080_000
    );
    let out = env.run(&["acconto", "--period", "2026-13"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("förväntade en månad ÅÅÅÅ-MM"), "{}", stderr(&out));

    // Personal assistance: 1 100 of 2 340 granted hours used by 31 March.
    env.import_ok(
        "assistans",
        "assistans.csv",
        &format!(
            "personnummer;utförare;från;till;beviljade_timmar;utförda_timmar;fk_timbelopp
{a};PA;2026-01-01;2026-06-30;2 340;1 100;339,25
"
        ),
    );
    let out = env.run(&["assistans", "--period", "2026-03", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["rader"][0]["fk_intakt"], 37_317_500);
    assert_eq!(r["rader"][0]["netto_per_timme"], 2_075);
    assert_eq!(r["rader"][0]["prognos_utforda"], 221_222);
    assert_eq!(r["prognos_aterbetalning"], 4_334_937);
    assert!(!r["rader"][0]["brukare"].as_str().unwrap().contains(&a[..8]));
    let out = env.run(&["assistans", "--period", "2026-03"]);
    assert!(stdout(&out).contains("Netto kr/h"), "{}", stdout(&out));

    // Placements against the budget the model names.
    env.import_ok(
        "placeringar",
        "placeringar.csv",
        &format!(
            "placering_id;personnummer;målgrupp;typ;utförare;startdatum;slutdatum;dygnskostnad
P1;{b};vuxen;HVB;HVB1;2025-06-01;;2 000,00
"
        ),
    );
    let out = env.run(&["placeringar", "--period", "2026-03", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "no budget yet");
    assert!(
        stderr(&out).contains("ingen beslutad budget för 2026"),
        "{}",
        stderr(&out)
    );
    env.import_ok(
        "budget",
        "budget.csv",
        "version;typ;år;period;ansvar;konto;verksamhet;belopp
Budget 2026;beslutad;2026;;711;4610;600;1 460 000
Budget 2026;beslutad;2026;;711;5011;600;900 000
",
    );
    let out = env.run(&["placeringar", "--period", "2026-03", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 1 460 000 ÷ (2 000 × 365) = 2 placements; one is in force.
    assert_eq!(r["budget"], 146_000_000);
    assert_eq!(r["break_even"], 200);
    assert_eq!(r["antal"], 100);
    assert_eq!(r["dygn"], 31 + 28 + 31);
    let out = env.run(&["placeringar", "--period", "2026-03", "--budget", "många"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--budget"), "{}", stderr(&out));
}

#[test]
fn visit_problems_from_reading_and_storing_come_in_line_order() {
    // Visit files are read on one thread and stored on another: a duplicate key
    // (found when storing) and a bad time (found when reading) are listed by line.
    let env = Env::new();
    env.base();
    let a = pnr("1931-04-02", 11);
    let mut text = String::from(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\n",
    );
    for i in 0..10_000 {
        let id = if i == 9_000 { "B1".to_string() } else { format!("B{i}") };
        let start = if i == 5_000 {
            "2025-03-03 25:00"
        } else {
            "2025-03-03 08:00"
        };
        text.push_str(&format!(
            "{id};{a};711;HT_OMV;P1;{start};2025-03-03 08:30;2025-03-03 08:00;2025-03-03 08:30;utförd\n"
        ));
    }
    let before = env.info_json()["kontrollsumma"].clone();
    let out = env.import("besok", "besok.csv", &text);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let bad_time = err.find("rad 5002").unwrap_or_else(|| panic!("{err}"));
    let dup = err.find("rad 9002").unwrap_or_else(|| panic!("{err}"));
    assert!(bad_time < dup, "{err}");
    assert!(err.contains("\"B1\""), "{err}");
    assert_eq!(env.info_json()["kontrollsumma"], before, "nothing stored");
}

/// Text in code page 437 (SIE's PC8) for the Swedish letters used here.
fn pc8(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'å' => 0x86,
            'ä' => 0x84,
            'ö' => 0x94,
            'Å' => 0x8F,
            'Ä' => 0x8E,
            'Ö' => 0x99,
            c if c.is_ascii() => c as u8,
            c => panic!("{c} not in the test table"),
        })
        .collect()
}

const SIE: &str = "#FLAGGA 0
#PROGRAM \"Ekonomisystem\" 12.4
#FORMAT PC8
#SIETYP 4
#FNAMN \"Testkommun\"
#RAR 0 20250101 20251231
#KONTO 1930 \"Bank\"
#KONTO 5011 \"Löner månadsavlönade\"
#KONTO 3510 \"Omsorgsavgifter\"
#DIM 1 \"Ansvar\"
#DIM 20 \"Verksamhet\"
#OBJEKT 1 \"1711\" \"Hemtjänst Centrum\"
#VER A 1 20250131 \"Lön januari\"
{
#TRANS 5011 {1 \"1711\" 20 \"510\"} 1000.00
#TRANS 5011 {1 \"1711\" 20 \"510\"} 234.50
#TRANS 5011 {1 \"9999\" 20 \"510\"} 99.00
#TRANS 1930 {} -1333.50
}
#VER B 1 20250215 \"Avgifter\"
{
#TRANS 3510 {1 \"1711\" 20 \"510\"} -400.00 20250214 \"Avgift\"
#TRANS 1930 {} 400.00
}
";

#[test]
fn sie_ledger_with_mapping_unmapped_codes_and_omappat() {
    let env = Env::new();
    env.base();
    std::fs::write(env.path("bok.se"), pc8(SIE)).unwrap();
    let mapping = env.write(
        "mappning.csv",
        "slag;från;till\ndimension;20;verksamhet\nansvar;17*;711\nkonto;3*;*\nkonto;5*;*\n",
    );
    let m = mapping.to_str().unwrap();
    // 9999 is not mapped: the file is refused with the code, its lines and amount.
    let out = env.run(&["import", "huvudbok", "bok.se", "--mappning", m]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("rad 17, kolumn \"ansvar\": värdet \"9999\"") && err.contains("1 rad, summa 99,00 kr"),
        "{err}"
    );
    assert!(err.contains("--omappat"), "{err}");
    // With --omappat the line is kept under OMAPPAT; the rest is mapped 1711 → 711,
    // summed per month, account, ansvar and verksamhet; balance accounts are skipped.
    let out = env.run(&["import", "huvudbok", "bok.se", "--mappning", m, "--omappat"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(stdout(&out).contains("PC8 (CP437)"), "{}", stdout(&out));
    assert!(err.contains("ansvar 9999: 1 rader, 99,00 kr"), "{err}");
    assert!(err.contains("2 rader på balanskonton"), "{err}");
    let db = rusqlite::Connection::open(env.db()).unwrap();
    let rows: Vec<(i64, String, String, String, i64)> = db
        .prepare("SELECT period, konto, ansvar, verksamhet, belopp FROM huvudbok ORDER BY period, ansvar")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        vec![
            (202501, "5011".into(), "711".into(), "510".into(), 123_450),
            (202501, "5011".into(), "OMAPPAT".into(), "510".into(), 9_900),
            (202502, "3510".into(), "711".into(), "510".into(), -40_000),
        ]
    );
    let name: String = db
        .query_row("SELECT namn FROM konto WHERE kod = '5011'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Löner månadsavlönade");
    // A broken file names its line.
    std::fs::write(env.path("trasig.se"), pc8(&SIE.replace("234.50", "234,50"))).unwrap();
    let out = env.run(&["import", "huvudbok", "trasig.se", "--mappning", m]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("rad 16"), "{}", stderr(&out));
    assert!(stderr(&out).contains("decimalpunkt"), "{}", stderr(&out));
    // A broken mapping file names its row and column.
    let bad = env.write("bad.csv", "slag;från;till\nkonton;5*;*\n");
    let out = env.run(&["import", "huvudbok", "bok.se", "--mappning", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("rad 2, kolumn \"slag\"") && stderr(&out).contains("mappningsfil"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn followup_in_both_layouts_with_forecasts_and_xlsx() {
    let env = Env::new();
    env.base();
    // 2025: 100 000 kr a month in costs on 711; 2026 Jan–Apr 120 000 a month and
    // income of −10 000 a month; annual budget 1 320 000 costs, −96 000 income.
    let mut ledger = String::from("period;konto;ansvar;verksamhet;belopp\n");
    for m in 1..=12 {
        ledger.push_str(&format!("2025-{m:02};5011;711;510;100000\n"));
    }
    for m in 1..=4 {
        ledger.push_str(&format!(
            "2026-{m:02};5011;711;510;120000\n2026-{m:02};3510;711;510;-10000\n"
        ));
    }
    env.import_ok("huvudbok", "hb.csv", &ledger);
    env.import_ok(
        "budget",
        "budget.csv",
        "version;typ;år;period;ansvar;konto;verksamhet;belopp
Budget 2026;beslutad;2026;;711;5011;510;1320000
Budget 2026;beslutad;2026;;711;3510;510;-96000
Budget 2025;beslutad;2025;;711;5011;510;1200000
",
    );
    let json = |args: &[&str]| -> serde_json::Value {
        let out = env.run(args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // The report's rows: the node row of `kod` and its value in column `key`.
    fn row<'a>(v: &'a serde_json::Value, typ: &str, kod: &str) -> &'a serde_json::Value {
        v["rader"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["typ"] == typ && r["kod"] == kod)
            .unwrap_or_else(|| panic!("{typ} {kod} in {v}"))
    }
    fn col(v: &serde_json::Value, r: &serde_json::Value, key: &str) -> serde_json::Value {
        let i = v["kolumner"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["nyckel"] == key)
            .unwrap();
        r["varden"][i].clone()
    }
    let base = ["followup", "--period", "2026-04", "--konton", "--format", "json"];
    let v = json(&base);
    assert_eq!(v["rader"][0]["kod"], "K");
    assert_eq!(v["rader"][0]["typ"], "nod");
    // Cost layout: outcome 440 000, budget 4/12 of 1 224 000 = 408 000, deviation −32 000 (deficit).
    let n711 = row(&v, "nod", "711");
    assert_eq!(n711["djup"], 3);
    assert_eq!(col(&v, n711, "utfall"), 44_000_000);
    assert_eq!(col(&v, n711, "budget"), 40_800_000);
    assert_eq!(col(&v, n711, "avvikelse"), -3_200_000);
    // 440 000 ÷ 408 000 = 107,84 %, in hundredths of a percent.
    assert_eq!(col(&v, n711, "forbrukning"), 10_784);
    // Forecast (outcome + remaining budget) = 440 000 + 8/12 of 1 224 000 = 1 256 000.
    assert_eq!(col(&v, n711, "prognos"), 125_600_000);
    // Totals are the sums of parts all the way up.
    assert_eq!(v["rader"][0]["belopp"], n711["belopp"]);
    let parts: i64 = n711["delar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            v["rader"][i.as_u64().unwrap() as usize]["belopp"]["utfall"]
                .as_i64()
                .unwrap()
        })
        .sum();
    assert_eq!(parts, 44_000_000);
    // Result layout on the same data: signs turned, deviation = outcome − budget = −32 000,
    // previous year 400 000 of costs = −400 000.
    let mut args = base.to_vec();
    args.extend(["--layout", "resultat"]);
    let r = json(&args);
    let r711 = row(&r, "nod", "711");
    assert_eq!(col(&r, r711, "utfall"), -44_000_000);
    assert_eq!(col(&r, r711, "avvikelse"), -3_200_000);
    assert_eq!(col(&r, r711, "fg_ar"), -40_000_000);
    // Run-rate and profile proposals.
    let mut args = base.to_vec();
    args.extend(["--metod", "takt"]);
    assert_eq!(json(&args)["rader"][0]["belopp"]["prognos"], 132_000_000);
    // A manual forecast with a comment is an explicit adjustment under its node.
    let out = env.run(&[
        "forecast",
        "set",
        "--version",
        "Prognos 1",
        "--period",
        "2026-04",
        "--node",
        "711",
        "--belopp",
        "1 300 000",
        "--kommentar",
        "Fler brukare",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Without --prognos the report uses the newest version whose checkpoint is the
    // report month or earlier (the same rule as every web page and the API).
    let d = json(&base);
    assert_eq!(d["prognosversion"], "Prognos 1");
    assert_eq!(d["rader"][0]["belopp"]["prognos"], 130_000_000);
    let out = env.run(&[
        "forecast",
        "set",
        "--version",
        "Prognos 2",
        "--period",
        "2026-08",
        "--node",
        "711",
        "--belopp",
        "1 340 000",
        "--kommentar",
        "Sommarvikarier",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Prognos 2 (August) is after April: April's report still uses Prognos 1.
    assert_eq!(json(&base)["prognosversion"], "Prognos 1");
    let mut args = base.to_vec();
    args.extend(["--prognos", "förslag"]);
    let p = json(&args);
    assert_eq!(p["prognosversion"], serde_json::Value::Null);
    assert_eq!(p["rader"][0]["belopp"]["prognos"], 125_600_000);
    let mut args = base.to_vec();
    args.extend(["--prognos", "Prognos 1"]);
    let m = json(&args);
    let m711 = row(&m, "nod", "711");
    assert_eq!(m711["belopp"]["prognos"], 130_000_000);
    let adj = row(&m, "prognosjustering", "");
    assert_eq!(adj["belopp"]["prognos"], 130_000_000 - 125_600_000);
    assert_eq!(adj["namn"], "Prognosjustering (Prognos 1): Fler brukare");
    assert_eq!(m["rader"][0]["belopp"]["prognos"], 130_000_000);
    // The adjustment row is kept in the result layout too (one row set for every front end).
    args.extend(["--layout", "resultat"]);
    let mr = json(&args);
    assert_eq!(row(&mr, "prognosjustering", "")["djup"], 4);
    let csv = stdout(&env.run(&[
        "followup",
        "--period",
        "2026-04",
        "--prognos",
        "Prognos 1",
        "--layout",
        "resultat",
        "--format",
        "csv",
    ]));
    assert!(
        csv.contains(";prognosjustering;;Prognosjustering (Prognos 1): Fler brukare"),
        "{csv}"
    );
    let c = json(&[
        "forecast",
        "compare",
        "--year",
        "2026",
        "--a",
        "Prognos 1",
        "--b",
        "Prognos 2",
        "--format",
        "json",
    ]);
    assert_eq!(c["rader"][0][3], 4_000_000, "+40 000 vs Prognos 1");
    // Bad input.
    let out = env.run(&[
        "forecast",
        "set",
        "--version",
        "X",
        "--period",
        "2026-04",
        "--node",
        "999",
        "--belopp",
        "1",
        "--kommentar",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--node: värdet \"999\""), "{}", stderr(&out));
    let out = env.run(&["followup", "--period", "2026-04", "--layout", "baklänges"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("kostnad eller resultat"), "{}", stderr(&out));
    let out = env.run(&["forecast", "accuracy", "--year", "2026"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("inte stängt"), "{}", stderr(&out));
    // xlsx: totals are formulas over their parts, headers frozen.
    let out = env.run(&[
        "followup", "--period", "2026-04", "--konton", "--format", "xlsx", "--output", "u.xlsx",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    use calamine::{open_workbook, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(env.path("u.xlsx")).unwrap();
    let formulas = wb.worksheet_formula("Uppföljning").unwrap();
    let all: Vec<String> = formulas.rows().flatten().map(|f| f.to_string()).collect();
    // 711 sums its two account rows: a formula adding cells.
    assert!(all.iter().any(|f| f.contains('+')), "{all:?}");
    assert!(all.iter().any(|f| f.contains("IF(")), "{all:?}");
    let values = wb.worksheet_range("Uppföljning").unwrap();
    let found = values.rows().any(|r| r.iter().any(|c| *c == "711"));
    assert!(found);
    // Special effects: shown per tag, and taken out with --utan-specialposter.
    let out = env.run(&[
        "effect",
        "add",
        "--tagg",
        "covid-19",
        "--del",
        "strukturell",
        "--node",
        "711",
        "--period",
        "2026-02",
        "--utfall",
        "30 000",
        "--prognos",
        "50 000",
        "--kommentar",
        "Fler brukare under smittan",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut base = base.to_vec();
    base.extend(["--prognos", "förslag"]);
    let with = json(&base);
    let w711 = row(&with, "nod", "711");
    assert_eq!(w711["specialposter"]["covid-19 (strukturell)"]["utfall"], 3_000_000);
    assert_eq!(
        with["rader"][0]["specialposter"]["covid-19 (strukturell)"]["prognos"],
        5_000_000
    );
    // One column per special effect in the cost layout, on the node rows.
    let sp = with["kolumner"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["nyckel"] == "specialpost")
        .unwrap();
    assert_eq!(with["kolumner"][sp]["tagg"], "covid-19 (strukturell)");
    assert_eq!(w711["varden"][sp], 3_000_000);
    let mut args = base.to_vec();
    args.push("--utan-specialposter");
    let without = json(&args);
    let wo711 = row(&without, "nod", "711");
    assert_eq!(wo711["belopp"]["utfall"], 44_000_000 - 3_000_000);
    assert_eq!(without["rader"][0]["belopp"]["utfall"], 44_000_000 - 3_000_000);
    assert_eq!(
        row(&without, "specialpost", "")["namn"],
        "Exklusive specialpost covid-19 (strukturell)"
    );
    let table = stdout(&env.run(&["followup", "--period", "2026-04"]));
    assert!(table.contains("covid-19 (struktur"), "{table}");
    let out = env.run(&[
        "effect",
        "add",
        "--tagg",
        "covid-19",
        "--del",
        "annat",
        "--node",
        "711",
        "--period",
        "2026-02",
        "--utfall",
        "1",
        "--kommentar",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("strukturell"), "{}", stderr(&out));
    let effects: Vec<_> = audit_log(&env).into_iter().filter(|e| e.1 == "specialpost").collect();
    assert_eq!(effects.len(), 1, "the refused effect is not logged: {effects:?}");
    assert_eq!(effects[0].2, "covid-19 (strukturell), nod 711, 2026-02");
    assert_eq!(
        effects[0].4.as_deref(),
        Some("utfall 30 000,00 kr, prognos 50 000,00 kr; Fler brukare under smittan")
    );
}

#[test]
fn registers_beside_the_ledger() {
    let env = Env::new();
    env.base();
    env.import_ok(
        "utforare",
        "intra.csv",
        "kod;namn;regiform;ansvar;platser\n711X;Hemtjänst Centrum intraprenad;intraprenad;711;\n",
    );
    // 2025 closed: budget 1 200 000, outcome 1 150 000 → surplus 50 000.
    let mut ledger = String::from("period;konto;ansvar;verksamhet;belopp\n");
    for m in 1..=12 {
        ledger.push_str(&format!("2025-{m:02};5011;711;510;95833,33\n"));
    }
    env.import_ok("huvudbok", "hb.csv", &ledger);
    env.import_ok(
        "budget",
        "b.csv",
        "version;typ;år;period;ansvar;konto;verksamhet;belopp\nBudget 2025;beslutad;2025;;711;5011;510;1200000\n",
    );
    let ok = |args: &[&str]| {
        let out = env.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    };
    ok(&[
        "intraprenad",
        "set",
        "--ansvar",
        "711",
        "--year",
        "2025",
        "--ingaende",
        "100 000",
        "--uttag",
        "30 000",
    ]);
    let out = ok(&["intraprenad", "show", "--period", "2025-12", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["rader"][0]["fond"];
    // 1 200 000 − 12 × 95 833,33 = 50 000,04
    assert_eq!(f["overskott"], 5_000_004);
    assert_eq!(f["utgaende"], 10_000_000 + 5_000_004 - 3_000_000);
    assert_eq!(v["rader"][0]["grund"], "utfall");
    // 2026 carries last year's outgoing balance in.
    let out = ok(&["intraprenad", "show", "--period", "2026-03", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rader"][0]["fond"]["ingaende"], 12_000_004);
    let out = env.run(&[
        "intraprenad",
        "set",
        "--ansvar",
        "712",
        "--year",
        "2025",
        "--uttag",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("intraprenad"), "{}", stderr(&out));

    ok(&[
        "atgard",
        "add",
        "--plan",
        "Åtgärdsplan 2026",
        "--node",
        "711",
        "--year",
        "2026",
        "--atgard",
        "Samplanering",
        "--planerad",
        "2 000 000",
        "--hittills",
        "500 000",
        "--prognos",
        "1 500 000",
    ]);
    let out = ok(&["atgard", "list", "--year", "2026", "--format", "json"]);
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(m[0]["uppnatt"], 250_000);
    assert_eq!(m[0]["prognos_andel"], 750_000);
    let out = env.run(&[
        "atgard",
        "add",
        "--slag",
        "önskelista",
        "--plan",
        "X",
        "--node",
        "711",
        "--year",
        "2026",
        "--atgard",
        "Y",
        "--planerad",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("åtgärdsplan eller effektiviseringskrav"),
        "{}",
        stderr(&out)
    );

    ok(&[
        "statsbidrag",
        "add",
        "--namn",
        "Äldreomsorgslyftet",
        "--year",
        "2026",
        "--node",
        "VON",
        "--belopp",
        "4 800 000",
        "--anvant",
        "3 950 000",
        "--aterrapport",
        "2027-03-31",
    ]);
    let out = ok(&["statsbidrag", "list", "--year", "2026", "--format", "json"]);
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(g[0]["kvar"], 85_000_000);
    let out = env.run(&[
        "statsbidrag",
        "add",
        "--namn",
        "X",
        "--year",
        "2026",
        "--node",
        "VON",
        "--belopp",
        "1",
        "--aterrapport",
        "31/3",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("ÅÅÅÅ-MM-DD"), "{}", stderr(&out));

    ok(&[
        "investering",
        "add",
        "--projekt",
        "Larm",
        "--year",
        "2026",
        "--node",
        "711",
        "--budget",
        "1 800 000",
        "--utfall",
        "1 650 000",
    ]);
    let out = ok(&["investering", "list", "--year", "2026"]);
    assert!(stdout(&out).contains("91,67 %"), "{}", stdout(&out));
    // Every register change is in the audit log; a changed entry keeps what it replaced.
    let log = audit_log(&env);
    for handling in ["intraprenad", "åtgärd", "statsbidrag", "investering"] {
        assert!(log.iter().any(|e| e.1 == handling), "{handling}: {log:?}");
    }
    assert!(
        log.iter().filter(|e| e.1 != "import").all(|e| e.0.starts_with("cli:")),
        "{log:?}"
    );
    let first = log.iter().find(|e| e.1 == "intraprenad").unwrap();
    assert_eq!(first.2, "ansvar 711 2025");
    assert_eq!(first.3, None);
    assert_eq!(first.4.as_deref(), Some("ingående 100 000,00 kr, uttag 30 000,00 kr"));
}

#[test]
fn budget_frame_from_a_frame_file() {
    let env = Env::new();
    env.base();
    env.import_ok(
        "budget",
        "b.csv",
        "version;typ;år;period;ansvar;konto;verksamhet;belopp
Budget 2026;beslutad;2026;;711;5011;510;1000000
Budget 2026;beslutad;2026;;711;6410;510;200000
Budget 2026;beslutad;2026;;711;3510;510;-50000
",
    );
    env.import_ok(
        "befolkning",
        "bef.csv",
        "år;ålder;kön;antal;typ\n2026;85;K;400;utfall\n2026;85;M;300;utfall\n2027;85;K;420;prognos\n2027;85;M;310;prognos\n2027;60;K;999;prognos\n",
    );
    let frame = env.write(
        "ram.toml",
        r#"ar = 2027
bas = "Budget 2026"
version = "Ram 2027"
typ = "scenario"
lon_procent = "3,2"
pris_procent = 1
sparbeting = "10 000"
sparbeting_nod = "HT"

[[demografi]]
nod = "711"
fran_alder = 80
till_alder = 130
pris_per_individ = "1 000"

[[prislapp]]
tjanst = "hemtjänst"
pris_per_individ = "100 000"
antal = 12
"#,
    );
    let f = frame.to_str().unwrap();
    let out = env.run(&["budget", "frame", f, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // (step, öre): 1 150 000 + 32 000 wages + 2 000 other costs + 30 × 1 000 − 10 000
    let cases = [
        ("bas", 115_000_000),
        ("lonupprakning", 3_200_000),
        ("prisupprakning", 200_000),
        ("demografi", 3_000_000),
        ("ram", 115_000_000 + 3_200_000 + 200_000 + 3_000_000 - 1_000_000),
    ];
    for (k, want) in cases {
        assert_eq!(v["ram"][k], want, "{k}");
    }
    assert_eq!(v["prislappsram"], 120_000_000);
    assert_eq!(v["sparad"], false);
    // The allocation names its units, in JSON and in the table.
    let unit = v["fordelning"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["ansvar"] == "711")
        .expect("711 allocated");
    assert_eq!(unit["namn"], "Hemtjänst Centrum");
    let table = stdout(&env.run(&["budget", "frame", f]));
    assert!(table.contains("711 Hemtjänst Centrum"), "{table}");
    // Saved as a version; the follow-up can use it; a second save is refused.
    let out = env.run(&["budget", "frame", f, "--spara", "--periodisering", "dagar"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout(&env.run(&["budget", "list", "--year", "2027"]));
    assert!(
        list.contains("Ram 2027") && list.contains("scenario") && list.contains("1 204 tkr"),
        "{list}"
    );
    let out = env.run(&["budget", "frame", f, "--spara"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("finns redan"), "{}", stderr(&out));
    let saved: Vec<_> = audit_log(&env).into_iter().filter(|e| e.1 == "budgetversion").collect();
    assert_eq!(saved.len(), 1, "only the saved frame: {saved:?}");
    assert_eq!(saved[0].2, "Ram 2027 2027 (scenario)");
    // A misspelt key names its line.
    let bad = env.write(
        "bad.toml",
        &std::fs::read_to_string(&frame)
            .unwrap()
            .replace("lon_procent", "lön_procent"),
    );
    let out = env.run(&["budget", "frame", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("rad 5"), "{}", stderr(&out));
}

#[test]
fn web_users_are_managed_from_the_command_line_and_demo_users_need_loopback() {
    let env = Env::new();
    env.import_ok("organisation", "org.csv", ORG);
    let add = |args: &[&str], pw: &str| {
        let mut c = env.cmd();
        c.arg("--db").arg(env.db()).arg("user").arg("add").args(args);
        c.env("RESURS_LOSENORD", pw);
        c.output().unwrap()
    };
    let out = add(&["anna", "--roll", "ekonom"], "ett-långt-lösenord");
    assert!(out.status.success(), "{}", stderr(&out));
    // Bad input: short password, unknown role, enhetschef without a node or with an unknown one, a name taken.
    let out = add(&["bo", "--roll", "ekonom"], "kort");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("minst 10 tecken"), "{}", stderr(&out));
    let out = add(&["bo", "--roll", "chef"], "ett-långt-lösenord");
    assert!(stderr(&out).contains("--roll: värdet \"chef\""), "{}", stderr(&out));
    let out = add(&["bo", "--roll", "enhetschef"], "ett-långt-lösenord");
    assert!(stderr(&out).contains("behöver en nod"), "{}", stderr(&out));
    let out = add(&["bo", "--roll", "enhetschef", "--nod", "999"], "ett-långt-lösenord");
    assert!(stderr(&out).contains("noden \"999\" finns inte"), "{}", stderr(&out));
    let out = add(&["bo", "--roll", "enhetschef", "--nod", "711"], "ett-långt-lösenord");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = add(&["anna", "--roll", "läsare"], "ett-långt-lösenord");
    assert!(stderr(&out).contains("finns redan"), "{}", stderr(&out));

    let list = env.run(&["user", "list"]);
    let text = stdout(&list);
    assert!(text.contains("anna") && text.contains("ekonom"), "{text}");
    assert!(
        text.contains("bo") && text.contains("enhetschef") && text.contains("711"),
        "{text}"
    );
    let token = env.run(&["user", "token", "anna", "--etikett", "skript"]);
    assert!(token.status.success(), "{}", stderr(&token));
    assert!(stdout(&token).trim().starts_with("rsk_"));
    let hash_of = |namn: &str| -> String {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.query_row("SELECT losenord FROM anvandare WHERE namn = $1", [namn], |r| r.get(0))
            .unwrap()
    };
    let old = hash_of("anna");
    let mut c = env.cmd();
    c.arg("--db").arg(env.db()).args(["user", "passwd", "anna"]);
    c.env("RESURS_LOSENORD", "ett-annat-långt-lösenord");
    assert!(c.output().unwrap().status.success());
    assert_ne!(hash_of("anna"), old, "the password changed");
    assert_eq!(hash_of("bo").len(), old.len());

    // Only hashes are stored, and every change is in the audit log.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let hash = hash_of("anna");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let secret = stdout(&token).trim().to_string();
    let stored: i64 = conn
        .query_row("SELECT COUNT(*) FROM api_nyckel WHERE sha256 = $1", [&secret], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stored, 0, "the token itself is not stored");
    let log: Vec<String> = conn
        .prepare("SELECT handling FROM handelselogg ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        log,
        [
            "import",
            "ny användare",
            "ny användare",
            "ny API-nyckel",
            "nytt lösenord"
        ]
    );

    // --demo refuses an address that is not loopback (the demo passwords are public).
    let out = env.run(&["serve", "--demo", "--addr", "0.0.0.0:0"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("vägrar därför adressen 0.0.0.0:0"),
        "{}",
        stderr(&out)
    );
}

/// A plain HTTP request to a local server: (status, headers, body).
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    (status, head.to_string(), body.to_string())
}

/// `resurs serve` as a child process on a free loopback port; killed on drop.
struct Served(std::process::Child, String);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(env: &Env) -> Served {
    serve_to(env, std::process::Stdio::null())
}

/// As [`serve`], with the server's log (standard error) going to `log`.
fn serve_to(env: &Env, log: std::process::Stdio) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut c = env.cmd();
    c.arg("--db")
        .arg(env.db())
        .args(["serve", "--addr", &addr])
        .stdout(std::process::Stdio::null())
        .stderr(log);
    let served = Served(c.spawn().unwrap(), addr.clone());
    for _ in 0..200 {
        if std::net::TcpStream::connect(&addr).is_ok() && http(&addr, "GET", "/api/halsa", &[], "").0 == 200 {
            return served;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("resurs serve did not answer on {addr}");
}

#[test]
fn changes_from_the_command_line_are_in_the_web_audit_log() {
    let env = Env::new();
    // The operating-system user when no --anvandare is given.
    for (kind, name, text) in [("organisation", "org.csv", ORG), ("insatser", "insatser.csv", INSATSER)] {
        let p = env.write(name, text);
        let mut c = env.cmd();
        c.arg("--db").arg(env.db()).args(["import", kind, p.to_str().unwrap()]);
        c.env("USER", "kalle").env("LOGNAME", "inte-kalle");
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/modeller/hemtjanst.toml");
    for args in [
        vec![
            "--anvandare",
            "anna",
            "forecast",
            "set",
            "--version",
            "Prognos 1",
            "--period",
            "2026-03",
            "--node",
            "711",
            "--belopp",
            "1 250 000",
            "--kommentar",
            "Fler timmar",
        ],
        vec!["model", "load", model.to_str().unwrap(), "--anvandare", "anna"],
    ] {
        let out = env.run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let mut c = env.cmd();
    c.arg("--db")
        .arg(env.db())
        .args(["--anvandare", "anna", "user", "add", "revisor", "--roll", "läsare"]);
    c.env("RESURS_LOSENORD", "revisorns-lösenord");
    assert!(c.output().unwrap().status.success());

    let srv = serve(&env);
    let (status, head, body) = http(
        &srv.1,
        "POST",
        "/api/logga-in",
        &[("Content-Type", "application/json")],
        r#"{"namn":"revisor","losenord":"revisorns-lösenord"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string();
    let (status, _, body) = http(&srv.1, "GET", "/api/logg", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200, "{body}");
    let log: serde_json::Value = serde_json::from_str(&body).unwrap();
    let entries: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["vem"].as_str().unwrap().to_string(),
                e["handling"].as_str().unwrap().to_string(),
                e["objekt"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |vem: &str, handling: &str, objekt: &str| {
        entries
            .iter()
            .any(|(v, h, o)| v == vem && h == handling && o.contains(objekt))
    };
    assert!(has("cli:kalle", "import", "organisation org.csv"), "{entries:?}");
    assert!(has("cli:kalle", "import", "insatser insatser.csv"), "{entries:?}");
    assert!(has("cli:anna", "prognos", "Prognos 1 2026, nod 711"), "{entries:?}");
    assert!(has("cli:anna", "modell", "hemtjanst.toml"), "{entries:?}");
    assert!(has("cli:anna", "ny användare", "revisor"), "{entries:?}");
    assert_eq!(entries.len(), 5, "each change once: {entries:?}");
    let forecast = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["handling"] == "prognos")
        .unwrap();
    assert_eq!(forecast["efter"], "1 250 000,00 kr; Fler timmar");
    // The page shows the same entries.
    let (status, _, page) = http(&srv.1, "GET", "/logg", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200);
    assert!(page.contains("cli:anna") && page.contains("cli:kalle"), "{page}");
}

#[test]
fn a_change_and_its_audit_entry_are_saved_together_or_not_at_all() {
    let env = Env::new();
    env.base();
    let count = |sql: &str| -> i64 {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    };
    let audited = count("SELECT COUNT(*) FROM handelselogg");
    assert_eq!(audited, 3, "one entry per import");
    // A refused import leaves neither rows nor an entry.
    let out = env.import(
        "huvudbok",
        "fel.csv",
        "period;konto;ansvar;verksamhet;belopp\n2026-13;5011;711;510;1\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(count("SELECT COUNT(*) FROM handelselogg"), audited);
    // When the audit entry cannot be written, the change is not saved either.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER stopp BEFORE INSERT ON handelselogg BEGIN SELECT RAISE(ABORT, 'loggen är full'); END;",
    )
    .unwrap();
    drop(conn);
    let out = env.run(&[
        "forecast",
        "set",
        "--version",
        "Prognos 1",
        "--period",
        "2026-03",
        "--node",
        "711",
        "--belopp",
        "1 000",
        "--kommentar",
        "test",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("internt fel: ") && stderr(&out).contains("loggen är full"),
        "the operator sees the detail: {}",
        stderr(&out)
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM prognos"),
        0,
        "no forecast without its audit entry"
    );
    assert_eq!(count("SELECT COUNT(*) FROM prognos_version"), 0);
    let out = env.import(
        "huvudbok",
        "hb.csv",
        "period;konto;ansvar;verksamhet;belopp\n2026-01;5011;711;510;1\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        count("SELECT COUNT(*) FROM huvudbok"),
        0,
        "no import without its audit entry"
    );
    assert_eq!(count("SELECT COUNT(*) FROM import_logg"), 3);
}

#[test]
fn a_stored_value_that_cannot_be_read_stops_the_settlement() {
    let env = Env::new();
    env.base();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/modeller/hemtjanst.toml");
    assert!(env.run(&["model", "load", model.to_str().unwrap()]).status.success());
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    // An unknown regiform must not be taken for own operation (no VAT compensation then).
    conn.execute("UPDATE utforare SET regiform = 'privat' WHERE kod = 'LOV1'", [])
        .unwrap();
    drop(conn);
    let out = env.run(&["settle", "--period", "2026-03"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("internt fel: värdet \"privat\" i utforare.regiform kan inte läsas"),
        "{}",
        stderr(&out)
    );
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute("UPDATE utforare SET regiform = 'LOV'", []).unwrap();
    // A bad date is not 1970-01-01.
    conn.execute("UPDATE org_nod SET giltig_fran = '2020-02-30' WHERE kod = '711'", [])
        .unwrap();
    drop(conn);
    let out = env.run(&["followup", "--period", "2026-03"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("\"2020-02-30\" i org_nod.giltig_fran"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_internal_error_in_the_web_is_logged_with_its_incident_number() {
    let env = Env::new();
    env.base();
    let mut c = env.cmd();
    c.arg("--db")
        .arg(env.db())
        .args(["user", "add", "eva", "--roll", "ekonom"]);
    c.env("RESURS_LOSENORD", "evas-långa-lösenord");
    assert!(c.output().unwrap().status.success());
    let log_path = env.path("server.log");
    let srv = serve_to(&env, std::fs::File::create(&log_path).unwrap().into());
    let (status, head, body) = http(
        &srv.1,
        "POST",
        "/api/logga-in",
        &[("Content-Type", "application/json")],
        r#"{"namn":"eva","losenord":"evas-långa-lösenord"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch("DROP TABLE prognos; DROP TABLE prognos_version;")
        .unwrap();
    drop(conn);
    let (status, _, body) = http(&srv.1, "GET", "/api/prognoser?ar=2026", &[("Cookie", &cookie)], "");
    assert_eq!(status, 500, "{body}");
    assert!(!body.contains("prognos_version"), "{body}");
    let incident = body
        .split("incident ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .expect("incident number")
        .to_string();
    drop(srv);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("ERROR") && l.contains(&incident))
        .unwrap_or_else(|| panic!("no error line with incident {incident}:\n{log}"));
    assert!(line.contains("no such table: prognos_version"), "{line}");
}

/// Two models that would price one service on the same days contradict each
/// other: a second file is refused at load, naming the stored version, and
/// nothing is stored.
#[test]
fn a_second_model_for_a_service_already_priced_is_refused_at_load() {
    let env = Env::new();
    env.base();
    let first = env.write("hemtjanst.toml", MODEL);
    let out = env.run(&["model", "load", first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = env.write(
        "niva.toml",
        "[[modell]]\nnamn = \"Hemtjänst nivå\"\ntyp = \"manadsniva\"\ninsatser = [\"HT_OMV\"]\ngiltig_fran = 2025-06-01\n[modell.nivapris]\n1 = 3000\n",
    );
    let out = env.run(&["model", "load", second.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("insatsen HT_OMV ersätts redan av den sparade versionen Hemtjänst@2025-01-01"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["model", "list"]);
    assert!(!stdout(&out).contains("Hemtjänst nivå"), "{}", stdout(&out));
    // A key the type has no use for is refused at check with line and key.
    let odd = env.write(
        "odd.toml",
        &MODEL.replace("momskompensation_procent = 6", "vakansdagar = 3"),
    );
    let out = env.run(&["model", "check", odd.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "rad 6, nyckel \"vakansdagar\": nyckeln \"vakansdagar\" hör inte till modelltypen hemtjanst_utford_tid"
        ),
        "{}",
        stderr(&out)
    );
}

/// `resurs followup --format json` and `GET /api/uppfoljning` give the same
/// JSON for the same parameters (one serde struct), and without a forecast
/// version both use the same one (seen: the CLI and the follow-up page on
/// proposals while the overview used "Prognos 2").
#[test]
fn followup_json_of_the_cli_is_the_json_of_the_api() {
    use std::io::{Read, Write};
    let env = Env::new();
    let out = env.run(&["demo", "--skala", "2", "--katalog", "filer"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut c = env.cmd();
    c.arg("--db")
        .arg(env.db())
        .args(["user", "add", "anna", "--roll", "ekonom"]);
    c.env("RESURS_LOSENORD", "ett-långt-lösenord");
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let token = stdout(&env.run(&["user", "token", "anna"])).trim().to_string();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let db = env.db();
    std::thread::spawn(move || resurs_web::serve_listener(listener, db));
    let api = |query: &str| -> serde_json::Value {
        let mut last = String::new();
        for _ in 0..100 {
            if let Ok(mut s) = std::net::TcpStream::connect(addr) {
                let req = format!(
                    "GET /api/uppfoljning?{query} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
                );
                s.write_all(req.as_bytes()).unwrap();
                let mut text = String::new();
                s.read_to_string(&mut text).unwrap();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    assert!(head.starts_with("HTTP/1.1 200"), "{query}: {head}\n{body}");
                    return serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
                }
                last = text;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("no answer from the server: {last}");
    };
    let cli = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["followup", "--period", "2026-10", "--konton", "--format", "json"];
        all.extend(args);
        let out = env.run(&all);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let cases: [(&str, &[&str]); 4] = [
        ("period=2026-10", &[]),
        ("period=2026-10&nod=71", &["--node", "71"]),
        (
            "period=2026-10&nod=71&layout=resultat&prognos=Prognos%202",
            &["--node", "71", "--layout", "resultat", "--prognos", "Prognos 2"],
        ),
        (
            "period=2026-10&nod=VON&prognos=f%C3%B6rslag",
            &["--node", "VON", "--prognos", "förslag"],
        ),
    ];
    for (query, args) in cases {
        let (a, c) = (api(query), cli(args));
        assert_eq!(a, c, "{query} against {args:?}");
    }
    // Without a version both use the newest one (Prognos 2, checkpoint August).
    assert_eq!(api("period=2026-10")["prognosversion"], "Prognos 2");
}

#[test]
fn backup_and_restore_give_back_the_same_content() {
    let env = Env::new();
    env.base();
    let sum = env.info_json()["kontrollsumma"].as_str().unwrap().to_string();
    let copy = env.path("kopia.db");
    let out = env.run(&["backup", copy.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let w: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(w["kontrollsumma"], sum.as_str());
    // An existing file is never overwritten.
    let again = env.run(&["backup", copy.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("finns redan"), "{}", stderr(&again));

    // A change after the backup …
    env.import_ok("beslut", "beslut.csv", &format!(
        "beslut_id;personnummer;insats;beviljad_volym;utförare;beslutsdatum;startdatum\nD1;{};HT_OMV;20,5;711;2025-01-10;2025-01-15\n",
        pnr("1938-02-11", 101)
    ));
    assert_ne!(env.info_json()["kontrollsumma"], sum.as_str());
    // … is undone by a restore, which asks first when the database has data.
    let refused = env.run(&["restore", copy.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("--ersatt"), "{}", stderr(&refused));
    let out = env.run(&["--anvandare", "drift", "restore", copy.to_str().unwrap(), "--ersatt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&sum), "{}", stdout(&out));
    assert_eq!(env.info_json()["kontrollsumma"], sum.as_str());
    let log = audit_log(&env);
    let last = log.last().unwrap();
    assert_eq!((last.0.as_str(), last.1.as_str()), ("cli:drift", "återställning"));

    // Restoring onto a new machine (no database yet) works; a file that is
    // not a backup is refused and leaves no database behind.
    let fresh = env.path("ny.db");
    let out = env
        .cmd()
        .args(["--db", fresh.to_str().unwrap(), "restore", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(checksum(&env, fresh.to_str().unwrap()), sum);
    let junk = env.write("skräp.db", "detta är ingen databas");
    let none = env.path("ingen.db");
    let out = env
        .cmd()
        .args(["--db", none.to_str().unwrap(), "restore", junk.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("SQLite-databas") || stderr(&out).contains("säkerhetskopia"),
        "{}",
        stderr(&out)
    );
    assert!(!none.exists(), "a refused restore leaves no database file");
}

/// Issue 15: the limit per amount (1 000 000 000 000 kr, docs/regler.md
/// "Gränser för belopp") is enforced on every file kind with amounts and on
/// every command that takes an amount; the message names file, row, column
/// and value, and nothing is written.
#[test]
fn amounts_beyond_the_limit_are_refused_at_every_door() {
    let env = Env::new();
    env.base();
    let p1 = pnr("1938-02-11", 101);
    let over = "1 000 000 000 000,01";
    // (kind, file content, the problem's row and column)
    let files: Vec<(&str, String, &str)> = vec![
        ("huvudbok", format!("period;konto;ansvar;verksamhet;belopp\n2025-01;5011;711;510;100\n2025-01;5011;711;510;{over}\n"), "rad 3, kolumn \"belopp\""),
        ("huvudbok", "period;konto;ansvar;verksamhet;belopp\n2025-01;5011;711;510;92233720368547758,07\n".into(), "rad 2, kolumn \"belopp\""),
        ("budget", format!("version;typ;år;period;ansvar;konto;verksamhet;belopp\nB;beslutad;2025;;711;5011;510;-{over}\n"), "rad 2, kolumn \"belopp\""),
        ("placeringar", format!("placering_id;personnummer;målgrupp;typ;utförare;startdatum;slutdatum;dygnskostnad\nP1;{p1};vuxen;HVB;LOV1;2025-01-01;;{over}\n"), "rad 2, kolumn \"dygnskostnad\""),
        ("assistans", format!("personnummer;utförare;från;till;beviljade_timmar;utförda_timmar;fk_timbelopp\n{p1};LOV1;2025-01-01;2025-01-31;100;90;{over}\n"), "rad 2, kolumn \"fk_timbelopp\""),
    ];
    for (kind, content, at) in files {
        let before = env.db_bytes();
        let out = env.import(kind, "stort.csv", &content);
        assert_eq!(out.status.code(), Some(1), "{kind}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with("Filen stort.csv importerades inte; inget har sparats."),
            "{kind}: {err}"
        );
        assert!(err.contains(&format!("{at}: värdet \"")), "{kind}: {err}");
        assert!(
            err.contains("mellan -1 000 000 000 000 och 1 000 000 000 000 kr"),
            "{kind}: {err}"
        );
        assert_eq!(env.db_bytes(), before, "{kind}: the database changed");
    }
    // Commands: forecasts, effects and the registers.
    let commands: &[&[&str]] = &[
        &[
            "forecast",
            "set",
            "--version",
            "P",
            "--period",
            "2025-03",
            "--node",
            "711",
            "--belopp",
            over,
            "--kommentar",
            "x",
        ],
        &[
            "effect",
            "add",
            "--tagg",
            "t",
            "--del",
            "övrig",
            "--node",
            "711",
            "--period",
            "2025-02",
            "--utfall",
            over,
            "--prognos",
            "0",
            "--kommentar",
            "x",
        ],
        &[
            "intraprenad",
            "set",
            "--ansvar",
            "711",
            "--year",
            "2025",
            "--ingaende",
            over,
        ],
        &[
            "atgard",
            "add",
            "--plan",
            "A",
            "--node",
            "711",
            "--year",
            "2025",
            "--atgard",
            "B",
            "--planerad",
            over,
        ],
        &[
            "statsbidrag",
            "add",
            "--namn",
            "S",
            "--year",
            "2025",
            "--node",
            "711",
            "--belopp",
            over,
        ],
        &[
            "investering",
            "add",
            "--projekt",
            "I",
            "--year",
            "2025",
            "--node",
            "711",
            "--budget",
            over,
        ],
    ];
    for args in commands {
        let before = env.db_bytes();
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("värdet \"{over}\"")), "{args:?}: {err}");
        assert!(err.contains("1 000 000 000 000 kr"), "{args:?}: {err}");
        assert_eq!(env.db_bytes(), before, "{args:?}: the database changed");
    }
    // A model price beyond the limit.
    let model = env.write(
        "m.toml",
        &MODEL.replace("natt = \"540,00\"", "natt = \"1 000 000 000 000,01\""),
    );
    let out = env.run(&["model", "check", model.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("1 000 000 000 000 kr"), "{}", stderr(&out));
}

/// Issue 15: an absurd amount already in the database (from before the
/// limit) gives the reports that sum it a Swedish error, never a wrapped
/// figure or a panic, and leaves other months and commands working.
#[test]
fn an_absurd_stored_amount_stops_only_the_reports_that_sum_it() {
    let env = Env::new();
    env.base();
    env.import_ok(
        "huvudbok",
        "hb.csv",
        "period;konto;ansvar;verksamhet;belopp\n2025-01;5011;711;510;100\n",
    );
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "INSERT INTO huvudbok (period, konto, ansvar, verksamhet, belopp, text, import_id) VALUES \
         (202502, '5011', '711', '510', 9223372036854775000, NULL, 1), \
         (202502, '5011', '711', '510', 9223372036854775000, NULL, 1), \
         (202503, '5012', '711', '510', 9000000000000000000, NULL, 1);",
    )
    .unwrap();
    drop(conn);
    for period in ["2025-02", "2025-03"] {
        for format in ["tabell", "json", "csv"] {
            let out = env.run(&["followup", "--period", period, "--format", format]);
            assert_eq!(out.status.code(), Some(1), "{period} {format}: {}", stdout(&out));
            let err = stderr(&out);
            assert!(err.contains("för stora för att summeras säkert"), "{period}: {err}");
            assert!(!err.contains("panicked") && !err.contains("internt"), "{period}: {err}");
        }
    }
    let out = env.run(&["followup", "--period", "2025-01", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.run(&["info"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Issue 15: a hostile name imported through the normal import comes out of
/// every CSV export as the same text, quoted and with a `'` in front so a
/// spreadsheet does not run it, while negative amounts stay numbers.
#[test]
fn csv_exports_are_safe_to_open_and_read_back_exactly() {
    const HOSTILE: &str = "=HYPERLINK(\"http://x\";\"a\")\nrad två";
    let quoted = format!("\"{}\"", HOSTILE.replace('"', "\"\""));
    let env = Env::new();
    env.import_ok(
        "organisation",
        "org.csv",
        &format!(
            "kod;namn;nivå;överordnad;giltig_från;giltig_till\nK;Testkommun;kommun;;2020-01-01;\nVON;Nämnden;nämnd;K;2020-01-01;\nHT;Hemtjänst;avdelning;VON;2020-01-01;\n711;{quoted};ansvar;HT;2020-01-01;\n"
        ),
    );
    env.import_ok("insatser", "insatser.csv", INSATSER);
    env.import_ok(
        "utforare",
        "utforare.csv",
        &format!("kod;namn;regiform;ansvar;platser\n711;{quoted};egen regi;711;\n"),
    );
    let a = pnr("1931-04-02", 11);
    env.import_ok(
        "besok",
        "besok.csv",
        &format!(
            "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\nB1;{a};711;HT_OMV;P1;2025-03-03 08:00;2025-03-03 08:30;2025-03-03 08:00;2025-03-03 08:30;utförd\n"
        ),
    );
    let m = env.write("m.toml", MODEL);
    assert!(env.run(&["model", "load", m.to_str().unwrap()]).status.success());
    env.import_ok(
        "huvudbok",
        "hb.csv",
        "period;konto;ansvar;verksamhet;belopp\n2025-03;5011;711;510;-1234,50\n",
    );
    let read = |args: &[&str]| -> Vec<Vec<String>> {
        let out = env.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_reader(out.stdout.as_slice())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    };
    let want = format!("'{HOSTILE}");
    // (export, column of the name, column of an amount, the amount)
    let exports: &[(&[&str], &str, &str, &str)] = &[
        (
            &["settle", "--period", "2025-03", "--format", "csv"],
            "namn",
            "belopp",
            "210,00",
        ),
        (
            &["followup", "--period", "2025-03", "--format", "csv"],
            "namn",
            "Utfall ack",
            "-1 234,50",
        ),
    ];
    for (args, name_col, amount_col, amount) in exports {
        let rows = read(args);
        let head = &rows[0];
        let col = |c: &str| {
            head.iter()
                .position(|h| h == c)
                .unwrap_or_else(|| panic!("{c} in {head:?}"))
        };
        let width = head.len();
        assert!(rows.iter().all(|r| r.len() == width), "{args:?}: ragged rows {rows:?}");
        let row = rows
            .iter()
            .find(|r| r[col(name_col)] == want)
            .unwrap_or_else(|| panic!("{args:?}: no row with the name in {rows:?}"));
        assert_eq!(row[col(amount_col)], *amount, "{args:?}: {row:?}");
        // Nothing outside the name cell starts like a formula, except numbers.
        for r in &rows {
            for c in r {
                let looks = c.starts_with(['=', '+', '@', '\t', '\r'])
                    || (c.starts_with('-') && !c[1..].starts_with(|ch: char| ch.is_ascii_digit()));
                assert!(!looks, "{args:?}: cell {c:?} would be a formula");
            }
        }
    }
}

/// Issue 15: `resurs import undo N` takes one import back, all or nothing
/// and audited, so a bad file is never permanent: the data is as before
/// (same content checksum), replaced values come back, and an import that
/// later imports depend on is refused with the reason.
#[test]
fn an_import_can_be_undone_unless_a_later_import_depends_on_it() {
    let env = Env::new();
    env.base(); // imports 1–3
    let sum = || env.info_json()["kontrollsumma"].clone();
    let a = pnr("1931-04-02", 11);
    let beslut = |id: &str, omrade: &str| {
        format!("beslut_id;personnummer;insats;beviljad_volym;utförare;beslutsdatum;startdatum;slutdatum;område\n{id};{a};HT_OMV;20;711;2025-01-10;2025-01-15;;{omrade}\n")
    };
    env.import_ok("beslut", "b1.csv", &beslut("D1", "Norr")); // 4
    let after_first = sum();
    env.import_ok("beslut", "b2.csv", &beslut("D2", "Söder")); // 5: moves the brukare to Söder
    let visits = format!(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\nB1;{a};LOV1;HT_OMV;P1;2025-03-03 08:00;2025-03-03 08:30;2025-03-03 08:00;2025-03-03 08:30;utförd\n"
    );
    env.import_ok("besok", "besok.csv", &visits); // 6
    let list = stdout(&env.run(&["import", "list"]));
    for want in ["besok.csv", "b2.csv", "utforare.csv", "undo"] {
        assert!(list.contains(want), "{list}");
    }
    // (import, refused because of, reason)
    let refused: &[(&str, &[&str], &str)] = &[
        (
            "3",
            &["import 4 använder utförare från import 3", "import 6 använder utförare"],
            "providers used by decisions and visits",
        ),
        (
            "2",
            &["import 4 använder insatser från import 2"],
            "services used later",
        ),
        (
            "1",
            &["import 3 använder organisationskoder från import 1"],
            "org codes used by providers",
        ),
        (
            "4",
            &["import 5 använder värden som den ändrade efter (kontonamn, verksamhetsnamn, områden, Koladavärden eller Koladas metadata)"],
            "a later import changed the same område",
        ),
    ];
    for (n, wants, why) in refused {
        let bytes = env.db_bytes();
        let out = env.run(&["import", "undo", n]);
        assert_eq!(out.status.code(), Some(1), "{why}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("Import {n} (")) && err.contains("inget har ändrats"),
            "{why}: {err}"
        );
        for w in *wants {
            assert!(err.contains(w), "{why}: «{w}» in {err}");
        }
        assert_eq!(env.db_bytes(), bytes, "{why}: the database changed");
    }
    let out = env.run(&["import", "undo", "99"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("ingen import nummer 99"), "{}", stderr(&out));
    // Newest first: the visits, then the second decision (område back to Norr).
    for n in ["6", "5"] {
        let out = env.run(&["--anvandare", "karin", "import", "undo", n]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(&format!("Import {n} (")), "{}", stdout(&out));
    }
    assert_eq!(sum(), after_first, "the område and the rows are as after import 4");
    let out = env.run(&["import", "undo", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // As before the decisions (the pseudonym key's fingerprint in `meta`
    // stays, so that pseudonyms stay the same): the brukare is gone too.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    for t in ["beslut", "brukare", "besok", "personal"] {
        let n: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{t}");
    }
    drop(conn);
    // The same file can be imported again (it is no longer in the log).
    let again = env.import_ok("beslut", "b1.csv", &beslut("D1", "Norr"));
    assert!(!again.contains("redan"), "{again}");
    let log = audit_log(&env);
    let undos: Vec<&AuditEntry> = log.iter().filter(|e| e.1 == "ångra import").collect();
    assert_eq!(undos.len(), 3, "{log:?}");
    assert_eq!(undos[0].0, "cli:karin");
    assert_eq!(undos[0].2, "import 6: besok besok.csv");
}

/// Issue 15: limits on lengths, years, volumes, percentages and encodings
/// (docs/format/README.md, "Gränser"), each refused in Swedish with row,
/// column and value, nothing written.
#[test]
fn input_limits_are_refused_with_swedish_messages() {
    let env = Env::new();
    env.base();
    let p1 = pnr("1938-02-11", 101);
    let long = |n: usize| "å".repeat(n);
    // (kind, file content, texts the message must contain, reason)
    let files: Vec<(&str, Vec<u8>, Vec<String>, &str)> = vec![
        (
            "organisation",
            format!("kod;namn;nivå;överordnad;giltig_från;giltig_till\n{};X;ansvar;HT;2020-01-01;\n", "K".repeat(33)).into_bytes(),
            vec!["rad 2, kolumn \"kod\"".into(), "högst 32 tecken (värdet har 33)".into()],
            "code of 33 characters",
        ),
        (
            "utforare",
            format!("kod;namn;regiform;ansvar;platser\nX1;{};LOV;711;\n", long(201)).into_bytes(),
            vec!["rad 2, kolumn \"namn\"".into(), "högst 200 tecken (värdet har 201)".into()],
            "name of 201 characters",
        ),
        (
            "huvudbok",
            format!("period;konto;ansvar;verksamhet;belopp;text\n2025-01;5011;711;510;100;{}\n", long(2001)).into_bytes(),
            vec!["rad 2, kolumn \"text\"".into(), "högst 2000 tecken".into()],
            "ledger text of 2001 characters",
        ),
        (
            "huvudbok",
            "period;konto;ansvar;verksamhet;belopp\n1899-12;5011;711;510;100\n".into(),
            vec!["rad 2, kolumn \"period\": värdet \"1899-12\"".into(), "år 1900–2100".into()],
            "period before 1900",
        ),
        (
            "beslut",
            format!("beslut_id;personnummer;insats;beviljad_volym;utförare;beslutsdatum\nD1;{p1};HT_OMV;20;711;2101-01-10\n").into_bytes(),
            vec!["rad 2, kolumn \"beslutsdatum\": värdet \"2101-01-10\"".into(), "med år 1900–2100".into()],
            "date after 2100",
        ),
        (
            "beslut",
            format!("beslut_id;personnummer;insats;beviljad_volym;utförare;beslutsdatum\nD1;{p1};HT_OMV;-20;711;2025-01-10\n").into_bytes(),
            vec!["rad 2, kolumn \"beviljad_volym\": värdet \"-20\", förväntade en volym som inte är negativ".into()],
            "negative granted volume",
        ),
        (
            "assistans",
            format!("personnummer;utförare;från;till;beviljade_timmar;utförda_timmar;fk_timbelopp\n{p1};LOV1;2025-01-01;2025-01-31;100;-1,5;320\n").into_bytes(),
            vec!["rad 2, kolumn \"utförda_timmar\": värdet \"-1,5\", förväntade en volym som inte är negativ".into()],
            "negative hours",
        ),
        (
            "budget",
            "version;typ;år;period;ansvar;konto;verksamhet;belopp\nB;beslutad;2101;;711;5011;510;100\n".into(),
            vec!["rad 2, kolumn \"år\": värdet \"2101\", förväntade ett heltal mellan 1900 och 2100".into()],
            "budget year after 2100",
        ),
        (
            "huvudbok",
            std::iter::once(0xFEFF_u16)
                .chain("period;konto;ansvar;verksamhet;belopp\n2025-01;5011;711;510;100\n".encode_utf16())
                .flat_map(u16::to_le_bytes)
                .collect(),
            vec!["Filen fel.csv är kodad som UTF-16; spara den som UTF-8 eller Windows-1252".into()],
            "UTF-16 with a byte-order mark",
        ),
        (
            "utforare",
            "kod;namn;regiform;ansvar;platser\nX1;Y;LOV;711;\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect(),
            vec!["är kodad som UTF-16".into()],
            "UTF-16 without a byte-order mark",
        ),
    ];
    for (kind, content, wants, why) in files {
        let before = env.db_bytes();
        let p = env.path("fel.csv");
        std::fs::write(&p, &content).unwrap();
        let out = env.run(&["import", kind, p.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{why}: {}", stdout(&out));
        let err = stderr(&out);
        for w in wants {
            assert!(err.contains(&w), "{why}: expected «{w}» in:\n{err}");
        }
        assert!(!err.contains("internt fel"), "{why}: {err}");
        assert_eq!(env.db_bytes(), before, "{why}: the database changed");
    }
    let model = env.write(
        "m.toml",
        &MODEL.replace("momskompensation_procent = 6", "momskompensation_procent = 150"),
    );
    let comment = "x".repeat(2001);
    // (arguments, text the message must contain)
    let commands: Vec<(Vec<&str>, &str)> = vec![
        (vec!["followup", "--period", "2101-01"], "med år 1900–2100"),
        (vec!["settle", "--period", "1899-12"], "med år 1900–2100"),
        (
            vec!["forecast", "list", "--year", "1899"],
            "ett år mellan 1900 och 2100",
        ),
        (
            vec!["intraprenad", "set", "--ansvar", "711", "--year", "2101"],
            "ett år mellan 1900 och 2100",
        ),
        (
            vec![
                "forecast",
                "set",
                "--version",
                "P",
                "--period",
                "2025-03",
                "--node",
                "711",
                "--belopp",
                "1",
                "--kommentar",
                &comment,
            ],
            "--kommentar: värdet \"xxxx",
        ),
        (
            vec![
                "effect",
                "add",
                "--tagg",
                &comment[..201],
                "--del",
                "övrig",
                "--node",
                "711",
                "--period",
                "2025-02",
                "--utfall",
                "1",
                "--prognos",
                "0",
                "--kommentar",
                "x",
            ],
            "högst 200 tecken (värdet har 201)",
        ),
        (
            vec!["model", "check", model.to_str().unwrap()],
            "förväntade en procentsats mellan 0 och 100",
        ),
    ];
    for (args, want) in commands {
        let before = env.db_bytes();
        let out = env.run(&args);
        assert_ne!(out.status.code(), Some(0), "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.contains(want), "{args:?}: expected «{want}» in:\n{err}");
        assert_eq!(env.db_bytes(), before, "{args:?}: the database changed");
    }
}

/// Issue 15: while another import holds the database, a command says so in
/// Swedish instead of failing with an internal error (after SQLite's wait).
#[test]
fn a_busy_database_is_explained() {
    let env = Env::new();
    env.base();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = env.import(
        "huvudbok",
        "hb.csv",
        "period;konto;ansvar;verksamhet;belopp\n2025-01;5011;711;510;100\n",
    );
    conn.execute_batch("ROLLBACK").unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("Databasen är upptagen av en annan import; försök igen om en stund."),
        "{err}"
    );
    assert!(!err.contains("internt") && !err.contains("locked"), "{err}");
}

/// Issue 15: prices at the limit times many hours make a settlement beyond
/// what a report sums; it says so in Swedish instead of wrapping or crashing.
#[test]
fn a_settlement_beyond_the_total_limit_is_refused_in_swedish() {
    let env = Env::new();
    env.base();
    let a = pnr("1931-04-02", 11);
    let mut visits = String::from(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\n",
    );
    for i in 0..62 {
        let d = i % 31 + 1;
        visits.push_str(&format!(
            "B{i};{a};LOV1;HT_OMV;P1;2025-03-{d:02} 00:00;2025-03-{d:02} 23:59;2025-03-{d:02} 00:00;2025-03-{d:02} 23:59;utförd\n"
        ));
    }
    env.import_ok("besok", "besok.csv", &visits);
    let mut model = MODEL.to_string();
    for rate in ["420,00", "480,00", "540,00", "510,00"] {
        model = model.replace(rate, "1 000 000 000 000");
    }
    let m = env.write("m.toml", &model);
    let out = env.run(&["model", "load", m.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    for args in [
        vec!["settle", "--period", "2025-03", "--format", "json"],
        vec![
            "settle",
            "--period",
            "2025-03",
            "--fran-fil",
            "besok.csv",
            "--format",
            "json",
        ],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("avräkningen för 2025-03 är för stora för att summeras säkert"),
            "{args:?}: {err}"
        );
    }
}

#[path = "../../io/tests/support/bomb.rs"]
mod bomb;

/// A 7–8 MB xlsx whose sheet inflates to 3 GB is refused by the real
/// binary without growing its memory: the archive's declared sizes are
/// checked before anything is inflated (the message is the one of that
/// check). The time goal (under 1 s) is measured as a benchmark in
/// docs/PERFORMANCE.md, not here: the 20 s bound only catches a reader that
/// inflates the sheet after all.
#[test]
fn import_refuses_an_xlsx_zip_bomb_fast_and_in_little_memory() {
    let env = Env::new();
    let bomb_path = env.path("bomb.xlsx");
    bomb::write_bomb(&bomb_path, 3_000_000_000);
    let packed = std::fs::metadata(&bomb_path).unwrap().len();
    assert!(packed < 16 << 20, "{packed} bytes");
    let time = Path::new("/usr/bin/time");
    let mut c = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "maxrss_kb=%M"]).arg(env!("CARGO_BIN_EXE_resurs"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_resurs"))
    };
    c.current_dir(env.path(""))
        .env_remove("RESURS_DB")
        .arg("--db")
        .arg(env.db())
        .args(["import", "organisation", bomb_path.to_str().unwrap()]);
    let t = std::time::Instant::now();
    let out = c.output().unwrap();
    let took = t.elapsed();
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("bomb.xlsx") && err.contains("packas upp till mer än 512,0 MiB"),
        "{err}"
    );
    assert!(took < std::time::Duration::from_secs(20), "refused after {took:?}");
    if let Some(kb) = err
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kb="))
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        eprintln!("zip bomb ({packed} bytes, 3 GB inflated): refused in {took:?}, peak RSS {kb} kB");
        assert!(kb < 64 * 1024, "peak RSS {kb} kB");
    }
}

/// `resurs serve` removes its private uploads directory when it is stopped
/// with SIGTERM (systemd, `kill`) or SIGINT (Ctrl-C); a pending upload
/// waits in the database (encrypted) for another server or its expiry.
#[test]
fn serve_removes_pending_uploads_when_stopped_by_a_signal() {
    for signal in ["TERM", "INT"] {
        let env = Env::new();
        env.import_ok("insatser", "insatser.csv", INSATSER);
        let out = env
            .cmd()
            .arg("--db")
            .arg(env.db())
            .args(["user", "add", "ekonom", "--roll", "ekonom"])
            .env("RESURS_LOSENORD", "ett-långt-lösenord")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let tmp = env.path("tmp");
        std::fs::create_dir(&tmp).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut c = env.cmd();
        c.env("TMPDIR", &tmp)
            .arg("--db")
            .arg(env.db())
            .args(["serve", "--addr", &addr])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut srv = Served(c.spawn().unwrap(), addr.clone());
        let mut up = false;
        for _ in 0..200 {
            if std::net::TcpStream::connect(&addr).is_ok() && http(&addr, "GET", "/api/halsa", &[], "").0 == 200 {
                up = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(up, "resurs serve did not answer on {addr}");
        let (status, head, body) = http(
            &addr,
            "POST",
            "/api/logga-in",
            &[("Content-Type", "application/json")],
            r#"{"namn":"ekonom","losenord":"ett-långt-lösenord"}"#,
        );
        assert_eq!(status, 200, "{body}");
        let cookie = head
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: "))
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_string();
        let csrf = serde_json::from_str::<serde_json::Value>(&body).unwrap()["csrf"]
            .as_str()
            .unwrap()
            .to_string();
        let boundary = "resurs-test-7MA4YWxk";
        let form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"typ\"\r\n\r\norganisation\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"fil\"; filename=\"org2.csv\"\r\n\r\n\
             {}\r\n--{boundary}--\r\n",
            ORG
        );
        let (status, _, page) = http(
            &addr,
            "POST",
            "/import",
            &[
                ("Cookie", &cookie),
                ("X-CSRF-Token", &csrf),
                ("Content-Type", &format!("multipart/form-data; boundary={boundary}")),
            ],
            &form,
        );
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Bekräfta importen"), "{page}");
        let dirs: Vec<PathBuf> = std::fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("resurs-uppladdning-")
            })
            .collect();
        assert_eq!(dirs.len(), 1, "{dirs:?}");
        // The pending upload waits in the database, encrypted, for any server.
        assert_eq!(std::fs::read_dir(&dirs[0]).unwrap().count(), 0, "a file is left behind");
        let pending: i64 = rusqlite::Connection::open(env.db())
            .unwrap()
            .query_row("SELECT COUNT(*) FROM uppladdning", [], |r| r.get(0))
            .unwrap();
        assert_eq!(pending, 1);

        let kill = Command::new("kill")
            .args([&format!("-{signal}"), &srv.0.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let t = std::time::Instant::now();
        let status = loop {
            if let Some(s) = srv.0.try_wait().unwrap() {
                break s;
            }
            assert!(
                t.elapsed() < std::time::Duration::from_secs(10),
                "SIG{signal}: still running"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(status.success(), "SIG{signal}: {status:?}");
        assert!(!dirs[0].exists(), "SIG{signal}: {} is left", dirs[0].display());
        assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "SIG{signal}");
        let _ = &mut srv;
    }
}

/// Issue 15: a bad command line is told in Swedish, with what was wrong,
/// not in clap's English.
#[test]
fn a_bad_command_line_is_told_in_swedish() {
    let env = Env::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["scenario", "--base", "a@1", "--alt", "b@1", "--year", "1800"],
            "ogiltigt värde \"1800\" för --year",
        ),
        (&["info", "--format", "pdf"], "ogiltigt värde \"pdf\" för --format"),
        (&["info", "--okand"], "okänd flagga eller argument --okand"),
        (&["avrakna"], "okänt kommando \"avrakna\""),
        (&["settle"], "saknas: --period"),
    ];
    for (args, want) in cases {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with("fel: "), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        for english in ["error:", "invalid value", "unexpected argument", "Usage:", "required"] {
            assert!(!err.contains(english), "{args:?}: {err}");
        }
    }
}

#[test]
fn sessions_are_listed_and_ended_and_a_unit_manager_moved_from_the_command_line() {
    let env = Env::new();
    env.import_ok("organisation", "org.csv", ORG);
    let mut c = env.cmd();
    c.arg("--db")
        .arg(env.db())
        .args(["user", "add", "bo", "--roll", "enhetschef", "--nod", "711"]);
    c.env("RESURS_LOSENORD", "ett-långt-lösenord");
    assert!(c.output().unwrap().status.success());
    {
        // Two live sessions of bo, as `resurs serve` stores them (hash only).
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        for (hash, skapad) in [("aa".repeat(32), 1_700_000_000i64), ("bb".repeat(32), 1_700_000_600)] {
            conn.execute(
                "INSERT INTO session (sha256, anvandare, csrf, skapad, utgar) \
                 SELECT ?1, id, 'c', ?2, 4102444800 FROM anvandare WHERE namn = 'bo'",
                rusqlite::params![hash, skapad],
            )
            .unwrap();
        }
    }
    let out = env.run(&["user", "sessions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // Newest first, in Swedish time (1 700 000 600 is 2023-11-14 23:23 CET).
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].starts_with(&"b".repeat(16)) && lines[1].contains("2023-11-14 23:23"),
        "{text}"
    );
    assert!(stderr(&out).contains("2 aktiva sessioner"), "{}", stderr(&out));
    let out = env.run(&["user", "end-session", &"b".repeat(16)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("för bo är avslutad"), "{}", stderr(&out));
    let out = env.run(&["user", "sessions", "bo"]);
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
    let out = env.run(&["user", "end-session", &"b".repeat(16)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("finns inte"), "{}", stderr(&out));
    // A new unit ends the remaining session.
    let out = env.run(&["user", "unit", "bo", "--nod", "HT"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bo har nod HT: 1 session avslutad"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["user", "sessions"]);
    assert!(stderr(&out).contains("0 aktiva sessioner"), "{}", stderr(&out));
    let log = audit_log(&env);
    assert!(
        log.iter().any(|e| e.1 == "avslutad session" && e.2 == "användare bo"),
        "{log:?}"
    );
    assert!(
        log.iter().any(|e| e.1 == "ny nod" && e.3.as_deref() == Some("nod 711")),
        "{log:?}"
    );
}

/// `resurs model diff A B` lists the changed rates of two versions of one
/// model, old → new, in Swedish.
#[test]
fn model_diff_lists_changed_rates() {
    let env = Env::new();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/modeller/hemtjanst.toml");
    let out = env.run(&["model", "load", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.run(&[
        "model",
        "diff",
        "Hemtjänst utförd tid@2025-01-01",
        "Hemtjänst utförd tid@2026-04-01",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Timpris HT_OMV, kväll: 466,00 kr → 480,00 kr"), "{text}");
    assert!(text.contains("Giltig från: 2025-01-01 → 2026-04-01"), "{text}");
    let out = env.run(&[
        "model",
        "diff",
        "Hemtjänst utförd tid@2025-01-01",
        "Finns inte@2020-01-01",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("finns inte"), "{}", stderr(&out));
}
#[test]
fn names_for_accounts_and_activity_codes_and_verification_numbers() {
    let env = Env::new();
    env.base();
    // A CSV ledger carries no account names: the shipped account plan names 5011.
    env.import_ok(
        "huvudbok",
        "hb.csv",
        "period;konto;ansvar;verksamhet;belopp;text;verifikation\n2025-01;5011;711;510;1000,00;Lön januari;A 12\n",
    );
    let out = env.run(&["followup", "--period", "2025-01", "--konton", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let acct = v["rader"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["typ"] == "konto" && r["kod"] == "5011")
        .expect("account row");
    assert_eq!(acct["namn"], "Månadslön tillsvidareanställda");
    let out = env.run(&["followup", "--period", "2025-01", "--konton"]);
    assert!(
        stdout(&out).contains("Månadslön tillsvidareanställda"),
        "{}",
        stdout(&out)
    );
    // The verification number and text are kept with the line.
    let db = rusqlite::Connection::open(env.db()).unwrap();
    let (ver, text): (String, String) = db
        .query_row("SELECT verifikation, text FROM huvudbok", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((ver.as_str(), text.as_str()), ("A 12", "Lön januari"));
    // The activity-code register: imported names replace earlier ones, undo puts them back.
    env.import_ok("verksamheter", "v1.csv", "kod;namn\n510;Hemtjänst egen regi\n");
    env.import_ok(
        "verksamheter",
        "v2.csv",
        "kod;namn\n510;Hemtjänst i ordinärt boende\n999;Ny kod\n",
    );
    let names = |db: &rusqlite::Connection| -> Vec<(String, String)> {
        db.prepare("SELECT kod, namn FROM verksamhet ORDER BY kod")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        names(&db),
        vec![
            ("510".into(), "Hemtjänst i ordinärt boende".into()),
            ("999".into(), "Ny kod".into())
        ]
    );
    let ids: Vec<i64> = db
        .prepare("SELECT id FROM import_logg WHERE typ = 'verksamheter' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // The first cannot be undone while the second changed the same name after it.
    let out = env.run(&["import", "undo", &ids[0].to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("verksamhetsnamn"), "{}", stderr(&out));
    let out = env.run(&["import", "undo", &ids[1].to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(names(&db), vec![("510".into(), "Hemtjänst egen regi".into())]);
    // A code twice in one file is refused with its row; nothing is stored.
    let out = env.import("verksamheter", "dubbel.csv", "kod;namn\n777;A\n777;B\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("rad 3") && stderr(&out).contains("777"),
        "{}",
        stderr(&out)
    );
    assert_eq!(names(&db).len(), 1);
}

#[test]
fn followup_depth_shows_nodes_down_to_a_level() {
    let env = Env::new();
    env.base();
    env.import_ok(
        "huvudbok",
        "hb.csv",
        "period;konto;ansvar;verksamhet;belopp\n2025-01;5011;711;510;1000,00\n",
    );
    let run = |extra: &[&str]| -> String {
        let mut args = vec!["followup", "--period", "2025-01", "--konton", "--format", "csv"];
        args.extend_from_slice(extra);
        let out = env.run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let codes = |csv: &str| -> Vec<String> {
        csv.lines()
            .skip(1)
            .map(|l| l.split(';').nth(3).unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(codes(&run(&["--djup", "nämnd"])), ["K", "VON"]);
    assert_eq!(codes(&run(&["--djup", "ansvar"])), ["K", "VON", "HT", "711"]);
    assert_eq!(codes(&run(&["--djup", "konto"])), ["K", "VON", "HT", "711", "5011"]);
    assert_eq!(
        codes(&run(&[])),
        ["K", "VON", "HT", "711", "5011"],
        "all rows without --djup"
    );
    // The sums are the whole subtree's at every depth.
    let top = |csv: &str| {
        csv.lines()
            .nth(1)
            .unwrap_or("")
            .split(';')
            .nth(5)
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(top(&run(&["--djup", "nämnd"])), top(&run(&[])));
    let out = env.run(&["followup", "--period", "2025-01", "--djup", "gata"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--djup: värdet \"gata\""), "{}", stderr(&out));
    let out = env.run(&["followup", "--period", "2025-01", "--djup", "nämnd", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("tabell och csv"), "{}", stderr(&out));
}
