//! Groups classified goroutines by the place they block (operation + function + file + line),
//! first within one profile (a snapshot), then across snapshots: `goroutines` is the count in
//! the worst snapshot, `total_goroutines` the sum, `profiles` how many snapshots have it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, Hash, Hasher};

use crate::blocking::{self, Blocking, Op};
use crate::model::Trend;
use crate::profile::{self, Frame, Sample, SampleSink};

/// Values kept per label key at one place; a key with more (a request id) says little more.
const MAX_LABEL_VALUES: usize = 16;

/// Label keys kept per place; a profile with more is made up.
const MAX_LABEL_KEYS: usize = 64;

/// Frames kept for a finding's example stack.
const MAX_EXAMPLE_FRAMES: usize = 64;

/// Distinct stacks told apart at one place, for rules with a `stack` condition; goroutines
/// with any further stack count as [`Tally::stacks_untold`].
const MAX_STACK_VARIANTS: usize = 8;

/// Where goroutines block and on what.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    pub file: String,
    pub line: u32,
    pub function: String,
    pub blocking: Blocking,
}

/// What is known about one site, in one snapshot or merged over several.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub goroutines: u64,
    pub total_goroutines: u64,
    pub profiles: u32,
    /// Goroutines the garbage collector proved leaked (worst snapshot).
    pub leaked: u64,
    pub max_wait_minutes: Option<u32>,
    /// Goroutine labels seen at this place: key → values (at most `MAX_LABEL_VALUES` each).
    pub labels: BTreeMap<String, BTreeSet<String>>,
    /// In some snapshot the count reached that snapshot's threshold.
    pub over_threshold: bool,
    /// The place in each snapshot that has it: which instance, when, how many goroutines.
    pub series: Vec<Seen>,
    /// With a label to group by: goroutines per value of that label (worst snapshot), at
    /// most `MAX_GROUPS` values; the rest count under [`OTHER_GROUP`].
    pub groups: BTreeMap<String, u64>,
    /// One example stack, innermost first, one `function file:line` per line (one allocation
    /// per place: profiles can have tens of thousands of distinct places). Empty for blocking
    /// other than channels and sync primitives.
    pub stack: String,
    /// The function that started the example goroutine (text dumps).
    pub created_by: Option<String>,
    /// Where, as the profile records it: the file and line of the `go` statement.
    pub created_at: Option<(String, u32)>,
    /// When goroutines here came with more than one stack: each stack (in the example's
    /// form) with its goroutines (worst snapshot), at most [`MAX_STACK_VARIANTS`]. Empty when
    /// they all had the example's stack. A rule with a `stack` condition weighs each, so
    /// that one goroutine's callers do not decide for all of them.
    pub stacks: Vec<(String, u64)>,
    /// Goroutines whose stack was not among [`Tally::stacks`] (worst snapshot).
    pub stacks_untold: u64,
    /// The hash of the example stack's frames, and of each of [`Tally::stacks`], to tell
    /// stacks apart within a snapshot.
    stack_hash: u64,
    stack_hashes: Vec<u64>,
}

/// A place seen in one snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// Which instance the snapshot came from (an index into the run's instances).
    pub instance: u32,
    /// When the snapshot was taken (Unix nanoseconds), when known.
    pub time: Option<i64>,
    pub goroutines: u64,
}

/// Label values kept per place when grouping by a label; a key with more (a request id)
/// says little more.
const MAX_GROUPS: usize = 64;

/// Where goroutines whose label has a value past `MAX_GROUPS`, or no value, are counted.
pub const OTHER_GROUP: &str = "(other)";

/// Goroutine labels the snapshot looks for beyond listing them.
#[derive(Clone, Debug, Default)]
pub struct LabelKeys {
    /// Count goroutines per value of this label (`--group-by-label`).
    pub group: Option<String>,
    /// The label that names the instance a profile came from (`--instance-label`).
    pub instance: Option<String>,
}

/// The sites of one profile. Memory grows with the number of distinct sites, never with the
/// number of goroutines.
#[derive(Default)]
pub struct Snapshot {
    sites: Vec<(Site, Tally)>,
    index: HashMap<u64, Vec<usize>>,
    hasher: std::hash::RandomState,
    keys: LabelKeys,
    /// Goroutines per value of the instance label.
    instance_votes: HashMap<String, u64>,
    /// Bytes of names, stacks and labels kept, for the reader's memory bound.
    kept: u64,
}

impl Snapshot {
    /// A snapshot that also looks for the labels in `keys`.
    pub fn with_labels(keys: LabelKeys) -> Snapshot {
        Snapshot {
            keys,
            ..Snapshot::default()
        }
    }

    /// The value of the instance label most goroutines carry, if any carries it.
    pub fn labelled_instance(&self) -> Option<&str> {
        self.instance_votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(value, _)| value.as_str())
    }

    /// Goroutine counts of the places blocked on channels: the distribution an automatic
    /// threshold is set from.
    pub fn channel_counts(&self) -> Vec<u64> {
        self.sites
            .iter()
            .filter(|(site, _)| matches!(site.blocking, Blocking::Channel(_)))
            .map(|(_, tally)| tally.goroutines)
            .collect()
    }

    /// Closes the snapshot: marks the places at or over `threshold` and records on each
    /// place that this snapshot, of `instance` and taken at `time_nanos`, saw it.
    pub fn finish(&mut self, threshold: u64, time_nanos: Option<i64>, instance: u32) {
        for (_, tally) in &mut self.sites {
            tally.over_threshold = tally.goroutines >= threshold;
            tally.series.push(Seen {
                instance,
                time: time_nanos,
                goroutines: tally.goroutines,
            });
        }
    }
}

/// LeakProf's future work, made concrete: a profile sets its own bar from the goroutine
/// counts of its channel places. The few largest places that together hold half of the
/// profile's blocked goroutines are the ones to judge; the typical place is estimated from
/// the others, so a handful of leaks holding most goroutines cannot drag the bar above
/// themselves. A place must stand out from that typical place by more than `AUTO_SPREAD`
/// robust standard deviations (the median absolute deviation scaled by 1.4826), and hold at
/// least `AUTO_MINIMUM` goroutines. With fewer than four places there is no distribution to
/// speak of, and the minimum alone applies.
pub fn auto_threshold(counts: &[u64]) -> u64 {
    if counts.len() < 4 {
        return AUTO_MINIMUM;
    }
    let mut sorted: Vec<u64> = counts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: u128 = sorted.iter().map(|&count| u128::from(count)).sum();
    let mut held: u128 = 0;
    let mut heavy = 0;
    while heavy < sorted.len() - 1 && held * 2 < total {
        held += u128::from(sorted[heavy]);
        heavy += 1;
    }
    let median = |values: &mut Vec<f64>| -> f64 {
        values.sort_by(f64::total_cmp);
        let middle = values.len() / 2;
        if values.len() % 2 == 0 {
            (values[middle - 1] + values[middle]) / 2.0
        } else {
            values[middle]
        }
    };
    let mut values: Vec<f64> = sorted[heavy..].iter().map(|&count| count as f64).collect();
    let center = median(&mut values);
    let mut deviations: Vec<f64> = values.iter().map(|value| (value - center).abs()).collect();
    let spread = 1.4826 * median(&mut deviations);
    let fence = (center + AUTO_SPREAD * spread).floor() as u64;
    fence.saturating_add(1).max(AUTO_MINIMUM)
}

/// How many robust standard deviations above the median place an automatic threshold sits.
pub const AUTO_SPREAD: f64 = 5.0;

/// Below this many goroutines a place is never worth an alarm, however small the service.
pub const AUTO_MINIMUM: u64 = 10;

/// How a place's count moves over time, from least squares over (hours, goroutines): the
/// slope is the growth per hour; over the observed span it must change the count by at
/// least 10% of its mean and by at least 2 goroutines to be `Growing` or `Shrinking`,
/// otherwise it is `Steady` (a worker pool or a heartbeat).
pub fn trend(points: &[(f64, f64)]) -> Option<(Trend, f64)> {
    let distinct_times = {
        let mut times: Vec<f64> = points.iter().map(|(time, _)| *time).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        times.len()
    };
    if distinct_times < 3 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|(x, _)| x).sum::<f64>() / n;
    let mean_y = points.iter().map(|(_, y)| y).sum::<f64>() / n;
    let covariance: f64 = points
        .iter()
        .map(|(x, y)| (x - mean_x) * (y - mean_y))
        .sum();
    let variance: f64 = points.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    if variance == 0.0 {
        return None;
    }
    let slope = covariance / variance;
    let span = points.iter().map(|(x, _)| *x).fold(f64::MIN, f64::max)
        - points.iter().map(|(x, _)| *x).fold(f64::MAX, f64::min);
    let change = slope * span;
    let trend = if change.abs() >= (0.1 * mean_y).max(2.0) {
        if change > 0.0 {
            Trend::Growing
        } else {
            Trend::Shrinking
        }
    } else {
        Trend::Steady
    };
    Some((trend, slope))
}

impl SampleSink for Snapshot {
    fn sample(&mut self, sample: &Sample<'_>) {
        let classified = blocking::classify(sample);
        let location = classified.location.unwrap_or(Frame {
            function: "",
            file: "",
            line: 0,
        });
        // Places are told apart by the names as kept, so a cut name still finds its place.
        let function = profile::bounded_name(location.function);
        let file = profile::bounded_name(location.file);
        let hash = {
            let mut hasher = self.hasher.build_hasher();
            classified.blocking.hash(&mut hasher);
            function.hash(&mut hasher);
            file.hash(&mut hasher);
            location.line.hash(&mut hasher);
            hasher.finish()
        };
        let bucket = self.index.entry(hash).or_default();
        let found = bucket.iter().copied().find(|&at| {
            let site = &self.sites[at].0;
            site.blocking == classified.blocking
                && site.line == location.line
                && site.function == function
                && site.file == file
        });
        let at = match found {
            Some(at) => at,
            None => {
                let site = Site {
                    file: file.into_owned(),
                    line: location.line,
                    function: function.into_owned(),
                    blocking: classified.blocking,
                };
                let creator = sample.frames.created_by();
                let has_stack = match classified.blocking {
                    Blocking::Channel(_) => true,
                    Blocking::Other(kind) => Op::of_sync_wait(kind).is_some(),
                };
                let tally = Tally {
                    stack_hash: if has_stack {
                        stack_hash(&self.hasher, sample)
                    } else {
                        0
                    },
                    // Sync waits become findings when the GC proves them leaked: keep their
                    // stacks too.
                    stack: match classified.blocking {
                        Blocking::Channel(_) => example_stack(sample),
                        Blocking::Other(kind) if Op::of_sync_wait(kind).is_some() => {
                            example_stack(sample)
                        }
                        Blocking::Other(_) => String::new(),
                    },
                    created_by: creator
                        .map(|frame| profile::bounded_name(frame.function).into_owned()),
                    created_at: creator
                        .filter(|frame| !frame.file.is_empty() && frame.line > 0)
                        .map(|frame| (profile::bounded_name(frame.file).into_owned(), frame.line)),
                    ..Tally::default()
                };
                self.kept = self.kept.saturating_add(
                    (std::mem::size_of::<(Site, Tally)>()
                        + site.file.len()
                        + site.function.len()
                        + tally.stack.len()
                        + tally.created_by.as_ref().map_or(0, String::len)
                        + tally.created_at.as_ref().map_or(0, |(file, _)| file.len()))
                        as u64,
                );
                bucket.push(self.sites.len());
                self.sites.push((site, tally));
                self.sites.len() - 1
            }
        };
        if found.is_some() && !self.sites[at].1.stack.is_empty() {
            let hash = stack_hash(&self.hasher, sample);
            let tally = &mut self.sites[at].1;
            self.kept = self
                .kept
                .saturating_add(add_stack_variant(tally, hash, sample));
        }
        let tally = &mut self.sites[at].1;
        tally.goroutines = tally.goroutines.saturating_add(sample.count);
        for (key, value) in &sample.labels {
            self.kept = self
                .kept
                .saturating_add(add_label(&mut tally.labels, key, value));
        }
        if let Some(group) = &self.keys.group {
            let value = sample
                .labels
                .iter()
                .find(|(key, _)| key == group)
                .map_or(OTHER_GROUP, |(_, value)| value);
            add_to_group(
                &mut tally.groups,
                &profile::bounded_name(value),
                sample.count,
            );
        }
        if let Some(instance) = &self.keys.instance {
            if let Some((_, value)) = sample.labels.iter().find(|(key, _)| key == instance) {
                let votes = self
                    .instance_votes
                    .entry(profile::bounded_name(value).into_owned())
                    .or_default();
                *votes = votes.saturating_add(sample.count);
            }
        }
        if sample.leaked {
            tally.leaked = tally.leaked.saturating_add(sample.count);
        }
        if sample.wait_minutes > tally.max_wait_minutes {
            tally.max_wait_minutes = sample.wait_minutes;
        }
    }

    fn kept_bytes(&self) -> u64 {
        self.kept
    }
}

/// A hash of the frames an example stack keeps: equal stacks hash alike within a snapshot,
/// without building the stack's text.
fn stack_hash(hasher: &std::hash::RandomState, sample: &Sample<'_>) -> u64 {
    let mut hasher = hasher.build_hasher();
    for frame in sample.frames.clone().take(MAX_EXAMPLE_FRAMES) {
        profile::bounded_name(frame.function).hash(&mut hasher);
        profile::bounded_name(frame.file).hash(&mut hasher);
        frame.line.hash(&mut hasher);
    }
    hasher.finish()
}

/// Counts `sample` (at a place `tally` already holds, before its count is added) under its
/// stack: nothing to do while every goroutine has the example's stack; from the second stack
/// on, each is kept apart (the example's among them), up to [`MAX_STACK_VARIANTS`]. Returns
/// the bytes newly kept.
fn add_stack_variant(tally: &mut Tally, hash: u64, sample: &Sample<'_>) -> u64 {
    let mut kept = 0;
    if tally.stacks.is_empty() {
        if hash == tally.stack_hash {
            return 0;
        }
        tally.stacks.push((tally.stack.clone(), tally.goroutines));
        tally.stack_hashes.push(tally.stack_hash);
        kept += tally.stack.len();
    }
    if let Some(at) = tally.stack_hashes.iter().position(|&seen| seen == hash) {
        let counted = &mut tally.stacks[at].1;
        *counted = counted.saturating_add(sample.count);
    } else if tally.stacks.len() < MAX_STACK_VARIANTS {
        let stack = example_stack(sample);
        kept += stack.len();
        tally.stacks.push((stack, sample.count));
        tally.stack_hashes.push(hash);
    } else {
        tally.stacks_untold = tally.stacks_untold.saturating_add(sample.count);
    }
    kept as u64
}

fn example_stack(sample: &Sample<'_>) -> String {
    // Sized first, then written: one allocation of the right size per place.
    let size: usize = sample
        .frames
        .clone()
        .take(MAX_EXAMPLE_FRAMES)
        .map(|frame| {
            profile::bounded_name(frame.function).len()
                + profile::bounded_name(frame.file).len()
                + 13
        })
        .sum();
    let mut stack = String::with_capacity(size + 32);
    let mut frames = sample.frames.clone();
    for frame in frames.by_ref().take(MAX_EXAMPLE_FRAMES) {
        if !stack.is_empty() {
            stack.push('\n');
        }
        stack.push_str(&profile::bounded_name(frame.function));
        stack.push(' ');
        stack.push_str(&profile::bounded_name(frame.file));
        stack.push(':');
        push_number(&mut stack, frame.line);
    }
    let more = frames.count();
    if more > 0 {
        stack.push_str("\n... ");
        push_number(&mut stack, u32::try_from(more).unwrap_or(u32::MAX));
        stack.push_str(" more frames");
    }
    stack
}

fn push_number(text: &mut String, mut number: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    text.extend(digits[at..].iter().map(|&digit| char::from(digit)));
}

/// Sites merged over all snapshots read so far.
#[derive(Default)]
pub struct Merged {
    sites: BTreeMap<Site, Tally>,
}

impl Merged {
    pub fn add(&mut self, snapshot: Snapshot) {
        if self.sites.is_empty() {
            // The first snapshot: its places are distinct, so they are the merged places as
            // they are, built in one go from sorted order rather than inserted one by one.
            // Sorting positions moves a word at a time rather than a whole place.
            let sites = snapshot.sites;
            let mut order: Vec<usize> = (0..sites.len()).collect();
            order.sort_unstable_by(|&a, &b| sites[a].0.cmp(&sites[b].0));
            let mut slots: Vec<Option<(Site, Tally)>> = sites.into_iter().map(Some).collect();
            self.sites = order
                .into_iter()
                .filter_map(|at| slots[at].take())
                .map(|(site, mut tally)| {
                    tally.total_goroutines = tally.goroutines;
                    tally.profiles = 1;
                    (site, tally)
                })
                .collect();
            return;
        }
        for (site, mut tally) in snapshot.sites {
            tally.total_goroutines = tally.goroutines;
            tally.profiles = 1;
            merge_tally(self.sites.entry(site).or_default(), tally);
        }
    }

    /// The merged sites, sorted by place.
    ///
    /// Formats differ in what they can tell about the same place: debug=1 cannot name the op
    /// (`unknown`) and pprof cannot tell a nil channel from another (`send` where debug=2 says
    /// `nil_send`). Where the profiles name one operation at a place, its sites fold into the
    /// most specific name; where they name several, they stay apart.
    pub fn into_sites(self) -> Vec<(Site, Tally)> {
        let mut out: Vec<(Site, Tally)> = Vec::with_capacity(self.sites.len());
        let mut group: Vec<(Site, Tally)> = Vec::new();
        for (site, tally) in self.sites {
            let same_place = group.first().is_some_and(|(first, _)| {
                first.file == site.file
                    && first.line == site.line
                    && first.function == site.function
            });
            if !same_place {
                fold_place(&mut group, &mut out);
            }
            group.push((site, tally));
        }
        fold_place(&mut group, &mut out);
        out
    }
}

/// Folds the sites of one place (see [`Merged::into_sites`]) and moves them to `out`.
fn fold_place(group: &mut Vec<(Site, Tally)>, out: &mut Vec<(Site, Tally)>) {
    if group.len() < 2 {
        out.append(group);
        return;
    }
    let channel_ops: Vec<Op> = group
        .iter()
        .filter_map(|(site, _)| match site.blocking {
            Blocking::Channel(op) => Some(op),
            Blocking::Other(_) => None,
        })
        .collect();
    let family = |op: Op| match op {
        Op::NilSend => Op::Send,
        Op::NilReceive => Op::Receive,
        op => op,
    };
    let mut families: Vec<Op> = channel_ops
        .iter()
        .copied()
        .filter(|&op| op != Op::Unknown)
        .map(family)
        .collect();
    families.sort();
    families.dedup();
    if channel_ops.len() < 2 || families.len() != 1 {
        out.append(group);
        return;
    }
    // One operation: its most specific name (nil variants sort after the plain ones).
    let Some(target) = channel_ops
        .iter()
        .copied()
        .filter(|&op| op != Op::Unknown)
        .max()
    else {
        out.append(group);
        return;
    };
    let mut folded: Option<(Site, Tally)> = None;
    for (mut site, tally) in group.drain(..) {
        if !matches!(site.blocking, Blocking::Channel(_)) {
            out.push((site, tally));
            continue;
        }
        match folded.as_mut() {
            None => {
                site.blocking = Blocking::Channel(target);
                folded = Some((site, tally));
            }
            Some((_, merged)) => merge_tally(merged, tally),
        }
    }
    out.extend(folded);
}

/// Adds one label value; returns the bytes newly kept.
fn add_label(labels: &mut BTreeMap<String, BTreeSet<String>>, key: &str, value: &str) -> u64 {
    let key = profile::bounded_name(key);
    let value = profile::bounded_name(value);
    let mut kept = 0;
    let room = labels.len() < MAX_LABEL_KEYS;
    let values = match labels.get_mut(key.as_ref()) {
        Some(values) => values,
        None if room => {
            kept += key.len();
            labels.entry(key.into_owned()).or_default()
        }
        None => return 0,
    };
    if values.len() < MAX_LABEL_VALUES && !values.contains(value.as_ref()) {
        kept += value.len();
        values.insert(value.into_owned());
    }
    kept as u64
}

/// Counts `count` goroutines under `value`, or under [`OTHER_GROUP`] once `MAX_GROUPS`
/// values are kept.
fn add_to_group(groups: &mut BTreeMap<String, u64>, value: &str, count: u64) {
    let value = if groups.contains_key(value) || groups.len() < MAX_GROUPS {
        value
    } else {
        OTHER_GROUP
    };
    let counted = groups.entry(value.to_string()).or_default();
    *counted = counted.saturating_add(count);
}

/// Adds `tally` (from snapshots not yet counted in `merged`) to `merged`: the same place
/// seen in other snapshots, or under another path of the same code.
pub fn merge_tally(merged: &mut Tally, mut tally: Tally) {
    merge_stacks(merged, &mut tally);
    if tally.goroutines > merged.goroutines || merged.stack.is_empty() {
        merged.stack = tally.stack;
        merged.created_by = tally.created_by;
        merged.created_at = tally.created_at;
    }
    merged.goroutines = merged.goroutines.max(tally.goroutines);
    merged.total_goroutines = merged
        .total_goroutines
        .saturating_add(tally.total_goroutines);
    merged.profiles = merged.profiles.saturating_add(tally.profiles);
    merged.leaked = merged.leaked.max(tally.leaked);
    merged.max_wait_minutes = merged.max_wait_minutes.max(tally.max_wait_minutes);
    merged.over_threshold |= tally.over_threshold;
    for (key, values) in &tally.labels {
        for value in values {
            add_label(&mut merged.labels, key, value);
        }
    }
    merged.series.extend(tally.series);
    for (value, goroutines) in tally.groups {
        let kept = merged.groups.len() < MAX_GROUPS || merged.groups.contains_key(&value);
        let value = if kept { value } else { OTHER_GROUP.to_string() };
        let worst = merged.groups.entry(value).or_default();
        *worst = (*worst).max(goroutines);
    }
}

/// The stacks of a place seen in two tallies: unless both had one and the same, each stack
/// with its worst count, up to [`MAX_STACK_VARIANTS`] (the rest untold).
fn merge_stacks(merged: &mut Tally, tally: &mut Tally) {
    if merged.stacks.is_empty() && tally.stacks.is_empty() && merged.stack == tally.stack {
        return;
    }
    let variants = |tally: &mut Tally| match std::mem::take(&mut tally.stacks) {
        stacks if !stacks.is_empty() => stacks,
        _ if tally.stack.is_empty() => Vec::new(),
        _ => vec![(tally.stack.clone(), tally.goroutines)],
    };
    let mut stacks = variants(merged);
    let mut untold = merged.stacks_untold.max(tally.stacks_untold);
    for (stack, goroutines) in variants(tally) {
        match stacks.iter().position(|(kept, _)| *kept == stack) {
            Some(at) => stacks[at].1 = stacks[at].1.max(goroutines),
            None if stacks.len() < MAX_STACK_VARIANTS => stacks.push((stack, goroutines)),
            None => untold = untold.saturating_add(goroutines),
        }
    }
    if stacks.len() > 1 || untold > 0 {
        merged.stacks = stacks;
        merged.stacks_untold = untold;
    }
    merged.stack_hashes.clear();
}

#[cfg(test)]
mod tests;
