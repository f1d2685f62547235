//! The units the paginator places: elements (a line, a heading, a table row, a figure) that
//! carry their own drawing, relative to the text block's left edge and the element's top.

use crate::paged::{Draw, OutlineMark};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Elem {
    pub height: f32,
    /// Space above, dropped at the top of a page.
    pub space_before: f32,
    pub draws: Vec<Draw>,
    /// Never end a page with this element (headings).
    pub keep_with_next: bool,
    /// A heading: at least two lines of text go with it (see `paginate`).
    pub heading: bool,
    /// A line of running text (a paragraph's or a list item's), as opposed to code, a figure
    /// or a table row.
    pub text_line: bool,
    /// Named destinations placed in this element, with their offset from its top.
    pub dests: Vec<(String, f32)>,
    pub outline: Vec<OutlineMark>,
    /// Drawn again at the top of a page when a table continues there.
    pub header: Option<Arc<Elem>>,
    /// Start a new page before this element (each article starts on a fresh page).
    pub break_before: bool,
    /// How many elements, from this one on, must share a page (0 and 1: just this one). Set on
    /// a paragraph's first and second-to-last lines, so no page starts or ends with one line.
    pub keep: usize,
    /// Footnotes referenced in this element, set at the foot of its page (again, without
    /// structure, when an earlier page printed them already).
    pub notes: Vec<Arc<Vec<Elem>>>,
    /// The top-level block of its article this element belongs to (for the EPUB's page
    /// list: where each printed page starts).
    pub source: Option<u32>,
    /// Within a list of resources, the entry it belongs to (so the EPUB's page-break marker
    /// goes inside the `<li>` where the printed page turns).
    pub item: Option<u32>,
}

/// Where the text among `draws` ends on the right.
pub fn text_right_edge(draws: &[Draw]) -> f32 {
    draws
        .iter()
        .filter_map(|d| {
            if let Draw::Text(r) = d {
                Some(r.x + r.glyphs.iter().map(|g| g.advance).sum::<f32>())
            } else {
                None
            }
        })
        .fold(0.0, f32::max)
}
