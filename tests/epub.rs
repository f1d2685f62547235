//! The EPUB as reading systems meet it, read back from the package: small subset fonts that
//! still cover the text, a stylesheet that survives night themes, a cover, honest metadata,
//! captions in their figures, resource names as headings, headings in order.

mod common;
use common::*;

fn entry<'a>(files: &'a [(String, Vec<u8>)], suffix: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|(n, _)| n.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} in the package"))
        .1
}

fn text<'a>(files: &'a [(String, Vec<u8>)], suffix: &str) -> &'a str {
    std::str::from_utf8(entry(files, suffix)).unwrap()
}

fn epub_of(out: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let path = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .expect("an EPUB");
    read_zip(&std::fs::read(path).unwrap())
}

fn parse(text: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, opts).expect("well-formed XHTML")
}

/// The characters of the XHTML files' text (tags left out).
fn text_chars(files: &[(String, Vec<u8>)]) -> std::collections::BTreeSet<char> {
    let mut chars = std::collections::BTreeSet::new();
    for (name, data) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let _ = name;
        let doc = parse(std::str::from_utf8(data).unwrap());
        for n in doc.descendants().filter(|n| n.is_text()) {
            chars.extend(n.text().unwrap().chars().filter(|c| !c.is_whitespace()));
        }
    }
    chars
}

#[test]
fn the_sample_embeds_small_subsets_that_cover_its_text() {
    let (_t, out) = publish_sample("epub-fonts");
    let bytes = std::fs::read(out.join("kratom-and-opioids.epub")).unwrap();
    assert!(
        bytes.len() < 250_000,
        "the sample EPUB is {} bytes",
        bytes.len()
    );
    let files = read_zip(&bytes);
    let fonts: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(n, _)| n.contains("/fonts/"))
        .collect();
    assert!(!fonts.is_empty());
    let faces: Vec<ttf_parser::Face> = fonts
        .iter()
        .map(|(n, d)| {
            assert!(d.len() < 80_000, "{n} is {} bytes: not a subset", d.len());
            ttf_parser::Face::parse(d, 0).unwrap_or_else(|e| panic!("{n}: {e}"))
        })
        .collect();
    for c in text_chars(&files) {
        assert!(
            faces.iter().any(|f| f.glyph_index(c).is_some()),
            "{c:?} ({:04X}) is in the text but in no embedded font",
            c as u32
        );
    }
    // Fonts are deflated in the zip (they shrink by about half), images stored.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    for i in 0..z.len() {
        let f = z.by_index(i).unwrap();
        if f.name().contains("/fonts/") {
            assert_eq!(
                f.compression(),
                zip::CompressionMethod::Deflated,
                "{}",
                f.name()
            );
        }
    }
    // Every face the stylesheet declares is in the package, and only those.
    let css = text(&files, "stylesheet.css");
    assert_eq!(css.matches("@font-face").count(), fonts.len());
}

#[test]
fn a_book_can_embed_no_fonts_at_all() {
    let (_t, _m, out) = publish_files(
        "epub-no-fonts",
        &[
            ("book.yaml", "title: Plain\nepub: {fonts: none}\n"),
            ("articles/a.md", "# Plain\n\nText with `code`.\n"),
        ],
        &["--only", "epub"],
    );
    let files = epub_of(&out);
    assert!(!files.iter().any(|(n, _)| n.contains("/fonts/")));
    let css = text(&files, "stylesheet.css");
    assert!(!css.contains("@font-face") && css.contains("monospace"));
}

#[test]
fn the_stylesheet_leaves_colours_to_the_reading_system() {
    let (_t, out) = publish_sample("epub-css");
    let files = epub_of(&out);
    let css = text(&files, "stylesheet.css");
    // No fill without a text colour in the same rule (light on light under a night theme),
    // and no text colour on the body.
    for rule in css.split('}') {
        let Some((selector, body)) = rule.split_once('{') else {
            continue;
        };
        if body.contains("background") {
            assert!(
                body.contains("color:"),
                "`{}` sets a background alone",
                selector.trim()
            );
        }
        if selector.trim().ends_with("body") || selector.trim() == "p" {
            assert!(
                !body.contains("color"),
                "`{}` sets a text colour",
                selector.trim()
            );
        }
        assert!(
            !body.contains("margin-top: -") && !body.contains("margin: -"),
            "a negative top margin in `{}`",
            selector.trim()
        );
    }
    assert!(css.contains("prefers-color-scheme: dark"));
    assert!(
        css.contains("img, svg { max-width: 100%"),
        "images are capped at the column"
    );
    // No inline styles (Kindle's conversion rejects some) anywhere in the text.
    for (name, data) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        assert!(
            !std::str::from_utf8(data).unwrap().contains(" style=\""),
            "{name} has an inline style"
        );
    }
}

#[test]
fn a_cover_is_drawn_from_the_title_unless_the_book_names_one() {
    let (_t, out) = publish_sample("epub-cover");
    let files = epub_of(&out);
    let opf = text(&files, "content.opf");
    assert!(
        opf.contains("properties=\"cover-image\"")
            && opf.contains("<meta name=\"cover\" content=\"cover-image\"/>")
    );
    let spine = &opf[opf.find("<spine").unwrap()..];
    assert!(
        spine.find("cover.xhtml").unwrap() < spine.find("title.xhtml").unwrap(),
        "the cover comes first"
    );
    let png = image::load_from_memory(entry(&files, "cover/cover.png")).unwrap();
    assert!(
        png.width() >= 1600 && png.height() >= 2560,
        "{}x{}",
        png.width(),
        png.height()
    );
    // Not blank: the title's band is dark, the page light.
    let rgb = png.to_rgb8();
    assert!(rgb.get_pixel(10, 10)[0] < 100 && rgb.get_pixel(10, 2500)[0] > 200);
    let cover_page = text(&files, "cover.xhtml");
    assert!(
        cover_page.contains("alt=\"Kratom and Opioids"),
        "{cover_page}"
    );

    // A cover of the book's own.
    let tmp = TempDir::new("epub-own-cover");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Own\nepub: {cover: art/cover.png}\n"),
            ("articles/a.md", "# Own\n\nText.\n"),
        ],
    );
    std::fs::create_dir_all(m.join("art")).unwrap();
    image::RgbImage::from_pixel(1600, 2560, image::Rgb([200, 30, 30]))
        .save(m.join("art/cover.png"))
        .unwrap();
    let o = publish(&m, &tmp.path().join("out"), &["--only", "epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = epub_of(&tmp.path().join("out"));
    assert_eq!(
        entry(&files, "cover/cover.png"),
        std::fs::read(m.join("art/cover.png")).unwrap()
    );
    // A cover that is not an image the reading systems show is an error at its line.
    std::fs::write(
        m.join("book.yaml"),
        "title: Own\nepub:\n  cover: art/missing.png\n",
    )
    .unwrap();
    let o = publish(&m, &tmp.path().join("out2"), &["--only", "epub"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("book.yaml:3:10"), "{}", stderr(&o));
}

#[test]
fn metadata_claims_only_what_the_book_gives() {
    // No date, no authors, no certification.
    let (_t, m, out) = publish_files(
        "epub-meta",
        &[
            ("book.yaml", "title: Undated\npublisher: A Clinic\n"),
            ("articles/a.md", "# Undated\n\nText.\n"),
        ],
        &["--only", "pdf,epub"],
    );
    let files = epub_of(&out);
    let opf = text(&files, "content.opf");
    assert!(!opf.contains("<dc:date>"), "no date was given");
    assert!(!opf.contains("edition of 1970"));
    assert!(
        opf.contains(">A Clinic</dc:creator>"),
        "the publisher stands in for the authors"
    );
    assert!(!opf.contains("conformsTo") && !opf.contains("certifiedBy"));
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["check", "--manuscript"])
        .arg(&m)
        .output()
        .unwrap();
    assert!(
        stderr(&check).contains("gives no `date:`"),
        "{}",
        stderr(&check)
    );

    let (_t, _m, out) = publish_files(
        "epub-certified",
        &[
            (
                "book.yaml",
                "title: Checked\ndate: 2026-11-01\naccessibility: {certified_by: A Reviewer}\n",
            ),
            ("articles/a.md", "# Checked\n\nText.\n"),
        ],
        &["--only", "epub"],
    );
    let opf = epub_of(&out);
    let opf = text(&opf, "content.opf");
    assert!(opf.contains("<dc:date>2026-11-01</dc:date>"));
    assert!(opf.contains("dcterms:conformsTo") && opf.contains(">A Reviewer</meta>"));
}

#[test]
fn captions_sit_in_their_figures_and_headings_never_skip_a_level() {
    let tmp = TempDir::new("epub-structure");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Shape\n"),
            (
                "articles/a.md",
                "---\nresources: [line]\n---\n# Shape\n\n### Too deep\n\nText.\n\n![A grey square](sq.png)\n\n<span class=\"caption\">Figure 1: A square</span>\n\nMore text.\n",
            ),
            (
                "resources.yaml",
                "- id: line\n  name: A helpline\n  category: Helplines\n  phone: 1-800-662-4357\n",
            ),
        ],
    );
    image::GrayImage::from_pixel(40, 40, image::Luma([128]))
        .save(m.join("articles/sq.png"))
        .unwrap();
    let o = publish(&m, &tmp.path().join("out"), &["--only", "epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = epub_of(&tmp.path().join("out"));
    let page = text(&files, "/a.xhtml");
    let doc = parse(page);
    let figure = doc
        .descendants()
        .find(|n| n.has_tag_name("figure"))
        .expect("a figure");
    let caption = figure
        .children()
        .find(|n| n.has_tag_name("figcaption"))
        .expect("its figcaption");
    assert_eq!(caption.text(), Some("Figure 1: A square"));
    assert!(
        !page.contains("class=\"caption\""),
        "the caption is not left outside"
    );
    // Headings: h1, then the `###` as h2; the help list's heading h2 and each resource an h3.
    let levels: Vec<(u8, String)> = doc
        .descendants()
        .filter_map(|n| {
            let name = n.tag_name().name();
            let level = name.strip_prefix('h')?.parse::<u8>().ok()?;
            let text: String = n
                .descendants()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect();
            Some((level, text))
        })
        .collect();
    let mut last = 0;
    for (level, title) in &levels {
        assert!(
            *level <= last + 1,
            "{title:?} at h{level} after h{last}: {levels:?}"
        );
        last = *level;
    }
    assert!(levels.contains(&(2, "Too deep".into())), "{levels:?}");
    let help = levels
        .iter()
        .position(|(_, t)| t == "A helpline")
        .expect("the resource name is a heading");
    assert_eq!(levels[help].0, levels[help - 1].0 + 1, "{levels:?}");
}

/// Where a printed page starts inside a list of resources, the EPUB's page-break marker is in
/// that resource's entry, not before the whole list.
#[test]
fn page_markers_sit_in_the_resource_where_the_printed_page_turns() {
    let (_t, out) = publish_sample("epub-page-markers");
    let files = epub_of(&out);
    let pdf = read_pdf(&std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap());
    let first = pdf.first_arabic_page();
    let mut inside = 0;
    for (name, data) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let doc = parse(std::str::from_utf8(data).unwrap());
        for marker in doc
            .descendants()
            .filter(|n| n.attribute("role") == Some("doc-pagebreak"))
        {
            let Some(entry) = marker
                .parent()
                .filter(|p| p.attribute("class") == Some("resource"))
            else {
                continue;
            };
            inside += 1;
            let heading = entry
                .children()
                .find(|n| n.attribute("class") == Some("resource-name"))
                .and_then(|n| n.text())
                .unwrap();
            let label = marker.attribute("aria-label").unwrap();
            let page = first + label.parse::<usize>().unwrap() - 1;
            let top: String = pdf.pages[page]
                .iter()
                .take(4)
                .map(|l| l.text.clone())
                .collect();
            assert!(
                top.contains(heading),
                "{name}: page {label} starts with {top:?}, not {heading:?}"
            );
        }
    }
    assert!(
        inside >= 2,
        "only {inside} pages turn inside a resource list"
    );
}

/// The book's own files in the package (the cover, a site's logo) live apart from the
/// article images: an article picture named `cover.png` collided with the drawn cover
/// ("Duplicate filename: OEBPS/images/cover.png") (issue 33).
#[test]
fn an_article_image_named_like_the_cover_or_a_logo_does_not_collide() {
    let tmp = TempDir::new("epub-names");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Names\n"),
            (
                "articles/a.md",
                "# Names\n\n![The front of the leaflet](../cover.png)\n\n![East's old logo](../east-site-logo.png)\n",
            ),
            ("sites/east.yaml", "name: East Clinic\nphone: 555-010-1000\nlogo: sites/east-logo.png\n"),
        ],
    );
    for p in ["cover.png", "east-site-logo.png", "sites/east-logo.png"] {
        image::RgbImage::from_pixel(40, 20, image::Rgb([20, 20, 20]))
            .save(m.join(p))
            .unwrap();
    }
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for epub in [out.clone(), out.join("sites/east")] {
        let files = epub_of(&epub);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert!(
            names.iter().any(|n| n.ends_with("images/cover.png")),
            "{names:?}"
        );
        assert!(
            names.iter().any(|n| n.ends_with("cover/cover.png")),
            "{names:?}"
        );
    }
}

/// An undated book's EPUB is dated (dcterms:modified is required) from SOURCE_DATE_EPOCH when
/// set, else from the day its newest file was changed: never 1970-01-01, never the clock.
#[test]
fn an_undated_books_epub_takes_its_date_from_its_files() {
    let tmp = TempDir::new("undated");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Undated\nlanguage: en\n"),
            ("articles/a.md", "# A\n\nText.\n"),
            ("articles/b.md", "# B\n\nText.\n"),
        ],
    );
    for (file, day) in [
        ("book.yaml", "2024-01-02"),
        ("articles/a.md", "2024-03-05"),
        ("articles/b.md", "2023-07-08"),
    ] {
        let ok = std::process::Command::new("touch")
            .args(["-d", &format!("{day} 12:00:00")])
            .arg(m.join(file))
            .status()
            .unwrap();
        assert!(ok.success());
    }
    let modified = |env: Option<&str>| {
        let out = tmp.path().join(format!("out-{}", env.unwrap_or("files")));
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_handout"));
        cmd.args(["publish", "--only", "epub", "--manuscript"])
            .arg(&m)
            .arg("--out")
            .arg(&out)
            .env_remove("SOURCE_DATE_EPOCH");
        if let Some(e) = env {
            cmd.env("SOURCE_DATE_EPOCH", e);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let epub = std::fs::read(out.join("undated.epub")).unwrap();
        let opf = zip_text(&epub, ".opf");
        opf.split("<meta property=\"dcterms:modified\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_string()
    };
    assert_eq!(modified(None), "2024-03-05T00:00:00Z");
    assert_eq!(modified(Some("1700000000")), "2023-11-14T00:00:00Z");
}

/// A raw-HTML `<figure>` (the Rust book's chapter 17 has nine) keeps its `<figcaption>`
/// inside the figure, as the caption of its image, not as a paragraph after it.
#[test]
fn an_html_figure_keeps_its_figcaption() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\"/></svg>";
    let (_tmp, _m, out) = publish_files(
        "figcaption",
        &[
            ("book.yaml", "title: Figures\nlanguage: en\ndate: 2026-01-01\n"),
            (
                "articles/a.md",
                "# Figures\n\nSee Figure 1.\n\n<figure>\n\n<img src=\"box.svg\" alt=\"A black box\" />\n\n<figcaption>Figure 1: A <em>black</em> box</figcaption>\n\n</figure>\n\nAfter.\n",
            ),
            ("articles/box.svg", svg),
        ],
        &["--only", "epub"],
    );
    let epub = std::fs::read(out.join("figures.epub")).unwrap();
    let page = zip_text(&epub, "/a.xhtml");
    let figure = page
        .split("<figure>")
        .nth(1)
        .and_then(|s| s.split("</figure>").next())
        .unwrap();
    assert!(
        figure.contains("<figcaption>Figure 1: A <em>black</em> box</figcaption>"),
        "{page}"
    );
    assert!(!page.contains("<p>Figure 1:"), "{page}");
}
