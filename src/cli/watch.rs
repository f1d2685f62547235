//! `handout watch [DIR]`: build, then rebuild after every saved change until Ctrl-C. An edit to
//! one article rebuilds the book-wide outputs and that article's handouts only (the others'
//! are unchanged by it); any other change rebuilds everything. A broken edit prints its
//! diagnostics and leaves the previous outputs and the watcher as they were.

use super::{build, Printer};
use handout::diag::Diagnostic;
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Editors save in bursts (a temporary file, a rename, a metadata change): changes this close
/// together are one edit.
const SETTLE: Duration = Duration::from_millis(80);

pub fn run(opts: handout::Options, printer: &mut Printer) -> ExitCode {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    if ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).is_err() {
        printer.progress("Ctrl-C handler not installed; the default one ends the watch");
    }
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    });
    let mut watcher = match watcher {
        Ok(w) => w,
        Err(e) => return cannot_watch(&opts.manuscript, &e, printer),
    };
    if let Err(e) = watcher.watch(&opts.manuscript, RecursiveMode::Recursive) {
        return cannot_watch(&opts.manuscript, &e, printer);
    }
    let _ = build(&opts, printer);
    printer.status(&format!(
        "watching {} for changes (Ctrl-C to stop)",
        opts.manuscript.display()
    ));
    let root = opts
        .manuscript
        .canonicalize()
        .unwrap_or(opts.manuscript.clone());
    let out = absolute(&opts.out);
    while !stop.load(Ordering::SeqCst) {
        let Ok(first) = rx.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let mut changed = paths_of(first);
        while let Ok(more) = rx.recv_timeout(SETTLE) {
            changed.extend(paths_of(more));
        }
        // Outputs written into the book folder's own output/ are not edits.
        changed.retain(|p| !p.starts_with(&out) && !is_hidden_or_temporary(p));
        changed.sort();
        changed.dedup();
        if changed.is_empty() {
            continue;
        }
        let relative: Vec<PathBuf> = changed
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap_or(p).to_path_buf())
            .collect();
        let articles_only = relative
            .iter()
            .all(|p| p.extension().is_some_and(|x| x == "md") && !p.ends_with("SUMMARY.md"));
        let shown: Vec<String> = relative.iter().map(|p| p.display().to_string()).collect();
        printer.status(&format!("changed: {}", shown.join(", ")));
        let mut this = opts.clone();
        this.handouts_of = articles_only.then_some(relative);
        let _ = build(&this, printer);
    }
    printer.status("stopped watching");
    ExitCode::SUCCESS
}

fn paths_of(event: notify::Result<notify::Event>) -> Vec<PathBuf> {
    match event {
        Ok(e) if !matches!(e.kind, notify::EventKind::Access(_)) => e.paths,
        _ => Vec::new(),
    }
}

/// Editors' swap and backup files (`.x.swp`, `x~`, `#x#`, `4913`) are not the manuscript.
fn is_hidden_or_temporary(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.') || name.ends_with('~') || name.starts_with('#') || name == "4913"
}

/// The output folder's full path, whether or not it exists yet.
fn absolute(p: &Path) -> PathBuf {
    if let Ok(full) = p.canonicalize() {
        return full;
    }
    let parent = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (parent.canonicalize(), p.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => p.to_path_buf(),
    }
}

fn cannot_watch(dir: &Path, e: &notify::Error, printer: &mut Printer) -> ExitCode {
    let words = match &e.kind {
        notify::ErrorKind::Io(io) => handout::diag::io_words(io),
        notify::ErrorKind::PathNotFound => "no such folder".into(),
        notify::ErrorKind::MaxFilesWatch => {
            "the system's limit on watched files is reached (fs.inotify.max_user_watches)".into()
        }
        _ => "the folder cannot be watched".into(),
    };
    printer.diagnostics(&[Diagnostic::error(
        dir,
        0,
        0,
        format!("cannot watch: {words}"),
    )]);
    ExitCode::FAILURE
}
