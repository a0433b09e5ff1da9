//! What stops a whole run: no profile could be read, or a bad repository, revision, rules
//! file or baseline.

use crate::allowlist;
use crate::model::Warning;
use crate::model::view::ViewError;
use crate::source::repo::RepoError;

/// Errors that stop a whole run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no profile could be read:{}", .0.iter().map(|p| format!("\n  {p}")).collect::<String>())]
    NoProfiles(Vec<Warning>),
    #[error("{0}")]
    Repo(#[from] RepoError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<allowlist::RulesError>),
    #[error("{0}")]
    RulesFile(allowlist::ReadError),
    #[error("bad --baseline: {0}")]
    Baseline(ViewError),
    #[error("{0}")]
    Lint(#[from] crate::lint::LintError),
}
