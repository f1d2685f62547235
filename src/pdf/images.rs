//! Images for the PDF, prepared without a round trip through a general image library: JPEG
//! passes through untouched (DCTDecode); PNG is decoded once, reduced to 300 pixels per inch
//! at its printed size when it is finer than that, its alpha split into a soft mask, and
//! deflated at a fast level; SVG becomes vector graphics.

use crate::model::ImageFormat;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use svg2pdf::usvg;

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
    /// A vector drawing: `data` is a small PDF whose catalog's `/Form` is the drawing, mapped
    /// to the unit square.
    pub vector: bool,
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
        fonts: &Arc<usvg::fontdb::Database>,
    ) -> Result<Arc<Prepared>, String> {
        let slot: Slot = self
            .slots
            .lock()
            .map_err(|_| "the image cache was poisoned by an earlier failure".to_string())?
            // A vector drawing suits every size.
            .entry((
                image.path.clone(),
                if matches!(image.format, ImageFormat::Svg) {
                    0
                } else {
                    max_width
                },
            ))
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
    fonts: &std::sync::Arc<usvg::fontdb::Database>,
) -> Result<Prepared, String> {
    match format {
        ImageFormat::Jpeg => jpeg(data),
        ImageFormat::Png => png_image(data, max_width),
        ImageFormat::Svg => svg(data, fonts),
    }
}

/// An SVG drawing converted to PDF vector graphics by svg2pdf (text set in the bundled fonts
/// and drawn as outlines: the figure's alt text is what a reader hears). The result is a
/// one-form PDF of its own, whose objects the writer copies into the document.
fn svg(data: &[u8], fonts: &Arc<usvg::fontdb::Database>) -> Result<Prepared, String> {
    let options = usvg::Options {
        fontdb: fonts.clone(),
        font_family: "Noto Sans".into(),
        ..Default::default()
    };
    let tree =
        usvg::Tree::from_data(data, &options).map_err(|e| format!("not a readable SVG: {e}"))?;
    let size = tree.size();
    let (chunk, form) = svg2pdf::to_chunk(
        &tree,
        svg2pdf::ConversionOptions {
            // Deflated with the document's other streams, at its fast level.
            compress: false,
            raster_scale: 1.5,
            embed_text: false,
            pdfa: true,
        },
    )
    .map_err(|e| format!("the SVG could not be converted: {e}"))?;
    let catalog = pdf_writer::Ref::new(chunk.refs().map(|r| r.get()).max().unwrap_or(0) + 1);
    let mut pdf = pdf_writer::Pdf::new();
    pdf.catalog(catalog).pair(pdf_writer::Name(b"Form"), form);
    pdf.extend(&chunk);
    Ok(Prepared {
        width: size.width().ceil() as u32,
        height: size.height().ceil() as u32,
        color_space: "",
        filter: "",
        data: pdf.finish(),
        alpha: None,
        vector: true,
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
                vector: false,
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
    let (w, h) = (reader.info().width as usize, reader.info().height as usize);
    let interlaced = reader.info().interlaced;
    let channels = match reader.output_color_type().0 {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("an indexed PNG that could not be expanded".into()),
    };
    let color = if channels >= 3 { 3 } else { 1 };
    let has_alpha = channels == 2 || channels == 4;
    // Finer than print can use: average k×k blocks.
    let k = ((w as u32) / max_width.max(1)).clamp(1, w.min(h).max(1) as u32) as usize;
    let (ow, oh) = (w / k, h / k);
    if ow == 0 || oh == 0 {
        return Err("a PNG with no pixels".into());
    }
    // Rows are reduced and compressed as they are decoded, so a large screenshot never sits
    // in memory whole (an interlaced PNG, whose rows come in passes, is decoded whole first).
    let whole: Option<Vec<u8>> = if interlaced {
        let mut buf = vec![0; reader.output_buffer_size().ok_or("PNG too large")?];
        let info = reader
            .next_frame(&mut buf)
            .map_err(|e| format!("not a readable PNG: {e}"))?;
        buf.truncate(info.buffer_size());
        Some(buf)
    } else {
        None
    };
    let stride = w * channels;
    let mut pixels = encoder(ow * oh * color);
    let mut alpha = encoder(if has_alpha { ow * oh } else { 0 });
    let mut opaque = true;
    let mut sums = vec![0u32; ow * channels];
    let mut out_row = Vec::with_capacity(ow * color);
    let mut alpha_row = Vec::with_capacity(ow);
    let n = (k * k) as u32;
    for y in 0..oh * k {
        let row: &[u8] = match &whole {
            Some(buf) => &buf[y * stride..(y + 1) * stride],
            None => reader
                .next_row()
                .map_err(|e| format!("not a readable PNG: {e}"))?
                .ok_or("a PNG with fewer rows than it declares")?
                .data(),
        };
        if row.len() < stride {
            return Err("a PNG row shorter than its width".into());
        }
        out_row.clear();
        alpha_row.clear();
        if k == 1 {
            // Full resolution: only the alpha channel is split off.
            for px in row[..stride].chunks_exact(channels) {
                out_row.extend_from_slice(&px[..color]);
                if has_alpha {
                    alpha_row.push(px[channels - 1]);
                }
            }
            if has_alpha {
                opaque &= alpha_row.iter().all(|&a| a == 255);
                let _ = alpha.write_all(&alpha_row);
            }
            let _ = pixels.write_all(&out_row);
            continue;
        }
        for ox in 0..ow {
            for dx in 0..k {
                let p = (ox * k + dx) * channels;
                for c in 0..channels {
                    sums[ox * channels + c] += row[p + c] as u32;
                }
            }
        }
        if y % k + 1 < k {
            continue;
        }
        for px in sums.chunks(channels) {
            out_row.extend(px.iter().take(color).map(|s| (s / n) as u8));
            if has_alpha {
                let a = (px[channels - 1] / n) as u8;
                opaque &= a == 255;
                alpha_row.push(a);
            }
        }
        sums.fill(0);
        let _ = pixels.write_all(&out_row);
        if has_alpha {
            let _ = alpha.write_all(&alpha_row);
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
        data: pixels.finish().map_err(|e| e.to_string())?,
        alpha: if has_alpha && !opaque {
            Some(alpha.finish().map_err(|e| e.to_string())?)
        } else {
            None
        },
        vector: false,
    })
}

/// A deflater for pixels: the fastest level, since photographs and screenshots gain little
/// from the slower ones.
fn encoder(size: usize) -> flate2::write::ZlibEncoder<Vec<u8>> {
    flate2::write::ZlibEncoder::new(Vec::with_capacity(size / 4), flate2::Compression::new(1))
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

    fn fonts() -> std::sync::Arc<usvg::fontdb::Database> {
        std::sync::Arc::new(usvg::fontdb::Database::new())
    }

    #[test]
    fn svg_becomes_a_vector_form() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect x="0" y="0" width="50" height="50" fill="black"/></svg>"#;
        let p = prepare(svg, ImageFormat::Svg, 400, &fonts()).unwrap();
        assert!(p.vector);
        assert_eq!((p.width, p.height), (100, 50));
        let doc = lopdf::Document::load_mem(&p.data).unwrap();
        let form = doc
            .catalog()
            .unwrap()
            .get(b"Form")
            .and_then(lopdf::Object::as_reference)
            .unwrap();
        let lopdf::Object::Stream(form) = doc.get_object(form).unwrap() else {
            panic!("the form is a stream")
        };
        let ops = lopdf::content::Content::decode(&form.decompressed_content().unwrap()).unwrap();
        assert!(
            ops.operations
                .iter()
                .any(|o| o.operator == "re" || o.operator == "f"),
            "the square is drawn as a path: {:?}",
            ops.operations
        );
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
