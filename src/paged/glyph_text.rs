//! The text each drawn glyph stands for, kept small enough to copy freely.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The text a glyph stands for, in eight bytes with no allocation: a book draws over a million
/// glyphs and copies each several times on its way to the page. Text of up to seven bytes (any
/// single character, most ligatures) is held inline; a longer cluster is interned once per
/// process.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlyphText([u8; 8]);

const INTERNED: u8 = 0xFF;

fn interner() -> &'static Mutex<(HashMap<&'static str, u32>, Vec<&'static str>)> {
    static TABLE: OnceLock<Mutex<(HashMap<&'static str, u32>, Vec<&'static str>)>> =
        OnceLock::new();
    TABLE.get_or_init(Default::default)
}

impl GlyphText {
    pub const EMPTY: GlyphText = GlyphText([0; 8]);

    pub fn new(s: &str) -> GlyphText {
        let mut b = [0u8; 8];
        if s.len() <= 7 {
            b[0] = s.len() as u8;
            b[1..=s.len()].copy_from_slice(s.as_bytes());
        } else {
            let mut table = interner().lock().unwrap_or_else(|e| e.into_inner());
            let index = match table.0.get(s) {
                Some(&i) => i,
                None => {
                    let leaked: &'static str = Box::leak(s.into());
                    let i = table.1.len() as u32;
                    table.1.push(leaked);
                    table.0.insert(leaked, i);
                    i
                }
            };
            b[0] = INTERNED;
            b[1..5].copy_from_slice(&index.to_le_bytes());
        }
        GlyphText(b)
    }

    pub fn as_str(&self) -> &str {
        if self.0[0] == INTERNED {
            let i = u32::from_le_bytes([self.0[1], self.0[2], self.0[3], self.0[4]]);
            let table = interner().lock().unwrap_or_else(|e| e.into_inner());
            table.1[i as usize]
        } else {
            // Only ever built from a whole `&str` of at most seven bytes.
            std::str::from_utf8(&self.0[1..=self.0[0] as usize]).unwrap_or("")
        }
    }
}

impl From<&str> for GlyphText {
    fn from(s: &str) -> GlyphText {
        GlyphText::new(s)
    }
}

impl std::ops::Deref for GlyphText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for GlyphText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

#[cfg(test)]
mod glyph_text_tests {
    use super::GlyphText;

    #[test]
    fn short_and_long_texts_come_back_whole() {
        for s in [
            "",
            "a",
            "\u{ad}",
            "ffi",
            "\u{1F469}\u{200D}\u{1F52C}",
            "1234567",
            "12345678",
        ] {
            assert_eq!(GlyphText::new(s).as_str(), s);
        }
        assert_eq!(
            GlyphText::new("a long cluster"),
            GlyphText::new("a long cluster")
        );
        assert_ne!(
            GlyphText::new("a long cluster"),
            GlyphText::new("another one!")
        );
    }
}
