//! Printing diagnostics: as rustc and Typst do (a header, the source line, a caret under the
//! problem, a help line), in one line each (`short`, for editors and scripts), or as one JSON
//! object per line. Source lines are read back from the files the diagnostics name.

use super::{Diagnostic, Severity};
use annotate_snippets::{Level, Renderer, Snippet};
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The source line with a caret; in colour when `color`.
    Human { color: bool },
    /// `file:line:col: severity: message`, one line (and its help on the next).
    Short,
    /// One JSON object per line: file, line, column, end, severity, message, help.
    Json,
}

/// Prints diagnostics in one format, reading each source file once.
pub struct Reporter {
    format: Format,
    sources: HashMap<PathBuf, Option<String>>,
}

impl Reporter {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            sources: HashMap::new(),
        }
    }

    /// The diagnostic as text, ending in a newline.
    pub fn render(&mut self, d: &Diagnostic) -> String {
        self.render_with_repeats(d, &[])
    }

    /// All the diagnostics as text. For people (the human format), a warning that repeats
    /// word for word is shown once, with how many more there are, in how many files, and the
    /// first few places: Comprehensive Rust's 428 warnings, 324 of them one unread front
    /// matter key, read as 17. The short and JSON formats keep one line per problem, for
    /// editors and scripts.
    pub fn render_all(&mut self, diags: &[Diagnostic]) -> String {
        let mut out = String::new();
        if matches!(self.format, Format::Human { .. }) {
            for (first, more) in group_repeats(diags) {
                out.push_str(&self.render_with_repeats(first, &more));
            }
        } else {
            for d in diags {
                out.push_str(&self.render(d));
            }
        }
        out
    }

    fn render_with_repeats(&mut self, d: &Diagnostic, more: &[&Diagnostic]) -> String {
        match self.format {
            Format::Short => short(d),
            Format::Json => json(d),
            Format::Human { color } => {
                let line = self.source_line(d);
                human(d, line.as_deref(), color, repeats_note(d, more).as_deref())
            }
        }
    }

    fn source_line(&mut self, d: &Diagnostic) -> Option<String> {
        if d.line == 0 {
            return None;
        }
        let text = self
            .sources
            .entry(d.file.clone())
            // A file that is not UTF-8 is still shown (its bad bytes as �): its problem is
            // usually that very line.
            .or_insert_with(|| {
                std::fs::read(&d.file)
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            });
        text.as_deref()?
            .lines()
            .nth(d.line - 1)
            .map(|l| l.replace('\t', "    "))
    }
}

/// How many places shown by name after a repeated warning.
const PLACES_SHOWN: usize = 3;

/// Warnings (and notes) gathered by their exact text, in the order each first appears; errors
/// stay one by one, since each must be fixed where it is.
pub fn group_repeats(diags: &[Diagnostic]) -> Vec<(&Diagnostic, Vec<&Diagnostic>)> {
    let mut groups: Vec<(&Diagnostic, Vec<&Diagnostic>)> = Vec::new();
    let mut by_text: HashMap<(&str, Option<&str>, Severity), usize> = HashMap::new();
    for d in diags {
        if d.severity == Severity::Error {
            groups.push((d, Vec::new()));
            continue;
        }
        let key = (d.message.as_str(), d.help.as_deref(), d.severity);
        match by_text.get(&key) {
            Some(&g) => groups[g].1.push(d),
            None => {
                by_text.insert(key, groups.len());
                groups.push((d, Vec::new()));
            }
        }
    }
    groups
}

/// "and 323 more like it in 120 files: a.md:2:1, b.md:2:1, c.md:2:1, …" (the files of the
/// whole group, the first included).
fn repeats_note(first: &Diagnostic, more: &[&Diagnostic]) -> Option<String> {
    if more.is_empty() {
        return None;
    }
    let mut files: Vec<&std::path::Path> = std::iter::once(first)
        .chain(more.iter().copied())
        .map(|d| d.file.as_path())
        .collect();
    files.sort_unstable();
    files.dedup();
    let places: Vec<String> = more
        .iter()
        .take(PLACES_SHOWN)
        .map(|d| match (d.line, d.col) {
            (0, _) => d.file.display().to_string(),
            (l, 0) => format!("{}:{l}", d.file.display()),
            (l, c) => format!("{}:{l}:{c}", d.file.display()),
        })
        .collect();
    let files = match files.len() {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    Some(format!(
        "and {} more like it in {files}: {}{}",
        more.len(),
        places.join(", "),
        if more.len() > PLACES_SHOWN {
            ", …"
        } else {
            ""
        }
    ))
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Note => "note",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn short(d: &Diagnostic) -> String {
    match &d.help {
        Some(h) => format!("{d}\n  help: {h}\n"),
        None => format!("{d}\n"),
    }
}

fn json(d: &Diagnostic) -> String {
    let value = serde_json::json!({
        "file": d.file.display().to_string(),
        "line": d.line,
        "column": d.col,
        "end": if d.col == 0 { 0 } else { d.col + d.len.max(1) },
        "severity": severity_name(d.severity),
        "message": d.message,
        "help": d.help,
    });
    format!("{value}\n")
}

fn human(d: &Diagnostic, line: Option<&str>, color: bool, repeats: Option<&str>) -> String {
    let level = match d.severity {
        Severity::Note => Level::Note,
        Severity::Warning => Level::Warning,
        Severity::Error => Level::Error,
    };
    // With a snippet, annotate-snippets adds the line and column to the origin itself.
    let file = d.file.display().to_string();
    let mut message = level.title(&d.message);
    if let Some(h) = &d.help {
        message = message.footer(Level::Help.title(h));
    }
    if let Some(r) = repeats {
        message = message.footer(Level::Note.title(r));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let text = match line {
        Some(src) => {
            let span = char_span(src, d.col, d.len);
            let snippet = Snippet::source(src)
                .line_start(d.line)
                .origin(&file)
                .annotation(level.span(span));
            renderer.render(message.snippet(snippet)).to_string()
        }
        // No source to show (a whole-file problem, a file that is gone): the place alone.
        None => {
            let rendered = renderer.render(message).to_string();
            let mut lines = rendered.lines();
            let title = lines.next().unwrap_or_default().to_string();
            let rest: Vec<&str> = lines.collect();
            let place = if d.line > 0 {
                format!("{file}:{}:{}", d.line, d.col.max(1))
            } else {
                file.to_string()
            };
            let mut out = format!("{title}\n  --> {place}\n");
            for l in rest {
                out.push_str(l);
                out.push('\n');
            }
            return out;
        }
    };
    format!("{text}\n")
}

/// The byte range of `len` characters (at least one) from 1-based character column `col`.
fn char_span(src: &str, col: usize, len: usize) -> std::ops::Range<usize> {
    let byte_at = |n: usize| {
        src.char_indices()
            .nth(n)
            .map(|(i, _)| i)
            .unwrap_or(src.len())
    };
    let start = byte_at(col.saturating_sub(1));
    let end = byte_at(col.saturating_sub(1) + len.max(1)).max(start);
    if start == end && start == src.len() && !src.is_empty() {
        // A problem at the end of the line: the caret goes just past its last character.
        return src.len()..src.len();
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caret_sits_under_the_problem_and_help_follows() {
        let d = Diagnostic::error("book.yaml", 2, 7, "unknown key `titel`")
            .with_len(5)
            .with_help("did you mean `title`?");
        let out = human(&d, Some("  x:  titel"), false, None);
        assert!(out.starts_with("error: unknown key `titel`\n"), "{out}");
        assert!(out.contains("--> book.yaml:2:7"), "{out}");
        assert!(out.contains("2 |   x:  titel"), "{out}");
        assert!(out.contains("  |       ^^^^^"), "{out}");
        assert!(out.contains("= help: did you mean `title`?"), "{out}");
        let whole = human(
            &Diagnostic::error("book.yaml", 0, 0, "unreadable"),
            None,
            false,
            None,
        );
        assert_eq!(whole, "error: unreadable\n  --> book.yaml\n");
    }

    #[test]
    fn a_repeated_warning_is_shown_once_with_its_count_files_and_first_places() {
        let mut diags = vec![Diagnostic::error("a.md", 1, 1, "broken")];
        for (i, file) in ["a.md", "b.md", "b.md", "c.md", "d.md"].iter().enumerate() {
            diags.push(Diagnostic::warning(
                *file,
                i + 2,
                1,
                "key `minutes` is not read",
            ));
        }
        diags.push(Diagnostic::warning("a.md", 9, 1, "another"));
        diags.push(Diagnostic::error("e.md", 1, 1, "broken"));
        let groups = group_repeats(&diags);
        let shape: Vec<(&str, usize)> = groups
            .iter()
            .map(|(d, more)| (d.message.as_str(), more.len()))
            .collect();
        assert_eq!(
            shape,
            [
                ("broken", 0),
                ("key `minutes` is not read", 4),
                ("another", 0),
                ("broken", 0)
            ],
            "errors stay one by one; warnings gather under their first"
        );
        let mut human = Reporter::new(Format::Human { color: false });
        let text = human.render_all(&diags);
        assert_eq!(
            text.matches("key `minutes` is not read").count(),
            1,
            "{text}"
        );
        assert!(
            text.contains("and 4 more like it in 4 files: b.md:3:1, b.md:4:1, c.md:5:1, …"),
            "{text}"
        );
        let mut short = Reporter::new(Format::Short);
        assert_eq!(short.render_all(&diags).matches("is not read").count(), 5);
    }

    #[test]
    fn json_is_one_object_per_line() {
        let d = Diagnostic::warning("a.md", 3, 4, "say \"x\"").with_len(2);
        let j = json(&d);
        assert_eq!(j.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["line"], 3);
        assert_eq!(v["end"], 6);
        assert_eq!(v["severity"], "warning");
        assert_eq!(v["message"], "say \"x\"");
        assert!(v["help"].is_null());
    }
}
