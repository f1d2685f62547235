//! `handout init [DIR]`: a small manuscript that publishes as it is, its comments teaching the
//! format. Nothing that exists is overwritten: if any of its files is there, nothing is written.

use super::Printer;
use handout::diag::Diagnostic;
use std::path::Path;
use std::process::ExitCode;

const FILES: &[(&str, &str)] = &[
    ("book.yaml", include_str!("template/book.yaml")),
    ("resources.yaml", include_str!("template/resources.yaml")),
    (
        "articles/welcome.md",
        include_str!("template/articles/welcome.md"),
    ),
];

pub fn run(dir: &Path, printer: &mut Printer) -> ExitCode {
    let existing: Vec<Diagnostic> = FILES
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|p| p.exists())
        .map(|p| {
            Diagnostic::error(
                &p,
                0,
                0,
                "already exists; init writes nothing over a manuscript",
            )
            .with_help("choose an empty folder: handout init my-book")
        })
        .collect();
    if !existing.is_empty() {
        printer.diagnostics(&existing);
        return ExitCode::FAILURE;
    }
    for (name, text) in FILES {
        let path = dir.join(name);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&path, text));
        if let Err(e) = written {
            let d = Diagnostic::error(
                &path,
                0,
                0,
                format!("cannot write: {}", handout::diag::io_words(&e)),
            );
            printer.diagnostics(&[d]);
            return ExitCode::FAILURE;
        }
    }
    let shown = if dir == Path::new(".") {
        String::new()
    } else {
        format!(" {}", dir.display())
    };
    printer.status(&format!(
        "created a manuscript in {}: book.yaml, resources.yaml, articles/welcome.md\nnext: cd{shown} && handout publish   (or handout watch to rebuild on every save)",
        dir.display()
    ));
    ExitCode::SUCCESS
}
