//! Diagnostics: every problem the tool reports names a file and, where it has one, a line and
//! a column; `report` prints them as rustc does (source line, caret, help) or as JSON.

pub mod report;

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something worth knowing that is not a problem.
    Note,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based; 0 when unknown.
    pub col: usize,
    pub message: String,
    /// What kind of problem, for the ones a final edition treats as errors
    /// (`missing-include`, `missing-anchor`).
    pub code: Option<&'static str>,
    /// How to fix it, when the tool can say (a did-you-mean, the allowed values).
    pub help: Option<String>,
    /// How many characters from `col` the problem covers (0: just the one at `col`).
    pub len: usize,
}

impl Diagnostic {
    pub fn error(
        file: impl AsRef<Path>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            file: file.as_ref().to_path_buf(),
            line,
            col,
            message: message.into(),
            code: None,
            help: None,
            len: 0,
        }
    }

    pub fn warning(
        file: impl AsRef<Path>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, line, col, message)
        }
    }

    pub fn note(
        file: impl AsRef<Path>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Note,
            ..Self::error(file, line, col, message)
        }
    }

    /// The same diagnostic, of a kind a final edition refuses.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// The same diagnostic with a line saying how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same diagnostic covering `len` characters from its column.
    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        // A problem with the whole file names just the file (no invented `:1:1`).
        match (self.line, self.col) {
            (0, _) => write!(f, "{}: {kind}: {}", self.file.display(), self.message)?,
            (line, col) => write!(
                f,
                "{}:{line}:{}: {kind}: {}",
                self.file.display(),
                col.max(1),
                self.message
            )?,
        }
        Ok(())
    }
}

/// An input/output error in the project's words: what happened, never an OS error number.
pub fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file".into(),
        K::PermissionDenied => "permission denied".into(),
        K::AlreadyExists => "it already exists".into(),
        K::IsADirectory => "it is a folder, not a file".into(),
        K::NotADirectory => "a part of the path is a file, not a folder".into(),
        K::StorageFull => "the disk is full".into(),
        K::ReadOnlyFilesystem => "the disk is read-only".into(),
        K::InvalidData => "it is not UTF-8 text".into(),
        // The kind's own description carries no OS code ("entity not found", ...).
        kind => kind.to_string(),
    }
}

/// The known name closest to `name`, when it is close enough to be a slip of the keyboard
/// (at most two edits, and fewer than the name's length).
pub fn did_you_mean<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), *k))
        .filter(|(d, k)| *d <= 2 && *d < k.len() && *d < name.len().max(2))
        .min()
        .map(|(_, k)| k)
}

/// Maps byte offsets in a source text to 1-based line and column (columns count characters).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_lines_and_characters() {
        let idx = LineIndex::new("ab\ncé d\n\nx");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        // 'd' sits after "cé " — three characters, four bytes
        assert_eq!(idx.line_col(7), (2, 4));
        assert_eq!(idx.line_col(9), (3, 1));
        assert_eq!(idx.line_col(10), (4, 1));
    }

    #[test]
    fn display_is_file_line_col() {
        let d = Diagnostic::error("m/book.yaml", 3, 7, "bad");
        assert_eq!(d.to_string(), "m/book.yaml:3:7: error: bad");
        let whole = Diagnostic::error("m/book.yaml", 0, 0, "unreadable");
        assert_eq!(whole.to_string(), "m/book.yaml: error: unreadable");
    }
}
