//! The findings, each built once from everything the stages found about its place, in report
//! order; and every place's id.

use std::collections::BTreeMap;

use super::decide::Known;
use super::places::{Place, file_of, op_of};
use super::status::Decision;
use crate::model::id::{self, IdParts};
use crate::model::{Finding, FoundBy, LabelGroups, LabelValue};

/// Builds each finding once, from everything the stages found.
pub(super) fn assemble(
    known: Vec<Known>,
    decided: Vec<Decision>,
    ids: Vec<String>,
    group_key: Option<&str>,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = known
        .into_iter()
        .zip(decided)
        .zip(ids)
        .map(|((known, decision), id)| {
            let Known {
                place,
                check,
                exclusion,
                owners,
                told,
                ..
            } = known;
            let op = op_of(&place, &check);
            let repo_path = check
                .as_ref()
                .and_then(|check| check.location.repo_path())
                .map(str::to_string);
            let Place {
                site,
                tally,
                leaked,
                movement,
                ..
            } = place;
            // The profile's path is kept beside the repository's, or is the file.
            let (file, profile_file) = match repo_path {
                Some(path) => (path, Some(site.file)),
                None => (site.file, None),
            };
            Finding {
                id,
                found_by: FoundBy::Profile,
                confirmed_by: None,
                lint_finding: None,
                function: site.function,
                profile_file,
                file,
                line: site.line,
                op,
                goroutines: tally.goroutines,
                total_goroutines: tally.total_goroutines,
                profiles: tally.profiles,
                status: decision.status,
                suppression: decision.suppression,
                verdict: decision.verdict,
                notes: decision.notes,
                stack: tally.stack.into(),
                created_by: tally.created_by,
                created_at: told.created_at,
                pattern: told.pattern,
                max_wait_minutes: tally.max_wait_minutes,
                leaked_goroutines: leaked,
                confirmed: leaked > 0,
                trend: movement.trend,
                growth_per_hour: movement.growth_per_hour,
                change: movement.change,
                instances: movement.instances,
                series: movement.series,
                by_label: label_groups(group_key, &tally.groups),
                exclusion,
                source: check.and_then(|check| check.evidence),
                labels: tally
                    .labels
                    .into_iter()
                    .map(|(key, values)| (key, values.into_iter().collect()))
                    .collect(),
                owners,
                new: None,
            }
        })
        .collect();
    findings.sort_by(|a, b| {
        a.verdict
            .cmp(&b.verdict)
            .then_with(|| b.goroutines.cmp(&a.goroutines))
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.function.cmp(&b.function))
            .then_with(|| a.op.cmp(&b.op))
    });
    findings
}

/// A place's goroutines by the values of the label to group by, most first.
fn label_groups(key: Option<&str>, groups: &BTreeMap<String, u64>) -> Option<LabelGroups> {
    let key = key?;
    let mut values: Vec<LabelValue> = groups
        .iter()
        .map(|(value, &goroutines)| LabelValue {
            value: value.clone(),
            goroutines,
        })
        .collect();
    values.sort_by(|a, b| {
        b.goroutines
            .cmp(&a.goroutines)
            .then_with(|| a.value.cmp(&b.value))
    });
    Some(LabelGroups {
        key: key.to_string(),
        values,
    })
}

/// Every place's id, from what identifies its code (see [`crate::model::id`]): its file
/// named from the repository's root (`prefix` is where `--repo` sits in it), so that
/// `--repo .` and `--repo services/api` give a leak the same id.
pub(super) fn ids(known: &[Known], prefix: Option<&str>) -> Vec<String> {
    let files: Vec<String> = known
        .iter()
        .map(|known| {
            let file = file_of(&known.place, &known.check);
            let mapped = known
                .check
                .as_ref()
                .is_some_and(|check| check.location.repo_path().is_some());
            match prefix.filter(|prefix| mapped && !prefix.is_empty()) {
                Some(prefix) => format!("{prefix}/{file}"),
                None => file.to_string(),
            }
        })
        .collect();
    let parts: Vec<IdParts<'_>> = known
        .iter()
        .zip(&files)
        .map(|(known, file)| (&known.place, &known.check, file))
        .map(|(place, check, file)| IdParts {
            file,
            line: place.site.line,
            function: &place.site.function,
            op: op_of(place, check),
            syntax: check.as_ref().and_then(|check| {
                check.location.repo_path()?;
                check.syntax.as_deref()
            }),
            twin: check.as_ref().and_then(|check| check.twin).unwrap_or(1),
        })
        .collect();
    id::assign(&parts)
}
