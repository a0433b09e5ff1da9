//! An operation's own syntax, as finding ids use it: the tokens of the operation's node with
//! comments and white space dropped, so a comment, a blank line, re-indenting or moving the
//! code keeps the id, and only a change to the operation itself changes it.

use tree_sitter::Node;

use super::tree::{Go, parts};
use crate::blocking::Op;

impl<'t> Go<'t> {
    /// The tokens of `node`, an operation of kind `op`, joined by single spaces. A range
    /// loop is its header (`for v := range ch`), not its body; a select is `select` and its
    /// cases' communications, not their bodies.
    pub(super) fn op_syntax(&self, node: Node<'t>, op: Op) -> String {
        let mut tokens = Vec::new();
        match op {
            Op::Range => {
                tokens.push("for");
                if let Some(clause) = parts(node).find(|child| child.kind() == "range_clause") {
                    self.tokens(clause, &mut tokens);
                }
            }
            Op::Select | Op::SelectNoCases => {
                tokens.push("select");
                for case in parts(node) {
                    match case.kind() {
                        "communication_case" => {
                            tokens.push("case");
                            if let Some(communication) = case.child_by_field_name("communication") {
                                self.tokens(communication, &mut tokens);
                            }
                        }
                        "default_case" => tokens.push("default"),
                        _ => {}
                    }
                }
            }
            _ => self.tokens(node, &mut tokens),
        }
        tokens.join(" ")
    }

    /// Which of the textually identical operations of its function `node` is, counting from
    /// 1 in source order: two `ch <- v` in one function are 1 and 2 whatever the profile
    /// shows, so each keeps its id when only the other has goroutines. Operations inside
    /// nested function literals belong to other functions and are not counted.
    pub(super) fn twin(&self, ancestry: &[Node<'t>], node: Node<'t>, op: Op, syntax: &str) -> u32 {
        let is_function = |kind: &str| {
            matches!(
                kind,
                "function_declaration" | "method_declaration" | "func_literal"
            )
        };
        let Some(function) = ancestry.iter().find(|at| is_function(at.kind())) else {
            return 1;
        };
        let mut earlier = 0;
        let mut pending = vec![*function];
        while let Some(at) = pending.pop() {
            let mut cursor = at.walk();
            for child in at.children(&mut cursor) {
                if child.start_byte() >= node.start_byte() || is_function(child.kind()) {
                    continue;
                }
                if child.end_byte() <= node.start_byte()
                    && child.kind() == node.kind()
                    && self.op_syntax(child, op) == syntax
                {
                    earlier += 1;
                } else {
                    pending.push(child);
                }
            }
        }
        earlier + 1
    }

    fn tokens(&self, node: Node<'t>, tokens: &mut Vec<&'t str>) {
        if node.kind() == "comment" {
            return;
        }
        if node.child_count() == 0 {
            let text = self.text(node).trim();
            if !text.is_empty() {
                tokens.push(text);
            }
            return;
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.tokens(child, tokens);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::blocking::Op;
    use crate::source::analyze::analyze;

    fn syntax(source: &str, line: u32, op: Op) -> Option<String> {
        analyze(source, line, op).syntax
    }

    #[test]
    fn comments_and_spacing_do_not_change_an_operation() {
        let plain = "package p\n\nfunc f(ch chan int, v int) {\n\tch <- v\n}\n";
        let commented =
            "package p\n\nfunc f(ch chan int, v int) {\n\t// why\n\tch  <-  v // trailing\n}\n";
        assert_eq!(syntax(plain, 4, Op::Send).as_deref(), Some("ch <- v"));
        assert_eq!(syntax(commented, 5, Op::Send), syntax(plain, 4, Op::Send));
        let other = "package p\n\nfunc f(ch chan int, v int) {\n\tch <- v + 1\n}\n";
        assert_ne!(syntax(other, 4, Op::Send), syntax(plain, 4, Op::Send));
    }

    #[test]
    fn identical_operations_are_numbered_in_their_function() {
        let source = "package p\n\nfunc f(ch chan int, v int) {\n\tch <- v\n\tif v > 0 {\n\t\tch <- v // again\n\t}\n\tgo func() {\n\t\tch <- v\n\t}()\n\tch <- v + 1\n\tch <- v\n}\n";
        let twin = |line: u32| analyze(source, line, Op::Send).twin;
        // Lines 4, 6 and 12 hold `ch <- v` in f; line 9's is in the func literal, line 11's
        // is another operation.
        assert_eq!(
            [twin(4), twin(6), twin(9), twin(11), twin(12)],
            [Some(1), Some(2), Some(1), Some(1), Some(3)]
        );
    }

    #[test]
    fn loops_and_selects_are_their_headers() {
        let range = "package p\n\nfunc f(ch chan int) {\n\tfor v := range ch { // loop\n\t\tprintln(v)\n\t}\n}\n";
        assert_eq!(
            syntax(range, 4, Op::Receive).as_deref(),
            Some("for v := range ch")
        );
        let select = "package p\n\nfunc f(a, b chan int) {\n\tselect {\n\tcase v := <-a: // first\n\t\tprintln(v)\n\tcase b <- 1:\n\tdefault:\n\t}\n}\n";
        assert_eq!(
            syntax(select, 4, Op::Select).as_deref(),
            Some("select case v := <- a case b <- 1 default")
        );
        let forever = "package p\n\nfunc f() {\n\tselect {}\n}\n";
        assert_eq!(
            syntax(forever, 4, Op::SelectNoCases).as_deref(),
            Some("select")
        );
    }
}
