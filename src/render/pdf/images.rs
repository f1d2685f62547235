//! Images for the PDF, prepared without a round trip through a general image library: JPEG
//! passes through untouched (DCTDecode); PNG is decoded once, reduced to 300 pixels per inch
//! at its printed size when it is finer than that, its alpha split into a soft mask, and
//! deflated at a fast level; SVG becomes vector graphics.

use crate::model::{ImageFormat, LocalImage};
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
    /// Rows carry the PNG "Up" predictor (`/DecodeParms /Predictor 15`), alpha too.
    pub predicted: bool,
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
        image: &LocalImage,
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
        // The reader embedded every file the drawing refers to as a data: URI (through the
        // book's containment check); a path left over is never opened here. The default
        // resolver opened any path relative to the working folder.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
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
        predicted: false,
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
                predicted: false,
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
    if w == 0 || h == 0 {
        return Err("a PNG with no pixels".into());
    }
    let color = if channels >= 3 { 3 } else { 1 };
    let has_alpha = channels == 2 || channels == 4;
    // Finer than print can use: resampled (area average) to exactly the width worth keeping.
    let ow = w.min(max_width.max(1) as usize);
    let oh = ((h * ow + w / 2) / w).max(1);
    let mut resampler = (ow < w).then(|| Resampler::new(w, h, ow, oh, channels));
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
    let mut pixels = RowEncoder::new(ow * color, oh);
    // The alpha channel is compressed only from its first pixel that is not opaque on (the
    // rows before are all opaque): most screenshots have an alpha channel and no use for it.
    let mut alpha: Option<RowEncoder> = None;
    let mut out_row = vec![0u8; ow * color];
    let mut alpha_row = vec![0u8; if has_alpha { ow } else { 0 }];
    let mut emit = |px: &[u8], rows_done: usize| {
        if !has_alpha {
            pixels.row(px);
            return;
        }
        // Colour and alpha apart (fixed-size copies: no call per pixel).
        if color == 3 {
            for ((d, a), p) in out_row
                .chunks_exact_mut(3)
                .zip(&mut alpha_row)
                .zip(px.chunks_exact(4))
            {
                d.copy_from_slice(&p[..3]);
                *a = p[3];
            }
        } else {
            for ((d, a), p) in out_row
                .iter_mut()
                .zip(&mut alpha_row)
                .zip(px.chunks_exact(2))
            {
                *d = p[0];
                *a = p[1];
            }
        }
        pixels.row(&out_row);
        if alpha.is_none() && alpha_row.iter().any(|&a| a != 255) {
            let mut a = RowEncoder::new(ow, oh);
            let opaque = vec![255u8; ow];
            for _ in 0..rows_done {
                a.row(&opaque);
            }
            alpha = Some(a);
        }
        if let Some(a) = alpha.as_mut() {
            a.row(&alpha_row);
        }
    };
    let mut rows_out = 0;
    for y in 0..h {
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
        match resampler.as_mut() {
            None => {
                emit(&row[..stride], rows_out);
                rows_out += 1;
            }
            Some(r) => r.push(&row[..stride], |out| {
                emit(out, rows_out);
                rows_out += 1;
            }),
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
        data: pixels.finish()?,
        alpha: alpha.map(RowEncoder::finish).transpose()?,
        vector: false,
        predicted: true,
    })
}

/// Area-average resampling to a smaller size, a row at a time: each output pixel is the mean
/// of the input area it covers, fractional edges weighted by how much of them it covers.
/// Rows are summed first (contiguous, in 16-bit lanes: vertical weights sum to 2^8 per output
/// row), then each finished row is reduced across (weights summing to 2^8 per column), so
/// the per-input-pixel work is one multiply-add the compiler vectorises.
struct Resampler {
    channels: usize,
    /// Per output column: its first input column, where its weights start, how many.
    taps: Vec<(usize, usize, usize)>,
    weights: Vec<f32>,
    /// Per input row: its weight in the output row being summed and in the next one (a row
    /// can straddle two), and whether it completes the output row being summed.
    rows: Vec<(u16, u16, bool)>,
    y: usize,
    acc: Vec<u16>,
    next: Vec<u16>,
    out: Vec<u8>,
}

/// Weights of the unit cells [i, i + 1) of 0..n covered by [a, b), scaled to sum to `total`
/// exactly (the rounding goes to the largest).
fn coverage(a: f64, b: f64, n: usize, total: u32) -> (usize, Vec<u32>) {
    let first = (a.floor() as usize).min(n - 1);
    let last = (b.ceil() as usize).clamp(first + 1, n);
    let mut w: Vec<u32> = (first..last)
        .map(|i| (((i + 1) as f64).min(b) - (i as f64).max(a)).max(0.0) / (b - a))
        .map(|f| (f * total as f64).round() as u32)
        .collect();
    let sum: u32 = w.iter().sum();
    if let Some(big) = (0..w.len()).max_by_key(|&i| w[i]) {
        w[big] = (w[big] + total).saturating_sub(sum);
    }
    (first, w)
}

impl Resampler {
    fn new(w: usize, h: usize, ow: usize, oh: usize, channels: usize) -> Resampler {
        let sx = w as f64 / ow as f64;
        let mut taps = Vec::with_capacity(ow);
        let mut weights = Vec::new();
        for ox in 0..ow {
            let b = ((ox + 1) as f64 * sx).min(w as f64);
            let (first, ws) = coverage(ox as f64 * sx, b, w, 1 << 8);
            taps.push((first, weights.len(), ws.len()));
            // Both passes' scales (2^8 each) folded into the horizontal weights.
            weights.extend(ws.into_iter().map(|w| w as f32 / (1 << 16) as f32));
        }
        let sy = h as f64 / oh as f64;
        let mut rows = vec![(0u16, 0u16, false); h];
        let mut last_row = 0;
        for oy in 0..oh {
            let b = if oy + 1 == oh {
                h as f64
            } else {
                (oy + 1) as f64 * sy
            };
            let (first, ws) = coverage(oy as f64 * sy, b, h, 1 << 8);
            for (i, wt) in ws.into_iter().enumerate() {
                let y = first + i;
                // A row that completed the previous output row spills into this one.
                if y == last_row && oy > 0 && rows[y].2 {
                    rows[y].1 = wt as u16;
                } else {
                    rows[y].0 = wt as u16;
                }
                last_row = y;
            }
            rows[last_row].2 = true;
        }
        Resampler {
            channels,
            taps,
            weights,
            rows,
            y: 0,
            acc: vec![0; w * channels],
            next: vec![0; w * channels],
            out: vec![0; ow * channels],
        }
    }

    fn across<const C: usize>(&mut self) {
        for ((first, at, n), dst) in self.taps.iter().zip(self.out.chunks_exact_mut(C)) {
            let mut sum = [0f32; C];
            let span = &self.acc[first * C..(first + n) * C];
            for (px, wt) in span.chunks_exact(C).zip(&self.weights[*at..at + n]) {
                for c in 0..C {
                    sum[c] += px[c] as f32 * wt;
                }
            }
            for c in 0..C {
                // SAFETY: a finite number in 0.0..=256.0 (the weights sum to one and the
                // samples are at most 255), which `i32` holds: the unchecked conversion
                // vectorises where the checked one is a branch per sample.
                dst[c] = unsafe { (sum[c] + 0.5).to_int_unchecked::<i32>() }.min(255) as u8;
            }
        }
    }

    /// Adds one input row; `emit` hears each output row as it is completed.
    fn push(&mut self, row: &[u8], mut emit: impl FnMut(&[u8])) {
        let Some(&(here, spill, completes)) = self.rows.get(self.y) else {
            return;
        };
        self.y += 1;
        for (a, &v) in self.acc.iter_mut().zip(row) {
            *a += v as u16 * here;
        }
        if spill > 0 {
            for (n, &v) in self.next.iter_mut().zip(row) {
                *n += v as u16 * spill;
            }
        }
        if completes {
            match self.channels {
                1 => self.across::<1>(),
                2 => self.across::<2>(),
                3 => self.across::<3>(),
                _ => self.across::<4>(),
            }
            emit(&self.out);
            std::mem::swap(&mut self.acc, &mut self.next);
            self.next.fill(0);
        }
    }
}

/// Rows compressed as they come, with the PNG "Up" predictor (each row as its difference
/// from the row above, which the PDF reader undoes): flat areas of screenshots and diagrams
/// become runs of zeros, which deflate both faster and smaller.
struct RowEncoder {
    enc: flate2::write::ZlibEncoder<Vec<u8>>,
    prev: Vec<u8>,
    line: Vec<u8>,
}

impl RowEncoder {
    fn new(row_len: usize, rows: usize) -> RowEncoder {
        RowEncoder {
            // The fastest level: photographs and screenshots gain little from the slower ones.
            enc: flate2::write::ZlibEncoder::new(
                Vec::with_capacity((row_len + 1) * rows / 16),
                flate2::Compression::new(1),
            ),
            prev: vec![0; row_len],
            line: Vec::with_capacity(row_len + 1),
        }
    }

    fn row(&mut self, row: &[u8]) {
        self.line.clear();
        self.line.push(2);
        self.line
            .extend(row.iter().zip(&self.prev).map(|(a, b)| a.wrapping_sub(*b)));
        self.prev.copy_from_slice(row);
        let _ = self.enc.write_all(&self.line);
    }

    fn finish(self) -> Result<Vec<u8>, String> {
        self.enc.finish().map_err(|e| e.to_string())
    }
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

    /// The pixels of a prepared PNG: inflated, the "Up" predictor undone.
    fn unpredict(data: &[u8], row_len: usize) -> Vec<Vec<u8>> {
        use std::io::Read;
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(data)
            .read_to_end(&mut raw)
            .unwrap();
        let mut rows: Vec<Vec<u8>> = Vec::new();
        for line in raw.chunks(row_len + 1) {
            assert_eq!(
                (line.len(), line[0]),
                (row_len + 1, 2),
                "an Up-predicted row"
            );
            let prev = rows.last().cloned().unwrap_or(vec![0; row_len]);
            rows.push(
                line[1..]
                    .iter()
                    .zip(&prev)
                    .map(|(d, p)| d.wrapping_add(*p))
                    .collect(),
            );
        }
        rows
    }

    #[test]
    fn fractional_reduction_averages_the_area_each_pixel_covers() {
        // A horizontal ramp over a vertical one, 1000×700 reduced to 300 across (3⅓ : 1).
        let (w, h) = (1000u32, 700u32);
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let pixel = |x: u32, y: u32| [(x * 255 / (w - 1)) as u8, (y * 255 / (h - 1)) as u8, 77];
        let data: Vec<u8> = (0..h)
            .flat_map(|y| (0..w).flat_map(move |x| pixel(x, y)))
            .collect();
        {
            let mut writer = enc.write_header().unwrap();
            writer.write_image_data(&data).unwrap();
        }
        let p = prepare(&out, ImageFormat::Png, 300, &fonts()).unwrap();
        assert_eq!((p.width, p.height), (300, 210));
        let rows = unpredict(&p.data, 300 * 3);
        assert_eq!(rows.len(), 210, "every output row is written once");
        let (sx, sy) = (w as f64 / 300.0, h as f64 / 210.0);
        for (oy, row) in rows.iter().enumerate() {
            for ox in 0..300 {
                // The mean of a linear ramp over a span is its value at the span's middle.
                let mid = |o: usize, s: f64, n: u32| {
                    let (a, b) = (o as f64 * s, (o + 1) as f64 * s);
                    let (i0, i1) = (a.floor() as u32, (b.ceil() as u32).min(n));
                    let mut sum = 0.0;
                    for i in i0..i1 {
                        let cover = ((i + 1) as f64).min(b) - (i as f64).max(a);
                        sum += cover * (i * 255 / (n - 1)) as f64;
                    }
                    sum / (b - a)
                };
                let px = &row[ox * 3..ox * 3 + 3];
                assert!(
                    (px[0] as f64 - mid(ox, sx, w)).abs() <= 1.0,
                    "red at {ox},{oy}: {px:?}"
                );
                assert!(
                    (px[1] as f64 - mid(oy, sy, h)).abs() <= 1.0,
                    "green at {ox},{oy}: {px:?}"
                );
                assert_eq!(px[2], 77, "a flat channel stays flat");
            }
        }
        assert!(p.alpha.is_none());
    }

    #[test]
    fn alpha_found_late_still_covers_the_rows_before_it() {
        // Opaque above, transparent below: the mask starts opaque for the rows already sent.
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, 4, 6);
        enc.set_color(png::ColorType::GrayscaleAlpha);
        enc.set_depth(png::BitDepth::Eight);
        let data: Vec<u8> = (0..6)
            .flat_map(|y| (0..4).flat_map(move |_| [9, if y < 4 { 255 } else { 0 }]))
            .collect();
        {
            let mut writer = enc.write_header().unwrap();
            writer.write_image_data(&data).unwrap();
        }
        let p = prepare(&out, ImageFormat::Png, 400, &fonts()).unwrap();
        assert_eq!(p.color_space, "DeviceGray");
        let alpha = unpredict(p.alpha.as_ref().expect("a soft mask"), 4);
        let column: Vec<u8> = alpha.iter().map(|r| r[0]).collect();
        assert_eq!(column, [255, 255, 255, 255, 0, 0]);
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
        let alpha = unpredict(p.alpha.as_ref().unwrap(), 400);
        assert_eq!(alpha.len(), 100);
        assert!(alpha.iter().flatten().all(|&a| a == 128));
        assert!(unpredict(&p.data, 1200)
            .iter()
            .all(|r| r.chunks(3).all(|c| c == [10, 20, 30])));
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
