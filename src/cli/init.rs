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
    let refused = refusals(dir);
    if !refused.is_empty() {
        printer.diagnostics(&refused);
        return ExitCode::FAILURE;
    }
    if let Err(d) = write_all(dir) {
        printer.diagnostics(&[d]);
        return ExitCode::FAILURE;
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

/// Why init may not write here: any of its files, or anything in their place (a link, even a
/// dangling one, which a write would follow out of the folder), an `articles` that is not a
/// plain folder, or an mdBook's book.toml (a book.yaml beside it would hide the mdBook).
fn refusals(dir: &Path) -> Vec<Diagnostic> {
    let taken = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    let mut out: Vec<Diagnostic> = FILES
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|p| taken(p))
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
    let articles = dir.join("articles");
    if let Ok(meta) = std::fs::symlink_metadata(&articles) {
        if !meta.is_dir() {
            out.push(
                Diagnostic::error(
                    &articles,
                    0,
                    0,
                    "is not a plain folder (a file or a link); init writes its articles there",
                )
                .with_help("choose an empty folder: handout init my-book"),
            );
        }
    }
    if taken(&dir.join("book.toml")) {
        out.push(
            Diagnostic::error(
                dir.join("book.toml"),
                0,
                0,
                "an mdBook is here: handout publishes it as it is (`handout publish`), and a book.yaml beside it would be read instead",
            )
            .with_help("to start a handout manuscript, choose an empty folder: handout init my-book"),
        );
    }
    out
}

/// Writes every file, or none: each through a temporary name, and what was written is removed
/// again if one fails.
fn write_all(dir: &Path) -> Result<(), Diagnostic> {
    let articles = dir.join("articles");
    let made_articles = !articles.exists();
    let mut written: Vec<std::path::PathBuf> = Vec::new();
    let mut result = Ok(());
    for (name, text) in FILES {
        let path = dir.join(name);
        let tmp = path.with_extension("handout-init.tmp");
        let step = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&tmp, text))
            .and_then(|_| std::fs::rename(&tmp, &path));
        if let Err(e) = step {
            let _ = std::fs::remove_file(&tmp);
            result = Err(Diagnostic::error(
                &path,
                0,
                0,
                format!(
                    "cannot write: {}; nothing was left behind",
                    handout::diag::io_words(&e)
                ),
            ));
            break;
        }
        written.push(path);
    }
    if result.is_err() {
        for p in &written {
            let _ = std::fs::remove_file(p);
        }
        if made_articles {
            let _ = std::fs::remove_dir(&articles);
        }
    }
    result
}
