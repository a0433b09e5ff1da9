//! The report as Markdown, fit for a pull-request comment or an issue filed to a service's
//! owners: a one-line summary, a table of reported findings, each finding's source lines and
//! example stack, and the suppressed findings folded away with their reasons.
//!
//! A comment is posted again on every run, so it must not notify anyone by itself: code
//! owners are written as code (`` `@team` ``) unless `--mention-owners`, and an `@` in any
//! other text (a rule's reason, a warning) is kept from forming a mention. Places link to the
//! source at the commit that was checked when [`Links`] can make a link.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::links::Links;
use super::present::{self, count, safe, safe_lines};
use crate::config::RenderOptions;
use crate::kinds;
use crate::model::{Finding, FoundBy, Pattern, Report, Status};

/// What every part of the comment needs besides the finding.
struct Page<'a> {
    report: &'a Report,
    options: &'a RenderOptions,
    links: Option<Links>,
}

pub fn write(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let page = Page {
        report,
        options,
        links: Links::new(report, options),
    };
    let reported: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Reported)
        .collect();
    let with_status = |status: Status| report.with_status(status).len();
    let baseline = report.findings.iter().any(|f| f.new.is_some());

    let lint = present::is_lint_report(report);
    if lint {
        writeln!(
            out,
            "## leakprof lint: {}",
            present::lint_headline(report, reported.len())
        )?;
    } else {
        writeln!(
            out,
            "## leakprof: {}",
            present::headline(present::profile_findings(&reported))
        )?;
    }
    writeln!(out)?;
    let mut summary = vec![format!("{} reported", reported.len())];
    if baseline {
        summary.push(format!("{} new", report.summary.new_reported));
    }
    summary.push(format!("{} suppressed", with_status(Status::Suppressed)));
    let mut line = if lint {
        format!("{}. Found in the source alone", summary.join(", "))
    } else {
        summary.push(format!(
            "{} below the threshold of {}",
            with_status(Status::BelowThreshold),
            present::threshold(report)
        ));
        format!(
            "{}. {} in {}",
            summary.join(", "),
            count(report.summary.goroutines, "goroutine"),
            present::profiles(report)
        )
    };
    if let Some(evidence) = present::evidence(report) {
        line.push_str(&format!(" and {evidence}"));
    }
    if let Some(source) = &report.source {
        match (&source.revision, &source.commit) {
            (Some(revision), Some(commit)) => {
                line.push_str(&format!(
                    ", source checked at `{}` ({})",
                    &commit[..commit.len().min(12)],
                    text(revision)
                ));
            }
            _ => line.push_str(", source checked in a plain folder"),
        }
    }
    writeln!(out, "{line}.")?;
    if let Some(lint) = present::lint_line(report) {
        writeln!(out)?;
        writeln!(out, "{}.", text(&lint))?;
    }
    for hint in &report.hints {
        writeln!(out)?;
        writeln!(out, "> **Hint:** {}.", text(&hint.to_string()))?;
    }

    let trends = reported.iter().any(|finding| finding.trend.is_some());
    if !reported.is_empty() {
        writeln!(out)?;
        let (trend_head, trend_rule) = if trends {
            (" Trend |", "---|")
        } else {
            ("", "")
        };
        let amount = if lint { "Found by" } else { "Goroutines" };
        if baseline {
            writeln!(
                out,
                "| | Place | Op | Pattern | {amount} | Verdict | Owners |{trend_head}"
            )?;
            writeln!(out, "|---|---|---|---|---:|---|---|{trend_rule}")?;
        } else {
            writeln!(
                out,
                "| Place | Op | Pattern | {amount} | Verdict | Owners |{trend_head}"
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
                "| {new}{} | {} | {} | {} | {} | {} |{trend}",
                page.place(finding),
                finding.op.as_str(),
                finding
                    .pattern
                    .as_ref()
                    .map_or("", |pattern| pattern.id.as_str()),
                cell_amount(finding),
                finding.verdict.as_str(),
                page.owners(&finding.owners, " "),
            )?;
        }
    }

    // Findings grouped by owner, so each team reads its own.
    let mut groups: BTreeMap<(bool, Vec<String>), Vec<&Finding>> = BTreeMap::new();
    for finding in &reported {
        let key = (finding.owners.is_empty(), finding.owners.clone());
        groups.entry(key).or_default().push(finding);
    }
    let grouped = groups.len() > 1 || groups.keys().any(|(unowned, _)| !unowned);
    for ((unowned, owner_list), findings) in &groups {
        if grouped {
            writeln!(out)?;
            if *unowned {
                writeln!(out, "### No code owner")?;
            } else {
                writeln!(out, "### Owned by {}", page.owners(owner_list, " "))?;
            }
        }
        for finding in findings {
            page.write_finding(finding, out, if grouped { "####" } else { "###" })?;
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
            count(suppressed.len() as u64, "finding")
        )?;
        writeln!(out)?;
        writeln!(out, "| Place | Op | Goroutines | Kind | Why |")?;
        writeln!(out, "|---|---|---:|---|---|")?;
        for finding in suppressed {
            let (kind, reason) = match &finding.suppression {
                Some(suppression) => {
                    let kind = match &suppression.rule {
                        Some(rule) => format!("{} {}", suppression.kind, code(rule)),
                        None => suppression.kind.to_string(),
                    };
                    (kind, suppression.reason.clone())
                }
                None => (String::new(), String::new()),
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                page.place(finding),
                finding.op.as_str(),
                cell_amount(finding),
                kind,
                cell(&text(&reason))
            )?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }

    if !report.warnings.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>{}</summary>",
            count(report.warnings.len() as u64, "warning")
        )?;
        writeln!(out)?;
        for warning in &report.warnings {
            writeln!(out, "- {}", text(&warning.to_string()).replace('\n', " "))?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    Ok(())
}

impl Page<'_> {
    /// `` `file:line` ``, linked to the source when it can be.
    fn place(&self, finding: &Finding) -> String {
        let place = code(&format!("{}:{}", finding.file, finding.line));
        match self
            .links
            .as_ref()
            .and_then(|links| links.place(self.report, finding))
        {
            Some(url) => format!("[{place}]({})", url.replace(')', "%29").replace(' ', "%20")),
            None => place,
        }
    }

    /// Owners as code, which notifies nobody, or as mentions with `--mention-owners`.
    fn owners(&self, owners: &[String], separator: &str) -> String {
        let shown: Vec<String> = owners
            .iter()
            .map(|owner| {
                if self.options.mention_owners {
                    cell(owner)
                } else {
                    code(owner)
                }
            })
            .collect();
        shown.join(separator)
    }

    fn write_finding(
        &self,
        finding: &Finding,
        out: &mut dyn Write,
        heading: &str,
    ) -> io::Result<()> {
        writeln!(out)?;
        writeln!(
            out,
            "{heading} {}: {} on {}",
            code(&finding.function),
            present::blocked(finding),
            finding.op.as_str()
        )?;
        writeln!(out)?;
        let mut facts = vec![self.place(finding)];
        facts.extend(
            present::started_at(finding).map(|started| match &finding.created_at {
                Some(at) => format!("started at {}", code(at)),
                None => started,
            }),
        );
        facts.push(format!("verdict **{}**", finding.verdict.as_str()));
        if !finding.owners.is_empty() {
            facts.push(format!("owners {}", self.owners(&finding.owners, " ")));
        }
        facts.extend(present::facts(finding));
        facts.extend(present::labels(finding).map(|labels| code(&labels)));
        facts.extend(present::trend(finding));
        facts.extend(present::instances(finding, code));
        facts.extend(present::label_groups(finding, code));
        facts.extend(present::finding_channel(finding, code));
        writeln!(out, "{}", facts.join(" · "))?;
        if !finding.notes.is_empty() {
            writeln!(out)?;
            for note in &finding.notes {
                writeln!(out, "- {}", text(&note.to_string()))?;
            }
        }
        if let Some(source) = &finding.source {
            writeln!(out)?;
            let fence = fence(
                source
                    .context
                    .iter()
                    .flat_map(|context| &context.lines)
                    .map(String::as_str)
                    .chain([source.snippet.as_str()]),
            );
            writeln!(out, "{fence}go")?;
            match &source.context {
                Some(context) => {
                    let lines: Vec<(u32, &str)> = context.numbered().collect();
                    let indent = common_indent(lines.iter().map(|(_, line)| *line));
                    for (number, line) in lines {
                        let line = line.get(indent..).unwrap_or(line.trim_start());
                        if number == finding.line {
                            let here = match finding.found_by {
                                FoundBy::Profile => count(finding.goroutines, "goroutine"),
                                FoundBy::Lint => "can block forever".to_string(),
                            };
                            writeln!(out, "{} // ← {here} here", safe(line))?;
                        } else {
                            writeln!(out, "{}", safe(line))?;
                        }
                    }
                }
                None => writeln!(out, "{}", safe(&source.snippet))?,
            }
            writeln!(out, "{fence}")?;
        }
        if let Some(pattern) = present::known_pattern(finding) {
            write_pattern(finding, pattern, out)?;
        }
        writeln!(out)?;
        writeln!(out, "<details><summary>Example stack</summary>")?;
        writeln!(out)?;
        let stack = present::stack(finding);
        let fence = fence(stack.frames.iter().copied().chain(stack.created_by));
        writeln!(out, "{fence}")?;
        for frame in &stack.frames {
            writeln!(out, "{}", safe(frame))?;
        }
        if let Some(more) = stack.more_text() {
            writeln!(out, "{more}")?;
        }
        if let Some(creator) = stack.created_by {
            writeln!(out, "created by {}", safe(creator))?;
        }
        writeln!(out, "{fence}")?;
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
}

/// The pattern, its evidence, the fix, and the patch folded away.
fn write_pattern(finding: &Finding, pattern: &Pattern, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "**Pattern {}**: {}",
        code(pattern.id.as_str()),
        kinds::for_pattern(pattern.id).short
    )?;
    writeln!(out)?;
    for line in &pattern.evidence {
        writeln!(
            out,
            "- {} {}",
            code(&present::evidence_place(finding, &line.file, line.line)),
            text(&line.text.replace('\n', " "))
        )?;
    }
    writeln!(out)?;
    writeln!(out, "**Fix:** {}.", safe(&pattern.fix.summary))?;
    if let Some(runs) = &pattern.fix.runs_new_code {
        writeln!(out)?;
        writeln!(out, "> **Careful:** {}.", safe(runs))?;
    }
    match (&pattern.fix.patch, &pattern.fix.no_patch) {
        (Some(patch), _) => {
            writeln!(out)?;
            writeln!(
                out,
                "<details><summary>Patch (<code>leakprof fix</code> writes them all)</summary>"
            )?;
            writeln!(out)?;
            let fence = fence(patch.lines());
            writeln!(out, "{fence}diff")?;
            write!(out, "{}", safe_lines(patch))?;
            writeln!(out, "{fence}")?;
            writeln!(out)?;
            writeln!(out, "</details>")?;
        }
        (None, Some(why)) => {
            writeln!(out)?;
            writeln!(out, "No patch: {}.", safe(why))?;
        }
        (None, None) => {}
    }
    Ok(())
}

/// Leading white space every non-blank line shares, in bytes.
fn common_indent<'a>(lines: impl Iterator<Item = &'a str>) -> usize {
    let mut common: Option<&str> = None;
    for line in lines.filter(|line| !line.trim().is_empty()) {
        let indent = &line[..line.len() - line.trim_start().len()];
        common = Some(match common {
            None => indent,
            Some(common) => {
                let shared = common
                    .bytes()
                    .zip(indent.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                &common[..shared]
            }
        });
    }
    common.map_or(0, str::len)
}

/// A code fence longer than any run of backticks in `lines`, so source text cannot end it.
fn fence<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let longest = lines
        .flat_map(|line| line.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// `text` as inline code, safe in a table cell: a code span cannot hold its own backticks
/// unless its delimiters are longer, and `|` would end the cell.
fn code(text: &str) -> String {
    let text = safe(text).replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    if longest > 0 || text.starts_with(' ') || text.ends_with(' ') {
        format!("{ticks} {text} {ticks}")
    } else {
        format!("{ticks}{text}{ticks}")
    }
}

/// Free text that comes from outside (a rule's reason, a warning): an `@` followed by a name
/// would notify that user or team each time the comment is posted, so a zero-width space (an
/// HTML entity, invisible) goes between them; a `<` or `&` that would start a tag or an
/// entity is escaped (`<-ch` stays as it is).
fn text(text: &str) -> String {
    let text = safe_lines(text);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match c {
            '<' if next
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) =>
            {
                out.push_str("&lt;")
            }
            '&' if next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#') => {
                out.push_str("&amp;")
            }
            '@' if next.is_some_and(|n| n.is_ascii_alphanumeric()) => out.push_str("@&#8203;"),
            c => out.push(c),
        }
    }
    out
}

/// Text safe inside a table cell.
fn cell(text: &str) -> String {
    safe(text).replace('|', "\\|")
}

/// A table cell of the finding's size: the goroutine count, or `lint`.
fn cell_amount(finding: &Finding) -> String {
    match finding.found_by {
        FoundBy::Profile => finding.goroutines.to_string(),
        FoundBy::Lint => "lint".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans() {
        assert_eq!(code("main.f"), "`main.f`");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x `y` z"), "`` x `y` z ``");
        assert_eq!(code("@team"), "`@team`");
    }

    #[test]
    fn mentions_do_not_form_in_text() {
        assert_eq!(text("ask @bob, or a@b"), "ask @&#8203;bob, or a@&#8203;b");
        assert_eq!(
            text("@ alone, <b>&amp; <-ch & x"),
            "@ alone, &lt;b>&amp;amp; <-ch & x"
        );
    }

    #[test]
    fn fences_outgrow_the_code() {
        assert_eq!(fence(["a", "b"].into_iter()), "```");
        assert_eq!(fence(["s := `raw`", "```"].into_iter()), "````");
    }

    #[test]
    fn indents() {
        assert_eq!(
            common_indent(["\t\ta", "\t\t\tb", "", "\t\tc"].into_iter()),
            2
        );
        assert_eq!(common_indent(["\ta", "  b"].into_iter()), 0);
        assert_eq!(common_indent(std::iter::empty()), 0);
    }
}
