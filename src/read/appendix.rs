//! What the tool adds to the manuscript: a "Where to get help" section at the end of each
//! article that lists resources, and the appendix at the end of the book with every resource,
//! grouped by category, and every web link cited in the articles, so a reader of paper can
//! find them.

use crate::locale::{Locale, Text};
use crate::model::*;
use std::collections::BTreeMap;

pub fn add(book: &mut Book) {
    let book_locale = Locale::of(&book.meta.language);
    let index_of = |id: &str, resources: &[Resource]| resources.iter().position(|r| r.id == id);
    for (ai, article) in book.articles.iter_mut().enumerate() {
        // Each resource once, in the order the article lists them.
        let mut ids: Vec<usize> = Vec::new();
        for id in &article.resources {
            if let Some(i) = index_of(id, &book.resources) {
                if !ids.contains(&i) {
                    ids.push(i);
                }
            }
        }
        for &i in &ids {
            book.resources[i].cited_by.push(ai);
        }
        if !ids.is_empty() {
            let id = unused_id(article, "where-to-get-help");
            let title = Locale::of(&article.lang).text(Text::HelpTitle);
            article.blocks.push(Block::Heading(Heading {
                level: 2,
                id,
                content: vec![Inline::Text(title.into())],
                is_title: false,
            }));
            article.blocks.push(Block::Resources {
                ids,
                cited_by: false,
            });
        }
    }

    let links: Vec<(usize, Vec<(String, String)>)> = book
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (i, a.external_links()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if book.resources.is_empty() && links.is_empty() {
        return;
    }
    let mut blocks = vec![Block::Heading(Heading {
        level: 1,
        id: "resources".into(),
        content: vec![Inline::Text(book_locale.text(Text::AppendixTitle).into())],
        is_title: true,
    })];
    if !book.resources.is_empty() {
        blocks.push(Block::Paragraph(vec![Inline::Text(
            book_locale.text(Text::AppendixIntro).into(),
        )]));
        let mut by_category: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, r) in book.resources.iter().enumerate() {
            by_category.entry(r.category.clone()).or_default().push(i);
        }
        for (category, mut ids) in by_category {
            ids.sort_by(|a, b| {
                book.resources[*a]
                    .name
                    .to_lowercase()
                    .cmp(&book.resources[*b].name.to_lowercase())
            });
            blocks.push(Block::Heading(Heading {
                level: 2,
                id: super::markdown::xml_id(&format!(
                    "category-{}",
                    super::markdown::slugify(&category)
                )),
                content: vec![Inline::Text(category)],
                is_title: false,
            }));
            blocks.push(Block::Resources {
                ids,
                cited_by: true,
            });
        }
    }
    if !links.is_empty() {
        blocks.push(Block::Heading(Heading {
            level: 2,
            id: "links-cited".into(),
            content: vec![Inline::Text(book_locale.text(Text::AppendixLinks).into())],
            is_title: false,
        }));
        for (ai, list) in links {
            let a = &book.articles[ai];
            blocks.push(Block::Heading(Heading {
                level: 3,
                id: format!("links-{}", a.slug),
                content: vec![Inline::Link {
                    target: LinkTarget::Internal {
                        article: ai,
                        anchor: None,
                    },
                    content: a.title.clone(),
                }],
                is_title: false,
            }));
            let items = list
                .into_iter()
                .map(|(text, url)| ListItem {
                    task: None,
                    blocks: vec![Block::Paragraph(if same_text(&text, &url) {
                        vec![link(&url)]
                    } else {
                        vec![Inline::Text(format!("{text}: ")), link(&url)]
                    })],
                })
                .collect();
            blocks.push(Block::List(List { start: None, items }));
        }
    }
    let slug = {
        let mut s = "resources".to_string();
        let mut n = 1;
        while book.articles.iter().any(|a| a.slug == s) {
            n += 1;
            s = format!("resources-{n}");
        }
        s
    };
    book.articles.push(Article {
        source: "resources.yaml".into(),
        slug,
        title: vec![Inline::Text(book_locale.text(Text::AppendixTitle).into())],
        summary: None,
        authors: Vec::new(),
        lang: book.meta.language.clone(),
        reviewed: None,
        resources: Vec::new(),
        appendix: true,
        depth: 0,
        blocks,
        footnotes: Vec::new(),
    });
}

fn link(url: &str) -> Inline {
    Inline::Link {
        target: LinkTarget::External(url.to_string()),
        content: vec![Inline::Text(url.to_string())],
    }
}

fn same_text(text: &str, url: &str) -> bool {
    text.trim() == url.trim()
}

/// `base`, or `base-2`, … whichever the article does not use yet.
fn unused_id(article: &Article, base: &str) -> String {
    let used = article.anchor_ids();
    let mut id = base.to_string();
    let mut n = 1;
    while used.contains(&id.as_str()) {
        n += 1;
        id = format!("{base}-{n}");
    }
    id
}
