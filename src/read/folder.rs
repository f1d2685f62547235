//! A plain folder of Markdown, as it is: its `.md` files in name order (those directly in the
//! folder, else every one below it), titled by the first file's first `# ` heading or the
//! folder's name.

use super::source::{Entry, Outline, Place, Settings, Source};
use crate::diag::Diagnostic;
use std::path::{Path, PathBuf};

pub struct FolderSource<'a> {
    pub root: &'a Path,
}

/// Folders a book's Markdown is never in (outputs, dependencies, tools' own).
const SKIPPED: &[&str] = &["output", "target", "node_modules", "book"];

fn markdown_below(root: &Path, rel: &Path, recurse: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = e.file_type() else { continue };
        let path = rel.join(&name);
        if kind.is_file() && name.to_ascii_lowercase().ends_with(".md") {
            out.push(path);
        } else if kind.is_dir() && recurse && !SKIPPED.contains(&name.as_str()) {
            markdown_below(root, &path, true, out);
        }
    }
}

impl Source for FolderSource<'_> {
    fn outline(&self) -> Result<Outline, Vec<Diagnostic>> {
        let mut files = Vec::new();
        markdown_below(self.root, Path::new(""), false, &mut files);
        if files.is_empty() {
            markdown_below(self.root, Path::new(""), true, &mut files);
        }
        if files.is_empty() {
            return Err(vec![Diagnostic::error(
                self.root,
                0,
                0,
                "not a manuscript: no book.yaml, no book.toml with src/SUMMARY.md, and no Markdown files",
            )]);
        }
        let folder_name = self
            .root
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or_else(|| "Book".into());
        let title = std::fs::read_to_string(self.root.join(&files[0]))
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("# ").map(|h| h.trim().to_string()))
            })
            .filter(|t| !t.is_empty())
            .unwrap_or(folder_name);
        let entries = files
            .into_iter()
            .map(|path| Entry {
                listed: Place {
                    file: self.root.join(&path),
                    line: 0,
                    col: 0,
                },
                path,
                depth: 0,
                title: None,
            })
            .collect();
        let resources = Some((PathBuf::from("resources.yaml"), None))
            .filter(|(p, _)| self.root.join(p).is_file());
        Ok(Outline {
            settings: Settings {
                title,
                ..Settings::default()
            },
            entries,
            parts: Vec::new(),
            resources,
            diagnostics: Vec::new(),
        })
    }
}
