//! The patterns themselves: from the blocked operation, the channel it waits on and every use
//! of that channel, which shape of leak this is, the lines that show it, and the fix.
//!
//! Each shape is named only when every line it needs was found. When the channel escapes
//! (stored, returned, passed where leakprof does not follow), or its uses run at times the
//! source does not tell (a callback), the answer is `other`: no guess.

use tree_sitter::Node;

use super::edits::EditPlan;
use super::package::{At, Package, field_of};
use super::scope::{Binding, Code, Role, Start, Use, is_function};
use crate::blocking::Op;
use crate::model::PatternId;
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
        if blocked.nil {
            return Some(self.nil_channel(blocked, channel, origin));
        }
        match origin {
            Origin::Local {
                name,
                binding,
                owner,
            } => self.local(blocked, name, binding, owner),
            Origin::Package { name } => self.global(blocked, name),
            Origin::Field { field } => self.field_never_closed(blocked.node, channel, field),
            Origin::Done { context } => self.context_never_cancelled(blocked.node, context),
            Origin::Unknown => None,
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
    /// literal around it, or of the call of the declared function holding it.
    pub(super) fn started_at(&self, node: Node<'t>, caller_line: Option<u32>) -> Option<Node<'t>> {
        let go = self.go;
        let mut at = node;
        for _ in 0..MAX_HOPS {
            let function = go.function_of(at)?;
            match function.kind() {
                "func_literal" => match go.start_of(function) {
                    Start::Goroutine(statement) => return Some(statement),
                    Start::Deferred | Start::Called => at = function,
                    Start::Unknown => return None,
                },
                "function_declaration" => {
                    let call = self.call_site(function, caller_line)?;
                    if let Some(statement) = call
                        .parent()
                        .filter(|statement| statement.kind() == "go_statement")
                    {
                        return Some(statement);
                    }
                    at = call;
                }
                _ => {
                    // A method: its `go x.m(…)` when the file has exactly one.
                    let name = go.text(function.child_by_field_name("name")?);
                    let starts: Vec<Node<'t>> = self
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
                            let statement = call.parent()?;
                            (call.kind() == "call_expression" && statement.kind() == "go_statement")
                                .then_some(statement)
                        })
                        .collect();
                    return (starts.len() == 1).then(|| starts[0]);
                }
            }
        }
        None
    }

    fn select_forever(&self, blocked: &Blocked<'t>) -> Case {
        let mut evidence = vec![self.at(blocked.node, "`select {}` never returns")];
        if let Some(start) = self.started_at(blocked.node, blocked.caller_line) {
            evidence.push(self.at(start, "the goroutine is started here"));
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
            format!("{name} is nil here, as the runtime reports: a nil channel blocks forever"),
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

    fn global(&self, blocked: &Blocked<'t>, name: &str) -> Option<Case> {
        let declared = self.package.package_var(name)?;
        let path = self.package.files[declared.file].0;
        let mut evidence = vec![Line {
            file: declared.file,
            line: crate::source::analyze::shared::line_of(declared.node),
            text: format!(
                "`{name}` is a package-level variable in {path}: reachable for the whole \
                 program, so the GC cannot prove the goroutines waiting on it leaked"
            ),
        }];
        if let Some(start) = self.started_at(blocked.node, blocked.caller_line) {
            evidence.push(self.at(start, "the goroutine is started here"));
        }
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

    /// A send in a goroutine that nobody receives: timeout, premature return, n-cast, double
    /// send.
    fn abandoned_send(&self, flow: &Flow<'t>, me: Use<'t>, start: Node<'t>) -> Option<Case> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        let loops = go.loops_between(start, flow.list);
        let many = !loops.is_empty();
        let my_sends: Vec<Use<'t>> = flow
            .by_role(Role::Send)
            .filter(|(_, goroutine)| *goroutine == Some(start))
            .map(|(found, _)| *found)
            .collect();
        let other_sends = flow
            .by_role(Role::Send)
            .any(|(_, goroutine)| *goroutine != Some(start));
        let receives: Vec<Use<'t>> = flow
            .uses
            .iter()
            .filter(|(found, _)| matches!(found.role, Role::Receive | Role::Range))
            .map(|(found, goroutine)| (*found, *goroutine))
            .filter(|(_, goroutine)| *goroutine != Some(start))
            .map(|(found, goroutine)| goroutine.is_none().then_some(found))
            .collect::<Option<Vec<_>>>()?;
        if other_sends || flow.by_role(Role::Close).next().is_some() || me.select.is_some() {
            return None;
        }
        let mut evidence = vec![
            self.made(flow),
            self.at(
                start,
                if many {
                    format!("each turn of the loop starts a goroutine that sends on `{name}`")
                } else {
                    "the goroutine is started here".to_string()
                },
            ),
        ];
        if many {
            evidence.insert(1, self.at(loops[0], "this loop starts the goroutines"));
        }
        let per_path = self.sends_per_path(&my_sends, me.node);
        if let (false, Some((first, second))) = (many, per_path) {
            return self.double_send(flow, start, first, second, &receives, evidence);
        }
        if per_path.is_some() {
            return None;
        }

        // What the owner does instead of receiving.
        let mut abandon: Option<(PatternId, Vec<Line>)> = None;
        let mut counted = 0usize;
        for receive in &receives {
            let in_loop = !go.loops_between(receive.anchor, flow.list).is_empty()
                || receive.role == Role::Range;
            if in_loop {
                let loop_ = match receive.role {
                    Role::Range => receive.node,
                    _ => *go.loops_between(receive.anchor, flow.list).last()?,
                };
                let exits = self.exits_of(loop_, flow.owner);
                let Some(exit) = exits.first() else {
                    // Receives as many times as it likes: balanced, as far as the source tells.
                    return None;
                };
                abandon = abandon.or(Some((
                    PatternId::PrematureReturn,
                    vec![
                        self.at(
                            receive.node,
                            format!("{owner_name} receives from `{name}` in a loop…"),
                        ),
                        self.at(
                            *exit,
                            "…that it leaves here, before every sender was received",
                        ),
                    ],
                )));
                continue;
            }
            counted += 1;
            if let Some(select) = receive.select {
                if let Some(lines) = self.select_abandons(select, receive.node, flow, "receiving") {
                    let bounded = !go.case_bounds(select).is_empty();
                    let id = if bounded {
                        PatternId::Timeout
                    } else {
                        PatternId::PrematureReturn
                    };
                    abandon = abandon.or(Some((id, lines)));
                    continue;
                }
            }
            if let Some(lines) = self.skips(flow, start, *receive, "receiving from") {
                abandon = abandon.or(Some((PatternId::PrematureReturn, lines)));
            }
        }
        if many {
            let bound = self.loop_bound_text(flow, loops.as_slice());
            for receive in receives
                .iter()
                .filter(|receive| receive.role != Role::Range)
            {
                if go.loops_between(receive.anchor, flow.list).is_empty() {
                    evidence.push(self.at(
                        receive.node,
                        format!("{owner_name} receives from `{name}` once here"),
                    ));
                }
            }
            if counted == 0 && abandon.is_none() {
                evidence.push(self.ends_without(flow, "receiving from"));
            }
            if let Some((_, lines)) = &abandon {
                evidence.extend(lines.iter().cloned());
            }
            let summary = match &bound {
                Ok(bound) => format!(
                    "make `{name}` buffered with capacity `{bound}`, so every goroutine started \
                     in the loop can send after {owner_name} stops receiving"
                ),
                Err(_) => format!(
                    "give `{name}` a buffer as large as the number of goroutines the loop \
                     starts, so each can send after {owner_name} stops receiving"
                ),
            };
            let edits = bound.and_then(|bound| self.buffer(flow, &bound));
            return Some(self.with_new_code(
                Case::new(PatternId::Ncast, evidence, summary).patched(edits),
                me,
            ));
        }
        let (id, lines) = match abandon {
            Some(found) => found,
            None if receives.is_empty() => (
                PatternId::PrematureReturn,
                vec![self.ends_without(flow, "receiving from")],
            ),
            None => return None,
        };
        evidence.extend(lines);
        let summary = format!(
            "make `{name}` buffered with capacity 1, so the goroutine's send completes even \
             after {owner_name} has stopped waiting for it"
        );
        let edits = self.buffer(flow, "1");
        Some(self.with_new_code(Case::new(id, evidence, summary).patched(edits), me))
    }

    /// A receive in a goroutine that nothing sends to: the same shapes, seen from the other
    /// side. No patch: closing the channel would wake the goroutine with a zero value, and
    /// whether it should stop or go on is the owner's call.
    fn abandoned_receive(&self, flow: &Flow<'t>, me: Use<'t>, start: Node<'t>) -> Option<Case> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        if flow.by_role(Role::Close).next().is_some() || me.select.is_some() {
            return None;
        }
        let sends: Vec<Use<'t>> = flow
            .by_role(Role::Send)
            .filter(|(_, goroutine)| *goroutine != Some(start))
            .map(|(found, goroutine)| goroutine.is_none().then_some(*found))
            .collect::<Option<Vec<_>>>()?;
        let others_receive = flow
            .uses
            .iter()
            .any(|(found, goroutine)| found.role == Role::Receive && *goroutine != Some(start));
        if others_receive {
            return None;
        }
        let loops = go.loops_between(start, flow.list);
        let many = !loops.is_empty();
        let mut evidence = vec![
            self.made(flow),
            self.at(
                start,
                if many {
                    format!("each turn of the loop starts a goroutine that receives from `{name}`")
                } else {
                    "the goroutine is started here".to_string()
                },
            ),
        ];
        if many {
            evidence.insert(1, self.at(loops[0], "this loop starts the goroutines"));
        }
        let no_patch = format!(
            "closing `{name}` would wake the goroutine with a zero value; whether it should \
             stop or go on is the owner's call"
        );
        if sends.is_empty() {
            evidence.push(self.ends_without(flow, "sending on or closing"));
            return Some(
                Case::new(
                    PatternId::PrematureReturn,
                    evidence,
                    format!(
                        "send on `{name}` or close it on every path of {owner_name}, or drop the \
                         wait if nothing will ever come"
                    ),
                )
                .no_patch(no_patch),
            );
        }
        let mut abandon = None;
        for send in &sends {
            if !go.loops_between(send.anchor, flow.list).is_empty() {
                return None;
            }
            if let Some(select) = send.select {
                if let Some(lines) = self.select_abandons(select, send.node, flow, "sending") {
                    let id = if go.case_bounds(select).is_empty() {
                        PatternId::PrematureReturn
                    } else {
                        PatternId::Timeout
                    };
                    abandon = abandon.or(Some((id, lines)));
                    continue;
                }
            }
            if let Some(lines) = self.skips(flow, start, *send, "sending on") {
                abandon = abandon.or(Some((PatternId::PrematureReturn, lines)));
            }
        }
        if many {
            for send in &sends {
                evidence.push(self.at(
                    send.node,
                    format!("{owner_name} sends on `{name}` once here"),
                ));
            }
            if let Some((_, lines)) = abandon {
                evidence.extend(lines);
            }
            return Some(
                Case::new(
                    PatternId::Ncast,
                    evidence,
                    format!(
                        "close `{name}` instead of sending once, so every goroutine started in \
                         the loop stops waiting"
                    ),
                )
                .no_patch(no_patch),
            );
        }
        let (id, lines) = abandon?;
        evidence.extend(lines);
        Some(
            Case::new(
                id,
                evidence,
                format!(
                    "send on `{name}` (or close it) on every path of {owner_name}, including the \
                     one that gives up"
                ),
            )
            .no_patch(no_patch),
        )
    }

    /// Two sends of one goroutine that can both run on one path: the first and the second.
    /// None when every path sends at most once.
    fn sends_per_path(&self, sends: &[Use<'t>], me: Node<'t>) -> Option<(Use<'t>, Use<'t>)> {
        let go = self.go;
        if sends.iter().any(|send| {
            let function = go.function_of(send.anchor);
            function.is_some_and(|function| !go.loops_between(send.node, function).is_empty())
        }) {
            // A send in a loop sends any number of times; treated as two on one path.
            let first = *sends.first()?;
            return Some((
                first,
                sends
                    .iter()
                    .copied()
                    .find(|s| s.node == me)
                    .unwrap_or(first),
            ));
        }
        for (index, first) in sends.iter().enumerate() {
            for second in &sends[index + 1..] {
                if !self.exclusive(first.node, second.node) {
                    return Some((*first, *second));
                }
            }
        }
        None
    }

    /// Whether two nodes are on different branches of one if, switch or select, or the first
    /// ends its path (return, panic, …) before the second.
    fn exclusive(&self, first: Node<'t>, second: Node<'t>) -> bool {
        let go = self.go;
        let first_chain = go.ancestry(first);
        let second_chain = go.ancestry(second);
        // The innermost common ancestor, and the children of it holding each node.
        let common = first_chain
            .iter()
            .position(|node| second_chain.contains(node))
            .map(|index| first_chain[index]);
        let Some(common) = common else {
            return false;
        };
        let child_of = |chain: &[Node<'t>]| {
            chain
                .windows(2)
                .find(|pair| pair[1] == common)
                .map(|pair| pair[0])
        };
        let (Some(first_side), Some(second_side)) =
            (child_of(&first_chain), child_of(&second_chain))
        else {
            return false;
        };
        match common.kind() {
            "if_statement" => {
                let branches = [
                    common.child_by_field_name("consequence"),
                    common.child_by_field_name("alternative"),
                ];
                branches.contains(&Some(first_side))
                    && branches.contains(&Some(second_side))
                    && first_side != second_side
            }
            "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
                first_side != second_side
            }
            "statement_list" => self.terminates(first_side),
            _ => false,
        }
    }

    /// Whether `statement` ends every path through it (a return, a panic, an if whose
    /// branches all do).
    fn terminates(&self, statement: Node<'t>) -> bool {
        let go = self.go;
        match statement.kind() {
            "return_statement" | "goto_statement" => true,
            "expression_statement" => parts(statement).next().is_some_and(|call| {
                call.kind() == "call_expression"
                    && call
                        .child_by_field_name("function")
                        .is_some_and(|function| go.text(function) == "panic")
            }),
            "block" => statement
                .named_child(0)
                .and_then(|list| parts(list).last())
                .is_some_and(|last| self.terminates(last)),
            "if_statement" => {
                let consequence = statement.child_by_field_name("consequence");
                let alternative = statement.child_by_field_name("alternative");
                consequence.is_some_and(|c| self.terminates(c))
                    && alternative.is_some_and(|a| self.terminates(a))
            }
            _ => false,
        }
    }

    /// A goroutine that sends twice on one path to an owner that receives once.
    fn double_send(
        &self,
        flow: &Flow<'t>,
        start: Node<'t>,
        first: Use<'t>,
        second: Use<'t>,
        receives: &[Use<'t>],
        mut evidence: Vec<Line>,
    ) -> Option<Case> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        if receives.len() != 1 || !go.loops_between(receives[0].anchor, flow.list).is_empty() {
            return None;
        }
        let receive = receives[0];
        if first.node == second.node || go.loops_between(first.node, start).len() > 1 {
            return None;
        }
        evidence.push(self.at(first.node, format!("the goroutine sends on `{name}` here…")));
        evidence.push(self.at(second.node, "…and can go on to send again here".to_string()));
        evidence.push(self.at(
            receive.node,
            format!("{owner_name} receives from `{name}` once"),
        ));
        let summary = format!(
            "return after the send at line {}: {owner_name} receives one value from `{name}`, \
             so the second send at line {} waits forever",
            go.line(first.node),
            go.line(second.node)
        );
        let case = Case::new(PatternId::DoubleSend, evidence, summary);
        // The missing return: only where the first send ends a branch of a literal that
        // returns nothing.
        let literal = go.function_of(first.node).filter(|function| {
            function.kind() == "func_literal" && function.child_by_field_name("result").is_none()
        });
        let list = first
            .node
            .parent()
            .filter(|list| list.kind() == "statement_list");
        let last_in_branch = list.is_some_and(|list| {
            parts(list).last() == Some(first.node)
                && list
                    .parent()
                    .and_then(|block| block.parent())
                    .is_some_and(|branch| branch.kind() == "if_statement")
        });
        let edits = match (literal, last_in_branch) {
            (Some(_), true) => go
                .insert_after(self.file, first.node, "return")
                .map(|edit| vec![edit])
                .ok_or_else(|| "the send shares its line with other code".to_string()),
            (None, _) => Err(
                "the goroutine's function returns values: which ones to return \
                              is the owner's call"
                    .to_string(),
            ),
            (_, false) => Err(format!(
                "the send at line {} does not end a branch: where the goroutine should stop \
                 is the owner's call",
                go.line(first.node)
            )),
        };
        Some(case.patched(edits))
    }

    /// The lines showing that a select (of the owner) can leave without the operation on the
    /// channel: the case it waits in, and the cases that end the wait otherwise.
    fn select_abandons(
        &self,
        select: Node<'t>,
        op: Node<'t>,
        flow: &Flow<'t>,
        doing: &str,
    ) -> Option<Vec<Line>> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        let in_loop = !go.loops_between(select, flow.owner).is_empty();
        let mut lines = vec![self.at(op, format!("{owner_name} waits for `{name}` in a select…"))];
        let bounds = go.case_bounds(select);
        for case in parts(select) {
            let holds_op = case.start_byte() <= op.start_byte() && op.end_byte() <= case.end_byte();
            if holds_op || !matches!(case.kind(), "communication_case" | "default_case") {
                continue;
            }
            // In a loop, a case leaves only when its body returns.
            let leaves = !in_loop || !self.exits_of(case, flow.owner).is_empty();
            if !leaves {
                continue;
            }
            let line = go.line(case);
            let bound = bounds.iter().find(|bound| bound.line == line);
            let text = match (case.kind(), bound) {
                ("default_case", _) => {
                    format!(
                        "…and takes its default case when `{name}` is not ready, without {doing}"
                    )
                }
                (_, Some(bound)) => format!(
                    "…and leaves through `{}` ({}) without {doing}",
                    bound.expr, bound.origin
                ),
                _ => {
                    let communication = case
                        .child_by_field_name("communication")
                        .map(|communication| self.code(communication))
                        .unwrap_or_default();
                    format!("…and can leave through {communication} without {doing}")
                }
            };
            lines.push(self.at(case, text));
        }
        (lines.len() > 1).then_some(lines)
    }

    /// The lines showing that the owner can skip the operation `counterpart` after starting
    /// the goroutine: a return between them, or a branch the operation sits in.
    fn skips(
        &self,
        flow: &Flow<'t>,
        start: Node<'t>,
        counterpart: Use<'t>,
        doing: &str,
    ) -> Option<Vec<Line>> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        let returns: Vec<Node<'t>> = go
            .returns_of(flow.owner)
            .into_iter()
            .filter(|ret| {
                ret.start_byte() > start.end_byte()
                    && ret.end_byte() <= counterpart.anchor.start_byte()
            })
            .collect();
        if let Some(ret) = returns.first() {
            return Some(vec![
                self.at(
                    *ret,
                    format!("{owner_name} returns here without {doing} `{name}`…"),
                ),
                self.at(counterpart.node, "…which it does only here".to_string()),
            ]);
        }
        // A branch around the operation that does not hold the goroutine's start.
        let common = go.ancestry(counterpart.anchor).into_iter().find(|node| {
            node.kind() == "statement_list"
                && node.start_byte() <= start.start_byte()
                && start.end_byte() <= node.end_byte()
        })?;
        let branch = go
            .branches_between(counterpart.anchor, common)
            .into_iter()
            .last()?;
        let alternatives_do_it = branch.kind() == "if_statement"
            && branch
                .child_by_field_name("alternative")
                .is_some_and(|alternative| {
                    flow.uses.iter().any(|(other, goroutine)| {
                        goroutine.is_none()
                            && other.role == counterpart.role
                            && alternative.start_byte() <= other.anchor.start_byte()
                            && other.anchor.end_byte() <= alternative.end_byte()
                    })
                });
        if alternatives_do_it {
            return None;
        }
        Some(vec![
            self.at(
                branch,
                format!("{owner_name} goes on past this branch without {doing} `{name}`…"),
            ),
            self.at(
                counterpart.node,
                "…which it does only inside it".to_string(),
            ),
        ])
    }

    /// "`f` ends here without …": the owner's last line.
    fn ends_without(&self, flow: &Flow<'t>, doing: &str) -> Line {
        let go = self.go;
        let body = flow.owner.child_by_field_name("body").unwrap_or(flow.owner);
        Line {
            file: self.file,
            line: go.end_line(body),
            text: format!(
                "{} ends here without ever {doing} `{}`",
                self.function_name(flow.owner),
                flow.name
            ),
        }
    }

    /// Statements leaving `scope` (a loop or a select case) for good: returns in it, and
    /// breaks or gotos to a label outside it.
    fn exits_of(&self, scope: Node<'t>, owner: Node<'t>) -> Vec<Node<'t>> {
        let go = self.go;
        let mut exits = Vec::new();
        crate::source::analyze::shared::walk(scope, |node, _| {
            if is_function(node) && node != owner {
                return false;
            }
            match node.kind() {
                "return_statement" => exits.push(node),
                "break_statement" | "goto_statement" if parts(node).next().is_some() => {
                    exits.push(node)
                }
                "break_statement" if scope.kind() == "for_statement" => {
                    // A plain break leaves the innermost loop, switch or select around it.
                    let innermost = go.ancestry(node).into_iter().skip(1).find(|ancestor| {
                        matches!(
                            ancestor.kind(),
                            "for_statement"
                                | "expression_switch_statement"
                                | "type_switch_statement"
                                | "select_statement"
                        )
                    });
                    if innermost == Some(scope) {
                        exits.push(node);
                    }
                }
                _ => {}
            }
            true
        });
        exits
    }

    /// The capacity an n-cast's buffer needs, from the loop starting its goroutines.
    fn loop_bound_text(&self, flow: &Flow<'t>, loops: &[Node<'t>]) -> Result<String, String> {
        if loops.len() > 1 {
            return Err("the goroutines are started in nested loops".into());
        }
        let loop_ = *loops.first().ok_or("no loop")?;
        self.go.loop_bound(loop_, flow.statement)
    }

    /// The edit giving the channel's make a buffer of `capacity`.
    fn buffer(&self, flow: &Flow<'t>, capacity: &str) -> Result<Vec<EditPlan>, String> {
        let name = flow.name;
        let make = flow.make.ok_or_else(|| {
            format!("`{name}` is not made where it is declared, so there is no make to change")
        })?;
        if let Some(existing) = capacity_node(make) {
            let written = self.go.written(existing);
            if written != "0" && written != capacity {
                return Err(format!(
                    "`{name}` already has a buffer of {written}; how large it must be is the \
                     owner's call"
                ));
            }
        }
        self.go
            .buffer_edit(self.file, make, capacity)
            .map(|edit| vec![edit])
            .ok_or_else(|| "the make call could not be read".into())
    }

    /// Says which code a patch lets run after the blocked operation that never ran before.
    fn with_new_code(&self, mut case: Case, me: Use<'t>) -> Case {
        if case.edits.is_empty() {
            return case;
        }
        let go = self.go;
        let mut ranges = Vec::new();
        ranges.extend(go.runs_after(me.node));
        if me.anchor != me.node {
            ranges.extend(go.runs_after(me.anchor));
        }
        if let Some(first) = ranges.iter().map(|range| range.0).min() {
            let last = ranges.iter().map(|range| range.1).max().unwrap_or(first);
            case.runs_new_code = Some(format!(
                "once the operation at line {} completes, {}, which never ran before: check \
                 it is safe to run after the counterpart has given up",
                go.line(me.node),
                lines_run(first, last)
            ));
        }
        case
    }

    /// A range over a channel whose producers never close it.
    fn unclosed_range(&self, flow: &Flow<'t>, me: Use<'t>) -> Option<Case> {
        let go = self.go;
        let name = flow.name;
        if flow.by_role(Role::Close).next().is_some() {
            return None;
        }
        let mine = flow
            .uses
            .iter()
            .find(|(found, _)| found.node == me.node)
            .map(|(_, goroutine)| *goroutine)?;
        let sends: Vec<(Use<'t>, Option<Node<'t>>)> = flow
            .by_role(Role::Send)
            .copied()
            .filter(|(_, goroutine)| *goroutine != mine)
            .collect();
        let mut evidence = vec![self.made(flow)];
        if let Some(start) = mine {
            evidence.push(self.at(start, "the consuming goroutine is started here"));
        }
        for (send, _) in &sends {
            evidence.push(self.at(send.node, format!("a producer sends on `{name}` here")));
        }
        evidence.push(self.ends_without(flow, "closing"));
        let summary;
        let edits = if sends.is_empty() {
            summary = format!(
                "close `{name}` once nothing will send on it, so the range at line {} ends",
                go.line(me.node)
            );
            Err(format!(
                "nothing sends on `{name}`: where its life ends is the owner's call"
            ))
        } else if sends.iter().all(|(_, goroutine)| goroutine.is_none()) {
            summary = format!(
                "close `{name}` after the owner's last send, so the range at line {} ends",
                go.line(me.node)
            );
            self.close_after_sends(flow, &sends)
        } else if sends.iter().all(|(_, goroutine)| goroutine.is_some()) {
            let starts: Vec<Node<'t>> = {
                let mut starts: Vec<Node<'t>> = sends
                    .iter()
                    .filter_map(|(_, goroutine)| *goroutine)
                    .collect();
                starts.dedup();
                starts
            };
            let at = evidence.len() - 1;
            for (index, start) in starts.iter().enumerate() {
                evidence.insert(
                    at + index,
                    self.at(*start, "a producing goroutine is started here"),
                );
            }
            let (said, edits) = self.close_after_producers(flow, &starts);
            summary = format!("{said}, so the range at line {} ends", go.line(me.node));
            edits
        } else {
            summary = format!(
                "close `{name}` once every producer is done, so the range at line {} ends",
                go.line(me.node)
            );
            Err(format!(
                "both the owner and goroutines send on `{name}`: where the last send happens is \
                 the owner's call"
            ))
        };
        let mut case = Case::new(PatternId::UnclosedRange, evidence, summary).patched(edits);
        if !case.edits.is_empty() {
            case.runs_new_code = go.runs_after(me.node).map(|(first, last)| {
                format!(
                    "once the range at line {} ends, {}, which never ran before: check it is \
                     safe to run",
                    go.line(me.node),
                    lines_run(first, last)
                )
            });
        }
        Some(case)
    }

    /// `close(ch)` after the statement of the owner's body holding its last send, when every
    /// send is there, outside loops around the channel's scope.
    fn close_after_sends(
        &self,
        flow: &Flow<'t>,
        sends: &[(Use<'t>, Option<Node<'t>>)],
    ) -> Result<Vec<EditPlan>, String> {
        let go = self.go;
        let name = flow.name;
        let last = sends
            .iter()
            .map(|(send, _)| send.anchor)
            .max_by_key(|node| node.start_byte())
            .ok_or("no send")?;
        let statement = go
            .statement_in(last, flow.list)
            .ok_or_else(|| format!("the last send on `{name}` is not in its scope"))?;
        if sends
            .iter()
            .any(|(send, _)| go.statement_in(send.anchor, flow.list).is_none())
        {
            return Err(format!(
                "the sends on `{name}` are spread over several blocks"
            ));
        }
        let returns_inside = go.returns_of(flow.owner).into_iter().any(|ret| {
            ret.start_byte() >= statement.start_byte() && ret.end_byte() <= statement.end_byte()
        });
        if returns_inside {
            return Err(format!(
                "the owner can return from inside the statement at line {} that sends, which \
                 would skip a close after it",
                go.line(statement)
            ));
        }
        go.insert_after(self.file, statement, &format!("close({name})"))
            .map(|edit| vec![edit])
            .ok_or_else(|| {
                format!(
                    "line {} holds other code after the send",
                    go.end_line(statement)
                )
            })
    }

    /// `defer close(ch)` at the top of a single producer goroutine, or `close(ch)` after the
    /// `Wait()` of the WaitGroup every producer is `Done` with.
    fn close_after_producers(
        &self,
        flow: &Flow<'t>,
        starts: &[Node<'t>],
    ) -> (String, Result<Vec<EditPlan>, String>) {
        let go = self.go;
        let name = flow.name;
        let general = format!("close `{name}` once every producer is done");
        let literal_of = |start: Node<'t>| -> Option<Node<'t>> {
            let call = parts(start).next()?;
            let function = match call.kind() {
                "call_expression" => call.child_by_field_name("function").map(unparen)?,
                _ => return None,
            };
            if function.kind() == "func_literal" {
                return Some(function);
            }
            // `g.Go(func() {…})`
            call.child_by_field_name("arguments")
                .and_then(|arguments| parts(arguments).next())
                .map(unparen)
                .filter(|argument| argument.kind() == "func_literal")
        };
        let single = starts.len() == 1 && go.loops_between(starts[0], flow.list).is_empty();
        if single {
            let said = format!(
                "close `{name}` when the producer started at line {} returns (`defer \
                 close({name})` at its top)",
                go.line(starts[0])
            );
            let edits = literal_of(starts[0])
                .and_then(|literal| literal.child_by_field_name("body"))
                .ok_or_else(|| "the producer is not a function literal leakprof can edit".into())
                .and_then(|body| {
                    go.insert_first(self.file, body, &format!("defer close({name})"))
                        .map(|edit| vec![edit])
                        .ok_or_else(|| "the producer is written on one line".to_string())
                });
            return (said, edits);
        }
        match self.wait_for_producers(flow, starts) {
            Ok((group, wait)) => (
                format!(
                    "close `{name}` after `{group}.Wait()` at line {}, once every producer is done",
                    go.line(wait)
                ),
                go.insert_after(self.file, wait, &format!("close({name})"))
                    .map(|edit| vec![edit])
                    .ok_or_else(|| {
                        format!("line {} holds other code after the Wait", go.line(wait))
                    }),
            ),
            Err(why) => (general, Err(why)),
        }
    }

    /// The WaitGroup every producer is `Done` with, and the owner's statement that waits for
    /// it after starting them.
    fn wait_for_producers(
        &self,
        flow: &Flow<'t>,
        starts: &[Node<'t>],
    ) -> Result<(String, Node<'t>), String> {
        let go = self.go;
        let name = flow.name;
        let literal_of = |start: Node<'t>| -> Option<Node<'t>> {
            let call = parts(start).next()?;
            let function = match call.kind() {
                "call_expression" => call.child_by_field_name("function").map(unparen)?,
                _ => return None,
            };
            if function.kind() == "func_literal" {
                return Some(function);
            }
            call.child_by_field_name("arguments")
                .and_then(|arguments| parts(arguments).next())
                .map(unparen)
                .filter(|argument| argument.kind() == "func_literal")
        };
        // Several producers: the WaitGroup each is Done with, and where the owner waits for it.
        let mut group: Option<String> = None;
        for start in starts {
            let literal = literal_of(*start).ok_or("a producer is not a function literal")?;
            let mut done: Option<String> = None;
            crate::source::analyze::shared::walk(literal, |node, _| {
                if node.kind() == "call_expression" && done.is_none() {
                    let function = node.child_by_field_name("function");
                    if let Some(function) = function.filter(|f| field_of(&go, *f) == Some("Done")) {
                        done = function
                            .child_by_field_name("operand")
                            .map(|operand| go.written(operand));
                    }
                }
                true
            });
            let done = done.ok_or("a producer does not say when it is done (no WaitGroup Done)")?;
            match &group {
                Some(group) if *group != done => {
                    return Err("the producers are done with different WaitGroups".into());
                }
                _ => group = Some(done),
            }
        }
        let group = group.ok_or("no producer")?;
        let last_start = starts
            .iter()
            .map(|start| start.end_byte())
            .max()
            .unwrap_or(0);
        let mut wait = None;
        crate::source::analyze::shared::walk(flow.list, |node, _| {
            if node.start_byte() < last_start || wait.is_some() {
                return node.end_byte() > last_start && wait.is_none();
            }
            if node.kind() == "expression_statement" {
                let waits = parts(node).next().is_some_and(|call| {
                    call.kind() == "call_expression"
                        && call
                            .child_by_field_name("function")
                            .is_some_and(|function| {
                                field_of(&go, function) == Some("Wait")
                                    && function
                                        .child_by_field_name("operand")
                                        .is_some_and(|operand| go.written(operand) == group)
                            })
                });
                if waits {
                    wait = Some(node);
                }
            }
            true
        });
        let wait = wait.ok_or_else(|| {
            format!(
                "nothing waits for `{group}` after the producers start: add a goroutine that \
                 does, then closes `{name}`"
            )
        })?;
        Ok((group, wait))
    }

    /// A select: a done channel nobody closes among its cases (never closed), or channels of
    /// its own that nothing sends on (premature return: never doing it).
    fn select(&self, blocked: &Blocked<'t>) -> Option<Case> {
        let go = self.go;
        let mut cases = Vec::new();
        for case in parts(blocked.node).filter(|case| case.kind() == "communication_case") {
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
            cases.push((case, unparen(channel), receives));
        }
        if cases.is_empty() || parts(blocked.node).any(|case| case.kind() == "default_case") {
            return None;
        }
        // The way out first: a case whose body leaves is the done channel, the others carry
        // work.
        let owner_of_select = go.function_of(blocked.node)?;
        let mut ways_out: Vec<&(Node<'t>, Node<'t>, bool)> =
            cases.iter().filter(|(_, _, receives)| *receives).collect();
        ways_out.sort_by_key(|(case, _, _)| self.exits_of(*case, owner_of_select).is_empty());
        for (case, channel, _) in ways_out {
            let found = match self.origin(*channel, blocked.caller_line, 0) {
                Origin::Field { field } => self.field_never_closed(*case, *channel, field),
                Origin::Done { context } => self.context_never_cancelled(*case, context),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        // Every case on a channel of the owner's that nothing outside this goroutine serves.
        let mine = go.function_of(blocked.node)?;
        let mut evidence = Vec::new();
        let mut waits = Vec::new();
        let mut names = Vec::new();
        let mut owner = None;
        for (case, channel, receives) in &cases {
            let Origin::Local {
                name,
                binding,
                owner: case_owner,
            } = self.origin(*channel, blocked.caller_line, 0)
            else {
                return None;
            };
            owner = owner.or(Some(case_owner));
            let here = go.goroutine_of(blocked.node, case_owner).ok()?;
            let mut served = false;
            for found in go.uses(name, binding) {
                if matches!(found.role, Role::Escape | Role::Assign) {
                    return None;
                }
                let goroutine = go.goroutine_of(found.anchor, case_owner).ok()?;
                let counterpart = match receives {
                    true => matches!(found.role, Role::Send | Role::Close),
                    false => matches!(found.role, Role::Receive | Role::Range),
                };
                served |= counterpart && goroutine != here;
            }
            if served {
                return None;
            }
            let Binding::Local { value, .. } = binding else {
                return None;
            };
            // Made right here, or it may be shared with code out of sight.
            let make = value
                .map(unparen)
                .filter(|value| go.makes_channel(*value))?;
            evidence.push(self.at(make, format!("`{name}` is made here")));
            waits.push(self.at(*case, format!("the select waits for `{name}` here")));
            names.push(format!("`{name}`"));
        }
        let owner = owner?;
        if owner == mine {
            return None;
        }
        if let Some(start) = self.started_at(blocked.node, blocked.caller_line) {
            evidence.push(self.at(start, "the goroutine is started here"));
        }
        evidence.extend(waits);
        let owner_name = self.function_name(owner);
        let names = names.join(" or ");
        let body = owner.child_by_field_name("body").unwrap_or(owner);
        evidence.push(Line {
            file: self.file,
            line: go.end_line(body),
            text: format!("{owner_name} ends here without ever serving {names}"),
        });
        Some(
            Case::new(
                PatternId::PrematureReturn,
                evidence,
                format!(
                    "make {owner_name} serve {names} on every path (a send, or a close when it is \
                     done), or give the select a way out such as `<-ctx.Done()`"
                ),
            )
            .no_patch("which case should end the wait, and how, is the owner's call"),
        )
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

/// The capacity argument of `make(chan T, N)`, as written.
fn capacity(go: &Go<'_>, make: Node<'_>) -> Option<String> {
    capacity_node(make).map(|node| go.written(node))
}

fn capacity_node(make: Node<'_>) -> Option<Node<'_>> {
    parts(make.child_by_field_name("arguments")?).nth(1)
}
