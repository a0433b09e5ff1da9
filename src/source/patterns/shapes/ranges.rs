//! `for … range ch` over a channel its producers never close, and where `close` belongs.

use tree_sitter::Node;

use super::*;

impl<'p, 't> Shapes<'p, 't> {
    /// A range over a channel whose producers never close it.
    pub(super) fn unclosed_range(&self, flow: &Flow<'t>, me: Use<'t>) -> Option<Case> {
        let go = self.go;
        let name = flow.name;
        if flow.by_role(Role::Close).next().is_some() {
            return None;
        }
        let mine = flow
            .uses
            .iter()
            .find(|(found, _)| found.node == me.node)
            .map(|(_, goroutine)| *goroutine)?;
        let sends: Vec<(Use<'t>, Option<Node<'t>>)> = flow
            .by_role(Role::Send)
            .copied()
            .filter(|(_, goroutine)| *goroutine != mine)
            .collect();
        let mut evidence = vec![self.made(flow)];
        if let Some(start) = mine {
            evidence.push(self.at(start, "the consuming goroutine is started here"));
        }
        let producers_at = evidence.len();
        for (send, _) in &sends {
            evidence.push(self.at(send.node, format!("a producer sends on `{name}` here")));
        }
        evidence.push(self.ends_without(flow, "closing"));
        let summary;
        let edits = if sends.is_empty() {
            summary = format!(
                "close `{name}` once nothing will send on it, so the range at line {} ends",
                go.line(me.node)
            );
            Err(format!(
                "nothing sends on `{name}`: where its life ends is the owner's call"
            ))
        } else if sends.iter().all(|(_, goroutine)| goroutine.is_none()) {
            summary = format!(
                "close `{name}` after the owner's last send, so the range at line {} ends",
                go.line(me.node)
            );
            self.close_after_sends(flow, &sends)
        } else if sends.iter().all(|(_, goroutine)| goroutine.is_some()) {
            let starts: Vec<Node<'t>> = {
                let mut starts: Vec<Node<'t>> = sends
                    .iter()
                    .filter_map(|(_, goroutine)| *goroutine)
                    .collect();
                starts.dedup();
                starts
            };
            for (index, start) in starts.iter().enumerate() {
                evidence.insert(
                    producers_at + index,
                    self.at(*start, "a producing goroutine is started here"),
                );
            }
            let (said, edits) = self.close_after_producers(flow, &starts);
            summary = format!("{said}, so the range at line {} ends", go.line(me.node));
            edits
        } else {
            summary = format!(
                "close `{name}` once every producer is done, so the range at line {} ends",
                go.line(me.node)
            );
            Err(format!(
                "both the owner and goroutines send on `{name}`: where the last send happens is \
                 the owner's call"
            ))
        };
        let mut case = Case::new(PatternId::UnclosedRange, evidence, summary).patched(edits);
        if !case.edits.is_empty() {
            case.runs_new_code = go.runs_after(me.node).map(|(first, last)| {
                format!(
                    "once the range at line {} ends, {}, which never ran before: check it is \
                     safe to run",
                    go.line(me.node),
                    lines_run(first, last)
                )
            });
        }
        Some(case)
    }

    /// `close(ch)` after the statement of the owner's body holding its last send, when every
    /// send is there, outside loops around the channel's scope.
    pub(super) fn close_after_sends(
        &self,
        flow: &Flow<'t>,
        sends: &[(Use<'t>, Option<Node<'t>>)],
    ) -> Result<Vec<EditPlan>, String> {
        let go = self.go;
        let name = flow.name;
        let last = sends
            .iter()
            .map(|(send, _)| send.anchor)
            .max_by_key(|node| node.start_byte())
            .ok_or("no send")?;
        let statement = go
            .statement_in(last, flow.list)
            .ok_or_else(|| format!("the last send on `{name}` is not in its scope"))?;
        if sends
            .iter()
            .any(|(send, _)| go.statement_in(send.anchor, flow.list).is_none())
        {
            return Err(format!(
                "the sends on `{name}` are spread over several blocks"
            ));
        }
        let returns_inside = go.returns_of(flow.owner).into_iter().any(|ret| {
            ret.start_byte() >= statement.start_byte() && ret.end_byte() <= statement.end_byte()
        });
        if returns_inside {
            return Err(format!(
                "the owner can return from inside the statement at line {} that sends, which \
                 would skip a close after it",
                go.line(statement)
            ));
        }
        go.insert_after(self.file, statement, &format!("close({name})"))
            .map(|edit| vec![edit])
            .ok_or_else(|| {
                format!(
                    "line {} holds other code after the send",
                    go.end_line(statement)
                )
            })
    }

    /// `defer close(ch)` at the top of a single producer goroutine, or `close(ch)` after the
    /// `Wait()` of the WaitGroup every producer is `Done` with.
    pub(super) fn close_after_producers(
        &self,
        flow: &Flow<'t>,
        starts: &[Node<'t>],
    ) -> (String, Result<Vec<EditPlan>, String>) {
        let go = self.go;
        let name = flow.name;
        let general = format!("close `{name}` once every producer is done");
        let literal_of = |start: Node<'t>| -> Option<Node<'t>> {
            let call = parts(start).next()?;
            let function = match call.kind() {
                "call_expression" => call.child_by_field_name("function").map(unparen)?,
                _ => return None,
            };
            if function.kind() == "func_literal" {
                return Some(function);
            }
            // `g.Go(func() {…})`
            call.child_by_field_name("arguments")
                .and_then(|arguments| parts(arguments).next())
                .map(unparen)
                .filter(|argument| argument.kind() == "func_literal")
        };
        let single = starts.len() == 1 && go.loops_between(starts[0], flow.list).is_empty();
        if single {
            let said = format!(
                "close `{name}` when the producer started at line {} returns (`defer \
                 close({name})` at its top)",
                go.line(starts[0])
            );
            let edits = literal_of(starts[0])
                .and_then(|literal| literal.child_by_field_name("body"))
                .ok_or_else(|| "the producer is not a function literal leakprof can edit".into())
                .and_then(|body| {
                    go.insert_first(self.file, body, &format!("defer close({name})"))
                        .map(|edit| vec![edit])
                        .ok_or_else(|| "the producer is written on one line".to_string())
                });
            return (said, edits);
        }
        match self.wait_for_producers(flow, starts) {
            Ok((group, wait)) => (
                format!(
                    "close `{name}` after `{group}.Wait()` at line {}, once every producer is done",
                    go.line(wait)
                ),
                go.insert_after(self.file, wait, &format!("close({name})"))
                    .map(|edit| vec![edit])
                    .ok_or_else(|| {
                        format!("line {} holds other code after the Wait", go.line(wait))
                    }),
            ),
            Err(why) => (general, Err(why)),
        }
    }

    /// The WaitGroup every producer is `Done` with, and the owner's statement that waits for
    /// it after starting them.
    pub(super) fn wait_for_producers(
        &self,
        flow: &Flow<'t>,
        starts: &[Node<'t>],
    ) -> Result<(String, Node<'t>), String> {
        let go = self.go;
        let name = flow.name;
        let literal_of = |start: Node<'t>| -> Option<Node<'t>> {
            let call = parts(start).next()?;
            let function = match call.kind() {
                "call_expression" => call.child_by_field_name("function").map(unparen)?,
                _ => return None,
            };
            if function.kind() == "func_literal" {
                return Some(function);
            }
            call.child_by_field_name("arguments")
                .and_then(|arguments| parts(arguments).next())
                .map(unparen)
                .filter(|argument| argument.kind() == "func_literal")
        };
        // Several producers: the WaitGroup each is Done with, and where the owner waits for it.
        let mut group: Option<String> = None;
        for start in starts {
            let literal = literal_of(*start).ok_or("a producer is not a function literal")?;
            let mut done: Option<String> = None;
            crate::source::analyze::shared::walk(literal, |node, _| {
                if node.kind() == "call_expression" && done.is_none() {
                    let function = node.child_by_field_name("function");
                    if let Some(function) = function.filter(|f| field_of(&go, *f) == Some("Done")) {
                        done = function
                            .child_by_field_name("operand")
                            .map(|operand| go.written(operand));
                    }
                }
                true
            });
            let done = done.ok_or("a producer does not say when it is done (no WaitGroup Done)")?;
            match &group {
                Some(group) if *group != done => {
                    return Err("the producers are done with different WaitGroups".into());
                }
                _ => group = Some(done),
            }
        }
        let group = group.ok_or("no producer")?;
        let last_start = starts
            .iter()
            .map(|start| start.end_byte())
            .max()
            .unwrap_or(0);
        let mut wait = None;
        crate::source::analyze::shared::walk(flow.list, |node, _| {
            if node.start_byte() < last_start || wait.is_some() {
                return node.end_byte() > last_start && wait.is_none();
            }
            if node.kind() == "expression_statement" {
                let waits = parts(node).next().is_some_and(|call| {
                    call.kind() == "call_expression"
                        && call
                            .child_by_field_name("function")
                            .is_some_and(|function| {
                                field_of(&go, function) == Some("Wait")
                                    && function
                                        .child_by_field_name("operand")
                                        .is_some_and(|operand| go.written(operand) == group)
                            })
                });
                if waits {
                    wait = Some(node);
                }
            }
            true
        });
        let wait = wait.ok_or_else(|| {
            format!(
                "nothing waits for `{group}` after the producers start: add a goroutine that \
                 does, then closes `{name}`"
            )
        })?;
        Ok((group, wait))
    }
}
