//! Leak patterns told from the source: given the channel operation goroutines wait in, why
//! they wait there and what would let them go. This names the shapes of the LeakProf blog
//! (premature return, timeout, n-cast, range over an unclosed channel) and their kin, lists
//! the lines that make the case, and builds the fix, as a patch where it is mechanical.
//!
//! The analysis starts from one operation in one file of a Go package and needs no profile,
//! so `leakprof lint` can run it on every operation of a file; a profile only adds the line
//! that called the blocking function (from its stack), which picks the call to follow where a
//! file has several.
//!
//! How the case is made, for a channel local to a function (the owner):
//! - every use of the channel in its scope is found, with its role (send, receive, range,
//!   close, harmless) and the goroutine it runs in (the owner's own, or one a `go` statement
//!   in the owner starts, followed into literals and into functions of the file the channel
//!   is passed to); a use that lets the channel escape (stored, returned, passed elsewhere)
//!   or runs at unknown times (a callback) ends the analysis: `other`;
//! - a goroutine's send with no receive left for it is a *timeout* when the owner waits in a
//!   select with a timer, ticker or context case that leaves, a *premature return* when the
//!   owner can return or branch past its receive (or never receives), an *n-cast* when the
//!   goroutines are started in a loop and the owner receives fewer times, a *double send*
//!   when one goroutine's path sends twice to an owner receiving once;
//! - a range over a channel nothing closes is an *unclosed range*;
//! - a receive, the same shapes seen from the other side.
//!
//! Other origins: a struct field closed only by a method nothing in the package calls, or a
//! context whose cancel function is never called (*never closed*); a package-level variable
//! (*global channel*); a nil channel; `select {}`.
//!
//! Fixes are patches only where they are mechanical and proven by the shape: a buffer of 1
//! for a goroutine that sends once, of the loop's count for an n-cast, `close(ch)` where the
//! producers end (after the owner's sending statement, after the producers' `Wait()`, or
//! deferred in a single producer), `defer cancel()` for a local context, a `return` after the
//! first of two sends. Anywhere else the fix is advice, with the reason there is no patch.
//! A patch that lets code after the blocked operation run that never ran before says so.

mod edits;
pub mod lint;
mod never;
mod package;
mod scope;
mod shapes;

#[cfg(test)]
mod tests;

pub use package::PackageFile;

use std::collections::{BTreeMap, BTreeSet};

use crate::blocking::Op;
use crate::diff::{self, FileEdits};
use crate::model::pattern::{Edit, TextPoint};
use crate::model::{EvidenceLine, Fix, Pattern, PatternId};
use package::Package;
use shapes::{Blocked, Case, Shapes};

/// The operation to classify.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// 1-based line of the operation.
    pub line: u32,
    /// The operation as the profile names it (or as the source shows it, without a profile).
    pub op: Op,
    /// The line of the call into the blocking function, from the profile's stack, when that
    /// call is in the same file.
    pub caller_line: Option<u32>,
}

/// What the source says about why goroutines wait at one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classified {
    /// None when the line holds no channel operation the source can read.
    pub pattern: Option<Pattern>,
    /// The file and line of the `go` statement that starts the goroutine holding the
    /// operation.
    pub created_at: Option<(String, u32)>,
}

/// Classifies the operation at `target` in `files[file]`, with every other file of its
/// package for what lies beyond one function.
pub fn classify(files: &[PackageFile<'_>], file: usize, target: &Target) -> Classified {
    classify_in(Package::new(files, true), files, file, target).0
}

/// Classifies with a part of the package (at least the operation's file), and says which
/// names it searched the package for: when another file of the package holds one of them,
/// add it and classify again (the answer stands once no file is added). Reading only the
/// files that can matter keeps a report on a large package cheap.
pub fn classify_part(
    files: &[PackageFile<'_>],
    file: usize,
    target: &Target,
) -> (Classified, BTreeSet<String>) {
    let (classified, package) = classify_in(Package::new(files, false), files, file, target);
    (classified, package.wanted())
}

fn classify_in<'t>(
    package: Package<'t>,
    files: &[PackageFile<'_>],
    file: usize,
    target: &Target,
) -> (Classified, Package<'t>) {
    let classified = classify_package(&package, files, file, target);
    (classified, package)
}

fn classify_package(
    package: &Package<'_>,
    files: &[PackageFile<'_>],
    file: usize,
    target: &Target,
) -> Classified {
    let none = Classified {
        pattern: None,
        created_at: None,
    };
    let Some(index) = package
        .files
        .iter()
        .position(|(path, _)| Some(*path) == files.get(file).map(|file| file.path))
    else {
        return none;
    };
    let Some(shapes) = Shapes::new(package, index) else {
        return none;
    };
    let Some((node, op)) = shapes.go.operation_at(target.line, target.op) else {
        return none;
    };
    let blocked = Blocked {
        node,
        op,
        nil: matches!(target.op, Op::NilSend | Op::NilReceive),
        caller_line: target.caller_line,
    };
    let created_at = shapes
        .started_at(node, target.caller_line)
        .and_then(|start| {
            let path = package.files.get(start.file)?.0;
            Some((
                path.to_owned(),
                crate::source::analyze::shared::line_of(start.node),
            ))
        });
    let pattern = match shapes.classify(&blocked) {
        Some(case) => pattern(package, files, case),
        None => other(op),
    };
    Classified {
        pattern: Some(pattern),
        created_at,
    }
}

/// The pattern of a place whose source was not read: what the runtime alone tells (a nil
/// channel, `select {}`), else `other`.
pub fn from_profile(op: Op, file: &str, line: u32) -> Pattern {
    let (id, text, summary) = match op {
        Op::NilSend | Op::NilReceive => (
            PatternId::NilChannel,
            "the runtime reports a nil channel here: it blocks forever",
            "make the channel before any goroutine uses it, and make sure something sends on \
             it or closes it",
        ),
        Op::SelectNoCases => (
            PatternId::SelectForever,
            "`select {}` never returns",
            "wait on something that ends (`<-ctx.Done()`, a done channel, a signal) instead of \
             `select {}`; if it keeps `main` alive on purpose, allowlist it",
        ),
        _ => {
            return Pattern {
                id: PatternId::Other,
                evidence: Vec::new(),
                fix: Fix::advice(
                    "with --repo, leakprof reads the source to name the leak pattern and its fix",
                    "the source was not read",
                ),
            };
        }
    };
    Pattern {
        id,
        evidence: vec![EvidenceLine {
            file: file.to_owned(),
            line,
            text: text.to_owned(),
        }],
        fix: Fix::advice(summary, "the source was not read"),
    }
}

/// `other`: no pattern fits.
fn other(op: Op) -> Pattern {
    Pattern {
        id: PatternId::Other,
        evidence: Vec::new(),
        fix: Fix::advice(
            format!(
                "no known leak pattern fits; `leakprof explain {}` has the general advice",
                crate::kinds::for_op(op).id
            ),
            "no leak pattern fits, so no fix is mechanical",
        ),
    }
}

/// The model's pattern for a case: paths, positions and the patch.
fn pattern(package: &Package<'_>, files: &[PackageFile<'_>], case: Case) -> Pattern {
    let path = |file: usize| package.files.get(file).map_or("", |(path, _)| *path);
    let text_of = |file: usize| {
        files
            .iter()
            .find(|candidate| candidate.path == path(file))
            .map_or("", |candidate| candidate.parsed.text())
    };
    let evidence = case
        .evidence
        .iter()
        .map(|line| EvidenceLine {
            file: path(line.file).to_owned(),
            line: line.line,
            text: line.text.clone(),
        })
        .collect();
    let mut by_file: BTreeMap<&str, Vec<&edits::EditPlan>> = BTreeMap::new();
    for edit in &case.edits {
        by_file.entry(path(edit.file)).or_default().push(edit);
    }
    let diffs: Vec<FileEdits<'_>> = by_file
        .iter()
        .map(|(file_path, edits)| FileEdits {
            path: file_path,
            text: edits.first().map_or("", |edit| text_of(edit.file)),
            edits: edits
                .iter()
                .map(|edit| (edit.bytes.clone(), edit.text.as_str()))
                .collect(),
        })
        .collect();
    let patch = diff::unified(&diffs);
    let fix = match patch {
        Ok(patch) if !case.edits.is_empty() => Fix {
            summary: case.summary,
            patch: Some(patch),
            no_patch: None,
            runs_new_code: case.runs_new_code,
            edits: case
                .edits
                .iter()
                .map(|edit| {
                    let text = text_of(edit.file);
                    Edit {
                        file: path(edit.file).to_owned(),
                        start: point(text, edit.bytes.start),
                        end: point(text, edit.bytes.end),
                        text: edit.text.clone(),
                        bytes: edit.bytes.clone(),
                    }
                })
                .collect(),
        },
        Ok(_) => Fix {
            summary: case.summary,
            patch: None,
            no_patch: case.no_patch,
            runs_new_code: None,
            edits: Vec::new(),
        },
        Err(error) => Fix {
            summary: case.summary,
            patch: None,
            no_patch: Some(format!("the edits do not fit together: {error}")),
            runs_new_code: None,
            edits: Vec::new(),
        },
    };
    Pattern {
        id: case.id,
        evidence,
        fix,
    }
}

/// Line and column (1-based, UTF-16 code units) of a byte offset.
pub fn point(text: &str, byte: usize) -> TextPoint {
    let byte = byte.min(text.len());
    let before = text.get(..byte).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let line = before.matches('\n').count() + 1;
    let column: usize = before[line_start..]
        .chars()
        .map(char::len_utf16)
        .sum::<usize>()
        + 1;
    TextPoint {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}
