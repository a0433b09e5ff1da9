//! Never hide a real leak (issue 10): the waits of `testdata/bounds` all look bounded by a
//! timer, a ticker or a context; some bounds can fire and some never can. Go 1.27's GC is
//! the oracle: its goroutineleak profile (and the `(leaked)` markers of the debug=2 dump)
//! names the leaked places. With the markers stripped and no GC evidence, leakprof must
//! report exactly those places and keep every genuine bound suppressed.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{leakprof, path_str, testdata};

fn captures(name: &str) -> std::path::PathBuf {
    testdata(&format!("bounds/captures/{name}"))
}

fn report(profile: &std::path::Path, extra: &[&str]) -> Value {
    let source = testdata("bounds");
    let mut args = vec![
        "report",
        "--profile",
        path_str(profile),
        "--repo",
        path_str(&source),
        "--threshold",
        "1",
        "--format",
        "json",
    ];
    args.extend(extra);
    let run = leakprof(&args);
    assert_ne!(run.code, 2, "{}", run.stderr);
    run.json()
}

/// The program's places (functions of bounds.go) with a status.
fn places(report: &Value, status: &str) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["file"] == "bounds.go" && f["status"] == status)
        .map(|f| f["function"].as_str().unwrap().to_string())
        .collect()
}

/// The places the GC proved leaked.
fn oracle() -> BTreeSet<String> {
    let leak = captures("goroutineleak.pb.gz");
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&leak),
        "--threshold",
        "1",
        "--format",
        "json",
    ]);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["leaked_goroutines"].as_u64().unwrap() > 0)
        .map(|f| f["function"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_leak_the_gc_proves_is_reported_and_every_genuine_bound_suppressed() {
    let leaked = oracle();
    assert_eq!(leaked.len(), 12, "{leaked:?}");
    // The debug=2 dump with its (leaked) markers stripped: no GC evidence left in it.
    let dir = tempfile::tempdir().unwrap();
    let dump = std::fs::read_to_string(captures("goroutine.debug2.txt")).unwrap();
    assert!(dump.contains(" (leaked)"));
    let stripped = dir.path().join("goroutine.debug2.txt");
    std::fs::write(&stripped, dump.replace(" (leaked)", "")).unwrap();

    for profile in [captures("goroutine.pb.gz"), stripped] {
        let report = report(&profile, &[]);
        assert_eq!(
            places(&report, "reported"),
            leaked,
            "{}: reported vs. proven leaked",
            profile.display()
        );
        let suppressed = places(&report, "suppressed");
        assert_eq!(suppressed.len(), 5, "{suppressed:?}");
        for finding in report["findings"].as_array().unwrap() {
            if finding["file"] != "bounds.go" {
                continue;
            }
            match finding["status"].as_str().unwrap() {
                "suppressed" => assert_eq!(
                    finding["suppression"]["verified"], true,
                    "a genuine bound is verified: {finding:#}"
                ),
                // Each leak says which bound could never fire, and why.
                "reported" => {
                    let notes = finding["notes"].to_string();
                    assert!(notes.contains("can never fire"), "{finding:#}");
                }
                other => panic!("{other}: {finding:#}"),
            }
        }
    }
}

#[test]
fn bounds_name_their_evidence() {
    let report = report(&captures("goroutine.pb.gz"), &[]);
    let note = |function: &str| -> String {
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["function"] == function)
            .unwrap_or_else(|| panic!("{function}"));
        finding["notes"][0].as_str().unwrap_or_default().to_string()
    };
    for (function, says) in [
        (
            "main.backgroundCtx.func1",
            "context.Background() is never done: its Done() is nil",
        ),
        (
            "main.discardedCancel.func1",
            "the cancel function of ctx is discarded at line 29",
        ),
        (
            "main.deferredCancel.func1",
            "only deferred, at line 46, by the function that waits",
        ),
        (
            "main.stoppedTimer.func1",
            "t is stopped at line 61 and not reset",
        ),
        (
            "main.reusedTimer.func1",
            "t fires once: the loop at line 77",
        ),
        ("main.waitCtx", "ctx comes from the call at bounds.go:98"),
        ("main.backgroundWait.func1", "context.TODO() is never done"),
        ("main.stoppedTickerWait.func1", "tk is stopped at line 117"),
        (
            "main.ignoredCancel.func1",
            "the cancel function of ctx is discarded at line 217",
        ),
        (
            "main.cancelEachTurn.func1",
            "only called at line 239, after the wait in the same turn of the loop at line 233",
        ),
        (
            "main.deferredFuncCancel.func1",
            "only deferred, at line 251, by the function that waits",
        ),
        (
            "main.literalDeferredCancel.func1",
            "ctx comes from the call at bounds.go:266, where the cancel function of ctx is only \
             deferred, at line 267",
        ),
    ] {
        let text = note(function);
        assert!(text.contains(says), "{function}: {text}");
    }
    // A genuine bound that arrives as a parameter is followed to the go statement that
    // passes a context with a deadline.
    let deadline = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["function"] == "main.waitDeadline")
        .unwrap();
    assert_eq!(deadline["suppression"]["kind"], "select-ctx-done");
    assert_eq!(deadline["suppression"]["verified"], true);
}

/// `--no-ctx-done` leaves out contexts, verified or not: the context-bounded waits are
/// reported; timers and tickers still bound theirs.
#[test]
fn no_ctx_done_reports_context_bounds() {
    let report = report(&captures("goroutine.pb.gz"), &["--no-ctx-done"]);
    let suppressed = places(&report, "suppressed");
    assert_eq!(
        suppressed,
        ["main.afterInLoop.func1", "main.liveTicker.func1"]
            .into_iter()
            .map(String::from)
            .collect()
    );
}

/// `<-ctx.Done()` on `context.TODO()` (bounds.go:107): the debug=2 dump says the channel is
/// nil, the pprof profile says a receive; with --repo the source names the same pattern for
/// both, and its advice is about the context, not about making a channel.
#[test]
fn a_never_cancelled_context_has_one_pattern_whatever_the_profile() {
    // Without the GC's word in either, so that the verdicts come from the same evidence.
    let dir = tempfile::tempdir().unwrap();
    let dump = std::fs::read_to_string(captures("goroutine.debug2.txt")).unwrap();
    let stripped = dir.path().join("goroutine.debug2.txt");
    std::fs::write(&stripped, dump.replace(" (leaked)", "")).unwrap();
    let mut patterns = Vec::new();
    for profile in [stripped, captures("goroutine.pb.gz")] {
        let report = report(&profile, &[]);
        let profile = profile.display();
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["function"] == "main.backgroundWait.func1")
            .unwrap_or_else(|| panic!("{profile}: no backgroundWait"))
            .clone();
        assert_eq!(finding["line"], 107, "{profile}");
        let pattern = &finding["pattern"];
        assert_eq!(pattern["id"], "never_closed", "{profile}: {finding:#}");
        let summary = pattern["fix"]["summary"].as_str().unwrap();
        assert!(
            summary.contains("context") && !summary.contains("make(chan"),
            "{profile}: {summary}"
        );
        patterns.push((pattern["id"].clone(), finding["verdict"].clone()));
    }
    assert_eq!(patterns[0], patterns[1]);
}

/// Every wait whose `<-ctx.Done()` the source shows can never fire is a `never_closed`
/// leak, also when the context came from the caller (followed to the `go` statement or the
/// call that passes it): the evidence names the line that shows it, where the goroutine
/// started and the wait. A timer that can never fire is no done channel: no such pattern.
#[test]
fn every_context_that_can_never_be_done_is_never_closed() {
    let dir = tempfile::tempdir().unwrap();
    let dump = std::fs::read_to_string(captures("goroutine.debug2.txt")).unwrap();
    let stripped = dir.path().join("goroutine.debug2.txt");
    std::fs::write(&stripped, dump.replace(" (leaked)", "")).unwrap();
    let report = report(&stripped, &[]);
    let mut contexts = BTreeSet::new();
    for finding in report["findings"].as_array().unwrap() {
        let notes = finding["notes"].to_string();
        if finding["status"] != "reported" || !notes.contains("can never fire") {
            continue;
        }
        let pattern = &finding["pattern"];
        if notes.contains("<-ctx.Done()") {
            assert_eq!(pattern["id"], "never_closed", "{finding:#}");
            let evidence: Vec<&str> = pattern["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|line| line["text"].as_str().unwrap())
                .collect();
            assert!(
                evidence.iter().any(|text| text.contains("`ctx`")),
                "{finding:#}"
            );
            assert!(
                evidence.iter().any(|text| {
                    text.starts_with("the goroutine waits for `") && text.contains("Done()")
                }),
                "{finding:#}"
            );
            assert!(
                evidence.contains(&"the goroutine is started here"),
                "{finding:#}"
            );
            contexts.insert(finding["function"].as_str().unwrap().to_string());
        } else {
            assert_ne!(pattern["id"], "never_closed", "{finding:#}");
        }
    }
    // Among them the two whose context arrives as an argument.
    for function in ["main.literalDeferredCancel.func1", "main.waitCtx"] {
        assert!(contexts.contains(function), "{function}: {contexts:?}");
    }
}
