//! Heading nesting, computed one way for every renderer: a heading's parent is the nearest
//! earlier heading of a lower level (the PDF outline, the printed contents and the EPUB nav
//! all nest by this).

/// For each level in `levels`, the index of its parent, or `None` at the top.
pub fn parents(levels: &[u8]) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(levels.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, &level) in levels.iter().enumerate() {
        while stack.last().is_some_and(|&s| levels[s] >= level) {
            stack.pop();
        }
        out.push(stack.last().copied());
        stack.push(i);
    }
    out
}

/// The indices whose parent is `parent`, in order.
pub fn children(parents: &[Option<usize>], parent: Option<usize>) -> Vec<usize> {
    (0..parents.len())
        .filter(|&i| parents[i] == parent)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_are_the_nearest_earlier_lower_level() {
        // 1 ─ 2 ─ 3, 3; 2; a 3 after a jump back; then a level lower than the first.
        let p = parents(&[2, 3, 4, 4, 3, 4, 1, 2]);
        assert_eq!(
            p,
            vec![
                None,
                Some(0),
                Some(1),
                Some(1),
                Some(0),
                Some(4),
                None,
                Some(6)
            ]
        );
        assert_eq!(children(&p, None), vec![0, 6]);
        assert_eq!(children(&p, Some(1)), vec![2, 3]);
    }
}
