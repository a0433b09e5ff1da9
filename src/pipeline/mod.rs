//! The report pipeline, one stage after another: read profiles (classified and aggregated by
//! place as they stream) → merge snapshots → check the source → owners → allowlists → decide
//! each place's status → ids → baseline → summary. Each stage takes typed input and returns
//! typed output; a place's status is decided in one function ([`status::decide`]) from the
//! evidence the stages gathered.
//!
//! One file a stage, in order: `read` the profiles, split and merge `places`, look at the
//! `source`, find the `owners`, tell each place's `patterns`, apply the allowlists and
//! `decide` each place (weighing its evidence in [`status`]), `assemble` the findings and
//! `finish` them. The `rules` are read before any of them; [`lint`] runs lint findings
//! through the same stages. What stops a whole run is a [`RunError`] (`error`).

mod assemble;
mod decide;
mod error;
mod finish;
pub mod lint;
mod owners;
mod patterns;
mod places;
mod read;
mod rules;
mod source;
pub mod status;

use crate::allowlist::Applied;
use crate::cli::Threshold;
use crate::config::ReportConfig;
use crate::model::id;
use crate::model::{Report, SCHEMA_VERSION, SourceInfo, Tool};
use crate::source::repo::Source;
pub use error::RunError;
use status::Decision;

/// Reads every profile `config` names and builds the report.
pub fn build_report(config: &ReportConfig) -> Result<Report, RunError> {
    // A bad --repo or --rev, rules file or baseline fails the run before any profile is read.
    let source = open_source(config)?;
    let rules = rules::load(&config.rules, source.as_ref())?;
    let mut warnings = Vec::new();
    let baseline = match &config.baseline {
        Some(path) => Some(rules::read_baseline(path, &mut warnings)?),
        None => None,
    };

    let read =
        read::profiles(config, &mut warnings).map_err(|none| RunError::NoProfiles(none.0))?;
    let (places, other) = places::split_places(read.merged, read.evidence, &read.timeline);
    let (checks, markers) = source::check_source(&places, source.as_ref(), &mut warnings)?;
    let (places, checks) = places::merge_same_code(places, checks, &read.timeline);
    warnings.extend(source::unused_ignores(&places, &checks, markers));
    let owners = owners::assign_owners(&places, &checks, source.as_ref(), &mut warnings);
    let exclusions = source::exclusions(&places, &checks, config);
    let applied = decide::apply_rules(&rules, &places, &checks, &exclusions, config);
    warnings.extend(applied.warnings.iter().cloned());
    let told = patterns::tell(&places, &checks);
    let known = decide::gather(places, checks, exclusions, owners, told, &applied);
    let auto_bar = decide::automatic_bar(&read.entries, config);
    let decided = decide::decide_all(&known, &rules, auto_bar, config);
    warnings.extend(
        decided
            .iter()
            .flat_map(|decision| decision.warnings.clone()),
    );
    let root = source.as_ref().and_then(|source| source.provenance());
    let prefix = root.as_ref().map(|found| found.path_in_repository.as_str());
    // `--lint`: the lint's findings of the files the places are in, through the same stages.
    let linted = match (config.lint, source.as_ref()) {
        (true, Some(source)) => Some(lint::for_report(
            &known,
            source,
            &rules,
            config.rules.today,
            prefix,
            &mut warnings,
        )?),
        _ => None,
    };
    let usage = match &linted {
        Some((staged, _)) => {
            let mut both = Applied {
                hits: applied.hits.clone(),
                over_bound: Vec::new(),
                matched: applied.matched.clone(),
                warnings: Vec::new(),
            };
            both.hits.extend(staged.applied.hits.iter().copied());
            for (count, more) in both.matched.iter_mut().zip(&staged.applied.matched) {
                *count += more;
            }
            let decisions: Vec<Decision> = decided.iter().chain(&staged.decided).cloned().collect();
            decide::rule_usage(&rules, &both, &decisions, config.rules.today, &mut warnings)
        }
        None => decide::rule_usage(
            &rules,
            &applied,
            &decided,
            config.rules.today,
            &mut warnings,
        ),
    };
    let ids = assemble::ids(&known, prefix);
    let mut findings = assemble::assemble(known, decided, ids, config.labels.group.as_deref());
    let lint_info = linted.map(|(staged, info)| {
        let mut lint_findings = staged.findings;
        lint::cross_link(&mut findings, &mut lint_findings);
        findings.extend(lint_findings);
        info
    });
    let findings = finish::against_baseline(findings, baseline.as_ref());
    let mut summary = finish::summarize(&read.entries, &findings, &other);
    let (findings, other) =
        finish::for_owner(findings, other, config.owner.as_deref(), &mut warnings);
    summary.count_reported(&findings);
    let hints = finish::hints(&read.entries, &findings);

    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        id_version: id::ID_VERSION,
        threshold: match config.threshold {
            Threshold::Fixed(n) => Some(n),
            Threshold::Auto => None,
        },
        source: source
            .as_ref()
            .zip(config.source.as_ref())
            .map(|(source, asked)| {
                let provenance = source.provenance();
                SourceInfo {
                    repo: asked.repo.display().to_string(),
                    revision: source
                        .commit()
                        .map(|_| asked.rev.clone().unwrap_or_else(|| "HEAD".into())),
                    commit: source.commit(),
                    path_in_repository: provenance
                        .as_ref()
                        .map(|found| found.path_in_repository.clone()),
                    remote: provenance.and_then(|found| found.remote),
                }
            }),
        summary,
        profiles: read.entries,
        findings,
        other_blocking: config.show_other_blocking.then_some(other),
        rules: usage,
        warnings,
        hints,
        lint: lint_info,
    })
}

fn open_source(config: &ReportConfig) -> Result<Option<Source>, RunError> {
    match &config.source {
        Some(asked) => Ok(Some(Source::open(&asked.repo, asked.rev.as_deref())?)),
        None => Ok(None),
    }
}
