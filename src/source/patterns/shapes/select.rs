//! A select whose every case is abandoned.

use tree_sitter::Node;

use super::*;

impl<'p, 't> Shapes<'p, 't> {
    /// A select: a done channel nobody closes among its cases (never closed), or channels of
    /// its own that nothing sends on (premature return: never doing it).
    pub(super) fn select(&self, blocked: &Blocked<'t>) -> Option<Case> {
        let go = self.go;
        // A timer or ticker case wakes the select by itself: no case to make here.
        let wakes = go
            .case_bounds(blocked.node)
            .iter()
            .any(|bound| matches!(bound.kind, BoundKind::Timer | BoundKind::Ticker));
        if wakes {
            return None;
        }
        let mut cases = Vec::new();
        for case in parts(blocked.node).filter(|case| case.kind() == "communication_case") {
            let communication = case.child_by_field_name("communication")?;
            let (channel, receives) = match communication.kind() {
                "send_statement" => (communication.child_by_field_name("channel")?, false),
                _ => {
                    let receive = communication
                        .child_by_field_name("right")
                        .map(unparen)
                        .filter(|right| right.kind() == "unary_expression")?;
                    (receive.child_by_field_name("operand")?, true)
                }
            };
            cases.push((case, unparen(channel), receives));
        }
        if cases.is_empty() || parts(blocked.node).any(|case| case.kind() == "default_case") {
            return None;
        }
        // The way out first: a case whose body leaves is the done channel, the others carry
        // work.
        let owner_of_select = go.function_of(blocked.node)?;
        let mut ways_out: Vec<&(Node<'t>, Node<'t>, bool)> =
            cases.iter().filter(|(_, _, receives)| *receives).collect();
        ways_out.sort_by_key(|(case, _, _)| self.exits_of(*case, owner_of_select).is_empty());
        for (case, channel, _) in ways_out {
            let found = match self.origin(*channel, blocked.caller_line, 0) {
                Origin::Field { field } => self.field_never_closed(*case, *channel, field),
                Origin::Done { context } => self.context_never_cancelled(*case, context),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        // Every case on a channel of the owner's that nothing outside this goroutine serves.
        let mine = go.function_of(blocked.node)?;
        let mut evidence = Vec::new();
        let mut waits = Vec::new();
        let mut names = Vec::new();
        let mut owner = None;
        for (case, channel, receives) in &cases {
            let Origin::Local {
                name,
                binding,
                owner: case_owner,
            } = self.origin(*channel, blocked.caller_line, 0)
            else {
                return None;
            };
            owner = owner.or(Some(case_owner));
            let here = go.goroutine_of(blocked.node, case_owner).ok()?;
            let mut served = false;
            for found in go.uses(name, binding) {
                if matches!(found.role, Role::Escape | Role::Assign) {
                    return None;
                }
                let goroutine = go.goroutine_of(found.anchor, case_owner).ok()?;
                let counterpart = match receives {
                    true => matches!(found.role, Role::Send | Role::Close),
                    false => matches!(found.role, Role::Receive | Role::Range),
                };
                served |= counterpart && goroutine != here;
            }
            if served {
                return None;
            }
            let Binding::Local { value, .. } = binding else {
                return None;
            };
            // Made right here, or it may be shared with code out of sight.
            let make = value
                .map(unparen)
                .filter(|value| go.makes_channel(*value))?;
            evidence.push(self.at(make, format!("`{name}` is made here")));
            waits.push(self.at(*case, format!("the select waits for `{name}` here")));
            names.push(format!("`{name}`"));
        }
        let owner = owner?;
        if owner == mine {
            return None;
        }
        if let Some(start) = self.started_at(blocked.node, blocked.caller_line) {
            evidence.push(self.line_at_node(start, "the goroutine is started here"));
        }
        evidence.extend(waits);
        let owner_name = self.function_name(owner);
        let names = names.join(" or ");
        let body = owner.child_by_field_name("body").unwrap_or(owner);
        evidence.push(Line {
            file: self.file,
            line: go.end_line(body),
            text: format!("{owner_name} ends here without ever serving {names}"),
        });
        Some(
            Case::new(
                PatternId::PrematureReturn,
                evidence,
                format!(
                    "make {owner_name} serve {names} on every path (a send, or a close when it is \
                     done), or give the select a way out such as `<-ctx.Done()`"
                ),
            )
            .no_patch("which case should end the wait, and how, is the owner's call"),
        )
    }
}
