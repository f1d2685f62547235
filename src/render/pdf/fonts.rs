//! Fonts into the PDF: each face subset to the glyphs the document uses, embedded as a CID
//! TrueType font (Identity-H) with exact widths and a ToUnicode map, so that text copies and
//! is read aloud as it was written.
//!
//! A glyph can stand for different text in different places (a hyphen glyph may be a real
//! hyphen or the soft hyphen of a line break). PDF maps codes, not glyphs, to Unicode, so each
//! distinct (glyph, text) pair gets a code of its own; a CIDToGIDMap leads the codes back to
//! the glyphs.

use crate::paged::GlyphText;
use lopdf::{Dictionary, Object, ObjectId, Stream};
use std::collections::HashMap;
use ttf_parser::Face;

/// The glyphs one face draws in a document and the text each stands for.
#[derive(Default)]
pub struct GlyphUse {
    /// By glyph id: the text the glyph first stood for (`Some("")` for a glyph seen only
    /// inside a cluster).
    /// (Texts are compared as `GlyphText`s: eight bytes, no string compared per glyph.)
    primary: Vec<Option<GlyphText>>,
    /// Other texts the same glyph stood for.
    variants: Vec<(u16, GlyphText)>,
}

impl GlyphUse {
    pub fn note(&mut self, gid: u16, text: GlyphText) {
        let i = gid as usize;
        if self.primary.len() <= i {
            self.primary.resize(i + 1, None);
        }
        match self.primary[i] {
            None => self.primary[i] = Some(text),
            Some(p) if p == text => {}
            Some(p) if p == GlyphText::EMPTY => self.primary[i] = Some(text),
            Some(_) if text == GlyphText::EMPTY => {}
            Some(_) => {
                if !self.variants.iter().any(|&(g, t)| g == gid && t == text) {
                    self.variants.push((gid, text));
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.primary.iter().all(Option::is_none)
    }
}

/// A face as embedded: what code to write for each glyph, and how wide PDF thinks it is.
pub struct Embedded {
    /// By original glyph id: the code of its primary text (0 = not embedded).
    codes: Vec<u16>,
    /// By glyph id: the codes of its other texts.
    variant_codes: HashMap<u16, Vec<(GlyphText, u16)>>,
    /// By original glyph id: the /W width, in thousandths of an em.
    pub widths: Vec<i32>,
}

impl Embedded {
    /// The code to write for `gid` standing for `text`.
    pub fn code(&self, gid: u16, text: GlyphText) -> u16 {
        if text != GlyphText::EMPTY && !self.variant_codes.is_empty() {
            if let Some(vs) = self.variant_codes.get(&gid) {
                if let Some((_, c)) = vs.iter().find(|(t, _)| *t == text) {
                    return *c;
                }
            }
        }
        self.codes.get(gid as usize).copied().unwrap_or(0)
    }
}

/// The objects of one embedded face, ready to add to the document.
pub struct FontObjects {
    pub base_font: String,
    pub type0: Dictionary,
    pub cid_font: Dictionary,
    pub descriptor: Dictionary,
    pub font_file: Stream,
    pub to_unicode: Stream,
    /// TrueType only: CFF fonts address glyphs by CID.
    pub cid_to_gid: Option<Stream>,
}

impl FontObjects {
    /// Adds the font's objects to the document; returns the Type 0 font's id.
    pub fn add_to(self, lo: &mut lopdf::Document) -> ObjectId {
        let opentype = self.font_file.dict.has(b"Subtype");
        let file = lo.add_object(self.font_file.with_compression(false));
        let mut descriptor = self.descriptor;
        let key = if opentype { "FontFile3" } else { "FontFile2" };
        descriptor.set(key, Object::Reference(file));
        let descriptor = lo.add_object(descriptor);
        let cid_to_gid = self
            .cid_to_gid
            .map(|m| lo.add_object(m.with_compression(false)));
        let mut cid_font = self.cid_font;
        cid_font.set("FontDescriptor", Object::Reference(descriptor));
        if let Some(map) = cid_to_gid {
            cid_font.set("CIDToGIDMap", Object::Reference(map));
        }
        let cid_font = lo.add_object(cid_font);
        let to_unicode = lo.add_object(self.to_unicode.with_compression(false));
        let mut type0 = self.type0;
        type0.set("DescendantFonts", vec![Object::Reference(cid_font)]);
        type0.set("ToUnicode", Object::Reference(to_unicode));
        lo.add_object(type0)
    }
}

/// The face's PostScript name (name id 6), as PDF font names use.
pub fn postscript_name(face: &Face) -> String {
    let name: String = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| "Font".to_string())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if name.is_empty() {
        "Font".into()
    } else {
        name
    }
}

/// Subsets `face` to the glyphs in `used` and builds its font objects. The subset tag (six
/// capitals) is derived from the glyphs, so it is the same on every run.
pub fn embed(data: &'static [u8], used: &GlyphUse) -> Result<(Embedded, FontObjects), String> {
    let face = Face::parse(data, 0).map_err(|e| format!("a font cannot be read: {e}"))?;
    let face = &face;
    // CFF outlines (the CJK face) are embedded as OpenType (FontFile3) under a CIDFontType0,
    // whose CIDs are the subset's glyph ids: it cannot map extra codes to a glyph, so a glyph
    // standing for two texts keeps its first.
    let cff = face.tables().cff.is_some();
    let upem = face.units_per_em() as f32;
    let mut gids: Vec<u16> = vec![0];
    gids.extend(
        used.primary
            .iter()
            .enumerate()
            .filter(|(g, t)| *g != 0 && t.is_some())
            .map(|(g, _)| g as u16),
    );
    let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&gids);
    let subset = subsetter::subset(data, 0, &remapper)
        .map_err(|e| format!("font subsetting failed: {e:?}"))?;
    let n = face.number_of_glyphs() as usize;
    let width_of = |gid: u16| -> i32 {
        let adv = face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .unwrap_or(0) as f32;
        (adv * 1000.0 / upem).round() as i32
    };

    // Codes: the subset's glyph ids first (so most codes need no mapping), then variants.
    let mut codes = vec![0u16; n.max(used.primary.len())];
    let mut cid_gid: Vec<u16> = Vec::with_capacity(gids.len() + used.variants.len());
    let mut cid_text: Vec<Option<&str>> = Vec::with_capacity(cid_gid.capacity());
    let mut cid_width: Vec<i32> = Vec::with_capacity(cid_gid.capacity());
    for &g in &gids {
        let new = remapper.get(g).unwrap_or(0);
        codes[g as usize] = new;
        debug_assert_eq!(new as usize, cid_gid.len());
        cid_gid.push(new);
        cid_text.push(
            used.primary
                .get(g as usize)
                .and_then(|t| t.as_ref().map(GlyphText::as_str))
                .filter(|t| !t.is_empty()),
        );
        cid_width.push(width_of(g));
    }
    let mut variant_codes: HashMap<u16, Vec<(GlyphText, u16)>> = HashMap::new();
    for (g, t) in used.variants.iter().filter(|_| !cff) {
        let code = cid_gid.len() as u16;
        variant_codes.entry(*g).or_default().push((*t, code));
        cid_gid.push(remapper.get(*g).unwrap_or(0));
        cid_text.push(Some(t));
        cid_width.push(width_of(*g));
    }
    let widths: Vec<i32> = (0..codes.len() as u16).map(width_of).collect();

    let tag = subset_tag(&gids, &used.variants);
    let base_font = format!("{tag}+{}", postscript_name(face));

    let mut font_file_dict = Dictionary::new();
    if cff {
        font_file_dict.set("Subtype", "OpenType");
    } else {
        font_file_dict.set("Length1", subset.len() as i64);
    }
    let font_file = Stream::new(font_file_dict, subset);

    let scale = |v: f32| (v * 1000.0 / upem).round() as i64;
    let bbox = face.global_bounding_box();
    let mut descriptor = Dictionary::new();
    descriptor.set("Type", "FontDescriptor");
    descriptor.set("FontName", Object::Name(base_font.clone().into_bytes()));
    // Symbolic: the font's own encoding (glyph ids) is used, not a standard one.
    let mut flags = 4i64;
    if face.is_monospaced() {
        flags |= 1;
    }
    if face.is_italic() {
        flags |= 64;
    }
    descriptor.set("Flags", flags);
    descriptor.set(
        "FontBBox",
        vec![
            scale(bbox.x_min as f32).into(),
            scale(bbox.y_min as f32).into(),
            scale(bbox.x_max as f32).into(),
            scale(bbox.y_max as f32).into(),
        ],
    );
    descriptor.set("ItalicAngle", Object::Real(face.italic_angle()));
    descriptor.set("Ascent", scale(face.ascender() as f32));
    descriptor.set("Descent", scale(face.descender() as f32));
    descriptor.set(
        "CapHeight",
        scale(face.capital_height().unwrap_or(face.ascender()) as f32),
    );
    // Approximated from the weight class, as no font table records it.
    let weight = face.weight().to_number() as f32;
    descriptor.set(
        "StemV",
        (10.0 + 220.0 * (weight - 50.0) / 900.0).round() as i64,
    );

    let mut system_info = Dictionary::new();
    system_info.set("Registry", Object::string_literal("Adobe"));
    system_info.set("Ordering", Object::string_literal("Identity"));
    system_info.set("Supplement", 0);
    let mut cid_font = Dictionary::new();
    cid_font.set("Type", "Font");
    cid_font.set("Subtype", if cff { "CIDFontType0" } else { "CIDFontType2" });
    cid_font.set("BaseFont", Object::Name(base_font.clone().into_bytes()));
    cid_font.set("CIDSystemInfo", system_info);
    cid_font.set("DW", 0);
    cid_font.set(
        "W",
        vec![
            Object::Integer(0),
            Object::Array(
                cid_width
                    .iter()
                    .map(|&w| Object::Integer(w as i64))
                    .collect(),
            ),
        ],
    );
    let map_bytes: Vec<u8> = cid_gid.iter().flat_map(|g| g.to_be_bytes()).collect();
    let cid_to_gid = (!cff).then(|| Stream::new(Dictionary::new(), map_bytes));

    let mut type0 = Dictionary::new();
    type0.set("Type", "Font");
    type0.set("Subtype", "Type0");
    type0.set("BaseFont", Object::Name(base_font.clone().into_bytes()));
    type0.set("Encoding", "Identity-H");

    let to_unicode = Stream::new(Dictionary::new(), to_unicode_cmap(&cid_text));
    Ok((
        Embedded {
            codes,
            variant_codes,
            widths,
        },
        FontObjects {
            base_font,
            type0,
            cid_font,
            descriptor,
            font_file,
            to_unicode,
            cid_to_gid,
        },
    ))
}

fn subset_tag(gids: &[u16], variants: &[(u16, GlyphText)]) -> String {
    let mut bytes: Vec<u8> = gids.iter().flat_map(|g| g.to_be_bytes()).collect();
    for (g, t) in variants {
        bytes.extend_from_slice(&g.to_be_bytes());
        bytes.extend_from_slice(t.as_bytes());
    }
    let mut h = fnv(&bytes, 0);
    (0..6)
        .map(|_| {
            let c = (b'A' + (h % 26) as u8) as char;
            h /= 26;
            c
        })
        .collect()
}

/// A stable 64-bit FNV-1a hash, for ids and subset tags that must not change between runs.
pub fn fnv(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf29ce484222325u64 ^ seed;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// A ToUnicode CMap: code → the UTF-16 text it stands for.
fn to_unicode_cmap(cid_text: &[Option<&str>]) -> Vec<u8> {
    use std::fmt::Write;
    let entries: Vec<(usize, &str)> = cid_text
        .iter()
        .enumerate()
        .filter_map(|(c, t)| t.map(|t| (c, t)))
        .collect();
    let mut s = String::with_capacity(200 + entries.len() * 20);
    s.push_str(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (code, text) in chunk {
            let _ = write!(s, "<{code:04X}> <");
            for u in text.encode_utf16() {
                let _ = write!(s, "{u:04X}");
            }
            s.push_str(">\n");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_glyph_with_two_texts_gets_two_codes() {
        let mut u = GlyphUse::default();
        u.note(5, "-".into());
        u.note(5, "\u{ad}".into());
        u.note(5, "-".into());
        u.note(9, "".into());
        u.note(9, "fi".into());
        assert_eq!(u.primary[5].as_deref(), Some("-"));
        assert_eq!(
            u.primary[9].as_deref(),
            Some("fi"),
            "a cluster's text wins over none"
        );
        assert_eq!(u.variants, vec![(5u16, GlyphText::from("\u{ad}"))]);
        let cmap = String::from_utf8(to_unicode_cmap(&[
            None,
            Some("-"),
            Some("fi"),
            Some("\u{ad}"),
        ]))
        .unwrap();
        assert!(cmap.contains("3 beginbfchar"));
        assert!(cmap.contains("<0001> <002D>"));
        assert!(cmap.contains("<0002> <00660069>"));
        assert!(cmap.contains("<0003> <00AD>"));
    }
}
