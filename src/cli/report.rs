//! The flags of `leakprof report`, and of `leakprof fix`, which takes report's inputs and
//! three flags of its own.

use std::path::PathBuf;

use clap::Args;

use super::values::{
    ColorChoice, FailOn, OutputFormat, OutputSpec, SarifSuppressed, Threshold, VerdictArg,
    parse_date, parse_output, parse_size, parse_threshold,
};
use crate::date::Date;

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

    /// Output format of the report on standard output, or in a plain `--output FILE`
    /// [default: text].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    /// Write the report to FILE instead of standard output; `FORMAT:FILE` writes that format
    /// there (e.g. `sarif:leaks.sarif`), and `FORMAT:-` to standard output. Repeat it to write
    /// several formats in one run. Files are replaced atomically.
    #[arg(long = "output", value_name = "[FORMAT:]FILE", value_parser = parse_output)]
    pub outputs: Vec<OutputSpec>,

    /// SARIF: `omit` leaves suppressed findings out of the results (GitHub code scanning would
    /// open alerts for them) and counts them in the run's properties; `include` writes them
    /// as results with a `suppressions` entry, for viewers that honour it.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = SarifSuppressed::Omit)]
    pub sarif_suppressed: SarifSuppressed,

    /// SARIF: the analysis category (`automationDetails.id`), to upload several reports for one
    /// commit, e.g. one per service of a monorepo: `leakprof/billing`. It takes precedence
    /// over upload-sarif's `category` input.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,

    /// Markdown: write code owners as @-mentions, which notify them each time the report is
    /// posted (by default they are written as code, which notifies nobody).
    #[arg(long)]
    pub mention_owners: bool,

    /// Markdown and HTML: link each place to its source with this URL, where `{path}` is the
    /// file from the repository's root, `{line}` the line and `{rev}` the commit. By default
    /// links are made for GitHub and GitLab remotes, e.g.
    /// `https://github.com/OWNER/REPO/blob/{rev}/{path}#L{line}`.
    #[arg(long, value_name = "TEMPLATE")]
    pub link_template: Option<String>,

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

/// The arguments of `report` (by id) that only shape a report: its format, SARIF, Markdown,
/// colour, exit policy, baseline. `fix` takes `report`'s arguments but writes a patch, so it
/// hides these and refuses them.
pub const REPORT_ONLY: &[&str] = &[
    "format",
    "sarif_suppressed",
    "sarif_category",
    "mention_owners",
    "link_template",
    "fail_on",
    "fail_on_verdict",
    "color",
    "group_by_label",
    "show_other_blocking",
    "baseline",
];

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    /// Apply the patch to the work tree of --repo, only when --rev is its checked-out HEAD
    /// and every file the patch touches is unmodified; never otherwise.
    #[arg(long)]
    pub write: bool,
    /// Export the revision to a temporary folder, apply each fix alone and run `go build
    /// ./...` and `go vet` on the packages it touches; the patch keeps the fixes that build
    /// and add no vet finding.
    #[arg(long)]
    pub verify: bool,
    /// The go command --verify runs.
    #[arg(long, value_name = "PATH", default_value = "go")]
    pub go: PathBuf,
}
