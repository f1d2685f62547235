//! The EPUB 3 writer: model → XHTML files, packaged by epub-builder, then re-packed so the
//! output is byte-for-byte reproducible and carries what epub-builder has no API for.

pub mod xhtml;

use crate::fonts::{Family, FontSet};
use crate::model::*;
use crate::pdf::PageStart;
use epub_builder::{EpubBuilder, EpubContent, EpubVersion, ReferenceType, TocElement, ZipLibrary};
use std::collections::HashSet;
use std::io::{Cursor, Read, Write};

const STYLESHEET: &str = include_str!("stylesheet.css");

/// `print_pages`: where each printed page of the book PDF starts, for the page list.
/// The EPUB is written to `out` (a zip needs to seek back to fill in entry headers).
pub fn write<W: std::io::Write + std::io::Seek>(
    book: &Book,
    fonts: &FontSet,
    print_pages: &[PageStart],
    out: W,
) -> Result<(), String> {
    crate::trace("epub started");
    let err = |e: epub_builder::Error| format!("EPUB packaging failed: {e}");
    let meta = &book.meta;
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
    b.set_toc_name("Contents");
    b.stylesheet(STYLESHEET.as_bytes()).map_err(err)?;

    // Fonts and images are added to the package by `repack`, stored as they are: given to
    // epub-builder they would be deflated, inflated and deflated again for almost no gain
    // (most of an EPUB's bytes, and most of its build time).
    let mut binaries: Vec<Binary> = Vec::new();
    // Only the faces the stylesheet names are embedded: the text face and upright mono.
    for f in &fonts.files {
        if f.key.family == Family::Serif || (f.key.family == Family::Mono && !f.key.bold) {
            binaries.push(Binary {
                name: format!("fonts/{}", f.file_name),
                data: f.data,
                media_type: "font/ttf",
            });
        }
    }

    let mut names = xhtml::ImageNames::new();
    let mut used = HashSet::new();
    let mut images = Vec::new();
    for (path, data, format) in book.local_images() {
        if names.contains_key(&path) {
            continue;
        }
        let stem = crate::manuscript::file_slug(&path.with_extension("").to_string_lossy());
        let ext = match format {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Svg => "svg",
        };
        let mut name = format!("images/{stem}.{ext}");
        let mut n = 1;
        while !used.insert(name.clone()) {
            n += 1;
            name = format!("images/{stem}-{n}.{ext}");
        }
        names.insert(path, name.clone());
        images.push((name, data, format.media_type()));
    }

    b.add_content(
        EpubContent::new("title.xhtml", xhtml::title_page(meta).as_bytes())
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
        let file = xhtml::file_name(article);
        let mut content =
            EpubContent::new(file.clone(), pages[i].as_bytes()).title(clean(&article.title_text()));
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
    for (name, data, media_type) in &images {
        binaries.push(Binary {
            name: name.clone(),
            data: data.as_slice(),
            media_type,
        });
    }
    // The page list: each printed page, in order, by its marker.
    let mut page_list = String::new();
    for p in print_pages {
        if let Some(a) = book.articles.get(p.article) {
            page_list.push_str(&format!(
                "<li><a href=\"{}#page-{}\">{}</a></li>\n",
                xhtml::escape(&xhtml::file_name(a)),
                xhtml::escape(&p.label),
                xhtml::escape(&p.label)
            ));
        }
    }
    repack(&raw, book, &binaries, &page_list, out)
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

/// The article's headings below its title, nested by level, for the navigation document.
fn toc_children(article: &Article, file: &str) -> Vec<TocElement> {
    let heads: Vec<&Heading> = article
        .headings()
        .into_iter()
        .filter(|h| !h.is_title && !plain_text(&h.content).trim().is_empty())
        .collect();
    fn build(heads: &[&Heading], i: &mut usize, level: u8, file: &str) -> Vec<TocElement> {
        let mut out = Vec::new();
        while *i < heads.len() && heads[*i].level >= level {
            let h = heads[*i];
            *i += 1;
            let mut el =
                TocElement::new(format!("{file}#{}", h.id), clean(&plain_text(&h.content)));
            for c in build(heads, i, h.level + 1, file) {
                el = el.child(c);
            }
            out.push(el);
        }
        out
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < heads.len() {
        let level = heads[i].level;
        out.extend(build(&heads, &mut i, level, file));
    }
    out
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
                    &format!("<nav epub:type=\"page-list\" role=\"doc-pagelist\" aria-label=\"Pages of the print edition\" hidden=\"hidden\">\n<ol>\n{page_list}</ol>\n</nav>\n</body>"),
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
            xhtml::escape(&b.name)
        ));
    }
    let opf = opf.replacen("  </manifest>", &format!("{items}  </manifest>"), 1);
    let opf = opf.as_str();
    let lang = xhtml::escape(&meta.language);
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
        &xhtml::escape(&meta.identifier),
    );
    s = replace_between(
        &s,
        "<meta property=\"dcterms:modified\">",
        "</meta>",
        &format!("{}T00:00:00Z", meta.date),
    );
    let has_images = !book.local_images().is_empty();
    let mut extra = String::new();
    extra.push_str(&format!("    <dc:date>{}</dc:date>\n", meta.date));
    if let Some(p) = &meta.publisher {
        extra.push_str(&format!(
            "    <dc:publisher>{}</dc:publisher>\n",
            xhtml::escape(p)
        ));
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
        let source = format!(
            "{}, PDF edition of {} ({}.pdf)",
            meta.title, meta.date, meta.slug
        );
        extra.push_str(&format!(
            "    <dc:source>{0}</dc:source>\n    <meta property=\"pageBreakSource\">{0}</meta>\n",
            xhtml::escape(&source)
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
    extra.push_str(
        "    <meta property=\"schema:accessibilitySummary\">Reflowable text with a navigable table of contents and \
         headings in order; every image has a text alternative; the reader's font and size settings are respected; \
         no flashing, sound or motion.</meta>\n",
    );
    extra.push_str("    <meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>\n");
    extra.push_str(&format!(
        "    <meta property=\"a11y:certifiedBy\">{}</meta>\n",
        xhtml::escape(meta.publisher.as_deref().unwrap_or("handout"))
    ));
    s.replacen("  </metadata>", &format!("{extra}  </metadata>"), 1)
}

fn fix_nav(nav: &str, lang: &str) -> String {
    let lang = xhtml::escape(lang);
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
        "<nav epub:type=\"landmarks\" aria-label=\"Landmarks\" hidden=\"hidden\">",
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
