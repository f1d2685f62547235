//! Hostile input, escapes from the manuscript folder, broken fonts and images, failed writes:
//! each gives a correct output or a clear error, and never loses a previous output.

mod common;
use common::*;
use std::time::Duration;

fn book(name: &str, article: &str) -> (TempDir, std::path::PathBuf) {
    let tmp = TempDir::new(name);
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[("book.yaml", "title: Hard\n"), ("articles/a.md", article)],
    );
    (tmp, m)
}

fn fails_with(name: &str, article: &str, needle: &str) {
    let (tmp, m) = book(name, article);
    let o = publish(&m, &tmp.path().join("out"), &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(needle), "no {needle:?} in:\n{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn hostile_markdown_publishes_without_panic() {
    let mut md = String::from("# Hostile\n\nNUL \0 and controls \u{1}\u{7}\u{1b}[31m here.\n\n");
    md.push_str(&"x".repeat(1_000_000));
    md.push_str("\n\n");
    md.push_str(&"> ".repeat(300));
    md.push_str("deep quote\n\n");
    md.push_str(&"*".repeat(5000));
    md.push_str("\n\n| a | b |\n|---|---|\n");
    for i in 0..3000 {
        md.push_str(&format!("| r{i} | {} |\n", "w ".repeat(i % 17)));
    }
    let (tmp, m) = book("hostile", &md);
    write_files(
        &m,
        &[
            ("articles/b.md", ""),
            ("articles/c.md", "---\ntitle: Only front matter\n---\n"),
        ],
    );
    let out = tmp.path().join("out");
    let started = std::time::Instant::now();
    let o = publish(&m, &out, &["--only", "pdf,epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        started.elapsed() < Duration::from_secs(300),
        "took {:?}",
        started.elapsed()
    );
    let entries = read_zip(&std::fs::read(out.join("hard.epub")).unwrap());
    for (name, data) in entries.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let text = String::from_utf8(data.clone()).unwrap();
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            nodes_limit: u32::MAX,
        };
        roxmltree::Document::parse_with_options(&text, opts)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!text.contains('\0') && !text.contains('\u{1b}'));
    }
    let pdf = read_pdf(&std::fs::read(out.join("hard.pdf")).unwrap());
    let all: String = (0..pdf.pages.len()).map(|i| pdf.page_text(i)).collect();
    assert!(
        all.contains("Only front matter") && all.contains("deep quote") && all.contains("r2999")
    );
}

#[test]
fn nothing_outside_the_manuscript_is_read() {
    fails_with(
        "escape-img",
        "# A\n\n![x](../../../etc/passwd)\n",
        "points outside the manuscript folder",
    );
    let (tmp, m) = book("escape-article", "# A\n");
    std::fs::write(m.join("book.yaml"), "title: T\narticles: [../secret.md]\n").unwrap();
    std::fs::write(tmp.path().join("secret.md"), "# Secret\n").unwrap();
    let err = stderr(&publish(&m, &tmp.path().join("out"), &[]));
    assert!(
        err.contains("book.yaml:2:") && err.contains("points outside the manuscript folder"),
        "{err}"
    );

    #[cfg(unix)]
    {
        let (tmp, m) = book("symlink", "# A\n\n![x](link.png)\n");
        std::fs::write(tmp.path().join("outside.png"), b"\x89PNG\r\n\x1a\n").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("outside.png"), m.join("articles/link.png"))
            .unwrap();
        let err = stderr(&publish(&m, &tmp.path().join("out"), &[]));
        assert!(
            err.contains(
                "a.md:3:1: error: image `link.png` resolves outside the manuscript folder"
            ),
            "{err}"
        );
    }
}

#[test]
fn remote_images_are_not_fetched_and_their_alt_text_stands_in() {
    let (tmp, m) = book(
        "remote",
        "# A\n\n![A kratom leaf](https://example.org/leaf.png)\n",
    );
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "pdf"]);
    assert!(o.status.success());
    assert!(stderr(&o)
        .contains("a.md:3:1: warning: remote image `https://example.org/leaf.png` is not fetched"));
    let pdf = read_pdf(&std::fs::read(out.join("hard.pdf")).unwrap());
    let all: String = (0..pdf.pages.len()).map(|i| pdf.page_text(i)).collect();
    assert!(all.contains("A kratom leaf"));
}

#[test]
fn broken_images_and_fonts_are_clear_errors() {
    let (tmp, m) = book("badimg", "# A\n\n![x](bad.png)\n\n![y](huge.png)\n");
    let mut bad = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bad.extend_from_slice(&100u32.to_be_bytes());
    bad.extend_from_slice(&100u32.to_be_bytes());
    bad.extend_from_slice(b"garbage that is not a PNG stream");
    std::fs::write(m.join("articles/bad.png"), &bad).unwrap();
    let mut huge = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    huge.extend_from_slice(&100_000u32.to_be_bytes());
    huge.extend_from_slice(&100_000u32.to_be_bytes());
    std::fs::write(m.join("articles/huge.png"), &huge).unwrap();
    let err = stderr(&publish(&m, &tmp.path().join("out"), &[]));
    assert!(
        err.contains("a.md:5:1: error: image `huge.png` is 100000×100000 pixels"),
        "{err}"
    );
    std::fs::write(m.join("articles/a.md"), "# A\n\n![x](bad.png)\n").unwrap();
    let o = publish(&m, &tmp.path().join("out"), &["--only", "pdf"]);
    assert_eq!(o.status.code(), Some(1));
    // The error is at the line that shows the image, found when the manuscript is read
    // (the image is decoded whole), not in the output being written.
    assert!(
        stderr(&o)
            .lines()
            .any(|l| l.contains("a.md:3:1: error: image `bad.png` is cut short or damaged")),
        "{}",
        stderr(&o)
    );

    // Fonts: a missing folder, a corrupt file.
    let (tmp, m) = book("fonts", "# A\n");
    let bin = env!("CARGO_BIN_EXE_handout");
    let run = |fonts: &std::path::Path| {
        std::process::Command::new(bin)
            .args(["publish", "--diagnostic-format", "short", "--manuscript"])
            .arg(&m)
            .arg("--out")
            .arg(tmp.path().join("out"))
            .arg("--fonts")
            .arg(fonts)
            .output()
            .unwrap()
    };
    let err = String::from_utf8_lossy(&run(&tmp.path().join("no-fonts")).stderr).to_string();
    assert!(err.contains("fonts folder not found"), "{err}");
    let fonts = tmp.path().join("fonts");
    copy_dir(&root().join("fonts"), &fonts);
    std::fs::write(fonts.join("NotoSerif-Bold.ttf"), b"not a font").unwrap();
    let o = run(&fonts);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("NotoSerif-Bold.ttf") && err.contains("not a usable TrueType/OpenType font"),
        "{err}"
    );
}

#[test]
fn the_output_folder_may_not_be_inside_the_manuscript() {
    let (_tmp, m) = book("inside", "# A\n");
    let o = publish(&m, &m.join("articles/out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the output folder is inside the manuscript folder"));
    assert!(!m.join("articles/out").exists());
}

/// A previous build's outputs, to compare against after a failed one.
fn previous_outputs(out: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in [out.to_path_buf(), out.join("handouts")] {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd {
                let p = e.unwrap().path();
                if p.is_file() {
                    files.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
    }
    files.sort();
    files
}

#[test]
fn a_failed_write_leaves_every_previous_output_intact() {
    let (tmp, out) = publish_sample("write-error");
    let before = previous_outputs(&out);
    assert!(before.len() >= 10);
    // The next build cannot create its handouts folder: a file stands in the way.
    let handouts = out.join("handouts");
    let saved: Vec<_> = before
        .iter()
        .filter(|(p, _)| p.starts_with(&handouts))
        .cloned()
        .collect();
    std::fs::remove_dir_all(&handouts).unwrap();
    std::fs::write(&handouts, b"in the way").unwrap();
    let m = tmp.path().join("manuscript");
    std::fs::write(
        m.join("articles/what-is-kratom.md"),
        std::fs::read_to_string(m.join("articles/what-is-kratom.md")).unwrap()
            + "\nA changed line.\n",
    )
    .unwrap();
    let o = publish(&m, &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot create the output folder"));
    let after = previous_outputs(&out);
    let expected: Vec<_> = before
        .iter()
        .filter(|(p, _)| !p.starts_with(&handouts))
        .cloned()
        .collect();
    let after_top: Vec<_> = after
        .iter()
        .filter(|(p, _)| p != &handouts)
        .cloned()
        .collect();
    assert_eq!(
        after_top.len(),
        expected.len(),
        "no temporary files left behind"
    );
    for ((p, a), (_, b)) in expected.iter().zip(after_top.iter()) {
        assert!(a == b, "{} changed", p.display());
    }
    let _ = saved;
}

/// A book of `articles` long articles at `m`, slow enough to be stopped while it builds.
fn write_big_book(m: &std::path::Path, articles: usize) {
    write_files(m, &[("book.yaml", "title: Kratom and Opioids\n")]);
    let text = format!("{}\n", "Long text for a slow build. ".repeat(2000));
    for i in 0..articles {
        write_files(
            m,
            &[(
                &format!("articles/a{i:02}.md"),
                &format!("# Part {i}\n\n{text}"),
            )],
        );
    }
}

#[test]
fn a_build_killed_midway_leaves_the_previous_outputs_byte_identical() {
    let (tmp, out) = publish_sample("killed");
    let before = previous_outputs(&out);
    // A much bigger book into the same folder, killed while it is typesetting.
    let m = tmp.path().join("big");
    write_big_book(&m, 60);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["publish", "--diagnostic-format", "short", "--manuscript"])
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .arg("--fonts")
        .arg(root().join("fonts"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let finished_early = child.try_wait().unwrap().is_some();
    child.kill().ok();
    child.wait().unwrap();
    assert!(
        !finished_early,
        "the big build should still be running when killed"
    );
    // Outputs are written to hidden temporary files beside them and renamed only when all
    // are complete: a killed build can leave those behind, never a changed output.
    let is_temp = |p: &std::path::Path| {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        name.starts_with('.') && name.ends_with(".tmp")
    };
    let after: Vec<_> = previous_outputs(&out)
        .into_iter()
        .filter(|(p, _)| !is_temp(p))
        .collect();
    assert_eq!(before.len(), after.len());
    for ((p, a), (_, b)) in before.iter().zip(after.iter()) {
        assert!(a == b, "{} changed", p.display());
    }
    // The next build clears what the killed one left.
    let o = publish(&tmp.path().join("manuscript"), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let left: Vec<_> = previous_outputs(&out)
        .into_iter()
        .filter(|(p, _)| is_temp(p))
        .map(|(p, _)| p)
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

/// Runs publish with `args`, killing it (and failing the test) if it has not ended within
/// `secs` seconds; returns its exit status and standard error.
fn publish_within(
    secs: u64,
    manuscript: &std::path::Path,
    out: &std::path::Path,
    extra: &[&std::ffi::OsStr],
) -> (std::process::ExitStatus, String) {
    let args: Vec<&std::ffi::OsStr> = [
        "--manuscript".as_ref(),
        manuscript.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .collect();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .arg("publish")
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status, err);
        }
        if started.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("publish {args:?} still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn mkfifo(path: &std::path::Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(ok.success(), "mkfifo {}", path.display());
}

#[test]
fn named_pipes_and_devices_are_refused_not_waited_for() {
    // A pipe as an image, and as a site file.
    let (tmp, m) = book("fifo-image", "# A\n\n![A pipe](pipe.png)\n");
    mkfifo(&m.join("articles/pipe.png"));
    let out = tmp.path().join("out");
    let (status, err) = publish_within(60, &m, &out, &[]);
    assert!(
        !status.success() || err.contains("not a regular file"),
        "{err}"
    );
    assert!(
        err.contains("pipe.png") && err.contains("not a regular file"),
        "{err}"
    );
    let (tmp2, m2) = book("fifo-site", "# A\n\nText.\n");
    std::fs::create_dir_all(m2.join("sites")).unwrap();
    mkfifo(&m2.join("sites/pipe.yaml"));
    let out2 = tmp2.path().join("out");
    let (status, err) = publish_within(60, &m2, &out2, &[]);
    assert!(!status.success(), "{err}");
    assert!(
        err.contains("pipe.yaml") && err.contains("not a regular file"),
        "{err}"
    );
    // A pipe and a link to /dev/zero among the fonts.
    for (name, make) in [("fifo-font", 0), ("zero-font", 1)] {
        let (tmp, m) = book(name, "# A\n\nText.\n");
        let fonts = tmp.path().join("fonts");
        std::fs::create_dir_all(&fonts).unwrap();
        for e in std::fs::read_dir(root().join("fonts")).unwrap() {
            let e = e.unwrap();
            std::os::unix::fs::symlink(e.path(), fonts.join(e.file_name())).unwrap();
        }
        let victim = fonts.join("NotoSerif-Regular.ttf");
        std::fs::remove_file(&victim).unwrap();
        if make == 0 {
            mkfifo(&victim);
        } else {
            std::os::unix::fs::symlink("/dev/zero", &victim).unwrap();
        }
        let out = tmp.path().join("out");
        let (status, err) = publish_within(60, &m, &out, &["--fonts".as_ref(), fonts.as_os_str()]);
        assert!(!status.success(), "{name}: {err}");
        assert!(
            err.contains("NotoSerif-Regular.ttf") && err.contains("regular file"),
            "{name}: {err}"
        );
    }
}

/// A table wider than any page is refused where it starts, in Markdown and in HTML (one of
/// 1,000 columns once peaked at 600 MB).
#[test]
fn a_table_of_too_many_columns_is_a_located_error() {
    let cols = 200;
    let md = format!(
        "# Wide\n\nText.\n\n|{}|\n|{}\n|{}\n",
        (0..cols)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join("|"),
        "---|".repeat(cols),
        "x|".repeat(cols)
    );
    fails_with("wide-table", &md, "a.md:5:1");
    fails_with(
        "wide-table-msg",
        &md,
        "this table has 200 columns; at most 64",
    );
    let html = format!(
        "# Wide\n\n<table>\n<tr>{}</tr>\n<tr>{}</tr>\n</table>\n",
        "<td>a</td>".repeat(cols),
        "<td>b</td>".repeat(cols)
    );
    fails_with("wide-html-table", &html, "more than 64 columns");
}

/// A picture whose file is cut short is a located error on the line that shows it, not a
/// broken picture in the PDF; the whole file publishes.
#[test]
fn a_truncated_jpeg_or_png_is_refused_where_it_is_used() {
    let jpeg = std::fs::read(root().join("tests/fixtures/red-8x8.jpg")).unwrap();
    let mut png = Vec::new();
    image::RgbImage::from_pixel(64, 64, image::Rgb([20, 120, 200]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    for (name, whole) in [("pic.jpg", &jpeg), ("pic.png", &png)] {
        let (tmp, m) = book(
            "cut-image",
            &format!("# A\n\nText.\n\n![A picture]({name})\n"),
        );
        std::fs::write(m.join("articles").join(name), whole).unwrap();
        let o = publish(&m, &tmp.path().join("out"), &["--only", "pdf"]);
        assert!(o.status.success(), "the whole {name}: {}", stderr(&o));
        std::fs::write(m.join("articles").join(name), &whole[..whole.len() * 2 / 3]).unwrap();
        let o = publish(&m, &tmp.path().join("out2"), &["--only", "pdf"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("a.md:5:1") && err.contains("is cut short"),
            "{name}: {err}"
        );
        assert!(!tmp.path().join("out2").join("hard.pdf").exists());
    }
}

/// The resources file, the `sites` folder and each site file, and book.toml's `src` go
/// through the same containment check as articles and images: nothing outside the book is
/// read, so nothing of it reaches a diagnostic or a site's handouts (issue 33).
#[test]
fn resources_sites_and_an_mdbook_src_stay_inside_the_book() {
    const SECRET: &str = "TOKEN=s3cr3t-do-not-print";
    let secret_file = |tmp: &TempDir| {
        let p = tmp.path().join("secret.yaml");
        std::fs::write(&p, format!("{SECRET}\n")).unwrap();
        p
    };
    let refused = |m: &std::path::Path, tmp: &TempDir, needle: &str| {
        for cmd in ["publish", "check"] {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
                .args([cmd, "--diagnostic-format", "short", "--manuscript"])
                .arg(m)
                .args(if cmd == "publish" {
                    vec!["--out"]
                } else {
                    vec![]
                })
                .args(if cmd == "publish" {
                    vec![tmp.path().join("out")]
                } else {
                    vec![]
                })
                .output()
                .unwrap();
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{cmd}: {err}");
            assert!(err.contains(needle), "{cmd}: no {needle:?} in:\n{err}");
            assert!(
                !err.contains(SECRET),
                "{cmd} printed the outside file: {err}"
            );
        }
    };

    // book.yaml names a resources file above the book.
    let (tmp, m) = book("escape-resources", "# A\n");
    secret_file(&tmp);
    std::fs::write(m.join("book.yaml"), "title: T\nresources: ../secret.yaml\n").unwrap();
    refused(
        &m,
        &tmp,
        "book.yaml:2:12: error: resources file `../secret.yaml` points outside the manuscript folder",
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        // resources.yaml, a site file and the sites folder as links out of the book.
        let (tmp, m) = book("link-resources", "# A\n");
        symlink(secret_file(&tmp), m.join("resources.yaml")).unwrap();
        refused(&m, &tmp, "resources file `resources.yaml` resolves outside");

        let (tmp, m) = book("link-site", "# A\n");
        std::fs::create_dir_all(m.join("sites")).unwrap();
        symlink(secret_file(&tmp), m.join("sites/east.yaml")).unwrap();
        refused(&m, &tmp, "east.yaml: error: site file resolves outside");

        let (tmp, m) = book("link-sites", "# A\n");
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("east.yaml"), format!("name: {SECRET}\n")).unwrap();
        symlink(&elsewhere, m.join("sites")).unwrap();
        refused(&m, &tmp, "error: the `sites` folder resolves outside");
    }

    // An mdBook whose `src` climbs out of it.
    let tmp = TempDir::new("escape-src");
    let m = tmp.path().join("book");
    write_files(
        &m,
        &[("book.toml", "[book]\ntitle = \"T\"\nsrc = \"../outside\"\n")],
    );
    write_files(
        tmp.path(),
        &[
            ("outside/SUMMARY.md", "# Summary\n\n- [Secret](secret.md)\n"),
            ("outside/secret.md", &format!("# {SECRET}\n")),
        ],
    );
    refused(
        &m,
        &tmp,
        "book.toml:3:1: error: the book's `src` folder points outside the manuscript folder",
    );
}

/// What an SVG refers to is read only through the book's containment check and embedded in
/// it; raster pictures inside a drawing are drawn; any quoting or preamble is measured
/// (issue 33).
#[test]
fn an_svg_refers_only_to_files_inside_the_book() {
    const NS: &str =
        r#"xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink""#;
    let svg_with = |href: &str| {
        format!(
            r#"<svg {NS} width="100" height="50"><image xlink:href="{href}" width="100" height="50"/></svg>"#
        )
    };
    let article = "# A\n\n![A drawing](d.svg)\n";
    let mut png = Vec::new();
    {
        let img = image::GrayImage::from_fn(8, 8, |x, y| image::Luma([((x + y) * 16) as u8]));
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
    }
    use base64::Engine;
    let data_uri = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&png)
    );

    // Refused, each at the article's line, fast: a device, a file above the book, a link
    // out of it, a remote file.
    let (tmp, m) = book("svg-refs", article);
    std::fs::write(tmp.path().join("outside.png"), &png).unwrap();
    let mut refused = vec![
        ("/dev/zero", "points outside the manuscript folder"),
        ("../../outside.png", "points outside the manuscript folder"),
        ("https://example.org/x.png", "is not fetched"),
    ];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.path().join("outside.png"), m.join("articles/link.png"))
            .unwrap();
        refused.push(("link.png", "resolves outside the manuscript folder"));
    }
    for (href, words) in refused {
        std::fs::write(m.join("articles/d.svg"), svg_with(href)).unwrap();
        let (status, err) = publish_within(20, &m, &tmp.path().join("out"), &[]);
        assert_eq!(status.code(), Some(1), "{href}: {err}");
        assert!(
            err.contains("a.md:3:1") && err.contains(&format!("refers to `{href}`, which")),
            "{href}: {err}"
        );
        assert!(err.contains(words), "{href}: {err}");
    }

    // Inside the book: a file next to it, and a data: URI, both drawn as raster images in
    // the PDF; the EPUB's copy carries the file as a data: URI. Single quotes and a long
    // preamble are read as an SVG.
    for href in ["photo.png", data_uri.as_str()] {
        let (tmp, m) = book("svg-embedded", article);
        std::fs::write(m.join("articles/photo.png"), &png).unwrap();
        let preamble = format!(
            "<?xml version='1.0'?>\n<!-- {} -->\n",
            "made by a tool ".repeat(400)
        );
        let svg = preamble + &svg_with(href).replace('"', "'");
        std::fs::write(m.join("articles/d.svg"), svg).unwrap();
        let out = tmp.path().join("out");
        let o = publish(&m, &out, &["--only", "pdf,epub"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let pdf = read_pdf(&std::fs::read(out.join("hard.pdf")).unwrap());
        let rasters = pdf
            .doc
            .objects
            .values()
            .filter(|o| {
                matches!(o, lopdf::Object::Stream(s)
                    if s.dict.get(b"Subtype").and_then(|n| n.as_name()).ok() == Some(b"Image"))
            })
            .count();
        assert!(
            rasters >= 1,
            "{href}: the picture inside the drawing is not drawn"
        );
        let entries = read_zip(&std::fs::read(out.join("hard.epub")).unwrap());
        let (_, svg) = entries.iter().find(|(n, _)| n.ends_with(".svg")).unwrap();
        let svg = String::from_utf8_lossy(svg);
        assert!(
            svg.contains("data:image/png;base64,") && !svg.contains("photo.png"),
            "{svg}"
        );
    }
}

/// Include expansion is bounded: a file that includes itself (eight times over) is a cycle,
/// left out at its first turn with a warning; a doubling chain of distinct files ends
/// quickly with one located error when it passes 16 MB; an include of a missing anchor is a
/// warning that `--final` refuses (issue 33).
#[test]
fn includes_are_bounded_in_size_and_a_missing_anchor_is_reported() {
    let tmp = TempDir::new("include-bomb");
    let m = tmp.path().join("m");
    let self_include = "{{#include self.md}}\n".repeat(8);
    let mut files: Vec<(String, String)> = vec![
        (
            "book.yaml".into(),
            "title: Bombs\narticles: [a.md]\n".into(),
        ),
        (
            "a.md".into(),
            "# A\n\nBefore.\n\n{{#include self.md}}\n\n{{#include d0.md}}\n".into(),
        ),
        ("self.md".into(), self_include),
    ];
    // d0 includes d1 twice, d1 d2 twice, …: 64 copies of a 1 MB leaf.
    for k in 0..6 {
        let next = format!("d{}.md", k + 1);
        files.push((
            format!("d{k}.md"),
            format!("{{{{#include {next}}}}}\n{{{{#include {next}}}}}\n"),
        ));
    }
    files.push((
        "d6.md".into(),
        format!("{}\n", "x".repeat(1023)).repeat(1024),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(&m, &refs);
    let (status, err) = publish_within(30, &m, &tmp.path().join("out"), &[]);
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("a.md:7:1") && err.contains("grows past 16 MB"),
        "{err}"
    );
    assert_eq!(
        err.matches("grows past").count(),
        1,
        "one error, not one per include: {err}"
    );
    assert!(
        err.contains("a.md:5:1") && err.contains("`self.md` would include itself"),
        "{err}"
    );

    let tmp = TempDir::new("include-anchor");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Anchors\narticles: [a.md]\n"),
            (
                "a.md",
                "# A\n\n```rust\n{{#include code.rs:missing}}\n```\n",
            ),
            (
                "code.rs",
                "// ANCHOR: here\nfn here() {}\n// ANCHOR_END: here\n",
            ),
        ],
    );
    let o = publish(&m, &tmp.path().join("out"), &["--only", "pdf"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("a.md:4:1") && err.contains("`code.rs` has no `ANCHOR: missing`"),
        "{err}"
    );
    let o = publish(&m, &tmp.path().join("out"), &["--only", "pdf", "--final"]);
    assert_eq!(o.status.code(), Some(1), "--final refuses: {}", stderr(&o));
}

/// A title far too long for the running head is cut to fit by bisection: trying every
/// shorter prefix took 54 s and 1.4 GB for 2,000 words (issue 33).
#[test]
fn a_huge_title_is_fitted_into_the_running_head_quickly() {
    let title: Vec<String> = (0..4000).map(|i| format!("word{i}")).collect();
    let article = format!("# {}\n\n{}\n", title.join(" "), "Text. ".repeat(3000));
    let (tmp, m) = book("huge-title", &article);
    let out = tmp.path().join("out");
    let (status, err) = publish_within(60, &m, &out, &["--only".as_ref(), "pdf".as_ref()]);
    assert!(status.success(), "{err}");
    let pdf = read_pdf(&std::fs::read(out.join("hard.pdf")).unwrap());
    // A page after the first carries the article's title as its running head, cut with an
    // ellipsis after whole words.
    let head = pdf
        .pages
        .iter()
        .flat_map(|p| p.iter())
        .find(|l| l.y < 66.0 && l.text.starts_with("word0 word1"))
        .unwrap_or_else(|| {
            let tops: Vec<(f32, &str)> = pdf
                .pages
                .iter()
                .flat_map(|p| p.iter().take(2))
                .map(|l| (l.y, &l.text[..l.text.len().min(40)]))
                .collect();
            panic!("no running head with the title: {tops:?}")
        });
    assert!(head.text.ends_with('\u{2026}'), "{:?}", head.text);
    let kept = head.text.trim_end_matches('\u{2026}');
    assert!(
        title.join(" ").starts_with(kept) && kept.split(' ').count() > 3,
        "{kept:?}"
    );
}

/// Deeply nested inline HTML is flattened past the model's depth, with one warning, as
/// Markdown's own containers are: 4,000 nested `<span>`s overflowed the stack (issue 33).
#[test]
fn deeply_nested_inline_html_is_flattened() {
    for tag in ["span", "b", "a href=\"#x\"", "sup"] {
        let name = tag.split(' ').next().unwrap();
        let article = format!(
            "# A\n\nbefore {}deep{} after\n",
            format!("<{tag}>").repeat(50_000),
            format!("</{name}>").repeat(50_000)
        );
        let (tmp, m) = book("nested-html", &article);
        let out = tmp.path().join("out");
        let (status, err) = publish_within(60, &m, &out, &[]);
        assert!(status.success(), "<{tag}>: {err}");
        assert_eq!(err.matches("nesting deeper than").count(), 1, "{err}");
        let pdf = read_pdf(&std::fs::read(out.join("hard.pdf")).unwrap());
        let text = all_text(&pdf);
        assert!(
            text.contains("before") && text.contains("deep") && text.contains("after"),
            "<{tag}>: {text}"
        );
    }
}

/// Outputs that two inputs would both write are refused before anything is written, at the
/// inputs, by `check` too: an article named like another's large-print handout, two site
/// files with one id (issue 33).
#[test]
fn two_inputs_never_write_one_output() {
    let cases: [(&str, &[(&str, &str)], &str); 2] = [
        (
            "collide-large-print",
            &[
                ("book.yaml", "title: Care\n"),
                ("articles/care.md", "# Care\n\nText.\n"),
                (
                    "articles/care-large-print.md",
                    "# Care in large print\n\nText.\n",
                ),
            ],
            "would both be handouts/care-large-print.pdf",
        ),
        (
            "collide-sites",
            &[
                ("book.yaml", "title: Care\n"),
                ("articles/care.md", "# Care\n\nText.\n"),
                (
                    "sites/east.yaml",
                    "name: East Clinic\nphone: 555-010-1000\n",
                ),
                (
                    "sites/east.yml",
                    "name: Other Clinic\nphone: 555-010-2000\n",
                ),
            ],
            "east.yml: error: site `east` is also",
        ),
    ];
    for (name, files, needle) in cases {
        let tmp = TempDir::new(name);
        let m = tmp.path().join("m");
        write_files(&m, files);
        let out = tmp.path().join("out");
        let o = publish(&m, &out, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(needle), "{name}: no {needle:?} in {err}");
        assert!(
            previous_outputs(&out).is_empty(),
            "{name}: something was written"
        );
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
            .args(["check", "--diagnostic-format", "short", "--manuscript"])
            .arg(&m)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "check agrees: {}", stderr(&o));
        assert!(stderr(&o).contains(needle));
    }
}

/// A folder where an output goes is found before anything runs; a file of the user's that
/// only looks like a temporary file is left alone (issue 33).
#[test]
fn an_output_blocked_by_a_folder_changes_nothing() {
    let (tmp, out) = publish_sample("blocked-output");
    let m = tmp.path().join("manuscript");
    let lookalike = out.join(".notes.txt.4000000000.tmp");
    std::fs::write(&lookalike, "mine").unwrap();
    let epub = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "epub"))
        .unwrap();
    std::fs::remove_file(&epub).unwrap();
    std::fs::create_dir(&epub).unwrap();
    let before = previous_outputs(&out);
    let o = publish(&m, &out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&epub.file_name().unwrap().to_string_lossy().to_string())
            && err.contains("a folder or another kind of file is in its place"),
        "{err}"
    );
    assert!(before == previous_outputs(&out), "an output changed");
    assert_eq!(std::fs::read_to_string(&lookalike).unwrap(), "mine");
}

/// One build at a time writes an output folder: with the folder locked by another process,
/// `--no-wait` is refused and a plain publish waits, then builds (issue 33).
#[test]
fn a_second_build_into_one_folder_waits_or_is_refused() {
    let (tmp, out) = publish_sample("locked-output");
    let m = tmp.path().join("manuscript");
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(out.join(".handout.lock"))
        .unwrap();
    lock.lock().unwrap();
    let (status, err) = publish_within(60, &m, &out, &["--no-wait".as_ref()]);
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("another build is writing to this folder"),
        "{err}"
    );

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["publish", "--only", "epub", "--manuscript"])
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let mut child = child;
    assert!(child.try_wait().unwrap().is_none(), "it did not wait");
    lock.unlock().unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the waiting build never finished");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
}

/// SIGTERM during a build: its temporary files are removed and the previous outputs stay
/// byte for byte (issue 33).
#[cfg(unix)]
#[test]
fn a_terminated_build_removes_its_temporary_files() {
    let (tmp, out) = publish_sample("terminated");
    let before = previous_outputs(&out);
    let m = tmp.path().join("big");
    write_big_book(&m, 40);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["publish", "--manuscript"])
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Once a temporary file is there, the build is writing.
    let temps = |out: &std::path::Path| -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for dir in [out.to_path_buf(), out.join("handouts")] {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if e.file_name().to_string_lossy().contains(".handout-") {
                    found.push(e.path());
                }
            }
        }
        found
    };
    let started = std::time::Instant::now();
    while temps(&out).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it was stopped"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "SIGTERM did not stop it"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    assert_eq!(
        temps(&out),
        Vec::<std::path::PathBuf>::new(),
        "temporary files left"
    );
    assert!(before == previous_outputs(&out), "an output changed");
}

/// What an e-book may not run or fetch is taken out of an SVG with a warning naming it:
/// scripts, event handlers, `javascript:` links, `<foreignObject>` and CSS `@import`; a link
/// to the web stays (issue 33).
#[test]
fn an_svg_is_cleaned_of_scripts_and_imports() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="50" onload="alert(1)">
<style>@import url("https://evil.example/x.css"); rect { fill: #336699 }</style>
<script>alert(2)</script>
<foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="file:///etc/passwd"/></foreignObject>
<a xlink:href="javascript:alert(3)"><rect width="40" height="40" onclick="alert(4)"/></a>
<a href="https://www.fda.gov/"><text x="50" y="30">FDA</text></a>
</svg>"##;
    let (tmp, m) = book("svg-clean", "# A\n\n![A drawing](d.svg)\n");
    std::fs::write(m.join("articles/d.svg"), svg).unwrap();
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "pdf,epub"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    for what in [
        "<script>",
        "<foreignObject>",
        "@import",
        "event handlers",
        "javascript:",
    ] {
        assert!(
            err.contains("a.md:3:1") && err.contains(what),
            "no warning about {what}: {err}"
        );
    }
    let entries = read_zip(&std::fs::read(out.join("hard.epub")).unwrap());
    let (_, packaged) = entries.iter().find(|(n, _)| n.ends_with(".svg")).unwrap();
    let packaged = String::from_utf8_lossy(packaged).to_lowercase();
    for gone in [
        "<script",
        "onload",
        "onclick",
        "javascript:",
        "foreignobject",
        "@import",
        "file:",
    ] {
        assert!(!packaged.contains(gone), "{gone} left in {packaged}");
    }
    assert!(packaged.contains("https://www.fda.gov/") && packaged.contains("#336699"));
}

/// An HTML table is bounded in every row and in its whole grid: the column limit was checked
/// on the first row only, and rowspans made 6,000 rows take 16 s and 900 MB (issue 33).
#[test]
fn html_tables_are_bounded_in_every_row_and_in_all() {
    let wide_later = format!(
        "# A\n\n<table>\n<tr><td>a</td></tr>\n<tr>{}</tr>\n</table>\n",
        "<td>x</td>".repeat(200)
    );
    // Each row's cells start past those the rows above cover: the grid widens every row.
    let spans = format!(
        "# A\n\n<table>\n{}</table>\n",
        format!("<tr>{}</tr>\n", "<td rowspan=\"64\">s</td>".repeat(64)).repeat(6000)
    );
    let many = format!(
        "# A\n\n<table>\n{}</table>\n",
        format!("<tr>{}</tr>\n", "<td>c</td>".repeat(64)).repeat(1600)
    );
    for (name, article, needle) in [
        ("html-wide-row", wide_later, "more than 64 columns in a row"),
        ("html-rowspans", spans, "more than 64 columns in a row"),
        ("html-many-cells", many, "grows past 96000 cells"),
    ] {
        let (tmp, m) = book(name, &article);
        let (status, err) = publish_within(60, &m, &tmp.path().join("out"), &[]);
        assert_eq!(status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains("a.md:") && err.contains(needle),
            "{name}: {err}"
        );
        assert_eq!(
            err.matches(needle).count(),
            1,
            "{name}: one error per table"
        );
    }
}

/// `-o a/../m/x` leads into the manuscript once `a` is made: refused, though `a` does not
/// exist yet (the check gave up on the `..`) (issue 33).
#[test]
fn an_output_path_through_a_folder_yet_to_be_made_is_resolved_first() {
    let (tmp, m) = book("dotdot-out", "# A\n\nText.\n");
    let out = tmp.path().join("a/../m/x");
    let o = publish(&m, &out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("inside the manuscript folder"), "{err}");
    assert!(!m.join("x").exists() && !tmp.path().join("a").exists());
}

/// A damaged font is named as the input at fault, not the output it was being embedded in
/// ("font subsetting failed: UnknownKind --> out/x.pdf") (issue 33).
#[test]
fn a_damaged_font_is_named_in_its_error() {
    let (tmp, m) = book("damaged-font", "# A\n\nText.\n");
    let fonts = tmp.path().join("fonts");
    copy_dir(&root().join("fonts"), &fonts);
    let serif = fonts.join("NotoSerif-Regular.ttf");
    let data = std::fs::read(&serif).unwrap();
    std::fs::write(&serif, &data[..data.len() * 6 / 10]).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .args([
            "publish",
            "--only",
            "pdf",
            "--diagnostic-format",
            "short",
            "--manuscript",
        ])
        .arg(&m)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .arg("--fonts")
        .arg(&fonts)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("NotoSerif-Regular.ttf") && err.contains("may be damaged"),
        "{err}"
    );
    assert!(!err.contains("out/") && !err.contains("panicked"), "{err}");
}

/// A disk that fills up mid-write (here, a file size limit: `ulimit -f`, with the signal it
/// raises ignored, so writes fail as on a full disk): the error names the output and says
/// what to do in the project's words, nothing else is printed (the zip writer printed
/// `ZipWriter drop failed: Io(Os { … })`), the previous outputs are untouched and no
/// folder is left behind.
#[test]
fn a_write_that_fails_for_lack_of_space_is_reported_and_changes_nothing() {
    let tmp = TempDir::new("disk-full");
    let m = tmp.path().join("m");
    copy_dir(&root().join("manuscript"), &m);
    let out = tmp.path().join("out");
    let first = publish(&m, &out, &["--only", "pdf,epub", "--site", "none"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = files_under(&out);
    // The next build would print sites' editions too, into folders that do not exist yet.
    let article = m.join("articles/what-is-kratom.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replace("Kratom", "Kratom leaf")).unwrap();
    for only in ["pdf", "epub"] {
        let o = std::process::Command::new("timeout")
            .arg("120")
            .arg("sh")
            .arg("-c")
            .arg("ulimit -f 100; trap '' XFSZ; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_handout"))
            .args(["publish", "--diagnostic-format", "short", "--manuscript"])
            .arg(&m)
            .arg("--out")
            .arg(&out)
            .arg("--fonts")
            .arg(root().join("fonts"))
            .args(["--only", only])
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{only}: {err}");
        assert!(
            err.contains("cannot write")
                && err.contains("file too large")
                && err.contains("free some space"),
            "{only}: {err}"
        );
        assert!(
            !err.contains("ZipWriter") && !err.contains("os error") && !err.contains("panicked"),
            "{only}: {err}"
        );
        assert_eq!(files_under(&out), before, "{only}: the outputs changed");
    }
}

/// Every file under `dir` (hidden ones too, but not the lock), with its bytes.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.push((p.clone(), Vec::new()));
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != ".handout.lock") {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}
