//! The document model: what both writers read. Built once by the manuscript loader and the
//! Markdown reader; never touched by a writer.

use std::path::PathBuf;

/// A whole book: its metadata and its articles in reading order.
#[derive(Debug, Clone)]
pub struct Book {
    pub meta: BookMeta,
    pub articles: Vec<Article>,
    /// Helplines, services and information sources, from `resources.yaml`.
    pub resources: Vec<Resource>,
}

/// A local image: its manuscript path, its bytes and their format.
pub type LocalImage = (PathBuf, std::sync::Arc<Vec<u8>>, ImageFormat);

impl Book {
    /// Every local image of every article, in book order (repeats included).
    pub fn local_images(&self) -> Vec<LocalImage> {
        let mut out = Vec::new();
        for a in &self.articles {
            for img in a.images() {
                if let ImageSource::Local {
                    path, data, format, ..
                } = &img.src
                {
                    out.push((path.clone(), data.clone(), *format));
                }
            }
        }
        out
    }
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
    pub hours: Option<String>,
    pub languages: Vec<String>,
    /// The articles (indices) that list this resource, in book order.
    pub cited_by: Vec<usize>,
}

impl Resource {
    /// `tel:` URI for the phone number: digits only, `+1` added to ten-digit North American
    /// numbers, short codes such as 988 kept as they are.
    pub fn tel_uri(&self) -> Option<String> {
        let phone = self.phone.as_ref()?;
        let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
        let uri = if phone.trim_start().starts_with('+') {
            format!("tel:+{digits}")
        } else if digits.len() == 10 {
            format!("tel:+1{digits}")
        } else if digits.len() == 11 && digits.starts_with('1') {
            format!("tel:+{digits}")
        } else {
            format!("tel:{digits}")
        };
        Some(uri)
    }
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
    pub paper: Paper,
    /// Every PDF is also PDF/A-2b (archival): sRGB output intent, XMP identification.
    pub pdf_a: bool,
    /// The highest reading grade `handout check` accepts without a warning.
    pub reading_level: f32,
    /// File-name stem for the outputs (`<slug>.pdf`, `<slug>.epub`).
    pub slug: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day exists in that month.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u16>().ok();
        if !s
            .bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        {
            return None;
        }
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if year < 1900 || day == 0 || day > days {
            return None;
        }
        Some(Date {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for timestamps.
    pub fn days_since_epoch(self) -> i64 {
        let (y, m, d) = (self.year as i64, self.month as i64, self.day as i64);
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + if month <= 2 { 1 } else { 0 }) as u16;
        Date { year, month, day }
    }

    /// Human form for printed pages: "26 November 2026".
    pub fn long(self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!(
            "{} {} {}",
            self.day,
            MONTHS[self.month as usize - 1],
            self.year
        )
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
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
    pub blocks: Vec<Block>,
    /// Footnote bodies in the order of their first reference (number = index + 1).
    pub footnotes: Vec<Footnote>,
}

impl Article {
    pub fn title_text(&self) -> String {
        plain_text(&self.title)
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
        Block::Paragraph(i) => inl(i, f),
        Block::Table(t) => table(t, f),
        Block::Comparison(c) => {
            inl(&c.title, f);
            table(&c.table, f);
        }
        _ => {}
    });
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

impl AlertKind {
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::Note => "Note",
            AlertKind::Tip => "Tip",
            AlertKind::Important => "Important",
            AlertKind::Warning => "Warning",
            AlertKind::Caution => "Caution",
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
    /// With its expansion (`title`).
    Abbreviation(Option<String>),
    Deleted,
    Inserted,
    Marked,
    Small,
}

impl HtmlStyle {
    pub fn from_tag(name: &str, attrs: &[(String, String)]) -> Option<HtmlStyle> {
        Some(match name {
            "sup" => HtmlStyle::Superscript,
            "sub" => HtmlStyle::Subscript,
            "kbd" => HtmlStyle::Keyboard,
            "span" => HtmlStyle::Span,
            "abbr" => {
                HtmlStyle::Abbreviation(crate::html::attr(attrs, "title").map(str::to_string))
            }
            "del" | "s" | "strike" => HtmlStyle::Deleted,
            "ins" | "u" => HtmlStyle::Inserted,
            "mark" => HtmlStyle::Marked,
            "small" => HtmlStyle::Small,
            _ => return None,
        })
    }

    /// The XHTML element name.
    pub fn tag(&self) -> &'static str {
        match self {
            HtmlStyle::Superscript => "sup",
            HtmlStyle::Subscript => "sub",
            HtmlStyle::Keyboard => "kbd",
            HtmlStyle::Span => "span",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_reject() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2023-13-01"), None);
        assert_eq!(Date::parse("2023-1-01"), None);
        assert_eq!(Date::parse("20a3-01-01"), None);
    }

    #[test]
    fn epoch_days_round_trip() {
        let d = Date::parse("2026-11-26").unwrap();
        assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), d);
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().days_since_epoch(), 11017);
    }
}
