//! The last stages, on built findings: new against the baseline, `--owner`, the hints said
//! once, and the summary's counts.

use std::collections::HashSet;

use crate::model::{Finding, Hint, OtherBlocking, ProfileEntry, Status, Summary, Warning};
use crate::profile::Format;

pub(super) fn against_baseline(
    mut findings: Vec<Finding>,
    baseline: Option<&HashSet<String>>,
) -> Vec<Finding> {
    if let Some(baseline) = baseline {
        for finding in &mut findings {
            finding.new = Some(!baseline.contains(&finding.id));
        }
    }
    findings
}

/// `--owner`: only that owner's findings, and no other blocking.
pub(super) fn for_owner(
    mut findings: Vec<Finding>,
    mut other: Vec<OtherBlocking>,
    owner: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> (Vec<Finding>, Vec<OtherBlocking>) {
    if let Some(owner) = owner {
        let owns = |finding: &Finding| finding.owners.iter().any(|o| o.eq_ignore_ascii_case(owner));
        // Said apart from "no suspected leaks": an owner that owns nothing is a typo or a
        // team missing from CODEOWNERS, not good news.
        if !findings.iter().any(owns) {
            warnings.push(Warning::OwnerOwnsNothing {
                owner: owner.to_string(),
                known: findings.iter().any(|finding| !finding.owners.is_empty()),
            });
        }
        findings.retain(owns);
        other.clear();
    }
    (findings, other)
}

/// Once per report: a goroutineleak profile would prove leaks, when none was given and
/// something is reported.
pub(super) fn hints(entries: &[ProfileEntry], findings: &[Finding]) -> Vec<Hint> {
    let gc_evidence = entries
        .iter()
        .any(|entry| entry.format == Format::GoroutineLeak)
        || findings.iter().any(|finding| finding.leaked_goroutines > 0);
    let reported = findings.iter().any(|f| f.status == Status::Reported);
    if reported && !gc_evidence {
        vec![Hint::GoroutineLeakProfile]
    } else {
        Vec::new()
    }
}

/// Goroutine counts over every place found, whoever owns it; the reported findings are
/// counted once `--owner` has chosen them.
pub(super) fn summarize(
    entries: &[ProfileEntry],
    findings: &[Finding],
    other: &[OtherBlocking],
) -> Summary {
    let mut summary = Summary {
        goroutines: entries
            .iter()
            .filter(|entry| !entry.evidence)
            .fold(0u64, |sum, entry| sum.saturating_add(entry.goroutines)),
        ..Summary::default()
    };
    for finding in findings {
        if finding.op.is_channel() {
            summary.channel_blocked = summary
                .channel_blocked
                .saturating_add(finding.total_goroutines);
        }
        let kind = summary.by_kind.entry(finding.op.as_str()).or_default();
        *kind = kind.saturating_add(finding.total_goroutines);
    }
    for entry in other {
        let kind = summary.by_kind.entry(entry.kind).or_default();
        *kind = kind.saturating_add(entry.total_goroutines);
    }
    summary
}
