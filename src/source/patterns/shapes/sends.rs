//! Sends and receives abandoned by the goroutine's counterpart: timeout, premature return,
//! n-cast, double send.

use tree_sitter::Node;

use super::*;

impl<'p, 't> Shapes<'p, 't> {
    /// A send in a goroutine that nobody receives: timeout, premature return, n-cast, double
    /// send.
    pub(super) fn abandoned_send(
        &self,
        flow: &Flow<'t>,
        me: Use<'t>,
        start: Node<'t>,
    ) -> Option<Case> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        let loops = go.loops_between(start, flow.list);
        let many = !loops.is_empty();
        let my_sends: Vec<Use<'t>> = flow
            .by_role(Role::Send)
            .filter(|(_, goroutine)| *goroutine == Some(start))
            .map(|(found, _)| *found)
            .collect();
        let other_sends = flow
            .by_role(Role::Send)
            .any(|(_, goroutine)| *goroutine != Some(start));
        let receives: Vec<Use<'t>> = flow
            .uses
            .iter()
            .filter(|(found, _)| matches!(found.role, Role::Receive | Role::Range))
            .map(|(found, goroutine)| (*found, *goroutine))
            .filter(|(_, goroutine)| *goroutine != Some(start))
            .map(|(found, goroutine)| goroutine.is_none().then_some(found))
            .collect::<Option<Vec<_>>>()?;
        if other_sends || flow.by_role(Role::Close).next().is_some() || me.select.is_some() {
            return None;
        }
        let mut evidence = vec![
            self.made(flow),
            self.at(
                start,
                if many {
                    format!("each turn of the loop starts a goroutine that sends on `{name}`")
                } else {
                    "the goroutine is started here".to_string()
                },
            ),
        ];
        if many {
            evidence.insert(1, self.at(loops[0], "this loop starts the goroutines"));
        }
        let per_path = self.sends_per_path(&my_sends, me.node);
        let room = flow
            .make
            .and_then(|make| capacity(&go, make))
            .and_then(|capacity| capacity.parse::<usize>().ok())
            .unwrap_or(0);
        let looping = my_sends.iter().any(|send| {
            go.function_of(send.anchor)
                .is_some_and(|function| !go.loops_between(send.node, function).is_empty())
        });
        if let (false, Some((first, second))) = (many, per_path) {
            if !looping && room >= my_sends.len() {
                return None;
            }
            return self.double_send(flow, start, first, second, &receives, evidence);
        }
        if per_path.is_some() {
            return None;
        }
        // A buffer that holds every value sent: no send waits.
        let buffer = flow
            .make
            .and_then(|make| capacity(&go, make))
            .filter(|capacity| capacity != "0");
        if let Some(buffer) = &buffer {
            let enough =
                !many || self.loop_bound_text(flow, &loops).as_deref() == Ok(buffer.as_str());
            if enough {
                return None;
            }
        }

        // What the owner does instead of receiving.
        let mut abandon: Option<(PatternId, Vec<Line>)> = None;
        let mut counted = 0usize;
        for receive in &receives {
            let in_loop = !go.loops_between(receive.anchor, flow.list).is_empty()
                || receive.role == Role::Range;
            if in_loop && !many {
                // One sender: the loop goes round until it receives, unless it can leave
                // before: through another case of its select, or an exit ahead of the receive.
                if let Some(select) = receive.select {
                    if let Some(lines) =
                        self.select_abandons(select, receive.node, flow, "receiving")
                    {
                        let id = if go.case_bounds(select).is_empty() {
                            PatternId::PrematureReturn
                        } else {
                            PatternId::Timeout
                        };
                        abandon = abandon.or(Some((id, lines)));
                    }
                    continue;
                }
                let loop_ = match receive.role {
                    Role::Range => receive.node,
                    _ => *go.loops_between(receive.anchor, flow.list).last()?,
                };
                let early = self
                    .exits_of(loop_, flow.owner)
                    .into_iter()
                    .find(|exit| exit.start_byte() < receive.node.start_byte());
                if let Some(exit) = early {
                    abandon = abandon.or(Some((
                        PatternId::PrematureReturn,
                        vec![
                            self.at(exit, format!("{owner_name} can leave its loop here…")),
                            self.at(
                                receive.node,
                                format!("…before it receives from `{name}` here"),
                            ),
                        ],
                    )));
                }
                continue;
            }
            if in_loop {
                let loop_ = match receive.role {
                    Role::Range => receive.node,
                    _ => *go.loops_between(receive.anchor, flow.list).last()?,
                };
                let exits = self.exits_of(loop_, flow.owner);
                let Some(exit) = exits.first() else {
                    // Receives as many times as it likes: balanced, as far as the source tells.
                    return None;
                };
                abandon = abandon.or(Some((
                    PatternId::PrematureReturn,
                    vec![
                        self.at(
                            receive.node,
                            format!("{owner_name} receives from `{name}` in a loop…"),
                        ),
                        self.at(
                            *exit,
                            "…that it leaves here, before every sender was received",
                        ),
                    ],
                )));
                continue;
            }
            counted += 1;
            if let Some(select) = receive.select {
                if let Some(lines) = self.select_abandons(select, receive.node, flow, "receiving") {
                    let bounded = !go.case_bounds(select).is_empty();
                    let id = if bounded {
                        PatternId::Timeout
                    } else {
                        PatternId::PrematureReturn
                    };
                    abandon = abandon.or(Some((id, lines)));
                    continue;
                }
            }
            if let Some(lines) = self.skips(flow, start, *receive, "receiving from") {
                abandon = abandon.or(Some((PatternId::PrematureReturn, lines)));
            }
        }
        if many {
            let bound = self.loop_bound_text(flow, loops.as_slice());
            for receive in receives
                .iter()
                .filter(|receive| receive.role != Role::Range)
            {
                if go.loops_between(receive.anchor, flow.list).is_empty() {
                    evidence.push(self.at(
                        receive.node,
                        format!("{owner_name} receives from `{name}` once here"),
                    ));
                }
            }
            if counted == 0 && abandon.is_none() {
                evidence.push(self.ends_without(flow, "receiving from"));
            }
            if let Some((_, lines)) = &abandon {
                evidence.extend(lines.iter().cloned());
            }
            let summary = match &bound {
                Ok(bound) => format!(
                    "make `{name}` buffered with capacity `{bound}`, so every goroutine started \
                     in the loop can send after {owner_name} stops receiving"
                ),
                Err(_) => format!(
                    "give `{name}` a buffer as large as the number of goroutines the loop \
                     starts, so each can send after {owner_name} stops receiving"
                ),
            };
            // Receiving in a loop as many times as there are senders, but leaving it early, is
            // a premature return; receiving fewer times is the n-cast.
            let id = match &abandon {
                Some((PatternId::PrematureReturn, _)) if counted == 0 => PatternId::PrematureReturn,
                _ => PatternId::Ncast,
            };
            let edits = bound.and_then(|bound| self.buffer(flow, &bound));
            return Some(self.with_new_code(Case::new(id, evidence, summary).patched(edits), me));
        }
        let (id, lines) = match abandon {
            Some(found) => found,
            None if receives.is_empty() => (
                PatternId::PrematureReturn,
                vec![self.ends_without(flow, "receiving from")],
            ),
            None => return None,
        };
        evidence.extend(lines);
        let summary = format!(
            "make `{name}` buffered with capacity 1, so the goroutine's send completes even \
             after {owner_name} has stopped waiting for it"
        );
        let edits = self.buffer(flow, "1");
        Some(self.with_new_code(Case::new(id, evidence, summary).patched(edits), me))
    }

    /// A receive in a goroutine that nothing sends to: the same shapes, seen from the other
    /// side. No patch: closing the channel would wake the goroutine with a zero value, and
    /// whether it should stop or go on is the owner's call.
    pub(super) fn abandoned_receive(
        &self,
        flow: &Flow<'t>,
        me: Use<'t>,
        start: Node<'t>,
    ) -> Option<Case> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        if me.select.is_some() {
            return None;
        }
        // A close wakes every receiver: the owner's closes count like its sends, and a close
        // by any other goroutine runs at times the source does not tell.
        let closes: Vec<Use<'t>> = flow
            .by_role(Role::Close)
            .map(|(found, goroutine)| goroutine.is_none().then_some(*found))
            .collect::<Option<Vec<_>>>()?;
        let sends: Vec<Use<'t>> = flow
            .by_role(Role::Send)
            .filter(|(_, goroutine)| *goroutine != Some(start))
            .map(|(found, goroutine)| goroutine.is_none().then_some(*found))
            .collect::<Option<Vec<_>>>()?;
        let others_receive = flow
            .uses
            .iter()
            .any(|(found, goroutine)| found.role == Role::Receive && *goroutine != Some(start));
        if others_receive {
            return None;
        }
        let loops = go.loops_between(start, flow.list);
        let many = !loops.is_empty();
        let mut evidence = vec![
            self.made(flow),
            self.at(
                start,
                if many {
                    format!("each turn of the loop starts a goroutine that receives from `{name}`")
                } else {
                    "the goroutine is started here".to_string()
                },
            ),
        ];
        if many {
            evidence.insert(1, self.at(loops[0], "this loop starts the goroutines"));
        }
        let no_patch = format!(
            "closing `{name}` would wake the goroutine with a zero value; whether it should \
             stop or go on is the owner's call"
        );
        if !closes.is_empty() {
            // Which path sends and which closes is not told apart: say nothing.
            if !sends.is_empty() {
                return None;
            }
            // The goroutine is abandoned only when every close can be skipped.
            let mut abandon = None;
            for close in &closes {
                if !go.loops_between(close.anchor, flow.list).is_empty() {
                    return None;
                }
                abandon = abandon.or(Some(self.skips(flow, start, *close, "closing")?));
            }
            evidence.extend(abandon?);
            return Some(
                Case::new(
                    PatternId::PrematureReturn,
                    evidence,
                    format!(
                        "close `{name}` on every path of {owner_name}, including the one that \
                         gives up, and let the goroutine tell whether to go on (a context, or a \
                         second channel to select on)"
                    ),
                )
                .no_patch(no_patch),
            );
        }
        if sends.is_empty() {
            evidence.push(self.ends_without(flow, "sending on or closing"));
            return Some(
                Case::new(
                    PatternId::PrematureReturn,
                    evidence,
                    format!(
                        "send on `{name}` or close it on every path of {owner_name}, or drop the \
                         wait if nothing will ever come"
                    ),
                )
                .no_patch(no_patch),
            );
        }
        let mut abandon = None;
        for send in &sends {
            if !go.loops_between(send.anchor, flow.list).is_empty() {
                return None;
            }
            if let Some(select) = send.select {
                if let Some(lines) = self.select_abandons(select, send.node, flow, "sending") {
                    let id = if go.case_bounds(select).is_empty() {
                        PatternId::PrematureReturn
                    } else {
                        PatternId::Timeout
                    };
                    abandon = abandon.or(Some((id, lines)));
                    continue;
                }
            }
            if let Some(lines) = self.skips(flow, start, *send, "sending on") {
                abandon = abandon.or(Some((PatternId::PrematureReturn, lines)));
            }
        }
        if many {
            for send in &sends {
                evidence.push(self.at(
                    send.node,
                    format!("{owner_name} sends on `{name}` once here"),
                ));
            }
            if let Some((_, lines)) = abandon {
                evidence.extend(lines);
            }
            return Some(
                Case::new(
                    PatternId::Ncast,
                    evidence,
                    format!(
                        "close `{name}` instead of sending once, so every goroutine started in \
                         the loop stops waiting"
                    ),
                )
                .no_patch(no_patch),
            );
        }
        let (id, lines) = abandon?;
        evidence.extend(lines);
        Some(
            Case::new(
                id,
                evidence,
                format!(
                    "send on `{name}` (or close it) on every path of {owner_name}, including the \
                     one that gives up"
                ),
            )
            .no_patch(no_patch),
        )
    }

    /// Two sends of one goroutine that can both run on one path: the first and the second.
    /// None when every path sends at most once.
    pub(super) fn sends_per_path(
        &self,
        sends: &[Use<'t>],
        me: Node<'t>,
    ) -> Option<(Use<'t>, Use<'t>)> {
        let go = self.go;
        if sends.iter().any(|send| {
            let function = go.function_of(send.anchor);
            function.is_some_and(|function| !go.loops_between(send.node, function).is_empty())
                && !self.ends_after(send.node)
        }) {
            // A send in a loop sends any number of times (unless its path ends after it: a
            // `return` right after it in its block); treated as two on one path.
            let first = *sends.first()?;
            return Some((
                first,
                sends
                    .iter()
                    .copied()
                    .find(|s| s.node == me)
                    .unwrap_or(first),
            ));
        }
        for (index, first) in sends.iter().enumerate() {
            for second in &sends[index + 1..] {
                if !self.exclusive(first.node, second.node) {
                    return Some((*first, *second));
                }
            }
        }
        None
    }

    /// Whether the path through `node` ends after it, before its loop goes round again: a
    /// block around it, inside the innermost loop, ends in a return, a panic, ….
    fn ends_after(&self, node: Node<'t>) -> bool {
        self.go
            .ancestry(node)
            .iter()
            .take_while(|ancestor| !is_function(**ancestor) && ancestor.kind() != "for_statement")
            .any(|ancestor| match ancestor.kind() {
                "block" => self.terminates(*ancestor),
                // A case of a select or switch holds its statements without a block.
                "communication_case" | "expression_case" | "type_case" | "default_case" => {
                    parts(*ancestor)
                        .filter(|part| part.kind() == "statement_list")
                        .last()
                        .and_then(|list| parts(list).last())
                        .is_some_and(|last| self.terminates(last))
                }
                _ => false,
            })
    }

    /// Whether two nodes are on different branches of one if, switch or select, or the first
    /// ends its path (return, panic, …) before the second.
    pub(super) fn exclusive(&self, first: Node<'t>, second: Node<'t>) -> bool {
        let go = self.go;
        let first_chain = go.ancestry(first);
        let second_chain = go.ancestry(second);
        // The innermost common ancestor, and the children of it holding each node.
        let common = first_chain
            .iter()
            .position(|node| second_chain.contains(node))
            .map(|index| first_chain[index]);
        let Some(common) = common else {
            return false;
        };
        let child_of = |chain: &[Node<'t>]| {
            chain
                .windows(2)
                .find(|pair| pair[1] == common)
                .map(|pair| pair[0])
        };
        let (Some(first_side), Some(second_side)) =
            (child_of(&first_chain), child_of(&second_chain))
        else {
            return false;
        };
        match common.kind() {
            "if_statement" => {
                let branches = [
                    common.child_by_field_name("consequence"),
                    common.child_by_field_name("alternative"),
                ];
                branches.contains(&Some(first_side))
                    && branches.contains(&Some(second_side))
                    && first_side != second_side
            }
            "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
                first_side != second_side
            }
            // After the first, its path ends before reaching the second: a block around it
            // (below the common list) ends in a return, a panic, ….
            "statement_list" => {
                self.terminates(first_side)
                    || first_chain
                        .iter()
                        .take_while(|node| **node != common)
                        .any(|node| node.kind() == "block" && self.terminates(*node))
            }
            _ => false,
        }
    }

    /// Whether `statement` ends every path through it (a return, a panic, an if whose
    /// branches all do).
    pub(super) fn terminates(&self, statement: Node<'t>) -> bool {
        let go = self.go;
        match statement.kind() {
            "return_statement" | "goto_statement" => true,
            "expression_statement" => parts(statement).next().is_some_and(|call| {
                call.kind() == "call_expression"
                    && call
                        .child_by_field_name("function")
                        .is_some_and(|function| go.text(function) == "panic")
            }),
            "block" => statement
                .named_child(0)
                .and_then(|list| parts(list).last())
                .is_some_and(|last| self.terminates(last)),
            "if_statement" => {
                let consequence = statement.child_by_field_name("consequence");
                let alternative = statement.child_by_field_name("alternative");
                consequence.is_some_and(|c| self.terminates(c))
                    && alternative.is_some_and(|a| self.terminates(a))
            }
            _ => false,
        }
    }

    /// A goroutine that sends twice on one path to an owner that receives once.
    pub(super) fn double_send(
        &self,
        flow: &Flow<'t>,
        start: Node<'t>,
        first: Use<'t>,
        second: Use<'t>,
        receives: &[Use<'t>],
        mut evidence: Vec<Line>,
    ) -> Option<Case> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        if receives.len() != 1 || !go.loops_between(receives[0].anchor, flow.list).is_empty() {
            return None;
        }
        let receive = receives[0];
        if first.node == second.node || go.loops_between(first.node, start).len() > 1 {
            return None;
        }
        evidence.push(self.at(first.node, format!("the goroutine sends on `{name}` here…")));
        evidence.push(self.at(second.node, "…and can go on to send again here".to_string()));
        evidence.push(self.at(
            receive.node,
            format!("{owner_name} receives from `{name}` once"),
        ));
        let summary = format!(
            "return after the send at line {}: {owner_name} receives one value from `{name}`, \
             so the second send at line {} waits forever",
            go.line(first.node),
            go.line(second.node)
        );
        let case = Case::new(PatternId::DoubleSend, evidence, summary);
        // The missing return: only where the first send ends a branch of a literal that
        // returns nothing.
        let literal = go.function_of(first.node).filter(|function| {
            function.kind() == "func_literal" && function.child_by_field_name("result").is_none()
        });
        let list = first
            .node
            .parent()
            .filter(|list| list.kind() == "statement_list");
        let last_in_branch = list.is_some_and(|list| {
            parts(list).last() == Some(first.node)
                && list
                    .parent()
                    .and_then(|block| block.parent())
                    .is_some_and(|branch| branch.kind() == "if_statement")
        });
        let edits = match (literal, last_in_branch) {
            (Some(_), true) => go
                .insert_after(self.file, first.node, "return")
                .map(|edit| vec![edit])
                .ok_or_else(|| "the send shares its line with other code".to_string()),
            (None, _) => Err(
                "the goroutine's function returns values: which ones to return \
                              is the owner's call"
                    .to_string(),
            ),
            (_, false) => Err(format!(
                "the send at line {} does not end a branch: where the goroutine should stop \
                 is the owner's call",
                go.line(first.node)
            )),
        };
        Some(case.patched(edits))
    }
}
