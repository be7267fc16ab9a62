//! `resurs mal` and `resurs efterfragan` run as the real binary (issue 13,
//! items 4–6): the goal file and its refusals, the assessment rule and an
//! override that needs a motivation, undo, resources per goal, and the
//! demand projection of Exempelstad.

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
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

const ORG: &str = "kod;namn;nivå;överordnad;giltig_från;giltig_till
K;Testkommun;kommun;;2020-01-01;
VON;Vård- och omsorgsnämnden;nämnd;K;2020-01-01;
71;Hemtjänst;avdelning;VON;2020-01-01;
711;Hemtjänst Centrum;ansvar;71;2020-01-01;
";

const LEDGER: &str = "period;konto;ansvar;verksamhet;belopp
2026-01;5011;711;510;120000
2026-02;5011;711;510;130000
";

const HEAD: &str = "typ;kod;namn;nivå;överordnad;mål;ansvarig;agenda2030;nyckel;kolada;mått;enhet;baslinje;basår;målvärde;målslag;riktning;målår;frekvens;metod;indikator;period;kön;värde\n";

fn goal(kod: &str, namn: &str, niva: &str, over: &str, nyckel: &str) -> String {
    format!("mål;{kod};{namn};{niva};{over};;Nämnden;3, 10;{nyckel};;;;;;;;;;;;;;;\n")
}

fn indicator(kod: &str, mal: &str, bas: &str, target: &str, kind: &str, dir: &str) -> String {
    format!("indikator;{kod};Indikator {kod};;;{mal};Chefen;;;;;%;{bas};2024;{target};{kind};{dir};2026;år;Enkät;;;;\n")
}

fn outcome(ind: &str, period: &str, kon: &str, v: &str) -> String {
    format!("utfall;;;;;;;;;;;;;;;;;;;;{ind};{period};{kon};{v}\n")
}

#[test]
fn a_goal_file_with_a_missing_target_kind_an_unknown_indicator_or_a_cycle_is_refused_with_its_line() {
    let env = Env::new();
    env.ok(&["import", "organisation", &env.write("org.csv", ORG)]);
    // Line 3: the target kind is missing.
    let text = format!(
        "{HEAD}{}{}",
        goal("KF1", "Trygg äldreomsorg", "KF", "", "71"),
        indicator("I1", "KF1", "80", "5", "", "")
    );
    let out = env.run(&["mal", "import", &env.write("a.csv", &text)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rad 3, kolumn \"målslag\""), "{err}");
    assert!(err.contains("målslaget saknas"), "{err}");
    // Line 4: an outcome of an indicator that does not exist.
    let text = format!(
        "{HEAD}{}{}{}",
        goal("KF1", "Trygg äldreomsorg", "KF", "", "71"),
        indicator("I1", "KF1", "80", "5", "procentenheter", ""),
        outcome("I9", "2026", "T", "82")
    );
    let out = env.run(&["mal", "import", &env.write("b.csv", &text)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rad 4, kolumn \"indikator\": värdet \"I9\""), "{err}");
    assert!(err.contains("okänd indikator"), "{err}");
    // Lines 2–3: two goals that are each other's parent.
    let text = format!(
        "{HEAD}{}{}",
        goal("N1", "Nämndmål", "nämnd", "N2", ""),
        goal("N2", "Annat nämndmål", "nämnd", "N1", "")
    );
    let out = env.run(&["mal", "import", &env.write("c.csv", &text)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rad 2, kolumn \"överordnad\""), "{err}");
    assert!(err.contains("N1 → N2 → N1"), "{err}");
    // Nothing was stored by any of them.
    let r = env.json(&["mal", "visa", "--ar", "2026", "--format", "json"]);
    assert_eq!(r["mal"].as_array().unwrap().len(), 0, "{r}");
}

#[test]
fn goals_are_assessed_by_the_rule_overridden_only_with_a_motivation_and_undone() {
    let env = Env::new();
    env.ok(&["import", "organisation", &env.write("org.csv", ORG)]);
    env.ok(&["import", "huvudbok", &env.write("hb.csv", LEDGER)]);
    let text = format!(
        "{HEAD}{}{}{}{}{}{}{}{}",
        goal("KF1", "Trygg äldreomsorg", "KF", "", "K"),
        goal("N1", "Hemtjänst med kontinuitet", "nämnd", "KF1", "711:50"),
        // 80 → +5 pp = 85: 85 reached.
        indicator("I1", "N1", "80", "5", "procentenheter", ""),
        // 20 → −10 % = 18, lower is better: 19 is half the way.
        indicator("I2", "N1", "20", "-10", "relativ", "lägre"),
        outcome("I1", "2026", "T", "85"),
        outcome("I1", "2026", "K", "86"),
        outcome("I2", "2025", "T", "20"),
        outcome("I2", "2026", "T", "19")
    );
    let out = env.ok(&["mal", "import", &env.write("mal.csv", &text)]);
    assert!(out.contains("2 mål, 2 indikatorer, 4 utfall"), "{out}");
    let r = env.json(&["mal", "visa", "--ar", "2026", "--format", "json"]);
    let n1 = &r["mal"][1];
    assert_eq!(n1["kod"], "N1");
    assert_eq!(n1["indikatorer"][0]["att_na"], 8500);
    assert_eq!(n1["indikatorer"][0]["status"], "uppfylld");
    assert_eq!(n1["indikatorer"][0]["utfall_k"], 8600);
    assert_eq!(n1["indikatorer"][1]["att_na"], 1800);
    assert_eq!(n1["indikatorer"][1]["status"], "delvis");
    // 2 + 1 points of 4: delvis; the council goal takes its sub-goal's.
    assert_eq!(n1["forslag"], "delvis uppfyllt");
    assert_eq!(r["mal"][0]["forslag"], "delvis uppfyllt");
    // Resources: half of 711's outcome through February (250 000 kr).
    assert_eq!(n1["resurser"]["utfall"], 12_500_000, "{n1}");
    assert_eq!(r["mal"][0]["resurser"]["utfall"], 25_000_000);
    // No override without a written motivation.
    let out = env.run(&["mal", "bedom", "N1", "--ar", "2026", "--bedomning", "uppfyllt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("skriftlig motivering"));
    env.ok(&[
        "mal",
        "bedom",
        "N1",
        "--ar",
        "2026",
        "--bedomning",
        "uppfyllt",
        "--motivering",
        "Kontinuiteten mättes före omorganisationen.",
    ]);
    let r = env.json(&["mal", "visa", "--ar", "2026", "--format", "json"]);
    assert_eq!(r["mal"][1]["forslag"], "delvis uppfyllt");
    assert_eq!(r["mal"][1]["bedomning"], "uppfyllt");
    assert_eq!(
        r["mal"][1]["manuell"]["motivering"],
        "Kontinuiteten mättes före omorganisationen."
    );
    // The override counts upwards: the council goal is now met.
    assert_eq!(r["mal"][0]["bedomning"], "uppfyllt");
    // Tables as xlsx.
    env.ok(&["mal", "visa", "--ar", "2026", "--format", "xlsx", "--ut", "mal.xlsx"]);
    assert!(std::fs::read(env.path("mal.xlsx")).unwrap().starts_with(b"PK"));
    // Undo: the goals, indicators and outcomes go away with the import.
    let list = env.ok(&["import", "list"]);
    assert!(list.contains("mål"), "{list}");
    env.ok(&["import", "undo", "3"]);
    let r = env.json(&["mal", "visa", "--ar", "2026", "--format", "json"]);
    assert_eq!(r["mal"].as_array().unwrap().len(), 0, "{r}");
}

#[test]
fn the_demo_has_a_goal_cascade_and_a_ten_year_demand_projection() {
    let env = Env::new();
    let out = Command::new(env!("CARGO_BIN_EXE_resurs"))
        .current_dir(env.dir.path())
        .args([
            "--db",
            "demo.db",
            "demo",
            "--seed",
            "1",
            "--skala",
            "2",
            "--katalog",
            "filer",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--db", "demo.db"];
        all.extend_from_slice(args);
        let out = Command::new(env!("CARGO_BIN_EXE_resurs"))
            .current_dir(env.dir.path())
            .args(&all)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let r = run(&["mal", "visa", "--ar", "2026", "--format", "json"]);
    let goals = r["mal"].as_array().unwrap();
    assert_eq!(goals.len(), 10);
    assert_eq!(goals.iter().filter(|g| g["niva"] == "KF").count(), 3);
    let inds: Vec<&serde_json::Value> = goals
        .iter()
        .flat_map(|g| g["indikatorer"].as_array().unwrap())
        .collect();
    assert_eq!(inds.len(), 12);
    // An own measure fed from the follow-up has a value.
    let i06 = inds.iter().find(|i| i["kod"] == "I06").unwrap();
    assert!(i06["utfall"].is_i64(), "{i06}");
    // Utförandegrad (I05) and continuity (I04) are the productivity report's
    // figures for the whole municipality, the same as `resurs produktivitet`.
    let prod = run(&["produktivitet", "--ar", "2026", "--format", "json"]);
    let ind = |k: &str| *inds.iter().find(|i| i["kod"] == k).unwrap();
    assert_eq!(ind("I05")["utfall"], prod["totalt"]["utforandegrad"], "{}", ind("I05"));
    assert_eq!(ind("I04")["utfall"], prod["totalt"]["kontinuitet"], "{}", ind("I04"));
    assert!(ind("I05")["utfall"].as_i64().unwrap() > 5_000, "{}", ind("I05"));
    assert_eq!(ind("I05")["kalla"], "Resurs: utförandegrad");
    // A Kolada indicator takes Kolada's value for the own municipality
    // (U21463, 2025: 77,8 in crates/app/data/demo/kolada) where Kolada has
    // the year, and the entered outcome for 2026, which Kolada lacks.
    let r25 = run(&["mal", "visa", "--ar", "2025", "--format", "json"]);
    let i01_25 = r25["mal"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["indikatorer"].as_array().unwrap())
        .find(|i| i["kod"] == "I01")
        .unwrap()
        .clone();
    assert_eq!(i01_25["utfall"], 7780, "{i01_25}");
    assert_eq!(i01_25["utfall_k"], 8130, "{i01_25}");
    assert_eq!(ind("I01")["utfall"], 7850, "{}", ind("I01"));
    // The manual assessment with its motivation, and resources for every goal with a key.
    let von3 = goals.iter().find(|g| g["kod"] == "VON3").unwrap();
    assert_eq!(von3["bedomning"], "delvis uppfyllt");
    assert!(von3["manuell"]["motivering"].as_str().unwrap().len() > 10);
    assert!(
        goals
            .iter()
            .all(|g| g["resurser"]["budget_helar"].as_i64().unwrap() > 0),
        "{r}"
    );
    let p = run(&["efterfragan", "visa", "--format", "json"]);
    assert_eq!(p["referensdag"].as_str().unwrap().len(), 10);
    let sabo = p["tjanster"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["tjanst"] == "särskilt boende (brukare)")
        .unwrap();
    assert_eq!(sabo["ar"].as_array().unwrap().len(), 10, "{sabo}");
    assert!(sabo["ar"][0]["kostnad"].as_i64().unwrap() > 0);
    assert!(sabo["platser_idag"].as_i64().unwrap() > 0);
    // Costs at today's unit costs: KPB of the latest full ledger year
    // (2025): the day price of SABO_SOM and SABO_DEM, weighted by days, × 365.
    assert_eq!(sabo["kostnadskalla"], "KPB 2025", "{sabo}");
    let kpb = run(&["kpb", "--year", "2025", "--format", "json"]);
    let rows: Vec<&serde_json::Value> = kpb["tjanster"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["insats"].as_str().unwrap().starts_with("SABO_"))
        .collect();
    assert_eq!(rows.len(), 2, "{kpb}");
    let num: i128 = rows
        .iter()
        .map(|t| t["styckpris"].as_i64().unwrap() as i128 * t["volym"].as_i64().unwrap() as i128)
        .sum();
    let den: i128 = rows.iter().map(|t| t["volym"].as_i64().unwrap() as i128).sum();
    assert_eq!(
        sabo["enhetskostnad"].as_i64().unwrap() as i128,
        num * 365 / den,
        "{sabo}"
    );
    // Small groups are never shown.
    for a in p["andelar"].as_array().unwrap() {
        if let Some(n) = a["brukare"].as_u64() {
            assert!(n >= 5, "{a}");
        } else {
            assert!(a["volym"].is_null() && a["egen_andel"].is_null(), "{a}");
        }
    }
    let s = run(&[
        "efterfragan",
        "visa",
        "--scenario",
        "Fler bor kvar hemma",
        "--format",
        "json",
    ]);
    let rate = s["andelar"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["tjanst"] == "särskilt boende (brukare)" && a["grupp"] == "90 år och äldre" && a["kon"] == "K")
        .unwrap()
        .clone();
    assert_eq!(rate["andel_visad"], 15_000);
    assert_eq!(rate["antagande"], true);
}
