//! handout: a manuscript of Markdown articles → typeset PDF handouts, a book and an EPUB 3.
//!
//! One pipeline, one direction:
//! `read` (a manuscript folder → the document `model`) → `typeset` (the model → a
//! `paged` document, for the editions that are printed) → `render` (PDF, EPUB: the model and,
//! where needed, the pages → bytes), with `publish` running the renderers chosen from the
//! registry and replacing the outputs only when all of them are made. The words and rules that
//! depend on the language live in `locale`; `check` reads the model and never renders.
//!
//! Which stage may use which: `model` uses nothing of the tool's, `paged` only `model`;
//! `locale` uses `model`; `read` uses `model` and `locale`; `typeset` uses `model`, `paged`, `locale` and
//! `fonts`; each renderer uses `model`, `locale`, `fonts` and what `render` shares, and the PDF
//! renderer the `paged` document, never `typeset`; `check` uses `read`, `model` and `locale`;
//! only `publish` (and the command line) uses them all. `tests/architecture.rs` holds to this.

pub mod check;
pub mod diag;
pub mod fonts;
pub mod locale;
pub mod model;
pub mod paged;
pub mod publish;
pub mod read;
pub mod render;
mod trace;
pub mod typeset;
pub mod url;

pub use publish::{
    book_from_markdown, default_fonts_dir, final_edition_problems, publish, Options, Report,
};
pub use trace::trace;
