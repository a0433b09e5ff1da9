//! What was decided about a finding, and why: its status and verdict, what suppressed it,
//! why it is not own code, and the notes that explain the verdict or say what would tell more.

use serde::{Deserialize, Serialize, Serializer};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Over the threshold, in own code, not suppressed: a suspected leak.
    Reported,
    Suppressed,
    BelowThreshold,
    /// Not own code (the Go standard library by default).
    Excluded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Suppressed => "suppressed",
            Status::BelowThreshold => "below_threshold",
            Status::Excluded => "excluded",
        }
    }
}

/// How sure leakprof is that a place leaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The garbage collector proved goroutines there leaked.
    Proven,
    /// Evidence beyond the count: the place grows over time, or the source shows the path
    /// that abandons the goroutine.
    Likely,
    /// Many goroutines wait there; nothing more is known.
    Possible,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Proven => "proven",
            Verdict::Likely => "likely",
            Verdict::Possible => "possible",
        }
    }

    /// At least as sure as `other`.
    pub fn at_least(self, other: Verdict) -> bool {
        self <= other
    }
}

/// What suppressed a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionKind {
    /// A select that also waits on `time.After`, `time.NewTimer`'s `C`, ….
    SelectTimer,
    /// A select that also waits on a ticker.
    SelectTicker,
    /// A select that also waits on `ctx.Done()`.
    SelectCtxDone,
    /// A wait on a timer of its own (`<-t.C`).
    WaitTimer,
    /// A wait on a ticker of its own.
    WaitTicker,
    /// A wait on a context that ends (`<-ctx.Done()` with a deadline or a cancel).
    WaitCtxDone,
    /// An allowlist rule (`--rules`, `.leakprof.yaml`, built-in).
    Allowlist,
    /// `//leakprof:ignore <reason>` in the source.
    Inline,
}

impl SuppressionKind {
    /// The JSON word.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::SelectTimer => "select-timer",
            SuppressionKind::SelectTicker => "select-ticker",
            SuppressionKind::SelectCtxDone => "select-ctx-done",
            SuppressionKind::WaitTimer => "wait-timer",
            SuppressionKind::WaitTicker => "wait-ticker",
            SuppressionKind::WaitCtxDone => "wait-ctx-done",
            SuppressionKind::Allowlist => "allowlist",
            SuppressionKind::Inline => "inline",
        }
    }
}

impl std::fmt::Display for SuppressionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
    /// The allowlist rule's id, for `allowlist`.
    pub rule: Option<String>,
    /// The allowlist rule's owner, when it names one.
    pub owner: Option<String>,
    /// For a bound (a timer, ticker or context case): whether the source shows it can fire
    /// while the goroutine waits (`true`), or that could not be told (`false`: callers or
    /// fields out of reach); null for rules and inline ignores.
    pub verified: Option<bool>,
}

/// Why a place is not own code, and so not reported unless asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exclusion {
    StandardLibrary,
    /// A dependency in the module cache.
    ModuleCache {
        module: String,
    },
    /// Code under a `vendor/` folder of the repository.
    Vendored {
        path: String,
    },
    /// A package the repository does not hold.
    OtherPackage {
        package: String,
    },
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exclusion::StandardLibrary => f.write_str("standard library"),
            Exclusion::ModuleCache { module } => write!(f, "dependency {module} (module cache)"),
            Exclusion::Vendored { path } => write!(f, "vendored ({path})"),
            Exclusion::OtherPackage { package } => {
                write!(f, "not in the repository (package {package})")
            }
        }
    }
}

impl Serialize for Exclusion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Something known about a finding that is not evidence of its own: a reason for its verdict,
/// or what would tell more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// A select checked without the source: its cases may include a timer or a context.
    SelectUnchecked,
    /// Steady over the snapshots, with goroutines that one function started in a loop of a
    /// fixed count: most likely a worker pool.
    Pool {
        goroutines: u64,
        creator: String,
        snapshots: usize,
    },
    /// Over an automatic threshold because it grows, not because of its count.
    GrowingUnderAutoBar { bar: u64 },
    /// The GC proved goroutines here leaked, so the built-in rule that matches the place did
    /// not suppress it: built-in rules describe healthy daemons, and a proven leak is not one.
    BuiltinRuleOverruled { rule: String },
    /// A rule matched, but the place has at least as many goroutines as the rule's
    /// `max_goroutines`: so many daemons of one kind are the leak the rule cannot excuse.
    OverRuleBound {
        rule: String,
        max: u64,
        goroutines: u64,
        /// The rule's `over_bound` words: what so many of them mean.
        says: Option<String>,
    },
    /// A case or wait that looks like a bound, and that the source shows can never fire.
    BoundNever {
        expr: String,
        line: u32,
        why: String,
    },
    /// A bare wait on a bound whose source could not tell whether it fires.
    BoundUnverified {
        expr: String,
        line: u32,
        why: String,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::SelectUnchecked => f.write_str(
                "the select's cases were not checked: with --repo, leakprof reads them and \
                 suppresses a select bounded by a timer, ticker or context",
            ),
            Note::Pool {
                goroutines,
                creator,
                snapshots,
            } => write!(
                f,
                "looks like a fixed pool of {goroutines} workers started by {creator}; steady \
                 over {snapshots} snapshots"
            ),
            Note::GrowingUnderAutoBar { bar } => write!(
                f,
                "reported because it grows, although under the automatic threshold of {bar}"
            ),
            Note::BuiltinRuleOverruled { rule } => write!(
                f,
                "the garbage collector proved these goroutines leaked, so built-in rule {rule} \
                 does not hide them: it describes a healthy daemon, and a leaked one is not"
            ),
            Note::OverRuleBound {
                rule,
                max,
                goroutines,
                says: Some(says),
            } => write!(
                f,
                "{goroutines} {says} (rule {rule} expects fewer than {max})"
            ),
            Note::OverRuleBound {
                rule,
                max,
                goroutines,
                says: None,
            } => write!(
                f,
                "{goroutines} goroutines here, and rule {rule} suppresses only fewer than {max}"
            ),
            Note::BoundNever { expr, line, why } => write!(
                f,
                "{expr} at line {line} looks like a way out but can never fire: {why}"
            ),
            Note::BoundUnverified { expr, line, why } => write!(
                f,
                "{expr} at line {line} may end the wait, but that is unverified: {why}"
            ),
        }
    }
}

impl Serialize for Note {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
