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
        match self.format {
            Format::Short => short(d),
            Format::Json => json(d),
            Format::Human { color } => {
                let line = self.source_line(d);
                human(d, line.as_deref(), color)
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
            .or_insert_with(|| std::fs::read_to_string(&d.file).ok());
        text.as_deref()?
            .lines()
            .nth(d.line - 1)
            .map(|l| l.replace('\t', "    "))
    }
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

fn human(d: &Diagnostic, line: Option<&str>, color: bool) -> String {
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
            let mut out = format!("{title}\n  --> {file}\n");
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
        let out = human(&d, Some("  x:  titel"), false);
        assert!(out.starts_with("error: unknown key `titel`\n"), "{out}");
        assert!(out.contains("--> book.yaml:2:7"), "{out}");
        assert!(out.contains("2 |   x:  titel"), "{out}");
        assert!(out.contains("  |       ^^^^^"), "{out}");
        assert!(out.contains("= help: did you mean `title`?"), "{out}");
        let whole = human(
            &Diagnostic::error("book.yaml", 0, 0, "unreadable"),
            None,
            false,
        );
        assert_eq!(whole, "error: unreadable\n  --> book.yaml\n");
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
