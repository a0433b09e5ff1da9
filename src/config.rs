//! Every decision the command-line flags of `report` imply, settled once. The clap structs in
//! [`crate::cli`] say what was typed; [`ReportConfig`] says what to do: the fail-on policy
//! with its default, which reports go where and whether to paint them, the day rules expire
//! against. The pipeline and the renderers read these decisions, never the flags.

use std::path::{Path, PathBuf};

use crate::aggregate::LabelKeys;
use crate::cli::{
    ColorChoice, FailOn, OutputFormat, OutputSpec, ReportArgs, SarifSuppressed, Threshold,
    VerdictArg,
};
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
    /// Every report to write, in the order given; at most one goes to standard output.
    pub outputs: Vec<Output>,
    pub render: RenderOptions,
    /// Warnings go to standard error too: some report will not show them to a person (it is
    /// a file, or a machine format).
    pub warnings_to_stderr: bool,
    /// A one-line summary on standard error: the reports went to files, so the terminal
    /// would otherwise show nothing.
    pub summary_to_stderr: bool,
}

/// One report to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub format: OutputFormat,
    /// None: standard output.
    pub path: Option<PathBuf>,
    /// Paint it with ANSI colour (text only).
    pub color: bool,
}

/// What the renderers need beyond the report: decisions, not flags.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Markdown: owners as @-mentions rather than code.
    pub mention_owners: bool,
    /// Markdown and HTML: the `--link-template`, else links follow the remote.
    pub link_template: Option<String>,
    /// SARIF: suppressed findings become results with a `suppressions` entry.
    pub sarif_include_suppressed: bool,
    /// SARIF: `automationDetails.id`, ending with `/` (GitHub reads the category up to it).
    pub sarif_automation_id: Option<String>,
}

/// Whether to paint text on standard output with `--color auto`: a terminal, unless
/// `NO_COLOR` says not to (set and not empty, as no-color.org defines it) or `TERM=dumb`;
/// `CLICOLOR_FORCE` (set, not empty and not `0`) paints anywhere, but `NO_COLOR` still wins.
fn auto_color(stdout_is_terminal: bool, env: &impl Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| env(name).filter(|value| !value.is_empty());
    if set("NO_COLOR").is_some() {
        return false;
    }
    if set("CLICOLOR_FORCE").is_some_and(|value| value != "0") {
        return true;
    }
    stdout_is_terminal && env("TERM").as_deref() != Some("dumb")
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
        let output = OutputConfig::new(
            &OutputFlags {
                format: args.format,
                outputs: &args.outputs,
                color: args.color,
                sarif_suppressed: args.sarif_suppressed,
                sarif_category: args.sarif_category.as_deref(),
                mention_owners: args.mention_owners,
                link_template: args.link_template.as_deref(),
            },
            stdout_is_terminal,
            &env,
        )?;
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
            output,
            lint: args.lint,
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

/// The output flags `report` and `lint` share, as typed.
#[derive(Clone, Copy, Debug)]
pub struct OutputFlags<'a> {
    pub format: Option<OutputFormat>,
    pub outputs: &'a [OutputSpec],
    pub color: ColorChoice,
    pub sarif_suppressed: SarifSuppressed,
    pub sarif_category: Option<&'a str>,
    pub mention_owners: bool,
    pub link_template: Option<&'a str>,
}

impl OutputConfig {
    /// Which reports go where, painted or not, and what the renderers are told; the same
    /// decisions for `report` and `lint`.
    pub fn new(
        flags: &OutputFlags<'_>,
        stdout_is_terminal: bool,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<OutputConfig, ConfigError> {
        let outputs = outputs(flags, stdout_is_terminal, env)?;
        let summary_to_stderr = outputs.iter().all(|output| output.path.is_some());
        let warnings_to_stderr = outputs
            .iter()
            .any(|output| output.path.is_some() || output.format.is_machine());
        let sarif_automation_id = match flags.sarif_category.map(str::trim) {
            Some("") => {
                return Err(ConfigError(
                    "--sarif-category needs a name, e.g. leakprof/billing".into(),
                ));
            }
            Some(category) if category.ends_with('/') => Some(category.to_string()),
            Some(category) => Some(format!("{category}/")),
            None => None,
        };
        if let Some(template) = flags.link_template {
            check_link_template(template)?;
        }
        Ok(OutputConfig {
            outputs,
            render: RenderOptions {
                mention_owners: flags.mention_owners,
                link_template: flags.link_template.map(str::to_string),
                sarif_include_suppressed: flags.sarif_suppressed == SarifSuppressed::Include,
                sarif_automation_id,
            },
            warnings_to_stderr,
            summary_to_stderr,
        })
    }
}

/// The reports `--format` and `--output` ask for. Without `--output`, one report on standard
/// output; a plain `--output FILE` takes `--format`; `FORMAT:FILE` names its own, and then a
/// `--format` nothing takes is an error rather than ignored.
fn outputs(
    args: &OutputFlags<'_>,
    stdout_is_terminal: bool,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Vec<Output>, ConfigError> {
    let default = args.format.unwrap_or(OutputFormat::Text);
    let specs = if args.outputs.is_empty() {
        vec![OutputSpec {
            format: None,
            path: None,
        }]
    } else {
        args.outputs.to_vec()
    };
    if let Some(format) = args.format {
        if specs.iter().all(|spec| spec.format.is_some()) {
            return Err(ConfigError(format!(
                "--format {0} applies to no output: every --output names its format; add \
                 --output {0}:FILE (or {0}:- for standard output)",
                format.name()
            )));
        }
    }
    let mut seen = Vec::new();
    let mut to_stdout = 0;
    let mut outputs = Vec::new();
    for spec in specs {
        let format = spec.format.unwrap_or(default);
        match &spec.path {
            None => to_stdout += 1,
            Some(path) if seen.contains(path) => {
                return Err(ConfigError(format!(
                    "--output {} is given twice; each report needs its own file",
                    path.display()
                )));
            }
            Some(path) => seen.push(path.clone()),
        }
        let color = format == OutputFormat::Text
            && match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => spec.path.is_none() && auto_color(stdout_is_terminal, env),
            };
        outputs.push(Output {
            format,
            path: spec.path,
            color,
        });
    }
    if to_stdout > 1 {
        return Err(ConfigError(
            "only one --output can go to standard output (FORMAT:-)".into(),
        ));
    }
    Ok(outputs)
}

/// A template must say where the file goes; unknown placeholders are typos.
fn check_link_template(template: &str) -> Result<(), ConfigError> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        if !matches!(name, "path" | "line" | "rev") {
            return Err(ConfigError(format!(
                "--link-template {template:?}: unknown placeholder {{{name}}}; use {{path}}, \
                 {{line}} and {{rev}}"
            )));
        }
        rest = &rest[open + close + 1..];
    }
    if !(template.starts_with("https://") || template.starts_with("http://")) {
        return Err(ConfigError(format!(
            "--link-template {template:?} must be an http:// or https:// URL"
        )));
    }
    if !template.contains("{path}") {
        return Err(ConfigError(format!(
            "--link-template {template:?} has no {{path}}, so every link would be the same"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

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

    /// The config of `leakprof report --profile p ARGS` in `env`.
    fn config(
        args: &[&str],
        terminal: bool,
        env: &[(&str, &str)],
    ) -> Result<ReportConfig, ConfigError> {
        let argv = ["leakprof", "report", "--profile", "p"].iter().chain(args);
        let Command::Report(report) = Cli::try_parse_from(argv).unwrap().command else {
            panic!("not a report");
        };
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        ReportConfig::new(&report, terminal, |name| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        })
    }

    #[test]
    fn colour() {
        for (args, terminal, env, expected) in [
            (&[][..], true, &[][..], true),
            (&[], false, &[], false),
            (&[], true, &[("NO_COLOR", "1")], false),
            // An empty NO_COLOR is as if unset (no-color.org).
            (&[], true, &[("NO_COLOR", "")], true),
            (&[], true, &[("TERM", "dumb")], false),
            (&[], true, &[("TERM", "xterm-256color")], true),
            (&[], false, &[("CLICOLOR_FORCE", "1")], true),
            (&[], false, &[("CLICOLOR_FORCE", "0")], false),
            (&[], false, &[("CLICOLOR_FORCE", "")], false),
            (
                &[],
                true,
                &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
                false,
            ),
            (&["--color", "always"], false, &[("NO_COLOR", "1")], true),
            (
                &["--color", "never"],
                true,
                &[("CLICOLOR_FORCE", "1")],
                false,
            ),
            // Only text is painted, and a file only when asked to.
            (&["--format", "json"], true, &[], false),
            (
                &["--output", "r.txt"],
                true,
                &[("CLICOLOR_FORCE", "1")],
                false,
            ),
            (
                &["--output", "r.txt", "--color", "always"],
                false,
                &[],
                true,
            ),
        ] {
            let found = config(args, terminal, env).unwrap().output.outputs[0].color;
            assert_eq!(found, expected, "{args:?} terminal={terminal} {env:?}");
        }
    }

    #[test]
    fn outputs() {
        /// `(format, path)` of each output, or the error's first words.
        fn check(args: &[&str], expected: Result<&[(&str, Option<&str>)], &str>) {
            let found = config(args, false, &[]).map(|config| {
                config
                    .output
                    .outputs
                    .iter()
                    .map(|o| {
                        (
                            o.format.name(),
                            o.path.as_ref().map(|p| p.display().to_string()),
                        )
                    })
                    .collect::<Vec<_>>()
            });
            match (found, expected) {
                (Ok(found), Ok(expected)) => {
                    let expected: Vec<(&str, Option<String>)> = expected
                        .iter()
                        .map(|(format, path)| (*format, path.map(str::to_string)))
                        .collect();
                    let found: Vec<(&str, Option<String>)> = found;
                    assert_eq!(found, expected, "{args:?}");
                }
                (Err(error), Err(start)) => {
                    assert!(error.0.starts_with(start), "{args:?}: {}", error.0)
                }
                (found, _) => panic!("{args:?}: {:?}", found.map(|_| ()).map_err(|e| e.0)),
            }
        }
        check(&[], Ok(&[("text", None)]));
        check(&["--format", "json"], Ok(&[("json", None)]));
        check(
            &["--output", "r.json", "--format", "json"],
            Ok(&[("json", Some("r.json"))]),
        );
        check(
            &["--output", "sarif:a.sarif", "--output", "markdown:a.md"],
            Ok(&[("sarif", Some("a.sarif")), ("markdown", Some("a.md"))]),
        );
        check(
            &["--output", "sarif:a.sarif", "--output", "text:-"],
            Ok(&[("sarif", Some("a.sarif")), ("text", None)]),
        );
        check(
            &[
                "--format",
                "html",
                "--output",
                "sarif:a.sarif",
                "--output",
                "b.html",
            ],
            Ok(&[("sarif", Some("a.sarif")), ("html", Some("b.html"))]),
        );
        check(
            &["--format", "json", "--output", "sarif:a.sarif"],
            Err("--format json applies to no output"),
        );
        check(
            &["--output", "sarif:a", "--output", "json:a"],
            Err("--output a is given twice"),
        );
        check(
            &["--output", "sarif:-", "--output", "json:-"],
            Err("only one --output"),
        );
    }

    #[test]
    fn stderr_gets_a_summary_only_when_nothing_goes_to_stdout() {
        let summary = |args: &[&str]| config(args, false, &[]).unwrap().output.summary_to_stderr;
        assert!(!summary(&[]));
        assert!(summary(&["--output", "a.txt"]));
        assert!(summary(&["--output", "sarif:a", "--output", "markdown:b"]));
        assert!(!summary(&["--output", "sarif:a", "--output", "text:-"]));
    }

    #[test]
    fn sarif_categories_and_link_templates() {
        let id = |args: &[&str]| {
            config(args, false, &[])
                .map(|config| config.output.render.sarif_automation_id)
                .map_err(|error| error.0)
        };
        assert_eq!(id(&[]), Ok(None));
        assert_eq!(
            id(&["--sarif-category", "leakprof/billing"]),
            Ok(Some("leakprof/billing/".into()))
        );
        assert_eq!(id(&["--sarif-category", "svc/"]), Ok(Some("svc/".into())));
        assert!(id(&["--sarif-category", " "]).is_err());
        let template =
            |template: &str| config(&["--link-template", template], false, &[]).map(|_| ());
        assert!(template("https://git.example.com/r/src/{rev}/{path}#L{line}").is_ok());
        assert!(template("https://x/{path}").is_ok());
        assert!(template("https://x/{file}#L{line}").is_err());
        assert!(template("https://x/{rev}").is_err());
        assert!(template("javascript:alert(1)//{path}").is_err());
    }
}
