//! Robustness harness: every example of the CommonMark spec becomes an article. Each is loaded
//! on its own (it must give a model or clear `file:line:col` errors, never a panic); those that
//! load are published together as one book, whose outputs `.ci/run` then validates.
//!
//! Usage: cargo run --release --example commonmark -- SPEC.txt OUT_DIR

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: commonmark SPEC.txt OUT_DIR");
        std::process::exit(2);
    }
    let spec = std::fs::read_to_string(&args[1]).expect("the spec is readable");
    let out = PathBuf::from(&args[2]);
    let fence = "`".repeat(32);
    let mut examples = Vec::new();
    let mut current: Option<String> = None;
    for line in spec.lines() {
        if current.is_none() && line.starts_with(&fence) && line.trim_end().ends_with("example") {
            current = Some(String::new());
        } else if current.is_some() && line.starts_with(&fence) {
            let text = current.take().unwrap_or_default();
            // The spec writes tabs as →; the Markdown is what precedes the lone "." line.
            let markdown = text.split("\n.\n").next().unwrap_or("").replace('→', "\t");
            examples.push(markdown);
        } else if let Some(c) = current.as_mut() {
            c.push_str(line);
            c.push('\n');
        }
    }
    println!("{} examples", examples.len());

    let work = out.join("manuscripts");
    let _ = std::fs::remove_dir_all(&work);
    let book_dir = work.join("book");
    std::fs::create_dir_all(book_dir.join("articles")).unwrap();
    let mut good = Vec::new();
    let mut refused = 0;
    let mut panics = 0;
    for (i, md) in examples.iter().enumerate() {
        // Alone first: a model, or errors that name the file, line and column.
        let dir = work.join(format!("example-{:03}", i + 1));
        std::fs::create_dir_all(dir.join("articles")).unwrap();
        std::fs::write(dir.join("book.yaml"), "title: Example\n").unwrap();
        let name = format!("example-{:03}.md", i + 1);
        std::fs::write(
            dir.join("articles").join(&name),
            format!("# Example {}\n\n{md}", i + 1),
        )
        .unwrap();
        let result = std::panic::catch_unwind(|| handout::read::load(&dir).map(|_| ()));
        match result {
            Ok(Ok(())) => good.push((name, md.clone())),
            Ok(Err(diags)) => {
                refused += 1;
                for d in &diags {
                    assert!(
                        d.line >= 1 && d.col >= 1 && !d.message.is_empty(),
                        "unclear error for example {}: {d}",
                        i + 1
                    );
                }
            }
            Err(_) => {
                panics += 1;
                eprintln!("example {} panicked", i + 1);
            }
        }
    }
    println!(
        "{} load, {} refused with clear errors, {} panicked",
        good.len(),
        refused,
        panics
    );
    if panics > 0 {
        std::process::exit(1);
    }
    let mut yaml = String::from("title: CommonMark Examples\ndate: 2026-01-01\narticles:\n");
    for (name, md) in &good {
        std::fs::write(
            book_dir.join("articles").join(name),
            format!("# {}\n\n{md}", name.trim_end_matches(".md")),
        )
        .unwrap();
        yaml.push_str(&format!("  - articles/{name}\n"));
    }
    std::fs::write(book_dir.join("book.yaml"), yaml).unwrap();
    let opts = handout::Options {
        only: ["pdf", "epub", "large-print"].map(String::from).to_vec(),
        ..handout::Options::all(&book_dir, out.join("book"))
    };
    match std::panic::catch_unwind(|| handout::publish(&opts, &mut |_| {})) {
        Ok(Ok(report)) => {
            println!(
                "published {} examples as one book: {} PDF pages",
                good.len(),
                report.book_pages.first().map_or(0, |(_, n)| *n)
            );
        }
        Ok(Err(diags)) => {
            for d in diags.iter().take(20) {
                eprintln!("{d}");
            }
            eprintln!("the book of loadable examples did not publish");
            std::process::exit(1);
        }
        Err(_) => {
            eprintln!("publishing the examples panicked");
            std::process::exit(1);
        }
    }
}
