//! Allowlists: validation messages, glob and expiry semantics, precedence, and the
//! maintenance commands, on real profiles of `testdata/leaky`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{find, leakprof, path_str, testdata};

const PROFILE: &str = "profiles/go1.27/goroutine.pb.gz";

/// A copy of `testdata/hostile/NAME` in `dir`, to be edited.
fn hostile_copy(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::copy(testdata(&format!("hostile/{name}")), &path).unwrap();
    path
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// A JSON report of the real profile made with `--rules RULES`, written to `dir`.
fn report_file(dir: &Path, rules: &Path) -> PathBuf {
    let path = dir.join("report.json");
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&testdata(PROFILE)),
        "--rules",
        path_str(rules),
        "--format",
        "json",
        "--output",
        path_str(&path),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    path
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn report_with(args: &[&str]) -> (u8, Value, String) {
    let profile = testdata(PROFILE);
    let mut all = vec![
        "report",
        "--profile",
        path_str(&profile),
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    let run = leakprof(&all);
    assert_ne!(run.code, 2, "{}", run.stderr);
    (run.code, run.json(), run.stderr)
}

/// Every way a rules file can be wrong, with its exact message: `FILE:LINE:COL: message`
/// naming the key. The same loader serves `report --rules` and `rules check`.
#[test]
fn every_error_path_has_its_exact_message() {
    let dir = tempfile::tempdir().unwrap();
    let entry = "version: 1\nsuppressions:\n  - id: a\n    reason: r\n";
    let cases: &[(&str, &str)] = &[
        (
            "",
            "1:1: the file is empty; a rules file starts with `version: 1`",
        ),
        (
            "# only a comment\n",
            "1:1: the file is empty; a rules file starts with `version: 1`",
        ),
        (
            "version: 2\n",
            "1:10: version: unsupported version 2; this leakprof reads version 1",
        ),
        ("suppressions: []\n", "1:1: missing field `version`"),
        (
            // An unclosed list: the position is the file's last character, not past its end.
            "version: 1\nsuppressions: [\n",
            "2:15: did not find expected node content",
        ),
        (
            "version: 1\nrules: []\n",
            "2:1: unknown field `rules`, expected `version` or `suppressions`",
        ),
        (
            &format!("{entry}    functon: main.f\n"),
            "5:5: suppressions[0]: unknown field `functon`, expected one of `id`, `reason`, `function`, `file`, `line`, `op`, `stack`, `max_goroutines`, `bound_reason`, `over_bound`, `owner`, `expires`",
        ),
        (
            "version: 1\nsuppressions:\n  - id: a\n    function: main.f\n",
            "3:5: suppressions[0]: missing field `reason`",
        ),
        (
            "version: 1\nsuppressions:\n  - id: a\n    reason: '  '\n    function: main.f\n",
            "4:13: suppressions[0].reason: must not be empty: say why this is not a leak",
        ),
        (
            "version: 1\nsuppressions:\n  - id: two words\n    reason: r\n    function: main.f\n",
            "3:9: suppressions[0].id: \"two words\" must be a non-empty word without spaces",
        ),
        (
            &format!("{entry}    function: main.f\n    expires: 2027-02-30\n"),
            "6:14: suppressions[0].expires: \"2027-02-30\" is not a date of the form YYYY-MM-DD",
        ),
        (
            &format!("{entry}    function: main.f\n    expires: next week\n"),
            "6:14: suppressions[0].expires: \"next week\" is not a date of the form YYYY-MM-DD",
        ),
        (
            &format!("{entry}    file: /abs/x.go\n"),
            "5:11: suppressions[0].file: glob \"/abs/x.go\" must be a repository-relative path with `/` separators",
        ),
        (
            &format!("{entry}    file: \"a/x**/y.go\"\n"),
            "5:11: suppressions[0].file: glob \"a/x**/y.go\": `**` must be a whole path segment, as in `a/**/b.go`",
        ),
        (
            &format!("{entry}    function: \"main f\"\n"),
            "5:15: suppressions[0].function: glob \"main f\" has white space; Go symbols have none",
        ),
        (
            &format!("{entry}    function: main.f\n    op: sned\n"),
            "6:9: suppressions[0].op: unknown op \"sned\", expected one of send, receive, range, select, select_no_cases, nil_send, nil_receive",
        ),
        (
            &format!("{entry}    function: main.f\n    line: twelve\n"),
            "6:11: suppressions[0].line: invalid type: string \"twelve\", expected u32",
        ),
        (
            &format!("{entry}    function: main.f\n    line: 0\n"),
            "6:11: suppressions[0].line: must be at least 1",
        ),
        (
            &format!("{entry}    function: main.f\n    max_goroutines: -5\n"),
            "6:21: suppressions[0].max_goroutines: invalid value: integer `-5`, expected u64",
        ),
        (
            entry,
            "3:3: suppressions[0] (a): needs at least one of `function`, `file` or `stack`",
        ),
        (
            "version: 1\nsuppressions:\n  - id: leakprof.mine\n    reason: r\n    function: f\n",
            "3:9: suppressions[0].id: \"leakprof.mine\": ids starting with \"leakprof.\" are reserved for built-in rules",
        ),
        (
            &format!("{entry}    function: f\n  - id: a\n    reason: r\n    function: g\n"),
            "6:9: duplicate id \"a\": already defined at FILE:3",
        ),
    ];
    for (index, (text, message)) in cases.iter().enumerate() {
        let path = write(dir.path(), &format!("case{index}.yaml"), text);
        let name = path_str(&path);
        let expected = format!("error: {name}:{}\n", message.replace("FILE", name));
        let checked = leakprof(&["rules", "check", name]);
        assert_eq!(
            (checked.code, checked.stderr.as_str()),
            (2, expected.as_str()),
            "case {index}: {text:?}"
        );
        let reported = leakprof(&[
            "report",
            "--profile",
            path_str(&testdata(PROFILE)),
            "--rules",
            name,
        ]);
        assert_eq!(
            (reported.code, reported.stderr.as_str()),
            (2, expected.as_str()),
            "case {index}: {text:?}"
        );
    }

    // Ids are unique across all files loaded together.
    let first = write(
        dir.path(),
        "first.yaml",
        "version: 1\nsuppressions:\n  - id: same\n    reason: r\n    function: f\n",
    );
    let second = write(
        dir.path(),
        "second.yaml",
        "version: 1\nsuppressions:\n  - id: other\n    reason: r\n    function: f\n  - id: same\n    reason: r\n    function: g\n",
    );
    let run = leakprof(&["rules", "check", path_str(&first), path_str(&second)]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "error: {}:6:9: duplicate id \"same\": already defined at {}:3\n",
            path_str(&second),
            path_str(&first)
        )
    );
    let missing = leakprof(&["rules", "check", "/nonexistent/rules.yaml"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .starts_with("error: /nonexistent/rules.yaml: cannot read: "),
        "{}",
        missing.stderr
    );

    let valid = leakprof(&["rules", "check", path_str(&first)]);
    assert_eq!(
        (valid.code, valid.stdout),
        (0, format!("{}: 1 rule, valid\n", path_str(&first)))
    );
}

#[test]
fn rules_suppress_matching_findings_with_owner_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "rules.yaml",
        r#"version: 1
suppressions:
  - id: global-fanout
    reason: the global channel is a broadcast drained at shutdown
    function: "main.global*"
    file: "**/leaks.go"
    op: receive
    owner: "@platform"
  - id: only-big
    reason: NCast is bounded by the replica count
    function: "main.firstResponse.*"
    max_goroutines: 100
  - id: nothing-here
    reason: matches no finding
    stack: "github.com/nowhere/*"
"#,
    );
    let (code, report, stderr) = report_with(&["--rules", path_str(&rules)]);
    assert_eq!(code, 1);
    let global = find(&report, "main.globalReceive.func1");
    assert_eq!(global["status"], "suppressed");
    assert_eq!(
        global["suppression"],
        serde_json::json!({"kind": "allowlist", "rule": "global-fanout", "reason": "the global channel is a broadcast drained at shutdown", "owner": "@platform", "verified": null})
    );
    // max_goroutines: suppress only below the count; above it the rule alarms.
    let fanout = find(&report, "main.firstResponse.func1");
    assert_eq!(fanout["status"], "reported");
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    let name = path_str(&rules);
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    let prefix = format!("rule only-big ({name}:9) allows fewer than 100 goroutines, but /");
    assert!(
        warnings[0].starts_with(&prefix)
            && warnings[0].ends_with("/testdata/leaky/leaks.go:56 has 120: reported"),
        "{warnings:#?}"
    );
    assert_eq!(
        warnings[1],
        format!("rule nothing-here ({name}:13) matched no finding")
    );
    assert!(stderr.contains("matched no finding"));
    let usage = report["rules"].as_array().unwrap();
    assert_eq!(usage.len(), 3);
    assert_eq!(usage[0]["matched"], 1);
    assert_eq!(usage[1]["suppressed"], 0);
    assert_eq!(usage[2]["matched"], 0);
}

/// From the expiry day on, an entry no longer suppresses, and says so.
#[test]
fn expiry_on_the_boundary_day() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "rules.yaml",
        "version: 1\nsuppressions:\n  - id: temporary\n    reason: fix lands in March\n    function: main.prematureReturn.func1\n    expires: 2027-03-31\n",
    );
    let name = path_str(&rules);
    let (_, before, _) = report_with(&["--rules", name, "--today", "2027-03-30"]);
    assert_eq!(
        find(&before, "main.prematureReturn.func1")["status"],
        "suppressed"
    );
    assert_eq!(before["warnings"], serde_json::json!([]));
    for day in ["2027-03-31", "2027-04-01"] {
        let (_, after, _) = report_with(&["--rules", name, "--today", day]);
        assert_eq!(
            find(&after, "main.prematureReturn.func1")["status"],
            "reported",
            "{day}"
        );
        assert_eq!(
            after["warnings"],
            serde_json::json!([format!(
                "rule temporary ({name}:3) expired on 2027-03-31 and no longer suppresses anything (1 matching finding)"
            )]),
            "{day}"
        );
        assert_eq!(after["rules"][0]["expired"], true);
    }
}

/// `rules add` from a real report keeps the file's comments and layout, and the added entry
/// then suppresses that finding; `rules prune` lists and removes what is stale.
#[test]
fn add_and_prune_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let original = "# Known false positives of the leaky service.\nversion: 1\n\nsuppressions:\n    # Kept until the replica fan-out is fixed.\n    - id: old-fanout\n      reason: \"tracked in TICKET-1\"   # inline comment\n      function: main.firstResponse.func1\n      expires: 2027-01-01\n\n    # Nothing matches this any more.\n    - id: gone\n      reason: removed code\n      function: main.removed\n\n# end of file\n";
    let rules = write(dir.path(), "rules.yaml", original);
    let name = path_str(&rules).to_string();
    let report_path = dir.path().join("report.json");
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&testdata(PROFILE)),
        "--repo",
        env!("CARGO_MANIFEST_DIR"),
        "--format",
        "json",
        "--output",
        path_str(&report_path),
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.stderr);
    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let id = find(&report, "main.prematureReturn.func1")["id"]
        .as_str()
        .unwrap()
        .to_string();

    let added = leakprof(&[
        "rules",
        "add",
        &name,
        "--from-report",
        path_str(&report_path),
        "--finding",
        &id,
        "--reason",
        "premature return: fixed in the next release",
        "--expires",
        "2027-06-30",
    ]);
    assert_eq!(
        (added.code, added.stdout.as_str()),
        (
            0,
            format!("added rule main-prematurereturn-func1 to {name}\n").as_str()
        ),
        "{}",
        added.stderr
    );
    let text = std::fs::read_to_string(&rules).unwrap();
    let entry = "    - id: \"main-prematurereturn-func1\"\n      reason: \"premature return: fixed in the next release\"\n      function: \"main.prematureReturn.func1\"\n      file: \"testdata/leaky/leaks.go\"\n      op: send\n      expires: 2027-06-30\n";
    assert_eq!(
        text,
        original.replace(
            "      function: main.removed\n",
            &format!("      function: main.removed\n{entry}")
        )
    );

    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&testdata(PROFILE)),
        "--repo",
        env!("CARGO_MANIFEST_DIR"),
        "--rules",
        &name,
        "--format",
        "json",
        "--today",
        "2026-12-01",
        "--output",
        path_str(&report_path),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    assert_eq!(
        find(&report, "main.prematureReturn.func1")["suppression"]["rule"],
        "main-prematurereturn-func1"
    );

    // A bad finding id or report: exit 2, file untouched.
    let bad = leakprof(&[
        "rules",
        "add",
        &name,
        "--from-report",
        path_str(&report_path),
        "--finding",
        "nope",
        "--reason",
        "x",
    ]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("no finding with id \"nope\""),
        "{}",
        bad.stderr
    );
    let invalid = leakprof(&[
        "rules",
        "add",
        &name,
        "--function",
        "main.f",
        "--op",
        "sned",
        "--reason",
        "x",
    ]);
    assert_eq!(invalid.code, 2);
    assert!(
        invalid.stderr.contains("unknown op \"sned\""),
        "{}",
        invalid.stderr
    );
    assert!(std::fs::read_to_string(&rules).unwrap().contains(entry));
    assert!(!std::fs::read_to_string(&rules).unwrap().contains("sned"));

    // Prune: `gone` matched nothing; `old-fanout` expired on 2027-01-01.
    let listed = leakprof(&[
        "rules",
        "prune",
        &name,
        "--report",
        path_str(&report_path),
        "--today",
        "2027-02-01",
    ]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(
        listed.stdout,
        format!(
            "would remove old-fanout ({name}:6): expired on 2027-01-01\nwould remove gone ({name}:12): matched nothing in {}\n",
            path_str(&report_path)
        )
    );
    let pruned = leakprof(&[
        "rules",
        "prune",
        &name,
        "--report",
        path_str(&report_path),
        "--today",
        "2027-02-01",
        "--write",
    ]);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    assert_eq!(
        std::fs::read_to_string(&rules).unwrap(),
        format!(
            "# Known false positives of the leaky service.\nversion: 1\n\nsuppressions:\n{entry}\n# end of file\n"
        )
    );
    let check = leakprof(&["rules", "check", &name]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

/// The form without a report, into a file that does not exist yet.
#[test]
fn add_without_a_report_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("new.yaml");
    let run = leakprof(&[
        "rules",
        "add",
        path_str(&rules),
        "--function",
        "main.nilSend.*",
        "--file",
        "testdata/leaky/*.go",
        "--op",
        "send",
        "--reason",
        "test fixture",
        "--owner",
        "@leakprof",
        "--id",
        "fixture-nil",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&rules).unwrap(),
        "version: 1\nsuppressions:\n  - id: \"fixture-nil\"\n    reason: \"test fixture\"\n    function: \"main.nilSend.*\"\n    file: \"testdata/leaky/*.go\"\n    op: send\n    owner: \"@leakprof\"\n"
    );
    let (_, report, _) = report_with(&["--rules", path_str(&rules)]);
    assert_eq!(
        find(&report, "main.nilSend.func1")["suppression"]["rule"],
        "fixture-nil"
    );
}

/// Issue 14: `rules check` reports every problem of every file in one pass, in file order,
/// each at a position inside its file; flow-style entries are placed too.
#[test]
fn check_reports_every_error_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let first = write(
        dir.path(),
        "first.yaml",
        "version: 1\nsuppressions: [{id: a, reason: r, functon: x},\n  {id: b, reason: '', function: 'a b'}, 5,\n  {id: c, reason: r, function: f, line: x}, {id: d, reason: r, function: f}]\n",
    );
    let second = write(
        dir.path(),
        "second.yaml",
        "version: 2\nsuppressions:\n  - id: d\n    reason: r\n    stack: \"*\"\n  - id: e\n    op: sned\n",
    );
    let missing = dir.path().join("missing.yaml");
    let run = leakprof(&[
        "rules",
        "check",
        path_str(&first),
        path_str(&missing),
        path_str(&second),
    ]);
    let (first, second, missing) = (path_str(&first), path_str(&second), path_str(&missing));
    let expected = [
        format!(
            "{first}:2:35: suppressions[0]: unknown field `functon`, expected one of `id`, `reason`, `function`, `file`, `line`, `op`, `stack`, `max_goroutines`, `bound_reason`, `over_bound`, `owner`, `expires`"
        ),
        format!(
            "{first}:3:19: suppressions[1].reason: must not be empty: say why this is not a leak"
        ),
        format!(
            "{first}:3:33: suppressions[1].function: glob \"a b\" has white space; Go symbols have none"
        ),
        format!(
            "{first}:3:41: suppressions[2]: invalid type: integer `5`, expected a YAML mapping"
        ),
        format!("{first}:4:41: suppressions[3].line: invalid type: string \"x\", expected u32"),
        format!("{missing}: cannot read: No such file or directory (os error 2)"),
        format!("{second}:1:10: version: unsupported version 2; this leakprof reads version 1"),
        format!("{second}:3:9: duplicate id \"d\": already defined at {first}:4"),
        format!(
            "{second}:6:3: suppressions[1] (e): needs at least one of `function`, `file` or `stack`"
        ),
        format!("{second}:6:5: suppressions[1]: missing field `reason`"),
        format!(
            "{second}:7:9: suppressions[1].op: unknown op \"sned\", expected one of send, receive, range, select, select_no_cases, nil_send, nil_receive"
        ),
    ];
    let expected: String = expected
        .iter()
        .map(|line| format!("error: {line}\n"))
        .collect();
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (2, "", expected.as_str())
    );
}

/// Issue 15: `rules add` on a flow-style list deleted the existing entries and exited 0, and
/// `rules prune --write` printed "removed" and changed nothing.
#[test]
fn flow_lists_are_edited_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let rules = hostile_copy(dir.path(), "rules-flow.yaml");
    let name = path_str(&rules).to_string();
    let original = read(&rules);
    let added = leakprof(&[
        "rules",
        "add",
        &name,
        "--function",
        "main.nilSend.*",
        "--reason",
        "fixture",
        "--id",
        "nil",
    ]);
    assert_eq!((added.code, added.stderr.as_str()), (0, ""));
    let with_entry = original.replace(
        "function: \"main.removed\"}]",
        "function: \"main.removed\"}, {id: \"nil\", reason: \"fixture\", function: \"main.nilSend.*\"}]",
    );
    assert_ne!(with_entry, original);
    assert_eq!(read(&rules), with_entry);
    let checked = leakprof(&["rules", "check", &name]);
    assert_eq!(checked.stdout, format!("{name}: 3 rules, valid\n"));

    let report = report_file(dir.path(), &rules);
    let pruned = leakprof(&[
        "rules",
        "prune",
        &name,
        "--report",
        path_str(&report),
        "--write",
    ]);
    assert_eq!(
        (pruned.code, pruned.stdout.as_str()),
        (
            0,
            format!(
                "removed gone ({name}:4): matched nothing in {}\n",
                path_str(&report)
            )
            .as_str()
        ),
        "{}",
        pruned.stderr
    );
    assert_eq!(
        read(&rules),
        with_entry.replace(
            ", {id: gone, reason: \"code removed\", function: \"main.removed\"}",
            ""
        )
    );
    let again = leakprof(&["rules", "prune", &name, "--report", path_str(&report)]);
    assert_eq!(again.stdout, format!("{name}: nothing to prune\n"));
}

/// Issue 15: a UTF-8 byte order mark gave "more than one document", and edits turned CRLF
/// line ends into LF.
#[test]
fn byte_order_mark_and_crlf_survive_edits() {
    let dir = tempfile::tempdir().unwrap();
    let rules = hostile_copy(dir.path(), "rules-bom-crlf.yaml");
    let name = path_str(&rules).to_string();
    let original = read(&rules);
    assert!(original.starts_with('\u{feff}') && original.contains("\r\n"));
    let checked = leakprof(&["rules", "check", &name]);
    assert_eq!(
        (checked.code, checked.stdout.as_str()),
        (0, format!("{name}: 1 rule, valid\n").as_str()),
        "{}",
        checked.stderr
    );
    let added = leakprof(&[
        "rules",
        "add",
        &name,
        "--function",
        "main.nilSend.*",
        "--reason",
        "fixture",
        "--id",
        "nil",
    ]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let entry =
        "  - id: \"nil\"\r\n    reason: \"fixture\"\r\n    function: \"main.nilSend.*\"\r\n";
    assert_eq!(read(&rules), format!("{original}{entry}"));

    let report = report_file(dir.path(), &rules);
    let pruned = leakprof(&[
        "rules",
        "prune",
        &name,
        "--report",
        path_str(&report),
        "--today",
        "2027-02-01",
        "--write",
    ]);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    assert_eq!(
        read(&rules),
        "\u{feff}# Saved by an editor on Windows: a byte order mark and CRLF line ends.\r\nversion: 1\r\nsuppressions:\r\n"
            .to_string()
            + entry
    );
}

/// Issue 15: report fields were spliced into YAML unquoted, so an `op` with a line break
/// added a rule `function: "*"` that suppressed everything. Values are now typed (an op is
/// one of the op names) and quoted, and a bad one leaves the file as it was.
#[test]
fn report_fields_cannot_add_rules() {
    let dir = tempfile::tempdir().unwrap();
    let rules = hostile_copy(dir.path(), "rules-flow.yaml");
    let name = path_str(&rules).to_string();
    let original = read(&rules);
    for (report, message) in [
        (
            "report-op-injection.json",
            "not a leakprof JSON report: unknown op \"send\\n  - id: everything",
        ),
        (
            "report-function-injection.json",
            "suppressions[2].function: glob \"main.poll\\\"\\n  - id: everything",
        ),
    ] {
        let report = testdata(&format!("hostile/{report}"));
        let run = leakprof(&[
            "rules",
            "add",
            &name,
            "--from-report",
            path_str(&report),
            "--finding",
            "0123456789abcdef",
            "--reason",
            "x",
        ]);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
        assert!(run.stderr.contains(message), "{}", run.stderr);
        assert_eq!(read(&rules), original);
    }
}

/// Issue 15: size and nesting are bounded before the YAML library sees a file.
#[test]
fn limits_are_checked_before_parsing() {
    let deep = testdata("hostile/rules-deep.yaml");
    let run = leakprof(&["rules", "check", path_str(&deep)]);
    assert_eq!(
        (run.code, run.stderr),
        (
            2,
            format!(
                "error: {}:3:31: `[` and `{{` nest deeper than 16 levels; a rules file needs two\n",
                path_str(&deep)
            )
        )
    );
    let dir = tempfile::tempdir().unwrap();
    let big = write(dir.path(), "big.yaml", &"# padding\n".repeat(110_000));
    for path in [Path::new("/dev/zero"), big.as_path()] {
        if !path.exists() {
            continue;
        }
        let run = leakprof(&["rules", "check", path_str(path)]);
        assert_eq!(
            (run.code, run.stderr),
            (
                2,
                format!(
                    "error: {}: larger than 1024 KiB, the limit for a rules file: is it the right file?\n",
                    path_str(path)
                )
            )
        );
    }
}

/// Issue 14: `rules add` warns when `--expires` has passed, and takes `--max-goroutines`.
#[test]
fn add_warns_on_past_expiry_and_takes_max_goroutines() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    let name = path_str(&rules).to_string();
    let run = leakprof(&[
        "rules",
        "add",
        &name,
        "--function",
        "main.firstResponse.*",
        "--reason",
        "bounded by the replica count",
        "--max-goroutines",
        "100",
        "--expires",
        "2001-01-01",
        "--id",
        "fanout",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("warning: --expires 2001-01-01 is not after today ("),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("): the rule is expired already and suppresses nothing\n"),
        "{}",
        run.stderr
    );
    assert_eq!(
        read(&rules),
        "version: 1\nsuppressions:\n  - id: \"fanout\"\n    reason: \"bounded by the replica count\"\n    function: \"main.firstResponse.*\"\n    max_goroutines: 100\n    expires: 2001-01-01\n"
    );
    let future = leakprof(&[
        "rules",
        "add",
        &name,
        "--function",
        "main.f",
        "--reason",
        "r",
        "--expires",
        "2999-01-01",
    ]);
    assert_eq!((future.code, future.stderr.as_str()), (0, ""));
    let zero = leakprof(&[
        "rules",
        "add",
        &name,
        "--function",
        "main.g",
        "--reason",
        "r",
        "--max-goroutines",
        "0",
    ]);
    assert_eq!(zero.code, 2);
    assert!(zero.stderr.contains("--max-goroutines"), "{}", zero.stderr);
    assert!(!read(&rules).contains("main.g"));
}

/// Issue 15: edits go through a symlinked rules file to its target, keeping the link, and
/// never through a link planted at the old predictable temporary path.
#[cfg(unix)]
#[test]
fn edits_follow_the_rules_file_link_and_no_other() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("shared")).unwrap();
    let target = hostile_copy(&dir.path().join("shared"), "rules-flow.yaml");
    let link = dir.path().join("rules.yaml");
    symlink("shared/rules-flow.yaml", &link).unwrap();
    let victim = write(dir.path(), "victim.txt", "precious\n");
    symlink(&victim, dir.path().join(".rules.yaml.leakprof-tmp")).unwrap();
    symlink(
        &victim,
        dir.path().join("shared/.rules-flow.yaml.leakprof-tmp"),
    )
    .unwrap();
    let run = leakprof(&[
        "rules",
        "add",
        path_str(&link),
        "--function",
        "main.f",
        "--reason",
        "r",
        "--id",
        "f",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(read(&target).contains("{id: \"f\", reason: \"r\", function: \"main.f\"}"));
    assert_eq!(read(&victim), "precious\n");
}

/// Issue 15: a plain-folder `--repo` followed a `.leakprof.yaml` link out of the folder and
/// printed what it found there in the error.
#[cfg(unix)]
#[test]
fn repository_rules_outside_the_folder_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let secret = write(dir.path(), "secret", "api-token: hunter2\n");
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::os::unix::fs::symlink(&secret, repo.join(".leakprof.yaml")).unwrap();
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&testdata(PROFILE)),
        "--repo",
        path_str(&repo),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(&format!(
            "error: .leakprof.yaml:1:1: cannot read: it leads outside {}",
            path_str(&repo)
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}
