//! Print patients can read, checked on the sample's PDFs read back: handouts to the CMS
//! Toolkit (12 pt, ragged right, unhyphenated, about 70 characters a line, nothing under 9 pt),
//! large print to ACB (every word at 18 pt, no italics), nothing within a quarter inch of the
//! paper's edge, QR codes at least 25 mm, and lead-ins kept with their lists.

mod common;
use common::*;
use std::sync::OnceLock;

fn sample() -> &'static (TempDir, std::path::PathBuf) {
    static OUT: OnceLock<(TempDir, std::path::PathBuf)> = OnceLock::new();
    OUT.get_or_init(|| publish_sample("patient-print"))
}

fn pdf(name: &str) -> PdfText {
    read_pdf(&std::fs::read(sample().1.join(name)).unwrap())
}

fn handouts(large: bool) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(sample().1.join("handouts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".pdf") && n.contains("large-print") == large)
        .map(|n| format!("handouts/{n}"))
        .collect();
    names.sort();
    assert!(names.len() >= 8, "the sample's handouts: {names:?}");
    names
}

/// The most common size of the page text, by characters.
fn body_size(pdf: &PdfText) -> f32 {
    let mut sizes = std::collections::HashMap::new();
    for l in pdf.runs.iter().flatten() {
        *sizes.entry((l.size * 10.0).round() as i32).or_insert(0) += l.text.chars().count();
    }
    *sizes.iter().max_by_key(|(_, n)| **n).unwrap().0 as f32 / 10.0
}

#[test]
fn handouts_are_twelve_point_ragged_unhyphenated_and_seventy_characters_wide() {
    for name in handouts(false) {
        let pdf = pdf(&name);
        assert!(body_size(&pdf) >= 12.0, "{name}: body {}", body_size(&pdf));
        let smallest = pdf
            .runs
            .iter()
            .flatten()
            .map(|r| r.size)
            .fold(f32::MAX, f32::min);
        assert!(smallest >= 9.0 - 0.05, "{name}: text at {smallest} pt");
        let body: Vec<&TextLine> = pdf
            .pages
            .iter()
            .flatten()
            .filter(|l| (l.size - 12.0).abs() < 0.1)
            .collect();
        // Ragged: the right ends of full lines spread out (justified text ends flush).
        let ends: Vec<f32> = body.iter().map(|l| l.end).collect();
        let right = ends.iter().copied().fold(0.0, f32::max);
        let flush = ends.iter().filter(|e| right - **e < 1.0).count();
        assert!(
            flush * 4 < ends.len(),
            "{name}: {flush} of {} lines end flush",
            ends.len()
        );
        for l in &body {
            let t = l.text.trim_end();
            assert!(
                !t.ends_with('-') && !t.ends_with('\u{ad}'),
                "{name}: a line ends in a hyphen: {t:?}"
            );
            assert!(
                t.chars().count() <= 80,
                "{name}: {} characters: {t:?}",
                t.chars().count()
            );
        }
    }
}

#[test]
fn large_print_sets_every_word_at_eighteen_points_without_italics() {
    let mut names = handouts(true);
    names.push("kratom-and-opioids-large-print.pdf".into());
    for name in names {
        let pdf = pdf(&name);
        for r in pdf
            .runs
            .iter()
            .flatten()
            .filter(|r| !r.text.trim().is_empty())
        {
            // Note markers (numbers) may be 12 pt (ACB); everything else is 18 pt or more,
            // callout icons' marks included (they are drawn, not set).
            let floor = if r.text.trim().chars().all(|c| c.is_ascii_digit()) {
                12.0
            } else {
                18.0
            };
            assert!(
                r.size >= floor - 0.05,
                "{name}: {:?} at {} pt",
                r.text,
                r.size
            );
        }
        let italic = pdf
            .doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter_map(|d| d.get(b"BaseFont").ok()?.as_name().ok())
            .any(|n| String::from_utf8_lossy(n).contains("Italic"));
        assert!(!italic, "{name} embeds an italic face");
        let text = all_text(&pdf);
        for label in ["WARNING", "CAUTION", "DRAFT", "BORRADOR", "NOT CLINICALLY"] {
            assert!(!text.contains(label), "{name}: {label} in capitals");
        }
    }
}

#[test]
fn nothing_is_drawn_within_a_quarter_inch_of_the_edge() {
    let mut names = handouts(false);
    names.extend(handouts(true));
    names.push("kratom-and-opioids.pdf".into());
    for name in names {
        let pdf = pdf(&name);
        for (i, page) in pdf.runs.iter().enumerate() {
            for r in page {
                assert!(
                    r.x >= 18.0
                        && r.end <= 612.0 - 18.0
                        && r.y >= 18.0 + r.size * 0.7
                        && r.y <= 792.0 - 18.0,
                    "{name} p{}: {:?} at ({}, {})",
                    i + 1,
                    r.text,
                    r.x,
                    r.y
                );
            }
            for f in filled_rects(&pdf, i) {
                assert!(
                    f.x >= 18.0 && f.x + f.w <= 594.0 && f.y >= 18.0 && f.y + f.h <= 774.0,
                    "{name} p{}: a fill at {f:?}",
                    i + 1
                );
            }
        }
    }
}

#[test]
fn qr_codes_are_at_least_twenty_five_millimetres_and_lead_ins_keep_their_lists() {
    let mut codes = 0;
    for name in handouts(false) {
        let pdf = pdf(&name);
        for i in 0..pdf.pages.len() {
            // A code is a white square (its quiet zone) with black modules on it.
            for q in filled_rects(&pdf, i)
                .iter()
                .filter(|f| f.gray > 0.99 && (f.w - f.h).abs() < 0.5 && f.w > 40.0)
            {
                let side_mm = q.w * 8.0 / 41.0 * 25.4 / 72.0;
                assert!(
                    q.w >= 92.0 - 0.5,
                    "{name}: a {} pt code ({side_mm:.1} mm)",
                    q.w
                );
                codes += 1;
            }
            // No page ends on a line that introduces what follows.
            let body: Vec<&TextLine> = pdf.pages[i].iter().filter(|l| l.y < 700.0).collect();
            if i + 1 < pdf.pages.len() {
                if let Some(last) = body.last() {
                    assert!(
                        !last.text.trim_end().ends_with(':'),
                        "{name} p{} ends on {:?}",
                        i + 1,
                        last.text
                    );
                }
            }
        }
    }
    assert!(codes >= 8, "{codes} QR codes found");
}

#[test]
fn large_print_numbers_its_pages_at_the_top_right_as_large_as_the_text() {
    for name in handouts(true) {
        let pdf = pdf(&name);
        let total = pdf.pages.len();
        for (i, page) in pdf.runs.iter().enumerate() {
            // "Page 2 of 5", "Página 2 de 5": the numbers, in the head's line.
            let (n, of) = (format!(" {} ", i + 1), format!(" {total}"));
            let found = page
                .iter()
                .find(|r| r.y < 84.0 && r.text.contains(&n) && r.text.trim_end().ends_with(&of))
                .unwrap_or_else(|| panic!("{name} p{}: no page number", i + 1));
            assert!(found.size >= 18.0 && found.y < 84.0, "{name}: {found:?}");
            assert!(
                found.end > 612.0 - 100.0,
                "{name}: not at the right: {found:?}"
            );
        }
    }
}

#[test]
fn large_print_sets_the_notes_after_the_article() {
    let pdf = pdf("handouts/risks-and-withdrawal-large-print.pdf");
    let pages: Vec<String> = (0..pdf.pages.len()).map(|i| pdf.page_text(i)).collect();
    let notes_page = pages
        .iter()
        .position(|t| t.lines().any(|l| l.trim() == "Notes"))
        .expect("a Notes heading");
    let first_note = pages
        .iter()
        .position(|t| t.contains("Food and Drug Administration, \u{201c}FDA and"))
        .expect("the first note");
    assert!(first_note >= notes_page, "a note before the Notes heading");
    // The article's last section comes before its notes.
    let last_section = pages
        .iter()
        .position(|t| t.contains("Where to get help"))
        .expect("the help list");
    assert!(last_section <= notes_page);
}

/// The first page's width and height, in points.
fn page_size(pdf: &PdfText) -> (f32, f32) {
    let media: Vec<f32> = pdf
        .doc
        .get_dictionary(pdf.page_ids[0])
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap_or_else(|_| v.as_i64().unwrap() as f32))
        .collect();
    (media[2], media[3])
}

/// The value of a lower-case roman numeral (front-matter folios).
fn roman(s: &str) -> Option<usize> {
    let digit = |c| match c {
        'i' => Some(1),
        'v' => Some(5),
        'x' => Some(10),
        'l' => Some(50),
        _ => None,
    };
    let values: Vec<usize> = s.chars().map(digit).collect::<Option<_>>()?;
    let mut total = 0;
    for (i, v) in values.iter().enumerate() {
        if values.get(i + 1).is_some_and(|next| next > v) {
            total -= *v as i64;
        } else {
            total += *v as i64;
        }
    }
    (!values.is_empty()).then_some(total as usize)
}

#[test]
fn the_booklet_is_imposed_two_up_in_saddle_stitch_order() {
    let pdf = pdf("kratom-and-opioids-booklet.pdf");
    let (w, h) = page_size(&pdf);
    assert!(
        (w - 792.0).abs() < 0.5 && (h - 612.0).abs() < 0.5,
        "landscape letter: {w} x {h}"
    );
    let half = w / 2.0;
    let sides = pdf.page_ids.len();
    assert!(sides >= 4 && sides % 2 == 0, "{sides} sides: whole sheets");
    let pages = 2 * sides;
    // Folios (printed page numbers) in the foot of each half: roman in the front matter.
    let mut folios = Vec::new();
    for (side, runs) in pdf.runs.iter().enumerate() {
        for r in runs.iter().filter(|r| r.y > h - 40.0) {
            let t = r.text.trim();
            let number = t.parse::<usize>().map(Err).ok().or(roman(t).map(Ok));
            if let Some(n) = number {
                folios.push((side, r.x > half, n));
            }
        }
    }
    let front = folios.iter().filter_map(|f| f.2.ok()).max().unwrap();
    assert!(front >= 2, "a title page and contents");
    // Page 1 is a right-hand page: a blank follows an odd front matter.
    let front = front.div_ceil(2) * 2;
    // Every page but the title page and at most three blanks at the end carries a folio.
    assert!(
        folios.len() + 4 >= pages,
        "{} folios on {pages} pages",
        folios.len()
    );
    for (side, right, folio) in folios {
        let index = match folio {
            Ok(r) => r - 1,
            Err(a) => front + a - 1,
        };
        // A sheet's front holds the last unplaced page on the left and the first on the
        // right; its back the second and the second-last: stacked and folded, they read in
        // order.
        let sheet = side / 2;
        let (left_page, right_page) = if side % 2 == 0 {
            (pages - 1 - 2 * sheet, 2 * sheet)
        } else {
            (2 * sheet + 1, pages - 2 - 2 * sheet)
        };
        let expected = if right { right_page } else { left_page };
        if let Err(a) = folio {
            assert_eq!(right, a % 2 == 1, "page {a}: odd pages on the right");
        }
        assert_eq!(
            index,
            expected,
            "side {side}, {} half",
            if right { "right" } else { "left" }
        );
    }
    // Nothing crosses the fold or comes within a quarter inch of it or of the edge, and the
    // text is set in the patient style.
    for (side, runs) in pdf.runs.iter().enumerate() {
        for r in runs {
            let inside = |lo: f32, hi: f32| r.x >= lo + 18.0 && r.end <= hi - 18.0;
            assert!(
                inside(0.0, half) || inside(half, w),
                "side {side}: {:?} from {} to {}",
                r.text,
                r.x,
                r.end
            );
        }
    }
    assert!(body_size(&pdf) >= 12.0, "booklet body {}", body_size(&pdf));
}

#[test]
fn book_yaml_chooses_the_style_of_each_edition() {
    let article = "# Styles\n\n".to_string()
        + &"A sentence long enough to make lines that wrap across the text block, so that \
            the style of the edition shows in how its lines end. "
            .repeat(12);
    let (_tmp, _m, out) = publish_files(
        "styles",
        &[
            (
                "book.yaml",
                "title: Styles\nstyles:\n  book: patient\n  handouts: book\n",
            ),
            ("articles/a.md", &article),
        ],
        &["--only", "pdf,handouts"],
    );
    let book = read_pdf(&std::fs::read(out.join("styles.pdf")).unwrap());
    let handout = read_pdf(&std::fs::read(out.join("handouts/a.pdf")).unwrap());
    assert!(
        (body_size(&book) - 12.0).abs() < 0.1,
        "book {}",
        body_size(&book)
    );
    assert!(
        (body_size(&handout) - 10.5).abs() < 0.1,
        "handout {}",
        body_size(&handout)
    );
    // The handout, in the book style, is justified: its full lines end flush.
    let ends: Vec<f32> = handout.pages[0]
        .iter()
        .filter(|l| (l.size - 10.5).abs() < 0.1)
        .map(|l| l.end)
        .collect();
    let right = ends.iter().copied().fold(0.0, f32::max);
    let flush = ends.iter().filter(|e| right - **e < 1.0).count();
    assert!(
        flush + 1 >= ends.len() && ends.len() > 4,
        "{flush} of {} flush",
        ends.len()
    );
    // An unknown style is a located error.
    let tmp = TempDir::new("styles-bad");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Styles\nstyles:\n  booklet: fancy\n"),
            ("articles/a.md", "# A\n\nText.\n"),
        ],
    );
    let o = publish(&m, &tmp.path().join("out"), &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("book.yaml:3:"), "{err}");
    assert!(err.contains("patient"), "{err}");
}

#[test]
fn no_handout_ends_on_a_near_empty_page() {
    for large in [false, true] {
        for name in handouts(large) {
            let pdf = pdf(&name);
            if pdf.pages.len() < 2 {
                continue;
            }
            let (_, h) = page_size(&pdf);
            // The text block, furniture above and below it left out.
            let (top, foot) = (90.0, h - 90.0);
            let bottom = pdf
                .pages
                .last()
                .unwrap()
                .iter()
                .filter(|l| l.y > top && l.y < foot)
                .map(|l| l.y)
                .fold(top, f32::max);
            assert!(
                bottom - top > (foot - top) / 3.0,
                "{name}: the last page's text ends at {bottom:.0} of {h:.0} pt"
            );
        }
    }
}

#[test]
fn qr_codes_scan_after_a_photocopy_of_a_photocopy_and_say_what_they_open() {
    let mut checked = 0;
    for name in handouts(false).into_iter().chain(handouts(true)) {
        let pdf = pdf(&name);
        for page in 0..pdf.pages.len() {
            for code in qr_codes_on(&pdf, page) {
                let text = decode_after_two_photocopies(&code, 1.0);
                let Some(url) = text else {
                    panic!(
                        "{name} p{}: a code does not survive two photocopies",
                        page + 1
                    );
                };
                assert!(url.starts_with("https://"), "{name}: {url}");
                // The same code printed at 18 mm (where the first handouts printed the long
                // SAMHSA address) does not survive: the copies are harsh enough to matter.
                if url.len() > 50 {
                    let width = code.iter().map(|r| r.x + r.w).fold(0.0, f32::max)
                        - code.iter().map(|r| r.x).fold(f32::MAX, f32::min);
                    let small = 18.0 / 25.4 * 72.0 / width;
                    assert_eq!(
                        decode_after_two_photocopies(&code, small),
                        None,
                        "{name}: {url} at 18 mm"
                    );
                }
                // Its caption, just below it, names the site it opens (a host too wide for the
                // code breaks before a dot, as URLs do).
                let site = url
                    .trim_start_matches("https://")
                    .trim_start_matches("www.")
                    .split('/')
                    .next()
                    .unwrap()
                    .to_string();
                let bottom = code.iter().map(|r| r.y + r.h).fold(0.0, f32::max);
                let left = code.iter().map(|r| r.x).fold(f32::MAX, f32::min);
                let caption: String = pdf.runs[page]
                    .iter()
                    .filter(|r| r.y > bottom && r.y < bottom + 100.0 && (r.x - left).abs() < 60.0)
                    .map(|r| r.text.clone())
                    .collect::<Vec<_>>()
                    .join(" ");
                assert!(
                    caption.replace(' ', "").contains(&site),
                    "{name}: caption {caption:?} for {url}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "{checked} codes checked");
}

#[test]
fn large_print_reads_a_table_too_wide_for_one_line_per_cell_as_lists() {
    let lp = pdf("handouts/is-kratom-an-opioid-large-print.pdf");
    let lines: Vec<String> = lp
        .pages
        .iter()
        .flatten()
        .map(|l| l.text.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for wanted in [
        "Fentanyl",
        "•Where it comes from: Made in a lab",
        "•Hold on the mu-opioid receptor: Very strong",
    ] {
        assert!(
            lines.iter().any(|l| l == wanted),
            "large print: no line {wanted:?} in {:?}",
            lines
                .iter()
                .filter(|l| l.contains("comes"))
                .collect::<Vec<_>>()
        );
    }
    // (The bullet is its own run, so the line reads back without a space after it.)
    // The regular handout keeps the grid: the header's cells side by side on one line.
    let regular = pdf("handouts/is-kratom-an-opioid.pdf");
    assert!(
        regular
            .pages
            .iter()
            .flatten()
            .any(|l| l.text.starts_with("Chemical") && l.text.contains("Where it comes from")),
        "the regular handout's table"
    );
}

#[test]
fn every_handout_page_says_which_edition_it_is() {
    for (large, wanted) in [
        (false, "Edition of November 26, 2026"),
        (true, "Edition of November 26, 2026"),
    ] {
        for name in handouts(large) {
            let pdf = pdf(&name);
            let (edition, version) = if name.contains("/what-is")
                || name.contains("/is-kratom")
                || name.contains("/risks")
                || name.contains("/getting")
            {
                (wanted, "Version 2026.1")
            } else {
                ("Edición del 26 de noviembre de 2026", "Versión 2026.1")
            };
            for (p, _) in pdf.pages.iter().enumerate() {
                let text = pdf.page_text(p);
                assert!(
                    text.contains(edition) && text.contains(version),
                    "{name} p{}: no {edition:?} and {version:?}",
                    p + 1
                );
            }
        }
    }
    // An unquoted version and a next review date, in the article's language.
    let reviewed = "---\nlang: es\nreviewed: {by: \"Ana Ruiz\", on: 2026-01-15, next: 2027-01-15}\n---\n# Revisado\n\nUn texto corto.\n";
    let (_tmp, _m, out) = publish_files(
        "edition-line",
        &[
            ("book.yaml", "title: E\ndate: 2026-02-01\nedition: 2026.2\n"),
            ("articles/a.md", reviewed),
        ],
        &["--only", "handouts"],
    );
    let pdf = read_pdf(&std::fs::read(out.join("handouts/a.pdf")).unwrap());
    let text = pdf.page_text(0);
    for part in [
        "Edición del 1 de febrero de 2026",
        "Versión 2026.2",
        "Próxima revisión: 15 de enero de 2027",
    ] {
        assert!(text.contains(part), "{part:?} in {text:?}");
    }
}

/// No word is split at its own hyphen anywhere in a patient-style edition (handouts, large
/// print, the booklet, and each site's): not in the body, not on a resource card, not in a
/// table cell. A card's web address broken at `public-` was retyped as `publichealth`.
#[test]
fn no_line_in_any_patient_edition_ends_at_a_words_hyphen() {
    let mut names = Vec::new();
    let mut stack = vec![sample().1.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if name.ends_with(".pdf")
                && (p.parent().unwrap().ends_with("handouts")
                    || name.contains("large-print")
                    || name.contains("booklet"))
            {
                names.push(p);
            }
        }
    }
    names.sort();
    assert!(
        names.len() >= 40,
        "the sample's patient editions: {}",
        names.len()
    );
    for path in names {
        let pdf = read_pdf(&std::fs::read(&path).unwrap());
        for (p, runs) in pdf.runs.iter().enumerate() {
            for r in runs {
                let t = r.text.trim_end();
                let mut tail = t.chars().rev();
                let split =
                    tail.next() == Some('-') && tail.next().is_some_and(char::is_alphanumeric);
                // At the end of its line: nothing drawn to its right on the same baseline.
                let last = !runs
                    .iter()
                    .any(|o| (o.y - r.y).abs() < 0.5 && o.x > r.end - 0.5 && o.x < r.end + 40.0);
                assert!(
                    !(split && last),
                    "{} p{}: a line ends at a word's hyphen: {t:?}",
                    path.display(),
                    p + 1
                );
            }
        }
    }
}

/// A handout is its article: its document title and language (what a screen reader
/// announces, what a file list shows) are the article's, not the book's.
#[test]
fn a_handouts_title_and_language_are_its_articles() {
    for (name, title, lang) in [
        (
            "handouts/que-es-el-kratom.pdf",
            "¿Qué es el kratom?",
            "es-US",
        ),
        (
            "handouts/what-is-kratom-large-print.pdf",
            "What is kratom?",
            "en-US",
        ),
    ] {
        let pdf = pdf(name);
        let info = pdf
            .doc
            .trailer
            .get(b"Info")
            .and_then(|r| pdf.doc.get_object(r.as_reference()?))
            .and_then(lopdf::Object::as_dict)
            .unwrap();
        let read = |d: &lopdf::Dictionary, key: &[u8]| match d.get(key) {
            Ok(lopdf::Object::String(bytes, _)) => {
                if bytes.starts_with(&[0xFE, 0xFF]) {
                    let units: Vec<u16> = bytes[2..]
                        .chunks(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect();
                    String::from_utf16_lossy(&units)
                } else {
                    String::from_utf8_lossy(bytes).to_string()
                }
            }
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(read(info, b"Title"), title, "{name}");
        assert_eq!(read(pdf.doc.catalog().unwrap(), b"Lang"), lang, "{name}");
    }
}
