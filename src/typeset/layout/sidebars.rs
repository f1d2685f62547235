//! What is set apart from the running text: comparison sidebars, callouts and resource
//! entries. Each is drawn as a frame around its elements, so it can break across pages and
//! still read as one box; all of it is told apart by rules, weight and labels, never by
//! colour alone.

use super::super::lines::{Align, Piece, Style};
use super::{keep_ends_together, ArticleLayout, Draw, Elem, LinkDest};
use crate::locale::Text;
use crate::model::*;
use crate::paged::Role;
use std::sync::Arc;

const PAD: f32 = 8.0;

/// A comparison's grid: where it is, its columns, the text style of its cells and its table
/// element.
struct Grid {
    x: f32,
    w: f32,
    cell_pad: f32,
    text: Style,
    widths: Vec<f32>,
    table: u32,
}

/// Moves an element's space above inside it, so a frame drawn around it has no gaps.
fn absorb_space(e: &mut Elem) {
    if e.space_before > 0.0 {
        let s = e.space_before;
        e.draws = e.draws.iter().map(|d| d.shifted(0.0, s)).collect();
        e.dests.iter_mut().for_each(|(_, y)| *y += s);
        e.height += s;
        e.space_before = 0.0;
    }
}

/// Frames elements `run` as one box: fill behind, side rules, a top rule on the first and a
/// bottom rule on the last.
fn frame(run: &mut [Elem], x: f32, width: f32, fill: Option<f32>, rule: f32) {
    let n = run.len();
    for (i, e) in run.iter_mut().enumerate() {
        let h = e.height;
        let mut d = Vec::new();
        if let Some(f) = fill {
            d.push(Draw::Rect {
                x,
                y: 0.0,
                w: width,
                h,
                fill: Some(f),
                stroke: None,
            });
        }
        d.push(Draw::Line {
            x1: x,
            y1: 0.0,
            x2: x,
            y2: h,
            width: rule,
            gray: 0.0,
        });
        d.push(Draw::Line {
            x1: x + width,
            y1: 0.0,
            x2: x + width,
            y2: h,
            width: rule,
            gray: 0.0,
        });
        if i == 0 {
            d.push(Draw::Line {
                x1: x - rule / 2.0,
                y1: 0.0,
                x2: x + width + rule / 2.0,
                y2: 0.0,
                width: rule,
                gray: 0.0,
            });
        }
        if i + 1 == n {
            d.push(Draw::Line {
                x1: x - rule / 2.0,
                y1: h,
                x2: x + width + rule / 2.0,
                y2: h,
                width: rule,
                gray: 0.0,
            });
        }
        d.append(&mut e.draws);
        e.draws = d;
    }
}

impl ArticleLayout<'_> {
    /// Lays out `blocks` in a sub-layout with the sidebar's style, inside a padded frame.
    fn inner(&self, blocks: &[Block], style: Style, align: Align, x: f32, width: f32) -> Vec<Elem> {
        let mut sub = self.sub(style, align);
        let (ix, iw) = super::indented(x, width, PAD);
        sub.blocks(blocks, ix, (iw - PAD).max(super::MIN_MEASURE.min(iw)));
        let mut out = sub.out;
        out.iter_mut().for_each(absorb_space);
        out
    }

    /// The dark title bar of a comparison (white bold text on near-black).
    /// `node` is the structure element of the title text.
    fn title_bar(&self, title: &[Inline], continued: bool, x: f32, width: f32, node: u32) -> Elem {
        let style = Style {
            gray: 1.0,
            ..self.ctx.theme.sans(self.ctx.theme.body_size).bold()
        };
        let mut links = Vec::new();
        let mut pieces = Vec::new();
        self.pieces(title, style, &mut links, &mut pieces, false);
        if continued {
            pieces.push(Piece::Text(
                format!(" {}", self.locale.text(Text::Continued)),
                Style {
                    face: crate::fonts::FaceKey::new(self.ctx.theme.ui_family, false, true),
                    ..style
                },
            ));
        }
        let lines = self.set_as(
            node,
            &links,
            &pieces,
            width - 2.0 * PAD,
            Align::Left,
            self.ctx.theme.tight_leading(1.25),
        );
        let mut e = self.lines_to_elem(lines, x + PAD);
        e.draws = e.draws.iter().map(|d| d.shifted(0.0, 5.0)).collect();
        e.height += 10.0;
        e.draws.insert(
            0,
            Draw::Rect {
                x,
                y: 0.0,
                w: width,
                h: e.height,
                fill: Some(0.15),
                stroke: None,
            },
        );
        e
    }

    /// Large print: the comparison read in order, with no box: for each aspect, its name and
    /// then one labelled line per thing compared.
    fn linear_comparison(&mut self, c: &Comparison, x: f32, width: f32) {
        let sect = self.node(Role::Sect);
        self.within(sect, |l| l.linear_comparison_in(c, x, width));
    }

    fn linear_comparison_in(&mut self, c: &Comparison, x: f32, width: f32) {
        let keep = |this: &mut Self, from: usize| {
            if let Some(e) = this.out[from..].last_mut() {
                e.keep_with_next = true;
            }
        };
        let start = self.out.len();
        let (before, after) = self.locale.around(Text::ComparisonLabel, "title");
        let mut title = vec![Inline::Text(before.into())];
        title.extend(c.title.iter().cloned());
        if !after.is_empty() {
            title.push(Inline::Text(after.into()));
        }
        self.block(&Block::Paragraph(vec![Inline::Strong(title)]), x, width);
        keep(self, start);
        self.blocks(&c.before, x, width);
        self.table_as_lists(&c.table, x, width);
        self.blocks(&c.after, x, width);
    }

    /// A table read in order (large print, one column): each row's first cell in bold, then
    /// one labelled line per other column ("Where it comes from: Made in a lab").
    pub(super) fn table_as_lists(&mut self, table: &Table, x: f32, width: f32) {
        for row in &table.rows {
            let from = self.out.len();
            let aspect = row.first().cloned().unwrap_or_default();
            self.block(&Block::Paragraph(vec![Inline::Strong(aspect)]), x, width);
            if let Some(e) = self.out[from..].last_mut() {
                e.keep_with_next = true;
            }
            let items = table
                .header
                .iter()
                .skip(1)
                .zip(row.iter().skip(1))
                .map(|(label, value)| {
                    let mut line = vec![
                        Inline::Strong(
                            label
                                .iter()
                                .cloned()
                                .chain([Inline::Text(":".into())])
                                .collect(),
                        ),
                        Inline::Text(" ".into()),
                    ];
                    line.extend(value.iter().cloned());
                    ListItem {
                        task: None,
                        blocks: vec![Block::Paragraph(line)],
                    }
                })
                .collect();
            self.block(&Block::List(List { start: None, items }), x, width);
        }
    }

    pub(super) fn comparison(&mut self, c: &Comparison, x: f32, width: f32) {
        let t = self.ctx.theme;
        if t.linear_sidebars {
            return self.linear_comparison(c, x, width);
        }
        let size = t.minor(0.92);
        let text = t.sans(size);
        let start = self.out.len();
        // A section: its title, the text before, the table, the text after.
        let sect = self.node(Role::Sect);
        let outer = self.parent.replace(sect);

        let title_node = self.node(Role::P);
        let mut title = self.title_bar(&c.title, false, x, width, title_node);
        title.space_before = t.body_size;
        title.keep_with_next = true;
        self.out.push(title);
        let mut before = self.inner(&c.before, text, Align::Left, x, width);
        if let Some(first) = before.first_mut() {
            first.draws = first.draws.iter().map(|d| d.shifted(0.0, 4.0)).collect();
            first.height += 4.0;
        }
        self.out.extend(before);

        // The grid: aspects in a bold column, one equal column per thing compared.
        let grid = Grid {
            x: x + PAD,
            w: width - 2.0 * PAD,
            cell_pad: 4.0,
            text,
            widths: Vec::new(),
            table: self.node(Role::Table),
        };
        let grid = Grid {
            widths: self.comparison_widths(c, &grid),
            ..grid
        };
        let row_elem =
            |this: &Self, cells: &[Vec<Inline>], header: bool| this.grid_row(&grid, cells, header);
        let (grid_x, grid_w) = (grid.x, grid.w);
        let mut header = row_elem(self, &c.table.header, true);
        header.draws.push(Draw::Tag(None));
        header.draws.push(Draw::Line {
            x1: grid_x,
            y1: 0.0,
            x2: grid_x + grid_w,
            y2: 0.0,
            width: 1.2,
            gray: 0.0,
        });
        header.draws = header.draws.iter().map(|d| d.shifted(0.0, 6.0)).collect();
        header.height += 6.0;
        header.keep_with_next = true;
        // Continued on a new page: the title (marked as continued) and the header row again.
        // (Page furniture: paginate marks a repeated header as an artifact.)
        let mut repeat = self.title_bar(&c.title, true, x, width, title_node);
        let h0 = repeat.height;
        repeat
            .draws
            .extend(header.draws.iter().map(|d| d.shifted(0.0, h0)));
        repeat.height += header.height;
        let mut repeat_framed = vec![repeat];
        frame(&mut repeat_framed, x, width, None, 1.2);
        let repeat = Arc::new(repeat_framed.pop().unwrap_or_default());
        self.out.push(header);
        let rows = c.table.rows.len();
        for (k, row) in c.table.rows.iter().enumerate() {
            let mut e = row_elem(self, row, false);
            e.draws.push(Draw::Tag(None));
            if k == 0 {
                // under the header row, a heavier rule
                e.draws.push(Draw::Line {
                    x1: grid_x,
                    y1: 0.0,
                    x2: grid_x + grid_w,
                    y2: 0.0,
                    width: 1.2,
                    gray: 0.0,
                });
            }
            if k + 1 == rows {
                let h = e.height;
                e.draws.push(Draw::Line {
                    x1: grid_x,
                    y1: h - 0.6,
                    x2: grid_x + grid_w,
                    y2: h - 0.6,
                    width: 1.2,
                    gray: 0.0,
                });
            }
            e.header = Some(repeat.clone());
            self.out.push(e);
        }
        let after = self.inner(&c.after, text, Align::Left, x, width);
        self.out.extend(after);
        self.out.push(Elem {
            height: PAD,
            ..Default::default()
        });
        self.parent = outer;

        let end = self.out.len();
        // Shade and frame the whole; the title bar paints its own dark fill over the shade.
        frame(&mut self.out[start..end], x, width, Some(0.93), 1.2);
        let total: f32 = self.out[start..end].iter().map(|e| e.height).sum::<f32>() + t.body_size;
        if total < t.page_h - t.margin_top - t.margin_bottom {
            self.out[start].keep = end - start;
        }
        if let Some(last) = self.out.last_mut() {
            last.height += 4.0;
        }
    }

    /// The comparison grid's column widths: the aspects' column as wide as its widest entry
    /// (within 18–30 % of the grid), the rest shared equally.
    fn comparison_widths(&self, c: &Comparison, grid: &Grid) -> Vec<f32> {
        let cols = c.table.header.len();
        let mut aspect_w: f32 = 0.0;
        for row in &c.table.rows {
            if let Some(cell) = row.first() {
                let mut links = Vec::new();
                let mut pieces = Vec::new();
                self.pieces(cell, grid.text.bold(), &mut links, &mut pieces, false);
                aspect_w = aspect_w.max(
                    self.unhyphenated_setter(&links, 1.3).measure(&pieces).1 + 2.0 * grid.cell_pad,
                );
            }
        }
        let aspect_w = aspect_w.clamp(grid.w * 0.18, grid.w * 0.3);
        let item_w = (grid.w - aspect_w) / (cols - 1) as f32;
        std::iter::once(aspect_w)
            .chain(std::iter::repeat_n(item_w, cols - 1))
            .collect()
    }

    /// One row of the comparison grid: the header row heads the columns, the first cell of
    /// every other row heads its row.
    fn grid_row(&self, grid: &Grid, cells: &[Vec<Inline>], header: bool) -> Elem {
        let mut e = Elem::default();
        let mut cx = grid.x;
        let mut parts = Vec::new();
        let mut h: f32 = 0.0;
        let tr = self.node_in(Role::TR, grid.table);
        for (i, w) in grid.widths.iter().enumerate() {
            let style = if header || i == 0 {
                grid.text.bold()
            } else {
                grid.text
            };
            let mut links = Vec::new();
            let mut pieces = Vec::new();
            if let Some(cell) = cells.get(i) {
                self.pieces(cell, style, &mut links, &mut pieces, true);
            }
            // The header row heads the columns; the first cell of a row heads the row.
            let is_head = header || i == 0;
            let cell_node = self.node_in(if is_head { Role::TH } else { Role::TD }, tr);
            if is_head {
                if let Some(n) = self.tree.borrow_mut().nodes.get_mut(cell_node as usize) {
                    n.scope = Some(if header { "Column" } else { "Row" });
                }
            }
            let lines = self.set_as(
                cell_node,
                &links,
                &pieces,
                w - 2.0 * grid.cell_pad,
                Align::Left,
                self.ctx.theme.tight_leading(1.3),
            );
            let cell = self.lines_to_elem(lines, cx + grid.cell_pad);
            h = h.max(cell.height);
            parts.push(cell);
            cx += w;
        }
        e.height = h + 2.0 * grid.cell_pad;
        e.draws.push(Draw::Rect {
            x: grid.x,
            y: 0.0,
            w: grid.w,
            h: e.height,
            fill: Some(if header { 0.85 } else { 1.0 }),
            stroke: None,
        });
        // Column rules, and a heavier rule under the header row.
        let mut rx = grid.x;
        for w in &grid.widths[..grid.widths.len() - 1] {
            rx += w;
            e.draws.push(Draw::Line {
                x1: rx,
                y1: 0.0,
                x2: rx,
                y2: e.height,
                width: 0.5,
                gray: 0.3,
            });
        }
        // Each row rules its own top edge: a later row's fill would cover a rule drawn at the
        // foot of the one before.
        e.draws.push(Draw::Line {
            x1: grid.x,
            y1: 0.0,
            x2: grid.x + grid.w,
            y2: 0.0,
            width: if header { 1.2 } else { 0.5 },
            gray: 0.0,
        });
        for p in parts {
            e.draws
                .extend(p.draws.iter().map(|d| d.shifted(0.0, grid.cell_pad)));
            e.dests
                .extend(p.dests.iter().map(|(k, y)| (k.clone(), y + grid.cell_pad)));
        }
        e
    }

    pub(super) fn callout(&mut self, kind: AlertKind, blocks: &[Block], x: f32, width: f32) {
        let t = self.ctx.theme;
        let start = self.out.len();
        let (rule, fill) = match kind {
            AlertKind::Warning | AlertKind::Caution => (1.8, Some(0.93)),
            AlertKind::Important => (1.2, None),
            AlertKind::Note | AlertKind::Tip => (0.7, None),
        };
        // The label, after an icon whose shape tells the kind apart even in grey print.
        let label_style = t.sans(t.minor(0.95)).bold();
        let icon = 12.0 * t.scale.min(1.5);
        let sect = self.node(Role::Sect);
        let label_node = self.node_in(Role::P, sect);
        let lines = self.set_as(
            label_node,
            &[],
            &[Piece::Text(
                // ACB: no all-capital labels in large print.
                if t.large_print {
                    self.locale.alert(kind).to_string()
                } else {
                    self.locale.alert(kind).to_uppercase()
                },
                label_style,
            )],
            width - 2.0 * PAD - icon - 6.0,
            Align::Left,
            t.leading,
        );
        let mut label = self.lines_to_elem(lines, x + PAD + icon + 6.0);
        label.draws = label.draws.iter().map(|d| d.shifted(0.0, 6.0)).collect();
        label.height += 6.0;
        let baseline = label.draws.iter().find_map(Draw::baseline).unwrap_or(12.0);
        let (cx, cy) = (x + PAD + icon / 2.0, baseline - label_style.size * 0.36);
        label.draws.push(Draw::Tag(None));
        label.draws.extend(icon_draws(kind, cx, cy, icon));
        label.space_before = t.body_size;
        label.keep_with_next = true;
        self.out.push(label);
        // A callout's text is set like the body (justified in the regular edition); the
        // comparison's narrow sans text stays ragged.
        let inner = self.within(sect, |l| l.inner(blocks, l.body, l.align, x, width));
        self.out.extend(inner);
        self.out.push(Elem {
            height: PAD * 0.75,
            ..Default::default()
        });
        let end = self.out.len();
        if let Some(first) = self.out[start + 1..end].first_mut() {
            // The first paragraph sits close under the label.
            let up = 4.0_f32.min(first.height);
            first.draws = first.draws.iter().map(|d| d.shifted(0.0, -up)).collect();
            first.dests.iter_mut().for_each(|(_, y)| *y -= up);
            first.height -= up;
        }
        frame(&mut self.out[start..end], x, width, fill, rule);
        // A callout is read as one thing (a warning split by a page break loses its half):
        // whole, unless it is taller than a page.
        let height: f32 = self.out[start..end].iter().map(|e| e.height).sum();
        if height <= t.page_h - t.margin_top - t.margin_bottom {
            self.out[start].keep = end - start;
        } else {
            keep_ends_together(&mut self.out[start..end], 2);
        }
    }

    /// Resources: name, description, a phone number large enough to dial from, the web
    /// address with a QR code beside it, hours, languages, and (in the appendix) where the
    /// book mentions it.
    pub(super) fn resources(&mut self, ids: &[usize], cited_by: bool, x: f32, width: f32) {
        for (k, &i) in ids.iter().enumerate() {
            if let Some(r) = self.ctx.book.resources.get(i) {
                let start = self.out.len();
                self.resource(r, cited_by, x, width);
                for e in &mut self.out[start..] {
                    e.item.get_or_insert(k as u32);
                }
            }
        }
    }

    /// One resource as a section: its name as a heading-like first paragraph, one paragraph
    /// per detail, the QR code a figure.
    fn resource(&mut self, r: &Resource, cited_by: bool, x: f32, width: f32) {
        let t = self.ctx.theme;
        let book = self.ctx.book;
        let qr = r.qr_target().and_then(|u| qr_draws(u, qr_size(t)));
        // The text keeps the column's left edge; a bar in the margin marks the entry.
        let tw = width - if qr.is_some() { qr_size(t) + 16.0 } else { 0.0 };
        let tx = x;
        let mut e = Elem {
            space_before: t.body_size * 0.9,
            ..Default::default()
        };
        // Each resource a section: its name as a heading-like first paragraph, one
        // paragraph per detail, the QR code a figure.
        let sect = self.node(Role::Sect);
        let add = |this: &Self, e: &mut Elem, pieces: Vec<Piece>, links: &[LinkDest], gap: f32| {
            let p = this.node_in(Role::P, sect);
            let lines = this.set_as_data(p, links, &pieces, tw, Align::Left, t.tight_leading(1.3));
            let part = this.lines_to_elem(lines, tx);
            let y = e.height + gap;
            e.draws.extend(part.draws.iter().map(|d| d.shifted(0.0, y)));
            e.height = y + part.height;
        };
        add(
            self,
            &mut e,
            vec![Piece::Text(
                r.name.clone(),
                t.sans(t.body_size * 1.1).bold(),
            )],
            &[],
            0.0,
        );
        if let Some(d) = &r.description {
            add(
                self,
                &mut e,
                vec![Piece::Text(d.clone(), t.serif(t.minor(0.95)))],
                &[],
                1.0,
            );
        }
        if let Some(p) = &r.phone {
            let region = book.meta.region();
            let links = vec![LinkDest::Uri(crate::locale::phone::tel_uri(
                p,
                region.as_deref(),
            ))];
            let big = Style {
                link: Some(0),
                ..t.sans(15.0 * t.scale).bold()
            };
            let lead = t.sans(t.at_least(10.0 * t.scale));
            let (before, after) = self.locale.around(Text::HelpCall, "phone");
            let mut pieces = vec![
                Piece::Text(before.into(), lead),
                Piece::Text(p.clone(), big),
            ];
            if !after.is_empty() {
                pieces.push(Piece::Text(after.into(), lead));
            }
            add(self, &mut e, pieces, &links, 2.0);
        }
        if let Some(u) = &r.url {
            let links = vec![LinkDest::Uri(u.clone())];
            let style = Style {
                link: Some(0),
                ..t.sans(t.minor(0.85))
            };
            add(
                self,
                &mut e,
                vec![Piece::Text(crate::url::display(u), style)],
                &links,
                1.0,
            );
        }
        let small = Style {
            gray: 0.15,
            ..t.sans(t.minor(0.82))
        };
        if let Some(h) = &r.hours {
            add(
                self,
                &mut e,
                vec![Piece::Text(
                    self.locale.fill(Text::HelpHours, &[("hours", h)]),
                    small,
                )],
                &[],
                1.0,
            );
        }
        if !r.languages.is_empty() {
            add(
                self,
                &mut e,
                vec![Piece::Text(
                    self.locale.fill(
                        Text::HelpLanguages,
                        &[(
                            "languages",
                            &r.languages.join(self.locale.text(Text::ListSeparator)),
                        )],
                    ),
                    small,
                )],
                &[],
                1.0,
            );
        }
        if cited_by && !r.cited_by.is_empty() {
            let mut links = Vec::new();
            let italic = t.serif(t.minor(0.85)).italic();
            let (before, after) = self.locale.around(Text::HelpMentionedIn, "articles");
            let separator = self.locale.text(Text::ListSeparator);
            let mut pieces = vec![Piece::Text(before.into(), italic)];
            for (k, &a) in r.cited_by.iter().enumerate() {
                if k > 0 {
                    pieces.push(Piece::Text(separator.into(), italic));
                }
                links.push(LinkDest::Dest(super::dest_key(&book.articles[a], "")));
                pieces.push(Piece::Text(
                    book.articles[a].title_text(),
                    Style {
                        link: Some(k as u32),
                        ..italic
                    },
                ));
            }
            if !after.is_empty() {
                pieces.push(Piece::Text(after.into(), italic));
            }
            add(self, &mut e, pieces, &links, 2.0);
        }
        if let Some(q) = qr {
            self.resource_qr(&mut e, r, q, sect, x, width);
        }
        e.draws.insert(
            0,
            Draw::Rect {
                x: x - 10.0,
                y: 0.0,
                w: 2.5,
                h: e.height,
                fill: Some(0.45),
                stroke: None,
            },
        );
        self.out.push(e);
    }

    /// The QR code of a resource's web address beside its text, with its caption, as a figure
    /// inside a link.
    fn resource_qr(&self, e: &mut Elem, r: &Resource, q: Vec<Draw>, sect: u32, x: f32, width: f32) {
        let t = self.ctx.theme;
        let size = qr_size(t);
        let qx = x + width - size - 4.0;
        // The code is a figure inside a link (its annotation covers the code).
        let link = self.node_in(Role::Link, sect);
        let fig = self.node_in(Role::Figure, link);
        let target = r.qr_target();
        if let Some(u) = target {
            self.set_alt(fig, self.locale.fill(Text::HelpQrAlt, &[("url", u)]));
            let shown = crate::url::display(u);
            self.set_alt(link, self.locale.fill(Text::HelpQrLink, &[("url", &shown)]));
        }
        e.draws.push(self.tag(fig));
        e.draws.extend(q.iter().map(|d| d.shifted(qx, 0.0)));
        e.draws.push(Draw::Tag(None));
        // The caption says what the code opens and stays legible on a photocopy: 9 pt or
        // more, in black.
        let cap = t.sans(t.at_least((6.5 * t.scale).max(9.0)));
        let site = target.map(crate::model::qr::site).unwrap_or_default();
        let caption = self.locale.fill(Text::HelpScan, &[("site", site)]);
        let lines = self.unhyphenated_setter(&[], 1.2).set(
            &[Piece::Text(caption, cap)],
            size,
            Align::Center,
        );
        // The caption is text of the entry (tagged as its own paragraph): as an artifact,
        // two captions side by side on a booklet's spread read to checkers as hidden prose.
        let caption_node = self.node_in(Role::P, sect);
        let c = self.lines_to_elem(lines, qx);
        e.draws.push(self.tag(caption_node));
        e.draws
            .extend(c.draws.iter().map(|d| d.shifted(0.0, size + 2.0)));
        e.draws.push(Draw::Tag(None));
        e.height = e.height.max(size + 2.0 + c.height);
        if let Some(u) = target {
            e.draws.push(self.tag(link));
            e.draws.push(Draw::Link {
                x: qx,
                y: 0.0,
                w: size,
                h: size,
                dest: LinkDest::Uri(u.to_string()),
            });
            e.draws.push(Draw::Tag(None));
        }
    }
}

/// The icon beside a callout's label: a shape per kind (circle, diamond, square, triangle,
/// octagon) with a mark in it.
fn icon_draws(kind: AlertKind, cx: f32, cy: f32, size: f32) -> Vec<Draw> {
    let r = size / 2.0;
    let poly = |n: usize, rot: f32, scale: f32| -> Vec<(f32, f32)> {
        (0..n)
            .map(|k| {
                let a = rot + k as f32 * std::f32::consts::TAU / n as f32;
                (cx + r * scale * a.cos(), cy + r * scale * a.sin())
            })
            .collect()
    };
    let (points, mark) = match kind {
        AlertKind::Note => (poly(24, 0.0, 1.0), "i"),
        AlertKind::Tip => (poly(4, 0.0, 1.15), "*"),
        AlertKind::Important => (poly(4, std::f32::consts::FRAC_PI_4, 1.3), "!"),
        AlertKind::Warning => (
            poly(3, -std::f32::consts::FRAC_PI_2, 1.25)
                .iter()
                .map(|(x, y)| (*x, y + r * 0.2))
                .collect(),
            "!",
        ),
        AlertKind::Caution => (poly(8, std::f32::consts::PI / 8.0, 1.1), "!"),
    };
    let mut out = vec![Draw::Path {
        points,
        fill: Some(0.0),
        stroke: None,
    }];
    out.extend(mark_draws(mark, cx, cy, size));
    out
}

/// The mark inside an icon, drawn in white as shapes rather than set as a glyph: it is part
/// of the picture, so no text is printed below the edition's smallest size (ACB's 18 pt in
/// large print, where the glyph was 13.5 pt).
fn mark_draws(mark: &str, cx: f32, cy: f32, size: f32) -> Vec<Draw> {
    let (h, w) = (size * 0.5, size * 0.13);
    let white = |x: f32, y: f32, width: f32, height: f32| Draw::Rect {
        x,
        y,
        w: width,
        h: height,
        fill: Some(1.0),
        stroke: None,
    };
    let (top, left) = (cy - h / 2.0, cx - w / 2.0);
    match mark {
        // A bar over a dot.
        "!" => vec![
            white(left, top, w, h - 1.6 * w),
            white(left, top + h - w, w, w),
        ],
        // A dot over a bar.
        "i" => vec![
            white(left, top, w, w),
            white(left, top + 1.6 * w, w, h - 1.6 * w),
        ],
        // Three strokes crossing at the centre.
        _ => [90f32, 30.0, 150.0]
            .iter()
            .map(|deg| {
                let (s, c) = deg.to_radians().sin_cos();
                Draw::Line {
                    x1: cx - c * h / 2.0,
                    y1: cy - s * h / 2.0,
                    x2: cx + c * h / 2.0,
                    y2: cy + s * h / 2.0,
                    width: w * 0.8,
                    gray: 1.0,
                }
            })
            .collect(),
    }
}

/// The side of a printed QR code with its quiet zone, in points: at least 92 (32 mm), so the
/// code itself is 25 mm or more for every URL up to a version-7 code (45 modules), the size
/// that survives a photocopy of a photocopy.
pub fn qr_size(t: &super::Theme) -> f32 {
    (64.0 * t.scale).max(92.0)
}

/// A QR code for `data`, `size` points square with its quiet zone (4 modules), drawn as
/// black rectangles (one per horizontal run of dark modules) on white, at the error
/// correction `model::qr::plan` chooses.
pub fn qr_draws(data: &str, size: f32) -> Option<Vec<Draw>> {
    let code = crate::model::qr::plan(data)?.code;
    let n = code.width();
    let quiet = 4;
    let m = size / (n + 2 * quiet) as f32;
    let colors = code.to_colors();
    let mut out = vec![Draw::Rect {
        x: 0.0,
        y: 0.0,
        w: size,
        h: size,
        fill: Some(1.0),
        stroke: None,
    }];
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                out.push(Draw::Rect {
                    x: (quiet + start) as f32 * m,
                    y: (quiet + row) as f32 * m,
                    w: (col - start) as f32 * m,
                    h: m,
                    fill: Some(0.0),
                    stroke: None,
                });
            } else {
                col += 1;
            }
        }
    }
    Some(out)
}
