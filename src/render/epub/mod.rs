//! The EPUB 3 renderer: model → XHTML files (shared with the web edition, `render::xhtml`),
//! packaged by epub-builder, then re-packed so the output is byte-for-byte reproducible and
//! carries what epub-builder has no API for.

use super::xhtml;
use super::xml::escape;
use super::{Input, Needs, Output, RenderError, Rendered, Renderer, WriteSeek};
use crate::fonts::{Family, FontFile, FontSet};
use crate::locale::{Locale, Text};
use crate::model::*;
use crate::paged::Edition;
use epub_builder::{EpubBuilder, EpubContent, EpubVersion, ReferenceType, TocElement, ZipLibrary};
use std::collections::HashSet;
use std::io::{Cursor, Read, Write};

const STYLESHEET: &str = include_str!("stylesheet.css");

/// The book as an EPUB, with a page list of the book PDF's printed pages.
pub struct EpubRenderer {
    fonts: Vec<FontFile>,
}

impl EpubRenderer {
    pub fn new(fonts: &FontSet) -> EpubRenderer {
        EpubRenderer {
            fonts: fonts.files.clone(),
        }
    }
}

impl Renderer for EpubRenderer {
    fn name(&self) -> &'static str {
        "epub"
    }

    fn outputs(&self, book: &Book) -> Vec<Output> {
        vec![Output {
            path: format!("{}.epub", book.meta.slug).into(),
            needs: Needs::PageMap(Edition::BOOK),
        }]
    }

    fn render(
        &self,
        book: &Book,
        input: Input,
        out: &mut dyn WriteSeek,
    ) -> Result<Rendered, RenderError> {
        let pages = match input {
            Input::PageMap(p) => p,
            _ => &[],
        };
        write(book, &self.fonts, pages, out).map_err(RenderError::Write)?;
        Ok(Rendered::default())
    }
}

/// `print_pages`: where each printed page of the book PDF starts, for the page list.
/// The EPUB is written to `out` (a zip needs to seek back to fill in entry headers).
pub fn write<W: std::io::Write + std::io::Seek>(
    book: &Book,
    fonts: &[FontFile],
    print_pages: &[PageStart],
    out: W,
) -> Result<(), String> {
    crate::trace("epub started");
    let err = |e: epub_builder::Error| format!("EPUB packaging failed: {e}");
    let meta = &book.meta;
    let locale = Locale::of(&meta.language);
    let mut b = EpubBuilder::new(ZipLibrary::new().map_err(err)?).map_err(err)?;
    b.epub_version(EpubVersion::V33);
    b.set_title(clean(&meta.title));
    b.add_language(clean(&meta.language));
    for a in &meta.authors {
        b.add_author(clean(a));
    }
    if let Some(d) = description(book) {
        b.add_description(clean(&d));
    }
    b.set_generator("handout");
    b.set_toc_name(locale.text(Text::Contents));
    b.stylesheet(STYLESHEET.as_bytes()).map_err(err)?;

    // Fonts and images are added to the package by `repack`, stored as they are: given to
    // epub-builder they would be deflated, inflated and deflated again for almost no gain
    // (most of an EPUB's bytes, and most of its build time).
    let mut binaries: Vec<Binary> = Vec::new();
    // Only the faces the stylesheet names are embedded: the text face and upright mono.
    for f in fonts {
        if f.key.family == Family::Serif || (f.key.family == Family::Mono && !f.key.bold) {
            binaries.push(Binary {
                name: format!("fonts/{}", f.file_name),
                data: f.data,
                media_type: "font/ttf",
            });
        }
    }

    let (names, images) = image_files(book);
    // A site's logo, for the title page.
    let logo = meta.site.as_ref().and_then(|s| match &s.logo {
        Some(crate::model::ImageSource::Local { data, format, .. }) => Some((
            format!(
                "images/{}-site-logo.{}",
                file_slug(&s.id),
                format.extension()
            ),
            data.as_slice(),
            format.media_type(),
        )),
        _ => None,
    });
    if let Some((name, data, media_type)) = &logo {
        binaries.push(Binary {
            name: name.clone(),
            data,
            media_type,
        });
    }
    let title_page = xhtml::title_page(meta, logo.as_ref().map(|l| l.0.as_str()));
    b.add_content(
        EpubContent::new("title.xhtml", title_page.as_bytes())
            .title(clean(&meta.title))
            .reftype(ReferenceType::TitlePage),
    )
    .map_err(err)?;
    use rayon::prelude::*;
    let pages: Vec<String> = (0..book.articles.len())
        .into_par_iter()
        .map(|i| {
            let here: Vec<(usize, String)> = print_pages
                .iter()
                .filter(|p| p.article == i)
                .map(|p| (p.block, p.label.clone()))
                .collect();
            xhtml::article(book, i, &names, &here)
        })
        .collect();
    for (i, article) in book.articles.iter().enumerate() {
        for (p, part) in book.parts.iter().enumerate().filter(|(_, p)| p.first == i) {
            let page = xhtml::part_page(meta, p, &part.title);
            b.add_content(
                EpubContent::new(xhtml::part_file_name(p), page.as_bytes())
                    .title(clean(&part.title))
                    .level(1),
            )
            .map_err(err)?;
        }
        let level = 1 + i32::from(article.depth) + i32::from(book.in_part(i));
        let file = xhtml::file_name(article);
        let mut content = EpubContent::new(file.clone(), pages[i].as_bytes())
            .title(clean(&article.title_text()))
            .level(level);
        if i == 0 {
            content = content.reftype(ReferenceType::Text);
        }
        for child in toc_children(article, &file) {
            content = content.child(child);
        }
        b.add_content(content).map_err(err)?;
    }

    let mut raw = Vec::new();
    b.generate(&mut raw).map_err(err)?;
    for (name, img) in &images {
        binaries.push(Binary {
            name: name.clone(),
            data: img.data.as_slice(),
            media_type: img.format.media_type(),
        });
    }
    // The page list: each printed page, in order, by its marker.
    let mut page_list = String::new();
    for p in print_pages {
        if let Some(a) = book.articles.get(p.article) {
            page_list.push_str(&format!(
                "<li><a href=\"{}#page-{}\">{}</a></li>\n",
                escape(&xhtml::file_name(a)),
                escape(&p.label),
                escape(&p.label)
            ));
        }
    }
    repack(&raw, book, &binaries, &page_list, out)
}

/// Where each local image goes in the package (`images/<stem>.<ext>`, numbered when two
/// stems meet), in the order the book first shows them.
fn image_files(book: &Book) -> (xhtml::ImageNames, Vec<(String, &LocalImage)>) {
    let catalogue = book.images();
    let mut names = xhtml::ImageNames::new();
    let mut used = HashSet::new();
    let mut files = Vec::new();
    for &i in &catalogue.book_order {
        let img = &catalogue.images[i];
        let stem = file_slug(&img.path.with_extension("").to_string_lossy());
        let ext = img.format.extension();
        let mut name = format!("images/{stem}.{ext}");
        let mut n = 1;
        while !used.insert(name.clone()) {
            n += 1;
            name = format!("images/{stem}-{n}.{ext}");
        }
        names.insert(img.path.clone(), name.clone());
        files.push((name, img));
    }
    (names, files)
}

/// A file added to the package as it is (fonts, images).
struct Binary<'a> {
    /// Relative to the package document.
    name: String,
    data: &'a [u8],
    media_type: &'static str,
}

/// The book's description: as given, or the first article summaries.
fn description(book: &Book) -> Option<String> {
    book.meta.description.clone().or_else(|| {
        let s: Vec<&str> = book
            .articles
            .iter()
            .filter_map(|a| a.summary.as_deref())
            .collect();
        (!s.is_empty()).then(|| s.join(" "))
    })
}

/// Control characters make the OPF unreadable; epub-builder escapes the rest itself.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// The article's headings below its title, nested as every renderer nests them, for the
/// navigation document.
fn toc_children(article: &Article, file: &str) -> Vec<TocElement> {
    let heads: Vec<&Heading> = article
        .headings()
        .into_iter()
        .filter(|h| !h.is_title && !plain_text(&h.content).trim().is_empty())
        .collect();
    let levels: Vec<u8> = heads.iter().map(|h| h.level).collect();
    let parents = outline::parents(&levels);
    fn build(
        heads: &[&Heading],
        parents: &[Option<usize>],
        parent: Option<usize>,
        file: &str,
    ) -> Vec<TocElement> {
        outline::children(parents, parent)
            .into_iter()
            .map(|i| {
                let h = heads[i];
                let el =
                    TocElement::new(format!("{file}#{}", h.id), clean(&plain_text(&h.content)));
                build(heads, parents, Some(i), file)
                    .into_iter()
                    .fold(el, TocElement::child)
            })
            .collect()
    }
    build(&heads, &parents, None, file)
}

/// Rewrites the zip: fixed timestamps (from the book's date), `mimetype` first and stored, and
/// the package metadata epub-builder cannot express (identifier, dates, publisher,
/// accessibility, language on the package and nav).
fn repack<W: std::io::Write + std::io::Seek>(
    raw: &[u8],
    book: &Book,
    binaries: &[Binary],
    page_list: &str,
    out: W,
) -> Result<(), String> {
    let err = |e: zip::result::ZipError| format!("EPUB re-packing failed: {e}");
    let mut archive = zip::ZipArchive::new(Cursor::new(raw)).map_err(err)?;
    let d = book.meta.date;
    let time = zip::DateTime::from_date_and_time(d.year.max(1980), d.month, d.day, 0, 0, 0)
        .unwrap_or_default();
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(time);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(time);
    let mut out = zip::ZipWriter::new(out);
    out.start_file("mimetype", stored).map_err(err)?;
    out.write_all(b"application/epub+zip")
        .map_err(|e| e.to_string())?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(err)?;
        let name = entry.name().to_string();
        if name == "mimetype" {
            continue;
        }
        let opf = name.ends_with("content.opf");
        if !opf && !name.ends_with("nav.xhtml") {
            // Already deflated by epub-builder: copied without a second round.
            out.raw_copy_file_touch(entry, time, None).map_err(err)?;
            continue;
        }
        let mut data = String::with_capacity(entry.size() as usize);
        entry.read_to_string(&mut data).map_err(|e| e.to_string())?;
        let data = if opf {
            fix_opf(&data, book, binaries, !page_list.is_empty())
        } else {
            let nav = fix_nav(&data, &book.meta.language);
            if page_list.is_empty() {
                nav
            } else {
                nav.replacen(
                    "</body>",
                    &format!(
                        "<nav epub:type=\"page-list\" role=\"doc-pagelist\" aria-label=\"{}\" hidden=\"hidden\">\n<ol>\n{page_list}</ol>\n</nav>\n</body>",
                        escape(Locale::of(&book.meta.language).text(Text::EpubPageList))
                    ),
                    1,
                )
            }
        };
        out.start_file(name, deflated).map_err(err)?;
        out.write_all(data.as_bytes()).map_err(|e| e.to_string())?;
    }
    // Fonts and images are already compressed or barely compressible; stored.
    for b in binaries {
        out.start_file(format!("OEBPS/{}", b.name), stored)
            .map_err(err)?;
        out.write_all(b.data).map_err(|e| e.to_string())?;
    }
    out.finish()
        .map_err(err)?
        .flush()
        .map_err(|e| format!("writing the EPUB failed: {e}"))
}

fn fix_opf(opf: &str, book: &Book, binaries: &[Binary], print_pages: bool) -> String {
    let meta = &book.meta;
    let mut items = String::new();
    for (i, b) in binaries.iter().enumerate() {
        items.push_str(&format!(
            "    <item media-type=\"{}\" id=\"res-{i}\" href=\"{}\"/>\n",
            b.media_type,
            escape(&b.name)
        ));
    }
    let mut opf = opf.replacen("  </manifest>", &format!("{items}  </manifest>"), 1);
    if Locale::of(&meta.language).is_rtl() {
        // A book in a right-to-left language turns its pages from right to left.
        opf = opf.replacen(
            "page-progression-direction=\"ltr\"",
            "page-progression-direction=\"rtl\"",
            1,
        );
    }
    let opf = opf.as_str();
    let lang = escape(&meta.language);
    let mut s = opf.replacen(
        "<package version=\"3.0\"",
        &format!("<package version=\"3.0\" xml:lang=\"{lang}\""),
        1,
    );
    // epub-builder 0.8.3 gives dc:language the same id as the first dc:creator.
    s = replace_between(&s, "<dc:language", ">", "");
    s = replace_between(
        &s,
        "<dc:identifier id=\"epub-id-1\">",
        "</dc:identifier>",
        &escape(&meta.identifier),
    );
    s = replace_between(
        &s,
        "<meta property=\"dcterms:modified\">",
        "</meta>",
        &format!("{}T00:00:00Z", meta.date),
    );
    let has_images = !book.images().is_empty();
    let locale = Locale::of(&meta.language);
    let mut extra = String::new();
    extra.push_str(&format!("    <dc:date>{}</dc:date>\n", meta.date));
    if let Some(p) = &meta.publisher {
        extra.push_str(&format!("    <dc:publisher>{}</dc:publisher>\n", escape(p)));
    }
    let mut modes = vec!["textual"];
    if has_images {
        modes.push("visual");
    }
    for m in &modes {
        extra.push_str(&format!(
            "    <meta property=\"schema:accessMode\">{m}</meta>\n"
        ));
    }
    extra.push_str("    <meta property=\"schema:accessModeSufficient\">textual</meta>\n");
    if print_pages {
        // The page numbers are those of the book PDF made in the same build (EPUB
        // Accessibility 1.1 `pageBreakSource`, and dc:source for older reading systems).
        let source = locale.fill(
            Text::EpubPageSource,
            &[
                ("title", &meta.title),
                ("date", &meta.date.to_string()),
                ("file", &format!("{}.pdf", meta.slug)),
            ],
        );
        extra.push_str(&format!(
            "    <dc:source>{0}</dc:source>\n    <meta property=\"pageBreakSource\">{0}</meta>\n",
            escape(&source)
        ));
    }
    let mut features = vec![
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ];
    if has_images {
        features.push("alternativeText");
    }
    if print_pages {
        features.push("pageNavigation");
        features.push("printPageNumbers");
    }
    for f in features {
        extra.push_str(&format!(
            "    <meta property=\"schema:accessibilityFeature\">{f}</meta>\n"
        ));
    }
    extra.push_str("    <meta property=\"schema:accessibilityHazard\">none</meta>\n");
    extra.push_str(&format!(
        "    <meta property=\"schema:accessibilitySummary\">{}</meta>\n",
        super::xml::escape_text(locale.text(Text::EpubAccessibilitySummary))
    ));
    extra.push_str("    <meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>\n");
    extra.push_str(&format!(
        "    <meta property=\"a11y:certifiedBy\">{}</meta>\n",
        escape(meta.publisher.as_deref().unwrap_or("handout"))
    ));
    s.replacen("  </metadata>", &format!("{extra}  </metadata>"), 1)
}

fn fix_nav(nav: &str, lang: &str) -> String {
    let lang = escape(lang);
    nav.replacen(
        "xmlns:epub=\"http://www.idpf.org/2007/ops\">",
        &format!(
            "xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\">"
        ),
        1,
    )
    .replacen(
        "<nav epub:type = \"toc\" id=\"toc\">",
        "<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\" aria-labelledby=\"toc-title\">",
        1,
    )
    .replacen(
        "<nav epub:type = \"landmarks\">",
        &format!(
            "<nav epub:type=\"landmarks\" aria-label=\"{}\" hidden=\"hidden\">",
            escape(Locale::of(&lang).text(Text::EpubLandmarks))
        ),
        1,
    )
}

/// Replaces the text between the first `start` and the next `end` after it.
fn replace_between(s: &str, start: &str, end: &str, with: &str) -> String {
    let Some(a) = s.find(start) else {
        return s.to_string();
    };
    let from = a + start.len();
    let Some(b) = s[from..].find(end) else {
        return s.to_string();
    };
    format!("{}{}{}", &s[..from], with, &s[from + b..])
}
