//! Publishing the sample manuscript end to end, and reading both outputs back.

mod common;
use common::*;

fn norm(s: &str) -> String {
    s.replace(['\u{2019}', '\u{2018}'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn printed_contents_point_at_the_pages_where_the_headings_are() {
    let (_tmp, out) = publish_sample("toc");
    let pdf = read_pdf(&std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap());
    let first = pdf.first_arabic_page();
    assert!(first >= 2, "title page and contents come first");
    let entry = regex_lite(r"^(.*?)\.{2,}(\d+)$");
    let mut checked = 0;
    for page in 1..first {
        for line in &pdf.pages[page] {
            let Some((title, num)) = entry(&line.text) else {
                continue;
            };
            let n: usize = num.parse().unwrap();
            let target = first + n - 1;
            let text = norm(&pdf.page_body_text(target));
            assert!(
                text.contains(&norm(&title)),
                "contents say {title:?} is on page {n}, but it is not there:\n{text}"
            );
            checked += 1;
        }
    }
    // Two articles, each with its title and its level-2 sections.
    assert!(checked >= 10, "only {checked} contents entries found");
}

/// `^(.*?)\.{2,}(\d+)$` without a regex crate: title, dot leaders, page number.
fn regex_lite(_: &str) -> impl Fn(&str) -> Option<(String, String)> {
    |s: &str| {
        let s = s.trim();
        let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return None;
        }
        let (head, num) = s.split_at(s.len() - digits);
        let title = head.trim_end_matches('.');
        (head.len() - title.len() >= 2).then(|| (title.trim().to_string(), num.to_string()))
    }
}

#[test]
fn bookmarks_land_on_their_headings_and_nest() {
    let (_tmp, out) = publish_sample("outline");
    let pdf = read_pdf(&std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap());
    let marks = outline(&pdf);
    for (_, title, page) in &marks {
        assert!(
            norm(&pdf.page_text(*page)).contains(&norm(title)),
            "bookmark {title:?} lands on page {} without it",
            page + 1
        );
    }
    let seen = marks.len();
    let max_depth = marks.iter().map(|m| m.0).max().unwrap_or(0);
    assert!(seen >= 10, "{seen} bookmarks");
    assert!(max_depth >= 1, "sections nest under their article");
}

#[test]
fn text_copies_out_whole_and_fonts_are_subset_with_metadata() {
    let (_tmp, out) = publish_sample("text");
    let bytes = std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap();
    let pdf = read_pdf(&bytes);
    let all: String = (0..pdf.pages.len())
        .map(|i| pdf.page_text(i))
        .collect::<Vec<_>>()
        .join("\n");
    // Ligatures and kerning must not break words apart or drop letters.
    for word in [
        "scientific",
        "7-hydroxymitragynine",
        "Mitragyna speciosa",
        "alkaloids",
    ] {
        assert!(
            all.contains(word),
            "{word:?} not found in the extracted text"
        );
    }
    let doc = &pdf.doc;
    let mut fonts = 0;
    for (_, obj) in doc.objects.iter() {
        if let Ok(d) = obj.as_dict() {
            if d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"Font".as_slice())
                && d.has(b"DescendantFonts")
            {
                let name = String::from_utf8_lossy(d.get(b"BaseFont").unwrap().as_name().unwrap())
                    .to_string();
                let (tag, rest) = name.split_once('+').expect("subset tag");
                assert!(
                    tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
                    "{name}"
                );
                assert!(rest.starts_with("Noto"), "{name}");
                fonts += 1;
            }
        }
    }
    assert!(fonts >= 3);
    let cat = doc.catalog().unwrap();
    assert_eq!(cat.get(b"Lang").unwrap().as_str().unwrap(), b"en-US");
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info).unwrap();
    assert_eq!(
        info.get(b"Title").unwrap().as_str().unwrap(),
        b"Kratom and Opioids"
    );
    assert_eq!(
        info.get(b"CreationDate").unwrap().as_str().unwrap(),
        b"D:20261126000000Z"
    );
}

#[test]
fn links_in_print_are_clickable_and_show_their_url() {
    let (_tmp, out) = publish_sample("links");
    let pdf = read_pdf(&std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap());
    let doc = &pdf.doc;
    let mut uris = Vec::new();
    let mut internal = 0;
    for &pid in &pdf.page_ids {
        let page = doc.get_dictionary(pid).unwrap();
        let Ok(annots) = page.get(b"Annots").and_then(|a| a.as_array()) else {
            continue;
        };
        for a in annots {
            let a = doc.get_dictionary(a.as_reference().unwrap()).unwrap();
            if let Ok(action) = a.get(b"A").and_then(|x| x.as_dict()) {
                uris.push(
                    String::from_utf8_lossy(action.get(b"URI").unwrap().as_str().unwrap())
                        .to_string(),
                );
            } else {
                let dest = a.get(b"Dest").unwrap().as_array().unwrap();
                pdf.page_of(dest[0].as_reference().unwrap());
                internal += 1;
            }
        }
    }
    assert!(
        uris.iter()
            .any(|u| u == "https://www.samhsa.gov/find-help/helplines/national-helpline"),
        "{uris:?}"
    );
    assert!(
        internal >= 5,
        "contents entries, note references and cross-references are links"
    );
    // The helpline link's text is not its URL, so the URL is printed after it.
    let all: String = (0..pdf.pages.len())
        .map(|i| pdf.page_text(i))
        .collect::<Vec<_>>()
        .join(" ");
    let flat: String = all.split_whitespace().collect();
    assert!(
        flat.contains("(www.samhsa.gov/find-help/helplines/national-helpline)"),
        "printed URL missing"
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let (_a, out_a) = publish_sample("det-a");
    let (_b, out_b) = publish_sample("det-b");
    for f in ["kratom-and-opioids.pdf", "kratom-and-opioids.epub"] {
        let a = std::fs::read(out_a.join(f)).unwrap();
        let b = std::fs::read(out_b.join(f)).unwrap();
        assert!(a == b, "{f} differs between two builds");
    }
}

#[test]
fn epub_files_are_well_formed_and_carry_their_metadata() {
    let (_tmp, out) = publish_sample("epub");
    let entries = read_zip(&std::fs::read(out.join("kratom-and-opioids.epub")).unwrap());
    assert_eq!(entries[0].0, "mimetype");
    assert_eq!(entries[0].1, b"application/epub+zip");
    let mut xhtml = 0;
    let mut noterefs = 0;
    let mut footnotes = 0;
    for (name, data) in &entries {
        if name.ends_with(".xhtml")
            || name.ends_with(".opf")
            || name.ends_with(".ncx")
            || name.ends_with(".xml")
        {
            let text = std::str::from_utf8(data).unwrap();
            let opts = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            let doc = roxmltree::Document::parse_with_options(text, opts)
                .unwrap_or_else(|e| panic!("{name} is not well-formed: {e}"));
            if name.ends_with(".xhtml") {
                xhtml += 1;
                let ids: std::collections::HashSet<&str> = doc
                    .descendants()
                    .filter_map(|n| n.attribute("id"))
                    .collect();
                for n in doc.descendants().filter(|n| {
                    n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("noteref")
                }) {
                    let target = n.attribute("href").unwrap().trim_start_matches('#');
                    assert!(
                        ids.contains(target),
                        "{name}: note reference to missing #{target}"
                    );
                }
                let html = doc.root_element();
                assert!(html.attribute("lang").is_some(), "{name} has no lang");
                for n in doc.descendants() {
                    let ty = n.attribute(("http://www.idpf.org/2007/ops", "type"));
                    noterefs += (ty == Some("noteref")) as usize;
                    footnotes += (ty == Some("footnote")) as usize;
                    if n.has_tag_name("img") {
                        assert!(n.attribute("alt").is_some());
                    }
                }
            }
            if name.ends_with("content.opf") {
                for needle in [
                    "schema:accessMode",
                    "schema:accessModeSufficient",
                    "schema:accessibilityFeature",
                    "schema:accessibilityHazard",
                    "schema:accessibilitySummary",
                    "<dc:date>2026-11-26</dc:date>",
                    "<meta name=\"cover\" content=\"cover-image\"/>",
                    "properties=\"cover-image\"",
                    "<dc:publisher>Handout Project</dc:publisher>",
                    "<meta property=\"dcterms:modified\">2026-11-26T00:00:00Z</meta>",
                    "xml:lang=\"en-US\"",
                ] {
                    assert!(text.contains(needle), "content.opf lacks {needle}");
                }
                // Nobody has certified the sample: it claims no conformance.
                assert!(!text.contains("dcterms:conformsTo") && !text.contains("certifiedBy"));
            }
            if name.ends_with("nav.xhtml") {
                // Sections nest under their article.
                assert!(
                    doc.descendants().filter(|n| n.has_tag_name("ol")).count() >= 3,
                    "nav is not nested"
                );
            }
        }
    }
    assert!(xhtml >= 4, "title page, two articles and the nav");
    assert!(noterefs >= footnotes, "every note is referenced");
    assert!(footnotes >= 4);
    assert!(entries
        .iter()
        .any(|(n, _)| n.ends_with("fonts/NotoSerif-Regular.ttf")));
}

#[test]
fn figures_are_scaled_into_the_text_block_in_both_outputs() {
    let tmp = TempDir::new("figure");
    let m = tmp.path().join("m");
    write_files(&m, &[("book.yaml", "title: Pictures\npaper: a4\n"), ("articles/a.md", "# Pictures\n\n![A grey gradient](img/wide.png \"A wide picture\")\n\nText after.\n")]);
    // Wider than the text block at 96 dpi, so it must be scaled down.
    let img = image::GrayImage::from_fn(1600, 400, |x, _| image::Luma([(x / 7) as u8]));
    std::fs::create_dir_all(m.join("articles/img")).unwrap();
    img.save(m.join("articles/img/wide.png")).unwrap();
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    let pdf = read_pdf(&std::fs::read(out.join("pictures.pdf")).unwrap());
    let page = pdf.doc.get_dictionary(pdf.page_ids[0]).unwrap();
    let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
    assert!(
        (media[2].as_float().unwrap() - 595.3).abs() < 0.5,
        "paper: a4"
    );
    // The image is drawn with a matrix whose width fits between the margins.
    let body = pdf.first_arabic_page();
    let content = pdf.doc.get_page_content(pdf.page_ids[body]);
    let ops = lopdf::content::Content::decode(&content)
        .unwrap()
        .operations;
    let widths: Vec<f32> = ops
        .iter()
        .filter(|o| o.operator == "cm")
        .map(|o| o.operands[0].as_float().unwrap())
        .collect();
    assert!(
        widths.iter().any(|w| (*w - 451.3).abs() < 1.0),
        "image width {widths:?}, text block 451.3"
    );
    let text = pdf.page_text(body);
    assert!(text.contains("A wide picture"), "the title is the caption");

    let entries = read_zip(&std::fs::read(out.join("pictures.epub")).unwrap());
    let png = entries
        .iter()
        .find(|(n, _)| n.ends_with(".png"))
        .expect("the image is in the EPUB");
    assert!(png.1.starts_with(b"\x89PNG"));
    let chapter = entries
        .iter()
        .find(|(n, _)| n.ends_with("a.xhtml"))
        .unwrap();
    let xhtml = String::from_utf8_lossy(&chapter.1);
    assert!(xhtml.contains("alt=\"A grey gradient\""), "{xhtml}");
    assert!(xhtml.contains("<figcaption>A wide picture</figcaption>"));
}

#[test]
fn an_inline_image_and_an_svg_figure_both_publish() {
    let tmp = TempDir::new("inline-image");
    let m = tmp.path().join("m");
    write_files(
        &m,
        &[
            ("book.yaml", "title: Mixed pictures\n"),
            (
                "articles/a.md",
                "# Pictures\n\nA leaf ![a small leaf](img/leaf.png) sits in this sentence.\n\n![A square diagram](img/box.svg)\n",
            ),
            (
                "articles/img/box.svg",
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect x="10" y="10" width="80" height="80" fill="#336699"/><text x="100" y="50" font-size="14">Box</text></svg>"##,
            ),
        ],
    );
    let img = image::GrayImage::from_fn(300, 200, |x, _| image::Luma([(x % 255) as u8]));
    img.save(m.join("articles/img/leaf.png")).unwrap();
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "pdf,epub"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // The PDF prints the inline image as its alt text (not embedded) and draws the SVG as
    // vector paths in a form XObject.
    let pdf = read_pdf(&std::fs::read(out.join("mixed-pictures.pdf")).unwrap());
    let mut forms = 0;
    let mut images = 0;
    for obj in pdf.doc.objects.values() {
        if let lopdf::Object::Stream(s) = obj {
            match s.dict.get(b"Subtype").and_then(|o| o.as_name()).ok() {
                Some(b"Form") => {
                    forms += 1;
                    let ops = lopdf::content::Content::decode(
                        &s.decompressed_content()
                            .unwrap_or_else(|_| s.content.clone()),
                    )
                    .unwrap()
                    .operations;
                    assert!(ops.iter().any(|o| o.operator == "f" || o.operator == "f*"));
                }
                Some(b"Image") => images += 1,
                _ => {}
            }
        }
    }
    assert_eq!((forms, images), (1, 0), "one vector drawing, no raster");
    let body = pdf.first_arabic_page();
    assert!(pdf.page_text(body).contains("[a small leaf]"));

    let entries = read_zip(&std::fs::read(out.join("mixed-pictures.epub")).unwrap());
    for ext in [".png", ".svg"] {
        assert!(
            entries.iter().any(|(n, _)| n.ends_with(ext)),
            "{ext} packaged"
        );
    }
}

#[test]
fn a_long_caption_runs_onto_the_next_page_instead_of_off_this_one() {
    let tmp = TempDir::new("long-caption");
    let m = tmp.path().join("m");
    let caption = "A long description of a drawing, told in full for the reader. ".repeat(12);
    write_files(
        &m,
        &[
            ("book.yaml", "title: Captions\n"),
            (
                "articles/a.md",
                &format!(
                    "# Captions\n\n![A tall picture](img/tall.png \"{}\")\n\nAfter.\n",
                    caption.trim()
                ),
            ),
        ],
    );
    let img = image::GrayImage::from_fn(400, 900, |_, y| image::Luma([(y % 255) as u8]));
    std::fs::create_dir_all(m.join("articles/img")).unwrap();
    img.save(m.join("articles/img/tall.png")).unwrap();
    let out = tmp.path().join("out");
    let o = publish(&m, &out, &["--only", "large-print"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = read_pdf(&std::fs::read(out.join("captions-large-print.pdf")).unwrap());
    for (i, lines) in pdf.pages.iter().enumerate() {
        for l in lines {
            assert!(
                l.y < 792.0 - 36.0,
                "page {}: `{}` at y {} runs off the page",
                i + 1,
                l.text,
                l.y
            );
        }
    }
    let all: String = (0..pdf.pages.len()).map(|i| pdf.page_text(i)).collect();
    assert!(all.contains("told in full"), "the caption is printed");
}
