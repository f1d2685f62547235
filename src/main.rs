//! The command line: parse arguments, call the library, print diagnostics.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "handout",
    version,
    about = "Compile Markdown articles into a print-ready PDF and an EPUB 3 book"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the PDF and the EPUB from a manuscript folder.
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
        /// Build only these outputs (comma-separated): pdf, epub.
        #[arg(long, value_delimiter = ',', value_parser = ["pdf", "epub"])]
        only: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Publish {
            manuscript,
            out,
            fonts,
            only,
        } => {
            let all = only.is_empty();
            let opts = handout::Options {
                manuscript,
                out,
                fonts: fonts.unwrap_or_else(handout::default_fonts_dir),
                pdf: all || only.iter().any(|o| o == "pdf"),
                epub: all || only.iter().any(|o| o == "epub"),
            };
            match handout::publish(&opts, &mut |line| eprintln!("handout: {line}")) {
                Ok(report) => {
                    for w in &report.warnings {
                        eprintln!("{w}");
                    }
                    let sizes: Vec<String> = report
                        .outputs
                        .iter()
                        .map(|(p, n)| format!("{} ({:.1} KB)", p.display(), *n as f64 / 1024.0))
                        .collect();
                    println!(
                        "published {} article(s), {} PDF pages in {:.2} s: {}",
                        report.articles,
                        report.pdf_pages,
                        report.seconds,
                        sizes.join(", ")
                    );
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    for d in &diags {
                        eprintln!("{d}");
                    }
                    let n = diags.iter().filter(|d| d.is_error()).count();
                    eprintln!("handout: {n} error(s); no output was changed");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
