//! A whole manuscript folder → `publish` (every renderer): no input may panic or hang, and a
//! refused build must come back as diagnostics. The input is a small archive in text, so seeds
//! are easy to write and mutations stay meaningful: `@@ NAME` on a line of its own starts a
//! file, NAME taken from a fixed list (book.yaml, articles, a site, resources, an SVG, an
//! include, book.toml and SUMMARY.md for the mdBook reader); anything else is dropped, so the
//! fuzzer never writes outside its own folder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

const NAMES: &[&str] = &[
    "book.yaml",
    "a.md",
    "b.md",
    "resources.yaml",
    "sites/east.yaml",
    "sites/west.yml",
    "images/figure.svg",
    "images/logo.svg",
    "sites/logo.svg",
    "listings/main.rs",
    "book.toml",
    "src/SUMMARY.md",
    "src/chapter.md",
    "src/inc.rs",
];

fn folder() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handout-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn unpack(text: &str, root: &Path) {
    let mut current: Option<(&str, String)> = None;
    let mut files: Vec<(&str, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.trim_end().strip_prefix("@@ ") {
            files.extend(current.take());
            current = NAMES.iter().find(|n| **n == name).map(|n| (*n, String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    files.extend(current);
    for (name, body) in files {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(path, body);
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 64 * 1024 {
        return;
    }
    let root = folder();
    let manuscript = root.join("m");
    let _ = std::fs::create_dir_all(&manuscript);
    unpack(&String::from_utf8_lossy(data), &manuscript);
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fonts");
    let mut opts = handout::Options::all(&manuscript, root.join("out"));
    opts.fonts = fonts;
    opts.wait = false;
    match handout::publish(&opts, &mut |_| {}) {
        Ok(_) => {}
        Err(diagnostics) => assert!(!diagnostics.is_empty(), "a refused build says why"),
    }
    let _ = std::fs::remove_dir_all(&root);
});
