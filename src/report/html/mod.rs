//! The report as one self-contained HTML page, to attach to an incident or a ticket and open
//! anywhere: no script and no fetch of any kind (the style sheet is inline, charts are inline
//! SVG), readable without its styles and on paper. The same report gives the same bytes: no
//! clock, no map order, numbers with fixed precision.

mod appendix;
mod chart;
mod escape;
mod finding;

use std::io::{self, Write};

use crate::config::RenderOptions;
use crate::model::{Finding, FoundBy, Report, Status};
use crate::report::links::Links;
use crate::report::present::{self, count};

use appendix::{write_other_blocking, write_other_movements, write_profiles, write_suppressed};
use escape::escape;
use finding::write_finding;

/// Dark colours that stay readable in print and in grey; badges are outlined rather than
/// filled, since browsers drop background colours when printing.
const STYLE: &str = include_str!("style.css");

/// Writes the page: summary, the findings table, a section per reported finding (source line,
/// channel, chart, example stack), then the suppressed findings, other blocking, the profiles
/// read and the warnings.
pub fn write(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let links = Links::new(report, options);
    let reported: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Reported)
        .collect();
    let headline = if present::is_lint_report(report) {
        format!("lint: {}", present::lint_headline(report, reported.len()))
    } else {
        present::headline(present::profile_findings(&reported))
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
    writeln!(out, "<style>\n{STYLE}</style>")?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<header>")?;
    writeln!(out, "<h1>leakprof: {headline}</h1>")?;
    write_summary(report, reported.len(), out)?;
    for hint in &report.hints {
        writeln!(
            out,
            "<p class=\"hint\"><strong>Hint:</strong> {}.</p>",
            escape(&hint.to_string())
        )?;
    }
    writeln!(out, "</header>")?;

    write_table(report, out)?;
    if !reported.is_empty() {
        writeln!(out, "<h2 id=\"suspected\">Suspected leaks</h2>")?;
        for finding in &reported {
            let link = links
                .as_ref()
                .and_then(|links| links.place(report, finding));
            write_finding(finding, link.as_deref(), out)?;
        }
    }
    write_suppressed(report, out)?;
    write_other_movements(report, out)?;
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
    let with_status = |status: Status| report.with_status(status).len();
    let mut parts = vec![format!("{reported} reported")];
    if report.findings.iter().any(|f| f.new.is_some()) {
        parts.push(format!("{} new", report.summary.new_reported));
    }
    parts.push(format!("{} suppressed", with_status(Status::Suppressed)));
    if present::is_lint_report(report) {
        writeln!(
            out,
            "<p class=\"summary\">{}. {}, found in the source alone.</p>",
            parts.join(", "),
            escape(&present::lint_headline(report, reported))
        )?;
        return Ok(());
    }
    parts.push(format!(
        "{} below the threshold of {}",
        with_status(Status::BelowThreshold),
        escape(&present::threshold(report))
    ));
    // A goroutineleak profile read next to goroutine profiles confirms places; it is not a
    // snapshot of its own.
    let snapshots = report.profiles.iter().filter(|p| !p.evidence).count();
    let evidence = report.profiles.len() - snapshots;
    let snapshots = count(snapshots as u64, "profile");
    let mut line = format!(
        "{}. {} in {snapshots}, {} blocked on channels",
        parts.join(", "),
        count(report.summary.goroutines, "goroutine"),
        report.summary.channel_blocked,
    );
    if evidence > 0 {
        line.push_str(&format!(
            "; {} read as evidence",
            count(evidence as u64, "goroutineleak profile")
        ));
    }
    writeln!(out, "<p class=\"summary\">{line}.</p>")?;
    if let Some(lint) = present::lint_line(report) {
        writeln!(out, "<p class=\"summary\">{}.</p>", escape(&lint))?;
    }

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
            "<p class=\"muted\">Not listed: {} with {} outside own code (the standard library \
             unless <code>--include-std</code>, dependencies unless <code>--include-deps</code>); \
             <code>--format json</code> lists them.</p>",
            count(places as u64, "place"),
            count(goroutines, "goroutine")
        )?;
    }
    Ok(())
}

/// A count column of a finding's row: a lint finding saw no goroutine, so it shows `lint`.
pub(super) fn cell(n: u64, finding: &Finding) -> String {
    match finding.found_by {
        FoundBy::Profile => n.to_string(),
        FoundBy::Lint => "lint".to_string(),
    }
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
    let pattern = present::known_pattern(finding)
        .map(|pattern| format!("<br><span class=\"muted\">{}</span>", pattern.id))
        .unwrap_or_default();
    write!(
        out,
        "<td>{}{pattern}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
        finding.op.as_str(),
        cell(finding.goroutines, finding),
        cell(finding.total_goroutines, finding),
        cell(u64::from(finding.profiles), finding)
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

/// Status, verdict, then `confirmed` and `new` when they apply; a suppressed finding's badge
/// carries the reason as its tooltip.
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
    let verdict = finding.verdict.as_str();
    write!(
        out,
        " <span class=\"badge verdict-{verdict}\" title=\"how sure leakprof is that this place leaks\">{verdict}</span>"
    )?;
    if finding.confirmed {
        write!(
            out,
            " <span class=\"badge confirmed\" title=\"the garbage collector proved {} here leaked\">confirmed</span>",
            count(finding.leaked_goroutines, "goroutine")
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

/// `+12.5`, `-3.0`, `0.0`: one decimal, signed, never `-0.0`.
fn per_hour(growth: f64) -> String {
    let rounded = (growth * 10.0).round() / 10.0;
    if rounded == 0.0 || !rounded.is_finite() {
        "0.0".to_string()
    } else {
        format!("{rounded:+.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::Op;
    use crate::model::testing::{self, point};
    use crate::model::{
        ChannelEvidence, Point, ProfileEntry, SourceContext, SourceEvidence, SourceInfo, Summary,
        Suppression, SuppressionKind, Tool, Trend,
    };
    use crate::profile::Format;

    #[test]
    fn growth_per_hour() {
        for (growth, expected) in [
            (12.345, "+12.3"),
            (-3.0, "-3.0"),
            (-0.04, "0.0"),
            (0.0, "0.0"),
            (f64::NAN, "0.0"),
        ] {
            assert_eq!(per_hour(growth), expected, "{growth}");
        }
    }

    /// A report whose every string tries to smuggle markup or a fetch into the page.
    fn hostile_report() -> Report {
        let evil = "<script src=\"http://evil.example/x.js\"></script><img src=x onerror=alert(1)>\
                    <link rel=stylesheet href=https://evil.example/s.css> @import url(https://evil.example/)";
        let start = 1_795_809_600.0;
        let finding = |status: Status| {
            let finding = testing::finding()
                .id(format!("\"><b>{}", status.as_str()))
                .function(format!("main.F[go.shape.*uint8].(*T).Run {evil}"))
                .file(format!("svc/<a&b>/{evil}.go"))
                .line(42)
                .op(Op::Send)
                .goroutines(120)
                .total_goroutines(300)
                .profiles(3)
                .status(status)
                .stack(vec![
                    "runtime.gopark /go/src/runtime/proc.go:474".into(),
                    format!("main.F[...] {evil}:42"),
                ])
                .created_by(evil)
                .label(evil, evil)
                .max_wait_minutes(7)
                .leaked_goroutines(120)
                .confirmed(true)
                .trend(Trend::Growing)
                .growth_per_hour(40.0)
                .series(vec![
                    Point {
                        time: evil.into(),
                        unix_seconds: start,
                        goroutines: 60,
                    },
                    point(start + 3600.0, 120),
                ])
                .profile_file(evil)
                .source(SourceEvidence {
                    snippet: format!("ch <- v // {evil}"),
                    span: None,
                    context: Some(SourceContext {
                        first_line: 39,
                        lines: vec![format!("// {evil}"), format!("ch <- v // {evil}")],
                    }),
                    function: Some(evil.into()),
                    channel: Some(ChannelEvidence {
                        name: evil.into(),
                        line: 40,
                        capacity: Some(evil.into()),
                    }),
                    notes: vec![evil.into()],
                })
                .owners(vec![evil.into(), "@team".into()])
                .new(true);
            if status != Status::Suppressed {
                return finding.build();
            }
            finding
                .suppression(Suppression {
                    verified: None,
                    kind: SuppressionKind::Allowlist,
                    reason: evil.into(),
                    rule: Some(evil.into()),
                    owner: Some(evil.into()),
                })
                .build()
        };
        Report {
            schema_version: 1,
            id_version: crate::model::id::ID_VERSION,
            tool: Tool::default(),
            threshold: Some(100),
            source: Some(SourceInfo {
                repo: evil.into(),
                revision: Some(evil.into()),
                commit: Some(evil.into()),
                path_in_repository: Some(evil.into()),
                remote: Some(evil.into()),
            }),
            profiles: vec![ProfileEntry {
                path: evil.into(),
                format: Format::Pprof,
                goroutines: 500,
                time: Some(evil.into()),
                time_source: Some("profile"),
                threshold: None,
                evidence: false,
                instance: Some(evil.into()),
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
            lint: None,
        }
    }

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        write(report, &RenderOptions::default(), &mut out).expect("renders");
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
