//! Helpers shared by the CLI tests.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// What one run of the command line produced.
pub struct Run {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `leakprof ARGS...` in-process.
pub fn leakprof(args: &[&str]) -> Run {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let argv = std::iter::once("leakprof").chain(args.iter().copied());
    let code = leakprof::main_with_args(argv, &mut stdout, &mut stderr, false);
    Run {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

pub fn testdata(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(relative)
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// One row of `testdata/leaky/expected.tsv`: a place the leaky program leaves a known number
/// of goroutines blocked at, written down from the program's design.
#[derive(Clone, Debug)]
pub struct Expected {
    pub function: String,
    pub file: String,
    pub line: u64,
    pub op: String,
    pub goroutines: u64,
}

impl Expected {
    pub fn is_channel(&self) -> bool {
        matches!(
            self.op.as_str(),
            "send" | "receive" | "select" | "select_no_cases" | "nil_send" | "nil_receive"
        )
    }
}

pub fn expected() -> Vec<Expected> {
    let text = std::fs::read_to_string(testdata("leaky/expected.tsv")).expect("expected.tsv");
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "expected.tsv row {line:?}");
            Expected {
                function: fields[0].into(),
                file: fields[1].into(),
                line: fields[2].parse().expect("line"),
                op: fields[3].into(),
                goroutines: fields[4].parse().expect("goroutines"),
            }
        })
        .collect()
}

/// The base name of a path as a profile prints it.
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The finding of a JSON report whose function is `function`.
pub fn find<'a>(report: &'a Value, function: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["function"] == function)
        .unwrap_or_else(|| panic!("no finding for {function}"))
}
