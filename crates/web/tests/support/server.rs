//! A server on a free loopback port with a small organisation, and plain
//! HTTP requests to it (shared by the API and upload tests).
#![allow(dead_code)] // each test crate uses a part

use resurs_app::import::{import_file, Kind, Outcome};
use resurs_app::users::{add_user, Roll};
use resurs_app::Actor;
use resurs_web::state::AppState;
use resurs_web::uploads::Limits;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;

pub const ORG: &str = "kod;namn;nivå;överordnad;giltig_från;giltig_till
K;Testkommun;kommun;;2020-01-01;
VON;Vård- och omsorgsnämnden;nämnd;K;2020-01-01;
71;Hemtjänst;avdelning;VON;2020-01-01;
711;Hemtjänst Centrum;ansvar;71;2020-01-01;
712;Hemtjänst Norr (ny, utan huvudboksrader);ansvar;71;2026-01-01;
72;Särskilt boende;avdelning;VON;2020-01-01;
721;Solgården;ansvar;72;2020-01-01;
";
pub const LEDGER: &str = "period;konto;ansvar;verksamhet;belopp
2026-01;5011;711;510;120000
2026-02;5011;711;510;120000
2026-02;5011;721;520;300000
";

pub struct Server {
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub state: Arc<AppState>,
    _dir: tempfile::TempDir,
}

pub fn start() -> Server {
    start_with(Limits::default())
}

/// A server whose uploads have the given limits.
pub fn start_with(limits: Limits) -> Server {
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
    // The pseudonym key file exists before the servers start, as in
    // production: the key for pending uploads is derived from it.
    resurs_app::keys::pseudonymizer(&store, resurs_app::keys::NewKey::Random).unwrap();
    drop(store);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(AppState::open_with(db.clone(), resurs_web::state::Settings::default(), limits).unwrap());
    let served = state.clone();
    std::thread::spawn(move || resurs_web::serve_state(listener, served));
    for _ in 0..200 {
        if TcpStream::connect(addr).is_ok() && http(addr, "GET", "/api/halsa", &[], "").0 == 200 {
            return Server {
                addr,
                db,
                state,
                _dir: dir,
            };
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the server did not start");
}

/// A second server on the same database (another process behind a load
/// balancer, as far as the database is concerned): its address.
pub fn second_server(first: &Server) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(
        AppState::open_with(
            first.db.clone(),
            resurs_web::state::Settings::default(),
            Limits::default(),
        )
        .unwrap(),
    );
    std::thread::spawn(move || resurs_web::serve_state(listener, state));
    for _ in 0..200 {
        if TcpStream::connect(addr).is_ok() && http(addr, "GET", "/api/halsa", &[], "").0 == 200 {
            return addr;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the second server did not start");
}

/// (status, head, body)
pub fn http(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    raw(addr, req.as_bytes())
}

/// Sends raw bytes and reads the answer: (status, head, body).
pub fn raw(addr: SocketAddr, request: &[u8]) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let out = String::from_utf8_lossy(&out).into_owned();
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    (status, head.to_string(), body.to_string())
}

/// Signs in through the API: (cookie header value, CSRF token).
pub fn sign_in(addr: SocketAddr, namn: &str) -> (String, String) {
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

pub const BOUNDARY: &str = "----resurs-test-boundary-7MA4YWxk";

/// A multipart body of the import form: the kind, then the file.
pub fn form(kind: &str, filnamn: &str, content: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"typ\"\r\n\r\n{kind}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"fil\"; filename=\"{filnamn}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// The import form as a browser sends it: the CSRF token as the first
/// part, then the kind and the file.
pub fn form_with_csrf(csrf: &str, kind: &str, filnamn: &str, content: &[u8]) -> Vec<u8> {
    let mut b =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n").into_bytes();
    b.extend_from_slice(&form(kind, filnamn, content));
    b
}

/// The head of a form upload to `/import` by `who` (without the body),
/// with the CSRF token in the `X-CSRF-Token` header.
pub fn upload_head(addr: SocketAddr, who: &(String, String), length: Option<usize>) -> String {
    let mut h = format!(
        "POST /import HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {}\r\nX-CSRF-Token: {}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n",
        who.0, who.1
    );
    match length {
        Some(n) => h.push_str(&format!("Content-Length: {n}\r\n\r\n")),
        None => h.push_str("Transfer-Encoding: chunked\r\n\r\n"),
    }
    h
}

/// A POST of an urlencoded form by `who`, the CSRF token as the form's
/// `_csrf` field (as the pages send it): (status, head, page).
pub fn post_form(addr: SocketAddr, who: &(String, String), path: &str, body: &str) -> (u16, String, String) {
    let sep = if body.is_empty() { "" } else { "&" };
    http(
        addr,
        "POST",
        path,
        &[
            ("Cookie", &who.0),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &format!("_csrf={}{sep}{body}", who.1),
    )
}

/// Uploads a file through the import page: (status, page).
pub fn upload(addr: SocketAddr, who: &(String, String), kind: &str, filnamn: &str, content: &[u8]) -> (u16, String) {
    let body = form_with_csrf(&who.1, kind, filnamn, content);
    let mut req = format!(
        "POST /import HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        who.0,
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    let (status, _, page) = raw(addr, &req);
    (status, page)
}
