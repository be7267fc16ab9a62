//! Audit log and user administration.

use super::*;
use axum::extract::RawQuery;
use resurs_io::grid::{Cell, Col, Grid};

pub(crate) async fn audit_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.sees_all() {
            return Err(Fail::forbidden("Händelseloggen gäller hela organisationen; din roll ser bara sin egen del."));
        }
        let rows = st.with_store(|s| Ok(s.audit_log(1000)?))?;
        let mut g = Grid::new(
            "logg",
            "Händelselogg",
            ["Tid (UTC)", "Vem", "Vad", "Objekt", "Före", "Efter"].into_iter().map(Col::text).collect(),
        );
        for r in &rows {
            g.push(vec![
                Cell::text(&r.tid),
                Cell::text(&r.vem),
                Cell::text(&r.handling),
                Cell::text(&r.objekt),
                Cell::text(r.fore.as_deref().unwrap_or("–")),
                Cell::text(r.efter.as_deref().unwrap_or("–")),
            ]);
        }
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                p.meta { "Varje ändring, från webben och från kommandoraden (cli:NAMN): importer, prognoser, specialposter, modeller, budgetversioner, register, användare och API-nycklar. Senaste först (högst 1 000)." }
                (ui::grid(&g, &raw))
            }
        }))
    })
    .await;
    render(&pu, "Händelselogg", "logg", r)
}

pub(crate) fn users_markup(st: &AppState, csrf: &str, msg: Option<Markup>) -> Result<Markup, Fail> {
    let (users, tokens, nodes) = st.with_store(|s| Ok((s.users()?, s.tokens()?, s.org_nodes()?)))?;
    // The newest name of each organisation code (rows are in import order).
    let node_names: std::collections::HashMap<String, String> = nodes.into_iter().map(|n| (n.kod, n.namn)).collect();
    let node = |k: &Option<String>| match k {
        None => "–".to_string(),
        Some(k) => match node_names.get(k) {
            Some(n) => format!("{k} {n}"),
            None => k.clone(),
        },
    };
    Ok(html! {
        @if let Some(m) = msg { (m) }
        p.meta { "Ett nytt lösenord, en ny roll eller en avaktivering avslutar användarens sessioner och återkallar hens API-nycklar på en gång. En avaktiverad användare kan varken logga in eller använda nycklar." }
        table.users {
            thead { tr { th scope="col" { "Användare" } th scope="col" { "Roll" } th scope="col" { "Nod" } th scope="col" { "Aktiv" } th scope="col" { "Åtgärd" } } }
            tbody {
                @for u in &users {
                    tr id={ "u-" (u.namn) } {
                        th scope="row" { (u.namn) } td { (u.roll) } td { (node(&u.nod)) } td { (if u.aktiv { "ja" } else { "nej" }) }
                        td {
                            form.inline method="post" action=(ui::action("/anvandare/aktiv", csrf)) {
                                input type="hidden" name="namn" value=(u.namn);
                                input type="hidden" name="aktiv" value=(if u.aktiv { "nej" } else { "ja" });
                                button.secondary type="submit" { (if u.aktiv { "Avaktivera" } else { "Aktivera" }) }
                            }
                        }
                    }
                }
            }
        }
        h2 { "API-nycklar" }
        @if tokens.is_empty() { p { "Inga API-nycklar." } } @else {
            table.tokens {
                thead { tr { th scope="col" { "Användare" } th scope="col" { "Vad nyckeln är till för" } th scope="col" { "Skapad" } th scope="col" { "Status" } th scope="col" { "Åtgärd" } } }
                tbody {
                    @for t in &tokens {
                        tr id={ "k-" (t.id) } {
                            td { (t.anvandare) } td { (t.namn) } td { (t.skapad) }
                            td { @if let Some(a) = &t.aterkallad { "återkallad " (a) } @else { "giltig" } }
                            td {
                                @if t.aterkallad.is_none() {
                                    form.inline method="post" action=(ui::action("/anvandare/nyckel/aterkalla", csrf)) {
                                        input type="hidden" name="id" value=(t.id);
                                        button.secondary type="submit" { "Återkalla" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Ny användare" }
        form.grid method="post" action=(ui::action("/anvandare", csrf)) {
            label for="u-namn" { "Användarnamn" }
            input id="u-namn" name="namn" type="text" required autocomplete="off";
            label for="u-roll" { "Roll" }
            select id="u-roll" name="roll" { @for r in Roll::ALL { option value=(r.name()) { (r.name()) } } }
            label for="u-nod" { "Nod (bara enhetschef)" }
            input id="u-nod" name="nod" type="text";
            label for="u-pw" { "Lösenord (minst " (auth::MIN_PASSWORD) " tecken)" }
            input id="u-pw" name="losenord" type="password" required autocomplete="new-password";
            button type="submit" { "Lägg till" }
        }
        h2 { "Ny roll" }
        form.grid method="post" action=(ui::action("/anvandare/roll", csrf)) {
            label for="r-namn" { "Användare" }
            select id="r-namn" name="namn" { @for u in &users { option { (u.namn) } } }
            label for="r-roll" { "Roll" }
            select id="r-roll" name="roll" { @for r in Roll::ALL { option value=(r.name()) { (r.name()) } } }
            label for="r-nod" { "Nod (bara enhetschef)" }
            input id="r-nod" name="nod" type="text";
            button type="submit" { "Byt roll" }
        }
        h2 { "Nytt lösenord" }
        form.grid method="post" action=(ui::action("/anvandare/losenord", csrf)) {
            label for="p-namn" { "Användare" }
            select id="p-namn" name="namn" { @for u in &users { option { (u.namn) } } }
            label for="p-pw" { "Nytt lösenord (minst " (auth::MIN_PASSWORD) " tecken)" }
            input id="p-pw" name="losenord" type="password" required autocomplete="new-password";
            button type="submit" { "Byt lösenord" }
        }
        h2 { "Ny API-nyckel" }
        form.grid method="post" action=(ui::action("/anvandare/nyckel", csrf)) {
            label for="k-namn" { "Användare" }
            select id="k-namn" name="namn" { @for u in users.iter().filter(|u| u.aktiv) { option { (u.namn) } } }
            label for="k-etikett" { "Vad nyckeln är till för" }
            input id="k-etikett" name="etikett" type="text" required;
            button type="submit" { "Skapa nyckel" }
        }
    })
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
        users_markup(st, &csrf, Some(msg))
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

pub(crate) async fn users_page(State(st): State<Shared>, pu: PageUser) -> Response {
    let (user, csrf) = (pu.user.clone(), pu.csrf.clone());
    let r = blocking(&st, move |st| {
        if user.roll != Roll::Admin {
            return Err(Fail::forbidden("Användare hanteras av rollen admin."));
        }
        users_markup(st, &csrf, None)
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
        users_markup(st, &csrf, Some(msg))
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
        users_markup(st, &csrf, Some(msg))
    })
    .await;
    render(&pu, "Användare", "anv", r)
}
