//! The EPUB's fonts: each face the book's text uses, cut down to the characters it sets.
//! subsetter (the PDF's subsetter) keeps the outlines and metrics and leaves out the `cmap`,
//! which a PDF's CID fonts do not need and a reading system does: one is written here, with
//! OS/2 copied back (Chromium's font sanitiser refuses a font without it). Kerning and
//! ligature tables are not kept (their glyph numbers would no longer match).

use std::collections::BTreeSet;
use write_fonts::read::{FontRef, TableProvider};
use write_fonts::tables::cmap::Cmap;
use write_fonts::types::{GlyphId, Tag};
use write_fonts::FontBuilder;

/// `data` cut down to the glyphs of `chars` (those it has), with a cmap for them; `None`
/// when the font cannot be read or cut.
pub fn subset(data: &[u8], chars: &BTreeSet<char>) -> Option<Vec<u8>> {
    let face = ttf_parser::Face::parse(data, 0).ok()?;
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut mappings = Vec::new();
    for &c in chars {
        if let Some(g) = face.glyph_index(c) {
            let new = remapper.remap(g.0);
            mappings.push((c, GlyphId::new(u32::from(new))));
        }
    }
    let cut = subsetter::subset(data, 0, &remapper).ok()?;
    let cmap = Cmap::from_mappings(mappings).ok()?;
    let original = FontRef::new(data).ok()?;
    let cut_ref = FontRef::new(&cut).ok()?;
    let mut builder = FontBuilder::new();
    builder.add_table(&cmap).ok()?;
    let os2 = Tag::new(b"OS/2");
    if let Some(table) = original.data_for_tag(os2) {
        builder.add_raw(os2, table.as_bytes().to_vec());
    }
    builder.copy_missing_tables(cut_ref);
    Some(builder.build())
}

/// Every character in the XHTML files (markup included: its few ASCII letters cost little
/// and an entity such as `&amp;` is then covered too).
pub fn characters<'a>(files: impl IntoIterator<Item = &'a str>) -> BTreeSet<char> {
    // A bit per character of the Basic Multilingual Plane: the Rust book's 3 MB of XHTML
    // went into a BTreeSet a character at a time in about 20 ms.
    let mut bmp = vec![0u64; 0x10000 / 64];
    let mut chars: BTreeSet<char> = (' '..='~').collect();
    for f in files {
        for c in f.chars().filter(|c| !c.is_control()) {
            let n = c as usize;
            if n < 0x10000 {
                bmp[n / 64] |= 1 << (n % 64);
            } else {
                chars.insert(c);
            }
        }
    }
    for (word, bits) in bmp.iter().enumerate().filter(|(_, b)| **b != 0) {
        for bit in 0..64 {
            if bits & (1 << bit) != 0 {
                chars.extend(char::from_u32((word * 64 + bit) as u32));
            }
        }
    }
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subset_maps_its_characters_and_only_those() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/NotoSerif-Regular.ttf"
        ))
        .unwrap();
        let chars: BTreeSet<char> = "Kratom é".chars().collect();
        let cut = subset(&data, &chars).expect("subset");
        assert!(
            cut.len() * 20 < data.len(),
            "{} of {} bytes",
            cut.len(),
            data.len()
        );
        let face = ttf_parser::Face::parse(&cut, 0).expect("a readable font");
        for c in chars {
            let g = face
                .glyph_index(c)
                .unwrap_or_else(|| panic!("{c:?} not mapped"));
            assert!(
                c == ' ' || face.glyph_bounding_box(g).is_some(),
                "{c:?} has no outline"
            );
        }
        assert!(face.glyph_index('z').is_none());
        assert!(face.tables().os2.is_some(), "OS/2 kept");
        let full = ttf_parser::Face::parse(&data, 0).unwrap();
        let (a, b) = (
            full.glyph_index('K').unwrap(),
            face.glyph_index('K').unwrap(),
        );
        assert_eq!(
            full.glyph_hor_advance(a),
            face.glyph_hor_advance(b),
            "metrics kept"
        );
    }
}
