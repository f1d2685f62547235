//! The PDF renderer: a paged document → PDF bytes. It reads only the paged document (and the
//! font files and images it names); one module per PDF concept. Three PDF libraries meet here,
//! each with one job: printpdf lays down the skeleton (catalog, page tree, page boxes); lopdf
//! holds every object and serialises the file; pdf-writer is used only inside svg2pdf, whose
//! vector drawings lopdf reads back once per image (`xobjects`).

mod content;
pub mod fonts;
pub mod images;
mod labels;
mod links;
mod metadata;
mod names;
mod outline;
pub mod page;
mod structure;
mod xobjects;

use crate::paged::{Draw, Edition, NodeRef, PagedDocument, Scope};
use crate::render::RenderError;
use fonts::{Embedded, GlyphUse};
use images::{ImageCache, Prepared};
use lopdf::{Dictionary, Object, ObjectId};
use printpdf::{Mm, PdfDocument, PdfPage, PdfSaveOptions, Pt};
use rayon::prelude::*;
use std::sync::Arc;
use svg2pdf::usvg::fontdb;

/// What PDF writing keeps between editions: prepared images, and the bundled fonts for the
/// text of SVG drawings.
pub struct PdfWriter {
    images: ImageCache,
    svg_fonts: Arc<fontdb::Database>,
}

impl PdfWriter {
    pub fn new(fonts: &crate::fonts::FontSet) -> PdfWriter {
        let mut db = fontdb::Database::new();
        for f in &fonts.files {
            db.load_font_source(fontdb::Source::Binary(Arc::new(f.data)));
        }
        // Drawings ask for generic families ("Times, serif"): map them to the bundled faces.
        db.set_serif_family("Noto Serif");
        db.set_sans_serif_family("Noto Sans");
        db.set_monospace_family("Noto Sans Mono");
        db.set_cursive_family("Noto Sans");
        db.set_fantasy_family("Noto Sans");
        PdfWriter {
            images: ImageCache::default(),
            svg_fonts: Arc::new(db),
        }
    }

    /// Writes `doc` as a PDF. Its glyphs are dropped once the page contents are written (they
    /// are most of the memory it holds).
    pub fn write(
        &self,
        doc: &mut PagedDocument,
        out: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        // The glyphs each face draws, and the text each stands for; fonts subset and embedded
        // while the printed images are prepared.
        let uses = glyph_uses(doc);
        crate::trace("glyphs counted");
        let (fonts, images) = rayon::join(|| embed_fonts(doc, &uses), || self.printed_images(doc));
        let (fonts, images) = (fonts?, images?);
        crate::trace("fonts embedded");
        let contents = page_contents(doc, &fonts, &images);
        // The rest needs the drawing's order and tags, not its text.
        doc.pages.par_iter_mut().for_each(|p| {
            for d in &mut p.draws {
                if let Draw::Text(r) = d {
                    r.glyphs = Vec::new();
                }
            }
        });
        crate::trace("page contents written");
        let doc: &PagedDocument = doc;
        let (mut lo, page_ids) = skeleton(doc)?;
        let resources = resources(&mut lo, doc, fonts, &images)?;
        set_page_contents(&mut lo, &page_ids, contents, resources);
        crate::trace("page tree built");
        let root_id = lo
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(|e| RenderError::Internal(e.to_string()))?;
        let dests = names::Destinations::of(doc, &page_ids);
        let link_annots = links::add(&mut lo, doc, &page_ids, &dests);
        let outlines = outline::add(&mut lo, doc, &dests);
        let dest_tree = dests.name_tree(&mut lo);
        let labels = labels::add(&mut lo, doc);
        metadata::add_info(&mut lo, &doc.meta);
        let entries = metadata::CatalogEntries {
            outlines,
            dests: dest_tree,
            labels,
        };
        metadata::complete_catalog(&mut lo, root_id, &doc.meta, entries);
        crate::trace("links and outline built");
        structure::add(&mut lo, doc, &page_ids, &link_annots, root_id);
        crate::trace("links, outline, structure tree built");
        compress_streams(&mut lo);
        crate::trace("streams compressed");
        lo.save_to(&mut std::io::BufWriter::with_capacity(1 << 16, out))
            .map_err(|e| RenderError::Write(e.to_string()))?;
        crate::trace("pdf serialised");
        Ok(())
    }

    /// Prepares, in parallel, the images an edition may print (all the book's for the book,
    /// an article's own for its handout), so they are ready when its pages are; failures are
    /// reported when the pages are written.
    pub fn prepare(&self, book: &crate::model::Book, edition: Edition, image_width: f32) {
        let catalogue = book.images();
        let wanted: Vec<usize> = match edition.scope {
            Scope::Book => (0..catalogue.images.len()).collect(),
            Scope::Article(i) => book.articles[i]
                .images()
                .iter()
                .filter_map(|img| match &img.src {
                    crate::model::ImageSource::Local { path, .. } => catalogue.index_of(path),
                    _ => None,
                })
                .collect(),
        };
        let max_width = pixels_across(image_width);
        wanted.par_iter().for_each(|&i| {
            let _ = self
                .images
                .get(&catalogue.images[i], max_width, &self.svg_fonts);
        });
    }

    /// The images this edition prints, made ready (an image only mentioned, say in a sentence,
    /// is not embedded); kept at 300 pixels per inch of the widest they are printed.
    fn printed_images(
        &self,
        doc: &PagedDocument,
    ) -> Result<Vec<Option<Arc<Prepared>>>, RenderError> {
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
        let max_width = pixels_across(doc.image_width);
        doc.images
            .par_iter()
            .zip(printed)
            .map(|(img, printed)| {
                if !printed {
                    return Ok(None);
                }
                self.images
                    .get(img, max_width, &self.svg_fonts)
                    .map(Some)
                    .map_err(|message| RenderError::Input {
                        file: img.path.clone(),
                        message: format!("cannot be used: {message}"),
                    })
            })
            .collect()
    }
}

/// The most pixels across worth keeping for an image printed at most `width` points wide:
/// 300 per inch.
fn pixels_across(width: f32) -> u32 {
    (width / 72.0 * 300.0).ceil() as u32
}

/// The glyphs each face draws, and the text each stands for.
fn glyph_uses(doc: &PagedDocument) -> Vec<GlyphUse> {
    let mut uses: Vec<GlyphUse> = (0..doc.faces.len()).map(|_| GlyphUse::default()).collect();
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
    uses
}

type EmbeddedFonts = Vec<Option<(Embedded, fonts::FontObjects)>>;

/// Each face the document draws with, subset and made into font objects, in parallel.
fn embed_fonts(doc: &PagedDocument, uses: &[GlyphUse]) -> Result<EmbeddedFonts, RenderError> {
    uses.par_iter()
        .enumerate()
        .map(|(i, u)| {
            (!u.is_empty())
                .then(|| fonts::embed(doc.faces[i].data, u))
                .transpose()
                .map_err(|message| RenderError::Font {
                    file_name: doc.faces[i].file_name,
                    message,
                })
        })
        .collect::<Result<_, _>>()
}

/// Each page's content, written and compressed in parallel.
fn page_contents(
    doc: &PagedDocument,
    fonts: &EmbeddedFonts,
    images: &[Option<Arc<Prepared>>],
) -> Vec<Vec<u8>> {
    let role = |n: NodeRef| -> &'static str {
        doc.trees
            .get(&n.tree)
            .and_then(|t| t.nodes.get(n.node as usize))
            .map(|node| node.role.name())
            .unwrap_or("Span")
    };
    let embedded: Vec<Option<&Embedded>> = fonts.iter().map(|f| f.as_ref().map(|f| &f.0)).collect();
    doc.pages
        .par_iter()
        .map(|page| {
            deflate(&page::page_content(
                page, doc.page_h, &embedded, images, &role,
            ))
        })
        .collect()
}

/// The skeleton: catalog and page tree, pages empty (printpdf's one job).
fn skeleton(doc: &PagedDocument) -> Result<(lopdf::Document, Vec<ObjectId>), RenderError> {
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
        return Err(RenderError::Internal(format!(
            "printpdf wrote {} pages, expected {}",
            page_ids.len(),
            doc.pages.len()
        )));
    }
    Ok((lo, page_ids))
}

/// One resource dictionary serves every page: the fonts and the images.
fn resources(
    lo: &mut lopdf::Document,
    doc: &PagedDocument,
    fonts: EmbeddedFonts,
    images: &[Option<Arc<Prepared>>],
) -> Result<ObjectId, RenderError> {
    let mut font_dict = Dictionary::new();
    for (i, f) in fonts.into_iter().enumerate() {
        let Some((_, objs)) = f else { continue };
        font_dict.set(format!("F{i}"), Object::Reference(objs.add_to(lo)));
    }
    let mut xobjects = Dictionary::new();
    for (i, p) in images.iter().enumerate() {
        let Some(p) = p else { continue };
        let id = if p.vector {
            xobjects::import_form(lo, &p.data).map_err(|e| RenderError::Input {
                file: doc.images[i].path.clone(),
                message: format!("cannot be used: {e}"),
            })?
        } else {
            xobjects::add_image(lo, p)
        };
        xobjects.set(format!("Im{i}"), Object::Reference(id));
    }
    let mut resources = Dictionary::new();
    resources.set("Font", font_dict);
    if !xobjects.is_empty() {
        resources.set("XObject", xobjects);
    }
    Ok(lo.add_object(resources))
}

/// Gives every page its content stream and the shared resources. printpdf's empty content
/// streams and resource dictionaries are deleted directly: lopdf's general pruning walks the
/// whole structure tree and cost a third of the writing time on a 400-page book.
fn set_page_contents(
    lo: &mut lopdf::Document,
    page_ids: &[ObjectId],
    contents: Vec<Vec<u8>>,
    resources: ObjectId,
) {
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
}

pub(crate) fn deflate(bytes: &[u8]) -> Vec<u8> {
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
