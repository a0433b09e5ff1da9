//! Writes the pprof goroutine profile that README's side-by-side figure is measured on, and
//! prints the commands that compare `leakprof report` with `go tool pprof -traces` on it.
//!
//! `cargo bench --bench pprof_compare [-- FILE]` writes 1,000,000 goroutines in 80,000
//! distinct stacks of 19 frames (runtime frames on top, as Go serves them), gzipped, to FILE
//! (default `target/leakprof-bench/goroutine-80k.pb.gz`). The same binary run with
//! `--read FILE` reads and aggregates the file the way `leakprof report` does (every sample
//! decoded, every frame resolved, every goroutine classified and grouped by place) and
//! prints the places; with `--decode FILE` it only decodes (every sample handed out, every
//! frame visited). `leakprof report --profile FILE` is the whole report; `go tool pprof
//! -traces FILE` decodes the file and prints every stack.
//! Timing them is left to hyperfine (Debian package `hyperfine`): wall-clock time of whole
//! processes, start-up included.

use std::path::{Path, PathBuf};

use leakprof::aggregate::{Merged, Snapshot};
use leakprof::profile::{self, ReadOptions, Sample, SampleSink};

mod common;
use common::ProfileBuilder;

const GOROUTINES: i64 = 1_000_000;
const STACKS: usize = 80_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--read") {
        let file = args.get(at + 1).expect("--read FILE");
        read(Path::new(file));
        return;
    }
    if let Some(at) = args.iter().position(|arg| arg == "--decode") {
        let file = args.get(at + 1).expect("--decode FILE");
        decode(Path::new(file));
        return;
    }
    let path = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/leakprof-bench/goroutine-80k.pb.gz")
        });
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create the output folder");
    }
    let mut profile = ProfileBuilder::new();
    let gopark = profile.frame("runtime.gopark", "/go/src/runtime/proc.go", 435);
    let chansend = profile.frame("runtime.chansend1", "/go/src/runtime/chan.go", 161);
    let shared: Vec<u64> = (0..16)
        .map(|depth| {
            profile.frame(
                &format!("example.com/shop/lib.layer{depth}"),
                "/build/shop/lib/layers.go",
                10 + depth,
            )
        })
        .collect();
    let per_stack = GOROUTINES / STACKS as i64;
    for stack in 0..STACKS {
        let file = format!("/build/shop/handlers/h{}.go", stack % 500);
        let leaf = profile.frame(
            &format!("example.com/shop/handlers.h{stack}"),
            &file,
            (stack % 300) as i64 + 1,
        );
        let mut location_id = vec![gopark, chansend, leaf];
        location_id.extend(&shared);
        profile.sample(location_id, per_stack);
    }
    profile.write_gz(&path, 1_795_817_162_000_000_000);
    let shown = path.display();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("wrote {shown} ({bytes} bytes): {GOROUTINES} goroutines in {STACKS} stacks");
    let me = std::env::current_exe().expect("the bench binary");
    let leakprof = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/leakprof");
    println!("compare (after `cargo build --release`):");
    println!(
        "  hyperfine -N --warmup 2 --runs 10 '{me} --decode {shown}' '{me} --read {shown}' '{leakprof} report --profile {shown}' 'go tool pprof -traces {shown}'",
        me = me.display(),
        leakprof = leakprof.display()
    );
}

/// Reads and aggregates `path` as `leakprof report` does, on one thread.
fn read(path: &Path) {
    let mut snapshot = Snapshot::default();
    let info = profile::read_file(path, &ReadOptions::default(), &mut snapshot).expect("readable");
    let mut merged = Merged::default();
    merged.add(snapshot);
    let places = merged.into_sites().len();
    println!("{} goroutines at {places} places", info.goroutines);
}

/// Visits every frame of every sample.
struct Frames {
    goroutines: u64,
    frames: usize,
    name_bytes: usize,
}

impl SampleSink for Frames {
    fn sample(&mut self, sample: &Sample<'_>) {
        self.goroutines += sample.count;
        for frame in sample.frames.clone() {
            self.frames += 1;
            self.name_bytes += frame.function.len() + frame.file.len();
        }
    }
}

/// Decodes `path`, handing every sample to a sink that only walks its frames.
fn decode(path: &Path) {
    let mut sink = Frames {
        goroutines: 0,
        frames: 0,
        name_bytes: 0,
    };
    profile::read_file(path, &ReadOptions::default(), &mut sink).expect("readable");
    println!(
        "{} goroutines, {} frames, {} bytes of names",
        sink.goroutines, sink.frames, sink.name_bytes
    );
}
