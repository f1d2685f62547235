//! Elements → pages. A heading stays with what follows it; a paragraph leaves and takes at
//! least two lines at a page break; a table continued on a new page gets its header row again;
//! footnotes go to the foot of the page that refers to them, continuing on the next page when
//! they do not fit.

use super::flow::Elem;
use super::theme::Theme;
use crate::paged::{Draw, Page};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// The rule above the footnotes, and the space it takes.
const NOTE_RULE: f32 = 10.0;

struct Cursor<'t> {
    theme: &'t Theme,
    pages: Vec<Page>,
    y: f32,
    fresh: bool,
    /// Footnote elements set on the current page, and their total height (rule included).
    notes: Vec<Elem>,
    notes_h: f32,
    /// Footnote lines that did not fit and continue on the next page.
    carry: VecDeque<Elem>,
    /// Body height still to come on this page with the element being placed (the rest of
    /// its keep group): its footnotes leave that much room, or a paragraph's first two
    /// lines were split by their own long note.
    reserve: f32,
    /// Each footnote set so far (kept alive here, so its address stays its own), with the
    /// last page it was set on.
    printed: HashMap<*const Vec<Elem>, (Arc<Vec<Elem>>, usize)>,
}

impl Cursor<'_> {
    fn new_page(&mut self, article: Option<usize>) {
        self.finish_page();
        self.pages.push(Page {
            article,
            ..Default::default()
        });
        self.y = self.theme.margin_top;
        self.fresh = true;
        // Continued notes come first at the foot of the new page.
        let carried: Vec<Elem> = self.carry.drain(..).collect();
        for e in carried {
            if !self.add_note(&e) {
                self.carry.push_back(e);
            }
        }
    }

    fn bottom(&self) -> f32 {
        self.theme.page_h - self.theme.margin_bottom
    }

    /// Room left for body text above the notes.
    fn room(&self) -> f32 {
        self.bottom() - self.notes_h - self.y
    }

    fn note_cost(&self, e: &Elem) -> f32 {
        e.height
            + if self.notes.is_empty() {
                NOTE_RULE
            } else {
                e.space_before
            }
    }

    /// Adds a footnote line to this page's notes if the body above still fits.
    fn add_note(&mut self, e: &Elem) -> bool {
        let cost = self.note_cost(e);
        if cost > self.room() - self.reserve + 0.01 {
            return false;
        }
        self.notes_h += cost;
        self.notes.push(e.clone());
        true
    }

    /// Sends the notes continued onto this fresh page on to the next one, for an element
    /// that fits a page but not above them (a full-page figure once overlapped them).
    fn defer_notes(&mut self) {
        debug_assert!(self.fresh, "only continued notes sit on a fresh page");
        for e in self.notes.drain(..).rev() {
            self.carry.push_front(e);
        }
        self.notes_h = 0.0;
    }

    /// Sets the notes of the finished page at its foot.
    fn finish_page(&mut self) {
        let Some(page) = self.pages.last_mut() else {
            return;
        };
        if self.notes.is_empty() {
            return;
        }
        let x = self.theme.margin_left;
        let mut y = self.theme.page_h - self.theme.margin_bottom - self.notes_h;
        page.draws.push(Draw::Tag(None));
        page.draws.push(Draw::Line {
            x1: x,
            y1: y + 4.0,
            x2: x + 72.0,
            y2: y + 4.0,
            width: 0.5,
            gray: 0.3,
        });
        y += NOTE_RULE;
        for (i, e) in self.notes.iter().enumerate() {
            if i > 0 {
                y += e.space_before;
            }
            page.draws.push(Draw::Tag(None));
            page.draws.extend(e.draws.iter().map(|d| d.shifted(x, y)));
            page.dests
                .extend(e.dests.iter().map(|(k, dy)| (k.clone(), y + dy)));
            y += e.height;
        }
        self.notes.clear();
        self.notes_h = 0.0;
    }

    /// Places an element, taking its drawing (each is placed once, so nothing is copied).
    fn place(&mut self, mut e: Elem, space: f32) {
        let x = self.theme.margin_left;
        let y = self.y + space;
        let page = self.pages.last_mut().expect("a page is open");
        let drew = !e.draws.is_empty();
        if page.starts_in.is_none() {
            page.starts_in = e.source;
            page.starts_in_item = e.item;
        }
        // Whatever an element draws before its first tag is an artifact (box fills, rules).
        page.draws.push(Draw::Tag(None));
        page.draws.extend(e.draws.drain(..).map(|mut d| {
            d.shift(x, y);
            d
        }));
        page.dests
            .extend(e.dests.drain(..).map(|(k, dy)| (k, y + dy)));
        page.outline.extend(e.outline.drain(..).map(|o| (o, y)));
        if e.break_before {
            page.opens_article = true;
        }
        self.y = y + e.height;
        if drew || e.height > 0.0 {
            self.fresh = false;
        }
        // Its footnotes: as many lines as fit here, the rest continued overleaf. A note an
        // earlier page printed is printed again here (Pandoc's and LaTeX's way), as page
        // furniture: the first is the one in the structure and the one links go to.
        let page = self.pages.len() - 1;
        for note in &e.notes {
            let again = match self.printed.get_mut(&Arc::as_ptr(note)) {
                Some((_, last)) if *last == page => continue,
                Some((_, last)) => {
                    *last = page;
                    true
                }
                None => {
                    self.printed.insert(Arc::as_ptr(note), (note.clone(), page));
                    false
                }
            };
            for line in note.iter() {
                let line = if again {
                    as_furniture(line)
                } else {
                    line.clone()
                };
                if !self.carry.is_empty() || !self.add_note(&line) {
                    self.carry.push_back(line);
                }
            }
        }
    }
}

/// A copy of `e` drawn as page furniture: no structure tags, no destinations and no link
/// annotations (PDF/UA puts every annotation in the structure; the first copy has them).
/// For a table header or a footnote set again on a later page.
fn as_furniture(e: &Elem) -> Elem {
    let mut copy = e.clone();
    copy.draws.retain(|d| !matches!(d, Draw::Link { .. }));
    for d in &mut copy.draws {
        if let Draw::Tag(t) = d {
            *t = None;
        }
    }
    copy.dests.clear();
    copy.outline.clear();
    copy
}

/// The end of what must share a page with the element at `i`: its keep group, the group of
/// whatever it is kept with, and for a heading at least two lines of text (or as much height
/// of anything else) after it, so that no heading stands at a page's foot over a single
/// line; a section of a single line is kept with the next heading and its lines. Stops at an
/// article that starts a page, and at a page's height.
fn keep_chain(elems: &[Elem], i: usize, body_h: f32, line_h: f32) -> (f32, usize) {
    let (mut need, mut end) = group(elems, i);
    // Under the last heading so far: lines of text, and the height of everything else.
    let mut after_heading: Option<(usize, f32)> = elems[i].heading.then_some((0, 0.0));
    let enough = |(text, other): (usize, f32)| text >= 2 || other >= 3.0 * line_h;
    loop {
        if end >= elems.len() {
            break;
        }
        let wanted = elems[end - 1].keep_with_next || after_heading.is_some_and(|a| !enough(a));
        if !wanted || need > body_h || elems[end].break_before {
            break;
        }
        let (h, next_end) = group(elems, end);
        need += elems[end].space_before + h;
        for e in &elems[end..next_end] {
            if e.heading {
                after_heading = Some((0, 0.0));
            } else if let Some((text, other)) = &mut after_heading {
                if e.text_line {
                    *text += 1;
                } else {
                    *other += e.height;
                }
            }
        }
        end = next_end;
    }
    (need, end)
}

/// Height of the keep group starting at `i` (the element and the ones it must share a page
/// with), and the index after it.
fn group(elems: &[Elem], i: usize) -> (f32, usize) {
    let end = (i + elems[i].keep.max(1)).min(elems.len());
    let h = elems[i..end]
        .iter()
        .enumerate()
        .map(|(k, e)| e.height + if k > 0 { e.space_before } else { 0.0 })
        .sum();
    (h, end)
}

/// Height of the first line of every footnote attached to `elems` (at least that much of a
/// note must sit on the page of its reference).
fn first_note_lines(elems: &[Elem]) -> f32 {
    elems
        .iter()
        .flat_map(|e| e.notes.iter())
        .filter_map(|n| n.first())
        .map(|l| l.height + NOTE_RULE)
        .sum()
}

/// Places each article's elements on pages (each article begins on a new page).
pub fn paginate(articles: Vec<(Option<usize>, Vec<Elem>)>, theme: &Theme) -> Vec<Page> {
    let mut c = Cursor {
        theme,
        pages: Vec::new(),
        y: theme.margin_top,
        fresh: true,
        notes: Vec::new(),
        notes_h: 0.0,
        carry: VecDeque::new(),
        reserve: 0.0,
        printed: HashMap::new(),
    };
    let body_h = theme.page_h - theme.margin_top - theme.margin_bottom;
    for (article, mut elems) in articles {
        let article = &article;
        let mut i = 0;
        while i < elems.len() {
            let e = &elems[i];
            if c.pages.is_empty() || (e.break_before && !c.fresh) {
                c.new_page(*article);
            }
            let space = if c.fresh { 0.0 } else { e.space_before };
            // What must go on this page with it: its keep group, and for a heading the group
            // of what follows.
            let (mut need, end) = keep_chain(&elems, i, body_h, theme.body_size * theme.leading);
            need += space;
            let (group_h, group_end) = group(&elems, i);
            let notes = first_note_lines(&elems[i..group_end.min(end)]);
            if need + notes > c.room() + 0.01 && !c.fresh {
                // A group taller than a page cannot be kept: then only the element counts.
                let alone = space + e.height + notes;
                if need <= body_h || alone > c.room() + 0.01 {
                    c.new_page(*article);
                }
            }
            // (On a fresh page the space above is dropped.)
            let fresh_need = need - space + notes;
            if c.fresh && fresh_need > c.room() + 0.01 && fresh_need <= body_h {
                c.defer_notes();
            }
            if c.fresh {
                if let Some(h) = &e.header {
                    // A repeated table header is page furniture: its first instance is the
                    // one in the structure.
                    c.place(as_furniture(h), 0.0);
                }
            }
            let space = if c.fresh { 0.0 } else { e.space_before };
            // The rest of its keep group, if that fits a page at all.
            c.reserve = if group_h <= body_h {
                group_h - e.height + first_note_lines(&elems[i + 1..group_end])
            } else {
                0.0
            };
            c.place(std::mem::take(&mut elems[i]), space);
            c.reserve = 0.0;
            i += 1;
        }
    }
    if c.pages.is_empty() {
        c.new_page(None);
    }
    // Notes still waiting get pages of their own.
    while !c.carry.is_empty() {
        let article = c.pages.last().and_then(|p| p.article);
        let before = c.carry.len();
        c.new_page(article);
        if c.carry.len() == before {
            // A single note line taller than a page: set it anyway rather than loop.
            if let Some(e) = c.carry.pop_front() {
                c.notes_h += e.height;
                c.notes.push(e);
            }
        }
    }
    c.finish_page();
    c.pages
}
