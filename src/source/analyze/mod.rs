//! What the Go source shows at the line a finding points to: which channel operation sits
//! there (to confirm or refine what the profile said), the function around it, where its
//! channel was made, and, for a `select`, whether a timer, ticker or context bounds it (the
//! LeakProf heuristic: a select that also waits on a timer wakes up by itself, so the
//! goroutines parked in it are not leaked).
//!
//! The file is parsed with tree-sitter-go. Shapes that are plain patterns (the file's
//! imports, a `make(chan …)` call) are tree-sitter queries in `.scm` files; the rest is a
//! walk by hand, because most questions asked here are positional (the n-th name on the
//! left of `:=` pairs with the n-th value on the right; a binding counts only when it
//! precedes the use in a block that encloses it), which queries cannot express and Rust
//! states plainly.
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
//!
//! Layout: [`tree`] holds the parsed file and the walking helpers; [`queries`] compiles
//! the `.scm` queries; [`ops`] finds the operation on a line; [`function`] names the
//! function around it and the syntax errors near it; [`scope`] resolves names; [`bounds`]
//! judges a select's cases; [`channel`] finds where a channel was made.

mod bounds;
mod channel;
mod function;
mod ops;
mod queries;
mod scope;
pub(crate) mod shared;
mod spawn;
mod syntax;
mod tree;
mod verify;

#[cfg(test)]
mod tests;

use tree_sitter::{Node, Parser, Point, Tree};

use self::ops::{agrees, pick};
use self::queries::{Queries, queries};
use self::tree::Go;
use crate::blocking::Op;
use crate::model::Span;
pub use spawn::Spawn;

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
    /// Where the operation is: the send statement or receive expression, a range loop from
    /// `for` to the end of its range clause, a select's `select` keyword.
    pub span: Option<Span>,
    /// The operation's own syntax without comments or spacing (see [`syntax`]): what finding
    /// ids are made from. None when the line holds no operation.
    pub syntax: Option<String>,
    /// Which of the textually identical operations of the function this one is, from 1 in
    /// source order (see [`Go::twin`]).
    pub twin: Option<u32>,
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
    /// Whether it can still fire when the goroutine parks.
    pub check: Check,
}

/// Whether a bound can still fire when the goroutine parks (see [`verify`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// The source shows it fires: a deadline, a cancel someone can call, a running timer.
    Fires,
    /// It may fire, but what would fire it is out of this function's reach: `why`; when it
    /// is a parameter, its callers may settle it.
    Unverified {
        why: String,
        parameter: Option<Parameter>,
        /// The package-level variable the cancel function is kept in: the package's other
        /// files say whether anything can call it.
        kept: Option<Kept>,
    },
    /// It can never fire while the goroutine waits: `why`, shown at `line`.
    Never { why: String, line: u32 },
}

impl Check {
    pub fn unverified(why: String) -> Check {
        Check::Unverified {
            why,
            parameter: None,
            kept: None,
        }
    }
}

/// A cancel function kept in a package-level variable (`ctx, stopAll = context.WithCancel(…)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    /// The variable's name.
    pub name: String,
    /// 1-based line of the assignment.
    pub line: u32,
    /// The context it cancels, as written.
    pub context: String,
    /// Where the bound comes from when it was followed to a caller: "ctx comes from the
    /// call at F:L, where " and the file of the assignment.
    pub via: Option<(String, String)>,
}

/// A bound that arrives as a parameter: the function's callers say what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parameter {
    /// How a profile names the function (`waitCtx`, `(*Server).run`), or "a func literal".
    pub function: String,
    /// Its position among the parameters.
    pub index: usize,
    pub name: String,
}

impl Bound {
    /// Why a wait at `file_name:line` is not reported as a leak: the select also waits on
    /// this bound (`select` true), or the wait is on the bound itself.
    pub fn reason(&self, file_name: &str, line: u32, select: bool) -> String {
        let reason = if select {
            format!(
                "select at {file_name}:{line} also waits on {} ({}) at line {}",
                self.expr, self.origin, self.line
            )
        } else {
            format!(
                "the wait at {file_name}:{line} is on {} ({}), which ends by itself",
                self.expr, self.origin
            )
        };
        match &self.check {
            Check::Fires => reason,
            Check::Unverified { why, .. } => format!("{reason}; unverified: {why}"),
            Check::Never { why, .. } => format!("{reason}, but it can never fire: {why}"),
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
    /// The syntax tree and the queries to match in it, or why there is none.
    tree: Result<(Tree, &'static Queries), String>,
}

impl<'a> ParsedFile<'a> {
    /// Parses `source`; a file that does not parse is analyzed into problems, not an error.
    pub fn parse(source: &'a str) -> Self {
        let mut parser = Parser::new();
        let tree = match parser.set_language(&tree_sitter_go::LANGUAGE.into()) {
            Ok(()) => parser
                .parse(source, None)
                .ok_or_else(|| "tree-sitter could not parse the file".to_owned())
                .and_then(|tree| Ok((tree, queries()?))),
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
            span: None,
            syntax: None,
            twin: None,
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
        let (tree, queries) = match &self.tree {
            Ok((tree, queries)) => (tree, *queries),
            Err(problem) => {
                analysis.problems.push(problem.clone());
                return analysis;
            }
        };
        let go = Go::new(self.source, tree.root_node(), queries);

        let found = pick(&go.candidates(row), profile_op);
        let anchor = found.map(|candidate| candidate.node).or_else(|| {
            let point = Point::new(row, text.len() - text.trim_start().len());
            go.root.descendant_for_point_range(point, point)
        });
        let ancestry = anchor.map_or_else(Vec::new, |anchor| go.ancestry(anchor));
        analysis.problems = go.syntax_problems(&ancestry, row);
        analysis.function = go.describe_function(&ancestry);

        let Some(found) = found else {
            if let Some(call) = go.reflect_call(row, profile_op) {
                // Trusted as the profile's op: the line is what the profile says, but which
                // channel, and what else the wait could end on, the source does not show.
                analysis.op = Some(profile_op);
                analysis.matches_profile = true;
                analysis.span = Some(self.span(call));
                analysis.syntax = Some(go.written(call));
                analysis.notes.push(format!(
                    "waits through package reflect (`{}`): the source does not show which \
                     channel, so no bound is checked",
                    go.written(call)
                ));
            }
            return analysis;
        };
        analysis.op = Some(found.op);
        analysis.span = Some(self.span(found.node));
        let syntax = go.op_syntax(found.node, found.op);
        analysis.twin = Some(go.twin(&ancestry, found.node, found.op, &syntax));
        analysis.syntax = Some(syntax);
        analysis.matches_profile = agrees(found.op, profile_op);
        match found.op {
            Op::Select => {
                let (bounds, notes) = go.select_bounds(found.node);
                analysis.bound = bounds.first().cloned();
                analysis.bounds = bounds;
                analysis.notes = notes;
            }
            Op::Receive => {
                analysis.channel = go.channel_make(found.node, found.op);
                // `<-ctx.Done()`, `<-t.C` on a line of its own: checked like a select's case.
                analysis.bounds.extend(go.bare_bound(found.node));
                analysis.bound = analysis.bounds.first().cloned();
            }
            Op::Send | Op::Range => {
                analysis.channel = go.channel_make(found.node, found.op);
            }
            _ => {}
        }
        analysis
    }

    /// Where an operation's node is, in lines and code-point columns. A range loop ends with
    /// its range clause and a select with its keyword: their bodies are not the operation.
    fn span(&self, node: Node) -> Span {
        let end = match node.kind() {
            "for_statement" => {
                ops::range_clause(node).map_or(node.end_position(), |clause| clause.end_position())
            }
            "select_statement" => node
                .child(0)
                .map_or(node.end_position(), |keyword| keyword.end_position()),
            _ => node.end_position(),
        };
        let start = node.start_position();
        Span {
            start_line: start.row as u32 + 1,
            start_column: self.column(start),
            end_line: end.row as u32 + 1,
            end_column: self.column(end),
        }
    }

    /// The 1-based code-point column of a tree-sitter point (whose column counts bytes).
    fn column(&self, point: Point) -> u32 {
        let line = self.lines.get(point.row).copied().unwrap_or("");
        let before = line
            .get(..point.column.min(line.len()))
            .map_or(0, |text| text.chars().count());
        before as u32 + 1
    }
}

impl ParsedFile<'_> {
    /// The `go` statement on `line` (1-based), if any: the function around it and whether a
    /// loop of a fixed count starts it.
    pub fn spawn(&self, line: u32) -> Option<Spawn> {
        let row = line.checked_sub(1)? as usize;
        let text = self.lines.get(row)?;
        let (tree, queries) = self.tree.as_ref().ok()?;
        let go = Go::new(self.source, tree.root_node(), queries);
        go.spawn(row, text.len() - text.trim_start().len())
    }

    /// What the call at `line` (1-based) of `parameter`'s function passes for it, checked
    /// as a context from the caller's side; None when no such call is on the line.
    pub fn argument_check(&self, line: u32, parameter: &Parameter) -> Option<Check> {
        let row = line.checked_sub(1)? as usize;
        let (tree, queries) = self.tree.as_ref().ok()?;
        let go = Go::new(self.source, tree.root_node(), queries);
        go.argument_check(row, &parameter.function, parameter.index)
    }

    /// The lines (1-based) of the calls in this file of the function or method `name`.
    pub fn calls_of(&self, name: &str) -> Vec<u32> {
        let Ok((tree, queries)) = &self.tree else {
            return Vec::new();
        };
        Go::new(self.source, tree.root_node(), queries).calls_of(name)
    }

    /// The lines (1-based) where the name `name` is read, called or passed, not assigned
    /// (see [`Go::reads_of`]); None when the file has no tree, so nothing can be said.
    pub fn reads_of(&self, name: &str) -> Option<Vec<u32>> {
        let (tree, queries) = self.tree.as_ref().ok()?;
        Some(Go::new(self.source, tree.root_node(), queries).reads_of(name))
    }

    /// The lines (1-based) of the `go` statements in this file that start the function or
    /// method `name`.
    pub fn go_statements_starting(&self, name: &str) -> Vec<u32> {
        let Ok((tree, queries)) = &self.tree else {
            return Vec::new();
        };
        Go::new(self.source, tree.root_node(), queries).go_statements_starting(name)
    }
}

#[cfg(test)]
mod span_tests {
    use super::*;

    /// `[start_line, start_column, end_line, end_column]`.
    type Expected = [u32; 4];

    /// `(line, op, expected span)` in `text`.
    fn check(text: &str, rows: &[(u32, Op, Expected)]) {
        let parsed = ParsedFile::parse(text);
        for &(line, op, [start_line, start_column, end_line, end_column]) in rows {
            let expected = Span {
                start_line,
                start_column,
                end_line,
                end_column,
            };
            assert_eq!(parsed.analyze(line, op).span, Some(expected), "line {line}");
        }
    }

    #[test]
    fn spans_cover_the_operation_only() {
        let text = "package p\n\
                    \n\
                    func f(ch chan int, in chan string) {\n\
                    \tch <- 1\n\
                    \tv := <-in // é\n\
                    \tfor x := range in {\n\
                    \t\t_ = x\n\
                    \t}\n\
                    \tselect {\n\
                    \tcase <-in:\n\
                    \tcase ch <- 2:\n\
                    \t}\n\
                    \t/* é */ ch <- len(v)\n\
                    }\n";
        check(
            text,
            &[
                (4, Op::Send, [4, 2, 4, 9]),
                (5, Op::Receive, [5, 7, 5, 11]),
                (6, Op::Range, [6, 2, 6, 19]),
                (9, Op::Select, [9, 2, 9, 8]),
                // Columns count code points, not bytes: `é` is two bytes.
                (13, Op::Send, [13, 10, 13, 22]),
            ],
        );
        assert_eq!(ParsedFile::parse(text).analyze(7, Op::Send).span, None);
    }
}
