//! The mechanical fixes as edits of one file: a capacity for a `make(chan …)`, a line after a
//! statement, a line at the top of a block; the loop bound an n-cast's buffer takes; and the
//! code a fix lets run that never ran before.

use std::ops::Range;

use tree_sitter::Node;

use super::scope::{Binding, Code, is_function};
use crate::source::analyze::shared::{parts, unparen, walk};

/// One replacement in one file of the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct EditPlan {
    pub(super) file: usize,
    pub(super) bytes: Range<usize>,
    pub(super) text: String,
}

impl<'t> Code<'_, 't> {
    /// `make(chan T)` → `make(chan T, capacity)`; an existing capacity is replaced.
    pub(super) fn buffer_edit(
        &self,
        file: usize,
        make: Node<'t>,
        capacity: &str,
    ) -> Option<EditPlan> {
        let arguments = make.child_by_field_name("arguments")?;
        let mut items = parts(arguments);
        let channel_type = items.next()?;
        Some(match items.next() {
            Some(existing) => EditPlan {
                file,
                bytes: existing.byte_range(),
                text: capacity.to_owned(),
            },
            None => EditPlan {
                file,
                bytes: channel_type.end_byte()..channel_type.end_byte(),
                text: format!(", {capacity}"),
            },
        })
    }

    /// A new line holding `line` after `statement`, indented as it is. None when something
    /// other than a comment follows the statement on its last line.
    pub(super) fn insert_after(
        &self,
        file: usize,
        statement: Node<'t>,
        line: &str,
    ) -> Option<EditPlan> {
        let rest_start = statement.end_byte();
        let rest_end = self.source[rest_start..]
            .find('\n')
            .map_or(self.source.len(), |at| rest_start + at);
        let rest = self.source[rest_start..rest_end].trim();
        if !(rest.is_empty() || rest.starts_with("//")) {
            return None;
        }
        let indent = self.indent_of(statement);
        let (at, text) = if rest_end < self.source.len() {
            (rest_end + 1, format!("{indent}{line}\n"))
        } else {
            (rest_end, format!("\n{indent}{line}"))
        };
        Some(EditPlan {
            file,
            bytes: at..at,
            text,
        })
    }

    /// A new line holding `line` at the top of `block`, indented as its first statement.
    /// None for a block written on one line.
    pub(super) fn insert_first(
        &self,
        file: usize,
        block: Node<'t>,
        line: &str,
    ) -> Option<EditPlan> {
        let open = block.start_byte();
        let newline = open + self.source[open..].find('\n')?;
        if newline >= block.end_byte() || !self.source[open + 1..newline].trim().is_empty() {
            return None;
        }
        let first = block
            .named_child(0)
            .and_then(|list| parts(list).next())
            .filter(|statement| statement.start_position().row > block.start_position().row);
        let indent = match first {
            Some(first) => self.indent_of(first),
            None => format!("{}\t", self.indent_of(block)),
        };
        Some(EditPlan {
            file,
            bytes: newline + 1..newline + 1,
            text: format!("{indent}{line}\n"),
        })
    }

    /// The whitespace that starts the line `node` starts on.
    fn indent_of(&self, node: Node<'t>) -> String {
        let line_start = self.source[..node.start_byte()]
            .rfind('\n')
            .map_or(0, |at| at + 1);
        self.source[line_start..node.start_byte()]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }

    /// The count of goroutines a loop starts, as an expression valid where the channel is
    /// made (`make_statement`): `n` for `for i := 0; i < n; i++` and `for i := range n`,
    /// `len(xs)` for a range over a slice or map. Err says why there is none.
    pub(super) fn loop_bound(
        &self,
        loop_: Node<'t>,
        make_statement: Node<'t>,
    ) -> Result<String, String> {
        let line = self.line(loop_);
        let unreadable = || format!("the loop at line {line} has no bound leakprof can read");
        let clause = parts(loop_)
            .find(|child| matches!(child.kind(), "for_clause" | "range_clause"))
            .ok_or_else(unreadable)?;
        let bound = match clause.kind() {
            "for_clause" => self.counted_bound(clause).ok_or_else(unreadable)?,
            _ => {
                let right = clause
                    .child_by_field_name("right")
                    .map(unparen)
                    .ok_or_else(unreadable)?;
                self.range_bound(right, loop_)?
            }
        };
        // Every name in the bound must mean the same where the channel is made, and keep its
        // value until the loop.
        let mut names = Vec::new();
        walk(bound.1, |node, _| {
            if node.kind() == "identifier" {
                names.push(node);
            }
            true
        });
        for name in names {
            let text = self.text(name);
            if matches!(text, "len" | "cap") {
                continue;
            }
            let here = self.bind(text, make_statement);
            if here.is_none() || here != self.bind(text, name) || here == Some(Binding::Other) {
                return Err(format!(
                    "`{text}` in the bound of the loop at line {line} is not known where the \
                     channel is made"
                ));
            }
            if self.assigned_between(text, make_statement.end_byte(), loop_.start_byte()) {
                return Err(format!(
                    "`{text}` changes between the channel's make and the loop at line {line}"
                ));
            }
        }
        Ok(bound.0)
    }

    /// `n` in `for i := 0; i < n; i++`.
    fn counted_bound(&self, clause: Node<'t>) -> Option<(String, Node<'t>)> {
        let initializer = clause.child_by_field_name("initializer")?;
        let condition = clause.child_by_field_name("condition")?;
        let update = clause.child_by_field_name("update")?;
        let left: Vec<Node<'t>> = parts(initializer.child_by_field_name("left")?).collect();
        let right: Vec<Node<'t>> = parts(initializer.child_by_field_name("right")?).collect();
        let (&[variable], &[zero]) = (left.as_slice(), right.as_slice()) else {
            return None;
        };
        let variable = self.text(variable);
        let counts_up = condition.kind() == "binary_expression"
            && condition
                .child_by_field_name("operator")
                .is_some_and(|operator| operator.kind() == "<")
            && condition
                .child_by_field_name("left")
                .is_some_and(|left| self.text(left) == variable);
        let steps_by_one = update.kind() == "inc_statement"
            && parts(update)
                .next()
                .is_some_and(|operand| self.text(operand) == variable);
        if self.text(zero) != "0" || !counts_up || !steps_by_one {
            return None;
        }
        let bound = condition.child_by_field_name("right")?;
        Some((self.written(bound), bound))
    }

    /// The count of `for … range right`.
    fn range_bound(&self, right: Node<'t>, loop_: Node<'t>) -> Result<(String, Node<'t>), String> {
        let written = self.written(right);
        let unknown = || {
            format!(
                "leakprof cannot tell whether `{written}` in the loop at line {} is a count or a \
                 collection",
                self.line(loop_)
            )
        };
        match right.kind() {
            "int_literal" => return Ok((written, right)),
            "call_expression"
                if right
                    .child_by_field_name("function")
                    .is_some_and(|function| matches!(self.text(function), "len" | "cap")) =>
            {
                return Ok((written, right));
            }
            "identifier" | "selector_expression" => {}
            _ => return Err(unknown()),
        }
        let kind = match right.kind() {
            "identifier" => self.collection_kind(right),
            _ => None,
        };
        match kind {
            Some(Collection::Count) => Ok((written, right)),
            Some(Collection::Items) => Ok((format!("len({written})"), right)),
            Some(Collection::Channel) => Err(format!(
                "the loop at line {} ranges over a channel: its count is not known",
                self.line(loop_)
            )),
            None => Err(unknown()),
        }
    }

    /// What the name `identifier` holds, from its declared type or its value.
    fn collection_kind(&self, identifier: Node<'t>) -> Option<Collection> {
        let binding = self.bind(self.text(identifier), identifier)?;
        let (ty, value) = match binding {
            Binding::Param { function, index } => (self.parameter_type(function, index), None),
            Binding::Local {
                statement, value, ..
            } => {
                let ty = (statement.kind() == "var_declaration")
                    .then(|| {
                        let mut ty = None;
                        walk(statement, |node, _| {
                            if node.kind() == "var_spec" {
                                ty = ty.or(node.child_by_field_name("type"));
                                return false;
                            }
                            true
                        });
                        ty
                    })
                    .flatten();
                (ty, value.map(unparen))
            }
            Binding::Package | Binding::Other => return None,
        };
        if let Some(ty) = ty {
            return match ty.kind() {
                "slice_type" | "array_type" | "map_type" => Some(Collection::Items),
                "channel_type" => Some(Collection::Channel),
                "type_identifier"
                    if matches!(
                        self.text(ty),
                        "int"
                            | "int8"
                            | "int16"
                            | "int32"
                            | "int64"
                            | "uint"
                            | "uint8"
                            | "uint16"
                            | "uint32"
                            | "uint64"
                            | "uintptr"
                    ) =>
                {
                    Some(Collection::Count)
                }
                _ => None,
            };
        }
        let value = value?;
        match value.kind() {
            "int_literal" => Some(Collection::Count),
            "composite_literal" | "slice_expression" => Some(Collection::Items),
            "call_expression" => {
                let function = value.child_by_field_name("function")?;
                match self.text(function) {
                    "len" | "cap" => Some(Collection::Count),
                    "make" if !self.makes_channel(value) => Some(Collection::Items),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The declared type of the `index`-th parameter of `function`.
    fn parameter_type(&self, function: Node<'t>, index: usize) -> Option<Node<'t>> {
        let list = function.child_by_field_name("parameters")?;
        let mut at = 0;
        for parameter in parts(list) {
            let mut cursor = parameter.walk();
            let names = parameter
                .children_by_field_name("name", &mut cursor)
                .count();
            if index < at + names {
                return (parameter.kind() == "parameter_declaration")
                    .then(|| parameter.child_by_field_name("type"))
                    .flatten();
            }
            at += names;
        }
        None
    }

    /// Whether `name` is assigned (or incremented) between two offsets.
    fn assigned_between(&self, name: &str, start: usize, end: usize) -> bool {
        let mut assigned = false;
        walk(self.root, |node, _| {
            if node.end_byte() <= start || node.start_byte() >= end || assigned {
                return false;
            }
            let targets = match node.kind() {
                "assignment_statement" => node
                    .child_by_field_name("left")
                    .map(|left| parts(left).collect::<Vec<_>>())
                    .unwrap_or_default(),
                "inc_statement" | "dec_statement" => parts(node).take(1).collect(),
                _ => Vec::new(),
            };
            if targets.iter().any(|target| self.text(*target) == name) {
                assigned = true;
            }
            true
        });
        assigned
    }

    /// The lines that run after `node` in the function holding it (up to that function's
    /// body), when there are any besides a bare `return`: first and last line.
    pub(super) fn runs_after(&self, node: Node<'t>) -> Option<(u32, u32)> {
        let chain = self.ancestry(node);
        let mut first: Option<u32> = None;
        let mut last: Option<u32> = None;
        for pair in chain.windows(2) {
            let (child, parent) = (pair[0], pair[1]);
            if is_function(parent) {
                break;
            }
            if parent.kind() != "statement_list" {
                continue;
            }
            for statement in parts(parent)
                .skip_while(|statement| *statement != child)
                .skip(1)
            {
                let bare_return =
                    statement.kind() == "return_statement" && parts(statement).next().is_none();
                if bare_return {
                    continue;
                }
                let (start, end) = (self.line(statement), self.end_line(statement));
                first = Some(first.map_or(start, |first| first.min(start)));
                last = Some(last.map_or(end, |last| last.max(end)));
            }
        }
        first.zip(last)
    }
}

/// What a loop ranges over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Collection {
    /// An integer (`for i := range n`).
    Count,
    /// A slice, array or map.
    Items,
    Channel,
}
