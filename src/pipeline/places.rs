//! Places: the merged profiles' sites split into channel places (and the sync waits the GC
//! proved leaked) and the other blocking; places that are one piece of code merged once the
//! source has mapped them; and how findings name a place's file and op.

use std::collections::HashMap;

use crate::aggregate::{self, Merged, Site, Tally};
use crate::blocking::{Blocking, Op};
use crate::model::OtherBlocking;
use crate::series::{Movement, Timeline};
use crate::source::SourceCheck;

/// What the source says about a place, when it was looked at: boxed, as a report can have
/// tens of thousands of places and most runs look at the source of none or a few.
pub(super) type Check = Option<Box<SourceCheck>>;

/// A place where goroutines wait on a channel, merged over every snapshot.
pub(super) struct Place {
    pub(super) site: Site,
    pub(super) op: Op,
    pub(super) tally: Tally,
    /// Goroutines the GC proved leaked here, from the snapshots or an evidence profile.
    pub(super) leaked: u64,
    /// How the count moved on each instance and over the fleet.
    pub(super) movement: Movement,
}

/// Channel places and the sync waits the GC proved leaked, with the GC's proof from evidence
/// profiles and how they moved; and the other blocking.
pub(super) fn split_places(
    merged: Merged,
    evidence: Merged,
    timeline: &Timeline,
) -> (Vec<Place>, Vec<OtherBlocking>) {
    let evidence = evidence.into_sites();
    let proven: HashMap<(&str, u32, &str), u64> = evidence
        .iter()
        .map(|(site, tally)| {
            let key = (site.file.as_str(), site.line, site.function.as_str());
            (key, tally.leaked)
        })
        .collect();
    let sites = merged.into_sites();
    let mut places = Vec::with_capacity(sites.len());
    let mut other = Vec::new();
    for (site, tally) in sites {
        let key = (site.file.as_str(), site.line, site.function.as_str());
        let leaked = tally.leaked.max(proven.get(&key).copied().unwrap_or(0));
        // A wait on a sync primitive is a finding only on the GC's proof: unproven, a mutex
        // held long is contention, not a leak.
        let op = match site.blocking {
            Blocking::Channel(op) => Some(op),
            Blocking::Other(kind) if leaked > 0 => Op::of_sync_wait(kind),
            Blocking::Other(_) => None,
        };
        match (op, site.blocking) {
            (Some(op), _) => places.push(Place {
                movement: timeline.movement(&tally.series),
                site,
                op,
                tally,
                leaked,
            }),
            (None, Blocking::Other(kind)) => other.push(OtherBlocking {
                kind: kind.as_str(),
                function: site.function,
                file: site.file,
                line: site.line,
                goroutines: tally.goroutines,
                total_goroutines: tally.total_goroutines,
                profiles: tally.profiles,
            }),
            (None, Blocking::Channel(_)) => {}
        }
    }
    other.sort_by(|a, b| {
        b.goroutines
            .cmp(&a.goroutines)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.function.cmp(&b.function))
            .then_with(|| a.kind.cmp(b.kind))
    });
    (places, other)
}

/// One place per piece of code: the same function, line and op reached through different
/// paths (a build with `-trimpath` and one without, two build folders) is one place once
/// mapped into the repository; without `--repo`, the file's name stands in for its path.
/// Tallies merge, so no goroutine is counted twice and no id gets a `-2` twin.
pub(super) fn merge_same_code(
    places: Vec<Place>,
    checks: Vec<Check>,
    timeline: &Timeline,
) -> (Vec<Place>, Vec<Check>) {
    // Where each place goes: the first place of its code. The keys borrow from the places, so
    // telling tens of thousands of places apart copies no name.
    let firsts: Vec<usize> = {
        let mut first: HashMap<(&str, u32, &str, Op), usize> = HashMap::with_capacity(places.len());
        places
            .iter()
            .zip(&checks)
            .enumerate()
            .map(|(at, (place, check))| *first.entry(code_key(place, check)).or_insert(at))
            .collect()
    };
    if firsts.iter().enumerate().all(|(at, &first)| at == first) {
        return (places, checks);
    }
    // Each place's position in `merged`, once it is there.
    let mut kept_at: Vec<usize> = Vec::with_capacity(places.len());
    let mut merged: Vec<(Place, Check)> = Vec::with_capacity(places.len());
    for ((place, check), (at, first)) in places
        .into_iter()
        .zip(checks)
        .zip(firsts.into_iter().enumerate())
    {
        if first == at {
            kept_at.push(merged.len());
            merged.push((place, check));
            continue;
        }
        kept_at.push(kept_at[first]);
        let (kept, kept_check) = &mut merged[kept_at[first]];
        // The most specific name of the op: nil_send over send, any over unknown.
        if place.op != Op::Unknown && (kept.op == Op::Unknown || place.op > kept.op) {
            kept.op = place.op;
        }
        kept.leaked = kept.leaked.max(place.leaked);
        aggregate::merge_tally(&mut kept.tally, place.tally);
        let trusted = |check: &Check| check.as_ref().is_some_and(|check| check.trusted);
        if !trusted(kept_check) && trusted(&check) {
            *kept_check = check;
        }
    }
    for (place, _) in &mut merged {
        place.movement = timeline.movement(&place.tally.series);
    }
    merged.into_iter().unzip()
}

/// What makes two places one piece of code (see [`merge_same_code`]): the file in the
/// repository (its name alone without `--repo`), the line, the function and the op's family.
fn code_key<'a>(place: &'a Place, check: &'a Check) -> (&'a str, u32, &'a str, Op) {
    let file = match check.as_ref().and_then(|check| check.location.repo_path()) {
        Some(path) => path,
        None => {
            let file = place.site.file.as_str();
            file.rsplit(['/', '\\']).next().unwrap_or(file)
        }
    };
    (
        file,
        place.site.line,
        place.site.function.as_str(),
        op_of(place, check).family(),
    )
}

/// The place's file as findings name it: repository-relative when mapped.
pub(super) fn file_of<'a>(place: &'a Place, check: &'a Check) -> &'a str {
    check
        .as_ref()
        .and_then(|check| check.location.repo_path())
        .unwrap_or(&place.site.file)
}

/// The op as findings name it: the source's when it is more precise.
pub(super) fn op_of(place: &Place, check: &Check) -> Op {
    check
        .as_ref()
        .and_then(|check| check.refined_op)
        .unwrap_or(place.op)
}
