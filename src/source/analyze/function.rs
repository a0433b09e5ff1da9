//! What surrounds the line: the function holding it, named as a profile names it, and the
//! syntax errors near it that make the rest of the analysis untrustworthy.

use tree_sitter::Node;

use super::tree::{Go, line_of, parts, walk};

/// Lines around a top-level line searched for syntax errors.
const NEAR: usize = 5;
/// Syntax errors listed before the rest are counted.
const MAX_PROBLEMS: usize = 3;

impl<'t> Go<'t> {
    /// Syntax errors in the function holding `ancestry`'s first node; at top level (where channel
    /// operations sit only when an error broke their function apart), in the top-level
    /// node holding the line, the one before it and the lines around.
    pub(super) fn syntax_problems(&self, ancestry: &[Node<'t>], row: usize) -> Vec<String> {
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

    /// The function holding the first node of `ancestry`.
    pub(super) fn describe_function(&self, ancestry: &[Node<'t>]) -> Option<String> {
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
    pub(super) fn short_name(&self, function: Node<'t>) -> Option<String> {
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
}
