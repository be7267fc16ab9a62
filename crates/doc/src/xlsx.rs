//! xlsx through rust_xlsxwriter: one sheet per section (heading, the
//! analysis, each table with its figures as numbers and each total as a
//! formula over its parts, with the app's figure as the cached result),
//! and each chart as a native Excel column chart over its figures.

use crate::DocError;
use resurs_io::doc::{Doc, Table, Value};
use resurs_io::grid::Kind;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{Chart, ChartType, Format, Formula, Workbook, Worksheet, XlsxError};

fn x(e: XlsxError) -> DocError {
    DocError(format!("xlsx: {e}"))
}

/// Writes `t` from `row`; returns the next free row.
fn table(ws: &mut Worksheet, sheet: &str, t: &Table, mut row: u32) -> Result<u32, XlsxError> {
    let bold = Format::new().set_bold();
    let head = Format::new().set_bold().set_text_wrap().set_background_color("E1E4E8");
    ws.write_string_with_format(row, 0, &t.namn, &bold)?;
    row += 1;
    for (c, col) in t.kolumner.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, &col.rubrik, &head)?;
    }
    row += 1;
    let first = row;
    let formats: Vec<Format> = t
        .kolumner
        .iter()
        .map(|c| Format::new().set_num_format(c.kind().xlsx_format()))
        .collect();
    for r in &t.rader {
        for (c, v) in r.celler.iter().enumerate() {
            let cu = c as u16;
            let kind = t.kolumner.get(c).map_or(Kind::Count, |k| k.kind());
            let f = formats.get(c).cloned().unwrap_or_default();
            let f = if r.summa { f.set_bold() } else { f };
            match v {
                Value::Tom => {}
                Value::Text(s) => {
                    ws.write_string_with_format(row, cu, s, &f)?;
                }
                Value::Tal(n) => {
                    let additive = matches!(kind, Kind::Tkr | Kind::Kr | Kind::KrWhole | Kind::Count);
                    let parts: Vec<u32> = r.delar.iter().map(|p| first + *p as u32).collect();
                    let has_parts = !parts.is_empty()
                        && parts.len() <= 200
                        && r.delar
                            .iter()
                            .all(|p| matches!(t.rader.get(*p).and_then(|pr| pr.celler.get(c)), Some(Value::Tal(_))));
                    if additive && has_parts {
                        let contiguous = parts.windows(2).all(|w| w[1] == w[0] + 1);
                        let expr = if contiguous {
                            format!(
                                "=SUM({}:{})",
                                row_col_to_cell(parts[0], cu),
                                row_col_to_cell(parts[parts.len() - 1], cu)
                            )
                        } else {
                            format!(
                                "={}",
                                parts
                                    .iter()
                                    .map(|p| row_col_to_cell(*p, cu))
                                    .collect::<Vec<_>>()
                                    .join("+")
                            )
                        };
                        let formula = Formula::new(expr).set_result(kind.xlsx_value(*n).to_string());
                        ws.write_formula_with_format(row, cu, formula, &f)?;
                    } else {
                        ws.write_number_with_format(row, cu, kind.xlsx_value(*n), &f)?;
                    }
                }
            }
        }
        row += 1;
    }
    let _ = sheet;
    Ok(row + 1)
}

/// The document as an xlsx workbook.
pub fn render(d: &Doc) -> Result<Vec<u8>, DocError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let mut used = Vec::new();
    {
        let ws = wb.add_worksheet();
        let name = resurs_io::xlsx::sheet_name("Titel", &mut used);
        ws.set_name(&name).map_err(x)?;
        ws.set_column_width(0, 90).map_err(x)?;
        ws.write_string_with_format(0, 0, &d.namnd, &title).map_err(x)?;
        ws.write_string(1, 0, &d.titel).map_err(x)?;
        ws.write_string(2, 0, &d.nod).map_err(x)?;
        for (i, l) in d.undertitel.iter().enumerate() {
            ws.write_string(4 + i as u32, 0, l).map_err(x)?;
        }
    }
    for s in &d.avsnitt {
        let name = resurs_io::xlsx::sheet_name(&s.rubrik, &mut used);
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(x)?;
        ws.set_landscape();
        ws.set_column_width(0, 34).map_err(x)?;
        for c in 1..16u16 {
            ws.set_column_width(c, 14).map_err(x)?;
        }
        ws.write_string_with_format(0, 0, &s.rubrik, &title).map_err(x)?;
        let mut row = 2u32;
        let text = s.text.trim();
        if !text.is_empty() {
            ws.merge_range(row, 0, row, 8, text, &wrap).map_err(x)?;
            let lines = text.lines().count() as f64 + text.len() as f64 / 150.0;
            ws.set_row_height(row, (15.0 * lines).clamp(15.0, 400.0)).map_err(x)?;
            row += 2;
        }
        for n in &s.notiser {
            ws.write_string(row, 0, n).map_err(x)?;
            row += 2;
        }
        for c in &s.diagram {
            // The chart's figures, then the chart over them.
            ws.write_string_with_format(row, 0, &c.titel, &Format::new().set_bold())
                .map_err(x)?;
            row += 1;
            for (k, serie) in c.serier.iter().enumerate() {
                ws.write_string_with_format(row, 1 + k as u16, format!("{serie}, tkr"), &Format::new().set_bold())
                    .map_err(x)?;
            }
            let first = row + 1;
            for (i, cat) in c.kategorier.iter().enumerate() {
                let r = first + i as u32;
                ws.write_string(r, 0, cat).map_err(x)?;
                for (k, serie) in c.varden.iter().enumerate() {
                    if let Some(v) = serie.get(i) {
                        ws.write_number_with_format(
                            r,
                            1 + k as u16,
                            Kind::Tkr.xlsx_value(*v),
                            &Format::new().set_num_format("#,##0"),
                        )
                        .map_err(x)?;
                    }
                }
            }
            let last = first + c.kategorier.len().max(1) as u32 - 1;
            let mut chart = Chart::new(ChartType::Column);
            chart.title().set_name(&c.titel);
            for k in 0..c.serier.len() {
                chart
                    .add_series()
                    .set_name((name.as_str(), first - 1, 1 + k as u16))
                    .set_categories((name.as_str(), first, 0, last, 0))
                    .set_values((name.as_str(), first, 1 + k as u16, last, 1 + k as u16));
            }
            chart.y_axis().set_name("tkr");
            ws.insert_chart(first, 2 + c.serier.len() as u16, &chart).map_err(x)?;
            row = (last + 2).max(first + 16);
        }
        for t in &s.tabeller {
            row = table(ws, &name, t, row).map_err(x)?;
        }
    }
    wb.save_to_buffer().map_err(x)
}
