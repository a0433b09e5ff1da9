//! Inputs read before any profile, so a bad one fails the run early: the allowlist rules in
//! precedence order, and the finding ids of a baseline report.

use std::collections::HashSet;
use std::path::Path;

use super::error::RunError;
use crate::allowlist::{self, Rule, RuleSource};
use crate::config::RulesConfig;
use crate::model::Warning;
use crate::model::id::ID_VERSION;
use crate::model::view::ReportView;
use crate::source::repo::Source;

/// Loads every rule in precedence order: `--rules` files, the repository's `.leakprof.yaml`,
/// the built-in rules. Any invalid file fails the run.
pub fn load(config: &RulesConfig, source: Option<&Source>) -> Result<Vec<Rule>, RunError> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (index, path) in config.files.iter().enumerate() {
        let text = allowlist::read_file(path).map_err(RunError::RulesFile)?;
        match allowlist::parse(&text, &path.display().to_string(), RuleSource::User(index)) {
            Ok(parsed) => rules.extend(parsed),
            Err(found) => errors.extend(found),
        }
    }
    if let (Some(source), true) = (source, config.repo_rules) {
        let name = match source.commit() {
            Some(commit) => format!(".leakprof.yaml@{}", &commit[..12]),
            None => ".leakprof.yaml".to_string(),
        };
        match source.read(".leakprof.yaml") {
            Ok(Some(bytes)) => {
                let text = String::from_utf8_lossy(&bytes);
                match allowlist::parse(&text, &name, RuleSource::Repo) {
                    Ok(parsed) => rules.extend(parsed),
                    Err(found) => errors.extend(found),
                }
            }
            Ok(None) => {}
            Err(error) => errors.push(allowlist::RulesError {
                file: name,
                line: 1,
                column: 1,
                message: format!("cannot read: {error}"),
            }),
        }
    }
    if config.builtin {
        rules.extend(allowlist::builtin());
    }
    if errors.is_empty() {
        errors = allowlist::duplicate_ids(&rules);
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(RunError::Rules(errors))
    }
}

/// The finding ids of an earlier JSON report; a warning when its ids were made by another
/// recipe than today's. A baseline without findings (the README's GitLab recipe writes one on
/// the first run) holds no ids to compare, whatever recipe it names: no warning.
pub fn read_baseline(
    path: &Path,
    warnings: &mut Vec<Warning>,
) -> Result<HashSet<String>, RunError> {
    let report = ReportView::read(path).map_err(RunError::Baseline)?;
    if report.id_version != Some(u64::from(ID_VERSION)) && !report.findings.is_empty() {
        warnings.push(Warning::BaselineIdVersion {
            path: path.display().to_string(),
            found: report.id_version,
        });
    }
    Ok(report
        .findings
        .into_iter()
        .map(|finding| finding.id)
        .collect())
}
