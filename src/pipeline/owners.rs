//! The owners stage: each place's code owners, from the repository's CODEOWNERS file at the
//! revision.

use super::places::{Check, Place};
use crate::model::Warning;
use crate::owners::{self, CodeOwners};
use crate::source::repo::Source;

/// Code owners from the first CODEOWNERS file at the root of the repository at the revision
/// (where GitHub reads it), for places mapped into the repository.
pub(super) fn assign_owners(
    places: &[Place],
    checks: &[Check],
    source: Option<&Source>,
    warnings: &mut Vec<Warning>,
) -> Vec<Vec<String>> {
    let none = || places.iter().map(|_| Vec::new()).collect();
    let Some(source) = source else {
        return none();
    };
    let Some(code_owners) = code_owners(source, warnings) else {
        return none();
    };
    // Patterns are written against paths from the repository's root, as GitHub reads them,
    // also when `--repo` is a module folder in it.
    let prefix = source.prefix();
    let prefix = prefix.as_str();
    checks
        .iter()
        .map(
            |check| match check.as_ref().and_then(|check| check.location.repo_path()) {
                Some(path) if prefix.is_empty() => code_owners.owners(path),
                Some(path) => code_owners.owners(&format!("{prefix}/{path}")),
                None => Vec::new(),
            },
        )
        .collect()
}

/// The first CODEOWNERS file at the revision, parsed; the lines GitHub would ignore become
/// warnings.
pub(super) fn code_owners(source: &Source, warnings: &mut Vec<Warning>) -> Option<CodeOwners> {
    let (location, text) = owners::LOCATIONS.iter().find_map(|location| {
        match source.read_from_repository_root(location) {
            Ok(Some(bytes)) => Some((*location, String::from_utf8_lossy(&bytes).into_owned())),
            _ => None,
        }
    })?;
    let (code_owners, problems) = CodeOwners::parse(&text);
    warnings.extend(
        problems
            .into_iter()
            .map(|(line, problem)| Warning::CodeOwnersLine {
                location: location.to_string(),
                line,
                problem,
            }),
    );
    Some(code_owners)
}
