//! `leakprof rules`: its subcommands and the flags of `rules add`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::values::parse_date;
use crate::date::Date;

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
