//! The report for people: suspected leaks first, each with one example stack, then what was
//! left out and why. Colour only when writing to a terminal.

use std::io::{self, Write};

use super::present::{self, count, safe};
use crate::model::{FoundBy, Report, Status};

pub fn write(report: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let paint = Paint { color };
    let reported = report.with_status(Status::Reported);
    if present::is_lint_report(report) {
        writeln!(
            out,
            "{}",
            paint.bold(&present::lint_headline(report, reported.len()))
        )?;
    } else {
        writeln!(
            out,
            "{} in {} ({}, {} blocked on channels{}); threshold {}",
            paint.bold(&present::headline(present::profile_findings(&reported))),
            present::profiles(report),
            count(report.summary.goroutines, "goroutine"),
            report.summary.channel_blocked,
            present::evidence(report)
                .map(|evidence| format!("; {evidence}"))
                .unwrap_or_default(),
            present::threshold(report),
        )?;
    }

    if let Some(source) = &report.source {
        let at = match (&source.revision, &source.commit) {
            (Some(revision), Some(commit)) => {
                format!(" at {revision} ({})", &commit[..commit.len().min(12)])
            }
            _ => String::new(),
        };
        writeln!(out, "source: {}{}", safe(&source.repo), safe(&at))?;
    }
    if let Some(lint) = present::lint_line(report) {
        writeln!(out, "{lint}")?;
    }
    for hint in &report.hints {
        writeln!(out, "hint: {}", safe(&hint.to_string()))?;
    }

    // Grouped by code owner when CODEOWNERS names any, so each team reads its own.
    let mut reported = reported;
    let owned = reported.iter().any(|finding| !finding.owners.is_empty());
    if owned {
        reported.sort_by_key(|finding| (finding.owners.is_empty(), finding.owners.join(" ")));
    }
    let mut group: Option<String> = None;
    for finding in &reported {
        let owners = finding.owners.join(" ");
        if owned && group.as_deref() != Some(owners.as_str()) {
            writeln!(out)?;
            let title = if owners.is_empty() {
                "no code owner".to_string()
            } else {
                format!("owned by {owners}")
            };
            writeln!(out, "{}", paint.bold(&format!("== {title}")))?;
            group = Some(owners.clone());
        }
        writeln!(out)?;
        let amount = match finding.found_by {
            FoundBy::Profile => format!(
                "{} {}",
                paint.red(&finding.goroutines.to_string()),
                present::plural(finding.goroutines, "goroutine")
            ),
            FoundBy::Lint => paint.red("lint"),
        };
        writeln!(
            out,
            "{amount}  {}  {}  ({})",
            paint.bold(finding.op.as_str()),
            safe(&finding.function),
            finding.verdict.as_str()
        )?;
        match present::started_at(finding) {
            Some(started) => writeln!(
                out,
                "  at {}:{}, {}",
                safe(&finding.file),
                finding.line,
                safe(&started)
            )?,
            None => writeln!(out, "  at {}:{}", safe(&finding.file), finding.line)?,
        }
        if let Some(source) = &finding.source {
            writeln!(out, "  | {}", safe(&source.snippet))?;
        }
        if let Some(channel) = present::finding_channel(finding, str::to_string) {
            writeln!(out, "  {}", safe(&channel))?;
        }
        let mut facts = present::facts(finding);
        facts.extend(present::labels(finding));
        facts.extend(present::trend(finding));
        facts.extend(present::instances(finding, str::to_string));
        facts.extend(present::label_groups(finding, str::to_string));
        if !facts.is_empty() {
            writeln!(out, "  {}", safe(&facts.join("; ")))?;
        }
        for note in &finding.notes {
            writeln!(out, "  note: {}", safe(&note.to_string()))?;
        }
        if let Some(pattern) = present::known_pattern(finding) {
            writeln!(out, "  pattern {}", safe(&present::pattern_line(pattern)))?;
            for line in &pattern.evidence {
                writeln!(
                    out,
                    "    {}  {}",
                    safe(&present::evidence_place(finding, &line.file, line.line)),
                    safe(&line.text)
                )?;
            }
            writeln!(
                out,
                "  fix: {} ({})",
                safe(&pattern.fix.summary),
                safe(&present::patch_note(pattern))
            )?;
            if let Some(caution) = present::caution(pattern) {
                writeln!(out, "  {}", safe(&caution))?;
            }
        }
        let stack = present::stack(finding);
        for frame in &stack.frames {
            writeln!(out, "    {}", paint.dim(frame))?;
        }
        if let Some(more) = stack.more_text() {
            writeln!(out, "    {}", paint.dim(&more))?;
        }
        if let Some(creator) = stack.created_by {
            writeln!(out, "    {}", paint.dim(&format!("created by {creator}")))?;
        }
        writeln!(
            out,
            "  how to fix: {}",
            paint.dim(&present::explain_command(finding))
        )?;
        writeln!(out, "  id {}", safe(&finding.id))?;
    }

    let suppressed = report.with_status(Status::Suppressed);
    if !suppressed.is_empty() {
        writeln!(out)?;
        writeln!(out, "suppressed:")?;
        for finding in suppressed {
            let reason = finding
                .suppression
                .as_ref()
                .map_or("", |s| s.reason.as_str());
            writeln!(
                out,
                "  {}  {}  {}:{}: {}",
                present::amount(finding),
                finding.op.as_str(),
                safe(&finding.file),
                finding.line,
                safe(reason)
            )?;
        }
    }

    let left_out = |status: Status| {
        let matching = report.findings.iter().filter(|f| f.status == status);
        let (places, goroutines) = matching.fold((0usize, 0u64), |(places, goroutines), f| {
            (places + 1, goroutines + f.goroutines)
        });
        (places, goroutines)
    };
    let notes = [
        (Status::BelowThreshold, "below the threshold"),
        (
            Status::Excluded,
            "not own code (standard library; --include-std reports them)",
        ),
    ];
    let mut wrote_heading = false;
    for (status, what) in notes {
        let (places, goroutines) = left_out(status);
        if places == 0 {
            continue;
        }
        if !wrote_heading {
            writeln!(out)?;
            writeln!(out, "not reported (all listed in --format json):")?;
            wrote_heading = true;
        }
        writeln!(
            out,
            "  {} with {} {what}",
            count(places as u64, "place"),
            count(goroutines, "goroutine")
        )?;
    }

    if let Some(other) = &report.other_blocking {
        writeln!(out)?;
        writeln!(out, "blocked on other things than channels:")?;
        for entry in other {
            writeln!(
                out,
                "  {:>7}  {:<9}  {}  {}:{}",
                entry.goroutines,
                entry.kind,
                safe(&entry.function),
                safe(&entry.file),
                entry.line
            )?;
        }
    }

    if !report.warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint.yellow("warnings:"))?;
        for warning in &report.warnings {
            writeln!(out, "  {}", safe(&warning.to_string()))?;
        }
    }
    Ok(())
}

struct Paint {
    color: bool,
}

impl Paint {
    /// `text` made [`safe`], then coloured: the only control sequences text output holds are
    /// these.
    fn wrap(&self, code: &str, text: &str) -> String {
        let text = safe(text);
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn red(&self, text: &str) -> String {
        self.wrap("1;31", text)
    }
    fn yellow(&self, text: &str) -> String {
        self.wrap("33", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
}
