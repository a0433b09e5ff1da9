//! Leak patterns and their fixes on the `testdata/patterns` program, which leaks goroutines in
//! every pattern leakprof names (`testdata/patterns/expected.tsv`). The classification of
//! every place is checked on each Go 1.27 capture; the evidence, fixes and patches are a
//! reviewed snapshot; `leakprof fix` writes a patch `git apply` takes, applies it only onto an
//! unmodified checked-out HEAD, and verifies it with Go; and every mechanical fix is proven by
//! the runtime: patched, rebuilt and rerun under the same load, the program leaves no goroutine
//! at a fixed place and no new place. The demo program `testdata/leaky` gets the same proof.
//! The tests that build Go need it (CI installs it with `testdata/install-test-deps.sh`);
//! without it they fail rather than skip.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Repository, Signature};
use serde_json::Value;

use crate::e2e::{build, get, go, start};
use crate::support::{find, leakprof, path_str, testdata};

/// The program's files.
const PROGRAM: &[&str] = &[
    "go.mod",
    "main.go",
    "timeout.go",
    "premature.go",
    "ncast.go",
    "rangeclose.go",
    "doublesend.go",
    "neverclosed.go",
    "nilchan.go",
    "forever.go",
    "global.go",
    "escaped.go",
];

/// One row of `expected.tsv`.
#[derive(Clone, Debug)]
struct Row {
    function: String,
    file: String,
    line: u64,
    op: String,
    goroutines: u64,
    pattern: String,
    patch: bool,
    created_at: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(testdata("patterns/expected.tsv")).expect("expected.tsv");
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 8, "expected.tsv row {line:?}");
            Row {
                function: fields[0].into(),
                file: fields[1].into(),
                line: fields[2].parse().expect("line"),
                op: fields[3].into(),
                goroutines: fields[4].parse().expect("goroutines"),
                pattern: fields[5].into(),
                patch: fields[6] == "yes",
                created_at: fields[7].into(),
            }
        })
        .collect()
}

/// `leakprof report` on captures of the program, with its source, as JSON.
fn report(profiles: &[&str], extra: &[&str]) -> Value {
    let mut args = vec!["report"];
    for profile in profiles {
        args.extend(["--profile", profile]);
    }
    args.extend(["--repo", "testdata/patterns", "--threshold", "10"]);
    args.extend(["--format", "json"]);
    args.extend_from_slice(extra);
    let run = leakprof(&args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.json()
}

/// Every place of every capture has the pattern, patch, start and count written down for it,
/// and its verdict follows: `likely` where the pattern shows how the goroutines are
/// abandoned, `possible` where it does not.
#[test]
fn every_place_has_its_pattern() {
    let rows = rows();
    for capture in [
        "goroutine.debug2.txt",
        "goroutine.pb.gz",
        "goroutine.debug1.txt",
    ] {
        let path = format!("testdata/patterns/captures/{capture}");
        let report = report(&[&path], &[]);
        let reported: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "reported")
            .collect();
        assert_eq!(reported.len(), rows.len(), "{capture}");
        for row in &rows {
            let finding = find(&report, &row.function);
            let pattern = &finding["pattern"];
            let context = format!("{capture}: {} {pattern:#}", row.function);
            assert_eq!(finding["file"], row.file.as_str(), "{context}");
            assert_eq!(finding["line"], row.line, "{context}");
            assert_eq!(finding["goroutines"], row.goroutines, "{context}");
            assert_eq!(pattern["id"], row.pattern.as_str(), "{context}");
            assert_eq!(pattern["fix"]["patch"].is_string(), row.patch, "{context}");
            // Without a patch there is a reason; with one, its edits.
            assert_eq!(
                pattern["fix"]["no_patch"].is_string(),
                !row.patch,
                "{context}"
            );
            assert_eq!(
                pattern["fix"]["edits"].as_array().unwrap().is_empty(),
                !row.patch,
                "{context}"
            );
            assert_eq!(finding["created_at"], row.created_at.as_str(), "{context}");
            let silent = ["other", "global_channel"].contains(&row.pattern.as_str());
            let verdict = if silent { "possible" } else { "likely" };
            assert_eq!(finding["verdict"], verdict, "{context}");
            // Evidence lines name files of the program and lines in them.
            for line in pattern["evidence"].as_array().unwrap() {
                let file = line["file"].as_str().unwrap();
                assert!(PROGRAM.contains(&file), "{context}");
                let text = std::fs::read_to_string(testdata(&format!("patterns/{file}"))).unwrap();
                let number = line["line"].as_u64().unwrap() as usize;
                assert!(number >= 1 && number <= text.lines().count(), "{context}");
            }
        }
        // debug=2 names nil channels; the other formats cannot, and the source still does.
        let nil = find(&report, "main.nilSend.func1");
        let op = if capture.ends_with("debug2.txt") {
            "nil_send"
        } else {
            "send"
        };
        assert_eq!(nil["op"], op, "{capture}");
        assert_eq!(
            rows.iter()
                .find(|row| row.function == "main.nilSend.func1")
                .unwrap()
                .op,
            "nil_send"
        );
    }
}

/// The GC's proof outranks a pattern; a pattern still shows why.
#[test]
fn proven_leaks_keep_their_pattern() {
    let report = report(
        &[
            "testdata/patterns/captures/goroutine.pb.gz",
            "testdata/patterns/captures/goroutineleak.pb.gz",
        ],
        &[],
    );
    for row in rows() {
        let finding = find(&report, &row.function);
        assert_eq!(finding["pattern"]["id"], row.pattern.as_str());
        if finding["leaked_goroutines"].as_u64().unwrap() > 0 {
            assert_eq!(finding["verdict"], "proven", "{}", row.function);
        }
    }
    // Everything but the package-level channel is out of the GC's reach of roots.
    let proven = |function: &str| find(&report, function)["verdict"] == "proven";
    assert!(proven("main.fetchWithTimeout.func1"));
    assert!(!proven("main.global.func1"));
}

/// Each pattern's case, fix and patch, as every format takes them: a reviewed snapshot.
#[test]
fn evidence_fixes_and_patches() {
    let report = report(&["testdata/patterns/captures/goroutine.debug2.txt"], &[]);
    let mut out = String::new();
    let mut findings: Vec<&Value> = report["findings"].as_array().unwrap().iter().collect();
    findings.sort_by_key(|f| (f["file"].as_str().unwrap(), f["line"].as_u64().unwrap()));
    for finding in findings {
        let pattern = &finding["pattern"];
        out.push_str(&format!(
            "{}:{} {} ({}) -> {}\n",
            finding["file"].as_str().unwrap(),
            finding["line"],
            finding["function"].as_str().unwrap(),
            finding["op"].as_str().unwrap(),
            pattern["id"].as_str().unwrap()
        ));
        for line in pattern["evidence"].as_array().unwrap() {
            out.push_str(&format!(
                "  {}:{}  {}\n",
                line["file"].as_str().unwrap(),
                line["line"],
                line["text"].as_str().unwrap()
            ));
        }
        let fix = &pattern["fix"];
        out.push_str(&format!("  fix: {}\n", fix["summary"].as_str().unwrap()));
        if let Some(why) = fix["no_patch"].as_str() {
            out.push_str(&format!("  no patch: {why}\n"));
        }
        if let Some(runs) = fix["runs_new_code"].as_str() {
            out.push_str(&format!("  runs new code: {runs}\n"));
        }
        if let Some(patch) = fix["patch"].as_str() {
            for line in patch.lines() {
                out.push_str(&format!("  | {line}\n"));
            }
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("patterns-evidence", out));
}

/// Every pattern is documented: `leakprof explain PATTERN` prints its entry, and the list
/// has them all.
#[test]
fn explain_every_pattern() {
    let list = leakprof(&["explain"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let mut ids: BTreeSet<String> = rows().into_iter().map(|row| row.pattern).collect();
    ids.insert("premature_return".into());
    for id in &ids {
        assert!(
            list.stdout
                .lines()
                .any(|line| line.trim_start().starts_with(id.as_str())),
            "{id} missing from\n{}",
            list.stdout
        );
        let entry = leakprof(&["explain", id]);
        assert_eq!(entry.code, 0, "{}", entry.stderr);
        assert!(
            entry.stdout.starts_with(&format!("{id} (")),
            "{}",
            entry.stdout
        );
        assert!(entry.stdout.contains("How to fix"), "{}", entry.stdout);
    }
}

/// A git repository in a temp dir holding a program of `testdata/` at its root, committed.
struct Checkout {
    dir: tempfile::TempDir,
}

impl Checkout {
    /// The `testdata/patterns` program.
    fn new() -> Checkout {
        Checkout::of("patterns", PROGRAM)
    }

    /// The program in `testdata/{folder}`, made of `files`.
    fn of(folder: &str, files: &[&str]) -> Checkout {
        let dir = tempfile::tempdir().unwrap();
        for name in files {
            std::fs::copy(testdata(&format!("{folder}/{name}")), dir.path().join(name)).unwrap();
        }
        let repo = Repository::init(dir.path()).unwrap();
        commit(&repo, "the program");
        Checkout { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap()
    }

    /// `leakprof COMMAND` on `profile` with this checkout as --repo.
    fn leakprof(&self, command: &str, profile: &str, flags: &[&str]) -> crate::support::Run {
        let mut args = vec![command, "--profile", profile];
        args.extend(["--repo", path_str(self.path())]);
        args.extend_from_slice(flags);
        leakprof(&args)
    }

    /// `leakprof fix` on `profile` with this checkout as --repo.
    fn fix(&self, profile: &str, extra: &[&str]) -> crate::support::Run {
        let mut flags = vec!["--threshold", "10"];
        flags.extend_from_slice(extra);
        self.leakprof("fix", profile, &flags)
    }
}

fn commit(repo: &Repository, message: &str) {
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
    .unwrap();
}

const DEBUG2: &str = "testdata/patterns/captures/goroutine.debug2.txt";

/// The patch is one diff for `git apply`, holding exactly the fixes with a patch; `--write`
/// makes the same change.
#[test]
fn the_patch_applies_and_write_makes_the_same_change() {
    let checkout = Checkout::new();
    let run = checkout.fix(DEBUG2, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fixes = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("fix: "))
        .count();
    assert_eq!(
        fixes,
        rows().iter().filter(|row| row.patch).count(),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("no patch: "))
            .count(),
        rows().iter().filter(|row| !row.patch).count(),
        "{}",
        run.stderr
    );
    // git applies it to a checkout of the revision.
    let applied = Checkout::new();
    let repo = Repository::open(applied.path()).unwrap();
    let diff = git2::Diff::from_buffer(run.stdout.as_bytes()).expect("the patch parses");
    repo.apply(&diff, git2::ApplyLocation::WorkDir, None)
        .expect("the patch applies");
    let touched: BTreeSet<String> = diff
        .deltas()
        .filter_map(|delta| delta.new_file().path().map(|p| p.display().to_string()))
        .collect();
    assert_eq!(
        touched,
        BTreeSet::from(
            [
                "doublesend.go",
                "ncast.go",
                "neverclosed.go",
                "premature.go",
                "rangeclose.go",
                "timeout.go"
            ]
            .map(String::from)
        )
    );
    // --output writes the same patch to a file.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("leak-fixes.patch");
    let written = checkout.fix(DEBUG2, &["--output", path_str(&out)]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert_eq!(written.stdout, "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), run.stdout);
    // --write changes the work tree as git apply did.
    let write = checkout.fix(DEBUG2, &["--write"]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    assert!(
        write.stderr.contains("applied 8 fixes to 6 files"),
        "{}",
        write.stderr
    );
    for name in PROGRAM {
        assert_eq!(checkout.read(name), applied.read(name), "{name}");
    }
}

/// `--write` touches nothing unless HEAD is the revision and every file it would change is
/// unmodified and not a link; never a plain folder.
#[test]
fn write_only_onto_an_unmodified_head() {
    let checkout = Checkout::new();
    let before: BTreeMap<&str, String> = PROGRAM.iter().map(|n| (*n, checkout.read(n))).collect();
    let unchanged = |checkout: &Checkout, except: Option<&str>| {
        for (name, text) in &before {
            if Some(*name) != except {
                assert_eq!(&checkout.read(name), text, "{name} was written");
            }
        }
    };
    // A later commit: the profile's revision is no longer HEAD.
    let repo = Repository::open(checkout.path()).unwrap();
    std::fs::write(checkout.path().join("NOTES"), "later\n").unwrap();
    commit(&repo, "later");
    let run = checkout.fix(DEBUG2, &["--rev", "HEAD~1", "--write"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("is not the checked-out HEAD"),
        "{}",
        run.stderr
    );
    unchanged(&checkout, None);
    // A local change to a file the patch touches.
    let edited = format!("{}// a local change\n", before["ncast.go"]);
    std::fs::write(checkout.path().join("ncast.go"), &edited).unwrap();
    let run = checkout.fix(DEBUG2, &["--write"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("ncast.go: the work tree has local changes"),
        "{}",
        run.stderr
    );
    assert_eq!(checkout.read("ncast.go"), edited);
    unchanged(&checkout, Some("ncast.go"));
    std::fs::write(checkout.path().join("ncast.go"), &before["ncast.go"]).unwrap();
    // A link where a touched file was.
    #[cfg(unix)]
    {
        let elsewhere = tempfile::tempdir().unwrap();
        let aside = elsewhere.path().join("timeout-aside.go");
        std::fs::rename(checkout.path().join("timeout.go"), &aside).unwrap();
        std::os::unix::fs::symlink(&aside, checkout.path().join("timeout.go")).unwrap();
        let run = checkout.fix(DEBUG2, &["--write"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
        assert_eq!(
            std::fs::read_to_string(&aside).unwrap(),
            before["timeout.go"]
        );
        std::fs::remove_file(checkout.path().join("timeout.go")).unwrap();
        std::fs::rename(&aside, checkout.path().join("timeout.go")).unwrap();
        unchanged(&checkout, None);
    }
    // A plain folder has no HEAD to check.
    let folder = tempfile::tempdir().unwrap();
    for name in PROGRAM {
        std::fs::write(folder.path().join(name), &before[name]).unwrap();
    }
    let run = leakprof(&[
        "fix",
        "--profile",
        DEBUG2,
        "--repo",
        path_str(folder.path()),
        "--threshold",
        "10",
        "--write",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("needs a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn fix_takes_reports_inputs_and_needs_the_source() {
    let run = leakprof(&["fix", "--profile", DEBUG2, "--threshold", "10"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("needs --repo"), "{}", run.stderr);
    let run = leakprof(&[
        "fix",
        "--profile",
        DEBUG2,
        "--repo",
        "testdata/patterns",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--format shapes a report, and `leakprof fix` writes a patch"),
        "{}",
        run.stderr
    );
    let run = leakprof(&[
        "fix",
        "--profile",
        DEBUG2,
        "--repo",
        "testdata/patterns",
        "--verify",
        "--go",
        "/nonexistent/leakprof/go",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--verify needs the go command") && run.stderr.contains("--go"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

/// `--verify` builds and vets each fix in an exported copy; every fix of the program verifies,
/// although the program has a vet finding of its own before the fixes (a dropped cancel).
#[test]
fn verify_builds_and_vets_each_fix() {
    let checkout = Checkout::new();
    let go = go();
    let run = checkout.fix(DEBUG2, &["--verify", "--go", path_str(&go)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let verified = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("fix: ") && line.ends_with(" (verified)"))
        .count();
    assert_eq!(
        verified,
        rows().iter().filter(|row| row.patch).count(),
        "{}",
        run.stderr
    );
    // The work tree is as it was: verification happens elsewhere.
    let repo = Repository::open(checkout.path()).unwrap();
    assert!(repo.statuses(None).unwrap().is_empty());
}

/// Goroutines per place (function and op) in a report of every place, whatever its status.
fn places(report: &Value) -> BTreeMap<(String, String), u64> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                (
                    f["function"].as_str().unwrap().to_string(),
                    f["op"].as_str().unwrap().to_string(),
                ),
                f["goroutines"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Runs the program built from `source`, saves its debug=2 profile in `out`, and returns its
/// path.
fn run_and_capture(source: &Path, out: &Path, name: &str) -> PathBuf {
    let bin_dir = out.join(format!("{name}-bin"));
    std::fs::create_dir_all(&bin_dir).unwrap();
    let binary = build(source, &bin_dir, &[]);
    let (_running, address) = start(&binary);
    let profile = out.join(format!("{name}.debug2.txt"));
    std::fs::write(&profile, get(&address, "/debug/pprof/goroutine?debug=2")).unwrap();
    profile
}

/// Each mechanical fix of the program in `checkout` proven by the runtime: the program is run,
/// `leakprof fix --write` patches it from that run's profile, and the patched program, rebuilt
/// and run under the same load, has no goroutine left at any fixed place, no place that was
/// not there before, and the same count at every place of the program left unfixed. The
/// fixed places are those the report of the first run gives a patch; they are returned with
/// their goroutines before the fixes.
fn prove_fixes(checkout: &Checkout) -> BTreeMap<(String, String), u64> {
    let captures = tempfile::tempdir().unwrap();
    // Every place, so that a new one cannot hide below a threshold; fix sees the same places.
    let all = ["--threshold", "1", "--include-std"];
    let report = |profile: &Path| {
        let mut flags = all.to_vec();
        flags.extend(["--format", "json"]);
        let run = checkout.leakprof("report", path_str(profile), &flags);
        assert_eq!(run.code, 1, "{}", run.stderr);
        run.json()
    };

    let profile = run_and_capture(checkout.path(), captures.path(), "before");
    let before_report = report(&profile);
    let before = places(&before_report);
    let patched: Vec<&Value> = before_report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "reported" && f["pattern"]["fix"]["patch"].is_string())
        .collect();
    let fixed: BTreeMap<(String, String), u64> = patched
        .iter()
        .map(|f| {
            (
                (
                    f["function"].as_str().unwrap().to_string(),
                    f["op"].as_str().unwrap().to_string(),
                ),
                f["goroutines"].as_u64().unwrap(),
            )
        })
        .collect();

    // fix writes exactly the patches the report shows.
    let mut flags = all.to_vec();
    flags.push("--write");
    let write = checkout.leakprof("fix", path_str(&profile), &flags);
    assert_eq!(write.code, 0, "{}", write.stderr);
    let written: BTreeSet<&str> = write
        .stderr
        .lines()
        .filter(|l| l.starts_with("fix: "))
        .collect();
    let shown: BTreeSet<String> = patched
        .iter()
        .map(|f| {
            format!(
                "fix: {} at {}:{}",
                f["pattern"]["id"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect();
    assert_eq!(
        written,
        shown.iter().map(String::as_str).collect(),
        "{}",
        write.stderr
    );

    let profile = run_and_capture(checkout.path(), captures.path(), "after");
    let after = places(&report(&profile));

    for place in fixed.keys() {
        assert!(
            !after.contains_key(place),
            "{place:?} still has {:?} goroutines after its fix",
            after.get(place)
        );
    }
    for (place, goroutines) in &after {
        let was = before.get(place);
        assert!(was.is_some(), "{place:?} is new after the fixes");
        // Places of the program left unfixed keep their load; the runtime's own may vary.
        if place.0.starts_with("main.") {
            assert_eq!(Some(goroutines), was, "{place:?}");
        }
    }
    fixed
}

/// The fixes of `testdata/patterns` are exactly those `expected.tsv` says have a patch, and
/// the runtime proves each.
#[test]
fn fixes_are_proven_by_the_runtime() {
    let fixed = prove_fixes(&Checkout::new());
    let expected: BTreeSet<String> = rows()
        .into_iter()
        .filter(|row| row.patch)
        .map(|row| row.function)
        .collect();
    assert_eq!(
        fixed
            .keys()
            .map(|(function, _)| function.clone())
            .collect::<BTreeSet<_>>(),
        expected
    );
}

/// The demo program `testdata/leaky` (the one the README's examples run on): every fix its
/// report gives a patch is proven by the runtime, and there are several.
#[test]
fn fixes_of_the_demo_program_are_proven_by_the_runtime() {
    let fixed = prove_fixes(&Checkout::of("leaky", &["go.mod", "main.go", "leaks.go"]));
    assert!(fixed.len() >= 5, "{fixed:?}");
}
