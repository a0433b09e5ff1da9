//! The parsed file and the tree-walking helpers every other part of the analysis uses:
//! node text as written (on one line, without comments), ancestors found by one descent
//! from the root, and a cursor walk that cannot overflow the stack on deeply nested files.

use tree_sitter::Node;

use super::queries::Queries;

/// One parsed file.
pub(crate) struct Go<'t> {
    pub(crate) source: &'t str,
    pub(crate) root: Node<'t>,
    pub(crate) queries: &'static Queries,
    /// Local names of the `time` import (`time`, or `t` after `import t "time"`).
    pub(crate) time: Vec<&'t str>,
    /// Local names of the `context` import.
    pub(crate) context: Vec<&'t str>,
}

impl<'t> Go<'t> {
    pub(crate) fn new(source: &'t str, root: Node<'t>, queries: &'static Queries) -> Self {
        let imports: Vec<(&str, &str)> = parts(root)
            .filter(|node| node.kind() == "import_declaration")
            .flat_map(|declaration| queries.imports(declaration, source))
            .collect();
        let named = |package: &str| -> Vec<&'t str> {
            imports
                .iter()
                .filter(|(path, _)| *path == package)
                .map(|(_, name)| *name)
                .collect()
        };
        Go {
            source,
            root,
            queries,
            time: named("time"),
            context: named("context"),
        }
    }

    pub(crate) fn text(&self, node: Node) -> &'t str {
        self.source.get(node.byte_range()).unwrap_or("")
    }

    /// `node` as written, on one line and without comments.
    pub(crate) fn written(&self, node: Node) -> String {
        self.written_between(node, node.start_byte(), node.end_byte())
    }

    /// The source between two offsets inside `scope`, on one line and without comments.
    pub(crate) fn written_between(&self, scope: Node, start: usize, end: usize) -> String {
        let mut text = String::new();
        let mut at = start;
        walk(scope, |node, _| {
            if node.end_byte() <= at || node.start_byte() >= end {
                return false;
            }
            if node.kind() == "comment" {
                text.push_str(self.source.get(at..node.start_byte()).unwrap_or(""));
                text.push(' ');
                at = node.end_byte();
                return false;
            }
            true
        });
        if at < end {
            text.push_str(self.source.get(at..end).unwrap_or(""));
        }
        one_line(&text)
    }

    /// `node` and its ancestors up to the root, innermost first. tree-sitter finds a
    /// node's parent by descending from the root, so climbing with `parent()` would take
    /// time quadratic in the depth; one descent collects the whole chain.
    pub(crate) fn ancestry(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut chain = vec![self.root];
        let mut at = self.root;
        while at != node {
            match at.child_with_descendant(node) {
                Some(child) if child != at => {
                    chain.push(child);
                    at = child;
                }
                _ => break,
            }
        }
        chain.reverse();
        chain
    }
}

pub(crate) fn is_receive(node: Node) -> bool {
    node.kind() == "unary_expression"
        && node
            .child_by_field_name("operator")
            .is_some_and(|operator| operator.kind() == "<-")
}

/// A name or a chain of field selections on one (`ch`, `s.results`).
pub(crate) fn is_reference(node: Node) -> bool {
    let mut node = node;
    loop {
        match node.kind() {
            "identifier" => return true,
            "selector_expression" => match node.child_by_field_name("operand") {
                Some(operand) => node = operand,
                None => return false,
            },
            _ => return false,
        }
    }
}

/// The left and right sides of `a, b = x, y` (or `:=`) paired up; a right side is None
/// when the sides do not pair (`a, b := f()`).
pub(crate) fn paired(statement: Node) -> Vec<(Node, Option<Node>)> {
    let lefts: Vec<Node> = statement
        .child_by_field_name("left")
        .map(|left| parts(left).collect())
        .unwrap_or_default();
    let rights: Vec<Node> = statement
        .child_by_field_name("right")
        .map(|right| parts(right).collect())
        .unwrap_or_default();
    let pairs = lefts.len() == rights.len();
    lefts
        .iter()
        .enumerate()
        .map(|(index, left)| (*left, pairs.then(|| rights.get(index).copied()).flatten()))
        .collect()
}

/// Named children other than comments, stepped through with a cursor (`named_child(i)`
/// counts from the first child each time).
pub(crate) fn parts<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = node.walk();
    let mut started = false;
    std::iter::from_fn(move || {
        loop {
            let moved = if started {
                cursor.goto_next_sibling()
            } else {
                started = true;
                cursor.goto_first_child()
            };
            if !moved {
                return None;
            }
            let child = cursor.node();
            if child.is_named() && child.kind() != "comment" {
                return Some(child);
            }
        }
    })
}

pub(crate) fn unparen(node: Node) -> Node {
    let mut node = node;
    while node.kind() == "parenthesized_expression" {
        match parts(node).next() {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

pub(crate) fn line_of(node: Node) -> u32 {
    u32::try_from(node.start_position().row.saturating_add(1)).unwrap_or(u32::MAX)
}

/// Source text on one line: whitespace runs collapsed, none just inside brackets, and no
/// trailing comma left by a parameter list written one per line.
fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let glue =
            line.ends_with(['(', '[']) || word.starts_with([')', ']', ',']) || line.is_empty();
        if !glue {
            line.push(' ');
        }
        line.push_str(word);
    }
    line.replace(",)", ")").replace(",]", "]")
}

/// Visits `node` and its descendants in source order, with a cursor rather than recursion
/// so that a deeply nested file cannot overflow the stack. `visit` gets each node and its
/// ancestors from `node` down (tree-sitter would find each parent again from the root),
/// and returns whether to look inside it.
pub(crate) fn walk<'t>(node: Node<'t>, mut visit: impl FnMut(Node<'t>, &[Node<'t>]) -> bool) {
    let mut cursor = node.walk();
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    loop {
        let current = cursor.node();
        if visit(current, &ancestors) && cursor.goto_first_child() {
            ancestors.push(current);
            continue;
        }
        loop {
            if ancestors.is_empty() {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            ancestors.pop();
        }
    }
}
