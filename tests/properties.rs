//! Property tests over every profile parser (pprof protobuf, debug=1, debug=2, gzip, the
//! format sniffing and label parsing): arbitrary bytes, damaged real profiles and generated
//! pprof profiles with hostile structure never panic, never abort and stay within a memory
//! budget. The other readers of user files get the same: damaged rules files (the loader and
//! `rules add`'s editor), CODEOWNERS files and JSON reports (`--baseline`, `rules prune`). Each property runs in a child process of the test binary under `RLIMIT_AS`
//! (`limited::in_child`), so an allocation of gigabytes fails the test instead of crashing
//! the harness.

use std::io::Write;

use leakprof::aggregate::Snapshot;
use leakprof::allowlist::{self, Field, NewEntry, RuleSource};
use leakprof::model::view::ReportView;
use leakprof::owners::CodeOwners;
use leakprof::profile::pprof::{Function, Label, Line, Location, PSample, Profile, ValueType};
use leakprof::profile::{self, MAX_GOROUTINES, ReadOptions, Sample, SampleSink};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::limited;
use crate::support::testdata;

/// Cases per property: a few seconds for the whole suite in a debug build.
const CASES: u32 = 96;

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Aggregates like `report` does, and checks the counts it is handed add up.
#[derive(Default)]
struct Checked {
    snapshot: Snapshot,
    goroutines: u64,
}

impl SampleSink for Checked {
    fn sample(&mut self, sample: &Sample<'_>) {
        self.goroutines = self.goroutines.saturating_add(sample.count);
        // Every frame can be walked, and created_by asked for.
        assert!(sample.frames.clone().count() <= 1 << 20);
        let _ = sample.frames.created_by();
        self.snapshot.sample(sample);
    }

    fn kept_bytes(&self) -> u64 {
        self.snapshot.kept_bytes()
    }
}

/// Reads `bytes` as a profile, with the default budget and with a small one.
fn read(bytes: &[u8]) -> Result<(), TestCaseError> {
    for options in [ReadOptions::default(), ReadOptions::new(64 << 10)] {
        let mut sink = Checked::default();
        if let Ok(info) = profile::read(bytes, &options, &mut sink) {
            prop_assert!(info.goroutines <= MAX_GOROUTINES);
            prop_assert!(sink.goroutines <= MAX_GOROUTINES);
        }
        prop_assert_eq!(options.budget.in_use(), 0);
    }
    Ok(())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// Real profiles of every format, small enough to read hundreds of times.
fn seeds() -> Vec<Vec<u8>> {
    let file = |name: &str| std::fs::read(testdata(name)).unwrap();
    let debug2 = file("profiles/go1.27/goroutine-after-leak.debug2.txt");
    // The first stacks of a dump, cut at a blank line.
    let cut = debug2[16 << 10..]
        .windows(2)
        .position(|pair| pair == b"\n\n")
        .map_or(debug2.len(), |at| at + (16 << 10) + 2);
    vec![
        gunzip(&file("profiles/go1.27/goroutine.pb.gz")),
        gunzip(&file("profiles/go1.27/goroutineleak.pb.gz")),
        file("profiles/go1.27/goroutine.debug1.txt"),
        file("profiles/go1.27/goroutineleak.debug1.txt"),
        debug2[..cut].to_vec(),
        file("hostile/count-wrap.debug1.txt"),
        file("hostile/pc-max.debug1.txt"),
        gunzip(&file("hostile/count-wrap.pb.gz")),
    ]
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Repeat(usize, usize, u8),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, bits)| Mutation::Flip(at, bits)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1..512usize).prop_map(|(at, len)| Mutation::Remove(at, len)),
        (any::<usize>(), 1..256usize, 1..8u8)
            .prop_map(|(at, len, times)| Mutation::Repeat(at, len, times)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len().max(1);
    match mutation {
        Mutation::Flip(at, bits) => {
            if let Some(byte) = bytes.get_mut(at % len) {
                *byte ^= bits;
            }
        }
        Mutation::Insert(at, inserted) => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, inserted.iter().copied());
        }
        Mutation::Remove(at, count) => {
            let at = at % (bytes.len() + 1);
            let end = (at + count).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Repeat(at, count, times) => {
            let at = at % (bytes.len() + 1);
            let end = (at + count).min(bytes.len());
            let run = bytes[at..end].to_vec();
            for _ in 0..*times {
                bytes.splice(end..end, run.iter().copied());
            }
        }
        Mutation::Truncate(at) => bytes.truncate(at % len),
    }
}

#[test]
fn arbitrary_bytes() {
    if !limited::in_child("properties::arbitrary_bytes") {
        return;
    }
    let strategy = (
        proptest::collection::vec(any::<u8>(), 0..4096),
        prop_oneof![
            Just(&b""[..]),
            Just(&b"\x1f\x8b"[..]),
            Just(&b"goroutine "[..])
        ],
        any::<bool>(),
    );
    runner()
        .run(&strategy, |(bytes, prefix, zipped)| {
            let mut input = prefix.to_vec();
            input.extend_from_slice(&bytes);
            read(&input)?;
            if zipped {
                read(&gzip(&input))?;
            }
            let text = String::from_utf8_lossy(&bytes);
            let _ = profile::parse_labels(&text);
            Ok(())
        })
        .unwrap();
}

#[test]
fn damaged_real_profiles() {
    if !limited::in_child("properties::damaged_real_profiles") {
        return;
    }
    let seeds = seeds();
    let strategy = (
        0..seeds.len(),
        proptest::collection::vec(mutation(), 1..6),
        any::<bool>(),
    );
    runner()
        .run(&strategy, |(seed, mutations, zipped)| {
            let mut bytes = seeds[seed].clone();
            for mutation in &mutations {
                mutate(&mut bytes, mutation);
            }
            read(&bytes)?;
            if zipped {
                read(&gzip(&bytes))?;
            }
            Ok(())
        })
        .unwrap();
}

/// An index into a table of `len` entries: mostly valid, sometimes dangling, negative or
/// huge.
fn index(len: i64) -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 0..len.max(1),
        1 => Just(len),
        1 => Just(-1i64),
        1 => Just(i64::MAX),
        1 => Just(i64::MIN),
        1 => any::<i64>(),
    ]
}

fn id(len: u64) -> impl Strategy<Value = u64> {
    prop_oneof![
        8 => 1..=len.max(1),
        1 => Just(0u64),
        1 => Just(u64::MAX),
        1 => any::<u64>(),
    ]
}

fn count() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 0..1000i64,
        1 => Just(i64::MAX),
        1 => Just(i64::MIN),
        1 => Just(-1i64),
        1 => Just(1i64 << 40),
        1 => any::<i64>(),
    ]
}

/// A goroutine profile with hostile structure: dangling and huge indices, duplicate and
/// sparse ids, deep and wide stacks, extreme counts and times.
fn hostile_profile() -> impl Strategy<Value = Profile> {
    let names = [
        "",
        "goroutine",
        "count",
        "runtime.gopark",
        "runtime.chansend1",
        "main.f",
    ];
    (1..12usize, 1..12u64, 1..24u64).prop_flat_map(move |(extra, functions, locations)| {
        let strings = names.len() as i64 + extra as i64;
        let function =
            (id(functions), index(strings), index(strings)).prop_map(|(id, name, filename)| {
                Function {
                    id,
                    name,
                    system_name: 0,
                    filename,
                }
            });
        let line = move || {
            (id(functions), any::<i64>()).prop_map(|(function_id, line)| Line { function_id, line })
        };
        let location = (
            id(locations),
            prop_oneof![
                20 => proptest::collection::vec(line(), 0..4),
                1 => proptest::collection::vec(line(), 0..2000),
            ],
        )
            .prop_map(|(id, line)| Location {
                id,
                address: 0,
                line,
            });
        let label = (index(strings), index(strings), any::<i64>())
            .prop_map(|(key, str, num)| Label { key, str, num });
        let sample = (
            prop_oneof![
                40 => proptest::collection::vec(id(locations), 0..32),
                1 => proptest::collection::vec(id(locations), 0..20_000),
            ],
            proptest::collection::vec(count(), 0..3),
            proptest::collection::vec(label, 0..3),
        )
            .prop_map(|(location_id, value, label)| PSample {
                location_id,
                value,
                label,
            });
        (
            proptest::collection::vec("[a-z./()*]{0,24}", extra),
            proptest::collection::vec(function, functions as usize),
            proptest::collection::vec(location, locations as usize),
            proptest::collection::vec(sample, 0..24),
            prop_oneof![Just(1i64), index(strings)],
            prop_oneof![
                Just(0i64),
                Just(i64::MIN),
                Just(i64::MAX),
                Just(-1i64),
                any::<i64>()
            ],
        )
            .prop_map(
                move |(more, function, location, sample, sample_type, time_nanos)| Profile {
                    sample_type: vec![ValueType {
                        r#type: sample_type,
                        unit: 2,
                    }],
                    sample,
                    location,
                    function,
                    string_table: names
                        .iter()
                        .map(|name| name.to_string())
                        .chain(more)
                        .collect(),
                    time_nanos,
                    duration_nanos: 0,
                },
            )
    })
}

#[test]
fn generated_pprof_profiles() {
    if !limited::in_child("properties::generated_pprof_profiles") {
        return;
    }
    runner()
        .run(&(hostile_profile(), any::<bool>()), |(profile, zipped)| {
            let bytes = prost::Message::encode_to_vec(&profile);
            read(&bytes)?;
            if zipped {
                read(&gzip(&bytes))?;
            }
            Ok(())
        })
        .unwrap();
}

/// Real files of each kind the other readers take: the shipped rules, a CODEOWNERS, a report.
fn text_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut names: Vec<_> = std::fs::read_dir(&rules)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    names.sort();
    for name in names {
        seeds.push(std::fs::read(name).unwrap());
    }
    seeds.push(
        b"version: 1\nsuppressions: [{id: a, reason: r, function: \"main.*\"}]  # flow\r\n"
            .to_vec(),
    );
    seeds.push(
        b"# owners\n* @all\n/services/**/x.go @a @b\ndocs/ @docs\n!neg @x\n[ab].go @y\n".to_vec(),
    );
    let snapshot = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/json-source.snap"),
    )
    .unwrap();
    let json = &snapshot[snapshot.find("--- stdout\n").unwrap() + 11..];
    seeds.push(json.as_bytes().to_vec());
    seeds
}

#[test]
fn damaged_rules_codeowners_and_reports() {
    if !limited::in_child("properties::damaged_rules_codeowners_and_reports") {
        return;
    }
    let seeds = text_seeds();
    let entry = NewEntry {
        id: "added".to_string(),
        reason: "why: \"quoted\"\n".to_string(),
        fields: vec![("function", Field::Text("main.*".to_string()))],
    };
    let strategy = (0..seeds.len(), proptest::collection::vec(mutation(), 0..6));
    runner()
        .run(&strategy, |(seed, mutations)| {
            let mut bytes = seeds[seed].clone();
            for mutation in &mutations {
                mutate(&mut bytes, mutation);
            }
            let text = String::from_utf8_lossy(&bytes);
            let lines = text.lines().count().max(1);
            let before = allowlist::parse(&text, "r.yaml", RuleSource::User(0));
            if let Err(errors) = &before {
                for error in errors {
                    prop_assert!(error.line >= 1 && error.line <= lines + 1, "{error:?}");
                }
            }
            // An entry added to a valid file leaves it valid, with one rule more.
            if let (Ok(rules), Ok(edited)) = (&before, allowlist::insert_entry(&text, &entry)) {
                let after = allowlist::parse(&edited, "r.yaml", RuleSource::User(0));
                prop_assert!(after.is_ok(), "{text:?} became {edited:?}: {after:?}");
                prop_assert_eq!(after.unwrap().len(), rules.len() + 1);
            }
            let (owners, _) = CodeOwners::parse(&text);
            let _ = owners.owners("services/leaky/x.go");
            let _ = ReportView::from_slice(&bytes, std::path::Path::new("r.json"));
            Ok(())
        })
        .unwrap();
}
