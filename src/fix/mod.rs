//! `leakprof fix`: the fixes of the reported findings as one patch. It takes the inputs of
//! `report`, builds the same report, and combines the patches of the reported findings whose
//! fix is mechanical into one unified diff for `git apply` (stdout, or `--output FILE`).
//!
//! - `--write` applies the patch to the work tree of `--repo`, only when `--rev` is the
//!   checked-out HEAD and every file it touches is exactly as at that revision ([`apply`]).
//! - `--verify` exports the revision to a temporary folder, applies each fix alone and runs
//!   `go build ./...` and `go vet` on the packages it touches; the patch keeps the fixes that
//!   build and add no vet finding ([`verify`]).
//!
//! Exit codes: 0 the patch was written (it may be empty), 1 `--verify` left a fix out, 2 an
//! error (bad input, no Go for `--verify`, a work tree `--write` must not touch).

mod apply;
mod verify;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

use crate::atomic;
use crate::cli::FixArgs;
use crate::config::ReportConfig;
use crate::diff::{self, FileEdits};
use crate::exit::{EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND};
use crate::model::{Finding, Report, Status};
use crate::pipeline::build_report;
use crate::report::present;
use crate::source::repo::Source;

/// One finding's mechanical fix.
#[derive(Clone, Debug)]
struct Planned {
    /// `timeout at timeout.go:17`.
    title: String,
    /// Edits by repository path: byte range and text.
    edits: BTreeMap<String, Vec<(Range<usize>, String)>>,
}

/// What became of a finding's fix.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// In the patch.
    Included,
    /// In the patch, and it built and vetted alone.
    Verified,
    /// Left out: it did not build or vet.
    Failed(String),
    /// Left out: its edits overlap an earlier fix's.
    Conflict(String),
}

pub fn run(args: &FixArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    match fix(args, stdout, stderr) {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(stderr, "error: {}", present::safe_lines(&message));
            EXIT_ERROR
        }
    }
}

fn fix(args: &FixArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<u8, String> {
    let output = match args.report.outputs.as_slice() {
        [] => None,
        [only] if only.format.is_none() => only.path.clone(),
        _ => {
            return Err(
                "leakprof fix writes one patch: give --output FILE once, without a format"
                    .to_string(),
            );
        }
    };
    let config = ReportConfig::new(&args.report, false, |name| std::env::var(name).ok())
        .map_err(|error| error.to_string())?;
    let Some(asked) = &config.source else {
        return Err(
            "leakprof fix needs --repo: patches are made against the source at --rev".to_string(),
        );
    };
    let report = build_report(&config).map_err(|error| error.to_string())?;
    for warning in &report.warnings {
        let _ = writeln!(stderr, "warning: {}", present::safe(&warning.to_string()));
    }
    let source = Source::open(&asked.repo, asked.rev.as_deref()).map_err(|e| e.to_string())?;

    let (planned, mut outcomes, notes) = plan(&report);
    let texts = read_texts(&source, &planned)?;
    if args.verify {
        let results = verify::run(&source, &texts, &planned, &args.go)?;
        for (index, result) in results.into_iter().enumerate() {
            if outcomes[index] == Outcome::Included {
                outcomes[index] = match result {
                    Ok(()) => Outcome::Verified,
                    Err(why) => Outcome::Failed(why),
                };
            }
        }
    }
    let kept: Vec<&Planned> = planned
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| matches!(outcome, Outcome::Included | Outcome::Verified))
        .map(|(planned, _)| planned)
        .collect();
    let combined = combine(&kept);
    let files: Vec<FileEdits<'_>> = combined
        .iter()
        .map(|(path, edits)| FileEdits {
            path,
            text: texts.get(path).map_or("", String::as_str),
            edits: edits
                .iter()
                .map(|(range, text)| (range.clone(), text.as_str()))
                .collect(),
        })
        .collect();
    let patch = diff::unified(&files).map_err(|error| error.to_string())?;
    // Applied first: when the work tree must not be touched, the error is all there is to say.
    let applied = match args.write {
        true => Some(apply::write(&source, &asked.repo, &files)?),
        false => None,
    };

    for line in notes {
        let _ = writeln!(stderr, "{}", present::safe(&line));
    }
    for (planned, outcome) in planned.iter().zip(&outcomes) {
        let title = present::safe(&planned.title);
        let _ = match outcome {
            Outcome::Included => writeln!(stderr, "fix: {title}"),
            Outcome::Verified => writeln!(stderr, "fix: {title} (verified)"),
            Outcome::Failed(why) => writeln!(
                stderr,
                "left out: {title}: it does not verify: {}",
                present::safe_lines(why)
            ),
            Outcome::Conflict(why) => {
                writeln!(stderr, "left out: {title}: {}", present::safe(why))
            }
        };
    }

    if let Some(count) = applied {
        let _ = writeln!(
            stderr,
            "applied {} to {}",
            count_of(kept.len(), "fix", "fixes"),
            count_of(count, "file", "files")
        );
    }
    match &output {
        Some(path) => atomic::write(path, patch.as_bytes())
            .map_err(|error| format!("cannot write the patch to {}: {error}", path.display()))?,
        None => match stdout
            .write_all(patch.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
            Err(error) => return Err(format!("cannot write the patch: {error}")),
        },
    }
    let failed = outcomes
        .iter()
        .any(|outcome| matches!(outcome, Outcome::Failed(_)));
    Ok(if failed { EXIT_FOUND } else { EXIT_CLEAN })
}

/// The mechanical fixes of the reported findings in report order, what became of each so
/// far, and a line for each reported finding without a patch.
fn plan(report: &Report) -> (Vec<Planned>, Vec<Outcome>, Vec<String>) {
    let mut planned: Vec<Planned> = Vec::new();
    let mut outcomes = Vec::new();
    let mut notes = Vec::new();
    for finding in report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Reported)
    {
        let Some(pattern) = &finding.pattern else {
            continue;
        };
        let title = format!("{} at {}", pattern.id, place(finding));
        if pattern.fix.edits.is_empty() {
            let why = pattern
                .fix
                .no_patch
                .as_deref()
                .unwrap_or("no mechanical fix");
            notes.push(format!("no patch: {title}: {why}"));
            continue;
        }
        let mut edits: BTreeMap<String, Vec<(Range<usize>, String)>> = BTreeMap::new();
        for edit in &pattern.fix.edits {
            edits
                .entry(edit.file.clone())
                .or_default()
                .push((edit.bytes.clone(), edit.text.clone()));
        }
        let candidate = Planned { title, edits };
        let conflict = planned
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| **outcome == Outcome::Included)
            .find(|(earlier, _)| overlaps(earlier, &candidate));
        let outcome = match conflict {
            Some((earlier, _)) => {
                Outcome::Conflict(format!("its edits overlap those of {}", earlier.title))
            }
            None => Outcome::Included,
        };
        planned.push(candidate);
        outcomes.push(outcome);
    }
    (planned, outcomes, notes)
}

/// Whether two fixes edit the same text differently (the same edit twice is one edit).
fn overlaps(first: &Planned, second: &Planned) -> bool {
    first.edits.iter().any(|(path, edits)| {
        second.edits.get(path).is_some_and(|others| {
            edits.iter().any(|(range, text)| {
                others.iter().any(|(other, other_text)| {
                    let same = range == other && text == other_text;
                    let touch = range.start < other.end && other.start < range.end;
                    let same_point = range.is_empty() && other.is_empty() && range == other;
                    !same && (touch || same_point)
                })
            })
        })
    })
}

/// The edits of several fixes, by file, without duplicates.
fn combine(fixes: &[&Planned]) -> BTreeMap<String, Vec<(Range<usize>, String)>> {
    let mut combined: BTreeMap<String, Vec<(Range<usize>, String)>> = BTreeMap::new();
    for fix in fixes {
        for (path, edits) in &fix.edits {
            let into = combined.entry(path.clone()).or_default();
            for edit in edits {
                if !into.contains(edit) {
                    into.push(edit.clone());
                }
            }
        }
    }
    combined
}

/// The text at the revision of every file a fix touches.
fn read_texts(source: &Source, planned: &[Planned]) -> Result<BTreeMap<String, String>, String> {
    let mut texts = BTreeMap::new();
    for path in planned.iter().flat_map(|planned| planned.edits.keys()) {
        if texts.contains_key(path) {
            continue;
        }
        let bytes = source
            .read(path)
            .map_err(|error| format!("{path}: cannot read it at {}: {error}", source.describe()))?
            .ok_or_else(|| format!("{path}: not at {}", source.describe()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{path}: not UTF-8 at {}", source.describe()))?;
        texts.insert(path.clone(), text);
    }
    Ok(texts)
}

/// `timeout.go:17`.
fn place(finding: &Finding) -> String {
    format!("{}:{}", finding.file, finding.line)
}

fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(title: &str, edits: &[(&str, Range<usize>, &str)]) -> Planned {
        let mut by_file: BTreeMap<String, Vec<(Range<usize>, String)>> = BTreeMap::new();
        for (file, range, text) in edits {
            by_file
                .entry((*file).to_string())
                .or_default()
                .push((range.clone(), (*text).to_string()));
        }
        Planned {
            title: title.into(),
            edits: by_file,
        }
    }

    #[test]
    fn overlapping_fixes() {
        let buffer = planned("a", &[("x.go", 10..10, ", 1")]);
        for (other, expected) in [
            (planned("same edit", &[("x.go", 10..10, ", 1")]), false),
            (planned("other capacity", &[("x.go", 10..10, ", n")]), true),
            (planned("replaces around", &[("x.go", 5..12, "y")]), true),
            (planned("next to it", &[("x.go", 12..12, "z")]), false),
            (planned("other file", &[("y.go", 10..10, ", n")]), false),
        ] {
            assert_eq!(overlaps(&buffer, &other), expected, "{}", other.title);
        }
        let combined = combine(&[&buffer, &planned("dup", &[("x.go", 10..10, ", 1")])]);
        assert_eq!(combined["x.go"].len(), 1);
    }
}
