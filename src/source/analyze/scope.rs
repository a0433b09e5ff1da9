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
}

impl Binding<'_> {
    const UNKNOWN: Self = Binding {
        value: None,
        ty: None,
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
                        if let Some(binding) = parent
                            .child_by_field_name(list)
                            .and_then(|list| self.parameter(list, name))
                        {
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
                let value = paired(statement)
                    .into_iter()
                    .find(|(left, _)| self.written(*left) == name)?
                    .1;
                Some(Binding { value, ty: None })
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
                    })
                })
            }
            _ => None,
        }
    }

    /// The parameter called `name` in a parameter list.
    fn parameter(&self, list: Node<'t>, name: &str) -> Option<Binding<'t>> {
        parts(list).find_map(|parameter| {
            let mut cursor = parameter.walk();
            let mut names = parameter.children_by_field_name("name", &mut cursor);
            names.any(|node| self.text(node) == name).then(|| Binding {
                value: None,
                // A variadic parameter's type is its element's, not its own.
                ty: (parameter.kind() == "parameter_declaration")
                    .then(|| parameter.child_by_field_name("type"))
                    .flatten(),
            })
        })
    }

    /// Whether an expression list names `name`.
    fn lists(&self, list: Node<'t>, name: &str) -> bool {
        parts(list).any(|node| self.written(node) == name)
    }
}
