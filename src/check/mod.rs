//! `handout check`: everything publish validates, plus the warnings an editor wants before a
//! clinic prints: reading level, review status, characters no bundled font can print.
//! (Alt text, heading levels and links are reported by the Markdown reader.)

pub mod characters;

use crate::diag::Diagnostic;
use crate::locale::{readability, Locale};
use crate::model::*;
use std::path::{Path, PathBuf};

/// How readable an article is, by the formula made for its language (if there is one).
pub struct Readability {
    pub file: PathBuf,
    pub lang: String,
    /// The formula and the article's score by it; `None`: no formula for the language.
    pub score: Option<(readability::Formula, f32)>,
    pub words: usize,
    /// The book's limit, a US school grade.
    pub limit: f32,
}

pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    pub readability: Vec<Readability>,
    /// What each site's edition adds to the book and replaces in it, a line per site.
    pub sites: Vec<String>,
}

impl CheckReport {
    /// The reading levels as a small table: each article's score by its language's formula,
    /// named.
    pub fn readability_table(&self) -> String {
        let width = self
            .readability
            .iter()
            .map(|g| g.file.display().to_string().len())
            .max()
            .unwrap_or(7)
            .max(7);
        let mut out = format!("{:<width$}  score  words  measure\n", "article");
        for g in &self.readability {
            match &g.score {
                Some((f, score)) => {
                    let flag = if f.harder_than(*score, g.limit) {
                        "  (harder than the limit)"
                    } else {
                        ""
                    };
                    out.push_str(&format!(
                        "{:<width$}  {:>5.1}  {:>5}  {}{flag}\n",
                        g.file.display(),
                        score,
                        g.words,
                        f.name
                    ));
                }
                // No running text (code or tables only) is no reason to blame the language.
                None if g.words == 0 => out.push_str(&format!(
                    "{:<width$}      -  {:>5}  no running text to measure\n",
                    g.file.display(),
                    g.words,
                )),
                None => out.push_str(&format!(
                    "{:<width$}      -  {:>5}  no measure for this language ({})\n",
                    g.file.display(),
                    g.words,
                    g.lang
                )),
            }
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

/// Where the book's settings are written: book.yaml, mdBook's book.toml, or (a plain folder)
/// the folder itself.
fn settings_file(manuscript: &Path) -> std::path::PathBuf {
    ["book.yaml", "book.toml"]
        .iter()
        .map(|f| manuscript.join(f))
        .find(|p| p.is_file())
        .unwrap_or_else(|| manuscript.to_path_buf())
}

pub fn check(manuscript: &Path, fonts_dir: &Path) -> CheckReport {
    let loaded = match crate::read::load(manuscript) {
        Ok(l) => l,
        Err(diagnostics) => {
            return CheckReport {
                diagnostics,
                readability: Vec::new(),
                sites: Vec::new(),
            }
        }
    };
    let book = loaded.book;
    let mut diags = loaded.warnings;
    match crate::fonts::load(fonts_dir) {
        Ok(fonts) => diags.extend(characters::uncovered(&book, manuscript, &fonts)),
        Err(d) => diags.push(d),
    }
    diags.extend(locale_warnings(&book, manuscript));
    if !book.meta.date_given {
        diags.push(Diagnostic::warning(
            &settings_file(manuscript),
            1,
            1,
            "the book gives no `date:`: the EPUB then has no publication date, its required modification date is the day its newest file was changed (or `SOURCE_DATE_EPOCH`), and no edition date is printed; add `date: YYYY-MM-DD` (in book.toml: `date = \"YYYY-MM-DD\"` under `[output.handout]`)",
        ));
    }
    let mut rows = Vec::new();
    for article in book.articles.iter().filter(|a| !a.appendix) {
        let file = manuscript.join(&article.source);
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let row = readability_of(article, book.meta.reading_level);
        if let Some((f, score)) = &row.score {
            if f.harder_than(*score, row.limit) {
                diags.push(Diagnostic::warning(
                    &file,
                    1,
                    1,
                    format!(
                        "reads harder than the book's limit of grade {}: {} {score:.1} (shorter sentences and words help)",
                        row.limit, f.name
                    ),
                ));
            }
        }
        rows.push(row);
        if book.shows_review(article) {
            diags.extend(review_warnings(article, &book.meta, &file, &text));
        }
    }
    diags.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    let sites = loaded
        .sites
        .iter()
        .map(|s| site_summary(&book, s))
        .collect();
    CheckReport {
        diagnostics: diags,
        readability: rows,
        sites,
    }
}

/// One site's changes to the book: the resources it adds and those it replaces, each with
/// the number of handouts whose help lists show it.
fn site_summary(book: &Book, site: &Book) -> String {
    let Some(s) = &site.meta.site else {
        return String::new();
    };
    let (mut added, mut replaced) = (Vec::new(), Vec::new());
    for r in &site.resources {
        let shown = format!(
            "{} ({} handout(s))",
            r.id,
            r.cited_by
                .iter()
                .filter(|&&a| !site.articles[a].appendix)
                .count()
        );
        match book.resources.iter().find(|b| b.id == r.id) {
            None => added.push(shown),
            Some(b)
                if b.name != r.name
                    || b.phone != r.phone
                    || b.url != r.url
                    || b.description != r.description =>
            {
                replaced.push(shown)
            }
            Some(_) => {}
        }
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "nothing".to_string()
        } else {
            v.join(", ")
        }
    };
    format!(
        "site {} ({}): adds {}; replaces {}",
        s.id,
        s.name,
        list(&added),
        list(&replaced)
    )
}

/// An article's score by its language's formula.
fn readability_of(article: &Article, limit: f32) -> Readability {
    let running_text = prose(article);
    let formula = Locale::of(&article.lang).readability();
    Readability {
        file: article.source.clone(),
        lang: article.lang.clone(),
        score: formula.and_then(|f| f.score(&running_text).map(|s| (f, s))),
        words: readability::counts_in(&running_text, &article.lang).words,
        limit,
    }
}

/// Review status, at the `reviewed:` line when there is one.
fn review_warnings(article: &Article, meta: &BookMeta, file: &Path, text: &str) -> Vec<Diagnostic> {
    let reviewed_at = text
        .lines()
        .position(|l| l.trim_start().starts_with("reviewed:"))
        .map(|i| i + 1)
        .unwrap_or(1);
    match &article.reviewed {
        None => vec![Diagnostic::warning(
            file,
            1,
            1,
            "not clinically reviewed: its pages are marked DRAFT, and `publish --final` refuses it",
        )],
        Some(r) => r
            .next
            .filter(|n| *n < meta.date)
            .map(|next| {
                Diagnostic::warning(
                    file,
                    reviewed_at,
                    1,
                    format!(
                        "review overdue: the next review was due on {next}, before the edition date {}",
                        meta.date
                    ),
                )
            })
            .into_iter()
            .collect(),
    }
}

/// A language whose words the tool lacks (all of them, or some) prints those in English: said
/// once per language, where the language is set.
fn locale_warnings(book: &Book, manuscript: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let book_file = manuscript.join("book.yaml");
    let places = std::iter::once((book.meta.language.clone(), book_file, "language:")).chain(
        book.articles
            .iter()
            .filter(|a| !a.appendix)
            .map(|a| (a.lang.clone(), manuscript.join(&a.source), "lang:")),
    );
    for (lang, file, key) in places {
        let locale = Locale::of(&lang);
        let missing = locale.missing();
        if missing.is_empty() || !seen.insert(lang.to_ascii_lowercase()) {
            continue;
        }
        let line = std::fs::read_to_string(&file)
            .ok()
            .and_then(|t| t.lines().position(|l| l.trim_start().starts_with(key)))
            .map_or(1, |i| i + 1);
        let message = if locale.has_table() {
            format!(
                "the `{lang}` words lack {}: those print in English",
                missing.join(", ")
            )
        } else {
            format!(
                "the tool has no words in `{lang}`: its page numbers, callout labels, help lists and DRAFT line print in English; add src/locale/strings/{}.yaml",
                locale.language()
            )
        };
        out.push(Diagnostic::warning(&file, line, 1, message));
    }
    out
}
