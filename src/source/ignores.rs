//! Inline ignores: `//leakprof:ignore <reason>` in Go source, on the operation's line or alone
//! on the line above it. `// leakprof:ignore` (with a space, as gofmt-minded people write
//! comments) is the same marker: a comment meant as one is never silently dropped.
//!
//! [`markers`] finds every marker of a file; the source stage uses the one that applies to a
//! place, and the pipeline reports the markers of the files it read that apply to no place.

/// The marker as documented.
pub const MARKER: &str = "leakprof:ignore";

/// One `//leakprof:ignore` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// 1-based line of the comment.
    pub line: u32,
    /// Nothing but the comment on its line: it speaks for the line below.
    pub alone: bool,
    /// The text after the marker, trimmed; None when empty.
    pub reason: Option<String>,
}

impl Marker {
    /// Whether the marker speaks for an operation on `line`.
    pub fn applies_to(&self, line: u32) -> bool {
        self.line == line || (self.alone && self.line + 1 == line)
    }
}

/// Every marker in `text`. A marker is `//`, optional white space, `leakprof:ignore`, then
/// the end of the line or white space (`//leakprof:ignored` is not one).
pub fn markers(text: &str) -> Vec<Marker> {
    let mut found = Vec::new();
    // A cheap test first: most files have none.
    if !text.contains(MARKER) {
        return found;
    }
    for (index, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(offset) = line[from..].find("//") {
            let start = from + offset;
            let comment = line[start + 2..].trim_start();
            if let Some(rest) = comment.strip_prefix(MARKER) {
                if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                    let reason = rest.trim();
                    found.push(Marker {
                        line: index as u32 + 1,
                        alone: line[..start].trim().is_empty(),
                        reason: (!reason.is_empty()).then(|| reason.to_string()),
                    });
                    break;
                }
            }
            from = start + 2;
        }
    }
    found
}

/// The marker that applies to an operation on `line`, if any: the one on the line wins over
/// one alone on the line above.
pub fn for_line(markers: &[Marker], line: u32) -> Option<&Marker> {
    markers
        .iter()
        .find(|marker| marker.line == line)
        .or_else(|| markers.iter().find(|marker| marker.applies_to(line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_in_text() {
        fn check(text: &str, expected: &[(u32, bool, Option<&str>)]) {
            let found: Vec<(u32, bool, Option<String>)> = markers(text)
                .into_iter()
                .map(|m| (m.line, m.alone, m.reason))
                .collect();
            let expected: Vec<(u32, bool, Option<String>)> = expected
                .iter()
                .map(|(line, alone, reason)| (*line, *alone, reason.map(str::to_string)))
                .collect();
            assert_eq!(found, expected, "{text:?}");
        }
        check(
            "\t//leakprof:ignore drained\n\tch <- 1\n",
            &[(1, true, Some("drained"))],
        );
        check(
            "\tch <- 1 // leakprof:ignore by design\n",
            &[(1, false, Some("by design"))],
        );
        check(
            "//  leakprof:ignore\t two spaces\n",
            &[(1, true, Some("two spaces"))],
        );
        check("//leakprof:ignore\n", &[(1, true, None)]);
        check(
            "x := \"//\" // leakprof:ignore y\n",
            &[(1, false, Some("y"))],
        );
        check("//leakprof:ignored no\n// not leakprof:ignore\n", &[]);
        check("ch <- 1\n", &[]);
    }

    #[test]
    fn which_marker_applies() {
        let text = "//leakprof:ignore above\nch <- 1 //leakprof:ignore here\nx\n";
        let found = markers(text);
        assert_eq!(
            for_line(&found, 2).and_then(|m| m.reason.as_deref()),
            Some("here")
        );
        assert_eq!(
            for_line(&found, 1).and_then(|m| m.reason.as_deref()),
            Some("above")
        );
        // A trailing marker speaks only for its own line.
        assert!(for_line(&found, 3).is_none());
    }
}
