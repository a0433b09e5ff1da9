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
use crate::model::{Finding, Report, Status, Warning};

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
