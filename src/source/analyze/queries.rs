//! The tree-sitter queries of the analysis, in `.scm` files next to this one, compiled once
//! against the pinned Go grammar.
//!
//! A query states a shape that is a plain pattern: which packages the file imports and
//! under which names, whether a call makes a channel. What is positional (the n-th name
//! on the left of `:=` pairs with the n-th value, a binding counts only before its use)
//! stays in Rust, as the module doc of [`super`] explains.

use std::sync::LazyLock;

use tree_sitter::{Language, Node, Query, QueryCursor, StreamingIterator};

/// Every query file, by name. The test at the bottom compiles each against the grammar.
const SOURCES: [(&str, &str); 2] = [
    ("imports.scm", include_str!("imports.scm")),
    ("make_chan.scm", include_str!("make_chan.scm")),
];

/// The compiled queries and the indices of the captures the analysis reads.
pub(crate) struct Queries {
    imports: Query,
    import_path: u32,
    import_name: u32,
    make_chan: Query,
    make_call: u32,
}

/// Compiled on first use; an error names the query file and what the grammar rejected.
static QUERIES: LazyLock<Result<Queries, String>> =
    LazyLock::new(|| Queries::compile(&tree_sitter_go::LANGUAGE.into()));

/// The queries, or why they do not compile against the Go grammar built into the binary.
pub(super) fn queries() -> Result<&'static Queries, String> {
    QUERIES.as_ref().map_err(Clone::clone)
}

impl Queries {
    fn compile(language: &Language) -> Result<Self, String> {
        let [imports, make_chan] = SOURCES.map(|(file, source)| {
            Query::new(language, source)
                .map_err(|error| format!("the query {file} does not fit the Go grammar: {error}"))
        });
        let (imports, make_chan) = (imports?, make_chan?);
        Ok(Queries {
            import_path: capture(&imports, SOURCES[0].0, "path")?,
            import_name: capture(&imports, SOURCES[0].0, "name")?,
            imports,
            make_call: capture(&make_chan, SOURCES[1].0, "make")?,
            make_chan,
        })
    }

    /// The packages `declaration` (an `import_declaration`) imports, as (path, local name):
    /// `("time", "time")`, `("time", "t")` for `import t "time"`. Dot and blank imports are
    /// left out: they give no name to qualify with.
    pub(crate) fn imports<'t>(
        &self,
        declaration: Node<'t>,
        source: &'t str,
    ) -> Vec<(&'t str, &'t str)> {
        let text = |node: Node| source.get(node.byte_range()).unwrap_or("");
        let mut imports = Vec::new();
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(&self.imports, declaration, source.as_bytes());
        while let Some(found) = matches.next() {
            let node = |index| {
                found
                    .captures
                    .iter()
                    .find(|capture| capture.index == index)
                    .map(|capture| capture.node)
            };
            let Some(path) = node(self.import_path).map(|path| text(path).trim_matches(['"', '`']))
            else {
                continue;
            };
            // A plain import is used under the package's name, which for the standard
            // library is the last element of the path.
            let name = node(self.import_name)
                .map_or_else(|| path.rsplit('/').next().unwrap_or(path), text);
            imports.push((path, name));
        }
        imports
    }

    /// Whether `call` is `make(chan T[, N])`.
    pub(crate) fn makes_channel(&self, call: Node, source: &str) -> bool {
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(&self.make_chan, call, source.as_bytes());
        while let Some(found) = matches.next() {
            let whole = found
                .captures
                .iter()
                .any(|capture| capture.index == self.make_call && capture.node == call);
            if whole {
                return true;
            }
        }
        false
    }
}

/// The index of the capture `@name` in `query`, which the analysis reads.
fn capture(query: &Query, file: &str, name: &str) -> Result<u32, String> {
    query
        .capture_index_for_name(name)
        .ok_or_else(|| format!("the query {file} has no capture @{name}"))
}

#[cfg(test)]
mod tests {
    use tree_sitter::{Parser, Tree};

    use super::super::tree::{parts, walk};
    use super::*;

    fn parse(source: &str) -> Tree {
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_go::LANGUAGE.into())
            .expect("the Go grammar fits the library");
        parser
            .parse(source, None)
            .expect("the parser returns a tree")
    }

    #[test]
    fn every_query_compiles_against_the_pinned_grammar() {
        let language: Language = tree_sitter_go::LANGUAGE.into();
        for (file, source) in SOURCES {
            if let Err(error) = Query::new(&language, source) {
                panic!("{file}: {error}");
            }
        }
        if let Err(error) = queries() {
            panic!("{error}");
        }
    }

    #[test]
    fn imports() {
        let source = r#"package p

import "time"

import (
	t "time"
	. "time"
	_ "time"
	"net/http" // a comment
	c "context"
	`sync`
)
"#;
        let tree = parse(source);
        let queries = queries().expect("the queries compile");
        let imports: Vec<(&str, &str)> = parts(tree.root_node())
            .filter(|node| node.kind() == "import_declaration")
            .flat_map(|declaration| queries.imports(declaration, source))
            .collect();
        assert_eq!(
            imports,
            [
                ("time", "time"),
                ("time", "t"),
                ("net/http", "http"),
                ("context", "c"),
                ("sync", "sync"),
            ]
        );
    }

    #[test]
    fn makes_channel() {
        let queries = queries().expect("the queries compile");
        for (call, expected) in [
            ("make(chan int)", true),
            ("make(chan int, 10)", true),
            ("make(<-chan int, len(xs))", true),
            ("make(chan<- chan int)", true),
            ("make(/* why */ chan int)", true),
            ("make(/* a */ /* b */ chan int, 1)", true),
            ("make(n, chan int)", false),
            ("make([]chan int, 3)", false),
            ("make(map[string]chan int)", false),
            ("(make)(chan int)", false),
            ("mk(chan int)", false),
            ("x.make(chan int)", false),
            ("f(make(chan int))", false),
        ] {
            let source = format!("package p\n\nvar v = {call}\n");
            let tree = parse(&source);
            let mut first = None;
            walk(tree.root_node(), |node, _| {
                if node.kind() == "call_expression" && first.is_none() {
                    first = Some(node);
                }
                first.is_none()
            });
            let call_node = first.unwrap_or_else(|| panic!("no call in {call}"));
            assert_eq!(
                queries.makes_channel(call_node, &source),
                expected,
                "{call}"
            );
        }
    }
}
