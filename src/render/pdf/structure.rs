//! The structure tree (tagged PDF, PDF/UA): every structure element in reading order, each
//! with its marked content (page and id) and link annotations; the parent tree that leads back
//! from content to element; and the catalog entries that declare the file tagged.

use super::metadata::text_string;
use super::page::page_spans;
use crate::paged::{Draw, NodeRef, Page, PagedDocument, Role, Tree};
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use std::collections::HashMap;

/// Builds the tree for `doc`, whose pages are `page_ids` and whose link annotations, per
/// page in drawing order, are `link_annots`.
pub fn add(
    lo: &mut lopdf::Document,
    doc: &PagedDocument,
    page_ids: &[ObjectId],
    link_annots: &[Vec<Option<ObjectId>>],
    root_id: ObjectId,
) {
    let mut tree = StructBuilder {
        document: lo.new_object_id(),
        doc_kids: Vec::new(),
        elems: HashMap::new(),
        order: Vec::new(),
        // The parent tree's keys ascend: pages (0..), then annotations (after the last page).
        parent_tree: Vec::with_capacity(doc.pages.len() * 2),
        annot_parents: Vec::new(),
        next_key: doc.pages.len() as i64,
        spans: Vec::new(),
    };
    // Elements are attached in reading order, which is page order unless the pages were
    // imposed: then each side's pages are taken in their own turn.
    let mut segments: Vec<(usize, usize, std::ops::Range<usize>)> = Vec::new();
    for (pi, page) in doc.pages.iter().enumerate() {
        if page.imposed.is_empty() {
            segments.push((pi, pi, 0..page.draws.len()));
        }
        for (k, &(at, start)) in page.imposed.iter().enumerate() {
            let end = page.imposed.get(k + 1).map_or(page.draws.len(), |n| n.1);
            segments.push((at, pi, start..end));
        }
    }
    segments.sort_by_key(|s| s.0);
    let mut by_mcid: Vec<Vec<(u32, ObjectId)>> = vec![Vec::new(); doc.pages.len()];
    let mut spans: Vec<Option<PageSpans>> = (0..doc.pages.len()).map(|_| None).collect();
    for (_, pi, range) in segments {
        let page = &doc.pages[pi];
        let annots = link_annots.get(pi).map(Vec::as_slice).unwrap_or(&[]);
        let spans = spans[pi].get_or_insert_with(|| PageSpans::of(page));
        tree.attach_segment(
            lo,
            &doc.trees,
            page_ids[pi],
            page,
            range,
            spans,
            annots,
            &mut by_mcid[pi],
        );
    }
    for (pi, mut mcids) in by_mcid.into_iter().enumerate() {
        tree.close_page(lo, pi, page_ids[pi], &mut mcids);
    }
    let next_key = tree.next_key;
    let mut nums = std::mem::take(&mut tree.parent_tree);
    nums.append(&mut tree.annot_parents);
    let document = tree.document;
    let doc_kids = std::mem::take(&mut tree.doc_kids);
    tree.write_elements(lo, &doc.trees);
    let root = lo.new_object_id();
    let mut document_elem = Dictionary::new();
    document_elem.set("Type", "StructElem");
    document_elem.set("S", "Document");
    document_elem.set("P", Object::Reference(root));
    document_elem.set("K", doc_kids);
    lo.objects
        .insert(document, Object::Dictionary(document_elem));
    let mut ptree = Dictionary::new();
    ptree.set("Nums", nums);
    let ptree = lo.add_object(ptree);
    let mut tree_root = Dictionary::new();
    tree_root.set("Type", "StructTreeRoot");
    tree_root.set("K", vec![Object::Reference(document)]);
    tree_root.set("ParentTree", Object::Reference(ptree));
    tree_root.set("ParentTreeNextKey", next_key);
    lo.objects.insert(root, Object::Dictionary(tree_root));
    if let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root_id) {
        cat.set("StructTreeRoot", Object::Reference(root));
        let mut mark = Dictionary::new();
        mark.set("Marked", true);
        cat.set("MarkInfo", mark);
    }
}

/// A page's marked-content spans, which drawing belongs to which, and which spans have been
/// attached (a page of an imposed side is visited once for each page on it).
struct PageSpans {
    spans: Vec<super::page::Span>,
    span_of: Vec<u32>,
    seen: Vec<bool>,
}

impl PageSpans {
    fn of(page: &Page) -> PageSpans {
        let (spans, span_of) = page_spans(page);
        let seen = vec![false; spans.len()];
        PageSpans {
            spans,
            span_of,
            seen,
        }
    }
}

/// The structure element dictionary of `node`.
fn element_dict(n: NodeRef, node: &crate::paged::Node, e: StructElem) -> Dictionary {
    let mut d = Dictionary::new();
    d.set("Type", "StructElem");
    d.set("S", Object::Name(node.role.name().as_bytes().to_vec()));
    d.set("P", Object::Reference(e.parent));
    if let Some(pg) = e.pg {
        d.set("Pg", Object::Reference(pg));
    }
    d.set("K", e.kids);
    if let Some(alt) = &node.alt {
        d.set("Alt", text_string(alt));
    }
    if let Some(lang) = &node.lang {
        d.set("Lang", text_string(lang));
    }
    if node.role == Role::Note {
        // Notes are identified (PDF/UA).
        d.set(
            "ID",
            Object::String(
                format!("note-{}-{}", n.tree, n.node).into_bytes(),
                StringFormat::Literal,
            ),
        );
    }
    if let Some(scope) = node.scope {
        let mut a = Dictionary::new();
        a.set("O", "Table");
        a.set("Scope", Object::Name(scope.as_bytes().to_vec()));
        d.set("A", a);
    }
    d
}

/// A structure element being built: its object id, its parent's, its kids in order.
struct StructElem {
    id: ObjectId,
    parent: ObjectId,
    kids: Vec<Object>,
    /// The page of its first marked content: content there is listed by bare MCID.
    pg: Option<ObjectId>,
}

/// The structure elements attached so far, in the order their content first appears (which
/// is reading order), under the Document element.
struct StructBuilder {
    document: ObjectId,
    doc_kids: Vec<Object>,
    elems: HashMap<NodeRef, StructElem>,
    order: Vec<NodeRef>,
    /// Per page: its key and the element of each of its marked-content ids.
    parent_tree: Vec<Object>,
    /// Per annotation: its key and its element.
    annot_parents: Vec<Object>,
    next_key: i64,
    /// Spans the writer adds around an element's own content that follows one of its kid
    /// elements (a paragraph's text after a link).
    /// Checkers read an element's own content before its kids', so text after a link read
    /// as coming before it (outloud's ORD-001 on the sample's large print and booklet).
    spans: Vec<Span>,
}

/// A span the writer adds inside an element.
struct Span {
    id: ObjectId,
    parent: ObjectId,
    kids: Vec<Object>,
}

impl StructBuilder {
    /// Attaches the content of part of one page (all of it, or one page of an imposed
    /// side): each span's marked content to its element (by bare id on the element's own
    /// page, by reference elsewhere), each link annotation to its link element.
    #[allow(clippy::too_many_arguments)]
    fn attach_segment(
        &mut self,
        lo: &mut lopdf::Document,
        trees: &HashMap<u32, Tree>,
        page_id: ObjectId,
        page: &Page,
        range: std::ops::Range<usize>,
        spans: &mut PageSpans,
        link_annots: &[Option<ObjectId>],
        by_mcid: &mut Vec<(u32, ObjectId)>,
    ) {
        let links_before = page.draws[..range.start]
            .iter()
            .filter(|d| matches!(d, Draw::Link { .. }))
            .count();
        let mut annots = link_annots.iter().skip(links_before);
        for (d, &si) in page.draws[range.clone()].iter().zip(&spans.span_of[range]) {
            let span = spans.spans[si as usize];
            let Some(node) = span.node else {
                if matches!(d, Draw::Link { .. }) {
                    annots.next();
                }
                continue;
            };
            if !spans.seen[si as usize] && !matches!(d, Draw::Tag(_) | Draw::Link { .. }) {
                spans.seen[si as usize] = true;
                let id = self.attach(node, trees, lo);
                for mcid in [span.shapes, span.text].into_iter().flatten() {
                    let owner = self.content_owner(node, id, page_id, lo);
                    if owner != id {
                        // By reference: a span may go on over a page turn.
                        if let Some(s) = self.spans.last_mut() {
                            let mut mcr = Dictionary::new();
                            mcr.set("Type", "MCR");
                            mcr.set("Pg", Object::Reference(page_id));
                            mcr.set("MCID", mcid as i64);
                            s.kids.push(Object::Dictionary(mcr));
                        }
                    } else if let Some(e) = self.elems.get_mut(&node) {
                        let pg = *e.pg.get_or_insert(page_id);
                        e.kids.push(if pg == page_id {
                            Object::Integer(mcid as i64)
                        } else {
                            let mut mcr = Dictionary::new();
                            mcr.set("Type", "MCR");
                            mcr.set("Pg", Object::Reference(page_id));
                            mcr.set("MCID", mcid as i64);
                            Object::Dictionary(mcr)
                        });
                    }
                    by_mcid.push((mcid, owner));
                }
            }
            if matches!(d, Draw::Link { .. }) {
                let Some(Some(annot)) = annots.next() else {
                    continue;
                };
                self.attach_annotation(lo, trees, node, page_id, *annot);
            }
        }
    }

    /// The element that takes the next piece of `node`'s own content: `node` itself, unless
    /// a kid element already follows its last content, then a span at the end of its kids
    /// (the last one, if it is still last; else a new one).
    /// Only on the element's first page: content it carries over to a later page (a
    /// footnote continued) is read with the element, as a reference of its own.
    fn content_owner(
        &mut self,
        node: NodeRef,
        id: ObjectId,
        page_id: ObjectId,
        lo: &mut lopdf::Document,
    ) -> ObjectId {
        let Some(e) = self.elems.get_mut(&node) else {
            return id;
        };
        if e.pg.is_some_and(|pg| pg != page_id) {
            return id;
        }
        let Some(Object::Reference(last)) = e.kids.last() else {
            return id;
        };
        let last = *last;
        if let Some(s) = self.spans.last().filter(|s| s.id == last && s.parent == id) {
            return s.id;
        }
        let span = lo.new_object_id();
        e.kids.push(Object::Reference(span));
        self.spans.push(Span {
            id: span,
            parent: id,
            kids: Vec::new(),
        });
        span
    }

    /// The page's entry in the parent tree (its marked content by id), and its own keys.
    fn close_page(
        &mut self,
        lo: &mut lopdf::Document,
        pi: usize,
        page_id: ObjectId,
        by_mcid: &mut [(u32, ObjectId)],
    ) {
        by_mcid.sort_by_key(|(m, _)| *m);
        if let Ok(Object::Dictionary(pd)) = lo.get_object_mut(page_id) {
            pd.set("StructParents", pi as i64);
            // Tab order follows the structure (PDF/UA).
            pd.set("Tabs", "S");
        }
        self.parent_tree.push(Object::Integer(pi as i64));
        self.parent_tree.push(Object::Array(
            by_mcid
                .iter()
                .map(|(_, id)| Object::Reference(*id))
                .collect(),
        ));
    }

    /// A link annotation as the last kid of its link element.
    fn attach_annotation(
        &mut self,
        lo: &mut lopdf::Document,
        trees: &HashMap<u32, Tree>,
        node: NodeRef,
        page: ObjectId,
        annot: ObjectId,
    ) {
        let id = self.attach(node, trees, lo);
        let mut objr = Dictionary::new();
        objr.set("Type", "OBJR");
        objr.set("Pg", Object::Reference(page));
        objr.set("Obj", Object::Reference(annot));
        if let Some(e) = self.elems.get_mut(&node) {
            e.kids.push(Object::Dictionary(objr));
        }
        if let Ok(Object::Dictionary(a)) = lo.get_object_mut(annot) {
            a.set("StructParent", self.next_key);
        }
        self.annot_parents.push(Object::Integer(self.next_key));
        self.annot_parents.push(Object::Reference(id));
        self.next_key += 1;
    }

    /// Writes every attached element, in the order attached. An element with no content of
    /// its own (a table, a section) takes the page of its first kid's: checkers find a
    /// table on its page by its /Pg (outloud's TBL-014 reported the sample's comparison
    /// tables as grids no table covers).
    fn write_elements(mut self, lo: &mut lopdf::Document, trees: &HashMap<u32, Tree>) {
        let mut page_of: HashMap<ObjectId, ObjectId> = HashMap::new();
        for s in std::mem::take(&mut self.spans) {
            let mut d = Dictionary::new();
            d.set("Type", "StructElem");
            d.set("S", "Span");
            d.set("P", Object::Reference(s.parent));
            d.set("K", s.kids);
            lo.objects.insert(s.id, Object::Dictionary(d));
        }
        for n in self.order.iter().rev() {
            let Some(e) = self.elems.get_mut(n) else {
                continue;
            };
            if e.pg.is_none() {
                e.pg = e.kids.iter().find_map(|k| match k {
                    Object::Reference(id) => page_of.get(id).copied(),
                    _ => None,
                });
            }
            if let Some(pg) = e.pg {
                page_of.insert(e.id, pg);
            }
        }
        for n in std::mem::take(&mut self.order) {
            let Some(e) = self.elems.remove(&n) else {
                continue;
            };
            let Some(node) = trees
                .get(&n.tree)
                .and_then(|t| t.nodes.get(n.node as usize))
            else {
                continue;
            };
            let id = e.id;
            lo.objects
                .insert(id, Object::Dictionary(element_dict(n, node, e)));
        }
    }

    /// The element of `n`, attached (with its ancestors) on first use.
    fn attach(
        &mut self,
        n: NodeRef,
        trees: &HashMap<u32, Tree>,
        lo: &mut lopdf::Document,
    ) -> ObjectId {
        if let Some(e) = self.elems.get(&n) {
            return e.id;
        }
        let tree = trees.get(&n.tree);
        let parent = tree
            .and_then(|t| t.nodes.get(n.node as usize))
            .and_then(|node| node.parent)
            .map(|p| NodeRef {
                tree: n.tree,
                node: p,
            });
        // The parent first; attaching it may attach this node too (a row attaches its cells).
        let parent_id = match parent {
            Some(p) => self.attach(p, trees, lo),
            None => self.document,
        };
        if let Some(e) = self.elems.get(&n) {
            return e.id;
        }
        let id = lo.new_object_id();
        match parent.and_then(|p| self.elems.get_mut(&p)) {
            Some(pe) => pe.kids.push(Object::Reference(id)),
            None => self.doc_kids.push(Object::Reference(id)),
        }
        self.elems.insert(
            n,
            StructElem {
                id,
                parent: parent_id,
                kids: Vec::new(),
                pg: None,
            },
        );
        self.order.push(n);
        // A table row holds all its cells, empty ones too, so every row spans the grid.
        if let Some(t) = tree {
            if t.nodes.get(n.node as usize).map(|x| x.role) == Some(Role::TR) {
                let cells: Vec<u32> = (0..t.nodes.len() as u32)
                    .filter(|&c| t.nodes[c as usize].parent == Some(n.node))
                    .collect();
                for c in cells {
                    self.attach(
                        NodeRef {
                            tree: n.tree,
                            node: c,
                        },
                        trees,
                        lo,
                    );
                }
            }
        }
        id
    }
}
