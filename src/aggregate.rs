//! Groups classified goroutines by the place they block (operation + function + file + line),
//! first within one profile (a snapshot), then across snapshots: `goroutines` is the count in
//! the worst snapshot, `total_goroutines` the sum, `profiles` how many snapshots have it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, Hash, Hasher};

use crate::blocking::{self, Blocking, Op};
use crate::model::Trend;
use crate::profile::{Frame, Sample, SampleSink};

/// Values kept per label key at one place; a key with more (a request id) says little more.
const MAX_LABEL_VALUES: usize = 16;

/// Frames kept for a finding's example stack.
const MAX_EXAMPLE_FRAMES: usize = 64;

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
    /// (Unix nanoseconds, goroutines) for each timestamped snapshot that has this place.
    pub series: Vec<(i64, u64)>,
    /// One example stack, innermost first, one `function file:line` per line (one allocation
    /// per place: profiles can have tens of thousands of distinct places). Empty for blocking
    /// other than channels.
    pub stack: String,
    pub created_by: Option<String>,
}

/// The sites of one profile. Memory grows with the number of distinct sites, never with the
/// number of goroutines.
#[derive(Default)]
pub struct Snapshot {
    sites: Vec<(Site, Tally)>,
    index: HashMap<u64, Vec<usize>>,
    hasher: std::hash::RandomState,
}

impl Snapshot {
    /// Goroutine counts of the places blocked on channels: the distribution an automatic
    /// threshold is set from.
    pub fn channel_counts(&self) -> Vec<u64> {
        self.sites
            .iter()
            .filter(|(site, _)| matches!(site.blocking, Blocking::Channel(_)))
            .map(|(_, tally)| tally.goroutines)
            .collect()
    }

    /// Closes the snapshot: marks the places at or over `threshold` and records the
    /// snapshot's time on each place.
    pub fn finish(&mut self, threshold: u64, time_nanos: Option<i64>) {
        for (_, tally) in &mut self.sites {
            tally.over_threshold = tally.goroutines >= threshold;
            if let Some(time) = time_nanos {
                tally.series.push((time, tally.goroutines));
            }
        }
    }
}

/// LeakProf's future work, made concrete: a profile sets its own bar from the goroutine
/// counts of its channel places. A place must stand out from the typical place of that
/// profile by more than `AUTO_SPREAD` robust standard deviations (the median absolute
/// deviation scaled by 1.4826), and hold at least `AUTO_MINIMUM` goroutines. Median and MAD
/// are not dragged up by the leak they look for, unlike the mean, the standard deviation or
/// quartiles of a handful of places. With fewer than four places there is no distribution to
/// speak of, and the minimum alone applies.
pub fn auto_threshold(counts: &[u64]) -> u64 {
    if counts.len() < 4 {
        return AUTO_MINIMUM;
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
    let mut values: Vec<f64> = counts.iter().map(|&count| count as f64).collect();
    let center = median(&mut values);
    let mut deviations: Vec<f64> = values.iter().map(|value| (value - center).abs()).collect();
    let spread = 1.4826 * median(&mut deviations);
    let fence = (center + AUTO_SPREAD * spread).floor() as u64;
    (fence + 1).max(AUTO_MINIMUM)
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
        let hash = {
            let mut hasher = self.hasher.build_hasher();
            classified.blocking.hash(&mut hasher);
            location.function.hash(&mut hasher);
            location.file.hash(&mut hasher);
            location.line.hash(&mut hasher);
            hasher.finish()
        };
        let bucket = self.index.entry(hash).or_default();
        let found = bucket.iter().copied().find(|&at| {
            let site = &self.sites[at].0;
            site.blocking == classified.blocking
                && site.line == location.line
                && site.function == location.function
                && site.file == location.file
        });
        let at = match found {
            Some(at) => at,
            None => {
                let site = Site {
                    file: location.file.to_owned(),
                    line: location.line,
                    function: location.function.to_owned(),
                    blocking: classified.blocking,
                };
                let tally = Tally {
                    stack: match classified.blocking {
                        Blocking::Channel(_) => example_stack(sample),
                        Blocking::Other(_) => String::new(),
                    },
                    created_by: sample
                        .created_by
                        .or_else(|| sample.frames.created_by())
                        .map(|frame| frame.function.to_owned()),
                    ..Tally::default()
                };
                bucket.push(self.sites.len());
                self.sites.push((site, tally));
                self.sites.len() - 1
            }
        };
        let tally = &mut self.sites[at].1;
        tally.goroutines += sample.count;
        for (key, value) in &sample.labels {
            add_label(&mut tally.labels, key, value);
        }
        if sample.leaked {
            tally.leaked += sample.count;
        }
        if sample.wait_minutes > tally.max_wait_minutes {
            tally.max_wait_minutes = sample.wait_minutes;
        }
    }
}

fn example_stack(sample: &Sample<'_>) -> String {
    let mut stack = String::with_capacity(1024);
    let mut frames = sample.frames.clone();
    for frame in frames.by_ref().take(MAX_EXAMPLE_FRAMES) {
        if !stack.is_empty() {
            stack.push('\n');
        }
        stack.push_str(frame.function);
        stack.push(' ');
        stack.push_str(frame.file);
        stack.push(':');
        push_number(&mut stack, frame.line);
    }
    let more = frames.count();
    if more > 0 {
        stack.push_str("\n... ");
        push_number(&mut stack, more as u32);
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

fn add_label(labels: &mut BTreeMap<String, BTreeSet<String>>, key: &str, value: &str) {
    let values = match labels.get_mut(key) {
        Some(values) => values,
        None => labels.entry(key.to_string()).or_default(),
    };
    if values.len() < MAX_LABEL_VALUES && !values.contains(value) {
        values.insert(value.to_string());
    }
}

/// Adds `tally` (from snapshots not yet counted in `merged`) to `merged`.
fn merge_tally(merged: &mut Tally, tally: Tally) {
    if tally.goroutines > merged.goroutines || merged.stack.is_empty() {
        merged.stack = tally.stack;
        merged.created_by = tally.created_by;
    }
    merged.goroutines = merged.goroutines.max(tally.goroutines);
    merged.total_goroutines += tally.total_goroutines;
    merged.profiles += tally.profiles;
    merged.leaked = merged.leaked.max(tally.leaked);
    merged.max_wait_minutes = merged.max_wait_minutes.max(tally.max_wait_minutes);
    merged.over_threshold |= tally.over_threshold;
    for (key, values) in &tally.labels {
        for value in values {
            add_label(&mut merged.labels, key, value);
        }
    }
    merged.series.extend(tally.series);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_thresholds() {
        for (counts, expected) in [
            // A small service: one place stands out among ones and twos.
            (&[1, 1, 2, 1, 3, 1, 2, 12][..], 10),
            (&[1, 1, 2, 1, 3, 1, 2, 40][..], 10),
            // A large one: a pool of 400 and a leak of 3000 both stand out from small waits;
            // with a draining group of 275 the typical place is larger, and only the leak does.
            (&[1, 2, 2, 3, 5, 400, 3000][..], 18),
            (&[1, 2, 275, 400, 4050][..], 2299),
            // An even number of places: the median is the mean of the middle two (125), and
            // so is the median deviation (15).
            (&[100, 110, 120, 130, 5000, 140][..], 237),
            // Everything equal: nothing stands out.
            (&[50, 50, 50, 50][..], 51),
            // Too few places for a distribution: the minimum.
            (&[][..], 10),
            (&[3000][..], 10),
            (&[50, 60, 70][..], 10),
        ] {
            assert_eq!(auto_threshold(counts), expected, "{counts:?}");
        }
    }

    #[test]
    fn trends() {
        let hours = |points: &[(f64, f64)]| {
            trend(points).map(|(trend, slope)| (trend, (slope * 10.0).round() / 10.0))
        };
        assert_eq!(
            hours(&[(0.0, 10.0), (1.0, 20.0), (2.0, 30.0)]),
            Some((Trend::Growing, 10.0))
        );
        assert_eq!(
            hours(&[(0.0, 40.0), (1.0, 40.0), (2.0, 40.0)]),
            Some((Trend::Steady, 0.0))
        );
        assert_eq!(
            hours(&[(0.0, 40.0), (1.0, 41.0), (2.0, 40.0)]),
            Some((Trend::Steady, 0.0))
        );
        assert_eq!(
            hours(&[(0.0, 60.0), (1.0, 30.0), (2.0, 0.0)]),
            Some((Trend::Shrinking, -30.0))
        );
        // Two instances at each of three moments.
        assert_eq!(
            hours(&[
                (0.0, 5.0),
                (0.0, 7.0),
                (1.0, 9.0),
                (1.0, 11.0),
                (2.0, 13.0),
                (2.0, 15.0)
            ]),
            Some((Trend::Growing, 4.0))
        );
        assert_eq!(
            hours(&[(0.0, 1.0), (1.0, 2.0)]),
            None,
            "two moments are not a trend"
        );
        assert_eq!(hours(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]), None);
    }

    /// Series at the edge of the rule: over the span the count must change by 10% of its
    /// mean and by 2 goroutines. Times need not start at 0.
    #[test]
    fn trend_thresholds() {
        use Trend::*;
        for (points, expected) in [
            // Exactly 2 over the span (10% of the mean is 1.1).
            (
                &[(0.0, 10.0), (1.0, 11.0), (2.0, 12.0)][..],
                Some((Growing, 1.0)),
            ),
            (
                &[(0.0, 12.0), (1.0, 11.0), (2.0, 10.0)][..],
                Some((Shrinking, -1.0)),
            ),
            // 1.5 over the span is more than 10% of the mean but less than 2.
            (
                &[(0.0, 5.0), (1.0, 5.75), (2.0, 6.5)][..],
                Some((Steady, 0.75)),
            ),
            // 12 over the span, 10% of the mean is 10.6.
            (
                &[(0.0, 100.0), (1.0, 106.0), (2.0, 112.0)][..],
                Some((Growing, 6.0)),
            ),
            // 8 over the span, 10% of the mean is 10.4.
            (
                &[(0.0, 100.0), (1.0, 104.0), (2.0, 108.0)][..],
                Some((Steady, 4.0)),
            ),
            (
                &[(0.0, 108.0), (1.0, 104.0), (2.0, 100.0)][..],
                Some((Steady, -4.0)),
            ),
            // The same series, later: only differences of time count.
            (
                &[(10.0, 100.0), (11.0, 106.0), (12.0, 112.0)][..],
                Some((Growing, 6.0)),
            ),
            (
                &[(10.0, 100.0), (11.0, 104.0), (12.0, 108.0)][..],
                Some((Steady, 4.0)),
            ),
            // Uneven times: least squares, not first to last.
            (
                &[(0.0, 10.0), (1.0, 10.0), (3.0, 30.0)][..],
                Some((Growing, 7.14)),
            ),
        ] {
            let got = trend(points).map(|(trend, slope)| (trend, (slope * 100.0).round() / 100.0));
            assert_eq!(got, expected, "{points:?}");
        }
    }
}
