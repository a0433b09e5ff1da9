//! `leakprof collect` against the leaky Go program (needs Go, as `e2e` does), and against tiny
//! std servers written here for what that program cannot do: ask for a token, answer 404 or
//! 503, send too much.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

use crate::e2e::{Running, build, start};
use crate::support::{Run, expected, leakprof, path_str, testdata};

/// Builds and starts the leaky program; returns its pprof base URL and its target folder name.
fn live(dir: &Path) -> (Running, String, String) {
    let binary = build(&testdata("leaky"), dir, &[]);
    let (running, address) = start(&binary);
    let url = format!("http://{address}/debug/pprof/");
    let folder = address.replace(':', "_");
    (running, url, folder)
}

/// A URL nothing listens on: a port that was free a moment ago.
fn closed_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/debug/pprof/")
}

/// The names of the files in a folder, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn collect(args: &[&str]) -> (Run, Duration) {
    let started = Instant::now();
    let run = leakprof(&[&["collect"], args].concat());
    (run, started.elapsed())
}

/// `goroutine-YYYYMMDDTHHMMSSZ.pb.gz` and the like.
fn is_profile_name(name: &str, profile: &str) -> bool {
    let Some(stamp) = name
        .strip_prefix(profile)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.strip_suffix(".pb.gz"))
    else {
        return false;
    };
    let bytes = stamp.as_bytes();
    bytes.len() == 16
        && bytes[8] == b'T'
        && bytes[15] == b'Z'
        && stamp[..8]
            .bytes()
            .chain(stamp[9..15].bytes())
            .all(|b| b.is_ascii_digit())
}

fn report(path: &Path) -> Value {
    let run = leakprof(&["report", "--profile", path_str(path), "--format", "json"]);
    assert_eq!(run.code, 1, "the leaks are reported\n{}", run.stderr);
    run.json()
}

#[test]
fn rounds_from_the_live_program_start_an_interval_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (_running, url, folder) = live(dir.path());
    let out = dir.path().join("out");
    let (run, elapsed) = collect(&[
        "--url",
        &url,
        "--count",
        "3",
        "--interval",
        "1s",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_millis(3500),
        "3 rounds 1s apart took {elapsed:?}"
    );
    let address = folder.replace('_', ":");
    for round in 1..=3 {
        let line = format!("round {round}/3 {address} goroutine ");
        assert!(run.stderr.contains(&line), "{line:?} in\n{}", run.stderr);
    }
    assert_eq!(files(&out), [folder.as_str()]);
    let names = files(&out.join(&folder));
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names.iter().all(|name| is_profile_name(name, "goroutine")),
        "{names:?}"
    );
    // Distinct stamps: the run left no `-2` files and no temporary ones.
    assert!(names.windows(2).all(|pair| pair[0] < pair[1]), "{names:?}");

    let report = report(&out.join(&folder));
    let profiles = report["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 3, "{profiles:?}");
    let times: Vec<&str> = profiles
        .iter()
        .map(|p| p["time"].as_str().unwrap())
        .collect();
    // RFC 3339 to the second: profiles 1s apart may still round to the same second, but the
    // first and the last are 2s apart.
    assert!(times.windows(2).all(|pair| pair[0] <= pair[1]), "{times:?}");
    assert!(times[0] < times[2], "{times:?}");
    let findings = report["findings"].as_array().unwrap();
    let rows = expected();
    for function in ["main.prematureReturn.func1", "main.rangeNeverClosed.func1"] {
        let row = rows.iter().find(|row| row.function == function).unwrap();
        let finding = findings
            .iter()
            .find(|f| f["function"] == function && f["line"] == row.line)
            .unwrap_or_else(|| panic!("no finding for {function}"));
        assert_eq!(finding["op"], row.op.as_str(), "{function}");
        assert_eq!(finding["goroutines"], row.goroutines, "{function}");
        assert_eq!(finding["profiles"], 3, "{function}");
        assert_eq!(
            finding["total_goroutines"],
            3 * row.goroutines,
            "{function}"
        );
    }
}

/// `--leak-every 2` asks for the goroutineleak profile in rounds 1, 3, …
#[test]
fn goroutineleak_profiles_every_other_round() {
    let dir = tempfile::tempdir().unwrap();
    let (_running, url, folder) = live(dir.path());
    let out = dir.path().join("out");
    let (run, _) = collect(&[
        "--url",
        &url,
        "--count",
        "2",
        "--interval",
        "1s",
        "--leak-every",
        "2",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let names = files(&out.join(&folder));
    let leak: Vec<&String> = names
        .iter()
        .filter(|name| is_profile_name(name, "goroutineleak"))
        .collect();
    let goroutine = names
        .iter()
        .filter(|name| is_profile_name(name, "goroutine"))
        .count();
    assert_eq!((goroutine, leak.len()), (2, 1), "{names:?}");
    assert!(
        run.stderr.contains("round 1/2 127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);

    let report = report(&out.join(&folder).join(leak[0]));
    assert_eq!(report["profiles"][0]["format"], "goroutineleak");
    let premature = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["function"] == "main.prematureReturn.func1")
        .unwrap();
    assert_eq!(premature["leaked_goroutines"], 150);
}

#[test]
fn an_unreachable_target_alone_fails_fast() {
    let dir = tempfile::tempdir().unwrap();
    let url = closed_url();
    let (run, elapsed) = collect(&[
        "--url",
        &url,
        "--count",
        "3",
        "--interval",
        "1s",
        "--retries",
        "2",
        "--timeout",
        "1s",
        "--out",
        path_str(dir.path()),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains(&url), "{}", run.stderr);
    assert!(
        run.stderr.contains("gave up after 2 attempts"),
        "{}",
        run.stderr
    );
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    assert!(files(dir.path()).is_empty());
}

#[test]
fn an_unreachable_target_among_others_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (_running, url, folder) = live(dir.path());
    let closed = closed_url();
    let out = dir.path().join("out");
    let (run, _) = collect(&[
        "--url",
        &url,
        "--url",
        &closed,
        "--retries",
        "2",
        "--timeout",
        "1s",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warning = run
        .stderr
        .lines()
        .find(|line| line.starts_with("warning: "))
        .unwrap_or_else(|| panic!("a warning in\n{}", run.stderr));
    assert!(warning.contains(&closed), "{warning}");
    assert_eq!(files(&out), [folder.as_str()]);
    assert_eq!(files(&out.join(&folder)).len(), 1);
}

#[test]
fn https_is_refused_before_anything_is_fetched() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "https://127.0.0.1:6060/debug/pprof/",
        "127.0.0.1:6060/debug/pprof/",
        "http:///debug/pprof/",
    ] {
        let (run, elapsed) = collect(&["--url", url, "--out", path_str(dir.path())]);
        assert_eq!(run.code, 2, "{url}: {}", run.stderr);
        assert!(run.stderr.contains(url), "{url}: {}", run.stderr);
        assert!(elapsed < Duration::from_millis(500), "{url}: {elapsed:?}");
    }
    let (run, _) = collect(&[
        "--url",
        "https://127.0.0.1:6060/debug/pprof/",
        "--out",
        path_str(dir.path()),
    ]);
    assert!(
        run.stderr.contains("https is not supported"),
        "{}",
        run.stderr
    );
}

/// A server on 127.0.0.1 that answers each request with `respond(path, n)` (the raw response;
/// `n` counts requests from 0) and keeps each request's head.
struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(respond: impl Fn(&str, usize) -> Vec<u8> + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/debug/pprof/", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut byte = [0u8];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split(' ').nth(1).unwrap_or("").to_string();
                seen.lock().unwrap().push(head);
                let _ = stream.write_all(&respond(&path, n));
            }
        });
        Server { url, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    fn paths(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|head| head.split(' ').nth(1).unwrap_or("").to_string())
            .collect()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn ok(body: &[u8]) -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

/// The same body in one chunk.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response.extend_from_slice(b"\r\n0\r\n\r\n");
    response
}

fn not_found() -> Vec<u8> {
    b"HTTP/1.1 404 Not Found\r\nContent-Length: 16\r\n\r\nUnknown profile\n".to_vec()
}

/// The token goes in the Authorization header and nowhere else: the real binary runs with the
/// variable set in its own environment (tests share theirs).
#[test]
fn the_authorization_header_comes_from_the_environment() {
    let body = gzip(b"a profile");
    let served = body.clone();
    let server = Server::start(move |_, _| ok(&served));
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_leakprof"))
        .args([
            "collect",
            "--url",
            &server.url,
            "--auth-env",
            "LEAKPROF_TEST_TOKEN",
        ])
        .arg("--out")
        .arg(dir.path())
        .env("LEAKPROF_TEST_TOKEN", "Bearer s3cret-token")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("s3cret"));

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let address = server.url["http://".len()..].trim_end_matches("/debug/pprof/");
    for line in [
        "GET /debug/pprof/goroutine HTTP/1.1\r\n".to_string(),
        format!("\r\nHost: {address}\r\n"),
        "\r\nConnection: close\r\n".to_string(),
        "\r\nAuthorization: Bearer s3cret-token\r\n".to_string(),
    ] {
        assert!(requests[0].contains(&line), "{line:?} in {:?}", requests[0]);
    }
    let folder = dir.path().join(address.replace(':', "_"));
    let names = files(&folder);
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(std::fs::read(folder.join(&names[0])).unwrap(), body);
}

#[test]
fn an_unset_auth_variable_is_an_error_before_any_request() {
    let server = Server::start(|_, _| ok(&gzip(b"a profile")));
    let dir = tempfile::tempdir().unwrap();
    let (run, _) = collect(&[
        "--url",
        &server.url,
        "--auth-env",
        "LEAKPROF_TEST_NEVER_SET",
        "--out",
        path_str(dir.path()),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--auth-env LEAKPROF_TEST_NEVER_SET: the environment variable is not set"),
        "{}",
        run.stderr
    );
    assert!(server.requests().is_empty());
}

/// Answers that are errors at once: no retry helps them.
#[test]
fn bad_answers_name_the_url() {
    // Noise, so that it stays big once gzipped.
    let mut state = 1u32;
    let noise: Vec<u8> = (0..4000)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    let big = gzip(&noise);
    assert!(big.len() > 1024);
    let table: Vec<(Vec<u8>, &str)> = vec![
        (
            ok(&big),
            "the response is larger than --max-size (1024 bytes)",
        ),
        (
            chunked(&big),
            "the response is larger than --max-size (1024 bytes)",
        ),
        (not_found(), "the server answered `HTTP/1.1 404 Not Found`"),
        (
            ok(b"goroutine profile: total 7\n"),
            "the body is not a gzipped pprof profile",
        ),
    ];
    for (response, message) in table {
        let server = Server::start(move |_, _| response.clone());
        let dir = tempfile::tempdir().unwrap();
        let (run, _) = collect(&[
            "--url",
            &server.url,
            "--max-size",
            "1KiB",
            "--out",
            path_str(dir.path()),
        ]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let url = format!("{}goroutine", server.url);
        assert!(
            run.stderr.starts_with(&format!("error: {url}: {message}")),
            "{message:?} in\n{}",
            run.stderr
        );
        assert_eq!(server.requests().len(), 1, "not retried: {message}");
        assert!(files(dir.path()).is_empty());
    }
}

#[test]
fn a_failed_attempt_is_retried() {
    let server = Server::start(|_, n| match n {
        0 => b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".to_vec(),
        _ => chunked(&gzip(b"a profile")),
    });
    let dir = tempfile::tempdir().unwrap();
    let (run, elapsed) = collect(&[
        "--url",
        &server.url,
        "--timeout",
        "1s",
        "--out",
        path_str(dir.path()),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains(" goroutine 29 B in "), "{}", run.stderr);
    assert!(run.stderr.contains("(2 attempts)"), "{}", run.stderr);
    assert_eq!(server.requests().len(), 2);
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
}

/// A target without the goroutineleak profile is noted once and not asked again; rounds that
/// share a second get numbered names.
#[test]
fn a_target_without_goroutineleak_is_noted_once() {
    let server = Server::start(|path, _| {
        if path.ends_with("/goroutineleak") {
            not_found()
        } else {
            ok(&gzip(b"a profile"))
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (run, _) = collect(&[
        "--url",
        &server.url,
        "--count",
        "3",
        "--interval",
        "100ms",
        "--leak-every",
        "1",
        "--out",
        path_str(dir.path()),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches("note: ").count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("has no goroutineleak profile"),
        "{}",
        run.stderr
    );
    assert_eq!(
        server.paths(),
        [
            "/debug/pprof/goroutine",
            "/debug/pprof/goroutineleak",
            "/debug/pprof/goroutine",
            "/debug/pprof/goroutine",
        ]
    );
    let folder = files(dir.path());
    assert_eq!(folder.len(), 1);
    let names = files(&dir.path().join(&folder[0]));
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names.iter().all(|name| name.starts_with("goroutine-")),
        "{names:?}"
    );
}

/// A target that fails for a while is warned about once, and noted when it is back.
#[test]
fn a_target_that_keeps_failing_is_warned_about_once() {
    let server = Server::start(|_, n| match n {
        1 | 2 => b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".to_vec(),
        _ => ok(&gzip(b"a profile")),
    });
    let dir = tempfile::tempdir().unwrap();
    let (run, _) = collect(&[
        "--url",
        &server.url,
        "--count",
        "4",
        "--interval",
        "100ms",
        "--retries",
        "1",
        "--out",
        path_str(dir.path()),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].starts_with(&format!(
            "warning: round 2/4: {}goroutine: the server answered `HTTP/1.1 503 Service \
             Unavailable`; not repeated until it answers again",
            server.url
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("note: round 4/4: {} answers again", server.url)),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with("in 4 rounds; 2 requests failed\n"),
        "{}",
        run.stderr
    );
}
