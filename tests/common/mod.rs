//! Helpers for the integration tests: run the binary on a manuscript made in a temp folder, and
//! read the PDF back (text by line, through each font's ToUnicode map) and the EPUB (by entry).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary folder, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        // Unique per call: tests run in parallel threads of one process.
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("handout-test-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Writes `files` (relative path → content) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (p, content) in files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

pub fn publish(manuscript: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["publish", "--diagnostic-format", "short", "--manuscript"])
        .arg(manuscript)
        .arg("--out")
        .arg(out)
        .arg("--fonts")
        .arg(root().join("fonts"))
        .args(extra)
        .output()
        .expect("the binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// One line of text as drawn: baseline (from the page top), left edge, text.
#[derive(Debug, Clone)]
pub struct TextLine {
    pub y: f32,
    pub x: f32,
    pub text: String,
    pub size: f32,
    /// Where the run (or, for a line, its last run) ends on the right.
    pub end: f32,
    /// The text of each glyph, in drawing order (left to right).
    pub glyphs: Vec<String>,
}

pub struct PdfText {
    pub doc: lopdf::Document,
    /// Lines per page, top to bottom.
    pub pages: Vec<Vec<TextLine>>,
    /// Each text run as drawn (one per font change or positioned piece), per page.
    pub runs: Vec<Vec<TextLine>>,
    pub page_ids: Vec<lopdf::ObjectId>,
}

/// Every page's text, one line per line, pages one after another.
pub fn all_text(pdf: &PdfText) -> String {
    (0..pdf.pages.len())
        .map(|i| pdf.page_text(i))
        .collect::<Vec<_>>()
        .join("\n")
}

impl PdfText {
    pub fn page_text(&self, i: usize) -> String {
        self.pages[i]
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The page's text without its running head and page number (the outer 60 points).
    pub fn page_body_text(&self, i: usize) -> String {
        self.pages[i]
            .iter()
            .filter(|l| l.y > 60.0 && l.y < 732.0)
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Physical page index of each page-label start with style /D: the first arabic page.
    pub fn first_arabic_page(&self) -> usize {
        let cat = self.doc.catalog().unwrap();
        let labels = cat.get(b"PageLabels").unwrap();
        let labels = match labels {
            lopdf::Object::Reference(r) => self.doc.get_dictionary(*r).unwrap(),
            lopdf::Object::Dictionary(d) => d,
            _ => panic!("bad /PageLabels"),
        };
        let nums = labels.get(b"Nums").unwrap().as_array().unwrap();
        for pair in nums.chunks(2) {
            let d = pair[1].as_dict().unwrap();
            if d.get(b"S").unwrap().as_name().unwrap() == b"D" {
                return pair[0].as_i64().unwrap() as usize;
            }
        }
        panic!("no arabic page labels")
    }

    pub fn page_of(&self, id: lopdf::ObjectId) -> usize {
        self.page_ids
            .iter()
            .position(|p| *p == id)
            .expect("a page of this document")
    }
}

fn parse_tounicode(data: &[u8]) -> HashMap<u16, String> {
    let text = String::from_utf8_lossy(data);
    let mut map = HashMap::new();
    let hex = |s: &str| -> Vec<u8> {
        let s = s.trim().trim_start_matches('<').trim_end_matches('>');
        (0..s.len() / 2)
            .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
            .collect()
    };
    let utf16 = |b: Vec<u8>| -> String {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    };
    let code = |b: Vec<u8>| -> u16 { b.iter().fold(0u16, |a, x| (a << 8) | *x as u16) };
    let mut mode = "";
    for line in text.lines() {
        let l = line.trim();
        if l.ends_with("beginbfchar") {
            mode = "char";
            continue;
        }
        if l.ends_with("beginbfrange") {
            mode = "range";
            continue;
        }
        if l.starts_with("endbf") {
            mode = "";
            continue;
        }
        let parts: Vec<&str> = l
            .split('>')
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        match mode {
            "char" if parts.len() >= 2 => {
                map.insert(code(hex(parts[0])), utf16(hex(parts[1])));
            }
            "range" if parts.len() >= 3 && !l.contains('[') => {
                let (a, b) = (code(hex(parts[0])), code(hex(parts[1])));
                let start = hex(parts[2]);
                let base = code(start.clone());
                for (k, c) in (a..=b).enumerate() {
                    let v = base.wrapping_add(k as u16);
                    map.insert(c, String::from_utf16_lossy(&[v]));
                }
            }
            _ => {}
        }
    }
    map
}

/// Glyph widths (1/1000 em) of a Type0 font, from its descendant's /W array.
fn font_widths(doc: &lopdf::Document, font: &lopdf::Dictionary) -> Option<HashMap<u16, f32>> {
    let desc = font.get(b"DescendantFonts").ok()?.as_array().ok()?;
    let d = match desc.first()? {
        lopdf::Object::Reference(r) => doc.get_dictionary(*r).ok()?,
        lopdf::Object::Dictionary(d) => d,
        _ => return None,
    };
    let w = match d.get(b"W").ok()? {
        lopdf::Object::Reference(r) => doc.get_object(*r).ok()?.as_array().ok()?,
        lopdf::Object::Array(a) => a,
        _ => return None,
    };
    let mut out = HashMap::new();
    let mut i = 0;
    while i < w.len() {
        let first = w[i].as_i64().ok()? as u16;
        match w.get(i + 1)? {
            lopdf::Object::Array(list) => {
                for (k, v) in list.iter().enumerate() {
                    out.insert(first + k as u16, v.as_float().unwrap_or(0.0));
                }
                i += 2;
            }
            last => {
                let last = last.as_i64().ok()? as u16;
                let v = w.get(i + 2)?.as_float().unwrap_or(0.0);
                for c in first..=last {
                    out.insert(c, v);
                }
                i += 3;
            }
        }
    }
    Some(out)
}

/// Reads every page's text back through the fonts' ToUnicode maps.
pub fn read_pdf(bytes: &[u8]) -> PdfText {
    let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
    let page_ids: Vec<lopdf::ObjectId> = doc.get_pages().values().copied().collect();
    let mut pages = Vec::new();
    let mut all_runs = Vec::new();
    for &pid in &page_ids {
        let height = doc
            .get_dictionary(pid)
            .ok()
            .and_then(|d| d.get(b"MediaBox").ok())
            .and_then(|m| m.as_array().ok())
            .and_then(|a| a.get(3))
            .and_then(|v| v.as_float().ok())
            .unwrap_or(792.0);
        let mut cmaps: HashMap<Vec<u8>, HashMap<u16, String>> = HashMap::new();
        let mut widths: HashMap<Vec<u8>, HashMap<u16, f32>> = HashMap::new();
        for (name, font) in doc.get_page_fonts(pid).unwrap_or_default() {
            if let Some(w) = font_widths(&doc, font) {
                widths.insert(name.clone(), w);
            }
            if let Ok(r) = font.get(b"ToUnicode").and_then(|o| o.as_reference()) {
                if let Ok(lopdf::Object::Stream(s)) = doc.get_object(r) {
                    let data = s
                        .decompressed_content()
                        .unwrap_or_else(|_| s.content.clone());
                    cmaps.insert(name.clone(), parse_tounicode(&data));
                }
            }
        }
        let content = doc.get_page_content(pid);
        let ops = lopdf::content::Content::decode(&content)
            .map(|c| c.operations)
            .unwrap_or_default();
        let mut font: Vec<u8> = Vec::new();
        let mut size = 0.0f32;
        let (mut x, mut y) = (0.0f32, 0.0f32);
        let mut runs: Vec<TextLine> = Vec::new();
        for op in ops {
            match op.operator.as_str() {
                "Tf" => {
                    font = op.operands[0]
                        .as_name()
                        .map(|n| n.to_vec())
                        .unwrap_or_default();
                    size = op.operands[1].as_float().unwrap_or(0.0);
                }
                "Tm" => {
                    x = op.operands[4].as_float().unwrap_or(0.0);
                    y = op.operands[5].as_float().unwrap_or(0.0);
                }
                "TJ" | "Tj" => {
                    // One TJ may hold several runs on a baseline (printpdf merges them): a
                    // move of more than two ems starts a new run, placed by the glyph widths.
                    let items: Vec<lopdf::Object> = match &op.operands[0] {
                        lopdf::Object::Array(a) => a.clone(),
                        other => vec![other.clone()],
                    };
                    let map = cmaps.get(&font);
                    let wmap = widths.get(&font);
                    let mut pen = x;
                    let mut start = x;
                    let mut text = String::new();
                    let mut glyphs: Vec<String> = Vec::new();
                    for item in items {
                        match item {
                            lopdf::Object::String(s, _) => {
                                for c in s.chunks(2) {
                                    let code = u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]);
                                    if let Some(t) = map.and_then(|m| m.get(&code)) {
                                        text.push_str(t);
                                        glyphs.push(t.clone());
                                    }
                                    pen +=
                                        wmap.and_then(|m| m.get(&code)).copied().unwrap_or(500.0)
                                            * size
                                            / 1000.0;
                                }
                            }
                            other => {
                                let k = other.as_float().unwrap_or(0.0);
                                if k < -2000.0 && !text.is_empty() {
                                    runs.push(TextLine {
                                        y: height - y,
                                        x: start,
                                        text: std::mem::take(&mut text),
                                        size,
                                        end: pen,
                                        glyphs: std::mem::take(&mut glyphs),
                                    });
                                    pen -= k * size / 1000.0;
                                    start = pen;
                                } else {
                                    pen -= k * size / 1000.0;
                                }
                            }
                        }
                    }
                    runs.push(TextLine {
                        y: height - y,
                        x: start,
                        text,
                        size,
                        end: pen,
                        glyphs,
                    });
                }
                _ => {}
            }
        }
        all_runs.push(runs.clone());
        // Runs sharing a baseline form one line, left to right.
        runs.sort_by(|a, b| {
            a.y.partial_cmp(&b.y)
                .unwrap()
                .then(a.x.partial_cmp(&b.x).unwrap())
        });
        let mut lines: Vec<TextLine> = Vec::new();
        for r in runs {
            match lines.last_mut() {
                Some(l) if (l.y - r.y).abs() < 0.5 => {
                    l.text.push_str(&r.text);
                    l.size = l.size.max(r.size);
                    l.end = l.end.max(r.end);
                    l.glyphs.extend(r.glyphs);
                }
                _ => lines.push(r),
            }
        }
        pages.push(lines);
    }
    PdfText {
        doc,
        pages,
        runs: all_runs,
        page_ids,
    }
}

/// A filled rectangle as drawn: left, top (from the page top), width, height, grey level.
#[derive(Debug, Clone, Copy)]
pub struct FilledRect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub gray: f32,
}

/// Every rectangle the page fills, with the grey it is filled with.
pub fn filled_rects(pdf: &PdfText, page: usize) -> Vec<FilledRect> {
    let content = pdf.doc.get_page_content(pdf.page_ids[page]);
    let ops = lopdf::content::Content::decode(&content)
        .map(|c| c.operations)
        .unwrap_or_default();
    let height = 792.0;
    let mut gray_stack = vec![0.0f32];
    let mut pending: Vec<(f32, f32, f32, f32)> = Vec::new();
    let mut out = Vec::new();
    for op in ops {
        let num = |i: usize| {
            op.operands
                .get(i)
                .and_then(|o| {
                    o.as_float()
                        .ok()
                        .or_else(|| o.as_i64().ok().map(|v| v as f32))
                })
                .unwrap_or(0.0)
        };
        match op.operator.as_str() {
            "q" => gray_stack.push(*gray_stack.last().unwrap()),
            "Q" => {
                gray_stack.pop();
                if gray_stack.is_empty() {
                    gray_stack.push(0.0);
                }
            }
            "g" => *gray_stack.last_mut().unwrap() = num(0),
            "re" => pending.push((num(0), num(1), num(2), num(3))),
            "f" | "f*" | "B" | "b" => {
                let g = *gray_stack.last().unwrap();
                for (x, y, w, h) in pending.drain(..) {
                    out.push(FilledRect {
                        x,
                        y: height - y - h,
                        w,
                        h,
                        gray: g,
                    });
                }
            }
            "n" | "S" => pending.clear(),
            _ => {}
        }
    }
    out
}

/// Every entry of a zip (EPUB) as bytes, in order.
pub fn read_zip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.push((f.name().to_string(), data));
    }
    out
}

/// The text of the first zip (EPUB) entry whose name ends with `suffix`.
pub fn zip_text(bytes: &[u8], suffix: &str) -> String {
    read_zip(bytes)
        .into_iter()
        .find(|(n, _)| n.ends_with(suffix))
        .map(|(_, b)| String::from_utf8(b).expect("UTF-8 text"))
        .unwrap_or_else(|| panic!("no entry ending in {suffix}"))
}

/// The sample manuscript copied to a temp folder, published there.
pub fn publish_sample(name: &str) -> (TempDir, PathBuf) {
    let tmp = TempDir::new(name);
    let m = tmp.path().join("manuscript");
    copy_dir(&root().join("manuscript"), &m);
    let out = tmp.path().join("output");
    let o = publish(&m, &out, &[]);
    assert!(o.status.success(), "publish failed: {}", stderr(&o));
    (tmp, out)
}

/// A manuscript made of `files` in a temp folder, published with `extra` flags; panics if the
/// build fails. Returns the folder, the manuscript and the output folder.
pub fn publish_files(
    name: &str,
    files: &[(&str, &str)],
    extra: &[&str],
) -> (TempDir, PathBuf, PathBuf) {
    let tmp = TempDir::new(name);
    let m = tmp.path().join("m");
    write_files(&m, files);
    let out = tmp.path().join("out");
    let o = publish(&m, &out, extra);
    assert!(o.status.success(), "publish failed: {}", stderr(&o));
    (tmp, m, out)
}

/// The PDF's bookmarks in reading order: (depth from 0, title, page index).
pub fn outline(pdf: &PdfText) -> Vec<(usize, String, usize)> {
    let doc = &pdf.doc;
    let Ok(root) = doc.catalog().unwrap().get(b"Outlines") else {
        return Vec::new();
    };
    let root = doc.get_dictionary(root.as_reference().unwrap()).unwrap();
    let mut out = Vec::new();
    let mut stack = vec![(root.get(b"First").unwrap().as_reference().unwrap(), 0)];
    while let Some((id, depth)) = stack.pop() {
        let item = doc.get_dictionary(id).unwrap();
        let title = match item.get(b"Title").unwrap() {
            lopdf::Object::String(b, _) if b.starts_with(&[0xFE, 0xFF]) => {
                String::from_utf16_lossy(
                    &b[2..]
                        .chunks(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect::<Vec<_>>(),
                )
            }
            lopdf::Object::String(b, _) => String::from_utf8_lossy(b).to_string(),
            other => panic!("a bookmark title that is not a string: {other:?}"),
        };
        let dest = item.get(b"Dest").unwrap().as_array().unwrap();
        out.push((depth, title, pdf.page_of(dest[0].as_reference().unwrap())));
        // Depth first: the children before the next sibling.
        if let Ok(next) = item.get(b"Next").and_then(|n| n.as_reference()) {
            stack.push((next, depth));
        }
        if let Ok(first) = item.get(b"First").and_then(|n| n.as_reference()) {
            stack.push((first, depth + 1));
        }
    }
    out
}

/// The QR codes drawn on a page: each one's black modules, grouped where they leave a gap.
pub fn qr_codes_on(pdf: &PdfText, page: usize) -> Vec<Vec<FilledRect>> {
    let mut modules: Vec<FilledRect> = filled_rects(pdf, page)
        .into_iter()
        .filter(|r| r.gray == 0.0 && r.h < 5.0)
        .collect();
    modules.sort_by(|a, b| a.y.partial_cmp(&b.y).unwrap());
    let mut codes: Vec<Vec<FilledRect>> = Vec::new();
    for m in modules {
        match codes.last_mut() {
            Some(c) if m.y - c.last().unwrap().y < 10.0 => c.push(m),
            _ => codes.push(vec![m]),
        }
    }
    codes.retain(|c| c.len() > 50);
    codes
}

/// A code printed at `scale` of its drawn size, scanned at 150 dpi, then photocopied twice:
/// each copy blurs it (Gaussian, sigma 0.2 mm: toner spread and the copier's optics) and
/// thresholds it a little dark (at 40 % ink: dot gain). Returns the decoded text, if any.
/// With these settings every 25 mm code decodes and the same codes at 18 mm do not; at sigma
/// 0.25 mm the densest 25 mm code (37 modules) fails too.
pub fn decode_after_two_photocopies(modules: &[FilledRect], scale: f32) -> Option<String> {
    decode_copied(modules, scale, 0.2, 0.4, 2)
}

/// The code at `scale`, through `copies` copies that each blur it by a Gaussian of `sigma_mm`
/// and threshold it at `cut` of full ink.
pub fn decode_copied(
    modules: &[FilledRect],
    scale: f32,
    sigma_mm: f32,
    cut: f32,
    copies: usize,
) -> Option<String> {
    let x0 = modules.iter().map(|r| r.x).fold(f32::MAX, f32::min);
    let y0 = modules.iter().map(|r| r.y).fold(f32::MAX, f32::min);
    let x1 = modules.iter().map(|r| r.x + r.w).fold(0.0, f32::max);
    let px_per_pt = 150.0 / 72.0 * scale;
    // The code and a quiet zone as wide as a sixth of it on each side.
    let margin = (x1 - x0) / 6.0;
    let n = (((x1 - x0) + 2.0 * margin) * px_per_pt).ceil() as usize;
    // Ink coverage per pixel, supersampled 4 x 4.
    let mut ink = vec![0.0f32; n * n];
    for r in modules {
        let (rx0, ry0) = (
            (r.x - x0 + margin) * px_per_pt,
            (r.y - y0 + margin) * px_per_pt,
        );
        let (rx1, ry1) = (rx0 + r.w * px_per_pt, ry0 + r.h * px_per_pt);
        for py in (ry0.floor() as usize)..(ry1.ceil() as usize).min(n) {
            for px in (rx0.floor() as usize)..(rx1.ceil() as usize).min(n) {
                let mut hit = 0;
                for sy in 0..4 {
                    for sx in 0..4 {
                        let (fx, fy) = (
                            px as f32 + (sx as f32 + 0.5) / 4.0,
                            py as f32 + (sy as f32 + 0.5) / 4.0,
                        );
                        if fx >= rx0 && fx < rx1 && fy >= ry0 && fy < ry1 {
                            hit += 1;
                        }
                    }
                }
                ink[py * n + px] = (ink[py * n + px] + hit as f32 / 16.0).min(1.0);
            }
        }
    }
    let sigma: f32 = sigma_mm / 25.4 * 150.0;
    let radius = (sigma * 3.0).ceil() as isize;
    let kernel: Vec<f32> = (-radius..=radius)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    for _copy in 0..copies {
        for horizontal in [true, false] {
            let src = ink.clone();
            for y in 0..n {
                for x in 0..n {
                    let mut acc = 0.0;
                    for (k, w) in kernel.iter().enumerate() {
                        let d = k as isize - radius;
                        let (sx, sy) = if horizontal {
                            (x as isize + d, y as isize)
                        } else {
                            (x as isize, y as isize + d)
                        };
                        if sx >= 0 && sy >= 0 && (sx as usize) < n && (sy as usize) < n {
                            acc += w * src[sy as usize * n + sx as usize];
                        }
                    }
                    ink[y * n + x] = acc / total;
                }
            }
        }
        for v in &mut ink {
            *v = if *v > cut { 1.0 } else { 0.0 };
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(n, n, |x, y| {
        if ink[y * n + x] > 0.5 {
            0
        } else {
            255
        }
    });
    img.detect_grids()
        .into_iter()
        .find_map(|g| g.decode().ok().map(|(_, text)| text))
}
