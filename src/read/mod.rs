//! Reading a manuscript into the document model. A `Source` (book.yaml today) says which
//! files make the book; this module reads them all the same way: paths kept inside the
//! manuscript, resources checked, articles parsed in parallel, links between them checked,
//! metadata completed and the resource appendix added. The result is the model, or every
//! error found on the way.

pub mod appendix;
mod articles;
mod book_yaml;
pub mod config;
pub mod files;
mod folder;
pub mod html;
pub mod images;
pub mod includes;
pub mod markdown;
mod mdbook;
pub mod resources;
pub mod sites;
pub mod source;
mod svg;
mod yaml_errors;
pub mod yaml_locations;

pub use articles::split_front_matter;
use book_yaml::BookYamlSource;

use crate::diag::Diagnostic;
use crate::model::*;
use rayon::prelude::*;
use source::{Entry, Outline, Settings, Source};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A loaded manuscript, with the warnings met on the way.
pub struct Loaded {
    pub book: Book,
    /// The book as each site (`sites/*.yaml`) prints it, in file-name order.
    pub sites: Vec<Book>,
    pub warnings: Vec<Diagnostic>,
}

/// Reads the manuscript at `root`. `Err` holds every error found (and any warnings), sorted.
/// The source is chosen by what the folder holds: book.yaml (the richer format; it wins over
/// a book.toml beside it, with a note), else mdBook's book.toml with its SUMMARY.md, else the
/// folder's Markdown files as they are.
pub fn load(root: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    if !root.is_dir() {
        return Err(vec![Diagnostic::error(
            root,
            0,
            0,
            "no such folder: give the folder that holds the book",
        )]);
    }
    let outline = if root.join("book.yaml").exists() {
        let mut o = BookYamlSource { root }.outline()?;
        if root.join("book.toml").is_file() {
            o.diagnostics.push(Diagnostic::note(
                root.join("book.toml"),
                0,
                0,
                "book.yaml and book.toml are both here: book.yaml is read, book.toml is not",
            ));
        }
        o
    } else if root.join("book.toml").is_file() {
        mdbook::MdBookSource { root }.outline()?
    } else {
        folder::FolderSource { root }.outline()?
    };
    read(root, outline)
}

/// Reads the book a source outlined.
pub fn read(root: &Path, outline: Outline) -> Result<Loaded, Vec<Diagnostic>> {
    let Outline {
        settings,
        entries,
        parts,
        resources,
        mut diagnostics,
    } = outline;
    root.canonicalize()
        .map_err(|e| vec![Diagnostic::error(root, 0, 0, crate::diag::io_words(&e))])?;
    // A book.yaml (or SUMMARY.md) that could not be read lists no articles to trust.
    let outline_read = !diagnostics.iter().any(Diagnostic::is_error);
    let entries = checked_entries(root, entries, &mut diagnostics);
    let before = diagnostics.iter().filter(|d| d.is_error()).count();
    let resource_list = read_resources(root, resources, &mut diagnostics);
    // The articles are read even when the resources file has errors: one run reports all.
    let resources_read = diagnostics.iter().filter(|d| d.is_error()).count() == before;
    let language = settings
        .language
        .clone()
        .unwrap_or_else(|| "en".to_string());
    let articles = read_articles(
        root,
        &entries,
        resources_read.then_some(&resource_list[..]),
        &language,
        &settings.hidden_code_lines,
        &mut diagnostics,
    );
    let article_paths: Vec<PathBuf> = entries.iter().map(|e| e.path.clone()).collect();
    let site_files = sites::read_all(
        root,
        outline_read.then_some(&article_paths[..]),
        &mut diagnostics,
    );
    if diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        return Err(diagnostics);
    }
    let parts = parts
        .into_iter()
        .map(|(title, first)| Part { title, first })
        .collect();
    let newest = newest_input(root, &article_paths);
    let mut book = Book::new(
        book_meta(settings, language, newest),
        articles,
        parts,
        resource_list,
    );
    let mut site_books: Vec<Book> = site_files
        .iter()
        .map(|s| sites::site_book(&book, s))
        .collect();
    appendix::add(&mut book);
    site_books.iter_mut().for_each(appendix::add);
    Ok(Loaded {
        book,
        sites: site_books,
        warnings: diagnostics,
    })
}

/// The entries whose paths stay inside the manuscript, name a file and are listed once
/// (normalised); a problem with any is an error where it is listed.
fn checked_entries(root: &Path, entries: Vec<Entry>, diags: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for entry in entries {
        let shown = entry.path.display().to_string();
        match files::inside(root, &entry.path) {
            Err(files::Outside::Missing) => {
                let mut d = entry
                    .listed
                    .error(format!("article `{shown}` not found"))
                    .with_len(shown.chars().count());
                d.help = nearest_article(root, &entry.path).map(|p| format!("did you mean `{p}`?"));
                diags.push(d)
            }
            Err(outside) => diags.push(
                entry
                    .listed
                    .error(format!("article `{shown}` {}", outside.words())),
            ),
            Ok((canon, _)) if !canon.is_file() => diags.push(
                entry
                    .listed
                    .error(format!("article `{shown}` is not a file")),
            ),
            Ok((_, norm)) if !seen.insert(norm.clone()) => diags.push(
                entry
                    .listed
                    .error(format!("article `{shown}` is listed twice")),
            ),
            Ok((_, norm)) => out.push(Entry {
                path: norm,
                ..entry
            }),
        }
    }
    out
}

/// The Markdown file beside a listed one that is missing whose name is closest to it (a slip
/// of the keyboard), as the book would list it.
fn nearest_article(root: &Path, listed: &Path) -> Option<String> {
    let dir = listed.parent().unwrap_or(Path::new(""));
    let name = listed.file_name()?.to_str()?;
    let (canon, _) = files::inside(root, dir).ok()?;
    let names: Vec<String> = std::fs::read_dir(canon)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md"))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let found = crate::diag::did_you_mean(name, &refs)?;
    Some(dir.join(found).display().to_string())
}

/// The resources file's entries (none when the book has no resources file).
fn read_resources(
    root: &Path,
    file: Option<(PathBuf, Option<source::Place>)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Resource> {
    let Some((rel, named_at)) = file else {
        return Vec::new();
    };
    let path = match files::inside(root, &rel) {
        Ok((_, norm)) => root.join(norm),
        // Only a file book.yaml names must be there.
        Err(files::Outside::Missing) if named_at.is_none() => return Vec::new(),
        Err(outside) => {
            let message = format!("resources file `{}` {}", rel.display(), outside.words());
            diags.push(match named_at {
                Some(at) => at.error(message),
                None => Diagnostic::error(root.join(&rel), 0, 0, message),
            });
            return Vec::new();
        }
    };
    match resources::load(&path) {
        Ok((r, warnings)) => {
            diags.extend(warnings);
            r
        }
        Err(d) => {
            diags.extend(d);
            Vec::new()
        }
    }
}

/// Every article, read in parallel (they are independent until links are checked), then the
/// links to anchors in other articles checked.
fn read_articles(
    root: &Path,
    entries: &[Entry],
    resources: Option<&[Resource]>,
    language: &str,
    hidden_code_lines: &HashMap<String, String>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Article> {
    let sources: Vec<PathBuf> = entries.iter().map(|e| e.path.clone()).collect();
    let index: HashMap<PathBuf, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), i))
        .collect();
    let resource_ids: Option<HashSet<&str>> =
        resources.map(|rs| rs.iter().map(|r| r.id.as_str()).collect());
    let slugs = unique_slugs(&sources);
    // An article's large-print handout is `<slug>-large-print.pdf`: an article whose own
    // name is that would be written over it.
    for (i, slug) in slugs.iter().enumerate() {
        let Some(base) = slug.strip_suffix("-large-print") else {
            continue;
        };
        if let Some(j) = slugs.iter().position(|s| s == base) {
            diags.push(entries[i].listed.error(format!(
                "the handout of `{}` and the large-print handout of `{}` would both be handouts/{slug}.pdf: rename one",
                entries[i].path.display(),
                entries[j].path.display()
            )));
        }
    }
    let ctx = articles::LoadContext {
        root,
        index: &index,
        resource_ids: resource_ids.as_ref(),
        hidden_code_lines,
    };
    let results: Vec<_> = entries
        .par_iter()
        .enumerate()
        .map(|(i, e)| articles::load_article(&ctx, i, e, &slugs[i], language))
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
    check_anchors(root, &sources, &loaded, &anchor_refs, diags);
    let mut articles: Vec<Article> = loaded.into_iter().flatten().collect();
    drop_dead_anchors(&mut articles);
    articles
}

/// A link to an anchor its article does not have goes to the article itself (a dead fragment
/// would be an error in the EPUB and go nowhere in the PDF).
fn drop_dead_anchors(articles: &mut [Article]) {
    let ids: Vec<HashSet<String>> = articles
        .iter()
        .map(|a| a.anchor_ids().into_iter().map(str::to_string).collect())
        .collect();
    for a in articles.iter_mut() {
        let mut fix = |i: &mut Inline| {
            if let Inline::Link {
                target: LinkTarget::Internal { article, anchor },
                ..
            } = i
            {
                if anchor
                    .as_ref()
                    .is_some_and(|x| ids.get(*article).is_some_and(|set| !set.contains(x)))
                {
                    *anchor = None;
                }
            }
        };
        walk_inlines_mut(&mut a.blocks, &mut fix);
        for f in &mut a.footnotes {
            walk_inlines_mut(&mut f.blocks, &mut fix);
        }
    }
}

/// Every `#anchor` must name a heading or anchor of its article (among those that loaded).
fn check_anchors(
    root: &Path,
    sources: &[PathBuf],
    loaded: &[Option<Article>],
    anchor_refs: &[(PathBuf, Vec<markdown::AnchorRef>)],
    diags: &mut Vec<Diagnostic>,
) {
    let ids: Vec<Option<HashSet<&str>>> = loaded
        .iter()
        .map(|a| a.as_ref().map(|a| a.anchor_ids().into_iter().collect()))
        .collect();
    for (file, refs) in anchor_refs {
        for (article, anchor, l, c) in refs {
            let Some(Some(known)) = ids.get(*article) else {
                continue;
            };
            if !known.contains(anchor.as_str()) {
                // mdBook builds a book with a dead anchor, and so does handout, but a final
                // edition does not.
                diags.push(
                    Diagnostic::warning(
                        root.join(file),
                        *l,
                        *c,
                        format!(
                            "link to `#{anchor}`: `{}` has no heading or anchor with that id; the link goes to the top of the article",
                            sources[*article].display()
                        ),
                    )
                    .with_code("missing-anchor")
                    .with_help(nearest_id(anchor, known)),
                );
            }
        }
    }
}

/// The help for a dead anchor: the nearest id the article has, else its ids.
fn nearest_id(anchor: &str, known: &HashSet<&str>) -> String {
    let mut ids: Vec<&str> = known.iter().copied().collect();
    ids.sort_unstable();
    match crate::diag::did_you_mean(anchor, &ids) {
        Some(id) => format!("did you mean `#{id}`?"),
        None if ids.is_empty() => "that article has no headings or anchors".into(),
        None => {
            let shown: Vec<&str> = ids.iter().take(8).copied().collect();
            let more = if ids.len() > 8 { ", …" } else { "" };
            format!("its ids include {}{more}", shown.join(", "))
        }
    }
}

/// The book's metadata: the source's settings with their defaults filled in.
fn book_meta(s: Settings, language: String, newest: Option<Date>) -> BookMeta {
    let date = s
        .date
        .or_else(source_date_epoch)
        .or(newest)
        .unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        });
    let identifier = s.identifier.clone().unwrap_or_else(|| {
        format!(
            "urn:uuid:{}",
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, s.title.as_bytes())
        )
    });
    BookMeta {
        slug: file_slug(&s.title),
        title: s.title.trim().to_string(),
        subtitle: s.subtitle,
        publisher: s.publisher,
        authors: s.authors,
        language,
        date,
        date_given: s.date.is_some(),
        identifier,
        description: s.description,
        epub_fonts: !s.epub_no_fonts,
        certified_by: s.certified_by,
        cover: s.cover,
        // Grade 8: the CDC's and CMS's ceiling for patient material; a book that is not
        // patient material has no limit unless it sets one.
        reading_level: s.reading_level.unwrap_or(if s.clinical_review {
            8.0
        } else {
            f32::INFINITY
        }),
        paper: s.paper,
        pdf_a: s.pdf_a,
        breaks: s.breaks,
        styles: s.styles,
        edition: s.edition,
        site: None,
        clinical_review: s.clinical_review,
    }
}

/// The day the newest of the book's own files (its list and its articles) was last changed:
/// the EPUB's required modification date when the book gives none and `SOURCE_DATE_EPOCH`
/// is not set (it said 1970-01-01). The same files give the same date, never the clock's.
fn newest_input(root: &Path, articles: &[PathBuf]) -> Option<Date> {
    ["book.yaml", "book.toml", "SUMMARY.md", "src/SUMMARY.md"]
        .iter()
        .map(PathBuf::from)
        .chain(articles.iter().cloned())
        .filter_map(|p| std::fs::metadata(root.join(p)).ok()?.modified().ok())
        .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .max()
        .map(|d| Date::from_days_since_epoch((d.as_secs() / 86400) as i64))
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

fn unique_slugs(paths: &[PathBuf]) -> Vec<String> {
    // The folder all chapters are in (mdBook's `src`) names none of them.
    let common = paths.iter().skip(1).fold(
        paths
            .first()
            .and_then(|p| p.parent())
            .unwrap_or(Path::new("")),
        |acc, p| {
            acc.ancestors()
                .find(|a| p.starts_with(a))
                .unwrap_or(Path::new(""))
        },
    );
    let folder = |p: &Path| {
        p.parent()
            .filter(|d| *d != common)
            .and_then(|d| d.file_name())
            .map(|d| d.to_string_lossy().to_string())
    };
    let names: Vec<String> = paths
        .iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            // mdBook's `chapter/README.md` (and `index.md`) is named by its folder, so
            // handouts read `chapter.pdf`, not `readme.pdf`, `readme-2.pdf`, ...
            let generic = ["readme", "index"].contains(&stem.to_ascii_lowercase().as_str());
            match folder(p) {
                Some(dir) if generic => dir,
                _ => stem,
            }
        })
        .collect();
    let mut count: HashMap<String, usize> = HashMap::new();
    for n in &names {
        *count.entry(file_slug(n)).or_default() += 1;
    }
    let mut used = HashSet::new();
    paths
        .iter()
        .zip(&names)
        .map(|(p, name)| {
            // A name several folders share (the async book's `intro.md` in three parts) is
            // told apart by its folder before falling back to a number.
            let mut base = file_slug(name);
            if count[&base] > 1 {
                if let Some(dir) = folder(p).filter(|d| d != name) {
                    base = file_slug(&format!("{dir}-{name}"));
                }
            }
            if base.starts_with(|c: char| c.is_ascii_digit()) {
                base = format!("a-{base}");
            }
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
    fn slugs_are_unique_and_safe() {
        let s = unique_slugs(&[
            PathBuf::from("a/What Is.md"),
            PathBuf::from("b/what-is.md"),
            PathBuf::from("01-x.md"),
        ]);
        assert_eq!(s, vec!["a-what-is", "b-what-is", "a-01-x"]);
        let s = unique_slugs(&[
            PathBuf::from("src/README.md"),
            PathBuf::from("src/setup/README.md"),
            PathBuf::from("src/usage/index.md"),
        ]);
        assert_eq!(s, vec!["readme", "setup", "usage"]);
        let s = unique_slugs(&[
            PathBuf::from("src/part-guide/intro.md"),
            PathBuf::from("src/part-reference/intro.md"),
            PathBuf::from("src/part-reference/other.md"),
        ]);
        assert_eq!(s, vec!["part-guide-intro", "part-reference-intro", "other"]);
    }
}
