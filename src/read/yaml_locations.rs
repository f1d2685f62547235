//! Where each node of a YAML text is written, by its path (`resources[2].for[0]`), so a
//! problem found after parsing (a bad phone number, an unknown article in a `for:` list) is
//! reported at its own line and column however the YAML is laid out: block or flow style,
//! any indentation, comments anywhere. serde_yaml gives values without places; the places
//! come from a second, event-level parse (saphyr-parser), which never rescans the text.

use saphyr_parser::{Event, Parser, Span};
use std::collections::HashMap;

/// A line and a column, both counted from 1; columns in characters.
pub type At = (usize, usize);

#[derive(Debug, Default)]
pub struct YamlLocations {
    values: HashMap<String, At>,
    keys: HashMap<String, At>,
}

/// A path step while walking the events: a mapping waiting for its key or its value, or a
/// sequence counting its items.
enum Frame {
    Mapping { key: Option<String> },
    Sequence { next: usize },
}

impl YamlLocations {
    /// The places of `text`'s first document. A text that does not parse gives the places
    /// found before the problem (serde_yaml reports the problem itself).
    pub fn of(text: &str) -> YamlLocations {
        let mut out = YamlLocations::default();
        let mut path: Vec<String> = Vec::new();
        let mut frames: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(text) {
            let Ok((event, span)) = event else { break };
            match event {
                Event::DocumentEnd => break,
                Event::Scalar(value, ..) => {
                    if out.key_expected(&frames) {
                        out.note_key(&mut frames, &path, value.into_owned(), span);
                    } else {
                        out.note_value(&mut frames, &mut path, span);
                        out.leave_value(&mut frames, &mut path);
                    }
                }
                Event::Alias(_) => {
                    if out.key_expected(&frames) {
                        // A key that is an alias: its items cannot be named by a path.
                        out.note_key(&mut frames, &path, "*".into(), span);
                    } else {
                        out.note_value(&mut frames, &mut path, span);
                        out.leave_value(&mut frames, &mut path);
                    }
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    if out.key_expected(&frames) {
                        // A complex key: named by a placeholder so its contents stay apart.
                        out.note_key(&mut frames, &path, "?".into(), span);
                    }
                    out.note_value(&mut frames, &mut path, span);
                    frames.push(match event {
                        Event::MappingStart(..) => Frame::Mapping { key: None },
                        _ => Frame::Sequence { next: 0 },
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    frames.pop();
                    out.leave_value(&mut frames, &mut path);
                }
                _ => {}
            }
        }
        out
    }

    /// Where the value at `path` starts (a scalar's first character; a block mapping's first
    /// key; a flow collection's bracket). `""` is the whole document.
    pub fn value(&self, path: &str) -> Option<At> {
        self.values.get(path).copied()
    }

    /// Where the key of the mapping entry at `path` is written.
    pub fn key(&self, path: &str) -> Option<At> {
        self.keys.get(path).copied()
    }

    /// The value's place, else its key's, else the nearest enclosing node's: a diagnostic
    /// about a node always lands on or near it.
    pub fn nearest(&self, path: &str) -> At {
        let mut p = path;
        loop {
            if let Some(at) = self.value(p).or_else(|| self.key(p)) {
                return at;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.value("").unwrap_or((1, 1)),
            }
        }
    }

    /// The line where each top-level entry starts (a mapping's key, a list's item), in
    /// order, with the key (or the item's index).
    pub fn top_level_lines(&self) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> = self
            .keys
            .iter()
            .filter(|(p, _)| !p.contains(['.', '[']))
            .map(|(p, at)| (at.0, p.clone()))
            .chain(
                self.values
                    .iter()
                    .filter(|(p, _)| p.starts_with('[') && !p[1..].contains(['.', '[']))
                    .map(|(p, at)| (at.0, p.clone())),
            )
            .collect();
        out.sort();
        out.dedup_by_key(|e| e.0);
        out
    }

    fn key_expected(&self, frames: &[Frame]) -> bool {
        matches!(frames.last(), Some(Frame::Mapping { key: None }))
    }

    fn note_key(&mut self, frames: &mut [Frame], path: &[String], key: String, span: Span) {
        let full = join(path, &key, true);
        self.keys.entry(full).or_insert(at(span));
        if let Some(Frame::Mapping { key: k }) = frames.last_mut() {
            *k = Some(key);
        }
    }

    /// Records where a value starts, and makes its path current.
    fn note_value(&mut self, frames: &mut [Frame], path: &mut Vec<String>, span: Span) {
        let step = match frames.last_mut() {
            None => None,
            Some(Frame::Mapping { key }) => Some((key.clone().unwrap_or_default(), true)),
            Some(Frame::Sequence { next }) => {
                *next += 1;
                Some(((*next - 1).to_string(), false))
            }
        };
        let full = match &step {
            None => String::new(),
            Some((s, is_key)) => join(path, s, *is_key),
        };
        self.values.entry(full.clone()).or_insert(at(span));
        if step.is_some() {
            path.push(full);
        }
    }

    /// A value is complete: its path is no longer current, and its mapping awaits a key.
    fn leave_value(&mut self, frames: &mut [Frame], path: &mut Vec<String>) {
        if !frames.is_empty() {
            path.pop();
        }
        if let Some(Frame::Mapping { key }) = frames.last_mut() {
            *key = None;
        }
    }
}

fn at(span: Span) -> At {
    (span.start.line(), span.start.col() + 1)
}

/// The path of a child: `parent.key` or `parent[index]` (a key at the top: just `key`).
fn join(path: &[String], step: &str, is_key: bool) -> String {
    let parent = path.last().map(String::as_str).unwrap_or("");
    match (is_key, parent.is_empty()) {
        (true, true) => step.to_string(),
        (true, false) => format!("{parent}.{step}"),
        (false, _) => format!("{parent}[{step}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn block_flow_and_unindented_lists_are_found() {
        let text = "# a comment\nname: East\nresources:\n- id: w1\n  for:\n  - a.md\n  - b.md\n- {id: e1, for: [c.md]}\n";
        let l = YamlLocations::of(text);
        assert_eq!(l.key("name"), Some((2, 1)));
        assert_eq!(l.value("name"), Some((2, 7)));
        assert_eq!(l.value("resources[0].id"), Some((4, 7)));
        assert_eq!(l.value("resources[0].for[1]"), Some((7, 5)));
        assert_eq!(l.value("resources[1].id"), Some((8, 8)));
        assert_eq!(l.value("resources[1].for[0]"), Some((8, 18)));
        assert_eq!(l.nearest("resources[1].phone"), (8, 3));
    }

    #[test]
    fn columns_count_characters() {
        let l = YamlLocations::of("título: «Hola»\nnext: é\n");
        assert_eq!(l.value("título"), Some((1, 9)));
        assert_eq!(l.value("next"), Some((2, 7)));
    }

    #[test]
    fn a_broken_text_keeps_what_came_before() {
        let l = YamlLocations::of("a: 1\nb: [unclosed\n");
        assert_eq!(l.value("a"), Some((1, 4)));
    }

    /// A random YAML tree, written out in block or flow style with random indentation, with
    /// where each scalar was written recorded as it is written.
    #[derive(Debug, Clone)]
    enum Node {
        Word(String),
        Map(Vec<(String, Node)>),
        List(Vec<Node>),
    }

    fn node() -> impl Strategy<Value = Node> {
        let word = "[a-z][a-z0-9é]{0,6}";
        let leaf = word.prop_map(Node::Word);
        leaf.prop_recursive(4, 40, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..5).prop_map(Node::List),
                prop::collection::btree_map(word, inner, 1..5)
                    .prop_map(|m| Node::Map(m.into_iter().collect())),
            ]
        })
    }

    struct Writer {
        text: String,
        line: usize,
        col: usize,
        places: Vec<(String, At)>,
    }

    impl Writer {
        fn put(&mut self, s: &str) {
            for c in s.chars() {
                self.text.push(c);
                if c == '\n' {
                    self.line += 1;
                    self.col = 1;
                } else {
                    self.col += 1;
                }
            }
        }

        fn here(&self) -> At {
            (self.line, self.col)
        }

        fn flow(&mut self, n: &Node, path: &str) {
            match n {
                Node::Word(w) => {
                    self.places.push((path.into(), self.here()));
                    self.put(w);
                }
                Node::List(items) => {
                    self.put("[");
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.put(", ");
                        }
                        self.flow(item, &format!("{path}[{i}]"));
                    }
                    self.put("]");
                }
                Node::Map(entries) => {
                    self.put("{");
                    for (i, (k, v)) in entries.iter().enumerate() {
                        if i > 0 {
                            self.put(", ");
                        }
                        self.put(&format!("{k}: "));
                        self.flow(v, &child(path, k));
                    }
                    self.put("}");
                }
            }
        }

        /// Writes `n` in block style at `indent`, the cursor already placed where it starts
        /// (after `key: ` or `- `); `styles` picks flow or block per collection.
        fn block(
            &mut self,
            n: &Node,
            path: &str,
            indent: usize,
            step: usize,
            styles: &mut impl Iterator<Item = bool>,
        ) {
            let flow = styles.next().unwrap_or(false);
            match n {
                Node::Word(_) => {
                    self.flow(n, path);
                    self.put("\n");
                }
                _ if flow => {
                    self.flow(n, path);
                    self.put("\n");
                }
                Node::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 || self.col == 1 {
                            self.put(&" ".repeat(indent));
                        }
                        self.put("- ");
                        self.block(item, &format!("{path}[{i}]"), indent + 2, step, styles);
                    }
                }
                Node::Map(entries) => {
                    for (i, (k, v)) in entries.iter().enumerate() {
                        if i > 0 || self.col == 1 {
                            self.put(&" ".repeat(indent));
                        }
                        self.put(&format!("{k}:"));
                        match v {
                            Node::Word(_) => {
                                self.put(" ");
                                self.block(v, &child(path, k), indent + step, step, styles);
                            }
                            _ => {
                                self.put("\n");
                                self.put(&" ".repeat(indent + step));
                                self.col = indent + step + 1;
                                self.block(v, &child(path, k), indent + step, step, styles);
                            }
                        }
                    }
                }
            }
        }
    }

    fn child(path: &str, key: &str) -> String {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    }

    proptest! {
        /// Every scalar of a random tree, however it is laid out, is found where it was
        /// written.
        #[test]
        fn every_scalar_is_found_where_it_was_written(
            tree in prop::collection::btree_map("[a-z]{1,6}", node(), 1..5),
            styles in prop::collection::vec(any::<bool>(), 64),
            step in 1usize..5,
            comment in any::<bool>(),
        ) {
            let mut w = Writer { text: String::new(), line: 1, col: 1, places: Vec::new() };
            if comment {
                w.put("# a comment first\n\n");
            }
            let root = Node::Map(tree.into_iter().collect());
            // The top-level mapping is a block; below it, any mix.
            let mut styles = std::iter::once(false).chain(styles);
            w.block(&root, "", 0, step, &mut styles);
            let found = YamlLocations::of(&w.text);
            for (path, place) in &w.places {
                prop_assert_eq!(found.value(path), Some(*place), "{} in\n{}", path, w.text);
            }
        }
    }
}
