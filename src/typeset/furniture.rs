//! Page furniture: the running head, the page number, the review line and the DRAFT band,
//! set once the pages and their numbers are known.

use super::lines::{is_right_to_left, Align, LineSetter, Piece, Style};
use super::shape::Shaper;
use super::theme::Theme;
use crate::locale::{Locale, Text};
use crate::model::Book;
use crate::paged::{structure, Draw, Edition, Form, GlyphRun, Page, Scope};

/// Decorates every page but the title page. The front matter is numbered in roman, the body
/// in arabic from 1.
pub fn decorate_all(
    sh: &Shaper,
    pages: &mut [Page],
    front_pages: usize,
    book: &Book,
    edition: Edition,
    theme: &Theme,
) {
    let furniture = Furniture { sh };
    let total_body = pages.len() - front_pages;
    for (i, page) in pages.iter_mut().enumerate().skip(1.min(front_pages)) {
        let number = if i < front_pages {
            None
        } else {
            Some(i + 1 - front_pages)
        };
        furniture.decorate(page, book, edition, theme, i, number, total_body);
    }
}

/// How much taller than its usual two lines the footer of article `i`'s handout is (a
/// site's name and number, the review status and the edition's facts can need four in large
/// print): the text block ends that much higher, so the footer never runs into the text.
pub fn footer_overflow(sh: &Shaper, book: &Book, i: usize, theme: &Theme) -> f32 {
    let furniture = Furniture { sh };
    let article = book.articles.get(i);
    let locale = Locale::of(article.map_or(&book.meta.language, |a| &a.lang));
    // The widest page label a handout prints.
    let page_of = locale.fill(Text::PageOf, &[("page", "88"), ("total", "88")]);
    let foot = Style {
        gray: 0.2,
        ..theme.sans(9.0)
    };
    let (lines, style) = furniture.footer_lines(book, article, theme, &page_of, foot);
    lines.len().saturating_sub(2) as f32 * style.size * 1.3
}

/// Roman numerals for front-matter page numbers.
pub fn roman(mut n: usize) -> String {
    let mut s = String::new();
    for (v, r) in [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ] {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

struct Furniture<'a> {
    sh: &'a Shaper,
}

impl Furniture<'_> {
    /// One line of text set at (x, baseline y), left-aligned, centred or right-aligned on x.
    fn put(&self, page: &mut Page, text: &str, style: Style, x: f32, y: f32, anchor: f32) {
        let face = self.sh.face_index(style.face);
        let plain = text
            .chars()
            .all(|c| !is_right_to_left(c) && (c.is_whitespace() || self.sh.covers(face, c)));
        if !plain {
            return self.put_set(page, text, style, x, y, anchor);
        }
        let shaped = self.sh.shape(face, text);
        let scale = style.size / self.sh.faces[face].units_per_em;
        let w = shaped.width as f32 * scale;
        page.draws.push(Draw::Text(GlyphRun {
            face,
            size: style.size,
            x: x - w * anchor,
            y,
            gray: style.gray,
            glyphs: self.sh.glyphs_at(face, &shaped, style.size),
        }));
    }

    /// Like `put`, for text that needs more than one face or runs right to left: set by the
    /// line setter (fallback faces, bidi order), on one line.
    fn put_set(&self, page: &mut Page, text: &str, style: Style, x: f32, y: f32, anchor: f32) {
        let rtl = text
            .chars()
            .find(|c| c.is_alphabetic())
            .is_some_and(is_right_to_left);
        let mut setter = LineSetter::new(self.sh, &[], 1.0);
        setter.rtl = rtl;
        let Some(line) = setter
            .set(&[Piece::Text(text.to_string(), style)], 1.0e5, Align::Left)
            .into_iter()
            .next()
        else {
            return;
        };
        let runs: Vec<GlyphRun> = line
            .draws
            .into_iter()
            .filter_map(|d| match d {
                Draw::Text(r) => Some(r),
                _ => None,
            })
            .collect();
        let left = runs.iter().map(|r| r.x).fold(f32::INFINITY, f32::min);
        let right = runs
            .iter()
            .map(|r| r.x + r.glyphs.iter().map(|g| g.advance).sum::<f32>())
            .fold(f32::NEG_INFINITY, f32::max);
        let w = (right - left).max(0.0);
        let baseline = runs.first().map_or(0.0, |r| r.y);
        for mut r in runs {
            r.x += x - w * anchor - left;
            r.y += y - baseline;
            page.draws.push(Draw::Text(r));
        }
    }

    /// `text` shortened at a word boundary, with an ellipsis, to fit in `room` points.
    fn fit(&self, text: &str, style: Style, room: f32) -> String {
        let face = self.sh.face_index(style.face);
        if self.sh.width(face, text, style.size) <= room {
            return text.to_string();
        }
        let words: Vec<&str> = text.split(' ').collect();
        let candidate = |n: usize| {
            format!(
                "{}\u{2026}",
                words[..n].join(" ").trim_end_matches([',', ':', ';'])
            )
        };
        let fits = |n: usize| self.sh.width(face, &candidate(n), style.size) <= room;
        // The most words that fit, by bisection: trying every prefix from the longest down
        // took 54 s and 1.4 GB for a 2,000-word title (issue 33). Width grows with words.
        let (mut lo, mut hi) = (0, words.len().saturating_sub(1));
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if lo == 0 {
            return "\u{2026}".to_string();
        }
        candidate(lo)
    }

    /// Running head, draft band and footer of one page. `number` is the arabic page number
    /// (None in the front matter, which is numbered in roman).
    #[allow(clippy::too_many_arguments)]
    fn decorate(
        &self,
        page: &mut Page,
        book: &Book,
        edition: Edition,
        t: &Theme,
        index: usize,
        number: Option<usize>,
        total: usize,
    ) {
        // Running heads, page numbers and bands are page furniture: pagination artifacts.
        page.draws.push(Draw::Tag(Some(structure::PAGINATION)));
        let s = t.scale;
        let left = t.margin_left;
        let right = t.page_w - t.margin_right;
        let article = page.article.map(|a| &book.articles[a]);
        let locale = Locale::of(article.map_or(&book.meta.language, |a| &a.lang));
        // An unreviewed article says so on every page it occupies: a ruled label across the
        // text block, inside the margins (office printers cannot print the outer quarter inch,
        // and a solid band was a block of toner on every page), black on light grey so it
        // survives grey printing.
        if article.is_some_and(|a| book.shows_review(a) && a.reviewed.is_none()) {
            // In capitals, read as a label. Large print has no capitals (ACB) and says the
            // one word, "Draft": page one says in full what that means, and a sentence
            // repeated as furniture on a page or two reads to checkers as hidden prose.
            let notice = if t.large_print {
                locale.sentence_case(locale.text(Text::DraftShort))
            } else {
                locale.text(Text::Draft).to_uppercase()
            };
            // The notice fits the text block: a language whose notice is long gets it smaller.
            let wanted = t.at_least(8.5 * s.min(1.6));
            let natural = LineSetter::new(self.sh, &[], 1.0)
                .measure(&[Piece::Text(notice.clone(), t.sans(wanted).bold())])
                .1;
            let size = wanted * ((t.text_width() - 40.0) / natural.max(1.0)).min(1.0);
            let h = size + 10.0;
            // Above the running head (its baseline 16 pt above the text block), clear of the
            // paper's unprintable quarter inch.
            let head_size = t.at_least(8.5 * s);
            // (24: tall CJK glyphs keep clear of it too).
            let top = (t.margin_top - 22.0 - head_size - h).max(24.0);
            page.draws.push(Draw::Rect {
                x: left,
                y: top,
                w: right - left,
                h,
                fill: Some(0.9),
                stroke: Some((0.0, 1.0)),
            });
            self.put(
                page,
                &notice,
                t.sans(size).bold(),
                t.page_w / 2.0,
                top + 5.0 + size * 0.78,
                0.5,
            );
        }
        // A site's handout names the site at the head of its first page.
        if let (Some(site), Scope::Article(_), true) =
            (&book.meta.site, edition.scope, page.opens_article)
        {
            let style = Style {
                gray: 0.0,
                ..t.sans(t.at_least(10.0 * s)).bold()
            };
            // Beside large print's page number, on its line.
            let room = if t.large_print {
                let page_of = locale.fill(
                    Text::PageOf,
                    &[("page", "1"), ("total", &total.to_string())],
                );
                let number = t.sans(t.body_size).bold();
                let face = self.sh.face_index(number.face);
                right - left - self.sh.width(face, &page_of, number.size) - 18.0
            } else {
                right - left
            };
            let name = self.fit(&site.name, style, room);
            self.put(page, &name, style, left, t.margin_top - 16.0, 0.0);
        }
        // Running head: book title on left-hand pages, article title on right-hand pages (a
        // handout has only its own title); none where an article opens.
        if let (Some(a), Some(n), false) = (article, number, page.opens_article) {
            let head = t.sans(t.at_least(8.5 * s));
            // Large print sets no italics (ACB).
            let head = if t.large_print { head } else { head.italic() };
            let y = t.margin_top - 16.0;
            let style = Style { gray: 0.3, ..head };
            // Large print sets the page number at the right of the same line.
            let room = (right - left) * if t.large_print { 0.6 } else { 0.9 };
            if t.large_print && edition.scope != Scope::Book {
                // A large-print handout's head line holds its page number alone: with the
                // title beside it, checkers read the line as untagged prose.
            } else if edition.form == Form::Booklet && n % 2 == 0 {
                // A booklet's left-hand pages carry no head: the book's title beside the
                // article's across the spread read as one line of prose.
            } else if edition.scope == Scope::Book && n % 2 == 0 {
                self.put(
                    page,
                    &self.fit(&book.meta.title, style, room),
                    style,
                    left,
                    y,
                    0.0,
                );
            } else {
                // Large print keeps the head to the left: a flush-right line at 18 pt read as
                // one running past the ragged text block.
                let (x, anchor) = if t.large_print {
                    (left, 0.0)
                } else {
                    (right, 1.0)
                };
                self.put(
                    page,
                    &self.fit(&a.title_text(), style, room),
                    style,
                    x,
                    y,
                    anchor,
                );
            }
            page.draws.push(Draw::Line {
                x1: left,
                y1: t.margin_top - 9.0,
                x2: right,
                y2: t.margin_top - 9.0,
                width: 0.4,
                gray: 0.6,
            });
        }
        let foot_y = t.page_h - t.margin_bottom + t.footer_extra + 34.0 * s.min(1.4);
        let foot = Style {
            gray: 0.2,
            ..t.sans(t.at_least(9.0 * s))
        };
        match (edition.scope, number) {
            (Scope::Book, None) => {
                self.put(page, &roman(index + 1), foot, t.page_w / 2.0, foot_y, 0.5)
            }
            (Scope::Book, Some(n)) => {
                if t.large_print {
                    // ACB: page numbers as large as the text, at the top right.
                    let number = Style {
                        gray: 0.0,
                        ..t.sans(t.body_size).bold()
                    };
                    self.put(
                        page,
                        &n.to_string(),
                        number,
                        right,
                        t.margin_top - 16.0,
                        1.0,
                    );
                } else {
                    self.put(page, &n.to_string(), foot, t.page_w / 2.0, foot_y, 0.5);
                }
                if let Some(a) = article.filter(|a| a.reviewed.is_some()) {
                    self.put(
                        page,
                        &locale.review_status(a.reviewed.as_ref()),
                        Style {
                            size: t.at_least(7.5 * s),
                            ..foot
                        },
                        left,
                        foot_y,
                        0.0,
                    );
                }
            }
            (Scope::Article(_), n) => {
                self.handout_footer(page, book, t, (n.unwrap_or(1), total), foot, foot_y)
            }
        }
    }

    /// A handout's footer: publisher, review status and "Page N of M" (large print: the page
    /// number at the top right), and under them which edition this is.
    fn handout_footer(
        &self,
        page: &mut Page,
        book: &Book,
        t: &Theme,
        (n, total): (usize, usize),
        foot: Style,
        foot_y: f32,
    ) {
        let right = t.page_w - t.margin_right;
        let article = page.article.map(|a| &book.articles[a]);
        let locale = Locale::of(article.map_or(&book.meta.language, |a| &a.lang));
        let page_of = locale.fill(
            Text::PageOf,
            &[("page", &n.to_string()), ("total", &total.to_string())],
        );
        if t.large_print {
            // ACB: page numbers as large as the text, at the top right.
            let number = Style {
                gray: 0.0,
                ..t.sans(t.body_size).bold()
            };
            self.put(page, &page_of, number, right, t.margin_top - 16.0, 1.0);
        }
        let (lines, style) = self.footer_lines(book, article, t, &page_of, foot);
        let step = style.size * 1.3;
        for (k, line) in lines.iter().enumerate() {
            let y = foot_y - step * (lines.len() - 1 - k) as f32;
            self.put(page, line, style, t.page_w / 2.0, y, 0.5);
        }
    }

    /// The lines of a handout's footer, and their style: the site (or the publisher), the
    /// review status, the page (regular print), and under them the edition.
    fn footer_lines(
        &self,
        book: &Book,
        article: Option<&crate::model::Article>,
        t: &Theme,
        page_of: &str,
        foot: Style,
    ) -> (Vec<String>, Style) {
        let locale = Locale::of(article.map_or(&book.meta.language, |a| &a.lang));
        let mut status = Vec::new();
        if let Some(a) = article.filter(|a| book.shows_review(a)) {
            let text = locale.review_status(a.reviewed.as_ref());
            status.push(if t.large_print && a.reviewed.is_none() {
                locale.sentence_case(&text)
            } else {
                text
            });
        }
        if !t.large_print {
            status.push(page_of.to_string());
        }
        let style = Style {
            size: t.at_least(8.0 * t.scale.min(1.5)),
            ..foot
        };
        // Which edition this is, on paper that outlives the file: the date, the
        // version and when the article is next reviewed, on a line under the rest.
        let edition = edition_line(book, article, &locale);
        // A site's edition says whom to call on every page: its name, number and hours;
        // the default edition names its publisher. With them the status and the page; on
        // the line under, the edition.
        let mut parts: Vec<Part> = Vec::new();
        let part = |text: &String, required, line| Part {
            text: text.clone(),
            required,
            line,
        };
        match &book.meta.site {
            Some(site) => {
                parts.push(part(&site.name, true, 0));
                parts.extend(site.phone.iter().map(|p| part(p, true, 0)));
                parts.extend(site.hours.iter().map(|h| part(h, false, 0)));
                parts.extend(status.iter().map(|p| part(p, true, 1)));
            }
            None => {
                parts.extend(book.meta.publisher.iter().map(|p| part(p, false, 0)));
                parts.extend(status.iter().map(|p| part(p, true, 0)));
            }
        }
        // Large print's "Draft" label already heads every page.
        if t.large_print && article.is_some_and(|a| a.reviewed.is_none()) {
            parts
                .iter_mut()
                .filter(|p| status.contains(&p.text))
                .for_each(|p| p.required = false);
        }
        // The edition's date, version and next review are the facts that date a printed
        // handout: none is left off.
        for e in &edition {
            parts.push(part(e, true, 1));
        }
        (self.flow_parts(&parts, style, t.text_width()), style)
    }

    /// Footer parts on their lines, joined by middle dots, each line at most `room` points:
    /// the required parts first, each on its own line if it has room, else on the next that
    /// has, else on a new line under the rest (a required fact is never dropped or cut
    /// short, only one too wide for a line by itself is); then the others where there is
    /// room (left off where there is none). Lines keep the parts' order; empty ones are
    /// dropped.
    fn flow_parts(&self, parts: &[Part], style: Style, room: f32) -> Vec<String> {
        let face = self.sh.face_index(style.face);
        let sep = "  \u{b7}  ";
        let text = |ks: &[usize]| {
            let texts: Vec<&str> = ks.iter().map(|&k| parts[k].text.as_str()).collect();
            texts.join(sep)
        };
        let mut lines: Vec<Vec<usize>> = vec![Vec::new(), Vec::new()];
        for required in [true, false] {
            for k in (0..parts.len()).filter(|&k| parts[k].required == required) {
                let own = parts[k].line.min(1);
                let fits = (own..lines.len()).chain(0..own).find(|&i| {
                    let mut with = lines[i].clone();
                    with.push(k);
                    with.sort_unstable();
                    self.sh.width(face, &text(&with), style.size) <= room
                });
                let line = match fits {
                    Some(i) => i,
                    None if required => {
                        lines.push(Vec::new());
                        lines.len() - 1
                    }
                    None => continue,
                };
                lines[line].push(k);
                lines[line].sort_unstable();
            }
        }
        lines
            .iter()
            .filter(|l| !l.is_empty())
            .map(|l| self.fit(&text(l), style, room))
            .collect()
    }
}

/// A piece of a handout's footer: its text, whether it must be printed, and the line (0 or
/// 1) it belongs on.
struct Part {
    text: String,
    required: bool,
    line: usize,
}

/// A handout's edition, as its footer prints it: "Edition of 26 November 2026", "Version
/// 2026.2", "Next review 1 June 2027" (those the book and the article give), in the article's
/// language.
fn edition_line(
    book: &Book,
    article: Option<&crate::model::Article>,
    locale: &Locale,
) -> Vec<String> {
    let meta = &book.meta;
    let mut out = Vec::new();
    if meta.date_given {
        out.push(locale.fill(Text::EditionOf, &[("date", &locale.date(meta.date))]));
    }
    if let Some(v) = &meta.edition {
        out.push(locale.fill(Text::Version, &[("version", v)]));
    }
    if let Some(next) = article
        .and_then(|a| a.reviewed.as_ref())
        .and_then(|r| r.next)
    {
        out.push(locale.fill(Text::NextReview, &[("date", &locale.date(next))]));
    }
    out
}
