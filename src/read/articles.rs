//! One article: its file read, front matter parsed and checked, Markdown read into blocks, and
//! its title found.

use super::config::{self, FrontMatter, FRONT_MATTER_KEYS};
use super::files::{normalize, percent_decode, read_text};
use super::images;
use super::markdown::{self, Resolver};
use crate::diag::{Diagnostic, LineIndex};
use crate::locale::Locale;
use crate::model::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub(super) struct LoadContext<'a> {
    pub root: &'a Path,
    pub index: &'a HashMap<PathBuf, usize>,
    pub resource_ids: &'a HashSet<&'a str>,
}

struct ArticleResolver<'a> {
    ctx: &'a LoadContext<'a>,
    dir: PathBuf,
}

impl Resolver for ArticleResolver<'_> {
    fn article(&self, link_path: &str) -> Option<usize> {
        let p = normalize(&self.dir.join(percent_decode(link_path)))?;
        // mdBook manuscripts link to the chapter's web page: `ch01.html` means `ch01.md`.
        let md = p.with_extension("md");
        self.ctx
            .index
            .get(&p)
            .or_else(|| {
                if p.extension().is_some_and(|e| e == "html") {
                    self.ctx.index.get(&md)
                } else {
                    None
                }
            })
            .copied()
    }

    fn image(&self, src: &str) -> Result<ImageSource, String> {
        images::resolve(self.ctx.root, &self.dir, src)
    }
}

pub(super) fn load_article(
    ctx: &LoadContext,
    index: usize,
    rel: &Path,
    slug: &str,
    depth: u8,
    book_lang: &str,
) -> Result<(Article, markdown::Parsed), Vec<Diagnostic>> {
    let file = ctx.root.join(rel);
    let text = read_text(&file).map_err(|d| vec![d])?;
    let lines = LineIndex::new(&text);
    let (front, body_start) = split_front_matter(&text);
    let fm: FrontMatter = match front {
        Some(yaml) => config::parse_yaml(yaml, &file, 1, FRONT_MATTER_KEYS).map_err(|d| vec![d])?,
        None => FrontMatter::default(),
    };
    let unknown: Vec<Diagnostic> = fm
        .resources
        .iter()
        .filter(|id| !ctx.resource_ids.contains(id.as_str()))
        .map(|id| {
            let (l, c) = config::locate_value(front.unwrap_or(""), "resources", id);
            let known = if ctx.resource_ids.is_empty() {
                "the book has no resources file".to_string()
            } else {
                let mut ids: Vec<&str> = ctx.resource_ids.iter().copied().collect();
                ids.sort();
                format!("known ids: {}", ids.join(", "))
            };
            Diagnostic::error(
                &file,
                l + 1,
                c,
                format!("unknown resource id `{id}` ({known})"),
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let resolver = ArticleResolver {
        ctx,
        dir: rel.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let mut parsed = markdown::parse(
        &text[body_start..],
        body_start,
        &lines,
        &file,
        index,
        &resolver,
    );
    let mut blocks = std::mem::take(&mut parsed.blocks);
    let lang = fm
        .lang
        .clone()
        .map(|l| l.0)
        .unwrap_or_else(|| book_lang.to_string());
    // Smart punctuation gives English quotation marks; the language may use others.
    let (open, close) = Locale::of(&lang).quotes();
    if (open, close) != ("\u{201c}", "\u{201d}") {
        for list in [&mut blocks]
            .into_iter()
            .chain(parsed.footnotes.iter_mut().map(|f| &mut f.blocks))
        {
            each_text(list, &mut |t| {
                if t.contains(['\u{201c}', '\u{201d}']) {
                    *t = t.replace('\u{201c}', open).replace('\u{201d}', close);
                }
            });
        }
    }

    // The title: front matter, else the first level-1 heading, else the file name.
    let title = match &fm.title {
        Some(t) => {
            let content = vec![Inline::Text(t.trim().to_string())];
            blocks.insert(
                0,
                Block::Heading(Heading {
                    level: 1,
                    id: "title".into(),
                    content: content.clone(),
                    is_title: true,
                }),
            );
            // The synthetic heading's id must not clash with one the author wrote.
            if let Some(Block::Heading(h)) = blocks
                .iter_mut()
                .skip(1)
                .find(|b| matches!(b, Block::Heading(h) if h.id == "title"))
            {
                h.id = "title-1".into();
            }
            content
        }
        // No title given: the first level-1 heading, or else the first heading at all (a
        // section file of an mdBook starts at level 2).
        None => match blocks
            .iter()
            .position(|b| matches!(b, Block::Heading(h) if h.level == 1))
            .or_else(|| blocks.iter().position(|b| matches!(b, Block::Heading(_))))
            .and_then(|i| match &mut blocks[i] {
                Block::Heading(h) => Some(h),
                _ => None,
            }) {
            Some(h) => {
                h.is_title = true;
                h.content.clone()
            }
            None => {
                let stem = rel
                    .file_stem()
                    .map(|s| s.to_string_lossy().replace(['-', '_'], " "))
                    .unwrap_or_default();
                vec![Inline::Text(stem)]
            }
        },
    };
    let article = Article {
        source: rel.to_path_buf(),
        slug: slug.to_string(),
        title,
        summary: fm.summary.map(|s| s.trim().to_string()),
        authors: fm.authors,
        lang,
        reviewed: fm.reviewed.map(|r| Review {
            by: r.by,
            on: r.on.0,
            next: r.next.map(|d| d.0),
        }),
        resources: fm.resources,
        appendix: false,
        depth,
        blocks,
        footnotes: std::mem::take(&mut parsed.footnotes),
    };
    Ok((article, parsed))
}

/// Calls `f` on the text of every text inline in `blocks`, nested ones included.
fn each_text(blocks: &mut [Block], f: &mut dyn FnMut(&mut String)) {
    fn inlines(list: &mut [Inline], f: &mut dyn FnMut(&mut String)) {
        for i in list {
            match i {
                Inline::Text(t) => f(t),
                Inline::Emphasis(c)
                | Inline::Strong(c)
                | Inline::Strikethrough(c)
                | Inline::Link { content: c, .. }
                | Inline::Styled { content: c, .. } => inlines(c, f),
                _ => {}
            }
        }
    }
    fn table(t: &mut Table, f: &mut dyn FnMut(&mut String)) {
        for cell in t.header.iter_mut().chain(t.rows.iter_mut().flatten()) {
            inlines(cell, f);
        }
    }
    for b in blocks {
        match b {
            Block::Heading(h) => inlines(&mut h.content, f),
            Block::Paragraph(i) => inlines(i, f),
            Block::Table(t) => table(t, f),
            Block::List(l) => l
                .items
                .iter_mut()
                .for_each(|it| each_text(&mut it.blocks, f)),
            Block::Quote(c) | Block::Alert { blocks: c, .. } => each_text(c, f),
            Block::Comparison(c) => {
                inlines(&mut c.title, f);
                table(&mut c.table, f);
                each_text(&mut c.before, f);
                each_text(&mut c.after, f);
            }
            _ => {}
        }
    }
}

/// Splits `---` front matter from the body: (YAML text, byte offset where the body starts).
pub fn split_front_matter(text: &str) -> (Option<&str>, usize) {
    let first_line_end = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    if text[..first_line_end].trim_end() != "---" {
        return (None, 0);
    }
    let mut pos = first_line_end;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i + 1)
            .unwrap_or(text.len());
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            return (Some(&text[first_line_end..pos]), end);
        }
        pos = end;
    }
    // No closing fence: not front matter, just a thematic break at the top.
    (None, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split() {
        let t = "---\ntitle: A\n---\n# Body\n";
        let (fm, start) = split_front_matter(t);
        assert_eq!(fm, Some("title: A\n"));
        assert_eq!(&t[start..], "# Body\n");
        assert_eq!(split_front_matter("# Just\n"), (None, 0));
        assert_eq!(split_front_matter("---\n\nText\n"), (None, 0));
    }
}
