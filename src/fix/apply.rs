//! `leakprof fix --write`: the patch applied to the work tree, and only where that cannot
//! lose anything: the repository's checked-out HEAD is the revision the patch was made
//! against, and every file it touches is exactly as at that revision (no local change, not a
//! link). Each file is written atomically.

use std::fs;
use std::path::{Component, Path};

use crate::atomic;
use crate::diff::{self, FileEdits};
use crate::source::repo::Source;

/// Applies `files` to the work tree of the repository at `repo`; returns how many files
/// changed. Nothing is written unless every check passes for every file.
pub(super) fn write(
    source: &Source,
    repo: &Path,
    files: &[FileEdits<'_>],
) -> Result<usize, String> {
    let Source::Git {
        repo: repository,
        commit,
        rev,
        ..
    } = source
    else {
        return Err(format!(
            "{}: --write needs a git repository checked out at --rev; for a plain folder, \
             apply the patch with `git apply` or `patch -p1`",
            repo.display()
        ));
    };
    let workdir = repository.workdir().ok_or_else(|| {
        format!(
            "{}: a bare repository has no work tree to --write to",
            repo.display()
        )
    })?;
    let head = repository
        .head()
        .ok()
        .and_then(|head| head.peel_to_commit().ok())
        .map(|head| head.id());
    if head != Some(*commit) {
        return Err(format!(
            "{}: --rev {rev} is not the checked-out HEAD{}; check it out first, or apply the \
             patch with `git apply`",
            repo.display(),
            head.map(|head| format!(" ({})", &head.to_string()[..12]))
                .unwrap_or_default()
        ));
    }
    let mut changed = Vec::new();
    for file in files.iter().filter(|file| !file.edits.is_empty()) {
        let relative = Path::new(file.path);
        if relative
            .components()
            .any(|component| !matches!(component, Component::Normal(_)))
        {
            return Err(format!(
                "{}: not a plain path inside the repository",
                file.path
            ));
        }
        // No link anywhere on the way: writing through one could reach outside the tree.
        let mut at = workdir.to_path_buf();
        for component in relative.components() {
            at.push(component);
            let metadata = fs::symlink_metadata(&at).map_err(|error| {
                format!("{}: cannot read it in the work tree: {error}", file.path)
            })?;
            if metadata.file_type().is_symlink() {
                return Err(format!(
                    "{}: {} is a symbolic link in the work tree; leakprof does not write through it",
                    file.path,
                    at.display()
                ));
            }
        }
        let current = fs::read(&at)
            .map_err(|error| format!("{}: cannot read it in the work tree: {error}", file.path))?;
        if current != file.text.as_bytes() {
            return Err(format!(
                "{}: the work tree has local changes to it; commit or stash them, or apply the \
                 patch by hand",
                file.path
            ));
        }
        let new = diff::apply(file).map_err(|error| error.to_string())?;
        changed.push((at, new));
    }
    for (path, text) in &changed {
        atomic::write(path, text.as_bytes())
            .map_err(|error| format!("{}: cannot write it: {error}", path.display()))?;
    }
    Ok(changed.len())
}
