//! The formats for CI systems and editors, and how reports are written (issue 14), each
//! checked by what consumes it: GitLab Code Quality against GitLab's documented fields, GitHub
//! workflow commands parsed as the runner parses them, the concise lines as an error format
//! reads them, Markdown rendered by a CommonMark/GFM renderer; several outputs in one run,
//! written atomically, with a summary on standard error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::support::{Monorepo, leakprof, marked, monorepo, monorepo_with, path_str, testdata};

const PROFILE: &str = "profiles/go1.27/goroutine.pb.gz";
const LEAK_PROFILE: &str = "profiles/go1.27/goroutineleak.pb.gz";

/// `leakprof report --profile PROFILE ARGS`.
fn report(args: &[&str]) -> crate::support::Run {
    let profile = testdata(PROFILE);
    leakprof(&[&["report", "--profile", path_str(&profile)], args].concat())
}

/// The JSON report's reported findings, by function.
fn reported(args: &[&str]) -> BTreeMap<String, Value> {
    let run = report(&[args, &["--format", "json"]].concat());
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "reported")
        .map(|f| (f["function"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

/// GitLab's Code Quality report: an array of issues, each with a `description`, a
/// `check_name`, a `fingerprint` unique in the report, a `severity` among GitLab's five, and
/// a `location` whose `path` is relative to the repository's root (GitLab resolves it there)
/// and whose `lines.begin` is a line. Returns the issues.
fn check_gitlab_code_quality(text: &str, root: &Path) -> Vec<Value> {
    let issues: Value = serde_json::from_str(text).expect("Code Quality is JSON");
    let issues = issues.as_array().expect("an array of issues").clone();
    let mut fingerprints = BTreeSet::new();
    for issue in &issues {
        for field in ["description", "check_name", "fingerprint"] {
            let value = issue[field].as_str().unwrap_or_default();
            assert!(!value.is_empty(), "{field} in {issue}");
        }
        assert!(
            fingerprints.insert(issue["fingerprint"].to_string()),
            "{issue}"
        );
        let severity = issue["severity"].as_str().unwrap();
        assert!(
            ["info", "minor", "major", "critical", "blocker"].contains(&severity),
            "{issue}"
        );
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(
            !path.starts_with('/') && !path.split('/').any(|part| part == ".."),
            "{path}"
        );
        // A warning that names no file still has a path, or GitLab leaves it out.
        let unplaced = issue["check_name"] == "leakprof/warning" && path == "leakprof";
        assert!(
            unplaced || root.join(path).is_file(),
            "{path} is not in {}",
            root.display()
        );
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        // The CodeClimate spec's own required fields, which GitLab tolerates.
        assert_eq!(issue["type"], "issue");
        assert!(
            issue["categories"]
                .as_array()
                .is_some_and(|c| !c.is_empty())
        );
    }
    issues
}

/// A warning that names no file reaches the widget too: an owner that owns nothing is said,
/// at a path GitLab keeps.
#[test]
fn codeclimate_places_a_warning_that_names_no_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = report(&[
        "--repo",
        path_str(root),
        "--owner",
        "@nobody",
        "--format",
        "codeclimate",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let issues = check_gitlab_code_quality(&run.stdout, root);
    assert_eq!(issues.len(), 1, "{}", run.stdout);
    assert_eq!(issues[0]["check_name"], "leakprof/warning");
    assert_eq!(issues[0]["location"]["path"], "leakprof");
    assert!(
        issues[0]["description"]
            .as_str()
            .unwrap()
            .contains("--owner @nobody owns none of the places found"),
        "{}",
        run.stdout
    );
}

#[test]
fn codeclimate_is_what_gitlab_reads() {
    let repo = monorepo(None);
    let module = repo.root.join("services/leaky");
    for args in [
        vec!["--repo", path_str(&repo.root)],
        // A module folder: paths are still from the repository's root.
        vec!["--repo", path_str(&module), "--rev", "HEAD"],
    ] {
        let run = report(&[&args[..], &["--format", "codeclimate"]].concat());
        assert_eq!(run.code, 1, "{}", run.stderr);
        let issues = check_gitlab_code_quality(&run.stdout, &repo.root);
        let findings = reported(&args);
        assert_eq!(issues.len(), findings.len());
        for issue in &issues {
            let description = issue["description"].as_str().unwrap();
            let finding = findings
                .values()
                .find(|f| {
                    description.contains(&format!(" in {} ", f["function"].as_str().unwrap()))
                })
                .unwrap_or_else(|| panic!("no finding for {description}"));
            assert_eq!(issue["fingerprint"], finding["id"]);
            assert_eq!(issue["location"]["path"], "services/leaky/leaks.go");
            assert!(description.contains(&started_at(finding)), "{description}");
            if let Some(pattern) = named_pattern(finding) {
                assert!(
                    description.contains(&format!("; pattern {pattern}")),
                    "{description}"
                );
            }
            assert_eq!(issue["location"]["lines"]["begin"], finding["line"]);
        }
    }
}

/// "; started at services/leaky/leaks.go:38": where a finding's goroutines started, from the
/// repository's root of the monorepo, whatever folder `--repo` named.
fn started_at(finding: &Value) -> String {
    let at = finding["created_at"]
        .as_str()
        .unwrap_or_else(|| panic!("created_at of {finding}"));
    let at = at.strip_prefix("services/leaky/").unwrap_or(at);
    format!("started at services/leaky/{at}")
}

/// The finding's pattern, unless it is `other`.
fn named_pattern(finding: &Value) -> Option<&str> {
    finding["pattern"]["id"]
        .as_str()
        .filter(|&pattern| pattern != "other")
}

/// One workflow command as the runner reads it: `::name key=value,…::message`, with the
/// values and the message unescaped.
fn parse_command(line: &str) -> (String, BTreeMap<String, String>, String) {
    fn unescape(text: &str) -> String {
        text.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    }
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a command: {line}"));
    let (head, message) = rest.split_once("::").expect("a message");
    let (name, properties) = head.split_once(' ').unwrap_or((head, ""));
    let properties = properties
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (key, value) = p.split_once('=').expect("key=value");
            (key.to_string(), unescape(value))
        })
        .collect();
    (name.to_string(), properties, unescape(message))
}

#[test]
fn github_commands_annotate_each_leak() {
    let repo = monorepo(None);
    let args = ["--repo", path_str(&repo.root)];
    let run = report(&[&args[..], &["--format", "github"]].concat());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = reported(&args);
    let commands: Vec<_> = run.stdout.lines().map(parse_command).collect();
    let annotations: Vec<_> = commands
        .iter()
        .filter(|(_, properties, _)| properties.contains_key("file"))
        .collect();
    assert_eq!(annotations.len(), findings.len());
    for (name, properties, message) in annotations {
        let finding = findings
            .values()
            .find(|f| message.contains(&format!(" in {} (", f["function"].as_str().unwrap())))
            .unwrap_or_else(|| panic!("no finding for {message}"));
        let expected = if finding["op"] == "select_no_cases" {
            "warning"
        } else {
            "error"
        };
        assert_eq!(name, expected, "{message}");
        assert_eq!(properties["file"], "services/leaky/leaks.go");
        assert!(repo.root.join(&properties["file"]).is_file());
        assert_eq!(properties["line"], finding["line"].to_string());
        let span = &finding["source"]["span"];
        assert_eq!(properties["col"], span["start_column"].to_string());
        assert_eq!(properties["endColumn"], span["end_column"].to_string());
        assert!(
            properties["title"].starts_with("leakprof/"),
            "{properties:?}"
        );
        // The escaped newlines come back: the message has several lines.
        assert!(message.contains("\nHow to fix: "), "{message}");
        assert!(
            message.contains(&format!("\nS{}\n", &started_at(finding)[1..])),
            "{message}"
        );
        if let Some(pattern) = named_pattern(finding) {
            assert!(
                message.contains(&format!("\nPattern {pattern}: ")),
                "{message}"
            );
        }
    }
    // The hint is an annotation without a place.
    assert!(
        commands
            .iter()
            .any(|(name, properties, _)| name == "notice" && !properties.contains_key("file"))
    );
}

#[test]
fn concise_lines_read_as_an_error_format() {
    let repo = monorepo(None);
    let args = ["--repo", path_str(&repo.root)];
    let run = report(&[&args[..], &["--format", "concise"]].concat());
    assert_eq!(run.code, 1);
    let findings = reported(&args);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), findings.len());
    for line in lines {
        // %f:%l:%c: %t…: %m
        let mut parts = line.splitn(4, ':');
        let (file, line_number, column, rest) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        assert!(repo.root.join(file).is_file(), "{line}");
        let finding = findings
            .values()
            .find(|f| rest.contains(&format!(" in {} (", f["function"].as_str().unwrap())))
            .unwrap_or_else(|| panic!("no finding for {line}"));
        assert_eq!(line_number, finding["line"].to_string(), "{line}");
        assert_eq!(
            column,
            finding["source"]["span"]["start_column"].to_string()
        );
        assert!(
            rest.starts_with(" error: ") || rest.starts_with(" warning: "),
            "{line}"
        );
        assert!(
            rest.ends_with(']') && rest.contains(" [leakprof/"),
            "{line}"
        );
        assert!(
            rest.contains(&format!("; {}", started_at(finding))),
            "{line}"
        );
        if let Some(pattern) = named_pattern(finding) {
            assert!(rest.contains(&format!("; pattern {pattern}")), "{line}");
        }
    }
}

/// The Markdown a pull-request comment gets, rendered by marked (CommonMark with GitHub's
/// extensions): places link to the source at the commit, sections fold, owners stay code.
#[test]
fn markdown_renders_with_links_and_folded_sections() {
    let repo: Monorepo = monorepo_with(
        Some("git@github.com:acme/platform.git"),
        &[(".github/CODEOWNERS", "services/ @acme/leaky-team\n")],
    );
    let rules_dir = tempfile::tempdir().unwrap();
    let rules = rules_dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "version: 1\nsuppressions:\n  - id: send-one\n    reason: ask @bob, one per worker\n    function: main.sendOne\n",
    )
    .unwrap();
    let run = report(&[
        "--repo",
        path_str(&repo.root),
        "--rules",
        path_str(&rules),
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let html = marked(&run.stdout);
    let url = format!(
        "https://github.com/acme/platform/blob/{}/services/leaky/leaks.go#L40",
        repo.commit
    );
    assert!(
        html.contains(&format!(
            "<a href=\"{url}\"><code>services/leaky/leaks.go:40</code></a>"
        )),
        "{html}"
    );
    // Every reported place links, in the table and in its section, and every suppressed
    // place once (10 reported; 2 bounded selects and main.sendOne suppressed).
    assert_eq!(
        html.matches("<a href=\"https://github.com/acme/platform/blob/")
            .count(),
        2 * 10 + 3
    );
    assert!(html.contains("<table>"));
    for summary in ["Example stack", "How to fix", "3 findings suppressed"] {
        assert!(
            html.contains(&format!("<details><summary>{summary}</summary>")),
            "no folded {summary}"
        );
    }
    assert_eq!(
        html.matches("<details>").count(),
        html.matches("</details>").count()
    );
    // Owners are code; the reason's @bob is kept from mentioning.
    assert!(html.contains("<code>@acme/leaky-team</code>"), "{html}");
    let outside_code: String = html
        .split("<code>")
        .map(|part| part.split_once("</code>").map_or(part, |(_, after)| after))
        .collect();
    assert!(
        !outside_code.contains("@bob") && !outside_code.contains("@acme"),
        "{outside_code}"
    );
    assert!(outside_code.contains("@\u{200b}bob"), "{outside_code}");
    // The lines around the leaking one, in a Go block.
    assert!(html.contains("<code class=\"language-go\">go func() {\n\tv := &lt;-slowCall\n\tdone &lt;- v // ← 200 goroutines here\n"), "{html}");
}

/// HTML links places to the source like Markdown, and shows the lines around each with the
/// leaking one marked.
#[test]
fn html_links_and_context() {
    let repo = monorepo(Some("https://gitlab.example.com/acme/platform.git"));
    let run = report(&["--repo", path_str(&repo.root), "--format", "html"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let url = format!(
        "https://gitlab.example.com/acme/platform/-/blob/{}/services/leaky/leaks.go#L40",
        repo.commit
    );
    assert!(
        run.stdout.contains(&format!(
            "<a href=\"{url}\"><code>services/leaky/leaks.go:40</code></a>"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(
        "<span class=\"line-number\">39</span>          v := &lt;-slowCall\n<mark><span class=\"line-number\">40</span>          done &lt;- v</mark>\n"
    ));
    // A template must be a web address: the page never links to anything else.
    let run = report(&[
        "--format",
        "html",
        "--link-template",
        "javascript:alert(1)//{path}",
    ]);
    assert_eq!(run.code, 2);
}

/// Issue 14: `// leakprof:ignore` with a space suppresses; an ignore next to nothing is
/// reported as unused; suppressing a leak the GC proved warns, in every format.
#[test]
fn inline_ignores_unused_ones_and_proven_leaks() {
    let leaks = std::fs::read_to_string(testdata("leaky/leaks.go")).unwrap();
    let leaks: String = leaks
        .lines()
        .enumerate()
        .map(|(index, line)| match index + 1 {
            1 => format!("{line} // leakprof:ignore nothing waits on a package clause\n"),
            40 => format!("{line} // leakprof:ignore the caller drains it on shutdown\n"),
            _ => format!("{line}\n"),
        })
        .collect();
    let marker = "package x\n\n// leakprof:ignore left over\nvar y = 1\n";
    let repo = monorepo_with(
        None,
        &[
            ("services/leaky/leaks.go", &leaks),
            // Ignores are looked for in the files leakprof reads: those places are in.
            ("services/leaky/extra.go", marker),
        ],
    );
    let rules_dir = tempfile::tempdir().unwrap();
    let rules = rules_dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "version: 1\nsuppressions:\n  - id: send-one\n    reason: one per worker\n    function: main.sendOne\n",
    )
    .unwrap();
    let leak_profile = testdata(LEAK_PROFILE);
    let args = [
        "--profile",
        path_str(&leak_profile),
        "--repo",
        path_str(&repo.root),
        "--rules",
        path_str(&rules),
    ];
    let json = report(&[&args[..], &["--format", "json"]].concat()).json();
    let timeout = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["function"] == "main.timeoutLeak.func1")
        .unwrap();
    assert_eq!(timeout["status"], "suppressed");
    assert_eq!(timeout["suppression"]["kind"], "inline");
    assert_eq!(
        timeout["suppression"]["reason"],
        "the caller drains it on shutdown"
    );
    let expected = [
        "services/leaky/leaks.go:1: //leakprof:ignore matches no finding (no goroutine in these profiles waits on line 1); remove it once the leak it excused is fixed",
        "services/leaky/leaks.go:40: //leakprof:ignore suppresses a leak the garbage collector proved (200 goroutines leaked there); fix the leak or narrow the suppression",
        "services/leaky/leaks.go:155: rule send-one suppresses a leak the garbage collector proved (104 goroutines leaked there); fix the leak or narrow the suppression",
    ];
    let warnings: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    for warning in expected {
        assert!(
            warnings.contains(&warning),
            "{warning}\nnot in {warnings:#?}"
        );
    }
    let unused: Vec<&&str> = warnings
        .iter()
        .filter(|w| w.contains("matches no finding"))
        .collect();
    assert_eq!(unused.len(), 1, "{unused:#?}");
    // Every format says so: in the report itself, or on standard error for the formats that
    // have no place for it.
    for format in [
        "text",
        "markdown",
        "html",
        "sarif",
        "github",
        "codeclimate",
        "concise",
    ] {
        let run = report(&[&args[..], &["--format", format]].concat());
        let told = format!("{}{}", run.stdout, run.stderr);
        let told = told.replace("%3A", ":").replace("&#8203;", "");
        for warning in &expected[1..] {
            let start = &warning[..warning.find(" suppresses").unwrap()];
            assert!(
                told.contains(start)
                    && told.contains("suppresses a leak the garbage collector proved"),
                "--format {format} does not say {warning}"
            );
        }
    }
}

/// Several reports from one run, each written atomically; standard output stays empty and
/// standard error gets one line.
#[test]
fn several_outputs_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("leaks.sarif");
    let markdown = dir.path().join("leaks.md");
    let json = dir.path().join("leaks.json");
    // A report left from an earlier run is replaced; so is the file a link there points to
    // (the link stays, as `atomic::write` does it).
    std::fs::write(&markdown, "old").unwrap();
    let elsewhere = dir.path().join("elsewhere.txt");
    std::fs::write(&elsewhere, "an old report").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&elsewhere, &json).unwrap();
    let outputs = [
        format!("sarif:{}", sarif.display()),
        format!("markdown:{}", markdown.display()),
        json.display().to_string(),
    ];
    let run = report(&[
        "--repo",
        "testdata/leaky",
        "--format",
        "json",
        "--output",
        &outputs[0],
        "--output",
        &outputs[1],
        "--output",
        &outputs[2],
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "leakprof: 11 suspected goroutine leaks, 2 suppressed; wrote {} (sarif), {} (markdown), {} (json)\n",
            sarif.display(),
            markdown.display(),
            json.display()
        )
    );
    for (path, format) in [
        (&sarif, "sarif"),
        (&markdown, "markdown"),
        (&elsewhere, "json"),
    ] {
        let alone = report(&["--repo", "testdata/leaky", "--format", format]);
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            alone.stdout,
            "{format}"
        );
    }
    #[cfg(unix)]
    assert!(
        std::fs::symlink_metadata(&json)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["elsewhere.txt", "leaks.json", "leaks.md", "leaks.sarif"]
    );

    // One of them may go to standard output; then no summary is needed.
    let run = report(&["--output", &outputs[0], "--output", "concise:-"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("/"), "{}", run.stdout);
    assert!(!run.stderr.contains("leakprof: "), "{}", run.stderr);

    // A --format nothing takes is a mistake, not something to ignore.
    let run = report(&["--format", "json", "--output", &outputs[0]]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: --format json applies to no output"),
        "{}",
        run.stderr
    );

    // A folder that does not exist is an error naming the file.
    let missing = dir.path().join("no/such/folder/leaks.sarif");
    let run = report(&["--output", &format!("sarif:{}", missing.display())]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!(
            "error: cannot write the report to {}",
            missing.display()
        )),
        "{}",
        run.stderr
    );
}

/// The first goroutine of the dump at `relative` whose block contains `needle`.
fn goroutine_block(relative: &str, needle: &str) -> String {
    let dump = std::fs::read_to_string(testdata(relative)).unwrap();
    dump.split("\n\n")
        .find(|block| block.contains(needle))
        .unwrap_or_else(|| panic!("{needle} in {relative}"))
        .to_string()
}

/// Issue 14: counts read as English at 1. A dump of two real goroutines: one of own code
/// waiting a minute, one in the standard library.
#[test]
fn counts_of_one_are_singular() {
    let own = goroutine_block(
        "profiles/go1.27/goroutine.debug2.txt",
        "main.prematureReturn.func1",
    )
    .replace("[chan send]:", "[chan send, 1 minutes]:");
    let std = goroutine_block(
        "builtin/captures/testing/goroutine.debug2.txt",
        "goroutine 4 [chan receive]:",
    );
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("goroutine.debug2.txt");
    std::fs::write(&dump, format!("{own}\n\n{std}\n")).unwrap();
    let run_as = |format: &str| {
        let run = leakprof(&[
            "report",
            "--profile",
            path_str(&dump),
            "--threshold",
            "1",
            "--format",
            format,
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        run.stdout
    };
    let text = run_as("text");
    for words in [
        "1 suspected goroutine leak in 1 profile (",
        "\n1 goroutine  send  main.prematureReturn.func1",
        "\n  waiting up to 1 minute\n",
        "\n  1 place with 1 goroutine not own code",
    ] {
        assert!(text.contains(words), "{words:?} in:\n{text}");
    }
    let markdown = run_as("markdown");
    for words in [
        "## leakprof: 1 suspected goroutine leak\n",
        " in 1 profile.",
        "`main.prematureReturn.func1`: 1 goroutine blocked on send\n",
        " · waiting up to 1 minute\n",
    ] {
        assert!(markdown.contains(words), "{words:?} in:\n{markdown}");
    }
    for plural in ["1 goroutines", "1 minutes", "1 places", "1 profiles"] {
        assert!(!text.contains(plural), "{plural}:\n{text}");
        assert!(!markdown.contains(plural), "{plural}:\n{markdown}");
    }
}

/// The README's GitLab recipe writes `{"schema_version":1,"findings":[]}` when the default
/// branch has no report yet. It holds no ids, so it predates no recipe: every leak is new and
/// nothing warns. A baseline with findings and no id recipe still warns.
#[test]
fn empty_baseline_does_not_warn() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let readme = std::fs::read_to_string(testdata("../README.md")).unwrap();
    let empty = r#"{"schema_version":1,"findings":[]}"#;
    assert!(readme.contains(&format!("echo '{empty}' > baseline.json")));
    std::fs::write(&baseline, empty).unwrap();
    let run = report(&["--baseline", path_str(&baseline), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["warnings"], serde_json::json!([]), "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(json["summary"]["reported"].as_u64().unwrap() > 0);
    assert_eq!(json["summary"]["new_reported"], json["summary"]["reported"]);

    std::fs::write(
        &baseline,
        r#"{"schema_version":1,"findings":[{"id":"0123456789abcdef","function":"main.f","file":"x.go","line":3,"op":"send","goroutines":7,"status":"reported"}]}"#,
    )
    .unwrap();
    let run = report(&["--baseline", path_str(&baseline), "--format", "json"]);
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("its finding ids were made before ids carried their recipe's version"),
        "{warnings}"
    );
}

/// `--repo` naming a module folder of a monorepo: CODEOWNERS is read where GitHub reads it,
/// at the repository's root, and its patterns match paths from that root; a CODEOWNERS inside
/// the module folder is not GitHub's and is not read.
#[test]
fn codeowners_of_a_monorepo_apply_to_its_module_folders() {
    let repo: Monorepo = monorepo_with(
        None,
        &[
            (
                ".github/CODEOWNERS",
                "* @acme/everyone\nservices/leaky/ @acme/leaky-team\n",
            ),
            ("services/leaky/CODEOWNERS", "* @not-github\n"),
        ],
    );
    let module = repo.root.join("services/leaky");
    // The work tree as it is, and the revision from git's objects.
    for (repo_arg, rev) in [
        (&repo.root, None),
        (&module, None),
        (&repo.root, Some("HEAD")),
        (&module, Some("HEAD")),
    ] {
        let mut args = vec!["--repo", path_str(repo_arg)];
        args.extend(rev.map(|rev| ["--rev", rev]).iter().flatten());
        let findings = reported(&args);
        assert_eq!(findings.len(), 11, "{}", repo_arg.display());
        for (function, finding) in &findings {
            assert_eq!(
                finding["owners"],
                serde_json::json!(["@acme/leaky-team"]),
                "{function} with --repo {}",
                repo_arg.display()
            );
        }
    }
}
