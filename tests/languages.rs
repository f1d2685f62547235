//! Handouts in the ten languages clinics meet most, read back from the PDFs and the EPUB:
//! the furniture in the language, every character printed, the language's line-breaking,
//! hyphenation and direction rules visible where they apply.

mod common;
use common::*;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

const LANGUAGES: [&str; 10] = ["es", "zh", "vi", "ko", "tl", "ru", "ar", "ht", "fr", "pt"];

/// The fixture published once for every test here.
fn published() -> &'static (TempDir, PathBuf) {
    static OUT: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    OUT.get_or_init(|| {
        let tmp = TempDir::new("languages");
        let m = tmp.path().join("m");
        copy_dir(&root().join("tests/fixtures/languages"), &m);
        let out = tmp.path().join("out");
        let o = publish(&m, &out, &[]);
        assert!(o.status.success(), "publish failed: {}", stderr(&o));
        (tmp, out)
    })
}

fn handout(lang: &str) -> PdfText {
    read_pdf(&std::fs::read(published().1.join(format!("handouts/{lang}.pdf"))).unwrap())
}

fn source(lang: &str) -> String {
    let text = std::fs::read_to_string(
        root().join(format!("tests/fixtures/languages/articles/{lang}.md")),
    )
    .unwrap();
    // The body after the front matter, and the front matter's title and summary.
    let end = text[3..].find("\n---\n").unwrap() + 8;
    let front: String = text[..end]
        .lines()
        .filter_map(|l| {
            l.strip_prefix("title: ")
                .or_else(|| l.strip_prefix("summary: "))
        })
        .collect::<Vec<_>>()
        .join("\n");
    // Markdown's markers are not text.
    (front + "\n" + &text[end..]).replace("[!WARNING]", "")
}

/// The text of right-to-left pages in reading order: each line's glyphs from the right.
fn all_text_rtl(pdf: &PdfText) -> String {
    pdf.pages
        .iter()
        .flat_map(|p| p.iter())
        .map(|l| l.glyphs.iter().rev().cloned().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The words of a locale table (the same files the tool carries).
fn table(lang: &str) -> std::collections::HashMap<String, serde_yaml::Value> {
    let path = root().join(format!("src/locale/strings/{lang}.yaml"));
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn word(t: &std::collections::HashMap<String, serde_yaml::Value>, key: &str) -> String {
    t[key].as_str().unwrap().to_string()
}

#[test]
fn every_handout_speaks_its_own_language() {
    let en = table("en");
    for lang in LANGUAGES {
        let pdf = handout(lang);
        let text = if lang == "ar" {
            all_text_rtl(&pdf)
        } else {
            all_text(&pdf)
        };
        let t = table(lang);
        let page = word(&t, "page_of")
            .replace("{page}", "1")
            .replace("{total}", "1");
        for own in [
            page.as_str(),
            &word(&t, "help.title"),
            &word(&t, "review.draft").to_uppercase(),
            &word(&t, "alert.warning").to_uppercase(),
        ] {
            assert!(text.contains(own), "{lang}: {own:?} missing from\n{text}");
        }
        for english in [
            "Page 1 of 1".to_string(),
            word(&en, "help.title"),
            word(&en, "review.draft"),
            word(&en, "review.draft").to_uppercase(),
            "WARNING".to_string(),
            "Call ".to_string(),
            word(&en, "help.scan"),
        ] {
            assert!(
                !text.contains(&english),
                "{lang}: English {english:?} in\n{text}"
            );
        }
    }
}

#[test]
fn every_character_of_every_language_is_printed() {
    for lang in LANGUAGES {
        let pdf = handout(lang);
        let text = all_text(&pdf);
        assert!(
            !text.contains('\u{fffd}'),
            "{lang}: a replacement character"
        );
        let printed: HashSet<char> = text.chars().collect();
        let missing: String = source(lang)
            .chars()
            .filter(|c| c.is_alphanumeric() || "，。、；：！？（）—«»".contains(*c))
            .filter(|c| !printed.contains(c))
            .collect::<HashSet<char>>()
            .into_iter()
            .collect();
        assert!(missing.is_empty(), "{lang}: not printed: {missing:?}");
        // No glyph is .notdef (glyph 0): every code maps back to text.
        for page in &pdf.runs {
            for run in page {
                assert!(run
                    .glyphs
                    .iter()
                    .all(|g| !g.is_empty() || run.text.is_empty()));
            }
        }
    }
}

#[test]
fn chinese_lines_never_start_with_closing_punctuation() {
    let pdf = handout("zh");
    let mut lines = 0;
    for page in &pdf.pages {
        for l in page.iter().filter(|l| l.y > 60.0 && l.y < 732.0) {
            let first = l.text.trim_start().chars().next().unwrap_or(' ');
            assert!(
                !"，。、；：！？）」』".contains(first),
                "a line starts with {first:?}: {}",
                l.text
            );
            lines += 1;
        }
    }
    // The long paragraph wraps: the rule had lines to act on.
    assert!(lines >= 12, "{lines} lines");
}

#[test]
fn korean_lines_break_only_between_words() {
    let pdf = handout("ko");
    let words: HashSet<String> = source("ko")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let src = source("ko")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut checked = 0;
    for l in pdf.pages[0].iter().filter(|l| l.y > 60.0 && l.y < 732.0) {
        let tokens: Vec<&str> = l.text.trim_start_matches('•').split_whitespace().collect();
        // Lines of the article's own text (not the furniture or the help list).
        if !src.contains(&tokens.join(" ")) {
            continue;
        }
        // Every token a line starts or ends with is a whole word of the source (headings,
        // markers and the furniture aside).
        if tokens.len() < 3
            || !tokens
                .iter()
                .all(|t| t.chars().any(|c| ('가'..='힣').contains(&c)))
        {
            continue;
        }
        for t in [tokens[0], tokens[tokens.len() - 1]] {
            assert!(words.contains(t), "{t:?} is not a whole word: {}", l.text);
        }
        checked += 1;
    }
    assert!(checked >= 5, "{checked} lines checked");
}

#[test]
fn arabic_is_set_right_to_left_and_reads_back_in_order() {
    let pdf = handout("ar");
    let page = &pdf.pages[0];
    // A handout's 420-point measure, centred on letter paper.
    let text_right = 612.0 - 96.0;
    // The title and the paragraph's lines end at the right margin, not the left.
    let body: Vec<&TextLine> = page
        .iter()
        .filter(|l| {
            l.y > 60.0
                && l.y < 600.0
                && l.text.chars().any(|c| ('\u{600}'..='\u{6ff}').contains(&c))
        })
        // The review status under the title is the tool's, not the source's.
        .filter(|l| {
            !l.glyphs
                .iter()
                .rev()
                .cloned()
                .collect::<String>()
                .contains("مسودة")
        })
        .collect();
    assert!(body.len() >= 6, "{} Arabic lines", body.len());
    for l in &body[..4] {
        assert!(
            (l.end - text_right).abs() < 2.0,
            "line ends at {}: {}",
            l.end,
            l.text
        );
        assert!(l.x > 96.0 + 1.0 || l.end - l.x > 400.0, "starts at {}", l.x);
    }
    // Read right to left (glyph by glyph, clusters kept whole), each line is the source's
    // text in its order.
    let src = source("ar");
    let logical = |l: &TextLine| -> String { l.glyphs.iter().rev().cloned().collect() };
    let title = logical(body[0]);
    assert_eq!(title.trim(), "الوقاية من ضربة الحر");
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for l in &body[1..4] {
        let line = squash(&logical(l));
        assert!(
            squash(&src).contains(&line),
            "not in the source, in this order: {line}"
        );
    }
}

/// Spanish long words: hyphens are dear (a line must be half again as loose to avoid one),
/// so only a paragraph of words this long is sure to need some.
const LONG_SPANISH: &str = "La deshidratación extraordinariamente peligrosa requiere hospitalización inmediata, electrocardiograma, medicamentos intravenosos y responsabilidades compartidas. Desafortunadamente, la internacionalización de recomendaciones sanitarias contradictorias complica considerablemente la comunicación interdisciplinaria entre profesionales especializados, administraciones autonómicas y organizaciones internacionales comprometidas.";

#[test]
fn spanish_is_hyphenated_where_the_spanish_patterns_allow() {
    let tmp = TempDir::new("spanish-hyphens");
    let m = tmp.path().join("m");
    let article = format!("# Calor\n\n{LONG_SPANISH} {LONG_SPANISH}\n\n{LONG_SPANISH}\n");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Calor\nlanguage: es\n"),
            ("articles/calor.md", &article),
        ],
    );
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "pdf"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = read_pdf(&std::fs::read(out.join("calor.pdf")).unwrap());
    let es = hyphenation_patterns();
    let mut found = 0;
    for page in &pdf.pages {
        for pair in page.windows(2) {
            let Some(head) = pair[0].text.trim_end().strip_suffix('\u{ad}') else {
                continue;
            };
            let start = head.rsplit(' ').next().unwrap();
            let rest: String = pair[1]
                .text
                .chars()
                .take_while(|c| c.is_alphabetic())
                .collect();
            let word = format!("{start}{rest}").to_lowercase();
            if !LONG_SPANISH.to_lowercase().contains(&word) {
                continue;
            }
            use hyphenation::Hyphenator;
            let allowed = es.hyphenate(&word).breaks;
            assert!(
                allowed.contains(&start.len()),
                "{word} broken after {start:?}; Spanish allows {allowed:?}"
            );
            found += 1;
        }
    }
    assert!(found >= 1, "the Spanish paragraph has a hyphenated line");
}

fn hyphenation_patterns() -> hyphenation::Standard {
    use hyphenation::Load;
    hyphenation::Standard::from_embedded(hyphenation::Language::Spanish).unwrap()
}

#[test]
fn french_quotes_are_guillemets_with_narrow_spaces() {
    let text = all_text(&handout("fr"));
    assert!(text.contains("«\u{202f}coup de chaleur\u{202f}»"), "{text}");
}

#[test]
fn every_epub_article_carries_its_language_and_direction() {
    let (_, out) = published();
    let epub = read_zip(&std::fs::read(out.join("heat-safety-in-ten-languages.epub")).unwrap());
    for lang in LANGUAGES {
        let (_, data) = epub
            .iter()
            .find(|(n, _)| n.ends_with(&format!("/{lang}.xhtml")))
            .unwrap_or_else(|| panic!("{lang}.xhtml"));
        let xhtml = String::from_utf8_lossy(data);
        let tag = if lang == "zh" {
            "zh-Hans"
        } else if lang == "pt" {
            "pt-BR"
        } else {
            lang
        };
        assert!(
            xhtml.contains(&format!("lang=\"{tag}\" xml:lang=\"{tag}\"")),
            "{lang}: {}",
            &xhtml[..300]
        );
        assert_eq!(xhtml.contains("dir=\"rtl\""), lang == "ar", "{lang}");
    }
}

#[test]
fn check_names_the_formula_made_for_each_language() {
    let (_, _) = published();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["check", "--diagnostic-format", "short", "--manuscript"])
        .arg(root().join("tests/fixtures/languages"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    let row = |f: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("articles/{f}.md")))
            .unwrap_or_else(|| panic!("a row for {f}: {out}"))
            .to_string()
    };
    assert!(row("es").contains("Fernández-Huerta"));
    assert!(row("fr").contains("Kandel-Moles"));
    assert!(row("ru").contains("Oborneva"));
    for lang in ["zh", "ko", "vi", "tl", "ar", "ht"] {
        assert!(
            row(lang).contains("no measure for this language"),
            "{}",
            row(lang)
        );
        assert!(!row(lang).contains("Flesch"), "{}", row(lang));
    }
}

#[test]
fn the_sample_spanish_twin_is_scored_in_spanish() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["check", "--diagnostic-format", "short", "--manuscript"])
        .arg(root().join("manuscript"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let spanish: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("articles/es/"))
        .collect();
    assert_eq!(spanish.len(), 4, "{out}");
    for row in spanish {
        assert!(row.contains("Fernández-Huerta reading ease"), "{row}");
    }
    let english = out
        .lines()
        .filter(|l| l.starts_with("articles/") && l.contains("Flesch-Kincaid grade"));
    assert_eq!(english.count(), 4, "{out}");
}

#[test]
fn the_booklet_opens_page_one_on_a_right_hand_page_after_an_odd_front_matter() {
    let pdf = read_pdf(
        &std::fs::read(
            published()
                .1
                .join("heat-safety-in-ten-languages-booklet.pdf"),
        )
        .unwrap(),
    );
    // The front matter: a title page, and contents numbered ii, iii…
    let romans = ["ii", "iii", "iv", "v", "vi", "vii"];
    let front = 1 + pdf
        .runs
        .iter()
        .flatten()
        .filter(|r| r.y > 612.0 - 40.0 && romans.contains(&r.text.trim()))
        .count();
    assert_eq!(front % 2, 1, "this fixture's front matter is {front} pages");
    // The side that holds page 1, and the half it is on.
    let feet: Vec<(usize, f32)> = pdf
        .runs
        .iter()
        .enumerate()
        .flat_map(|(side, runs)| {
            runs.iter()
                .filter(|r| r.y > 612.0 - 40.0 && r.text.trim() == "1")
                .map(move |r| (side, r.x))
        })
        .collect();
    assert_eq!(feet.len(), 1, "one page 1: {feet:?}");
    assert!(feet[0].1 > 396.0, "page 1 on the right half: {feet:?}");
}

/// Text in a script no bundled font covers prints as replacement marks, one per syllable,
/// and its text layer keeps the words as written (issue 33: `தமிழ்` read back as
/// `தமிதழ்த`, a mark per character whose extras repeated the syllable's first letter).
#[test]
fn text_no_font_covers_keeps_its_words_in_the_text_layer() {
    let (_tmp, _m, out) = publish_files(
        "uncovered-script",
        &[
            ("book.yaml", "title: Scripts\nlanguage: en\n"),
            (
                "articles/a.md",
                "# Scripts\n\nThe word தமிழ் means Tamil, and हिन्दी means Hindi.\n",
            ),
        ],
        &["--only", "handouts"],
    );
    let pdf = read_pdf(&std::fs::read(out.join("handouts/a.pdf")).unwrap());
    let text = all_text(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("The word தமிழ் means Tamil, and हिन्दी means Hindi."),
        "{text}"
    );
}
