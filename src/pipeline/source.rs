//! The source stage, with `--repo`: what the source at the revision says about each place,
//! the inline ignores that apply to none of them, and which places are not own code.

use super::error::RunError;
use super::patterns;
use super::places::{Check, Place};
use crate::blocking::is_std_function;
use crate::config::ReportConfig;
use crate::model::{Exclusion, Warning};
use crate::source::ignores::Marker;
use crate::source::paths::PathMapper;
use crate::source::repo::Source;
use crate::source::{self, Location, PlaceRef};

/// An inline ignore and the repository file it is in.
pub(super) type FileMarker = (String, Marker);

/// With `--repo`: what the source says about each place, and the inline ignores of the files
/// read; without, nothing.
pub(super) fn check_source(
    places: &[Place],
    source: Option<&Source>,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<Check>, Vec<FileMarker>), RunError> {
    let mut markers = Vec::new();
    let Some(source) = source else {
        return Ok((places.iter().map(|_| None).collect(), markers));
    };
    let mapper = PathMapper::new(source)?;
    let refs: Vec<PlaceRef<'_>> = places
        .iter()
        .map(|place| PlaceRef {
            file: &place.site.file,
            line: place.site.line,
            function: &place.site.function,
            op: place.op,
            creator: place
                .tally
                .created_by
                .as_deref()
                .zip(place.tally.created_at.as_ref())
                .map(|(function, (file, line))| (function, file.as_str(), *line)),
            caller: patterns::caller(&place.site, &place.tally.stack),
        })
        .collect();
    let checks = source::check(&refs, source, &mapper, warnings, &mut markers);
    Ok((
        checks
            .into_iter()
            .map(|check| Some(Box::new(check)))
            .collect(),
        markers,
    ))
}

/// Inline ignores that apply to no place of the profiles, whatever its status: stale once the
/// leak they excused is fixed. Those of the files the source stage read: reading every Go file
/// of a large repository for them would cost seconds.
pub(super) fn unused_ignores(
    places: &[Place],
    checks: &[Check],
    mut markers: Vec<FileMarker>,
) -> Vec<Warning> {
    markers.sort_by(|a, b| (&a.0, a.1.line).cmp(&(&b.0, b.1.line)));
    markers
        .into_iter()
        .filter(|(path, marker)| {
            !places.iter().zip(checks).any(|(place, check)| {
                check.as_ref().and_then(|check| check.location.repo_path()) == Some(path.as_str())
                    && marker.applies_to(place.site.line)
            })
        })
        .map(|(file, marker)| Warning::IgnoreUnused {
            file,
            line: marker.line,
            alone: marker.alone,
        })
        .collect()
}

/// Why each place is not reported as own code: the standard library (from the function's
/// package, with or without source) or what path mapping found, unless asked for.
pub(super) fn exclusions(
    places: &[Place],
    checks: &[Check],
    config: &ReportConfig,
) -> Vec<Option<Exclusion>> {
    places
        .iter()
        .zip(checks)
        .map(|(place, check)| {
            let mapped = match check.as_ref().map(|check| &check.location) {
                Some(Location::Foreign { exclusion, .. }) => Some(exclusion.clone()),
                _ => None,
            };
            if is_std_function(&place.site.function) || mapped == Some(Exclusion::StandardLibrary) {
                return (!config.scope.include_std).then_some(Exclusion::StandardLibrary);
            }
            mapped.filter(|_| !config.scope.include_deps)
        })
        .collect()
}
