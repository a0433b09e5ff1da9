//! leakprof finds goroutine leaks in Go services from their goroutine profiles.
//!
//! [`main_with_args`] is the whole command line, callable in-process from tests. `report`
//! settles its flags into a [`config::ReportConfig`], runs the [`pipeline`] (profiles →
//! places → source → owners → allowlists → status → ids → baseline), and hands the
//! [`model::Report`] to a renderer in [`report`].

pub mod aggregate;
pub mod allowlist;
pub mod atomic;
pub mod blocking;
pub mod cli;
pub mod collect;
pub mod config;
pub mod date;
pub mod explain;
pub mod fix;
pub mod glob;
pub mod kinds;
pub mod lint;
pub mod model;
pub mod owners;
pub mod pipeline;
pub mod profile;
pub mod report;
pub mod rules_cmd;
pub mod series;
pub mod source;

use std::ffi::OsString;
use std::io::{self, Write};

use clap::Parser;

use crate::cli::{Cli, Command, FailOn, LintArgs, OutputFormat, ReportArgs};
use crate::config::{OutputConfig, ReportConfig};
use crate::lint::config::LintConfig;
use crate::model::{Report, Status, Verdict};
pub use crate::pipeline::{RunError, build_report};

/// Nothing was reported.
pub const EXIT_CLEAN: u8 = 0;
/// At least one suspected leak was reported.
pub const EXIT_FOUND: u8 = 1;
/// Usage error, or nothing could be read.
pub const EXIT_ERROR: u8 = 2;

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn main_with_args<I, T>(
    args: I,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let text = error.render().to_string();
            return if error.use_stderr() {
                let _ = stderr.write_all(text.as_bytes());
                EXIT_ERROR
            } else {
                let _ = stdout.write_all(text.as_bytes());
                EXIT_CLEAN
            };
        }
    };
    match cli.command {
        Command::Report(args) => run_report(&args, stdout, stderr, stdout_is_terminal),
        Command::Lint(args) => run_lint(&args, stdout, stderr, stdout_is_terminal),
        Command::Rules(command) => rules_cmd::run(&command, stdout, stderr),
        Command::Collect(args) => collect::run(&args, stdout, stderr),
        Command::Explain { kind } => explain::run(kind.as_deref(), stdout, stderr),
    }
}

fn run_report(
    args: &ReportArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
) -> u8 {
    let config = match ReportConfig::new(args, stdout_is_terminal, |name| std::env::var(name).ok())
    {
        Ok(config) => config,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            return EXIT_ERROR;
        }
    };
    let report = match build_report(&config) {
        Ok(report) => report,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            return EXIT_ERROR;
        }
    };
    let code = exit_code(&report, config.fail_on, config.fail_verdict);
    emit(&report, &config.output, code, stdout, stderr)
}

fn run_lint(
    args: &LintArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
) -> u8 {
    let config = match LintConfig::new(args, stdout_is_terminal, |name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            return EXIT_ERROR;
        }
    };
    let report = match pipeline::lint::build_lint_report(&config) {
        Ok(report) => report,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            return EXIT_ERROR;
        }
    };
    let code = exit_code(&report, config.fail_on, config.fail_verdict);
    emit(&report, &config.output, code, stdout, stderr)
}

/// Renders the report where `output` says, with its warnings on stderr when the report will
/// not show them to a person; `code` unless that fails.
fn emit(
    report: &Report,
    output: &OutputConfig,
    code: u8,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let mut rendered = Vec::new();
    if let Err(error) = render(report, output.format, output.color, &mut rendered) {
        let _ = writeln!(stderr, "error: cannot render the report: {error}");
        return EXIT_ERROR;
    }
    if output.warnings_to_stderr {
        for warning in &report.warnings {
            let _ = writeln!(stderr, "warning: {warning}");
        }
    }
    match &output.path {
        Some(path) => {
            if let Err(error) = atomic::write(path, &rendered) {
                let _ = writeln!(
                    stderr,
                    "error: cannot write the report to {}: {error}",
                    path.display()
                );
                return EXIT_ERROR;
            }
        }
        None => match stdout.write_all(&rendered).and_then(|()| stdout.flush()) {
            Ok(()) => {}
            // A closed pipe (`| head`) is the reader's choice, not an error.
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
            Err(error) => {
                let _ = writeln!(stderr, "error: cannot write the report: {error}");
                return EXIT_ERROR;
            }
        },
    }
    code
}

/// 1 when a reported finding is one to fail on (new, with `--fail-on new`; at least as
/// sure as `verdict`), else 0.
fn exit_code(report: &Report, fail_on: FailOn, verdict: Verdict) -> u8 {
    let failing = report.findings.iter().any(|finding| {
        finding.status == Status::Reported
            && finding.verdict.at_least(verdict)
            && match fail_on {
                FailOn::Any => true,
                FailOn::New => finding.new == Some(true),
                FailOn::Never => false,
            }
    });
    if failing { EXIT_FOUND } else { EXIT_CLEAN }
}

/// Renders `report` in `format`.
pub fn render(
    report: &Report,
    format: OutputFormat,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Text => report::text::write(report, out, color),
        OutputFormat::Json => report::json::write(report, out),
        OutputFormat::Sarif => report::sarif::write(report, out),
        OutputFormat::Markdown => report::markdown::write(report, out),
        OutputFormat::Html => report::html::write(report, out),
    }
}
