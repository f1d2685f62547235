//! Blocks → elements: headings, paragraphs, lists, quotes, callouts, code, tables and figures
//! become a flat list of elements for the paginator. One article at a time, so articles can be
//! laid out in parallel.

use super::flow::Elem;
use super::lines::{Align, LineSetter, Piece, Style};
use super::shape::Shaper;
use super::theme::Theme;
use crate::fonts::Family;
use crate::locale::{Locale, Text};
use crate::model::*;
use crate::paged::{Draw, LinkDest, MarkKind, NodeRef, OutlineMark, Role, Tree};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

mod sidebars;

pub struct Ctx<'a> {
    pub sh: &'a Shaper,
    pub book: &'a Book,
    pub theme: &'a Theme,
    /// The whole book (articles nest and run on by the book's policy), or a handout.
    pub whole_book: bool,
}

impl Ctx<'_> {
    /// The heading level of an article's title: H1 for a chapter (H2 in a part), a level
    /// lower for each depth of nesting; always H1 in a handout.
    pub fn title_level(&self, index: usize) -> u8 {
        if !self.whole_book {
            return 1;
        }
        let article = &self.book.articles[index];
        (1 + article.depth + u8::from(self.book.in_part(index))).min(6)
    }

    /// Whether an article starts a new page of the book.
    pub fn breaks_before(&self, index: usize) -> bool {
        let article = &self.book.articles[index];
        let starts_part = self.book.parts.iter().any(|p| p.first == index);
        !self.whole_book
            || index == 0
            || starts_part
            || article.appendix
            || match self.book.meta.breaks {
                PageBreaks::Articles => true,
                PageBreaks::Chapters => article.depth == 0,
                PageBreaks::None => false,
            }
    }
}

/// The destination key of a heading or anchor: `slug#id`; `slug#` is the article's start.
pub fn dest_key(article: &Article, id: &str) -> String {
    format!("{}#{}", article.slug, id)
}

pub fn footnote_key(article: &Article, n: usize) -> String {
    format!("{}#fn-{n}", article.slug)
}

struct ArticleLayout<'a> {
    ctx: &'a Ctx<'a>,
    article: &'a Article,
    /// The words and rules of the article's language.
    locale: Locale,
    /// The article's structure tree (shared with the layouts of its footnotes and sidebars),
    /// its id, and the element new blocks go into.
    tree: Rc<RefCell<Tree>>,
    tree_id: u32,
    parent: Option<u32>,
    /// The source level of the article's title heading: the others are tagged relative to it.
    title_level: u8,
    /// The level the title is tagged and outlined at (`Ctx::title_level`).
    base_level: u8,
    out: Vec<Elem>,
    /// Each footnote, laid out for the foot of the page, by number.
    notes: HashMap<usize, Arc<Vec<Elem>>>,
    /// The text style and alignment of paragraphs here (sidebars set theirs in sans, ragged).
    body: Style,
    align: Align,
}

/// Lays out one article: its elements, the first of which starts a new page, and its
/// structure tree (tagged PDF).
pub fn article(ctx: &Ctx, index: usize) -> (Vec<Elem>, Tree) {
    let article = &ctx.book.articles[index];
    let mut tree = Tree::default();
    let root = tree.add(Role::Art, None);
    if !article.lang.eq_ignore_ascii_case(&ctx.book.meta.language) {
        tree.nodes[root as usize].lang = Some(article.lang.clone());
    }
    let mut l = ArticleLayout {
        ctx,
        article,
        locale: Locale::of(&article.lang),
        tree: Rc::new(RefCell::new(tree)),
        tree_id: index as u32,
        parent: Some(root),
        title_level: article
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Heading(t) if t.is_title => Some(t.level),
                _ => None,
            })
            .unwrap_or(1),
        base_level: ctx.title_level(index),
        out: Vec::new(),
        notes: HashMap::new(),
        body: ctx.theme.body(),
        align: ctx.theme.align(),
    };
    let width = ctx.theme.text_width();
    l.lay_out_notes(width);
    if !ctx.whole_book {
        l.site_logo();
    }
    if !article
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Heading(h) if h.is_title))
    {
        // No title heading in the text (the title came from the file name): print one.
        let h = Heading {
            level: 1,
            id: String::new(),
            content: article.title.clone(),
            is_title: true,
        };
        l.heading(&h, 0.0, width);
    }
    let mut introduced = false;
    for (i, b) in article.blocks.iter().enumerate() {
        let start = l.out.len();
        l.block(b, 0.0, width);
        l.keep_list_opening(introduced, start, b);
        introduced = l.keep_lead_in(start, b, article.blocks.get(i + 1));
        for e in &mut l.out[start..] {
            e.source.get_or_insert(i as u32);
        }
    }
    if ctx.theme.large_print {
        l.notes_at_end(width);
    }
    if l.locale.is_rtl() {
        // Laid out left to right with every line mirrored: mirrored whole, the lines read
        // right to left again and lists, bars, notes and columns sit on the right.
        mirror_notes(&mut l.notes, width);
        mirror_elems(&mut l.out, width);
    }
    if !ctx.theme.large_print {
        l.attach_notes();
    }
    let breaks = ctx.breaks_before(index);
    if let Some(first) = l.out.first_mut() {
        // An article that runs on after the one before stands off from it.
        first.break_before = breaks;
        if !breaks {
            first.space_before = ctx.theme.body_size * 2.5;
        }
        first.dests.insert(0, (dest_key(article, ""), 0.0));
    }
    let tree = l.tree.borrow().clone();
    (l.out, tree)
}

impl<'a> ArticleLayout<'a> {
    /// A site's handout opens with the site's logo, in a box 160 by 40 points (48 by 14 mm,
    /// its proportions kept), as a figure named for the site.
    fn site_logo(&mut self) {
        let Some(site) = &self.ctx.book.meta.site else {
            return;
        };
        let Some(ImageSource::Local {
            path,
            width: pw,
            height: ph,
            ..
        }) = &site.logo
        else {
            return;
        };
        let Some(index) = self.ctx.book.images().index_of(path) else {
            return;
        };
        let (box_w, box_h) = (160.0, 40.0);
        let scale = (box_w / (*pw).max(1) as f32).min(box_h / (*ph).max(1) as f32);
        let (w, h) = (*pw as f32 * scale, *ph as f32 * scale);
        let fig = self.node(Role::Figure);
        self.set_alt(fig, site.name.clone());
        let mut e = Elem {
            height: h + 8.0,
            keep_with_next: true,
            ..Default::default()
        };
        e.draws.push(self.tag(fig));
        e.draws.push(Draw::Image {
            index,
            x: 0.0,
            y: 0.0,
            w,
            h,
        });
        e.draws.push(Draw::Tag(None));
        self.out.push(e);
    }

    /// A layout for a part set apart (a footnote, a sidebar), with its own text style.
    fn sub(&self, body: Style, align: Align) -> ArticleLayout<'a> {
        ArticleLayout {
            ctx: self.ctx,
            article: self.article,
            locale: self.locale,
            tree: self.tree.clone(),
            tree_id: self.tree_id,
            parent: self.parent,
            title_level: self.title_level,
            base_level: self.base_level,
            out: Vec::new(),
            notes: HashMap::new(),
            body,
            align,
        }
    }

    /// A new structure element inside the current one.
    fn node(&self, role: Role) -> u32 {
        self.tree.borrow_mut().add(role, self.parent)
    }

    fn node_in(&self, role: Role, parent: u32) -> u32 {
        self.tree.borrow_mut().add(role, Some(parent))
    }

    fn nref(&self, node: u32) -> NodeRef {
        NodeRef {
            tree: self.tree_id,
            node,
        }
    }

    fn tag(&self, node: u32) -> Draw {
        Draw::Tag(Some(self.nref(node)))
    }

    /// Sets the element's alternative text.
    fn set_alt(&self, node: u32, alt: String) {
        if let Some(n) = self.tree.borrow_mut().nodes.get_mut(node as usize) {
            n.alt = Some(alt);
        }
    }

    /// Lays out blocks inside `node`.
    fn within<R>(&mut self, node: u32, f: impl FnOnce(&mut Self) -> R) -> R {
        let outer = self.parent.replace(node);
        let r = f(self);
        self.parent = outer;
        r
    }

    /// One Link element per link of a text, inside `parent`.
    fn link_nodes(&self, links: &[LinkDest], parent: u32) -> Vec<NodeRef> {
        links
            .iter()
            .map(|_| self.nref(self.node_in(Role::Link, parent)))
            .collect()
    }

    /// Sets text as the structure element `node` (each link its own element inside it), with
    /// the given line height and no hyphenation.
    fn set_as(
        &self,
        node: u32,
        links: &[LinkDest],
        pieces: &[Piece],
        width: f32,
        align: Align,
        leading: f32,
    ) -> Vec<super::lines::Line> {
        let link_nodes = self.link_nodes(links, node);
        self.unhyphenated_setter(links, leading)
            .tagged(self.nref(node), &link_nodes)
            .set(pieces, width, align)
    }

    /// A setter that never hyphenates, with the edition's rule for a word's own hyphens:
    /// ragged (patient) editions never split a word there, on cards and in cells as in the
    /// body (a web address broken at `public-` was retyped as `publichealth`).
    fn unhyphenated_setter<'s>(&'s self, links: &'s [LinkDest], leading: f32) -> LineSetter<'s> {
        let setter = LineSetter::new(self.ctx.sh, links, leading).in_locale(&self.locale);
        if self.ctx.theme.justify {
            setter
        } else {
            setter.keeping_hyphenated_words()
        }
    }

    /// Like `set_as`, for text from the manuscript's data (resources.yaml) rather than the
    /// article: its direction comes from its own first strong character.
    #[allow(clippy::too_many_arguments)]
    fn set_as_data(
        &self,
        node: u32,
        links: &[LinkDest],
        pieces: &[Piece],
        width: f32,
        align: Align,
        leading: f32,
    ) -> Vec<super::lines::Line> {
        let link_nodes = self.link_nodes(links, node);
        self.unhyphenated_setter(links, leading)
            .direction_from_text()
            .tagged(self.nref(node), &link_nodes)
            .set(pieces, width, align)
    }

    fn setter<'s>(&'s self, links: &'s [LinkDest]) -> LineSetter<'s> {
        let hyphenate = if self.ctx.theme.justify {
            self.locale.hyphenator()
        } else {
            None
        };
        let setter = LineSetter::new(self.ctx.sh, links, self.ctx.theme.leading)
            .in_locale(&self.locale)
            .hyphenating(hyphenate);
        // Ragged editions are read by patients: a word is never split, not even at its own
        // hyphen ("7-/hydroxymitragynine" read as two words).
        if self.ctx.theme.justify {
            setter
        } else {
            setter.keeping_hyphenated_words()
        }
    }

    fn blocks(&mut self, blocks: &[Block], x: f32, width: f32) {
        let mut introduced = false;
        for (i, b) in blocks.iter().enumerate() {
            let start = self.out.len();
            self.block(b, x, width);
            self.keep_list_opening(introduced, start, b);
            introduced = self.keep_lead_in(start, b, blocks.get(i + 1));
        }
    }

    /// A paragraph that introduces a listing, table or list (one ending in a colon, or a
    /// one-line label such as a listing's file name) never ends a page without it: in the
    /// Rust book such lead-ins stood alone at the foot of a page.
    /// A list a lead-in introduces keeps its first two lines with it ("Call 911 if someone:"
    /// and at least two of the danger signs on one page).
    fn keep_list_opening(&mut self, introduced: bool, start: usize, block: &Block) {
        if !introduced || !matches!(block, Block::List(_)) {
            return;
        }
        let end = (start + 1).min(self.out.len().saturating_sub(1));
        for e in &mut self.out[start..end] {
            e.keep_with_next = true;
        }
    }

    /// Whether `block` introduces the next one (and was kept with it).
    fn keep_lead_in(&mut self, start: usize, block: &Block, next: Option<&Block>) -> bool {
        let Block::Paragraph(inl) = block else {
            return false;
        };
        // Only a paragraph followed by a listing, table or list is looked at (its text is
        // flattened just then).
        if !matches!(
            next,
            Some(
                Block::Code { .. }
                    | Block::Table(_)
                    | Block::List(_)
                    | Block::Caption { above: true, .. }
            )
        ) {
            return false;
        }
        let label = self.out.len() == start + 1 && matches!(next, Some(Block::Code { .. }));
        let colon = crate::model::plain_text(inl)
            .trim_end()
            .ends_with([':', '：']);
        if colon || label {
            if let Some(last) = self.out.last_mut() {
                last.keep_with_next = true;
                return true;
            }
        }
        false
    }

    fn block(&mut self, block: &Block, x: f32, width: f32) {
        match block {
            Block::Heading(h) => self.heading(h, x, width),
            Block::Paragraph(inl) => {
                // Large print leaves a blank line between paragraphs (ACB).
                let t = self.ctx.theme;
                let gap = if t.large_print {
                    self.body.size * t.leading
                } else {
                    self.body.size * 0.6
                };
                self.paragraph(inl, self.body, x, width, self.align, gap)
            }
            Block::Caption { content, above } => self.listing_label(content, *above, x, width),
            Block::List(list) => self.list(list, x, width),
            Block::Quote(blocks) => {
                let start = self.out.len();
                let (ix, iw) = indented(x, width, 16.0);
                let quote = self.node(Role::BlockQuote);
                self.within(quote, |l| l.blocks(blocks, ix, iw));
                self.decorate_bar(start, x + 4.0, 1.5, 0.55);
            }
            Block::Alert { kind, blocks } => self.callout(*kind, blocks, x, width),
            Block::Comparison(c) => self.comparison(c, x, width),
            Block::Resources { ids, cited_by } => self.resources(ids, *cited_by, x, width),
            Block::Code { text, .. } => self.code(text, x, width, 0.93),
            Block::Rule => {
                let y = 9.0;
                let w = width.min(120.0);
                self.out.push(Elem {
                    height: 18.0,
                    space_before: 4.0,
                    draws: vec![Draw::Line {
                        x1: x + (width - w) / 2.0,
                        y1: y,
                        x2: x + (width + w) / 2.0,
                        y2: y,
                        width: 0.6,
                        gray: 0.4,
                    }],
                    ..Default::default()
                });
            }
            Block::Table(table) => self.table(table, x, width),
            Block::Figure(img) => self.figure(img, x, width),
            Block::Anchor(id) => {
                self.out.push(Elem {
                    dests: vec![(dest_key(self.article, id), 0.0)],
                    ..Default::default()
                });
            }
        }
    }

    fn heading(&mut self, h: &Heading, x: f32, width: f32) {
        let t = self.ctx.theme;
        // A sub-chapter's title is set a size smaller for each depth.
        let rank = if h.is_title {
            if self.ctx.whole_book {
                self.article.depth.min(2)
            } else {
                0
            }
        } else {
            2 + h.level.saturating_sub(self.title_level).min(5)
        };
        let size = t.heading_size(rank);
        let before = if h.is_title {
            0.0
        } else {
            [20.0, 20.0, 20.0, 16.0, 12.0, 10.0, 10.0, 10.0][rank as usize] * t.scale.min(1.3)
        };
        let mut style = t.sans(size).bold();
        // Large print emphasises by weight alone (ACB: no italics).
        if rank >= 5 && !t.large_print {
            style = style.italic();
        }
        let mut links = Vec::new();
        let mut pieces = Vec::new();
        self.pieces(&h.content, style, &mut links, &mut pieces, false);
        // The article's title is its H1; the headings inside keep their levels relative to the
        // title's (a chapter titled with `##` has its `###` as H2), never below H2 and never
        // more than one level below the heading before (PDF/UA: no skipped levels).
        let base = self.base_level;
        let level = {
            let mut tree = self.tree.borrow_mut();
            let level = if h.is_title {
                base
            } else {
                (h.level.saturating_sub(self.title_level) + base)
                    .clamp(base + 1, tree.last_heading.max(base) + 1)
                    .min(6)
            };
            tree.last_heading = level;
            level
        };
        let hn = self.node(Role::H(level));
        let link_nodes = self.link_nodes(&links, hn);
        let setter = LineSetter::new(self.ctx.sh, &links, 1.2)
            .in_locale(&self.locale)
            .keeping_hyphenated_words()
            .tagged(self.nref(hn), &link_nodes);
        let lines = setter.set(&pieces, width, Align::Left);
        let mut e = self.lines_to_elem(lines, x);
        e.space_before = before;
        e.height += if h.is_title { 4.0 } else { 2.0 };
        e.keep_with_next = true;
        e.heading = true;
        let key = dest_key(self.article, &h.id);
        if !h.id.is_empty() {
            e.dests.insert(0, (key.clone(), 0.0));
        }
        let title = plain_text(&h.content);
        e.outline.push(OutlineMark {
            level: if h.is_title {
                base
            } else {
                h.level.max(2) + base - 1
            },
            kind: if h.is_title {
                MarkKind::Article(self.article.depth)
            } else {
                MarkKind::Section
            },
            order: 0,
            title: title.trim().to_string(),
            dest: if h.id.is_empty() {
                dest_key(self.article, "")
            } else {
                key
            },
        });
        self.out.push(e);
        if h.is_title && self.ctx.book.shows_review(self.article) {
            self.review_status(x, width);
        }
        if h.is_title {
            if let Some(summary) = &self.article.summary {
                // Large print has no italics, and a whole paragraph in bold is no easier:
                // the summary is set upright there.
                let style = t.serif(t.body_size * 1.1);
                let style = if t.large_print { style } else { style.italic() };
                let pieces = vec![Piece::Text(summary.clone(), style)];
                let p = self.node(Role::P);
                let lines =
                    self.setter(&[])
                        .tagged(self.nref(p), &[])
                        .set(&pieces, width, Align::Left);
                let n = self.out.len();
                self.push_lines(lines, x, width, 4.0);
                if let Some(e) = self.out.get_mut(n) {
                    e.keep_with_next = true;
                }
            }
            // A rule under the title block separates it from the text.
            self.out.push(Elem {
                height: 10.0,
                space_before: 2.0,
                draws: vec![Draw::Line {
                    x1: x,
                    y1: 4.0,
                    x2: x + width,
                    y2: 4.0,
                    width: 0.8,
                    gray: 0.3,
                }],
                keep_with_next: true,
                ..Default::default()
            });
        }
    }

    /// Under the title, the review status as part of the text ("DRAFT — not clinically
    /// reviewed", "Reviewed by … on …"): read aloud once, where the page furniture repeats
    /// it only in short.
    fn review_status(&mut self, x: f32, width: f32) {
        let t = self.ctx.theme;
        let review = self.article.reviewed.as_ref();
        let mut style = Style {
            gray: 0.15,
            ..t.sans(t.minor(0.85))
        };
        if review.is_none() {
            style = style.bold();
        }
        let mut line = self.locale.review_line(review);
        if t.large_print && review.is_none() {
            // No capitals in large print (ACB): "Draft — not clinically reviewed".
            line = self.locale.sentence_case(&line);
        }
        let p = self.node(Role::P);
        let lines = self.setter(&[]).tagged(self.nref(p), &[]).set(
            &[Piece::Text(line, style)],
            width,
            Align::Left,
        );
        let n = self.out.len();
        self.push_lines(lines, x, width, 3.0);
        for e in &mut self.out[n..] {
            e.keep_with_next = true;
        }
    }

    fn paragraph(
        &mut self,
        inl: &[Inline],
        style: Style,
        x: f32,
        width: f32,
        align: Align,
        space_before: f32,
    ) {
        let mut links = Vec::new();
        let mut pieces = Vec::new();
        self.pieces(inl, style, &mut links, &mut pieces, true);
        let blank = pieces.iter().all(|p| match p {
            Piece::Text(t, _) => t.trim().is_empty(),
            Piece::Break | Piece::Anchor(_) => true,
        });
        if blank {
            // A paragraph of anchors alone (`<span id="ferris"></span>`, as mdBook books mark
            // a place) is a destination, not an empty line: the Rust book had 76 gaps of two
            // lines' height, one after each.
            let dests = pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Anchor(id) => Some((id.clone(), 0.0)),
                    _ => None,
                })
                .collect();
            self.out.push(Elem {
                dests,
                keep_with_next: true,
                ..Default::default()
            });
            return;
        }
        let p = self.node(Role::P);
        let link_nodes = self.link_nodes(&links, p);
        let lines = self
            .setter(&links)
            .tagged(self.nref(p), &link_nodes)
            .set(&pieces, width, align);
        self.push_lines(lines, x, width, space_before);
    }

    /// A listing's file name above it or its caption under it: in the listing's smaller size,
    /// ragged, kept whole and on the page of the listing (in the Rust book a caption set as a
    /// paragraph could start a page on its own).
    fn listing_label(&mut self, inl: &[Inline], above: bool, x: f32, width: f32) {
        let t = self.ctx.theme;
        let style = t.serif(t.minor(0.9));
        if !above {
            if let Some(last) = self.out.last_mut() {
                last.keep_with_next = true;
            }
        }
        let start = self.out.len();
        let before = if above {
            t.body_size * 0.6
        } else {
            t.body_size * 0.3
        };
        self.paragraph(inl, style, x, width, Align::Left, before);
        let n = self.out.len() - start;
        if let Some(first) = self.out.get_mut(start) {
            first.keep = n;
        }
        for e in &mut self.out[start..] {
            e.text_line = false;
        }
        if above {
            if let Some(last) = self.out.last_mut() {
                last.keep_with_next = true;
            }
        }
    }

    /// One element per line, so pages can break between any two lines, but never leaving a
    /// single line of the paragraph on either side of the break.
    fn push_lines(
        &mut self,
        lines: Vec<super::lines::Line>,
        x: f32,
        measure: f32,
        space_before: f32,
    ) {
        let start = self.out.len();
        for (i, line) in lines.into_iter().enumerate() {
            let dests = line.dests.iter().map(|d| (d.clone(), 0.0)).collect();
            self.out.push(Elem {
                height: line.height,
                space_before: if i == 0 { space_before } else { 0.0 },
                draws: line.draws.iter().map(|d| d.shifted(x, 0.0)).collect(),
                dests,
                text_line: true,
                ..Default::default()
            });
        }
        let run = &mut self.out[start..];
        keep_ends_together(run, 2);
        // A paragraph ending in a short line does not leave only that line and one more at
        // the top of a page: three go over (two lines, the last of them a word or two, read
        // as a widow).
        let len = run.len();
        if len >= 5 {
            let last_end = super::flow::text_right_edge(&run[len - 1].draws) - x;
            if last_end < measure / 3.0 {
                run[len - 3].keep = 3;
            }
        }
    }

    /// Several lines as one unbreakable element.
    fn lines_to_elem(&self, lines: Vec<super::lines::Line>, x: f32) -> Elem {
        let mut e = Elem::default();
        for line in lines {
            e.draws
                .extend(line.draws.iter().map(|d| d.shifted(x, e.height)));
            e.dests
                .extend(line.dests.iter().map(|d| (d.clone(), e.height)));
            e.height += line.height;
        }
        e
    }

    fn list(&mut self, list: &List, x: f32, width: f32) {
        let t = self.ctx.theme;
        let depth = (x / 18.0) as usize;
        // The indent leaves room for the widest number ("123456789.") before the text.
        let widest = match list.start {
            Some(n) => {
                let last = format!("{}.", n.saturating_add(list.items.len() as u64));
                let face = self.ctx.sh.face_index(self.body.face);
                self.ctx.sh.width(face, &last, self.body.size)
            }
            None => 0.0,
        };
        let indent = (18.0 * t.scale).max(widest + 8.0).min(width / 2.0);
        // Lists nested past any sensible depth stop moving right.
        let indent = if width - indent < MIN_MEASURE {
            0.0
        } else {
            indent
        };
        let l_node = self.node(Role::L);
        for (i, item) in list.items.iter().enumerate() {
            let start = self.out.len();
            let inner_x = x + indent;
            let inner_w = width - indent;
            let li = self.node_in(Role::LI, l_node);
            let lbl = self.node_in(Role::Lbl, li);
            let body = self.node_in(Role::LBody, li);
            let align = self.align;
            self.within(body, |l| match item.blocks.first() {
                Some(Block::Paragraph(inl)) => {
                    l.paragraph(inl, l.body, inner_x, inner_w, align, t.body_size * 0.3);
                    l.blocks(&item.blocks[1..], inner_x, inner_w);
                }
                _ => l.blocks(&item.blocks, inner_x, inner_w),
            });
            if start == self.out.len() {
                self.out.push(Elem {
                    height: t.body_size * t.leading,
                    ..Default::default()
                });
            }
            // The marker sits on the first line's baseline; it is drawn first, as the item's
            // label, so it is read before the item.
            let mut marker_draws = vec![self.tag(lbl)];
            let first = &mut self.out[start];
            let baseline = first
                .draws
                .iter()
                .find_map(Draw::baseline)
                .unwrap_or(t.body_size);
            match item.task {
                Some(done) => {
                    let s = t.body_size * 0.72;
                    let (bx, by) = (x + 3.0, baseline - s);
                    let state = if done { Text::TaskDone } else { Text::TaskOpen };
                    self.set_alt(lbl, self.locale.text(state).into());
                    marker_draws.push(Draw::Rect {
                        x: bx,
                        y: by,
                        w: s,
                        h: s,
                        fill: None,
                        stroke: Some((0.0, 0.7)),
                    });
                    if done {
                        marker_draws.push(Draw::Line {
                            x1: bx + s * 0.2,
                            y1: by + s * 0.55,
                            x2: bx + s * 0.42,
                            y2: by + s * 0.8,
                            width: 1.1,
                            gray: 0.0,
                        });
                        marker_draws.push(Draw::Line {
                            x1: bx + s * 0.42,
                            y1: by + s * 0.8,
                            x2: bx + s * 0.85,
                            y2: by + s * 0.15,
                            width: 1.1,
                            gray: 0.0,
                        });
                    }
                }
                None => {
                    let marker = match list.start {
                        Some(n) => format!("{}.", n + i as u64),
                        None => if depth % 2 == 0 { "•" } else { "–" }.to_string(),
                    };
                    let style = self.body;
                    let face = self.ctx.sh.face_index(style.face);
                    let w = self.ctx.sh.width(face, &marker, style.size);
                    let lines =
                        self.setter(&[])
                            .set(&[Piece::Text(marker, style)], w + 1.0, Align::Left);
                    if let Some(line) = lines.into_iter().next() {
                        let mx = x + indent - 5.0 - w;
                        for d in line.draws {
                            if let Draw::Text(mut r) = d {
                                r.x += mx;
                                r.y = baseline;
                                marker_draws.push(Draw::Text(r));
                            }
                        }
                    }
                }
            }
            marker_draws.push(Draw::Tag(None));
            self.out[start].draws.splice(0..0, marker_draws);
        }
    }

    /// Draws a vertical bar beside elements `start..` (quotes, callouts), continuous across
    /// the space between them.
    fn decorate_bar(&mut self, start: usize, x: f32, width: f32, gray: f32) {
        let n = self.out.len();
        for i in start..n {
            let e = &mut self.out[i];
            let top = if i == start { 0.0 } else { -e.space_before };
            e.draws.insert(
                0,
                Draw::Rect {
                    x,
                    y: top,
                    w: width,
                    h: e.height - top,
                    fill: Some(gray),
                    stroke: None,
                },
            );
        }
    }

    fn code(&mut self, text: &str, x: f32, width: f32, gray_bg: f32) {
        let t = self.ctx.theme;
        let style = Style::new(Family::Mono, t.minor(0.86));
        let pad = 6.0;
        let start = self.out.len();
        let code = self.node(Role::Code);
        // Code reads left to right in every language.
        let setter =
            LineSetter::new(self.ctx.sh, &[], t.tight_leading(1.3)).mirroring(self.locale.is_rtl());
        let text = text.strip_suffix('\n').unwrap_or(text);
        for (i, src_line) in text.split('\n').enumerate() {
            let expanded = src_line.replace('\t', "    ");
            // Leading spaces are kept as an indent, since line setting drops them.
            let lead = expanded.len() - expanded.trim_start_matches(' ').len();
            let face = self.ctx.sh.face_index(style.face);
            // A deep indent is capped at half the box, so that at large-print sizes a nested
            // line still fits inside the margins (the Rust book's listings at 18 pt reached
            // past the right edge).
            let text_width = width - 2.0 * pad;
            let indent =
                (self.ctx.sh.width(face, " ", style.size) * lead as f32).min(text_width / 2.0);
            let content = expanded.trim_start_matches(' ');
            let avail = text_width - indent - 12.0;
            let lines = setter.set(
                &[Piece::Text(content.to_string(), style)],
                avail,
                Align::Left,
            );
            for (k, line) in lines.into_iter().enumerate() {
                // Continuation lines of a wrapped source line are indented a little further.
                let cx = x + pad + indent + if k > 0 { 12.0 } else { 0.0 };
                let mut e = Elem {
                    height: line.height,
                    space_before: if i == 0 && k == 0 {
                        t.body_size * 0.6
                    } else {
                        0.0
                    },
                    draws: std::iter::once(self.tag(code))
                        .chain(line.draws.iter().map(|d| d.shifted(cx, 0.0)))
                        .collect(),
                    ..Default::default()
                };
                if k > 0 {
                    // The mark of a wrapped line is decoration.
                    e.draws.push(Draw::Tag(None));
                    e.draws.push(Draw::Line {
                        x1: cx - 8.0,
                        y1: 3.0,
                        x2: cx - 8.0,
                        y2: line.height - 3.0,
                        width: 0.5,
                        gray: 0.5,
                    });
                }
                self.out.push(e);
            }
        }
        let n = self.out.len();
        if n == start {
            return;
        }
        self.out[start].height += pad;
        for i in start..n {
            let e = &mut self.out[i];
            let shift = if i == start { pad } else { 0.0 };
            if shift > 0.0 {
                e.draws = e.draws.iter().map(|d| d.shifted(0.0, shift)).collect();
            }
        }
        self.out[n - 1].height += pad;
        // Short listings stay whole; long ones keep two lines on each side of a page break.
        if n - start <= 6 {
            self.out[start].keep = n - start;
        } else {
            keep_ends_together(&mut self.out[start..n], 2);
        }
        if gray_bg < 1.0 {
            for e in &mut self.out[start..n] {
                e.draws.insert(
                    0,
                    Draw::Rect {
                        x,
                        y: 0.0,
                        w: width,
                        h: e.height,
                        fill: Some(gray_bg),
                        stroke: None,
                    },
                );
            }
        }
    }

    fn table(&mut self, table: &Table, x: f32, width: f32) {
        let t = self.ctx.theme;
        let ncols = table
            .header
            .len()
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
        if ncols == 0 {
            return;
        }
        let size = t.minor(0.9);
        // Columns 10 pt apart, about one em of the table's type: at 8 pt a header such as
        // "Operator Example" read as one phrase.
        let pad = 5.0;
        let body = t.sans(size);
        let head = body.bold();
        let (cell_links, cell_pieces) = self.table_cells(table, ncols, head, body);
        // Large print keeps one column (ACB): a table whose cells do not each fit on one line
        // across the text block is read as lists, as the comparison sidebar is.
        if t.large_print && ncols > 1 && table.header.len() == ncols {
            let (_, one_line) = self.column_extents(&cell_pieces, &cell_links, pad);
            let natural: f32 = one_line.iter().sum();
            if natural > width {
                let sect = self.node(Role::Sect);
                self.within(sect, |l| l.table_as_lists(table, x, width));
                return;
            }
        }
        let widths = self.table_columns(&cell_pieces, &cell_links, pad, width);
        let total: f32 = widths.iter().sum();
        let mut header_elem: Option<Arc<Elem>> = None;
        let table_node = self.node(Role::Table);
        let table_start = self.out.len();
        for (r, row) in cell_pieces.iter().enumerate() {
            let mut e = Elem::default();
            let mut cx = x;
            let mut cells = Vec::new();
            let mut row_h: f32 = 0.0;
            let tr = self.node_in(Role::TR, table_node);
            for (c, pieces) in row.iter().enumerate() {
                let cell_node = self.node_in(if r == 0 { Role::TH } else { Role::TD }, tr);
                if r == 0 {
                    if let Some(n) = self.tree.borrow_mut().nodes.get_mut(cell_node as usize) {
                        n.scope = Some("Column");
                    }
                }
                let lines = self.set_as(
                    cell_node,
                    &cell_links[r][c],
                    pieces,
                    (widths[c] - 2.0 * pad).max(4.0),
                    Align::Left,
                    self.ctx.theme.tight_leading(1.3),
                );
                let cell = self.lines_to_elem(lines, 0.0);
                row_h = row_h.max(cell.height);
                let shift = match table.align.get(c) {
                    Some(crate::model::Align::Right) | Some(crate::model::Align::Center) => {
                        let used = super::flow::text_right_edge(&cell.draws);
                        let free = (widths[c] - 2.0 * pad - used).max(0.0);
                        if table.align.get(c) == Some(&crate::model::Align::Right) {
                            free
                        } else {
                            free / 2.0
                        }
                    }
                    _ => 0.0,
                };
                cells.push((cx + pad + shift, cell));
                cx += widths[c];
            }
            e.height = row_h + 2.0 * pad;
            if r == 0 {
                e.draws.push(Draw::Rect {
                    x,
                    y: 0.0,
                    w: total,
                    h: e.height,
                    fill: Some(0.9),
                    stroke: None,
                });
                e.draws.push(Draw::Line {
                    x1: x,
                    y1: 0.0,
                    x2: x + total,
                    y2: 0.0,
                    width: 0.8,
                    gray: 0.0,
                });
            }
            for (cx, cell) in cells {
                e.draws
                    .extend(cell.draws.iter().map(|d| d.shifted(cx, pad)));
                e.dests
                    .extend(cell.dests.iter().map(|(k, y)| (k.clone(), y + pad)));
            }
            let rule = if r == 0 || r + 1 == cell_pieces.len() {
                (0.8, 0.0)
            } else {
                (0.4, 0.55)
            };
            e.draws.push(Draw::Tag(None));
            e.draws.push(Draw::Line {
                x1: x,
                y1: e.height,
                x2: x + total,
                y2: e.height,
                width: rule.0,
                gray: rule.1,
            });
            if r == 0 {
                e.space_before = t.body_size * 0.8;
                e.keep_with_next = true;
                header_elem = Some(Arc::new(Elem {
                    space_before: 0.0,
                    keep_with_next: false,
                    ..e.clone()
                }));
            } else {
                e.header = header_elem.clone();
            }
            // A row taller than a page is the one thing split: its lines go, in order, into
            // pieces that each fit a page, under the repeated header.
            let limit = (t.page_h - t.margin_top - t.margin_bottom) * 0.8;
            if e.height > limit {
                self.out.extend(split_tall(e, limit, x, total));
            } else {
                self.out.push(e);
            }
        }
        // A short table is read whole: one that fills no more than a third of a page moves
        // to the next page rather than split, and its header is then never repeated (a
        // repeated header reads to checkers as hidden prose).
        let rows = self.out.len() - table_start;
        let height: f32 = self.out[table_start..].iter().map(|e| e.height).sum();
        if rows > 1 && height <= (t.page_h - t.margin_top - t.margin_bottom) / 3.0 {
            self.out[table_start].keep = rows;
        }
        if let Some(last) = self.out.last_mut() {
            last.height += t.body_size * 0.5;
        }
    }

    /// Every cell of a table (header row first) as styled pieces with its links; rows short of
    /// `ncols` cells are padded with empty ones.
    #[allow(clippy::type_complexity)]
    fn table_cells(
        &self,
        table: &Table,
        ncols: usize,
        head: Style,
        body: Style,
    ) -> (Vec<Vec<Vec<LinkDest>>>, Vec<Vec<Vec<Piece>>>) {
        let mut cell_links: Vec<Vec<Vec<LinkDest>>> = Vec::new();
        let mut cell_pieces: Vec<Vec<Vec<Piece>>> = Vec::new();
        for (r, row) in std::iter::once(&table.header)
            .chain(table.rows.iter())
            .enumerate()
        {
            let mut lrow = Vec::new();
            let mut prow = Vec::new();
            for c in 0..ncols {
                let mut links = Vec::new();
                let mut pieces = Vec::new();
                if let Some(cell) = row.get(c) {
                    self.pieces(
                        cell,
                        if r == 0 { head } else { body },
                        &mut links,
                        &mut pieces,
                        true,
                    );
                }
                lrow.push(links);
                prow.push(pieces);
            }
            cell_links.push(lrow);
            cell_pieces.push(prow);
        }
        (cell_links, cell_pieces)
    }

    /// Each column's narrowest (its longest word) and widest (its longest cell on one line)
    /// width, padding included.
    fn column_extents(
        &self,
        cell_pieces: &[Vec<Vec<Piece>>],
        cell_links: &[Vec<Vec<LinkDest>>],
        pad: f32,
    ) -> (Vec<f32>, Vec<f32>) {
        let ncols = cell_pieces.first().map_or(0, Vec::len);
        let mut min = vec![0.0f32; ncols];
        let mut max = vec![0.0f32; ncols];
        for (r, row) in cell_pieces.iter().enumerate() {
            for (c, pieces) in row.iter().enumerate() {
                let (wmin, wmax) = self.setter(&cell_links[r][c]).measure(pieces);
                min[c] = min[c].max(wmin + 2.0 * pad);
                max[c] = max[c].max(wmax + 2.0 * pad);
            }
        }
        (min, max)
    }

    /// Column widths from content: each column gets at least its longest word, the rest of
    /// the width goes where the text is.
    fn table_columns(
        &self,
        cell_pieces: &[Vec<Vec<Piece>>],
        cell_links: &[Vec<Vec<LinkDest>>],
        pad: f32,
        width: f32,
    ) -> Vec<f32> {
        let (min, max) = self.column_extents(cell_pieces, cell_links, pad);
        let sum_max: f32 = max.iter().sum();
        let sum_min: f32 = min.iter().sum();
        if sum_max <= width {
            max
        } else if sum_min >= width {
            min.iter().map(|m| m * width / sum_min).collect()
        } else {
            let spare = width - sum_min;
            let flex: f32 = max.iter().zip(&min).map(|(a, b)| a - b).sum();
            min.iter()
                .zip(&max)
                .map(|(mn, mx)| {
                    mn + if flex > 0.0 {
                        spare * (mx - mn) / flex
                    } else {
                        0.0
                    }
                })
                .collect()
        }
    }

    fn figure(&mut self, img: &Image, x: f32, width: f32) {
        let t = self.ctx.theme;
        // The title is the caption, as in the EPUB; the alt text is what the figure's tag
        // carries (and what stands in for a picture that is not printed).
        let caption = img.title.clone().unwrap_or_default();
        let mut e = Elem {
            space_before: t.body_size,
            ..Default::default()
        };
        match &img.src {
            ImageSource::Local {
                path,
                width: pw,
                height: ph,
                ..
            } => {
                // 96 pixels to the inch at most, never wider than the text or taller than half
                // the page.
                let natural_w = *pw as f32 * 0.75;
                let natural_h = *ph as f32 * 0.75;
                let scale = (width / natural_w)
                    .min((t.page_h * 0.5) / natural_h)
                    .min(1.0);
                let (w, h) = (natural_w * scale, natural_h * scale);
                if let Some(index) = self.ctx.book.images().index_of(path) {
                    // A figure with no description is decoration (an artifact).
                    if !img.alt.trim().is_empty() {
                        let fig = self.node(Role::Figure);
                        self.set_alt(fig, img.alt.clone());
                        e.draws.push(self.tag(fig));
                    }
                    e.draws.push(Draw::Image {
                        index,
                        x: x + (width - w) / 2.0,
                        y: 0.0,
                        w,
                        h,
                    });
                }
                e.height = h + 4.0;
            }
            _ => {
                // Not drawn in print (remote, or SVG): a framed box holding the description.
                let style = t.sans(t.minor(0.9)).italic();
                let note = match &img.src {
                    ImageSource::Remote(url) => self
                        .locale
                        .fill(Text::ImageNotIncluded, &[("alt", &img.alt), ("url", url)]),
                    _ => self
                        .locale
                        .fill(Text::ImagePlaceholder, &[("alt", &img.alt)]),
                };
                let p = self.node(Role::P);
                let lines = self.set_as(
                    p,
                    &[],
                    &[Piece::Text(note, style)],
                    width - 24.0,
                    Align::Center,
                    self.ctx.theme.leading,
                );
                let inner = self.lines_to_elem(lines, x + 12.0);
                e.draws.push(Draw::Rect {
                    x,
                    y: 0.0,
                    w: width,
                    h: inner.height + 16.0,
                    fill: None,
                    stroke: Some((0.5, 0.6)),
                });
                e.draws
                    .extend(inner.draws.iter().map(|d| d.shifted(0.0, 8.0)));
                e.height = inner.height + 20.0;
            }
        }
        if caption.trim().is_empty() {
            e.height += 4.0;
            self.out.push(e);
            return;
        }
        // The caption's lines are elements of their own, so a long one can run onto the next
        // page (keeping two lines with the picture) rather than off this one.
        e.keep_with_next = true;
        self.out.push(e);
        let style = t.serif(t.minor(0.9)).italic();
        let cap_node = self.node(Role::Caption);
        let lines = self.set_as(
            cap_node,
            &[],
            &[Piece::Text(caption, style)],
            width * 0.85,
            Align::Center,
            t.leading,
        );
        let start = self.out.len();
        self.push_lines(lines, x + width * 0.075, width * 0.85, 2.0);
        if let Some(last) = self.out[start..].last_mut() {
            last.height += 8.0;
        }
    }

    /// Lays out every footnote once, numbered, in a smaller size, to be placed at the foot of
    /// the page that first refers to it.
    fn lay_out_notes(&mut self, width: f32) {
        let t = self.ctx.theme;
        let small = t.serif(t.body_size * if t.large_print { 1.0 } else { 0.85 });
        for f in &self.article.footnotes {
            let mut sub = self.sub(small, t.align());
            let note = sub.node(Role::Note);
            sub.parent = Some(note);
            match f.blocks.first() {
                Some(Block::Paragraph(inl)) => {
                    sub.paragraph(inl, small, 14.0, width - 14.0, t.align(), 0.0);
                    sub.blocks(&f.blocks[1..], 14.0, width - 14.0);
                }
                _ => sub.blocks(&f.blocks, 14.0, width - 14.0),
            }
            if sub.out.is_empty() {
                sub.out.push(Elem {
                    height: small.size * t.leading,
                    ..Default::default()
                });
            }
            sub.out[0].space_before = 2.0;
            let num = format!("{}", f.number);
            let face = self.ctx.sh.face_index(small.face);
            let w = self.ctx.sh.width(face, &num, small.size);
            let baseline = sub.out[0]
                .draws
                .iter()
                .find_map(Draw::baseline)
                .unwrap_or(small.size);
            // The number is the note's label, read first.
            let mut label = vec![sub.tag(sub.node_in(Role::Lbl, note))];
            for line in self
                .setter(&[])
                .set(&[Piece::Text(num, small)], w + 1.0, Align::Left)
            {
                for d in line.draws {
                    if let Draw::Text(mut r) = d {
                        r.x = 10.0 - w;
                        r.y = baseline;
                        label.push(Draw::Text(r));
                    }
                }
            }
            label.push(Draw::Tag(None));
            sub.out[0].draws.splice(0..0, label);
            sub.out[0]
                .dests
                .push((footnote_key(self.article, f.number), 0.0));
            self.notes.insert(f.number, Arc::new(sub.out));
        }
    }

    /// Large print sets the notes after the article, under a heading of their own (ACB: a
    /// note at 18 pt at each page's foot leaves little room for the text).
    fn notes_at_end(&mut self, width: f32) {
        let mut numbers: Vec<usize> = self.notes.keys().copied().collect();
        if numbers.is_empty() {
            return;
        }
        numbers.sort_unstable();
        let t = self.ctx.theme;
        let style = t.sans(t.heading_size(4)).bold();
        let node = self.node(Role::P);
        let title = self.locale.text(Text::EpubNotes).to_string();
        let lines = self.set_as(
            node,
            &[],
            &[Piece::Text(title, style)],
            width,
            Align::Left,
            1.2,
        );
        let mut head = self.lines_to_elem(lines, 0.0);
        head.space_before = t.body_size * 2.0;
        head.keep_with_next = true;
        self.out.push(head);
        for n in numbers {
            for (k, e) in self.notes[&n].iter().enumerate() {
                let mut e = e.clone();
                if k == 0 {
                    e.space_before = e.space_before.max(t.body_size * 0.6);
                }
                self.out.push(e);
            }
        }
    }

    /// Gives each footnote to every element that refers to it (once per element): the
    /// paginator sets it at the foot of the first page and again on any later page that
    /// refers to it.
    fn attach_notes(&mut self) {
        if self.notes.is_empty() {
            return;
        }
        let prefix = footnote_key(self.article, 0);
        let prefix = prefix.trim_end_matches('0');
        for e in &mut self.out {
            let mut attached = std::collections::HashSet::new();
            let mut refs = Vec::new();
            for d in &e.draws {
                if let Draw::Link {
                    dest: LinkDest::Dest(k),
                    ..
                } = d
                {
                    if let Some(n) = k.strip_prefix(prefix).and_then(|n| n.parse::<usize>().ok()) {
                        refs.push(n);
                    }
                }
            }
            for n in refs {
                if attached.insert(n) {
                    if let Some(note) = self.notes.get(&n) {
                        e.notes.push(note.clone());
                    }
                }
            }
        }
    }

    /// Inline model → styled pieces. `print_urls`: follow a link whose text is not its URL with
    /// the URL in small type, so the paper copy can be followed too.
    fn pieces(
        &self,
        inlines: &[Inline],
        style: Style,
        links: &mut Vec<LinkDest>,
        out: &mut Vec<Piece>,
        print_urls: bool,
    ) {
        for i in inlines {
            match i {
                Inline::Text(s) => out.push(Piece::Text(s.clone(), style)),
                Inline::Code(s) => {
                    let mut st = style;
                    st.face.family = Family::Mono;
                    st.face.italic = false;
                    st.size = style.size * 0.9;
                    out.push(Piece::Text(s.clone(), st));
                }
                Inline::Emphasis(c) => self.pieces(
                    c,
                    Style {
                        face: crate::fonts::FaceKey {
                            italic: !style.face.italic,
                            ..style.face
                        },
                        ..style
                    },
                    links,
                    out,
                    print_urls,
                ),
                Inline::Strong(c) => self.pieces(c, style.bold(), links, out, print_urls),
                Inline::Strikethrough(c) => self.pieces(
                    c,
                    Style {
                        strike: true,
                        ..style
                    },
                    links,
                    out,
                    print_urls,
                ),
                Inline::Link { target, content } => {
                    let dest = match target {
                        LinkTarget::External(u) => LinkDest::Uri(u.clone()),
                        LinkTarget::Internal { article, anchor } => {
                            let a = &self.ctx.book.articles[*article];
                            LinkDest::Dest(dest_key(a, anchor.as_deref().unwrap_or("")))
                        }
                    };
                    links.push(dest.clone());
                    let st = Style {
                        link: Some(links.len() as u32 - 1),
                        ..style
                    };
                    self.pieces(content, st, links, out, print_urls);
                    if let (LinkTarget::External(url), true) = (target, print_urls) {
                        let shown = plain_text(content);
                        if !crate::url::shown_by(&shown, url) {
                            let small = Style {
                                size: self.ctx.theme.at_least(style.size * 0.82),
                                gray: 0.25,
                                face: crate::fonts::FaceKey {
                                    family: self.ctx.theme.ui_family,
                                    bold: false,
                                    italic: false,
                                },
                                ..st
                            };
                            out.push(Piece::Text(" (".into(), small));
                            out.push(Piece::Text(crate::url::display(url), small));
                            out.push(Piece::Text(")".into(), small));
                        }
                    }
                }
                Inline::Image(img) => {
                    out.push(Piece::Text(format!("[{}]", img.alt), style.italic()))
                }
                Inline::FootnoteRef(n) => {
                    links.push(LinkDest::Dest(footnote_key(self.article, *n)));
                    // Note markers: 9 pt or more in a handout, 12 in large print (ACB).
                    let t = self.ctx.theme;
                    let floor = if t.large_print { 12.0 } else { t.floor };
                    let st = Style {
                        size: (style.size * 0.68).max(floor),
                        rise: style.size * 0.36,
                        link: Some(links.len() as u32 - 1),
                        ..style
                    };
                    out.push(Piece::Text(n.to_string(), st));
                }
                Inline::SoftBreak => out.push(Piece::Text(" ".into(), style)),
                Inline::HardBreak => out.push(Piece::Break),
                Inline::Styled {
                    style: html,
                    content,
                } => {
                    let st = match html {
                        HtmlStyle::Superscript => Style {
                            size: style.size * 0.7,
                            rise: style.rise + style.size * 0.36,
                            ..style
                        },
                        HtmlStyle::Subscript => Style {
                            size: style.size * 0.7,
                            rise: style.rise - style.size * 0.12,
                            ..style
                        },
                        HtmlStyle::Keyboard => {
                            let mut st = style;
                            st.face.family = Family::Mono;
                            st.face.italic = false;
                            st.size = style.size * 0.88;
                            st
                        }
                        HtmlStyle::Deleted => Style {
                            strike: true,
                            ..style
                        },
                        HtmlStyle::Marked => style.bold(),
                        HtmlStyle::Small => Style {
                            size: style.size * 0.85,
                            ..style
                        },
                        HtmlStyle::Span
                        | HtmlStyle::Label { .. }
                        | HtmlStyle::Inserted
                        | HtmlStyle::Abbreviation(_) => style,
                    };
                    self.pieces(content, st, links, out, print_urls);
                }
                Inline::Anchor(id) => out.push(Piece::Anchor(dest_key(self.article, id))),
            }
        }
    }
}

/// Mirrors elements left to right across a column `width` wide, with the table headers they
/// repeat (each shared header mirrored once).
fn mirror_elems(elems: &mut [Elem], width: f32) {
    let mut headers: HashMap<*const Elem, Arc<Elem>> = HashMap::new();
    for e in elems {
        e.draws.iter_mut().for_each(|d| d.mirror(width));
        if let Some(h) = e.header.take() {
            let key = Arc::as_ptr(&h);
            let mirrored = headers.entry(key).or_insert_with(|| {
                let mut copy = Elem::clone(&h);
                copy.draws.iter_mut().for_each(|d| d.mirror(width));
                Arc::new(copy)
            });
            e.header = Some(mirrored.clone());
        }
    }
}

/// Mirrors every footnote's elements (before they are given to the elements citing them).
fn mirror_notes(notes: &mut HashMap<usize, Arc<Vec<Elem>>>, width: f32) {
    for note in notes.values_mut() {
        let mut elems = Vec::clone(note);
        mirror_elems(&mut elems, width);
        *note = Arc::new(elems);
    }
}

/// Splits a table row taller than `limit` into pieces by the baselines of its text: each piece
/// keeps the text (and links) whose line starts in it, and a rule above.
fn split_tall(row: Elem, limit: f32, x: f32, width: f32) -> Vec<Elem> {
    let top_of = |d: &Draw| match d {
        Draw::Text(r) => Some(r.y - r.size),
        Draw::Link { y, .. } => Some(*y),
        _ => None,
    };
    let pieces = (row.height / limit).ceil().max(1.0) as usize;
    let mut out: Vec<Elem> = (0..pieces)
        .map(|_| Elem {
            header: row.header.clone(),
            ..Default::default()
        })
        .collect();
    // Each piece carries the tags of the cells its text comes from.
    let mut tag = None;
    let mut piece_tag = vec![None; pieces];
    for d in &row.draws {
        if let Draw::Tag(t) = d {
            tag = *t;
            continue;
        }
        let Some(top) = top_of(d) else { continue };
        let k = ((top.max(0.0) / limit) as usize).min(pieces - 1);
        if piece_tag[k] != tag {
            out[k].draws.push(Draw::Tag(tag));
            piece_tag[k] = tag;
        }
        out[k].draws.push(d.shifted(0.0, -(k as f32) * limit));
    }
    for (k, e) in out.iter_mut().enumerate() {
        e.height = if k + 1 == pieces {
            row.height - limit * k as f32
        } else {
            limit
        };
        e.draws.insert(
            0,
            Draw::Line {
                x1: x,
                y1: 0.0,
                x2: x + width,
                y2: 0.0,
                width: 0.4,
                gray: 0.55,
            },
        );
    }
    out
}

/// The narrowest column text is ever set in: deeper nesting stops indenting.
pub(crate) const MIN_MEASURE: f32 = 120.0;

/// `x` and `width` moved in by `by`, unless that would leave less than `MIN_MEASURE`.
pub(crate) fn indented(x: f32, width: f32, by: f32) -> (f32, f32) {
    if width - by < MIN_MEASURE {
        (x, width)
    } else {
        (x + by, width - by)
    }
}

/// Keeps the first `n` and the last `n` elements of a run together (all of them when the run
/// is short), so that a page break inside leaves at least `n` on each side.
pub(super) fn keep_ends_together(run: &mut [Elem], n: usize) {
    let len = run.len();
    if len < 2 {
        return;
    }
    if len <= 2 * n - 1 {
        run[0].keep = len;
    } else {
        run[0].keep = n;
        run[len - n].keep = n;
    }
}
