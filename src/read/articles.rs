//! One article: its file read, front matter parsed and checked, Markdown read into blocks, and
//! its title found.

use super::config::{self, FrontMatter, FRONT_MATTER_KEYS};
use super::files::{normalize, percent_decode, read_text};
use super::images;
use super::includes;
use super::markdown::{self, Resolver};
use super::source::Entry;
use crate::diag::{Diagnostic, LineIndex};
use crate::locale::Locale;
use crate::model::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub(super) struct LoadContext<'a> {
    pub root: &'a Path,
    pub index: &'a HashMap<PathBuf, usize>,
    /// The resources' ids; `None` when the resources file itself failed (its errors are
    /// reported; the articles' ids are not judged against a list that could not be read).
    pub resource_ids: Option<&'a HashSet<&'a str>>,
    /// Per code language, the prefix that hides a line in print.
    pub hidden_code_lines: &'a HashMap<String, String>,
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

    fn nearest_article(&self, link_path: &str) -> Option<String> {
        let wanted = normalize(&self.dir.join(percent_decode(link_path)))?;
        let wanted = wanted.to_string_lossy();
        let (score, best) = self
            .ctx
            .index
            .keys()
            .map(|p| {
                (
                    strsim::normalized_levenshtein(&wanted, &p.to_string_lossy()),
                    p,
                )
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))?;
        // 0.7: `risk.md` for `risks.md` and `what-kratom.md` for `what-is-kratom.md` are
        // offered; unrelated names are not.
        if score < 0.7 {
            return None;
        }
        let shown = best.strip_prefix(&self.dir).unwrap_or(best);
        Some(shown.to_string_lossy().to_string())
    }

    fn image(&self, src: &str) -> Result<(ImageSource, Vec<String>), String> {
        images::resolve_noting(self.ctx.root, &self.dir, src)
    }

    fn hidden_line_prefix(&self, lang: &str) -> Option<&str> {
        self.ctx.hidden_code_lines.get(lang).map(String::as_str)
    }
}

pub(super) fn load_article(
    ctx: &LoadContext,
    index: usize,
    entry: &Entry,
    slug: &str,
    book_lang: &str,
) -> Result<(Article, markdown::Parsed), Vec<Diagnostic>> {
    let rel = entry.path.as_path();
    let file = ctx.root.join(rel);
    let text = read_text(&file).map_err(|d| vec![d])?;
    let lines = LineIndex::new(&text);
    let (front, body_start) = split_front_matter(&text);
    let (fm, mut diags) = front_matter(ctx, front, &file)?;
    let dir = rel.parent().map(Path::to_path_buf).unwrap_or_default();
    // mdBook's directives first: what they include is read as Markdown like the rest.
    let expanded = includes::expand(
        &text[body_start..],
        &includes::Context {
            root: ctx.root,
            file: &file,
            dir: &dir,
            lines: &lines,
            base: body_start,
            spent: &std::cell::Cell::new(0),
            chain: &[rel.to_path_buf()],
        },
    );
    diags.extend(expanded.diagnostics);
    let resolver = ArticleResolver {
        ctx,
        dir: dir.clone(),
    };
    let mut parsed = markdown::parse_mapped(
        &expanded.text,
        body_start,
        &lines,
        Some(&expanded.map),
        &file,
        index,
        &resolver,
    );
    parsed.diagnostics.splice(0..0, diags);
    let mut blocks = std::mem::take(&mut parsed.blocks);
    let lang = fm
        .lang
        .clone()
        .map(|l| l.0)
        .unwrap_or_else(|| book_lang.to_string());
    localize_quotes(&lang, &mut blocks, &mut parsed.footnotes);
    let mut title = title_of(&fm, &mut blocks, entry);
    if let Some(t) = expanded.title.filter(|t| !t.is_empty()) {
        title = vec![Inline::Text(t)];
    }
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
        depth: entry.depth,
        blocks,
        footnotes: std::mem::take(&mut parsed.footnotes),
    };
    Ok((article, parsed))
}

/// The front matter, with a warning for each key handout does not know (naming the key it is
/// probably meant to be); an unknown resource id is an error.
fn front_matter(
    ctx: &LoadContext,
    front: Option<&str>,
    file: &Path,
) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    let fm: FrontMatter = match front {
        Some(yaml) => config::parse_yaml_all(yaml, file, 1, FRONT_MATTER_KEYS)?,
        None => FrontMatter::default(),
    };
    let mut warnings = Vec::new();
    for key in fm.other.keys() {
        let line = front
            .unwrap_or("")
            .lines()
            .position(|l| l.starts_with(&format!("{key}:")))
            .map_or(1, |i| i + 2);
        let message = match config::did_you_mean(key, FRONT_MATTER_KEYS) {
            Some(k) => {
                format!("front matter key `{key}` is not one handout reads: did you mean `{k}`?")
            }
            None => format!("front matter key `{key}` is not one handout reads; it is ignored"),
        };
        warnings.push(Diagnostic::warning(file, line, 1, message).with_len(key.chars().count()));
    }
    let Some(resource_ids) = ctx.resource_ids else {
        return Ok((fm, warnings));
    };
    let unknown: Vec<Diagnostic> = fm
        .resources
        .iter()
        .filter(|id| !resource_ids.contains(id.as_str()))
        .map(|id| {
            let (l, c) = config::locate_value(front.unwrap_or(""), "resources", id);
            let mut ids: Vec<&str> = resource_ids.iter().copied().collect();
            ids.sort();
            let d = Diagnostic::error(file, l + 1, c, format!("unknown resource id `{id}`"))
                .with_len(id.chars().count());
            match config::did_you_mean(id, &ids) {
                Some(near) => d.with_help(format!("did you mean `{near}`?")),
                None if ids.is_empty() => d.with_help("the book has no resources file"),
                None => d.with_help(format!("the known ids are {}", ids.join(", "))),
            }
        })
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    Ok((fm, warnings))
}

/// Smart punctuation gives English quotation marks; the language may use others.
fn localize_quotes(lang: &str, blocks: &mut [Block], notes: &mut [Footnote]) {
    let (open, close) = Locale::of(lang).quotes();
    if (open, close) == ("\u{201c}", "\u{201d}") {
        return;
    }
    for list in std::iter::once(blocks).chain(notes.iter_mut().map(|f| f.blocks.as_mut_slice())) {
        each_text(list, &mut |t| {
            if t.contains(['\u{201c}', '\u{201d}']) {
                *t = t.replace('\u{201c}', open).replace('\u{201d}', close);
            }
        });
    }
}

/// The title: front matter, else the first level-1 heading, else the first heading at all (a
/// section file of an mdBook starts at level 2), else the contents' entry, else the file name.
fn title_of(fm: &FrontMatter, blocks: &mut Vec<Block>, entry: &Entry) -> Vec<Inline> {
    if let Some(t) = &fm.title {
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
        return content;
    }
    let heading = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading(h) if h.level == 1))
        .or_else(|| blocks.iter().position(|b| matches!(b, Block::Heading(_))));
    if let Some(Block::Heading(h)) = heading.map(|i| &mut blocks[i]) {
        h.is_title = true;
        return h.content.clone();
    }
    let name = entry.title.clone().unwrap_or_else(|| {
        entry
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().replace(['-', '_'], " "))
            .unwrap_or_default()
    });
    vec![Inline::Text(name)]
}

/// Calls `f` on the text of every text inline in `blocks`, nested ones included.
fn each_text(blocks: &mut [Block], f: &mut dyn FnMut(&mut String)) {
    walk_inlines_mut(blocks, &mut |i| {
        if let Inline::Text(t) = i {
            f(t)
        }
    });
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
