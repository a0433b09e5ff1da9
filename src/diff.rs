//! Unified diffs from edits: what `git apply` takes. Each edit replaces a byte range of a file
//! at the revision; the lines it touches become a hunk with three lines of context, and hunks
//! closer than that merge, as `diff -u` writes them.

use std::ops::Range;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The edits of one file.
#[derive(Clone, Debug)]
pub struct FileEdits<'a> {
    /// Repository-relative, `/`-separated.
    pub path: &'a str,
    /// The file at the revision.
    pub text: &'a str,
    /// Byte range and replacement; duplicates count once.
    pub edits: Vec<(Range<usize>, &'a str)>,
}

/// Edits that cannot be made together.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DiffError {
    #[error("{path}: two edits overlap at byte {at}")]
    Overlap { path: String, at: usize },
    #[error("{path}: an edit reaches past the end of the file or splits a character")]
    OutOfRange { path: String },
}

/// The file with the edits made.
pub fn apply(file: &FileEdits<'_>) -> Result<String, DiffError> {
    let edits = sorted(file)?;
    let mut out = String::with_capacity(file.text.len() + 64);
    let mut at = 0;
    for (range, text) in &edits {
        out.push_str(&file.text[at..range.start]);
        out.push_str(text);
        at = range.end;
    }
    out.push_str(&file.text[at..]);
    Ok(out)
}

/// One diff for all the files, in the order given (callers sort by path).
/// A whole-line region of a file and the edits inside it.
type LineEdits<'a> = (Range<usize>, Vec<(Range<usize>, &'a str)>);

pub fn unified(files: &[FileEdits<'_>]) -> Result<String, DiffError> {
    let mut out = String::new();
    for file in files {
        out.push_str(&file_diff(file)?);
    }
    Ok(out)
}

/// The edits of `file` sorted, without duplicates, checked to fit the file and each other.
fn sorted<'a>(file: &FileEdits<'a>) -> Result<Vec<(Range<usize>, &'a str)>, DiffError> {
    let mut edits = file.edits.clone();
    edits.sort_by_key(|(range, text)| (range.start, range.end, *text));
    edits.dedup();
    for (range, _) in &edits {
        let fits = range.start <= range.end
            && range.end <= file.text.len()
            && file.text.is_char_boundary(range.start)
            && file.text.is_char_boundary(range.end);
        if !fits {
            return Err(DiffError::OutOfRange {
                path: file.path.to_owned(),
            });
        }
    }
    for pair in edits.windows(2) {
        let (first, second) = (&pair[0].0, &pair[1].0);
        // Two insertions at one point would come out in an order nobody chose.
        if second.start < first.end || first == second {
            return Err(DiffError::Overlap {
                path: file.path.to_owned(),
                at: second.start,
            });
        }
    }
    Ok(edits)
}

/// A changed stretch of whole lines: old lines `old` (0-based, end exclusive) become `new`.
struct Region {
    old: Range<usize>,
    new: Vec<String>,
}

fn file_diff(file: &FileEdits<'_>) -> Result<String, DiffError> {
    let edits = sorted(file)?;
    if edits.is_empty() {
        return Ok(String::new());
    }
    let text = file.text;
    // Byte offset where each line starts; a last line without a newline still counts.
    let mut starts = Vec::new();
    if !text.is_empty() {
        starts.push(0);
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        if starts.last() == Some(&text.len()) {
            starts.pop();
        }
    }
    let line_of = |byte: usize| {
        starts
            .partition_point(|&start| start <= byte)
            .saturating_sub(1)
    };
    let line_end = |line: usize| starts.get(line + 1).copied().unwrap_or(text.len());

    // Whole-line regions, merging edits that share a line.
    let mut regions: Vec<LineEdits<'_>> = Vec::new();
    for (range, replacement) in edits {
        // Past a last newline is the start of a line that is not there yet.
        let after_last = range.start == text.len() && (text.is_empty() || text.ends_with('\n'));
        let first = if after_last {
            starts.len()
        } else {
            line_of(range.start)
        };
        let at_line_start = after_last || starts.get(first) == Some(&range.start);
        let last = if range.end == range.start && at_line_start {
            // A pure insertion before a line touches no old line.
            first
        } else if range.end > range.start && starts.binary_search(&range.end).is_ok() {
            line_of(range.end)
        } else {
            line_of(range.end) + 1
        };
        let lines = first..last.max(first);
        match regions.last_mut() {
            Some((previous, members)) if lines.start < previous.end => {
                previous.end = previous.end.max(lines.end);
                members.push((range, replacement));
            }
            _ => regions.push((lines, vec![(range, replacement)])),
        }
    }
    let regions: Vec<Region> = regions
        .into_iter()
        .map(|(lines, members)| {
            let from = starts.get(lines.start).copied().unwrap_or(text.len());
            let to = if lines.end > lines.start {
                line_end(lines.end - 1)
            } else {
                from
            };
            let mut new_text = String::new();
            let mut at = from;
            for (range, replacement) in members {
                new_text.push_str(&text[at..range.start]);
                new_text.push_str(replacement);
                at = range.end;
            }
            new_text.push_str(&text[at..to.max(at)]);
            Region {
                old: lines,
                new: split_lines(&new_text),
            }
        })
        .collect();

    let old_lines = split_lines(text);
    let mut out = format!(
        "diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n",
        path = file.path
    );
    // Group regions into hunks whose context touches.
    let mut index = 0;
    let mut delta: isize = 0;
    while index < regions.len() {
        let mut group_end = index + 1;
        while group_end < regions.len()
            && regions[group_end].old.start <= regions[group_end - 1].old.end + 2 * CONTEXT
        {
            group_end += 1;
        }
        let group = &regions[index..group_end];
        let start = group[0].old.start.saturating_sub(CONTEXT);
        let end = (group[group.len() - 1].old.end + CONTEXT).min(old_lines.len());
        let mut body = String::new();
        let mut old_count = 0;
        let mut new_count = 0;
        let mut at = start;
        let mut group_delta: isize = 0;
        for region in group {
            for line in &old_lines[at..region.old.start] {
                push_line(&mut body, ' ', line);
                old_count += 1;
                new_count += 1;
            }
            for line in &old_lines[region.old.clone()] {
                push_line(&mut body, '-', line);
                old_count += 1;
            }
            for line in &region.new {
                push_line(&mut body, '+', line);
                new_count += 1;
            }
            group_delta += region.new.len() as isize - region.old.len() as isize;
            at = region.old.end;
        }
        for line in &old_lines[at..end] {
            push_line(&mut body, ' ', line);
            old_count += 1;
            new_count += 1;
        }
        let old_start = if old_count == 0 { start } else { start + 1 };
        let new_first = start as isize + delta;
        let new_start = if new_count == 0 {
            new_first
        } else {
            new_first + 1
        };
        out.push_str(&format!(
            "@@ -{old_start},{old_count} +{new_start},{new_count} @@\n{body}"
        ));
        delta += group_delta;
        index = group_end;
    }
    Ok(out)
}

/// Lines with their newline, the last one possibly without.
fn split_lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_owned).collect()
}

fn push_line(out: &mut String, mark: char, line: &str) {
    out.push(mark);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, edits: &[(Range<usize>, &str)], expected: &str) {
        let file = FileEdits {
            path: "a/x.go",
            text,
            edits: edits.to_vec(),
        };
        let diff = unified(&[file]).unwrap();
        assert_eq!(diff, expected, "{text:?} {edits:?}");
    }

    #[test]
    fn hunks() {
        let text = "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\n";
        // The byte where 1-based `line` starts.
        let at = |line: usize| match line {
            1 => 0,
            _ => text
                .match_indices('\n')
                .nth(line - 2)
                .map_or(0, |(i, _)| i + 1),
        };
        // A line inserted before line 5.
        check(
            text,
            &[(at(5)..at(5), "new\n")],
            "diff --git a/a/x.go b/a/x.go\n--- a/a/x.go\n+++ b/a/x.go\n\
             @@ -2,6 +2,7 @@\n l2\n l3\n l4\n+new\n l5\n l6\n l7\n",
        );
        // Within a line: the whole line changes.
        check(
            text,
            &[(at(1) + 2..at(1) + 2, ", 1")],
            "diff --git a/a/x.go b/a/x.go\n--- a/a/x.go\n+++ b/a/x.go\n\
             @@ -1,4 +1,4 @@\n-l1\n+l1, 1\n l2\n l3\n l4\n",
        );
        // Two changes far apart: two hunks, the second shifted by the first.
        check(
            text,
            &[(at(1)..at(1), "a\n"), (at(10)..at(10), "b\n")],
            "diff --git a/a/x.go b/a/x.go\n--- a/a/x.go\n+++ b/a/x.go\n\
             @@ -1,3 +1,4 @@\n+a\n l1\n l2\n l3\n@@ -7,4 +8,5 @@\n l7\n l8\n l9\n+b\n l10\n",
        );
        // Close together: one hunk.
        check(
            text,
            &[(at(3)..at(3), "a\n"), (at(6)..at(6), "b\n")],
            "diff --git a/a/x.go b/a/x.go\n--- a/a/x.go\n+++ b/a/x.go\n\
             @@ -1,8 +1,10 @@\n l1\n l2\n+a\n l3\n l4\n l5\n+b\n l6\n l7\n l8\n",
        );
    }

    #[test]
    fn end_of_file() {
        check(
            "a\nb",
            &[(1..1, "!")],
            "diff --git a/a/x.go b/a/x.go\n--- a/a/x.go\n+++ b/a/x.go\n\
             @@ -1,2 +1,2 @@\n-a\n+a!\n b\n\\ No newline at end of file\n",
        );
        check(
            "a\n",
            &[(2..2, "b\n")],
            "diff --git a/a/x.go b/a/x.go\n--- a/a/x.go\n+++ b/a/x.go\n@@ -1,1 +1,2 @@\n a\n+b\n",
        );
    }

    #[test]
    fn conflicts() {
        let file = |edits: Vec<(Range<usize>, &'static str)>| FileEdits {
            path: "x.go",
            text: "abcdef\n",
            edits,
        };
        assert!(matches!(
            unified(&[file(vec![(0..3, "x"), (2..4, "y")])]),
            Err(DiffError::Overlap { .. })
        ));
        assert!(matches!(
            unified(&[file(vec![(1..1, "x"), (1..1, "y")])]),
            Err(DiffError::Overlap { .. })
        ));
        assert!(matches!(
            unified(&[file(vec![(5..40, "x")])]),
            Err(DiffError::OutOfRange { .. })
        ));
        // The same edit twice is one edit.
        let same = file(vec![(1..1, "x"), (1..1, "x")]);
        assert_eq!(apply(&same).unwrap(), "axbcdef\n");
    }
}
