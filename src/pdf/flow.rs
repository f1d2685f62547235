//! The units the paginator places: elements (a line, a heading, a table row, a figure) that
//! carry their own drawing, relative to the text block's left edge and the element's top.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    pub gid: u16,
    /// Advance in points, kerning and justification included.
    pub advance: f32,
    pub text: GlyphText,
}

/// The text a glyph stands for, in eight bytes with no allocation: a book draws over a million
/// glyphs and copies each several times on its way to the page. Text of up to seven bytes (any
/// single character, most ligatures) is held inline; a longer cluster is interned once per
/// process.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlyphText([u8; 8]);

const INTERNED: u8 = 0xFF;

fn interner() -> &'static Mutex<(HashMap<&'static str, u32>, Vec<&'static str>)> {
    static TABLE: OnceLock<Mutex<(HashMap<&'static str, u32>, Vec<&'static str>)>> =
        OnceLock::new();
    TABLE.get_or_init(Default::default)
}

impl GlyphText {
    pub const EMPTY: GlyphText = GlyphText([0; 8]);

    pub fn new(s: &str) -> GlyphText {
        let mut b = [0u8; 8];
        if s.len() <= 7 {
            b[0] = s.len() as u8;
            b[1..=s.len()].copy_from_slice(s.as_bytes());
        } else {
            let mut table = interner().lock().unwrap_or_else(|e| e.into_inner());
            let index = match table.0.get(s) {
                Some(&i) => i,
                None => {
                    let leaked: &'static str = Box::leak(s.into());
                    let i = table.1.len() as u32;
                    table.1.push(leaked);
                    table.0.insert(leaked, i);
                    i
                }
            };
            b[0] = INTERNED;
            b[1..5].copy_from_slice(&index.to_le_bytes());
        }
        GlyphText(b)
    }

    pub fn as_str(&self) -> &str {
        if self.0[0] == INTERNED {
            let i = u32::from_le_bytes([self.0[1], self.0[2], self.0[3], self.0[4]]);
            let table = interner().lock().unwrap_or_else(|e| e.into_inner());
            table.1[i as usize]
        } else {
            // Only ever built from a whole `&str` of at most seven bytes.
            std::str::from_utf8(&self.0[1..=self.0[0] as usize]).unwrap_or("")
        }
    }
}

impl From<&str> for GlyphText {
    fn from(s: &str) -> GlyphText {
        GlyphText::new(s)
    }
}

impl std::ops::Deref for GlyphText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for GlyphText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
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
    Tag(Option<super::tags::NodeRef>),
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
    /// The top-level block of its article this element belongs to (for the EPUB's page
    /// list: where each printed page starts).
    pub source: Option<u32>,
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

#[cfg(test)]
mod glyph_text_tests {
    use super::GlyphText;

    #[test]
    fn short_and_long_texts_come_back_whole() {
        for s in [
            "",
            "a",
            "\u{ad}",
            "ffi",
            "\u{1F469}\u{200D}\u{1F52C}",
            "1234567",
            "12345678",
        ] {
            assert_eq!(GlyphText::new(s).as_str(), s);
        }
        assert_eq!(
            GlyphText::new("a long cluster"),
            GlyphText::new("a long cluster")
        );
        assert_ne!(
            GlyphText::new("a long cluster"),
            GlyphText::new("another one!")
        );
    }
}
