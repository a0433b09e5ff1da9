//! One SARIF result per finding: its locations, related locations, fixes and message.

use std::collections::BTreeMap;

use crate::kinds::{self, Level};
use crate::model::id;
use crate::model::{
    Finding, FoundBy, Pattern, PatternId, SourceContext, SourceInfo, Span, Status, SuppressionKind,
};
use crate::report::present;

/// The final schema, the one `testdata/sarif/` holds.
use super::*;

pub(super) fn result<'a>(
    finding: &'a Finding,
    path: Option<String>,
    info: Option<&SourceInfo>,
) -> SarifResult<'a> {
    let op = finding.op;
    let mapped = path.is_some();
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
    // From the repository's root, as the URIs are.
    let created_at = crate::report::created_at_in(finding, info.filter(|_| mapped));
    let profile = finding.found_by == FoundBy::Profile;
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
            found_by: (!profile).then_some(FoundBy::Lint.as_str()),
            goroutines: profile.then_some(finding.goroutines),
            total_goroutines: profile.then_some(finding.total_goroutines),
            profiles: profile.then_some(finding.profiles),
            op: op.as_str(),
            function: &finding.function,
            owners: &finding.owners,
            leaked_goroutines: profile.then_some(finding.leaked_goroutines),
            confirmed: finding.confirmed,
            new: finding.new,
            trend: finding.trend.map(|trend| trend.as_str()),
            growth_per_hour: finding.growth_per_hour,
            verdict: finding.verdict.as_str(),
            notes: finding.notes.iter().map(ToString::to_string).collect(),
            created_at,
            pattern: pattern.map(|pattern| pattern.id.as_str()),
            fix: pattern.map(|pattern| pattern.fix.summary.as_str()),
            no_patch: pattern.and_then(|pattern| pattern.fix.no_patch.as_deref()),
            runs_new_code: pattern.and_then(|pattern| pattern.fix.runs_new_code.as_deref()),
            by_label: finding.by_label.as_ref(),
            lint_finding: finding.lint_finding.as_deref(),
            confirmed_by: finding.confirmed_by.as_deref(),
        },
    }
}

/// Where a file the source stage names (relative to `--repo`) is, as SARIF says it: from the
/// repository's root under `%SRCROOT%` with `--repo`; an absolute path outside the
/// repository only without it (code scanning rejects a log with one).
pub(super) fn artifact(file: &str, source: Option<&SourceInfo>) -> Option<ArtifactLocation> {
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
pub(super) fn related_locations(
    finding: &Finding,
    source: Option<&SourceInfo>,
) -> Vec<RelatedLocation> {
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
pub(super) fn fixes<'a>(pattern: &'a Pattern, source: Option<&SourceInfo>) -> Option<SarifFix<'a>> {
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
pub(super) fn utf16_column(context: &SourceContext, line: u32, column: u32) -> Option<u32> {
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
pub(super) fn level(finding: &Finding) -> &'static str {
    if finding.leaked_goroutines > 0 {
        Level::Error.as_str()
    } else {
        kinds::for_op(finding.op.family()).level.as_str()
    }
}

/// The text of `span` when `context` holds its lines.
pub(super) fn span_text(context: &SourceContext, span: Span) -> Option<String> {
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
pub(super) fn message(finding: &Finding) -> String {
    let count = present::blocked(finding);
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
    let groups = present::label_groups(finding, str::to_string)
        .map(|groups| format!("; {groups}"))
        .unwrap_or_default();
    format!(
        "{count} on {} in {}{place}{leaked}{pattern}{groups}",
        kinds::for_op(finding.op).blocked_on,
        finding.function
    )
}

/// An absolute build path becomes a `file://` URI; a module path (`-trimpath`) stays a
/// relative reference. Characters a URI cannot hold are percent-encoded.
pub(super) fn file_uri(file: &str) -> String {
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
pub(super) fn percent_encode(path: &str) -> String {
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
