//! Inline text → shaped, broken, positioned lines. Break opportunities come from the Unicode
//! line-breaking algorithm; a word too wide for the line is split as a last resort, preferring
//! the places a reader expects (after `/`, `.`, `-`, `_`).

use super::shape::{Shaped, Shaper};
use crate::fonts::{FaceKey, Family};
use crate::paged::NodeRef;
use crate::paged::{Draw, Glyph, GlyphRun, LinkDest};
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub face: FaceKey,
    pub size: f32,
    pub gray: f32,
    /// Baseline shift upwards, in points (superscripts).
    pub rise: f32,
    pub strike: bool,
    /// Index into the paragraph's link table.
    pub link: Option<u32>,
}

impl Style {
    pub fn new(family: Family, size: f32) -> Style {
        Style {
            face: FaceKey::new(family, false, false),
            size,
            gray: 0.0,
            rise: 0.0,
            strike: false,
            link: None,
        }
    }
    pub fn bold(mut self) -> Style {
        self.face.bold = true;
        self
    }
    pub fn italic(mut self) -> Style {
        self.face.italic = true;
        self
    }
}

#[derive(Debug, Clone)]
pub enum Piece {
    Text(String, Style),
    /// A forced line break.
    Break,
    /// A destination at this point of the text.
    Anchor(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Justify,
    Left,
    Center,
}

#[derive(Debug)]
pub struct Line {
    pub height: f32,
    pub draws: Vec<Draw>,
    /// Destinations in this line (offset 0: the line's top).
    pub dests: Vec<String>,
    /// How far its spaces (and letters) were stretched, as a fraction of what they may
    /// stretch (positive), or shrunk (negative); 0 for a line at its natural width.
    pub ratio: f32,
}

#[derive(Debug, Clone)]
struct Frag {
    text: String,
    style: Style,
    face: usize,
    /// Its bidi embedding level (odd: right to left), from the Unicode bidi algorithm.
    level: u8,
    shaped: Rc<Shaped>,
    width: f32,
    /// For a space: TeX's space factor over 1000, how much more it stretches (and less it
    /// shrinks) than a plain space; larger after a sentence or a clause.
    factor: f32,
}

#[derive(Debug, Clone)]
enum Item {
    Word(Vec<Frag>),
    Space(Frag),
    /// A break opportunity with no space (after a hyphen or a slash, or inside inline code),
    /// and what breaking there costs.
    Zero(f32),
    Forced,
    Anchor(String),
    /// A place inside a word where it may be hyphenated; holds the hyphen to draw.
    Hyphen(Frag),
}

/// What a break with no hyphen costs (after a hyphen or a slash), as TeX's `\exhyphenpenalty`.
const BREAK_COST: f32 = 50.0;
/// A break inside inline code (after `::`, `_` or a dot): dearer than a space, cheaper than a
/// loose line. Without them a long identifier such as `hello_macro_derive` forced 78 Rust-book
/// paragraphs into the emergency pass and 34 lines with spaces over twice their width.
const CODE_BREAK_COST: f32 = 150.0;

/// What a hyphen costs (TeX's `\hyphenpenalty`, squared into the demerits). TeX's 50 made
/// 23 of every 1000 lines of the Rust book end in a hyphen; at 300 a hyphen is taken only to
/// avoid a line about 1.5 times as loose, and the book has 9 per 1000 (XeLaTeX: 7), no two in
/// a row, with lines over 1.5 times as loose at 193 of 7,700.
const HYPHEN_COST: f32 = 300.0;

/// The longest run of text shaped as one piece.
const MAX_WORD_BYTES: usize = 160;

#[derive(Clone, Copy)]
pub struct LineSetter<'a> {
    pub sh: &'a Shaper,
    pub links: &'a [LinkDest],
    /// Line height as a multiple of the largest font size on the line.
    pub leading: f32,
    /// Hyphenation patterns for the text's language, if it is to be hyphenated.
    pub hyphenator: Option<&'static hyphenation::Standard>,
    /// Whether a line may end after a hyphen in the text (`self-` / `aware`). Headings and
    /// contents entries say no, so a title is never split where a reader would not split it.
    pub break_after_hyphens: bool,
    /// The structure element the text belongs to, and each link's own element (by link
    /// index): lines then carry the tags that say so.
    pub tags: Option<(NodeRef, &'a [NodeRef])>,
    /// The paragraph's direction: right to left (Arabic), else left to right. Either way,
    /// runs of the other direction inside are ordered by the Unicode bidi algorithm.
    pub rtl: bool,
    /// Break only at spaces, never between two letters (Korean).
    pub keep_words_whole: bool,
    /// Take the paragraph's direction from its first strong character (like HTML's
    /// `dir="auto"`), for text that comes from data rather than the article's author: a
    /// resource's English description in an Arabic handout reads left to right.
    pub auto_direction: bool,
    /// Set each line as its mirror image (glyphs reversed, alignment swapped): an article
    /// laid out right to left is laid out left to right and mirrored whole at the end, which
    /// turns every line back and moves lists, bars and columns to their right-to-left side.
    pub mirrored: bool,
}

impl<'a> LineSetter<'a> {
    pub fn new(sh: &'a Shaper, links: &'a [LinkDest], leading: f32) -> Self {
        LineSetter {
            sh,
            links,
            leading,
            hyphenator: None,
            break_after_hyphens: true,
            tags: None,
            rtl: false,
            keep_words_whole: false,
            auto_direction: false,
            mirrored: false,
        }
    }

    /// The paragraph's direction from its own first strong character.
    pub fn direction_from_text(mut self) -> Self {
        self.auto_direction = true;
        self
    }

    /// Sets text as the language asks: its direction (lines mirrored, for a right-to-left
    /// layout) and where its lines may break.
    pub fn in_locale(mut self, locale: &crate::locale::Locale) -> Self {
        self.rtl = locale.is_rtl();
        self.mirrored = locale.is_rtl();
        self.keep_words_whole = locale.keeps_words_whole();
        self
    }

    pub fn tagged(mut self, element: NodeRef, links: &'a [NodeRef]) -> Self {
        self.tags = Some((element, links));
        self
    }

    /// Sets each line as its mirror image, whatever its direction (code in a right-to-left
    /// article, whose layout is mirrored whole).
    pub fn mirroring(mut self, mirrored: bool) -> Self {
        self.mirrored = mirrored;
        self
    }

    pub fn keeping_hyphenated_words(mut self) -> Self {
        self.break_after_hyphens = false;
        self
    }

    pub fn hyphenating(mut self, h: Option<&'static hyphenation::Standard>) -> Self {
        self.hyphenator = h;
        self
    }

    fn push_word(&self, word: &mut Vec<Frag>, items: &mut Vec<Item>) {
        if !word.is_empty() {
            items.push(Item::Word(std::mem::take(word)));
        }
    }

    /// The items with every ordinary word (one style, not code, letters only at its core,
    /// six letters or more) split into syllables with hyphenation points between them; the
    /// last word of a paragraph is left whole. `None` when nothing could be hyphenated.
    /// Done only when a paragraph cannot be set well without it: most never need it.
    fn hyphenated(&self, items: &[Item]) -> Option<Vec<Item>> {
        let h = self.hyphenator?;
        let last_word = items
            .iter()
            .rposition(|i| matches!(i, Item::Space(_) | Item::Zero(_) | Item::Forced))
            .map_or(0, |i| i + 1);
        let mut out = Vec::with_capacity(items.len() * 2);
        let mut any = false;
        for (i, it) in items.iter().enumerate() {
            if let (Item::Word(frags), true) = (it, i < last_word) {
                if let [f] = frags.as_slice() {
                    if f.style.face.family != Family::Mono {
                        if let Some(points) = hyphenation_points(h, &f.text) {
                            let hyphen = self.hyphen_frag(f.style, f.face, f.level);
                            let mut last = 0;
                            for p in points {
                                out.push(Item::Word(vec![self.refrag(f, &f.text[last..p])]));
                                if let Some(hy) = &hyphen {
                                    out.push(Item::Hyphen(hy.clone()));
                                }
                                last = p;
                            }
                            out.push(Item::Word(vec![self.refrag(f, &f.text[last..])]));
                            any = true;
                            continue;
                        }
                    }
                }
            }
            out.push(it.clone());
        }
        any.then_some(out)
    }

    /// The hyphen drawn at a line end: the font's soft-hyphen glyph, so that copying the text
    /// gives the whole word back.
    fn hyphen_frag(&self, style: Style, face: usize, level: u8) -> Option<Frag> {
        let f = &self.sh.faces[face];
        let gid =
            f.rb.glyph_index('\u{ad}')
                .or_else(|| f.rb.glyph_index('-'))?
                .0;
        let adv =
            f.rb.glyph_hor_advance(ttf_parser::GlyphId(gid))
                .unwrap_or(0) as i32;
        let shaped = Rc::new(Shaped {
            glyphs: vec![super::shape::ShapedGlyph {
                gid,
                advance: adv,
                text: "\u{ad}".into(),
            }],
            width: adv,
        });
        Some(Frag {
            text: "\u{ad}".into(),
            style,
            face,
            level,
            width: adv as f32 * style.size / f.units_per_em,
            shaped,
            factor: 1.0,
        })
    }

    fn frag(&self, text: &str, style: Style, face: usize, level: u8) -> Frag {
        let shaped = self.sh.shape_in(face, text, level % 2 == 1);
        let width = shaped.width as f32 * style.size / self.sh.faces[face].units_per_em;
        Frag {
            text: text.to_string(),
            style,
            face,
            level,
            shaped,
            width,
            factor: 1.0,
        }
    }

    /// Another piece of `f`'s text, in its style, face and direction.
    fn refrag(&self, f: &Frag, text: &str) -> Frag {
        self.frag(text, f.style, f.face, f.level)
    }

    /// The face for one character: the style's own, else the first bundled face that has it.
    fn face_for(&self, style: Style, c: char) -> usize {
        let primary = self.sh.face_index(style.face);
        if c.is_whitespace() || self.sh.covers(primary, c) {
            return primary;
        }
        for family in Family::FALLBACK {
            let f = self.sh.face_index(FaceKey {
                family,
                ..style.face
            });
            if self.sh.covers(f, c) {
                return f;
            }
        }
        // No face has it: one that can draw the replacement character instead.
        if self.sh.faces[primary].replacement.is_some() {
            return primary;
        }
        [Family::Sans, Family::Serif]
            .into_iter()
            .map(|family| {
                self.sh.face_index(FaceKey {
                    family,
                    ..style.face
                })
            })
            .find(|&f| self.sh.faces[f].replacement.is_some())
            .unwrap_or(primary)
    }

    fn items(&self, pieces: &[Piece]) -> Vec<Item> {
        let mut full = String::new();
        for p in pieces {
            if let Piece::Text(t, _) = p {
                full.push_str(t);
            }
        }
        let mut allowed = vec![false; full.len() + 1];
        for (i, _) in unicode_linebreak::linebreaks(&full) {
            allowed[i] = true;
        }
        if self.keep_words_whole {
            keep_words_whole(&full, &mut allowed);
        }
        let levels = bidi_levels(&full, self.rtl);
        let level_at = |at: usize| levels.as_ref().map_or(0, |l| l[at]);
        let mut items = Vec::new();
        let mut word: Vec<Frag> = Vec::new();
        let mut offset = 0;
        for p in pieces {
            match p {
                Piece::Break => {
                    self.push_word(&mut word, &mut items);
                    // A space before a hard break is no place to break (LaTeX's `\\` unskips
                    // first): breaking there leaves an empty line before the forced break.
                    while matches!(items.last(), Some(Item::Space(_) | Item::Zero(_))) {
                        items.pop();
                    }
                    items.push(Item::Forced);
                }
                Piece::Anchor(id) => {
                    self.push_word(&mut word, &mut items);
                    items.push(Item::Anchor(id.clone()));
                }
                Piece::Text(text, style) => {
                    let mut run = String::new();
                    let mut run_face = usize::MAX;
                    let mut run_level = 0u8;
                    for (i, c) in text.char_indices() {
                        let at = offset + i;
                        let level = level_at(at);
                        if c.is_whitespace() && c != '\u{a0}' && c != '\u{202f}' {
                            if !run.is_empty() {
                                word.push(self.frag(&run, *style, run_face, run_level));
                                run.clear();
                            }
                            self.push_word(&mut word, &mut items);
                            if !matches!(items.last(), Some(Item::Space(_))) {
                                let face = self.sh.face_index(style.face);
                                let mut space = self.frag(" ", *style, face, level);
                                space.factor = space_factor(&full[..at]);
                                items.push(Item::Space(space));
                            }
                            continue;
                        }
                        let mono = style.face.family == Family::Mono;
                        let in_code = mono && code_break_before(&full[..at], &full[at..]);
                        // The Unicode rules' breaks are not for short code: only `::`, `_`
                        // and `.` break it.
                        let unicode = allowed[at] && !(mono && short_code_word(text, i));
                        if (unicode || in_code) && at > 0 && (!run.is_empty() || !word.is_empty()) {
                            let prev = full[..at].chars().next_back().unwrap_or(' ');
                            let after_hyphen = matches!(prev, '-' | '\u{2010}');
                            if !prev.is_whitespace() && (self.break_after_hyphens || !after_hyphen)
                            {
                                if !run.is_empty() {
                                    word.push(self.frag(&run, *style, run_face, run_level));
                                    run.clear();
                                }
                                self.push_word(&mut word, &mut items);
                                items.push(Item::Zero(if unicode {
                                    BREAK_COST
                                } else {
                                    CODE_BREAK_COST
                                }));
                            }
                        }
                        // Control characters and bidi controls have no glyph and no width: they
                        // are not set (the latter have done their work on the levels).
                        if c.is_control() || is_bidi_control(c) {
                            continue;
                        }
                        // A "word" longer than any line (a URL, a hash, a million-character
                        // line) is cut into pieces with break opportunities between them, so
                        // no step below ever works on a huge string.
                        if run.len() >= MAX_WORD_BYTES {
                            word.push(self.frag(&run, *style, run_face, run_level));
                            run.clear();
                            self.push_word(&mut word, &mut items);
                            items.push(Item::Zero(BREAK_COST));
                        }
                        let face = self.face_for(*style, c);
                        if (face != run_face || level != run_level) && !run.is_empty() {
                            word.push(self.frag(&run, *style, run_face, run_level));
                            run.clear();
                        }
                        run_face = face;
                        run_level = level;
                        run.push(c);
                    }
                    if !run.is_empty() {
                        word.push(self.frag(&run, *style, run_face, run_level));
                    }
                    // A word made of many pieces (Markdown hands `<a<a<a…` over as one text
                    // event per `<`) is cut at the same length: one word of 64,000 frags made
                    // every cut of it linear, and the paragraph quadratic (issue 21).
                    if word.iter().map(|f| f.text.len()).sum::<usize>() >= MAX_WORD_BYTES {
                        self.push_word(&mut word, &mut items);
                        items.push(Item::Zero(BREAK_COST));
                    }
                    offset += text.len();
                }
            }
        }
        self.push_word(&mut word, &mut items);
        // Spaces at the very start or end of a paragraph are not set.
        while matches!(items.last(), Some(Item::Space(_)) | Some(Item::Zero(_))) {
            items.pop();
        }
        while matches!(items.first(), Some(Item::Space(_)) | Some(Item::Zero(_))) {
            items.remove(0);
        }
        items
    }

    /// Sets `pieces` in lines of `width` points. Justified text is broken by total fit
    /// (first without hyphenation, then with it, then with words split where nothing else
    /// fits); ragged text is filled line by line.
    pub fn set(&self, pieces: &[Piece], width: f32, align: Align) -> Vec<Line> {
        if self.auto_direction {
            let first_strong = pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Text(t, _) => t.chars().find(|c| c.is_alphabetic()),
                    _ => None,
                })
                .next();
            let setter = LineSetter {
                auto_direction: false,
                rtl: first_strong.is_some_and(is_right_to_left),
                ..*self
            };
            return setter.set(pieces, width, align);
        }
        let items = self.items(pieces);
        if align == Align::Justify {
            if let Some(lines) = self.total_fit(&items, width, 1.0, false) {
                return lines;
            }
            let items = self.hyphenated(&items).unwrap_or(items);
            if let Some(lines) = self.total_fit(&items, width, 1.6, true) {
                return lines;
            }
            // Words wider than the line are cut first; then any looseness is accepted.
            let items = self.presplit(items, width);
            if let Some(lines) = self.total_fit(&items, width, 20.0, true) {
                return lines;
            }
            return self.greedy(items, width, align);
        }
        self.greedy(items, width, align)
    }

    fn total_fit(
        &self,
        items: &[Item],
        width: f32,
        max_ratio: f32,
        hyphenate: bool,
    ) -> Option<Vec<Line>> {
        use super::breaking::{breaks, push_forced_break, Node, Params, INFINITY};
        let mut nodes = Vec::with_capacity(items.len() + 2);
        let mut node_item = Vec::with_capacity(items.len() + 2);
        for (i, it) in items.iter().enumerate() {
            match it {
                Item::Word(f) => nodes.push(Node::Box {
                    width: f.iter().map(|f| f.width).sum(),
                    stretch: letter_stretch(f).0,
                    hang: if self.rtl { (0.0, 0.0) } else { word_hang(f) },
                }),
                Item::Space(f) => {
                    let (y, z) = space_flex(f);
                    nodes.push(Node::Glue {
                        width: f.width,
                        stretch: y,
                        shrink: z,
                    })
                }
                Item::Zero(cost) => nodes.push(Node::Penalty {
                    width: 0.0,
                    cost: *cost,
                    flagged: ends_with_hyphen(items, i),
                }),
                Item::Hyphen(f) => nodes.push(Node::Penalty {
                    width: f.width
                        - if self.rtl {
                            0.0
                        } else {
                            word_hang(std::slice::from_ref(f)).1
                        },
                    cost: if hyphenate { HYPHEN_COST } else { INFINITY },
                    flagged: true,
                }),
                Item::Anchor(_) => nodes.push(Node::Box {
                    width: 0.0,
                    stretch: 0.0,
                    hang: (0.0, 0.0),
                }),
                Item::Forced => push_forced_break(&mut nodes),
            }
            node_item.resize(nodes.len(), i);
        }
        push_forced_break(&mut nodes);
        node_item.resize(nodes.len(), items.len());
        let chosen = breaks(
            &nodes,
            width,
            &Params {
                max_ratio,
                ..Default::default()
            },
        )?;
        let mut lines = Vec::with_capacity(chosen.len());
        let mut start = 0;
        for (k, br) in chosen.iter().enumerate() {
            let end = node_item[br.at];
            let last = k + 1 == chosen.len() || matches!(items.get(end), Some(Item::Forced));
            let hyphen = match items.get(end) {
                Some(Item::Hyphen(h)) => Some(h),
                _ => None,
            };
            lines.push(self.render(
                &items[start..end.min(items.len())],
                hyphen,
                width,
                if last { Align::Left } else { Align::Justify },
            ));
            start = (end + 1).min(items.len());
            while start < items.len()
                && matches!(
                    items[start],
                    Item::Space(_) | Item::Zero(_) | Item::Hyphen(_)
                )
            {
                start += 1;
            }
        }
        Some(lines)
    }

    /// Cuts every word wider than the line into pieces that fit, with a break between them.
    fn presplit(&self, items: Vec<Item>, width: f32) -> Vec<Item> {
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            match it {
                Item::Word(mut frags) => {
                    while frags.iter().map(|f| f.width).sum::<f32>() > width {
                        match self.split_word(&frags, width, true) {
                            (Some(head), tail) if !tail.is_empty() => {
                                out.push(Item::Word(head));
                                out.push(Item::Zero(BREAK_COST));
                                frags = tail;
                            }
                            _ => break,
                        }
                    }
                    out.push(Item::Word(frags));
                }
                other => out.push(other),
            }
        }
        out
    }

    /// First-fit line filling, for ragged text and as the last resort.
    fn greedy(&self, mut items: Vec<Item>, width: f32, align: Align) -> Vec<Line> {
        // Hyphenation points are not used when filling lines one by one, nor, in ragged text,
        // breaks inside inline code: a ragged line can end short instead (the Rust book's
        // large print split `should_|panic` in a heading); code longer than a line is still
        // cut below. (Justified text comes here only when no breaks fit, and needs them.)
        let ragged = align != Align::Justify;
        items.retain(|i| match i {
            Item::Hyphen(_) => false,
            Item::Zero(cost) => !(ragged && *cost == CODE_BREAK_COST),
            _ => true,
        });
        // Words wider than the line are cut up front, as the loop below would cut them at a
        // line's start anyway: cutting them there meant inserting into the middle of `items`,
        // quadratic in a paragraph of one huge word ('<a' × 32,000: 1.66 s; issue 21).
        let mut items = self.presplit(items, width);
        let mut lines = Vec::new();
        let mut start = 0;
        while start < items.len() {
            let mut w = 0.0;
            let mut end = start;
            let mut last_break: Option<usize> = None; // index of a Space/Zero item where a break may go
            let mut forced = false;
            while end < items.len() {
                match &items[end] {
                    Item::Forced => {
                        forced = true;
                        break;
                    }
                    Item::Space(f) => {
                        last_break = Some(end);
                        w += f.width;
                    }
                    Item::Zero(_) => last_break = Some(end),
                    Item::Anchor(_) | Item::Hyphen(_) => {}
                    Item::Word(frags) => {
                        let ww: f32 = frags.iter().map(|f| f.width).sum();
                        if w + ww > width + 0.01 {
                            // Does not fit: break at the last opportunity, or split the word.
                            if let Some(b) = last_break.filter(|&b| b > start) {
                                end = b;
                            } else {
                                let (head, tail) = self.split_word(frags, width - w, w == 0.0);
                                match head {
                                    Some(head) if !tail.is_empty() => {
                                        items[end] = Item::Word(head);
                                        items.insert(end + 1, Item::Zero(BREAK_COST));
                                        items.insert(end + 2, Item::Word(tail));
                                        end += 1;
                                    }
                                    // A single character wider than the whole line (a column
                                    // narrower than one glyph): set it anyway, or no line
                                    // would ever take it. Found by fuzzing.
                                    _ if w == 0.0 => end += 1,
                                    _ => {}
                                }
                            }
                            break;
                        }
                        w += ww;
                    }
                }
                end += 1;
            }
            let is_last = end >= items.len();
            let slice = &items[start..end.min(items.len())];
            let justify = align == Align::Justify && !is_last && !forced;
            let line_align = if justify {
                Align::Justify
            } else if align == Align::Justify {
                Align::Left
            } else {
                align
            };
            lines.push(self.render(slice, None, width, line_align));
            start = end;
            // Skip the break itself (a space, a zero break or a forced break).
            while start < items.len()
                && matches!(items[start], Item::Space(_) | Item::Zero(_) | Item::Forced)
            {
                let was_forced = matches!(items[start], Item::Forced);
                start += 1;
                if was_forced {
                    break;
                }
            }
        }
        if lines.is_empty() {
            lines.push(self.render(&[], None, width, align));
        }
        lines
    }

    /// Splits a word so its head fits in `room`; with `must` the head takes at least one
    /// character even if that overflows nothing better exists. Prefers a cut after `/ . - _`.
    fn split_word(&self, frags: &[Frag], room: f32, must: bool) -> (Option<Vec<Frag>>, Vec<Frag>) {
        let text: String = frags.iter().map(|f| f.text.as_str()).collect();
        // Character boundaries with the frag they fall in.
        let mut cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(1).collect();
        // Never a cut that leaves only spaces on one side (a no-break space alone on the last
        // line, which prints nothing: found by the lines fuzz target).
        let (first, last) = (text.len() - text.trim_start().len(), text.trim_end().len());
        cuts.retain(|&c| c > first && c < last);
        let width_of = |end: usize| -> f32 {
            let mut acc = 0.0;
            let mut pos = 0;
            for f in frags {
                let fend = pos + f.text.len();
                if end >= fend {
                    acc += f.width;
                } else if end > pos {
                    acc += self.refrag(f, &f.text[..end - pos]).width;
                    break;
                } else {
                    break;
                }
                pos = fend;
            }
            acc
        };
        // The longest head that fits (binary search on width).
        let (mut lo, mut hi) = (0usize, cuts.len());
        while lo < hi {
            let mid = (lo + hi + 1) / 2;
            if width_of(cuts[mid - 1]) <= room {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if lo == 0 {
            if !must || cuts.is_empty() {
                return (None, frags.to_vec());
            }
            lo = 1;
        }
        let mut cut = cuts[lo - 1];
        // Prefer a cut just after a separator within the last third of the head; in the
        // patient styles never just after a hyphen, which reads as the word's own end
        // (`public-` / `health` retyped as "publichealth").
        let separators: &[char] = if self.break_after_hyphens {
            &['/', '.', '-', '_', '?', '&', '=', ':', ',']
        } else {
            &['/', '.', '_', '?', '&', '=', ':', ',']
        };
        let head = &text[..cut];
        if let Some(i) = head.rfind(separators) {
            if i + 1 >= cut * 2 / 3 && i + 1 < cut {
                cut = i + 1;
            }
        }
        if !self.break_after_hyphens {
            // The hyphen goes over with the rest of the word instead.
            if let Some((i, '-' | '\u{2010}')) = text[..cut].char_indices().next_back() {
                if i > 0 {
                    cut = i;
                }
            }
        }
        let mut head = Vec::new();
        let mut tail = Vec::new();
        let mut pos = 0;
        for f in frags {
            let fend = pos + f.text.len();
            if fend <= cut {
                head.push(f.clone());
            } else if pos >= cut {
                tail.push(f.clone());
            } else {
                head.push(self.refrag(f, &f.text[..cut - pos]));
                tail.push(self.refrag(f, &f.text[cut - pos..]));
            }
            pos = fend;
        }
        (Some(head), tail)
    }

    /// Joins the syllables of words that were not broken, so they are drawn as shaped whole
    /// (kerning and ligatures across the hyphenation points), each joined word shaped once;
    /// then the hyphen the line ends with, if it ends inside a word.
    fn merge_syllables(&self, items: &[Item], hyphen: Option<&Frag>) -> Vec<Item> {
        let mut out: Vec<Item> = Vec::with_capacity(items.len() + 1);
        // Frags (item, frag) whose text grew and must be shaped again.
        let mut grown: Vec<(usize, usize)> = Vec::new();
        for it in items {
            match it {
                Item::Hyphen(_) => {}
                Item::Word(frags) => {
                    let at = out.len().wrapping_sub(1);
                    if let Some(Item::Word(prev)) = out.last_mut() {
                        for f in frags {
                            match prev.last_mut() {
                                Some(p)
                                    if p.style == f.style
                                        && p.face == f.face
                                        && p.level == f.level =>
                                {
                                    p.text.push_str(&f.text);
                                    let key = (at, prev.len() - 1);
                                    if grown.last() != Some(&key) {
                                        grown.push(key);
                                    }
                                }
                                _ => prev.push(f.clone()),
                            }
                        }
                    } else {
                        out.push(it.clone());
                    }
                }
                other => out.push(other.clone()),
            }
        }
        for (i, k) in grown {
            if let Item::Word(frags) = &mut out[i] {
                let f = &frags[k];
                frags[k] = self.refrag(f, &f.text);
            }
        }
        if let Some(h) = hyphen {
            out.push(Item::Word(vec![h.clone()]));
        }
        out
    }

    /// The line's size, ascent and descent: from the largest size on it (superscripts
    /// aside), else from its first word.
    fn metrics(&self, items: &[Item]) -> (f32, f32, f32) {
        let mut max_size: f32 = 0.0;
        let mut asc: f32 = 0.0;
        let mut desc: f32 = 0.0;
        for i in items {
            let frags: &[Frag] = match i {
                Item::Word(f) => f,
                Item::Space(f) => std::slice::from_ref(f),
                _ => &[],
            };
            for f in frags {
                if f.style.rise > 0.0 {
                    continue;
                }
                let face = &self.sh.faces[f.face];
                max_size = max_size.max(f.style.size);
                asc = asc.max(face.ascender * f.style.size);
                desc = desc.max(-face.descender * f.style.size);
            }
        }
        if max_size == 0.0 {
            // An empty line (or only superscripts): fall back to the first style we can find.
            max_size = items
                .iter()
                .find_map(|i| {
                    if let Item::Word(f) = i {
                        f.first().map(|f| f.style.size)
                    } else {
                        None
                    }
                })
                .unwrap_or(10.0);
            asc = max_size * 0.9;
            desc = max_size * 0.25;
        }
        (max_size, asc, desc)
    }

    fn render(&self, items: &[Item], hyphen: Option<&Frag>, width: f32, align: Align) -> Line {
        let syllables = items
            .windows(2)
            .any(|w| matches!(w, [Item::Word(_), Item::Word(_) | Item::Hyphen(_)]));
        let merged;
        let items = if syllables || hyphen.is_some() {
            merged = self.merge_syllables(items, hyphen);
            merged.as_slice()
        } else {
            items
        };
        // Trailing breakables are not set.
        let mut n = items.len();
        while n > 0 && matches!(items[n - 1], Item::Space(_) | Item::Zero(_)) {
            n -= 1;
        }
        let items = &items[..n];
        let visual;
        let items = match visual_order(items, if self.rtl { 1 } else { 0 }) {
            Some(v) => {
                visual = v;
                visual.as_slice()
            }
            None => items,
        };
        // A justified line's end punctuation hangs into the margins, so the edge looks straight;
        // so does a paragraph's last line when it is full (the breaker counted on it).
        let full = align == Align::Left && line_width(items) > width;
        let (hang_left, hang_right) = if (align == Align::Justify || full) && !self.rtl {
            line_hang(items)
        } else {
            (0.0, 0.0)
        };
        let (ratio, mut x) = adjustment(items, width + hang_left + hang_right, align);
        x -= hang_left;
        if self.rtl && matches!(align, Align::Left) {
            // A right-to-left line that is not justified ends at the right margin.
            x = (width - line_width(items)).max(0.0);
        }
        let (max_size, asc, desc) = self.metrics(items);
        let height = (max_size * self.leading).max(asc + desc);
        let baseline = (height - (asc + desc)) / 2.0 + asc;

        let mut draws = Vec::new();
        if let Some((element, _)) = self.tags {
            draws.push(Draw::Tag(Some(element)));
        }
        let mut dests = Vec::new();
        let mut run: Option<GlyphRun> = None;
        let mut run_key = (usize::MAX, 0.0f32, 0.0f32, 0.0f32);
        let mut link_start: Option<(u32, f32)> = None;
        let mut strike_start: Option<(f32, Style)> = None;
        // Letters spaced out: this much after each spaced letter but a word's last.
        let letter_extra = if ratio > 0.0 { ratio } else { 0.0 };
        let mut push_frag = |f: &Frag,
                             adv_extra: f32,
                             spacing: (f32, &mut usize),
                             x: &mut f32,
                             draws: &mut Vec<Draw>,
                             run: &mut Option<GlyphRun>| {
            let key = (f.face, f.style.size, f.style.gray, f.style.rise);
            if run.is_none() || run_key != key {
                if let Some(r) = run.take() {
                    draws.push(Draw::Text(r));
                }
                *run = Some(GlyphRun {
                    face: f.face,
                    size: f.style.size,
                    x: *x,
                    y: baseline - f.style.rise,
                    gray: f.style.gray,
                    glyphs: Vec::new(),
                });
                run_key = key;
            }
            let scale = f.style.size / self.sh.faces[f.face].units_per_em;
            let r = run.as_mut().expect("run was just set");
            let count = f.shaped.glyphs.len();
            let (per_gap, left) = spacing;
            for (k, g) in f.shaped.glyphs.iter().enumerate() {
                let mut adv = g.advance as f32 * scale;
                if k + 1 == count {
                    adv += adv_extra;
                }
                if per_gap > 0.0 && g.advance > 0 && *left > 0 {
                    *left -= 1;
                    if *left > 0 {
                        adv += per_gap;
                    }
                }
                r.glyphs.push(Glyph {
                    gid: g.gid,
                    advance: adv,
                    text: g.text,
                });
                *x += adv;
            }
        };
        for item in items {
            match item {
                Item::Word(frags) => {
                    let (stretch, per_gap) = letter_stretch(frags);
                    let mut spaced_left = if stretch > 0.0 {
                        (stretch / per_gap).round() as usize + 1
                    } else {
                        0
                    };
                    for f in frags {
                        let mut none = 0;
                        let spacing = if letter_spaced(f) {
                            (letter_extra * per_gap, &mut spaced_left)
                        } else {
                            (0.0, &mut none)
                        };
                        // Links and strikes are drawn over the frags they cover.
                        if f.style.link != link_start.map(|l| l.0) {
                            if let Some((element, link_nodes)) = self.tags {
                                // A link's text is its own structure element.
                                if let Some(r) = run.take() {
                                    draws.push(Draw::Text(r));
                                }
                                if let Some((l, x0)) = link_start.take() {
                                    draws
                                        .push(link_rect(self.links, l, x0, x, baseline, asc, desc));
                                }
                                let node = f
                                    .style
                                    .link
                                    .and_then(|l| link_nodes.get(l as usize).copied())
                                    .unwrap_or(element);
                                draws.push(Draw::Tag(Some(node)));
                            }
                            if let Some((l, x0)) = link_start.take() {
                                draws.push(link_rect(self.links, l, x0, x, baseline, asc, desc));
                            }
                            if let Some(l) = f.style.link {
                                link_start = Some((l, x));
                            }
                        }
                        if f.style.strike != strike_start.is_some() {
                            if let Some((x0, s)) = strike_start.take() {
                                draws.push(strike_line(x0, x, baseline, s));
                            } else {
                                strike_start = Some((x, f.style));
                            }
                        }
                        push_frag(f, 0.0, spacing, &mut x, &mut draws, &mut run);
                    }
                }
                Item::Space(f) => {
                    let (y, z) = space_flex(f);
                    let extra = if ratio >= 0.0 { ratio * y } else { ratio * z };
                    push_frag(f, extra, (0.0, &mut 0), &mut x, &mut draws, &mut run)
                }
                Item::Anchor(id) => dests.push(id.clone()),
                Item::Zero(_) | Item::Forced | Item::Hyphen(_) => {}
            }
        }
        if let Some(r) = run.take() {
            draws.push(Draw::Text(r));
        }
        if let Some((l, x0)) = link_start {
            draws.push(link_rect(self.links, l, x0, x, baseline, asc, desc));
        }
        if let Some((x0, s)) = strike_start {
            draws.push(strike_line(x0, x, baseline, s));
        }
        if self.mirrored {
            draws.iter_mut().for_each(|d| d.mirror(width));
        }
        Line {
            height,
            draws,
            dests,
            ratio,
        }
    }

    /// Natural width of the widest word (the narrowest a column can be without splitting words)
    /// and of the whole text on one line.
    pub fn measure(&self, pieces: &[Piece]) -> (f32, f32) {
        let items = self.items(pieces);
        // A word that can be hyphenated is as narrow as its widest syllable.
        let items = self.hyphenated(&items).unwrap_or(items);
        let mut widest: f32 = 0.0;
        let mut total: f32 = 0.0;
        let mut line: f32 = 0.0;
        for i in &items {
            match i {
                Item::Word(f) => {
                    let w: f32 = f.iter().map(|f| f.width).sum();
                    widest = widest.max(w);
                    line += w;
                }
                Item::Space(f) => line += f.width,
                Item::Forced => {
                    total = total.max(line);
                    line = 0.0;
                }
                _ => {}
            }
        }
        (widest, total.max(line))
    }
}

/// The natural width of a line's words and spaces.
fn line_width(items: &[Item]) -> f32 {
    items
        .iter()
        .map(|i| match i {
            Item::Word(f) => f.iter().map(|f| f.width).sum(),
            Item::Space(f) => f.width,
            _ => 0.0,
        })
        .sum()
}

/// A line's items in the order they are drawn, left to right, by the Unicode bidi algorithm's
/// rule L2: from the highest level down to the lowest odd one, every run at that level or
/// above is reversed. `None` when everything runs left to right at level 0.
fn visual_order(items: &[Item], base: u8) -> Option<Vec<Item>> {
    let any_rtl = base % 2 == 1
        || items.iter().any(|i| match i {
            Item::Word(f) => f.iter().any(|f| f.level > 0),
            Item::Space(f) => f.level > 0,
            _ => false,
        });
    if !any_rtl {
        return None;
    }
    let mut flat: Vec<(u8, Item)> = Vec::with_capacity(items.len());
    let mut last = base;
    for item in items {
        match item {
            Item::Word(frags) => {
                for f in frags {
                    last = f.level;
                    flat.push((f.level, Item::Word(vec![f.clone()])));
                }
            }
            Item::Space(f) => {
                last = f.level;
                flat.push((f.level, item.clone()));
            }
            other => flat.push((last, other.clone())),
        }
    }
    let highest = flat.iter().map(|(l, _)| *l).max().unwrap_or(0);
    let lowest_odd = flat
        .iter()
        .map(|(l, _)| *l)
        .filter(|l| l % 2 == 1)
        .min()
        .unwrap_or(highest + 1);
    for level in (lowest_odd..=highest).rev() {
        let mut i = 0;
        while i < flat.len() {
            if flat[i].0 >= level {
                let start = i;
                while i < flat.len() && flat[i].0 >= level {
                    i += 1;
                }
                flat[start..i].reverse();
            } else {
                i += 1;
            }
        }
    }
    Some(flat.into_iter().map(|(_, item)| item).collect())
}

/// How far the line's spaces stretch (a positive ratio) or shrink (negative) to reach the
/// margin, and where a centred line starts.
fn adjustment(items: &[Item], width: f32, align: Align) -> (f32, f32) {
    let natural: f32 = items
        .iter()
        .map(|i| match i {
            Item::Word(f) => f.iter().map(|f| f.width).sum(),
            Item::Space(f) => f.width,
            _ => 0.0,
        })
        .sum();
    // Justification: each space stretches by half its width or shrinks by a third, in
    // proportion, and letters are spaced out a little, so the line ends exactly at the margin.
    let (stretch, shrink): (f32, f32) = items
        .iter()
        .filter_map(|i| match i {
            Item::Space(f) => Some(space_flex(f)),
            Item::Word(f) => Some((letter_stretch(f).0, 0.0)),
            _ => None,
        })
        .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    let mut ratio = 0.0;
    let mut x = 0.0;
    match align {
        Align::Justify if natural < width && stretch > 0.0 => {
            let r = (width - natural) / stretch;
            // Only an emergency line gets this loose; it is left ragged rather than gappy.
            if r <= 4.0 {
                ratio = r;
            }
        }
        // Any line may shrink its spaces to fit (the breaker counted on it).
        _ if natural > width && shrink > 0.0 => ratio = ((width - natural) / shrink).max(-1.0),
        Align::Center => x = ((width - natural) / 2.0).max(0.0),
        _ => {}
    }
    (ratio, x)
}

/// Per byte of `text`, its bidi embedding level; `None` when the paragraph is left to right
/// and holds nothing written right to left (most text: no reordering to do).
fn bidi_levels(text: &str, rtl: bool) -> Option<Vec<u8>> {
    if !rtl && !text.chars().any(is_right_to_left) {
        return None;
    }
    let base = if rtl {
        unicode_bidi::Level::rtl()
    } else {
        unicode_bidi::Level::ltr()
    };
    let info = unicode_bidi::BidiInfo::new(text, Some(base));
    let mut levels: Vec<u8> = info.levels.iter().map(|l| l.number()).collect();
    isolate_numbers(text, &mut levels);
    levels.push(base.number());
    Some(levels)
}

/// Phone numbers and other digit groups joined by separators (`1-800-222-1222`,
/// `(555) 010-2000`) read left to right as a whole: after Arabic letters the bidi algorithm
/// makes their digits Arabic numbers and the hyphens between them neutral, which would print
/// the groups in reverse order. They are set as one left-to-right run, as if isolated.
fn isolate_numbers(text: &str, levels: &mut [u8]) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = if i > 0 && bytes[i - 1] == b'(' {
            i - 1
        } else {
            i
        };
        let mut end = i;
        let mut groups = 1;
        let mut j = i;
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                end = j + 1;
                j += 1;
            } else if matches!(bytes[j], b'-' | b'.' | b' ' | b')' | b'(')
                && bytes
                    .get(j + 1)
                    .is_some_and(|b| b.is_ascii_digit() || *b == b' ' || *b == b'(')
            {
                groups += 1;
                j += 1;
            } else {
                break;
            }
        }
        if groups > 1 {
            // The lowest level in the span; odd (right to left) below its digits means the
            // groups would be reordered: the whole span goes to the even level above it.
            let low = levels[start..end].iter().copied().min().unwrap_or(0);
            let ltr = low + low % 2;
            levels[start..end].iter_mut().for_each(|l| *l = ltr);
        }
        i = end.max(i + 1);
    }
}

/// The bidi formatting characters (marks, embeddings, overrides, isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is in a block of a right-to-left script (Hebrew, Arabic, Syriac, Thaana,
/// N'Ko and their presentation forms).
pub fn is_right_to_left(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// Removes the break opportunities between two letters (CSS `word-break: keep-all`).
fn keep_words_whole(text: &str, allowed: &mut [bool]) {
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if let Some(p) = prev {
            if p.is_alphanumeric() && c.is_alphanumeric() {
                allowed[i] = false;
            }
        }
        prev = Some(c);
    }
}

/// How far a space may stretch and shrink: half and a third of its width, as in TeX, times
/// its space factor; a space inside inline code stretches a third as much (its letters keep
/// their grid, and a word gap in code should stay close to one character).
fn space_flex(f: &Frag) -> (f32, f32) {
    let (y, z) = (f.width / 2.0 * f.factor, f.width / 3.0 / f.factor);
    if f.style.face.family == Family::Mono {
        (y / 3.0, z / 3.0)
    } else {
        (y, z)
    }
}

/// How far a character hangs into the margin when it ends (or, for opening quotes, starts)
/// a justified line, as a share of its advance: microtype's defaults, roughly. Protrusion
/// is capped at 2.5 pt so large print stays within what a checker reads as hanging; dashes
/// do not hang (a hung em dash reads as a line run past the margin).
fn protrusion(c: char, at_end: bool) -> f32 {
    match (c, at_end) {
        ('.' | ',' | '\u{2019}' | '\u{201d}' | '"' | '\'', true) => 0.7,
        ('-' | '\u{ad}' | '\u{2010}', true) => 0.6,
        (':' | ';', true) => 0.5,
        ('!' | '?', true) => 0.2,
        ('\u{2018}' | '\u{201c}' | '"' | '\'', false) => 0.7,
        _ => 0.0,
    }
}

pub(super) const MAX_HANG: f32 = 2.5;

/// How far a word's first and last characters may hang (code and right-to-left text never).
fn word_hang(frags: &[Frag]) -> (f32, f32) {
    let hang = |f: Option<&Frag>, at_end: bool| -> f32 {
        let Some(f) = f else { return 0.0 };
        if f.style.face.family == Family::Mono || f.level % 2 == 1 || f.style.rise != 0.0 {
            return 0.0;
        }
        let c = if at_end {
            f.text.chars().next_back()
        } else {
            f.text.chars().next()
        };
        let glyph = if at_end {
            f.shaped.glyphs.last()
        } else {
            f.shaped.glyphs.first()
        };
        match (c, glyph) {
            (Some(c), Some(g)) if f.shaped.width > 0 => {
                let advance = g.advance as f32 * f.width / f.shaped.width as f32;
                (protrusion(c, at_end) * advance).min(MAX_HANG)
            }
            _ => 0.0,
        }
    };
    (hang(frags.first(), false), hang(frags.last(), true))
}

/// The hang of a line's first and last words.
fn line_hang(items: &[Item]) -> (f32, f32) {
    let first = items.iter().find_map(|i| match i {
        Item::Word(f) => Some(word_hang(f).0),
        _ => None,
    });
    let last = match items.last() {
        Some(Item::Word(f)) => word_hang(f).1,
        _ => 0.0,
    };
    (first.unwrap_or(0.0), last)
}

/// How far the gap after a letter may stretch, as a fraction of the font size, at an
/// adjustment ratio of 1 (InDesign's letter-spacing maximum; pdfTeX expands the glyphs
/// instead). 1.5 % takes about 40 % of a line's spacing into its letters: on the Rust book
/// with it, the Rust book's lines whose spaces are over 1.5 times their width fell from 121
/// to 36 and hyphenated line ends from 51 to 23 per 1000 lines, at the same hyphen cost.
const LETTER_STRETCH: f32 = 0.015;

/// Whether a frag's letters may be spaced out: code keeps its grid and right-to-left text
/// its joins.
fn letter_spaced(f: &Frag) -> bool {
    f.style.face.family != Family::Mono && f.level % 2 == 0
}

/// A word's letter stretch (points at ratio 1) and the same per gap, by frag. Code keeps its
/// grid and right-to-left text its joins, so neither is spaced.
fn letter_stretch(frags: &[Frag]) -> (f32, f32) {
    let gaps: usize = frags
        .iter()
        .filter(|f| letter_spaced(f))
        .map(|f| f.shaped.glyphs.iter().filter(|g| g.advance > 0).count())
        .sum();
    let size = frags
        .iter()
        .find(|f| letter_spaced(f))
        .map_or(0.0, |f| f.style.size);
    let per_gap = LETTER_STRETCH * size;
    (gaps.saturating_sub(1) as f32 * per_gap, per_gap)
}

/// TeX's space factor (its `\sfcode`s over 1000) for a space after `before`: a sentence's end
/// stretches three times as far, a colon twice, a semicolon 1.5 and a comma 1.25 times;
/// closing quotes and brackets pass the factor through, and a capital before the full stop
/// (an initial, "U.S.") keeps it plain. Natural widths do not change (no French spacing).
fn space_factor(before: &str) -> f32 {
    let mut chars = before
        .chars()
        .rev()
        .skip_while(|c| matches!(c, '"' | '\'' | ')' | ']' | '\u{201d}' | '\u{2019}' | '*'));
    let factor = match chars.next() {
        Some('.' | '?' | '!') => 3.0,
        Some(':') => 2.0,
        Some(';') => 1.5,
        Some(',') => 1.25,
        _ => return 1.0,
    };
    if factor == 3.0 && chars.next().is_some_and(char::is_uppercase) {
        return 1.0;
    }
    factor
}

/// Whether the word of inline code around byte `i` of `text` (up to the spaces either side) is
/// short enough never to break inside: `[!IMPORTANT]` was split after `[!` by the Unicode
/// rules. 24 characters: the longest identifier the Rust book keeps on a line at large
/// print's measure.
fn short_code_word(text: &str, i: usize) -> bool {
    let start = text[..i].rfind(char::is_whitespace).map_or(0, |s| s + 1);
    let end = text[i..]
        .find(char::is_whitespace)
        .map_or(text.len(), |e| i + e);
    text[start..end].chars().count() <= 24
}

/// Whether inline code may break before `after` (no hyphen is drawn): after `::`, after an
/// underscore and after a dot inside a name, with at least three characters on each side.
fn code_break_before(before: &str, after: &str) -> bool {
    let mut next = after.chars();
    if !next.next().is_some_and(char::is_alphanumeric) {
        return false;
    }
    let tail = after.chars().take_while(|c| !c.is_whitespace()).count();
    let head = before
        .chars()
        .rev()
        .take_while(|c| !c.is_whitespace())
        .count();
    if tail < 3 || head < 3 {
        return false;
    }
    before.ends_with("::") || before.ends_with('_') || before.ends_with('.')
}

/// Whether the break at `items[i]` (a zero-width break) follows a hyphen.
fn ends_with_hyphen(items: &[Item], i: usize) -> bool {
    i > 0
        && matches!(&items[i - 1], Item::Word(f) if f.last().is_some_and(|f| f.text.ends_with(['-', '\u{2010}'])))
}

/// Byte offsets where `word` may be hyphenated: its letters must number six or more, and
/// each side keeps two letters before and three after the break.
fn hyphenation_points(h: &hyphenation::Standard, word: &str) -> Option<Vec<usize>> {
    // The same words come back all through a book: remember each one's points, by language.
    type Cache = std::sync::RwLock<
        std::collections::HashMap<(hyphenation::Language, Box<str>), Option<Vec<usize>>>,
    >;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (h.language(), Box::from(word));
    if let Some(hit) = cache.read().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let points = hyphenation_points_uncached(h, word);
    if let Ok(mut c) = cache.write() {
        if c.len() < 200_000 {
            c.insert(key, points.clone());
        }
    }
    points
}

fn hyphenation_points_uncached(h: &hyphenation::Standard, word: &str) -> Option<Vec<usize>> {
    use hyphenation::Hyphenator;
    let start = word.find(|c: char| c.is_alphabetic())?;
    let end = word.rfind(|c: char| c.is_alphabetic())?
        + word[word.rfind(|c: char| c.is_alphabetic())?..]
            .chars()
            .next()?
            .len_utf8();
    let core = &word[start..end];
    if core.chars().count() < 6
        || !core
            .chars()
            .all(|c| c.is_alphabetic() || c == '\u{2019}' || c == '\'')
    {
        return None;
    }
    let breaks = h.hyphenate(core).breaks;
    // Two letters before a break and three after, or more where the language asks for it.
    let (before, after) = h.language().minima();
    let (before, after) = (before.max(2), after.max(3));
    let points: Vec<usize> = breaks
        .into_iter()
        .filter(|&b| core[..b].chars().count() >= before && core[b..].chars().count() >= after)
        .map(|b| b + start)
        .collect();
    (!points.is_empty()).then_some(points)
}

fn link_rect(
    links: &[LinkDest],
    l: u32,
    x0: f32,
    x1: f32,
    baseline: f32,
    asc: f32,
    desc: f32,
) -> Draw {
    let dest = links
        .get(l as usize)
        .cloned()
        .unwrap_or(LinkDest::Uri(String::new()));
    Draw::Link {
        x: x0,
        y: baseline - asc,
        w: (x1 - x0).max(1.0),
        h: asc + desc,
        dest,
    }
}

fn strike_line(x0: f32, x1: f32, baseline: f32, s: Style) -> Draw {
    let y = baseline - s.size * 0.28;
    Draw::Line {
        x1: x0,
        y1: y,
        x2: x1,
        y2: y,
        width: s.size * 0.06,
        gray: s.gray,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts;

    fn shaper() -> Shaper {
        let set =
            fonts::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap();
        Shaper::new(&set).unwrap()
    }

    /// The last character each line sets.
    fn last_chars(lines: &[Line]) -> Vec<char> {
        lines
            .iter()
            .map(|l| {
                l.draws
                    .iter()
                    .filter_map(|d| match d {
                        Draw::Text(r) => r.glyphs.iter().rev().find_map(|g| g.text.chars().last()),
                        _ => None,
                    })
                    .last()
                    .unwrap_or(' ')
            })
            .collect()
    }

    fn text_of(line: &Line) -> String {
        line.draws
            .iter()
            .filter_map(|d| match d {
                Draw::Text(r) => Some(
                    r.glyphs
                        .iter()
                        .map(|g| g.text.to_string())
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect()
    }

    fn set_justified(sh: &Shaper, text: &str, width: f32) -> Vec<Line> {
        LineSetter::new(sh, &[], 1.3)
            .hyphenating(crate::locale::hyphenation::patterns("en"))
            .set(
                &[Piece::Text(text.into(), Style::new(Family::Serif, 10.5))],
                width,
                Align::Justify,
            )
    }

    const LONG_TEXT: &str = "Kratom is a tropical tree whose leaves have been chewed or brewed as tea for generations in Southeast Asia. In the United States it is sold as powder, capsules, extracts and drinks, often labelled as a supplement, although the Food and Drug Administration has approved no kratom product for any medical use. Its main alkaloid, mitragynine, acts on the same receptors in the brain as opioid medicines do, which is why regular use can lead to dependence and to withdrawal symptoms when someone stops. Products vary widely in strength and purity, and some have been found to contain salmonella or heavy metals. Anyone thinking about stopping after daily use should talk with a clinician first, because withdrawal can be uncomfortable and support makes it safer.";

    #[test]
    fn hyphens_are_rare_never_three_in_a_row_and_never_before_the_last_line() {
        let sh = shaper();
        let mut hyphenated = 0;
        let mut lines_set = 0;
        for width in [150.0, 190.0, 230.0, 290.0, 350.0] {
            let lines = set_justified(&sh, LONG_TEXT, width);
            let ends: Vec<bool> = last_chars(&lines).iter().map(|&c| c == '\u{ad}').collect();
            lines_set += lines.len();
            hyphenated += ends.iter().filter(|&&h| h).count();
            assert!(
                !ends.windows(3).any(|w| w.iter().all(|&h| h)),
                "three hyphens in a row at {width}"
            );
            let n = ends.len();
            assert!(
                n < 2 || !ends[n - 2],
                "the last full line ends in a hyphen at {width}"
            );
            // Every syllable left on a line keeps two letters before the hyphen.
            for l in &lines {
                let t = text_of(l);
                if let Some(word) = t.strip_suffix('\u{ad}').and_then(|t| t.split(' ').last()) {
                    assert!(
                        word.chars().filter(|c| c.is_alphabetic()).count() >= 2,
                        "{t:?}"
                    );
                }
            }
        }
        // A hyphen costs as much as a line about 1.5 times as loose: in these narrow columns
        // (14 to 33 characters) no more than one line in seven ends in one (12 of 91; the 11
        // before issue 32 came from a breaker that set the 190 pt paragraph's last line
        // stretched, over an empty line, to avoid a hyphen before it).
        assert!(
            hyphenated * 7 <= lines_set,
            "{hyphenated} of {lines_set} lines end in a hyphen"
        );
    }

    #[test]
    fn a_space_after_a_full_stop_stretches_further_than_one_between_words() {
        assert_eq!(space_factor("the end."), 3.0);
        assert_eq!(space_factor("he said,"), 1.25);
        assert_eq!(space_factor("(see below.)"), 3.0);
        assert_eq!(
            space_factor("U.S."),
            1.0,
            "an initial is not a sentence's end"
        );
        assert_eq!(space_factor("word"), 1.0);
        let sh = shaper();
        let lines = set_justified(
            &sh,
            "Stop here. Then go on with more words until the line is full and wraps.",
            200.0,
        );
        let Some(Draw::Text(run)) = lines[0].draws.iter().find(|d| matches!(d, Draw::Text(_)))
        else {
            panic!("no text");
        };
        // The advance of each space (its glyph plus the stretch given to it).
        let spaces: Vec<f32> = run
            .glyphs
            .iter()
            .filter(|g| &*g.text == " ")
            .map(|g| g.advance)
            .collect();
        assert!(spaces.len() >= 3, "{spaces:?}");
        assert!(
            spaces[1] > spaces[2] + 0.1,
            "the space after the full stop ({}) is no wider than the next ({})",
            spaces[1],
            spaces[2]
        );
    }

    #[test]
    fn inline_code_breaks_after_a_path_separator_or_an_underscore_without_a_hyphen() {
        assert!(code_break_before("use std::", "collections"));
        assert!(code_break_before("hello_", "macro"));
        assert!(!code_break_before("a_", "b"), "too short to break");
        assert!(!code_break_before("std::", " x"));
        let sh = shaper();
        let code = Style::new(Family::Mono, 9.5);
        let text = Style::new(Family::Serif, 10.5);
        let lines = LineSetter::new(&sh, &[], 1.3).set(
            &[
                Piece::Text("Bring it in with ".into(), text),
                Piece::Text(
                    "my_crate::some_module::another_module::UsefulType".into(),
                    code,
                ),
                Piece::Text(" and go on.".into(), text),
            ],
            200.0,
            Align::Justify,
        );
        let texts: Vec<String> = lines.iter().map(text_of).collect();
        assert!(texts.len() >= 2, "{texts:?}");
        assert!(
            texts[0].ends_with("::") || texts[0].ends_with('_'),
            "the code was not broken at a separator: {texts:?}"
        );
        assert!(!texts
            .iter()
            .any(|t| t.ends_with('\u{ad}') || t.ends_with('-')));
        for e in right_edges(&lines) {
            assert!(e <= 200.05, "a line overflows: {e}");
        }
    }

    #[test]
    fn punctuation_hangs_into_the_margin_and_letters_do_not() {
        let sh = shaper();
        let mut hung = 0;
        for width in [160.0, 200.0, 240.0, 280.0] {
            let lines = set_justified(&sh, LONG_TEXT, width);
            let edges = right_edges(&lines);
            let ends = last_chars(&lines);
            for i in 0..lines.len() - 1 {
                let past = edges[i] - width;
                if matches!(ends[i], '.' | ',' | '\u{ad}') {
                    assert!(
                        past > 0.5 && past <= MAX_HANG + 0.01,
                        "{:?} hangs {past}",
                        ends[i]
                    );
                    hung += 1;
                } else if ends[i].is_alphanumeric() {
                    assert!(past.abs() < 0.05, "a letter ends {past} from the margin");
                }
            }
        }
        assert!(hung >= 4, "only {hung} lines ended in punctuation");
    }

    #[test]
    fn ragged_lines_do_not_break_inside_code_that_fits_a_line() {
        let sh = shaper();
        let text = Style::new(Family::Serif, 18.0);
        let code = Style::new(Family::Mono, 16.0);
        let pieces = [
            Piece::Text("Checking for Panics with ".into(), text),
            Piece::Text("should_panic".into(), code),
        ];
        let setter = LineSetter::new(&sh, &[], 1.2);
        let (_, whole) = setter.measure(&pieces);
        let code_w = setter.measure(&pieces[1..]).1;
        // Wide enough for the text and "should_", not for all of it.
        let lines = setter.set(&pieces, whole - code_w * 0.4, Align::Left);
        let texts: Vec<String> = lines.iter().map(text_of).collect();
        assert_eq!(
            texts.last().map(String::as_str),
            Some("should_panic"),
            "{texts:?}"
        );
    }

    /// Short inline code is never broken by the Unicode rules: `init`'s starter split
    /// `[!IMPORTANT]` after `[!`, at every measure where it fell at a line's end.
    #[test]
    fn short_inline_code_is_not_split_by_the_unicode_rules() {
        let sh = shaper();
        let text = Style::new(Family::Serif, 12.0);
        let code = Style::new(Family::Mono, 11.0);
        let pieces = [
            Piece::Text("Use ".into(), text),
            Piece::Text("[!NOTE]".into(), code),
            Piece::Text(", ".into(), text),
            Piece::Text("[!IMPORTANT]".into(), code),
            Piece::Text(" or ".into(), text),
            Piece::Text("[!CAUTION]".into(), code),
            Piece::Text(" in a callout.".into(), text),
        ];
        let setter = LineSetter::new(&sh, &[], 1.3).keeping_hyphenated_words();
        let (_, whole) = setter.measure(&pieces);
        let mut width = 60.0;
        while width < whole + 10.0 {
            for line in setter.set(&pieces, width, Align::Left) {
                let t = text_of(&line);
                assert!(!t.trim_end().ends_with("[!"), "at {width} pt: {t:?}");
            }
            width += 0.5;
        }
    }

    /// Found by the lines fuzz target: a word wider than the measure ending in a no-break
    /// space was cut before the space, leaving it alone on a line that prints nothing.
    #[test]
    fn a_cut_word_never_leaves_a_line_of_spaces() {
        let sh = shaper();
        let code = Style::new(Family::Mono, 9.0);
        let pieces = [Piece::Text(
            "kkki\u{201d}\u{628}\u{a0}oo\u{a0}".into(),
            code,
        )];
        let setter = LineSetter::new(&sh, &[], 1.2);
        for w in [40.0, 55.0, 70.0] {
            for line in setter.set(&pieces, w, Align::Left) {
                let t = text_of(&line);
                assert!(!t.trim().is_empty(), "at {w} pt: an empty line in {:?}", t);
            }
        }
    }

    #[test]
    fn a_word_of_many_pieces_is_cut_like_a_long_one() {
        // Markdown gives `<a<a<a…` as one text event per `<`: 2 × 20,000 pieces, one word.
        let sh = shaper();
        let style = Style::new(Family::Serif, 10.5);
        let pieces: Vec<Piece> = (0..20_000)
            .flat_map(|_| {
                [
                    Piece::Text("<".into(), style),
                    Piece::Text("a".into(), style),
                ]
            })
            .collect();
        let setter = LineSetter::new(&sh, &[], 1.3);
        let items = setter.items(&pieces);
        for it in &items {
            if let Item::Word(frags) = it {
                let bytes: usize = frags.iter().map(|f| f.text.len()).sum();
                assert!(
                    bytes <= MAX_WORD_BYTES + 1,
                    "a word of {bytes} bytes in {} frags",
                    frags.len()
                );
            }
        }
        let lines = setter.set(&pieces, 300.0, Align::Left);
        let set: usize = lines
            .iter()
            .flat_map(|l| l.draws.iter())
            .map(|d| match d {
                Draw::Text(r) => r.glyphs.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(set, 40_000, "every character set once");
    }

    fn right_edges(lines: &[Line]) -> Vec<f32> {
        lines
            .iter()
            .map(|l| crate::typeset::flow::text_right_edge(&l.draws))
            .collect()
    }

    #[test]
    fn a_glyph_wider_than_the_line_still_ends_the_paragraph() {
        // A fuzzed table cell: one column narrower than any of its characters.
        let sh = shaper();
        let setter = LineSetter::new(&sh, &[], 1.3);
        let text = "\u{fffd}\u{fffd}\u{fffd} \u{fffd}";
        for align in [Align::Left, Align::Justify, Align::Center] {
            let lines = setter.set(
                &[Piece::Text(text.into(), Style::new(Family::Sans, 10.0))],
                2.0,
                align,
            );
            let glyphs: usize = lines
                .iter()
                .flat_map(|l| l.draws.iter())
                .map(|d| {
                    if let Draw::Text(r) = d {
                        r.glyphs
                            .iter()
                            .filter(|g| !g.text.trim().is_empty())
                            .count()
                    } else {
                        0
                    }
                })
                .sum();
            assert_eq!(glyphs, 4, "every character set once");
        }
    }

    #[test]
    fn justified_lines_end_at_the_margin_and_none_overflows() {
        let sh = shaper();
        let text = "Do not mix kratom with opioids, alcohol, benzodiazepines or other drugs that make you sleepy. The risk of dangerous side effects goes up when they are combined. If someone is very sleepy, cannot be woken up, or is breathing slowly, call 911.";
        for width in [180.0, 250.0, 330.0, 442.0] {
            let setter = LineSetter::new(&sh, &[], 1.3)
                .hyphenating(crate::locale::hyphenation::patterns("en"));
            let lines = setter.set(
                &[Piece::Text(text.into(), Style::new(Family::Serif, 10.5))],
                width,
                Align::Justify,
            );
            let edges = right_edges(&lines);
            let ends = last_chars(&lines);
            for (i, e) in edges.iter().enumerate() {
                // Only punctuation hangs past the margin, and by less than MAX_HANG.
                let hangs = protrusion(ends[i], true) > 0.0 && i + 1 < edges.len();
                let allowed = if hangs { MAX_HANG } else { 0.0 };
                assert!(
                    *e <= width + allowed + 0.05,
                    "line {i} overflows at width {width}: {e}"
                );
                if i + 1 < edges.len() {
                    // spaces were stretched to reach the margin, plus the hanging punctuation
                    assert!(
                        *e >= width - 0.05 && (hangs || (*e - width).abs() < 0.05),
                        "line {i} of {} ends at {e}, not at {width}",
                        edges.len()
                    );
                }
            }
        }
    }
}
