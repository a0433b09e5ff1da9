//! `leakprof collect`: fetches goroutine profiles from running Go services at an interval and
//! stores them as `OUT/<target>/goroutine-<time>.pb.gz`, for `report` to read later.
//!
//! It asks for the debug=0 profile (gzipped pprof): Go builds it without stopping the world for
//! the whole dump, as debug=2 does. This module is the run: rounds `--interval` apart, what
//! each round got, the lines on stderr and the exit code. Beside it: `target` parses the
//! URLs, `http` makes one request (ureq, http and https), `fetch` runs a round's requests
//! in parallel with retries and checks each body is a readable profile, `save` writes it.
//!
//! Exit codes: 2 for bad arguments (before anything is fetched), when the first round gets a
//! profile from no target (with one target: it is unreachable, and the message names its URL),
//! or when a profile cannot be written; 0 otherwise. After the first round a target that fails
//! is a warning and the run carries on, so that a restart of one service does not throw away
//! hours of collection.

mod fetch;
mod http;
mod save;
mod target;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cli::CollectArgs;
use crate::date::Date;
use crate::exit::{EXIT_CLEAN, EXIT_ERROR};
use crate::profile::ReadOptions;
use fetch::{Fetch, Plan, Retry, Round};
use http::{Client, FetchError};

pub use save::{is_partial_file, time_from_file_name};
pub use target::{Scheme, Target};

/// Targets fetched at the same time.
const PARALLEL: usize = 16;
/// The environment variable that names a CA file when `--ca-file` is not given.
const CA_FILE_VAR: &str = "LEAKPROF_CA_FILE";
/// The profile every round takes.
const GOROUTINE: &str = "goroutine";
/// The profile `--leak-every` adds (Go 1.26+): goroutines the GC proved leaked.
const GOROUTINE_LEAK: &str = "goroutineleak";

/// Errors that stop the whole run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("--url {url}: {problem}")]
    Url { url: String, problem: String },
    #[error(
        "--url {first} and --url {second} both go to the folder {folder}; give each target once"
    )]
    SameFolder {
        first: String,
        second: String,
        folder: String,
    },
    #[error("--auth-env {var}: {problem}")]
    Auth { var: String, problem: &'static str },
    /// `named_by` is `--ca-file` or `LEAKPROF_CA_FILE`.
    #[error("{named_by} {path}: {problem}")]
    CaFile {
        named_by: &'static str,
        path: PathBuf,
        problem: String,
    },
    #[error("--count must be at least 1")]
    NoRounds,
    #[error("--timeout must be more than 0")]
    ZeroTimeout,
    #[error("--interval times --count, or --timeout, is too long")]
    TooLong,
    #[error("cannot create the output folder {path}: {source}")]
    OutDir { path: PathBuf, source: io::Error },
    #[error(
        "cannot write a profile into {path}: {source}; check the space and permissions of --out"
    )]
    Write { path: PathBuf, source: io::Error },
    /// The first round got nothing from any target.
    #[error("{}", describe_no_answer(.0))]
    NoAnswer(Vec<Failure>),
}

fn describe_no_answer(failures: &[Failure]) -> String {
    match failures {
        [only] => format!("{only}"),
        _ => failures.iter().fold(
            "no target answered in the first round:".to_string(),
            |text, failure| format!("{text}\n  {failure}"),
        ),
    }
}

/// A request that failed on every attempt.
#[derive(Debug)]
pub struct Failure {
    profile: &'static str,
    url: String,
    error: FetchError,
    attempts: u32,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.url, self.error)?;
        if self.attempts > 1 {
            write!(f, " (gave up after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

/// Runs `leakprof collect` and returns the exit code.
pub fn run(args: &CollectArgs, _stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    match collect(args, stderr) {
        Ok(()) => EXIT_CLEAN,
        Err(error) => {
            // A server's answer can be quoted in it: shown, never acted on.
            let _ = writeln!(
                stderr,
                "error: {}",
                crate::report::present::safe_lines(&error.to_string())
            );
            EXIT_ERROR
        }
    }
}

fn collect(args: &CollectArgs, stderr: &mut dyn Write) -> Result<(), CollectError> {
    let targets = target::parse_targets(&args.urls)?;
    let authorization = target::authorization(args.auth_env.as_deref())?;
    let roots = match ca_file(args) {
        Some((named_by, path)) => Some(http::load_ca_file(named_by, &path)?),
        None => None,
    };
    if args.count == 0 {
        return Err(CollectError::NoRounds);
    }
    let start = Instant::now();
    let wall_start = SystemTime::now();
    if args.timeout.is_zero() {
        return Err(CollectError::ZeroTimeout);
    }
    let fits = |span: Duration| start.checked_add(span).and(wall_start.checked_add(span));
    let whole_run = args.interval.checked_mul(args.count);
    if whole_run.and_then(fits).and(fits(args.timeout)).is_none() {
        return Err(CollectError::TooLong);
    }
    fs::create_dir_all(&args.out).map_err(|source| CollectError::OutDir {
        path: args.out.clone(),
        source,
    })?;
    let client = Client::new(args.timeout, args.max_size, authorization, roots);
    let retry = Retry {
        attempts: args.retries.max(1),
        base: fetch::base_delay(args.timeout, args.interval),
    };
    // One budget for the profiles checked side by side, as when `report` reads them.
    let read = ReadOptions::new(args.max_decompressed_size);
    // One pool for the run, a thread per target up to PARALLEL: its threads wait on the
    // network, not on the CPU, so the pool is not rayon's global one (sized to the cores).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(targets.len().clamp(1, PARALLEL))
        .thread_name(|index| format!("leakprof-collect-{index}"))
        .build()
        .ok();
    let mut progress = Progress::new(&targets, args);
    let mut warned_late = false;

    for round in 1..=args.count {
        let scheduled = args.interval * (round - 1);
        let due = start + scheduled;
        let now = Instant::now();
        let late = now.saturating_duration_since(due);
        if due > now {
            std::thread::sleep(due - now);
        } else if late > Duration::from_millis(100) && !warned_late {
            warned_late = true;
            let _ = writeln!(
                stderr,
                "warning: round {round}/{} starts {} late: rounds take longer than \
                 --interval, so they now run back to back",
                args.count,
                format_elapsed(late)
            );
        }
        // Names follow the schedule, so rounds `--interval` apart never share a second;
        // a late round is named by when it really starts.
        let offset = if late > Duration::from_secs(1) {
            start.elapsed()
        } else {
            scheduled
        };
        let leak_round = args.leak_every > 0 && (round - 1) % args.leak_every == 0;
        let plans: Vec<Plan> = targets
            .iter()
            .zip(&progress.ask_leak)
            .map(|(target, &ask)| Plan {
                target,
                leak: leak_round && ask,
            })
            .collect();
        let shared = Round {
            client: &client,
            retry,
            read: read.clone(),
            pool: pool.as_ref(),
            out: &args.out,
            stamp: stamp(wall_start + offset),
        };
        let results = fetch::fetch_round(&shared, &plans);
        progress.record(round, results, stderr)?;
    }
    let _ = writeln!(stderr, "{}", progress.summary(&args.out));
    Ok(())
}

/// The CA file to trust and what named it: `--ca-file`, else `LEAKPROF_CA_FILE` when set and
/// not empty (an empty variable is how shells and CI files unset one).
fn ca_file(args: &CollectArgs) -> Option<(&'static str, PathBuf)> {
    if let Some(path) = &args.ca_file {
        return Some(("--ca-file", path.clone()));
    }
    std::env::var_os(CA_FILE_VAR)
        .filter(|value| !value.is_empty())
        .map(|value| (CA_FILE_VAR, PathBuf::from(value)))
}

/// What the run has got from each target so far, and the lines that tell it on stderr.
struct Progress<'a> {
    targets: &'a [Target],
    count: u32,
    /// Still ask for goroutineleak (false once a target answered 404, or without
    /// `--leak-every`).
    ask_leak: Vec<bool>,
    answered: Vec<bool>,
    /// Failing since the last warning: a target that keeps failing is warned about once.
    failing: Vec<bool>,
    saved: usize,
    failed: usize,
}

impl<'a> Progress<'a> {
    fn new(targets: &'a [Target], args: &CollectArgs) -> Progress<'a> {
        Progress {
            targets,
            count: args.count,
            ask_leak: vec![args.leak_every > 0; targets.len()],
            answered: vec![false; targets.len()],
            failing: vec![false; targets.len()],
            saved: 0,
            failed: 0,
        }
    }

    /// Takes in a round's outcomes (in the order of the targets). Fails the run when the
    /// first round got nothing, or a profile could not be written.
    fn record(
        &mut self,
        round: u32,
        results: Vec<Vec<Fetch>>,
        stderr: &mut dyn Write,
    ) -> Result<(), CollectError> {
        let count = self.count;
        let mut failures = Vec::new();
        let mut answered = false;
        for (index, fetches) in results.into_iter().enumerate() {
            for fetch in fetches {
                match fetch {
                    Fetch::Saved {
                        profile,
                        bytes,
                        elapsed,
                        attempts,
                    } => {
                        self.saved += 1;
                        let retried = match attempts {
                            1 => String::new(),
                            _ => format!(" ({attempts} attempts)"),
                        };
                        let _ = writeln!(
                            stderr,
                            "round {round}/{count} {} {profile} {} in {}{retried}",
                            self.targets[index].label(),
                            format_size(bytes),
                            format_elapsed(elapsed),
                        );
                        if profile != GOROUTINE {
                            continue;
                        }
                        answered = true;
                        self.answered[index] = true;
                        if std::mem::take(&mut self.failing[index]) {
                            let _ = writeln!(
                                stderr,
                                "note: round {round}/{count}: {} answers again",
                                self.targets[index].url("")
                            );
                        }
                    }
                    Fetch::Failed(failure) => failures.push((index, failure)),
                    Fetch::NoLeakProfile { url } => {
                        self.ask_leak[index] = false;
                        let _ = writeln!(
                            stderr,
                            "note: {url}: 404: the target has no goroutineleak profile (Go < \
                             1.26, or 1.26 built without GOEXPERIMENT=goroutineleakprofile); \
                             not asking it again"
                        );
                    }
                    Fetch::WriteFailed(error) => return Err(error),
                }
            }
        }
        if round == 1 && !answered {
            let failures = failures.into_iter().map(|(_, failure)| failure);
            return Err(CollectError::NoAnswer(failures.collect()));
        }
        self.failed += failures.len();
        for (index, failure) in failures {
            // goroutineleak is asked for seldom enough to warn every time.
            let streak = failure.profile == GOROUTINE;
            if streak && std::mem::replace(&mut self.failing[index], true) {
                continue;
            }
            let more = if streak && round < count {
                "; not repeated until it answers again"
            } else {
                ""
            };
            let failure = crate::report::present::safe(&failure.to_string()).into_owned();
            let _ = writeln!(stderr, "warning: round {round}/{count}: {failure}{more}");
        }
        Ok(())
    }

    /// The last line: what was collected, and what failed.
    fn summary(&self, out: &Path) -> String {
        let mut summary = format!(
            "collected {} profile{} into {} in {} round{}",
            self.saved,
            plural(self.saved),
            out.display(),
            self.count,
            plural(self.count as usize),
        );
        if self.failed > 0 {
            summary.push_str(&format!(
                "; {} request{} failed",
                self.failed,
                plural(self.failed)
            ));
        }
        let silent = self.answered.iter().filter(|answered| !**answered).count();
        if silent > 0 {
            summary.push_str(&format!(
                "; {silent} of {} targets never answered",
                self.targets.len()
            ));
        }
        summary
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `YYYYMMDDTHHMMSSZ` in UTC.
fn stamp(time: SystemTime) -> String {
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs() as i64,
        Err(before) => -(before.duration().as_secs() as i64),
    };
    let date = Date::from_unix_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        date.year,
        date.month,
        date.day,
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// `812 B`, `45 KiB`, `3.2 MiB`.
fn format_size(bytes: usize) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{} KiB", (bytes + 512) / 1024),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// `12 ms`, `3.4 s`.
fn format_elapsed(elapsed: Duration) -> String {
    if elapsed < Duration::from_secs(1) {
        format!("{} ms", elapsed.as_millis())
    } else {
        format!("{:.1} s", elapsed.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps() {
        for (seconds, expected) in [
            (0, "19700101T000000Z"),
            (1_709_210_096, "20240229T123456Z"),
            (1_767_225_599, "20251231T235959Z"),
        ] {
            assert_eq!(stamp(UNIX_EPOCH + Duration::from_secs(seconds)), expected);
        }
    }

    #[test]
    fn sizes_and_times() {
        for (bytes, expected) in [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1 KiB"),
            (46_000, "45 KiB"),
            (3_355_443, "3.2 MiB"),
        ] {
            assert_eq!(format_size(bytes), expected);
        }
        for (elapsed, expected) in [
            (Duration::from_micros(12_700), "12 ms"),
            (Duration::from_millis(3_400), "3.4 s"),
        ] {
            assert_eq!(format_elapsed(elapsed), expected);
        }
    }
}
