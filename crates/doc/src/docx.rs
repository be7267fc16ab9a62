//! docx written by hand as WordprocessingML in a zip: headings with Word's
//! heading styles (so the navigation pane and a table of contents work),
//! the analysis as paragraphs, every table a real Word table whose header
//! row repeats on each page (`w:tblHeader`), numbers right-aligned in the
//! sv-SE form the web shows. A chart's figures follow as a table (Word
//! charts need an embedded workbook; the PDF and xlsx draw the chart).

use crate::DocError;
use resurs_io::doc::{Chart, Doc, Table, Value};
use resurs_io::grid::Kind;
use std::io::Write;
use zip::write::SimpleFileOptions;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => o.push(c),
        }
    }
    o
}

fn para(out: &mut String, style: Option<&str>, text: &str) {
    out.push_str("<w:p>");
    if let Some(s) = style {
        out.push_str(&format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>"));
    }
    out.push_str(&format!(
        "<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        esc(text)
    ));
}

fn cell(out: &mut String, text: &str, right: bool, bold: bool, shade: bool) {
    out.push_str("<w:tc><w:tcPr>");
    if shade {
        out.push_str("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E1E4E8\"/>");
    }
    out.push_str("</w:tcPr><w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\"/>");
    if right {
        out.push_str("<w:jc w:val=\"right\"/>");
    }
    out.push_str("</w:pPr><w:r>");
    if bold {
        out.push_str("<w:rPr><w:b/></w:rPr>");
    }
    out.push_str(&format!(
        "<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
        esc(text)
    ));
}

fn table(out: &mut String, t: &Table) {
    para(out, Some("Tabellrubrik"), &t.namn);
    out.push_str(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"Tabell\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>\
         <w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:color=\"A0A0A0\"/>\
         <w:bottom w:val=\"single\" w:sz=\"4\" w:color=\"A0A0A0\"/>\
         <w:insideH w:val=\"single\" w:sz=\"2\" w:color=\"C8C8C8\"/></w:tblBorders>\
         <w:tblLook w:val=\"04A0\" w:firstRow=\"1\"/></w:tblPr><w:tblGrid>",
    );
    for _ in &t.kolumner {
        out.push_str("<w:gridCol/>");
    }
    out.push_str("</w:tblGrid><w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    for c in &t.kolumner {
        cell(out, &c.rubrik, c.kind() != Kind::Text, true, true);
    }
    out.push_str("</w:tr>");
    for r in &t.rader {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (i, c) in t.kolumner.iter().enumerate() {
            let v = r.celler.get(i).unwrap_or(&Value::Tom);
            cell(out, &t.show(i, v), c.kind() != Kind::Text, r.summa, false);
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    para(out, None, "");
}

fn chart_table(c: &Chart) -> Table {
    use resurs_io::doc::{Column, TableRow};
    let mut kolumner = vec![Column {
        rubrik: String::new(),
        slag: "text".into(),
    }];
    kolumner.extend(c.serier.iter().map(|s| Column {
        rubrik: format!("{s}, tkr"),
        slag: "tkr".into(),
    }));
    Table {
        id: "diagram".into(),
        namn: format!("{} (diagrammets värden)", c.titel),
        kolumner,
        rader: c
            .kategorier
            .iter()
            .enumerate()
            .map(|(k, cat)| {
                let mut celler = vec![Value::Text(cat.clone())];
                celler.extend(
                    c.varden
                        .iter()
                        .map(|serie| serie.get(k).map_or(Value::Tom, |v| Value::Tal(*v))),
                );
                TableRow {
                    celler,
                    summa: false,
                    delar: Vec::new(),
                }
            })
            .collect(),
    }
}

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="DejaVu Sans Condensed" w:hAnsi="DejaVu Sans Condensed" w:cs="Arial"/><w:sz w:val="20"/><w:lang w:val="sv-SE"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="120"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="2400" w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="52"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:qFormat/><w:rPr><w:sz w:val="36"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:pageBreakBefore/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Tabellrubrik"><w:name w:val="Tabellrubrik"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="60"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Notis"><w:name w:val="Notis"/><w:basedOn w:val="Normal"/><w:rPr><w:i/><w:color w:val="5A5A5A"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="Tabell"><w:name w:val="Tabell"/><w:rPr><w:sz w:val="16"/></w:rPr><w:tblPr><w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>"#;

/// The document as docx bytes.
pub fn render(d: &Doc) -> Result<Vec<u8>, DocError> {
    let mut body = String::new();
    para(&mut body, Some("Title"), &d.namnd);
    para(&mut body, Some("Subtitle"), &d.titel);
    para(&mut body, None, &d.nod);
    for l in &d.undertitel {
        para(&mut body, Some("Notis"), l);
    }
    for s in &d.avsnitt {
        para(&mut body, Some("Heading1"), &s.rubrik);
        for p in s.text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            para(&mut body, None, &p.replace('\n', " "));
        }
        for n in &s.notiser {
            para(&mut body, Some("Notis"), n);
        }
        for c in &s.diagram {
            table(&mut body, &chart_table(c));
        }
        for t in &s.tabeller {
            table(&mut body, t);
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{body}\
         <w:sectPr><w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/>\
         <w:pgMar w:top=\"1000\" w:right=\"1000\" w:bottom=\"1000\" w:left=\"1000\" w:header=\"500\" w:footer=\"500\" w:gutter=\"0\"/>\
         </w:sectPr></w:body></w:document>"
    );
    let files: [(&str, String); 5] = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
             <Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
             <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
             </Types>"
                .to_string(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
             <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
             </Relationships>"
                .to_string(),
        ),
        (
            "word/_rels/document.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
             </Relationships>"
                .to_string(),
        ),
        (
            "docProps/core.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
                 <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
                 xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>Resurs</dc:creator>\
                 <dc:language>sv-SE</dc:language></cp:coreProperties>",
                esc(&format!("{} – {}", d.titel, d.namnd))
            ),
        ),
        ("word/styles.xml", STYLES.to_string()),
    ];
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opt = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let io = |e: std::io::Error| DocError(format!("docx: {e}"));
        for (name, content) in files.iter() {
            z.start_file(*name, opt).map_err(|e| DocError(format!("docx: {e}")))?;
            z.write_all(content.as_bytes()).map_err(io)?;
        }
        z.start_file("word/document.xml", opt)
            .map_err(|e| DocError(format!("docx: {e}")))?;
        z.write_all(document.as_bytes()).map_err(io)?;
        z.finish().map_err(|e| DocError(format!("docx: {e}")))?;
    }
    Ok(buf.into_inner())
}
