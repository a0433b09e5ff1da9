//! Editing a rules file as text for `rules add` and `rules prune`: appending an entry and
//! removing entries, in block lists and flow lists alike, keeping every comment, blank line,
//! line ending and a byte order mark. Values are serialised, never spliced, so no report field
//! can add keys or entries. The caller validates the result with the loader.

use super::layout::{Layout, List};
use crate::blocking::Op;
use crate::date::Date;

/// A value written into a rules file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// Any text, written as a double-quoted string.
    Text(String),
    Op(Op),
    Number(u64),
    Date(Date),
}

impl Field {
    fn render(&self) -> String {
        match self {
            Field::Text(text) => quote(text),
            Field::Op(op) => op.as_str().to_string(),
            Field::Number(number) => number.to_string(),
            Field::Date(date) => date.to_string(),
        }
    }
}

/// A YAML double-quoted string. Besides `"` and `\`, every character YAML or libyaml could
/// read as a line break or drop (controls, NEL, LS, PS, BOM) is escaped.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                quoted.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// An entry to append: its id and reason, then its other keys in order.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub id: String,
    pub reason: String,
    pub fields: Vec<(&'static str, Field)>,
}

impl NewEntry {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("id", quote(&self.id)), ("reason", quote(&self.reason))];
        pairs.extend(
            self.fields
                .iter()
                .map(|(key, value)| (*key, value.render())),
        );
        pairs
    }

    /// `- id: …` lines indented by `indent`.
    fn block(&self, indent: usize, eol: &str) -> String {
        let pad = " ".repeat(indent);
        let mut text = String::new();
        for (index, (key, value)) in self.pairs().into_iter().enumerate() {
            let marker = if index == 0 { "- " } else { "  " };
            text.push_str(&format!("{pad}{marker}{key}: {value}{eol}"));
        }
        text
    }

    /// `{id: …, reason: …}`.
    fn flow(&self) -> String {
        let pairs: Vec<String> = self
            .pairs()
            .into_iter()
            .map(|(key, value)| format!("{key}: {value}"))
            .collect();
        format!("{{{}}}", pairs.join(", "))
    }
}

/// Why a file could not be edited.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("`suppressions` is not a list of entries")]
    NotAList,
    #[error("the `[` of `suppressions` is not closed")]
    Unclosed,
    #[error(
        "the file is one flow mapping (`{{...}}`), which `rules add` does not edit; write \
         `version: 1` and `suppressions:` on lines of their own"
    )]
    FlowDocument,
}

/// The byte order mark, if any, and the rest.
fn split_bom(text: &str) -> (&str, &str) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    }
}

/// The file's line ending, from its first line.
fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(at) if text[..at].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// Offset of the start of the line after the one holding `offset` (the text's end if none).
fn next_line(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |at| offset + at + 1)
}

/// Appends `entry` to the `suppressions` list of `text`: after the last entry and with its
/// indentation in a block list, after the last item in a flow list; creates the list (or the
/// file's skeleton) when there is none.
pub fn insert_entry(text: &str, entry: &NewEntry) -> Result<String, EditError> {
    let (bom, body) = split_bom(text);
    let eol = line_ending(body);
    if body.trim().is_empty() {
        return Ok(format!(
            "{bom}version: 1{eol}suppressions:{eol}{}",
            entry.block(2, eol)
        ));
    }
    let first = body
        .lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with('#'));
    if first.is_some_and(|line| line.starts_with('{')) {
        return Err(EditError::FlowDocument);
    }
    // Inserts `insert` at `offset`, starting a line first when the text ends without one.
    let splice = |offset: usize, insert: &str| {
        let newline = if offset == body.len() && !body.ends_with('\n') {
            eol
        } else {
            ""
        };
        format!(
            "{bom}{}{newline}{insert}{}",
            &body[..offset],
            &body[offset..]
        )
    };
    let layout = Layout::new(body);
    match layout.list() {
        // A block list has at least the entry that made it one.
        List::Block(_) => {
            let (line, indent) = layout.append_point().ok_or(EditError::NotAList)?;
            Ok(splice(layout.line_offset(line), &entry.block(indent, eol)))
        }
        List::Empty { .. } => {
            let (_, column, colon_end) = layout.list_key().ok_or(EditError::NotAList)?;
            Ok(splice(
                next_line(body, colon_end),
                &entry.block(column + 2, eol),
            ))
        }
        List::Flow { close: None, .. } => Err(EditError::Unclosed),
        List::Flow {
            open,
            close: Some(close),
            items,
        } => match items.last() {
            // `suppressions: []` becomes a block list.
            None => {
                let (_, column, _) = layout.list_key().ok_or(EditError::NotAList)?;
                let head = body[..*open].trim_end_matches([' ', '\t']);
                let tail = &body[close + 1..];
                let line_end = next_line(tail, 0);
                let newline = if tail[..line_end].ends_with('\n') {
                    ""
                } else {
                    eol
                };
                Ok(format!(
                    "{bom}{head}{}{newline}{}{}",
                    &tail[..line_end],
                    entry.block(column + 2, eol),
                    &tail[line_end..]
                ))
            }
            Some(last) => {
                let insert = if layout.same_line(last.end, *close) {
                    format!(", {}", entry.flow())
                } else {
                    let pad = " ".repeat(layout.indentation_at(last.start));
                    format!(",{eol}{pad}{}", entry.flow())
                };
                Ok(format!(
                    "{bom}{}{insert}{}",
                    &body[..last.end],
                    &body[last.end..]
                ))
            }
        },
        List::Missing => Ok(splice(
            body.len(),
            &format!("suppressions:{eol}{}", entry.block(2, eol)),
        )),
        List::Other => Err(EditError::NotAList),
    }
}

/// Removes entries `indices` (0-based, in file order) of the `suppressions` list. In a block
/// list an entry goes with the comment lines right above it and the blank lines above those;
/// when none is left the list becomes `[]`.
pub fn remove_entries(text: &str, indices: &[usize]) -> Result<String, EditError> {
    let (bom, body) = split_bom(text);
    if indices.is_empty() {
        return Ok(text.to_string());
    }
    let layout = Layout::new(body);
    match layout.list() {
        List::Block(entries) => {
            let mut lines: Vec<String> = body.split_inclusive('\n').map(str::to_string).collect();
            let mut drop = vec![false; lines.len()];
            for &index in indices {
                let (start, end) = layout.entry_lines(index).ok_or(EditError::NotAList)?;
                // Comment lines right above an entry are about it, and the blank lines above
                // those separated it from what came before.
                let above = |first: usize, keep: fn(&str) -> bool| {
                    (0..first)
                        .rev()
                        .take_while(|&line| keep(&lines[line]))
                        .last()
                        .unwrap_or(first)
                };
                let first = above(start, |line| line.trim_start().starts_with('#'));
                let first = above(first, |line| line.trim().is_empty());
                for flag in drop.iter_mut().take(end).skip(first) {
                    *flag = true;
                }
            }
            let every = (0..entries.len()).all(|index| indices.contains(&index));
            if every {
                // Keep the list valid and visible.
                let (line, _, colon_end) = layout.list_key().ok_or(EditError::NotAList)?;
                let within = colon_end - layout.line_offset(line);
                lines[line].insert_str(within, " []");
            }
            let kept: String = lines
                .iter()
                .zip(&drop)
                .filter(|(_, dropped)| !**dropped)
                .map(|(line, _)| line.as_str())
                .collect();
            Ok(format!("{bom}{kept}"))
        }
        List::Flow {
            close: Some(_),
            items,
            ..
        } => {
            let mut sorted: Vec<usize> = indices.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.last().is_some_and(|&last| last >= items.len()) {
                return Err(EditError::NotAList);
            }
            // Runs of consecutive removed items, each cut with the separators that follow it
            // (or, at the end of the list, the separator before it).
            let mut cuts = Vec::new();
            let mut position = 0;
            while position < sorted.len() {
                let first = sorted[position];
                let mut last = first;
                while sorted.get(position + 1) == Some(&(last + 1)) {
                    position += 1;
                    last += 1;
                }
                position += 1;
                let cut = match (items.get(last + 1), first.checked_sub(1)) {
                    (Some(next), _) => items[first].start..next.start,
                    (None, Some(before)) => items[before].end..items[last].end,
                    (None, None) => items[first].start..items[last].end,
                };
                cuts.push(cut);
            }
            let mut updated = body.to_string();
            for cut in cuts.into_iter().rev() {
                updated.replace_range(cut, "");
            }
            Ok(format!("{bom}{updated}"))
        }
        List::Flow { close: None, .. } => Err(EditError::Unclosed),
        _ => Err(EditError::NotAList),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> NewEntry {
        NewEntry {
            id: "b".into(),
            reason: "why".into(),
            fields: vec![
                ("function", Field::Text("main.g".into())),
                ("op", Field::Op(Op::Send)),
            ],
        }
    }

    /// `(before, after)` rows for [`insert_entry`] with [`entry`].
    fn check_insert(rows: &[(&str, &str)]) {
        for (before, after) in rows {
            assert_eq!(
                insert_entry(before, &entry()).as_deref(),
                Ok(*after),
                "{before:?}"
            );
        }
    }

    #[test]
    fn entries_are_appended() {
        check_insert(&[
            (
                "# Known false positives.\nversion: 1\nsuppressions:\n    # heartbeat\n    - id: a\n      reason: r\n      function: f\n\n# trailing comment\n",
                "# Known false positives.\nversion: 1\nsuppressions:\n    # heartbeat\n    - id: a\n      reason: r\n      function: f\n    - id: \"b\"\n      reason: \"why\"\n      function: \"main.g\"\n      op: send\n\n# trailing comment\n",
            ),
            (
                "version: 1\nsuppressions: []\n",
                "version: 1\nsuppressions:\n  - id: \"b\"\n    reason: \"why\"\n    function: \"main.g\"\n    op: send\n",
            ),
            (
                "version: 1\nsuppressions: [ ]  # none yet",
                "version: 1\nsuppressions:  # none yet\n  - id: \"b\"\n    reason: \"why\"\n    function: \"main.g\"\n    op: send\n",
            ),
            (
                "",
                "version: 1\nsuppressions:\n  - id: \"b\"\n    reason: \"why\"\n    function: \"main.g\"\n    op: send\n",
            ),
            (
                "version: 1",
                "version: 1\nsuppressions:\n  - id: \"b\"\n    reason: \"why\"\n    function: \"main.g\"\n    op: send\n",
            ),
            (
                "suppressions:\nversion: 1\n",
                "suppressions:\n  - id: \"b\"\n    reason: \"why\"\n    function: \"main.g\"\n    op: send\nversion: 1\n",
            ),
            (
                "version: 1\n  # x\nsuppressions:  # none yet\n# end\n",
                "version: 1\n  # x\nsuppressions:  # none yet\n  - id: \"b\"\n    reason: \"why\"\n    function: \"main.g\"\n    op: send\n# end\n",
            ),
            // Flow lists get a flow entry, on the last item's line or on a line of its own.
            (
                "version: 1\nsuppressions: [{id: a, reason: r, function: f}]\n",
                "version: 1\nsuppressions: [{id: a, reason: r, function: f}, {id: \"b\", reason: \"why\", function: \"main.g\", op: send}]\n",
            ),
            (
                "version: 1\nsuppressions: [\n  {id: a, reason: r, function: f},  # a\n]\n",
                "version: 1\nsuppressions: [\n  {id: a, reason: r, function: f},\n  {id: \"b\", reason: \"why\", function: \"main.g\", op: send},  # a\n]\n",
            ),
            // CRLF line ends and a byte order mark stay.
            (
                "\u{feff}version: 1\r\nsuppressions:\r\n- id: a\r\n  reason: r\r\n  function: f\r\n",
                "\u{feff}version: 1\r\nsuppressions:\r\n- id: a\r\n  reason: r\r\n  function: f\r\n- id: \"b\"\r\n  reason: \"why\"\r\n  function: \"main.g\"\r\n  op: send\r\n",
            ),
            (
                "version: 1\nsuppressions:\n  - id: a\n    reason: r\n    function: f",
                "version: 1\nsuppressions:\n  - id: a\n    reason: r\n    function: f\n  - id: \"b\"\n    reason: \"why\"\n    function: \"main.g\"\n    op: send\n",
            ),
        ]);
        for bad in [
            "suppressions: 5\n",
            "suppressions: {a: 1}\n",
            "suppressions:\n  a: 1\n",
        ] {
            assert_eq!(
                insert_entry(bad, &entry()),
                Err(EditError::NotAList),
                "{bad:?}"
            );
        }
        assert_eq!(
            insert_entry("suppressions: [{id: a}", &entry()),
            Err(EditError::Unclosed)
        );
        // A whole file in flow style is refused, not turned into two documents.
        assert_eq!(
            insert_entry(
                "# rules\n{version: 1, suppressions: [{id: a, reason: r, function: f}]}\n",
                &entry()
            ),
            Err(EditError::FlowDocument)
        );
    }

    #[test]
    fn values_are_quoted() {
        for (text, quoted) in [
            ("plain", "\"plain\""),
            ("a\"b\\c", "\"a\\\"b\\\\c\""),
            ("line\nfunction: \"*\"", "\"line\\nfunction: \\\"*\\\"\""),
            (
                "\u{85}\u{2028}\u{feff}\u{7}\t",
                "\"\\u0085\\u2028\\ufeff\\u0007\\t\"",
            ),
            ("é ✓", "\"é ✓\""),
        ] {
            assert_eq!(quote(text), quoted, "{text:?}");
            let parsed: String = serde_yaml::from_str(quoted).unwrap();
            assert_eq!(parsed, text);
        }
        let entry = NewEntry {
            id: "x".into(),
            reason: "r".into(),
            fields: vec![
                ("line", Field::Number(12)),
                ("expires", Field::Date(Date::parse("2027-01-02").unwrap())),
            ],
        };
        assert_eq!(
            entry.flow(),
            "{id: \"x\", reason: \"r\", line: 12, expires: 2027-01-02}"
        );
    }

    /// `(before, removed indices, after)` rows for [`remove_entries`].
    #[test]
    fn entries_are_removed() {
        let block = "version: 1\nsuppressions:\n  - id: a\n    reason: r\n\n  # about b\n  - id: b\n    reason: r\n  - id: c\n    reason: r\n";
        let flow = "version: 1\nsuppressions: [{id: a}, {id: b},{id: c}, {id: d}]\n";
        let lines = "suppressions: [\n  {id: a},\n  {id: b},  # b\n  {id: c}\n]\n";
        let rows: &[(&str, &[usize], &str)] = &[
            (block, &[], block),
            (
                block,
                &[1],
                "version: 1\nsuppressions:\n  - id: a\n    reason: r\n  - id: c\n    reason: r\n",
            ),
            (
                block,
                &[0, 2],
                "version: 1\nsuppressions:\n\n  # about b\n  - id: b\n    reason: r\n",
            ),
            (block, &[2, 1, 0], "version: 1\nsuppressions: []\n"),
            (
                "version: 1\r\nsuppressions:\r\n- id: a\r\n- id: b\r\n",
                &[0],
                "version: 1\r\nsuppressions:\r\n- id: b\r\n",
            ),
            (
                "\u{feff}suppressions:  # all\r\n- id: a\r\n",
                &[0],
                "\u{feff}suppressions: []  # all\r\n",
            ),
            (
                flow,
                &[0],
                "version: 1\nsuppressions: [{id: b},{id: c}, {id: d}]\n",
            ),
            (
                flow,
                &[1, 2],
                "version: 1\nsuppressions: [{id: a}, {id: d}]\n",
            ),
            (
                flow,
                &[3],
                "version: 1\nsuppressions: [{id: a}, {id: b},{id: c}]\n",
            ),
            (
                flow,
                &[2, 3],
                "version: 1\nsuppressions: [{id: a}, {id: b}]\n",
            ),
            (
                flow,
                &[0, 3],
                "version: 1\nsuppressions: [{id: b},{id: c}]\n",
            ),
            (flow, &[0, 1, 2, 3], "version: 1\nsuppressions: []\n"),
            (lines, &[1], "suppressions: [\n  {id: a},\n  {id: c}\n]\n"),
            (lines, &[2], "suppressions: [\n  {id: a},\n  {id: b}\n]\n"),
        ];
        for (before, indices, after) in rows {
            assert_eq!(
                remove_entries(before, indices).as_deref(),
                Ok(*after),
                "{before:?} without {indices:?}"
            );
        }
        assert_eq!(
            remove_entries("suppressions: 5\n", &[0]),
            Err(EditError::NotAList)
        );
        assert_eq!(remove_entries(flow, &[4]), Err(EditError::NotAList));
        assert_eq!(
            remove_entries("suppressions: [{id: a}\n", &[0]),
            Err(EditError::Unclosed)
        );
        assert_eq!(remove_entries(block, &[3]), Err(EditError::NotAList));
    }
}
