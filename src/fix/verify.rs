//! `leakprof fix --verify`: each fix proven to compile. The revision is exported to a
//! temporary folder (never the work tree); first the untouched code is built and vetted, then
//! each fix alone is applied, `go build ./...` run in its module and `go vet` on the packages
//! it touches, and the files put back. A fix verifies when the build passes and vet reports
//! nothing it did not report before (code that already has vet findings can still be fixed).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use super::Planned;
use crate::diff::{self, FileEdits};
use crate::source::repo::Source;

/// Lines of the Go tool's output kept in a reason.
const SHOWN_LINES: usize = 6;

/// Whether each fix verifies (Err says why not); Err for the whole run when Go is missing or
/// the revision does not build as it is.
pub(super) fn run(
    source: &Source,
    texts: &BTreeMap<String, String>,
    planned: &[Planned],
    go: &Path,
) -> Result<Vec<Result<(), String>>, String> {
    check_go(go)?;
    if planned.is_empty() {
        return Ok(Vec::new());
    }
    let export = Export::new()
        .map_err(|error| format!("--verify cannot make a temporary folder: {error}"))?;
    let files = source.files().map_err(|error| error.to_string())?;
    for file in &files {
        let Ok(Some(bytes)) = source.read(file) else {
            continue;
        };
        let path = export.root.join(file);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|error| format!("--verify cannot export {file}: {error}"))?;
        }
        fs::write(&path, bytes)
            .map_err(|error| format!("--verify cannot export {file}: {error}"))?;
    }
    let modules: BTreeSet<&str> = files
        .iter()
        .filter_map(|file| file.strip_suffix("go.mod"))
        .filter(|dir| dir.is_empty() || dir.ends_with('/'))
        .map(|dir| dir.trim_end_matches('/'))
        .collect();
    let module_of = |path: &str| -> Option<String> {
        let mut dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        loop {
            if modules.contains(dir) {
                return Some(dir.to_string());
            }
            if dir.is_empty() {
                return None;
            }
            dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
    };

    // What each fix builds and vets: its modules, and its packages within them.
    let mut targets: Vec<BTreeMap<String, BTreeSet<String>>> = Vec::new();
    for fix in planned {
        let mut by_module: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for path in fix.edits.keys() {
            let Some(module) = module_of(path) else {
                return Err(format!(
                    "{path}: no go.mod above it, so --verify cannot build it"
                ));
            };
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            let relative = dir
                .strip_prefix(module.as_str())
                .unwrap_or(dir)
                .trim_start_matches('/');
            let package = if relative.is_empty() {
                ".".to_string()
            } else {
                format!("./{relative}")
            };
            by_module.entry(module).or_default().insert(package);
        }
        targets.push(by_module);
    }

    // The revision as it is: it must build; what vet says already is not the fixes' doing.
    let mut all: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for target in &targets {
        for (module, packages) in target {
            all.entry(module.clone())
                .or_default()
                .extend(packages.iter().cloned());
        }
    }
    let mut before: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (module, packages) in &all {
        let dir = export.root.join(module);
        if let Err(output) = go_run(go, &dir, &["build", "./..."]) {
            return Err(format!(
                "--verify: the revision does not build as it is (in {}): {}",
                shown_module(module),
                excerpt(&output, &export.root)
            ));
        }
        before.insert(module.clone(), vet(go, &dir, packages, &export.root));
    }

    let mut results = Vec::new();
    for (fix, target) in planned.iter().zip(&targets) {
        let mut changed = Vec::new();
        let mut outcome = Ok(());
        for (path, edits) in &fix.edits {
            let text = texts.get(path).map_or("", String::as_str);
            let file = FileEdits {
                path,
                text,
                edits: edits
                    .iter()
                    .map(|(range, text)| (range.clone(), text.as_str()))
                    .collect(),
            };
            match diff::apply(&file) {
                Ok(new) => {
                    let at = export.root.join(path);
                    if let Err(error) = fs::write(&at, new) {
                        outcome = Err(format!("cannot write {path}: {error}"));
                    }
                    changed.push((at, text));
                }
                Err(error) => outcome = Err(error.to_string()),
            }
        }
        if outcome.is_ok() {
            outcome = check(go, &export.root, target, &before);
        }
        for (at, text) in changed {
            fs::write(&at, text)
                .map_err(|error| format!("--verify cannot restore {}: {error}", at.display()))?;
        }
        results.push(outcome);
    }
    Ok(results)
}

/// Builds the fix's modules and vets its packages.
fn check(
    go: &Path,
    root: &Path,
    target: &BTreeMap<String, BTreeSet<String>>,
    before: &BTreeMap<String, Vec<String>>,
) -> Result<(), String> {
    for (module, packages) in target {
        let dir = root.join(module);
        go_run(go, &dir, &["build", "./..."])
            .map_err(|output| format!("go build ./... fails: {}", excerpt(&output, root)))?;
        let mut old = before.get(module).cloned().unwrap_or_default();
        let mut new = Vec::new();
        for message in vet(go, &dir, packages, root) {
            match old.iter().position(|known| *known == message) {
                Some(index) => {
                    old.swap_remove(index);
                }
                None => new.push(message),
            }
        }
        if !new.is_empty() {
            return Err(format!("go vet reports {}", new.join("; ")));
        }
    }
    Ok(())
}

/// What `go vet` reports on `packages`, each message without its line and column (the fix
/// moves lines).
fn vet(go: &Path, dir: &Path, packages: &BTreeSet<String>, root: &Path) -> Vec<String> {
    let mut args = vec!["vet"];
    args.extend(packages.iter().map(String::as_str));
    let output = match go_run(go, dir, &args) {
        Ok(output) | Err(output) => output,
    };
    let root_text = root.display().to_string();
    let mut messages: Vec<String> = output
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| without_position(&line.replace(&root_text, ".")))
        .collect();
    messages.sort();
    messages
}

/// `./x.go:12:3: message` → `./x.go: message`.
fn without_position(line: &str) -> String {
    let mut parts = line.splitn(4, ':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(file), Some(row), Some(column), Some(rest))
            if row.chars().all(|c| c.is_ascii_digit())
                && column.chars().all(|c| c.is_ascii_digit()) =>
        {
            format!("{file}:{rest}")
        }
        _ => line.to_string(),
    }
}

/// Runs the go command; Ok with its output when it succeeds, Err with it when not.
fn go_run(go: &Path, dir: &Path, args: &[&str]) -> Result<String, String> {
    match Command::new(go).args(args).current_dir(dir).output() {
        Ok(output) => {
            let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stderr));
            if output.status.success() {
                Ok(text)
            } else {
                Err(text)
            }
        }
        Err(error) => Err(format!("cannot run {}: {error}", go.display())),
    }
}

/// Fails the run, clearly, when there is no go command to run.
fn check_go(go: &Path) -> Result<(), String> {
    match Command::new(go).arg("version").output() {
        Ok(output) if output.status.success() => Ok(()),
        Ok(output) => Err(format!(
            "--verify needs the go command, and `{} version` failed: {}",
            go.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Err(format!(
            "--verify needs the go command, and `{}` was not found: install Go, or point --go \
             at it",
            go.display()
        )),
        Err(error) => Err(format!(
            "--verify needs the go command, and `{}` cannot run: {error}",
            go.display()
        )),
    }
}

/// The first lines of the Go tool's output, with the temporary folder's path taken out.
fn excerpt(output: &str, root: &Path) -> String {
    let root = root.display().to_string();
    let lines: Vec<String> = output
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.replace(&root, "."))
        .collect();
    let mut shown = lines
        .iter()
        .take(SHOWN_LINES)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if lines.len() > SHOWN_LINES {
        shown.push_str(&format!("; … {} more lines", lines.len() - SHOWN_LINES));
    }
    shown
}

fn shown_module(module: &str) -> &str {
    if module.is_empty() {
        "the root module"
    } else {
        module
    }
}

/// The exported revision, removed when dropped.
struct Export {
    root: PathBuf,
}

impl Export {
    fn new() -> io::Result<Export> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let base = std::env::temp_dir();
        let mut last = None;
        for attempt in 0..16u32 {
            let root = base.join(format!(
                "leakprof-verify-{}-{nanos:x}-{attempt}",
                std::process::id()
            ));
            // create_dir fails on an existing path, so no one else's folder is used.
            match fs::create_dir(&root) {
                Ok(()) => return Ok(Export { root }),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last = Some(error),
                Err(error) => return Err(error),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free temporary folder name")))
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vet_messages_lose_their_positions() {
        for (line, expected) in [
            (
                "./x.go:12:3: the cancel function is not used",
                "./x.go: the cancel function is not used",
            ),
            ("vet: no packages", "vet: no packages"),
            ("./x.go:abc:3: odd", "./x.go:abc:3: odd"),
        ] {
            assert_eq!(without_position(line), expected);
        }
    }

    #[test]
    fn a_missing_go_is_named() {
        let missing = Path::new("/nonexistent/leakprof-test/go");
        let error = check_go(missing).unwrap_err();
        assert!(error.contains("was not found"), "{error}");
        assert!(error.contains("--go"), "{error}");
    }
}
