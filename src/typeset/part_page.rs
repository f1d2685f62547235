//! A part's title page: a book whose SUMMARY.md has `# Part` headings opens each part on a
//! page of its own, the title set large a third of the way down, as printed books do.

use super::flow::Elem;
use super::lines::{Align, LineSetter, Piece};
use super::shape::Shaper;
use super::theme::Theme;
use crate::model::Part;
use crate::paged::structure::PARTS;
use crate::paged::{Draw, MarkKind, NodeRef, OutlineMark, Role, Tree};

/// The destination a part's outline entry and contents line point to.
pub fn part_dest(index: usize) -> String {
    format!("part-{index}#")
}

/// The tree id holding part `index`'s heading.
pub fn part_tree(index: usize) -> u32 {
    PARTS - index as u32
}

/// The elements of part `index`'s title page, and the structure tree holding its heading
/// (an H1: the part's chapters are H2).
pub fn part_page(sh: &Shaper, theme: &Theme, index: usize, part: &Part) -> (Vec<Elem>, Tree) {
    let mut tree = Tree::default();
    let heading = tree.add(Role::H(1), None);
    tree.last_heading = 1;
    let style = theme.sans(theme.heading_size(0) * 1.2).bold();
    let setter = LineSetter::new(sh, &[], 1.2).keeping_hyphenated_words();
    let mut title = Elem::default();
    title.draws.push(Draw::Tag(Some(NodeRef {
        tree: part_tree(index),
        node: heading,
    })));
    for line in setter.set(
        &[Piece::Text(part.title.clone(), style)],
        theme.text_width(),
        Align::Center,
    ) {
        title
            .draws
            .extend(line.draws.into_iter().map(|d| d.shifted(0.0, title.height)));
        title.height += line.height;
    }
    title.dests.push((part_dest(index), 0.0));
    title.outline.push(OutlineMark {
        level: 1,
        title: part.title.clone(),
        dest: part_dest(index),
        kind: MarkKind::Part,
        order: 0,
    });
    // The drop: a third of the text block above the title (an empty element, so that the
    // space is not dropped at the top of the page as space_before would be).
    let drop = Elem {
        break_before: true,
        height: (theme.page_h - theme.margin_top - theme.margin_bottom) / 3.0,
        ..Default::default()
    };
    (vec![drop, title], tree)
}
