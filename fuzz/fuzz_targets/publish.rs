//! Markdown → model → both writers: no input may panic, hang or produce an EPUB whose XHTML
//! is not well-formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn fonts() -> &'static handout::fonts::FontSet {
    static FONTS: OnceLock<handout::fonts::FontSet> = OnceLock::new();
    FONTS.get_or_init(|| handout::fonts::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fonts")).expect("fonts"))
}

fn typesetter() -> &'static handout::pdf::Typesetter {
    static T: OnceLock<handout::pdf::Typesetter> = OnceLock::new();
    T.get_or_init(|| handout::pdf::Typesetter::new(fonts()).expect("typesetter"))
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 64 * 1024 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let book = handout::book_from_markdown(&text);
    for large_print in [false, true] {
        let edition = handout::pdf::Edition { scope: handout::pdf::Scope::Book, large_print };
        typesetter().write(&book, edition).expect("the PDF is written");
    }
    handout::epub::write(&book, fonts()).expect("the EPUB is written");
});
