//! What a package does with its struct fields, gathered in one walk: a wait on a field is a
//! lint finding only when the field can be a done channel nothing closes, and a field that is
//! sent on, passed elsewhere or set from another channel may be closed out of sight.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::super::PackageFile;
use crate::source::analyze::shared::{parts, unparen, walk};

/// What the package does with its struct fields, by name, gathered in one walk: whether a
/// field can be a done channel that nothing closes (the only way a wait on a field becomes a
/// lint finding), which needs it made somewhere, never sent on, and never used other than to
/// wait on it, close it, make it or compare it ([`field_use`]). A field passed to a function,
/// stored elsewhere or set from another channel is closed out of sight.
#[derive(Default)]
pub(super) struct FieldIndex<'t> {
    escaping: BTreeSet<&'t str>,
    sent: BTreeSet<&'t str>,
    made: BTreeSet<&'t str>,
}

impl<'t> FieldIndex<'t> {
    pub(super) fn of(files: &'t [PackageFile<'t>]) -> FieldIndex<'t> {
        let mut index = FieldIndex::default();
        for file in files {
            let Some(go) = file.parsed.go() else {
                continue;
            };
            let text = file.parsed.text();
            let name = |node: Node<'_>| text.get(node.byte_range()).unwrap_or("");
            walk(go.root, |node, ancestors| {
                match node.kind() {
                    "selector_expression" => {
                        let Some(field) = node.child_by_field_name("field").map(name) else {
                            return true;
                        };
                        match field_use(&go, node, ancestors) {
                            FieldUse::Stays => {}
                            FieldUse::Sent => {
                                index.sent.insert(field);
                            }
                            FieldUse::Made => {
                                index.made.insert(field);
                            }
                            FieldUse::Escapes => {
                                index.escaping.insert(field);
                            }
                        }
                    }
                    "keyed_element" => {
                        let key = node
                            .child_by_field_name("key")
                            .and_then(|key| parts(key).next());
                        let value = node
                            .child_by_field_name("value")
                            .and_then(|value| parts(value).next())
                            .map(unparen);
                        if let Some(key) = key.map(name) {
                            if value.is_some_and(|value| go.makes_channel(value)) {
                                index.made.insert(key);
                            } else {
                                index.escaping.insert(key);
                            }
                        }
                    }
                    _ => {}
                }
                true
            });
        }
        index
    }

    pub(super) fn may_be_never_closed(&self, field: &str) -> bool {
        self.made.contains(field) && !self.sent.contains(field) && !self.escaping.contains(field)
    }
}

/// What one use of a field (`x.f`) does with the channel.
enum FieldUse {
    /// Waited on, ranged over, closed, compared, measured.
    Stays,
    Sent,
    /// `x.f = make(chan T)`.
    Made,
    Escapes,
}

/// What the use `use_` of a field does, told from its ancestors (the walk's).
fn field_use(
    go: &crate::source::analyze::shared::Go<'_>,
    use_: Node<'_>,
    ancestors: &[Node<'_>],
) -> FieldUse {
    let mut node = use_;
    let mut above = ancestors.iter().rev().copied();
    let mut parent = above.next();
    while let Some(paren) = parent.filter(|parent| parent.kind() == "parenthesized_expression") {
        node = paren;
        parent = above.next();
    }
    let Some(parent) = parent else {
        return FieldUse::Escapes;
    };
    let stays = |yes: bool| {
        if yes {
            FieldUse::Stays
        } else {
            FieldUse::Escapes
        }
    };
    match parent.kind() {
        "unary_expression" => stays(
            parent
                .child_by_field_name("operator")
                .is_some_and(|operator| operator.kind() == "<-"),
        ),
        "send_statement" if parent.child_by_field_name("channel") == Some(node) => FieldUse::Sent,
        "range_clause" => stays(parent.child_by_field_name("right") == Some(node)),
        "binary_expression" => stays(
            parent
                .child_by_field_name("operator")
                .is_some_and(|operator| matches!(operator.kind(), "==" | "!=")),
        ),
        "argument_list" => stays(
            above
                .next()
                .and_then(|call| call.child_by_field_name("function"))
                .is_some_and(|function| matches!(go.text(function), "close" | "len" | "cap")),
        ),
        "expression_list" => {
            // `x.f = make(chan T)`: the left side of an assignment from a make.
            let Some(statement) = above
                .next()
                .filter(|statement| statement.kind() == "assignment_statement")
            else {
                return FieldUse::Escapes;
            };
            if statement.child_by_field_name("left") != Some(parent) {
                return FieldUse::Escapes;
            }
            let index = parts(parent).position(|part| part == node);
            let value = statement
                .child_by_field_name("right")
                .and_then(|right| parts(right).nth(index?))
                .map(unparen);
            if value.is_some_and(|value| go.makes_channel(value)) {
                FieldUse::Made
            } else {
                FieldUse::Escapes
            }
        }
        _ => FieldUse::Escapes,
    }
}
