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
    assert!(
        e.starts_with("fel: "),
        "the operator's to act on, not an internal error: {e}"
    );
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

// ------------------------------------------------------- a first visit load

/// `resurs` with a fixed pseudonym key, so that both backends store the
/// same pseudonyms.
fn resurs_keyed(dir: &Path, db: &std::ffi::OsStr, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resurs"))
        .current_dir(dir)
        .env_remove("RESURS_DB")
        .env_remove("RESURS_PSEUDONYM_KEY_FILE")
        .env("RESURS_PSEUDONYM_KEY", "00".repeat(32))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

/// A visit file large enough for several batches, loaded into an empty
/// visit table on PostgreSQL (the first load, which sets indexes aside and
/// rebuilds them): a bad value and a repeated visit near the end refuse
/// the whole file with the same messages as on SQLite and nothing is kept;
/// the good file is then stored with the same rows and ids as on SQLite.
#[test]
fn a_late_bad_row_in_a_first_visit_load_on_postgres_refuses_the_whole_file_and_keeps_nothing() {
    let Some(pg) = TestDb::create("cli-forsta-besok") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = std::ffi::OsString::from(&pg.url);
    let lite = dir.path().join("b.db").into_os_string();
    let files = dir.path().join("filer");
    ok(
        resurs(
            dir.path(),
            &dir.path().join("demo.db").into_os_string(),
            &["demo", "--skala", "2", "--katalog", files.to_str().unwrap()],
        ),
        "demo",
    );
    let good = std::fs::read_to_string(files.join("besok.csv")).unwrap();
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    let n = lines.len();
    assert!(n > 40_000, "more than one batch of 32 768 visits: {n}");
    // Line numbers count the header as line 1.
    let (bad, repeat) = (n - 5, n - 2);
    let mut fields: Vec<String> = lines[bad - 1].split(';').map(String::from).collect();
    let status = fields.len() - 1;
    fields[status] = "kanske".into();
    lines[bad - 1] = fields.join(";");
    let first: Vec<&str> = lines[1].split(';').collect();
    let mut copy: Vec<String> = lines[repeat - 1].split(';').map(String::from).collect();
    copy[0] = first[0].into();
    copy[2] = first[2].into();
    let repeated_id = copy[0].clone();
    lines[repeat - 1] = copy.join(";");
    let bad_file = dir.path().join("besok-fel.csv");
    std::fs::write(&bad_file, lines.join("\n") + "\n").unwrap();

    let mut refusals = Vec::new();
    for db in [&lite, &url] {
        for kind in ["organisation", "insatser", "utforare"] {
            let f = files.join(format!("{kind}.csv"));
            ok(
                resurs_keyed(dir.path(), db, &["import", kind, f.to_str().unwrap()]),
                kind,
            );
        }
        let out = resurs_keyed(dir.path(), db, &["import", "besok", bad_file.to_str().unwrap()]);
        assert!(!out.status.success(), "the bad file is refused");
        let e = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            e.contains(&format!("rad {bad}, kolumn \"status\": värdet \"kanske\"")),
            "{e}"
        );
        assert!(
            e.contains(&format!("rad {repeat}, kolumn \"besok_id\": värdet \"{repeated_id}\"")),
            "{e}"
        );
        let info: serde_json::Value =
            serde_json::from_str(&ok(resurs_keyed(dir.path(), db, &["info", "--format", "json"]), "info")).unwrap();
        let besok = info["innehall"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["typ"] == "besok")
            .unwrap();
        assert_eq!(besok["antal"], 0, "nothing kept: {info}");
        refusals.push(e);
        let f = files.join("besok.csv");
        ok(
            resurs_keyed(dir.path(), db, &["import", "besok", f.to_str().unwrap()]),
            "besok",
        );
    }
    assert_eq!(refusals[0], refusals[1], "the same refusal on both backends");
    assert_eq!(checksum(dir.path(), &lite), checksum(dir.path(), &url));
}

// ------------------------------------------------------------ two servers

const ORG: &str = "kod;namn;nivå;överordnad;giltig_från;giltig_till
K;Testkommun;kommun;;2020-01-01;
VON;Vård- och omsorgsnämnden;nämnd;K;2020-01-01;
71;Hemtjänst;avdelning;VON;2020-01-01;
711;Hemtjänst Centrum;ansvar;71;2020-01-01;
712;Hemtjänst Norr;ansvar;71;2020-01-01;
";
const LEDGER: &str = "period;konto;ansvar;verksamhet;belopp
2026-01;5011;711;510;120000
2026-02;5011;711;510;120000
2026-02;5011;712;510;80000
";
const PW: &str = "ett-långt-lösenord";

/// `resurs serve` as a child process; killed on drop.
struct Served(std::process::Child, String);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `resurs --db URL serve` on a free loopback port.
fn serve(dir: &Path, url: &str) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_resurs"))
        .current_dir(dir)
        .env_remove("RESURS_DB")
        .env_remove("RESURS_PSEUDONYM_KEY")
        .env("RESURS_LOG", "warn")
        .args(["--db", url, "serve", "--addr", &addr])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let served = Served(child, addr.clone());
    for _ in 0..200 {
        if std::net::TcpStream::connect(&addr).is_ok() && http(&addr, "GET", "/api/halsa", &[], "").0 == 200 {
            return served;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("resurs serve did not answer on {addr}");
}

/// (status, head, body)
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
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
    let _ = s.read_to_string(&mut out);
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    (status, head.to_string(), body.to_string())
}

fn login(addr: &str, namn: &str, pw: &str) -> (u16, String, String) {
    http(
        addr,
        "POST",
        "/api/logga-in",
        &[("Content-Type", "application/json")],
        &format!(r#"{{"namn":"{namn}","losenord":"{pw}"}}"#),
    )
}

/// Signs in: (cookie, CSRF token).
fn sign_in(addr: &str, namn: &str) -> (String, String) {
    let (status, head, body) = login(addr, namn, PW);
    assert_eq!(status, 200, "{namn} on {addr}: {body}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    (cookie, v["csrf"].as_str().unwrap().to_string())
}

/// Saves a forecast through the API: the status and answer.
fn forecast(addr: &str, who: &(String, String), nod: &str, kr: i64) -> (u16, String) {
    let (status, _, body) = http(
        addr,
        "POST",
        "/api/prognos",
        &[
            ("Content-Type", "application/json"),
            ("Cookie", &who.0),
            ("X-CSRF-Token", &who.1),
        ],
        &format!(r#"{{"version":"Prognos 1","period":"2026-02","nod":"{nod}","belopp":"{kr}","kommentar":"k{kr}"}}"#),
    );
    (status, body)
}

/// Issue 15: several `resurs serve` processes on one PostgreSQL database
/// serve the same users. Two real servers; sessions, sign-in throttling
/// and writes interleave across them, and each sees the other's changes.
#[test]
fn two_servers_on_one_postgres_database_share_sessions_throttling_and_writes() {
    let Some(pg) = TestDb::create("cli-tva-servrar") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = std::ffi::OsString::from(&pg.url);
    for (kind, name, text) in [("organisation", "org.csv", ORG), ("huvudbok", "hb.csv", LEDGER)] {
        std::fs::write(dir.path().join(name), text).unwrap();
        ok(resurs(dir.path(), &url, &["import", kind, name]), name);
    }
    for (namn, roll) in [("admin", "admin"), ("eva", "ekonom"), ("anna", "ekonom")] {
        let out = Command::new(env!("CARGO_BIN_EXE_resurs"))
            .current_dir(dir.path())
            .env_remove("RESURS_DB")
            .env("RESURS_LOSENORD", PW)
            .arg("--db")
            .arg(&url)
            .args(["--anvandare", "test", "user", "add", namn, "--roll", roll])
            .output()
            .unwrap();
        ok(out, "user add");
    }
    let servers = [serve(dir.path(), &pg.url), serve(dir.path(), &pg.url)];
    let (a, b) = (servers[0].1.clone(), servers[1].1.clone());

    // A session started on one server works on the other.
    let eva = sign_in(&a, "eva");
    let (status, _, body) = http(&b, "GET", "/api/mig", &[("Cookie", &eva.0)], "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"eva\""), "{body}");

    // At once on both servers: forecasts saved by eva, eva signing in
    // again, and 20 wrong guesses for anna's password.
    const SAVES: i64 = 6;
    const GUESSES: usize = 20;
    let start = std::sync::Arc::new(std::sync::Barrier::new(2 + 2 + GUESSES));
    let mut writers = Vec::new();
    for (srv, nod) in [(a.clone(), "711"), (b.clone(), "712")] {
        let (start, eva) = (start.clone(), eva.clone());
        writers.push(std::thread::spawn(move || {
            start.wait();
            (1..=SAVES)
                .map(|i| forecast(&srv, &eva, nod, i * 1000))
                .collect::<Vec<_>>()
        }));
    }
    let mut signers = Vec::new();
    for srv in [a.clone(), b.clone()] {
        let start = start.clone();
        signers.push(std::thread::spawn(move || {
            start.wait();
            (0..3).map(|_| login(&srv, "eva", PW).0).collect::<Vec<_>>()
        }));
    }
    let mut guessers = Vec::new();
    for i in 0..GUESSES {
        let srv = if i % 2 == 0 { a.clone() } else { b.clone() };
        let start = start.clone();
        guessers.push(std::thread::spawn(move || {
            start.wait();
            login(&srv, "anna", &format!("gissning-{i}"))
        }));
    }
    for w in writers {
        for (status, body) in w.join().unwrap() {
            assert_eq!(status, 200, "every save lands, none is refused as busy: {body}");
        }
    }
    for s in signers {
        assert_eq!(s.join().unwrap(), [200, 200, 200], "eva signs in on both servers");
    }
    let answers: Vec<(u16, String, String)> = guessers.into_iter().map(|g| g.join().unwrap()).collect();
    let wrong = answers.iter().filter(|a| a.0 == 401).count() as i64;
    let refused = answers.iter().filter(|a| a.0 == 429).count() as i64;
    assert_eq!(wrong + refused, GUESSES as i64, "{answers:?}");
    eprintln!("{GUESSES} guesses over two servers: {wrong} checked (401), {refused} refused (429)");
    assert!(
        (1..=5).contains(&wrong),
        "at most five guesses checked for one name and address: {wrong}"
    );

    // The throttle counted every checked guess once, over both servers
    // (the reservations did not overwrite each other), and eva's own
    // sign-ins took their attempts back from the address's count.
    let mut store = resurs_store::Store::open_url(&pg.url).unwrap();
    let tx = store.begin().unwrap();
    let keys = resurs_web::auth::Keys::new("anna", "127.0.0.1");
    for (key, _) in &keys.0 {
        let row = tx.throttle_row(key).unwrap().unwrap_or_else(|| panic!("{key}"));
        assert_eq!(row.antal, wrong, "{key}: {row:?}");
    }
    let eva_keys = resurs_web::auth::Keys::new("eva", "127.0.0.1");
    assert!(
        tx.throttle_row(&eva_keys.0[0].0).unwrap().is_none(),
        "success clears the name keys"
    );
    drop(tx);
    for srv in [&a, &b] {
        let (status, _, body) = login(srv, "anna", PW);
        assert_eq!(
            status, 429,
            "anna is locked out from this address on both servers: {body}"
        );
    }

    // Both servers' saves are there, each audited once, and each server
    // lists the other's.
    let saved = store
        .audit_log(1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.handling == "prognos" && e.vem == "eva")
        .count() as i64;
    assert_eq!(saved, 2 * SAVES);
    for srv in [&a, &b] {
        let (status, _, body) = http(srv, "GET", "/api/prognoser?ar=2026", &[("Cookie", &eva.0)], "");
        assert_eq!(status, 200, "{body}");
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        let mut got: Vec<(String, i64)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["nod"].as_str().unwrap().to_string(), f["belopp"].as_i64().unwrap()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("711".to_string(), SAVES * 100_000),
                ("712".to_string(), SAVES * 100_000)
            ],
            "{srv}"
        );
    }

    // A cached report on one server is dropped when the other one writes.
    let report = |srv: &str| {
        let (status, _, body) = http(
            srv,
            "GET",
            "/api/uppfoljning?period=2026-02&prognos=Prognos%201",
            &[("Cookie", &eva.0)],
            "",
        );
        assert_eq!(status, 200, "{body}");
        body
    };
    let before = report(&b);
    assert_eq!(report(&b), before, "the same report twice");
    assert_eq!(forecast(&a, &eva, "711", 4711).0, 200);
    let after = report(&b);
    assert!(after.contains("471100"), "server b sees a's forecast: {after}");
    assert_ne!(after, before);

    // Signing out on one server ends the session on both.
    let (status, _, _) = http(
        &b,
        "POST",
        "/logga-ut",
        &[("Cookie", &eva.0), ("X-CSRF-Token", &eva.1)],
        "",
    );
    assert_eq!(status, 303);
    let (status, _, _) = http(&a, "GET", "/api/mig", &[("Cookie", &eva.0)], "");
    assert_eq!(status, 401);
}
