//! `leakprof collect` against the leaky Go program (needs Go, as `e2e` does), and against tiny
//! std servers written here for what that program cannot do: ask for a token, answer 404 or
//! 503, send too much or send garbage, serve https with a certificate made for the test.
//!
//! No assertion here is on wall time (a loaded CI machine stretches it): they are on what was
//! asked, in which order, what was saved and what was said.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
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

fn collect(args: &[&str]) -> Run {
    leakprof(&[&["collect"], args].concat())
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
    let run = collect(&[
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
    let address = folder.replace('_', ":");
    let positions: Vec<usize> = (1..=3)
        .map(|round| {
            let line = format!("round {round}/3 {address} goroutine ");
            let found = run.stderr.find(&line);
            found.unwrap_or_else(|| panic!("{line:?} in\n{}", run.stderr))
        })
        .collect();
    assert!(positions.is_sorted(), "rounds in order:\n{}", run.stderr);
    assert!(!run.stderr.contains("late"), "{}", run.stderr);
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
    let run = collect(&[
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
    let run = collect(&[
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
    // It stopped after the first round: nothing else was said, nothing written.
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(files(dir.path()).is_empty());
}

#[test]
fn an_unreachable_target_among_others_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (_running, url, folder) = live(dir.path());
    let closed = closed_url();
    let out = dir.path().join("out");
    let run = collect(&[
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

/// A bad `--url` is exit 2 naming it, before anything is fetched: the good target given
/// first is not asked, and no folder is made.
#[test]
fn bad_urls_are_refused_before_anything_is_fetched() {
    let server = Server::start(|_, _| ok(&profile()));
    let port = server
        .url
        .trim_end_matches("/debug/pprof/")
        .rsplit(':')
        .next()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (url, message) in [
        (
            format!("127.0.0.1:{port}/debug/pprof/"),
            "not an http:// or https:// URL",
        ),
        ("http:///debug/pprof/".to_string(), "the URL has no host"),
        (
            format!("ftp://127.0.0.1:{port}/"),
            "not an http:// or https:// URL",
        ),
        (
            format!("https://user:pw@127.0.0.1:{port}/"),
            "credentials in the URL are not sent",
        ),
    ] {
        let run = collect(&["--url", &server.url, "--url", &url, "--out", path_str(&out)]);
        assert_eq!(run.code, 2, "{url}: {}", run.stderr);
        assert!(
            run.stderr
                .starts_with(&format!("error: --url {url}: {message}")),
            "{url}: {}",
            run.stderr
        );
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert!(!out.exists());
}

/// A server on 127.0.0.1 that answers each request with `respond(path, n)` (the raw response;
/// `n` counts requests from 0) and keeps each request's head; over TLS when given a config.
struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

type Respond = dyn Fn(&str, usize) -> Vec<u8> + Send + 'static;

impl Server {
    fn start(respond: impl Fn(&str, usize) -> Vec<u8> + Send + 'static) -> Server {
        Server::serve(None, Box::new(respond))
    }

    fn start_tls(
        config: Arc<rustls::ServerConfig>,
        respond: impl Fn(&str, usize) -> Vec<u8> + Send + 'static,
    ) -> Server {
        Server::serve(Some(config), Box::new(respond))
    }

    fn serve(tls: Option<Arc<rustls::ServerConfig>>, respond: Box<Respond>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let address = listener.local_addr().unwrap();
        let url = format!("{scheme}://{address}/debug/pprof/");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                match &tls {
                    None => answer(stream, n, &respond, &seen),
                    Some(config) => {
                        let connection = rustls::ServerConnection::new(Arc::clone(config));
                        let mut tls = rustls::StreamOwned::new(connection.unwrap(), stream);
                        answer(&mut tls, n, &respond, &seen);
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    }
                }
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

    /// `host:port`.
    fn address(&self) -> &str {
        let rest = self.url.split_once("://").unwrap().1;
        rest.trim_end_matches("/debug/pprof/")
    }

    /// The folder `collect` saves this server's profiles into.
    fn folder(&self) -> String {
        self.address().replace(':', "_")
    }
}

/// Reads one request's head and writes the response. A connection that sends nothing (a TLS
/// handshake the client gave up) is not a request.
fn answer(mut stream: impl Read + Write, n: usize, respond: &Respond, seen: &Mutex<Vec<String>>) {
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
        // Not HTTP (a TLS ClientHello sent to the plain server): answer without waiting.
        if !head[0].is_ascii_uppercase() {
            break;
        }
    }
    if head.is_empty() {
        return;
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split(' ').nth(1).unwrap_or("").to_string();
    seen.lock().unwrap().push(head);
    let _ = stream.write_all(&respond(&path, n));
}

/// The value of a header in a request head (names compare without case, as HTTP says).
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// A real goroutine profile (debug=0, gzipped) captured from the Go programs in `testdata/`:
/// `collect` keeps only bodies that read as one.
fn profile() -> Vec<u8> {
    std::fs::read(testdata("series/captures/leak-moment/goroutine.pb.gz")).unwrap()
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
    let body = profile();
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
    let head = &requests[0];
    assert!(
        head.starts_with("GET /debug/pprof/goroutine HTTP/1.1\r\n"),
        "{head:?}"
    );
    for (name, value) in [
        ("Host", server.address()),
        ("Connection", "close"),
        ("Authorization", "Bearer s3cret-token"),
        ("Accept-Encoding", "identity"),
    ] {
        assert_eq!(header(head, name), Some(value), "{name} in {head:?}");
    }
    let agent = header(head, "User-Agent").unwrap_or_default();
    assert!(agent.starts_with("leakprof/"), "{head:?}");
    let folder = dir.path().join(server.folder());
    let names = files(&folder);
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(std::fs::read(folder.join(&names[0])).unwrap(), body);
}

#[test]
fn an_unset_auth_variable_is_an_error_before_any_request() {
    let server = Server::start(|_, _| ok(&profile()));
    let dir = tempfile::tempdir().unwrap();
    let run = collect(&[
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
        let run = collect(&[
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
        _ => chunked(&profile()),
    });
    let dir = tempfile::tempdir().unwrap();
    let run = collect(&[
        "--url",
        &server.url,
        "--timeout",
        "1s",
        "--out",
        path_str(dir.path()),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The profile is 2,453 bytes.
    assert!(
        run.stderr.contains(" goroutine 2 KiB in "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("(2 attempts)"), "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(
        server.paths(),
        ["/debug/pprof/goroutine", "/debug/pprof/goroutine"]
    );
    let saved = files(&dir.path().join(server.folder()));
    assert_eq!(saved.len(), 1, "{saved:?}");
}

/// A target without the goroutineleak profile is noted once and not asked again; rounds that
/// share a second get numbered names.
#[test]
fn a_target_without_goroutineleak_is_noted_once() {
    let server = Server::start(|path, _| {
        if path.ends_with("/goroutineleak") {
            not_found()
        } else {
            ok(&profile())
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let run = collect(&[
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
        _ => ok(&profile()),
    });
    let dir = tempfile::tempdir().unwrap();
    let run = collect(&[
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

/// A certificate for the test's https server, its key, and the certificate in PEM (what
/// `--ca-file` takes): signed by itself, so it is its own CA.
struct Certificate {
    der: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
    pem: String,
}

fn make_certificate(names: &[&str]) -> Certificate {
    let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(names).unwrap();
    Certificate {
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(signing_key.serialize_der()),
        pem: cert.pem(),
    }
}

/// A rustls server configuration (ring, as the client) presenting `certificate`.
fn tls_config(certificate: &Certificate) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(certificate.key.clone_key());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate.der.clone()], key)
        .unwrap();
    Arc::new(config)
}

/// https works: a server on loopback with a certificate made here, trusted through `--ca-file`
/// or `LEAKPROF_CA_FILE`; the profile is saved as sent, under the same folder name as http.
#[test]
fn https_with_a_trusted_ca_file() {
    let certificate = make_certificate(&["127.0.0.1", "localhost"]);
    let body = profile();
    let served = body.clone();
    let server = Server::start_tls(tls_config(&certificate), move |_, _| ok(&served));
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &certificate.pem).unwrap();

    let out = dir.path().join("flag");
    let run = collect(&[
        "--url",
        &server.url,
        "--ca-file",
        path_str(&ca),
        "--out",
        path_str(&out),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "round 1/1 {} goroutine 2 KiB in ",
            server.address()
        )),
        "{}",
        run.stderr
    );
    let folder = out.join(server.folder());
    let names = files(&folder);
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(is_profile_name(&names[0], "goroutine"), "{names:?}");
    assert_eq!(std::fs::read(folder.join(&names[0])).unwrap(), body);

    // The variable does what the flag does; the real binary gets it in its own environment.
    let out = dir.path().join("env");
    let output = Command::new(env!("CARGO_BIN_EXE_leakprof"))
        .args(["collect", "--url", &server.url, "--out"])
        .arg(&out)
        .env("LEAKPROF_CA_FILE", &ca)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(files(&out.join(server.folder())).len(), 1, "{stderr}");

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    for head in &requests {
        assert!(
            head.starts_with("GET /debug/pprof/goroutine HTTP/1.1\r\n"),
            "{head:?}"
        );
        assert_eq!(header(head, "Host"), Some(server.address()), "{head:?}");
    }
}

/// A certificate that is not trusted, or not for the name asked, fails at once (no retry, exit
/// 2, nothing saved) with a message that says why and which flag helps; so does https to a
/// plain http server.
#[test]
fn an_untrusted_certificate_fails_clearly() {
    let certificate = make_certificate(&["127.0.0.1", "localhost"]);
    let other = certificate_file(&make_certificate(&["127.0.0.1"]));
    let own = certificate_file(&certificate);
    let only_localhost = make_certificate(&["localhost"]);
    let only_localhost_file = certificate_file(&only_localhost);
    // The server, the CA file given, and the message.
    let cases: Vec<(Server, Option<&Path>, &str)> = vec![
        (
            Server::start_tls(tls_config(&certificate), |_, _| ok(&profile())),
            None,
            "TLS: the server's certificate is not signed by a trusted CA (UnknownIssuer); give \
             the certificate of the CA that signed it with --ca-file PEM (or LEAKPROF_CA_FILE)",
        ),
        (
            Server::start_tls(tls_config(&certificate), |_, _| ok(&profile())),
            Some(other.1.as_path()),
            "TLS: the server's certificate is not signed by a trusted CA",
        ),
        (
            Server::start_tls(tls_config(&only_localhost), |_, _| ok(&profile())),
            Some(only_localhost_file.1.as_path()),
            "TLS: the server's certificate is not valid for 127.0.0.1",
        ),
        (
            Server::start(|_, _| ok(&profile())),
            Some(own.1.as_path()),
            "TLS: the server does not speak TLS",
        ),
    ];
    for (server, ca, message) in cases {
        // https to the plain server: same address, other scheme.
        let url = server.url.replace("http://", "https://");
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec!["--url", &url, "--out", path_str(dir.path())];
        if let Some(ca) = ca {
            args.extend(["--ca-file", path_str(ca)]);
        }
        let run = collect(&args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let expected = format!("error: {url}goroutine: {message}");
        assert!(
            run.stderr.starts_with(&expected),
            "{expected:?} in\n{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("attempts"),
            "not retried: {}",
            run.stderr
        );
        let plain = server.url.starts_with("http://");
        assert_eq!(server.requests().len(), usize::from(plain), "one attempt");
        assert!(files(dir.path()).is_empty());
    }
}

/// A certificate written to a PEM file in a folder of its own (kept alive by the handle).
fn certificate_file(certificate: &Certificate) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &certificate.pem).unwrap();
    (dir, path)
}

#[test]
fn a_bad_ca_file_is_an_error_before_any_request() {
    let server = Server::start(|_, _| ok(&profile()));
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("ca.txt");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    let missing = dir.path().join("missing.pem");
    for (path, message) in [
        (&not_pem, "holds no certificate"),
        (&missing, "cannot read it"),
    ] {
        let run = collect(&[
            "--url",
            &server.url,
            "--ca-file",
            path_str(path),
            "--out",
            path_str(&dir.path().join("out")),
        ]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let expected = format!("error: --ca-file {}: {message}", path.display());
        assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
    }
    assert!(server.requests().is_empty());
    assert!(!dir.path().join("out").exists());

    // Through the variable (set in the real binary's own environment): a bad file is named
    // with the variable; an empty variable is no variable.
    let with_variable = |value: &Path| {
        Command::new(env!("CARGO_BIN_EXE_leakprof"))
            .args(["collect", "--url", &server.url, "--out"])
            .arg(dir.path().join("out"))
            .env("LEAKPROF_CA_FILE", value)
            .output()
            .unwrap()
    };
    let output = with_variable(&missing);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let expected = format!(
        "error: LEAKPROF_CA_FILE {}: cannot read it",
        missing.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(server.requests().is_empty());
    let output = with_variable(Path::new(""));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(server.requests().len(), 1);
}

/// Issue 15: a chunk size of 2⁶⁴−1 after a small chunk must not wrap the size check. The server
/// offers up to 64 MiB after it; the client stops at --max-size and hangs up, so the server
/// gets rid of only what the connection buffers hold.
#[test]
fn a_huge_chunk_size_stays_within_max_size() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/debug/pprof/", listener.local_addr().unwrap());
    let written = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&written);
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        read_head(&mut stream);
        let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n\x1f\x8b\r\n\
                     ffffffffffffffff\r\n";
        stream.write_all(head).unwrap();
        let block = vec![b'x'; 64 << 10];
        for _ in 0..1024 {
            match stream.write(&block) {
                Ok(n) if n > 0 => counter.fetch_add(n, Ordering::Relaxed),
                _ => break,
            };
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let run = collect(&[
        "--url",
        &url,
        "--max-size",
        "1KiB",
        "--out",
        path_str(dir.path()),
    ]);
    server.join().unwrap();
    assert_eq!(run.code, 2, "{}", run.stderr);
    let expected =
        format!("error: {url}goroutine: the response is larger than --max-size (1024 bytes)\n");
    assert_eq!(run.stderr, expected);
    let written = written.load(Ordering::Relaxed);
    assert!(written < 32 << 20, "the client read {written} bytes");
    assert!(files(dir.path()).is_empty());
}

/// Reads a request head, up to its blank line.
fn read_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
}

/// Issue 15: a body that is not a whole profile is neither saved nor counted as collected:
/// cut short by a Content-Length smaller than what was sent, or gzip magic then garbage.
#[test]
fn a_body_that_does_not_read_is_not_saved() {
    let real = profile();
    let mut short = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
        real.len() / 2
    )
    .into_bytes();
    short.extend_from_slice(&real);
    let mut garbage = vec![0x1f, 0x8b];
    garbage.extend_from_slice(&[0x5a; 300]);
    for (response, message) in [
        (short, "truncated or corrupt gzip stream"),
        (ok(&garbage), "truncated or corrupt gzip stream"),
        (chunked(&gzip(b"a profile")), "no goroutine stacks found"),
    ] {
        let bad = Server::start(move |_, _| response.clone());
        let good = Server::start(|_, _| ok(&profile()));
        let dir = tempfile::tempdir().unwrap();
        let run = collect(&[
            "--url",
            &good.url,
            "--url",
            &bad.url,
            "--out",
            path_str(dir.path()),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let warning = format!(
            "warning: round 1/1: {}goroutine: the body is not a goroutine profile leakprof can \
             read (",
            bad.url
        );
        assert!(
            run.stderr.contains(&warning),
            "{warning:?} in\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(message),
            "{message:?} in\n{}",
            run.stderr
        );
        assert!(
            run.stderr.ends_with(&format!(
                "collected 1 profile into {} in 1 round; 1 request failed; 1 of 2 targets \
                 never answered\n",
                dir.path().display()
            )),
            "{}",
            run.stderr
        );
        assert_eq!(bad.requests().len(), 1, "not retried");
        assert_eq!(files(dir.path()), [good.folder()]);
        assert_eq!(files(&dir.path().join(good.folder())).len(), 1);
    }
}

/// Issue 15: `--max-size` of 2⁶⁴−1 means no cap, not "every body without a length is empty".
#[test]
fn the_largest_max_size_keeps_whole_bodies() {
    let body = profile();
    let mut until_close = b"HTTP/1.0 200 OK\r\n\r\n".to_vec();
    until_close.extend_from_slice(&body);
    for response in [until_close, chunked(&body), ok(&body)] {
        let server = Server::start(move |_, _| response.clone());
        let dir = tempfile::tempdir().unwrap();
        let run = collect(&[
            "--url",
            &server.url,
            "--max-size",
            &u64::MAX.to_string(),
            "--max-decompressed-size",
            &u64::MAX.to_string(),
            "--out",
            path_str(dir.path()),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let folder = dir.path().join(server.folder());
        let names = files(&folder);
        assert_eq!(names.len(), 1, "{names:?}");
        assert_eq!(std::fs::read(folder.join(&names[0])).unwrap(), body);
    }
}
