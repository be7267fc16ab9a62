//! Ekonomi: budget versions and allocation per unit with bars for budget
//! against outcome, and the frame budget (`resurs budget frame`) from a
//! pasted frame file. See `ekonomi.rs` for the rules all Ekonomi pages share.

use super::ekonomi::*;
use super::*;
use axum::extract::RawQuery;
use resurs_io::grid::{Cell, Col, Grid, Kind};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/ekonomi/budget", get(budget_page))
        .route("/ekonomi/budget/ram", get(frame_page).post(save_frame))
}

pub(crate) async fn budget_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = ledger_period_of(st, &q.period)?;
        let year = period.year();
        let Part { data: a, all } = budget_for(st, &user, year)?;
        let tree = st.tree(period)?;
        let mut versions = Grid::new(
            "versioner",
            format!("Budgetversioner {year}"),
            if all {
                vec![Col::text("Version"), Col::text("Typ"), Col::new("Summa, tkr", Kind::Tkr)]
            } else {
                vec![Col::text("Version"), Col::text("Typ")]
            },
        );
        for v in &a.versioner {
            let mut cells = vec![Cell::text(&v.version), Cell::text(&v.typ)];
            if all {
                cells.push(Cell::Num(v.summa));
            }
            versions.push(cells);
        }
        let mut cols = vec![Col::text("Enhet (ansvar)")];
        cols.extend(a.versioner.iter().map(|v| Col::new(format!("{}, tkr", v.version), Kind::Tkr)));
        let mut alloc = Grid::new("fordelning", format!("Budget per enhet {year}"), cols);
        for r in &a.rader {
            let mut cells = vec![Cell::text(node_label(&tree, &r.ansvar))];
            cells.extend(r.belopp.iter().map(|b| Cell::opt(*b)));
            alloc.push(cells);
        }
        // Budget against outcome per unit: the follow-up report's rows (the
        // same figures as the overview and /uppfoljning).
        let root = given(&q.nod).map(str::to_string).unwrap_or_else(|| root_of(&user, &tree));
        allowed(&user, &tree, &root)?;
        let t = st.table(period, &Prognosval::parse(None), Layout::Kostnad, &root)?;
        let mut units = Grid::new(
            "enheter",
            format!("Budget och utfall per enhet {}", period),
            vec![
                Col::text("Enhet"),
                Col::new("Budget hittills, tkr", Kind::Tkr),
                Col::new("Utfall hittills, tkr", Kind::Tkr),
                Col::new("Avvikelse hittills, tkr", Kind::Tkr),
                Col::new("Budget helår, tkr", Kind::Tkr),
                Col::new("Helårsprognos, tkr", Kind::Tkr),
                Col::new("Avvikelse helår, tkr", Kind::Tkr),
            ],
        );
        let parts = match t.rows.node(&root) {
            Some(i) => {
                let c = t.rows.child_nodes(i);
                if c.is_empty() {
                    vec![i]
                } else {
                    c
                }
            }
            None => Vec::new(),
        };
        let (mut labels, mut budget, mut outcome) = (Vec::new(), Vec::new(), Vec::new());
        for &i in &parts {
            let r = &t.rows.rader[i];
            let get = |k: &str| Cell::opt(t.rows.get(i, k));
            units.push(vec![
                Cell::Link(format!("{} {}", r.kod, r.namn), format!("/ekonomi/budget?period={period}&nod={}", ui::urlencode(&r.kod))),
                get("budget"),
                get("utfall"),
                get("avvikelse"),
                get("budget_helar"),
                get("prognos"),
                get("prognosavvikelse"),
            ]);
            labels.push(format!("{} {}", r.kod, r.namn));
            budget.push(t.rows.get(i, "budget"));
            outcome.push(t.rows.get(i, "utfall"));
        }
        let chart = ui::bar_chart(
            "budget-utfall",
            &format!("Budget och utfall per enhet, {}", ui::year_to_date(period)),
            "tkr",
            Kind::Tkr,
            &labels,
            &[
                ui::Bars {
                    name: "Budget hittills",
                    values: budget,
                },
                ui::Bars {
                    name: "Utfall hittills",
                    values: outcome,
                },
            ],
        );
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&units, &versions, &alloc], || {
            html! {
                (subnav("/ekonomi/budget"))
                (period_form("/ekonomi/budget", period, &[("nod", root.as_str())]))
                p.meta {
                    "Enheterna under " (node_label(&tree, &root)) " (välj en enhet i tabellen för att gå ner ett steg; "
                    a href={ "/organisation/" (ui::urlencode(&root)) "?period=" (period) } { "organisationssidan" } "). "
                    "Budget " (t.budgetversion.as_deref().unwrap_or("–")) ", nettokostnad (kostnader positiva), " (ui::year_to_date(period)) ". Helårsprognos: " (forecast_note(&t.prognosversion)) "."
                }
                (chart)
                (ui::grid(&units, &raw))
                h2 { "Budgetversioner " (year) }
                p.meta {
                    "Versionerna sparas av budgetimporten och av ramberäkningen med fördelning till enheter ("
                    code { "resurs budget frame FIL --spara" } ", docs/budget.md"
                    @if all { ", eller " a href="/ekonomi/budget/ram" { "ramberäkningen på webben" } } ")."
                }
                (part_note(all))
                (ui::grid(&versions, &raw))
                h2 { "Fördelning per enhet och version" }
                (ui::grid(&alloc, &raw))
            }
        }))
    })
    .await;
    render(&pu, "Budget och fördelning", "ekonomi", r)
}

// ---------------------------------------------------------------- frame budget

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FrameQ {
    ramfil: Option<String>,
    klar: Option<String>,
    n: Option<String>,
    m: Option<String>,
}

/// The largest frame file the page takes (the CLI reads files; a frame
/// file is a few kilobytes).
const FRAME_MAX: usize = 64 * 1024;

fn frame_text(raw: &Option<String>) -> Result<Option<&str>, Fail> {
    match given(raw) {
        Some(t) if t.len() > FRAME_MAX => Err(Fail::bad(format!(
            "Ramfilen är {} byte; sidan tar högst {FRAME_MAX} byte. Kör resurs budget frame FIL på servern.",
            t.len()
        ))),
        other => Ok(other),
    }
}

fn frame_form(csrf: &str, text: &str, can_save: bool) -> Markup {
    html! {
        form.grid.noprint method="get" action="/ekonomi/budget/ram" {
            label for="ramfil" { "Ramfil (TOML, se docs/budget.md)" }
            textarea id="ramfil" name="ramfil" rows="14" required spellcheck="false" { (text) }
            button type="submit" { "Räkna ramen" }
        }
        @if can_save && !text.trim().is_empty() {
            form.grid.noprint method="post" action="/ekonomi/budget/ram" {
                (ui::csrf_field(csrf))
                input type="hidden" name="ramfil" value=(text);
                label for="periodisering" { "Spara som" }
                select id="periodisering" name="periodisering" {
                    option value="" { "helårsrader" }
                    option value="jamn" { "månadsrader, jämnt" }
                    option value="dagar" { "månadsrader efter dagar" }
                    option value="profil" { "månadsrader efter förra årets utfall" }
                }
                button type="submit" { "Spara som budgetversion" }
            }
        }
    }
}

/// `resurs budget frame FIL` on a page: the frame computed from a pasted
/// frame file, without saving (the whole organisation's budget, so not for
/// an enhetschef). A controller can then save it as the file's budget version.
pub(crate) async fn frame_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<FrameQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        if !user.sees_all() {
            return Err(Fail::forbidden(
                "Ramberäkningen gäller hela organisationens budget; din roll ser bara sin egen del.",
            ));
        }
        let note = shown_notice(&Q {
            klar: q.klar.clone(),
            n: q.n.clone(),
            m: q.m.clone(),
            ..Q::default()
        });
        let text = frame_text(&q.ramfil)?.map(str::to_string);
        let report = match &text {
            Some(t) => {
                let actor = resurs_app::Actor::new(user.namn.clone());
                let ts = resurs_app::now();
                Some(st.with_store(|s| Ok(resurs_app::budget::frame(s, &actor, "från sidan", t, false, None, &ts)?))?)
            }
            None => None,
        };
        let mut grids: Vec<Grid> = Vec::new();
        if let Some(r) = &report {
            let mut steps = Grid::new(
                "ram",
                format!("Budgetram {}", r.ar),
                vec![Col::text("Post"), Col::new("Belopp, tkr", Kind::Tkr)],
            );
            steps.push(vec![Cell::text(format!("Budget {} ({})", r.ar - 1, r.bas)), Cell::Num(r.ram.bas)]);
            steps.push(vec![
                Cell::text(format!("+ löneuppräkning {}", r.lon.fmt_percent())),
                Cell::Num(r.ram.lonupprakning),
            ]);
            steps.push(vec![
                Cell::text(format!("+ prisuppräkning {} (övriga kostnader)", r.pris.fmt_percent())),
                Cell::Num(r.ram.prisupprakning),
            ]);
            for d in &r.ram.demografirader {
                steps.push(vec![
                    Cell::text(resurs_app::budget::demo_label(d)),
                    Cell::Num(d.belopp),
                ]);
            }
            steps.push(vec![Cell::text("− sparbeting"), Cell::Num(r.ram.sparbeting)]);
            steps.push_class("sum", vec![Cell::text(format!("= ram {}", r.ar)), Cell::Num(r.ram.ram)]);
            grids.push(steps);
            if let Some(t) = r.prislappsram {
                let mut tags = Grid::new(
                    "prislappar",
                    format!("Prislappar {}", r.ar),
                    vec![
                        Col::text("Tjänst"),
                        Col::new("Antal", Kind::Count),
                        Col::new("Pris per individ, kr", Kind::KrWhole),
                        Col::new("Belopp, tkr", Kind::Tkr),
                    ],
                );
                for p in &r.prislappar {
                    tags.push(vec![
                        Cell::text(&p.tjanst),
                        Cell::Num(p.antal),
                        Cell::Num(p.pris_per_individ),
                        Cell::Num(p.belopp),
                    ]);
                }
                tags.push_class(
                    "sum",
                    vec![Cell::text("= ram enligt prislappar"), Cell::Empty, Cell::Empty, Cell::Num(t)],
                );
                grids.push(tags);
            }
            let tree = st.tree(st.default_period()?)?;
            let mut alloc = Grid::new(
                "fordelning",
                format!("Fördelning {}", r.ar),
                vec![
                    Col::text("Enhet (ansvar)"),
                    Col::new("Uppräknad budget, tkr", Kind::Tkr),
                    Col::new("Modellersättning, tkr", Kind::Tkr),
                    Col::new("Fördelat, tkr", Kind::Tkr),
                ],
            );
            for a in &r.fordelning {
                alloc.push(vec![
                    Cell::text(node_label(&tree, &a.ansvar)),
                    Cell::Num(a.uppraknad_budget),
                    a.modellersattning.map_or(Cell::text("anslag"), Cell::Num),
                    Cell::Num(a.fordelat),
                ]);
            }
            alloc.push_class("sum", vec![Cell::text("Fördelat"), Cell::Empty, Cell::Empty, Cell::Num(r.fordelat)]);
            alloc.push_class(
                "sum",
                vec![
                    Cell::text("Ofördelat (ram − fördelat; negativt = sparbeting att fördela)"),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Num(r.ofordelat),
                ],
            );
            grids.push(alloc);
        }
        let refs: Vec<&Grid> = grids.iter().collect();
        let raw = raw.unwrap_or_default();
        let can_save = user.is_controller();
        Ok(Out::page_or_export(&eq, &refs, || {
            html! {
                (note)
                (subnav("/ekonomi/budget"))
                p { a href="/ekonomi/budget" { "← Budget och fördelning" } }
                p.meta {
                    "Ramberäkningen som " code { "resurs budget frame FIL" } ": förra årets budget (basversionen) + löneuppräkning + prisuppräkning + demografi − sparbeting, prislapparna som alternativ ram och fördelningen till enheterna genom ersättningsmodellerna. "
                    "Demografin är invånarökningen i ett åldersspann × pris per individ, eller med " code { "kalla = \"efterfrågan\"" } " efterfrågeprognosens volymökning för en tjänst × prognosens enhetskostnad; raden säger tjänst, år, volymer, enhetskostnad och källa. "
                    "Att räkna sparar ingenting"
                    @if can_save { "; " strong { "Spara som budgetversion" } " sparar raderna i filens version (som " code { "--spara" } ") och står i händelseloggen" }
                    "."
                }
                @if let Some(r) = &report {
                    h2 { "Budgetram " (r.ar) ": " (r.version) " (" (r.typ) ")" }
                    @for g in &grids { (ui::grid(g, &raw)) }
                    @if let Some((a, b)) = r.volymer { p.meta { "Modellersättning = modellversionerna som gäller 1 januari " (r.ar) " på volymerna " (a) "–" (b) "." } }
                }
                (frame_form(&csrf, text.as_deref().unwrap_or(""), can_save))
            }
        }))
    })
    .await;
    render(&pu, "Ramberäkning", "ekonomi", r)
}

#[derive(Deserialize)]
pub(crate) struct FrameForm {
    ramfil: String,
    periodisering: Option<String>,
}

pub(crate) async fn save_frame(State(st): State<Shared>, pu: PageUser, Form(f): Form<FrameForm>) -> Response {
    let back = format!("/ekonomi/budget/ram?ramfil={}", ui::urlencode(&f.ramfil));
    let back = if back.len() > 6000 {
        "/ekonomi/budget/ram".to_string()
    } else {
        back
    };
    save(
        st,
        pu,
        back,
        crate::notice::Notice::BudgetversionSparad,
        move |st, actor| {
            let text = frame_text(&Some(f.ramfil.clone()))?
                .ok_or_else(|| Fail::bad("Ramfilen är tom."))?
                .to_string();
            let periodise = match given(&f.periodisering) {
                None => None,
                Some(p) => Some(resurs_core::followup::Periodisering::parse(p).ok_or_else(|| {
                    Fail::bad(format!(
                        "periodisering: värdet \"{p}\", förväntade jamn, dagar eller profil"
                    ))
                })?),
            };
            let ts = resurs_app::now();
            st.with_store(|s| {
                resurs_app::budget::frame(s, actor, "från sidan", &text, true, periodise, &ts)?;
                Ok(())
            })
        },
    )
    .await
}
