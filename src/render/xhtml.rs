//! Model → XHTML, shared by the EPUB and the web edition. Everything from the manuscript is
//! escaped, so every file is well-formed whatever the Markdown holds.

use super::xml::escape;
use crate::locale::{Locale, Text};
use crate::model::*;
use std::collections::HashMap;
use std::fmt::Write;

/// Where each local image lives inside the EPUB (keyed by its manuscript path).
pub type ImageNames = HashMap<std::path::PathBuf, String>;

/// Text escaped, with phone numbers and other digit groups joined by separators in a
/// left-to-right span: after Arabic letters the bidi algorithm would show their groups in
/// reverse order (the PDF sets them the same way).
fn isolated_numbers(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let mut end = i;
        let mut groups = 1;
        let mut j = i;
        while j < b.len() {
            if b[j].is_ascii_digit() {
                end = j + 1;
                j += 1;
            } else if matches!(b[j], b'-' | b'.' | b' ')
                && b.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                groups += 1;
                j += 1;
            } else {
                break;
            }
        }
        if groups > 1 {
            out.push_str(&escape(&text[last..i]));
            out.push_str("<span dir=\"ltr\">");
            out.push_str(&escape(&text[i..end]));
            out.push_str("</span>");
            last = end;
        }
        i = end.max(i + 1);
    }
    out.push_str(&escape(&text[last..]));
    out
}

pub fn file_name(article: &Article) -> String {
    format!("{}.xhtml", article.slug)
}

fn head(out: &mut String, title: &str, lang: &str) {
    // A right-to-left language says so: reading systems then set the text and its lists
    // from the right.
    let dir = if Locale::of(lang).is_rtl() {
        " dir=\"rtl\""
    } else {
        ""
    };
    let lang = escape(lang);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\"{dir}>\n\
         <head>\n<meta charset=\"UTF-8\"/>\n<title>{}</title>\n\
         <link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n</head>\n",
        escape(title)
    );
}

/// The title page: title, subtitle, authors, publisher and edition date.
/// `text` with soft hyphens in its words of ten letters or more, where the patterns allow
/// (three letters at least on each side).
fn soft_hyphens(text: &str, patterns: Option<&'static hyphenation::Standard>) -> String {
    use hyphenation::Hyphenator;
    let Some(h) = patterns else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 8);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.chars().count() >= 10 {
            let breaks = h.hyphenate(word).breaks;
            let mut last = 0;
            for b in breaks {
                if word[..b].chars().count() >= 3 && word[b..].chars().count() >= 3 {
                    out.push_str(&word[last..b]);
                    out.push('\u{ad}');
                    last = b;
                }
            }
            out.push_str(&word[last..]);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The cover page: the cover image alone, described by the book's title.
pub fn cover_page(meta: &BookMeta, image: &str) -> String {
    let mut out = String::new();
    head(&mut out, &meta.title, &meta.language);
    let mut alt = meta.title.clone();
    if let Some(s) = &meta.subtitle {
        alt.push_str(": ");
        alt.push_str(s);
    }
    let _ = write!(
        out,
        "<body>\n<section class=\"cover\" epub:type=\"cover\">\n<img role=\"doc-cover\" src=\"{1}\" alt=\"{0}\"/>\n</section>\n</body>\n</html>\n",
        escape(&alt),
        escape(image)
    );
    out
}

pub fn title_page(meta: &BookMeta, logo: Option<&str>) -> String {
    let mut out = String::new();
    head(&mut out, &meta.title, &meta.language);
    out.push_str("<body>\n<section class=\"titlepage\" epub:type=\"titlepage\" aria-labelledby=\"book-title\">\n");
    // A site's edition shows its logo above the title, named for the site.
    if let (Some(src), Some(site)) = (logo, &meta.site) {
        let _ = writeln!(
            out,
            "<p class=\"site-logo\"><img src=\"{}\" alt=\"{}\"/></p>",
            escape(src),
            escape(&site.name)
        );
    }
    let _ = writeln!(
        out,
        "<h1 id=\"book-title\" class=\"book-title\">{}</h1>",
        escape(&meta.title)
    );
    if let Some(s) = &meta.subtitle {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(s));
    }
    if !meta.authors.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"authors\">{}</p>",
            escape(&meta.authors.join(", "))
        );
    }
    if let Some(p) = &meta.publisher {
        let _ = writeln!(out, "<p class=\"publisher\">{}</p>", escape(p));
    }
    if meta.date_given {
        let locale = Locale::of(&meta.language);
        let (before, after) = locale.around(Text::EditionOf, "date");
        let _ = writeln!(
            out,
            "<p class=\"edition\">{}<time datetime=\"{}\">{}</time>{}</p>",
            escape(before),
            meta.date,
            escape(&locale.date(meta.date)),
            escape(after)
        );
    }
    out.push_str("</section>\n</body>\n</html>\n");
    out
}

/// A part's title page (the title of a SUMMARY.md part), a heading of its own in the book's
/// navigation; its chapters follow in their own files.
pub fn part_page(meta: &BookMeta, index: usize, title: &str) -> String {
    let mut out = String::new();
    head(&mut out, title, &meta.language);
    let _ = writeln!(
        out,
        "<body>\n<section class=\"part\" epub:type=\"part\" role=\"doc-part\" aria-labelledby=\"part-{index}\">\n<h1 id=\"part-{index}\">{}</h1>\n</section>\n</body>\n</html>",
        escape(title)
    );
    out
}

/// The file a part's title page is written to.
pub fn part_file_name(index: usize) -> String {
    format!("part-{}.xhtml", index + 1)
}

struct Writer<'a> {
    book: &'a Book,
    /// The words and rules of the article's language.
    locale: Locale,
    index: usize,
    article: &'a Article,
    /// How often each footnote has been referenced so far (ids must stay unique).
    note_refs: HashMap<usize, usize>,
    images: &'a ImageNames,
    out: String,
    /// Inside a table cell: long words get soft hyphens (see `cell`).
    in_cell: bool,
    /// While a top-level resource list is written: the pages that start in each entry.
    entry_pages: Vec<(usize, String)>,
    /// The level of the last heading written (0 before the first): a heading is never more
    /// than one below it (Ace's heading order), and resource names are headings one below.
    level: u8,
}

/// One article as a complete XHTML document.
/// `pages`: the printed pages of the book that start in this article; a page-break marker
/// goes before the top-level block each starts in, or inside the entry of a resource list.
pub fn article(book: &Book, index: usize, images: &ImageNames, pages: &[PageStart]) -> String {
    let article = &book.articles[index];
    let mut w = Writer {
        book,
        locale: Locale::of(&article.lang),
        index,
        article,
        note_refs: HashMap::new(),
        in_cell: false,
        entry_pages: Vec::new(),
        level: 0,
        images,
        out: String::with_capacity(16 * 1024),
    };
    head(&mut w.out, &article.title_text(), &article.lang);
    let title_id = article.title_heading().map(|h| h.id.clone());
    match &title_id {
        Some(id) => {
            let _ = writeln!(w.out, "<body>\n<section epub:type=\"chapter\" role=\"doc-chapter\" aria-labelledby=\"{}\">", escape(id));
        }
        None => {
            let _ = writeln!(
                w.out,
                "<body>\n<section epub:type=\"chapter\" role=\"doc-chapter\" aria-label=\"{}\">",
                escape(&article.title_text())
            );
        }
    }
    let blocks = &article.blocks;
    let mut i = 0;
    while i < blocks.len() {
        let in_entries = matches!(blocks[i], Block::Resources { .. });
        w.entry_pages = pages
            .iter()
            .filter(|p| p.block == i && in_entries)
            .filter_map(|p| Some((p.item?, p.label.clone())))
            .collect();
        let before: Vec<&PageStart> = pages
            .iter()
            .filter(|p| p.block == i && !(in_entries && p.item.is_some()))
            .collect();
        w.page_breaks(&before);
        let n = w.block_at(blocks, i, true);
        // A page that starts at a caption written with its figure: marked after it.
        for k in i + 1..i + n {
            let after: Vec<&PageStart> = pages.iter().filter(|p| p.block == k).collect();
            w.page_breaks(&after);
        }
        i += n;
    }
    if !article.footnotes.is_empty() {
        w.out.push_str(&format!(
            "<section class=\"footnotes\" epub:type=\"footnotes\" aria-label=\"{}\">\n<hr/>\n",
            escape(w.locale.text(Text::EpubNotes))
        ));
        for f in &article.footnotes {
            let _ = writeln!(
                w.out,
                "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn{}\">",
                f.number
            );
            let _ = write!(
                w.out,
                "<p class=\"fn-number\"><a href=\"#fnref{0}\" role=\"doc-backlink\">{0}.</a></p>\n",
                f.number
            );
            w.blocks(&f.blocks, false);
            w.out.push_str("</aside>\n");
        }
        w.out.push_str("</section>\n");
    }
    w.out.push_str("</section>\n</body>\n</html>\n");
    w.out
}

impl Writer<'_> {
    fn blocks(&mut self, blocks: &[Block], top: bool) {
        let mut i = 0;
        while i < blocks.len() {
            i += self.block_at(blocks, i, top);
        }
    }

    /// A table cell's text. Its long words get soft hyphens at the language's hyphenation
    /// points, so a table narrows to the screen at a large font size by hyphenating
    /// "7-hydroxy-mitragynine" instead of scrolling or splitting it anywhere (reading systems
    /// seldom hyphenate on their own).
    fn cell(&mut self, cell: &[Inline]) {
        self.in_cell = true;
        self.inlines(cell);
        self.in_cell = false;
    }

    /// The page-break markers of these printed pages.
    fn page_breaks(&mut self, pages: &[&PageStart]) {
        for p in pages {
            self.page_break(&p.label);
        }
    }

    fn page_break(&mut self, label: &str) {
        let _ = writeln!(
            self.out,
            "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{0}\" aria-label=\"{0}\"></span>",
            escape(label)
        );
    }

    /// Writes `blocks[i]`, and the caption under it when it is a figure's (mdBook's caption
    /// span is then the figure's figcaption); returns how many blocks it took.
    fn block_at(&mut self, blocks: &[Block], i: usize, top: bool) -> usize {
        if let (
            Block::Figure(img),
            Some(Block::Caption {
                content,
                above: false,
            }),
        ) = (&blocks[i], blocks.get(i + 1))
        {
            self.figure(img, Some(content));
            return 2;
        }
        self.block(&blocks[i], top);
        1
    }

    fn figure(&mut self, img: &Image, caption: Option<&[Inline]>) {
        self.out.push_str("<figure>\n");
        self.image(img);
        match caption {
            Some(c) => {
                self.out.push_str("\n<figcaption>");
                self.inlines(c);
                self.out.push_str("</figcaption>");
            }
            None => {
                if let Some(title) = &img.title {
                    let _ = write!(self.out, "\n<figcaption>{}</figcaption>", escape(title));
                }
            }
        }
        self.out.push_str("\n</figure>\n");
    }

    fn block(&mut self, block: &Block, top: bool) {
        match block {
            Block::Heading(h) => {
                let level = if self.level == 0 {
                    h.level
                } else {
                    h.level.min(self.level + 1)
                };
                self.level = level;
                let _ = write!(self.out, "<h{level} id=\"{}\">", escape(&h.id));
                self.inlines(&h.content);
                let _ = writeln!(self.out, "</h{level}>");
                if h.is_title && top && self.book.shows_review(self.article) {
                    let reviewed = self.article.reviewed.as_ref();
                    let class = if reviewed.is_some() {
                        "review"
                    } else {
                        "review draft"
                    };
                    let line = self.locale.review_line(reviewed);
                    let _ = writeln!(self.out, "<p class=\"{class}\">{}</p>", escape(&line));
                }
                if h.is_title && top {
                    if let Some(s) = &self.article.summary {
                        let _ = writeln!(self.out, "<p class=\"summary\">{}</p>", escape(s));
                    }
                }
            }
            Block::Paragraph(inl) => {
                self.out.push_str("<p>");
                self.inlines(inl);
                self.out.push_str("</p>\n");
            }
            Block::Caption { content: inl, .. } => {
                self.out.push_str("<p class=\"caption\">");
                self.inlines(inl);
                self.out.push_str("</p>\n");
            }
            Block::List(list) => {
                let tag = if list.start.is_some() { "ol" } else { "ul" };
                let task = list.items.iter().any(|i| i.task.is_some());
                let _ = write!(self.out, "<{tag}");
                if let Some(start) = list.start.filter(|&s| s != 1) {
                    let _ = write!(self.out, " start=\"{start}\"");
                }
                if task {
                    self.out.push_str(" class=\"tasks\"");
                }
                self.out.push_str(">\n");
                for item in &list.items {
                    self.out.push_str("<li>");
                    if let Some(done) = item.task {
                        let (mark, spoken) = if done {
                            ("☑", Text::TaskDoneSpoken)
                        } else {
                            ("☐", Text::TaskOpenSpoken)
                        };
                        let _ = write!(
                            self.out,
                            "<span class=\"task\">{mark}<span class=\"sr\">{}</span></span> ",
                            escape(self.locale.text(spoken))
                        );
                    }
                    // A one-paragraph item reads better without the paragraph wrapper.
                    match item.blocks.as_slice() {
                        [Block::Paragraph(inl)] => self.inlines(inl),
                        blocks => {
                            self.out.push('\n');
                            self.blocks(blocks, false);
                        }
                    }
                    self.out.push_str("</li>\n");
                }
                let _ = writeln!(self.out, "</{tag}>");
            }
            Block::Quote(blocks) => {
                self.out.push_str("<blockquote>\n");
                self.blocks(blocks, false);
                self.out.push_str("</blockquote>\n");
            }
            Block::Alert { kind, blocks } => {
                let role = if *kind == AlertKind::Tip {
                    "doc-tip"
                } else {
                    "note"
                };
                let class = kind.class();
                let _ = writeln!(
                    self.out,
                    "<aside class=\"callout {class}\" role=\"{role}\">\n<p class=\"callout-label\">{}</p>",
                    escape(self.locale.alert(*kind))
                );
                self.blocks(blocks, false);
                self.out.push_str("</aside>\n");
            }
            Block::Code { lang, text } => {
                match lang {
                    Some(l) => {
                        let _ = write!(
                            self.out,
                            "<pre><code class=\"language-{}\">",
                            escape(&l.replace(' ', "-"))
                        );
                    }
                    None => self.out.push_str("<pre><code>"),
                }
                self.out
                    .push_str(&escape(text.strip_suffix('\n').unwrap_or(text)));
                self.out.push_str("</code></pre>\n");
            }
            Block::Rule => self.out.push_str("<hr/>\n"),
            Block::Table(t) => self.table(t),
            Block::Figure(img) => self.figure(img, None),
            Block::Anchor(id) => {
                let _ = writeln!(self.out, "<span id=\"{}\"></span>", escape(id));
            }
            Block::Comparison(c) => self.comparison(c),
            Block::Resources { ids, cited_by } => self.resources(ids, *cited_by),
        }
    }

    fn table(&mut self, t: &Table) {
        let align = |i: usize| match t.align.get(i) {
            Some(Align::Center) => " class=\"center\"",
            Some(Align::Right) => " class=\"right\"",
            Some(Align::Left) => " class=\"left\"",
            _ => "",
        };
        // Wrapped so a table too wide for the screen scrolls on its own, keeping its semantics.
        self.out
            .push_str("<div class=\"table-wrap\">\n<table>\n<thead>\n<tr>");
        for (i, cell) in t.header.iter().enumerate() {
            // A header cell with nothing in it (the corner above a column of row names)
            // heads nothing: as a `<th>` it is an empty header to a screen reader (axe's
            // empty-table-header, on three of Comprehensive Rust's tables).
            let empty = crate::model::plain_text(cell).trim().is_empty()
                && !cell.iter().any(|i| matches!(i, Inline::Image(_)));
            let tag = if empty { "td" } else { "th scope=\"col\"" };
            let _ = write!(self.out, "<{tag}{}>", align(i));
            self.cell(cell);
            self.out.push_str(if empty { "</td>" } else { "</th>" });
        }
        self.out.push_str("</tr>\n</thead>\n<tbody>\n");
        for row in &t.rows {
            self.out.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let _ = write!(self.out, "<td{}>", align(i));
                self.cell(cell);
                self.out.push_str("</td>");
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table>\n</div>\n");
    }

    /// A comparison: an aside labelled by its title, holding a table whose first row names
    /// the things compared and whose first column names the aspects (row headers). On a narrow
    /// screen the stylesheet stacks the cells, each labelled with its column.
    fn comparison(&mut self, c: &Comparison) {
        let id = escape(&c.id);
        let _ = writeln!(
            self.out,
            "<aside class=\"comparison\" aria-labelledby=\"{id}\">"
        );
        let _ = write!(self.out, "<p class=\"comparison-title\" id=\"{id}\">");
        self.inlines(&c.title);
        self.out.push_str("</p>\n");
        self.blocks(&c.before, false);
        // On a narrow screen the grid stacks (CSS `display: block`), which drops a table's
        // semantics in WebKit: the ARIA roles keep them.
        self.out.push_str(
            "<div class=\"table-wrap\">\n<table role=\"table\">\n<thead role=\"rowgroup\">\n<tr role=\"row\">",
        );
        let labels: Vec<String> = c.table.header.iter().map(|h| plain_text(h)).collect();
        for (i, cell) in c.table.header.iter().enumerate() {
            if i == 0 && plain_text(cell).trim().is_empty() {
                self.out
                    .push_str("<td class=\"corner\" role=\"cell\"></td>");
                continue;
            }
            self.out
                .push_str("<th scope=\"col\" role=\"columnheader\">");
            self.cell(cell);
            self.out.push_str("</th>");
        }
        self.out
            .push_str("</tr>\n</thead>\n<tbody role=\"rowgroup\">\n");
        for row in &c.table.rows {
            self.out.push_str("<tr role=\"row\">");
            for (i, cell) in row.iter().enumerate() {
                if i == 0 {
                    self.out.push_str("<th scope=\"row\" role=\"rowheader\">");
                    self.cell(cell);
                    self.out.push_str("</th>");
                } else {
                    let _ = write!(
                        self.out,
                        "<td role=\"cell\" data-label=\"{}\">",
                        escape(labels.get(i).map(String::as_str).unwrap_or(""))
                    );
                    self.cell(cell);
                    self.out.push_str("</td>");
                }
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table>\n</div>\n");
        self.blocks(&c.after, false);
        self.out.push_str("</aside>\n");
    }

    /// Resources with clickable phone (`tel:`) and web links; in the appendix, with the
    /// articles that cite them.
    fn resources(&mut self, ids: &[usize], cited_by: bool) {
        self.out.push_str("<ul class=\"resources\">\n");
        let entry_pages = std::mem::take(&mut self.entry_pages);
        for (k, &i) in ids.iter().enumerate() {
            let Some(r) = self.book.resources.get(i) else {
                continue;
            };
            let _ = writeln!(
                self.out,
                "<li class=\"resource\" id=\"res-{}\">",
                escape(&r.id)
            );
            // The printed page turns in this entry: its marker is inside it.
            for (_, label) in entry_pages.iter().filter(|(item, _)| *item == k) {
                self.page_break(label);
            }
            // A heading, so screen readers can move from one resource to the next.
            let level = (self.level.max(1) + 1).min(6);
            let _ = writeln!(
                self.out,
                "<h{level} class=\"resource-name\"{}>{}</h{level}>",
                self.data_dir(),
                escape(&r.name)
            );
            if let Some(d) = &r.description {
                let _ = writeln!(self.out, "<p{}>{}</p>", self.data_dir(), escape(d));
            }
            if let Some(p) = &r.phone {
                let region = self.book.meta.region();
                let tel = crate::locale::phone::tel_uri(p, region.as_deref());
                let (before, after) = self.locale.around(Text::HelpCall, "phone");
                let _ = writeln!(
                    self.out,
                    "<p class=\"phone\">{}<a href=\"{}\"{}>{}</a>{}</p>",
                    escape(before),
                    escape(&tel),
                    if self.locale.is_rtl() {
                        " dir=\"ltr\""
                    } else {
                        ""
                    },
                    escape(p),
                    escape(after)
                );
            }
            if let Some(u) = &r.url {
                let _ = writeln!(
                    self.out,
                    "<p class=\"url\"><a href=\"{0}\">{0}</a></p>",
                    escape(u)
                );
            }
            if let Some(h) = &r.hours {
                let hours = self.locale.fill(Text::HelpHours, &[("hours", h)]);
                let _ = writeln!(self.out, "<p class=\"detail\">{}</p>", escape(&hours));
            }
            if !r.languages.is_empty() {
                let separator = self.locale.text(Text::ListSeparator);
                let languages = self.locale.fill(
                    Text::HelpLanguages,
                    &[("languages", &r.languages.join(separator))],
                );
                let _ = writeln!(self.out, "<p class=\"detail\">{}</p>", escape(&languages));
            }
            if cited_by && !r.cited_by.is_empty() {
                let (before, after) = self.locale.around(Text::HelpMentionedIn, "articles");
                let separator = escape(self.locale.text(Text::ListSeparator));
                let _ = write!(self.out, "<p class=\"cited\">{}", escape(before));
                for (k, &a) in r.cited_by.iter().enumerate() {
                    if k > 0 {
                        self.out.push_str(&separator);
                    }
                    let art = &self.book.articles[a];
                    let _ = write!(
                        self.out,
                        "<a href=\"{}\">{}</a>",
                        escape(&file_name(art)),
                        escape(&art.title_text())
                    );
                }
                let _ = writeln!(self.out, "{}</p>", escape(after));
            }
            self.out.push_str("</li>\n");
        }
        self.out.push_str("</ul>\n");
    }

    fn image(&mut self, img: &Image) {
        match &img.src {
            ImageSource::Local { path, .. } => {
                let name = self.images.get(path).cloned().unwrap_or_default();
                let _ = write!(
                    self.out,
                    "<img src=\"{}\" alt=\"{}\"/>",
                    escape(&name),
                    escape(&img.alt)
                );
            }
            ImageSource::Remote(_) => {
                let note = self
                    .locale
                    .fill(Text::ImagePlaceholder, &[("alt", &img.alt)]);
                let _ = write!(
                    self.out,
                    "<span class=\"missing-image\">{}</span>",
                    escape(&note)
                );
            }
        }
    }

    fn href(&self, target: &LinkTarget) -> String {
        match target {
            LinkTarget::External(url) => url.clone(),
            LinkTarget::Internal { article, anchor } => {
                let file = if *article == self.index {
                    String::new()
                } else {
                    file_name(&self.book.articles[*article])
                };
                match anchor {
                    Some(a) => format!("{file}#{a}"),
                    None if file.is_empty() => "#".to_string() + &self.title_id(),
                    None => file,
                }
            }
        }
    }

    /// In a right-to-left article, text from resources.yaml takes its direction from its
    /// own first strong character (it may be in another language).
    fn data_dir(&self) -> &'static str {
        if self.locale.is_rtl() {
            " dir=\"auto\""
        } else {
            ""
        }
    }

    fn title_id(&self) -> String {
        self.article
            .title_heading()
            .map(|h| h.id.clone())
            .unwrap_or_default()
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for i in inlines {
            match i {
                Inline::Text(t) if self.locale.is_rtl() => self.out.push_str(&isolated_numbers(t)),
                Inline::Text(t) if self.in_cell => {
                    let h = crate::locale::hyphenation::patterns(&self.article.lang);
                    self.out.push_str(&escape(&soft_hyphens(t, h)))
                }
                Inline::Text(t) => self.out.push_str(&escape(t)),
                Inline::Code(t) => {
                    let _ = write!(self.out, "<code>{}</code>", escape(t));
                }
                Inline::Emphasis(c) => self.wrap("em", c),
                Inline::Strong(c) => self.wrap("strong", c),
                Inline::Strikethrough(c) => self.wrap("del", c),
                Inline::Link { target, content } => {
                    let _ = write!(self.out, "<a href=\"{}\">", escape(&self.href(target)));
                    self.inlines(content);
                    self.out.push_str("</a>");
                }
                Inline::Image(img) => self.image(img),
                Inline::FootnoteRef(n) => {
                    let seen = self.note_refs.entry(*n).or_insert(0);
                    *seen += 1;
                    let id = if *seen == 1 {
                        format!("fnref{n}")
                    } else {
                        format!("fnref{n}-{seen}")
                    };
                    let _ = write!(
                        self.out,
                        "<sup><a epub:type=\"noteref\" role=\"doc-noteref\" href=\"#fn{n}\" id=\"{id}\">{n}</a></sup>"
                    );
                }
                Inline::SoftBreak => self.out.push('\n'),
                Inline::HardBreak => self.out.push_str("<br/>\n"),
                Inline::Anchor(id) => {
                    let _ = write!(self.out, "<span id=\"{}\"></span>", escape(id));
                }
                Inline::Styled { style, content } => match style {
                    HtmlStyle::Abbreviation(Some(title)) => {
                        let _ = write!(self.out, "<abbr title=\"{}\">", escape(title));
                        self.inlines(content);
                        self.out.push_str("</abbr>");
                    }
                    _ => self.wrap(style.tag(), content),
                },
            }
        }
    }

    fn wrap(&mut self, tag: &str, content: &[Inline]) {
        let _ = write!(self.out, "<{tag}>");
        self.inlines(content);
        let _ = write!(self.out, "</{tag}>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small article using every block the reader makes, against the XHTML it must give.
    /// After a deliberate change to the markup, `HANDOUT_BLESS=1 cargo test` rewrites the file.
    #[test]
    fn a_small_article_gives_the_expected_xhtml() {
        let md = "---\ntitle: A small article\nsummary: What it says, in short.\nresources: [helpline]\n---\n\nSome *emphasis*, **strong**, `code` and a [link](https://www.fda.gov/).[^1]\n\n## A list\n\n1. First\n2. Second\n   - [x] done\n   - [ ] open\n\n> [!WARNING]\n> Call 911 in an emergency.\n\n> [!COMPARISON] Two things\n>\n> | | One | Two |\n> |---|---|---|\n> | Speed | Fast | Slow |\n\n| Left | Right |\n|:--|--:|\n| a < b | 2 |\n\n```rust\nfn main() {}\n```\n\n---\n\nH<sub>2</sub>O and <abbr title=\"Food and Drug Administration\">FDA</abbr>.\n\n[^1]: A note with a [second link](#a-list).\n";
        let dir = std::env::temp_dir().join(format!("handout-xhtml-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("articles")).unwrap();
        std::fs::write(dir.join("articles/small.md"), md).unwrap();
        std::fs::write(dir.join("book.yaml"), "title: T\nlanguage: en-US\n").unwrap();
        std::fs::write(
            dir.join("resources.yaml"),
            "- id: helpline\n  name: A helpline\n  category: Helplines\n  phone: 1-800-662-4357\n  url: https://www.samhsa.gov/\n  hours: Always\n",
        )
        .unwrap();
        let book = crate::read::load(&dir)
            .map_err(|d| format!("{d:?}"))
            .unwrap()
            .book;
        let _ = std::fs::remove_dir_all(&dir);
        let page = |block, label: &str| PageStart {
            article: 0,
            block,
            item: None,
            label: label.into(),
        };
        let pages = [page(0, "1"), page(3, "2")];
        let got = article(&book, 0, &ImageNames::new(), &pages);
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/expected/small-article.xhtml");
        if std::env::var_os("HANDOUT_BLESS").is_some() {
            std::fs::write(&path, &got).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap();
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(got.lines().count().min(want.lines().count()));
            panic!(
                "the XHTML differs from {} at line {}:\n got: {:?}\nwant: {:?}",
                path.display(),
                line + 1,
                got.lines().nth(line),
                want.lines().nth(line)
            );
        }
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        assert!(
            roxmltree::Document::parse_with_options(&got, options).is_ok(),
            "well-formed"
        );
    }
}
