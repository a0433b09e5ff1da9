//! The Go source at the profile's revision: the repository (git objects or a plain folder),
//! mapping profile paths to repository paths, and tree-sitter analysis of the lines findings
//! point to. Only the files that findings point to are read and parsed, each once.
//!
//! This file holds [`check`], which maps every place and reads each file once; `place` what
//! the stage takes and says of a place ([`SourceCheck`]); `line` checks a place against its line,
//! `tell` tells its leak pattern from its package, whose files `folder` reads, and `settle`
//! settles the bounds whose answer lies in other files of the package.

pub mod analyze;
mod folder;
pub mod ignores;
mod line;
pub mod paths;
pub mod patterns;
mod place;
pub mod repo;
mod settle;
mod tell;

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::model::warning::{PlaceName, SourceProblem};
use crate::model::{SourceContext, Warning};
use analyze::ParsedFile;
use folder::ReadPackage;
use ignores::Marker;
use line::check_place;
pub(crate) use line::inline_ignore;
use paths::{Mapped, PathMapper};
pub use place::{Location, PlaceRef, SourceCheck};
use repo::Source;
use tell::tell_patterns;

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
