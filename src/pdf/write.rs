//! Pages → PDF bytes. printpdf lays down the document skeleton (catalog, page tree, page
//! boxes); the page content streams are written directly (`content.rs`), the fonts embedded
//! by `embed.rs`, and the structure printpdf cannot express is added to its lopdf document:
//! the nested outline, named destinations, link annotations, page labels, language, metadata
//! and a fixed document id.

use super::content::{Content, TjItem};
use super::embed::{self, fnv, Embedded, GlyphUse};
use super::flow::{Draw, LinkDest};
use super::images::Prepared;
use super::paginate::Page;
use super::shape::Shaper;
use super::tags::{NodeRef, Role, Tree, PAGINATION};
use crate::epub::xhtml::escape;
use crate::model::{BookMeta, ImageFormat};
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{Mm, PdfDocument, PdfPage, PdfSaveOptions, Pt};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// A local image of the book, as read from the manuscript.
pub struct PdfImage {
    /// Where it came from, relative to the manuscript folder (for messages and caching).
    pub path: std::path::PathBuf,
    pub data: Arc<Vec<u8>>,
    pub format: ImageFormat,
}

pub struct Document<'a> {
    pub meta: &'a BookMeta,
    /// Mutable so that the glyphs can be dropped once the content streams are written.
    pub pages: &'a mut [Page],
    /// Printed page labels: the number of front-matter pages (roman) before the body (arabic).
    pub front_pages: usize,
    pub page_w: f32,
    pub page_h: f32,
    pub images: &'a [PdfImage],
    /// Each image made ready for print (an error matters only if the image is printed).
    pub prepared: &'a [Result<Arc<Prepared>, String>],
    /// The logical structure of every part printed, by tree id (see `tags`).
    pub trees: &'a HashMap<u32, Tree>,
}

pub fn write(doc: &mut Document, sh: &Shaper, out: &mut dyn std::io::Write) -> Result<(), String> {
    // The glyphs each face draws, and the text each stands for.
    let mut uses: Vec<GlyphUse> = (0..sh.faces.len()).map(|_| GlyphUse::default()).collect();
    for page in doc.pages.iter() {
        for d in &page.draws {
            if let Draw::Text(r) = d {
                let u = &mut uses[r.face];
                for g in &r.glyphs {
                    u.note(g.gid, g.text);
                }
            }
        }
    }
    crate::trace("glyphs counted");
    let fonts: Vec<Option<(Embedded, embed::FontObjects)>> = uses
        .par_iter()
        .enumerate()
        .map(|(i, u)| {
            (!u.is_empty())
                .then(|| embed::embed(&sh.faces[i], u))
                .transpose()
        })
        .collect::<Result<_, _>>()?;
    let images = printed_images(doc)?;
    crate::trace("fonts embedded");

    let role = |n: NodeRef| -> &'static str {
        doc.trees
            .get(&n.tree)
            .and_then(|t| t.nodes.get(n.node as usize))
            .map(|node| node.role.name())
            .unwrap_or("Span")
    };
    // Each page's content, written and compressed in parallel.
    let embedded: Vec<Option<&Embedded>> = fonts.iter().map(|f| f.as_ref().map(|f| &f.0)).collect();
    let contents: Vec<Vec<u8>> = doc
        .pages
        .par_iter()
        .map(|page| deflate(&page_content(page, doc.page_h, &embedded, &images, &role)))
        .collect();

    // The glyphs are most of the memory held, and written now: the rest needs the drawing's
    // order and tags, not its text.
    doc.pages.par_iter_mut().for_each(|p| {
        for d in &mut p.draws {
            if let Draw::Text(r) = d {
                r.glyphs = Vec::new();
            }
        }
    });
    crate::trace("page contents written");
    let doc: &Document = doc;
    // The skeleton: catalog and page tree, pages empty.
    let mut pdf = PdfDocument::new(&doc.meta.title);
    pdf.pages = doc
        .pages
        .iter()
        .map(|_| {
            PdfPage::new(
                Mm::from(Pt(doc.page_w)),
                Mm::from(Pt(doc.page_h)),
                Vec::new(),
            )
        })
        .collect();
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&PdfSaveOptions::default(), &mut warnings);
    lo.version = "1.7".into();
    let page_ids: Vec<ObjectId> = lo.get_pages().values().copied().collect();
    if page_ids.len() != doc.pages.len() {
        return Err(format!(
            "printpdf wrote {} pages, expected {}",
            page_ids.len(),
            doc.pages.len()
        ));
    }

    // One resource dictionary serves every page: the fonts and the images.
    let mut font_dict = Dictionary::new();
    for (i, f) in fonts.into_iter().enumerate() {
        let Some((_, objs)) = f else { continue };
        let file = lo.add_object(objs.font_file.with_compression(false));
        let mut descriptor = objs.descriptor;
        descriptor.set("FontFile2", Object::Reference(file));
        let descriptor = lo.add_object(descriptor);
        let cid_to_gid = lo.add_object(objs.cid_to_gid.with_compression(false));
        let mut cid_font = objs.cid_font;
        cid_font.set("FontDescriptor", Object::Reference(descriptor));
        cid_font.set("CIDToGIDMap", Object::Reference(cid_to_gid));
        let cid_font = lo.add_object(cid_font);
        let to_unicode = lo.add_object(objs.to_unicode.with_compression(false));
        let mut type0 = objs.type0;
        type0.set("DescendantFonts", vec![Object::Reference(cid_font)]);
        type0.set("ToUnicode", Object::Reference(to_unicode));
        font_dict.set(format!("F{i}"), Object::Reference(lo.add_object(type0)));
    }
    let mut xobjects = Dictionary::new();
    for (i, p) in images.iter().enumerate() {
        let Some(p) = p else { continue };
        let id = if p.vector {
            import_form(&mut lo, &p.data).map_err(|e| {
                format!("image {} cannot be used: {e}", doc.images[i].path.display())
            })?
        } else {
            add_image(&mut lo, p)
        };
        xobjects.set(format!("Im{i}"), Object::Reference(id));
    }
    let mut resources = Dictionary::new();
    resources.set("Font", font_dict);
    if !xobjects.is_empty() {
        resources.set("XObject", xobjects);
    }
    let resources = lo.add_object(resources);
    // printpdf's empty content streams and resource dictionaries are replaced and deleted
    // (deleting them directly: lopdf's general pruning walks the whole structure tree and
    // cost a third of the writing time on a 400-page book).
    let mut replaced: Vec<ObjectId> = Vec::new();
    for (pid, content) in page_ids.iter().zip(contents) {
        let mut dict = Dictionary::new();
        dict.set("Filter", "FlateDecode");
        let stream = lo.add_object(lopdf::Stream::new(dict, content).with_compression(false));
        if let Ok(Object::Dictionary(pd)) = lo.get_object_mut(*pid) {
            for key in [b"Contents".as_slice(), b"Resources".as_slice()] {
                if let Ok(Object::Reference(r)) = pd.get(key) {
                    replaced.push(*r);
                }
            }
            pd.set("Contents", Object::Reference(stream));
            pd.set("Resources", Object::Reference(resources));
            pd.remove(b"Annots");
        }
    }
    let mut inner: Vec<ObjectId> = Vec::new();
    for r in &replaced {
        if let Ok(Object::Dictionary(d)) = lo.get_object(*r) {
            inner.extend(d.iter().filter_map(|(_, v)| v.as_reference().ok()));
        }
    }
    for r in replaced.into_iter().chain(inner) {
        lo.objects.remove(&r);
    }
    crate::trace("page tree built");
    finish(&mut lo, doc, &page_ids)?;
    crate::trace("links, outline, structure tree built");
    compress_streams(&mut lo);
    crate::trace("streams compressed");
    lo.save_to(&mut std::io::BufWriter::with_capacity(1 << 16, out))
        .map_err(|e| format!("writing the PDF failed: {e}"))?;
    crate::trace("pdf serialised");
    Ok(())
}

/// The images this edition prints (an image only mentioned, say in a sentence, is not
/// embedded).
fn printed_images(doc: &Document) -> Result<Vec<Option<Arc<Prepared>>>, String> {
    let mut printed = vec![false; doc.images.len()];
    for page in doc.pages.iter() {
        for d in &page.draws {
            if let Draw::Image { index, .. } = d {
                if let Some(p) = printed.get_mut(*index) {
                    *p = true;
                }
            }
        }
    }
    doc.images
        .iter()
        .zip(doc.prepared)
        .zip(printed)
        .map(|((img, prepared), printed)| {
            if !printed {
                return Ok(None);
            }
            prepared
                .clone()
                .map(Some)
                .map_err(|e| format!("image {} cannot be used: {e}", img.path.display()))
        })
        .collect()
}

/// Copies a vector drawing (a small PDF whose catalog's `/Form` is the drawing) into the
/// document, renumbering its objects; returns the form's new id.
fn import_form(lo: &mut lopdf::Document, pdf: &[u8]) -> Result<ObjectId, String> {
    let small = lopdf::Document::load_mem(pdf).map_err(|e| e.to_string())?;
    let catalog = small
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| e.to_string())?;
    let form = small
        .get_dictionary(catalog)
        .and_then(|c| c.get(b"Form"))
        .and_then(Object::as_reference)
        .map_err(|e| e.to_string())?;
    let offset = lo.max_id;
    let map: HashMap<ObjectId, ObjectId> = small
        .objects
        .keys()
        .filter(|id| **id != catalog)
        .map(|id| (*id, (offset + id.0, 0)))
        .collect();
    fn renumber(o: &mut Object, map: &HashMap<ObjectId, ObjectId>) {
        match o {
            Object::Reference(r) => {
                if let Some(n) = map.get(r) {
                    *r = *n;
                }
            }
            Object::Array(a) => a.iter_mut().for_each(|o| renumber(o, map)),
            Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| renumber(o, map)),
            Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| renumber(o, map)),
            _ => {}
        }
    }
    for (id, mut obj) in small.objects {
        if let Some(new) = map.get(&id) {
            renumber(&mut obj, &map);
            lo.objects.insert(*new, obj);
        }
    }
    lo.max_id = offset + small.max_id;
    map.get(&form)
        .copied()
        .ok_or_else(|| "the converted drawing has no form".to_string())
}

fn add_image(lo: &mut lopdf::Document, p: &Prepared) -> ObjectId {
    let image = |color_space: &str, colors: i64, filter: &str| {
        let mut dict = Dictionary::new();
        dict.set("Type", "XObject");
        dict.set("Subtype", "Image");
        dict.set("Width", p.width as i64);
        dict.set("Height", p.height as i64);
        dict.set("ColorSpace", Object::Name(color_space.as_bytes().to_vec()));
        dict.set("BitsPerComponent", 8);
        dict.set("Filter", Object::Name(filter.as_bytes().to_vec()));
        if p.predicted {
            let mut parms = Dictionary::new();
            parms.set("Predictor", 15);
            parms.set("Colors", colors);
            parms.set("BitsPerComponent", 8);
            parms.set("Columns", p.width as i64);
            dict.set("DecodeParms", parms);
        }
        dict
    };
    let colors = if p.color_space == "DeviceRGB" { 3 } else { 1 };
    let mut dict = image(p.color_space, colors, p.filter);
    if let Some(alpha) = &p.alpha {
        let m = image("DeviceGray", 1, "FlateDecode");
        let mask = lo.add_object(lopdf::Stream::new(m, alpha.clone()).with_compression(false));
        dict.set("SMask", Object::Reference(mask));
    }
    lo.add_object(lopdf::Stream::new(dict, p.data.clone()).with_compression(false))
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::new(2),
    );
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Deflates every stream not compressed yet (fonts, maps), at a fast level, in parallel.
fn compress_streams(lo: &mut lopdf::Document) {
    let mut streams: Vec<&mut lopdf::Stream> = lo
        .objects
        .values_mut()
        .filter_map(|obj| match obj {
            Object::Stream(stream) => Some(stream),
            _ => None,
        })
        .filter(|stream| {
            let metadata = stream.dict.get(b"Type").and_then(Object::as_name).ok()
                == Some(b"Metadata".as_slice());
            !(stream.dict.has(b"Filter") || stream.content.len() < 64 || metadata)
        })
        .collect();
    streams.par_iter_mut().for_each(|stream| {
        let compressed = deflate(&stream.content);
        if compressed.len() < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    });
}

/// Sets the fill and stroke of a shape (inside a saved graphics state) and returns the
/// operator that paints it.
fn paint(c: &mut Content, fill: Option<f32>, stroke: Option<(f32, f32)>) -> &'static str {
    if let Some(f) = fill {
        c.fill_gray(f);
    }
    if let Some((g, width)) = stroke {
        c.stroke_gray(g).line_width(width);
    }
    match (fill, stroke) {
        (Some(_), Some(_)) => "B",
        (None, Some(_)) => "S",
        _ => "f",
    }
}

/// A stretch of a page's drawing under one structure element (or none: an artifact), with
/// the marked-content ids of its shapes and of its text (they are written in two passes).
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// The structure element (None: an artifact).
    pub node: Option<NodeRef>,
    /// An artifact of page furniture (running head, page number, band).
    pub pagination: bool,
    pub shapes: Option<u32>,
    pub text: Option<u32>,
}

/// The page's spans, and the span of each draw. Marked-content ids are numbered in the
/// order they are written: the shapes of every span, then the text.
pub fn page_spans(page: &Page) -> (Vec<Span>, Vec<u32>) {
    let mut spans = vec![Span {
        node: None,
        pagination: false,
        shapes: None,
        text: None,
    }];
    let mut keys: Vec<Option<NodeRef>> = vec![None];
    let mut of = Vec::with_capacity(page.draws.len());
    let (mut has_shapes, mut has_text) = (vec![false], vec![false]);
    // A tag takes effect at the next drawing: the tags between two lines of one paragraph
    // (an artifact tag, then the paragraph's again) do not split its marked content.
    let mut pending: Option<Option<NodeRef>> = None;
    for d in &page.draws {
        if let Draw::Tag(n) = d {
            pending = Some(*n);
        } else if let Some(n) = pending.take() {
            if keys.last() != Some(&n) {
                keys.push(n);
                let pagination = n == Some(PAGINATION);
                spans.push(Span {
                    node: n.filter(|_| !pagination),
                    pagination,
                    shapes: None,
                    text: None,
                });
                has_shapes.push(false);
                has_text.push(false);
            }
        }
        let i = spans.len() - 1;
        match d {
            Draw::Text(_) => has_text[i] = true,
            Draw::Rect { .. } | Draw::Line { .. } | Draw::Path { .. } | Draw::Image { .. } => {
                has_shapes[i] = true
            }
            Draw::Link { .. } | Draw::Tag(_) => {}
        }
        of.push(i as u32);
    }
    let mut next = 0;
    for (i, span) in spans.iter_mut().enumerate() {
        if span.node.is_some() && has_shapes[i] {
            span.shapes = Some(next);
            next += 1;
        }
    }
    for (i, span) in spans.iter_mut().enumerate() {
        if span.node.is_some() && has_text[i] {
            span.text = Some(next);
            next += 1;
        }
    }
    (spans, of)
}

/// Opens and closes marked content as the drawing moves from span to span.
struct Marker<'a> {
    open: Option<u32>,
    spans: &'a [Span],
    role: &'a dyn Fn(NodeRef) -> &'static str,
    text_pass: bool,
}

impl Marker<'_> {
    fn enter(&mut self, c: &mut Content, span: u32) {
        if self.open == Some(span) {
            return;
        }
        if self.open.is_some() {
            c.end_marked();
        }
        let s = &self.spans[span as usize];
        let mcid = if self.text_pass { s.text } else { s.shapes };
        match (s.node, mcid) {
            (Some(n), Some(id)) => c.begin_tagged((self.role)(n), id as usize),
            _ if s.pagination => c.begin_artifact(Some("Pagination")),
            _ => c.begin_artifact(None),
        };
        self.open = Some(span);
    }

    fn close(&mut self, c: &mut Content) {
        if self.open.take().is_some() {
            c.end_marked();
        }
    }
}

/// One page's content stream: shapes and images first (so text is drawn over box fills),
/// then the text, each piece inside the marked content of its structure element or marked
/// as an artifact. `h` is the page height: layout measures y down from the top, PDF up from
/// the bottom.
fn page_content(
    page: &Page,
    h: f32,
    fonts: &[Option<&Embedded>],
    images: &[Option<Arc<Prepared>>],
    role: &dyn Fn(NodeRef) -> &'static str,
) -> Vec<u8> {
    let (spans, span_of) = page_spans(page);
    let mut c = Content::with_capacity(page.draws.len() * 64);
    let mut marker = Marker {
        open: None,
        spans: &spans,
        role,
        text_pass: false,
    };
    let mut i = 0;
    while i < page.draws.len() {
        let d = &page.draws[i];
        let span = span_of[i];
        i += 1;
        if matches!(d, Draw::Text(_) | Draw::Link { .. } | Draw::Tag(_)) {
            continue;
        }
        marker.enter(&mut c, span);
        // Runs of plain filled rectangles of one grey (QR modules, shading) share one fill.
        if let Draw::Rect {
            fill: Some(f),
            stroke: None,
            ..
        } = d
        {
            let mut j = i;
            while j < page.draws.len()
                && span_of[j] == span
                && matches!(page.draws[j], Draw::Rect { fill: Some(g), stroke: None, .. } if g == *f)
            {
                j += 1;
            }
            if j > i {
                c.save().fill_gray(*f);
                for r in &page.draws[i - 1..j] {
                    if let Draw::Rect { x, y, w, h: rh, .. } = r {
                        c.rect(*x, h - y - rh, *w, *rh);
                    }
                }
                c.op("f").restore();
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
                c.save();
                let op = paint(&mut c, *fill, *stroke);
                c.rect(*x, h - y - rh, *w, *rh).op(op).restore();
            }
            Draw::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                gray,
            } => {
                c.save().stroke_gray(*gray).line_width(*width);
                c.move_to(*x1, h - y1)
                    .line_to(*x2, h - y2)
                    .op("S")
                    .restore();
            }
            Draw::Path {
                points,
                fill,
                stroke,
            } => {
                let Some(((x0, y0), rest)) = points.split_first() else {
                    continue;
                };
                c.save();
                let op = paint(&mut c, *fill, *stroke);
                c.move_to(*x0, h - y0);
                for (x, y) in rest {
                    c.line_to(*x, h - y);
                }
                c.op("h").op(op).restore();
            }
            Draw::Image {
                index,
                x,
                y,
                w,
                h: ih,
            } => {
                if images.get(*index).is_some_and(Option::is_some) {
                    c.image(&format!("Im{index}"), *x, h - y - ih, *w, *ih);
                }
            }
            Draw::Text(_) | Draw::Link { .. } | Draw::Tag(_) => {}
        }
    }
    marker.close(&mut c);
    marker.text_pass = true;
    c.op("BT");
    let mut cur_font: Option<(usize, f32)> = None;
    let mut cur_gray = -1.0f32;
    let mut items: Vec<TjItem> = Vec::new();
    for (d, &span) in page.draws.iter().zip(&span_of) {
        let Draw::Text(run) = d else { continue };
        let Some(font) = fonts.get(run.face).copied().flatten() else {
            continue;
        };
        marker.enter(&mut c, span);
        if cur_font != Some((run.face, run.size)) {
            c.name(&format!("F{}", run.face)).num(run.size).op("Tf");
            cur_font = Some((run.face, run.size));
        }
        if cur_gray != run.gray {
            c.fill_gray(run.gray);
            cur_gray = run.gray;
        }
        items.clear();
        // PDF advances each glyph by its /W width; a kern makes up the difference to our
        // shaped, justified advance. The rounding error is carried from glyph to glyph and a
        // kern written only once it reaches half a unit, so most glyphs need none.
        let mut carry = 0.0f32;
        for g in &run.glyphs {
            let w = font.widths.get(g.gid as usize).copied().unwrap_or(0) as f32;
            items.push(TjItem::Glyph(font.code(g.gid, g.text)));
            carry += w - g.advance * 1000.0 / run.size;
            if carry.abs() >= 0.5 {
                let k = carry.round();
                carry -= k;
                items.push(TjItem::Kern(k as i64));
            }
        }
        c.num(1.0)
            .num(0.0)
            .num(0.0)
            .num(1.0)
            .num(run.x)
            .num(h - run.y)
            .op("Tm");
        c.show(&items);
    }
    marker.close(&mut c);
    c.op("ET");
    c.buf
}

/// The sRGB profile of the PDF/A output intent (zlib licence: sRGB-LICENSE.txt).
const SRGB_ICC: &[u8] = include_bytes!("sRGB.icc");

/// The XMP packet: title, authors, subject, language, dates, tools, and the standards the
/// file conforms to. With PDF/A, the PDF/UA identification schema is declared as an extension
/// (PDF/A-2 knows only its own schemas).
fn xmp(meta: &BookMeta) -> String {
    let d = meta.date;
    let date = format!("{:04}-{:02}-{:02}T00:00:00Z", d.year, d.month, d.day);
    let author = if !meta.authors.is_empty() {
        Some(meta.authors.join(", "))
    } else {
        meta.publisher.clone()
    };
    let mut x = String::new();
    x.push_str("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    x.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    if meta.pdf_a {
        x.push_str(concat!(
            "<rdf:Description rdf:about=\"\" xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" ",
            "xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n",
            "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n",
            "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n",
            "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n",
            "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n",
            "<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n",
            "<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n",
            "<pdfaProperty:category>internal</pdfaProperty:category>\n",
            "<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\n",
            "</rdf:li></rdf:Seq></pdfaSchema:property>\n",
            "</rdf:li></rdf:Bag></pdfaExtension:schemas>\n</rdf:Description>\n",
        ));
    }
    x.push_str(concat!(
        "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ",
        "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" ",
        "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n",
    ));
    x.push_str(&format!(
        "<dc:format>application/pdf</dc:format>\n<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
        escape(&meta.title)
    ));
    if let Some(a) = author {
        x.push_str(&format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
            escape(&a)
        ));
    }
    if let Some(sub) = &meta.subtitle {
        x.push_str(&format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            escape(sub)
        ));
    }
    x.push_str(&format!(
        "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>\n",
        escape(&meta.language)
    ));
    x.push_str(&format!(
        "<xmp:CreateDate>{date}</xmp:CreateDate>\n<xmp:ModifyDate>{date}</xmp:ModifyDate>\n<xmp:MetadataDate>{date}</xmp:MetadataDate>\n"
    ));
    x.push_str("<xmp:CreatorTool>handout</xmp:CreatorTool>\n<pdf:Producer>handout (printpdf, lopdf)</pdf:Producer>\n");
    x.push_str("<pdfuaid:part>1</pdfuaid:part>\n");
    if meta.pdf_a {
        x.push_str("<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n");
    }
    x.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
    x
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

fn finish(lo: &mut lopdf::Document, doc: &Document, page_ids: &[ObjectId]) -> Result<(), String> {
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

    // Link annotations; each Link draw's annotation, by page, for the structure tree.
    let titles: HashMap<&str, &str> = doc
        .pages
        .iter()
        .flat_map(|p| p.outline.iter())
        .map(|(m, _)| (m.dest.as_str(), m.title.as_str()))
        .collect();
    let mut link_annots: Vec<Vec<Option<ObjectId>>> = Vec::with_capacity(doc.pages.len());
    for (i, page) in doc.pages.iter().enumerate() {
        let mut annots = Vec::new();
        let mut on_page = Vec::new();
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
            // Printed (PDF/A), and described for assistive technology (PDF/UA).
            a.set("F", 4);
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
                    Some(&(p, y)) => {
                        a.set("Dest", dest_array(p, y));
                        let what = match titles.get(key.as_str()) {
                            Some(t) => format!("Go to {t}"),
                            None if key.contains("#fn-") => format!(
                                "Go to footnote {}",
                                key.rsplit("#fn-").next().unwrap_or("")
                            ),
                            None => "Go to the place referred to".to_string(),
                        };
                        a.set("Contents", text_string(&what));
                    }
                    None => {
                        on_page.push(None);
                        continue;
                    }
                },
            }
            let id = lo.add_object(a);
            on_page.push(Some(id));
            annots.push(Object::Reference(id));
        }
        link_annots.push(on_page);
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
    if let Ok(Object::Reference(old)) = lo.trailer.get(b"Info") {
        let old = *old;
        lo.objects.remove(&old);
    }
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
    // XMP metadata: the same facts as the information dictionary, and the standards the
    // file claims (PDF/UA-1 always; PDF/A-2b when book.yaml asks for it). Left uncompressed,
    // as PDF/A requires.
    let mut xmp_dict = Dictionary::new();
    xmp_dict.set("Type", "Metadata");
    xmp_dict.set("Subtype", "XML");
    let xmp_id =
        lo.add_object(lopdf::Stream::new(xmp_dict, xmp(meta).into_bytes()).with_compression(false));
    let mut intents = None;
    if meta.pdf_a {
        let mut icc = Dictionary::new();
        icc.set("N", 3);
        let icc_id = lo.add_object(lopdf::Stream::new(icc, SRGB_ICC.to_vec()));
        let mut oi = Dictionary::new();
        oi.set("Type", "OutputIntent");
        oi.set("S", "GTS_PDFA1");
        oi.set(
            "OutputConditionIdentifier",
            text_string("sRGB IEC61966-2.1"),
        );
        oi.set("Info", text_string("sRGB IEC61966-2.1"));
        oi.set("DestOutputProfile", Object::Reference(icc_id));
        intents = Some(vec![Object::Dictionary(oi)]);
    }
    if let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root_id) {
        cat.set("Metadata", Object::Reference(xmp_id));
        if let Some(i) = intents {
            cat.set("OutputIntents", i);
        }
    }

    crate::trace("links and outline built");
    structure(lo, doc, page_ids, &link_annots, root_id);
    Ok(())
}

/// The structure tree: every structure element in reading order, each with its marked
/// content (page and id) and link annotations; the parent tree that leads back from content
/// to element; and the catalog entries that declare the file tagged.
fn structure(
    lo: &mut lopdf::Document,
    doc: &Document,
    page_ids: &[ObjectId],
    link_annots: &[Vec<Option<ObjectId>>],
    root_id: ObjectId,
) {
    let mut tree = StructBuilder {
        document: lo.new_object_id(),
        doc_kids: Vec::new(),
        elems: HashMap::new(),
        order: Vec::new(),
    };
    // The parent tree's keys ascend: pages (0..), then annotations (after the last page).
    let mut parent_tree: Vec<Object> = Vec::with_capacity(doc.pages.len() * 2);
    let mut annot_parents: Vec<Object> = Vec::new();
    let mut next_key = doc.pages.len() as i64;
    for (pi, page) in doc.pages.iter().enumerate() {
        let (spans, span_of) = page_spans(page);
        let mut by_mcid: Vec<(u32, ObjectId)> = Vec::new();
        let mut seen = vec![false; spans.len()];
        let mut annots = link_annots.get(pi).map(|v| v.iter()).into_iter().flatten();
        for (d, &si) in page.draws.iter().zip(&span_of) {
            let span = spans[si as usize];
            let Some(node) = span.node else {
                if matches!(d, Draw::Link { .. }) {
                    annots.next();
                }
                continue;
            };
            if !seen[si as usize] && !matches!(d, Draw::Tag(_) | Draw::Link { .. }) {
                seen[si as usize] = true;
                let id = tree.attach(node, doc, lo);
                for mcid in [span.shapes, span.text].into_iter().flatten() {
                    if let Some(e) = tree.elems.get_mut(&node) {
                        let pg = *e.pg.get_or_insert(page_ids[pi]);
                        if pg == page_ids[pi] {
                            e.kids.push(Object::Integer(mcid as i64));
                        } else {
                            let mut mcr = Dictionary::new();
                            mcr.set("Type", "MCR");
                            mcr.set("Pg", Object::Reference(page_ids[pi]));
                            mcr.set("MCID", mcid as i64);
                            e.kids.push(Object::Dictionary(mcr));
                        }
                    }
                    by_mcid.push((mcid, id));
                }
            }
            if matches!(d, Draw::Link { .. }) {
                let Some(Some(annot)) = annots.next() else {
                    continue;
                };
                let id = tree.attach(node, doc, lo);
                let mut objr = Dictionary::new();
                objr.set("Type", "OBJR");
                objr.set("Pg", Object::Reference(page_ids[pi]));
                objr.set("Obj", Object::Reference(*annot));
                if let Some(e) = tree.elems.get_mut(&node) {
                    e.kids.push(Object::Dictionary(objr));
                }
                if let Ok(Object::Dictionary(a)) = lo.get_object_mut(*annot) {
                    a.set("StructParent", next_key);
                }
                annot_parents.push(Object::Integer(next_key));
                annot_parents.push(Object::Reference(id));
                next_key += 1;
            }
        }
        by_mcid.sort_by_key(|(m, _)| *m);
        if let Ok(Object::Dictionary(pd)) = lo.get_object_mut(page_ids[pi]) {
            pd.set("StructParents", pi as i64);
            // Tab order follows the structure (PDF/UA).
            pd.set("Tabs", "S");
        }
        parent_tree.push(Object::Integer(pi as i64));
        parent_tree.push(Object::Array(
            by_mcid
                .into_iter()
                .map(|(_, id)| Object::Reference(id))
                .collect(),
        ));
    }
    parent_tree.append(&mut annot_parents);
    let nums = parent_tree;
    let StructBuilder {
        document,
        doc_kids,
        mut elems,
        order,
    } = tree;
    for n in order {
        let Some(e) = elems.remove(&n) else { continue };
        let Some(node) = doc
            .trees
            .get(&n.tree)
            .and_then(|t| t.nodes.get(n.node as usize))
        else {
            continue;
        };
        let mut d = Dictionary::new();
        d.set("Type", "StructElem");
        d.set("S", Object::Name(node.role.name().as_bytes().to_vec()));
        d.set("P", Object::Reference(e.parent));
        if let Some(pg) = e.pg {
            d.set("Pg", Object::Reference(pg));
        }
        d.set("K", e.kids);
        if let Some(alt) = &node.alt {
            d.set("Alt", text_string(alt));
        }
        if let Some(lang) = &node.lang {
            d.set("Lang", text_string(lang));
        }
        if node.role == Role::Note {
            // Notes are identified (PDF/UA).
            d.set(
                "ID",
                Object::String(
                    format!("note-{}-{}", n.tree, n.node).into_bytes(),
                    StringFormat::Literal,
                ),
            );
        }
        if let Some(scope) = node.scope {
            let mut a = Dictionary::new();
            a.set("O", "Table");
            a.set("Scope", Object::Name(scope.as_bytes().to_vec()));
            d.set("A", a);
        }
        lo.objects.insert(e.id, Object::Dictionary(d));
    }
    let root = lo.new_object_id();
    let mut document_elem = Dictionary::new();
    document_elem.set("Type", "StructElem");
    document_elem.set("S", "Document");
    document_elem.set("P", Object::Reference(root));
    document_elem.set("K", doc_kids);
    lo.objects
        .insert(document, Object::Dictionary(document_elem));
    let mut ptree = Dictionary::new();
    ptree.set("Nums", nums);
    let ptree = lo.add_object(ptree);
    let mut tree_root = Dictionary::new();
    tree_root.set("Type", "StructTreeRoot");
    tree_root.set("K", vec![Object::Reference(document)]);
    tree_root.set("ParentTree", Object::Reference(ptree));
    tree_root.set("ParentTreeNextKey", next_key);
    lo.objects.insert(root, Object::Dictionary(tree_root));
    if let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root_id) {
        cat.set("StructTreeRoot", Object::Reference(root));
        let mut mark = Dictionary::new();
        mark.set("Marked", true);
        cat.set("MarkInfo", mark);
    }
}

/// A structure element being built: its object id, its parent's, its kids in order.
struct StructElem {
    id: ObjectId,
    parent: ObjectId,
    kids: Vec<Object>,
    /// The page of its first marked content: content there is listed by bare MCID.
    pg: Option<ObjectId>,
}

/// The structure elements attached so far, in the order their content first appears (which
/// is reading order), under the Document element.
struct StructBuilder {
    document: ObjectId,
    doc_kids: Vec<Object>,
    elems: HashMap<NodeRef, StructElem>,
    order: Vec<NodeRef>,
}

impl StructBuilder {
    /// The element of `n`, attached (with its ancestors) on first use.
    fn attach(&mut self, n: NodeRef, doc: &Document, lo: &mut lopdf::Document) -> ObjectId {
        if let Some(e) = self.elems.get(&n) {
            return e.id;
        }
        let tree = doc.trees.get(&n.tree);
        let parent = tree
            .and_then(|t| t.nodes.get(n.node as usize))
            .and_then(|node| node.parent)
            .map(|p| NodeRef {
                tree: n.tree,
                node: p,
            });
        // The parent first; attaching it may attach this node too (a row attaches its cells).
        let parent_id = match parent {
            Some(p) => self.attach(p, doc, lo),
            None => self.document,
        };
        if let Some(e) = self.elems.get(&n) {
            return e.id;
        }
        let id = lo.new_object_id();
        match parent.and_then(|p| self.elems.get_mut(&p)) {
            Some(pe) => pe.kids.push(Object::Reference(id)),
            None => self.doc_kids.push(Object::Reference(id)),
        }
        self.elems.insert(
            n,
            StructElem {
                id,
                parent: parent_id,
                kids: Vec::new(),
                pg: None,
            },
        );
        self.order.push(n);
        // A table row holds all its cells, empty ones too, so every row spans the grid.
        if let Some(t) = tree {
            if t.nodes.get(n.node as usize).map(|x| x.role) == Some(Role::TR) {
                let cells: Vec<u32> = (0..t.nodes.len() as u32)
                    .filter(|&c| t.nodes[c as usize].parent == Some(n.node))
                    .collect();
                for c in cells {
                    self.attach(
                        NodeRef {
                            tree: n.tree,
                            node: c,
                        },
                        doc,
                        lo,
                    );
                }
            }
        }
        id
    }
}
