//! The command line: parse arguments, call the library, print diagnostics.

use clap::{Parser, Subcommand};
use handout::diag::Diagnostic;
use std::path::PathBuf;
use std::process::ExitCode;

// Layout allocates many small, short-lived vectors; mimalloc serves them much faster than the
// system allocator (measured: the corpus PDF spent a third of its time in malloc and free).
// Built without transparent huge pages: with them every first touch of an arena faulted in
// 2 MB, which put the corpus build's peak memory at 146 MB instead of 93 MB.
// (Build with `--no-default-features` to profile memory with heaptrack or valgrind.)
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "handout",
    version,
    about = "Compile Markdown articles into print-ready PDF handouts and an EPUB 3 book"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the book PDF, the EPUB, one handout per article and the large-print editions.
    Publish {
        /// The manuscript folder (holds book.yaml and the articles).
        #[arg(long, default_value = "manuscript")]
        manuscript: PathBuf,
        /// Where the outputs are written (created if missing).
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// The folder with the bundled fonts [default: ./fonts, else the one built in]
        #[arg(long)]
        fonts: Option<PathBuf>,
        /// Build only these outputs (comma-separated): pdf (the book), epub, handouts (one PDF
        /// per article), large-print (the book and the handouts in large print).
        #[arg(long, value_delimiter = ',', value_parser = renderer_names())]
        only: Vec<String>,
        /// A final edition: refuse to publish while any article is unreviewed or overdue for
        /// review.
        #[arg(long = "final")]
        final_edition: bool,
    },
    /// Check the manuscript without writing anything: everything publish checks, plus
    /// reading level, alt text, heading levels, characters no font covers and review status.
    Check {
        /// The manuscript folder.
        #[arg(long, default_value = "manuscript")]
        manuscript: PathBuf,
        /// The folder with the bundled fonts [default: ./fonts, else the one built in]
        #[arg(long)]
        fonts: Option<PathBuf>,
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

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}");
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Publish {
            manuscript,
            out,
            fonts,
            only,
            final_edition,
        } => {
            let opts = handout::Options {
                manuscript,
                out,
                fonts: fonts.unwrap_or_else(handout::default_fonts_dir),
                only,
                final_edition,
            };
            match handout::publish(&opts, &mut |line| eprintln!("handout: {line}")) {
                Ok(report) => {
                    print_diagnostics(&report.warnings);
                    let total: u64 = report.outputs.iter().map(|(_, n)| n).sum();
                    println!(
                        "published {} article(s): {} file(s), {:.1} MB, book PDF {} pages, in {:.2} s",
                        report.articles,
                        report.outputs.len(),
                        total as f64 / 1_048_576.0,
                        report.pdf_pages,
                        report.seconds
                    );
                    for (p, n) in &report.outputs {
                        println!("  {} ({:.1} KB)", p.display(), *n as f64 / 1024.0);
                    }
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    print_diagnostics(&diags);
                    let n = diags.iter().filter(|d| d.is_error()).count();
                    eprintln!("handout: {n} error(s); no output was changed");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check { manuscript, fonts } => {
            let fonts = fonts.unwrap_or_else(handout::default_fonts_dir);
            let report = handout::check::check(&manuscript, &fonts);
            for d in &report.diagnostics {
                println!("{d}");
            }
            if !report.readability.is_empty() {
                println!("{}", report.readability_table());
            }
            let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = report.diagnostics.len() - errors;
            println!("handout check: {errors} error(s), {warnings} warning(s)");
            if errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}
