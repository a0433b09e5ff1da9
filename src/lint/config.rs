//! Every decision the flags of `leakprof lint` imply, settled once, as
//! [`crate::config::ReportConfig`] does for `report` (and with its helpers, so both commands
//! decide the fail-on policy and the output the same way).

use std::path::PathBuf;

use super::{Scope, files};
use crate::cli::{FailOn, LintArgs};
use crate::config::{ConfigError, OutputConfig, OutputFlags, RulesConfig, SourceConfig, fail_on};
use crate::date::Date;
use crate::model::Verdict;

/// What `leakprof lint` was asked to do.
#[derive(Clone, Debug)]
pub struct LintConfig {
    pub source: SourceConfig,
    pub scope: Scope,
    pub rules: RulesConfig,
    pub baseline: Option<PathBuf>,
    pub fail_on: FailOn,
    /// Lint findings are `likely` (or suppressed): every reported one fails.
    pub fail_verdict: Verdict,
    pub owner: Option<String>,
    pub output: OutputConfig,
}

impl LintConfig {
    pub fn new(
        args: &LintArgs,
        stdout_is_terminal: bool,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<LintConfig, ConfigError> {
        Ok(LintConfig {
            source: SourceConfig {
                repo: args.repo.clone(),
                rev: args.rev.clone(),
            },
            scope: Scope {
                paths: args
                    .paths
                    .iter()
                    .map(|path| files::normalize(path))
                    .collect(),
                only: None,
                diff: args.diff.clone(),
            },
            rules: RulesConfig {
                files: args.rules.clone(),
                repo_rules: !args.no_repo_rules,
                builtin: !args.no_builtin_rules,
                today: args.today.unwrap_or_else(Date::today),
            },
            baseline: args.baseline.clone(),
            fail_on: fail_on(args.fail_on, args.baseline.is_some())?,
            fail_verdict: Verdict::Possible,
            owner: args.owner.clone(),
            output: OutputConfig::new(
                &OutputFlags {
                    format: args.format,
                    outputs: &args.outputs,
                    color: args.color,
                    sarif_suppressed: args.sarif_suppressed,
                    sarif_category: args.sarif_category.as_deref(),
                    mention_owners: args.mention_owners,
                    link_template: args.link_template.as_deref(),
                },
                stdout_is_terminal,
                &env,
            )?,
        })
    }
}
