//! One place checked against its line: what the line holds and whether it is the operation
//! the profile names (only then may anything read from it suppress the place), the cases
//! that bound a select, and the inline ignore on it.

use super::analyze::ParsedFile;
use super::ignores;
use super::place::{PlaceRef, SourceCheck};
use crate::blocking::Op;
use crate::model::{ChannelEvidence, SourceEvidence, Warning};

/// Checks one place against its line.
pub(super) fn check_place(
    check: &mut SourceCheck,
    place: &PlaceRef<'_>,
    parsed: &ParsedFile<'_>,
    revision: &str,
    warnings: &mut Vec<Warning>,
) {
    let analysis = parsed.analyze(place.line, place.op);
    check.evidence = Some(SourceEvidence {
        snippet: analysis.snippet.clone(),
        span: analysis.span,
        context: None,
        function: analysis.function.clone(),
        channel: analysis.channel.as_ref().map(|made| ChannelEvidence {
            name: made.name.clone(),
            line: made.line,
            capacity: made.capacity.clone(),
        }),
        notes: analysis.notes.clone(),
    });
    if !place.op.is_channel() {
        // A sync wait the GC proved leaked: the line is shown, and an inline ignore on it
        // counts when the file parses there; there is no channel op to check.
        check.trusted = analysis.problems.is_empty();
        check.syntax = Some(statement_text(&analysis.snippet));
        return;
    }
    if !analysis.problems.is_empty() {
        warnings.push(Warning::SourceUnparseable {
            file: place.file.to_string(),
            line: place.line,
            revision: revision.to_string(),
            problems: analysis.problems,
        });
        return;
    }
    let Some(source_op) = analysis.op.filter(|_| analysis.matches_profile) else {
        warnings.push(Warning::SourceMismatch {
            file: place.file.to_string(),
            line: place.line,
            revision: revision.to_string(),
            profile_op: place.op,
            holds: analysis.op,
        });
        return;
    };
    check.trusted = true;
    check.syntax = analysis.syntax;
    check.twin = analysis.twin;
    // The source names what debug=1 cannot, and tells a range loop from a receive.
    let op = if place.op == Op::Unknown || (place.op == Op::Receive && source_op == Op::Range) {
        check.refined_op = Some(source_op);
        source_op
    } else {
        place.op
    };
    if matches!(op, Op::Select | Op::Receive | Op::NilReceive) {
        check.bounds = analysis.bounds;
    }
}

/// A line's code without a trailing `//` comment, white space folded: what identifies a wait
/// that is not a channel operation.
fn statement_text(snippet: &str) -> String {
    let code = snippet.split("//").next().unwrap_or(snippet);
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `//leakprof:ignore <reason>` (or `// leakprof:ignore <reason>`) on the operation's line or
/// alone on the line above: the reason. Without a reason it is a warning and suppresses
/// nothing.
pub(crate) fn inline_ignore(
    place: &PlaceRef<'_>,
    text: &str,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    let found = ignores::markers(text);
    let marker = ignores::for_line(&found, place.line)?;
    match &marker.reason {
        Some(reason) => Some(reason.clone()),
        None => {
            warnings.push(Warning::IgnoreWithoutReason {
                file: place.file.to_string(),
                line: place.line,
            });
            None
        }
    }
}

#[cfg(test)]
mod tests;
