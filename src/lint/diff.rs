//! `--diff BASE`: the lines changed between BASE and the revision linted, from a diff of the
//! two trees (git2, no work tree), and the top-level declarations (functions, methods,
//! package-level variables) those lines fall in. A lint finding is kept when its operation or
//! a line of its case is in a changed declaration: the pull request's own risks, not the
//! code's older ones.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use git2::{DiffOptions, Repository};
use tree_sitter::Node;

use crate::source::analyze::shared::{Go, parts};

/// Lines of the revision's files that a diff adds or changes, by repository-relative path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    pub lines: BTreeMap<String, Vec<RangeInclusive<u32>>>,
    /// The commit BASE resolved to.
    pub base_commit: String,
}

/// The diff could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("--diff {base:?}: unknown revision in {repo}: {message}")]
    UnknownBase {
        repo: String,
        base: String,
        message: String,
    },
    #[error("--diff {base:?}: cannot compare it with the revision: {message}")]
    Diff { base: String, message: String },
}

/// The lines of `new_tree` that differ from BASE's tree, for `.go` files.
pub fn changed(
    repo: &Repository,
    repo_name: &str,
    base: &str,
    new_tree: git2::Oid,
) -> Result<Changed, DiffError> {
    let unknown = |error: git2::Error| DiffError::UnknownBase {
        repo: repo_name.to_string(),
        base: base.to_string(),
        message: error.message().to_string(),
    };
    let failed = |error: git2::Error| DiffError::Diff {
        base: base.to_string(),
        message: error.message().to_string(),
    };
    let base_commit = repo
        .revparse_single(base)
        .and_then(|object| object.peel_to_commit())
        .map_err(unknown)?;
    let base_tree = base_commit.tree().map_err(unknown)?;
    let new_tree = repo.find_tree(new_tree).map_err(failed)?;
    let mut options = DiffOptions::new();
    options.context_lines(0).ignore_submodules(true);
    let diff = repo
        .diff_tree_to_tree(Some(&base_tree), Some(&new_tree), Some(&mut options))
        .map_err(failed)?;
    let mut lines: BTreeMap<String, Vec<RangeInclusive<u32>>> = BTreeMap::new();
    diff.foreach(
        &mut |_, _| true,
        None,
        Some(&mut |delta, hunk| {
            let Some(path) = delta.new_file().path().and_then(|path| path.to_str()) else {
                return true;
            };
            if !path.ends_with(".go") || delta.status() == git2::Delta::Deleted {
                return true;
            }
            let start = hunk.new_start();
            // Lines only removed: the two lines around the cut changed what sits between.
            let range = match hunk.new_lines() {
                0 => start.max(1)..=start + 1,
                count => start..=start + count - 1,
            };
            lines
                .entry(path.replace('\\', "/"))
                .or_default()
                .push(range);
            true
        }),
        None,
    )
    .map_err(failed)?;
    Ok(Changed {
        lines,
        base_commit: base_commit.id().to_string(),
    })
}

/// The line spans of the top-level declarations of a file that `changed` lines touch.
pub(crate) fn touched_declarations(
    go: &Go<'_>,
    changed: &[RangeInclusive<u32>],
) -> Vec<RangeInclusive<u32>> {
    parts(go.root)
        .filter(|node| !matches!(node.kind(), "package_clause" | "import_declaration"))
        .map(|node| span(node))
        .filter(|span| {
            changed
                .iter()
                .any(|lines| lines.start() <= span.end() && span.start() <= lines.end())
        })
        .collect()
}

fn span(node: Node<'_>) -> RangeInclusive<u32> {
    let line = |row: usize| u32::try_from(row.saturating_add(1)).unwrap_or(u32::MAX);
    line(node.start_position().row)..=line(node.end_position().row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::analyze::ParsedFile;

    #[test]
    fn declarations_touched() {
        let text = "package p\n\nimport \"fmt\"\n\nfunc a() {\n\tfmt.Println()\n}\n\nfunc b() {\n}\n\nvar c = 1\n";
        let parsed = ParsedFile::parse(text);
        let go = parsed.go().unwrap();
        let check = |changed: &[RangeInclusive<u32>], expected: &[RangeInclusive<u32>]| {
            assert_eq!(touched_declarations(&go, changed), expected, "{changed:?}");
        };
        check(&[6..=6], &[5..=7]);
        check(&[3..=3], &[]);
        check(&[7..=9], &[5..=7, 9..=10]);
        check(&[11..=12], &[12..=12]);
        check(&[], &[]);
    }

    #[test]
    fn changed_lines_between_commits() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let signature = git2::Signature::now("t", "t@example.com").unwrap();
        let commit = |files: &[(&str, &str)], parents: &[&git2::Commit<'_>]| {
            let mut builder = repo.treebuilder(None).unwrap();
            for (name, text) in files {
                let blob = repo.blob(text.as_bytes()).unwrap();
                builder.insert(name, blob, 0o100644).unwrap();
            }
            let tree = repo.find_tree(builder.write().unwrap()).unwrap();
            let id = repo
                .commit(None, &signature, &signature, "c", &tree, parents)
                .unwrap();
            repo.find_commit(id).unwrap()
        };
        let base = commit(
            &[
                (
                    "a.go",
                    "package p\n\nfunc a() {\n\tx := 1\n}\n\nfunc b() {\n\ty := 1\n\t_ = y\n}\n",
                ),
                ("gone.go", "package p\n"),
                ("README", "old\n"),
            ],
            &[],
        );
        let head = commit(
            &[
                (
                    "a.go",
                    "package p\n\nfunc a() {\n\tx := 2\n}\n\nfunc b() {\n\ty := 1\n}\n",
                ),
                ("new.go", "package p\n\nfunc n() {}\n"),
                ("README", "new\n"),
            ],
            &[&base],
        );
        let changed = changed(&repo, "r", &base.id().to_string(), head.tree_id()).unwrap();
        assert_eq!(changed.base_commit, base.id().to_string());
        let lines: Vec<(&str, Vec<RangeInclusive<u32>>)> = changed
            .lines
            .iter()
            .map(|(path, lines)| (path.as_str(), lines.clone()))
            .collect();
        // A changed line, and a line cut after line 8.
        assert_eq!(
            lines,
            [("a.go", vec![4..=4, 8..=9]), ("new.go", vec![1..=3])]
        );
        let error = super::changed(&repo, "r", "no-such-rev", head.tree_id()).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("--diff \"no-such-rev\": unknown revision in r")
        );
    }
}
