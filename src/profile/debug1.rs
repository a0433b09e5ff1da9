//! Text `debug=1` goroutine profiles: stacks aggregated with a count.
//!
//! ```text
//! goroutine profile: total 1715
//! 150 @ 0x43e8d6 0x40a4ed 0x40a0b8 0x6d3c25 0x471e81
//! #    0x6d3c24    main.prematureReturn.func1+0x44    /src/app/leaks.go:30
//! ```
//!
//! The runtime's own frames at the top of a stack are not printed, so the op of a blocked
//! goroutine cannot be told; but the addresses on the `@` line that come before the first
//! printed frame say how many runtime frames were hidden, which tells a goroutine parked in
//! the runtime (a channel operation) from one running user code.

use std::io::Read;

use super::blocks;
use super::{Format, Frame, Frames, ProfileError, ProfileInfo, Sample, SampleSink};

pub fn read(
    reader: &mut dyn Read,
    leak: bool,
    sink: &mut dyn SampleSink,
) -> Result<ProfileInfo, ProfileError> {
    let mut header_total: Option<u64> = None;
    let mut counted: u64 = 0;
    let mut line_number: usize = 0;
    blocks::for_each(reader, |block, _end| {
        let text = std::str::from_utf8(block).map_err(|error| {
            ProfileError::Malformed(format!(
                "debug=1 profile is not UTF-8 near line {}: {error}",
                line_number + 1
            ))
        })?;
        let mut record: Option<Record<'_>> = None;
        for line in text.lines() {
            line_number += 1;
            if let Some(total) = line
                .strip_prefix("goroutine profile: total ")
                .or_else(|| line.strip_prefix("goroutineleak profile: total "))
            {
                header_total = total.trim().parse().ok();
                if header_total.is_some_and(|total| total > super::MAX_GOROUTINES) {
                    return Err(malformed(
                        line_number,
                        "the header's total is more goroutines than any Go process can hold",
                    ));
                }
            } else if let Some(frame_line) = line.strip_prefix('#') {
                let Some(record) = record.as_mut() else {
                    return Err(malformed(line_number, "frame line before any `N @ …` line"));
                };
                if let Some(labels) = frame_line.trim_start().strip_prefix("labels:") {
                    record.labels = super::parse_labels(labels);
                    continue;
                }
                let (pc, frame) = parse_frame(frame_line)
                    .ok_or_else(|| malformed(line_number, "cannot parse the frame line"))?;
                if record.first_pc.is_none() {
                    record.first_pc = Some(pc);
                }
                record.frames.push(frame);
            } else if let Some((count, addresses)) = line.split_once(" @ ") {
                if let Some(done) = record.take() {
                    counted = super::add_goroutines(counted, emit(done, leak, sink))?;
                }
                let count = count
                    .trim()
                    .parse()
                    .map_err(|_| malformed(line_number, "the count before `@` is not a number"))?;
                let addresses = addresses
                    .split_ascii_whitespace()
                    .map(parse_hex)
                    .collect::<Option<Vec<u64>>>()
                    .ok_or_else(|| {
                        malformed(line_number, "an address on the `@` line is not hex")
                    })?;
                record = Some(Record {
                    count,
                    addresses,
                    first_pc: None,
                    frames: Vec::new(),
                    labels: Vec::new(),
                });
            } else if !line.trim().is_empty() {
                return Err(malformed(
                    line_number,
                    "unexpected line in a debug=1 goroutine profile",
                ));
            }
        }
        line_number += 1;
        if let Some(done) = record.take() {
            counted = super::add_goroutines(counted, emit(done, leak, sink))?;
        }
        Ok(())
    })?;
    let format = if leak {
        Format::GoroutineLeak
    } else {
        Format::Debug1
    };
    let mut warnings = Vec::new();
    if let Some(total) = header_total {
        if total != counted && !leak {
            warnings.push(format!(
                "the header says {total} goroutines but the stacks add up to {counted}"
            ));
        }
    }
    Ok(ProfileInfo {
        format,
        goroutines: header_total.unwrap_or(counted),
        time_nanos: None,
        warnings,
    })
}

struct Record<'a> {
    count: u64,
    addresses: Vec<u64>,
    first_pc: Option<u64>,
    frames: Vec<Frame<'a>>,
    labels: Vec<(&'a str, &'a str)>,
}

fn emit(record: Record<'_>, leak: bool, sink: &mut dyn SampleSink) -> u64 {
    // Printed PCs are return addresses minus one; find where the first printed one sits.
    let hidden = record.first_pc.and_then(|pc| {
        record
            .addresses
            .iter()
            .position(|&address| address == pc || pc.checked_add(1) == Some(address))
    });
    sink.sample(&Sample {
        count: record.count,
        wait_reason: None,
        wait_minutes: None,
        leaked: leak,
        hidden_runtime_frames: hidden.map(|hidden| u32::try_from(hidden).unwrap_or(u32::MAX)),
        frames: Frames::List(&record.frames),
        labels: record.labels,
    });
    record.count
}

/// `\t0x6d3c24\tmain.f+0x44\t/src/app/leaks.go:30` → (pc, frame).
fn parse_frame(line: &str) -> Option<(u64, Frame<'_>)> {
    // Columns are aligned with runs of tabs.
    let mut fields = line.split('\t').filter(|field| !field.is_empty());
    let pc = parse_hex(fields.next()?)?;
    let function = fields.next().unwrap_or_default();
    let function = match function.rfind("+0x") {
        Some(at) => &function[..at],
        None => function,
    };
    let location = fields.next().unwrap_or_default();
    let (file, line) = match location.rsplit_once(':') {
        Some((file, line)) => (file, line.trim().parse().unwrap_or(0)),
        None => (location, 0),
    };
    Some((
        pc,
        Frame {
            function,
            file,
            line,
        },
    ))
}

fn parse_hex(text: &str) -> Option<u64> {
    u64::from_str_radix(text.strip_prefix("0x")?, 16).ok()
}

fn malformed(line: usize, what: &str) -> ProfileError {
    ProfileError::Malformed(format!("line {line}: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_lines() {
        let (pc, frame) =
            parse_frame("\t0x6d3c24\tmain.(*T).f+0x44\t/src/app/leaks.go:30").unwrap();
        assert_eq!(pc, 0x6d3c24);
        assert_eq!(
            frame,
            Frame {
                function: "main.(*T).f",
                file: "/src/app/leaks.go",
                line: 30
            }
        );
        let (_, aligned) = parse_frame("\t0x1\tmain.g+0x2\t\t\t/src/app/x.go:7").unwrap();
        assert_eq!(
            aligned,
            Frame {
                function: "main.g",
                file: "/src/app/x.go",
                line: 7
            }
        );
        assert!(parse_frame("\tnot-hex\tf\tx.go:1").is_none());
    }
}
