//! `leakprof lint`: the leak patterns the Go source alone shows, before anything runs.
//!
//! The Go files at the revision are read with the reader `report --repo` uses (git objects,
//! or a plain folder), by the go command's path rules ([`files`]), one package at a time and
//! packages in parallel (each worker opens its own handle on the repository: a git
//! repository is not shared between threads). A file that cannot hold a channel operation
//! is not parsed unless a finding in its package needs the whole package to stand. Every
//! channel operation is classified by [`crate::source::patterns::lint`], and what it finds
//! is handed to the pipeline ([`crate::pipeline::lint`]) to become findings like a profile's.

pub mod config;
pub mod diff;
pub mod files;
pub mod names;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::blocking::Op;
use crate::model::{ChannelEvidence, Pattern, SourceContext, SourceEvidence, Warning};
use crate::source::analyze::ParsedFile;
use crate::source::paths::{Module, module_path};
use crate::source::patterns::{self, PackageFile};
use crate::source::repo::{RepoError, Source};
use crate::source::{PlaceRef, inline_ignore};
use diff::{Changed, DiffError};

/// What to lint.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Repository-relative paths (see [`files::normalize`]); the whole revision when empty.
    pub paths: Vec<String>,
    /// Only these files' operations are reported (their packages are read for context):
    /// `report --lint` lints the files profile findings point to.
    pub only: Option<BTreeSet<String>>,
    /// `--diff BASE`: only what the changes since BASE touch.
    pub diff: Option<String>,
}

/// One operation the source alone shows can wait forever.
#[derive(Clone, Debug)]
pub struct Found {
    /// Repository-relative.
    pub file: String,
    pub line: u32,
    pub op: Op,
    /// As the runtime would name it (`example.com/app/orders.handle.func1`).
    pub function: String,
    pub pattern: Pattern,
    /// `file:line` of the `go` statement that starts the goroutine.
    pub created_at: Option<String>,
    pub evidence: SourceEvidence,
    /// The operation's own syntax, for its id.
    pub syntax: Option<String>,
    /// Which of the function's textually identical operations it is, for its id.
    pub twin: Option<u32>,
    /// The reason of a `//leakprof:ignore` at the operation.
    pub ignore: Option<String>,
}

/// What a lint run found and read.
#[derive(Debug, Default)]
pub struct Linted {
    /// By file, then line.
    pub findings: Vec<Found>,
    /// Go files read (generated files left out).
    pub files: usize,
    pub packages: usize,
    /// With `--diff`: the commit BASE resolved to.
    pub diff_commit: Option<String>,
    pub warnings: Vec<Warning>,
}

/// Errors that stop a lint run.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("{0}")]
    Repo(#[from] RepoError),
    #[error("{}: no Go file to lint at {revision} under {} (vendor/, testdata/ and folders named with a leading . or _ are left out unless named)", paths.join(", "), if paths.len() == 1 { "this path" } else { "these paths" })]
    NoGoFiles {
        paths: Vec<String>,
        revision: String,
    },
    #[error("--diff needs a git repository, but {} is a plain folder", root.display())]
    DiffOfFolder { root: PathBuf },
    #[error("{0}")]
    Diff(#[from] DiffError),
}

/// Lints `source` within `scope`.
pub fn lint(source: &Source, scope: &Scope) -> Result<Linted, LintError> {
    let revision = source.describe();
    let all = source.files()?;
    let modules = modules(source, &all);
    let (mut by_dir, unmatched) = files::select(&all, &scope.paths);
    if !unmatched.is_empty() {
        return Err(LintError::NoGoFiles {
            paths: unmatched,
            revision,
        });
    }
    let changed = match (&scope.diff, source) {
        (None, _) => None,
        (
            Some(base),
            Source::Git {
                repo, tree, path, ..
            },
        ) => Some(diff::changed(
            repo,
            &path.display().to_string(),
            base,
            *tree,
        )?),
        (Some(_), Source::Folder { root, .. }) => {
            return Err(LintError::DiffOfFolder { root: root.clone() });
        }
    };
    // Only the packages whose files can be reported are read.
    by_dir.retain(|_, files| {
        files.iter().any(|file| {
            scope.only.as_ref().is_none_or(|only| only.contains(file))
                && changed
                    .as_ref()
                    .is_none_or(|changed| changed.lines.contains_key(file))
        })
    });
    let opener = Opener::of(source);
    let jobs = Jobs {
        only: scope.only.as_ref(),
        changed: changed.as_ref(),
        modules: &modules,
        revision: &revision,
    };
    let dirs: Vec<(&String, &Vec<String>)> = by_dir.iter().collect();
    let results: Vec<Linted> = dirs
        .par_iter()
        .map_init(
            || opener.open(),
            |source, (dir, files)| match source {
                Ok(source) => jobs.lint_dir(source, dir, files),
                Err(error) => Linted {
                    warnings: files
                        .iter()
                        .map(|file| Warning::LintSkipped {
                            place: file.clone(),
                            why: error.to_string(),
                        })
                        .collect(),
                    ..Linted::default()
                },
            },
        )
        .collect();
    let mut linted = Linted {
        diff_commit: changed.map(|changed| changed.base_commit),
        ..Linted::default()
    };
    for result in results {
        linted.findings.extend(result.findings);
        linted.files += result.files;
        linted.packages += result.packages;
        linted.warnings.extend(result.warnings);
    }
    linted
        .findings
        .sort_by(|a, b| (&a.file, a.line, a.op).cmp(&(&b.file, b.line, b.op)));
    Ok(linted)
}

/// The Go modules of the revision (every `go.mod` outside `vendor/`), nested ones first.
fn modules(source: &Source, files: &[String]) -> Vec<Module> {
    let mut modules: Vec<Module> = files
        .iter()
        .filter(|file| {
            (file.as_str() == "go.mod" || file.ends_with("/go.mod"))
                && !file.split('/').any(|part| part == "vendor")
        })
        .filter_map(|file| {
            let bytes = source.read(file).ok()??;
            let path = module_path(&String::from_utf8_lossy(&bytes))?;
            let dir = file.strip_suffix("go.mod").unwrap_or_default();
            Some(Module {
                path,
                dir: dir.trim_end_matches('/').to_string(),
            })
        })
        .collect();
    modules.sort_by(|a, b| {
        b.dir
            .len()
            .cmp(&a.dir.len())
            .then_with(|| a.dir.cmp(&b.dir))
    });
    modules
}

/// How each worker opens its own handle on the source.
enum Opener {
    Git { path: PathBuf, commit: String },
    Folder { root: PathBuf },
}

impl Opener {
    fn of(source: &Source) -> Opener {
        match source {
            Source::Git { path, commit, .. } => Opener::Git {
                path: path.clone(),
                commit: commit.to_string(),
            },
            Source::Folder { root, .. } => Opener::Folder { root: root.clone() },
        }
    }

    fn open(&self) -> Result<Source, RepoError> {
        match self {
            Opener::Git { path, commit } => Source::open(path, Some(commit)),
            Opener::Folder { root } => Source::open(root, None),
        }
    }
}

/// What every worker shares.
struct Jobs<'a> {
    only: Option<&'a BTreeSet<String>>,
    changed: Option<&'a Changed>,
    modules: &'a [Module],
    revision: &'a str,
}

/// One file of a package, read.
struct Read {
    path: String,
    text: String,
}

impl Jobs<'_> {
    /// Reads and lints the packages of one folder.
    fn lint_dir(&self, source: &Source, dir: &str, paths: &[String]) -> Linted {
        let mut linted = Linted::default();
        let mut packages: BTreeMap<String, Vec<Read>> = BTreeMap::new();
        for path in paths {
            let text = match source.read(path) {
                Ok(Some(bytes)) => match String::from_utf8(bytes) {
                    Ok(text) => text,
                    Err(_) => {
                        linted.warnings.push(Warning::LintSkipped {
                            place: path.clone(),
                            why: "not UTF-8".into(),
                        });
                        continue;
                    }
                },
                Ok(None) => continue,
                Err(error) => {
                    linted.warnings.push(Warning::LintSkipped {
                        place: path.clone(),
                        why: error.to_string(),
                    });
                    continue;
                }
            };
            if files::is_generated(&text) {
                continue;
            }
            let Some(name) = files::package_name(&text).map(str::to_string) else {
                linted.warnings.push(Warning::LintSkipped {
                    place: path.clone(),
                    why: "no package clause".into(),
                });
                continue;
            };
            linted.files += 1;
            packages.entry(name).or_default().push(Read {
                path: path.clone(),
                text,
            });
        }
        linted.packages = packages.len();
        for (name, files) in &packages {
            let package = names::package_path(self.modules, dir, name);
            self.lint_package(files, &package, &mut linted);
        }
        linted
    }

    /// Lints one package: the files that can hold channel operations first, alone; the whole
    /// package only when they show something, so that what the other files hold (a call of a
    /// `Stop`, a close) is weighed before anything is reported.
    fn lint_package(&self, files: &[Read], package: &str, linted: &mut Linted) {
        let reported: Vec<usize> = files
            .iter()
            .enumerate()
            .filter(|(_, file)| {
                files::may_hold_channels(&file.text)
                    && self.only.is_none_or(|only| only.contains(&file.path))
                    && self
                        .changed
                        .is_none_or(|changed| changed.lines.contains_key(&file.path))
            })
            .map(|(index, _)| index)
            .collect();
        if reported.is_empty() {
            return;
        }
        let candidates: Vec<usize> = (0..files.len())
            .filter(|&index| files::may_hold_channels(&files[index].text))
            .collect();
        let parsed: Vec<ParsedFile<'_>> = candidates
            .iter()
            .map(|&index| ParsedFile::parse(&files[index].text))
            .collect();
        let part: Vec<PackageFile<'_>> = candidates
            .iter()
            .zip(&parsed)
            .map(|(&index, parsed)| PackageFile {
                path: &files[index].path,
                parsed,
            })
            .collect();
        let which: Vec<usize> = reported
            .iter()
            .filter_map(|index| candidates.iter().position(|candidate| candidate == index))
            .collect();
        let (found, wanted) =
            patterns::lint::lint_package(&part, &which, None, candidates.len() == files.len());
        if found.is_empty() {
            return;
        }
        // The other files hold no channel operation: they can only take a finding back (a
        // call of the method that closes a channel) or tell more about it, and only through
        // a name the package was searched for. Those that hold one are added, and only what
        // the first look found is weighed again. `whole` keeps `part`'s indexes.
        let extra: Vec<usize> = (0..files.len())
            .filter(|index| !candidates.contains(index))
            .filter(|&index| {
                wanted
                    .iter()
                    .any(|name| files[index].text.contains(name.as_str()))
            })
            .collect();
        if extra.is_empty() {
            self.report(&part, found, package, linted);
            return;
        }
        let rest: Vec<ParsedFile<'_>> = extra
            .iter()
            .map(|&index| ParsedFile::parse(&files[index].text))
            .collect();
        let mut whole = part;
        whole.extend(extra.iter().zip(&rest).map(|(&index, parsed)| PackageFile {
            path: &files[index].path,
            parsed,
        }));
        let first: BTreeSet<(usize, u32)> =
            found.iter().map(|item| (item.file, item.line)).collect();
        let (found, _) = patterns::lint::lint_package(&whole, &which, Some(&first), true);
        self.report(&whole, found, package, linted);
    }

    /// What was found in a package, as the pipeline takes it: the runtime's name of the
    /// function, the line as the source shows it, an inline ignore; with `--diff`, only what
    /// the changes touch.
    fn report(
        &self,
        files: &[PackageFile<'_>],
        found: Vec<patterns::lint::Linted>,
        package: &str,
        linted: &mut Linted,
    ) {
        let touched: BTreeMap<&str, Vec<RangeInclusive<u32>>> = match self.changed {
            Some(changed) => files
                .iter()
                .filter_map(|file| {
                    let lines = changed.lines.get(file.path)?;
                    let go = file.parsed.go()?;
                    Some((file.path, diff::touched_declarations(&go, lines)))
                })
                .collect(),
            None => BTreeMap::new(),
        };
        let in_change = |file: &str, line: u32| {
            touched
                .get(file)
                .is_some_and(|spans| spans.iter().any(|span| span.contains(&line)))
        };
        for item in found {
            let Some(file) = files.get(item.file) else {
                continue;
            };
            if self.changed.is_some()
                && !in_change(file.path, item.line)
                && !item
                    .pattern
                    .evidence
                    .iter()
                    .any(|line| in_change(&line.file, line.line))
            {
                continue;
            }
            let analysis = file.parsed.analyze(item.line, item.op);
            if !analysis.problems.is_empty() {
                linted.warnings.push(Warning::LintSkipped {
                    place: format!("{}:{}", file.path, item.line),
                    why: format!(
                        "cannot parse the source at {} around this line ({})",
                        self.revision,
                        analysis.problems.join("; ")
                    ),
                });
                continue;
            }
            let function = file
                .parsed
                .go()
                .and_then(|go| {
                    let (node, _) = go.operation_at(item.line, item.op)?;
                    Some(names::function_name(&go, node, package))
                })
                .unwrap_or_else(|| format!("{package}.?"));
            let place = PlaceRef {
                file: file.path,
                line: item.line,
                function: &function,
                op: item.op,
                creator: None,
                caller: None,
            };
            let ignore = inline_ignore(&place, file.parsed.text(), &mut linted.warnings);
            linted.findings.push(Found {
                file: file.path.to_string(),
                line: item.line,
                op: item.op,
                function,
                created_at: item.created_at,
                evidence: SourceEvidence {
                    snippet: analysis.snippet,
                    span: analysis.span,
                    context: SourceContext::around(file.parsed.text(), item.line),
                    function: analysis.function,
                    channel: analysis.channel.map(|made| ChannelEvidence {
                        name: made.name,
                        line: made.line,
                        capacity: made.capacity,
                    }),
                    notes: analysis.notes,
                },
                syntax: analysis.syntax,
                twin: analysis.twin,
                ignore,
                pattern: item.pattern,
            });
        }
    }
}
