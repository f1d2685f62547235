//! `handout check`: everything publish validates, plus the warnings an editor wants before a
//! clinic prints: reading level, review status, characters no bundled font can print.
//! (Alt text, heading levels and links are reported by the Markdown reader.)

use crate::diag::{Diagnostic, LineIndex};
use crate::locale::{readability, Locale};
use crate::model::*;
use std::path::{Path, PathBuf};

pub struct Grade {
    pub file: PathBuf,
    pub grade: f32,
    pub words: usize,
    pub limit: f32,
}

pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    pub grades: Vec<Grade>,
}

impl CheckReport {
    /// The reading levels as a small table.
    pub fn grade_table(&self) -> String {
        let width = self
            .grades
            .iter()
            .map(|g| g.file.display().to_string().len())
            .max()
            .unwrap_or(7)
            .max(7);
        let mut out = format!("{:<width$}  grade  words\n", "article");
        for g in &self.grades {
            let flag = if g.grade > g.limit {
                "  above the limit"
            } else {
                ""
            };
            out.push_str(&format!(
                "{:<width$}  {:>5.1}  {:>5}{flag}\n",
                g.file.display(),
                g.grade,
                g.words
            ));
        }
        out.trim_end().to_string()
    }
}

/// The running text of an article for readability: paragraphs, list items, quotes and
/// callouts; not headings, code, tables or notes.
pub fn prose(article: &Article) -> String {
    let mut out = String::new();
    walk_blocks(&article.blocks, &mut |b| {
        if let Block::Paragraph(inl) = b {
            let t = plain_text(inl);
            out.push_str(t.trim());
            // A paragraph or item without final punctuation still ends a sentence.
            if !t.trim_end().ends_with(['.', '!', '?', ':']) {
                out.push('.');
            }
            out.push(' ');
        }
    });
    out
}

pub fn check(manuscript: &Path, fonts_dir: &Path) -> CheckReport {
    let loaded = match crate::read::load(manuscript) {
        Ok(l) => l,
        Err(diagnostics) => {
            return CheckReport {
                diagnostics,
                grades: Vec::new(),
            }
        }
    };
    let book = loaded.book;
    let mut diags = loaded.warnings;
    let mut grades = Vec::new();
    let fonts = crate::fonts::load(fonts_dir);
    if let Err(d) = &fonts {
        diags.push(d.clone());
    }
    let faces: Vec<ttf_parser::Face> = fonts
        .as_ref()
        .map(|f| {
            f.files
                .iter()
                .filter_map(|file| ttf_parser::Face::parse(file.data, 0).ok())
                .collect()
        })
        .unwrap_or_default();

    for article in book.articles.iter().filter(|a| !a.appendix) {
        let file = manuscript.join(&article.source);
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let lines = LineIndex::new(&text);

        let running_text = prose(article);
        let c = readability::counts(&running_text);
        let formula = Locale::of(&article.lang).readability();
        if let Some(grade) = formula.and_then(|f| (f.grade)(&running_text)) {
            if grade > book.meta.reading_level {
                diags.push(Diagnostic::warning(
                    &file,
                    1,
                    1,
                    format!(
                        "reading level is grade {grade:.1}, above the book's limit of {} (shorter sentences and words help)",
                        book.meta.reading_level
                    ),
                ));
            }
            grades.push(Grade {
                file: article.source.clone(),
                grade,
                words: c.words,
                limit: book.meta.reading_level,
            });
        }

        // Review status, at the `reviewed:` line when there is one.
        let reviewed_at = text
            .lines()
            .position(|l| l.trim_start().starts_with("reviewed:"))
            .map(|i| i + 1)
            .unwrap_or(1);
        match &article.reviewed {
            None => diags.push(Diagnostic::warning(&file, 1, 1, "not clinically reviewed: its pages are marked DRAFT, and `publish --final` refuses it")),
            Some(r) => {
                if let Some(next) = r.next.filter(|n| *n < book.meta.date) {
                    diags.push(Diagnostic::warning(&file, reviewed_at, 1, format!("review overdue: the next review was due on {next}, before the edition date {}", book.meta.date)));
                }
            }
        }

        // Characters that no bundled face can draw, with where they first occur.
        if !faces.is_empty() {
            // (character, first offset, occurrences, covered by some face)
            let mut seen: Vec<(char, usize, usize, bool)> = Vec::new();
            for (offset, ch) in text.char_indices() {
                if ch.is_whitespace()
                    || ch.is_control()
                    || ch == '\u{feff}'
                    || ch == '\u{200d}'
                    || ch == '\u{fe0f}'
                {
                    continue;
                }
                match seen.iter_mut().find(|e| e.0 == ch) {
                    Some(e) => e.2 += 1,
                    None => seen.push((
                        ch,
                        offset,
                        1,
                        faces.iter().any(|f| f.glyph_index(ch).is_some()),
                    )),
                }
            }
            let seen: Vec<(char, usize, usize)> = seen
                .into_iter()
                .filter(|e| !e.3)
                .map(|e| (e.0, e.1, e.2))
                .collect();
            for (ch, offset, count) in seen.into_iter().filter(|(_, _, n)| *n > 0) {
                let (l, col) = lines.line_col(offset);
                let times = if count > 1 {
                    format!(" ({count} times)")
                } else {
                    String::new()
                };
                diags.push(Diagnostic::warning(&file, l, col, format!("no bundled font has the character {ch:?} (U+{:04X}){times}; it will print as a blank box", ch as u32)));
            }
        }
    }
    diags.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    CheckReport {
        diagnostics: diags,
        grades,
    }
}
