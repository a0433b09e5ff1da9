//! Where a channel comes from and everything done with it: the binding of a name (a local, a
//! parameter, a package-level variable), and every use of that binding in its scope, each
//! with its role (send, receive, range, close, …) and the goroutine it runs in.
//!
//! Uses are followed into function literals the channel is passed to (`go func(c chan int)
//! {…}(ch)`) and, one step, into functions of the same file it is passed to (`go worker(ch)`):
//! the use inside counts where the call is, so its goroutine is the call's.

use std::ops::Deref;

use tree_sitter::Node;

use crate::source::analyze::shared::{Go, line_of, parts, unparen, walk};

/// A parsed file as the pattern analysis walks it. A type of its own, so that the methods
/// added here never collide with the source analysis's own (which it derefs to).
#[derive(Clone, Copy)]
pub(super) struct Code<'g, 't>(pub(super) &'g Go<'t>);

impl<'t> Deref for Code<'_, 't> {
    type Target = Go<'t>;

    fn deref(&self) -> &Go<'t> {
        self.0
    }
}

/// Function-like nodes: their bodies are where statements run.
pub(super) fn is_function(node: Node) -> bool {
    matches!(
        node.kind(),
        "function_declaration" | "method_declaration" | "func_literal"
    )
}

/// How a name is bound where it is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Binding<'t> {
    /// Declared by `statement` (`x := …`, `var x …`) in the statement list `list`; its scope
    /// is what follows the statement there. `value` pairs with the name when the sides pair.
    Local {
        statement: Node<'t>,
        list: Node<'t>,
        value: Option<Node<'t>>,
        /// The declaring `var` gives no value at all (`var ch chan int`).
        zero: bool,
    },
    /// The `index`-th parameter name of `function`.
    Param { function: Node<'t>, index: usize },
    /// Declared at package level (not in this function chain).
    Package,
    /// Bound some other way: a range variable, a select case, a statement header. Not
    /// followed.
    Other,
}

/// What a use of a channel does with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Send,
    Receive,
    /// `for … range ch`.
    Range,
    Close,
    /// `len(ch)`, `cap(ch)`, `ch != nil`: tells nothing.
    Harmless,
    /// `ch = …`: the binding changes.
    Assign,
    /// Stored, returned, passed where leakprof does not follow: anything may happen to it.
    Escape,
}

/// One use of a channel.
#[derive(Clone, Copy, Debug)]
pub(super) struct Use<'t> {
    pub(super) role: Role,
    /// The operation: the send statement, the `<-` expression, the `for` statement, the
    /// `close` call; the identifier itself for other roles.
    pub(super) node: Node<'t>,
    /// Where the use counts in the channel's scope: `node`, or the call that passed the
    /// channel to the function holding it.
    pub(super) anchor: Node<'t>,
    /// For a send or receive that is a case of a select with other cases: the select.
    pub(super) select: Option<Node<'t>>,
}

/// How a function literal is run by the code around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Start<'t> {
    /// `go func(){…}()`, or `g.Go(func(){…})` (sync.WaitGroup, errgroup): in a goroutine of
    /// its own; the statement that starts it.
    Goroutine(Node<'t>),
    /// `defer func(){…}()`: when the function around it returns.
    Deferred,
    /// `func(){…}()`: right there.
    Called,
    /// Passed or stored: it may run anywhere, any number of times.
    Unknown,
}

impl<'t> Code<'_, 't> {
    /// The binding of the identifier `name` in effect at `at`, searched out through the
    /// enclosing blocks and function literals to the named function, then at package level.
    pub(super) fn bind(&self, name: &str, at: Node<'t>) -> Option<Binding<'t>> {
        for pair in self.ancestry(at).windows(2) {
            let (child, parent) = (pair[0], pair[1]);
            match parent.kind() {
                "statement_list" => {
                    let before: Vec<Node<'t>> = parts(parent)
                        .take_while(|statement| *statement != child)
                        .collect();
                    for statement in before.iter().rev() {
                        if let Some(binding) = self.declares(*statement, parent, name) {
                            return Some(binding);
                        }
                    }
                }
                "if_statement"
                | "expression_switch_statement"
                | "type_switch_statement"
                | "for_clause" => {
                    let header = parent
                        .child_by_field_name("initializer")
                        .filter(|initializer| *initializer != child);
                    if header.is_some_and(|header| self.lists_left(header, name)) {
                        return Some(Binding::Other);
                    }
                    if parent.kind() == "type_switch_statement"
                        && parent
                            .child_by_field_name("alias")
                            .is_some_and(|alias| self.names(alias, name))
                    {
                        return Some(Binding::Other);
                    }
                }
                "for_statement" => {
                    let ranged = parts(parent)
                        .filter(|clause| *clause != child)
                        .any(|clause| match clause.kind() {
                            "range_clause" => clause
                                .child_by_field_name("left")
                                .is_some_and(|left| self.names(left, name)),
                            "for_clause" => clause
                                .child_by_field_name("initializer")
                                .is_some_and(|header| self.lists_left(header, name)),
                            _ => false,
                        });
                    if ranged {
                        return Some(Binding::Other);
                    }
                }
                "communication_case" => {
                    let bound = parent
                        .child_by_field_name("communication")
                        .filter(|communication| *communication != child)
                        .and_then(|communication| communication.child_by_field_name("left"))
                        .is_some_and(|left| self.names(left, name));
                    if bound {
                        return Some(Binding::Other);
                    }
                }
                kind if is_function(parent) => {
                    if let Some(binding) = self.param_binding(parent, name) {
                        return Some(binding);
                    }
                    if kind != "func_literal" {
                        return self.package_level(name).then_some(Binding::Package);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The binding `statement` (in `list`) gives `name`, if it declares it.
    fn declares(&self, statement: Node<'t>, list: Node<'t>, name: &str) -> Option<Binding<'t>> {
        match statement.kind() {
            "short_var_declaration" => {
                let left: Vec<Node<'t>> = parts(statement.child_by_field_name("left")?).collect();
                let index = left.iter().position(|node| self.text(*node) == name)?;
                let right: Vec<Node<'t>> = statement
                    .child_by_field_name("right")
                    .map(|right| parts(right).collect())
                    .unwrap_or_default();
                Some(Binding::Local {
                    statement,
                    list,
                    value: (left.len() == right.len())
                        .then(|| right.get(index).copied())
                        .flatten(),
                    zero: false,
                })
            }
            "var_declaration" => {
                let mut found = None;
                walk(statement, |node, _| match node.kind() {
                    "var_spec" => {
                        let mut cursor = node.walk();
                        let names: Vec<Node<'t>> =
                            node.children_by_field_name("name", &mut cursor).collect();
                        if let Some(index) = names.iter().position(|n| self.text(*n) == name) {
                            let values: Vec<Node<'t>> = node
                                .child_by_field_name("value")
                                .map(|values| parts(values).collect())
                                .unwrap_or_default();
                            found = Some(Binding::Local {
                                statement,
                                list,
                                value: (values.len() == names.len())
                                    .then(|| values.get(index).copied())
                                    .flatten(),
                                zero: values.is_empty(),
                            });
                        }
                        false
                    }
                    _ => true,
                });
                found
            }
            _ => None,
        }
    }

    /// The parameter (or receiver, or named result) `name` of `function`. Only parameters
    /// are positional arguments a caller passes; the others are bound some other way.
    fn param_binding(&self, function: Node<'t>, name: &str) -> Option<Binding<'t>> {
        for field in ["parameters", "receiver", "result"] {
            let Some(list) = function
                .child_by_field_name(field)
                .filter(|list| list.kind() == "parameter_list")
            else {
                continue;
            };
            let mut index = 0;
            for parameter in parts(list) {
                let mut cursor = parameter.walk();
                for node in parameter.children_by_field_name("name", &mut cursor) {
                    if self.text(node) == name {
                        return Some(match field {
                            "parameters" => Binding::Param { function, index },
                            _ => Binding::Other,
                        });
                    }
                    index += 1;
                }
            }
        }
        None
    }

    /// Whether the file declares `name` as a package-level variable.
    pub(super) fn package_level(&self, name: &str) -> bool {
        self.package_var(name).is_some()
    }

    /// The package-level `var` spec of this file that declares `name`.
    pub(super) fn package_var(&self, name: &str) -> Option<Node<'t>> {
        parts(self.root)
            .filter(|node| node.kind() == "var_declaration")
            .find_map(|declaration| {
                let mut found = None;
                walk(declaration, |node, _| match node.kind() {
                    "var_spec" => {
                        let mut cursor = node.walk();
                        if node
                            .children_by_field_name("name", &mut cursor)
                            .any(|n| self.text(n) == name)
                        {
                            found = found.or(Some(node));
                        }
                        false
                    }
                    _ => true,
                });
                found
            })
    }

    /// Whether an expression list names `name`.
    fn names(&self, list: Node<'t>, name: &str) -> bool {
        parts(list).any(|node| self.text(node) == name)
    }

    /// Whether a simple statement declares `name` on its left (`x := …`).
    fn lists_left(&self, statement: Node<'t>, name: &str) -> bool {
        statement.kind() == "short_var_declaration"
            && statement
                .child_by_field_name("left")
                .is_some_and(|left| self.names(left, name))
    }

    /// Every use of the binding `binding` of `name` (a local or a parameter), in source order.
    pub(super) fn uses(&self, name: &str, binding: Binding<'t>) -> Vec<Use<'t>> {
        let mut found = Vec::new();
        self.collect_uses(name, binding, None, 0, &mut found);
        found.sort_by_key(|found| (found.anchor.start_byte(), found.node.start_byte()));
        found
    }

    /// Uses of `name` as bound by `binding`; `anchor` is the call that passed the channel into
    /// the function of a named function's parameter, and `depth` how many such steps were
    /// taken.
    fn collect_uses(
        &self,
        name: &str,
        binding: Binding<'t>,
        anchor: Option<Node<'t>>,
        depth: u32,
        found: &mut Vec<Use<'t>>,
    ) {
        let (scope, skip) = match binding {
            Binding::Local {
                statement, list, ..
            } => (list, Some(statement)),
            Binding::Param { function, .. } => match function.child_by_field_name("body") {
                Some(body) => (body, None),
                None => return,
            },
            Binding::Package | Binding::Other => return,
        };
        let mut identifiers = Vec::new();
        let after = skip.map_or(scope.start_byte(), |statement| statement.end_byte());
        walk(scope, |node, _| {
            if node.end_byte() <= after {
                return false;
            }
            if node.kind() == "identifier" && self.text(node) == name {
                identifiers.push(node);
            }
            true
        });
        for identifier in identifiers {
            if self.bind(name, identifier) != Some(binding) {
                continue;
            }
            let (role, node, select) = self.role(identifier);
            let anchor_here = anchor.unwrap_or(node);
            // A named function called with the channel: inside, the use counts where the call
            // is, and runs in the goroutine the call runs in.
            if anchor.is_some() && self.inside_literal(identifier, scope) {
                found.push(Use {
                    role: Role::Escape,
                    node: identifier,
                    anchor: anchor_here,
                    select: None,
                });
                continue;
            }
            match self.passed_to(identifier) {
                Some((callee, index, call)) if depth < 2 => {
                    let inner_anchor = match callee.kind() {
                        "func_literal" => anchor,
                        _ => Some(anchor.unwrap_or(call)),
                    };
                    match self.nth_parameter(callee, index) {
                        Some(inner) => {
                            let inner_binding = Binding::Param {
                                function: callee,
                                index,
                            };
                            self.collect_uses(inner, inner_binding, inner_anchor, depth + 1, found);
                        }
                        None => found.push(Use {
                            role: Role::Escape,
                            node: identifier,
                            anchor: anchor_here,
                            select: None,
                        }),
                    }
                }
                Some(_) => found.push(Use {
                    role: Role::Escape,
                    node: identifier,
                    anchor: anchor_here,
                    select: None,
                }),
                None => found.push(Use {
                    role,
                    node,
                    anchor: anchor_here,
                    select,
                }),
            }
        }
    }

    /// Whether `node` sits in a function literal inside `scope`.
    fn inside_literal(&self, node: Node<'t>, scope: Node<'t>) -> bool {
        self.ancestry(node)
            .iter()
            .take_while(|ancestor| **ancestor != scope)
            .any(|ancestor| ancestor.kind() == "func_literal")
    }

    /// When `identifier` is an argument of a call of a function literal or of a function
    /// declared in this file: that function, the argument's index, and the call.
    fn passed_to(&self, identifier: Node<'t>) -> Option<(Node<'t>, usize, Node<'t>)> {
        let argument = self.outermost_paren(identifier);
        let arguments = argument.parent()?;
        if arguments.kind() != "argument_list" {
            return None;
        }
        let call = arguments.parent()?;
        let function = unparen(call.child_by_field_name("function")?);
        let index = parts(arguments).position(|node| node == argument)?;
        match function.kind() {
            "func_literal" => Some((function, index, call)),
            "identifier" => {
                let name = self.text(function);
                if matches!(name, "close" | "len" | "cap") {
                    return None;
                }
                let declared = parts(self.root).find(|node| {
                    node.kind() == "function_declaration"
                        && node
                            .child_by_field_name("name")
                            .is_some_and(|n| self.text(n) == name)
                })?;
                // A local function value shadowing the declaration is not followed.
                match self.bind(name, function) {
                    None | Some(Binding::Package) => Some((declared, index, call)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The name of the `index`-th parameter of `function`, when it has a plain one (not
    /// variadic).
    fn nth_parameter(&self, function: Node<'t>, index: usize) -> Option<&'t str> {
        let list = function.child_by_field_name("parameters")?;
        let mut at = 0;
        for parameter in parts(list) {
            if parameter.kind() != "parameter_declaration" {
                return None;
            }
            let mut cursor = parameter.walk();
            for name in parameter.children_by_field_name("name", &mut cursor) {
                if at == index {
                    return Some(self.text(name));
                }
                at += 1;
            }
        }
        None
    }

    /// `node` with the parentheses around it.
    fn outermost_paren(&self, node: Node<'t>) -> Node<'t> {
        let mut node = node;
        while let Some(parent) = node
            .parent()
            .filter(|parent| parent.kind() == "parenthesized_expression")
        {
            node = parent;
        }
        node
    }

    /// What the use `identifier` does with the channel: its role, the operation node, and
    /// for a select case the select.
    fn role(&self, identifier: Node<'t>) -> (Role, Node<'t>, Option<Node<'t>>) {
        let node = self.outermost_paren(identifier);
        let Some(parent) = node.parent() else {
            return (Role::Escape, identifier, None);
        };
        match parent.kind() {
            "send_statement" if parent.child_by_field_name("channel") == Some(node) => {
                (Role::Send, parent, self.select_of(parent))
            }
            "unary_expression"
                if parent
                    .child_by_field_name("operator")
                    .is_some_and(|operator| operator.kind() == "<-") =>
            {
                (Role::Receive, parent, self.select_of(parent))
            }
            "range_clause" if parent.child_by_field_name("right") == Some(node) => {
                match parent.parent() {
                    Some(loop_) => (Role::Range, loop_, None),
                    None => (Role::Escape, identifier, None),
                }
            }
            "argument_list" => {
                let function = parent
                    .parent()
                    .and_then(|call| call.child_by_field_name("function"))
                    .map(unparen);
                match function.map(|function| self.text(function)) {
                    Some("close") => (Role::Close, parent.parent().unwrap_or(parent), None),
                    Some("len" | "cap") => (Role::Harmless, identifier, None),
                    _ => (Role::Escape, identifier, None),
                }
            }
            "binary_expression"
                if parent
                    .child_by_field_name("operator")
                    .is_some_and(|operator| matches!(operator.kind(), "==" | "!=")) =>
            {
                (Role::Harmless, identifier, None)
            }
            "expression_list" => {
                let statement = parent.parent();
                let assigned = statement.is_some_and(|statement| {
                    statement.kind() == "assignment_statement"
                        && statement.child_by_field_name("left") == Some(parent)
                });
                if assigned {
                    (Role::Assign, identifier, None)
                } else {
                    (Role::Escape, identifier, None)
                }
            }
            _ => (Role::Escape, identifier, None),
        }
    }

    /// The select a send or receive waits in as one of several cases.
    pub(super) fn select_of(&self, op: Node<'t>) -> Option<Node<'t>> {
        let mut node = self.outermost_paren(op);
        let mut parent = node.parent()?;
        if parent.kind() == "receive_statement" {
            if parent.child_by_field_name("right") != Some(node) {
                return None;
            }
            node = parent;
            parent = node.parent()?;
        }
        if parent.kind() != "communication_case"
            || parent.child_by_field_name("communication") != Some(node)
        {
            return None;
        }
        let select = parent.parent()?;
        let cases = parts(select)
            .filter(|case| matches!(case.kind(), "communication_case" | "default_case"))
            .count();
        (cases > 1).then_some(select)
    }

    /// How the function literal `literal` is run.
    pub(super) fn start_of(&self, literal: Node<'t>) -> Start<'t> {
        let literal_node = self.outermost_paren(literal);
        let Some(parent) = literal_node.parent() else {
            return Start::Unknown;
        };
        if parent.kind() == "call_expression"
            && parent.child_by_field_name("function") == Some(literal_node)
        {
            return match parent
                .parent()
                .map(|statement| (statement.kind(), statement))
            {
                Some(("go_statement", statement)) => Start::Goroutine(statement),
                Some(("defer_statement", _)) => Start::Deferred,
                _ => Start::Called,
            };
        }
        // `g.Go(func() {…})`: sync.WaitGroup.Go and errgroup.Group.Go start a goroutine.
        if parent.kind() == "argument_list" && parts(parent).count() == 1 {
            let call = parent.parent();
            let is_go = call
                .and_then(|call| call.child_by_field_name("function"))
                .filter(|function| function.kind() == "selector_expression")
                .and_then(|function| function.child_by_field_name("field"))
                .is_some_and(|field| self.text(field) == "Go");
            let statement = call
                .and_then(|call| call.parent())
                .filter(|statement| statement.kind() == "expression_statement");
            if let (true, Some(statement)) = (is_go, statement) {
                return Start::Goroutine(statement);
            }
        }
        Start::Unknown
    }

    /// The goroutine `node` runs in, seen from `owner` (a function node holding it): the
    /// statement that started the innermost goroutine between them, or None for `owner`'s
    /// own. Err when a function literal between them runs at unknown times.
    pub(super) fn goroutine_of(
        &self,
        node: Node<'t>,
        owner: Node<'t>,
    ) -> Result<Option<Node<'t>>, ()> {
        // The call of `go f(ch)`: what it calls runs in the goroutine it starts.
        if let Some(statement) = node
            .parent()
            .filter(|parent| node.kind() == "call_expression" && parent.kind() == "go_statement")
        {
            return Ok(Some(statement));
        }
        for ancestor in self.ancestry(node) {
            if ancestor == owner {
                return Ok(None);
            }
            if ancestor.kind() == "func_literal" {
                match self.start_of(ancestor) {
                    Start::Goroutine(statement) => return Ok(Some(statement)),
                    Start::Deferred | Start::Called => {}
                    Start::Unknown => return Err(()),
                }
            } else if is_function(ancestor) {
                return Err(());
            }
        }
        Err(())
    }

    /// The function node whose body holds `node` (directly, not in a literal inside).
    pub(super) fn function_of(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.ancestry(node)
            .into_iter()
            .skip(1)
            .find(|ancestor| is_function(*ancestor))
    }

    /// Loops between `node` and `top` (exclusive), innermost first.
    pub(super) fn loops_between(&self, node: Node<'t>, top: Node<'t>) -> Vec<Node<'t>> {
        self.ancestry(node)
            .into_iter()
            .skip(1)
            .take_while(|ancestor| *ancestor != top && !is_function(*ancestor))
            .filter(|ancestor| ancestor.kind() == "for_statement")
            .collect()
    }

    /// The branching statements (if, switch, select) between `node` and `top` that `node`
    /// runs only on some paths of, innermost first. The select `node` itself is a case of
    /// does not count.
    pub(super) fn branches_between(&self, node: Node<'t>, top: Node<'t>) -> Vec<Node<'t>> {
        let chain = self.ancestry(node);
        let mut branches = Vec::new();
        for pair in chain.windows(2) {
            let (child, parent) = (pair[0], pair[1]);
            if parent == top || is_function(parent) {
                break;
            }
            match parent.kind() {
                "if_statement"
                    if parent.child_by_field_name("condition") != Some(child)
                        && parent.child_by_field_name("initializer") != Some(child) =>
                {
                    branches.push(parent);
                }
                "if_statement" => {}
                "expression_switch_statement" | "type_switch_statement" | "select_statement"
                    if matches!(
                        child.kind(),
                        "expression_case" | "type_case" | "default_case" | "communication_case"
                    ) =>
                {
                    // The case holding the node itself as its communication is the wait, not
                    // a branch around it.
                    let is_own_case = child.kind() == "communication_case"
                        && child.child_by_field_name("communication").is_some_and(
                            |communication| {
                                communication.start_byte() <= node.start_byte()
                                    && node.end_byte() <= communication.end_byte()
                            },
                        );
                    if !is_own_case {
                        branches.push(parent);
                    }
                }
                _ => {}
            }
        }
        branches
    }

    /// Return statements of `function`'s own body (not of literals inside it), in order.
    pub(super) fn returns_of(&self, function: Node<'t>) -> Vec<Node<'t>> {
        let Some(body) = function.child_by_field_name("body") else {
            return Vec::new();
        };
        let mut returns = Vec::new();
        walk(body, |node, _| {
            if node.kind() == "func_literal" {
                return false;
            }
            if node.kind() == "return_statement" {
                returns.push(node);
            }
            true
        });
        returns
    }

    /// The statement holding `node` in the statement list `list` (a direct child of it).
    pub(super) fn statement_in(&self, node: Node<'t>, list: Node<'t>) -> Option<Node<'t>> {
        self.ancestry(node)
            .windows(2)
            .find(|pair| pair[1] == list)
            .map(|pair| pair[0])
    }

    /// The last line of `node`.
    pub(super) fn end_line(&self, node: Node<'t>) -> u32 {
        u32::try_from(node.end_position().row.saturating_add(1)).unwrap_or(u32::MAX)
    }

    /// `node`'s first line.
    pub(super) fn line(&self, node: Node<'t>) -> u32 {
        line_of(node)
    }
}
