//! Month close on the web: the `/period` page, its steps (CSRF,
//! role-checked), the provider statement download and the API twins.

#[path = "support/server.rs"]
mod server;

use resurs_app::import::{import_file, Kind, Options, Outcome};
use resurs_app::Actor;
use server::{http, post_form, sign_in, start};

const INSATSER: &str = "kod;namn;lagrum;volymenhet;verksamhet
HT_OMV;Omvårdnad;SoL;timmar;hemtjänst
";
const UTFORARE: &str = "kod;namn;regiform;ansvar;platser
711;Hemtjänst Centrum;egen regi;711;
LOV1;Omsorg AB;LOV;721;
";
const MODEL: &str = r#"[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2025-01-01
momskompensation_procent = 6

[modell.timpris.HT_OMV]
dag = "420,00"
kvall = "480,00"
natt = "540,00"
helg = "510,00"
"#;

fn load(db: &std::path::Path) {
    let mut store = resurs_store::Store::open(db).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a =
        resurs_core::personnummer::Personnummer::synthetic(chrono::NaiveDate::from_ymd_opt(1931, 4, 2).unwrap(), 11);
    let visits = format!(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status
B1;{a};711;HT_OMV;P1;2026-02-03 08:00;2026-02-03 08:30;2026-02-03 08:00;2026-02-03 08:30;utförd
B3;{a};LOV1;HT_OMV;P2;2026-02-07 10:00;2026-02-07 11:00;2026-02-07 10:00;2026-02-07 11:00;utförd
B4;{a};711;HT_OMV;P1;2026-03-03 08:00;2026-03-03 09:00;2026-03-03 08:00;2026-03-03 09:00;utförd
"
    );
    for (kind, name, text) in [
        (Kind::Insatser, "i.csv", INSATSER),
        (Kind::Utforare, "u.csv", UTFORARE),
        (Kind::Besok, "b.csv", visits.as_str()),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let o = import_file(&mut store, kind, &p, Options::now(Actor::new("test"))).unwrap();
        assert!(matches!(o, Outcome::Imported { .. }), "{o:?}");
    }
    let o = resurs_app::models::load_text(&mut store, &Actor::new("test"), "m.toml", MODEL, "2026-03-01T00:00:00Z")
        .unwrap();
    assert!(matches!(o, resurs_app::models::LoadOutcome::Loaded { .. }), "{o:?}");
}

fn location(head: &str) -> String {
    head.lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .expect("redirect")
        .trim()
        .to_string()
}

#[test]
fn the_month_is_closed_on_the_period_page_and_through_the_api() {
    let srv = start();
    load(&srv.db);
    let ekonom = sign_in(srv.addr, "ekonom");
    let chef = sign_in(srv.addr, "chef");
    let get = |who: &(String, String), path: &str| http(srv.addr, "GET", path, &[("Cookie", &who.0)], "");

    let (status, _, page) = get(&ekonom, "/period?period=2026-02");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Granska månaden"), "{page}");
    assert!(page.contains("711: ekonom granskar"), "{page}");
    assert!(page.contains("href=\"/period\""), "menu entry: {page}");

    // The chief may not check; without the CSRF token nothing happens.
    let (status, _, page) = post_form(srv.addr, &chef, "/period/steg", "period=2026-02&steg=granska");
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Bara en ekonom granskar"), "{page}");
    let (status, _, _) = http(
        srv.addr,
        "POST",
        "/period/steg",
        &[
            ("Cookie", &ekonom.0),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "period=2026-02&steg=granska",
    );
    assert_eq!(status, 403);
    let (status, head, _) = post_form(srv.addr, &ekonom, "/period/steg", "period=2026-02&steg=granska");
    assert_eq!(status, 303);
    let to = location(&head);
    assert_eq!(to, "/period?period=2026-02&klar=granskad");
    let (_, _, page) = get(&ekonom, &to);
    assert!(page.contains("Månaden är granskad"), "{page}");
    assert!(
        page.contains("Godkänn LOV1"),
        "the ekonom approves external providers: {page}"
    );
    assert!(!page.contains("Godkänn 711"), "{page}");

    // The chief sees its own unit only, and approves it through the API.
    let (_, _, page) = get(&chef, "/period?period=2026-02");
    assert!(page.contains("Godkänn 711"), "{page}");
    assert!(!page.contains("LOV1"), "{page}");
    let step_to = |who: &(String, String), path: &str, body: &str| {
        http(
            srv.addr,
            "POST",
            path,
            &[
                ("Cookie", &who.0),
                ("X-CSRF-Token", &who.1),
                ("Content-Type", "application/json"),
            ],
            body,
        )
    };
    let step = |who: &(String, String), body: &str| {
        http(
            srv.addr,
            "POST",
            "/api/period/steg",
            &[
                ("Cookie", &who.0),
                ("X-CSRF-Token", &who.1),
                ("Content-Type", "application/json"),
            ],
            body,
        )
    };
    let (status, _, body) = step(&chef, r#"{"period":"2026-02","steg":"godkann","utforare":"LOV1"}"#);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("godkänns av en ekonom"), "{body}");
    let (status, _, body) = step(&chef, r#"{"period":"2026-02","steg":"godkann","utforare":"711"}"#);
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["klar"], "godkand");
    assert_eq!(v["utforare"][0], "711");
    let (_, _, body) = get(&chef, "/api/period?period=2026-02");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["utforare"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(v["utforare"][0]["status"], "godkand");
    assert_eq!(v["utforare"][0]["belopp"], 21_000);
    let (status, _, body) = step(&ekonom, r#"{"period":"2026-02","steg":"godkann"}"#);
    assert_eq!(status, 200, "{body}");

    // Lock on the page; the statement downloads with its number.
    let (status, head, _) = post_form(srv.addr, &ekonom, "/period/steg", "period=2026-02&steg=las");
    assert_eq!(status, 303);
    let (_, _, page) = get(&ekonom, &location(&head));
    assert!(page.contains("Perioden är låst av ekonom"), "{page}");
    let page = page.clone();
    assert!(page.contains("/period/2026-02/711/underlag.xlsx"), "{page}");
    let (status, head, _) = get(&chef, "/period/2026-02/711/underlag.xlsx");
    assert_eq!(status, 200);
    assert!(head.contains("spreadsheetml"), "{head}");
    assert!(head.contains("avrakningsunderlag_1_2026-02_711.xlsx"), "{head}");
    let (status, _, _) = get(&chef, "/period/2026-02/LOV1/underlag.xlsx");
    assert_eq!(status, 403);
    assert!(page.contains("/period/2026-02/711/underlag.pdf"), "{page}");
    let (status, head, body) = get(&chef, "/period/2026-02/711/underlag.pdf");
    assert_eq!(status, 200);
    assert!(head.contains("application/pdf"), "{head}");
    assert!(head.contains("avrakningsunderlag_1_2026-02_711.pdf"), "{head}");
    assert!(body.starts_with("%PDF"), "a PDF file");
    let (status, _, _) = get(&chef, "/period/2026-02/LOV1/underlag.pdf");
    assert_eq!(status, 403);
    // The status table exports like every table.
    let (status, _, csv) = get(&ekonom, "/period?period=2026-02&tabell=status&format=csv");
    assert_eq!(status, 200);
    assert!(csv.contains("LOV1"), "{csv}");
    // Booking: an ekonom, with the posting rules; the SIE 4I file comes back.
    assert!(page.contains("Bokför och ladda ner filen"), "{page}");
    let rules =
        "slag;kod;konto;objekt\\nbestallare;VON\\nutforare;711;3510\\nutforare;LOV1;2440\\ninsats;HT_OMV;4610;510\\n";
    let body = format!(r#"{{"period":"2026-02","regler":"{rules}"}}"#);
    let (status, _, e) = step_to(&chef, "/api/period/bokfor", &body);
    assert_eq!(status, 400, "{e}");
    assert!(e.contains("Bara en ekonom bokför"), "{e}");
    let (status, head, sie) = step_to(&ekonom, "/api/period/bokfor", &body);
    assert_eq!(status, 200, "{sie}");
    assert!(head.contains("bokforing_2026-02.si"), "{head}");
    assert!(sie.contains("#SIETYP 4") && sie.contains("#TRANS 4610"), "{sie}");
    let (_, _, page) = get(&ekonom, "/period?period=2026-02");
    assert!(page.contains("bokförd"), "{page}");
    // A correction of the locked February, booked in March: the March
    // settlement page shows it as its own line.
    let mut store = resurs_store::Store::open(&srv.db).unwrap();
    let who = resurs_app::period::Who {
        actor: Actor::new("ekonom"),
        roll: resurs_app::users::Roll::Ekonom,
        nod: None,
    };
    let p = |s: &str| resurs_core::Period::parse(s).unwrap();
    resurs_app::period::add_adjustment(
        &mut store,
        &who,
        p("2026-03"),
        p("2026-02"),
        "711",
        "HT_OMV",
        resurs_core::Money::from_ore(42_000),
        "besök B2 rapporterades sent",
        "2026-03-05T10:00:00Z",
    )
    .unwrap();
    drop(store);
    let (status, _, page) = get(&chef, "/avrakning?period=2026-03");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("rättelse avser 2026-02: besök B2 rapporterades sent"),
        "{page}"
    );
    assert!(page.contains("420,00"), "{page}");
    let (status, _, csv) = get(&ekonom, "/avrakning?period=2026-03&tabell=rattelser&format=csv");
    assert_eq!(status, 200);
    assert!(csv.contains("rättelse avser 2026-02"), "{csv}");
    // Reopening needs a reason.
    let (status, _, body) = step(&ekonom, r#"{"period":"2026-02","steg":"oppna","orsak":""}"#);
    assert_eq!(status, 400, "{body}");
    let (status, _, body) = step(&ekonom, r#"{"period":"2026-02","steg":"oppna","orsak":"Fel pris"}"#);
    assert_eq!(status, 200, "{body}");
    let (_, _, doc) = http(srv.addr, "GET", "/api/openapi.json", &[], "");
    assert!(doc.contains("/api/period/steg"), "{doc}");
}
