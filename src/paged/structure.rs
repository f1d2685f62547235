//! The logical structure of the PDF (tagged PDF, PDF/UA): layout builds one tree per article
//! (and one for the front matter) while it lays out the blocks, in reading order, and marks
//! the drawing with `Draw::Tag` so the writer knows which element each piece of content
//! belongs to. Content under no element is an artifact (running heads, rules, box fills).

/// Which tree (an article's index, or `FRONT`) and which node in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeRef {
    pub tree: u32,
    pub node: u32,
}

/// The tree id of the title page and contents.
pub const FRONT: u32 = u32::MAX;

/// The tree ids of part titles count down from here (part 0, 1, … : PARTS, PARTS − 1, …).
pub const PARTS: u32 = u32::MAX - 2;

/// Not an element: tagging with it marks page furniture (running heads, page numbers, bands)
/// as a pagination artifact.
pub const PAGINATION: NodeRef = NodeRef {
    tree: u32::MAX - 1,
    node: 0,
};

/// Standard structure types of PDF 1.7 (so no role map is needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Art,
    Sect,
    H(u8),
    P,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    TR,
    TH,
    TD,
    Caption,
    Figure,
    Note,
    Link,
    BlockQuote,
    Code,
    TOC,
    TOCI,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Art => "Art",
            Role::Sect => "Sect",
            Role::H(1) => "H1",
            Role::H(2) => "H2",
            Role::H(3) => "H3",
            Role::H(4) => "H4",
            Role::H(5) => "H5",
            Role::H(_) => "H6",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::Caption => "Caption",
            Role::Figure => "Figure",
            Role::Note => "Note",
            Role::Link => "Link",
            Role::BlockQuote => "BlockQuote",
            Role::Code => "Code",
            Role::TOC => "TOC",
            Role::TOCI => "TOCI",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub role: Role,
    pub parent: Option<u32>,
    /// A text alternative (figures, QR codes, check boxes).
    pub alt: Option<String>,
    /// For header cells: `Column` or `Row`.
    pub scope: Option<&'static str>,
    /// The language of the element's text, when it differs from the document's.
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    /// The level of the last heading tagged (levels never skip in the structure).
    pub last_heading: u8,
}

impl Tree {
    pub fn add(&mut self, role: Role, parent: Option<u32>) -> u32 {
        self.nodes.push(Node {
            role,
            parent,
            alt: None,
            scope: None,
            lang: None,
        });
        (self.nodes.len() - 1) as u32
    }
}
