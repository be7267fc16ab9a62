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

/// Half away from zero, as the app rounds öre.
fn round_div(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if r.abs() * 2 >= d.abs() {
        q + if (n < 0) ^ (d < 0) { -1 } else { 1 }
    } else {
        q
    }
}

#[test]
fn goals_keyed_to_services_take_their_kpb_cost_and_the_frame_takes_its_supplement_from_the_projection() {
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
    let raw = |args: &[&str]| -> Output {
        let mut all = vec!["--db", "demo.db"];
        all.extend_from_slice(args);
        Command::new(env!("CARGO_BIN_EXE_resurs"))
            .current_dir(env.dir.path())
            .args(&all)
            .output()
            .unwrap()
    };
    let run = |args: &[&str]| -> serde_json::Value {
        let out = raw(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // ---- Item 5: resources per goal through services.
    // The follow-up of 2026 runs to the latest ledger month; the goal's KPB
    // covers the same months.
    let fu_period = run(&["mal", "visa", "--ar", "2026", "--format", "json"])["mal"][0]["resurser"]["period"]
        .as_str()
        .unwrap()
        .to_string();
    let kpb = run(&["kpb", "--year", "2026", "--till", &fu_period, "--format", "json"]);
    let service_cost = |code: &str| -> i64 {
        kpb["tjanster"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["insats"] == code)
            .unwrap()["kostnad"]
            .as_i64()
            .unwrap()
    };
    let (omv, serv) = (service_cost("HT_OMV"), service_cost("HT_SERV"));
    assert!(omv > 0 && serv > 0);
    // Two more goals: T1 keyed to half of HT_OMV, T2 to node 71 and all of HT_OMV.
    let text = format!(
        "{HEAD}{}{}",
        goal("T1", "Halva omvårdnaden", "nämnd", "KF1", "insats:HT_OMV:50"),
        goal("T2", "Hemtjänsten och omvårdnaden", "nämnd", "KF1", "71, insats:HT_OMV")
    );
    let out = raw(&["mal", "import", &env.write("t.csv", &text)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = run(&["mal", "visa", "--ar", "2026", "--format", "json"]);
    let goal_of = |k: &str| {
        r["mal"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["kod"] == k)
            .unwrap()
            .clone()
    };
    // Exempelstad's VON1 is keyed to the home-care services HT_OMV and HT_SERV
    // (100 % each): its outcome is their KPB cost, öre for öre.
    let von1 = goal_of("VON1");
    let poster = von1["resurser"]["poster"].as_array().unwrap();
    assert_eq!(poster.len(), 2, "{von1}");
    assert!(poster.iter().all(|p| p["slag"] == "insats"), "{von1}");
    let post = |g: &serde_json::Value, k: &str| {
        g["resurser"]["poster"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["post"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(post(&von1, "insats:HT_OMV")["utfall"], omv, "{von1}");
    assert_eq!(post(&von1, "insats:HT_SERV")["utfall"], serv, "{von1}");
    assert_eq!(von1["resurser"]["utfall"], omv + serv, "{von1}");
    assert!(von1["resurser"]["budget_helar"].as_i64().unwrap() > 0, "{von1}");
    assert!(von1["resurser"]["prognos"].as_i64().unwrap() > 0, "{von1}");
    // T1: HT_OMV × 50 % = KPB cost × 50 / 100, truncated to whole öre.
    let t1 = goal_of("T1");
    assert_eq!(t1["resurser"]["utfall"], omv * 50 / 100, "{t1}");
    assert_eq!(
        post(&t1, "insats:HT_OMV")["budget_helar"].as_i64().unwrap(),
        post(&von1, "insats:HT_OMV")["budget_helar"].as_i64().unwrap() * 50 / 100
    );
    // T2: node 71 counts its ansvar once; HT_OMV's cells on ansvar under 71
    // are left out (named in the note), so the goal is less than 71 + all of HT_OMV.
    let t2 = goal_of("T2");
    let n71 = post(&t2, "71");
    assert_eq!(n71["slag"], "nod");
    let s = post(&t2, "insats:HT_OMV");
    assert!(s["utfall"].as_i64().unwrap() < omv, "{t2}");
    assert!(s["anmarkning"].as_str().unwrap().contains("räknas inte här"), "{t2}");
    assert_eq!(
        t2["resurser"]["utfall"].as_i64().unwrap(),
        n71["utfall"].as_i64().unwrap() + s["utfall"].as_i64().unwrap()
    );
    // The terminal shows where each goal's resources come from.
    let table = String::from_utf8_lossy(&raw(&["mal", "visa", "--ar", "2026"]).stdout).into_owned();
    assert!(table.contains("Resurser per mål och nyckelpost 2026"), "{table}");
    assert!(table.contains("insats:HT_OMV"), "{table}");
    // An unknown service is refused with its line, column and value.
    let text = format!("{HEAD}{}", goal("T3", "Okänd", "nämnd", "KF1", "71, insats:FINNS_EJ"));
    let out = raw(&["mal", "import", &env.write("bad.csv", &text)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rad 2, kolumn \"nyckel\""), "{err}");
    assert!(err.contains("\"FINNS_EJ\" finns inte"), "{err}");
    // ---- Item 6: the frame's demographic supplement from the projection.
    let p = run(&["efterfragan", "visa", "--format", "json"]);
    let svc = |name: &str| {
        p["tjanster"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["tjanst"] == name)
            .unwrap()
            .clone()
    };
    let vol = |s: &serde_json::Value, y: i64| -> i128 {
        s["ar"].as_array().unwrap().iter().find(|x| x["ar"] == y).unwrap()["volym"]
            .as_i64()
            .unwrap() as i128
    };
    let sabo = svc("särskilt boende (brukare)");
    let ht = svc("hemtjänst (timmar)");
    // Places (hundredths of a person): (V(2027) − V(2026)) × cost per place and year / 100.
    let want_sabo = round_div(
        (vol(&sabo, 2027) - vol(&sabo, 2026)) * sabo["enhetskostnad"].as_i64().unwrap() as i128,
        100,
    );
    // Hours per month: (V(2027) − V(2026)) × cost per hour × 12 / 100.
    let want_ht = round_div(
        (vol(&ht, 2027) - vol(&ht, 2026)) * ht["enhetskostnad"].as_i64().unwrap() as i128 * 12,
        100,
    );
    let frame = "ar = 2027
bas = \"Budget 2026\"
version = \"Ram 2027 efterfrågan\"
lon_procent = \"0\"
pris_procent = \"0\"

[[demografi]]
nod = \"73\"
kalla = \"efterfrågan\"
tjanst = \"särskilt boende (brukare)\"

[[demografi]]
nod = \"71\"
\"källa\" = \"efterfrågan\"
tjanst = \"hemtjänst (timmar)\"
";
    let f = run(&["budget", "frame", &env.write("ram.toml", frame), "--format", "json"]);
    let rows = f["ram"]["demografirader"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{f}");
    assert_eq!(rows[0]["belopp"].as_i64().unwrap() as i128, want_sabo, "{f}");
    assert_eq!(rows[1]["belopp"].as_i64().unwrap() as i128, want_ht, "{f}");
    let src = &rows[0]["efterfragan"];
    assert_eq!(src["tjanst"], "särskilt boende (brukare)");
    assert_eq!(src["volym_fore"].as_i64().unwrap() as i128, vol(&sabo, 2026));
    assert_eq!(src["volym_efter"].as_i64().unwrap() as i128, vol(&sabo, 2027));
    assert_eq!(src["enhetskostnad"], sabo["enhetskostnad"]);
    assert_eq!(src["kostnadskalla"], sabo["kostnadskalla"]);
    assert_eq!(
        f["ram"]["demografi"].as_i64().unwrap() as i128,
        want_sabo + want_ht,
        "{f}"
    );
    // The terminal says where the figure came from.
    let table = String::from_utf8_lossy(&raw(&["budget", "frame", &env.path("ram.toml").to_string_lossy()]).stdout)
        .into_owned();
    assert!(
        table.contains("demografi ur efterfrågan: särskilt boende (brukare) 2026 → 2027"),
        "{table}"
    );
    // An unknown service: the frame file's line and key.
    let bad = frame.replace("tjanst = \"hemtjänst (timmar)\"", "tjanst = \"okänd tjänst\"");
    let out = raw(&["budget", "frame", &env.write("bad.toml", &bad)]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rad 15: demografi nr 2: nyckeln \"tjanst\", värdet \"okänd tjänst\""),
        "{err}"
    );
}
