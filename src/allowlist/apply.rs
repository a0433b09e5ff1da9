//! Matching rules against places: which rules match each place, which one would suppress
//! it, and what each rule did in the run (used, unused, expired). Whether it is suppressed in
//! the end is the pipeline's decision.

use crate::blocking::Op;
use crate::date::Date;
use crate::model::{RuleUsage, Warning};

use super::{Glob, Rule, RuleSource};

/// A place as rules see it.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub function: &'a str,
    /// Repository-relative with `--repo`, else the profile's path.
    pub file: &'a str,
    pub line: u32,
    pub op: Op,
    /// The example stack, innermost first: `function file:line`.
    pub stack: &'a [String],
    pub goroutines: u64,
    /// An inline ignore already claims the place: rules that match still count as used, but
    /// none suppresses it.
    pub ignored_inline: bool,
}

/// What the rules say about every place.
#[derive(Debug, Default)]
pub struct Applied {
    /// Per place: the index of the rule that suppresses it, the first in precedence order
    /// that matches, has not expired and allows its count.
    pub hits: Vec<Option<usize>>,
    /// Per rule: how many places it matches.
    pub matched: Vec<u64>,
    /// Rules that matched a place with more goroutines than they allow.
    pub warnings: Vec<Warning>,
}

/// Matches `rules` (in precedence order) against every place; `None` places (not own code)
/// are not matched. Decides nothing: the pipeline weighs a hit with the other evidence.
pub fn apply(rules: &[Rule], subjects: &[Option<Subject<'_>>], today: Date) -> Applied {
    let mut applied = Applied {
        hits: Vec::with_capacity(subjects.len()),
        matched: vec![0; rules.len()],
        warnings: Vec::new(),
    };
    for subject in subjects {
        let Some(subject) = subject else {
            applied.hits.push(None);
            continue;
        };
        let mut hit = None;
        for (index, rule) in rules.iter().enumerate() {
            if !rule.matches(subject) {
                continue;
            }
            applied.matched[index] += 1;
            if subject.ignored_inline || hit.is_some() || rule.expired(today) {
                continue;
            }
            if let Some(max) = rule.max_goroutines.filter(|&max| subject.goroutines >= max) {
                applied.warnings.push(Warning::RuleOverBound {
                    rule: rule.id.clone(),
                    origin: rule.origin.clone(),
                    max,
                    file: subject.file.to_string(),
                    line: subject.line,
                    goroutines: subject.goroutines,
                });
                continue;
            }
            hit = Some(index);
        }
        applied.hits.push(hit);
    }
    applied
}

/// How each rule fared, given how many places it matched and suppressed; warnings for user
/// rules that expired or matched nothing (built-in rules are listed only when they matched).
pub fn usage(
    rules: &[Rule],
    matched: &[u64],
    suppressed: &[u64],
    today: Date,
) -> (Vec<RuleUsage>, Vec<Warning>) {
    let mut listed = Vec::new();
    let mut warnings = Vec::new();
    for ((rule, &matched), &suppressed) in rules.iter().zip(matched).zip(suppressed) {
        let usage = RuleUsage {
            id: rule.id.clone(),
            origin: rule.origin.clone(),
            matched,
            suppressed,
            expires: rule.expires.map(|date| date.to_string()),
            expired: rule.expired(today),
        };
        if rule.source == RuleSource::Builtin {
            if matched > 0 {
                listed.push(usage);
            }
            continue;
        }
        if usage.expired {
            warnings.push(Warning::RuleExpired {
                rule: rule.id.clone(),
                origin: rule.origin.clone(),
                expires: usage.expires.clone().unwrap_or_default(),
                matched,
            });
        } else if matched == 0 {
            warnings.push(Warning::RuleUnused {
                rule: rule.id.clone(),
                origin: rule.origin.clone(),
            });
        }
        listed.push(usage);
    }
    (listed, warnings)
}

impl Rule {
    /// From `expires` on, a rule no longer suppresses.
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| today >= expires)
    }

    /// Whether every condition the rule names holds for `subject`.
    pub fn matches(&self, subject: &Subject<'_>) -> bool {
        if let Some(glob) = &self.function {
            if !glob.matches(subject.function) {
                return false;
            }
        }
        if let Some(glob) = &self.file {
            if !file_matches(glob, subject.file) {
                return false;
            }
        }
        if self.line.is_some_and(|line| line != subject.line) {
            return false;
        }
        if let Some(op) = self.op {
            if !op_matches(op, subject.op) {
                return false;
            }
        }
        if let Some(glob) = &self.stack {
            let any_frame = subject
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
