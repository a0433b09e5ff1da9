//! One reported finding's section of the page: what blocks where, the facts, the source
//! line and channel, the chart of its series and an example stack.

use std::io::{self, Write};

use crate::model::Finding;
use crate::report::present;

use super::chart::chart;
use super::escape::escape;
use super::{per_hour, write_badges};

/// Frames of the example stack shown per finding; JSON has them all.
const SHOWN_FRAMES: usize = 12;

/// A `<section>` the findings table links to by the finding's id.
pub(super) fn write_finding(finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<section class=\"finding\" id=\"finding-{}\">",
        escape(&finding.id)
    )?;
    writeln!(out, "<h3><code>{}</code></h3>", escape(&finding.function))?;
    write!(
        out,
        "<p class=\"lead\"><strong>{}</strong> goroutines blocked on <strong>{}</strong> at <code>{}:{}</code> ",
        finding.goroutines,
        finding.op.as_str(),
        escape(&finding.file),
        finding.line
    )?;
    write_badges(finding, out)?;
    writeln!(out, "</p>")?;

    let mut facts = Vec::new();
    if !finding.owners.is_empty() {
        facts.push(format!("owners {}", escape(&finding.owners.join(" "))));
    }
    facts.extend(present::facts(finding));
    facts.extend(present::labels(finding).map(|labels| escape(labels.as_str()).to_string()));
    if let Some(trend) = finding.trend {
        let growth = finding
            .growth_per_hour
            .map(|growth| format!(", {} goroutines/hour", per_hour(growth)))
            .unwrap_or_default();
        facts.push(format!(
            "<span class=\"{0}\">{0}</span>{growth}",
            trend.as_str()
        ));
    }
    if !facts.is_empty() {
        writeln!(out, "<p class=\"facts\">{}</p>", facts.join(" · "))?;
    }

    if let Some(source) = &finding.source {
        writeln!(
            out,
            "<pre class=\"snippet\"><code><span class=\"line-number\">{}</span>  {}</code></pre>",
            finding.line,
            escape(&source.snippet)
        )?;
        if let Some(channel) = &source.channel {
            let size = match &channel.capacity {
                None => "unbuffered".to_string(),
                Some(capacity) => format!("with capacity <code>{}</code>", escape(capacity)),
            };
            writeln!(
                out,
                "<p class=\"channel\">Channel <code>{}</code> made {size} at line {}.</p>",
                escape(&channel.name),
                channel.line
            )?;
        }
        if !source.notes.is_empty() {
            writeln!(out, "<ul class=\"notes\">")?;
            for note in &source.notes {
                writeln!(out, "<li>{}</li>", escape(note))?;
            }
            writeln!(out, "</ul>")?;
        }
    }

    if let Some(svg) = chart(&finding.series) {
        writeln!(out, "<figure>")?;
        writeln!(out, "{svg}")?;
        writeln!(
            out,
            "<figcaption>Goroutines at <code>{}:{}</code> in each of {} snapshots (times in UTC).</figcaption>",
            escape(&finding.file),
            finding.line,
            finding.series.len()
        )?;
        writeln!(out, "</figure>")?;
    }

    // The runtime's own frames say nothing the op does not; JSON keeps them.
    let frames: Vec<&String> = finding
        .stack
        .iter()
        .filter(|frame| !frame.starts_with("runtime."))
        .collect();
    if !frames.is_empty() || finding.created_by.is_some() {
        writeln!(out, "<h4>Example stack</h4>")?;
        write!(out, "<pre class=\"stack\">")?;
        for frame in frames.iter().take(SHOWN_FRAMES) {
            writeln!(out, "{}", escape(frame))?;
        }
        if frames.len() > SHOWN_FRAMES {
            writeln!(out, "... {} more", frames.len() - SHOWN_FRAMES)?;
        }
        if let Some(creator) = &finding.created_by {
            writeln!(out, "created by {}", escape(creator))?;
        }
        writeln!(out, "</pre>")?;
    }
    writeln!(
        out,
        "<p class=\"id\">id <code>{}</code></p>",
        escape(&finding.id)
    )?;
    writeln!(out, "</section>")
}
