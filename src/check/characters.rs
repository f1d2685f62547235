//! Characters no bundled font can draw, found in the manuscript's own files so each warning
//! names the line where the character first occurs. `publish` reports them too: such a
//! character prints as the replacement character �.

use crate::diag::{Diagnostic, LineIndex};
use crate::fonts::FontSet;
use crate::model::Book;
use std::collections::HashMap;
use std::path::Path;

/// A warning for every character of every article that no face covers (each character once
/// per article, at its first place, with how often it occurs).
pub fn uncovered(book: &Book, manuscript: &Path, fonts: &FontSet) -> Vec<Diagnostic> {
    let faces: Vec<ttf_parser::Face> = fonts
        .files
        .iter()
        .filter_map(|f| ttf_parser::Face::parse(f.data, 0).ok())
        .collect();
    if faces.is_empty() {
        return Vec::new();
    }
    let mut known: HashMap<char, bool> = HashMap::new();
    let mut out = Vec::new();
    for article in book.articles.iter().filter(|a| !a.appendix) {
        let file = manuscript.join(&article.source);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        // Character → (first offset, occurrences), for those no face has.
        let mut missing: Vec<(char, usize, usize)> = Vec::new();
        let mut at: HashMap<char, usize> = HashMap::new();
        for (offset, ch) in text.char_indices() {
            if ch.is_whitespace()
                || ch.is_control()
                || matches!(ch, '\u{feff}' | '\u{200d}' | '\u{fe0f}')
            {
                continue;
            }
            let covered = *known.entry(ch).or_insert_with(|| {
                faces
                    .iter()
                    .any(|f| f.glyph_index(ch).is_some_and(|g| g.0 != 0))
            });
            if covered {
                continue;
            }
            match at.get(&ch) {
                Some(&i) => missing[i].2 += 1,
                None => {
                    at.insert(ch, missing.len());
                    missing.push((ch, offset, 1));
                }
            }
        }
        let lines = LineIndex::new(&text);
        for (ch, offset, count) in missing {
            let (l, col) = lines.line_col(offset);
            let times = if count > 1 {
                format!(" ({count} times)")
            } else {
                String::new()
            };
            out.push(Diagnostic::warning(
                &file,
                l,
                col,
                format!(
                    "no bundled font has the character {ch:?} (U+{:04X}){times}; it prints as the replacement character \u{fffd}",
                    ch as u32
                ),
            ));
        }
    }
    out
}
