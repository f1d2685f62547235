//! One page's content stream: its drawing as PDF operators, each piece inside the marked
//! content of its structure element or marked as an artifact.

use super::content::{Content, TjItem};
use super::fonts::Embedded;
use super::images::Prepared;
use crate::paged::structure::PAGINATION;
use crate::paged::{Draw, NodeRef, Page};
use std::sync::Arc;

/// Sets the fill and stroke of a shape (inside a saved graphics state) and returns the
/// operator that paints it.
fn paint(c: &mut Content, fill: Option<f32>, stroke: Option<(f32, f32)>) -> &'static str {
    if let Some(f) = fill {
        c.fill_gray(f);
    }
    if let Some((g, width)) = stroke {
        c.stroke_gray(g).line_width(width);
    }
    match (fill, stroke) {
        (Some(_), Some(_)) => "B",
        (None, Some(_)) => "S",
        _ => "f",
    }
}

/// A stretch of a page's drawing under one structure element (or none: an artifact), with
/// the marked-content ids of its shapes and of its text (they are written in two passes).
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// The structure element (None: an artifact).
    pub node: Option<NodeRef>,
    /// An artifact of page furniture (running head, page number, band).
    pub pagination: bool,
    pub shapes: Option<u32>,
    pub text: Option<u32>,
}

/// The page's spans, and the span of each draw. Marked-content ids are numbered in the
/// order they are written: the shapes of every span, then the text.
pub fn page_spans(page: &Page) -> (Vec<Span>, Vec<u32>) {
    let mut spans = vec![Span {
        node: None,
        pagination: false,
        shapes: None,
        text: None,
    }];
    let mut keys: Vec<Option<NodeRef>> = vec![None];
    let mut of = Vec::with_capacity(page.draws.len());
    let (mut has_shapes, mut has_text) = (vec![false], vec![false]);
    // A tag takes effect at the next drawing: the tags between two lines of one paragraph
    // (an artifact tag, then the paragraph's again) do not split its marked content.
    let mut pending: Option<Option<NodeRef>> = None;
    for d in &page.draws {
        if let Draw::Tag(n) = d {
            pending = Some(*n);
        } else if let Some(n) = pending.take() {
            if keys.last() != Some(&n) {
                keys.push(n);
                let pagination = n == Some(PAGINATION);
                spans.push(Span {
                    node: n.filter(|_| !pagination),
                    pagination,
                    shapes: None,
                    text: None,
                });
                has_shapes.push(false);
                has_text.push(false);
            }
        }
        let i = spans.len() - 1;
        match d {
            Draw::Text(_) => has_text[i] = true,
            Draw::Rect { .. } | Draw::Line { .. } | Draw::Path { .. } | Draw::Image { .. } => {
                has_shapes[i] = true
            }
            Draw::Link { .. } | Draw::Tag(_) => {}
        }
        of.push(i as u32);
    }
    let mut next = 0;
    for (i, span) in spans.iter_mut().enumerate() {
        if span.node.is_some() && has_shapes[i] {
            span.shapes = Some(next);
            next += 1;
        }
    }
    for (i, span) in spans.iter_mut().enumerate() {
        if span.node.is_some() && has_text[i] {
            span.text = Some(next);
            next += 1;
        }
    }
    (spans, of)
}

/// Opens and closes marked content as the drawing moves from span to span.
struct Marker<'a> {
    open: Option<u32>,
    spans: &'a [Span],
    role: &'a dyn Fn(NodeRef) -> &'static str,
    text_pass: bool,
}

impl Marker<'_> {
    fn enter(&mut self, c: &mut Content, span: u32) {
        if self.open == Some(span) {
            return;
        }
        if self.open.is_some() {
            c.end_marked();
        }
        let s = &self.spans[span as usize];
        let mcid = if self.text_pass { s.text } else { s.shapes };
        match (s.node, mcid) {
            (Some(n), Some(id)) => c.begin_tagged((self.role)(n), id as usize),
            _ if s.pagination => c.begin_artifact(Some("Pagination")),
            _ => c.begin_artifact(None),
        };
        self.open = Some(span);
    }

    fn close(&mut self, c: &mut Content) {
        if self.open.take().is_some() {
            c.end_marked();
        }
    }
}

/// One page's content stream: shapes and images first (so text is drawn over box fills),
/// then the text, each piece inside the marked content of its structure element or marked
/// as an artifact. `h` is the page height: layout measures y down from the top, PDF up from
/// the bottom.
pub fn page_content(
    page: &Page,
    h: f32,
    fonts: &[Option<&Embedded>],
    images: &[Option<Arc<Prepared>>],
    role: &dyn Fn(NodeRef) -> &'static str,
) -> Vec<u8> {
    let (spans, span_of) = page_spans(page);
    let mut c = Content::with_capacity(page.draws.len() * 64);
    let mut marker = Marker {
        open: None,
        spans: &spans,
        role,
        text_pass: false,
    };
    let mut i = 0;
    while i < page.draws.len() {
        let d = &page.draws[i];
        let span = span_of[i];
        i += 1;
        if matches!(d, Draw::Text(_) | Draw::Link { .. } | Draw::Tag(_)) {
            continue;
        }
        marker.enter(&mut c, span);
        // Runs of plain filled rectangles of one grey (QR modules, shading) share one fill.
        if let Draw::Rect {
            fill: Some(f),
            stroke: None,
            ..
        } = d
        {
            let mut j = i;
            while j < page.draws.len()
                && span_of[j] == span
                && matches!(page.draws[j], Draw::Rect { fill: Some(g), stroke: None, .. } if g == *f)
            {
                j += 1;
            }
            if j > i {
                c.save().fill_gray(*f);
                for r in &page.draws[i - 1..j] {
                    if let Draw::Rect { x, y, w, h: rh, .. } = r {
                        c.rect(*x, h - y - rh, *w, *rh);
                    }
                }
                c.op("f").restore();
                i = j;
                continue;
            }
        }
        match d {
            Draw::Rect {
                x,
                y,
                w,
                h: rh,
                fill,
                stroke,
            } => {
                c.save();
                let op = paint(&mut c, *fill, *stroke);
                c.rect(*x, h - y - rh, *w, *rh).op(op).restore();
            }
            Draw::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                gray,
            } => {
                c.save().stroke_gray(*gray).line_width(*width);
                c.move_to(*x1, h - y1)
                    .line_to(*x2, h - y2)
                    .op("S")
                    .restore();
            }
            Draw::Path {
                points,
                fill,
                stroke,
            } => {
                let Some(((x0, y0), rest)) = points.split_first() else {
                    continue;
                };
                c.save();
                let op = paint(&mut c, *fill, *stroke);
                c.move_to(*x0, h - y0);
                for (x, y) in rest {
                    c.line_to(*x, h - y);
                }
                c.op("h").op(op).restore();
            }
            Draw::Image {
                index,
                x,
                y,
                w,
                h: ih,
            } => {
                if images.get(*index).is_some_and(Option::is_some) {
                    c.image(&format!("Im{index}"), *x, h - y - ih, *w, *ih);
                }
            }
            Draw::Text(_) | Draw::Link { .. } | Draw::Tag(_) => {}
        }
    }
    marker.close(&mut c);
    marker.text_pass = true;
    c.op("BT");
    text_pass(&mut c, &mut marker, page, &span_of, h, fonts);
    marker.close(&mut c);
    c.op("ET");
    c.buf
}

/// The page's text, after its shapes, inside one text object: each run positioned with `Tm`
/// and shown with `TJ`, glyph codes from its embedded font.
fn text_pass(
    c: &mut Content,
    marker: &mut Marker,
    page: &Page,
    span_of: &[u32],
    h: f32,
    fonts: &[Option<&Embedded>],
) {
    let mut cur_font: Option<(usize, f32)> = None;
    let mut cur_gray = -1.0f32;
    let mut items: Vec<TjItem> = Vec::new();
    for (d, &span) in page.draws.iter().zip(span_of) {
        let Draw::Text(run) = d else { continue };
        let Some(font) = fonts.get(run.face).copied().flatten() else {
            continue;
        };
        marker.enter(c, span);
        if cur_font != Some((run.face, run.size)) {
            c.name(&format!("F{}", run.face)).num(run.size).op("Tf");
            cur_font = Some((run.face, run.size));
        }
        if cur_gray != run.gray {
            c.fill_gray(run.gray);
            cur_gray = run.gray;
        }
        items.clear();
        // PDF advances each glyph by its /W width; a kern makes up the difference to our
        // shaped, justified advance. The rounding error is carried from glyph to glyph and a
        // kern written only once it reaches half a unit, so most glyphs need none.
        let mut carry = 0.0f32;
        for g in &run.glyphs {
            let w = font.widths.get(g.gid as usize).copied().unwrap_or(0) as f32;
            items.push(TjItem::Glyph(font.code(g.gid, g.text)));
            carry += w - g.advance * 1000.0 / run.size;
            if carry.abs() >= 0.5 {
                let k = carry.round();
                carry -= k;
                items.push(TjItem::Kern(k as i64));
            }
        }
        c.num(1.0)
            .num(0.0)
            .num(0.0)
            .num(1.0)
            .num(run.x)
            .num(h - run.y)
            .op("Tm");
        c.show(&items);
    }
}
