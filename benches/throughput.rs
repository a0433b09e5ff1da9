//! Throughput of the profile readers on generated large inputs.
//!
//! `cargo bench --bench throughput` writes, into a temporary folder:
//! - a debug=2 dump of 1,000,000 goroutines (about 1 GB) shaped like real Go output,
//! - a pprof goroutine profile of 1,000,000 goroutines in 50,000 distinct stacks,
//!
//! then times reading and aggregating each through the same path `leakprof report` takes, on
//! one core, and prints the peak resident memory before and after each step, which shows that
//! memory does not grow with the size of a debug=2 dump. `LEAKPROF_BENCH_GOROUTINES` changes
//! the dump size.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use leakprof::aggregate::{Merged, Snapshot};
use leakprof::profile::{self, ReadOptions};

mod common;
use common::ProfileBuilder;

/// Distinct places goroutines block at in the generated dump.
const SITES: usize = 1_000;

fn main() {
    let goroutines: usize = std::env::var("LEAKPROF_BENCH_GOROUTINES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temporary folder");

    let small = dir.path().join("small.debug2.txt");
    write_debug2(&small, goroutines / 10);
    let big = dir.path().join("big.debug2.txt");
    write_debug2(&big, goroutines);
    let pprof = dir.path().join("goroutine.pb.gz");
    write_pprof(&pprof, 1_000_000, 50_000);
    println!("generated inputs; peak RSS so far {} MiB", peak_rss_mib());

    for (name, path) in [
        ("debug=2 (1/10 size)", &small),
        ("debug=2", &big),
        ("pprof", &pprof),
    ] {
        let bytes = std::fs::metadata(path).expect("generated file").len();
        let (elapsed, sites, goroutines) = time_read(path);
        println!(
            "{name:<20} {:>8.1} MB  {goroutines:>9} goroutines  {sites:>6} places  {:>8.3} s  {:>7.0} MB/s  peak RSS {} MiB",
            bytes as f64 / 1e6,
            elapsed,
            bytes as f64 / 1e6 / elapsed,
            peak_rss_mib(),
        );
    }
}

fn time_read(path: &Path) -> (f64, usize, u64) {
    let start = Instant::now();
    let mut snapshot = Snapshot::default();
    let info = profile::read_file(path, &ReadOptions::default(), &mut snapshot).expect("readable");
    let mut merged = Merged::default();
    merged.add(snapshot);
    let sites = merged.into_sites().len();
    (start.elapsed().as_secs_f64(), sites, info.goroutines)
}

/// One goroutine block as Go 1.22+ prints it, blocked at one of `SITES` places.
fn write_debug2(path: &Path, goroutines: usize) {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).expect("create dump"));
    for id in 0..goroutines {
        let site = (id * 7919) % SITES;
        let (reason, runtime_frames): (&str, &[(&str, &str, u32)]) = match site % 4 {
            0 => (
                "chan send",
                &[
                    ("runtime.chansend", "chan.go", 283),
                    ("runtime.chansend1", "chan.go", 161),
                ],
            ),
            1 => (
                "chan receive",
                &[
                    ("runtime.chanrecv", "chan.go", 664),
                    ("runtime.chanrecv1", "chan.go", 506),
                ],
            ),
            2 => ("select", &[("runtime.selectgo", "select.go", 351)]),
            _ => (
                "sync.Mutex.Lock",
                &[
                    ("runtime.goparkunlock", "proc.go", 441),
                    ("runtime.semacquire1", "sema.go", 160),
                ],
            ),
        };
        let minutes = if id % 3 == 0 {
            format!(", {} minutes", id % 600)
        } else {
            String::new()
        };
        writeln!(out, "goroutine {} [{reason}{minutes}]:", id + 2).unwrap();
        writeln!(
            out,
            "runtime.gopark(0xc000{:06x}?, 0x0?, 0x0?, 0x0?, 0x0?)",
            id % 0xffffff
        )
        .unwrap();
        writeln!(out, "\t/usr/local/go/src/runtime/proc.go:435 +0xce").unwrap();
        for (function, file, line) in runtime_frames {
            writeln!(out, "{function}(0xc00002a0c0, 0xc000151f38, 0x1, 0x4b9a45)").unwrap();
            writeln!(out, "\t/usr/local/go/src/runtime/{file}:{line} +0x3e5").unwrap();
        }
        writeln!(
            out,
            "example.com/shop/internal/orders.(*Service).step{site}.func1()"
        )
        .unwrap();
        writeln!(
            out,
            "\t/build/shop/internal/orders/step{site}.go:{} +0x45",
            20 + site % 50
        )
        .unwrap();
        for depth in 0..5 {
            writeln!(out, "example.com/shop/internal/orders.helper{depth}(0xc0001a2000, {{0x5e1c20, 0xc0000b4000}})").unwrap();
            writeln!(
                out,
                "\t/build/shop/internal/orders/helpers.go:{} +0x1b2",
                100 + depth * 10
            )
            .unwrap();
        }
        writeln!(
            out,
            "created by example.com/shop/internal/orders.(*Service).step{site} in goroutine 1"
        )
        .unwrap();
        writeln!(
            out,
            "\t/build/shop/internal/orders/step{site}.go:{} +0x85",
            10 + site % 50
        )
        .unwrap();
        writeln!(out).unwrap();
    }
    out.flush().unwrap();
}

/// A goroutine profile of `goroutines` spread evenly over `stacks` distinct stacks of about
/// 20 frames, with runtime frames on top, as Go serves it.
fn write_pprof(path: &Path, goroutines: i64, stacks: usize) {
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
    let per_stack = goroutines / stacks as i64;
    for stack in 0..stacks {
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
    profile.write_gz(path, 1_795_817_162_000_000_000);
}

/// Peak resident set size of this process (VmHWM), in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib / 1024)
}
