//! Issue 11 (items 7, 8, 10): administration of users and sessions, the
//! audit log in Swedish time with filters, and the hardening of forms,
//! notices and error pages.

#[path = "support/server.rs"]
mod server;

use server::{form_with_csrf, http, post_form, raw, sign_in, start, Server, BOUNDARY};

const PW: &str = "ett-långt-lösenord";

/// Adds an admin to the test server's database; signs it in.
fn admin(srv: &Server) -> (String, String) {
    let mut store = resurs_store::Store::open(&srv.db).unwrap();
    resurs_app::users::add_user(
        &mut store,
        &resurs_app::Actor::new("test"),
        "admin",
        resurs_app::users::Roll::Admin,
        None,
        PW,
    )
    .unwrap();
    sign_in(srv.addr, "admin")
}

fn get(srv: &Server, who: &(String, String), path: &str) -> (u16, String) {
    let (status, _, body) = http(srv.addr, "GET", path, &[("Cookie", &who.0)], "");
    (status, body)
}

fn audit_rows(srv: &Server, handling: &str) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(&srv.db).unwrap();
    let mut st = conn
        .prepare("SELECT vem, objekt, COALESCE(efter, '') FROM handelselogg WHERE handling = ?1 ORDER BY id")
        .unwrap();
    st.query_map([handling], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn an_admin_sees_the_live_sessions_and_ends_one() {
    let srv = start();
    let admin = admin(&srv);
    let first = sign_in(srv.addr, "chef");
    let second = sign_in(srv.addr, "chef");
    let (status, page) = get(&srv, &admin, "/anvandare");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Aktiva sessioner"), "{page}");
    // One session id per sign-in, in the form that ends one.
    let ids: Vec<String> = page
        .match_indices("<option value=\"")
        .map(|(i, _)| page[i + 15..].split('"').next().unwrap().to_string())
        .filter(|v| v.len() == 16 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect();
    assert_eq!(ids.len(), 3, "admin and chef twice: {ids:?}");
    // The id is the start of the SHA-256 of the cookie's token.
    let id_of =
        |who: &(String, String)| resurs_web::auth::sha256_hex(who.0.split_once('=').unwrap().1)[..16].to_string();
    assert!(ids.contains(&id_of(&first)) && ids.contains(&id_of(&second)), "{ids:?}");
    let (status, page) = post_form(
        srv.addr,
        &admin,
        "/anvandare/session/avsluta",
        &format!("id={}", id_of(&second)),
    )
    .map_ok();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("är avslutad; hen är utloggad"), "{page}");
    let (s1, _, _) = http(srv.addr, "GET", "/api/mig", &[("Cookie", &first.0)], "");
    let (s2, _, _) = http(srv.addr, "GET", "/api/mig", &[("Cookie", &second.0)], "");
    assert_eq!((s1, s2), (200, 401), "exactly the ended session is signed out");
    let rows = audit_rows(&srv, "avslutad session");
    assert_eq!(rows, vec![("admin".into(), "användare chef".into(), "avslutad".into())]);
    // An unknown or already ended session is a Swedish error, not a crash.
    let (status, page) = post_form(
        srv.addr,
        &admin,
        "/anvandare/session/avsluta",
        &format!("id={}", id_of(&second)),
    )
    .map_ok();
    assert_eq!(status, 200);
    assert!(page.contains("finns inte"), "{page}");
    // Others may not.
    let ekonom = sign_in(srv.addr, "ekonom");
    let (status, _) = post_form(
        srv.addr,
        &ekonom,
        "/anvandare/session/avsluta",
        &format!("id={}", id_of(&first)),
    )
    .map_ok();
    assert_eq!(status, 403);
}

#[test]
fn an_admin_moves_a_unit_manager_and_new_users_default_to_reader() {
    let srv = start();
    let admin = admin(&srv);
    let chef = sign_in(srv.addr, "chef");
    let (_, page) = get(&srv, &admin, "/anvandare");
    // The new-user form starts at the least power.
    let new_user = &page[page.find("id=\"u-roll\"").unwrap()..];
    let new_user = &new_user[..new_user.find("</select>").unwrap()];
    assert!(new_user.contains(r#"<option value="läsare" selected>"#), "{new_user}");
    assert!(!new_user.contains(r#"value="admin" selected"#), "{new_user}");
    // The users table is exportable.
    let (status, csv) = get(&srv, &admin, "/anvandare?tabell=anvandare&format=csv");
    assert_eq!(status, 200);
    assert!(csv.contains("chef;enhetschef;71 Hemtjänst;ja"), "{csv}");
    // A new unit: the chef's sessions end, the change is audited.
    let (status, page) = post_form(srv.addr, &admin, "/anvandare/nod", "namn=chef&nod=72").map_ok();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("chef har nod 72"), "{page}");
    let (status, _, _) = http(srv.addr, "GET", "/api/mig", &[("Cookie", &chef.0)], "");
    assert_eq!(status, 401, "signed out by the change");
    let chef = sign_in(srv.addr, "chef");
    let (_, _, me) = http(srv.addr, "GET", "/api/mig", &[("Cookie", &chef.0)], "");
    assert!(me.contains("\"72\""), "{me}");
    let rows = audit_rows(&srv, "ny nod");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "admin");
    assert!(rows[0].2.starts_with("nod 72; 1 session avslutad"), "{rows:?}");
    // Refusals in Swedish: no such node, not an enhetschef.
    let (_, page) = post_form(srv.addr, &admin, "/anvandare/nod", "namn=chef&nod=999").map_ok();
    assert!(page.contains("noden &quot;999&quot; finns inte"), "{page}");
    let (_, page) = post_form(srv.addr, &admin, "/anvandare/nod", "namn=ekonom&nod=72").map_ok();
    assert!(page.contains("bara en enhetschef har en nod"), "{page}");
}

#[test]
fn the_audit_log_is_in_swedish_time_and_can_be_filtered() {
    let srv = start();
    let admin = admin(&srv);
    {
        let conn = rusqlite::Connection::open(&srv.db).unwrap();
        for (tid, vem, handling) in [
            ("2026-01-15T12:00:00Z", "anna", "ny prognos"),
            ("2026-07-01T12:00:00Z", "anna", "ny användare"),
            // 23:30 UTC on 31 March is 01:30 on 1 April in Stockholm (CEST).
            ("2026-03-31T23:30:00Z", "bertil", "ny prognos"),
        ] {
            conn.execute(
                "INSERT INTO handelselogg (tid, vem, handling, objekt) VALUES (?1, ?2, ?3, 'x')",
                [tid, vem, handling],
            )
            .unwrap();
        }
    }
    let (status, page) = get(&srv, &admin, "/logg");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2026-01-15 13:00:00"), "winter time, +1: {page}");
    assert!(page.contains("2026-07-01 14:00:00"), "summer time, +2: {page}");
    assert!(!page.contains("2026-07-01T12:00:00Z"), "no UTC text on the page");
    let (_, page) = get(&srv, &admin, "/logg?vem=anna&vad=ny+prognos");
    assert!(page.contains("2026-01-15 13:00:00"), "{page}");
    assert!(
        !page.contains("2026-07-01 14:00:00") && !page.contains("bertil</td>"),
        "{page}"
    );
    assert!(page.contains("1 händelse som passar urvalet"), "{page}");
    // Days are Swedish days: the entry at 01:30 on 1 April is in April.
    let (_, page) = get(&srv, &admin, "/logg?fran=2026-04-01&till=2026-04-30");
    assert!(page.contains("2026-04-01 01:30:00"), "{page}");
    assert!(!page.contains("2026-01-15 13:00:00"), "{page}");
    let (_, page) = get(&srv, &admin, "/logg?fran=2026-03-01&till=2026-03-31");
    assert!(!page.contains("2026-04-01 01:30:00"), "{page}");
    // The export follows the filter.
    let (_, csv) = get(&srv, &admin, "/logg?vem=bertil&tabell=logg&format=csv");
    assert!(csv.contains("2026-04-01 01:30:00;bertil;ny prognos"), "{csv}");
    assert!(!csv.contains("anna"), "{csv}");
    // A bad date is a Swedish error naming the field and value, with a way back.
    let (status, page) = get(&srv, &admin, "/logg?fran=2026-02-30");
    assert_eq!(status, 400);
    assert!(page.contains("fran: värdet &quot;2026-02-30&quot;"), "{page}");
    assert!(
        page.contains(r#"<a href="/logg">Tillbaka till händelselogg</a>"#),
        "{page}"
    );
}

#[test]
fn the_csrf_token_is_taken_from_the_form_never_from_the_address() {
    let srv = start();
    let ekonom = sign_in(srv.addr, "ekonom");
    // No page puts the token in an address.
    for path in ["/", "/import", "/uppfoljning?nod=71"] {
        let (status, page) = get(&srv, &ekonom, path);
        assert_eq!(status, 200, "{path}");
        assert!(!page.contains("_csrf="), "{path} has a token in an address");
        assert!(
            page.contains(&format!(r#"name="_csrf" value="{}""#, ekonom.1)),
            "{path}"
        );
    }
    let forecast = "version=P&period=2026-02&nod=711&belopp=1000&kommentar=x&vy=71";
    let post = |path: &str, body: &str| {
        http(
            srv.addr,
            "POST",
            path,
            &[
                ("Cookie", &ekonom.0),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body,
        )
        .0
    };
    assert_eq!(post(&format!("/uppfoljning/prognos?_csrf={}", ekonom.1), forecast), 403);
    assert_eq!(post("/uppfoljning/prognos", &format!("{forecast}&_csrf=fel")), 403);
    assert_eq!(
        post("/uppfoljning/prognos", &format!("{forecast}&_csrf={}", ekonom.1)),
        303
    );
    // A form beyond the bound is refused before it is parsed.
    let big = format!("_csrf={}&kommentar={}", ekonom.1, "x".repeat(300 * 1024));
    assert_eq!(post("/uppfoljning/prognos", &big), 413);
    // Multipart: the token must be the first part.
    let upload = |body: Vec<u8>| {
        let mut req = format!(
            "POST /import HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nCookie: {}\r\n\
             Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
            srv.addr,
            ekonom.0,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(&body);
        raw(srv.addr, &req).0
    };
    let csv = server::LEDGER.as_bytes();
    assert_eq!(upload(form_with_csrf(&ekonom.1, "huvudbok", "hb.csv", csv)), 200);
    let mut late = server::form("huvudbok", "hb.csv", csv);
    late.truncate(late.len() - format!("--{BOUNDARY}--\r\n").len());
    late.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n--{BOUNDARY}--\r\n",
            ekonom.1
        )
        .as_bytes(),
    );
    assert_eq!(upload(late), 403, "a token after the file is not read");
    assert!(srv.state.uploads.len() <= 1);
    let (status, _, _) = http(
        srv.addr,
        "POST",
        &format!("/import?_csrf={}", ekonom.1),
        &[
            ("Cookie", &ekonom.0),
            ("Content-Type", &format!("multipart/form-data; boundary={BOUNDARY}")),
        ],
        &String::from_utf8(server::form("huvudbok", "hb.csv", csv)).unwrap(),
    );
    assert_eq!(status, 403, "a token in the address is not taken for an upload either");
}

#[test]
fn notices_are_fixed_codes_and_errors_offer_a_way_back() {
    let srv = start();
    let ekonom = sign_in(srv.addr, "ekonom");
    for path in [
        "/import?klar=Ring%20supporten",
        "/import?fel=Ring%20supporten",
        "/import?klar=importerad&n=Ring&m=1",
        "/import?klar=%3Cscript%3E",
    ] {
        let (status, page) = get(&srv, &ekonom, path);
        assert_eq!(status, 200, "{path}");
        assert!(!page.contains("Ring supporten") && !page.contains("<script>"), "{path}");
        assert!(!page.contains("class=\"notice"), "{path} shows a notice");
    }
    // Any server process shows the same message for the same address,
    // with thousands separators.
    let (_, page) = get(&srv, &ekonom, "/import?klar=importerad&n=12345&m=7");
    assert!(
        page.contains("Importen är klar: 12\u{a0}345 rader, varav 7 nya."),
        "{page}"
    );
    // A refused forecast is explained on the answer itself, with a link
    // back to the report it came from.
    let (status, _, page) = post_form(
        srv.addr,
        &ekonom,
        "/uppfoljning/prognos",
        "version=P&period=2026-02&nod=711&belopp=tusen&kommentar=x&vy=71",
    );
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Helårsprognos: värdet &quot;tusen&quot;"), "{page}");
    assert!(
        page.contains("href=\"/uppfoljning?period=2026-02&amp;nod=71&amp;layout=kostnad&amp;prognos=P\""),
        "{page}"
    );
    // An unknown page says so and links home.
    let (status, page) = get(&srv, &ekonom, "/finns-inte");
    assert_eq!(status, 404);
    assert!(page.contains("href=\"/\""), "{page}");
}

trait MapOk {
    fn map_ok(self) -> (u16, String);
}
impl MapOk for (u16, String, String) {
    fn map_ok(self) -> (u16, String) {
        (self.0, self.2)
    }
}
