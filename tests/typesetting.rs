//! The typesetting rules, checked on the produced PDF read back line by line: no widows or
//! orphans, no heading at the foot of a page, footnotes on the page of their reference, table
//! headers repeated, hyphenation within its limits.

mod common;
use common::*;

const WORDS: &[&str] = &[
    "patients",
    "clinicians",
    "the",
    "leaf",
    "receptor",
    "withdrawal",
    "dependence",
    "pharmacology",
    "a",
    "of",
    "and",
    "treatment",
    "naloxone",
    "information",
    "responsibility",
    "considerably",
    "is",
    "with",
    "to",
    "understanding",
    "medication",
    "buprenorphine",
    "tolerance",
    "effects",
    "in",
    "people",
    "concentrated",
    "products",
];

/// Deterministic filler prose of `n` words.
fn prose(seed: usize, n: usize) -> String {
    (0..n)
        .map(|i| WORDS[(seed * 31 + i * 17 + i * i) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

struct Body {
    pages: Vec<Vec<TextLine>>,
}

/// Body lines of every article page (running heads and page numbers left out).
fn body_lines(pdf: &PdfText) -> Body {
    let first = pdf.first_arabic_page();
    let pages = pdf.pages[first..]
        .iter()
        .map(|p| {
            p.iter()
                .filter(|l| l.y > 60.0 && l.y < 792.0 - 60.0)
                .cloned()
                .collect()
        })
        .collect();
    Body { pages }
}

fn build(name: &str, article: &str) -> (TempDir, PdfText) {
    let tmp = TempDir::new(name);
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Rules\nlanguage: en-US\n"),
            ("articles/a.md", article),
        ],
    );
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "pdf"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = read_pdf(&std::fs::read(out.join("rules.pdf")).unwrap());
    (tmp, pdf)
}

#[test]
fn no_widows_orphans_or_stranded_headings() {
    let mut md = String::from("# Rules\n\n");
    for i in 0..60 {
        if i % 7 == 3 {
            md.push_str(&format!("## Section {i}\n\n"));
        }
        // Paragraphs of one to nine lines.
        md.push_str(&format!("P{i} {}\n\n", prose(i, 5 + (i * 37) % 110)));
    }
    let (_t, pdf) = build("widows", &md);
    let body = body_lines(&pdf);
    assert!(body.pages.len() >= 4, "enough pages to test page breaks");
    for (k, page) in body.pages.iter().enumerate() {
        let Some(last) = page.last() else { continue };
        assert!(
            !last.text.starts_with("Section"),
            "page {k} ends with a heading: {:?}",
            last.text
        );
        let Some(next) = body.pages.get(k + 1) else {
            continue;
        };
        let starts_block = |t: &str| {
            t.starts_with("Section")
                || t.starts_with('P') && t[1..].starts_with(|c: char| c.is_ascii_digit())
        };
        if next.is_empty() || starts_block(&next[0].text) {
            continue; // the break falls between paragraphs
        }
        // The paragraph runs across the break: at least two lines on each side.
        let start = page
            .iter()
            .rposition(|l| {
                l.text.starts_with('P') && l.text[1..].starts_with(|c: char| c.is_ascii_digit())
            })
            .unwrap();
        let before = page.len() - start;
        let after = next
            .iter()
            .take_while(|l| {
                !(l.text.starts_with('P') && l.text[1..].starts_with(|c: char| c.is_ascii_digit()))
                    && !l.text.starts_with("Section")
            })
            .count();
        assert!(
            before >= 2,
            "orphan: one line of {:?} at the foot of page {k}",
            &page[start].text[..12]
        );
        assert!(
            after >= 2,
            "widow: one line of {:?} at the top of page {}",
            &page[start].text[..12],
            k + 1
        );
    }
}

#[test]
fn footnotes_sit_on_the_page_of_their_reference() {
    let mut md = String::from("# Notes\n\n");
    for i in 0..40 {
        md.push_str(&format!("Para{i} {}", prose(i, 40 + (i * 13) % 60)));
        if i % 3 == 1 {
            md.push_str(&format!(" marker{i}[^n{i}]"));
        }
        md.push_str("\n\n");
    }
    for i in (0..40).filter(|i| i % 3 == 1) {
        md.push_str(&format!(
            "[^n{i}]: Notetext{i} {}\n\n",
            prose(i + 5, 8 + (i % 4) * 20)
        ));
    }
    let (_t, pdf) = build("notes", &md);
    let body = body_lines(&pdf);
    let page_of = |needle: &str| {
        body.pages
            .iter()
            .position(|p| p.iter().any(|l| l.text.contains(needle)))
    };
    let mut checked = 0;
    for i in (0..40).filter(|i| i % 3 == 1) {
        let reference = page_of(&format!("marker{i}")).expect("reference printed");
        let note = page_of(&format!("Notetext{i} ")).expect("note printed");
        assert_eq!(
            reference, note,
            "note {i} is not on the page of its reference"
        );
        checked += 1;
    }
    assert_eq!(checked, 13);
    // Notes are set smaller than the text, below it.
    let p = &body.pages[page_of("Notetext1 ").unwrap()];
    let note = p.iter().find(|l| l.text.contains("Notetext1 ")).unwrap();
    let text = p.iter().find(|l| l.text.starts_with("Para")).unwrap();
    assert!(note.size < text.size && note.y > text.y);
}

#[test]
fn long_tables_repeat_their_header_row() {
    let mut md =
        String::from("# Table\n\nIntro.\n\n| Aspect | Kratom | Opioids |\n|---|---|---|\n");
    for i in 0..120 {
        md.push_str(&format!(
            "| Row{i} | {} | {} |\n",
            prose(i, 3 + i % 5),
            prose(i + 1, 2 + i % 3)
        ));
    }
    header_on_every_page("table", &md);
}

#[test]
fn long_html_tables_repeat_their_header_row() {
    let mut md = String::from(
        "# Table\n\nIntro.\n\n<table>\n<thead><tr><th>Aspect</th><th>Kratom</th></tr></thead>\n<tbody>\n",
    );
    for i in 0..120 {
        md.push_str(&format!(
            "<tr><td>Row{i}</td><td>{}</td></tr>\n",
            prose(i, 3 + i % 5)
        ));
    }
    md.push_str("</tbody>\n</table>\n");
    header_on_every_page("html-table", &md);
}

fn header_on_every_page(name: &str, md: &str) {
    let (_t, pdf) = build(name, md);
    let body = body_lines(&pdf);
    let mut pages_with_rows = 0;
    for (k, page) in body.pages.iter().enumerate() {
        let Some(first_row) = page.iter().position(|l| l.text.starts_with("Row")) else {
            continue;
        };
        pages_with_rows += 1;
        let header = page
            .iter()
            .position(|l| l.text.starts_with("Aspect"))
            .unwrap_or_else(|| panic!("page {k} has rows but no header"));
        assert!(
            header < first_row,
            "the header comes before the rows on page {k}"
        );
    }
    assert!(pages_with_rows >= 3, "the table spans pages");
}

#[test]
fn hyphenation_stays_within_its_limits() {
    let mut md = String::from("# Hyphens\n\n## Responsibilities considerably understanding\n\n");
    for i in 0..30 {
        md.push_str(&format!(
            "{} `pharmacologicalunderstanding`.\n\n",
            prose(i, 60)
        ));
    }
    let (_t, pdf) = build("hyphens", &md);
    let body = body_lines(&pdf);
    let lines: Vec<&TextLine> = body.pages.iter().flatten().collect();
    let hyphenated = |l: &TextLine| l.text.ends_with('\u{ad}');
    assert!(
        lines.iter().any(|l| hyphenated(l)),
        "some words are hyphenated"
    );
    let mut run = 0;
    for l in &lines {
        run = if hyphenated(l) { run + 1 } else { 0 };
        assert!(
            run <= 2,
            "three hyphenated lines in a row, ending with {:?}",
            l.text
        );
        if hyphenated(l) {
            let word = l
                .text
                .trim_end_matches('\u{ad}')
                .rsplit(' ')
                .next()
                .unwrap();
            assert!(
                word.chars().filter(|c| c.is_alphabetic()).count() >= 2,
                "too short a fragment: {word}"
            );
            assert!(
                !l.text.starts_with("Responsib"),
                "headings are not hyphenated"
            );
        }
    }
    // Copying gives the whole word: the hyphen at a break is a soft hyphen.
    let joined: String = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("");
    assert!(joined.replace('\u{ad}', "").contains("pharmacology"));
    assert!(
        !joined.contains("pharmacologicalunderstanding\u{ad}"),
        "code is not hyphenated"
    );
}

#[test]
fn a_row_taller_than_a_page_is_split_across_pages_in_order() {
    let cell: Vec<String> = (0..2500).map(|i| format!("word{i}")).collect();
    let md = format!(
        "# Tall\n\n| A | B |\n|---|---|\n| short | {} |\n| after | row |\n",
        cell.join(" ")
    );
    let (_t, pdf) = build("tall-row", &md);
    let mut seen = Vec::new();
    for page in &pdf.pages {
        for l in page {
            for (i, _) in l.text.match_indices("word") {
                let digits: String = l.text[i + 4..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                seen.push(digits.parse::<usize>().unwrap());
                assert!(
                    l.y < 792.0 - 72.0 + 1.0,
                    "text below the bottom margin: {:?}",
                    l.text
                );
            }
        }
    }
    assert!(
        seen == (0..2500).collect::<Vec<_>>(),
        "every word once, in order ({} seen)",
        seen.len()
    );
    let pages_with_words = pdf
        .pages
        .iter()
        .filter(|p| p.iter().any(|l| l.text.contains("word")))
        .count();
    assert!(pages_with_words >= 3);
    // The header row comes back on each page of the split row.
    for page in pdf
        .pages
        .iter()
        .filter(|p| p.iter().any(|l| l.text.contains("word1000")))
    {
        assert!(page.iter().any(|l| l.text.starts_with("AB")
            || l.text.starts_with("A ")
            || l.text == "A"
            || l.text.starts_with("A")));
    }
}

/// A page's foot never holds a heading over a single line of its section: a heading goes
/// over with two lines of text (or four of anything) under it, and a section of one line
/// goes over with the heading after it.
#[test]
fn a_heading_at_a_page_foot_has_two_lines_under_it() {
    let mut md = String::from("# Heads\n\n");
    for i in 0..160 {
        md.push_str(&format!("## Section {i}\n\n"));
        match i % 3 {
            // One line, then a one-line listing, then more text.
            0 => md.push_str(&format!(
                "Lead{i} {}.\n\n```\nlet x = {i};\n```\n\nMore{i} {}\n\n",
                prose(i, 6),
                prose(i + 3, 40)
            )),
            // A section of one line only.
            1 => md.push_str(&format!("Only{i} {}\n\n", prose(i, 7))),
            // Text of one to four lines, so sections start all down the page.
            _ => md.push_str(&format!("Text{i} {}\n\n", prose(i, 5 + (i * 29) % 50))),
        }
    }
    let (_t, pdf) = build("heads", &md);
    let body = body_lines(&pdf);
    assert!(body.pages.len() >= 5, "enough pages to test page breaks");
    let mut feet = 0;
    for (k, page) in body.pages.iter().enumerate().take(body.pages.len() - 1) {
        let Some(h) = page.iter().rposition(|l| l.text.starts_with("Section")) else {
            continue;
        };
        let under = page.len() - h - 1;
        feet += (under < 4) as usize;
        assert!(
            under >= 2,
            "page {k} ends with {:?} over {under} line(s)",
            page[h].text
        );
    }
    assert!(feet >= 3, "only {feet} pages end near a heading");
}

/// A footnote referred to again pages later is printed again at the foot of that page, with
/// the same number.
#[test]
fn a_note_referred_to_again_on_a_later_page_is_printed_there_too() {
    let mut md = String::from("# Again\n\nFirst mention[^src] here.\n\n");
    for i in 0..30 {
        md.push_str(&format!("Para{i} {}\n\n", prose(i, 90)));
    }
    md.push_str("Second mention[^src] here.\n\nThird mention[^src] just after it.\n\n");
    md.push_str("[^src]: Sourcetext FDA, 2024.\n");
    let (_t, pdf) = build("again", &md);
    let body = body_lines(&pdf);
    let pages_with = |needle: &str| -> Vec<usize> {
        body.pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.iter().any(|l| l.text.contains(needle)))
            .map(|(k, _)| k)
            .collect()
    };
    let first = pages_with("First mention")[0];
    let second = pages_with("Second mention")[0];
    assert!(second > first + 1, "the mentions are pages apart");
    let notes = pages_with("Sourcetext");
    assert_eq!(
        notes,
        if pages_with("Third mention")[0] == second {
            vec![first, second]
        } else {
            vec![first, second, second + 1]
        },
        "the note is printed on the first page and again where it is referred to later, once a page"
    );
    let numbers: Vec<String> = notes
        .iter()
        .map(|&k| {
            let line = body.pages[k]
                .iter()
                .find(|l| l.text.contains("Sourcetext"))
                .unwrap();
            line.text.split_whitespace().next().unwrap().to_string()
        })
        .collect();
    assert!(numbers.iter().all(|n| n == &numbers[0]), "{numbers:?}");
}

/// The Rust book's listings: the file name above and the caption under stay on the pages of
/// the listing's first and last lines, set smaller than the text.
#[test]
fn a_listing_keeps_its_file_name_and_caption() {
    let mut md = String::from("# Listings\n\n");
    for i in 0..40 {
        md.push_str(&format!("Text{i} {}\n\n", prose(i, 15 + (i * 41) % 120)));
        md.push_str(&format!(
            "<Listing number=\"1-{i}\" file-name=\"src/file{i}.rs\" caption=\"Caption{i} of the code\">\n\n```rust\nfn first{i}() {{\n    body();\n}}\nfn last{i}() {{}}\n```\n\n</Listing>\n\n"
        ));
    }
    let (_t, pdf) = build("listings", &md);
    let body = body_lines(&pdf);
    let page_of = |needle: &str| {
        body.pages
            .iter()
            .position(|p| p.iter().any(|l| l.text.contains(needle)))
            .unwrap_or_else(|| panic!("{needle} not printed"))
    };
    let text_size = body.pages[0]
        .iter()
        .find(|l| l.text.starts_with("Text0"))
        .unwrap()
        .size;
    for i in 0..40 {
        assert_eq!(
            page_of(&format!("src/file{i}.rs")),
            page_of(&format!("fn first{i}()"))
        );
        assert_eq!(
            page_of(&format!("Caption{i} ")),
            page_of(&format!("fn last{i}()"))
        );
        let caption = body.pages[page_of(&format!("Caption{i} "))]
            .iter()
            .find(|l| l.text.contains(&format!("Caption{i} ")))
            .unwrap();
        assert!(caption.size < text_size, "the caption is set smaller");
    }
}

/// A line ending in a hard break, or a paragraph's last line, is followed by the next line at
/// the ordinary distance: the breaker once chose the forced break twice (issue 32), which
/// panicked on this input and elsewhere set the line justified with an empty line under it.
#[test]
fn a_hard_break_and_a_paragraphs_end_leave_no_empty_line() {
    let crash = "ttu onrir oaaslt io att nasrne saieean rst iiano oo leernrt sir usnrt ntua \
                 einanerl rollsrl ii sssluoe.\\\nx";
    let article = format!(
        "# Breaks\n\n{crash}\n\n{}\n\n{}\n\n{}\n",
        prose(1, 60),
        prose(2, 60),
        prose(3, 60)
    );
    let (_tmp, _m, out) = publish_files(
        "hard-break",
        &[
            ("book.yaml", "title: Breaks\n"),
            ("articles/a.md", &article),
        ],
        &["--only", "pdf"],
    );
    let pdf = read_pdf(&std::fs::read(out.join("breaks.pdf")).unwrap());
    let body = body_lines(&pdf);
    let lines = &body.pages[0];
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.text.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?}: {lines:#?}"))
    };
    let (end, x) = (at("sssluoe."), at("x"));
    assert_eq!(
        x,
        end + 1,
        "the hard break's line is followed by the next: {lines:#?}"
    );
    // The distance between two lines of one paragraph, from the filler's lines.
    let first_filler = at(&prose(1, 60)[..20]);
    let line_gap = lines[first_filler + 1].y - lines[first_filler].y;
    let gap = lines[x].y - lines[end].y;
    assert!(
        (gap - line_gap).abs() < 0.1,
        "the line after the hard break is {gap} pt down, a line {line_gap} pt"
    );
    // Between paragraphs: the same distance after each paragraph's last line.
    let para_gaps: Vec<f32> = lines[at("ttu onrir")..]
        .windows(2)
        .map(|w| w[1].y - w[0].y)
        .filter(|g| (g - line_gap).abs() > 0.1)
        .collect();
    assert!(para_gaps.len() >= 3, "{para_gaps:?}");
    assert!(
        para_gaps
            .iter()
            .all(|g| (g - para_gaps[0]).abs() < 0.1 && *g < 2.0 * line_gap),
        "paragraph ends leave unequal or double gaps: {para_gaps:?}"
    );
}

/// A paragraph holding only an anchor (`<span id="ferris"></span>`, as the Rust book marks
/// places) is a destination, not an empty line: the paragraphs around it keep the ordinary
/// distance.
#[test]
fn an_anchor_alone_in_a_paragraph_takes_no_room() {
    let article = format!(
        "# Anchors\n\n{}\n\n{}\n\n<span id=\"here\"></span>\n\n{}\n\nSee [the place](#here).\n",
        prose(4, 40),
        prose(5, 40),
        prose(6, 40)
    );
    let (_tmp, _m, out) = publish_files(
        "anchor-paragraph",
        &[
            ("book.yaml", "title: Anchors\n"),
            ("articles/a.md", &article),
        ],
        &["--only", "pdf"],
    );
    let pdf = read_pdf(&std::fs::read(out.join("anchors.pdf")).unwrap());
    let lines = &body_lines(&pdf).pages[0];
    let first_of = |seed: usize| {
        let start = &prose(seed, 40)[..20];
        lines
            .iter()
            .position(|l| l.text.starts_with(start))
            .unwrap_or_else(|| panic!("no paragraph {seed}: {lines:#?}"))
    };
    let (b, c) = (first_of(5), first_of(6));
    // Each paragraph's first line down from the previous paragraph's last.
    let gap_before_b = lines[b].y - lines[b - 1].y;
    let gap_before_c = lines[c].y - lines[c - 1].y;
    assert!(
        (gap_before_b - gap_before_c).abs() < 0.1,
        "{gap_before_c} pt after the anchor, {gap_before_b} pt between plain paragraphs"
    );
}
