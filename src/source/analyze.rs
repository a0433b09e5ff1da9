//! What the Go source shows at the line a finding points to: which channel operation sits
//! there (to confirm or refine what the profile said), the function around it, where its
//! channel was made, and, for a `select`, whether a timer, ticker or context bounds it (the
//! LeakProf heuristic: a select that also waits on a timer wakes up by itself, so the
//! goroutines parked in it are not leaked).
//!
//! The file is parsed with tree-sitter-go and the tree is walked by hand rather than matched
//! with queries: the questions asked here are positional (the n-th name on the left of `:=`
//! pairs with the n-th value on the right; a binding counts only when it precedes the use in
//! a block that encloses it), which queries cannot express and Rust states plainly.
//!
//! Rules where the heuristic has to choose:
//! - A select case bounds the select when it receives from `time.After(…)` / `time.Tick(…)`
//!   (through the file's local name for the `time` import), from `x.C` where `x` is known to
//!   be a `*time.Timer` / `*time.Ticker`, from a variable holding either of those, or from
//!   any `E.Done()` call without arguments (a context, heuristically: a context that is
//!   never cancelled still leaks).
//! - `<-x.C` counts only when `x`'s origin is confirmed: a local or parameter of a
//!   timer or ticker type or made by `time.NewTimer` / `time.NewTicker` in the same function
//!   chain, or a struct field of that name that the file declares with such a type or
//!   assigns from such a constructor (matched by field name, whatever the struct). Any other
//!   `C` field is only a note: user types have `C` fields too, and `time.AfterFunc` returns
//!   a timer whose `C` is nil, so guessing would hide real leaks.
//! - Names are resolved only inside the function holding the operation and the functions
//!   enclosing a func literal, never at package level: a package-level variable can be
//!   reassigned from any file of the package, which this file alone cannot see. A binding
//!   counts when it precedes the use in a block that encloses the use; assignments inside
//!   sibling branches (`if … { ch = make(…) }`) are ignored, so the answer is "unknown"
//!   rather than a guess.
//! - A send or receive that is a case of a select with more than one case waits as part of
//!   that select, so it is not an operation of its own; the compiler turns a one-case select
//!   into a plain send or receive, so there the case line is one.
//! - A `for … range` whose header cannot range over a channel (two iteration variables, an
//!   integer, string, composite or func literal) is not a channel operation.

use tree_sitter::{Node, Parser, Point, Tree};

use crate::blocking::Op;

/// Result of looking at one line of one Go file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    /// The op the source shows at the line: Send (`ch <- v`), Receive (`<-ch` anywhere,
    /// including `v, ok := <-ch`), Range (`for … range ch` with the `for` on the line),
    /// Select (`select {` with cases), SelectNoCases (`select {}`). None when the line holds
    /// no channel operation.
    pub op: Option<Op>,
    /// Whether the source agrees with what the profile said: the runtime reports a range
    /// loop's wait as a receive, and a debug=1 profile's `Unknown` agrees with any channel
    /// op. false when `op` is None.
    pub matches_profile: bool,
    /// For a select: the first case (in source order) that bounds it, if any.
    pub bound: Option<Bound>,
    /// For a select: every case that bounds it, in source order (`bound` is the first), so
    /// that a caller who does not count contexts can still find a timer further down.
    pub bounds: Vec<Bound>,
    /// For a select: cases that look like timers but could not be confirmed, as
    /// human-readable notes. Never used to suppress.
    pub notes: Vec<String>,
    /// The source line, trimmed.
    pub snippet: String,
    /// The enclosing function as written, on one line and without comments:
    /// `func (s *Server) run(ctx context.Context)`, or for a func literal its signature and
    /// the nearest named function around it: `func() in timeoutLeak`, `func() in
    /// (*Server).run`. None at top level.
    pub function: Option<String>,
    /// Where the channel of a send, receive or range was made, when it is a plain name (or
    /// `x.field`) assigned from `make(chan T[, N])` in the same function chain.
    pub channel: Option<ChannelMake>,
    /// Problems that make the analysis untrustworthy (syntax errors in or near the
    /// enclosing function, a line outside the file). When non-empty, callers suppress
    /// nothing on this analysis's strength.
    pub problems: Vec<String>,
}

/// A select case that ends the wait by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    pub kind: BoundKind,
    /// 1-based line of the case.
    pub line: u32,
    /// The case's receive expression as written, e.g. `<-t.C`, `<-time.After(time.Second)`.
    pub expr: String,
    /// Short origin: "ticker", "timer", "time.After", "time.Tick" or "context".
    pub origin: String,
}

impl Bound {
    /// Why a select at `file_name:select_line` is not reported as a leak.
    pub fn reason(&self, file_name: &str, select_line: u32) -> String {
        let reason = format!(
            "select at {file_name}:{select_line} also waits on {} ({}) at line {}",
            self.expr, self.origin, self.line
        );
        match self.kind {
            BoundKind::CtxDone => {
                format!("{reason}; heuristic: a context that is never cancelled still leaks")
            }
            BoundKind::Timer | BoundKind::Ticker => reason,
        }
    }
}

/// What bounds a select.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundKind {
    /// `time.After(…)`, or the `C` of a `*time.Timer`.
    Timer,
    /// `time.Tick(…)`, or the `C` of a `*time.Ticker`.
    Ticker,
    /// `<-E.Done()`: bounded only if the context is ever cancelled.
    CtxDone,
}

impl BoundKind {
    /// Also the `origin` of a bound on a timer's or ticker's `C`.
    pub fn as_str(self) -> &'static str {
        match self {
            BoundKind::Timer => "timer",
            BoundKind::Ticker => "ticker",
            BoundKind::CtxDone => "ctx_done",
        }
    }
}

/// A `make(chan T[, N])` that made the channel of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelMake {
    /// 1-based line of the `make` call.
    pub line: u32,
    /// None = unbuffered; `Some("10")`, `Some("len(items)")` as written.
    pub capacity: Option<String>,
    /// The channel as the operation names it: `done`, `s.results`.
    pub name: String,
}

/// Looks at `line` (1-based) of the Go file `source`, where a profile says goroutines wait
/// in `profile_op`. Parses the file; [`ParsedFile`] parses once for many lines.
pub fn analyze(source: &str, line: u32, profile_op: Op) -> Analysis {
    ParsedFile::parse(source).analyze(line, profile_op)
}

/// A Go file parsed once, to analyze the lines of all the findings in it.
pub struct ParsedFile<'a> {
    source: &'a str,
    lines: Vec<&'a str>,
    /// The syntax tree, or why there is none.
    tree: Result<Tree, String>,
}

impl<'a> ParsedFile<'a> {
    /// Parses `source`; a file that does not parse is analyzed into problems, not an error.
    pub fn parse(source: &'a str) -> Self {
        let mut parser = Parser::new();
        let tree = match parser.set_language(&tree_sitter_go::LANGUAGE.into()) {
            Ok(()) => parser
                .parse(source, None)
                .ok_or_else(|| "tree-sitter could not parse the file".to_owned()),
            Err(error) => Err(format!(
                "the Go grammar does not fit the tree-sitter library: {error}"
            )),
        };
        ParsedFile {
            source,
            lines: source.lines().collect(),
            tree,
        }
    }

    /// Looks at `line` (1-based), where a profile says goroutines wait in `profile_op`.
    pub fn analyze(&self, line: u32, profile_op: Op) -> Analysis {
        let mut analysis = Analysis {
            op: None,
            matches_profile: false,
            bound: None,
            bounds: Vec::new(),
            notes: Vec::new(),
            snippet: String::new(),
            function: None,
            channel: None,
            problems: Vec::new(),
        };
        let Some(row) = line.checked_sub(1).map(|row| row as usize) else {
            analysis
                .problems
                .push("line 0 is not a line of the file (lines start at 1)".to_owned());
            return analysis;
        };
        let Some(text) = self.lines.get(row) else {
            analysis.problems.push(format!(
                "line {line} is past the end of the file ({} lines)",
                self.lines.len()
            ));
            return analysis;
        };
        analysis.snippet = text.trim().to_owned();
        let tree = match &self.tree {
            Ok(tree) => tree,
            Err(problem) => {
                analysis.problems.push(problem.clone());
                return analysis;
            }
        };
        let go = Go::new(self.source, tree.root_node());

        let found = pick(&go.candidates(row), profile_op);
        let anchor = found.map(|candidate| candidate.node).or_else(|| {
            let point = Point::new(row, text.len() - text.trim_start().len());
            go.root.descendant_for_point_range(point, point)
        });
        let ancestry = anchor.map_or_else(Vec::new, |anchor| go.ancestry(anchor));
        analysis.problems = go.syntax_problems(&ancestry, row);
        analysis.function = go.describe_function(&ancestry);

        let Some(found) = found else {
            return analysis;
        };
        analysis.op = Some(found.op);
        analysis.matches_profile = agrees(found.op, profile_op);
        match found.op {
            Op::Select => {
                let (bounds, notes) = go.select_bounds(found.node);
                analysis.bound = bounds.first().cloned();
                analysis.bounds = bounds;
                analysis.notes = notes;
            }
            Op::Send | Op::Receive | Op::Range => {
                analysis.channel = go.channel_make(found.node, found.op);
            }
            _ => {}
        }
        analysis
    }
}

/// Whether the op the source shows is one the profile could have reported there.
fn agrees(source: Op, profile: Op) -> bool {
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
struct Candidate<'t> {
    node: Node<'t>,
    op: Op,
    depth: usize,
}

/// The innermost candidate, among those agreeing with the profile when any does: in
/// `ch2 <- <-ch1` the receive runs first, but a profile that says "send" means the send.
fn pick<'t>(candidates: &[Candidate<'t>], profile_op: Op) -> Option<Candidate<'t>> {
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

/// What a select case waits on, as far as bounding the select goes.
enum Wait {
    Bound(BoundKind, &'static str),
    /// Looks like a timer but could not be confirmed; says why.
    Unconfirmed(String),
    Plain,
}

/// A name's binding where it is used.
#[derive(Clone, Copy)]
struct Binding<'t> {
    /// The expression assigned to the name, when the binding pairs one with it.
    value: Option<Node<'t>>,
    /// The declared type, for parameters and typed `var`s.
    ty: Option<Node<'t>>,
}

impl Binding<'_> {
    const UNKNOWN: Self = Binding {
        value: None,
        ty: None,
    };
}

/// How far `c := t.C; <-c` style aliases are followed.
const MAX_ALIASES: u32 = 4;
/// Lines around a top-level line searched for syntax errors.
const NEAR: usize = 5;
/// Syntax errors listed before the rest are counted.
const MAX_PROBLEMS: usize = 3;

/// One parsed file.
struct Go<'t> {
    source: &'t str,
    root: Node<'t>,
    /// Local names of the `time` import (`time`, or `t` after `import t "time"`).
    time: Vec<&'t str>,
}

impl<'t> Go<'t> {
    fn new(source: &'t str, root: Node<'t>) -> Self {
        let text = |node: Node| source.get(node.byte_range()).unwrap_or("");
        let mut time = Vec::new();
        for declaration in parts(root).filter(|node| node.kind() == "import_declaration") {
            walk(declaration, |node, _| {
                if node.kind() != "import_spec" {
                    return true;
                }
                let path = node.child_by_field_name("path").map(text);
                if path.is_some_and(|path| path.trim_matches(['"', '`']) == "time") {
                    match node.child_by_field_name("name") {
                        None => time.push("time"),
                        Some(name) if name.kind() == "package_identifier" => time.push(text(name)),
                        // Dot and blank imports give no qualifier to look for.
                        Some(_) => {}
                    }
                }
                false
            });
        }
        Go { source, root, time }
    }

    fn text(&self, node: Node) -> &'t str {
        self.source.get(node.byte_range()).unwrap_or("")
    }

    /// `node` as written, on one line and without comments.
    fn written(&self, node: Node) -> String {
        self.written_between(node, node.start_byte(), node.end_byte())
    }

    /// The source between two offsets inside `scope`, on one line and without comments.
    fn written_between(&self, scope: Node, start: usize, end: usize) -> String {
        let mut text = String::new();
        let mut at = start;
        walk(scope, |node, _| {
            if node.end_byte() <= at || node.start_byte() >= end {
                return false;
            }
            if node.kind() == "comment" {
                text.push_str(self.source.get(at..node.start_byte()).unwrap_or(""));
                text.push(' ');
                at = node.end_byte();
                return false;
            }
            true
        });
        if at < end {
            text.push_str(self.source.get(at..end).unwrap_or(""));
        }
        one_line(&text)
    }

    /// Channel operations whose telling token (the `<-` of a send or receive, the `for` of
    /// a range loop, the `select`) is on `row`: the line the runtime reports for them.
    fn candidates(&self, row: usize) -> Vec<Candidate<'t>> {
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

    /// Syntax errors in the function holding `ancestry`'s first node; at top level (where channel
    /// operations sit only when an error broke their function apart), in the top-level
    /// node holding the line, the one before it and the lines around.
    fn syntax_problems(&self, ancestry: &[Node<'t>], row: usize) -> Vec<String> {
        if !self.root.has_error() {
            return Vec::new();
        }
        // The child of the root that holds the anchor.
        let top = ancestry.iter().rev().nth(1).copied();
        let rows = match top {
            Some(top) if matches!(top.kind(), "function_declaration" | "method_declaration") => {
                top.start_position().row..=top.end_position().row
            }
            _ => {
                let mut first = row.saturating_sub(NEAR);
                let mut last = row.saturating_add(NEAR);
                if let Some(top) = top {
                    let before = top.prev_named_sibling().unwrap_or(top);
                    first = first.min(before.start_position().row);
                    last = last.max(top.end_position().row);
                }
                first..=last
            }
        };
        let mut errors = Vec::new();
        walk(self.root, |node, _| {
            if !node.has_error()
                || node.end_position().row < *rows.start()
                || node.start_position().row > *rows.end()
            {
                return false;
            }
            if node.is_error() || node.is_missing() {
                errors.push(node);
                return false;
            }
            true
        });
        let mut problems: Vec<String> = errors
            .iter()
            .take(MAX_PROBLEMS)
            .map(|node| {
                if node.is_missing() {
                    format!(
                        "syntax error: missing `{}` at line {}",
                        node.kind(),
                        line_of(*node)
                    )
                } else {
                    format!("syntax error at line {}", line_of(*node))
                }
            })
            .collect();
        if errors.len() > MAX_PROBLEMS {
            problems.push(format!(
                "{} more syntax errors",
                errors.len() - MAX_PROBLEMS
            ));
        }
        problems
    }

    /// `node` and its ancestors up to the root, innermost first. tree-sitter finds a
    /// node's parent by descending from the root, so climbing with `parent()` would take
    /// time quadratic in the depth; one descent collects the whole chain.
    fn ancestry(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut chain = vec![self.root];
        let mut at = self.root;
        while at != node {
            match at.child_with_descendant(node) {
                Some(child) if child != at => {
                    chain.push(child);
                    at = child;
                }
                _ => break,
            }
        }
        chain.reverse();
        chain
    }

    /// The function holding the first node of `ancestry`.
    fn describe_function(&self, ancestry: &[Node<'t>]) -> Option<String> {
        let index = ancestry.iter().position(|node| {
            matches!(
                node.kind(),
                "function_declaration" | "method_declaration" | "func_literal"
            )
        })?;
        let function = ancestry[index];
        let end = function
            .child_by_field_name("body")
            .map_or(function.end_byte(), |body| body.start_byte());
        let signature = self.written_between(function, function.start_byte(), end);
        if function.kind() != "func_literal" {
            return Some(signature);
        }
        let named = ancestry[index..]
            .iter()
            .find(|node| matches!(node.kind(), "function_declaration" | "method_declaration"));
        Some(match named.and_then(|named| self.short_name(*named)) {
            Some(name) => format!("{signature} in {name}"),
            None => signature,
        })
    }

    /// `timeoutLeak`, `(*Server).run`, `Server.run`: how a profile names the function.
    fn short_name(&self, function: Node<'t>) -> Option<String> {
        let name = self.text(function.child_by_field_name("name")?);
        if function.kind() != "method_declaration" {
            return Some(name.to_owned());
        }
        let receiver = function
            .child_by_field_name("receiver")
            .and_then(|receiver| parts(receiver).next())
            .and_then(|parameter| parameter.child_by_field_name("type"))?;
        if receiver.kind() == "pointer_type" {
            let base = parts(receiver).next()?;
            Some(format!("(*{}).{name}", self.written(base)))
        } else {
            Some(format!("{}.{name}", self.written(receiver)))
        }
    }

    /// The `make(chan …)` behind the channel of a send, receive or range.
    fn channel_make(&self, op_node: Node<'t>, op: Op) -> Option<ChannelMake> {
        let channel = match op {
            Op::Send => op_node.child_by_field_name("channel"),
            Op::Receive => op_node.child_by_field_name("operand"),
            Op::Range => parts(op_node)
                .find(|child| child.kind() == "range_clause")
                .and_then(|clause| clause.child_by_field_name("right")),
            _ => None,
        }
        .map(unparen)?;
        if !is_reference(channel) {
            return None;
        }
        let name = self.written(channel);
        let make = unparen(self.resolve(&name, op_node)?.value?);
        let is_make = make.kind() == "call_expression"
            && make
                .child_by_field_name("function")
                .is_some_and(|function| self.text(function) == "make");
        if !is_make {
            return None;
        }
        let mut arguments = parts(make.child_by_field_name("arguments")?);
        if arguments.next()?.kind() != "channel_type" {
            return None;
        }
        Some(ChannelMake {
            line: line_of(make),
            capacity: arguments.next().map(|capacity| self.written(capacity)),
            name,
        })
    }

    /// The cases bounding the select, and notes on cases that may be timers.
    fn select_bounds(&self, select: Node<'t>) -> (Vec<Bound>, Vec<String>) {
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
            match self.classify_wait(from, &mut fields, 0) {
                Wait::Bound(kind, origin) => bounds.push(Bound {
                    kind,
                    line: line_of(case),
                    expr: self.written(receive),
                    origin: origin.to_owned(),
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

    /// What receiving from `from` waits on. `fields` caches the file's timer fields.
    fn classify_wait(
        &self,
        from: Node<'t>,
        fields: &mut Option<Vec<(&'t str, BoundKind)>>,
        aliases: u32,
    ) -> Wait {
        match from.kind() {
            "call_expression" => match self.time_function(from) {
                Some("After") => Wait::Bound(BoundKind::Timer, "time.After"),
                Some("Tick") => Wait::Bound(BoundKind::Ticker, "time.Tick"),
                Some(_) => Wait::Plain,
                None if self.is_done_call(from) => Wait::Bound(BoundKind::CtxDone, "context"),
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
                    Some(kind) => Wait::Bound(kind, kind.as_str()),
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
                        self.classify_wait(unparen(value), fields, aliases + 1)
                    }
                    _ => Wait::Plain,
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

    /// The binding of `name` (an identifier or `x.field` as written) in effect at `at`:
    /// the nearest one before it in a block enclosing it, a header (`if v := …;`), a case,
    /// or a parameter, searching out through func literals to the named function.
    fn resolve(&self, name: &str, at: Node<'t>) -> Option<Binding<'t>> {
        for pair in self.ancestry(at).windows(2) {
            let (child, parent) = (pair[0], pair[1]);
            match parent.kind() {
                "statement_list" => {
                    let before: Vec<Node<'t>> = parts(parent)
                        .take_while(|statement| *statement != child)
                        .collect();
                    if let Some(binding) = before
                        .iter()
                        .rev()
                        .find_map(|statement| self.binds(*statement, name))
                    {
                        return Some(binding);
                    }
                }
                "if_statement" | "expression_switch_statement" | "for_clause" => {
                    if let Some(binding) = parent
                        .child_by_field_name("initializer")
                        .filter(|initializer| *initializer != child)
                        .and_then(|initializer| self.binds(initializer, name))
                    {
                        return Some(binding);
                    }
                }
                "type_switch_statement" => {
                    let alias = parent
                        .child_by_field_name("alias")
                        .is_some_and(|alias| self.lists(alias, name));
                    if alias && child.kind() == "type_case" {
                        return Some(Binding::UNKNOWN);
                    }
                    if let Some(binding) = parent
                        .child_by_field_name("initializer")
                        .filter(|initializer| *initializer != child)
                        .and_then(|initializer| self.binds(initializer, name))
                    {
                        return Some(binding);
                    }
                }
                "for_statement" => {
                    for clause in parts(parent).filter(|clause| *clause != child) {
                        match clause.kind() {
                            "for_clause" => {
                                if let Some(binding) = clause
                                    .child_by_field_name("initializer")
                                    .and_then(|initializer| self.binds(initializer, name))
                                {
                                    return Some(binding);
                                }
                            }
                            "range_clause" => {
                                let bound = clause
                                    .child_by_field_name("left")
                                    .is_some_and(|left| self.lists(left, name));
                                if bound {
                                    return Some(Binding::UNKNOWN);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "communication_case" => {
                    let bound = parent
                        .child_by_field_name("communication")
                        .filter(|communication| *communication != child)
                        .and_then(|communication| communication.child_by_field_name("left"))
                        .is_some_and(|left| self.lists(left, name));
                    if bound {
                        return Some(Binding::UNKNOWN);
                    }
                }
                "func_literal" | "function_declaration" | "method_declaration" => {
                    for list in ["receiver", "parameters", "result"] {
                        if let Some(binding) = parent
                            .child_by_field_name(list)
                            .and_then(|list| self.parameter(list, name))
                        {
                            return Some(binding);
                        }
                    }
                    if parent.kind() != "func_literal" {
                        return None;
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The binding `statement` gives `name`, if it assigns or declares it.
    fn binds(&self, statement: Node<'t>, name: &str) -> Option<Binding<'t>> {
        match statement.kind() {
            "short_var_declaration" | "assignment_statement" => {
                let operator = statement
                    .child_by_field_name("operator")
                    .map_or(":=", |operator| operator.kind());
                if operator != ":=" && operator != "=" {
                    return None;
                }
                let value = paired(statement)
                    .into_iter()
                    .find(|(left, _)| self.written(*left) == name)?
                    .1;
                Some(Binding { value, ty: None })
            }
            "var_declaration" => {
                let mut specs: Vec<Node<'t>> = Vec::new();
                walk(statement, |node, _| match node.kind() {
                    "var_spec" => {
                        specs.push(node);
                        false
                    }
                    "var_declaration" | "var_spec_list" => true,
                    _ => false,
                });
                specs.iter().rev().find_map(|spec| {
                    let mut cursor = spec.walk();
                    let names: Vec<Node<'t>> =
                        spec.children_by_field_name("name", &mut cursor).collect();
                    let index = names.iter().position(|node| self.text(*node) == name)?;
                    let values: Vec<Node<'t>> = spec
                        .child_by_field_name("value")
                        .map(|values| parts(values).collect())
                        .unwrap_or_default();
                    Some(Binding {
                        value: (values.len() == names.len())
                            .then(|| values.get(index).copied())
                            .flatten(),
                        ty: spec.child_by_field_name("type"),
                    })
                })
            }
            _ => None,
        }
    }

    /// The parameter called `name` in a parameter list.
    fn parameter(&self, list: Node<'t>, name: &str) -> Option<Binding<'t>> {
        parts(list).find_map(|parameter| {
            let mut cursor = parameter.walk();
            let mut names = parameter.children_by_field_name("name", &mut cursor);
            names.any(|node| self.text(node) == name).then(|| Binding {
                value: None,
                // A variadic parameter's type is its element's, not its own.
                ty: (parameter.kind() == "parameter_declaration")
                    .then(|| parameter.child_by_field_name("type"))
                    .flatten(),
            })
        })
    }

    /// Whether an expression list names `name`.
    fn lists(&self, list: Node<'t>, name: &str) -> bool {
        parts(list).any(|node| self.written(node) == name)
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
            let clause = parts(node).find(|child| child.kind() == "range_clause")?;
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

fn is_receive(node: Node) -> bool {
    node.kind() == "unary_expression"
        && node
            .child_by_field_name("operator")
            .is_some_and(|operator| operator.kind() == "<-")
}

/// A name or a chain of field selections on one (`ch`, `s.results`).
fn is_reference(node: Node) -> bool {
    let mut node = node;
    loop {
        match node.kind() {
            "identifier" => return true,
            "selector_expression" => match node.child_by_field_name("operand") {
                Some(operand) => node = operand,
                None => return false,
            },
            _ => return false,
        }
    }
}

/// The left and right sides of `a, b = x, y` (or `:=`) paired up; a right side is None
/// when the sides do not pair (`a, b := f()`).
fn paired(statement: Node) -> Vec<(Node, Option<Node>)> {
    let lefts: Vec<Node> = statement
        .child_by_field_name("left")
        .map(|left| parts(left).collect())
        .unwrap_or_default();
    let rights: Vec<Node> = statement
        .child_by_field_name("right")
        .map(|right| parts(right).collect())
        .unwrap_or_default();
    let pairs = lefts.len() == rights.len();
    lefts
        .iter()
        .enumerate()
        .map(|(index, left)| (*left, pairs.then(|| rights.get(index).copied()).flatten()))
        .collect()
}

/// Named children other than comments, stepped through with a cursor (`named_child(i)`
/// counts from the first child each time).
fn parts<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = node.walk();
    let mut started = false;
    std::iter::from_fn(move || {
        loop {
            let moved = if started {
                cursor.goto_next_sibling()
            } else {
                started = true;
                cursor.goto_first_child()
            };
            if !moved {
                return None;
            }
            let child = cursor.node();
            if child.is_named() && child.kind() != "comment" {
                return Some(child);
            }
        }
    })
}

fn unparen(node: Node) -> Node {
    let mut node = node;
    while node.kind() == "parenthesized_expression" {
        match parts(node).next() {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

fn line_of(node: Node) -> u32 {
    u32::try_from(node.start_position().row.saturating_add(1)).unwrap_or(u32::MAX)
}

/// Source text on one line: whitespace runs collapsed, none just inside brackets, and no
/// trailing comma left by a parameter list written one per line.
fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let glue =
            line.ends_with(['(', '[']) || word.starts_with([')', ']', ',']) || line.is_empty();
        if !glue {
            line.push(' ');
        }
        line.push_str(word);
    }
    line.replace(",)", ")").replace(",]", "]")
}

/// Visits `node` and its descendants in source order, with a cursor rather than recursion
/// so that a deeply nested file cannot overflow the stack. `visit` gets each node and its
/// ancestors from `node` down (tree-sitter would find each parent again from the root),
/// and returns whether to look inside it.
fn walk<'t>(node: Node<'t>, mut visit: impl FnMut(Node<'t>, &[Node<'t>]) -> bool) {
    let mut cursor = node.walk();
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    loop {
        let current = cursor.node();
        if visit(current, &ancestors) && cursor.goto_first_child() {
            ancestors.push(current);
            continue;
        }
        loop {
            if ancestors.is_empty() {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            ancestors.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEAKS: &str = include_str!("../../testdata/leaky/leaks.go");
    const EXPECTED: &str = include_str!("../../testdata/leaky/expected.tsv");

    /// Go written for these tests; `// name` markers at line ends name the lines to check.
    const SNIPPETS: &str = r#"package main

import (
	"context"
	"net/http"
	t "time"
)

type Server struct {
	tick  *t.Ticker
	quit  chan struct{}
	beat  *Beat
	ch    chan int
}

// Beat has a C field that is no timer.
type Beat struct{ C chan int }

// Remote is declared in another file; this one assigns its timers.
func newRemote(d t.Duration) *Remote {
	r := &Remote{alarm: t.NewTimer(d)}
	r.clock = t.NewTicker(d)
	return r
}

func (s *Server) fields(r *Remote) {
	select { // field-declared
	case <-s.quit:
	case <-s.tick.C:
	}
	select { // field-assigned
	case <-s.quit:
	case <-r.clock.C:
	}
	select { // field-literal
	case <-s.quit:
	case <-r.alarm.C:
	}
	select { // field-unknown
	case <-s.quit:
	case <-s.beat.C:
	}
}

func aliases(in <-chan int) {
	select { // alias-after
	case <-in:
	case <-t.After(t.Second):
	}
	select { // alias-tick
	case <-in:
	case <-t.Tick(t.Second):
	}
	ticker := t.NewTicker(t.Second)
	select { // alias-ticker
	case <-in:
	case <-ticker.C:
	}
	select { // constructor-inline
	case <-in:
	case <-t.NewTimer(t.Second).C:
	}
}

func fromParameter(timer *t.Timer, in <-chan int) {
	select { // parameter-timer
	case v := <-in:
		_ = v
	case <-timer.C:
	}
}

func afterVariable(in <-chan int, d t.Duration) {
	timeout := t.After(d)
	var tc = t.NewTicker(d).C
	for {
		select { // after-variable
		case <-in:
		case <-timeout:
			return
		}
		select { // ticker-channel-variable
		case <-in:
		case <-tc:
		}
	}
}

func requestContext(r *http.Request, in <-chan int) {
	select { // request-context
	case <-in:
	case <-r.Context().Done():
	}
}

func unknownC(x *Beat, in <-chan int, tick <-chan t.Time) {
	select { // unknown-c
	case <-in:
	case <-x.C:
	}
	after := t.AfterFunc(t.Second, func() {})
	select { // after-func
	case <-in:
	case <-after.C:
	}
	select { // time-channel
	case <-in:
	case <-tick:
	}
}

func sendsOnly(out chan<- int, done chan<- bool) {
	select { // sends-only
	case out <- 1:
	case done <- true:
	}
}

func contextFirst(ctx context.Context, in <-chan int) {
	select { // context-first
	case <-ctx.Done():
	case <-in:
	case <-t.After(t.Minute):
	}
}

func receives(ch chan int, chs chan chan int) (int, bool) {
	v, ok := <-ch // comma-ok
	if v := <-ch; v > 0 { // if-init
	}
	pair := make(chan int, 1)
	pair <- <-ch // send-receive
	single := make(chan int, 10)
	select { // one-case
	case single <- 1: // one-case-send
	}
	select { case <-ch: case <-chs: } // select-one-line
	return v, ok
}

func buffered(xs []int) {
	tens := make(chan int, 10)
	go func() {
		tens <- 1 // buffered-ten
	}()
	var sized = make(chan int, len(xs))
	sized <- 1 // buffered-len
	var later chan int
	later = make(chan int)
	later <- 1 // assigned-later
	var cond chan int
	if len(xs) > 0 {
		cond = make(chan int, 1)
	}
	cond <- 1 // conditional
	(tens) <- 2 // parenthesized
	s := &Server{}
	s.ch = make(chan int, 3)
	s.ch <- 1 // field-channel
	for v := range tens { // range-buffered
		_ = v
	}
	for i, x := range xs { // range-slice
		_, _ = i, x
	}
	for range 10 { // range-int
	}
	n := len(xs) // no-op
	_ = n
}

func shadowed() {
	ch := make(chan int)
	go func(ch chan int) {
		ch <- 1 // shadowed
	}(ch)
}

func multiLine(
	ctx context.Context, // the caller's
	in <-chan int,
) {
	for {
		select { // multi-line
		case v, ok := <-in:
			if !ok {
				return
			}
			_ = v
		case <-t.After(
			t.Minute,
		):
			return
		}
	}
}

func forever() {
	select {} // forever
	select { // forever-multi-line
	}
}

func Generic[T any](ch chan T, v T) {
	ch <- v // generic
}

func (s *Server) run(ctx context.Context) {
	go func() {
		<-ctx.Done() // method-literal
	}()
}

func (s Server) value() {
	go func() {
		s.ch <- 1 // value-receiver
	}()
}

var handler = func(ch chan int) {
	ch <- 1 // top-level-literal
}

func scopes(chans []chan int, ok bool) {
	for ch := range chans {
		ch <- 1 // range-variable
	}
	if ch := make(chan int, 2); ok {
		ch <- 1 // if-initializer
	}
	ch := make(chan int)
	select { // one-case-receive
	case v := <-ch: // one-case-receive-case
		_ = v
	}
}

func (l *List[T]) push(v T) {
	go func() {
		l.ch <- v // generic-receiver
	}()
}
"#;

    const BROKEN: &str = "package main

func broken(ch chan int) {
	if ready {
		ch <- 1
	
}

func other() {}
";

    /// The analysis on one line: the op (with `?` when it disagrees with the profile), every
    /// bound, the channel's make, and how many notes and problems there are.
    fn summary(analysis: &Analysis) -> String {
        let mut parts = vec![match analysis.op {
            Some(op) if analysis.matches_profile => op.as_str().to_owned(),
            Some(op) => format!("{}?", op.as_str()),
            None => "none".to_owned(),
        }];
        for bound in &analysis.bounds {
            parts.push(format!(
                "bound={}({})@{}:{}",
                bound.kind.as_str(),
                bound.origin,
                bound.line,
                bound.expr
            ));
        }
        if let Some(channel) = &analysis.channel {
            parts.push(format!(
                "chan={}@{}:{}",
                channel.name,
                channel.line,
                channel.capacity.as_deref().unwrap_or("unbuffered")
            ));
        }
        if !analysis.notes.is_empty() {
            parts.push(format!("notes={}", analysis.notes.len()));
        }
        if !analysis.problems.is_empty() {
            parts.push(format!("problems={}", analysis.problems.len()));
        }
        parts.join(" ")
    }

    #[track_caller]
    fn check(source: &str, line: u32, profile_op: Op, expected: &str) -> Analysis {
        let analysis = analyze(source, line, profile_op);
        assert_eq!(
            summary(&analysis),
            expected,
            "line {line} `{}`: {analysis:#?}",
            analysis.snippet
        );
        assert_eq!(analysis.bound.as_ref(), analysis.bounds.first());
        analysis
    }

    /// The line of `SNIPPETS` that ends with the `// marker` comment.
    #[track_caller]
    fn at(marker: &str) -> u32 {
        let suffix = format!("// {marker}");
        let index = SNIPPETS
            .lines()
            .position(|line| line.ends_with(&suffix))
            .unwrap_or_else(|| panic!("no line ends with {suffix}"));
        u32::try_from(index + 1).unwrap()
    }

    #[test]
    fn every_channel_row_of_expected_tsv_agrees() {
        for row in EXPECTED.lines().skip(1) {
            let columns: Vec<&str> = row.split('\t').collect();
            let line: u32 = columns[2].parse().unwrap();
            let op = match columns[3] {
                "send" => Some(Op::Send),
                "receive" => Some(Op::Receive),
                "nil_send" => Some(Op::NilSend),
                "nil_receive" => Some(Op::NilReceive),
                "select" => Some(Op::Select),
                "select_no_cases" => Some(Op::SelectNoCases),
                _ => None,
            };
            let analysis = analyze(LEAKS, line, op.unwrap_or(Op::Unknown));
            assert_eq!(
                analysis.matches_profile,
                op.is_some(),
                "{row}: {analysis:#?}"
            );
            assert_eq!(analysis.op.is_some(), op.is_some(), "{row}: {analysis:#?}");
            assert!(analysis.problems.is_empty(), "{row}: {analysis:#?}");
        }
    }

    #[test]
    fn leaks_go() {
        use Op::*;
        for (line, profile_op, expected) in [
            (23, Send, "send chan=result@21:unbuffered"),
            (28, Receive, "receive chan=result@21:unbuffered"),
            (39, Receive, "receive"),
            (40, Send, "send chan=done@37:unbuffered"),
            (40, Unknown, "send chan=done@37:unbuffered"),
            (40, Receive, "send? chan=done@37:unbuffered"),
            (42, Select, "select bound=ctx_done(context)@45:<-ctx.Done()"),
            (43, Receive, "none"),
            (56, Send, "send chan=answers@53:unbuffered"),
            (68, Receive, "range chan=ch@65:unbuffered"),
            (68, NilReceive, "range chan=ch@65:unbuffered"),
            (73, Receive, "none"),
            (74, Send, "send chan=ch@65:unbuffered"),
            (85, Select, "select bound=ticker(ticker)@86:<-ticker.C"),
            (85, Send, "select? bound=ticker(ticker)@86:<-ticker.C"),
            (
                99,
                Select,
                "select bound=timer(time.After)@101:<-time.After(time.Hour)",
            ),
            (
                113,
                Select,
                "select bound=ctx_done(context)@115:<-ctx.Done()",
            ),
            (128, NilSend, "send"),
            (138, NilReceive, "receive"),
            (147, SelectNoCases, "select_no_cases"),
            (147, Select, "select_no_cases?"),
            (155, Send, "send"),
            (163, Unknown, "none"),
            (175, Select, "select"),
            (191, Receive, "receive"),
            (202, Receive, "receive chan=ch@200:unbuffered"),
            (213, Unknown, "none"),
        ] {
            check(LEAKS, line, profile_op, expected);
        }
    }

    #[test]
    fn snippets() {
        use Op::*;
        for (marker, profile_op, expected) in [
            (
                "field-declared",
                Select,
                "select bound=ticker(ticker)@29:<-s.tick.C",
            ),
            (
                "field-assigned",
                Select,
                "select bound=ticker(ticker)@33:<-r.clock.C",
            ),
            (
                "field-literal",
                Select,
                "select bound=timer(timer)@37:<-r.alarm.C",
            ),
            ("field-unknown", Select, "select notes=1"),
            (
                "alias-after",
                Select,
                "select bound=timer(time.After)@48:<-t.After(t.Second)",
            ),
            (
                "alias-tick",
                Select,
                "select bound=ticker(time.Tick)@52:<-t.Tick(t.Second)",
            ),
            (
                "alias-ticker",
                Select,
                "select bound=ticker(ticker)@57:<-ticker.C",
            ),
            (
                "constructor-inline",
                Select,
                "select bound=timer(timer)@61:<-t.NewTimer(t.Second).C",
            ),
            (
                "parameter-timer",
                Select,
                "select bound=timer(timer)@69:<-timer.C",
            ),
            (
                "after-variable",
                Select,
                "select bound=timer(time.After)@79:<-timeout",
            ),
            (
                "ticker-channel-variable",
                Select,
                "select bound=ticker(ticker)@84:<-tc",
            ),
            (
                "request-context",
                Select,
                "select bound=ctx_done(context)@92:<-r.Context().Done()",
            ),
            ("unknown-c", Select, "select notes=1"),
            ("after-func", Select, "select notes=1"),
            ("time-channel", Select, "select notes=1"),
            ("sends-only", Select, "select"),
            (
                "context-first",
                Select,
                "select bound=ctx_done(context)@121:<-ctx.Done() \
                 bound=timer(time.After)@123:<-t.After(t.Minute)",
            ),
            ("comma-ok", Receive, "receive"),
            ("if-init", Receive, "receive"),
            ("send-receive", Send, "send chan=pair@131:1"),
            ("send-receive", Receive, "receive"),
            ("send-receive", Unknown, "receive"),
            ("one-case", Select, "select"),
            ("one-case-send", Send, "send chan=single@133:10"),
            ("select-one-line", Select, "select"),
            ("select-one-line", Unknown, "select"),
            ("buffered-ten", Send, "send chan=tens@142:10"),
            ("buffered-len", Send, "send chan=sized@146:len(xs)"),
            ("assigned-later", Send, "send chan=later@149:unbuffered"),
            ("conditional", Send, "send"),
            ("parenthesized", Send, "send chan=tens@142:10"),
            ("field-channel", Send, "send chan=s.ch@158:3"),
            ("range-buffered", Receive, "range chan=tens@142:10"),
            ("range-slice", Receive, "none"),
            ("range-int", Receive, "none"),
            ("no-op", Receive, "none"),
            ("shadowed", Send, "send"),
            (
                "multi-line",
                Select,
                "select bound=timer(time.After)@190:<-t.After(t.Minute)",
            ),
            ("forever", SelectNoCases, "select_no_cases"),
            ("forever-multi-line", SelectNoCases, "select_no_cases"),
            ("generic", Send, "send"),
            ("method-literal", Receive, "receive"),
            ("value-receiver", Send, "send"),
            ("top-level-literal", Send, "send"),
            ("range-variable", Send, "send"),
            ("if-initializer", Send, "send chan=ch@228:2"),
            ("one-case-receive", Select, "select"),
            (
                "one-case-receive-case",
                Receive,
                "receive chan=ch@231:unbuffered",
            ),
            (
                "one-case-receive-case",
                Select,
                "receive? chan=ch@231:unbuffered",
            ),
        ] {
            check(SNIPPETS, at(marker), profile_op, expected);
        }
    }

    #[test]
    fn functions() {
        let timeout_leak = "func timeoutLeak(ctx context.Context, slowCall <-chan int) error";
        for (source, line, expected) in [
            (LEAKS, 40, Some("func() in timeoutLeak")),
            (LEAKS, 42, Some(timeout_leak)),
            (LEAKS, 34, Some(timeout_leak)),
            (LEAKS, 56, Some("func(id int) in firstResponse")),
            (LEAKS, 16, None),
            (LEAKS, 1, None),
            (
                SNIPPETS,
                at("field-declared"),
                Some("func (s *Server) fields(r *Remote)"),
            ),
            (
                SNIPPETS,
                at("generic"),
                Some("func Generic[T any](ch chan T, v T)"),
            ),
            (
                SNIPPETS,
                at("method-literal"),
                Some("func() in (*Server).run"),
            ),
            (
                SNIPPETS,
                at("value-receiver"),
                Some("func() in Server.value"),
            ),
            (SNIPPETS, at("top-level-literal"), Some("func(ch chan int)")),
            (
                SNIPPETS,
                at("generic-receiver"),
                Some("func() in (*List[T]).push"),
            ),
            (
                SNIPPETS,
                at("multi-line"),
                Some("func multiLine(ctx context.Context, in <-chan int)"),
            ),
        ] {
            let analysis = analyze(source, line, Op::Unknown);
            assert_eq!(analysis.function.as_deref(), expected, "line {line}");
        }
    }

    #[test]
    fn reasons_and_notes() {
        let ticker = analyze(LEAKS, 85, Op::Select);
        assert_eq!(
            ticker
                .bound
                .map(|bound| bound.reason("leaks.go", 85))
                .as_deref(),
            Some("select at leaks.go:85 also waits on <-ticker.C (ticker) at line 86")
        );
        let context = analyze(LEAKS, 113, Op::Select);
        assert_eq!(
            context
                .bound
                .map(|bound| bound.reason("leaks.go", 113))
                .as_deref(),
            Some(
                "select at leaks.go:113 also waits on <-ctx.Done() (context) at line 115; \
                 heuristic: a context that is never cancelled still leaks"
            )
        );
        for (marker, note) in [
            (
                "field-unknown",
                "<-s.beat.C at line 41: origin of s.beat unknown, not counted as a timer",
            ),
            (
                "unknown-c",
                "<-x.C at line 99: origin of x unknown, not counted as a timer",
            ),
            (
                "after-func",
                "<-after.C at line 104: after comes from time.AfterFunc, whose C is nil, \
                 not counted as a timer",
            ),
            (
                "time-channel",
                "<-tick at line 108: origin of tick unknown, not counted as a timer",
            ),
        ] {
            assert_eq!(analyze(SNIPPETS, at(marker), Op::Select).notes, [note]);
        }
        let snippet = analyze(LEAKS, 40, Op::Send).snippet;
        assert_eq!(snippet, "done <- v");
    }

    #[test]
    fn untrustworthy() {
        check(BROKEN, 5, Op::Send, "send problems=2");
        assert_eq!(
            analyze(BROKEN, 5, Op::Send).problems,
            [
                "syntax error at line 9",
                "syntax error: missing `}` at line 10"
            ]
        );
        check(BROKEN, 0, Op::Send, "none problems=1");
        check(BROKEN, 11, Op::Send, "none problems=1");
        check(BROKEN, u32::MAX, Op::Send, "none problems=1");
        // A time package that is not imported is not the time package.
        check(
            "package main\nfunc f(in chan int) {\n\tselect {\n\tcase <-in:\n\
             \tcase <-time.After(1):\n\t}\n}\n",
            3,
            Op::Select,
            "select",
        );
    }

    #[test]
    fn any_input_is_analyzed_without_panicking() {
        let inputs = [
            "",
            "\n\n\n",
            "not go at all <- <- {{{ select",
            "package main\nfunc f( {\n\tch <-\n\tselect {\n\tcase <-",
            "\u{feff}package main\r\nfunc f(ch chan int) {\r\n\tch <- 1\r\n}\r\n",
            &"(".repeat(10_000),
            &format!("package main\nfunc f() {{\n{}\n}}\n", "<-".repeat(5_000)),
            BROKEN,
            LEAKS,
            SNIPPETS,
        ];
        let ops = [
            Op::Send,
            Op::Receive,
            Op::Range,
            Op::Select,
            Op::SelectNoCases,
            Op::NilSend,
            Op::NilReceive,
            Op::Unknown,
        ];
        for input in inputs {
            let parsed = ParsedFile::parse(input);
            assert_eq!(parsed.analyze(3, Op::Send), analyze(input, 3, Op::Send));
            let lines = u32::try_from(input.lines().count()).unwrap();
            for line in 0..=lines + 1 {
                for op in ops {
                    let analysis = parsed.analyze(line, op);
                    if line == 0 || line > lines {
                        assert!(!analysis.problems.is_empty());
                    }
                }
            }
        }
        assert!(
            !analyze("not go at all <- <- {{{ select", 1, Op::Send)
                .problems
                .is_empty()
        );
        assert_eq!(
            summary(&analyze(inputs[4], 3, Op::Send)),
            "send",
            "CRLF line endings"
        );
    }
}
