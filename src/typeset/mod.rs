//! Typesetting: the model → a paged document. Articles are laid out in parallel into
//! elements (shaping with rustybuzz, total-fit line breaking, hyphenation from the locale),
//! the paginator places the elements on pages, and the front matter and page furniture are
//! added once the page numbers are known. Nothing here knows how a PDF is written.

pub mod breaking;
mod flow;
mod front;
mod furniture;
mod layout;
pub mod lines;
mod paginate;
mod part_page;
#[cfg(test)]
mod properties;
pub mod shape;
pub mod theme;

pub use crate::paged::{Edition, Scope};

use crate::fonts::FontSet;
use crate::locale::{Locale, Text};
use crate::model::*;
use crate::paged::{structure, Draw, Face, Page, PagedDocument, Phrases, Tree};
use rayon::prelude::*;
use std::collections::HashMap;
use theme::Theme;

/// Shapes text once for every edition it typesets (the shaping cache is shared).
pub struct Typesetter {
    sh: shape::Shaper,
}

impl Typesetter {
    pub fn new(fonts: &FontSet) -> Result<Typesetter, String> {
        Ok(Typesetter {
            sh: shape::Shaper::new(fonts)?,
        })
    }

    /// The widest, in points, that an image of the edition is printed (the text block's width).
    pub fn image_width(&self, book: &Book, edition: Edition) -> f32 {
        Theme::of(&book.meta, edition).text_width()
    }

    /// The edition's pages, with everything a writer needs to print them.
    pub fn typeset(&self, book: &Book, edition: Edition) -> PagedDocument {
        let mut theme = Theme::of(&book.meta, edition);
        if let Scope::Article(i) = edition.scope {
            theme.grow_footer(furniture::footer_overflow(&self.sh, book, i, &theme));
        }
        let (mut trees, articles) = self.lay_out(book, edition, &theme);
        let mut body = paginate::paginate(articles, &theme);
        // A handout whose last page would hold a scrap is set again, tighter (see
        // `pull_back`); laid out anew rather than kept, since this is rare and a kept copy of
        // every handout's elements would cost each one a clone.
        if matches!(edition.scope, Scope::Article(_)) && ends_in_a_scrap(&body, &theme) {
            let (_, again) = self.lay_out(book, edition, &theme);
            if !pull_back(&mut body, again.clone(), &theme) {
                let mut snug = theme.clone();
                snug.leading -= 0.1;
                let (snug_trees, articles) = self.lay_out(book, edition, &snug);
                if pull_back(&mut body, articles, &snug) {
                    (theme, trees) = (snug, snug_trees);
                } else {
                    fill_out_last_page(&mut body, again, &theme);
                }
            }
        }
        crate::trace("paginated");
        let page_map = page_map(&body);

        let mut pages = Vec::new();
        if edition.scope == Scope::Book {
            let mut front_tree = Tree::default();
            pages = front::front_matter(
                &self.sh,
                &book.meta,
                &theme,
                &body,
                &mut front_tree,
                site_logo(book),
            );
            trees.insert(structure::FRONT, front_tree);
        }
        let front_pages = pages.len();
        pages.extend(body);
        furniture::decorate_all(&self.sh, &mut pages, front_pages, book, edition, &theme);
        PagedDocument {
            edition,
            meta: edition_meta(book, edition),
            page_w: theme.page_w,
            page_h: theme.page_h,
            pages,
            front_pages,
            faces: self
                .sh
                .faces
                .iter()
                .map(|f| Face {
                    data: f.data,
                    file_name: f.file_name,
                })
                .collect(),
            images: book.images().images.clone(),
            image_width: theme.text_width(),
            trees,
            page_map,
            phrases: phrases(&Locale::of(&book.meta.language)),
        }
    }
}

impl Typesetter {
    /// Every article of the edition laid out into elements (in parallel), with the part
    /// pages of a whole book, and their structure trees.
    fn lay_out(
        &self,
        book: &Book,
        edition: Edition,
        theme: &Theme,
    ) -> (HashMap<u32, Tree>, Vec<(Option<usize>, Vec<flow::Elem>)>) {
        let ctx = layout::Ctx {
            sh: &self.sh,
            book,
            theme,
            whole_book: edition.scope == Scope::Book,
        };
        let indices: Vec<usize> = match edition.scope {
            Scope::Book => (0..book.articles.len()).collect(),
            Scope::Article(i) => vec![i],
        };
        let laid_out: Vec<(usize, (Vec<flow::Elem>, Tree))> = indices
            .par_iter()
            .map(|&i| (i, layout::article(&ctx, i)))
            .collect();
        crate::trace("laid out");
        let mut trees: HashMap<u32, Tree> = HashMap::new();
        let mut articles = Vec::with_capacity(laid_out.len());
        for (i, (elems, tree)) in laid_out {
            if edition.scope == Scope::Book {
                for (p, part) in book.parts.iter().enumerate().filter(|(_, p)| p.first == i) {
                    let (elems, tree) = part_page::part_page(&self.sh, theme, p, part);
                    trees.insert(part_page::part_tree(p), tree);
                    articles.push((None, elems));
                }
            }
            trees.insert(i as u32, tree);
            articles.push((Some(i), elems));
        }
        (trees, articles)
    }
}

/// The document's metadata: the book's, or for a handout its article's (title, language,
/// summary and authors), with the book's title as the subject it belongs to. A handout
/// titled with the book's name read out the wrong title, and in the wrong language.
fn edition_meta(book: &Book, edition: Edition) -> BookMeta {
    let mut meta = book.meta.clone();
    if let Scope::Article(i) = edition.scope {
        let a = &book.articles[i];
        meta.subtitle = Some(meta.title.clone());
        meta.title = a.title_text();
        meta.language = a.lang.clone();
        if let Some(s) = &a.summary {
            meta.description = Some(s.clone());
        }
        if !a.authors.is_empty() {
            meta.authors = a.authors.clone();
        }
    }
    meta
}

/// The logo of the site the book is printed for, as the title page draws it.
fn site_logo(book: &Book) -> Option<front::Logo> {
    let site = book.meta.site.as_ref()?;
    let Some(ImageSource::Local {
        path,
        width,
        height,
        ..
    }) = &site.logo
    else {
        return None;
    };
    Some(front::Logo {
        index: book.images().index_of(path)?,
        width: (*width).max(1) as f32,
        height: (*height).max(1) as f32,
    })
}

/// Whether the last of several pages holds only a scrap: text on its top third alone.
fn ends_in_a_scrap(body: &[Page], theme: &Theme) -> bool {
    let Some(last) = body.last() else {
        return false;
    };
    let text_block = theme.page_h - theme.margin_top - theme.margin_bottom;
    let bottom = last
        .draws
        .iter()
        .filter_map(Draw::baseline)
        .fold(theme.margin_top, f32::max);
    body.len() > 1 && bottom - theme.margin_top < text_block / 3.0
}

/// Paginates `articles` with the space between blocks halved, and keeps that if it takes a
/// page fewer than `body`: a handout does not end on a near-empty page (CMS Toolkit). In
/// the sample a lone resource card ended two of the eight handouts; halving the space pulls
/// one back, and lines 0.1 closer (1.3) the other.
fn pull_back(
    body: &mut Vec<Page>,
    mut articles: Vec<(Option<usize>, Vec<flow::Elem>)>,
    theme: &Theme,
) -> bool {
    for (_, elems) in &mut articles {
        for e in elems {
            e.space_before *= 0.5;
        }
    }
    let snug = paginate::paginate(articles, theme);
    let fewer = snug.len() < body.len();
    if fewer {
        *body = snug;
    }
    fewer
}

/// When a scrap cannot be pulled back, the last page is given more: the page before breaks
/// earlier, before the latest block that can start a page (not one a heading or a keep
/// holds to what precedes it), as long as the page count stays and the last page then holds
/// more than a scrap. In the sample: the Spanish opioid handout's last resource card gets a
/// second one beside it.
fn fill_out_last_page(
    body: &mut Vec<Page>,
    articles: Vec<(Option<usize>, Vec<flow::Elem>)>,
    theme: &Theme,
) {
    let [(_, elems)] = articles.as_slice() else {
        return;
    };
    // Elements a keep ties to an earlier one, or that follow a heading.
    let mut tied = vec![false; elems.len()];
    for (i, e) in elems.iter().enumerate() {
        for t in tied
            .iter_mut()
            .take((i + e.keep.max(1)).min(elems.len()))
            .skip(i + 1)
        {
            *t = true;
        }
        if e.keep_with_next && i + 1 < elems.len() {
            tied[i + 1] = true;
        }
    }
    // A handful of tries from the end: each is one pagination of one article.
    for at in (1..elems.len())
        .rev()
        .filter(|&i| !tied[i] && elems[i].height > 0.0)
        .take(8)
    {
        let mut trial = articles.clone();
        trial[0].1[at].break_before = true;
        let pages = paginate::paginate(trial, theme);
        if pages.len() > body.len() {
            return;
        }
        if pages.len() == body.len() && !ends_in_a_scrap(&pages, theme) {
            *body = pages;
            return;
        }
    }
}

/// How the writer describes links, in the book's language.
fn phrases(locale: &Locale) -> Phrases {
    Phrases {
        go_to: locale.text(Text::LinkGoTo).to_string(),
        footnote: locale.text(Text::LinkFootnote).to_string(),
        elsewhere: locale.text(Text::LinkElsewhere).to_string(),
    }
}

/// Where each body page starts in the model, labelled with its printed number.
fn page_map(body: &[Page]) -> Vec<PageStart> {
    body.iter()
        .enumerate()
        .filter_map(|(i, p)| {
            Some(PageStart {
                article: p.article?,
                block: p.starts_in? as usize,
                item: p.starts_in_item.map(|i| i as usize),
                label: (i + 1).to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Typesetting checked on the paged document itself, without writing a PDF.
    use super::*;
    use crate::paged::{Draw, Role};

    fn typesetter() -> Typesetter {
        let fonts = crate::fonts::load(&crate::default_fonts_dir()).unwrap();
        Typesetter::new(&fonts).unwrap()
    }

    fn text_of(page: &Page) -> String {
        page.draws
            .iter()
            .filter_map(|d| match d {
                Draw::Text(r) => Some(r.glyphs.iter().map(|g| g.text.as_str()).collect::<String>()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `n` paragraphs of a few sentences each, numbered so each can be found.
    fn long_article(n: usize) -> String {
        let mut md = String::from("# Long\n\n");
        for i in 0..n {
            md.push_str(&format!(
                "Paragraph {i} says what this one is about. It goes on for a while, so that the \
                 book needs several pages and the paginator must break between lines.\n\n"
            ));
            if i % 7 == 3 {
                md.push_str(&format!("## Section {i}\n\n"));
            }
        }
        md
    }

    #[test]
    fn a_long_article_runs_over_numbered_pages_inside_the_margins() {
        let book = crate::book_from_markdown(&long_article(80));
        let doc = typesetter().typeset(&book, Edition::BOOK);
        let theme = Theme::of(&book.meta, Edition::BOOK);
        assert_eq!(doc.front_pages, 2, "a title page and one page of contents");
        let body = &doc.pages[doc.front_pages..];
        assert!(body.len() >= 4, "{} body pages", body.len());
        // The page map labels every body page, in order, from the article's first block.
        let labels: Vec<&str> = doc.page_map.iter().map(|p| p.label.as_str()).collect();
        let expected: Vec<String> = (1..=body.len()).map(|n| n.to_string()).collect();
        assert_eq!(labels, expected);
        assert_eq!(doc.page_map[0].block, 0);
        assert!(doc.page_map.windows(2).all(|w| w[0].block <= w[1].block));
        // Every paragraph is set once, in order, and all text stays inside the margins
        // (the furniture in the top and bottom margins aside).
        let all: String = body.iter().map(text_of).collect::<Vec<_>>().join(" ");
        let mut at = 0;
        for i in 0..80 {
            let needle = format!("Paragraph {i} says");
            let found = all[at..]
                .find(&needle)
                .unwrap_or_else(|| panic!("{needle} in order"));
            at += found + needle.len();
        }
        for page in body {
            for d in &page.draws {
                if let Draw::Text(r) = d {
                    if r.y < theme.margin_top || r.y > theme.page_h - theme.margin_bottom {
                        continue;
                    }
                    let right = r.x + r.glyphs.iter().map(|g| g.advance).sum::<f32>();
                    assert!(r.x >= theme.margin_left - 0.5, "left edge {}", r.x);
                    assert!(
                        right <= theme.page_w - theme.margin_right + 0.5,
                        "right edge {right}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_heading_has_text_under_it_on_its_page() {
        let book = crate::book_from_markdown(&long_article(120));
        let doc = typesetter().typeset(&book, Edition::BOOK);
        let theme = Theme::of(&book.meta, Edition::BOOK);
        let foot = theme.page_h - theme.margin_bottom;
        for (i, page) in doc.pages.iter().enumerate().skip(doc.front_pages) {
            for (mark, y) in page.outline.iter().filter(|(m, _)| m.level == 2) {
                let below = page.draws.iter().any(|d| {
                    matches!(d, Draw::Text(r) if r.y > y + 30.0 && r.y < foot && !r.glyphs.is_empty())
                });
                assert!(
                    below,
                    "page {i}: {:?} at {y} has no text under it",
                    mark.title
                );
            }
        }
    }

    #[test]
    fn a_handout_is_its_article_alone_with_its_structure() {
        let book = crate::book_from_markdown("# One\n\nA short text.[^1]\n\n[^1]: A note.\n");
        let doc = typesetter().typeset(&book, Edition::article(0, crate::paged::Form::LargePrint));
        assert_eq!(doc.front_pages, 0);
        assert_eq!(doc.pages.len(), 1);
        let tree = &doc.trees[&0];
        assert_eq!(tree.nodes[0].role, Role::Art);
        for role in [Role::H(1), Role::P, Role::Note, Role::Lbl] {
            assert!(
                tree.nodes.iter().any(|n| n.role == role),
                "a {role:?} element"
            );
        }
        // Every glyph drawn indexes a face the document carries.
        for d in &doc.pages[0].draws {
            if let Draw::Text(r) = d {
                assert!(r.face < doc.faces.len());
                assert!(r.size >= 18.0 * 0.6, "large print: {} pt", r.size);
            }
        }
        assert!(text_of(&doc.pages[0]).contains("A note."));
    }
}
