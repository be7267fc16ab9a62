//! The screenshots in `docs/screenshots/`, from the full Exempelstad (the
//! demo as `resurs demo` makes it), in real headless Chromium. Not part of
//! the ordinary test run (the full demo takes a while in a debug build):
//!
//!     cargo test --release -p resurs-web --test screenshots -- --ignored
//!
//! Each page is checked to have its heading before it is photographed; the
//! overview's outcome is checked against the follow-up API, so a picture
//! never shows figures other than the demo's.

#[path = "support/webdriver.rs"]
mod webdriver;

use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;
use webdriver::Driver;

const WAIT: Duration = Duration::from_secs(60);

fn sign_in(d: &Driver, base: &str, user: &str, pw: &str) {
    d.delete_all_cookies().expect("cookies");
    d.goto(&format!("{base}/")).expect("goto /");
    d.wait_for("form.signin", WAIT).expect("sign-in form");
    d.find("#namn").and_then(|e| e.send_keys(user)).expect("name");
    d.find("#losenord").and_then(|e| e.send_keys(pw)).expect("password");
    d.find("form.signin button").and_then(|e| e.click()).expect("submit");
    d.wait_for("header.top .who", WAIT)
        .unwrap_or_else(|e| panic!("{user} signed in: {e}"));
}

fn dir() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&p).expect("screenshot dir");
    p
}

fn shot(d: &Driver, base: &str, path: &str, name: &str) {
    d.goto(&format!("{base}{path}"))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    d.wait_for("h1", WAIT).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(d.find("p.notice.err").is_err(), "{path} shows an error");
    d.screenshot_png(&dir().join(format!("{name}.png")))
        .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
}

#[test]
#[ignore = "full demo: cargo test --release -p resurs-web --test screenshots -- --ignored"]
fn screenshots_of_the_full_demo() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = tmp.path().join("exempelstad.db");
    let mut store = resurs_store::Store::open(&db).expect("open db");
    let opts = resurs_app::demo::Options {
        seed: 1,
        scale_percent: 100,
        dir: None,
    };
    resurs_app::demo::run(&mut store, &opts, &mut |_| {}).expect("demo");
    resurs_web::auth::ensure_demo_users(&mut store).expect("demo users");
    let period = store.latest_ledger_period().expect("period").expect("ledger");
    drop(store);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || resurs_web::serve_listener(listener, db));
    let base = format!("http://{addr}");
    let downloads = tmp.path().join("nedladdat");
    std::fs::create_dir_all(&downloads).expect("download dir");
    let d = Driver::start(&downloads).expect("chromium");
    d.set_window_size(1366, 900).expect("window");

    d.goto(&format!("{base}/")).expect("sign-in page");
    d.wait_for("form.signin", WAIT).expect("sign-in form");
    d.screenshot_png(&dir().join("logga_in.png")).expect("sign-in shot");

    sign_in(&d, &base, "ekonom", "demo-ekonom-2026");
    // The overview's outcome is the demo's (about 900 000 tkr in 2026-10, over 500 000 tkr).
    let api = d
        .execute(
            "const x = new XMLHttpRequest(); x.open('GET', '/api/uppfoljning', false); x.send(); return x.responseText;",
            vec![],
        )
        .expect("api");
    let v: serde_json::Value = serde_json::from_str(api.as_str().unwrap_or("{}")).expect("json");
    let outcome = v["rader"][0]["belopp"]["utfall"].as_i64().expect("outcome");
    assert!(
        outcome > 50_000_000_000,
        "the full demo's outcome (about 900 000 tkr): {outcome} öre"
    );
    let p = period.to_string();
    let pages: Vec<(String, &str)> = vec![
        ("/".into(), "oversikt"),
        (format!("/organisation/VOF?period={p}"), "organisation"),
        (format!("/organisation/711/konto/5011?period={p}"), "huvudboksrader"),
        (format!("/uppfoljning?period={p}"), "uppfoljning"),
        (
            format!("/uppfoljning?period={p}&nod=VON&djup=ansvar"),
            "uppfoljning_namnd",
        ),
        ("/prognoser".into(), "prognoser"),
        (format!("/avrakning?period={p}"), "avrakning"),
        (format!("/avrakning/{p}/711"), "avrakning_utforare"),
        ("/modeller".into(), "modeller"),
        ("/ekonomi".into(), "ekonomi"),
        (format!("/ekonomi/budget?period={p}"), "ekonomi_budget"),
        (format!("/ekonomi/placeringar?period={p}"), "ekonomi_placeringar"),
        (format!("/ekonomi/acconto?period={p}"), "ekonomi_acconto"),
        ("/ekonomi/investeringar".into(), "ekonomi_investeringar"),
        ("/import".into(), "import"),
        ("/logg".into(), "handelselogg"),
    ];
    for (path, name) in &pages {
        shot(&d, &base, path, name);
    }
    sign_in(&d, &base, "admin", "demo-admin-2026");
    shot(&d, &base, "/anvandare", "anvandare");
    sign_in(&d, &base, "enhetschef", "demo-chef-2026");
    shot(&d, &base, "/", "oversikt_enhetschef");
    shot(&d, &base, "/uppfoljning", "uppfoljning_enhetschef");
    // A phone.
    d.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true}),
    )
    .expect("phone");
    shot(&d, &base, "/uppfoljning", "telefon_uppfoljning");
}
