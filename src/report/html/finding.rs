//! One reported finding's section of the page: what blocks where, the facts, the source
//! line and channel, the chart of its series and an example stack.

use std::io::{self, Write};

use crate::kinds;
use crate::model::{ChannelEvidence, Finding, FoundBy, Pattern};
use crate::report::present;

use super::chart::chart;
use super::escape::escape;
use super::{per_hour, write_badges};

/// A `<section>` the findings table links to by the finding's id; `link` is the URL of its
/// line in the source, when there is one.
pub(super) fn write_finding(
    finding: &Finding,
    link: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "<section class=\"finding\" id=\"finding-{}\">",
        escape(&finding.id)
    )?;
    writeln!(out, "<h3><code>{}</code></h3>", escape(&finding.function))?;
    let place = format!("<code>{}:{}</code>", escape(&finding.file), finding.line);
    let place = match link {
        Some(url) => format!("<a href=\"{}\">{place}</a>", escape(url)),
        None => place,
    };
    match finding.found_by {
        FoundBy::Profile => write!(
            out,
            "<p class=\"lead\"><strong>{}</strong> {} blocked on <strong>{}</strong> at {place} ",
            finding.goroutines,
            present::plural(finding.goroutines, "goroutine"),
            finding.op.as_str(),
        )?,
        FoundBy::Lint => write!(
            out,
            "<p class=\"lead\"><strong>lint</strong>: a goroutine can block forever on \
             <strong>{}</strong> at {place} ",
            finding.op.as_str(),
        )?,
    }
    write_badges(finding, out)?;
    writeln!(out, "</p>")?;
    if let Some(at) = &finding.created_at {
        writeln!(
            out,
            "<p class=\"started\">Started at <code>{}</code>.</p>",
            escape(at)
        )?;
    }

    let mut facts = Vec::new();
    if !finding.owners.is_empty() {
        facts.push(format!("owners {}", escape(&finding.owners.join(" "))));
    }
    facts.extend(present::facts(finding));
    facts.extend(present::labels(finding).map(|labels| escape(labels.as_str()).to_string()));
    if let Some(trend) = finding.trend {
        let movement = match (finding.growth_per_hour, finding.change) {
            (Some(growth), _) => format!(", {} goroutines/hour", per_hour(growth)),
            (None, Some(change)) => format!(", {}", escape(&present::change_text(change))),
            (None, None) => String::new(),
        };
        facts.push(format!(
            "<span class=\"{0}\">{0}</span>{movement}",
            trend.as_str()
        ));
    }
    facts.extend(present::label_groups(finding, |value| {
        format!("<code>{}</code>", escape(value))
    }));
    if !facts.is_empty() {
        writeln!(out, "<p class=\"facts\">{}</p>", facts.join(" · "))?;
    }
    if !finding.notes.is_empty() {
        writeln!(out, "<ul class=\"notes\">")?;
        for note in &finding.notes {
            writeln!(out, "<li>{}</li>", escape(&note.to_string()))?;
        }
        writeln!(out, "</ul>")?;
    }

    if let Some(source) = &finding.source {
        write!(out, "<pre class=\"snippet\"><code>")?;
        match &source.context {
            Some(context) => {
                let width = (context.first_line as usize + context.lines.len())
                    .to_string()
                    .len();
                for (number, line) in context.numbered() {
                    let line = format!(
                        "<span class=\"line-number\">{number:>width$}</span>  {}",
                        escape(&line.replace('\t', "    "))
                    );
                    if number == finding.line {
                        writeln!(out, "<mark>{line}</mark>")?;
                    } else {
                        writeln!(out, "{line}")?;
                    }
                }
            }
            None => writeln!(
                out,
                "<mark><span class=\"line-number\">{}</span>  {}</mark>",
                finding.line,
                escape(&source.snippet)
            )?,
        }
        writeln!(out, "</code></pre>")?;
        if let Some(channel) = &source.channel {
            let escaped = ChannelEvidence {
                name: escape(&channel.name).to_string(),
                line: channel.line,
                capacity: channel
                    .capacity
                    .as_ref()
                    .map(|capacity| format!("<code>{}</code>", escape(capacity))),
            };
            let phrase = present::channel(&escaped, |name| format!("<code>{name}</code>"));
            writeln!(
                out,
                "<p class=\"channel\">{}.</p>",
                present::capitalized(&phrase)
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

    if let Some(pattern) = present::known_pattern(finding) {
        write_pattern(finding, pattern, out)?;
    }

    write_movement(finding, out)?;

    let stack = present::stack(finding);
    if !stack.is_empty() {
        writeln!(out, "<h4>Example stack</h4>")?;
        write!(out, "<pre class=\"stack\">")?;
        for frame in &stack.frames {
            writeln!(out, "{}", escape(frame))?;
        }
        if let Some(more) = stack.more_text() {
            writeln!(out, "{more}")?;
        }
        if let Some(creator) = stack.created_by {
            writeln!(out, "created by {}", escape(creator))?;
        }
        writeln!(out, "</pre>")?;
    }
    let kind = present::kind(finding);
    writeln!(out, "<details class=\"fix\"><summary>How to fix</summary>")?;
    writeln!(out, "<p>{}</p>", escape(kind.fix))?;
    writeln!(
        out,
        "<pre class=\"example\"><code>{}</code></pre>",
        escape(kind.example)
    )?;
    writeln!(out, "</details>")?;
    writeln!(
        out,
        "<p class=\"id\">id <code>{}</code></p>",
        escape(&finding.id)
    )?;
    writeln!(out, "</section>")
}

/// How the place moved: one chart, of that instance's snapshots, when it was seen on one
/// instance; a table of instances and a chart per instance for a fleet, so a leak on one
/// instance is not averaged with a pool on another.
pub(super) fn write_movement(finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let place = format!("<code>{}:{}</code>", escape(&finding.file), finding.line);
    if finding.instances.len() < 2 {
        // The series of the one instance the place was seen on, never the fleet's.
        if let Some(svg) = chart(&finding.series) {
            let on = finding
                .instances
                .first()
                .and_then(|instance| instance.name.as_deref())
                .map(|name| format!(" on <strong>{}</strong>", escape(name)))
                .unwrap_or_default();
            writeln!(out, "<figure>")?;
            writeln!(out, "{svg}")?;
            writeln!(
                out,
                "<figcaption>Goroutines at {place}{on} in each of {} snapshots (times in UTC).</figcaption>",
                finding.series.len()
            )?;
            writeln!(out, "</figure>")?;
        }
        return Ok(());
    }
    writeln!(out, "<table class=\"instances\">")?;
    writeln!(
        out,
        "<thead><tr><th scope=\"col\">Instance</th><th scope=\"col\" class=\"n\">Goroutines</th>\
         <th scope=\"col\">Trend</th></tr></thead>"
    )?;
    writeln!(out, "<tbody>")?;
    for instance in &finding.instances {
        let trend = match (instance.trend, instance.growth_per_hour) {
            (Some(trend), Some(growth)) => format!(
                "<span class=\"{0}\">{0}</span> ({1}/hour)",
                trend.as_str(),
                per_hour(growth)
            ),
            (Some(trend), None) => format!("<span class=\"{0}\">{0}</span>", trend.as_str()),
            (None, _) => "–".to_string(),
        };
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{trend}</td></tr>",
            escape(instance.name.as_deref().unwrap_or("(unnamed)")),
            instance.goroutines
        )?;
    }
    writeln!(out, "</tbody>")?;
    writeln!(out, "</table>")?;
    for instance in &finding.instances {
        let Some(svg) = chart(&instance.series) else {
            continue;
        };
        writeln!(out, "<figure>")?;
        writeln!(out, "{svg}")?;
        writeln!(
            out,
            "<figcaption>Goroutines at {place} on <strong>{}</strong> in each of its {} snapshots (times in UTC).</figcaption>",
            escape(instance.name.as_deref().unwrap_or("(unnamed)")),
            instance.series.len()
        )?;
        writeln!(out, "</figure>")?;
    }
    Ok(())
}

/// The pattern, its evidence, the fix, and the patch folded away.
fn write_pattern(finding: &Finding, pattern: &Pattern, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<div class=\"pattern\"><p><strong>Pattern <code>{}</code></strong>: {}</p>",
        pattern.id,
        code_spans(&escape(kinds::for_pattern(pattern.id).short).to_string())
    )?;
    writeln!(out, "<ul class=\"evidence\">")?;
    for line in &pattern.evidence {
        writeln!(
            out,
            "<li><code>{}</code> {}</li>",
            escape(&present::evidence_place(finding, &line.file, line.line)),
            code_spans(&escape(&line.text).to_string())
        )?;
    }
    writeln!(out, "</ul>")?;
    writeln!(
        out,
        "<p class=\"fix-summary\"><strong>Fix:</strong> {}.</p>",
        code_spans(&escape(&pattern.fix.summary).to_string())
    )?;
    if let Some(runs) = &pattern.fix.runs_new_code {
        writeln!(
            out,
            "<p class=\"caution\"><strong>Careful:</strong> {}.</p>",
            code_spans(&escape(runs).to_string())
        )?;
    }
    match (&pattern.fix.patch, &pattern.fix.no_patch) {
        (Some(patch), _) => {
            writeln!(
                out,
                "<details class=\"patch\"><summary>Patch (<code>leakprof fix</code> writes them all)</summary>"
            )?;
            writeln!(
                out,
                "<pre class=\"diff\"><code>{}</code></pre>",
                escape(patch)
            )?;
            writeln!(out, "</details>")?;
        }
        (None, Some(why)) => writeln!(
            out,
            "<p class=\"no-patch\">No patch: {}.</p>",
            code_spans(&escape(why).to_string())
        )?,
        (None, None) => {}
    }
    writeln!(out, "</div>")
}

/// Escaped text with its `code` spans as `<code>` elements.
fn code_spans(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut parts = escaped.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    // An unpaired backtick stays as it is.
    let pairs = rest.len() / 2 * 2;
    for (index, part) in rest.iter().enumerate() {
        if index >= pairs {
            out.push('`');
            out.push_str(part);
        } else if index % 2 == 0 {
            out.push_str("<code>");
            out.push_str(part);
        } else {
            out.push_str("</code>");
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_pair_up() {
        assert_eq!(
            code_spans("make `done` buffered"),
            "make <code>done</code> buffered"
        );
        assert_eq!(code_spans("a `b` c `d"), "a <code>b</code> c `d");
        assert_eq!(code_spans("plain"), "plain");
    }
}
