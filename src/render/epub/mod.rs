//! The EPUB 3 renderer: model → XHTML files (shared with the web edition, `render::xhtml`),
//! packaged by epub-builder, then re-packed so the output is byte-for-byte reproducible and
//! carries what epub-builder has no API for.

mod cover;
mod fonts;

use super::xhtml;
use super::xml::escape;
use super::{Input, Needs, Output, RenderError, Rendered, Renderer, WriteSeek};
use crate::fonts::{FaceKey, Family, FontFile, FontSet};
use crate::locale::{Locale, Text};
use crate::model::*;
use crate::paged::Edition;
use epub_builder::{EpubBuilder, EpubContent, EpubVersion, ReferenceType, TocElement, ZipLibrary};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
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
    // A reading system shows "Unknown" for a book with no creator: the publisher is one.
    if meta.authors.is_empty() {
        if let Some(p) = &meta.publisher {
            b.add_author(clean(p));
        }
    }
    if let Some(d) = description(book) {
        b.add_description(clean(&d));
    }
    b.set_generator("handout");
    b.set_toc_name(locale.text(Text::Contents));

    // Fonts and images are added to the package by `repack`: given to epub-builder they
    // would be deflated, inflated and deflated again.
    let mut binaries: Vec<Binary> = Vec::new();

    let (names, images) = image_files(book);
    // A site's logo, for the title page.
    let logo = meta.site.as_ref().and_then(|s| match &s.logo {
        Some(crate::model::ImageSource::Local { data, format, .. }) => Some((
            // In a folder of its own, as the cover is: the book's images are all
            // `images/<name>`, and an article's `cover.png` or `east-site-logo.svg` collided
            // ("Duplicate filename").
            format!("site/{}-logo.{}", file_slug(&s.id), format.extension()),
            data.as_slice(),
            format.media_type(),
        )),
        _ => None,
    });
    if let Some((name, data, media_type)) = &logo {
        binaries.push(Binary {
            name: name.clone(),
            data: Cow::Borrowed(data),
            media_type,
            deflate: false,
            cover: false,
        });
    }
    let title_page = xhtml::title_page(meta, logo.as_ref().map(|l| l.0.as_str()));
    // The cover is drawn while the articles are written (about 30 ms on the 2-core machine).
    let (pages, drawn) = rayon::join(
        || article_pages(book, print_pages, &names),
        || match &meta.cover {
            Some(ImageSource::Local { .. }) => None,
            _ => cover::draw(meta, fonts),
        },
    );
    let part_pages: Vec<String> = (0..book.parts.len())
        .map(|p| xhtml::part_page(meta, p, &book.parts[p].title))
        .collect();
    let texts = std::iter::once(title_page.as_str())
        .chain(pages.iter().map(String::as_str))
        .chain(part_pages.iter().map(String::as_str));
    let (faces, css) = if meta.epub_fonts {
        embedded_faces(fonts, texts.clone().collect())
    } else {
        (Vec::new(), NO_FONTS_CSS.to_string())
    };
    binaries.extend(faces);
    b.stylesheet(format!("{css}{STYLESHEET}").as_bytes())
        .map_err(err)?;
    // The cover: book.yaml's image, else one drawn from the title.
    let cover = match &meta.cover {
        Some(ImageSource::Local { data, format, .. }) => {
            Some((Cow::Borrowed(data.as_slice()), *format))
        }
        _ => drawn.map(|png| (Cow::Owned(png), ImageFormat::Png)),
    };
    if let Some((data, format)) = cover {
        let name = format!("cover/cover.{}", format.extension());
        b.add_content(
            EpubContent::new("cover.xhtml", xhtml::cover_page(meta, &name).as_bytes())
                .title(clean(&meta.title))
                .reftype(ReferenceType::Cover),
        )
        .map_err(err)?;
        binaries.push(Binary {
            name,
            data,
            media_type: format.media_type(),
            deflate: false,
            cover: true,
        });
    }
    b.add_content(
        EpubContent::new("title.xhtml", title_page.as_bytes())
            .title(clean(&meta.title))
            .reftype(ReferenceType::TitlePage),
    )
    .map_err(err)?;
    for (i, article) in book.articles.iter().enumerate() {
        for (p, part) in book.parts.iter().enumerate().filter(|(_, p)| p.first == i) {
            b.add_content(
                EpubContent::new(xhtml::part_file_name(p), part_pages[p].as_bytes())
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
            data: Cow::Borrowed(img.data.as_slice()),
            media_type: img.format.media_type(),
            deflate: false,
            cover: false,
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

/// A file added to the package by `repack` (fonts, images).
struct Binary<'a> {
    /// Relative to the package document.
    name: String,
    data: Cow<'a, [u8]>,
    media_type: &'static str,
    /// Fonts shrink by about half; images are compressed already and are stored.
    deflate: bool,
    /// The cover image (`properties="cover-image"`, and the older `<meta name="cover">`).
    cover: bool,
}

/// Each article's XHTML, in parallel, with the page-break markers of the book PDF's pages.
fn article_pages(book: &Book, print_pages: &[PageStart], names: &xhtml::ImageNames) -> Vec<String> {
    use rayon::prelude::*;
    (0..book.articles.len())
        .into_par_iter()
        .map(|i| {
            let here: Vec<PageStart> = print_pages
                .iter()
                .filter(|p| p.article == i)
                .cloned()
                .collect();
            xhtml::article(book, i, names, &here)
        })
        .collect()
}

/// With `epub: {fonts: none}`: the reading system's own faces, monospace for code.
const NO_FONTS_CSS: &str =
    "body { font-family: serif; }\ncode, pre, kbd { font-family: monospace; }\n";

/// The font families the stylesheet can name, and the CSS family name each goes by. Arabic
/// is left to the reading system: a subset has no GSUB, and Arabic letters need it to join.
const EMBEDDED: [(Family, &str); 5] = [
    (Family::Serif, "Noto Serif"),
    (Family::Mono, "Noto Sans Mono"),
    (Family::Cjk, "Noto Sans CJK"),
    (Family::Symbols, "Noto Sans Symbols 2"),
    (Family::Emoji, "Noto Emoji"),
];

/// The faces the text uses, each cut down to the characters it sets, deflated, and the
/// `@font-face` rules and font stacks that name them. The serif regular and bold are always
/// used (headings are bold); italic where there is emphasis; bold italic only for emphasis
/// in bold; mono where there is code; a fallback family for the characters the serif lacks
/// that it has (Chinese, Korean, symbols). The sample's EPUB went from 2.9 MB (five
/// whole faces stored) to about a tenth of it.
fn embedded_faces<'a>(fonts: &[FontFile], texts: Vec<&str>) -> (Vec<Binary<'a>>, String) {
    let all = fonts::characters(texts.iter().copied());
    let has = |needles: &[&str]| texts.iter().any(|t| needles.iter().any(|n| t.contains(n)));
    let italic = has(&[
        "<em",
        "<i>",
        "<i ",
        "<blockquote",
        "class=\"summary\"",
        "<figcaption",
    ]);
    let bold_italic = has(&["<strong><em", "<em><strong", "<b><i", "<i><b"]);
    let code = has(&["<code", "<pre", "<kbd"]);
    let file = |key: FaceKey| fonts.iter().find(|f| f.key == key);
    let regular = |family| file(FaceKey::new(family, false, false));
    // Each face parsed once: the serif, then the fallbacks in order.
    let parsed: Vec<(Family, ttf_parser::Face)> = EMBEDDED
        .iter()
        .filter(|(family, _)| *family != Family::Mono)
        .filter_map(|(family, _)| {
            let face = ttf_parser::Face::parse(regular(*family)?.data, 0).ok()?;
            Some((*family, face))
        })
        .collect();
    // Each character goes to the serif if it has it (ASCII always), else to the first
    // fallback family that has it.
    let mut by_family: BTreeMap<Family, BTreeSet<char>> = BTreeMap::new();
    for &c in &all {
        let family = if c.is_ascii() {
            Some(Family::Serif)
        } else {
            parsed
                .iter()
                .find(|(_, face)| face.glyph_index(c).is_some())
                .map(|(family, _)| *family)
        };
        if let Some(family) = family {
            by_family.entry(family).or_default().insert(c);
        }
    }
    let mut wanted: Vec<(FaceKey, BTreeSet<char>)> = Vec::new();
    let serif_chars = by_family.remove(&Family::Serif).unwrap_or_default();
    for (bold, it, used) in [
        (false, false, true),
        (true, false, true),
        (false, true, italic),
        (true, true, bold_italic),
    ] {
        if used {
            wanted.push((FaceKey::new(Family::Serif, bold, it), serif_chars.clone()));
        }
    }
    if code {
        wanted.push((FaceKey::new(Family::Mono, false, false), all.clone()));
    }
    for (family, chars) in by_family {
        wanted.push((FaceKey::new(family, false, false), chars));
    }
    let mut binaries = Vec::new();
    let mut css = String::new();
    let mut stack: Vec<&str> = Vec::new();
    for (key, chars) in wanted {
        let Some(f) = file(key) else { continue };
        let Some(data) = fonts::subset(f.data, &chars) else {
            continue;
        };
        let name = EMBEDDED
            .iter()
            .find(|(family, _)| *family == key.family)
            .map_or("Noto Serif", |e| e.1);
        css.push_str(&format!(
            "@font-face {{ font-family: \"{name}\"; font-weight: {}; font-style: {}; src: url(fonts/{}); }}\n",
            if key.bold { "bold" } else { "normal" },
            if key.italic { "italic" } else { "normal" },
            f.file_name
        ));
        if key.family != Family::Mono && !stack.contains(&name) {
            stack.push(name);
        }
        binaries.push(Binary {
            name: format!("fonts/{}", f.file_name),
            data: Cow::Owned(data),
            media_type: if f.file_name.ends_with(".otf") {
                "font/otf"
            } else {
                "font/ttf"
            },
            deflate: true,
            cover: false,
        });
    }
    let quoted: String = stack.iter().map(|n| format!("\"{n}\", ")).collect();
    css.push_str(&format!("body {{ font-family: {quoted}serif; }}\n"));
    css.push_str(&format!(
        "code, pre, kbd {{ font-family: {}monospace; }}\n",
        if code { "\"Noto Sans Mono\", " } else { "" }
    ));
    (binaries, css)
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
    mut out: W,
) -> Result<(), String> {
    // Made in memory, then written in one go: the zip writer prints its own "drop failed"
    // line to stderr when finishing fails on a full disk (`ZipWriter drop failed: Io(Os {
    // code: 28 …`), and a book's EPUB is a few megabytes.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(raw.len())));
    repack_into(&mut zip, raw, book, binaries, page_list)?;
    let bytes = zip.finish().map_err(zip_words)?.into_inner();
    out.write_all(&bytes)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write: {e}"))
}

/// A zip error in the project's words: an I/O error says what the system said.
fn zip_words(e: zip::result::ZipError) -> String {
    match e {
        zip::result::ZipError::Io(e) => format!("cannot write: {e}"),
        e => format!("EPUB re-packing failed: {e}"),
    }
}

fn repack_into<W: std::io::Write + std::io::Seek>(
    out: &mut zip::ZipWriter<W>,
    raw: &[u8],
    book: &Book,
    binaries: &[Binary],
    page_list: &str,
) -> Result<(), String> {
    let err = zip_words;
    let io = |e: std::io::Error| format!("cannot write: {e}");
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
    out.start_file("mimetype", stored).map_err(err)?;
    out.write_all(b"application/epub+zip").map_err(io)?;
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
        entry
            .read_to_string(&mut data)
            .map_err(|e| format!("EPUB re-packing failed: {e}"))?;
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
        out.write_all(data.as_bytes()).map_err(io)?;
    }
    for b in binaries {
        let how = if b.deflate { deflated } else { stored };
        out.start_file(format!("OEBPS/{}", b.name), how)
            .map_err(err)?;
        out.write_all(&b.data).map_err(io)?;
    }
    Ok(())
}

fn fix_opf(opf: &str, book: &Book, binaries: &[Binary], print_pages: bool) -> String {
    let meta = &book.meta;
    let mut items = String::new();
    for (i, b) in binaries.iter().enumerate() {
        if b.cover {
            items.push_str(&format!(
                "    <item media-type=\"{}\" id=\"cover-image\" href=\"{}\" properties=\"cover-image\"/>\n",
                b.media_type,
                escape(&b.name)
            ));
            continue;
        }
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
    // Dates only as given (book.yaml or SOURCE_DATE_EPOCH); dcterms:modified is required,
    // and without a date is the day the newest input changed, which `check` warns about.
    if meta.date_given {
        extra.push_str(&format!("    <dc:date>{}</dc:date>\n", meta.date));
    }
    if let Some(p) = &meta.publisher {
        extra.push_str(&format!("    <dc:publisher>{}</dc:publisher>\n", escape(p)));
    }
    if binaries.iter().any(|b| b.cover) {
        // EPUB 2's way, which Kindle and older reading systems still read.
        extra.push_str("    <meta name=\"cover\" content=\"cover-image\"/>\n");
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
        let file = format!("{}.pdf", meta.slug);
        let source = if meta.date_given {
            locale.fill(
                Text::EpubPageSource,
                &[
                    ("title", &meta.title),
                    ("date", &meta.date.to_string()),
                    ("file", &file),
                ],
            )
        } else {
            format!("{} ({file})", meta.title)
        };
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
    if has_images && every_image_described(book) {
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
    // A conformance claim only when someone has checked the book and is named for it.
    if let Some(by) = &meta.certified_by {
        extra.push_str("    <meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>\n");
        extra.push_str(&format!(
            "    <meta property=\"a11y:certifiedBy\">{}</meta>\n",
            escape(by)
        ));
    }
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

/// Whether every image the articles show has alt text (else no `alternativeText` claim).
fn every_image_described(book: &Book) -> bool {
    let mut all = true;
    for a in &book.articles {
        walk_inlines(&a.blocks, &mut |i| {
            if let Inline::Image(img) = i {
                all &= !img.alt.trim().is_empty();
            }
        });
        walk_blocks(&a.blocks, &mut |b| {
            if let Block::Figure(img) = b {
                all &= !img.alt.trim().is_empty();
            }
        });
    }
    all
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
