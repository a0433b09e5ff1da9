//! A place's status, decided in one function from everything the stages found out about it.
//! No stage sets a status: each gathers evidence, and [`decide`] weighs it.

use crate::model::{Exclusion, Status, Suppression, SuppressionKind};
use crate::source::analyze::{Bound, BoundKind};

/// What the stages found out about one place.
#[derive(Clone, Copy, Debug, Default)]
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

/// The status of a place, and what suppressed it. In order: code that is not own is excluded;
/// an inline ignore wins over every rule and heuristic; then the first allowlist rule; then a
/// bounded select, unless the GC proved the goroutines leaked (a heuristic never overrules the
/// GC); what is left is reported when over the threshold or proven leaked, else below it.
pub fn decide(evidence: &Evidence<'_>, policy: Policy) -> (Status, Option<Suppression>) {
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
    let bound = evidence
        .bounds
        .iter()
        .find(|bound| policy.ctx_done_bounds || bound.kind != BoundKind::CtxDone);
    if let (Some(bound), 0) = (bound, evidence.leaked) {
        let kind = match bound.kind {
            BoundKind::Timer => SuppressionKind::SelectTimer,
            BoundKind::Ticker => SuppressionKind::SelectTicker,
            BoundKind::CtxDone => SuppressionKind::SelectCtxDone,
        };
        let (file, line) = evidence.place;
        let file_name = file.rsplit('/').next().unwrap_or(file);
        return suppressed(kind, bound.reason(file_name, line), None, None);
    }
    let proven = evidence.leaked > 0 && policy.confirmed_below_threshold;
    if evidence.over_threshold || proven {
        (Status::Reported, None)
    } else {
        (Status::BelowThreshold, None)
    }
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
        }
    }

    fn check(evidence: Evidence<'_>, policy: Policy, expected: (Status, Option<SuppressionKind>)) {
        let (status, suppression) = decide(&evidence, policy);
        assert_eq!(
            (status, suppression.map(|s| s.kind)),
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
            ..Evidence::default()
        };
        check(proven, POLICY, (Status::Reported, None));
        let hide = Policy {
            confirmed_below_threshold: false,
            ..POLICY
        };
        check(proven, hide, (Status::BelowThreshold, None));
        let (_, suppression) = decide(
            &Evidence {
                leaked: 0,
                ..proven
            },
            POLICY,
        );
        let reason = suppression.map(|s| s.reason).unwrap_or_default();
        assert!(
            reason.starts_with("select at x.go:6 also waits on <-x"),
            "{reason}"
        );
    }
}
