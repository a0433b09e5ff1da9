//! Where things are in a rules file, read from its text: the YAML library reports positions
//! only for syntax and type errors, and `rules add`/`prune` edit the file as text so that
//! comments and layout survive.

/// Where things are in a rules file, read from its text: the YAML library reports positions
/// only for syntax and type errors.
pub struct Layout<'a> {
    lines: Vec<&'a str>,
    /// First line (0-based) of each entry of `suppressions`, and the line after the list.
    entries: Vec<usize>,
    end: usize,
}

impl<'a> Layout<'a> {
    pub fn new(text: &'a str) -> Layout<'a> {
        let lines: Vec<&str> = text.lines().collect();
        let mut entries = Vec::new();
        let mut end = lines.len();
        let list = lines.iter().position(|line| {
            line.strip_prefix("suppressions")
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        });
        if let Some(list) = list {
            let mut indent: Option<usize> = None;
            for (number, line) in lines.iter().enumerate().skip(list + 1) {
                let trimmed = line.trim_start();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let this_indent = line.len() - trimmed.len();
                let is_item = trimmed == "-" || trimmed.starts_with("- ");
                match indent {
                    None if is_item => {
                        indent = Some(this_indent);
                        entries.push(number);
                    }
                    Some(indent) if is_item && this_indent == indent => entries.push(number),
                    Some(indent) if this_indent < indent || (this_indent == indent && !is_item) => {
                        end = number;
                        break;
                    }
                    None if this_indent == 0 => {
                        end = number;
                        break;
                    }
                    _ => {}
                }
            }
        }
        Layout {
            lines,
            entries,
            end,
        }
    }

    /// Lines `[start, end)` of entry `index`.
    pub fn entry_lines(&self, index: usize) -> Option<(usize, usize)> {
        let start = *self.entries.get(index)?;
        let end = self.entries.get(index + 1).copied().unwrap_or(self.end);
        // Trailing blank and comment lines belong to what follows.
        let mut end = end;
        while end > start + 1
            && self.lines.get(end - 1).is_some_and(|line| {
                let trimmed = line.trim();
                trimmed.is_empty() || trimmed.starts_with('#')
            })
        {
            end -= 1;
        }
        Some((start, end))
    }

    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// The line after the last entry's last line (where a new entry goes), and the entries'
    /// indentation.
    pub fn append_point(&self) -> Option<(usize, usize)> {
        let last = self.entries.len().checked_sub(1)?;
        let (start, end) = self.entry_lines(last)?;
        let line = self.lines[start];
        Some((end, line.len() - line.trim_start().len()))
    }

    /// 1-based position of entry `index`'s `-`.
    pub(super) fn entry(&self, index: usize) -> (usize, usize) {
        match self.entries.get(index) {
            Some(&line) => (
                line + 1,
                self.lines[line].len() - self.lines[line].trim_start().len() + 1,
            ),
            None => (1, 1),
        }
    }

    /// 1-based position of the value of `key` in entry `index`, else of the entry.
    pub(super) fn key(&self, index: usize, key: &str) -> (usize, usize) {
        let Some((start, end)) = self.entry_lines(index) else {
            return (1, 1);
        };
        for number in start..end {
            let line = self.lines[number];
            let trimmed = line.trim_start();
            let item = trimmed
                .strip_prefix('-')
                .map(str::trim_start)
                .unwrap_or(trimmed);
            let Some(rest) = item.strip_prefix(key).map(str::trim_start) else {
                continue;
            };
            if let Some(value) = rest.strip_prefix(':') {
                let value_start = line.len() - value.trim_start().len();
                return (number + 1, value_start + 1);
            }
        }
        self.entry(index)
    }

    pub(super) fn top_level(&self, key: &str) -> (usize, usize) {
        for (number, line) in self.lines.iter().enumerate() {
            if let Some(value) = line
                .strip_prefix(key)
                .and_then(|rest| rest.trim_start().strip_prefix(':'))
            {
                return (number + 1, line.len() - value.trim_start().len() + 1);
            }
        }
        (1, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_finds_entries_and_keys() {
        let text = "version: 1\n# id: not this\nsuppressions:\n  - id: a\n    reason: r\n\n  # about b\n  -   id: b\n    expires: 2027-01-01\nother: 1\n";
        let layout = Layout::new(text);
        assert_eq!(layout.entry_count(), 2);
        assert_eq!(layout.entry_lines(0), Some((3, 5)));
        assert_eq!(layout.entry_lines(1), Some((7, 9)));
        assert_eq!(layout.key(0, "id"), (4, 9));
        assert_eq!(layout.key(1, "id"), (8, 11));
        assert_eq!(layout.key(1, "expires"), (9, 14));
        assert_eq!(layout.key(1, "owner"), (8, 3));
        assert_eq!(layout.append_point(), Some((9, 2)));
    }
}
