//! Command-line interface. The doc comments here are the `--help` text: the commands in this
//! file, each command's flags in a file of its own (`report` and `fix`, `lint`, `collect`,
//! `rules`), and the values flags take, with their parsers, in `values`.

mod collect;
mod lint;
mod report;
mod rules;
mod values;

use clap::{Parser, Subcommand};
use clap_complete::Shell;

pub use collect::CollectArgs;
pub use lint::LintArgs;
pub use report::{FixArgs, REPORT_ONLY, ReportArgs};
pub use rules::{AddArgs, RulesCommand};
pub use values::{
    ColorChoice, FailOn, OutputFormat, OutputSpec, SarifSuppressed, Threshold, VerdictArg,
    parse_duration, parse_size,
};

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
