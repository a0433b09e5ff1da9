//! The report as Markdown, fit for a pull-request comment or an issue filed to a service's
//! owners: a one-line summary, a table of reported findings, each finding's source line and
//! example stack, and the suppressed findings folded away with their reasons.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::present::{self, count};
use crate::kinds;
use crate::model::{Finding, Pattern, Report, Status};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let reported: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Reported)
        .collect();
    let with_status = |status: Status| report.with_status(status).len();
    let baseline = report.findings.iter().any(|f| f.new.is_some());

    writeln!(out, "## leakprof: {}", present::headline(reported.len()))?;
    writeln!(out)?;
    let mut summary = vec![format!("{} reported", reported.len())];
    if baseline {
        summary.push(format!("{} new", report.summary.new_reported));
    }
    summary.push(format!("{} suppressed", with_status(Status::Suppressed)));
    summary.push(format!(
        "{} below the threshold of {}",
        with_status(Status::BelowThreshold),
        present::threshold(report)
    ));
    let mut line = format!(
        "{}. {} in {}",
        summary.join(", "),
        count(report.summary.goroutines, "goroutine"),
        present::profiles(report)
    );
    if let Some(evidence) = present::evidence(report) {
        line.push_str(&format!(" and {evidence}"));
    }
    if let Some(source) = &report.source {
        match (&source.revision, &source.commit) {
            (Some(revision), Some(commit)) => {
                line.push_str(&format!(
                    ", source checked at `{}` ({revision})",
                    &commit[..commit.len().min(12)]
                ));
            }
            _ => line.push_str(", source checked in a plain folder"),
        }
    }
    writeln!(out, "{line}.")?;
    for hint in &report.hints {
        writeln!(out)?;
        writeln!(out, "> **Hint:** {hint}.")?;
    }

    let trends = reported.iter().any(|finding| finding.trend.is_some());
    if !reported.is_empty() {
        writeln!(out)?;
        let (trend_head, trend_rule) = if trends {
            (" Trend |", "---|")
        } else {
            ("", "")
        };
        if baseline {
            writeln!(
                out,
                "| | Place | Op | Pattern | Goroutines | Verdict | Owners |{trend_head}"
            )?;
            writeln!(out, "|---|---|---|---|---:|---|---|{trend_rule}")?;
        } else {
            writeln!(
                out,
                "| Place | Op | Pattern | Goroutines | Verdict | Owners |{trend_head}"
            )?;
            writeln!(out, "|---|---|---|---:|---|---|{trend_rule}")?;
        }
        for finding in &reported {
            let new = match finding.new {
                Some(true) => "**new** | ",
                Some(false) => " | ",
                None => "",
            };
            let trend = match (trends, present::trend(finding)) {
                (false, _) => String::new(),
                (true, Some(trend)) => format!(" {trend} |"),
                (true, None) => " |".to_string(),
            };
            writeln!(
                out,
                "| {new}`{}:{}` | {} | {} | {} | {} | {} |{trend}",
                cell(&finding.file),
                finding.line,
                finding.op.as_str(),
                finding
                    .pattern
                    .as_ref()
                    .map_or("", |pattern| pattern.id.as_str()),
                finding.goroutines,
                finding.verdict.as_str(),
                cell(&owners(finding)),
            )?;
        }
    }

    // Findings grouped by owner, so each team reads its own.
    let mut groups: BTreeMap<(bool, String), Vec<&Finding>> = BTreeMap::new();
    for finding in &reported {
        let key = if finding.owners.is_empty() {
            (true, String::new())
        } else {
            (false, finding.owners.join(" "))
        };
        groups.entry(key).or_default().push(finding);
    }
    let grouped = groups.len() > 1 || groups.keys().any(|(unowned, _)| !unowned);
    for ((unowned, owner_list), findings) in &groups {
        if grouped {
            writeln!(out)?;
            if *unowned {
                writeln!(out, "### No code owner")?;
            } else {
                writeln!(out, "### Owned by {owner_list}")?;
            }
        }
        for finding in findings {
            write_finding(finding, out, if grouped { "####" } else { "###" })?;
        }
    }

    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Suppressed)
        .collect();
    if !suppressed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>{} suppressed</summary>",
            suppressed.len()
        )?;
        writeln!(out)?;
        writeln!(out, "| Place | Op | Goroutines | Kind | Why |")?;
        writeln!(out, "|---|---|---:|---|---|")?;
        for finding in suppressed {
            let (kind, reason) = match &finding.suppression {
                Some(suppression) => {
                    let kind = match &suppression.rule {
                        Some(rule) => format!("{} `{}`", suppression.kind, cell(rule)),
                        None => suppression.kind.to_string(),
                    };
                    (kind, suppression.reason.clone())
                }
                None => (String::new(), String::new()),
            };
            writeln!(
                out,
                "| `{}:{}` | {} | {} | {} | {} |",
                cell(&finding.file),
                finding.line,
                finding.op.as_str(),
                finding.goroutines,
                kind,
                cell(&reason)
            )?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }

    if !report.warnings.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>{} warnings</summary>",
            report.warnings.len()
        )?;
        writeln!(out)?;
        for warning in &report.warnings {
            writeln!(out, "- {}", warning.to_string().replace('\n', " "))?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    Ok(())
}

fn write_finding(finding: &Finding, out: &mut dyn Write, heading: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "{heading} `{}`: {} blocked on {}",
        finding.function,
        count(finding.goroutines, "goroutine"),
        finding.op.as_str()
    )?;
    writeln!(out)?;
    let mut facts = vec![format!("`{}:{}`", finding.file, finding.line)];
    facts.extend(
        present::started_at(finding).map(|started| match &finding.created_at {
            Some(at) => format!("started at `{at}`"),
            None => started,
        }),
    );
    facts.push(format!("verdict **{}**", finding.verdict.as_str()));
    if !finding.owners.is_empty() {
        facts.push(format!("owners {}", owners(finding)));
    }
    facts.extend(present::facts(finding));
    facts.extend(present::labels(finding).map(|labels| format!("`{labels}`")));
    facts.extend(present::trend(finding));
    facts.extend(present::instances(finding, |name| {
        format!("`{}`", cell(name))
    }));
    facts.extend(present::label_groups(finding, |value| {
        format!("`{}`", cell(value))
    }));
    facts.extend(present::finding_channel(finding, |name| {
        format!("`{name}`")
    }));
    writeln!(out, "{}", facts.join(" · "))?;
    if !finding.notes.is_empty() {
        writeln!(out)?;
        for note in &finding.notes {
            writeln!(out, "- {note}")?;
        }
    }
    if let Some(source) = &finding.source {
        writeln!(out)?;
        writeln!(out, "```go")?;
        writeln!(out, "{}", source.snippet)?;
        writeln!(out, "```")?;
    }
    if let Some(pattern) = present::known_pattern(finding) {
        write_pattern(finding, pattern, out)?;
    }
    writeln!(out)?;
    writeln!(out, "<details><summary>Example stack</summary>")?;
    writeln!(out)?;
    writeln!(out, "```")?;
    let stack = present::stack(finding);
    for frame in &stack.frames {
        writeln!(out, "{frame}")?;
    }
    if let Some(more) = stack.more_text() {
        writeln!(out, "{more}")?;
    }
    if let Some(creator) = stack.created_by {
        writeln!(out, "created by {creator}")?;
    }
    writeln!(out, "```")?;
    writeln!(out)?;
    writeln!(out, "</details>")?;
    let kind = present::kind(finding);
    writeln!(out)?;
    writeln!(out, "<details><summary>How to fix</summary>")?;
    writeln!(out)?;
    writeln!(out, "{}", kind.fix)?;
    writeln!(out)?;
    writeln!(out, "```go")?;
    writeln!(out, "{}", kind.example)?;
    writeln!(out, "```")?;
    writeln!(out)?;
    writeln!(out, "</details>")?;
    Ok(())
}

/// The pattern, its evidence, the fix, and the patch folded away.
fn write_pattern(finding: &Finding, pattern: &Pattern, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "**Pattern `{}`**: {}",
        pattern.id,
        kinds::for_pattern(pattern.id).short
    )?;
    writeln!(out)?;
    for line in &pattern.evidence {
        writeln!(
            out,
            "- `{}` {}",
            present::evidence_place(finding, &line.file, line.line),
            line.text.replace('\n', " ")
        )?;
    }
    writeln!(out)?;
    writeln!(out, "**Fix:** {}.", pattern.fix.summary)?;
    if let Some(runs) = &pattern.fix.runs_new_code {
        writeln!(out)?;
        writeln!(out, "> **Careful:** {runs}.")?;
    }
    match (&pattern.fix.patch, &pattern.fix.no_patch) {
        (Some(patch), _) => {
            writeln!(out)?;
            writeln!(
                out,
                "<details><summary>Patch (<code>leakprof fix</code> writes them all)</summary>"
            )?;
            writeln!(out)?;
            // A fence longer than any run of backticks in the patch.
            let fence = "`".repeat(longest_backtick_run(patch).max(2) + 1);
            writeln!(out, "{fence}diff")?;
            write!(out, "{patch}")?;
            writeln!(out, "{fence}")?;
            writeln!(out)?;
            writeln!(out, "</details>")?;
        }
        (None, Some(why)) => {
            writeln!(out)?;
            writeln!(out, "No patch: {why}.")?;
        }
        (None, None) => {}
    }
    Ok(())
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn owners(finding: &Finding) -> String {
    finding.owners.join(" ")
}

/// Text safe inside a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
