//! A small YAML tokenizer: enough to see the structure of a rules file without the YAML
//! library. [`super::parse`] runs it first to bound how deep flow collections nest, because
//! the YAML library's scanner takes time proportional to depth × tokens (64 KB of nested `[`
//! took 21 s); [`super::Layout`] uses its tokens to place errors and to edit files.
//!
//! It follows the rules of libyaml's scanner (which the YAML library is a translation of)
//! for what decides the nesting depth: where a token starts, comments, single- and
//! double-quoted scalars, plain scalars (which end at `: `, ` #` and, inside flow
//! collections, at `,[]{}`, and continue on lines indented deeper than the enclosing block),
//! block scalars (`|`, `>`), anchors, aliases and tags. Where it might still read a file
//! differently from libyaml, libyaml rejects that file within a few tokens.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `[` or `{`.
    Open,
    /// `]` or `}`.
    Close,
    /// `,`
    Comma,
    /// `-` starting a block sequence entry.
    Entry,
    /// `?` starting an explicit key.
    Key,
    /// `:` after a key.
    Value,
    /// A plain, quoted or block scalar.
    Scalar,
    /// An anchor, alias, tag, directive or document marker.
    Other,
}

/// A token: its kind, its bytes `start..end` in the text, and how many flow collections
/// enclose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub depth: usize,
}

/// Yields the tokens of a YAML text in order.
pub(super) struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
    /// Byte offset where the line holding `pos` starts.
    line_start: usize,
    /// Flow collections open at `pos`.
    depth: usize,
    /// Columns of the open block collections, innermost last (libyaml's indentation stack).
    indents: Vec<usize>,
    /// Where a simple key may start: the first token after a line start, `-`, `?` or `:`
    /// outside flow collections, as `(line start, column)`.
    key_start: Option<(usize, usize)>,
    /// No token yet since the last line start, `-`, `?` or `:`.
    key_allowed: bool,
}

fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

fn is_break(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}

fn is_flow_indicator(byte: u8) -> bool {
    matches!(byte, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            text: text.as_bytes(),
            pos: 0,
            line_start: 0,
            depth: 0,
            indents: Vec::new(),
            key_start: None,
            key_allowed: true,
        }
    }

    fn at(&self, index: usize) -> Option<u8> {
        self.text.get(index).copied()
    }

    /// Blank, line break or end of text at `index`.
    fn blank_or_end(&self, index: usize) -> bool {
        self.at(index)
            .is_none_or(|byte| is_blank(byte) || is_break(byte))
    }

    fn column(&self) -> usize {
        self.pos - self.line_start
    }

    /// libyaml's `indent`: the column of the innermost block collection, if any.
    fn indent(&self) -> Option<usize> {
        self.indents.last().copied()
    }

    /// Whether `column` is indented deeper than the innermost block collection.
    fn deeper(&self, column: usize) -> bool {
        self.indent().is_none_or(|indent| column > indent)
    }

    fn roll(&mut self, column: usize) {
        if self.deeper(column) {
            self.indents.push(column);
        }
    }

    /// Moves past one byte, keeping `line_start` right.
    fn bump(&mut self) {
        if self.at(self.pos) == Some(b'\n') {
            self.line_start = self.pos + 1;
        }
        self.pos += 1;
    }

    /// Skips blanks, line breaks and comments up to the next token.
    fn skip_to_token(&mut self) {
        while let Some(byte) = self.at(self.pos) {
            if is_blank(byte) {
                self.bump();
            } else if is_break(byte) {
                self.bump();
                if self.depth == 0 {
                    self.key_allowed = true;
                }
            } else if byte == b'#' {
                self.skip_line();
            } else {
                break;
            }
        }
    }

    /// Moves to the line break that ends the current line.
    fn skip_line(&mut self) {
        while self.at(self.pos).is_some_and(|byte| !is_break(byte)) {
            self.pos += 1;
        }
    }

    fn document_marker(&self) -> bool {
        self.column() == 0
            && (self.text[self.pos..].starts_with(b"---")
                || self.text[self.pos..].starts_with(b"..."))
            && self.blank_or_end(self.pos + 3)
    }

    fn single_quoted(&mut self) {
        self.pos += 1;
        while let Some(byte) = self.at(self.pos) {
            self.bump();
            if byte == b'\'' {
                if self.at(self.pos) == Some(b'\'') {
                    self.pos += 1;
                } else {
                    return;
                }
            }
        }
    }

    fn double_quoted(&mut self) {
        self.pos += 1;
        while let Some(byte) = self.at(self.pos) {
            self.bump();
            match byte {
                b'"' => return,
                b'\\' if self.at(self.pos).is_some() => self.bump(),
                _ => {}
            }
        }
    }

    /// A plain scalar; returns where its text ends.
    fn plain(&mut self) -> usize {
        let mut end = self.pos;
        loop {
            if self.document_marker() || self.at(self.pos) == Some(b'#') {
                break;
            }
            while let Some(byte) = self.at(self.pos) {
                if is_blank(byte) || is_break(byte) {
                    break;
                }
                let next = self.at(self.pos + 1);
                let ends_value = byte == b':'
                    && (self.blank_or_end(self.pos + 1)
                        || (self.depth > 0 && next.is_some_and(is_flow_indicator)));
                if ends_value || (self.depth > 0 && is_flow_indicator(byte)) {
                    break;
                }
                self.pos += 1;
                end = self.pos;
            }
            if !self
                .at(self.pos)
                .is_some_and(|byte| is_blank(byte) || is_break(byte))
            {
                break;
            }
            while self
                .at(self.pos)
                .is_some_and(|byte| is_blank(byte) || is_break(byte))
            {
                self.bump();
            }
            // Outside flow collections the scalar goes on only on lines indented deeper
            // than the block it is in.
            if self.depth == 0 && !self.deeper(self.column()) {
                if self.line_start > end {
                    self.key_allowed = true;
                }
                break;
            }
        }
        end
    }

    /// A block scalar: its header, then the lines indented at least as deep as its first
    /// line (or as its indentation indicator says), and blank lines; returns where its text
    /// ends.
    fn block_scalar(&mut self) -> usize {
        self.pos += 1;
        let mut increment = None;
        while let Some(byte) = self.at(self.pos) {
            match byte {
                b'+' | b'-' => {}
                b'1'..=b'9' => increment = Some(usize::from(byte - b'0')),
                _ => break,
            }
            self.pos += 1;
        }
        self.skip_line();
        let mut end = self.pos;
        let base = self.indent();
        let mut required =
            increment.map(|increment| base.map_or(increment, |base| base + increment));
        while self.at(self.pos).is_some() {
            if self.at(self.pos) == Some(b'\r') {
                self.pos += 1;
            }
            if self.at(self.pos) == Some(b'\n') {
                self.bump();
            }
            let line = self.pos;
            let mut probe = line;
            while self.at(probe) == Some(b' ') {
                probe += 1;
            }
            if self.at(probe).is_none_or(is_break) {
                self.pos = probe;
                continue;
            }
            let indentation = probe - line;
            let least = base.map_or(1, |base| base + 1);
            let needed = *required.get_or_insert(indentation.max(least));
            if indentation < needed {
                self.key_allowed = true;
                return end;
            }
            self.pos = probe;
            self.skip_line();
            end = self.pos;
        }
        end
    }
}

impl Iterator for Scanner<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        self.skip_to_token();
        let byte = self.at(self.pos)?;
        let start = self.pos;
        let column = self.column();
        let depth = self.depth;
        if depth == 0 {
            while self.indent().is_some_and(|indent| indent > column) {
                self.indents.pop();
            }
        }
        // A simple key starts at an anchor or tag before the key's scalar, as in libyaml.
        if self.key_allowed && depth == 0 {
            self.key_start = Some((self.line_start, column));
        }
        self.key_allowed = false;
        let mut end = start + 1;
        let kind = match byte {
            b'[' | b'{' => {
                self.depth += 1;
                self.pos += 1;
                Kind::Open
            }
            b']' | b'}' => {
                self.depth = self.depth.saturating_sub(1);
                self.pos += 1;
                Kind::Close
            }
            b',' => {
                self.pos += 1;
                Kind::Comma
            }
            _ if self.document_marker() => {
                self.indents.clear();
                self.pos += 3;
                end = self.pos;
                self.key_allowed = true;
                Kind::Other
            }
            b'%' if column == 0 => {
                self.skip_line();
                end = self.pos;
                Kind::Other
            }
            b'-' if self.blank_or_end(start + 1) => {
                if depth == 0 {
                    self.roll(column);
                }
                self.pos += 1;
                self.key_allowed = true;
                Kind::Entry
            }
            b'?' if depth > 0 || self.blank_or_end(start + 1) => {
                self.pos += 1;
                self.key_allowed = true;
                Kind::Key
            }
            b':' if depth > 0 || self.blank_or_end(start + 1) => {
                if depth == 0 {
                    // The key started on this line, or the `:` stands alone.
                    let key = match self.key_start {
                        Some((line, key_column)) if line == self.line_start => key_column,
                        _ => column,
                    };
                    self.roll(key);
                }
                self.pos += 1;
                self.key_allowed = true;
                Kind::Value
            }
            b'&' | b'*' => {
                self.pos += 1;
                while self.at(self.pos).is_some_and(|byte| {
                    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
                }) {
                    self.pos += 1;
                }
                end = self.pos;
                Kind::Other
            }
            b'!' => {
                self.pos += 1;
                while self.at(self.pos).is_some_and(|byte| {
                    !is_blank(byte) && !is_break(byte) && !is_flow_indicator(byte)
                }) {
                    self.pos += 1;
                }
                end = self.pos;
                Kind::Other
            }
            b'|' | b'>' if depth == 0 => {
                end = self.block_scalar();
                Kind::Scalar
            }
            b'\'' => {
                self.single_quoted();
                end = self.pos;
                Kind::Scalar
            }
            b'"' => {
                self.double_quoted();
                end = self.pos;
                Kind::Scalar
            }
            _ => {
                end = self.plain().max(start + 1);
                self.pos = self.pos.max(end);
                Kind::Scalar
            }
        };
        Some(Token {
            kind,
            start,
            end,
            depth,
        })
    }
}

/// The deepest nesting of flow collections allowed in a rules file; one needs two
/// (`suppressions: [{…}]`).
pub(super) const MAX_FLOW_DEPTH: usize = 16;

/// The offset of the first `[` or `{` nested deeper than [`MAX_FLOW_DEPTH`], if any.
pub(super) fn too_deep(text: &str) -> Option<usize> {
    Scanner::new(text)
        .find(|token| token.kind == Kind::Open && token.depth >= MAX_FLOW_DEPTH)
        .map(|token| token.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(text, expected tokens as (kind, text, depth))`.
    fn check(text: &str, expected: &[(Kind, &str, usize)]) {
        let found: Vec<(Kind, &str, usize)> = Scanner::new(text)
            .map(|token| (token.kind, &text[token.start..token.end], token.depth))
            .collect();
        assert_eq!(found, expected, "{text:?}");
    }

    use Kind::*;

    #[test]
    fn block_structure() {
        check(
            "version: 1\n# comment [\nsuppressions:\n  - id: a # x [\n    reason: 'it''s [' \n",
            &[
                (Scalar, "version", 0),
                (Value, ":", 0),
                (Scalar, "1", 0),
                (Scalar, "suppressions", 0),
                (Value, ":", 0),
                (Entry, "-", 0),
                (Scalar, "id", 0),
                (Value, ":", 0),
                (Scalar, "a", 0),
                (Scalar, "reason", 0),
                (Value, ":", 0),
                (Scalar, "'it''s ['", 0),
            ],
        );
    }

    #[test]
    fn flow_structure() {
        check(
            "s: [{id: a, f: \"x]\\\"\"}, [b:c, d], e f]\n",
            &[
                (Scalar, "s", 0),
                (Value, ":", 0),
                (Open, "[", 0),
                (Open, "{", 1),
                (Scalar, "id", 2),
                (Value, ":", 2),
                (Scalar, "a", 2),
                (Comma, ",", 2),
                (Scalar, "f", 2),
                (Value, ":", 2),
                (Scalar, "\"x]\\\"\"", 2),
                (Close, "}", 2),
                (Comma, ",", 1),
                (Open, "[", 1),
                (Scalar, "b:c", 2),
                (Comma, ",", 2),
                (Scalar, "d", 2),
                (Close, "]", 2),
                (Comma, ",", 1),
                (Scalar, "e f", 1),
                (Close, "]", 1),
            ],
        );
    }

    #[test]
    fn plain_scalars_in_blocks() {
        // Brackets and quotes inside a plain scalar are text, on this line and on the lines
        // that continue it; a line indented no deeper than the key starts a new key.
        check(
            "a: x [y 'z\n  'w [[\nb: [c]\n",
            &[
                (Scalar, "a", 0),
                (Value, ":", 0),
                (Scalar, "x [y 'z\n  'w [[", 0),
                (Scalar, "b", 0),
                (Value, ":", 0),
                (Open, "[", 0),
                (Scalar, "c", 1),
                (Close, "]", 1),
            ],
        );
        check(
            "- a: x\n  b: y\n- c\n",
            &[
                (Entry, "-", 0),
                (Scalar, "a", 0),
                (Value, ":", 0),
                (Scalar, "x", 0),
                (Scalar, "b", 0),
                (Value, ":", 0),
                (Scalar, "y", 0),
                (Entry, "-", 0),
                (Scalar, "c", 0),
            ],
        );
        // Inside a flow collection a plain scalar goes on across lines whatever the indent.
        check(
            "a: [x\n'y, [z]]\n",
            &[
                (Scalar, "a", 0),
                (Value, ":", 0),
                (Open, "[", 0),
                (Scalar, "x\n'y", 1),
                (Comma, ",", 1),
                (Open, "[", 1),
                (Scalar, "z", 2),
                (Close, "]", 2),
                (Close, "]", 1),
            ],
        );
    }

    #[test]
    fn block_scalars_anchors_tags() {
        check(
            "a: |\n  [[[ '\n\n  }\nb: &x !t [*x]\n",
            &[
                (Scalar, "a", 0),
                (Value, ":", 0),
                (Scalar, "|\n  [[[ '\n\n  }", 0),
                (Scalar, "b", 0),
                (Value, ":", 0),
                (Other, "&x", 0),
                (Other, "!t", 0),
                (Open, "[", 0),
                (Other, "*x", 1),
                (Close, "]", 1),
            ],
        );
        check(
            "--- \n- >-\n   text\n\n - x\n...\n",
            &[
                (Other, "---", 0),
                (Entry, "-", 0),
                (Scalar, ">-\n   text", 0),
                (Entry, "-", 0),
                (Scalar, "x", 0),
                (Other, "...", 0),
            ],
        );
    }

    #[test]
    fn less_common_tokens() {
        check(
            "%YAML 1.2\n---\n? a\n: b\n",
            &[
                (Other, "%YAML 1.2", 0),
                (Other, "---", 0),
                (Key, "?", 0),
                (Scalar, "a", 0),
                (Value, ":", 0),
                (Scalar, "b", 0),
            ],
        );
        check(
            "{\"a\":1, b#c: [d:], e:\tf}",
            &[
                (Open, "{", 0),
                (Scalar, "\"a\"", 1),
                (Value, ":", 1),
                (Scalar, "1", 1),
                (Comma, ",", 1),
                (Scalar, "b#c", 1),
                (Value, ":", 1),
                (Open, "[", 1),
                (Scalar, "d", 2),
                (Value, ":", 2),
                (Close, "]", 2),
                (Comma, ",", 1),
                (Scalar, "e", 1),
                (Value, ":", 1),
                (Scalar, "f", 1),
                (Close, "}", 1),
            ],
        );
        // An indentation indicator sets the block scalar's indentation; CR LF line ends and
        // escaped line breaks stay inside their tokens.
        check(
            "a: |2-\r\n   x\r\n  y\r\n\r\nb: \"c\\\r\n d\" #\r\n",
            &[
                (Scalar, "a", 0),
                (Value, ":", 0),
                (Scalar, "|2-\r\n   x\r\n  y", 0),
                (Scalar, "b", 0),
                (Value, ":", 0),
                (Scalar, "\"c\\\r\n d\"", 0),
            ],
        );
        check(
            "--- |\n x\ny\n",
            &[(Other, "---", 0), (Scalar, "|\n x", 0), (Scalar, "y", 0)],
        );
        // A sequence in a mapping, an anchored key, and unclosed quotes.
        check(
            "a:\n  - b\n    c\n  - 'd\ne: f\n&k g: h\n  i\nj: 'k",
            &[
                (Scalar, "a", 0),
                (Value, ":", 0),
                (Entry, "-", 0),
                (Scalar, "b\n    c", 0),
                (Entry, "-", 0),
                (Scalar, "'d\ne: f\n&k g: h\n  i\nj: '", 0),
                (Scalar, "k", 0),
            ],
        );
        check(
            "&k g: h\n  i\nj: k\n",
            &[
                (Other, "&k", 0),
                (Scalar, "g", 0),
                (Value, ":", 0),
                (Scalar, "h\n  i", 0),
                (Scalar, "j", 0),
                (Value, ":", 0),
                (Scalar, "k", 0),
            ],
        );
        check(
            "a: \"x",
            &[(Scalar, "a", 0), (Value, ":", 0), (Scalar, "\"x", 0)],
        );
        // After a quoted value the next line starts a key at its own column, so a plain
        // value indented by one goes on.
        check(
            "a: 'x'\nb: c\n d\n",
            &[
                (Scalar, "a", 0),
                (Value, ":", 0),
                (Scalar, "'x'", 0),
                (Scalar, "b", 0),
                (Value, ":", 0),
                (Scalar, "c\n d", 0),
            ],
        );
        check(
            "- - x\n  - y\n- z\n",
            &[
                (Entry, "-", 0),
                (Entry, "-", 0),
                (Scalar, "x", 0),
                (Entry, "-", 0),
                (Scalar, "y", 0),
                (Entry, "-", 0),
                (Scalar, "z", 0),
            ],
        );
    }

    #[test]
    fn depth_is_bounded() {
        let ok = format!("a: {}{}\n", "[".repeat(16), "]".repeat(16));
        assert_eq!(too_deep(&ok), None);
        let deep = format!("a: {}{}\n", "[".repeat(17), "]".repeat(17));
        assert_eq!(too_deep(&deep), Some(3 + 16));
        // Brackets in quotes, comments and block scalars do not count; quotes inside a plain
        // scalar open nothing.
        let hidden = format!(
            "a: \"{0}\"\nb: '{0}'\n# {0}\nc: |\n  {0}\nd: x'{0}\n",
            "[".repeat(40)
        );
        assert_eq!(too_deep(&hidden), None);
        let after = format!("a: it's\nb: {}\n", "[".repeat(40));
        assert_eq!(too_deep(&after), Some(11 + 16));
        assert_eq!(too_deep(&"{".repeat(1 << 16)), Some(16));
        assert_eq!(too_deep(""), None);
    }
}
