//! Driftredovisning on the web: the page, its drill-down and exports, and
//! the JSON twin with the same role and subtree checks (docs/driftredovisning.md).

#[path = "support/server.rs"]
mod server;

use server::{http, sign_in, start};

fn line(v: &serde_json::Value, key: &str) -> Vec<i64> {
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

#[test]
fn operating_statement_page_and_api_with_scopes() {
    let srv = start();
    let (_, _, body) = http(srv.addr, "GET", "/api/openapi.json", &[], "");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["paths"]["/api/driftredovisning"]["get"].is_object());
    let (status, _, _) = http(srv.addr, "GET", "/api/driftredovisning", &[], "");
    assert_eq!(status, 401);

    let ekonom = sign_in(srv.addr, "ekonom");
    let cookie = [("Cookie", ekonom.0.as_str())];
    // The ledger: 711 120 000 kr in January and February, 721 300 000 kr in February.
    let (status, _, body) = http(srv.addr, "GET", "/api/driftredovisning?ar=2026&till=2", &cookie, "");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["nod"], "K");
    assert_eq!(line(&v, "personal"), [0, -54_000_000, -54_000_000, 0, -54_000_000]);
    assert_eq!(line(&v, "resultat"), [0, -54_000_000, -54_000_000, 0, -54_000_000]);
    // The shipped grouping by name; an unknown version is named back.
    let (status, _, body) = http(
        srv.addr,
        "GET",
        "/api/driftredovisning?ar=2026&till=2&slag=standard",
        &cookie,
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("kommunbas-standard-1"), "{body}");
    let (status, _, body) = http(
        srv.addr,
        "GET",
        "/api/driftredovisning?ar=2026&till=2&slag=saknas",
        &cookie,
        "",
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("saknas"), "{body}");
    // A month after the ledger says so.
    let (status, _, body) = http(srv.addr, "GET", "/api/driftredovisning?ar=2026&till=5", &cookie, "");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Det finns inget utfall för januari–maj 2026"), "{body}");

    // The page: the statement, a group's accounts, and the exports.
    let (status, _, page) = http(srv.addr, "GET", "/driftredovisning?ar=2026&till=2", &cookie, "");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Driftredovisning K Testkommun, januari–februari 2026"),
        "{page}"
    );
    assert!(page.contains("Årets resultat"));
    assert!(page.contains("grupp=personal#konton"), "{page}");
    assert!(page.contains("-540"), "{page}");
    let (status, _, page) = http(
        srv.addr,
        "GET",
        "/driftredovisning?ar=2026&till=2&grupp=personal",
        &cookie,
        "",
    );
    assert_eq!(status, 200);
    assert!(page.contains("Personalkostnader per konto"), "{page}");
    assert!(page.contains("5011"), "{page}");
    let (status, head, csv) = http(
        srv.addr,
        "GET",
        "/driftredovisning?ar=2026&till=2&tabell=drift&format=csv",
        &cookie,
        "",
    );
    assert_eq!(status, 200, "{csv}");
    assert!(head.to_lowercase().contains("text/csv"), "{head}");
    assert!(csv.contains("Årets resultat"), "{csv}");
    let (status, _, csv) = http(
        srv.addr,
        "GET",
        "/driftredovisning?ar=2026&till=2&grupp=personal&tabell=konton&format=csv",
        &cookie,
        "",
    );
    assert_eq!(status, 200);
    assert!(csv.contains("5011"), "{csv}");

    // An enhetschef (node 71) gets its own node and is refused another.
    let chef = sign_in(srv.addr, "chef");
    let cookie = [("Cookie", chef.0.as_str())];
    let (status, _, body) = http(srv.addr, "GET", "/api/driftredovisning?ar=2026&till=2", &cookie, "");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["nod"], "71");
    assert_eq!(line(&v, "personal")[1], -24_000_000);
    let (status, _, body) = http(
        srv.addr,
        "GET",
        "/api/driftredovisning?ar=2026&till=2&nod=721",
        &cookie,
        "",
    );
    assert_eq!(status, 403, "{body}");
    let (status, _, _) = http(srv.addr, "GET", "/driftredovisning?ar=2026&till=2&nod=72", &cookie, "");
    assert_eq!(status, 403);
}

/// The deviation analysis page and API: without compensation models they
/// say what to load; the page links from the operating statement.
#[test]
fn deviation_analysis_needs_models_and_is_guarded() {
    let srv = start();
    let (_, _, body) = http(srv.addr, "GET", "/api/openapi.json", &[], "");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["paths"]["/api/avvikelse"]["get"].is_object());
    let (status, _, _) = http(srv.addr, "GET", "/api/avvikelse", &[], "");
    assert_eq!(status, 401);
    let ekonom = sign_in(srv.addr, "ekonom");
    let cookie = [("Cookie", ekonom.0.as_str())];
    let (status, _, body) = http(srv.addr, "GET", "/api/avvikelse?ar=2026&till=2", &cookie, "");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Inga ersättningsmodeller är laddade"), "{body}");
    let (status, _, page) = http(
        srv.addr,
        "GET",
        "/driftredovisning/avvikelse?ar=2026&till=2",
        &cookie,
        "",
    );
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Inga ersättningsmodeller"), "{page}");
    let (_, _, page) = http(srv.addr, "GET", "/driftredovisning?ar=2026&till=2", &cookie, "");
    assert!(
        page.contains("/driftredovisning/avvikelse?ar=2026&amp;till=2&amp;nod=K"),
        "{page}"
    );
    let chef = sign_in(srv.addr, "chef");
    let cookie = [("Cookie", chef.0.as_str())];
    let (status, _, _) = http(srv.addr, "GET", "/api/avvikelse?ar=2026&till=2&nod=721", &cookie, "");
    assert_eq!(status, 403);
}
