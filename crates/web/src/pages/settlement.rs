//! Settlement pages and the provider statement.

use super::*;

pub(crate) async fn settlement_page(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let s = st.settlement(period)?;
        let tree = st.tree(period)?;
        let units = st.provider_units()?;
        let shown: Vec<&ProviderNode> = s
            .utforare
            .iter()
            .filter(|p| sees_provider(&user, &tree, &units, &p.utforare))
            .collect();
        let total: Money = shown.iter().map(|p| p.belopp).sum();
        Ok(html! {
            (period_form("/avrakning", period, &[]))
            p.meta { "Ersättning till utförarna för " (period) " enligt modellversionerna " (s.modellversioner.join(", ")) ", beräknad ur lagrade volymer. Belopp i kronor." }
            @if !s.ej_prissatt.is_empty() { (ui::notice("err", &format!("{} volymrader saknar pris i någon modell; se resurs settle.", s.ej_prissatt.len()))) }
            table.num {
                thead { tr { th scope="col" { "Utförare" } th scope="col" { "Regiform" } th scope="col" { "Enhet (ansvar)" } th scope="col" { "Ersättning, kr" } } }
                tbody {
                    @for p in &shown {
                        tr {
                            th scope="row" { a href={ "/avrakning/" (period) "/" (ui::urlencode(&p.utforare)) } { (p.utforare) " " (p.namn) } }
                            td.text { (p.regiform) } td.text { (units.get(&p.utforare).map_or_else(|| "–".into(), |a| format!("{a} {}", tree.names.get(a).map_or("", String::as_str)).trim_end().to_string())) } td { (kr(p.belopp.ore())) }
                        }
                    }
                }
                tfoot { tr { th scope="row" colspan="3" { "Summa (" (shown.len()) " utförare)" } td { (kr(total.ore())) } } }
            }
        })
    })
    .await;
    render(&pu, "Avräkning", "avr", r)
}

/// The provider's part of a month's settlement, if the user may see it.
pub fn provider_of(st: &AppState, user: &User, period: Period, kod: &str) -> Result<(Settlement, ProviderNode), Fail> {
    let s = st.settlement(period)?;
    let tree = st.tree(period)?;
    let units = st.provider_units()?;
    if !sees_provider(user, &tree, &units, kod) {
        return Err(Fail::forbidden(format!("Du har inte behörighet till utföraren {kod}.")));
    }
    let p = s
        .utforare
        .iter()
        .find(|p| p.utforare == kod)
        .cloned()
        .ok_or_else(|| Fail::not_found(format!("Utföraren {kod} har ingen avräkning {period}.")))?;
    Ok(((*s).clone(), p))
}

/// A month given in a path or form (required).
pub fn parse_period(raw: &str) -> Result<Period, Fail> {
    Period::parse(raw).ok_or_else(|| Fail::bad(format!("period: värdet \"{raw}\", förväntade ÅÅÅÅ-MM")))
}

pub(crate) async fn provider_page(
    State(st): State<Shared>,
    pu: PageUser,
    Path((per, kod)): Path<(String, String)>,
) -> Response {
    let user = pu.user.clone();
    let title = format!("Avräkning {kod} {per}");
    let r = blocking(&st, move |st| {
        let period = parse_period(&per)?;
        let (_, p) = provider_of(st, &user, period, &kod)?;
        let base = format!("/avrakning/{period}/{}", ui::urlencode(&kod));
        Ok(html! {
            p { a href={ "/avrakning?period=" (period) } { "← Alla utförare " (period) } }
            h2 { (p.utforare) " " (p.namn) " (" (p.regiform) ")" }
            p.big { "Ersättning: " (kr(p.belopp.ore())) " kr" }
            p { a.button href={ (base) "/underlag.xlsx" } download { "Ladda ner avräkningsunderlaget (xlsx)" } }
            @for (ti, t) in p.tjanster.iter().enumerate() {
                h3 { (t.insats) " – " (t.modell) ": " (kr(t.belopp.ore())) " kr" }
                table.num {
                    thead { tr { th scope="col" { "Regel" } th scope="col" { "Modellversion" } th scope="col" { "Volym" } th scope="col" { "Enhet" } th scope="col" { "Pris" } th scope="col" { "Belopp, kr" } } }
                    tbody {
                        @for (ri, r) in t.rader.iter().enumerate() {
                            tr {
                                th scope="row" {
                                    @if r.detalj.is_empty() { (r.regel) } @else { a href={ (base) "/rad?t=" (ti) "&r=" (ri) } { (r.regel) } }
                                }
                                td.text { (r.modellversion) } td { (r.volym.fmt_sv()) } td.text { (r.enhet) }
                                td { @if let Some(pr) = r.pris { (kr(pr.ore())) } @else if let Some(pc) = r.procent { (pct(Some(pc.0))) } }
                                td { (kr(r.belopp.ore())) }
                            }
                        }
                    }
                }
            }
        })
    })
    .await;
    render(&pu, &title, "avr", r)
}

pub(crate) async fn detail_page(
    State(st): State<Shared>,
    pu: PageUser,
    Path((per, kod)): Path<(String, String)>,
    Query(q): Query<Q>,
) -> Response {
    let user = pu.user.clone();
    let title = format!("Brukardygn {kod} {per}");
    let r = blocking(&st, move |st| {
        let period = parse_period(&per)?;
        let (_, p) = provider_of(st, &user, period, &kod)?;
        let idx = |v: &Option<String>| given(v).and_then(|x| x.parse::<usize>().ok());
        let line = idx(&q.t)
            .and_then(|t| p.tjanster.get(t))
            .and_then(|t| idx(&q.r).and_then(|r| t.rader.get(r)))
            .ok_or_else(|| Fail::not_found("Regelraden finns inte."))?;
        Ok(html! {
            p { a href={ "/avrakning/" (period) "/" (ui::urlencode(&kod)) } { "← " (p.utforare) " " (p.namn) } }
            h2 { (line.regel) " (" (line.modellversion) ")" }
            p.meta { "Brukare visas med pseudonym. " (line.detalj.len()) " rader, summa " (kr(line.belopp.ore())) " kr." }
            table.num {
                thead { tr { th scope="col" { "Datum" } th scope="col" { "Brukare (pseudonym)" } th scope="col" { "Volym" } th scope="col" { "Belopp, kr" } } }
                tbody {
                    @for d in &line.detalj {
                        tr { td.text { (d.datum) } td.text.mono { (d.brukare.chars().take(12).collect::<String>()) } td { (d.volym.fmt_sv()) } td { (kr(d.belopp.ore())) } }
                    }
                }
            }
        })
    })
    .await;
    render(&pu, &title, "avr", r)
}

/// The provider statement (xlsx) of one provider and month.
pub fn provider_statement(st: &AppState, user: &User, period: Period, kod: &str) -> Result<Vec<u8>, Fail> {
    let (mut s, p) = provider_of(st, user, period, kod)?;
    s.belopp = p.belopp;
    s.utforare = vec![p];
    s.ej_prissatt.retain(|u| u.utforare == kod);
    s.habiliteringsersattning.clear();
    s.habiliteringsersattning_belopp = Money::ZERO;
    resurs_io::xlsx::settlement_statements(&s).map_err(|e| Fail::internal(format!("xlsx kunde inte skapas: {e}")))
}

pub fn xlsx_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) async fn provider_xlsx(
    State(st): State<Shared>,
    pu: PageUser,
    Path((per, kod)): Path<(String, String)>,
) -> Response {
    let user = pu.user.clone();
    let k = kod.clone();
    let r = blocking(&st, move |st| {
        let period = parse_period(&per)?;
        Ok((provider_statement(st, &user, period, &k)?, period))
    })
    .await;
    match r {
        Ok((bytes, period)) => {
            let safe: String = kod.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            xlsx_response(bytes, &format!("avrakning_{period}_{safe}.xlsx"))
        }
        Err(f) => render::<Out>(&pu, "Avräkning", "avr", Err(f)),
    }
}

// ---------------------------------------------------------------- models
