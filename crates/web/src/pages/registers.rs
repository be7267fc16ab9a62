//! Ekonomi: the registers beside the ledger (intraprenad result funds,
//! action plans, state grants, investments, special effects), read by
//! every role in its part and changed by controllers in forms that call the
//! CLI's use cases. See `ekonomi.rs` for the rules all Ekonomi pages share.

use super::ekonomi::*;
use super::*;
use crate::notice::{Notice, Register};
use axum::extract::RawQuery;
use resurs_app::registertabeller::{self, Enhet, Vy};
use resurs_io::grid::Kind;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/ekonomi/intraprenad", get(intraprenad_page).post(save_intraprenad))
        .route("/ekonomi/atgarder", get(measures_page).post(save_measure))
        .route("/ekonomi/statsbidrag", get(grants_page).post(save_grant))
        .route("/ekonomi/investeringar", get(investments_page).post(save_investment))
        .route("/ekonomi/specialposter", get(effects_page).post(save_effect))
}

pub(crate) async fn intraprenad_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let Part { data: r, all } = intraprenad_for(st, &user, period)?;
        let rows: Vec<_> = r.rader.iter().collect();
        let code = |k: &str| k.to_string();
        let g = registertabeller::intraprenad(&rows, r.ar, &code, Enhet::Tkr, Vy::Sida, all.then_some(&r.summa));
        let labels: Vec<String> = r.rader.iter().map(|x| format!("{} {}", x.utforare, x.namn)).collect();
        let chart = ui::bar_chart(
            "intraprenad-diagram",
            &format!("Resultatfond {}: ingående och utgående", r.ar),
            "tkr",
            Kind::Tkr,
            &labels,
            &[
                ui::Bars {
                    name: "Ingående",
                    values: r.rader.iter().map(|x| Some(x.fond.ingaende)).collect(),
                },
                ui::Bars {
                    name: "Utgående",
                    values: r.rader.iter().map(|x| Some(x.fond.utgaende)).collect(),
                },
            ],
        );
        let note = shown_notice(&q);
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/intraprenad"))
                (period_form("/ekonomi/intraprenad", period, &[]))
                p.meta {
                    "Intraprenadernas resultatfond " (r.ar) " till och med " (r.period) ". Utgående = ingående + överskott − underskott − uttag. Årets resultat = budget − utfall för ett stängt år, annars budget − prognos (utfall + återstående budget). Samma siffror som "
                    code { "resurs intraprenad show --period " (period) } "."
                }
                (part_note(all))
                @if !r.rader.is_empty() { (chart) }
                (ui::grid(&g, &raw))
                @if user.is_controller() { (intraprenad_form(&csrf, &r)) }
            }
        }))
    })
    .await;
    render(&pu, "Intraprenader", "ekonomi", r)
}

pub(crate) async fn measures_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let (list, tree) = measures_for(st, &user, year)?;
        let label = |k: &str| node_label(&tree, k);
        let g = registertabeller::atgarder(&list, year, &label, Enhet::Tkr, Vy::Sida);
        let note = shown_notice(&q);
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/atgarder"))
                (year_form("/ekonomi/atgarder", year))
                p.meta { "Åtgärdsplaner och effektiviseringskrav " (year) " (samma siffror som " code { "resurs atgard list --year " (year) } "). Uppnått = effekt hittills ÷ planerad effekt." }
                @if list.is_empty() { p { "Inga åtgärder " (year) " i din del av organisationen." } } @else { (ui::grid(&g, &raw)) }
                @if user.is_controller() { (measure_form(&csrf, &tree, year)) }
            }
        }))
    })
    .await;
    render(&pu, "Åtgärdsplaner", "ekonomi", r)
}

pub(crate) async fn grants_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let (list, tree) = grants_for(st, &user, year)?;
        let label = |k: &str| node_label(&tree, k);
        let g = registertabeller::statsbidrag(&list, year, &label, Enhet::Kr, Vy::Sida);
        let labels: Vec<String> = list.iter().map(|x| x.namn.clone()).collect();
        let chart = ui::bar_chart(
            "statsbidrag-diagram",
            &format!("Statsbidrag {year}: belopp och använt"),
            "kr",
            Kind::KrWhole,
            &labels,
            &[
                ui::Bars {
                    name: "Belopp",
                    values: list.iter().map(|x| Some(x.belopp)).collect(),
                },
                ui::Bars {
                    name: "Använt",
                    values: list.iter().map(|x| Some(x.anvant)).collect(),
                },
            ],
        );
        let note = shown_notice(&q);
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/statsbidrag"))
                (year_form("/ekonomi/statsbidrag", year))
                p.meta { "Riktade statsbidrag " (year) " (samma siffror som " code { "resurs statsbidrag list --year " (year) } "). Kvar = belopp − använt." }
                @if list.is_empty() { p { "Inga statsbidrag " (year) " i din del av organisationen." } } @else { (chart) (ui::grid(&g, &raw)) }
                @if user.is_controller() { (grant_form(&csrf, &tree, year)) }
            }
        }))
    })
    .await;
    render(&pu, "Statsbidrag", "ekonomi", r)
}

pub(crate) async fn investments_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let (list, tree) = investments_for(st, &user, year)?;
        let label = |k: &str| node_label(&tree, k);
        let g = registertabeller::investeringar(&list, year, &label, Enhet::Tkr, Vy::Sida);
        let labels: Vec<String> = list.iter().map(|x| x.projekt.clone()).collect();
        let chart = ui::bar_chart(
            "investeringar-diagram",
            &format!("Investeringar {year}: budget och utfall"),
            "tkr",
            Kind::Tkr,
            &labels,
            &[
                ui::Bars {
                    name: "Budget",
                    values: list.iter().map(|x| Some(x.budget)).collect(),
                },
                ui::Bars {
                    name: "Utfall",
                    values: list.iter().map(|x| Some(x.utfall)).collect(),
                },
            ],
        );
        let note = shown_notice(&q);
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/investeringar"))
                (year_form("/ekonomi/investeringar", year))
                p.meta { "Investeringar " (year) " (samma siffror som " code { "resurs investering list --year " (year) } "). Förbrukat = utfall ÷ budget." }
                @if list.is_empty() { p { "Inga investeringar " (year) " i din del av organisationen." } } @else { (chart) (ui::grid(&g, &raw)) }
                @if user.is_controller() { (investment_form(&csrf, &tree, year)) }
            }
        }))
    })
    .await;
    render(&pu, "Investeringar", "ekonomi", r)
}

pub(crate) async fn effects_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let (list, tree) = effects_for(st, &user, year)?;
        let label = |k: &str| node_label(&tree, k);
        let g = registertabeller::specialposter(&list, year, &label, Enhet::Kr, Vy::Sida);
        let note = shown_notice(&q);
        let form_period = tree_period(st, year)?;
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/specialposter"))
                (year_form("/ekonomi/specialposter", year))
                p.meta {
                    "Märkta delar av utfall och prognos " (year) " (läggs till med " code { "resurs effect add" } "). Uppföljningen visar dem som egna rader under sin nod; kostnader positiva."
                }
                @if list.is_empty() { p { "Inga specialposter " (year) " i din del av organisationen." } } @else { (ui::grid(&g, &raw)) }
                @if user.is_controller() { (effect_form(&csrf, &tree, form_period)) }
            }
        }))
    })
    .await;
    render(&pu, "Specialposter", "ekonomi", r)
}

// ---------------------------------------------------------------- changes (controllers)

/// A year from a form field.
fn form_year(raw: &str) -> Result<i32, Fail> {
    let a = raw.trim();
    a.parse::<i32>()
        .ok()
        .filter(|y| resurs_core::limits::year_ok(*y))
        .ok_or_else(|| {
            Fail::bad(format!(
                "År: värdet \"{a}\", förväntade ett år mellan 1900 och 2100, t.ex. 2026"
            ))
        })
}

/// An amount in kronor from a form field; empty is 0.
fn form_amount(field: &str, raw: &str) -> Result<Money, Fail> {
    if raw.trim().is_empty() {
        Ok(Money::ZERO)
    } else {
        parse_amount(field, raw)
    }
}

/// The node field: a choice among the tree's nodes.
fn node_select(id: &str, tree: &Tree) -> Markup {
    let mut nodes: Vec<(&String, &String)> = tree.names.iter().collect();
    nodes.sort();
    html! {
        select id=(id) name="nod" required {
            @for (k, n) in nodes { option value=(k) { (k) " " (n) } }
        }
    }
}

fn amount_input(id: &str, name: &str, required: bool) -> Markup {
    html! { input id=(id) name=(name) type="text" inputmode="decimal" required[required] placeholder="t.ex. 1 250 000"; }
}

fn form_section(title: &str, intro: &str, body: Markup) -> Markup {
    html! {
        section.noprint.register-form {
            h2 { (title) }
            p.meta { (intro) }
            (body)
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct MeasureForm {
    slag: String,
    plan: String,
    nod: String,
    ar: String,
    atgard: String,
    planerad: String,
    #[serde(default)]
    hittills: String,
    #[serde(default)]
    prognos: String,
    #[serde(default)]
    kommentar: String,
}

pub(crate) fn measure_form(csrf: &str, tree: &Tree, year: i32) -> Markup {
    form_section(
        "Lägg till eller ändra en åtgärd",
        "Samma plan, år och åtgärd ersätts (som resurs atgard add). Belopp i kronor. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action="/ekonomi/atgarder" {
                (ui::csrf_field(csrf))
                label for="m-slag" { "Slag" }
                select id="m-slag" name="slag" { @for k in resurs_app::registers::MEASURE_KINDS { option { (k) } } }
                label for="m-plan" { "Plan" } input id="m-plan" name="plan" type="text" required;
                label for="m-nod" { "Nod" } (node_select("m-nod", tree))
                label for="m-ar" { "År" } input id="m-ar" name="ar" type="number" min="1900" max="2100" value=(year) required;
                label for="m-atgard" { "Åtgärd" } input id="m-atgard" name="atgard" type="text" required;
                label for="m-planerad" { "Planerad effekt, kr" } (amount_input("m-planerad", "planerad", true))
                label for="m-hittills" { "Effekt hittills, kr" } (amount_input("m-hittills", "hittills", false))
                label for="m-prognos" { "Prognos för året, kr" } (amount_input("m-prognos", "prognos", false))
                label for="m-kommentar" { "Kommentar" } input id="m-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara åtgärden" }
            }
        },
    )
}

pub(crate) async fn save_measure(State(st): State<Shared>, pu: PageUser, Form(f): Form<MeasureForm>) -> Response {
    let back = format!("/ekonomi/atgarder?ar={}", ui::urlencode(f.ar.trim()));
    let done = Notice::RegisterSparat(Register::Atgard);
    save(st, pu, back, done, move |st, actor| {
        let year = form_year(&f.ar)?;
        let (p, h, g) = (
            parse_amount("Planerad effekt", &f.planerad)?,
            form_amount("Effekt hittills", &f.hittills)?,
            form_amount("Prognos", &f.prognos)?,
        );
        st.with_store(|s| {
            Ok(resurs_app::registers::set_measure(
                s,
                actor,
                &f.slag,
                &f.plan,
                &f.nod,
                year,
                &f.atgard,
                p,
                h,
                g,
                &f.kommentar,
            )?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct GrantForm {
    namn: String,
    ar: String,
    nod: String,
    belopp: String,
    #[serde(default)]
    anvant: String,
    #[serde(default)]
    aterrapport: String,
    #[serde(default)]
    aterbetalning: String,
    #[serde(default)]
    kommentar: String,
}

pub(crate) fn grant_form(csrf: &str, tree: &Tree, year: i32) -> Markup {
    form_section(
        "Lägg till eller ändra ett statsbidrag",
        "Samma namn, år och nod ersätts (som resurs statsbidrag add). Belopp i kronor. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action="/ekonomi/statsbidrag" {
                (ui::csrf_field(csrf))
                label for="g-namn" { "Statsbidrag" } input id="g-namn" name="namn" type="text" required;
                label for="g-ar" { "År" } input id="g-ar" name="ar" type="number" min="1900" max="2100" value=(year) required;
                label for="g-nod" { "Nod" } (node_select("g-nod", tree))
                label for="g-belopp" { "Belopp, kr" } (amount_input("g-belopp", "belopp", true))
                label for="g-anvant" { "Använt, kr" } (amount_input("g-anvant", "anvant", false))
                label for="g-aterrapport" { "Återrapportering senast" } input id="g-aterrapport" name="aterrapport" type="date";
                label for="g-aterbetalning" { "Återbetalning, kr" } (amount_input("g-aterbetalning", "aterbetalning", false))
                label for="g-kommentar" { "Kommentar" } input id="g-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara statsbidraget" }
            }
        },
    )
}

pub(crate) async fn save_grant(State(st): State<Shared>, pu: PageUser, Form(f): Form<GrantForm>) -> Response {
    let back = format!("/ekonomi/statsbidrag?ar={}", ui::urlencode(f.ar.trim()));
    let done = Notice::RegisterSparat(Register::Statsbidrag);
    save(st, pu, back, done, move |st, actor| {
        let year = form_year(&f.ar)?;
        let (b, a, r) = (
            parse_amount("Belopp", &f.belopp)?,
            form_amount("Använt", &f.anvant)?,
            form_amount("Återbetalning", &f.aterbetalning)?,
        );
        let date = given(&Some(f.aterrapport.clone())).map(str::to_string);
        st.with_store(|s| {
            Ok(resurs_app::registers::set_grant(
                s,
                actor,
                &f.namn,
                year,
                &f.nod,
                b,
                a,
                date.as_deref(),
                r,
                &f.kommentar,
            )?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct InvestmentForm {
    projekt: String,
    ar: String,
    nod: String,
    budget: String,
    #[serde(default)]
    utfall: String,
    #[serde(default)]
    kommentar: String,
}

pub(crate) fn investment_form(csrf: &str, tree: &Tree, year: i32) -> Markup {
    form_section(
        "Lägg till eller ändra en investering",
        "Samma projekt och år ersätts (som resurs investering add). Belopp i kronor. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action="/ekonomi/investeringar" {
                (ui::csrf_field(csrf))
                label for="i-projekt" { "Projekt" } input id="i-projekt" name="projekt" type="text" required;
                label for="i-ar" { "År" } input id="i-ar" name="ar" type="number" min="1900" max="2100" value=(year) required;
                label for="i-nod" { "Nod" } (node_select("i-nod", tree))
                label for="i-budget" { "Budget, kr" } (amount_input("i-budget", "budget", true))
                label for="i-utfall" { "Utfall, kr" } (amount_input("i-utfall", "utfall", false))
                label for="i-kommentar" { "Kommentar" } input id="i-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara investeringen" }
            }
        },
    )
}

pub(crate) async fn save_investment(State(st): State<Shared>, pu: PageUser, Form(f): Form<InvestmentForm>) -> Response {
    let back = format!("/ekonomi/investeringar?ar={}", ui::urlencode(f.ar.trim()));
    let done = Notice::RegisterSparat(Register::Investering);
    save(st, pu, back, done, move |st, actor| {
        let year = form_year(&f.ar)?;
        let (b, u) = (parse_amount("Budget", &f.budget)?, form_amount("Utfall", &f.utfall)?);
        st.with_store(|s| {
            Ok(resurs_app::registers::set_investment(
                s,
                actor,
                &f.projekt,
                year,
                &f.nod,
                b,
                u,
                &f.kommentar,
            )?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct IntraprenadForm {
    ansvar: String,
    ar: String,
    #[serde(default)]
    ingaende: String,
    #[serde(default)]
    uttag: String,
    #[serde(default)]
    kommentar: String,
    period: Option<String>,
}

pub(crate) fn intraprenad_form(csrf: &str, r: &resurs_app::registers::IntraprenadReport) -> Markup {
    form_section(
        "Ange ingående saldo och uttag",
        "För ett år (som resurs intraprenad set). Utan ingående saldo gäller förra årets utgående. Belopp i kronor. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action="/ekonomi/intraprenad" {
                (ui::csrf_field(csrf))
                input type="hidden" name="period" value=(r.period.to_string());
                label for="f-ansvar" { "Intraprenad" }
                select id="f-ansvar" name="ansvar" { @for x in &r.rader { option value=(x.ansvar) { (x.utforare) " " (x.namn) " (ansvar " (x.ansvar) ")" } } }
                label for="f-ar" { "År" } input id="f-ar" name="ar" type="number" min="1900" max="2100" value=(r.ar) required;
                label for="f-ingaende" { "Ingående saldo, kr (tomt: förra årets utgående)" } (amount_input("f-ingaende", "ingaende", false))
                label for="f-uttag" { "Uttag ur eget kapital, kr" } (amount_input("f-uttag", "uttag", false))
                label for="f-kommentar" { "Kommentar" } input id="f-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara" }
            }
        },
    )
}

pub(crate) async fn save_intraprenad(
    State(st): State<Shared>,
    pu: PageUser,
    Form(f): Form<IntraprenadForm>,
) -> Response {
    let back = match given(&f.period) {
        Some(p) => format!("/ekonomi/intraprenad?period={}", ui::urlencode(p)),
        None => "/ekonomi/intraprenad".to_string(),
    };
    let done = Notice::RegisterSparat(Register::Intraprenad);
    save(st, pu, back, done, move |st, actor| {
        let year = form_year(&f.ar)?;
        let ingaende = match f.ingaende.trim() {
            "" => None,
            v => Some(parse_amount("Ingående saldo", v)?),
        };
        let uttag = form_amount("Uttag", &f.uttag)?;
        st.with_store(|s| {
            Ok(resurs_app::registers::set_intraprenad(
                s,
                actor,
                f.ansvar.trim(),
                year,
                ingaende,
                uttag,
                &f.kommentar,
            )?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct EffectForm {
    tagg: String,
    del: String,
    nod: String,
    period: String,
    #[serde(default)]
    utfall: String,
    #[serde(default)]
    prognos: String,
    #[serde(default)]
    kommentar: String,
}

pub(crate) fn effect_form(csrf: &str, tree: &Tree, period: Period) -> Markup {
    form_section(
        "Lägg till en specialpost",
        "Märk en del av en nods utfall en månad och/eller av helårsprognosen (som resurs effect add). Belopp i kronor, kostnad positiv. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action="/ekonomi/specialposter" {
                (ui::csrf_field(csrf))
                label for="e-tagg" { "Specialpost (t.ex. covid-19)" } input id="e-tagg" name="tagg" type="text" required;
                label for="e-del" { "Del" }
                select id="e-del" name="del" { option value="strukturell" { "strukturell (volymförändringar)" } option value="övrig" { "övrig (extra kostnader)" } }
                label for="e-nod" { "Nod" } (node_select("e-nod", tree))
                label for="e-period" { "Månad" } input id="e-period" name="period" type="month" value=(period.to_string()) required;
                label for="e-utfall" { "Del av månadens utfall, kr" } (amount_input("e-utfall", "utfall", false))
                label for="e-prognos" { "Del av helårsprognosen, kr" } (amount_input("e-prognos", "prognos", false))
                label for="e-kommentar" { "Kommentar" } input id="e-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara specialposten" }
            }
        },
    )
}

pub(crate) async fn save_effect(State(st): State<Shared>, pu: PageUser, Form(f): Form<EffectForm>) -> Response {
    let year = Period::parse(f.period.trim()).map(|p| p.year());
    let back = match year {
        Some(y) => format!("/ekonomi/specialposter?ar={y}"),
        None => "/ekonomi/specialposter".to_string(),
    };
    let done = Notice::RegisterSparat(Register::Specialpost);
    save(st, pu, back, done, move |st, actor| {
        let period = parse_period(f.period.trim())?;
        let (u, p) = (form_amount("Utfall", &f.utfall)?, form_amount("Prognos", &f.prognos)?);
        let ts = resurs_app::now();
        st.with_store(|s| {
            Ok(resurs_app::followup::add_effect(
                s,
                actor,
                &f.tagg,
                &f.del,
                &f.nod,
                period,
                u,
                p,
                &f.kommentar,
                &ts,
            )?)
        })
    })
    .await
}
