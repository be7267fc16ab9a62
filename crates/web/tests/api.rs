//! HTTP tests of the web application without a browser, against a server on
//! a free loopback port with a small organisation: access scopes from the
//! organisation tree, and internal errors that show an incident number and
//! never database text.

#[path = "support/server.rs"]
mod server;

use server::{http, sign_in, start};
use std::net::SocketAddr;

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
