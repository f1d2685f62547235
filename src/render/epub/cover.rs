//! The EPUB's cover when book.yaml names none: title, subtitle and publisher drawn on a
//! 1600 × 2560 px page (Apple Books, Kobo and Google Play ask for at least that; a library
//! shows a blank without one), as a PNG. Drawn as SVG and rasterised by resvg with the
//! bundled fonts, so it never depends on the machine's.

use crate::fonts::{Family, FontFile};
use crate::model::BookMeta;
use resvg::{tiny_skia, usvg};
use std::sync::Arc;

pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 2560;
/// Text is wrapped to this width, centred.
const MEASURE: f32 = 1360.0;

/// The cover as PNG bytes; `None` if it could not be drawn (the EPUB then has no cover).
pub fn draw(meta: &BookMeta, fonts: &[FontFile]) -> Option<Vec<u8>> {
    let svg = svg(meta, fonts);
    // The bundled fonts live as long as the process: given by reference, not copied (copies
    // of the CJK faces alone were 6 MB per book).
    let mut db = usvg::fontdb::Database::new();
    for f in fonts {
        let data: &'static [u8] = f.data;
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(data)));
    }
    let options = usvg::Options {
        fontdb: Arc::new(db),
        font_family: "Noto Sans".into(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(&svg, &options).ok()?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT)?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    // Opaque throughout, so the premultiplied pixels are the plain ones: written as RGB, a
    // row at a time (a whole RGB copy would be 12 MB more; RGBA made the PNG 22 KB larger).
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut w = enc.write_header().ok()?;
    {
        use std::io::Write;
        let mut stream = w.stream_writer().ok()?;
        let mut row = Vec::with_capacity(WIDTH as usize * 3);
        for line in pixmap.data().chunks_exact(WIDTH as usize * 4) {
            row.clear();
            row.extend(line.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]));
            stream.write_all(&row).ok()?;
        }
        stream.finish().ok()?;
    }
    w.finish().ok()?;
    Some(out)
}

/// The cover's drawing: a dark band holding the title in white, the subtitle under it, the
/// publisher at the foot; every line centred and wrapped to the measure.
fn svg(meta: &BookMeta, fonts: &[FontFile]) -> String {
    let sans = |bold: bool| {
        fonts
            .iter()
            .find(|f| f.key.family == Family::Sans && f.key.bold == bold && !f.key.italic)
    };
    let mut body = String::new();
    let mut text = |lines: Vec<String>, y0: f32, size: f32, bold: bool, fill: &str| -> f32 {
        let mut y = y0;
        for line in lines {
            y += size * 1.2;
            body.push_str(&format!(
                "<text x=\"{}\" y=\"{y:.0}\" font-size=\"{size}\" font-weight=\"{}\" fill=\"{fill}\" text-anchor=\"middle\">{}</text>\n",
                WIDTH / 2,
                if bold { "bold" } else { "normal" },
                crate::render::xml::escape(&line)
            ));
        }
        y
    };
    let title = wrap(&meta.title, 132.0, sans(true));
    let band = 420.0 + title.len() as f32 * 160.0;
    text(title, 300.0, 132.0, true, "#ffffff");
    if let Some(sub) = &meta.subtitle {
        text(
            wrap(sub, 76.0, sans(false)),
            band + 80.0,
            76.0,
            false,
            "#1f2a36",
        );
    }
    if let Some(p) = &meta.publisher {
        text(
            wrap(p, 64.0, sans(false)),
            HEIGHT as f32 - 360.0,
            64.0,
            false,
            "#1f2a36",
        );
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\">\n<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>\n<rect width=\"{WIDTH}\" height=\"{band:.0}\" fill=\"#1f3a5f\"/>\n<rect x=\"120\" y=\"{:.0}\" width=\"{}\" height=\"8\" fill=\"#1f3a5f\"/>\n{body}</svg>\n",
        HEIGHT as f32 - 420.0,
        WIDTH - 240
    )
}

/// `s` in lines no wider than the measure at `size` px, measured with the face's advances
/// (an average width when the face is missing).
fn wrap(s: &str, size: f32, face: Option<&FontFile>) -> Vec<String> {
    let parsed = face.and_then(|f| ttf_parser::Face::parse(f.data, 0).ok());
    let width = |w: &str| -> f32 {
        w.chars()
            .map(|c| {
                parsed
                    .as_ref()
                    .and_then(|f| {
                        let adv = f.glyph_hor_advance(f.glyph_index(c)?)?;
                        Some(adv as f32 / f.units_per_em() as f32)
                    })
                    .unwrap_or(0.6)
                    * size
            })
            .sum()
    };
    let mut lines: Vec<String> = Vec::new();
    for word in s.split_whitespace() {
        match lines.last_mut() {
            Some(line) if width(&format!("{line} {word}")) <= MEASURE => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}
