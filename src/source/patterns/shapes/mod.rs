//! The patterns themselves: from the blocked operation, the channel it waits on and every use
//! of that channel, which shape of leak this is, the lines that show it, and the fix.
//!
//! Each shape is named only when every line it needs was found. When the channel escapes
//! (stored, returned, passed where leakprof does not follow), or its uses run at times the
//! source does not tell (a callback), the answer is `other`: no guess.

mod paths;
mod ranges;
mod select;
mod sends;

use tree_sitter::Node;

use super::edits::EditPlan;
use super::package::{At, Package, field_of};
use super::scope::{Binding, Code, Role, Start, Use, is_function};
use crate::blocking::Op;
use crate::model::PatternId;
use crate::source::analyze::BoundKind;
use crate::source::analyze::shared::{Go, parts, unparen};

/// How far a channel is traced back through parameters to the argument a caller passed.
const MAX_HOPS: u32 = 3;

/// One line of a pattern's case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Line {
    pub(super) file: usize,
    pub(super) line: u32,
    pub(super) text: String,
}

/// A pattern, its case and its fix, before paths and patches are attached.
#[derive(Clone, Debug)]
pub(super) struct Case {
    pub(super) id: PatternId,
    pub(super) evidence: Vec<Line>,
    pub(super) summary: String,
    pub(super) edits: Vec<EditPlan>,
    pub(super) no_patch: Option<String>,
    pub(super) runs_new_code: Option<String>,
}

impl Case {
    pub(super) fn new(id: PatternId, evidence: Vec<Line>, summary: String) -> Case {
        Case {
            id,
            evidence,
            summary,
            edits: Vec::new(),
            no_patch: None,
            runs_new_code: None,
        }
    }

    pub(super) fn no_patch(mut self, why: impl Into<String>) -> Case {
        self.no_patch = Some(why.into());
        self
    }

    /// The edits, or why there are none.
    fn patched(mut self, edits: Result<Vec<EditPlan>, String>) -> Case {
        match edits {
            Ok(edits) if !edits.is_empty() => self.edits = edits,
            Ok(_) => self.no_patch = Some("leakprof found no place for the edit".into()),
            Err(why) => self.no_patch = Some(why),
        }
        self
    }
}

/// The blocked operation, in the file of the package being looked at.
pub(super) struct Blocked<'t> {
    pub(super) node: Node<'t>,
    /// As the source shows it.
    pub(super) op: Op,
    /// The runtime said the channel is nil.
    pub(super) nil: bool,
    /// The line of the call into the blocking function, from the profile's stack, when it is
    /// in the same file.
    pub(super) caller_line: Option<u32>,
}

/// Where a channel comes from.
#[derive(Clone, Copy, Debug)]
pub(super) enum Origin<'t> {
    /// A local (or a literal's parameter bound to one) of `owner`.
    Local {
        name: &'t str,
        binding: Binding<'t>,
        owner: Node<'t>,
    },
    /// A package-level variable.
    Package {
        name: &'t str,
    },
    /// A struct field: `s.quit`.
    Field {
        field: &'t str,
    },
    /// `ctx.Done()` on a local context.
    Done {
        context: Node<'t>,
    },
    Unknown,
}

/// The analysis of one blocked operation.
pub(super) struct Shapes<'p, 't> {
    pub(super) package: &'p Package<'t>,
    pub(super) file: usize,
    pub(super) go: Code<'p, 't>,
}

impl<'p, 't> Shapes<'p, 't> {
    pub(super) fn new(package: &'p Package<'t>, file: usize) -> Option<Shapes<'p, 't>> {
        let go = Code(&package.files.get(file)?.1);
        Some(Shapes { package, file, go })
    }

    fn at(&self, node: Node<'t>, text: impl Into<String>) -> Line {
        Line {
            file: self.file,
            line: self.go.line(node),
            text: text.into(),
        }
    }

    fn code(&self, node: Node<'t>) -> String {
        format!("`{}`", self.go.written(node))
    }

    /// The pattern of the blocked operation.
    pub(super) fn classify(&self, blocked: &Blocked<'t>) -> Option<Case> {
        if blocked.op == Op::SelectNoCases {
            return Some(self.select_forever(blocked));
        }
        let channel = match blocked.op {
            Op::Send => blocked.node.child_by_field_name("channel"),
            Op::Receive => blocked.node.child_by_field_name("operand"),
            Op::Range => parts(blocked.node)
                .find(|child| child.kind() == "range_clause")
                .and_then(|clause| clause.child_by_field_name("right")),
            Op::Select => return self.select(blocked),
            _ => None,
        }
        .map(unparen)?;
        let origin = self.origin(channel, blocked.caller_line, 0);
        // A context's `Done()` is nil when the context can never be cancelled: the fix is a
        // context that ends, not a channel to make.
        if let Origin::Done { context } = origin {
            return self
                .context_never_cancelled(blocked.node, context)
                .or_else(|| {
                    self.context_never_done(blocked.node, blocked.node, context, blocked.nil)
                });
        }
        if let Some(context) = done_operand(&self.go, channel).filter(|_| blocked.nil) {
            return self.context_never_done(blocked.node, blocked.node, context, true);
        }
        if blocked.nil || self.never_made(origin) {
            return Some(self.nil_channel(blocked, channel, origin));
        }
        match origin {
            Origin::Local {
                name,
                binding,
                owner,
            } => self.local(blocked, name, binding, owner),
            Origin::Package { name } => self.global(blocked, &[name]),
            Origin::Field { field } => self.field_never_closed(blocked.node, channel, field),
            Origin::Done { .. } | Origin::Unknown => None,
        }
    }

    /// Where the channel expression `channel` comes from, through parameters to the
    /// arguments callers passed.
    pub(super) fn origin(
        &self,
        channel: Node<'t>,
        caller_line: Option<u32>,
        hops: u32,
    ) -> Origin<'t> {
        let go = self.go;
        match channel.kind() {
            "identifier" => {
                let name = go.text(channel);
                match go.bind(name, channel) {
                    Some(binding @ Binding::Local { statement, .. }) => {
                        match go.function_of(statement) {
                            Some(owner) => Origin::Local {
                                name,
                                binding,
                                owner,
                            },
                            None => Origin::Unknown,
                        }
                    }
                    Some(Binding::Param { function, index }) if hops < MAX_HOPS => {
                        match self.argument(function, index, caller_line) {
                            Some(argument) => self.origin(unparen(argument), None, hops + 1),
                            None => Origin::Unknown,
                        }
                    }
                    Some(Binding::Package) => Origin::Package { name },
                    None if self.package.package_var(name).is_some() => Origin::Package { name },
                    _ => Origin::Unknown,
                }
            }
            "selector_expression" => match field_of(&go, channel) {
                Some(field) => Origin::Field { field },
                None => Origin::Unknown,
            },
            "call_expression" => {
                let done = channel
                    .child_by_field_name("function")
                    .filter(|function| function.kind() == "selector_expression");
                let no_arguments = channel
                    .child_by_field_name("arguments")
                    .is_some_and(|arguments| parts(arguments).next().is_none());
                match done {
                    Some(function)
                        if no_arguments
                            && field_of(&go, function) == Some("Done")
                            && function
                                .child_by_field_name("operand")
                                .is_some_and(|operand| operand.kind() == "identifier") =>
                    {
                        match function.child_by_field_name("operand") {
                            Some(context) => Origin::Done { context },
                            None => Origin::Unknown,
                        }
                    }
                    _ => Origin::Unknown,
                }
            }
            _ => Origin::Unknown,
        }
    }

    /// The argument a call passes for the `index`-th parameter of `function`: the literal's
    /// own call, or for a declared function the call on `caller_line` (from the profile's
    /// stack) or else its only call in the file.
    fn argument(
        &self,
        function: Node<'t>,
        index: usize,
        caller_line: Option<u32>,
    ) -> Option<Node<'t>> {
        let call = match function.kind() {
            "func_literal" => {
                let literal = function;
                match self.go.start_of(literal) {
                    Start::Goroutine(_) | Start::Deferred | Start::Called => {
                        let call = literal.parent()?;
                        (call.kind() == "call_expression").then_some(call)?
                    }
                    Start::Unknown => return None,
                }
            }
            "function_declaration" => self.call_site(function, caller_line)?,
            _ => return None,
        };
        parts(call.child_by_field_name("arguments")?).nth(index)
    }

    /// The call of the declared function `function` on `caller_line`, or its only call in
    /// the file.
    fn call_site(&self, function: Node<'t>, caller_line: Option<u32>) -> Option<Node<'t>> {
        let go = self.go;
        let name = go.text(function.child_by_field_name("name")?);
        let calls: Vec<Node<'t>> = self
            .package
            .references(
                name,
                At {
                    file: self.file,
                    node: function,
                },
            )
            .into_iter()
            .filter(|at| at.file == self.file)
            .filter_map(|at| {
                let call = at.node.parent()?;
                (call.kind() == "call_expression"
                    && call.child_by_field_name("function") == Some(at.node))
                .then_some(call)
            })
            .collect();
        match caller_line {
            Some(line) => calls.into_iter().find(|call| go.line(*call) == line),
            None if calls.len() == 1 => calls.first().copied(),
            None => None,
        }
    }

    /// The statement that starts the goroutine running `node`: the `go` statement of the
    /// literal around it, or of the call of the declared function holding it (in any file of
    /// the package when it has exactly one).
    pub(super) fn started_at(&self, node: Node<'t>, caller_line: Option<u32>) -> Option<At<'t>> {
        let go = self.go;
        let here = |node| {
            Some(At {
                file: self.file,
                node,
            })
        };
        let mut at = node;
        for _ in 0..MAX_HOPS {
            let function = go.function_of(at)?;
            match function.kind() {
                "func_literal" => match go.start_of(function) {
                    Start::Goroutine(statement) => return here(statement),
                    Start::Deferred | Start::Called => at = function,
                    Start::Unknown => return None,
                },
                "function_declaration" => match self.call_site(function, caller_line) {
                    Some(call) => {
                        if let Some(statement) = call
                            .parent()
                            .filter(|statement| statement.kind() == "go_statement")
                        {
                            return here(statement);
                        }
                        at = call;
                    }
                    None => return self.only_go_statement(function),
                },
                _ => return self.only_go_statement(function),
            }
        }
        None
    }

    /// The one `go f(…)` or `go x.f(…)` of the package that starts the declared function or
    /// method `function`.
    fn only_go_statement(&self, function: Node<'t>) -> Option<At<'t>> {
        let name = self.go.text(function.child_by_field_name("name")?);
        let method = function.kind() == "method_declaration";
        let starts: Vec<At<'t>> = self
            .package
            .references(
                name,
                At {
                    file: self.file,
                    node: function,
                },
            )
            .into_iter()
            .filter(|at| (at.node.kind() == "selector_expression") == method)
            .filter_map(|at| {
                let call = at.node.parent()?;
                let statement = call.parent()?;
                let started = call.kind() == "call_expression"
                    && call.child_by_field_name("function") == Some(at.node)
                    && statement.kind() == "go_statement";
                started.then_some(At {
                    file: at.file,
                    node: statement,
                })
            })
            .collect();
        (starts.len() == 1).then(|| starts[0])
    }

    /// An evidence line at a node of any file of the package.
    fn line_at_node(&self, at: At<'t>, text: impl Into<String>) -> Line {
        Line {
            file: at.file,
            line: crate::source::analyze::shared::line_of(at.node),
            text: text.into(),
        }
    }

    fn select_forever(&self, blocked: &Blocked<'t>) -> Case {
        let mut evidence = vec![self.at(blocked.node, "`select {}` never returns")];
        if let Some(start) = self.started_at(blocked.node, blocked.caller_line) {
            evidence.push(self.line_at_node(start, "the goroutine is started here"));
        }
        Case::new(
            PatternId::SelectForever,
            evidence,
            "wait on something that ends (`<-ctx.Done()`, a done channel, a signal) instead of \
             `select {}`; if it keeps `main` alive on purpose, allowlist it"
                .into(),
        )
        .no_patch("what the goroutine should wait for is the owner's call")
    }

    /// A local declared without a value (`var ch chan int`) and never assigned: nil for good.
    fn never_made(&self, origin: Origin<'t>) -> bool {
        let Origin::Local {
            name,
            binding: binding @ Binding::Local { zero: true, .. },
            ..
        } = origin
        else {
            return false;
        };
        self.go
            .uses(name, binding)
            .iter()
            .all(|found| !matches!(found.role, Role::Assign | Role::Escape))
    }

    fn nil_channel(&self, blocked: &Blocked<'t>, channel: Node<'t>, origin: Origin<'t>) -> Case {
        let name = self.code(channel);
        let mut evidence = Vec::new();
        if let Origin::Local {
            binding:
                Binding::Local {
                    statement,
                    zero: true,
                    ..
                },
            ..
        } = origin
        {
            evidence.push(self.at(statement, format!("{name} is declared here and never made")));
        }
        evidence.push(self.at(
            blocked.node,
            if blocked.nil {
                format!("{name} is nil here, as the runtime reports: a nil channel blocks forever")
            } else {
                format!("{name} is still nil here: a nil channel blocks forever")
            },
        ));
        Case::new(
            PatternId::NilChannel,
            evidence,
            format!(
                "make {name} (`make(chan T)`) before any goroutine uses it, and make sure \
                 something sends on it or closes it"
            ),
        )
        .no_patch("a made channel still needs a counterpart, and which one is the owner's call")
    }

    /// Goroutines wait on package-level channels (`names`: one, or every case of a select).
    fn global(&self, blocked: &Blocked<'t>, names: &[&str]) -> Option<Case> {
        let mut evidence = Vec::new();
        for name in names {
            let declared = self.package.package_var(name)?;
            let path = self.package.files[declared.file].0;
            evidence.push(Line {
                file: declared.file,
                line: crate::source::analyze::shared::line_of(declared.node),
                text: format!(
                    "`{name}` is a package-level variable in {path}: reachable for the whole \
                     program, so the GC cannot prove the goroutines waiting on it leaked"
                ),
            });
        }
        if let Some(start) = self.started_at(blocked.node, blocked.caller_line) {
            evidence.push(self.line_at_node(start, "the goroutine is started here"));
        }
        let [name] = names else {
            let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
            evidence.push(self.at(
                blocked.node,
                format!(
                    "the select waits only on package-level channels: {}",
                    names.join(", ")
                ),
            ));
            return Some(
                Case::new(
                    PatternId::GlobalChannel,
                    evidence,
                    format!(
                        "give {} an owner that closes one of them (a quit channel) when the \
                         goroutines should stop, or pass each goroutine channels made for it",
                        names.join(" and ")
                    ),
                )
                .no_patch("who should end the wait on a package-level channel is the owner's call"),
            );
        };
        Some(
            Case::new(
                PatternId::GlobalChannel,
                evidence,
                format!(
                    "give `{name}` an owner that closes it (or sends to every waiter) when it \
                     is done, or pass each goroutine a channel made for it"
                ),
            )
            .no_patch("who should end the wait on a package-level channel is the owner's call"),
        )
    }
}

/// The uses of a local channel, sorted into the goroutines they run in.
struct Flow<'t> {
    name: &'t str,
    owner: Node<'t>,
    /// The statement list the channel is declared in.
    list: Node<'t>,
    /// The statement that declares it.
    statement: Node<'t>,
    /// `make(chan …)` when the declaration makes it.
    make: Option<Node<'t>>,
    uses: Vec<(Use<'t>, Option<Node<'t>>)>,
}

impl<'t> Flow<'t> {
    fn by_role(&self, role: Role) -> impl Iterator<Item = &(Use<'t>, Option<Node<'t>>)> {
        self.uses
            .iter()
            .filter(move |(found, _)| found.role == role)
    }
}

impl<'p, 't> Shapes<'p, 't> {
    /// A channel local to a function: the four patterns of the LeakProf blog and their kin.
    fn local(
        &self,
        blocked: &Blocked<'t>,
        name: &'t str,
        binding: Binding<'t>,
        owner: Node<'t>,
    ) -> Option<Case> {
        let Binding::Local {
            statement,
            list,
            value,
            ..
        } = binding
        else {
            return None;
        };
        let go = self.go;
        let mut uses = Vec::new();
        for found in go.uses(name, binding) {
            if matches!(found.role, Role::Escape | Role::Assign) {
                return None;
            }
            let goroutine = go.goroutine_of(found.anchor, owner).ok()?;
            uses.push((found, goroutine));
        }
        // A channel that comes from anywhere but a make right here (a call, a field) may be
        // shared with code out of sight.
        let make = value
            .map(unparen)
            .filter(|value| go.makes_channel(*value))?;
        let flow = Flow {
            name,
            owner,
            list,
            statement,
            make: Some(make),
            uses,
        };
        let (me, mine) = *flow
            .uses
            .iter()
            .find(|(found, _)| found.node == blocked.node)?;
        match (me.role, mine) {
            (Role::Range, _) => self.unclosed_range(&flow, me),
            (Role::Send, Some(start)) => self.abandoned_send(&flow, me, start),
            (Role::Receive, Some(start)) => self.abandoned_receive(&flow, me, start),
            _ => None,
        }
    }

    fn made(&self, flow: &Flow<'t>) -> Line {
        let name = flow.name;
        let site = flow.make.unwrap_or(flow.statement);
        let text = match flow.make.and_then(|make| capacity(&self.go, make)) {
            None if flow.make.is_some() => format!("`{name}` is made unbuffered"),
            None => format!("`{name}` is declared here"),
            Some(capacity) => format!("`{name}` is made with capacity {capacity}"),
        };
        self.at(site, text)
    }

    /// The name of a function as people read it: `timeoutLeak`, `(*Server).run`, or "the
    /// goroutine" for a literal.
    fn function_name(&self, function: Node<'t>) -> String {
        let go = self.go;
        match function.kind() {
            "function_declaration" => function.child_by_field_name("name").map_or_else(
                || "the function".into(),
                |name| format!("`{}`", go.text(name)),
            ),
            "method_declaration" => {
                let name = function
                    .child_by_field_name("name")
                    .map_or("", |name| go.text(name));
                let receiver = function
                    .child_by_field_name("receiver")
                    .and_then(|receiver| parts(receiver).next())
                    .and_then(|parameter| parameter.child_by_field_name("type"))
                    .map(|ty| go.written(ty))
                    .unwrap_or_default();
                format!("`({receiver}).{name}`")
            }
            _ => "the function".into(),
        }
    }
}

/// "line 19 runs", "lines 19–21 run".
fn lines_run(first: u32, last: u32) -> String {
    if first == last {
        format!("line {first} runs")
    } else {
        format!("lines {first}–{last} run")
    }
}

/// `E` when `channel` is `E.Done()`: a context's done channel, whatever `E` is.
fn done_operand<'t>(go: &Go<'t>, channel: Node<'t>) -> Option<Node<'t>> {
    let no_arguments = channel
        .child_by_field_name("arguments")
        .is_some_and(|arguments| parts(arguments).next().is_none());
    if channel.kind() != "call_expression" || !no_arguments {
        return None;
    }
    channel
        .child_by_field_name("function")
        .filter(|function| field_of(go, *function) == Some("Done"))?
        .child_by_field_name("operand")
}

/// The capacity argument of `make(chan T, N)`, as written.
fn capacity(go: &Go<'_>, make: Node<'_>) -> Option<String> {
    capacity_node(make).map(|node| go.written(node))
}

fn capacity_node(make: Node<'_>) -> Option<Node<'_>> {
    parts(make.child_by_field_name("arguments")?).nth(1)
}
