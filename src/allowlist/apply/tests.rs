//! Unit tests of `apply`.

use super::*;
use crate::allowlist::parse;

const RULES: &str = "version: 1
suppressions:
  - id: bounded
    reason: r
    function: \"main.pool*\"
    max_goroutines: 10
  - id: svc-receive
    reason: r
    file: \"svc/*.go\"
    op: receive
  - id: http
    reason: r
    stack: \"net/http.*\"
    expires: 2027-01-01
  - id: line
    reason: r
    function: \"main.*\"
    line: 7
";

fn rules(source: RuleSource) -> Vec<Rule> {
    parse(RULES, "r.yaml", source).unwrap()
}

fn subject<'a>(function: &'a str, file: &'a str, line: u32, stack: &'a [String]) -> Subject<'a> {
    Subject {
        function,
        file,
        line,
        op: Op::Receive,
        stack,
        stacks: &[],
        stacks_untold: 0,
        goroutines: 5,
        ignored_inline: false,
    }
}

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

/// Which of the rules match, one condition at a time.
#[test]
fn each_condition_must_hold() {
    let rules = rules(RuleSource::User(0));
    let http = vec!["net/http.(*conn).serve /usr/go/src/net/http/server.go:1".to_string()];
    let none: Vec<String> = Vec::new();
    let other = vec!["main.g net/http.go:1".to_string()];
    let matching = |subject: Subject<'_>| -> Vec<&str> {
        rules
            .iter()
            .filter(|rule| {
                // Every goroutine with the example's stack: the place and the stack.
                rule.matches_place(&subject)
                    && rule.stack.as_ref().is_none_or(|glob| {
                        stack_matches(glob, subject.stack.iter().map(String::as_str))
                    })
            })
            .map(|rule| rule.id.as_str())
            .collect()
    };
    let table: &[(Subject<'_>, &[&str])] = &[
        (subject("main.pool.func1", "x.go", 1, &none), &["bounded"]),
        (
            subject("main.f", "svc/a.go", 7, &none),
            &["svc-receive", "line"],
        ),
        (
            subject("main.f", "/build/app/svc/a.go", 8, &none),
            &["svc-receive"],
        ),
        (subject("main.f", "svc/deep/a.go", 8, &none), &[]),
        (subject("lib.f", "x.go", 7, &http), &["http"]),
        // A frame's file is not part of what a stack glob sees.
        (subject("lib.f", "x.go", 7, &other), &[]),
        (
            Subject {
                op: Op::Send,
                ..subject("main.f", "svc/a.go", 8, &none)
            },
            &[],
        ),
        (
            Subject {
                op: Op::Unknown,
                ..subject("main.f", "svc/a.go", 8, &none)
            },
            &["svc-receive"],
        ),
    ];
    for (subject, expected) in table {
        assert_eq!(matching(*subject), *expected, "{subject:?}");
    }
}

/// The first rule that matches, has not expired and allows the count suppresses; every
/// match counts; an inline ignore leaves the place to itself.
#[test]
fn first_eligible_rule_hits() {
    let rules = rules(RuleSource::User(0));
    let http = vec!["net/http.(*conn).serve x.go:1".to_string()];
    let none: Vec<String> = Vec::new();
    let subjects = [
        Some(subject("main.pool", "svc/a.go", 7, &none)),
        Some(Subject {
            goroutines: 10,
            ..subject("main.pool", "x.go", 9, &http)
        }),
        None,
        Some(Subject {
            ignored_inline: true,
            ..subject("main.pool", "svc/a.go", 7, &none)
        }),
        Some(subject("main.nothing", "y.go", 1, &none)),
    ];
    let applied = apply(&rules, &subjects, day("2026-12-31"));
    assert_eq!(applied.hits, [Some(0), Some(2), None, None, None]);
    assert_eq!(applied.matched, [3, 2, 1, 2]);
    assert_eq!(
        applied.warnings,
        [Warning::RuleOverBound {
            rule: "bounded".into(),
            origin: "r.yaml:3".into(),
            max: 10,
            file: "x.go".into(),
            line: 9,
            goroutines: 10,
        }]
    );
    // From its expiry day on, `http` no longer suppresses.
    let applied = apply(&rules, &subjects, day("2027-01-01"));
    assert_eq!(applied.hits, [Some(0), None, None, None, None]);
    assert_eq!(applied.matched, [3, 2, 1, 2]);
    assert!(rules[2].expired(day("2027-01-01")) && !rules[2].expired(day("2026-12-31")));
    assert!(!rules[0].expired(day("2999-01-01")));
}

#[test]
fn usage_and_its_warnings() {
    let rules = rules(RuleSource::User(0));
    let (listed, warnings) = usage(&rules, &[2, 0, 1, 0], &[1, 0, 0, 0], day("2027-01-01"));
    let rows: Vec<(&str, u64, u64, Option<&str>, bool)> = listed
        .iter()
        .map(|usage| {
            (
                usage.id.as_str(),
                usage.matched,
                usage.suppressed,
                usage.expires.as_deref(),
                usage.expired,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("bounded", 2, 1, None, false),
            ("svc-receive", 0, 0, None, false),
            ("http", 1, 0, Some("2027-01-01"), true),
            ("line", 0, 0, None, false),
        ]
    );
    assert_eq!(listed[0].origin, "r.yaml:3");
    assert_eq!(
        warnings,
        [
            Warning::RuleUnused {
                rule: "svc-receive".into(),
                origin: "r.yaml:7".into(),
            },
            Warning::RuleExpired {
                rule: "http".into(),
                origin: "r.yaml:11".into(),
                expires: "2027-01-01".into(),
                matched: 1,
            },
            Warning::RuleUnused {
                rule: "line".into(),
                origin: "r.yaml:15".into(),
            },
        ]
    );
    // Built-in rules are listed only when they matched, and never warned about.
    let builtin = rules_builtin();
    let (listed, warnings) = usage(&builtin, &[0, 3, 1, 0], &[0, 3, 0, 0], day("2027-01-01"));
    let ids: Vec<&str> = listed.iter().map(|usage| usage.id.as_str()).collect();
    assert_eq!(ids, ["leakprof.svc-receive", "leakprof.http"]);
    assert!(warnings.is_empty(), "{warnings:?}");
}

fn rules_builtin() -> Vec<Rule> {
    parse(
        &RULES.replace("id: ", "id: leakprof."),
        "b.yaml",
        RuleSource::Builtin,
    )
    .unwrap()
}

#[test]
fn file_globs_match_absolute_paths_by_their_tail() {
    let glob = Glob::path("billing/**/*.go").unwrap();
    for (file, expected) in [
        ("billing/poll/x.go", true),
        ("/build/shop/billing/poll/x.go", true),
        ("/build/shop/orders/x.go", false),
        // Only absolute paths are matched by their tail.
        ("shop/billing/x.go", false),
        ("/billing/x.go", true),
    ] {
        assert_eq!(file_matches(&glob, file), expected, "{file}");
    }
}

const TRANSPORT: &str = "google.golang.org/grpc/internal/transport";

fn stack(creator: &str) -> String {
    format!(
        "{TRANSPORT}.(*controlBuffer).get /t/controlbuf.go:20\n\
             {TRANSPORT}.(*loopyWriter).run /t/controlbuf.go:30\n\
             {TRANSPORT}.{creator}.func2 /t/http2.go:40"
    )
}

/// Issue 16: the client and the server loopy writers block on the same line; a rule with
/// `stack` covers only the goroutines whose stacks match it, each within its own bound.
#[test]
fn stack_rules_cover_the_goroutines_whose_stacks_match() {
    let rules = super::super::parse(
        &format!(
            "version: 1\nsuppressions:\n\
                 - {{id: server, reason: x, stack: \"{TRANSPORT}.NewServerTransport.func*\"}}\n\
                 - {{id: client, reason: x, stack: \"{TRANSPORT}.newHTTP2Client.func*\", \
                 max_goroutines: 100}}\n"
        ),
        "r.yaml",
        RuleSource::Builtin,
    )
    .unwrap();
    let server = stack("NewServerTransport");
    let client = stack("newHTTP2Client");
    let example: Vec<String> = server.lines().map(str::to_owned).collect();
    let today = Date::parse("2026-01-01").unwrap();
    // (stacks told apart, untold, the place's goroutines) → (hit, over bound: rule and
    // goroutines)
    type Row = (
        Vec<(String, u64)>,
        u64,
        u64,
        Option<usize>,
        Option<(usize, u64)>,
    );
    let table: Vec<Row> = vec![
        // One stack: the example speaks for every goroutine.
        (vec![], 0, 150, Some(0), None),
        (
            vec![(server.clone(), 150), (client.clone(), 5)],
            0,
            155,
            Some(0),
            None,
        ),
        (
            vec![(server.clone(), 5), (client.clone(), 50)],
            0,
            55,
            Some(1),
            None,
        ),
        // The client half over its bound is not hidden by the server half.
        (
            vec![(server.clone(), 150), (client.clone(), 110)],
            0,
            260,
            None,
            Some((1, 110)),
        ),
        // Over several snapshots each stack's worst count can add up to more than the
        // place held at once: the bound weighs what it held (99, not 5 + 110).
        (
            vec![(server.clone(), 5), (client.clone(), 110)],
            0,
            99,
            Some(1),
            None,
        ),
        // Goroutines whose stacks were not kept: no stack rule can vouch for them.
        (
            vec![(server.clone(), 150), (client.clone(), 5)],
            3,
            158,
            None,
            None,
        ),
    ];
    for (stacks, untold, goroutines, hit, over) in table {
        let subject = Subject {
            function: &format!("{TRANSPORT}.(*controlBuffer).get"),
            file: "/t/controlbuf.go",
            line: 20,
            op: Op::Select,
            stack: &example,
            stacks: &stacks,
            stacks_untold: untold,
            goroutines,
            ignored_inline: false,
        };
        let applied = apply(&rules, &[Some(subject)], today);
        let case = format!(
            "{:?} untold {untold}",
            stacks.iter().map(|s| s.1).collect::<Vec<_>>()
        );
        assert_eq!(applied.hits, [hit], "{case}");
        assert_eq!(applied.over_bound, [over], "{case}");
    }
}

#[test]
fn op_families() {
    let ops = [
        Op::Send,
        Op::Receive,
        Op::Range,
        Op::Select,
        Op::SelectNoCases,
        Op::NilSend,
        Op::NilReceive,
    ];
    for rule in ops {
        for finding in ops.into_iter().chain([Op::Unknown]) {
            let expected = finding == Op::Unknown
                || rule == finding
                || matches!(
                    (rule, finding),
                    (Op::Send, Op::NilSend)
                        | (Op::Receive, Op::Range)
                        | (Op::Receive, Op::NilReceive)
                );
            assert_eq!(op_matches(rule, finding), expected, "{rule:?} {finding:?}");
        }
    }
}
