//! The units the paginator places: elements (a line, a heading, a table row, a figure) that
//! carry their own drawing, relative to the text block's left edge and the element's top.

use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Glyph {
    pub gid: u16,
    /// Advance in points, kerning and justification included.
    pub advance: f32,
    pub text: Box<str>,
}

#[derive(Debug, Clone)]
pub struct GlyphRun {
    pub face: usize,
    pub size: f32,
    pub x: f32,
    /// Baseline.
    pub y: f32,
    pub gray: f32,
    pub glyphs: Vec<Glyph>,
}

#[derive(Debug, Clone)]
pub enum LinkDest {
    Uri(String),
    /// A named destination: `slug#id`.
    Dest(String),
}

#[derive(Debug, Clone)]
pub enum Draw {
    Text(GlyphRun),
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<f32>,
        stroke: Option<(f32, f32)>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        gray: f32,
    },
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        dest: LinkDest,
    },
    Image {
        index: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    /// A closed polygon (icons).
    Path {
        points: Vec<(f32, f32)>,
        fill: Option<f32>,
        stroke: Option<(f32, f32)>,
    },
}

impl Draw {
    /// The baseline of a run of text (the first line of an element, when searched in order).
    pub fn baseline(&self) -> Option<f32> {
        match self {
            Draw::Text(r) => Some(r.y),
            _ => None,
        }
    }

    pub fn shifted(&self, dx: f32, dy: f32) -> Draw {
        match self {
            Draw::Text(r) => Draw::Text(GlyphRun {
                x: r.x + dx,
                y: r.y + dy,
                ..r.clone()
            }),
            Draw::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => Draw::Rect {
                x: x + dx,
                y: y + dy,
                w: *w,
                h: *h,
                fill: *fill,
                stroke: *stroke,
            },
            Draw::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                gray,
            } => Draw::Line {
                x1: x1 + dx,
                y1: y1 + dy,
                x2: x2 + dx,
                y2: y2 + dy,
                width: *width,
                gray: *gray,
            },
            Draw::Link { x, y, w, h, dest } => Draw::Link {
                x: x + dx,
                y: y + dy,
                w: *w,
                h: *h,
                dest: dest.clone(),
            },
            Draw::Image { index, x, y, w, h } => Draw::Image {
                index: *index,
                x: x + dx,
                y: y + dy,
                w: *w,
                h: *h,
            },
            Draw::Path {
                points,
                fill,
                stroke,
            } => Draw::Path {
                points: points.iter().map(|(x, y)| (x + dx, y + dy)).collect(),
                fill: *fill,
                stroke: *stroke,
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutlineMark {
    pub level: u8,
    pub title: String,
    pub dest: String,
}

#[derive(Debug, Clone, Default)]
pub struct Elem {
    pub height: f32,
    /// Space above, dropped at the top of a page.
    pub space_before: f32,
    pub draws: Vec<Draw>,
    /// Never end a page with this element (headings).
    pub keep_with_next: bool,
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
    /// Footnotes first referenced in this element, set at the foot of its page.
    pub notes: Vec<Arc<Vec<Elem>>>,
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
