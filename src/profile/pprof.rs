//! pprof protobuf goroutine profiles, read by a hand-written walk over the protobuf wire
//! format that visits samples one at a time and never collects them.
//!
//! Field numbers follow `perftools.profiles` in google/pprof's `proto/profile.proto`. Go
//! writes the samples before the tables they point into (locations, functions, strings), so
//! the walk goes over the bytes three times: it counts the tables, fills them (the memory is
//! charged to the run's budget first, so a few bytes declaring a million empty entries fail
//! cleanly), then hands out the samples. A sample costs a stack buffer of at most
//! [`MAX_STACK_FRAMES`] frames, however many samples there are; a decoder that builds the
//! message tree (prost) would hold every sample, 72 bytes for an empty one of two bytes.
//!
//! The prost message structs below are the schema, kept for *writing* profiles: the tests
//! and benchmarks build profiles with them. Fields a goroutine profile never needs
//! (mappings, drop/keep frames, …) are left out.

use super::budget::{Charge, Exhausted};
use super::{Failure, Format, Frame, Frames, ProfileError, Sample, SampleSink};

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

/// Most frames one sample may expand to, inlined calls included. Go records at most 1024
/// return addresses per goroutine (`GODEBUG=profstackdepth`, 128 by default), each expanding
/// to the few functions inlined there; a location repeated into millions of frames is not a
/// profile Go wrote.
pub const MAX_STACK_FRAMES: usize = 16_384;

/// Most frames all samples together may expand to, per byte of the profile (and at least
/// [`MIN_FRAME_ALLOWANCE`]). A location id takes at least a byte and Go's locations hold one
/// to a few frames, so a profile Go wrote stays near one frame per byte; without this
/// bound, seven-byte samples pointing at one location of [`MAX_STACK_FRAMES`] lines would
/// make a few megabytes take hours.
pub const FRAMES_PER_BYTE: u64 = 16;

/// The frame allowance of a small profile.
pub const MIN_FRAME_ALLOWANCE: u64 = 1 << 20;

/// What a decoded pprof profile says about itself.
pub struct PprofInfo {
    pub format: Format,
    pub goroutines: u64,
    pub time_nanos: Option<i64>,
    pub warnings: Vec<String>,
}

/// Decodes `data` and feeds every sample to `sink`, charging the tables to `charge` before
/// the first sample goes out.
///
/// Every index (string table, function id, location id) is checked: a profile whose indices
/// point nowhere is an error, never a panic.
pub(super) fn read(
    data: &[u8],
    charge: &mut Charge<'_>,
    sink: &mut dyn SampleSink,
) -> Result<PprofInfo, Failure> {
    // Pass 1: how large the tables are, and the scalars.
    let mut counts = Counts::default();
    let mut sample_type_index: Option<i64> = None;
    let mut time_nanos: i64 = 0;
    let mut top = Wire::new(data, 0);
    while let Some((field, value)) = top.next()? {
        match field {
            1 => {
                let body = value.bytes("sample_type")?;
                if sample_type_index.is_none() {
                    let mut type_index = 0;
                    let mut wire = Wire::new(body.0, body.1);
                    while let Some((field, value)) = wire.next()? {
                        if field == 1 {
                            type_index = value.varint("sample_type.type")? as i64;
                        }
                    }
                    sample_type_index = Some(type_index);
                }
            }
            2 => {
                value.bytes("sample")?;
            }
            4 => {
                let (body, offset) = value.bytes("location")?;
                counts.locations += 1;
                let mut lines = 0;
                let mut wire = Wire::new(body, offset);
                while let Some((field, value)) = wire.next()? {
                    if field == 4 {
                        value.bytes("location.line")?;
                        lines += 1;
                    }
                }
                // A location without lines keeps a placeholder frame.
                counts.frames += lines.max(1);
            }
            5 => {
                value.bytes("function")?;
                counts.functions += 1;
            }
            6 => {
                value.bytes("string_table")?;
                counts.strings += 1;
            }
            9 => time_nanos = value.varint("time_nanos")? as i64,
            _ => {}
        }
    }
    counts.charge(charge)?;

    // Pass 2: the tables.
    let mut strings: Vec<&str> = Vec::with_capacity(counts.strings);
    let mut functions: Vec<RawFunction> = Vec::with_capacity(counts.functions);
    let mut locations: Vec<RawLocation<'_>> = Vec::with_capacity(counts.locations);
    let mut top = Wire::new(data, 0);
    while let Some((field, value)) = top.next()? {
        match field {
            4 => {
                let (body, offset) = value.bytes("location")?;
                let mut id = 0;
                let mut wire = Wire::new(body, offset);
                while let Some((field, value)) = wire.next()? {
                    if field == 1 {
                        id = value.varint("location.id")?;
                    }
                }
                locations.push(RawLocation {
                    id,
                    body,
                    offset,
                    frames: (0, 0),
                });
            }
            5 => {
                let (body, offset) = value.bytes("function")?;
                let mut function = RawFunction::default();
                let mut wire = Wire::new(body, offset);
                while let Some((field, value)) = wire.next()? {
                    match field {
                        1 => function.id = value.varint("function.id")?,
                        2 => function.name = value.varint("function.name")? as i64,
                        4 => function.file = value.varint("function.filename")? as i64,
                        _ => {}
                    }
                }
                functions.push(function);
            }
            6 => {
                let (bytes, _) = value.bytes("string_table")?;
                // Go strings need not be UTF-8; a name that is not stays readable as a marker.
                strings.push(std::str::from_utf8(bytes).unwrap_or("<invalid utf-8>"));
            }
            _ => {}
        }
    }
    let string = |index: i64, what: &str| -> Result<&str, ProfileError> {
        usize::try_from(index)
            .ok()
            .and_then(|index| strings.get(index))
            .copied()
            .ok_or_else(|| {
                ProfileError::Malformed(format!(
                    "{what} points to string {index}, but the string table has {} entries",
                    strings.len()
                ))
            })
    };

    let format = match sample_type_index {
        Some(index) => match string(index, "sample type")? {
            "goroutine" => Format::Pprof,
            "goroutineleak" => Format::GoroutineLeak,
            other => {
                return Err(ProfileError::Malformed(format!(
                    "pprof profile of sample type {other:?} is not a goroutine profile"
                ))
                .into());
            }
        },
        None => {
            return Err(ProfileError::Malformed("pprof profile has no sample type".into()).into());
        }
    };

    let mut names: Vec<(&str, &str)> = Vec::with_capacity(functions.len());
    for function in &functions {
        names.push((
            string(function.name, "function name")?,
            string(function.file, "function file name")?,
        ));
    }
    let function_ids = IdIndex::new(functions.iter().map(|function| function.id), "function")?;

    // Each location resolved once to its frames, innermost first; samples copy from here.
    let mut frames: Vec<Frame<'_>> = Vec::with_capacity(counts.frames);
    for location in &mut locations {
        let start = frames.len();
        let mut wire = Wire::new(location.body, location.offset);
        while let Some((field, value)) = wire.next()? {
            if field != 4 {
                continue;
            }
            let (body, offset) = value.bytes("location.line")?;
            let (mut function_id, mut line) = (0, 0i64);
            let mut wire = Wire::new(body, offset);
            while let Some((field, value)) = wire.next()? {
                match field {
                    1 => function_id = value.varint("line.function_id")?,
                    2 => line = value.varint("line.line")? as i64,
                    _ => {}
                }
            }
            let Some(function) = function_ids.find(function_id) else {
                return Err(ProfileError::Malformed(format!(
                    "location {} points to function {function_id}, which is not defined",
                    location.id
                ))
                .into());
            };
            let (function, file) = names[function];
            frames.push(Frame {
                function,
                file,
                line: u32::try_from(line).unwrap_or(0),
            });
        }
        if frames.len() == start {
            // Symbolisation failed for this address; keep a placeholder so depth is right.
            frames.push(Frame {
                function: "",
                file: "",
                line: 0,
            });
        }
        location.frames = (start, frames.len());
    }
    let location_ids = IdIndex::new(locations.iter().map(|location| location.id), "location")?;

    // Pass 3: the samples, one at a time.
    let leaked = format == Format::GoroutineLeak;
    let mut stack: Vec<Frame<'_>> = Vec::with_capacity(64);
    let mut goroutines: u64 = 0;
    let mut index: usize = 0;
    let frame_allowance = (data.len() as u64)
        .saturating_mul(FRAMES_PER_BYTE)
        .max(MIN_FRAME_ALLOWANCE);
    let mut frames_handed_out: u64 = 0;
    let mut top = Wire::new(data, 0);
    while let Some((field, value)) = top.next()? {
        if field != 2 {
            continue;
        }
        let (body, offset) = value.bytes("sample")?;
        stack.clear();
        // Allocates only for a sample that has labels.
        let mut labels: Vec<(&str, &str)> = Vec::new();
        let mut count: Option<i64> = None;
        let mut wire = Wire::new(body, offset);
        while let Some((field, value)) = wire.next()? {
            match field {
                1 => {
                    let mut ids = value.packed("sample.location_id")?;
                    while let Some(id) = ids.next_id()? {
                        let Some(at) = location_ids.find(id) else {
                            return Err(ProfileError::Malformed(format!(
                                "sample {index} points to location {id}, which is not defined"
                            ))
                            .into());
                        };
                        let (start, end) = locations[at].frames;
                        if stack.len() + (end - start) > MAX_STACK_FRAMES {
                            return Err(ProfileError::Malformed(format!(
                                "sample {index} has more than {MAX_STACK_FRAMES} frames, more than Go records for one goroutine"
                            ))
                            .into());
                        }
                        stack.extend_from_slice(&frames[start..end]);
                    }
                }
                2 => {
                    let mut values = value.packed("sample.value")?;
                    while let Some(value) = values.next_id()? {
                        count.get_or_insert(value as i64);
                    }
                }
                3 => {
                    let (body, offset) = value.bytes("sample.label")?;
                    let (mut key, mut text) = (0i64, 0i64);
                    let mut wire = Wire::new(body, offset);
                    while let Some((field, value)) = wire.next()? {
                        match field {
                            1 => key = value.varint("label.key")? as i64,
                            2 => text = value.varint("label.str")? as i64,
                            _ => {}
                        }
                    }
                    // Numeric labels (no string) and labels pointing nowhere are left out.
                    if text != 0 {
                        if let (Ok(key), Ok(text)) = (string(key, ""), string(text, "")) {
                            labels.push((key, text));
                        }
                    }
                }
                _ => {}
            }
        }
        let count = match count {
            Some(count) if count >= 0 => count as u64,
            Some(count) => {
                return Err(ProfileError::Malformed(format!(
                    "sample {index} has a negative goroutine count {count}"
                ))
                .into());
            }
            None => {
                return Err(ProfileError::Malformed(format!("sample {index} has no value")).into());
            }
        };
        goroutines = super::add_goroutines(goroutines, count)?;
        frames_handed_out = frames_handed_out.saturating_add(stack.len() as u64);
        if frames_handed_out > frame_allowance {
            return Err(ProfileError::Malformed(format!(
                "its samples expand to more than {frame_allowance} frames ({FRAMES_PER_BYTE} per byte of the profile), out of proportion to its size"
            ))
            .into());
        }
        let sample = Sample {
            count,
            wait_reason: None,
            wait_minutes: None,
            leaked,
            hidden_runtime_frames: None,
            frames: Frames::List(&stack),
            labels,
        };
        sink.sample(&sample);
        index += 1;
    }

    let mut warnings = Vec::new();
    if time_nanos < 0 {
        warnings.push(format!(
            "time_nanos {time_nanos} is before 1970; the profile's time is ignored"
        ));
    }
    Ok(PprofInfo {
        format,
        goroutines,
        time_nanos: (time_nanos > 0).then_some(time_nanos),
        warnings,
    })
}

/// Entries of each table, counted before any is stored.
#[derive(Default)]
struct Counts {
    strings: usize,
    functions: usize,
    locations: usize,
    frames: usize,
}

impl Counts {
    /// Charges the tables (and the id indexes, in case ids are not dense) to the budget.
    fn charge(&self, charge: &mut Charge<'_>) -> Result<(), Failure> {
        use std::mem::size_of;
        let index = size_of::<(u64, usize)>();
        let bytes = [
            (self.strings, size_of::<&str>()),
            (
                self.functions,
                size_of::<RawFunction>() + size_of::<(&str, &str)>() + index,
            ),
            (self.locations, size_of::<RawLocation<'_>>() + index),
            (self.frames, size_of::<Frame<'_>>()),
        ]
        .iter()
        .fold(0u64, |total, &(count, size)| {
            total.saturating_add((count as u64).saturating_mul(size as u64))
        });
        charge.grow(bytes).map_err(|exhausted| match exhausted {
            Exhausted::Busy => Failure::Busy,
            Exhausted::TooLarge => Failure::Profile(ProfileError::OutOfBudget {
                limit: charge.limit(),
                what: "its tables of strings, functions and locations",
            }),
        })
    }
}

#[derive(Default)]
struct RawFunction {
    id: u64,
    name: i64,
    file: i64,
}

struct RawLocation<'a> {
    id: u64,
    body: &'a [u8],
    offset: usize,
    /// Its frames in the frame table.
    frames: (usize, usize),
}

/// Finds a table entry by id. Go numbers entries 1, 2, 3, … in order, which is looked up
/// directly; other numberings are sorted once and searched.
enum IdIndex {
    Dense(usize),
    Sorted(Vec<(u64, usize)>),
}

impl IdIndex {
    fn new(ids: impl Iterator<Item = u64> + Clone, what: &str) -> Result<IdIndex, ProfileError> {
        let mut len = 0;
        let mut dense = true;
        for (at, id) in ids.clone().enumerate() {
            dense &= id == at as u64 + 1;
            len += 1;
        }
        if dense {
            return Ok(IdIndex::Dense(len));
        }
        let mut sorted: Vec<(u64, usize)> = ids.enumerate().map(|(at, id)| (id, at)).collect();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(ProfileError::Malformed(format!(
                "{what} id {} is defined twice",
                pair[0].0
            )));
        }
        Ok(IdIndex::Sorted(sorted))
    }

    #[inline]
    fn find(&self, id: u64) -> Option<usize> {
        match self {
            IdIndex::Dense(len) => {
                let at = id.checked_sub(1)?;
                (at < *len as u64).then_some(at as usize)
            }
            IdIndex::Sorted(sorted) => sorted
                .binary_search_by_key(&id, |&(id, _)| id)
                .ok()
                .map(|found| sorted[found].1),
        }
    }
}

/// A protobuf message's bytes being walked field by field. `offset` is where they start in
/// the whole profile, for error messages.
struct Wire<'a> {
    data: &'a [u8],
    at: usize,
    offset: usize,
}

/// One field's value.
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8], usize),
    Fixed,
}

impl<'a> Wire<'a> {
    fn new(data: &'a [u8], offset: usize) -> Wire<'a> {
        Wire {
            data,
            at: 0,
            offset,
        }
    }

    fn error(&self, what: &str) -> ProfileError {
        ProfileError::Malformed(format!(
            "not a pprof protobuf profile ({what} at byte {})",
            self.offset + self.at
        ))
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, ProfileError> {
        let rest = &self.data[self.at..];
        match rest.first() {
            Some(&byte) if byte < 0x80 => {
                self.at += 1;
                return Ok(u64::from(byte));
            }
            Some(_) => {}
            None => return Err(self.error("truncated varint")),
        }
        let mut value: u64 = 0;
        for (at, &byte) in rest.iter().take(10).enumerate() {
            value |= u64::from(byte & 0x7f) << (7 * at);
            if byte < 0x80 {
                if at == 9 && byte > 1 {
                    return Err(self.error("varint overflows 64 bits"));
                }
                self.at += at + 1;
                return Ok(value);
            }
        }
        Err(self.error(if rest.len() < 10 {
            "truncated varint"
        } else {
            "varint longer than 10 bytes"
        }))
    }

    /// The next field: its number and value.
    #[inline]
    fn next(&mut self) -> Result<Option<(u64, Value<'a>)>, ProfileError> {
        if self.at >= self.data.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = key >> 3;
        if field == 0 {
            return Err(self.error("field number 0"));
        }
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => self.skip(8)?,
            2 => {
                let len = self.varint()?;
                let start = self.at;
                if len > (self.data.len() - start) as u64 {
                    return Err(self.error("length past the end of the message"));
                }
                self.at += len as usize;
                Value::Bytes(&self.data[start..self.at], self.offset + start)
            }
            5 => self.skip(4)?,
            wire_type => return Err(self.error(&format!("unsupported wire type {wire_type}"))),
        };
        Ok(Some((field, value)))
    }

    fn skip(&mut self, len: usize) -> Result<Value<'a>, ProfileError> {
        if self.data.len() - self.at < len {
            return Err(self.error("truncated fixed-size field"));
        }
        self.at += len;
        Ok(Value::Fixed)
    }

    /// The next varint of a packed field; `None` at its end.
    #[inline]
    fn next_id(&mut self) -> Result<Option<u64>, ProfileError> {
        if self.at >= self.data.len() {
            return Ok(None);
        }
        self.varint().map(Some)
    }
}

impl<'a> Value<'a> {
    fn varint(self, field: &str) -> Result<u64, ProfileError> {
        match self {
            Value::Varint(value) => Ok(value),
            _ => Err(wrong_type(field, "a varint")),
        }
    }

    fn bytes(self, field: &str) -> Result<(&'a [u8], usize), ProfileError> {
        match self {
            Value::Bytes(bytes, offset) => Ok((bytes, offset)),
            _ => Err(wrong_type(field, "length-delimited")),
        }
    }

    /// A repeated varint field, packed or not, as a walk over its varints.
    fn packed(self, field: &str) -> Result<Packed<'a>, ProfileError> {
        match self {
            Value::Varint(value) => Ok(Packed::One(Some(value))),
            Value::Bytes(bytes, offset) => Ok(Packed::Many(Wire::new(bytes, offset))),
            Value::Fixed => Err(wrong_type(field, "a varint or packed varints")),
        }
    }
}

/// The varints of one occurrence of a repeated field.
enum Packed<'a> {
    One(Option<u64>),
    Many(Wire<'a>),
}

impl Packed<'_> {
    #[inline]
    fn next_id(&mut self) -> Result<Option<u64>, ProfileError> {
        match self {
            Packed::One(value) => Ok(value.take()),
            Packed::Many(wire) => wire.next_id(),
        }
    }
}

fn wrong_type(field: &str, expected: &str) -> ProfileError {
    ProfileError::Malformed(format!(
        "not a pprof protobuf profile (field {field} is not {expected})"
    ))
}
