//! Markdown → model → both writers: no input may panic or hang. The EPUB side renders every
//! XHTML file (its packaging, with the fonts, is the same for every input and would only slow
//! the search); the PDF side typesets the regular edition, and the large-print one for inputs
//! whose first byte is odd.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn typesetter() -> &'static handout::pdf::Typesetter {
    static T: OnceLock<handout::pdf::Typesetter> = OnceLock::new();
    T.get_or_init(|| {
        let fonts = handout::fonts::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fonts")).expect("fonts");
        handout::pdf::Typesetter::new(&fonts).expect("typesetter")
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 64 * 1024 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let book = handout::book_from_markdown(&text);
    let names = Default::default();
    for i in 0..book.articles.len() {
        // A page-break marker before the first block, as the page list puts them.
        let pages = [(0, "1".to_string())];
        let xhtml = handout::epub::xhtml::article(&book, i, &names, &pages);
        assert!(!xhtml.contains('\0'));
    }
    let _ = handout::epub::xhtml::title_page(&book.meta);
    let large_print = data.first().is_some_and(|b| b & 1 == 1);
    let edition = handout::pdf::Edition { scope: handout::pdf::Scope::Book, large_print };
    typesetter().write(&book, edition).expect("the PDF is written");
});
