//! Goroutine profiles in every format Go serves, read into one stream of [`Sample`]s.
//!
//! The format is told from the content, never from the file name: pprof protobuf (debug=0,
//! gzipped or not, including Go 1.26+ `goroutineleak` profiles), text `debug=1` (stacks
//! aggregated with counts) and text `debug=2` / full goroutine dumps (one stack per
//! goroutine, as `runtime.Stack(all)`, a panic, SIGQUIT or `go test -timeout` print them).
//! Readers push samples into a [`SampleSink`] as they go, so a multi-gigabyte dump is never
//! held in memory.

mod blocks;
mod budget;
mod debug1;
mod debug2;
pub mod pprof;

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

pub use budget::InflateBudget;
use budget::{Charge, Exhausted};

/// How a profile was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// pprof protobuf goroutine profile (`/debug/pprof/goroutine`, debug=0).
    Pprof,
    /// pprof protobuf or debug=1 `goroutineleak` profile (Go 1.26+): every goroutine in it was
    /// proven leaked by the garbage collector.
    #[serde(rename = "goroutineleak")]
    GoroutineLeak,
    /// Text, stacks aggregated with counts (`?debug=1`).
    Debug1,
    /// Text, one stack per goroutine (`?debug=2`, panics, SIGQUIT, test timeouts).
    Debug2,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pprof => "pprof",
            Format::GoroutineLeak => "goroutineleak",
            Format::Debug1 => "debug1",
            Format::Debug2 => "debug2",
        }
    }
}

/// One stack frame, borrowed from the profile being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Fully qualified Go function, e.g. `main.(*server).run.func1`.
    pub function: &'a str,
    /// Source file as the binary recorded it (absolute, or module-relative with -trimpath).
    pub file: &'a str,
    /// 1-based line; 0 when the profile does not say.
    pub line: u32,
}

/// The frames of one sample, innermost first.
///
/// Text dumps are parsed lazily: most goroutines only need their top few frames looked at.
#[derive(Clone, Debug)]
pub enum Frames<'a> {
    List(&'a [Frame<'a>]),
    Debug2(debug2::FrameLines<'a>),
}

impl<'a> Iterator for Frames<'a> {
    type Item = Frame<'a>;

    fn next(&mut self) -> Option<Frame<'a>> {
        match self {
            Frames::List(frames) => {
                let (first, rest) = frames.split_first()?;
                *frames = rest;
                Some(*first)
            }
            Frames::Debug2(lines) => lines.next(),
        }
    }
}

impl<'a> Frames<'a> {
    /// The `created by` frame of a text dump: the function that started the goroutine, at
    /// the file and line of its `go` statement. pprof and debug=1 profiles do not record it.
    pub fn created_by(&self) -> Option<Frame<'a>> {
        match self {
            Frames::List(_) => None,
            Frames::Debug2(lines) => lines.created_by(),
        }
    }
}

/// One stack and how many goroutines share it.
#[derive(Clone, Debug)]
pub struct Sample<'a> {
    pub count: u64,
    /// The runtime's wait reason (`chan send`, `select (no cases)`, …): text dumps only.
    pub wait_reason: Option<&'a str>,
    /// How long the goroutine has been blocked (`N minutes` in text dumps).
    pub wait_minutes: Option<u32>,
    /// The garbage collector proved these goroutines leaked (goroutineleak profile, or a
    /// `(leaked)` marker in a dump).
    pub leaked: bool,
    /// debug=1 prints no runtime frames: how many leading addresses had none printed. More
    /// than zero means the goroutine is parked inside the runtime.
    pub hidden_runtime_frames: Option<u32>,
    /// Text dumps also carry the `created by` frame: [`Frames::created_by`].
    pub frames: Frames<'a>,
    /// Goroutine labels (`pprof.Do`, `pprof.SetGoroutineLabels`) as key/value pairs.
    pub labels: Vec<(&'a str, &'a str)>,
}

/// Parses labels as Go prints them in text profiles: quoted in debug=1 and in Go 1.26 dumps
/// (`{"k":"v", "k2": "v2"}`), bare in Go 1.27 dumps (`{k: v, k2: v2}`). Escapes inside quoted
/// values are kept as written.
pub fn parse_labels(text: &str) -> Vec<(&str, &str)> {
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    if inner.contains('"') {
        let mut quoted = Vec::new();
        let mut rest = inner;
        while let Some(start) = rest.find('"') {
            let after = &rest[start + 1..];
            let mut end = None;
            let mut escaped = false;
            for (index, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(index);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else {
                break;
            };
            quoted.push(&after[..end]);
            rest = &after[end + 1..];
        }
        return quoted
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
            .collect();
    }
    inner
        .split(", ")
        .filter_map(|pair| pair.split_once(": "))
        .map(|(key, value)| (key.trim(), value.trim()))
        .filter(|(key, _)| !key.is_empty())
        .collect()
}

/// Receives samples while a profile is read.
pub trait SampleSink {
    fn sample(&mut self, sample: &Sample<'_>);

    /// Bytes the sink keeps from the samples it was given (names, example stacks, labels).
    /// A pprof profile can name one long function from many places at the cost of a few
    /// bytes each, so what is kept can outgrow the profile a thousandfold; readers stop
    /// handing out samples once this passes the run's budget.
    fn kept_bytes(&self) -> u64 {
        0
    }
}

/// Longest function name, file name or label kept from a profile, in bytes. Go's longest
/// names (generic instantiations over struct shapes) stay within a few hundred bytes; a
/// megabyte-long name is an attack on whatever matches it later.
pub const MAX_NAME_LEN: usize = 4096;

/// Appended to a name cut at [`MAX_NAME_LEN`].
pub const TRUNCATED_MARKER: &str = "…[truncated]";

/// `name` as it is kept: names longer than [`MAX_NAME_LEN`] bytes are cut at a character
/// boundary and marked with [`TRUNCATED_MARKER`]. Two names that differ only past the cut are
/// kept as one.
pub fn bounded_name(name: &str) -> Cow<'_, str> {
    if name.len() <= MAX_NAME_LEN {
        return Cow::Borrowed(name);
    }
    let mut end = MAX_NAME_LEN;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{TRUNCATED_MARKER}", &name[..end]))
}

/// More goroutines than any Go process can hold: each needs at least a 2 KiB stack, so 2^40
/// of them would take 2 PiB. A profile claiming more is rejected; this also keeps every sum
/// of counts over profiles far from overflowing.
pub const MAX_GOROUTINES: u64 = 1 << 40;

/// Adds goroutine counts, or says that the profile claims impossibly many.
pub(crate) fn add_goroutines(total: u64, count: u64) -> Result<u64, ProfileError> {
    match total.checked_add(count) {
        Some(sum) if sum <= MAX_GOROUTINES => Ok(sum),
        _ => Err(ProfileError::Malformed(format!(
            "goroutine counts add up to more than {MAX_GOROUTINES}, more than any Go process can hold"
        ))),
    }
}

/// What was wrong with one profile. The caller adds the file name.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
    #[error("the file is empty")]
    Empty,
    #[error("truncated or corrupt gzip stream: {0}")]
    Gzip(io::Error),
    #[error(
        "is larger than {limit} bytes once decompressed; raise --max-decompressed-size if the profile is genuine"
    )]
    TooLarge { limit: u64 },
    #[error(
        "needs more than {limit} bytes of memory to decode ({what}), out of proportion to its size; raise --max-decompressed-size if the profile is genuine"
    )]
    OutOfBudget { limit: u64, what: &'static str },
    #[error("{0}")]
    Malformed(String),
}

/// A read that failed, or found the run's budget taken by other reads and may be retried
/// alone.
#[derive(Debug)]
pub(crate) enum Failure {
    Profile(ProfileError),
    Busy,
}

impl From<ProfileError> for Failure {
    fn from(error: ProfileError) -> Failure {
        Failure::Profile(error)
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Failure {
        Failure::Profile(ProfileError::Io(error))
    }
}

/// Limits applied while reading untrusted profiles.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The run's memory budget (`--max-decompressed-size`), shared by every read made with
    /// these options or their clones. It caps the inflated size of each gzipped profile, and
    /// the bytes that protobuf profiles read at the same time hold together (a protobuf is
    /// decoded in memory). Plain text dumps are streamed: they are not capped.
    pub budget: Arc<InflateBudget>,
}

impl ReadOptions {
    /// Options with a budget of `max_decompressed_size` bytes for the run.
    pub fn new(max_decompressed_size: u64) -> ReadOptions {
        ReadOptions {
            budget: Arc::new(InflateBudget::new(max_decompressed_size)),
        }
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions::new(1 << 30)
    }
}

/// What a profile said about itself once read.
#[derive(Clone, Debug)]
pub struct ProfileInfo {
    pub format: Format,
    /// All goroutines in the profile, blocked on channels or not.
    pub goroutines: u64,
    /// Wall-clock time the profile was taken (pprof `time_nanos`), when it says.
    pub time_nanos: Option<i64>,
    /// Problems that did not stop the read, e.g. a dump cut off at 64 MiB.
    pub warnings: Vec<String>,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// How much of the start of a profile is looked at to tell its format.
const SNIFF_LEN: u64 = 8 << 10;

/// Reads one profile file, feeding its samples to `sink`.
///
/// Reads run side by side on the budget of `options`; a read that finds the budget held by
/// others is retried alone (the file is opened again), so whether a file is accepted never
/// depends on what was read beside it. On error the sink may have seen some samples already;
/// callers aggregate into a per-profile sink and discard it when this fails.
pub fn read_file(
    path: &Path,
    options: &ReadOptions,
    sink: &mut dyn SampleSink,
) -> Result<ProfileInfo, ProfileError> {
    let budget = options.budget.as_ref();
    let open = || -> Result<_, ProfileError> {
        Ok(BufReader::with_capacity(256 << 10, File::open(path)?))
    };
    {
        let _beside_others = budget.shared();
        match read_once(open()?, budget, sink) {
            Err(Failure::Busy) => {}
            Err(Failure::Profile(error)) => return Err(error),
            Ok(info) => return Ok(info),
        }
    }
    let _alone = budget.alone();
    finish_alone(read_once(open()?, budget, sink), budget)
}

/// Reads one profile from any reader; see [`read_file`]. A stream cannot be read twice, so
/// this read takes the budget for itself: it waits for reads in progress and holds off others.
pub fn read(
    reader: impl Read,
    options: &ReadOptions,
    sink: &mut dyn SampleSink,
) -> Result<ProfileInfo, ProfileError> {
    let budget = options.budget.as_ref();
    let _alone = budget.alone();
    finish_alone(read_once(reader, budget, sink), budget)
}

/// A read that ran alone cannot have found the budget busy; if it did, the profile did not
/// fit in the budget on its own.
fn finish_alone(
    result: Result<ProfileInfo, Failure>,
    budget: &InflateBudget,
) -> Result<ProfileInfo, ProfileError> {
    result.map_err(|failure| match failure {
        Failure::Profile(error) => error,
        Failure::Busy => ProfileError::TooLarge {
            limit: budget.limit(),
        },
    })
}

fn read_once(
    mut reader: impl Read,
    budget: &InflateBudget,
    sink: &mut dyn SampleSink,
) -> Result<ProfileInfo, Failure> {
    let mut magic = [0u8; 2];
    let got = blocks::read_full(&mut reader, &mut magic)?;
    if got == 0 {
        return Err(ProfileError::Empty.into());
    }
    let start = io::Cursor::new(magic[..got].to_vec()).chain(reader);
    let limit = budget.limit();
    let mut guarded = Guarded {
        inner: sink,
        limit,
        exceeded: false,
    };
    // Inflated output is capped (gzip bombs); a protobuf, decoded in memory, is charged to
    // the budget. Plain text is streamed and needs no cap.
    let result = if magic[..got] == GZIP_MAGIC {
        let inflated = GzipErrors(flate2::read::MultiGzDecoder::new(start));
        let capped = Capped {
            inner: inflated,
            remaining: limit,
        };
        read_decoded(capped, budget, &mut guarded)
    } else {
        read_decoded(start, budget, &mut guarded)
    };
    let info = result.map_err(|failure| match failure {
        Failure::Profile(ProfileError::Io(error)) => {
            Failure::Profile(classify_io_error(error, limit))
        }
        other => other,
    })?;
    if guarded.exceeded {
        return Err(ProfileError::OutOfBudget {
            limit,
            what: "the names and stacks of its places",
        }
        .into());
    }
    Ok(info)
}

/// Stops handing samples to a sink that keeps more than the budget; the read then fails.
struct Guarded<'s> {
    inner: &'s mut dyn SampleSink,
    limit: u64,
    exceeded: bool,
}

impl SampleSink for Guarded<'_> {
    fn sample(&mut self, sample: &Sample<'_>) {
        if self.exceeded {
            return;
        }
        self.inner.sample(sample);
        self.exceeded = self.inner.kept_bytes() > self.limit;
    }

    fn kept_bytes(&self) -> u64 {
        self.inner.kept_bytes()
    }
}

fn read_decoded(
    mut reader: impl Read,
    budget: &InflateBudget,
    sink: &mut dyn SampleSink,
) -> Result<ProfileInfo, Failure> {
    let mut head = Vec::with_capacity(SNIFF_LEN as usize);
    reader.by_ref().take(SNIFF_LEN).read_to_end(&mut head)?;
    if head.is_empty() {
        return Err(ProfileError::Empty.into());
    }
    let kind = sniff(&head)?;
    let mut whole = io::Cursor::new(head).chain(reader);
    let info = match kind {
        Sniffed::Protobuf => {
            let mut charge = budget.charge();
            let data = read_charged(whole, &mut charge, budget.limit())?;
            let info = pprof::read(&data, &mut charge, sink)?;
            ProfileInfo {
                format: info.format,
                goroutines: info.goroutines,
                time_nanos: info.time_nanos,
                warnings: info.warnings,
            }
        }
        Sniffed::Debug1 { leak } => debug1::read(&mut whole, leak, sink)?,
        Sniffed::Debug2 => debug2::read(&mut whole, sink)?,
    };
    if info.goroutines == 0 && info.format == Format::Debug2 {
        return Err(ProfileError::Malformed(
            "no goroutine stacks found: expected a pprof goroutine profile or a debug=1 or debug=2 goroutine dump".into(),
        )
        .into());
    }
    Ok(info)
}

/// Reads all of `reader` into memory, charging the buffer to the budget as it grows.
fn read_charged(
    mut reader: impl Read,
    charge: &mut Charge<'_>,
    limit: u64,
) -> Result<Vec<u8>, Failure> {
    let mut data: Vec<u8> = Vec::new();
    let mut len = 0;
    loop {
        if len == data.len() {
            let room = limit.saturating_sub(len as u64);
            if room == 0 {
                // One byte more tells a profile of exactly the limit from a larger one.
                let mut probe = [0u8; 1];
                if blocks::read_full(&mut reader, &mut probe)? == 0 {
                    break;
                }
                return Err(ProfileError::TooLarge { limit }.into());
            }
            let grow = usize::try_from(room)
                .unwrap_or(usize::MAX)
                .min(data.len().max(256 << 10));
            charge
                .grow(grow as u64)
                .map_err(|exhausted| match exhausted {
                    Exhausted::TooLarge => Failure::Profile(ProfileError::TooLarge { limit }),
                    Exhausted::Busy => Failure::Busy,
                })?;
            data.resize(len + grow, 0);
        }
        match reader.read(&mut data[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error.into()),
        }
    }
    // What was grown but not filled goes back to the budget, for the tables.
    let grown = data.len();
    data.truncate(len);
    data.shrink_to_fit();
    charge.shrink((grown - data.capacity().min(grown)) as u64);
    Ok(data)
}

enum Sniffed {
    Protobuf,
    Debug1 { leak: bool },
    Debug2,
}

fn sniff(head: &[u8]) -> Result<Sniffed, ProfileError> {
    // A dump opens with `goroutine `; a protobuf cannot (`g` is wire type 7, which does not
    // exist), so control characters in a function name further on do not make it binary.
    let text = head.starts_with(b"goroutine ")
        || head
            .iter()
            .all(|&byte| byte >= 0x20 || byte == b'\n' || byte == b'\t' || byte == b'\r');
    if !text {
        return Ok(Sniffed::Protobuf);
    }
    let first_line = head.split(|&byte| byte == b'\n').next().unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line);
    if first_line.starts_with("goroutine profile: total ") {
        return Ok(Sniffed::Debug1 { leak: false });
    }
    if first_line.starts_with("goroutineleak profile: total ") {
        return Ok(Sniffed::Debug1 { leak: true });
    }
    // Other text profiles: `heap profile: 1: 2 [3: 4] @ heap/1048576`, `mutex profile: …`.
    if let Some((name, _)) = first_line.split_once(" profile: ").filter(|(name, _)| {
        !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_alphanumeric())
    }) {
        return Err(ProfileError::Malformed(format!(
            "a {name} profile, not a goroutine profile"
        )));
    }
    Ok(Sniffed::Debug2)
}

/// Marks an I/O error raised because the size cap was hit.
#[derive(Debug, thiserror::Error)]
#[error("size limit exceeded")]
struct SizeLimitExceeded;

/// Marks an I/O error raised by the gzip decoder.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct GzipFailure(io::Error);

fn classify_io_error(error: io::Error, limit: u64) -> ProfileError {
    let kind = error.kind();
    if error.get_ref().is_none() {
        return ProfileError::Io(error);
    }
    let Some(inner) = error.into_inner() else {
        return ProfileError::Io(io::Error::from(kind));
    };
    let inner = match inner.downcast::<GzipFailure>() {
        Ok(gzip) => return ProfileError::Gzip(gzip.0),
        Err(inner) => inner,
    };
    match inner.downcast::<SizeLimitExceeded>() {
        Ok(_) => ProfileError::TooLarge { limit },
        Err(inner) => ProfileError::Io(io::Error::new(kind, inner)),
    }
}

/// Tags every error of the gzip decoder, so a truncated stream is told from a failing disk.
struct GzipErrors<R>(R);

impl<R: Read> Read for GzipErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0
            .read(buf)
            .map_err(|error| io::Error::other(GzipFailure(error)))
    }
}

/// A reader that fails once more than its limit came out of it: the guard against gzip bombs
/// and hostile sizes.
struct Capped<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            // One byte more tells a stream of exactly the limit from a larger one.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(SizeLimitExceeded)),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        for (text, expected) in [
            (r#"{"pattern":"nil"}"#, vec![("pattern", "nil")]),
            (
                r#"{"a": "x", "b": "y, z"}"#,
                vec![("a", "x"), ("b", "y, z")],
            ),
            (r#"{"q": "say \"hi\""}"#, vec![("q", r#"say \"hi\""#)]),
            ("{pattern: nil}", vec![("pattern", "nil")]),
            ("{a: x, b: y}", vec![("a", "x"), ("b", "y")]),
            ("{}", vec![]),
            (r#"{"dangling"#, vec![]),
        ] {
            assert_eq!(parse_labels(text), expected, "{text}");
        }
    }
}
