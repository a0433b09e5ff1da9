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

mod checks;
mod fields;
mod forever;

use std::cell::OnceCell;
use std::collections::BTreeSet;

use tree_sitter::Node;

use super::package::Package;
use super::scope::{Binding, Code};
use super::shapes::{Blocked, Case, Shapes};
use super::{PackageFile, pattern};
use crate::blocking::Op;
use crate::model::{Pattern, PatternId};
use crate::source::analyze::shared::{line_of, parts, unparen, walk};
use checks::{buffered, leaves, uncounted, uncounted_case};
use fields::FieldIndex;
use forever::{dead_select, dead_wait, never_made};

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
///
/// `only` (file index, line) limits the operations looked at: to weigh again, with more of
/// the package, what a first look found. Unless `complete` (every file of the package is
/// given), the names the package was searched for are returned with the findings: a file
/// left out that holds none of them cannot change what the whole package says.
pub fn lint_package<'t>(
    files: &'t [PackageFile<'t>],
    which: &[usize],
    only: Option<&BTreeSet<(usize, u32)>>,
    complete: bool,
) -> (Vec<Linted>, BTreeSet<String>) {
    let mut wanted: BTreeSet<String> = BTreeSet::new();
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
            if only.is_some_and(|only| !only.contains(&(file, shapes.go.line(node)))) {
                continue;
            }
            let linted = match reach(shapes.go, node, op) {
                Reach::Nothing => None,
                Reach::File => lint_operation(&shapes, node, op)
                    .map(|(case, op)| (case, op, &single, shapes.started_at(node, None))),
                Reach::Package { fields, contexts } => {
                    // A field no file given makes with `make(chan …)` is made by none: the
                    // files left out hold no `chan`.
                    let fields_index = index.get_or_init(|| FieldIndex::of(files));
                    if !contexts
                        && !fields
                            .iter()
                            .any(|field| fields_index.may_be_never_closed(field))
                    {
                        continue;
                    }
                    if !complete {
                        wanted.extend(fields.iter().map(|field| (*field).to_string()));
                    }
                    let package = whole.get_or_init(|| Package::new(files, complete));
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
    if let Some(package) = whole.into_inner() {
        wanted.extend(package.wanted());
    }
    (found, wanted)
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
            if uncounted_case(shapes, node) {
                return None;
            }
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
pub(super) fn in_main(go: Code<'_, '_>, node: Node<'_>) -> bool {
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
