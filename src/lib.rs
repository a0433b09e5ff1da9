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
pub mod diff;
pub mod exit;
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
use std::path::Path;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use clap_complete::Shell;

use crate::cli::{Cli, Command, FailOn, LintArgs, OutputFormat, ReportArgs};
use crate::config::{OutputConfig, RenderOptions, ReportConfig};
use crate::lint::config::LintConfig;
use crate::model::{Report, Status, Verdict, Warning};
pub use crate::pipeline::{RunError, build_report};

pub use crate::exit::{EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND};

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
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
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
    if let Some(("fix", fix)) = matches.subcommand() {
        let given = cli::REPORT_ONLY
            .iter()
            .find(|id| fix.value_source(id) == Some(ValueSource::CommandLine));
        if let Some(id) = given {
            let _ = writeln!(
                stderr,
                "error: --{} shapes a report, and `leakprof fix` writes a patch: leave it out \
                 (`leakprof report` takes it)",
                id.replace('_', "-")
            );
            return EXIT_ERROR;
        }
    }
    match cli.command {
        Command::Report(args) => run_report(&args, stdout, stderr, stdout_is_terminal),
        Command::Lint(args) => run_lint(&args, stdout, stderr, stdout_is_terminal),
        Command::Rules(command) => rules_cmd::run(&command, stdout, stderr),
        Command::Collect(args) => collect::run(&args, stdout, stderr),
        Command::Fix(args) => fix::run(&args, stdout, stderr),
        Command::Explain { kind } => explain::run(kind.as_deref(), stdout, stderr),
        Command::Completions { shell } => completions(shell, stdout),
        Command::Man { command } => man(command.as_deref(), stdout, stderr),
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
            let _ = writeln!(
                stderr,
                "error: {}",
                report::present::safe_lines(&error.to_string())
            );
            return EXIT_ERROR;
        }
    };
    let report = match build_report(&config) {
        Ok(report) => report,
        Err(error) => {
            let _ = writeln!(
                stderr,
                "error: {}",
                report::present::safe_lines(&error.to_string())
            );
            return EXIT_ERROR;
        }
    };
    let code = exit_code(&report, config.fail_on, config.fail_verdict);
    match write_outputs(&report, &config.output, stdout, stderr) {
        Ok(()) => code,
        Err(()) => EXIT_ERROR,
    }
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
    match write_outputs(&report, &config.output, stdout, stderr) {
        Ok(()) => code,
        Err(()) => EXIT_ERROR,
    }
}

/// Renders every report asked for and writes it to its file or standard output; warnings and
/// the summary go to standard error when people would not otherwise see them. Every output is
/// rendered before anything is written, so an error leaves no file half-updated.
fn write_outputs(
    report: &Report,
    config: &OutputConfig,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), ()> {
    let mut rendered = Vec::new();
    let mut told: Vec<Warning> = Vec::new();
    for output in &config.outputs {
        // Formats that place findings in the repository say when they cannot.
        let extra = report::unplaced_warning(report, output.format, &config.render);
        let with_extra;
        let shown = match &extra {
            Some(warning) => {
                with_extra = report.with_warning(warning.clone());
                &with_extra
            }
            None => report,
        };
        told.extend(extra);
        let mut bytes = Vec::new();
        if let Err(error) = render(
            shown,
            output.format,
            &config.render,
            output.color,
            &mut bytes,
        ) {
            let _ = writeln!(
                stderr,
                "error: cannot render the {} report: {error}",
                output.format.name()
            );
            return Err(());
        }
        rendered.push(bytes);
    }
    if config.warnings_to_stderr {
        for warning in report.warnings.iter().chain(&told) {
            let _ = writeln!(
                stderr,
                "warning: {}",
                report::present::safe(&warning.to_string())
            );
        }
    }
    for (output, bytes) in config.outputs.iter().zip(&rendered) {
        match &output.path {
            Some(path) => {
                if let Err(error) = write_report_file(path, bytes) {
                    let _ = writeln!(
                        stderr,
                        "error: cannot write the report to {}: {error}",
                        path.display()
                    );
                    return Err(());
                }
            }
            None => match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                Ok(()) => {}
                // A closed pipe (`| head`) is the reader's choice, not an error.
                Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
                Err(error) => {
                    let _ = writeln!(stderr, "error: cannot write the report: {error}");
                    return Err(());
                }
            },
        }
    }
    if config.summary_to_stderr {
        let _ = writeln!(stderr, "{}", report::summary_line(report, &config.outputs));
    }
    Ok(())
}

/// Writes a report file: the one place reports reach the disk. The file is replaced
/// atomically: readers (a CI step uploading it, a browser) see the old report or the new one,
/// never a mix.
fn write_report_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    atomic::write(path, bytes)
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

/// Renders `report` in `format`; `color` paints text.
pub fn render(
    report: &Report,
    format: OutputFormat,
    options: &RenderOptions,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Text => report::text::write(report, out, color),
        OutputFormat::Json => report::json::write(report, out),
        OutputFormat::Sarif => report::sarif::write(report, options, out),
        OutputFormat::Markdown => report::markdown::write(report, options, out),
        OutputFormat::Html => report::html::write(report, options, out),
        OutputFormat::Codeclimate => report::codeclimate::write(report, out),
        OutputFormat::Github => report::github::write(report, out),
        OutputFormat::Concise => report::concise::write(report, out),
    }
}

/// `leakprof completions SHELL`: the completion script, generated from the clap definitions.
fn completions(shell: Shell, stdout: &mut dyn Write) -> u8 {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "leakprof", stdout);
    EXIT_CLEAN
}

/// `leakprof man [COMMAND]`: the man page (roff) of leakprof or of one of its commands.
fn man(command: Option<&str>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let top = Cli::command();
    let page = match command {
        None => clap_mangen::Man::new(top),
        Some(name) => match top.find_subcommand(name) {
            Some(sub) => {
                let title = format!("leakprof-{}", sub.get_name());
                clap_mangen::Man::new(sub.clone().bin_name(format!("leakprof {name}"))).title(title)
            }
            None => {
                let known: Vec<&str> = top.get_subcommands().map(|sub| sub.get_name()).collect();
                let _ = writeln!(
                    stderr,
                    "error: no command {name:?}; known commands: {}",
                    known.join(", ")
                );
                return EXIT_ERROR;
            }
        },
    };
    match page.render(stdout) {
        Ok(()) => EXIT_CLEAN,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(error) => {
            let _ = writeln!(stderr, "error: cannot write the man page: {error}");
            EXIT_ERROR
        }
    }
}
