//! The command line as a user meets it: `init`, a book folder as the current folder or a
//! positional argument, diagnostics (rendered, short, JSON), exit codes, completions, watch.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

fn handout(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

fn fonts() -> String {
    root().join("fonts").display().to_string()
}

#[test]
fn init_makes_a_book_that_publishes_from_its_own_folder_and_is_never_overwritten() {
    let tmp = TempDir::new("init");
    let o = handout(tmp.path(), &["init", "clinic"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let book = tmp.path().join("clinic");
    let yaml = std::fs::read_to_string(book.join("book.yaml")).unwrap();
    assert!(
        yaml.lines().filter(|l| l.starts_with('#')).count() >= 3,
        "teaches by comments"
    );
    // Run where the book is, with no folder named: its own output/ is the default.
    let o = handout(&book, &["publish", "--fonts", &fonts()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = std::fs::read(book.join("output/our-clinic-s-handouts.pdf")).expect("the book PDF");
    let text = read_pdf(&pdf);
    let all = all_text(&text);
    assert!(all.contains("How to use this handout"), "{all}");
    assert!(all.contains("front desk"), "the cited resource is printed");
    // The summary counts the book's one article, not the resource appendix made for it.
    assert!(
        stderr(&o).contains("published 1 article(s)"),
        "{}",
        stderr(&o)
    );
    // A second publish does not read output/ back as input (the same book again).
    let o = handout(&book, &["publish", "--fonts", &fonts()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // init again: refused, nothing changed.
    std::fs::write(book.join("book.yaml"), "title: Mine\n").unwrap();
    let o = handout(tmp.path(), &["init", "clinic"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(book.join("book.yaml")).unwrap(),
        "title: Mine\n"
    );
}

#[test]
fn a_positional_folder_and_check_print_to_stderr() {
    let tmp = TempDir::new("positional");
    write_files(
        &tmp.path().join("b"),
        &[
            ("book.yaml", "title: B\n"),
            ("articles/a.md", "# A\n\nText.\n"),
        ],
    );
    let o = handout(tmp.path(), &["check", "b", "--fonts", &fonts()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("handout check: 0 error(s)"),
        "{}",
        stderr(&o)
    );
    let o = handout(
        tmp.path(),
        &["publish", "b", "-o", "out", "-q", "--only", "pdf"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path().join("out/b.pdf").exists());
    assert_eq!(stderr(&o), "", "quiet prints nothing when all is well");
    // The folder both ways is a usage error: exit 2, as for any bad argument.
    let o = handout(tmp.path(), &["publish", "b", "--manuscript", "b"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = handout(tmp.path(), &["publish", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A book with one problem in each of its files.
fn broken_book(dir: &Path) {
    write_files(
        dir,
        &[
            ("book.yaml", "title: Broken\ntitel: x\n"),
            ("resources.yaml", "- id: a\n  name: A\n  category: Help\n  phone: call me\n"),
            (
                "articles/a.md",
                "---\ntitle: A\nresources: [b]\n---\n\nSee [this](ab.md) and [risks](#risk).\n\n## Risks\n",
            ),
        ],
    );
}

#[test]
fn diagnostics_show_the_line_a_caret_and_the_fix_and_every_file_is_checked_in_one_run() {
    let tmp = TempDir::new("caret");
    broken_book(&tmp.path().join("m"));
    let o = handout(tmp.path(), &["check", "m", "--fonts", &fonts()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let expected = "error: `titel` is not a key handout reads\n --> m/book.yaml:2:1\n  |\n2 | titel: x\n  | ^^^^^\n  |\n  = help: did you mean `title`?\n";
    assert!(err.contains(expected), "{err}");
    assert!(!err.contains('\u{1b}'), "no colour when not a terminal");
    // book.yaml, resources.yaml and the article, all in one run.
    assert!(err.contains("--> m/resources.yaml:4:"), "{err}");
    assert!(err.contains("--> m/articles/a.md:6:"), "{err}");
    // The nearest article path and heading id are offered.
    assert!(err.contains("= help: did you mean `a.md`?"), "{err}");
    assert!(err.contains("= help: did you mean `#risks`?"), "{err}");
    // Coloured on request.
    let o = handout(
        tmp.path(),
        &["check", "m", "--color", "always", "--fonts", &fonts()],
    );
    assert!(stderr(&o).contains("\u{1b}["), "{}", stderr(&o));
    // No Rust types, serde paths or OS error numbers in what a user reads.
    for bad in ["f32", "YAML tag", "os error", ".[0]"] {
        assert!(!err.contains(bad), "{bad:?} in {err}");
    }
}

#[test]
fn json_diagnostics_are_one_object_per_line() {
    let tmp = TempDir::new("json");
    broken_book(&tmp.path().join("m"));
    let o = handout(
        tmp.path(),
        &["publish", "m", "-o", "out", "--diagnostic-format", "json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let objects: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert!(objects.len() >= 3, "{err}");
    let key = objects
        .iter()
        .find(|o| o["file"] == "m/book.yaml")
        .expect("the book.yaml error");
    assert_eq!(
        (key["line"].as_u64(), key["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(key["end"], 6);
    assert_eq!(key["severity"], "error");
    assert_eq!(key["help"], "did you mean `title`?");
    assert!(
        !tmp.path().join("out").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn a_whole_file_problem_names_no_invented_line_and_an_unknown_alert_is_a_warning() {
    let tmp = TempDir::new("whole");
    let o = handout(
        tmp.path(),
        &["check", "nothing-here", "--diagnostic-format", "short"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("nothing-here: error: no such folder"),
        "{}",
        stderr(&o)
    );

    let (_tmp, _m, out) = publish_files(
        "noet",
        &[
            ("book.yaml", "title: N\nclinical_review: false\n"),
            ("articles/a.md", "# A\n\n> [!NOET]\n> Take it with food.\n"),
        ],
        &["--only", "pdf"],
    );
    let pdf = read_pdf(&std::fs::read(out.join("n.pdf")).unwrap());
    let all = all_text(&pdf);
    assert!(
        all.contains("Take it with food.") && !all.contains("NOET"),
        "{all}"
    );
    let tmp = TempDir::new("noet-check");
    write_files(
        tmp.path(),
        &[
            ("book.yaml", "title: N\n"),
            ("articles/a.md", "# A\n\n> [!NOET]\n> Take it with food.\n"),
        ],
    );
    let o = handout(
        tmp.path(),
        &["check", "--diagnostic-format", "short", "--fonts", &fonts()],
    );
    let err = stderr(&o);
    assert!(
        err.contains("articles/a.md:3:3: warning: `[!NOET]` is not an alert kind")
            && err.contains("help: did you mean `[!NOTE]`?"),
        "{err}"
    );
}

#[test]
fn completions_and_version() {
    let tmp = TempDir::new("completions");
    let o = handout(tmp.path(), &["completions", "bash"]);
    assert!(o.status.success());
    let script = String::from_utf8_lossy(&o.stdout);
    assert!(script.contains("handout") && script.contains("publish") && script.contains("watch"));
    let o = handout(tmp.path(), &["--version"]);
    assert!(String::from_utf8_lossy(&o.stdout)
        .starts_with(&format!("handout {}", env!("CARGO_PKG_VERSION"))));
}

/// Waits until `done` holds, for at most 60 seconds (CI machines are slow and shared).
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed().as_secs() < 60,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn pdf_text(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    // A file being replaced may be read half-written: only a whole PDF counts.
    if !bytes.ends_with(b"%%EOF\n") && !bytes.ends_with(b"%%EOF") {
        return None;
    }
    let pdf = std::panic::catch_unwind(|| read_pdf(&bytes)).ok()?;
    Some(all_text(&pdf))
}

#[test]
fn watch_rebuilds_after_an_edit_keeps_going_after_a_broken_one_and_stops_on_ctrl_c() {
    let tmp = TempDir::new("watch");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: W\nclinical_review: false\n"),
            ("articles/a.md", "# Alpha\n\nThe first words.\n"),
            ("articles/b.md", "# Beta\n\nOther words.\n"),
        ],
    );
    let out = tmp.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_handout"))
        .args([
            "watch",
            "--diagnostic-format",
            "short",
            "--fonts",
            &fonts(),
            "-o",
        ])
        .arg(&out)
        .arg(&m)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let book = out.join("w.pdf");
    let handout_a = out.join("handouts/a.pdf");
    let handout_b = out.join("handouts/b.pdf");
    wait_for("the first build", || {
        pdf_text(&book).is_some_and(|t| t.contains("The first words."))
            && pdf_text(&handout_b).is_some()
    });
    let b_before = std::fs::metadata(&handout_b).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::fs::write(m.join("articles/a.md"), "# Alpha\n\nThe edited words.\n").unwrap();
    wait_for("the rebuild", || {
        pdf_text(&book).is_some_and(|t| t.contains("The edited words."))
            && pdf_text(&handout_a).is_some_and(|t| t.contains("The edited words."))
    });
    // Only the edited article's handouts were made again.
    let b_after = std::fs::metadata(&handout_b).unwrap().modified().unwrap();
    assert_eq!(
        b_before, b_after,
        "b's handout was rewritten for an edit to a"
    );
    // A broken edit: diagnostics, the outputs kept, the watcher still running.
    std::fs::write(m.join("book.yaml"), "title: W\ntitel: oops\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the watcher keeps running"
    );
    assert!(pdf_text(&book).is_some_and(|t| t.contains("The edited words.")));
    std::fs::write(m.join("book.yaml"), "title: W\nclinical_review: false\n").unwrap();
    std::fs::write(m.join("articles/a.md"), "# Alpha\n\nFixed again.\n").unwrap();
    wait_for("the rebuild after the fix", || {
        pdf_text(&book).is_some_and(|t| t.contains("Fixed again."))
    });
    // Ctrl-C: a clean exit.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    let mut log = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(status.success(), "{status:?}\n{log}");
    assert!(
        log.contains("book.yaml:2:1: error: `titel` is not a key handout reads"),
        "{log}"
    );
    assert!(log.contains("stopped watching"), "{log}");
}

/// `init` writes nothing through a link out of its folder, nothing when `articles` is a file
/// (it left half a book, which the next init refused), and nothing beside an mdBook's
/// book.toml (a book.yaml would hide it) (issue 33).
#[test]
fn init_writes_all_or_nothing_and_only_in_its_folder() {
    let init = |dir: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
            .args(["init", "--color", "never"])
            .arg(dir)
            .output()
            .unwrap()
    };
    let tmp = TempDir::new("init-refusals");
    let listing = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };

    let file_articles = tmp.path().join("a");
    std::fs::create_dir_all(&file_articles).unwrap();
    std::fs::write(file_articles.join("articles"), "a file").unwrap();
    let o = init(&file_articles);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is not a plain folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(listing(&file_articles), ["articles"], "nothing written");

    let mdbook = tmp.path().join("b");
    std::fs::create_dir_all(&mdbook).unwrap();
    std::fs::write(mdbook.join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
    let o = init(&mdbook);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("an mdBook is here"), "{}", stderr(&o));
    assert_eq!(listing(&mdbook), ["book.toml"]);

    #[cfg(unix)]
    {
        let linked = tmp.path().join("c");
        std::fs::create_dir_all(&linked).unwrap();
        let outside = tmp.path().join("outside.yaml");
        std::os::unix::fs::symlink(&outside, linked.join("book.yaml")).unwrap();
        let o = init(&linked);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            !outside.exists(),
            "init wrote through a link out of its folder"
        );
        assert_eq!(listing(&linked), ["book.yaml"]);
    }
}

/// The base fonts a PDF embeds, without their subset tags.
fn embedded_fonts(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor"))
        .filter_map(|d| d.get(b"FontName").and_then(|n| n.as_name()).ok())
        .map(|n| {
            let n = String::from_utf8_lossy(n).to_string();
            n.split_once('+').map_or(n.clone(), |(_, b)| b.to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The fonts are built into the binary: a copy of it publishes from a folder far from the
/// checkout with no fonts folder anywhere near (an installed binary read the checkout's
/// `fonts/` and failed once it moved); `--fonts DIR` replaces the faces it has files for.
#[test]
fn the_binary_carries_its_fonts_and_a_fonts_folder_replaces_faces() {
    let tmp = TempDir::new("installed");
    let bin = tmp.path().join("bin/handout");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_handout"), &bin).unwrap();
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            (
                "book.yaml",
                "title: Carried\nlanguage: en\ndate: 2026-01-01\n",
            ),
            (
                "articles/a.md",
                "# Carried\n\nText in the *body*, and `code`.\n",
            ),
        ],
    );
    let run = |extra: &[&str], out: &str| {
        let o = Command::new(&bin)
            .current_dir(tmp.path())
            .args([
                "publish",
                "--only",
                "pdf",
                "--manuscript",
                "m",
                "--out",
                out,
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read(tmp.path().join(out).join("carried.pdf")).unwrap()
    };
    let fonts = embedded_fonts(&run(&[], "out"));
    assert!(
        fonts.iter().any(|f| f == "NotoSerif-Regular")
            && fonts.iter().any(|f| f.starts_with("NotoSansMono")),
        "{fonts:?}"
    );
    // A folder holding one file: the body face replaced by it, the rest still built in.
    let own = tmp.path().join("own-fonts");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::copy(
        root().join("fonts/NotoSans-Regular.ttf"),
        own.join("NotoSerif-Regular.ttf"),
    )
    .unwrap();
    let fonts = embedded_fonts(&run(&["--fonts", own.to_str().unwrap()], "out2"));
    assert!(
        !fonts.iter().any(|f| f == "NotoSerif-Regular")
            && fonts.iter().any(|f| f == "NotoSans-Regular")
            && fonts.iter().any(|f| f.starts_with("NotoSansMono")),
        "{fonts:?}"
    );
}
