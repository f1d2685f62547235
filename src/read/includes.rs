//! mdBook's preprocessor directives, expanded before the Markdown is read, as mdBook expands
//! them: `{{#include file}}` (whole, `:N`, `:N:M`, `:N:`, `::M`, or `:anchor`),
//! `{{#rustdoc_include …}}` (the lines outside the range or anchor kept as hidden `# ` lines),
//! `{{#playground file attrs}}` (a Rust code block), `{{#title …}}`, and `\{{#` for the
//! literal text. Included files are read like images: inside the manuscript, regular files of
//! bounded size. A file that cannot be included is a warning (an error for a final edition)
//! and its directive is left out. Offsets of the expanded text map back to the original so
//! diagnostics keep their lines.

use super::files::{Outside, MAX_ARTICLE_BYTES};
use crate::diag::{Diagnostic, LineIndex};
use std::path::{Path, PathBuf};

/// Includes nested deeper than this are refused (mdBook's limit; a cycle ends here too).
const MAX_DEPTH: usize = 10;

/// Where a piece of the expanded text came from.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    /// Its start in the expanded text.
    expanded: usize,
    /// Its start in the original, when copied from it byte for byte; else (included text)
    /// the place of the directive that brought it in.
    original: usize,
    copied: bool,
}

/// Offsets of an expanded text, mapped back to the original's.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    segments: Vec<Segment>,
}

impl SourceMap {
    /// The offset in the original text that `offset` of the expanded text stands for.
    pub fn original(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|s| s.expanded <= offset);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some(s) if s.copied => s.original + (offset - s.expanded),
            Some(s) => s.original,
            None => offset,
        }
    }
}

pub struct Expanded {
    pub text: String,
    pub map: SourceMap,
    /// The title `{{#title …}}` gave.
    pub title: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What expanding needs: the manuscript folder (canonical), the file being read (for messages)
/// and its folder relative to the manuscript, and the positions of its text.
pub struct Context<'a> {
    pub root: &'a Path,
    pub file: &'a Path,
    pub dir: &'a Path,
    pub lines: &'a LineIndex<'a>,
    /// Where `text` starts in the file (after front matter).
    pub base: usize,
    /// How much text the chapter's includes have added so far (see `MAX_EXPANDED_BYTES`).
    pub spent: &'a std::cell::Cell<usize>,
    /// The files being expanded, the chapter first (relative to the manuscript): a file
    /// that includes one of them is a cycle, left out at once rather than expanded ten deep
    /// (a chapter including itself twice grew 1,024-fold, 500 bytes to 900 pages).
    pub chain: &'a [PathBuf],
}

/// The most text a chapter may grow to through its includes: a file including itself eight
/// times, or a doubling include, reached 2 GB in 6 s, and a 200 KB indentation repeated on
/// a 40,000-line include asked for 8 GB (issue 33).
pub const MAX_EXPANDED_BYTES: usize = 16 << 20;
/// The least an include counts against that limit.
const INCLUDE_COST: usize = 4096;

impl Context<'_> {
    /// Counts `bytes` more of expanded text; `false` once the chapter is over its limit,
    /// with one located error the first time.
    fn charge(&self, bytes: usize, at: usize, diags: &mut Vec<Diagnostic>) -> bool {
        let before = self.spent.get();
        let after = before.saturating_add(bytes);
        self.spent.set(after);
        if after <= MAX_EXPANDED_BYTES {
            return true;
        }
        if before <= MAX_EXPANDED_BYTES {
            let (l, c) = self.lines.line_col(self.base + at);
            diags.push(Diagnostic::error(
                self.file,
                l,
                c,
                format!(
                    "with its includes this chapter grows past {} MB here: an include that repeats itself, or one far too large",
                    MAX_EXPANDED_BYTES >> 20
                ),
            ));
        }
        false
    }
}

/// `content` with every line after the first starting with `prefix` (the text before the
/// directive on its line: its indentation in a list or a quote), as mdBook does; `None` when
/// that would take the chapter over its limit.
fn indented(
    content: &str,
    prefix: &str,
    ctx: &Context,
    at: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let lines = content.lines().count();
    if !ctx.charge(prefix.len().saturating_mul(lines), at, diags) {
        return None;
    }
    Some(
        content
            .lines()
            .collect::<Vec<_>>()
            .join(&format!("\n{prefix}")),
    )
}

/// Expands every directive of `text`. Text without `{{#` comes back as it was.
pub fn expand(text: &str, ctx: &Context) -> Expanded {
    let mut out = Expanded {
        text: String::new(),
        map: SourceMap::default(),
        title: None,
        diagnostics: Vec::new(),
    };
    if !text.contains("{{") {
        out.text = text.to_string();
        return out;
    }
    warn_templates(text, ctx, &mut out.diagnostics);
    let mut copied_from = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    let copy = |out: &mut Expanded, from: usize, to: usize| {
        if from < to {
            out.map.segments.push(Segment {
                expanded: out.text.len(),
                original: from,
                copied: true,
            });
            out.text.push_str(&text[from..to]);
        }
    };
    while let Some(found) = text[i..].find("{{") {
        let at = i + found;
        let escaped = at > 0 && bytes[at - 1] == b'\\';
        let Some(d) = Directive::parse(&text[at..]) else {
            i = at + 2;
            continue;
        };
        if escaped {
            // `\{{#…}}`: the directive's text, without the backslash.
            copy(&mut out, copied_from, at - 1);
            copied_from = at;
            i = at + d.len;
            continue;
        }
        copy(&mut out, copied_from, at);
        let prefix = out.text.rsplit('\n').next().unwrap_or("").to_string();
        let content = render(&d, ctx, at, 0, &mut out)
            .and_then(|content| indented(&content, &prefix, ctx, at, &mut out.diagnostics));
        if let Some(content) = content {
            out.map.segments.push(Segment {
                expanded: out.text.len(),
                original: at,
                copied: false,
            });
            out.text.push_str(&content);
        }
        copied_from = at + d.len;
        i = copied_from;
    }
    copy(&mut out, copied_from, text.len());
    out
}

/// One `{{#kind args}}`.
struct Directive<'a> {
    kind: &'a str,
    args: &'a str,
    /// Its length in bytes, braces included.
    len: usize,
}

impl<'a> Directive<'a> {
    fn parse(s: &'a str) -> Option<Directive<'a>> {
        let rest = s.strip_prefix("{{")?;
        let inner_start = rest.len() - rest.trim_start().len();
        let rest = rest.trim_start().strip_prefix('#')?;
        let end = rest.find("}}")?;
        let inner = &rest[..end];
        if inner.contains('\n') && inner.lines().count() > 1 {
            return None;
        }
        let kind_end = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let kind = &inner[..kind_end];
        let args = inner[kind_end..].trim();
        if kind.is_empty()
            || !matches!(
                kind,
                "include" | "rustdoc_include" | "playground" | "playpen" | "title"
            )
        {
            return None;
        }
        // mdBook needs something after the kind (`{{ #include }}` is text).
        if args.is_empty() {
            return None;
        }
        Some(Directive {
            kind,
            args,
            len: 2 + inner_start + 1 + end + 2,
        })
    }
}

/// The text a directive stands for, or `None` (with a diagnostic) when it cannot be made.
fn render(
    d: &Directive,
    ctx: &Context,
    at: usize,
    depth: usize,
    out: &mut Expanded,
) -> Option<String> {
    let warn = |out: &mut Expanded, message: String| {
        let (l, c) = ctx.lines.line_col(ctx.base + at);
        out.diagnostics
            .push(Diagnostic::warning(ctx.file, l, c, message).with_code("missing-include"));
    };
    if d.kind == "title" {
        out.title = Some(d.args.to_string());
        return Some(String::new());
    }
    // Over the limit: nothing more is read (the error was given once).
    if ctx.spent.get() > MAX_EXPANDED_BYTES {
        return None;
    }
    let mut words = d.args.split_whitespace();
    let target = words.next().unwrap_or("");
    let (path, selector) = match target.split_once(':') {
        Some((p, sel)) => (p, Some(sel)),
        None => (target, None),
    };
    let (rel, content) = match read_included(ctx, path) {
        Ok(x) => x,
        Err(message) => {
            warn(
                out,
                format!("`{{{{#{} {target}}}}}` is left out: {message}", d.kind),
            );
            return None;
        }
    };
    if ctx.chain.contains(&rel) {
        warn(
            out,
            format!(
                "`{{{{#{} {target}}}}}` is left out: `{}` would include itself",
                d.kind,
                rel.display()
            ),
        );
        return None;
    }
    if depth >= MAX_DEPTH {
        warn(
            out,
            "includes nested more than 10 deep (a cycle?) are left out".into(),
        );
        return None;
    }
    let selection = Selection::parse(selector);
    if let Selection::Anchor(name) = &selection {
        if !content
            .lines()
            .any(|l| anchor_name(l, "ANCHOR:").as_deref() == Some(name.as_str()))
        {
            warn(
                out,
                format!(
                    "`{{{{#{} {target}}}}}` is left out: `{path}` has no `ANCHOR: {name}`",
                    d.kind
                ),
            );
            return None;
        }
    }
    let text = match d.kind {
        "include" => selection.take(&content, false),
        "rustdoc_include" => selection.take(&content, true),
        _ => {
            let attrs: Vec<&str> = words.collect();
            let mut code = content;
            if !code.ends_with('\n') {
                code.push('\n');
            }
            let info = if attrs.is_empty() {
                "rust".to_string()
            } else {
                format!("rust,{}", attrs.join(","))
            };
            format!("```{info}\n{code}```\n")
        }
    };
    // Each include counts at least 4 KB, so many tiny ones (a file including itself
    // eight times, 8^10 reads) stop as soon as large ones do: after about 4,000.
    if !ctx.charge(text.len().max(INCLUDE_COST), at, &mut out.diagnostics) {
        return None;
    }
    // An included file's own directives, relative to its own folder.
    if text.contains("{{#") {
        let dir = rel.parent().map(Path::to_path_buf).unwrap_or_default();
        let chain: Vec<PathBuf> = ctx.chain.iter().cloned().chain([rel.clone()]).collect();
        let nested = Context {
            dir: &dir,
            chain: &chain,
            ..*ctx
        };
        let mut inner = Vec::new();
        let expanded = expand_nested(&text, &nested, at, depth + 1, &mut inner);
        out.diagnostics.extend(inner);
        return Some(expanded);
    }
    Some(text)
}

/// Expands directives inside included text; every diagnostic points at the outer directive.
fn expand_nested(
    text: &str,
    ctx: &Context,
    at: usize,
    depth: usize,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let mut scratch = Expanded {
        text: String::new(),
        map: SourceMap::default(),
        title: None,
        diagnostics: Vec::new(),
    };
    let mut result = String::new();
    let mut from = 0;
    let mut i = 0;
    while let Some(found) = text[i..].find("{{") {
        let pos = i + found;
        let Some(d) = Directive::parse(&text[pos..]) else {
            i = pos + 2;
            continue;
        };
        if pos > 0 && text.as_bytes()[pos - 1] == b'\\' {
            result.push_str(&text[from..pos - 1]);
            from = pos;
            i = pos + d.len;
            continue;
        }
        result.push_str(&text[from..pos]);
        let prefix = result.rsplit('\n').next().unwrap_or("").to_string();
        if let Some(content) = render(&d, ctx, at, depth, &mut scratch)
            .and_then(|content| indented(&content, &prefix, ctx, at, &mut scratch.diagnostics))
        {
            result.push_str(&content);
        }
        from = pos + d.len;
        i = from;
    }
    result.push_str(&text[from..]);
    diags.extend(scratch.diagnostics);
    result
}

/// Reads a file named by a directive, relative to the including file's folder: inside the
/// manuscript (no `..` above it, no link out of it), a regular file, of bounded size.
fn read_included(ctx: &Context, path: &str) -> Result<(PathBuf, String), String> {
    if path.is_empty() {
        return Err("it names no file".into());
    }
    let wanted = ctx.dir.join(super::files::percent_decode(path));
    let (canon, rel) =
        super::files::inside(ctx.root, &wanted).map_err(|outside| match outside {
            Outside::Missing => format!("no such file ({})", ctx.root.join(&wanted).display()),
            _ => format!("the file {}", outside.words()),
        })?;
    let meta = std::fs::metadata(&canon).map_err(|_| "the file cannot be read".to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_ARTICLE_BYTES {
        return Err(format!(
            "the file is {} MB; the limit is 16 MB",
            meta.len() >> 20
        ));
    }
    let bytes = std::fs::read(&canon).map_err(|_| "the file cannot be read".to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string())?;
    Ok((rel, text))
}

/// Which lines of a file to take.
enum Selection {
    /// Lines `start..end` (0-based, end exclusive; `None`: to the end).
    Lines(usize, Option<usize>),
    Anchor(String),
}

impl Selection {
    /// mdBook's reading of what follows the path: nothing or `::` the whole file; `N` line
    /// N; `N:M`; `N:`; `:M`; anything else an anchor.
    fn parse(selector: Option<&str>) -> Selection {
        let Some(sel) = selector else {
            return Selection::Lines(0, None);
        };
        let mut parts = sel.splitn(2, ':');
        let first = parts.next().unwrap_or("");
        let second = parts.next();
        let start = match first.parse::<usize>() {
            Ok(n) => Some(n.saturating_sub(1)),
            Err(_) if first.is_empty() => None,
            Err(_) => return Selection::Anchor(first.to_string()),
        };
        let end = second.map(|s| s.parse::<usize>());
        match (start, end) {
            (Some(s), Some(Ok(e))) => Selection::Lines(s, Some(e)),
            (Some(s), Some(Err(_))) => Selection::Lines(s, None),
            (Some(s), None) => Selection::Lines(s, Some(s + 1)),
            (None, Some(Ok(e))) => Selection::Lines(0, Some(e)),
            (None, _) => Selection::Lines(0, None),
        }
    }

    /// The selected lines; with `hide_rest` (rustdoc_include), every other line too, as a
    /// hidden `# ` line. Anchor comment lines are never kept.
    fn take(&self, content: &str, hide_rest: bool) -> String {
        let mut out: Vec<String> = Vec::new();
        match self {
            Selection::Lines(start, end) => {
                for (i, line) in content.lines().enumerate() {
                    let inside = i >= *start && end.is_none_or(|e| i < e);
                    if inside {
                        out.push(line.to_string());
                    } else if hide_rest {
                        out.push(format!("# {line}"));
                    }
                }
            }
            Selection::Anchor(name) => {
                let mut inside = false;
                for line in content.lines() {
                    if anchor_name(line, "ANCHOR:").as_deref() == Some(name.as_str()) {
                        inside = true;
                        continue;
                    }
                    if anchor_name(line, "ANCHOR_END:").as_deref() == Some(name.as_str()) {
                        inside = false;
                        // A plain include takes the first section of that name only.
                        if !hide_rest {
                            break;
                        }
                        continue;
                    }
                    if anchor_name(line, "ANCHOR:").is_some()
                        || anchor_name(line, "ANCHOR_END:").is_some()
                    {
                        continue;
                    }
                    if inside {
                        out.push(line.to_string());
                    } else if hide_rest {
                        out.push(format!("# {line}"));
                    }
                }
            }
        }
        out.join("\n")
    }
}

/// The name after `marker` on a line (`// ANCHOR: name`), if the line holds one.
fn anchor_name(line: &str, marker: &str) -> Option<String> {
    let at = line.find(marker)?;
    let name: String = line[at + marker.len()..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Template syntax of other tools (Liquid, Jinja, Handlebars) left in the text prints as it
/// is: worth a warning, outside code.
fn warn_templates(text: &str, ctx: &Context, diags: &mut Vec<Diagnostic>) {
    let mut fence: Option<&str> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
        } else if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
        } else if let Some(col) = line.find("{%").or_else(|| {
            line.find("{{")
                .filter(|&i| !line[i..].starts_with("{{#") && line[i..].contains("}}"))
                .filter(|&i| i == 0 || line.as_bytes()[i - 1] != b'\\')
        }) {
            // Inside `code` it is shown on purpose.
            if line[..col].matches('`').count() % 2 == 1 {
                offset += line.len();
                continue;
            }
            let (l, c) = ctx.lines.line_col(ctx.base + offset + col);
            diags.push(Diagnostic::warning(
                ctx.file,
                l,
                c,
                "template syntax from another tool (`{{ … }}` or `{% … %}`) is printed as it is",
            ));
        }
        offset += line.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_files(files: &[(&str, &str)], text: &str) -> (Expanded, String) {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("handout-inc-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (p, c) in files {
            let path = dir.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, c).unwrap();
        }
        let lines = LineIndex::new(text);
        let ctx = Context {
            root: &dir,
            file: Path::new("src/ch.md"),
            dir: Path::new("src"),
            lines: &lines,
            base: 0,
            spent: &std::cell::Cell::new(0),
            chain: &[PathBuf::from("src/ch.md")],
        };
        let e = expand(text, &ctx);
        let _ = std::fs::remove_dir_all(&dir);
        (e, text.to_string())
    }

    const CODE: &str = "fn main() {\n    // ANCHOR: body\n    let x = 1;\n    // ANCHOR_END: body\n    println!(\"{x}\");\n}\n";

    /// A cycle (a file including itself, directly or through another) is left out at its
    /// first turn with a warning, not expanded ten deep: a chapter including itself twice
    /// grew 1,024-fold (found by the manuscript fuzz target).
    #[test]
    fn a_cycle_is_left_out_at_its_first_turn() {
        let chapter = "Intro.\n\n{{#include ch.md}}\n{{#include ch.md}}\n{{#include a.md}}\n";
        let files = [
            ("src/ch.md", chapter),
            ("src/a.md", "In a.\n{{#include b.md}}\n"),
            ("src/b.md", "In b.\n{{#include a.md}}\n"),
        ];
        let (e, _) = with_files(&files, chapter);
        assert_eq!(e.text.matches("In a.").count(), 1, "{}", e.text);
        assert_eq!(e.text.matches("In b.").count(), 1, "{}", e.text);
        assert_eq!(e.text.matches("Intro.").count(), 1, "{}", e.text);
        let cycles: Vec<&Diagnostic> = e
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("would include itself"))
            .collect();
        assert_eq!(cycles.len(), 3, "{:?}", e.diagnostics);
        assert!(cycles
            .iter()
            .all(|d| d.line == 3 || d.line == 4 || d.line == 5));
    }

    #[test]
    fn includes_lines_ranges_and_anchors() {
        let files = [("listings/a.rs", CODE)];
        let cases = [
            ("{{#include ../listings/a.rs:3}}", "    let x = 1;"),
            ("{{#include ../listings/a.rs:1:1}}", "fn main() {"),
            ("{{#include ../listings/a.rs::1}}", "fn main() {"),
            ("{{#include ../listings/a.rs:6:}}", "}"),
            ("{{#include ../listings/a.rs:body}}", "    let x = 1;"),
            (
                "{{#rustdoc_include ../listings/a.rs:body}}",
                "# fn main() {\n    let x = 1;\n#     println!(\"{x}\");\n# }",
            ),
            (
                "\\{{#include ../listings/a.rs}}",
                "{{#include ../listings/a.rs}}",
            ),
            (
                "{{#playground ../listings/a.rs editable}}",
                "```rust,editable\nfn main() {",
            ),
        ];
        for (directive, want) in cases {
            let (e, _) = with_files(&files, directive);
            assert!(e.text.starts_with(want), "{directive}: {:?}", e.text);
            assert!(e.diagnostics.is_empty(), "{directive}: {:?}", e.diagnostics);
        }
    }

    #[test]
    fn included_lines_keep_the_directive_line_prefix_and_positions_map_back() {
        let files = [("src/x.txt", "one\ntwo\n")];
        let text = "Intro.\n\n- item\n  {{#include x.txt}}\n\nAfter.\n";
        let (e, _) = with_files(&files, text);
        assert!(e.text.contains("  one\n  two"), "{:?}", e.text);
        // "After." keeps its place in the original for diagnostics.
        let after = e.text.find("After.").unwrap();
        assert_eq!(e.map.original(after), text.find("After.").unwrap());
        // Included text maps to the directive.
        let two = e.text.find("two").unwrap();
        assert_eq!(e.map.original(two), text.find("{{#include").unwrap());
    }

    #[test]
    fn missing_and_outside_files_are_warnings_and_left_out() {
        let files = [("secret.txt", "no")];
        for d in [
            "{{#include nope.rs}}",
            "{{#include ../../etc/passwd}}",
            "{{#include ../secret.txt}}x",
        ] {
            let (e, _) = with_files(&files, d);
            if d.ends_with('x') {
                // Inside the manuscript: read.
                assert_eq!(e.text, "nox");
                continue;
            }
            assert!(!e.text.contains("{{#"), "{d}: {:?}", e.text);
            let w = &e.diagnostics[0];
            assert!(!w.is_error() && w.code == Some("missing-include"), "{w:?}");
            assert_eq!((w.line, w.col), (1, 1));
        }
        let (e, _) = with_files(&[], "Hello {{ page.title }} and {% if x %}.\n");
        assert!(e
            .diagnostics
            .iter()
            .any(|d| d.message.contains("template syntax")));
    }
}
