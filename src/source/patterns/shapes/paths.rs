//! Paths through the owner of a channel: selects that leave, branches that skip the
//! counterpart, exits, and the fixes that buffer a channel.

use tree_sitter::Node;

use super::*;

impl<'p, 't> Shapes<'p, 't> {
    /// The lines showing that a select (of the owner) can leave without the operation on the
    /// channel: the case it waits in, and the cases that end the wait otherwise.
    pub(super) fn select_abandons(
        &self,
        select: Node<'t>,
        op: Node<'t>,
        flow: &Flow<'t>,
        doing: &str,
    ) -> Option<Vec<Line>> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        let in_loop = !go.loops_between(select, flow.owner).is_empty();
        let mut lines = vec![self.at(op, format!("{owner_name} waits for `{name}` in a select…"))];
        let bounds = go.case_bounds(select);
        for case in parts(select) {
            let holds_op = case.start_byte() <= op.start_byte() && op.end_byte() <= case.end_byte();
            if holds_op || !matches!(case.kind(), "communication_case" | "default_case") {
                continue;
            }
            // In a loop, a case leaves only when its body returns.
            let leaves = !in_loop || !self.exits_of(case, flow.owner).is_empty();
            if !leaves {
                continue;
            }
            let line = go.line(case);
            let bound = bounds.iter().find(|bound| bound.line == line);
            let text = match (case.kind(), bound) {
                ("default_case", _) => {
                    format!(
                        "…and takes its default case when `{name}` is not ready, without {doing}"
                    )
                }
                (_, Some(bound)) => format!(
                    "…and leaves through `{}` ({}) without {doing}",
                    bound.expr, bound.origin
                ),
                _ => {
                    let communication = case
                        .child_by_field_name("communication")
                        .map(|communication| self.code(communication))
                        .unwrap_or_default();
                    format!("…and can leave through {communication} without {doing}")
                }
            };
            lines.push(self.at(case, text));
        }
        (lines.len() > 1).then_some(lines)
    }

    /// The lines showing that the owner can skip the operation `counterpart` after starting
    /// the goroutine: a return between them, or a branch the operation sits in.
    pub(super) fn skips(
        &self,
        flow: &Flow<'t>,
        start: Node<'t>,
        counterpart: Use<'t>,
        doing: &str,
    ) -> Option<Vec<Line>> {
        let go = self.go;
        let name = flow.name;
        let owner_name = self.function_name(flow.owner);
        let returns: Vec<Node<'t>> = go
            .returns_of(flow.owner)
            .into_iter()
            .filter(|ret| {
                ret.start_byte() > start.end_byte()
                    && ret.end_byte() <= counterpart.anchor.start_byte()
            })
            // `return <-out`, or `v := <-out; return v`, on another branch does the operation
            // on its way out.
            .filter(|ret| {
                !self.does_within(flow, counterpart.role, *ret)
                    && !self.done_on_the_way(flow, counterpart.role, *ret)
            })
            .collect();
        if let Some(ret) = returns.first() {
            return Some(vec![
                self.at(
                    *ret,
                    format!("{owner_name} returns here without {doing} `{name}`…"),
                ),
                self.at(counterpart.node, "…which it does only here".to_string()),
            ]);
        }
        // A branch around the operation that does not hold the goroutine's start.
        let common = go.ancestry(counterpart.anchor).into_iter().find(|node| {
            node.kind() == "statement_list"
                && node.start_byte() <= start.start_byte()
                && start.end_byte() <= node.end_byte()
        })?;
        let branch = go
            .branches_between(counterpart.anchor, common)
            .into_iter()
            .last()?;
        // Every way through the branch does it (an else, every case of a switch with a
        // default), or it was done before: nothing skipped, as far as the source tells.
        let every_way = match branch.kind() {
            "if_statement" => branch
                .child_by_field_name("alternative")
                .is_some_and(|alternative| self.does_within(flow, counterpart.role, alternative)),
            _ => {
                let cases: Vec<Node<'t>> = parts(branch)
                    .filter(|case| {
                        matches!(
                            case.kind(),
                            "expression_case" | "type_case" | "default_case" | "communication_case"
                        )
                    })
                    .collect();
                cases.iter().any(|case| case.kind() == "default_case")
                    && cases
                        .iter()
                        .all(|case| self.does_within(flow, counterpart.role, *case))
            }
        };
        if every_way
            || self.done_on_the_way(flow, counterpart.role, branch)
            || self.done_after(flow, counterpart.role, branch)
        {
            return None;
        }
        Some(vec![
            self.at(
                branch,
                format!("{owner_name} goes on past this branch without {doing} `{name}`…"),
            ),
            self.at(
                counterpart.node,
                "…which it does only inside it".to_string(),
            ),
        ])
    }

    /// Whether the owner does an operation of `role` on the channel inside `node`.
    pub(super) fn does_within(&self, flow: &Flow<'t>, role: Role, node: Node<'t>) -> bool {
        flow.uses.iter().any(|(other, goroutine)| {
            goroutine.is_none()
                && other.role == role
                && node.start_byte() <= other.anchor.start_byte()
                && other.anchor.end_byte() <= node.end_byte()
        })
    }

    /// Whether the owner does an operation of `role` on the channel before reaching `node`:
    /// in a statement ahead of it in a list around it (perhaps only on some paths: leakprof
    /// then says nothing rather than guess).
    pub(super) fn done_on_the_way(&self, flow: &Flow<'t>, role: Role, node: Node<'t>) -> bool {
        for pair in self.go.ancestry(node).windows(2) {
            let (child, parent) = (pair[0], pair[1]);
            if is_function(parent) {
                break;
            }
            if parent.kind() != "statement_list" {
                continue;
            }
            let before = parts(parent).take_while(|statement| *statement != child);
            for statement in before {
                if self.does_within(flow, role, statement) {
                    return true;
                }
            }
        }
        false
    }

    /// Whether the owner does an operation of `role` on the channel after `node`, in a
    /// statement that follows it in a list around it: the way past `node` still does it.
    pub(super) fn done_after(&self, flow: &Flow<'t>, role: Role, node: Node<'t>) -> bool {
        for pair in self.go.ancestry(node).windows(2) {
            let (child, parent) = (pair[0], pair[1]);
            if is_function(parent) {
                break;
            }
            if parent.kind() != "statement_list" {
                continue;
            }
            let after = parts(parent)
                .skip_while(|statement| *statement != child)
                .skip(1);
            for statement in after {
                if self.does_within(flow, role, statement) {
                    return true;
                }
            }
        }
        false
    }

    /// "`f` ends here without …": the owner's last line.
    pub(super) fn ends_without(&self, flow: &Flow<'t>, doing: &str) -> Line {
        let go = self.go;
        let body = flow.owner.child_by_field_name("body").unwrap_or(flow.owner);
        Line {
            file: self.file,
            line: go.end_line(body),
            text: format!(
                "{} ends here without ever {doing} `{}`",
                self.function_name(flow.owner),
                flow.name
            ),
        }
    }

    /// Statements leaving `scope` (a loop or a select case) for good: returns in it, and
    /// breaks or gotos to a label outside it.
    pub(super) fn exits_of(&self, scope: Node<'t>, owner: Node<'t>) -> Vec<Node<'t>> {
        let go = self.go;
        let mut exits = Vec::new();
        crate::source::analyze::shared::walk(scope, |node, _| {
            if is_function(node) && node != owner {
                return false;
            }
            match node.kind() {
                "return_statement" => exits.push(node),
                "break_statement" | "goto_statement" if parts(node).next().is_some() => {
                    exits.push(node)
                }
                "break_statement" if scope.kind() == "for_statement" => {
                    // A plain break leaves the innermost loop, switch or select around it.
                    let innermost = go.ancestry(node).into_iter().skip(1).find(|ancestor| {
                        matches!(
                            ancestor.kind(),
                            "for_statement"
                                | "expression_switch_statement"
                                | "type_switch_statement"
                                | "select_statement"
                        )
                    });
                    if innermost == Some(scope) {
                        exits.push(node);
                    }
                }
                _ => {}
            }
            true
        });
        exits
    }

    /// The capacity an n-cast's buffer needs, from the loop starting its goroutines.
    pub(super) fn loop_bound_text(
        &self,
        flow: &Flow<'t>,
        loops: &[Node<'t>],
    ) -> Result<String, String> {
        if loops.len() > 1 {
            return Err("the goroutines are started in nested loops".into());
        }
        let loop_ = *loops.first().ok_or("no loop")?;
        self.go.loop_bound(loop_, flow.statement)
    }

    /// The edit giving the channel's make a buffer of `capacity`.
    pub(super) fn buffer(&self, flow: &Flow<'t>, capacity: &str) -> Result<Vec<EditPlan>, String> {
        let name = flow.name;
        let make = flow.make.ok_or_else(|| {
            format!("`{name}` is not made where it is declared, so there is no make to change")
        })?;
        if let Some(existing) = capacity_node(make) {
            let written = self.go.written(existing);
            if written != "0" && written != capacity {
                return Err(format!(
                    "`{name}` already has a buffer of {written}; how large it must be is the \
                     owner's call"
                ));
            }
        }
        self.go
            .buffer_edit(self.file, make, capacity)
            .map(|edit| vec![edit])
            .ok_or_else(|| "the make call could not be read".into())
    }

    /// Says which code a patch lets run after the blocked operation that never ran before.
    pub(super) fn with_new_code(&self, mut case: Case, me: Use<'t>) -> Case {
        if case.edits.is_empty() {
            return case;
        }
        let go = self.go;
        let mut ranges = Vec::new();
        ranges.extend(go.runs_after(me.node));
        if me.anchor != me.node {
            ranges.extend(go.runs_after(me.anchor));
        }
        if let Some(first) = ranges.iter().map(|range| range.0).min() {
            let last = ranges.iter().map(|range| range.1).max().unwrap_or(first);
            case.runs_new_code = Some(format!(
                "once the operation at line {} completes, {}, which never ran before: check \
                 it is safe to run after the counterpart has given up",
                go.line(me.node),
                lines_run(first, last)
            ));
        }
        case
    }
}
