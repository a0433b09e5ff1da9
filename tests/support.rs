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

/// A git repository in a temporary folder, like a monorepo whose module `services/leaky`
/// holds the leaky program of `testdata/leaky` (so the bundled profiles map into it), with
/// one commit and `origin` at `remote` when given.
pub struct Monorepo {
    /// Keeps the folder alive.
    pub _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub commit: String,
}

pub fn monorepo(remote: Option<&str>) -> Monorepo {
    monorepo_with(remote, &[])
}

/// [`monorepo`] with more files, each `(path from the root, content)`, written (over the
/// copied ones too) before the commit.
pub fn monorepo_with(remote: Option<&str>, files: &[(&str, &str)]) -> Monorepo {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("platform");
    let module = root.join("services/leaky");
    std::fs::create_dir_all(&module).expect("module folder");
    for name in ["go.mod", "main.go", "leaks.go"] {
        std::fs::copy(testdata(&format!("leaky/{name}")), module.join(name)).expect("copy");
    }
    for (path, content) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(path, content).expect("write");
    }
    std::fs::write(root.join("README.md"), "platform\n").expect("README");
    let repo = git2::Repository::init(&root).expect("git init");
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let signature = git2::Signature::now("leakprof tests", "tests@example.com").expect("sig");
    let commit = repo
        .commit(
            Some("HEAD"),
            &signature,
            &signature,
            "the leaky service",
            &tree,
            &[],
        )
        .expect("commit");
    if let Some(remote) = remote {
        repo.remote("origin", remote).expect("remote");
    }
    Monorepo {
        _dir: dir,
        root,
        commit: commit.to_string(),
    }
}

/// A tool `testdata/install-test-deps.sh` installs under `testdata/tools/`; the test fails
/// (never skips) when it is missing.
pub fn test_tool(relative: &str) -> PathBuf {
    let path = testdata("tools").join(relative);
    assert!(
        path.exists(),
        "{} is missing: run `bash testdata/install-test-deps.sh` (CI does, through the \
         README's test command)",
        path.display()
    );
    path
}

/// What Microsoft's SARIF Multitool finds wrong in `sarif` at the level error or warning,
/// with GitHub's ingestion rules on top of the SARIF ones: `RULE level: message` each.
pub fn multitool_problems(sarif: &str) -> Vec<String> {
    let tool = test_tool("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("report.sarif");
    let output = dir.path().join("validation.sarif");
    std::fs::write(&input, sarif).expect("write the SARIF");
    let run = std::process::Command::new(tool)
        .args([
            "validate",
            path_str(&input),
            "--rule-kind",
            "Gh;Sarif",
            "--output",
        ])
        .arg(&output)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("run the SARIF Multitool");
    assert!(
        run.status.success(),
        "the Multitool failed: {}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let log: Value = serde_json::from_slice(&std::fs::read(&output).expect("its log"))
        .expect("the Multitool writes SARIF");
    log["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .flat_map(|run| run["results"].as_array().cloned().unwrap_or_default())
        .filter(|result| matches!(result["level"].as_str(), Some("error" | "warning") | None))
        .map(|result| {
            format!(
                "{} {}: {}",
                result["ruleId"], result["level"], result["message"]
            )
        })
        .collect()
}

/// `markdown` rendered to HTML by marked, a CommonMark and GitHub Flavored Markdown renderer.
pub fn marked(markdown: &str) -> String {
    use std::io::Write as _;
    let script = test_tool("node_modules/marked/bin/marked.js");
    let mut child = std::process::Command::new("node")
        .arg(script)
        .arg("--gfm")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node is needed: run `bash testdata/install-test-deps.sh`");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(markdown.as_bytes())
        .expect("feed marked");
    let output = child.wait_with_output().expect("marked");
    assert!(
        output.status.success(),
        "marked failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("HTML is UTF-8")
}
