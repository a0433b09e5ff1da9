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

use crate::blocking::Op;
use crate::config::RenderOptions;
use crate::model::{LabelGroups, Report, Status};
use crate::report::links::repository_uri;
use crate::report::present;

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

mod result;
mod rules;
#[cfg(test)]
mod tests;

use result::*;
use rules::*;
pub use rules::{help_anchor, rule_id};

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
    /// `lint` for a finding the source alone shows (`leakprof lint`, `report --lint`), which
    /// has no goroutine counts; absent for a profile's finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    found_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    goroutines: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_goroutines: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profiles: Option<u32>,
    /// The op as the finding names it (`nil_send`, `range`, …), finer than the rule.
    op: &'static str,
    function: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    owners: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    leaked_goroutines: Option<u64>,
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
    created_at: Option<String>,
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
    /// With `--group-by-label KEY`: `{key, values: [{value, goroutines}]}`, as in JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    by_label: Option<&'a LabelGroups>,
    /// `report --lint`: the lint finding at a profile finding's place, or the profile
    /// finding that confirms a lint finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    lint_finding: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_by: Option<&'a str>,
}
