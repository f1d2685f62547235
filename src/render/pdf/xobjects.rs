//! Images into the document: raster images as image XObjects (with a soft mask for alpha),
//! vector drawings as form XObjects copied from the one-form PDF svg2pdf made. A drawing's
//! resource dictionaries are written with their keys sorted: svg2pdf lists them in hash
//! order, which made two runs on the same book differ.

use super::images::Prepared;
use lopdf::{Dictionary, Object, ObjectId};
use std::collections::HashMap;

/// Copies a vector drawing (a small PDF whose catalog's `/Form` is the drawing) into the
/// document, renumbering its objects; returns the form's new id.
pub fn import_form(lo: &mut lopdf::Document, pdf: &[u8]) -> Result<ObjectId, String> {
    let small = lopdf::Document::load_mem(pdf).map_err(|e| e.to_string())?;
    let catalog = small
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| e.to_string())?;
    let form = small
        .get_dictionary(catalog)
        .and_then(|c| c.get(b"Form"))
        .and_then(Object::as_reference)
        .map_err(|e| e.to_string())?;
    let offset = lo.max_id;
    let map: HashMap<ObjectId, ObjectId> = small
        .objects
        .keys()
        .filter(|id| **id != catalog)
        .map(|id| (*id, (offset + id.0, 0)))
        .collect();
    // Renumbered, and every dictionary's keys sorted (svg2pdf writes resource names in hash
    // order: the corpus PDF differed between two runs).
    fn renumber(o: &mut Object, map: &HashMap<ObjectId, ObjectId>) {
        match o {
            Object::Reference(r) => {
                if let Some(n) = map.get(r) {
                    *r = *n;
                }
            }
            Object::Array(a) => a.iter_mut().for_each(|o| renumber(o, map)),
            Object::Dictionary(d) => {
                d.iter_mut().for_each(|(_, o)| renumber(o, map));
                d.as_hashmap_mut().sort_keys();
            }
            Object::Stream(s) => {
                s.dict.iter_mut().for_each(|(_, o)| renumber(o, map));
                s.dict.as_hashmap_mut().sort_keys();
            }
            _ => {}
        }
    }
    for (id, mut obj) in small.objects {
        if let Some(new) = map.get(&id) {
            renumber(&mut obj, &map);
            lo.objects.insert(*new, obj);
        }
    }
    lo.max_id = offset + small.max_id;
    map.get(&form)
        .copied()
        .ok_or_else(|| "the converted drawing has no form".to_string())
}

pub fn add_image(lo: &mut lopdf::Document, p: &Prepared) -> ObjectId {
    let image = |color_space: &str, colors: i64, filter: &str| {
        let mut dict = Dictionary::new();
        dict.set("Type", "XObject");
        dict.set("Subtype", "Image");
        dict.set("Width", p.width as i64);
        dict.set("Height", p.height as i64);
        dict.set("ColorSpace", Object::Name(color_space.as_bytes().to_vec()));
        dict.set("BitsPerComponent", 8);
        dict.set("Filter", Object::Name(filter.as_bytes().to_vec()));
        if p.predicted {
            let mut parms = Dictionary::new();
            parms.set("Predictor", 15);
            parms.set("Colors", colors);
            parms.set("BitsPerComponent", 8);
            parms.set("Columns", p.width as i64);
            dict.set("DecodeParms", parms);
        }
        dict
    };
    let colors = if p.color_space == "DeviceRGB" { 3 } else { 1 };
    let mut dict = image(p.color_space, colors, p.filter);
    if let Some(alpha) = &p.alpha {
        let m = image("DeviceGray", 1, "FlateDecode");
        let mask = lo.add_object(lopdf::Stream::new(m, alpha.clone()).with_compression(false));
        dict.set("SMask", Object::Reference(mask));
    }
    lo.add_object(lopdf::Stream::new(dict, p.data.clone()).with_compression(false))
}
