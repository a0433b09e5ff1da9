//! The leak pattern of each place and where its goroutines were started: what the source
//! stage told for places it read, else what the profile alone tells.

use super::places::{Check, Place, file_of, op_of};
use crate::aggregate::Site;
use crate::model::{Pattern, PatternId};
use crate::source;

/// What is told about one place.
pub(super) struct Told {
    pub(super) pattern: Option<Pattern>,
    /// `file:line` of the `go` statement.
    pub(super) created_at: Option<String>,
}

impl Told {
    /// The pattern, when it shows how the goroutines are abandoned: evidence for `likely`.
    pub(super) fn abandoning(&self) -> Option<PatternId> {
        self.pattern
            .as_ref()
            .map(|pattern| pattern.id)
            .filter(|id| id.shows_abandonment())
    }
}

pub(super) fn tell(places: &[Place], checks: &[Check]) -> Vec<Told> {
    places
        .iter()
        .zip(checks)
        .map(|(place, check)| {
            let file = file_of(place, check);
            let pattern = check
                .as_ref()
                .and_then(|check| check.pattern.clone())
                .unwrap_or_else(|| {
                    source::patterns::from_profile(op_of(place, check), file, place.site.line)
                });
            let created_at = check
                .as_ref()
                .and_then(|check| check.created_at.clone())
                .or_else(|| {
                    let (file, line) = place.tally.created_at.as_ref()?;
                    Some(format!("{file}:{line}"))
                });
            Told {
                pattern: Some(pattern),
                created_at,
            }
        })
        .collect()
}

/// The frame that called the blocking function in a place's example stack (`function
/// file:line` lines, innermost first): function, file and line.
pub(super) fn caller<'a>(site: &Site, stack: &'a str) -> Option<(&'a str, &'a str, u32)> {
    let frames: Vec<(&str, &str, u32)> = stack.lines().filter_map(parse_frame).collect();
    let at = frames.iter().position(|(function, file, line)| {
        *function == site.function && *file == site.file && *line == site.line
    })?;
    frames.get(at + 1).copied()
}

fn parse_frame(frame: &str) -> Option<(&str, &str, u32)> {
    let (function, place) = frame.split_once(' ')?;
    let (file, line) = place.rsplit_once(':')?;
    Some((function, file, line.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::{Blocking, Op};

    #[test]
    fn callers() {
        let site = Site {
            file: "/src/app/x.go".into(),
            line: 7,
            function: "main.sendOne".into(),
            blocking: Blocking::Channel(Op::Send),
        };
        let stack = "runtime.gopark /go/src/runtime/proc.go:460\n\
                     main.sendOne /src/app/x.go:7\n\
                     main.run.func1 /src/app/x.go:19\n\
                     ... 2 more frames";
        assert_eq!(
            caller(&site, stack),
            Some(("main.run.func1", "/src/app/x.go", 19))
        );
        assert_eq!(caller(&site, "main.sendOne /src/app/x.go:7"), None);
        assert_eq!(caller(&site, "main.other /src/app/x.go:7"), None);
    }
}
