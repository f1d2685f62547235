//! What a page holds: positioned text runs, shapes, images, links and the tags that tie the
//! drawing to the structure tree. Coordinates are in points, y measured down from the top.

pub use super::glyph_text::GlyphText;

#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    pub gid: u16,
    /// Advance in points, kerning and justification included.
    pub advance: f32,
    pub text: GlyphText,
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
    /// The drawing after this belongs to this structure element (`None`: an artifact), up
    /// to the next tag. Every element placed on a page starts as an artifact.
    Tag(Option<super::structure::NodeRef>),
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
        let mut d = self.clone();
        d.shift(dx, dy);
        d
    }

    /// Mirrors the drawing left to right about the vertical line `x = sum / 2` (so a thing
    /// spanning `a..b` spans `sum - b..sum - a`). A run of text keeps its glyphs the right way
    /// round: they are reversed in order, not flipped.
    pub fn mirror(&mut self, sum: f32) {
        match self {
            Draw::Text(r) => {
                let w: f32 = r.glyphs.iter().map(|g| g.advance).sum();
                r.x = sum - r.x - w;
                r.glyphs.reverse();
            }
            Draw::Rect { x, w, .. } | Draw::Link { x, w, .. } | Draw::Image { x, w, .. } => {
                *x = sum - *x - *w;
            }
            Draw::Line { x1, x2, .. } => {
                *x1 = sum - *x1;
                *x2 = sum - *x2;
            }
            Draw::Path { points, .. } => {
                for (x, _) in points {
                    *x = sum - *x;
                }
            }
            Draw::Tag(_) => {}
        }
    }

    /// Moves the drawing by (dx, dy).
    pub fn shift(&mut self, dx: f32, dy: f32) {
        match self {
            Draw::Text(GlyphRun { x, y, .. })
            | Draw::Rect { x, y, .. }
            | Draw::Link { x, y, .. }
            | Draw::Image { x, y, .. } => {
                *x += dx;
                *y += dy;
            }
            Draw::Line { x1, y1, x2, y2, .. } => {
                *x1 += dx;
                *y1 += dy;
                *x2 += dx;
                *y2 += dy;
            }
            Draw::Path { points, .. } => {
                for (x, y) in points {
                    *x += dx;
                    *y += dy;
                }
            }
            Draw::Tag(_) => {}
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutlineMark {
    pub level: u8,
    pub title: String,
    pub dest: String,
    pub kind: MarkKind,
    /// The mark's place in reading order where the pages are not in it (an imposed
    /// booklet); 0 everywhere else, where page order is reading order.
    pub order: u32,
}

/// What an outline mark stands for (the printed contents lists parts and articles, and the
/// sections of a book whose articles do not nest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    Part,
    /// An article's title, at its depth (0: a chapter).
    Article(u8),
    Section,
    /// The tool's own pages (the contents).
    Front,
}
