//! Imposition: the pages of a booklet set two to a side of a landscape sheet, in the order
//! that makes a saddle-stitched booklet when the sheets are printed on both sides (flipped on
//! the short edge), stacked, folded in half and stapled on the fold.

use super::{Draw, Page, PagedDocument};

/// Which pages sit on each side of each sheet, as (left, right) indexes into a document of
/// `pages` pages padded with blanks to `padded_len(pages)`. Side 2k is the front of sheet k,
/// side 2k + 1 its back.
pub fn saddle_stitch_order(pages: usize) -> Vec<(usize, usize)> {
    let n = padded_len(pages);
    (0..n / 4)
        .flat_map(|sheet| {
            let outer = 2 * sheet;
            [(n - 1 - outer, outer), (outer + 1, n - 2 - outer)]
        })
        .collect()
}

/// Pages in a booklet: a multiple of four (a sheet folded once holds four), at least four.
pub fn padded_len(pages: usize) -> usize {
    pages.max(1).div_ceil(4) * 4
}

/// Sets the document's pages two to a side: each side is twice as wide as a page, the
/// left page drawn as it was and the right one moved across by a page's width. Blank pages
/// pad the end, and one follows an odd number of front-matter pages. Outline marks keep the book's order; printed page labels number the sides.
pub fn saddle_stitch(doc: &mut PagedDocument) {
    let mut pages: Vec<Option<Page>> = std::mem::take(&mut doc.pages)
        .into_iter()
        .map(Some)
        .collect();
    // Page 1 on a right-hand page, as in any book: a blank after an odd front matter.
    if doc.front_pages % 2 == 1 && doc.front_pages < pages.len() {
        pages.insert(doc.front_pages, Some(Page::default()));
    }
    let count = pages.len();
    pages.resize_with(padded_len(count), || Some(Page::default()));
    // Every outline mark numbered in reading order before the pages are shuffled.
    let mut seq = 0u32;
    for page in pages.iter_mut().flatten() {
        for (mark, _) in &mut page.outline {
            mark.order = seq;
            seq += 1;
        }
    }
    let width = doc.page_w;
    doc.pages = saddle_stitch_order(count)
        .into_iter()
        .map(|(left_at, right_at)| {
            let left = pages[left_at].take().unwrap_or_default();
            let mut right = pages[right_at].take().unwrap_or_default();
            for d in &mut right.draws {
                d.shift(width, 0.0);
            }
            // Drawn in reading order (the front of a sheet holds a late page on the left), so
            // the content streams follow the structure tree.
            let (mut side, mut second, order) = if left_at < right_at {
                (left, right, [left_at, right_at])
            } else {
                (right, left, [right_at, left_at])
            };
            // The second page starts untagged, as every page does, so no element of the first
            // runs on into it.
            side.imposed = vec![(order[0], 0), (order[1], side.draws.len())];
            side.draws.push(Draw::Tag(None));
            side.draws.append(&mut second.draws);
            let right = second;
            side.dests.extend(right.dests);
            side.outline.extend(right.outline);
            side.article = side.article.or(right.article);
            side.opens_article |= right.opens_article;
            side.starts_in = None;
            side.starts_in_item = None;
            side
        })
        .collect();
    doc.page_w = 2.0 * width;
    doc.front_pages = 0;
    doc.page_map.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_pages_fold_into_two_sheets_in_saddle_stitch_order() {
        // Sheet 1: 8 | 1 on the front, 2 | 7 on the back; sheet 2: 6 | 3, then 4 | 5.
        assert_eq!(saddle_stitch_order(8), vec![(7, 0), (1, 6), (5, 2), (3, 4)]);
    }

    #[test]
    fn a_short_booklet_is_padded_to_a_multiple_of_four() {
        assert_eq!(padded_len(1), 4);
        assert_eq!(padded_len(4), 4);
        assert_eq!(padded_len(5), 8);
        assert_eq!(padded_len(0), 4);
        let order = saddle_stitch_order(6);
        let mut all: Vec<usize> = order.iter().flat_map(|&(l, r)| [l, r]).collect();
        all.sort();
        assert_eq!(all, (0..8).collect::<Vec<_>>(), "every page once");
        // Facing pages on one side always add up to the last page's index.
        assert!(order.iter().all(|&(l, r)| l + r == 7));
    }
}
