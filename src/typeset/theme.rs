//! Page geometry, type sizes and faces of each edition.

use super::lines::{Align, Style};
use crate::fonts::Family;
use crate::model::{BookMeta, EditionStyle};
use crate::paged::{Edition, Form, Scope};

/// Page geometry, type sizes and faces, in points: one per edition (regular or large print).
#[derive(Debug, Clone)]
pub struct Theme {
    pub page_w: f32,
    pub page_h: f32,
    pub margin_left: f32,
    pub margin_right: f32,
    pub margin_top: f32,
    pub margin_bottom: f32,
    /// Of the bottom margin, how much was added for a footer taller than two lines (the
    /// footer itself stays where it was).
    pub footer_extra: f32,
    pub body_size: f32,
    pub leading: f32,
    /// Sizes given for the regular edition are multiplied by this (body size / 10.5).
    pub scale: f32,
    /// Body text face, and the face for headings, tables and labels.
    pub text_family: Family,
    pub ui_family: Family,
    /// Justified and hyphenated (regular), or ragged right without hyphenation (large print).
    pub justify: bool,
    /// Comparisons as a list of labelled lines instead of a boxed grid (large print).
    pub linear_sidebars: bool,
    /// The large-print edition: no text below the body size.
    pub large_print: bool,
    /// No text of the edition is set smaller than this (page furniture, captions, labels).
    pub floor: f32,
}

impl Theme {
    /// The theme of an edition of the book: large print to ACB's rules, the others in the
    /// style book.yaml gives them (by default the book justified, the handouts and the
    /// booklet to the CMS Toolkit's rules), the booklet on pages half the paper's size.
    /// Makes room for a footer `extra` points taller than two lines: the text block ends
    /// higher, the footer stays.
    pub fn grow_footer(&mut self, extra: f32) {
        self.margin_bottom += extra;
        self.footer_extra += extra;
    }

    pub fn of(meta: &BookMeta, edition: Edition) -> Theme {
        let paper = meta.paper.size_pt();
        let (style, size) = match (edition.form, edition.scope) {
            (Form::LargePrint, _) => return Theme::large_print(paper),
            (Form::Booklet, _) => (meta.styles.booklet, (paper.1 / 2.0, paper.0)),
            (Form::Regular, Scope::Book) => (meta.styles.book, paper),
            (Form::Regular, Scope::Article(_)) => (meta.styles.handouts, paper),
        };
        match style {
            EditionStyle::Book => Theme::for_paper(size),
            EditionStyle::Patient => Theme::handout(size),
        }
    }

    /// A patient handout: 12-point serif, ragged right, no hyphenation, lines of at most
    /// about 70 characters (a 420-point measure: 66 characters of Noto Serif at 12 pt on
    /// average), nothing printed under 9 pt (CMS Toolkit for Making Written Material Clear
    /// and Effective). On a half-size page (a booklet's) the margins shrink to a tenth of the
    /// width, which leaves a 317-point measure on half letter (about 50 characters).
    pub fn handout(size: (f32, f32)) -> Theme {
        let book = Theme::for_paper(size);
        let side = ((book.page_w - 420.0) / 2.0).max(72f32.min(book.page_w * 0.1));
        Theme {
            margin_left: side,
            margin_right: side,
            // Room above the 12-point running head for the DRAFT label (at 66 they touched).
            margin_top: book.margin_top.max(72.0),
            body_size: 12.0,
            leading: 1.4,
            scale: 12.0 / 10.5,
            justify: false,
            floor: 9.0,
            ..book
        }
    }

    /// `size`, raised to the edition's smallest.
    pub fn at_least(&self, size: f32) -> f32 {
        size.max(self.floor)
    }

    /// The book's style on a page of this size (in points). A page narrower than letter (a
    /// booklet's) gets side margins of a tenth of its width and a smaller foot, which still
    /// keeps the folio (about 39 points below the text) 18 points clear of the edge; the head
    /// keeps room for the DRAFT label above the running head.
    pub fn for_paper((page_w, page_h): (f32, f32)) -> Theme {
        let small = page_w < 500.0;
        Theme {
            page_w,
            page_h,
            margin_left: if small { page_w * 0.1 } else { 72.0 },
            margin_right: if small { page_w * 0.1 } else { 72.0 },
            margin_top: if small { 72.0 } else { 66.0 },
            margin_bottom: if small { 64.0 } else { 72.0 },
            footer_extra: 0.0,
            body_size: 10.5,
            leading: 1.38,
            scale: 1.0,
            text_family: Family::Serif,
            ui_family: Family::Sans,
            justify: true,
            linear_sidebars: false,
            large_print: false,
            floor: 0.0,
        }
    }

    /// Large print: 18-point Atkinson Hyperlegible, line spacing 1.5, lines no longer than
    /// six inches, ragged right, no hyphenation, comparisons set as lists.
    pub fn large_print((page_w, page_h): (f32, f32)) -> Theme {
        let side = ((page_w - 432.0) / 2.0).max(54.0);
        Theme {
            page_w,
            page_h,
            margin_left: side,
            margin_right: side,
            margin_top: 84.0,
            margin_bottom: 84.0,
            footer_extra: 0.0,
            body_size: 18.0,
            leading: 1.5,
            scale: 18.0 / 10.5,
            text_family: Family::Legible,
            ui_family: Family::Legible,
            justify: false,
            linear_sidebars: true,
            large_print: true,
            floor: 18.0,
        }
    }

    /// Heading sizes, strictly falling with rank: 0 a chapter's title, 1 and 2 the titles of
    /// nested articles, 3… the headings inside (H1 to H6 relative to the title). Large print
    /// keeps every one at 18 pt or more.
    pub fn heading_size(&self, rank: u8) -> f32 {
        const REGULAR: [f32; 9] = [21.0, 18.0, 16.0, 14.5, 12.0, 11.25, 10.75, 10.5, 10.5];
        const LARGE: [f32; 9] = [34.0, 30.0, 27.0, 25.0, 22.0, 20.5, 19.5, 18.75, 18.0];
        let rank = (rank as usize).min(8);
        if self.large_print {
            LARGE[rank]
        } else {
            REGULAR[rank] * self.scale
        }
    }

    /// A size for secondary text (code, tables, captions, labels): `factor` of the body size,
    /// but never below the body in large print, where ACB's guideline sets every word at
    /// 18 pt or more.
    pub fn minor(&self, factor: f32) -> f32 {
        if self.large_print {
            self.body_size
        } else {
            self.at_least(self.body_size * factor)
        }
    }

    /// Line spacing for text set tighter than prose (listings, tables, sidebars): `leading`,
    /// but the body's in large print, where every line keeps ACB's 1.5.
    pub fn tight_leading(&self, leading: f32) -> f32 {
        if self.large_print {
            self.leading.max(leading)
        } else {
            leading
        }
    }

    pub fn text_width(&self) -> f32 {
        self.page_w - self.margin_left - self.margin_right
    }

    pub fn body(&self) -> Style {
        Style::new(self.text_family, self.body_size)
    }

    /// The body face at `size` points (already scaled).
    pub fn serif(&self, size: f32) -> Style {
        Style::new(self.text_family, size)
    }

    /// The heading and label face at `size` points (already scaled).
    pub fn sans(&self, size: f32) -> Style {
        Style::new(self.ui_family, size)
    }

    pub fn align(&self) -> Align {
        if self.justify {
            Align::Justify
        } else {
            Align::Left
        }
    }
}
