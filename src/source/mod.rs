//! The Go source at the profile's revision: the repository (git objects or a plain folder),
//! mapping profile paths to repository paths, and tree-sitter analysis of the lines findings
//! point to. Only the files that findings point to are read and parsed, each once.

pub mod analyze;
pub mod ignores;
pub mod paths;
pub mod patterns;
pub mod repo;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::blocking::Op;
use crate::model::warning::{PlaceName, SourceProblem};
use crate::model::{ChannelEvidence, Exclusion, Pattern, SourceContext, SourceEvidence, Warning};
use analyze::{Bound, Check, ParsedFile, Spawn};
use ignores::Marker;
use paths::{Mapped, PathMapper};
use patterns::{Classified, PackageFile, Target};
use repo::Source;

/// A place as the profile names it: what the source stage looks up.
#[derive(Clone, Copy, Debug)]
pub struct PlaceRef<'a> {
    pub file: &'a str,
    pub line: u32,
    pub function: &'a str,
    pub op: Op,
    /// The `go` statement that started the example goroutine, as the profile records it
    /// (debug=2 `created by`): function, file and line.
    pub creator: Option<(&'a str, &'a str, u32)>,
    /// The frame that called the blocking function, as the profile records it: function,
    /// file and line.
    pub caller: Option<(&'a str, &'a str, u32)>,
}

/// Where a place is in the repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Own code at this repository path.
    Own(String),
    /// Not own code; the repository path when the file is in the repository (vendored).
    Foreign {
        repo_path: Option<String>,
        exclusion: Exclusion,
    },
    /// Own code by its package, but its file is not at the revision (a warning says why).
    Missing,
}

impl Location {
    /// The repository-relative path, when the place maps into the repository.
    pub fn repo_path(&self) -> Option<&str> {
        match self {
            Location::Own(path) => Some(path),
            Location::Foreign { repo_path, .. } => repo_path.as_deref(),
            Location::Missing => None,
        }
    }
}

/// What the source at the revision says about one place.
#[derive(Clone, Debug)]
pub struct SourceCheck {
    pub location: Location,
    /// The line and what surrounds it, when the file was read.
    pub evidence: Option<SourceEvidence>,
    /// The op the source names where the profile could not (debug=1), or a range loop the
    /// profile saw as a receive.
    pub refined_op: Option<Op>,
    /// The line holds the operation the profile names and parses cleanly: only then may
    /// anything read from it suppress the place.
    pub trusted: bool,
    /// For a trusted select: every case that ends the wait by itself, in source order.
    pub bounds: Vec<Bound>,
    /// The reason of a `//leakprof:ignore <reason>` on a trusted line.
    pub ignore: Option<String>,
    /// The leak pattern the source shows at a trusted line.
    pub pattern: Option<Pattern>,
    /// Where the goroutine was started, `file:line`: the profile's `created by` frame mapped
    /// into the repository, else the `go` statement the source shows.
    pub created_at: Option<String>,
    /// The `go` statement at `created_at`, when it is in the place's package: whether a loop
    /// of a fixed count starts the goroutines (a worker pool).
    pub spawn: Option<Spawn>,
    /// The operation's own syntax, comments and spacing dropped, on a trusted line: what
    /// identifies it across builds, comments and moves.
    pub syntax: Option<String>,
    /// Which of the textually identical operations of its function this one is (from 1).
    pub twin: Option<u32>,
}

impl SourceCheck {
    fn at(location: Location) -> SourceCheck {
        SourceCheck {
            location,
            evidence: None,
            refined_op: None,
            trusted: false,
            bounds: Vec::new(),
            ignore: None,
            pattern: None,
            created_at: None,
            spawn: None,
            syntax: None,
            twin: None,
        }
    }
}

/// Maps every place into the repository and checks own code against its line: the op there,
/// the function around it, where its channel was made, the cases that bound a select, inline
/// ignores. Decides nothing: the pipeline weighs this evidence with the rest. Problems become
/// `warnings`; every inline ignore of the files read goes to `markers`, for the pipeline to
/// tell which apply to no place. Only the files places point to are read and parsed, each
/// once.
pub fn check(
    places: &[PlaceRef<'_>],
    source: &Source,
    mapper: &PathMapper,
    warnings: &mut Vec<Warning>,
    markers: &mut Vec<(String, Marker)>,
) -> Vec<SourceCheck> {
    let revision = source.describe();
    let name = |place: &PlaceRef<'_>| PlaceName {
        file: place.file.to_string(),
        line: place.line,
        function: place.function.to_string(),
    };
    // Repository file → indices of the places in it.
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut checks = Vec::with_capacity(places.len());
    for (index, place) in places.iter().enumerate() {
        let location = match mapper.map(place.file, place.function) {
            Mapped::Own(path) => {
                by_file.entry(path.clone()).or_default().push(index);
                Location::Own(path)
            }
            Mapped::Foreign { repo_path, why } => Location::Foreign {
                repo_path,
                exclusion: why,
            },
            Mapped::Missing { why } => {
                warnings.push(Warning::SourceNotFound {
                    place: name(place),
                    why,
                    revision: revision.clone(),
                });
                Location::Missing
            }
        };
        let mut check = SourceCheck::at(location);
        check.created_at = place.creator.map(|(function, file, line)| {
            let path = match mapper.map(file, function) {
                Mapped::Own(path) => path,
                Mapped::Foreign {
                    repo_path: Some(path),
                    ..
                } => path,
                _ => file.to_string(),
            };
            format!("{path}:{line}")
        });
        checks.push(check);
    }

    // The Go files of each package folder, read once for all the files with places in it.
    let mut packages: BTreeMap<String, Rc<Vec<(String, String)>>> = BTreeMap::new();
    for (path, indices) in by_file {
        let problem = match source.read(&path) {
            Ok(Some(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => {
                    markers.extend(
                        ignores::markers(&text)
                            .into_iter()
                            .map(|marker| (path.clone(), marker)),
                    );
                    let parsed = ParsedFile::parse(&text);
                    for &index in &indices {
                        let place = &places[index];
                        // The place as the repository names it.
                        let at = PlaceRef {
                            file: &path,
                            ..*place
                        };
                        check_place(&mut checks[index], &at, &parsed, &revision, warnings);
                        if let Some(evidence) = &mut checks[index].evidence {
                            evidence.context = SourceContext::around(&text, place.line);
                        }
                        if checks[index].trusted {
                            checks[index].ignore = inline_ignore(&at, &text, warnings);
                        }
                    }
                    let trusted: Vec<usize> = indices
                        .into_iter()
                        .filter(|&index| checks[index].trusted)
                        .collect();
                    if !trusted.is_empty() {
                        let read = ReadPackage {
                            source,
                            mapper,
                            cache: &mut packages,
                        };
                        tell_patterns(&path, &parsed, &trusted, places, &mut checks, read);
                    }
                    continue;
                }
                Err(_) => SourceProblem::NotUtf8,
            },
            Ok(None) => SourceProblem::Missing,
            Err(error) => SourceProblem::Unreadable(error.to_string()),
        };
        for index in indices {
            warnings.push(Warning::SourceUnreadable {
                place: PlaceName {
                    file: path.clone(),
                    ..name(&places[index])
                },
                path: path.clone(),
                revision: revision.clone(),
                problem: problem.clone(),
            });
        }
    }
    checks
}

/// The leak pattern of each trusted place in the file at `path`, read with the other files of
/// its package, and where its goroutine was started when the profile did not say.
fn tell_patterns(
    path: &str,
    parsed: &ParsedFile<'_>,
    indices: &[usize],
    places: &[PlaceRef<'_>],
    checks: &mut [SourceCheck],
    read: ReadPackage<'_>,
) {
    let mapper = read.mapper;
    let targets: Vec<(usize, Target)> = indices
        .iter()
        .map(|&index| {
            let place = &places[index];
            let caller_line = place.caller.and_then(|(function, file, line)| {
                (mapper.map(file, function) == Mapped::Own(path.to_string())).then_some(line)
            });
            let target = Target {
                line: place.line,
                op: checks[index].refined_op.unwrap_or(place.op),
                caller_line,
            };
            (index, target)
        })
        .collect();
    // The file alone first: most patterns stay within one function, and the other files of
    // a package of hundreds are read only for the names something searches them for.
    let alone = [PackageFile { path, parsed }];
    let mut told: Vec<(usize, Classified, BTreeSet<String>)> = targets
        .iter()
        .map(|(index, target)| {
            let (classified, wanted) = patterns::classify_part(&alone, 0, target);
            (*index, classified, wanted)
        })
        .collect();
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let named = |index: usize| go_statement_name(places[index].function);
    let needed = told.iter().any(|(index, classified, wanted)| {
        let started = checks[*index].created_at.is_some() || classified.created_at.is_some();
        !wanted.is_empty()
            || (!started && named(*index).is_some())
            || !parameter_functions(&checks[*index].bounds).is_empty()
    }) || checks.iter().any(|check| {
        // A go statement in another file of the package, for the pool's loop.
        check.created_at.as_deref().is_some_and(|at| {
            let file = at.rsplit_once(':').map_or(at, |(file, _)| file);
            file != path && file.rsplit_once('/').map_or("", |(dir, _)| dir) == dir
        })
    });
    // The other files of the package: a file that cannot be read is left out, and what it
    // would have shown stays unknown (a pattern needs every line of its case).
    let package = if needed {
        read.files(dir)
    } else {
        Rc::new(Vec::new())
    };
    let siblings: Vec<&(String, String)> =
        package.iter().filter(|(file, _)| file != path).collect();
    let mut parsed_siblings: Vec<Option<ParsedFile<'_>>> = siblings.iter().map(|_| None).collect();
    for ((_, target), (_, classified, wanted)) in targets.iter().zip(told.iter_mut()) {
        let mut included: BTreeSet<usize> = BTreeSet::new();
        loop {
            let more: Vec<usize> = siblings
                .iter()
                .enumerate()
                .filter(|(at, (_, text))| {
                    !included.contains(at) && wanted.iter().any(|name| text.contains(name))
                })
                .map(|(at, _)| at)
                .collect();
            if more.is_empty() {
                break;
            }
            for at in more {
                included.insert(at);
                if parsed_siblings[at].is_none() {
                    parsed_siblings[at] = Some(ParsedFile::parse(&siblings[at].1));
                }
            }
            let files = package_files(path, parsed, &siblings, &parsed_siblings, &included);
            let (again, more_wanted) = patterns::classify_part(&files, 0, target);
            *classified = again;
            *wanted = more_wanted;
        }
    }
    for ((index, classified, _), (_, target)) in told.into_iter().zip(&targets) {
        if checks[index].created_at.is_none() {
            checks[index].created_at = classified
                .created_at
                .map(|(file, line)| format!("{file}:{line}"));
        }
        // A named function's one go statement, and the calls of a function a bound arrives
        // through as a parameter, in the files that hold their names.
        let mut names = parameter_functions(&checks[index].bounds);
        names.extend(named(index).filter(|_| checks[index].created_at.is_none()));
        let mut wanted: BTreeSet<usize> = siblings
            .iter()
            .enumerate()
            .filter(|(_, (_, text))| names.iter().any(|name| text.contains(name)))
            .map(|(at, _)| at)
            .collect();
        // The file of the go statement, for the loop around it.
        let started_in = checks[index]
            .created_at
            .as_deref()
            .and_then(|at| at.rsplit_once(':'))
            .map(|(file, _)| file.to_string());
        wanted.extend(
            siblings
                .iter()
                .position(|(file, _)| Some(file) == started_in.as_ref()),
        );
        for &at in &wanted {
            if parsed_siblings[at].is_none() {
                parsed_siblings[at] = Some(ParsedFile::parse(&siblings[at].1));
            }
        }
        let files = package_files(path, parsed, &siblings, &parsed_siblings, &wanted);
        let check = &mut checks[index];
        check.pattern = classified.pattern;
        if check.created_at.is_none() {
            check.created_at = only_go_statement(&files, places[index].function);
        }
        check.spawn = check.created_at.as_deref().and_then(|at| {
            let (file, line) = at.rsplit_once(':')?;
            let line = line.parse().ok()?;
            let found = files.iter().find(|candidate| candidate.path == file)?;
            found.parsed.spawn(line)
        });
        let callers = [
            check.created_at.clone(),
            target.caller_line.map(|line| format!("{path}:{line}")),
        ];
        settle_parameters(&mut check.bounds, &files, &callers);
    }
}

/// The short names of the functions whose parameters unverified bounds arrive through: the
/// package files that hold a call of them are read to follow the bound to its caller.
fn parameter_functions(bounds: &[Bound]) -> Vec<&str> {
    bounds
        .iter()
        .filter_map(|bound| match &bound.check {
            Check::Unverified {
                parameter: Some(parameter),
                ..
            } if parameter.function != "a func literal" => Some(
                parameter
                    .function
                    .rsplit(['.', ')'])
                    .next()
                    .unwrap_or(&parameter.function),
            ),
            _ => None,
        })
        .collect()
}

/// A bound that arrives as a parameter, followed to a caller the profile or the source names
/// (the `go` statement that started the goroutine, the frame below the wait): what it passes
/// settles whether the bound can fire, and the reason names where it comes from.
fn settle_parameters(bounds: &mut [Bound], files: &[PackageFile<'_>], callers: &[Option<String>]) {
    for bound in bounds {
        let Check::Unverified {
            parameter: Some(parameter),
            why,
            ..
        } = &bound.check
        else {
            continue;
        };
        // The callers the profile or the source named; else the one call of the function in
        // its package, when there is exactly one.
        let only_call = (parameter.function != "a func literal")
            .then(|| {
                let short = parameter
                    .function
                    .rsplit(['.', ')'])
                    .next()
                    .unwrap_or(&parameter.function);
                let mut calls = files.iter().flat_map(|file| {
                    file.parsed
                        .calls_of(short)
                        .into_iter()
                        .map(move |line| format!("{}:{line}", file.path))
                });
                let first = calls.next()?;
                calls.next().is_none().then_some(first)
            })
            .flatten();
        let settled = callers
            .iter()
            .flatten()
            .chain(&only_call)
            .find_map(|caller| {
                let (file, line) = caller.rsplit_once(':')?;
                let line: u32 = line.parse().ok()?;
                let found = files.iter().find(|candidate| candidate.path == file)?;
                let check = found.parsed.argument_check(line, parameter)?;
                Some((check, format!("{file}:{line}")))
            });
        let Some((check, at)) = settled else {
            continue;
        };
        let name = &parameter.name;
        bound.check = match check {
            Check::Fires => Check::Fires,
            Check::Never { why, line } => Check::Never {
                why: format!("{name} comes from the call at {at}, where {why}"),
                line,
            },
            Check::Unverified { why: further, .. } => {
                Check::unverified(format!("{why}; the call at {at} passes it on: {further}"))
            }
        };
    }
}

/// Reads the Go files of a package folder, once per run of the source stage.
struct ReadPackage<'a> {
    source: &'a Source,
    mapper: &'a PathMapper,
    cache: &'a mut BTreeMap<String, Rc<Vec<(String, String)>>>,
}

impl ReadPackage<'_> {
    /// Every Go file of the folder `dir` that reads as UTF-8: path and text. A file that
    /// cannot be read is left out, and what it would have shown stays unknown (a pattern
    /// needs every line of its case).
    fn files(self, dir: &str) -> Rc<Vec<(String, String)>> {
        let ReadPackage {
            source,
            mapper,
            cache,
        } = self;
        cache
            .entry(dir.to_string())
            .or_insert_with(|| {
                let files = match git_folder(source, dir) {
                    Some(files) => files,
                    None => mapper
                        .go_files_in(dir)
                        .into_iter()
                        .filter_map(|file| Some((file.to_string(), source.read(file).ok()??)))
                        .collect(),
                };
                let texts = files
                    .into_iter()
                    .filter_map(|(file, bytes)| Some((file, String::from_utf8(bytes).ok()?)))
                    .collect();
                Rc::new(texts)
            })
            .clone()
    }
}

/// The Go files of the folder `dir` of a git revision, with the folder's tree looked up once
/// (reading each by its path would walk the trees above it again, file after file). None for
/// a plain folder, which [`Source::read`] reads with its own guards.
fn git_folder(source: &Source, dir: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let Source::Git { repo, tree, .. } = source else {
        return None;
    };
    let root = repo.find_tree(*tree).ok()?;
    let folder = if dir.is_empty() {
        root
    } else {
        let entry = root.get_path(std::path::Path::new(dir)).ok()?;
        repo.find_tree(entry.id()).ok()?
    };
    let odb = repo.odb().ok()?;
    let mut files = Vec::new();
    for entry in folder.iter() {
        let Some(name) = entry.name().ok().filter(|name| name.ends_with(".go")) else {
            continue;
        };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            continue;
        }
        // The size from the object's header, before inflating it: a file too large to read
        // is left out, as the source stage leaves it out.
        let small = odb
            .read_header(entry.id())
            .is_ok_and(|(size, _)| size as u64 <= repo::MAX_FILE_SIZE);
        let Some(blob) = small.then(|| repo.find_blob(entry.id()).ok()).flatten() else {
            continue;
        };
        let path = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        files.push((path, blob.content().to_vec()));
    }
    Some(files)
}

/// The file and the parsed siblings in `included`, as a package to search.
fn package_files<'a>(
    path: &'a str,
    parsed: &'a ParsedFile<'a>,
    siblings: &[&'a (String, String)],
    parsed_siblings: &'a [Option<ParsedFile<'a>>],
    included: &BTreeSet<usize>,
) -> Vec<PackageFile<'a>> {
    let mut files = vec![PackageFile { path, parsed }];
    files.extend(included.iter().filter_map(|&at| {
        parsed_siblings[at].as_ref().map(|parsed| PackageFile {
            path: &siblings[at].0,
            parsed,
        })
    }));
    files
}

/// The name a `go` statement starts a profile's function by: `poolWorker` for
/// `main.poolWorker`; None for func literals and generic functions, which the patterns tell.
fn go_statement_name(function: &str) -> Option<&str> {
    let name = function.rsplit(['.', '/']).next()?;
    let after_package = function.rsplit('/').next().unwrap_or(function);
    let literal = after_package.contains(".func");
    (!literal && !name.contains('[') && !name.is_empty()).then_some(name)
}

/// Where a named function's goroutines start when the profile does not say: the one `go`
/// statement of the package that starts it (`go poolWorker()`), if there is exactly one.
fn only_go_statement(files: &[PackageFile<'_>], function: &str) -> Option<String> {
    // Func literals (`F.func1`) are told by the patterns; generic names carry brackets.
    let name = go_statement_name(function)?;
    let mut found = files.iter().flat_map(|file| {
        file.parsed
            .go_statements_starting(name)
            .into_iter()
            .map(move |line| format!("{}:{line}", file.path))
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// Checks one place against its line.
fn check_place(
    check: &mut SourceCheck,
    place: &PlaceRef<'_>,
    parsed: &ParsedFile<'_>,
    revision: &str,
    warnings: &mut Vec<Warning>,
) {
    let analysis = parsed.analyze(place.line, place.op);
    check.evidence = Some(SourceEvidence {
        snippet: analysis.snippet.clone(),
        span: analysis.span,
        context: None,
        function: analysis.function.clone(),
        channel: analysis.channel.as_ref().map(|made| ChannelEvidence {
            name: made.name.clone(),
            line: made.line,
            capacity: made.capacity.clone(),
        }),
        notes: analysis.notes.clone(),
    });
    if !place.op.is_channel() {
        // A sync wait the GC proved leaked: the line is shown, and an inline ignore on it
        // counts when the file parses there; there is no channel op to check.
        check.trusted = analysis.problems.is_empty();
        check.syntax = Some(statement_text(&analysis.snippet));
        return;
    }
    if !analysis.problems.is_empty() {
        warnings.push(Warning::SourceUnparseable {
            file: place.file.to_string(),
            line: place.line,
            revision: revision.to_string(),
            problems: analysis.problems,
        });
        return;
    }
    let Some(source_op) = analysis.op.filter(|_| analysis.matches_profile) else {
        warnings.push(Warning::SourceMismatch {
            file: place.file.to_string(),
            line: place.line,
            revision: revision.to_string(),
            profile_op: place.op,
            holds: analysis.op,
        });
        return;
    };
    check.trusted = true;
    check.syntax = analysis.syntax;
    check.twin = analysis.twin;
    // The source names what debug=1 cannot, and tells a range loop from a receive.
    let op = if place.op == Op::Unknown || (place.op == Op::Receive && source_op == Op::Range) {
        check.refined_op = Some(source_op);
        source_op
    } else {
        place.op
    };
    if matches!(op, Op::Select | Op::Receive | Op::NilReceive) {
        check.bounds = analysis.bounds;
    }
}

/// A line's code without a trailing `//` comment, white space folded: what identifies a wait
/// that is not a channel operation.
fn statement_text(snippet: &str) -> String {
    let code = snippet.split("//").next().unwrap_or(snippet);
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `//leakprof:ignore <reason>` (or `// leakprof:ignore <reason>`) on the operation's line or
/// alone on the line above: the reason. Without a reason it is a warning and suppresses
/// nothing.
pub(crate) fn inline_ignore(
    place: &PlaceRef<'_>,
    text: &str,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    let found = ignores::markers(text);
    let marker = ignores::for_line(&found, place.line)?;
    match &marker.reason {
        Some(reason) => Some(reason.clone()),
        None => {
            warnings.push(Warning::IgnoreWithoutReason {
                file: place.file.to_string(),
                line: place.line,
            });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, line: u32, expected: Option<&str>, warns: bool) {
        let place = PlaceRef {
            file: "x.go",
            line,
            function: "main.f",
            op: Op::Send,
            creator: None,
            caller: None,
        };
        let mut warnings = Vec::new();
        let reason = inline_ignore(&place, text, &mut warnings);
        assert_eq!(reason.as_deref(), expected, "{text:?} line {line}");
        assert_eq!(
            !warnings.is_empty(),
            warns,
            "{text:?} line {line}: {warnings:?}"
        );
    }

    #[test]
    fn inline_ignores() {
        let above = "func f() {\n\t//leakprof:ignore drained by the supervisor\n\tch <- 1\n}\n";
        check(above, 3, Some("drained by the supervisor"), false);
        let trailing = "func f() {\n\tch <- 1 //leakprof:ignore bounded by caller\n}\n";
        check(trailing, 2, Some("bounded by caller"), false);
        check("//leakprof:ignore\nch <- 1\n", 2, None, true);
        check("ch <- 1 //leakprof:ignore   \n", 1, None, true);
        // With a space after the slashes, as gofmt-minded people write comments (issue 14).
        check(
            "ch <- 1 // leakprof:ignore by design\n",
            1,
            Some("by design"),
            false,
        );
        check("// leakprof:ignore\nch <- 1\n", 2, None, true);
        // Two lines up is too far; a marker glued to other text is not one.
        check("//leakprof:ignore far\n\nch <- 1\n", 3, None, false);
        check(
            "ch <- 1 //leakprof:ignored not the marker\n",
            1,
            None,
            false,
        );
        // Code before the marker on the line above: the comment is about that line.
        check(
            "x := 1 //leakprof:ignore not alone\nch <- 1\n",
            2,
            None,
            false,
        );
        check("ch <- 1\n", 1, None, false);
        check("", 5, None, false);
    }

    /// A select's bounds are evidence, gathered only when the line is trusted; a line that
    /// holds something else gathers none and warns.
    #[test]
    fn select_bounds_are_gathered_from_trusted_lines_only() {
        let text = "package p\n\nimport \"context\"\n\nfunc wait(ctx context.Context, ch chan int) {\n\tselect {\n\tcase <-ch:\n\tcase <-ctx.Done():\n\t}\n}\n";
        let parsed = ParsedFile::parse(text);
        for (line, op, trusted, bounds) in [
            (6, Op::Select, true, 1),
            (6, Op::Unknown, true, 1),
            (6, Op::Send, false, 0),
            (5, Op::Select, false, 0),
        ] {
            let place = PlaceRef {
                file: "p.go",
                line,
                function: "p.wait",
                op,
                creator: None,
                caller: None,
            };
            let mut check = SourceCheck::at(Location::Own("p.go".into()));
            let mut warnings = Vec::new();
            check_place(&mut check, &place, &parsed, "HEAD", &mut warnings);
            assert_eq!(check.trusted, trusted, "line {line} {op:?}");
            assert_eq!(check.bounds.len(), bounds, "line {line} {op:?}");
            assert_eq!(warnings.is_empty(), trusted, "{warnings:?}");
            let refined = (op == Op::Unknown).then_some(Op::Select);
            assert_eq!(check.refined_op, refined);
        }
    }
}
