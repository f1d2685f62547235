//! The PDF writer: layout (articles in parallel) → pagination → front matter → PDF bytes.

pub mod breaking;
pub mod content;
pub mod embed;
pub mod flow;
pub mod front;
pub mod hyphenate;
pub mod images;
pub mod layout;
pub mod paginate;
pub mod shape;
pub mod tags;
pub mod text;
pub mod write;

use crate::fonts::FontSet;
use crate::model::*;
use flow::{Draw, Glyph, GlyphRun};
use rayon::prelude::*;
use std::collections::HashMap;

pub struct Output {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// Where a printed page of the book starts: in which article, at (or inside) which of its
/// top-level blocks. The EPUB marks these places so "see page 12" works in both editions.
#[derive(Debug, Clone)]
pub struct PageStart {
    pub article: usize,
    pub block: usize,
    /// The printed page number.
    pub label: String,
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

/// What a PDF holds: the whole book or one article (a handout), regular or large print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Book,
    Article(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edition {
    pub scope: Scope,
    pub large_print: bool,
}

/// "Reviewed by … on …", or the draft notice for an unreviewed article.
pub fn review_line(article: &Article) -> String {
    match &article.reviewed {
        Some(r) => format!("Reviewed by {} on {}", r.by, r.on.long()),
        None => DRAFT_NOTICE.to_string(),
    }
}

pub const DRAFT_NOTICE: &str = "DRAFT \u{2014} not clinically reviewed";

/// Shapes text once for every edition it typesets (the shaping cache is shared).
pub struct Typesetter {
    sh: shape::Shaper,
    /// Images prepared for print, shared by every edition.
    images: images::ImageCache,
}

impl Typesetter {
    pub fn new(fonts: &FontSet) -> Result<Typesetter, String> {
        Ok(Typesetter {
            sh: shape::Shaper::new(fonts)?,
            images: images::ImageCache::default(),
        })
    }

    /// An edition's PDF, in memory.
    pub fn write(&self, book: &Book, edition: Edition) -> Result<Output, String> {
        let mut bytes = Vec::new();
        let pages = self
            .typeset(book, edition, &|_| {}, Some(&mut bytes))?
            .unwrap_or(0);
        Ok(Output { bytes, pages })
    }

    /// Typesets an edition and writes its PDF to `out`, returning its page count;
    /// `on_paginated` hears where each body page starts as soon as the pages are known
    /// (before the PDF is written). Without `out`, stops there.
    pub fn typeset(
        &self,
        book: &Book,
        edition: Edition,
        on_paginated: &(dyn Fn(Vec<PageStart>) + Sync),
        out: Option<&mut dyn std::io::Write>,
    ) -> Result<Option<usize>, String> {
        let sh = &self.sh;
        let theme = if edition.large_print {
            layout::Theme::large_print(book.meta.paper)
        } else {
            layout::Theme::for_paper(book.meta.paper)
        };

        // Local images, each once, numbered in a stable order.
        let mut image_list = book.local_images();
        image_list.sort_by(|a, b| a.0.cmp(&b.0));
        image_list.dedup_by(|a, b| a.0 == b.0);
        let image_index: HashMap<std::path::PathBuf, usize> = image_list
            .iter()
            .enumerate()
            .map(|(i, x)| (x.0.clone(), i))
            .collect();
        let images: Vec<write::PdfImage> = image_list
            .into_iter()
            .map(|(path, data, format)| write::PdfImage { path, data, format })
            .collect();

        let ctx = layout::Ctx {
            sh,
            book,
            theme: &theme,
            images: &image_index,
        };
        let indices: Vec<usize> = match edition.scope {
            Scope::Book => (0..book.articles.len()).collect(),
            Scope::Article(i) => vec![i],
        };
        // Images are prepared while the articles are laid out: no figure is printed wider
        // than the text block, so that width bounds the resolution each needs.
        let text_width = theme.text_width();
        let (laid_out, prepared) = rayon::join(
            || -> Vec<(usize, (Vec<flow::Elem>, tags::Tree))> {
                indices
                    .par_iter()
                    .map(|&i| (i, layout::article(&ctx, i)))
                    .collect()
            },
            || {
                images
                    .par_iter()
                    .map(|img| {
                        self.images.get(
                            img,
                            (text_width / 72.0 * 300.0).ceil() as u32,
                            &sh.svg_fonts,
                        )
                    })
                    .collect::<Vec<_>>()
            },
        );
        crate::trace("laid out");
        let mut trees: HashMap<u32, tags::Tree> = HashMap::new();
        let mut articles = Vec::with_capacity(laid_out.len());
        for (i, (elems, tree)) in laid_out {
            trees.insert(i as u32, tree);
            articles.push((Some(i), elems));
        }
        let body = paginate::paginate(articles, &theme);
        crate::trace("paginated");
        on_paginated(
            body.iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    Some(PageStart {
                        article: p.article?,
                        block: p.starts_in? as usize,
                        label: (i + 1).to_string(),
                    })
                })
                .collect(),
        );
        let Some(out) = out else {
            return Ok(None);
        };

        let mut pages = Vec::new();
        if edition.scope == Scope::Book {
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
            let mut front_tree = tags::Tree::default();
            pages.push(front::title_page(&book.meta, sh, &theme, &mut front_tree));
            pages.extend(paginate::paginate(
                vec![(
                    None,
                    front::toc_elems(&entries, sh, &theme, &mut front_tree),
                )],
                &theme,
            ));
            trees.insert(tags::FRONT, front_tree);
        }
        let front_pages = pages.len();
        pages.extend(body);
        let total_body = pages.len() - front_pages;
        for (i, page) in pages.iter_mut().enumerate().skip(1.min(front_pages)) {
            let number = if i < front_pages {
                None
            } else {
                Some(i + 1 - front_pages)
            };
            self.decorate(page, book, edition, &theme, i, number, total_body);
        }

        let mut doc = write::Document {
            meta: &book.meta,
            pages: &mut pages,
            front_pages,
            page_w: theme.page_w,
            page_h: theme.page_h,
            images: &images,
            prepared: &prepared,
            trees: &trees,
        };
        write::write(&mut doc, sh, out)?;
        Ok(Some(pages.len()))
    }

    /// One line of text set at (x, baseline y), left-aligned, centred or right-aligned on x.
    fn put(
        &self,
        page: &mut paginate::Page,
        text: &str,
        style: text::Style,
        x: f32,
        y: f32,
        anchor: f32,
    ) {
        let face = self.sh.face_index(style.face);
        let shaped = self.sh.shape(face, text);
        let scale = style.size / self.sh.faces[face].units_per_em;
        let w = shaped.width as f32 * scale;
        page.draws.push(Draw::Text(GlyphRun {
            face,
            size: style.size,
            x: x - w * anchor,
            y,
            gray: style.gray,
            glyphs: shaped
                .glyphs
                .iter()
                .map(|g| Glyph {
                    gid: g.gid,
                    advance: g.advance as f32 * scale,
                    text: g.text,
                })
                .collect(),
        }));
    }

    /// `text` shortened at a word boundary, with an ellipsis, to fit in `room` points.
    fn fit(&self, text: &str, style: text::Style, room: f32) -> String {
        let face = self.sh.face_index(style.face);
        if self.sh.width(face, text, style.size) <= room {
            return text.to_string();
        }
        let words: Vec<&str> = text.split(' ').collect();
        for n in (1..words.len()).rev() {
            let candidate = format!(
                "{}\u{2026}",
                words[..n].join(" ").trim_end_matches([',', ':', ';'])
            );
            if self.sh.width(face, &candidate, style.size) <= room {
                return candidate;
            }
        }
        "\u{2026}".to_string()
    }

    /// Running head, draft band and footer of one page. `number` is the arabic page number
    /// (None in the front matter, which is numbered in roman).
    #[allow(clippy::too_many_arguments)]
    fn decorate(
        &self,
        page: &mut paginate::Page,
        book: &Book,
        edition: Edition,
        t: &layout::Theme,
        index: usize,
        number: Option<usize>,
        total: usize,
    ) {
        // Running heads, page numbers and bands are page furniture: pagination artifacts.
        page.draws.push(Draw::Tag(Some(tags::PAGINATION)));
        let s = t.scale;
        let left = t.margin_left;
        let right = t.page_w - t.margin_right;
        let article = page.article.map(|a| &book.articles[a]);
        // An unreviewed article says so on every page it occupies, in a dark band with white
        // capitals that survives grey printing.
        if let Some(a) = article.filter(|a| a.reviewed.is_none() && !a.appendix) {
            let size = 8.5 * s.min(1.6);
            // Its text keeps clear of the paper's unprintable quarter inch.
            let top = 20.0;
            page.draws.push(Draw::Rect {
                x: 0.0,
                y: top,
                w: t.page_w,
                h: size + 10.0,
                fill: Some(0.2),
                stroke: None,
            });
            let _ = a;
            self.put(
                page,
                &DRAFT_NOTICE.to_uppercase(),
                text::Style {
                    gray: 1.0,
                    ..t.sans(size).bold()
                },
                t.page_w / 2.0,
                top + 5.0 + size * 0.78,
                0.5,
            );
        }
        // Running head: book title on left-hand pages, article title on right-hand pages (a
        // handout has only its own title); none where an article opens.
        if let (Some(a), Some(n), false) = (article, number, page.opens_article) {
            let head = t.sans(8.5 * s).italic();
            let y = t.margin_top - 16.0;
            let style = text::Style { gray: 0.3, ..head };
            let room = (right - left) * 0.9;
            if edition.scope == Scope::Book && n % 2 == 0 {
                self.put(
                    page,
                    &self.fit(&book.meta.title, style, room),
                    style,
                    left,
                    y,
                    0.0,
                );
            } else {
                self.put(
                    page,
                    &self.fit(&a.title_text(), style, room),
                    style,
                    right,
                    y,
                    1.0,
                );
            }
            page.draws.push(Draw::Line {
                x1: left,
                y1: t.margin_top - 9.0,
                x2: right,
                y2: t.margin_top - 9.0,
                width: 0.4,
                gray: 0.6,
            });
        }
        let foot_y = t.page_h - t.margin_bottom + 34.0 * s.min(1.4);
        let foot = text::Style {
            gray: 0.2,
            ..t.sans(9.0 * s)
        };
        match (edition.scope, number) {
            (Scope::Book, None) => {
                self.put(page, &roman(index + 1), foot, t.page_w / 2.0, foot_y, 0.5)
            }
            (Scope::Book, Some(n)) => {
                self.put(page, &n.to_string(), foot, t.page_w / 2.0, foot_y, 0.5);
                if let Some(a) = article.filter(|a| a.reviewed.is_some()) {
                    self.put(
                        page,
                        &review_line(a),
                        text::Style {
                            size: 7.5 * s,
                            ..foot
                        },
                        left,
                        foot_y,
                        0.0,
                    );
                }
            }
            (Scope::Article(_), n) => {
                let mut parts = Vec::new();
                if let Some(p) = &book.meta.publisher {
                    parts.push(p.clone());
                }
                if let Some(a) = article {
                    parts.push(review_line(a));
                }
                parts.push(format!("Page {} of {total}", n.unwrap_or(1)));
                self.put(
                    page,
                    &parts.join("  \u{b7}  "),
                    text::Style {
                        size: 8.0 * s.min(1.5),
                        ..foot
                    },
                    t.page_w / 2.0,
                    foot_y,
                    0.5,
                );
            }
        }
    }
}
