//! Where a book's shape comes from: its settings and its table of contents. book.yaml is one
//! source; mdBook's book.toml with SUMMARY.md and a plain folder of Markdown are others. Each
//! only says which files make the book, in which order and at which depth; the reading itself
//! (`read::load`) is shared.

use crate::diag::Diagnostic;
use crate::model::{Date, Paper};
use std::collections::HashMap;
use std::path::PathBuf;

/// A book's settings, as its source gives them (unset ones get defaults when the model is made).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub title: String,
    pub subtitle: Option<String>,
    pub publisher: Option<String>,
    pub authors: Vec<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub date: Option<Date>,
    pub identifier: Option<String>,
    pub paper: Paper,
    pub reading_level: Option<f32>,
    pub pdf_a: bool,
    /// Per code language, the prefix that hides a line in print (mdBook's
    /// `output.html.code.hidelines`); Rust's `# ` needs no entry.
    pub hidden_code_lines: HashMap<String, String>,
    /// Which articles start a new page in the book.
    pub breaks: crate::model::PageBreaks,
    /// The style of the book, the handouts and the booklet.
    pub styles: crate::model::Styles,
    /// book.yaml's `edition`: the edition's name or number.
    pub edition: Option<String>,
    pub clinical_review: bool,
    /// book.yaml's `epub: {fonts: none}`: no fonts in the EPUB.
    pub epub_no_fonts: bool,
    /// book.yaml's `accessibility: {certified_by: …}`: who checked the EPUB's conformance.
    pub certified_by: Option<String>,
    /// book.yaml's `epub: {cover: …}`: the cover image, read and checked.
    pub cover: Option<crate::model::ImageSource>,
}

/// Where something was written, for messages: a file and, when known, a line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl Place {
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.file, self.line, self.col, message)
    }
}

/// One article of the table of contents.
#[derive(Debug, Clone)]
pub struct Entry {
    /// As listed, relative to the manuscript folder.
    pub path: PathBuf,
    /// 0 for a chapter, 1 for its sections, …
    pub depth: u8,
    /// Its title in the table of contents, used when the file has no heading of its own.
    pub title: Option<String>,
    /// Where the source lists it.
    pub listed: Place,
}

/// A book's shape: settings, articles in reading order, part titles, the resources file.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub settings: Settings,
    pub entries: Vec<Entry>,
    /// Part titles, each with the index of the entry it comes before.
    pub parts: Vec<(String, usize)>,
    /// The resources file, and where it is named (None: found by its default name).
    pub resources: Option<(PathBuf, Option<Place>)>,
    /// Problems found in the source that do not stop the reading of the articles.
    pub diagnostics: Vec<Diagnostic>,
}

pub trait Source {
    /// The book's shape, or the errors that leave no book to read.
    fn outline(&self) -> Result<Outline, Vec<Diagnostic>>;
}
