//! `resurs kolada`, `resurs jamfor` and `resurs kostnadsniva` run as the
//! real binary (issue 13 items 1–3). No test uses the network.

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
        self.run_env(args, &[])
    }
    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_resurs"));
        c.current_dir(self.dir.path())
            .env_remove("RESURS_DB")
            .env_remove("RESURS_KOLADA_URL")
            .arg("--db")
            .arg(self.path("t.db"))
            .args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
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
    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.path(name), text).unwrap();
        self.path(name).display().to_string()
    }
    /// A database with 1 000 inhabitants (100 aged 65+, 30 aged 80+) and a
    /// 2025 ledger: IFO 1 130 000 kr, elder care 2 000 000 kr.
    fn with_ledger(&self) {
        let mut pop = String::from("år;ålder;kön;antal;typ\n");
        for (age, n) in [(30, 450), (50, 450), (70, 70), (85, 30)] {
            pop.push_str(&format!(
                "2025;{age};K;{};utfall\n2025;{age};M;{};utfall\n",
                n / 2,
                n - n / 2
            ));
        }
        let p = self.write("befolkning.csv", &pop);
        self.ok(&["import", "befolkning", &p]);
        let org = self.write(
            "org.csv",
            "kod;namn;nivå;överordnad;giltig_från;giltig_till\nK;Kommunen;kommun;;2020-01-01;\nN;Nämnden;nämnd;K;2020-01-01;\n11;Enhet;ansvar;N;2020-01-01;\n",
        );
        self.ok(&["import", "organisation", &org]);
        let hb = self.write(
            "hb.csv",
            "period;konto;ansvar;verksamhet;belopp;text\n2025-03;4610;11;600;1 200 000;\n2025-06;3510;11;600;-70 000;\n2025-06;5011;11;510;2 000 000;\n2025-07;5011;11;550;999 000;\n",
        );
        self.ok(&["import", "huvudbok", &hb]);
    }
}

const VALUES: &str = r#"{"count":4,"values":[
 {"kpi":"U21463","municipality":"9999","period":2024,"values":[{"gender":"T","count":1,"status":"","value":80.5},{"gender":"K","count":1,"status":"","value":82.0},{"gender":"M","count":1,"status":"","value":79.0}]},
 {"kpi":"U21463","municipality":"9999","period":2025,"values":[{"gender":"T","count":1,"status":"","value":84.0}]},
 {"kpi":"U21463","municipality":"0000","period":2025,"values":[{"gender":"T","count":1,"status":"","value":81.0}]},
 {"kpi":"U21463","municipality":"9901","period":2025,"values":[{"gender":"T","count":1,"status":"","value":90.0}]}
],"next_page":"https://api.kolada.se/v2/data/kpi/U21463?page=2"}"#;

const PAGE2: &str = r#"{"count":3,"values":[
 {"kpi":"U21463","municipality":"9902","period":2025,"values":[{"gender":"T","count":1,"status":"","value":70.0}]},
 {"kpi":"U21463","municipality":"9903","period":2025,"values":[{"gender":"T","count":1,"status":"","value":60.0}]},
 {"kpi":"U21463","municipality":"9904","period":2025,"values":[{"gender":"T","count":1,"status":null,"value":null}]}
],"next_url":null}"#;

#[test]
fn kolada_pages_are_imported_compared_and_a_reimport_keeps_the_old_value_in_the_log() {
    let e = Env::new();
    e.with_ledger();
    let f1 = e.write("sida1.json", VALUES);
    let f2 = e.write("sida2.json", PAGE2);
    let out = e.run(&["kolada", "import", &f1, &f2]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("9 värden (9 nya, 0 ersatta"), "{err}");
    e.ok(&["kolada", "egen", "9999"]);
    e.ok(&[
        "kolada",
        "grupp",
        "--namn",
        "Grannar",
        "--kommuner",
        "9901,9902,9903,9904",
    ]);
    let json = e.ok(&["jamfor", "--kpi", "U21463", "--grupp", "Grannar", "--format", "json"]);
    let c: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(c["ar"], serde_json::json!([2024, 2025]));
    // 2025: 90, 84 (own), 70, 60; 9904 has no value.
    // 2024: the own is alone with a value; 2025 is the last year.
    let p = &c["placering"][1];
    assert_eq!(
        (
            p["ar"].as_i64(),
            p["rang"].as_i64(),
            p["antal"].as_i64(),
            p["kvartil"].as_i64()
        ),
        (Some(2025), Some(2), Some(4), Some(2)),
        "{p}"
    );
    assert_eq!(p["egen"], 8400);
    assert_eq!(p["median"], 7000, "median of 90, 70, 60");
    let table = e.ok(&["jamfor", "--kpi", "U21463", "--grupp", "Grannar", "--xlsx", "j.xlsx"]);
    assert!(table.contains("84,0") && table.contains("Riket"), "{table}");
    let x = std::fs::read(e.path("j.xlsx")).unwrap();
    assert_eq!(&x[..2], b"PK", "an xlsx workbook");
    // Re-import with a new 2025 value: replaced, the old one in the audit log.
    let changed = VALUES.replace("\"value\":84.0", "\"value\":85.5");
    let f3 = e.write("ny.json", &changed);
    let out = e.run(&["kolada", "import", &f3]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 ersatta"), "{err}");
    let db = rusqlite::Connection::open(e.path("t.db")).unwrap();
    let (fore, efter): (String, String) = db
        .query_row(
            "SELECT fore, efter FROM handelselogg WHERE handling = 'kolada värde' AND objekt = 'U21463 9999 2025 T'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((fore.as_str(), efter.as_str()), ("84,00", "85,50"));
    let v: i64 = db
        .query_row(
            "SELECT varde FROM kolada_varde WHERE kpi = 'U21463' AND kommun = '9999' AND ar = 2025 AND kon = 'T'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, 855_000);
}

#[test]
fn a_bad_kolada_file_is_refused_with_json_paths_and_nothing_is_stored() {
    let e = Env::new();
    e.with_ledger();
    let good = e.write("ok.json", VALUES);
    let bad = e.write(
        "fel.json",
        r#"{"values":[{"kpi":"U21463","municipality":"99","period":2025,"values":[{"gender":"X","value":"12,5"}]},
                       {"kpi":"U21463","municipality":"9999","period":3025,"values":[]}]}"#,
    );
    let out = e.run(&["kolada", "import", &good, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "inget sparades (4 fel)",
        "$.values[0].municipality: värdet \"99\", förväntade en kommunkod med fyra siffror",
        "$.values[0].values[0].gender: värdet \"X\", förväntade K, M eller T",
        "$.values[0].values[0].value: värdet \"12,5\", förväntade ett tal",
        "$.values[1].period: värdet 3025, förväntade ett år mellan 1900 och 2100",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    let shape = e.write("form.json", r#"[{"rows":[]}]"#);
    let err = String::from_utf8_lossy(&e.run(&["kolada", "import", &shape]).stderr).into_owned();
    assert!(err.contains("$[0].values: okänd form"), "{err}");
    let db = rusqlite::Connection::open(e.path("t.db")).unwrap();
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM kolada_varde", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "nothing stored, not even the good file");
}

#[test]
fn cost_level_three_steps_and_nka_from_the_ledger_and_population() {
    let e = Env::new();
    e.with_ledger();
    e.ok(&["kolada", "egen", "9999"]);
    let r = e.write(
        "ref.csv",
        "år;område;kommun;nettokostnad_kr_per_invanare;referenskostnad_kr_per_invanare\n\
         2025;ifo;9999;1 150;780\n2025;ifo;0000;1 000;1 000\n2025;aldreomsorg;9999;2 050;1 900\n2025;aldreomsorg;0000;2 200;\n",
    );
    e.ok(&["kolada", "referens", &r]);
    let json = e.ok(&["kostnadsniva", "--ar", "2025", "--format", "json"]);
    let c: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(c["invanare"], 1000);
    assert_eq!(
        (c["invanare_65"].as_i64(), c["invanare_80"].as_i64()),
        (Some(100), Some(30))
    );
    let area = |k: &str| {
        c["omraden"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["omrade"] == k)
            .unwrap()
            .clone()
    };
    let ifo = area("ifo");
    // Net 1 130 000 kr over 1 000 inhabitants = 1 130 kr/inv; the country 1 000; reference 780.
    assert_eq!(ifo["nettokostnad"], 113_000_000);
    assert_eq!(ifo["per_invanare"], 113_000);
    assert_eq!(ifo["steg"]["steg1"], 11_300);
    assert_eq!(ifo["steg"]["steg2"], 7_800);
    assert_eq!(ifo["steg"]["steg3"], 4_487, "44,87 % = (113 ÷ 78 − 1) × 100");
    // NKA: 1 130 000 − 780 000 = 350 000 kr = 0,35 mnkr; 44,87 %.
    assert_eq!(ifo["nka"]["mnkr_hundradelar"], 35);
    assert_eq!(ifo["nka"]["procent"], 4_487);
    assert_eq!(ifo["steg_publicerad"]["steg1"], 11_500);
    let elder = area("aldreomsorg");
    assert_eq!(
        elder["per_invanare_65"], 2_000_000,
        "2 000 000 kr over 100 inhabitants 65+ = 20 000 kr"
    );
    assert_eq!(elder["per_invanare_80"], 6_666_667);
    // 2 000 kr/inv against the country's 2 200 and the reference 1 900.
    assert_eq!(elder["steg"]["steg1"], 9_091);
    assert_eq!(elder["steg"]["steg2"], 8_636);
    assert_eq!(elder["steg"]["steg3"], 526, "2 000 ÷ 1 900 − 1 = 5,26 %");
    assert!(area("lss")["steg"].is_null(), "no published figures for LSS");
    let table = e.ok(&["kostnadsniva", "--ar", "2025", "--xlsx", "k.xlsx"]);
    assert!(table.contains("44,9 %"), "{table}");
    assert!(table.contains("113,0") && table.contains("78,0"), "{table}");
    assert!(e.path("k.xlsx").exists());
    // A bad reference file names row, column and value.
    let bad = e.write(
        "ref2.csv",
        "år;område;kommun;nettokostnad_kr_per_invanare;referenskostnad_kr_per_invanare\n2025;skola;9999;x;\n",
    );
    let err = String::from_utf8_lossy(&e.run(&["kolada", "referens", &bad]).stderr).into_owned();
    assert!(err.contains("rad 2, kolumn område: värdet \"skola\""), "{err}");
    assert!(
        err.contains("rad 2, kolumn nettokostnad_kr_per_invanare: värdet \"x\""),
        "{err}"
    );
}

#[test]
fn kolada_hamta_builds_the_address_and_explains_a_refused_connection() {
    let e = Env::new();
    e.with_ledger();
    let url = e.ok(&[
        "kolada",
        "hamta",
        "--kpi",
        "N00671,U21463",
        "--kommun",
        "9999,0000",
        "--ar",
        "2024,2025",
        "--visa-adress",
    ]);
    assert_eq!(
        url.trim(),
        "https://api.kolada.se/v2/data/kpi/N00671,U21463/municipality/9999,0000/year/2024,2025"
    );
    let v3 = e.ok(&[
        "kolada",
        "hamta",
        "--kpi",
        "N00671",
        "--kommun",
        "9999",
        "--ar",
        "2025",
        "--api",
        "3",
        "--visa-adress",
    ]);
    assert!(v3.starts_with("https://api.kolada.se/v3/data/kpi/N00671/"), "{v3}");
    let out = e.run(&[
        "kolada", "hamta", "--kpi", "N0/../x", "--kommun", "9999", "--ar", "2025",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--kpi: värdet \"N0/../x\""));
    // A mirror on a closed loopback port: a refused connection, told in Swedish.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let base = format!("http://127.0.0.1:{port}");
    let out = e.run_env(
        &["kolada", "hamta", "--kpi", "N00671", "--kommun", "9999", "--ar", "2025"],
        &[("RESURS_KOLADA_URL", &base)],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "Kunde inte hämta {base}/v2/data/kpi/N00671/municipality/9999/year/2025"
        )),
        "{err}"
    );
    assert!(err.contains("resurs kolada import FIL"), "{err}");
}

/// Kolada's municipality groups as `/v2/municipality_groups` answers:
/// `{count, values: [{id, title, members: [{id, title}]}]}`.
const GROUPS_V2: &str = r#"{"count":2,"values":[
 {"id":"G77001","title":"Liknande kommuner, testkommunen","members":[{"id":"9901","title":"Ekeberga"},{"id":"9902","title":"Granvika"},{"id":"9999","title":"Testkommunen"}]},
 {"id":"G77002","title":"Små grannar","members":[{"id":"9904","title":"Lindåsa"}]}
]}"#;

#[test]
fn municipality_groups_are_imported_listed_and_saved_as_a_peer_group() {
    let e = Env::new();
    e.with_ledger();
    let f1 = e.write("sida1.json", VALUES);
    let f2 = e.write("sida2.json", PAGE2);
    let g = e.write("grupper.json", GROUPS_V2);
    let out = e.run(&["kolada", "import", &f1, &f2, &g]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Kommungrupper: 2."), "{err}");
    let list = e.ok(&["kolada", "list"]);
    assert!(
        list.contains("Kommungrupp G77001 Liknande kommuner, testkommunen (3 kommuner): 9901 Ekeberga, 9902 Granvika, 9999 Testkommunen"),
        "{list}"
    );
    let json: serde_json::Value = serde_json::from_str(&e.ok(&["kolada", "list", "--format", "json"])).unwrap();
    assert_eq!(json["kommungrupper"][1]["id"], "G77002");
    assert_eq!(json["kommungrupper"][1]["medlemmar"][0]["kod"], "9904");
    e.ok(&["kolada", "egen", "9999"]);
    e.ok(&["kolada", "grupp", "--namn", "Liknande", "--kolada-grupp", "G77001"]);
    let list = e.ok(&["kolada", "list"]);
    assert!(list.contains("Grupp Liknande: kolada G77001"), "{list}");
    // 2025: 9901 90, own 84, 9902 70: rank 2 of 3; the own is not counted twice.
    let c: serde_json::Value =
        serde_json::from_str(&e.ok(&["jamfor", "--kpi", "U21463", "--grupp", "Liknande", "--format", "json"])).unwrap();
    let p = &c["placering"][1];
    assert_eq!(
        (p["ar"].as_i64(), p["rang"].as_i64(), p["antal"].as_i64()),
        (Some(2025), Some(2), Some(3)),
        "{p}"
    );
    assert_eq!(p["median"], 8000, "median of 90 and 70");
    // An unknown group is refused with the imported ones listed.
    let out = e.run(&["kolada", "grupp", "--namn", "X", "--kolada-grupp", "G1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--kolada-grupp: värdet \"G1\", förväntade en importerad kommungrupp: G77001 (Liknande kommuner, testkommunen), G77002 (Små grannar)"),
        "{err}"
    );
    // A re-import (v3 shape, paged with next_url) changes the members: the
    // peer group follows, the audit log keeps the old members.
    let v3 = e.write(
        "grupper3.json",
        r#"{"count":1,"values":[{"id":"G77001","title":"Liknande kommuner, testkommunen","members":[{"id":"9901","title":"Ekeberga"},{"id":"9903","title":"Hagaby"}]}],"next_url":null}"#,
    );
    e.ok(&["kolada", "import", &v3]);
    let db = rusqlite::Connection::open(e.path("t.db")).unwrap();
    let (fore, efter): (String, String) = db
        .query_row(
            "SELECT fore, efter FROM handelselogg WHERE handling = 'kolada kommungrupp' AND objekt = 'G77001'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(fore, "Liknande kommuner, testkommunen: 9901,9902,9999");
    assert_eq!(efter, "Liknande kommuner, testkommunen: 9901,9903");
    let c: serde_json::Value =
        serde_json::from_str(&e.ok(&["jamfor", "--kpi", "U21463", "--grupp", "Liknande", "--format", "json"])).unwrap();
    // 2025: 9901 90, own 84, 9903 60.
    assert_eq!(c["placering"][1]["median"], 7500, "median of 90 and 60");
}

#[test]
fn a_bad_municipality_group_is_refused_with_its_json_path() {
    let e = Env::new();
    e.with_ledger();
    let bad = e.write(
        "grupper.json",
        r#"{"values":[{"id":"G1","title":"A","members":[{"id":"9901"},{"id":"12","title":"B"},7]},
                      {"id":"G/2","title":"B","members":"9901"}]}"#,
    );
    let out = e.run(&["kolada", "import", &bad]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "inget sparades (4 fel)",
        "$.values[0].members[1].id: värdet \"12\", förväntade en kommunkod med fyra siffror",
        "$.values[0].members[2]: värdet 7, förväntade {\"id\", \"title\"}",
        "$.values[1].id: värdet \"G/2\", förväntade ett grupp-id som G37411",
        "$.values[1].members: värdet \"9901\", förväntade en lista [{\"id\", \"title\"}]",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    let db = rusqlite::Connection::open(e.path("t.db")).unwrap();
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM kolada_kommungrupp", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn kolada_hamta_grupper_fetches_the_municipality_groups() {
    let e = Env::new();
    e.with_ledger();
    let url = e.ok(&["kolada", "hamta", "--grupper", "--api", "3", "--visa-adress"]);
    assert_eq!(url.trim(), "https://api.kolada.se/v3/municipality_groups");
    let out = e.run(&["kolada", "hamta", "--grupper", "--kpi", "N00671"]);
    assert_eq!(out.status.code(), Some(2), "--grupper and --kpi together");
    // A mirror on loopback (never the network) answers one page.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut s, _) = listener.accept().unwrap();
        let mut req = Vec::new();
        let mut buf = [0u8; 1024];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            req.extend_from_slice(&buf[..n]);
        }
        let body = GROUPS_V2.as_bytes();
        write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        s.write_all(body).unwrap();
        String::from_utf8_lossy(&req).into_owned()
    });
    let base = format!("http://127.0.0.1:{port}");
    let out = e.run_env(&["kolada", "hamta", "--grupper"], &[("RESURS_KOLADA_URL", &base)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Kommungrupper: 2."), "{err}");
    let req = server.join().unwrap();
    assert!(req.starts_with("GET /v2/municipality_groups HTTP/1.1"), "{req}");
    assert!(e.ok(&["kolada", "list"]).contains("Kommungrupp G77002 Små grannar"));
}

/// A Kolada import is in the import log and is undone like any import:
/// the value it replaced comes back, the values it added go, and an older
/// import cannot be undone while a later one changed the same value.
#[test]
fn a_kolada_import_is_undone_from_the_import_log() {
    let e = Env::new();
    e.with_ledger();
    // `kolada import FIL` and the number it says the import got.
    let import = |name: &str, text: &str| -> String {
        let f = e.write(name, text);
        let out = e.run(&["kolada", "import", &f]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{err}");
        err.split("Import ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap_or_else(|| panic!("the import's number: {err}"))
            .to_string()
    };
    let first = import("sida1.json", VALUES);
    // The second import changes 84,0 → 85,5 and adds a municipality's value.
    let changed = VALUES.replace("\"value\":84.0", "\"value\":85.5");
    let second = import("ny.json", &changed);
    let third = import("sida2.json", PAGE2);
    let list = e.ok(&["import", "list"]);
    assert!(list.contains("kolada") && list.contains("sida2.json"), "{list}");
    let value = |kommun: &str| -> Option<i64> {
        rusqlite::Connection::open(e.path("t.db"))
            .unwrap()
            .query_row(
                "SELECT varde FROM kolada_varde WHERE kpi = 'U21463' AND kommun = ?1 AND ar = 2025 AND kon = 'T'",
                [kommun],
                |r| r.get(0),
            )
            .ok()
    };
    assert_eq!(value("9999"), Some(855_000));
    assert_eq!(value("9902"), Some(700_000));
    // The first import cannot be undone while the second changed its value.
    let out = e.run(&["import", "undo", &first]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("värden som den ändrade efter"), "{err}");
    assert_eq!(value("9999"), Some(855_000), "nothing changed");
    // Undo the third (added values go), then the second (84,0 comes back).
    e.ok(&["import", "undo", &third]);
    assert_eq!(value("9902"), None);
    e.ok(&["import", "undo", &second]);
    assert_eq!(value("9999"), Some(840_000));
    // Now the first can go too: nothing of it is left.
    e.ok(&["import", "undo", &first]);
    assert_eq!(value("9999"), None);
    assert!(!e.ok(&["import", "list"]).contains("kolada"));
    let audit: i64 = rusqlite::Connection::open(e.path("t.db"))
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM handelselogg WHERE handling = 'ångra import' AND objekt LIKE '%kolada%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audit, 3);
    // A municipality group: a later import drops a member; undoing it
    // brings the member and the title back, and undoing the first removes
    // the group.
    let n1 = import("grupper.json", GROUPS_V2);
    let smaller = GROUPS_V2
        .replace(",{\"id\":\"9902\",\"title\":\"Granvika\"}", "")
        .replace("Liknande kommuner, testkommunen", "Liknande (ny)");
    assert_ne!(smaller, GROUPS_V2);
    let n2 = import("grupper2.json", &smaller);
    assert!(e
        .ok(&["kolada", "list"])
        .contains("Kommungrupp G77001 Liknande (ny) (2 kommuner)"));
    e.ok(&["import", "undo", &n2]);
    let list = e.ok(&["kolada", "list"]);
    assert!(
        list.contains("Kommungrupp G77001 Liknande kommuner, testkommunen (3 kommuner): 9901 Ekeberga, 9902 Granvika, 9999 Testkommunen"),
        "{list}"
    );
    e.ok(&["import", "undo", &n1]);
    assert!(!e.ok(&["kolada", "list"]).contains("G77001"));
}
