//! Source analysis at a revision, on git repositories built in temp dirs: the leaky program is
//! committed, built from an older commit in another folder (with and without -trimpath), run,
//! and its real profiles are checked against the right and the wrong revision, a bare clone, a
//! plain folder and a multi-module layout. The repository must be byte-for-byte untouched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use git2::{IndexAddOption, Oid, Repository, Signature};
use serde_json::Value;

use crate::e2e::{build, get, start};
use crate::support::{expected, find, leakprof, path_str, testdata};

/// The program's files, committed under `services/leaky/` of a multi-module repository.
const PROGRAM: &[&str] = &["go.mod", "main.go", "leaks.go"];
/// Where the binary was built: a folder unlike the repository's layout.
const BUILT_AT: &str = "/ci-build/checkout/leaky/leaks.go";

struct Fixture {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    bare: PathBuf,
    folder: PathBuf,
    /// Only a go.mod and a README: the program is not there yet.
    empty: Oid,
    /// The commit the binary was built from.
    built: Oid,
    /// HEAD: leaks.go with lines added at the top, so every line moved.
    head: Oid,
    /// Branch `annotated`: the built commit with inline ignores on two lines (no line
    /// moved) and a `.leakprof.yaml`.
    annotated: Oid,
    pprof: PathBuf,
    debug1: PathBuf,
    trimpath: PathBuf,
    /// Built from HEAD, where every line of leaks.go moved.
    shifted: PathBuf,
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

fn write_program(root: &Path, shift: bool) {
    let dir = root.join("services/leaky");
    std::fs::create_dir_all(&dir).unwrap();
    for name in PROGRAM {
        let mut text = std::fs::read_to_string(testdata(&format!("leaky/{name}"))).unwrap();
        if shift && *name == "leaks.go" {
            text = text.replacen(
                "package main\n",
                "package main\n\n// Moved down by\n// a later commit.\n",
                1,
            );
        }
        std::fs::write(dir.join(name), text).unwrap();
    }
}

const REPO_RULES: &str = "# The service's own allowlist.
version: 1
suppressions:
  - id: repo-global
    reason: the repository says the global channel is a broadcast
    function: \"main.globalReceive.func1\"
  - id: repo-select
    reason: the repository knows this select is woken by shutdown
    function: \"main.selectNoTimer.func1\"
    owner: \"@repo-team\"
";

const CODEOWNERS: &str = "# Last match wins.
*                        @platform
/services/               @services-team
services/leaky/*.go      @leaky-team @alice
services/leaky/main.go
!services/leaky/keep.go  @nobody
";

/// A commit on branch `annotated`, made from `built`'s tree without touching the work tree.
fn annotate(repo: &Repository, built: Oid) -> Oid {
    let built = repo.find_commit(built).unwrap();
    let text = std::fs::read_to_string(testdata("leaky/leaks.go")).unwrap();
    let text = text
        .replacen(
            "\t\tresult <- 42\n",
            "\t\tresult <- 42 //leakprof:ignore the caller drains result on shutdown\n",
            1,
        )
        .replacen(
            "\t\t\tanswers <- id\n",
            "\t\t\tanswers <- id //leakprof:ignore\n",
            1,
        );
    assert_eq!(
        text.lines().count(),
        std::fs::read_to_string(testdata("leaky/leaks.go"))
            .unwrap()
            .lines()
            .count()
    );
    let mut update = git2::build::TreeUpdateBuilder::new();
    update.upsert(
        "services/leaky/leaks.go",
        repo.blob(text.as_bytes()).unwrap(),
        git2::FileMode::Blob,
    );
    update.upsert(
        ".leakprof.yaml",
        repo.blob(REPO_RULES.as_bytes()).unwrap(),
        git2::FileMode::Blob,
    );
    update.upsert(
        ".github/CODEOWNERS",
        repo.blob(CODEOWNERS.as_bytes()).unwrap(),
        git2::FileMode::Blob,
    );
    // GitHub reads .github/CODEOWNERS first; this one must be ignored.
    update.upsert(
        "CODEOWNERS",
        repo.blob(b"* @ignored\n").unwrap(),
        git2::FileMode::Blob,
    );
    let tree = repo
        .find_tree(update.create_updated(repo, &built.tree().unwrap()).unwrap())
        .unwrap();
    let signature = Signature::now("leakprof test", "test@example.com").unwrap();
    repo.commit(
        Some("refs/heads/annotated"),
        &signature,
        &signature,
        "annotate",
        &tree,
        &[&built],
    )
    .unwrap()
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let repo_path = dir.path().join("platform");
        std::fs::create_dir(&repo_path).unwrap();
        let repo = Repository::init(&repo_path).unwrap();
        std::fs::write(
            repo_path.join("go.mod"),
            "module example.com/platform\n\ngo 1.19\n",
        )
        .unwrap();
        std::fs::write(repo_path.join("README.md"), "platform\n").unwrap();
        let empty = commit(&repo, "start");
        std::fs::write(
            repo_path.join("go.work"),
            "go 1.19\n\nuse (\n\t.\n\t./services/leaky\n)\n",
        )
        .unwrap();
        write_program(&repo_path, false);
        let built = commit(&repo, "add the leaky service");
        write_program(&repo_path, true);
        let head = commit(&repo, "move every line of leaks.go");
        let annotated = annotate(&repo, built);

        // A plain folder and a build folder elsewhere, both holding the built commit.
        let folder = dir.path().join("export");
        let build_dir = dir.path().join("ci-build/checkout/leaky");
        for root in [&folder, &dir.path().join("ci-build/checkout")] {
            write_program(root, false);
        }
        std::fs::write(
            folder.join("go.mod"),
            "module example.com/platform\n\ngo 1.19\n",
        )
        .unwrap();
        let build_dir_src = dir.path().join("ci-build/checkout/services/leaky");
        std::fs::rename(&build_dir_src, &build_dir).unwrap();

        let bare = dir.path().join("platform.git");
        git2::build::RepoBuilder::new()
            .bare(true)
            .clone(path_str(&repo_path), &bare)
            .unwrap();

        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let capture = |source: &Path, flags: &[&str], queries: &[(&str, &str)]| -> Vec<PathBuf> {
            let binary = build(source, &out, flags);
            let (_running, address) = start(&binary);
            queries
                .iter()
                .map(|(name, query)| {
                    let path = out.join(name);
                    std::fs::write(&path, get(&address, query)).unwrap();
                    path
                })
                .collect()
        };
        let plain = capture(
            &build_dir,
            &[],
            &[
                ("goroutine.pb.gz", "/debug/pprof/goroutine"),
                ("goroutine.debug1.txt", "/debug/pprof/goroutine?debug=1"),
            ],
        );
        let trimpath = capture(
            &build_dir,
            &["-trimpath"],
            &[("trimpath.pb.gz", "/debug/pprof/goroutine")],
        );
        // HEAD, where every line of leaks.go moved, built in yet another folder.
        let elsewhere = dir.path().join("elsewhere");
        write_program(&elsewhere, true);
        let shifted = capture(
            &elsewhere.join("services/leaky"),
            &[],
            &[("shifted.pb.gz", "/debug/pprof/goroutine")],
        );
        Fixture {
            repo: repo_path,
            bare,
            folder,
            empty,
            built,
            head,
            annotated,
            pprof: plain[0].clone(),
            debug1: plain[1].clone(),
            trimpath: trimpath[0].clone(),
            shifted: shifted[0].clone(),
            _dir: dir,
        }
    })
}

fn report(profile: &Path, repo: &Path, extra: &[&str]) -> (u8, Value) {
    let mut args = vec![
        "report",
        "--profile",
        path_str(profile),
        "--repo",
        path_str(repo),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let run = leakprof(&args);
    assert_ne!(run.code, 2, "{}", run.stderr);
    (run.code, run.json())
}

/// Own findings by function: (file, line, op, status, suppression kind).
fn own(report: &Value) -> BTreeMap<String, (String, u64, String, String, Option<String>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["function"].as_str().unwrap().starts_with("main."))
        .map(|f| {
            (
                f["function"].as_str().unwrap().to_string(),
                (
                    f["file"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["op"].as_str().unwrap().to_string(),
                    f["status"].as_str().unwrap().to_string(),
                    f["suppression"]["kind"].as_str().map(str::to_string),
                ),
            )
        })
        .collect()
}

/// What the right revision gives: every channel row of expected.tsv mapped into the
/// repository, with the two bounded selects suppressed and nothing else: ctxLoop's context
/// is cancelled by a function kept in a package variable nothing ever calls.
fn check_right_revision(report: &Value, profile_file: &str) {
    assert_eq!(
        report["warnings"],
        serde_json::json!([]),
        "no warnings at the right revision"
    );
    let mut want = BTreeMap::new();
    for row in expected().iter().filter(|row| row.is_channel()) {
        let suppression = match row.function.as_str() {
            "main.tickerLoop.func1" => Some("select-ticker"),
            "main.afterLoop.func1" => Some("select-timer"),
            _ => None,
        };
        let status = match (suppression, row.goroutines >= 100) {
            (Some(_), _) => "suppressed",
            (None, true) => "reported",
            (None, false) => "below_threshold",
        };
        let op = match (row.function.as_str(), row.op.as_str()) {
            // The source tells a range loop from a receive; only debug=2 tells nil channels.
            ("main.rangeNeverClosed.func1", _) => "range",
            (_, "nil_send") => "send",
            (_, "nil_receive") => "receive",
            (_, op) => op,
        };
        want.insert(
            row.function.clone(),
            (
                "services/leaky/leaks.go".to_string(),
                row.line,
                op.to_string(),
                status.to_string(),
                suppression.map(str::to_string),
            ),
        );
    }
    assert_eq!(own(report), want, "profile files {profile_file}");

    let ticker = find(report, "main.tickerLoop.func1");
    assert_eq!(
        ticker["suppression"]["reason"],
        "select at leaks.go:85 also waits on <-ticker.C (ticker) at line 86"
    );
    assert_eq!(ticker["suppression"]["rule"], Value::Null);
    let after = find(report, "main.afterLoop.func1");
    assert_eq!(
        after["suppression"]["reason"],
        "select at leaks.go:99 also waits on <-time.After(time.Hour) (time.After) at line 101"
    );
    // The cancel function is kept in a package variable that no file of the package reads
    // but to assign it: nothing can ever call it, so the bound can never fire.
    let ctx = find(report, "main.ctxLoop.func1");
    let notes = ctx["notes"].to_string();
    assert!(
        notes.contains(
            "<-ctx.Done() at line 115 looks like a way out but can never fire: ctx comes from \
             the call at services/leaky/main.go:74, where the cancel function of ctx is kept in \
             stopWorkers (at services/leaky/main.go:72), which nothing in its package ever calls"
        ),
        "{notes}"
    );

    let timeout = find(report, "main.timeoutLeak.func1");
    assert_eq!(timeout["source"]["snippet"], "done <- v");
    assert_eq!(timeout["source"]["channel"]["name"], "done");
    assert_eq!(timeout["source"]["channel"]["line"], 37);
    assert_eq!(timeout["source"]["channel"]["capacity"], Value::Null);
    let recorded = timeout["profile_file"].as_str().unwrap();
    assert!(recorded.ends_with(profile_file), "{recorded}");
}

#[test]
fn right_revision_suppresses_bounded_selects_only() {
    let f = fixture();
    let short = &f.built.to_string()[..10];
    let (code, report) = report(&f.pprof, &f.repo, &["--rev", short]);
    assert_eq!(code, 1);
    check_right_revision(&report, BUILT_AT);
    assert_eq!(report["source"]["commit"], f.built.to_string());
    assert_eq!(report["source"]["revision"], short);
}

#[test]
fn debug1_ops_come_from_the_source() {
    let f = fixture();
    let (_, report) = report(&f.debug1, &f.repo, &["--rev", "HEAD~1"]);
    check_right_revision(&report, BUILT_AT);
}

#[test]
fn trimpath_paths_map_through_go_mod() {
    let f = fixture();
    let (_, report) = report(&f.trimpath, &f.repo, &["--rev", &f.built.to_string()]);
    check_right_revision(&report, "example.com/leaky/leaks.go");
}

#[test]
fn bare_clone_and_plain_folder_read_the_same() {
    let f = fixture();
    let (_, bare) = report(&f.pprof, &f.bare, &["--rev", "HEAD"]);
    let (_, bare_head_1) = report(&f.pprof, &f.bare, &["--rev", &f.built.to_string()]);
    check_right_revision(&bare_head_1, BUILT_AT);
    let (_, folder) = report(&f.pprof, &f.folder, &[]);
    check_right_revision(&folder, BUILT_AT);
    assert_eq!(folder["source"]["commit"], Value::Null);
    // The bare clone's master is HEAD, where every line moved.
    assert!(!bare["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn wrong_revision_warns_and_suppresses_nothing() {
    let f = fixture();
    let (code, report) = report(&f.pprof, &f.repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(report["source"]["commit"], f.head.to_string());
    for (function, (_, _, _, status, _)) in own(&report) {
        assert_ne!(status, "suppressed", "{function}");
    }
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    let ticker = format!(
        "source at {} (HEAD) does not match the profile at services/leaky/leaks.go:85",
        &f.head.to_string()[..12]
    );
    assert!(
        warnings.iter().any(|w| w.starts_with(&ticker)),
        "{warnings:#?}"
    );
}

#[test]
fn missing_source_is_a_warning_not_a_drop() {
    let f = fixture();
    let (code, report) = report(&f.pprof, &f.repo, &["--rev", &f.empty.to_string()]);
    assert_eq!(code, 1, "the leaks are still reported");
    let timeout = find(&report, "main.timeoutLeak.func1");
    assert_eq!(timeout["status"], "reported");
    assert_eq!(timeout["source"], Value::Null);
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| {
            let w = w.as_str().unwrap();
            w.contains("leaks.go is not in the repository") && w.contains("main.timeoutLeak.func1")
        }),
        "{warnings:#?}"
    );
}

/// A cancel function kept in a package variable settles the `ctx.Done()` bound by what the
/// package's files do with the variable: nothing reads it, so the bound can never fire and
/// the place is reported; a file that calls it (here one added beside the program, no line
/// moved) makes the bound possible, kept but said to be unverified; `--no-ctx-done` drops it.
#[test]
fn a_cancel_kept_in_a_package_variable_is_settled_by_the_package() {
    let profile = testdata("profiles/go1.27/goroutine.pb.gz");
    let dir = tempfile::tempdir().unwrap();
    for name in PROGRAM {
        std::fs::copy(testdata(&format!("leaky/{name}")), dir.path().join(name)).unwrap();
    }
    let repo = Repository::init(dir.path()).unwrap();
    let never = commit(&repo, "the demo program").to_string();
    std::fs::write(
        dir.path().join("shutdown.go"),
        "package main\n\n// shutdown stops the ctxLoop workers.\nfunc shutdown() {\n\tstopWorkers()\n}\n",
    )
    .unwrap();
    let called = commit(&repo, "stop the workers at shutdown").to_string();

    let (_, report_never) = report(&profile, dir.path(), &["--rev", &never]);
    let ctx = find(&report_never, "main.ctxLoop.func1");
    assert_eq!(ctx["status"], "reported");
    assert!(
        ctx["notes"].to_string().contains(
            "kept in stopWorkers (at main.go:72), which nothing in its package ever calls"
        ),
        "{ctx}"
    );

    let (_, report_called) = report(&profile, dir.path(), &["--rev", &called]);
    let ctx = find(&report_called, "main.ctxLoop.func1");
    assert_eq!(ctx["status"], "suppressed", "{ctx}");
    assert_eq!(ctx["suppression"]["kind"], "select-ctx-done");
    assert_eq!(ctx["suppression"]["verified"], false);
    let reason = ctx["suppression"]["reason"].as_str().unwrap();
    assert!(
        reason.contains(
            "unverified: ctx is a parameter of ctxLoop: whether its callers can end it was \
             not checked; the call at main.go:74 passes it on: the cancel function of ctx is \
             kept in stopWorkers, which code out of this function's reach may call"
        ),
        "{reason}"
    );

    let (_, switched_off) = report(&profile, dir.path(), &["--rev", &called, "--no-ctx-done"]);
    assert_eq!(
        find(&switched_off, "main.ctxLoop.func1")["status"],
        "reported"
    );
    assert_eq!(
        find(&switched_off, "main.tickerLoop.func1")["status"],
        "suppressed"
    );
}

#[test]
fn bad_repositories_and_revisions_exit_2() {
    let f = fixture();
    let profile = path_str(&f.pprof);
    for (args, message) in [
        (
            vec!["--repo", path_str(&f.repo), "--rev", "no-such-branch"],
            "unknown revision \"no-such-branch\"",
        ),
        (
            vec![
                "--repo",
                path_str(&f.repo),
                "--rev",
                "0123456789abcdef0123456789abcdef01234567",
            ],
            "unknown revision",
        ),
        (
            vec!["--repo", "/nonexistent/leakprof-repo"],
            "/nonexistent/leakprof-repo: no such folder",
        ),
        (vec!["--repo", profile], "not a folder"),
        (
            vec!["--repo", path_str(&f.folder), "--rev", "HEAD"],
            "needs a git repository, but this is a plain folder",
        ),
        (vec!["--rev", "HEAD"], "--repo"),
    ] {
        let mut all = vec!["report", "--profile", profile];
        all.extend(args.iter().copied());
        let run = leakprof(&all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
}

/// Everything a read could disturb: HEAD, the index and every file of the work tree.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().is_file())
        .filter(|entry| !entry.path().starts_with(root.join(".git/objects")))
        .map(|entry| {
            (
                entry.path().to_path_buf(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn repository_is_untouched() {
    let f = fixture();
    let before = snapshot(&f.repo);
    let bare_before = snapshot(&f.bare);
    for rev in ["HEAD", "HEAD~1", "HEAD~2"] {
        report(&f.pprof, &f.repo, &["--rev", rev]);
        report(&f.debug1, &f.bare, &["--rev", rev]);
    }
    assert!(before.contains_key(&f.repo.join(".git/index")));
    assert!(before.contains_key(&f.repo.join(".git/HEAD")));
    assert_eq!(snapshot(&f.repo), before);
    assert_eq!(snapshot(&f.bare), bare_before);
}

/// The README's demo: the bundled profile checked against this repository itself.
#[test]
fn demo_against_this_repository() {
    let profile = testdata("profiles/go1.27/goroutine.pb.gz");
    let (code, report) = report(&profile, Path::new(env!("CARGO_MANIFEST_DIR")), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["warnings"], serde_json::json!([]));
    let suppressed: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "suppressed")
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    assert_eq!(
        suppressed,
        ["main.afterLoop.func1", "main.tickerLoop.func1"]
    );
    assert_eq!(
        find(&report, "main.timeoutLeak.func1")["file"],
        "testdata/leaky/leaks.go"
    );
}

/// Rules from all three sources and inline ignores, with their precedence: inline, then
/// `--rules` files, then the repository's `.leakprof.yaml`, then the built-in rules.
#[test]
fn rule_sources_and_inline_ignores_together() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("user.yaml");
    std::fs::write(
        &user,
        "version: 1\nsuppressions:\n  - id: user-global\n    reason: the user's own word wins\n    function: \"main.global*\"\n  - id: user-premature\n    reason: loses to the inline ignore\n    function: main.prematureReturn.func1\n",
    )
    .unwrap();
    let (code, annotated) = report(
        &f.pprof,
        &f.repo,
        &["--rev", "annotated", "--rules", path_str(&user)],
    );
    assert_eq!(code, 1);
    let suppression = |function: &str| find(&annotated, function)["suppression"].clone();
    assert_eq!(
        suppression("main.prematureReturn.func1"),
        serde_json::json!({"kind": "inline", "reason": "the caller drains result on shutdown", "rule": null, "owner": null, "verified": null})
    );
    assert_eq!(
        suppression("main.globalReceive.func1")["rule"],
        "user-global"
    );
    assert_eq!(
        suppression("main.selectNoTimer.func1"),
        serde_json::json!({"kind": "allowlist", "reason": "the repository knows this select is woken by shutdown", "rule": "repo-select", "owner": "@repo-team", "verified": null})
    );
    // The heuristics still apply under the allowlist.
    assert_eq!(
        suppression("main.tickerLoop.func1")["kind"],
        "select-ticker"
    );
    // An inline ignore without a reason suppresses nothing and says so.
    assert_eq!(
        find(&annotated, "main.firstResponse.func1")["status"],
        "reported"
    );
    let warnings: Vec<&str> = annotated["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        warnings,
        [
            "services/leaky/leaks.go:56: //leakprof:ignore needs a reason (`//leakprof:ignore <why this is not a leak>`); nothing suppressed",
            ".github/CODEOWNERS:6: `!services/leaky/keep.go`: `!` negation is not supported in CODEOWNERS; to leave paths unowned, write the pattern with no owners; the line is ignored, as GitHub does"
        ]
    );
    let usage: BTreeMap<String, (u64, u64, String)> = annotated["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            (
                rule["id"].as_str().unwrap().to_string(),
                (
                    rule["matched"].as_u64().unwrap(),
                    rule["suppressed"].as_u64().unwrap(),
                    rule["origin"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    let repo_file = format!(".leakprof.yaml@{}", &f.annotated.to_string()[..12]);
    assert_eq!(
        usage["user-global"],
        (1, 1, format!("{}:3", path_str(&user)))
    );
    // Shadowed by the inline ignore or by the user rule: matched, so not unused.
    assert_eq!(
        usage["user-premature"],
        (1, 0, format!("{}:6", path_str(&user)))
    );
    assert_eq!(usage["repo-global"], (1, 0, format!("{repo_file}:4")));
    assert_eq!(usage["repo-select"], (1, 1, format!("{repo_file}:7")));

    // Without the repository's rules, its select is a finding again.
    let (_, without) = report(
        &f.pprof,
        &f.repo,
        &["--rev", "annotated", "--no-repo-rules"],
    );
    assert_eq!(
        find(&without, "main.selectNoTimer.func1")["status"],
        "reported"
    );
    assert!(
        without["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|rule| rule["id"] != "repo-select")
    );
}

/// Fingerprints survive a rebuild in another folder, -trimpath, and lines moving elsewhere in
/// the file: with the first report as baseline, none of the others has anything new.
#[test]
fn baseline_round_trips() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let built = f.built.to_string();
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&f.pprof),
        "--repo",
        path_str(&f.repo),
        "--rev",
        &built,
        "--format",
        "json",
        "--output",
        path_str(&baseline),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let base: Value = serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    let ids = |report: &Value| -> Vec<(String, String)> {
        let mut ids: Vec<(String, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            // The program's own places; the HTTP server's may come and go between captures.
            .filter(|f| f["function"].as_str().unwrap().starts_with("main."))
            .map(|f| {
                (
                    f["function"].as_str().unwrap().to_string(),
                    f["id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        ids.sort();
        ids
    };

    for (profile, rev) in [
        (&f.trimpath, built.as_str()),
        (&f.shifted, "HEAD"),
        (&f.debug1, built.as_str()),
    ] {
        let (code, report) = report(
            profile,
            &f.repo,
            &["--rev", rev, "--baseline", path_str(&baseline)],
        );
        assert_eq!(code, 0, "{}: nothing new, so exit 0", profile.display());
        assert_eq!(report["summary"]["new_reported"], 0);
        for finding in report["findings"].as_array().unwrap() {
            if finding["function"].as_str().unwrap().starts_with("main.") {
                assert_eq!(finding["new"], false, "{}: {finding}", profile.display());
            }
        }
        assert_eq!(ids(&report), ids(&base), "{}", profile.display());
        // --fail-on any still fails on the old leaks; never never does.
        let (any, _) = report_code(
            profile,
            &f.repo,
            &[
                "--rev",
                rev,
                "--baseline",
                path_str(&baseline),
                "--fail-on",
                "any",
            ],
        );
        assert_eq!(any, 1);
    }
    let (_, shifted) = report(&f.shifted, &f.repo, &["--rev", "HEAD"]);
    assert_eq!(
        find(&shifted, "main.timeoutLeak.func1")["line"],
        43,
        "the lines did move"
    );

    // One leak missing from the baseline: exactly that one is new.
    let mut edited = base.clone();
    let findings = edited["findings"].as_array_mut().unwrap();
    findings.retain(|finding| finding["function"] != "main.timeoutLeak.func1");
    let partial = dir.path().join("partial.json");
    std::fs::write(&partial, serde_json::to_vec(&edited).unwrap()).unwrap();
    let (code, report) = report(
        &f.shifted,
        &f.repo,
        &["--rev", "HEAD", "--baseline", path_str(&partial)],
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["new_reported"], 1);
    let new: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["new"] == true)
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    assert_eq!(new, ["main.timeoutLeak.func1"]);
    let (never, _) = report_code(
        &f.shifted,
        &f.repo,
        &[
            "--rev",
            "HEAD",
            "--baseline",
            path_str(&partial),
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(never, 0);

    // Bad baselines and policies are exit 2.
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{not json").unwrap();
    for (args, message) in [
        (
            vec!["--baseline", path_str(&garbage)],
            "garbage.json: not a leakprof JSON report",
        ),
        (
            vec!["--baseline", "/nonexistent/old.json"],
            "bad --baseline: /nonexistent/old.json: cannot read",
        ),
        (vec!["--fail-on", "new"], "--fail-on new needs --baseline"),
    ] {
        let mut all = vec!["report", "--profile", path_str(&f.pprof)];
        all.extend(args.iter().copied());
        let run = leakprof(&all);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
}

fn report_code(profile: &Path, repo: &Path, extra: &[&str]) -> (u8, String) {
    let mut args = vec![
        "report",
        "--profile",
        path_str(profile),
        "--repo",
        path_str(repo),
    ];
    args.extend_from_slice(extra);
    let run = leakprof(&args);
    (run.code, run.stdout)
}

/// CODEOWNERS at the revision (`.github/` first, last matching pattern wins) puts owners on
/// findings; text and Markdown group by owner; --owner keeps one owner's findings.
#[test]
fn owners_from_codeowners() {
    let f = fixture();
    let (_, annotated) = report(&f.pprof, &f.repo, &["--rev", "annotated"]);
    assert_eq!(
        find(&annotated, "main.timeoutLeak.func1")["owners"],
        serde_json::json!(["@leaky-team", "@alice"])
    );
    let warnings = annotated["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().starts_with(".github/CODEOWNERS:6: ")),
        "negation is not supported by GitHub: {warnings:#?}"
    );
    let (code, text) = report_code(
        &f.pprof,
        &f.repo,
        &["--rev", "annotated", "--format", "text"],
    );
    assert_eq!(code, 1);
    assert!(
        text.contains("\n== owned by @leaky-team @alice\n"),
        "{text}"
    );
    // A comment posted on every run mentions nobody unless asked to (issue 14).
    let (_, markdown) = report_code(
        &f.pprof,
        &f.repo,
        &["--rev", "annotated", "--format", "markdown"],
    );
    assert!(
        markdown.contains("\n### Owned by `@leaky-team` `@alice`\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "| `services/leaky/leaks.go:40` | send | timeout | 200 | likely | `@leaky-team` `@alice` |"
        ),
        "{markdown}"
    );
    let mentions = markdown
        .split('`')
        .step_by(2)
        .filter(|outside_code| outside_code.contains('@'))
        .count();
    assert_eq!(mentions, 0, "{markdown}");
    let (_, mentioning) = report_code(
        &f.pprof,
        &f.repo,
        &[
            "--rev",
            "annotated",
            "--format",
            "markdown",
            "--mention-owners",
        ],
    );
    assert!(
        mentioning.contains("\n### Owned by @leaky-team @alice\n"),
        "{mentioning}"
    );
    assert!(
        mentioning.contains(
            "| `services/leaky/leaks.go:40` | send | timeout | 200 | likely | @leaky-team @alice |"
        ),
        "{mentioning}"
    );

    let (_, alice) = report(
        &f.pprof,
        &f.repo,
        &["--rev", "annotated", "--owner", "@alice"],
    );
    assert_eq!(
        alice["findings"].as_array().unwrap().len(),
        annotated["findings"].as_array().unwrap().len()
    );
    let (code, nobody) = report(
        &f.pprof,
        &f.repo,
        &["--rev", "annotated", "--owner", "@nobody"],
    );
    assert_eq!(code, 0);
    assert_eq!(nobody["findings"], serde_json::json!([]));
    // Owning nothing is said, not passed off as "no suspected goroutine leaks".
    let warnings = nobody["warnings"].to_string();
    assert!(
        warnings.contains("--owner @nobody owns none of the places found"),
        "{warnings}"
    );
    let (_, bare) = report(
        &f.pprof,
        &f.repo,
        &["--rev", "annotated", "--owner", "leaky-team"],
    );
    let warnings = bare["warnings"].to_string();
    assert!(warnings.contains("@user, @org/team"), "{warnings}");
    assert!(!alice["warnings"].to_string().contains("--owner"));
}
