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
pub mod shape;
pub mod theme;

pub use crate::paged::{Edition, Scope};

use crate::fonts::FontSet;
use crate::locale::{Locale, Text};
use crate::model::*;
use crate::paged::{structure, Face, Page, PagedDocument, Phrases, Tree};
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

    /// The edition's pages, with everything a writer needs to print them.
    pub fn typeset(&self, book: &Book, edition: Edition) -> PagedDocument {
        let theme = Theme::of(book.meta.paper, edition.large_print);
        let ctx = layout::Ctx {
            sh: &self.sh,
            book,
            theme: &theme,
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
            trees.insert(i as u32, tree);
            articles.push((Some(i), elems));
        }
        let body = paginate::paginate(articles, &theme);
        crate::trace("paginated");
        let page_map = page_map(&body);

        let mut pages = Vec::new();
        if edition.scope == Scope::Book {
            let mut front_tree = Tree::default();
            pages = front::front_matter(&self.sh, &book.meta, &theme, &body, &mut front_tree);
            trees.insert(structure::FRONT, front_tree);
        }
        let front_pages = pages.len();
        pages.extend(body);
        furniture::decorate_all(&self.sh, &mut pages, front_pages, book, edition, &theme);
        PagedDocument {
            edition,
            meta: book.meta.clone(),
            page_w: theme.page_w,
            page_h: theme.page_h,
            pages,
            front_pages,
            faces: self
                .sh
                .faces
                .iter()
                .map(|f| Face { data: f.data })
                .collect(),
            images: book.images().images.clone(),
            image_width: theme.text_width(),
            trees,
            page_map,
            phrases: phrases(&Locale::of(&book.meta.language)),
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
                label: (i + 1).to_string(),
            })
        })
        .collect()
}
