//! One line per reported finding, `path:line:col: severity: message [rule]`, the shape
//! compilers print and editors, reviewdog (`-efm='%f:%l:%c: %m'`) and problem matchers read.
//! The column is the operation's first character and is left out (`path:line: …`) when the
//! source was not read. Paths are from the repository's root when the finding was mapped
//! into it, else as the profile gives them. The report's warnings follow, one line each,
//! `path:line: warning: … [leakprof/warning]` (`leakprof: warning: …` when they name no
//! place); one that hides a leak the GC proved is an `error`.

use std::io::{self, Write};

use super::codeclimate::WARNING_CHECK;
use super::present;
use super::sarif::rule_id;
use crate::kinds::{self, Level};
use crate::model::{Report, Status};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Reported)
    {
        let path = report
            .repository_path(finding)
            .unwrap_or_else(|| finding.file.clone());
        let column = finding
            .source
            .as_ref()
            .and_then(|source| source.span)
            .filter(|span| span.start_line == finding.line)
            .map(|span| format!("{}:", span.start_column))
            .unwrap_or_default();
        let level = if finding.leaked_goroutines > 0 {
            Level::Error
        } else {
            kinds::for_op(finding.op.family()).level
        };
        let mut message = format!(
            "{} on {} in {} ({})",
            present::blocked(finding),
            present::kind(finding).blocked_on,
            finding.function,
            finding.verdict.as_str()
        );
        if finding.leaked_goroutines > 0 {
            message.push_str(&format!(
                "; {} proven leaked by the GC",
                finding.leaked_goroutines
            ));
        }
        message.push_str(&present::pattern_and_start(
            finding,
            super::created_at_from_root(report, finding),
        ));
        writeln!(
            out,
            "{}:{}:{column} {}: {} [{}]",
            present::safe(&path),
            finding.line,
            level.as_str(),
            present::safe(&message),
            rule_id(finding.op)
        )?;
    }
    // The report's warnings in the same shape, at the place they name when they name one.
    for warning in &report.warnings {
        let level = if warning.hides_proven_leak() {
            Level::Error
        } else {
            Level::Warning
        };
        let place = match super::warning_place(report, warning) {
            Some((file, line)) => format!("{}:{line}:", present::safe(&file)),
            None => "leakprof:".to_string(),
        };
        writeln!(
            out,
            "{place} {}: {} [{WARNING_CHECK}]",
            level.as_str(),
            present::safe(&warning.to_string())
        )?;
    }
    Ok(())
}
