//! Snapshots of every output format on the bundled demo profile, with args, exit code, stdout
//! and stderr together, through insta: the files are `tests/snapshots/*.snap`. A change in
//! output fails the test with a diff and leaves the new output in `*.snap.new` beside the old.
//! Review and accept it with `cargo insta review` (from `cargo install cargo-insta`), or with
//! no extra tool: `INSTA_UPDATE=always cargo test snapshots`, then read `git diff
//! tests/snapshots/` before committing. With `CI=true` insta never writes a snapshot.

use crate::support::leakprof;

/// Runs leakprof with `args` and compares the run with the snapshot `name`.
fn assert_run(name: &str, args: &[&str]) {
    let run = leakprof(args);
    let actual = format!(
        "args: {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        run.code,
        run.stdout,
        run.stderr
    );
    let mut settings = insta::Settings::clone_current();
    // `tests/snapshots/NAME.snap` rather than `cli__snapshots__NAME.snap`: the name says it.
    settings.set_prepend_module_to_snapshot(false);
    // The arguments are the first line of every snapshot.
    settings.set_omit_expression(true);
    // The tool's version (JSON `tool.version`, SARIF `driver.version`) changes with every
    // release, not with the output. Nothing else in these runs depends on the machine or the
    // day: times come from the profiles, absolute paths are the ones recorded in them, and the
    // source is a plain folder, so no commit id shows.
    let version: String = env!("CARGO_PKG_VERSION")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect();
    settings.add_filter(
        &format!("\"version\": \"{version}\""),
        "\"version\": \"[version]\"",
    );
    // `--repo testdata/leaky` sits inside this repository's work tree: its remote is wherever
    // this clone came from (none in some clones), so it is named but not shown.
    settings.add_filter(r#""remote": (null|"[^"]*")"#, r#""remote": "[remote]""#);
    // SARIF names that remote as the repository, when there is one: left out.
    settings.add_filter(
        r#"\n      "versionControlProvenance": \[\n(?s:.*?)\n      \],"#,
        "",
    );
    settings.bind(|| insta::assert_snapshot!(name, actual));
}

/// Paths are relative to the package root, where cargo runs integration tests; a folder that
/// is not a git repository root is read as a plain folder, so no commit id changes the output.
const PROFILE: &str = "testdata/profiles/go1.27/goroutine.pb.gz";
const SOURCE: &str = "testdata/leaky";
/// A goroutineleak profile taken from the same run as `PROFILE`.
const LEAK_PROFILE: &str = "testdata/profiles/go1.27/goroutineleak.pb.gz";

#[test]
fn text() {
    assert_run("text", &["report", "--profile", PROFILE]);
    assert_run(
        "text-source",
        &["report", "--profile", PROFILE, "--repo", SOURCE],
    );
}

/// The GC's proof from a goroutineleak profile, read next to the goroutine profile.
#[test]
fn goroutineleak() {
    let args = ["report", "--profile", PROFILE, "--profile", LEAK_PROFILE];
    assert_run("text-goroutineleak", &args);
    // Regression: text printed "N proven leaked by the GC" twice per confirmed finding.
    let text = leakprof(&args).stdout;
    let proofs: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("proven leaked by the GC"))
        .collect();
    assert!(!proofs.is_empty(), "no GC proof in\n{text}");
    for line in proofs {
        assert_eq!(line.matches("proven leaked").count(), 1, "{line}");
    }
    assert_run(
        "json-goroutineleak",
        &[&args[..], &["--format", "json"]].concat(),
    );
}

#[test]
fn json() {
    assert_run(
        "json-source",
        &[
            "report",
            "--profile",
            PROFILE,
            "--repo",
            SOURCE,
            "--format",
            "json",
        ],
    );
}

#[test]
fn markdown() {
    assert_run(
        "markdown-source",
        &[
            "report",
            "--profile",
            PROFILE,
            "--repo",
            SOURCE,
            "--format",
            "markdown",
        ],
    );
}

#[test]
fn sarif() {
    assert_run(
        "sarif-source",
        &[
            "report",
            "--profile",
            PROFILE,
            "--repo",
            SOURCE,
            "--format",
            "sarif",
        ],
    );
}

#[test]
fn debug1_and_debug2_text() {
    assert_run(
        "text-debug1-debug2",
        &[
            "report",
            "--profile",
            "testdata/profiles/go1.19/goroutine.debug1.txt",
            "--profile",
            "testdata/profiles/go1.21/goroutine.debug2.txt",
            "--show-other-blocking",
        ],
    );
}

#[test]
fn errors() {
    assert_run(
        "error-no-profile",
        &["report", "--profile", "testdata/leaky/go.mod"],
    );
    assert_run(
        "error-bad-rev",
        &[
            "report",
            "--profile",
            PROFILE,
            "--repo",
            SOURCE,
            "--rev",
            "no-such-revision",
        ],
    );
}

/// The formats for CI systems and editors (issue 14), with the source.
#[test]
fn ci_formats() {
    for (name, format) in [
        ("codeclimate-source", "codeclimate"),
        ("github-source", "github"),
        ("concise-source", "concise"),
    ] {
        assert_run(
            name,
            &[
                "report",
                "--profile",
                PROFILE,
                "--repo",
                SOURCE,
                "--format",
                format,
            ],
        );
    }
    // Without the source: build paths, no columns, and a warning where they cannot be placed.
    assert_run(
        "concise",
        &["report", "--profile", PROFILE, "--format", "concise"],
    );
}

/// Markdown with links from a template and owners: the link follows the file from the
/// repository's root.
#[test]
fn markdown_with_links() {
    assert_run(
        "markdown-links",
        &[
            "report",
            "--profile",
            PROFILE,
            "--repo",
            SOURCE,
            "--format",
            "markdown",
            "--link-template",
            "https://code.example.com/platform/src/{path}#L{line}",
        ],
    );
}
