//! The report as one self-contained HTML page, to attach to an incident or a ticket and open
//! anywhere: no script and no fetch of any kind (the style sheet is inline, charts are inline
//! SVG), readable without its styles and on paper. The same report gives the same bytes: no
//! clock, no map order, numbers with fixed precision.

use std::fmt;
use std::io::{self, Write};

use crate::model::{Finding, Point, Report, Status};

/// Frames of the example stack shown per finding; JSON has them all.
const SHOWN_FRAMES: usize = 12;

/// Series longer than this are drawn as a line without a dot (and tooltip) per snapshot: a
/// fleet of hundreds of instances would bury the line under dots.
const MAX_DOTS: usize = 200;

/// Chart geometry, in SVG user units: the plot area sits inside the margins, which hold the
/// axis labels.
const CHART_WIDTH: f64 = 640.0;
const CHART_HEIGHT: f64 = 200.0;
const PLOT_LEFT: f64 = 64.0;
const PLOT_RIGHT: f64 = 624.0;
const PLOT_TOP: f64 = 12.0;
const PLOT_BOTTOM: f64 = 164.0;

/// Dark colours that stay readable in print and in grey; badges are outlined rather than
/// filled, since browsers drop background colours when printing.
const STYLE: &str = "
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  color: #1f2328; background: #fff; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .4rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05rem; margin: 0 0 .3rem; overflow-wrap: anywhere; }
h4 { font-size: .95rem; margin: 1rem 0 .3rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 4px; padding: .5rem .75rem;
  overflow-x: auto; margin: .4rem 0; }
a { color: #0b5cad; }
.muted, .function, .id { color: #57606a; }
.function { font-size: .85em; overflow-wrap: anywhere; }
.id { font-size: .85em; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; }
th { border-bottom: 2px solid #8c959f; white-space: nowrap; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.quiet td { color: #57606a; }
.badge { display: inline-block; border: 1px solid; border-radius: .7em; padding: 0 .45em;
  font-size: .8em; font-weight: 600; line-height: 1.5; white-space: nowrap; }
.status-reported { color: #b3261e; }
.status-suppressed, .status-below_threshold, .status-excluded { color: #57606a; }
.confirmed { color: #b3261e; border-width: 2px; }
.new { color: #0b5cad; }
.growing { color: #b3261e; font-weight: 600; }
.shrinking { color: #1a7f37; }
.finding { border-top: 1px solid #d0d7de; padding-top: 1rem; margin-top: 1.5rem; }
h2 + .finding { border-top: none; padding-top: 0; margin-top: 0; }
.lead { margin: .2rem 0; }
.facts { margin: .2rem 0; color: #57606a; }
.line-number { color: #8c959f; user-select: none; }
figure { margin: .8rem 0; }
figcaption { color: #57606a; font-size: .85em; }
svg.chart { max-width: 100%; height: auto; }
details { margin: .6rem 0; }
summary { cursor: pointer; font-weight: 600; }
.warnings li { color: #7d4e00; }
footer { margin-top: 3rem; color: #57606a; font-size: .85em; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  figure, tr { break-inside: avoid; }
  h3, .lead { break-after: avoid; }
}
";

/// Writes the page: summary, the findings table, a section per reported finding (source line,
/// channel, chart, example stack), then the suppressed findings, other blocking, the profiles
/// read and the warnings.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let reported: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Reported)
        .collect();
    let headline = match reported.len() {
        0 => "no suspected goroutine leaks".to_string(),
        1 => "1 suspected goroutine leak".to_string(),
        n => format!("{n} suspected goroutine leaks"),
    };

    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(out, "<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(out, "<title>leakprof: {headline}</title>")?;
    writeln!(out, "<style>{STYLE}</style>")?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<header>")?;
    writeln!(out, "<h1>leakprof: {headline}</h1>")?;
    write_summary(report, reported.len(), out)?;
    writeln!(out, "</header>")?;

    write_table(report, out)?;
    if !reported.is_empty() {
        writeln!(out, "<h2 id=\"suspected\">Suspected leaks</h2>")?;
        for finding in &reported {
            write_finding(finding, out)?;
        }
    }
    write_suppressed(report, out)?;
    write_other_blocking(report, out)?;
    write_profiles(report, out)?;
    if !report.warnings.is_empty() {
        writeln!(out, "<h2 id=\"warnings\">Warnings</h2>")?;
        writeln!(out, "<ul class=\"warnings\">")?;
        for warning in &report.warnings {
            writeln!(out, "<li>{}</li>", escape(&warning.to_string()))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(
        out,
        "<footer>{} {}; every finding, with all its frames, is in <code>--format json</code>.</footer>",
        escape(report.tool.name),
        escape(report.tool.version)
    )?;
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")?;
    Ok(())
}

/// The Markdown renderer's one-line summary, then what the source was checked against.
fn write_summary(report: &Report, reported: usize, out: &mut dyn Write) -> io::Result<()> {
    let count = |status: Status| {
        report
            .findings
            .iter()
            .filter(|f| f.status == status)
            .count()
    };
    let mut parts = vec![format!("{reported} reported")];
    if report.findings.iter().any(|f| f.new.is_some()) {
        parts.push(format!("{} new", report.summary.new_reported));
    }
    parts.push(format!("{} suppressed", count(Status::Suppressed)));
    parts.push(format!(
        "{} below the threshold of {}",
        count(Status::BelowThreshold),
        escape(&report.threshold_text())
    ));
    // A goroutineleak profile read next to goroutine profiles confirms places; it is not a
    // snapshot of its own.
    let snapshots = report.profiles.iter().filter(|p| !p.evidence).count();
    let evidence = report.profiles.len() - snapshots;
    let mut line = format!(
        "{}. {} goroutines in {snapshots} profile{}, {} blocked on channels",
        parts.join(", "),
        report.summary.goroutines,
        plural(snapshots),
        report.summary.channel_blocked,
    );
    if evidence > 0 {
        line.push_str(&format!(
            "; {evidence} goroutineleak profile{} read as evidence",
            plural(evidence)
        ));
    }
    writeln!(out, "<p class=\"summary\">{line}.</p>")?;

    match &report.source {
        Some(source) => match (&source.revision, &source.commit) {
            (Some(revision), Some(commit)) => writeln!(
                out,
                "<p class=\"source\">Source: <code>{}</code> at <code>{}</code>, commit <code>{}</code>.</p>",
                escape(&source.repo),
                escape(revision),
                escape(commit)
            ),
            _ => writeln!(
                out,
                "<p class=\"source\">Source: <code>{}</code>, a plain folder.</p>",
                escape(&source.repo)
            ),
        },
        None => writeln!(
            out,
            "<p class=\"source muted\">Source not checked (no <code>--repo</code>).</p>"
        ),
    }
}

/// Every finding but the excluded ones, reported first; those are counted below the table.
fn write_table(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut rows: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Excluded)
        .collect();
    // Stable: within a status the report's order (most goroutines first) stays.
    rows.sort_by_key(|f| f.status);

    writeln!(out, "<h2 id=\"findings\">Findings</h2>")?;
    if rows.is_empty() {
        writeln!(
            out,
            "<p>No goroutine waits on a channel operation in own code.</p>"
        )?;
    } else {
        writeln!(out, "<table class=\"findings\">")?;
        writeln!(
            out,
            "<thead><tr><th scope=\"col\">Status</th><th scope=\"col\">Place</th>\
             <th scope=\"col\">Op</th><th scope=\"col\" class=\"n\">Goroutines</th>\
             <th scope=\"col\" class=\"n\">Total</th><th scope=\"col\" class=\"n\">Profiles</th>\
             <th scope=\"col\">Owners</th><th scope=\"col\">Trend</th></tr></thead>"
        )?;
        writeln!(out, "<tbody>")?;
        for finding in rows {
            write_row(finding, out)?;
        }
        writeln!(out, "</tbody>")?;
        writeln!(out, "</table>")?;
    }

    let (places, goroutines) = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Excluded)
        .fold((0usize, 0u64), |(places, goroutines), f| {
            (places + 1, goroutines + f.goroutines)
        });
    if places > 0 {
        writeln!(
            out,
            "<p class=\"muted\">Not listed: {places} place{} with {goroutines} goroutines outside \
             own code (the standard library unless <code>--include-std</code>, dependencies \
             unless <code>--include-deps</code>); <code>--format json</code> lists them.</p>",
            plural(places)
        )?;
    }
    Ok(())
}

fn write_row(finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let class = if finding.status == Status::Reported {
        ""
    } else {
        " class=\"quiet\""
    };
    write!(out, "<tr{class}><td>")?;
    write_badges(finding, out)?;
    write!(out, "</td><td>")?;
    if finding.status == Status::Reported {
        write!(
            out,
            "<a href=\"#finding-{}\"><code>{}:{}</code></a>",
            escape(&finding.id),
            escape(&finding.file),
            finding.line
        )?;
    } else {
        write!(
            out,
            "<code>{}:{}</code>",
            escape(&finding.file),
            finding.line
        )?;
    }
    write!(
        out,
        "<br><span class=\"function\">{}</span></td>",
        escape(&finding.function)
    )?;
    write!(
        out,
        "<td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
        finding.op.as_str(),
        finding.goroutines,
        finding.total_goroutines,
        finding.profiles
    )?;
    write!(out, "<td>{}</td>", escape(&finding.owners.join(" ")))?;
    match finding.trend {
        Some(trend) => {
            let growth = finding
                .growth_per_hour
                .map(|growth| format!(" ({}/hour)", per_hour(growth)))
                .unwrap_or_default();
            writeln!(
                out,
                "<td class=\"{0}\">{0}{growth}</td></tr>",
                trend.as_str()
            )
        }
        None => writeln!(out, "<td class=\"muted\">–</td></tr>"),
    }
}

/// Status, then `confirmed` and `new` when they apply; a suppressed finding's badge carries
/// the reason as its tooltip.
fn write_badges(finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let status = finding.status.as_str();
    let label = status.replace('_', " ");
    match &finding.suppression {
        Some(suppression) => write!(
            out,
            "<span class=\"badge status-{status}\" title=\"{}\">{label}</span>",
            escape(&suppression.reason)
        )?,
        None => write!(out, "<span class=\"badge status-{status}\">{label}</span>")?,
    }
    if finding.confirmed {
        write!(
            out,
            " <span class=\"badge confirmed\" title=\"the garbage collector proved {} goroutines here leaked\">confirmed</span>",
            finding.leaked_goroutines
        )?;
    }
    if finding.new == Some(true) {
        write!(
            out,
            " <span class=\"badge new\" title=\"not in the baseline\">new</span>"
        )?;
    }
    Ok(())
}

fn write_finding(finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
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
    facts.extend(super::present::facts(finding));
    facts.extend(super::present::labels(finding).map(|labels| escape(labels.as_str()).to_string()));
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

fn write_suppressed(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
        "<details><summary>{} suppressed finding{}, with the reason for each</summary>",
        suppressed.len(),
        plural(suppressed.len())
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
            finding.goroutines
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

fn write_other_blocking(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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

fn write_profiles(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.profiles.is_empty() {
        return Ok(());
    }
    let auto = report.profiles.iter().any(|p| p.threshold.is_some());
    writeln!(out, "<h2 id=\"profiles\">Profiles</h2>")?;
    writeln!(
        out,
        "<details><summary>{} profile{} read</summary>",
        report.profiles.len(),
        plural(report.profiles.len())
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

/// A line chart of goroutines over time, for two or more snapshots: the vertical axis runs
/// from the fewest to the most goroutines seen, the horizontal one from the first snapshot
/// to the last (by time; by order when the times do not spread). Presentation is in
/// attributes, not in the style sheet, so the chart draws without it.
fn chart(series: &[Point]) -> Option<String> {
    if series.len() < 2 {
        return None;
    }
    let (first, last) = (series.first()?, series.last()?);
    let fewest = series.iter().map(|p| p.goroutines).min()?;
    let most = series.iter().map(|p| p.goroutines).max()?;
    // A flat series gets a band around it, so its line sits mid-height.
    let (low, high) = if fewest == most {
        (fewest.saturating_sub(1), most + 1)
    } else {
        (fewest, most)
    };
    let points = plot(series, low, high);

    let mut svg = String::new();
    let label = format!(
        "goroutines over time: {} at {} to {} at {}",
        first.goroutines,
        utc_label(&first.time),
        last.goroutines,
        utc_label(&last.time)
    );
    svg.push_str(&format!(
        "<svg class=\"chart\" width=\"{CHART_WIDTH}\" height=\"{CHART_HEIGHT}\" \
         viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" role=\"img\" aria-label=\"{}\" \
         font-family=\"sans-serif\" font-size=\"11\" fill=\"#1f2328\">\n",
        escape(&label)
    ));
    // Axes, and a dashed line at the top of the range.
    svg.push_str(&format!(
        "<line x1=\"{PLOT_LEFT}\" y1=\"{PLOT_TOP}\" x2=\"{PLOT_RIGHT}\" y2=\"{PLOT_TOP}\" \
         stroke=\"#d0d7de\" stroke-dasharray=\"3 3\"/>\n\
         <line x1=\"{PLOT_LEFT}\" y1=\"{PLOT_TOP}\" x2=\"{PLOT_LEFT}\" y2=\"{PLOT_BOTTOM}\" stroke=\"#57606a\"/>\n\
         <line x1=\"{PLOT_LEFT}\" y1=\"{PLOT_BOTTOM}\" x2=\"{PLOT_RIGHT}\" y2=\"{PLOT_BOTTOM}\" stroke=\"#57606a\"/>\n"
    ));
    let label_x = PLOT_LEFT - 6.0;
    svg.push_str(&format!(
        "<text x=\"{label_x}\" y=\"{}\" text-anchor=\"end\">{high}</text>\n\
         <text x=\"{label_x}\" y=\"{}\" text-anchor=\"end\">{low}</text>\n",
        PLOT_TOP + 4.0,
        PLOT_BOTTOM + 4.0
    ));
    svg.push_str(&format!(
        "<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" fill=\"#57606a\">goroutines</text>\n",
        (PLOT_TOP + PLOT_BOTTOM) / 2.0
    ));
    let time_y = PLOT_BOTTOM + 18.0;
    svg.push_str(&format!(
        "<text x=\"{PLOT_LEFT}\" y=\"{time_y}\" text-anchor=\"start\">{}</text>\n\
         <text x=\"{PLOT_RIGHT}\" y=\"{time_y}\" text-anchor=\"end\">{}</text>\n",
        escape(&utc_label(&first.time)),
        escape(&utc_label(&last.time))
    ));
    svg.push_str(&format!(
        "<path d=\"{}\" fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n",
        path(&points)
    ));
    if series.len() <= MAX_DOTS {
        for ((x, y), point) in points.iter().zip(series) {
            svg.push_str(&format!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#0b5cad\"><title>{}: {} goroutines</title></circle>\n",
                escape(&utc_label(&point.time)),
                point.goroutines
            ));
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// Each point's place in the plot area, with `low..=high` goroutines spanning its height.
fn plot(series: &[Point], low: u64, high: u64) -> Vec<(f64, f64)> {
    let (Some(first), Some(last)) = (series.first(), series.last()) else {
        return Vec::new();
    };
    let span = last.unix_seconds - first.unix_seconds;
    let by_time =
        span.is_finite() && span > 0.0 && series.iter().all(|p| p.unix_seconds.is_finite());
    let steps = series.len().saturating_sub(1).max(1) as f64;
    let range = high.saturating_sub(low).max(1) as f64;
    series
        .iter()
        .enumerate()
        .map(|(index, point)| {
            let across = if by_time {
                ((point.unix_seconds - first.unix_seconds) / span).clamp(0.0, 1.0)
            } else {
                index as f64 / steps
            };
            let up = (point.goroutines.saturating_sub(low) as f64 / range).clamp(0.0, 1.0);
            (
                PLOT_LEFT + across * (PLOT_RIGHT - PLOT_LEFT),
                PLOT_BOTTOM - up * (PLOT_BOTTOM - PLOT_TOP),
            )
        })
        .collect()
}

/// The SVG path through `points`, one decimal per coordinate.
fn path(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .enumerate()
        .map(|(index, (x, y))| format!("{}{x:.1},{y:.1}", if index == 0 { "M" } else { "L" }))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `2026-11-27T22:14:43Z` → `2026-11-27 22:14:43 UTC`; anything else as it is.
fn utc_label(time: &str) -> String {
    match time.strip_suffix('Z') {
        Some(rest) if rest.len() > 10 && rest.as_bytes()[10] == b'T' => {
            format!("{} {} UTC", &rest[..10], &rest[11..])
        }
        _ => time.to_string(),
    }
}

/// `+12.5`, `-3.0`, `0.0`: one decimal, signed, never `-0.0`.
fn per_hour(growth: f64) -> String {
    let rounded = (growth * 10.0).round() / 10.0;
    if rounded == 0.0 || !rounded.is_finite() {
        "0.0".to_string()
    } else {
        format!("{rounded:+.1}")
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// `text` made safe for HTML text and for double- or single-quoted attribute values.
fn escape(text: &str) -> Escaped<'_> {
    Escaped(text)
}

/// Writes its text with `& < > " '` replaced by character references, without allocating.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(index) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..index])?;
            f.write_str(match rest.as_bytes()[index] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[index + 1..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::Op;
    use crate::model::{
        ChannelEvidence, ProfileEntry, SourceEvidence, SourceInfo, Summary, Suppression, Tool,
        Trend,
    };
    use crate::profile::Format;

    #[test]
    fn escapes_text_and_attributes() {
        for (text, expected) in [
            ("", ""),
            ("plain", "plain"),
            ("done <- v", "done &lt;- v"),
            (
                "main.F[go.shape.*uint8](...)",
                "main.F[go.shape.*uint8](...)",
            ),
            ("a && b > c", "a &amp;&amp; b &gt; c"),
            (
                "<script src=\"x\">'</script>",
                "&lt;script src=&quot;x&quot;&gt;&#39;&lt;/script&gt;",
            ),
            ("&amp;", "&amp;amp;"),
            ("héllo <ü>", "héllo &lt;ü&gt;"),
        ] {
            assert_eq!(escape(text).to_string(), expected, "{text:?}");
        }
    }

    fn point(unix_seconds: f64, goroutines: u64) -> Point {
        let time = crate::model::rfc3339((unix_seconds * 1e9) as i64);
        Point {
            time,
            unix_seconds,
            goroutines,
        }
    }

    #[test]
    fn chart_paths() {
        let hour = 3600.0;
        let start = 1_795_809_600.0; // 2026-11-27T20:00:00Z
        for (series, expected) in [
            // Evenly spaced, growing: a straight line corner to corner.
            (
                vec![
                    point(start, 50),
                    point(start + hour, 100),
                    point(start + 2.0 * hour, 150),
                    point(start + 3.0 * hour, 200),
                ],
                "M64.0,164.0 L250.7,113.3 L437.3,62.7 L624.0,12.0",
            ),
            // Spacing follows time, not order; the range is fewest..most.
            (
                vec![
                    point(start, 10),
                    point(start + 3.0 * hour, 30),
                    point(start + 4.0 * hour, 20),
                ],
                "M64.0,164.0 L484.0,12.0 L624.0,88.0",
            ),
            // Flat: mid-height.
            (
                vec![point(start, 7), point(start + hour, 7)],
                "M64.0,88.0 L624.0,88.0",
            ),
            // Times that do not spread: by order.
            (
                vec![point(start, 0), point(start, 4), point(start, 2)],
                "M64.0,164.0 L344.0,12.0 L624.0,88.0",
            ),
        ] {
            let svg = chart(&series).expect("a chart for 2+ points");
            let d = format!("d=\"{expected}\"");
            assert!(svg.contains(&d), "want {d} in\n{svg}");
        }
    }

    #[test]
    fn chart_labels_and_limits() {
        let start = 1_795_809_600.0;
        assert!(chart(&[]).is_none());
        assert!(chart(&[point(start, 3)]).is_none());
        let svg = chart(&[point(start, 12), point(start + 5400.0, 40)]).expect("chart");
        for label in [
            ">40</text>",
            ">12</text>",
            ">2026-11-27 20:00:00 UTC</text>",
            ">2026-11-27 21:30:00 UTC</text>",
        ] {
            assert!(svg.contains(label), "want {label} in\n{svg}");
        }
        assert_eq!(svg.matches("<circle").count(), 2);
        let long: Vec<Point> = (0..=MAX_DOTS)
            .map(|i| point(start + i as f64 * 60.0, i as u64))
            .collect();
        let svg = chart(&long).expect("chart");
        assert_eq!(svg.matches("<circle").count(), 0);
    }

    #[test]
    fn small_formats() {
        for (growth, expected) in [
            (12.345, "+12.3"),
            (-3.0, "-3.0"),
            (-0.04, "0.0"),
            (0.0, "0.0"),
            (f64::NAN, "0.0"),
        ] {
            assert_eq!(per_hour(growth), expected, "{growth}");
        }
        assert_eq!(utc_label("2026-11-27T22:14:43Z"), "2026-11-27 22:14:43 UTC");
        assert_eq!(utc_label("yesterday"), "yesterday");
    }

    /// A report whose every string tries to smuggle markup or a fetch into the page.
    fn hostile_report() -> Report {
        let evil = "<script src=\"http://evil.example/x.js\"></script><img src=x onerror=alert(1)>\
                    <link rel=stylesheet href=https://evil.example/s.css> @import url(https://evil.example/)";
        let start = 1_795_809_600.0;
        let finding = |status: Status| Finding {
            id: format!("\"><b>{}", status.as_str()),
            function: format!("main.F[go.shape.*uint8].(*T).Run {evil}"),
            file: format!("svc/<a&b>/{evil}.go"),
            line: 42,
            op: Op::Send,
            goroutines: 120,
            total_goroutines: 300,
            profiles: 3,
            status,
            verdict: crate::model::Verdict::Possible,
            notes: Vec::new(),
            suppression: (status == Status::Suppressed).then(|| Suppression {
                kind: crate::model::SuppressionKind::Allowlist,
                reason: evil.into(),
                rule: Some(evil.into()),
                owner: Some(evil.into()),
            }),
            stack: vec![
                "runtime.gopark /go/src/runtime/proc.go:474".into(),
                format!("main.F[...] {evil}:42"),
            ],
            created_by: Some(evil.into()),
            labels: [(evil.to_string(), vec![evil.to_string()])]
                .into_iter()
                .collect(),
            max_wait_minutes: Some(7),
            leaked_goroutines: 120,
            confirmed: true,
            trend: Some(Trend::Growing),
            growth_per_hour: Some(40.0),
            series: vec![
                Point {
                    time: evil.into(),
                    unix_seconds: start,
                    goroutines: 60,
                },
                point(start + 3600.0, 120),
            ],
            profile_file: Some(evil.into()),
            exclusion: None,
            source: Some(SourceEvidence {
                snippet: format!("ch <- v // {evil}"),
                function: Some(evil.into()),
                channel: Some(ChannelEvidence {
                    name: evil.into(),
                    line: 40,
                    capacity: Some(evil.into()),
                }),
                notes: vec![evil.into()],
            }),
            owners: vec![evil.into(), "@team".into()],
            new: Some(true),
        };
        Report {
            schema_version: 1,
            tool: Tool::default(),
            threshold: Some(100),
            source: Some(SourceInfo {
                repo: evil.into(),
                revision: Some(evil.into()),
                commit: Some(evil.into()),
            }),
            profiles: vec![ProfileEntry {
                path: evil.into(),
                format: Format::Pprof,
                goroutines: 500,
                time: Some(evil.into()),
                time_source: Some("profile"),
                threshold: None,
                evidence: false,
            }],
            findings: vec![
                finding(Status::Reported),
                finding(Status::Suppressed),
                finding(Status::BelowThreshold),
            ],
            other_blocking: None,
            rules: Vec::new(),
            summary: Summary::default(),
            hints: Vec::new(),
            warnings: vec![crate::model::Warning::Profile {
                path: evil.into(),
                message: evil.into(),
            }],
        }
    }

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        write(report, &mut out).expect("renders");
        String::from_utf8(out).expect("UTF-8")
    }

    /// Every `<…>` of the page: report text cannot add any, since its `<` are escaped.
    fn tags(html: &str) -> Vec<&str> {
        html.split('<')
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap_or(rest))
            .collect()
    }

    #[test]
    fn report_text_cannot_add_markup_or_fetches() {
        let html = render(&hostile_report());
        let allowed = [
            "!DOCTYPE",
            "html",
            "head",
            "meta",
            "title",
            "style",
            "body",
            "header",
            "h1",
            "h2",
            "h3",
            "h4",
            "p",
            "code",
            "pre",
            "span",
            "strong",
            "a",
            "br",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "section",
            "figure",
            "figcaption",
            "svg",
            "line",
            "text",
            "path",
            "circle",
            "details",
            "summary",
            "ul",
            "li",
            "footer",
        ];
        for tag in tags(&html) {
            let name = tag.trim_start_matches('/');
            let name = name.split([' ', '/']).next().unwrap_or(name);
            assert!(allowed.contains(&name), "unexpected tag <{tag}>");
            // Attribute values are quoted, and report text in them has its quotes escaped.
            let outside_values: String = tag.split('"').step_by(2).collect();
            assert!(!outside_values.contains("src="), "fetch in <{tag}>");
            if let Some((_, href)) = tag.split_once(" href=\"") {
                assert!(href.starts_with('#'), "link out of the page in <{tag}>");
            }
        }
        for needle in ["<script", "<link", "<img", "<b>"] {
            assert!(!html.contains(needle), "{needle} in\n{html}");
        }
        // Fetches the style sheet itself could make.
        let style = html
            .split_once("<style>")
            .and_then(|(_, rest)| rest.split_once("</style>"))
            .map(|(style, _)| style)
            .expect("a style sheet");
        for needle in ["url(", "@import", "http"] {
            assert!(!style.contains(needle), "{needle} in the style sheet");
        }
        // The text is all there, escaped.
        assert!(html.contains("main.F[go.shape.*uint8].(*T).Run &lt;script src=&quot;http://"));
        assert!(html.contains("svc/&lt;a&amp;b&gt;/"));
        assert!(html.contains("id=\"finding-&quot;&gt;&lt;b&gt;reported\""));
    }

    #[test]
    fn same_report_same_bytes() {
        let report = hostile_report();
        assert_eq!(render(&report), render(&report));
    }

    #[test]
    fn empty_report() {
        let mut report = hostile_report();
        report.findings.clear();
        report.warnings.clear();
        let html = render(&report);
        assert!(html.contains("<h1>leakprof: no suspected goroutine leaks</h1>"));
        assert!(!html.contains("<svg"));
        assert!(!html.contains("Warnings"));
    }
}
