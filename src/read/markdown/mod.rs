//! Markdown → document model. One pass over pulldown-cmark's event stream; links and images
//! are resolved through the caller's context so this module never touches the file system.

use super::html;
mod html_blocks;
use super::includes::SourceMap;
use crate::diag::{did_you_mean, Diagnostic, LineIndex};
use crate::model::*;
use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use std::collections::HashMap;
use std::path::Path;

/// What the reader needs from the outside world.
pub trait Resolver {
    /// The article a relative link path points to (path without the `#fragment`).
    fn article(&self, link_path: &str) -> Option<usize>;
    /// An image source, read and checked, with warnings about it; `Err` is the message for
    /// the diagnostic.
    fn image(&self, src: &str) -> Result<(ImageSource, Vec<String>), String>;
    /// The prefix that hides a line of code in `lang` (besides Rust's `# `), if any.
    fn hidden_line_prefix(&self, _lang: &str) -> Option<&str> {
        None
    }
    /// The article path nearest to a link path that names none, written as a link from
    /// this article would write it.
    fn nearest_article(&self, _link_path: &str) -> Option<String> {
        None
    }
}

/// A link to an anchor: (article index, anchor, line, column).
pub type AnchorRef = (usize, String, usize, usize);

/// The result of reading one article's Markdown.
#[derive(Debug, Default)]
pub struct Parsed {
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    /// Anchors this article links to, checked once every article is read.
    pub anchor_refs: Vec<AnchorRef>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Frames deeper than this are flattened.
const MAX_DEPTH: usize = 40;

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

enum Frame {
    Root(Vec<Block>),
    Paragraph(Vec<Inline>),
    Heading {
        level: u8,
        id: Option<String>,
        content: Vec<Inline>,
    },
    Quote {
        kind: Option<AlertKind>,
        blocks: Vec<Block>,
        offset: usize,
    },
    List {
        start: Option<u64>,
        items: Vec<ListItem>,
    },
    Item {
        task: Option<bool>,
        blocks: Vec<Block>,
        loose: Vec<Inline>,
    },
    Code {
        lang: Option<String>,
        /// mdBook's `hidelines=PREFIX` from the info string.
        hide: Option<String>,
        text: String,
    },
    /// An HTML block being collected, and where it starts.
    Html(String, usize),
    /// An inline HTML element opened and not yet closed: `<sup>`, `<a href>`, …
    HtmlSpan {
        tag: String,
        /// `<strong>`, `<b>`, `<em>`, `<i>`, `<code>`: the Markdown span they stand for.
        kind: Option<SpanKind>,
        style: Option<HtmlStyle>,
        link: Option<Option<LinkTarget>>,
        content: Vec<Inline>,
    },
    Table {
        align: Vec<Align>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Row(Vec<Vec<Inline>>),
    Cell(Vec<Inline>),
    Span {
        kind: SpanKind,
        content: Vec<Inline>,
    },
    Link {
        target: Option<LinkTarget>,
        content: Vec<Inline>,
    },
    Image {
        src: String,
        title: String,
        alt: String,
        offset: usize,
    },
    FootnoteDef {
        label: String,
        blocks: Vec<Block>,
    },
}

#[derive(Clone, Copy)]
enum SpanKind {
    Emphasis,
    Strong,
    Strike,
    /// HTML's `<code>` (Markdown's code spans are one event).
    Code,
}

struct Reader<'a, R: Resolver> {
    resolver: &'a R,
    file: &'a Path,
    lines: &'a LineIndex<'a>,
    /// Where the (expanded) body's offsets were in the file.
    map: Option<&'a SourceMap>,
    /// Byte offset of the Markdown body inside the file (after front matter).
    base: usize,
    article: usize,
    stack: Vec<Frame>,
    footnote_numbers: HashMap<String, usize>,
    footnote_defs: HashMap<String, Vec<Block>>,
    heading_ids: HashMap<String, usize>,
    /// The level of the last heading, to warn when a level is skipped.
    last_level: u8,
    /// For each element started, whether a frame was pushed for it (see MAX_DEPTH).
    opened: Vec<bool>,
    warned_depth: bool,
    /// Inside `<script>`, `<style>` and the like: their text never reaches the output.
    suppressed: Option<String>,
    /// HTML tags already reported as not rendered (once per article each).
    dropped_tags: std::collections::HashSet<String>,
    /// HTML elements open, innermost last, and the HTML tables being read.
    html_open: Vec<html_blocks::OpenHtml>,
    html_tables: Vec<html_blocks::HtmlTable>,
    /// The depths of the paragraph frames that are HTML `<figcaption>`s: they end as the
    /// caption of the figure before them, not as paragraphs after it.
    figcaptions: Vec<usize>,
    out: Parsed,
}

/// Reads `body` (the Markdown after any front matter, starting at byte `base` of the file whose
/// whole text `lines` indexes). `article` is this article's index, for `#anchor` links.
pub fn parse<R: Resolver>(
    body: &str,
    base: usize,
    lines: &LineIndex,
    file: &Path,
    article: usize,
    resolver: &R,
) -> Parsed {
    parse_mapped(body, base, lines, None, file, article, resolver)
}

/// Like `parse`, for a body whose directives were expanded: `map` leads its offsets back to
/// the file's.
pub fn parse_mapped<R: Resolver>(
    body: &str,
    base: usize,
    lines: &LineIndex,
    map: Option<&SourceMap>,
    file: &Path,
    article: usize,
    resolver: &R,
) -> Parsed {
    let mut reader = Reader {
        resolver,
        file,
        lines,
        map,
        base,
        article,
        stack: vec![Frame::Root(Vec::new())],
        footnote_numbers: HashMap::new(),
        footnote_defs: HashMap::new(),
        heading_ids: HashMap::new(),
        last_level: 1,
        opened: Vec::new(),
        warned_depth: false,
        suppressed: None,
        dropped_tags: Default::default(),
        html_open: Vec::new(),
        html_tables: Vec::new(),
        figcaptions: Vec::new(),
        out: Parsed::default(),
    };
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        reader.event(event, range.start);
    }
    reader.finish()
}

impl<'a, R: Resolver> Reader<'a, R> {
    fn pos(&self, offset: usize) -> (usize, usize) {
        let offset = self.map.map_or(offset, |m| m.original(offset));
        self.lines.line_col(self.base + offset)
    }

    fn warn(&mut self, offset: usize, msg: String) {
        let (l, c) = self.pos(offset);
        self.out
            .diagnostics
            .push(Diagnostic::warning(self.file, l, c, msg));
    }

    fn error(&mut self, offset: usize, msg: String) {
        let (l, c) = self.pos(offset);
        self.out
            .diagnostics
            .push(Diagnostic::error(self.file, l, c, msg));
    }

    fn event(&mut self, event: Event, offset: usize) {
        match event {
            Event::Start(tag) => self.start(tag, offset),
            Event::End(tag) => {
                self.close_html_inside_top();
                self.end(tag)
            }
            Event::Text(_) if self.suppressed.is_some() => {}
            Event::Text(t) => {
                if let Some(Frame::Code { text, .. }) = self.stack.last_mut() {
                    text.push_str(&t);
                } else if let Some(Frame::Image { alt, .. }) = self.stack.last_mut() {
                    alt.push_str(&t);
                } else {
                    self.inline(Inline::Text(t.into_string()));
                }
            }
            Event::Code(t) => {
                if let Some(Frame::Image { alt, .. }) = self.stack.last_mut() {
                    alt.push_str(&t);
                } else {
                    self.inline(Inline::Code(t.into_string()))
                }
            }
            // Comments are notes to the author, never content.
            Event::InlineHtml(t) if is_comment(&t) => {}
            Event::Html(t) => {
                if let Some(Frame::Html(s, _)) = self.stack.last_mut() {
                    s.push_str(&t);
                } else {
                    self.html(&t, offset);
                }
            }
            Event::InlineHtml(t) => self.html(&t, offset),
            Event::SoftBreak => self.inline(Inline::SoftBreak),
            Event::HardBreak => self.inline(Inline::HardBreak),
            Event::Rule => self.block(Block::Rule),
            Event::TaskListMarker(checked) => {
                if let Some(Frame::Item { task, .. }) = self.stack.last_mut() {
                    *task = Some(checked);
                }
            }
            Event::FootnoteReference(label) => {
                let next = self.footnote_numbers.len() + 1;
                let n = *self
                    .footnote_numbers
                    .entry(label.into_string())
                    .or_insert(next);
                self.inline(Inline::FootnoteRef(n));
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.inline(Inline::Code(t.into_string()))
            }
        }
    }

    fn start(&mut self, tag: Tag, offset: usize) {
        if let Tag::Table(aligns) = &tag {
            if aligns.len() > MAX_TABLE_COLUMNS {
                self.error(
                    offset,
                    format!(
                        "this table has {} columns; at most {MAX_TABLE_COLUMNS} fit on a page or a screen: split it, or turn it into a list",
                        aligns.len()
                    ),
                );
            }
        }
        // Past a sane depth, nested quotes, lists and spans are flattened into their parent, so
        // no input can exhaust the stack of the writers that walk the model.
        let container = matches!(
            tag,
            Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::FootnoteDefinition(_)
        );
        if container && self.too_deep(offset) {
            self.opened.push(false);
            return;
        }
        self.opened.push(true);
        let frame = match tag {
            Tag::Paragraph => Frame::Paragraph(Vec::new()),
            Tag::Heading { level, id, .. } => {
                let level = heading_level(level);
                // A heading may go one level deeper than the last, or back up any number.
                if level > self.last_level + 1 {
                    let last = self.last_level;
                    self.warn(offset, format!("heading level {level} follows level {last}: a level is skipped (use level {})", last + 1));
                }
                self.last_level = level;
                Frame::Heading {
                    level,
                    id: id.map(|s| s.into_string()),
                    content: Vec::new(),
                }
            }
            Tag::BlockQuote(kind) => Frame::Quote {
                kind: kind.map(alert_kind),
                blocks: Vec::new(),
                offset,
            },
            Tag::CodeBlock(kind) => Frame::Code {
                lang: match kind {
                    CodeBlockKind::Fenced(ref info) => info
                        .split(|c: char| c.is_whitespace() || c == ',')
                        .next()
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                    CodeBlockKind::Indented => None,
                },
                hide: match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',')
                        .find_map(|a| a.strip_prefix("hidelines="))
                        .filter(|p| !p.is_empty())
                        .map(str::to_string),
                    CodeBlockKind::Indented => None,
                },
                text: String::new(),
            },
            Tag::HtmlBlock => Frame::Html(String::new(), offset),
            Tag::List(start) => Frame::List {
                start,
                items: Vec::new(),
            },
            Tag::Item => Frame::Item {
                task: None,
                blocks: Vec::new(),
                loose: Vec::new(),
            },
            Tag::FootnoteDefinition(label) => Frame::FootnoteDef {
                label: label.into_string(),
                blocks: Vec::new(),
            },
            Tag::Table(aligns) => Frame::Table {
                align: aligns
                    .into_iter()
                    .map(|a| match a {
                        pulldown_cmark::Alignment::None => Align::None,
                        pulldown_cmark::Alignment::Left => Align::Left,
                        pulldown_cmark::Alignment::Center => Align::Center,
                        pulldown_cmark::Alignment::Right => Align::Right,
                    })
                    .collect(),
                header: Vec::new(),
                rows: Vec::new(),
            },
            Tag::TableHead | Tag::TableRow => Frame::Row(Vec::new()),
            Tag::TableCell => Frame::Cell(Vec::new()),
            Tag::Emphasis => Frame::Span {
                kind: SpanKind::Emphasis,
                content: Vec::new(),
            },
            Tag::Strong => Frame::Span {
                kind: SpanKind::Strong,
                content: Vec::new(),
            },
            Tag::Strikethrough => Frame::Span {
                kind: SpanKind::Strike,
                content: Vec::new(),
            },
            Tag::Link { dest_url, .. } => Frame::Link {
                target: self.link_target(&dest_url, offset),
                content: Vec::new(),
            },
            Tag::Image {
                dest_url, title, ..
            } => Frame::Image {
                src: dest_url.into_string(),
                title: title.into_string(),
                alt: String::new(),
                offset,
            },
            // Not enabled in `options()`; kept total so a future option cannot panic here.
            Tag::MetadataBlock(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript => Frame::Span {
                kind: SpanKind::Emphasis,
                content: Vec::new(),
            },
        };
        self.stack.push(frame);
    }

    fn end(&mut self, tag: TagEnd) {
        // A container too deep to keep was never opened.
        if self.opened.pop() == Some(false) {
            return;
        }
        // HTML elements left open inside this element end with it.
        self.close_html_spans();
        let Some(frame) = self.stack.pop() else {
            return;
        };
        if matches!(frame, Frame::Root(_)) {
            self.stack.push(frame);
            return;
        }
        let depth = self.stack.len() + 1;
        match frame {
            Frame::Root(_) => {}
            Frame::Paragraph(content) if self.figcaptions.last() == Some(&depth) => {
                self.figcaptions.pop();
                self.block(Block::Caption {
                    content: trim_inlines(content),
                    above: false,
                });
            }
            Frame::Paragraph(content) => self.end_paragraph(content),
            Frame::Heading { level, id, content } => {
                let base = match id {
                    Some(id) if !id.is_empty() => xml_id(&id),
                    _ => slugify(&plain_text(&content)),
                };
                let id = self.unique_heading_id(base);
                self.block(Block::Heading(Heading {
                    level,
                    id,
                    content,
                    is_title: false,
                }));
            }
            Frame::Quote {
                kind,
                blocks,
                offset,
            } => match kind {
                Some(kind) => self.block(Block::Alert { kind, blocks }),
                None => match self.comparison(blocks, offset) {
                    Ok(block) => self.block(block),
                    Err(()) => {}
                },
            },
            Frame::Code { lang, hide, text } => {
                let text = hide_lines(&text, lang.as_deref(), hide.as_deref(), self.resolver);
                self.block(Block::Code { lang, text })
            }
            Frame::Html(s, _) if strip_comments(&s).trim().is_empty() => {}
            Frame::Html(s, offset) => match anchors_only(&strip_comments(&s)) {
                Some(ids) => ids
                    .into_iter()
                    .for_each(|id| self.block(Block::Anchor(xml_id(&id)))),
                None => self.html_block(&s, offset),
            },
            Frame::HtmlSpan { .. } => {}
            Frame::List { start, items } => self.block(Block::List(List { start, items })),
            Frame::Item {
                task,
                mut blocks,
                loose,
            } => {
                if !loose.is_empty() {
                    blocks.push(Block::Paragraph(loose));
                }
                if let Some(Frame::List { items, .. }) = self.stack.last_mut() {
                    items.push(ListItem { task, blocks });
                }
            }
            Frame::FootnoteDef { label, blocks } => {
                self.footnote_defs.insert(label, blocks);
            }
            Frame::Table {
                align,
                header,
                rows,
            } => self.block(Block::Table(Table {
                align,
                header,
                rows,
            })),
            Frame::Row(cells) => {
                if let Some(Frame::Table { header, rows, .. }) = self.stack.last_mut() {
                    if matches!(tag, TagEnd::TableHead) {
                        *header = cells;
                    } else {
                        rows.push(cells);
                    }
                }
            }
            Frame::Cell(content) => {
                if let Some(Frame::Row(cells)) = self.stack.last_mut() {
                    cells.push(content);
                }
            }
            Frame::Span { kind, content } => self.inline(match kind {
                SpanKind::Emphasis => Inline::Emphasis(content),
                SpanKind::Strong => Inline::Strong(content),
                SpanKind::Strike => Inline::Strikethrough(content),
                SpanKind::Code => Inline::Code(plain_text(&content)),
            }),
            Frame::Link { target, content } => match target {
                Some(target) => self.inline(Inline::Link { target, content }),
                None => {
                    for i in content {
                        self.inline(i);
                    }
                }
            },
            Frame::Image {
                src,
                title,
                alt,
                offset,
            } => self.end_image(src, title, alt, offset),
        }
    }

    /// A paragraph ends: an image alone in it (blank text around an HTML `<img>` aside) is a
    /// figure, anchors alone are anchors, an empty one is nothing.
    fn end_paragraph(&mut self, content: Vec<Inline>) {
        // An image alone in its paragraph (blank text around an HTML `<img>` aside)
        // is a figure.
        let mut visible = content.iter().filter(|i| {
            !matches!(i, Inline::SoftBreak) && !matches!(i, Inline::Text(t) if t.trim().is_empty())
        });
        let figure = match (visible.next(), visible.next()) {
            (Some(Inline::Image(img)), None) => Some(img.clone()),
            _ => None,
        };
        let only_anchors = !content.is_empty()
            && content
                .iter()
                .all(|i| matches!(i, Inline::Anchor(_) | Inline::SoftBreak));
        if let [Inline::Styled {
            style: HtmlStyle::Label { above },
            content,
        }] = content.as_slice()
        {
            return self.block(Block::Caption {
                content: content.clone(),
                above: *above,
            });
        }
        match figure {
            Some(img) => self.block(Block::Figure(img)),
            None if only_anchors => {
                for i in content {
                    if let Inline::Anchor(id) = i {
                        self.block(Block::Anchor(id));
                    }
                }
            }
            None if content.is_empty() => {}
            None => self.block(Block::Paragraph(content)),
        }
    }

    /// An image ends: resolved (a missing file is an error at its position), warned about
    /// when it has no alt text or is remote.
    fn end_image(&mut self, src: String, title: String, alt: String, offset: usize) {
        match self.resolver.image(&src) {
            Ok((source, notes)) => {
                for note in notes {
                    self.warn(offset, note);
                }
                if alt.trim().is_empty() {
                    self.warn(offset, format!("image `{src}` has no alt text"));
                }
                if let ImageSource::Remote(url) = &source {
                    self.warn(
                        offset,
                        format!("remote image `{url}` is not fetched; its alt text stands in"),
                    );
                }
                let title = Some(title).filter(|t| !t.is_empty());
                self.inline(Inline::Image(Image {
                    src: source,
                    alt,
                    title,
                }));
            }
            Err(msg) => self.error(offset, msg),
        }
    }

    /// Inline or block HTML: the elements in the safe set are rendered (`img`, `br`, `a`,
    /// `sup`, `sub`, `kbd`, `span`, `abbr`, `del`, `ins`, `mark`, `small`); any other tag is
    /// dropped with a warning and its text kept; scripts and styles are dropped whole.
    fn html(&mut self, src: &str, offset: usize) {
        for token in html::tokens(src) {
            match token {
                html::Token::Text(t) => {
                    if self.suppressed.is_none() {
                        self.inline(Inline::Text(t.replace(['\n', '\r'], " ")));
                    }
                }
                html::Token::Tag {
                    name,
                    closing,
                    self_closing,
                    attrs,
                } => self.html_tag(name, closing, self_closing, attrs, offset),
            }
        }
    }

    /// One inline HTML tag (or a block tag where only inline content fits).
    fn html_tag(
        &mut self,
        name: String,
        closing: bool,
        self_closing: bool,
        attrs: Vec<(String, String)>,
        offset: usize,
    ) {
        use super::html::attr;
        if let Some(s) = &self.suppressed {
            if closing && *s == name {
                self.suppressed = None;
            }
            return;
        }
        match name.as_str() {
            "script" | "style" | "iframe" | "object" | "embed" | "template" | "noscript"
            | "textarea" | "title" => {
                if !closing && !self_closing {
                    self.suppressed = Some(name.clone());
                }
                if !closing {
                    self.warn(offset, format!("`<{name}>` is dropped with its content"));
                }
            }
            "br" if !closing => self.inline(Inline::HardBreak),
            "img" if !closing => self.html_image(&attrs, offset),
            "a" if closing => self.close_html_span("a"),
            "a" => {
                if let Some(href) = attr(&attrs, "href") {
                    let target = self.link_target(href, offset);
                    if !self_closing && !self.too_deep(offset) {
                        self.stack.push(Frame::HtmlSpan {
                            tag: name,
                            kind: None,
                            style: None,
                            link: Some(target),
                            content: Vec::new(),
                        });
                    }
                } else if let Some(id) = attr(&attrs, "id").or_else(|| attr(&attrs, "name")) {
                    let id = xml_id(id);
                    self.inline(Inline::Anchor(id));
                }
            }
            _ => {
                let kind = match name.as_str() {
                    "strong" | "b" => Some(SpanKind::Strong),
                    "em" | "i" | "cite" | "var" | "dfn" => Some(SpanKind::Emphasis),
                    "code" | "tt" | "samp" => Some(SpanKind::Code),
                    _ => None,
                };
                let style = html_style(&name, &attrs);
                if kind.is_none() && style.is_none() {
                    if self.dropped_tags.insert(name.clone()) {
                        self.warn(
                            offset,
                            format!("the HTML tag `<{name}>` is not rendered; its text is kept"),
                        );
                    }
                } else if closing {
                    self.close_html_span(&name);
                } else if !self_closing && !self.too_deep(offset) {
                    self.stack.push(Frame::HtmlSpan {
                        tag: name,
                        kind,
                        style,
                        link: None,
                        content: Vec::new(),
                    });
                }
            }
        }
    }

    /// Whether the model is as deep as it may go: an inline HTML element opened past it is
    /// flattened into its parent (its closing tag then matches nothing and is ignored), as
    /// Markdown's own containers are. 4,000 nested `<span>`s overflowed the writers' stack.
    fn too_deep(&mut self, offset: usize) -> bool {
        if self.stack.len() < MAX_DEPTH {
            return false;
        }
        if !self.warned_depth {
            self.warned_depth = true;
            self.warn(
                offset,
                format!("nesting deeper than {MAX_DEPTH} levels is flattened"),
            );
        }
        true
    }

    /// `<img src alt title>`: resolved like a Markdown image.
    fn html_image(&mut self, attrs: &[(String, String)], offset: usize) {
        use super::html::attr;
        let src = attr(attrs, "src").unwrap_or("").to_string();
        let alt = attr(attrs, "alt").unwrap_or("").to_string();
        let title = attr(attrs, "title").unwrap_or("").to_string();
        if src.is_empty() {
            self.warn(offset, "`<img>` without `src` is dropped".into());
            return;
        }
        self.end_image(src, title, alt, offset);
    }

    /// Ends the innermost open HTML element if it is a `tag` (a stray closing tag is ignored).
    fn close_html_span(&mut self, tag: &str) {
        if matches!(self.stack.last(), Some(Frame::HtmlSpan { tag: t, .. }) if t == tag) {
            self.pop_html_span();
        }
    }

    fn close_html_spans(&mut self) {
        while matches!(self.stack.last(), Some(Frame::HtmlSpan { .. })) {
            self.pop_html_span();
        }
    }

    fn pop_html_span(&mut self) {
        if let Some(Frame::HtmlSpan {
            kind,
            style,
            link,
            content,
            ..
        }) = self.stack.pop()
        {
            match (kind, style, link) {
                (_, _, Some(Some(target))) => self.inline(Inline::Link { target, content }),
                (_, Some(style), _) => self.inline(Inline::Styled { style, content }),
                (Some(kind), ..) => self.inline(match kind {
                    SpanKind::Emphasis => Inline::Emphasis(content),
                    SpanKind::Strong => Inline::Strong(content),
                    SpanKind::Strike => Inline::Strikethrough(content),
                    SpanKind::Code => Inline::Code(plain_text(&content)),
                }),
                _ => content.into_iter().for_each(|i| self.inline(i)),
            }
        }
    }

    /// A quote opening with `[!WORD]` that names no alert (`[!NOET]`) would print the marker
    /// into a patient's handout: it is a warning, and the quote is set plain without it.
    fn unknown_alert_marker(&mut self, blocks: &mut Vec<Block>, offset: usize) {
        const KINDS: &[&str] = &[
            "NOTE",
            "TIP",
            "IMPORTANT",
            "WARNING",
            "CAUTION",
            "COMPARISON",
        ];
        let Some(Block::Paragraph(first)) = blocks.first_mut() else {
            return;
        };
        let text = plain_text(first);
        let lead = text.len() - text.trim_start().len();
        let Some(marker) = text.trim_start().strip_prefix("[!").and_then(|t| {
            let end = t.find(']')?;
            let word = &t[..end];
            (!word.is_empty() && word.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .then_some(word)
        }) else {
            return;
        };
        let marker = marker.to_string();
        let (line, col) = self.pos(offset);
        // The marker follows the quote's `> `.
        let d = Diagnostic::warning(
            self.file,
            line,
            col + 2,
            format!("`[!{marker}]` is not an alert kind; the quote is printed without it"),
        )
        .with_len(marker.chars().count() + 3);
        let upper = marker.to_uppercase();
        let d = match did_you_mean(&upper, KINDS) {
            Some(k) => d.with_help(format!("did you mean `[!{k}]`?")),
            None => d.with_help(format!("the alert kinds are {}", KINDS.join(", "))),
        };
        self.out.diagnostics.push(d);
        strip_leading_text(first, lead + marker.len() + 3);
        if first.is_empty() {
            blocks.remove(0);
        }
    }

    /// A quote that starts with `[!COMPARISON] Title` becomes a comparison sidebar; any other
    /// quote stays a quote (`Ok`). A comparison without a table is an error (`Err`, reported).
    fn comparison(&mut self, mut blocks: Vec<Block>, offset: usize) -> Result<Block, ()> {
        const MARK: &str = "[!COMPARISON]";
        let is_comparison = matches!(blocks.first(), Some(Block::Paragraph(i)) if plain_text(i).trim_start().starts_with(MARK));
        if !is_comparison {
            self.unknown_alert_marker(&mut blocks, offset);
            return Ok(Block::Quote(blocks));
        }
        let Block::Paragraph(first) = blocks.remove(0) else {
            return Ok(Block::Quote(blocks));
        };
        // The title is the rest of the marker's line; anything after it is an opening paragraph.
        let mut title = Vec::new();
        let mut rest = Vec::new();
        let mut in_title = true;
        let mut seen_mark = String::new();
        for inline in first {
            if in_title && matches!(inline, Inline::SoftBreak | Inline::HardBreak) {
                in_title = false;
                continue;
            }
            if !in_title {
                rest.push(inline);
                continue;
            }
            // Strip the marker, which pulldown-cmark may deliver in several text pieces.
            if seen_mark.len() < MARK.len() {
                if let Inline::Text(t) = &inline {
                    let t = t.trim_start();
                    let need = &MARK[seen_mark.len()..];
                    if let Some(after) = t.strip_prefix(need) {
                        seen_mark.push_str(need);
                        if !after.trim().is_empty() {
                            title.push(Inline::Text(after.trim_start().to_string()));
                        }
                        continue;
                    } else if need.starts_with(t) && !t.is_empty() {
                        seen_mark.push_str(t);
                        continue;
                    }
                }
            }
            title.push(inline);
        }
        if let Some(Inline::Text(t)) = title.first_mut() {
            *t = t.trim_start().to_string();
        }
        if !rest.is_empty() {
            blocks.insert(0, Block::Paragraph(rest));
        }
        let Some(pos) = blocks.iter().position(|b| matches!(b, Block::Table(_))) else {
            self.error(offset, "a `[!COMPARISON]` sidebar needs a table: its first row names what is compared, its first column the aspects".into());
            return Err(());
        };
        let after = blocks.split_off(pos + 1);
        let Some(Block::Table(table)) = blocks.pop() else {
            return Err(());
        };
        if table.header.len() < 3 {
            self.error(offset, format!("a comparison table needs an aspect column and at least two things compared; this one has {} column(s)", table.header.len()));
            return Err(());
        }
        let base = slugify(&plain_text(&title));
        let id = self.unique_heading_id(format!("compare-{base}"));
        Ok(Block::Comparison(Comparison {
            id,
            title,
            before: blocks,
            table,
            after,
        }))
    }

    fn unique_heading_id(&mut self, base: String) -> String {
        let n = self.heading_ids.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            base
        } else {
            format!("{base}-{}", *n - 1)
        }
    }

    fn link_target(&mut self, dest: &str, offset: usize) -> Option<LinkTarget> {
        let dest = dest.trim();
        if dest.is_empty() {
            return None;
        }
        let lower = dest.to_ascii_lowercase();
        if ["http:", "https:", "mailto:", "tel:"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            return match crate::url::normalize(dest) {
                Some(url) => Some(LinkTarget::External(url)),
                None => {
                    self.warn(
                        offset,
                        format!("`{dest}` is not a valid address; printed as plain text"),
                    );
                    None
                }
            };
        }
        if has_scheme(dest) {
            self.warn(
                offset,
                format!(
                    "link to `{dest}` uses a scheme readers cannot follow; printed as plain text"
                ),
            );
            return None;
        }
        let (path, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a).filter(|a| !a.is_empty()).map(xml_id)),
            None => (dest, None),
        };
        let article = if path.is_empty() {
            Some(self.article)
        } else {
            self.resolver.article(path)
        };
        match article {
            Some(article) => {
                if let Some(a) = &anchor {
                    let (l, c) = self.pos(offset);
                    self.out.anchor_refs.push((article, a.clone(), l, c));
                }
                Some(LinkTarget::Internal { article, anchor })
            }
            None if path.to_ascii_lowercase().ends_with(".md") => {
                self.error(
                    offset,
                    format!("link to `{dest}`: no article of the book is at `{path}`"),
                );
                if let Some(near) = self.resolver.nearest_article(&path) {
                    if let Some(d) = self.out.diagnostics.pop() {
                        let d = d.with_help(format!("did you mean `{near}`?"));
                        self.out.diagnostics.push(d);
                    }
                }
                None
            }
            None => {
                self.warn(
                    offset,
                    format!("link to `{dest}` leads outside the book; printed as plain text"),
                );
                None
            }
        }
    }

    fn block(&mut self, block: Block) {
        match self.stack.last_mut() {
            Some(Frame::Root(b))
            | Some(Frame::Quote { blocks: b, .. })
            | Some(Frame::FootnoteDef { blocks: b, .. }) => {
                // mdBook's caption span goes under a figure but over a table ("Table B-1:
                // Operators" in the Rust book): one just before a table labels it.
                if let (Block::Table(_), Some(Block::Caption { above, .. })) =
                    (&block, b.last_mut())
                {
                    *above = true;
                }
                b.push(block)
            }
            Some(Frame::Item { blocks, loose, .. }) => {
                if !loose.is_empty() {
                    blocks.push(Block::Paragraph(std::mem::take(loose)));
                }
                blocks.push(block);
            }
            // Markdown inside an HTML table cell (`<td>`, a blank line, paragraphs): a cell
            // holds one run of text, so each block is a line of it.
            Some(Frame::Cell(c)) => {
                if !c.is_empty() {
                    c.push(Inline::HardBreak);
                }
                match block {
                    Block::Paragraph(inl) | Block::Heading(Heading { content: inl, .. }) => {
                        c.extend(inl)
                    }
                    Block::Code { text, .. } => c.push(Inline::Code(text.trim_end().to_string())),
                    other => c.push(Inline::Text(block_text(&other))),
                }
            }
            // Other inline containers cannot hold a block (pulldown-cmark never nests one so).
            _ => {}
        }
    }

    fn inline(&mut self, inline: Inline) {
        match self.stack.last_mut() {
            Some(Frame::Paragraph(c))
            | Some(Frame::Heading { content: c, .. })
            | Some(Frame::Cell(c))
            | Some(Frame::Span { content: c, .. })
            | Some(Frame::Link { content: c, .. })
            | Some(Frame::HtmlSpan { content: c, .. })
            | Some(Frame::Item { loose: c, .. }) => c.push(inline),
            Some(Frame::Image { alt, .. }) => {
                alt.push_str(&plain_text(std::slice::from_ref(&inline)))
            }
            Some(Frame::Code { text, .. }) => {
                text.push_str(&plain_text(std::slice::from_ref(&inline)))
            }
            Some(Frame::Html(s, _)) => s.push_str(&plain_text(std::slice::from_ref(&inline))),
            _ => self.block(Block::Paragraph(vec![inline])),
        }
    }

    fn finish(mut self) -> Parsed {
        self.close_html_spans();
        while self.stack.len() > 1 {
            self.end(TagEnd::Paragraph);
        }
        if let Some(Frame::Root(blocks)) = self.stack.pop() {
            self.out.blocks = blocks;
        }
        let mut numbered: Vec<(usize, String)> =
            self.footnote_numbers.drain().map(|(l, n)| (n, l)).collect();
        numbered.sort();
        for (number, label) in numbered {
            let blocks = self.footnote_defs.remove(&label).unwrap_or_default();
            self.out.footnotes.push(Footnote {
                label,
                number,
                blocks,
            });
        }
        self.out
    }
}

/// `html` with every `<!-- … -->` removed (an unclosed comment runs to the end).
fn strip_comments(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        match rest[i + 4..].find("-->") {
            Some(j) => rest = &rest[i + 4 + j + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Whether an inline HTML event is a comment (`<!-->` and `<!--->` are empty comments too).
fn is_comment(html: &str) -> bool {
    let t = html.trim();
    t.starts_with("<!--") && t.ends_with("-->")
}

/// The id of an `<a id="…">` or `<a name="…">` opening tag with no other attributes.
fn anchor_tag(html: &str) -> Option<String> {
    let t = html.trim();
    let rest = t.strip_prefix("<a ")?.strip_suffix('>')?.trim();
    let rest = rest
        .strip_prefix("id=")
        .or_else(|| rest.strip_prefix("name="))?;
    let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = rest[1..].strip_suffix(q)?;
    (!value.is_empty() && !value.contains(q)).then(|| value.to_string())
}

/// The ids when an HTML block holds nothing but `<a id="…"></a>` anchors.
fn anchors_only(html: &str) -> Option<Vec<String>> {
    let mut ids = Vec::new();
    let mut rest = html.trim();
    while !rest.is_empty() {
        let end = rest.find('>')? + 1;
        ids.push(anchor_tag(&rest[..end])?);
        rest = rest[end..].trim_start().strip_prefix("</a>")?.trim_start();
    }
    (!ids.is_empty()).then_some(ids)
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Removes the first `n` bytes of text from a paragraph's leading text pieces (and a line
/// break left first).
fn strip_leading_text(inlines: &mut Vec<Inline>, mut n: usize) {
    while n > 0 {
        match inlines.first_mut() {
            Some(Inline::Text(t)) if t.len() <= n => {
                n -= t.len();
                inlines.remove(0);
            }
            Some(Inline::Text(t)) => {
                let cut = (n..=t.len())
                    .find(|&i| t.is_char_boundary(i))
                    .unwrap_or(t.len());
                *t = t[cut..].trim_start().to_string();
                n = 0;
            }
            _ => break,
        }
    }
    while matches!(inlines.first(), Some(Inline::SoftBreak | Inline::HardBreak)) {
        inlines.remove(0);
    }
    if let Some(Inline::Text(t)) = inlines.first_mut() {
        *t = t.trim_start().to_string();
    }
}

fn alert_kind(kind: BlockQuoteKind) -> AlertKind {
    match kind {
        BlockQuoteKind::Note => AlertKind::Note,
        BlockQuoteKind::Tip => AlertKind::Tip,
        BlockQuoteKind::Important => AlertKind::Important,
        BlockQuoteKind::Warning => AlertKind::Warning,
        BlockQuoteKind::Caution => AlertKind::Caution,
    }
}

fn has_scheme(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        None => false,
    }
}

/// Rustdoc's attributes, which make a code block Rust even with no `rust` before them.
const RUST_ATTRIBUTES: &[&str] = &[
    "ignore",
    "no_run",
    "should_panic",
    "compile_fail",
    "noplayground",
    "mdbook-runnable",
    "editable",
    "edition2015",
    "edition2018",
    "edition2021",
    "edition2024",
];

/// A code block without the lines its author hid (mdBook, rustdoc): in Rust, a line whose
/// first non-blank characters are `# ` (or a lone `#`) is hidden and `##` stands for `#`;
/// other languages hide lines by the prefix book.toml gives them. Paper cannot expand them.
fn hide_lines<R: Resolver>(
    text: &str,
    lang: Option<&str>,
    hide: Option<&str>,
    resolver: &R,
) -> String {
    let lang = lang.unwrap_or("");
    let rust = lang == "rust" || RUST_ATTRIBUTES.contains(&lang);
    let prefix = hide.or_else(|| resolver.hidden_line_prefix(lang));
    if !rust && prefix.is_none() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if let Some(p) = prefix {
            if trimmed.starts_with(p) {
                continue;
            }
        } else if let Some(rest) = trimmed.strip_prefix("##") {
            out.push_str(indent);
            out.push('#');
            out.push_str(rest);
            continue;
        } else if trimmed.starts_with("# ") || trimmed.trim_end() == "#" {
            continue;
        }
        out.push_str(line);
    }
    out
}

/// The most columns a table may have: a page holds about 40 at the smallest readable size,
/// and a table of 1,000 columns peaked at 600 MB (issue 21).
pub(crate) const MAX_TABLE_COLUMNS: usize = 64;

/// The inline HTML elements rendered in both outputs (any other tag is dropped, its text kept).
/// A block's text on one line (what a table cell can show of a list or a quote).
fn block_text(block: &Block) -> String {
    let mut out = String::new();
    let mut blocks = vec![block];
    while let Some(b) = blocks.pop() {
        match b {
            Block::Paragraph(i) => {
                out.push_str(&plain_text(i));
                out.push(' ');
            }
            Block::List(l) => l
                .items
                .iter()
                .rev()
                .for_each(|it| blocks.extend(it.blocks.iter().rev())),
            Block::Quote(c) | Block::Alert { blocks: c, .. } => blocks.extend(c.iter().rev()),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

/// A caption's text without the blank lines and spaces around it in the HTML.
fn trim_inlines(mut content: Vec<Inline>) -> Vec<Inline> {
    let blank = |i: &Inline| {
        matches!(i, Inline::SoftBreak) || matches!(i, Inline::Text(t) if t.trim().is_empty())
    };
    while content.last().is_some_and(blank) {
        content.pop();
    }
    let lead = content.iter().take_while(|i| blank(i)).count();
    content.drain(..lead);
    content
}

fn html_style(name: &str, attrs: &[(String, String)]) -> Option<HtmlStyle> {
    Some(match name {
        "sup" => HtmlStyle::Superscript,
        "sub" => HtmlStyle::Subscript,
        "kbd" => HtmlStyle::Keyboard,
        "span" => match html::attr(attrs, "class") {
            Some("filename") => HtmlStyle::Label { above: true },
            Some("caption") => HtmlStyle::Label { above: false },
            _ => HtmlStyle::Span,
        },
        "abbr" => HtmlStyle::Abbreviation(html::attr(attrs, "title").map(str::to_string)),
        "del" | "s" | "strike" => HtmlStyle::Deleted,
        "ins" | "u" => HtmlStyle::Inserted,
        "mark" => HtmlStyle::Marked,
        "small" => HtmlStyle::Small,
        _ => return None,
    })
}

/// GitHub's heading id: lower case; letters, digits, `-` and `_` kept; spaces become hyphens;
/// everything else dropped (so "The `?` Operator" gives `the--operator`, as links expect).
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    xml_id(&out)
}

/// Makes an id usable in XHTML (an XML name): other characters become `-`, and a leading
/// digit or hyphen gets an `s-` prefix. Link anchors go through the same function, so
/// `#2-risks` still finds its heading.
pub fn xml_id(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert_str(0, "s-");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    impl Resolver for Fake {
        fn article(&self, p: &str) -> Option<usize> {
            (p == "other.md").then_some(1)
        }
        fn image(&self, src: &str) -> Result<(ImageSource, Vec<String>), String> {
            if src.starts_with("http") {
                Ok((ImageSource::Remote(src.into()), Vec::new()))
            } else {
                Err(format!("image `{src}` not found"))
            }
        }
    }

    fn read(md: &str) -> Parsed {
        let idx = LineIndex::new(md);
        parse(md, 0, &idx, Path::new("a.md"), 0, &Fake)
    }

    #[test]
    fn headings_get_ids_and_explicit_ids_win() {
        let p = read("# Is kratom an opioid?\n\n## Risks {#risks}\n\n## Risks\n");
        let ids: Vec<_> = p
            .blocks
            .iter()
            .filter_map(|b| {
                if let Block::Heading(h) = b {
                    Some((h.level, h.id.clone()))
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(
            ids,
            vec![
                (1, "is-kratom-an-opioid".into()),
                (2, "risks".into()),
                (2, "risks-1".into())
            ]
        );
    }

    #[test]
    fn inline_structure_is_kept() {
        let p = read("Some *emph* and **strong** with `code` and ~~gone~~.");
        let Block::Paragraph(inl) = &p.blocks[0] else {
            panic!()
        };
        assert!(matches!(inl[1], Inline::Emphasis(_)));
        assert!(matches!(inl[3], Inline::Strong(_)));
        assert!(matches!(&inl[5], Inline::Code(c) if c == "code"));
        assert!(matches!(inl[7], Inline::Strikethrough(_)));
    }

    #[test]
    fn smart_punctuation_is_on() {
        let p = read("\"Quoted\" -- it's");
        assert_eq!(
            plain_text(match &p.blocks[0] {
                Block::Paragraph(i) => i,
                _ => panic!(),
            }),
            "“Quoted” – it’s"
        );
    }

    #[test]
    fn lists_nest_and_tasks_are_marked() {
        let p = read("3. one\n4. two\n   - [x] done\n   - [ ] open\n");
        let Block::List(l) = &p.blocks[0] else {
            panic!()
        };
        assert_eq!(l.start, Some(3));
        assert_eq!(l.items.len(), 2);
        let Block::List(inner) = &l.items[1].blocks[1] else {
            panic!("{:?}", l.items[1].blocks)
        };
        assert_eq!(inner.start, None);
        assert_eq!(inner.items[0].task, Some(true));
        assert_eq!(inner.items[1].task, Some(false));
    }

    #[test]
    fn footnotes_number_in_reference_order() {
        let p =
            read("A[^b] and B[^a] and again[^b].\n\n[^a]: First defined.\n[^b]: Second defined.\n");
        let Block::Paragraph(inl) = &p.blocks[0] else {
            panic!()
        };
        let refs: Vec<_> = inl
            .iter()
            .filter_map(|i| {
                if let Inline::FootnoteRef(n) = i {
                    Some(*n)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(refs, vec![1, 2, 1]);
        assert_eq!(p.footnotes.len(), 2);
        assert_eq!(p.footnotes[0].label, "b");
        assert_eq!(p.footnotes[1].number, 2);
    }

    #[test]
    fn tables_alerts_and_code() {
        let p = read("| A | B |\n|:--|--:|\n| 1 | 2 |\n\n> [!WARNING]\n> Careful.\n\n```rust,ignore\nfn x() {}\n```\n");
        let Block::Table(t) = &p.blocks[0] else {
            panic!()
        };
        assert_eq!(t.align, vec![Align::Left, Align::Right]);
        assert_eq!(t.header.len(), 2);
        assert_eq!(t.rows.len(), 1);
        assert!(matches!(
            p.blocks[1],
            Block::Alert {
                kind: AlertKind::Warning,
                ..
            }
        ));
        assert!(
            matches!(&p.blocks[2], Block::Code { lang: Some(l), text } if l == "rust" && text == "fn x() {}\n")
        );
    }

    #[test]
    fn links_resolve_or_fail_with_position() {
        let p = read("See [x](other.md#top) and [y](#here).\n\nThen [z](missing.md) and [w](https://fda.gov).");
        let Block::Paragraph(inl) = &p.blocks[0] else {
            panic!()
        };
        assert!(
            matches!(&inl[1], Inline::Link { target: LinkTarget::Internal { article: 1, anchor: Some(a) }, .. } if a == "top")
        );
        assert!(matches!(
            &inl[3],
            Inline::Link {
                target: LinkTarget::Internal { article: 0, .. },
                ..
            }
        ));
        assert_eq!(p.anchor_refs.len(), 2);
        let errs: Vec<_> = p.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].col), (3, 6));
        assert!(errs[0].message.contains("missing.md"));
        let Block::Paragraph(inl) = &p.blocks[1] else {
            panic!()
        };
        assert!(inl.iter().any(|i| matches!(i, Inline::Link { target: LinkTarget::External(u), .. } if u == "https://fda.gov")));
    }

    #[test]
    fn lone_image_is_a_figure_and_missing_image_an_error() {
        let p = read("![A leaf](https://example.org/leaf.png)\n\n![gone](nope.png)\n");
        assert!(matches!(&p.blocks[0], Block::Figure(img) if img.alt == "A leaf"));
        let html = read("<p>\n  <img src=\"https://example.org/leaf.png\" alt=\"A leaf\" style=\"width: 50%\" />\n</p>\n");
        assert!(
            matches!(&html.blocks[..], [Block::Figure(img)] if img.alt == "A leaf"),
            "an HTML image alone in its block is a figure: {:?}",
            html.blocks
        );
        assert!(p
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.line == 3 && d.message.contains("nope.png")));
    }

    #[test]
    fn safe_html_is_rendered_and_the_rest_dropped_with_its_text_kept() {
        let p = read("<div class=\"x\">\nIn a <b>div</b> <marquee>moving</marquee>\n</div>\n\nH<sub>2</sub>O, <kbd>Ctrl</kbd>, x<sup>2</sup>,<br>next <abbr title=\"Food and Drug Administration\">FDA</abbr> <a href=\"https://fda.gov\">site</a>.\n\n<script>alert(1)</script>\n\nA <script>evil()</script>b.\n");
        let Block::Paragraph(div) = &p.blocks[0] else {
            panic!("{:?}", p.blocks)
        };
        assert_eq!(plain_text(div).trim(), "In a div moving");
        assert!(div
            .iter()
            .any(|i| matches!(i, Inline::Strong(c) if plain_text(c) == "div")));
        let Block::Paragraph(inl) = &p.blocks[1] else {
            panic!()
        };
        assert!(inl.iter().any(|i| matches!(i, Inline::Styled { style: HtmlStyle::Subscript, content } if plain_text(content) == "2")));
        assert!(inl.iter().any(|i| matches!(
            i,
            Inline::Styled {
                style: HtmlStyle::Keyboard,
                ..
            }
        )));
        assert!(inl.iter().any(|i| matches!(i, Inline::HardBreak)));
        assert!(inl.iter().any(|i| matches!(i, Inline::Styled { style: HtmlStyle::Abbreviation(Some(t)), .. } if t == "Food and Drug Administration")));
        assert!(inl.iter().any(|i| matches!(i, Inline::Link { target: LinkTarget::External(u), .. } if u == "https://fda.gov")));
        // Scripts never reach the model, block or inline.
        let all: String = p
            .blocks
            .iter()
            .map(|b| {
                if let Block::Paragraph(i) = b {
                    plain_text(i)
                } else {
                    String::new()
                }
            })
            .collect();
        assert!(!all.contains("alert") && !all.contains("evil"), "{all}");
        let warnings: Vec<_> = p.diagnostics.iter().map(|d| d.message.clone()).collect();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("`<marquee>` is not rendered")),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("`<script>` is dropped")),
            "{warnings:?}"
        );
    }

    fn cells(t: &Table) -> Vec<Vec<String>> {
        std::iter::once(&t.header)
            .chain(t.rows.iter())
            .map(|r| r.iter().map(|c| plain_text(c).trim().to_string()).collect())
            .collect()
    }

    #[test]
    fn an_html_table_is_a_table_with_its_spans_expanded() {
        let p = read(concat!(
            "<table>\n<caption>Doses</caption>\n<thead><tr><th>Drug<th colspan=\"2\">Dose</tr></thead>\n",
            "<tbody>\n<tr><td rowspan=\"2\"><strong>A</strong></td><td>low</td><td>1</td></tr>\n",
            "<tr><td>high</td><td><i>2</i></td></tr>\n<tr><td>B<td>-<td>3\n</tbody></table>\n\nAfter.\n"
        ));
        let Block::Table(t) = &p.blocks[0] else {
            panic!("{:?}", p.blocks)
        };
        assert_eq!(
            cells(t),
            vec![
                vec!["Drug", "Dose", ""],
                vec!["A", "low", "1"],
                vec!["", "high", "2"],
                vec!["B", "-", "3"],
            ]
        );
        assert!(matches!(&t.rows[0][0][0], Inline::Strong(_)));
        assert!(matches!(&t.rows[1][2][0], Inline::Emphasis(_)));
        // The caption follows as a paragraph, then the Markdown after the table.
        let Block::Paragraph(caption) = &p.blocks[1] else {
            panic!("{:?}", p.blocks)
        };
        assert_eq!(plain_text(caption), "Doses");
        assert!(matches!(&p.blocks[2], Block::Paragraph(i) if plain_text(i) == "After."));
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    }

    #[test]
    fn html_containers_hold_markdown_and_mdbook_warnings_are_callouts() {
        let p = read(concat!(
            "<div class=\"warning\">\n\nDo **not** mix.\n\n- one\n\n</div>\n\n",
            "<details>\n<summary>More</summary>\n\nHidden *text*.\n\n</details>\n\n",
            "<dl><dt>Kratom</dt><dd>A plant.</dd></dl>\n\n",
            "<ul>\n<li>first\n<li>second <em>two</em>\n</ul>\n\n",
            "<pre><code class=\"language-rust\">fn main() {\n    x &lt; 1;\n}\n</code></pre>\n\n",
            "<blockquote><p>Quoted.</p></blockquote>\n\n<h3 id=\"h\">Head</h3>\n"
        ));
        let b = &p.blocks;
        let Block::Alert { kind, blocks } = &b[0] else {
            panic!("{b:?}")
        };
        assert_eq!(*kind, AlertKind::Warning);
        assert!(matches!(&blocks[0], Block::Paragraph(i) if plain_text(i) == "Do not mix."));
        assert!(matches!(&blocks[1], Block::List(_)));
        assert!(
            matches!(&b[1], Block::Paragraph(i) if matches!(&i[0], Inline::Strong(c) if plain_text(c) == "More"))
        );
        assert!(matches!(&b[2], Block::Paragraph(i) if plain_text(i) == "Hidden text."));
        assert!(
            matches!(&b[3], Block::Paragraph(i) if matches!(&i[0], Inline::Strong(c) if plain_text(c) == "Kratom"))
        );
        assert!(matches!(&b[4], Block::Paragraph(i) if plain_text(i) == "A plant."));
        let Block::List(l) = &b[5] else {
            panic!("{b:?}")
        };
        assert_eq!(l.items.len(), 2);
        let Block::Code { lang, text } = &b[6] else {
            panic!("{b:?}")
        };
        assert_eq!(lang.as_deref(), Some("rust"));
        assert_eq!(text, "fn main() {\n    x < 1;\n}\n");
        assert!(
            matches!(&b[7], Block::Quote(q) if matches!(&q[0], Block::Paragraph(i) if plain_text(i) == "Quoted."))
        );
        assert!(matches!(&b[8], Block::Heading(h) if h.level == 3 && h.id == "h"));
        assert_eq!(b.len(), 9, "{b:?}");
    }

    #[test]
    fn unclosed_and_deeply_nested_input_stays_bounded() {
        let p = read("Some <span>open <sup>never closed.\n\nNext.");
        assert_eq!(p.blocks.len(), 2);
        let deep = ">".repeat(5000)
            + " deep\n\n"
            + &"- ".repeat(3000)
            + "item\n"
            + &"*".repeat(20000)
            + "x";
        let p = read(&deep);
        assert!(p
            .diagnostics
            .iter()
            .any(|d| d.message.contains("flattened")));
        fn depth(b: &[Block]) -> usize {
            b.iter()
                .map(|x| match x {
                    Block::Quote(c) => 1 + depth(c),
                    Block::List(l) => {
                        1 + l.items.iter().map(|i| depth(&i.blocks)).max().unwrap_or(0)
                    }
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        assert!(depth(&p.blocks) <= MAX_DEPTH);
    }

    #[test]
    fn comparison_sidebars_are_recognised() {
        let p = read("> [!COMPARISON] Kratom and opioids\n> Both act on the brain.\n>\n> |  | Kratom | Opioids |\n> |---|---|---|\n> | Source | Plant | Lab or poppy |\n>\n> Sources: FDA.\n");
        let Block::Comparison(c) = &p.blocks[0] else {
            panic!("{:?}", p.blocks)
        };
        assert_eq!(plain_text(&c.title), "Kratom and opioids");
        assert_eq!(c.id, "compare-kratom-and-opioids");
        assert_eq!(c.before.len(), 1);
        assert_eq!(c.table.header.len(), 3);
        assert_eq!(c.table.rows.len(), 1);
        assert_eq!(c.after.len(), 1);
    }

    #[test]
    fn a_comparison_without_a_table_is_an_error_at_its_line() {
        let p = read("Intro.\n\n> [!COMPARISON] Nothing to compare\n> Just words.\n");
        let e = p
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("needs a table"));
        let p = read("> [!COMPARISON] One thing\n>\n> | | A |\n> |---|---|\n> | x | y |\n");
        assert!(p
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.message.contains("at least two")));
    }

    #[test]
    fn degenerate_comments_do_not_panic() {
        // Found by the CommonMark corpus harness (spec example 628).
        let p = read("foo <!--> foo -->\n\nfoo <!---> foo -->\n");
        assert_eq!(p.blocks.len(), 2);
    }

    #[test]
    fn comments_never_reach_the_model() {
        let p = read("Text<!-- note --> more.\n\n<!-- block\ncomment -->\n\nEnd.");
        assert_eq!(p.blocks.len(), 2, "{:?}", p.blocks);
        let Block::Paragraph(inl) = &p.blocks[0] else {
            panic!()
        };
        assert_eq!(plain_text(inl), "Text more.");
    }

    #[test]
    fn html_anchors_become_link_targets() {
        let p = read("<a id=\"old-name\"></a>\n\n## New Name\n\nText <a id=\"mid\"></a> here.\n");
        assert!(
            matches!(&p.blocks[0], Block::Anchor(id) if id == "old-name"),
            "{:?}",
            p.blocks[0]
        );
        let Block::Paragraph(inl) = &p.blocks[2] else {
            panic!()
        };
        assert!(inl
            .iter()
            .any(|i| matches!(i, Inline::Anchor(id) if id == "mid")));
    }

    #[test]
    fn skipped_heading_levels_are_warned_about() {
        let p = read("# A\n\n## B\n\n#### D\n\n## E\n");
        let w: Vec<_> = p.diagnostics.iter().filter(|d| !d.is_error()).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].line, 5);
        assert!(w[0].message.contains("level 4 follows level 2"));
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Kratom & Opioids: What’s Known"),
            "kratom--opioids-whats-known"
        );
        assert_eq!(slugify("2. Risks"), "s-2-risks");
        assert_eq!(slugify("The `?` Operator"), "the--operator");
        assert_eq!(slugify("Rc<T> and Weak<T>"), "rct-and-weakt");
    }

    #[test]
    fn an_unknown_alert_kind_is_a_warning_and_its_marker_is_not_printed() {
        let p = read("Intro.\n\n> [!NOET]\n> Take it with food.\n");
        let w: Vec<_> = p.diagnostics.iter().filter(|d| !d.is_error()).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!((w[0].line, w[0].col, w[0].len), (3, 3, 7), "{:?}", w[0]);
        assert_eq!(w[0].help.as_deref(), Some("did you mean `[!NOTE]`?"));
        let Some(Block::Quote(q)) = p.blocks.get(1) else {
            panic!("{:?}", p.blocks)
        };
        let Some(Block::Paragraph(first)) = q.first() else {
            panic!("{q:?}")
        };
        assert_eq!(plain_text(first), "Take it with food.");
        // A quote that merely opens with a bracket is left alone.
        let p = read("> [link text] and more\n");
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    }
}
