//! Model values for unit tests: one `Finding` builder with plain defaults, so a test names
//! only the fields it is about and a new field on `Finding` is added here once, not in every
//! test module that builds one.

use std::collections::BTreeMap;

use crate::blocking::Op;
use crate::model::{
    Exclusion, Finding, FoundBy, Note, Point, SourceEvidence, Stack, Status, Suppression, Trend,
    Verdict, rfc3339,
};

/// A reported send in `main.f` at `x.go:1`: one goroutine in one profile, no id, no source,
/// no suppression, no series. Change what a test needs with the setters, then `build()`.
pub fn finding() -> FindingBuilder {
    FindingBuilder(Finding {
        id: String::new(),
        found_by: FoundBy::Profile,
        confirmed_by: None,
        lint_finding: None,
        function: "main.f".into(),
        file: "x.go".into(),
        line: 1,
        op: Op::Send,
        goroutines: 1,
        total_goroutines: 1,
        profiles: 1,
        status: Status::Reported,
        suppression: None,
        verdict: Verdict::Possible,
        notes: Vec::new(),
        stack: Stack::default(),
        created_by: None,
        created_at: None,
        pattern: None,
        max_wait_minutes: None,
        leaked_goroutines: 0,
        confirmed: false,
        trend: None,
        growth_per_hour: None,
        change: None,
        instances: Vec::new(),
        by_label: None,
        series: Vec::new(),
        profile_file: None,
        exclusion: None,
        source: None,
        labels: BTreeMap::new(),
        owners: Vec::new(),
        new: None,
    })
}

/// One snapshot of a series at `unix_seconds`, its time written as the report writes it.
pub fn point(unix_seconds: f64, goroutines: u64) -> Point {
    Point {
        time: rfc3339((unix_seconds * 1e9) as i64),
        unix_seconds,
        goroutines,
    }
}

/// A [`Finding`] under construction; each setter sets the one field it is named after.
#[derive(Clone, Debug)]
pub struct FindingBuilder(Finding);

impl FindingBuilder {
    pub fn build(self) -> Finding {
        self.0
    }

    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.0.id = id.into();
        self
    }

    /// A lint finding: found by the source alone, no goroutines seen.
    pub fn lint(mut self) -> Self {
        self.0.found_by = FoundBy::Lint;
        self.0.goroutines = 0;
        self.0.total_goroutines = 0;
        self.0.profiles = 0;
        self
    }

    pub fn function(mut self, function: impl Into<String>) -> Self {
        self.0.function = function.into();
        self
    }

    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.0.file = file.into();
        self
    }

    pub fn line(mut self, line: u32) -> Self {
        self.0.line = line;
        self
    }

    pub fn op(mut self, op: Op) -> Self {
        self.0.op = op;
        self
    }

    pub fn goroutines(mut self, goroutines: u64) -> Self {
        self.0.goroutines = goroutines;
        self
    }

    pub fn total_goroutines(mut self, total_goroutines: u64) -> Self {
        self.0.total_goroutines = total_goroutines;
        self
    }

    pub fn profiles(mut self, profiles: u32) -> Self {
        self.0.profiles = profiles;
        self
    }

    pub fn status(mut self, status: Status) -> Self {
        self.0.status = status;
        self
    }

    pub fn suppression(mut self, suppression: Suppression) -> Self {
        self.0.suppression = Some(suppression);
        self
    }

    pub fn verdict(mut self, verdict: Verdict) -> Self {
        self.0.verdict = verdict;
        self
    }

    pub fn notes(mut self, notes: Vec<Note>) -> Self {
        self.0.notes = notes;
        self
    }

    pub fn stack(mut self, stack: Vec<String>) -> Self {
        self.0.stack = stack.into();
        self
    }

    pub fn created_at(mut self, created_at: impl Into<String>) -> Self {
        self.0.created_at = Some(created_at.into());
        self
    }

    pub fn pattern(mut self, pattern: crate::model::Pattern) -> Self {
        self.0.pattern = Some(pattern);
        self
    }

    pub fn created_by(mut self, created_by: impl Into<String>) -> Self {
        self.0.created_by = Some(created_by.into());
        self
    }

    pub fn max_wait_minutes(mut self, minutes: u32) -> Self {
        self.0.max_wait_minutes = Some(minutes);
        self
    }

    pub fn leaked_goroutines(mut self, leaked_goroutines: u64) -> Self {
        self.0.leaked_goroutines = leaked_goroutines;
        self
    }

    pub fn confirmed(mut self, confirmed: bool) -> Self {
        self.0.confirmed = confirmed;
        self
    }

    pub fn trend(mut self, trend: Trend) -> Self {
        self.0.trend = Some(trend);
        self
    }

    pub fn growth_per_hour(mut self, growth_per_hour: f64) -> Self {
        self.0.growth_per_hour = Some(growth_per_hour);
        self
    }

    pub fn series(mut self, series: Vec<Point>) -> Self {
        self.0.series = series;
        self
    }

    pub fn profile_file(mut self, profile_file: impl Into<String>) -> Self {
        self.0.profile_file = Some(profile_file.into());
        self
    }

    pub fn exclusion(mut self, exclusion: Exclusion) -> Self {
        self.0.exclusion = Some(exclusion);
        self
    }

    pub fn source(mut self, source: SourceEvidence) -> Self {
        self.0.source = Some(source);
        self
    }

    /// Adds `value` to the label `key`.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0
            .labels
            .entry(key.into())
            .or_default()
            .push(value.into());
        self
    }

    pub fn owners(mut self, owners: Vec<String>) -> Self {
        self.0.owners = owners;
        self
    }

    pub fn new(mut self, new: bool) -> Self {
        self.0.new = Some(new);
        self
    }
}
