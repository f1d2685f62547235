//! The document model: what every renderer reads. Built once by the reader (`read`), never
//! changed by a renderer; what is computed from it once (the image catalogue, heading nesting,
//! the page map) lives beside it.

mod date;
pub mod images;
pub mod outline;
mod page_map;
pub mod qr;

pub use date::Date;
pub use images::{ImageCatalogue, LocalImage};
pub use page_map::PageStart;

use std::path::PathBuf;

impl Resource {
    /// The address its QR code opens.
    pub fn qr_target(&self) -> Option<&str> {
        self.qr.as_deref().or(self.url.as_deref())
    }
}

/// A whole book: its metadata and its articles in reading order.
#[derive(Debug, Clone)]
pub struct Book {
    pub meta: BookMeta,
    pub articles: Vec<Article>,
    /// Part titles (mdBook's `# Part` lines): each names the article that begins the part.
    pub parts: Vec<Part>,
    /// Helplines, services and information sources, from `resources.yaml`.
    pub resources: Vec<Resource>,
    /// Computed on first use: the reader finishes the model before anything reads it.
    catalogue: images::Lazy,
}

impl Book {
    /// Whether article `index` belongs to a part (mdBook's prefix chapters, before the first
    /// part, and the appendix belong to none): its title is a level below the part's.
    pub fn in_part(&self, index: usize) -> bool {
        self.parts.first().is_some_and(|p| p.first <= index) && !self.articles[index].appendix
    }

    /// Whether the article's review status is printed (and a missing review marks it DRAFT).
    pub fn shows_review(&self, article: &Article) -> bool {
        self.meta.clinical_review && !article.appendix
    }

    pub fn new(
        meta: BookMeta,
        articles: Vec<Article>,
        parts: Vec<Part>,
        resources: Vec<Resource>,
    ) -> Book {
        Book {
            meta,
            articles,
            parts,
            resources,
            catalogue: Default::default(),
        }
    }

    /// Every distinct local image of the book, each once.
    pub fn images(&self) -> &ImageCatalogue {
        self.catalogue.get_or_init(|| {
            let logo = self.meta.site.as_ref().and_then(|s| s.logo.as_ref());
            ImageCatalogue::of(&self.articles, logo)
        })
    }
}

/// A clinic that prints the collection with its own details (`sites/<id>.yaml`): its
/// editions carry its name, logo and contact block, and its local resources.
#[derive(Debug, Clone)]
pub struct Site {
    /// The file's name without `.yaml`: the folder its editions go to.
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub hours: Option<String>,
    pub url: Option<String>,
    /// A local image (PNG, JPEG or SVG) inside the manuscript.
    pub logo: Option<ImageSource>,
    /// Printed with the contact block ("Questions? Call us.").
    pub message: Option<String>,
}

/// A part of the book: a title over a run of chapters.
#[derive(Debug, Clone)]
pub struct Part {
    pub title: String,
    /// The article the part begins with.
    pub first: usize,
}

/// A place to get help or information, listed in the appendix and in the articles that cite it.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: String,
    pub name: String,
    pub category: String,
    pub description: Option<String>,
    /// As written in resources.yaml (checked: digits with spaces, dashes, dots or brackets).
    pub phone: Option<String>,
    /// An http(s) URL.
    pub url: Option<String>,
    /// A shorter address the printed QR code opens instead of `url` (resources.yaml's `qr`).
    pub qr: Option<String>,
    pub hours: Option<String>,
    pub languages: Vec<String>,
    /// The articles (indices) that list this resource, in book order.
    pub cited_by: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct BookMeta {
    pub title: String,
    pub subtitle: Option<String>,
    pub publisher: Option<String>,
    pub authors: Vec<String>,
    /// BCP 47 tag.
    pub language: String,
    /// Edition date, `YYYY-MM-DD`.
    pub date: Date,
    /// `urn:uuid:…` or whatever the manuscript gave.
    pub identifier: String,
    /// Whether the date came from the manuscript (and so may be printed).
    pub date_given: bool,
    pub description: Option<String>,
    /// Whether the EPUB embeds fonts (book.yaml `epub: {fonts: none}` turns it off).
    pub epub_fonts: bool,
    /// Who certified the EPUB's accessibility (book.yaml `accessibility: {certified_by}`);
    /// without it the EPUB claims no conformance.
    pub certified_by: Option<String>,
    /// The EPUB's cover image (book.yaml `epub: {cover}`); without one a cover is drawn.
    pub cover: Option<ImageSource>,
    pub paper: Paper,
    /// Every PDF is also PDF/A-2b (archival): sRGB output intent, XMP identification.
    pub pdf_a: bool,
    /// The highest reading grade `handout check` accepts without a warning.
    pub reading_level: f32,
    /// File-name stem for the outputs (`<slug>.pdf`, `<slug>.epub`).
    pub slug: String,
    pub breaks: PageBreaks,
    pub styles: Styles,
    /// The edition's name or number (book.yaml's `edition`), printed beside its date.
    pub edition: Option<String>,
    /// The clinic this edition is printed for, if any.
    pub site: Option<Site>,
    /// Whether articles carry a clinical review (book.yaml's `clinical_review`, on by
    /// default): unreviewed ones are marked DRAFT. Off for mdBooks and plain folders, whose
    /// chapters are not patient material.
    pub clinical_review: bool,
}

impl BookMeta {
    /// The region subtag of the book's language (`US` of `en-US`), in capitals.
    pub fn region(&self) -> Option<String> {
        self.language
            .split('-')
            .skip(1)
            .find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
            .map(|p| p.to_ascii_uppercase())
    }
}

/// Which articles of the book start on a new page (handouts are always one article each).
/// How an edition's text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditionStyle {
    /// 10.5-point serif, justified and hyphenated: a book read cover to cover.
    Book,
    /// For patients (CMS Toolkit): 12 points, ragged right, no hyphenation, short lines.
    Patient,
}

/// The style of each edition that may choose one (book.yaml's `styles`); large print is
/// always set to ACB's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Styles {
    pub book: EditionStyle,
    pub handouts: EditionStyle,
    pub booklet: EditionStyle,
}

impl Default for Styles {
    fn default() -> Styles {
        Styles {
            book: EditionStyle::Book,
            handouts: EditionStyle::Patient,
            booklet: EditionStyle::Patient,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageBreaks {
    /// Top-level chapters; their sections run on after them.
    #[default]
    Chapters,
    /// Every article.
    Articles,
    /// None: every article runs on after the one before.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    #[default]
    Letter,
    A4,
}

impl Paper {
    /// Width and height in PostScript points.
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Paper::Letter => (612.0, 792.0),
            Paper::A4 => (595.276, 841.89),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Review {
    pub by: String,
    pub on: Date,
    pub next: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct Article {
    /// Path as given in the manuscript, relative to the manuscript folder (for messages).
    pub source: PathBuf,
    /// Unique, file-name-safe, stable: used for the XHTML file name and PDF destinations.
    pub slug: String,
    pub title: Vec<Inline>,
    pub summary: Option<String>,
    pub authors: Vec<String>,
    pub lang: String,
    pub reviewed: Option<Review>,
    pub resources: Vec<String>,
    /// Made by the tool (the resource appendix), not read from a file.
    pub appendix: bool,
    /// 0 for a chapter, 1 for its sections, and so on (SUMMARY.md's nesting).
    pub depth: u8,
    pub blocks: Vec<Block>,
    /// Footnote bodies in the order of their first reference (number = index + 1).
    pub footnotes: Vec<Footnote>,
}

impl Article {
    pub fn title_text(&self) -> String {
        plain_text(&self.title)
    }

    /// The heading that is the article's title, when its text has one.
    pub fn title_heading(&self) -> Option<&Heading> {
        self.blocks.iter().find_map(|b| match b {
            Block::Heading(h) if h.is_title => Some(h),
            _ => None,
        })
    }

    /// Every id a link may point at: heading ids and explicit anchors.
    pub fn anchor_ids(&self) -> Vec<&str> {
        let mut out = Vec::new();
        walk_blocks(&self.blocks, &mut |b| match b {
            Block::Heading(h) => out.push(h.id.as_str()),
            Block::Anchor(id) => out.push(id.as_str()),
            _ => {}
        });
        walk_inlines(&self.blocks, &mut |i| {
            if let Inline::Anchor(id) = i {
                out.push(id.as_str());
            }
        });
        out
    }

    /// The headings of the article, in order, with their nesting level.
    pub fn headings(&self) -> Vec<&Heading> {
        let mut out = Vec::new();
        walk_blocks(&self.blocks, &mut |b| {
            if let Block::Heading(h) = b {
                out.push(h);
            }
        });
        out
    }

    /// External links in the article's text and notes, each URL once, in order of first
    /// appearance: (link text, URL).
    pub fn external_links(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut visit = |i: &Inline| {
            if let Inline::Link {
                target: LinkTarget::External(url),
                content,
            } = i
            {
                if !out.iter().any(|(_, u)| u == url) {
                    out.push((plain_text(content), url.clone()));
                }
            }
        };
        walk_inlines(&self.blocks, &mut visit);
        for f in &self.footnotes {
            walk_inlines(&f.blocks, &mut visit);
        }
        out
    }

    /// Every image in the article and its notes.
    pub fn images(&self) -> Vec<&Image> {
        let mut out = Vec::new();
        for blocks in std::iter::once(&self.blocks).chain(self.footnotes.iter().map(|f| &f.blocks))
        {
            walk_blocks(blocks, &mut |b| {
                if let Block::Figure(img) = b {
                    out.push(img);
                }
            });
            walk_inlines(blocks, &mut |i| {
                if let Inline::Image(img) = i {
                    out.push(img);
                }
            });
        }
        out
    }
}

/// Calls `f` on every block, depth first: those nested in lists, quotes, callouts and
/// comparisons too.
pub fn walk_blocks<'a>(blocks: &'a [Block], f: &mut dyn FnMut(&'a Block)) {
    for b in blocks {
        f(b);
        match b {
            Block::List(l) => l.items.iter().for_each(|it| walk_blocks(&it.blocks, f)),
            Block::Quote(c) | Block::Alert { blocks: c, .. } => walk_blocks(c, f),
            Block::Comparison(c) => {
                walk_blocks(&c.before, f);
                walk_blocks(&c.after, f);
            }
            _ => {}
        }
    }
}

/// Calls `f` on every inline of the blocks (nested blocks and spans included).
pub fn walk_inlines<'a>(blocks: &'a [Block], f: &mut dyn FnMut(&'a Inline)) {
    fn inl<'a>(i: &'a [Inline], f: &mut dyn FnMut(&'a Inline)) {
        for x in i {
            f(x);
            match x {
                Inline::Emphasis(c)
                | Inline::Strong(c)
                | Inline::Strikethrough(c)
                | Inline::Link { content: c, .. }
                | Inline::Styled { content: c, .. } => inl(c, f),
                _ => {}
            }
        }
    }
    fn table<'a>(t: &'a Table, f: &mut dyn FnMut(&'a Inline)) {
        t.header
            .iter()
            .chain(t.rows.iter().flatten())
            .for_each(|c| inl(c, f));
    }
    walk_blocks(blocks, &mut |b| match b {
        Block::Heading(h) => inl(&h.content, f),
        Block::Paragraph(i) | Block::Caption { content: i, .. } => inl(i, f),
        Block::Table(t) => table(t, f),
        Block::Comparison(c) => {
            inl(&c.title, f);
            table(&c.table, f);
        }
        _ => {}
    });
}

/// Calls `f` on every inline of the blocks, nested blocks and spans included, allowing change.
pub fn walk_inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Inline)) {
    fn inl(list: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
        for i in list {
            f(i);
            match i {
                Inline::Emphasis(c)
                | Inline::Strong(c)
                | Inline::Strikethrough(c)
                | Inline::Link { content: c, .. }
                | Inline::Styled { content: c, .. } => inl(c, f),
                _ => {}
            }
        }
    }
    fn table(t: &mut Table, f: &mut dyn FnMut(&mut Inline)) {
        for cell in t.header.iter_mut().chain(t.rows.iter_mut().flatten()) {
            inl(cell, f);
        }
    }
    for b in blocks {
        match b {
            Block::Heading(h) => inl(&mut h.content, f),
            Block::Paragraph(i) | Block::Caption { content: i, .. } => inl(i, f),
            Block::Table(t) => table(t, f),
            Block::List(l) => l
                .items
                .iter_mut()
                .for_each(|it| walk_inlines_mut(&mut it.blocks, f)),
            Block::Quote(c) | Block::Alert { blocks: c, .. } => walk_inlines_mut(c, f),
            Block::Comparison(c) => {
                inl(&mut c.title, f);
                table(&mut c.table, f);
                walk_inlines_mut(&mut c.before, f);
                walk_inlines_mut(&mut c.after, f);
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
pub struct Footnote {
    pub label: String,
    pub number: usize,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    /// Unique within its article.
    pub id: String,
    pub content: Vec<Inline>,
    /// True for the article's title heading (the first level-1 heading when it gave the title).
    pub is_title: bool,
}

#[derive(Debug, Clone)]
pub enum Block {
    Heading(Heading),
    Paragraph(Vec<Inline>),
    List(List),
    Quote(Vec<Block>),
    Alert {
        kind: AlertKind,
        blocks: Vec<Block>,
    },
    Code {
        lang: Option<String>,
        text: String,
    },
    Rule,
    Table(Table),
    /// An image standing alone in its paragraph: typeset as a figure with a caption.
    Figure(Image),
    /// A listing's label (the Rust book's `<Listing file-name="…" caption="…">`): its file
    /// name `above` it, or its caption under it; set in the listing's smaller type, never
    /// parted from it by a page break.
    Caption {
        content: Vec<Inline>,
        above: bool,
    },
    /// A link target with no text of its own (`<a id="…"></a>` in the Markdown).
    Anchor(String),
    /// A comparison sidebar (`> [!COMPARISON] Title` holding a table).
    Comparison(Comparison),
    /// Resources (indices into `Book::resources`) set with their contact details; `cited_by`
    /// adds the articles that list each one (the appendix).
    Resources {
        ids: Vec<usize>,
        cited_by: bool,
    },
}

/// Things compared side by side: the table's first row names them, its first column the
/// aspects compared.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Unique within the article; labels the sidebar.
    pub id: String,
    pub title: Vec<Inline>,
    pub before: Vec<Block>,
    pub table: Table,
    pub after: Vec<Block>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

impl AlertKind {
    /// A name for stylesheets and file formats (never shown: labels come from the locale).
    pub fn class(self) -> &'static str {
        match self {
            AlertKind::Note => "note",
            AlertKind::Tip => "tip",
            AlertKind::Important => "important",
            AlertKind::Warning => "warning",
            AlertKind::Caution => "caution",
        }
    }
}

#[derive(Debug, Clone)]
pub struct List {
    /// `Some(n)`: numbered from n.
    pub start: Option<u64>,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone)]
pub struct ListItem {
    /// `Some(checked)` for task-list items.
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub align: Vec<Align>,
    pub header: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
}

#[derive(Debug, Clone)]
pub struct Image {
    /// Path relative to the manuscript folder (resolved and checked by the loader).
    pub src: ImageSource,
    pub alt: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone)]
pub enum ImageSource {
    /// A file inside the manuscript: its path relative to the manuscript folder, its bytes and
    /// what they are.
    Local {
        path: PathBuf,
        data: std::sync::Arc<Vec<u8>>,
        format: ImageFormat,
        width: u32,
        height: u32,
    },
    /// A remote image: never fetched; its alt text stands in.
    Remote(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Svg,
}

impl ImageFormat {
    /// The file extension an image of this format is given.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Svg => "svg",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Svg => "image/svg+xml",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Inline {
    Text(String),
    Code(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Link {
        target: LinkTarget,
        content: Vec<Inline>,
    },
    Image(Image),
    /// Footnote number within the article.
    FootnoteRef(usize),
    SoftBreak,
    HardBreak,
    /// Text marked by one of the HTML elements the reader renders (`<sup>`, `<kbd>`, …).
    Styled {
        style: HtmlStyle,
        content: Vec<Inline>,
    },
    /// A link target with no text of its own.
    Anchor(String),
}

/// The inline HTML elements rendered in both outputs; any other tag is dropped (its text kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HtmlStyle {
    Superscript,
    Subscript,
    Keyboard,
    Span,
    /// mdBook's `<span class="filename">` (`above: true`) or `<span class="caption">`: a
    /// paragraph of one of these is read as a listing's label (`Block::Caption`).
    Label {
        above: bool,
    },
    /// With its expansion (`title`).
    Abbreviation(Option<String>),
    Deleted,
    Inserted,
    Marked,
    Small,
}

impl HtmlStyle {
    /// The XHTML element name.
    pub fn tag(&self) -> &'static str {
        match self {
            HtmlStyle::Superscript => "sup",
            HtmlStyle::Subscript => "sub",
            HtmlStyle::Keyboard => "kbd",
            HtmlStyle::Span | HtmlStyle::Label { .. } => "span",
            HtmlStyle::Abbreviation(_) => "abbr",
            HtmlStyle::Deleted => "del",
            HtmlStyle::Inserted => "ins",
            HtmlStyle::Marked => "mark",
            HtmlStyle::Small => "small",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    External(String),
    /// An article (by index) and optionally a heading id within it.
    Internal {
        article: usize,
        anchor: Option<String>,
    },
}

/// A file-name-safe slug: ASCII letters, digits and hyphens (output and image file names).
pub fn file_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "book".into()
    } else {
        out
    }
}

/// The text of inlines with all formatting dropped.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    fn walk(inlines: &[Inline], s: &mut String) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) => s.push_str(t),
                Inline::Styled { content, .. } => walk(content, s),
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => walk(c, s),
                Inline::Link { content, .. } => walk(content, s),
                Inline::Image(img) => s.push_str(&img.alt),
                Inline::FootnoteRef(_) | Inline::Anchor(_) => {}
                Inline::SoftBreak | Inline::HardBreak => s.push(' '),
            }
        }
    }
    walk(inlines, &mut s);
    s
}
