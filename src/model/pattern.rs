//! Leak patterns: why goroutines wait at a place, told from the source around it. A finding's
//! [`Pattern`] names the shape of the leak (a timeout that abandons a sender, a range over a
//! channel nobody closes, …), lists the lines that make the case, and says how to fix it, with
//! a patch where the fix is mechanical.
//!
//! A pattern other than [`PatternId::Other`] is named only when every line it needs was found;
//! the ones that show how the goroutines are abandoned are evidence for the verdict `likely`.

use serde::Serialize;

/// The leak patterns leakprof tells apart. Each has an entry in the leak-kind registry
/// ([`crate::kinds`]), which `leakprof explain PATTERN` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternId {
    /// The counterpart waits in a select that can leave through a timer, ticker or context
    /// case, abandoning this goroutine's operation.
    Timeout,
    /// The function that made the channel and started the goroutine has a path that returns
    /// (or ends) without the matching operation, including never doing it.
    PrematureReturn,
    /// N goroutines started in a loop send on (or receive from) one channel whose counterpart
    /// does fewer than N matching operations.
    Ncast,
    /// A `for … range ch` over a channel its producers never close.
    UnclosedRange,
    /// One goroutine's path sends more values than its counterpart receives.
    DoubleSend,
    /// A wait on a done channel that only a function nobody calls would close.
    NeverClosed,
    /// An operation on a channel that was never made.
    NilChannel,
    /// `select {}`.
    SelectForever,
    /// A channel reachable from a package-level variable: the GC cannot prove it abandoned.
    GlobalChannel,
    /// None of the above fits, or the channel escapes where leakprof cannot follow it.
    Other,
}

impl PatternId {
    /// Every pattern, in the order `explain` lists them.
    pub const ALL: [PatternId; 10] = [
        PatternId::Timeout,
        PatternId::PrematureReturn,
        PatternId::Ncast,
        PatternId::UnclosedRange,
        PatternId::DoubleSend,
        PatternId::NeverClosed,
        PatternId::NilChannel,
        PatternId::SelectForever,
        PatternId::GlobalChannel,
        PatternId::Other,
    ];

    /// The JSON word, and the id `leakprof explain` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            PatternId::Timeout => "timeout",
            PatternId::PrematureReturn => "premature_return",
            PatternId::Ncast => "ncast",
            PatternId::UnclosedRange => "unclosed_range",
            PatternId::DoubleSend => "double_send",
            PatternId::NeverClosed => "never_closed",
            PatternId::NilChannel => "nil_channel",
            PatternId::SelectForever => "select_forever",
            PatternId::GlobalChannel => "global_channel",
            PatternId::Other => "other",
        }
    }

    /// Whether the pattern shows how the goroutines are abandoned: the path that leaves them
    /// waiting, or a wait that nothing can end. A package-level channel only says why the GC
    /// cannot prove the leak, and `other` says nothing.
    pub fn shows_abandonment(self) -> bool {
        !matches!(self, PatternId::GlobalChannel | PatternId::Other)
    }
}

impl std::fmt::Display for PatternId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The leak pattern of a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pattern {
    pub id: PatternId,
    /// The lines that make the case, in source order of discovery: where the channel was
    /// made, where the goroutine was started, the counterpart's abandoning line, …
    pub evidence: Vec<EvidenceLine>,
    pub fix: Fix,
}

/// One line of the source that is part of a pattern's case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvidenceLine {
    /// Repository-relative.
    pub file: String,
    pub line: u32,
    /// What the line does for the case: "`done` is made unbuffered", "returns without
    /// receiving from `result`".
    pub text: String,
}

/// How to fix a pattern.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// One sentence in the owner's terms.
    pub summary: String,
    /// A unified diff against the revision's files (repository-relative, for `git apply`),
    /// when the fix is mechanical.
    pub patch: Option<String>,
    /// Why there is no patch, when there is none.
    pub no_patch: Option<String>,
    /// With the patch, code after the blocked operation runs that never ran before (GFix
    /// refuses such patches): what runs, to check before applying.
    pub runs_new_code: Option<String>,
    /// The patch as edits of the revision's files, for SARIF `fixes` and `leakprof fix`.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// Advice without a patch, and why there is none.
    pub fn advice(summary: impl Into<String>, no_patch: impl Into<String>) -> Fix {
        Fix {
            summary: summary.into(),
            patch: None,
            no_patch: Some(no_patch.into()),
            runs_new_code: None,
            edits: Vec::new(),
        }
    }
}

/// One replacement in one file: the text between `start` and `end` becomes `text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Repository-relative.
    pub file: String,
    pub start: TextPoint,
    pub end: TextPoint,
    pub text: String,
    /// Byte offsets of `start` and `end` in the file at the revision.
    #[serde(skip)]
    pub bytes: std::ops::Range<usize>,
}

/// A position in a file: 1-based line, and 1-based column counted in UTF-16 code units (as
/// SARIF counts them by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TextPoint {
    pub line: u32,
    pub column: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_their_json_words() {
        for id in PatternId::ALL {
            let json = serde_json::to_value(id).unwrap();
            assert_eq!(json, serde_json::Value::from(id.as_str()));
        }
        let silent: Vec<&str> = PatternId::ALL
            .iter()
            .filter(|id| !id.shows_abandonment())
            .map(|id| id.as_str())
            .collect();
        assert_eq!(silent, ["global_channel", "other"]);
    }
}
