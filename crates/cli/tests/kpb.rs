//! `resurs kpb` and `resurs kpb-nycklar` run as the real binary: a small
//! municipality whose every krona is allocated once, a bad allocation-key
//! file refused with line and key, and every output format.

#![allow(clippy::inconsistent_digit_grouping)] // öre as kr_öre

use chrono::NaiveDate;
use resurs_core::personnummer::Personnummer;
use std::path::PathBuf;
use std::process::{Command, Output};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_resurs"))
            .current_dir(self.dir.path())
            .env_remove("RESURS_DB")
            .env_remove("RESURS_PSEUDONYM_KEY")
            .arg("--db")
            .arg(self.path("t.db"))
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
        let o = self.run(args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

fn pnr(date: &str, serial: u16) -> String {
    Personnummer::synthetic(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(), serial)
}

/// Two home-care units (one ansvar each), a care home, a management ansvar
/// (710) and a premises ansvar (792) allocated by keys, an ansvar without
/// volume (799), and seven brukare.
fn town() -> Env {
    let e = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let org = "kod;namn;nivå;överordnad;giltig_från;giltig_till
K;Testkommun;kommun;;2020-01-01;
VON;Vård- och omsorgsnämnden;nämnd;K;2020-01-01;
710;Ledning;ansvar;VON;2020-01-01;
711;Hemtjänst A;ansvar;VON;2020-01-01;
712;Hemtjänst B;ansvar;VON;2020-01-01;
731;Solgården;ansvar;VON;2020-01-01;
792;Lokaler;ansvar;VON;2020-01-01;
799;Övrigt;ansvar;VON;2020-01-01;
";
    let ins = "kod;namn;lagrum;volymenhet;verksamhet
HT_OMV;Omvårdnad;SoL;timmar;hemtjänst
KORT;Korttid;SoL;dygn;korttid
";
    let utf = "kod;namn;regiform;ansvar;platser
711;Hemtjänst A;egen regi;711;
712;Hemtjänst B;egen regi;712;
731;Solgården;egen regi;731;10
";
    let mut visits = String::from(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\n",
    );
    for i in 0..6u16 {
        let (unit, p) = if i < 3 {
            ("711", pnr("1938-03-01", i + 10))
        } else {
            ("712", pnr("1944-07-01", i + 10))
        };
        // Brukare i gets (i + 1) one-hour visits in March.
        for v in 0..=i {
            let day = 2 + v;
            visits.push_str(&format!(
                "B{i}{v};{p};{unit};HT_OMV;P1;2026-03-{day:02} 08:00;2026-03-{day:02} 09:00;2026-03-{day:02} 08:00;2026-03-{day:02} 09:00;utförd\n"
            ));
        }
    }
    let stays = format!(
        "vistelse_id;personnummer;enhet;plats;inflyttning;utflyttning;typ\nV1;{};731;731-1;2026-03-01;2026-03-11;korttid\n",
        pnr("1930-01-01", 99)
    );
    let ledger = "period;konto;ansvar;verksamhet;belopp
2026-03;5011;711;510;100000
2026-03;5011;712;510;50000,01
2026-03;3510;711;510;-7000
2026-03;5011;731;511;20000
2026-03;5011;710;510;30000
2026-03;6110;792;511;10000
2026-03;5011;799;510;4000
";
    for (kind, name, text) in [
        ("organisation", "org.csv", org),
        ("insatser", "ins.csv", ins),
        ("utforare", "utf.csv", utf),
        ("besok", "besok.csv", visits.as_str()),
        ("vistelser", "vist.csv", stays.as_str()),
        ("huvudbok", "hb.csv", ledger),
    ] {
        let p = e.write(name, text);
        e.ok(&["import", kind, &p]);
    }
    e
}

const KEYS: &str = "pool;ansvar;nyckel;enhet;insats;värde
Ledning;710;andel;711;HT_OMV;60
Ledning;710;andel;712;;40
Lokaler;792;kvm;731;;250
";

#[test]
fn kpb_allocates_every_krona_once_and_shows_it() {
    let e = town();
    let keys = e.write("nycklar.csv", KEYS);
    let out = e.ok(&["kpb-nycklar", &keys]);
    assert!(out.contains("3 rader med fördelningsnycklar"), "{out}");
    let json = e.ok(&["kpb", "--year", "2026", "--till", "2026-03", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // Costs (accounts 4–7) of 710, 711, 712, 731 and 792; the revenue on 3510 is not a cost.
    let ledger = 100_000_00 + 50_000_01 + 20_000_00 + 30_000_00 + 10_000_00;
    assert_eq!(v["huvudbok"], ledger, "{json}");
    assert_eq!(v["fordelat"], ledger);
    assert_eq!(v["ej_med"][0], serde_json::json!(["799", 4_000_00]));
    let cell = |e: &str| {
        v["celler"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["enhet"] == e)
            .unwrap()
            .clone()
    };
    // 711: 100 000 kr direct + 60 % of 30 000 kr over 6 hours = 19 666,67 kr/h.
    let a = cell("711");
    assert_eq!(
        (a["direkt"].as_i64(), a["kostnad"].as_i64(), a["volym"].as_i64()),
        (Some(100_000_00), Some(118_000_00), Some(600))
    );
    assert_eq!(a["styckpris"], 19_666_67);
    assert_eq!(a["indirekt"][0]["pool"], "Ledning");
    // 731: a ten-day short stay (move-out day not counted) carries 20 000 + 10 000 kr.
    let s = cell("731");
    assert_eq!(
        (s["volym"].as_i64(), s["styckpris"].as_i64()),
        (Some(1000), Some(3_000_00))
    );
    // Seven brukare: groups under five are suppressed, the whole is shown.
    let groups = v["grupper"].as_array().unwrap();
    assert!(
        groups
            .iter()
            .all(|g| g["antal"].is_null() || g["antal"].as_u64().unwrap() >= 5),
        "{groups:?}"
    );
    assert!(
        groups
            .iter()
            .any(|g| g["aldersgrupp"] == "alla åldrar" && g["kon"] == "alla" && g["antal"] == 7),
        "{groups:?}"
    );
    assert_eq!(v["topp"][0][0], 1);

    // Outliers by threshold: above 20 000 kr only the costliest brukare of 711 and 712 and the short stay.
    let j = e.ok(&[
        "kpb",
        "--year",
        "2026",
        "--till",
        "2026-03",
        "--format",
        "json",
        "--grans-sol",
        "25000",
    ]);
    let w: serde_json::Value = serde_json::from_str(&j).unwrap();
    let ytter = w["ytterfall"].as_array().unwrap();
    assert!(
        !ytter.is_empty() && ytter.iter().all(|b| b["kostnad"].as_i64().unwrap() > 25_000_00),
        "{ytter:?}"
    );
    assert!(w.get("brukare").is_none(), "no per-brukare list in the JSON");

    // Text shows the reconciliation; csv and xlsx are the same tables.
    let text = e.ok(&["kpb", "--year", "2026", "--till", "2026-03"]);
    assert!(text.contains("Avstämning mot huvudboken"), "{text}");
    assert!(text.contains("Skillnad (ska vara 0)"), "{text}");
    let csv = e.ok(&[
        "kpb", "--year", "2026", "--till", "2026-03", "--format", "csv", "--tabell", "insatser",
    ]);
    assert!(
        csv.trim_start_matches('\u{feff}').starts_with("Insats;Namn;Per;"),
        "{csv}"
    );
    let x = e.path("kpb.xlsx");
    e.ok(&["kpb", "--year", "2026", "--format", "xlsx", "-o", x.to_str().unwrap()]);
    assert!(std::fs::read(&x).unwrap().starts_with(b"PK"));

    // The monthly view: direct costs only, the pools' ansvar not included.
    let m = e.ok(&["kpb", "--manad", "2026-03", "--format", "json"]);
    let m: serde_json::Value = serde_json::from_str(&m).unwrap();
    assert_eq!(m["direkt"], true);
    assert_eq!(m["huvudbok"], 100_000_00 + 50_000_01 + 20_000_00);
    assert_eq!(m["fordelat"], m["huvudbok"]);
}

#[test]
fn a_bad_allocation_key_file_is_refused_with_line_and_key() {
    let e = town();
    let bad = e.write(
        "bad.csv",
        "pool;ansvar;nyckel;enhet;insats;värde
Ledning;710;andel;711;;70
Ledning;710;andel;712;;40
Lokaler;792;kvm;999;;100
Lokaler;792;kvm;731;SABO;100
Admin;798;andel;711;;80
",
    );
    let o = e.run(&["kpb-nycklar", &bad]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        "rad 3, kolumn värde: pool Ledning fördelar 110,00 % – mer än 100 %",
        "rad 4, kolumn enhet: okänd enhet \"999\" (pool Lokaler)",
        "rad 5, kolumn insats: okänd insats \"SABO\" (pool Lokaler)",
        "rad 6–6: pool Admin fördelar bara 80,00 %; 20,00 % av poolen blir ofördelat",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    // Nothing was stored: the KPB runs without pools.
    let j = e.ok(&["kpb", "--year", "2026", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["pooler"].as_array().unwrap().len(), 0);
    // A receiver without volume: its share goes to the pool's other receivers, told in the report.
    let keys = e.write(
        "k.csv",
        "pool;ansvar;nyckel;enhet;insats;värde\nLedning;710;andel;731;HT_OMV;50\nLedning;710;andel;711;;50\n",
    );
    e.ok(&["kpb-nycklar", &keys]);
    let text = e.ok(&["kpb", "--year", "2026"]);
    assert!(
        text.contains("rad 2 i fördelningsnycklarna (pool Ledning): enheten 731 med insatsen HT_OMV har ingen volym"),
        "{text}"
    );
    let j = e.ok(&["kpb", "--year", "2026", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["huvudbok"], v["fordelat"]);
    assert_eq!(v["pooler"][0]["kostnad"], 30_000_00);
}

/// Issue 12: one brukare's cost per unit and service. Brukare 2 (born
/// 1938) has 3 hours at 711 and, with an extra visit, 2 hours at 712.
/// By hand: 711 carries 100 000 kr + 60 % of Ledning's 30 000 kr =
/// 118 000 kr over 6 hours = 19 666,67 kr/h, so 3 hours = 59 000,00 kr.
/// 712 carries 50 000,01 kr + 40 % of 30 000 kr = 62 000,01 kr over
/// 4 + 5 + 6 + 2 = 17 hours = 3 647,06 kr/h; 2 hours = 12 400 002 / 17 öre
/// = 729 411,88 öre, and the largest remainder (15/17 of the cell's four)
/// rounds it up to 7 294,12 kr. In all 66 294,12 kr.
#[test]
fn kpb_brukare_shows_volume_price_and_cost_per_unit_and_service() {
    let e = town();
    let extra = e.write(
        "besok2.csv",
        &format!(
            "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status\n\
             X1;{p};712;HT_OMV;P1;2026-03-20 08:00;2026-03-20 10:00;2026-03-20 08:00;2026-03-20 10:00;utförd\n",
            p = pnr("1938-03-01", 12)
        ),
    );
    e.ok(&["import", "besok", &extra]);
    let keys = e.write("nycklar.csv", KEYS);
    e.ok(&["kpb-nycklar", &keys]);
    fn with<'a>(more: &[&'a str]) -> Vec<&'a str> {
        let mut v = vec!["kpb", "--year", "2026", "--till", "2026-03"];
        v.extend_from_slice(more);
        v
    }
    // Only brukare 2 costs more than 60 000 kr; the outlier list gives the pseudonym.
    let j = e.ok(&with(&["--format", "json", "--grans-sol", "60000"]));
    let w: serde_json::Value = serde_json::from_str(&j).unwrap();
    let ytter = w["ytterfall"].as_array().unwrap();
    assert_eq!(ytter.len(), 1, "{ytter:?}");
    let p = ytter[0]["pseudonym"].as_str().unwrap().to_string();
    let stored_total = ytter[0]["kostnad"].as_i64().unwrap();
    assert_eq!(stored_total, 66_294_12);

    let j = e.ok(&with(&["--brukare", &p, "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["pseudonym"], p.as_str());
    assert_eq!(v["hela"], true);
    let lines = v["linjer"].as_array().unwrap();
    let got: Vec<(String, String, i64, String, i64, i64)> = lines
        .iter()
        .map(|l| {
            (
                l["enhet"].as_str().unwrap().to_string(),
                l["insats"].as_str().unwrap().to_string(),
                l["volym"].as_i64().unwrap(),
                l["volymenhet"].as_str().unwrap().to_string(),
                l["styckpris"].as_i64().unwrap(),
                l["kostnad"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "711".into(),
                "HT_OMV".into(),
                3_00,
                "timmar".into(),
                19_666_67,
                59_000_00
            ),
            ("712".into(), "HT_OMV".into(), 2_00, "timmar".into(), 3_647_06, 7_294_12),
        ]
    );
    assert!(lines[0]["cell"]
        .as_str()
        .unwrap()
        .starts_with("/kpb/cell?ar=2026&till=2026-03&enhet=711&insats=HT_OMV"));
    // The total recomputed from the lines is the brukare's total in the stored run.
    let sum: i64 = lines.iter().map(|l| l["kostnad"].as_i64().unwrap()).sum();
    assert_eq!(sum, stored_total);
    assert_eq!(v["kostnad"], stored_total);
    // Per service: one service, 5 hours, the same total.
    assert_eq!(v["insatser"][0]["volym"], 5_00);
    assert_eq!(v["insatser"][0]["kostnad"], stored_total);

    // Text, csv and xlsx: the same tables.
    let text = e.ok(&with(&["--brukare", &p]));
    assert!(text.contains("insatser per enhet"), "{text}");
    assert!(text.contains("Kostnad för brukaren"), "{text}");
    assert!(
        text.contains("66\u{a0}294,12") && text.contains("7\u{a0}294,12"),
        "{text}"
    );
    let csv = e.ok(&with(&["--brukare", &p, "--format", "csv", "--tabell", "insatser"]));
    assert!(
        csv.trim_start_matches('\u{feff}')
            .starts_with("Insats;Namn;Volym;Volymenhet;Kostnad, kr"),
        "{csv}"
    );
    let x = e.path("b.xlsx");
    e.ok(&with(&["--brukare", &p, "--format", "xlsx", "-o", x.to_str().unwrap()]));
    assert!(std::fs::read(&x).unwrap().starts_with(b"PK"));
    // An unknown pseudonym is told, not guessed.
    let o = e.run(&with(&["--brukare", "finns-inte"]));
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--brukare: ingen brukare med pseudonymen \"finns-inte\" har kostnad i KPB 2026-01–2026-03"),
        "{err}"
    );
}

/// Issue 12: a key file is an import in the log; undoing it puts the keys
/// before it back, audited, and an earlier key file cannot be undone while
/// a later one has replaced it.
#[test]
fn an_allocation_key_import_is_undone_from_the_import_log() {
    let e = town();
    let import_no = |out: &str| -> String {
        let at = out.find("som import ").expect(out) + "som import ".len();
        out[at..].split(' ').next().unwrap().to_string()
    };
    let first = import_no(&e.ok(&["kpb-nycklar", &e.write("nycklar.csv", KEYS)]));
    // The second file gives all of Ledning to 711.
    let second = import_no(&e.ok(&[
        "kpb-nycklar",
        &e.write(
            "nycklar2.csv",
            "pool;ansvar;nyckel;enhet;insats;värde\nLedning;710;andel;711;;100\nLokaler;792;kvm;731;;250\n",
        ),
    ]));
    let list = e.ok(&["import", "list"]);
    assert!(list.contains("nycklar.csv") && list.contains("nycklar2.csv"), "{list}");
    assert!(list.contains("fordelningsnycklar"), "{list}");
    let cost_711 = || {
        let j = e.ok(&["kpb", "--year", "2026", "--till", "2026-03", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        let c = v["celler"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["enhet"] == "711")
            .unwrap()["kostnad"]
            .as_i64()
            .unwrap();
        (c, v["pooler"].as_array().unwrap().len())
    };
    // 100 000 kr direct + all of Ledning's 30 000 kr.
    assert_eq!(cost_711(), (130_000_00, 2));
    // The first key file cannot be undone while the second replaces it.
    let o = e.run(&["import", "undo", &first]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "import {second} använder fördelningsnycklar som ersatte nycklarna från import {first}"
        )) && err.contains("inget har ändrats"),
        "{err}"
    );
    assert_eq!(cost_711(), (130_000_00, 2));
    // Undoing the second puts the first back: 60 % of 30 000 kr to 711.
    e.ok(&["--anvandare", "karin", "import", "undo", &second]);
    assert_eq!(cost_711(), (118_000_00, 2));
    // Undoing the first too: no keys, so no pools.
    e.ok(&["import", "undo", &first]);
    assert_eq!(cost_711(), (100_000_00, 0));
    let list = e.ok(&["import", "list"]);
    assert!(!list.contains("nycklar"), "{list}");
    let conn = rusqlite::Connection::open(e.path("t.db")).unwrap();
    let log: Vec<(String, String, String)> = conn
        .prepare("SELECT vem, handling, objekt FROM handelselogg ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(
        log.iter().any(|l| l.0 == "cli:karin"
            && l.1 == "ångra import"
            && l.2 == format!("import {second}: fordelningsnycklar nycklar2.csv")),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|l| l.1 == "importera fördelningsnycklar" && l.2 == format!("import {first}: nycklar.csv")),
        "{log:?}"
    );
}

/// Issue 12: services without performed time get their volume from the
/// decisions. Trygghetslarm (by the month) at 711 from 16 March: 16 of
/// March's 31 days = 0,52 brukare-months. Boendestöd at 772 with 31 granted
/// hours a month all March and no visits: 31 granted hours carrying 772's
/// 15 500 kr = 500 kr per granted hour. 711 now carries hours and months,
/// so the run stops until a timvikt says what a month weighs; with 2 hours
/// per month the larm weighs 0,52 × 2 = 1,04 hours against 6 visit hours:
/// 100 000 kr × 1,04 ÷ 7,04 = 14 772,73 kr (largest remainder), or
/// 28 409,10 kr per brukare-month.
#[test]
fn services_without_visits_take_months_and_granted_hours_from_decisions() {
    let e = town();
    let org = e.write(
        "org2.csv",
        "kod;namn;nivå;överordnad;giltig_från;giltig_till\n772;Boendestöd;ansvar;VON;2020-01-01;\n",
    );
    e.ok(&["import", "organisation", &org]);
    let ins = e.write(
        "ins2.csv",
        "kod;namn;lagrum;volymenhet;verksamhet
LARM;Trygghetslarm;SoL;månad;hemtjänst
BST;Boendestöd;SoL;timmar;boendestöd
",
    );
    e.ok(&["import", "insatser", &ins]);
    let utf = e.write(
        "utf2.csv",
        "kod;namn;regiform;ansvar;platser
772;Boendestöd;egen regi;772;
",
    );
    e.ok(&["import", "utforare", &utf]);
    let beslut = e.write(
        "beslut.csv",
        &format!(
            "beslut_id;personnummer;insats;beviljad_volym;utförare;beslutsdatum;startdatum;slutdatum;område
L1;{a};LARM;;711;2026-03-10;2026-03-16;;
L2;{b};LARM;;711;2026-03-10;;;
S1;{c};BST;31;772;2026-02-20;2026-03-01;2026-03-31;
",
            a = pnr("1938-03-01", 10),
            b = pnr("1938-03-01", 11),
            c = pnr("1970-05-05", 50)
        ),
    );
    e.ok(&["import", "beslut", &beslut]);
    let hb = e.write(
        "hb2.csv",
        "period;konto;ansvar;verksamhet;belopp\n2026-03;5011;772;520;15500\n",
    );
    e.ok(&["import", "huvudbok", &hb]);
    let keys = e.write("nycklar.csv", KEYS);
    e.ok(&["kpb-nycklar", &keys]);
    let args = ["kpb", "--year", "2026", "--till", "2026-03", "--format", "json"];
    let o = e.run(&args);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ansvar 711: bär insatser med olika volymenheter (månad, timmar (besökstid)); ange i fördelningsnycklarna en timvikt (timmar per volymenhet) för LARM (månad) vid 711"),
        "{err}"
    );
    let keys = e.write("nycklar2.csv", &format!("{KEYS}Larm;*;timvikt;*;LARM;2\n"));
    e.ok(&["kpb-nycklar", &keys]);
    let j = e.ok(&args);
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    let cell = |e: &str, i: &str| {
        v["celler"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["enhet"] == e && c["insats"] == i)
            .unwrap_or_else(|| panic!("{e} {i}: {j}"))
            .clone()
    };
    // The larm: only the carried-out decision counts, from its start day.
    let larm = cell("711", "LARM");
    assert_eq!(
        (
            larm["volym"].as_i64(),
            larm["brukare"].as_i64(),
            larm["volymenhet"].as_str()
        ),
        (Some(52), Some(1), Some("månad"))
    );
    assert_eq!(
        (larm["direkt"].as_i64(), larm["styckpris"].as_i64()),
        (Some(14_772_73), Some(28_409_10))
    );
    assert_eq!(larm["timvikt"][0], serde_json::json!(["711", 200]));
    assert_eq!(cell("711", "HT_OMV")["direkt"], 100_000_00 - 14_772_73);
    let bst = cell("772", "BST");
    assert_eq!(
        (
            bst["volym"].as_i64(),
            bst["volymenhet"].as_str(),
            bst["styckpris"].as_i64()
        ),
        (Some(31_00), Some("beviljade timmar"), Some(500_00))
    );
    // 772 is now included: every krona still allocated once.
    assert_eq!(v["huvudbok"], v["fordelat"]);
    assert!(v["ej_med"].as_array().unwrap().iter().all(|x| x[0] != "772"), "{j}");
    let text = e.ok(&["kpb", "--year", "2026", "--till", "2026-03"]);
    assert!(
        text.contains("beviljad timme") && text.contains("brukarmånad"),
        "{text}"
    );
}

/// A named pipe reports size 0 in the directory: `kpb-nycklar` still stops
/// reading one byte past its 4 MiB limit and refuses the file.
#[cfg(unix)]
#[test]
fn an_endless_named_pipe_is_refused_at_the_size_limit() {
    let e = town();
    let p = e.path("pipe.csv");
    if !Command::new("mkfifo").arg(&p).status().is_ok_and(|s| s.success()) {
        return; // no mkfifo here
    }
    let w = p.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&w) {
            let line = b"Ledning;710;andel;711;;1\n".repeat(1000);
            while f.write_all(&line).is_ok() {}
        }
    });
    let o = e.run(&["kpb-nycklar", p.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("filen är större än 4 MiB; inget har lästs in"), "{err}");
    writer.join().unwrap();
}
