//! Start page, organisation tree and ledger lines.

use super::*;
use axum::extract::RawQuery;
use resurs_io::grid::{Cell, Col, Grid, Kind};

pub(crate) async fn start(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = ledger_period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        let root = root_of(&user, &tree);
        let t = st.table(period, &Prognosval::Senaste, Layout::Kostnad, &root)?;
        let node = &t.rows.rader[0];
        let chart = trend_chart(st, period, &node.kod, &node.namn)?;
        let parts = children_grid(&t);
        let largest = largest_grid(&t, period);
        let konton = accounts_grid(&t);
        // A unit without units under it (an enhetschef's own unit): its
        // accounts, not two empty tables.
        let leaf = t.rows.child_nodes(0).is_empty();
        let raw = raw.unwrap_or_default();
        let kod = node.kod.clone();
        Ok(Out::page_or_export(&eq, &[&parts, &largest, &konton], || {
            html! {
                (period_form("/", period, &[]))
                h2 { (node.namn) " (" (node.kod) "), " (ui::year_to_date(period)) }
                p.meta {
                    "Budget: " (t.budgetversion.as_deref().unwrap_or("ingen")) ". Helårsprognos: "
                    (forecast_note(&t.prognosversion))
                    ". Belopp i tkr, nettokostnad (kostnader positiva)."
                }
                (kpis(&t, 0))
                (chart)
                @if leaf {
                    h2 { "Konton" }
                    p.meta { "Enhetens konton hittills i år; kontot leder till huvudboksraderna." }
                    (accounts_table(&t, &kod, period))
                    (ui::export_links(&konton, &raw))
                } @else {
                    h2 { "Största avvikelser mot budget helår" }
                    p.meta { "Enheter (noder utan underliggande noder), störst avvikelse åt något håll först." }
                    div #storsta { (ui::grid(&largest, &raw)) }
                    h2 { "Delar" }
                    (children_table(&t, period))
                    (ui::export_links(&parts, &raw))
                }
            }
        }))
    })
    .await;
    render(&pu, "Översikt", "start", r)
}

/// The parts of row 0 as a grid (the export of the "Delar" table).
pub(crate) fn children_grid(t: &Table) -> Grid {
    let mut g = Grid::new(
        "delar",
        format!("Delar {}", t.rows.rader[0].kod),
        vec![
            Col::text("Nod"),
            Col::new("Utfall ack", Kind::Tkr),
            Col::new("Budget ack", Kind::Tkr),
            Col::new("Avvikelse ack", Kind::Tkr),
            Col::new("Prognos helår", Kind::Tkr),
            Col::new("Budget helår", Kind::Tkr),
            Col::new("Avvikelse helår", Kind::Tkr),
        ],
    );
    for i in t.rows.child_nodes(0) {
        let n = &t.rows.rader[i];
        let mut cells = vec![Cell::text(format!("{} {}", n.kod, n.namn))];
        for k in [
            "utfall",
            "budget",
            "avvikelse",
            "prognos",
            "budget_helar",
            "prognosavvikelse",
        ] {
            cells.push(Cell::opt(t.rows.get(i, k)));
        }
        g.push(cells);
    }
    g
}

/// The accounts of row 0 as a grid (the export of the "Konton" table).
pub(crate) fn accounts_grid(t: &Table) -> Grid {
    let mut g = Grid::new(
        "konton",
        format!("Konton {}", t.rows.rader[0].kod),
        vec![
            Col::text("Konto"),
            Col::new("Utfall ack", Kind::Tkr),
            Col::new("Budget ack", Kind::Tkr),
            Col::new("Avvikelse", Kind::Tkr),
            Col::new("Utfall föreg. år ack", Kind::Tkr),
        ],
    );
    for i in t.rows.accounts(0) {
        let k = &t.rows.rader[i];
        g.push(vec![
            Cell::text(format!("{} {}", k.kod, k.namn)),
            Cell::opt(t.rows.get(i, "utfall")),
            Cell::opt(t.rows.get(i, "budget")),
            Cell::opt(t.rows.get(i, "avvikelse")),
            Cell::Num(k.belopp.fg_ar),
        ]);
    }
    g
}

/// The accounts of row 0 with links to their ledger lines.
pub(crate) fn accounts_table(t: &Table, kod: &str, period: Period) -> Markup {
    html! {
        table.num #konton {
            thead { tr { th scope="col" { "Konto" } th scope="col" { "Utfall ack" } th scope="col" { "Budget ack" } th scope="col" { "Avvikelse" } th scope="col" { "Utfall föreg. år ack" } } }
            tbody {
                @for i in t.rows.accounts(0) {
                    @let k = &t.rows.rader[i];
                    @let (d, c) = deviation(t, i, "avvikelse");
                    tr {
                        th scope="row" { a href={ "/organisation/" (ui::urlencode(kod)) "/konto/" (ui::urlencode(&k.kod)) "?period=" (period) } { (k.kod) " " (k.namn) } }
                        td { (money(t, i, "utfall")) } td { (money(t, i, "budget")) } td class=(c) { (d) } td { (tkr(k.belopp.fg_ar)) }
                    }
                }
            }
        }
    }
}

/// The units with the largest deviation from the full-year budget (the
/// rows the core picks), as a grid.
pub(crate) fn largest_grid(t: &Table, period: Period) -> Grid {
    let mut g = Grid::new(
        "storsta",
        "Största avvikelser",
        vec![
            Col::text("Enhet"),
            Col::new("Prognos helår", Kind::Tkr),
            Col::new("Budget helår", Kind::Tkr),
            Col::new("Avvikelse", Kind::Tkr),
        ],
    );
    for i in t.rows.largest_deviations(8) {
        let n = &t.rows.rader[i];
        g.push(vec![
            Cell::Link(
                format!("{} {}", n.kod, n.namn),
                format!("/organisation/{}?period={period}", ui::urlencode(&n.kod)),
            ),
            Cell::opt(t.rows.get(i, "prognos")),
            Cell::opt(t.rows.get(i, "budget_helar")),
            Cell::opt(t.rows.get(i, "prognosavvikelse")),
        ]);
    }
    g
}

pub(crate) fn children_table(t: &Table, period: Period) -> Markup {
    html! {
        table.num #delar {
            thead { tr {
                th scope="col" { "Nod" } th scope="col" { "Utfall ack" } th scope="col" { "Budget ack" } th scope="col" { "Avvikelse ack" }
                th scope="col" { "Prognos helår" } th scope="col" { "Budget helår" } th scope="col" { "Avvikelse helår" }
            } }
            tbody {
                @for i in t.rows.child_nodes(0) {
                    @let n = &t.rows.rader[i];
                    @let ((d1, c1), (d2, c2)) = (deviation(t, i, "avvikelse"), deviation(t, i, "prognosavvikelse"));
                    tr data-kod=(n.kod) {
                        th scope="row" { a href={ "/organisation/" (ui::urlencode(&n.kod)) "?period=" (period) } { (n.kod) " " (n.namn) } }
                        td { (money(t, i, "utfall")) } td { (money(t, i, "budget")) } td class=(c1) { (d1) }
                        td.prognos { (money(t, i, "prognos")) } td { (money(t, i, "budget_helar")) } td class=(c2) { (d2) }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- organisation

pub(crate) async fn org_root(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    match blocking(&st, move |st| {
        let period = ledger_period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        Ok((root_of(&user, &tree), period))
    })
    .await
    {
        Ok((root, p)) => see_other(&format!("/organisation/{}?period={p}", ui::urlencode(&root))),
        Err(f) => render::<Out>(&pu, "Organisation", "org", Err(f)),
    }
}

pub(crate) fn breadcrumbs(tree: &Tree, user: &User, code: &str, period: Period) -> Markup {
    let path = tree.path(code);
    html! {
        nav.crumbs aria-label="Sökväg" {
            ol {
                @for c in &path {
                    @let name = tree.names.get(c).cloned().unwrap_or_default();
                    @if allowed(user, tree, c).is_ok() && c != code {
                        li { a href={ "/organisation/" (ui::urlencode(c)) "?period=" (period) } { (c) " " (name) } }
                    } @else {
                        li aria-current=[(c == code).then_some("page")] { (c) " " (name) }
                    }
                }
            }
        }
    }
}

pub(crate) async fn org_node(
    State(st): State<Shared>,
    pu: PageUser,
    Path(kod): Path<String>,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let title = format!("Organisation: {kod}");
    let r = blocking(&st, move |st| {
        let period = ledger_period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        allowed(&user, &tree, &kod)?;
        let t = st.table(period, &Prognosval::Senaste, Layout::Kostnad, &kod)?;
        let node = &t.rows.rader[0];
        let chart = trend_chart(st, period, &node.kod, &node.namn)?;
        let accounts = t.rows.accounts(0);
        let (parts, konton) = (children_grid(&t), accounts_grid(&t));
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&parts, &konton], || html! {
            (breadcrumbs(&tree, &user, &kod, period))
            (period_form(&format!("/organisation/{}", ui::urlencode(&kod)), period, &[]))
            h2 { (node.kod) " " (node.namn) " (" (node.niva.as_deref().unwrap_or("")) ")" }
            p.meta { "Helårsprognos: " (forecast_note(&t.prognosversion)) ". Belopp i tkr, kostnader positiva." }
            (kpis(&t, 0))
            p { a href={ "/uppfoljning?nod=" (ui::urlencode(&kod)) "&period=" (period) } { "Uppföljningsrapport för noden" } }
            @if !t.rows.child_nodes(0).is_empty() {
                h2 { "Underliggande enheter" }
                (children_table(&t, period))
                (ui::export_links(&parts, &raw))
            }
            @if !accounts.is_empty() {
                h2 { "Konton" }
                (accounts_table(&t, &kod, period))
                (ui::export_links(&konton, &raw))
            }
            (chart)
        }))
    })
    .await;
    render(&pu, &title, "org", r)
}

pub(crate) async fn ledger_lines(
    State(st): State<Shared>,
    pu: PageUser,
    Path((kod, konto)): Path<(String, String)>,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let title = format!("Huvudboksrader {kod} / {konto}");
    let r = blocking(&st, move |st| {
        let period = ledger_period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        allowed(&user, &tree, &kod)?;
        let jan = Period::new(period.year(), 1).ok_or_else(|| Fail::bad("ogiltigt år"))?;
        let (lines, names) = st.with_store(|s| {
            Ok((
                s.ledger_lines(&kod, &konto, jan, period)?,
                resurs_app::names::Names::load(s)?,
            ))
        })?;
        let total: i64 = lines.iter().map(|l| l.belopp.ore()).sum();
        let coded = |code: &str, name: &str| if name.is_empty() { code.to_string() } else { format!("{code} {name}") };
        let mut g = Grid::new(
            "huvudboksrader",
            format!("Huvudbok {kod} {konto}"),
            vec![
                Col::text("Period"),
                Col::text("Verifikation"),
                Col::text("Verksamhet"),
                Col::text("Text"),
                Col::new("Belopp, kr", Kind::Kr),
            ],
        );
        for l in &lines {
            g.push(vec![
                Cell::text(l.period.to_string()),
                Cell::text(l.verifikation.as_deref().unwrap_or("")),
                Cell::text(coded(&l.verksamhet, names.verksamhet(&l.verksamhet))),
                Cell::text(l.text.as_deref().unwrap_or("")),
                Cell::Num(l.belopp.ore()),
            ]);
        }
        let sum_label = format!("Summa ({} rader)", ui::count(lines.len()));
        g.push_class(
            "sum",
            vec![Cell::text(sum_label.clone()), Cell::Empty, Cell::Empty, Cell::Empty, Cell::Num(total)],
        );
        let unit = tree.names.get(&kod).cloned().unwrap_or_default();
        let raw = raw.unwrap_or_default();
        let body_rows = g.rows.len() - 1;
        Ok(Out::page_or_export(&eq, &[&g], || html! {
            (breadcrumbs(&tree, &user, &kod, period))
            p.meta {
                "Konto " (coded(&konto, names.konto(&konto))) ", ansvar " (coded(&kod, &unit)) ", "
                (ui::year_to_date(period)) ". Belopp i kronor, kostnader positiva."
            }
            div.tablebox {
                table.grid #huvudboksrader {
                    thead { tr { @for (i, c) in g.cols.iter().enumerate() { th scope="col" class=[(i == 4).then_some("n")] { (c.title) } } } }
                    tbody {
                        @for r in &g.rows[..body_rows] {
                            tr {
                                td { (g.show(0, &r.cells[0])) }
                                td.text.ver { (g.show(1, &r.cells[1])) }
                                td.text.verks { (g.show(2, &r.cells[2])) }
                                td.text.txt { (g.show(3, &r.cells[3])) }
                                td.n { (g.show(4, &r.cells[4])) }
                            }
                        }
                    }
                    tfoot { tr { th scope="row" colspan="4" { (sum_label) } td.n { (g.show(4, &Cell::Num(total))) } } }
                }
            }
            (ui::export_links(&g, &raw))
        }))
    })
    .await;
    render(&pu, &title, "org", r)
}
