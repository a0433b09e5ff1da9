//! A place over time: its goroutine count in every timestamped snapshot (0 where it does not
//! appear), the trend fitted through those counts, and the points a chart draws.

use std::collections::HashMap;

use crate::aggregate;
use crate::model::{Point, Trend, rfc3339};

/// At most this many points go into a finding's `series`; beyond it (a fleet of thousands of
/// instances) the series says little and would swell the report, so only the trend is kept.
pub const MAX_SERIES_POINTS: usize = 1000;

/// The times of every timestamped snapshot read, oldest first (instances of a fleet may share
/// a time).
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    times: Vec<i64>,
}

impl Timeline {
    pub fn new(mut times: Vec<i64>) -> Timeline {
        times.sort_unstable();
        Timeline { times }
    }

    /// A place's count at every snapshot of the timeline, from the (time, count) pairs of the
    /// snapshots it appears in.
    fn counts(&self, seen: &[(i64, u64)]) -> Vec<(i64, u64)> {
        let mut by_time: HashMap<i64, Vec<u64>> = HashMap::new();
        for &(time, count) in seen {
            by_time.entry(time).or_default().push(count);
        }
        let mut used: HashMap<i64, usize> = HashMap::new();
        self.times
            .iter()
            .map(|&time| {
                // Several snapshots may share a time; take their counts in turn.
                let index = used.entry(time).or_insert(0);
                let count = by_time
                    .get(&time)
                    .and_then(|counts| counts.get(*index))
                    .copied()
                    .unwrap_or(0);
                *index += 1;
                (time, count)
            })
            .collect()
    }

    /// The trend and growth per hour (rounded to 0.01) of a place seen at `seen`.
    pub fn trend(&self, seen: &[(i64, u64)]) -> Option<(Trend, f64)> {
        let first = *self.times.first()?;
        let points: Vec<(f64, f64)> = self
            .counts(seen)
            .into_iter()
            .map(|(time, count)| ((time - first) as f64 / 3.6e12, count as f64))
            .collect();
        aggregate::trend(&points).map(|(trend, slope)| (trend, (slope * 100.0).round() / 100.0))
    }

    /// The chart of a place: empty with fewer than two snapshots or more than
    /// [`MAX_SERIES_POINTS`].
    pub fn points(&self, seen: &[(i64, u64)]) -> Vec<Point> {
        if self.times.len() < 2 || self.times.len() > MAX_SERIES_POINTS {
            return Vec::new();
        }
        self.counts(seen)
            .into_iter()
            .map(|(time, goroutines)| Point {
                time: rfc3339(time),
                unix_seconds: (time as f64 / 1e9 * 1000.0).round() / 1000.0,
                goroutines,
            })
            .collect()
    }
}
