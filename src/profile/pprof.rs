//! The subset of pprof's `profile.proto` that goroutine profiles use, as hand-written prost
//! messages (no protoc at build time), and the walk that turns its samples into [`Sample`]s.
//!
//! Field numbers follow `perftools.profiles` in google/pprof's `proto/profile.proto`. Fields a
//! goroutine profile never needs (mappings, drop/keep frames, …) are left out: prost skips
//! unknown fields while decoding.

use std::collections::HashMap;

use super::{Format, Frame, Frames, ProfileError, Sample, SampleSink};

#[derive(Clone, PartialEq, prost::Message)]
pub struct Profile {
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<PSample>,
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    #[prost(string, repeated, tag = "6")]
    pub string_table: Vec<String>,
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueType {
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct PSample {
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<Label>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Label {
    #[prost(int64, tag = "1")]
    pub key: i64,
    #[prost(int64, tag = "2")]
    pub str: i64,
    #[prost(int64, tag = "3")]
    pub num: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Location {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(uint64, tag = "3")]
    pub address: u64,
    /// Innermost inlined function first; the last line is the caller the others were inlined
    /// into.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Line {
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    #[prost(int64, tag = "2")]
    pub line: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Function {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(int64, tag = "2")]
    pub name: i64,
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    #[prost(int64, tag = "4")]
    pub filename: i64,
}

/// What a decoded pprof profile says about itself.
pub struct PprofInfo {
    pub format: Format,
    pub goroutines: u64,
    pub time_nanos: Option<i64>,
}

/// Decodes `data` and feeds every sample to `sink`.
///
/// Every index (string table, function id, location id) is checked: a profile whose indices
/// point nowhere is an error, never a panic.
pub fn read(data: &[u8], sink: &mut dyn SampleSink) -> Result<PprofInfo, ProfileError> {
    let profile: Profile = prost::Message::decode(data).map_err(|error| {
        ProfileError::Malformed(format!("not a pprof protobuf profile ({error})"))
    })?;
    let string = |index: i64, what: &str| -> Result<&str, ProfileError> {
        usize::try_from(index)
            .ok()
            .and_then(|index| profile.string_table.get(index))
            .map(String::as_str)
            .ok_or_else(|| {
                ProfileError::Malformed(format!(
                    "{what} points to string {index}, but the string table has {} entries",
                    profile.string_table.len()
                ))
            })
    };

    let sample_type = match profile.sample_type.first() {
        Some(value_type) => string(value_type.r#type, "sample type")?,
        None => {
            return Err(ProfileError::Malformed(
                "pprof profile has no sample type".into(),
            ));
        }
    };
    let format = match sample_type {
        "goroutine" => Format::Pprof,
        "goroutineleak" => Format::GoroutineLeak,
        other => {
            return Err(ProfileError::Malformed(format!(
                "pprof profile of sample type {other:?} is not a goroutine profile"
            )));
        }
    };

    let mut functions: HashMap<u64, (&str, &str)> = HashMap::with_capacity(profile.function.len());
    for function in &profile.function {
        let name = string(function.name, "function name")?;
        let file = string(function.filename, "function file name")?;
        functions.insert(function.id, (name, file));
    }

    // Each location resolved once to its frames, innermost first; samples index into this.
    let mut frames: Vec<Frame<'_>> = Vec::new();
    let mut locations: HashMap<u64, (usize, usize)> =
        HashMap::with_capacity(profile.location.len());
    for location in &profile.location {
        let start = frames.len();
        for line in &location.line {
            let Some(&(function, file)) = functions.get(&line.function_id) else {
                return Err(ProfileError::Malformed(format!(
                    "location {} points to function {}, which is not defined",
                    location.id, line.function_id
                )));
            };
            frames.push(Frame {
                function,
                file,
                line: u32::try_from(line.line).unwrap_or(0),
            });
        }
        if location.line.is_empty() {
            // Symbolisation failed for this address; keep a placeholder so depth is right.
            frames.push(Frame {
                function: "",
                file: "",
                line: 0,
            });
        }
        locations.insert(location.id, (start, frames.len()));
    }

    let mut stack: Vec<Frame<'_>> = Vec::with_capacity(64);
    let mut goroutines: u64 = 0;
    for (index, sample) in profile.sample.iter().enumerate() {
        let count = match sample.value.first() {
            Some(&count) if count >= 0 => count as u64,
            Some(&count) => {
                return Err(ProfileError::Malformed(format!(
                    "sample {index} has a negative goroutine count {count}"
                )));
            }
            None => {
                return Err(ProfileError::Malformed(format!(
                    "sample {index} has no value"
                )));
            }
        };
        stack.clear();
        for location_id in &sample.location_id {
            let Some(&(start, end)) = locations.get(location_id) else {
                return Err(ProfileError::Malformed(format!(
                    "sample {index} points to location {location_id}, which is not defined"
                )));
            };
            stack.extend_from_slice(&frames[start..end]);
        }
        goroutines = goroutines.saturating_add(count);
        sink.sample(&Sample {
            count,
            wait_reason: None,
            wait_minutes: None,
            leaked: format == Format::GoroutineLeak,
            hidden_runtime_frames: None,
            frames: Frames::List(&stack),
            labels: sample
                .label
                .iter()
                .filter(|label| label.str != 0)
                .filter_map(|label| {
                    let key = profile.string_table.get(usize::try_from(label.key).ok()?)?;
                    let value = profile.string_table.get(usize::try_from(label.str).ok()?)?;
                    Some((key.as_str(), value.as_str()))
                })
                .collect(),
        });
    }

    Ok(PprofInfo {
        format,
        goroutines,
        time_nanos: (profile.time_nanos != 0).then_some(profile.time_nanos),
    })
}
