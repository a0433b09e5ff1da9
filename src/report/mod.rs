//! The renderers: one module per output format, all reading the model in [`crate::model`],
//! with the words they share in [`present`] and links to the source in [`links`]. Also what
//! every format shares around rendering: the warning for findings a CI format cannot place in
//! the repository, and the one-line summary for standard error.

pub mod codeclimate;
pub mod concise;
pub mod github;
pub mod html;
pub mod json;
pub mod links;
pub mod markdown;
pub mod present;
pub mod sarif;
pub mod text;

use crate::cli::OutputFormat;
use crate::config::{Output, RenderOptions};
use crate::model::{Finding, Report, SourceInfo, Status, Warning};

/// Where the finding's goroutines were started (`created_at`) as the CI formats name files:
/// from the repository's root when the finding was mapped into it (`--repo` a module folder
/// of a monorepo gives `services/api/handler.go:40`), else as the report has it.
pub fn created_at_from_root(report: &Report, finding: &Finding) -> Option<String> {
    let mapped = report
        .source
        .as_ref()
        .filter(|_| report.repository_path(finding).is_some());
    created_at_in(finding, mapped)
}

/// `created_at` from the root of `mapped`, the source the finding was mapped into.
pub fn created_at_in(finding: &Finding, mapped: Option<&SourceInfo>) -> Option<String> {
    let at = finding.created_at.as_deref()?;
    match (mapped, at.rsplit_once(':')) {
        (Some(source), Some((file, line))) if !file.starts_with('/') => {
            Some(format!("{}:{line}", source.from_root(file)))
        }
        _ => Some(at.to_string()),
    }
}

/// The file and line a warning names, for the formats that place what they report: a Go
/// file from the repository's root when a finding there was mapped into it, else as the
/// warning names it (a rules file, a profile).
pub fn warning_place(report: &Report, warning: &Warning) -> Option<(String, u32)> {
    let place = warning.place()?;
    let file = if place.in_source {
        report
            .findings
            .iter()
            .find(|finding| finding.file == place.file && finding.line == place.line)
            .and_then(|finding| report.repository_path(finding))
            .unwrap_or_else(|| place.file.to_string())
    } else {
        place.file.to_string()
    };
    Some((file, place.line.max(1)))
}

/// The findings a format shows as results: the reported ones, and for SARIF with
/// `--sarif-suppressed include` the suppressed ones too.
pub fn shown<'a>(
    report: &'a Report,
    include_suppressed: bool,
) -> impl Iterator<Item = &'a Finding> + 'a {
    report
        .findings
        .iter()
        .filter(move |finding| match finding.status {
            Status::Reported => true,
            Status::Suppressed => include_suppressed,
            Status::BelowThreshold | Status::Excluded => false,
        })
}

/// For the formats that place findings in the repository (SARIF, GitLab Code Quality, GitHub
/// annotations): a warning when some findings name their file only as the profile does (an
/// absolute build path or a module path), which the consumer cannot place.
pub fn unplaced_warning(
    report: &Report,
    format: OutputFormat,
    options: &RenderOptions,
) -> Option<Warning> {
    let consumer = match format {
        OutputFormat::Sarif => "code scanning",
        OutputFormat::Codeclimate => "GitLab",
        OutputFormat::Github => "GitHub",
        _ => return None,
    };
    let include_suppressed = format == OutputFormat::Sarif && options.sarif_include_suppressed;
    let unplaced: Vec<&Finding> = shown(report, include_suppressed)
        .filter(|finding| report.repository_path(finding).is_none() && !finding.file.is_empty())
        .collect();
    let first = unplaced.first()?;
    Some(Warning::UnplacedFindings {
        format: format.name(),
        count: unplaced.len(),
        example: first.file.clone(),
        consumer,
        repo: report.source.as_ref().map(|source| source.repo.clone()),
    })
}

/// The line standard error shows when every report went to a file:
/// `leakprof: 10 suspected goroutine leaks, 4 suppressed; wrote leaks.sarif (sarif), leaks.md
/// (markdown)`.
pub fn summary_line(report: &Report, outputs: &[Output]) -> String {
    let reported = report.summary.reported;
    let mut parts = vec![present::headline(reported)];
    if report.findings.iter().any(|finding| finding.new.is_some()) {
        parts.push(format!("{} new", report.summary.new_reported));
    }
    let suppressed = report.with_status(Status::Suppressed).len();
    if suppressed > 0 {
        parts.push(format!("{suppressed} suppressed"));
    }
    if !report.warnings.is_empty() {
        parts.push(present::count(report.warnings.len() as u64, "warning"));
    }
    let written: Vec<String> = outputs
        .iter()
        .filter_map(|output| {
            let path = output.path.as_ref()?;
            Some(format!("{} ({})", path.display(), output.format.name()))
        })
        .collect();
    format!(
        "leakprof: {}; wrote {}",
        parts.join(", "),
        written.join(", ")
    )
}
