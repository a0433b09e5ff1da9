//! Command-line interface. The doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::date::Date;

/// Find goroutine leaks in Go services from their goroutine profiles.
///
/// Exit codes: 0 nothing reported, 1 at least one suspected leak reported, 2 error.
#[derive(Debug, Parser)]
#[command(name = "leakprof", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report goroutines blocked on channel operations, grouped by the line that blocks.
    Report(ReportArgs),
    /// Find leak patterns in the Go source alone, before anything runs: every channel
    /// operation the source shows can wait forever (timeout, premature return, n-cast, range
    /// over a channel nobody closes, double send, never-closed done channel, nil channel,
    /// `select {}` outside main), with the lines that make the case and the fix.
    Lint(LintArgs),
    /// Fetch goroutine profiles from running services at an interval, into one folder per
    /// target, for `report` to read later.
    Collect(CollectArgs),
    /// Maintain allowlist files: validate, add entries from a report, prune stale ones.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Explain a kind of leak: what it is, why it leaks, how to fix it, with an example.
    /// Without KIND, list the kinds.
    Explain {
        /// A leak kind, as findings name it (`send`, `select`, …).
        #[arg(value_name = "KIND")]
        kind: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate rules files: exit 0 when valid, 2 with `FILE:LINE:COL: message` otherwise.
    Check {
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Append an entry built from a finding of a JSON report (or from --function/--file),
    /// keeping the file's comments and layout; the result is validated before it is written.
    Add(AddArgs),
    /// List entries that are expired or matched nothing in a JSON report; --write removes them.
    Prune {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// A report made with `--format json --rules FILE`.
        #[arg(long, value_name = "REPORT.json")]
        report: PathBuf,
        /// Remove the listed entries from FILE.
        #[arg(long)]
        write: bool,
        /// Judge expiry against this day (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        today: Option<Date>,
    },
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The pprof base URL of a target, e.g. http://10.0.0.7:6060/debug/pprof/ or
    /// https://api.internal:8443/debug/pprof/ (repeatable).
    #[arg(long = "url", value_name = "URL", required = true)]
    pub urls: Vec<String>,
    /// Time between two rounds, e.g. 30s, 5m, 1h.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub interval: std::time::Duration,
    /// Rounds to take (each fetches every target once).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub count: u32,
    /// Where profiles go: OUT/<target>/goroutine-<time>.pb.gz.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also fetch the goroutineleak profile (Go 1.26+, costlier: it runs a GC cycle) every
    /// Nth round; 0 never.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub leak_every: u32,
    /// Timeout of one request.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Attempts per request before giving up on a target for this round.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// Refuse a response larger than this.
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size)]
    pub max_size: u64,
    /// Refuse a profile that inflates to more than this (as `report` does: a profile is
    /// saved only once it reads).
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_size)]
    pub max_decompressed_size: u64,
    /// Name of an environment variable holding the value of the Authorization header
    /// (e.g. `Bearer …`), for protected endpoints.
    #[arg(long, value_name = "VAR")]
    pub auth_env: Option<String>,
    /// For https:// targets: trust the CA certificates in this PEM file (e.g. a cluster's
    /// private CA) instead of the public roots built into leakprof. Without the flag, the
    /// environment variable LEAKPROF_CA_FILE names the file when it is set and not empty.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

/// `30s`, `5m`, `2h`, `250ms` → a duration.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 30s or 5m"))?;
    let seconds = match unit {
        "ms" => return Ok(std::time::Duration::from_millis(number)),
        "s" | "" => Some(number),
        "m" => number.checked_mul(60),
        "h" => number.checked_mul(3600),
        _ => return Err(format!("unknown unit in {text:?}; use ms, s, m or h")),
    };
    seconds
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| format!("{text:?} is out of range"))
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The rules file; created when missing.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// A report made with `--format json`.
    #[arg(
        long,
        value_name = "REPORT.json",
        requires = "finding",
        conflicts_with = "function"
    )]
    pub from_report: Option<PathBuf>,
    /// The finding's `id` in that report.
    #[arg(long, value_name = "ID", requires = "from_report")]
    pub finding: Option<String>,
    /// Without a report: the function glob to match.
    #[arg(long, value_name = "GLOB", required_unless_present_any = ["from_report", "file_glob"])]
    pub function: Option<String>,
    /// Without a report: the repository-relative file glob to match.
    #[arg(long = "file", value_name = "GLOB", conflicts_with = "from_report")]
    pub file_glob: Option<String>,
    /// Without a report: the line to match.
    #[arg(long, value_name = "N", conflicts_with = "from_report")]
    pub line: Option<u32>,
    /// Without a report: the op to match (send, receive, range, select, …).
    #[arg(long, value_name = "OP", conflicts_with = "from_report")]
    pub op: Option<String>,
    /// Why this is not a leak.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The entry's id (default: made from the function name).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// From this day on the entry no longer suppresses (YYYY-MM-DD); a day that is not after
    /// today is a warning.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub expires: Option<Date>,
    /// Who answers for the entry (e.g. @billing-team).
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// Suppress only while fewer goroutines than this wait there; above it the finding is
    /// reported again.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_goroutines: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A goroutine profile: pprof protobuf (/debug/pprof/goroutine, gzipped or not), or a
    /// debug=1 or debug=2 text dump (also panics, SIGQUIT, `go test -timeout` output). A folder
    /// is walked and every file in it read. Repeat for several snapshots. `NAME=PATH` names
    /// the instance its profiles came from.
    #[arg(long = "profile", value_name = "[NAME=]PATH", required = true)]
    pub profiles: Vec<PathBuf>,

    /// The goroutine label whose value names the instance a profile came from (the value
    /// most of its goroutines carry).
    #[arg(long, value_name = "KEY")]
    pub instance_label: Option<String>,

    /// Split each finding's goroutines by the values of this goroutine label (`pprof.Do`),
    /// e.g. endpoint or tenant.
    #[arg(long, value_name = "KEY")]
    pub group_by_label: Option<String>,

    /// Report a place when at least this many goroutines wait there (in the worst snapshot),
    /// or `auto` to set the bar per profile from its own distribution (see README).
    #[arg(long, value_name = "N|auto", default_value = "100", value_parser = parse_threshold)]
    pub threshold: Threshold,

    /// Do not report GC-confirmed leaks that are below the threshold (they are by default).
    #[arg(long)]
    pub hide_confirmed_below_threshold: bool,

    /// No progress bar on stderr while reading many profiles (it only ever shows on a
    /// terminal).
    #[arg(long)]
    pub no_progress: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The Go source the profiled binary was built from: a git repository (with a work tree
    /// or bare) or a plain folder. Findings are mapped into it, checked against the line they
    /// point to, and selects bounded by a timer, ticker or ctx.Done() are suppressed.
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,

    /// The revision that was running: any revision git understands (SHA, tag, branch,
    /// HEAD~2). Read from git objects; the work tree is never touched. Default: HEAD.
    #[arg(long, value_name = "REV", requires = "repo")]
    pub rev: Option<String>,

    /// Also report channel operations inside the Go standard library (excluded by default).
    #[arg(long)]
    pub include_std: bool,

    /// With --repo, also report places outside own code: module-cache dependencies, vendored
    /// code and packages of other modules (excluded by default).
    #[arg(long)]
    pub include_deps: bool,

    /// A YAML allowlist of known false positives (see README). Repeatable; earlier files take
    /// precedence over later ones, all over the repository's and the built-in rules.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Do not read the repository's `.leakprof.yaml` (read at --rev when --repo is given).
    #[arg(long)]
    pub no_repo_rules: bool,

    /// Do not apply the built-in rules for goroutines that the standard library and common
    /// libraries park by design.
    #[arg(long)]
    pub no_builtin_rules: bool,

    /// Judge rule expiry against this day (YYYY-MM-DD) instead of today (UTC), for
    /// reproducible runs.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<Date>,

    /// Do not count `<-ctx.Done()` as bounding a select. A context that is never cancelled
    /// bounds nothing, so that rule is a heuristic.
    #[arg(long)]
    pub no_ctx_done: bool,

    /// List goroutines blocked on other things (mutexes, WaitGroups, sleep, I/O, …) too.
    #[arg(long)]
    pub show_other_blocking: bool,

    /// The memory the profiles read at the same time may hold together (e.g. 512MiB, 2GiB):
    /// a gzipped profile's inflated bytes, a protobuf profile's decoded tables, and what is
    /// kept of the places of any profile. Plain text is streamed: a dump may be far larger.
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_size)]
    pub max_decompressed_size: u64,

    /// An earlier JSON report: findings whose `id` it has are not new (`"new": false`), and
    /// only new reported findings make the exit code 1 (unless --fail-on says otherwise).
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,

    /// What makes the exit code 1: any reported finding, only new ones (needs --baseline), or
    /// never. Default: new with --baseline, else any.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub fail_on: Option<FailOn>,

    /// Fail (exit 1) only for findings at least this sure: `proven` (the GC proved them),
    /// `likely` (proven, growing or a leak pattern in the source) or `possible` (every
    /// reported finding, the default).
    #[arg(long, value_enum, value_name = "VERDICT", default_value_t = VerdictArg::Possible)]
    pub fail_on_verdict: VerdictArg,

    /// Keep only the findings this code owner (from CODEOWNERS at --rev) owns, e.g. @team.
    #[arg(long, value_name = "NAME", requires = "repo")]
    pub owner: Option<String>,

    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Also lint the files the findings point to (as `leakprof lint` does) and add what the
    /// source alone shows there: a lint finding a profile confirms says so.
    #[arg(long, requires = "repo")]
    pub lint: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Go files or folders to lint, repository-relative (`pkg/orders`, `./pkg/...`); default:
    /// the whole revision. vendor/, testdata/ and folders named with a leading . or _ are
    /// left out unless named here; generated files (`// Code generated … DO NOT EDIT.`)
    /// always.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,

    /// The Go source: a git repository (with a work tree or bare) or a plain folder.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub repo: PathBuf,

    /// The revision to lint: any revision git understands. Read from git objects; the work
    /// tree is never touched. Default: HEAD.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,

    /// Lint only the functions changed between BASE and --rev (a git diff of the two
    /// trees): what a pull request adds, e.g. --diff origin/main.
    #[arg(long, value_name = "BASE")]
    pub diff: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// A YAML allowlist of known false positives, as for `report`. Repeatable; earlier files
    /// take precedence over later ones, all over the repository's and the built-in rules.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Do not read the repository's `.leakprof.yaml` (read at --rev).
    #[arg(long)]
    pub no_repo_rules: bool,

    /// Do not apply the built-in rules.
    #[arg(long)]
    pub no_builtin_rules: bool,

    /// Judge rule expiry against this day (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<Date>,

    /// An earlier JSON report of `lint`: findings whose `id` it has are not new, and only new
    /// reported findings make the exit code 1 (unless --fail-on says otherwise).
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,

    /// What makes the exit code 1: any reported finding, only new ones (needs --baseline), or
    /// never. Default: new with --baseline, else any.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub fail_on: Option<FailOn>,

    /// Keep only the findings this code owner (from CODEOWNERS at --rev) owns, e.g. @team.
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,

    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// For a pull-request comment or an issue filed to the owner.
    Markdown,
    /// One self-contained page with charts of goroutines over time.
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    Fixed(u64),
    Auto,
}

fn parse_threshold(text: &str) -> Result<Threshold, String> {
    if text == "auto" {
        return Ok(Threshold::Auto);
    }
    text.parse()
        .map(Threshold::Fixed)
        .map_err(|_| format!("{text:?} is not a number or `auto`"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when any finding is reported.
    Any,
    /// Exit 1 only for reported findings missing from the --baseline report.
    New,
    /// Exit 0 whatever is found (2 still means an error).
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerdictArg {
    Proven,
    Likely,
    Possible,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("{text:?} is not a date of the form YYYY-MM-DD"))
}

/// `1GiB`, `512MiB`, `100MB`, `4096` → bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 512MiB"))?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "kb" => 1_000,
        "m" | "mib" => 1 << 20,
        "mb" => 1_000_000,
        "g" | "gib" => 1 << 30,
        "gb" => 1_000_000_000,
        "t" | "tib" => 1 << 40,
        "tb" => 1_000_000_000_000,
        _ => {
            return Err(format!(
                "unknown unit in {text:?}; use B, KiB, MiB, GiB, KB, MB or GB"
            ));
        }
    };
    number
        .checked_mul(multiplier)
        .filter(|&size| size > 0)
        .ok_or_else(|| format!("{text:?} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        for (text, expected) in [
            ("1GiB", Ok(1 << 30)),
            ("512MiB", Ok(512 << 20)),
            ("100MB", Ok(100_000_000)),
            ("4096", Ok(4096)),
            ("0", Err(())),
            ("lots", Err(())),
            ("5 parsecs", Err(())),
            ("99999999999999999999", Err(())),
        ] {
            assert_eq!(parse_size(text).map_err(|_| ()), expected, "{text}");
        }
    }

    #[test]
    fn durations() {
        for (text, expected) in [
            ("30s", Ok(30_000)),
            ("5m", Ok(300_000)),
            ("2h", Ok(7_200_000)),
            ("250ms", Ok(250)),
            ("9999999999999999h", Err(())),
            ("5 parsecs", Err(())),
            ("soon", Err(())),
        ] {
            let got = parse_duration(text)
                .map(|d| d.as_millis() as u64)
                .map_err(|_| ());
            assert_eq!(got, expected, "{text}");
        }
    }
}
