//! Elements → pages. Headings stay with what follows them; a table continued on a new page
//! gets its header row again.

use super::flow::{Draw, Elem, OutlineMark};
use super::layout::Theme;

#[derive(Debug, Default)]
pub struct Page {
    /// Absolute positions: x from the left edge, y from the top edge.
    pub draws: Vec<Draw>,
    pub dests: Vec<(String, f32)>,
    pub outline: Vec<(OutlineMark, f32)>,
    /// The article the page belongs to (for running heads).
    pub article: Option<usize>,
}

struct Cursor<'t> {
    theme: &'t Theme,
    pages: Vec<Page>,
    y: f32,
    fresh: bool,
}

impl Cursor<'_> {
    fn new_page(&mut self, article: Option<usize>) {
        self.pages.push(Page {
            article,
            ..Default::default()
        });
        self.y = self.theme.margin_top;
        self.fresh = true;
    }

    fn bottom(&self) -> f32 {
        self.theme.page_h - self.theme.margin_bottom
    }

    fn place(&mut self, e: &Elem, space: f32) {
        let x = self.theme.margin_left;
        let y = self.y + space;
        let page = self.pages.last_mut().expect("a page is open");
        page.draws.extend(e.draws.iter().map(|d| d.shifted(x, y)));
        page.dests
            .extend(e.dests.iter().map(|(k, dy)| (k.clone(), y + dy)));
        page.outline
            .extend(e.outline.iter().map(|o| (o.clone(), y)));
        self.y = y + e.height;
        if !e.draws.is_empty() || e.height > 0.0 {
            self.fresh = false;
        }
    }
}

/// Places each article's elements on pages (each article begins on a new page).
pub fn paginate(articles: &[(Option<usize>, Vec<Elem>)], theme: &Theme) -> Vec<Page> {
    let mut c = Cursor {
        theme,
        pages: Vec::new(),
        y: theme.margin_top,
        fresh: true,
    };
    for (article, elems) in articles {
        for (i, e) in elems.iter().enumerate() {
            if c.pages.is_empty() || (e.break_before && !c.fresh) {
                c.new_page(*article);
            }
            let space = if c.fresh { 0.0 } else { e.space_before };
            // Room for this element and, for a heading, the start of what it introduces.
            let mut need = space + e.height;
            let mut j = i;
            while elems[j].keep_with_next && j + 1 < elems.len() {
                j += 1;
                need += elems[j].space_before + elems[j].height;
                if !elems[j].keep_with_next
                    && j + 1 < elems.len()
                    && elems[j + 1].space_before == 0.0
                {
                    // and a second line of a paragraph, so a heading never sits above one line
                    need += elems[j + 1].height;
                }
            }
            if c.y + need > c.bottom() + 0.01 && !c.fresh {
                // A keep chain taller than a page cannot be kept; then only this element counts.
                let alone = e.height + space;
                if need <= c.bottom() - theme.margin_top || c.y + alone > c.bottom() + 0.01 {
                    c.new_page(*article);
                }
            }
            if c.fresh {
                if let Some(h) = &e.header {
                    c.place(h, 0.0);
                }
            }
            let space = if c.fresh { 0.0 } else { e.space_before };
            c.place(e, space);
        }
    }
    if c.pages.is_empty() {
        c.new_page(None);
    }
    c.pages
}
