//! SVG drawings as the reader takes them in: measured from their parsed root element (any
//! quoting, any preamble before `<svg`), and made self-contained. Every file an SVG refers
//! to (`<image href="photo.png">`) goes through the book's containment check and is embedded
//! as a `data:` URI, so no writer ever opens a path an SVG names: the PDF's SVG library once
//! opened any path relative to the working folder (`href="/dev/zero"` grew to 2 GB).

use super::files::{inside, percent_decode, Outside};
use super::images::{identify, MAX_IMAGE_BYTES};
use crate::model::ImageFormat;
use base64::Engine;
use std::path::Path;

/// The drawing's size in CSS pixels (points), from its root element's `width` and
/// `height`, else its `viewBox`; `None` when it is no SVG.
pub fn size(text: &str) -> Option<(u32, u32)> {
    let doc = parse(text).ok()?;
    let svg = doc.root_element();
    if svg.tag_name().name() != "svg" {
        return None;
    }
    let length = |name: &str| -> Option<f32> {
        let v = svg.attribute(name)?.trim();
        // Percentages say nothing about the size; absolute units are taken as given.
        let num: String = v
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        (!v.ends_with('%')).then(|| num.parse().ok()).flatten()
    };
    let (w, h) = match (length("width"), length("height")) {
        (Some(w), Some(h)) => (w, h),
        _ => {
            let vb: Vec<f32> = svg
                .attribute("viewBox")?
                .split(|c: char| c == ' ' || c == ',')
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse().ok())
                .collect();
            (*vb.get(2)?, *vb.get(3)?)
        }
    };
    (w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite())
        .then_some((w.round().max(1.0) as u32, h.round().max(1.0) as u32))
}

fn parse(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            // Design tools write a DOCTYPE; entities stay bounded by the node limit.
            allow_dtd: true,
            nodes_limit: 1_000_000,
        },
    )
}

/// The SVG with every file it refers to embedded, and with what an e-book may not run or
/// fetch taken out (scripts, event handlers, `javascript:` links, `<foreignObject>`, CSS
/// `@import`: they reached the EPUB, and EPUBCheck failed); `None` when nothing changed. The
/// strings say what was taken out, for a warning. `dir` is the SVG's folder relative to the
/// manuscript folder `root`. A reference that leaves the book, is missing, remote or not a
/// PNG, JPEG or SVG is an error, in words that follow "image `x.svg` ".
pub fn self_contained(
    text: &str,
    root: &Path,
    dir: &Path,
) -> Result<(Option<String>, Vec<&'static str>), String> {
    let doc = parse(text).map_err(|e| format!("is not a readable SVG file ({e})"))?;
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut removed: Vec<&'static str> = Vec::new();
    let mut note = |what: &'static str| {
        if !removed.contains(&what) {
            removed.push(what);
        }
    };
    let mut dropped: Vec<std::ops::Range<usize>> = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let range = node.range();
        if dropped
            .iter()
            .any(|d| d.start <= range.start && range.end <= d.end)
        {
            continue;
        }
        let name = node.tag_name().name();
        if name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("foreignObject") {
            note(if name.eq_ignore_ascii_case("script") {
                "<script>"
            } else {
                "<foreignObject>"
            });
            dropped.push(range.clone());
            edits.push((range, String::new()));
            continue;
        }
        if name == "style" {
            for t in node.children().filter(|c| c.is_text()) {
                let body = t.text().unwrap_or("");
                let base = t.range().start;
                let mut from = 0;
                while let Some(i) = body[from..].find("@import") {
                    let at = from + i;
                    let end = body[at..].find(';').map_or(body.len(), |e| at + e + 1);
                    note("@import");
                    edits.push((base + at..base + end, String::new()));
                    from = end;
                }
            }
        }
        for attr in node.attributes() {
            if attr.name().len() > 2 && attr.name()[..2].eq_ignore_ascii_case("on") {
                note("event handlers (on…)");
                edits.push((attr.range(), String::new()));
                continue;
            }
            if attr.name() != "href" {
                continue;
            }
            let value = attr.value().trim();
            let lower = value.to_ascii_lowercase();
            if lower.starts_with("javascript:") {
                note("javascript: links");
                edits.push((attr.range(), String::new()));
                continue;
            }
            if value.is_empty() || value.starts_with('#') || lower.starts_with("data:") {
                continue;
            }
            // A link in the drawing may go to the web; only what is drawn is fetched.
            let web = ["http://", "https://", "mailto:", "tel:"];
            if name == "a" && web.iter().any(|w| lower.starts_with(w)) {
                continue;
            }
            let value = value.to_string();
            edits.push((attr.range_value(), embedded(&value, root, dir)?));
        }
    }
    if edits.is_empty() {
        return Ok((None, removed));
    }
    let mut out = text.to_string();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (range, value) in edits {
        out.replace_range(range, &value);
    }
    Ok((Some(out), removed))
}

/// The file `value` names, inside the book, as a `data:` URI.
fn embedded(value: &str, root: &Path, dir: &Path) -> Result<String, String> {
    let lower = value.to_ascii_lowercase();
    if lower.contains("://") || lower.starts_with("//") {
        return Err(format!(
            "refers to `{value}`, which is not fetched; save it in the book"
        ));
    }
    let target = value.split('#').next().unwrap_or(value);
    let (canon, _) =
        inside(root, &dir.join(percent_decode(target))).map_err(|outside| match outside {
            Outside::Missing => format!("refers to `{value}`, which is not found"),
            _ => format!("refers to `{value}`, which {}", outside.words()),
        })?;
    let meta = std::fs::metadata(&canon)
        .map_err(|e| format!("refers to `{value}`: {}", crate::diag::io_words(&e)))?;
    if !meta.is_file() || meta.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "refers to `{value}`, which is not a regular file of at most {} MB",
            MAX_IMAGE_BYTES >> 20
        ));
    }
    let data = std::fs::read(&canon)
        .map_err(|e| format!("refers to `{value}`: {}", crate::diag::io_words(&e)))?;
    let mime = match identify(&data) {
        Some((ImageFormat::Png, ..)) => "image/png",
        Some((ImageFormat::Jpeg, ..)) => "image/jpeg",
        // A drawing inside a drawing is embedded as it is: its own references are not
        // followed (the SVG library reads a nested drawing's data, never a path).
        Some((ImageFormat::Svg, ..)) => "image/svg+xml",
        None => {
            return Err(format!(
                "refers to `{value}`, which is not a PNG, JPEG or SVG file"
            ))
        }
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
    Ok(format!("data:{mime};base64,{encoded}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_comes_from_the_parsed_root_whatever_the_quoting_or_preamble() {
        let preamble = format!("<?xml version='1.0'?>\n<!-- {} -->\n", "x".repeat(8000));
        let single = format!(
            "{preamble}<svg xmlns='http://www.w3.org/2000/svg' width='120' height='60pt'/>"
        );
        assert_eq!(size(&single), Some((120, 60)));
        let vb =
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0,0 300 150"></svg>"#;
        assert_eq!(size(vb), Some((300, 150)));
        assert_eq!(size("<html><svg/></html>"), None);
        assert_eq!(size("not xml"), None);
    }
}
