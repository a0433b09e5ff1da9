//! Every channel operation of a package, classified without a profile: the entry point of
//! `leakprof lint`. A profile says where goroutines *do* wait; here nothing does yet, so each
//! send, receive, range and select of a file is asked whether the source alone shows a way
//! for it to wait forever, and only the patterns that show it are kept.
//!
//! The classifier was written for operations the runtime saw blocked, so what it may take
//! for granted there is checked here before a pattern is reported:
//! - a send on a channel with a buffer may never wait: a send-side pattern on a buffered
//!   channel is dropped (the buffer's size against the number of sends is the owner's call);
//! - a range that can leave its loop (a `return`, a `break` out of it, a `goto`) does not
//!   wait for a close: an unclosed range there is dropped;
//! - a nil channel is one declared without a value (`var ch chan T`) and never assigned,
//!   passed by address, compared with nil or used as a select case (the idiom that turns a
//!   case off);
//! - `select {}` in `main` keeps the program alive on purpose; elsewhere it is reported;
//! - a select whose every case is a channel of the function's own that nothing serves, or a
//!   timer, ticker or context case the source shows can never fire, waits forever.
//!
//! Only patterns that show how goroutines are abandoned are reported ([`LINTED`]): a
//! package-level channel says nothing about who serves it, and `other` says nothing at all.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use tree_sitter::Node;

use super::package::{At, Package};
use super::scope::{Binding, Code, Role, Use, is_function};
use super::shapes::{Blocked, Case, Line, Origin, Shapes};
use super::{PackageFile, pattern};
use crate::blocking::Op;
use crate::model::{Pattern, PatternId};
use crate::source::analyze::shared::{line_of, parts, unparen, walk};
use crate::source::analyze::{Bound, Check};

/// The patterns `leakprof lint` reports.
pub const LINTED: [PatternId; 8] = [
    PatternId::Timeout,
    PatternId::PrematureReturn,
    PatternId::Ncast,
    PatternId::UnclosedRange,
    PatternId::DoubleSend,
    PatternId::NeverClosed,
    PatternId::NilChannel,
    PatternId::SelectForever,
];

/// One operation the source alone shows can wait forever.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linted {
    /// Index of its file in the files given.
    pub file: usize,
    /// 1-based line of the operation (the line a profile would name).
    pub line: u32,
    /// The operation as a profile would name it: `nil_send` for a send on a nil channel.
    pub op: Op,
    pub pattern: Pattern,
    /// `file:line` of the `go` statement that starts the goroutine holding it (in any file
    /// of the package).
    pub created_at: Option<String>,
}

/// Lints the files `which` (indexes into `files`) of one package, with every file given for
/// what lies beyond one function. Results are in file order, then source order.
///
/// Each operation is classified with its own file alone unless its case can depend on the
/// rest of the package (a struct field's closes and makes, the calls of a `Stop`): walking a
/// whole package for every operation would make a large package quadratic. The package's
/// trees, and which of its fields escape, are gathered once, when first needed.
pub fn lint_package<'t>(files: &'t [PackageFile<'t>], which: &[usize]) -> Vec<Linted> {
    let whole: OnceCell<Package<'t>> = OnceCell::new();
    let index: OnceCell<FieldIndex<'t>> = OnceCell::new();
    let mut found: Vec<Linted> = Vec::new();
    for &file in which {
        let Some(alone) = files.get(file).map(std::slice::from_ref) else {
            continue;
        };
        let single = Package::new(alone, false);
        let Some(shapes) = Shapes::new(&single, 0) else {
            continue;
        };
        for (node, op) in operations(shapes.go) {
            let linted = match reach(shapes.go, node, op) {
                Reach::Nothing => None,
                Reach::File => lint_operation(&shapes, node, op)
                    .map(|(case, op)| (case, op, &single, shapes.started_at(node, None))),
                Reach::Package { fields, contexts } => {
                    let fields_index = index.get_or_init(|| FieldIndex::of(files));
                    if !contexts
                        && !fields
                            .iter()
                            .any(|field| fields_index.may_be_never_closed(field))
                    {
                        continue;
                    }
                    let package = whole.get_or_init(|| Package::new(files, true));
                    let path = alone[0].path;
                    let Some(index) = package.files.iter().position(|(name, _)| *name == path)
                    else {
                        continue;
                    };
                    let Some(shapes) = Shapes::new(package, index) else {
                        continue;
                    };
                    // A select that also waits on a context is classified whatever its
                    // fields; a field that can be closed out of sight then says nothing.
                    let closed_elsewhere: Vec<u32> = parts(node)
                        .filter(|case| case.kind() == "communication_case")
                        .filter(|case| {
                            case_channel(*case)
                                .and_then(|channel| channel.child_by_field_name("field"))
                                .is_some_and(|field| {
                                    !fields_index.may_be_never_closed(shapes.go.text(field))
                                })
                        })
                        .map(|case| shapes.go.line(case))
                        .collect();
                    lint_operation(&shapes, node, op)
                        .filter(|(case, _)| {
                            case.id != PatternId::NeverClosed
                                || !case
                                    .evidence
                                    .iter()
                                    .any(|line| closed_elsewhere.contains(&line.line))
                        })
                        .map(|(case, op)| (case, op, package, shapes.started_at(node, None)))
                }
            };
            let Some((case, op, package, start)) = linted else {
                continue;
            };
            if !LINTED.contains(&case.id) {
                continue;
            }
            // Both sends of a double send make the same case: the second is the one that waits.
            if case.id == PatternId::DoubleSend {
                let first = found.iter().position(|earlier| {
                    earlier.file == file
                        && earlier.pattern.id == PatternId::DoubleSend
                        && earlier.pattern.evidence.len() == case.evidence.len()
                        && earlier
                            .pattern
                            .evidence
                            .iter()
                            .zip(&case.evidence)
                            .all(|(a, b)| a.line == b.line && a.text == b.text)
                });
                if let Some(first) = first {
                    found.remove(first);
                }
            }
            found.push(Linted {
                file,
                line: shapes.go.line(node),
                op,
                pattern: pattern(package, files, case),
                created_at: start.and_then(|start| {
                    let path = package.files.get(start.file)?.0;
                    Some(format!("{path}:{}", line_of(start.node)))
                }),
            });
        }
    }
    found
}

/// What the case of an operation can depend on.
enum Reach<'t> {
    /// No linted pattern can come of it: a channel from a package-level variable, a call,
    /// a parameter no call in the file passes.
    Nothing,
    /// Its own file.
    File,
    /// The whole package: the struct fields it waits on (and, for a select, whether it also
    /// waits on a context, whose case is told by the file).
    Package {
        fields: Vec<&'t str>,
        contexts: bool,
    },
}

/// What an operation's case can depend on, told from its channel alone.
fn reach<'t>(go: Code<'_, 't>, node: Node<'t>, op: Op) -> Reach<'t> {
    let field = |channel: Node<'t>| {
        (channel.kind() == "selector_expression")
            .then(|| channel.child_by_field_name("field"))
            .flatten()
            .map(|field| go.text(field))
    };
    match op {
        Op::SelectNoCases => Reach::File,
        Op::Select => {
            let cases: Vec<(Node<'t>, &'t str)> = parts(node)
                .filter(|case| case.kind() == "communication_case")
                .filter_map(|case| Some((case, field(case_channel(case)?)?)))
                .collect();
            if cases.is_empty() {
                return Reach::File;
            }
            // Cases on timers and tickers (`<-t.C`) are told by the file.
            let bounds: Vec<u32> = go.case_bounds(node).iter().map(|b| b.line).collect();
            let fields: Vec<&'t str> = cases
                .into_iter()
                .filter(|(case, _)| !bounds.contains(&go.line(*case)))
                .map(|(_, field)| field)
                .collect();
            if fields.is_empty() {
                return Reach::File;
            }
            let contexts = parts(node)
                .filter(|case| case.kind() == "communication_case")
                .filter_map(|case| case_channel(case))
                .any(|channel| channel.kind() == "call_expression");
            Reach::Package { fields, contexts }
        }
        Op::Send | Op::Receive | Op::Range => {
            let Some(channel) = channel_of(node, op) else {
                return Reach::Nothing;
            };
            match channel.kind() {
                "identifier" => match go.bind(go.text(channel), channel) {
                    Some(Binding::Local { .. }) => Reach::File,
                    Some(Binding::Param { function, .. }) => match function.kind() {
                        "func_literal" => Reach::File,
                        // Followed to its call in the file, when the file calls it.
                        "function_declaration" => {
                            let name = function
                                .child_by_field_name("name")
                                .map_or("", |name| go.text(name));
                            let calls = go.source.matches(&format!("{name}(")).count();
                            if calls > 1 {
                                Reach::File
                            } else {
                                Reach::Nothing
                            }
                        }
                        _ => Reach::Nothing,
                    },
                    _ => Reach::Nothing,
                },
                "selector_expression" if op == Op::Receive && go.wait_bound(node).is_some() => {
                    Reach::File
                }
                "selector_expression" => match field(channel) {
                    Some(name) => Reach::Package {
                        fields: vec![name],
                        contexts: false,
                    },
                    None => Reach::Nothing,
                },
                // `<-ctx.Done()`
                "call_expression" => Reach::File,
                _ => Reach::Nothing,
            }
        }
        _ => Reach::Nothing,
    }
}

/// The channel a select case sends on or receives from.
fn case_channel(case: Node<'_>) -> Option<Node<'_>> {
    let communication = case.child_by_field_name("communication")?;
    let channel = match communication.kind() {
        "send_statement" => communication.child_by_field_name("channel")?,
        _ => communication
            .child_by_field_name("right")
            .map(unparen)
            .filter(|right| right.kind() == "unary_expression")?
            .child_by_field_name("operand")?,
    };
    Some(unparen(channel))
}

/// Every channel operation of the file with the op a profile would name it by: sends and
/// receives of their own (a case of a select with several is part of the select), ranges that
/// can be over a channel, selects.
fn operations<'t>(go: Code<'_, 't>) -> Vec<(Node<'t>, Op)> {
    let mut found = Vec::new();
    walk(go.root, |node, ancestors| {
        let op = match node.kind() {
            "send_statement" if !in_select(node, ancestors) => Some(Op::Send),
            "unary_expression"
                if node
                    .child_by_field_name("operator")
                    .is_some_and(|operator| operator.kind() == "<-")
                    && !in_select(node, ancestors) =>
            {
                Some(Op::Receive)
            }
            "for_statement" => range_clause(node)
                .is_some_and(may_range_over_channel)
                .then_some(Op::Range),
            "select_statement" => Some(
                if parts(node)
                    .any(|case| matches!(case.kind(), "communication_case" | "default_case"))
                {
                    Op::Select
                } else {
                    Op::SelectNoCases
                },
            ),
            _ => None,
        };
        if let Some(op) = op {
            found.push((node, op));
        }
        true
    });
    found
}

/// Whether a send or `<-` expression is the communication of a case of a select with other
/// cases, told from its ancestors (the walk's, outermost first): it waits as part of the
/// select.
fn in_select(op: Node<'_>, ancestors: &[Node<'_>]) -> bool {
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
        && above.next().is_some_and(|select| {
            parts(select)
                .filter(|case| matches!(case.kind(), "communication_case" | "default_case"))
                .count()
                > 1
        })
}

fn range_clause(loop_: Node<'_>) -> Option<Node<'_>> {
    parts(loop_).find(|child| child.kind() == "range_clause")
}

/// At most one iteration variable, over an expression that can be a channel.
fn may_range_over_channel(clause: Node<'_>) -> bool {
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
                    | "call_expression"
            )
        })
}

/// The pattern of one operation and the op it is reported as, when the source alone shows it
/// can wait forever.
fn lint_operation<'t>(shapes: &Shapes<'_, 't>, node: Node<'t>, op: Op) -> Option<(Case, Op)> {
    let blocked = |op| Blocked {
        node,
        op,
        nil: false,
        caller_line: None,
    };
    match op {
        Op::SelectNoCases => {
            if in_main(shapes.go, node) {
                return None;
            }
            Some((shapes.classify(&blocked(op))?, op))
        }
        Op::Select => {
            let case = shapes
                .classify(&blocked(op))
                .or_else(|| dead_select(shapes, node))?;
            Some((case, op))
        }
        Op::Send | Op::Receive | Op::Range => {
            let channel = channel_of(node, op)?;
            if let Some(nil) = never_made(shapes, node, op, channel) {
                let nil_op = if op == Op::Send {
                    Op::NilSend
                } else {
                    Op::NilReceive
                };
                return nil.map(|case| (case, nil_op));
            }
            let case = match shapes.classify(&blocked(op)) {
                Some(case) => case,
                None if op == Op::Receive => dead_wait(shapes, node)?,
                None => return None,
            };
            let buffered_send = op == Op::Send
                && matches!(
                    case.id,
                    PatternId::Timeout
                        | PatternId::PrematureReturn
                        | PatternId::Ncast
                        | PatternId::DoubleSend
                )
                && buffered(shapes, channel);
            let leaves_range = case.id == PatternId::UnclosedRange && leaves(shapes.go, node);
            if buffered_send || leaves_range || uncounted(shapes, node, op, channel) {
                return None;
            }
            Some((case, op))
        }
        _ => None,
    }
}

/// Whether the source cannot count the operations that would serve a goroutine's send or
/// receive on a local channel, which a profile would have settled by showing it blocked:
/// - the goroutines started by the same `go` statement serve each other (a token passed
///   round, a semaphore): the counterpart runs in the operation's own goroutine;
/// - the function that made the channel receives in a loop, and either a loop of `go`
///   statements starts the senders (how many turns it takes is a count the source does not
///   tell), or nothing in the loop can leave it before the receive (no other case of its
///   select leaves the loop).
fn uncounted<'t>(shapes: &Shapes<'_, 't>, node: Node<'t>, op: Op, channel: Node<'t>) -> bool {
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

/// What the package does with its struct fields, by name, gathered in one walk: whether a
/// field can be a done channel that nothing closes (the only way a wait on a field becomes a
/// lint finding), which needs it made somewhere, never sent on, and never used other than to
/// wait on it, close it, make it or compare it ([`field_use`]). A field passed to a function,
/// stored elsewhere or set from another channel is closed out of sight.
#[derive(Default)]
struct FieldIndex<'t> {
    escaping: BTreeSet<&'t str>,
    sent: BTreeSet<&'t str>,
    made: BTreeSet<&'t str>,
}

impl<'t> FieldIndex<'t> {
    fn of(files: &'t [PackageFile<'t>]) -> FieldIndex<'t> {
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

    fn may_be_never_closed(&self, field: &str) -> bool {
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

/// The channel expression of a send, receive or range.
fn channel_of(node: Node<'_>, op: Op) -> Option<Node<'_>> {
    match op {
        Op::Send => node.child_by_field_name("channel"),
        Op::Receive => node.child_by_field_name("operand"),
        Op::Range => range_clause(node).and_then(|clause| clause.child_by_field_name("right")),
        _ => None,
    }
    .map(unparen)
}

/// Whether `node` runs in `main.main` itself (not in a literal inside it).
fn in_main(go: Code<'_, '_>, node: Node<'_>) -> bool {
    let package_main = parts(go.root)
        .find(|part| part.kind() == "package_clause")
        .and_then(|clause| parts(clause).next())
        .is_some_and(|name| go.text(name) == "main");
    package_main
        && go.function_of(node).is_some_and(|function| {
            function.kind() == "function_declaration"
                && function
                    .child_by_field_name("name")
                    .is_some_and(|name| go.text(name) == "main")
        })
}

/// Whether the channel's make gives it a buffer (a capacity other than a literal 0).
fn buffered(shapes: &Shapes<'_, '_>, channel: Node<'_>) -> bool {
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
fn leaves(go: Code<'_, '_>, loop_: Node<'_>) -> bool {
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

/// For an operation on a local declared without a value (`var ch chan T`): `Some` with the
/// nil-channel case when nothing ever gives it one, `Some(None)` when that is not sure
/// (assigned, passed on, compared with nil, a select case), and `None` when the channel is
/// not such a local.
fn never_made<'t>(
    shapes: &Shapes<'_, 't>,
    node: Node<'t>,
    op: Op,
    channel: Node<'t>,
) -> Option<Option<Case>> {
    let go = shapes.go;
    if channel.kind() != "identifier" {
        return None;
    }
    let name = go.text(channel);
    let binding @ Binding::Local {
        statement,
        zero: true,
        ..
    } = go.bind(name, channel)?
    else {
        return None;
    };
    // A range needs a declared channel type: ranging over a nil slice or map is no wait.
    let declared_channel = declared_type(go, statement, name)
        .is_some_and(|ty| ty.kind() == "channel_type" || op != Op::Range);
    let uses: Vec<Use<'t>> = go.uses(name, binding);
    let unsure = uses.iter().any(|found| {
        matches!(found.role, Role::Assign | Role::Escape | Role::Harmless) || found.select.is_some()
    });
    if !declared_channel || unsure {
        return Some(None);
    }
    let line = |node: Node<'t>, text: String| Line {
        file: shapes.file,
        line: go.line(node),
        text,
    };
    let mut evidence = vec![line(
        statement,
        format!("`{name}` is declared here and never made"),
    )];
    if let Some(start) = shapes.started_at(node, None) {
        evidence.push(started(start));
    }
    evidence.push(line(
        node,
        format!("`{name}` is still nil here: a nil channel blocks forever"),
    ));
    Some(Some(
        Case::new(
            PatternId::NilChannel,
            evidence,
            format!(
                "make `{name}` (`make(chan T)`) before any goroutine uses it, and make sure \
                 something sends on it or closes it"
            ),
        )
        .no_patch("a made channel still needs a counterpart, and which one is the owner's call"),
    ))
}

/// The type `statement` (a `var` declaration) gives `name`.
fn declared_type<'t>(go: Code<'_, 't>, statement: Node<'t>, name: &str) -> Option<Node<'t>> {
    let mut found = None;
    walk(statement, |node, _| {
        if found.is_some() {
            return false;
        }
        if node.kind() == "var_spec" {
            let mut cursor = node.walk();
            if node
                .children_by_field_name("name", &mut cursor)
                .any(|declared| go.text(declared) == name)
            {
                found = node.child_by_field_name("type");
            }
            return false;
        }
        true
    });
    found
}

/// A select none of whose cases can ever be ready: each is a channel the function around it
/// made (or was handed fresh from a `make` in the `go` statement that started it) and that no
/// other goroutine sends on, receives from or closes, or a timer, ticker or context case the
/// source shows can never fire. The function that made the channels ends without serving
/// them: a premature return.
fn dead_select<'t>(shapes: &Shapes<'_, 't>, select: Node<'t>) -> Option<Case> {
    let go = shapes.go;
    if parts(select).any(|case| case.kind() == "default_case") {
        return None;
    }
    let bounds: Vec<Bound> = go.case_bounds(select);
    let mine = go.function_of(select)?;
    let here = |node: Node<'t>, text: String| Line {
        file: shapes.file,
        line: go.line(node),
        text,
    };
    let mut made = Vec::new();
    let mut waits = Vec::new();
    let mut dead = Vec::new();
    let mut names = Vec::new();
    let mut owner = None;
    for case in parts(select).filter(|case| case.kind() == "communication_case") {
        let line = go.line(case);
        if let Some(bound) = bounds.iter().find(|bound| bound.line == line) {
            let Check::Never { why, .. } = settled(shapes, select, bound) else {
                return None;
            };
            dead.push(here(
                case,
                format!("`{}` can never fire: {why}", bound.expr),
            ));
            continue;
        }
        let communication = case.child_by_field_name("communication")?;
        let (channel, receives) = match communication.kind() {
            "send_statement" => (communication.child_by_field_name("channel")?, false),
            _ => {
                let receive = communication
                    .child_by_field_name("right")
                    .map(unparen)
                    .filter(|right| right.kind() == "unary_expression")?;
                (receive.child_by_field_name("operand")?, true)
            }
        };
        let channel = unparen(channel);
        let (name, make, case_owner) = unserved(shapes, select, channel, receives)?;
        if owner.is_some_and(|owner| owner != case_owner) {
            return None;
        }
        owner = Some(case_owner);
        made.push(here(make, format!("`{name}` is made here")));
        waits.push(here(case, format!("the select waits for `{name}` here")));
        names.push(format!("`{name}`"));
    }
    // Only dead bounds: the wait never ends, but who should end it is told by nothing.
    let owner = owner?;
    if owner == mine {
        return None;
    }
    let mut evidence = made;
    if let Some(start) = shapes.started_at(select, None) {
        evidence.push(started(start));
    }
    evidence.extend(waits);
    evidence.extend(dead);
    let owner_name = match owner.kind() {
        "function_declaration" | "method_declaration" => owner
            .child_by_field_name("name")
            .map_or("the function".to_string(), |name| {
                format!("`{}`", go.text(name))
            }),
        _ => "the function".to_string(),
    };
    let names = names.join(" or ");
    let body = owner.child_by_field_name("body").unwrap_or(owner);
    evidence.push(Line {
        file: shapes.file,
        line: u32::try_from(body.end_position().row.saturating_add(1)).unwrap_or(u32::MAX),
        text: format!("{owner_name} ends here without ever serving {names}"),
    });
    Some(
        Case::new(
            PatternId::PrematureReturn,
            evidence,
            format!(
                "make {owner_name} serve {names} on every path (a send, or a close when it is \
                 done), or give the select a way out that can fire, such as the `Done()` of a \
                 context someone cancels"
            ),
        )
        .no_patch("which case should end the wait, and how, is the owner's call"),
    )
}

/// A bound's check, with a parameter settled by what the `go` statement starting the
/// function passes for it.
fn settled<'t>(shapes: &Shapes<'_, 't>, waiter: Node<'t>, bound: &Bound) -> Check {
    let Check::Unverified {
        parameter: Some(parameter),
        ..
    } = &bound.check
    else {
        return bound.check.clone();
    };
    // The call is read in this file: a `go` statement in another file is not followed.
    let passed = shapes.started_at(waiter, None).and_then(|start| {
        if start.file != shapes.file {
            return None;
        }
        let line = shapes.go.line(start.node);
        let check = shapes
            .go
            .passed_check(line, &parameter.function, parameter.index)?;
        Some((check, line))
    });
    match passed {
        Some((Check::Never { why, line }, at)) => Check::Never {
            why: format!(
                "`{}` comes from the call at line {at}, where {why}",
                parameter.name
            ),
            line,
        },
        _ => bound.check.clone(),
    }
}

/// A bare wait on a timer, ticker or context that the source shows can never fire: the
/// function waits forever. Not in `main` itself, which may wait forever on purpose.
fn dead_wait<'t>(shapes: &Shapes<'_, 't>, receive: Node<'t>) -> Option<Case> {
    let go = shapes.go;
    if in_main(go, receive) {
        return None;
    }
    let bound = go.wait_bound(receive)?;
    let Check::Never { why, line } = settled(shapes, receive, &bound) else {
        return None;
    };
    let at = |line: u32, text: String| Line {
        file: shapes.file,
        line,
        text,
    };
    let mut evidence = Vec::new();
    if let Some(start) = shapes.started_at(receive, None) {
        evidence.push(started(start));
    }
    evidence.push(at(
        go.line(receive),
        format!("the wait on `{}` can never end…", bound.expr),
    ));
    evidence.push(at(line, format!("…because {why}")));
    Some(
        Case::new(
            PatternId::NeverClosed,
            evidence,
            format!(
                "wait on something that ends instead of `{}` (the `Done()` of a context someone \
                 cancels, a running timer), or drop the wait",
                bound.expr
            ),
        )
        .no_patch("what the wait should end on is the owner's call"),
    )
}

/// A select case's channel that nothing outside the select's goroutine serves: its name, its
/// `make`, and the function that made it. The channel is a local made right there, or a
/// parameter of the goroutine's function that the one `go` statement starting it passes a
/// fresh `make(chan …)` for.
fn unserved<'t>(
    shapes: &Shapes<'_, 't>,
    select: Node<'t>,
    channel: Node<'t>,
    receives: bool,
) -> Option<(&'t str, Node<'t>, Node<'t>)> {
    let go = shapes.go;
    if channel.kind() != "identifier" {
        return None;
    }
    match shapes.origin(channel, None, 0) {
        Origin::Local {
            name,
            binding: binding @ Binding::Local { value, .. },
            owner,
        } => {
            let make = value
                .map(unparen)
                .filter(|value| go.makes_channel(*value))?;
            let here = go.goroutine_of(select, owner).ok()?;
            for found in go.uses(name, binding) {
                if matches!(found.role, Role::Escape | Role::Assign) {
                    return None;
                }
                let goroutine = go.goroutine_of(found.anchor, owner).ok()?;
                let counterpart = if receives {
                    matches!(found.role, Role::Send | Role::Close)
                } else {
                    matches!(found.role, Role::Receive | Role::Range)
                };
                if counterpart && goroutine != here {
                    return None;
                }
            }
            Some((name, make, owner))
        }
        _ => {
            // `go wait(ctx, make(chan int))`: a parameter handed a channel nobody else has.
            let name = go.text(channel);
            let Some(Binding::Param { function, index }) = go.bind(name, channel) else {
                return None;
            };
            if go.function_of(select) != Some(function) {
                return None;
            }
            let start = shapes
                .started_at(select, None)
                .filter(|start| start.file == shapes.file)?;
            let call = parts(start.node).next()?;
            let argument = parts(call.child_by_field_name("arguments")?)
                .nth(index)
                .map(unparen)?;
            if !go.makes_channel(argument) {
                return None;
            }
            // Inside, the parameter must only be waited on here.
            let uses = go.uses(name, Binding::Param { function, index });
            let only_here = uses.iter().all(|found| {
                matches!(found.role, Role::Send | Role::Receive) && found.select == Some(select)
            });
            let owner = go.function_of(start.node)?;
            only_here.then_some((name, argument, owner))
        }
    }
}

/// The evidence line of the `go` statement that starts a goroutine, in whichever file of the
/// package holds it.
fn started(start: At<'_>) -> Line {
    Line {
        file: start.file,
        line: line_of(start.node),
        text: "the goroutine is started here".into(),
    }
}
