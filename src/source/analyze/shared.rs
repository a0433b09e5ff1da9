//! What other analyses of the source (the leak patterns in [`crate::source::patterns`]) use of
//! this one: the parsed file, the operation on a line, a select's bounding cases, and the tree
//! helpers. Kept in one place so the rest of this module stays private to it.

use tree_sitter::Node;

use super::ops::pick;
use super::queries::queries;
pub(crate) use super::tree::{Go, line_of, parts, unparen, walk};
use super::verify::Vantage;
use super::{Bound, Check, ParsedFile};
use crate::blocking::Op;

impl<'a> ParsedFile<'a> {
    /// The file's text.
    pub(crate) fn text(&self) -> &'a str {
        self.source
    }

    /// The parsed file for walking, or why there is none. A file with syntax errors still
    /// has a tree; callers judge the lines they use with [`ParsedFile::analyze`].
    pub(crate) fn go(&self) -> Option<Go<'_>> {
        let (tree, _) = self.tree.as_ref().ok()?;
        Some(Go::new(self.source, tree.root_node(), queries().ok()?))
    }
}

impl<'t> Go<'t> {
    /// The channel operation on `line` (1-based) that a profile saying `profile_op` means, as
    /// [`ParsedFile::analyze`] picks it, with the op the source shows.
    pub(crate) fn operation_at(&self, line: u32, profile_op: Op) -> Option<(Node<'t>, Op)> {
        let row = usize::try_from(line.checked_sub(1)?).ok()?;
        pick(&self.candidates(row), profile_op).map(|found| (found.node, found.op))
    }

    /// The cases of `select` that end its wait by themselves (timers, tickers, contexts), in
    /// source order.
    pub(crate) fn case_bounds(&self, select: Node<'t>) -> Vec<Bound> {
        self.select_bounds(select).0
    }

    /// Why the context `context` (the `x` of `x.Done()`) can never be done while a goroutine
    /// waits at `wait` (a select or a receive), and the line that shows it: the bound check
    /// of [`super::verify`]. None when it can be done, or the function cannot tell.
    pub(crate) fn context_never_done(
        &self,
        context: Node<'t>,
        wait: Node<'t>,
    ) -> Option<(String, u32)> {
        let waiter = self.enclosing_function(wait)?;
        match self.context_check(context, wait, Vantage::Waiter(waiter), 0) {
            Check::Never { why, line } => Some((why, line)),
            Check::Fires | Check::Unverified { .. } => None,
        }
    }

    /// A bare wait on a timer, ticker or context (`<-ctx.Done()`, `<-t.C` as an operation of
    /// its own), checked like a select's case.
    pub(crate) fn wait_bound(&self, receive: Node<'t>) -> Option<Bound> {
        self.bare_bound(receive)
    }

    /// What the call on `line` (1-based) of `function` passes for its `index`-th parameter,
    /// checked as a context from the caller's side.
    pub(crate) fn passed_check(&self, line: u32, function: &str, index: usize) -> Option<Check> {
        let row = usize::try_from(line.checked_sub(1)?).ok()?;
        self.argument_check(row, function, index)
    }

    /// Whether `call` is `make(chan T[, N])`.
    pub(crate) fn makes_channel(&self, call: Node<'t>) -> bool {
        self.queries.makes_channel(call, self.source)
    }

    /// Local names of the file's import of `path` (`context`, or `ctx` after an
    /// `import ctx "context"`).
    pub(crate) fn import_names(&self, path: &str) -> Vec<&'t str> {
        parts(self.root)
            .filter(|node| node.kind() == "import_declaration")
            .flat_map(|declaration| self.queries.imports(declaration, self.source))
            .filter(|(imported, _)| *imported == path)
            .map(|(_, name)| name)
            .collect()
    }
}
