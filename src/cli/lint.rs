//! The flags of `leakprof lint`.

use std::path::PathBuf;

use clap::Args;

use super::values::{
    ColorChoice, FailOn, OutputFormat, OutputSpec, SarifSuppressed, parse_date, parse_output,
};
use crate::date::Date;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Go files or folders to lint, repository-relative (`pkg/orders`, `./pkg/...`); default:
    /// the whole revision. vendor/, testdata/ and folders named with a leading . or _ are
    /// left out unless named here; generated files (`// Code generated … DO NOT EDIT.`)
    /// always.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,

    /// The Go source: a git repository (with a work tree or bare) or a plain folder.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub repo: PathBuf,

    /// The revision to lint: any revision git understands. Read from git objects; the work
    /// tree is never touched. Default: HEAD.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,

    /// Lint only the functions changed between BASE and --rev (a git diff of the two
    /// trees): what a pull request adds, e.g. --diff origin/main.
    #[arg(long, value_name = "BASE")]
    pub diff: Option<String>,

    /// Output format of the report on standard output, or in a plain `--output FILE`
    /// [default: text].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    /// Write the report to FILE instead of standard output; `FORMAT:FILE` writes that format
    /// there (e.g. `sarif:lint.sarif`), and `FORMAT:-` to standard output. Repeat it to write
    /// several formats in one run. Files are replaced atomically.
    #[arg(long = "output", value_name = "[FORMAT:]FILE", value_parser = parse_output)]
    pub outputs: Vec<OutputSpec>,

    /// SARIF: leave suppressed findings out (`omit`) or write them with a `suppressions`
    /// entry (`include`), as for `report`.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = SarifSuppressed::Omit)]
    pub sarif_suppressed: SarifSuppressed,

    /// SARIF: the analysis category (`automationDetails.id`), e.g. `leakprof-lint`, so lint
    /// results and report results for one commit do not replace each other.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,

    /// Markdown: write code owners as @-mentions.
    #[arg(long)]
    pub mention_owners: bool,

    /// Markdown and HTML: link each place to its source with this URL (`{path}`, `{line}`,
    /// `{rev}`), as for `report`.
    #[arg(long, value_name = "TEMPLATE")]
    pub link_template: Option<String>,

    /// A YAML allowlist of known false positives, as for `report`. Repeatable; earlier files
    /// take precedence over later ones, all over the repository's and the built-in rules.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Do not read the repository's `.leakprof.yaml` (read at --rev).
    #[arg(long)]
    pub no_repo_rules: bool,

    /// Do not apply the built-in rules.
    #[arg(long)]
    pub no_builtin_rules: bool,

    /// Judge rule expiry against this day (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<Date>,

    /// An earlier JSON report of `lint`: findings whose `id` it has are not new, and only new
    /// reported findings make the exit code 1 (unless --fail-on says otherwise).
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,

    /// What makes the exit code 1: any reported finding, only new ones (needs --baseline), or
    /// never. Default: new with --baseline, else any.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub fail_on: Option<FailOn>,

    /// Keep only the findings this code owner (from CODEOWNERS at --rev) owns, e.g. @team.
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,

    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}
