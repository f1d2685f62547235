//! Books that were not written for handout: an mdBook (book.toml, SUMMARY.md with parts and
//! nesting, include directives, hidden lines, raw HTML) and a plain folder of Markdown with
//! another tool's front matter. Each is published and its PDF and EPUB read back.

mod common;
use common::*;

fn publish_fixture_book(name: &str) -> (TempDir, std::path::PathBuf, String) {
    let tmp = TempDir::new(name);
    let m = tmp.path().join("book");
    copy_dir(&root().join("tests/fixtures/mdbook"), &m);
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "pdf,epub"]);
    assert!(o.status.success(), "publish failed: {}", stderr(&o));
    (tmp, out, stderr(&o))
}

#[test]
fn an_mdbook_keeps_its_parts_and_nesting_in_the_outline_and_the_contents() {
    let (_tmp, out, _) = publish_fixture_book("mdbook-outline");
    let pdf = read_pdf(&std::fs::read(out.join("field-notes-on-rust.pdf")).unwrap());
    let marks: Vec<(usize, String)> = outline(&pdf).into_iter().map(|(d, t, _)| (d, t)).collect();
    let depth_of = |title: &str| {
        marks
            .iter()
            .find(|(_, t)| t == title)
            .unwrap_or_else(|| panic!("no bookmark {title:?} in {marks:?}"))
            .0
    };
    // The prefix chapter stands beside the parts; chapters sit under their part, and
    // SUMMARY.md's nested items under their parent.
    assert_eq!(depth_of("Introduction"), depth_of("Part One: Basics"));
    assert_eq!(
        depth_of("Getting Started"),
        depth_of("Part One: Basics") + 1
    );
    assert_eq!(depth_of("Installing"), depth_of("Getting Started") + 1);
    assert_eq!(depth_of("On Linux"), depth_of("Installing") + 1);
    assert_eq!(depth_of("Tables in HTML"), depth_of("Part Two: Tables") + 1);
    // A draft chapter (a SUMMARY.md entry with no file) has nothing to print.
    assert!(!marks.iter().any(|(_, t)| t.contains("Draft")), "{marks:?}");
    // Each part has its own page, whose text is the part's title.
    let part_page = outline(&pdf)
        .into_iter()
        .find(|(_, t, _)| t == "Part Two: Tables")
        .unwrap()
        .2;
    assert_eq!(pdf.page_body_text(part_page).trim(), "Part Two: Tables");
    // Not patient material: no clinical-review band or line.
    let text = all_text(&pdf);
    assert!(
        !text.contains("DRAFT") && !text.contains("review"),
        "{text}"
    );
}

#[test]
fn mdbook_directives_are_expanded_and_hidden_lines_stay_out_of_print() {
    let (_tmp, out, _) = publish_fixture_book("mdbook-includes");
    let pdf = read_pdf(&std::fs::read(out.join("field-notes-on-rust.pdf")).unwrap());
    let text = all_text(&pdf);
    // The anchor's lines, without its markers.
    assert!(text.contains("fn greet_from_anchor() {"), "{text}");
    assert!(!text.contains("ANCHOR"), "{text}");
    // rustdoc_include of lines 6 to 7: those print, the rest of the file is hidden.
    assert!(text.contains("fn visible_sixth_line() {}"));
    assert!(text.contains("fn visible_seventh_line() {}"));
    assert!(!text.contains("hidden_eighth_line"));
    assert!(!text.contains("greet_from_anchor() {}"));
    // `# ` lines in Rust code are hidden; the escaped directive prints as written.
    assert!(text.contains("fn shown_in_print() {}"));
    assert!(!text.contains("setup_hidden_helper"));
    assert!(text.contains("{{#include not-a-file.rs}}"), "{text}");
    assert_eq!(text.matches("{{#").count(), 1, "{text}");
    // The Rust book's <Listing>: its file name before the code, its number and caption after.
    let file = text
        .find("Filename: src/main.rs")
        .expect("the listing's file name");
    let code = text.find("fn main() {}").expect("the listing's code");
    let caption = text
        .find("Listing 1-2: A greeting from main")
        .expect("the listing's caption");
    assert!(file < code && code < caption, "{text}");

    let epub = read_zip(&std::fs::read(out.join("field-notes-on-rust.epub")).unwrap());
    let xhtml: String = epub
        .iter()
        .filter(|(n, _)| n.ends_with(".xhtml"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .collect();
    assert!(xhtml.contains("greet_from_anchor"));
    assert!(!xhtml.contains("setup_hidden_helper") && !xhtml.contains("ANCHOR"));
}

#[test]
fn an_mdbook_html_table_and_warning_box_reach_both_editions() {
    let (_tmp, out, log) = publish_fixture_book("mdbook-html");
    assert!(!log.contains("is not rendered"), "{log}");
    let pdf = read_pdf(&std::fs::read(out.join("field-notes-on-rust.pdf")).unwrap());
    let text = all_text(&pdf);
    // colspan="2" spans two columns: the row under it has three cells on one line.
    let row = text
        .lines()
        .find(|l| l.contains("2021"))
        .unwrap_or_else(|| panic!("no table row in {text}"));
    assert!(
        row.contains("Rust 1.56") && row.contains("October"),
        "{row:?}"
    );
    assert!(
        text.contains("WARNING") && text.contains("opt-in"),
        "{text}"
    );

    let epub = read_zip(&std::fs::read(out.join("field-notes-on-rust.epub")).unwrap());
    let chapter = epub
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .find(|x| x.contains("Tables in HTML</h"))
        .expect("the tables chapter");
    assert!(
        chapter.contains("<th") && chapter.contains("<td>October</td>"),
        "{chapter}"
    );
    assert!(chapter.contains("<strong>opt-in</strong>"), "{chapter}");

    // The EPUB's navigation nests as SUMMARY.md does: a part's list holds its chapters.
    let nav = epub
        .iter()
        .find(|(n, _)| n.ends_with("nav.xhtml"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .expect("a nav document");
    let part = nav.find("Part One: Basics").expect("part one in the nav");
    let linux = nav.find("On Linux").expect("the nested chapter in the nav");
    let part_two = nav.find("Part Two: Tables").unwrap();
    assert!(part < linux && linux < part_two);
    let between = &nav[part..linux];
    assert!(between.matches("<ol").count() >= 3, "{between}");
}

#[test]
fn a_folder_with_jekyll_front_matter_publishes_with_its_titles() {
    let (_tmp, _m, out) = publish_files(
        "jekyll",
        &[
            (
                "01-welcome.md",
                "---\nlayout: post\ntitle: Welcome Aboard\npermalink: /welcome/\n---\n\nFirst words.\n",
            ),
            ("02-more.md", "# More To Read\n\nSecond words.\n"),
        ],
        &["--only", "pdf"],
    );
    let pdf_path = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "pdf"))
        .expect("a book PDF");
    let pdf = read_pdf(&std::fs::read(pdf_path).unwrap());
    let titles: Vec<String> = outline(&pdf).into_iter().map(|m| m.1).collect();
    assert!(
        titles.contains(&"Welcome Aboard".to_string())
            && titles.contains(&"More To Read".to_string()),
        "{titles:?}"
    );
    let text = all_text(&pdf);
    assert!(
        !text.contains("layout:") && !text.contains("permalink"),
        "{text}"
    );
    assert!(text.find("First words").unwrap() < text.find("Second words").unwrap());
}

/// A checkout made without symbolic links stores a link's target as the file's text
/// (Comprehensive Rust's `cpp/overview.svg`): the image it names is drawn, but only when it is
/// inside the book, as any image path must be.
#[test]
fn an_image_checked_out_as_its_link_text_is_followed_inside_the_book_only() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect x="10" y="10" width="80" height="80" fill="#336699"/></svg>"##;
    let tmp = TempDir::new("stored-link");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Linked pictures\n"),
            (
                "articles/a.md",
                "# Pictures\n\n![A square diagram](img/box.svg)\n",
            ),
            ("articles/img/box.svg", "../../third_party/box.svg"),
            ("third_party/box.svg", svg),
        ],
    );
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let entries = read_zip(&std::fs::read(out.join("linked-pictures.epub")).unwrap());
    let (_, packaged) = entries
        .iter()
        .find(|(n, _)| n.ends_with(".svg"))
        .expect("the SVG is packaged");
    assert!(String::from_utf8_lossy(packaged).contains("#336699"));

    // The same link text pointing out of the book is refused at the article's line.
    std::fs::write(m.join("articles/img/box.svg"), "../../../outside.svg").unwrap();
    std::fs::write(tmp.path().join("outside.svg"), svg).unwrap();
    let o = publish(&m, &out, &["--only", "epub"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("a.md:3:1") && err.contains("holds a link to `../../../outside.svg`"),
        "{err}"
    );
}

/// Ace by DAISY's checks on Comprehensive Rust: a part's page has the role its epub:type
/// names, and an empty corner cell of a table is no empty header (issue 32).
#[test]
fn parts_have_their_role_and_an_empty_corner_cell_is_no_header() {
    let (_tmp, out, _) = publish_fixture_book("mdbook-ace");
    let entries = read_zip(&std::fs::read(out.join("field-notes-on-rust.epub")).unwrap());
    let parts: Vec<String> = entries
        .iter()
        .filter(|(n, _)| n.contains("part-"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .collect();
    assert!(!parts.is_empty());
    for p in &parts {
        assert!(p.contains(r#"epub:type="part" role="doc-part""#), "{p}");
    }

    let (_tmp, _m, out) = publish_files(
        "empty-corner",
        &[
            ("book.yaml", "title: Corner\n"),
            (
                "articles/a.md",
                "# A\n\n|  | Kratom | Opioids |\n|---|---|---|\n| Source | a leaf | a poppy |\n",
            ),
        ],
        &["--only", "epub"],
    );
    let entries = read_zip(&std::fs::read(out.join("corner.epub")).unwrap());
    let page = entries
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .find(|t| t.contains("<table"))
        .unwrap();
    let head = &page[page.find("<thead>").unwrap()..page.find("</thead>").unwrap()];
    assert!(head.contains("<td></td>"), "{head}");
    assert_eq!(head.matches("<th scope=\"col\"").count(), 2, "{head}");
}
