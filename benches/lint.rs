//! `leakprof lint` on a large generated repository.
//!
//! `cargo bench --bench lint` commits 50,000 Go files (500 packages of 100 files) into a
//! fresh git repository, written straight into the object database, then times `leakprof lint
//! --repo … --rev …` end to end: list the tree, read every go.mod, read every Go file from git
//! objects, parse the files that can hold a channel operation (packages in parallel), classify
//! every operation, and build the report.
//!
//! Every file has 30 to 40 lines of plain code (a type with methods, loops, a map, errors);
//! 3 in 10 also hold channel code, as in the Go standard library (1,980 of its 6,827 files
//! outside testdata/ mention `chan`, `<-` or `select`): a leak (a premature return), a worker
//! pool that closes its channels, or a pipeline stage with a context. `LEAKPROF_BENCH_MIX=dense`
//! puts channel code in 3 files of 4 instead.

use std::path::Path;
use std::time::Instant;

use clap::Parser;
use git2::{Repository, Signature};
use leakprof::cli::{Cli, Command};
use leakprof::model::Status;

/// Packages of the repository; `LEAKPROF_BENCH_PACKAGES=5` makes a small one for a quick
/// look (an unoptimised build, say).
fn packages() -> usize {
    std::env::var("LEAKPROF_BENCH_PACKAGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500)
}

const FILES_PER_PACKAGE: usize = 100;

/// Plain code: a type with methods, loops, maps and errors, and no channel.
fn plain(file: usize) -> String {
    format!(
        "type Store{file} struct {{\n\tmu    sync.Mutex\n\titems map[string]int\n}}\n\n\
         func NewStore{file}() *Store{file} {{\n\treturn &Store{file}{{items: map[string]int{{}}}}\n}}\n\n\
         func (s *Store{file}) Add(key string, n int) error {{\n\tif key == \"\" {{\n\t\treturn \
         errors.New(\"empty key\")\n\t}}\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.items[key] += \
         n\n\treturn nil\n}}\n\nfunc (s *Store{file}) Total() int {{\n\ts.mu.Lock()\n\tdefer \
         s.mu.Unlock()\n\ttotal := 0\n\tfor _, n := range s.items {{\n\t\ttotal += n\n\t}}\n\t\
         return total\n}}\n\nfunc Keys{file}(s *Store{file}) []string {{\n\tvar keys \
         []string\n\tfor key := range s.items {{\n\t\tkeys = append(keys, key)\n\t}}\n\treturn \
         keys\n}}\n"
    )
}

/// A premature return: the goroutine's send waits forever when the caller returns early.
fn leak(file: usize) -> String {
    format!(
        "func Fetch{file}(invalid bool) (int, error) {{\n\tresult := make(chan int)\n\tgo func() \
         {{\n\t\tresult <- compute{file}()\n\t}}()\n\tif invalid {{\n\t\treturn 0, \
         errors.New(\"invalid\")\n\t}}\n\treturn <-result, nil\n}}\n\nfunc compute{file}() int \
         {{\n\tvar mu sync.Mutex\n\tmu.Lock()\n\tdefer mu.Unlock()\n\treturn {file}\n}}\n"
    )
}

/// A worker pool that closes its channels: correct, and quiet.
fn pool(file: usize) -> String {
    format!(
        "func Squares{file}(numbers []int) []int {{\n\tjobs := make(chan int)\n\tresults := \
         make(chan int)\n\tvar wg sync.WaitGroup\n\tfor w := 0; w < 4; w++ {{\n\t\twg.Add(1)\n\t\t\
         go func() {{\n\t\t\tdefer wg.Done()\n\t\t\tfor n := range jobs {{\n\t\t\t\tresults <- n * \
         n\n\t\t\t}}\n\t\t}}()\n\t}}\n\tgo func() {{\n\t\tfor _, n := range numbers {{\n\t\t\tjobs \
         <- n\n\t\t}}\n\t\tclose(jobs)\n\t}}()\n\tgo func() {{\n\t\twg.Wait()\n\t\t\
         close(results)\n\t}}()\n\tvar out []int\n\tfor square := range results {{\n\t\tout = \
         append(out, square)\n\t}}\n\tif len(out) == 0 {{\n\t\treturn nil\n\t}}\n\treturn \
         out\n}}\n"
    )
}

/// A pipeline stage that closes its output and stops on cancellation: quiet.
fn stage(file: usize) -> String {
    format!(
        "func Stage{file}(ctx context.Context, in <-chan int) <-chan int {{\n\tout := make(chan \
         int)\n\tgo func() {{\n\t\tdefer close(out)\n\t\tfor v := range in {{\n\t\t\tselect {{\n\t\t\t\
         case out <- v + 1:\n\t\t\tcase <-ctx.Done():\n\t\t\t\treturn\n\t\t\t}}\n\t\t}}\n\t}}()\n\t\
         return out\n}}\n"
    )
}

/// One file in `every` holds each kind of channel code (the rest is plain code only).
fn every() -> usize {
    match std::env::var("LEAKPROF_BENCH_MIX").as_deref() {
        Ok("dense") => 4,
        _ => 10,
    }
}

fn go_file(package: usize, file: usize) -> String {
    let body = match file % every() {
        0 => leak(file),
        1 => pool(file),
        2 => stage(file),
        _ => String::new(),
    };
    format!(
        "// Package pkg{package} is generated for the lint benchmark.\npackage \
         pkg{package}\n\nimport (\n\t\"context\"\n\t\"errors\"\n\t\"sync\"\n)\n\nvar _ = \
         context.Background\nvar _ = errors.New\nvar _ sync.Mutex\n\n{}\n{body}",
        plain(file)
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
    for package in 0..packages() {
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

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = dir.path().join("mono");
    let started = Instant::now();
    let commit = build_repository(&repo);
    let files = packages() * FILES_PER_PACKAGE;
    println!(
        "generated {files} Go files in a git repository in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let rev = commit.to_string();
    let args = [
        "leakprof",
        "lint",
        "--repo",
        repo.to_str().unwrap(),
        "--rev",
        &rev,
    ];
    let Command::Lint(args) = Cli::try_parse_from(args).expect("arguments").command else {
        unreachable!("a lint command line")
    };
    let config = leakprof::lint::config::LintConfig::new(&args, false, |_| None).expect("config");
    for run in 1..=3 {
        let started = Instant::now();
        let report = leakprof::pipeline::lint::build_lint_report(&config).expect("lint");
        let elapsed = started.elapsed().as_secs_f64();
        let lint = report.lint.as_ref().expect("lint info");
        assert_eq!(lint.files, files, "{:?}", report.warnings);
        // Exactly the leaks, none of the pools or stages.
        let reported = report
            .findings
            .iter()
            .filter(|f| f.status == Status::Reported)
            .count();
        assert_eq!(reported, files.div_ceil(every()), "{:?}", report.warnings);
        println!(
            "run {run}: {reported} findings in {} files of {} packages at {} in {elapsed:.2} s",
            lint.files,
            lint.packages,
            &rev[..12]
        );
    }
}
