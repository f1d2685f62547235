//! The paged document: what typesetting makes of the model and all a PDF serialiser reads.
//! Pages of positioned drawing, the font files its glyphs index, one structure tree per part
//! printed, outline marks, named destinations, page labels and the page map: self-contained,
//! so a writer needs neither the shaper nor the layout to write it (like Typst's frames).

pub mod draw;
mod glyph_text;
pub mod impose;
pub mod structure;

pub use draw::{Draw, Glyph, GlyphRun, GlyphText, LinkDest, MarkKind, OutlineMark};
pub use structure::{Node, NodeRef, Role, Tree};

use crate::model::{BookMeta, LocalImage, PageStart};
use std::collections::HashMap;

/// What a paged document holds: the whole book or one article (a handout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Book,
    Article(usize),
}

/// One typeset edition: its scope and its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edition {
    pub scope: Scope,
    pub form: Form,
}

/// How an edition is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// On the book's paper, in the style book.yaml gives the edition.
    Regular,
    /// Large print (ACB).
    LargePrint,
    /// On half-size pages (half letter, A5), to be imposed two to a side and folded.
    Booklet,
}

impl Edition {
    /// The regular edition of the whole book.
    pub const BOOK: Edition = Edition {
        scope: Scope::Book,
        form: Form::Regular,
    };

    pub fn article(i: usize, form: Form) -> Edition {
        Edition {
            scope: Scope::Article(i),
            form,
        }
    }
}

/// A font file the document draws with; a run's `face` is its index in `PagedDocument::faces`.
#[derive(Clone, Copy)]
pub struct Face {
    pub data: &'static [u8],
    /// Its file's name in the fonts folder: an error embedding it names the font.
    pub file_name: &'static str,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Face({} bytes)", self.data.len())
    }
}

#[derive(Debug, Default)]
pub struct Page {
    /// Absolute positions: x from the left edge, y from the top edge.
    pub draws: Vec<Draw>,
    pub dests: Vec<(String, f32)>,
    pub outline: Vec<(OutlineMark, f32)>,
    /// The article the page belongs to (for running heads).
    pub article: Option<usize>,
    /// Whether an article begins on this page (no running head there).
    pub opens_article: bool,
    /// The top-level block of the article the page's text starts in.
    pub starts_in: Option<u32>,
    /// The entry of that block (a resource list's) the page starts in, if any.
    pub starts_in_item: Option<u32>,
    /// On a side of an imposed sheet, the pages drawn on it: each one's place in reading
    /// order and the index of its first drawing in `draws`. Empty on a page that is itself.
    pub imposed: Vec<(usize, usize)>,
}

/// Words a writer adds that are never drawn: how link annotations are described to assistive
/// technology, in the document's language. `{title}` and `{n}` are filled in.
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    /// A link to a heading: "Go to {title}".
    pub go_to: String,
    /// A link to a footnote: "Go to footnote {n}".
    pub footnote: String,
    /// A link to any other place.
    pub elsewhere: String,
}

#[derive(Debug)]
pub struct PagedDocument {
    pub edition: Edition,
    /// The book's metadata (title, language, dates, standards claimed).
    pub meta: BookMeta,
    pub page_w: f32,
    pub page_h: f32,
    pub pages: Vec<Page>,
    /// Printed page labels: the number of front-matter pages (roman) before the body (arabic).
    pub front_pages: usize,
    pub faces: Vec<Face>,
    /// The book's local images, as `Draw::Image` indexes them.
    pub images: Vec<LocalImage>,
    /// The widest any image is printed, in points: images are kept at 300 pixels per inch of it.
    pub image_width: f32,
    /// The logical structure of every part printed, by tree id (see `structure`).
    pub trees: HashMap<u32, Tree>,
    /// Where each body page starts in the model (the EPUB page list reads it).
    pub page_map: Vec<PageStart>,
    pub phrases: Phrases,
}
