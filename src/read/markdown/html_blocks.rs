//! Block-level HTML, as Markdown in the wild carries it: tables, lists, quotes, `<pre>`,
//! headings, definition lists, `<details>`, and mdBook's `<div class="warning">`. Each HTML
//! element is read as the Markdown element it stands for, through the same `start`/`end` the
//! Markdown events go through, so an HTML container may hold Markdown (a `<div>` line, Markdown
//! paragraphs, `</div>`) and the model never knows which syntax a block came from.

use super::{Frame, Reader, Resolver, SpanKind};
use crate::model::{Block, Inline};
use crate::read::html::{attr, tokens, Token};
use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, HeadingLevel, Tag, TagEnd};

/// An HTML element opened and not yet closed.
pub(super) struct OpenHtml {
    name: String,
    /// The stack's length before it was opened (its frame, if any, sits at this index).
    base: usize,
    /// Whether it pushed a frame (a `<div>` without a class we render pushes none).
    frame: bool,
    /// Opened by the reader, not the source: a paragraph around text loose in a container.
    implicit: bool,
    /// For a table cell: how many columns and rows it spans, and the column it starts at.
    span: (usize, usize, usize),
    /// A paragraph set when it closes (a `<Listing>`'s caption).
    after: Option<Vec<Inline>>,
}

/// A `<table>` being read: rows so far, the column the next cell goes to, how many more rows
/// a cell spanning rows from above still covers in each column, and its caption.
#[derive(Default)]
pub(super) struct HtmlTable {
    rows: usize,
    col: usize,
    covered: Vec<usize>,
    /// Cells made so far, the ones spans fill in included (see `MAX_TABLE_CELLS`).
    cells: usize,
    /// Over a limit: the error was given, and spans no longer fill in cells.
    refused: bool,
    caption: Option<Vec<Inline>>,
    /// The stack's length before the table opened (the caption is kept aside).
    base: usize,
}

/// The most cells an HTML table may have, counting those its spans fill in: 64 columns of
/// 1,500 rows.
const MAX_TABLE_CELLS: usize = 96_000;

/// Elements that end an open paragraph (HTML's rule for `<p>`, which needs no end tag).
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "main",
    "nav",
    "center",
    "figure",
    "figcaption",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "details",
    "summary",
    "hr",
    "listing",
];

/// Containers read for their content only (their own box has no equivalent in print).
const TRANSPARENT: &[&str] = &[
    "div", "section", "article", "aside", "header", "footer", "main", "nav", "center", "figure",
    "details", "dl", "dd", "thead", "tbody", "tfoot", "listing",
];

/// The callout a `<div class="…">` stands for: mdBook's `warning`, and the GitHub alert names.
fn alert_class(attrs: &[(String, String)]) -> Option<BlockQuoteKind> {
    let class = attr(attrs, "class")?;
    class.split_whitespace().find_map(|c| match c {
        "warning" => Some(BlockQuoteKind::Warning),
        "caution" | "danger" => Some(BlockQuoteKind::Caution),
        "note" | "info" => Some(BlockQuoteKind::Note),
        "tip" | "hint" => Some(BlockQuoteKind::Tip),
        "important" => Some(BlockQuoteKind::Important),
        _ => None,
    })
}

pub fn is_block_tag(name: &str) -> bool {
    BLOCK_TAGS.contains(&name)
}

impl<R: Resolver> Reader<'_, R> {
    /// An HTML block: its block elements become blocks; text and inline elements go where
    /// they would in HTML (loose text in a container becomes a paragraph).
    pub(super) fn html_block(&mut self, src: &str, offset: usize) {
        for token in tokens(src) {
            match token {
                Token::Text(t) => self.html_text(&t),
                Token::Tag {
                    name,
                    closing,
                    self_closing,
                    attrs,
                } => {
                    if self.suppressed.is_some() || !is_block_tag(&name) || self.in_pre(&name) {
                        // Scripts, inline elements and what `<pre>` holds: as in a paragraph.
                        self.html_inline_tag(name, closing, self_closing, attrs, offset);
                    } else if closing {
                        self.close_html(&name);
                    } else {
                        self.open_html(&name, &attrs, offset);
                    }
                }
            }
        }
        // A paragraph the reader opened ends with the block (a Markdown paragraph may follow).
        self.close_implicit_paragraph();
        self.close_inline_containers();
    }

    /// Inside `<pre>`, every tag but its end (and the `<code>` naming the language) is markup
    /// around the code's text, which is kept.
    fn in_pre(&self, name: &str) -> bool {
        matches!(self.stack.last(), Some(Frame::Code { .. })) && name != "pre"
    }

    fn html_inline_tag(
        &mut self,
        name: String,
        closing: bool,
        self_closing: bool,
        attrs: Vec<(String, String)>,
        offset: usize,
    ) {
        if let Some(Frame::Code { lang, .. }) = self.stack.last_mut() {
            if name == "code" && !closing && lang.is_none() {
                *lang = attr(&attrs, "class")
                    .and_then(|c| {
                        c.split_whitespace()
                            .find_map(|c| c.strip_prefix("language-"))
                    })
                    .map(str::to_string);
            }
            return;
        }
        if self.suppressed.is_none() && !closing && self.is_block_frame() {
            self.open_implicit_paragraph();
        }
        self.html_tag(name, closing, self_closing, attrs, offset);
    }

    fn html_text(&mut self, t: &str) {
        if self.suppressed.is_some() {
            return;
        }
        if let Some(Frame::Code { text, .. }) = self.stack.last_mut() {
            // The newline right after `<pre>` is not content (HTML drops it too).
            let t = if text.is_empty() {
                t.strip_prefix('\n').unwrap_or(t)
            } else {
                t
            };
            text.push_str(t);
            return;
        }
        if matches!(
            self.stack.last(),
            Some(Frame::Table { .. } | Frame::Row(_) | Frame::List { .. })
        ) {
            return; // whitespace between rows, cells and items
        }
        let collapsed = t.split_whitespace().collect::<Vec<_>>().join(" ");
        let space_before = t.starts_with(char::is_whitespace);
        let space_after = t.ends_with(char::is_whitespace) && !collapsed.is_empty();
        if self.is_block_frame() {
            if collapsed.is_empty() {
                return;
            }
            self.open_implicit_paragraph();
        }
        let at_start = self.inline_content_is_empty();
        let mut text = String::new();
        if space_before && !at_start {
            text.push(' ');
        }
        text.push_str(&collapsed);
        if space_after {
            text.push(' ');
        }
        if !text.is_empty() {
            self.inline(Inline::Text(text));
        }
    }

    /// Whether the innermost frame holds blocks (text there needs a paragraph).
    fn is_block_frame(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Root(_) | Frame::Quote { .. } | Frame::FootnoteDef { .. })
        )
    }

    fn inline_content_is_empty(&self) -> bool {
        match self.stack.last() {
            Some(Frame::Paragraph(c))
            | Some(Frame::Heading { content: c, .. })
            | Some(Frame::Cell(c))
            | Some(Frame::Item { loose: c, .. }) => c.is_empty(),
            _ => false,
        }
    }

    fn open_implicit_paragraph(&mut self) {
        let base = self.stack.len();
        self.start(Tag::Paragraph, 0);
        self.html_open.push(OpenHtml {
            name: "p".into(),
            base,
            frame: self.stack.len() > base,
            implicit: true,
            span: (1, 1, 0),
            after: None,
        });
    }

    fn close_implicit_paragraph(&mut self) {
        self.close_html_spans();
        if self
            .html_open
            .last()
            .is_some_and(|o| o.implicit && o.frame && o.base + 1 == self.stack.len())
        {
            let o = self.html_open.pop().expect("checked");
            self.close_entry(o);
        }
    }

    /// Starts the Markdown element an HTML block element stands for.
    fn open_html(&mut self, name: &str, attrs: &[(String, String)], offset: usize) {
        self.close_implicit_paragraph();
        // End tags HTML lets authors leave out: a new item ends the last, a new cell the last.
        let implied: &[&str] = match name {
            "p" => &["p"],
            "li" => &["li"],
            "dt" | "dd" => &["dt", "dd"],
            "tr" => &["td", "tr"],
            "td" | "th" => &["td"],
            "thead" | "tbody" | "tfoot" => &["td", "tr", "thead", "tbody", "tfoot"],
            _ => &[],
        };
        while let Some(open) = self
            .html_open
            .iter()
            .rev()
            .find(|o| !o.implicit)
            .map(|o| o.name.clone())
        {
            if !implied.contains(&open.as_str()) {
                break;
            }
            self.close_html(&open);
        }
        // Inside a cell or a heading only inline content fits: block tags there are markup.
        if matches!(
            self.stack.last(),
            Some(Frame::Cell(_) | Frame::Heading { .. } | Frame::Paragraph(_))
        ) && !matches!(name, "td" | "th" | "tr" | "table")
        {
            if name == "hr" {
                return;
            }
            let own_paragraph = matches!(self.stack.last(), Some(Frame::Paragraph(_)))
                && self
                    .html_open
                    .last()
                    .is_some_and(|o| o.name == "p" && o.frame && o.base + 1 == self.stack.len());
            if !own_paragraph {
                return;
            }
            // A block inside a paragraph ends it (HTML's rule).
            self.close_html("p");
        }
        if name == "td" || name == "th" {
            self.open_cell(attrs, offset);
            return;
        }
        if name == "tr" {
            self.open_row();
            return;
        }
        let tag = match name {
            "p" | "figcaption" => Some(Tag::Paragraph),
            "summary" | "dt" => Some(Tag::Paragraph),
            "blockquote" => Some(Tag::BlockQuote(None)),
            "ul" => Some(Tag::List(None)),
            "ol" => Some(Tag::List(Some(
                attr(attrs, "start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1),
            ))),
            "li" => Some(Tag::Item),
            "pre" => Some(Tag::CodeBlock(CodeBlockKind::Fenced("".into()))),
            "table" => Some(Tag::Table(Vec::new())),
            "caption" => Some(Tag::Paragraph),
            "hr" => {
                self.event(pulldown_cmark::Event::Rule, offset);
                return;
            }
            h if h.len() == 2 && h.starts_with('h') => {
                let level = match h.as_bytes()[1] {
                    b'1' => HeadingLevel::H1,
                    b'2' => HeadingLevel::H2,
                    b'3' => HeadingLevel::H3,
                    b'4' => HeadingLevel::H4,
                    b'5' => HeadingLevel::H5,
                    _ => HeadingLevel::H6,
                };
                Some(Tag::Heading {
                    level,
                    id: attr(attrs, "id").map(|s| s.to_string().into()),
                    classes: Vec::new(),
                    attrs: Vec::new(),
                })
            }
            "div" | "aside" | "section" => alert_class(attrs).map(|k| Tag::BlockQuote(Some(k))),
            _ => None,
        };
        let base = self.stack.len();
        let mut after = None;
        if name == "listing" {
            after = self.listing_labels(attrs);
        }
        if name == "caption" {
            // The caption is set after the table (the model's tables have none of their own).
            self.stack.push(Frame::Paragraph(Vec::new()));
            self.opened.push(true);
        } else if let Some(tag) = tag {
            if name == "table" {
                self.html_tables.push(HtmlTable {
                    base,
                    ..Default::default()
                });
            }
            self.start(tag, offset);
            if name == "figcaption" && matches!(self.stack.last(), Some(Frame::Paragraph(_))) {
                self.figcaptions.push(self.stack.len());
            }
        } else if !TRANSPARENT.contains(&name) {
            return;
        }
        self.html_open.push(OpenHtml {
            name: name.to_string(),
            base,
            frame: self.stack.len() > base,
            implicit: false,
            span: (1, 1, 0),
            after,
        });
        if matches!(name, "summary" | "dt") {
            // A summary or a defined term reads as a bold lead-in.
            self.start(Tag::Strong, offset);
            self.html_open.push(OpenHtml {
                name: format!("{name}-strong"),
                base: base + 1,
                frame: true,
                implicit: true,
                span: (1, 1, 0),
                after: None,
            });
        }
    }

    /// The Rust book's `<Listing number="1-1" file-name="src/main.rs" caption="…">` (its
    /// mdbook-trpl preprocessor): the file name is set before the listing now, in that
    /// preprocessor's English words; the caption is returned, to be set after it. Both are
    /// captions, not paragraphs, so print keeps them with the listing.
    fn listing_labels(&mut self, attrs: &[(String, String)]) -> Option<Vec<Inline>> {
        if let Some(file) = attr(attrs, "file-name") {
            self.block(Block::Caption {
                content: vec![
                    Inline::Strong(vec![Inline::Text("Filename:".into())]),
                    Inline::Text(format!(" {file}")),
                ],
                above: true,
            });
        }
        let caption = attr(attrs, "caption").unwrap_or("");
        let number = attr(attrs, "number");
        if caption.is_empty() && number.is_none() {
            return None;
        }
        let mut label = "Listing".to_string();
        if let Some(n) = number {
            label.push_str(&format!(" {n}"));
        }
        if !caption.is_empty() {
            label.push(':');
        }
        let mut content = vec![Inline::Strong(vec![Inline::Text(label)])];
        // Backticks in the caption attribute are code, as its preprocessor reads them.
        for (i, piece) in caption.split('`').enumerate() {
            let piece = if i == 0 {
                format!(" {piece}")
            } else {
                piece.to_string()
            };
            if piece.is_empty() {
                continue;
            }
            content.push(if i % 2 == 1 {
                Inline::Code(piece)
            } else {
                Inline::Text(piece)
            });
        }
        Some(content)
    }

    fn open_row(&mut self) {
        let Some(table) = self.html_tables.last() else {
            return;
        };
        if self.stack.len() != table.base + 1 {
            return; // a row outside its table's frame: markup we cannot place
        }
        let head = table.rows == 0;
        let base = self.stack.len();
        self.start(if head { Tag::TableHead } else { Tag::TableRow }, 0);
        if let Some(t) = self.html_tables.last_mut() {
            t.col = 0;
        }
        self.html_open.push(OpenHtml {
            name: "tr".into(),
            base,
            frame: self.stack.len() > base,
            implicit: false,
            span: (1, 1, 0),
            after: None,
        });
    }

    fn open_cell(&mut self, attrs: &[(String, String)], offset: usize) {
        if !matches!(self.stack.last(), Some(Frame::Row(_))) {
            // A cell with no `<tr>` around it opens one.
            self.open_row();
            if !matches!(self.stack.last(), Some(Frame::Row(_))) {
                return;
            }
        }
        self.skip_covered_columns();
        let number = |k: &str| {
            attr(attrs, k)
                .and_then(|s| s.trim().parse::<usize>().ok())
                .map(|n| n.clamp(1, 64))
                .unwrap_or(1)
        };
        let col = self.html_tables.last().map_or(0, |t| t.col);
        // Every row is checked, and the whole grid is bounded: the first row alone was, and
        // rowspans made 6,000 rows take 16 s and 900 MB from 252 KB of input (issue 33).
        let over = self.html_tables.last().and_then(|t| {
            if t.refused {
                None
            } else if col >= super::MAX_TABLE_COLUMNS {
                Some(format!(
                    "this HTML table has more than {} columns in a row; at most that many fit on a page or a screen: split it, or turn it into a list",
                    super::MAX_TABLE_COLUMNS
                ))
            } else if t.cells >= MAX_TABLE_CELLS {
                Some(format!(
                    "this HTML table grows past {MAX_TABLE_CELLS} cells (its spans included): split it"
                ))
            } else {
                None
            }
        });
        if let Some(message) = over {
            self.error(offset, message);
            if let Some(t) = self.html_tables.last_mut() {
                t.refused = true;
            }
        }
        let refused = self.html_tables.last().is_some_and(|t| t.refused);
        if let Some(t) = self.html_tables.last_mut() {
            t.cells += 1;
        }
        let base = self.stack.len();
        self.start(Tag::TableCell, 0);
        self.html_open.push(OpenHtml {
            name: "td".into(),
            base,
            frame: true,
            implicit: false,
            span: if refused {
                (1, 1, col)
            } else {
                (number("colspan"), number("rowspan"), col)
            },
            after: None,
        });
    }

    /// Empty cells where a cell of an earlier row spans down into this one.
    fn skip_covered_columns(&mut self) {
        loop {
            let Some(t) = self.html_tables.last_mut() else {
                return;
            };
            match t.covered.get_mut(t.col) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    t.col += 1;
                    self.empty_cell();
                }
                _ => return,
            }
        }
    }

    fn empty_cell(&mut self) {
        match self.html_tables.last_mut() {
            Some(t) if t.refused => return,
            Some(t) => t.cells += 1,
            None => {}
        }
        self.start(Tag::TableCell, 0);
        self.end(TagEnd::TableCell);
    }

    /// Closes the innermost open element named `name` and everything opened inside it; an end
    /// tag with nothing to close is ignored.
    fn close_html(&mut self, name: &str) {
        let name = match name {
            "th" => "td",
            n => n,
        };
        let Some(k) = self
            .html_open
            .iter()
            .rposition(|o| o.name == name && !o.implicit)
        else {
            return;
        };
        self.close_implicit_paragraph();
        while self.html_open.len() > k {
            let o = self.html_open.pop().expect("non-empty");
            self.close_entry(o);
        }
    }

    /// Ends an element's frame, if it is still the innermost one (otherwise Markdown closed
    /// it already).
    fn close_entry(&mut self, o: OpenHtml) {
        self.close_html_spans();
        if let Some(caption) = o.after {
            self.block(Block::Caption {
                content: caption,
                above: false,
            });
        }
        if !o.frame || self.stack.len() != o.base + 1 {
            return;
        }
        match o.name.as_str() {
            "td" => {
                self.end(TagEnd::TableCell);
                let (cols, rows, start) = o.span;
                for _ in 1..cols {
                    self.empty_cell();
                }
                if let Some(t) = self.html_tables.last_mut() {
                    t.col = start + cols;
                    if t.covered.len() < t.col {
                        t.covered.resize(t.col, 0);
                    }
                    for c in start..start + cols {
                        t.covered[c] = rows - 1;
                    }
                }
            }
            "tr" => {
                // Columns still covered from above at the row's end get their empty cells.
                let width = self.html_tables.last().map_or(0, |t| t.covered.len());
                while self.html_tables.last().is_some_and(|t| t.col < width) {
                    let before = self.html_tables.last().map_or(0, |t| t.col);
                    self.skip_covered_columns();
                    if self.html_tables.last().map_or(0, |t| t.col) == before {
                        break;
                    }
                }
                let head = self.html_tables.last().is_some_and(|t| t.rows == 0);
                self.end(if head {
                    TagEnd::TableHead
                } else {
                    TagEnd::TableRow
                });
                if let Some(t) = self.html_tables.last_mut() {
                    t.rows += 1;
                }
            }
            "caption" => {
                if let Some(Frame::Paragraph(content)) = self.stack.pop() {
                    self.opened.pop();
                    if let Some(t) = self.html_tables.last_mut() {
                        t.caption = Some(content);
                    }
                }
            }
            "table" => {
                self.end(TagEnd::Table);
                if let Some(caption) = self.html_tables.pop().and_then(|t| t.caption) {
                    self.start(Tag::Paragraph, 0);
                    self.stack.push(Frame::Span {
                        kind: SpanKind::Emphasis,
                        content: caption,
                    });
                    self.opened.push(true);
                    self.end(TagEnd::Emphasis);
                    self.end(TagEnd::Paragraph);
                }
            }
            _ => self.end(TagEnd::Paragraph),
        }
    }

    /// Before a Markdown element ends, the HTML elements opened inside it end too.
    pub(super) fn close_html_inside_top(&mut self) {
        while let Some(o) = self.html_open.last() {
            let inside = if o.frame {
                o.base + 1 == self.stack.len()
            } else {
                o.base >= self.stack.len()
            };
            if !inside {
                return;
            }
            let o = self.html_open.pop().expect("non-empty");
            self.close_entry(o);
        }
    }

    /// At the end of an HTML block, elements that cannot hold the Markdown that may follow
    /// (an unclosed `<p>` or heading) end.
    fn close_inline_containers(&mut self) {
        while let Some(o) = self.html_open.last() {
            let on_top = o.frame && o.base + 1 == self.stack.len();
            let inline_only = matches!(
                self.stack.last(),
                Some(Frame::Paragraph(_) | Frame::Heading { .. } | Frame::Span { .. })
            );
            if !(on_top && inline_only) {
                return;
            }
            let o = self.html_open.pop().expect("non-empty");
            self.close_entry(o);
        }
    }
}
