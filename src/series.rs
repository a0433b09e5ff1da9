//! A place over time, instance by instance: its goroutine count in every snapshot of each
//! instance (0 where it does not appear), the trend fitted through each instance's counts,
//! the fleet's trend combined from them, and the points a chart draws. Instances are never
//! merged into one line: a leak on one instance and a steady pool on another are two lines.

use crate::aggregate::{self, Seen};
use crate::model::{Change, InstanceCount, Point, Trend, rfc3339};

/// At most this many points go into a finding's `series`; beyond it (a fleet of thousands of
/// instances) the series says little and would swell the report, so only the trend is kept.
pub const MAX_SERIES_POINTS: usize = 1000;

/// Rates per hour are extrapolated only from snapshots at least this far apart (10 minutes):
/// from a shorter window an hourly rate multiplies noise by more than six. Shorter spans show
/// the observed change instead ("+150 in 25 s").
pub const MIN_RATE_SPAN_SECONDS: f64 = 600.0;

/// The snapshots of a run: for each instance, the times of its timestamped snapshots, oldest
/// first (two snapshots of one instance may share a time: two formats of one moment).
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    instances: Vec<Instance>,
}

#[derive(Clone, Debug, Default)]
struct Instance {
    name: Option<String>,
    times: Vec<i64>,
}

/// How a place moved over every instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Movement {
    /// The fleet's trend: `growing` when most instances with three or more snapshots grow,
    /// `shrinking` when most shrink, else `steady`; None when no instance has three.
    pub trend: Option<Trend>,
    /// Summed over the instances with a trend, in goroutines an hour; None when the
    /// snapshots span less than [`MIN_RATE_SPAN_SECONDS`].
    pub growth_per_hour: Option<f64>,
    /// What was observed: the change from each instance's first snapshot to its last,
    /// summed, over the longest instance's span.
    pub change: Option<Change>,
    pub instances: Vec<InstanceCount>,
    /// The place's timestamped snapshots on the one instance it was seen on, oldest first,
    /// for a chart; empty when it was seen on several (each has its own in `instances`), or
    /// with fewer than two snapshots or more than [`MAX_SERIES_POINTS`].
    pub series: Vec<Point>,
}

impl Timeline {
    /// `names[i]` names instance `i` (None: the unnamed one); `snapshots` are the
    /// (instance, time) of every timestamped snapshot.
    pub fn new(names: Vec<Option<String>>, snapshots: &[(u32, i64)]) -> Timeline {
        let mut instances: Vec<Instance> = names
            .into_iter()
            .map(|name| Instance {
                name,
                times: Vec::new(),
            })
            .collect();
        for &(instance, time) in snapshots {
            if let Some(found) = instances.get_mut(instance as usize) {
                found.times.push(time);
            }
        }
        for instance in &mut instances {
            instance.times.sort_unstable();
        }
        Timeline { instances }
    }

    /// How a place seen at `seen` moved.
    pub fn movement(&self, seen: &[Seen]) -> Movement {
        // Most places are seen on one instance: room for one, not four (a report can have
        // tens of thousands of places).
        let mut instances = Vec::with_capacity(1);
        let mut trends = Vec::new();
        let mut growth = 0.0;
        let mut change: Option<Change> = None;
        let mut longest_span = 0.0f64;
        for (index, instance) in self.instances.iter().enumerate() {
            let mine: Vec<&Seen> = seen
                .iter()
                .filter(|seen| seen.instance as usize == index)
                .collect();
            let worst = mine.iter().map(|seen| seen.goroutines).max();
            // An instance that never had the place says nothing of how it moves.
            if worst.is_none() {
                continue;
            }
            let counts = instance.counts(&mine);
            let fitted = instance.trend(&counts);
            let span = instance.span_seconds();
            longest_span = longest_span.max(span);
            if let Some((trend, slope)) = fitted {
                trends.push(trend);
                growth += slope;
            }
            if let (Some(first), Some(last)) = (counts.first(), counts.last()) {
                if counts.len() >= 2 {
                    let total = change.get_or_insert(Change {
                        goroutines: 0,
                        seconds: 0.0,
                    });
                    total.goroutines += last.1 as i64 - first.1 as i64;
                    total.seconds = total.seconds.max(span);
                }
            }
            let rate_ok = span >= MIN_RATE_SPAN_SECONDS;
            instances.push(InstanceCount {
                name: instance.name.clone(),
                goroutines: worst.unwrap_or(0),
                trend: fitted.map(|(trend, _)| trend),
                growth_per_hour: fitted.filter(|_| rate_ok).map(|(_, slope)| round(slope)),
                series: if instance.times.len() >= 2 && instance.times.len() <= MAX_SERIES_POINTS {
                    points(&counts)
                } else {
                    Vec::new()
                },
            });
        }
        instances.sort_by(|a, b| {
            b.goroutines
                .cmp(&a.goroutines)
                .then_with(|| a.name.cmp(&b.name))
        });
        let trend = fleet_trend(&trends);
        // One instance's snapshots, never a mix: points of two instances in one line would
        // read as the place going from one instance's count to the other's.
        let series = match instances.as_slice() {
            [only] => only.series.clone(),
            _ => Vec::new(),
        };
        Movement {
            trend,
            growth_per_hour: trend
                .filter(|_| longest_span >= MIN_RATE_SPAN_SECONDS)
                .map(|_| round(growth)),
            change,
            series,
            instances,
        }
    }
}

impl Instance {
    /// The place's count at every timestamped snapshot of this instance.
    fn counts(&self, seen: &[&Seen]) -> Vec<(i64, u64)> {
        let mut timed: Vec<(i64, u64)> = seen
            .iter()
            .filter_map(|seen| seen.time.map(|time| (time, seen.goroutines)))
            .collect();
        timed.sort_unstable();
        let mut used = vec![false; timed.len()];
        self.times
            .iter()
            .map(|&time| {
                // Several snapshots may share a time; take their counts in turn.
                let found = timed
                    .iter()
                    .enumerate()
                    .position(|(at, &(when, _))| when == time && !used[at]);
                let count = found.map_or(0, |at| {
                    used[at] = true;
                    timed[at].1
                });
                (time, count)
            })
            .collect()
    }

    /// The trend of `counts` and its slope in goroutines an hour.
    fn trend(&self, counts: &[(i64, u64)]) -> Option<(Trend, f64)> {
        let first = counts.first()?.0;
        let points: Vec<(f64, f64)> = counts
            .iter()
            .map(|&(time, count)| ((time - first) as f64 / 3.6e12, count as f64))
            .collect();
        aggregate::trend(&points)
    }

    fn span_seconds(&self) -> f64 {
        match (self.times.first(), self.times.last()) {
            (Some(first), Some(last)) => (last - first) as f64 / 1e9,
            _ => 0.0,
        }
    }
}

/// Growing when most instances with a trend grow; shrinking when most shrink.
fn fleet_trend(trends: &[Trend]) -> Option<Trend> {
    if trends.is_empty() {
        return None;
    }
    let most = |wanted: Trend| trends.iter().filter(|&&t| t == wanted).count() * 2 > trends.len();
    Some(if most(Trend::Growing) {
        Trend::Growing
    } else if most(Trend::Shrinking) {
        Trend::Shrinking
    } else {
        Trend::Steady
    })
}

fn points(counts: &[(i64, u64)]) -> Vec<Point> {
    counts
        .iter()
        .map(|&(time, goroutines)| Point {
            time: rfc3339(time),
            unix_seconds: (time as f64 / 1e9 * 1000.0).round() / 1000.0,
            goroutines,
        })
        .collect()
}

fn round(rate: f64) -> f64 {
    (rate * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000_000_000;

    fn seen(instance: u32, minute: i64, goroutines: u64) -> Seen {
        Seen {
            instance,
            time: Some(minute * MINUTE),
            goroutines,
        }
    }

    fn timeline(instances: usize, minutes: &[i64]) -> Timeline {
        let names = (0..instances)
            .map(|i| Some(format!("i{i}")))
            .collect::<Vec<_>>();
        let snapshots: Vec<(u32, i64)> = (0..instances as u32)
            .flat_map(|i| minutes.iter().map(move |&m| (i, m * MINUTE)))
            .collect();
        Timeline::new(names, &snapshots)
    }

    /// One instance leaks, the other holds a steady pool: two lines, and the fleet's trend
    /// is not the average of a leak and a pool.
    #[test]
    fn instances_keep_their_own_lines() {
        let line = timeline(2, &[0, 10, 20]);
        let movement = line.movement(&[
            seen(0, 0, 100),
            seen(0, 10, 200),
            seen(0, 20, 300),
            seen(1, 0, 40),
            seen(1, 10, 40),
            seen(1, 20, 40),
        ]);
        let trends: Vec<_> = movement
            .instances
            .iter()
            .map(|i| (i.name.as_deref(), i.goroutines, i.trend))
            .collect();
        assert_eq!(
            trends,
            [
                (Some("i0"), 300, Some(Trend::Growing)),
                (Some("i1"), 40, Some(Trend::Steady))
            ]
        );
        // One of two grows: not most.
        assert_eq!(movement.trend, Some(Trend::Steady));
        assert_eq!(movement.instances[0].growth_per_hour, Some(600.0));
        assert_eq!(
            movement.change,
            Some(Change {
                goroutines: 200,
                seconds: 1200.0
            })
        );
        // Two instances: no fleet line mixing them, each has its own.
        assert!(movement.series.is_empty());
        assert_eq!(movement.instances[1].series.len(), 3);
        // A place seen on one of them: that instance's line, not its zeros elsewhere.
        let one = line.movement(&[seen(1, 0, 40), seen(1, 10, 50), seen(1, 20, 60)]);
        let counts: Vec<u64> = one.series.iter().map(|point| point.goroutines).collect();
        assert_eq!(counts, [40, 50, 60]);
    }

    #[test]
    fn most_instances_growing_make_a_growing_fleet() {
        let line = timeline(3, &[0, 10, 20]);
        let grows = |i| [seen(i, 0, 10), seen(i, 10, 20), seen(i, 20, 30)];
        let mut all: Vec<Seen> = [grows(0), grows(1)].concat();
        all.extend([seen(2, 0, 5), seen(2, 10, 5), seen(2, 20, 5)]);
        assert_eq!(line.movement(&all).trend, Some(Trend::Growing));
    }

    /// Snapshots ten seconds apart give a trend but no hourly rate; the change observed is
    /// what the report shows.
    #[test]
    fn short_windows_show_the_change_not_a_rate() {
        let second = 1_000_000_000;
        let line = Timeline::new(vec![None], &[(0, 0), (0, 5 * second), (0, 10 * second)]);
        let movement = line.movement(&[
            Seen {
                instance: 0,
                time: Some(0),
                goroutines: 0,
            },
            Seen {
                instance: 0,
                time: Some(5 * second),
                goroutines: 500,
            },
            Seen {
                instance: 0,
                time: Some(10 * second),
                goroutines: 1000,
            },
        ]);
        assert_eq!(movement.trend, Some(Trend::Growing));
        assert_eq!(movement.growth_per_hour, None);
        assert_eq!(movement.instances[0].growth_per_hour, None);
        assert_eq!(
            movement.change,
            Some(Change {
                goroutines: 1000,
                seconds: 10.0
            })
        );
    }

    /// A place missing from a snapshot counts 0 there; an instance that never had it is left
    /// out of the place's instances and of the fleet's trend.
    #[test]
    fn absent_means_zero() {
        let line = timeline(2, &[0, 10, 20]);
        let movement = line.movement(&[seen(0, 0, 30), seen(0, 20, 30)]);
        assert_eq!(movement.instances.len(), 1);
        let growing = line.movement(&[seen(0, 0, 10), seen(0, 10, 20), seen(0, 20, 30)]);
        assert_eq!(
            growing.trend,
            Some(Trend::Growing),
            "the other instance never had it"
        );
        let points: Vec<u64> = movement.instances[0]
            .series
            .iter()
            .map(|p| p.goroutines)
            .collect();
        assert_eq!(points, [30, 0, 30]);
    }
}
