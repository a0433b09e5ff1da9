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

    fn subject<'a>(
        function: &'a str,
        file: &'a str,
        line: u32,
        stack: &'a [String],
    ) -> Subject<'a> {
        Subject {
            function,
            file,
            line,
            op: Op::Receive,
            stack,
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
                .filter(|rule| rule.matches(&subject))
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
}
