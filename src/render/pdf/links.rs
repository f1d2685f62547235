//! Link annotations: a clickable rectangle for each `Draw::Link`, going to a web address or a
//! named place, described for assistive technology (PDF/UA) and printable (PDF/A).

use super::metadata::text_string;
use super::names::Destinations;
use crate::paged::{Draw, LinkDest, PagedDocument};
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use std::collections::HashMap;

/// Adds every page's link annotations; returns, per page, the annotation of each `Draw::Link`
/// in drawing order (None for a link to nowhere), which the structure tree attaches.
pub fn add(
    lo: &mut lopdf::Document,
    doc: &PagedDocument,
    page_ids: &[ObjectId],
    dests: &Destinations,
) -> Vec<Vec<Option<ObjectId>>> {
    let h = doc.page_h;
    let titles: HashMap<&str, &str> = doc
        .pages
        .iter()
        .flat_map(|p| p.outline.iter())
        .map(|(m, _)| (m.dest.as_str(), m.title.as_str()))
        .collect();
    let mut link_annots: Vec<Vec<Option<ObjectId>>> = Vec::with_capacity(doc.pages.len());
    for (i, page) in doc.pages.iter().enumerate() {
        let mut annots = Vec::new();
        let mut on_page = Vec::new();
        for d in &page.draws {
            let Draw::Link {
                x,
                y,
                w,
                h: lh,
                dest,
            } = d
            else {
                continue;
            };
            let mut a = Dictionary::new();
            a.set("Type", "Annot");
            a.set("Subtype", "Link");
            a.set(
                "Rect",
                vec![
                    (*x).into(),
                    (h - y - lh).into(),
                    (x + w).into(),
                    (h - y).into(),
                ],
            );
            a.set("Border", vec![0.into(), 0.into(), 0.into()]);
            // Printed (PDF/A), and described for assistive technology (PDF/UA).
            a.set("F", 4);
            match dest {
                LinkDest::Uri(u) => {
                    let mut act = Dictionary::new();
                    act.set("S", "URI");
                    act.set(
                        "URI",
                        Object::String(u.as_bytes().to_vec(), StringFormat::Literal),
                    );
                    a.set("A", act);
                    a.set("Contents", text_string(u));
                }
                LinkDest::Dest(key) => match dests.get(key) {
                    Some((p, y)) => {
                        a.set("Dest", dests.array(p, y));
                        a.set("Contents", text_string(&describe(doc, &titles, key)));
                    }
                    None => {
                        on_page.push(None);
                        continue;
                    }
                },
            }
            let id = lo.add_object(a);
            on_page.push(Some(id));
            annots.push(Object::Reference(id));
        }
        link_annots.push(on_page);
        if !annots.is_empty() {
            if let Ok(Object::Dictionary(pd)) = lo.get_object_mut(page_ids[i]) {
                pd.set("Annots", annots);
            }
        }
    }
    link_annots
}

/// What a link to `key` does, in words: the heading it goes to, a footnote, or a place.
fn describe(doc: &PagedDocument, titles: &HashMap<&str, &str>, key: &str) -> String {
    let p = &doc.phrases;
    match titles.get(key) {
        Some(t) => p.go_to.replace("{title}", t),
        None if key.contains("#fn-") => p
            .footnote
            .replace("{n}", key.rsplit("#fn-").next().unwrap_or("")),
        None => p.elsewhere.clone(),
    }
}
