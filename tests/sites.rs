//! Site editions: each `sites/<id>.yaml` of the sample prints the collection with the site's
//! name, number and local resources, read back from its PDFs.

mod common;
use common::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn sample() -> &'static (TempDir, PathBuf) {
    static OUT: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    OUT.get_or_init(|| publish_sample("sites"))
}

fn pdf(name: &str) -> PdfText {
    read_pdf(&std::fs::read(sample().1.join(name)).unwrap())
}

/// Every QR code of a PDF, decoded from its drawing.
fn codes(pdf: &PdfText) -> Vec<String> {
    (0..pdf.pages.len())
        .flat_map(|p| qr_codes_on(pdf, p))
        .filter_map(|c| decode_copied(&c, 1.0, 0.0, 0.5, 0))
        .collect()
}

#[test]
fn every_page_of_a_site_handout_names_the_site_and_its_number() {
    let dir = sample().1.join("sites/eastside/handouts");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names.len(),
        16,
        "every handout, regular and large print: {names:?}"
    );
    for name in names {
        let pdf = pdf(&format!("sites/eastside/handouts/{name}"));
        for p in 0..pdf.pages.len() {
            let text = pdf.page_text(p);
            assert!(
                text.contains("Eastside Community Health Center") && text.contains("555-010-2000"),
                "{name} p{}: {text}",
                p + 1
            );
        }
        // Its first page is headed with the site's name, above the title (large print's,
        // beside a long page number, may end in an ellipsis: the footer has it whole).
        let first = &pdf.pages[0];
        let name_at = first
            .iter()
            .position(|l| l.text.starts_with("Eastside Community Health"));
        assert!(
            name_at.is_some_and(|i| i < 4),
            "{name}: the site's name at the head of page one: {:?}",
            first.iter().take(5).map(|l| &l.text).collect::<Vec<_>>()
        );
        // Its help list ends with the site, and a code that opens the site's page.
        assert!(
            codes(&pdf)
                .iter()
                .any(|c| c == "https://eastside.example.org"),
            "{name}: a code for the site"
        );
    }
}

/// How many images or drawings (XObjects) the page paints.
fn painted_objects(pdf: &PdfText, page: usize) -> usize {
    let content = pdf.doc.get_page_content(pdf.page_ids[page]);
    lopdf::content::Content::decode(&content)
        .map(|c| c.operations.iter().filter(|o| o.operator == "Do").count())
        .unwrap_or(0)
}

#[test]
fn a_site_handout_opens_with_the_site_logo() {
    for site in ["eastside", "northside"] {
        for name in ["what-is-kratom.pdf", "what-is-kratom-large-print.pdf"] {
            let with = pdf(&format!("sites/{site}/handouts/{name}"));
            assert_eq!(
                painted_objects(&with, 0),
                1,
                "{site}/{name}: the logo on page one"
            );
            assert_eq!(
                painted_objects(&with, 1),
                0,
                "{site}/{name}: and only there"
            );
            let without = pdf(&format!("handouts/{name}"));
            assert_eq!(
                painted_objects(&without, 0),
                0,
                "the default edition has no logo"
            );
        }
        let book = pdf(&format!("sites/{site}/kratom-and-opioids.pdf"));
        assert_eq!(
            painted_objects(&book, 0),
            1,
            "{site}: the logo on the title page"
        );
    }
    assert_eq!(painted_objects(&pdf("kratom-and-opioids.pdf"), 0), 0);
}

#[test]
fn a_local_resource_is_listed_where_the_site_says_and_a_replaced_one_shows_the_site_number() {
    let risks = pdf("sites/eastside/handouts/risks-and-withdrawal.pdf");
    assert!(all_text(&risks).contains("Eastside Pharmacy naloxone"));
    assert!(all_text(&risks).contains("555-010-2100"));
    assert!(codes(&risks)
        .iter()
        .any(|c| c == "https://eastside.example.org/naloxone"));
    // Not for this article.
    let what = pdf("sites/eastside/handouts/what-is-kratom.pdf");
    assert!(!all_text(&what).contains("Eastside Pharmacy naloxone"));
    // Northside replaces FindTreatment.gov with its own line, wherever the book lists it.
    let help = pdf("sites/northside/handouts/getting-help.pdf");
    let text = all_text(&help);
    assert!(text.contains("Northside treatment referral line") && text.contains("555-010-3100"));
    // (The article's text still links FindTreatment.gov; its help list no longer does.)
    let help_codes = codes(&help);
    assert!(help_codes
        .iter()
        .any(|c| c == "https://northside.example.org/referral"));
    assert!(
        !help_codes.iter().any(|c| c == "https://findtreatment.gov"),
        "the book's entry is replaced"
    );
    // The default edition keeps the book's entry and knows nothing of the sites.
    let default = all_text(&pdf("handouts/getting-help.pdf"));
    assert!(default.contains("FindTreatment.gov") && !default.contains("Northside"));
    // The site's book and EPUB name it as publisher.
    let book = pdf("sites/northside/kratom-and-opioids.pdf");
    assert!(book.page_text(0).contains("Northside Family Clinic"));
    let epub = read_zip(
        &std::fs::read(sample().1.join("sites/northside/kratom-and-opioids.epub")).unwrap(),
    );
    let opf = epub
        .iter()
        .find(|(n, _)| n.ends_with(".opf"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .unwrap();
    assert!(opf.contains("Northside Family Clinic"), "EPUB publisher");
    // Its title page shows the site's logo, named for the site.
    let title = epub
        .iter()
        .find(|(n, _)| n.ends_with("title.xhtml"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .unwrap();
    assert!(
        title.contains("<img src=\"site/northside-logo.svg\" alt=\"Northside Family Clinic\""),
        "{title}"
    );
    assert!(epub
        .iter()
        .any(|(n, _)| n.ends_with("site/northside-logo.svg")));
}

#[test]
fn the_default_editions_are_the_same_with_or_without_sites() {
    let tmp = TempDir::new("sites-none");
    let m = tmp.path().join("manuscript");
    copy_dir(&root().join("manuscript"), &m);
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--site", "none"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("sites").exists(), "--site none builds no site");
    for name in [
        "kratom-and-opioids.pdf",
        "kratom-and-opioids.epub",
        "handouts/getting-help.pdf",
    ] {
        assert_eq!(
            std::fs::read(out.join(name)).unwrap(),
            std::fs::read(sample().1.join(name)).unwrap(),
            "{name} differs when sites are built"
        );
    }
    let only = tmp.path().join("only");
    let o = publish(&m, &only, &["--site", "eastside", "--only", "handouts"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(only
        .join("sites/eastside/handouts/getting-help.pdf")
        .exists());
    assert!(
        !only.join("sites/northside").exists(),
        "only the site asked for"
    );
    // … and only it: `--site` chooses editions as `--only` chooses renderers.
    let written: Vec<String> = std::fs::read_dir(&only)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(
        written,
        ["sites"],
        "no default edition with --site eastside"
    );
    let o = publish(&m, &tmp.path().join("bad"), &["--site", "westside"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no site `westside`"), "{}", stderr(&o));
}

#[test]
fn a_bad_site_file_is_a_located_error() {
    let tmp = TempDir::new("sites-bad");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Sites\n"),
            ("articles/a.md", "# A\n\nText.\n"),
            ("sites/one.yaml", "name: One\nphone: call us\nurl: ftp://one.org\nlogo: sites/missing.svg\n"),
            ("sites/two.yaml", "name: Two\nfax: 1\n"),
            ("sites/none.yaml", "name: Nobody\n"),
            ("sites/east side.yaml", "name: East\n"),
            (
                "sites/three.yaml",
                "name: Three\nresources:\n  - id: x\n    name: X\n    category: Local\n    phone: 555-010-0000\n    for: [articles/nope.md]\n",
            ),
        ],
    );
    let o = publish(&m, &tmp.path().join("out"), &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    for wanted in [
        "one.yaml:2:8",
        "not a phone number",
        "one.yaml:3:6",
        "one.yaml:4:7",
        "two.yaml:2:1",
        "three.yaml:7:11",
        "`articles/nope.md` is not an article",
        "none.yaml:1:1",
        "rename `east side.yaml`",
    ] {
        assert!(err.contains(wanted), "{wanted:?} in {err}");
    }
    assert!(
        !tmp.path().join("out").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn check_lists_what_each_site_adds_and_replaces() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["check", "--manuscript"])
        .arg(root().join("manuscript"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("site eastside (Eastside Community Health Center): adds eastside-naloxone (2 handout(s)), eastside-counseling (2 handout(s))"),
        "{out}"
    );
    assert!(
        out.contains("replaces findtreatment (2 handout(s))"),
        "{out}"
    );
}

#[test]
fn a_logo_too_pale_for_grey_printing_is_a_warning_at_its_line() {
    let (_tmp, _m, out) = publish_files(
        "sites-pale",
        &[
            ("book.yaml", "title: Sites\n"),
            ("articles/a.md", "# A\n\nText.\n"),
            ("sites/sun.yaml", "name: Sun Clinic\nphone: 555-010-4000\nlogo: sites/sun.svg\n"),
            (
                "sites/sun.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\" fill=\"#ffd84a\"/></svg>\n",
            ),
        ],
        &["--only", "handouts"],
    );
    assert!(out.join("sites/sun/handouts/a.pdf").exists());
    let tmp = TempDir::new("sites-pale-check");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Sites\n"),
            ("articles/a.md", "# A\n\nText.\n"),
            ("sites/sun.yaml", "name: Sun Clinic\nlogo: sites/sun.svg\n"),
            (
                "sites/sun.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\" fill=\"#ffd84a\"/></svg>\n",
            ),
        ],
    );
    let o = publish(&m, &tmp.path().join("out"), &["--only", "handouts"]);
    assert!(o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("sun.yaml:2:7") && err.contains("too faint"),
        "{err}"
    );
}

/// A resource's `for:` list is read from the parsed YAML, however it is laid out: unindented
/// block lists and flow lists alike limit the resource to the articles named, and a name that
/// is no article is an error (issue 33: laid out otherwise, it printed on every handout).
#[test]
fn a_for_list_is_read_from_the_yaml_whatever_its_layout() {
    let site = |for_list: &str| {
        format!(
            "name: East Clinic\nphone: 555-010-1000\nresources:\n- id: east-line\n  name: East help line\n  category: Local services\n  phone: 555-010-2000\n{for_list}"
        )
    };
    for (name, for_list) in [
        ("for-block", "  for:\n  - articles/a.md\n"),
        ("for-flow", "  for: {0: articles/a.md}\n"),
        ("for-flow-list", "  for:   [ \"articles/a.md\" ]\n"),
    ] {
        let tmp = TempDir::new(name);
        let m = tmp.path().join("m");
        let files = [
            ("book.yaml", "title: Care\n".to_string()),
            ("articles/a.md", "# Alpha\n\nText.\n".to_string()),
            ("articles/b.md", "# Beta\n\nText.\n".to_string()),
            ("sites/east.yaml", site(for_list)),
        ];
        let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (*a, b.as_str())).collect();
        write_files(&m, &refs);
        let out = tmp.path().join("out");
        let o = publish(&m, &out, &["--only", "handouts"]);
        let err = stderr(&o);
        if for_list.contains('{') {
            // A mapping is no list: an error at the site file, not a resource on every page.
            assert_eq!(o.status.code(), Some(1), "{name}: {err}");
            assert!(err.contains("east.yaml"), "{name}: {err}");
            continue;
        }
        assert!(o.status.success(), "{name}: {err}");
        let text_of = |f: &str| {
            all_text(&read_pdf(
                &std::fs::read(out.join("sites/east/handouts").join(f)).unwrap(),
            ))
        };
        assert!(text_of("a.pdf").contains("East help line"), "{name}");
        assert!(!text_of("b.pdf").contains("East help line"), "{name}");
    }
    let tmp = TempDir::new("for-unknown");
    let m = tmp.path().join("m");
    let site_text = site("  for: [articles/zzz.md]\n");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Care\n"),
            ("articles/a.md", "# Alpha\n\nText.\n"),
            ("sites/east.yaml", &site_text),
        ],
    );
    let o = publish(&m, &tmp.path().join("out"), &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("east.yaml:8:")
            && err.contains("`articles/zzz.md` is not an article of the book"),
        "{err}"
    );
}

/// A site's resource is reported at its own entry however the YAML is laid out: unindented,
/// or in flow style on one line (the text was once searched by indentation, and put the
/// warning on a line of another key).
#[test]
fn a_site_resource_problem_is_reported_at_its_entry_in_any_layout() {
    let tmp = TempDir::new("site-entry-places");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Care\n"),
            ("articles/a.md", "# Alpha\n\nText.\n"),
            (
                "sites/east.yaml",
                "name: East\nresources: [{id: e1, name: E, category: L, for: [articles/a.md]}]\n",
            ),
            (
                "sites/west.yaml",
                "name: West\nresources:\n- id: w1\n  name: W\n  category: L\n  for:\n  - articles/a.md\n- id: w2\n  name: W2\n  category: L\n  phone: \"12\"\n",
            ),
        ],
    );
    let o = publish(&m, &tmp.path().join("out"), &["--only", "handouts"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("resource `e1` has neither") && err.contains("east.yaml:2:18"),
        "{err}"
    );
    assert!(
        err.contains("resource `w1` has neither") && err.contains("west.yaml:3:7"),
        "{err}"
    );
    assert!(
        err.contains("`12` is not a phone number") && err.contains("west.yaml:11:10"),
        "{err}"
    );
}

/// A book resource may be called `site-east`, the id the site `east`'s own contact entry
/// would take: the site's entry then takes another, and the site's EPUB has no duplicate id.
#[test]
fn a_book_resource_named_like_a_sites_contact_entry_keeps_the_ids_unique() {
    let (_tmp, _m, out) = publish_files(
        "site-id-clash",
        &[
            ("book.yaml", "title: Care\nresources: resources.yaml\n"),
            (
                "articles/a.md",
                "---\nresources: [site-east]\n---\n# Alpha\n\nText.\n",
            ),
            (
                "resources.yaml",
                "- id: site-east\n  name: Eastern helpers\n  category: Help\n  phone: 555-010-3000\n",
            ),
            ("sites/east.yaml", "name: East Clinic\nphone: 555-010-1000\n"),
        ],
        &["--only", "epub"],
    );
    let epub = std::fs::read(out.join("sites/east/care.epub")).unwrap();
    let mut seen = std::collections::HashSet::new();
    for (name, bytes) in read_zip(&epub) {
        if !name.ends_with(".xhtml") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).to_string();
        let mut ids = std::collections::HashSet::new();
        for id in text
            .split(" id=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
        {
            assert!(ids.insert(id.to_string()), "{name}: id `{id}` twice");
        }
        seen.extend(ids);
    }
    // Both entries are there: the book's and the site's own.
    let appendix = read_zip(&epub)
        .into_iter()
        .filter(|(n, _)| n.ends_with("resources.xhtml"))
        .map(|(_, b)| String::from_utf8_lossy(&b).to_string())
        .collect::<String>();
    assert!(
        appendix.contains("Eastern helpers") && appendix.contains("East Clinic"),
        "{appendix}"
    );
}

/// The facts that date a printed handout (the edition's date, its version, the article's next
/// review) are on every page of every handout edition, regular and large print, default and
/// site, whole: a footer short of room takes another line rather than drop or cut one.
#[test]
fn every_handout_page_keeps_its_dates_and_version_whole() {
    let body = "Some text about care. ".repeat(300);
    let article = format!(
        "---\ntitle: Care at home\nreviewed: {{by: Dr Ada Lee, on: 2026-10-01, next: 2027-10-01}}\n---\n\n# Care at home\n\n{body}\n"
    );
    let (_tmp, _m, out) = publish_files(
        "footer-facts",
        &[
            (
                "book.yaml",
                "title: Care\nlanguage: en\ndate: 2026-11-26\nedition: \"2026.1\"\npublisher: Handout Project\n",
            ),
            ("articles/care.md", &article),
            (
                "sites/east.yaml",
                "name: Eastside Community Health Center of Springfield\nphone: 555-010-2000\nhours: Monday to Friday, 8 am to 6 pm\n",
            ),
        ],
        &["--only", "handouts,large-print"],
    );
    for file in [
        "handouts/care.pdf",
        "handouts/care-large-print.pdf",
        "sites/east/handouts/care.pdf",
        "sites/east/handouts/care-large-print.pdf",
    ] {
        let pdf = read_pdf(&std::fs::read(out.join(file)).unwrap());
        assert!(pdf.pages.len() >= 2, "{file}");
        for p in 0..pdf.pages.len() {
            let text = pdf.page_text(p);
            for fact in [
                "November 26, 2026",
                "Version 2026.1",
                "Next review October 1, 2027",
            ] {
                assert!(
                    text.contains(fact),
                    "{file} p{}: no `{fact}` in\n{text}",
                    p + 1
                );
            }
            // The footer, however many lines it takes, stays clear of the text.
            let lines = &pdf.pages[p];
            let text_bottom = lines
                .iter()
                .filter(|l| l.text.contains("Some text"))
                .map(|l| l.y)
                .fold(0.0, f32::max);
            let footer_top = lines
                .iter()
                .filter(|l| {
                    l.y > 300.0
                        && ["555-010-2000", "Edition of", "Next review", "Springfield"]
                            .iter()
                            .any(|w| l.text.contains(w))
                })
                .map(|l| l.y - l.size)
                .fold(f32::MAX, f32::min);
            assert!(
                footer_top > text_bottom + 2.0,
                "{file} p{}: the footer (top {footer_top}) runs into the text (baseline {text_bottom})",
                p + 1
            );
            // (The site's name heading a large-print page may be cut beside the page
            // number: the footer has it whole.)
            for line in text
                .lines()
                .filter(|l| l.contains("Edition of") || l.contains("555-010-2000"))
            {
                assert!(
                    !line.contains('\u{2026}'),
                    "{file} p{}: cut short: {line}",
                    p + 1
                );
            }
        }
    }
}

/// The summary line gives every edition's book pages, the default's and each site's (it
/// gave the last one made).
#[test]
fn the_summary_gives_each_editions_book_pages() {
    let tmp = TempDir::new("summary-pages");
    let m = tmp.path().join("m");
    copy_dir(&root().join("manuscript"), &m);
    let o = publish(&m, &tmp.path().join("out"), &["--only", "pdf"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let summary = err.lines().find(|l| l.starts_with("published ")).unwrap();
    let pdf_pages = |f: &str| {
        read_pdf(&std::fs::read(tmp.path().join("out").join(f)).unwrap())
            .pages
            .len()
    };
    let wanted = format!(
        "book PDF {} pages (sites/eastside {}, sites/northside {})",
        pdf_pages("kratom-and-opioids.pdf"),
        pdf_pages("sites/eastside/kratom-and-opioids.pdf"),
        pdf_pages("sites/northside/kratom-and-opioids.pdf"),
    );
    assert!(summary.contains(&wanted), "{summary} lacks {wanted}");
}
