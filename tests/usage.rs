//! Flags, output destinations and exit codes.

use crate::support::{leakprof, path_str, testdata};

#[test]
fn exit_codes_follow_the_threshold() {
    let profile = testdata("profiles/go1.27/goroutine.pb.gz");
    let profile = path_str(&profile);
    // The worst place holds 200 goroutines.
    assert_eq!(
        leakprof(&["report", "--profile", profile, "--threshold", "200"]).code,
        1
    );
    let clean = leakprof(&["report", "--profile", profile, "--threshold", "201"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert!(
        clean.stdout.starts_with("no suspected goroutine leaks"),
        "{}",
        clean.stdout
    );
}

#[test]
fn text_report_shows_each_leak_with_a_stack() {
    let profile = testdata("profiles/go1.27/goroutine.debug2.txt");
    let run = leakprof(&["report", "--profile", path_str(&profile)]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("13 suspected goroutine leaks in 1 profile (1789 goroutines, 1636 blocked on channels); threshold 100\n"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("200 goroutines  send  main.timeoutLeak.func1  (possible)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("created by main.timeoutLeak"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("1 place with 5 goroutines below the threshold"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains('\x1b'),
        "no colour when not on a terminal"
    );
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let profile = testdata("profiles/go1.23/goroutine.pb.gz");
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&profile),
        "--format",
        "json",
        "--output",
        path_str(&out),
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "leakprof");
    assert_eq!(report["threshold"], 100);
    assert!(
        report["profiles"][0]["time"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
}

#[test]
fn json_is_deterministic_and_sorted() {
    let profile = testdata("profiles/go1.21/goroutine.debug2.txt");
    let first = leakprof(&[
        "report",
        "--profile",
        path_str(&profile),
        "--format",
        "json",
    ]);
    let second = leakprof(&[
        "report",
        "--profile",
        path_str(&profile),
        "--format",
        "json",
    ]);
    assert_eq!(first.stdout, second.stdout);
    let report = first.json();
    let findings = report["findings"].as_array().unwrap();
    for pair in findings.windows(2) {
        // Most certain first, then most goroutines.
        let key = |f: &serde_json::Value| {
            let verdict = ["proven", "likely", "possible"]
                .iter()
                .position(|v| f["verdict"] == *v)
                .expect("a verdict");
            (
                verdict,
                std::cmp::Reverse(f["goroutines"].as_u64().unwrap()),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        };
        assert!(
            key(&pair[0]) <= key(&pair[1]),
            "{} before {}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn standard_library_places_are_excluded_unless_asked_for() {
    // A `go test -timeout` dump: the test runner waits for the test in testing.(*T).Run.
    let profile = testdata("dumps/testtimeout-go1.27.txt");
    let report = leakprof(&[
        "report",
        "--profile",
        path_str(&profile),
        "--format",
        "json",
        "--threshold",
        "1",
    ])
    .json();
    let std_findings: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["function"].as_str().unwrap().starts_with("testing."))
        .collect();
    assert_eq!(
        std_findings.len(),
        1,
        "the dump has one standard library channel wait"
    );
    for finding in &std_findings {
        assert_eq!(finding["status"], "excluded", "{finding}");
    }
    let included = leakprof(&[
        "report",
        "--profile",
        path_str(&profile),
        "--format",
        "json",
        "--threshold",
        "1",
        "--include-std",
    ])
    .json();
    let run_wait = |report: &serde_json::Value| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["function"] == "testing.(*T).Run")
            .cloned()
            .unwrap()
    };
    // A built-in rule knows that t.Run waits for its subtest by design.
    let builtin = run_wait(&included);
    assert_eq!(builtin["status"], "suppressed");
    assert_eq!(builtin["suppression"]["rule"], "leakprof.testing.t-run");
    assert_eq!(builtin["suppression"]["kind"], "allowlist");
    let bare = leakprof(&[
        "report",
        "--profile",
        path_str(&profile),
        "--format",
        "json",
        "--threshold",
        "1",
        "--include-std",
        "--no-builtin-rules",
    ])
    .json();
    for finding in bare["findings"].as_array().unwrap() {
        assert_eq!(finding["status"], "reported", "{finding}");
    }
    assert_eq!(run_wait(&bare)["status"], "reported");
}

#[test]
fn help_and_version() {
    let help = leakprof(&["report", "--help"]);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("--threshold <N|auto>"),
        "{}",
        help.stdout
    );
    let version = leakprof(&["--version"]);
    assert_eq!(version.code, 0);
    assert_eq!(
        version.stdout.trim(),
        format!("leakprof {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["report"][..],
        &["report", "--profile", "x", "--threshold", "many"],
        &["report", "--profile", "x", "--format", "xml"],
        &[
            "report",
            "--profile",
            "x",
            "--max-decompressed-size",
            "5 parsecs",
        ],
        &["frobnicate"],
    ] {
        let run = leakprof(args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("error"), "{args:?}: {}", run.stderr);
    }
}

/// A `collect` killed mid-save leaves a temporary file beside the profiles it saved: it is
/// left out with a warning, never read as one more snapshot (issue 15).
#[test]
fn interrupted_collect_leftovers_are_not_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let profile = testdata("profiles/go1.27/goroutine.pb.gz");
    let target = dir.path().join("10.0.0.7_6060");
    std::fs::create_dir(&target).unwrap();
    std::fs::copy(&profile, target.join("goroutine-20261201T000000Z.pb.gz")).unwrap();
    let partial = target.join(".goroutine-20261201T000500Z.1a2b3c4d.partial");
    std::fs::copy(&profile, &partial).unwrap();

    let run = leakprof(&[
        "report",
        "--profile",
        path_str(dir.path()),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["profiles"].as_array().unwrap().len(), 1);
    let finding = &report["findings"][0];
    assert_eq!(
        finding["goroutines"], finding["total_goroutines"],
        "counted once"
    );
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains(".partial: left out"), "{warnings}");
}

/// Waits on sync primitives are findings only on the GC's proof: with a goroutineleak
/// profile the leaky program's mutex, WaitGroup and Cond waiters are reported, verdict
/// `proven`; without one they stay other blocking (issue 10).
#[test]
fn sync_waits_the_gc_proves_are_findings() {
    let plain = testdata("profiles/go1.27/goroutine.pb.gz");
    let leak = testdata("profiles/go1.27/goroutineleak.pb.gz");
    let proven = leakprof(&[
        "report",
        "--profile",
        path_str(&plain),
        "--profile",
        path_str(&leak),
        "--format",
        "json",
    ])
    .json();
    for (function, op, goroutines) in [
        ("main.mutexWait.func1", "mutex", 50),
        ("main.waitGroupWait.func1", "waitgroup", 40),
        ("main.condWait.func1", "cond", 10),
    ] {
        let finding = crate::support::find(&proven, function);
        assert_eq!(finding["op"], op);
        assert_eq!(finding["goroutines"], goroutines);
        assert_eq!(finding["verdict"], "proven");
        assert_eq!(finding["status"], "reported");
        assert!(!finding["stack"].as_array().unwrap().is_empty());
    }
    assert_eq!(
        proven["summary"]["channel_blocked"], 1636,
        "sync waits are not channels"
    );

    let unproven = leakprof(&[
        "report",
        "--profile",
        path_str(&plain),
        "--format",
        "json",
        "--show-other-blocking",
    ])
    .json();
    let functions: Vec<&str> = unproven["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    assert!(!functions.contains(&"main.mutexWait.func1"));
    let other = unproven["other_blocking"].to_string();
    assert!(other.contains("main.mutexWait.func1"), "{other}");
}

/// `--fail-on-verdict`: CI fails only from a verdict up. The growing leak of the identity
/// captures is likely, the steady pool possible; only the GC makes a finding proven.
#[test]
fn fail_on_verdict() {
    let plain = testdata("identity/captures/plain");
    let code = |verdict: &str| {
        leakprof(&[
            "report",
            "--profile",
            path_str(&plain),
            "--threshold",
            "10",
            "--fail-on-verdict",
            verdict,
        ])
        .code
    };
    assert_eq!(code("possible"), 1);
    assert_eq!(code("likely"), 1, "the growing leak");
    assert_eq!(code("proven"), 0, "no GC proof given");
    let proven = leakprof(&[
        "report",
        "--profile",
        path_str(&testdata("profiles/go1.27/goroutine.pb.gz")),
        "--profile",
        path_str(&testdata("profiles/go1.27/goroutineleak.pb.gz")),
        "--fail-on-verdict",
        "proven",
    ]);
    assert_eq!(proven.code, 1);
}
