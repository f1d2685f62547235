//! The shape of the code, checked: which stage may use which (a file's path says what it may
//! touch), no function over 200 lines, and the words the tool prints only in the locale
//! tables.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module path of a file: `src/render/pdf/links.rs` → [render, pdf, links].
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

/// The code of a file without its test module and comments (tests may use anything).
fn code(text: &str) -> String {
    let body = text.split("#[cfg(test)]").next().unwrap_or("");
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module path a file refers to, absolute: `crate::a::b` and `super::…` resolved.
fn references(file: &Path, text: &str) -> BTreeSet<Vec<String>> {
    let here = module_of(file);
    let mut out = BTreeSet::new();
    let code = code(text);
    let bytes = code.as_bytes();
    let ident = |at: usize| -> (String, usize) {
        let mut end = at;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        (code[at..end].to_string(), end)
    };
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let at = |s: &[u8], k: usize| bytes[k..].starts_with(s);
        if boundary && (at(b"crate::", i) || at(b"super::", i)) {
            let mut path: Vec<String> = if at(b"crate::", i) {
                i += 7;
                Vec::new()
            } else {
                // `super` of `a/b.rs` (module a::b) and of `a/b/mod.rs` (a::b) is `a`.
                let mut base = here.clone();
                base.pop();
                i += 7;
                while at(b"super::", i) {
                    base.pop();
                    i += 7;
                }
                base
            };
            // A group, `super::{a, b::c}`: each item is a reference of its own.
            if at(b"{", i) {
                let close = code[i..].find('}').map_or(code.len(), |e| i + e);
                for item in code[i + 1..close].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() && name != "self" {
                        let mut p = path.clone();
                        p.push(name);
                        out.insert(p);
                    }
                }
                i = close.max(i + 1);
                continue;
            }
            let (first, end) = ident(i);
            path.push(first);
            let mut j = end;
            if at(b"::", j) {
                let (second, _) = ident(j + 2);
                if !second.is_empty() {
                    path.push(second);
                }
            }
            j = j.max(i + 1);
            out.insert(path);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// What the files under `prefix` may refer to (top-level modules, or `render::x`).
const RULES: &[(&str, &[&str])] = &[
    ("model", &["model"]),
    ("paged", &["paged", "model"]),
    ("locale", &["locale", "model"]),
    ("read", &["read", "model", "locale", "diag", "url"]),
    ("fonts", &["fonts", "diag"]),
    (
        "typeset",
        &[
            "typeset", "model", "paged", "locale", "fonts", "url", "trace",
        ],
    ),
    (
        "render/pdf",
        &[
            "render::pdf",
            "render::xml",
            "render::RenderError",
            "paged",
            "model",
            "fonts",
            "trace",
        ],
    ),
    (
        "render/epub",
        &[
            "render::epub",
            "render::xhtml",
            "render::xml",
            "render::Input",
            "render::Needs",
            "render::Output",
            "render::RenderError",
            "render::Rendered",
            "render::Renderer",
            "render::WriteSeek",
            "paged::Edition",
            "model",
            "locale",
            "fonts",
            "trace",
        ],
    ),
    ("render/xhtml", &["render::xml", "model", "locale"]),
    ("render/xml", &[]),
    (
        "check",
        &["check", "read", "model", "locale", "fonts", "diag"],
    ),
];

#[test]
fn stages_only_use_what_their_path_allows() {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut broken = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix(src()).unwrap().to_string_lossy().to_string();
        let Some((_, allowed)) = RULES
            .iter()
            .filter(|(prefix, _)| rel.starts_with(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
        else {
            continue;
        };
        checked += 1;
        let text = std::fs::read_to_string(f).unwrap();
        for r in references(f, &text) {
            let joined = r.join("::");
            let ok = allowed
                .iter()
                .any(|a| joined == *a || joined.starts_with(&format!("{a}::")) || r[0] == *a);
            if !ok {
                broken.push(format!("{rel} uses {joined}"));
            }
        }
    }
    assert!(checked > 40, "the rules cover the tree ({checked} files)");
    assert!(
        broken.is_empty(),
        "imports across stages:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_rule_catches_a_renderer_importing_a_sibling() {
    // The checker itself: an EPUB file that used the PDF writer or the typesetter is caught.
    let fake = src().join("render/epub/fake.rs");
    let refs = references(
        &fake,
        "use crate::render::pdf::PdfWriter;\nuse super::super::super::typeset::Typesetter;\n",
    );
    assert!(refs.contains(&vec!["render".to_string(), "pdf".to_string()]));
    assert!(refs.contains(&vec!["typeset".to_string(), "Typesetter".to_string()]));
}

/// (length, file, name) of every function, measured from its `fn` line to the brace that
/// closes it at the same indentation (the code is rustfmt-formatted).
fn function_lengths() -> Vec<(usize, String, String)> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let after_pub = trimmed
                .strip_prefix("pub(crate) ")
                .or_else(|| trimmed.strip_prefix("pub(super) "))
                .or_else(|| trimmed.strip_prefix("pub "))
                .unwrap_or(trimmed);
            let after_kw = after_pub
                .strip_prefix("const ")
                .or_else(|| after_pub.strip_prefix("unsafe "))
                .unwrap_or(after_pub);
            if let Some(rest) = after_kw.strip_prefix("fn ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let mut j = i;
                while j < lines.len()
                    && !lines[j].trim_end().ends_with('{')
                    && !lines[j].trim_end().ends_with(';')
                {
                    j += 1;
                }
                if j < lines.len() && lines[j].trim_end().ends_with('{') {
                    let close = " ".repeat(indent) + "}";
                    let mut k = j + 1;
                    while k < lines.len() && !lines[k].starts_with(&close) {
                        k += 1;
                    }
                    let rel = f.strip_prefix(src()).unwrap().display().to_string();
                    out.push((k - i + 1, rel, name));
                }
            }
            i += 1;
        }
    }
    out
}

#[test]
fn no_function_is_over_200_lines() {
    let all = function_lengths();
    assert!(all.len() > 300, "functions were found ({})", all.len());
    let long: Vec<String> = all
        .iter()
        .filter(|(n, _, _)| *n > 200)
        .map(|(n, f, name)| format!("{f}: {name} is {n} lines"))
        .collect();
    assert!(long.is_empty(), "{}", long.join("\n"));
}

#[test]
fn the_words_the_tool_prints_live_only_in_the_locale_tables() {
    let table = std::fs::read_to_string(src().join("locale/strings/en.yaml")).unwrap();
    // Each value's fixed fragments (around its `{holes}`) of two words or more.
    let mut fragments = Vec::new();
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let Some((_, value)) = line.split_once(": ") else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        for part in value.split(|c| c == '{' || c == '}').step_by(2) {
            let part = part.trim_matches(|c: char| c.is_whitespace() || c == ':' || c == ',');
            if part.split_whitespace().count() >= 2 {
                fragments.push(part.to_string());
            }
        }
    }
    assert!(fragments.len() > 15, "{fragments:?}");
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut found = Vec::new();
    for f in files {
        let text = code(&std::fs::read_to_string(&f).unwrap());
        for frag in &fragments {
            if text.contains(&format!("\"{frag}")) || text.contains(&format!(" {frag}\"")) {
                found.push(format!("{}: {frag:?}", f.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "English printed from code, not from the locale table:\n{}",
        found.join("\n")
    );
}
