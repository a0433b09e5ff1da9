//! One finding: a place where goroutines wait (or where the source alone shows they would),
//! with everything the stages found about it, and its JSON, which leaves out the goroutine
//! counts of a lint finding. The example stack and the goroutines by label are parts of it.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::evidence::SourceEvidence;
use super::movement::{Change, InstanceCount, Point, Trend};
use super::pattern::Pattern;
use super::status::{Exclusion, Note, Status, Suppression, Verdict};
use crate::blocking::Op;

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
