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
mod tests;
