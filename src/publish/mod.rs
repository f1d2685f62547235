//! Publishing: read the manuscript, then make every output the chosen renderers list. Each
//! output is a job: one that needs an edition's pages gets them from the typesetter (each
//! edition typeset once; a job that needs only where the pages start, the EPUB, starts as soon
//! as they are known). Outputs are staged and replace the previous ones only when all are made.

mod staging;

pub use staging::{commit, remove_temporaries, Staged};

use crate::diag::Diagnostic;
use crate::model::{self, Book, PageStart};
use crate::paged::{Edition, Scope};
use crate::render::{self, Input, Needs, Output, RenderError, Rendered, Renderer};
use crate::typeset::Typesetter;
use crate::{fonts, read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Options {
    pub manuscript: PathBuf,
    pub out: PathBuf,
    pub fonts: PathBuf,
    /// The renderers to run, by name (`render::RENDERERS`); empty: all of them.
    pub only: Vec<String>,
    /// Refuse to publish unless every article is reviewed and its review is not overdue.
    pub final_edition: bool,
    /// Make the handouts of only these articles (their sources, relative to the manuscript);
    /// `None`: of every article. `watch` passes the articles an edit changed.
    pub handouts_of: Option<Vec<PathBuf>>,
    /// The sites whose editions are made (`sites/<id>.yaml`), and then only theirs; `None`:
    /// the default editions and every site's; an empty list (`--site none`): the default
    /// editions alone.
    pub sites: Option<Vec<String>>,
    /// When another build is writing to the output folder: wait for it (else refuse).
    pub wait: bool,
}

impl Options {
    /// Everything, for a manuscript and an output folder.
    pub fn all(manuscript: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Options {
        Options {
            manuscript: manuscript.into(),
            out: out.into(),
            fonts: default_fonts_dir(),
            only: Vec::new(),
            final_edition: false,
            handouts_of: None,
            sites: None,
            wait: true,
        }
    }

    /// Whether the default editions are made: always, unless `--site` named sites (`--site
    /// ID` builds only those, as `--only` builds only the renderers named).
    fn wants_default(&self) -> bool {
        self.sites.as_ref().is_none_or(Vec::is_empty)
    }

    fn wants_site(&self, id: &str) -> bool {
        self.sites
            .as_ref()
            .is_none_or(|s| s.iter().any(|x| x == id))
    }

    /// Whether the output is wanted under `handouts_of` (every book-wide output is).
    fn makes_handout(&self, book: &Book, needs: Needs) -> bool {
        let Needs::Pages(Edition {
            scope: Scope::Article(i),
            ..
        }) = needs
        else {
            return true;
        };
        self.handouts_of
            .as_ref()
            .is_none_or(|list| list.iter().any(|p| *p == book.articles[i].source))
    }

    fn wants(&self, renderer: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == renderer)
    }
}

#[derive(Debug, Default)]
pub struct Report {
    /// Files written, with their sizes in bytes.
    pub outputs: Vec<(PathBuf, u64)>,
    /// Pages of each book PDF made: the default edition's under `""`, each site's under its
    /// folder (`sites/eastside`), in the order made.
    pub book_pages: Vec<(String, usize)>,
    pub articles: usize,
    pub warnings: Vec<Diagnostic>,
    pub seconds: f64,
}

/// The fonts folder to use when none is given: none (an empty path), the faces built into
/// the binary.
pub fn default_fonts_dir() -> PathBuf {
    PathBuf::new()
}

/// Problems that stop a final edition: an article nobody reviewed, or whose review is due
/// before the edition's date.
pub fn final_edition_problems(book: &Book, manuscript: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for a in book.articles.iter().filter(|a| book.shows_review(a)) {
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

/// One output of one renderer.
struct Job<'r> {
    renderer: &'r dyn Renderer,
    output: Output,
}

/// Builds the outputs. `progress` hears one line per stage.
pub fn publish(opts: &Options, progress: &mut dyn FnMut(&str)) -> Result<Report, Vec<Diagnostic>> {
    let start = Instant::now();
    crate::trace("start");
    let loaded = read::load(&opts.manuscript)?;
    crate::trace("loaded");
    let book = loaded.book;
    progress(&format!(
        "read {} article(s) from {} ({:.0} ms)",
        book.articles.iter().filter(|a| !a.appendix).count(),
        opts.manuscript.display(),
        start.elapsed().as_secs_f64() * 1000.0
    ));
    if let Some(d) = output_inside_manuscript(&opts.out, &opts.manuscript) {
        return Err(vec![d]);
    }
    if opts.final_edition {
        let mut problems = final_edition_problems(&book, &opts.manuscript);
        // What an ordinary build forgives (a file that could not be included, a dead
        // anchor), a final edition does not.
        problems.extend(
            loaded
                .warnings
                .iter()
                .filter(|d| d.code.is_some())
                .map(|d| Diagnostic {
                    severity: crate::diag::Severity::Error,
                    ..d.clone()
                }),
        );
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    let fonts = fonts::load(&opts.fonts).map_err(|d| vec![d])?;
    let typesetter =
        Typesetter::new(&fonts).map_err(|e| vec![Diagnostic::error(&opts.fonts, 0, 0, e)])?;
    let registry = render::registry(&fonts);
    if let Some(unknown) = opts
        .sites
        .iter()
        .flatten()
        .find(|id| !loaded.sites.iter().any(|b| site_id(b) == Some(id.as_str())))
    {
        return Err(vec![Diagnostic::error(
            opts.manuscript.join("sites"),
            0,
            0,
            format!("no site `{unknown}`: the sites are the files in this folder, by name without .yaml"),
        )]);
    }
    // The default editions (unless only sites were asked for), then each chosen site's
    // under sites/<id>/.
    let books: Vec<(PathBuf, &Book)> = std::iter::once((PathBuf::new(), &book))
        .filter(|_| opts.wants_default())
        .chain(loaded.sites.iter().filter_map(|b| {
            let id = site_id(b)?;
            opts.wants_site(id)
                .then(|| (Path::new("sites").join(id), b))
        }))
        .collect();
    let jobs: Vec<Vec<Job>> = books
        .iter()
        .map(|(folder, b)| {
            registry
                .iter()
                .filter(|r| opts.wants(r.name()))
                .flat_map(|r| {
                    r.outputs(b).into_iter().map(|mut output| {
                        output.path = folder.join(&output.path);
                        Job {
                            renderer: r.as_ref(),
                            output,
                        }
                    })
                })
                .filter(|j| opts.makes_handout(b, j.output.needs))
                .collect()
        })
        .collect();
    if let Some(d) = colliding_outputs(&books, &jobs, &opts.manuscript) {
        return Err(vec![d]);
    }
    let _lock = staging::lock_output(&opts.out, opts.wait, progress).map_err(|d| vec![d])?;
    let mut staged: Vec<Vec<Staged>> = Vec::with_capacity(jobs.len());
    for js in &jobs {
        let mut these = Vec::with_capacity(js.len());
        for j in js {
            match Staged::new(&opts.out.join(&j.output.path)) {
                Ok(st) => these.push(st),
                Err(d) => {
                    staging::discard_all(staged.iter().flatten().chain(&these));
                    return Err(vec![d]);
                }
            }
        }
        staged.push(these);
    }
    let mut folders: Vec<&Path> = staged
        .iter()
        .flatten()
        .filter_map(|s| s.path().parent())
        .collect();
    folders.sort_unstable();
    folders.dedup();
    folders
        .iter()
        .for_each(|dir| staging::remove_abandoned(dir));

    // The editions of the default book and of every site are made side by side.
    let results: Vec<JobResult> = {
        use rayon::prelude::*;
        let per_book: Vec<Vec<JobResult>> = books
            .par_iter()
            .zip(jobs.par_iter().zip(&staged))
            .map(|((_, b), (js, st))| run(b, &typesetter, js, st))
            .collect();
        per_book.into_iter().flatten().collect()
    };
    let (jobs, staged): (Vec<Job>, Vec<Staged>) = (
        jobs.into_iter().flatten().collect(),
        staged.into_iter().flatten().collect(),
    );
    let mut warnings = loaded.warnings;
    // A character no font has prints as �: say where, as `check` does.
    warnings.extend(crate::check::characters::uncovered(
        &book,
        &opts.manuscript,
        &fonts,
    ));
    let mut report = Report {
        // The book's own articles: the resource appendix is made, not written.
        articles: book.articles.iter().filter(|a| !a.appendix).count(),
        warnings,
        ..Default::default()
    };
    let mut sizes = Vec::new();
    for ((job, st), result) in jobs.iter().zip(&staged).zip(results) {
        match result {
            Ok((size, rendered)) => {
                if job.renderer.name() == "pdf" && job.output.needs == Needs::Pages(Edition::BOOK) {
                    let folder = job.output.path.parent().unwrap_or(Path::new(""));
                    report
                        .book_pages
                        .push((folder.display().to_string(), rendered.pages.unwrap_or(0)));
                }
                sizes.push((st.path().to_path_buf(), size));
            }
            Err(e) => {
                staging::discard_all(&staged);
                return Err(vec![diagnostic(e, opts, st.path())]);
            }
        }
    }
    progress(&format!(
        "typeset and packaged {} file(s) ({:.0} ms)",
        sizes.len(),
        start.elapsed().as_secs_f64() * 1000.0
    ));
    commit(&staged).map_err(|d| vec![d])?;
    crate::trace("outputs written");
    report.outputs = sizes;
    progress(&format!(
        "wrote {} file(s) to {}",
        report.outputs.len(),
        opts.out.display()
    ));
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

type JobResult = Result<(u64, Rendered), RenderError>;

/// Runs every job, each writing its staged file; returns their results in job order. Each
/// edition any job needs is typeset once; the jobs that need only its page map are started as
/// soon as it is known, the one that needs its pages is handed them.
fn run(book: &Book, typesetter: &Typesetter, jobs: &[Job], staged: &[Staged]) -> Vec<JobResult> {
    let slots: Vec<Mutex<Option<JobResult>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let render_one = |k: usize, input: Input| {
        let result = staged[k].write(|w| jobs[k].renderer.render(book, input, w));
        if let Ok(mut slot) = slots[k].lock() {
            *slot = Some(result);
        }
    };
    let mut editions: Vec<Edition> = Vec::new();
    for j in jobs {
        if let Needs::Pages(e) | Needs::PageMap(e) = j.output.needs {
            if !editions.contains(&e) {
                editions.push(e);
            }
        }
    }
    rayon::scope(|s| {
        let render_one = &render_one;
        for edition in editions {
            s.spawn(move |s| {
                let takers: Vec<usize> = (0..jobs.len())
                    .filter(|&k| jobs[k].output.needs == Needs::Pages(edition))
                    .collect();
                // The renderers that take the pages prepare what they can meanwhile.
                let width = typesetter.image_width(book, edition);
                let (doc, ()) = rayon::join(
                    || typesetter.typeset(book, edition),
                    || {
                        for &k in &takers {
                            jobs[k].renderer.prepare(book, edition, width);
                        }
                    },
                );
                let readers: Vec<usize> = (0..jobs.len())
                    .filter(|&k| jobs[k].output.needs == Needs::PageMap(edition))
                    .collect();
                if !readers.is_empty() {
                    let map: std::sync::Arc<Vec<PageStart>> = doc.page_map.clone().into();
                    for k in readers {
                        let map = map.clone();
                        s.spawn(move |_| render_one(k, Input::PageMap(&map)));
                    }
                }
                // The first job takes the pages; any other is given its own typesetting.
                let mut doc = Some(doc);
                for k in takers {
                    let pages = doc
                        .take()
                        .unwrap_or_else(|| typesetter.typeset(book, edition));
                    render_one(k, Input::Pages(Box::new(pages)));
                }
            });
        }
        for (k, job) in jobs.iter().enumerate() {
            if job.output.needs == Needs::Model {
                s.spawn(move |_| render_one(k, Input::Model));
            }
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(RenderError::Internal("the output was not made".into())))
        })
        .collect()
}

/// The site a book is printed for, by its id.
/// Two jobs that would write one file (compared without case: a checkout on macOS or Windows
/// is case-insensitive), named with the inputs they come from; checked before any job runs.
/// Site ids and article names are checked when the book is read (so `check` says so too);
/// this is the last line of defence, for whatever else could collide.
fn colliding_outputs(
    books: &[(PathBuf, &Book)],
    jobs: &[Vec<Job>],
    manuscript: &Path,
) -> Option<Diagnostic> {
    let mut seen: std::collections::HashMap<String, (&Path, PathBuf)> = Default::default();
    for ((_, book), js) in books.iter().zip(jobs) {
        for j in js {
            let input = match j.output.needs {
                Needs::Pages(Edition {
                    scope: Scope::Article(i),
                    ..
                })
                | Needs::PageMap(Edition {
                    scope: Scope::Article(i),
                    ..
                }) => book.articles[i].source.clone(),
                _ => match site_id(book) {
                    Some(id) => Path::new("sites").join(id),
                    None => PathBuf::from("the book"),
                },
            };
            let key = j.output.path.to_string_lossy().to_lowercase();
            if let Some((first, other)) = seen.get(&key) {
                return Some(Diagnostic::error(
                    manuscript.join(&input),
                    0,
                    0,
                    format!(
                        "its output `{}` would also be written for `{}` (`{}`): rename one of them",
                        j.output.path.display(),
                        other.display(),
                        first.display()
                    ),
                ));
            }
            seen.insert(key, (&j.output.path, input));
        }
    }
    None
}

fn site_id(book: &Book) -> Option<&str> {
    book.meta.site.as_ref().map(|s| s.id.as_str())
}

/// A renderer's error as a diagnostic: at the input at fault (a manuscript file, a font),
/// else at the output.
fn diagnostic(e: RenderError, opts: &Options, output: &Path) -> Diagnostic {
    match e {
        RenderError::Input { file, message } => {
            Diagnostic::error(opts.manuscript.join(file), 0, 0, message)
        }
        RenderError::Font { file_name, message } => Diagnostic::error(
            opts.fonts.join(file_name),
            0,
            0,
            format!("this font cannot be embedded ({message}); the file may be damaged: put back a good copy"),
        ),
        RenderError::Write(m) | RenderError::Internal(m) => Diagnostic::error(output, 0, 0, m),
    }
}

/// A one-article book made from Markdown alone, without touching the file system (images and
/// links to other files are refused as errors would be): for fuzzing and benchmarks.
pub fn book_from_markdown(text: &str) -> Book {
    struct NoFiles;
    impl read::markdown::Resolver for NoFiles {
        fn article(&self, _: &str) -> Option<usize> {
            None
        }
        fn image(&self, src: &str) -> Result<(model::ImageSource, Vec<String>), String> {
            Err(format!("image `{src}` not found"))
        }
    }
    let lines = crate::diag::LineIndex::new(text);
    let parsed = read::markdown::parse(text, 0, &lines, Path::new("input.md"), 0, &NoFiles);
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
        depth: 0,
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
        epub_fonts: true,
        certified_by: None,
        cover: None,
        paper: model::Paper::Letter,
        pdf_a: false,
        reading_level: 8.0,
        slug: "input".into(),
        breaks: model::PageBreaks::Chapters,
        styles: model::Styles::default(),
        edition: None,
        site: None,
        clinical_review: true,
    };
    let mut book = Book::new(meta, vec![article], Vec::new(), Vec::new());
    read::appendix::add(&mut book);
    book
}

/// The output folder may not be inside the manuscript (outputs would be read back as input),
/// except for the manuscript's own `output/`.
/// Where `path` leads once made: the folders that exist resolved as the system resolves them
/// (links followed), the rest, which `create_dir_all` will make as plain folders, by name
/// (`..` after a folder yet to be made goes back up). `-o a/../manuscript/x` once passed the
/// check below because `a` did not exist.
fn resolved(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => {
                out.push(other);
                if let Ok(real) = out.canonicalize() {
                    out = real;
                }
            }
        }
    }
    Some(out)
}

fn output_inside_manuscript(out: &Path, manuscript: &Path) -> Option<Diagnostic> {
    let m = manuscript.canonicalize().ok()?;
    let full = resolved(out)?;
    // The manuscript's own `output/` is the one folder inside it no reader ever reads (the
    // plain-folder reader skips it, book.yaml and SUMMARY.md list articles elsewhere): a book
    // folder publishes into it, as mdBook builds into `book/`.
    if full == m.join("output") {
        return None;
    }
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
