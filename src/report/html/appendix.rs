//! The sections after the suspected leaks: suppressed findings with their reasons, goroutines
//! blocked on other things than channels, and the profiles read.

use std::io::{self, Write};

use crate::model::{Finding, Report, Status};

use super::cell;
use super::chart::utc_label;
use super::escape::escape;
use super::finding::write_movement;
use crate::report::present::count;

/// Places that are not reported but were seen over time (suppressed, below the threshold),
/// each folded with its instances and charts, so an owner can hold a leak against a pool.
pub(super) fn write_other_movements(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let moving: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Suppressed | Status::BelowThreshold))
        .filter(|f| !f.series.is_empty() || f.instances.len() > 1)
        .collect();
    if moving.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2 id=\"over-time\">Other places over time</h2>")?;
    for finding in moving {
        let trend = finding
            .trend
            .map(|trend| format!(", {}", trend.as_str()))
            .unwrap_or_default();
        writeln!(
            out,
            "<details class=\"movement\"><summary><code>{}:{}</code> {}: {}, {}{trend}</summary>",
            escape(&finding.file),
            finding.line,
            escape(&finding.function),
            finding.status.as_str().replace('_', " "),
            count(finding.goroutines, "goroutine")
        )?;
        write_movement(finding, out)?;
        writeln!(out, "</details>")?;
    }
    Ok(())
}

/// Each suppressed finding with its kind, rule, owner and reason, folded away.
pub(super) fn write_suppressed(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Suppressed)
        .collect();
    if suppressed.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2 id=\"suppressed\">Suppressed</h2>")?;
    writeln!(
        out,
        "<details><summary>{}, with the reason for each</summary>",
        count(suppressed.len() as u64, "suppressed finding")
    )?;
    writeln!(out, "<table class=\"suppressed\">")?;
    writeln!(
        out,
        "<thead><tr><th scope=\"col\">Place</th><th scope=\"col\">Op</th>\
         <th scope=\"col\" class=\"n\">Goroutines</th><th scope=\"col\">Kind</th>\
         <th scope=\"col\">Why</th></tr></thead>"
    )?;
    writeln!(out, "<tbody>")?;
    for finding in suppressed {
        write!(
            out,
            "<tr><td><code>{}:{}</code><br><span class=\"function\">{}</span></td><td>{}</td><td class=\"n\">{}</td>",
            escape(&finding.file),
            finding.line,
            escape(&finding.function),
            finding.op.as_str(),
            cell(finding.goroutines, finding)
        )?;
        match &finding.suppression {
            Some(suppression) => {
                write!(out, "<td>{}", escape(suppression.kind.as_str()))?;
                if let Some(rule) = &suppression.rule {
                    write!(out, " <code>{}</code>", escape(rule))?;
                }
                if let Some(owner) = &suppression.owner {
                    write!(
                        out,
                        "<br><span class=\"muted\">owner {}</span>",
                        escape(owner)
                    )?;
                }
                writeln!(out, "</td><td>{}</td></tr>", escape(&suppression.reason))?;
            }
            None => writeln!(out, "<td></td><td></td></tr>")?,
        }
    }
    writeln!(out, "</tbody>")?;
    writeln!(out, "</table>")?;
    writeln!(out, "</details>")
}

/// With `--show-other-blocking`: mutexes, I/O, sleeps, … by place.
pub(super) fn write_other_blocking(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(other) = report.other_blocking.as_ref().filter(|o| !o.is_empty()) else {
        return Ok(());
    };
    writeln!(
        out,
        "<h2 id=\"other-blocking\">Blocked on other things than channels</h2>"
    )?;
    writeln!(out, "<table class=\"other\">")?;
    writeln!(
        out,
        "<thead><tr><th scope=\"col\">Kind</th><th scope=\"col\">Place</th>\
         <th scope=\"col\" class=\"n\">Goroutines</th><th scope=\"col\" class=\"n\">Total</th>\
         <th scope=\"col\" class=\"n\">Profiles</th></tr></thead>"
    )?;
    writeln!(out, "<tbody>")?;
    for entry in other {
        writeln!(
            out,
            "<tr><td>{}</td><td><code>{}:{}</code><br><span class=\"function\">{}</span></td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(entry.kind),
            escape(&entry.file),
            entry.line,
            escape(&entry.function),
            entry.goroutines,
            entry.total_goroutines,
            entry.profiles
        )?;
    }
    writeln!(out, "</tbody>")?;
    writeln!(out, "</table>")
}

/// Every profile read, when it was taken and, with `--threshold auto`, its own threshold.
pub(super) fn write_profiles(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.profiles.is_empty() {
        return Ok(());
    }
    let auto = report.profiles.iter().any(|p| p.threshold.is_some());
    writeln!(out, "<h2 id=\"profiles\">Profiles</h2>")?;
    writeln!(
        out,
        "<details><summary>{} read</summary>",
        count(report.profiles.len() as u64, "profile")
    )?;
    writeln!(out, "<table class=\"profiles\">")?;
    write!(
        out,
        "<thead><tr><th scope=\"col\">Path</th><th scope=\"col\">Format</th>\
         <th scope=\"col\" class=\"n\">Goroutines</th><th scope=\"col\">Taken (UTC)</th>"
    )?;
    if auto {
        write!(out, "<th scope=\"col\" class=\"n\">Threshold</th>")?;
    }
    writeln!(out, "</tr></thead>")?;
    writeln!(out, "<tbody>")?;
    for profile in &report.profiles {
        let evidence = if profile.evidence {
            " <span class=\"muted\">(evidence)</span>"
        } else {
            ""
        };
        let time = match (&profile.time, profile.time_source) {
            (Some(time), Some(source)) => format!(
                "{} <span class=\"muted\">(from the {})</span>",
                escape(&utc_label(time)),
                escape(source)
            ),
            (Some(time), None) => escape(&utc_label(time)).to_string(),
            (None, _) => "<span class=\"muted\">unknown</span>".to_string(),
        };
        write!(
            out,
            "<tr><td><code>{}</code></td><td>{}{evidence}</td><td class=\"n\">{}</td><td>{time}</td>",
            escape(&profile.path),
            profile.format.as_str(),
            profile.goroutines
        )?;
        if auto {
            match profile.threshold {
                Some(threshold) => write!(out, "<td class=\"n\">{threshold}</td>")?,
                None => write!(out, "<td></td>")?,
            }
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody>")?;
    writeln!(out, "</table>")?;
    writeln!(out, "</details>")
}
