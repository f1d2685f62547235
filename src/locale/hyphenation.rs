//! Hyphenation patterns, embedded in the binary and loaded once per language.

use hyphenation::{Language, Load, Standard};
use std::sync::OnceLock;

/// The patterns for a BCP 47 language tag, where the tool has them (English); `None` means the
/// text is not hyphenated.
pub fn patterns(lang: &str) -> Option<&'static Standard> {
    static EN_US: OnceLock<Option<Standard>> = OnceLock::new();
    let primary = lang.split('-').next().unwrap_or("").to_ascii_lowercase();
    match primary.as_str() {
        "en" => EN_US
            .get_or_init(|| Standard::from_embedded(Language::EnglishUS).ok())
            .as_ref(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyphenation::Hyphenator;

    #[test]
    fn english_has_patterns_and_other_languages_do_not() {
        let en = patterns("en-US").expect("embedded en-US patterns");
        let h = en.hyphenate("hyphenation");
        assert!(!h.breaks.is_empty());
        assert!(patterns("de").is_none());
        assert!(patterns("es-MX").is_none());
    }
}
