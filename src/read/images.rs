//! Image files referenced by articles: found inside the manuscript, identified by their bytes,
//! measured. Pixels are decoded later, only by the writer that needs them.

use super::files::{percent_decode, Outside};
use crate::model::{ImageFormat, ImageSource};
use std::path::Path;
use std::sync::Arc;

/// Larger files are refused rather than embedded in every output.
pub const MAX_IMAGE_BYTES: u64 = 32 * 1024 * 1024;
/// Decoded pixel count beyond which an image is refused (a 16-megapixel photo is plenty for print).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;

/// Resolves `src` (as written in an article at `article_dir`, relative to `root`) to a checked
/// image. Remote sources are never fetched.
pub fn resolve(root: &Path, article_dir: &Path, src: &str) -> Result<ImageSource, String> {
    resolve_noting(root, article_dir, src).map(|(image, _)| image)
}

/// Like `resolve`, with a warning for each kind of thing taken out of an SVG drawing.
pub fn resolve_noting(
    root: &Path,
    article_dir: &Path,
    src: &str,
) -> Result<(ImageSource, Vec<String>), String> {
    let mut notes = Vec::new();
    let image = resolve_following(root, article_dir, src, 0, &mut notes)?;
    Ok((image, notes))
}

/// How many links stored as text (see `stored_link`) are followed from one image.
const MAX_STORED_LINKS: usize = 4;

fn resolve_following(
    root: &Path,
    article_dir: &Path,
    src: &str,
    hops: usize,
    notes: &mut Vec<String>,
) -> Result<ImageSource, String> {
    let lower = src.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//") {
        return Ok(ImageSource::Remote(src.to_string()));
    }
    if lower.starts_with("data:") {
        return Err(
            "inline `data:` images are not supported; save the image as a file in the manuscript"
                .into(),
        );
    }
    let (canon, rel) =
        super::files::inside(root, &article_dir.join(percent_decode(src))).map_err(|outside| {
            match outside {
                Outside::Missing => format!(
                    "image `{src}` not found (looked for {})",
                    root.join(article_dir).join(src).display()
                ),
                _ => format!("image `{src}` {}", outside.words()),
            }
        })?;
    let meta = std::fs::metadata(&canon)
        .map_err(|e| format!("image `{src}`: {}", crate::diag::io_words(&e)))?;
    // A named pipe or a device would be read forever (or wait for a writer).
    if !meta.is_file() {
        return Err(format!("image `{src}` is not a regular file"));
    }
    if meta.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "image `{src}` is {} MB; the limit is {} MB",
            meta.len() >> 20,
            MAX_IMAGE_BYTES >> 20
        ));
    }
    let data = std::fs::read(&canon)
        .map_err(|e| format!("image `{src}`: {}", crate::diag::io_words(&e)))?;
    let Some((format, width, height)) = identify(&data) else {
        // A checkout made without symbolic links (git's core.symlinks=false, or a copy that
        // flattened them) holds the link's target as the file's text: Comprehensive Rust's
        // `cpp/overview.svg` is `../../../../third_party/cxx/overview.svg`. It is followed
        // like a link, through the same containment check.
        return match stored_link(&data) {
            Some(target) if hops < MAX_STORED_LINKS => {
                let dir = rel.parent().unwrap_or(Path::new(""));
                resolve_following(root, dir, target, hops + 1, notes).map_err(|e| {
                    format!("image `{src}` holds a link to `{target}` as its text, and {e}")
                })
            }
            _ => Err(format!(
                "image `{src}` is not a readable PNG, JPEG or SVG file"
            )),
        };
    };
    if width as u64 * height as u64 > MAX_IMAGE_PIXELS {
        return Err(format!(
            "image `{src}` is {width}×{height} pixels; the limit is {MAX_IMAGE_PIXELS} pixels"
        ));
    }
    // What a drawing refers to is embedded in it, through the same containment check.
    let data = match format {
        ImageFormat::Svg => {
            let text = std::str::from_utf8(&data).unwrap_or_default();
            let dir = rel.parent().unwrap_or(Path::new(""));
            let (changed, removed) = super::svg::self_contained(text, root, dir)
                .map_err(|e| format!("image `{src}` {e}"))?;
            if !removed.is_empty() {
                notes.push(format!(
                    "image `{src}`: {} taken out (an e-book may not run or fetch them)",
                    removed.join(", ")
                ));
            }
            match changed {
                Some(contained) => contained.into_bytes(),
                None => data,
            }
        }
        _ => data,
    };
    if !complete(format, &data) {
        return Err(format!(
            "image `{src}` is cut short or damaged (its data ends before the picture does); save it again from the original"
        ));
    }
    Ok(ImageSource::Local {
        path: rel,
        data: Arc::new(data),
        format,
        width,
        height,
    })
}

/// Whether the image's data is whole: a PNG decodes to its last row with every chunk's
/// checksum right; a JPEG has its end marker after its scan (inside the entropy-coded scan an
/// 0xFF byte is always followed by 0x00 or a restart marker, so FF D9 there is the real end).
/// A truncated JPEG was embedded as it was, and `qpdf --check` failed on the PDF (issue 21).
fn complete(format: ImageFormat, data: &[u8]) -> bool {
    match format {
        ImageFormat::Png => {
            let Ok(mut reader) = png::Decoder::new(std::io::Cursor::new(data)).read_info() else {
                return false;
            };
            // Row by row, so a large picture is never held whole.
            loop {
                match reader.next_row() {
                    Ok(Some(_)) => {}
                    Ok(None) => return reader.finish().is_ok(),
                    Err(_) => return false,
                }
            }
        }
        ImageFormat::Jpeg => {
            let Some(scan) = data.windows(2).position(|w| w == [0xFF, 0xDA]) else {
                return false;
            };
            data[scan..].windows(2).any(|w| w == [0xFF, 0xD9])
        }
        ImageFormat::Svg => true,
    }
}

/// The target of a symbolic link that was checked out as a small text file: one relative
/// path on one line, naming an image file.
fn stored_link(data: &[u8]) -> Option<&str> {
    if data.len() > 1024 {
        return None;
    }
    let text = std::str::from_utf8(data)
        .ok()?
        .trim_end_matches(['\n', '\r']);
    let image = [".svg", ".png", ".jpg", ".jpeg"]
        .iter()
        .any(|ext| text.to_ascii_lowercase().ends_with(ext));
    let one_path = !text.is_empty()
        && !text.starts_with('/')
        && !text.contains(['\n', '\r', '\0', '<', '>'])
        && !text.contains("://");
    (image && one_path).then_some(text)
}

/// Format and pixel size from the file's own bytes.
pub fn identify(data: &[u8]) -> Option<(ImageFormat, u32, u32)> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") && data.len() >= 24 && &data[12..16] == b"IHDR" {
        let w = u32::from_be_bytes(data[16..20].try_into().ok()?);
        let h = u32::from_be_bytes(data[20..24].try_into().ok()?);
        return (w > 0 && h > 0).then_some((ImageFormat::Png, w, h));
    }
    if data.starts_with(&[0xFF, 0xD8]) {
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                return None;
            }
            let marker = data[i + 1];
            if marker == 0xFF {
                i += 1;
                continue;
            }
            let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
                let h = u16::from_be_bytes([data[i + 5], data[i + 6]]) as u32;
                let w = u16::from_be_bytes([data[i + 7], data[i + 8]]) as u32;
                return (w > 0 && h > 0).then_some((ImageFormat::Jpeg, w, h));
            }
            i += 2 + len;
        }
        return None;
    }
    // Anything else that is text and whose root element is `<svg>`.
    let text = std::str::from_utf8(data).ok()?;
    let (w, h) = super::svg::size(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    Some((ImageFormat::Svg, w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifies_png_and_svg() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(identify(&png), Some((ImageFormat::Png, 640, 480)));
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60"></svg>"#;
        assert_eq!(identify(svg), Some((ImageFormat::Svg, 120, 60)));
        assert_eq!(identify(b"GIF89a"), None);
    }
}
