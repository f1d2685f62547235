//! The YAML side of the manuscript: `book.yaml` and each article's front matter.
//! Unknown keys and wrong types are refused with the position serde_yaml reports.

use crate::diag::Diagnostic;
use crate::model::Date;
use serde::{Deserialize, Deserializer};
use std::path::Path;

pub const BOOK_KEYS: &[&str] = &[
    "title",
    "subtitle",
    "publisher",
    "authors",
    "description",
    "language",
    "date",
    "identifier",
    "articles",
    "resources",
    "paper",
    "reading_level",
    "pdf",
    "page_breaks",
    "clinical_review",
    "styles",
    "edition",
    "epub",
    "accessibility",
];
pub const FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "summary",
    "authors",
    "lang",
    "reviewed",
    "resources",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookYaml {
    pub title: String,
    pub subtitle: Option<String>,
    pub publisher: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub description: Option<String>,
    pub language: Option<LangTag>,
    pub date: Option<YamlDate>,
    pub identifier: Option<String>,
    pub articles: Option<Vec<String>>,
    pub resources: Option<String>,
    pub paper: Option<PaperName>,
    /// The US school grade the articles should not read above (`handout check`).
    pub reading_level: Option<f32>,
    pub pdf: Option<PdfYaml>,
    /// Which articles start a new page in the book: `chapters` (default), `articles`, `none`.
    pub page_breaks: Option<BreakName>,
    /// Whether articles need a clinical review (default: yes).
    pub clinical_review: Option<bool>,
    /// How the book, the handouts and the booklet are set: `book` or `patient`.
    pub styles: Option<StylesYaml>,
    /// The edition's name or number, printed beside its date ("2026.2").
    pub edition: Option<Words>,
    pub epub: Option<EpubYaml>,
    pub accessibility: Option<AccessibilityYaml>,
}

/// `epub:` settings of book.yaml.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpubYaml {
    /// `embed` (default: the faces the text uses, cut down to its characters) or `none`.
    pub fonts: Option<EpubFontsName>,
    /// A PNG or JPEG in the manuscript for the cover (default: one is drawn from the title).
    pub cover: Option<String>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EpubFontsName {
    Embed,
    None,
}

/// `accessibility:` of book.yaml: the EPUB claims conformance to EPUB Accessibility 1.1
/// (WCAG 2.1 AA) only when someone has checked it and is named here.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessibilityYaml {
    pub certified_by: Option<Words>,
}

/// `styles:` of book.yaml.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StylesYaml {
    pub book: Option<StyleName>,
    pub handouts: Option<StyleName>,
    pub booklet: Option<StyleName>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StyleName {
    Book,
    Patient,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BreakName {
    Chapters,
    Articles,
    None,
}

/// `pdf:` settings of book.yaml.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdfYaml {
    /// `pdf-a-2b`: every PDF is also archival PDF/A-2b.
    pub standard: Option<PdfStandard>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
pub enum PdfStandard {
    #[serde(rename = "pdf-a-2b")]
    PdfA2b,
}

/// An article's front matter. Keys other tools put there (Jekyll's `layout`, `permalink`,
/// Hugo's `weight`) are kept aside and warned about, never fatal: authors of an existing
/// book cannot be asked to strip them from every file.
#[derive(Debug, Deserialize, Default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub summary: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub lang: Option<LangTag>,
    pub reviewed: Option<ReviewYaml>,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_yaml::Value>,
}

pub use crate::diag::did_you_mean;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewYaml {
    pub by: String,
    pub on: YamlDate,
    pub next: Option<YamlDate>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PaperName {
    Letter,
    A4,
}

/// A short text that YAML may have read as a number (`edition: 2026.2`).
#[derive(Debug, Clone)]
pub struct Words(pub String);

impl<'de> Deserialize<'de> for Words {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_yaml::Value::deserialize(d)? {
            serde_yaml::Value::String(s) => Ok(Words(s)),
            serde_yaml::Value::Number(n) => Ok(Words(n.to_string())),
            _ => Err(serde::de::Error::custom(
                "expected a short text, such as 2026.2 or \"Spring 2026\"",
            )),
        }
    }
}

/// A `YYYY-MM-DD` date, checked while parsing so a bad one is reported at its own position.
#[derive(Debug, Clone, Copy)]
pub struct YamlDate(pub Date);

impl<'de> Deserialize<'de> for YamlDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(s.trim())
            .map(YamlDate)
            .ok_or_else(|| serde::de::Error::custom(date_problem(s.trim())))
    }
}

/// What is wrong with a date that does not parse: its form, or the month or day it names.
pub fn date_problem(s: &str) -> String {
    let parts: Vec<&str> = s.split('-').collect();
    let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    let shaped = parts.len() == 3
        && [4, 2, 2]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()));
    match numbers {
        Some(n) if shaped && !(1..=12).contains(&n[1]) => {
            format!(
                "`{s}` is not a date: there is no month {} (months go from 01 to 12)",
                n[1]
            )
        }
        Some(n) if shaped => format!(
            "`{s}` is not a date: month {:02} of {} has no day {}",
            n[1], n[0], n[2]
        ),
        _ => format!("`{s}` is not a date of the form YYYY-MM-DD"),
    }
}

/// A BCP 47 language tag (checked for shape, not against the registry).
#[derive(Debug, Clone)]
pub struct LangTag(pub String);

impl<'de> Deserialize<'de> for LangTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if is_bcp47(&s) {
            Ok(LangTag(s))
        } else {
            Err(serde::de::Error::custom(format!(
                "`{s}` is not a BCP 47 language tag (for example `en`, `en-US`, `es`)"
            )))
        }
    }
}

pub fn is_bcp47(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Parses YAML into `T`, turning serde_yaml's error into a diagnostic. `line_offset` is the
/// number of lines in the file before the YAML starts (front matter starts after `---`).
pub fn parse_yaml<T: for<'de> Deserialize<'de>>(
    text: &str,
    file: &Path,
    line_offset: usize,
    allowed: &[&str],
) -> Result<T, Diagnostic> {
    serde_yaml::from_str::<T>(text)
        .map_err(|e| super::yaml_errors::diagnostic(&e, text, file, line_offset, allowed))
}

/// As `parse_yaml`, but with every problem of the file, not only the first: after each
/// one, the top-level entry it is in is blanked out (its lines kept, so later positions
/// hold) and the text read again. A problem outside any entry (the YAML itself is broken, a
/// required key is missing) ends the search. At most 50 problems.
pub fn parse_yaml_all<T: for<'de> Deserialize<'de>>(
    text: &str,
    file: &Path,
    line_offset: usize,
    allowed: &[&str],
) -> Result<T, Vec<Diagnostic>> {
    let first = match parse_yaml::<T>(text, file, line_offset, allowed) {
        Ok(t) => return Ok(t),
        Err(d) => d,
    };
    let places = super::yaml_locations::YamlLocations::of(text);
    let starts = places.top_level_lines();
    let mut lines: Vec<String> = text.split('\n').map(String::from).collect();
    let mut found = vec![first];
    // Keys blanked, and the keys unknown ones were probably meant to be: their absence is a
    // consequence, not another problem.
    let mut gone: Vec<String> = Vec::new();
    while found.len() < 50 {
        let last = found.last().expect("one at least");
        if is_missing_key(&last.message).is_some() {
            break;
        }
        let line = last.line.saturating_sub(line_offset);
        let Some(k) = starts.iter().rposition(|s| s.0 <= line) else {
            break;
        };
        let (from, key) = (starts[k].0, starts[k].1.clone());
        let to = starts.get(k + 1).map_or(lines.len() + 1, |s| s.0);
        if lines.get(from - 1).is_none_or(|l| l.trim().is_empty()) {
            break;
        }
        for l in lines.iter_mut().take(to - 1).skip(from - 1) {
            l.clear();
        }
        gone.extend(did_you_mean(&key, allowed).map(String::from));
        gone.push(key);
        let again = lines.join("\n");
        match parse_yaml::<T>(&again, file, line_offset, allowed) {
            Ok(_) => break,
            Err(d) => {
                if is_missing_key(&d.message).is_some_and(|k| gone.iter().any(|g| *g == k)) {
                    break;
                }
                found.push(d);
            }
        }
    }
    Err(found)
}

/// The key a "the required key `x` is missing" message names.
fn is_missing_key(message: &str) -> Option<String> {
    let rest = message.split("the required key `").nth(1)?;
    rest.split_once("` is missing").map(|(k, _)| k.to_string())
}

/// Where `value` first appears as a YAML scalar at or after the line of `key:`, for
/// diagnostics about values that are only found wrong after parsing (missing files).
pub fn locate_value(text: &str, key: &str, value: &str) -> (usize, usize) {
    let key_line = text
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .unwrap_or(0);
    for (i, line) in text.lines().enumerate().skip(key_line) {
        if let Some(col) = line.find(value) {
            return (i + 1, line[..col].chars().count() + 1);
        }
    }
    (key_line + 1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(text: &str) -> Result<BookYaml, Diagnostic> {
        parse_yaml(text, Path::new("book.yaml"), 0, BOOK_KEYS)
    }

    #[test]
    fn unknown_key_names_line_column_and_allowed_keys() {
        let e = book("title: T\nlanguage: en\ncolour: red\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 1), "{e}");
        assert!(e.message.contains("colour"), "{e}");
        assert!(
            e.help.as_deref().unwrap().contains("title, subtitle"),
            "{e:?}"
        );
        assert!(
            !e.message.contains("expected one of"),
            "listed once, in the help"
        );
    }

    #[test]
    fn bad_date_points_at_the_value() {
        let e = book("title: T\ndate: 2026-02-30\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.col >= 7, "{e}");
        assert!(e.message.contains("month 02 of 2026 has no day 30"), "{e}");
        let e = book("title: T\ndate: 26-1-1\n").unwrap_err();
        assert!(e.message.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn wrong_type_is_reported() {
        let e = book("title: T\narticles: one.md\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert_eq!(
            e.message, "in `articles`: expected a list, found the text \"one.md\"",
            "{e}"
        );
    }

    #[test]
    fn missing_title_is_reported() {
        let e = book("language: en\n").unwrap_err();
        assert_eq!(e.message, "the required key `title` is missing", "{e}");
        assert_eq!((e.line, e.col), (1, 1), "at the mapping that lacks it");
    }

    #[test]
    fn bad_language_tag_is_refused() {
        let e = book("title: T\nlanguage: english!\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("BCP 47"), "{e}");
    }

    #[test]
    fn front_matter_keeps_unknown_keys_aside() {
        let fm = parse_yaml::<FrontMatter>(
            "title: A\nsumary: B\nlayout: post\n",
            Path::new("a.md"),
            1,
            FRONT_MATTER_KEYS,
        )
        .unwrap();
        assert_eq!(
            fm.other.keys().collect::<Vec<_>>(),
            vec!["layout", "sumary"]
        );
        assert_eq!(did_you_mean("sumary", FRONT_MATTER_KEYS), Some("summary"));
        assert_eq!(did_you_mean("layout", FRONT_MATTER_KEYS), None);
        // A wrong type in a known key is still an error, at its line.
        let e = parse_yaml::<FrontMatter>(
            "title: A\nlang: 3x!\n",
            Path::new("a.md"),
            1,
            FRONT_MATTER_KEYS,
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }

    #[test]
    fn reviewed_block_parses() {
        let fm: FrontMatter = parse_yaml(
            "reviewed: {by: \"A. B., MD\", on: 2026-01-02, next: 2027-01-02}\n",
            Path::new("a.md"),
            1,
            FRONT_MATTER_KEYS,
        )
        .unwrap();
        let r = fm.reviewed.unwrap();
        assert_eq!(r.on.0.to_string(), "2026-01-02");
        assert_eq!(r.by, "A. B., MD");
    }

    #[test]
    fn locate_value_finds_list_items() {
        let text = "title: T\narticles:\n  - a.md\n  - sub/b.md\n";
        assert_eq!(locate_value(text, "articles", "sub/b.md"), (4, 5));
    }
}
