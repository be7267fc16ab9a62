//! Start page, organisation tree and ledger lines.

use super::*;

pub(crate) async fn start(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        let root = root_of(&user, &tree);
        let t = st.table(period, &Prognosval::Senaste, Layout::Kostnad, &root)?;
        let node = &t.rows.rader[0];
        let largest = t.rows.largest_deviations(8);
        let chart = trend_chart(st, period, &node.kod, &node.namn)?;
        Ok(html! {
            (period_form("/", period, &[]))
            h2 { (node.namn) " (" (node.kod) "), " (ui::year_to_date(period)) }
            p.meta {
                "Budget: " (t.budgetversion.as_deref().unwrap_or("ingen")) ". Helårsprognos: "
                (forecast_note(&t.prognosversion))
                ". Belopp i tkr, nettokostnad (kostnader positiva)."
            }
            (kpis(&t, 0))
            (chart)
            h2 { "Största avvikelser mot budget helår" }
            p.meta { "Enheter (noder utan underliggande noder), störst avvikelse åt något håll först." }
            table.num #storsta {
                thead { tr { th scope="col" { "Enhet" } th scope="col" { "Prognos helår" } th scope="col" { "Budget helår" } th scope="col" { "Avvikelse" } } }
                tbody {
                    @for &i in &largest {
                        @let n = &t.rows.rader[i];
                        @let (d, c) = deviation(&t, i, "prognosavvikelse");
                        tr {
                            th scope="row" { a href={ "/organisation/" (ui::urlencode(&n.kod)) "?period=" (period) } { (n.kod) " " (n.namn) } }
                            td { (money(&t, i, "prognos")) } td { (money(&t, i, "budget_helar")) } td class=(c) { (d) }
                        }
                    }
                }
            }
            h2 { "Delar" }
            (children_table(&t, period))
        })
    })
    .await;
    render(&pu, "Översikt", "start", r)
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
        let period = period_of(st, &q.period)?;
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
) -> Response {
    let user = pu.user.clone();
    let title = format!("Organisation: {kod}");
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        allowed(&user, &tree, &kod)?;
        let t = st.table(period, &Prognosval::Senaste, Layout::Kostnad, &kod)?;
        let node = &t.rows.rader[0];
        let chart = trend_chart(st, period, &node.kod, &node.namn)?;
        let accounts = t.rows.accounts(0);
        Ok(html! {
            (breadcrumbs(&tree, &user, &kod, period))
            (period_form(&format!("/organisation/{}", ui::urlencode(&kod)), period, &[]))
            h2 { (node.kod) " " (node.namn) " (" (node.niva.as_deref().unwrap_or("")) ")" }
            p.meta { "Helårsprognos: " (forecast_note(&t.prognosversion)) ". Belopp i tkr, kostnader positiva." }
            (kpis(&t, 0))
            p { a href={ "/uppfoljning?nod=" (ui::urlencode(&kod)) "&period=" (period) } { "Uppföljningsrapport för noden" } }
            @if !t.rows.child_nodes(0).is_empty() {
                h2 { "Underliggande enheter" }
                (children_table(&t, period))
            }
            @if !accounts.is_empty() {
                h2 { "Konton" }
                table.num {
                    thead { tr { th scope="col" { "Konto" } th scope="col" { "Utfall ack" } th scope="col" { "Budget ack" } th scope="col" { "Avvikelse" } th scope="col" { "Utfall föreg. år ack" } } }
                    tbody {
                        @for &i in &accounts {
                            @let k = &t.rows.rader[i];
                            @let (d, c) = deviation(&t, i, "avvikelse");
                            tr {
                                th scope="row" { a href={ "/organisation/" (ui::urlencode(&kod)) "/konto/" (ui::urlencode(&k.kod)) "?period=" (period) } { (k.kod) " " (k.namn) } }
                                td { (money(&t, i, "utfall")) } td { (money(&t, i, "budget")) } td class=(c) { (d) } td { (tkr(k.belopp.fg_ar)) }
                            }
                        }
                    }
                }
            }
            (chart)
        })
    })
    .await;
    render(&pu, &title, "org", r)
}

pub(crate) async fn ledger_lines(
    State(st): State<Shared>,
    pu: PageUser,
    Path((kod, konto)): Path<(String, String)>,
    Query(q): Query<Q>,
) -> Response {
    let user = pu.user.clone();
    let title = format!("Huvudboksrader {kod} / {konto}");
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        allowed(&user, &tree, &kod)?;
        let jan = Period::new(period.year(), 1).ok_or_else(|| Fail::bad("ogiltigt år"))?;
        let lines = st.with_store(|s| Ok(s.ledger_lines(&kod, &konto, jan, period)?))?;
        let total: i64 = lines.iter().map(|l| l.belopp.ore()).sum();
        Ok(html! {
            (breadcrumbs(&tree, &user, &kod, period))
            p.meta { "Konto " (konto) ", ansvar " (kod) ", " (ui::year_to_date(period)) ". Belopp i kronor, kostnader positiva." }
            table.num {
                thead { tr { th scope="col" { "Period" } th scope="col" { "Verksamhet" } th scope="col" { "Text" } th scope="col" { "Belopp, kr" } } }
                tbody {
                    @for l in &lines {
                        tr {
                            td { (l.period) }
                            td.text { (l.verksamhet) } td.text { (l.text.as_deref().unwrap_or("")) } td { (kr(l.belopp.ore())) }
                        }
                    }
                }
                tfoot { tr { th scope="row" colspan="3" { "Summa (" (lines.len()) " rader)" } td { (kr(total)) } } }
            }
        })
    })
    .await;
    render(&pu, &title, "org", r)
}

// ---------------------------------------------------------------- follow-up

pub(crate) fn cell(kind: ColumnKind, v: Option<i64>) -> Markup {
    match (kind, v) {
        (ColumnKind::Belopp, Some(m)) => html! { (tkr(m)) },
        (ColumnKind::Belopp, None) => html! {},
        (ColumnKind::Andel, p) => html! { (ui::percent(p)) },
    }
}
