//! Bad input gets exit code 2 and a message naming the file and what is wrong; among several
//! profiles a bad one is a warning and the run goes on. Never a panic.

use std::io::Write;
use std::path::{Path, PathBuf};

use leakprof::profile::pprof::Profile;
use prost::Message;

use crate::support::{leakprof, path_str, testdata};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// Runs a report on one file and checks it fails with exit 2 and a message naming the file
/// and saying `what`.
fn check_rejected(path: &Path, extra: &[&str], what: &str) {
    let mut args = vec!["report", "--profile", path_str(path)];
    args.extend_from_slice(extra);
    let run = leakprof(&args);
    assert_eq!(
        run.code,
        2,
        "{}: stdout {} stderr {}",
        path.display(),
        run.stdout,
        run.stderr
    );
    assert!(
        run.stderr.contains(path_str(path)),
        "message names the file: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(what),
        "expected {what:?} in: {}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

/// Deterministic pseudo-random bytes (xorshift64).
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[test]
fn random_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 1..20 {
        let path = write(
            dir.path(),
            &format!("noise{seed}"),
            &noise(4096 * seed as usize, seed),
        );
        let run = leakprof(&["report", "--profile", path_str(&path)]);
        assert_eq!(run.code, 2, "seed {seed}: {}", run.stderr);
        assert!(run.stderr.contains(path_str(&path)), "{}", run.stderr);
    }
    let path = write(dir.path(), "noise", &noise(10_000, 7));
    check_rejected(&path, &[], "not a pprof protobuf profile");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    check_rejected(
        &write(dir.path(), "empty.pb.gz", b""),
        &[],
        "the file is empty",
    );
    check_rejected(
        &write(dir.path(), "empty-gzip", &gzip(b"")),
        &[],
        "the file is empty",
    );
}

#[test]
fn missing_file() {
    let path = testdata("profiles/no-such-profile.pb.gz");
    check_rejected(&path, &[], "cannot read");
}

#[test]
fn truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read(testdata("profiles/go1.27/goroutine.pb.gz")).unwrap();
    for cut in [3, 10, real.len() / 2, real.len() - 4] {
        let path = write(dir.path(), &format!("cut{cut}.pb.gz"), &real[..cut]);
        check_rejected(&path, &[], "truncated or corrupt gzip stream");
    }
}

#[test]
fn gzip_bomb_is_capped() {
    let dir = tempfile::tempdir().unwrap();
    // 17 concatenated gzip members of 64 MiB of zeros each: 1.06 GiB inflated from ~1 MiB.
    let member = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            encoder.write_all(&zeros).unwrap();
        }
        encoder.finish().unwrap()
    };
    let bomb: Vec<u8> = std::iter::repeat_n(member.as_slice(), 17)
        .flatten()
        .copied()
        .collect();
    assert!(bomb.len() < 8 << 20, "bomb of {} bytes", bomb.len());
    let path = write(dir.path(), "bomb.pb.gz", &bomb);
    check_rejected(
        &path,
        &[],
        "is larger than 1073741824 bytes once decompressed",
    );

    // The cap is configurable, and applies to a real profile too.
    let real = testdata("profiles/go1.27/goroutine.pb.gz");
    check_rejected(
        &real,
        &["--max-decompressed-size", "1KiB"],
        "is larger than 1024 bytes once decompressed",
    );
    let text = std::fs::read(testdata("profiles/go1.27/goroutine.debug2.txt")).unwrap();
    let zipped_text = write(dir.path(), "dump.txt.gz", &gzip(&text));
    check_rejected(
        &zipped_text,
        &["--max-decompressed-size", "64KiB"],
        "is larger than 65536 bytes once decompressed",
    );
    let plain_pb = write(
        dir.path(),
        "plain.pb",
        &gunzip(&std::fs::read(&real).unwrap()),
    );
    check_rejected(
        &plain_pb,
        &["--max-decompressed-size", "1KiB"],
        "is larger than 1024 bytes once decompressed",
    );
    // Plain text is streamed: a dump many times the cap reads, as long as what is kept of
    // its places (names and stacks) fits; a cap below even that is refused, naming it.
    let plain_text = testdata("profiles/go1.27/goroutine.debug2.txt");
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&plain_text),
        "--max-decompressed-size",
        "16KiB",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    check_rejected(
        &plain_text,
        &["--max-decompressed-size", "1KiB"],
        "needs more than 1024 bytes of memory to decode (the names and stacks of its places)",
    );
}

fn real_profile() -> Profile {
    let bytes = gunzip(&std::fs::read(testdata("profiles/go1.27/goroutine.pb.gz")).unwrap());
    Profile::decode(bytes.as_slice()).unwrap()
}

#[test]
fn protobuf_indices_that_point_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    type Mutation = Box<dyn Fn(&mut Profile)>;
    let cases: Vec<(&str, Mutation, &str)> = vec![
        (
            "location",
            Box::new(|p| p.sample[0].location_id[0] = 999_999),
            "points to location 999999, which is not defined",
        ),
        (
            "function",
            Box::new(|p| p.location[0].line[0].function_id = 888_888),
            "points to function 888888, which is not defined",
        ),
        (
            "string",
            Box::new(|p| p.function[0].name = 777_777),
            "points to string 777777",
        ),
        (
            "negative-string",
            Box::new(|p| p.function[0].filename = -3),
            "points to string -3",
        ),
        (
            "sample-type",
            Box::new(|p| p.sample_type.clear()),
            "has no sample type",
        ),
        (
            "negative-count",
            Box::new(|p| p.sample[0].value[0] = -5),
            "negative goroutine count -5",
        ),
        (
            "heap",
            Box::new(|p| {
                p.string_table.push("alloc_space".into());
                p.sample_type[0].r#type = (p.string_table.len() - 1) as i64;
            }),
            "sample type \"alloc_space\" is not a goroutine profile",
        ),
    ];
    for (name, mutate, what) in cases {
        let mut profile = real_profile();
        mutate(&mut profile);
        let path = write(
            dir.path(),
            &format!("{name}.pb.gz"),
            &gzip(&profile.encode_to_vec()),
        );
        check_rejected(&path, &[], what);
    }
    // Cut inside a message: a decode error, not a panic.
    let whole = real_profile().encode_to_vec();
    let path = write(dir.path(), "cut.pb", &whole[..whole.len() / 3]);
    check_rejected(&path, &[], "not a pprof protobuf profile");
}

#[test]
fn text_that_is_not_a_goroutine_dump() {
    let dir = tempfile::tempdir().unwrap();
    let readme = write(dir.path(), "notes.txt", b"hello\n\nthis is not a profile\n");
    check_rejected(&readme, &[], "no goroutine stacks found");
    let heap = write(
        dir.path(),
        "heap.txt",
        b"heap profile: 1: 2 [3: 4] @ heap/1048576\n",
    );
    check_rejected(&heap, &[], "a heap profile, not a goroutine profile");
    let huge_count = write(
        dir.path(),
        "count.txt",
        b"goroutine profile: total 1\n99999999999999999999 @ 0x1\n#\t0x0\tmain.f+0x0\t/x.go:1\n",
    );
    check_rejected(
        &huge_count,
        &[],
        "line 2: the count before `@` is not a number",
    );
    // A "block" longer than any goroutine stack: no blank line in 64 MiB.
    let long = write(dir.path(), "long.txt", &vec![b'a'; (64 << 20) + 10]);
    check_rejected(&long, &[], "no blank line within 64 MiB");
}

#[test]
fn text_dump_cut_mid_stack_is_read_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read(testdata("profiles/go1.27/goroutine.debug2.txt")).unwrap();
    let text = String::from_utf8(real.clone()).unwrap();
    // Cut in the middle of a file line of some goroutine halfway through.
    let middle = text[text.len() / 2..].find(".go:").unwrap() + text.len() / 2 + 2;
    let path = write(dir.path(), "cut.debug2.txt", &real[..middle]);
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(&path),
        "--format",
        "json",
        "--threshold",
        "1",
    ]);
    assert_eq!(run.code, 1);
    let report = run.json();
    let warning = report["warnings"][0].as_str().unwrap();
    assert!(warning.starts_with(path_str(&path)), "{warning}");
    assert!(
        warning.contains("ends in the middle of a stack"),
        "{warning}"
    );
    assert!(warning.contains("debug=0"), "{warning}");
    let complete = text[..middle].matches("\ngoroutine ").count() as u64 + 1 - 1;
    assert_eq!(
        report["profiles"][0]["goroutines"].as_u64(),
        Some(complete),
        "the cut goroutine is not counted"
    );
    assert!(
        run.stderr.contains("warning: "),
        "warnings reach stderr with JSON output"
    );

    // The same dump gzipped reads the same.
    let gz = write(dir.path(), "whole.debug2.txt.gz", &gzip(&real));
    let plain = leakprof(&[
        "report",
        "--profile",
        path_str(&testdata("profiles/go1.27/goroutine.debug2.txt")),
        "--format",
        "json",
    ])
    .json();
    let zipped = leakprof(&["report", "--profile", path_str(&gz), "--format", "json"]).json();
    assert_eq!(plain["findings"], zipped["findings"]);
}

#[test]
fn folder_mixing_good_and_bad_profiles() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        testdata("profiles/go1.27/goroutine.pb.gz"),
        dir.path().join("a-good.pb.gz"),
    )
    .unwrap();
    write(dir.path(), "b-garbage.bin", &noise(3000, 42));
    write(dir.path(), "c-empty", b"");
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    std::fs::copy(
        testdata("profiles/go1.19/goroutine.debug2.txt"),
        dir.path().join("nested/d.txt"),
    )
    .unwrap();

    let run = leakprof(&[
        "report",
        "--profile",
        path_str(dir.path()),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let paths: Vec<&str> = report["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(
        paths[0].ends_with("a-good.pb.gz") && paths[1].ends_with("nested/d.txt"),
        "{paths:?}"
    );
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].contains("b-garbage.bin: "), "{warnings:?}");
    // The text dump's time is its file's: said once the two snapshots form a series.
    assert!(
        warnings[2].starts_with("1 text dump carries no time of its own"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].contains("c-empty: the file is empty"),
        "{warnings:?}"
    );

    // Nothing readable at all: exit 2 with every problem listed.
    let bad = tempfile::tempdir().unwrap();
    write(bad.path(), "x", b"");
    let run = leakprof(&[
        "report",
        "--profile",
        path_str(bad.path()),
        "--profile",
        "/nonexistent/leakprof",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no profile could be read"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the file is empty") && run.stderr.contains("/nonexistent/leakprof"),
        "{}",
        run.stderr
    );
}

/// Damaged copies of real profiles in every format: bytes flipped, cut at many offsets,
/// runs repeated. Each run ends with an exit code, never a panic: the file is rejected
/// (exit 2, named), or read and named in the report. Damage does not go unnoticed: a
/// damaged debug=1 profile that reads says its header's total no longer matches its stacks;
/// a debug=2 dump cut short never has more goroutines than the whole one.
#[test]
fn damaged_profiles_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let pprof = gunzip(&std::fs::read(testdata("profiles/go1.27/goroutine.pb.gz")).unwrap());
    let debug1 = std::fs::read(testdata("profiles/go1.23/goroutine.debug1.txt")).unwrap();
    let debug2 =
        std::fs::read(testdata("profiles/go1.26/goroutine-after-leak.debug2.txt")).unwrap();
    let whole_debug2 = debug2
        .split(|&byte| byte == b'\n')
        .filter(|line| line.starts_with(b"goroutine "))
        .count() as u64;
    // Per format: copies rejected, copies read with a warning.
    let mut noticed = std::collections::BTreeMap::new();
    for (name, original) in [("pprof", &pprof), ("debug1", &debug1), ("debug2", &debug2)] {
        let random = noise(4096, original.len() as u64 | 1);
        for round in 0..40usize {
            let mut damaged = original.clone();
            let at = |k: usize| {
                (usize::from(random[(round * 7 + k) % random.len()]) << 8
                    | usize::from(random[(round * 13 + k) % random.len()]))
                    * original.len()
                    / 65_536
            };
            match round % 4 {
                0 => {
                    for k in 0..8 {
                        let position = at(k);
                        damaged[position] ^= random[(round + k) % random.len()] | 1;
                    }
                }
                1 => damaged.truncate(at(0)),
                2 => {
                    let (from, to) = (at(0).min(at(1)), at(0).max(at(1)));
                    let run = damaged[from..to].to_vec();
                    damaged.splice(to..to, run);
                }
                _ => {
                    let (from, to) = (at(0).min(at(1)), at(0).max(at(1)));
                    damaged.drain(from..to);
                }
            }
            let path = write(dir.path(), &format!("{name}-{round}"), &damaged);
            let run = leakprof(&[
                "report",
                "--profile",
                path_str(&path),
                "--format",
                "json",
                "--show-other-blocking",
            ]);
            assert!(run.code <= 2, "{name} round {round}: exit {}", run.code);
            let (rejected, warned) = noticed.entry(name).or_insert((0, 0));
            if run.code == 2 {
                assert!(
                    run.stderr.contains(path_str(&path)),
                    "{name} round {round}: {}",
                    run.stderr
                );
                *rejected += 1;
                continue;
            }
            let report = run.json();
            assert_eq!(
                report["profiles"][0]["path"],
                path_str(&path),
                "{name} round {round}"
            );
            let warnings = report["warnings"].as_array().unwrap();
            if !warnings.is_empty() {
                *warned += 1;
            }
            if name == "debug1" {
                assert!(
                    warnings.iter().any(|w| w
                        .as_str()
                        .unwrap()
                        .contains("the header says 1789 goroutines but the stacks add up to")),
                    "{name} round {round}: {warnings:?}"
                );
            }
            if name == "debug2" && round % 4 == 1 {
                let read = report["profiles"][0]["goroutines"].as_u64().unwrap();
                assert!(read < whole_debug2, "{name} round {round}: {read}");
            }
        }
    }
    // Each format notices damage in some copies, by rejecting them or by warning.
    for (name, (rejected, warned)) in noticed {
        assert!(rejected + warned > 0, "{name}: no damaged copy was noticed");
    }
}
