//! The bundled typefaces, built into the binary (a fonts folder may replace any of them):
//! the typesetter shapes with them, the PDF writer subsets them, the EPUB embeds the text
//! face.

use crate::diag::Diagnostic;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Serif,
    Sans,
    Mono,
    /// Atkinson Hyperlegible, for large print.
    Legible,
    /// Noto Sans CJK SC (subset): Chinese and Korean.
    Cjk,
    /// Noto Naskh Arabic.
    Arabic,
    /// Noto Sans Symbols 2: check marks, boxes, stars, arrows.
    Symbols,
    /// Noto Emoji, monochrome.
    Emoji,
}

impl Family {
    /// Where a character the text's own face lacks is looked for, in order.
    pub const FALLBACK: [Family; 8] = [
        Family::Serif,
        Family::Sans,
        Family::Legible,
        Family::Mono,
        Family::Cjk,
        Family::Arabic,
        Family::Symbols,
        Family::Emoji,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaceKey {
    pub family: Family,
    pub bold: bool,
    pub italic: bool,
}

impl FaceKey {
    pub const fn new(family: Family, bold: bool, italic: bool) -> Self {
        Self {
            family,
            bold,
            italic,
        }
    }

    /// This face, then its upright form, then the family's regular face: the order in which a
    /// missing face is replaced (there is no italic mono).
    pub fn fallbacks(self) -> [FaceKey; 3] {
        // The large-print family has no italic: ACB asks for emphasis by weight, so its
        // italic is its bold.
        if self.family == Family::Legible && self.italic {
            return [
                FaceKey::new(self.family, true, false),
                FaceKey::new(self.family, true, false),
                FaceKey::new(self.family, false, false),
            ];
        }
        [
            self,
            FaceKey {
                italic: false,
                ..self
            },
            FaceKey::new(self.family, false, false),
        ]
    }
}

/// A face of `FACES`: its key, its file name in `fonts/`, and that file's bytes.
macro_rules! face {
    ($key:expr, $name:literal) => {
        (
            $key,
            $name,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/", $name)) as &[u8],
        )
    };
}

/// The faces the tool needs, the files they come from and their bytes as built into the
/// binary. Mono has no italic: code is never slanted, so italic mono falls back to upright;
/// the large-print family's italic is its bold. Built in, one file is the whole
/// tool (an installed binary read its fonts from the checkout, and failed once that moved).
/// Kept as they are, not compressed: the pages a build reads are mapped from the binary like
/// a font file's, and inflating 14 MB on every run would cost about 50 ms of a 300 ms book.
pub const FACES: &[(FaceKey, &str, &[u8])] = &[
    face!(
        FaceKey::new(Family::Serif, false, false),
        "NotoSerif-Regular.ttf"
    ),
    face!(
        FaceKey::new(Family::Serif, true, false),
        "NotoSerif-Bold.ttf"
    ),
    face!(
        FaceKey::new(Family::Serif, false, true),
        "NotoSerif-Italic.ttf"
    ),
    face!(
        FaceKey::new(Family::Serif, true, true),
        "NotoSerif-BoldItalic.ttf"
    ),
    face!(
        FaceKey::new(Family::Sans, false, false),
        "NotoSans-Regular.ttf"
    ),
    face!(FaceKey::new(Family::Sans, true, false), "NotoSans-Bold.ttf"),
    face!(
        FaceKey::new(Family::Sans, false, true),
        "NotoSans-Italic.ttf"
    ),
    face!(
        FaceKey::new(Family::Sans, true, true),
        "NotoSans-BoldItalic.ttf"
    ),
    face!(
        FaceKey::new(Family::Mono, false, false),
        "NotoSansMono-Regular.ttf"
    ),
    face!(
        FaceKey::new(Family::Mono, true, false),
        "NotoSansMono-Bold.ttf"
    ),
    face!(
        FaceKey::new(Family::Legible, false, false),
        "AtkinsonHyperlegible-Regular.ttf"
    ),
    face!(
        FaceKey::new(Family::Legible, true, false),
        "AtkinsonHyperlegible-Bold.ttf"
    ),
    face!(
        FaceKey::new(Family::Cjk, false, false),
        "NotoSansSC-Regular.otf"
    ),
    face!(
        FaceKey::new(Family::Cjk, true, false),
        "NotoSansSC-Bold.otf"
    ),
    face!(
        FaceKey::new(Family::Arabic, false, false),
        "NotoNaskhArabic-Regular.ttf"
    ),
    face!(
        FaceKey::new(Family::Arabic, true, false),
        "NotoNaskhArabic-Bold.ttf"
    ),
    face!(
        FaceKey::new(Family::Symbols, false, false),
        "NotoSansSymbols2-Regular.ttf"
    ),
    face!(
        FaceKey::new(Family::Emoji, false, false),
        "NotoEmoji-Regular.ttf"
    ),
];

#[derive(Debug, Clone, Copy)]
pub struct FontFile {
    pub key: FaceKey,
    pub file_name: &'static str,
    pub data: &'static [u8],
}

pub struct FontSet {
    pub files: Vec<FontFile>,
}

/// Font bytes live for the whole process: faces borrow them, and a test run that publishes many
/// books reads each file once.
fn cache() -> &'static Mutex<HashMap<(PathBuf, u64), &'static [u8]>> {
    static CACHE: OnceLock<Mutex<HashMap<(PathBuf, u64), &'static [u8]>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// A font file mapped into memory for the rest of the process: only the pages a build reads
/// count (a Latin book never touches most of the 6 MB of CJK faces; reading them whole put the
/// corpus build's peak from 97 to 106 MB).
fn map_font(path: &Path) -> Result<&'static [u8], Diagnostic> {
    let cannot = |e: std::io::Error| {
        Diagnostic::error(
            path,
            0,
            0,
            format!("cannot read font: {}", crate::diag::io_words(&e)),
        )
    };
    // Looked at before it is opened: opening a named pipe waits for a writer, forever.
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Diagnostic::error(
            path,
            0,
            0,
            "a font must be a regular file",
        ));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    // SAFETY: the file is a regular file the build only reads; fonts are not rewritten while
    // a build runs (a truncated font would be the user's own doing, as with any reader).
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(cannot)?;
    let leaked: &'static memmap2::Mmap = Box::leak(Box::new(map));
    Ok(&leaked[..])
}

/// The faces: the bundled ones, each replaced by the file of the same name in `dir` when
/// there is one (`--fonts DIR`; an empty path: the bundled faces alone).
pub fn load(dir: &Path) -> Result<FontSet, Diagnostic> {
    let bundled_only = dir.as_os_str().is_empty();
    if !bundled_only && !dir.is_dir() {
        return Err(Diagnostic::error(
            dir,
            0,
            0,
            "fonts folder not found (give it with --fonts DIR, or leave --fonts out for the bundled fonts)",
        ));
    }
    let mut files = Vec::new();
    for &(key, name, built_in) in FACES {
        let path = dir.join(name);
        if bundled_only || !path.exists() {
            files.push(FontFile {
                key,
                file_name: name,
                data: built_in,
            });
            continue;
        }
        let meta = std::fs::metadata(&path).map_err(|e| {
            Diagnostic::error(
                &path,
                0,
                0,
                format!("cannot read font: {}", crate::diag::io_words(&e)),
            )
        })?;
        let cache_key = (path.canonicalize().unwrap_or(path.clone()), meta.len());
        let cached = cache().lock().ok().and_then(|c| c.get(&cache_key).copied());
        let data = match cached {
            Some(d) => d,
            None => {
                let bytes = map_font(&path)?;
                ttf_parser::Face::parse(bytes, 0).map_err(|e| {
                    Diagnostic::error(
                        &path,
                        0,
                        0,
                        format!("not a usable TrueType/OpenType font: {e}"),
                    )
                })?;
                let leaked: &'static [u8] = bytes;
                if let Ok(mut c) = cache().lock() {
                    c.insert(cache_key, leaked);
                }
                leaked
            }
        };
        files.push(FontFile {
            key,
            file_name: name,
            data,
        });
    }
    Ok(FontSet { files })
}
