//! `resurs driftredovisning`: the operating statement by cost type from a
//! small hand-made ledger whose every figure is known (docs/driftredovisning.md).

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
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_resurs"))
            .current_dir(self.dir.path())
            .env_remove("RESURS_DB")
            .env_remove("RESURS_PSEUDONYM_KEY")
            .arg("--db")
            .arg(self.path("test.db"))
            .args(args)
            .output()
            .unwrap()
    }
    fn write(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }
    fn import(&self, kind: &str, name: &str, text: &str) {
        let p = self.write(name, text);
        let out = self.run(&["import", kind, &p]);
        assert!(out.status.success(), "import {kind}: {}", err(&out));
    }
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const ORG: &str = "kod;namn;nivå;överordnad;giltig_från;giltig_till
K;Testkommun;kommun;;2020-01-01;
VON;Vård- och omsorgsnämnden;nämnd;K;2020-01-01;
HT;Hemtjänst;avdelning;VON;2020-01-01;
711;Hemtjänst Centrum;ansvar;HT;2020-01-01;
712;Hemtjänst Norr;ansvar;HT;2020-01-01;
";

/// The golden ledger: per month of 2026 (kr, ledger sign) on 711 and 712,
/// the same months of 2025, and a budget spread evenly (¼ by March).
fn golden() -> Env {
    let env = Env::new();
    env.import("organisation", "org.csv", ORG);
    let mut hb = String::from("period;konto;ansvar;verksamhet;belopp\n");
    for m in 1..=3 {
        for (konto, ansvar, kr) in [
            ("3510", "711", -10_000),
            ("5011", "711", 100_000),
            ("5410", "711", 40_000),
            ("6110", "711", 20_000),
            ("4610", "711", 15_000),
            ("7310", "711", 5_000),
            ("6410", "711", 3_000),
            ("8410", "711", -200_000),
            ("8510", "711", 1_000),
            ("5011", "712", 50_000),
            ("3810", "712", -5_000),
        ] {
            hb.push_str(&format!("2026-{m:02};{konto};{ansvar};510;{kr}\n"));
        }
    }
    // April is outside a statement through March.
    hb.push_str("2026-04;5011;711;510;999999\n");
    for m in 1..=12 {
        for (konto, ansvar, kr) in [
            ("5011", "711", 90_000),
            ("3510", "711", -8_000),
            ("5011", "712", 45_000),
            ("8410", "711", -190_000),
        ] {
            hb.push_str(&format!("2025-{m:02};{konto};{ansvar};510;{kr}\n"));
        }
    }
    env.import("huvudbok", "hb.csv", &hb);
    let mut b = String::from("version;typ;år;period;ansvar;konto;verksamhet;belopp\n");
    for (ansvar, konto, kr) in [
        ("711", "3510", -120_000),
        ("711", "5011", 1_200_000),
        ("711", "5410", 480_000),
        ("711", "6110", 240_000),
        ("711", "4610", 240_000),
        ("711", "6410", 48_000),
        ("711", "8410", -2_400_000),
        ("711", "8510", 12_000),
        ("712", "5011", 720_000),
        ("712", "3810", -60_000),
    ] {
        b.push_str(&format!("Budget 2026;beslutad;2026;;{ansvar};{konto};510;{kr}\n"));
    }
    env.import("budget", "budget.csv", &b);
    env
}

fn json(env: &Env, args: &[&str]) -> serde_json::Value {
    let out = env.run(args);
    assert!(out.status.success(), "{}", err(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The values (kr) of the group or sum row `key`: budget, outcome,
/// deviation, last year, change.
fn line(v: &serde_json::Value, key: &str) -> [i64; 5] {
    let r = v["rader"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["nyckel"] == key && r["typ"] != "konto")
        .unwrap_or_else(|| panic!("{key} in {v}"));
    let vals: Vec<i64> = r["varden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap() / 100)
        .collect();
    assert!(r["varden"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x.as_i64().unwrap() % 100 == 0));
    vals.try_into().unwrap()
}

#[test]
fn golden_operating_statement_every_line() {
    let env = golden();
    let v = json(
        &env,
        &["driftredovisning", "--ar", "2026", "--till", "3", "--format", "json"],
    );
    assert_eq!(v["nod"], "K");
    assert_eq!(v["budgetversion"], "Budget 2026");
    assert_eq!(v["kostnadsslag"], "kommunbas-standard-1");
    let keys: Vec<&str> = v["rader"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["typ"] != "konto")
        .map(|r| r["namn"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "Verksamhetens intäkter",
            "Personalkostnader",
            "Lokalhyror",
            "Köp av tjänster och huvudverksamhet",
            "Övriga kostnader",
            "Verksamhetens kostnader",
            "Verksamhetens nettokostnader",
            "Kommunbidrag",
            "Finansnetto",
            "Årets resultat"
        ]
    );
    //                                   budget    utfall  avvikelse   fg år  förändring
    assert_eq!(line(&v, "intakter"), [45_000, 45_000, 0, 24_000, 21_000]);
    assert_eq!(line(&v, "personal"), [-600_000, -570_000, 30_000, -405_000, -165_000]);
    assert_eq!(line(&v, "lokaler"), [-60_000, -60_000, 0, 0, -60_000]);
    assert_eq!(line(&v, "kop"), [-60_000, -60_000, 0, 0, -60_000]);
    assert_eq!(line(&v, "ovrigt"), [-12_000, -9_000, 3_000, 0, -9_000]);
    assert_eq!(line(&v, "kostnader"), [-732_000, -699_000, 33_000, -405_000, -294_000]);
    assert_eq!(
        line(&v, "nettokostnader"),
        [-687_000, -654_000, 33_000, -381_000, -273_000]
    );
    assert_eq!(line(&v, "kommunbidrag"), [600_000, 600_000, 0, 570_000, 30_000]);
    assert_eq!(line(&v, "finans"), [-3_000, -3_000, 0, 0, -3_000]);
    assert_eq!(line(&v, "resultat"), [-90_000, -57_000, 33_000, 189_000, -246_000]);

    // Drill-down: personnel's accounts, summed over both units.
    let accounts: Vec<(String, i64)> = v["rader"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["typ"] == "konto" && r["grupp"] == "personal")
        .map(|r| {
            (
                r["nyckel"].as_str().unwrap().to_string(),
                r["varden"][1].as_i64().unwrap() / 100,
            )
        })
        .collect();
    assert_eq!(
        accounts,
        [("5011".to_string(), -450_000), ("5410".to_string(), -120_000)]
    );

    // One unit.
    let u = json(
        &env,
        &[
            "driftredovisning",
            "--ar",
            "2026",
            "--till",
            "2026-03",
            "--nod",
            "712",
            "--format",
            "json",
        ],
    );
    assert_eq!(line(&u, "intakter"), [15_000, 15_000, 0, 0, 15_000]);
    assert_eq!(line(&u, "personal"), [-180_000, -150_000, 30_000, -135_000, -15_000]);
    assert_eq!(line(&u, "resultat"), [-165_000, -135_000, 30_000, -135_000, 0]);

    // The terminal table in tkr.
    let out = env.run(&["driftredovisning", "--ar", "2026", "--till", "3", "--konton"]);
    assert!(out.status.success(), "{}", err(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Driftredovisning K Testkommun, januari–mars 2026"),
        "{text}"
    );
    let result = text.lines().find(|l| l.starts_with("Årets resultat")).unwrap();
    let figures: Vec<&str> = result
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .skip(1)
        .collect();
    assert_eq!(figures, ["-90", "-57", "33", "189", "-246"], "{result}");
    assert!(text.contains("  Månadslön tillsvidareanställda"), "{text}");

    // xlsx: one sheet with the rows.
    let x = env.path("drift.xlsx");
    let out = env.run(&[
        "driftredovisning",
        "--ar",
        "2026",
        "--till",
        "3",
        "--format",
        "xlsx",
        "--output",
        x.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", err(&out));
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&x).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let found = sheet.rows().any(|r| {
        r.first()
            .is_some_and(|c| matches!(c, calamine::Data::String(s) if s == "Årets resultat"))
    });
    assert!(found);
}

#[test]
fn statement_refuses_gaps_bad_files_and_periods_without_ledger() {
    let env = golden();
    // A month after the ledger: said, not zeros.
    let out = env.run(&["driftredovisning", "--ar", "2026", "--till", "5"]);
    assert!(!out.status.success());
    assert!(
        err(&out).contains("Det finns inget utfall för januari–maj 2026"),
        "{}",
        err(&out)
    );
    let out = env.run(&["driftredovisning", "--ar", "2024", "--till", "12"]);
    assert!(err(&out).contains("inget utfall"), "{}", err(&out));
    // A grouping that leaves accounts with outcome out names them.
    let f = env.write(
        "k.csv",
        "version;egen-1\ngrupp;från;till\nintakter;3000;3999\nkop;4000;4999\npersonal;5000;5999\novrigt;6000;7999\n",
    );
    let out = env.run(&["driftredovisning", "--ar", "2026", "--till", "3", "--kostnadsslag", &f]);
    assert!(!out.status.success());
    assert!(err(&out).contains("täcker inte kontona 8410, 8510"), "{}", err(&out));
    // Overlap and an unknown group, each with its line.
    let f = env.write(
        "bad.csv",
        "version;egen-2\ngrupp;från;till\nintakter;3000;3999\npersonal;3900;5999\nhyra;6000;6999\n",
    );
    let out = env.run(&["driftredovisning", "--ar", "2026", "--till", "3", "--kostnadsslag", &f]);
    let e = err(&out);
    assert!(
        e.contains("rad 4: intervallet 3900–5999 överlappar intervallet 3000–3999 på rad 3"),
        "{e}"
    );
    assert!(e.contains("rad 5, kolumn grupp: okänd grupp \"hyra\""), "{e}");
    // A unit with nothing booked says so.
    let out = env.run(&[
        "driftredovisning",
        "--ar",
        "2026",
        "--till",
        "3",
        "--nod",
        "HT",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let out = env.run(&["driftredovisning", "--ar", "2026", "--till", "3", "--nod", "FINNS_EJ"]);
    assert!(err(&out).contains("finns inte"), "{}", err(&out));
}

/// Issue 14 item 2 on the demo municipality: for every unit, department,
/// committee and the total, volume + price + efficiency is the deviation,
/// in öre and in the rounded tkr; the total is the sum of the units.
#[test]
fn deviation_effects_sum_exactly_on_the_demo() {
    let env = Env::new();
    let out = env.run(&["demo", "--skala", "3", "--seed", "1"]);
    assert!(out.status.success(), "{}", err(&out));
    let v = json(&env, &["avvikelse", "--ar", "2026", "--till", "10", "--format", "json"]);
    let rows = v["rader"].as_array().unwrap();
    assert!(rows.iter().filter(|r| r["typ"] == "enhet").count() > 5, "{v}");
    for t in ["avdelning", "nämnd", "summa"] {
        assert!(rows.iter().any(|r| r["typ"] == t), "{t} in {v}");
    }
    let n = |r: &serde_json::Value, a: &str, b: &str| r[a][b].as_i64().unwrap();
    let mut units = [0i64; 4];
    for r in rows {
        let e = |k: &str| n(r, "effekter", k);
        assert_eq!(e("volym") + e("pris") + e("effektivitet"), e("avvikelse"), "{r}");
        assert_eq!(
            e("avvikelse"),
            n(r, "underlag", "budget") - n(r, "underlag", "utfall"),
            "{r}"
        );
        let t: Vec<i64> = r["tkr"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap())
            .collect();
        assert_eq!(t[1] + t[2] + t[3], t[0], "{r}");
        assert_eq!(t[0], resurs_core::num::round_div(e("avvikelse"), 100_000), "{r}");
        if r["typ"] == "enhet" {
            for (i, k) in ["avvikelse", "volym", "pris", "effektivitet"].iter().enumerate() {
                units[i] += e(k);
            }
        }
    }
    let total = rows.iter().find(|r| r["typ"] == "summa").unwrap();
    for (i, k) in ["avvikelse", "volym", "pris", "effektivitet"].iter().enumerate() {
        assert_eq!(n(total, "effekter", k), units[i], "{k}");
    }
    if let Some(p) = v.get("placeringar") {
        assert_eq!(
            n(p, "effekter", "volym") + n(p, "effekter", "pris"),
            n(p, "effekter", "avvikelse"),
            "{p}"
        );
    }
    // The table says what the columns are.
    let out = env.run(&["avvikelse", "--ar", "2026", "--till", "10"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Volymeffekt (tkr)") && text.contains("Effektivitet (tkr)"),
        "{text}"
    );
    // The operating statement of the demo adds up too.
    let d = json(
        &env,
        &["driftredovisning", "--ar", "2026", "--till", "10", "--format", "json"],
    );
    let netto = line_ore(&d, "nettokostnader");
    let res = line_ore(&d, "resultat");
    let parts = [line_ore(&d, "kommunbidrag"), line_ore(&d, "finans")];
    for c in 0..5 {
        assert_eq!(res[c], netto[c] + parts[0][c] + parts[1][c]);
    }
}

/// The values (öre) of the group or sum row `key`.
fn line_ore(v: &serde_json::Value, key: &str) -> Vec<i64> {
    v["rader"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["nyckel"] == key && r["typ"] != "konto")
        .unwrap_or_else(|| panic!("{key} in {v}"))["varden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

/// A cost-type grouping is stored with its version; the newest is the
/// default, `--slagversion` picks one (or the shipped `standard`), the same
/// file again changes nothing and another content under the same version is
/// refused.
#[test]
fn cost_type_versions_are_loaded_listed_and_chosen() {
    let env = golden();
    let own = "version;egen-1\ngrupp;från;till\nintakter;3000;3999\nkop;4000;4999\npersonal;5000;5999\nlokaler;6000;6199\novrigt;6200;8399\nkommunbidrag;8400;8499\nfinans;8500;8999\n";
    let f = env.write("egen.csv", own);
    let out = env.run(&["kostnadsslag", "load", &f]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(
        err(&out).contains("Kostnadsslagen \"egen-1\" laddades"),
        "{}",
        err(&out)
    );
    let out = env.run(&["kostnadsslag", "load", &f]);
    assert!(out.status.success());
    assert!(err(&out).contains("inget ändrades"), "{}", err(&out));
    let f2 = env.write("egen2.csv", &own.replace("ovrigt;6200;8399", "ovrigt;6200;8300"));
    let out = env.run(&["kostnadsslag", "load", &f2]);
    assert!(!out.status.success());
    assert!(err(&out).contains("finns redan"), "{}", err(&out));
    let bad = env.write(
        "bad.csv",
        "version;egen-3\ngrupp;från;till\nintakter;3000;3999\nhyror;6000;6100\n",
    );
    let out = env.run(&["kostnadsslag", "load", &bad]);
    assert!(
        err(&out).contains("rad 4, kolumn grupp: okänd grupp \"hyror\""),
        "{}",
        err(&out)
    );
    let out = env.run(&["kostnadsslag", "list"]);
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(
        list.contains("standard") && list.contains("egen-1") && !list.contains("egen-3"),
        "{list}"
    );

    // The newest stored grouping is the default: 7310 is now an other cost.
    let v = json(
        &env,
        &["driftredovisning", "--ar", "2026", "--till", "3", "--format", "json"],
    );
    assert_eq!(v["kostnadsslag"], "egen-1");
    assert_eq!(line(&v, "kop"), [-60_000, -45_000, 15_000, 0, -45_000]);
    assert_eq!(line(&v, "ovrigt"), [-12_000, -24_000, -12_000, 0, -24_000]);
    assert_eq!(line(&v, "resultat"), [-90_000, -57_000, 33_000, 189_000, -246_000]);
    let v = json(
        &env,
        &[
            "driftredovisning",
            "--ar",
            "2026",
            "--till",
            "3",
            "--slagversion",
            "standard",
            "--format",
            "json",
        ],
    );
    assert_eq!(v["kostnadsslag"], "kommunbas-standard-1");
    assert_eq!(line(&v, "kop"), [-60_000, -60_000, 0, 0, -60_000]);
    let out = env.run(&[
        "driftredovisning",
        "--ar",
        "2026",
        "--till",
        "3",
        "--slagversion",
        "saknas",
    ]);
    assert!(
        err(&out).contains("Kostnadsslagsversionen \"saknas\" finns inte; laddade versioner: standard, egen-1"),
        "{}",
        err(&out)
    );
}
