//! Runs code under a memory limit (`setrlimit(RLIMIT_AS)`) in a child process, so that an
//! input that makes leakprof abort (an allocation of gigabytes fails) fails one test instead
//! of taking the test harness down.

use std::os::unix::process::CommandExt;
use std::process::{Command, Output};

/// Address space allowed to a child: far above what reading any of the hostile inputs
/// should take, far below what reading them took before they were guarded against.
pub const LIMIT: u64 = 1 << 30;

/// Set in a child to the name of the test it runs.
const CHILD: &str = "LEAKPROF_LIMITED_CHILD";

/// Limits the address space of `command` once started.
pub fn limit(command: &mut Command, bytes: u64) -> &mut Command {
    // SAFETY: the closure only calls setrlimit, which is async-signal-safe, between fork and
    // exec.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes as libc::rlim_t,
                rlim_max: bytes as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// What one run of the built `leakprof` binary under [`LIMIT`] produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the built `leakprof` binary (a debug build under `cargo test`, so arithmetic overflow
/// panics) with `args`, under [`LIMIT`]. Fails the test if it was killed by a signal: an
/// abort on a failed allocation, or a panic that aborted.
pub fn leakprof(args: &[&str]) -> Run {
    leakprof_within(LIMIT, args)
}

/// [`leakprof`] under a limit of `bytes`.
pub fn leakprof_within(bytes: u64, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakprof"));
    command.args(args);
    let output = limit(&mut command, bytes)
        .output()
        .expect("run the leakprof binary");
    checked(output, &args.join(" "))
}

fn checked(output: Output, what: &str) -> Run {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let Some(code) = output.status.code() else {
        panic!(
            "`{what}` was killed ({:?}): out of memory or aborted\nstderr:\n{stderr}",
            output.status
        );
    };
    assert!(!stderr.contains("panicked"), "`{what}` panicked:\n{stderr}");
    Run {
        code,
        stdout,
        stderr,
    }
}

/// For a test whose body must run under [`LIMIT`]: in the test harness, runs this same test
/// (`name`, its full path such as `properties::pprof`) in a child process of the test binary
/// under the limit, checks it passed, and returns false; in that child, returns true.
pub fn in_child(name: &str) -> bool {
    if std::env::var(CHILD).is_ok_and(|running| running == name) {
        return true;
    }
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args([name, "--exact", "--nocapture", "--test-threads", "1"])
        .env(CHILD, name);
    let output = limit(&mut command, LIMIT)
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{name} under a {} MiB memory limit: {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        LIMIT >> 20,
        output.status
    );
    assert!(
        stdout.contains("1 passed"),
        "{name} did not run in the child:\n{stdout}"
    );
    false
}
