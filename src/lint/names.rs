//! Function names as the Go runtime writes them in stacks and profiles, told from the source:
//! `example.com/app/orders.handle`, `….(*Server).run`, and for function literals the name the
//! compiler gives them, `handle.func1` (the first literal in `handle`, in source order),
//! `handle.func1.2` (the second literal in that one). A lint finding named so is matched by
//! the same allowlist globs as the profile finding the runtime would report at its place.

use tree_sitter::Node;

use crate::source::analyze::shared::{Go, parts, walk};
use crate::source::paths::Module;

/// The import path of the package in folder `dir` with package clause `name`, from the
/// modules of the repository: `main` for a command, the module's path and the folder below
/// it otherwise (the Go tree's `std` module has bare paths), and `_test` after it for an
/// external test package.
pub fn package_path(modules: &[Module], dir: &str, name: &str) -> String {
    if name == "main" {
        return "main".into();
    }
    let module = modules.iter().find(|module| {
        module.dir.is_empty() || dir == module.dir || dir.starts_with(&format!("{}/", module.dir))
    });
    let path = match module {
        Some(module) => {
            let below = dir
                .strip_prefix(module.dir.as_str())
                .unwrap_or(dir)
                .trim_start_matches('/');
            match (module.path.as_str(), below) {
                ("std", below) => below.to_string(),
                (path, "") => path.to_string(),
                (path, below) => format!("{path}/{below}"),
            }
        }
        None if dir.is_empty() => name.trim_end_matches("_test").to_string(),
        None => dir.to_string(),
    };
    if name.ends_with("_test") {
        format!("{path}_test")
    } else {
        path
    }
}

/// The runtime's name of the function whose body holds `node`, in package `package`.
pub(crate) fn function_name(go: &Go<'_>, node: Node<'_>, package: &str) -> String {
    let chain = go.ancestry(node);
    // Outermost first: the top-level declaration, then each literal inside it.
    let functions: Vec<Node<'_>> = chain
        .iter()
        .rev()
        .copied()
        .filter(|ancestor| {
            matches!(
                ancestor.kind(),
                "function_declaration" | "method_declaration" | "func_literal"
            )
        })
        .collect();
    let mut name = match functions.first() {
        Some(top) if top.kind() != "func_literal" => declared_name(go, *top),
        // A literal in a package-level initializer.
        _ => "init".to_string(),
    };
    let mut outer = functions
        .first()
        .filter(|top| top.kind() != "func_literal")
        .copied();
    let literals = functions
        .iter()
        .copied()
        .filter(|function| function.kind() == "func_literal");
    for (depth, literal) in literals.enumerate() {
        let scope = outer.unwrap_or(go.root);
        let number = literals_in(scope)
            .iter()
            .position(|found| *found == literal)
            .map_or(0, |index| index + 1);
        if depth == 0 {
            name.push_str(&format!(".func{number}"));
        } else {
            name.push_str(&format!(".{number}"));
        }
        outer = Some(literal);
    }
    format!("{package}.{name}")
}

/// `handle`, `(*Server).run`, `Cache.Get`, `Map[...]`, `(*List[...]).Push`.
fn declared_name(go: &Go<'_>, function: Node<'_>) -> String {
    let name = function
        .child_by_field_name("name")
        .map_or("", |name| go.text(name));
    if function.kind() == "function_declaration" {
        let generic = function.child_by_field_name("type_parameters").is_some();
        return if generic {
            format!("{name}[...]")
        } else {
            name.to_string()
        };
    }
    let receiver = function
        .child_by_field_name("receiver")
        .and_then(|receiver| parts(receiver).next())
        .and_then(|parameter| parameter.child_by_field_name("type"));
    let Some(receiver) = receiver else {
        return name.to_string();
    };
    let (pointer, base) = match receiver.kind() {
        "pointer_type" => (true, parts(receiver).next().unwrap_or(receiver)),
        _ => (false, receiver),
    };
    let type_name = match base.kind() {
        "generic_type" => format!(
            "{}[...]",
            base.child_by_field_name("type")
                .map_or("", |name| go.text(name))
        ),
        _ => go.text(base).to_string(),
    };
    if pointer {
        format!("(*{type_name}).{name}")
    } else {
        format!("{type_name}.{name}")
    }
}

/// The function literals directly in `scope` (not inside another literal), in source order:
/// the order the compiler numbers them in.
fn literals_in(scope: Node<'_>) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    walk(scope, |node, _| {
        if node == scope {
            return true;
        }
        if node.kind() == "func_literal" {
            found.push(node);
            return false;
        }
        true
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::Op;
    use crate::source::analyze::ParsedFile;

    const SOURCE: &str = "package orders

var hook = func() { ch <- 1 }

func handle(ch chan int) {
	go func() {
		ch <- 1
		func() {
			<-ch
		}()
		defer func() { <-ch }()
	}()
	go func() {
		ch <- 2
	}()
	ch <- 3
}

func (s *Server) run(ch chan int) {
	go func() { ch <- 4 }()
}

func (c Cache[K]) get(ch chan int) { ch <- 5 }

func Map[T any](ch chan T) { <-ch }
";

    #[test]
    fn runtime_names() {
        let parsed = ParsedFile::parse(SOURCE);
        let go = parsed.go().unwrap();
        let check = |line: u32, op: Op, expected: &str| {
            let (node, _) = go.operation_at(line, op).unwrap();
            assert_eq!(
                function_name(&go, node, "example.com/shop/orders"),
                format!("example.com/shop/orders.{expected}"),
                "line {line}"
            );
        };
        check(3, Op::Send, "init.func1");
        check(7, Op::Send, "handle.func1");
        check(9, Op::Receive, "handle.func1.1");
        check(11, Op::Receive, "handle.func1.2");
        check(14, Op::Send, "handle.func2");
        check(16, Op::Send, "handle");
        check(20, Op::Send, "(*Server).run.func1");
        check(23, Op::Send, "Cache[...].get");
        check(25, Op::Receive, "Map[...]");
    }

    #[test]
    fn package_paths() {
        let modules = [
            Module {
                path: "example.com/shop/tools".into(),
                dir: "tools".into(),
            },
            Module {
                path: "example.com/shop".into(),
                dir: "".into(),
            },
        ];
        let std = [Module {
            path: "std".into(),
            dir: "".into(),
        }];
        for (modules, dir, name, expected) in [
            (
                &modules[..],
                "internal/orders",
                "orders",
                "example.com/shop/internal/orders",
            ),
            (&modules[..], "", "shop", "example.com/shop"),
            (
                &modules[..],
                "tools/gen",
                "gen",
                "example.com/shop/tools/gen",
            ),
            (&modules[..], "toolsx", "toolsx", "example.com/shop/toolsx"),
            (&modules[..], "cmd/server", "main", "main"),
            (
                &modules[..],
                "internal/orders",
                "orders_test",
                "example.com/shop/internal/orders_test",
            ),
            (&std[..], "net/http", "http", "net/http"),
            (&[][..], "pkg/x", "x", "pkg/x"),
            (&[][..], "", "x", "x"),
        ] {
            assert_eq!(package_path(modules, dir, name), expected, "{dir} {name}");
        }
    }
}
