//! HTTP tests of the web application without a browser, against a server on
//! a free loopback port with a small organisation: access scopes from the
//! organisation tree, and internal errors that show an incident number and
//! never database text.

use resurs_app::import::{import_file, Kind, Outcome};
use resurs_app::users::{add_user, Roll};
use resurs_app::Actor;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;

const ORG: &str = "kod;namn;nivå;överordnad;giltig_från;giltig_till
K;Testkommun;kommun;;2020-01-01;
VON;Vård- och omsorgsnämnden;nämnd;K;2020-01-01;
71;Hemtjänst;avdelning;VON;2020-01-01;
711;Hemtjänst Centrum;ansvar;71;2020-01-01;
712;Hemtjänst Norr (ny, utan huvudboksrader);ansvar;71;2026-01-01;
72;Särskilt boende;avdelning;VON;2020-01-01;
721;Solgården;ansvar;72;2020-01-01;
";
const LEDGER: &str = "period;konto;ansvar;verksamhet;belopp
2026-01;5011;711;510;120000
2026-02;5011;711;510;120000
2026-02;5011;721;520;300000
";

struct Server {
    addr: SocketAddr,
    db: PathBuf,
    _dir: tempfile::TempDir,
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut store = resurs_store::Store::open(&db).unwrap();
    let actor = Actor::new("test");
    for (kind, name, text) in [(Kind::Organisation, "org.csv", ORG), (Kind::Huvudbok, "hb.csv", LEDGER)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let o = import_file(&mut store, kind, &path, resurs_app::import::Options::now(actor.clone())).unwrap();
        assert!(matches!(o, Outcome::Imported { .. }), "{o:?}");
    }
    for (namn, roll, nod) in [("ekonom", Roll::Ekonom, None), ("chef", Roll::Enhetschef, Some("71"))] {
        add_user(&mut store, &actor, namn, roll, nod, "ett-långt-lösenord").unwrap();
    }
    drop(store);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let served = db.clone();
    std::thread::spawn(move || resurs_web::serve_listener(listener, served));
    for _ in 0..200 {
        if TcpStream::connect(addr).is_ok() && http(addr, "GET", "/api/halsa", &[], "").0 == 200 {
            return Server { addr, db, _dir: dir };
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the server did not start");
}

/// (status, head, body)
fn http(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
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

/// Signs in through the API: (cookie header value, CSRF token).
fn sign_in(addr: SocketAddr, namn: &str) -> (String, String) {
    let (status, head, body) = http(
        addr,
        "POST",
        "/api/logga-in",
        &[("Content-Type", "application/json")],
        &format!(r#"{{"namn":"{namn}","losenord":"ett-långt-lösenord"}}"#),
    );
    assert_eq!(status, 200, "{body}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    (cookie, v["csrf"].as_str().unwrap().to_string())
}

fn forecast(addr: SocketAddr, who: &(String, String), nod: &str) -> (u16, String) {
    let body = format!(
        r#"{{"version":"Prognos 1","period":"2026-02","nod":"{nod}","belopp":"500 000","kommentar":"Ny enhet"}}"#
    );
    let (status, _, body) = http(
        addr,
        "POST",
        "/api/prognos",
        &[
            ("Content-Type", "application/json"),
            ("Cookie", &who.0),
            ("X-CSRF-Token", &who.1),
        ],
        &body,
    );
    (status, body)
}

#[test]
fn a_unit_without_ledger_lines_is_still_its_managers() {
    let srv = start();
    let chef = sign_in(srv.addr, "chef");
    // 712 has no ledger lines (so no row in the follow-up report) but lies under 71.
    let (status, body) = forecast(srv.addr, &chef, "712");
    assert_eq!(status, 200, "{body}");
    let (status, body) = forecast(srv.addr, &chef, "721");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("nod 721"), "{body}");
    let (status, _, body) = http(srv.addr, "GET", "/api/prognoser?ar=2026", &[("Cookie", &chef.0)], "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"nod\":\"712\""), "{body}");
    // The forecast is in the audit log once, by the signed-in user.
    let ekonom = sign_in(srv.addr, "ekonom");
    let (status, _, body) = http(srv.addr, "GET", "/api/logg", &[("Cookie", &ekonom.0)], "");
    assert_eq!(status, 200, "{body}");
    let log: serde_json::Value = serde_json::from_str(&body).unwrap();
    let forecasts: Vec<&serde_json::Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["handling"] == "prognos")
        .collect();
    assert_eq!(forecasts.len(), 1, "{body}");
    assert_eq!(forecasts[0]["vem"], "chef");
    assert_eq!(forecasts[0]["objekt"], "Prognos 1 2026, nod 712");
}

#[test]
fn an_internal_error_shows_an_incident_number_and_no_database_text() {
    let srv = start();
    let ekonom = sign_in(srv.addr, "ekonom");
    let (status, _, body) = http(srv.addr, "GET", "/api/prognoser?ar=2026", &[("Cookie", &ekonom.0)], "");
    assert_eq!(status, 200, "{body}");
    // A user error stays 4xx with its Swedish explanation.
    let (status, _, body) = http(
        srv.addr,
        "GET",
        "/api/uppfoljning?period=2026-13",
        &[("Cookie", &ekonom.0)],
        "",
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("förväntade en månad"), "{body}");
    // Break the database under the running server.
    let conn = rusqlite::Connection::open(&srv.db).unwrap();
    conn.execute_batch("DROP TABLE prognos; DROP TABLE prognos_version;")
        .unwrap();
    drop(conn);
    for path in ["/api/prognoser?ar=2026", "/prognoser?ar=2026"] {
        let (status, _, body) = http(srv.addr, "GET", path, &[("Cookie", &ekonom.0)], "");
        assert_eq!(status, 500, "{path}: {body}");
        assert!(body.contains("Ett internt fel inträffade (incident "), "{path}: {body}");
        for secret in ["prognos_version", "no such table", "SELECT", "databasfel", "läsning av"] {
            assert!(!body.contains(secret), "{path} shows \"{secret}\": {body}");
        }
    }
    let (status, body) = forecast(srv.addr, &ekonom, "711");
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("incident") && !body.contains("prognos_version"), "{body}");
}

/// Issue 15: one absurd ledger line in the database (put there before the
/// import limit existed, or by hand) must not make every page fail: the
/// reports that would sum it say so in Swedish, the other pages still work.
#[test]
fn an_absurd_amount_in_the_database_breaks_only_the_reports_that_sum_it() {
    let srv = start();
    let conn = rusqlite::Connection::open(&srv.db).unwrap();
    // Two lines whose sum is beyond i64 öre (SQLite's SUM overflows), and
    // one that alone is beyond what a report can sum.
    conn.execute_batch(
        "INSERT INTO huvudbok (period, konto, ansvar, verksamhet, belopp, text, import_id) VALUES \
         (202602, '5011', '711', '510', 9223372036854775000, NULL, 1), \
         (202602, '5011', '711', '510', 9223372036854775000, NULL, 1), \
         (202602, '5012', '721', '520', 9223372036854775000, NULL, 1);",
    )
    .unwrap();
    drop(conn);
    let ekonom = sign_in(srv.addr, "ekonom");
    let cookie = [("Cookie", ekonom.0.as_str())];
    for path in [
        "/?period=2026-02",
        "/api/uppfoljning?period=2026-02",
        "/uppfoljning?period=2026-02",
        "/api/trend?period=2026-02&nod=K",
        "/organisation/711?period=2026-02",
    ] {
        let (status, _, body) = http(srv.addr, "GET", path, &cookie, "");
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.contains("för stor"), "{path}: {body}");
        assert!(!body.contains("incident"), "{path}: {body}");
    }
    // January does not sum February's lines.
    for path in [
        "/api/uppfoljning?period=2026-01",
        "/prognoser?ar=2026",
        "/logg",
        "/modeller",
        "/api/prognoser?ar=2026",
        "/api/logg",
    ] {
        let (status, _, body) = http(srv.addr, "GET", path, &cookie, "");
        assert_eq!(status, 200, "{path}: {body}");
    }
}

/// Issue 15: the import log on the import page has an "Ångra" button per
/// import for controllers (a form with the CSRF token); undoing is audited
/// as the signed-in user, and a refused undo says why.
#[test]
fn an_import_is_undone_from_the_import_page() {
    let srv = start();
    let ekonom = sign_in(srv.addr, "ekonom");
    let (status, _, page) = http(srv.addr, "GET", "/import", &[("Cookie", &ekonom.0)], "");
    assert_eq!(status, 200, "{page}");
    let action = format!("/import/2/angra?_csrf={}", ekonom.1);
    assert!(page.contains(&action.replace('&', "&amp;")), "{page}");
    // Without the token: refused, nothing undone.
    let (status, _, _) = http(srv.addr, "POST", "/import/2/angra", &[("Cookie", &ekonom.0)], "");
    assert_eq!(status, 403);
    // The organisation (import 1) is used by the ledger (import 2).
    let (status, head, _) = http(
        srv.addr,
        "POST",
        &format!("/import/1/angra?_csrf={}", ekonom.1),
        &[("Cookie", &ekonom.0)],
        "",
    );
    assert_eq!(status, 303, "{head}");
    assert!(
        head.contains("fel=") && head.contains("kan%20inte%20%C3%A5ngras"),
        "{head}"
    );
    let chef = sign_in(srv.addr, "chef");
    let (status, _, _) = http(
        srv.addr,
        "POST",
        &format!("/import/2/angra?_csrf={}", chef.1),
        &[("Cookie", &chef.0)],
        "",
    );
    assert_eq!(status, 403, "only controllers undo imports");
    let (status, head, _) = http(srv.addr, "POST", &action, &[("Cookie", &ekonom.0)], "");
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("klar="), "{head}");
    let conn = rusqlite::Connection::open(&srv.db).unwrap();
    let lines: i64 = conn
        .query_row("SELECT COUNT(*) FROM huvudbok", [], |r| r.get(0))
        .unwrap();
    assert_eq!(lines, 0);
    let (vem, objekt): (String, String) = conn
        .query_row(
            "SELECT vem, objekt FROM handelselogg WHERE handling = 'ångra import'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((vem.as_str(), objekt.as_str()), ("ekonom", "import 2: huvudbok hb.csv"));
}

/// Issue 15: years outside 1900–2100 and over-long text are refused in
/// Swedish (400), never an internal error.
#[test]
fn years_and_lengths_outside_the_limits_are_refused() {
    let srv = start();
    let ekonom = sign_in(srv.addr, "ekonom");
    // (path, text in the message)
    let cases = [
        ("/api/prognoser?ar=2101", "mellan 1900 och 2100"),
        ("/prognoser?ar=1899", "mellan 1900 och 2100"),
        ("/api/uppfoljning?period=1899-12", "år 1900–2100"),
        ("/uppfoljning?period=2101-01", "år 1900–2100"),
    ];
    for (path, want) in cases {
        let (status, _, body) = http(srv.addr, "GET", path, &[("Cookie", &ekonom.0)], "");
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.contains(want), "{path}: {body}");
    }
    let comment = "x".repeat(2001);
    let body =
        r#"{"version":"Prognos 1","period":"2026-02","nod":"711","belopp":"1 000 000 000 000,01","kommentar":"x"}"#
            .to_string();
    let long = body
        .replace("1 000 000 000 000,01", "1")
        .replace("\"x\"", &format!("\"{comment}\""));
    for (body, want) in [(body, "1 000 000 000 000 kr"), (long, "högst 2000 tecken")] {
        let (status, _, answer) = http(
            srv.addr,
            "POST",
            "/api/prognos",
            &[
                ("Content-Type", "application/json"),
                ("Cookie", &ekonom.0),
                ("X-CSRF-Token", &ekonom.1),
            ],
            &body,
        );
        assert_eq!(status, 400, "{answer}");
        assert!(answer.contains(want), "{answer}");
    }
}
