//! leakprof finds goroutine leaks in Go services from their goroutine profiles.
//!
//! The pipeline, one module per stage: [`profile`] reads profiles in every format Go serves
//! into one stream of samples; [`blocking`] tells what each goroutine waits on and where;
//! [`aggregate`] groups them by place and merges snapshots; [`report`] decides each place's
//! status and renders the result. [`main_with_args`] is the whole command line, callable
//! in-process from tests.

pub mod aggregate;
pub mod allowlist;
pub mod blocking;
pub mod cli;
pub mod collect;
pub mod date;
pub mod model;
pub mod owners;
pub mod profile;
pub mod report;
pub mod rules_cmd;
pub mod source;

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Parser;
use rayon::prelude::*;

use crate::aggregate::{Merged, Snapshot};
use crate::allowlist::{Rule, RuleSource};
use crate::blocking::{Blocking, is_std_function};
use crate::cli::{Cli, ColorChoice, Command, FailOn, OutputFormat, ReportArgs, Threshold};
use crate::date::Date;
use crate::model::{
    Finding, OtherBlocking, ProfileEntry, Report, RuleUsage, SourceInfo, Status, Summary, Tool,
};
use crate::profile::{Format, ReadOptions};
use crate::source::SourceOptions;
use crate::source::paths::PathMapper;
use crate::source::repo::Source;

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
        Command::Rules(command) => rules_cmd::run(&command, stdout, stderr),
        Command::Collect(args) => collect::run(&args, stdout, stderr),
    }
}

/// Errors that stop a whole run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no profile could be read:{}", problems.iter().map(|p| format!("\n  {p}")).collect::<String>())]
    NoProfiles { problems: Vec<String> },
    #[error("cannot write the report to {path}: {source}")]
    Output { path: PathBuf, source: io::Error },
    #[error("{0}")]
    Repo(#[from] source::repo::RepoError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<allowlist::RulesError>),
    #[error("{path}: cannot read the rules file: {source}")]
    RulesFile { path: PathBuf, source: io::Error },
    #[error("{path}: bad --baseline: {message}")]
    Baseline { path: PathBuf, message: String },
    #[error("{0}")]
    Usage(String),
}

fn run_report(
    args: &ReportArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
) -> u8 {
    let report = match build_report(args) {
        Ok(report) => report,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            return EXIT_ERROR;
        }
    };
    let fail_on = args.fail_on.unwrap_or(if args.baseline.is_some() {
        FailOn::New
    } else {
        FailOn::Any
    });
    let failing = match fail_on {
        FailOn::Any => report.summary.reported,
        FailOn::New => report.summary.new_reported,
        FailOn::Never => 0,
    };
    let code = if failing > 0 { EXIT_FOUND } else { EXIT_CLEAN };

    let to_terminal = args.output.is_none() && stdout_is_terminal;
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut rendered = Vec::new();
    let render = match args.format {
        OutputFormat::Text => report::text::write(&report, &mut rendered, color),
        OutputFormat::Json => report::json::write(&report, &mut rendered),
        OutputFormat::Sarif => report::sarif::write(&report, &mut rendered),
        OutputFormat::Markdown => report::markdown::write(&report, &mut rendered),
        OutputFormat::Html => report::html::write(&report, &mut rendered),
    };
    if let Err(error) = render {
        let _ = writeln!(stderr, "error: cannot render the report: {error}");
        return EXIT_ERROR;
    }
    // Text on standard output lists the warnings itself; elsewhere people would not see them.
    if args.output.is_some() || args.format != OutputFormat::Text {
        for warning in &report.warnings {
            let _ = writeln!(stderr, "warning: {warning}");
        }
    }
    match &args.output {
        Some(path) => {
            if let Err(source) = fs::write(path, &rendered) {
                let error = RunError::Output {
                    path: path.clone(),
                    source,
                };
                let _ = writeln!(stderr, "error: {error}");
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

/// Reads every profile named by `args` and builds the report.
pub fn build_report(args: &ReportArgs) -> Result<Report, RunError> {
    // A bad --repo or --rev fails the run before any profile is read.
    let source = match &args.repo {
        Some(path) => Some(Source::open(path, args.rev.as_deref())?),
        None => None,
    };
    let rules = load_rules(args, source.as_ref())?;
    let baseline = match &args.baseline {
        Some(path) => Some(read_baseline(path)?),
        None => None,
    };
    if args.fail_on == Some(FailOn::New) && baseline.is_none() {
        return Err(RunError::Usage(
            "--fail-on new needs --baseline OLD.json".into(),
        ));
    }

    let options = ReadOptions::new(args.max_decompressed_size);
    let mut warnings = Vec::new();
    let mut problems = Vec::new();
    let files = profile_files(&args.profiles, &mut problems);
    let read = read_profiles(&files, &options, !args.no_progress);

    // A goroutineleak profile next to plain goroutine profiles is evidence, not another
    // snapshot: its goroutines are already in the plain profile of the same moment.
    let plain_profiles = read
        .iter()
        .flatten()
        .any(|one| one.info.format != Format::GoroutineLeak);
    let mut entries = Vec::new();
    let mut merged = Merged::default();
    let mut evidence = Merged::default();
    let mut snapshot_times: Vec<i64> = Vec::new();
    for (path, result) in files.iter().zip(read) {
        let mut one = match result {
            Ok(one) => one,
            Err(error) => {
                problems.push(format!("{}: {error}", path.display()));
                continue;
            }
        };
        let shown = path.display().to_string();
        warnings.extend(
            one.info
                .warnings
                .iter()
                .map(|warning| format!("{shown}: {warning}")),
        );
        let (time, time_source) = match (one.info.time_nanos, one.modified) {
            (Some(time), _) => (Some(time), Some("profile")),
            (None, Some(modified))
                if one.info.format == Format::Debug2 || one.info.format == Format::Debug1 =>
            {
                (Some(modified), Some("file"))
            }
            _ => (None, None),
        };
        let is_evidence = plain_profiles && one.info.format == Format::GoroutineLeak;
        let threshold = match args.threshold {
            Threshold::Fixed(threshold) => threshold,
            Threshold::Auto => aggregate::auto_threshold(&one.snapshot.channel_counts()),
        };
        if is_evidence {
            one.snapshot.finish(u64::MAX, None);
            evidence.add(one.snapshot);
        } else {
            one.snapshot.finish(threshold, time);
            merged.add(one.snapshot);
            snapshot_times.extend(time);
        }
        entries.push(ProfileEntry {
            path: shown,
            format: one.info.format,
            goroutines: one.info.goroutines,
            time: time.map(model::rfc3339),
            time_source,
            threshold: (args.threshold == Threshold::Auto && !is_evidence).then_some(threshold),
            evidence: is_evidence,
        });
    }
    if entries.is_empty() {
        return Err(RunError::NoProfiles { problems });
    }
    // An unreadable profile among readable ones is a warning; the run goes on.
    warnings.splice(0..0, problems);

    let mut summary = Summary {
        goroutines: entries
            .iter()
            .filter(|entry| !entry.evidence)
            .map(|entry| entry.goroutines)
            .sum(),
        ..Summary::default()
    };
    // Places the GC proved leaked in an evidence profile.
    let proven: HashMap<(String, u32, String), u64> = evidence
        .into_sites()
        .into_iter()
        .map(|(site, tally)| ((site.file, site.line, site.function), tally.leaked))
        .collect();
    snapshot_times.sort_unstable();
    let series_times = if snapshot_times.len() >= 2 && snapshot_times.len() <= MAX_SERIES_POINTS {
        snapshot_times.clone()
    } else {
        Vec::new()
    };
    let mut findings = Vec::new();
    let mut other = Vec::new();
    for (site, tally) in merged.into_sites() {
        match site.blocking {
            Blocking::Channel(op) => {
                summary.channel_blocked += tally.total_goroutines;
                let place = (site.file.clone(), site.line, site.function.clone());
                let leaked = tally.leaked.max(proven.get(&place).copied().unwrap_or(0));
                let confirmed = leaked > 0;
                let status = if !args.include_std && is_std_function(&site.function) {
                    Status::Excluded
                } else if tally.over_threshold
                    || (confirmed && !args.hide_confirmed_below_threshold)
                {
                    Status::Reported
                } else {
                    Status::BelowThreshold
                };
                let trend = aggregate::trend(&trend_points(&tally.series, &snapshot_times));
                let series = series_points(&tally.series, &series_times);
                findings.push(Finding {
                    id: String::new(),
                    exclusion: (status == Status::Excluded).then(|| "standard library".to_string()),
                    function: site.function,
                    file: site.file,
                    line: site.line,
                    op,
                    goroutines: tally.goroutines,
                    total_goroutines: tally.total_goroutines,
                    profiles: tally.profiles,
                    status,
                    suppression: None,
                    stack: tally.stack.lines().map(str::to_owned).collect(),
                    created_by: tally.created_by,
                    max_wait_minutes: tally.max_wait_minutes,
                    leaked_goroutines: leaked,
                    profile_file: None,
                    source: None,
                    owners: Vec::new(),
                    labels: tally
                        .labels
                        .into_iter()
                        .map(|(key, values)| (key, values.into_iter().collect()))
                        .collect(),
                    new: None,
                    confirmed,
                    trend: trend.map(|(trend, _)| trend),
                    growth_per_hour: trend.map(|(_, slope)| (slope * 100.0).round() / 100.0),
                    series,
                });
            }
            Blocking::Other(kind) => {
                *summary.by_kind.entry(kind.as_str()).or_default() += tally.total_goroutines;
                other.push(OtherBlocking {
                    kind: kind.as_str(),
                    function: site.function,
                    file: site.file,
                    line: site.line,
                    goroutines: tally.goroutines,
                    total_goroutines: tally.total_goroutines,
                    profiles: tally.profiles,
                });
            }
        }
    }

    let source_info = match (&source, &args.repo) {
        (Some(source), Some(repo)) => {
            let mapper = PathMapper::new(source)?;
            let options = SourceOptions {
                include_std: args.include_std,
                include_deps: args.include_deps,
                ctx_done_bounds: !args.no_ctx_done,
            };
            source::check(&mut findings, source, &mapper, options, &mut warnings);
            assign_owners(&mut findings, source, &mut warnings);
            Some(SourceInfo {
                repo: repo.display().to_string(),
                revision: source
                    .commit()
                    .map(|_| args.rev.clone().unwrap_or_else(|| "HEAD".into())),
                commit: source.commit(),
            })
        }
        _ => None,
    };

    let today = args.today.unwrap_or_else(Date::today);
    let (usage, rule_warnings) = allowlist::apply(&rules, &mut findings, today);
    warnings.extend(rule_warnings);
    let rules_report: Vec<RuleUsage> = rules
        .iter()
        .zip(usage)
        .filter(|(rule, usage)| rule.source != RuleSource::Builtin || usage.matched > 0)
        .map(|(_, usage)| usage)
        .collect();

    for finding in &findings {
        *summary.by_kind.entry(finding.op.as_str()).or_default() += finding.total_goroutines;
    }
    model::assign_ids(&mut findings);
    if let Some(baseline) = &baseline {
        for finding in &mut findings {
            finding.new = Some(!baseline.contains(&finding.id));
        }
    }
    if let Some(owner) = &args.owner {
        findings.retain(|finding| finding.owners.iter().any(|o| o.eq_ignore_ascii_case(owner)));
        other.clear();
    }
    findings.sort_by(|a, b| {
        b.goroutines
            .cmp(&a.goroutines)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.function.cmp(&b.function))
            .then_with(|| a.op.cmp(&b.op))
    });
    other.sort_by(|a, b| {
        b.goroutines
            .cmp(&a.goroutines)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.function.cmp(&b.function))
            .then_with(|| a.kind.cmp(b.kind))
    });
    summary.reported = findings
        .iter()
        .filter(|f| f.status == Status::Reported)
        .count();
    summary.new_reported = findings
        .iter()
        .filter(|f| f.status == Status::Reported && f.new == Some(true))
        .count();

    Ok(Report {
        schema_version: model::SCHEMA_VERSION,
        tool: Tool::default(),
        threshold: match args.threshold {
            Threshold::Fixed(n) => Some(n),
            Threshold::Auto => None,
        },
        source: source_info,
        profiles: entries,
        findings,
        other_blocking: args.show_other_blocking.then_some(other),
        rules: rules_report,
        summary,
        warnings,
    })
}

/// Owners from the first CODEOWNERS file at the revision, for findings mapped into the
/// repository.
fn assign_owners(findings: &mut [Finding], source: &Source, warnings: &mut Vec<String>) {
    let Some((location, text)) =
        owners::LOCATIONS
            .iter()
            .find_map(|location| match source.read(location) {
                Ok(Some(bytes)) => Some((*location, String::from_utf8_lossy(&bytes).into_owned())),
                _ => None,
            })
    else {
        return;
    };
    let (code_owners, problems) = owners::CodeOwners::parse(&text);
    for (line, problem) in problems {
        warnings.push(format!(
            "{location}:{line}: {problem}; the line is ignored, as GitHub does"
        ));
    }
    for finding in findings
        .iter_mut()
        .filter(|finding| finding.profile_file.is_some())
    {
        finding.owners = code_owners.owners(&finding.file);
    }
}

/// The finding ids of an earlier JSON report.
fn read_baseline(path: &Path) -> Result<HashSet<String>, RunError> {
    let bad = |message: String| RunError::Baseline {
        path: path.to_path_buf(),
        message,
    };
    let text = fs::read_to_string(path).map_err(|error| bad(format!("cannot read: {error}")))?;
    let report: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| bad(format!("not JSON: {error}")))?;
    if report["schema_version"].as_u64() != Some(u64::from(model::SCHEMA_VERSION)) {
        return Err(bad(
            "not a leakprof JSON report (no `schema_version: 1`)".into()
        ));
    }
    let findings = report["findings"]
        .as_array()
        .ok_or_else(|| bad("the report has no `findings` list".into()))?;
    findings
        .iter()
        .map(|finding| {
            finding["id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| bad("a finding has no `id`".into()))
        })
        .collect()
}

/// At most this many points go into a finding's `series`; beyond it (a fleet of thousands of
/// instances) the series says little and would swell the report, so only the trend is kept.
const MAX_SERIES_POINTS: usize = 1000;

/// One profile read, with what the file system says about it.
struct ReadProfile {
    snapshot: Snapshot,
    info: profile::ProfileInfo,
    /// The file's modification time (Unix nanoseconds): when a text dump was saved.
    modified: Option<i64>,
}

/// Reads every file in parallel (one per core), each into its own snapshot, keeping their
/// order. A progress bar shows on stderr when it is a terminal.
fn read_profiles(
    files: &[PathBuf],
    options: &ReadOptions,
    progress: bool,
) -> Vec<Result<ReadProfile, profile::ProfileError>> {
    let bar = if progress && files.len() > 1 && io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "reading profiles {bar:40} {pos}/{len} {elapsed} (eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let read = files
        .par_iter()
        .map(|path| {
            let mut snapshot = Snapshot::default();
            let result = profile::read_file(path, options, &mut snapshot);
            bar.inc(1);
            let modified = fs::metadata(path)
                .and_then(|metadata| metadata.modified())
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|elapsed| elapsed.as_nanos() as i64);
            result.map(|info| ReadProfile {
                snapshot,
                info,
                modified,
            })
        })
        .collect();
    bar.finish_and_clear();
    read
}

/// (hours since the first snapshot, goroutines) for every timestamped snapshot: 0 where the
/// place does not appear.
fn trend_points(series: &[(i64, u64)], times: &[i64]) -> Vec<(f64, f64)> {
    let Some(&first) = times.first() else {
        return Vec::new();
    };
    let mut counts: HashMap<i64, Vec<u64>> = HashMap::new();
    for &(time, count) in series {
        counts.entry(time).or_default().push(count);
    }
    let mut points = Vec::with_capacity(times.len());
    let mut used: HashMap<i64, usize> = HashMap::new();
    for &time in times {
        // Several snapshots may share a time (instances of a fleet); take their counts in turn.
        let index = used.entry(time).or_insert(0);
        let count = counts
            .get(&time)
            .and_then(|list| list.get(*index))
            .copied()
            .unwrap_or(0);
        *index += 1;
        points.push(((time - first) as f64 / 3.6e12, count as f64));
    }
    points
}

fn series_points(series: &[(i64, u64)], times: &[i64]) -> Vec<model::Point> {
    trend_points(series, times)
        .into_iter()
        .zip(times)
        .map(|((_, count), &time)| model::Point {
            time: model::rfc3339(time),
            unix_seconds: (time as f64 / 1e9 * 1000.0).round() / 1000.0,
            goroutines: count as u64,
        })
        .collect()
}

/// Loads every rule in precedence order: `--rules` files, the repository's
/// `.leakprof.yaml`, the built-in rules. Any invalid file fails the run.
fn load_rules(args: &ReportArgs, source: Option<&Source>) -> Result<Vec<Rule>, RunError> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (index, path) in args.rules.iter().enumerate() {
        let text = fs::read_to_string(path).map_err(|source| RunError::RulesFile {
            path: path.clone(),
            source,
        })?;
        match allowlist::parse(&text, &path.display().to_string(), RuleSource::User(index)) {
            Ok(parsed) => rules.extend(parsed),
            Err(found) => errors.extend(found),
        }
    }
    if let (Some(source), false) = (source, args.no_repo_rules) {
        let name = match source.commit() {
            Some(commit) => format!(".leakprof.yaml@{}", &commit[..12]),
            None => ".leakprof.yaml".to_string(),
        };
        match source.read(".leakprof.yaml") {
            Ok(Some(bytes)) => {
                let text = String::from_utf8_lossy(&bytes);
                match allowlist::parse(&text, &name, RuleSource::Repo) {
                    Ok(parsed) => rules.extend(parsed),
                    Err(found) => errors.extend(found),
                }
            }
            Ok(None) => {}
            Err(error) => errors.push(allowlist::RulesError {
                file: name,
                line: 1,
                column: 1,
                message: format!("cannot read: {error}"),
            }),
        }
    }
    if !args.no_builtin_rules {
        rules.extend(allowlist::builtin());
    }
    if errors.is_empty() {
        errors = allowlist::duplicate_ids(&rules);
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(RunError::Rules(errors))
    }
}

/// Expands folders into the files below them (sorted, so runs are reproducible). A path that
/// cannot be listed is recorded in `problems`.
fn profile_files(paths: &[PathBuf], problems: &mut Vec<String>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let before = files.len();
        // Links are followed (walkdir stops at loops and reports them) so that a folder of
        // links to profiles reads like the files themselves.
        for entry in walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                Ok(entry) if entry.file_type().is_file() => files.push(entry.into_path()),
                Ok(_) => {}
                Err(error) => problems.push(format!("{}: {error}", shown(error.path(), path))),
            }
        }
        if files.len() == before {
            problems.push(format!("{}: the folder has no files", path.display()));
        }
    }
    files
}

fn shown(path: Option<&Path>, fallback: &Path) -> String {
    path.unwrap_or(fallback).display().to_string()
}
