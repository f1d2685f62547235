//! The front matter: the title page and the printed table of contents, made once the body's
//! page numbers are known.

use super::flow::Elem;
use super::lines::{Align, LineSetter, Piece, Style};
use super::shape::Shaper;
use super::theme::Theme;
use crate::locale::{Locale, Text};
use crate::model::BookMeta;
use crate::paged::structure::FRONT;
use crate::paged::{
    Draw, Glyph, GlyphRun, LinkDest, MarkKind, NodeRef, OutlineMark, Page, Role, Tree,
};

fn front_ref(node: u32) -> NodeRef {
    NodeRef { tree: FRONT, node }
}

/// The title page and the contents, whose entries are the articles and their sections with
/// the body page each starts on; their structure goes into `tree`.
pub fn front_matter(
    sh: &Shaper,
    meta: &BookMeta,
    theme: &Theme,
    body: &[Page],
    tree: &mut Tree,
    logo: Option<Logo>,
) -> Vec<Page> {
    let entries = toc_entries(body);
    let locale = Locale::of(&meta.language);
    let mut title = title_page(meta, &locale, sh, theme, tree);
    if let Some(logo) = logo {
        // A site's book carries its logo above the title, in a 200 by 60 point box.
        let scale = (200.0 / logo.width).min(60.0 / logo.height);
        let (w, h) = (logo.width * scale, logo.height * scale);
        let fig = tree.add(Role::Figure, None);
        tree.nodes[fig as usize].alt = meta.site.as_ref().map(|s| s.name.clone());
        title.draws.push(Draw::Tag(Some(front_ref(fig))));
        title.draws.push(Draw::Image {
            index: logo.index,
            x: (theme.page_w - w) / 2.0,
            y: theme.page_h * 0.28 - 48.0 - h,
            w,
            h,
        });
        title.draws.push(Draw::Tag(None));
    }
    let mut pages = vec![title];
    pages.extend(super::paginate::paginate(
        vec![(None, toc_elems(&entries, &locale, sh, theme, tree))],
        theme,
    ));
    pages
}

/// A site's logo as the title page draws it: its index among the document's images and its
/// size in pixels.
pub struct Logo {
    pub index: usize,
    pub width: f32,
    pub height: f32,
}

/// The title page; its structure goes into `tree` (the front matter's).
fn title_page(
    meta: &BookMeta,
    locale: &Locale,
    sh: &Shaper,
    theme: &Theme,
    tree: &mut Tree,
) -> Page {
    let width = theme.text_width();
    let setter = LineSetter::new(sh, &[], 1.25);
    let mut page = Page::default();
    let mut y = theme.page_h * 0.28;
    let sect = tree.add(Role::Sect, None);
    let mut put = |text: &str, style: Style, y: &mut f32, after: f32, page: &mut Page| {
        let role = if page.draws.is_empty() {
            Role::H(1)
        } else {
            Role::P
        };
        page.draws
            .push(Draw::Tag(Some(front_ref(tree.add(role, Some(sect))))));
        for line in setter.set(
            &[Piece::Text(text.to_string(), style)],
            width,
            Align::Center,
        ) {
            page.draws
                .extend(line.draws.iter().map(|d| d.shifted(theme.margin_left, *y)));
            *y += line.height;
        }
        *y += after;
    };
    put(
        &meta.title,
        theme.sans(28.0 * theme.scale).bold(),
        &mut y,
        12.0,
        &mut page,
    );
    if let Some(s) = &meta.subtitle {
        put(
            s,
            if theme.large_print {
                theme.serif(15.0 * theme.scale)
            } else {
                theme.serif(15.0 * theme.scale).italic()
            },
            &mut y,
            8.0,
            &mut page,
        );
    }
    let rule_y = y + 6.0;
    page.draws.push(Draw::Tag(None));
    page.draws.push(Draw::Line {
        x1: theme.page_w / 2.0 - 60.0,
        y1: rule_y,
        x2: theme.page_w / 2.0 + 60.0,
        y2: rule_y,
        width: 0.8,
        gray: 0.3,
    });
    y += 24.0;
    if !meta.authors.is_empty() {
        put(
            &meta.authors.join(", "),
            theme.serif(theme.at_least(13.0 * theme.scale)),
            &mut y,
            6.0,
            &mut page,
        );
    }
    let mut y = theme.page_h - theme.margin_bottom - 40.0;
    if let Some(p) = &meta.publisher {
        put(
            p,
            theme.sans(theme.at_least(11.0 * theme.scale)).bold(),
            &mut y,
            2.0,
            &mut page,
        );
    }
    if meta.date_given {
        put(
            &locale.fill(Text::EditionOf, &[("date", &locale.date(meta.date))]),
            theme.sans(theme.at_least(10.0 * theme.scale)),
            &mut y,
            0.0,
            &mut page,
        );
    }
    page
}

/// One entry of the printed contents.
struct TocEntry {
    /// How far it is indented: 0 for parts and chapters, 1 for what they hold.
    indent: u8,
    kind: MarkKind,
    title: String,
    dest: String,
    label: String,
}

/// What the contents list: parts and articles two levels deep; the sections of articles
/// only in a book whose articles do not nest (the Rust book's 2-level contents is 9 pages;
/// with its sections as well it would be 21).
fn toc_entries(body: &[Page]) -> Vec<TocEntry> {
    let marks = || body.iter().flat_map(|p| p.outline.iter().map(|(m, _)| m));
    let nested = marks().any(|m| matches!(m.kind, MarkKind::Part | MarkKind::Article(1..)));
    let mut entries = Vec::new();
    for (i, page) in body.iter().enumerate() {
        for (mark, _) in &page.outline {
            let indent = match mark.kind {
                MarkKind::Part | MarkKind::Article(0) => 0,
                MarkKind::Article(1) => 1,
                MarkKind::Section if !nested && mark.level <= 2 => 1,
                _ => continue,
            };
            entries.push(TocEntry {
                indent,
                kind: mark.kind,
                title: mark.title.clone(),
                dest: mark.dest.clone(),
                label: (i + 1).to_string(),
            });
        }
    }
    entries
}

/// The contents as elements: title, then one element per entry with dot leaders and the page
/// number set flush right.
fn toc_elems(
    entries: &[TocEntry],
    locale: &Locale,
    sh: &Shaper,
    theme: &Theme,
    tree: &mut Tree,
) -> Vec<Elem> {
    let width = theme.text_width();
    let mut out = Vec::new();
    let heading = tree.add(Role::H(1), None);
    let toc = tree.add(Role::TOC, None);
    let head_style = theme.sans(18.0 * theme.scale).bold();
    let setter = LineSetter::new(sh, &[], 1.3).keeping_hyphenated_words();
    let mut head = Elem::default();
    head.draws.push(Draw::Tag(Some(front_ref(heading))));
    for line in setter.set(
        &[Piece::Text(locale.text(Text::Contents).into(), head_style)],
        width,
        Align::Left,
    ) {
        head.draws.extend(line.draws);
        head.height += line.height;
    }
    head.height += 10.0;
    head.dests.push(("contents#".into(), 0.0));
    head.outline.push(OutlineMark {
        level: 1,
        title: locale.text(Text::Contents).into(),
        dest: "contents#".into(),
        kind: MarkKind::Front,
        order: 0,
    });
    head.break_before = true;
    out.push(head);

    let num_col = 30.0;
    let gap = 6.0;
    for entry in entries {
        let (style, indent, before) = match (entry.kind, entry.indent) {
            (MarkKind::Part, _) => (theme.sans(theme.body_size).bold(), 0.0, 16.0),
            (_, 0) => (theme.serif(theme.body_size).bold(), 0.0, 7.0),
            _ => (theme.serif(theme.body_size), 16.0 * theme.scale, 1.0),
        };
        let num_face = sh.face_index(style.face);
        let num_w = sh.width(num_face, &entry.label, style.size);
        let title_w = width - indent - num_col - gap;
        let lines = setter.set(
            &[Piece::Text(entry.title.clone(), style)],
            title_w,
            Align::Left,
        );
        // Each entry: an item of the contents holding a link (its title and page number).
        let item = tree.add(Role::TOCI, Some(toc));
        let link = Draw::Tag(Some(front_ref(tree.add(Role::Link, Some(item)))));
        let mut e = Elem {
            space_before: before,
            draws: vec![link.clone()],
            ..Default::default()
        };
        let n = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            let mut end_x: f32 = 0.0;
            let mut baseline = style.size;
            for d in &line.draws {
                if let Draw::Text(r) = d {
                    end_x = end_x.max(r.x + r.glyphs.iter().map(|g| g.advance).sum::<f32>());
                    baseline = r.y;
                }
                e.draws.push(d.shifted(indent, e.height));
            }
            if i + 1 == n {
                let y = e.height + baseline;
                // Leaders on a fixed grid, so the dots line up from one entry to the next.
                let dot = sh.shape(num_face, ".");
                let step = 5.0;
                let from = ((indent + end_x + gap) / step).ceil() * step;
                let to = width - num_w - gap;
                let mut glyphs = Vec::new();
                let mut x = from;
                while x + step <= to {
                    for g in &dot.glyphs {
                        glyphs.push(Glyph {
                            gid: g.gid,
                            advance: step,
                            text: g.text,
                        });
                    }
                    x += step;
                }
                if glyphs.len() < 2 {
                    // Too little room for leaders: at least two dots, tightly set.
                    glyphs.clear();
                    for _ in 0..2 {
                        for g in &dot.glyphs {
                            glyphs.push(Glyph {
                                gid: g.gid,
                                advance: 2.5,
                                text: g.text,
                            });
                        }
                    }
                }
                // The leaders are decoration.
                e.draws.push(Draw::Tag(None));
                e.draws.push(Draw::Text(GlyphRun {
                    face: num_face,
                    size: style.size,
                    x: from,
                    y,
                    gray: 0.35,
                    glyphs,
                }));
                e.draws.push(link.clone());
                let num = sh.shape(num_face, &entry.label);
                e.draws.push(Draw::Text(GlyphRun {
                    face: num_face,
                    size: style.size,
                    x: width - num_w,
                    y,
                    gray: 0.0,
                    glyphs: sh.glyphs_at(num_face, &num, style.size),
                }));
            }
            e.height += line.height;
        }
        e.draws.push(Draw::Link {
            x: indent,
            y: 0.0,
            w: width - indent,
            h: e.height,
            dest: LinkDest::Dest(entry.dest.clone()),
        });
        out.push(e);
    }
    out
}
