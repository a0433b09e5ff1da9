//! GitHub Actions workflow commands: each reported finding as an `::error` or `::warning`
//! annotation on its line (with the operation's columns when the source was read), so a pull
//! request shows leaks in its diff without code scanning; the report's warnings and hints as
//! annotations without a place. Run `leakprof report --format github` as a step: the runner
//! reads the commands from the step's output.
//!
//! Escaping follows the runner: in a message `%`, CR and LF are percent-encoded; in a
//! property value `:` and `,` are too.

use std::io::{self, Write};

use super::present;
use super::sarif::rule_id;
use crate::kinds::{self, Level};
use crate::model::{Finding, Report, Status};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Reported)
    {
        write_finding(report, finding, out)?;
    }
    for warning in &report.warnings {
        let command = if warning.hides_proven_leak() {
            "error"
        } else {
            "warning"
        };
        let place = match super::warning_place(report, warning) {
            Some((file, line)) => format!("file={},line={line},", property(&file)),
            None => String::new(),
        };
        writeln!(
            out,
            "::{command} {place}title=leakprof::{}",
            data(&warning.to_string())
        )?;
    }
    for hint in &report.hints {
        writeln!(out, "::notice title=leakprof::{}", data(&hint.to_string()))?;
    }
    Ok(())
}

fn write_finding(report: &Report, finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let kind = present::kind(finding);
    let level = if finding.leaked_goroutines > 0 {
        Level::Error
    } else {
        kinds::for_op(finding.op.family()).level
    };
    let path = report
        .repository_path(finding)
        .unwrap_or_else(|| finding.file.clone());
    let mut properties = vec![
        format!("file={}", property(&path)),
        format!("line={}", finding.line.max(1)),
    ];
    let span = finding
        .source
        .as_ref()
        .and_then(|source| source.span)
        .filter(|span| span.start_line == finding.line);
    if let Some(span) = span {
        properties.push(format!("endLine={}", span.end_line));
        properties.push(format!("col={}", span.start_column));
        properties.push(format!("endColumn={}", span.end_column));
    }
    let title = format!(
        "{}: {} on {}",
        rule_id(finding.op),
        present::blocked(finding),
        kind.blocked_on
    );
    properties.push(format!("title={}", property(&title)));
    let mut message = format!(
        "{} on {} in {} (verdict: {})",
        present::blocked(finding),
        kind.blocked_on,
        present::safe(&finding.function),
        finding.verdict.as_str()
    );
    if let Some(pattern) = present::known_pattern(finding) {
        message.push_str(&format!("\nPattern {}", present::pattern_line(pattern)));
    }
    if let Some(at) = super::created_at_from_root(report, finding) {
        message.push_str(&format!("\nStarted at {at}"));
    }
    for fact in present::facts(finding)
        .into_iter()
        .chain(present::label_groups(finding, str::to_string))
    {
        message.push_str(&format!("\n{fact}"));
    }
    message.push_str(&format!(
        "\nHow to fix: {}\nMore: {}",
        kind.fix,
        present::explain_command(finding)
    ));
    let command = match level {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    writeln!(
        out,
        "::{command} {}::{}",
        properties.join(","),
        data(&message)
    )
}

/// A command's message: `%`, CR and LF percent-encoded, and any other control character
/// escaped ([`present::safe`]) so the log viewer shows it as text.
fn data(text: &str) -> String {
    let encoded = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    present::safe(&encoded).into_owned()
}

/// A property's value: as a message, and `:` and `,` too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(property("a,b: c%\n"), "a%2Cb%3A c%25%0A");
        assert_eq!(data("f\x1b[31m\u{202e}"), "f\\x1b[31m\\u{202e}");
    }
}
