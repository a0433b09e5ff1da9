//! Waits the profile-side classifier has no need to name, because the runtime names them or
//! a profile shows them: a nil channel declared and never made, a select whose cases nothing
//! serves, a wait on a timer, ticker or context the source shows can never fire.

use tree_sitter::Node;

use super::super::package::At;
use super::super::scope::{Binding, Code, Role, Use};
use super::super::shapes::{Case, Line, Origin, Shapes};
use super::in_main;
use crate::blocking::Op;
use crate::model::PatternId;
use crate::source::analyze::shared::{line_of, parts, unparen, walk};
use crate::source::analyze::{Bound, Check};

/// For an operation on a local declared without a value (`var ch chan T`): `Some` with the
/// nil-channel case when nothing ever gives it one, `Some(None)` when that is not sure
/// (assigned, passed on, compared with nil, a select case), and `None` when the channel is
/// not such a local.
pub(super) fn never_made<'t>(
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
pub(super) fn dead_select<'t>(shapes: &Shapes<'_, 't>, select: Node<'t>) -> Option<Case> {
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
pub(super) fn dead_wait<'t>(shapes: &Shapes<'_, 't>, receive: Node<'t>) -> Option<Case> {
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
            // A counterpart anywhere serves it: in another goroutine, and in this one too when
            // its `go` statement starts several (in a loop), which then serve each other.
            go.goroutine_of(select, owner).ok()?;
            for found in go.uses(name, binding) {
                if matches!(found.role, Role::Escape | Role::Assign) {
                    return None;
                }
                go.goroutine_of(found.anchor, owner).ok()?;
                let counterpart = if receives {
                    matches!(found.role, Role::Send | Role::Close)
                } else {
                    matches!(found.role, Role::Receive | Role::Range)
                };
                if counterpart {
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
