//! The Go package a finding's file belongs to: its files parsed once, and the searches a
//! pattern needs beyond one function: a package-level variable, what closes or sends on a
//! struct field, and whether anything calls a method.

use std::cell::RefCell;
use std::collections::BTreeSet;

use tree_sitter::Node;

use super::scope::Code;
use crate::source::analyze::ParsedFile;
use crate::source::analyze::shared::{Go, parts, unparen, walk};

/// One file of the package, parsed.
pub struct PackageFile<'a> {
    /// Repository-relative path.
    pub path: &'a str,
    pub parsed: &'a ParsedFile<'a>,
}

/// The package's files with their trees: all of them, or a part, when the names it was
/// searched for say which others must be added (every search is for a name, and a file whose
/// text does not hold the name cannot match).
pub(super) struct Package<'t> {
    pub(super) files: Vec<(&'t str, Go<'t>)>,
    /// Every file of the package is here.
    complete: bool,
    /// With a part of the package: the names searched for.
    wanted: RefCell<BTreeSet<String>>,
}

/// A node in one of the package's files.
#[derive(Clone, Copy, Debug)]
pub(super) struct At<'t> {
    pub(super) file: usize,
    pub(super) node: Node<'t>,
}

impl<'t> Package<'t> {
    pub(super) fn new(files: &'t [PackageFile<'t>], complete: bool) -> Package<'t> {
        Package {
            files: files
                .iter()
                .filter_map(|file| Some((file.path, file.parsed.go()?)))
                .collect(),
            complete,
            wanted: RefCell::new(BTreeSet::new()),
        }
    }

    /// The names searched for in a part of the package.
    pub(super) fn wanted(self) -> BTreeSet<String> {
        self.wanted.into_inner()
    }

    fn want(&self, name: &str) {
        if !self.complete {
            self.wanted.borrow_mut().insert(name.to_owned());
        }
    }

    /// The package-level `var` spec declaring `name`, in any file.
    pub(super) fn package_var(&self, name: &str) -> Option<At<'t>> {
        self.want(name);
        self.files
            .iter()
            .enumerate()
            .find_map(|(file, (_, go))| Code(go).package_var(name).map(|node| At { file, node }))
    }

    /// Every `close(E.field)` in the package.
    pub(super) fn field_closes(&self, field: &str) -> Vec<At<'t>> {
        self.want(field);
        self.find(|go, node| {
            node.kind() == "call_expression"
                && node
                    .child_by_field_name("function")
                    .is_some_and(|function| go.text(function) == "close")
                && node
                    .child_by_field_name("arguments")
                    .and_then(|arguments| parts(arguments).next())
                    .map(unparen)
                    .is_some_and(|argument| field_of(go, argument) == Some(field))
        })
    }

    /// Every send on `E.field`, and every place `E.field` is assigned other than by `make`
    /// (which may swap in a channel that something else closes).
    pub(super) fn field_sends_or_swaps(&self, field: &str) -> Vec<At<'t>> {
        self.want(field);
        self.find(|go, node| match node.kind() {
            "send_statement" => node
                .child_by_field_name("channel")
                .map(unparen)
                .is_some_and(|channel| field_of(go, channel) == Some(field)),
            "assignment_statement" => node.child_by_field_name("left").is_some_and(|left| {
                let rights: Vec<Node> = node
                    .child_by_field_name("right")
                    .map(|right| parts(right).collect())
                    .unwrap_or_default();
                parts(left).enumerate().any(|(index, left)| {
                    field_of(go, left) == Some(field)
                        && !rights
                            .get(index)
                            .is_some_and(|right| go.makes_channel(unparen(*right)))
                })
            }),
            _ => false,
        })
    }

    /// Where `E.field` or `T{field: …}` is given a `make(chan …)`.
    pub(super) fn field_make(&self, field: &str) -> Option<At<'t>> {
        self.want(field);
        self.find(|go, node| match node.kind() {
            "keyed_element" => {
                let key = node
                    .child_by_field_name("key")
                    .and_then(|key| parts(key).next());
                let value = node
                    .child_by_field_name("value")
                    .and_then(|value| parts(value).next())
                    .map(unparen);
                key.is_some_and(|key| go.text(key) == field)
                    && value.is_some_and(|value| go.makes_channel(value))
            }
            "assignment_statement" => {
                let lefts: Vec<Node> = node
                    .child_by_field_name("left")
                    .map(|left| parts(left).collect())
                    .unwrap_or_default();
                let rights: Vec<Node> = node
                    .child_by_field_name("right")
                    .map(|right| parts(right).collect())
                    .unwrap_or_default();
                lefts.len() == rights.len()
                    && lefts.iter().zip(&rights).any(|(left, right)| {
                        field_of(go, *left) == Some(field) && go.makes_channel(unparen(*right))
                    })
            }
            _ => false,
        })
        .into_iter()
        .next()
    }

    /// References to a method or function called `name` outside its own body and outside
    /// test files (unless it is in one): calls (`s.Stop()`, `Stop()`) and method values
    /// (`t.Cleanup(s.Stop)`).
    pub(super) fn references(&self, name: &str, except: At<'t>) -> Vec<At<'t>> {
        self.want(name);
        // Code in a test file runs with the tests, which are then part of the program.
        let tests = self
            .files
            .get(except.file)
            .is_some_and(|(path, _)| path.ends_with("_test.go"));
        let mut found = Vec::new();
        for (file, (path, go)) in self.files.iter().enumerate() {
            if path.ends_with("_test.go") && !tests {
                continue;
            }
            walk(go.root, |node, _| {
                if file == except.file && node == except.node {
                    return false;
                }
                let named = match node.kind() {
                    "selector_expression" => node
                        .child_by_field_name("field")
                        .is_some_and(|field| go.text(field) == name),
                    "identifier" => go.text(node) == name,
                    _ => false,
                };
                if named {
                    found.push(At { file, node });
                }
                true
            });
        }
        found
    }

    /// Nodes of the package for which `matches` holds, in file order then source order.
    fn find(&self, matches: impl Fn(&Go<'t>, Node<'t>) -> bool) -> Vec<At<'t>> {
        let mut found = Vec::new();
        for (file, (_, go)) in self.files.iter().enumerate() {
            walk(go.root, |node, _| {
                if matches(go, node) {
                    found.push(At { file, node });
                }
                true
            });
        }
        found
    }
}

/// `field` when `node` is `E.field`.
pub(super) fn field_of<'t>(go: &Go<'t>, node: Node<'t>) -> Option<&'t str> {
    (node.kind() == "selector_expression")
        .then(|| node.child_by_field_name("field"))
        .flatten()
        .map(|field| go.text(field))
}
