//! The line breaker on arbitrary paragraphs (issue 32), the long run of the property tests in
//! `src/typeset/properties.rs`: each byte picks a piece of text (a letter, a space, a hyphen,
//! punctuation, a slash, an Arabic or a Chinese letter, a hard break), the first bytes pick
//! the measure and the style. Nothing may panic; every character is set exactly once; no
//! line is empty; none runs past the measure by more than hanging punctuation.
#![no_main]

use handout::fonts::Family;
use handout::paged::Draw;
use handout::typeset::lines::{Align, LineSetter, Piece, Style};
use handout::typeset::shape::Shaper;
use libfuzzer_sys::fuzz_target;

const ALPHABET: &[&str] = &[
    "a", "e", "i", "o", "n", "r", "s", "t", "l", "u", "m", "p", "x", "y", "z", "k", " ", " ",
    " ", " ", "-", ".", ",", ":", "/", "_", "(", ")", "\u{201c}", "\u{201d}", "7", "م", "ر",
    "ح", "ب", "中", "文", "药", "\u{a0}", "\n",
];

fn shaper() -> &'static Shaper {
    thread_local! {
        static SHAPER: &'static Shaper = Box::leak(Box::new({
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fonts");
            let fonts = handout::fonts::load(&dir).expect("fonts");
            Shaper::new(&fonts).expect("shaper")
        }));
    }
    SHAPER.with(|s| *s)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 || data.len() > 4096 {
        return;
    }
    let width = 40.0 + f32::from(u16::from_le_bytes([data[0], data[1]]) % 460);
    let style_pick = data[2] % 4;
    let text: String = data[3..]
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()])
        .collect();
    let (style, align) = match style_pick {
        0 => (Style::new(Family::Serif, 10.5), Align::Justify),
        1 => (Style::new(Family::Serif, 12.0), Align::Left),
        2 => (Style::new(Family::Legible, 18.0), Align::Left),
        _ => (Style::new(Family::Mono, 9.0), Align::Justify),
    };
    // Hard breaks between text, as Markdown gives them: never first, last or two in a row.
    let mut pieces = Vec::new();
    for (i, part) in text.split('\n').filter(|p| !p.trim().is_empty()).enumerate() {
        if i > 0 {
            pieces.push(Piece::Break);
        }
        pieces.push(Piece::Text(part.to_string(), style));
    }
    let sh = shaper();
    let mut setter = LineSetter::new(sh, &[], 1.3);
    if style_pick == 0 {
        setter = setter.hyphenating(handout::locale::hyphenation::patterns("en"));
    } else {
        setter = setter.keeping_hyphenated_words();
    }
    let lines = setter.set(&pieces, width, align);
    let mut set: Vec<char> = Vec::new();
    for line in &lines {
        let mut chars = 0;
        for d in &line.draws {
            if let Draw::Text(r) = d {
                let w: f32 = r.glyphs.iter().map(|g| g.advance).sum();
                assert!(r.x >= -2.6 && r.x + w <= width + 2.6, "a line runs past {width}");
                for g in &r.glyphs {
                    for c in g.text.as_str().chars() {
                        if !c.is_whitespace() && c != '\u{ad}' {
                            set.push(c);
                            chars += 1;
                        }
                    }
                }
            }
        }
        assert!(chars > 0 || pieces.is_empty(), "an empty line");
    }
    let mut wanted: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{ad}')
        .collect();
    wanted.sort_unstable();
    set.sort_unstable();
    assert_eq!(set, wanted, "characters lost or doubled");
});
