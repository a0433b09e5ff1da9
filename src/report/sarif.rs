//! SARIF 2.1.0, the format GitHub code scanning and other viewers import. A few hand-written
//! serde structs cover the part of the standard leakprof fills in; the tests validate the output
//! against the OASIS schema in `testdata/sarif/`.
//!
//! One rule per kind of channel operation (`leakprof/send`, …), always all of them, so rule
//! indexes are stable. Findings that are reported or suppressed become results, in report
//! order; suppressed ones carry a SARIF `suppressions` entry. Locations are repository-relative
//! only when the report was made with `--repo`: GitHub code scanning places results by
//! repo-relative paths, so a report made without `--repo` (absolute build paths, emitted as
//! `file://` URIs) is valid SARIF but shows no annotations there.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::blocking::Op;
use crate::kinds;
use crate::model::id;
use crate::model::{Finding, Report, Status, SuppressionKind};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/leakprof/leakprof";
/// GitHub code scanning accepts at most this many results in a run; findings come sorted by
/// goroutines, so the ones left out are the smallest.
const MAX_RESULTS: usize = 25_000;
const TAGS: [&str; 2] = ["goroutine-leak", "concurrency"];

/// Every op, in the order of their rule ids (which is `rule_index`).
const OPS: [Op; 8] = [
    Op::NilReceive,
    Op::NilSend,
    Op::Range,
    Op::Receive,
    Op::Select,
    Op::SelectNoCases,
    Op::Send,
    Op::Unknown,
];

/// Writes `report` as a SARIF 2.1.0 log with one run, pretty-printed.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [run(report)],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

fn run(report: &Report) -> Run<'_> {
    let shown = report
        .findings
        .iter()
        .filter(|finding| matches!(finding.status, Status::Reported | Status::Suppressed));
    let mut results = Vec::new();
    let mut left_out = 0usize;
    for finding in shown {
        if results.len() < MAX_RESULTS {
            results.push(result(finding));
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
    if left_out > 0 {
        notifications.push(Notification {
            level: "warning",
            message: Message {
                text: format!(
                    "{left_out} more findings left out: GitHub code scanning accepts at most \
                     {MAX_RESULTS} results per run (the JSON report has them all)"
                ),
            },
        });
    }

    Run {
        tool: Tool {
            driver: Driver {
                name: report.tool.name,
                version: report.tool.version,
                information_uri: INFORMATION_URI,
                rules: OPS.iter().map(|&op| rule(op)).collect(),
            },
        },
        invocations: [Invocation {
            execution_successful: true,
            tool_execution_notifications: notifications,
        }],
        results,
        properties: RunProperties {
            threshold: report.threshold_text(),
            revision: report
                .source
                .as_ref()
                .and_then(|source| source.commit.as_deref()),
        },
    }
}

fn result(finding: &Finding) -> SarifResult<'_> {
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
    let locations = if finding.file.is_empty() {
        Vec::new()
    } else {
        vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: file_uri(&finding.file),
                },
                region: (finding.line > 0).then(|| Region {
                    start_line: finding.line,
                    snippet: finding.source.as_ref().map(|source| Snippet {
                        text: &source.snippet,
                    }),
                }),
            },
        }]
    };
    SarifResult {
        rule_id: rule_id(op),
        rule_index: rule_index(op),
        level: kinds::for_op(op).level.as_str(),
        message: Message {
            text: message(finding),
        },
        locations,
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
        },
    }
}

/// `200 goroutines blocked on send in main.timeoutLeak.func1 (leaks.go:40)`.
fn message(finding: &Finding) -> String {
    let count = match finding.goroutines {
        1 => "1 goroutine".to_string(),
        n => format!("{n} goroutines"),
    };
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
    format!(
        "{count} blocked on {} in {}{place}{leaked}",
        kinds::for_op(finding.op).blocked_on,
        finding.function
    )
}

/// A repository-relative path stays relative (what code scanning needs); an absolute build
/// path becomes a `file://` URI. Characters a URI cannot hold are percent-encoded.
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

fn rule_id(op: Op) -> String {
    format!("leakprof/{}", op.as_str())
}

/// The rule's position in `OPS`; a new op does not compile until it has a place here.
fn rule_index(op: Op) -> usize {
    match op {
        Op::NilReceive => 0,
        Op::NilSend => 1,
        Op::Range => 2,
        Op::Receive => 3,
        Op::Select => 4,
        Op::SelectNoCases => 5,
        Op::Send => 6,
        Op::Unknown => 7,
    }
}

fn rule(op: Op) -> Rule {
    let doc = kinds::for_op(op);
    let full = doc.full();
    Rule {
        id: rule_id(op),
        name: doc.name,
        short_description: Text {
            text: doc.short.to_string(),
        },
        help: Help {
            text: format!("{full}\n\nHow to fix: {}", doc.fix),
            markdown: format!(
                "{full}\n\n**How to fix.** {}\n\n```go\n{}\n```\n",
                doc.fix, doc.example
            ),
        },
        full_description: Text { text: full },
        default_configuration: Configuration {
            level: doc.level.as_str(),
        },
        properties: RuleProperties { tags: TAGS },
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
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct RunProperties<'a> {
    /// `100`, or `auto` when each profile set its own.
    threshold: String,
    /// The commit the source was read at (`--repo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<&'a str>,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location<'a>>,
    /// The finding's id under a key naming the id recipe's version.
    partial_fingerprints: BTreeMap<String, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    properties: ResultProperties<'a>,
}

/// The finding's id, which code scanning uses to follow a result from run to run. The key's
/// version changes if the way ids are computed ever does.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region<'a>>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'a> {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Snippet<'a>>,
}

#[derive(Serialize)]
struct Snippet<'a> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Suppression, SuppressionKind, testing};

    #[test]
    fn rules_are_sorted_and_indexed() {
        let ids: Vec<String> = OPS.iter().map(|&op| rule_id(op)).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for (index, &op) in OPS.iter().enumerate() {
            assert_eq!(rule_index(op), index, "{op:?}");
        }
    }

    #[test]
    fn rule_docs_fit_code_scanning() {
        for op in OPS {
            let rule = rule(op);
            assert!(rule.id.len() <= 255, "{}", rule.id);
            let first = rule.name.chars().next().unwrap_or(' ');
            assert!(first.is_ascii_uppercase() && !rule.name.contains(['_', ' ', '-']));
            for text in [&rule.short_description.text, &rule.full_description.text] {
                assert!(text.ends_with('.') && !text.contains("  "), "{text:?}");
            }
        }
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
            let result = serde_json::to_value(result(&finding)).unwrap();
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
        check(|f| f.file = String::new(), "/locations", json!(null));
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
            json!({"leakprof/v2": "0123456789abcdef"}),
        );
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
