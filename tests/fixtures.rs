//! Every captured profile of `testdata/leaky` reads to exactly the places, ops and counts the
//! program was written to leave behind, in every format and Go version.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::support::{Expected, base_name, expected, leakprof, path_str, testdata};

/// The capture folders: one per Go version (and build flavour).
fn version_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(testdata("profiles"))
        .expect("testdata/profiles")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 5,
        "captures for at least 5 Go versions, found {dirs:?}"
    );
    dirs
}

/// How each format names an op the program performs.
fn op_as_seen(op: &str, format: &str) -> String {
    match (format, op) {
        ("debug1", _) => "unknown".into(),
        // Only the wait reason of a text dump tells nil channels apart.
        ("pprof" | "goroutineleak", "nil_send") => "send".into(),
        ("pprof" | "goroutineleak", "nil_receive") => "receive".into(),
        (_, op) => op.into(),
    }
}

type Place = (String, String, u64);

fn place(function: &str, file: &str, line: u64) -> Place {
    (function.to_string(), base_name(file).to_string(), line)
}

/// Own-code findings of a report: place → (op, goroutines, status).
fn own_findings(report: &Value) -> BTreeMap<Place, (String, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["function"].as_str().unwrap().starts_with("main."))
        .map(|f| {
            (
                place(
                    f["function"].as_str().unwrap(),
                    f["file"].as_str().unwrap(),
                    f["line"].as_u64().unwrap(),
                ),
                (
                    f["op"].as_str().unwrap().to_string(),
                    f["goroutines"].as_u64().unwrap(),
                    f["status"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

pub fn check_goroutine_profile(path: &str, rows: &[Expected]) {
    let run = leakprof(&[
        "report",
        "--profile",
        path,
        "--format",
        "json",
        "--show-other-blocking",
    ]);
    let report = run.json();
    let format = report["profiles"][0]["format"]
        .as_str()
        .unwrap()
        .to_string();
    let expected_format = if path.ends_with(".pb.gz") {
        "pprof"
    } else if path.contains("debug1") {
        "debug1"
    } else {
        "debug2"
    };
    assert_eq!(format, expected_format, "{path}");

    let want: BTreeMap<Place, (String, u64, String)> = rows
        .iter()
        .filter(|row| row.is_channel())
        .map(|row| {
            let status = if row.goroutines >= 100 {
                "reported"
            } else {
                "below_threshold"
            };
            (
                place(&row.function, &row.file, row.line),
                (
                    op_as_seen(&row.op, &format),
                    row.goroutines,
                    status.to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(own_findings(&report), want, "{path}");
    let reported = want
        .values()
        .filter(|(_, _, status)| status == "reported")
        .count();
    assert_eq!(
        report["summary"]["reported"].as_u64().unwrap() as usize,
        reported,
        "{path}"
    );
    assert_eq!(run.code, 1, "{path}: findings make exit code 1");

    // Blocking on mutexes, WaitGroups, sleep, I/O and Cond is classified, never a finding.
    let other = report["other_blocking"].as_array().expect("other_blocking");
    for row in rows.iter().filter(|row| !row.is_channel()) {
        let entry = other
            .iter()
            .find(|entry| {
                entry["function"] == row.function.as_str()
                    && entry["line"].as_u64() == Some(row.line)
            })
            .unwrap_or_else(|| panic!("{path}: no other-blocking entry for {row:?}"));
        assert_eq!(entry["kind"], row.op.as_str(), "{path}: {row:?}");
        assert_eq!(
            entry["goroutines"].as_u64(),
            Some(row.goroutines),
            "{path}: {row:?}"
        );
    }

    // Every stack of every finding runs from the program's goroutine function to the
    // finding's place, with only runtime frames above the place; text dumps name the
    // program's function that started the goroutine.
    for finding in report["findings"].as_array().unwrap() {
        let function = finding["function"].as_str().unwrap();
        let file = finding["file"].as_str().unwrap();
        assert!(function.starts_with("main."), "{path}: {function}");
        let frames: Vec<&str> = finding["stack"]
            .as_array()
            .unwrap()
            .iter()
            .map(|line| line.as_str().unwrap())
            .filter(|line| !line.starts_with("runtime."))
            .collect();
        let place = format!("{function} {file}:{}", finding["line"]);
        assert_eq!(frames.first(), Some(&place.as_str()), "{path}: {frames:?}");
        let outermost = frames.last().unwrap();
        assert!(
            outermost.starts_with("main.") && outermost.contains("leaks.go:"),
            "{path}: {function} starts in {outermost}"
        );
        let created_by = finding["created_by"].as_str();
        match format.as_str() {
            "debug2" => assert!(
                created_by.is_some_and(|creator| creator.starts_with("main.")),
                "{path}: {function} created by {created_by:?}"
            ),
            _ => assert_eq!(created_by, None, "{path}: {function}"),
        }
    }

    // Every goroutine is classified once: the kinds add up to the total.
    let total: u64 = report["summary"]["by_kind"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        total,
        report["summary"]["goroutines"].as_u64().unwrap(),
        "{path}: every goroutine classified once"
    );
}

#[test]
fn every_goroutine_profile_of_every_go_version_matches_the_program() {
    let rows = expected();
    let mut checked = 0;
    for dir in version_dirs() {
        for name in [
            "goroutine.pb.gz",
            "goroutine.debug1.txt",
            "goroutine.debug2.txt",
        ] {
            let path = dir.join(name);
            if !path.exists() {
                assert!(
                    dir.ends_with("go1.27-trimpath") && name == "goroutine.debug1.txt",
                    "missing {}",
                    path.display()
                );
                continue;
            }
            check_goroutine_profile(path_str(&path), &rows);
            checked += 1;
        }
    }
    assert!(checked >= 17, "checked {checked} profiles");
}

#[test]
fn trimpath_builds_report_module_paths() {
    let path = testdata("profiles/go1.27-trimpath/goroutine.pb.gz");
    let report = leakprof(&["report", "--profile", path_str(&path), "--format", "json"]).json();
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["function"].as_str().unwrap().starts_with("main."))
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(!files.is_empty());
    for file in files {
        assert_eq!(file, "example.com/leaky/leaks.go");
    }
}

/// Channel places of `leaky` that the garbage collector cannot prove leaked, and why: what
/// they wait on stays reachable.
const OUT_OF_GC_REACH: &[(&str, &str)] = &[
    (
        "main.tickerLoop.func1",
        "the ticker's channel, from its live timer",
    ),
    (
        "main.afterLoop.func1",
        "time.After's channel, from its pending timer",
    ),
    (
        "main.ctxLoop.func1",
        "ctx.Done(), from the package-level stopWorkers",
    ),
    ("main.globalReceive.func1", "a package-level channel"),
];

/// Go 1.26+ `goroutineleak` profiles hold only goroutines the GC proved leaked. Channels
/// reachable from a global, a live timer or a context are out of its reach.
#[test]
fn goroutineleak_profiles_mark_every_goroutine_leaked() {
    let rows = expected();
    let mut checked = 0;
    for dir in version_dirs() {
        for name in ["goroutineleak.pb.gz", "goroutineleak.debug1.txt"] {
            let path = dir.join(name);
            if !path.exists() {
                continue;
            }
            let path = path_str(&path).to_string();
            let report = leakprof(&[
                "report",
                "--profile",
                &path,
                "--format",
                "json",
                "--threshold",
                "1",
            ])
            .json();
            assert_eq!(report["profiles"][0]["format"], "goroutineleak", "{path}");
            for finding in report["findings"].as_array().unwrap() {
                assert_eq!(
                    finding["leaked_goroutines"], finding["goroutines"],
                    "{path}: {finding}"
                );
            }
            // Every other channel place is proven, with all of its goroutines; so are the
            // waits on sync primitives, which the GC's proof makes findings.
            let got: BTreeMap<Place, u64> = own_findings(&report)
                .into_iter()
                .map(|(place, (_, goroutines, _))| (place, goroutines))
                .collect();
            let want: BTreeMap<Place, u64> = rows
                .iter()
                .filter(|row| {
                    row.is_channel() || matches!(row.op.as_str(), "mutex" | "waitgroup" | "cond")
                })
                .filter(|row| {
                    !OUT_OF_GC_REACH
                        .iter()
                        .any(|(function, _)| *function == row.function)
                })
                .map(|row| (place(&row.function, &row.file, row.line), row.goroutines))
                .collect();
            for (function, why) in OUT_OF_GC_REACH {
                assert!(
                    !got.keys().any(|(found, _, _)| found == function),
                    "{path}: {function} is out of the GC's reach: {why}"
                );
            }
            assert_eq!(got, want, "{path}");
            checked += 1;
        }
    }
    assert!(checked >= 2, "checked {checked} goroutineleak profiles");
}

/// After a goroutineleak profile ran, Go 1.27 marks proven goroutines `(leaked)` in debug=2.
#[test]
fn leaked_markers_in_debug2_dumps() {
    let path = testdata("profiles/go1.27/goroutine-after-leak.debug2.txt");
    let report = leakprof(&["report", "--profile", path_str(&path), "--format", "json"]).json();
    let by_function = |name: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["function"] == name)
            .cloned()
            .unwrap()
    };
    let premature = by_function("main.prematureReturn.func1");
    assert_eq!(premature["leaked_goroutines"], premature["goroutines"]);
    assert_eq!(premature["op"], "send");
    let global = by_function("main.globalReceive.func1");
    assert_eq!(global["leaked_goroutines"], 0);
    let nil_send = by_function("main.nilSend.func1");
    assert_eq!(
        nil_send["op"], "nil_send",
        "labels and (leaked) on the header do not hide the wait reason"
    );
}

/// Several snapshots: `goroutines` is the worst, `total_goroutines` the sum, `profiles` the
/// number of snapshots that have the place.
#[test]
fn snapshots_merge_across_formats_and_versions() {
    let a = testdata("profiles/go1.21/goroutine.pb.gz");
    let b = testdata("profiles/go1.27/goroutine.debug2.txt");
    let c = testdata("profiles/go1.23/goroutine.debug1.txt");
    let report = leakprof(&[
        "report",
        "--profile",
        path_str(&a),
        "--profile",
        path_str(&b),
        "--profile",
        path_str(&c),
        "--format",
        "json",
    ])
    .json();
    assert_eq!(report["profiles"].as_array().unwrap().len(), 3);
    // The three builds share their source folder, so every place merges; debug=1's unknown
    // op folds into the op the other profiles name.
    for row in expected().iter().filter(|row| row.is_channel()) {
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["function"] == row.function.as_str())
            .unwrap_or_else(|| panic!("{row:?}"));
        assert_eq!(
            finding["goroutines"].as_u64(),
            Some(row.goroutines),
            "{row:?}"
        );
        assert_eq!(
            finding["total_goroutines"].as_u64(),
            Some(3 * row.goroutines),
            "{row:?}"
        );
        assert_eq!(finding["profiles"], 3, "{row:?}");
        assert_ne!(finding["op"], "unknown", "{row:?}");
    }
}

/// Full dumps: SIGQUIT (runtime frames, system goroutines, `gp=… m=…` headers, a register
/// block), a `GOTRACEBACK=all` panic, and `go test -timeout` output with test lines around it.
#[test]
fn full_goroutine_dumps() {
    let rows = expected();
    for name in [
        "sigquit-go1.27.txt",
        "sigquit-go1.19.txt",
        "panic-go1.27.txt",
    ] {
        check_goroutine_profile(path_str(&testdata(&format!("dumps/{name}"))), &rows);
    }

    let path = testdata("dumps/testtimeout-go1.27.txt");
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&path),
        "--format",
        "json",
        "--threshold",
        "1",
    ]);
    let report = run.json();
    assert_eq!(
        report["warnings"],
        serde_json::json!([]),
        "the FAIL lines after the last stack are not a cut"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let headers = text
        .lines()
        .filter(|line| line.starts_with("goroutine ") && line.ends_with(':'))
        .count();
    assert_eq!(
        report["profiles"][0]["goroutines"].as_u64(),
        Some(headers as u64)
    );
    let test_leak = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["function"] == "example.com/leaky.prematureReturn.func1")
        .expect("test package functions are named by import path");
    assert_eq!(test_leak["op"], "send");
    assert_eq!(test_leak["status"], "reported");
}

/// `/debug/pprof/goroutine?debug=2` stops at 64 MiB mid-stack: read what is there, warn, and
/// point to debug=0. The protobuf profile of the same moment has the full count.
#[test]
fn dump_cut_at_64_mib() {
    let dump = testdata("dumps/truncated-64MiB.debug2.txt.gz");
    let run = leakprof(&["report", "--profile", path_str(&dump), "--format", "json"]);
    assert_eq!(run.code, 1);
    let report = run.json();
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = warnings[0].as_str().unwrap();
    assert!(
        warning.contains("exactly 64 MiB")
            && warning.contains("partial")
            && warning.contains("debug=0"),
        "{warning}"
    );

    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&dump).unwrap()),
        &mut text,
    )
    .unwrap();
    assert_eq!(text.len(), 64 << 20);
    let blocked = text
        .lines()
        .filter(|line| line.starts_with("goroutine ") && line.ends_with("[chan receive]:"))
        .count() as u64;
    let finding = &report["findings"][0];
    assert_eq!(finding["function"], "main.descend");
    // The last goroutine is cut before its frames: not counted.
    assert_eq!(finding["goroutines"].as_u64(), Some(blocked - 1));

    let full = testdata("dumps/truncated-64MiB.goroutine.pb.gz");
    let report = leakprof(&["report", "--profile", path_str(&full), "--format", "json"]).json();
    assert_eq!(report["findings"][0]["function"], "main.descend");
    assert_eq!(report["findings"][0]["goroutines"], 16000);
    assert_eq!(report["warnings"], serde_json::json!([]));
}

/// Goroutine labels (`pprof.Do`) reach the findings from every format that carries them:
/// pprof sample labels, debug=1 `# labels:` lines, and debug=2 headers from Go 1.26 (inside
/// the bracket) and 1.27 (after it). Older debug=2 dumps print none.
#[test]
fn goroutine_labels_in_every_format() {
    for dir in version_dirs() {
        let version = dir.file_name().unwrap().to_str().unwrap().to_string();
        for name in [
            "goroutine.pb.gz",
            "goroutine.debug1.txt",
            "goroutine.debug2.txt",
        ] {
            let path = dir.join(name);
            if !path.exists() {
                continue;
            }
            let report =
                leakprof(&["report", "--profile", path_str(&path), "--format", "json"]).json();
            let labelled = name != "goroutine.debug2.txt"
                || version.starts_with("go1.26")
                || version.starts_with("go1.27");
            for finding in report["findings"].as_array().unwrap() {
                let expected = match finding["function"].as_str().unwrap() {
                    "main.nilSend.func1" | "main.nilReceive.func1" if labelled => {
                        serde_json::json!({"pattern": ["nil"]})
                    }
                    _ => serde_json::json!({}),
                };
                assert_eq!(
                    finding["labels"], expected,
                    "{version}/{name}: {}",
                    finding["function"]
                );
            }
        }
    }
}
