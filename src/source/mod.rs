//! The Go source at the profile's revision: the repository (git objects or a plain folder),
//! mapping profile paths to repository paths, and tree-sitter analysis of the lines findings
//! point to. Only the files that findings point to are read and parsed, each once.

pub mod analyze;
pub mod paths;
pub mod repo;

use std::collections::BTreeMap;

use crate::blocking::Op;
use crate::model::{
    ChannelEvidence, Finding, SourceEvidence, Status, Suppression, SuppressionKind,
};
use analyze::{BoundKind, ParsedFile};
use paths::{Mapped, PathMapper};
use repo::Source;

/// Choices that change what the source stage does.
#[derive(Clone, Copy, Debug)]
pub struct SourceOptions {
    /// Report places in the Go standard library.
    pub include_std: bool,
    /// Report places in dependencies (module cache, vendored, other modules).
    pub include_deps: bool,
    /// Count `<-ctx.Done()` as bounding a select.
    pub ctx_done_bounds: bool,
}

/// Maps every finding into the repository, checks its line in the source, refines its op and
/// suppresses selects bounded by a timer, ticker or context. Problems become `warnings`.
pub fn check(
    findings: &mut [Finding],
    source: &Source,
    mapper: &PathMapper,
    options: SourceOptions,
    warnings: &mut Vec<String>,
) {
    let revision = source.describe();
    // Repository file → indices of the findings in it.
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, finding) in findings.iter_mut().enumerate() {
        match mapper.map(&finding.file, &finding.function) {
            Mapped::Own(path) => {
                finding.profile_file = Some(std::mem::replace(&mut finding.file, path.clone()));
                by_file.entry(path).or_default().push(index);
            }
            Mapped::Foreign { repo_path, why } => {
                if let Some(path) = repo_path {
                    finding.profile_file = Some(std::mem::replace(&mut finding.file, path));
                }
                let include = if why == "standard library" {
                    options.include_std
                } else {
                    options.include_deps
                };
                if !include {
                    finding.status = Status::Excluded;
                    finding.exclusion = Some(why);
                }
            }
            Mapped::Missing { why } => warnings.push(format!(
                "{}:{} ({}): {why} at {revision}; its source was not checked",
                finding.file, finding.line, finding.function
            )),
        }
    }

    for (path, indices) in by_file {
        let text = match source.read(&path) {
            Ok(Some(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    warn_all(
                        findings,
                        &indices,
                        warnings,
                        &format!("{path} at {revision} is not UTF-8"),
                    );
                    continue;
                }
            },
            Ok(None) => {
                warn_all(
                    findings,
                    &indices,
                    warnings,
                    &format!("{path} is missing at {revision}"),
                );
                continue;
            }
            Err(error) => {
                warn_all(
                    findings,
                    &indices,
                    warnings,
                    &format!("cannot read {path} at {revision}: {error}"),
                );
                continue;
            }
        };
        let parsed = ParsedFile::parse(&text);
        for index in indices {
            let finding = &mut findings[index];
            if check_finding(finding, &parsed, &revision, options, warnings) {
                apply_inline_ignore(finding, &text, warnings);
            }
        }
    }
}

fn warn_all(findings: &[Finding], indices: &[usize], warnings: &mut Vec<String>, why: &str) {
    for &index in indices {
        let finding = &findings[index];
        warnings.push(format!(
            "{}:{} ({}): {why}; its source was not checked",
            finding.file, finding.line, finding.function
        ));
    }
}

/// Checks one finding against its line; returns whether the source matches the profile.
fn check_finding(
    finding: &mut Finding,
    parsed: &ParsedFile<'_>,
    revision: &str,
    options: SourceOptions,
    warnings: &mut Vec<String>,
) -> bool {
    let analysis = parsed.analyze(finding.line, finding.op);
    let place = format!("{}:{}", finding.file, finding.line);
    finding.source = Some(SourceEvidence {
        snippet: analysis.snippet.clone(),
        function: analysis.function.clone(),
        channel: analysis.channel.as_ref().map(|made| ChannelEvidence {
            name: made.name.clone(),
            line: made.line,
            capacity: made.capacity.clone(),
        }),
        notes: analysis.notes.clone(),
    });
    if !analysis.problems.is_empty() {
        warnings.push(format!(
            "{place}: cannot parse the source at {revision} around this line ({}); nothing is suppressed on its strength",
            analysis.problems.join("; ")
        ));
        return false;
    }
    let Some(source_op) = analysis.op.filter(|_| analysis.matches_profile) else {
        let holds = match analysis.op {
            Some(op) => format!("a {} operation", op.as_str()),
            None => "no channel operation".to_string(),
        };
        warnings.push(format!(
            "source at {revision} does not match the profile at {place}: the profile says {}, the line holds {holds}",
            finding.op.as_str()
        ));
        return false;
    };
    // The source names what debug=1 cannot, and tells a range loop from a receive.
    if finding.op == Op::Unknown || (finding.op == Op::Receive && source_op == Op::Range) {
        finding.op = source_op;
    }

    if finding.op != Op::Select || finding.status == Status::Excluded {
        return true;
    }
    let Some(bound) = analysis
        .bounds
        .iter()
        .find(|bound| options.ctx_done_bounds || bound.kind != BoundKind::CtxDone)
    else {
        return true;
    };
    if finding.leaked_goroutines > 0 {
        // The GC proved these goroutines leaked: a heuristic does not overrule it.
        return true;
    }
    let file_name = finding.file.rsplit('/').next().unwrap_or(&finding.file);
    finding.status = Status::Suppressed;
    finding.suppression = Some(Suppression {
        kind: match bound.kind {
            BoundKind::Timer => SuppressionKind::SelectTimer,
            BoundKind::Ticker => SuppressionKind::SelectTicker,
            BoundKind::CtxDone => SuppressionKind::SelectCtxDone,
        },
        reason: bound.reason(file_name, finding.line),
        rule: None,
        owner: None,
    });
    true
}

const IGNORE_MARKER: &str = "//leakprof:ignore";

/// `//leakprof:ignore <reason>` on the operation's line or alone on the line above suppresses
/// the finding (kind `inline`), over any heuristic. Without a reason it is a warning.
fn apply_inline_ignore(finding: &mut Finding, text: &str, warnings: &mut Vec<String>) {
    let line = finding.line as usize;
    let mut lines = text.lines().skip(line.saturating_sub(2));
    let above = if line >= 2 { lines.next() } else { None };
    let at = lines.next();
    let comment = at
        .and_then(|at| at.find(IGNORE_MARKER).map(|start| &at[start..]))
        .or_else(|| {
            above
                .map(str::trim_start)
                .filter(|above| above.starts_with(IGNORE_MARKER))
        });
    let Some(comment) = comment else {
        return;
    };
    let rest = &comment[IGNORE_MARKER.len()..];
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return;
    }
    let reason = rest.trim();
    if reason.is_empty() {
        warnings.push(format!(
            "{}:{}: {IGNORE_MARKER} needs a reason (`{IGNORE_MARKER} <why this is not a leak>`); nothing suppressed",
            finding.file, finding.line
        ));
        return;
    }
    if finding.status == Status::Excluded {
        return;
    }
    finding.status = Status::Suppressed;
    finding.suppression = Some(Suppression {
        kind: SuppressionKind::Inline,
        reason: reason.to_string(),
        rule: None,
        owner: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: u32, op: Op) -> Finding {
        Finding {
            id: String::new(),
            function: "main.f".into(),
            file: "x.go".into(),
            line,
            op,
            goroutines: 1,
            total_goroutines: 1,
            profiles: 1,
            status: Status::Reported,
            suppression: None,
            stack: Vec::new(),
            created_by: None,
            max_wait_minutes: None,
            leaked_goroutines: 0,
            profile_file: None,
            exclusion: None,
            source: None,
            owners: Vec::new(),
            labels: BTreeMap::new(),
            new: None,
            confirmed: false,
            trend: None,
            growth_per_hour: None,
            series: Vec::new(),
        }
    }

    fn check(text: &str, line: u32, expected: Option<&str>, warns: bool) {
        let mut finding = finding(line, Op::Send);
        let mut warnings = Vec::new();
        apply_inline_ignore(&mut finding, text, &mut warnings);
        let reason = finding.suppression.as_ref().map(|s| s.reason.as_str());
        assert_eq!(reason, expected, "{text:?} line {line}");
        assert_eq!(
            !warnings.is_empty(),
            warns,
            "{text:?} line {line}: {warnings:?}"
        );
    }

    /// The GC proved these goroutines leaked: a select heuristic never hides them (a select on
    /// a context that is never cancelled is a real leak).
    #[test]
    fn confirmed_leaks_are_not_suppressed_by_heuristics() {
        let text = "package p\n\nimport \"context\"\n\nfunc wait(ctx context.Context, ch chan int) {\n\tselect {\n\tcase <-ch:\n\tcase <-ctx.Done():\n\t}\n}\n";
        let parsed = ParsedFile::parse(text);
        let options = SourceOptions {
            include_std: false,
            include_deps: false,
            ctx_done_bounds: true,
        };
        for (leaked, status) in [(0, Status::Suppressed), (7, Status::Reported)] {
            let mut select = finding(6, Op::Select);
            select.leaked_goroutines = leaked;
            let mut warnings = Vec::new();
            assert!(check_finding(
                &mut select,
                &parsed,
                "HEAD",
                options,
                &mut warnings
            ));
            assert_eq!(select.status, status, "leaked {leaked}");
            assert!(warnings.is_empty(), "{warnings:?}");
        }
    }

    #[test]
    fn inline_ignores() {
        let above = "func f() {\n\t//leakprof:ignore drained by the supervisor\n\tch <- 1\n}\n";
        check(above, 3, Some("drained by the supervisor"), false);
        let trailing = "func f() {\n\tch <- 1 //leakprof:ignore bounded by caller\n}\n";
        check(trailing, 2, Some("bounded by caller"), false);
        check("//leakprof:ignore\nch <- 1\n", 2, None, true);
        check("ch <- 1 //leakprof:ignore   \n", 1, None, true);
        // Two lines up is too far; a marker glued to other text is not one.
        check("//leakprof:ignore far\n\nch <- 1\n", 3, None, false);
        check(
            "ch <- 1 //leakprof:ignored not the marker\n",
            1,
            None,
            false,
        );
        // Code before the marker on the line above: the comment is about that line.
        check(
            "x := 1 //leakprof:ignore not alone\nch <- 1\n",
            2,
            None,
            false,
        );
        check("ch <- 1\n", 1, None, false);
        check("", 5, None, false);
    }
}
