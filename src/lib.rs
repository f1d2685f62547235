//! handout: a manuscript of Markdown articles → a typeset PDF and an EPUB 3 book.
//!
//! One pipeline, one direction: [`manuscript::load`] reads the folder into the document
//! [`model`], then the independent writers ([`pdf`], [`epub`]) turn that model into bytes, and
//! [`publish`] writes those bytes so that a failed build never replaces a good output.

pub mod diag;
pub mod epub;
pub mod fonts;
pub mod manuscript;
pub mod markdown;
pub mod model;
pub mod pdf;

use diag::Diagnostic;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Options {
    pub manuscript: PathBuf,
    pub out: PathBuf,
    pub fonts: PathBuf,
    pub pdf: bool,
    pub epub: bool,
}

#[derive(Debug, Default)]
pub struct Report {
    /// Files written, with their sizes in bytes.
    pub outputs: Vec<(PathBuf, u64)>,
    pub pdf_pages: usize,
    pub articles: usize,
    pub warnings: Vec<Diagnostic>,
    pub seconds: f64,
}

/// The fonts folder to use when none is given: `./fonts` if present, else the one this
/// binary was built with.
pub fn default_fonts_dir() -> PathBuf {
    let local = PathBuf::from("fonts");
    if local.is_dir() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")
    }
}

/// Builds the outputs. `progress` hears one line per stage.
pub fn publish(opts: &Options, progress: &mut dyn FnMut(&str)) -> Result<Report, Vec<Diagnostic>> {
    let start = Instant::now();
    let loaded = manuscript::load(&opts.manuscript)?;
    let book = loaded.book;
    progress(&format!(
        "read {} article(s) from {} ({:.0} ms)",
        book.articles.len(),
        opts.manuscript.display(),
        start.elapsed().as_secs_f64() * 1000.0
    ));
    let fonts = fonts::load(&opts.fonts).map_err(|d| vec![d])?;
    let mut report = Report {
        articles: book.articles.len(),
        warnings: loaded.warnings,
        ..Default::default()
    };

    // Both writers read the same model and nothing else: run them side by side.
    let (pdf, epub) = rayon::join(
        || opts.pdf.then(|| pdf::write(&book, &fonts)),
        || opts.epub.then(|| epub::write(&book, &fonts)),
    );
    let out_err = |msg: String| vec![Diagnostic::error(&opts.out, 0, 0, msg)];
    let mut files = Vec::new();
    if let Some(pdf) = pdf {
        let pdf = pdf.map_err(out_err)?;
        report.pdf_pages = pdf.pages;
        progress(&format!("typeset the PDF: {} pages", pdf.pages));
        files.push((opts.out.join(format!("{}.pdf", book.meta.slug)), pdf.bytes));
    }
    if let Some(epub) = epub {
        let epub = epub.map_err(out_err)?;
        progress("packaged the EPUB");
        files.push((opts.out.join(format!("{}.epub", book.meta.slug)), epub));
    }
    std::fs::create_dir_all(&opts.out)
        .map_err(|e| out_err(format!("cannot create the output folder: {e}")))?;
    // Every output is complete in memory before the first one replaces anything.
    for (path, bytes) in &files {
        write_atomically(path, bytes)
            .map_err(|e| vec![Diagnostic::error(path, 0, 0, format!("cannot write: {e}"))])?;
        progress(&format!("wrote {}", path.display()));
        report.outputs.push((path.clone(), bytes.len() as u64));
    }
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

/// Writes to a temporary file beside `path`, flushes it to disk, then renames it over `path`:
/// readers see the old file or the new one, never a half-written one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
