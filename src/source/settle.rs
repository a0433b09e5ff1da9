//! Bounds whose answer lies outside the waiting function, settled with the package's files:
//! a context or timer that arrives as a parameter, followed to the call that passes it, and a
//! cancel function kept in a package-level variable, settled by whether any file of the
//! package reads it.

use super::analyze::{Bound, BoundKind, Check, Kept};
use super::patterns::PackageFile;
use crate::model::{EvidenceLine, Fix, Pattern, PatternId};

/// The package-level variables unverified bounds' cancel functions are kept in.
pub(super) fn kept_names(bounds: &[Bound]) -> Vec<&str> {
    bounds
        .iter()
        .filter_map(|bound| match &bound.check {
            Check::Unverified {
                kept: Some(kept), ..
            } => Some(kept.name.as_str()),
            _ => None,
        })
        .collect()
}

/// A cancel function kept in an unexported package-level variable can only be called from
/// its package: when no file of the package (`files` holds every one that names it, and
/// `whole` says the package was read whole) reads the variable but to assign it, nothing
/// can ever call it, and the bound can never fire.
///
/// Returns the `never_closed` pattern of the first bound so settled: the wait, the goroutine's
/// start (`created_at`) and the variable nothing calls.
pub(super) fn settle_kept(
    bounds: &mut [Bound],
    path: &str,
    files: &[PackageFile<'_>],
    whole: bool,
    created_at: Option<&str>,
) -> Option<Pattern> {
    let mut pattern = None;
    for bound in bounds {
        let Check::Unverified {
            kept: Some(kept), ..
        } = &bound.check
        else {
            continue;
        };
        let exported = kept.name.starts_with(|c: char| c.is_uppercase());
        if exported || !whole {
            continue;
        }
        let mut reads = Vec::new();
        for file in files {
            match file.parsed.reads_of(&kept.name) {
                Some(lines) => reads.extend(lines),
                // A file without a tree may read it: nothing can be said.
                None => reads.push(0),
            }
        }
        if !reads.is_empty() {
            continue;
        }
        let (via, file) = match &kept.via {
            Some((via, file)) => (via.as_str(), file.as_str()),
            None => ("", path),
        };
        let (context, name) = (&kept.context, &kept.name);
        let mut evidence = vec![EvidenceLine {
            file: file.to_string(),
            line: kept.line,
            text: format!(
                "the cancel function of `{context}` is kept in `{name}`, which nothing in the \
                 package calls"
            ),
        }];
        evidence.extend(started_at(created_at));
        evidence.push(EvidenceLine {
            file: path.to_string(),
            line: bound.line,
            text: format!("the goroutine waits for `{}` here", bound.expr),
        });
        pattern.get_or_insert(Pattern {
            id: PatternId::NeverClosed,
            evidence,
            fix: Fix::advice(
                format!(
                    "call `{name}` when the goroutines should stop (nothing in the package \
                     does), or give them a context that ends: as written, `{}` never fires",
                    bound.expr
                ),
                format!("when to call `{name}` is the owner's call"),
            ),
        });
        bound.check = Check::Never {
            why: format!(
                "{via}the cancel function of {context} is kept in {name} (at {file}:{}), which \
                 nothing in its package ever calls",
                kept.line
            ),
            line: kept.line,
        };
    }
    pattern
}

/// The short names of the functions whose parameters unverified bounds arrive through: the
/// package files that hold a call of them are read to follow the bound to its caller.
pub(super) fn parameter_functions(bounds: &[Bound]) -> Vec<&str> {
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
///
/// Returns the `never_closed` pattern of the first context so settled as never done: what
/// the call passes, the goroutine's start (`created_at`) and the wait in `path`.
pub(super) fn settle_parameters(
    bounds: &mut [Bound],
    path: &str,
    files: &[PackageFile<'_>],
    callers: &[Option<String>],
    created_at: Option<&str>,
) -> Option<Pattern> {
    let mut pattern = None;
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
        let caller_file = at.rsplit_once(':').map_or(at.as_str(), |(file, _)| file);
        if let (Check::Never { why, line }, BoundKind::CtxDone) = (&check, bound.kind) {
            pattern.get_or_insert_with(|| {
                let mut evidence = vec![EvidenceLine {
                    file: caller_file.to_string(),
                    line: *line,
                    text: format!(
                        "`{name}` can never be cancelled while the goroutine waits: {why}"
                    ),
                }];
                evidence.extend(started_at(created_at));
                evidence.push(EvidenceLine {
                    file: path.to_string(),
                    line: bound.line,
                    text: format!("the goroutine waits for `{}` here", bound.expr),
                });
                Pattern {
                    id: PatternId::NeverClosed,
                    evidence,
                    fix: Fix::advice(
                        format!(
                            "give the goroutine a context that ends: pass it the caller's \
                             context, or derive one with `context.WithCancel` (or \
                             `WithTimeout`) and call its cancel when the work is given up, \
                             instead of waiting on `{}`, which never fires",
                            bound.expr
                        ),
                        "which context should end the goroutine is the owner's call",
                    ),
                }
            });
        }
        bound.check = match check {
            Check::Fires => Check::Fires,
            Check::Never { why, line } => Check::Never {
                why: format!("{name} comes from the call at {at}, where {why}"),
                line,
            },
            Check::Unverified {
                why: further, kept, ..
            } => Check::Unverified {
                why: format!("{why}; the call at {at} passes it on: {further}"),
                parameter: None,
                kept: kept.map(|kept| Kept {
                    via: Some((
                        format!("{name} comes from the call at {at}, where "),
                        caller_file.to_string(),
                    )),
                    ..kept
                }),
            },
        };
    }
    pattern
}

/// The evidence line of the goroutine's `go` statement, `file:line`.
fn started_at(created_at: Option<&str>) -> Option<EvidenceLine> {
    let (file, line) = created_at?.rsplit_once(':')?;
    Some(EvidenceLine {
        file: file.to_string(),
        line: line.parse().ok()?,
        text: "the goroutine is started here".into(),
    })
}
