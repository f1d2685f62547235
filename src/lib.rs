//! handout: a manuscript of Markdown articles → a typeset PDF and an EPUB 3 book.
//!
//! One pipeline, one direction: [`manuscript::load`] reads the folder into the document
//! [`model`], then the independent writers ([`pdf`], [`epub`]) turn that model into bytes, and
//! [`publish`] writes those bytes so that a failed build never replaces a good output.

pub mod check;
pub mod diag;
pub mod epub;
pub mod fonts;
pub mod html;
pub mod manuscript;
pub mod markdown;
pub mod model;
pub mod pdf;
pub mod url;

use diag::Diagnostic;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Options {
    pub manuscript: PathBuf,
    pub out: PathBuf,
    pub fonts: PathBuf,
    /// The book as a PDF.
    pub pdf: bool,
    pub epub: bool,
    /// One PDF handout per article.
    pub handouts: bool,
    /// Large-print PDFs of the book and of each handout.
    pub large_print: bool,
    /// Refuse to publish unless every article is reviewed and its review is not overdue.
    pub final_edition: bool,
}

impl Options {
    /// Everything, for a manuscript and an output folder.
    pub fn all(manuscript: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Options {
        Options {
            manuscript: manuscript.into(),
            out: out.into(),
            fonts: default_fonts_dir(),
            pdf: true,
            epub: true,
            handouts: true,
            large_print: true,
            final_edition: false,
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    /// Files written, with their sizes in bytes.
    pub outputs: Vec<(PathBuf, u64)>,
    /// Pages of the book PDF.
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

/// Problems that stop a final edition: an article nobody reviewed, or whose review is due
/// before the edition's date.
pub fn final_edition_problems(book: &model::Book, manuscript: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for a in book.articles.iter().filter(|a| !a.appendix) {
        let file = manuscript.join(&a.source);
        match &a.reviewed {
            None => out.push(Diagnostic::error(
                &file,
                1,
                1,
                "not clinically reviewed: add `reviewed: {by, on, next}` to its front matter",
            )),
            Some(r) => {
                if let Some(next) = r.next.filter(|n| *n < book.meta.date) {
                    out.push(Diagnostic::error(
                        &file,
                        1,
                        1,
                        format!("review overdue: the next review was due on {next}, before this edition's date {}", book.meta.date),
                    ));
                }
            }
        }
    }
    out
}

use pdf::Edition;

enum Job {
    Pdf(Edition),
    Epub,
}

/// Builds the outputs. `progress` hears one line per stage.
pub fn publish(opts: &Options, progress: &mut dyn FnMut(&str)) -> Result<Report, Vec<Diagnostic>> {
    use rayon::prelude::*;
    let start = Instant::now();
    trace("start");
    let loaded = manuscript::load(&opts.manuscript)?;
    trace("loaded");
    let book = loaded.book;
    progress(&format!(
        "read {} article(s) from {} ({:.0} ms)",
        book.articles.len(),
        opts.manuscript.display(),
        start.elapsed().as_secs_f64() * 1000.0
    ));
    if let Some(d) = output_inside_manuscript(&opts.out, &opts.manuscript) {
        return Err(vec![d]);
    }
    if opts.final_edition {
        let problems = final_edition_problems(&book, &opts.manuscript);
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    let fonts = fonts::load(&opts.fonts).map_err(|d| vec![d])?;
    let typesetter =
        pdf::Typesetter::new(&fonts).map_err(|e| vec![Diagnostic::error(&opts.fonts, 0, 0, e)])?;
    let mut report = Report {
        articles: book.articles.len(),
        warnings: loaded.warnings,
        ..Default::default()
    };

    // Every output is an independent job on the same model.
    let slug = &book.meta.slug;
    let handouts = opts.out.join("handouts");
    let mut jobs: Vec<(PathBuf, Job)> = Vec::new();
    if opts.pdf {
        jobs.push((
            opts.out.join(format!("{slug}.pdf")),
            Job::Pdf(pdf::Edition {
                scope: pdf::Scope::Book,
                large_print: false,
            }),
        ));
    }
    if opts.epub {
        jobs.push((opts.out.join(format!("{slug}.epub")), Job::Epub));
    }
    if opts.large_print {
        jobs.push((
            opts.out.join(format!("{slug}-large-print.pdf")),
            Job::Pdf(pdf::Edition {
                scope: pdf::Scope::Book,
                large_print: true,
            }),
        ));
    }
    for (i, a) in book
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.appendix)
    {
        if opts.handouts {
            jobs.push((
                handouts.join(format!("{}.pdf", a.slug)),
                Job::Pdf(pdf::Edition {
                    scope: pdf::Scope::Article(i),
                    large_print: false,
                }),
            ));
        }
        if opts.large_print {
            jobs.push((
                handouts.join(format!("{}-large-print.pdf", a.slug)),
                Job::Pdf(pdf::Edition {
                    scope: pdf::Scope::Article(i),
                    large_print: true,
                }),
            ));
        }
    }
    // Each output is written by its job straight to a temporary file beside it (no output is
    // ever held in memory whole); only when every one is safely on disk are they renamed over
    // the previous outputs. A failure removes the temporary files and leaves the rest as it was.
    let staged: Vec<Staged> = jobs
        .iter()
        .map(|(path, _)| Staged::new(path))
        .collect::<Result<_, _>>()
        .map_err(|d| vec![d])?;
    let mut folders: Vec<&Path> = jobs.iter().filter_map(|(p, _)| p.parent()).collect();
    folders.sort_unstable();
    folders.dedup();
    folders.iter().for_each(|dir| remove_abandoned(dir));
    // The EPUB marks where each printed page of the book starts, so it waits for the book's
    // pagination: it is started as soon as the pages are known, while the PDF is written.
    let book_pdf = Edition {
        scope: pdf::Scope::Book,
        large_print: false,
    };
    let epub_file = jobs
        .iter()
        .zip(&staged)
        .find(|((_, job), _)| matches!(job, Job::Epub))
        .map(|(_, st)| st);
    let epub_out: std::sync::Mutex<Option<Result<u64, String>>> = std::sync::Mutex::new(None);
    let mut built: Vec<Result<(u64, usize), String>> = Vec::new();
    rayon::scope(|s| {
        let start_epub = |starts: Vec<pdf::PageStart>| {
            let (book, fonts, epub_out) = (&book, &fonts, &epub_out);
            let Some(file) = epub_file else { return };
            s.spawn(move |_| {
                let r = file.write(|w| epub::write(book, fonts, &starts, w));
                trace("epub packaged");
                if let Ok(mut slot) = epub_out.lock() {
                    *slot = Some(r);
                }
            });
        };
        built = jobs
            .par_iter()
            .zip(&staged)
            .map(|((_, job), file)| match job {
                Job::Pdf(e) if *e == book_pdf && opts.epub => {
                    let mut pages = 0;
                    let size = file.write(|w| {
                        pages = typesetter
                            .typeset(&book, *e, &start_epub, Some(w))?
                            .unwrap_or(0);
                        Ok(())
                    })?;
                    Ok((size, pages))
                }
                Job::Pdf(e) => {
                    let mut pages = 0;
                    let size = file.write(|w| {
                        pages = typesetter
                            .typeset(&book, *e, &|_| {}, Some(w))?
                            .unwrap_or(0);
                        Ok(())
                    })?;
                    Ok((size, pages))
                }
                Job::Epub if opts.pdf => Ok((0, 0)),
                Job::Epub => typesetter
                    .typeset(&book, book_pdf, &start_epub, None)
                    .map(|_| (0, 0)),
            })
            .collect();
    });
    let epub_result = epub_out.into_inner().ok().flatten();
    for ((_, job), result) in jobs.iter().zip(built.iter_mut()) {
        if matches!(job, Job::Epub) {
            if let Ok(r) = result.as_mut() {
                match &epub_result {
                    Some(Ok(size)) => r.0 = *size,
                    Some(Err(e)) => *result = Err(e.clone()),
                    None => *result = Err("the EPUB was not made".into()),
                }
            }
        }
    }
    let mut sizes = Vec::new();
    for ((path, job), result) in jobs.iter().zip(built) {
        let (size, pages) = match result {
            Ok(r) => r,
            Err(e) => {
                staged.iter().for_each(Staged::discard);
                return Err(vec![Diagnostic::error(path, 0, 0, e)]);
            }
        };
        if let Job::Pdf(pdf::Edition {
            scope: pdf::Scope::Book,
            large_print: false,
        }) = job
        {
            report.pdf_pages = pages;
        }
        sizes.push((path.clone(), size));
    }
    progress(&format!(
        "typeset and packaged {} file(s) ({:.0} ms)",
        sizes.len(),
        start.elapsed().as_secs_f64() * 1000.0
    ));
    commit(&staged).map_err(|d| vec![d])?;
    trace("outputs written");
    report.outputs = sizes;
    progress(&format!(
        "wrote {} file(s) to {}",
        report.outputs.len(),
        opts.out.display()
    ));
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

/// A one-article book made from Markdown alone, without touching the file system (images and
/// links to other files are refused as errors would be): for fuzzing and benchmarks.
pub fn book_from_markdown(text: &str) -> model::Book {
    struct NoFiles;
    impl markdown::Resolver for NoFiles {
        fn article(&self, _: &str) -> Option<usize> {
            None
        }
        fn image(&self, src: &str) -> Result<model::ImageSource, String> {
            Err(format!("image `{src}` not found"))
        }
    }
    let lines = diag::LineIndex::new(text);
    let parsed = markdown::parse(text, 0, &lines, Path::new("input.md"), 0, &NoFiles);
    let article = model::Article {
        source: PathBuf::from("input.md"),
        slug: "input".into(),
        title: vec![model::Inline::Text("Input".into())],
        summary: None,
        authors: Vec::new(),
        lang: "en".into(),
        reviewed: None,
        resources: Vec::new(),
        appendix: false,
        blocks: parsed.blocks,
        footnotes: parsed.footnotes,
    };
    let meta = model::BookMeta {
        title: "Input".into(),
        subtitle: None,
        publisher: None,
        authors: Vec::new(),
        language: "en".into(),
        date: model::Date {
            year: 2026,
            month: 1,
            day: 1,
        },
        identifier: "urn:uuid:00000000-0000-5000-8000-000000000000".into(),
        date_given: true,
        description: None,
        paper: model::Paper::Letter,
        pdf_a: false,
        reading_level: 8.0,
        slug: "input".into(),
    };
    let mut book = model::Book {
        meta,
        articles: vec![article],
        resources: Vec::new(),
    };
    manuscript::appendix::add(&mut book);
    book
}

/// The output folder may not be inside the manuscript: outputs would be read back as input.
fn output_inside_manuscript(out: &Path, manuscript: &Path) -> Option<Diagnostic> {
    let m = manuscript.canonicalize().ok()?;
    // The output folder may not exist yet: judge its nearest existing ancestor.
    let mut probe = out.to_path_buf();
    let mut rest = Vec::new();
    while !probe.exists() {
        rest.push(probe.file_name()?.to_owned());
        probe = probe.parent()?.to_path_buf();
        if probe.as_os_str().is_empty() {
            probe = PathBuf::from(".");
        }
    }
    let mut full = probe.canonicalize().ok()?;
    full.extend(rest.iter().rev());
    full.starts_with(&m).then(|| {
        Diagnostic::error(
            out,
            0,
            0,
            format!(
                "the output folder is inside the manuscript folder {}; choose one outside it",
                manuscript.display()
            ),
        )
    })
}

/// An output being written: its temporary file beside the final path, renamed over it by
/// `commit` once every output is complete.
pub struct Staged {
    path: PathBuf,
    tmp: PathBuf,
}

impl Staged {
    /// Makes the output's folder (the error names it when that is impossible).
    pub fn new(path: &Path) -> Result<Staged, Diagnostic> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| {
            Diagnostic::error(dir, 0, 0, format!("cannot create the output folder: {e}"))
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        Ok(Staged {
            path: path.to_path_buf(),
            tmp: dir.join(format!(".{name}.{}.tmp", std::process::id())),
        })
    }

    /// Writes the temporary file with `fill`, flushed and synced to disk; returns its size.
    pub fn write(
        &self,
        fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<(), String>,
    ) -> Result<u64, String> {
        let cannot = |e: std::io::Error| format!("cannot write {}: {e}", self.tmp.display());
        let file = std::fs::File::create(&self.tmp).map_err(cannot)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| cannot(e.into_error()))?;
        file.sync_all().map_err(cannot)?;
        Ok(file.metadata().map_err(cannot)?.len())
    }

    /// Removes the temporary file, if it was made.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Removes the temporary outputs (`.NAME.PID.tmp`) left in `dir` by builds that were killed
/// (their process is gone: a build killed outright cannot clean up after itself).
fn remove_abandoned(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = file
            .strip_prefix('.')
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.rsplit('.').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let running = pid == std::process::id()
            || (cfg!(target_os = "linux") && Path::new(&format!("/proc/{pid}")).exists())
            || !cfg!(target_os = "linux");
        if !running {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Renames every staged output over its final path; on a failure, the outputs not yet
/// renamed are discarded.
pub fn commit(staged: &[Staged]) -> Result<(), Diagnostic> {
    for (i, st) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(&st.tmp, &st.path) {
            staged[i..].iter().for_each(Staged::discard);
            return Err(Diagnostic::error(
                &st.path,
                0,
                0,
                format!("cannot replace the previous file: {e}"),
            ));
        }
    }
    Ok(())
}

/// With `HANDOUT_TRACE` set, prints a stage's name, the milliseconds since the first stage
/// and the process's anonymous memory (Linux), for profiling a build stage by stage.
pub fn trace(stage: &str) {
    static ON: std::sync::OnceLock<Option<Instant>> = std::sync::OnceLock::new();
    let Some(start) = ON.get_or_init(|| std::env::var_os("HANDOUT_TRACE").map(|_| Instant::now()))
    else {
        return;
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let memory = status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .map(str::trim)
        .unwrap_or("?");
    eprintln!(
        "[trace] {:7.1} ms  {stage} (memory {memory})",
        start.elapsed().as_secs_f64() * 1000.0
    );
}
