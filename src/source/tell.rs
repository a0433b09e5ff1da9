//! The leak pattern of each trusted place, read with the other files of its package only as
//! far as the pattern needs them; where its goroutine was started when the profile did not
//! say; and the bounds whose answer lies in other files, settled there ([`super::settle`]).

use std::collections::BTreeSet;
use std::rc::Rc;

use super::analyze::ParsedFile;
use super::folder::ReadPackage;
use super::paths::Mapped;
use super::patterns::{self, Classified, PackageFile, Target};
use super::place::{PlaceRef, SourceCheck};
use super::settle::{kept_names, parameter_functions, settle_kept, settle_parameters};
use crate::model::PatternId;

/// The leak pattern of each trusted place in the file at `path`, read with the other files of
/// its package, and where its goroutine was started when the profile did not say.
pub(super) fn tell_patterns(
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
            || !kept_names(&checks[*index].bounds).is_empty()
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
        let settled = settle_parameters(
            &mut check.bounds,
            path,
            &files,
            &callers,
            check.created_at.as_deref(),
        );
        if check
            .pattern
            .as_ref()
            .is_none_or(|pattern| pattern.id == PatternId::Other)
        {
            check.pattern = settled.or(check.pattern.take());
        }

        // A cancel function kept in a package-level variable (here, or at the caller a
        // parameter was settled at): every file of the package that names it is read.
        let kept: Vec<String> = kept_names(&checks[index].bounds)
            .into_iter()
            .map(str::to_string)
            .collect();
        if kept.is_empty() {
            continue;
        }
        let naming: BTreeSet<usize> = siblings
            .iter()
            .enumerate()
            .filter(|(_, (_, text))| kept.iter().any(|name| text.contains(name.as_str())))
            .map(|(at, _)| at)
            .collect();
        for &at in &naming {
            if parsed_siblings[at].is_none() {
                parsed_siblings[at] = Some(ParsedFile::parse(&siblings[at].1));
            }
        }
        // Only a package read whole (this file among them) can say nothing reads a name.
        let whole = package.iter().any(|(file, _)| file == path);
        let files = package_files(path, parsed, &siblings, &parsed_siblings, &naming);
        let check = &mut checks[index];
        let settled = settle_kept(
            &mut check.bounds,
            path,
            &files,
            whole,
            check.created_at.as_deref(),
        );
        if check
            .pattern
            .as_ref()
            .is_none_or(|pattern| pattern.id == PatternId::Other)
        {
            check.pattern = settled.or(check.pattern.take());
        }
    }
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
