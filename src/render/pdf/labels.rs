//! Page labels: what a viewer shows as the page number, roman for the front matter and
//! arabic from the first article, so they match the printed numbers.

use crate::paged::PagedDocument;
use lopdf::{Dictionary, Object, ObjectId};

pub fn add(lo: &mut lopdf::Document, doc: &PagedDocument) -> ObjectId {
    let mut nums = Vec::new();
    if doc.front_pages > 0 {
        let mut d = Dictionary::new();
        d.set("S", "r");
        nums.push(Object::Integer(0));
        nums.push(Object::Dictionary(d));
    }
    if doc.pages.len() > doc.front_pages {
        let mut d = Dictionary::new();
        d.set("S", "D");
        nums.push(Object::Integer(doc.front_pages as i64));
        nums.push(Object::Dictionary(d));
    }
    let mut labels = Dictionary::new();
    labels.set("Nums", nums);
    lo.add_object(labels)
}
