//! What the classifier may take for granted about an operation a profile saw blocked, checked
//! before the source alone reports it: a send on a buffered channel may never wait, a range
//! that can leave its loop does not wait for a close, and counterparts the source cannot
//! count (a loop of senders, goroutines serving each other) say nothing.

use tree_sitter::Node;

use super::super::scope::{Binding, Code, Role, Use, is_function};
use super::super::shapes::{Origin, Shapes};
use crate::blocking::Op;
use crate::source::analyze::shared::{parts, unparen, walk};

/// Whether the source cannot count the operations that would serve a goroutine's send or
/// receive on a local channel, which a profile would have settled by showing it blocked:
/// - the goroutines started by the same `go` statement serve each other (a token passed
///   round, a semaphore): the counterpart runs in the operation's own goroutine;
/// - the function that made the channel receives in a loop, and either a loop of `go`
///   statements starts the senders (how many turns it takes is a count the source does not
///   tell), or nothing in the loop can leave it before the receive (no other case of its
///   select leaves the loop).
pub(super) fn uncounted<'t>(
    shapes: &Shapes<'_, 't>,
    node: Node<'t>,
    op: Op,
    channel: Node<'t>,
) -> bool {
    let go = shapes.go;
    let Origin::Local {
        name,
        binding: binding @ Binding::Local { list, .. },
        owner,
    } = shapes.origin(channel, None, 0)
    else {
        return false;
    };
    let uses = go.uses(name, binding);
    let Some(me) = uses.iter().find(|found| found.node == node) else {
        return false;
    };
    let Ok(Some(start)) = go.goroutine_of(me.anchor, owner) else {
        return false;
    };
    let serves = |found: &Use<'t>| match op {
        Op::Send => matches!(found.role, Role::Receive | Role::Range),
        _ => matches!(found.role, Role::Send | Role::Close),
    };
    let mut counterparts = uses.iter().filter(|found| serves(found));
    if counterparts
        .clone()
        .any(|found| found.node != node && go.goroutine_of(found.anchor, owner) == Ok(Some(start)))
    {
        return true;
    }
    if op != Op::Send {
        return false;
    }
    let many = !go.loops_between(start, list).is_empty();
    counterparts.any(|found| {
        let in_loop = found.role == Role::Range || !go.loops_between(found.anchor, list).is_empty();
        if !in_loop || go.goroutine_of(found.anchor, owner) != Ok(None) {
            return false;
        }
        if many {
            return true;
        }
        let Some(select) = found.select else {
            return true;
        };
        // A one-sender loop that can leave through another case of its select abandons it:
        // that is the timeout the classifier names. Without one, it receives in the end.
        !parts(select)
            .filter(|case| matches!(case.kind(), "communication_case" | "default_case"))
            .filter(|case| {
                !(case.start_byte() <= found.node.start_byte()
                    && found.node.end_byte() <= case.end_byte())
            })
            .any(|case| case_leaves(go, case))
    })
}

/// Whether a select case's body leaves the loop around the select: a `return`, a `goto`, a
/// labelled `break`, a `panic` (a plain `break` only leaves the select).
fn case_leaves(go: Code<'_, '_>, case: Node<'_>) -> bool {
    let mut leaves = false;
    walk(case, |node, _| {
        if leaves || is_function(node) {
            return false;
        }
        leaves = match node.kind() {
            "return_statement" | "goto_statement" => true,
            "break_statement" => parts(node).next().is_some(),
            "call_expression" => node
                .child_by_field_name("function")
                .is_some_and(|function| go.text(function) == "panic"),
            _ => false,
        };
        !leaves
    });
    leaves
}

/// Whether the channel's make gives it a buffer (a capacity other than a literal 0).
pub(super) fn buffered(shapes: &Shapes<'_, '_>, channel: Node<'_>) -> bool {
    let Origin::Local {
        binding: Binding::Local {
            value: Some(value), ..
        },
        ..
    } = shapes.origin(channel, None, 0)
    else {
        return false;
    };
    let value = unparen(value);
    shapes.go.makes_channel(value)
        && value
            .child_by_field_name("arguments")
            .and_then(|arguments| parts(arguments).nth(1))
            .is_some_and(|capacity| shapes.go.text(capacity).trim() != "0")
}

/// Whether the body of the loop `loop_` can leave it for good: a `return`, a `break` that
/// ends it, a `goto`, or a `panic`.
pub(super) fn leaves(go: Code<'_, '_>, loop_: Node<'_>) -> bool {
    let Some(body) = loop_.child_by_field_name("body") else {
        return false;
    };
    let mut leaves = false;
    walk(body, |node, ancestors| {
        if leaves || is_function(node) {
            return false;
        }
        match node.kind() {
            "return_statement" | "goto_statement" => leaves = true,
            "break_statement" => match parts(node).next() {
                // A labelled break leaves this loop (or one around it) unless its label is
                // on a statement inside the body.
                Some(name) => {
                    let name = go.text(name);
                    leaves = !ancestors.iter().any(|ancestor| {
                        ancestor.kind() == "labeled_statement"
                            && ancestor
                                .child_by_field_name("label")
                                .is_some_and(|label| go.text(label) == name)
                    });
                }
                // A plain break leaves the innermost loop, switch or select around it.
                None => {
                    let inner = ancestors.iter().rev().find(|ancestor| {
                        matches!(
                            ancestor.kind(),
                            "for_statement"
                                | "expression_switch_statement"
                                | "type_switch_statement"
                                | "select_statement"
                        )
                    });
                    leaves = inner.is_none();
                }
            },
            "call_expression" => {
                leaves = node
                    .child_by_field_name("function")
                    .is_some_and(|function| go.text(function) == "panic");
            }
            _ => {}
        }
        !leaves
    });
    leaves
}
