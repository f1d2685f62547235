//! Invariants of line and page breaking, stated over random input (issue 32): random
//! paragraphs in every style at random measures, and random element streams on random pages.
//! `cargo test` runs a bounded number of cases; `fuzz/` drives the whole pipeline for longer.

use super::flow::Elem;
use super::layout::keep_ends_together;
use super::lines::{Align, Line, LineSetter, Piece, Style, MAX_HANG};
use super::paginate::paginate;
use super::shape::Shaper;
use super::theme::Theme;
use crate::fonts::{self, Family};
use crate::paged::{Draw, Page};
use proptest::prelude::*;
use std::sync::{Arc, OnceLock};

fn shaper() -> &'static Shaper {
    // The shaper caches by word behind a RefCell, so each test thread builds its own; the
    // fonts themselves are loaded once.
    thread_local! {
        static SHAPER: &'static Shaper = Box::leak(Box::new(new_shaper()));
    }
    SHAPER.with(|s| *s)
}

fn new_shaper() -> Shaper {
    static FONTS: OnceLock<fonts::FontSet> = OnceLock::new();
    let set = FONTS.get_or_init(|| {
        fonts::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")).unwrap()
    });
    Shaper::new(set).unwrap()
}

/// The number of random cases: bounded in `cargo test`, more with `PROPTEST_CASES` set
/// (`PROPTEST_CASES=100000 cargo test --lib properties` is the long run).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One token of a random paragraph.
#[derive(Debug, Clone)]
enum Token {
    Word(String),
    /// A word with a hyphen of its own (`self-aware`), which patient styles never split.
    Compound(String, String),
    /// A word the English patterns hyphenate.
    Long(&'static str),
    Code(String),
    Url(&'static str),
    /// A run of right-to-left text inside the paragraph.
    Arabic(&'static str),
    Cjk(String),
    /// A footnote mark: raised, smaller, straight after the word before it.
    NoteMark(u32),
    /// Sentence or clause punctuation after the word before it.
    Punct(char),
    HardBreak,
}

const LONG_WORDS: &[&str] = &[
    "withdrawal",
    "responsibility",
    "benzodiazepines",
    "international",
    "understanding",
    "administration",
    "hydroxymitragynine",
    "characteristically",
];
const URLS: &[&str] = &[
    "https://www.fda.gov/news-events/public-health-focus/fda-and-kratom",
    "findtreatment.gov",
    "https://nida.nih.gov/research-topics/kratom",
];
const ARABIC: &[&str] = &["مرحبا", "الكراتوم", "السلامة أولا", "١٢٣"];
const HAN: &str = "中文字体排版测试药物安全帮助医生电话";

fn letters(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::char::range('a', 'z'), min..=max)
        .prop_map(|v| v.into_iter().collect())
}

fn token() -> impl Strategy<Value = Token> {
    prop_oneof![
        12 => letters(1, 12).prop_map(Token::Word),
        2 => (letters(2, 7), letters(2, 8)).prop_map(|(a, b)| Token::Compound(a, b)),
        2 => proptest::sample::select(LONG_WORDS).prop_map(Token::Long),
        1 => (letters(1, 6), letters(1, 8), proptest::sample::select(&["::", "_", "."][..]))
            .prop_map(|(a, b, sep)| Token::Code(format!("{a}{sep}{b}"))),
        1 => proptest::sample::select(URLS).prop_map(Token::Url),
        1 => proptest::sample::select(ARABIC).prop_map(Token::Arabic),
        1 => proptest::collection::vec(0..HAN.chars().count(), 1..8)
            .prop_map(|ix| Token::Cjk(ix.into_iter().map(|i| HAN.chars().nth(i).unwrap()).collect())),
        1 => (1u32..30).prop_map(Token::NoteMark),
        2 => proptest::sample::select(&['.', ',', ';', ':', '!', '?'][..]).prop_map(Token::Punct),
        1 => Just(Token::HardBreak),
    ]
}

/// The styles the editions set paragraphs in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Edition {
    /// 10.5 pt serif, justified and hyphenated.
    Book,
    /// 12 pt serif, ragged, no word split at its hyphen.
    Handout,
    /// 18 pt Atkinson Hyperlegible, ragged, no word split at its hyphen.
    LargePrint,
    /// A right-to-left paragraph, justified, its lines mirrored.
    RightToLeft,
}

impl Edition {
    fn body(self) -> Style {
        match self {
            Edition::Book | Edition::RightToLeft => Style::new(Family::Serif, 10.5),
            Edition::Handout => Style::new(Family::Serif, 12.0),
            Edition::LargePrint => Style::new(Family::Legible, 18.0),
        }
    }
    fn patient(self) -> bool {
        matches!(self, Edition::Handout | Edition::LargePrint)
    }
    fn setter(self, sh: &'static Shaper) -> (LineSetter<'static>, Align) {
        let setter = LineSetter::new(sh, &[], 1.3);
        match self {
            Edition::Book => (
                setter.hyphenating(crate::locale::hyphenation::patterns("en")),
                Align::Justify,
            ),
            Edition::Handout | Edition::LargePrint => {
                (setter.keeping_hyphenated_words(), Align::Left)
            }
            Edition::RightToLeft => (
                LineSetter {
                    rtl: true,
                    mirrored: true,
                    ..setter
                },
                Align::Justify,
            ),
        }
    }
}

/// A paragraph as the layout hands it over: its pieces, the characters it must set (no
/// white space) and, for each hard break, how many of those characters come before it.
struct Paragraph {
    pieces: Vec<Piece>,
    chars: Vec<char>,
    breaks: Vec<usize>,
    /// Whether any text runs right to left (its lines are drawn in visual order).
    bidi: bool,
}

fn paragraph(tokens: &[Token], edition: Edition) -> Paragraph {
    let body = edition.body();
    let code = Style::new(Family::Mono, body.size * 0.9);
    let mark = Style {
        size: body.size * 0.6,
        rise: body.size * 0.35,
        ..body
    };
    let mut p = Paragraph {
        pieces: Vec::new(),
        chars: Vec::new(),
        breaks: Vec::new(),
        bidi: edition == Edition::RightToLeft,
    };
    let mut at_start = true;
    for t in tokens {
        // Hard breaks only between words, never two in a row: a paragraph cannot start or
        // end with one in Markdown, and two in a row ask for an empty line.
        if matches!(t, Token::HardBreak) {
            if !at_start && !matches!(p.pieces.last(), Some(Piece::Break)) {
                p.pieces.push(Piece::Break);
                p.breaks.push(p.chars.len());
            }
            continue;
        }
        let attached = matches!(t, Token::NoteMark(_) | Token::Punct(_));
        if !at_start && !attached && !matches!(p.pieces.last(), Some(Piece::Break)) {
            p.pieces.push(Piece::Text(" ".into(), body));
        }
        let (text, style) = match t {
            Token::Word(w) => (w.clone(), body),
            Token::Compound(a, b) => (format!("{a}-{b}"), body),
            Token::Long(w) => (w.to_string(), body),
            Token::Code(c) => (c.clone(), code),
            Token::Url(u) => (u.to_string(), body),
            Token::Arabic(a) => {
                p.bidi = true;
                (a.to_string(), body)
            }
            Token::Cjk(c) => (c.clone(), body),
            Token::NoteMark(n) => (n.to_string(), mark),
            Token::Punct(c) => (c.to_string(), body),
            Token::HardBreak => unreachable!(),
        };
        p.chars.extend(text.chars().filter(|c| !c.is_whitespace()));
        p.pieces.push(Piece::Text(text, style));
        at_start = false;
    }
    if matches!(p.pieces.last(), Some(Piece::Break)) {
        p.pieces.pop();
        p.breaks.pop();
    }
    p
}

/// The characters a line sets, in drawing order, without white space and without the
/// hyphen a hyphenated line ends with.
fn line_chars(line: &Line) -> Vec<char> {
    line.draws
        .iter()
        .filter_map(|d| match d {
            Draw::Text(r) => Some(r.glyphs.iter().flat_map(|g| g.text.as_str().chars())),
            _ => None,
        })
        .flatten()
        .filter(|c| !c.is_whitespace() && *c != '\u{ad}')
        .collect()
}

/// The left and right edges of what a line draws.
fn extent(line: &Line) -> Option<(f32, f32)> {
    line.draws
        .iter()
        .filter_map(|d| match d {
            Draw::Text(r) => {
                let w: f32 = r.glyphs.iter().map(|g| g.advance).sum();
                Some((r.x, r.x + w))
            }
            _ => None,
        })
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
}

fn check_paragraph(tokens: &[Token], edition: Edition, width: f32) -> Result<(), TestCaseError> {
    let sh = shaper();
    let p = paragraph(tokens, edition);
    let (setter, align) = edition.setter(sh);
    let lines = setter.set(&p.pieces, width, align);
    let set: Vec<Vec<char>> = lines.iter().map(line_chars).collect();

    // Every character is set exactly once, and in order (within a line, right-to-left runs
    // are drawn in visual order, so there the line's characters are compared as a set).
    let all: Vec<char> = set.iter().flatten().copied().collect();
    if p.bidi {
        let (mut a, mut b) = (all.clone(), p.chars.clone());
        a.sort_unstable();
        b.sort_unstable();
        prop_assert_eq!(a, b, "characters lost or doubled");
    } else {
        prop_assert_eq!(&all, &p.chars, "characters lost, doubled or reordered");
    }

    // No line is empty, and none is wider than the measure plus the allowed protrusion.
    for (i, (line, chars)) in lines.iter().zip(&set).enumerate() {
        prop_assert!(
            !chars.is_empty() || p.chars.is_empty(),
            "line {} of {} is empty",
            i,
            lines.len()
        );
        if let Some((left, right)) = extent(line) {
            prop_assert!(left >= -MAX_HANG - 0.05, "line {} starts at {}", i, left);
            prop_assert!(
                right <= width + MAX_HANG + 0.05,
                "line {} ends at {} past {}",
                i,
                right,
                width
            );
        }
    }

    // A paragraph's last line, and a line that ends at a hard break, is never stretched.
    let mut count = 0;
    for (i, chars) in set.iter().enumerate() {
        count += chars.len();
        if i + 1 == set.len() || p.breaks.contains(&count) {
            prop_assert!(
                lines[i].ratio <= 1e-3,
                "line {} ends its paragraph or a hard break yet is stretched ({})",
                i,
                lines[i].ratio
            );
        }
    }
    // Each hard break ends a line.
    let mut count = 0;
    let line_ends: Vec<usize> = set
        .iter()
        .map(|c| {
            count += c.len();
            count
        })
        .collect();
    for b in &p.breaks {
        prop_assert!(
            line_ends.contains(b),
            "no line ends at the hard break after {} characters",
            b
        );
    }

    // In the patient styles no line ends inside a word at its own hyphen.
    if edition.patient() {
        for (i, pair) in set.windows(2).enumerate() {
            let ends_in_hyphen = pair[0].last() == Some(&'-');
            let next_letter = pair[1].first().is_some_and(|c| c.is_alphanumeric());
            prop_assert!(
                !(ends_in_hyphen && next_letter),
                "line {} ends at a word's hyphen: {:?} / {:?}",
                i,
                pair[0].iter().collect::<String>(),
                pair[1].iter().collect::<String>()
            );
        }
    }
    Ok(())
}

fn edition() -> impl Strategy<Value = Edition> {
    prop_oneof![
        3 => Just(Edition::Book),
        2 => Just(Edition::Handout),
        2 => Just(Edition::LargePrint),
        1 => Just(Edition::RightToLeft),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(192),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn line_breaking_sets_every_character_once_within_the_measure(
        tokens in proptest::collection::vec(token(), 0..80),
        edition in edition(),
        width in 60.0f32..480.0,
    ) {
        check_paragraph(&tokens, edition, width)?;
    }
}

/// The smallest input that made the breaker choose one forced break twice (issue 32): it
/// panicked slicing its items, or set the line before the break justified and then an empty
/// line. Every measure from 150 to 450 pt is tried.
#[test]
fn a_hard_break_after_a_line_that_must_shrink_is_taken_once() {
    let text = "ttu onrir oaaslt io att nasrne saieean rst iiano oo leernrt sir usnrt ntua \
                einanerl rollsrl ii sssluoe.";
    let tokens: Vec<Token> = text
        .split(' ')
        .flat_map(|w| match w.strip_suffix('.') {
            Some(w) => vec![Token::Word(w.into()), Token::Punct('.')],
            None => vec![Token::Word(w.into())],
        })
        .chain([Token::HardBreak, Token::Word("x".into())])
        .collect();
    for tenth in 1500..4500 {
        let width = tenth as f32 / 10.0;
        check_paragraph(&tokens, Edition::Book, width)
            .unwrap_or_else(|e| panic!("at {width} pt: {e}"));
    }
}

// ---- Page breaking ----

/// A random element: a run of text lines (a paragraph, kept two and two at its ends), a
/// heading, a tall block (a figure or a code listing), or an element that starts a page.
#[derive(Debug, Clone)]
enum Block {
    Paragraph { lines: usize, notes: Vec<usize> },
    Heading,
    Tall(f32),
    Article,
}

fn block() -> impl Strategy<Value = Block> {
    prop_oneof![
        6 => (1usize..14, proptest::collection::vec(1usize..6, 0..3))
            .prop_map(|(lines, notes)| Block::Paragraph { lines, notes }),
        2 => Just(Block::Heading),
        1 => (10.0f32..900.0).prop_map(Block::Tall),
        1 => Just(Block::Article),
    ]
}

fn elem(id: usize, height: f32) -> Elem {
    Elem {
        height,
        space_before: 4.0,
        dests: vec![(format!("e{id}"), 0.0)],
        // Something to draw, so the page counts as begun.
        draws: vec![Draw::Tag(None)],
        ..Default::default()
    }
}

/// The elements for `blocks`, with each one's height.
fn elements(blocks: &[Block], line_h: f32) -> Vec<Elem> {
    let mut out: Vec<Elem> = Vec::new();
    let mut notes = 0;
    for b in blocks {
        match b {
            Block::Paragraph { lines, notes: refs } => {
                let first = out.len();
                for _ in 0..*lines {
                    let mut e = elem(out.len(), line_h);
                    e.text_line = true;
                    out.push(e);
                }
                keep_ends_together(&mut out[first..], 2);
                for (k, &n) in refs.iter().enumerate() {
                    let note: Vec<Elem> = (0..n)
                        .map(|j| Elem {
                            height: line_h * 0.8,
                            space_before: 2.0,
                            dests: vec![(format!("n{notes}.{j}"), 0.0)],
                            draws: vec![Draw::Tag(None)],
                            ..Default::default()
                        })
                        .collect();
                    notes += 1;
                    let at = first + (k * 3) % lines;
                    out[at].notes.push(Arc::new(note));
                }
            }
            Block::Heading => {
                let mut e = elem(out.len(), line_h * 1.6);
                e.heading = true;
                e.keep_with_next = true;
                out.push(e);
            }
            Block::Tall(h) => out.push(elem(out.len(), *h)),
            Block::Article => {
                let mut e = elem(out.len(), line_h * 2.0);
                e.break_before = true;
                e.heading = true;
                e.keep_with_next = true;
                out.push(e);
            }
        }
    }
    out
}

/// Where each destination was placed: (page, y).
fn placed(pages: &[Page], prefix: char) -> Vec<(String, usize, f32)> {
    pages
        .iter()
        .enumerate()
        .flat_map(|(p, page)| {
            page.dests
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(move |(k, y)| (k.clone(), p, *y))
        })
        .collect()
}

fn check_pages(blocks: &[Block], paper: (f32, f32), large: bool) -> Result<(), TestCaseError> {
    let theme = if large {
        Theme::large_print(paper)
    } else {
        Theme::for_paper(paper)
    };
    let line_h = theme.body_size * theme.leading;
    let elems = elements(blocks, line_h);
    let heights: Vec<f32> = elems.iter().map(|e| e.height).collect();
    let starts: Vec<bool> = elems.iter().map(|e| e.break_before).collect();
    let keeps: Vec<usize> = elems.iter().map(|e| e.keep).collect();
    let body_h = theme.page_h - theme.margin_top - theme.margin_bottom;
    let pages = paginate(vec![(Some(0), elems)], &theme);

    // Every element lands on exactly one page, in order.
    let found = placed(&pages, 'e');
    prop_assert_eq!(found.len(), heights.len(), "elements lost or doubled");
    for (i, (key, page, y)) in found.iter().enumerate() {
        prop_assert_eq!(key, &format!("e{i}"), "elements out of order");
        if i > 0 {
            prop_assert!(*page >= found[i - 1].1);
        }
        // No page is over its height: an element that fits a page ends above the bottom
        // margin and above the footnotes of its page.
        let notes_top = placed(&pages[*page..=*page], 'n')
            .iter()
            .map(|(_, _, y)| *y)
            .fold(theme.page_h - theme.margin_bottom, f32::min);
        if heights[i] <= body_h {
            prop_assert!(
                y + heights[i] <= notes_top + NOTE_SLACK,
                "element {} ({} pt) on page {} ends at {}, below {}",
                i,
                heights[i],
                page,
                y + heights[i],
                notes_top
            );
        }
        prop_assert!(
            *y >= theme.margin_top - 0.01,
            "element {} above the top margin",
            i
        );
        // An element that starts an article starts a page.
        if starts[i] && i > 0 {
            prop_assert!(
                found[i - 1].1 < *page,
                "element {} starts an article but shares page {}",
                i,
                page
            );
        }
        // A keep group (a paragraph's first two lines, its last two) shares a page, when it
        // fits on one.
        let group = i..(i + keeps[i].max(1)).min(found.len());
        if heights[group.clone()].iter().sum::<f32>() + 4.0 * group.len() as f32 <= body_h {
            for k in group.clone().skip(1) {
                prop_assert_eq!(
                    found[k].1,
                    *page,
                    "elements {:?}, kept together, were split",
                    group
                );
            }
        }
    }
    // Every footnote line is set once, and nothing is set below the bottom margin.
    let notes = placed(&pages, 'n');
    let mut keys: Vec<&String> = notes.iter().map(|(k, _, _)| k).collect();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    prop_assert_eq!(
        keys.len(),
        total,
        "a footnote line was set twice with its destination"
    );
    for (k, _, y) in &notes {
        prop_assert!(
            *y <= theme.page_h - theme.margin_bottom + 0.01,
            "note {} below the margin",
            k
        );
    }
    Ok(())
}

/// Footnotes are placed from the bottom up, so the body may touch them.
const NOTE_SLACK: f32 = 0.02;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn page_breaking_places_every_element_once_within_the_page(
        blocks in proptest::collection::vec(block(), 0..60),
        paper in prop_oneof![Just((612.0f32, 792.0f32)), Just((595.0, 842.0)), Just((396.0, 612.0))],
        large in any::<bool>(),
    ) {
        check_pages(&blocks, paper, large)?;
    }
}
