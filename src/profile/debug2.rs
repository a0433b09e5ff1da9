//! Text goroutine dumps with one stack per goroutine: `/debug/pprof/goroutine?debug=2`,
//! `runtime.Stack(buf, true)`, and what a panic, SIGQUIT or `go test -timeout` print.
//!
//! ```text
//! goroutine 18 [chan send, 2 minutes]:
//! main.leak.func1()
//!         /src/app/leaks.go:18 +0x2c
//! created by main.leak in goroutine 1
//!         /src/app/leaks.go:16 +0x45
//! ```
//!
//! Header lines vary by Go version: Go 1.21 added `in goroutine N` to `created by`, crash dumps
//! add `gp=… m=…` before the bracket, Go 1.27 can print labels after it and marks goroutines
//! the GC proved leaked. The parser takes the wait reason from the first bracket item and
//! tolerates anything else around it. Text that is not a goroutine block (panic messages,
//! register dumps, test output) is skipped.

use std::io::Read;

use memchr::memmem;

use super::blocks::{self, End};
use super::{Format, Frame, Frames, ProfileError, ProfileInfo, Sample, SampleSink};

/// `/debug/pprof/goroutine?debug=2` stops writing at this size, mid-stack.
const PPROF_DEBUG2_CAP: u64 = 64 << 20;

pub fn read(reader: &mut dyn Read, sink: &mut dyn SampleSink) -> Result<ProfileInfo, ProfileError> {
    let mut goroutines: u64 = 0;
    let mut cut_mid_stack = false;
    let bytes = blocks::for_each(reader, |block, end| {
        let Some((header, body)) = find_header(block) else {
            return Ok(());
        };
        if end == End::Eof && !block_is_complete(body) {
            // The last stack is cut off; its top frames may be missing, so it is not counted.
            cut_mid_stack = true;
            return Ok(());
        }
        goroutines = goroutines.saturating_add(1);
        sink.sample(&Sample {
            count: 1,
            wait_reason: Some(header.wait_reason),
            wait_minutes: header.wait_minutes,
            leaked: header.leaked,
            hidden_runtime_frames: None,
            frames: Frames::Debug2(FrameLines { rest: body }),
            labels: header.labels.map(super::parse_labels).unwrap_or_default(),
        });
        Ok(())
    })?;

    let mut warnings = Vec::new();
    if cut_mid_stack || bytes == PPROF_DEBUG2_CAP {
        let why = if bytes == PPROF_DEBUG2_CAP {
            "the dump is exactly 64 MiB, where /debug/pprof/goroutine?debug=2 stops writing"
        } else {
            "the dump ends in the middle of a stack"
        };
        warnings.push(format!(
            "{why}: goroutine counts are partial ({goroutines} goroutines read); \
             fetch /debug/pprof/goroutine (debug=0) for complete counts"
        ));
    }
    Ok(ProfileInfo {
        format: Format::Debug2,
        goroutines,
        time_nanos: None,
        warnings,
    })
}

/// A parsed `goroutine N [...]:` line.
#[derive(Debug, PartialEq, Eq)]
struct Header<'a> {
    wait_reason: &'a str,
    wait_minutes: Option<u32>,
    leaked: bool,
    /// The labels' text, `{…}`: Go 1.26 prints it inside the bracket after `labels:`, Go 1.27
    /// after the bracket.
    labels: Option<&'a str>,
}

/// Finds the first goroutine header in a block; returns it and the lines after it.
fn find_header(block: &[u8]) -> Option<(Header<'_>, &[u8])> {
    let mut at = 0;
    loop {
        let rest = &block[at..];
        let line_end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        if rest.starts_with(b"goroutine ") {
            if let Some(header) = parse_header(&rest[..line_end]) {
                let body = rest.get(line_end + 1..).unwrap_or_default();
                return Some((header, body));
            }
        }
        let next = memmem::find(&rest[line_end..], b"\ngoroutine ")?;
        at += line_end + next + 1;
    }
}

fn parse_header(line: &[u8]) -> Option<Header<'_>> {
    let line = std::str::from_utf8(line).ok()?;
    let rest = line.strip_prefix("goroutine ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || !line.ends_with(':') {
        return None;
    }
    let open = rest.find('[')?;
    let content = &rest[open + 1..];
    // Items end at the bracket, or where Go 1.26 starts printing labels inside it
    // (`[chan send labels:{"k": "v"}]`); Go 1.27 prints them after it (`] {k: v}:`). Label
    // values may hold anything, so nothing after this point is read.
    let end = [content.find(']'), content.find(" labels:")]
        .into_iter()
        .flatten()
        .min()?;
    let mut items = content[..end].split(", ");
    let labels = match content.find(" labels:{") {
        Some(at) => content[at + " labels:".len()..].strip_suffix("]:"),
        None => content[end..]
            .strip_prefix("] ")
            .and_then(|rest| rest.strip_suffix(':'))
            .filter(|rest| rest.starts_with('{')),
    };
    let mut header = Header {
        wait_reason: items.next()?,
        wait_minutes: None,
        leaked: false,
        labels,
    };
    if let Some(reason) = header.wait_reason.strip_suffix(" (leaked)") {
        header.wait_reason = reason;
        header.leaked = true;
    }
    for item in items {
        if let Some(minutes) = item.strip_suffix(" minutes") {
            header.wait_minutes = minutes.parse().ok();
        } else if item == "(leaked)" || item == "leaked" {
            header.leaked = true;
        }
    }
    Some(header)
}

/// Whether the last block of a dump holds a whole stack. A stack cut off ends mid-line, or
/// on a function line whose file line is missing; a complete one ends on a file line
/// (`\t/path/file.go:12 +0x1c`) or is followed by other output (`FAIL`, `exit status 2`).
fn block_is_complete(body: &[u8]) -> bool {
    let Some(body) = body.strip_suffix(b"\n") else {
        return false;
    };
    let last_line = match memchr::memrchr(b'\n', body) {
        Some(at) => &body[at + 1..],
        None => body,
    };
    !(last_line.ends_with(b")")
        || last_line.starts_with(b"created by ")
        || last_line.starts_with(b"..."))
}

/// Lazily parsed frame lines of one goroutine, innermost first.
#[derive(Clone, Debug)]
pub struct FrameLines<'a> {
    rest: &'a [u8],
}

impl<'a> FrameLines<'a> {
    /// The `created by F [in goroutine N]` frame.
    pub fn created_by(&self) -> Option<Frame<'a>> {
        let mut rest = self.rest;
        while !rest.is_empty() {
            let (line, after) = split_line(rest);
            if let Some(creator) = line.strip_prefix(b"created by ") {
                let creator = match memmem::find(creator, b" in goroutine ") {
                    Some(at) => &creator[..at],
                    None => creator,
                };
                let (file, line) = match after.first() {
                    Some(b'\t') => parse_file_line(split_line(after).0),
                    _ => ("", 0),
                };
                return Some(Frame {
                    function: as_str(creator),
                    file,
                    line,
                });
            }
            rest = after;
        }
        None
    }
}

impl<'a> Iterator for FrameLines<'a> {
    type Item = Frame<'a>;

    fn next(&mut self) -> Option<Frame<'a>> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (line, after) = split_line(self.rest);
            if line.starts_with(b"created by ") {
                self.rest = &[];
                return None;
            }
            self.rest = after;
            if line.is_empty() || line[0] == b'\t' || line.starts_with(b"...") {
                // A stray file line, an elision marker or a note such as
                // "goroutine running on other thread; stack unavailable".
                continue;
            }
            let Some(function) = parse_function(line) else {
                continue;
            };
            let (file, line) = match after.first() {
                Some(b'\t') => {
                    let (file_line, after_file) = split_line(after);
                    self.rest = after_file;
                    parse_file_line(file_line)
                }
                _ => ("", 0),
            };
            return Some(Frame {
                function,
                file,
                line,
            });
        }
    }
}

fn split_line(bytes: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr(b'\n', bytes) {
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (bytes, &[]),
    }
}

/// `main.(*T).run(0xc000010000, {0x5e1, 0x3})` → `main.(*T).run`. The argument list is the
/// last parenthesis; receivers like `(*T)` come before it.
fn parse_function(line: &[u8]) -> Option<&str> {
    if !line.ends_with(b")") {
        return None;
    }
    let open = memchr::memrchr(b'(', line)?;
    if open == 0 {
        return None;
    }
    Some(as_str(&line[..open]))
}

/// `\t/src/app/leaks.go:18 +0x2c fp=… sp=…` → (`/src/app/leaks.go`, 18).
fn parse_file_line(line: &[u8]) -> (&str, u32) {
    let line = line.strip_prefix(b"\t").unwrap_or(line);
    let line = match memmem::rfind(line, b" +0x") {
        Some(at) => &line[..at],
        None => line,
    };
    let Some(colon) = memchr::memrchr(b':', line) else {
        return (as_str(line), 0);
    };
    let number = &line[colon + 1..];
    let digits = number
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    let value = std::str::from_utf8(&number[..digits])
        .ok()
        .and_then(|n| n.parse().ok());
    (as_str(&line[..colon]), value.unwrap_or(0))
}

fn as_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("<invalid utf-8>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_header(line: &str, expected: Option<(&str, Option<u32>, bool)>) {
        let got = parse_header(line.as_bytes())
            .map(|header| (header.wait_reason, header.wait_minutes, header.leaked));
        assert_eq!(got, expected, "header {line:?}");
    }

    #[test]
    fn headers() {
        check_header("goroutine 1 [running]:", Some(("running", None, false)));
        check_header(
            "goroutine 18 [chan send, 2 minutes]:",
            Some(("chan send", Some(2), false)),
        );
        check_header(
            "goroutine 7 [select, 90 minutes, locked to thread]:",
            Some(("select", Some(90), false)),
        );
        check_header(
            "goroutine 9 [chan receive (nil chan)]:",
            Some(("chan receive (nil chan)", None, false)),
        );
        check_header(
            "goroutine 0 gp=0x5f1 m=0 mp=0x5f2 [idle]:",
            Some(("idle", None, false)),
        );
        check_header(
            r#"goroutine 9 [chan send (nil chan) (leaked) labels:{"a": "x]", "b": "(leaked)"}]:"#,
            Some(("chan send (nil chan)", None, true)),
        );
        check_header(
            "goroutine 9 [chan receive (nil chan), 3 minutes] {pattern: nil, other: ]}:",
            Some(("chan receive (nil chan)", Some(3), false)),
        );
        fn labels(line: &str) -> Option<&str> {
            parse_header(line.as_bytes()).and_then(|header| header.labels)
        }
        assert_eq!(
            labels(r#"goroutine 9 [chan send labels:{"k": "v"}]:"#),
            Some(r#"{"k": "v"}"#)
        );
        assert_eq!(
            labels("goroutine 9 [chan send, 2 minutes] {k: v}:"),
            Some("{k: v}")
        );
        assert_eq!(labels("goroutine 9 [chan send]:"), None);
        check_header(
            "goroutine 9 [select (no cases) (leaked)]:",
            Some(("select (no cases)", None, true)),
        );
        check_header("goroutine profile: total 5", None);
        check_header("goroutine 5 [chan send]", None);
    }

    fn check_file_line(line: &str, expected: (&str, u32)) {
        assert_eq!(parse_file_line(line.as_bytes()), expected, "line {line:?}");
    }

    #[test]
    fn file_lines() {
        check_file_line("\t/src/app/leaks.go:18 +0x2c", ("/src/app/leaks.go", 18));
        check_file_line("\t/src/my app/x.go:3", ("/src/my app/x.go", 3));
        check_file_line(
            "\t/usr/lib/go/src/runtime/proc.go:402 +0xce fp=0xc0000 sp=0xc0000 pc=0x43",
            ("/usr/lib/go/src/runtime/proc.go", 402),
        );
        check_file_line("\tC:/src/app/x.go:7 +0x1", ("C:/src/app/x.go", 7));
    }

    #[test]
    fn frames_and_creator() {
        let body = b"runtime.gopark(0x1?, 0x0?)\n\t/go/src/runtime/proc.go:424 +0xce\n\
main.(*T).run(...)\n\t/app/t.go:9\n...additional frames elided...\n\
created by main.main in goroutine 1\n\t/app/main.go:5 +0x25\n";
        let lines = FrameLines { rest: body };
        let frames: Vec<_> = lines
            .clone()
            .map(|f| (f.function, f.file, f.line))
            .collect();
        assert_eq!(
            frames,
            vec![
                ("runtime.gopark", "/go/src/runtime/proc.go", 424),
                ("main.(*T).run", "/app/t.go", 9)
            ]
        );
        let creator = lines.created_by().unwrap();
        assert_eq!(
            (creator.function, creator.file, creator.line),
            ("main.main", "/app/main.go", 5)
        );
    }
}
