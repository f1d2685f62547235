//! Shaping with rustybuzz. Every distinct (face, word) pair is shaped once per document; the
//! result is kept in font units so any size can use it.

use crate::fonts::{FaceKey, FontSet};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, Copy)]
pub struct ShapedGlyph {
    pub gid: u16,
    /// Advance in font units, kerning included.
    pub advance: i32,
    /// The text this glyph stands for (the whole cluster for its first glyph, empty after).
    pub text: crate::paged::GlyphText,
}

#[derive(Debug)]
pub struct Shaped {
    pub glyphs: Vec<ShapedGlyph>,
    /// Sum of the advances, in font units.
    pub width: i32,
}

pub struct Face {
    pub key: FaceKey,
    /// Its file's name in the fonts folder, for messages.
    pub file_name: &'static str,
    pub data: &'static [u8],
    pub rb: rustybuzz::Face<'static>,
    pub units_per_em: f32,
    pub ascender: f32,
    pub descender: f32,
    /// Glyph used for a hyphen and for a space.
    pub hyphen: Option<u16>,
    /// The replacement character's glyph and advance, drawn for characters the face lacks.
    pub replacement: Option<(u16, i32)>,
}

pub struct Shaper {
    pub faces: Vec<Face>,
    /// Which shaper this is, for the per-thread caches.
    id: u64,
    /// Shaped words, one map per face, looked up by the word itself (no allocation on a hit).
    /// Shared by every thread; each thread looks in its own copy first (`LOCAL`), since two
    /// threads taking the same lock for every word spent more time passing its cache line
    /// between them than finding the word.
    cache: Vec<RwLock<FxHashMap<Box<str>, Arc<Shaped>>>>,
    /// Per face, which characters of the Basic Multilingual Plane it has a glyph for: every
    /// character of every text asks which face draws it, and a cmap lookup each time cost
    /// more than the shaping.
    bmp_coverage: Vec<Vec<u64>>,
    /// Shaping plans, per face, by script.
    plans: Vec<RwLock<Vec<(rustybuzz::Script, bool, Arc<rustybuzz::ShapePlan>)>>>,
}

/// A thread's shaped words: for one shaper at a time, by face and word.
struct Local {
    shaper: u64,
    words: Vec<FxHashMap<Box<str>, Rc<Shaped>>>,
}

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(Local { shaper: u64::MAX, words: Vec::new() });
}

/// A thread's cache is dropped past this many words (a long-lived thread serving many
/// different documents).
const LOCAL_LIMIT: usize = 200_000;

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl Shaper {
    pub fn new(fonts: &FontSet) -> Result<Shaper, String> {
        let mut faces = Vec::new();
        for f in &fonts.files {
            let rb = rustybuzz::Face::from_slice(f.data, 0)
                .ok_or_else(|| format!("font {} cannot be shaped", f.file_name))?;
            let upem = rb.units_per_em() as f32;
            faces.push(Face {
                key: f.key,
                file_name: f.file_name,
                data: f.data,
                units_per_em: upem,
                ascender: rb.ascender() as f32 / upem,
                descender: rb.descender() as f32 / upem,
                hyphen: rb.glyph_index('-').map(|g| g.0),
                replacement: rb
                    .glyph_index('\u{fffd}')
                    .map(|g| (g.0, rb.glyph_hor_advance(g).unwrap_or(0) as i32)),
                rb,
            });
        }
        let cache = (0..2 * faces.len())
            .map(|_| RwLock::new(FxHashMap::default()))
            .collect();
        let bmp_coverage = faces.iter().map(|f| bmp_coverage(&f.rb)).collect();
        let plans = faces.iter().map(|_| RwLock::new(Vec::new())).collect();
        Ok(Shaper {
            faces,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            cache,
            bmp_coverage,
            plans,
        })
    }

    pub fn face_index(&self, key: FaceKey) -> usize {
        key.fallbacks()
            .iter()
            .find_map(|k| self.faces.iter().position(|f| f.key == *k))
            .unwrap_or(0)
    }

    /// Shapes one word (no line breaks inside) in one face, left to right.
    pub fn shape(&self, face: usize, text: &str) -> Rc<Shaped> {
        self.shape_in(face, text, false)
    }

    /// Shapes one word in one face and direction; right-to-left glyphs come in visual order
    /// (left to right on the page), mirrored where the direction asks (brackets).
    pub fn shape_in(&self, face: usize, text: &str, rtl: bool) -> Rc<Shaped> {
        // Right-to-left words have caches of their own, after the left-to-right ones.
        let slot = face + if rtl { self.faces.len() } else { 0 };
        LOCAL.with(|local| {
            let mut local = local.borrow_mut();
            if local.shaper != self.id {
                local.shaper = self.id;
                local.words = (0..2 * self.faces.len())
                    .map(|_| FxHashMap::default())
                    .collect();
            }
            if let Some(hit) = local.words[slot].get(text) {
                return hit.clone();
            }
            // Counted only on a miss: a hit stays a single lookup.
            if local.words.iter().map(|m| m.len()).sum::<usize>() > LOCAL_LIMIT {
                local.words.iter_mut().for_each(|m| m.clear());
            }
            let shared = self.shape_shared(face, text, rtl);
            let copy = Rc::new(Shaped {
                glyphs: shared.glyphs.clone(),
                width: shared.width,
            });
            local.words[slot].insert(Box::from(text), copy.clone());
            copy
        })
    }

    fn shape_shared(&self, face: usize, text: &str, rtl: bool) -> Arc<Shaped> {
        let slot = face + if rtl { self.faces.len() } else { 0 };
        if let Some(hit) = self.cache[slot]
            .read()
            .ok()
            .and_then(|c| c.get(text).cloned())
        {
            return hit;
        }
        let shaped = Arc::new(self.shape_uncached(face, text, rtl));
        if let Ok(mut c) = self.cache[slot].write() {
            c.insert(Box::from(text), shaped.clone());
        }
        shaped
    }

    fn shape_uncached(&self, face: usize, text: &str, rtl: bool) -> Shaped {
        let f = &self.faces[face];
        let direction = if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        };
        let mut buf = rustybuzz::UnicodeBuffer::new();
        buf.push_str(text);
        buf.set_direction(direction);
        buf.guess_segment_properties();
        // Building a shaping plan reads the font's feature tables: do it once per face and
        // script, not once per word.
        let script = buf.script();
        let cached = self.plans[face].read().ok().and_then(|p| {
            p.iter()
                .find(|(s, r, _)| *s == script && *r == rtl)
                .map(|(_, _, plan)| plan.clone())
        });
        let plan = match cached {
            Some(p) => p,
            None => {
                let plan = Arc::new(rustybuzz::ShapePlan::new(
                    &f.rb,
                    direction,
                    Some(script),
                    None,
                    &[],
                ));
                if let Ok(mut p) = self.plans[face].write() {
                    p.push((script, rtl, plan.clone()));
                }
                plan
            }
        };
        let out = rustybuzz::shape_with_plan(&f.rb, &plan, buf);
        let infos = out.glyph_infos();
        let positions = out.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width = 0;
        // A cluster's text runs to the next cluster's start in the text (right-to-left
        // glyphs list their clusters backwards).
        let mut starts: Vec<usize> = infos.iter().map(|g| g.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let first_of_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
            let end = starts
                .get(starts.partition_point(|&c| c <= start))
                .copied()
                .unwrap_or(text.len());
            let cluster_text = if first_of_cluster {
                text.get(start..end).unwrap_or("")
            } else {
                ""
            };
            // A character no bundled face has would draw the .notdef glyph, which PDF/UA
            // forbids: the face's replacement character (U+FFFD) is drawn instead, standing
            // for the same text (`handout check` names such characters).
            // One mark per cluster: a Tamil syllable the faces lack is one mark standing for
            // the whole syllable, not a mark per character whose extras, standing for no text,
            // read back as the first one's letters (`தமிழ்` came back as `தமிதழ்த`).
            let (gid, advance) = match (info.glyph_id, f.replacement) {
                (0, Some(_)) if !first_of_cluster => continue,
                (0, Some((g, adv))) => (g, adv),
                (g, _) => (g as u16, pos.x_advance),
            };
            glyphs.push(ShapedGlyph {
                gid,
                advance,
                text: cluster_text.into(),
            });
            width += advance;
        }
        Shaped { glyphs, width }
    }

    /// The glyphs of a shaped word as drawn at `size` points in `face`.
    pub fn glyphs_at(&self, face: usize, shaped: &Shaped, size: f32) -> Vec<crate::paged::Glyph> {
        let scale = size / self.faces[face].units_per_em;
        shaped
            .glyphs
            .iter()
            .map(|g| crate::paged::Glyph {
                gid: g.gid,
                advance: g.advance as f32 * scale,
                text: g.text,
            })
            .collect()
    }

    /// Width of `text` in points at `size`.
    pub fn width(&self, face: usize, text: &str, size: f32) -> f32 {
        self.shape(face, text).width as f32 * size / self.faces[face].units_per_em
    }

    /// Whether the face has a glyph for every character of `text`.
    pub fn covers(&self, face: usize, c: char) -> bool {
        let u = c as usize;
        match self.bmp_coverage[face].get(u / 64) {
            Some(bits) if u < 0x10000 => bits & (1 << (u % 64)) != 0,
            _ => self.faces[face].rb.glyph_index(c).is_some(),
        }
    }
}

/// A bit per BMP character the face maps to a glyph.
fn bmp_coverage(face: &ttf_parser::Face) -> Vec<u64> {
    let mut bits = vec![0u64; 0x10000 / 64];
    if let Some(cmap) = face.tables().cmap {
        for sub in cmap.subtables.into_iter().filter(|s| s.is_unicode()) {
            sub.codepoints(|cp| {
                if cp < 0x10000 && sub.glyph_index(cp).is_some_and(|g| g.0 != 0) {
                    bits[cp as usize / 64] |= 1 << (cp % 64);
                }
            });
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_table_agrees_with_the_cmap() {
        let set =
            crate::fonts::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts"))
                .unwrap();
        let sh = Shaper::new(&set).unwrap();
        for (i, f) in sh.faces.iter().enumerate() {
            let mut covered = 0;
            for c in (0..0x10000u32).filter_map(char::from_u32) {
                let has = f.rb.glyph_index(c).is_some_and(|g| g.0 != 0);
                assert_eq!(sh.covers(i, c), has, "{:?} U+{:04X}", f.key, c as u32);
                covered += has as usize;
            }
            assert!(covered > 150, "{:?} covers {covered}", f.key);
            assert!(!sh.covers(i, '\u{E000}'));
            // Each face draws what it is bundled for.
            let sample = match f.key.family {
                crate::fonts::Family::Cjk => '卡',
                crate::fonts::Family::Arabic => 'ك',
                crate::fonts::Family::Symbols => '✓',
                crate::fonts::Family::Emoji => '⚠',
                _ => 'a',
            };
            assert!(sh.covers(i, sample), "{:?} lacks {sample}", f.key);
        }
    }
}
