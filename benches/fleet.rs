//! Reading a fleet: many small profiles from many instances.
//!
//! `cargo bench --bench fleet` writes 10,000 gzipped pprof goroutine profiles of a few KB
//! each (80 stacks, a leak that grows along the timeline, timestamps a minute apart), then times
//! `leakprof report --profile DIR` over the folder, read in parallel on every core.

use std::path::Path;
use std::time::Instant;

use clap::Parser;
use leakprof::cli::{Cli, Command};

mod common;
use common::ProfileBuilder;

const PROFILES: usize = 10_000;
const STACKS: usize = 80;

fn write_profile(path: &Path, instance: usize) {
    let mut profile = ProfileBuilder::new();
    let gopark = profile.frame("runtime.gopark", "/go/src/runtime/proc.go", 435);
    let chansend = profile.frame("runtime.chansend1", "/go/src/runtime/chan.go", 161);
    let main = profile.frame("main.main", "/build/svc/main.go", 20);
    let middleware: Vec<u64> = (0..6)
        .map(|depth| {
            profile.frame(
                &format!("example.com/svc/middleware.layer{depth}"),
                "/build/svc/middleware/chain.go",
                30 + depth,
            )
        })
        .collect();
    for stack in 0..STACKS {
        let file = format!("/build/svc/handlers/h{stack}.go");
        let leaf = profile.frame(
            &format!("example.com/svc/handlers.h{stack}.func1"),
            &file,
            (stack * 3 + 10) as i64,
        );
        // The leak grows along the fleet's timeline; the rest stays small.
        let count = if stack == 0 {
            100 + instance as i64 / 10
        } else {
            1 + stack as i64 % 4
        };
        let mut location_id = vec![gopark, chansend, leaf];
        location_id.extend(&middleware);
        location_id.push(main);
        profile.sample(location_id, count);
    }
    profile.write_gz(
        path,
        1_795_000_000_000_000_000 + instance as i64 * 60_000_000_000,
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let fleet = dir.path().join("fleet");
    std::fs::create_dir(&fleet).expect("folder");
    for instance in 0..PROFILES {
        write_profile(
            &fleet.join(format!("instance-{instance:05}.pb.gz")),
            instance,
        );
    }
    let bytes: u64 = std::fs::read_dir(&fleet)
        .expect("folder")
        .map(|entry| entry.expect("entry").metadata().expect("metadata").len())
        .sum();
    println!(
        "generated {PROFILES} profiles, {:.1} KB each on average",
        bytes as f64 / PROFILES as f64 / 1e3
    );

    let args = [
        "leakprof",
        "report",
        "--profile",
        fleet.to_str().expect("UTF-8"),
        "--no-progress",
    ];
    let Command::Report(args) = Cli::try_parse_from(args).expect("arguments").command else {
        unreachable!("a report command line")
    };
    let config = leakprof::config::ReportConfig::new(&args, false, |_| None).expect("config");
    for run in 1..=3 {
        let started = Instant::now();
        let report = leakprof::build_report(&config).expect("report");
        let elapsed = started.elapsed().as_secs_f64();
        assert_eq!(report.profiles.len(), PROFILES);
        println!(
            "run {run}: {} profiles, {} findings, trend of the leak {:?}, in {elapsed:.2} s on {} threads",
            report.profiles.len(),
            report.findings.len(),
            (
                &report.findings[0].function,
                report.findings[0].goroutines,
                report.findings[0].trend,
                report.findings[0].growth_per_hour
            ),
            rayon::current_num_threads()
        );
    }
}
