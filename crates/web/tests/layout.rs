//! Phone and print (issue 11, item 9), in real headless Chromium: every page
//! a signed-in admin can reach by links from the menu is visited at 390 px
//! width (no page may scroll sideways: wide tables scroll inside their own
//! box) and in print media without background colours (the series of every
//! chart differ by dash pattern, and legends stay visible with keys drawn
//! as lines, not as background colour).

#[path = "support/webdriver.rs"]
mod webdriver;

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::time::Duration;
use webdriver::Driver;

const WAIT: Duration = Duration::from_secs(20);

fn start_server(dir: &Path) -> String {
    let db = dir.join("exempelstad.db");
    let mut store = resurs_store::Store::open(&db).expect("open db");
    let opts = resurs_app::demo::Options {
        seed: 1,
        scale_percent: 3,
        dir: None,
    };
    resurs_app::demo::run(&mut store, &opts, &mut |_| {}).expect("demo");
    resurs_web::auth::ensure_demo_users(&mut store).expect("demo users");
    drop(store);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || resurs_web::serve_listener(listener, db));
    format!("http://{addr}")
}

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

/// Same-site page links of the current page (no downloads, no exports,
/// no sign-out), without fragments.
fn links(d: &Driver) -> Vec<String> {
    let v = d
        .execute(
            r#"return [...document.querySelectorAll('a[href]')]
                .filter(a => !a.hasAttribute('download'))
                .map(a => a.getAttribute('href'))
                .filter(h => h.startsWith('/') && !h.startsWith('//'));"#,
            vec![],
        )
        .expect("links");
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .filter(|h| {
            !h.is_empty()
                && !h.contains("format=")
                && !h.contains(".xlsx")
                && !h.contains(".csv")
                && !h.starts_with("/logga-ut")
                && !h.starts_with("/static/")
        })
        .collect()
}

/// The pages reachable from the start page, at most `per_section` per first
/// path segment (the organisation tree alone has hundreds of nodes).
fn crawl(d: &Driver, base: &str, per_section: usize, max: usize) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([String::from("/")]);
    let mut out = Vec::new();
    while let Some(p) = queue.pop_front() {
        if out.len() >= max || !seen.insert(p.clone()) {
            continue;
        }
        let section = p.split(['/', '?']).nth(1).unwrap_or("").to_string();
        let n = per.entry(section).or_default();
        if *n >= per_section {
            continue;
        }
        *n += 1;
        d.goto(&format!("{base}{p}"))
            .unwrap_or_else(|e| panic!("goto {p}: {e}"));
        d.wait_for("h1", WAIT).unwrap_or_else(|e| panic!("{p}: {e}"));
        out.push(p);
        for l in links(d) {
            if !seen.contains(&l) {
                queue.push_back(l);
            }
        }
    }
    out
}

#[test]
fn every_page_fits_a_phone_and_prints_with_distinguishable_charts() {
    assert!(
        Path::new("/usr/bin/chromedriver").exists(),
        "the browser tests need Debian's chromium and chromium-driver (scripts/test installs them)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let base = start_server(dir.path());
    let downloads = dir.path().join("nedladdat");
    std::fs::create_dir_all(&downloads).expect("download dir");
    let d = Driver::start(&downloads).expect("chromedriver");
    sign_in(&d, &base, "admin", "demo-admin-2026");
    let pages = crawl(&d, &base, 4, 80);
    assert!(pages.len() >= 8, "only {} pages reached: {pages:?}", pages.len());

    // Phone: 390 CSS pixels wide.
    d.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
    )
    .expect("phone metrics");
    let mut wide = Vec::new();
    for p in &pages {
        d.goto(&format!("{base}{p}")).expect("goto");
        d.wait_for("h1", WAIT).expect("h1");
        let v = d
            .execute(
                r#"const de = document.documentElement;
                   if (de.scrollWidth <= de.clientWidth + 1) return null;
                   // The outermost element that sticks out, to name in the failure.
                   const bad = [...document.body.querySelectorAll('*')].find(e => {
                       const r = e.getBoundingClientRect();
                       return r.right > de.clientWidth + 1 && !e.closest('.tablebox, pre');
                   });
                   return [de.scrollWidth, de.clientWidth, bad ? bad.outerHTML.slice(0, 160) : '?'];"#,
                vec![],
            )
            .expect("measure");
        if !v.is_null() {
            wide.push(format!("{p}: {v}"));
        }
    }
    assert!(
        wide.is_empty(),
        "pages that scroll sideways at 390 px:\n{}",
        wide.join("\n")
    );

    // Print, without background colours.
    d.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
        .expect("clear metrics");
    d.cdp("Emulation.setEmulatedMedia", json!({"media": "print"}))
        .expect("print media");
    let mut charts = 0;
    let mut problems = Vec::new();
    for p in &pages {
        d.goto(&format!("{base}{p}")).expect("goto");
        d.wait_for("h1", WAIT).expect("h1");
        let v = d
            .execute(
                r#"const out = [];
                   for (const f of document.querySelectorAll('figure.chart')) {
                     const lines = [...f.querySelectorAll('svg:not(.key) path.line')];
                     const dashes = lines.map(l => getComputedStyle(l).strokeDasharray);
                     const legend = f.querySelector('.legend');
                     const keys = legend ? [...legend.querySelectorAll('svg.key line')]
                         .map(l => getComputedStyle(l).strokeDasharray) : [];
                     out.push({dashes, keys,
                       legend: !!legend && getComputedStyle(legend).display !== 'none'
                         && legend.getBoundingClientRect().height > 0});
                   }
                   return out;"#,
                vec![],
            )
            .expect("charts");
        for c in v.as_array().into_iter().flatten() {
            charts += 1;
            let dashes: Vec<&str> = c["dashes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let distinct: BTreeSet<&str> = dashes.iter().copied().collect();
            if distinct.len() != dashes.len() {
                problems.push(format!("{p}: series share a dash pattern {dashes:?}"));
            }
            if dashes.len() > 1 && c["legend"] != true {
                problems.push(format!("{p}: legend hidden in print"));
            }
            let keys: Vec<&str> = c["keys"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if dashes.len() > 1 && keys != dashes {
                problems.push(format!("{p}: legend keys {keys:?} do not match the series {dashes:?}"));
            }
        }
    }
    assert!(charts >= 1, "no chart on any page: {pages:?}");
    assert!(problems.is_empty(), "print problems:\n{}", problems.join("\n"));
}
