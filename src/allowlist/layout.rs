//! Where things are in a rules file, read from its tokens: the YAML library reports positions
//! only for syntax errors, and `rules add`/`prune` edit the file as text so that comments and
//! layout survive. Both block lists (`- id: …` lines) and flow lists (`[{…}, {…}]`) are
//! understood; entries may be block or flow mappings.

use super::scan::{Kind, Scanner, Token};

/// The tokens of a rules file and the shape of its `suppressions` list.
pub struct Layout<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    tokens: Vec<Token>,
    /// Top-level keys: their names and the indices of their tokens.
    top: Vec<(String, usize)>,
    list: List,
}

/// The value of `suppressions`.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum List {
    /// No `suppressions` key.
    Missing,
    /// `suppressions:` with nothing after it; the index of the `:` token.
    Empty { colon: usize },
    /// `- …` entries.
    Block(Vec<Entry>),
    /// `[…]`: the byte offsets of `[` and `]` (`None` when unclosed), and the items.
    Flow {
        open: usize,
        close: Option<usize>,
        items: Vec<Entry>,
    },
    /// Something that is not a list; the loader reports it.
    Other,
}

/// One entry of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    /// Byte offset of the entry: its `-` in a block list, its first token in a flow list.
    pub start: usize,
    /// Byte offset where its last token ends.
    pub end: usize,
    /// Its tokens, `-` excluded.
    tokens: std::ops::Range<usize>,
}

/// A key of an entry's mapping.
struct Key {
    name: String,
    /// Byte offset of the key.
    at: usize,
    /// Byte offset of its value, or just after the `:` when the value is empty.
    value: usize,
}

/// The text of a scalar token, without quotes; escapes are kept (keys have none).
fn unquote(text: &str) -> &str {
    let quoted = text.len() >= 2
        && ((text.starts_with('"') && text.ends_with('"'))
            || (text.starts_with('\'') && text.ends_with('\'')));
    if quoted {
        &text[1..text.len() - 1]
    } else {
        text
    }
}

impl<'a> Layout<'a> {
    pub fn new(text: &'a str) -> Layout<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1));
        let tokens: Vec<Token> = Scanner::new(text).collect();
        let mut layout = Layout {
            text,
            line_starts,
            tokens,
            top: Vec::new(),
            list: List::Missing,
        };
        layout.top = layout.keys_at(0..layout.tokens.len(), None);
        layout.list = layout.find_list();
        layout
    }

    fn token_text(&self, index: usize) -> &'a str {
        let token = self.tokens[index];
        &self.text[token.start..token.end]
    }

    /// 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    fn column_of(&self, offset: usize) -> usize {
        offset - self.line_starts[self.line_of(offset)]
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |part| part.chars().count());
        (line + 1, column + 1)
    }

    /// A 1-based position as the YAML library gives it, moved inside the file when it points
    /// past the end (an unclosed `[` is reported on the line after the last): to the last
    /// character that is not white space.
    pub fn clamp(&self, (line, column): (usize, usize)) -> (usize, usize) {
        let offset = line
            .checked_sub(1)
            .and_then(|line| self.line_starts.get(line))
            .map(|&start| {
                let rest = &self.text[start..];
                let line_end = rest.find('\n').unwrap_or(rest.len());
                let at = rest[..line_end]
                    .char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(line_end, |(at, _)| at);
                start + at
            })
            .filter(|&offset| offset < self.text.len());
        match (offset, self.text.trim_end().char_indices().last()) {
            (Some(offset), _) => self.position(offset),
            (None, Some((last, _))) => self.position(last),
            (None, None) => (1, 1),
        }
    }

    /// The keys of the mapping whose tokens are in `range`: scalars followed by `:` at the
    /// mapping's own level. A flow mapping's level is `Some(depth)`; a block mapping's keys
    /// are at depth 0 and in the column of its first key.
    fn keys_at(&self, range: std::ops::Range<usize>, flow: Option<usize>) -> Vec<(String, usize)> {
        let mut keys = Vec::new();
        let mut column = None;
        for index in range.clone() {
            let token = self.tokens[index];
            let is_key = token.kind == Kind::Scalar
                && range.contains(&(index + 1))
                && self.tokens[index + 1].kind == Kind::Value;
            if !is_key {
                continue;
            }
            let level = match flow {
                Some(depth) => token.depth == depth,
                None => {
                    token.depth == 0
                        && *column.get_or_insert(self.column_of(token.start))
                            == self.column_of(token.start)
                }
            };
            if level {
                keys.push((unquote(self.token_text(index)).to_string(), index));
            }
        }
        keys
    }

    fn top_key(&self, name: &str) -> Option<usize> {
        self.top
            .iter()
            .find(|(key, _)| key == name)
            .map(|&(_, index)| index)
    }

    fn find_list(&self) -> List {
        let Some(key) = self.top_key("suppressions") else {
            return List::Missing;
        };
        let colon = key + 1;
        let key_column = self.column_of(self.tokens[key].start);
        let Some(&first) = self.tokens.get(colon + 1) else {
            return List::Empty { colon };
        };
        match first.kind {
            Kind::Open if self.text.as_bytes()[first.start] == b'[' => self.flow_list(colon + 1),
            Kind::Entry => self.block_list(colon + 1),
            // Not to the right of the key: the next key of the top-level mapping, so the
            // value is empty.
            _ if self.column_of(first.start) <= key_column => List::Empty { colon },
            _ => List::Other,
        }
    }

    /// The entries of a block list: `-` at the column of the first one, each the first
    /// token of its line outside flow collections; the list ends at the first other token
    /// that starts a line no deeper than that.
    fn block_list(&self, first: usize) -> List {
        let column = self.column_of(self.tokens[first].start);
        let mut entries: Vec<Entry> = Vec::new();
        for index in first..self.tokens.len() {
            let token = self.tokens[index];
            let starts_line = token.depth == 0
                && self.text[self.line_starts[self.line_of(token.start)]..token.start]
                    .trim()
                    .is_empty();
            if starts_line && self.column_of(token.start) <= column {
                if token.kind != Kind::Entry || self.column_of(token.start) < column {
                    break;
                }
                let after = index + 1;
                entries.push(Entry {
                    start: token.start,
                    end: token.end,
                    tokens: after..after,
                });
                continue;
            }
            if let Some(entry) = entries.last_mut() {
                entry.end = token.end;
                entry.tokens.end = index + 1;
            }
        }
        List::Block(entries)
    }

    /// The items of a flow list: what lies between its commas.
    fn flow_list(&self, open: usize) -> List {
        let mut items: Vec<Entry> = Vec::new();
        let mut item_open = true;
        for index in open + 1..self.tokens.len() {
            let token = self.tokens[index];
            if token.kind == Kind::Close && token.depth == 1 {
                return List::Flow {
                    open: self.tokens[open].start,
                    close: Some(token.start),
                    items,
                };
            }
            if token.kind == Kind::Comma && token.depth == 1 {
                item_open = true;
                continue;
            }
            if item_open {
                items.push(Entry {
                    start: token.start,
                    end: token.end,
                    tokens: index..index,
                });
                item_open = false;
            }
            if let Some(item) = items.last_mut() {
                item.end = token.end;
                item.tokens.end = index + 1;
            }
        }
        List::Flow {
            open: self.tokens[open].start,
            close: None,
            items,
        }
    }

    pub(super) fn list(&self) -> &List {
        &self.list
    }

    pub(super) fn entries(&self) -> &[Entry] {
        match &self.list {
            List::Block(entries) => entries,
            List::Flow { items, .. } => items,
            _ => &[],
        }
    }

    /// The keys of entry `index`.
    fn entry_keys(&self, index: usize) -> Vec<Key> {
        let Some(entry) = self.entries().get(index) else {
            return Vec::new();
        };
        let range = entry.tokens.clone();
        // A `{…}` mapping's keys are one level inside it; a `key: value` pair written
        // straight into a flow list is at the list's level; a block mapping's at level 0.
        let flow = match self.tokens.get(range.start) {
            Some(token) if token.kind == Kind::Open => Some(token.depth + 1),
            Some(token) if token.depth > 0 => Some(token.depth),
            _ => None,
        };
        let keys = self.keys_at(range.clone(), flow);
        let key_indices: Vec<usize> = keys.iter().map(|&(_, index)| index).collect();
        keys.into_iter()
            .map(|(name, index)| {
                let colon = self.tokens[index + 1];
                let value = match self.tokens.get(index + 2) {
                    Some(next)
                        if range.contains(&(index + 2))
                            && !key_indices.contains(&(index + 2))
                            && !matches!(next.kind, Kind::Comma | Kind::Close) =>
                    {
                        next.start
                    }
                    _ => colon.end,
                };
                Key {
                    name,
                    at: self.tokens[index].start,
                    value,
                }
            })
            .collect()
    }

    /// 1-based position of entry `index`: its `-`, or its first token in a flow list.
    pub fn entry(&self, index: usize) -> (usize, usize) {
        self.entries()
            .get(index)
            .map_or((1, 1), |entry| self.position(entry.start))
    }

    /// 1-based position of entry `index`'s mapping: its first key, or its `{`.
    pub fn entry_body(&self, index: usize) -> (usize, usize) {
        match self.entries().get(index) {
            Some(entry) => match self.tokens.get(entry.tokens.start) {
                Some(token) if entry.tokens.start < entry.tokens.end => self.position(token.start),
                _ => self.position(entry.start),
            },
            None => (1, 1),
        }
    }

    /// 1-based position of the value of `key` in entry `index`, else of the entry.
    pub fn key(&self, index: usize, key: &str) -> (usize, usize) {
        match self
            .entry_keys(index)
            .iter()
            .find(|found| found.name == key)
        {
            Some(found) => self.position(found.value),
            None => self.entry(index),
        }
    }

    /// 1-based position of `key` itself in entry `index`, else of the entry's mapping.
    pub fn key_name(&self, index: usize, key: &str) -> (usize, usize) {
        match self
            .entry_keys(index)
            .iter()
            .find(|found| found.name == key)
        {
            Some(found) => self.position(found.at),
            None => self.entry_body(index),
        }
    }

    /// 1-based position of the value of the top-level `key`.
    pub fn top_level(&self, key: &str) -> (usize, usize) {
        match self.top_key(key) {
            Some(index) => match self.tokens.get(index + 2) {
                Some(value)
                    if self.line_of(value.start) == self.line_of(self.tokens[index].start) =>
                {
                    self.position(value.start)
                }
                _ => self.position(self.tokens[index + 1].end),
            },
            None => (1, 1),
        }
    }

    /// 1-based position of the top-level `key` itself.
    pub fn top_level_name(&self, key: &str) -> (usize, usize) {
        self.top_key(key)
            .map_or((1, 1), |index| self.position(self.tokens[index].start))
    }

    /// Lines `[start, end)` (0-based) of block entry `index`: from its `-` to its last token.
    pub fn entry_lines(&self, index: usize) -> Option<(usize, usize)> {
        match &self.list {
            List::Block(entries) => entries.get(index).map(|entry| {
                (
                    self.line_of(entry.start),
                    self.line_of(entry.end.saturating_sub(1).max(entry.start)) + 1,
                )
            }),
            _ => None,
        }
    }

    pub fn entry_count(&self) -> usize {
        self.entries().len()
    }

    /// For a block list: the line after the last entry (where a new entry goes), and the
    /// entries' indentation.
    pub fn append_point(&self) -> Option<(usize, usize)> {
        let last = self.entry_count().checked_sub(1)?;
        let (_, end) = self.entry_lines(last)?;
        let entry = &self.entries()[last];
        Some((end, self.column_of(entry.start)))
    }

    /// The line (0-based) and column of the `suppressions` key, and the byte offset just
    /// after its `:`.
    pub(super) fn list_key(&self) -> Option<(usize, usize, usize)> {
        let key = self.top_key("suppressions")?;
        let start = self.tokens[key].start;
        Some((
            self.line_of(start),
            self.column_of(start),
            self.tokens[key + 1].end,
        ))
    }

    /// Byte offset where line `line` (0-based) starts; the text's end past the last line.
    pub(super) fn line_offset(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }

    pub(super) fn same_line(&self, a: usize, b: usize) -> bool {
        self.line_of(a) == self.line_of(b)
    }

    /// The indentation (bytes) of the line of `offset`.
    pub(super) fn indentation_at(&self, offset: usize) -> usize {
        let start = self.line_starts[self.line_of(offset)];
        let line = &self.text[start..];
        line.len() - line.trim_start_matches([' ', '\t']).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_entries_and_keys() {
        let text = "version: 1\n# id: not this\nsuppressions:\n  - id: a\n    reason: |\n      - id: not an entry\n\n  # about b\n  -   id: b\n      expires: 2027-01-01\n      empty:\n      next: x\nother: 1\n";
        let layout = Layout::new(text);
        assert_eq!(layout.entry_count(), 2);
        assert_eq!(layout.entry_lines(0), Some((3, 6)));
        assert_eq!(layout.entry_lines(1), Some((8, 12)));
        assert_eq!(layout.key(0, "id"), (4, 9));
        assert_eq!(layout.key_name(0, "reason"), (5, 5));
        assert_eq!(layout.key(1, "id"), (9, 11));
        assert_eq!(layout.key(1, "expires"), (10, 16));
        assert_eq!(layout.key(1, "empty"), (11, 13));
        assert_eq!(layout.key(1, "owner"), (9, 3));
        assert_eq!(layout.key_name(1, "owner"), (9, 7));
        assert_eq!(layout.entry(1), (9, 3));
        assert_eq!(layout.entry_body(0), (4, 5));
        assert_eq!(layout.append_point(), Some((12, 2)));
        assert_eq!(layout.top_level("version"), (1, 10));
        assert_eq!(layout.top_level_name("other"), (13, 1));
        assert_eq!(layout.top_level("nothing"), (1, 1));
        assert_eq!(layout.list_key(), Some((2, 0, 39)));
    }

    #[test]
    fn compact_and_flow_entries() {
        let text = "suppressions:\n- id: a\n  reason: r\n- {id: b, reason: \"r\"}\nversion: 1\n";
        let layout = Layout::new(text);
        assert_eq!(layout.entry_count(), 2);
        assert_eq!(layout.entry_lines(1), Some((3, 4)));
        assert_eq!(layout.key(0, "reason"), (3, 11));
        assert_eq!(layout.key(1, "reason"), (4, 19));
        assert_eq!(layout.key_name(1, "reason"), (4, 11));
        assert_eq!(layout.entry_body(1), (4, 3));

        let text = "version: 1\nsuppressions: [{id: a, reason: r},\n  {id: b, reason: r}  # c\n]\n";
        let layout = Layout::new(text);
        let List::Flow { open, close, items } = layout.list() else {
            panic!("{:?}", layout.list());
        };
        assert_eq!((*open, *close), (25, Some(72)));
        assert_eq!(items.len(), 2);
        assert_eq!(&text[items[1].start..items[1].end], "{id: b, reason: r}");
        assert_eq!(layout.entry(1), (3, 3));
        assert_eq!(layout.key(1, "reason"), (3, 19));
        assert_eq!(layout.key(0, "id"), (2, 21));
        assert_eq!(layout.entry_lines(0), None);
        assert_eq!(layout.append_point(), None);
    }

    /// Keys are found at their mapping's own level only, quoted or not.
    #[test]
    fn keys_of_nested_and_quoted_mappings() {
        let text = "suppressions:\n  - reason: {id: x}\n    'id': a\n    stack:\n      id: y\n  - {\"id\": b, reason: [id: z], owner:, file: f}\n";
        let layout = Layout::new(text);
        assert_eq!(layout.entry_count(), 2);
        assert_eq!(layout.key(0, "id"), (3, 11));
        assert_eq!(layout.key_name(0, "id"), (3, 5));
        // A value on the next line is placed where it starts.
        assert_eq!(layout.key(0, "stack"), (5, 7));
        assert_eq!(layout.key(1, "id"), (6, 12));
        assert_eq!(layout.key(1, "reason"), (6, 23));
        // An empty value: just after its `:`.
        assert_eq!(layout.key(1, "owner"), (6, 38));
        assert_eq!(layout.key(1, "file"), (6, 46));
        assert_eq!(layout.top_level("suppressions"), (1, 14));
        assert_eq!(layout.top_level_name("suppressions"), (1, 1));
        assert_eq!(layout.entry_lines(0), Some((1, 5)));
        assert_eq!(layout.entry_lines(1), Some((5, 6)));
        // Only a key quoted at both ends is unquoted.
        let layout = Layout::new("suppressions:\n  - x': 1\n    y\": 2\n    'z': 3\n");
        assert_eq!(layout.key_name(0, "x'"), (2, 5));
        assert_eq!(layout.key_name(0, "y\""), (3, 5));
        assert_eq!(layout.key_name(0, "z"), (4, 5));
        // A pair written straight into a flow list, and a flow mapping over several lines.
        let layout = Layout::new("suppressions: [id: a, reason: r]\n");
        assert_eq!(layout.key(0, "id"), (1, 20));
        assert_eq!(layout.key(1, "reason"), (1, 31));
        let layout = Layout::new("suppressions:\n  - {id: a,\n  reason: r}\n  - id: b\n");
        assert_eq!(layout.entry_count(), 2);
        assert_eq!(layout.key(0, "reason"), (3, 11));
        // A `-` less indented than the list's ends it (the YAML is wrong, the layout holds).
        let layout = Layout::new("suppressions:\n  - id: a\n- b\n");
        assert_eq!(layout.entry_count(), 1);
        // A bare `-` is an entry of its own line.
        let layout = Layout::new("suppressions:\n  -\n  - id: a\nversion: 1\n");
        assert_eq!(layout.entry_count(), 2);
        assert_eq!(layout.entry_lines(0), Some((1, 2)));
        assert_eq!(layout.entry_body(0), (2, 3));
        assert_eq!(layout.entry_body(1), (3, 5));
        assert_eq!(layout.entry(7), (1, 1));
        assert_eq!(layout.entry_body(7), (1, 1));
        assert_eq!(layout.key(7, "id"), (1, 1));
    }

    #[test]
    fn list_shapes() {
        for (text, expected) in [
            ("version: 1\n", "Missing"),
            ("version: 1\nsuppressions:\n", "Empty"),
            ("suppressions:\nversion: 1\n", "Empty"),
            ("suppressions: []\n", "Flow"),
            ("suppressions: 5\n", "Other"),
            ("suppressions: {a: 1}\n", "Other"),
            ("suppressions:\n  - id: a\n", "Block"),
        ] {
            let layout = Layout::new(text);
            let found = format!("{:?}", layout.list());
            assert!(found.starts_with(expected), "{text:?}: {found}");
        }
    }

    #[test]
    fn positions_stay_inside_the_file() {
        let text = "version: 1\nsuppressions: [\n";
        let layout = Layout::new(text);
        assert_eq!(layout.clamp((3, 1)), (2, 15));
        assert_eq!(layout.clamp((2, 15)), (2, 15));
        assert_eq!(layout.clamp((1, 3)), (1, 3));
        assert_eq!(layout.clamp((9, 9)), (2, 15));
        assert_eq!(Layout::new("é: [").clamp((1, 9)), (1, 4));
        assert_eq!(Layout::new("").clamp((2, 1)), (1, 1));
        assert_eq!(layout.position(usize::MAX), (3, 1));
        // Inside a character (no token starts there): counted in bytes.
        assert_eq!(Layout::new("a\né").position(3), (2, 2));
        assert_eq!(Layout::new("aé b").position(4), (1, 4));
    }
}
