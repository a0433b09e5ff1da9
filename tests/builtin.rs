//! The built-in rules (rules/*.yaml) against real captures (issue 16): each rule matches the
//! healthy shape of its daemon, and not its symptom (a count over the rule's bound, or the
//! operation the rule leaves out); the GC's proof beats a built-in rule; `rules list
//! --builtin` says what each rule hides. Captures come from testdata/builtin (capture.sh):
//! a stdlib-only service that leaks a sql.DB and Transports per request or keeps one of each,
//! and replicas of the libraries under their own module paths.

use std::collections::BTreeMap;

use serde_json::Value;

use leakprof::allowlist::{self, Rule};

use crate::support::{leakprof, path_str, testdata};

/// A capture: the goroutine profile and the debug=2 dump of one run of a fixture.
const FORMATS: [&str; 2] = ["goroutine.pb.gz", "goroutine.debug2.txt.gz"];

/// The runs where each family's daemons are healthy; a rule must match in every format of
/// one of them (some names exist only in one Go release).
const STDLIB_HEALTHY: [&str; 2] = ["stdlib-healthy", "stdlib-go1.26-healthy"];
const LIBRARIES_HEALTHY: &str = "libraries-healthy";

/// Rules narrowed to an op because their function also blocks on sends that are the
/// symptom of an application bug: the leaky run parks one goroutine at such a send.
const WRONG_OP: &[&str] = &[
    "leakprof.lib-pq.listener-loop",
    "leakprof.sarama.broker-response-receiver",
    "leakprof.sarama-shopify.broker-response-receiver",
    "leakprof.sarama.async-producer-dispatcher",
    "leakprof.sarama-shopify.async-producer-dispatcher",
    "leakprof.sarama.topic-producer-dispatch",
    "leakprof.sarama-shopify.topic-producer-dispatch",
];

fn capture(run: &str, file: &str) -> String {
    path_str(&testdata(&format!("builtin/captures/{run}/{file}"))).to_string()
}

/// A JSON report of `profiles` with every place counted (threshold 1) and the standard
/// library included, plus `extra` arguments.
fn report(profiles: &[String], extra: &[&str]) -> (u8, Value) {
    let mut args = vec![
        "report",
        "--format",
        "json",
        "--threshold",
        "1",
        "--include-std",
    ];
    for profile in profiles {
        args.extend(["--profile", profile.as_str()]);
    }
    args.extend_from_slice(extra);
    let run = leakprof(&args);
    assert_ne!(run.code, 2, "{args:?}: {}", run.stderr);
    (run.code, run.json())
}

/// Whether `rule` comes from the standard library's file: it names a function of a package
/// whose path has no dot in its first element.
fn is_std(rule: &Rule) -> bool {
    rule.origin.starts_with("rules/stdlib.yaml")
        && !rule
            .function
            .as_ref()
            .is_some_and(|glob| glob.as_str().starts_with("golang.org/"))
}

fn function_glob(rule: &Rule) -> &leakprof::glob::Glob {
    rule.function
        .as_ref()
        .unwrap_or_else(|| panic!("{} names no function", rule.id))
}

/// The findings at the rule's function.
fn at_function<'a>(report: &'a Value, rule: &Rule) -> Vec<&'a Value> {
    let glob = function_glob(rule);
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| glob.matches(finding["function"].as_str().unwrap()))
        .collect()
}

/// How many places each rule matched in a report.
fn matched(report: &Value) -> BTreeMap<String, u64> {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            (
                rule["id"].as_str().unwrap().to_string(),
                rule["matched"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn notes(finding: &Value) -> Vec<&str> {
    finding["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note.as_str().unwrap())
        .collect()
}

/// One table row per rule: in a healthy run, in every format, the rule matches its
/// daemon's place and every place at its function is suppressed.
#[test]
fn every_builtin_rule_matches_its_healthy_shape() {
    let mut runs: Vec<(&str, Vec<(String, Value)>)> = Vec::new();
    for run in STDLIB_HEALTHY.into_iter().chain([LIBRARIES_HEALTHY]) {
        let reports = FORMATS
            .iter()
            .map(|file| {
                let (code, json) = report(&[capture(run, file)], &[]);
                assert_eq!(code, 0, "{run}/{file}: a healthy run reports nothing");
                (file.to_string(), json)
            })
            .collect();
        runs.push((run, reports));
    }
    let testing = report(&[capture("testing", "goroutine.pb.gz")], &[]).1;
    let testing_dump = report(&[capture("testing", "goroutine.debug2.txt")], &[]).1;
    runs.push((
        "testing",
        vec![
            ("goroutine.pb.gz".into(), testing),
            ("goroutine.debug2.txt".into(), testing_dump),
        ],
    ));

    for rule in allowlist::builtin() {
        let family: Vec<&(&str, Vec<(String, Value)>)> = runs
            .iter()
            .filter(|(run, _)| (*run == LIBRARIES_HEALTHY) != is_std(&rule))
            .collect();
        let matched_in = family
            .iter()
            .filter(|(_, reports)| {
                reports
                    .iter()
                    .all(|(_, json)| matched(json).get(&rule.id).copied().unwrap_or(0) > 0)
            })
            .map(|(run, _)| *run)
            .collect::<Vec<_>>();
        assert!(
            !matched_in.is_empty(),
            "{}: matches its daemon in no healthy run (in every format of one)",
            rule.id
        );
        for (run, reports) in &family {
            for (file, json) in reports {
                for finding in at_function(json, &rule) {
                    assert_eq!(
                        finding["status"], "suppressed",
                        "{} in {run}/{file}: {finding:#}",
                        rule.id
                    );
                }
            }
        }
    }
}

/// One table row per rule: in the leaky runs (goroutine profiles only, so that the rules
/// alone decide), a bounded rule's daemon over its bound is reported with a note saying
/// what so many mean; a rule narrowed to an op does not hide its function's sends; an
/// unbounded rule still suppresses.
#[test]
fn no_builtin_rule_matches_its_symptom() {
    let leaky: Vec<(String, Value)> = ["stdlib-leaky", "libraries-leaky"]
        .iter()
        .flat_map(|run| FORMATS.iter().map(move |file| (*run, *file)))
        .map(|(run, file)| {
            let (code, json) = report(&[capture(run, file)], &[]);
            assert_eq!(code, 1, "{run}/{file}: a leaky run reports");
            (format!("{run}/{file}"), json)
        })
        .collect();
    let mut checked = 0;
    for rule in allowlist::builtin() {
        let family: Vec<&(String, Value)> = leaky
            .iter()
            .filter(|(name, _)| name.starts_with("stdlib") == is_std(&rule))
            .collect();
        for (name, json) in family {
            let findings = at_function(json, &rule);
            if let Some(max) = rule.max_goroutines {
                let expects = format!("(rule {} expects fewer than {max})", rule.id);
                let over: Vec<&&Value> = findings
                    .iter()
                    .filter(|finding| notes(finding).iter().any(|note| note.ends_with(&expects)))
                    .collect();
                assert_eq!(over.len(), 1, "{} in {name}: {findings:#?}", rule.id);
                let finding = over[0];
                assert_eq!(finding["status"], "reported", "{} in {name}", rule.id);
                let says = rule.over_bound.as_deref().unwrap();
                assert!(
                    notes(finding).iter().any(|note| note.contains(says)),
                    "{} in {name}: {:?}",
                    rule.id,
                    notes(finding)
                );
                checked += 1;
            } else {
                // Unbounded: never the reason a place is reported (the gRPC server loopy
                // writers share their line with the client ones, which are over their bound).
                for finding in &findings {
                    let other_bound = notes(finding)
                        .iter()
                        .any(|note| note.contains(" expects fewer than "));
                    assert!(
                        finding["status"] == "suppressed" || other_bound,
                        "{} in {name}: {finding:#}",
                        rule.id
                    );
                }
            }
            if WRONG_OP.contains(&rule.id.as_str()) {
                let sends: Vec<&&Value> = findings
                    .iter()
                    .filter(|finding| finding["op"] == "send")
                    .collect();
                assert_eq!(sends.len(), 1, "{} in {name}: {findings:#?}", rule.id);
                assert_eq!(sends[0]["status"], "reported", "{} in {name}", rule.id);
                assert_ne!(rule.op.map(|op| op.as_str()), Some("send"));
                checked += 1;
            }
        }
    }
    // Every bounded rule twice (two formats), every narrowed one twice more.
    let bounded = allowlist::builtin()
        .iter()
        .filter(|rule| rule.max_goroutines.is_some())
        .count();
    assert_eq!(checked, 2 * (bounded + WRONG_OP.len()));
}

/// Issue 16's service, the most common goroutine leak in Go: a sql.DB and Transports per
/// request, never closed. It is reported (the goroutineleak profile is the oracle where the
/// GC can prove the leak, the rules' bounds where it cannot); the same service using one of
/// each per process reports nothing.
#[test]
fn a_service_that_leaks_clients_per_request_is_reported() {
    let run = |name: &str| {
        let profiles = [
            capture(name, "goroutine.pb.gz"),
            capture(name, "goroutineleak.pb.gz"),
        ];
        let args = [
            "report",
            "--format",
            "json",
            "--include-std",
            "--profile",
            &profiles[0],
            "--profile",
            &profiles[1],
        ];
        let run = leakprof(&args);
        (run.code, run.json())
    };
    let (code, json) = run("stdlib-leaky");
    assert_eq!(code, 1);
    let reported: BTreeMap<&str, &Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["status"] == "reported")
        .map(|finding| (finding["function"].as_str().unwrap(), finding))
        .collect();
    let opener = reported["database/sql.(*DB).connectionOpener"];
    // Two DBs per request: the GC proves the 150 "users" openers (nothing else reaches
    // them); the "orders" ones stay reachable from their cleaner's timer.
    assert_eq!(opener["verdict"], "proven");
    assert_eq!(
        (
            opener["goroutines"].as_u64(),
            opener["leaked_goroutines"].as_u64()
        ),
        (Some(300), Some(150))
    );
    for function in [
        "database/sql.(*DB).connectionCleaner",
        "net/http.(*persistConn).writeLoop",
    ] {
        let finding = reported[function];
        assert_eq!(finding["verdict"], "possible", "{function}");
        assert_eq!(finding["leaked_goroutines"], 0, "{function}");
        assert!(
            notes(finding)
                .iter()
                .any(|note| note.contains("expects fewer than")),
            "{function}: {:?}",
            notes(finding)
        );
    }
    // The oracle: every place the GC proved is reported.
    for finding in json["findings"].as_array().unwrap() {
        if finding["leaked_goroutines"].as_u64() > Some(0) {
            assert_eq!(finding["status"], "reported", "{finding:#}");
        }
    }
    // Per connection on the server side: its clients decide how many, so it stays hidden.
    let served = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["function"] == "net/http/internal/http2.(*serverConn).serve")
        .unwrap();
    assert_eq!(served["status"], "suppressed");
    assert_eq!(served["goroutines"], 150);

    let (code, json) = run("stdlib-healthy");
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["reported"], 0);
}

/// Issue 16: six requests in, the leak is under every bound and the rules alone would hide
/// it; the goroutineleak profile proves the "users" openers leaked, and a built-in rule does
/// not overrule the GC. A user's own rule may, with a warning in every format.
#[test]
fn gc_proof_beats_builtin_rules() {
    let profile = capture("stdlib-early", "goroutine.pb.gz");
    let evidence = capture("stdlib-early", "goroutineleak.pb.gz");
    let opener = |json: &Value| -> Value {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["function"] == "database/sql.(*DB).connectionOpener")
            .cloned()
            .unwrap()
    };
    let base = ["report", "--format", "json", "--include-std"];

    let alone = leakprof(&[&base[..], &["--profile", &profile]].concat());
    assert_eq!(alone.code, 0, "{}", alone.stderr);
    let finding = opener(&alone.json());
    assert_eq!(finding["status"], "suppressed");
    assert_eq!(
        finding["suppression"]["rule"],
        "leakprof.database-sql.connection-opener"
    );

    let proven = leakprof(&[&base[..], &["--profile", &profile, "--profile", &evidence]].concat());
    assert_eq!(proven.code, 1, "{}", proven.stderr);
    let json = proven.json();
    let finding = opener(&json);
    assert_eq!(
        (
            &finding["status"],
            &finding["verdict"],
            &finding["goroutines"],
            &finding["leaked_goroutines"]
        ),
        (
            &Value::from("reported"),
            &Value::from("proven"),
            &Value::from(12),
            &Value::from(6)
        )
    );
    assert!(finding["suppression"].is_null());
    assert!(
        notes(&finding).contains(
            &"the garbage collector proved these goroutines leaked, so built-in rule \
              leakprof.database-sql.connection-opener does not hide them: it describes a \
              healthy daemon, and a leaked one is not"
        ),
        "{:?}",
        notes(&finding)
    );
    // The rule is listed as matching, suppressing nothing.
    let usage = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["id"] == "leakprof.database-sql.connection-opener")
        .unwrap();
    assert_eq!(
        (&usage["matched"], &usage["suppressed"]),
        (&1.into(), &0.into())
    );
    // The cleaners' timers keep their DBs reachable: no proof, and the rule holds.
    let cleaner = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["function"] == "database/sql.(*DB).connectionCleaner")
        .unwrap();
    assert_eq!(cleaner["status"], "suppressed");

    // The user's own rule may suppress the proven leak, and every format says so.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "version: 1\nsuppressions:\n  - id: orders-db-per-request\n    reason: fixed in the next release\n    function: \"database/sql.(*DB).connectionOpener\"\n",
    )
    .unwrap();
    let warning = "database/sql/sql.go:1266: rule orders-db-per-request suppresses a leak the \
                   garbage collector proved (6 goroutines leaked there); fix the leak or narrow \
                   the suppression";
    for format in ["json", "text", "markdown", "html", "sarif"] {
        let run = leakprof(&[
            "report",
            "--format",
            format,
            "--include-std",
            "--profile",
            &profile,
            "--profile",
            &evidence,
            "--rules",
            path_str(&rules),
        ]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert!(
            run.stdout.contains(warning),
            "{format} does not carry the warning:\n{}",
            run.stdout
        );
    }
}

/// Goroutines that block on the same line but were started from different places: the gRPC
/// client and server loopy writers. The server half is not bounded, the client half is; the
/// client half over its bound is reported though the server half is healthy.
#[test]
fn stack_rules_weigh_each_stack_at_a_place() {
    for file in FORMATS {
        let (_, healthy) = report(&[capture(LIBRARIES_HEALTHY, file)], &[]);
        let (_, leaky) = report(&[capture("libraries-leaky", file)], &[]);
        let loopy = |json: &Value| -> Value {
            json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|finding| {
                    finding["function"]
                        == "google.golang.org/grpc/internal/transport.(*controlBuffer).get"
                })
                .cloned()
                .unwrap()
        };
        let healthy_loopy = loopy(&healthy);
        assert_eq!(healthy_loopy["status"], "suppressed", "{file}");
        let used = matched(&healthy);
        for id in [
            "leakprof.grpc.loopy-writer-server",
            "leakprof.grpc.loopy-writer-client",
        ] {
            assert_eq!(used.get(id), Some(&1), "{file}: {id}");
        }
        let leaky_loopy = loopy(&leaky);
        assert_eq!(leaky_loopy["status"], "reported", "{file}");
        assert_eq!(
            leaky_loopy["goroutines"], 260,
            "{file}: 150 server and 110 client"
        );
        assert!(
            notes(&leaky_loopy)
                .iter()
                .any(|note| note
                    .starts_with("110 gRPC client loopy writers: one per client connection")),
            "{file}: {:?}",
            notes(&leaky_loopy)
        );
    }
}

/// `leakprof rules list --builtin` prints every shipped rule with its bound and the reason.
#[test]
fn rules_list_builtin_says_what_each_rule_hides() {
    let run = leakprof(&["rules", "list", "--builtin"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rules = allowlist::builtin();
    assert!(
        run.stdout
            .starts_with(&format!("{} rules built in", rules.len())),
        "{}",
        run.stdout
    );
    for rule in &rules {
        let block = run
            .stdout
            .split("\n\n")
            .find(|block| block.starts_with(&format!("{} (", rule.id)))
            .unwrap_or_else(|| panic!("{} is not listed", rule.id));
        assert!(block.contains(&rule.reason), "{block}");
        let bound = match rule.max_goroutines {
            Some(max) => format!("  bound      fewer than {max} goroutines: "),
            None => "  bound      not bounded: ".to_string(),
        };
        assert!(block.contains(&bound), "{block}");
    }
    let opener = run
        .stdout
        .split("\n\n")
        .find(|block| block.starts_with("leakprof.database-sql.connection-opener ("))
        .unwrap();
    assert!(
        opener.contains(
            "  over bound N database/sql openers: one per sql.DB — is a DB opened per request \
             and never closed?"
        ),
        "{opener}"
    );

    // A user's file lists the same way; without files or --builtin it is a usage error.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.yaml");
    std::fs::write(
        &file,
        "version: 1\nsuppressions:\n  - id: pollers\n    reason: one per tenant\n    function: \"example.com/billing.(*Poller).run\"\n    max_goroutines: 5000\n",
    )
    .unwrap();
    let listed = leakprof(&["rules", "list", path_str(&file)]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(
        listed.stdout.starts_with("1 rule from files\n\npollers ("),
        "{}",
        listed.stdout
    );
    assert!(
        listed
            .stdout
            .contains("  bound      fewer than 5000 goroutines\n")
    );
    assert_eq!(leakprof(&["rules", "list"]).code, 2);
}

/// The fixtures build offline (the replicas come in through `replace`, `GOPROXY=off`), and
/// the captures still match their source: every place in them that lies in
/// testdata/builtin is a line with a channel operation.
#[test]
fn the_fixtures_build_offline_and_match_their_captures() {
    for program in ["stdlib", "libraries"] {
        let output = std::process::Command::new(crate::e2e::go())
            .arg("vet")
            .arg(".")
            .current_dir(testdata(&format!("builtin/{program}")))
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "go vet in testdata/builtin/{program}:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut places = 0;
    for run in ["stdlib-leaky", "libraries-leaky", LIBRARIES_HEALTHY] {
        let (_, json) = report(&[capture(run, "goroutine.debug2.txt.gz")], &[]);
        for finding in json["findings"].as_array().unwrap() {
            let file = finding["file"].as_str().unwrap();
            let Some((_, local)) = file.split_once("/testdata/builtin/") else {
                continue;
            };
            let text = std::fs::read_to_string(testdata(&format!("builtin/{local}")))
                .unwrap_or_else(|error| panic!("{file}: {error}"));
            let line = finding["line"].as_u64().unwrap() as usize;
            let code = text.lines().nth(line - 1).unwrap_or_default();
            assert!(
                ["<-", "select", "range"].iter().any(|op| code.contains(op)),
                "{run}: {local}:{line} holds no channel operation: {code:?}; run \
                 testdata/builtin/capture.sh"
            );
            places += 1;
        }
    }
    assert!(places > 50, "{places} places in the fixtures");
}
