//! A typed view of a JSON report read back from disk (`--baseline`, `rules prune`,
//! `rules add --from-report`): the fields those need, checked against their schema; fields it
//! does not know are ignored, so reports from newer releases of schema 1 still read. The
//! file is read with a size cap, and every error names it.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use super::{SCHEMA_VERSION, Status, SuppressionKind};
use crate::blocking::Op;

/// The largest report read back. Reports of fleets with long series run to tens of MiB.
pub const MAX_REPORT_SIZE: u64 = 256 << 20;

/// A report that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "{}: larger than {}, the limit for a JSON report read back: is it the right file?",
        path.display(),
        size_text(*limit)
    )]
    TooLarge { path: PathBuf, limit: u64 },
    #[error(
        "{}: not a leakprof JSON report: {message} (make one with `leakprof report --format json`)",
        path.display()
    )]
    NotReport { path: PathBuf, message: String },
    #[error(
        "{}: JSON report schema_version {found}; this leakprof reads {SCHEMA_VERSION}",
        path.display()
    )]
    Version { path: PathBuf, found: u64 },
}

/// `256 MiB`, or a number of bytes when that is not a whole number of MiB.
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// A JSON report, as far as readers of it need.
#[derive(Clone, Debug, Deserialize)]
pub struct ReportView {
    pub schema_version: u64,
    /// The recipe the finding ids were made by; absent in reports made before ids carried it.
    #[serde(default)]
    pub id_version: Option<u64>,
    /// The source the report was checked against (`--repo`); `None` without one.
    #[serde(default)]
    pub source: Option<SourceView>,
    pub findings: Vec<FindingView>,
    /// Each rule loaded from a file, with what it did.
    #[serde(default)]
    pub rules: Vec<RuleUsageView>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SourceView {
    pub repo: String,
    #[serde(default)]
    pub revision: Option<String>,
    #[serde(default)]
    pub commit: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct FindingView {
    pub id: String,
    pub function: String,
    pub file: String,
    pub line: u32,
    #[serde(deserialize_with = "op")]
    pub op: Op,
    /// Absent from a lint finding, which saw no goroutine.
    #[serde(default)]
    pub goroutines: u64,
    #[serde(default)]
    pub total_goroutines: u64,
    #[serde(default)]
    pub profiles: u32,
    #[serde(deserialize_with = "status")]
    pub status: Status,
    #[serde(default)]
    pub suppression: Option<SuppressionView>,
    #[serde(default)]
    pub confirmed: bool,
    #[serde(default)]
    pub leaked_goroutines: u64,
    #[serde(default)]
    pub new: Option<bool>,
    #[serde(default)]
    pub profile_file: Option<String>,
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SuppressionView {
    #[serde(deserialize_with = "suppression_kind")]
    pub kind: SuppressionKind,
    pub reason: String,
    #[serde(default)]
    pub rule: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RuleUsageView {
    pub id: String,
    pub origin: String,
    pub matched: u64,
    pub suppressed: u64,
    #[serde(default)]
    pub expires: Option<String>,
    #[serde(default)]
    pub expired: bool,
}

/// Reads a word that must be one of `known`'s names.
fn one_of<'de, D, T: Copy>(
    deserializer: D,
    what: &str,
    known: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let word = String::deserialize(deserializer)?;
    known
        .iter()
        .copied()
        .find(|&value| name(value) == word)
        .ok_or_else(|| {
            let names: Vec<&str> = known.iter().map(|&value| name(value)).collect();
            serde::de::Error::custom(format!(
                "unknown {what} {word:?}, expected one of {}",
                names.join(", ")
            ))
        })
}

const OPS: &[Op] = &[
    Op::Send,
    Op::Receive,
    Op::Range,
    Op::Select,
    Op::SelectNoCases,
    Op::NilSend,
    Op::NilReceive,
    Op::Unknown,
];

fn op<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Op, D::Error> {
    one_of(deserializer, "op", OPS, Op::as_str)
}

fn status<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Status, D::Error> {
    let known = [
        Status::Reported,
        Status::Suppressed,
        Status::BelowThreshold,
        Status::Excluded,
    ];
    one_of(deserializer, "status", &known, Status::as_str)
}

fn suppression_kind<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<SuppressionKind, D::Error> {
    let known = [
        SuppressionKind::SelectTimer,
        SuppressionKind::SelectTicker,
        SuppressionKind::SelectCtxDone,
        SuppressionKind::WaitTimer,
        SuppressionKind::WaitTicker,
        SuppressionKind::WaitCtxDone,
        SuppressionKind::Allowlist,
        SuppressionKind::Inline,
    ];
    one_of(
        deserializer,
        "suppression kind",
        &known,
        SuppressionKind::as_str,
    )
}

/// Only the version, read first so that a report of another schema is named as such rather
/// than failing on a field.
#[derive(Deserialize)]
struct Version {
    schema_version: Option<serde_json::Value>,
}

impl ReportView {
    /// Reads the report at `path`, up to [`MAX_REPORT_SIZE`] bytes.
    pub fn read(path: &Path) -> Result<ReportView, ViewError> {
        ReportView::read_capped(path, MAX_REPORT_SIZE)
    }

    /// Reads the report at `path`, refusing more than `limit` bytes.
    pub fn read_capped(path: &Path, limit: u64) -> Result<ReportView, ViewError> {
        let read_error = |source| ViewError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let mut bytes = Vec::new();
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
        if bytes.len() as u64 > limit {
            return Err(ViewError::TooLarge {
                path: path.to_path_buf(),
                limit,
            });
        }
        ReportView::from_slice(&bytes, path)
    }

    /// Parses a report; `path` names it in errors.
    pub fn from_slice(bytes: &[u8], path: &Path) -> Result<ReportView, ViewError> {
        let not_report = |message: String| ViewError::NotReport {
            path: path.to_path_buf(),
            message,
        };
        // Derived structs also read JSON arrays; a report is an object.
        if bytes.trim_ascii_start().first() != Some(&b'{') {
            let message = match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                Err(error) => error.to_string(),
                Ok(_) => "not a JSON object".to_string(),
            };
            return Err(not_report(message));
        }
        let version: Version =
            serde_json::from_slice(bytes).map_err(|error| not_report(error.to_string()))?;
        match version.schema_version {
            None => return Err(not_report("no `schema_version`".into())),
            Some(value) => match value.as_u64() {
                Some(found) if found == u64::from(SCHEMA_VERSION) => {}
                Some(found) => {
                    return Err(ViewError::Version {
                        path: path.to_path_buf(),
                        found,
                    });
                }
                None => return Err(not_report(format!("`schema_version` is {value}"))),
            },
        }
        serde_json::from_slice(bytes).map_err(|error| not_report(error.to_string()))
    }

    /// The finding with this id.
    pub fn finding(&self, id: &str) -> Option<&FindingView> {
        self.findings.iter().find(|finding| finding.id == id)
    }

    /// How the rule with this id fared.
    pub fn rule(&self, id: &str) -> Option<&RuleUsageView> {
        self.rules.iter().find(|rule| rule.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINDING: &str = r#"{"id": "f1", "function": "main.f", "file": "a.go", "line": 3, "op": "send", "goroutines": 7, "status": "suppressed", "suppression": {"kind": "allowlist", "reason": "r", "rule": "x", "owner": null}, "future": [1, 2]}"#;

    fn parse(text: &str) -> Result<ReportView, String> {
        ReportView::from_slice(text.as_bytes(), Path::new("old.json")).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_what_readers_need_and_ignores_the_rest() {
        let text = format!(
            r#"{{"schema_version": 1, "tool": {{"name": "leakprof"}}, "source": {{"repo": "r", "revision": "HEAD", "commit": "abc"}}, "findings": [{FINDING}], "rules": [{{"id": "x", "origin": "r.yaml:3", "matched": 2, "suppressed": 1, "expires": null, "expired": false}}]}}"#
        );
        let report = parse(&text).unwrap();
        let finding = report.finding("f1").unwrap();
        assert_eq!(
            (finding.op, finding.status, finding.goroutines, finding.line),
            (Op::Send, Status::Suppressed, 7, 3)
        );
        let suppression = finding.suppression.as_ref().unwrap();
        assert_eq!(suppression.kind, SuppressionKind::Allowlist);
        assert_eq!(suppression.rule.as_deref(), Some("x"));
        assert_eq!(report.rule("x").map(|rule| rule.matched), Some(2));
        assert!(report.rule("y").is_none() && report.finding("f2").is_none());
        assert_eq!(report.source.unwrap().commit.as_deref(), Some("abc"));
    }

    /// Every way a file can fail to be a report, each naming the file.
    #[test]
    fn errors_name_the_file() {
        let cases: &[(&str, &str)] = &[
            (
                "",
                "old.json: not a leakprof JSON report: EOF while parsing a value at line 1 column 0",
            ),
            (
                "[1]",
                "old.json: not a leakprof JSON report: not a JSON object",
            ),
            (
                "[1",
                "old.json: not a leakprof JSON report: EOF while parsing a list at line 1 column 2",
            ),
            (
                "{}",
                "old.json: not a leakprof JSON report: no `schema_version`",
            ),
            (
                r#"{"schema_version": "1"}"#,
                "old.json: not a leakprof JSON report: `schema_version` is \"1\"",
            ),
            (
                r#"{"schema_version": 2, "findings": 5}"#,
                "old.json: JSON report schema_version 2; this leakprof reads 1",
            ),
            (
                r#"{"schema_version": 1}"#,
                "old.json: not a leakprof JSON report: missing field `findings` at line 1 column 21",
            ),
            (
                &format!(
                    r#"{{"schema_version": 1, "findings": [{}]}}"#,
                    FINDING.replace("\"send\"", "\"send\\nfunction: '*'\"")
                ),
                "unknown op \"send\\nfunction: '*'\", expected one of send, receive, range, select, select_no_cases, nil_send, nil_receive, unknown",
            ),
            (
                &format!(
                    r#"{{"schema_version": 1, "findings": [{}]}}"#,
                    FINDING.replace("\"suppressed\"", "\"hidden\"")
                ),
                "unknown status \"hidden\", expected one of reported, suppressed, below_threshold, excluded",
            ),
            (
                &format!(
                    r#"{{"schema_version": 1, "findings": [{}]}}"#,
                    FINDING.replace("\"allowlist\"", "\"magic\"")
                ),
                "unknown suppression kind \"magic\"",
            ),
            (
                &format!(
                    r#"{{"schema_version": 1, "findings": [{}]}}"#,
                    FINDING.replace("\"line\": 3", "\"line\": -3")
                ),
                "invalid value: integer `-3`, expected u32",
            ),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.starts_with("old.json: "), "{error}");
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn size_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let text = format!(r#"{{"schema_version": 1, "findings": [{FINDING}]}}"#);
        std::fs::write(&path, &text).unwrap();
        assert!(ReportView::read(&path).is_ok());
        let limit = text.len() as u64 - 1;
        let error = ReportView::read_capped(&path, limit).unwrap_err();
        assert!(matches!(error, ViewError::TooLarge { .. }), "{error}");
        assert!(ReportView::read_capped(&path, limit + 1).is_ok());
        #[cfg(unix)]
        {
            let error = ReportView::read_capped(Path::new("/dev/zero"), 1 << 16).unwrap_err();
            assert!(
                error.to_string().starts_with("/dev/zero: larger than "),
                "{error}"
            );
        }
        let error = ReportView::read(&dir.path().join("missing.json")).unwrap_err();
        assert!(
            error.to_string().contains("missing.json: cannot read: "),
            "{error}"
        );
    }
}
