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
/// and heuristic; then the first allowlist rule; then a bounded select, unless the GC proved
/// the goroutines leaked (a heuristic never overrules the GC); what is left is reported when
/// over the threshold, proven leaked, growing under an automatic threshold, or found by lint
/// (no count to judge), else below it.
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
    let (status, suppression) = status(evidence, policy);
    let by_bound = suppression
        .as_ref()
        .is_some_and(|suppression| suppression.verified.is_some());
    notes.extend(bound_notes(evidence, by_bound));
    if status == Status::Reported && !evidence.over_threshold && evidence.leaked == 0 {
        if let Some(bar) = evidence.auto_bar {
            notes.push(Note::GrowingUnderAutoBar { bar });
        }
    }
    // Only an allowlist rule or an inline ignore can overrule the GC; say so every time.
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
mod tests {
    use super::*;

    const POLICY: Policy = Policy {
        ctx_done_bounds: true,
        confirmed_below_threshold: true,
    };

    fn bound(kind: BoundKind) -> Bound {
        Bound {
            kind,
            line: 8,
            expr: "<-x".into(),
            origin: kind.as_str().into(),
            check: Check::Fires,
        }
    }

    fn check(evidence: Evidence<'_>, policy: Policy, expected: (Status, Option<SuppressionKind>)) {
        let decision = decide(&evidence, policy);
        assert_eq!(
            (decision.status, decision.suppression.map(|s| s.kind)),
            expected,
            "{evidence:?} {policy:?}"
        );
    }

    #[test]
    fn precedence() {
        use SuppressionKind::*;
        let rule = RuleEvidence {
            id: "r",
            reason: "by design",
            owner: None,
        };
        let ctx = [bound(BoundKind::CtxDone)];
        let timer_after_ctx = [bound(BoundKind::CtxDone), bound(BoundKind::Timer)];
        let over = Evidence {
            over_threshold: true,
            place: ("a/x.go", 6),
            source_checked: true,
            op: Op::Select,
            ..Evidence::default()
        };
        let std = Exclusion::StandardLibrary;
        check(over, POLICY, (Status::Reported, None));
        check(
            Evidence {
                over_threshold: false,
                ..over
            },
            POLICY,
            (Status::BelowThreshold, None),
        );
        check(
            Evidence {
                exclusion: Some(&std),
                ignore: Some("x"),
                ..over
            },
            POLICY,
            (Status::Excluded, None),
        );
        check(
            Evidence {
                ignore: Some("x"),
                rule: Some(rule),
                bounds: &ctx,
                ..over
            },
            POLICY,
            (Status::Suppressed, Some(Inline)),
        );
        check(
            Evidence {
                rule: Some(rule),
                bounds: &ctx,
                ..over
            },
            POLICY,
            (Status::Suppressed, Some(Allowlist)),
        );
        check(
            Evidence {
                bounds: &ctx,
                ..over
            },
            POLICY,
            (Status::Suppressed, Some(SelectCtxDone)),
        );
        // --no-ctx-done: a timer further down still bounds the select.
        let no_ctx = Policy {
            ctx_done_bounds: false,
            ..POLICY
        };
        check(
            Evidence {
                bounds: &ctx,
                ..over
            },
            no_ctx,
            (Status::Reported, None),
        );
        check(
            Evidence {
                bounds: &timer_after_ctx,
                ..over
            },
            no_ctx,
            (Status::Suppressed, Some(SelectTimer)),
        );
        // Below the threshold a bounded select is still suppressed: nothing is lost.
        check(
            Evidence {
                bounds: &ctx,
                over_threshold: false,
                ..over
            },
            POLICY,
            (Status::Suppressed, Some(SelectCtxDone)),
        );
    }

    /// A lint finding has no count: reported with no threshold to pass, `likely` on its
    /// pattern, and suppressed by an inline ignore or a rule like any other.
    #[test]
    fn lint_findings() {
        use SuppressionKind::*;
        let linted = Evidence {
            found_by: FoundBy::Lint,
            place: ("a/x.go", 6),
            op: Op::Send,
            source_checked: true,
            pattern: Some(PatternId::Timeout),
            ..Evidence::default()
        };
        check(linted, POLICY, (Status::Reported, None));
        assert_eq!(decide(&linted, POLICY).verdict, Verdict::Likely);
        check(
            Evidence {
                found_by: FoundBy::Profile,
                ..linted
            },
            POLICY,
            (Status::BelowThreshold, None),
        );
        check(
            Evidence {
                ignore: Some("drained elsewhere"),
                ..linted
            },
            POLICY,
            (Status::Suppressed, Some(Inline)),
        );
        let rule = RuleEvidence {
            id: "r",
            reason: "by design",
            owner: None,
        };
        check(
            Evidence {
                rule: Some(rule),
                ..linted
            },
            POLICY,
            (Status::Suppressed, Some(Allowlist)),
        );
    }

    /// The GC proved these goroutines leaked: a select heuristic never hides them (a select on
    /// a context that is never cancelled is a real leak), and they are reported below the
    /// threshold unless asked otherwise.
    #[test]
    fn gc_proof_beats_heuristics() {
        let ctx = [bound(BoundKind::CtxDone)];
        let proven = Evidence {
            bounds: &ctx,
            leaked: 7,
            place: ("a/x.go", 6),
            op: Op::Select,
            ..Evidence::default()
        };
        check(proven, POLICY, (Status::Reported, None));
        let hide = Policy {
            confirmed_below_threshold: false,
            ..POLICY
        };
        check(proven, hide, (Status::BelowThreshold, None));
        let decision = decide(
            &Evidence {
                leaked: 0,
                ..proven
            },
            POLICY,
        );
        let reason = decision.suppression.map(|s| s.reason).unwrap_or_default();
        assert!(
            reason.starts_with("select at x.go:6 also waits on <-x"),
            "{reason}"
        );
    }

    /// Issue 14: a rule or an inline ignore may overrule the GC's proof, but never quietly.
    #[test]
    fn suppressing_a_proven_leak_warns() {
        let rule = RuleEvidence {
            id: "known-pool",
            reason: "by design",
            owner: None,
        };
        let proven = Evidence {
            leaked: 7,
            over_threshold: true,
            place: ("svc/x.go", 12),
            ..Evidence::default()
        };
        let warnings = |evidence: Evidence<'_>| -> Vec<String> {
            decide(&evidence, POLICY)
                .warnings
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(
            warnings(Evidence {
                rule: Some(rule),
                ..proven
            }),
            [
                "svc/x.go:12: rule known-pool suppresses a leak the garbage collector proved \
              (7 goroutines leaked there); fix the leak or narrow the suppression"
            ]
        );
        let inline = warnings(Evidence {
            ignore: Some("drained later"),
            leaked: 1,
            ..proven
        });
        assert_eq!(inline.len(), 1);
        assert!(
            inline[0].starts_with("svc/x.go:12: //leakprof:ignore suppresses")
                && inline[0].contains("(1 goroutine leaked there)"),
            "{inline:?}"
        );
        // Nothing to say when the GC proved nothing, or nothing was suppressed.
        assert!(
            warnings(Evidence {
                leaked: 0,
                rule: Some(rule),
                ..proven
            })
            .is_empty()
        );
        assert!(warnings(proven).is_empty());
    }

    #[test]
    fn verdicts() {
        let pool = PoolEvidence {
            goroutines: 40,
            creator: "main.startPool",
            snapshots: 3,
        };
        let over = Evidence {
            over_threshold: true,
            op: Op::Send,
            ..Evidence::default()
        };
        let verdict = |evidence: Evidence<'_>| decide(&evidence, POLICY).verdict;
        assert_eq!(verdict(over), Verdict::Possible);
        let growing = Evidence {
            trend: Some(Trend::Growing),
            ..over
        };
        assert_eq!(verdict(growing), Verdict::Likely);
        for trend in [Trend::Steady, Trend::Shrinking] {
            let evidence = Evidence {
                trend: Some(trend),
                ..over
            };
            assert_eq!(verdict(evidence), Verdict::Possible);
        }
        let proven = Evidence { leaked: 1, ..over };
        assert_eq!(verdict(proven), Verdict::Proven);
        // The source shows the abandoning path: likely, below the GC's proof.
        let patterned = Evidence {
            pattern: Some(PatternId::Timeout),
            ..over
        };
        assert_eq!(verdict(patterned), Verdict::Likely);
        assert_eq!(
            verdict(Evidence {
                leaked: 2,
                ..patterned
            }),
            Verdict::Proven
        );
        let pooled = Evidence {
            pool: Some(pool),
            ..over
        };
        let decision = decide(&pooled, POLICY);
        assert_eq!(decision.verdict, Verdict::Possible);
        assert_eq!(
            decision
                .notes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "looks like a fixed pool of 40 workers started by main.startPool; steady over 3 snapshots"
            ]
        );
        // Pool evidence outranks a pattern: a steady fixed pool stays possible.
        assert_eq!(
            verdict(Evidence {
                pattern: Some(PatternId::UnclosedRange),
                ..pooled
            }),
            Verdict::Possible
        );
        // The GC's proof outranks pool evidence.
        assert_eq!(
            verdict(Evidence {
                leaked: 3,
                ..pooled
            }),
            Verdict::Proven
        );
    }

    /// A growing place is never under an automatic bar; a fixed threshold stays as set.
    #[test]
    fn growing_places_clear_automatic_bars() {
        let under = Evidence {
            op: Op::Send,
            trend: Some(Trend::Growing),
            source_checked: true,
            ..Evidence::default()
        };
        check(under, POLICY, (Status::BelowThreshold, None));
        let auto = Evidence {
            auto_bar: Some(120),
            ..under
        };
        let decision = decide(&auto, POLICY);
        assert_eq!(decision.status, Status::Reported);
        assert_eq!(decision.notes, [Note::GrowingUnderAutoBar { bar: 120 }]);
        check(
            Evidence {
                trend: Some(Trend::Steady),
                ..auto
            },
            POLICY,
            (Status::BelowThreshold, None),
        );
    }

    #[test]
    fn unchecked_selects_say_what_would_check_them() {
        let select = Evidence {
            op: Op::Select,
            over_threshold: true,
            ..Evidence::default()
        };
        assert_eq!(decide(&select, POLICY).notes, [Note::SelectUnchecked]);
        let checked = Evidence {
            source_checked: true,
            ..select
        };
        assert!(decide(&checked, POLICY).notes.is_empty());
    }
}
