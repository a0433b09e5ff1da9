//! Applying rules to findings: which rule matches a finding, which one suppresses it, and
//! what each rule did in the run (used, unused, expired).

use crate::blocking::Op;
use crate::date::Date;
use crate::model::{Finding, RuleUsage, Status, Suppression, SuppressionKind};

use super::{Glob, Rule, RuleSource};

/// Applies `rules` (in precedence order) to every finding that is not excluded; a finding
/// suppressed inline keeps that suppression. Returns each rule's usage and the warnings to report.
pub fn apply(
    rules: &[Rule],
    findings: &mut [Finding],
    today: Date,
) -> (Vec<RuleUsage>, Vec<String>) {
    let mut usage: Vec<RuleUsage> = rules
        .iter()
        .map(|rule| RuleUsage {
            id: rule.id.clone(),
            origin: rule.origin.clone(),
            matched: 0,
            suppressed: 0,
            expires: rule.expires.map(|date| date.to_string()),
            expired: rule.expires.is_some_and(|expires| today >= expires),
        })
        .collect();
    let mut warnings = Vec::new();
    for finding in findings.iter_mut() {
        if finding.status == Status::Excluded {
            continue;
        }
        // An inline ignore wins over every rule; rules that match still count as used.
        let mut suppressed_by_rule = finding
            .suppression
            .as_ref()
            .is_some_and(|suppression| suppression.kind == SuppressionKind::Inline);
        for (rule, usage) in rules.iter().zip(usage.iter_mut()) {
            if !rule.matches(finding) {
                continue;
            }
            usage.matched += 1;
            if suppressed_by_rule || usage.expired {
                continue;
            }
            if let Some(max) = rule.max_goroutines.filter(|&max| finding.goroutines >= max) {
                warnings.push(format!(
                    "rule {} ({}) allows fewer than {max} goroutines, but {}:{} has {}: reported",
                    rule.id, rule.origin, finding.file, finding.line, finding.goroutines
                ));
                continue;
            }
            suppressed_by_rule = true;
            usage.suppressed += 1;
            finding.status = Status::Suppressed;
            finding.suppression = Some(Suppression {
                kind: SuppressionKind::Allowlist,
                reason: rule.reason.clone(),
                rule: Some(rule.id.clone()),
                owner: rule.owner.clone(),
            });
        }
    }
    for (rule, usage) in rules.iter().zip(&usage) {
        if rule.source == RuleSource::Builtin {
            continue;
        }
        if usage.expired {
            warnings.push(format!(
                "rule {} ({}) expired on {} and no longer suppresses anything{}",
                rule.id,
                rule.origin,
                usage.expires.as_deref().unwrap_or_default(),
                match usage.matched {
                    0 => String::new(),
                    n => format!(" ({n} matching finding{})", if n == 1 { "" } else { "s" }),
                }
            ));
        } else if usage.matched == 0 {
            warnings.push(format!(
                "rule {} ({}) matched no finding",
                rule.id, rule.origin
            ));
        }
    }
    (usage, warnings)
}

impl Rule {
    /// Whether every condition the rule names holds for `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        if let Some(glob) = &self.function {
            if !glob.matches(&finding.function) {
                return false;
            }
        }
        if let Some(glob) = &self.file {
            if !file_matches(glob, &finding.file) {
                return false;
            }
        }
        if self.line.is_some_and(|line| line != finding.line) {
            return false;
        }
        if let Some(op) = self.op {
            if !op_matches(op, finding.op) {
                return false;
            }
        }
        if let Some(glob) = &self.stack {
            let any_frame = finding
                .stack
                .iter()
                .any(|frame| glob.matches(frame.split(' ').next().unwrap_or(frame)));
            if !any_frame {
                return false;
            }
        }
        true
    }
}

/// A file glob is written against repository-relative paths; without `--repo` a finding's
/// file is the absolute build path, so the glob may match any trailing part of it.
fn file_matches(glob: &Glob, file: &str) -> bool {
    if glob.matches(file) {
        return true;
    }
    file.starts_with('/')
        && file
            .match_indices('/')
            .any(|(at, _)| glob.matches(&file[at + 1..]))
}

/// `send` and `receive` name families: `receive` also matches a range loop and a nil
/// channel, so a rule keeps matching when `--repo` refines the op. A debug=1 finding checked
/// without source has op `unknown`, which any op matches: the profile cannot say otherwise.
fn op_matches(rule: Op, finding: Op) -> bool {
    if finding == Op::Unknown {
        return true;
    }
    match rule {
        Op::Send => matches!(finding, Op::Send | Op::NilSend),
        Op::Receive => matches!(finding, Op::Receive | Op::Range | Op::NilReceive),
        other => other == finding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_globs_match_absolute_paths_by_their_tail() {
        let glob = Glob::path("billing/**/*.go").unwrap();
        assert!(file_matches(&glob, "/build/shop/billing/poll/x.go"));
        assert!(!file_matches(&glob, "/build/shop/orders/x.go"));
    }

    #[test]
    fn op_families() {
        assert!(op_matches(Op::Receive, Op::Range));
        assert!(op_matches(Op::Send, Op::NilSend));
        assert!(!op_matches(Op::Range, Op::Receive));
        assert!(!op_matches(Op::Select, Op::SelectNoCases));
        assert!(op_matches(Op::Send, Op::Unknown));
    }
}
