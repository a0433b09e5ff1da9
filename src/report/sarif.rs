//! SARIF 2.1.0, the format GitHub code scanning and other viewers import. A few hand-written
//! serde structs cover the part of the standard leakprof fills in; the tests validate the output
//! against the final OASIS schema in `testdata/sarif/` and with Microsoft's SARIF Multitool.
//!
//! - **Rules.** One per leak kind, by the op's family: `nil_send` is a send and `range` and
//!   `nil_receive` are receives, so a place keeps its rule whatever profile format named it
//!   (and whether or not `--repo` told a range loop from a receive). The result's message and
//!   `properties.op` keep the precise op. Always all the rules, so rule indexes are stable.
//! - **Locations.** With `--repo`, URIs are relative to the repository's root (not to `--repo`,
//!   which may be a module of a monorepo) with `uriBaseId` `%SRCROOT%`, and regions give the
//!   operation's columns. A finding whose file is not in the repository is left out: one
//!   absolute `file://` URI makes code scanning reject the whole upload. Without `--repo`,
//!   locations are the build paths as `file://` URIs, which local viewers open and code
//!   scanning rejects (the report then carries a warning).
//! - **Suppressed findings.** Code scanning opens alerts for results whatever their
//!   `suppressions` say, so by default they are left out and counted in the run's properties;
//!   `--sarif-suppressed include` writes them with a `suppressions` entry.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::links::repository_uri;
use super::present;
use crate::blocking::Op;
use crate::config::RenderOptions;
use crate::kinds::{self, KindDoc, Level};
use crate::model::id;
use crate::model::{
    Finding, Pattern, PatternId, Report, SourceContext, SourceInfo, Span, Status, SuppressionKind,
};

/// The final schema, the one `testdata/sarif/` holds.
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/leakprof/leakprof";
/// Where the documentation of the rules is: a section of the README per rule.
const HELP_URI: &str = "https://github.com/leakprof/leakprof/blob/main/README.md";
/// The base every repository path is relative to: the repository's root.
const SRCROOT: &str = "%SRCROOT%";
/// GitHub code scanning accepts at most this many results in a run; findings come sorted by
/// verdict and goroutines, so the ones left out are the least sure and smallest.
const MAX_RESULTS: usize = 25_000;
const TAGS: [&str; 2] = ["goroutine-leak", "concurrency"];

/// The op of each rule, in the order of their ids (which is `ruleIndex`).
const RULES: [Op; 9] = [
    Op::Cond,
    Op::Mutex,
    Op::Receive,
    Op::RwMutex,
    Op::Select,
    Op::SelectNoCases,
    Op::Send,
    Op::Unknown,
    Op::WaitGroup,
];

/// Every op, to find the kinds a rule covers.
const OPS: [Op; 12] = [
    Op::Send,
    Op::Receive,
    Op::Range,
    Op::Select,
    Op::SelectNoCases,
    Op::NilSend,
    Op::NilReceive,
    Op::Unknown,
    Op::Mutex,
    Op::RwMutex,
    Op::WaitGroup,
    Op::Cond,
];

/// Writes `report` as a SARIF 2.1.0 log with one run, pretty-printed.
pub fn write(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [run(report, options)],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

fn run<'a>(report: &'a Report, options: &'a RenderOptions) -> Run<'a> {
    let with_source = report.source.is_some();
    let mut results = Vec::new();
    let mut left_out = 0usize;
    let mut unplaced = 0usize;
    for finding in super::shown(report, options.sarif_include_suppressed) {
        let path = report.repository_path(finding);
        if with_source && path.is_none() {
            unplaced += 1;
            continue;
        }
        if finding.file.is_empty() {
            // Code scanning refuses a result without a location.
            unplaced += 1;
            continue;
        }
        if results.len() < MAX_RESULTS {
            results.push(result(finding, path, report.source.as_ref()));
        } else {
            left_out += 1;
        }
    }

    let mut notifications: Vec<Notification> = report
        .warnings
        .iter()
        .map(|warning| Notification {
            level: "warning",
            message: Message {
                text: warning.to_string(),
            },
        })
        .chain(report.hints.iter().map(|hint| Notification {
            level: "note",
            message: Message {
                text: hint.to_string(),
            },
        }))
        .collect();
    if unplaced > 0 {
        notifications.push(Notification {
            level: "warning",
            message: Message {
                text: format!(
                    "{} left out: their files are not in the repository, and code scanning \
                     rejects a log with locations outside it (the JSON report has them)",
                    present::count(unplaced as u64, "finding")
                ),
            },
        });
    }
    if left_out > 0 {
        notifications.push(Notification {
            level: "warning",
            message: Message {
                text: format!(
                    "{} left out: GitHub code scanning accepts at most {MAX_RESULTS} results \
                     per run (the JSON report has them all)",
                    present::count(left_out as u64, "more finding")
                ),
            },
        });
    }

    let source = report.source.as_ref();
    let provenance = source.and_then(|source| {
        let uri = repository_uri(source.remote.as_deref()?)?;
        Some(VersionControl {
            repository_uri: uri,
            revision_id: source.commit.as_deref(),
            mapped_to: BaseLocation {
                uri_base_id: SRCROOT,
            },
        })
    });
    let suppressed = report.with_status(Status::Suppressed).len();
    Run {
        tool: Tool {
            driver: Driver {
                name: report.tool.name,
                version: report.tool.version,
                semantic_version: report.tool.version,
                information_uri: INFORMATION_URI,
                rules: RULES.iter().map(|&op| rule(op)).collect(),
            },
        },
        automation_details: options
            .sarif_automation_id
            .as_deref()
            .map(|id| AutomationDetails { id }),
        version_control_provenance: provenance.into_iter().collect(),
        original_uri_base_ids: source.map(|_| {
            BTreeMap::from([(
                SRCROOT,
                BaseDescription {
                    description: Message {
                        text: "The root of the repository that --repo is in.".to_string(),
                    },
                },
            )])
        }),
        invocations: [Invocation {
            execution_successful: true,
            tool_execution_notifications: notifications,
        }],
        results,
        properties: RunProperties {
            threshold: report.threshold_text(),
            revision: source.and_then(|source| source.commit.as_deref()),
            suppressed_results: suppressed,
            suppressed_results_included: options.sarif_include_suppressed,
            unplaced_results: unplaced,
        },
    }
}

fn result<'a>(
    finding: &'a Finding,
    path: Option<String>,
    info: Option<&SourceInfo>,
) -> SarifResult<'a> {
    let op = finding.op;
    let suppressions = match (&finding.status, &finding.suppression) {
        (Status::Suppressed, Some(suppression)) => vec![SarifSuppression {
            // An inline ignore lives in the source; everything else (allowlists and the
            // bounded-select heuristics) is decided outside it.
            kind: if suppression.kind == SuppressionKind::Inline {
                "inSource"
            } else {
                "external"
            },
            status: "accepted",
            justification: &suppression.reason,
            properties: SuppressionProperties {
                kind: suppression.kind.as_str(),
                rule: suppression.rule.as_deref(),
                owner: suppression.owner.as_deref(),
            },
        }],
        _ => Vec::new(),
    };
    let (uri, uri_base_id) = match path {
        Some(path) => (percent_encode(&path), Some(SRCROOT)),
        None => (file_uri(&finding.file), None),
    };
    let source = finding.source.as_ref();
    let context = source.and_then(|source| source.context.as_ref());
    let span = source
        .and_then(|source| source.span)
        .filter(|span| span.start_line == finding.line);
    // Columns in UTF-16 code units, SARIF's default (as the fixes count them); converted from
    // the span's code points on the lines the context holds.
    let columns = span.zip(context).and_then(|(span, context)| {
        let start = utf16_column(context, span.start_line, span.start_column)?;
        let end = utf16_column(context, span.end_line, span.end_column)?;
        Some((span, start, end))
    });
    let region = (finding.line > 0).then(|| Region {
        start_line: finding.line,
        start_column: columns.map(|(_, start, _)| start),
        end_line: columns.map(|(span, _, _)| span.end_line),
        end_column: columns.map(|(_, _, end)| end),
        snippet: columns
            .and_then(|(span, _, _)| context.and_then(|context| span_text(context, span)))
            .map(|text| Snippet { text }),
    });
    let context_region = context.map(|context| Region {
        start_line: context.first_line,
        start_column: None,
        end_line: Some(context.first_line + context.lines.len() as u32 - 1),
        end_column: None,
        snippet: Some(Snippet {
            text: context.lines.join("\n"),
        }),
    });
    let rule = op.family();
    let pattern = finding.pattern.as_ref();
    SarifResult {
        rule_id: rule_id(rule),
        rule_index: rule_index(rule),
        level: level(finding),
        message: Message {
            text: message(finding),
        },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri, uri_base_id },
                region,
                context_region,
            },
            logical_locations: [LogicalLocation {
                fully_qualified_name: &finding.function,
                kind: "function",
            }],
        }],
        related_locations: related_locations(finding, info),
        fixes: pattern
            .into_iter()
            .flat_map(|pattern| fixes(pattern, info))
            .collect(),
        partial_fingerprints: BTreeMap::from([(id::sarif_key(), finding.id.as_str())]),
        baseline_state: finding.new.map(|new| if new { "new" } else { "unchanged" }),
        suppressions,
        properties: ResultProperties {
            goroutines: finding.goroutines,
            total_goroutines: finding.total_goroutines,
            profiles: finding.profiles,
            op: op.as_str(),
            function: &finding.function,
            owners: &finding.owners,
            leaked_goroutines: finding.leaked_goroutines,
            confirmed: finding.confirmed,
            new: finding.new,
            trend: finding.trend.map(|trend| trend.as_str()),
            growth_per_hour: finding.growth_per_hour,
            verdict: finding.verdict.as_str(),
            notes: finding.notes.iter().map(ToString::to_string).collect(),
            created_at: finding.created_at.as_deref(),
            pattern: pattern.map(|pattern| pattern.id.as_str()),
            fix: pattern.map(|pattern| pattern.fix.summary.as_str()),
            no_patch: pattern.and_then(|pattern| pattern.fix.no_patch.as_deref()),
            runs_new_code: pattern.and_then(|pattern| pattern.fix.runs_new_code.as_deref()),
        },
    }
}

/// Where a file the source stage names (relative to `--repo`) is, as SARIF says it: from the
/// repository's root under `%SRCROOT%` with `--repo`; an absolute path outside the
/// repository only without it (code scanning rejects a log with one).
fn artifact(file: &str, source: Option<&SourceInfo>) -> Option<ArtifactLocation> {
    let absolute = file.starts_with('/') || file.get(1..3).is_some_and(|s| s == ":/" || s == ":\\");
    match source {
        Some(source) if !absolute => Some(ArtifactLocation {
            uri: percent_encode(&source.from_root(file)),
            uri_base_id: Some(SRCROOT),
        }),
        Some(_) => None,
        None => Some(ArtifactLocation {
            uri: file_uri(file),
            uri_base_id: None,
        }),
    }
}

/// The lines of the pattern's case, and where the goroutine was started.
fn related_locations(finding: &Finding, source: Option<&SourceInfo>) -> Vec<RelatedLocation> {
    let mut related = Vec::new();
    if let Some(pattern) = &finding.pattern {
        for line in &pattern.evidence {
            related.push((line.file.as_str(), line.line, line.text.clone()));
        }
    }
    let started = finding
        .created_at
        .as_deref()
        .and_then(|at| at.rsplit_once(':'))
        .and_then(|(file, line)| Some((file, line.parse::<u32>().ok()?)));
    if let Some((file, line)) = started {
        if !related.iter().any(|(f, l, _)| *f == file && *l == line) {
            related.push((file, line, "the goroutine is started here".to_string()));
        }
    }
    related
        .into_iter()
        .filter(|(file, line, _)| !file.is_empty() && *line > 0)
        .filter_map(|(file, line, text)| Some((artifact(file, source)?, line, text)))
        .enumerate()
        .map(|(index, (artifact_location, line, text))| RelatedLocation {
            id: index + 1,
            physical_location: PhysicalLocation {
                artifact_location,
                region: Some(Region {
                    start_line: line,
                    start_column: None,
                    end_line: None,
                    end_column: None,
                    snippet: None,
                }),
                context_region: None,
            },
            message: Message { text },
        })
        .collect()
}

/// The pattern's patch as a SARIF fix: its edits as replacements, by file.
fn fixes<'a>(pattern: &'a Pattern, source: Option<&SourceInfo>) -> Option<SarifFix<'a>> {
    if pattern.fix.edits.is_empty() {
        return None;
    }
    let mut by_file: BTreeMap<&str, Vec<Replacement<'_>>> = BTreeMap::new();
    for edit in &pattern.fix.edits {
        by_file.entry(&edit.file).or_default().push(Replacement {
            deleted_region: ChangedRegion {
                start_line: edit.start.line,
                start_column: edit.start.column,
                end_line: edit.end.line,
                end_column: edit.end.column,
            },
            inserted_content: Content { text: &edit.text },
        });
    }
    let artifact_changes: Vec<ArtifactChange<'a>> = by_file
        .into_iter()
        .filter_map(|(file, replacements)| {
            Some(ArtifactChange {
                artifact_location: artifact(file, source)?,
                replacements,
            })
        })
        .collect();
    (!artifact_changes.is_empty()).then(|| SarifFix {
        description: Message {
            text: pattern.fix.summary.clone(),
        },
        artifact_changes,
    })
}

/// The UTF-16 column of code-point `column` on `line`, when `context` holds the line.
fn utf16_column(context: &SourceContext, line: u32, column: u32) -> Option<u32> {
    let text = context
        .lines
        .get(line.checked_sub(context.first_line)? as usize)?;
    let before: usize = text
        .chars()
        .take(column.saturating_sub(1) as usize)
        .map(char::len_utf16)
        .sum();
    Some(before as u32 + 1)
}

/// The rule's level; a leak the garbage collector proved is an error whatever its kind.
fn level(finding: &Finding) -> &'static str {
    if finding.leaked_goroutines > 0 {
        Level::Error.as_str()
    } else {
        kinds::for_op(finding.op.family()).level.as_str()
    }
}

/// The text of `span` when `context` holds its lines.
fn span_text(context: &SourceContext, span: Span) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in span.start_line..=span.end_line {
        let index = line.checked_sub(context.first_line)? as usize;
        let text = context.lines.get(index)?;
        let from = if line == span.start_line {
            span.start_column as usize - 1
        } else {
            0
        };
        let to = if line == span.end_line {
            span.end_column as usize - 1
        } else {
            text.chars().count()
        };
        lines.push(
            text.chars()
                .skip(from)
                .take(to.saturating_sub(from))
                .collect(),
        );
    }
    Some(lines.join("\n"))
}

/// `200 goroutines blocked on send in main.timeoutLeak.func1 (leaks.go:40)`.
fn message(finding: &Finding) -> String {
    let count = present::count(finding.goroutines, "goroutine");
    let name = finding.file.rsplit(['/', '\\']).next().unwrap_or("");
    let place = match (name.is_empty(), finding.line) {
        (true, _) => String::new(),
        (false, 0) => format!(" ({name})"),
        (false, line) => format!(" ({name}:{line})"),
    };
    let leaked = match finding.leaked_goroutines {
        0 => String::new(),
        n => format!("; the garbage collector proved {n} of them leaked"),
    };
    let pattern = match finding
        .pattern
        .as_ref()
        .filter(|p| p.id != PatternId::Other)
    {
        Some(pattern) => format!("; {}: {}", pattern.id, pattern.fix.summary),
        None => String::new(),
    };
    format!(
        "{count} blocked on {} in {}{place}{leaked}{pattern}",
        kinds::for_op(finding.op).blocked_on,
        finding.function
    )
}

/// An absolute build path becomes a `file://` URI; a module path (`-trimpath`) stays a
/// relative reference. Characters a URI cannot hold are percent-encoded.
fn file_uri(file: &str) -> String {
    if file.starts_with('/') {
        return format!("file://{}", percent_encode(file));
    }
    let bytes = file.as_bytes();
    let windows_drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'/' | b'\\');
    if windows_drive {
        let rest = file[2..].replace('\\', "/");
        return format!("file:///{}:{}", &file[..1], percent_encode(&rest));
    }
    percent_encode(file)
}

/// Keeps the characters RFC 3986 allows in a path as they are, except `:` (which would make
/// the first segment of a relative path read as a scheme), and percent-encodes every other
/// byte.
fn percent_encode(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'/' | b'-'
                    | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// `leakprof/send`: the rule of an op's family.
pub fn rule_id(op: Op) -> String {
    format!("leakprof/{}", op.family().as_str())
}

/// The rule's position in `RULES`; a new family does not compile until it has one.
fn rule_index(op: Op) -> usize {
    match op.family() {
        Op::Cond => 0,
        Op::Mutex => 1,
        Op::Receive | Op::Range | Op::NilReceive => 2,
        Op::RwMutex => 3,
        Op::Select => 4,
        Op::SelectNoCases => 5,
        Op::Send | Op::NilSend => 6,
        Op::Unknown => 7,
        Op::WaitGroup => 8,
    }
}

/// How often a rule's results are real leaks (`precision`, as code scanning reads it) and how
/// bad one is (`problem.severity`). Many goroutines parked at one send or receive are rarely
/// anything else; a select may be a worker's idle loop whose exit leakprof could not see;
/// `select {}` is often kept on purpose in `main`; `unknown` comes from a profile that
/// hides the operation. A wait on a mutex, WaitGroup or Cond is reported only when the
/// garbage collector proved it leaked.
fn precision_and_severity(op: Op) -> (&'static str, &'static str) {
    match op.family() {
        Op::Send | Op::NilSend | Op::Receive | Op::Range | Op::NilReceive => ("high", "error"),
        Op::Select => ("medium", "error"),
        Op::SelectNoCases => ("medium", "warning"),
        Op::Unknown => ("low", "warning"),
        Op::Mutex | Op::RwMutex | Op::WaitGroup | Op::Cond => ("very-high", "error"),
    }
}

/// The anchor of the rule's section in the README, as GitHub makes it from the heading
/// `#### Rule leakprof/send`.
pub fn help_anchor(op: Op) -> String {
    format!("rule-leakprof{}", op.family().as_str())
}

fn rule(op: Op) -> Rule {
    let doc = kinds::for_op(op);
    let members: Vec<&'static KindDoc> = OPS
        .iter()
        .filter(|&&member| member != op && member.family() == op)
        .map(|&member| kinds::for_op(member))
        .collect();
    let full = doc.full();
    let mut text = format!("{full}\n\nHow to fix: {}", doc.fix);
    let mut markdown = format!(
        "{full}\n\n**How to fix.** {}\n\n```go\n{}\n```\n",
        doc.fix, doc.example
    );
    for member in &members {
        text.push_str(&format!(
            "\n\nAlso under this rule, {}: {} How to fix: {}",
            member.id,
            member.full(),
            member.fix
        ));
        markdown.push_str(&format!(
            "\n### Also under this rule: `{}`\n\n{}\n\n**How to fix.** {}\n\n```go\n{}\n```\n",
            member.id,
            member.full(),
            member.fix,
            member.example
        ));
    }
    let (precision, severity) = precision_and_severity(op);
    Rule {
        id: rule_id(op),
        name: doc.name,
        short_description: Text {
            text: doc.short.to_string(),
        },
        full_description: Text { text: full },
        help: Help { text, markdown },
        help_uri: format!("{HELP_URI}#{}", help_anchor(op)),
        default_configuration: Configuration {
            level: doc.level.as_str(),
        },
        properties: RuleProperties {
            tags: TAGS,
            precision,
            problem_severity: severity,
        },
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<AutomationDetails<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    version_control_provenance: Vec<VersionControl<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, BaseDescription>>,
    invocations: [Invocation; 1],
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct AutomationDetails<'a> {
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionControl<'a> {
    repository_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision_id: Option<&'a str>,
    /// Result locations are relative to `%SRCROOT%`, which is this repository's root.
    mapped_to: BaseLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BaseLocation {
    uri_base_id: &'static str,
}

#[derive(Serialize)]
struct BaseDescription {
    description: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    /// `100`, or `auto` when each profile set its own.
    threshold: String,
    /// The commit the source was read at (`--repo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<&'a str>,
    /// Suppressed findings, whether or not they are among the results.
    suppressed_results: usize,
    /// `--sarif-suppressed include`.
    suppressed_results_included: bool,
    /// Findings left out because their files are not in the repository.
    #[serde(skip_serializing_if = "is_zero")]
    unplaced_results: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location<'a>>,
    /// The lines of the leak pattern's case.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    /// The pattern's patch, when the fix is mechanical.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    /// The finding's id, which code scanning uses to follow a result from run to run, under a
    /// key that names the id recipe's version.
    partial_fingerprints: BTreeMap<String, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
    /// The lines around the operation, for viewers without the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    context_region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Snippet>,
}

#[derive(Serialize)]
struct Snippet {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    message: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: ChangedRegion,
    inserted_content: Content<'a>,
}

/// Lines and columns (1-based, UTF-16 code units, SARIF's default) of text to replace; empty
/// for an insertion.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangedRegion {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
struct Content<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct SarifSuppression<'a> {
    /// `inSource` or `external`.
    kind: &'static str,
    /// Final SARIF 2.1.0 (errata01) names it `status`; drafts said `state`.
    status: &'static str,
    justification: &'a str,
    properties: SuppressionProperties<'a>,
}

/// leakprof's own view of the suppression, as in the JSON report.
#[derive(Serialize)]
struct SuppressionProperties<'a> {
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    goroutines: u64,
    total_goroutines: u64,
    profiles: u32,
    /// The op as the finding names it (`nil_send`, `range`, …), finer than the rule.
    op: &'static str,
    function: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    owners: &'a [String],
    leaked_goroutines: u64,
    confirmed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trend: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    growth_per_hour: Option<f64>,
    verdict: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    /// `file:line` of the `go` statement that started the goroutines.
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<&'a str>,
    /// The leak pattern (`timeout`, `ncast`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<&'static str>,
    /// The fix in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    no_patch: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    runs_new_code: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SourceEvidence, Suppression, SuppressionKind, testing};

    #[test]
    fn rules_are_sorted_and_indexed() {
        let ids: Vec<String> = RULES.iter().map(|&op| rule_id(op)).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for (index, &op) in RULES.iter().enumerate() {
            assert_eq!(rule_index(op), index, "{op:?}");
        }
        // Every op has the rule of its family, whatever format named it.
        for op in OPS {
            assert_eq!(RULES[rule_index(op)], op.family(), "{op:?}");
            assert_eq!(rule_id(op), rule_id(op.family()), "{op:?}");
        }
    }

    #[test]
    fn rule_docs_fit_code_scanning() {
        for op in RULES {
            let rule = rule(op);
            assert!(rule.id.len() <= 255, "{}", rule.id);
            let first = rule.name.chars().next().unwrap_or(' ');
            assert!(first.is_ascii_uppercase() && !rule.name.contains(['_', ' ', '-']));
            for text in [&rule.short_description.text, &rule.full_description.text] {
                assert!(text.ends_with('.') && !text.contains("  "), "{text:?}");
            }
        }
        // A rule's help covers every kind under it.
        let receive = rule(Op::Receive);
        for member in ["`range`", "`nil_receive`"] {
            assert!(receive.help.markdown.contains(member), "{member}");
        }
        assert!(rule(Op::Send).help.markdown.contains("`nil_send`"));
        assert!(
            !rule(Op::Select)
                .help
                .markdown
                .contains("Also under this rule")
        );
    }

    /// 150 goroutines blocked on a send at `svc/leaks.go:7`, in 300 over two profiles.
    fn finding() -> Finding {
        testing::finding()
            .id("0123456789abcdef")
            .file("svc/leaks.go")
            .line(7)
            .goroutines(150)
            .total_goroutines(300)
            .profiles(2)
            .build()
    }

    #[test]
    fn results() {
        /// `expected` null: the member is absent.
        fn check(change: fn(&mut Finding), pointer: &str, expected: serde_json::Value) {
            let mut finding = finding();
            change(&mut finding);
            let result = serde_json::to_value(result(&finding, None, None)).unwrap();
            let found = result.pointer(pointer).unwrap_or(&serde_json::Value::Null);
            assert_eq!(found, &expected, "{pointer} in {result}");
        }
        use serde_json::json;
        check(
            |_| {},
            "/message/text",
            json!("150 goroutines blocked on send in main.f (leaks.go:7)"),
        );
        check(|_| {}, "/level", json!("error"));
        check(
            |f| {
                f.op = Op::Unknown;
                f.goroutines = 1;
                f.file = String::new();
            },
            "/message/text",
            json!("1 goroutine blocked on a channel operation in main.f"),
        );
        check(|f| f.op = Op::Unknown, "/level", json!("warning"));
        // A leak the GC proved is an error whatever the rule's level.
        check(
            |f| {
                f.op = Op::SelectNoCases;
                f.leaked_goroutines = 2;
            },
            "/level",
            json!("error"),
        );
        check(|f| f.op = Op::NilSend, "/ruleId", json!("leakprof/send"));
        check(|f| f.op = Op::NilSend, "/properties/op", json!("nil_send"));
        check(|f| f.op = Op::Range, "/ruleId", json!("leakprof/receive"));
        check(
            |f| f.line = 0,
            "/locations/0/physicalLocation",
            json!({"artifactLocation": {"uri": "svc/leaks.go"}}),
        );
        check(
            |f| f.leaked_goroutines = 3,
            "/message/text",
            json!(
                "150 goroutines blocked on send in main.f (leaks.go:7); the garbage collector proved 3 of them leaked"
            ),
        );
        check(
            |f| {
                f.status = Status::Suppressed;
                f.suppression = Some(Suppression {
                    verified: None,
                    kind: SuppressionKind::Inline,
                    reason: "drained at shutdown".into(),
                    rule: None,
                    owner: None,
                });
            },
            "/suppressions",
            json!([{"kind": "inSource", "status": "accepted", "justification": "drained at shutdown", "properties": {"kind": "inline"}}]),
        );
        check(|f| f.new = Some(true), "/baselineState", json!("new"));
        check(|f| f.new = Some(false), "/properties/new", json!(false));
        check(
            |f| f.owners = vec!["@team".into()],
            "/properties/owners",
            json!(["@team"]),
        );
        check(
            |_| {},
            "/partialFingerprints",
            json!({"leakprof/v3": "0123456789abcdef"}),
        );
        check(
            |_| {},
            "/locations/0/logicalLocations",
            json!([{"fullyQualifiedName": "main.f", "kind": "function"}]),
        );
    }

    /// With the source: the span's columns, its text as the snippet, and the lines around it
    /// as the context region.
    #[test]
    fn regions_from_the_source() {
        let mut finding = finding();
        finding.source = Some(SourceEvidence {
            snippet: "done <- v".into(),
            span: Some(Span {
                start_line: 7,
                start_column: 3,
                end_line: 7,
                end_column: 12,
            }),
            context: Some(SourceContext {
                first_line: 6,
                lines: vec![
                    "\tgo func() {".into(),
                    "\t\tdone <- v // é".into(),
                    "\t}()".into(),
                ],
            }),
            function: None,
            channel: None,
            notes: Vec::new(),
        });
        let result =
            serde_json::to_value(result(&finding, Some("svc/leaks.go".into()), None)).unwrap();
        assert_eq!(
            result["locations"][0]["physicalLocation"],
            serde_json::json!({
                "artifactLocation": {"uri": "svc/leaks.go", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 7, "startColumn": 3, "endLine": 7, "endColumn": 12,
                           "snippet": {"text": "done <- v"}},
                "contextRegion": {"startLine": 6, "endLine": 8,
                                  "snippet": {"text": "\tgo func() {\n\t\tdone <- v // é\n\t}()"}},
            })
        );
    }

    /// Region columns count UTF-16 code units: a character outside the BMP takes two.
    #[test]
    fn utf16_columns() {
        let context = SourceContext {
            first_line: 7,
            lines: vec!["s := \"😀\"; ch <- s".into(), "é <- x".into()],
        };
        assert_eq!(utf16_column(&context, 7, 1), Some(1));
        // `ch` is the 11th code point, after an emoji of two UTF-16 units.
        assert_eq!(utf16_column(&context, 7, 11), Some(12));
        assert_eq!(utf16_column(&context, 8, 3), Some(3));
        assert_eq!(utf16_column(&context, 9, 1), None);
        assert_eq!(utf16_column(&context, 6, 1), None);
    }

    #[test]
    fn span_texts() {
        let context = SourceContext {
            first_line: 10,
            lines: vec![
                "a := é + <-ch".into(),
                "for x := range".into(),
                "  ch {".into(),
            ],
        };
        let span = |start_line, start_column, end_line, end_column| Span {
            start_line,
            start_column,
            end_line,
            end_column,
        };
        assert_eq!(
            span_text(&context, span(10, 10, 10, 14)).as_deref(),
            Some("<-ch")
        );
        assert_eq!(
            span_text(&context, span(11, 1, 12, 5)).as_deref(),
            Some("for x := range\n  ch")
        );
        assert_eq!(span_text(&context, span(9, 1, 9, 2)), None);
        assert_eq!(span_text(&context, span(12, 1, 13, 2)), None);
    }

    #[test]
    fn file_uris() {
        fn check(file: &str, expected: &str) {
            assert_eq!(file_uri(file), expected, "{file:?}");
        }
        check("testdata/leaky/leaks.go", "testdata/leaky/leaks.go");
        check("/home/ci/app/leaks.go", "file:///home/ci/app/leaks.go");
        check("/tmp/my app/x.go", "file:///tmp/my%20app/x.go");
        check("example.com/app/pkg/x.go", "example.com/app/pkg/x.go");
        check("a:b/x.go", "a%3Ab/x.go");
        check("C:/src/app/x.go", "file:///C:/src/app/x.go");
        check(r"C:\src\app\x.go", "file:///C:/src/app/x.go");
        check("/src/100%/é.go", "file:///src/100%25/%C3%A9.go");
    }
}
