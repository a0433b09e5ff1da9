//! Every decision the command-line flags of `report` imply, settled once. The clap structs in
//! [`crate::cli`] say what was typed; [`ReportConfig`] says what to do: the fail-on policy
//! with its default, whether to paint colour, the day rules expire against. The pipeline and
//! the renderers read these decisions, never the flags.

use std::path::{Path, PathBuf};

use crate::aggregate::LabelKeys;
use crate::cli::{ColorChoice, FailOn, OutputFormat, ReportArgs, Threshold, VerdictArg};
use crate::date::Date;
use crate::model::Verdict;

/// What `leakprof report` was asked to do, with every derived setting decided.
#[derive(Clone, Debug)]
pub struct ReportConfig {
    /// Files and folders of profiles, as given, with the instance each names.
    pub profiles: Vec<ProfileSource>,
    /// Goroutine labels that name instances and group findings.
    pub labels: LabelKeys,
    pub threshold: Threshold,
    /// Report GC-proven places even below the threshold.
    pub confirmed_below_threshold: bool,
    pub progress: bool,
    pub max_decompressed_size: u64,
    pub source: Option<SourceConfig>,
    pub scope: Scope,
    pub rules: RulesConfig,
    /// Count `<-ctx.Done()` as bounding a select.
    pub ctx_done_bounds: bool,
    pub baseline: Option<PathBuf>,
    pub fail_on: FailOn,
    /// Only findings at least this sure make the exit code 1.
    pub fail_verdict: Verdict,
    /// Keep only findings this code owner owns.
    pub owner: Option<String>,
    pub show_other_blocking: bool,
    pub output: OutputConfig,
    /// Also lint the files the findings point to (`--lint`).
    pub lint: bool,
}

/// A `--profile` argument: a path, and the instance its profiles came from when named
/// (`--profile NAME=PATH`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSource {
    pub instance: Option<String>,
    pub path: PathBuf,
}

impl ProfileSource {
    /// `PATH`, or `NAME=PATH` when PATH itself does not exist but what follows the first `=`
    /// does, and NAME is a plain name (no `/`).
    fn parse(argument: &Path) -> ProfileSource {
        let unnamed = ProfileSource {
            instance: None,
            path: argument.to_path_buf(),
        };
        if argument.exists() {
            return unnamed;
        }
        let Some((name, path)) = argument.to_str().and_then(|text| text.split_once('=')) else {
            return unnamed;
        };
        let plain = !name.is_empty() && !name.contains(['/', '\\']);
        if plain && Path::new(path).exists() {
            ProfileSource {
                instance: Some(name.to_string()),
                path: PathBuf::from(path),
            }
        } else {
            unnamed
        }
    }
}

/// `--repo` and `--rev`.
#[derive(Clone, Debug)]
pub struct SourceConfig {
    pub repo: PathBuf,
    pub rev: Option<String>,
}

/// Which code is reported: own code always; the standard library and dependencies on request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub include_std: bool,
    pub include_deps: bool,
}

/// Where allowlist rules come from.
#[derive(Clone, Debug)]
pub struct RulesConfig {
    /// `--rules` files, in precedence order.
    pub files: Vec<PathBuf>,
    /// Read the repository's `.leakprof.yaml` at the revision.
    pub repo_rules: bool,
    pub builtin: bool,
    /// The day expiry is judged against.
    pub today: Date,
}

/// How and where the report is written.
#[derive(Clone, Debug)]
pub struct OutputConfig {
    pub format: OutputFormat,
    /// None: standard output.
    pub path: Option<PathBuf>,
    /// Paint text output with ANSI colour.
    pub color: bool,
    /// Warnings go to standard error too: the report itself will not show them to a person
    /// (it is a file, or a machine format).
    pub warnings_to_stderr: bool,
}

/// A combination of flags that cannot work.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl ReportConfig {
    /// Decides everything the flags imply. `stdout_is_terminal` and `env` (a variable's value
    /// by name) are the world the decisions depend on, passed in so tests can set them.
    pub fn new(
        args: &ReportArgs,
        stdout_is_terminal: bool,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ReportConfig, ConfigError> {
        let fail_on = fail_on(args.fail_on, args.baseline.is_some())?;
        Ok(ReportConfig {
            profiles: args
                .profiles
                .iter()
                .map(|path| ProfileSource::parse(path))
                .collect(),
            labels: LabelKeys {
                group: args.group_by_label.clone(),
                instance: args.instance_label.clone(),
            },
            threshold: args.threshold,
            confirmed_below_threshold: !args.hide_confirmed_below_threshold,
            progress: !args.no_progress,
            max_decompressed_size: args.max_decompressed_size,
            source: args.repo.as_ref().map(|repo| SourceConfig {
                repo: repo.clone(),
                rev: args.rev.clone(),
            }),
            scope: Scope {
                include_std: args.include_std,
                include_deps: args.include_deps,
            },
            rules: RulesConfig {
                files: args.rules.clone(),
                repo_rules: !args.no_repo_rules,
                builtin: !args.no_builtin_rules,
                today: args.today.unwrap_or_else(Date::today),
            },
            ctx_done_bounds: !args.no_ctx_done,
            baseline: args.baseline.clone(),
            fail_on,
            fail_verdict: match args.fail_on_verdict {
                VerdictArg::Proven => Verdict::Proven,
                VerdictArg::Likely => Verdict::Likely,
                VerdictArg::Possible => Verdict::Possible,
            },
            owner: args.owner.clone(),
            show_other_blocking: args.show_other_blocking,
            lint: args.lint,
            output: OutputConfig::new(
                args.format,
                args.output.as_deref(),
                args.color,
                stdout_is_terminal,
                env,
            ),
        })
    }
}

/// The fail-on policy: as given, else `new` with a baseline and `any` without; `new` needs a
/// baseline.
pub fn fail_on(given: Option<FailOn>, baseline: bool) -> Result<FailOn, ConfigError> {
    if given == Some(FailOn::New) && !baseline {
        return Err(ConfigError(
            "--fail-on new needs --baseline OLD.json".into(),
        ));
    }
    Ok(given.unwrap_or(if baseline { FailOn::New } else { FailOn::Any }))
}

impl OutputConfig {
    /// Where the report goes and how: colour only on a terminal without NO_COLOR (unless
    /// asked), warnings on stderr too when the report will not show them to a person.
    pub fn new(
        format: OutputFormat,
        path: Option<&Path>,
        color: ColorChoice,
        stdout_is_terminal: bool,
        env: impl Fn(&str) -> Option<String>,
    ) -> OutputConfig {
        let to_terminal = path.is_none() && stdout_is_terminal;
        OutputConfig {
            format,
            path: path.map(Path::to_path_buf),
            color: match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => to_terminal && env("NO_COLOR").is_none(),
            },
            warnings_to_stderr: path.is_some() || format != OutputFormat::Text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_arguments_name_instances() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("profiles");
        std::fs::create_dir(&folder).unwrap();
        let odd = dir.path().join("a=b");
        std::fs::create_dir(&odd).unwrap();
        let shown = |path: &Path| path.to_str().unwrap().to_string();
        let parse = |text: String| ProfileSource::parse(Path::new(&text));
        assert_eq!(parse(shown(&folder)).instance, None);
        let named = parse(format!("web-1={}", shown(&folder)));
        assert_eq!(
            (named.instance.as_deref(), named.path),
            (Some("web-1"), folder.clone())
        );
        // A path that exists wins, even with a `=` in it.
        assert_eq!(parse(shown(&odd)).instance, None);
        // Neither exists: the path as given, for the reader to complain about.
        assert_eq!(parse("x=/no/such".into()).instance, None);
        assert_eq!(parse(format!("a/b={}", shown(&folder))).instance, None);
    }
}
