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
    let (mut edits, removed) = edits_for(&doc, root, dir)?;
    if edits.is_empty() {
        return Ok((None, removed));
    }
    // Applied from the end; an edit inside another (a node an entity made twice) is dropped.
    edits.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut kept: Vec<(std::ops::Range<usize>, String)> = Vec::with_capacity(edits.len());
    for e in edits {
        if kept.last().is_none_or(|(last, _)| e.0.start >= last.end) {
            kept.push(e);
        }
    }
    let mut out = text.to_string();
    for (range, value) in kept.into_iter().rev() {
        if !(out.is_char_boundary(range.start) && out.is_char_boundary(range.end)) {
            return Err(UNSAFE.into());
        }
        out.replace_range(range, &value);
    }
    // What was taken out must be gone: the result, read again, needs no edit (entities and
    // escapes can hide a construct from a single pass).
    let again = parse(&out).map_err(|_| UNSAFE.to_string())?;
    match edits_for(&again, root, dir) {
        Ok((rest, _)) if rest.is_empty() => Ok((Some(out), removed)),
        _ => Err(UNSAFE.into()),
    }
}

const UNSAFE: &str = "holds scripts, event handlers or links that cannot be taken out safely; save it again without them";

type Edits = (Vec<(std::ops::Range<usize>, String)>, Vec<&'static str>);

/// The edits that make `doc` self-contained and inert, and what they take out.
fn edits_for(doc: &roxmltree::Document, root: &Path, dir: &Path) -> Result<Edits, String> {
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
                let raw = doc.input_text().get(t.range()).unwrap_or("");
                let lower = body.to_ascii_lowercase();
                if !lower.contains("@import") {
                    continue;
                }
                note("@import");
                if raw != body {
                    // Escaped or CDATA: offsets in the text are not offsets in the file.
                    edits.push((t.range(), String::new()));
                    continue;
                }
                let base = t.range().start;
                let mut from = 0;
                while let Some(i) = lower[from..].find("@import") {
                    let at = from + i;
                    let end = lower[at..].find(';').map_or(body.len(), |e| at + e + 1);
                    edits.push((base + at..base + end, String::new()));
                    from = end;
                }
            }
        }
        for attr in node.attributes() {
            let name_of = attr.name();
            if name_of.len() > 2
                && name_of
                    .get(..2)
                    .is_some_and(|p| p.eq_ignore_ascii_case("on"))
            {
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
    Ok((edits, removed))
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

    fn made_safe(svg: &str) -> String {
        let (out, _) = self_contained(svg, Path::new("."), Path::new("")).unwrap();
        out.unwrap_or_else(|| svg.to_string())
    }

    /// Found by fuzzing: an attribute whose name starts with a character of more than one
    /// byte panicked the test for `on…` handlers.
    #[test]
    fn an_attribute_name_beyond_ascii_is_read_not_sliced() {
        let svg = "<svg xmlns='http://www.w3.org/2000/svg' x\u{fffd}='1' \u{e9}nclick='2'><rect onload='x()'/></svg>";
        let out = made_safe(svg);
        assert!(!out.contains("onload"), "{out}");
        assert!(out.contains("x\u{fffd}='1'"), "{out}");
    }

    /// `@import` hidden by an escape, a CDATA section or capitals is still taken out.
    #[test]
    fn an_import_is_taken_out_however_it_is_written() {
        for style in [
            "&#64;import url(http://example.com/a.css); rect { fill: red }",
            "<![CDATA[@import url(http://example.com/a.css);]]>",
            "@IMPORT url(http://example.com/a.css); rect { fill: red }",
        ] {
            let svg = format!(
                "<svg xmlns='http://www.w3.org/2000/svg'><style>{style}</style><rect/></svg>"
            );
            let out = made_safe(&svg);
            let again = parse(&out).unwrap();
            let css: String = again
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            assert!(
                !css.to_ascii_lowercase().contains("@import"),
                "{style}: {out}"
            );
            assert!(out.contains("<rect"), "{style}: {out}");
        }
    }

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
