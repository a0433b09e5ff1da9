//! Real captures of `testdata/waits` (see its `main.go`): the shapes `leaky` has none of,
//! each pinned so that a change to classification or aggregation shows. Every place of the
//! program is in `testdata/waits/expected.tsv`, written by hand from the program.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{base_name, find, leakprof, path_str, testdata};

/// The three formats of each snapshot, as `testdata/capture.sh` names them.
const FORMATS: [&str; 3] = ["pb.gz", "debug1.txt", "debug2.txt"];

/// One row of `testdata/waits/expected.tsv`.
#[derive(Debug)]
struct Row {
    phase: String,
    function: String,
    line: u64,
    kind: String,
    goroutines: u64,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(testdata("waits/expected.tsv")).expect("expected.tsv");
    text.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 6, "expected.tsv row {line:?}");
            assert_eq!(fields[2], "waits.go", "{line:?}");
            Row {
                phase: fields[0].into(),
                function: fields[1].into(),
                line: fields[3].parse().expect("line"),
                kind: fields[4].into(),
                goroutines: fields[5].parse().expect("goroutines"),
            }
        })
        .collect()
}

fn capture(name: &str) -> String {
    path_str(&testdata(&format!("waits/captures/{name}"))).to_string()
}

/// `leakprof report --format json --threshold 1 --show-other-blocking` over `profiles`.
fn report(profiles: &[&str]) -> Value {
    let mut args = vec![
        "report",
        "--format",
        "json",
        "--threshold",
        "1",
        "--show-other-blocking",
    ];
    for profile in profiles {
        args.extend(["--profile", profile]);
    }
    let run = leakprof(&args);
    assert_eq!(run.code, 1, "{profiles:?}: {}", run.stderr);
    run.json()
}

fn is_channel(kind: &str) -> bool {
    matches!(kind, "send" | "receive" | "select")
}

/// How a format names what a row's goroutines wait on: debug=1 prints no runtime frames, so
/// it cannot name a channel operation, except through `reflect`, whose frames it prints.
fn as_seen(row: &Row, format: &str) -> String {
    if format == "debug1.txt" && is_channel(&row.kind) && !row.function.starts_with("main.reflect")
    {
        "unknown".into()
    } else {
        row.kind.clone()
    }
}

type Place = (String, u64, String);

/// Every place of the program in a report, findings and other blocking alike:
/// (function, line, op or kind) → goroutines.
fn own_places(report: &Value) -> BTreeMap<Place, u64> {
    let findings = report["findings"].as_array().expect("findings");
    let other = report["other_blocking"].as_array().expect("other_blocking");
    let mut places = BTreeMap::new();
    for (entry, kind) in findings
        .iter()
        .map(|f| (f, "op"))
        .chain(other.iter().map(|o| (o, "kind")))
    {
        if base_name(entry["file"].as_str().unwrap()) != "waits.go" {
            continue;
        }
        let place = (
            entry["function"].as_str().unwrap().to_string(),
            entry["line"].as_u64().unwrap(),
            entry[kind].as_str().unwrap().to_string(),
        );
        let previous = places.insert(place, entry["goroutines"].as_u64().unwrap());
        assert_eq!(previous, None, "one entry per place and kind: {entry}");
    }
    places
}

/// Each snapshot, in each format, reads to exactly the places, operations and counts the
/// program leaves: reflect's Send, Recv and Select placed in the caller; RWMutex writers
/// and readers; a connection read by many goroutines (one in the poller, the rest on its
/// lock's semaphore); one function blocking at two lines (two places, never one); two
/// operations on one line (two places, except in debug=1, which cannot tell them apart).
#[test]
fn every_place_of_the_waits_program_in_every_format() {
    let rows = rows();
    let mut checked = 0;
    for phase in ["early", "late"] {
        for format in FORMATS {
            let path = capture(&format!("{phase}.{format}"));
            let report = report(&[&path]);
            let mut want: BTreeMap<Place, u64> = BTreeMap::new();
            for row in rows
                .iter()
                .filter(|row| row.phase == "both" || row.phase == phase)
            {
                let place = (row.function.clone(), row.line, as_seen(row, format));
                *want.entry(place).or_default() += row.goroutines;
            }
            assert_eq!(own_places(&report), want, "{path}");
            for finding in report["findings"].as_array().unwrap() {
                assert!(
                    !finding["function"]
                        .as_str()
                        .unwrap()
                        .starts_with("reflect."),
                    "{path}: a place inside reflect: {finding}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
}

/// With the source, a wait through reflect reads as what it is: the line holds the
/// `Send`/`Recv`/`Select` call, not a channel operation, and that is no sign of a wrong
/// revision. No mismatch warning; a note says the source cannot show the channel; nothing
/// is suppressed on the source's strength.
#[test]
fn waits_through_reflect_match_their_source() {
    let repo = testdata("waits");
    for format in ["pb.gz", "debug2.txt"] {
        let path = capture(&format!("late.{format}"));
        let run = leakprof(&[
            "report",
            "--format",
            "json",
            "--threshold",
            "1",
            "--profile",
            &path,
            "--repo",
            path_str(&repo),
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let report = run.json();
        let warnings = report["warnings"].to_string();
        assert!(!warnings.contains("does not match"), "{path}: {warnings}");
        let mut through_reflect = BTreeMap::new();
        for finding in report["findings"].as_array().unwrap() {
            let function = finding["function"].as_str().unwrap();
            if !function.starts_with("main.reflect") {
                continue;
            }
            assert_eq!(finding["status"], "reported", "{path}: {finding}");
            let notes = finding["source"]["notes"].to_string();
            assert!(
                notes.contains("waits through package reflect"),
                "{path}: {finding}"
            );
            through_reflect.insert(
                function.to_string(),
                finding["source"]["snippet"].as_str().unwrap().to_string(),
            );
        }
        assert_eq!(
            through_reflect,
            BTreeMap::from([
                (
                    "main.reflectRecv.func1".to_string(),
                    "_, _ = ch.Recv()".to_string()
                ),
                (
                    "main.reflectSelect.func1".to_string(),
                    "reflect.Select(cases)".to_string()
                ),
                (
                    "main.reflectSend.func1".to_string(),
                    "ch.Send(reflect.ValueOf(1))".to_string()
                ),
            ]),
            "{path}"
        );
    }
}

/// Go's signal loop waits in a system call inside `os/signal`, a function no rule knows:
/// only the debug=2 wait reason says so.
#[test]
fn the_signal_loop_waits_in_a_system_call() {
    for phase in ["early", "late"] {
        let report = report(&[&capture(&format!("{phase}.debug2.txt"))]);
        let other = report["other_blocking"].as_array().unwrap();
        let signal: Vec<&Value> = other
            .iter()
            .filter(|entry| entry["function"] == "os/signal.signal_recv")
            .collect();
        assert_eq!(signal.len(), 1, "{phase}: {signal:?}");
        assert_eq!(signal[0]["kind"], "syscall", "{phase}");
        assert_eq!(signal[0]["goroutines"], 1, "{phase}");
    }
}

/// Go prints `, N minutes` on a goroutine that a garbage collection saw blocked N minutes
/// ago. The late snapshot comes a minute after each phase's collection; the early one
/// right after the first. pprof and debug=1 do not say.
#[test]
fn waits_of_a_minute_and_more() {
    let minutes = |report: &Value| -> Vec<(String, Value)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["function"].as_str().unwrap().to_string(),
                    f["max_wait_minutes"].clone(),
                )
            })
            .collect()
    };
    let every = |report: &Value, want: Value| {
        let all = minutes(report);
        assert!(!all.is_empty());
        for (function, got) in all {
            assert_eq!(got, want, "{function}");
        }
    };
    let late = capture("late.debug2.txt");
    let early = capture("early.debug2.txt");
    every(&report(&[&late]), Value::from(1));
    every(&report(&[&early]), Value::Null);
    every(&report(&[&capture("late.pb.gz")]), Value::Null);
    every(&report(&[&capture("late.debug1.txt")]), Value::Null);
    // Merged, the longest wait wins, whatever the order.
    let mut merged = minutes(&report(&[&early, &late]));
    merged.extend(minutes(&report(&[&late, &early])));
    // The ten places are in both snapshots.
    assert_eq!(merged.len(), 20);
    for (function, got) in merged {
        assert_eq!(got, 1, "{function}");
    }
}

/// A place's example stack and `created_by` come from the snapshot where it had the most
/// goroutines: `main.park` has 4 goroutines from `startEarly` in the early snapshot and 21
/// from `startLate` in the late one.
#[test]
fn example_stack_and_creator_come_from_the_worst_snapshot() {
    let early = capture("early.debug2.txt");
    let late = capture("late.debug2.txt");
    for order in [[&early, &late], [&late, &early]] {
        let report = report(&[order[0], order[1]]);
        let park = find(&report, "main.park");
        assert_eq!(park["goroutines"], 21, "{order:?}");
        assert_eq!(park["total_goroutines"], 25, "{order:?}");
        assert_eq!(park["profiles"], 2, "{order:?}");
        let file = park["file"].as_str().unwrap();
        assert_eq!(
            park["stack"],
            serde_json::json!([
                format!("main.park {file}:196"),
                format!("main.startLate.func1 {file}:187"),
            ]),
            "{order:?}"
        );
        assert_eq!(park["created_by"], "main.startLate", "{order:?}");
    }

    // pprof records no creator; its stacks start in the runtime.
    let early = capture("early.pb.gz");
    let late = capture("late.pb.gz");
    for order in [[&early, &late], [&late, &early]] {
        let report = report(&[order[0], order[1]]);
        let park = find(&report, "main.park");
        assert_eq!(park["goroutines"], 21, "{order:?}");
        let stack: Vec<&str> = park["stack"]
            .as_array()
            .unwrap()
            .iter()
            .map(|line| line.as_str().unwrap())
            .collect();
        let functions: Vec<&str> = stack
            .iter()
            .map(|line| line.split(' ').next().unwrap())
            .collect();
        assert_eq!(
            functions,
            [
                "runtime.gopark",
                "runtime.chanrecv",
                "runtime.chanrecv1",
                "main.park",
                "main.startLate.func1"
            ],
            "{order:?}"
        );
        assert_eq!(park["created_by"], Value::Null, "{order:?}");
    }
}

/// On a tie the profile named first keeps its example: the same moment as pprof (runtime
/// frames first, no creator) and as a debug=2 dump (creator, no runtime frames).
#[test]
fn on_a_tie_the_first_profile_keeps_its_example() {
    let pprof = testdata("profiles/go1.27/goroutine.pb.gz");
    let debug2 = testdata("profiles/go1.27/goroutine.debug2.txt");
    let (pprof, debug2) = (path_str(&pprof), path_str(&debug2));
    let first_pprof = report(&[pprof, debug2]);
    let first_debug2 = report(&[debug2, pprof]);
    let a = find(&first_pprof, "main.prematureReturn.func1");
    let b = find(&first_debug2, "main.prematureReturn.func1");
    assert_eq!(a["goroutines"], 150);
    assert_eq!(b["goroutines"], 150);
    assert!(
        a["stack"][0]
            .as_str()
            .unwrap()
            .starts_with("runtime.gopark "),
        "{a}"
    );
    assert_eq!(a["created_by"], Value::Null);
    assert!(
        b["stack"][0]
            .as_str()
            .unwrap()
            .starts_with("main.prematureReturn.func1 "),
        "{b}"
    );
    assert_eq!(b["created_by"], "main.prematureReturn");
}

/// An example stack keeps 64 frames and says how many more there were. `main.descend`
/// recurses 80 times below `main.deepStacks.func1`: 82 frames of the program, plus
/// `runtime.gopark`, `runtime.chanrecv` and `runtime.chanrecv1` in pprof.
#[test]
fn example_stacks_stop_at_64_frames() {
    for (format, runtime_frames) in [("debug2.txt", 0), ("debug1.txt", 0), ("pb.gz", 3)] {
        let report = report(&[&capture(&format!("late.{format}"))]);
        let deep = find(&report, "main.descend");
        let file = deep["file"].as_str().unwrap();
        let stack: Vec<&str> = deep["stack"]
            .as_array()
            .unwrap()
            .iter()
            .map(|line| line.as_str().unwrap())
            .collect();
        assert_eq!(stack.len(), 65, "{format}: {stack:?}");
        for (index, line) in stack[..64].iter().enumerate() {
            let want = match index.checked_sub(runtime_frames) {
                None => continue,
                Some(0) => format!("main.descend {file}:152"),
                Some(_) => format!("main.descend {file}:154"),
            };
            assert_eq!(*line, want, "{format}: frame {index}");
        }
        for line in &stack[..runtime_frames] {
            assert!(line.starts_with("runtime."), "{format}: {line}");
        }
        assert_eq!(
            stack[64],
            format!("... {} more frames", 82 + runtime_frames - 64),
            "{format}"
        );
    }
}

/// A place keeps at most 16 values per label key: `main.labelled` starts 20 goroutines
/// with request ids `r00`…`r19` and one shared `pattern` label.
#[test]
fn label_values_stop_at_16() {
    let ids: Vec<String> = (0..20).map(|i| format!("r{i:02}")).collect();
    let check = |profiles: &[&str]| {
        let report = report(profiles);
        let labelled = find(&report, "main.labelled.func1.1");
        assert_eq!(labelled["goroutines"], 20, "{profiles:?}");
        let labels = labelled["labels"].as_object().unwrap();
        assert_eq!(labels.len(), 2, "{profiles:?}: {labels:?}");
        assert_eq!(labels["pattern"], serde_json::json!(["labelled"]));
        let requests: Vec<&str> = labels["request"]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_str().unwrap())
            .collect();
        assert_eq!(requests.len(), 16, "{profiles:?}: {requests:?}");
        let mut sorted = requests.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, requests, "{profiles:?}: sorted and distinct");
        for request in requests {
            assert!(ids.iter().any(|id| id == request), "{request}");
        }
    };
    for format in FORMATS {
        check(&[&capture(&format!("early.{format}"))]);
    }
    // Merging adds no value past the cap either.
    check(&[
        &capture("early.pb.gz"),
        &capture("late.debug1.txt"),
        &capture("late.debug2.txt"),
    ]);
}

/// Formats that name operations differently at one place fold into the most specific name
/// when they name one operation, and stay apart when they name several: `main.relay`
/// receives and sends on one line; debug=1 sees one unknown operation there.
#[test]
fn merged_formats_fold_one_operation_and_keep_several_apart() {
    let report = report(&[&capture("late.debug1.txt"), &capture("late.debug2.txt")]);
    let relay: Vec<(String, u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["function"] == "main.relay.func1")
        .map(|f| {
            (
                f["op"].as_str().unwrap().to_string(),
                f["goroutines"].as_u64().unwrap(),
                f["profiles"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        relay,
        [
            ("unknown".to_string(), 37, 1),
            ("send".to_string(), 19, 1),
            ("receive".to_string(), 18, 1)
        ]
    );
    // One operation at each of twoPlaces' lines: unknown folds into send, per line.
    for (line, goroutines) in [(118, 16), (120, 17)] {
        let found: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["function"] == "main.twoPlaces.func1" && f["line"] == line)
            .collect();
        assert_eq!(found.len(), 1, "line {line}: {found:?}");
        assert_eq!(found[0]["op"], "send");
        assert_eq!(found[0]["goroutines"], goroutines);
        assert_eq!(found[0]["total_goroutines"], 2 * goroutines);
        assert_eq!(found[0]["profiles"], 2);
    }
}

/// pprof cannot tell a nil channel from another; a debug=2 dump of the same moment can. With
/// no debug=1 profile in between, the two still fold into the nil operation.
#[test]
fn pprof_and_debug2_merge_into_the_nil_operation() {
    let pprof = testdata("profiles/go1.27/goroutine.pb.gz");
    let debug2 = testdata("profiles/go1.27/goroutine.debug2.txt");
    let report = report(&[path_str(&pprof), path_str(&debug2)]);
    for (function, op, goroutines) in [
        ("main.nilSend.func1", "nil_send", 101),
        ("main.nilReceive.func1", "nil_receive", 102),
        ("main.prematureReturn.func1", "send", 150),
    ] {
        let found: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["function"] == function)
            .collect();
        assert_eq!(found.len(), 1, "{function}: {found:?}");
        assert_eq!(found[0]["op"], op, "{function}");
        assert_eq!(found[0]["goroutines"], goroutines, "{function}");
        assert_eq!(found[0]["total_goroutines"], 2 * goroutines, "{function}");
        assert_eq!(found[0]["profiles"], 2, "{function}");
    }
}

/// `running` and `runnable` come from the wait reason alone: the goroutine that panicked, and
/// a goroutine ready to run when the fleet's instance b was dumped.
#[test]
fn running_and_runnable_goroutines() {
    let kinds = |path: &str| -> Vec<(String, String, u64)> {
        report_any(path)["other_blocking"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|entry| entry["kind"] == "running" || entry["kind"] == "runnable")
            .map(|entry| {
                (
                    entry["kind"].as_str().unwrap().to_string(),
                    entry["function"].as_str().unwrap().to_string(),
                    entry["goroutines"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let panic = testdata("dumps/panic-go1.27.txt");
    assert_eq!(
        kinds(path_str(&panic)),
        [("running".to_string(), "main.main".to_string(), 1)]
    );
    let fleet = testdata("series/captures/fleet/instance-b/goroutine-03.debug2.txt");
    assert_eq!(
        kinds(path_str(&fleet)),
        [
            (
                "runnable".to_string(),
                "net/http.(*connReader).startBackgroundRead.gowrap2".to_string(),
                1
            ),
            (
                "running".to_string(),
                "runtime/pprof.writeGoroutineStacks".to_string(),
                1
            ),
        ]
    );
}

/// Like [`report`], for profiles whose findings decide the exit code themselves.
fn report_any(path: &str) -> Value {
    leakprof(&[
        "report",
        "--format",
        "json",
        "--show-other-blocking",
        "--profile",
        path,
    ])
    .json()
}
