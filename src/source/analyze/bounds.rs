//! Select bounds: which cases of a select wake it up by themselves (a timer, a ticker, a
//! context's `Done()`), and notes on cases that look like timers but cannot be confirmed.

use tree_sitter::Node;

use super::tree::{Go, is_receive, line_of, paired, parts, unparen, walk};
use super::verify::Vantage;
use super::{Bound, BoundKind, Check};

/// What a select case waits on, as far as bounding the select goes.
enum Wait {
    Bound(BoundKind, &'static str, Check),
    /// Looks like a timer but could not be confirmed; says why.
    Unconfirmed(String),
    Plain,
}

/// Where a goroutine waits: the select (or the bare receive) and, in a select, the case.
#[derive(Clone, Copy)]
pub(super) struct Waiting<'t> {
    pub(super) wait: Node<'t>,
    pub(super) case: Option<Node<'t>>,
}

/// How far `c := t.C; <-c` style aliases are followed.
const MAX_ALIASES: u32 = 4;

impl<'t> Go<'t> {
    /// The cases bounding the select, and notes on cases that may be timers.
    pub(super) fn select_bounds(&self, select: Node<'t>) -> (Vec<Bound>, Vec<String>) {
        let mut bounds = Vec::new();
        let mut notes = Vec::new();
        let mut fields = None;
        for case in parts(select).filter(|case| case.kind() == "communication_case") {
            let Some(receive) = case
                .child_by_field_name("communication")
                .filter(|communication| communication.kind() == "receive_statement")
                .and_then(|communication| communication.child_by_field_name("right"))
                .map(unparen)
                .filter(|right| is_receive(*right))
            else {
                continue;
            };
            let Some(from) = receive.child_by_field_name("operand").map(unparen) else {
                continue;
            };
            let at = Waiting {
                wait: select,
                case: Some(case),
            };
            match self.classify_wait(from, &mut fields, at, 0) {
                Wait::Bound(kind, origin, check) => bounds.push(Bound {
                    kind,
                    line: line_of(case),
                    expr: self.written(receive),
                    origin: origin.to_owned(),
                    check,
                }),
                Wait::Unconfirmed(why) => notes.push(format!(
                    "{} at line {}: {why}, not counted as a timer",
                    self.written(receive),
                    line_of(case)
                )),
                Wait::Plain => {}
            }
        }
        (bounds, notes)
    }

    /// A bare wait on a timer or a context: `<-ctx.Done()`, `<-t.C` as a statement of its
    /// own. The bound it would be, checked like a select's.
    pub(super) fn bare_bound(&self, receive: Node<'t>) -> Option<Bound> {
        let from = receive.child_by_field_name("operand").map(unparen)?;
        let at = Waiting {
            wait: receive,
            case: None,
        };
        match self.classify_wait(from, &mut None, at, 0) {
            Wait::Bound(kind, origin, check) => Some(Bound {
                kind,
                line: line_of(receive),
                expr: self.written(receive),
                origin: origin.to_owned(),
                check,
            }),
            _ => None,
        }
    }

    /// What receiving from `from` waits on. `fields` caches the file's timer fields.
    fn classify_wait(
        &self,
        from: Node<'t>,
        fields: &mut Option<Vec<(&'t str, BoundKind)>>,
        at: Waiting<'t>,
        aliases: u32,
    ) -> Wait {
        match from.kind() {
            "call_expression" => match self.time_function(from) {
                // A fresh timer each time the case is reached.
                Some("After") => Wait::Bound(BoundKind::Timer, "time.After", Check::Fires),
                Some("Tick") => Wait::Bound(BoundKind::Ticker, "time.Tick", Check::Fires),
                Some(_) => Wait::Plain,
                None if self.is_done_call(from) => {
                    let check = match (
                        from.child_by_field_name("function")
                            .and_then(|function| function.child_by_field_name("operand")),
                        self.enclosing_function(at.wait),
                    ) {
                        (Some(context), Some(waiter)) => {
                            self.context_check(context, at.wait, Vantage::Waiter(waiter), 0)
                        }
                        _ => Check::unverified("the context is not in a function".to_string()),
                    };
                    Wait::Bound(BoundKind::CtxDone, "context", check)
                }
                None => Wait::Plain,
            },
            "selector_expression" => {
                let field = from.child_by_field_name("field");
                let Some(owner) = from
                    .child_by_field_name("operand")
                    .map(unparen)
                    .filter(|_| field.is_some_and(|field| self.text(field) == "C"))
                else {
                    return Wait::Plain;
                };
                match self.timer_owner(owner, fields) {
                    Some(kind) => {
                        let check = self.owner_check(owner, kind, at);
                        Wait::Bound(kind, kind.as_str(), check)
                    }
                    None if self.is_after_func(owner) => Wait::Unconfirmed(format!(
                        "{} comes from time.AfterFunc, whose C is nil",
                        self.written(owner)
                    )),
                    None => Wait::Unconfirmed(format!("origin of {} unknown", self.written(owner))),
                }
            }
            "identifier" => {
                let name = self.text(from);
                let Some(binding) = self.resolve(name, from) else {
                    return Wait::Plain;
                };
                let wait = match binding.value {
                    Some(value) if aliases < MAX_ALIASES => {
                        self.classify_wait(unparen(value), fields, at, aliases + 1)
                    }
                    _ => Wait::Plain,
                };
                // `timeout := time.After(d)` before a loop: one timer for every turn.
                let wait = match (wait, binding.statement, self.enclosing_function(at.wait)) {
                    (
                        Wait::Bound(BoundKind::Timer, origin, Check::Fires),
                        Some(statement),
                        Some(waiter),
                    ) => {
                        let once = self.fires_once(name, statement, at.wait, at.case, waiter, &[]);
                        Wait::Bound(BoundKind::Timer, origin, once.unwrap_or(Check::Fires))
                    }
                    (wait, _, _) => wait,
                };
                match wait {
                    Wait::Plain if binding.ty.is_some_and(|ty| self.is_time_channel(ty)) => {
                        Wait::Unconfirmed(format!("origin of {name} unknown"))
                    }
                    wait => wait,
                }
            }
            _ => Wait::Plain,
        }
    }

    /// Whether the timer or ticker `owner` (the `x` of `x.C`) can still fire at the wait.
    fn owner_check(&self, owner: Node<'t>, kind: BoundKind, at: Waiting<'t>) -> Check {
        match owner.kind() {
            // `time.NewTimer(d).C`: a timer of its own, running.
            "call_expression" => Check::Fires,
            "identifier" => {
                let name = self.text(owner);
                let Some(binding) = self.resolve(name, owner) else {
                    return Check::unverified(format!("{name} is not made in this function"));
                };
                match (binding.value, binding.statement) {
                    (Some(_), Some(statement)) => self.timer_check(
                        name,
                        statement,
                        at.wait,
                        at.case,
                        kind == BoundKind::Ticker,
                    ),
                    _ if binding.parameter.is_some() => Check::unverified(format!(
                        "{name} is a parameter: whether its callers stop it was not checked"
                    )),
                    _ => Check::unverified(format!("where {name} comes from is not clear")),
                }
            }
            _ => Check::unverified(format!(
                "{} is a field: its stops and resets are out of this function's reach",
                self.written(owner)
            )),
        }
    }

    /// Whether `owner` (the `x` of `x.C`) is a timer or ticker, and which.
    fn timer_owner(
        &self,
        owner: Node<'t>,
        fields: &mut Option<Vec<(&'t str, BoundKind)>>,
    ) -> Option<BoundKind> {
        match owner.kind() {
            "call_expression" => self.timer_constructor(owner),
            "identifier" => {
                let binding = self.resolve(self.text(owner), owner)?;
                binding
                    .value
                    .and_then(|value| self.timer_constructor(unparen(value)))
                    .or_else(|| binding.ty.and_then(|ty| self.timer_type(ty)))
            }
            "selector_expression" => {
                let field = self.text(owner.child_by_field_name("field")?);
                fields
                    .get_or_insert_with(|| self.timer_fields())
                    .iter()
                    .find(|(name, _)| *name == field)
                    .map(|(_, kind)| *kind)
            }
            _ => None,
        }
    }

    fn is_after_func(&self, owner: Node<'t>) -> bool {
        let value = match owner.kind() {
            "identifier" => self
                .resolve(self.text(owner), owner)
                .and_then(|binding| binding.value)
                .map(unparen),
            _ => Some(owner),
        };
        value.is_some_and(|value| self.time_function(value) == Some("AfterFunc"))
    }

    /// Struct fields that hold a timer or ticker somewhere in the file: declared with such
    /// a type, assigned (`s.t = time.NewTicker(…)`) or set in a literal (`S{t: …}`).
    fn timer_fields(&self) -> Vec<(&'t str, BoundKind)> {
        let mut fields = Vec::new();
        walk(self.root, |node, _| {
            match node.kind() {
                "field_declaration" => {
                    if let Some(kind) = node
                        .child_by_field_name("type")
                        .and_then(|ty| self.timer_type(ty))
                    {
                        let mut cursor = node.walk();
                        for name in node.children_by_field_name("name", &mut cursor) {
                            fields.push((self.text(name), kind));
                        }
                    }
                }
                "assignment_statement" => {
                    for (left, right) in paired(node) {
                        let kind = right.and_then(|right| self.timer_constructor(unparen(right)));
                        let field = (left.kind() == "selector_expression")
                            .then(|| left.child_by_field_name("field"))
                            .flatten();
                        if let (Some(field), Some(kind)) = (field, kind) {
                            fields.push((self.text(field), kind));
                        }
                    }
                }
                "keyed_element" => {
                    let key = node
                        .child_by_field_name("key")
                        .and_then(|key| parts(key).next())
                        .filter(|key| matches!(key.kind(), "identifier" | "field_identifier"));
                    let kind = node
                        .child_by_field_name("value")
                        .and_then(|value| parts(value).next())
                        .and_then(|value| self.timer_constructor(unparen(value)));
                    if let (Some(key), Some(kind)) = (key, kind) {
                        fields.push((self.text(key), kind));
                    }
                }
                _ => {}
            }
            true
        });
        fields
    }

    /// `F` when `call` is `time.F(…)` through the file's name for the time package.
    fn time_function(&self, call: Node<'t>) -> Option<&'t str> {
        if call.kind() != "call_expression" {
            return None;
        }
        let function = call.child_by_field_name("function")?;
        if function.kind() != "selector_expression" {
            return None;
        }
        let package = function.child_by_field_name("operand")?;
        let is_time = package.kind() == "identifier" && self.time.contains(&self.text(package));
        is_time
            .then(|| function.child_by_field_name("field"))
            .flatten()
            .map(|field| self.text(field))
    }

    /// `E.Done()`: how contexts (`ctx`, `r.Context()`, `s.ctx`) say they are finished.
    fn is_done_call(&self, call: Node<'t>) -> bool {
        let done = call
            .child_by_field_name("function")
            .filter(|function| function.kind() == "selector_expression")
            .and_then(|function| function.child_by_field_name("field"))
            .is_some_and(|field| self.text(field) == "Done");
        let no_arguments = call
            .child_by_field_name("arguments")
            .is_some_and(|arguments| parts(arguments).next().is_none());
        done && no_arguments
    }

    fn timer_constructor(&self, call: Node<'t>) -> Option<BoundKind> {
        match self.time_function(call)? {
            "NewTimer" => Some(BoundKind::Timer),
            "NewTicker" => Some(BoundKind::Ticker),
            _ => None,
        }
    }

    /// `*time.Timer`, `time.Ticker` and the like.
    fn timer_type(&self, ty: Node<'t>) -> Option<BoundKind> {
        let mut ty = ty;
        while matches!(ty.kind(), "pointer_type" | "parenthesized_type") {
            ty = parts(ty).next()?;
        }
        match self.time_type(ty)? {
            "Timer" => Some(BoundKind::Timer),
            "Ticker" => Some(BoundKind::Ticker),
            _ => None,
        }
    }

    /// `chan time.Time` in either direction: a channel a timer could be behind.
    fn is_time_channel(&self, ty: Node<'t>) -> bool {
        ty.kind() == "channel_type"
            && ty
                .child_by_field_name("value")
                .and_then(|value| self.time_type(value))
                == Some("Time")
    }

    /// `T` when `ty` is `time.T`.
    fn time_type(&self, ty: Node<'t>) -> Option<&'t str> {
        if ty.kind() != "qualified_type" {
            return None;
        }
        let package = self.text(ty.child_by_field_name("package")?);
        self.time
            .contains(&package)
            .then(|| ty.child_by_field_name("name"))
            .flatten()
            .map(|name| self.text(name))
    }
}
