//! Images for the PDF, prepared without a round trip through a general image library: JPEG
//! passes through untouched (DCTDecode); PNG is decoded once, reduced to 300 pixels per inch
//! at its printed size when it is finer than that, its alpha split into a soft mask, and
//! deflated at a fast level; SVG is drawn by resvg at 300 pixels per inch.

use crate::model::ImageFormat;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

pub struct Prepared {
    pub width: u32,
    pub height: u32,
    /// `DeviceRGB`, `DeviceGray` or `DeviceCMYK`.
    pub color_space: &'static str,
    /// `FlateDecode` or `DCTDecode`.
    pub filter: &'static str,
    pub data: Vec<u8>,
    /// Deflated 8-bit alpha, same size as the image.
    pub alpha: Option<Vec<u8>>,
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::new(2),
    );
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Images prepared once per build, by file and resolution, whichever edition asks first.
#[derive(Default)]
pub struct ImageCache {
    slots: Mutex<HashMap<(PathBuf, u32), Slot>>,
}

type Slot = Arc<OnceLock<Result<Arc<Prepared>, String>>>;

impl ImageCache {
    pub fn get(
        &self,
        image: &super::write::PdfImage,
        max_width: u32,
        fonts: &Arc<resvg::usvg::fontdb::Database>,
    ) -> Result<Arc<Prepared>, String> {
        let slot: Slot = self
            .slots
            .lock()
            .map_err(|_| "the image cache was poisoned by an earlier failure".to_string())?
            .entry((image.path.clone(), max_width))
            .or_default()
            .clone();
        slot.get_or_init(|| prepare(&image.data, image.format, max_width, fonts).map(Arc::new))
            .clone()
    }
}

/// `max_width` is the most pixels across worth keeping (300 per inch at the printed width).
/// `fonts` serves the text of SVG drawings.
pub fn prepare(
    data: &[u8],
    format: ImageFormat,
    max_width: u32,
    fonts: &std::sync::Arc<resvg::usvg::fontdb::Database>,
) -> Result<Prepared, String> {
    match format {
        ImageFormat::Jpeg => jpeg(data),
        ImageFormat::Png => png_image(data, max_width),
        ImageFormat::Svg => svg(data, max_width, fonts),
    }
}

/// An SVG drawing rendered at 300 pixels per inch of its printed width (with resvg, text set
/// in the bundled fonts), then treated like any transparent raster image.
fn svg(
    data: &[u8],
    width: u32,
    fonts: &std::sync::Arc<resvg::usvg::fontdb::Database>,
) -> Result<Prepared, String> {
    use resvg::{tiny_skia, usvg};
    let options = usvg::Options {
        fontdb: fonts.clone(),
        font_family: "Noto Sans".into(),
        ..Default::default()
    };
    let tree =
        usvg::Tree::from_data(data, &options).map_err(|e| format!("not a readable SVG: {e}"))?;
    let size = tree.size();
    let scale = width.clamp(16, 4000) as f32 / size.width().max(1.0);
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    if w == 0 || h == 0 || (w as u64) * (h as u64) > 40_000_000 {
        return Err(format!(
            "an SVG of {w}×{h} pixels at print resolution is too large"
        ));
    }
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or("an SVG too large to draw")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    let mut alpha = Vec::with_capacity((w * h) as usize);
    for p in pixmap.pixels() {
        let c = p.demultiply();
        rgb.extend_from_slice(&[c.red(), c.green(), c.blue()]);
        alpha.push(c.alpha());
    }
    Ok(Prepared {
        width: w,
        height: h,
        color_space: "DeviceRGB",
        filter: "FlateDecode",
        data: deflate(&rgb),
        alpha: Some(deflate(&alpha)),
    })
}

fn jpeg(data: &[u8]) -> Result<Prepared, String> {
    let mut i = 2;
    while i + 9 < data.len() {
        if data[i] != 0xFF {
            break;
        }
        let marker = data[i + 1];
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let height = u16::from_be_bytes([data[i + 5], data[i + 6]]) as u32;
            let width = u16::from_be_bytes([data[i + 7], data[i + 8]]) as u32;
            let color_space = match data[i + 9] {
                1 => "DeviceGray",
                3 => "DeviceRGB",
                4 => "DeviceCMYK",
                n => {
                    return Err(format!(
                        "a JPEG with {n} colour components is not supported"
                    ))
                }
            };
            return Ok(Prepared {
                width,
                height,
                color_space,
                filter: "DCTDecode",
                data: data.to_vec(),
                alpha: None,
            });
        }
        i += 2 + len;
    }
    Err("not a readable JPEG".into())
}

fn png_image(data: &[u8], max_width: u32) -> Result<Prepared, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(data));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("not a readable PNG: {e}"))?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("PNG too large")?];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("not a readable PNG: {e}"))?;
    buf.truncate(info.buffer_size());
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("an indexed PNG that could not be expanded".into()),
    };
    let color = if channels >= 3 { 3 } else { 1 };
    let has_alpha = channels == 2 || channels == 4;
    // Finer than print can use: average k×k blocks.
    let k = ((w as u32) / max_width.max(1)).max(1) as usize;
    let (ow, oh) = (w / k, h / k);
    let mut pixels = Vec::with_capacity(ow * oh * color);
    let mut alpha = Vec::with_capacity(if has_alpha { ow * oh } else { 0 });
    let mut opaque = true;
    for oy in 0..oh {
        for ox in 0..ow {
            let mut sums = [0u32; 4];
            for dy in 0..k {
                let row = (oy * k + dy) * w;
                for dx in 0..k {
                    let p = (row + ox * k + dx) * channels;
                    for c in 0..channels {
                        sums[c] += buf[p + c] as u32;
                    }
                }
            }
            let n = (k * k) as u32;
            for s in sums.iter().take(color) {
                pixels.push((s / n) as u8);
            }
            if has_alpha {
                let a = (sums[channels - 1] / n) as u8;
                opaque &= a == 255;
                alpha.push(a);
            }
        }
    }
    Ok(Prepared {
        width: ow as u32,
        height: oh as u32,
        color_space: if color == 3 {
            "DeviceRGB"
        } else {
            "DeviceGray"
        },
        filter: "FlateDecode",
        data: deflate(&pixels),
        alpha: (has_alpha && !opaque).then(|| deflate(&alpha)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(w: u32, h: u32, color: png::ColorType, pixel: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().unwrap();
        let data: Vec<u8> = (0..w * h).flat_map(|_| pixel.iter().copied()).collect();
        writer.write_image_data(&data).unwrap();
        drop(writer);
        out
    }

    fn fonts() -> std::sync::Arc<resvg::usvg::fontdb::Database> {
        std::sync::Arc::new(resvg::usvg::fontdb::Database::new())
    }

    #[test]
    fn svg_is_drawn_at_print_resolution() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect x="0" y="0" width="50" height="50" fill="black"/></svg>"#;
        let p = prepare(svg, ImageFormat::Svg, 400, &fonts()).unwrap();
        assert_eq!((p.width, p.height), (400, 200));
        assert!(p.alpha.is_some());
        assert!(prepare(b"<svg", ImageFormat::Svg, 400, &fonts()).is_err());
    }

    #[test]
    fn large_pngs_are_reduced_and_alpha_is_split() {
        let p = prepare(
            &png_bytes(1200, 300, png::ColorType::Rgba, &[10, 20, 30, 128]),
            ImageFormat::Png,
            400,
            &fonts(),
        )
        .unwrap();
        assert_eq!((p.width, p.height), (400, 100));
        assert_eq!(p.color_space, "DeviceRGB");
        assert!(p.alpha.is_some());
        let opaque = prepare(
            &png_bytes(10, 10, png::ColorType::Rgba, &[1, 2, 3, 255]),
            ImageFormat::Png,
            400,
            &fonts(),
        )
        .unwrap();
        assert!(
            opaque.alpha.is_none(),
            "a fully opaque alpha channel is dropped"
        );
        let gray = prepare(
            &png_bytes(10, 10, png::ColorType::Grayscale, &[7]),
            ImageFormat::Png,
            400,
            &fonts(),
        )
        .unwrap();
        assert_eq!((gray.color_space, gray.width), ("DeviceGray", 10));
        assert!(prepare(b"\x89PNG\r\n\x1a\nbroken", ImageFormat::Png, 400, &fonts()).is_err());
    }
}
