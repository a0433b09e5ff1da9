//! Inputs read before any profile, so a bad one fails the run early: the allowlist rules in
//! precedence order, and the finding ids of a baseline report.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use super::RunError;
use crate::allowlist::{self, Rule, RuleSource};
use crate::config::RulesConfig;
use crate::model::id::ID_VERSION;
use crate::model::{SCHEMA_VERSION, Warning};
use crate::source::repo::Source;

/// Loads every rule in precedence order: `--rules` files, the repository's `.leakprof.yaml`,
/// the built-in rules. Any invalid file fails the run.
pub fn load(config: &RulesConfig, source: Option<&Source>) -> Result<Vec<Rule>, RunError> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (index, path) in config.files.iter().enumerate() {
        let text = fs::read_to_string(path).map_err(|source| RunError::RulesFile {
            path: path.clone(),
            source,
        })?;
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
/// recipe than today's.
pub fn read_baseline(
    path: &Path,
    warnings: &mut Vec<Warning>,
) -> Result<HashSet<String>, RunError> {
    let bad = |message: String| RunError::Baseline {
        path: path.to_path_buf(),
        message,
    };
    let text = fs::read_to_string(path).map_err(|error| bad(format!("cannot read: {error}")))?;
    let report: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| bad(format!("not JSON: {error}")))?;
    if report["schema_version"].as_u64() != Some(u64::from(SCHEMA_VERSION)) {
        return Err(bad(
            "not a leakprof JSON report (no `schema_version: 1`)".into()
        ));
    }
    let id_version = report["id_version"].as_u64();
    if id_version != Some(u64::from(ID_VERSION)) {
        warnings.push(Warning::BaselineIdVersion {
            path: path.display().to_string(),
            found: id_version,
        });
    }
    let findings = report["findings"]
        .as_array()
        .ok_or_else(|| bad("the report has no `findings` list".into()))?;
    findings
        .iter()
        .map(|finding| {
            finding["id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| bad("a finding has no `id`".into()))
        })
        .collect()
}
