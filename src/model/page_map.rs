//! Where the printed pages of an edition begin in the model: the EPUB's page list reads this
//! (so "see page 12" works in both editions) without knowing how pages were made.

/// Where a printed page starts: in which article, at (or inside) which of its top-level blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStart {
    pub article: usize,
    pub block: usize,
    /// The entry of a resource list the page starts in.
    pub item: Option<usize>,
    /// The printed page number.
    pub label: String,
}
