//! `leakprof explain`: the registry of leak kinds, and the same words in every format.

use crate::support::leakprof;

const PROFILE: &str = "testdata/profiles/go1.27/goroutine.pb.gz";

#[test]
fn lists_kinds_and_explains_one() {
    let list = leakprof(&["explain"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    for kind in [
        "send",
        "receive",
        "range",
        "select",
        "select_no_cases",
        "nil_send",
    ] {
        assert!(
            list.stdout
                .lines()
                .any(|line| line.trim_start().starts_with(kind)),
            "{kind} missing from\n{}",
            list.stdout
        );
    }
    let send = leakprof(&["explain", "send"]);
    assert_eq!(send.code, 0, "{}", send.stderr);
    for heading in ["What it is", "Why it leaks", "How to fix", "Example"] {
        assert!(send.stdout.contains(heading), "{}", send.stdout);
    }
    let unknown = leakprof(&["explain", "sendd"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no leak kind \"sendd\""),
        "{}",
        unknown.stderr
    );
}

/// The fix advice `explain` prints is the one SARIF's rule help carries and Markdown folds
/// under each finding: one source of words.
#[test]
fn every_format_takes_its_words_from_the_registry() {
    let explained = leakprof(&["explain", "send"]).stdout;
    let fix: String = explained
        .split("How to fix\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("a How to fix section")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(fix.starts_with("When one value is sent"), "{fix}");

    let sarif = leakprof(&["report", "--profile", PROFILE, "--format", "sarif"]).json();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let send = rules
        .iter()
        .find(|rule| rule["id"] == "leakprof/send")
        .expect("a send rule");
    assert!(send["help"]["text"].as_str().unwrap().contains(&fix));

    let markdown = leakprof(&["report", "--profile", PROFILE, "--format", "markdown"]).stdout;
    assert!(markdown.contains(&fix), "{markdown}");

    let text = leakprof(&["report", "--profile", PROFILE]).stdout;
    assert!(text.contains("how to fix: leakprof explain send"), "{text}");
}
