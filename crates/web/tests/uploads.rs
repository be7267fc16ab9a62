//! Uploaded files never linger: whatever happens to an upload (discarded,
//! refused, too large, cut off, left alone), its file is gone from the
//! server's private uploads directory and its rows from the database; a
//! checked upload waits in the database, encrypted, and any server on the
//! database can confirm it.

#[path = "support/server.rs"]
mod server;

use resurs_web::uploads::Limits;
use server::{form, post_form, raw, sign_in, start_with, upload, upload_head, Server};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

/// A correct ledger file with a personnummer-free new month.
const NEW_MONTH: &str = "period;konto;ansvar;verksamhet;belopp\n2026-03;5011;711;510;120000\n";
/// A ledger file with a bad month on row 2.
const BAD_MONTH: &str = "period;konto;ansvar;verksamhet;belopp\n2026-13;5011;711;510;120000\n";

/// Rows of pending uploads in the database: (uploads, parts).
fn rows(srv: &Server) -> (i64, i64) {
    let conn = rusqlite::Connection::open(&srv.db).unwrap();
    let n = |t: &str| {
        conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    (n("uppladdning"), n("uppladdning_del"))
}

fn files(srv: &Server) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(srv.state.uploads.dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

/// Waits up to three seconds for `f` to hold.
fn eventually(what: &str, f: impl Fn() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < Duration::from_secs(3), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The id in the page's discard form, `/import/ID/kasta`.
fn pending_id(page: &str) -> String {
    let at = page.find("/kasta").expect("a discard button");
    let start = page[..at].rfind("/import/").expect("the form's address") + "/import/".len();
    page[start..at].to_string()
}

#[test]
fn an_upload_waits_in_private_files_and_discarding_it_deletes_it() {
    let srv = start_with(Limits::default());
    let who = sign_in(srv.addr, "ekonom");
    let (status, page) = upload(srv.addr, &who, "huvudbok", "mars.csv", NEW_MONTH.as_bytes());
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Bekräfta importen"), "{page}");
    let dir = srv.state.uploads.dir();
    assert_eq!(std::fs::metadata(dir).unwrap().permissions().mode() & 0o777, 0o700);
    // It waits in the database, encrypted; no file is left in the directory.
    assert!(files(&srv).is_empty(), "{:?}", files(&srv));
    assert_eq!(rows(&srv), (1, 1));
    let conn = rusqlite::Connection::open(&srv.db).unwrap();
    let stored: Vec<u8> = conn
        .query_row("SELECT data FROM uppladdning_del", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored.len(), NEW_MONTH.len());
    assert_ne!(stored, NEW_MONTH.as_bytes(), "stored in clear text");

    let id = pending_id(&page);
    let (status, head, _) = post_form(srv.addr, &who, &format!("/import/{id}/kasta"), "");
    assert_eq!(status, 303, "{head}");
    assert!(files(&srv).is_empty(), "discarded, yet {:?}", files(&srv));
    assert!(srv.state.uploads.is_empty());
    assert_eq!(rows(&srv), (0, 0), "the discarded upload's rows are deleted");
}

#[test]
fn a_refused_file_is_deleted_at_once() {
    let srv = start_with(Limits::default());
    let who = sign_in(srv.addr, "ekonom");
    let (status, page) = upload(srv.addr, &who, "huvudbok", "fel.csv", BAD_MONTH.as_bytes());
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("kan inte importeras") && page.contains("2026-13"),
        "{page}"
    );
    assert!(page.contains("Filen är borttagen från servern"), "{page}");
    assert!(files(&srv).is_empty(), "{:?}", files(&srv));
    // An unknown kind is refused before anything is checked, and deleted too.
    let (status, page) = upload(srv.addr, &who, "okänd", "fel.csv", BAD_MONTH.as_bytes());
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("typ: värdet &quot;okänd&quot;"), "{page}");
    assert!(files(&srv).is_empty(), "{:?}", files(&srv));
}

#[test]
fn an_oversize_upload_is_answered_413_and_leaves_no_file() {
    let srv = start_with(Limits {
        max_bytes: 100_000,
        ..Limits::default()
    });
    let who = sign_in(srv.addr, "ekonom");
    let mut big = NEW_MONTH.to_string();
    while big.len() < 300_000 {
        big.push_str("2026-03;5011;711;510;120000\n");
    }
    // Declared up front: refused before the body is read.
    let (status, page) = upload(srv.addr, &who, "huvudbok", "stor.csv", big.as_bytes());
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("Filen är för stor: högst 0 MiB (100 000 byte)"), "{page}");
    assert!(files(&srv).is_empty(), "{:?}", files(&srv));
    // Without a length (chunked): counted while streaming.
    let body = form("huvudbok", "stor.csv", big.as_bytes());
    let mut req = upload_head(srv.addr, &who, None).into_bytes();
    for part in body.chunks(16 * 1024) {
        req.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        req.extend_from_slice(part);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let (status, _, page) = raw(srv.addr, &req);
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("Filen är för stor"), "{page}");
    assert!(files(&srv).is_empty(), "{:?}", files(&srv));
}

#[test]
fn a_client_that_disconnects_mid_upload_leaves_no_file() {
    let srv = start_with(Limits::default());
    let who = sign_in(srv.addr, "ekonom");
    let mut big = NEW_MONTH.to_string();
    while big.len() < 2_000_000 {
        big.push_str("2026-03;5011;711;510;120000\n");
    }
    let body = form("huvudbok", "avbruten.csv", big.as_bytes());
    let mut s = std::net::TcpStream::connect(srv.addr).unwrap();
    s.write_all(upload_head(srv.addr, &who, Some(body.len())).as_bytes())
        .unwrap();
    s.write_all(&body[..body.len() / 2]).unwrap();
    s.flush().unwrap();
    eventually("the upload is being written", || !files(&srv).is_empty());
    drop(s);
    eventually("the cut-off upload is deleted", || files(&srv).is_empty());
    assert!(srv.state.uploads.is_empty());
}

#[test]
fn an_upload_left_alone_expires_and_is_deleted() {
    let srv = start_with(Limits {
        ttl: Duration::from_millis(600),
        ..Limits::default()
    });
    let who = sign_in(srv.addr, "ekonom");
    let (status, page) = upload(srv.addr, &who, "huvudbok", "mars.csv", NEW_MONTH.as_bytes());
    assert_eq!(status, 200, "{page}");
    assert_eq!(rows(&srv), (1, 1));
    // The sweeper deletes it without any request.
    eventually("the expired upload is swept", || rows(&srv) == (0, 0));
    let id = pending_id(&page);
    let (status, _, page) = post_form(srv.addr, &who, &format!("/import/{id}/bekrafta"), "");
    assert_eq!(status, 404, "{page}");
    assert!(page.contains("Uppladdningen finns inte längre"), "{page}");
}

#[test]
fn an_upload_expired_before_the_sweep_is_refused_on_use() {
    // A time limit shorter than the sweep's period: checked on use.
    let srv = start_with(Limits {
        ttl: Duration::from_millis(300),
        ..Limits::default()
    });
    let who = sign_in(srv.addr, "ekonom");
    let (status, page) = upload(srv.addr, &who, "huvudbok", "mars.csv", NEW_MONTH.as_bytes());
    assert_eq!(status, 200, "{page}");
    std::thread::sleep(Duration::from_millis(350));
    let id = pending_id(&page);
    let (status, _, page) = post_form(srv.addr, &who, &format!("/import/{id}/bekrafta"), "");
    assert!(status == 410 || status == 404, "{status}: {page}");
    assert!(page.contains("gått ut") || page.contains("finns inte längre"), "{page}");
    assert!(files(&srv).is_empty(), "{:?}", files(&srv));
}

#[test]
fn a_user_has_a_bounded_number_of_pending_uploads() {
    let srv = start_with(Limits {
        per_user: 2,
        ..Limits::default()
    });
    let who = sign_in(srv.addr, "ekonom");
    for _ in 0..4 {
        let (status, page) = upload(srv.addr, &who, "huvudbok", "mars.csv", NEW_MONTH.as_bytes());
        assert_eq!(status, 200, "{page}");
    }
    assert_eq!(srv.state.uploads.len(), 2);
    assert_eq!(rows(&srv), (2, 2), "the evicted uploads' rows are deleted");
    assert!(files(&srv).is_empty());
}

/// Issue 15: several `resurs serve` on one database serve the same users:
/// an upload checked on one server is confirmed on another, once.
#[test]
fn an_upload_checked_on_one_server_is_confirmed_on_another() {
    let srv = start_with(Limits::default());
    let other = server::second_server(&srv);
    let who = sign_in(srv.addr, "ekonom");
    let (status, page) = upload(srv.addr, &who, "huvudbok", "mars.csv", NEW_MONTH.as_bytes());
    assert_eq!(status, 200, "{page}");
    let id = pending_id(&page);
    // The session and the upload are both in the database.
    let (status, head, page) = post_form(other, &who, &format!("/import/{id}/bekrafta"), "");
    assert_eq!(status, 303, "{head}{page}");
    assert!(head.contains("klar=importerad&n=1&m=1"), "{head}");
    assert_eq!(rows(&srv), (0, 0), "confirmed: the rows are deleted");
    let conn = rusqlite::Connection::open(&srv.db).unwrap();
    let lines: i64 = conn
        .query_row("SELECT COUNT(*) FROM huvudbok", [], |r| r.get(0))
        .unwrap();
    assert_eq!(lines, 4, "the three lines of the start and March, once");
    // A second confirmation, on either server, finds nothing.
    for addr in [srv.addr, other] {
        let (status, _, page) = post_form(addr, &who, &format!("/import/{id}/bekrafta"), "");
        assert_eq!(status, 404, "{page}");
    }
    assert!(files(&srv).is_empty());
}
