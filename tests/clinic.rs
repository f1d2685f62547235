//! For clinics: one-topic handouts, large print, review status, --final and `handout check`.

mod common;
use common::*;
use std::process::Command;

const REVIEWED: &str = "---\ntitle: Reviewed topic\nsummary: A reviewed summary line.\nreviewed: {by: \"Ana Ruiz, MD\", on: 2026-01-15, next: 2027-01-15}\nresources: [help]\n---\n\n## Part one\n\nShort text about the reviewed topic.\n";
const DRAFT: &str = "---\ntitle: Draft topic\nsummary: A draft summary line.\nresources: [help]\n---\n\n## Part one\n\nText of the draft topic.\n\n> [!COMPARISON] Two things\n>\n> | | Alpha | Beta |\n> |---|---|---|\n> | Colour | Red | Blue |\n> | Size | Small | Large |\n";

fn manuscript(tmp: &TempDir, extra: &[(&str, &str)]) -> std::path::PathBuf {
    let m = tmp.path().join("m");
    let mut files = vec![
        ("book.yaml", "title: Clinic Book\npublisher: Test Clinic\ndate: 2026-06-01\narticles: [articles/reviewed.md, articles/draft.md]\n"),
        ("resources.yaml", "- id: help\n  name: Help Line\n  category: Helplines\n  phone: 1-800-662-4357\n  url: https://www.samhsa.gov/find-help\n"),
        ("articles/reviewed.md", REVIEWED),
        ("articles/draft.md", DRAFT),
    ];
    files.extend_from_slice(extra);
    write_files(&m, &files);
    m
}

#[test]
fn every_article_gets_a_self_contained_handout() {
    let tmp = TempDir::new("handouts");
    let m = manuscript(&tmp, &[]);
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "handouts"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = std::fs::read_dir(out.join("handouts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(
        names,
        vec!["draft.pdf", "reviewed.pdf"],
        "one per article, no appendix, nothing else"
    );
    assert!(
        !out.join("clinic-book.pdf").exists() && !out.join("clinic-book.epub").exists(),
        "--only handouts"
    );

    let pdf = read_pdf(&std::fs::read(out.join("handouts/reviewed.pdf")).unwrap());
    let first = pdf.page_text(0);
    assert!(
        first.contains("Reviewed topic") && first.contains("A reviewed summary line."),
        "page one starts the article: {first}"
    );
    assert!(!all_text(&pdf).contains("Contents"), "no table of contents");
    // The review is part of the text under the title, and in short on every page's foot.
    assert!(
        first.contains("Reviewed by Ana Ruiz, MD on January 15, 2026"),
        "{first}"
    );
    let n = pdf.pages.len();
    for p in 0..n {
        // The footer's two lines: who, what status and which page; then which edition.
        let lines = &pdf.pages[p];
        let edition = lines[lines.len() - 1].text.clone();
        assert!(
            edition.contains("Edition of June 1, 2026")
                && edition.contains("Next review January 15, 2027"),
            "edition line: {edition}"
        );
        let foot = lines[lines.len() - 2].text.clone();
        assert!(
            foot.contains("Test Clinic") && foot.contains("Reviewed January 15, 2026"),
            "footer: {foot}"
        );
        assert!(
            foot.ends_with(&format!("Page {} of {n}", p + 1)),
            "footer: {foot}"
        );
    }
    assert!(
        pdf.page_text(n - 1).contains("Where to get help")
            && pdf.page_text(n - 1).contains("Help Line")
    );
    assert!(
        filled_rects(&pdf, n - 1)
            .iter()
            .filter(|r| r.gray == 0.0)
            .count()
            > 50,
        "a QR code on the help list"
    );
}

#[test]
fn unreviewed_articles_are_marked_draft_on_every_page_and_in_the_epub() {
    let tmp = TempDir::new("draft");
    let m = manuscript(&tmp, &[]);
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "pdf,epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = read_pdf(&std::fs::read(out.join("clinic-book.pdf")).unwrap());
    let mut draft_pages = 0;
    for p in pdf.first_arabic_page()..pdf.pages.len() {
        let text = pdf.page_text(p);
        let band = text.contains("DRAFT \u{2014} NOT CLINICALLY REVIEWED");
        let appendix = text.contains("Mentioned in:");
        if !appendix && (text.contains("Draft topic") || text.contains("draft topic")) {
            assert!(band, "page {p} of the draft article has no draft band");
            // the label is a ruled grey box across the text block, inside the margins
            assert!(
                filled_rects(&pdf, p).iter().any(|r| r.gray > 0.8
                    && r.gray < 1.0
                    && r.w >= 460.0
                    && r.x >= 18.0
                    && r.x + r.w <= 594.0),
                "page {p}: no draft label"
            );
            draft_pages += 1;
        }
        if !appendix && text.contains("Reviewed topic") && !text.contains("Draft topic") {
            assert!(!band, "a reviewed page is marked draft");
            assert!(
                text.contains("Reviewed January 15, 2026"),
                "the review status is in the footer"
            );
        }
    }
    assert!(draft_pages >= 1);
    // The appendix is the tool's own page: never marked draft.
    let last = pdf.page_text(pdf.pages.len() - 1);
    assert!(last.contains("Mentioned in:") && !last.contains("NOT CLINICALLY REVIEWED"));
    let entries = read_zip(&std::fs::read(out.join("clinic-book.epub")).unwrap());
    let page = |name: &str| {
        String::from_utf8(
            entries
                .iter()
                .find(|(n, _)| n.ends_with(name))
                .unwrap()
                .1
                .clone(),
        )
        .unwrap()
    };
    assert!(page("draft.xhtml")
        .contains("<p class=\"review draft\">DRAFT \u{2014} not clinically reviewed</p>"));
    assert!(page("reviewed.xhtml")
        .contains("<p class=\"review\">Reviewed by Ana Ruiz, MD on January 15, 2026</p>"));
}

#[test]
fn large_print_is_big_ragged_and_linear() {
    let tmp = TempDir::new("large");
    let m = manuscript(&tmp, &[]);
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "large-print"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.join("handouts/draft-large-print.pdf").exists()
            && out.join("handouts/reviewed-large-print.pdf").exists()
    );
    assert!(!out.join("handouts/draft.pdf").exists());
    let pdf = read_pdf(&std::fs::read(out.join("clinic-book-large-print.pdf")).unwrap());
    // Body text: the most common size is 18 pt or more, set in Atkinson Hyperlegible.
    let mut sizes = std::collections::HashMap::new();
    for l in pdf.pages.iter().flatten() {
        *sizes.entry((l.size * 10.0).round() as i32).or_insert(0) += l.text.len();
    }
    let body = *sizes.iter().max_by_key(|(_, n)| **n).unwrap().0 as f32 / 10.0;
    assert!(body >= 18.0, "body text at {body} pt");
    let fonts: Vec<String> = pdf
        .doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.has(b"DescendantFonts"))
        .map(|d| {
            String::from_utf8_lossy(d.get(b"BaseFont").unwrap().as_name().unwrap()).to_string()
        })
        .collect();
    assert!(
        fonts
            .iter()
            .any(|f| f.contains("AtkinsonHyperlegible-Regular")),
        "{fonts:?}"
    );
    // Lines of at most six inches, spaced at 1.5 or more, ragged and unhyphenated.
    let body_page = pdf.first_arabic_page();
    let lines: Vec<&TextLine> = pdf.runs[body_page..]
        .iter()
        .flatten()
        .filter(|l| (l.size - 18.0).abs() < 0.1)
        .collect();
    let left = lines.iter().map(|l| l.x).fold(f32::MAX, f32::min);
    let page_w = 612.0;
    assert!(
        page_w - 2.0 * left <= 433.0,
        "text block {} pt wide",
        page_w - 2.0 * left
    );
    assert!(
        !lines.iter().any(|l| l.text.ends_with('\u{ad}')),
        "no hyphenation"
    );
    let mut gaps: Vec<f32> = Vec::new();
    for p in &pdf.pages[body_page..] {
        // The text block's lines (the furniture above and below it are single lines).
        let ys: Vec<f32> = p
            .iter()
            .filter(|l| (l.size - 18.0).abs() < 0.1 && l.y > 84.0 && l.y < 792.0 - 84.0)
            // One column: the lines at the text block's left (a QR caption sits beside).
            .filter(|l| l.x < left + 40.0)
            .map(|l| l.y)
            .collect();
        gaps.extend(ys.windows(2).map(|w| w[1] - w[0]).filter(|g| *g > 0.0));
    }
    assert!(
        gaps.iter().all(|g| *g >= 27.0 - 0.01),
        "line spacing under 1.5: {:?}",
        gaps.iter().fold(f32::MAX, |a, b| a.min(*b))
    );
    // The comparison is linear: labelled lines per aspect, no shaded box.
    let text = all_text(&pdf);
    assert!(text.contains("Comparison: Two things"));
    assert!(
        text.contains("Colour") && text.contains("Alpha: Red") && text.contains("Beta: Blue"),
        "{text}"
    );
    for p in 0..pdf.pages.len() {
        assert!(
            !filled_rects(&pdf, p)
                .iter()
                .any(|r| (r.gray - 0.93).abs() < 0.01 && r.w > 300.0),
            "a shaded box on page {p}"
        );
    }
    // Its own table of contents, pointing at its own pages.
    let first = pdf.first_arabic_page();
    let toc: Vec<&TextLine> = pdf.pages[1..first]
        .iter()
        .flatten()
        .filter(|l| l.text.starts_with("Draft topic"))
        .collect();
    let num: usize = toc[0]
        .text
        .trim_start_matches("Draft topic")
        .trim_start_matches('.')
        .parse()
        .unwrap();
    assert!(pdf.page_body_text(first + num - 1).contains("Draft topic"));
}

#[test]
fn final_refuses_unreviewed_and_overdue_articles() {
    let tmp = TempDir::new("final");
    let m = manuscript(&tmp, &[]);
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--final"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("articles/draft.md") && lines[0].contains("not clinically reviewed"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");

    // Reviewed, but the next review fell due before this edition's date.
    let overdue = REVIEWED.replace("next: 2027-01-15", "next: 2026-03-01");
    std::fs::write(m.join("articles/reviewed.md"), overdue).unwrap();
    std::fs::write(
        m.join("articles/draft.md"),
        REVIEWED
            .replace("Reviewed topic", "Second topic")
            .replace("2027-01-15", "2027-02-01"),
    )
    .unwrap();
    let err = stderr(&publish(&m, &out, &["--final"]));
    assert!(err.contains("reviewed.md:1:1: error: review overdue: the next review was due on 2026-03-01, before this edition's date 2026-06-01"), "{err}");

    std::fs::write(m.join("articles/reviewed.md"), REVIEWED).unwrap();
    let o = publish(&m, &out, &["--final", "--only", "pdf"]);
    assert!(o.status.success(), "all reviewed: {}", stderr(&o));
}

fn check(m: &std::path::Path) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["check", "--diagnostic-format", "short", "--manuscript"])
        .arg(m)
        .arg("--fonts")
        .arg(root().join("fonts"))
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr),
    )
}

#[test]
fn check_reports_each_rule_with_its_position() {
    let tmp = TempDir::new("check");
    let hard = "---\ntitle: Hard words\nreviewed: {by: Dr X, on: 2025-01-01, next: 2026-01-01}\n---\n\n## Pharmacology\n\n#### Deeper\n\nThe pharmacological characterization of mitragynine demonstrates considerable agonism at multiple opioid receptor subtypes, substantially complicating interpretation. Concentrated preparations containing hydroxylated derivatives substantially increase physiological dependence probability.\n\n![](pic.png)\n\nA hieroglyph no bundled font has: \u{13000} and \u{13000}.\n";
    let m = manuscript(&tmp, &[("articles/reviewed.md", hard)]);
    std::fs::write(m.join("articles/pic.png"), image_bytes()).unwrap();
    let (code, out) = check(&m);
    assert_eq!(code, Some(0), "warnings only: {out}");
    let has = |needle: &str| {
        assert!(
            out.lines().any(|l| l.contains(needle)),
            "no line with {needle:?} in:\n{out}"
        )
    };
    has("reviewed.md:1:1: warning: reads harder than the book's limit of grade 8: Flesch-Kincaid grade");
    has("reviewed.md:8:1: warning: heading level 4 follows level 2");
    has("reviewed.md:12:1: warning: image `pic.png` has no alt text");
    has("reviewed.md:14:35: warning: no bundled font has the character");
    has("(2 times)");
    has("reviewed.md:3:1: warning: review overdue: the next review was due on 2026-01-01");
    has("draft.md:1:1: warning: not clinically reviewed");
    // The reading-level table comes last, before the summary.
    let table = out.find("article  ").unwrap();
    let row = out[table..]
        .lines()
        .find(|l| l.starts_with("articles/reviewed.md"))
        .expect("a row for the article");
    assert!(
        row.contains("Flesch-Kincaid grade") && row.contains("harder than the limit"),
        "{row}"
    );
    assert!(out.trim_end().ends_with("warning(s)"));

    // Errors make it fail: an unknown resource id.
    std::fs::write(
        m.join("articles/draft.md"),
        "---\ntitle: D\nresources: [nope]\n---\n\nSee [x](reviewed.md#missing).\n",
    )
    .unwrap();
    let (code, out) = check(&m);
    assert_eq!(code, Some(1), "{out}");
    has_in(&out, "draft.md:3:13: error: unknown resource id `nope`");
    std::fs::write(
        m.join("articles/draft.md"),
        "# D\n\nSee [x](reviewed.md#missing).\n",
    )
    .unwrap();
    // A missing anchor is a warning (mdBooks often link to headings renamed since): the link
    // is rewritten to the article's top.
    let (code, out) = check(&m);
    assert_eq!(code, Some(0), "{out}");
    has_in(&out, "draft.md:3:5: warning: link to `#missing`");
}

fn has_in(out: &str, needle: &str) {
    assert!(out.contains(needle), "no {needle:?} in:\n{out}");
}

fn image_bytes() -> Vec<u8> {
    let img = image::GrayImage::from_fn(40, 20, |x, _| image::Luma([(x * 6) as u8]));
    let mut buf = std::io::Cursor::new(Vec::new());
    img.write_to(&mut buf, image::ImageFormat::Png).unwrap();
    buf.into_inner()
}
