//! Page frame, Swedish number formats and SVG charts.

use crate::auth::{Roll, User};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use resurs_core::num::{format_hundredths, group_thousands, Money};
use resurs_io::grid::{Cell, Grid, Kind};

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// Figures on the pages use an ASCII minus and a non-breaking space between
// thousands (`resurs_io::grid::NBSP`): copied into a Swedish Excel they
// become numbers, and a figure never wraps inside itself.

fn excel_friendly(s: String) -> String {
    s.replace('\u{2212}', "-").replace(' ', "\u{a0}")
}

/// Whole thousands of kronor: `-1 234`.
pub fn tkr(ore: i64) -> String {
    let t = Money::from_ore(ore).round_tkr();
    let s = group_thousands(t.unsigned_abs());
    excel_friendly(if t < 0 { format!("-{s}") } else { s })
}

/// `27,6 mnkr`.
pub fn mnkr(ore: i64) -> String {
    excel_friendly(Money::from_ore(ore).fmt_mnkr())
}

/// `1 234,50` kronor.
pub fn kr(ore: i64) -> String {
    excel_friendly(format_hundredths(ore, 2))
}

/// A ratio in hundredths of a percent (the report model's unit, 9850 =
/// 98,50 %) as `98,5 %`; "–" when it has no base.
pub fn percent(hundredths: Option<i64>) -> String {
    match hundredths {
        Some(h) => excel_friendly(format!("{} %", format_hundredths(h, 1))),
        None => "–".into(),
    }
}

/// A ratio in millionths as `98,5 %`.
pub fn pct(millionths: Option<i64>) -> String {
    match millionths {
        Some(m) => excel_friendly(format!(
            "{} %",
            format_hundredths(resurs_core::num::round_div(m, 100), 1)
        )),
        None => "–".into(),
    }
}

/// Class for a deviation where positive is favourable.
pub fn sign_class(v: i64) -> &'static str {
    if v > 0 {
        "pos"
    } else if v < 0 {
        "neg"
    } else {
        ""
    }
}

/// The menu's sections: key, address, label.
const SECTIONS: &[(&str, &str, &str)] = &[
    ("start", "/", "Översikt"),
    ("org", "/organisation", "Organisation"),
    ("uppf", "/uppfoljning", "Uppföljning"),
    ("prognos", "/prognoser", "Prognoser"),
    ("avr", "/avrakning", "Avräkning"),
    ("modell", "/modeller", "Modeller"),
    ("jmf", "/jamforelser", "Jämförelser"),
    ("kpb", "/kpb", "KPB"),
    ("import", "/import", "Import"),
    ("logg", "/logg", "Händelselogg"),
    ("anv", "/anvandare", "Användare"),
    ("mal", "/mal", "Mål"),
    ("ekonomi", "/ekonomi", "Ekonomi"),
    ("drift", "/driftredovisning", "Driftredovisning"),
    ("period", "/period", "Månadsstängning"),
    ("prod", "/produktivitet", "Produktivitet"),
];

/// The address and label of a menu section (the overview for an unknown key).
pub fn section(key: &str) -> (&'static str, &'static str) {
    SECTIONS
        .iter()
        .find(|s| s.0 == key)
        .map_or(("/", "Översikt"), |s| (s.1, s.2))
}

/// The frame of every signed-in page.
pub fn page(title: &str, user: &User, csrf: &str, active: &str, body: Markup) -> Markup {
    let mut nav: Vec<(&str, &str, &str)> = vec![
        ("start", "/", "Översikt"),
        ("org", "/organisation", "Organisation"),
        ("uppf", "/uppfoljning", "Uppföljning"),
        ("prognos", "/prognoser", "Prognoser"),
        ("avr", "/avrakning", "Avräkning"),
        ("modell", "/modeller", "Modeller"),
        ("ekonomi", "/ekonomi", "Ekonomi"),
        ("drift", "/driftredovisning", "Driftredovisning"),
        ("period", "/period", "Månadsstängning"),
        ("mal", "/mal", "Mål"),
        ("jmf", "/jamforelser", "Jämförelser"),
        ("kpb", "/kpb", "KPB"),
        ("prod", "/produktivitet", "Produktivitet"),
        ("rapport", "/rapporter", "Rapporter"),
    ];
    if user.is_controller() {
        nav.push(("import", "/import", "Import"));
    }
    if user.sees_all() {
        nav.push(("logg", "/logg", "Händelselogg"));
    }
    if user.roll == Roll::Admin {
        nav.push(("anv", "/anvandare", "Användare"));
    }
    html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Resurs" }
                link rel="stylesheet" href="/static/style.css";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#innehall" { "Hoppa till innehållet" }
                header.top {
                    a.brand href="/" { "Resurs" }
                    nav aria-label="Huvudmeny" {
                        ul {
                            @for (key, href, label) in &nav {
                                li {
                                    @if *key == active {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    div.who {
                        span { (user.namn) " · " (user.roll.name()) @if let Some(n) = &user.nod { " · nod " (n) } }
                        form method="post" action="/logga-ut" {
                            (csrf_field(csrf))
                            button type="submit" { "Logga ut" }
                        }
                    }
                }
                main id="innehall" tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A bare page (sign-in, errors before sign-in).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Resurs" }
                link rel="stylesheet" href="/static/style.css";
            }
            body.bare {
                main id="innehall" {
                    p.brand { "Resurs" }
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// One series of a line chart.
pub struct Series<'a> {
    pub name: &'a str,
    /// CSS class giving colour and dash (`s1` … `s5`).
    pub class: &'a str,
    pub values: Vec<Option<i64>>,
}

pub const MONTH_NAMES: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// `januari–oktober 2026`
pub fn year_to_date(p: resurs_core::period::Period) -> String {
    format!("januari–{} {}", MONTH_NAMES[p.month() as usize - 1], p.year())
}

pub const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

/// A monthly line chart in SVG (tkr), with a legend and, for screen
/// readers and print, the same figures as a table.
pub fn line_chart(title: &str, series: &[Series<'_>]) -> Markup {
    line_chart_in(title, "tkr per månad", Kind::Tkr, series)
}

/// A value as a chart draws it: held integers (öre, hundredths, …) in the
/// unit the column kind shows (tkr, kr, hours, percent). Only positions on
/// the drawing come from this; every printed figure is [`Kind::show`].
fn chart_value(kind: Kind, v: i64) -> f64 {
    match kind {
        Kind::Text | Kind::Count => v as f64,
        Kind::Tkr => v as f64 / 100_000.0,
        Kind::Kr | Kind::KrWhole | Kind::Hundredths { .. } => v as f64 / 100.0,
        Kind::Percent => v as f64 / 10_000.0,
    }
}

/// The held value of a grid line (the inverse of [`chart_value`]), for its label.
fn held_value(kind: Kind, t: f64) -> i64 {
    let f = match kind {
        Kind::Text | Kind::Count => 1.0,
        Kind::Tkr => 100_000.0,
        Kind::Kr | Kind::KrWhole | Kind::Hundredths { .. } => 100.0,
        Kind::Percent => 10_000.0,
    };
    (t * f).round() as i64
}

/// A monthly line chart in SVG whose values are of `kind` (shown in
/// `unit`), with a legend and the same figures as a table.
pub fn line_chart_in(title: &str, unit: &str, kind: Kind, series: &[Series<'_>]) -> Markup {
    // A year without any figures (e.g. before the first ledger import) is left out.
    let series: Vec<&Series<'_>> = series
        .iter()
        .filter(|s| s.values.iter().any(|v| v.is_some_and(|v| v != 0)))
        .collect();
    let (w, h, left, right, top, bottom) = (720.0, 260.0, 64.0, 12.0, 12.0, 28.0);
    let vals: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .map(|v| chart_value(kind, *v))
        .collect();
    let Scale { lo, hi, ticks } = scale(&vals);
    let x = |i: usize| left + (w - left - right) * (i as f64 + 0.5) / 12.0;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    let path = |s: &&Series<'_>| {
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let cmd = if pen { 'L' } else { 'M' };
                    d.push_str(&format!("{cmd}{:.1},{:.1} ", x(i), y(chart_value(kind, *v))));
                    pen = true;
                }
                None => pen = false,
            }
        }
        d
    };
    let label = |v: i64| if kind == Kind::Tkr { tkr(v) } else { kind.show(v) };
    html! {
        figure.chart {
            figcaption { (title) " (" (unit) ")" }
            svg viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(title) {
                @for t in &ticks {
                    line.grid x1=(left) x2=(w - right) y1=(format!("{:.1}", y(*t))) y2=(format!("{:.1}", y(*t))) {}
                    text.tick x=(left - 6.0) y=(format!("{:.1}", y(*t) + 4.0)) text-anchor="end" {
                        (label(held_value(kind, *t)))
                    }
                }
                @for (i, m) in MONTHS.iter().enumerate() {
                    text.tick x=(format!("{:.1}", x(i))) y=(h - 8.0) text-anchor="middle" { (m) }
                }
                @for s in &series {
                    path class={ "line " (s.class) } d=(path(s)) fill="none" {}
                }
            }
            ul.legend {
                @for s in &series {
                    li {
                        svg.key width="28" height="10" viewBox="0 0 28 10" aria-hidden="true" {
                            line class={ "line " (s.class) } x1="0" y1="5" x2="28" y2="5" {}
                        }
                        (s.name)
                    }
                }
            }
            details {
                summary { "Siffrorna i tabellform" }
                table.num {
                    thead { tr { th scope="col" { "Serie" } @for m in MONTHS { th scope="col" { (m) } } } }
                    tbody {
                        @for s in &series {
                            tr {
                                th scope="row" { (s.name) }
                                @for v in &s.values { td { @if let Some(v) = v { (label(*v)) } @else { "–" } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One series of a bar chart: one value per group (`None`: no bar).
pub struct Bars<'a> {
    pub name: &'a str,
    pub values: Vec<Option<i64>>,
}

/// The fills of a bar chart's series, in order: solid, hatched, dotted,
/// cross-hatched. Each series differs by pattern as well as colour, so
/// the bars stay apart in a print without colours.
const BAR_FILLS: [(&str, &str); 4] = [
    ("b1", "#0b4f8a"),
    ("b2", "#c05600"),
    ("b3", "#6a3d9a"),
    ("b4", "#5f8f3a"),
];

/// A horizontal grouped bar chart in SVG: one group per label (e.g. a
/// unit), one bar per series (e.g. budget and outcome), values of `kind`
/// shown in `unit`. Every bar carries its figure as text, the series
/// differ by pattern as well as colour (print without colours), and the
/// same figures follow as a table. `id` keeps the patterns of several
/// charts on one page apart.
pub fn bar_chart(id: &str, title: &str, unit: &str, kind: Kind, labels: &[String], series: &[Bars<'_>]) -> Markup {
    let series: Vec<&Bars<'_>> = series.iter().take(BAR_FILLS.len()).collect();
    let n = series.len().max(1) as f64;
    let (bar, gap, group_gap) = (14.0, 2.0, 12.0);
    let (w, left, right, top, bottom) = (720.0, 210.0, 84.0, 8.0, 24.0);
    let group_h = n * (bar + gap) + group_gap;
    let h = top + bottom + group_h * labels.len().max(1) as f64;
    let mut vals: Vec<f64> = vec![0.0];
    vals.extend(
        series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .map(|v| chart_value(kind, *v)),
    );
    let Scale { lo, hi, ticks } = scale(&vals);
    let x = |v: f64| left + (w - left - right) * (v - lo) / (hi - lo);
    let zero = x(0.0_f64.clamp(lo, hi));
    let label = |v: i64| kind.show(v);
    let short = |s: &str| {
        if s.chars().count() > 30 {
            format!("{}…", s.chars().take(29).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let fill = |i: usize| {
        let (class, colour) = BAR_FILLS[i];
        if i == 0 {
            colour.to_string()
        } else {
            format!("url(#{id}-{class})")
        }
    };
    html! {
        figure.chart.bars id=(id) {
            figcaption { (title) " (" (unit) ")" }
            svg viewBox={ "0 0 " (w) " " (format!("{h:.0}")) } role="img" aria-label=(title) {
                defs {
                    @for (i, (class, colour)) in BAR_FILLS.iter().enumerate().skip(1) {
                        pattern id={ (id) "-" (class) } patternUnits="userSpaceOnUse" width="6" height="6" {
                            rect width="6" height="6" fill="#fff" {}
                            @match i {
                                1 => path d="M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5" stroke=(colour) stroke-width="1.6" {},
                                2 => circle cx="3" cy="3" r="1.4" fill=(colour) {},
                                _ => path d="M0,3 L6,3 M3,0 L3,6" stroke=(colour) stroke-width="1.4" {},
                            }
                        }
                    }
                }
                @for t in &ticks {
                    line.grid x1=(format!("{:.1}", x(*t))) x2=(format!("{:.1}", x(*t))) y1=(top) y2=(format!("{:.1}", h - bottom)) {}
                    text.tick x=(format!("{:.1}", x(*t))) y=(format!("{:.1}", h - 8.0)) text-anchor="middle" {
                        (label(held_value(kind, *t)))
                    }
                }
                @for (g, name) in labels.iter().enumerate() {
                    @let y0 = top + group_h * g as f64;
                    text.tick.barlabel x=(left - 6.0) y=(format!("{:.1}", y0 + n * (bar + gap) / 2.0 + 4.0)) text-anchor="end" { title { (name) } (short(name)) }
                    @for (i, s) in series.iter().enumerate() {
                        @if let Some(v) = s.values.get(g).copied().flatten() {
                            @let xv = x(chart_value(kind, v));
                            @let (x1, x2) = (zero.min(xv), zero.max(xv));
                            @let yb = y0 + i as f64 * (bar + gap);
                            rect class={ "bar " (BAR_FILLS[i].0) } x=(format!("{x1:.1}")) y=(format!("{yb:.1}"))
                                width=(format!("{:.1}", (x2 - x1).max(0.5))) height=(bar)
                                fill=(fill(i)) stroke=(BAR_FILLS[i].1) stroke-width="1" data-varde=(v) {}
                            text.tick.barvalue x=(format!("{:.1}", x2 + 4.0)) y=(format!("{:.1}", yb + bar - 3.0)) { (label(v)) }
                        }
                    }
                }
                line x1=(format!("{zero:.1}")) x2=(format!("{zero:.1}")) y1=(top) y2=(format!("{:.1}", h - bottom)) stroke="#1b1f24" stroke-width="1" {}
            }
            ul.legend {
                @for (i, s) in series.iter().enumerate() {
                    li {
                        svg.swatch width="22" height="12" viewBox="0 0 22 12" aria-hidden="true" {
                            rect x="0.5" y="0.5" width="21" height="11" fill=(fill(i)) stroke=(BAR_FILLS[i].1) {}
                        }
                        " " (s.name)
                    }
                }
            }
            details {
                summary { "Siffrorna i tabellform" }
                table.num {
                    thead { tr { th scope="col" { "" } @for s in &series { th scope="col" { (s.name) } } } }
                    tbody {
                        @for (g, name) in labels.iter().enumerate() {
                            tr {
                                th scope="row" { (name) }
                                @for s in &series { td { @if let Some(v) = s.values.get(g).copied().flatten() { (label(v)) } @else { "–" } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The most grid lines a chart draws.
pub const MAX_TICKS: usize = 12;

/// A chart's y axis: `lo < hi`, both finite, and 2 to [`MAX_TICKS`] grid
/// lines from `lo` to `hi` on a round step.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
}

/// The y axis for `vals` (any values: huge, equal, negative, NaN or
/// infinite, which are left out). Ticks are counted, not stepped to, so a
/// step too small to move a large value cannot loop for ever.
pub fn scale(vals: &[f64]) -> Scale {
    // Far beyond any figure (i64 öre in tkr is below 10^14), so spans stay finite.
    const LIMIT: f64 = 1e300;
    let finite = vals.iter().filter(|v| v.is_finite()).map(|v| v.clamp(-LIMIT, LIMIT));
    let (mut lo, mut hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    // Level lines read better without a forced zero; keep it when near.
    if lo > 0.0 && lo < (hi - lo) {
        lo = 0.0;
    }
    // A span too small to show next to the values' size is widened.
    let min_span = (lo.abs().max(hi.abs()) * 1e-9).max(1.0);
    if hi - lo < min_span {
        hi = lo + min_span;
    }
    // A round step for five or so grid lines.
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let n = ((hi - lo) / step).round();
    let n = if n.is_finite() {
        (n as usize).clamp(1, MAX_TICKS - 1)
    } else {
        1
    };
    let ticks: Vec<f64> = (0..=n).map(|i| lo + step * i as f64).collect();
    let hi = if hi > lo { hi } else { ticks[n] };
    Scale { lo, hi, ticks }
}

/// The hidden field that carries the session's CSRF token in a POST form;
/// put it first in the form (for a multipart form it must be the first
/// part, which the server reads before the file):
/// `form method="post" action="/x" { (ui::csrf_field(csrf)) ... }`.
pub fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="_csrf" value=(csrf); }
}

/// A count with thousands separators (`12 345`, non-breaking space), as
/// the tables show it.
pub fn count(n: impl TryInto<i64>) -> String {
    resurs_io::grid::Kind::Count.show(n.try_into().unwrap_or(i64::MAX))
}

/// A message box.
pub fn notice(kind: &str, text: &str) -> Markup {
    html! { p class={ "notice " (kind) } role="status" { (text) } }
}

/// A table on a page, with links to the same table as xlsx and CSV. The
/// links repeat the page's own query (`query`, without `?`) and add
/// `tabell=ID&format=xlsx|csv`; the handler answers them with
/// [`export`]. Text columns are left-aligned with their headings, numbers
/// right; the table scrolls inside its own box on a narrow screen.
pub fn grid(g: &Grid, query: &str) -> Markup {
    grid_at(g, "", query)
}

/// Every table of a page in order, each with its download links (the
/// handler answers them with [`crate::pages::Out::grids_or_export`]).
pub fn grids(gs: &[Grid], query: &str) -> Markup {
    html! { @for g in gs { (grid(g, query)) } }
}

/// As [`grid`], with export links to the page at `path` (for a table
/// shown in the answer to a POST, whose own address takes no GET).
pub fn grid_at(g: &Grid, path: &str, query: &str) -> Markup {
    html! {
        div.tablebox {
            table.grid {
                thead { tr { @for c in &g.cols {
                    th scope="col" class=[c.kind.is_number().then_some("n")] { (c.title) }
                } } }
                tbody {
                    @for r in &g.rows {
                        tr class=[r.class] {
                            @for (i, cell) in r.cells.iter().enumerate() {
                                @let num = g.cols.get(i).is_some_and(|c| c.kind.is_number());
                                td class=[num.then_some("n")] {
                                    @match cell {
                                        Cell::Link(t, href) => a href=(href) { (t) },
                                        _ => (g.show(i, cell)),
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (export_links_at(g, path, query))
    }
}

/// The "Ladda ner tabellen: Excel (xlsx) · CSV" links of grid `g`, for a
/// table the page draws with its own markup (the follow-up tree) but
/// exports from the grid built from the same rows.
pub fn export_links(g: &Grid, query: &str) -> Markup {
    export_links_at(g, "", query)
}

/// As [`export_links`], to the page at `path`.
pub fn export_links_at(g: &Grid, path: &str, query: &str) -> Markup {
    let base: String = query
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("tabell=") && !kv.starts_with("format="))
        .collect::<Vec<_>>()
        .join("&");
    let link = |fmt: &str| {
        let sep = if base.is_empty() { "" } else { "&" };
        format!("{path}?{base}{sep}tabell={}&format={fmt}", urlencode(&g.id))
    };
    html! {
        p.export data-tabell=(g.id) {
            "Ladda ner tabellen: "
            a href=(link("xlsx")) download { "Excel (xlsx)" } " · "
            a href=(link("csv")) download { "CSV" }
        }
    }
}

/// Query parameters of an export link.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ExportQ {
    pub tabell: Option<String>,
    pub format: Option<String>,
}

/// The export a request asks for, if any: the grid with the asked id as
/// xlsx or CSV. `None` when the request is for the page itself.
pub fn export(q: &ExportQ, grids: &[&Grid]) -> Option<Response> {
    let fmt = q.format.as_deref()?;
    let id = q.tabell.as_deref().unwrap_or("");
    let Some(g) = grids
        .iter()
        .find(|g| g.id == id)
        .or(grids.first().filter(|_| id.is_empty()))
    else {
        return Some(crate::pages::error_page(crate::state::Fail::not_found(format!(
            "Sidan har ingen tabell som heter ”{id}”."
        ))));
    };
    let file = file_name(&g.name);
    let (bytes, ctype, ext) = match fmt {
        "xlsx" => match Grid::xlsx(&[g]) {
            Ok(b) => (
                b,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            Err(e) => {
                return Some(crate::pages::error_page(crate::state::Fail::internal(format!(
                    "xlsx: {e}"
                ))))
            }
        },
        "csv" => (g.csv(), "text/csv; charset=utf-8", "csv"),
        other => {
            return Some(crate::pages::error_page(crate::state::Fail::bad(format!(
                "Formatet ”{other}” finns inte: välj xlsx eller csv."
            ))))
        }
    };
    Some(
        (
            [
                (header::CONTENT_TYPE, ctype.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}.{ext}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
    )
}

/// A file name from a table name: letters, digits and `-` only.
fn file_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'å' | 'ä' | 'Å' | 'Ä' => 'a',
            'ö' | 'Ö' => 'o',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => '-',
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let t = out.trim_matches('-');
    if t.is_empty() {
        "tabell".into()
    } else {
        t.chars().take(60).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(vals: &[f64], why: &str) {
        let s = scale(vals);
        assert!(s.lo.is_finite() && s.hi.is_finite() && s.lo < s.hi, "{why}: {s:?}");
        assert!(
            (2..=MAX_TICKS).contains(&s.ticks.len()),
            "{why}: {} ticks",
            s.ticks.len()
        );
        assert!(s.ticks.iter().all(|t| t.is_finite()), "{why}: {s:?}");
        assert!(s.ticks.windows(2).all(|w| w[0] < w[1]), "{why}: ticks not rising {s:?}");
        // Every value is on the chart (up to a rounding of the span).
        let slack = (s.hi - s.lo) * 1e-9;
        for v in vals.iter().filter(|v| v.is_finite() && v.abs() < 1e290) {
            assert!(s.lo - slack <= *v && *v <= s.hi + slack, "{why}: {v} outside {s:?}");
        }
    }

    /// A bar chart prints each figure as the page shows it, tells the
    /// series apart by pattern as well as colour, and draws negative bars
    /// to the left of zero.
    #[test]
    fn bars_carry_their_figures_and_patterns() {
        let labels = vec!["711 Hemtjänst".to_string(), "712 Natt".to_string()];
        let m = bar_chart(
            "t",
            "Budget och utfall",
            "tkr",
            Kind::Tkr,
            &labels,
            &[
                Bars {
                    name: "Budget",
                    values: vec![Some(123_456_789), Some(-50_000_000)],
                },
                Bars {
                    name: "Utfall",
                    values: vec![Some(100_000_000), None],
                },
            ],
        )
        .into_string();
        assert_eq!(m.matches("<rect class=\"bar ").count(), 3, "{m}");
        assert!(
            m.contains("1\u{a0}235") && m.contains("-500"),
            "figures as Kind::show: {m}"
        );
        assert!(m.contains("url(#t-b2)") && m.contains("<pattern id=\"t-b2\""), "{m}");
        assert!(m.contains("Siffrorna i tabellform"), "table fallback");
    }

    /// Issue 15: the axis terminates with a capped number of ticks for
    /// every range, including the ones that looped (a step too small to
    /// move a large value).
    #[test]
    fn the_axis_is_finite_for_extreme_ranges() {
        let tkr = |ore: i64| ore as f64 / 100_000.0;
        let cases: &[(&[f64], &str)] = &[
            (&[], "no values"),
            (&[0.0, 0.0], "zero span at zero"),
            (&[-5.0, -5.0], "zero span, negative"),
            (&[tkr(i64::MAX), tkr(i64::MAX)], "zero span at i64::MAX"),
            (&[tkr(i64::MIN), tkr(i64::MAX)], "i64 extremes"),
            (&[tkr(i64::MIN)], "i64::MIN alone"),
            (&[1e13, 1e13 + 0.01], "near-equal huge values (looped before)"),
            (
                &[9.2e13, 9.2e13 + 1e-3, 9.2e13 - 1e-3],
                "near-equal around i64::MAX öre",
            ),
            (&[f64::NAN, 3.0], "NaN"),
            (&[f64::INFINITY, f64::NEG_INFINITY], "only infinities"),
            (&[f64::MAX, f64::MIN], "f64 extremes"),
            (&[f64::MIN_POSITIVE, 0.0], "tiny"),
            (&[-1e-300, 1e-300], "tiny around zero"),
            (&[-120.0, 340.0], "ordinary"),
            (&[1.0, 1.0 + f64::EPSILON], "one ulp apart"),
        ];
        for (vals, why) in cases {
            check(vals, why);
        }
        // An ordinary range keeps its round steps (the chart did not change).
        assert_eq!(scale(&[0.0, 100.0]).ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
    }

    /// A seeded sweep (SplitMix64) over magnitudes from 10^-300 to 10^300,
    /// signs and spans from zero to everything.
    #[test]
    fn the_axis_is_finite_for_a_seeded_random_sweep() {
        let mut state: u64 = 0x5eed_1515;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        for i in 0..50_000 {
            let n = (next() % 5) as usize;
            let base = f64::from_bits(next());
            let vals: Vec<f64> = (0..n)
                .map(|_| match next() % 4 {
                    0 => f64::from_bits(next()),
                    1 => base,
                    2 => base + (next() % 1000) as f64 * 1e-3,
                    _ => (next() as i64) as f64 / 100_000.0,
                })
                .collect();
            check(&vals, &format!("case {i}: {vals:?}"));
        }
    }
}
