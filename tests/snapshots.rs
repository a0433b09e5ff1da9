//! Snapshots of every output format on the bundled demo profile, with exit code, stdout and
//! stderr together. A change in output shows as a diff against `tests/snapshots/`; after
//! reviewing it, `LEAKPROF_BLESS=1 cargo test snapshots` rewrites them (never under CI=true).

use std::path::Path;

use crate::support::leakprof;

fn assert_snapshot(name: &str, args: &[&str]) {
    let run = leakprof(args);
    let actual = format!(
        "args: {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        run.code,
        run.stdout,
        run.stderr
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("LEAKPROF_BLESS").is_some() && std::env::var_os("CI").is_none() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run `LEAKPROF_BLESS=1 cargo test snapshots` and review it",
            path.display()
        )
    });
    if actual != expected {
        let first = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e);
        panic!(
            "{} differs from its snapshot (first differing line {:?}); review, then bless with LEAKPROF_BLESS=1\n--- actual\n{actual}",
            path.display(),
            first.map(|line| line + 1)
        );
    }
}

/// Paths are relative to the package root, where cargo runs integration tests; a folder that
/// is not a git repository root is read as a plain folder, so no commit id changes the output.
const PROFILE: &str = "testdata/profiles/go1.27/goroutine.pb.gz";
const SOURCE: &str = "testdata/leaky";

#[test]
fn text() {
    assert_snapshot("text.txt", &["report", "--profile", PROFILE]);
    assert_snapshot(
        "text-source.txt",
        &["report", "--profile", PROFILE, "--repo", SOURCE],
    );
}

#[test]
fn json() {
    assert_snapshot(
        "json-source.txt",
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
    assert_snapshot(
        "markdown-source.txt",
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
    assert_snapshot(
        "sarif-source.txt",
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
    assert_snapshot(
        "text-debug1-debug2.txt",
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
    assert_snapshot(
        "error-no-profile.txt",
        &["report", "--profile", "testdata/leaky/go.mod"],
    );
    assert_snapshot(
        "error-bad-rev.txt",
        &[
            "report",
            "--profile",
            PROFILE,
            "--repo",
            SOURCE,
            "--rev",
            "HEAD",
        ],
    );
}
