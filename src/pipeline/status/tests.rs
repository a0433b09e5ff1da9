//! Unit tests of `status`.

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
        builtin: false,
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

/// Issue 16: a built-in rule describes a healthy daemon; goroutines the GC proved leaked
/// are not one, so the rule does not hide them. The user's own word still may, loudly.
#[test]
fn gc_proof_beats_builtin_rules() {
    use SuppressionKind::*;
    let builtin = RuleEvidence {
        id: "leakprof.database-sql.connection-opener",
        reason: "each sql.DB keeps one opener goroutine",
        owner: None,
        builtin: true,
    };
    let user = RuleEvidence {
        id: "known-pool",
        builtin: false,
        ..builtin
    };
    let proven = Evidence {
        leaked: 150,
        over_threshold: true,
        op: Op::Select,
        source_checked: true,
        place: ("database/sql/sql.go", 1267),
        ..Evidence::default()
    };
    let notes = |decision: &Decision| -> Vec<String> {
        decision.notes.iter().map(ToString::to_string).collect()
    };
    let warnings = |decision: &Decision| -> Vec<String> {
        decision.warnings.iter().map(ToString::to_string).collect()
    };

    // (rule, leaked) → status, suppression kind, (overruled note, warning).
    type Row<'a> = (
        RuleEvidence<'a>,
        u64,
        Status,
        Option<SuppressionKind>,
        (bool, bool),
    );
    let table: &[Row<'_>] = &[
        (builtin, 150, Status::Reported, None, (true, false)),
        (
            builtin,
            0,
            Status::Suppressed,
            Some(Allowlist),
            (false, false),
        ),
        (
            user,
            150,
            Status::Suppressed,
            Some(Allowlist),
            (false, true),
        ),
        (user, 0, Status::Suppressed, Some(Allowlist), (false, false)),
    ];
    for &(rule, leaked, status, kind, (overruled, warned)) in table {
        let decision = decide(
            &Evidence {
                rule: Some(rule),
                leaked,
                ..proven
            },
            POLICY,
        );
        let case = format!("{} leaked={leaked}", rule.id);
        assert_eq!(decision.status, status, "{case}");
        assert_eq!(
            decision.suppression.as_ref().map(|s| s.kind),
            kind,
            "{case}"
        );
        let expected_verdict = if leaked > 0 {
            Verdict::Proven
        } else {
            Verdict::Possible
        };
        assert_eq!(decision.verdict, expected_verdict, "{case}");
        let note = "the garbage collector proved these goroutines leaked, so built-in rule \
                        leakprof.database-sql.connection-opener does not hide them: it describes \
                        a healthy daemon, and a leaked one is not";
        assert_eq!(
            notes(&decision).contains(&note.to_string()),
            overruled,
            "{case}"
        );
        assert_eq!(!decision.warnings.is_empty(), warned, "{case}");
    }
    // Below the threshold too: the GC's proof is enough.
    let below = decide(
        &Evidence {
            rule: Some(builtin),
            over_threshold: false,
            ..proven
        },
        POLICY,
    );
    assert_eq!(below.status, Status::Reported);
    // The warning names the place, the rule and the count.
    let by_user = decide(
        &Evidence {
            rule: Some(user),
            ..proven
        },
        POLICY,
    );
    assert_eq!(
        warnings(&by_user),
        [
            "database/sql/sql.go:1267: rule known-pool suppresses a leak the garbage \
                 collector proved (150 goroutines leaked there); fix the leak or narrow the \
                 suppression"
        ]
    );
    let inline = decide(
        &Evidence {
            ignore: Some("drained later"),
            rule: Some(builtin),
            leaked: 1,
            ..proven
        },
        POLICY,
    );
    assert_eq!(inline.suppression.as_ref().map(|s| s.kind), Some(Inline));
    assert!(
        warnings(&inline)[0].starts_with("database/sql/sql.go:1267: //leakprof:ignore")
            && warnings(&inline)[0].contains("(1 goroutine leaked there)"),
        "{:?}",
        warnings(&inline)
    );
    // Not own code stays excluded, rule or no rule.
    let std = Exclusion::StandardLibrary;
    let excluded = decide(
        &Evidence {
            exclusion: Some(&std),
            rule: Some(builtin),
            ..proven
        },
        POLICY,
    );
    assert_eq!(excluded.status, Status::Excluded);
    assert!(excluded.notes.is_empty() && excluded.warnings.is_empty());
}

/// Issue 16: over a rule's bound the place is reported by the rules, and the finding says
/// what so many daemons mean (the rule's words) or, without them, which bound it passed.
#[test]
fn over_a_rule_bound_the_finding_says_why() {
    let over = Evidence {
        over_threshold: true,
        op: Op::Receive,
        over_bound: Some(OverBound {
            rule: "leakprof.database-sql.connection-opener",
            max: 16,
            goroutines: 152,
            says: Some(
                "database/sql openers: one per sql.DB — is a DB opened per request and \
                     never closed?",
            ),
        }),
        ..Evidence::default()
    };
    let decision = decide(&over, POLICY);
    assert_eq!(decision.status, Status::Reported);
    assert_eq!(
        decision
            .notes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "152 database/sql openers: one per sql.DB — is a DB opened per request and \
                 never closed? (rule leakprof.database-sql.connection-opener expects fewer than \
                 16)"
        ]
    );
    let plain = decide(
        &Evidence {
            over_bound: Some(OverBound {
                rule: "fanout",
                max: 100,
                goroutines: 120,
                says: None,
            }),
            ..over
        },
        POLICY,
    );
    assert_eq!(
        plain
            .notes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["120 goroutines here, and rule fanout suppresses only fewer than 100"]
    );
}

/// Issue 14: a rule or an inline ignore may overrule the GC's proof, but never quietly.
#[test]
fn suppressing_a_proven_leak_warns() {
    let rule = RuleEvidence {
        id: "known-pool",
        reason: "by design",
        owner: None,
        builtin: false,
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
        builtin: false,
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
