//! `--format sarif` on real profiles, checked by what consumes it: the final OASIS SARIF 2.1.0
//! schema shipped in `testdata/sarif/`, Microsoft's SARIF Multitool with GitHub's ingestion
//! rules, and the JSON report it must agree with (one result per reported finding in report
//! order, the same fingerprints, rules that do not change with the profile format, locations
//! from the repository's root).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::{Value, json};

use crate::support::{leakprof, monorepo, multitool_problems, path_str, testdata};

const PROFILE: &str = "profiles/go1.27/goroutine.pb.gz";

/// One rule per leak kind, sorted by id.
const RULE_IDS: [&str; 9] = [
    "leakprof/cond",
    "leakprof/mutex",
    "leakprof/receive",
    "leakprof/rwmutex",
    "leakprof/select",
    "leakprof/select_no_cases",
    "leakprof/send",
    "leakprof/unknown",
    "leakprof/waitgroup",
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

/// `leakprof report --profile PROFILE ARGS` as SARIF (raw) and as JSON.
fn sarif_and_json_of(profile: &str, args: &[&str]) -> (String, Value) {
    let profile = testdata(profile);
    let base = [&["report", "--profile", path_str(&profile)], args].concat();
    let sarif = leakprof(&[&base[..], &["--format", "sarif"]].concat());
    assert_eq!(sarif.code, 1, "{}", sarif.stderr);
    let report = leakprof(&[&base[..], &["--format", "json"]].concat());
    assert_eq!(report.code, 1, "{}", report.stderr);
    (sarif.stdout, report.json())
}

fn sarif_and_json(args: &[&str]) -> (String, Value) {
    sarif_and_json_of(PROFILE, args)
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

/// The rule of an op as the JSON report names it: one per family.
fn rule_of(op: &str) -> String {
    let family = match op {
        "nil_send" => "send",
        "range" | "nil_receive" => "receive",
        op => op,
    };
    format!("leakprof/{family}")
}

/// What holds for every SARIF report: the schema, the rules, and one result per reported
/// finding of the JSON report (and per suppressed one with `include_suppressed`), in its
/// order, with its fingerprint. Returns the run.
fn check_against_json(text: &str, report: &Value, include_suppressed: bool) -> Value {
    assert!(text.starts_with("{\n  \"$schema\"") && text.ends_with("}\n"));
    let sarif: Value = serde_json::from_str(text).expect("SARIF is JSON");
    assert_valid(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["$schema"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "leakprof");
    assert_eq!(driver["version"], report["tool"]["version"]);
    assert_eq!(driver["semanticVersion"], report["tool"]["version"]);
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
        let (level, precision) = match id {
            "leakprof/select_no_cases" => ("warning", "medium"),
            "leakprof/unknown" => ("warning", "low"),
            "leakprof/select" => ("error", "medium"),
            "leakprof/send" | "leakprof/receive" => ("error", "high"),
            // Sync waits are findings only when the GC proved them leaked.
            _ => ("error", "very-high"),
        };
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{id}");
        assert_eq!(rule["properties"]["precision"], precision, "{id}");
        assert_eq!(rule["properties"]["problem.severity"], level, "{id}");
        assert_eq!(
            rule["properties"]["tags"],
            json!(["goroutine-leak", "concurrency"])
        );
        let anchor = format!("rule-{}", id.replace('/', ""));
        assert_eq!(
            rule["helpUri"],
            format!("https://github.com/leakprof/leakprof/blob/main/README.md#{anchor}")
        );
    }

    let findings = report["findings"].as_array().unwrap();
    let shown: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["status"] == "reported" || (include_suppressed && f["status"] == "suppressed")
        })
        .collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), shown.len());
    for (result, finding) in results.iter().zip(&shown) {
        let rule_id = rule_of(finding["op"].as_str().unwrap());
        assert_eq!(result["ruleId"], rule_id.as_str());
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], rule_id.as_str());
        let level = if finding["leaked_goroutines"].as_u64().unwrap() > 0 {
            json!("error")
        } else {
            rule["defaultConfiguration"]["level"].clone()
        };
        assert_eq!(result["level"], level);
        assert_eq!(result["partialFingerprints"]["leakprof/v3"], finding["id"]);
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
    let suppressed = findings
        .iter()
        .filter(|f| f["status"] == "suppressed")
        .count();
    assert_eq!(run["properties"]["suppressedResults"], suppressed);
    assert_eq!(
        run["properties"]["suppressedResultsIncluded"],
        include_suppressed
    );

    // Report warnings and hints become notifications of the invocation.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notifications: Vec<&Value> = invocation["toolExecutionNotifications"]
        .as_array()
        .map(|n| n.iter().map(|n| &n["message"]["text"]).collect())
        .unwrap_or_default();
    let warnings = report["warnings"].as_array().unwrap();
    let told: Vec<&Value> = warnings
        .iter()
        .chain(report["hints"].as_array().unwrap())
        .collect();
    // In order; the format adds its own (findings it could not place) among them.
    let mut rest = notifications.iter();
    for item in &told {
        assert!(
            rest.any(|n| n == item),
            "{item} is not among the notifications {notifications:#?}"
        );
    }
    run.clone()
}

fn result_for<'a>(results: &'a [Value], function: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["properties"]["function"] == function)
        .unwrap_or_else(|| panic!("no result for {function}"))
}

fn results(run: &Value) -> Vec<Value> {
    run["results"].as_array().unwrap().clone()
}

/// Issue 14: suppressed findings would become open alerts on GitHub, so by default they are
/// left out and counted; `include` writes them with their suppression, which then has the
/// final schema's `status`.
#[test]
fn suppressed_findings_are_counted_or_included() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path());
    let args = [
        "--repo",
        env!("CARGO_MANIFEST_DIR"),
        "--rules",
        path_str(&rules),
    ];
    let (text, report) = sarif_and_json(&args);
    let run = check_against_json(&text, &report, false);
    // 10 leaks reported; the two bounded selects and main.sendOne suppressed.
    assert_eq!(results(&run).len(), 10);
    assert_eq!(run["properties"]["suppressedResults"], 3);
    assert!(!text.contains("\"suppressions\""));

    let (text, report) = sarif_and_json(&[&args[..], &["--sarif-suppressed", "include"]].concat());
    let run = check_against_json(&text, &report, true);
    let results = results(&run);
    let suppressed = results.iter().filter(|r| r.get("suppressions").is_some());
    assert_eq!((results.len(), suppressed.count()), (13, 3));
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
    let after = &result_for(&results, "main.afterLoop.func1")["suppressions"][0];
    assert_eq!(after["kind"], "external");
    assert_eq!(after["properties"]["kind"], "select-timer");
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
}

/// With the source, a result is placed from the repository's root with `%SRCROOT%` and the
/// operation's columns; the lines around it come along as the context region.
#[test]
fn sarif_with_source_is_placed_in_the_repository() {
    let (text, report) = sarif_and_json(&["--repo", env!("CARGO_MANIFEST_DIR")]);
    let run = check_against_json(&text, &report, false);
    let results = results(&run);
    assert_eq!(results.len(), 11);
    let timeout = result_for(&results, "main.timeoutLeak.func1");
    assert_eq!(timeout["ruleId"], "leakprof/send");
    assert_eq!(timeout["level"], "error");
    let message = timeout["message"]["text"].as_str().unwrap();
    assert!(
        message.starts_with(
            "200 goroutines blocked on send in main.timeoutLeak.func1 (leaks.go:40); timeout: "
        ),
        "{message}"
    );
    assert_eq!(
        timeout["locations"][0]["physicalLocation"],
        json!({
            "artifactLocation": {"uri": "testdata/leaky/leaks.go", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 40, "startColumn": 3, "endLine": 40, "endColumn": 12,
                       "snippet": {"text": "done <- v"}},
            "contextRegion": {"startLine": 38, "endLine": 42, "snippet": {"text":
                "\tgo func() {\n\t\tv := <-slowCall\n\t\tdone <- v\n\t}()\n\tselect {"}},
        })
    );
    assert_eq!(
        timeout["locations"][0]["logicalLocations"],
        json!([{"fullyQualifiedName": "main.timeoutLeak.func1", "kind": "function"}])
    );
    // Columns count UTF-16 code units, SARIF's default, as the fixes' regions do.
    assert!(run.get("columnKind").is_none());
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
    let forever = result_for(&results, "main.selectForever.func1");
    assert_eq!(
        (&forever["ruleId"], &forever["level"]),
        (&json!("leakprof/select_no_cases"), &json!("warning"))
    );
    // A range loop is a receive that never ends: the receive rule, with its own op.
    let range = result_for(&results, "main.rangeNeverClosed.func1");
    assert_eq!(
        (&range["ruleId"], &range["properties"]["op"]),
        (&json!("leakprof/receive"), &json!("range"))
    );
    // Columns of a select cover its keyword.
    let select = result_for(&results, "main.selectNoTimer.func1");
    let region = &select["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["snippet"]["text"], "select");
}

/// Issue 14: `--repo` pointing at a module folder of a monorepo still gives URIs from the
/// repository's root, whether the folder is read from disk or at a revision; and the
/// repository's remote (without its credentials) and commit are the provenance.
#[test]
fn monorepo_module_gives_repository_root_uris() {
    let repo = monorepo(Some("https://ci:s3cret-token@github.com/acme/platform.git"));
    let module = repo.root.join("services/leaky");
    for args in [
        vec!["--repo", path_str(&repo.root)],
        vec!["--repo", path_str(&module)],
        vec!["--repo", path_str(&module), "--rev", "HEAD"],
        // This repository's own subfolder, read from disk.
        vec!["--repo", "testdata/leaky"],
    ] {
        let (text, report) = sarif_and_json(&args);
        assert!(!text.contains("s3cret"), "{args:?}: credentials leaked");
        let run = check_against_json(&text, &report, false);
        let results = results(&run);
        let location = &result_for(&results, "main.timeoutLeak.func1")["locations"][0];
        let expected = if args[1] == "testdata/leaky" {
            "testdata/leaky/leaks.go"
        } else {
            "services/leaky/leaks.go"
        };
        assert_eq!(
            location["physicalLocation"]["artifactLocation"],
            json!({"uri": expected, "uriBaseId": "%SRCROOT%"}),
            "{args:?}"
        );
        // Where the goroutines started is named as the URIs are.
        let started = &result_for(&results, "main.timeoutLeak.func1")["properties"]["created_at"];
        assert!(
            started
                .as_str()
                .is_some_and(|at| at.starts_with(&format!("{expected}:"))),
            "{args:?}: {started}"
        );
        if args[1] == "testdata/leaky" {
            continue;
        }
        let commit = (args.len() == 2 && args[1] != path_str(&module)) || args.len() == 4;
        let mut provenance = json!({
            "repositoryUri": "https://github.com/acme/platform",
            "mappedTo": {"uriBaseId": "%SRCROOT%"},
        });
        if commit {
            provenance["revisionId"] = json!(repo.commit);
        }
        assert_eq!(
            run["versionControlProvenance"],
            json!([provenance]),
            "{args:?}"
        );
        assert_eq!(
            report["source"]["remote"],
            "https://github.com/acme/platform.git"
        );
        let problems = multitool_problems(&text);
        assert!(problems.is_empty(), "{args:?}: {problems:#?}");
    }
}

/// Issue 14: `leaks.go:128` was `leakprof/send` from pprof but `leakprof/nil_send` from
/// debug=2. A place keeps its rule whatever the profile format; with the source, debug=1's
/// unknown op is named too.
#[test]
fn rules_do_not_change_with_the_profile_format() {
    let rules_by_place = |profile: &str, args: &[&str]| -> BTreeMap<String, String> {
        let (text, _) = sarif_and_json_of(profile, args);
        let sarif: Value = serde_json::from_str(&text).unwrap();
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|result| {
                let region = &result["locations"][0]["physicalLocation"]["region"];
                let function = result["properties"]["function"].as_str().unwrap();
                (
                    format!("{function}:{}", region["startLine"]),
                    result["ruleId"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let pprof = rules_by_place(PROFILE, &[]);
    let debug2 = rules_by_place("profiles/go1.27/goroutine.debug2.txt", &[]);
    assert_eq!(pprof, debug2);
    assert_eq!(pprof["main.nilSend.func1:128"], "leakprof/send");
    let repo = ["--repo", env!("CARGO_MANIFEST_DIR")];
    let with_source = rules_by_place(PROFILE, &repo);
    assert_eq!(
        with_source,
        rules_by_place("profiles/go1.27/goroutine.debug2.txt", &repo)
    );
    assert_eq!(
        with_source,
        rules_by_place("profiles/go1.27/goroutine.debug1.txt", &repo)
    );
}

/// Without the source, locations are the build paths the profile recorded, as `file://`
/// URIs; the report says that code scanning cannot place them.
#[test]
fn sarif_without_source_points_to_build_paths() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path());
    let (text, report) = sarif_and_json(&["--rules", path_str(&rules)]);
    let run = check_against_json(&text, &report, false);
    let results = results(&run);
    assert_eq!(results.len(), 12);
    let timeout = result_for(&results, "main.timeoutLeak.func1");
    let location = &timeout["locations"][0]["physicalLocation"];
    // The profile records the absolute path the program was built at.
    let uri = location["artifactLocation"]["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/testdata/leaky/leaks.go"),
        "{uri}"
    );
    assert!(location["artifactLocation"].get("uriBaseId").is_none());
    // No source, so no columns and no snippet.
    assert_eq!(location["region"], json!({"startLine": 40}));
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notifications.iter().any(|n| {
            let text = n["message"]["text"].as_str().unwrap();
            text.starts_with("--format sarif: 12 findings name their files as the profile does")
                && text.contains("code scanning cannot place them")
        }),
        "{notifications:#?}"
    );
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&testdata(PROFILE)),
        "--format",
        "sarif",
    ]);
    assert!(
        run.stderr
            .contains("warning: --format sarif: 13 findings name their files"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("run with --repo PATH"),
        "{}",
        run.stderr
    );
    // With a --repo that does not hold the files, asking for --repo would be no help.
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&testdata(PROFILE)),
        "--repo",
        "testdata/huge",
        "--format",
        "sarif",
    ]);
    assert!(
        run.stderr.contains(
            "warning: --format sarif: 13 findings name their files as the profile does \
             (/work/main/testdata/leaky/leaks.go): their files were not found in the \
             repository at testdata/huge, so code scanning cannot place them; check that \
             --repo is the checkout the service was built from"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("run with --repo"), "{}", run.stderr);
}

/// `--sarif-category` sets `automationDetails.id`, for several reports on one commit.
#[test]
fn categories_name_the_analysis() {
    let (text, _) = sarif_and_json(&["--sarif-category", "leakprof/billing"]);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    assert_valid(&sarif);
    assert_eq!(
        sarif["runs"][0]["automationDetails"],
        json!({"id": "leakprof/billing/"})
    );
    let (text, _) = sarif_and_json(&[]);
    assert!(!text.contains("automationDetails"));
}

#[test]
fn sarif_is_deterministic() {
    let (first, _) = sarif_and_json(&["--repo", env!("CARGO_MANIFEST_DIR")]);
    let (second, _) = sarif_and_json(&["--repo", env!("CARGO_MANIFEST_DIR")]);
    assert_eq!(first, second);
}

/// Microsoft's SARIF Multitool, with GitHub's ingestion rules, finds nothing to object to in
/// any variant: with and without the source, with suppressed results, with a category.
#[test]
fn multitool_finds_no_error_or_warning() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path());
    let rules = path_str(&rules);
    let here = env!("CARGO_MANIFEST_DIR");
    for args in [
        vec!["--repo", here, "--rules", rules],
        vec![
            "--repo",
            here,
            "--rules",
            rules,
            "--sarif-suppressed",
            "include",
        ],
        vec!["--rules", rules, "--sarif-suppressed", "include"],
        vec![
            "--sarif-category",
            "leakprof/billing",
            "--threshold",
            "auto",
        ],
    ] {
        let (text, _) = sarif_and_json(&args);
        let problems = multitool_problems(&text);
        assert!(problems.is_empty(), "{args:?}: {problems:#?}");
    }
}

/// The checks have teeth: the suppression field drafts of 2.1.0 called `state` (the final
/// schema names it `status` and allows nothing else; issue 14), a path that is not a URI and
/// a line 0 are refused by the schema, and the Multitool reports the first.
#[test]
fn checks_refuse_what_viewers_would_reject() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path());
    let (text, _) = sarif_and_json(&["--rules", path_str(&rules), "--sarif-suppressed", "include"]);
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
    for (index, (parent, key, value)) in broken.into_iter().enumerate() {
        let mut copy = sarif.clone();
        let results = copy["runs"][0]["results"].as_array_mut().unwrap();
        let allowed = results
            .iter_mut()
            .find(|r| r["properties"]["function"] == "main.sendOne")
            .unwrap();
        allowed.pointer_mut(parent).unwrap()[key] = value;
        assert!(!SCHEMA.is_valid(&copy), "{parent}/{key} passed the schema");
        if index == 0 {
            let problems = multitool_problems(&copy.to_string());
            assert!(
                problems.iter().any(|p| p.contains("state")),
                "{problems:#?}"
            );
        }
    }
}

/// Each rule's `helpUri` leads to a section of the README: a heading `#### Rule
/// leakprof/KIND`, whose anchor GitHub makes by lowercasing and dropping punctuation.
#[test]
fn help_uris_lead_to_the_readme() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let anchors: Vec<String> = readme
        .lines()
        .filter_map(|line| line.strip_prefix('#'))
        .map(|heading| {
            heading
                .trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect();
    let (text, _) = sarif_and_json(&[]);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        let uri = rule["helpUri"].as_str().unwrap();
        let anchor = uri.split_once('#').unwrap().1;
        assert!(
            anchors.iter().any(|a| a == anchor),
            "README.md has no heading for #{anchor}"
        );
    }
}
