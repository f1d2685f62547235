//! Markdown → model → both writers: no input may panic or hang. The EPUB side renders every
//! XHTML file (its packaging, with the fonts, is the same for every input and would only slow
//! the search); the PDF side typesets the regular edition, and the large-print one for inputs
//! whose first byte is odd.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Writers {
    typesetter: handout::typeset::Typesetter,
    pdf: handout::render::pdf::PdfWriter,
}

fn writers() -> &'static Writers {
    static W: OnceLock<Writers> = OnceLock::new();
    W.get_or_init(|| {
        let fonts = handout::fonts::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fonts")).expect("fonts");
        Writers {
            typesetter: handout::typeset::Typesetter::new(&fonts).expect("typesetter"),
            pdf: handout::render::pdf::PdfWriter::new(&fonts),
        }
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
        let xhtml = handout::render::xhtml::article(&book, i, &names, &pages);
        assert!(!xhtml.contains('\0'));
    }
    let _ = handout::render::xhtml::title_page(&book.meta);
    let large_print = data.first().is_some_and(|b| b & 1 == 1);
    let edition = handout::paged::Edition { scope: handout::paged::Scope::Book, large_print };
    let w = writers();
    let mut doc = w.typesetter.typeset(&book, edition);
    let mut pdf = Vec::new();
    w.pdf.write(&mut doc, &mut pdf).expect("the PDF is written");
});
