//! Hyphenation patterns, embedded in the binary and loaded once per language.

use hyphenation::{Language, Load, Standard};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The patterns for a BCP 47 language tag, where the hyphenation crate has any (English,
/// Spanish, French, Portuguese, Russian and some seventy more; none for Chinese, Korean,
/// Vietnamese, Tagalog, Arabic or Haitian Creole); `None` means the text is not hyphenated.
pub fn patterns(tag: &str) -> Option<&'static Standard> {
    let language = language_of(tag)?;
    static LOADED: OnceLock<Mutex<HashMap<Language, Option<&'static Standard>>>> = OnceLock::new();
    let mut loaded = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    *loaded.entry(language).or_insert_with(|| {
        Standard::from_embedded(language)
            .ok()
            .map(|s| &*Box::leak(Box::new(s)))
    })
}

/// The pattern set for a tag: the whole tag if the crate names it (`en-gb`), else the
/// language's usual set (English: US; German: 1996 spelling; Greek: monotonic).
fn language_of(tag: &str) -> Option<Language> {
    let tag = tag.to_ascii_lowercase().replace('_', "-");
    let primary = tag.split('-').next().unwrap_or("");
    Language::try_from_code(&tag)
        .or_else(|| Language::try_from_code(primary))
        .or_else(|| match primary {
            "en" => Some(Language::EnglishUS),
            "de" => Some(Language::German1996),
            "el" => Some(Language::GreekMono),
            "nb" | "no" => Some(Language::NorwegianBokmal),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyphenation::Hyphenator;

    #[test]
    fn languages_with_patterns_have_them_and_others_do_not() {
        let en = patterns("en-US").expect("embedded en-US patterns");
        assert!(!en.hyphenate("hyphenation").breaks.is_empty());
        for tag in ["es-MX", "fr", "pt-BR", "ru", "de-DE"] {
            let p = patterns(tag).unwrap_or_else(|| panic!("{tag} has patterns"));
            assert_eq!(p.language(), language_of(tag).unwrap());
        }
        let es = patterns("es").unwrap();
        assert!(!es.hyphenate("medicamento").breaks.is_empty());
        for tag in ["zh-Hans", "ko", "vi", "tl", "ar", "ht"] {
            assert!(patterns(tag).is_none(), "{tag}");
        }
    }
}
