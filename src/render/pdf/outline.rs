//! The document outline (bookmarks): one item per outline mark, nested by level as every
//! renderer nests headings (`model::outline`), the article level open and deeper levels
//! closed.

use super::metadata::text_string;
use super::names::Destinations;
use crate::model::outline;
use crate::paged::PagedDocument;
use lopdf::{Dictionary, Object, ObjectId};

/// Adds the outline; returns the `/Outlines` dictionary's id.
pub fn add(lo: &mut lopdf::Document, doc: &PagedDocument, dests: &Destinations) -> ObjectId {
    // (level, title, page, y) of every mark, in reading order: page order, unless the pages
    // were imposed and the marks numbered first.
    let mut marks: Vec<(u32, (u8, &str, usize, f32))> = doc
        .pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.outline
                .iter()
                .map(move |(m, y)| (m.order, (m.level, m.title.as_str(), i, *y)))
        })
        .collect();
    marks.sort_by_key(|m| m.0);
    let marks: Vec<(u8, &str, usize, f32)> = marks.into_iter().map(|m| m.1).collect();
    let outlines_id = lo.new_object_id();
    let item_ids: Vec<ObjectId> = marks.iter().map(|_| lo.new_object_id()).collect();
    let levels: Vec<u8> = marks.iter().map(|m| m.0).collect();
    let parent = outline::parents(&levels);
    // Children of each mark (index `n` holds the top level), in order.
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); marks.len() + 1];
    for (i, p) in parent.iter().enumerate() {
        kids[p.unwrap_or(marks.len())].push(i);
    }
    let top = marks.len();
    let mut descendants = vec![0i64; marks.len()];
    for i in (0..marks.len()).rev() {
        if let Some(p) = parent[i] {
            descendants[p] += 1 + descendants[i];
        }
    }
    for (i, m) in marks.iter().enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", text_string(m.1));
        d.set(
            "Parent",
            Object::Reference(parent[i].map(|p| item_ids[p]).unwrap_or(outlines_id)),
        );
        d.set("Dest", dests.array(m.2, m.3));
        let siblings = &kids[parent[i].unwrap_or(top)];
        let pos = siblings.iter().position(|&s| s == i).unwrap_or(0);
        if pos > 0 {
            d.set("Prev", Object::Reference(item_ids[siblings[pos - 1]]));
        }
        if pos + 1 < siblings.len() {
            d.set("Next", Object::Reference(item_ids[siblings[pos + 1]]));
        }
        let own = &kids[i];
        if let (Some(f), Some(l)) = (own.first(), own.last()) {
            d.set("First", Object::Reference(item_ids[*f]));
            d.set("Last", Object::Reference(item_ids[*l]));
            // Open the article level, close deeper levels.
            d.set(
                "Count",
                if m.0 <= 1 {
                    descendants[i]
                } else {
                    -(own.len() as i64)
                },
            );
        }
        lo.objects.insert(item_ids[i], Object::Dictionary(d));
    }
    let top_items = &kids[top];
    let mut outlines = Dictionary::new();
    outlines.set("Type", "Outlines");
    if let (Some(f), Some(l)) = (top_items.first(), top_items.last()) {
        outlines.set("First", Object::Reference(item_ids[*f]));
        outlines.set("Last", Object::Reference(item_ids[*l]));
        outlines.set(
            "Count",
            top_items.len() as i64 + top_items.iter().map(|&t| descendants[t]).sum::<i64>(),
        );
    }
    lo.objects.insert(outlines_id, Object::Dictionary(outlines));
    outlines_id
}
