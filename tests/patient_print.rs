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
            // Note markers and callout icons are single characters, at 12 pt or more (ACB).
            let floor = if r.text.trim().chars().count() == 1 {
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
        assert!(
            !text.contains("WARNING") && !text.contains("CAUTION"),
            "{name}: capitals"
        );
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
