//! Named destinations: where every heading, anchor and footnote is, as the links, the outline
//! and the catalog's name tree point at them.

use crate::paged::PagedDocument;
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use std::collections::HashMap;

/// Every destination of the document, by key (`slug#id`): its page and its y from the top.
pub struct Destinations<'a> {
    pub places: HashMap<&'a str, (usize, f32)>,
    page_ids: &'a [ObjectId],
    page_h: f32,
}

impl<'a> Destinations<'a> {
    /// The first place each key is set (a key set twice keeps its first page).
    pub fn of(doc: &'a PagedDocument, page_ids: &'a [ObjectId]) -> Destinations<'a> {
        let mut places: HashMap<&str, (usize, f32)> = HashMap::new();
        for (i, page) in doc.pages.iter().enumerate() {
            for (key, y) in &page.dests {
                places.entry(key.as_str()).or_insert((i, *y));
            }
        }
        Destinations {
            places,
            page_ids,
            page_h: doc.page_h,
        }
    }

    pub fn get(&self, key: &str) -> Option<(usize, f32)> {
        self.places.get(key).copied()
    }

    /// An explicit destination: the page, scrolled to just above `y`.
    pub fn array(&self, page: usize, y: f32) -> Object {
        let h = self.page_h;
        Object::Array(vec![
            Object::Reference(self.page_ids[page]),
            "XYZ".into(),
            Object::Integer(0),
            Object::Real((h - y + 4.0).min(h)),
            Object::Null,
        ])
    }

    /// The name tree of every destination, sorted as PDF requires; returns its object.
    pub fn name_tree(&self, lo: &mut lopdf::Document) -> ObjectId {
        let mut named: Vec<(&str, (usize, f32))> =
            self.places.iter().map(|(k, v)| (*k, *v)).collect();
        named.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut names = Vec::with_capacity(named.len() * 2);
        for (k, (p, y)) in named {
            names.push(Object::String(k.as_bytes().to_vec(), StringFormat::Literal));
            names.push(self.array(p, y));
        }
        let mut dest_tree = Dictionary::new();
        dest_tree.set("Names", names);
        lo.add_object(dest_tree)
    }
}
