//! The mdBook source: `book.toml` for the settings, `SUMMARY.md` for the chapters, read as
//! mdBook reads them: prefix chapters, numbered chapters nested by their list, part titles
//! (level-1 headings after the first), separators, suffix chapters; draft chapters (`[x]()`)
//! have no file and are left out.

use super::files::read_text;
use super::files::Outside;
use super::source::{Entry, Outline, Place, Settings, Source};
use crate::diag::{Diagnostic, LineIndex};
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct MdBookSource<'a> {
    pub root: &'a Path,
}

/// What handout reads of book.toml (the rest, mdBook's renderer settings, is not for it).
#[derive(Debug, Default, serde::Deserialize)]
struct BookToml {
    #[serde(default)]
    book: BookSection,
    #[serde(default)]
    output: Output,
}

#[derive(Debug, Default, serde::Deserialize)]
struct BookSection {
    title: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    description: Option<String>,
    language: Option<String>,
    src: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct Output {
    #[serde(default)]
    html: Html,
    /// handout's own table, as mdBook gives each renderer one: `[output.handout]`.
    #[serde(default)]
    handout: HandoutToml,
}

/// `[output.handout]`: the book.yaml settings an mdBook may want (kebab-case, as mdBook's).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
struct HandoutToml {
    paper: Option<super::config::PaperName>,
    page_breaks: Option<super::config::BreakName>,
    reading_level: Option<f32>,
    #[serde(default)]
    clinical_review: bool,
    publisher: Option<String>,
    /// The edition's date, `YYYY-MM-DD` (book.yaml's `date`).
    date: Option<super::config::YamlDate>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct Html {
    #[serde(default)]
    code: Code,
}

#[derive(Debug, Default, serde::Deserialize)]
struct Code {
    /// Per language, the prefix that hides a code line (`python = "~"`).
    #[serde(default)]
    hidelines: HashMap<String, String>,
}

impl Source for MdBookSource<'_> {
    fn outline(&self) -> Result<Outline, Vec<Diagnostic>> {
        let toml_path = self.root.join("book.toml");
        let text = read_text(&toml_path).map_err(|d| vec![d])?;
        let config: BookToml = toml::from_str(&text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| LineIndex::new(&text).line_col(s.start))
                .unwrap_or((0, 0));
            vec![Diagnostic::error(
                &toml_path,
                line,
                col,
                format!("book.toml: {}", e.message()),
            )]
        })?;
        let src = PathBuf::from(config.book.src.as_deref().unwrap_or("src"));
        let summary_rel = src.join("SUMMARY.md");
        let summary_path = self.root.join(&summary_rel);
        if let Err(outside @ (Outside::Climbs | Outside::Resolves)) =
            super::files::inside(self.root, &summary_rel)
        {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with("src"))
                .map_or(0, |l| l + 1);
            return Err(vec![Diagnostic::error(
                &toml_path,
                line,
                usize::from(line > 0),
                format!("the book's `src` folder {}", outside.words()),
            )]);
        }
        let summary = read_text(&summary_path).map_err(|d| vec![d])?;
        let (entries, parts, title) = parse_summary(&summary, &summary_path, &src);
        let mut diagnostics = Vec::new();
        if entries.is_empty() {
            diagnostics.push(Diagnostic::error(
                &summary_path,
                0,
                0,
                "SUMMARY.md lists no chapter with a file",
            ));
        }
        let folder_name = self
            .root
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()));
        let settings = Settings {
            title: config
                .book
                .title
                .or(title)
                .or(folder_name)
                .unwrap_or_else(|| "Book".into()),
            authors: config.book.authors,
            description: config.book.description,
            language: config.book.language,
            hidden_code_lines: config.output.html.code.hidelines,
            paper: super::book_yaml::paper(config.output.handout.paper),
            breaks: super::book_yaml::page_breaks(config.output.handout.page_breaks),
            reading_level: config.output.handout.reading_level,
            clinical_review: config.output.handout.clinical_review,
            publisher: config.output.handout.publisher,
            date: config.output.handout.date.map(|d| d.0),
            ..Settings::default()
        };
        // Either place, when something is there: read_resources checks where it leads.
        let resources = Some((src.join("resources.yaml"), None))
            .filter(|(p, _)| self.root.join(p).exists())
            .or_else(|| {
                Some((PathBuf::from("resources.yaml"), None))
                    .filter(|(p, _)| self.root.join(p).exists())
            });
        Ok(Outline {
            settings,
            entries,
            parts,
            resources,
            diagnostics,
        })
    }
}

/// The chapters SUMMARY.md lists (paths relative to the manuscript folder, with the depth of
/// their list), its part titles and its title (the first level-1 heading).
fn parse_summary(
    text: &str,
    file: &Path,
    src: &Path,
) -> (Vec<Entry>, Vec<(String, usize)>, Option<String>) {
    let lines = LineIndex::new(text);
    let mut entries = Vec::new();
    let mut parts = Vec::new();
    let mut title = None;
    let mut depth: usize = 0;
    let mut heading: Option<String> = None;
    // The link being read: its target, its text, where it starts.
    let mut link: Option<(String, String, usize)> = None;
    let mut seen_entry = false;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::List(_)) => depth += 1,
            Event::End(TagEnd::List(_)) => depth = depth.saturating_sub(1),
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                let h = heading.take().unwrap_or_default().trim().to_string();
                // The first level-1 heading before any chapter is the summary's title;
                // every later one titles a part.
                if title.is_none() && !seen_entry && parts.is_empty() {
                    title = Some(h);
                } else if !h.is_empty() {
                    parts.push((h, entries.len()));
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.into_string(), String::new(), range.start))
            }
            Event::End(TagEnd::Link) => {
                let Some((dest, label, at)) = link.take() else {
                    continue;
                };
                seen_entry = true;
                // A draft chapter (no file) is not in the book.
                if dest.trim().is_empty() {
                    continue;
                }
                let (line, col) = lines.line_col(at);
                let path = super::files::percent_decode(dest.split('#').next().unwrap_or(""));
                entries.push(Entry {
                    path: src.join(path),
                    depth: depth.saturating_sub(1).min(8) as u8,
                    title: Some(label.trim().to_string()).filter(|t| !t.is_empty()),
                    listed: Place {
                        file: file.to_path_buf(),
                        line,
                        col,
                    },
                });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, label, _)) = link.as_mut() {
                    label.push_str(&t);
                } else if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            _ => {}
        }
    }
    (entries, parts, title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_gives_prefix_numbered_nested_parts_and_suffix_chapters() {
        let s = "# Summary\n\n[Intro](intro.md)\n\n# Part One\n\n- [First](a/first.md)\n  - [Sub](a/sub.md)\n    - [Deeper](a/deeper.md)\n  - [Draft]()\n- [Second](second%20one.md)\n\n---\n\n# Part Two\n\n* [Third](third.md)\n\n[Appendix](appendix.md)\n";
        let (e, parts, title) = parse_summary(s, Path::new("src/SUMMARY.md"), Path::new("src"));
        let got: Vec<(String, u8)> = e
            .iter()
            .map(|e| (e.path.display().to_string(), e.depth))
            .collect();
        assert_eq!(
            got,
            vec![
                ("src/intro.md".to_string(), 0),
                ("src/a/first.md".to_string(), 0),
                ("src/a/sub.md".to_string(), 1),
                ("src/a/deeper.md".to_string(), 2),
                ("src/second one.md".to_string(), 0),
                ("src/third.md".to_string(), 0),
                ("src/appendix.md".to_string(), 0),
            ]
        );
        assert_eq!(title.as_deref(), Some("Summary"));
        assert_eq!(
            parts,
            vec![("Part One".to_string(), 1), ("Part Two".to_string(), 5)]
        );
        assert_eq!(e[2].title.as_deref(), Some("Sub"));
        assert_eq!((e[1].listed.line, e[1].listed.col), (7, 3));
    }
}
