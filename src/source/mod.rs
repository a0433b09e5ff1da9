//! The Go source at the profile's revision: the repository (git objects or a plain folder),
//! mapping profile paths to repository paths, and tree-sitter analysis of the lines findings
//! point to. Only the files that findings point to are read and parsed, each once.
//!
//! This file holds what the source stage says of a place ([`SourceCheck`]) and [`check`],
//! which maps every place and reads each file once; `line` checks a place against its line,
//! `tell` tells its leak pattern from its package, whose files `folder` reads, and `settle`
//! settles the bounds whose answer lies in other files of the package.

pub mod analyze;
mod folder;
pub mod ignores;
mod line;
pub mod paths;
pub mod patterns;
pub mod repo;
mod settle;
mod tell;

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::blocking::Op;
use crate::model::warning::{PlaceName, SourceProblem};
use crate::model::{Exclusion, Pattern, SourceContext, SourceEvidence, Warning};
use analyze::{Bound, ParsedFile, Spawn};
use folder::ReadPackage;
use ignores::Marker;
use line::check_place;
pub(crate) use line::inline_ignore;
use paths::{Mapped, PathMapper};
use repo::Source;
use tell::tell_patterns;

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
    fn at(location: Location) -> SourceCheck {
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

/// Maps every place into the repository and checks own code against its line: the op there,
/// the function around it, where its channel was made, the cases that bound a select, inline
/// ignores. Decides nothing: the pipeline weighs this evidence with the rest. Problems become
/// `warnings`; every inline ignore of the files read goes to `markers`, for the pipeline to
/// tell which apply to no place. Only the files places point to are read and parsed, each
/// once.
pub fn check(
    places: &[PlaceRef<'_>],
    source: &Source,
    mapper: &PathMapper,
    warnings: &mut Vec<Warning>,
    markers: &mut Vec<(String, Marker)>,
) -> Vec<SourceCheck> {
    let revision = source.describe();
    let name = |place: &PlaceRef<'_>| PlaceName {
        file: place.file.to_string(),
        line: place.line,
        function: place.function.to_string(),
    };
    // Repository file → indices of the places in it.
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut checks = Vec::with_capacity(places.len());
    for (index, place) in places.iter().enumerate() {
        let location = match mapper.map(place.file, place.function) {
            Mapped::Own(path) => {
                by_file.entry(path.clone()).or_default().push(index);
                Location::Own(path)
            }
            Mapped::Foreign { repo_path, why } => Location::Foreign {
                repo_path,
                exclusion: why,
            },
            Mapped::Missing { why } => {
                warnings.push(Warning::SourceNotFound {
                    place: name(place),
                    why,
                    revision: revision.clone(),
                });
                Location::Missing
            }
        };
        let mut check = SourceCheck::at(location);
        check.created_at = place.creator.map(|(function, file, line)| {
            let path = match mapper.map(file, function) {
                Mapped::Own(path) => path,
                Mapped::Foreign {
                    repo_path: Some(path),
                    ..
                } => path,
                _ => file.to_string(),
            };
            format!("{path}:{line}")
        });
        checks.push(check);
    }

    // The Go files of each package folder, read once for all the files with places in it.
    let mut packages: BTreeMap<String, Rc<Vec<(String, String)>>> = BTreeMap::new();
    for (path, indices) in by_file {
        let problem = match source.read(&path) {
            Ok(Some(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => {
                    markers.extend(
                        ignores::markers(&text)
                            .into_iter()
                            .map(|marker| (path.clone(), marker)),
                    );
                    let parsed = ParsedFile::parse(&text);
                    for &index in &indices {
                        let place = &places[index];
                        // The place as the repository names it.
                        let at = PlaceRef {
                            file: &path,
                            ..*place
                        };
                        check_place(&mut checks[index], &at, &parsed, &revision, warnings);
                        if let Some(evidence) = &mut checks[index].evidence {
                            evidence.context = SourceContext::around(&text, place.line);
                        }
                        if checks[index].trusted {
                            checks[index].ignore = inline_ignore(&at, &text, warnings);
                        }
                    }
                    let trusted: Vec<usize> = indices
                        .into_iter()
                        .filter(|&index| checks[index].trusted)
                        .collect();
                    if !trusted.is_empty() {
                        let read = ReadPackage {
                            source,
                            mapper,
                            cache: &mut packages,
                        };
                        tell_patterns(&path, &parsed, &trusted, places, &mut checks, read);
                    }
                    continue;
                }
                Err(_) => SourceProblem::NotUtf8,
            },
            Ok(None) => SourceProblem::Missing,
            Err(error) => SourceProblem::Unreadable(error.to_string()),
        };
        for index in indices {
            warnings.push(Warning::SourceUnreadable {
                place: PlaceName {
                    file: path.clone(),
                    ..name(&places[index])
                },
                path: path.clone(),
                revision: revision.clone(),
                problem: problem.clone(),
            });
        }
    }
    checks
}
