//! Comparison sidebars, callouts and the resource appendix, checked in both outputs.

mod common;
use common::*;

fn sample() -> (TempDir, std::path::PathBuf) {
    publish_sample("sidebars")
}

fn xml(data: &[u8]) -> String {
    String::from_utf8(data.to_vec()).unwrap()
}

#[test]
fn epub_comparison_is_a_labelled_aside_with_header_cells() {
    let (_t, out) = sample();
    let entries = read_zip(&std::fs::read(out.join("kratom-and-opioids.epub")).unwrap());
    let (_, data) = entries
        .iter()
        .find(|(n, _)| n.ends_with("is-kratom-an-opioid.xhtml"))
        .unwrap();
    let text = xml(data);
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&text, opts).unwrap();
    let aside = doc
        .descendants()
        .find(|n| n.has_tag_name("aside") && n.attribute("class") == Some("comparison"))
        .expect("a comparison aside");
    let label = aside.attribute("aria-labelledby").unwrap();
    let title = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(label))
        .expect("the label exists");
    assert_eq!(title.text(), Some("Kratom and prescription opioids"));
    let table = aside
        .descendants()
        .find(|n| n.has_tag_name("table"))
        .unwrap();
    let cols: Vec<_> = table
        .descendants()
        .filter(|n| n.attribute("scope") == Some("col"))
        // Long words in cells carry soft hyphens, so a table narrows at large sizes.
        .map(|n| n.text().unwrap_or("").replace('\u{ad}', ""))
        .collect();
    assert_eq!(cols, vec!["Kratom", "Prescription opioids"]);
    assert!(table.descendants().any(|n| n
        .text()
        .is_some_and(|t| t.contains("Pre\u{ad}scrip\u{ad}tion"))));
    let rows: Vec<_> = table
        .descendants()
        .filter(|n| n.attribute("scope") == Some("row"))
        .collect();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[0].text(), Some("Where it comes from"));
    // Cells carry their column's name for stacked display on narrow screens.
    assert!(table
        .descendants()
        .any(|n| n.attribute("data-label") == Some("Kratom")));
    // Callouts: an aside with a role and its label as text.
    let warning = doc
        .descendants()
        .find(|n| n.has_tag_name("aside") && n.attribute("role") == Some("note"))
        .expect("callout");
    assert!(warning.descendants().any(|n| n.text() == Some("Warning")));
    // Resources: tel: and https: links.
    assert!(text.contains("href=\"tel:+18006624357\""), "tel link");
    assert!(text.contains("href=\"tel:988\""));
    assert!(text.contains("href=\"https://findtreatment.gov\""));
}

#[test]
fn pdf_comparison_is_a_shaded_box_with_text_in_its_columns() {
    let (_t, out) = sample();
    let pdf = read_pdf(&std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap());
    let page = (0..pdf.pages.len())
        .find(|&p| {
            pdf.runs[p]
                .iter()
                .any(|r| r.text.contains("Kratom and prescription opioids"))
        })
        .expect("the sidebar");
    let runs = &pdf.runs[page];
    let find = |t: &str| {
        runs.iter()
            .find(|r| r.text.starts_with(t))
            .unwrap_or_else(|| panic!("{t:?} not on the page"))
    };
    let exact = |t: &str| {
        runs.iter()
            .find(|r| r.text.trim() == t)
            .unwrap_or_else(|| panic!("{t:?} not on the page"))
    };
    let kratom = exact("Kratom");
    let opioids = exact("Prescription opioids");
    assert!(opioids.x > kratom.x + 50.0);
    // Each row's cells sit under their column heading, on one baseline.
    for (aspect, left, right) in [
        ("Where it comes from", "Leaves of a tree", "The opium poppy"),
        ("Approved by the FDA", "No", "Yes, for specific uses"),
        (
            "Acts on opioid receptors",
            "Yes, but more weakly",
            "Yes, strongly",
        ),
    ] {
        let a = find(aspect);
        let l = runs
            .iter()
            .find(|r| r.text.starts_with(left) && (r.y - a.y).abs() < 0.5)
            .unwrap_or_else(|| panic!("{left:?} beside {aspect:?}"));
        let r = runs
            .iter()
            .find(|r| r.text.starts_with(right) && (r.y - a.y).abs() < 0.5)
            .unwrap_or_else(|| panic!("{right:?} beside {aspect:?}"));
        assert!(a.x < kratom.x, "aspects are in the first column");
        assert!(
            (l.x - kratom.x).abs() < 1.0,
            "{left:?} is in the Kratom column"
        );
        assert!(
            (r.x - opioids.x).abs() < 1.0,
            "{right:?} is in the opioids column"
        );
    }
    // The box: a dark title bar and a light shade behind the grid, both the full text width.
    let rects = filled_rects(&pdf, page);
    let title = find("Kratom and prescription opioids");
    assert!(
        rects
            .iter()
            .any(|r| r.gray < 0.3 && r.w > 450.0 && r.y < title.y && r.y + r.h > title.y),
        "dark title bar"
    );
    assert!(
        rects
            .iter()
            .any(|r| (r.gray - 0.93).abs() < 0.01 && r.w > 450.0),
        "shaded box"
    );
}

/// Rebuilds each QR code on the page from its black modules and decodes it.
fn decode_qr_codes(rects: &[FilledRect]) -> Vec<String> {
    let mut modules: Vec<FilledRect> = rects
        .iter()
        .copied()
        .filter(|r| r.gray == 0.0 && r.h < 5.0)
        .collect();
    modules.sort_by(|a, b| a.y.partial_cmp(&b.y).unwrap());
    // Codes are stacked down the page: split where the modules leave a gap.
    let mut groups: Vec<Vec<FilledRect>> = Vec::new();
    for m in modules {
        match groups.last_mut() {
            Some(g) if m.y - g.last().unwrap().y < 10.0 => g.push(m),
            _ => groups.push(vec![m]),
        }
    }
    let mut out = Vec::new();
    for g in groups {
        let size = g.iter().map(|r| r.h).fold(f32::MAX, f32::min);
        let x0 = g.iter().map(|r| r.x).fold(f32::MAX, f32::min);
        let y0 = g.iter().map(|r| r.y).fold(f32::MAX, f32::min);
        let n = ((g.iter().map(|r| r.y + r.h).fold(0.0, f32::max) - y0) / size).round() as usize;
        let scale = 6;
        let quiet = 4;
        let px = (n + 2 * quiet) * scale;
        let mut dark = vec![false; px * px];
        for r in &g {
            let row = ((r.y - y0) / size).round() as usize;
            let c0 = ((r.x - x0) / size).round() as usize;
            let c1 = ((r.x + r.w - x0) / size).round() as usize;
            for col in c0..c1 {
                for dy in 0..scale {
                    for dx in 0..scale {
                        let (yy, xx) = ((row + quiet) * scale + dy, (col + quiet) * scale + dx);
                        dark[yy * px + xx] = true;
                    }
                }
            }
        }
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(px, px, |x, y| {
            if dark[y * px + x] {
                0
            } else {
                255
            }
        });
        for grid in img.detect_grids() {
            if let Ok((_, content)) = grid.decode() {
                out.push(content);
            }
        }
    }
    out
}

#[test]
fn qr_codes_decode_to_the_resource_urls_and_phones_are_large() {
    let (_t, out) = sample();
    let pdf = read_pdf(&std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap());
    let page = (0..pdf.pages.len())
        .find(|&p| {
            pdf.runs[p]
                .iter()
                .any(|r| r.text.contains("SAMHSA National Helpline"))
                && pdf.page_text(p).contains("Where to get help")
        })
        .expect("the article's help list");
    let urls = decode_qr_codes(&filled_rects(&pdf, page));
    assert!(
        urls.iter()
            .any(|u| u == "https://www.samhsa.gov/find-help/helplines/national-helpline"),
        "decoded: {urls:?}"
    );
    assert!(
        urls.iter().any(|u| u == "https://findtreatment.gov"),
        "decoded: {urls:?}"
    );
    let phone = pdf.runs[page]
        .iter()
        .find(|r| r.text.contains("1-800-662-4357") && r.size >= 14.0);
    assert!(
        phone.is_some(),
        "the helpline number is printed at dialling size"
    );
}

#[test]
fn the_appendix_lists_every_resource_by_category_with_its_citations_and_the_links() {
    let (_t, out) = sample();
    let pdf = read_pdf(&std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap());
    let first = (0..pdf.pages.len())
        .rev()
        .find(|&p| pdf.page_body_text(p).starts_with("Resources"))
        .expect("appendix");
    let text: String = (first..pdf.pages.len())
        .map(|p| pdf.page_body_text(p))
        .collect::<Vec<_>>()
        .join("\n");
    let pos = |t: &str| {
        text.find(t)
            .unwrap_or_else(|| panic!("{t:?} not in the appendix"))
    };
    // Categories sorted, names sorted within them, each resource once.
    assert!(pos("\nHelplines") < pos("\nInformation") && pos("\nInformation") < pos("\nTreatment"));
    assert!(
        pos("988 Suicide") < pos("Poison Help")
            && pos("Poison Help") < pos("SAMHSA National Helpline")
    );
    assert_eq!(text.matches("Poison Help\n").count(), 1);
    // Poison Help is listed by both articles.
    assert!(
        text.contains("Mentioned in: What is kratom?, Is kratom an opioid?"),
        "{text}"
    );
    // The links cited in the articles, under each article's title.
    let links = &text[pos("Links cited in the articles")..];
    let what = links.find("What is kratom?").expect("article heading");
    let is = links.find("Is kratom an opioid?").expect("article heading");
    assert!(what < is);
    assert!(links[is..].contains(
        "SAMHSA National Helpline: https://www.samhsa.gov/find-help/helplines/national-helpline"
    ));
    assert!(links[is..].contains("https://nida.nih.gov/research-topics/kratom"));
}

#[test]
fn comparison_and_resource_errors_name_the_file_and_line() {
    let tmp = TempDir::new("res-errors");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: T\n"),
            ("resources.yaml", "- id: help\n  name: Help\n  category: Helplines\n  phone: 988\n"),
            ("articles/a.md", "---\ntitle: A\nresources: [help, nowhere]\n---\n\n> [!COMPARISON] Missing\n> No table here.\n"),
        ],
    );
    let o = publish(&m, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(
            "a.md:3:19: error: unknown resource id `nowhere`\n  help: the known ids are help"
        ),
        "{err}"
    );
    std::fs::write(
        m.join("articles/a.md"),
        "# A\n\nText.\n\n> [!COMPARISON] Missing\n> No table here.\n",
    )
    .unwrap();
    let o = publish(&m, &tmp.path().join("out"), &[]);
    let err = stderr(&o);
    assert!(
        err.contains("a.md:5:1: error: a `[!COMPARISON]` sidebar needs a table"),
        "{err}"
    );
}
