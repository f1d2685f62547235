//! The PDF writer: layout (articles in parallel) → pagination → front matter → PDF bytes.

pub mod breaking;
pub mod flow;
pub mod front;
pub mod hyphenate;
pub mod layout;
pub mod paginate;
pub mod shape;
pub mod text;
pub mod write;

use crate::fonts::{Family, FontSet};
use crate::model::*;
use flow::{Draw, Glyph, GlyphRun};
use rayon::prelude::*;
use std::collections::HashMap;

pub struct Output {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// Roman numerals for front-matter page numbers.
pub fn roman(mut n: usize) -> String {
    let mut s = String::new();
    for (v, r) in [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ] {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

pub fn write(book: &Book, fonts: &FontSet) -> Result<Output, String> {
    let sh = shape::Shaper::new(fonts)?;
    let theme = layout::Theme::for_paper(book.meta.paper);

    // Local raster images, numbered in a stable order.
    let mut image_list: Vec<(std::path::PathBuf, std::sync::Arc<Vec<u8>>, ImageFormat)> =
        Vec::new();
    collect_images(book, &mut image_list);
    image_list.sort_by(|a, b| a.0.cmp(&b.0));
    image_list.dedup_by(|a, b| a.0 == b.0);
    let image_index: HashMap<std::path::PathBuf, usize> = image_list
        .iter()
        .enumerate()
        .map(|(i, x)| (x.0.clone(), i))
        .collect();
    let images: Vec<write::PdfImage> = image_list
        .into_iter()
        .map(|(_, data, format)| write::PdfImage { data, format })
        .collect();

    let ctx = layout::Ctx {
        sh: &sh,
        book,
        theme: &theme,
        images: &image_index,
    };
    let articles: Vec<(Option<usize>, Vec<flow::Elem>)> = (0..book.articles.len())
        .into_par_iter()
        .map(|i| (Some(i), layout::article(&ctx, i)))
        .collect();
    let body = paginate::paginate(&articles, &theme);

    // The contents: articles and their sections, with the page each starts on.
    let mut entries = Vec::new();
    for (i, page) in body.iter().enumerate() {
        for (mark, _) in &page.outline {
            if mark.level <= 2 {
                entries.push(front::TocEntry {
                    level: mark.level,
                    title: mark.title.clone(),
                    dest: mark.dest.clone(),
                    label: (i + 1).to_string(),
                });
            }
        }
    }
    let toc = paginate::paginate(&[(None, front::toc_elems(&entries, &sh, &theme))], &theme);
    let mut pages = vec![front::title_page(&book.meta, &sh, &theme)];
    pages.extend(toc);
    let front_pages = pages.len();
    pages.extend(body);

    // Running heads: the book's title on left-hand (even) pages, the article's on right-hand
    // (odd) pages; none where an article opens.
    let head_face = sh.face_index(crate::fonts::FaceKey::new(Family::Sans, false, true));
    for (i, page) in pages.iter_mut().enumerate().skip(front_pages) {
        let (Some(article), false) = (page.article, page.opens_article) else {
            continue;
        };
        let number = i + 1 - front_pages;
        let text = if number % 2 == 0 {
            book.meta.title.clone()
        } else {
            book.articles[article].title_text()
        };
        let size = 8.5;
        let setter = text::LineSetter::new(&sh, &[], 1.2);
        let style = text::Style {
            face: sh.faces[head_face].key,
            ..text::Style::new(Family::Sans, size)
        };
        let width = theme.text_width();
        let lines = setter.set(&[text::Piece::Text(text, style)], width, text::Align::Left);
        let Some(line) = lines.into_iter().next() else {
            continue;
        };
        let used: f32 = line
            .draws
            .iter()
            .filter_map(|d| {
                if let Draw::Text(r) = d {
                    Some(r.x + r.glyphs.iter().map(|g| g.advance).sum::<f32>())
                } else {
                    None
                }
            })
            .fold(0.0, f32::max);
        let x = if number % 2 == 0 {
            theme.margin_left
        } else {
            theme.margin_left + width - used
        };
        let y = theme.margin_top - 30.0;
        for d in line.draws {
            if let Draw::Text(mut r) = d {
                r.gray = 0.3;
                page.draws.push(Draw::Text(r).shifted(x, y));
            }
        }
        let rule_y = theme.margin_top - 14.0;
        page.draws.push(Draw::Line {
            x1: theme.margin_left,
            y1: rule_y,
            x2: theme.margin_left + width,
            y2: rule_y,
            width: 0.4,
            gray: 0.6,
        });
    }

    // Page numbers in the footer (none on the title page).
    let folio = shape_face(&sh, Family::Sans);
    for (i, page) in pages.iter_mut().enumerate().skip(1) {
        let label = if i < front_pages {
            roman(i + 1)
        } else {
            (i + 1 - front_pages).to_string()
        };
        let size = 9.0;
        let shaped = sh.shape(folio, &label);
        let scale = size / sh.faces[folio].units_per_em;
        let w = shaped.width as f32 * scale;
        page.draws.push(Draw::Text(GlyphRun {
            face: folio,
            size,
            x: (theme.page_w - w) / 2.0,
            y: theme.page_h - theme.margin_bottom + 34.0,
            gray: 0.2,
            glyphs: shaped
                .glyphs
                .iter()
                .map(|g| Glyph {
                    gid: g.gid,
                    advance: g.advance as f32 * scale,
                    text: g.text.clone(),
                })
                .collect(),
        }));
    }

    let doc = write::Document {
        meta: &book.meta,
        pages: &pages,
        front_pages,
        page_w: theme.page_w,
        page_h: theme.page_h,
        images: &images,
    };
    let bytes = write::write(&doc, &sh)?;
    Ok(Output {
        bytes,
        pages: pages.len(),
    })
}

fn shape_face(sh: &shape::Shaper, family: Family) -> usize {
    sh.face_index(crate::fonts::FaceKey::new(family, false, false))
}

/// The book's raster images (SVG is not drawn in print).
fn collect_images(
    book: &Book,
    out: &mut Vec<(std::path::PathBuf, std::sync::Arc<Vec<u8>>, ImageFormat)>,
) {
    for a in &book.articles {
        for img in a.images() {
            if let ImageSource::Local {
                path, data, format, ..
            } = &img.src
            {
                if *format != ImageFormat::Svg {
                    out.push((path.clone(), data.clone(), *format));
                }
            }
        }
    }
}
