//! Command-line interface. The doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::date::Date;

/// Find goroutine leaks in Go services from their goroutine profiles.
///
/// Exit codes: 0 nothing reported, 1 at least one suspected leak reported, 2 error.
#[derive(Debug, Parser)]
#[command(
    name = "leakprof",
    version,
    max_term_width = 100,
    after_help = "Examples:
  leakprof report --profile goroutine.pb.gz --repo .
  leakprof collect --url http://10.0.0.7:6060/debug/pprof/ --interval 5m --count 12 --out profiles/
  leakprof explain send"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report goroutines blocked on channel operations, grouped by the line that blocks.
    #[command(after_help = "Examples:
  leakprof report --profile goroutine.pb.gz --repo . --rev \"$DEPLOYED_SHA\"
  leakprof report --profile profiles/ --threshold auto --format html --output leaks.html
  leakprof report --profile goroutine.pb.gz --repo . --baseline main.json \\
      --output sarif:leaks.sarif --output markdown:leaks.md --output json:leaks.json")]
    Report(ReportArgs),
    /// Find leak patterns in the Go source alone, before anything runs: every channel
    /// operation the source shows can wait forever (timeout, premature return, n-cast, range
    /// over a channel nobody closes, double send, never-closed done channel, nil channel,
    /// `select {}` outside main), with the lines that make the case and the fix.
    #[command(after_help = "Examples:
  leakprof lint --repo .
  leakprof lint --repo . ./pkg/orders/... --format sarif --output lint.sarif
  leakprof lint --repo . --diff origin/main --format github")]
    Lint(LintArgs),
    /// Fetch goroutine profiles from running services at an interval, into one folder per
    /// target, for `report` to read later.
    #[command(after_help = "Examples:
  leakprof collect --url http://10.0.0.7:6060/debug/pprof/ --out profiles/
  leakprof collect --url http://a:6060/debug/pprof/ --url http://b:6060/debug/pprof/ \\
      --interval 5m --count 288 --leak-every 12 --out profiles/
  leakprof collect --url https://api.internal:8443/debug/pprof/ --ca-file ca.pem \\
      --auth-env PPROF_TOKEN --out profiles/")]
    Collect(CollectArgs),
    /// Maintain allowlist files: validate, add entries from a report, prune stale ones.
    #[command(
        subcommand,
        after_help = "Examples:
  leakprof rules check .leakprof.yaml
  leakprof rules add .leakprof.yaml --from-report leaks.json --finding 3ea57c8d3f961be4 \\
      --reason \"drained at shutdown\"
  leakprof rules prune .leakprof.yaml --report leaks.json --write"
    )]
    Rules(RulesCommand),
    /// Write the fixes of the reported findings as one patch for `git apply`: the same
    /// inputs as `report` (--repo is required), the patch on standard output or in
    /// --output FILE.
    ///
    /// Exit codes: 0 the patch was written (it may be empty), 1 --verify left a fix out, 2
    /// error.
    // The flags that only shape a report (REPORT_ONLY) are hidden from fix's help, and
    // refused when given: a patch has none of them.
    #[command(
        after_help = "Examples:
  leakprof fix --profile goroutine.pb.gz --repo . > leak-fixes.patch
  leakprof fix --profile goroutine.pb.gz --repo . --rev \"$DEPLOYED_SHA\" --verify --output leak-fixes.patch
  leakprof fix --profile goroutine.pb.gz --repo . --write",
        mut_arg("outputs", |arg| arg
            .value_name("FILE")
            .help("Write the patch to FILE (replaced atomically) instead of standard output")),
        mut_args(|arg| {
            let report_only = REPORT_ONLY.contains(&arg.get_id().as_str());
            arg.hide(report_only)
        }),
    )]
    Fix(FixArgs),
    /// Explain a kind of leak or a leak pattern: what it is, why it leaks, how to fix it,
    /// with an example. Without KIND, list them.
    #[command(after_help = "Examples:
  leakprof explain
  leakprof explain send
  leakprof explain timeout")]
    Explain {
        /// A leak kind or pattern, as findings name it (`send`, `select`, `timeout`, …).
        #[arg(value_name = "KIND")]
        kind: Option<String>,
    },
    /// Print a shell completion script, generated from these definitions.
    #[command(after_help = "Examples:
  leakprof completions bash > /etc/bash_completion.d/leakprof
  leakprof completions zsh > \"${fpath[1]}/_leakprof\"
  leakprof completions fish > ~/.config/fish/completions/leakprof.fish")]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum, value_name = "SHELL")]
        shell: Shell,
    },
    /// Print the man page (roff) of leakprof, or of one of its commands.
    #[command(after_help = "Examples:
  leakprof man > /usr/local/share/man/man1/leakprof.1
  leakprof man report > /usr/local/share/man/man1/leakprof-report.1
  leakprof man | man -l -")]
    Man {
        /// A command (`report`, `collect`, …); without it, the page of leakprof itself.
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate rules files: exit 0 when valid, 2 with `FILE:LINE:COL: message` otherwise.
    #[command(after_help = "Examples:
  leakprof rules check .leakprof.yaml
  leakprof rules check rules/*.yaml")]
    Check {
        /// A rules file (YAML) to validate; repeat for several.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Append an entry built from a finding of a JSON report (or from --function/--file),
    /// keeping the file's comments and layout; the result is validated before it is written.
    #[command(after_help = "Examples:
  leakprof rules add .leakprof.yaml --from-report leaks.json --finding 3ea57c8d3f961be4 \\
      --reason \"one per connection, closed with it\" --expires 2027-03-31
  leakprof rules add .leakprof.yaml --function 'example.com/billing.(*Poller).run*' \\
      --op select --reason \"long-poll by design\" --owner @billing-team")]
    Add(AddArgs),
    /// List rules with what each matches, its bound and why, and its reason: the rules
    /// leakprof ships with --builtin, or those of FILEs.
    #[command(after_help = "Examples:
  leakprof rules list .leakprof.yaml
  leakprof rules list --builtin")]
    List {
        /// A rules file (YAML) to list; repeat for several.
        #[arg(value_name = "FILE", required_unless_present = "builtin")]
        files: Vec<PathBuf>,
        /// List the built-in rules (rules/*.yaml, compiled in).
        #[arg(long)]
        builtin: bool,
    },
    /// List entries that are expired or matched nothing in a JSON report; --write removes them.
    #[command(after_help = "Examples:
  leakprof rules prune .leakprof.yaml --report leaks.json
  leakprof rules prune .leakprof.yaml --report leaks.json --write --today 2027-04-01")]
    Prune {
        /// The rules file (YAML) whose entries are judged, and edited with --write.
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

    /// Output format of the report on standard output, or in a plain `--output FILE`
    /// [default: text].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    /// Write the report to FILE instead of standard output; `FORMAT:FILE` writes that format
    /// there (e.g. `sarif:lint.sarif`), and `FORMAT:-` to standard output. Repeat it to write
    /// several formats in one run. Files are replaced atomically.
    #[arg(long = "output", value_name = "[FORMAT:]FILE", value_parser = parse_output)]
    pub outputs: Vec<OutputSpec>,

    /// SARIF: leave suppressed findings out (`omit`) or write them with a `suppressions`
    /// entry (`include`), as for `report`.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = SarifSuppressed::Omit)]
    pub sarif_suppressed: SarifSuppressed,

    /// SARIF: the analysis category (`automationDetails.id`), e.g. `leakprof-lint`, so lint
    /// results and report results for one commit do not replace each other.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,

    /// Markdown: write code owners as @-mentions.
    #[arg(long)]
    pub mention_owners: bool,

    /// Markdown and HTML: link each place to its source with this URL (`{path}`, `{line}`,
    /// `{rev}`), as for `report`.
    #[arg(long, value_name = "TEMPLATE")]
    pub link_template: Option<String>,

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
    /// GitLab Code Quality (CodeClimate JSON), for the merge request widget.
    Codeclimate,
    /// GitHub Actions workflow commands (`::error file=…`): annotations without SARIF.
    Github,
    /// One line per finding, `file:line:col: severity: message [rule]`, for editors,
    /// reviewdog and problem matchers.
    Concise,
}

impl OutputFormat {
    /// The name `--format` and `--output FORMAT:FILE` take.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Html => "html",
            OutputFormat::Codeclimate => "codeclimate",
            OutputFormat::Github => "github",
            OutputFormat::Concise => "concise",
        }
    }

    /// A format for machines: warnings also go to standard error, where people see them.
    pub fn is_machine(self) -> bool {
        !matches!(self, OutputFormat::Text)
    }
}

/// One `--output`: a format (or the one `--format` names) and where to write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Option<OutputFormat>,
    /// None: standard output (`-` or `FORMAT:-`).
    pub path: Option<PathBuf>,
}

/// `sarif:leaks.sarif`, `markdown:-` or a plain `leaks.json`. Text before the first `:` is a
/// format only when it names one, so a plain path may hold a colon (`./a:b.json`).
fn parse_output(text: &str) -> Result<OutputSpec, String> {
    let (format, path) = match text.split_once(':') {
        Some((name, path)) => match OutputFormat::from_str(name, false) {
            Ok(format) => (Some(format), path),
            Err(_) => (None, text),
        },
        None => (None, text),
    };
    match (format, path) {
        (_, "") => Err(format!(
            "{text:?} names no file (use FORMAT:- for standard output)"
        )),
        (format, "-") => Ok(OutputSpec { format, path: None }),
        (format, path) => Ok(OutputSpec {
            format,
            path: Some(PathBuf::from(path)),
        }),
    }
}

/// What SARIF does with suppressed findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SarifSuppressed {
    /// Leave them out of the results; count them in the run's properties.
    Omit,
    /// Write them as results carrying a `suppressions` entry.
    Include,
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
    /// Colour text on a terminal, unless NO_COLOR is set and not empty or TERM is `dumb`;
    /// CLICOLOR_FORCE (set, not empty, not `0`) colours it anywhere.
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
    fn outputs() {
        let plain = |path: &str| {
            Ok(OutputSpec {
                format: None,
                path: Some(PathBuf::from(path)),
            })
        };
        let typed = |format, path: Option<&str>| {
            Ok(OutputSpec {
                format: Some(format),
                path: path.map(PathBuf::from),
            })
        };
        for (text, expected) in [
            ("leaks.json", plain("leaks.json")),
            (
                "sarif:leaks.sarif",
                typed(OutputFormat::Sarif, Some("leaks.sarif")),
            ),
            ("markdown:-", typed(OutputFormat::Markdown, None)),
            (
                "codeclimate:out/gl.json",
                typed(OutputFormat::Codeclimate, Some("out/gl.json")),
            ),
            ("concise:a:b", typed(OutputFormat::Concise, Some("a:b"))),
            // Not a format before the colon: a plain path.
            ("C:/reports/x.json", plain("C:/reports/x.json")),
            ("Sarif:x", plain("Sarif:x")),
            (
                "-",
                Ok(OutputSpec {
                    format: None,
                    path: None,
                }),
            ),
            ("sarif:", Err(())),
            ("", Err(())),
        ] {
            assert_eq!(parse_output(text).map_err(|_| ()), expected, "{text}");
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
