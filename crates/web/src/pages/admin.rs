//! Audit log and user administration.

use super::*;
use axum::extract::RawQuery;
use resurs_io::grid::{Cell, Col, Grid};

/// The audit log's filters (all optional): who, what, from and to a day
/// (Swedish dates, both inclusive).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AuditQ {
    vem: Option<String>,
    vad: Option<String>,
    fran: Option<String>,
    till: Option<String>,
}

fn day_of(field: &str, raw: &Option<String>) -> Result<Option<chrono::NaiveDate>, Fail> {
    match given(raw) {
        None => Ok(None),
        Some(d) => resurs_core::date::parse_date(d).map(Some).ok_or_else(|| {
            Fail::bad(format!(
                "{field}: värdet \"{d}\", förväntade ett datum ÅÅÅÅ-MM-DD, t.ex. 2026-03-01"
            ))
        }),
    }
}

/// Most entries the page shows (and exports) at once.
const AUDIT_MAX: i64 = 1000;

pub(crate) async fn audit_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(eq): Query<ui::ExportQ>,
    Query(aq): Query<AuditQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.sees_all() {
            return Err(Fail::forbidden("Händelseloggen gäller hela organisationen; din roll ser bara sin egen del."));
        }
        let (fran, till) = (day_of("fran", &aq.fran)?, day_of("till", &aq.till)?);
        let utc = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let filter = resurs_store::AuditFilter {
            vem: given(&aq.vem).unwrap_or("").to_string(),
            handling: given(&aq.vad).unwrap_or("").to_string(),
            fran: fran.map_or(String::new(), |d| utc(resurs_core::date::utc_of_stockholm_midnight(d))),
            till: till
                .and_then(|d| d.succ_opt())
                .map_or(String::new(), |d| utc(resurs_core::date::utc_of_stockholm_midnight(d))),
        };
        let (rows, (people, kinds)) =
            st.with_store(|s| Ok((s.audit_log_filtered(&filter, AUDIT_MAX)?, s.audit_choices()?)))?;
        let mut g = Grid::new(
            "logg",
            "Händelselogg",
            ["Tid", "Vem", "Vad", "Objekt", "Före", "Efter"].into_iter().map(Col::text).collect(),
        );
        for r in &rows {
            g.push(vec![
                Cell::text(resurs_core::date::stockholm_text(&r.tid)),
                Cell::text(&r.vem),
                Cell::text(&r.handling),
                Cell::text(&r.objekt),
                Cell::text(r.fore.as_deref().unwrap_or("–")),
                Cell::text(r.efter.as_deref().unwrap_or("–")),
            ]);
        }
        let raw = raw.unwrap_or_default();
        let shown = resurs_io::grid::Kind::Count.show(rows.len() as i64);
        let filtered = !filter.vem.is_empty() || !filter.handling.is_empty() || fran.is_some() || till.is_some();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                p.meta { "Varje ändring, från webben och från kommandoraden (cli:NAMN): importer, prognoser, specialposter, modeller, budgetversioner, register, användare, sessioner och API-nycklar. Senaste först, tider i svensk tid (högst " (resurs_io::grid::Kind::Count.show(AUDIT_MAX)) " åt gången)." }
                form.inline.filter method="get" action="/logg" {
                    label for="l-vem" { "Vem" }
                    select id="l-vem" name="vem" {
                        option value="" { "alla" }
                        @for p in &people { option value=(p) selected[given(&aq.vem) == Some(p.as_str())] { (p) } }
                    }
                    label for="l-vad" { "Vad" }
                    select id="l-vad" name="vad" {
                        option value="" { "allt" }
                        @for k in &kinds { option value=(k) selected[given(&aq.vad) == Some(k.as_str())] { (k) } }
                    }
                    label for="l-fran" { "Från" }
                    input id="l-fran" name="fran" type="date" value=(fran.map_or(String::new(), |d| d.to_string()));
                    label for="l-till" { "Till och med" }
                    input id="l-till" name="till" type="date" value=(till.map_or(String::new(), |d| d.to_string()));
                    button type="submit" { "Visa" }
                    @if filtered { " " a href="/logg" { "Visa allt" } }
                }
                p.meta.count { (shown) (if rows.len() == 1 { " händelse" } else { " händelser" }) (if filtered { " som passar urvalet" } else { "" }) "." }
                (ui::grid(&g, &raw))
            }
        }))
    })
    .await;
    render(&pu, "Händelselogg", "logg", r)
}

/// The users page; `eq`/`raw` are the page's query (export links point to
/// `/anvandare`, also from the answer to a change).
pub(crate) fn users_markup(
    st: &AppState,
    csrf: &str,
    msg: Option<Markup>,
    eq: &ui::ExportQ,
    raw: &str,
) -> Result<Out, Fail> {
    use resurs_core::date::{stockholm_of_unix, stockholm_text};
    let (users, tokens, sessions, nodes) = st.with_store(|s| {
        Ok((
            s.users()?,
            s.tokens()?,
            resurs_app::users::sessions(s, None)?,
            s.org_nodes()?,
        ))
    })?;
    // The newest name of each organisation code (rows are in import order).
    let node_names: std::collections::HashMap<String, String> = nodes.into_iter().map(|n| (n.kod, n.namn)).collect();
    let node = |k: &Option<String>| match k {
        None => "–".to_string(),
        Some(k) => match node_names.get(k) {
            Some(n) => format!("{k} {n}"),
            None => k.clone(),
        },
    };
    let mut ug = Grid::new(
        "anvandare",
        "Användare",
        ["Användare", "Roll", "Nod", "Aktiv"]
            .into_iter()
            .map(Col::text)
            .collect(),
    );
    for u in &users {
        ug.push(vec![
            Cell::text(&u.namn),
            Cell::text(&u.roll),
            Cell::text(node(&u.nod)),
            Cell::text(if u.aktiv { "ja" } else { "nej" }),
        ]);
    }
    let mut sg = Grid::new(
        "sessioner",
        "Aktiva sessioner",
        ["Session", "Användare", "Inloggad", "Går ut"]
            .into_iter()
            .map(Col::text)
            .collect(),
    );
    for x in &sessions {
        sg.push(vec![
            Cell::text(&x.id),
            Cell::text(&x.anvandare),
            Cell::text(stockholm_of_unix(x.skapad)),
            Cell::text(stockholm_of_unix(x.utgar)),
        ]);
    }
    let mut tg = Grid::new(
        "nycklar",
        "API-nycklar",
        ["Användare", "Vad nyckeln är till för", "Skapad", "Status"]
            .into_iter()
            .map(Col::text)
            .collect(),
    );
    for t in &tokens {
        tg.push(vec![
            Cell::text(&t.anvandare),
            Cell::text(&t.namn),
            Cell::text(stockholm_text(&t.skapad)),
            Cell::text(match &t.aterkallad {
                Some(a) => format!("återkallad {}", stockholm_text(a)),
                None => "giltig".into(),
            }),
        ]);
    }
    let valid: Vec<_> = tokens.iter().filter(|t| t.aterkallad.is_none()).collect();
    let chiefs: Vec<_> = users.iter().filter(|u| u.roll == Roll::Enhetschef.name()).collect();
    Ok(Out::page_or_export(eq, &[&ug, &sg, &tg], || {
        html! {
            @if let Some(m) = msg { (m) }
            p.meta { "Ett nytt lösenord, en ny roll, en ny nod eller en avaktivering avslutar användarens sessioner och återkallar hens API-nycklar på en gång. En avaktiverad användare kan varken logga in eller använda nycklar. Tider i svensk tid. Varje ändring skrivs i händelseloggen." }
            (ui::grid_at(&ug, "/anvandare", raw))
            h2 { "Avaktivera eller aktivera" }
            form.grid method="post" action="/anvandare/aktiv" {
                (ui::csrf_field(csrf))
                label for="a-namn" { "Användare" }
                select id="a-namn" name="namn" {
                    @for u in &users { option value=(u.namn) { (u.namn) (if u.aktiv { " (aktiv)" } else { " (avaktiverad)" }) } }
                }
                div.actions {
                    button.secondary type="submit" name="aktiv" value="nej" { "Avaktivera" }
                    button.secondary type="submit" name="aktiv" value="ja" { "Aktivera" }
                }
            }
            h2 { "Aktiva sessioner" }
            (ui::grid_at(&sg, "/anvandare", raw))
            @if !sessions.is_empty() {
                form.grid method="post" action="/anvandare/session/avsluta" {
                    (ui::csrf_field(csrf))
                    label for="s-id" { "Session" }
                    select id="s-id" name="id" {
                        @for x in &sessions { option value=(x.id) { (x.anvandare) ", inloggad " (stockholm_of_unix(x.skapad)) " (" (x.id) ")" } }
                    }
                    button.secondary type="submit" { "Avsluta sessionen" }
                }
            }
            h2 { "API-nycklar" }
            (ui::grid_at(&tg, "/anvandare", raw))
            @if !valid.is_empty() {
                form.grid method="post" action="/anvandare/nyckel/aterkalla" {
                    (ui::csrf_field(csrf))
                    label for="k-id" { "Nyckel" }
                    select id="k-id" name="id" {
                        @for t in &valid { option value=(t.id) { (t.anvandare) ": " (t.namn) " (skapad " (stockholm_text(&t.skapad)) ")" } }
                    }
                    button.secondary type="submit" { "Återkalla" }
                }
            }
            h2 { "Ny användare" }
            form.grid method="post" action="/anvandare" {
                (ui::csrf_field(csrf))
                label for="u-namn" { "Användarnamn" }
                input id="u-namn" name="namn" type="text" required autocomplete="off";
                label for="u-roll" { "Roll" }
                // The least power by default: a new user reads only.
                select id="u-roll" name="roll" { @for r in Roll::ALL { option value=(r.name()) selected[r == Roll::Lasare] { (r.name()) } } }
                label for="u-nod" { "Nod (bara enhetschef)" }
                input id="u-nod" name="nod" type="text";
                label for="u-pw" { "Lösenord (minst " (auth::MIN_PASSWORD) " tecken)" }
                input id="u-pw" name="losenord" type="password" required autocomplete="new-password";
                button type="submit" { "Lägg till" }
            }
            h2 { "Ny roll" }
            form.grid method="post" action="/anvandare/roll" {
                (ui::csrf_field(csrf))
                label for="r-namn" { "Användare" }
                select id="r-namn" name="namn" { @for u in &users { option { (u.namn) } } }
                label for="r-roll" { "Roll" }
                select id="r-roll" name="roll" { @for r in Roll::ALL { option value=(r.name()) selected[r == Roll::Lasare] { (r.name()) } } }
                label for="r-nod" { "Nod (bara enhetschef)" }
                input id="r-nod" name="nod" type="text";
                button type="submit" { "Byt roll" }
            }
            h2 { "Ny nod för en enhetschef" }
            @if chiefs.is_empty() { p { "Ingen användare har rollen enhetschef." } } @else {
                form.grid method="post" action="/anvandare/nod" {
                    (ui::csrf_field(csrf))
                    label for="n-namn" { "Enhetschef" }
                    select id="n-namn" name="namn" { @for u in &chiefs { option value=(u.namn) { (u.namn) " (nod " (u.nod.as_deref().unwrap_or("–")) ")" } } }
                    label for="n-nod" { "Ny nod" }
                    input id="n-nod" name="nod" type="text" required;
                    button type="submit" { "Byt nod" }
                }
            }
            h2 { "Nytt lösenord" }
            form.grid method="post" action="/anvandare/losenord" {
                (ui::csrf_field(csrf))
                label for="p-namn" { "Användare" }
                select id="p-namn" name="namn" { @for u in &users { option { (u.namn) } } }
                label for="p-pw" { "Nytt lösenord (minst " (auth::MIN_PASSWORD) " tecken)" }
                input id="p-pw" name="losenord" type="password" required autocomplete="new-password";
                button type="submit" { "Byt lösenord" }
            }
            h2 { "Ny API-nyckel" }
            form.grid method="post" action="/anvandare/nyckel" {
                (ui::csrf_field(csrf))
                label for="k-namn" { "Användare" }
                select id="k-namn" name="namn" { @for u in users.iter().filter(|u| u.aktiv) { option { (u.namn) } } }
                label for="k-etikett" { "Vad nyckeln är till för" }
                input id="k-etikett" name="etikett" type="text" required;
                button type="submit" { "Skapa nyckel" }
            }
        }
    }))
}

/// An admin's change on the users page: runs `f` as the signed-in admin
/// (the use case audits it) and shows the page with its message.
pub(crate) async fn admin_change(
    st: Shared,
    pu: &PageUser,
    f: impl FnOnce(&mut resurs_store::Store, &resurs_app::Actor) -> Result<String, resurs_app::AppError> + Send + 'static,
) -> Response {
    let (user, csrf) = (pu.user.clone(), pu.csrf.clone());
    let r = blocking(&st, move |st| {
        if user.roll != Roll::Admin {
            return Err(Fail::forbidden("Användare hanteras av rollen admin."));
        }
        let actor = resurs_app::Actor::new(user.namn.clone());
        let msg = match st.with_store(|s| Ok(f(s, &actor)))? {
            Ok(text) => ui::notice("ok", &text),
            Err(e) if !e.is_internal() => ui::notice("err", &e.to_string()),
            Err(e) => return Err(e.into()),
        };
        users_markup(st, &csrf, Some(msg), &ui::ExportQ::default(), "")
    })
    .await;
    render(pu, "Användare", "anv", r)
}

#[derive(Deserialize)]
pub(crate) struct ActiveForm {
    namn: String,
    aktiv: String,
}

pub(crate) async fn set_active(State(st): State<Shared>, pu: PageUser, Form(f): Form<ActiveForm>) -> Response {
    let aktiv = f.aktiv == "ja";
    admin_change(st, &pu, move |s, actor| {
        let done = resurs_app::users::set_active(s, actor, &f.namn, aktiv)?;
        Ok(if aktiv {
            format!("{} är aktiverad.", f.namn)
        } else {
            format!("{} är avaktiverad: {done}.", f.namn)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct RoleForm {
    namn: String,
    roll: String,
    nod: Option<String>,
}

pub(crate) async fn set_role(State(st): State<Shared>, pu: PageUser, Form(f): Form<RoleForm>) -> Response {
    admin_change(st, &pu, move |s, actor| {
        let Some(roll) = Roll::parse(&f.roll) else {
            return Err(resurs_app::AppError::User(format!(
                "roll: värdet \"{}\", förväntade admin, ekonom, enhetschef eller läsare",
                f.roll
            )));
        };
        let ended = resurs_app::users::set_role(s, actor, &f.namn, roll, f.nod.as_deref())?;
        Ok(format!("{} har rollen {}: {ended}.", f.namn, roll.name()))
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct UnitForm {
    namn: String,
    nod: String,
}

pub(crate) async fn set_unit(State(st): State<Shared>, pu: PageUser, Form(f): Form<UnitForm>) -> Response {
    admin_change(st, &pu, move |s, actor| {
        let ended = resurs_app::users::set_unit(s, actor, &f.namn, &f.nod)?;
        Ok(format!("{} har nod {}: {ended}.", f.namn, f.nod.trim()))
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct EndSessionForm {
    id: String,
}

pub(crate) async fn end_session(State(st): State<Shared>, pu: PageUser, Form(f): Form<EndSessionForm>) -> Response {
    admin_change(st, &pu, move |s, actor| {
        let namn = resurs_app::users::end_session(s, actor, &f.id)?;
        Ok(format!(
            "Sessionen {} för {namn} är avslutad; hen är utloggad.",
            f.id.trim()
        ))
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    namn: String,
    losenord: String,
}

pub(crate) async fn set_password(State(st): State<Shared>, pu: PageUser, Form(f): Form<PasswordForm>) -> Response {
    admin_change(st, &pu, move |s, actor| {
        resurs_app::users::set_password(s, actor, &f.namn, &f.losenord)?;
        Ok(format!(
            "Lösenordet för {} är bytt; hens sessioner är avslutade och API-nycklar återkallade.",
            f.namn
        ))
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct RevokeForm {
    id: String,
}

pub(crate) async fn revoke_token(State(st): State<Shared>, pu: PageUser, Form(f): Form<RevokeForm>) -> Response {
    admin_change(st, &pu, move |s, actor| {
        let id: i64 =
            f.id.trim()
                .parse()
                .map_err(|_| resurs_app::AppError::User(format!("id: värdet \"{}\", förväntade ett heltal", f.id)))?;
        let (namn, etikett) = resurs_app::users::revoke_token_id(s, actor, id)?;
        Ok(format!("API-nyckeln \"{etikett}\" för {namn} är återkallad."))
    })
    .await
}

pub(crate) async fn users_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (user, csrf) = (pu.user.clone(), pu.csrf.clone());
    let r = blocking(&st, move |st| {
        if user.roll != Roll::Admin {
            return Err(Fail::forbidden("Användare hanteras av rollen admin."));
        }
        users_markup(st, &csrf, None, &eq, &raw.unwrap_or_default())
    })
    .await;
    render(&pu, "Användare", "anv", r)
}

#[derive(Deserialize)]
pub(crate) struct NewUser {
    namn: String,
    roll: String,
    nod: Option<String>,
    losenord: String,
}

pub(crate) async fn add_user(State(st): State<Shared>, pu: PageUser, Form(f): Form<NewUser>) -> Response {
    let (user, csrf) = (pu.user.clone(), pu.csrf.clone());
    let r = blocking(&st, move |st| {
        if user.roll != Roll::Admin {
            return Err(Fail::forbidden("Användare hanteras av rollen admin."));
        }
        let msg = match Roll::parse(&f.roll) {
            None => ui::notice(
                "err",
                &format!(
                    "roll: värdet \"{}\", förväntade admin, ekonom, enhetschef eller läsare",
                    f.roll
                ),
            ),
            Some(roll) => match st.with_store(|s| {
                let actor = resurs_app::Actor::new(user.namn.clone());
                Ok(resurs_app::users::add_user(
                    s,
                    &actor,
                    f.namn.trim(),
                    roll,
                    f.nod.as_deref(),
                    &f.losenord,
                ))
            })? {
                Ok(()) => ui::notice("ok", &format!("Användaren {} är tillagd.", f.namn.trim())),
                Err(e) if !e.is_internal() => ui::notice("err", &e.to_string()),
                Err(e) => return Err(e.into()),
            },
        };
        users_markup(st, &csrf, Some(msg), &ui::ExportQ::default(), "")
    })
    .await;
    render(&pu, "Användare", "anv", r)
}

#[derive(Deserialize)]
pub(crate) struct NewToken {
    namn: String,
    etikett: String,
}

pub(crate) async fn issue_token(State(st): State<Shared>, pu: PageUser, Form(f): Form<NewToken>) -> Response {
    let (user, csrf) = (pu.user.clone(), pu.csrf.clone());
    let r = blocking(&st, move |st| {
        if user.roll != Roll::Admin {
            return Err(Fail::forbidden("API-nycklar utfärdas av rollen admin."));
        }
        let actor = resurs_app::Actor::new(user.namn.clone());
        let msg = match st.with_store(|s| Ok(resurs_app::users::issue_token(s, &actor, &f.namn, f.etikett.trim())))? {
            Ok(token) => html! {
                p.notice.ok role="status" { "Nyckeln för " (f.namn) " visas bara nu; spara den: " code.token { (token) } }
            },
            Err(e) if !e.is_internal() => ui::notice("err", &e.to_string()),
            Err(e) => return Err(e.into()),
        };
        users_markup(st, &csrf, Some(msg), &ui::ExportQ::default(), "")
    })
    .await;
    render(&pu, "Användare", "anv", r)
}
