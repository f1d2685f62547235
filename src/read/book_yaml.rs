//! The book.yaml source: settings and an ordered article list (or every `articles/*.md`).

use super::config::{self, BookYaml, PaperName, BOOK_KEYS};
use super::files::read_text;
use super::source::{Entry, Outline, Place, Settings, Source};
use crate::diag::Diagnostic;
use crate::model::Paper;
use std::path::{Path, PathBuf};

pub struct BookYamlSource<'a> {
    pub root: &'a Path,
}

impl Source for BookYamlSource<'_> {
    fn outline(&self) -> Result<Outline, Vec<Diagnostic>> {
        let book_path = self.root.join("book.yaml");
        let text = read_text(&book_path).map_err(|d| vec![d])?;
        let yaml: BookYaml = match config::parse_yaml_all(&text, &book_path, 0, BOOK_KEYS) {
            Ok(yaml) => yaml,
            Err(d) => return Ok(self.salvaged(&text, &book_path, d)),
        };
        let mut diagnostics = Vec::new();
        if yaml.title.trim().is_empty() {
            let (line, col) = config::locate_value(&text, "title", "title");
            diagnostics.push(Diagnostic::error(&book_path, line, col, "`title` is empty"));
        }
        let (entries, resources) = self.listed(
            &text,
            &book_path,
            yaml.articles.as_deref(),
            yaml.resources.as_deref(),
        );
        if entries.is_empty() {
            diagnostics.push(Diagnostic::error(
                &book_path,
                1,
                1,
                "the book has no articles: list them under `articles:` or put .md files in articles/",
            ));
        }
        let cover = yaml.epub.as_ref().and_then(|e| e.cover.as_deref()).and_then(|src| {
            let located = |m: String| {
                let (line, col) = config::locate_value(&text, "cover", src);
                Diagnostic::error(&book_path, line, col, m)
            };
            match super::images::resolve(self.root, Path::new(""), src) {
                Ok(img @ crate::model::ImageSource::Local { format, .. })
                    if matches!(
                        format,
                        crate::model::ImageFormat::Png | crate::model::ImageFormat::Jpeg
                    ) =>
                {
                    Some(img)
                }
                Ok(_) => {
                    diagnostics.push(located(format!(
                        "the cover `{src}` must be a PNG or JPEG file in the manuscript (reading systems show no SVG or remote cover)"
                    )));
                    None
                }
                Err(m) => {
                    diagnostics.push(located(m));
                    None
                }
            }
        });
        let settings = Settings {
            title: yaml.title,
            subtitle: yaml.subtitle,
            publisher: yaml.publisher,
            authors: yaml.authors,
            description: yaml.description,
            language: yaml.language.map(|l| l.0),
            date: yaml.date.map(|d| d.0),
            identifier: yaml.identifier,
            paper: paper(yaml.paper),
            reading_level: yaml.reading_level,
            pdf_a: yaml
                .pdf
                .and_then(|p| p.standard)
                .is_some_and(|s| s == config::PdfStandard::PdfA2b),
            hidden_code_lines: Default::default(),
            breaks: page_breaks(yaml.page_breaks),
            styles: styles(yaml.styles.as_ref()),
            edition: yaml
                .edition
                .map(|e| e.0.trim().to_string())
                .filter(|e| !e.is_empty()),
            clinical_review: yaml.clinical_review.unwrap_or(true),
            epub_no_fonts: yaml
                .epub
                .and_then(|e| e.fonts)
                .is_some_and(|f| f == config::EpubFontsName::None),
            cover,
            certified_by: yaml
                .accessibility
                .and_then(|a| a.certified_by)
                .map(|w| w.0.trim().to_string())
                .filter(|w| !w.is_empty()),
        };
        Ok(Outline {
            settings,
            entries,
            parts: Vec::new(),
            resources,
            diagnostics,
        })
    }
}

impl BookYamlSource<'_> {
    /// The articles book.yaml lists (else every `articles/*.md`) and its resources file (the
    /// one it names, else resources.yaml when there is one), each with where it is named.
    fn listed(
        &self,
        text: &str,
        book_path: &Path,
        articles: Option<&[String]>,
        resources: Option<&str>,
    ) -> (Vec<Entry>, Option<(PathBuf, Option<Place>)>) {
        let at = |key: &str, value: &str| {
            let (line, col) = config::locate_value(text, key, value);
            Place {
                file: book_path.to_path_buf(),
                line,
                col,
            }
        };
        let entry = |path: PathBuf, listed: Place| Entry {
            path,
            depth: 0,
            title: None,
            listed,
        };
        let entries = match articles {
            Some(list) => list
                .iter()
                .map(|p| entry(PathBuf::from(p), at("articles", p)))
                .collect(),
            None => articles_folder(self.root)
                .into_iter()
                .map(|path| {
                    let whole_file = Place {
                        file: book_path.to_path_buf(),
                        line: 1,
                        col: 1,
                    };
                    entry(path, whole_file)
                })
                .collect(),
        };
        let resources = match resources {
            Some(r) => Some((PathBuf::from(r), Some(at("resources", r)))),
            None => Some((PathBuf::from("resources.yaml"), None))
                .filter(|(p, _)| self.root.join(p).is_file()),
        };
        (entries, resources)
    }

    /// When book.yaml has an error, the articles and resources it names (as far as its YAML
    /// can be read, else the default places) are still read, so one run reports every
    /// problem; the error keeps the build from going further.
    fn salvaged(&self, text: &str, book_path: &Path, errors: Vec<Diagnostic>) -> Outline {
        let value: serde_yaml::Value = serde_yaml::from_str(text).unwrap_or_default();
        let listed: Option<Vec<String>> = value.get("articles").and_then(|a| {
            a.as_sequence().map(|s| {
                s.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
        });
        let named = value.get("resources").and_then(|r| r.as_str());
        let (entries, resources) = self.listed(text, book_path, listed.as_deref(), named);
        Outline {
            settings: Settings::default(),
            entries,
            parts: Vec::new(),
            resources,
            diagnostics: errors,
        }
    }
}

/// Every `articles/*.md`, sorted by name.
fn articles_folder(root: &Path) -> Vec<PathBuf> {
    let dir = root.join("articles");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
                .filter_map(|p| p.file_name().map(|n| Path::new("articles").join(n)))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The paper a source names (US Letter unless it says A4).
pub fn paper(name: Option<PaperName>) -> Paper {
    match name {
        Some(PaperName::A4) => Paper::A4,
        _ => Paper::Letter,
    }
}

/// Which articles start a page, as a source names it (chapters unless it says otherwise).
/// The styles book.yaml chose, the defaults for the rest.
pub fn styles(yaml: Option<&config::StylesYaml>) -> crate::model::Styles {
    let chosen = |name: Option<config::StyleName>, default| match name {
        Some(config::StyleName::Book) => crate::model::EditionStyle::Book,
        Some(config::StyleName::Patient) => crate::model::EditionStyle::Patient,
        None => default,
    };
    let d = crate::model::Styles::default();
    match yaml {
        None => d,
        Some(y) => crate::model::Styles {
            book: chosen(y.book, d.book),
            handouts: chosen(y.handouts, d.handouts),
            booklet: chosen(y.booklet, d.booklet),
        },
    }
}

pub fn page_breaks(name: Option<config::BreakName>) -> crate::model::PageBreaks {
    match name {
        Some(config::BreakName::Articles) => crate::model::PageBreaks::Articles,
        Some(config::BreakName::None) => crate::model::PageBreaks::None,
        _ => crate::model::PageBreaks::Chapters,
    }
}
