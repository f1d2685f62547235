//! The command line: arguments, which manuscript and output folder they mean, and printing
//! (diagnostics to stderr in the chosen format; results to stdout). Exit codes: 0 success,
//! 1 the manuscript has errors or a write failed, 2 usage (clap's own).

mod init;
mod watch;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use handout::diag::report::{Format, Reporter};
use handout::diag::Diagnostic;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The version, with the commit it was built from when built from a git checkout.
const VERSION: &str = match option_env!("HANDOUT_COMMIT") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

#[derive(Parser)]
#[command(
    name = "handout",
    version = VERSION,
    about = "Compile Markdown articles into print-ready PDF handouts and an EPUB 3 book"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How problems are printed: `human` (the source line and a caret), `short` (one line
    /// each) or `json` (one object per line).
    #[arg(long, global = true, value_enum, default_value_t = DiagnosticFormat::Human)]
    diagnostic_format: DiagnosticFormat,
    /// Colour in diagnostics: `auto` (on a terminal, unless NO_COLOR is set), `always`, `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print only problems: no progress, no list of outputs.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print each stage with its time, and every file written.
    #[arg(short, long, global = true)]
    verbose: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiagnosticFormat {
    Human,
    Short,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Which book: a folder given by position or `--manuscript`; else the current folder when it
/// holds book.yaml or book.toml; else `./manuscript`.
#[derive(clap::Args, Clone)]
struct BookArgs {
    /// The manuscript folder (book.yaml, an mdBook's book.toml, or a folder of Markdown).
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The manuscript folder (the same as DIR).
    #[arg(long, conflicts_with = "dir", value_name = "DIR")]
    manuscript: Option<PathBuf>,
    /// A folder of font files replacing the bundled faces of the same names [default: the
    /// faces built into the binary]
    #[arg(long)]
    fonts: Option<PathBuf>,
}

impl BookArgs {
    fn manuscript(&self) -> PathBuf {
        if let Some(d) = self.dir.clone().or_else(|| self.manuscript.clone()) {
            return d;
        }
        let here = Path::new(".");
        if here.join("book.yaml").is_file() || here.join("book.toml").is_file() {
            here.to_path_buf()
        } else {
            PathBuf::from("manuscript")
        }
    }

    fn fonts(&self) -> PathBuf {
        self.fonts
            .clone()
            .unwrap_or_else(handout::default_fonts_dir)
    }
}

/// What to build and where.
#[derive(clap::Args, Clone)]
struct BuildArgs {
    #[command(flatten)]
    book: BookArgs,
    /// Where the outputs are written (created if missing); a book folder's own `output/` is
    /// allowed.
    #[arg(short, long, default_value = "output")]
    out: PathBuf,
    /// Build only these outputs (comma-separated): pdf (the book), epub, handouts (one PDF
    /// per article), large-print (the book and the handouts in large print), booklet.
    #[arg(long, value_delimiter = ',', value_parser = renderer_names())]
    only: Vec<String>,
    /// Build only this site's editions (`sites/<ID>.yaml`, under `sites/<ID>/`), not the
    /// default ones; repeatable. `none`: only the default editions. Default: the default
    /// editions and every site's.
    #[arg(long = "site", value_name = "ID")]
    sites: Vec<String>,
    /// If another build is writing to the output folder, stop with an error instead of
    /// waiting for it.
    #[arg(long)]
    no_wait: bool,
}

impl BuildArgs {
    fn options(&self, final_edition: bool) -> handout::Options {
        handout::Options {
            manuscript: self.book.manuscript(),
            out: self.out.clone(),
            fonts: self.book.fonts(),
            only: self.only.clone(),
            final_edition,
            handouts_of: None,
            sites: match self.sites.as_slice() {
                [] => None,
                list if list.iter().any(|s| s == "none") => Some(Vec::new()),
                list => Some(list.to_vec()),
            },
            wait: !self.no_wait,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Start a manuscript: book.yaml, one article and resources.yaml, commented to teach the
    /// format. Refuses to overwrite anything.
    Init {
        /// Where to create it [default: the current folder]
        #[arg(value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// Build the book PDF, the EPUB, one handout per article and the large-print editions.
    Publish {
        #[command(flatten)]
        build: BuildArgs,
        /// A final edition: refuse to publish while any article is unreviewed or overdue for
        /// review, or any include or anchor is missing.
        #[arg(long = "final")]
        final_edition: bool,
    },
    /// Check the manuscript without writing anything: everything publish checks, plus
    /// reading level, alt text, heading levels, characters no font covers and review status.
    Check {
        #[command(flatten)]
        book: BookArgs,
    },
    /// Build, then rebuild on every saved change until Ctrl-C.
    Watch {
        #[command(flatten)]
        build: BuildArgs,
    },
    /// Print a completion script for a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The names `--only` accepts: the renderer registry's.
fn renderer_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        handout::render::RENDERERS
            .iter()
            .map(|(name, about)| clap::builder::PossibleValue::new(*name).help(*about)),
    )
}

/// Where everything the commands say goes.
pub struct Printer {
    reporter: Reporter,
    quiet: bool,
    verbose: bool,
}

impl Printer {
    fn diagnostics(&mut self, diags: &[Diagnostic]) {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(self.reporter.render_all(diags).as_bytes());
    }

    /// A line about progress, shown with `--verbose`.
    fn progress(&self, line: &str) {
        if self.verbose {
            eprintln!("handout: {line}");
        }
    }

    /// The one-line outcome, on stderr like the diagnostics; not with `--quiet`.
    fn status(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let format = match cli.diagnostic_format {
        DiagnosticFormat::Human => Format::Human { color },
        DiagnosticFormat::Short => Format::Short,
        DiagnosticFormat::Json => Format::Json,
    };
    let mut printer = Printer {
        reporter: Reporter::new(format),
        // JSON readers get JSON only: one object per line, no status lines between.
        quiet: cli.quiet || format == Format::Json,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Init { dir } => init::run(&dir, &mut printer),
        Command::Publish {
            build,
            final_edition,
        } => publish(&build.options(final_edition), &mut printer),
        Command::Check { book } => check(&book, &mut printer),
        Command::Watch { build } => watch::run(build.options(false), &mut printer),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "handout",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
    }
}

/// One build: its diagnostics, then its outcome. `Ok` when it wrote its outputs.
fn build(opts: &handout::Options, printer: &mut Printer) -> Result<handout::Report, ()> {
    let result = handout::publish(opts, &mut |line| printer.progress(line));
    match result {
        Ok(report) => {
            printer.diagnostics(&report.warnings);
            let total: u64 = report.outputs.iter().map(|(_, n)| n).sum();
            let warned = match report.warnings.len() {
                0 => String::new(),
                n => format!(
                    "; {n} warning(s), {} distinct",
                    handout::diag::report::group_repeats(&report.warnings).len()
                ),
            };
            // Each edition's book: "book PDF 36 pages (sites/eastside 37)".
            let pages: Vec<String> = report
                .book_pages
                .iter()
                .map(|(folder, n)| match folder.as_str() {
                    "" => format!("{n} pages"),
                    f => format!("{f} {n}"),
                })
                .collect();
            let books = match pages.split_first() {
                None => String::new(),
                Some((first, [])) => format!(", book PDF {first}"),
                Some((first, rest)) => format!(", book PDF {first} ({})", rest.join(", ")),
            };
            printer.status(&format!(
                "published {} article(s): {} file(s), {:.1} MB{books}, in {:.2} s{warned}",
                report.articles,
                report.outputs.len(),
                total as f64 / 1_048_576.0,
                report.seconds
            ));
            for (p, n) in report.outputs.iter().filter(|_| printer.verbose) {
                eprintln!("  {} ({:.1} KB)", p.display(), *n as f64 / 1024.0);
            }
            Ok(report)
        }
        Err(diags) => {
            printer.diagnostics(&diags);
            let n = diags.iter().filter(|d| d.is_error()).count();
            printer.status(&format!("handout: {n} error(s); no output was changed"));
            Err(())
        }
    }
}

fn publish(opts: &handout::Options, printer: &mut Printer) -> ExitCode {
    // Ctrl-C or SIGTERM: the temporary files go (after any renaming under way), the
    // previous outputs stay.
    let quiet = printer.quiet;
    let _ = ctrlc::set_handler(move || {
        handout::publish::remove_temporaries();
        if !quiet {
            eprintln!("handout: interrupted; no output was changed");
        }
        std::process::exit(130);
    });
    match build(opts, printer) {
        Ok(_) => ExitCode::SUCCESS,
        Err(()) => ExitCode::FAILURE,
    }
}

fn check(book: &BookArgs, printer: &mut Printer) -> ExitCode {
    let report = handout::check::check(&book.manuscript(), &book.fonts());
    printer.diagnostics(&report.diagnostics);
    // The reading levels are the command's result: stdout.
    if !report.readability.is_empty() && !printer.quiet {
        println!("{}", report.readability_table());
    }
    if !printer.quiet {
        for line in &report.sites {
            println!("{line}");
        }
    }
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = report.diagnostics.len() - errors;
    printer.status(&format!(
        "handout check: {errors} error(s), {warnings} warning(s)"
    ));
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
