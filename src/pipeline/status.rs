//! A place's status and verdict, decided in one function from everything the stages found out
//! about it. No stage sets either: each gathers evidence, and [`decide`] weighs it.

use crate::blocking::Op;
use crate::model::warning::IGNORE_MARKER;
use crate::model::{
    Exclusion, FoundBy, Note, PatternId, Status, Suppression, SuppressionKind, Trend, Verdict,
    Warning,
};
use crate::source::analyze::{Bound, BoundKind, Check};

/// What the stages found out about one place.
#[derive(Clone, Copy, Debug)]
pub struct Evidence<'a> {
    /// Not own code, and not asked for.
    pub exclusion: Option<&'a Exclusion>,
    /// The reason of an inline ignore on a line that holds the operation.
    pub ignore: Option<&'a str>,
    /// The allowlist rule that would suppress the place.
    pub rule: Option<RuleEvidence<'a>>,
    /// The first rule that matches but allows fewer goroutines than the place has, when no
    /// rule suppresses it.
    pub over_bound: Option<OverBound<'a>>,
    /// Cases that end the select's wait by themselves, in source order.
    pub bounds: &'a [Bound],
    /// The file name and line of the select, for the reason a bound gives.
    pub place: (&'a str, u32),
    /// Goroutines the garbage collector proved leaked.
    pub leaked: u64,
    /// Some snapshot had at least its threshold of goroutines here.
    pub over_threshold: bool,
    /// The op as findings name it.
    pub op: Op,
    /// The source was read at the place's line (`--repo`).
    pub source_checked: bool,
    /// How the count moved over three or more snapshots.
    pub trend: Option<Trend>,
    /// The highest automatic threshold a snapshot set, with `--threshold auto`.
    pub auto_bar: Option<u64>,
    /// The place looks like a fixed pool of workers.
    pub pool: Option<PoolEvidence<'a>>,
    /// A leak pattern whose lines were all found in the source and that shows how the
    /// goroutines are abandoned.
    pub pattern: Option<PatternId>,
    /// What found the place: a lint finding has no goroutines to weigh against a threshold.
    pub found_by: FoundBy,
}

impl Default for Evidence<'_> {
    /// A place with no evidence at all: own code, not over any threshold, unchecked.
    fn default() -> Self {
        Evidence {
            exclusion: None,
            ignore: None,
            rule: None,
            over_bound: None,
            bounds: &[],
            place: ("", 0),
            leaked: 0,
            over_threshold: false,
            op: Op::Unknown,
            source_checked: false,
            trend: None,
            auto_bar: None,
            pool: None,
            pattern: None,
            found_by: FoundBy::Profile,
        }
    }
}

/// A steady place whose goroutines one function started in a loop of a fixed count.
#[derive(Clone, Copy, Debug)]
pub struct PoolEvidence<'a> {
    pub goroutines: u64,
    pub creator: &'a str,
    pub snapshots: usize,
}

/// What [`decide`] concluded.
#[derive(Clone, Debug)]
pub struct Decision {
    pub status: Status,
    pub suppression: Option<Suppression>,
    pub verdict: Verdict,
    pub notes: Vec<Note>,
    /// What the report must say about the decision: a suppression of a leak the GC proved.
    pub warnings: Vec<Warning>,
}

#[derive(Clone, Copy, Debug)]
pub struct RuleEvidence<'a> {
    pub id: &'a str,
    pub reason: &'a str,
    pub owner: Option<&'a str>,
    /// Shipped with leakprof (`rules/*.yaml`), not written by the user.
    pub builtin: bool,
}

/// A rule that matches a place with at least its `max_goroutines`.
#[derive(Clone, Copy, Debug)]
pub struct OverBound<'a> {
    pub rule: &'a str,
    pub max: u64,
    pub goroutines: u64,
    /// The rule's words for what so many mean.
    pub says: Option<&'a str>,
}

/// Settings the decision depends on.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// `<-ctx.Done()` counts as a bound.
    pub ctx_done_bounds: bool,
    /// GC-proven places are reported even below the threshold.
    pub confirmed_below_threshold: bool,
}

/// The status of a place, what suppressed it, and how sure leakprof is that it leaks.
///
/// Status, in order: code that is not own is excluded; an inline ignore wins over every rule
/// and heuristic; then the first allowlist rule, unless it is built in and the GC proved the
/// goroutines leaked (a built-in rule describes a healthy daemon, and a proven leak is not
/// one: the finding carries a note naming the rule); then a bounded select, unless the GC
/// proved the goroutines leaked (a heuristic never overrules the GC); what is left is reported
/// when over the threshold, proven leaked, growing under an automatic threshold, or found by
/// lint (no count to judge), else below it. The user's own word (a rule of theirs, an inline
/// ignore) may still suppress a proven leak, never quietly: the decision carries a warning.
///
/// Verdict: `proven` when the GC proved goroutines there leaked; `likely` when the place grows
/// over three or more snapshots or the source shows the path that abandons its goroutines (a
/// leak pattern), unless it looks like a fixed pool (pool evidence outranks everything but
/// the GC); `possible` otherwise.
pub fn decide(evidence: &Evidence<'_>, policy: Policy) -> Decision {
    let mut notes = Vec::new();
    let verdict = if evidence.leaked > 0 {
        Verdict::Proven
    } else if let Some(pool) = evidence.pool {
        notes.push(Note::Pool {
            goroutines: pool.goroutines,
            creator: pool.creator.to_string(),
            snapshots: pool.snapshots,
        });
        Verdict::Possible
    } else if evidence.trend == Some(Trend::Growing) || evidence.pattern.is_some() {
        Verdict::Likely
    } else {
        Verdict::Possible
    };
    if evidence.op == Op::Select && !evidence.source_checked && evidence.exclusion.is_none() {
        notes.push(Note::SelectUnchecked);
    }
    let overruled = evidence
        .rule
        .filter(|rule| rule.builtin && evidence.leaked > 0 && evidence.exclusion.is_none());
    let weighed = Evidence {
        rule: evidence.rule.filter(|_| overruled.is_none()),
        ..*evidence
    };
    let (status, suppression) = status(&weighed, policy);
    let by_bound = suppression
        .as_ref()
        .is_some_and(|suppression| suppression.verified.is_some());
    notes.extend(bound_notes(evidence, by_bound));
    if let Some(rule) = overruled {
        notes.push(Note::BuiltinRuleOverruled {
            rule: rule.id.to_string(),
        });
    }
    if let (Some(over), None) = (evidence.over_bound, evidence.exclusion) {
        notes.push(Note::OverRuleBound {
            rule: over.rule.to_string(),
            max: over.max,
            goroutines: over.goroutines,
            says: over.says.map(str::to_string),
        });
    }
    if status == Status::Reported && !evidence.over_threshold && evidence.leaked == 0 {
        if let Some(bar) = evidence.auto_bar {
            notes.push(Note::GrowingUnderAutoBar { bar });
        }
    }
    // Only the user's own rule or inline ignore can overrule the GC; say so every time.
    let mut warnings = Vec::new();
    if let (Some(suppression), true) = (&suppression, evidence.leaked > 0) {
        let by = match &suppression.rule {
            Some(rule) => format!("rule {rule}"),
            None => IGNORE_MARKER.to_string(),
        };
        let (file, line) = evidence.place;
        warnings.push(Warning::ProvenLeakSuppressed {
            file: file.to_string(),
            line,
            leaked: evidence.leaked,
            by,
        });
    }
    Decision {
        status,
        suppression,
        verdict,
        notes,
        warnings,
    }
}

fn status(evidence: &Evidence<'_>, policy: Policy) -> (Status, Option<Suppression>) {
    if evidence.exclusion.is_some() {
        return (Status::Excluded, None);
    }
    if let Some(reason) = evidence.ignore {
        return suppressed(SuppressionKind::Inline, reason.to_string(), None, None);
    }
    if let Some(rule) = evidence.rule {
        return suppressed(
            SuppressionKind::Allowlist,
            rule.reason.to_string(),
            Some(rule.id.to_string()),
            rule.owner.map(str::to_string),
        );
    }
    if let (Some(bound), 0) = (waking_bound(evidence, policy), evidence.leaked) {
        let select = evidence.op == Op::Select;
        let kind = match (bound.kind, select) {
            (BoundKind::Timer, true) => SuppressionKind::SelectTimer,
            (BoundKind::Ticker, true) => SuppressionKind::SelectTicker,
            (BoundKind::CtxDone, true) => SuppressionKind::SelectCtxDone,
            (BoundKind::Timer, false) => SuppressionKind::WaitTimer,
            (BoundKind::Ticker, false) => SuppressionKind::WaitTicker,
            (BoundKind::CtxDone, false) => SuppressionKind::WaitCtxDone,
        };
        let (file, line) = evidence.place;
        let file_name = file.rsplit('/').next().unwrap_or(file);
        let (status, suppression) =
            suppressed(kind, bound.reason(file_name, line, select), None, None);
        let suppression = suppression.map(|suppression| Suppression {
            verified: Some(bound.check == Check::Fires),
            ..suppression
        });
        return (status, suppression);
    }
    let proven = evidence.leaked > 0 && policy.confirmed_below_threshold;
    // An automatic bar is set from the places themselves; a growing place is never under it.
    let growing = evidence.auto_bar.is_some() && evidence.trend == Some(Trend::Growing);
    // The source alone showed the pattern: there is no count for a threshold to judge.
    let linted = evidence.found_by == FoundBy::Lint;
    if evidence.over_threshold || proven || growing || linted {
        (Status::Reported, None)
    } else {
        (Status::BelowThreshold, None)
    }
}

/// The bound that wakes the wait, if one does: in a select, a case the source shows fires,
/// else one it could not tell about (suppressed, but said to be unverified); a bare wait only
/// when its bound fires. Contexts count unless `--no-ctx-done`.
fn waking_bound<'a>(evidence: &Evidence<'a>, policy: Policy) -> Option<&'a Bound> {
    let usable = || {
        evidence
            .bounds
            .iter()
            .filter(|bound| policy.ctx_done_bounds || bound.kind != BoundKind::CtxDone)
    };
    let fires = usable().find(|bound| bound.check == Check::Fires);
    if evidence.op != Op::Select {
        return fires;
    }
    fires.or_else(|| usable().find(|bound| matches!(bound.check, Check::Unverified { .. })))
}

/// Notes on the bounds that do not wake the wait: those that can never fire, and those of a
/// bare wait that could not be told.
fn bound_notes(evidence: &Evidence<'_>, suppressed: bool) -> Vec<Note> {
    if suppressed {
        return Vec::new();
    }
    evidence
        .bounds
        .iter()
        .filter_map(|bound| match &bound.check {
            Check::Never { why, .. } => Some(Note::BoundNever {
                expr: bound.expr.clone(),
                line: bound.line,
                why: why.clone(),
            }),
            Check::Unverified { why, .. } if evidence.op != Op::Select => {
                Some(Note::BoundUnverified {
                    expr: bound.expr.clone(),
                    line: bound.line,
                    why: why.clone(),
                })
            }
            _ => None,
        })
        .collect()
}

fn suppressed(
    kind: SuppressionKind,
    reason: String,
    rule: Option<String>,
    owner: Option<String>,
) -> (Status, Option<Suppression>) {
    let suppression = Suppression {
        kind,
        reason,
        rule,
        owner,
        verified: None,
    };
    (Status::Suppressed, Some(suppression))
}

#[cfg(test)]
mod tests;
