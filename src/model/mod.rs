//! The domain model: what a report says, independent of how it is rendered. Every stage of
//! the pipeline builds these values and every renderer reads them; nothing here imports a
//! renderer.

pub mod view;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::blocking::Op;
use crate::date::Date;
use crate::profile::Format;

pub mod id;
pub mod pattern;
#[cfg(test)]
pub mod testing;
pub mod warning;

pub use pattern::{EvidenceLine, Fix, Pattern, PatternId};
pub use warning::{Warning, WarningPlace};

/// Version of the JSON schema; bumped only for incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    /// The version of the recipe finding ids are made by ([`id::ID_VERSION`]): a baseline
    /// with other ids compares every finding as new.
    pub id_version: u32,
    /// The `--threshold`; null with `--threshold auto` (each profile's own bar is in
    /// `profiles[].threshold`).
    pub threshold: Option<u64>,
    /// The source checked with `--repo`; null without it.
    pub source: Option<SourceInfo>,
    pub profiles: Vec<ProfileEntry>,
    /// Every place where goroutines wait on a channel operation, whatever the count, sorted
    /// by goroutines (descending), then file and line.
    pub findings: Vec<Finding>,
    /// Goroutines blocked on something other than a channel, by place; with
    /// `--show-other-blocking` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_blocking: Option<Vec<OtherBlocking>>,
    /// Every allowlist rule loaded from a file (built-in ones only when they matched), with
    /// how many findings it matched and suppressed.
    pub rules: Vec<RuleUsage>,
    pub summary: Summary,
    pub warnings: Vec<Warning>,
    /// What would make the answers better (a goroutineleak profile, `--repo`), once each.
    pub hints: Vec<Hint>,
    /// With `leakprof lint` or `report --lint`: what the lint read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lint: Option<LintInfo>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "leakprof",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ProfileEntry {
    pub path: String,
    pub format: Format,
    pub goroutines: u64,
    /// When the profile was taken (RFC 3339, UTC), if the profile says.
    pub time: Option<String>,
    /// Where `time` came from: `profile` (pprof `time_nanos`), `file_name` (the time in a
    /// name `leakprof collect` gave) or `file` (the file's modification time, with a
    /// warning); null when unknown.
    pub time_source: Option<&'static str>,
    /// With `--threshold auto`: the bar this profile set from its own distribution.
    pub threshold: Option<u64>,
    /// A `goroutineleak` profile read next to plain goroutine profiles: it confirms places
    /// but is not counted as a snapshot, so no goroutine is counted twice.
    pub evidence: bool,
    /// The instance the profile came from; null for the unnamed one.
    pub instance: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Growing,
    Steady,
    Shrinking,
}

impl Trend {
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Growing => "growing",
            Trend::Steady => "steady",
            Trend::Shrinking => "shrinking",
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

/// What was observed between the first snapshot and the last: the change in goroutines
/// (summed over instances) and the span in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Change {
    pub goroutines: i64,
    pub seconds: f64,
}

/// A place on one instance of a fleet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstanceCount {
    /// The instance (the target folder of `collect`, a `--profile NAME=PATH` name, the
    /// `--instance-label` value); null for the unnamed instance.
    pub name: Option<String>,
    /// Goroutines here in the instance's worst snapshot.
    pub goroutines: u64,
    /// From three or more of the instance's snapshots.
    pub trend: Option<Trend>,
    /// Goroutines an hour, when the instance's snapshots span at least 10 minutes.
    pub growth_per_hour: Option<f64>,
    /// The instance's timestamped snapshots, oldest first.
    pub series: Vec<Point>,
}

/// A place's goroutines split by the values of one goroutine label (`--group-by-label`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabelGroups {
    pub key: String,
    /// Most goroutines first; `(other)` holds goroutines without the label or past the
    /// values kept.
    pub values: Vec<LabelValue>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabelValue {
    pub value: String,
    /// Goroutines with this value in the worst snapshot.
    pub goroutines: u64,
}

/// One snapshot of a time series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// RFC 3339, UTC.
    pub time: String,
    /// Unix time in seconds, for plotting.
    pub unix_seconds: f64,
    pub goroutines: u64,
}

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

/// An example stack, innermost first, one `function file:line` per line: one text as the
/// profile reader built it (a report can hold tens of thousands of stacks, and a string per
/// frame cost a report more time than reading the profile); serialised as a list of frames.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stack(String);

impl Stack {
    /// The frames, innermost first.
    pub fn frames(&self) -> std::str::Lines<'_> {
        self.0.lines()
    }
}

impl From<String> for Stack {
    fn from(text: String) -> Stack {
        Stack(text)
    }
}

impl From<Vec<String>> for Stack {
    fn from(frames: Vec<String>) -> Stack {
        Stack(frames.join("\n"))
    }
}

impl Serialize for Stack {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.frames())
    }
}

/// Serialised by hand (below): a lint finding has no goroutine counts to write.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Stable fingerprint of the place (function, file name, line, op).
    pub id: String,
    /// What found it: goroutines waiting there in a profile (`profile`), or the source alone
    /// (`lint`: no goroutine was seen, so the counts are 0).
    pub found_by: FoundBy,
    /// For a lint finding in `report --lint`: the id of the profile finding at the same
    /// place, whose goroutines confirm it.
    pub confirmed_by: Option<String>,
    /// For a profile finding in `report --lint`: the id of the lint finding at the same
    /// place, which the source alone would have found.
    pub lint_finding: Option<String>,
    pub function: String,
    /// Repository-relative when the source was looked at (`--repo`), else as the profile
    /// gives it.
    pub file: String,
    pub line: u32,
    pub op: Op,
    /// Goroutines at this place in the worst snapshot.
    pub goroutines: u64,
    /// Sum over all snapshots.
    pub total_goroutines: u64,
    /// Snapshots that have this place.
    pub profiles: u32,
    pub status: Status,
    pub suppression: Option<Suppression>,
    /// How sure leakprof is that the place leaks: `proven`, `likely` or `possible`.
    pub verdict: Verdict,
    /// What else is known about the place, and what would tell more.
    pub notes: Vec<Note>,
    /// One example stack, innermost first: `function file:line`.
    pub stack: Stack,
    /// The function that started the example goroutine, when the dump says.
    pub created_by: Option<String>,
    /// Where the goroutine was started, `file:line` of its `go` statement (repository-relative
    /// with `--repo`): from a debug=2 dump's `created by` frame, else from the source when the
    /// blocking function is a literal started by a `go` statement.
    pub created_at: Option<String>,
    /// Why the goroutines wait, told from the source: the leak pattern, the lines that make
    /// the case and the fix. Set on every channel finding (`other` when nothing fits, or
    /// without `--repo` when the profile alone cannot tell).
    pub pattern: Option<Pattern>,
    /// Longest wait seen, from `N minutes` in text dumps.
    pub max_wait_minutes: Option<u32>,
    /// Goroutines the garbage collector proved leaked (worst snapshot).
    pub leaked_goroutines: u64,
    /// The GC proved goroutines at this place leaked (a `goroutineleak` profile, or
    /// `(leaked)` in a debug=2 dump).
    pub confirmed: bool,
    /// `growing`, `steady` or `shrinking` over the fleet, from instances with 3 or more
    /// timestamped snapshots (growing when most of them grow); else null.
    pub trend: Option<Trend>,
    /// Summed over the instances, the slope of the least-squares line through each
    /// instance's snapshots, in goroutines per hour; null when the snapshots span less than
    /// 10 minutes (see `change`).
    pub growth_per_hour: Option<f64>,
    /// The change observed from the first snapshot to the last, summed over instances.
    pub change: Option<Change>,
    /// The place on each instance, the worst first.
    pub instances: Vec<InstanceCount>,
    /// With `--group-by-label KEY`: goroutines by the label's values.
    pub by_label: Option<LabelGroups>,
    /// Goroutines at this place in each timestamped snapshot of the one instance it was seen
    /// on, oldest first; empty when it was seen on several instances (each has its own
    /// `instances[].series`; a line through two instances' snapshots would mix them) or with
    /// fewer than two timestamped snapshots.
    pub series: Vec<Point>,
    /// The file as the profile gives it, when `file` was mapped into the repository.
    pub profile_file: Option<String>,
    /// Why a finding with status `excluded` is not own code.
    pub exclusion: Option<Exclusion>,
    /// What the source at the revision shows at this line (`--repo`).
    pub source: Option<SourceEvidence>,
    /// Goroutine labels seen at this place (`pprof.Do`): key → values, sorted.
    pub labels: BTreeMap<String, Vec<String>>,
    /// Code owners of the file (CODEOWNERS at the revision, last matching pattern wins).
    pub owners: Vec<String>,
    /// With `--baseline`: whether the finding is missing from the baseline report.
    pub new: Option<bool>,
}

/// The JSON of a finding: every field in the order declared. A lint finding (`found_by:
/// "lint"`) leaves out the goroutine counts, which it does not have (rather than writing 0);
/// the links of `report --lint` are written only when set.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let profile = self.found_by == FoundBy::Profile;
        let mut out = serializer.serialize_struct("Finding", 34)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("found_by", &self.found_by)?;
        if let Some(confirmed_by) = &self.confirmed_by {
            out.serialize_field("confirmed_by", confirmed_by)?;
        } else {
            out.skip_field("confirmed_by")?;
        }
        if let Some(lint_finding) = &self.lint_finding {
            out.serialize_field("lint_finding", lint_finding)?;
        } else {
            out.skip_field("lint_finding")?;
        }
        out.serialize_field("function", &self.function)?;
        out.serialize_field("file", &self.file)?;
        out.serialize_field("line", &self.line)?;
        out.serialize_field("op", &self.op)?;
        if profile {
            out.serialize_field("goroutines", &self.goroutines)?;
        } else {
            out.skip_field("goroutines")?;
        }
        if profile {
            out.serialize_field("total_goroutines", &self.total_goroutines)?;
        } else {
            out.skip_field("total_goroutines")?;
        }
        if profile {
            out.serialize_field("profiles", &self.profiles)?;
        } else {
            out.skip_field("profiles")?;
        }
        out.serialize_field("status", &self.status)?;
        out.serialize_field("suppression", &self.suppression)?;
        out.serialize_field("verdict", &self.verdict)?;
        out.serialize_field("notes", &self.notes)?;
        out.serialize_field("stack", &self.stack)?;
        out.serialize_field("created_by", &self.created_by)?;
        out.serialize_field("created_at", &self.created_at)?;
        out.serialize_field("pattern", &self.pattern)?;
        out.serialize_field("max_wait_minutes", &self.max_wait_minutes)?;
        if profile {
            out.serialize_field("leaked_goroutines", &self.leaked_goroutines)?;
        } else {
            out.skip_field("leaked_goroutines")?;
        }
        out.serialize_field("confirmed", &self.confirmed)?;
        out.serialize_field("trend", &self.trend)?;
        out.serialize_field("growth_per_hour", &self.growth_per_hour)?;
        out.serialize_field("change", &self.change)?;
        out.serialize_field("instances", &self.instances)?;
        out.serialize_field("by_label", &self.by_label)?;
        out.serialize_field("series", &self.series)?;
        out.serialize_field("profile_file", &self.profile_file)?;
        out.serialize_field("exclusion", &self.exclusion)?;
        out.serialize_field("source", &self.source)?;
        out.serialize_field("labels", &self.labels)?;
        out.serialize_field("owners", &self.owners)?;
        out.serialize_field("new", &self.new)?;
        out.end()
    }
}

/// What found a finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// Goroutines waiting there in a goroutine profile (`leakprof report`).
    #[default]
    Profile,
    /// The source alone shows a leak pattern there (`leakprof lint`, `report --lint`).
    Lint,
}

impl FoundBy {
    pub fn as_str(self) -> &'static str {
        match self {
            FoundBy::Profile => "profile",
            FoundBy::Lint => "lint",
        }
    }
}

/// What `leakprof lint` (or `report --lint`) read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LintInfo {
    /// Go files linted (after `vendor/`, `testdata/` and generated files were left out).
    pub files: usize,
    /// Packages they belong to.
    pub packages: usize,
    /// The paths asked for (repository-relative); empty for the whole repository.
    pub paths: Vec<String>,
    /// With `--diff BASE`: the base as given, and the commit it resolved to. Only functions
    /// changed since it were linted.
    pub diff_base: Option<String>,
    pub diff_commit: Option<String>,
    /// Lint findings among `findings`.
    pub findings: usize,
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

/// What would make a whole report better, said once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hint {
    /// No GC proof was given: a goroutineleak profile would prove which places leak.
    GoroutineLeakProfile,
}

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hint::GoroutineLeakProfile => f.write_str(
                "a goroutineleak profile (/debug/pprof/goroutineleak, Go 1.26+) taken with the \
                 others would let the garbage collector prove which of these places leak",
            ),
        }
    }
}

impl Serialize for Hint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
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

/// The source a report was checked against.
#[derive(Clone, Debug, Serialize)]
pub struct SourceInfo {
    pub repo: String,
    /// The revision as given (`HEAD` by default); null for a plain folder.
    pub revision: Option<String>,
    /// The commit it resolved to; null for a plain folder.
    pub commit: Option<String>,
    /// Where `repo` sits in its git repository, `/`-separated (`""` at its root,
    /// `services/api` for a module of a monorepo); null when it is in none. Findings' files
    /// are relative to `repo`; CI formats and links name them from the repository's root.
    pub path_in_repository: Option<String>,
    /// The repository's remote (`origin`, or its only remote), without credentials.
    pub remote: Option<String>,
}

impl SourceInfo {
    /// `file` (relative to `repo`) as a path from the repository's root.
    pub fn from_root(&self, file: &str) -> String {
        match self.path_in_repository.as_deref() {
            None | Some("") => file.to_string(),
            Some(prefix) => format!("{prefix}/{file}"),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct OtherBlocking {
    pub kind: &'static str,
    pub function: String,
    pub file: String,
    pub line: u32,
    pub goroutines: u64,
    pub total_goroutines: u64,
    pub profiles: u32,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Findings with status `reported`.
    pub reported: usize,
    /// Of those, the ones missing from the `--baseline` report (0 without one).
    pub new_reported: usize,
    /// Goroutines in all profiles read.
    pub goroutines: u64,
    /// Goroutines blocked on a channel operation, summed over profiles.
    pub channel_blocked: u64,
    /// Goroutines by what they wait on (`send`, `mutex`, `io`, …), summed over profiles.
    pub by_kind: BTreeMap<&'static str, u64>,
}

impl Summary {
    /// Counts the reported findings, and the new ones among them.
    pub fn count_reported(&mut self, findings: &[Finding]) {
        let reported = findings.iter().filter(|f| f.status == Status::Reported);
        self.reported = reported.clone().count();
        self.new_reported = reported.filter(|f| f.new == Some(true)).count();
    }
}

impl Report {
    /// The report with one more warning.
    pub fn with_warning(&self, warning: Warning) -> Report {
        let mut report = self.clone();
        report.warnings.push(warning);
        report
    }

    /// The findings with one status, in report order.
    pub fn with_status(&self, status: Status) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|finding| finding.status == status)
            .collect()
    }

    /// The finding's file from the repository's root, when it was mapped into the repository
    /// (`--repo`); None for a path as the profile gives it (absolute, or a module path).
    pub fn repository_path(&self, finding: &Finding) -> Option<String> {
        let source = self.source.as_ref()?;
        // A lint finding was read from the repository itself.
        if finding.found_by == FoundBy::Profile {
            finding.profile_file.as_ref()?;
        }
        Some(source.from_root(&finding.file))
    }

    /// The threshold as people read it: `100`, or `auto`.
    pub fn threshold_text(&self) -> String {
        match self.threshold {
            Some(threshold) => threshold.to_string(),
            None => "auto".to_string(),
        }
    }
}

/// How one rule fared in a run.
#[derive(Clone, Debug, Serialize)]
pub struct RuleUsage {
    pub id: String,
    /// `FILE:LINE` of the rule.
    pub origin: String,
    /// Findings the rule matches.
    pub matched: u64,
    /// Findings it suppressed (0 when a rule earlier in precedence did, or it expired).
    pub suppressed: u64,
    pub expires: Option<String>,
    pub expired: bool,
}

/// Formats Unix nanoseconds as RFC 3339 in UTC, e.g. `2026-11-27T22:06:02Z`.
pub fn rfc3339(nanos: i64) -> String {
    let seconds = nanos.div_euclid(1_000_000_000);
    let date = Date::from_unix_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_around_a_line() {
        fn check(text: &str, line: u32, expected: Option<(u32, &[&str])>) {
            let found = SourceContext::around(text, line);
            let found = found.as_ref().map(|c| {
                (
                    c.first_line,
                    c.lines.iter().map(String::as_str).collect::<Vec<_>>(),
                )
            });
            let expected = expected.map(|(first, lines)| (first, lines.to_vec()));
            assert_eq!(found, expected, "{text:?} line {line}");
        }
        let text = "a\nb\nc\nd\ne\nf\n";
        check(text, 3, Some((1, &["a", "b", "c", "d", "e"])));
        check(text, 1, Some((1, &["a", "b", "c"])));
        check(text, 6, Some((4, &["d", "e", "f"])));
        check("\tx <- 1\r\n", 1, Some((1, &["\tx <- 1"])));
        check(text, 7, None);
        check(text, 0, None);
        check("", 1, None);
    }

    #[test]
    fn rfc3339_dates() {
        for (nanos, expected) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400_000_000_000, "2000-02-29T00:00:00Z"),
            (1_795_817_162_123_456_789, "2026-11-27T22:06:02Z"),
            (-1_000_000_000, "1969-12-31T23:59:59Z"),
        ] {
            assert_eq!(rfc3339(nanos), expected, "{nanos}");
        }
    }
}
