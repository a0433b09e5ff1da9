//! Lint findings through the stages a profile's findings go through: code owners, allowlist
//! rules and inline ignores, the status decision ([`super::status::decide`]), ids, the
//! baseline. `leakprof lint` builds a report of them alone ([`build_lint_report`]);
//! `report --lint` adds them to a profile report for the files its findings point to,
//! cross-linked with the profile findings at their places ([`for_report`], [`cross_link`]).

use std::collections::{BTreeSet, HashMap};

use super::decide::{Known, rule_usage};
use super::error::RunError;
use super::finish::{against_baseline, for_owner};
use super::owners::code_owners;
use super::rules;
use super::status::{self, Decision, Evidence, Policy, RuleEvidence};
use crate::allowlist::{self, Applied, Rule, RuleSource, Subject};
use crate::blocking::Op;
use crate::date::Date;
use crate::lint::config::LintConfig;
use crate::lint::{self, Found, Scope};
use crate::model::id::{self, IdParts};
use crate::model::{
    Finding, FoundBy, LintInfo, Report, SCHEMA_VERSION, SourceInfo, Summary, Tool, Warning,
};
use crate::owners::CodeOwners;
use crate::source::Location;
use crate::source::repo::Source;

/// Lints the revision `config` names and builds the report.
pub fn build_lint_report(config: &LintConfig) -> Result<Report, RunError> {
    let source = Source::open(&config.source.repo, config.source.rev.as_deref())?;
    let rules = rules::load(&config.rules, Some(&source))?;
    let mut warnings = Vec::new();
    let baseline = match &config.baseline {
        Some(path) => Some(rules::read_baseline(path, &mut warnings)?),
        None => None,
    };
    let provenance = source.provenance();
    let prefix = provenance
        .as_ref()
        .map(|found| found.path_in_repository.as_str());
    let linted = lint::lint(&source, &config.scope)?;
    warnings.extend(linted.warnings);
    let owners = code_owners(&source, &mut warnings);
    let staged = stage(
        linted.findings,
        &rules,
        owners.as_ref(),
        config.rules.today,
        prefix,
    );
    warnings.extend(staged.applied.warnings.iter().cloned());
    warnings.extend(
        staged
            .decided
            .iter()
            .flat_map(|decision| decision.warnings.clone()),
    );
    let usage = rule_usage(
        &rules,
        &staged.applied,
        &staged.decided,
        config.rules.today,
        &mut warnings,
    );
    let findings = against_baseline(staged.findings, baseline.as_ref());
    let (findings, _) = for_owner(findings, Vec::new(), config.owner.as_deref(), &mut warnings);
    let mut summary = Summary::default();
    summary.count_reported(&findings);
    let info = LintInfo {
        files: linted.files,
        packages: linted.packages,
        paths: config.scope.paths.clone(),
        diff_base: config.scope.diff.clone(),
        diff_commit: linted.diff_commit,
        findings: findings.len(),
    };
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        id_version: id::ID_VERSION,
        threshold: None,
        source: Some(SourceInfo {
            repo: config.source.repo.display().to_string(),
            revision: source
                .commit()
                .map(|_| config.source.rev.clone().unwrap_or_else(|| "HEAD".into())),
            commit: source.commit(),
            path_in_repository: provenance
                .as_ref()
                .map(|found| found.path_in_repository.clone()),
            remote: provenance.and_then(|found| found.remote),
        }),
        summary,
        profiles: Vec::new(),
        findings,
        other_blocking: None,
        rules: usage,
        warnings,
        hints: Vec::new(),
        lint: Some(info),
    })
}

/// Lint findings after the stages, with what the rules and the decisions were, in the order
/// of the operations found (which `rule_usage` pairs up).
pub(super) struct Staged {
    pub(super) findings: Vec<Finding>,
    pub(super) applied: Applied,
    pub(super) decided: Vec<Decision>,
}

/// Owners, rules, status, ids: each lint finding built once.
fn stage(
    found: Vec<Found>,
    rules: &[Rule],
    owners: Option<&CodeOwners>,
    today: Date,
    prefix: Option<&str>,
) -> Staged {
    let subjects: Vec<Option<Subject<'_>>> = found
        .iter()
        .map(|found| {
            Some(Subject {
                function: &found.function,
                file: &found.file,
                line: found.line,
                op: found.op,
                stack: "",
                stacks: &[],
                stacks_untold: 0,
                goroutines: 0,
                ignored_inline: found.ignore.is_some(),
            })
        })
        .collect();
    let applied = allowlist::apply(rules, &subjects, today);
    let policy = Policy {
        ctx_done_bounds: true,
        confirmed_below_threshold: true,
    };
    let decided: Vec<Decision> = found
        .iter()
        .zip(&applied.hits)
        .map(|(found, hit)| {
            let rule = hit.map(|index| &rules[index]).map(|rule| RuleEvidence {
                id: &rule.id,
                reason: &rule.reason,
                owner: rule.owner.as_deref(),
                builtin: rule.source == RuleSource::Builtin,
            });
            let evidence = Evidence {
                ignore: found.ignore.as_deref(),
                rule,
                place: (&found.file, found.line),
                op: found.op,
                source_checked: true,
                pattern: Some(found.pattern.id).filter(|id| id.shows_abandonment()),
                found_by: FoundBy::Lint,
                ..Evidence::default()
            };
            status::decide(&evidence, policy)
        })
        .collect();
    // Ids and code owners name the file from the repository's root, as a profile finding's
    // do.
    let files: Vec<String> = found
        .iter()
        .map(|found| match prefix.filter(|prefix| !prefix.is_empty()) {
            Some(prefix) => format!("{prefix}/{}", found.file),
            None => found.file.clone(),
        })
        .collect();
    let ids = id::assign_lint(
        &found
            .iter()
            .zip(&files)
            .map(|(found, file)| IdParts {
                file,
                line: found.line,
                function: &found.function,
                op: found.op,
                syntax: found.syntax.as_deref(),
                twin: found.twin.unwrap_or(1),
            })
            .collect::<Vec<_>>(),
    );
    let findings = found
        .into_iter()
        .zip(&decided)
        .zip(ids.into_iter().zip(&files))
        .map(|((found, decision), (id, from_root))| Finding {
            id,
            found_by: FoundBy::Lint,
            confirmed_by: None,
            lint_finding: None,
            owners: owners.map_or_else(Vec::new, |owners| owners.owners(from_root)),
            function: found.function,
            file: found.file,
            line: found.line,
            op: found.op,
            goroutines: 0,
            total_goroutines: 0,
            profiles: 0,
            status: decision.status,
            suppression: decision.suppression.clone(),
            verdict: decision.verdict,
            notes: decision.notes.clone(),
            stack: Default::default(),
            created_by: None,
            created_at: found.created_at,
            pattern: Some(found.pattern),
            max_wait_minutes: None,
            leaked_goroutines: 0,
            confirmed: false,
            trend: None,
            growth_per_hour: None,
            change: None,
            instances: Vec::new(),
            by_label: None,
            series: Vec::new(),
            profile_file: None,
            exclusion: None,
            source: Some(found.evidence),
            labels: Default::default(),
            new: None,
        })
        .collect();
    Staged {
        findings,
        applied,
        decided,
    }
}

/// `report --lint`: the lint findings of the files the profile's places are in (own code),
/// with what the lint read.
pub(super) fn for_report(
    known: &[Known],
    source: &Source,
    rules: &[Rule],
    today: Date,
    prefix: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Result<(Staged, LintInfo), RunError> {
    let files: BTreeSet<String> = known
        .iter()
        .filter_map(|known| match &known.check.as_ref()?.location {
            Location::Own(path) => Some(path.clone()),
            _ => None,
        })
        .collect();
    let (found, info) = if files.is_empty() {
        (Vec::new(), LintInfo::default())
    } else {
        let linted = lint::lint(
            source,
            &Scope {
                only: Some(files),
                ..Scope::default()
            },
        )?;
        warnings.extend(linted.warnings);
        let info = LintInfo {
            files: linted.files,
            packages: linted.packages,
            findings: linted.findings.len(),
            ..LintInfo::default()
        };
        (linted.findings, info)
    };
    // Owners were read for the profile's findings, with their warnings.
    let owners = code_owners(source, &mut Vec::new());
    let staged = stage(found, rules, owners.as_ref(), today, prefix);
    warnings.extend(staged.applied.warnings.iter().cloned());
    Ok((staged, info))
}

/// Links each lint finding to the profile finding at the same place (file, line and the
/// op's family), both ways.
pub(super) fn cross_link(profile: &mut [Finding], lint: &mut [Finding]) {
    let key = |finding: &Finding| -> (String, u32, Op) {
        (finding.file.clone(), finding.line, finding.op.family())
    };
    let lint_ids: HashMap<(String, u32, Op), String> = lint
        .iter()
        .map(|finding| (key(finding), finding.id.clone()))
        .collect();
    let mut profile_ids: HashMap<(String, u32, Op), String> = HashMap::new();
    for finding in profile.iter_mut() {
        if let Some(id) = lint_ids.get(&key(finding)) {
            finding.lint_finding = Some(id.clone());
            profile_ids.insert(key(finding), finding.id.clone());
        }
    }
    for finding in lint.iter_mut() {
        finding.confirmed_by = profile_ids.get(&key(finding)).cloned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::finding;

    #[test]
    fn links_go_both_ways() {
        let mut profile = vec![
            finding()
                .id("p1")
                .file("a/x.go")
                .line(7)
                .op(Op::Send)
                .build(),
            finding()
                .id("p2")
                .file("a/x.go")
                .line(9)
                .op(Op::Receive)
                .build(),
        ];
        let mut lint = vec![
            // A range is reported as a receive by the runtime.
            finding()
                .lint()
                .id("l1")
                .file("a/x.go")
                .line(9)
                .op(Op::Range)
                .build(),
            finding()
                .lint()
                .id("l2")
                .file("a/x.go")
                .line(7)
                .op(Op::Receive)
                .build(),
            finding()
                .lint()
                .id("l3")
                .file("a/y.go")
                .line(7)
                .op(Op::Send)
                .build(),
        ];
        cross_link(&mut profile, &mut lint);
        let links = |findings: &[Finding]| -> Vec<(Option<String>, Option<String>)> {
            findings
                .iter()
                .map(|f| (f.confirmed_by.clone(), f.lint_finding.clone()))
                .collect()
        };
        assert_eq!(
            links(&profile),
            [(None, None), (None, Some("l1".to_string()))]
        );
        assert_eq!(
            links(&lint),
            [(Some("p2".to_string()), None), (None, None), (None, None)]
        );
    }
}
