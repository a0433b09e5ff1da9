//! How a place's goroutines moved: the trend and change over the snapshots, each instance's
//! count, the points of a time series, and the RFC 3339 times they are written in.

use serde::Serialize;

use crate::date::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Growing,
    Steady,
    Shrinking,
}

impl Trend {
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Growing => "growing",
            Trend::Steady => "steady",
            Trend::Shrinking => "shrinking",
        }
    }
}

/// What was observed between the first snapshot and the last: the change in goroutines
/// (summed over instances) and the span in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Change {
    pub goroutines: i64,
    pub seconds: f64,
}

/// A place on one instance of a fleet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstanceCount {
    /// The instance (the target folder of `collect`, a `--profile NAME=PATH` name, the
    /// `--instance-label` value); null for the unnamed instance.
    pub name: Option<String>,
    /// Goroutines here in the instance's worst snapshot.
    pub goroutines: u64,
    /// From three or more of the instance's snapshots.
    pub trend: Option<Trend>,
    /// Goroutines an hour, when the instance's snapshots span at least 10 minutes.
    pub growth_per_hour: Option<f64>,
    /// The instance's timestamped snapshots, oldest first.
    pub series: Vec<Point>,
}

/// One snapshot of a time series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// RFC 3339, UTC.
    pub time: String,
    /// Unix time in seconds, for plotting.
    pub unix_seconds: f64,
    pub goroutines: u64,
}

/// Formats Unix nanoseconds as RFC 3339 in UTC, e.g. `2026-11-27T22:06:02Z`.
pub fn rfc3339(nanos: i64) -> String {
    let seconds = nanos.div_euclid(1_000_000_000);
    let date = Date::from_unix_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests;
