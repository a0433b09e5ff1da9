//! Which channel operation a line holds: the send, receive, range or select whose telling
//! token the runtime reports sits on the line, and which of several to pick when a line
//! holds more than one.

use tree_sitter::Node;

use super::tree::{Go, parts, unparen, walk};
use crate::blocking::Op;

/// Whether the op the source shows is one the profile could have reported there.
pub(super) fn agrees(source: Op, profile: Op) -> bool {
    matches!(
        (source, profile),
        (_, Op::Unknown)
            | (Op::Send, Op::Send | Op::NilSend)
            | (Op::Receive, Op::Receive | Op::NilReceive)
            | (Op::Range, Op::Range | Op::Receive | Op::NilReceive)
            | (Op::Select, Op::Select)
            | (Op::SelectNoCases, Op::SelectNoCases)
    )
}

/// A channel operation whose telling token sits on the line.
#[derive(Clone, Copy)]
pub(super) struct Candidate<'t> {
    pub(super) node: Node<'t>,
    pub(super) op: Op,
    depth: usize,
}

/// The innermost candidate, among those agreeing with the profile when any does: in
/// `ch2 <- <-ch1` the receive runs first, but a profile that says "send" means the send.
pub(super) fn pick<'t>(candidates: &[Candidate<'t>], profile_op: Op) -> Option<Candidate<'t>> {
    let innermost = |candidates: &mut dyn Iterator<Item = &Candidate<'t>>| {
        candidates.fold(None, |best: Option<Candidate<'t>>, candidate| match best {
            Some(best) if best.depth >= candidate.depth => Some(best),
            _ => Some(*candidate),
        })
    };
    innermost(
        &mut candidates
            .iter()
            .filter(|candidate| agrees(candidate.op, profile_op)),
    )
    .or_else(|| innermost(&mut candidates.iter()))
}

impl<'t> Go<'t> {
    /// Channel operations whose telling token (the `<-` of a send or receive, the `for` of
    /// a range loop, the `select`) is on `row`: the line the runtime reports for them.
    pub(super) fn candidates(&self, row: usize) -> Vec<Candidate<'t>> {
        let mut found = Vec::new();
        walk(self.root, |node, ancestors| {
            if node.start_position().row > row || node.end_position().row < row {
                return false;
            }
            if let Some(op) = op_at(node, ancestors, row) {
                found.push(Candidate {
                    node,
                    op,
                    depth: ancestors.len(),
                });
            }
            true
        });
        found
    }

    /// The call on `row` through which package reflect waits in `op`: `v.Send(x)` for a send,
    /// `v.Recv()` for a receive, `reflect.Select(cases)` for a select. The runtime places a
    /// goroutine parked inside reflect at that call, and the line holds no channel syntax.
    pub(super) fn reflect_call(&self, row: usize, op: Op) -> Option<Node<'t>> {
        let method = match op {
            Op::Send => "Send",
            Op::Receive => "Recv",
            Op::Select => "Select",
            _ => return None,
        };
        let mut found = None;
        walk(self.root, |node, _| {
            if node.start_position().row > row || node.end_position().row < row {
                return false;
            }
            let field = (node.kind() == "call_expression")
                .then(|| node.child_by_field_name("function"))
                .flatten()
                .filter(|function| function.kind() == "selector_expression")
                .and_then(|selector| selector.child_by_field_name("field"));
            if field.is_some_and(|field| {
                field.start_position().row == row && self.text(field) == method
            }) {
                found = Some(node);
            }
            true
        });
        found
    }
}

/// The channel op whose telling token is on `row`, if `node` is one.
fn op_at(node: Node, ancestors: &[Node], row: usize) -> Option<Op> {
    match node.kind() {
        "send_statement" => {
            let arrow = (0..node.child_count())
                .filter_map(|i| node.child(i))
                .find(|child| child.kind() == "<-")?;
            (arrow.start_position().row == row && !waits_in_select(node, ancestors))
                .then_some(Op::Send)
        }
        "unary_expression" => {
            let operator = node.child_by_field_name("operator")?;
            (operator.kind() == "<-"
                && operator.start_position().row == row
                && !waits_in_select(node, ancestors))
            .then_some(Op::Receive)
        }
        "for_statement" => {
            let clause = range_clause(node)?;
            (node.start_position().row == row && may_range_over_channel(clause))
                .then_some(Op::Range)
        }
        "select_statement" if node.start_position().row == row => Some(if case_count(node) == 0 {
            Op::SelectNoCases
        } else {
            Op::Select
        }),
        _ => None,
    }
}

/// The range clause of a `for` statement, if it has one.
pub(super) fn range_clause(node: Node) -> Option<Node> {
    parts(node).find(|child| child.kind() == "range_clause")
}

/// Whether `op` (a send, or a `<-` expression) is the communication of a case in a select
/// with other cases: it then waits as part of the select. `ancestors` run from the root
/// down to `op`'s parent.
fn waits_in_select(op: Node, ancestors: &[Node]) -> bool {
    let mut node = op;
    let mut above = ancestors.iter().rev().copied();
    let mut parent = above.next();
    while let Some(paren) = parent.filter(|parent| parent.kind() == "parenthesized_expression") {
        node = paren;
        parent = above.next();
    }
    if let Some(receive) = parent.filter(|parent| parent.kind() == "receive_statement") {
        if receive.child_by_field_name("right") != Some(node) {
            return false;
        }
        node = receive;
        parent = above.next();
    }
    let Some(case) = parent.filter(|parent| parent.kind() == "communication_case") else {
        return false;
    };
    case.child_by_field_name("communication") == Some(node)
        && above.next().is_some_and(|select| case_count(select) > 1)
}

fn case_count(select: Node) -> usize {
    parts(select)
        .filter(|case| matches!(case.kind(), "communication_case" | "default_case"))
        .count()
}

/// A range over a channel has at most one iteration variable and ranges over an
/// expression that can be a channel.
fn may_range_over_channel(clause: Node) -> bool {
    let variables = clause
        .child_by_field_name("left")
        .map_or(0, |left| parts(left).count());
    let right = clause.child_by_field_name("right").map(unparen);
    variables <= 1
        && !right.is_some_and(|right| {
            matches!(
                right.kind(),
                "int_literal"
                    | "interpreted_string_literal"
                    | "raw_string_literal"
                    | "composite_literal"
                    | "func_literal"
            )
        })
}
