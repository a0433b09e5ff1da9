//! Whether a bound can still fire when the goroutine parks. A select case on `<-ctx.Done()`,
//! `<-t.C` or `<-time.After(d)` bounds the wait only if the context can be done, the timer
//! can still fire, while the goroutine waits: the channel expression is traced back to where
//! it comes from in the function, and what happens to it on the way to the wait (stops,
//! resets, cancels and where they are called or deferred, re-use across loop turns) decides.
//!
//! Three answers: it fires (a deadline, a cancel someone can call, a running timer); it can
//! never fire while the goroutine waits, with the line that shows why; or it cannot be told
//! from this function (a parameter, a field, a package variable), which callers may settle.

use tree_sitter::Node;

use super::tree::{Go, line_of, parts, unparen, walk};
use super::{Check, Kept, Parameter};

/// How far a context is followed through variables and parents.
const MAX_DEPTH: u32 = 6;

/// Functions of package `context` that give a context with a deadline: it is done by then,
/// whatever happens to its cancel function.
const DEADLINES: [&str; 4] = [
    "WithTimeout",
    "WithDeadline",
    "WithTimeoutCause",
    "WithDeadlineCause",
];

/// Where a bound is checked from: inside the goroutine that waits (a `defer` there runs
/// after the wait), or from a caller that started it (everything the caller does can
/// happen while the goroutine waits, except what the goroutine it started defers: when
/// the call starts a func literal, `started` is that literal).
#[derive(Clone, Copy)]
pub(super) enum Vantage<'t> {
    Waiter(Node<'t>),
    Caller { started: Option<Node<'t>> },
}

/// What the uses of a cancel function show.
enum Cancels {
    /// Someone can call it while the goroutine waits.
    Can,
    /// Only the goroutine that waits reaches it, and only after the wait.
    OnlyAfter(Late),
    /// Nothing calls it or passes it on; the line of a `_ = cancel` that only discards it.
    Never(Option<u32>),
}

/// How a cancel function is reached only after the wait, by the goroutine that waits.
#[derive(Clone, Copy)]
enum Late {
    /// A `defer` of the waiting function, at this line.
    Deferred(u32),
    /// A call or a hand-over after the wait, at this line.
    After(u32),
    /// A call after the wait in the loop turn that made the context, at `line`: the next
    /// turn of the loop at `looped` makes a new context and waits on that one.
    SameTurn { line: u32, looped: u32 },
}

/// What one use of a cancel function's name does with it.
#[derive(Clone, Copy, PartialEq)]
enum Use {
    /// `cancel()`, `go cancel()`, `defer cancel()`.
    Call,
    /// Passed to a call, stored, returned, captured: whoever gets it can call it.
    PassedOn,
    /// `_ = cancel`: thrown away, only to please the compiler.
    Discarded,
    /// Assigned to, or compared with nil: nothing can call it through this use.
    Inert,
}

impl<'t> Go<'t> {
    /// Whether the context `context` (the `x` of `x.Done()`) can be done while a goroutine
    /// waits at `wait`.
    pub(super) fn context_check(
        &self,
        context: Node<'t>,
        wait: Node<'t>,
        vantage: Vantage<'t>,
        depth: u32,
    ) -> Check {
        let context = unparen(context);
        let written = self.written(context);
        if depth > MAX_DEPTH {
            return Check::unverified(format!("{written} is made too far away to follow"));
        }
        match context.kind() {
            "call_expression" => self.context_call(context, wait, vantage, depth),
            "identifier" => {
                let Some(binding) = self.resolve(&written, context) else {
                    return Check::unverified(format!(
                        "{written} is not made in this function (a package variable?)"
                    ));
                };
                if let (Some((call, index)), Some(statement)) = (binding.tuple, binding.statement) {
                    return self
                        .derived_context(&written, call, index, statement, wait, vantage, depth);
                }
                if let Some(value) = binding.value {
                    return self.context_check(value, wait, vantage, depth + 1);
                }
                if let Some((function, index)) = binding.parameter {
                    let function = self.function_name(function);
                    return Check::Unverified {
                        why: format!(
                            "{written} is a parameter of {function}: whether its callers can \
                             end it was not checked"
                        ),
                        parameter: Some(Parameter {
                            function,
                            index,
                            name: written,
                        }),
                        kept: None,
                    };
                }
                Check::unverified(format!("where {written} comes from is not clear"))
            }
            "selector_expression" => Check::unverified(format!(
                "{written} is a field: where it is cancelled is out of this function's reach"
            )),
            _ => Check::unverified(format!("where {written} comes from is not clear")),
        }
    }

    /// A context made by a call: `context.Background()`, `context.WithValue(parent, …)`,
    /// `r.Context()`.
    fn context_call(
        &self,
        call: Node<'t>,
        wait: Node<'t>,
        vantage: Vantage<'t>,
        depth: u32,
    ) -> Check {
        let written = self.written(call);
        match self.package_function(call, &self.context) {
            Some("Background" | "TODO" | "WithoutCancel") => Check::Never {
                why: format!("{written} is never done: its Done() is nil"),
                line: line_of(call),
            },
            Some("WithValue") => match self.argument(call, 0) {
                Some(parent) => self.context_check(parent, wait, vantage, depth + 1),
                None => Check::unverified(format!("{written} has no parent context")),
            },
            Some(function) if DEADLINES.contains(&function) => Check::Fires,
            _ => Check::unverified(format!(
                "{written} is ended by whoever made it, out of this function's reach"
            )),
        }
    }

    /// `ctx, cancel := context.WithCancel(parent)` and the like: `name` is the `index`-th
    /// result of `call`, bound by `statement`.
    #[allow(clippy::too_many_arguments)]
    fn derived_context(
        &self,
        name: &str,
        call: Node<'t>,
        index: usize,
        statement: Node<'t>,
        wait: Node<'t>,
        vantage: Vantage<'t>,
        depth: u32,
    ) -> Check {
        let function = self.package_function(call, &self.context);
        if function.is_some_and(|function| DEADLINES.contains(&function)) {
            return Check::Fires;
        }
        if !matches!(function, Some("WithCancel" | "WithCancelCause")) || index != 0 {
            return Check::unverified(format!(
                "{name} comes from {}, which this check does not know",
                self.written(call)
            ));
        }
        let parent = match self.argument(call, 0) {
            Some(parent) => self.context_check(parent, wait, vantage, depth + 1),
            None => Check::unverified(format!("{} has no parent", self.written(call))),
        };
        if parent == Check::Fires {
            return Check::Fires;
        }
        let cancel = statement
            .child_by_field_name("left")
            .and_then(|left| parts(left).nth(1))
            .or_else(|| {
                // `var ctx, cancel = context.WithCancel(…)`
                let mut cursor = statement.walk();
                let names: Vec<Node<'t>> = parts(statement)
                    .find(|spec| spec.kind() == "var_spec")
                    .map(|spec| spec.children_by_field_name("name", &mut cursor).collect())
                    .unwrap_or_default();
                names.get(1).copied()
            });
        let line = line_of(statement);
        // `ctx, stop = context.WithCancel(…)` into a variable of the package: whoever can
        // reach it, anywhere in the package, may call it.
        let assigned = statement.kind() == "assignment_statement";
        if let Some(cancel) = cancel.filter(|cancel| self.text(*cancel) != "_") {
            let local = self.resolve(self.text(cancel), statement).is_some();
            if assigned && (!local || cancel.kind() != "identifier") {
                let why = format!(
                    "the cancel function of {name} is kept in {}, which code out of this \
                     function's reach may call",
                    self.written(cancel)
                );
                let kept = (cancel.kind() == "identifier").then(|| Kept {
                    name: self.text(cancel).to_string(),
                    line,
                    context: name.to_string(),
                    via: None,
                });
                return Check::Unverified {
                    why,
                    parameter: None,
                    kept,
                };
            }
        }
        let cancelled = match cancel.map(|cancel| self.text(cancel)) {
            None | Some("_") => Cancels::Never(Some(line)),
            Some(cancel) => self.cancels(cancel, statement, wait, vantage),
        };
        let why = match cancelled {
            Cancels::Can => return Check::Fires,
            Cancels::Never(Some(discarded)) => format!(
                "the cancel function of {name} is discarded at line {discarded}: nobody can \
                 cancel it"
            ),
            Cancels::Never(None) => format!("the cancel function of {name} is never called"),
            Cancels::OnlyAfter(Late::Deferred(deferred)) => format!(
                "the cancel function of {name} is only deferred, at line {deferred}, by the \
                 function that waits: it runs after the wait"
            ),
            Cancels::OnlyAfter(Late::After(after)) => format!(
                "the cancel function of {name} is only reached at line {after}, after the \
                 wait, by the goroutine that waits"
            ),
            Cancels::OnlyAfter(Late::SameTurn {
                line: after,
                looped,
            }) => format!(
                "the cancel function of {name} is only called at line {after}, after the wait \
                 in the same turn of the loop at line {looped}, which makes a new {name} each \
                 turn"
            ),
        };
        match parent {
            Check::Never { why: parent, .. } => Check::Never {
                why: format!("{why}, and its parent: {parent}"),
                line,
            },
            Check::Unverified { why: parent, .. } => {
                Check::unverified(format!("{why}, but its parent may end: {parent}"))
            }
            Check::Fires => Check::Fires,
        }
    }

    /// What the uses of the cancel function `name`, bound by `statement`, show.
    fn cancels(
        &self,
        name: &str,
        statement: Node<'t>,
        wait: Node<'t>,
        vantage: Vantage<'t>,
    ) -> Cancels {
        let scope = self.enclosing_function(statement).unwrap_or(self.root);
        let mut after = None;
        let mut discarded = None;
        let mut can = false;
        walk(scope, |node, ancestors| {
            if can {
                return false;
            }
            if node.kind() != "identifier"
                || self.text(node) != name
                || node.start_byte() < statement.end_byte()
            {
                return true;
            }
            // Another variable of the same name, or this one bound again (`ctx, cancel =
            // context.WithCancel(…)` for the next turn): not this cancel function.
            if self
                .resolve(name, node)
                .and_then(|binding| binding.statement)
                != Some(statement)
            {
                return true;
            }
            let used = self.use_of(node, ancestors);
            match used {
                Use::Inert => return true,
                Use::Discarded => {
                    discarded.get_or_insert(line_of(node));
                    return true;
                }
                Use::Call | Use::PassedOn => {}
            }
            // A use before the wait in a branch that returns is on no path to the wait.
            if node.start_byte() < wait.start_byte() && self.abandons(node, wait) {
                return true;
            }
            let waiter = match vantage {
                Vantage::Waiter(waiter) => waiter,
                // The func literal the caller starts defers it: after the wait.
                Vantage::Caller {
                    started: Some(literal),
                } if self.deferred_in(ancestors, literal) => {
                    after.get_or_insert(Late::Deferred(line_of(node)));
                    return true;
                }
                Vantage::Caller { .. } => {
                    // From a caller, any other use can happen while the goroutine waits.
                    can = true;
                    return false;
                }
            };
            let Some(at) = ancestors.iter().position(|ancestor| *ancestor == waiter) else {
                // Another goroutine or a callback: it can run while this one waits.
                can = true;
                return false;
            };
            // Where the use happens as the waiting function runs: a func literal made there
            // runs no earlier than it is made, and a `defer` runs after the wait.
            let inner = &ancestors[at + 1..];
            let literal = inner
                .iter()
                .position(|ancestor| ancestor.kind() == "func_literal");
            let site = literal.map_or(node, |index| inner[index]);
            let deferred = self.deferred_in(ancestors, waiter);
            let line = line_of(node);
            if deferred {
                after.get_or_insert(Late::Deferred(line));
            } else if site.start_byte() < wait.start_byte() {
                can = true;
            } else {
                match self.loop_around(site, wait, waiter) {
                    // A later turn waits again on the same context, after this call.
                    Some(looped) if !self.holds(looped, statement) => can = true,
                    Some(looped) if used == Use::Call => {
                        after.get_or_insert(Late::SameTurn {
                            line,
                            looped: line_of(looped),
                        });
                    }
                    _ => {
                        after.get_or_insert(Late::After(line));
                    }
                }
            }
            !can
        });
        match (can, after) {
            (true, _) => Cancels::Can,
            (false, Some(late)) => Cancels::OnlyAfter(late),
            (false, None) => Cancels::Never(discarded),
        }
    }

    /// Whether a use with these `ancestors` sits in a `defer` of `function` itself (directly,
    /// or in a func literal that the `defer` runs): it runs when `function` returns.
    fn deferred_in(&self, ancestors: &[Node<'t>], function: Node<'t>) -> bool {
        let Some(at) = ancestors.iter().position(|ancestor| *ancestor == function) else {
            return false;
        };
        ancestors[at + 1..]
            .iter()
            .take_while(|ancestor| ancestor.kind() != "func_literal")
            .any(|ancestor| ancestor.kind() == "defer_statement")
    }

    /// What the use of a name at `node` (with its `ancestors`) does with the value.
    fn use_of(&self, node: Node<'t>, ancestors: &[Node<'t>]) -> Use {
        let Some(&parent) = ancestors.last() else {
            return Use::PassedOn;
        };
        match parent.kind() {
            "call_expression" if parent.child_by_field_name("function") == Some(node) => Use::Call,
            // `var cancel = …`: the name declared again, not read.
            "var_spec" => Use::Inert,
            // `S{cancel: nil}`: a field's name, not the variable.
            "literal_element"
                if ancestors.len() >= 2
                    && ancestors[ancestors.len() - 2].kind() == "keyed_element"
                    && ancestors[ancestors.len() - 2].child_by_field_name("key")
                        == Some(parent) =>
            {
                Use::Inert
            }
            "binary_expression"
                if parent
                    .child_by_field_name("operator")
                    .is_some_and(|operator| matches!(operator.kind(), "==" | "!=")) =>
            {
                Use::Inert
            }
            "expression_list" => {
                let Some(&holder) = ancestors
                    .len()
                    .checked_sub(2)
                    .and_then(|i| ancestors.get(i))
                else {
                    return Use::PassedOn;
                };
                let (targets, values) = match holder.kind() {
                    "assignment_statement" | "short_var_declaration" => {
                        let targets: Vec<Node<'t>> = holder
                            .child_by_field_name("left")
                            .map(|left| parts(left).collect())
                            .unwrap_or_default();
                        (targets, holder.child_by_field_name("right"))
                    }
                    "var_spec" => {
                        let mut cursor = holder.walk();
                        let targets = holder.children_by_field_name("name", &mut cursor).collect();
                        (targets, holder.child_by_field_name("value"))
                    }
                    _ => return Use::PassedOn,
                };
                if values != Some(parent) {
                    // On the left: the name is written, not read.
                    return Use::Inert;
                }
                let index = parts(parent).position(|value| value == node);
                let target = index.and_then(|index| targets.get(index));
                match target {
                    Some(target) if self.text(*target) == "_" => Use::Discarded,
                    _ => Use::PassedOn,
                }
            }
            _ => Use::PassedOn,
        }
    }

    /// Whether `node`, before `wait`, sits in a branch that ends the function (`return`,
    /// `panic`) without reaching the wait: what happens there is on no path to the wait.
    fn abandons(&self, node: Node<'t>, wait: Node<'t>) -> bool {
        let holds_wait = |ancestor: Node<'t>| {
            ancestor.start_byte() <= wait.start_byte() && wait.end_byte() <= ancestor.end_byte()
        };
        let chain: Vec<Node<'t>> = self
            .ancestry(node)
            .into_iter()
            .take_while(|ancestor| !holds_wait(*ancestor))
            .collect();
        // The returns of a func literal end the literal, not the function around the wait.
        let outside = chain
            .iter()
            .rposition(|ancestor| ancestor.kind() == "func_literal")
            .map_or(0, |literal| literal + 1);
        chain[outside..]
            .iter()
            .filter(|ancestor| ancestor.kind() == "statement_list")
            .any(|list| parts(*list).last().is_some_and(|last| self.ends(last)))
    }

    /// Whether a statement ends the function: a `return`, or a call that does not come back
    /// (`panic`, `os.Exit`, `log.Fatal`…).
    fn ends(&self, statement: Node<'t>) -> bool {
        match statement.kind() {
            "return_statement" => true,
            "expression_statement" => parts(statement).next().is_some_and(|call| {
                call.kind() == "call_expression"
                    && call
                        .child_by_field_name("function")
                        .is_some_and(|function| {
                            matches!(
                                self.text(function),
                                "panic"
                                    | "os.Exit"
                                    | "log.Fatal"
                                    | "log.Fatalf"
                                    | "log.Fatalln"
                                    | "runtime.Goexit"
                            )
                        })
            }),
            _ => false,
        }
    }

    /// Whether the timer or ticker `name` (made by `statement`, waited on as `name.C` at
    /// `wait`, in the select case `case`) can still fire when the goroutine parks.
    pub(super) fn timer_check(
        &self,
        name: &str,
        statement: Node<'t>,
        wait: Node<'t>,
        case: Option<Node<'t>>,
        repeats: bool,
    ) -> Check {
        let Some(waiter) = self.enclosing_function(wait) else {
            return Check::Fires;
        };
        // Stops and resets in the waiting function, before the wait.
        let mut stopped: Option<u32> = None;
        let mut resets = Vec::new();
        walk(waiter, |node, _| {
            if node.kind() == "func_literal" && node != waiter {
                return false;
            }
            if node.kind() != "call_expression" {
                return true;
            }
            let method = node
                .child_by_field_name("function")
                .filter(|function| function.kind() == "selector_expression")
                .filter(|function| {
                    function
                        .child_by_field_name("operand")
                        .is_some_and(|operand| self.text(operand) == name)
                })
                .and_then(|function| function.child_by_field_name("field"))
                .map(|field| self.text(field));
            let inside_defer = self.is_deferred(node);
            match method {
                Some("Stop")
                    if !inside_defer
                        && node.start_byte() > statement.end_byte()
                        && node.end_byte() < wait.start_byte()
                        && !self.abandons(node, wait) =>
                {
                    stopped = Some(line_of(node));
                }
                Some("Reset") => resets.push(node),
                _ => {}
            }
            true
        });
        if let Some(line) = stopped {
            let reset_after = resets.iter().any(|reset| {
                reset.start_byte() > self.line_start(line) && reset.end_byte() < wait.start_byte()
            });
            if !reset_after {
                return Check::Never {
                    why: format!("{name} is stopped at line {line} and not reset before the wait"),
                    line,
                };
            }
        }
        if !repeats {
            if let Some(check) = self.fires_once(name, statement, wait, case, waiter, &resets) {
                return check;
            }
        }
        Check::Fires
    }

    /// A one-shot timer made before a loop and waited on inside it, with no reset in the
    /// loop and a case that stays in the loop: it fires at most once, and later turns wait
    /// on it for ever.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fires_once(
        &self,
        name: &str,
        statement: Node<'t>,
        wait: Node<'t>,
        case: Option<Node<'t>>,
        waiter: Node<'t>,
        resets: &[Node<'t>],
    ) -> Option<Check> {
        let mut loop_node = None;
        let mut at = wait;
        while let Some(parent) = at.parent() {
            if parent == waiter {
                break;
            }
            if parent.kind() == "for_statement" {
                loop_node = Some(parent);
                break;
            }
            at = parent;
        }
        let looped = loop_node?;
        let made_inside = statement.start_byte() >= looped.start_byte()
            && statement.end_byte() <= looped.end_byte();
        let reset_inside = resets.iter().any(|reset| {
            reset.start_byte() >= looped.start_byte() && reset.end_byte() <= looped.end_byte()
        });
        let leaves = case.is_some_and(|case| self.leaves_loop(case));
        (!made_inside && !reset_inside && !leaves).then(|| Check::Never {
            why: format!(
                "{name} fires once: the loop at line {} waits on it again without a Reset",
                line_of(looped)
            ),
            line: line_of(looped),
        })
    }

    /// Whether a select case's body leaves the loop around it (`return`, `goto`, a labelled
    /// `break` or `continue`, a panic): a `break` alone only leaves the select.
    fn leaves_loop(&self, case: Node<'t>) -> bool {
        let mut leaves = false;
        walk(case, |node, _| {
            match node.kind() {
                "func_literal" => return false,
                "return_statement" | "goto_statement" => leaves = true,
                "break_statement" | "continue_statement" if parts(node).next().is_some() => {
                    leaves = true;
                }
                "call_expression" => {
                    let callee = node
                        .child_by_field_name("function")
                        .map(|callee| self.text(callee));
                    if matches!(
                        callee,
                        Some("panic" | "os.Exit" | "log.Fatal" | "log.Fatalf")
                    ) {
                        leaves = true;
                    }
                }
                _ => {}
            }
            !leaves
        });
        leaves
    }

    /// The innermost loop inside `waiter` that holds both `a` and `b`: then a call after
    /// the wait in one turn comes before it in the next.
    fn loop_around(&self, a: Node<'t>, b: Node<'t>, waiter: Node<'t>) -> Option<Node<'t>> {
        let mut at = b;
        while let Some(parent) = at.parent() {
            if parent == waiter {
                return None;
            }
            if parent.kind() == "for_statement" && self.holds(parent, a) {
                return Some(parent);
            }
            at = parent;
        }
        None
    }

    /// Whether `outer` spans `inner`.
    fn holds(&self, outer: Node<'t>, inner: Node<'t>) -> bool {
        outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
    }

    /// Whether `node` sits in a `defer` of its function.
    fn is_deferred(&self, node: Node<'t>) -> bool {
        let mut at = node;
        while let Some(parent) = at.parent() {
            match parent.kind() {
                "defer_statement" => return true,
                "func_literal" | "function_declaration" | "method_declaration" => return false,
                _ => at = parent,
            }
        }
        false
    }

    /// The function (declaration or literal) `node` is in.
    pub(super) fn enclosing_function(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut at = node;
        while let Some(parent) = at.parent() {
            if matches!(
                parent.kind(),
                "func_literal" | "function_declaration" | "method_declaration"
            ) {
                return Some(parent);
            }
            at = parent;
        }
        None
    }

    /// `F` when `call` is `p.F(…)` and `p` is one of `names` (the file's names for a
    /// package).
    pub(super) fn package_function(&self, call: Node<'t>, names: &[&str]) -> Option<&'t str> {
        if call.kind() != "call_expression" {
            return None;
        }
        let function = call.child_by_field_name("function")?;
        if function.kind() != "selector_expression" {
            return None;
        }
        let package = function.child_by_field_name("operand")?;
        let known = package.kind() == "identifier" && names.contains(&self.text(package));
        known
            .then(|| function.child_by_field_name("field"))
            .flatten()
            .map(|field| self.text(field))
    }

    /// The `index`-th argument of a call.
    pub(super) fn argument(&self, call: Node<'t>, index: usize) -> Option<Node<'t>> {
        call.child_by_field_name("arguments")
            .and_then(|arguments| parts(arguments).nth(index))
    }

    /// How a profile names a function node: `run`, `(*Server).run`, or a func literal.
    fn function_name(&self, function: Node<'t>) -> String {
        match function.kind() {
            "function_declaration" | "method_declaration" => self
                .short_name(function)
                .unwrap_or_else(|| "its function".to_string()),
            _ => "a func literal".to_string(),
        }
    }

    /// What a caller passes for a parameter: the call on `row` that calls `function` (by
    /// the name a profile gives it, or any call of a func literal started there), its
    /// `index`-th argument, checked as a context from the caller's side.
    pub(super) fn argument_check(&self, row: usize, function: &str, index: usize) -> Option<Check> {
        let short = function.rsplit(['.', ')']).next().unwrap_or(function);
        let mut found = None;
        walk(self.root, |node, _| {
            if found.is_some() || node.start_position().row > row || node.end_position().row < row {
                return found.is_none();
            }
            if node.kind() == "call_expression" && node.start_position().row == row {
                let callee = node.child_by_field_name("function").map(unparen);
                let matches = callee.is_some_and(|callee| match callee.kind() {
                    "identifier" => self.text(callee) == short,
                    "selector_expression" => callee
                        .child_by_field_name("field")
                        .is_some_and(|field| self.text(field) == short),
                    "func_literal" => function == "a func literal",
                    _ => false,
                });
                if matches {
                    found = Some(node);
                }
            }
            found.is_none()
        });
        let call = found?;
        let argument = self.argument(call, index)?;
        let started = call
            .child_by_field_name("function")
            .map(unparen)
            .filter(|callee| callee.kind() == "func_literal");
        Some(self.context_check(argument, call, Vantage::Caller { started }, 0))
    }

    /// The byte where 1-based `line` starts.
    fn line_start(&self, line: u32) -> usize {
        self.source
            .split_inclusive('\n')
            .take(line.saturating_sub(1) as usize)
            .map(str::len)
            .sum()
    }
}
