//! Bad input: a clear `file:line:col: error:` line, exit status 1, no panic, and the previous
//! outputs left exactly as they were.

mod common;
use common::*;

const GOOD_ARTICLE: &str = "---\ntitle: One\n---\n\nSome text.\n\n## Part {#part}\n\nMore.\n";

/// Publishes a manuscript made of `files` over an output folder holding a previous build, and
/// returns stderr after checking the failure was clean.
fn failing(name: &str, files: &[(&str, &str)]) -> String {
    let tmp = TempDir::new(name);
    let m = tmp.path().join("m");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let old_pdf = out.join("book.pdf");
    let old_epub = out.join("book.epub");
    std::fs::write(&old_pdf, b"previous pdf").unwrap();
    std::fs::write(&old_epub, b"previous epub").unwrap();
    write_files(&m, files);
    let o = publish(&m, &out, &[]);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "expected exit 1, got {:?}: {err}",
        o.status
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(std::fs::read(&old_pdf).unwrap(), b"previous pdf");
    assert_eq!(std::fs::read(&old_epub).unwrap(), b"previous epub");
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "nothing else written: {names:?}");
    err
}

fn has_line(err: &str, file_suffix: &str, line: usize, col: usize, words: &str) {
    let wanted = format!("{file_suffix}:{line}:{col}: error: ");
    assert!(
        err.lines()
            .any(|l| l.contains(&wanted) && l.contains(words)),
        "no line with `{wanted}` and `{words}` in:\n{err}"
    );
}

#[test]
fn unknown_book_key_is_named_with_its_position_and_the_allowed_keys() {
    let err = failing(
        "key",
        &[
            ("book.yaml", "title: T\nlanguage: en\ncolour: red\n"),
            ("articles/a.md", GOOD_ARTICLE),
        ],
    );
    has_line(
        &err,
        "book.yaml",
        3,
        1,
        "`colour` is not a key handout reads",
    );
    // The allowed keys are listed once, in the help line.
    assert!(
        err.contains("help: the keys allowed here are title, subtitle, publisher"),
        "{err}"
    );
    assert_eq!(err.matches("subtitle").count(), 1, "{err}");
}

#[test]
fn wrong_type_and_bad_date_in_front_matter() {
    let err = failing(
        "frontmatter",
        &[
            ("book.yaml", "title: T\n"),
            (
                "articles/a.md",
                "---\ntitle: A\nreviewed: {by: Dr X, on: 2026-13-01}\n---\n\nText.\n",
            ),
        ],
    );
    has_line(&err, "a.md", 3, 26, "there is no month 13");
    let err = failing(
        "type",
        &[
            ("book.yaml", "title: T\n"),
            ("articles/a.md", "---\nauthors: Jo\n---\nText.\n"),
        ],
    );
    has_line(
        &err,
        "a.md",
        2,
        10,
        "expected a list, found the text \"Jo\"",
    );
}

#[test]
fn a_missing_article_is_reported_where_it_is_listed() {
    let err = failing(
        "missing",
        &[
            (
                "book.yaml",
                "title: T\narticles:\n  - articles/a.md\n  - articles/gone.md\n",
            ),
            ("articles/a.md", GOOD_ARTICLE),
        ],
    );
    has_line(
        &err,
        "book.yaml",
        4,
        5,
        "article `articles/gone.md` not found",
    );
}

#[test]
fn links_to_missing_articles_are_errors_and_missing_anchors_warnings() {
    let err = failing(
        "links",
        &[
            ("book.yaml", "title: T\n"),
            ("articles/a.md", GOOD_ARTICLE),
            (
                "articles/b.md",
                "# B\n\nSee [one](a.md#part) and\n[two](a.md#nowhere) and [three](c.md).\n",
            ),
        ],
    );
    assert!(
        err.lines().any(|l| l.contains("b.md:4:1: warning: ")
            && l.contains("no heading or anchor with that id")),
        "{err}"
    );
    has_line(&err, "b.md", 4, 25, "no article of the book is at `c.md`");
    assert!(
        !err.contains("#part"),
        "the good link is not reported: {err}"
    );
}

#[test]
fn invalid_utf8_names_the_line() {
    let tmp = TempDir::new("utf8");
    let m = tmp.path().join("m");
    write_files(&m, &[("book.yaml", "title: T\n")]);
    std::fs::create_dir_all(m.join("articles")).unwrap();
    std::fs::write(
        m.join("articles/a.md"),
        b"# A\n\nGood line.\nBad \xff byte.\n",
    )
    .unwrap();
    let o = publish(&m, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    has_line(&stderr(&o), "a.md", 4, 5, "not valid UTF-8");
    // The human format keeps the line and column too, where the line cannot be read as
    // text (it is shown with the bad bytes replaced).
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["check", "--manuscript"])
        .arg(&m)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("a.md:4:5"), "{err}");
    assert!(err.contains("Bad \u{fffd} byte."), "{err}");
}

#[test]
fn a_missing_manuscript_folder_is_an_error_not_a_panic() {
    let tmp = TempDir::new("nobook");
    let o = publish(
        &tmp.path().join("nothing-here"),
        &tmp.path().join("out"),
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("nothing-here: error: no such folder"), "{err}");
}

#[test]
fn a_plain_folder_of_chapters_publishes_without_front_matter() {
    let tmp = TempDir::new("plain");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Plain\narticles: [one.md, sub/two.md]\n"),
            ("one.md", "# Chapter One\n\nSee [two](sub/two.html#later).\n"),
            ("sub/two.md", "## Chapter Two\n\n<a id=\"later\"></a>\n\nText with a task list:\n\n- [x] done\n- [ ] open\n"),
        ],
    );
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "pdf"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("plain.pdf").exists());
    assert!(
        !out.join("plain.epub").exists(),
        "--only pdf builds only the PDF"
    );
    let pdf = read_pdf(&std::fs::read(out.join("plain.pdf")).unwrap());
    let all: String = (0..pdf.pages.len()).map(|i| pdf.page_text(i)).collect();
    assert!(all.contains("Chapter One") && all.contains("Chapter Two"));
}

/// `check` refuses what `publish` refuses, with the same error at the same place: each
/// manuscript here once passed `check` and failed `publish` (issue 33).
#[test]
fn check_refuses_what_publish_refuses() {
    let doubling: Vec<(String, String)> = (0..7)
        .map(|k| {
            let body = if k < 6 {
                format!(
                    "{{{{#include l{n}.txt}}}}\n{{{{#include l{n}.txt}}}}\n",
                    n = k + 1
                )
            } else {
                format!("{}\n", "y".repeat(1000)).repeat(1000)
            };
            (format!("articles/l{k}.txt"), body)
        })
        .collect();
    let mut cases: Vec<(&str, Vec<(String, String)>)> = vec![
        (
            "two site files, one id",
            vec![
                ("sites/east.yaml".into(), "name: East\n".into()),
                ("sites/east.yml".into(), "name: East again\n".into()),
            ],
        ),
        (
            "two articles, one output",
            vec![("articles/a-large-print.md".into(), "# Large\n\nText.\n".into())],
        ),
        (
            "an unreadable site logo",
            vec![
                ("sites/east.yaml".into(), "name: East\nlogo: sites/logo.svg\n".into()),
                ("sites/logo.svg".into(), "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect".into()),
            ],
        ),
        (
            "an include bomb",
            vec![(
                "articles/b.md".into(),
                "# B\n\n```\n{{#include l0.txt}}\n```\n".into(),
            )],
        ),
        (
            "a duplicate resource id",
            vec![
                ("book.yaml".into(), "title: Care\nresources: r.yaml\n".into()),
                (
                    "r.yaml".into(),
                    "- {id: x, name: X, category: C, phone: 555-010-1000}\n- {id: x, name: Y, category: C, phone: 555-010-1001}\n".into(),
                ),
            ],
        ),
    ];
    cases[3].1.extend(doubling);
    for (what, files) in cases {
        let tmp = TempDir::new("check-vs-publish");
        let m = tmp.path().join("m");
        let mut all: Vec<(String, String)> = vec![
            ("book.yaml".into(), "title: Care\n".into()),
            ("articles/a.md".into(), "# Alpha\n\nText.\n".into()),
        ];
        all.extend(files);
        let refs: Vec<(&str, &str)> = all.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        write_files(&m, &refs);
        let p = publish(&m, &tmp.path().join("out"), &[]);
        let c = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
            .args(["check", "--diagnostic-format", "short", "--manuscript"])
            .arg(&m)
            .output()
            .unwrap();
        let (perr, cerr) = (stderr(&p), stderr(&c));
        assert_eq!(p.status.code(), Some(1), "{what}: publish: {perr}");
        assert_eq!(c.status.code(), Some(1), "{what}: check: {cerr}");
        let first_error = |s: &str| s.lines().find(|l| l.contains("error")).map(str::to_string);
        assert_eq!(first_error(&perr), first_error(&cerr), "{what}");
    }
}

/// Every problem of book.yaml in one run, each at its place and in words that say what is
/// wrong: a misspelt key, a value not allowed (with the allowed ones), a month 13.
#[test]
fn every_problem_of_book_yaml_is_reported_in_one_run() {
    let err = failing(
        "three-problems",
        &[
            (
                "book.yaml",
                "titel: Kratom\npaper: a5\ndate: 2026-13-01\nlanguage: en\n",
            ),
            ("articles/a.md", GOOD_ARTICLE),
        ],
    );
    has_line(
        &err,
        "book.yaml",
        1,
        1,
        "`titel` is not a key handout reads",
    );
    has_line(
        &err,
        "book.yaml",
        2,
        8,
        "`a5` is not one of the values allowed here",
    );
    has_line(&err, "book.yaml", 3, 7, "there is no month 13");
    assert!(
        err.contains("did you mean `a4`? (use one of: letter, a4)"),
        "{err}"
    );
    // The missing `title` is the misspelt key's doing, not another problem.
    assert!(!err.contains("required key `title`"), "{err}");
}

/// A quote left open is reported where it opens, not lines later where the YAML library
/// gave up; a site's `for:` list is not judged against a book list that could not be read.
#[test]
fn an_unclosed_quote_is_reported_where_it_opens() {
    let tmp = TempDir::new("open-quote");
    let m = tmp.path().join("m");
    copy_dir(&root().join("manuscript"), &m);
    let book = std::fs::read_to_string(m.join("book.yaml")).unwrap();
    let broken = book.replacen(
        "title: Kratom and Opioids",
        "title: \"Kratom and Opioids",
        1,
    );
    assert_ne!(book, broken);
    std::fs::write(m.join("book.yaml"), &broken).unwrap();
    let line = broken
        .lines()
        .position(|l| l.starts_with("title:"))
        .unwrap()
        + 1;
    let o = publish(&m, &tmp.path().join("out"), &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    has_line(
        &err,
        "book.yaml",
        line,
        8,
        "this quoted value is never closed",
    );
    assert_eq!(err.matches(": error: ").count(), 1, "{err}");
}

/// A misspelt article path gets the nearest file beside it as a suggestion, and the whole
/// path underlined.
#[test]
fn a_misspelt_article_path_gets_a_suggestion() {
    let err = failing(
        "misspelt",
        &[
            (
                "book.yaml",
                "title: T\narticles:\n  - articles/withdrawl.md\n",
            ),
            ("articles/withdrawal.md", GOOD_ARTICLE),
        ],
    );
    has_line(
        &err,
        "book.yaml",
        3,
        5,
        "article `articles/withdrawl.md` not found",
    );
    assert!(
        err.contains("did you mean `articles/withdrawal.md`?"),
        "{err}"
    );
}
