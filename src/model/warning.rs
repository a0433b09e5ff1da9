//! Warnings: problems with one item (a profile, a source file, a rule) that did not stop the
//! run. Each is a variant with the facts it needs; `Display` is the sentence people read, and
//! JSON carries that sentence (the report's `warnings` are strings).

use std::fmt;

use serde::{Serialize, Serializer};

use crate::blocking::Op;

/// The marker of an inline ignore, as written in Go comments.
pub const IGNORE_MARKER: &str = "//leakprof:ignore";

/// A place as warnings name it: `file:line (function)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceName {
    pub file: String,
    pub line: u32,
    pub function: String,
}

impl fmt::Display for PlaceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} ({})", self.file, self.line, self.function)
    }
}

/// Why a source file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceProblem {
    NotUtf8,
    Missing,
    Unreadable(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// One profile among several could not be read; the run went on without it.
    UnreadableProfile {
        path: String,
        error: String,
    },
    /// A folder given to `--profile` could not be listed, or holds no files.
    ProfileFolder {
        path: String,
        problem: String,
    },
    /// A temporary file of an interrupted `collect`, left out.
    PartialProfile {
        path: String,
    },
    /// Text dumps carry no time: their files' modification times stood in.
    TimeFromFile {
        profiles: usize,
        /// Other snapshots carry their own time, so these stay out of the time series.
        left_out: bool,
    },
    /// A profile was read, with a problem (e.g. a dump cut off at 64 MiB).
    Profile {
        path: String,
        message: String,
    },
    /// Own code whose file could not be found at the revision.
    SourceNotFound {
        place: PlaceName,
        why: String,
        revision: String,
    },
    /// A source file that exists but could not be read.
    SourceUnreadable {
        place: PlaceName,
        path: String,
        revision: String,
        problem: SourceProblem,
    },
    /// Syntax errors near the line: nothing is suppressed on its strength.
    SourceUnparseable {
        file: String,
        line: u32,
        revision: String,
        problems: Vec<String>,
    },
    /// The line holds another operation than the profile names (or none).
    SourceMismatch {
        file: String,
        line: u32,
        revision: String,
        profile_op: Op,
        holds: Option<Op>,
    },
    /// `//leakprof:ignore` without a reason suppresses nothing.
    IgnoreWithoutReason {
        file: String,
        line: u32,
    },
    /// An inline ignore that applies to no place of the profiles: the leak was fixed or the
    /// code moved.
    IgnoreUnused {
        file: String,
        line: u32,
        /// It speaks for the line below too.
        alone: bool,
    },
    /// A rule or an inline ignore suppressed goroutines the garbage collector proved leaked.
    ProvenLeakSuppressed {
        file: String,
        line: u32,
        leaked: u64,
        /// `rule ID` or `//leakprof:ignore`.
        by: String,
    },
    /// A rule matched a place with more goroutines than it allows.
    RuleOverBound {
        rule: String,
        origin: String,
        max: u64,
        file: String,
        line: u32,
        goroutines: u64,
    },
    RuleExpired {
        rule: String,
        origin: String,
        expires: String,
        matched: u64,
    },
    RuleUnused {
        rule: String,
        origin: String,
    },
    /// A format that places findings in the repository shows some by their build path: the
    /// report was made without `--repo`, or their files were not found in it.
    UnplacedFindings {
        format: &'static str,
        count: usize,
        example: String,
        /// Who cannot place them: `code scanning`, `GitLab`, ….
        consumer: &'static str,
        /// `--repo` as given, when it was: their files are not in it.
        repo: Option<String>,
    },
    /// A baseline whose ids were made by another recipe: every finding compares as new.
    BaselineIdVersion {
        path: String,
        found: Option<u64>,
    },
    /// `--owner` names no owner of any place found.
    OwnerOwnsNothing {
        owner: String,
        known: bool,
    },
    /// A CODEOWNERS line GitHub would ignore.
    CodeOwnersLine {
        location: String,
        line: usize,
        problem: String,
    },
    /// A Go file (`file`) or an operation (`file:line`) that `lint` could not read or trust.
    LintSkipped {
        place: String,
        why: String,
    },
}

/// Where a warning points, for the formats that place what they report (GitLab Code Quality,
/// GitHub annotations, the one-line format).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarningPlace<'a> {
    pub file: &'a str,
    pub line: u32,
    /// A Go file of the repository, relative to `--repo` as findings' files are; else a file
    /// named as the user gave it (a rules file, a profile, a baseline).
    pub in_source: bool,
}

impl Warning {
    /// The file and line the warning is about, when it names one.
    pub fn place(&self) -> Option<WarningPlace<'_>> {
        fn source(file: &str, line: u32) -> Option<WarningPlace<'_>> {
            Some(WarningPlace {
                file,
                line,
                in_source: true,
            })
        }
        fn other(file: &str, line: u32) -> Option<WarningPlace<'_>> {
            Some(WarningPlace {
                file,
                line,
                in_source: false,
            })
        }
        // A rule's origin is `FILE:LINE`.
        fn origin(origin: &str) -> Option<WarningPlace<'_>> {
            match origin.rsplit_once(':') {
                Some((file, line)) => match line.parse() {
                    Ok(line) => other(file, line),
                    Err(_) => other(origin, 1),
                },
                None => other(origin, 1),
            }
        }
        match self {
            Warning::SourceNotFound { place, .. } | Warning::SourceUnreadable { place, .. } => {
                source(&place.file, place.line)
            }
            Warning::SourceUnparseable { file, line, .. }
            | Warning::SourceMismatch { file, line, .. }
            | Warning::IgnoreWithoutReason { file, line }
            | Warning::IgnoreUnused { file, line, .. }
            | Warning::ProvenLeakSuppressed { file, line, .. }
            | Warning::RuleOverBound { file, line, .. } => source(file, *line),
            Warning::RuleExpired { origin: at, .. } | Warning::RuleUnused { origin: at, .. } => {
                origin(at)
            }
            Warning::UnreadableProfile { path, .. }
            | Warning::ProfileFolder { path, .. }
            | Warning::PartialProfile { path }
            | Warning::Profile { path, .. }
            | Warning::BaselineIdVersion { path, .. } => other(path, 1),
            Warning::CodeOwnersLine { location, line, .. } => {
                other(location, u32::try_from(*line).unwrap_or(u32::MAX))
            }
            // `FILE` or `FILE:LINE` of the repository.
            Warning::LintSkipped { place, .. } => match place.rsplit_once(':') {
                Some((file, line)) => match line.parse() {
                    Ok(line) => source(file, line),
                    Err(_) => source(place, 1),
                },
                None => source(place, 1),
            },
            Warning::TimeFromFile { .. }
            | Warning::UnplacedFindings { .. }
            | Warning::OwnerOwnsNothing { .. } => None,
        }
    }

    /// A leak the garbage collector proved was hidden: as serious as a finding.
    pub fn hides_proven_leak(&self) -> bool {
        matches!(self, Warning::ProvenLeakSuppressed { .. })
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UnreadableProfile { path, error } => write!(f, "{path}: {error}"),
            Warning::ProfileFolder { path, problem } => write!(f, "{path}: {problem}"),
            Warning::PartialProfile { path } => write!(
                f,
                "{path}: left out, a profile `leakprof collect` was still writing when it stopped"
            ),
            Warning::Profile { path, message } => write!(f, "{path}: {message}"),
            Warning::TimeFromFile { profiles, left_out } => {
                let (dumps, its, they) = match profiles {
                    1 => ("1 text dump carries".to_string(), "its", "it is"),
                    n => (format!("{n} text dumps carry"), "their", "they are"),
                };
                let hint = "name text dumps as `leakprof collect` names profiles, \
                            goroutine-YYYYMMDDTHHMMSSZ, to give them their time";
                if *left_out {
                    write!(
                        f,
                        "{dumps} no time of {its} own, so {they} left out of trends and rates, \
                         which the other profiles' own times make; {its} counts still count \
                         ({hint})"
                    )
                } else {
                    write!(
                        f,
                        "{dumps} no time of {its} own: the file's modification time stands in, \
                         which a copy or a checkout changes ({hint})"
                    )
                }
            }
            Warning::SourceNotFound {
                place,
                why,
                revision,
            } => write!(
                f,
                "{place}: {why} at {revision}; its source was not checked"
            ),
            Warning::SourceUnreadable {
                place,
                path,
                revision,
                problem,
            } => {
                write!(f, "{place}: ")?;
                match problem {
                    SourceProblem::NotUtf8 => write!(f, "{path} at {revision} is not UTF-8")?,
                    SourceProblem::Missing => write!(f, "{path} is missing at {revision}")?,
                    SourceProblem::Unreadable(error) => {
                        write!(f, "cannot read {path} at {revision}: {error}")?
                    }
                }
                write!(f, "; its source was not checked")
            }
            Warning::SourceUnparseable {
                file,
                line,
                revision,
                problems,
            } => write!(
                f,
                "{file}:{line}: cannot parse the source at {revision} around this line ({}); \
                 nothing is suppressed on its strength",
                problems.join("; ")
            ),
            Warning::SourceMismatch {
                file,
                line,
                revision,
                profile_op,
                holds,
            } => {
                let holds = match holds {
                    Some(op) => format!("a {} operation", op.as_str()),
                    None => "no channel operation".to_string(),
                };
                write!(
                    f,
                    "source at {revision} does not match the profile at {file}:{line}: the \
                     profile says {}, the line holds {holds}",
                    profile_op.as_str()
                )
            }
            Warning::IgnoreWithoutReason { file, line } => write!(
                f,
                "{file}:{line}: {IGNORE_MARKER} needs a reason \
                 (`{IGNORE_MARKER} <why this is not a leak>`); nothing suppressed"
            ),
            Warning::IgnoreUnused { file, line, alone } => {
                let lines = if *alone {
                    format!("lines {line} and {}", line + 1)
                } else {
                    format!("line {line}")
                };
                write!(
                    f,
                    "{file}:{line}: {IGNORE_MARKER} matches no finding (no goroutine in these \
                     profiles waits on {lines}); remove it once the leak it excused is fixed"
                )
            }
            Warning::ProvenLeakSuppressed {
                file,
                line,
                leaked,
                by,
            } => {
                write!(
                    f,
                    "{file}:{line}: {by} suppresses a leak the garbage collector proved ({} \
                     leaked there); fix the leak or narrow the suppression",
                    goroutines_count(*leaked)
                )
            }
            Warning::RuleOverBound {
                rule,
                origin,
                max,
                file,
                line,
                goroutines,
            } => write!(
                f,
                "rule {rule} ({origin}) allows fewer than {}, but {file}:{line} has \
                 {goroutines}: reported",
                goroutines_count(*max)
            ),
            Warning::RuleExpired {
                rule,
                origin,
                expires,
                matched,
            } => {
                write!(
                    f,
                    "rule {rule} ({origin}) expired on {expires} and no longer suppresses anything"
                )?;
                match matched {
                    0 => Ok(()),
                    1 => write!(f, " (1 matching finding)"),
                    n => write!(f, " ({n} matching findings)"),
                }
            }
            Warning::RuleUnused { rule, origin } => {
                write!(f, "rule {rule} ({origin}) matched no finding")
            }
            Warning::UnplacedFindings {
                format,
                count,
                example,
                consumer,
                repo,
            } => {
                let (findings, them, were) = if *count == 1 {
                    ("1 finding names its file".to_string(), "it", "its file was")
                } else {
                    (
                        format!("{count} findings name their files"),
                        "them",
                        "their files were",
                    )
                };
                match repo {
                    None => write!(
                        f,
                        "--format {format}: {findings} as the profile does ({example}), not \
                         from the repository's root, so {consumer} cannot place {them}; run \
                         with --repo PATH (and --rev REV) to map {them} into the repository"
                    ),
                    Some(repo) => write!(
                        f,
                        "--format {format}: {findings} as the profile does ({example}): \
                         {were} not found in the repository at {repo}, so {consumer} cannot \
                         place {them}; check that --repo is the checkout the service was built \
                         from (and --rev the revision it was built at)"
                    ),
                }
            }
            Warning::BaselineIdVersion { path, found } => {
                let made = match found {
                    Some(version) => format!("by id recipe v{version}"),
                    None => "before ids carried their recipe's version".to_string(),
                };
                write!(
                    f,
                    "{path}: its finding ids were made {made}, this leakprof makes them by v{}: \
                     every finding compares as new until the baseline is made again",
                    crate::model::id::ID_VERSION
                )
            }
            Warning::OwnerOwnsNothing { owner, known } => {
                write!(f, "--owner {owner} owns none of the places found")?;
                if !owner.starts_with('@') && !owner.contains('@') {
                    write!(
                        f,
                        "; CODEOWNERS names owners as @user, @org/team or an e-mail address"
                    )?;
                }
                if !known {
                    write!(f, "; no CODEOWNERS entry matched any place")?;
                }
                write!(f, ", so the empty report says nothing about this owner")
            }
            Warning::CodeOwnersLine {
                location,
                line,
                problem,
            } => write!(
                f,
                "{location}:{line}: {problem}; the line is ignored, as GitHub does"
            ),
            Warning::LintSkipped { place, why } => write!(f, "{place}: not linted: {why}"),
        }
    }
}

/// "1 goroutine", "2 goroutines".
fn goroutines_count(n: u64) -> String {
    if n == 1 {
        "1 goroutine".to_string()
    } else {
        format!("{n} goroutines")
    }
}

impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts read as English at 1 too (issue 14).
    #[test]
    fn plurals() {
        let bound = |max, goroutines| {
            Warning::RuleOverBound {
                rule: "r".into(),
                origin: "rules.yaml:3".into(),
                max,
                file: "x.go".into(),
                line: 7,
                goroutines,
            }
            .to_string()
        };
        assert_eq!(
            bound(1, 3),
            "rule r (rules.yaml:3) allows fewer than 1 goroutine, but x.go:7 has 3: reported"
        );
        assert!(bound(50, 80).contains("fewer than 50 goroutines"));
        let unplaced = |count, repo: Option<&str>| {
            Warning::UnplacedFindings {
                format: "sarif",
                count,
                example: "/b/x.go".into(),
                consumer: "code scanning",
                repo: repo.map(str::to_string),
            }
            .to_string()
        };
        assert_eq!(
            unplaced(1, None),
            "--format sarif: 1 finding names its file as the profile does (/b/x.go), not from \
             the repository's root, so code scanning cannot place it; run with --repo PATH \
             (and --rev REV) to map it into the repository"
        );
        assert!(unplaced(2, None).starts_with("--format sarif: 2 findings name their files as"));
        assert!(unplaced(2, None).contains("cannot place them; run with --repo PATH"));
        // --repo was given: its files are not in it.
        assert_eq!(
            unplaced(1, Some("testdata/huge")),
            "--format sarif: 1 finding names its file as the profile does (/b/x.go): its file \
             was not found in the repository at testdata/huge, so code scanning cannot place \
             it; check that --repo is the checkout the service was built from (and --rev the \
             revision it was built at)"
        );
        assert!(
            unplaced(3, Some("r"))
                .contains(": their files were not found in the repository at r, so code scanning cannot place them;")
        );
        let unused = |alone| {
            Warning::IgnoreUnused {
                file: "x.go".into(),
                line: 4,
                alone,
            }
            .to_string()
        };
        assert!(
            unused(true).contains("waits on lines 4 and 5)"),
            "{}",
            unused(true)
        );
        assert!(
            unused(false).contains("waits on line 4)"),
            "{}",
            unused(false)
        );
    }
}
