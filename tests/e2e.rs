//! Builds and runs the leaky Go program, fetches its profiles over HTTP from 127.0.0.1, and
//! checks the report against what the program was written to leak. Needs Go: CI installs it
//! (`testdata/install-go.sh 1.27`); without it this test fails rather than skip.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::fixtures::check_goroutine_profile;
use crate::support::{expected, path_str, testdata};

/// The Go toolchain: `$LEAKPROF_GO`, else the one `testdata/install-go.sh 1.27` installs, else
/// `go` on PATH.
pub fn go() -> PathBuf {
    if let Some(go) = std::env::var_os("LEAKPROF_GO") {
        return go.into();
    }
    let installed = Command::new("bash")
        .arg(testdata("install-go.sh"))
        .args(["--path", "1.27"])
        .output()
        .ok()
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    if let Some(path) = installed.filter(|path| path.is_file()) {
        return path;
    }
    let on_path = Command::new("go").arg("version").output();
    assert!(
        on_path.is_ok_and(|out| out.status.success()),
        "no Go toolchain: run `bash testdata/install-go.sh 1.27` or set LEAKPROF_GO"
    );
    "go".into()
}

/// Kills the program when the test ends, pass or fail.
pub struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds the Go program in `source` into `out_dir`, with extra `go build` flags.
pub fn build(source: &Path, out_dir: &Path, flags: &[&str]) -> PathBuf {
    let binary = out_dir.join("leaky");
    let status = Command::new(go())
        .arg("build")
        .args(flags)
        .arg("-o")
        .arg(&binary)
        .arg(".")
        .current_dir(source)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .status()
        .expect("run go build");
    assert!(status.success(), "go build failed");
    binary
}

/// How long a program may take to say `ready`: one that never settles fails the test instead
/// of hanging it.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// Starts the program and waits for it to say `ready`; returns it and its address. Fails if it
/// exits or has not said `ready` within `READY_TIMEOUT`, naming what it printed.
pub fn start(binary: &Path) -> (Running, String) {
    let mut child = Command::new(binary)
        .args(["-addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the leaky program");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    // A thread reads the output, so that waiting for it can time out; it ends when the
    // program does.
    let (lines, output) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + READY_TIMEOUT;
    let mut printed = Vec::new();
    let mut address = None;
    loop {
        let line = match output.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!(
                "{} did not say ready within {} s; it printed {printed:?}",
                binary.display(),
                READY_TIMEOUT.as_secs()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "{} exited before it said ready; it printed {printed:?}",
                binary.display()
            ),
        };
        if let Some(url) = line.strip_prefix("listening on http://") {
            address = Some(url.to_string());
        }
        if line == "ready" {
            break;
        }
        printed.push(line);
    }
    (running, address.expect("the program printed its address"))
}

/// A plain HTTP/1.0 GET; returns the body.
pub fn get(address: &str, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP headers");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{head}"
    );
    response[split + 4..].to_vec()
}

#[test]
fn live_program_profiles_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let binary = build(&testdata("leaky"), dir.path(), &[]);
    let (_running, address) = start(&binary);
    let rows = expected();
    for (name, query) in [
        ("goroutine.pb.gz", "/debug/pprof/goroutine"),
        ("goroutine.debug1.txt", "/debug/pprof/goroutine?debug=1"),
        ("goroutine.debug2.txt", "/debug/pprof/goroutine?debug=2"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, get(&address, query)).unwrap();
        check_goroutine_profile(path_str(&path), &rows);
    }
}
