//! leakprof as a tool people install: completions and man pages generated from the command
//! line's definitions, examples in every `--help`, and the GitHub Action's shell steps run as
//! the runner runs them, with a fake `GITHUB_*` environment. (The Dockerfile's build steps run
//! in CI through `scripts/check-dockerfile.sh`.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use serde_json::Value;

use crate::support::{leakprof, path_str, testdata};

#[test]
fn completions_for_every_shell() {
    for (shell, needle) in [
        ("bash", "complete -F _leakprof"),
        ("zsh", "#compdef leakprof"),
        ("fish", "complete -c leakprof"),
        ("elvish", "edit:completion:arg-completer[leakprof]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = leakprof(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(needle), "{shell}:\n{}", run.stdout);
        // Generated from the definitions: the newest flags are there.
        assert!(run.stdout.contains("sarif-suppressed"), "{shell}");
    }
    let run = leakprof(&["completions", "tcsh"]);
    assert_eq!(run.code, 2);
}

/// The man pages parse as roff for `man`: a title line, the sections, the flags.
#[test]
fn man_pages() {
    let run = leakprof(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &run.stdout[..200]
    );
    assert!(run.stdout.contains("\n.TH leakprof 1 "), "{}", run.stdout);
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(run.stdout.contains(section), "{section}");
    }
    let run = leakprof(&["man", "report"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("\n.TH leakprof-report 1 "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("sarif\\-suppressed"), "{}", run.stdout);
    assert!(run.stdout.contains("Examples:"));
    let run = leakprof(&["man", "nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("error: no command \"nope\"; known commands: report")
    );
    // When man is here, it renders the page.
    if let Ok(output) = Command::new("man").arg("--version").output() {
        if output.status.success() {
            let dir = tempfile::tempdir().unwrap();
            let page = dir.path().join("leakprof.1");
            std::fs::write(&page, leakprof(&["man"]).stdout).unwrap();
            let rendered = Command::new("man")
                .arg("-l")
                .arg(&page)
                .env("MANPAGER", "cat")
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&rendered.stdout);
            assert!(text.contains("goroutine"), "{text}");
        }
    }
}

/// Every command's name path (`[]`, `["rules", "list"]`, …), from the clap definitions, so
/// a new command cannot be missed.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(command: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        for sub in command.get_subcommands() {
            let mut below = path.clone();
            below.push(sub.get_name().to_string());
            walk(sub, below, out);
        }
        out.push(path);
    }
    let mut out = Vec::new();
    walk(&leakprof::cli::Cli::command(), Vec::new(), &mut out);
    out.sort();
    out
}

/// Every argument a user types without a flag says what it is.
#[test]
fn every_positional_argument_has_help() {
    fn check(command: &clap::Command, name: &str) {
        for arg in command.get_arguments().filter(|arg| arg.is_positional()) {
            assert!(
                arg.get_help()
                    .is_some_and(|help| !help.to_string().is_empty()),
                "{name} {} has no help",
                arg.get_id()
            );
        }
        for sub in command.get_subcommands() {
            check(sub, &format!("{name} {}", sub.get_name()));
        }
    }
    check(&leakprof::cli::Cli::command(), "leakprof");
    let help = leakprof(&["rules", "list", "--help"]).stdout;
    assert!(help.contains("  [FILE]...  A rules file"), "{help}");
}

/// `leakprof fix --help` shows what fix takes: not the flags that only shape a report, and
/// `--output` as the one file the patch goes to.
#[test]
fn fix_help_shows_only_what_fix_takes() {
    let help = leakprof(&["fix", "--help"]).stdout;
    for flag in [
        "--format",
        "--sarif-suppressed",
        "--sarif-category",
        "--fail-on",
        "--fail-on-verdict",
        "--color",
        "--mention-owners",
        "--link-template",
        "--group-by-label",
        "--baseline",
        "FORMAT:",
    ] {
        assert!(!help.contains(flag), "{flag} in fix --help:\n{help}");
    }
    for flag in [
        "--profile",
        "--repo",
        "--rev",
        "--rules",
        "--write",
        "--verify",
        "--output <FILE>\n          Write the patch to FILE",
    ] {
        assert!(help.contains(flag), "{flag} not in fix --help:\n{help}");
    }
    // report keeps them all.
    let help = leakprof(&["report", "--help"]).stdout;
    for flag in ["--format", "--sarif-category", "--color", "[FORMAT:]FILE"] {
        assert!(help.contains(flag), "{flag} not in report --help");
    }
}

/// A flag that only shapes a report, given to `fix`, is refused with exit 2 and its name,
/// not silently dropped: the user expected it to do something.
#[test]
fn fix_refuses_the_flags_of_a_report() {
    let profile = testdata("profiles/go1.27/goroutine.pb.gz");
    let repo = env!("CARGO_MANIFEST_DIR");
    let base = ["fix", "--profile", path_str(&profile), "--repo", repo];
    for given in [
        &["--format", "json"][..],
        &["--color", "never"],
        &["--fail-on", "never"],
        &["--baseline", "old.json"],
        &["--mention-owners"],
        &["--show-other-blocking"],
    ] {
        let run = leakprof(&[&base[..], given].concat());
        assert_eq!(run.code, 2, "{given:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("error: {} shapes a report", given[0])),
            "{given:?}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{given:?}: {}", run.stdout);
    }
    let run = leakprof(&base);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("diff --git "), "{}", run.stdout);
}

/// Every command's `--help` ends with two or three examples that run the command itself.
#[test]
fn every_help_has_examples() {
    let commands = command_paths();
    assert!(commands.len() >= 12, "{commands:?}");
    for command in commands
        .iter()
        .filter(|path| !path.iter().any(|name| name == "help"))
    {
        let command: Vec<&str> = command.iter().map(String::as_str).collect();
        let run = leakprof(&[&command[..], &["--help"]].concat());
        assert_eq!(run.code, 0, "{command:?}");
        let (_, examples) = run
            .stdout
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{command:?} --help has no examples:\n{}", run.stdout));
        let invocation = ["leakprof"]
            .iter()
            .chain(&command)
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let count = examples
            .lines()
            .filter(|line| line.starts_with("  leakprof "))
            .inspect(|line| {
                if !command.is_empty() {
                    assert!(line.starts_with(&format!("  {invocation}")), "{line}");
                }
            })
            .count();
        assert!((2..=3).contains(&count), "{command:?}: {count} examples");
    }
}

/// `action.yml`, read as YAML.
fn action() -> serde_yaml::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).expect("action.yml is YAML")
}

/// What a run of the action's steps left behind.
struct ActionRun {
    /// Each step's exit code, until the first that failed.
    codes: Vec<i32>,
    stdout: String,
    outputs: BTreeMap<String, String>,
    summary: String,
}

/// Runs the composite action's steps as the runner does (`bash --noprofile --norc -eo
/// pipefail`, `${{ … }}` expressions substituted in `env:` only), in `workspace`, with
/// `inputs` over the defaults and leakprof already on PATH.
fn run_action(workspace: &Path, inputs: &[(&str, &str)]) -> ActionRun {
    let action = action();
    let temp = tempfile::tempdir().unwrap();
    let file = |name: &str| {
        let path = temp.path().join(name);
        std::fs::write(&path, "").unwrap();
        path
    };
    let (output, summary, github_path) = (file("output"), file("summary"), file("path"));
    let runner_temp = temp.path().join("runner");
    std::fs::create_dir(&runner_temp).unwrap();
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for (name, spec) in action["inputs"].as_mapping().unwrap() {
        let name = name.as_str().unwrap().to_string();
        if let Some(default) = spec["default"].as_str() {
            values.insert(name, default.to_string());
        }
    }
    for (name, value) in inputs {
        values.insert(name.to_string(), value.to_string());
    }
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_leakprof"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut codes = Vec::new();
    let mut stdout = String::new();
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        assert_eq!(step["shell"].as_str(), Some("bash"));
        let script = step["run"].as_str().expect("a run step");
        assert!(
            !script.contains("${{"),
            "a step pastes an expression into its script, where a value could run as code:\n{script}"
        );
        let script_file = temp.path().join("step.sh");
        std::fs::write(&script_file, script).unwrap();
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(workspace)
            .env("PATH", &path)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_TEMP", &runner_temp);
        for (name, value) in step["env"].as_mapping().into_iter().flatten() {
            let value = value.as_str().unwrap();
            let expression = value
                .strip_prefix("${{ ")
                .and_then(|v| v.strip_suffix(" }}"))
                .unwrap_or_else(|| panic!("env {value} is not one expression"));
            let resolved = match expression.split_once('.') {
                Some(("inputs", input)) => values.get(input).cloned().unwrap_or_default(),
                Some(("github", "action_path")) => env!("CARGO_MANIFEST_DIR").to_string(),
                _ => panic!("unknown expression {expression}"),
            };
            command.env(name.as_str().unwrap(), resolved);
        }
        let ran = command.output().expect("bash");
        stdout.push_str(&String::from_utf8_lossy(&ran.stdout));
        let code = ran.status.code().unwrap_or(-1);
        codes.push(code);
        if code != 0 {
            stdout.push_str(&String::from_utf8_lossy(&ran.stderr));
            break;
        }
    }
    let outputs = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    let outputs: BTreeMap<String, String> = outputs;
    // The reports live in RUNNER_TEMP: read them before it goes.
    let outputs = outputs
        .into_iter()
        .map(|(key, value)| {
            let content = if Path::new(&value).is_file() {
                std::fs::read_to_string(&value).unwrap()
            } else {
                value
            };
            (key, content)
        })
        .collect();
    ActionRun {
        codes,
        stdout,
        outputs,
        summary: std::fs::read_to_string(&summary).unwrap(),
    }
}

#[test]
fn action_declares_what_the_readme_uses() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for input in ["profile", "repo", "rev", "format", "fail-on"] {
        assert!(action["inputs"][input].is_mapping(), "input {input}");
    }
    assert_eq!(
        action["inputs"]["profile"]["required"].as_bool(),
        Some(true)
    );
    for (name, output) in action["outputs"].as_mapping().unwrap() {
        let value = output["value"].as_str().unwrap();
        assert!(
            value.starts_with("${{ steps.report.outputs."),
            "output {name:?}: {value}"
        );
    }
}

/// The action on this repository's demo profile: SARIF and Markdown written and named in the
/// outputs, the Markdown in the job summary, annotations printed, and the step failing on the
/// leaks unless told not to.
#[test]
fn action_steps_run_with_a_fake_github_environment() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let profile = "testdata/profiles/go1.27/goroutine.pb.gz";
    let run = run_action(
        workspace,
        &[
            ("profile", profile),
            ("format", "sarif, markdown,github"),
            ("rev", "HEAD"),
        ],
    );
    assert_eq!(run.codes, [0, 1], "{}", run.stdout);
    assert!(
        run.stdout.contains("is already installed"),
        "{}",
        run.stdout
    );
    assert_eq!(run.outputs["exit-code"], "1");
    let sarif: Value = serde_json::from_str(&run.outputs["sarif"]).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 11);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/leaky/leaks.go"
    );
    assert!(run.outputs["markdown"].starts_with("## leakprof: 11 suspected goroutine leaks"));
    assert_eq!(run.summary, run.outputs["markdown"]);
    let annotations = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error file="))
        .count();
    assert_eq!(annotations, 10, "{}", run.stdout);

    let run = run_action(workspace, &[("profile", profile), ("fail-on", "never")]);
    assert_eq!(run.codes, [0, 0], "{}", run.stdout);
    assert_eq!(run.outputs["exit-code"], "0");

    let run = run_action(workspace, &[("profile", profile), ("format", "sarif,pdf")]);
    assert_eq!(run.codes, [0, 2]);
    assert!(
        run.stdout
            .contains("::error title=leakprof::unknown format 'pdf'")
    );
}

/// Inputs reach leakprof as arguments, never as shell code: a profile named to run a
/// command does not run it.
#[test]
fn action_inputs_are_not_code() {
    let workspace = tempfile::tempdir().unwrap();
    let name = "evil'$(touch${IFS}pwned)\"`touch${IFS}pwned2`.pb.gz";
    std::fs::copy(
        testdata("profiles/go1.27/goroutine.pb.gz"),
        workspace.path().join(name),
    )
    .unwrap();
    let run = run_action(
        workspace.path(),
        &[
            ("profile", name),
            ("repo", ""),
            ("fail-on", "never"),
            ("format", "json"),
        ],
    );
    assert_eq!(run.codes, [0, 0], "{}", run.stdout);
    let report: Value = serde_json::from_str(&run.outputs["json"]).unwrap();
    assert!(
        report["profiles"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with(name)
    );
    assert!(!workspace.path().join("pwned").exists());
    assert!(!workspace.path().join("pwned2").exists());
}
