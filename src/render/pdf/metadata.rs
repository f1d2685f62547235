//! What the file says about itself: the information dictionary, the XMP packet (with the
//! PDF/UA and PDF/A identification), a document id fixed by the book's identity, the
//! catalog's language and viewer preferences, and PDF/A's sRGB output intent. Every date
//! comes from the book, never from the clock.

use super::fonts::fnv;
use crate::model::BookMeta;
use crate::render::xml;
use lopdf::{Dictionary, Object, ObjectId, StringFormat};

/// The sRGB profile of the PDF/A output intent (zlib licence: sRGB-LICENSE.txt).
const SRGB_ICC: &[u8] = include_bytes!("sRGB.icc");

/// The XMP packet: title, authors, subject, language, dates, tools, and the standards the
/// file conforms to. With PDF/A, the PDF/UA identification schema is declared as an extension
/// (PDF/A-2 knows only its own schemas).
fn xmp(meta: &BookMeta) -> String {
    let d = meta.date;
    let date = format!("{:04}-{:02}-{:02}T00:00:00Z", d.year, d.month, d.day);
    let author = if !meta.authors.is_empty() {
        Some(meta.authors.join(", "))
    } else {
        meta.publisher.clone()
    };
    let mut x = String::new();
    x.push_str("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    x.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    if meta.pdf_a {
        x.push_str(concat!(
            "<rdf:Description rdf:about=\"\" xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" ",
            "xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n",
            "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n",
            "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n",
            "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n",
            "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n",
            "<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n",
            "<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n",
            "<pdfaProperty:category>internal</pdfaProperty:category>\n",
            "<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\n",
            "</rdf:li></rdf:Seq></pdfaSchema:property>\n",
            "</rdf:li></rdf:Bag></pdfaExtension:schemas>\n</rdf:Description>\n",
        ));
    }
    x.push_str(concat!(
        "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ",
        "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" ",
        "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n",
    ));
    x.push_str(&format!(
        "<dc:format>application/pdf</dc:format>\n<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
        xml::escape(&meta.title)
    ));
    if let Some(a) = author {
        x.push_str(&format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
            xml::escape(&a)
        ));
    }
    if let Some(sub) = &meta.subtitle {
        x.push_str(&format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            xml::escape(sub)
        ));
    }
    x.push_str(&format!(
        "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>\n",
        xml::escape(&meta.language)
    ));
    x.push_str(&format!(
        "<xmp:CreateDate>{date}</xmp:CreateDate>\n<xmp:ModifyDate>{date}</xmp:ModifyDate>\n<xmp:MetadataDate>{date}</xmp:MetadataDate>\n"
    ));
    x.push_str("<xmp:CreatorTool>handout</xmp:CreatorTool>\n<pdf:Producer>handout (printpdf, lopdf)</pdf:Producer>\n");
    x.push_str("<pdfuaid:part>1</pdfuaid:part>\n");
    if meta.pdf_a {
        x.push_str("<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n");
    }
    x.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
    x
}

pub fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            bytes.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

fn pdf_date(meta: &BookMeta) -> Object {
    let d = meta.date;
    Object::String(
        format!("D:{:04}{:02}{:02}000000Z", d.year, d.month, d.day).into_bytes(),
        StringFormat::Literal,
    )
}

/// The information dictionary (replacing printpdf's, which claims PDF/X and has no fixed
/// dates) and the document id.
pub fn add_info(lo: &mut lopdf::Document, meta: &BookMeta) {
    let mut info = Dictionary::new();
    info.set("Title", text_string(&meta.title));
    if !meta.authors.is_empty() {
        info.set("Author", text_string(&meta.authors.join(", ")));
    } else if let Some(p) = &meta.publisher {
        info.set("Author", text_string(p));
    }
    if let Some(s) = &meta.subtitle {
        info.set("Subject", text_string(s));
    }
    info.set("Creator", text_string("handout"));
    info.set("Producer", text_string("handout (printpdf, lopdf)"));
    info.set("CreationDate", pdf_date(meta));
    info.set("ModDate", pdf_date(meta));
    if let Ok(Object::Reference(old)) = lo.trailer.get(b"Info") {
        let old = *old;
        lo.objects.remove(&old);
    }
    let info_id = lo.add_object(info);
    lo.trailer.set("Info", Object::Reference(info_id));
    let id_seed = format!("{}|{}|{}", meta.identifier, meta.title, meta.date);
    let id_bytes: Vec<u8> = [fnv(id_seed.as_bytes(), 1), fnv(id_seed.as_bytes(), 2)]
        .iter()
        .flat_map(|h| h.to_be_bytes())
        .collect();
    lo.trailer.set(
        "ID",
        vec![
            Object::String(id_bytes.clone(), StringFormat::Hexadecimal),
            Object::String(id_bytes, StringFormat::Hexadecimal),
        ],
    );
}

/// The objects the catalog points at, made by the other parts of the writer.
pub struct CatalogEntries {
    pub outlines: ObjectId,
    pub dests: ObjectId,
    pub labels: ObjectId,
}

/// Fills in the catalog: outline, destinations, labels, language, viewer preferences, then
/// the XMP metadata (left uncompressed, as PDF/A requires) and, for PDF/A, the output intent.
pub fn complete_catalog(
    lo: &mut lopdf::Document,
    root_id: ObjectId,
    meta: &BookMeta,
    parts: CatalogEntries,
) {
    if let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root_id) {
        cat.set("Outlines", Object::Reference(parts.outlines));
        cat.set("PageMode", "UseOutlines");
        let mut n = Dictionary::new();
        n.set("Dests", Object::Reference(parts.dests));
        cat.set("Names", n);
        cat.set("PageLabels", Object::Reference(parts.labels));
        cat.set(
            "Lang",
            Object::String(meta.language.as_bytes().to_vec(), StringFormat::Literal),
        );
        let mut vp = Dictionary::new();
        vp.set("DisplayDocTitle", true);
        cat.set("ViewerPreferences", vp);
    }
    // The same facts as the information dictionary, and the standards the file claims
    // (PDF/UA-1 always; PDF/A-2b when book.yaml asks for it).
    let mut xmp_dict = Dictionary::new();
    xmp_dict.set("Type", "Metadata");
    xmp_dict.set("Subtype", "XML");
    let xmp_id =
        lo.add_object(lopdf::Stream::new(xmp_dict, xmp(meta).into_bytes()).with_compression(false));
    let mut intents = None;
    if meta.pdf_a {
        let mut icc = Dictionary::new();
        icc.set("N", 3);
        let icc_id = lo.add_object(lopdf::Stream::new(icc, SRGB_ICC.to_vec()));
        let mut oi = Dictionary::new();
        oi.set("Type", "OutputIntent");
        oi.set("S", "GTS_PDFA1");
        oi.set(
            "OutputConditionIdentifier",
            text_string("sRGB IEC61966-2.1"),
        );
        oi.set("Info", text_string("sRGB IEC61966-2.1"));
        oi.set("DestOutputProfile", Object::Reference(icc_id));
        intents = Some(vec![Object::Dictionary(oi)]);
    }
    if let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root_id) {
        cat.set("Metadata", Object::Reference(xmp_id));
        if let Some(i) = intents {
            cat.set("OutputIntents", i);
        }
    }
}
