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
    /// When the place's goroutines came with several stacks: each (one `function file:line`
    /// per line) with its goroutines; empty when they all had the example's.
    pub stacks: &'a [(String, u64)],
    /// Goroutines whose stacks were not kept: only a rule without `stack` can cover them.
    pub stacks_untold: u64,
    pub goroutines: u64,
    /// An inline ignore already claims the place: rules that match still count as used, but
    /// none suppresses it.
    pub ignored_inline: bool,
}

/// What the rules say about every place.
#[derive(Debug, Default)]
pub struct Applied {
    /// Per place: the index of the rule that suppresses it. A place's goroutines are each
    /// covered by the first rule in precedence order that matches them (their stack, for a
    /// rule with `stack`), has not expired and allows the count it would cover; the place is
    /// suppressed when all of them are covered, and named after the rule covering the most.
    pub hits: Vec<Option<usize>>,
    /// Per place, when no rule suppresses it: the first rule that would have covered some of
    /// its goroutines but for its `max_goroutines`, and how many.
    pub over_bound: Vec<Option<(usize, u64)>>,
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
        over_bound: Vec::with_capacity(subjects.len()),
        matched: vec![0; rules.len()],
        warnings: Vec::new(),
    };
    for subject in subjects {
        let Some(subject) = subject else {
            applied.hits.push(None);
            applied.over_bound.push(None);
            continue;
        };
        let (hit, over) = cover(rules, subject, today, &mut applied);
        applied.hits.push(hit);
        applied
            .over_bound
            .push(if hit.is_none() { over } else { None });
    }
    applied
}

/// The goroutines of a place by stack: one group with the example's stack, or the groups
/// the profile told apart (and the untold rest, with no stack).
fn stack_groups<'a>(subject: &Subject<'a>) -> Vec<(Option<&'a str>, u64)> {
    if subject.stacks.is_empty() {
        return vec![(None, subject.goroutines)];
    }
    let mut groups: Vec<(Option<&str>, u64)> = subject
        .stacks
        .iter()
        .map(|(stack, goroutines)| (Some(stack.as_str()), *goroutines))
        .collect();
    if subject.stacks_untold > 0 {
        groups.push((None, subject.stacks_untold));
    }
    groups
}

/// Which rules cover a place's goroutines (see [`Applied::hits`]): the suppressing rule,
/// and the first rule over its bound. Counts matches and warns about bounds in `applied`.
fn cover(
    rules: &[Rule],
    subject: &Subject<'_>,
    today: Date,
    applied: &mut Applied,
) -> (Option<usize>, Option<(usize, u64)>) {
    let groups = stack_groups(subject);
    let told_apart = !subject.stacks.is_empty();
    let mut covered = vec![false; groups.len()];
    let mut covering: Vec<(usize, u64)> = Vec::new();
    let mut over = None;
    for (index, rule) in rules.iter().enumerate() {
        if !rule.matches_place(subject) {
            continue;
        }
        let matching: Vec<usize> = (0..groups.len())
            .filter(|&at| match (&rule.stack, groups[at].0) {
                (None, _) => true,
                (Some(glob), Some(stack)) => stack_matches(glob, stack.lines()),
                // The example's stack stands for all when the profile told none apart.
                (Some(glob), None) => {
                    !told_apart && stack_matches(glob, subject.stack.iter().map(String::as_str))
                }
            })
            .collect();
        if matching.is_empty() {
            continue;
        }
        applied.matched[index] += 1;
        if subject.ignored_inline || rule.expired(today) {
            continue;
        }
        let open: Vec<usize> = matching.into_iter().filter(|&at| !covered[at]).collect();
        if open.is_empty() {
            continue;
        }
        // Each stack's count is its worst snapshot's; over several snapshots they can add up
        // to more than the place ever held at once.
        let goroutines = open
            .iter()
            .fold(0u64, |sum, &at| sum.saturating_add(groups[at].1))
            .min(subject.goroutines);
        if let Some(max) = rule.max_goroutines.filter(|&max| goroutines >= max) {
            applied.warnings.push(Warning::RuleOverBound {
                rule: rule.id.clone(),
                origin: rule.origin.clone(),
                max,
                file: subject.file.to_string(),
                line: subject.line,
                goroutines,
            });
            over = over.or(Some((index, goroutines)));
            continue;
        }
        for at in open {
            covered[at] = true;
        }
        covering.push((index, goroutines));
    }
    let hit = covered
        .iter()
        .all(|&done| done)
        .then(|| {
            // The rule covering the most goroutines names the suppression; ties go to the
            // earlier rule.
            covering
                .iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(index, _)| *index)
        })
        .flatten();
    (hit, over)
}

/// Whether any frame of a stack (`function file:line` each) has a function the glob matches.
fn stack_matches<'s>(glob: &Glob, mut frames: impl Iterator<Item = &'s str>) -> bool {
    frames.any(|frame| glob.matches(frame.split(' ').next().unwrap_or(frame)))
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

    /// Whether the conditions on the place itself hold: function, file, line, op (`stack` is
    /// weighed per stack by [`apply`]).
    fn matches_place(&self, subject: &Subject<'_>) -> bool {
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
mod tests;
