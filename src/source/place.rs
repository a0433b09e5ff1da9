//! What the source stage takes and gives: a place as the profile names it ([`PlaceRef`]),
//! where it is in the repository ([`Location`]), and what the source says of it
//! ([`SourceCheck`]).

use crate::blocking::Op;
use crate::model::{Exclusion, Pattern, SourceEvidence};

use super::analyze::{Bound, Spawn};

/// A place as the profile names it: what the source stage looks up.
#[derive(Clone, Copy, Debug)]
pub struct PlaceRef<'a> {
    pub file: &'a str,
    pub line: u32,
    pub function: &'a str,
    pub op: Op,
    /// The `go` statement that started the example goroutine, as the profile records it
    /// (debug=2 `created by`): function, file and line.
    pub creator: Option<(&'a str, &'a str, u32)>,
    /// The frame that called the blocking function, as the profile records it: function,
    /// file and line.
    pub caller: Option<(&'a str, &'a str, u32)>,
}

/// Where a place is in the repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Own code at this repository path.
    Own(String),
    /// Not own code; the repository path when the file is in the repository (vendored).
    Foreign {
        repo_path: Option<String>,
        exclusion: Exclusion,
    },
    /// Own code by its package, but its file is not at the revision (a warning says why).
    Missing,
}

impl Location {
    /// The repository-relative path, when the place maps into the repository.
    pub fn repo_path(&self) -> Option<&str> {
        match self {
            Location::Own(path) => Some(path),
            Location::Foreign { repo_path, .. } => repo_path.as_deref(),
            Location::Missing => None,
        }
    }
}

/// What the source at the revision says about one place.
#[derive(Clone, Debug)]
pub struct SourceCheck {
    pub location: Location,
    /// The line and what surrounds it, when the file was read.
    pub evidence: Option<SourceEvidence>,
    /// The op the source names where the profile could not (debug=1), or a range loop the
    /// profile saw as a receive.
    pub refined_op: Option<Op>,
    /// The line holds the operation the profile names and parses cleanly: only then may
    /// anything read from it suppress the place.
    pub trusted: bool,
    /// For a trusted select: every case that ends the wait by itself, in source order.
    pub bounds: Vec<Bound>,
    /// The reason of a `//leakprof:ignore <reason>` on a trusted line.
    pub ignore: Option<String>,
    /// The leak pattern the source shows at a trusted line.
    pub pattern: Option<Pattern>,
    /// Where the goroutine was started, `file:line`: the profile's `created by` frame mapped
    /// into the repository, else the `go` statement the source shows.
    pub created_at: Option<String>,
    /// The `go` statement at `created_at`, when it is in the place's package: whether a loop
    /// of a fixed count starts the goroutines (a worker pool).
    pub spawn: Option<Spawn>,
    /// The operation's own syntax, comments and spacing dropped, on a trusted line: what
    /// identifies it across builds, comments and moves.
    pub syntax: Option<String>,
    /// Which of the textually identical operations of its function this one is (from 1).
    pub twin: Option<u32>,
}

impl SourceCheck {
    pub(super) fn at(location: Location) -> SourceCheck {
        SourceCheck {
            location,
            evidence: None,
            refined_op: None,
            trusted: false,
            bounds: Vec::new(),
            ignore: None,
            pattern: None,
            created_at: None,
            spawn: None,
            syntax: None,
            twin: None,
        }
    }
}
