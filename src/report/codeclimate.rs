//! GitLab Code Quality: the CodeClimate JSON that GitLab reads from
//! `artifacts: reports: codequality:` and shows in the merge request widget, comparing the
//! fingerprints with the target branch's report. An array of issues with the fields GitLab
//! documents (`description`, `check_name`, `fingerprint`, `severity`, `location.path`,
//! `location.lines.begin`), plus `type` and `categories` that the CodeClimate spec requires.
//!
//! Reported findings only: GitLab has no notion of a suppressed issue. The fingerprint is the
//! finding's id, which does not change when lines move, so an unchanged leak is not shown as
//! new. Paths are from the repository's root, which is what GitLab resolves them against.
//!
//! The report's warnings are issues too, since the widget is all a reviewer sees: check_name
//! [`WARNING_CHECK`], severity `info` (`major` for a rule or ignore that hides a leak the GC
//! proved), placed at the file and line the warning names (a Go file, a rules file's line, a
//! profile), or at [`UNPLACED_PATH`] when it names none (GitLab leaves out an issue without a
//! path); their fingerprint is a hash of the text.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::present;
use super::sarif::rule_id;
use crate::kinds::{self, Level};
use crate::model::{Finding, Report, Status, Warning, id};

/// The check_name of an issue that carries one of the report's warnings.
pub const WARNING_CHECK: &str = "leakprof/warning";

/// The path of a warning that names no file (the report's own warnings: an owner that owns
/// nothing, profiles timed by their files): not a file of the repository, but never empty.
pub const UNPLACED_PATH: &str = "leakprof";

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut issues: Vec<Issue> = report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Reported)
        .map(|finding| issue(report, finding))
        .collect();
    issues.extend(
        report
            .warnings
            .iter()
            .map(|warning| warning_issue(report, warning)),
    );
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    out.write_all(b"\n")
}

fn warning_issue(report: &Report, warning: &Warning) -> Issue<'static> {
    let description = warning.to_string();
    let (path, line) =
        super::warning_place(report, warning).unwrap_or((UNPLACED_PATH.to_string(), 1));
    Issue {
        kind: "issue",
        check_name: WARNING_CHECK.to_string(),
        fingerprint: id::fingerprint(&[WARNING_CHECK, &description]).into(),
        description,
        categories: ["Bug Risk", "Performance"],
        severity: if warning.hides_proven_leak() {
            "major"
        } else {
            "info"
        },
        location: IssueLocation {
            path,
            lines: Lines { begin: line.max(1) },
        },
    }
}

fn issue<'a>(report: &Report, finding: &'a Finding) -> Issue<'a> {
    Issue {
        kind: "issue",
        check_name: rule_id(finding.op),
        description: description(finding)
            + &present::pattern_and_start(finding, super::created_at_from_root(report, finding)),
        categories: ["Bug Risk", "Performance"],
        severity: severity(finding),
        fingerprint: Cow::Borrowed(&finding.id),
        location: IssueLocation {
            path: report
                .repository_path(finding)
                .unwrap_or_else(|| finding.file.clone()),
            lines: Lines {
                begin: finding.line.max(1),
            },
        },
    }
}

/// `200 goroutines blocked on send in main.timeoutLeak.func1 (verdict possible)`; GitLab
/// shows it as the issue's title, next to the file and line.
fn description(finding: &Finding) -> String {
    let mut text = format!(
        "{} on {} in {}",
        present::blocked(finding),
        kinds::for_op(finding.op).blocked_on,
        finding.function
    );
    if finding.leaked_goroutines > 0 {
        text.push_str(&format!(
            "; the garbage collector proved {} of them leaked",
            finding.leaked_goroutines
        ));
    } else {
        text.push_str(&format!(" ({} leak)", finding.verdict.as_str()));
    }
    text
}

/// `critical` for a leak the GC proved, `major` for an error-level kind, else `minor`.
fn severity(finding: &Finding) -> &'static str {
    if finding.leaked_goroutines > 0 {
        return "critical";
    }
    match kinds::for_op(finding.op.family()).level {
        Level::Error => "major",
        Level::Warning => "minor",
    }
}

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: String,
    description: String,
    categories: [&'static str; 2],
    severity: &'static str,
    fingerprint: Cow<'a, str>,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::Op;
    use crate::model::testing;

    #[test]
    fn severities() {
        for (op, leaked, expected) in [
            (Op::Send, 0, "major"),
            (Op::NilReceive, 0, "major"),
            (Op::SelectNoCases, 0, "minor"),
            (Op::Unknown, 0, "minor"),
            (Op::Unknown, 4, "critical"),
        ] {
            let finding = testing::finding().op(op).leaked_goroutines(leaked).build();
            assert_eq!(severity(&finding), expected, "{op:?} {leaked}");
        }
    }
}
