//! One place, one finding (issue 11): the series service built plain, with `-trimpath` from
//! another folder, and from a commit that only adds comments and blank lines around its
//! blocking lines, each run as an instance and profiled three times into `collect`'s layout
//! (`testdata/identity/capture.sh`). The plain and commented instances leak; the `-trimpath`
//! one does not.

use std::fs;
use std::path::PathBuf;

use git2::{IndexAddOption, Oid, Repository, Signature};
use serde_json::Value;

use crate::support::{leakprof, path_str, testdata};

fn captures(instance: &str) -> PathBuf {
    testdata(&format!("identity/captures/{instance}"))
}

/// A repository holding the service at `service/`: the revision the plain and `-trimpath`
/// builds ran, then a commit that adds comments, which the commented build ran.
struct Repo {
    _dir: tempfile::TempDir,
    path: PathBuf,
    built: Oid,
    commented: Oid,
}

fn repo() -> Repo {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repo");
    let repo = Repository::init(&path).unwrap();
    let service = path.join("service");
    fs::create_dir_all(&service).unwrap();
    for name in ["go.mod", "main.go", "patterns.go"] {
        fs::copy(
            testdata(&format!("series/service/{name}")),
            service.join(name),
        )
        .unwrap();
    }
    let built = commit(&repo, "the service");
    fs::copy(
        testdata("identity/commented/patterns.go"),
        service.join("patterns.go"),
    )
    .unwrap();
    let commented = commit(&repo, "comments around the blocking lines");
    Repo {
        _dir: dir,
        path,
        built,
        commented,
    }
}

fn commit(repo: &Repository, message: &str) -> Oid {
    let mut index = repo.index().unwrap();
    index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let signature = Signature::now("leakprof test", "test@example.com").unwrap();
    let parent = repo.head().ok().and_then(|head| head.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        message,
        &tree,
        &parents,
    )
    .unwrap()
}

fn report(args: &[&str]) -> Value {
    let mut all = vec!["report", "--format", "json", "--threshold", "10"];
    all.extend(args);
    let run = leakprof(&all);
    assert_ne!(run.code, 2, "{}", run.stderr);
    run.json()
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("findings")
}

fn find<'a>(report: &'a Value, function: &str) -> &'a Value {
    let matching: Vec<&Value> = findings(report)
        .iter()
        .filter(|f| f["function"] == function)
        .collect();
    assert_eq!(matching.len(), 1, "{function} once: {matching:#?}");
    matching[0]
}

fn instances(finding: &Value) -> Vec<(String, String)> {
    finding["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap_or("-").to_string(),
                i["trend"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

/// Two builds of one revision are one set of places: each found once, with both instances
/// where both have it; the leak grows on the instance that leaks, and the fleet says so.
#[test]
fn builds_from_two_folders_are_one_place() {
    let repo = repo();
    let rev = repo.built.to_string();
    let (plain, trimpath) = (captures("plain"), captures("trimpath"));
    for with_source in [true, false] {
        let mut args = vec![
            "--profile",
            path_str(&plain),
            "--profile",
            path_str(&trimpath),
        ];
        if with_source {
            args.extend(["--repo", path_str(&repo.path), "--rev", &rev]);
        }
        let report = report(&args);
        for finding in findings(&report) {
            let id = finding["id"].as_str().unwrap();
            assert!(!id.contains('-'), "a twin: {finding:#}");
        }
        let pool = find(&report, "main.poolWorker");
        assert_eq!(
            instances(pool),
            [
                ("plain".to_string(), "steady".to_string()),
                ("trimpath".to_string(), "steady".to_string())
            ],
            "with source: {with_source}"
        );
        assert_eq!(pool["goroutines"], 40, "the worst snapshot, not a sum");
        assert_eq!(pool["profiles"], 6);
        let leak = find(&report, "main.leakSend");
        assert_eq!(instances(leak), [("plain".into(), "growing".into())]);
        assert_eq!(leak["trend"], "growing");
        assert_eq!(leak["verdict"], "likely");
        if with_source {
            assert_eq!(leak["file"], "service/patterns.go");
            assert_eq!(pool["file"], "service/patterns.go");
        }
    }
}

/// Every profile of `collect`'s layout belongs to its folder's instance and takes its time
/// from its name when the profile carries none; pprof carries one, and it wins.
#[test]
fn collect_layout_names_instances() {
    let report = report(&["--profile", path_str(&testdata("identity/captures"))]);
    let profiles = report["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 9);
    let mut names: Vec<&str> = profiles
        .iter()
        .map(|p| p["instance"].as_str().unwrap())
        .collect();
    names.dedup();
    assert_eq!(names, ["commented", "plain", "trimpath"]);
    assert!(profiles.iter().all(|p| p["time_source"] == "profile"));
    // Named instances only from their own folders when given one by one.
    let named = report_named();
    let instances: Vec<&str> = named["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["instance"].as_str().unwrap())
        .collect();
    assert!(
        instances.iter().all(|name| *name == "web-1"),
        "{instances:?}"
    );
}

fn report_named() -> Value {
    let plain = format!("web-1={}", path_str(&captures("plain")));
    report(&["--profile", &plain])
}

/// A baseline from one build, then both builds, then the commit that only added comments
/// (which moved the blocking lines): nothing is new.
#[test]
fn baselines_survive_rebuilds_and_comments() {
    let repo = repo();
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let built = repo.built.to_string();
    let commented = repo.commented.to_string();
    let source = |rev: &str| -> Vec<String> {
        vec![
            "--repo".into(),
            path_str(&repo.path).into(),
            "--rev".into(),
            rev.into(),
        ]
    };
    let (plain, trimpath, later_build) = (
        captures("plain"),
        captures("trimpath"),
        captures("commented"),
    );
    let mut args: Vec<String> = vec!["--profile".into(), path_str(&plain).into()];
    args.extend(source(&built));
    let first = report(&args.iter().map(String::as_str).collect::<Vec<_>>());
    fs::write(&baseline, first.to_string()).unwrap();

    let both = [
        "--profile",
        path_str(&plain),
        "--profile",
        path_str(&trimpath),
        "--baseline",
        path_str(&baseline),
    ];
    let mut args: Vec<String> = both.iter().map(|a| a.to_string()).collect();
    args.extend(source(&built));
    let again = report(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_no_new(&again);

    let later = [
        "--profile",
        path_str(&later_build),
        "--baseline",
        path_str(&baseline),
    ];
    let mut args: Vec<String> = later.iter().map(|a| a.to_string()).collect();
    args.extend(source(&commented));
    let moved = report(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_no_new(&moved);
    let before = find(&first, "main.leakSend");
    let after = find(&moved, "main.leakSend");
    assert_eq!(after["id"], before["id"]);
    assert_ne!(after["line"], before["line"], "the comments moved the line");
    assert_eq!(
        after["source"]["snippet"],
        "results <- v // a comment added in a later commit"
    );
    assert!(
        moved["warnings"].as_array().unwrap().is_empty(),
        "{moved:#}"
    );
}

fn assert_no_new(report: &Value) {
    assert_eq!(report["summary"]["new_reported"], 0, "{report:#}");
    for finding in findings(report) {
        assert_eq!(finding["new"], false, "{finding:#}");
    }
}

/// `--group-by-label` splits a finding's goroutines by a label's values (in every format);
/// `--instance-label` names a profile's instance from the value its goroutines carry. The
/// leaky program starts its nil-channel goroutines under `pprof.Do(…, "pattern", "nil")`.
#[test]
fn labels_group_findings_and_name_instances() {
    let profile = testdata("profiles/go1.27/goroutine.pb.gz");
    let report = report(&[
        "--profile",
        path_str(&profile),
        "--group-by-label",
        "pattern",
        "--instance-label",
        "pattern",
    ]);
    let nil_send = find(&report, "main.nilSend.func1");
    assert_eq!(
        nil_send["by_label"],
        serde_json::json!({"key": "pattern", "values": [{"value": "nil", "goroutines": 101}]})
    );
    let timeout = find(&report, "main.timeoutLeak.func1");
    assert_eq!(
        timeout["by_label"]["values"],
        serde_json::json!([{"value": "(other)", "goroutines": 200}])
    );
    assert_eq!(report["profiles"][0]["instance"], "nil");

    let text = leakprof(&[
        "report",
        "--profile",
        path_str(&profile),
        "--group-by-label",
        "pattern",
    ])
    .stdout;
    assert!(text.contains("by pattern: nil 101"), "{text}");
    let markdown = leakprof(&[
        "report",
        "--profile",
        path_str(&profile),
        "--group-by-label",
        "pattern",
        "--format",
        "markdown",
    ])
    .stdout;
    assert!(markdown.contains("by `pattern`: `nil` 101"), "{markdown}");
    let run_as = |format: &str| {
        leakprof(&[
            "report",
            "--profile",
            path_str(&profile),
            "--group-by-label",
            "pattern",
            "--format",
            format,
        ])
        .stdout
    };
    // The CI formats say it on the finding's own line or issue.
    let concise = run_as("concise");
    let line = concise
        .lines()
        .find(|line| line.contains(" in main.nilSend.func1 ("))
        .unwrap_or_else(|| panic!("{concise}"));
    assert!(line.contains("; by pattern: nil 101 ["), "{line}");
    let issues: serde_json::Value = serde_json::from_str(&run_as("codeclimate")).unwrap();
    let description = issues
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|issue| issue["description"].as_str())
        .find(|description| description.contains(" in main.nilSend.func1"))
        .unwrap();
    assert!(
        description.ends_with("; by pattern: nil 101"),
        "{description}"
    );
    let github = run_as("github");
    assert!(
        github
            .lines()
            .any(|line| line.contains(" in main.nilSend.func1 (")
                && line.contains("%0Aby pattern: nil 101")),
        "{github}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&run_as("sarif")).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| result["properties"]["function"] == "main.nilSend.func1")
        .unwrap();
    assert_eq!(result["properties"]["by_label"], nil_send["by_label"]);
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with("; by pattern: nil 101"),
        "{}",
        result["message"]["text"]
    );
}

/// Ids name a file from the repository's root: `--repo .` and `--repo testdata/leaky` (a
/// module folder of this repository) give every leak the same id, so a baseline made one way
/// holds the other.
#[test]
fn ids_do_not_depend_on_where_repo_points() {
    let profile = testdata("profiles/go1.27/goroutine.pb.gz");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ids = |repo: &std::path::Path| -> Vec<String> {
        let mut ids: Vec<String> =
            report(&["--profile", path_str(&profile), "--repo", path_str(repo)])["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["status"] == "reported")
                .map(|f| f["id"].as_str().unwrap().to_string())
                .collect();
        ids.sort();
        ids
    };
    let from_root = ids(root);
    assert_eq!(from_root.len(), 11);
    assert_eq!(ids(&root.join("testdata/leaky")), from_root);
}

/// Two identical sends in one function (`testdata/identity/twins`): each keeps its id
/// whichever a profile shows. One run blocked its goroutines at the second send only, one at
/// both; the second send's id is the same in both runs, so a baseline from the first run
/// holds it and only the first send comes out new.
#[test]
fn identical_operations_keep_their_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repo");
    let repo = Repository::init(&path).unwrap();
    fs::create_dir_all(path.join("twins")).unwrap();
    for name in ["go.mod", "main.go"] {
        fs::copy(
            testdata(&format!("identity/twins/{name}")),
            path.join("twins").join(name),
        )
        .unwrap();
    }
    commit(&repo, "twins");
    let run = |capture: &str, extra: &[&str]| -> Vec<(u64, String, Option<bool>)> {
        let profile = testdata(&format!("identity/twins/captures/{capture}.pb.gz"));
        let mut args = vec!["--profile", path_str(&profile), "--repo", path_str(&path)];
        args.extend(extra);
        let mut places: Vec<(u64, String, Option<bool>)> = findings(&report(&args))
            .iter()
            .filter(|f| f["function"] == "main.send")
            .map(|f| {
                (
                    f["line"].as_u64().unwrap(),
                    f["id"].as_str().unwrap().to_string(),
                    f["new"].as_bool(),
                )
            })
            .collect();
        places.sort();
        places
    };
    let both = run("both", &[]);
    let [(first_line, first, _), (second_line, second, _)] = &both[..] else {
        panic!("two places in the run that blocks at both: {both:?}");
    };
    assert!(first_line < second_line);
    assert_eq!(*second, format!("{first}-2"));
    let alone = run("second", &[]);
    assert_eq!(alone, [(*second_line, second.clone(), None)]);

    let baseline = dir.path().join("baseline.json");
    let profile = testdata("identity/twins/captures/second.pb.gz");
    let saved = leakprof(&[
        "report",
        "--format",
        "json",
        "--threshold",
        "10",
        "--profile",
        path_str(&profile),
        "--repo",
        path_str(&path),
    ]);
    fs::write(&baseline, &saved.stdout).unwrap();
    let against = run("both", &["--baseline", path_str(&baseline)]);
    assert_eq!(
        against,
        [
            (*first_line, first.clone(), Some(true)),
            (*second_line, second.clone(), Some(false)),
        ]
    );
}
