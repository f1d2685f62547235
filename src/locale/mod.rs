//! Everything that depends on the language of the text: the words the tool prints around the
//! author's (one table per language, as data in `strings/`), dates, hyphenation patterns,
//! the readability formula, quotation marks and the rules for dialling a number. Chosen by a
//! BCP 47 tag (an article's `lang`, else the book's `language`). Adding a language means
//! adding a table and, where they exist, patterns: no renderer changes.

pub mod hyphenation;
pub mod phone;
pub mod readability;

use crate::model::{AlertKind, Date, Review};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The words the tool prints, by the key of their entry in the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Text {
    Contents,
    PageOf,
    Continued,
    ListSeparator,
    Draft,
    Reviewed,
    DraftShort,
    ReviewedShort,
    EditionOf,
    Version,
    NextReview,
    Date,
    HelpTitle,
    HelpCall,
    HelpScan,
    HelpHours,
    HelpLanguages,
    HelpMentionedIn,
    HelpQrAlt,
    HelpQrLink,
    AppendixTitle,
    AppendixIntro,
    AppendixLinks,
    ComparisonLabel,
    ImageNotIncluded,
    ImagePlaceholder,
    TaskDone,
    TaskOpen,
    TaskDoneSpoken,
    TaskOpenSpoken,
    LinkGoTo,
    LinkFootnote,
    LinkElsewhere,
    EpubNotes,
    EpubPageList,
    EpubLandmarks,
    EpubPageSource,
    EpubAccessibilitySummary,
    Alert(AlertKind),
}

impl Text {
    /// Every key, for checking tables.
    pub const ALL: &'static [Text] = &[
        Text::Contents,
        Text::PageOf,
        Text::Continued,
        Text::ListSeparator,
        Text::Draft,
        Text::Reviewed,
        Text::DraftShort,
        Text::ReviewedShort,
        Text::EditionOf,
        Text::Version,
        Text::NextReview,
        Text::Date,
        Text::HelpTitle,
        Text::HelpCall,
        Text::HelpScan,
        Text::HelpHours,
        Text::HelpLanguages,
        Text::HelpMentionedIn,
        Text::HelpQrAlt,
        Text::HelpQrLink,
        Text::AppendixTitle,
        Text::AppendixIntro,
        Text::AppendixLinks,
        Text::ComparisonLabel,
        Text::ImageNotIncluded,
        Text::ImagePlaceholder,
        Text::TaskDone,
        Text::TaskOpen,
        Text::TaskDoneSpoken,
        Text::TaskOpenSpoken,
        Text::LinkGoTo,
        Text::LinkFootnote,
        Text::LinkElsewhere,
        Text::EpubNotes,
        Text::EpubPageList,
        Text::EpubLandmarks,
        Text::EpubPageSource,
        Text::EpubAccessibilitySummary,
        Text::Alert(AlertKind::Note),
        Text::Alert(AlertKind::Tip),
        Text::Alert(AlertKind::Important),
        Text::Alert(AlertKind::Warning),
        Text::Alert(AlertKind::Caution),
    ];

    pub fn key(self) -> &'static str {
        match self {
            Text::Contents => "contents",
            Text::PageOf => "page_of",
            Text::Continued => "continued",
            Text::ListSeparator => "list_separator",
            Text::Draft => "review.draft",
            Text::Reviewed => "review.done",
            Text::DraftShort => "review.draft_short",
            Text::ReviewedShort => "review.done_short",
            Text::EditionOf => "edition_of",
            Text::Version => "version",
            Text::NextReview => "review.next",
            Text::Date => "date",
            Text::HelpTitle => "help.title",
            Text::HelpCall => "help.call",
            Text::HelpScan => "help.scan",
            Text::HelpHours => "help.hours",
            Text::HelpLanguages => "help.languages",
            Text::HelpMentionedIn => "help.mentioned_in",
            Text::HelpQrAlt => "help.qr_alt",
            Text::HelpQrLink => "help.qr_link",
            Text::AppendixTitle => "appendix.title",
            Text::AppendixIntro => "appendix.intro",
            Text::AppendixLinks => "appendix.links",
            Text::ComparisonLabel => "comparison.label",
            Text::ImageNotIncluded => "image.not_included",
            Text::ImagePlaceholder => "image.placeholder",
            Text::TaskDone => "task.done",
            Text::TaskOpen => "task.open",
            Text::TaskDoneSpoken => "task.done_spoken",
            Text::TaskOpenSpoken => "task.open_spoken",
            Text::LinkGoTo => "link.go_to",
            Text::LinkFootnote => "link.footnote",
            Text::LinkElsewhere => "link.elsewhere",
            Text::EpubNotes => "epub.notes",
            Text::EpubPageList => "epub.page_list",
            Text::EpubLandmarks => "epub.landmarks",
            Text::EpubPageSource => "epub.page_source",
            Text::EpubAccessibilitySummary => "epub.accessibility_summary",
            Text::Alert(AlertKind::Note) => "alert.note",
            Text::Alert(AlertKind::Tip) => "alert.tip",
            Text::Alert(AlertKind::Important) => "alert.important",
            Text::Alert(AlertKind::Warning) => "alert.warning",
            Text::Alert(AlertKind::Caution) => "alert.caution",
        }
    }
}

/// The tables the binary carries, by primary language subtag.
const TABLES: &[(&str, &str)] = &[
    ("en", include_str!("strings/en.yaml")),
    ("es", include_str!("strings/es.yaml")),
    ("zh", include_str!("strings/zh.yaml")),
    ("vi", include_str!("strings/vi.yaml")),
    ("ko", include_str!("strings/ko.yaml")),
    ("tl", include_str!("strings/tl.yaml")),
    ("ru", include_str!("strings/ru.yaml")),
    ("ar", include_str!("strings/ar.yaml")),
    ("ht", include_str!("strings/ht.yaml")),
    ("fr", include_str!("strings/fr.yaml")),
    ("pt", include_str!("strings/pt.yaml")),
];

/// Languages written right to left (primary subtags).
const RIGHT_TO_LEFT: &[&str] = &["ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"];

/// One language's words, parsed once per process.
#[derive(Debug)]
pub struct Table {
    pub language: &'static str,
    entries: HashMap<String, String>,
    months: Vec<String>,
    /// Opening and closing quotation marks (smart punctuation's “ and ” become these).
    quotes: Option<(String, String)>,
}

fn parse_table(language: &'static str, yaml: &str) -> Table {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Entry {
        One(String),
        List(Vec<String>),
    }
    let raw: HashMap<String, Entry> = serde_yaml::from_str(yaml).unwrap_or_default();
    let mut entries = HashMap::new();
    let mut months = Vec::new();
    let mut quotes = None;
    for (k, v) in raw {
        match v {
            Entry::One(s) => {
                entries.insert(k, s);
            }
            Entry::List(l) if k == "months" && l.len() == 12 => months = l,
            Entry::List(l) if k == "quotes" && l.len() == 2 => {
                quotes = Some((l[0].clone(), l[1].clone()))
            }
            Entry::List(_) => {}
        }
    }
    Table {
        language,
        entries,
        months,
        quotes,
    }
}

fn table(language: &str) -> Option<&'static Table> {
    static PARSED: OnceLock<Vec<Table>> = OnceLock::new();
    PARSED
        .get_or_init(|| TABLES.iter().map(|(l, y)| parse_table(l, y)).collect())
        .iter()
        .find(|t| t.language == language)
}

fn english() -> &'static Table {
    table("en").expect("the English table is built in")
}

/// The language rules and words for one BCP 47 tag.
#[derive(Debug, Clone, Copy)]
pub struct Locale {
    /// The tag asked for, lower case (`en-us`), for the rules that go by more than the
    /// language (hyphenation patterns by region).
    tag: &'static str,
    /// The primary language subtag, lower case (`en` of `en-US`).
    primary: &'static str,
    table: &'static Table,
}

/// Tags, lower case, each kept once per process (a book names a handful).
fn interned(tag: &str) -> &'static str {
    static TAGS: OnceLock<std::sync::Mutex<Vec<&'static str>>> = OnceLock::new();
    let lower = tag.to_ascii_lowercase().replace('_', "-");
    let mut tags = TAGS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(t) = tags.iter().find(|t| **t == lower) {
        return t;
    }
    let leaked: &'static str = Box::leak(lower.into_boxed_str());
    tags.push(leaked);
    leaked
}

/// The primary subtag of a BCP 47 tag, lower case.
pub fn primary_subtag(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

impl Locale {
    /// The locale for `tag`; a language without a table of its own uses English words.
    pub fn of(tag: &str) -> Locale {
        let tag = interned(tag);
        let primary = tag.split('-').next().unwrap_or("");
        let table = table(primary).unwrap_or_else(english);
        Locale {
            tag,
            primary,
            table,
        }
    }

    /// The primary language subtag (`es` of `es-MX`).
    pub fn language(&self) -> &'static str {
        self.primary
    }

    /// Whether the language has a table of its own (else its words are English).
    pub fn has_table(&self) -> bool {
        self.table.language == self.primary
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(&self) -> bool {
        RIGHT_TO_LEFT.contains(&self.primary)
    }

    /// Whether lines break only at spaces, not between letters (Korean sets words whole,
    /// like CSS `word-break: keep-all`; Chinese and Japanese break between characters).
    pub fn keeps_words_whole(&self) -> bool {
        self.primary == "ko"
    }

    /// The quotation marks the language uses, for the “ and ” of smart punctuation.
    pub fn quotes(&self) -> (&'static str, &'static str) {
        match &self.table.quotes {
            Some((open, close)) if self.has_table() => (open, close),
            _ => ("\u{201c}", "\u{201d}"),
        }
    }

    /// The word or phrase for `key`, from this language's table, else English.
    pub fn text(&self, key: Text) -> &'static str {
        self.table
            .entries
            .get(key.key())
            .or_else(|| english().entries.get(key.key()))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The phrase for `key` with its `{name}` holes filled in.
    pub fn fill(&self, key: Text, args: &[(&str, &str)]) -> String {
        let mut out = self.text(key).to_string();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// The phrase for `key` around its hole `{name}`: the text before it and after it (for a
    /// phrase whose filling is set in another style, or is a list of links).
    pub fn around(&self, key: Text, name: &str) -> (&'static str, &'static str) {
        let s = self.text(key);
        let hole = format!("{{{name}}}");
        match s.find(&hole) {
            Some(i) => (&s[..i], &s[i + hole.len()..]),
            None => (s, ""),
        }
    }

    pub fn alert(&self, kind: AlertKind) -> &'static str {
        self.text(Text::Alert(kind))
    }

    /// A date as the language (and its region) writes it in full: "November 26, 2026" (en,
    /// en-US), "26 November 2026" (en-GB), "26 de noviembre de 2026" (es); CLDR's long
    /// date format.
    pub fn date(&self, d: Date) -> String {
        let months = if self.table.months.len() == 12 {
            &self.table.months
        } else {
            &english().months
        };
        let month = months
            .get(d.month as usize - 1)
            .map(String::as_str)
            .unwrap_or("");
        // A region may write dates its own way (en-GB "26 November 2026", en-US
        // "November 26, 2026"): `date.<region>` in the language's table.
        let regional = self
            .tag
            .split('-')
            .nth(1)
            .filter(|r| r.len() == 2 && self.has_table())
            .and_then(|r| self.table.entries.get(&format!("date.{r}")));
        let pattern = regional.map_or_else(|| self.text(Text::Date), String::as_str);
        pattern
            .replace("{day}", &d.day.to_string())
            .replace("{month}", month)
            .replace("{year}", &d.year.to_string())
    }

    /// "Reviewed by … on …", or the draft notice for an unreviewed article.
    pub fn review_line(&self, review: Option<&Review>) -> String {
        match review {
            Some(r) => self.fill(Text::Reviewed, &[("by", &r.by), ("date", &self.date(r.on))]),
            None => self.text(Text::Draft).to_string(),
        }
    }

    /// The review status in a few words, for page footers: "DRAFT", "Reviewed 15 January 2026".
    pub fn review_status(&self, review: Option<&Review>) -> String {
        match review {
            Some(r) => self.fill(Text::ReviewedShort, &[("date", &self.date(r.on))]),
            None => self.text(Text::DraftShort).to_string(),
        }
    }

    /// `text` with only its first letter a capital ("DRAFT" → "Draft"): large print sets no
    /// words in capitals (ACB). Scripts without case are left as they are.
    pub fn sentence_case(&self, text: &str) -> String {
        let lower = text.to_lowercase();
        let mut chars = lower.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// Hyphenation patterns for the language, where any exist.
    pub fn hyphenator(&self) -> Option<&'static ::hyphenation::Standard> {
        hyphenation::patterns(self.tag)
    }

    /// The readability formula made for the language, if there is one.
    pub fn readability(&self) -> Option<readability::Formula> {
        readability::formula(self.primary)
    }

    /// The keys this language's table lacks (they print in English); every key when it has
    /// no table at all.
    pub fn missing(&self) -> Vec<&'static str> {
        if !self.has_table() {
            return Text::ALL.iter().map(|t| t.key()).collect();
        }
        Text::ALL
            .iter()
            .map(|t| t.key())
            .filter(|k| !self.table.entries.contains_key(*k))
            .chain((self.table.months.len() != 12).then_some("months"))
            .chain(self.table.quotes.is_none().then_some("quotes"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_every_key_and_no_other() {
        for (lang, yaml) in TABLES {
            let t = parse_table(lang, yaml);
            let loc = Locale::of(lang);
            assert!(loc.missing().is_empty(), "{lang} lacks {:?}", loc.missing());
            for k in t.entries.keys() {
                // `date.<region>`: a region's own way of writing a date.
                let regional = k
                    .strip_prefix("date.")
                    .is_some_and(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_lowercase()));
                assert!(
                    regional || Text::ALL.iter().any(|t| t.key() == k),
                    "{lang}: unknown key {k}"
                );
            }
        }
    }

    #[test]
    fn holes_fill_and_split() {
        let en = Locale::of("en-US");
        assert_eq!(
            en.fill(Text::PageOf, &[("page", "2"), ("total", "3")]),
            "Page 2 of 3"
        );
        assert_eq!(en.around(Text::HelpCall, "phone"), ("Call ", ""));
        let d = Date::parse("2026-11-26").unwrap();
        // CLDR's long dates: the United States (and English with no region) month first,
        // Britain day first.
        assert_eq!(en.date(d), "November 26, 2026");
        assert_eq!(Locale::of("en").date(d), "November 26, 2026");
        assert_eq!(Locale::of("en-GB").date(d), "26 November 2026");
        assert_eq!(Locale::of("vi").date(d), "26 tháng 11, 2026");
        assert_eq!(Locale::of("fr-CA").date(d), "26 novembre 2026");
        // A language with no table of its own speaks English.
        assert_eq!(Locale::of("xx").text(Text::Contents), "Contents");
        assert!(!Locale::of("xx").has_table());
        assert_eq!(Locale::of("es-MX").date(d), "26 de noviembre de 2026");
        assert_eq!(Locale::of("zh-Hans").date(d), "2026年11月26日");
        assert_eq!(Locale::of("ru").date(d), "26 ноября 2026 г.");
        assert_eq!(Locale::of("tl").date(d), "Nobyembre 26, 2026");
        assert!(Locale::of("ar-EG").is_rtl() && !Locale::of("fr").is_rtl());
        assert_eq!(Locale::of("fr-CA").quotes(), ("«\u{202f}", "\u{202f}»"));
    }
}
