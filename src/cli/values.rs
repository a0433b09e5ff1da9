//! The values flags take: output formats and `--output` specs, the threshold, the exit and
//! SARIF policies, colour; and the parsers of dates, sizes and durations.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::date::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// For a pull-request comment or an issue filed to the owner.
    Markdown,
    /// One self-contained page with charts of goroutines over time.
    Html,
    /// GitLab Code Quality (CodeClimate JSON), for the merge request widget.
    Codeclimate,
    /// GitHub Actions workflow commands (`::error file=…`): annotations without SARIF.
    Github,
    /// One line per finding, `file:line:col: severity: message [rule]`, for editors,
    /// reviewdog and problem matchers.
    Concise,
}

impl OutputFormat {
    /// The name `--format` and `--output FORMAT:FILE` take.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Html => "html",
            OutputFormat::Codeclimate => "codeclimate",
            OutputFormat::Github => "github",
            OutputFormat::Concise => "concise",
        }
    }

    /// A format for machines: warnings also go to standard error, where people see them.
    pub fn is_machine(self) -> bool {
        !matches!(self, OutputFormat::Text)
    }
}

/// One `--output`: a format (or the one `--format` names) and where to write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Option<OutputFormat>,
    /// None: standard output (`-` or `FORMAT:-`).
    pub path: Option<PathBuf>,
}

/// `sarif:leaks.sarif`, `markdown:-` or a plain `leaks.json`. Text before the first `:` is a
/// format only when it names one, so a plain path may hold a colon (`./a:b.json`).
pub(super) fn parse_output(text: &str) -> Result<OutputSpec, String> {
    let (format, path) = match text.split_once(':') {
        Some((name, path)) => match OutputFormat::from_str(name, false) {
            Ok(format) => (Some(format), path),
            Err(_) => (None, text),
        },
        None => (None, text),
    };
    match (format, path) {
        (_, "") => Err(format!(
            "{text:?} names no file (use FORMAT:- for standard output)"
        )),
        (format, "-") => Ok(OutputSpec { format, path: None }),
        (format, path) => Ok(OutputSpec {
            format,
            path: Some(PathBuf::from(path)),
        }),
    }
}

/// What SARIF does with suppressed findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SarifSuppressed {
    /// Leave them out of the results; count them in the run's properties.
    Omit,
    /// Write them as results carrying a `suppressions` entry.
    Include,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    Fixed(u64),
    Auto,
}

pub(super) fn parse_threshold(text: &str) -> Result<Threshold, String> {
    if text == "auto" {
        return Ok(Threshold::Auto);
    }
    text.parse()
        .map(Threshold::Fixed)
        .map_err(|_| format!("{text:?} is not a number or `auto`"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when any finding is reported.
    Any,
    /// Exit 1 only for reported findings missing from the --baseline report.
    New,
    /// Exit 0 whatever is found (2 still means an error).
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerdictArg {
    Proven,
    Likely,
    Possible,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour text on a terminal, unless NO_COLOR is set and not empty or TERM is `dumb`;
    /// CLICOLOR_FORCE (set, not empty, not `0`) colours it anywhere.
    Auto,
    Always,
    Never,
}

pub(super) fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("{text:?} is not a date of the form YYYY-MM-DD"))
}

/// `1GiB`, `512MiB`, `100MB`, `4096` → bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 512MiB"))?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "kb" => 1_000,
        "m" | "mib" => 1 << 20,
        "mb" => 1_000_000,
        "g" | "gib" => 1 << 30,
        "gb" => 1_000_000_000,
        "t" | "tib" => 1 << 40,
        "tb" => 1_000_000_000_000,
        _ => {
            return Err(format!(
                "unknown unit in {text:?}; use B, KiB, MiB, GiB, KB, MB or GB"
            ));
        }
    };
    number
        .checked_mul(multiplier)
        .filter(|&size| size > 0)
        .ok_or_else(|| format!("{text:?} is out of range"))
}

/// `30s`, `5m`, `2h`, `250ms` → a duration.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 30s or 5m"))?;
    let seconds = match unit {
        "ms" => return Ok(std::time::Duration::from_millis(number)),
        "s" | "" => Some(number),
        "m" => number.checked_mul(60),
        "h" => number.checked_mul(3600),
        _ => return Err(format!("unknown unit in {text:?}; use ms, s, m or h")),
    };
    seconds
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| format!("{text:?} is out of range"))
}

#[cfg(test)]
mod tests;
