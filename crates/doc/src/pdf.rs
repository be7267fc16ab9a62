//! PDF through krilla: A4 landscape, DejaVu Sans Condensed embedded and
//! subsetted, text as real text (copyable, searchable), tables that break
//! across pages with the header row repeated, charts as vector paths.
//!
//! Layout is done here in two steps: the document is laid out into a list
//! of drawing operations per page (so the footer can say "Sida 3 av 41"),
//! then the pages are drawn. Glyphs are placed from the font's own cmap and
//! advance widths (no shaping is needed for Swedish text).

use crate::DocError;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use resurs_io::doc::{Chart, Doc, Table};
use resurs_io::grid::Kind;
use skrifa::instance::{LocationRef, Size as FSize};
use skrifa::MetadataProvider;
use std::collections::HashMap;

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed-Bold.ttf");

const W: f32 = 842.0;
const H: f32 = 595.0;
const MARGIN: f32 = 40.0;
const TOP: f32 = MARGIN;
const BOTTOM: f32 = H - MARGIN - 14.0;
const TEXT_W: f32 = W - 2.0 * MARGIN;

type Color = (u8, u8, u8);
const BLACK: Color = (0, 0, 0);
const GRAY: Color = (90, 90, 90);
const LIGHT: Color = (225, 228, 232);
const RULE: Color = (160, 160, 160);
const SERIES: [Color; 4] = [(31, 90, 160), (230, 140, 30), (90, 160, 80), (150, 60, 140)];

/// A font's glyph ids and advances (in em) for the characters used.
struct Face {
    font: Font,
    map: HashMap<char, (u32, f32)>,
    data: &'static [u8],
}

impl Face {
    fn new(data: &'static [u8]) -> Result<Face, DocError> {
        let font = Font::new(data.into(), 0).ok_or_else(|| DocError("typsnittet kunde inte läsas".into()))?;
        Ok(Face {
            font,
            map: HashMap::new(),
            data,
        })
    }

    fn glyph(&mut self, c: char) -> (u32, f32) {
        if let Some(g) = self.map.get(&c) {
            return *g;
        }
        let g = skrifa::FontRef::new(self.data)
            .ok()
            .map(|f| {
                let upem = f32::from(f.metrics(FSize::unscaled(), LocationRef::default()).units_per_em.max(1));
                let gid = f.charmap().map(c).unwrap_or_default();
                let adv = f
                    .glyph_metrics(FSize::unscaled(), LocationRef::default())
                    .advance_width(gid)
                    .unwrap_or(0.0);
                (gid.to_u32(), adv / upem)
            })
            .unwrap_or((0, 0.5));
        self.map.insert(c, g);
        g
    }

    fn width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }
}

struct Fonts {
    reg: Face,
    bold: Face,
}

impl Fonts {
    fn face(&mut self, bold: bool) -> &mut Face {
        if bold {
            &mut self.bold
        } else {
            &mut self.reg
        }
    }
    fn width(&mut self, s: &str, size: f32, bold: bool) -> f32 {
        self.face(bold).width(s, size)
    }
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        s: String,
        color: Color,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Color,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Color,
    },
    Logo {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

struct Layout {
    fonts: Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }
    fn op(&mut self, op: Op) {
        if self.pages.is_empty() {
            self.page();
        }
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }
    /// Room for `h` more points on this page, else a new page.
    fn ensure(&mut self, h: f32) -> bool {
        if self.y + h > BOTTOM {
            self.page();
            true
        } else {
            false
        }
    }
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, s: &str, color: Color) {
        if s.is_empty() {
            return;
        }
        self.op(Op::Text {
            x,
            y,
            size,
            bold,
            s: s.to_string(),
            color,
        });
    }
    /// Text cut to `max` points with an ellipsis.
    fn fit(&mut self, s: &str, size: f32, bold: bool, max: f32) -> String {
        if self.fonts.width(s, size, bold) <= max {
            return s.to_string();
        }
        let mut out = String::new();
        for c in s.chars() {
            out.push(c);
            if self.fonts.width(&out, size, bold) + self.fonts.width("…", size, bold) > max {
                out.pop();
                break;
            }
        }
        out.push('…');
        out
    }
    /// Words wrapped to lines no wider than `max`.
    fn wrap(&mut self, s: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in s.split_whitespace() {
            let cand = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && self.fonts.width(&cand, size, bold) > max {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            } else {
                line = cand;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
    fn paragraphs(&mut self, text: &str, size: f32, color: Color) {
        let lh = size * 1.35;
        for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            for line in para.lines() {
                for l in self.wrap(line, size, false, TEXT_W) {
                    self.ensure(lh);
                    self.y += lh;
                    let y = self.y - lh * 0.25;
                    self.text(MARGIN, y, size, false, &l, color);
                }
            }
            self.y += lh * 0.5;
        }
    }

    fn title_page(&mut self, d: &Doc, logo: Option<(f32, f32)>) {
        self.page();
        if let Some((w, h)) = logo {
            let scale = (160.0 / w).min(80.0 / h);
            let (lw, lh) = (w * scale, h * scale);
            self.op(Op::Logo {
                x: W - MARGIN - lw,
                y: TOP,
                w: lw,
                h: lh,
            });
        }
        self.y = 190.0;
        let namnd = d.namnd.clone();
        self.text(MARGIN, self.y, 26.0, true, &namnd, BLACK);
        self.y += 40.0;
        let titel = d.titel.clone();
        self.text(MARGIN, self.y, 20.0, false, &titel, BLACK);
        self.y += 28.0;
        let nod = d.nod.clone();
        self.text(MARGIN, self.y, 12.0, false, &nod, GRAY);
        self.y += 40.0;
        for l in d.undertitel.clone() {
            self.text(MARGIN, self.y, 8.5, false, &l, GRAY);
            self.y += 12.0;
        }
    }

    fn heading(&mut self, s: &str) {
        self.page();
        self.y += 14.0;
        self.text(MARGIN, self.y, 15.0, true, s, BLACK);
        self.y += 12.0;
    }

    fn table(&mut self, t: &Table) {
        let ncols = t.kolumner.len().max(1);
        let numeric: Vec<bool> = t.kolumner.iter().map(|c| c.kind() != Kind::Text).collect();
        let shown: Vec<Vec<String>> = t
            .rader
            .iter()
            .map(|r| r.celler.iter().enumerate().map(|(i, v)| t.show(i, v)).collect())
            .collect();
        // Column widths at 10 pt, then one scale for the whole table.
        let mut size = 8.0f32;
        let pad = 4.0;
        let text_cap = 200.0;
        let mut widths = vec![0.0f32; ncols];
        let measure = |lay: &mut Layout, size: f32, widths: &mut Vec<f32>| {
            for w in widths.iter_mut() {
                *w = 0.0;
            }
            for (i, c) in t.kolumner.iter().enumerate() {
                let longest_word = c
                    .rubrik
                    .split_whitespace()
                    .map(|w| lay.fonts.width(w, size, true))
                    .fold(0.0, f32::max);
                widths[i] = widths[i].max(longest_word.max(if numeric[i] { 0.0 } else { 30.0 }));
            }
            for (ri, r) in shown.iter().enumerate() {
                let bold = t.rader[ri].summa;
                for (i, s) in r.iter().enumerate().take(ncols) {
                    let w = lay.fonts.width(s, size, bold);
                    widths[i] = widths[i].max(if numeric[i] { w } else { w.min(text_cap) });
                }
            }
            for w in widths.iter_mut() {
                *w += 2.0 * pad;
            }
        };
        measure(self, size, &mut widths);
        let total: f32 = widths.iter().sum();
        if total > TEXT_W {
            size = (size * TEXT_W / total).max(5.0);
            measure(self, size, &mut widths);
            let total: f32 = widths.iter().sum();
            if total > TEXT_W {
                // Still too wide: text columns give up width.
                let excess = total - TEXT_W;
                let text_total: f32 = widths.iter().zip(&numeric).filter(|(_, n)| !**n).map(|(w, _)| *w).sum();
                if text_total > 0.0 {
                    for (w, n) in widths.iter_mut().zip(&numeric) {
                        if !*n {
                            *w = (*w - excess * *w / text_total).max(20.0);
                        }
                    }
                }
            }
        }
        let rh = size * 1.55;
        // The header: each title wrapped to its column.
        let heads: Vec<Vec<String>> = t
            .kolumner
            .iter()
            .enumerate()
            .map(|(i, c)| self.wrap(&c.rubrik, size, true, widths[i] - 2.0 * pad))
            .collect();
        let head_lines = heads.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32;
        let head_h = head_lines * rh;
        let caption = t.namn.clone();
        let draw_header = |lay: &mut Layout, cont: bool| {
            let cap = if cont {
                format!("{caption} (forts.)")
            } else {
                caption.clone()
            };
            lay.y += size * 1.8;
            lay.text(MARGIN, lay.y - size * 0.4, size + 1.0, true, &cap, BLACK);
            let width: f32 = widths.iter().sum();
            lay.op(Op::Rect {
                x: MARGIN,
                y: lay.y,
                w: width,
                h: head_h,
                color: LIGHT,
            });
            let mut x = MARGIN;
            for (i, lines) in heads.iter().enumerate() {
                for (k, l) in lines.iter().enumerate() {
                    let lw = lay.fonts.width(l, size, true);
                    let tx = if numeric[i] { x + widths[i] - pad - lw } else { x + pad };
                    let ty = lay.y + rh * (k as f32 + 1.0) - rh * 0.3;
                    lay.text(tx, ty, size, true, l, BLACK);
                }
                x += widths[i];
            }
            lay.y += head_h;
        };
        // Caption, header and at least two rows together.
        self.ensure(size * 1.8 + head_h + 2.0 * rh);
        draw_header(self, false);
        let width: f32 = widths.iter().sum();
        for (ri, r) in shown.iter().enumerate() {
            if self.y + rh > BOTTOM {
                self.page();
                draw_header(self, true);
            }
            let sum = t.rader[ri].summa;
            if sum {
                self.op(Op::Line {
                    x1: MARGIN,
                    y1: self.y,
                    x2: MARGIN + width,
                    y2: self.y,
                    width: 0.6,
                    color: BLACK,
                });
            }
            let mut x = MARGIN;
            for (i, s) in r.iter().enumerate().take(ncols) {
                let avail = widths[i] - 2.0 * pad;
                let s = if numeric[i] {
                    s.clone()
                } else {
                    self.fit(s, size, sum, avail)
                };
                let lw = self.fonts.width(&s, size, sum);
                let tx = if numeric[i] { x + widths[i] - pad - lw } else { x + pad };
                self.text(tx, self.y + rh - rh * 0.3, size, sum, &s, BLACK);
                x += widths[i];
            }
            self.y += rh;
            self.op(Op::Line {
                x1: MARGIN,
                y1: self.y,
                x2: MARGIN + width,
                y2: self.y,
                width: 0.2,
                color: RULE,
            });
        }
        self.y += 8.0;
    }

    fn chart(&mut self, c: &Chart) {
        let ch = 210.0;
        self.ensure(ch + 30.0);
        self.y += 16.0;
        let titel = c.titel.clone();
        self.text(MARGIN, self.y, 9.0, true, &titel, BLACK);
        // Legend.
        let mut lx = MARGIN + self.fonts.width(&titel, 9.0, true) + 20.0;
        for (i, s) in c.serier.iter().enumerate() {
            let col = SERIES[i % SERIES.len()];
            self.op(Op::Rect {
                x: lx,
                y: self.y - 7.0,
                w: 8.0,
                h: 8.0,
                color: col,
            });
            self.text(lx + 11.0, self.y, 8.0, false, s, BLACK);
            lx += 11.0 + self.fonts.width(s, 8.0, false) + 14.0;
        }
        self.y += 10.0;
        let top = self.y;
        let plot_h = ch - 40.0;
        let left = MARGIN + 50.0;
        let right = MARGIN + TEXT_W;
        let tkr = |v: i64| v as f64 / 100_000.0;
        let all = c.varden.iter().flatten().map(|v| tkr(*v));
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for v in all {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi - lo < 1.0 {
            hi = lo + 1.0;
        }
        let raw = (hi - lo) / 5.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * mag);
        let lo = (lo / step).floor() * step;
        let hi = (hi / step).ceil() * step;
        let ypos = |v: f64| top + plot_h - ((v - lo) / (hi - lo)) as f32 * plot_h;
        let mut tick = lo;
        while tick <= hi + step * 0.01 {
            let y = ypos(tick);
            self.op(Op::Line {
                x1: left,
                y1: y,
                x2: right,
                y2: y,
                width: 0.2,
                color: RULE,
            });
            let label = Kind::Count.show(tick.round() as i64);
            let lw = self.fonts.width(&label, 7.0, false);
            self.text(left - 4.0 - lw, y + 2.5, 7.0, false, &label, GRAY);
            tick += step;
        }
        self.text(MARGIN, top - 2.0, 7.0, false, "tkr", GRAY);
        let n = c.kategorier.len().max(1);
        let slot = (right - left) / n as f32;
        let ns = c.serier.len().max(1);
        let bar = (slot * 0.8 / ns as f32).min(40.0);
        let zero = ypos(0.0);
        for (k, cat) in c.kategorier.iter().enumerate() {
            let x0 = left + slot * k as f32 + (slot - bar * ns as f32) / 2.0;
            for s in 0..ns {
                let v = c.varden.get(s).and_then(|r| r.get(k)).copied().unwrap_or(0);
                let y = ypos(tkr(v));
                let (y1, y2) = if y < zero { (y, zero) } else { (zero, y) };
                self.op(Op::Rect {
                    x: x0 + bar * s as f32,
                    y: y1,
                    w: bar * 0.92,
                    h: (y2 - y1).max(0.3),
                    color: SERIES[s % SERIES.len()],
                });
            }
            let label = self.fit(cat, 6.5, false, slot - 2.0);
            let lw = self.fonts.width(&label, 6.5, false);
            self.text(
                left + slot * k as f32 + (slot - lw) / 2.0,
                top + plot_h + 10.0,
                6.5,
                false,
                &label,
                BLACK,
            );
        }
        self.op(Op::Line {
            x1: left,
            y1: zero,
            x2: right,
            y2: zero,
            width: 0.6,
            color: BLACK,
        });
        self.y = top + ch - 16.0;
    }
}

fn fill(c: Color) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// The document as PDF bytes.
pub fn render(d: &Doc) -> Result<Vec<u8>, DocError> {
    let logo = match &d.logo {
        Some(bytes) => {
            let data: krilla::Data = bytes.clone().into();
            let img = krilla::image::Image::from_png(data.clone(), true)
                .or_else(|_| krilla::image::Image::from_jpeg(data, true))
                .map_err(|e| DocError(format!("logotypen kunde inte läsas (PNG eller JPEG): {e}")))?;
            Some(img)
        }
        None => None,
    };
    let mut lay = Layout {
        fonts: Fonts {
            reg: Face::new(REGULAR)?,
            bold: Face::new(BOLD)?,
        },
        pages: Vec::new(),
        y: TOP,
    };
    lay.title_page(d, logo.as_ref().map(|i| (i.size().0 as f32, i.size().1 as f32)));
    for s in &d.avsnitt {
        lay.heading(&s.rubrik);
        lay.paragraphs(&s.text, 10.0, BLACK);
        for n in &s.notiser {
            lay.paragraphs(n, 9.5, GRAY);
        }
        for c in &s.diagram {
            lay.chart(c);
        }
        for t in &s.tabeller {
            lay.table(t);
        }
    }
    // Footers.
    let total = lay.pages.len();
    let left = format!("{} – {}", d.titel, d.namnd);
    for i in 0..total {
        let right = format!("Sida {} av {total}", i + 1);
        let rw = lay.fonts.width(&right, 7.0, false);
        if let Some(p) = lay.pages.get_mut(i) {
            p.push(Op::Text {
                x: MARGIN,
                y: H - MARGIN + 4.0,
                size: 7.0,
                bold: false,
                s: left.clone(),
                color: GRAY,
            });
            p.push(Op::Text {
                x: W - MARGIN - rw,
                y: H - MARGIN + 4.0,
                size: 7.0,
                bold: false,
                s: right,
                color: GRAY,
            });
        }
    }
    let mut doc = Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!("{} – {}", d.titel, d.namnd))
            .language("sv-SE".into())
            .creator("Resurs".into()),
    );
    let settings = || PageSettings::from_wh(W, H).ok_or_else(|| DocError("sidstorleken".into()));
    let pages = std::mem::take(&mut lay.pages);
    for ops in pages {
        let mut page = doc.start_page_with(settings()?);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    s,
                    color,
                } => {
                    let face = lay.fonts.face(bold);
                    let mut glyphs = Vec::with_capacity(s.len());
                    for (i, c) in s.char_indices() {
                        let (gid, adv) = face.glyph(c);
                        glyphs.push(KrillaGlyph::new(
                            GlyphId::new(gid),
                            adv,
                            0.0,
                            0.0,
                            0.0,
                            i..i + c.len_utf8(),
                            None,
                        ));
                    }
                    surface.set_fill(Some(fill(color)));
                    surface.set_stroke(None);
                    surface.draw_glyphs(Point::from_xy(x, y), &glyphs, face.font.clone(), &s, size, false);
                }
                Op::Rect { x, y, w, h, color } => {
                    let mut pb = PathBuilder::new();
                    if let Some(r) = Rect::from_xywh(x, y, w, h) {
                        pb.push_rect(r);
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_fill(Some(fill(color)));
                        surface.set_stroke(None);
                        surface.draw_path(&path);
                    }
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    color,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(color.0, color.1, color.2).into(),
                            width,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Logo { x, y, w, h } => {
                    if let (Some(img), Some(size)) = (&logo, Size::from_wh(w, h)) {
                        surface.push_transform(&krilla::geom::Transform::from_translate(x, y));
                        surface.draw_image(img.clone(), size);
                        surface.pop();
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| DocError(format!("PDF kunde inte skrivas: {e:?}")))
}
