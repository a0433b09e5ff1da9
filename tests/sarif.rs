//! `--format sarif` on a real profile, with and without the source: valid against the OASIS
//! SARIF 2.1.0 schema shipped in `testdata/sarif/`, one result per reported or suppressed
//! finding in report order, and the same fingerprints as the JSON report, so code scanning
//! alerts and baselines follow the same places.

use std::path::Path;
use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::{Value, json};

use crate::support::{leakprof, path_str, testdata};

const PROFILE: &str = "profiles/go1.27/goroutine.pb.gz";

/// One rule per op, sorted by id.
const RULE_IDS: [&str; 8] = [
    "leakprof/nil_receive",
    "leakprof/nil_send",
    "leakprof/range",
    "leakprof/receive",
    "leakprof/select",
    "leakprof/select_no_cases",
    "leakprof/send",
    "leakprof/unknown",
];

static SCHEMA: LazyLock<Validator> = LazyLock::new(|| {
    let text = std::fs::read_to_string(testdata("sarif/sarif-schema-2.1.0.json"))
        .expect("testdata/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    // The schema declares draft-04, which has no `uri-reference` format; validated as draft 7
    // (the same keywords for everything this schema uses: its refs are all local) so that a
    // file path that is not a valid URI is caught too.
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
});

/// Issue 14: GitHub's upload validates against the final SARIF 2.1.0 schema (OASIS errata01),
/// while tests passed against an earlier draft that called a suppression's review status
/// `state`. The shipped schema must be the final one.
#[test]
fn shipped_schema_is_the_final_one() {
    let text = std::fs::read_to_string(testdata("sarif/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    let suppression = &schema["definitions"]["suppression"]["properties"];
    assert!(suppression.get("status").is_some() && suppression.get("state").is_none());
    assert_eq!(
        schema["definitions"]["suppression"]["additionalProperties"],
        false
    );
}

/// An allowlist with one rule that suppresses `main.sendOne` and one that matches nothing
/// (which makes a warning).
fn rules_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("rules.yaml");
    std::fs::write(
        &path,
        r#"version: 1
suppressions:
  - id: send-one
    reason: one goroutine per worker, by design
    function: main.sendOne
    owner: "@leaky-team"
  - id: nothing-here
    reason: matches no finding
    function: "example.com/nowhere.*"
"#,
    )
    .unwrap();
    path
}

/// `leakprof report` on the go1.27 profile with `args`, as SARIF (raw) and as JSON.
fn sarif_and_json(args: &[&str]) -> (String, Value) {
    let profile = testdata(PROFILE);
    let base = [&["report", "--profile", path_str(&profile)], args].concat();
    let sarif = leakprof(&[&base[..], &["--format", "sarif"]].concat());
    assert_eq!(sarif.code, 1, "{}", sarif.stderr);
    let report = leakprof(&[&base[..], &["--format", "json"]].concat());
    assert_eq!(report.code, 1, "{}", report.stderr);
    (sarif.stdout, report.json())
}

fn assert_valid(sarif: &Value) {
    let errors: Vec<String> = SCHEMA
        .iter_errors(sarif)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the schema:\n{}",
        errors.join("\n")
    );
}

/// What holds for every SARIF report: the schema, the rules, and one result per reported or
/// suppressed finding of the JSON report, in its order, with its fingerprint. Returns the
/// results.
fn check_against_json(text: &str, report: &Value) -> Vec<Value> {
    assert!(text.starts_with("{\n  \"$schema\"") && text.ends_with("}\n"));
    let sarif: Value = serde_json::from_str(text).expect("SARIF is JSON");
    assert_valid(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "leakprof");
    assert_eq!(driver["version"], report["tool"]["version"]);
    assert_eq!(
        driver["informationUri"],
        "https://github.com/leakprof/leakprof"
    );
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, RULE_IDS);
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        for text in [
            &rule["shortDescription"]["text"],
            &rule["fullDescription"]["text"],
            &rule["help"]["text"],
            &rule["help"]["markdown"],
        ] {
            assert!(!text.as_str().unwrap().is_empty(), "{id}");
        }
        let level = match id {
            "leakprof/select_no_cases" | "leakprof/unknown" => "warning",
            _ => "error",
        };
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{id}");
        assert_eq!(
            rule["properties"]["tags"],
            json!(["goroutine-leak", "concurrency"])
        );
    }

    let shown: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "reported" || f["status"] == "suppressed")
        .collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), shown.len());
    for (result, finding) in results.iter().zip(&shown) {
        let rule_id = format!("leakprof/{}", finding["op"].as_str().unwrap());
        assert_eq!(result["ruleId"], rule_id.as_str());
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], rule_id.as_str());
        assert_eq!(result["level"], rule["defaultConfiguration"]["level"]);
        assert_eq!(result["partialFingerprints"]["leakprof/v2"], finding["id"]);
        assert_eq!(result["properties"]["function"], finding["function"]);
        assert_eq!(result["properties"]["goroutines"], finding["goroutines"]);
        assert_eq!(result["properties"]["op"], finding["op"]);
        assert_eq!(
            result.get("suppressions").is_some(),
            finding["status"] == "suppressed",
            "{result}"
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], finding["line"]);
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
    }

    // Report warnings and hints become notifications of the invocation.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notifications: Vec<&Value> = invocation["toolExecutionNotifications"]
        .as_array()
        .map(|n| n.iter().map(|n| &n["message"]["text"]).collect())
        .unwrap_or_default();
    let told: Vec<&Value> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(report["hints"].as_array().unwrap())
        .collect();
    assert_eq!(notifications, told);
    results.clone()
}

fn result_for<'a>(results: &'a [Value], function: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["properties"]["function"] == function)
        .unwrap_or_else(|| panic!("no result for {function}"))
}

#[test]
fn sarif_with_source_is_repo_relative_and_carries_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path());
    let (text, report) = sarif_and_json(&[
        "--repo",
        env!("CARGO_MANIFEST_DIR"),
        "--rules",
        path_str(&rules),
    ]);
    let results = check_against_json(&text, &report);
    // 9 leaks reported; the three bounded selects and main.sendOne suppressed.
    let suppressed = results.iter().filter(|r| r.get("suppressions").is_some());
    assert_eq!((results.len(), suppressed.count()), (13, 4));
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("nothing-here"))
    );

    let timeout = result_for(&results, "main.timeoutLeak.func1");
    assert_eq!(timeout["ruleId"], "leakprof/send");
    assert_eq!(timeout["level"], "error");
    assert_eq!(
        timeout["message"]["text"],
        "200 goroutines blocked on send in main.timeoutLeak.func1 (leaks.go:40)"
    );
    assert_eq!(
        timeout["locations"],
        json!([{"physicalLocation": {
            "artifactLocation": {"uri": "testdata/leaky/leaks.go"},
            "region": {"startLine": 40, "snippet": {"text": "done <- v"}},
        }}])
    );
    assert!(timeout.get("suppressions").is_none());

    let ticker = result_for(&results, "main.tickerLoop.func1");
    assert_eq!(ticker["ruleId"], "leakprof/select");
    assert_eq!(
        ticker["suppressions"],
        json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "select at leaks.go:85 also waits on <-ticker.C (ticker) at line 86",
            "properties": {"kind": "select-ticker"},
        }])
    );
    for (function, kind) in [
        ("main.afterLoop.func1", "select-timer"),
        ("main.ctxLoop.func1", "select-ctx-done"),
    ] {
        let suppression = &result_for(&results, function)["suppressions"][0];
        assert_eq!(suppression["kind"], "external", "{function}");
        assert_eq!(suppression["properties"]["kind"], kind, "{function}");
    }

    let allowed = result_for(&results, "main.sendOne");
    assert_eq!(
        allowed["suppressions"],
        json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "one goroutine per worker, by design",
            "properties": {"kind": "allowlist", "rule": "send-one", "owner": "@leaky-team"},
        }])
    );

    let forever = result_for(&results, "main.selectForever.func1");
    assert_eq!(
        (&forever["ruleId"], &forever["level"]),
        (&json!("leakprof/select_no_cases"), &json!("warning"))
    );
    let range = result_for(&results, "main.rangeNeverClosed.func1");
    assert_eq!(range["ruleId"], "leakprof/range");
}

#[test]
fn sarif_without_source_points_to_build_paths() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path());
    let (text, report) = sarif_and_json(&["--rules", path_str(&rules)]);
    let results = check_against_json(&text, &report);
    // Without the source nothing tells a bounded select: only the allowlist suppresses.
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!((results.len(), suppressed.len()), (13, 1));
    assert_eq!(suppressed[0]["properties"]["function"], "main.sendOne");

    let timeout = result_for(&results, "main.timeoutLeak.func1");
    let location = &timeout["locations"][0]["physicalLocation"];
    // The profile records the absolute path the program was built at.
    let uri = location["artifactLocation"]["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/testdata/leaky/leaks.go"),
        "{uri}"
    );
    // No source, so no snippet.
    assert_eq!(location["region"], json!({"startLine": 40}));
}

#[test]
fn sarif_is_deterministic() {
    let (first, _) = sarif_and_json(&["--repo", env!("CARGO_MANIFEST_DIR")]);
    let (second, _) = sarif_and_json(&["--repo", env!("CARGO_MANIFEST_DIR")]);
    assert_eq!(first, second);
}

/// The schema check has teeth: the suppression field drafts of 2.1.0 called `state` (the final
/// schema names it `status` and allows nothing else; issue 14), a path that is not a URI and a
/// line 0 are all refused.
#[test]
fn schema_refuses_what_viewers_would_reject() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path());
    let (text, _) = sarif_and_json(&["--rules", path_str(&rules)]);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    assert!(SCHEMA.is_valid(&sarif));
    let broken = [
        ("/suppressions/0", "state", json!("accepted")),
        (
            "/locations/0/physicalLocation/artifactLocation",
            "uri",
            json!("my app.go"),
        ),
        (
            "/locations/0/physicalLocation/region",
            "startLine",
            json!(0),
        ),
    ];
    for (parent, key, value) in broken {
        let mut copy = sarif.clone();
        let results = copy["runs"][0]["results"].as_array_mut().unwrap();
        let allowed = results
            .iter_mut()
            .find(|r| r["properties"]["function"] == "main.sendOne")
            .unwrap();
        allowed.pointer_mut(parent).unwrap()[key] = value;
        assert!(!SCHEMA.is_valid(&copy), "{parent}/{key} passed the schema");
    }
}
