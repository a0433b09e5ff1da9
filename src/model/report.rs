//! The report as a whole: its header (schema, tool, threshold, the source and profiles read),
//! the findings and other blocking, how each rule fared, the summary, and the hints said once.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::finding::{Finding, FoundBy};
use super::status::Status;
use super::warning::Warning;
use crate::profile::Format;

/// Version of the JSON schema; bumped only for incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    /// The version of the recipe finding ids are made by ([`super::id::ID_VERSION`]): a baseline
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
