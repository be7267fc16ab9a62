//! Cost per brukare (KPB, docs/kpb.md): unit costs per unit and service,
//! the municipality's unit price with its spread, how the cost is spread
//! over the brukare (curve and top 1/5/10 %), outliers, age band and legal
//! gender (groups under five suppressed), the reconciliation with the
//! ledger, and a drill-down from a figure to what it is made of. The
//! figures are a stored run (`resurs_app::kpb::run`), cached per choice.

use super::*;
use axum::extract::RawQuery;
use resurs_app::kpb::{self as kpb, Syn, Val};
use resurs_core::kpb::Kpb;
use std::sync::Arc;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/kpb", get(kpb_page))
        .route("/kpb/cell", get(cell_page))
        .route("/kpb/brukare", get(brukare_page))
}

/// The page's choices (all optional, checked by hand).
#[derive(Debug, Default, Deserialize)]
pub struct KpbQ {
    pub ar: Option<String>,
    pub till: Option<String>,
    pub manad: Option<String>,
    pub enhet: Option<String>,
    pub insats: Option<String>,
    pub grans_sol: Option<String>,
    pub grans_lss: Option<String>,
    /// A brukare's pseudonym (`/kpb/brukare`).
    pub p: Option<String>,
}

/// The run chosen by the query, with the outlier thresholds in öre.
pub struct Chosen {
    pub val: Val,
    pub sol: i64,
    pub lss: i64,
}

fn threshold(name: &str, raw: &Option<String>, default: i64) -> Result<i64, Fail> {
    match given(raw) {
        None => Ok(default),
        Some(s) => {
            let digits: String = s.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
            match digits.parse::<i64>() {
                Ok(v) if (1..=1_000_000_000).contains(&v) => Ok(v * 100),
                _ => Err(Fail::bad(format!(
                    "{name}: värdet \"{s}\", förväntade ett belopp i hela kronor mellan 1 och 1 000 000 000"
                ))),
            }
        }
    }
}

/// Reads the choices: `manad` (a month's direct costs) or `ar` with `till`
/// (default: the year of the latest ledger month, to that month).
pub fn chosen(st: &AppState, q: &KpbQ) -> Result<Chosen, Fail> {
    let sol = threshold("grans_sol", &q.grans_sol, resurs_core::kpb::GRANS_SOL_ORE)?;
    let lss = threshold("grans_lss", &q.grans_lss, resurs_core::kpb::GRANS_LSS_ORE)?;
    let month = |name: &str, s: &str| {
        Period::parse(s).ok_or_else(|| Fail::bad(format!("{name}: värdet \"{s}\", förväntade ÅÅÅÅ-MM")))
    };
    if let Some(m) = given(&q.manad) {
        return Ok(Chosen {
            val: Val::manad(month("manad", m)?),
            sol,
            lss,
        });
    }
    let last = st.ledger_span()?.map(|s| s.1);
    let ar = match given(&q.ar) {
        Some(a) => a
            .parse::<i32>()
            .ok()
            .filter(|y| (resurs_core::limits::YEAR_MIN..=resurs_core::limits::YEAR_MAX).contains(y))
            .ok_or_else(|| Fail::bad(format!("ar: värdet \"{a}\", förväntade ett år ÅÅÅÅ")))?,
        None => match last {
            Some(p) => p.year(),
            None => {
                return Err(Fail::not_found(
                    "Det finns ingen huvudbok ännu, så ingen KPB kan räknas. Importera huvudboken under Import.",
                ))
            }
        },
    };
    let till = match given(&q.till) {
        Some(t) => Some(month("till", t)?),
        None => last.filter(|p| p.year() == ar),
    };
    let val = Val::ar(ar, till).map_err(|e| Fail::bad(e.to_string().replace("--till", "till")))?;
    Ok(Chosen { val, sol, lss })
}

/// The run (cached per choice; stored in the database between servers).
pub fn run_for(st: &AppState, val: Val) -> Result<Arc<Kpb>, Fail> {
    st.cached(format!("kpb:{}:{}:{}", val.fran, val.till, val.direkt), |s| {
        Ok(resurs_app::kpb::run(s, val)?)
    })
}

/// Whether the user sees a unit: all for controllers, their subtree for an enhetschef.
pub fn unit_filter(st: &AppState, user: &User, val: Val) -> Result<impl Fn(&str) -> bool, Fail> {
    let tree = st.tree(val.till)?;
    let units = st.provider_units()?;
    let user = user.clone();
    Ok(move |kod: &str| sees_provider(&user, &tree, &units, kod))
}

fn chosen_query(c: &Chosen) -> String {
    if c.val.direkt {
        format!("manad={}", c.val.till)
    } else {
        format!("ar={}&till={}", c.val.fran.year(), c.val.till)
    }
}

/// The cost distribution as an SVG curve: share of brukare (costliest
/// first) against share of cost, with the even spread as a dashed line.
fn curve(k: &Kpb) -> Markup {
    let (w, h, l, b) = (480.0, 300.0, 48.0, 36.0);
    let x = |v: i64| l + (w - l - 12.0) * v as f64 / 10_000.0;
    let y = |v: i64| (h - b) - (h - b - 12.0) * v as f64 / 10_000.0;
    let pts: Vec<String> = k
        .kurva
        .iter()
        .map(|(a, c)| format!("{:.1},{:.1}", x(*a), y(*c)))
        .collect();
    html! {
        figure.chart {
            figcaption { "Andel av kostnaden som går till de dyraste brukarna" }
            svg viewBox=(format!("0 0 {w} {h}")) role="img" aria-label="Kostnadskurva: andel av brukarna mot andel av kostnaden" {
                @for t in [0i64, 2500, 5000, 7500, 10000] {
                    line x1=(x(0)) x2=(x(10000)) y1=(y(t)) y2=(y(t)) stroke="#ddd" {}
                    text x=(l - 6.0) y=(y(t) + 4.0) text-anchor="end" font-size="11" { (t / 100) " %" }
                    text x=(x(t)) y=(h - b + 16.0) text-anchor="middle" font-size="11" { (t / 100) " %" }
                }
                line x1=(x(0)) y1=(y(0)) x2=(x(10000)) y2=(y(10000)) stroke="#888" stroke-dasharray="4 4" {}
                polyline.kpb-kurva points=(pts.join(" ")) fill="none" stroke="#0b4f8a" stroke-width="2" {}
                text x=(x(5000)) y=(h - 4.0) text-anchor="middle" font-size="11" { "Andel av brukarna (dyraste först)" }
            }
        }
    }
}

fn choice_form(c: &Chosen) -> Markup {
    let ar = c.val.fran.year().to_string();
    let till = c.val.till.to_string();
    html! {
        form.inline method="get" action="/kpb" {
            label for="kpb-ar" { "År" }
            input id="kpb-ar" name="ar" type="number" min="1900" max="2100" value=(ar);
            label for="kpb-till" { "Till och med" }
            input id="kpb-till" name="till" type="month" value=(till);
            label for="kpb-sol" { "Ytterfall SoL, kr" }
            input id="kpb-sol" name="grans_sol" type="number" min="1" value=(c.sol / 100);
            label for="kpb-lss" { "Ytterfall LSS, kr" }
            input id="kpb-lss" name="grans_lss" type="number" min="1" value=(c.lss / 100);
            button type="submit" { "Visa" }
        }
        form.inline method="get" action="/kpb" {
            label for="kpb-manad" { "Månadsvy (direkta kostnader)" }
            input id="kpb-manad" name="manad" type="month" value=(till);
            button type="submit" { "Visa månaden" }
        }
    }
}

pub(crate) async fn kpb_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<KpbQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let raw = raw.unwrap_or_default();
    let r = blocking(&st, move |st| {
        let c = chosen(st, &q)?;
        let k = run_for(st, c.val)?;
        let sees = unit_filter(st, &user, c.val)?;
        let syn = Syn {
            enhet: &sees,
            alla: user.sees_all(),
        };
        let mut t = kpb::tabeller(&k, &syn, c.sol, c.lss);
        if user.is_controller() {
            if let Some(y) = &mut t.ytterfall {
                for r in &mut y.rows {
                    if let Some(resurs_io::grid::Cell::Text(p)) = r.cells.first() {
                        let link = resurs_app::kpb_brukare::lank(&k, p);
                        r.cells[0] = resurs_io::grid::Cell::Link(p.clone(), link);
                    }
                }
            }
        }
        let search = brukare_sees(&user).is_ok();
        let all = t.all();
        let what = if k.direkt {
            format!("Lätt månadsvy {}: bara direkta kostnader (det enhetschefen kan påverka), inga indirekta pooler.", c.val.till)
        } else {
            format!("Kostnad per brukare {}–{} enligt den nationella KPB-metoden: huvudbokens kostnad (konto 4–7) per ansvar fördelad på enheter och insatser, indirekta kostnader efter kommunens fördelningsnycklar, delad med volymerna.", c.val.fran, c.val.till)
        };
        Ok(Out::page_or_export(&eq, &all, || {
            html! {
                (choice_form(&c))
                p.meta { (what) " Klicka på en enhet för att se vad styckkostnaden består av." }
                @if syn.alla {
                    p.kpb-avstamning {
                        "Huvudbokens kostnad för de ingående ansvaren: " strong { (kr(k.huvudbok)) " kr" }
                        ". Fördelat: " strong { (kr(k.fordelat)) " kr" } ". "
                        @if k.huvudbok == k.fordelat { "Varje krona är fördelad exakt en gång." }
                    }
                }
                h2 { "Styckkostnad per insats, hela kommunen" }
                (ui::grid(&t.insatser, &raw))
                h2 { "Styckkostnad per enhet och insats" }
                (ui::grid(&t.enheter, &raw))
                @if let Some(g) = &t.fordelning {
                    h2 { "Kostnadens fördelning över brukarna" }
                    @if k.kurva.is_empty() {
                        p.meta { "Färre än fem brukare: fördelningen visas inte." }
                    } @else {
                        (curve(&k))
                    }
                    (ui::grid(g, &raw))
                }
                @if let Some(g) = &t.ytterfall {
                    h2 { "Ytterfall" }
                    p.meta { "Brukare med årskostnad över " (kr(c.sol)) " kr (ordinärt och särskilt boende) eller " (kr(c.lss)) " kr (LSS och personlig assistans), per pseudonym. Klicka på en pseudonym för att se brukarens insatser." }
                    (ui::grid(g, &raw))
                }
                @if search {
                    h2 { "En brukare" }
                    (brukare_form(&c, ""))
                }
                @if let Some(g) = &t.grupper {
                    h2 { "Åldersgrupp och juridiskt kön" }
                    p.meta { "Grupper med färre än fem brukare visas inte (–)." }
                    (ui::grid(g, &raw))
                }
                h2 { "Avstämning och kostnadspooler" }
                (ui::grid(&t.avstamning, &raw))
                @if !k.direkt { (ui::grid(&t.pooler, &raw)) }
            }
        }))
    })
    .await;
    render(&pu, "Kostnad per brukare (KPB)", "kpb", r)
}

pub(crate) async fn cell_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<KpbQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let raw = raw.unwrap_or_default();
    let r = blocking(&st, move |st| {
        let c = chosen(st, &q)?;
        let enhet = given(&q.enhet).ok_or_else(|| Fail::bad("enhet: ange en enhet"))?.to_string();
        let insats = given(&q.insats).ok_or_else(|| Fail::bad("insats: ange en insats"))?.to_string();
        let sees = unit_filter(st, &user, c.val)?;
        if !sees(&enhet) {
            return Err(Fail::forbidden(format!("Du har inte behörighet till enheten {enhet}.")));
        }
        let k = run_for(st, c.val)?;
        let Some((g, v)) = kpb::cell_tabell(&k, &enhet, &insats) else {
            return Err(Fail::not_found(format!(
                "Enheten {enhet} har ingen volym av insatsen {insats} {}–{}.",
                c.val.fran, c.val.till
            )));
        };
        let cell = k.celler.iter().find(|x| x.enhet == enhet && x.insats == insats).cloned();
        let back = format!("/kpb?{}", chosen_query(&c));
        Ok(Out::page_or_export(&eq, &[&g, &v], || {
            html! {
                p { a href=(back) { "← Till KPB" } }
                h2 { (g.name) }
                p.meta { "Styckkostnaden = kostnaden (direkt ur huvudboken plus fördelade indirekta kostnader) delad med volymen. Varje brukares kostnad är volymen gånger styckkostnaden." }
                (ui::grid(&g, &raw))
                (ui::grid(&v, &raw))
                @if let Some(a) = cell.and_then(|x| x.ansvar) {
                    p { a href=(format!("/organisation/{}?period={}", ui::urlencode(&a), c.val.till)) { "Huvudboken för ansvar " (a) } }
                }
            }
        }))
    })
    .await;
    render(&pu, "KPB – vad styckkostnaden består av", "kpb", r)
}

/// Who may see one brukare's KPB: controllers (admin, ekonom) all of it,
/// an enhetschef the services at their own units; a läsare none (a läsare
/// has no units of their own, docs/kpb.md "En brukare").
fn brukare_sees(user: &User) -> Result<(), Fail> {
    if user.is_controller() || !user.sees_all() {
        Ok(())
    } else {
        Err(Fail::forbidden(
            "En enskild brukares kostnad visas för ekonom och admin, och för enhetschefen vid de egna enheterna; en läsare ser kommunens tabeller men inte enskilda brukare.",
        ))
    }
}

fn brukare_form(c: &Chosen, p: &str) -> Markup {
    html! {
        form.inline.kpb-sok method="get" action="/kpb/brukare" {
            @if c.val.direkt {
                input type="hidden" name="manad" value=(c.val.till.to_string());
            } @else {
                input type="hidden" name="ar" value=(c.val.fran.year().to_string());
                input type="hidden" name="till" value=(c.val.till.to_string());
            }
            label for="kpb-p" { "Pseudonym" }
            input id="kpb-p" name="p" type="search" maxlength=(resurs_app::kpb_brukare::MAX_PSEUDONYM) value=(p) required;
            button type="submit" { "Visa brukaren" }
        }
    }
}

/// The brukare `q.p` of the chosen run as the user may see it (the page
/// and `/api/kpb/brukare`).
pub fn brukare_vy(st: &AppState, user: &User, q: &KpbQ) -> Result<(Chosen, resurs_app::kpb_brukare::Vy), Fail> {
    brukare_sees(user)?;
    let c = chosen(st, q)?;
    let p = resurs_app::kpb_brukare::check_pseudonym(q.p.as_deref().unwrap_or("")).map_err(Fail::bad)?;
    let k = run_for(st, c.val)?;
    let sees = unit_filter(st, user, c.val)?;
    let v = resurs_app::kpb_brukare::vy(&k, p, &sees).ok_or_else(|| {
        Fail::not_found(format!(
            "Ingen brukare med pseudonymen \"{p}\" har kostnad {}–{}{}.",
            c.val.fran,
            c.val.till,
            if user.sees_all() { "" } else { " vid dina enheter" }
        ))
    })?;
    Ok((c, v))
}

pub(crate) async fn brukare_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<KpbQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let raw = raw.unwrap_or_default();
    let r = blocking(&st, move |st| {
        let (c, v) = brukare_vy(st, &user, &q)?;
        let (g, per) = resurs_app::kpb_brukare::tabeller(&v);
        let back = format!("/kpb?{}", chosen_query(&c));
        Ok(Out::page_or_export(&eq, &[&g, &per], || {
            html! {
                p { a href=(back) { "← Till KPB" } }
                (brukare_form(&c, &v.pseudonym))
                p.kpb-brukare-summa {
                    @if v.hela { "Brukarens kostnad " } @else { "Brukarens kostnad vid dina enheter " }
                    (c.val.fran) "–" (c.val.till) ": " strong { (kr(v.kostnad)) " kr" } "."
                }
                p.meta { "Kostnaden per rad är brukarens volym gånger enhetens styckkostnad för insatsen, avrundad till hela öre så att enhetens brukare tillsammans bär exakt enhetens kostnad. Klicka på en enhet för att se vad styckkostnaden består av. Ålder och kön visas inte för en enskild brukare (en grupp på en); de finns som grupper om minst fem på KPB-sidan." }
                @if !v.hela {
                    p.meta { "Bara insatser vid dina enheter visas." }
                }
                (ui::grid(&g, &raw))
                h2 { "Per insats" }
                (ui::grid(&per, &raw))
            }
        }))
    })
    .await;
    render(&pu, "KPB – en brukare", "kpb", r)
}
