//! Name resolution: the binding of a name in effect where it is used, searched through the
//! enclosing blocks, statement headers, select cases and parameters of the function chain
//! (never at package level, which other files of the package can change).

use tree_sitter::Node;

use super::tree::{Go, paired, parts, walk};

/// A name's binding where it is used.
#[derive(Clone, Copy)]
pub(super) struct Binding<'t> {
    /// The expression assigned to the name, when the binding pairs one with it.
    pub(super) value: Option<Node<'t>>,
    /// The declared type, for parameters and typed `var`s.
    pub(super) ty: Option<Node<'t>>,
    /// The statement that binds the name (`:=`, `=`, `var`).
    pub(super) statement: Option<Node<'t>>,
    /// For `a, b := f()`: the call, and the name's position among its results.
    pub(super) tuple: Option<(Node<'t>, usize)>,
    /// For a parameter: its function (declaration or literal) and its position.
    pub(super) parameter: Option<(Node<'t>, usize)>,
}

impl Binding<'_> {
    const UNKNOWN: Self = Binding {
        value: None,
        ty: None,
        statement: None,
        tuple: None,
        parameter: None,
    };
}

impl<'t> Go<'t> {
    /// The binding of `name` (an identifier or `x.field` as written) in effect at `at`:
    /// the nearest one before it in a block enclosing it, a header (`if v := …;`), a case,
    /// or a parameter, searching out through func literals to the named function.
    pub(super) fn resolve(&self, name: &str, at: Node<'t>) -> Option<Binding<'t>> {
        for pair in self.ancestry(at).windows(2) {
            let (child, parent) = (pair[0], pair[1]);
            match parent.kind() {
                "statement_list" => {
                    let before: Vec<Node<'t>> = parts(parent)
                        .take_while(|statement| *statement != child)
                        .collect();
                    if let Some(binding) = before
                        .iter()
                        .rev()
                        .find_map(|statement| self.binds(*statement, name))
                    {
                        return Some(binding);
                    }
                }
                "if_statement" | "expression_switch_statement" | "for_clause" => {
                    if let Some(binding) = parent
                        .child_by_field_name("initializer")
                        .filter(|initializer| *initializer != child)
                        .and_then(|initializer| self.binds(initializer, name))
                    {
                        return Some(binding);
                    }
                }
                "type_switch_statement" => {
                    let alias = parent
                        .child_by_field_name("alias")
                        .is_some_and(|alias| self.lists(alias, name));
                    if alias && child.kind() == "type_case" {
                        return Some(Binding::UNKNOWN);
                    }
                    if let Some(binding) = parent
                        .child_by_field_name("initializer")
                        .filter(|initializer| *initializer != child)
                        .and_then(|initializer| self.binds(initializer, name))
                    {
                        return Some(binding);
                    }
                }
                "for_statement" => {
                    for clause in parts(parent).filter(|clause| *clause != child) {
                        match clause.kind() {
                            "for_clause" => {
                                if let Some(binding) = clause
                                    .child_by_field_name("initializer")
                                    .and_then(|initializer| self.binds(initializer, name))
                                {
                                    return Some(binding);
                                }
                            }
                            "range_clause" => {
                                let bound = clause
                                    .child_by_field_name("left")
                                    .is_some_and(|left| self.lists(left, name));
                                if bound {
                                    return Some(Binding::UNKNOWN);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "communication_case" => {
                    let bound = parent
                        .child_by_field_name("communication")
                        .filter(|communication| *communication != child)
                        .and_then(|communication| communication.child_by_field_name("left"))
                        .is_some_and(|left| self.lists(left, name));
                    if bound {
                        return Some(Binding::UNKNOWN);
                    }
                }
                "func_literal" | "function_declaration" | "method_declaration" => {
                    for list in ["receiver", "parameters", "result"] {
                        if let Some(mut binding) = parent
                            .child_by_field_name(list)
                            .and_then(|list| self.parameter(list, name))
                        {
                            if list != "parameters" {
                                binding.parameter = None;
                            } else if let Some((_, index)) = binding.parameter {
                                binding.parameter = Some((parent, index));
                            }
                            return Some(binding);
                        }
                    }
                    if parent.kind() != "func_literal" {
                        return None;
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The binding `statement` gives `name`, if it assigns or declares it.
    fn binds(&self, statement: Node<'t>, name: &str) -> Option<Binding<'t>> {
        match statement.kind() {
            "short_var_declaration" | "assignment_statement" => {
                let operator = statement
                    .child_by_field_name("operator")
                    .map_or(":=", |operator| operator.kind());
                if operator != ":=" && operator != "=" {
                    return None;
                }
                let pairs = paired(statement);
                let index = pairs
                    .iter()
                    .position(|(left, _)| self.written(*left) == name)?;
                let rights: Vec<Node<'t>> = statement
                    .child_by_field_name("right")
                    .map(|right| parts(right).collect())
                    .unwrap_or_default();
                let tuple = (rights.len() == 1 && pairs.len() > 1)
                    .then(|| (super::tree::unparen(rights[0]), index));
                Some(Binding {
                    value: pairs[index].1,
                    ty: None,
                    statement: Some(statement),
                    tuple,
                    parameter: None,
                })
            }
            "var_declaration" => {
                let mut specs: Vec<Node<'t>> = Vec::new();
                walk(statement, |node, _| match node.kind() {
                    "var_spec" => {
                        specs.push(node);
                        false
                    }
                    "var_declaration" | "var_spec_list" => true,
                    _ => false,
                });
                specs.iter().rev().find_map(|spec| {
                    let mut cursor = spec.walk();
                    let names: Vec<Node<'t>> =
                        spec.children_by_field_name("name", &mut cursor).collect();
                    let index = names.iter().position(|node| self.text(*node) == name)?;
                    let values: Vec<Node<'t>> = spec
                        .child_by_field_name("value")
                        .map(|values| parts(values).collect())
                        .unwrap_or_default();
                    Some(Binding {
                        value: (values.len() == names.len())
                            .then(|| values.get(index).copied())
                            .flatten(),
                        ty: spec.child_by_field_name("type"),
                        statement: Some(statement),
                        tuple: (values.len() == 1 && names.len() > 1)
                            .then(|| (super::tree::unparen(values[0]), index)),
                        parameter: None,
                    })
                })
            }
            _ => None,
        }
    }

    /// The parameter called `name` in a parameter list, with its position in the list (the
    /// caller sets the function).
    fn parameter(&self, list: Node<'t>, name: &str) -> Option<Binding<'t>> {
        let mut position = 0;
        for parameter in parts(list) {
            let mut cursor = parameter.walk();
            let names: Vec<Node<'t>> = parameter
                .children_by_field_name("name", &mut cursor)
                .collect();
            if let Some(at) = names.iter().position(|node| self.text(*node) == name) {
                return Some(Binding {
                    value: None,
                    // A variadic parameter's type is its element's, not its own.
                    ty: (parameter.kind() == "parameter_declaration")
                        .then(|| parameter.child_by_field_name("type"))
                        .flatten(),
                    statement: None,
                    tuple: None,
                    parameter: Some((list, position + at)),
                });
            }
            position += names.len().max(1);
        }
        None
    }

    /// Whether an expression list names `name`.
    fn lists(&self, list: Node<'t>, name: &str) -> bool {
        parts(list).any(|node| self.written(node) == name)
    }
}

impl Go<'_> {
    /// The lines (1-based) where the name `name` is read, called or passed: every
    /// identifier `name` but the targets of an assignment or a `var` declaration. A local of
    /// the same name counts too, so a caller that finds none knows nothing reads it.
    pub(super) fn reads_of(&self, name: &str) -> Vec<u32> {
        let mut lines = Vec::new();
        walk(self.root, |node, ancestors| {
            if node.kind() != "identifier" || self.text(node) != name {
                return true;
            }
            let assigned = match ancestors {
                [.., statement, list] if list.kind() == "expression_list" => {
                    statement.kind() == "assignment_statement"
                        && statement.child_by_field_name("left") == Some(*list)
                }
                [.., spec] => {
                    spec.kind() == "var_spec"
                        && spec
                            .children_by_field_name("name", &mut spec.walk())
                            .any(|declared| declared == node)
                }
                [] => false,
            };
            if !assigned {
                lines.push(super::tree::line_of(node));
            }
            true
        });
        lines
    }
}
