//! Loading a manuscript folder: `book.yaml`, the articles with their front matter, and the
//! images they reference. Produces the document model or the diagnostics that stop the build.

pub mod appendix;
pub mod config;
pub mod images;
pub mod resources;

use crate::diag::{Diagnostic, LineIndex};
use crate::markdown::{self, Resolver};
use crate::model::*;
use config::{BookYaml, FrontMatter, PaperName, BOOK_KEYS, FRONT_MATTER_KEYS};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A loaded manuscript, with the warnings met on the way.
pub struct Loaded {
    pub book: Book,
    pub warnings: Vec<Diagnostic>,
}

/// Articles larger than this are refused (a whole book is a few MB of Markdown).
const MAX_ARTICLE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads the manuscript at `root`. `Err` holds every error found (and any warnings), sorted.
pub fn load(root: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let book_path = root.join("book.yaml");
    let text = read_text(&book_path).map_err(|d| vec![d])?;
    let yaml: BookYaml =
        config::parse_yaml(&text, &book_path, 0, BOOK_KEYS).map_err(|d| vec![d])?;
    let mut diags = Vec::new();

    if yaml.title.trim().is_empty() {
        let (l, c) = config::locate_value(&text, "title", "title");
        diags.push(Diagnostic::error(&book_path, l, c, "`title` is empty"));
    }

    // The article list: as given, or every articles/*.md sorted by name.
    let article_paths: Vec<(PathBuf, (usize, usize))> = match &yaml.articles {
        Some(list) => list
            .iter()
            .map(|p| (PathBuf::from(p), config::locate_value(&text, "articles", p)))
            .collect(),
        None => {
            let dir = root.join("articles");
            let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
                        .filter_map(|p| p.file_name().map(|n| Path::new("articles").join(n)))
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            found.into_iter().map(|p| (p, (1, 1))).collect()
        }
    };
    if article_paths.is_empty() {
        diags.push(Diagnostic::error(
            &book_path,
            1,
            1,
            "the book has no articles: list them under `articles:` or put .md files in articles/",
        ));
    }

    let canon_root = root
        .canonicalize()
        .map_err(|e| vec![Diagnostic::error(root, 0, 0, e.to_string())])?;
    let mut seen = HashSet::new();
    let mut index: HashMap<PathBuf, usize> = HashMap::new();
    let mut sources = Vec::new();
    for (rel, (l, c)) in &article_paths {
        let Some(norm) = images::normalize(rel) else {
            diags.push(Diagnostic::error(
                &book_path,
                *l,
                *c,
                format!(
                    "article `{}` points outside the manuscript folder",
                    rel.display()
                ),
            ));
            continue;
        };
        let full = root.join(&norm);
        match full.canonicalize() {
            Ok(canon) if !canon.starts_with(&canon_root) => {
                diags.push(Diagnostic::error(
                    &book_path,
                    *l,
                    *c,
                    format!(
                        "article `{}` resolves outside the manuscript folder",
                        rel.display()
                    ),
                ));
            }
            Ok(canon) if !canon.is_file() => {
                diags.push(Diagnostic::error(
                    &book_path,
                    *l,
                    *c,
                    format!("article `{}` is not a file", rel.display()),
                ));
            }
            Ok(_) if !seen.insert(norm.clone()) => {
                diags.push(Diagnostic::error(
                    &book_path,
                    *l,
                    *c,
                    format!("article `{}` is listed twice", rel.display()),
                ));
            }
            Ok(_) => {
                index.insert(norm.clone(), sources.len());
                sources.push(norm);
            }
            Err(_) => diags.push(Diagnostic::error(
                &book_path,
                *l,
                *c,
                format!("article `{}` not found", rel.display()),
            )),
        }
    }
    if let Some(res) = &yaml.resources {
        if !root.join(res).is_file() {
            let (l, c) = config::locate_value(&text, "resources", res);
            diags.push(Diagnostic::error(
                &book_path,
                l,
                c,
                format!("resources file `{res}` not found"),
            ));
        }
    }
    // Resources: the file named in book.yaml, else resources.yaml when there is one.
    let resources_path = match &yaml.resources {
        Some(r) => Some(root.join(r)),
        None => Some(root.join("resources.yaml")).filter(|p| p.is_file()),
    };
    let mut resource_list = Vec::new();
    if let Some(p) = resources_path.filter(|p| p.is_file()) {
        match resources::load(&p) {
            Ok(r) => resource_list = r,
            Err(d) => diags.extend(d),
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let resource_ids: HashSet<&str> = resource_list.iter().map(|r| r.id.as_str()).collect();

    let language = yaml
        .language
        .as_ref()
        .map(|l| l.0.clone())
        .unwrap_or_else(|| "en".into());
    let slugs = unique_slugs(&sources);
    let ctx = LoadContext {
        root,
        index: &index,
        resource_ids: &resource_ids,
    };
    // Articles are independent until links are checked: read them in parallel.
    let results: Vec<Result<(Article, markdown::Parsed), Vec<Diagnostic>>> = sources
        .par_iter()
        .enumerate()
        .map(|(i, rel)| load_article(&ctx, i, rel, &slugs[i], &language))
        .collect();

    let mut loaded: Vec<Option<Article>> = Vec::new();
    let mut anchor_refs = Vec::new();
    for r in results {
        match r {
            Ok((article, parsed)) => {
                diags.extend(parsed.diagnostics);
                anchor_refs.push((article.source.clone(), parsed.anchor_refs));
                loaded.push(Some(article));
            }
            Err(d) => {
                diags.extend(d);
                loaded.push(None);
            }
        }
    }
    // Every #anchor must name a heading or anchor of its article (among those that loaded).
    let ids: Vec<Option<HashSet<&str>>> = loaded
        .iter()
        .map(|a| a.as_ref().map(|a| a.anchor_ids().into_iter().collect()))
        .collect();
    for (file, refs) in &anchor_refs {
        for (article, anchor, l, c) in refs {
            let Some(Some(known)) = ids.get(*article) else {
                continue;
            };
            if !known.contains(anchor.as_str()) {
                diags.push(Diagnostic::error(
                    root.join(file),
                    *l,
                    *c,
                    format!(
                        "link to `#{anchor}`: `{}` has no heading or anchor with that id",
                        sources[*article].display()
                    ),
                ));
            }
        }
    }
    drop(ids);
    let articles: Vec<Article> = loaded.into_iter().flatten().collect();
    if diags.iter().any(Diagnostic::is_error) {
        diags.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        return Err(diags);
    }

    let date = yaml
        .date
        .map(|d| d.0)
        .or_else(source_date_epoch)
        .unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        });
    let identifier = yaml.identifier.clone().unwrap_or_else(|| {
        format!(
            "urn:uuid:{}",
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, yaml.title.as_bytes())
        )
    });
    let meta = BookMeta {
        slug: file_slug(&yaml.title),
        title: yaml.title.trim().to_string(),
        subtitle: yaml.subtitle,
        publisher: yaml.publisher,
        authors: yaml.authors,
        language,
        date,
        date_given: yaml.date.is_some(),
        identifier,
        description: yaml.description,
        reading_level: yaml.reading_level.unwrap_or(8.0),
        paper: match yaml.paper {
            Some(PaperName::A4) => Paper::A4,
            _ => Paper::Letter,
        },
        pdf_a: yaml
            .pdf
            .and_then(|p| p.standard)
            .is_some_and(|s| s == config::PdfStandard::PdfA2b),
    };
    let mut book = Book {
        meta,
        articles,
        resources: resource_list,
    };
    appendix::add(&mut book);
    Ok(Loaded {
        book,
        warnings: diags,
    })
}

/// `SOURCE_DATE_EPOCH`, the reproducible-builds convention, when the book gives no date.
fn source_date_epoch() -> Option<Date> {
    let secs: i64 = std::env::var("SOURCE_DATE_EPOCH")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Date::from_days_since_epoch(secs.div_euclid(86400)))
}

struct LoadContext<'a> {
    root: &'a Path,
    index: &'a HashMap<PathBuf, usize>,
    resource_ids: &'a HashSet<&'a str>,
}

struct ArticleResolver<'a> {
    ctx: &'a LoadContext<'a>,
    dir: PathBuf,
}

impl Resolver for ArticleResolver<'_> {
    fn article(&self, link_path: &str) -> Option<usize> {
        let p = images::normalize(&self.dir.join(images::percent_decode(link_path)))?;
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

fn load_article(
    ctx: &LoadContext,
    index: usize,
    rel: &Path,
    slug: &str,
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
        lang: fm
            .lang
            .map(|l| l.0)
            .unwrap_or_else(|| book_lang.to_string()),
        reviewed: fm.reviewed.map(|r| Review {
            by: r.by,
            on: r.on.0,
            next: r.next.map(|d| d.0),
        }),
        resources: fm.resources,
        appendix: false,
        blocks,
        footnotes: std::mem::take(&mut parsed.footnotes),
    };
    Ok((article, parsed))
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

fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Diagnostic::error(path, 0, 0, format!("cannot read: {e}")))?;
    if meta.len() > MAX_ARTICLE_BYTES {
        return Err(Diagnostic::error(
            path,
            0,
            0,
            format!(
                "file is {} MB; the limit is {} MB",
                meta.len() >> 20,
                MAX_ARTICLE_BYTES >> 20
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(path, 0, 0, format!("cannot read: {e}")))?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = std::str::from_utf8(&e.as_bytes()[..at]).unwrap_or("");
            let (l, c) = LineIndex::new(valid).line_col(at);
            Err(Diagnostic::error(
                path,
                l,
                c,
                "the file is not valid UTF-8 here; save it as UTF-8",
            ))
        }
    }
}

/// A file-name-safe slug: ASCII letters, digits and hyphens.
pub fn file_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "book".into()
    } else {
        out
    }
}

fn unique_slugs(paths: &[PathBuf]) -> Vec<String> {
    let mut used = HashSet::new();
    paths
        .iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let base = file_slug(&stem);
            let base = if base.starts_with(|c: char| c.is_ascii_digit()) {
                format!("a-{base}")
            } else {
                base
            };
            let mut slug = base.clone();
            let mut n = 1;
            while !used.insert(slug.clone()) {
                n += 1;
                slug = format!("{base}-{n}");
            }
            slug
        })
        .collect()
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

    #[test]
    fn slugs_are_unique_and_safe() {
        let s = unique_slugs(&[
            PathBuf::from("a/What Is.md"),
            PathBuf::from("b/what-is.md"),
            PathBuf::from("01-x.md"),
        ]);
        assert_eq!(s, vec!["what-is", "what-is-2", "a-01-x"]);
    }
}
