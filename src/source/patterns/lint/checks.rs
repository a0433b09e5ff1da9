//! What the classifier may take for granted about an operation a profile saw blocked, checked
//! before the source alone reports it: a send on a buffered channel may never wait, a range
//! that can leave its loop does not wait for a close, and counterparts the source cannot
//! count (a loop of senders, goroutines serving each other) say nothing.

use tree_sitter::Node;

use super::super::scope::{Binding, Code, Role, Use, is_function};
use super::super::shapes::{Origin, Shapes};
use super::case_channel;
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
    let loops = go.loops_between(start, list);
    let many = !loops.is_empty();
    // A loop of a fixed count (`for i := 0; i < 2; i++`) whose goroutines the owner receives
    // from as many times, one after the other, leaves none behind.
    if let Some(count) = fixed_count(go, &loops) {
        let received = counterparts
            .clone()
            .filter(|found| {
                found.role == Role::Receive
                    && go.goroutine_of(found.anchor, owner) == Ok(None)
                    && go.loops_between(found.anchor, list).is_empty()
            })
            .count();
        if received as u64 >= count {
            return true;
        }
    }
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

/// Whether a case of the select waits on a local channel whose counterparts the source
/// cannot count ([`uncounted`]): goroutines of one `go` statement that send and receive on it
/// in their selects serve each other.
pub(super) fn uncounted_case<'t>(shapes: &Shapes<'_, 't>, select: Node<'t>) -> bool {
    parts(select)
        .filter(|case| case.kind() == "communication_case")
        .any(|case| {
            let Some(communication) = case.child_by_field_name("communication") else {
                return false;
            };
            let (node, op) = match communication.kind() {
                "send_statement" => (communication, Op::Send),
                _ => match communication
                    .child_by_field_name("right")
                    .map(unparen)
                    .filter(|right| right.kind() == "unary_expression")
                {
                    Some(receive) => (receive, Op::Receive),
                    None => return false,
                },
            };
            case_channel(case).is_some_and(|channel| uncounted(shapes, node, op, channel))
        })
}

/// The number of turns of the one loop `loops` holds, when its header says it as a number:
/// `for i := 0; i < 2; i++` (or `<= 1`).
fn fixed_count(go: Code<'_, '_>, loops: &[Node<'_>]) -> Option<u64> {
    let [only] = loops else {
        return None;
    };
    let clause = parts(*only).find(|part| part.kind() == "for_clause")?;
    let start = clause
        .child_by_field_name("initializer")
        .and_then(|init| init.child_by_field_name("right"))
        .and_then(|right| parts(right).next())
        .map(|value| go.text(value).trim())?;
    let condition = clause.child_by_field_name("condition")?;
    let operator = condition.child_by_field_name("operator")?.kind();
    let bound: u64 = go
        .text(condition.child_by_field_name("right")?)
        .trim()
        .parse()
        .ok()?;
    let start: u64 = start.parse().ok()?;
    match operator {
        "<" => bound.checked_sub(start),
        "<=" => bound.checked_add(1)?.checked_sub(start),
        _ => None,
    }
}
