//! Where a goroutine was started: the `go` statement on a line, the function around it, and
//! whether a loop of a fixed count starts it (`for i := 0; i < n; i++`, `for range n`,
//! `for _, x := range items`), which is how worker pools are started, as opposed to a loop
//! that starts one per request or message (`for { conn := accept() … }`,
//! `for req := range requests`), which is how leaks pile up.

use tree_sitter::{Node, Point};

use super::tree::{Go, parts, unparen};

/// A `go` statement, as far as telling a pool from a pile goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spawn {
    /// The named function that holds the `go` statement, as a profile names it
    /// (`startPool`, `(*Server).run`), through any func literals around it.
    pub function: Option<String>,
    /// A loop of a fixed count starts it.
    pub fixed_loop: bool,
}

impl<'t> Go<'t> {
    /// The lines (1-based) of the calls of `name` (`name(…)`, `x.name(…)`), started by `go`
    /// or not.
    pub(super) fn calls_of(&self, name: &str) -> Vec<u32> {
        let mut lines = Vec::new();
        super::tree::walk(self.root, |node, _| {
            if node.kind() == "call_expression" && self.calls(node, name) {
                lines.push(super::tree::line_of(node));
            }
            true
        });
        lines
    }

    fn calls(&self, call: Node<'t>, name: &str) -> bool {
        let callee = call.child_by_field_name("function").map(unparen);
        let called = callee.and_then(|callee| match callee.kind() {
            "identifier" => Some(self.text(callee)),
            "selector_expression" => callee
                .child_by_field_name("field")
                .map(|field| self.text(field)),
            _ => None,
        });
        called == Some(name)
    }

    /// The lines (1-based) of the `go` statements that start `name`: `go name(…)` or
    /// `go x.name(…)`.
    pub(super) fn go_statements_starting(&self, name: &str) -> Vec<u32> {
        let mut lines = Vec::new();
        super::tree::walk(self.root, |node, _| {
            if node.kind() != "go_statement" {
                return true;
            }
            let callee = parts(node)
                .find(|part| part.kind() == "call_expression")
                .and_then(|call| call.child_by_field_name("function"));
            let called = callee.and_then(|callee| match callee.kind() {
                "identifier" => Some(self.text(callee)),
                "selector_expression" => callee
                    .child_by_field_name("field")
                    .map(|field| self.text(field)),
                _ => None,
            });
            if called == Some(name) {
                lines.push(super::tree::line_of(node));
            }
            false
        });
        lines
    }

    /// The `go` statement on `row`, if any.
    pub(super) fn spawn(&self, row: usize, indent: usize) -> Option<Spawn> {
        let point = Point::new(row, indent);
        let mut node = self.root.descendant_for_point_range(point, point)?;
        while node.kind() != "go_statement" {
            node = node.parent()?;
            if node.start_position().row != row {
                return None;
            }
        }
        let ancestry = self.ancestry(node);
        let mut fixed_loop = false;
        for ancestor in ancestry.iter().skip(1) {
            if matches!(
                ancestor.kind(),
                "function_declaration" | "method_declaration" | "func_literal"
            ) {
                break;
            }
            if ancestor.kind() == "for_statement" {
                fixed_loop = self.counts(*ancestor);
                break;
            }
        }
        let named = ancestry
            .iter()
            .find(|node| matches!(node.kind(), "function_declaration" | "method_declaration"));
        Some(Spawn {
            function: named.and_then(|named| self.short_name(*named)),
            fixed_loop,
        })
    }

    /// Whether a `for` loop runs a number of times fixed when it starts.
    fn counts(&self, for_statement: Node<'t>) -> bool {
        let Some(header) = parts(for_statement).find(|part| part.kind() != "block") else {
            return false;
        };
        match header.kind() {
            // `for i := 0; i < n; i++`: bounded when it has a condition and an update.
            "for_clause" => {
                header.child_by_field_name("condition").is_some()
                    && header.child_by_field_name("update").is_some()
            }
            // `for range n`, `for _, w := range workers`: bounded unless over a channel.
            "range_clause" => header
                .child_by_field_name("right")
                .is_some_and(|right| !self.may_be_channel(for_statement, unparen(right))),
            // `for cond {}` or `for {}`: runs until something happens.
            _ => false,
        }
    }

    /// Whether a ranged-over expression may be a channel: a name whose binding is a
    /// `make(chan …)` or has a channel type, or anything this file cannot tell.
    fn may_be_channel(&self, at: Node<'t>, expression: Node<'t>) -> bool {
        match expression.kind() {
            "int_literal" | "composite_literal" | "interpreted_string_literal" => false,
            "call_expression" => {
                let callee = expression
                    .child_by_field_name("function")
                    .map_or("", |callee| self.text(callee));
                callee != "len"
            }
            "identifier" | "selector_expression" => {
                let name = self.text(expression);
                match self.resolve(name, at) {
                    Some(binding) => {
                        let made_chan = binding.value.is_some_and(|value| {
                            let text = self.text(value);
                            text.starts_with("make(chan") || text.starts_with("make(<-chan")
                        });
                        let typed_chan = binding
                            .ty
                            .is_some_and(|ty| matches!(ty.kind(), "channel_type"));
                        let known_other = binding.value.is_some() || binding.ty.is_some();
                        made_chan || typed_chan || !known_other
                    }
                    None => true,
                }
            }
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::source::analyze::ParsedFile;

    fn check(body: &str, expected: Option<bool>) {
        let source =
            format!("package p\n\nfunc start(n int, items []int, jobs chan int) {{\n{body}\n}}\n");
        let line = source
            .lines()
            .position(|line| line.trim_start().starts_with("go "))
            .map_or(0, |row| row as u32 + 1);
        let spawn = ParsedFile::parse(&source).spawn(line);
        assert_eq!(spawn.map(|s| s.fixed_loop), expected, "{body}");
    }

    #[test]
    fn pools_are_started_by_loops_of_a_fixed_count() {
        check("\tfor i := 0; i < n; i++ {\n\t\tgo work()\n\t}", Some(true));
        check("\tfor range n {\n\t\tgo work()\n\t}", Some(true));
        check("\tfor range 8 {\n\t\tgo work()\n\t}", Some(true));
        check(
            "\tfor _, item := range items {\n\t\tgo work(item)\n\t}",
            Some(true),
        );
        check(
            "\tfor i := range len(items) {\n\t\tgo work(i)\n\t}",
            Some(true),
        );
        // One per message or request: not a pool.
        check("\tfor j := range jobs {\n\t\tgo work(j)\n\t}", Some(false));
        check("\tfor {\n\t\tgo work()\n\t}", Some(false));
        check("\tfor n > 0 {\n\t\tgo work()\n\t}", Some(false));
        check("\tgo work()", Some(false));
        // A loop outside the func literal that holds the go statement does not count.
        check(
            "\tfor i := 0; i < n; i++ {\n\t\tfunc() {\n\t\t\tgo work()\n\t\t}()\n\t}",
            Some(false),
        );
        check("\twork()", None);
    }

    #[test]
    fn go_statements_are_found_by_the_function_they_start() {
        let source = "package p\n\nfunc start(s *S) {\n\tgo work()\n\tgo s.work(1)\n\tgo other()\n\twork()\n\tgo func() { work() }()\n}\n";
        let parsed = ParsedFile::parse(source);
        assert_eq!(parsed.go_statements_starting("work"), [4, 5]);
        assert_eq!(parsed.go_statements_starting("other"), [6]);
        assert!(parsed.go_statements_starting("missing").is_empty());
    }
}
