//! What the source at the revision shows at a finding's line: the line and the operation's
//! span in it, the lines around it, the enclosing function and where the channel was made.

use serde::Serialize;

/// Evidence read from the source at the revision.
#[derive(Clone, Debug, Serialize)]
pub struct SourceEvidence {
    /// The line, trimmed.
    pub snippet: String,
    /// Where the operation is on the line: the send or receive expression, a range loop's
    /// header, a select's keyword. Null when the line holds no channel operation.
    pub span: Option<Span>,
    /// A few lines around the operation's line, as written.
    pub context: Option<SourceContext>,
    /// The enclosing function as written in the source.
    pub function: Option<String>,
    /// Where the channel was made, when in the same function.
    pub channel: Option<ChannelEvidence>,
    /// Observations that did not decide anything (e.g. a `.C` of unknown origin).
    pub notes: Vec<String>,
}

/// A stretch of a source file. Lines count from 1; columns count Unicode code points from 1,
/// and `end_column` is the column just after the last character (as SARIF counts them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// Lines of a source file as written, the first of them at `first_line`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceContext {
    pub first_line: u32,
    pub lines: Vec<String>,
}

impl SourceContext {
    /// Lines shown before and after the operation's line.
    pub const AROUND: u32 = 2;

    /// The lines around `line` (1-based) of `text`: [`Self::AROUND`] on each side, fewer at
    /// the ends of the file; None when `line` is not a line of it.
    pub fn around(text: &str, line: u32) -> Option<SourceContext> {
        if line == 0 {
            return None;
        }
        let first_line = line.saturating_sub(Self::AROUND).max(1);
        let lines: Vec<String> = text
            .lines()
            .skip(first_line as usize - 1)
            .take((line - first_line + Self::AROUND + 1) as usize)
            .map(str::to_string)
            .collect();
        (lines.len() > (line - first_line) as usize).then_some(SourceContext { first_line, lines })
    }

    /// Each line with its number.
    pub fn numbered(&self) -> impl Iterator<Item = (u32, &str)> {
        (self.first_line..).zip(self.lines.iter().map(String::as_str))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ChannelEvidence {
    pub name: String,
    pub line: u32,
    /// `null` for an unbuffered channel, else the capacity as written.
    pub capacity: Option<String>,
}

#[cfg(test)]
mod tests;
