//! The renderers: one module per output format, all reading the model in [`crate::model`],
//! with the words they share in [`present`] and links to the source in [`links`]. Also what
//! every format shares around rendering: the warning for findings a CI format cannot place in
//! the repository, the one-line summary for standard error, and writing a report file.

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

use std::fs::{self, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::Path;

use crate::cli::OutputFormat;
use crate::config::{Output, RenderOptions};
use crate::model::{Finding, Report, Status, Warning};

/// The findings a format shows as results: the reported ones, and for SARIF with
/// `--sarif-suppressed include` the suppressed ones too.
pub fn shown<'a>(
    report: &'a Report,
    include_suppressed: bool,
) -> impl Iterator<Item = &'a Finding> + 'a {
    report.findings.iter().filter(move |finding| match finding.status {
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
    format!("leakprof: {}; wrote {}", parts.join(", "), written.join(", "))
}

/// Replaces `path` with `bytes` so that readers see the old file or the new one, never a mix:
/// the bytes go to a new file made exclusively (which never follows a link) under a random
/// name in the same folder, are synced, and the file is renamed over `path` (a link at `path`
/// is replaced, not written through).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?
        .to_string_lossy();
    let mut last = None;
    for attempt in 0..16u64 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(attempt);
        hasher.write_u32(std::process::id());
        let temporary = folder.join(format!(".{name}.{:016x}.tmp", hasher.finish()));
        let mut file = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                last = Some(error);
                continue;
            }
            Err(error) => return Err(error),
        };
        let written = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| fs::rename(&temporary, path));
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        return written;
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}
