//! Writing reports as Excel workbooks (`.xlsx`).
//!
//! Amounts are written as numbers with a kronor format, so the sheet can be
//! summed and checked; totals are real `SUM` formulas with their value
//! cached, so the file shows the right figures before it is recalculated.

use resurs_core::num::Money;
use resurs_core::rules::settle::Settlement;
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet, XlsxError};

fn kr(m: Money) -> f64 {
    m.ore() as f64 / 100.0
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`,
/// unique within the workbook.
pub fn sheet_name(base: &str, used: &mut Vec<String>) -> String {
    let clean: String = base.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(31).collect();
    let mut name = clean.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({n})");
        name = format!("{}{suffix}", clean.chars().take(31 - suffix.len()).collect::<String>());
        n += 1;
    }
    used.push(name.clone());
    name
}

/// The provider statements (*avräkningsunderlag*): a summary sheet, then
/// one sheet per provider with its rule lines (and brukare-days when the
/// settlement carries detail).
pub fn settlement_statements(s: &Settlement) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let money = Format::new().set_num_format("#,##0.00 \"kr\"");
    let money_bold = Format::new().set_num_format("#,##0.00 \"kr\"").set_bold();
    let qty = Format::new().set_num_format("#,##0.00");
    let mut used = Vec::new();

    let summary = wb.add_worksheet();
    summary.set_name(sheet_name("Sammanställning", &mut used))?;
    summary.write_string_with_format(0, 0, format!("Avräkning {}", s.period), &title)?;
    summary.write_string(1, 0, format!("Modellversioner: {}", s.modellversioner.join(", ")))?;
    for (c, h) in ["Utförare", "Namn", "Regiform", "Belopp"].iter().enumerate() {
        summary.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    let first = 4u32;
    for (i, p) in s.utforare.iter().enumerate() {
        let r = first + i as u32;
        summary.write_string(r, 0, &p.utforare)?;
        summary.write_string(r, 1, &p.namn)?;
        summary.write_string(r, 2, &p.regiform)?;
        summary.write_number_with_format(r, 3, kr(p.belopp), &money)?;
    }
    let total_row = first + s.utforare.len() as u32;
    summary.write_string_with_format(total_row, 0, "Totalt", &bold)?;
    let f = Formula::new(format!("=SUM(D{}:D{})", first + 1, total_row.max(first + 1)))
        .set_result(kr(s.belopp).to_string());
    summary.write_formula_with_format(total_row, 3, f, &money_bold)?;
    summary.set_column_width(0, 10)?;
    summary.set_column_width(1, 36)?;
    summary.set_column_width(2, 14)?;
    summary.set_column_width(3, 18)?;
    summary.set_freeze_panes(4, 0)?;

    for p in &s.utforare {
        let ws: &mut Worksheet = wb.add_worksheet();
        ws.set_name(sheet_name(&format!("{} {}", p.utforare, p.namn), &mut used))?;
        ws.write_string_with_format(
            0,
            0,
            format!("Avräkningsunderlag {} – {} {}", s.period, p.utforare, p.namn),
            &title,
        )?;
        ws.write_string(1, 0, format!("Regiform: {}", p.regiform))?;
        let headers = [
            "Insats",
            "Modell",
            "Regel",
            "Modellversion",
            "Brukare",
            "Datum",
            "Volym",
            "Enhet",
            "Pris",
            "Belopp",
            "Belopp per brukardag",
        ];
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(3, c as u16, *h, &bold)?;
        }
        let mut r = 4u32;
        let mut amount_rows = Vec::new();
        for t in &p.tjanster {
            for l in &t.rader {
                ws.write_string(r, 0, &t.insats)?;
                ws.write_string(r, 1, &t.modell)?;
                ws.write_string(r, 2, &l.regel)?;
                ws.write_string(r, 3, &l.modellversion)?;
                ws.write_number_with_format(r, 6, l.volym.hundredths() as f64 / 100.0, &qty)?;
                ws.write_string(r, 7, &l.enhet)?;
                match (l.pris, l.procent) {
                    (Some(p), _) => {
                        ws.write_number_with_format(r, 8, kr(p), &money)?;
                    }
                    (None, Some(pc)) => {
                        ws.write_string(r, 8, pc.fmt_percent())?;
                    }
                    _ => {}
                }
                ws.write_number_with_format(r, 9, kr(l.belopp), &money)?;
                amount_rows.push(r);
                r += 1;
                for d in &l.detalj {
                    ws.write_string(r, 4, &d.brukare)?;
                    ws.write_string(r, 5, d.datum.to_string())?;
                    ws.write_number_with_format(r, 6, d.volym.hundredths() as f64 / 100.0, &qty)?;
                    // Detail amounts go in their own column so the sum of rule lines stays clean.
                    ws.write_number_with_format(r, 10, kr(d.belopp), &money)?;
                    r += 1;
                }
            }
        }
        ws.write_string_with_format(r, 0, "Summa", &bold)?;
        let cells: Vec<String> = amount_rows.iter().map(|x| format!("J{}", x + 1)).collect();
        let formula = if cells.is_empty() {
            "=0".to_string()
        } else {
            format!("=SUM({})", cells.join(","))
        };
        ws.write_formula_with_format(
            r,
            9,
            Formula::new(formula).set_result(kr(p.belopp).to_string()),
            &money_bold,
        )?;
        for (c, w) in [
            (0u16, 12.0),
            (1, 24.0),
            (2, 34.0),
            (3, 30.0),
            (4, 22.0),
            (5, 11.0),
            (6, 12.0),
            (7, 8.0),
            (8, 14.0),
            (9, 16.0),
            (10, 14.0),
        ] {
            ws.set_column_width(c, w)?;
        }
        ws.set_freeze_panes(4, 0)?;
    }
    wb.save_to_buffer()
}

/// Column letter(s) of a zero-based column index.
fn col_name(mut c: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (c % 26) as u8) as char);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s
}

/// The follow-up report as one sheet: amounts in kronor shown in tkr, the
/// header row frozen, every node row a formula summing its parts (accounts,
/// adjustments, child nodes) and every deviation and ratio a formula on its
/// own row, each with its value cached.
pub fn followup_sheet(title: &str, subtitle: &str, rows: &resurs_core::followup::Rows) -> Result<Vec<u8>, XlsxError> {
    use resurs_core::followup::{ColumnKind, Formula as How, RowKind};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Uppföljning")?;
    let bold = Format::new().set_bold();
    let titlef = Format::new().set_bold().set_font_size(14);
    let tkr = Format::new().set_num_format("#,##0,;-#,##0,");
    let tkr_bold = Format::new().set_num_format("#,##0,;-#,##0,").set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let pct_bold = Format::new().set_num_format("0.0%").set_bold();
    ws.write_string_with_format(0, 0, title, &titlef)?;
    ws.write_string(1, 0, subtitle)?;
    let header_row = 3u32;
    let first_col = 2u16; // A: code, B: name
    ws.write_string_with_format(header_row, 0, "Kod", &bold)?;
    ws.write_string_with_format(header_row, 1, "Namn", &bold)?;
    for (i, c) in rows.kolumner.iter().enumerate() {
        let unit = match c.slag {
            ColumnKind::Andel => "",
            ColumnKind::Belopp => " (tkr)",
        };
        ws.write_string_with_format(header_row, first_col + i as u16, format!("{}{unit}", c.rubrik), &bold)?;
    }
    let excel_row = |i: usize| header_row + 1 + i as u32; // zero-based sheet row of report row i
                                                          // The figures are the core's; the formulas only show how they were reached
                                                          // (with the core's value stored as the cached result).
    for (i, r) in rows.rader.iter().enumerate() {
        let row = excel_row(i);
        let is_node = r.typ == RowKind::Nod;
        let indent = "  ".repeat(r.djup);
        ws.write_string(row, 0, &r.kod)?;
        if is_node {
            ws.write_string_with_format(row, 1, format!("{indent}{}", r.namn), &bold)?;
        } else {
            ws.write_string(row, 1, format!("{indent}{}", r.namn))?;
        }
        for (c, col) in rows.kolumner.iter().enumerate() {
            let xc = first_col + c as u16;
            let letter = col_name(xc as usize);
            let value = r.varden[c];
            let cached = match (col.slag, value) {
                (ColumnKind::Belopp, Some(ore)) => ore as f64 / 100.0,
                (ColumnKind::Andel, Some(h)) => h as f64 / 10_000.0,
                (_, None) => 0.0,
            };
            let (mf, pf) = if is_node { (&tkr_bold, &pct_bold) } else { (&tkr, &pct) };
            match col.formel {
                How::Summa if is_node && !r.delar.is_empty() => {
                    let refs: Vec<String> = r
                        .delar
                        .iter()
                        .map(|&p| format!("{letter}{}", excel_row(p) + 1))
                        .collect();
                    let f = Formula::new(format!("={}", refs.join("+"))).set_result(cached.to_string());
                    ws.write_formula_with_format(row, xc, f, mf)?;
                }
                How::Summa | How::Varde => {
                    if value.is_some() {
                        ws.write_number_with_format(row, xc, cached, mf)?;
                    }
                }
                How::Skillnad(a, b) => {
                    let (a, b) = (col_name(first_col as usize + a), col_name(first_col as usize + b));
                    let f = Formula::new(format!("={a}{r1}-{b}{r1}", r1 = row + 1)).set_result(cached.to_string());
                    ws.write_formula_with_format(row, xc, f, mf)?;
                }
                How::Kvot(a, b) => {
                    let (a, b) = (col_name(first_col as usize + a), col_name(first_col as usize + b));
                    let text = if value.is_none() {
                        String::new()
                    } else {
                        cached.to_string()
                    };
                    let f = Formula::new(format!("=IF({b}{r1}=0,\"\",{a}{r1}/{b}{r1})", r1 = row + 1)).set_result(text);
                    ws.write_formula_with_format(row, xc, f, pf)?;
                }
            }
        }
    }
    ws.set_column_width(0, 10)?;
    ws.set_column_width(1, 44)?;
    for i in 0..rows.kolumner.len() {
        ws.set_column_width(first_col + i as u16, 16)?;
    }
    ws.set_freeze_panes(header_row + 1, first_col)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("711 Hemtjänst Centrum", &mut used), "711 Hemtjänst Centrum");
        let long = sheet_name("ENT1 Omsorgsgården (entreprenad) med ett långt namn", &mut used);
        assert!(long.chars().count() <= 31);
        assert_eq!(sheet_name("a/b", &mut used), "ab");
        assert_eq!(sheet_name("AB", &mut used), "AB (2)");
    }
}
