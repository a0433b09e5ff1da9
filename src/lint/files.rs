//! Which files `leakprof lint` reads: the Go files at the revision under the paths asked for,
//! by the rules the go command follows (no `vendor/` or `testdata/` folder, none whose name
//! starts with `.` or `_`), grouped into packages, without generated files.

use std::collections::BTreeMap;

/// A path asked for on the command line, as a repository-relative prefix: `pkg/orders`,
/// `./pkg/orders/...` and `pkg/orders/` all name the folder; `.`, `./...` and `` the whole
/// repository; `pkg/orders/x.go` one file.
pub fn normalize(path: &str) -> String {
    let mut path = path.replace('\\', "/");
    for suffix in ["/...", "..."] {
        if let Some(stripped) = path.strip_suffix(suffix) {
            path = stripped.to_string();
        }
    }
    while let Some(stripped) = path.strip_prefix("./") {
        path = stripped.to_string();
    }
    let path = path.trim_end_matches('/');
    if path == "." {
        String::new()
    } else {
        path.to_string()
    }
}

/// Whether `file` (repository-relative) is under the normalized path `prefix`, and the part
/// of it below.
fn below<'a>(file: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() {
        return Some(file);
    }
    if file == prefix {
        return Some(file.rsplit('/').next().unwrap_or(file));
    }
    file.strip_prefix(prefix)?.strip_prefix('/')
}

/// Whether the go command builds a file at `relative` (below the path asked for): a `.go`
/// file outside `vendor/` and `testdata/`, in no folder named with a leading `.` or `_`, and
/// not itself named so. A path asked for that leads into such a folder is read all the same.
fn builds(relative: &str) -> bool {
    let mut components = relative.split('/').peekable();
    while let Some(component) = components.next() {
        let last = components.peek().is_none();
        if component.starts_with(['.', '_']) {
            return false;
        }
        if last {
            return component.ends_with(".go");
        }
        if matches!(component, "vendor" | "testdata") {
            return false;
        }
    }
    false
}

/// The Go files to lint among `files` (every file at the revision), under `paths`
/// (normalized; all when empty), by folder. A path that holds no Go file is returned in the
/// second list.
pub fn select(files: &[String], paths: &[String]) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut by_dir: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut matched = vec![false; paths.len()];
    for file in files {
        let mut chosen = paths.is_empty() && builds(file);
        for (index, prefix) in paths.iter().enumerate() {
            if below(file, prefix).is_some_and(builds) {
                matched[index] = true;
                chosen = true;
            }
        }
        if chosen {
            let dir = file.rsplit_once('/').map_or("", |(dir, _)| dir);
            by_dir
                .entry(dir.to_string())
                .or_default()
                .push(file.clone());
        }
    }
    for files in by_dir.values_mut() {
        files.sort();
        files.dedup();
    }
    let unmatched = paths
        .iter()
        .zip(matched)
        .filter(|(_, matched)| !matched)
        .map(|(path, _)| path.clone())
        .collect();
    (by_dir, unmatched)
}

/// Whether a Go file says it was generated: a `// Code generated … DO NOT EDIT.` line before
/// its package clause, as `go/ast.IsGenerated` reads it.
pub fn is_generated(text: &str) -> bool {
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with("package ") || line.starts_with("package\t") {
            return false;
        }
        if line.starts_with("// Code generated ") && line.ends_with(" DO NOT EDIT.") {
            return true;
        }
    }
    false
}

/// The name in a Go file's package clause, read from its text (comments and blank lines
/// before it skipped), without parsing the file.
pub fn package_name(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, next)| next);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/")?.1;
        } else {
            break;
        }
    }
    let after = rest.strip_prefix("package")?;
    if !after.starts_with(char::is_whitespace) {
        return None;
    }
    let name = after.trim_start();
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    (end > 0).then(|| &name[..end])
}

/// Whether a file's text can hold a channel operation or what a leak pattern needs: a
/// channel type or `make(chan …)`, a send or receive, a select. A file without any of them
/// is read only for what it tells about the rest of its package.
pub fn may_hold_channels(text: &str) -> bool {
    text.contains("chan") || text.contains("<-") || text.contains("select")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_asked_for() {
        for (given, normalized) in [
            ("./...", ""),
            (".", ""),
            ("", ""),
            ("./pkg/orders/...", "pkg/orders"),
            ("pkg/orders/", "pkg/orders"),
            ("pkg\\orders", "pkg/orders"),
            ("pkg/orders/x.go", "pkg/orders/x.go"),
        ] {
            assert_eq!(normalize(given), normalized, "{given:?}");
        }
    }

    #[test]
    fn selection() {
        let files: Vec<String> = [
            "go.mod",
            "main.go",
            "pkg/a.go",
            "pkg/a_test.go",
            "pkg/sub/b.go",
            "pkg/README.md",
            "vendor/github.com/x/y/y.go",
            "pkg/vendor/z.go",
            "testdata/leaky/leaks.go",
            "pkg/testdata/t.go",
            ".hidden/h.go",
            "_old/o.go",
            "pkg/_x.go",
            "pkg/.y.go",
        ]
        .map(String::from)
        .to_vec();
        let check = |paths: &[&str], expected: &[&str], unmatched: &[&str]| {
            let paths: Vec<String> = paths.iter().map(|p| normalize(p)).collect();
            let (by_dir, missing) = select(&files, &paths);
            let chosen: Vec<&str> = by_dir.values().flatten().map(String::as_str).collect();
            assert_eq!(chosen, expected, "{paths:?}");
            assert_eq!(missing, unmatched, "{paths:?}");
        };
        check(
            &[],
            &["main.go", "pkg/a.go", "pkg/a_test.go", "pkg/sub/b.go"],
            &[],
        );
        check(
            &["./pkg/..."],
            &["pkg/a.go", "pkg/a_test.go", "pkg/sub/b.go"],
            &[],
        );
        check(&["pkg/sub", "pkg/a.go"], &["pkg/a.go", "pkg/sub/b.go"], &[]);
        // Asked for by name, a testdata or vendor folder is read.
        check(&["testdata/leaky"], &["testdata/leaky/leaks.go"], &[]);
        check(
            &["vendor/github.com/x/y"],
            &["vendor/github.com/x/y/y.go"],
            &[],
        );
        check(&["nowhere", "pkg/sub"], &["pkg/sub/b.go"], &["nowhere"]);
        check(&["pkg/README.md"], &[], &["pkg/README.md"]);
    }

    #[test]
    fn generated_files() {
        for (text, generated) in [
            (
                "// Code generated by \"stringer -type=T\"; DO NOT EDIT.\n\npackage x\n",
                true,
            ),
            (
                "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n",
                true,
            ),
            (
                "// Copyright\n\n// Code generated by x. DO NOT EDIT.\n\npackage x\n",
                true,
            ),
            ("package x\n\n// Code generated by x. DO NOT EDIT.\n", false),
            (
                "// Code generated by x. DO NOT EDIT. really\npackage x\n",
                false,
            ),
            ("package x\n", false),
        ] {
            assert_eq!(is_generated(text), generated, "{text:?}");
        }
    }

    #[test]
    fn package_names() {
        for (text, name) in [
            ("package main\n", Some("main")),
            (
                "// doc\n/* block\n package no */\npackage orders // x\n",
                Some("orders"),
            ),
            ("//go:build ignore\n\npackage main", Some("main")),
            ("package\tx_test\n", Some("x_test")),
            ("packagex\n", None),
            ("/* unterminated", None),
            ("", None),
        ] {
            assert_eq!(package_name(text), name, "{text:?}");
        }
    }
}
