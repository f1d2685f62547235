//! Tagged PDF (PDF/UA-1) and PDF/A: the structure tree is walked with lopdf and checked
//! against the page content.

mod common;
use common::*;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{BTreeSet, HashMap};

/// A structure element as found by walking the tree in order.
struct Found {
    role: String,
    depth: usize,
    alt: Option<String>,
    scope: Option<String>,
    has_id: bool,
    lang: Option<String>,
    /// (page index, MCID) of its marked content, in order.
    mcrs: Vec<(usize, i64)>,
    objrs: usize,
    kid_roles: Vec<String>,
}

fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    match o {
        Object::Reference(r) => doc.get_dictionary(*r).ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

fn string(o: &Object) -> String {
    match o {
        Object::String(b, _) if b.starts_with(&[0xFE, 0xFF]) => String::from_utf16_lossy(
            &b[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        ),
        Object::String(b, _) => String::from_utf8_lossy(b).to_string(),
        _ => String::new(),
    }
}

/// Walks the tree depth first, kids in their order; `sequence` gets every marked-content
/// reference in reading order.
fn walk(
    doc: &Document,
    e: &Dictionary,
    depth: usize,
    pages: &HashMap<ObjectId, usize>,
    out: &mut Vec<Found>,
    sequence: &mut Vec<(usize, i64)>,
) {
    let role = e
        .get(b"S")
        .and_then(Object::as_name)
        .map(|n| String::from_utf8_lossy(n).to_string())
        .unwrap_or_default();
    let kids: Vec<Object> = match e.get(b"K") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(o) => vec![o.clone()],
        Err(_) => Vec::new(),
    };
    let f = Found {
        role,
        depth,
        alt: e.get(b"Alt").ok().map(string),
        scope: e
            .get(b"A")
            .ok()
            .and_then(|a| dict(doc, a))
            .and_then(|a| a.get(b"Scope").ok())
            .and_then(|s| s.as_name().ok())
            .map(|s| String::from_utf8_lossy(s).to_string()),
        has_id: e.has(b"ID"),
        lang: e.get(b"Lang").ok().map(string),
        mcrs: Vec::new(),
        objrs: 0,
        kid_roles: Vec::new(),
    };
    let me = out.len();
    out.push(f);
    let pg = e.get(b"Pg").and_then(Object::as_reference).ok();
    for k in &kids {
        if let Object::Integer(mcid) = k {
            // A bare MCID is on the element's /Pg.
            let m = (
                pages[&pg.expect("an element with bare MCIDs has /Pg")],
                *mcid,
            );
            out[me].mcrs.push(m);
            sequence.push(m);
            continue;
        }
        let Some(d) = dict(doc, k) else { continue };
        match d.get(b"Type").and_then(Object::as_name).ok() {
            Some(b"MCR") => {
                let pg = d.get(b"Pg").and_then(Object::as_reference).unwrap();
                let m = (pages[&pg], d.get(b"MCID").unwrap().as_i64().unwrap());
                out[me].mcrs.push(m);
                sequence.push(m);
            }
            Some(b"OBJR") => out[me].objrs += 1,
            _ => {
                out[me].kid_roles.push(
                    d.get(b"S")
                        .and_then(Object::as_name)
                        .map(|n| String::from_utf8_lossy(n).to_string())
                        .unwrap_or_default(),
                );
                walk(doc, d, depth + 1, pages, out, sequence);
            }
        }
    }
}

/// Every structure element in order, and every marked-content reference in reading order.
fn structure_of(doc: &Document) -> (Vec<Found>, Vec<(usize, i64)>) {
    let pages: &HashMap<ObjectId, usize> = &doc
        .get_pages()
        .values()
        .enumerate()
        .map(|(i, p)| (*p, i))
        .collect();
    let root = dict(doc, doc.catalog().unwrap().get(b"StructTreeRoot").unwrap()).unwrap();
    let (mut found, mut sequence) = (Vec::new(), Vec::new());
    for k in root.get(b"K").unwrap().as_array().unwrap() {
        walk(
            doc,
            dict(doc, k).unwrap(),
            0,
            pages,
            &mut found,
            &mut sequence,
        );
    }
    (found, sequence)
}

/// What each page's content does: for every MCID, whether it shows text; and how many text
/// and painting operators fall outside any marked content (there must be none).
struct PageMarks {
    text_mcids: Vec<i64>,
    all_mcids: BTreeSet<i64>,
    untagged: usize,
    artifact_text: usize,
    /// Text shown inside `/Artifact <</Type /Pagination>>` (running heads, page numbers).
    pagination_text: usize,
}

fn page_marks(doc: &Document, page: ObjectId) -> PageMarks {
    let content = doc.get_page_content(page);
    let ops = lopdf::content::Content::decode(&content)
        .unwrap()
        .operations;
    // Some(mcid) for tagged content, Some(-1) for an artifact, Some(-2) for a pagination one.
    let mut stack: Vec<Option<i64>> = Vec::new();
    let mut artifact_depth = 0;
    let mut m = PageMarks {
        text_mcids: Vec::new(),
        all_mcids: BTreeSet::new(),
        untagged: 0,
        artifact_text: 0,
        pagination_text: 0,
    };
    let mut pagination_depth = 0;
    for op in ops {
        match op.operator.as_str() {
            "BDC" | "BMC" => {
                let tag = op.operands[0].as_name().unwrap_or(b"").to_vec();
                if tag == b"Artifact" {
                    artifact_depth += 1;
                    let pagination = op
                        .operands
                        .get(1)
                        .and_then(|p| p.as_dict().ok())
                        .and_then(|d| d.get(b"Type").ok())
                        .and_then(|t| t.as_name().ok())
                        == Some(b"Pagination".as_slice());
                    pagination_depth += pagination as usize;
                    stack.push(Some(-1 - pagination as i64));
                } else {
                    let mcid = op
                        .operands
                        .get(1)
                        .and_then(|p| p.as_dict().ok())
                        .and_then(|d| d.get(b"MCID").ok())
                        .and_then(|i| i.as_i64().ok());
                    if let Some(id) = mcid {
                        m.all_mcids.insert(id);
                    }
                    stack.push(mcid);
                }
            }
            "EMC" => match stack.pop() {
                Some(Some(-1)) => artifact_depth -= 1,
                Some(Some(-2)) => {
                    artifact_depth -= 1;
                    pagination_depth -= 1;
                }
                _ => {}
            },
            "TJ" | "Tj" | "f" | "f*" | "S" | "B" | "Do" => {
                let text = matches!(op.operator.as_str(), "TJ" | "Tj");
                if artifact_depth > 0 {
                    if text {
                        m.artifact_text += 1;
                        m.pagination_text += (pagination_depth > 0) as usize;
                    }
                } else if let Some(Some(id)) = stack.last() {
                    if text && m.text_mcids.last() != Some(id) {
                        m.text_mcids.push(*id);
                    }
                } else {
                    m.untagged += 1;
                }
            }
            _ => {}
        }
    }
    assert!(stack.is_empty(), "marked content is balanced");
    m
}

#[test]
fn the_book_is_tagged_in_reading_order_with_everything_else_an_artifact() {
    let (_tmp, out) = publish_sample("tagged");
    let doc =
        Document::load_mem(&std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap()).unwrap();
    let page_ids: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    let catalog = doc.catalog().unwrap();

    // Declared tagged, titled, in a language, and claiming PDF/UA-1 in its XMP.
    let mark = dict(&doc, catalog.get(b"MarkInfo").unwrap()).unwrap();
    assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
    assert_eq!(string(catalog.get(b"Lang").unwrap()), "en-US");
    let vp = dict(&doc, catalog.get(b"ViewerPreferences").unwrap()).unwrap();
    assert!(vp.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
    let xmp = doc
        .get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap())
        .unwrap()
        .as_stream()
        .unwrap();
    let xmp = String::from_utf8_lossy(&xmp.content);
    assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"));
    assert!(xmp.contains(">Kratom and Opioids</rdf:li>"));
    assert!(!xmp.contains("pdfaid:part"), "PDF/A only when asked for");

    let (found, sequence) = structure_of(&doc);
    assert_eq!(found[0].role, "Document");

    // Every page: no content outside marked content; every MCID in the content belongs to
    // exactly one element; text is read in the order it is drawn.
    let mut owner: HashMap<(usize, i64), usize> = HashMap::new();
    for (i, f) in found.iter().enumerate() {
        for m in &f.mcrs {
            assert!(owner.insert(*m, i).is_none(), "MCID {m:?} claimed twice");
        }
    }
    let mut tree_order: HashMap<usize, Vec<i64>> = HashMap::new();
    for (p, id) in &sequence {
        tree_order.entry(*p).or_default().push(*id);
    }
    for (i, &pid) in page_ids.iter().enumerate() {
        let marks = page_marks(&doc, pid);
        assert_eq!(
            marks.untagged,
            0,
            "page {}: content neither tagged nor artifact",
            i + 1
        );
        for id in &marks.all_mcids {
            assert!(
                owner.contains_key(&(i, *id)),
                "page {}: MCID {id} has no element",
                i + 1
            );
        }
        // Text MCIDs as the tree lists them match the order the page draws them (leaving out
        // the continuations of elements begun on an earlier page, such as a footnote carried
        // over: the tree reads those with the rest of their element).
        let begins_here = |m: &i64| {
            owner
                .get(&(i, *m))
                .is_some_and(|&e| found[e].mcrs.iter().map(|(p, _)| *p).min() == Some(i))
        };
        let in_tree: Vec<i64> = tree_order
            .get(&i)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|m| marks.text_mcids.contains(m) && begins_here(m))
                    .collect()
            })
            .unwrap_or_default();
        let drawn: Vec<i64> = marks
            .text_mcids
            .iter()
            .copied()
            .filter(|m| begins_here(m))
            .collect();
        assert_eq!(in_tree, drawn, "page {}: reading order", i + 1);
        if i > 0 {
            assert!(
                marks.pagination_text > 0,
                "page {}: running head or number is a pagination artifact",
                i + 1
            );
        }
        let page = doc.get_dictionary(pid).unwrap();
        assert_eq!(page.get(b"Tabs").unwrap().as_name().unwrap(), b"S");
        assert_eq!(
            page.get(b"StructParents").unwrap().as_i64().unwrap(),
            i as i64
        );
    }

    // The roles: the book title and each article title are H1, with the contents' heading.
    let roles: Vec<&str> = found.iter().map(|f| f.role.as_str()).collect();
    let h1 = roles.iter().filter(|r| **r == "H1").count();
    let articles = std::fs::read_to_string(root().join("manuscript/book.yaml"))
        .unwrap()
        .lines()
        .filter(|l| l.trim_start().starts_with("- articles/"))
        .count();
    assert_eq!(
        h1,
        1 + 1 + articles + 1,
        "book title, Contents, each article and the appendix"
    );
    for r in [
        "Art", "Sect", "H2", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "Note",
        "Link", "TOC", "TOCI", "Figure",
    ] {
        assert!(roles.contains(&r), "a {r} element");
    }
    for f in &found {
        match f.role.as_str() {
            "Figure" => assert!(
                f.alt.as_deref().is_some_and(|a| !a.is_empty()),
                "figures have alt text"
            ),
            "TH" => assert!(
                matches!(f.scope.as_deref(), Some("Column" | "Row")),
                "header cells have a scope"
            ),
            "Note" => assert!(
                f.has_id && f.kid_roles.first().map(String::as_str) == Some("Lbl"),
                "notes have an ID and a label"
            ),
            "LI" => assert_eq!(
                f.kid_roles,
                ["Lbl", "LBody"],
                "list items: label, then body"
            ),
            "TR" => assert!(f.kid_roles.iter().all(|k| k == "TH" || k == "TD")),
            "Link" => assert!(f.objrs >= 1, "a link holds its annotation"),
            _ => {}
        }
    }
    // Rows of one table have as many cells each.
    let mut i = 0;
    while i < found.len() {
        if found[i].role == "Table" {
            let d = found[i].depth;
            let widths: BTreeSet<usize> = found[i + 1..]
                .iter()
                .take_while(|f| f.depth > d)
                .filter(|f| f.role == "TR" && f.depth == d + 1)
                .map(|f| f.kid_roles.len())
                .collect();
            assert_eq!(widths.len(), 1, "a regular grid: {widths:?}");
        }
        i += 1;
    }
    // Every link annotation is in the structure and described.
    for &pid in &page_ids {
        let Ok(Object::Array(annots)) = doc.get_dictionary(pid).unwrap().get(b"Annots") else {
            continue;
        };
        for a in annots {
            let a = dict(&doc, a).unwrap();
            assert!(a.has(b"StructParent"), "annotation in the structure");
            assert!(!string(a.get(b"Contents").unwrap()).is_empty());
        }
    }
}

#[test]
fn pdf_a_2b_is_declared_with_an_srgb_output_intent_when_asked_for() {
    let (_tmp, m, out) = publish_files(
        "pdfa",
        &[
            (
                "book.yaml",
                "title: Archive copy\ndate: 2026-01-02\npdf:\n  standard: pdf-a-2b\n",
            ),
            ("articles/a.md", "# Kept\n\nA paragraph to keep.\n"),
            (
                "articles/b.md",
                "---\nlang: es\n---\n# Guardado\n\nUn párrafo.\n",
            ),
        ],
        &["--only", "pdf"],
    );
    let doc = Document::load_mem(&std::fs::read(out.join("archive-copy.pdf")).unwrap()).unwrap();
    let catalog = doc.catalog().unwrap();
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    let oi = dict(&doc, &intents[0]).unwrap();
    assert_eq!(oi.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    let icc = doc
        .get_object(
            oi.get(b"DestOutputProfile")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap()
        .as_stream()
        .unwrap();
    let icc = icc
        .decompressed_content()
        .unwrap_or_else(|_| icc.content.clone());
    assert_eq!(&icc[36..40], b"acsp", "an ICC profile");
    assert_eq!(&icc[16..20], b"RGB ");
    let meta = doc
        .get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap())
        .unwrap()
        .as_stream()
        .unwrap();
    assert!(!meta.dict.has(b"Filter"), "XMP stays uncompressed");
    let xmp = String::from_utf8_lossy(&meta.content);
    for needle in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>",
        "<xmp:CreateDate>2026-01-02T00:00:00Z</xmp:CreateDate>",
    ] {
        assert!(xmp.contains(needle), "{needle}");
    }
    assert!(doc.version.as_str() >= "1.4");
    // An article in another language says so on its element.
    let (found, _) = structure_of(&doc);
    let arts: Vec<Option<&str>> = found
        .iter()
        .filter(|f| f.role == "Art")
        .map(|f| f.lang.as_deref())
        .collect();
    assert_eq!(arts, [None, Some("es")]);

    // A wrong value is refused at its line.
    write_files(
        &m,
        &[(
            "book.yaml",
            "title: Archive copy\npdf:\n  standard: pdf-x\n",
        )],
    );
    let o = publish(&m, &out, &["--only", "pdf"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("book.yaml:3"), "{}", stderr(&o));
}

#[test]
fn the_epub_page_list_matches_the_printed_pages() {
    let (_tmp, out) = publish_sample("page-list");
    let pdf = read_pdf(&std::fs::read(out.join("kratom-and-opioids.pdf")).unwrap());
    let body_pages = pdf.page_ids.len() - pdf.first_arabic_page();
    let entries = read_zip(&std::fs::read(out.join("kratom-and-opioids.epub")).unwrap());
    let file = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n.ends_with(name))
            .map(|(_, b)| String::from_utf8_lossy(b).to_string())
            .unwrap_or_else(|| panic!("{name} in the EPUB"))
    };
    let nav = file("nav.xhtml");
    let list = &nav[nav.find("epub:type=\"page-list\"").expect("a page list")..];
    let list = &list[..list.find("</nav>").unwrap()];
    let targets: Vec<(String, String)> = list
        .split("<a href=\"")
        .skip(1)
        .map(|s| {
            let (href, rest) = s.split_once('"').unwrap();
            let label = rest[1..rest.find("</a>").unwrap()].to_string();
            (href.to_string(), label)
        })
        .collect();
    assert_eq!(targets.len(), body_pages, "one entry per printed body page");
    for (i, (href, label)) in targets.iter().enumerate() {
        assert_eq!(label, &(i + 1).to_string(), "pages in order");
        let (doc, id) = href.split_once('#').unwrap();
        let xhtml = file(doc);
        let at = xhtml
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("marker {id} in {doc}"));
        assert!(xhtml[..at].ends_with("<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" "));
        // The first long word printed on the page follows its marker in the EPUB.
        let page = pdf.first_arabic_page() + i;
        let text = pdf.page_body_text(page);
        if let Some(word) = text
            .split_whitespace()
            .find(|w| w.len() >= 6 && w.chars().all(|c| c.is_ascii_alphabetic()))
        {
            // (Case aside: print sets callout labels in capitals, the EPUB by CSS.)
            let after = xhtml[at..].to_lowercase();
            assert!(
                after.contains(&word.to_lowercase()),
                "page {label}: `{word}` after its marker in {doc}"
            );
        }
    }
    let opf = file("content.opf");
    assert!(opf.contains("<meta property=\"pageBreakSource\">Kratom and Opioids, PDF edition"));
    assert!(opf.contains(">printPageNumbers</meta>"));
}

#[test]
fn headings_never_skip_a_level_and_missing_characters_never_draw_notdef() {
    let (_tmp, _m, out) = publish_files(
        "levels",
        &[
            ("book.yaml", "title: Levels\n"),
            (
                "articles/a.md",
                "## A chapter titled at level two\n\n#### Four, right under the title\n\nA crab \u{1F980} and a private \u{E000} sign.\n\n### Three\n",
            ),
        ],
        &["--only", "pdf,large-print"],
    );
    for file in ["levels.pdf", "levels-large-print.pdf"] {
        let bytes = std::fs::read(out.join(file)).unwrap();
        let doc = Document::load_mem(&bytes).unwrap();
        let (found, _) = structure_of(&doc);
        let levels: Vec<&str> = found
            .iter()
            .filter(|f| f.role.starts_with('H'))
            .map(|f| f.role.as_str())
            .filter(|r| r.len() == 2)
            .collect();
        // Book title, Contents, then the article: H1, H2 (was ####), H2 (was ###).
        assert_eq!(levels, ["H1", "H1", "H1", "H2", "H2"], "{file}");
        // No text shows glyph code 0 (.notdef); the characters still copy as written.
        for &pid in doc.get_pages().values() {
            let ops = lopdf::content::Content::decode(&doc.get_page_content(pid))
                .unwrap()
                .operations;
            for op in ops.iter().filter(|o| o.operator == "TJ") {
                for item in op.operands[0].as_array().unwrap() {
                    if let Object::String(b, _) = item {
                        assert!(b.chunks(2).all(|c| c != [0, 0]), "{file}: .notdef drawn");
                    }
                }
            }
        }
        let text = read_pdf(&bytes);
        let all: String = (0..text.pages.len()).map(|i| text.page_text(i)).collect();
        assert!(
            all.contains('\u{1F980}') && all.contains('\u{E000}'),
            "{file}: {all}"
        );
    }
}

/// A paragraph's text after a link is tagged after the link: in a span that follows it, so
/// the tag tree reads in the order the page paints (checkers read an element's own content
/// before its kids', and outloud's ORD-001 found the sample's large print out of order).
#[test]
fn text_after_a_link_is_tagged_after_it() {
    let (_tmp, _m, out) = publish_files(
        "link-order",
        &[
            (
                "book.yaml",
                "title: Order\nlanguage: en\ndate: 2026-01-01\n",
            ),
            (
                "articles/a.md",
                "# Order\n\nBefore the link, [the link](https://example.org/page) and after it.\n",
            ),
        ],
        &["--only", "handouts"],
    );
    let doc = lopdf::Document::load(out.join("handouts/a.pdf")).unwrap();
    let role = |d: &lopdf::Dictionary| {
        d.get(b"S")
            .and_then(|s| s.as_name())
            .map(|n| String::from_utf8_lossy(n).to_string())
            .unwrap_or_default()
    };
    let elem = |id: lopdf::ObjectId| doc.get_object(id).and_then(|o| o.as_dict()).unwrap();
    let paragraph = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .find(|d| {
            role(d) == "P"
                && d.get(b"K").and_then(|k| k.as_array()).is_ok_and(|k| {
                    k.iter()
                        .any(|x| x.as_reference().is_ok_and(|r| role(elem(r)) == "Link"))
                })
        })
        .expect("a paragraph holding a link");
    let kinds: Vec<String> = paragraph
        .get(b"K")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|k| match k {
            lopdf::Object::Reference(r) => role(elem(*r)),
            lopdf::Object::Integer(_) => "mcid".into(),
            other => format!("{other:?}"),
        })
        .collect();
    let link = kinds.iter().position(|k| k == "Link").unwrap();
    assert!(kinds[..link].iter().all(|k| k == "mcid"), "{kinds:?}");
    assert!(
        !kinds[link + 1..].is_empty()
            && kinds[link + 1..].iter().all(|k| k == "Span" || k == "Link"),
        "{kinds:?}"
    );
}
