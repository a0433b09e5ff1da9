//! Waits on a done channel that nothing will close: a struct's quit channel that only a
//! method nobody calls closes (`Stop`, `Close`), and a context whose cancel function is never
//! called on some path.

use tree_sitter::Node;

use super::package::At;
use super::scope::Binding;
use super::shapes::{Case, Line, Shapes};
use crate::model::PatternId;
use crate::source::analyze::shared::{line_of as first_line, parts, unparen, walk};

/// How a cancel function is used.
enum CancelUse<'t> {
    Called(Node<'t>),
    Deferred,
    Escapes,
}

impl<'p, 't> Shapes<'p, 't> {
    /// `wait` (an operation, or a select case) waits on `channel`, the struct field `field`,
    /// which only functions nothing calls close (or nothing closes at all).
    pub(super) fn field_never_closed(
        &self,
        wait: Node<'t>,
        channel: Node<'t>,
        field: &str,
    ) -> Option<Case> {
        let package = self.package;
        if !package.field_sends_or_swaps(field).is_empty() {
            return None;
        }
        let line_of = |at: At<'t>| Line {
            file: at.file,
            line: first_line(at.node),
            text: String::new(),
        };
        let channel_text = format!("`{}`", self.go.written(channel));
        let mut evidence = Vec::new();
        if let Some(made) = package.field_make(field) {
            evidence.push(Line {
                text: format!("`{field}` is made here"),
                ..line_of(made)
            });
        }
        evidence.push(Line {
            text: format!("the goroutine waits for {channel_text} to be closed here"),
            ..line_of(At {
                file: self.file,
                node: wait,
            })
        });
        let closes = package.field_closes(field);
        if closes.is_empty() {
            if evidence.len() < 2 {
                return None;
            }
            evidence.push(Line {
                text: format!("nothing in the package closes `{field}`"),
                ..line_of(At {
                    file: self.file,
                    node: wait,
                })
            });
            return Some(
                Case::new(
                    PatternId::NeverClosed,
                    evidence,
                    format!(
                        "close `{field}` when the goroutine should stop (a `Stop` or `Close` \
                         method that callers call when done)"
                    ),
                )
                .no_patch("when the goroutine should stop is the owner's call"),
            );
        }
        let mut closers: Vec<(At<'t>, String)> = Vec::new();
        for close in &closes {
            let go = &package.files[close.file].1;
            let function = go.ancestry(close.node).into_iter().find(|node| {
                matches!(node.kind(), "function_declaration" | "method_declaration")
            })?;
            let name = go.text(function.child_by_field_name("name")?);
            let exported = name.chars().next().is_some_and(char::is_uppercase);
            if exported && !self.package_is_main() {
                // Callers in other packages are out of sight.
                return None;
            }
            if !package
                .references(
                    name,
                    At {
                        file: close.file,
                        node: function,
                    },
                )
                .is_empty()
            {
                return None;
            }
            evidence.push(Line {
                text: format!("only `{name}` closes `{field}`, here"),
                ..line_of(*close)
            });
            let at = At {
                file: close.file,
                node: function,
            };
            if !closers.iter().any(|(known, _)| known.node == function) {
                closers.push((at, name.to_owned()));
            }
        }
        for (at, name) in &closers {
            evidence.push(Line {
                text: format!("nothing in the package calls `{name}`"),
                ..line_of(*at)
            });
        }
        let names: Vec<String> = closers
            .iter()
            .map(|(_, name)| format!("`{name}`"))
            .collect();
        Some(
            Case::new(
                PatternId::NeverClosed,
                evidence,
                format!(
                    "call {} when done with the value that owns `{field}` (for instance with a \
                     `defer` where it is created): it is the only thing that closes `{field}`, and \
                     nothing calls it",
                    names.join(" or ")
                ),
            )
            .no_patch("where the value's life ends is the owner's call"),
        )
    }

    fn package_is_main(&self) -> bool {
        let go = self.go;
        parts(go.root)
            .find(|node| node.kind() == "package_clause")
            .and_then(|clause| parts(clause).next())
            .is_some_and(|name| go.text(name) == "main")
    }

    /// `wait` waits on `context.Done()` where the context comes from
    /// `context.WithCancel` in the function that started the goroutine, and its cancel is
    /// never called (never closed) or skipped by a return (premature return).
    pub(super) fn context_never_cancelled(
        &self,
        wait: Node<'t>,
        context: Node<'t>,
    ) -> Option<Case> {
        let go = self.go;
        let name = go.text(context);
        let Binding::Local {
            statement, list, ..
        } = go.bind(name, context)?
        else {
            return None;
        };
        if statement.kind() != "short_var_declaration" {
            return None;
        }
        let left: Vec<Node<'t>> = parts(statement.child_by_field_name("left")?).collect();
        let right: Vec<Node<'t>> = parts(statement.child_by_field_name("right")?).collect();
        let (&[context_name, cancel], &[call]) = (left.as_slice(), right.as_slice()) else {
            return None;
        };
        if go.text(context_name) != name || call.kind() != "call_expression" {
            return None;
        }
        let function = call.child_by_field_name("function")?;
        let package = function.child_by_field_name("operand")?;
        let constructor = function
            .child_by_field_name("field")
            .map(|field| go.text(field));
        let is_context = go.import_names("context").contains(&go.text(package));
        if !is_context || !matches!(constructor, Some("WithCancel" | "WithCancelCause")) {
            // A deadline or timeout ends the wait by itself.
            return None;
        }
        let owner = go.function_of(statement)?;
        let started = go.goroutine_of(wait, owner).ok()?;
        let cancel_name = go.text(cancel);
        let mut calls = Vec::new();
        if cancel_name != "_" {
            let mut identifiers = Vec::new();
            walk(list, |node, _| {
                if node.end_byte() <= statement.end_byte() {
                    return false;
                }
                if node.kind() == "identifier" && go.text(node) == cancel_name {
                    identifiers.push(node);
                }
                true
            });
            for identifier in identifiers {
                let same = matches!(
                    go.bind(cancel_name, identifier),
                    Some(Binding::Local { statement: declared, .. }) if declared == statement
                );
                if !same {
                    continue;
                }
                match self.cancel_use(identifier) {
                    CancelUse::Called(call) => calls.push(call),
                    CancelUse::Deferred | CancelUse::Escapes => return None,
                }
            }
        }
        let constructor = constructor.unwrap_or("WithCancel");
        let mut evidence = vec![self.line_at(
            statement,
            if cancel_name == "_" {
                format!(
                    "`{name}` comes from context.{constructor}, and its cancel function is dropped"
                )
            } else if calls.is_empty() {
                format!(
                    "`{name}` comes from context.{constructor}, and `{cancel_name}` is never called"
                )
            } else {
                format!("`{name}` comes from context.{constructor}")
            },
        )];
        if let Some(start) = started {
            evidence.push(self.line_at(start, "the goroutine is started here"));
        }
        evidence.push(self.line_at(
            wait,
            format!("the goroutine waits for `{name}.Done()` here"),
        ));
        let id = if calls.is_empty() {
            PatternId::NeverClosed
        } else {
            let first = calls.iter().map(|call| call.start_byte()).min()?;
            let early = go
                .returns_of(owner)
                .into_iter()
                .find(|ret| ret.start_byte() > statement.end_byte() && ret.end_byte() <= first)?;
            evidence.push(self.line_at(
                early,
                format!(
                    "{} returns here without calling `{cancel_name}`…",
                    self.owner_name(owner)
                ),
            ));
            for call in &calls {
                evidence.push(self.line_at(*call, "…which it calls only here"));
            }
            PatternId::PrematureReturn
        };
        let summary = format!(
            "cancel `{name}` when {} returns (`defer cancel()` after line {}), so `{name}.Done()` \
             fires and the goroutine ends",
            self.owner_name(owner),
            go.line(statement)
        );
        let case = Case::new(id, evidence, summary);
        if started.is_none() {
            return Some(case.no_patch(
                "the function that made the context waits on it itself: cancelling when it \
                 returns would come too late",
            ));
        }
        let mut edits = Vec::new();
        if cancel_name == "_" {
            let mut taken = false;
            walk(owner, |node, _| {
                taken |= node.kind() == "identifier" && go.text(node) == "cancel";
                !taken
            });
            if taken {
                return Some(case.no_patch(
                    "the name `cancel` is taken in the function, so leakprof does not pick one",
                ));
            }
            edits.push(super::edits::EditPlan {
                file: self.file,
                bytes: cancel.byte_range(),
                text: "cancel".into(),
            });
        }
        let call_name = if cancel_name == "_" {
            "cancel"
        } else {
            cancel_name
        };
        let Some(defer) = go.insert_after(self.file, statement, &format!("defer {call_name}()"))
        else {
            return Some(case.no_patch("the line that makes the context holds other code"));
        };
        edits.push(defer);
        let mut case = case;
        case.edits = edits;
        case.runs_new_code = Some(format!(
            "once `{name}` is cancelled, the wait at line {} ends and the code after it runs, \
             which never ran before: check it is safe to run after {} has returned",
            go.line(wait),
            self.owner_name(owner)
        ));
        Some(case)
    }

    fn cancel_use(&self, identifier: Node<'t>) -> CancelUse<'t> {
        let Some(parent) = identifier.parent() else {
            return CancelUse::Escapes;
        };
        let called = parent.kind() == "call_expression"
            && parent.child_by_field_name("function").map(unparen) == Some(identifier);
        if !called {
            return CancelUse::Escapes;
        }
        match parent.parent().map(|statement| statement.kind()) {
            Some("defer_statement") => CancelUse::Deferred,
            Some("expression_statement") => CancelUse::Called(parent),
            _ => CancelUse::Escapes,
        }
    }

    fn line_at(&self, node: Node<'t>, text: impl Into<String>) -> Line {
        Line {
            file: self.file,
            line: self.go.line(node),
            text: text.into(),
        }
    }

    fn owner_name(&self, function: Node<'t>) -> String {
        match function.kind() {
            "function_declaration" | "method_declaration" => {
                function.child_by_field_name("name").map_or_else(
                    || "the function".into(),
                    |name| format!("`{}`", self.go.text(name)),
                )
            }
            _ => "the function".into(),
        }
    }
}
