//! Compensation models and scenario comparison.

use super::*;

pub(crate) async fn models_page(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let models = st.cached("modeller".into(), |s| Ok(resurs_app::models::stored(s)?))?;
        let year = year_of(st, &q.ar)?;
        let scenario = match (given(&q.bas), given(&q.alt)) {
            (Some(b), Some(a)) => Some(st.with_store(|s| Ok(resurs_app::scenario::run(s, b, a, year)?))?),
            _ => None,
        };
        // An enhetschef sees its own providers only, with totals over them.
        let scenario = match scenario {
            Some(sc) if !user.sees_all() => {
                let tree = st.tree(st.default_period()?)?;
                let units = st.provider_units()?;
                let rader: Vec<_> = sc
                    .rader
                    .into_iter()
                    .filter(|r| sees_provider(&user, &tree, &units, &r.utforare))
                    .collect();
                Some(resurs_core::rules::scenario::Scenario::new(sc.bas, sc.alt, sc.ar, rader))
            }
            other => other,
        };
        let ids: Vec<String> = models.iter().map(|m| m.id()).collect();
        Ok(html! {
            section aria-labelledby="scen" {
                h2 id="scen" { "Scenariojämförelse" }
                p.meta { "Samma års volymer ersatta med två versioner av samma modelltyp." }
                form.inline method="get" action="/modeller" {
                    label for="bas" { "Bas" }
                    select id="bas" name="bas" { @for i in &ids { option selected[given(&q.bas) == Some(i.as_str())] { (i) } } }
                    label for="alt" { "Alternativ" }
                    select id="alt" name="alt" { @for i in &ids { option selected[given(&q.alt) == Some(i.as_str())] { (i) } } }
                    label for="ar" { "År" }
                    input id="ar" name="ar" type="number" min="1990" max="2100" value=(year);
                    button type="submit" { "Jämför" }
                }
                @if let Some(sc) = &scenario {
                    table.num {
                        thead { tr { th scope="col" { "Utförare" } th scope="col" { "Volym" } th scope="col" { "Enhet" } th scope="col" { (sc.bas) } th scope="col" { (sc.alt) } th scope="col" { "Skillnad" } } }
                        tbody {
                            @for r in &sc.rader {
                                tr { th scope="row" { (r.utforare) " " (r.namn) } td { (r.volym.fmt_sv()) } td.text { (r.enhet) } td { (kr(r.bas.ore())) } td { (kr(r.alt.ore())) } td class=(sign_class(-r.skillnad.ore())) { (kr(r.skillnad.ore())) } }
                            }
                        }
                        tfoot { tr { th scope="row" colspan="3" { "Summa" } td { (kr(sc.bas_total.ore())) } td { (kr(sc.alt_total.ore())) } td { (kr(sc.skillnad.ore())) } } }
                    }
                }
            }
            h2 { "Modellversioner" }
            table {
                thead { tr { th scope="col" { "Version" } th scope="col" { "Typ" } th scope="col" { "Giltig från" } th scope="col" { "Giltig till" } th scope="col" { "Insatser" } } }
                tbody {
                    @for m in models.iter() {
                        tr { th scope="row" { a href={ "#m-" (ui::urlencode(&m.id())) } { (m.namn) } } td { (m.model_type().code()) } td { (m.giltig_fran) } td { (m.giltig_till.map_or("tills vidare".into(), |d| d.to_string())) } td { (m.insatser.join(", ")) } }
                    }
                }
            }
            @for m in models.iter() {
                section.model id={ "m-" (ui::urlencode(&m.id())) } {
                    h3 { (m.id()) }
                    pre { (resurs_app::models::describe(std::slice::from_ref(m))) }
                }
            }
        })
    })
    .await;
    render(&pu, "Ersättningsmodeller", "modell", r)
}

// ---------------------------------------------------------------- import
