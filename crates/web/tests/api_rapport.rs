//! Committee reports through the API and the pages (docs/rapporter.md):
//! who may make them and write their texts, the stored figures, newer data,
//! the files, and the refusals.

#[path = "support/server.rs"]
mod server;

use server::{http, post_form, sign_in, start};
use std::net::SocketAddr;

fn post_json(addr: SocketAddr, who: &(String, String), path: &str, body: &str) -> (u16, String) {
    let (status, _, body) = http(
        addr,
        "POST",
        path,
        &[
            ("Content-Type", "application/json"),
            ("Cookie", &who.0),
            ("X-CSRF-Token", &who.1),
        ],
        body,
    );
    (status, body)
}

fn get(addr: SocketAddr, who: &(String, String), path: &str) -> (u16, String, String) {
    http(addr, "GET", path, &[("Cookie", &who.0)], "")
}

#[test]
fn a_report_version_is_made_written_and_downloaded_and_says_when_data_is_newer() {
    let srv = start();
    let ekonom = sign_in(srv.addr, "ekonom");
    let chef = sign_in(srv.addr, "chef");

    // Refusals: an enhetschef, a month without ledger lines, an unknown section.
    let (status, body) = post_json(
        srv.addr,
        &chef,
        "/api/rapporter",
        r#"{"typ":"manad","period":"2026-02"}"#,
    );
    assert_eq!(status, 403, "{body}");
    let (status, body) = post_json(
        srv.addr,
        &ekonom,
        "/api/rapporter",
        r#"{"typ":"manad","period":"2025-05"}"#,
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Huvudboken har inget utfall för 2025-05"), "{body}");
    let (status, body) = post_json(
        srv.addr,
        &ekonom,
        "/api/rapporter",
        r#"{"typ":"manad","period":"2026-02","mall":"avsnitt = sammanfattning\navsnitt = bilagor\n"}"#,
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("rad 2: okänt avsnitt \\\"bilagor\\\""), "{body}");

    let (status, body) = post_json(
        srv.addr,
        &ekonom,
        "/api/rapporter",
        r#"{"typ":"manad","period":"2026-02"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();

    let (status, _, body) = get(srv.addr, &ekonom, &format!("/api/rapporter/{id}"));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["nyare_data"], false);
    let sections: Vec<&str> = v["dokument"]["avsnitt"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["nyckel"].as_str().unwrap())
        .collect();
    assert_eq!(
        sections,
        [
            "sammanfattning",
            "driftredovisning",
            "uppfoljning",
            "specialposter",
            "atgarder"
        ]
    );
    // The follow-up's root row holds the ledger's sum: 120 000 + 120 000 + 300 000 kr.
    let follow = &v["dokument"]["avsnitt"][2]["tabeller"][0];
    assert_eq!(follow["rader"][0]["celler"][2]["tal"], 54_000_000, "{follow}");

    // The enhetschef of 71 may not open the whole municipality's report.
    let (status, _, _) = get(srv.addr, &chef, &format!("/api/rapporter/{id}"));
    assert_eq!(status, 403);

    // Texts: controllers only, audited, shown in the files.
    let (status, body) = post_json(
        srv.addr,
        &chef,
        &format!("/api/rapporter/{id}/text"),
        r#"{"avsnitt":"sammanfattning","text":"x"}"#,
    );
    assert_eq!(status, 403, "{body}");
    let (status, body) = post_json(
        srv.addr,
        &ekonom,
        &format!("/api/rapporter/{id}/text"),
        r#"{"avsnitt":"sammanfattning","text":"Hemtjänsten följer budget."}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = post_json(
        srv.addr,
        &ekonom,
        &format!("/api/rapporter/{id}/text"),
        r#"{"avsnitt":"kpb","text":"x"}"#,
    );
    assert_eq!(status, 400, "{body}");
    let (_, _, log) = get(srv.addr, &ekonom, "/api/logg");
    assert!(log.contains("\"handling\":\"rapporttext\""), "{log}");
    assert!(log.contains("Hemtjänsten följer budget."), "{log}");
    let (status, head, body) = get(srv.addr, &ekonom, &format!("/api/rapporter/{id}/fil?format=pdf"));
    assert_eq!(status, 200);
    assert!(head.contains("application/pdf"), "{head}");
    assert!(body.starts_with("%PDF-"));
    let (status, head, _) = get(srv.addr, &ekonom, &format!("/api/rapporter/{id}/fil?format=docx"));
    assert_eq!(status, 200);
    assert!(head.contains("wordprocessingml"), "{head}");

    // The page: the text in its field, the warning once data changes.
    let (status, _, page) = get(srv.addr, &ekonom, &format!("/rapporter/{id}"));
    assert_eq!(status, 200);
    assert!(page.contains("Hemtjänsten följer budget."), "{page}");
    assert!(!page.contains("Nyare data finns"));
    let (status, body) = post_json(
        srv.addr,
        &ekonom,
        "/api/prognos",
        r#"{"version":"Prognos 1","period":"2026-02","nod":"711","belopp":"500 000","kommentar":"Ny"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (_, _, page) = get(srv.addr, &ekonom, &format!("/rapporter/{id}"));
    assert!(page.contains("Nyare data finns"), "{page}");
    let (_, _, body) = get(srv.addr, &ekonom, &format!("/api/rapporter/{id}"));
    let again: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(again["nyare_data"], true);
    assert_eq!(
        again["dokument"]["avsnitt"][1]["tabeller"],
        v["dokument"]["avsnitt"][1]["tabeller"]
    );

    // The page's form makes a version too and goes to it.
    let (status, head, body) = post_form(srv.addr, &ekonom, "/rapporter", "typ=ar&period=2026-02&nod=VON&mall=");
    assert_eq!(status, 303, "{head}{body}");
    assert!(head.contains(&format!("location: /rapporter/{}", id + 1)), "{head}");
}
