//! `leakprof collect`: fetches goroutine profiles from running Go services at an interval and
//! stores them as `OUT/<target>/goroutine-<time>.pb.gz`, for `report` to read later.
//!
//! It asks for the debug=0 profile (gzipped pprof): Go builds it without stopping the world for
//! the whole dump, as debug=2 does. The HTTP client is the few lines of HTTP/1.1 a pprof
//! endpoint needs, over a std `TcpStream` (plain http only, no TLS, no crate): one GET per
//! connection, bodies framed by Content-Length, chunked or the end of the connection, every
//! request bounded by `--timeout` and `--max-size`. Targets are fetched in parallel within a
//! round, so a slow one does not delay the snapshots of the others, and rounds start
//! `--interval` apart.
//!
//! Exit codes: 2 for bad arguments (before anything is fetched), when the first round gets a
//! profile from no target (with one target: it is unreachable, and the message names its URL),
//! or when a profile cannot be written; 0 otherwise. After the first round a target that fails
//! is a warning and the run carries on, so that a restart of one service does not throw away
//! hours of collection.

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cli::CollectArgs;
use crate::date::Date;
use crate::{EXIT_CLEAN, EXIT_ERROR};

/// The pprof path a URL without one gets.
const DEFAULT_BASE_PATH: &str = "/debug/pprof/";
/// The status line and headers of a response may not be longer than this.
const MAX_HEAD: usize = 64 * 1024;
/// Nor may a chunk-size line.
const MAX_CHUNK_LINE: usize = 4096;
/// Help sentences that end several messages.
const BASE_URL_HELP: &str = "give the pprof base URL, such as http://10.0.0.7:6060/debug/pprof/";
const HTTPS_HELP: &str = "reach the endpoint over http (e.g. through `kubectl port-forward`)";
const AUTH_HELP: &str =
    "put the Authorization header's value in an environment variable and name it with --auth-env";
/// Targets fetched at the same time.
const PARALLEL: usize = 16;
/// The profile every round takes.
const GOROUTINE: &str = "goroutine";
/// The profile `--leak-every` adds (Go 1.26+): goroutines the GC proved leaked.
const GOROUTINE_LEAK: &str = "goroutineleak";

/// Errors that stop the whole run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("--url {url}: {problem}")]
    Url { url: String, problem: String },
    #[error(
        "--url {first} and --url {second} both go to the folder {folder}; give each target once"
    )]
    SameFolder {
        first: String,
        second: String,
        folder: String,
    },
    #[error("--auth-env {var}: {problem}")]
    Auth { var: String, problem: &'static str },
    #[error("--count must be at least 1")]
    NoRounds,
    #[error("--timeout must be more than 0")]
    ZeroTimeout,
    #[error("--interval times --count, or --timeout, is too long")]
    TooLong,
    #[error("cannot create the output folder {path}: {source}")]
    OutDir { path: PathBuf, source: io::Error },
    #[error(
        "cannot write a profile into {path}: {source}; check the space and permissions of --out"
    )]
    Write { path: PathBuf, source: io::Error },
    /// The first round got nothing from any target.
    #[error("{}", describe_no_answer(.0))]
    NoAnswer(Vec<Failure>),
}

fn describe_no_answer(failures: &[Failure]) -> String {
    match failures {
        [only] => format!("{only}"),
        _ => failures.iter().fold(
            "no target answered in the first round:".to_string(),
            |text, failure| format!("{text}\n  {failure}"),
        ),
    }
}

/// Why one request failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot resolve {host}: {source}")]
    Resolve { host: String, source: io::Error },
    #[error("cannot connect to {address}: {source}")]
    Connect { address: String, source: io::Error },
    #[error("timed out; raise --timeout if the target is slow to answer")]
    TimedOut,
    #[error("{0}")]
    Io(io::Error),
    #[error("the server answered `{line}`{}", status_help(*.code))]
    Status { code: u16, line: String },
    #[error("the response is larger than --max-size ({max} bytes)")]
    TooLarge { max: u64 },
    #[error("malformed HTTP response: {0}")]
    Malformed(String),
    #[error(
        "the body is not a gzipped pprof profile (it starts with {0}); is the URL the pprof base, \
         such as http://host:6060/debug/pprof/?"
    )]
    NotGzip(String),
}

fn status_help(code: u16) -> &'static str {
    match code {
        401 | 403 => "; does the endpoint need --auth-env?",
        404 => "; is the URL the pprof base, such as http://host:6060/debug/pprof/?",
        _ => "",
    }
}

impl From<io::Error> for FetchError {
    fn from(error: io::Error) -> FetchError {
        match error.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => FetchError::TimedOut,
            _ => FetchError::Io(error),
        }
    }
}

impl FetchError {
    /// Whether trying again may help: the network and overloaded servers, not a wrong URL or
    /// a profile that is too large.
    fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { code, .. } => *code == 429 || *code >= 500,
            FetchError::TooLarge { .. } | FetchError::NotGzip(_) => false,
            _ => true,
        }
    }
}

/// A request that failed on every attempt.
#[derive(Debug)]
pub struct Failure {
    profile: &'static str,
    url: String,
    error: FetchError,
    attempts: u32,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.url, self.error)?;
        if self.attempts > 1 {
            write!(f, " (gave up after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

/// Runs `leakprof collect` and returns the exit code.
pub fn run(args: &CollectArgs, _stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    match collect(args, stderr) {
        Ok(()) => EXIT_CLEAN,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            EXIT_ERROR
        }
    }
}

fn collect(args: &CollectArgs, stderr: &mut dyn Write) -> Result<(), CollectError> {
    let targets = parse_targets(&args.urls)?;
    let authorization = authorization(args.auth_env.as_deref())?;
    if args.count == 0 {
        return Err(CollectError::NoRounds);
    }
    let start = Instant::now();
    let wall_start = SystemTime::now();
    if args.timeout.is_zero() {
        return Err(CollectError::ZeroTimeout);
    }
    let fits = |span: Duration| start.checked_add(span).and(wall_start.checked_add(span));
    let whole_run = args.interval.checked_mul(args.count);
    if whole_run.and_then(fits).and(fits(args.timeout)).is_none() {
        return Err(CollectError::TooLong);
    }
    fs::create_dir_all(&args.out).map_err(|source| CollectError::OutDir {
        path: args.out.clone(),
        source,
    })?;
    let client = Client {
        timeout: args.timeout,
        max_size: args.max_size,
        authorization,
    };
    let retry = Retry {
        attempts: args.retries.max(1),
        base: base_delay(args.timeout, args.interval),
    };
    let mut progress = Progress::new(&targets, args);
    let mut warned_late = false;

    for round in 1..=args.count {
        let scheduled = args.interval * (round - 1);
        let due = start + scheduled;
        let now = Instant::now();
        let late = now.saturating_duration_since(due);
        if due > now {
            std::thread::sleep(due - now);
        } else if late > Duration::from_millis(100) && !warned_late {
            warned_late = true;
            let _ = writeln!(
                stderr,
                "warning: round {round}/{} starts {} late: rounds take longer than \
                 --interval, so they now run back to back",
                args.count,
                format_elapsed(late)
            );
        }
        // Names follow the schedule, so rounds `--interval` apart never share a second;
        // a late round is named by when it really starts.
        let offset = if late > Duration::from_secs(1) {
            start.elapsed()
        } else {
            scheduled
        };
        let leak_round = args.leak_every > 0 && (round - 1) % args.leak_every == 0;
        let plans: Vec<Plan> = targets
            .iter()
            .zip(&progress.ask_leak)
            .map(|(target, &ask)| Plan {
                target,
                leak: leak_round && ask,
            })
            .collect();
        let shared = Round {
            client: &client,
            retry,
            out: &args.out,
            stamp: stamp(wall_start + offset),
        };
        let results = fetch_round(&shared, &plans);
        progress.record(round, results, stderr)?;
    }
    let _ = writeln!(stderr, "{}", progress.summary(&args.out));
    Ok(())
}

/// What the run has got from each target so far, and the lines that tell it on stderr.
struct Progress<'a> {
    targets: &'a [Target],
    count: u32,
    /// Still ask for goroutineleak (false once a target answered 404, or without
    /// `--leak-every`).
    ask_leak: Vec<bool>,
    answered: Vec<bool>,
    /// Failing since the last warning: a target that keeps failing is warned about once.
    failing: Vec<bool>,
    saved: usize,
    failed: usize,
}

impl<'a> Progress<'a> {
    fn new(targets: &'a [Target], args: &CollectArgs) -> Progress<'a> {
        Progress {
            targets,
            count: args.count,
            ask_leak: vec![args.leak_every > 0; targets.len()],
            answered: vec![false; targets.len()],
            failing: vec![false; targets.len()],
            saved: 0,
            failed: 0,
        }
    }

    /// Takes in a round's outcomes (in the order of the targets). Fails the run when the
    /// first round got nothing, or a profile could not be written.
    fn record(
        &mut self,
        round: u32,
        results: Vec<Vec<Fetch>>,
        stderr: &mut dyn Write,
    ) -> Result<(), CollectError> {
        let count = self.count;
        let mut failures = Vec::new();
        let mut answered = false;
        for (index, fetches) in results.into_iter().enumerate() {
            for fetch in fetches {
                match fetch {
                    Fetch::Saved {
                        profile,
                        bytes,
                        elapsed,
                        attempts,
                    } => {
                        self.saved += 1;
                        let retried = match attempts {
                            1 => String::new(),
                            _ => format!(" ({attempts} attempts)"),
                        };
                        let _ = writeln!(
                            stderr,
                            "round {round}/{count} {} {profile} {} in {}{retried}",
                            self.targets[index].label(),
                            format_size(bytes),
                            format_elapsed(elapsed),
                        );
                        if profile != GOROUTINE {
                            continue;
                        }
                        answered = true;
                        self.answered[index] = true;
                        if std::mem::take(&mut self.failing[index]) {
                            let _ = writeln!(
                                stderr,
                                "note: round {round}/{count}: {} answers again",
                                self.targets[index].url("")
                            );
                        }
                    }
                    Fetch::Failed(failure) => failures.push((index, failure)),
                    Fetch::NoLeakProfile { url } => {
                        self.ask_leak[index] = false;
                        let _ = writeln!(
                            stderr,
                            "note: {url}: 404: the target has no goroutineleak profile (Go < \
                             1.26, or 1.26 built without GOEXPERIMENT=goroutineleakprofile); \
                             not asking it again"
                        );
                    }
                    Fetch::WriteFailed(error) => return Err(error),
                }
            }
        }
        if round == 1 && !answered {
            let failures = failures.into_iter().map(|(_, failure)| failure);
            return Err(CollectError::NoAnswer(failures.collect()));
        }
        self.failed += failures.len();
        for (index, failure) in failures {
            // goroutineleak is asked for seldom enough to warn every time.
            let streak = failure.profile == GOROUTINE;
            if streak && std::mem::replace(&mut self.failing[index], true) {
                continue;
            }
            let more = if streak && round < count {
                "; not repeated until it answers again"
            } else {
                ""
            };
            let _ = writeln!(stderr, "warning: round {round}/{count}: {failure}{more}");
        }
        Ok(())
    }

    /// The last line: what was collected, and what failed.
    fn summary(&self, out: &Path) -> String {
        let mut summary = format!(
            "collected {} profile{} into {} in {} round{}",
            self.saved,
            plural(self.saved),
            out.display(),
            self.count,
            plural(self.count as usize),
        );
        if self.failed > 0 {
            summary.push_str(&format!(
                "; {} request{} failed",
                self.failed,
                plural(self.failed)
            ));
        }
        let silent = self.answered.iter().filter(|answered| !**answered).count();
        if silent > 0 {
            summary.push_str(&format!(
                "; {silent} of {} targets never answered",
                self.targets.len()
            ));
        }
        summary
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Parses every `--url` and checks that no two share a folder.
fn parse_targets(urls: &[String]) -> Result<Vec<Target>, CollectError> {
    let mut targets: Vec<Target> = Vec::with_capacity(urls.len());
    for url in urls {
        let target = Target::parse(url).map_err(|problem| CollectError::Url {
            url: url.clone(),
            problem,
        })?;
        if let Some(earlier) = targets.iter().find(|t| t.folder() == target.folder()) {
            return Err(CollectError::SameFolder {
                first: earlier.url(""),
                second: target.url(""),
                folder: target.folder(),
            });
        }
        targets.push(target);
    }
    Ok(targets)
}

/// The Authorization header's value from the variable `--auth-env` names. The value is never
/// printed, not even in errors.
fn authorization(var: Option<&str>) -> Result<Option<String>, CollectError> {
    let Some(var) = var else {
        return Ok(None);
    };
    let bad = |problem| CollectError::Auth {
        var: var.to_string(),
        problem,
    };
    let value = match std::env::var(var) {
        Ok(value) => value,
        Err(std::env::VarError::NotPresent) => {
            return Err(bad("the environment variable is not set"));
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(bad("the environment variable is not valid UTF-8"));
        }
    };
    let value = value.trim();
    if value.is_empty() {
        return Err(bad("the environment variable is empty"));
    }
    if value.chars().any(char::is_control) {
        return Err(bad(
            "the value holds a control character (a line break?), which cannot go in a header",
        ));
    }
    Ok(Some(value.to_string()))
}

/// One `--url`: a Go service's pprof endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// A host name or IP address; an IPv6 address without its brackets.
    pub host: String,
    /// 80 when the URL has none.
    pub port: u16,
    /// Starts and ends with `/`, e.g. `/debug/pprof/`.
    pub base_path: String,
}

impl Target {
    /// Parses `http://HOST[:PORT][/PATH]`. Without a path (or with `/`) the target gets
    /// `/debug/pprof/`; a path without a trailing `/` gets one.
    pub fn parse(text: &str) -> Result<Target, String> {
        let text = text.trim();
        let scheme_end = text.find("://").unwrap_or(0);
        let scheme = text[..scheme_end].to_ascii_lowercase();
        if scheme == "https" {
            return Err(format!(
                "https is not supported: leakprof speaks plain http only; {HTTPS_HELP}"
            ));
        }
        if scheme != "http" {
            return Err(format!("not an http:// URL; {BASE_URL_HELP}"));
        }
        let rest = &text[scheme_end + 3..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(format!("credentials in the URL are not sent; {AUTH_HELP}"));
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let Some((host, after)) = bracketed.split_once(']') else {
                return Err("an IPv6 address lacks its closing `]`".into());
            };
            if host.is_empty()
                || !host
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || ":.".contains(c))
            {
                return Err(format!("{host:?} is not an IPv6 address"));
            }
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => return Err(format!("unexpected {after:?} after the IPv6 address")),
                },
            }
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err("the URL has no host".into());
        }
        let host_char = |c: char| c.is_ascii_alphanumeric() || "-._:".contains(c);
        if !host.chars().all(host_char) {
            return Err(format!("{host:?} is not a host name or IP address"));
        }
        let port = match port {
            None => 80,
            Some(text) => match text.parse::<u16>() {
                Ok(port) if port > 0 && text.bytes().all(|b| b.is_ascii_digit()) => port,
                _ => return Err(format!("{text:?} is not a port number")),
            },
        };
        if path.contains(['?', '#']) {
            return Err(format!("the URL has a query or fragment; {BASE_URL_HELP}"));
        }
        if !path.chars().all(|c| c.is_ascii_graphic()) {
            return Err(
                "the path holds spaces, control or non-ASCII characters; percent-encode \
                        them"
                    .into(),
            );
        }
        let base_path = match path {
            "" | "/" => DEFAULT_BASE_PATH.to_string(),
            _ if path.ends_with('/') => path.to_string(),
            _ => format!("{path}/"),
        };
        Ok(Target {
            host: host.to_ascii_lowercase(),
            port,
            base_path,
        })
    }

    /// `host:port`, with brackets around an IPv6 address: the Host header, and how progress
    /// lines name the target.
    pub fn label(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The URL of one profile (`""` for the base URL).
    pub fn url(&self, profile: &str) -> String {
        format!("http://{}{}{profile}", self.label(), self.base_path)
    }

    /// The target's folder under `--out`: host and port made safe for any file system
    /// (`10.0.0.7_6060`), and the path when it is not `/debug/pprof/`.
    pub fn folder(&self) -> String {
        let safe = |c: char| {
            if c.is_ascii_alphanumeric() || "-.".contains(c) {
                c
            } else {
                '_'
            }
        };
        let mut name: String = self.host.chars().map(safe).collect();
        name.push_str(&format!("_{}", self.port));
        if self.base_path != DEFAULT_BASE_PATH {
            name.push('_');
            name.extend(self.base_path.trim_matches('/').chars().map(safe));
        }
        name
    }
}

/// What every request of a run sends and accepts.
struct Client {
    timeout: Duration,
    max_size: u64,
    authorization: Option<String>,
}

impl Client {
    /// One GET of one profile: the whole body, or why not.
    fn get(&self, target: &Target, profile: &str) -> Result<Vec<u8>, FetchError> {
        let deadline = Instant::now() + self.timeout;
        let stream = connect(target, self.timeout)?;
        stream.set_write_timeout(Some(self.timeout))?;
        let mut request = format!(
            "GET {}{profile} HTTP/1.1\r\nHost: {}\r\nUser-Agent: leakprof/{}\r\n\
             Accept-Encoding: identity\r\nConnection: close\r\n",
            target.base_path,
            target.label(),
            env!("CARGO_PKG_VERSION"),
        );
        if let Some(value) = &self.authorization {
            request.push_str(&format!("Authorization: {value}\r\n"));
        }
        request.push_str("\r\n");
        (&stream).write_all(request.as_bytes())?;
        let mut reader = BufReader::with_capacity(64 * 1024, Deadline { stream, deadline });
        read_response(&mut reader, self.max_size)
    }
}

/// Connects to the first address of the target that answers within `timeout`.
fn connect(target: &Target, timeout: Duration) -> Result<TcpStream, FetchError> {
    let addresses = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|source| FetchError::Resolve {
            host: target.host.clone(),
            source,
        })?;
    let mut last = None;
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = Some((address, error)),
        }
    }
    Err(match last {
        Some((address, source)) => FetchError::Connect {
            address: address.to_string(),
            source,
        },
        None => FetchError::Resolve {
            host: target.host.clone(),
            source: io::Error::new(io::ErrorKind::NotFound, "no address"),
        },
    })
}

/// A stream whose reads fail once the request's deadline has passed, so that a server
/// trickling bytes cannot hold a round for longer than `--timeout`.
struct Deadline {
    stream: TcpStream,
    deadline: Instant,
}

impl Read for Deadline {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// Reads a response to a GET: skips interim 1xx responses, fails on any status but 200, and
/// returns the body, at most `max_size` bytes.
fn read_response(reader: &mut impl BufRead, max_size: u64) -> Result<Vec<u8>, FetchError> {
    let head = loop {
        let head = read_head(reader)?;
        if !(100..200).contains(&head.status) {
            break head;
        }
    };
    if head.status != 200 {
        return Err(FetchError::Status {
            code: head.status,
            line: head.status_line,
        });
    }
    match framing(&head)? {
        Framing::Length(length) => {
            if length > max_size {
                return Err(FetchError::TooLarge { max: max_size });
            }
            let mut body = Vec::with_capacity(length.min(1 << 20) as usize);
            reader.take(length).read_to_end(&mut body)?;
            if (body.len() as u64) < length {
                return Err(FetchError::Malformed(format!(
                    "the connection closed after {} of {length} bytes",
                    body.len()
                )));
            }
            Ok(body)
        }
        Framing::UntilClose => {
            let mut body = Vec::new();
            reader.take(max_size + 1).read_to_end(&mut body)?;
            if body.len() as u64 > max_size {
                return Err(FetchError::TooLarge { max: max_size });
            }
            Ok(body)
        }
        Framing::Chunked => read_chunked(reader, max_size),
    }
}

/// A response's status line and headers.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    status: u16,
    /// For messages, e.g. `HTTP/1.1 404 Not Found`.
    status_line: String,
    /// Names as sent; look them up with [`Head::values`].
    headers: Vec<(String, String)>,
}

impl Head {
    /// Every value of a header, in order (names compare without case).
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Reads and parses the status line and headers, up to the blank line.
fn read_head(reader: &mut impl BufRead) -> Result<Head, FetchError> {
    let mut budget = MAX_HEAD;
    let Some(status_line) = read_line(reader, &mut budget, "the status line")? else {
        return Err(FetchError::Malformed(
            "the server closed the connection without answering".into(),
        ));
    };
    let mut lines = vec![status_line];
    loop {
        match read_line(reader, &mut budget, "the headers")? {
            Some(line) if line.is_empty() => break,
            Some(line) => lines.push(line),
            None => {
                return Err(FetchError::Malformed(
                    "the connection closed in the middle of the headers".into(),
                ));
            }
        }
    }
    parse_head(&lines).map_err(FetchError::Malformed)
}

/// Parses a status line and header lines (without their line ends).
fn parse_head(lines: &[String]) -> Result<Head, String> {
    let status_line = lines.first().map(String::as_str).unwrap_or("");
    let shown: String = status_line.chars().take(200).collect();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    let status = match code.parse::<u16>() {
        Ok(status) if version.starts_with("HTTP/1.") && code.len() == 3 => status,
        _ => return Err(format!("{shown:?} is not an HTTP/1.x status line")),
    };
    let mut headers = Vec::new();
    for line in &lines[1..] {
        // A folded continuation line (obsolete) adds nothing this client needs.
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!(
                "the header line {:?} has no `:`",
                line.chars().take(200).collect::<String>()
            ));
        };
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(format!("{name:?} is not a header name"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Head {
        status,
        status_line: shown.trim_end().to_string(),
        headers,
    })
}

/// How the body of a response ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

/// The body's framing from the headers (RFC 9112 §6.3): chunked wins over a length.
fn framing(head: &Head) -> Result<Framing, FetchError> {
    let codings: Vec<&str> = head
        .values("transfer-encoding")
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|coding| !coding.is_empty())
        .collect();
    if let Some(other) = codings.iter().find(|coding| {
        !coding.eq_ignore_ascii_case("chunked") && !coding.eq_ignore_ascii_case("identity")
    }) {
        return Err(FetchError::Malformed(format!(
            "unsupported transfer coding {other:?}"
        )));
    }
    if codings
        .iter()
        .any(|coding| coding.eq_ignore_ascii_case("chunked"))
    {
        return Ok(Framing::Chunked);
    }
    let mut length = None;
    for value in head.values("content-length").flat_map(|v| v.split(',')) {
        let value = value.trim();
        let parsed = value
            .parse::<u64>()
            .ok()
            .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| FetchError::Malformed(format!("bad Content-Length {value:?}")))?;
        if length.is_some_and(|earlier| earlier != parsed) {
            return Err(FetchError::Malformed(
                "conflicting Content-Length headers".into(),
            ));
        }
        length = Some(parsed);
    }
    Ok(length.map_or(Framing::UntilClose, Framing::Length))
}

/// Decodes a chunked body (trailers are read and dropped).
fn read_chunked(reader: &mut impl BufRead, max_size: u64) -> Result<Vec<u8>, FetchError> {
    let truncated =
        || FetchError::Malformed("the connection closed in the middle of a chunk".into());
    let mut body = Vec::new();
    loop {
        let mut budget = MAX_CHUNK_LINE;
        let line = read_line(reader, &mut budget, "a chunk size")?.ok_or_else(truncated)?;
        let digits = line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(digits, 16)
            .ok()
            .filter(|_| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                FetchError::Malformed(format!(
                    "bad chunk size {:?}",
                    line.chars().take(40).collect::<String>()
                ))
            })?;
        if size == 0 {
            let mut budget = MAX_HEAD;
            // Trailers, up to the blank line; a server that closes right away is forgiven.
            while let Some(trailer) = read_line(reader, &mut budget, "the trailers")? {
                if trailer.is_empty() {
                    break;
                }
            }
            return Ok(body);
        }
        if body.len() as u64 + size > max_size {
            return Err(FetchError::TooLarge { max: max_size });
        }
        let before = body.len();
        reader.take(size).read_to_end(&mut body)?;
        if ((body.len() - before) as u64) < size {
            return Err(truncated());
        }
        let mut budget = 2;
        match read_line(reader, &mut budget, "a chunk's end") {
            Ok(Some(end)) if end.is_empty() => {}
            Ok(None) => return Err(truncated()),
            Ok(Some(_)) | Err(FetchError::Malformed(_)) => {
                return Err(FetchError::Malformed(
                    "a chunk does not end where its size says".into(),
                ));
            }
            Err(error) => return Err(error),
        }
    }
}

/// Reads one line, without its `\n` or `\r\n`, spending at most `budget` bytes: `None` at the
/// end of the stream.
fn read_line(
    reader: &mut impl BufRead,
    budget: &mut usize,
    what: &str,
) -> Result<Option<String>, FetchError> {
    let mut line = Vec::new();
    reader.take(*budget as u64).read_until(b'\n', &mut line)?;
    *budget -= line.len();
    if line.is_empty() {
        return Ok(None);
    }
    if line.pop() != Some(b'\n') {
        return Err(FetchError::Malformed(if *budget == 0 {
            format!("{what} is too long")
        } else {
            format!("the connection closed in the middle of {what}")
        }));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

/// A debug=0 profile is gzipped protobuf; anything else (an HTML login page, a text dump)
/// means the URL is wrong.
fn check_gzip(body: &[u8]) -> Result<(), FetchError> {
    if body.starts_with(&[0x1f, 0x8b]) {
        return Ok(());
    }
    if body.is_empty() {
        return Err(FetchError::NotGzip("nothing: the body is empty".into()));
    }
    let start: String = String::from_utf8_lossy(&body[..body.len().min(40)])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Err(FetchError::NotGzip(format!("{start:?}")))
}

/// How often and how patiently to try a request.
#[derive(Clone, Copy, Debug)]
struct Retry {
    attempts: u32,
    base: Duration,
}

/// The first pause between attempts: 1 s, less when the timeout or the interval is short, so
/// that retries stay small beside them.
fn base_delay(timeout: Duration, interval: Duration) -> Duration {
    [Duration::from_secs(1), timeout / 10, interval / 10]
        .into_iter()
        .min()
        .unwrap_or_default()
        .max(Duration::from_millis(10))
}

/// The pause after failed attempt `attempt` (1-based): base, 2×, 4×, then 8× base.
fn backoff(base: Duration, attempt: u32) -> Duration {
    base * (1 << attempt.clamp(1, 4).saturating_sub(1))
}

/// Fetches one profile, retrying transient failures; returns the body (checked to be gzip)
/// and the attempts it took.
fn fetch(
    client: &Client,
    retry: Retry,
    target: &Target,
    profile: &str,
) -> (Result<Vec<u8>, FetchError>, u32) {
    let mut attempt = 1;
    loop {
        let result = client
            .get(target, profile)
            .and_then(|body| check_gzip(&body).map(|()| body));
        match result {
            Err(error) if attempt < retry.attempts && error.is_transient() => {
                std::thread::sleep(backoff(retry.base, attempt));
                attempt += 1;
            }
            result => return (result, attempt),
        }
    }
}

/// What is the same for every target in a round.
struct Round<'a> {
    client: &'a Client,
    retry: Retry,
    out: &'a Path,
    /// The round's time, `YYYYMMDDTHHMMSSZ`, in every file name it writes.
    stamp: String,
}

/// One target's part in a round.
struct Plan<'a> {
    target: &'a Target,
    /// Also ask for the goroutineleak profile.
    leak: bool,
}

/// The outcome of one profile request.
enum Fetch {
    Saved {
        profile: &'static str,
        bytes: usize,
        elapsed: Duration,
        attempts: u32,
    },
    Failed(Failure),
    /// The goroutineleak profile answered 404.
    NoLeakProfile {
        url: String,
    },
    WriteFailed(CollectError),
}

/// Fetches every target's profiles, at most [`PARALLEL`] targets at a time; the outcomes come
/// back in the order of `plans`, so the output does not depend on who answered first.
fn fetch_round(round: &Round, plans: &[Plan]) -> Vec<Vec<Fetch>> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Vec<Fetch>>> = plans.iter().map(|_| Mutex::default()).collect();
    let work = || {
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let (Some(plan), Some(slot)) = (plans.get(index), results.get(index)) else {
                break;
            };
            let fetches = fetch_target(round, plan);
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = fetches;
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..plans.len().min(PARALLEL) {
            // A thread that cannot be started leaves its share to the others.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
    results
        .into_iter()
        .map(|slot| slot.into_inner().unwrap_or_else(PoisonError::into_inner))
        .collect()
}

/// A target's goroutine profile, then its goroutineleak profile when the plan says so and the
/// first one came.
fn fetch_target(round: &Round, plan: &Plan) -> Vec<Fetch> {
    let first = fetch_and_save(round, plan.target, GOROUTINE);
    let answered = matches!(first, Fetch::Saved { .. });
    let mut fetches = vec![first];
    if answered && plan.leak {
        fetches.push(fetch_and_save(round, plan.target, GOROUTINE_LEAK));
    }
    fetches
}

fn fetch_and_save(round: &Round, target: &Target, profile: &'static str) -> Fetch {
    let started = Instant::now();
    let (result, attempts) = fetch(round.client, round.retry, target, profile);
    let elapsed = started.elapsed();
    let body = match result {
        Ok(body) => body,
        Err(FetchError::Status { code: 404, .. }) if profile == GOROUTINE_LEAK => {
            return Fetch::NoLeakProfile {
                url: target.url(profile),
            };
        }
        Err(error) => {
            return Fetch::Failed(Failure {
                profile,
                url: target.url(profile),
                error,
                attempts,
            });
        }
    };
    let dir = round.out.join(target.folder());
    match save(&dir, &format!("{profile}-{}", round.stamp), &body) {
        Ok(_) => Fetch::Saved {
            profile,
            bytes: body.len(),
            elapsed,
            attempts,
        },
        Err(source) => Fetch::WriteFailed(CollectError::Write { path: dir, source }),
    }
}

/// Writes `dir/<stem>.pb.gz` through a temporary file, so that a reader never sees half a
/// profile, and never replaces a file: a name that is taken gets `-2`, `-3`, …
fn save(dir: &Path, stem: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let temp = dir.join(format!(".{stem}.{}.partial", std::process::id()));
    fs::write(&temp, bytes)?;
    let result = place(&temp, dir, stem);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Gives the written temporary file its final name. A hard link fails when the name is taken,
/// where a rename would replace the file.
fn place(temp: &Path, dir: &Path, stem: &str) -> io::Result<PathBuf> {
    for n in 1..=1000 {
        let name = match n {
            1 => format!("{stem}.pb.gz"),
            _ => format!("{stem}-{n}.pb.gz"),
        };
        let path = dir.join(name);
        match fs::hard_link(temp, &path) {
            Ok(()) => {
                fs::remove_file(temp)?;
                return Ok(path);
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            // A file system without hard links: check, then rename.
            Err(_) if !path.exists() => {
                fs::rename(temp, &path)?;
                return Ok(path);
            }
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{stem}.pb.gz and 999 numbered variants exist"),
    ))
}

/// `YYYYMMDDTHHMMSSZ` in UTC.
fn stamp(time: SystemTime) -> String {
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs() as i64,
        Err(before) => -(before.duration().as_secs() as i64),
    };
    let date = Date::from_unix_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        date.year,
        date.month,
        date.day,
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// `812 B`, `45 KiB`, `3.2 MiB`.
fn format_size(bytes: usize) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{} KiB", (bytes + 512) / 1024),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// `12 ms`, `3.4 s`.
fn format_elapsed(elapsed: Duration) -> String {
    if elapsed < Duration::from_secs(1) {
        format!("{} ms", elapsed.as_millis())
    } else {
        format!("{:.1} s", elapsed.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Ok((host, port, URL of the goroutine profile, folder))` or `Err(part of the problem)`.
    type Parsed<'a> = Result<(&'a str, u16, &'a str, &'a str), &'a str>;

    fn check(text: &str, expected: Parsed) {
        match (Target::parse(text), expected) {
            (Ok(target), Ok(expected)) => {
                let got = (
                    target.host.as_str(),
                    target.port,
                    target.url(GOROUTINE),
                    target.folder(),
                );
                let expected = (
                    expected.0,
                    expected.1,
                    expected.2.to_string(),
                    expected.3.to_string(),
                );
                assert_eq!(got, expected, "{text}");
            }
            (Err(problem), Err(part)) => {
                assert!(problem.contains(part), "{text}: {problem:?} lacks {part:?}");
            }
            (got, expected) => panic!("{text}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn urls_and_folders() {
        let pprof = "http://10.0.0.7:6060/debug/pprof/goroutine";
        for (text, expected) in [
            (
                "http://10.0.0.7:6060/debug/pprof/",
                Ok(("10.0.0.7", 6060, pprof, "10.0.0.7_6060")),
            ),
            (
                "http://10.0.0.7:6060/debug/pprof",
                Ok(("10.0.0.7", 6060, pprof, "10.0.0.7_6060")),
            ),
            (
                " http://10.0.0.7:6060 ",
                Ok(("10.0.0.7", 6060, pprof, "10.0.0.7_6060")),
            ),
            (
                "HTTP://Svc.Example/",
                Ok((
                    "svc.example",
                    80,
                    "http://svc.example:80/debug/pprof/goroutine",
                    "svc.example_80",
                )),
            ),
            (
                "http://[::1]:6060/debug/pprof/",
                Ok((
                    "::1",
                    6060,
                    "http://[::1]:6060/debug/pprof/goroutine",
                    "__1_6060",
                )),
            ),
            (
                "http://api_1:8080/admin/debug/pprof/",
                Ok((
                    "api_1",
                    8080,
                    "http://api_1:8080/admin/debug/pprof/goroutine",
                    "api_1_8080_admin_debug_pprof",
                )),
            ),
            (
                "https://10.0.0.7:6060/debug/pprof/",
                Err("https is not supported"),
            ),
            ("ftp://10.0.0.7/", Err("not an http:// URL")),
            ("10.0.0.7:6060/debug/pprof/", Err("not an http:// URL")),
            ("http://", Err("no host")),
            ("http:///debug/pprof/", Err("no host")),
            ("http://:6060/debug/pprof/", Err("no host")),
            ("http://h:0/", Err("not a port")),
            ("http://h:99999/", Err("not a port")),
            ("http://h:/", Err("not a port")),
            ("http://h:+80/", Err("not a port")),
            ("http://h:1:2/", Err("not a port")),
            ("http://user:secret@h:6060/", Err("--auth-env")),
            ("http://h:6060/debug/pprof/?debug=2", Err("query")),
            ("http://h:6060?x", Err("query")),
            ("http://h a:6060/", Err("not a host name")),
            ("http://h\r\nX: y/", Err("not a host name")),
            ("http://[::1:6060/", Err("closing `]`")),
            ("http://[::1]x/", Err("after the IPv6 address")),
            ("http://[zz]:80/", Err("not an IPv6 address")),
            ("http://h:6060/debug pprof/", Err("spaces")),
        ] {
            check(text, expected);
        }
    }

    fn check_response(raw: &[u8], max_size: u64, expected: Result<&str, &str>) {
        let shown = String::from_utf8_lossy(raw);
        let got = read_response(&mut &raw[..], max_size);
        match (got, expected) {
            (Ok(body), Ok(expected)) => assert_eq!(body, expected.as_bytes(), "{shown:?}"),
            (Err(error), Err(part)) => {
                let message = error.to_string();
                assert!(
                    message.contains(part),
                    "{shown:?}: {message:?} lacks {part:?}"
                );
            }
            (got, expected) => panic!("{shown:?}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn responses() {
        let long_line = format!("HTTP/1.1 200 {}\r\n\r\n", "a".repeat(MAX_HEAD));
        let table: &[(&[u8], u64, Result<&str, &str>)] = &[
            // Content-Length
            (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 100, Ok("hello")),
            (b"HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\n\r\nhello", 100, Ok("he")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 5, Ok("hello")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5, Ok("")),
            (b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 5, Ok("ok")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", 5, Ok("ok")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello!", 5, Err("larger than --max-size (5 bytes)")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 100, Err("closed after 5 of 10 bytes")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", 100, Err("conflicting Content-Length")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 100, Err("bad Content-Length \"-1\"")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx", 100, Err("bad Content-Length")),
            // chunked
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
                100,
                Ok("hello world"),
            ),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", 10, Ok("0123456789")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n", 10, Ok("ok")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n", 10, Ok("ok")),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: identity, Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 10, Ok("ok")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 5, Err("larger than --max-size (5 bytes)")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 100, Err("middle of a chunk")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello", 100, Err("middle of a chunk")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 100, Err("middle of a chunk")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokay\r\n0\r\n\r\n", 100, Err("does not end where its size says")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 100, Err("bad chunk size \"zz\"")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+2\r\nok\r\n0\r\n\r\n", 100, Err("bad chunk size")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", 100, Err("bad chunk size")),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 100, Err("unsupported transfer coding \"gzip\"")),
            // until the connection closes
            (b"HTTP/1.0 200 OK\r\n\r\nall of it", 100, Ok("all of it")),
            (b"HTTP/1.0 200 OK\r\n\r\nall of it", 9, Ok("all of it")),
            (b"HTTP/1.0 200 OK\r\n\r\nall of it", 8, Err("larger than --max-size (8 bytes)")),
            // status and head
            (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 10, Ok("ok")),
            (b"HTTP/1.1 200 OK\r\nX-Long: a\r\n  folded\r\nContent-Length: 2\r\n\r\nok", 10, Ok("ok")),
            (b"HTTP/1.1 404 Not Found\r\nContent-Length: 16\r\n\r\nUnknown profile\n", 100, Err("answered `HTTP/1.1 404 Not Found`; is the URL the pprof base")),
            (b"HTTP/1.1 401 Unauthorized\r\n\r\n", 100, Err("`HTTP/1.1 401 Unauthorized`; does the endpoint need --auth-env?")),
            (b"HTTP/1.1 503\r\n\r\n", 100, Err("`HTTP/1.1 503`")),
            (b"", 100, Err("closed the connection without answering")),
            (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", 100, Err("is not an HTTP/1.x status line")),
            (b"HTTP/1.1 20 OK\r\n\r\n", 100, Err("is not an HTTP/1.x status line")),
            (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 100, Err("has no `:`")),
            (b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", 100, Err("is not a header name")),
            (b"HTTP/1.1 200 OK\r\nContent-Le", 100, Err("middle of the headers")),
            (long_line.as_bytes(), 100, Err("the status line is too long")),
        ];
        for (raw, max_size, expected) in table {
            check_response(raw, *max_size, *expected);
        }
    }

    #[test]
    fn transient_errors() {
        let status = |code| FetchError::Status {
            code,
            line: String::new(),
        };
        for (error, transient) in [
            (FetchError::TimedOut, true),
            (FetchError::Malformed(String::new()), true),
            (status(503), true),
            (status(429), true),
            (status(404), false),
            (status(401), false),
            (FetchError::TooLarge { max: 1 }, false),
            (FetchError::NotGzip(String::new()), false),
        ] {
            assert_eq!(error.is_transient(), transient, "{error:?}");
        }
    }

    #[test]
    fn gzip_bodies() {
        for (body, expected) in [
            (&[0x1f, 0x8b, 0x08, 0x00][..], None),
            (b"<html><body>Sign in", Some("\"<html><body>Sign in\"")),
            (
                b"goroutine profile: total 5\n1 @ 0x1",
                Some("\"goroutine profile: total 5 1 @ 0x1\""),
            ),
            (b"", Some("the body is empty")),
        ] {
            let got = check_gzip(body).err().map(|error| error.to_string());
            match (got, expected) {
                (None, None) => {}
                (Some(message), Some(part)) => assert!(message.contains(part), "{message:?}"),
                (got, expected) => panic!("{body:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn stamps() {
        for (seconds, expected) in [
            (0, "19700101T000000Z"),
            (1_709_210_096, "20240229T123456Z"),
            (1_767_225_599, "20251231T235959Z"),
        ] {
            assert_eq!(stamp(UNIX_EPOCH + Duration::from_secs(seconds)), expected);
        }
    }

    #[test]
    fn delays() {
        let (ms, s) = (Duration::from_millis, Duration::from_secs);
        for (timeout, interval, base) in [
            (s(30), s(300), s(1)),
            (s(1), s(300), ms(100)),
            (s(30), s(1), ms(100)),
            (s(0), s(0), ms(10)),
        ] {
            assert_eq!(
                base_delay(timeout, interval),
                base,
                "{timeout:?} {interval:?}"
            );
        }
        for (attempt, delay) in [(1, s(1)), (2, s(2)), (3, s(4)), (4, s(8)), (9, s(8))] {
            assert_eq!(backoff(s(1), attempt), delay, "attempt {attempt}");
        }
    }

    #[test]
    fn sizes_and_times() {
        for (bytes, expected) in [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1 KiB"),
            (46_000, "45 KiB"),
            (3_355_443, "3.2 MiB"),
        ] {
            assert_eq!(format_size(bytes), expected);
        }
        for (elapsed, expected) in [
            (Duration::from_micros(12_700), "12 ms"),
            (Duration::from_millis(3_400), "3.4 s"),
        ] {
            assert_eq!(format_elapsed(elapsed), expected);
        }
    }

    #[test]
    fn saving_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("10.0.0.7_6060");
        let names: Vec<String> = [b"one", b"two", b"six"]
            .iter()
            .map(|bytes| save(&target, "goroutine-20260101T000000Z", *bytes).unwrap())
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "goroutine-20260101T000000Z.pb.gz",
                "goroutine-20260101T000000Z-2.pb.gz",
                "goroutine-20260101T000000Z-3.pb.gz"
            ]
        );
        let mut left: Vec<String> = fs::read_dir(&target)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 3, "no temporary file is left: {left:?}");
        assert_eq!(fs::read(target.join(&names[0])).unwrap(), b"one");
        assert_eq!(fs::read(target.join(&names[2])).unwrap(), b"six");
    }
}
