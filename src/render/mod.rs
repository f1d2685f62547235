//! Renderers: each turns the model (and, where it needs them, the pages of an edition) into
//! files. They are chosen by name from the registry (`--only pdf,epub`) and never import one
//! another; what two of them share (the XHTML of an article, XML escaping) lives here beside
//! them.

pub mod epub;
pub mod pdf;
pub mod xhtml;
pub mod xml;

use crate::fonts::FontSet;
use crate::model::{Book, PageStart};
use crate::paged::{Edition, Form, PagedDocument, Scope};
use std::path::PathBuf;
use std::sync::Arc;

/// One file a renderer makes, and what it must be given to make it.
#[derive(Debug, Clone)]
pub struct Output {
    /// Relative to the output folder.
    pub path: PathBuf,
    pub needs: Needs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// The model alone.
    Model,
    /// The typeset pages of an edition (handed over whole: the renderer may take them apart).
    Pages(Edition),
    /// Where the pages of an edition start, and nothing else of them.
    PageMap(Edition),
}

/// What a renderer is given for one output, as its `Needs` said.
pub enum Input<'a> {
    Model,
    Pages(Box<PagedDocument>),
    PageMap(&'a [PageStart]),
}

/// What a renderer reports of a file it made.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rendered {
    /// Pages, for a paged format.
    pub pages: Option<usize>,
}

/// Why a renderer could not make a file.
#[derive(Debug, Clone)]
pub enum RenderError {
    /// A file of the manuscript cannot be used (an image): its path, relative to the
    /// manuscript folder.
    Input { file: PathBuf, message: String },
    /// A bundled font cannot be embedded (a damaged file): its name in the fonts folder.
    Font {
        file_name: &'static str,
        message: String,
    },
    /// Writing the output failed.
    Write(String),
    /// Something the tool itself got wrong.
    Internal(String),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Input { file, message } => write!(f, "{}: {message}", file.display()),
            RenderError::Font { file_name, message } => write!(f, "{file_name}: {message}"),
            RenderError::Write(m) | RenderError::Internal(m) => f.write_str(m),
        }
    }
}

/// A file being written: zip archives seek back to fill in their headers.
pub trait WriteSeek: std::io::Write + std::io::Seek {}
impl<T: std::io::Write + std::io::Seek> WriteSeek for T {}

pub trait Renderer: Sync {
    /// The name `--only` knows it by.
    fn name(&self) -> &'static str;
    /// The files it makes of `book`.
    fn outputs(&self, book: &Book) -> Vec<Output>;
    /// Work that can start before an edition's pages are ready (they are typeset meanwhile):
    /// the PDF renderer prepares the edition's images. `image_width` is the widest, in
    /// points, that an image of the edition is printed.
    fn prepare(&self, _book: &Book, _edition: Edition, _image_width: f32) {}

    /// Makes one of them.
    fn render(
        &self,
        book: &Book,
        input: Input,
        out: &mut dyn WriteSeek,
    ) -> Result<Rendered, RenderError>;
}

/// Every renderer, by name, with what it makes (in the order they run and report).
pub const RENDERERS: &[(&str, &str)] = &[
    ("pdf", "the book as a PDF"),
    ("epub", "the book as an EPUB 3"),
    ("handouts", "one PDF handout per article"),
    (
        "large-print",
        "the book and the handouts in large print (PDF)",
    ),
    (
        "booklet",
        "the book on half-size pages, imposed for folding (PDF)",
    ),
];

/// The renderers, in the order of `RENDERERS`; the PDF ones share one writer (and its
/// prepared images).
pub fn registry(fonts: &FontSet) -> Vec<Box<dyn Renderer>> {
    let writer = Arc::new(pdf::PdfWriter::new(fonts));
    vec![
        Box::new(PdfEditions {
            name: "pdf",
            writer: writer.clone(),
            editions: book_pdf,
        }),
        Box::new(epub::EpubRenderer::new(fonts)),
        Box::new(PdfEditions {
            name: "handouts",
            writer: writer.clone(),
            editions: handouts,
        }),
        Box::new(PdfEditions {
            name: "large-print",
            writer: writer.clone(),
            editions: large_print,
        }),
        Box::new(PdfEditions {
            name: "booklet",
            writer,
            editions: booklet,
        }),
    ]
}

/// PDF files of typeset editions.
struct PdfEditions {
    name: &'static str,
    writer: Arc<pdf::PdfWriter>,
    editions: fn(&Book) -> Vec<(PathBuf, Edition)>,
}

impl Renderer for PdfEditions {
    fn name(&self) -> &'static str {
        self.name
    }

    fn outputs(&self, book: &Book) -> Vec<Output> {
        (self.editions)(book)
            .into_iter()
            .map(|(path, e)| Output {
                path,
                needs: Needs::Pages(e),
            })
            .collect()
    }

    fn prepare(&self, book: &Book, edition: Edition, image_width: f32) {
        self.writer.prepare(book, edition, image_width);
    }

    fn render(
        &self,
        _book: &Book,
        input: Input,
        out: &mut dyn WriteSeek,
    ) -> Result<Rendered, RenderError> {
        let Input::Pages(mut doc) = input else {
            return Err(RenderError::Internal("a PDF needs typeset pages".into()));
        };
        if doc.edition.form == Form::Booklet {
            crate::paged::impose::saddle_stitch(&mut doc);
        }
        self.writer.write(&mut doc, out)?;
        Ok(Rendered {
            pages: Some(doc.pages.len()),
        })
    }
}

fn book_pdf(book: &Book) -> Vec<(PathBuf, Edition)> {
    vec![(
        PathBuf::from(format!("{}.pdf", book.meta.slug)),
        Edition::BOOK,
    )]
}

/// The whole book on half-size pages, two to a side of the book's paper, for folding.
fn booklet(book: &Book) -> Vec<(PathBuf, Edition)> {
    vec![(
        PathBuf::from(format!("{}-booklet.pdf", book.meta.slug)),
        Edition {
            scope: Scope::Book,
            form: Form::Booklet,
        },
    )]
}

/// The articles that get a handout: every one the manuscript has (not the appendix).
fn handout_articles(book: &Book) -> impl Iterator<Item = (usize, &str)> {
    book.articles
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.appendix)
        .map(|(i, a)| (i, a.slug.as_str()))
}

fn handouts(book: &Book) -> Vec<(PathBuf, Edition)> {
    handout_articles(book)
        .map(|(i, slug)| {
            (
                PathBuf::from("handouts").join(format!("{slug}.pdf")),
                Edition::article(i, Form::Regular),
            )
        })
        .collect()
}

fn large_print(book: &Book) -> Vec<(PathBuf, Edition)> {
    let whole = Edition {
        scope: Scope::Book,
        form: Form::LargePrint,
    };
    std::iter::once((
        PathBuf::from(format!("{}-large-print.pdf", book.meta.slug)),
        whole,
    ))
    .chain(handout_articles(book).map(|(i, slug)| {
        (
            PathBuf::from("handouts").join(format!("{slug}-large-print.pdf")),
            Edition::article(i, Form::LargePrint),
        )
    }))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_is_the_list_the_command_line_offers() {
        let fonts = crate::fonts::load(&crate::default_fonts_dir()).unwrap();
        let names: Vec<&str> = registry(&fonts).iter().map(|r| r.name()).collect();
        let listed: Vec<&str> = RENDERERS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, listed);
    }
}
