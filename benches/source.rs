//! Source analysis at a revision on a large generated repository.
//!
//! `cargo bench --bench source` commits 50,000 Go files (500 packages of 100 files) into a
//! fresh git repository, written straight into the object database, and a pprof profile whose
//! 200 blocked places point into 200 of those files; then times `leakprof report --repo …
//! --rev …` end to end (read the profile, list the tree, read go.mod, map paths, read and
//! parse the 200 files, check selects).

use std::path::Path;
use std::time::Instant;

use clap::Parser;
use git2::{Repository, Signature};
use leakprof::cli::{Cli, Command};

mod common;
use common::ProfileBuilder;

const PACKAGES: usize = 500;
const FILES_PER_PACKAGE: usize = 100;
const FINDINGS: usize = 200;

/// A Go file whose line 9 is a select bounded by a ticker and line 20 a plain send.
fn go_file(package: usize, file: usize) -> String {
    format!(
        "package pkg{package}\n\nimport \"time\"\n\nfunc Worker{file}(quit chan struct{{}}) {{\n\tticker := time.NewTicker(time.Second)\n\tdefer ticker.Stop()\n\tfor {{\n\t\tselect {{\n\t\tcase <-ticker.C:\n\t\tcase <-quit:\n\t\t\treturn\n\t\t}}\n\t}}\n}}\n\nfunc Send{file}(v int) {{\n\tch := make(chan int)\n\tgo func() {{\n\t\tch <- v\n\t}}()\n}}\n"
    )
}

fn build_repository(root: &Path) -> git2::Oid {
    let repo = Repository::init(root).expect("init");
    let mut root_tree = repo.treebuilder(None).expect("treebuilder");
    let go_mod = repo
        .blob(b"module example.com/mono\n\ngo 1.22\n")
        .expect("blob");
    root_tree
        .insert("go.mod", go_mod, 0o100644)
        .expect("insert");
    let mut svc = repo.treebuilder(None).expect("treebuilder");
    for package in 0..PACKAGES {
        let mut dir = repo.treebuilder(None).expect("treebuilder");
        for file in 0..FILES_PER_PACKAGE {
            let blob = repo.blob(go_file(package, file).as_bytes()).expect("blob");
            dir.insert(format!("file{file}.go"), blob, 0o100644)
                .expect("insert");
        }
        svc.insert(
            format!("pkg{package}"),
            dir.write().expect("tree"),
            0o040000,
        )
        .expect("insert");
    }
    root_tree
        .insert("svc", svc.write().expect("tree"), 0o040000)
        .expect("insert");
    let tree = repo
        .find_tree(root_tree.write().expect("tree"))
        .expect("tree");
    let signature = Signature::now("bench", "bench@example.com").expect("signature");
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        "generated",
        &tree,
        &[],
    )
    .expect("commit")
}

/// 200 places, half bounded selects and half sends, in 200 different files.
fn write_profile(path: &Path) {
    let mut profile = ProfileBuilder::new();
    let gopark = profile.frame("runtime.gopark", "/go/src/runtime/proc.go", 435);
    let selectgo = profile.frame("runtime.selectgo", "/go/src/runtime/select.go", 351);
    let chansend = profile.frame("runtime.chansend1", "/go/src/runtime/chan.go", 161);
    for finding in 0..FINDINGS {
        let package = finding * 7 % PACKAGES;
        let file = finding % FILES_PER_PACKAGE;
        let path = format!("/ci/build/mono/svc/pkg{package}/file{file}.go");
        let (top, leaf) = if finding % 2 == 0 {
            (
                selectgo,
                profile.frame(
                    &format!("example.com/mono/svc/pkg{package}.Worker{file}"),
                    &path,
                    9,
                ),
            )
        } else {
            (
                chansend,
                profile.frame(
                    &format!("example.com/mono/svc/pkg{package}.Send{file}.func1"),
                    &path,
                    20,
                ),
            )
        };
        profile.sample(vec![gopark, top, leaf], 1000);
    }
    profile.write_gz(path, 0);
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = dir.path().join("mono");
    let started = Instant::now();
    let commit = build_repository(&repo);
    let profile = dir.path().join("goroutine.pb.gz");
    write_profile(&profile);
    println!(
        "generated {} Go files in a git repository in {:.1} s",
        PACKAGES * FILES_PER_PACKAGE,
        started.elapsed().as_secs_f64()
    );

    let rev = commit.to_string();
    let args = [
        "leakprof",
        "report",
        "--profile",
        profile.to_str().unwrap(),
        "--repo",
        repo.to_str().unwrap(),
        "--rev",
        &rev,
    ];
    let Command::Report(args) = Cli::try_parse_from(args).expect("arguments").command else {
        unreachable!("a report command line")
    };
    let config = leakprof::config::ReportConfig::new(&args, false, |_| None).expect("config");
    for run in 1..=3 {
        let started = Instant::now();
        let report = leakprof::build_report(&config).expect("report");
        let elapsed = started.elapsed().as_secs_f64();
        let suppressed = report
            .findings
            .iter()
            .filter(|f| f.status == leakprof::model::Status::Suppressed)
            .count();
        assert_eq!(report.findings.len(), FINDINGS);
        assert_eq!(suppressed, FINDINGS / 2, "{:?}", report.warnings);
        println!(
            "run {run}: {} findings ({suppressed} suppressed) over {} files at {} in {elapsed:.3} s",
            report.findings.len(),
            PACKAGES * FILES_PER_PACKAGE,
            &rev[..12]
        );
    }
}
