//! Pages → PDF bytes. printpdf writes the page content and the fonts (which we subset first);
//! the document structure printpdf cannot express is added to its lopdf document: the nested
//! outline, named destinations, link annotations, page labels, language, metadata and a
//! fixed document id.

use super::flow::{Draw, LinkDest};
use super::paginate::Page;
use super::shape::Shaper;
use crate::model::{BookMeta, ImageFormat};
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Codepoint, Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, ParsedFont,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A local image, decoded once.
pub struct PdfImage {
    /// Where it came from, relative to the manuscript folder (for messages).
    pub path: std::path::PathBuf,
    pub data: std::sync::Arc<Vec<u8>>,
    pub format: ImageFormat,
}

pub struct Document<'a> {
    pub meta: &'a BookMeta,
    pub pages: &'a [Page],
    /// Printed page labels: the number of front-matter pages (roman) before the body (arabic).
    pub front_pages: usize,
    pub page_w: f32,
    pub page_h: f32,
    pub images: &'a [PdfImage],
}

pub fn write(doc: &Document, sh: &Shaper) -> Result<Vec<u8>, String> {
    // Glyphs each face uses, for subsetting.
    let mut used: BTreeMap<usize, BTreeSet<u16>> = BTreeMap::new();
    for page in doc.pages {
        for d in &page.draws {
            if let Draw::Text(r) = d {
                used.entry(r.face)
                    .or_default()
                    .extend(r.glyphs.iter().map(|g| g.gid));
            }
        }
    }
    let mut pdf = PdfDocument::new(&doc.meta.title);
    let mut remaps: HashMap<usize, subsetter::GlyphRemapper> = HashMap::new();
    let mut font_ids: HashMap<usize, FontId> = HashMap::new();
    for (&face, gids) in &used {
        let mut all: Vec<u16> = vec![0];
        all.extend(gids.iter().copied().filter(|&g| g != 0));
        let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&all);
        let subset = subsetter::subset(sh.faces[face].data, 0, &remapper)
            .map_err(|e| format!("font subsetting failed: {e:?}"))?;
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(&subset, 0, &mut warnings)
            .ok_or("a subset font could not be read back")?;
        let id = FontId(format!("F{face}"));
        pdf.resources
            .fonts
            .map
            .insert(id.clone(), printpdf::PdfFont::new(parsed));
        font_ids.insert(face, id);
        remaps.insert(face, remapper);
    }
    let mut pages = Vec::with_capacity(doc.pages.len());
    for page in doc.pages {
        pages.push(PdfPage::new(
            Mm::from(Pt(doc.page_w)),
            Mm::from(Pt(doc.page_h)),
            page_ops(page, doc, sh, &font_ids, &remaps),
        ));
    }
    pdf.pages = pages;
    let opts = PdfSaveOptions {
        // Streams are compressed below, once, at a fast level.
        optimize: false,
        subset_fonts: false,
        secure: true,
        image_optimization: Some(printpdf::ImageOptimizationOptions {
            format: Some(printpdf::ImageCompression::Flate),
            auto_optimize: Some(false),
            max_image_size: None,
            ..Default::default()
        }),
    };
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&opts, &mut warnings);
    let postscript_names: Vec<String> = sh.faces.iter().map(|f| postscript_name(f)).collect();
    finish(&mut lo, doc, &used, &postscript_names, sh)?;
    compress_streams(&mut lo);
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| format!("writing the PDF failed: {e}"))?;
    Ok(out)
}

/// The face's PostScript name (name id 6), as PDF font names use.
fn postscript_name(face: &super::shape::Face) -> String {
    face.rb
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| "Font".to_string())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// Adds the book's images as image objects (with soft masks for transparency) and draws each
/// where the layout placed it.
fn place_images(
    lo: &mut lopdf::Document,
    doc: &Document,
    page_ids: &[ObjectId],
    svg_fonts: &std::sync::Arc<resvg::usvg::fontdb::Database>,
) -> Result<(), String> {
    use rayon::prelude::*;
    if doc.images.is_empty() {
        return Ok(());
    }
    // The widest each image is printed, in points: it needs no more than 300 pixels an inch.
    let mut printed = vec![0.0f32; doc.images.len()];
    for page in doc.pages {
        for d in &page.draws {
            if let Draw::Image { index, w, .. } = d {
                if let Some(p) = printed.get_mut(*index) {
                    *p = p.max(*w);
                }
            }
        }
    }
    let prepared: Vec<Result<super::images::Prepared, String>> = doc
        .images
        .par_iter()
        .zip(printed.par_iter())
        .map(|(img, w)| {
            super::images::prepare(
                &img.data,
                img.format,
                ((w / 72.0) * 300.0).ceil() as u32,
                svg_fonts,
            )
            .map_err(|e| format!("image {} cannot be used: {e}", img.path.display()))
        })
        .collect();
    let mut ids = Vec::with_capacity(prepared.len());
    for p in prepared {
        let p = p?;
        let mut dict = Dictionary::new();
        dict.set("Type", "XObject");
        dict.set("Subtype", "Image");
        dict.set("Width", p.width as i64);
        dict.set("Height", p.height as i64);
        dict.set(
            "ColorSpace",
            Object::Name(p.color_space.as_bytes().to_vec()),
        );
        dict.set("BitsPerComponent", 8);
        dict.set("Filter", Object::Name(p.filter.as_bytes().to_vec()));
        if let Some(alpha) = p.alpha {
            let mut m = Dictionary::new();
            m.set("Type", "XObject");
            m.set("Subtype", "Image");
            m.set("Width", p.width as i64);
            m.set("Height", p.height as i64);
            m.set("ColorSpace", "DeviceGray");
            m.set("BitsPerComponent", 8);
            m.set("Filter", "FlateDecode");
            let mask = lo.add_object(lopdf::Stream::new(m, alpha).with_compression(false));
            dict.set("SMask", Object::Reference(mask));
        }
        ids.push(lo.add_object(lopdf::Stream::new(dict, p.data).with_compression(false)));
    }
    for (pi, page) in doc.pages.iter().enumerate() {
        let mut ops = String::new();
        let mut used = Vec::new();
        for d in &page.draws {
            if let Draw::Image { index, x, y, w, h } = d {
                if *index < ids.len() {
                    ops.push_str(&format!(
                        "q {w:.3} 0 0 {h:.3} {x:.3} {:.3} cm /Im{index} Do Q\n",
                        doc.page_h - y - h
                    ));
                    used.push(*index);
                }
            }
        }
        if used.is_empty() {
            continue;
        }
        let stream = lo.add_object(lopdf::Stream::new(Dictionary::new(), ops.into_bytes()));
        // The page's resources may be its own dictionary or a shared object.
        let resources = match lo
            .get_dictionary(page_ids[pi])
            .ok()
            .and_then(|p| p.get(b"Resources").ok().cloned())
        {
            Some(Object::Reference(r)) => Some(r),
            _ => None,
        };
        let mut xobjects = Dictionary::new();
        for i in used {
            xobjects.set(format!("Im{i}"), Object::Reference(ids[i]));
        }
        let add_xobjects = |res: &mut Dictionary| match res.get_mut(b"XObject") {
            Ok(Object::Dictionary(x)) => x.extend(&xobjects),
            _ => res.set("XObject", xobjects.clone()),
        };
        match resources {
            Some(r) => {
                if let Ok(Object::Dictionary(res)) = lo.get_object_mut(r) {
                    add_xobjects(res);
                }
            }
            None => {
                if let Ok(Object::Dictionary(pd)) = lo.get_object_mut(page_ids[pi]) {
                    match pd.get_mut(b"Resources") {
                        Ok(Object::Dictionary(res)) => add_xobjects(res),
                        _ => {
                            let mut res = Dictionary::new();
                            add_xobjects(&mut res);
                            pd.set("Resources", res);
                        }
                    }
                }
            }
        }
        if let Ok(Object::Dictionary(pd)) = lo.get_object_mut(page_ids[pi]) {
            let mut contents = match pd.get(b"Contents") {
                Ok(Object::Array(a)) => a.clone(),
                Ok(other) => vec![other.clone()],
                Err(_) => Vec::new(),
            };
            contents.push(Object::Reference(stream));
            pd.set("Contents", contents);
        }
    }
    Ok(())
}

/// Deflates every stream not compressed yet, at a fast level: most of a page is text
/// operators, which compress well at any level, and the best levels cost many times the time.
fn compress_streams(lo: &mut lopdf::Document) {
    use std::io::Write;
    for obj in lo.objects.values_mut() {
        if let Object::Stream(stream) = obj {
            if stream.dict.has(b"Filter") || stream.content.len() < 64 {
                continue;
            }
            let mut enc = flate2::write::ZlibEncoder::new(
                Vec::with_capacity(stream.content.len() / 3),
                flate2::Compression::new(2),
            );
            if enc.write_all(&stream.content).is_err() {
                continue;
            }
            if let Ok(compressed) = enc.finish() {
                if compressed.len() < stream.content.len() {
                    stream.dict.set("Filter", "FlateDecode");
                    stream.set_content(compressed);
                }
            }
        }
    }
}

/// Saves the graphics state and sets the fill and stroke of a shape; the caller draws it and
/// restores the state.
fn paint(ops: &mut Vec<Op>, fill: Option<f32>, stroke: Option<(f32, f32)>) -> PaintMode {
    ops.push(Op::SaveGraphicsState);
    if let Some(f) = fill {
        ops.push(Op::SetFillColor { col: gray(f) });
    }
    if let Some((g, width)) = stroke {
        ops.push(Op::SetOutlineColor { col: gray(g) });
        ops.push(Op::SetOutlineThickness { pt: Pt(width) });
    }
    match (fill, stroke) {
        (Some(_), Some(_)) => PaintMode::FillStroke,
        (None, Some(_)) => PaintMode::Stroke,
        _ => PaintMode::Fill,
    }
}

fn gray(g: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: g,
        icc_profile: None,
    })
}

fn page_ops(
    page: &Page,
    doc: &Document,
    sh: &Shaper,
    fonts: &HashMap<usize, FontId>,
    remaps: &HashMap<usize, subsetter::GlyphRemapper>,
) -> Vec<Op> {
    let h = doc.page_h;
    let mut ops = Vec::new();
    // Shapes and images first, so text is drawn over box fills. Runs of plain filled
    // rectangles of one grey (QR modules, shading) share one path and one fill.
    let mut i = 0;
    while i < page.draws.len() {
        let d = &page.draws[i];
        i += 1;
        if let Draw::Rect {
            fill: Some(f),
            stroke: None,
            ..
        } = d
        {
            let mut j = i;
            while j < page.draws.len()
                && matches!(page.draws[j], Draw::Rect { fill: Some(g), stroke: None, .. } if g == *f)
            {
                j += 1;
            }
            if j > i {
                ops.push(Op::SaveGraphicsState);
                ops.push(Op::SetFillColor { col: gray(*f) });
                for r in &page.draws[i - 1..j] {
                    if let Draw::Rect { x, y, w, h: rh, .. } = r {
                        let mut rect = Rect::from_xywh(Pt(*x), Pt(h - y - rh), Pt(*w), Pt(*rh));
                        rect.mode = Some(PaintMode::Fill);
                        ops.push(Op::DrawRectangle { rectangle: rect });
                    }
                }
                ops.push(Op::RestoreGraphicsState);
                i = j;
                continue;
            }
        }
        match d {
            Draw::Rect {
                x,
                y,
                w,
                h: rh,
                fill,
                stroke,
            } => {
                let mode = paint(&mut ops, *fill, *stroke);
                let mut r = Rect::from_xywh(Pt(*x), Pt(h - y - rh), Pt(*w), Pt(*rh));
                r.mode = Some(mode);
                ops.push(Op::DrawRectangle { rectangle: r });
                ops.push(Op::RestoreGraphicsState);
            }
            Draw::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                gray: g,
            } => {
                ops.push(Op::SaveGraphicsState);
                ops.push(Op::SetOutlineColor { col: gray(*g) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: Point {
                                    x: Pt(*x1),
                                    y: Pt(h - y1),
                                },
                                bezier: false,
                            },
                            LinePoint {
                                p: Point {
                                    x: Pt(*x2),
                                    y: Pt(h - y2),
                                },
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
                ops.push(Op::RestoreGraphicsState);
            }
            // Placed after printpdf is done (see `place_images`).
            Draw::Image { .. } => {}
            Draw::Path {
                points,
                fill,
                stroke,
            } => {
                let mode = paint(&mut ops, *fill, *stroke);
                ops.push(Op::DrawPolygon {
                    polygon: printpdf::Polygon {
                        rings: vec![printpdf::PolygonRing {
                            points: points
                                .iter()
                                .map(|(x, y)| LinePoint {
                                    p: Point {
                                        x: Pt(*x),
                                        y: Pt(h - y),
                                    },
                                    bezier: false,
                                })
                                .collect(),
                        }],
                        mode,
                        winding_order: printpdf::WindingOrder::NonZero,
                    },
                });
                ops.push(Op::RestoreGraphicsState);
            }
            Draw::Text(_) | Draw::Link { .. } => {}
        }
    }
    ops.push(Op::StartTextSection);
    let mut cur_font: Option<(usize, f32)> = None;
    let mut cur_gray = -1.0f32;
    for d in &page.draws {
        let Draw::Text(run) = d else { continue };
        let (Some(font), Some(remap)) = (fonts.get(&run.face), remaps.get(&run.face)) else {
            continue;
        };
        if cur_font != Some((run.face, run.size)) {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(font.clone()),
                size: Pt(run.size),
            });
            cur_font = Some((run.face, run.size));
        }
        if cur_gray != run.gray {
            ops.push(Op::SetFillColor {
                col: gray(run.gray),
            });
            cur_gray = run.gray;
        }
        let face = &sh.faces[run.face];
        let mut cps = Vec::with_capacity(run.glyphs.len());
        // Rounding error carried from glyph to glyph: a kern is written only once it reaches
        // half a unit (1/2000 em), so most glyphs need no adjustment of their own.
        let mut carry = 0.0f32;
        for g in &run.glyphs {
            // PDF advances each glyph by its /W width (1/1000 em, truncated as printpdf writes
            // it); the TJ offset makes up the difference to our shaped, justified advance.
            let units = face
                .rb
                .glyph_hor_advance(ttf_parser::GlyphId(g.gid))
                .unwrap_or(0) as f32;
            let w = (units * 1000.0 / face.units_per_em) as i64 as f32;
            let wanted = g.advance * 1000.0 / run.size;
            carry += w - wanted;
            let offset = if carry.abs() >= 0.5 {
                carry.round()
            } else {
                0.0
            };
            carry -= offset;
            cps.push(Codepoint {
                gid: remap.get(g.gid).unwrap_or(0),
                offset,
                cid: if g.text.is_empty() {
                    None
                } else {
                    Some(g.text.to_string())
                },
            });
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(run.x), Pt(h - run.y)),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(cps)],
        });
    }
    ops.push(Op::EndTextSection);
    ops
}

fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            bytes.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

fn pdf_date(meta: &BookMeta) -> Object {
    let d = meta.date;
    Object::String(
        format!("D:{:04}{:02}{:02}000000Z", d.year, d.month, d.day).into_bytes(),
        StringFormat::Literal,
    )
}

/// A stable 64-bit FNV-1a hash, for ids and subset tags that must not change between runs.
fn fnv(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf29ce484222325u64 ^ seed;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn finish(
    lo: &mut lopdf::Document,
    doc: &Document,
    used: &BTreeMap<usize, BTreeSet<u16>>,
    postscript_names: &[String],
    sh: &Shaper,
) -> Result<(), String> {
    let page_ids: Vec<ObjectId> = lo.get_pages().values().copied().collect();
    if page_ids.len() != doc.pages.len() {
        return Err(format!(
            "printpdf wrote {} pages, expected {}",
            page_ids.len(),
            doc.pages.len()
        ));
    }
    place_images(lo, doc, &page_ids, &sh.svg_fonts)?;
    let h = doc.page_h;
    // Where every destination is.
    let mut dests: HashMap<&str, (usize, f32)> = HashMap::new();
    for (i, page) in doc.pages.iter().enumerate() {
        for (key, y) in &page.dests {
            dests.entry(key.as_str()).or_insert((i, *y));
        }
    }
    let dest_array = |page: usize, y: f32| -> Object {
        Object::Array(vec![
            Object::Reference(page_ids[page]),
            "XYZ".into(),
            Object::Integer(0),
            Object::Real((h - y + 4.0).min(h)),
            Object::Null,
        ])
    };

    // Link annotations.
    for (i, page) in doc.pages.iter().enumerate() {
        let mut annots = Vec::new();
        for d in &page.draws {
            let Draw::Link {
                x,
                y,
                w,
                h: lh,
                dest,
            } = d
            else {
                continue;
            };
            let mut a = Dictionary::new();
            a.set("Type", "Annot");
            a.set("Subtype", "Link");
            a.set(
                "Rect",
                vec![
                    (*x).into(),
                    (h - y - lh).into(),
                    (x + w).into(),
                    (h - y).into(),
                ],
            );
            a.set("Border", vec![0.into(), 0.into(), 0.into()]);
            match dest {
                LinkDest::Uri(u) => {
                    let mut act = Dictionary::new();
                    act.set("S", "URI");
                    act.set(
                        "URI",
                        Object::String(u.as_bytes().to_vec(), StringFormat::Literal),
                    );
                    a.set("A", act);
                    a.set("Contents", text_string(u));
                }
                LinkDest::Dest(key) => match dests.get(key.as_str()) {
                    Some(&(p, y)) => a.set("Dest", dest_array(p, y)),
                    None => continue,
                },
            }
            annots.push(Object::Reference(lo.add_object(a)));
        }
        if !annots.is_empty() {
            if let Ok(Object::Dictionary(pd)) = lo.get_object_mut(page_ids[i]) {
                pd.set("Annots", annots);
            }
        }
    }

    // The nested outline: each mark's parent is the nearest earlier mark of a lower level.
    let marks: Vec<(u8, &str, usize, f32)> = doc
        .pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.outline
                .iter()
                .map(move |(m, y)| (m.level, m.title.as_str(), i, *y))
        })
        .collect();
    let outlines_id = lo.new_object_id();
    let item_ids: Vec<ObjectId> = marks.iter().map(|_| lo.new_object_id()).collect();
    let mut parent: Vec<Option<usize>> = vec![None; marks.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, m) in marks.iter().enumerate() {
        while stack.last().is_some_and(|&s| marks[s].0 >= m.0) {
            stack.pop();
        }
        parent[i] = stack.last().copied();
        stack.push(i);
    }
    let children =
        |p: Option<usize>| -> Vec<usize> { (0..marks.len()).filter(|&i| parent[i] == p).collect() };
    let mut descendants = vec![0i64; marks.len()];
    for i in (0..marks.len()).rev() {
        if let Some(p) = parent[i] {
            descendants[p] += 1 + descendants[i];
        }
    }
    for (i, m) in marks.iter().enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", text_string(m.1));
        d.set(
            "Parent",
            Object::Reference(parent[i].map(|p| item_ids[p]).unwrap_or(outlines_id)),
        );
        d.set("Dest", dest_array(m.2, m.3));
        let siblings = children(parent[i]);
        let pos = siblings.iter().position(|&s| s == i).unwrap_or(0);
        if pos > 0 {
            d.set("Prev", Object::Reference(item_ids[siblings[pos - 1]]));
        }
        if pos + 1 < siblings.len() {
            d.set("Next", Object::Reference(item_ids[siblings[pos + 1]]));
        }
        let kids = children(Some(i));
        if let (Some(f), Some(l)) = (kids.first(), kids.last()) {
            d.set("First", Object::Reference(item_ids[*f]));
            d.set("Last", Object::Reference(item_ids[*l]));
            // Open the article level, close deeper levels.
            d.set(
                "Count",
                if m.0 <= 1 {
                    descendants[i]
                } else {
                    -(kids.len() as i64)
                },
            );
        }
        lo.objects.insert(item_ids[i], Object::Dictionary(d));
    }
    let top = children(None);
    let mut outlines = Dictionary::new();
    outlines.set("Type", "Outlines");
    if let (Some(f), Some(l)) = (top.first(), top.last()) {
        outlines.set("First", Object::Reference(item_ids[*f]));
        outlines.set("Last", Object::Reference(item_ids[*l]));
        outlines.set(
            "Count",
            top.len() as i64 + top.iter().map(|&t| descendants[t]).sum::<i64>(),
        );
    }
    lo.objects.insert(outlines_id, Object::Dictionary(outlines));

    // Named destinations, sorted as the name tree requires.
    let mut named: Vec<(&str, (usize, f32))> = dests.iter().map(|(k, v)| (*k, *v)).collect();
    named.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut names = Vec::with_capacity(named.len() * 2);
    for (k, (p, y)) in named {
        names.push(Object::String(k.as_bytes().to_vec(), StringFormat::Literal));
        names.push(dest_array(p, y));
    }
    let mut dest_tree = Dictionary::new();
    dest_tree.set("Names", names);
    let dest_tree_id = lo.add_object(dest_tree);

    // Page labels: roman for the front matter, arabic from the first article.
    let mut nums = Vec::new();
    if doc.front_pages > 0 {
        let mut d = Dictionary::new();
        d.set("S", "r");
        nums.push(Object::Integer(0));
        nums.push(Object::Dictionary(d));
    }
    if doc.pages.len() > doc.front_pages {
        let mut d = Dictionary::new();
        d.set("S", "D");
        nums.push(Object::Integer(doc.front_pages as i64));
        nums.push(Object::Dictionary(d));
    }
    let mut labels = Dictionary::new();
    labels.set("Nums", nums);
    let labels_id = lo.add_object(labels);

    // Document information, rebuilt: printpdf's claims PDF/X and has no fixed dates.
    let meta = doc.meta;
    let mut info = Dictionary::new();
    info.set("Title", text_string(&meta.title));
    if !meta.authors.is_empty() {
        info.set("Author", text_string(&meta.authors.join(", ")));
    } else if let Some(p) = &meta.publisher {
        info.set("Author", text_string(p));
    }
    if let Some(s) = &meta.subtitle {
        info.set("Subject", text_string(s));
    }
    info.set("Creator", text_string("handout"));
    info.set("Producer", text_string("handout (printpdf, lopdf)"));
    info.set("CreationDate", pdf_date(meta));
    info.set("ModDate", pdf_date(meta));
    let info_id = lo.add_object(info);
    lo.trailer.set("Info", Object::Reference(info_id));
    let id_seed = format!("{}|{}|{}", meta.identifier, meta.title, meta.date);
    let id_bytes: Vec<u8> = [fnv(id_seed.as_bytes(), 1), fnv(id_seed.as_bytes(), 2)]
        .iter()
        .flat_map(|h| h.to_be_bytes())
        .collect();
    lo.trailer.set(
        "ID",
        vec![
            Object::String(id_bytes.clone(), StringFormat::Hexadecimal),
            Object::String(id_bytes, StringFormat::Hexadecimal),
        ],
    );

    let root_id = lo
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| e.to_string())?;
    if let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root_id) {
        cat.set("Outlines", Object::Reference(outlines_id));
        cat.set("PageMode", "UseOutlines");
        let mut n = Dictionary::new();
        n.set("Dests", Object::Reference(dest_tree_id));
        cat.set("Names", n);
        cat.set("PageLabels", Object::Reference(labels_id));
        cat.set(
            "Lang",
            Object::String(meta.language.as_bytes().to_vec(), StringFormat::Literal),
        );
        let mut vp = Dictionary::new();
        vp.set("DisplayDocTitle", true);
        cat.set("ViewerPreferences", vp);
    }

    // Subset fonts carry a tag: six capitals derived from the glyphs they hold.
    let tags: HashMap<String, String> = used
        .iter()
        .map(|(face, gids)| {
            let bytes: Vec<u8> = gids.iter().flat_map(|g| g.to_be_bytes()).collect();
            let mut h = fnv(&bytes, *face as u64);
            let tag: String = (0..6)
                .map(|_| {
                    let c = (b'A' + (h % 26) as u8) as char;
                    h /= 26;
                    c
                })
                .collect();
            (
                format!("F{face}"),
                format!("{tag}+{}", postscript_names[*face]),
            )
        })
        .collect();
    retag_fonts(lo, &tags);
    Ok(())
}

/// Names the embedded fonts `TAG+PostScriptName`. printpdf names a face after its font id
/// (`F0`, …) when the subset has no name table, so the id finds the face.
fn retag_fonts(lo: &mut lopdf::Document, tags: &HashMap<String, String>) {
    let mut renames: Vec<(ObjectId, String)> = Vec::new();
    for (id, obj) in lo.objects.iter() {
        let Object::Dictionary(font) = obj else {
            continue;
        };
        if font.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Type0".as_slice()) {
            continue;
        }
        let base = font
            .get(b"BaseFont")
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).to_string())
            .unwrap_or_default();
        let key = base.split('+').next_back().unwrap_or(&base).to_string();
        let Some(new) = tags.get(&key) else { continue };
        renames.push((*id, new.clone()));
        if let Ok(Object::Array(desc)) = font.get(b"DescendantFonts") {
            for d in desc {
                if let Ok(did) = d.as_reference() {
                    renames.push((did, new.clone()));
                    if let Ok(Object::Dictionary(dd)) = lo.get_object(did) {
                        if let Ok(fd) = dd.get(b"FontDescriptor").and_then(Object::as_reference) {
                            renames.push((fd, new.clone()));
                        }
                    }
                }
            }
        }
    }
    for (id, name) in renames {
        if let Ok(Object::Dictionary(d)) = lo.get_object_mut(id) {
            if d.has(b"FontName") {
                d.set("FontName", Object::Name(name.into_bytes()));
            } else {
                d.set("BaseFont", Object::Name(name.into_bytes()));
            }
        }
    }
}
