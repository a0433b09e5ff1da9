//! Finding ids: fingerprints that stay the same across rebuilds, so a baseline taken from one
//! build still knows the leaks of the next.
//!
//! An id is 64-bit FNV-1a over the recipe version, the repository-relative file, the
//! function, the op's family (`range` and `nil_receive` count as `receive`, `nil_send` as
//! `send`, so pprof and debug=2 runs agree) and the operation's own syntax: the
//! tokens of its tree-sitter node with comments and white space dropped (a range loop's
//! header, a select's case communications). Never absolute paths or line numbers, so it
//! survives a rebuild in another folder (with `-trimpath` or not), comments, blank lines and
//! the code moving elsewhere in the file. Without source the file's name and the line number
//! stand in for path and syntax. The same operation twice in one function is told apart by
//! its order among its twins in the function's source, `-2`, `-3`, so each keeps its id
//! whichever of them a profile shows; places without source that would share an id take the
//! next free number.

use std::collections::HashSet;

use crate::blocking::Op;

/// The version of the recipe above. It salts every id and names SARIF's fingerprint key
/// (`leakprof/v3`), so both change together when the recipe does.
pub const ID_VERSION: u32 = 3;

/// The key of the fingerprint in SARIF's `partialFingerprints`.
pub fn sarif_key() -> String {
    format!("leakprof/v{ID_VERSION}")
}

/// What identifies one place.
#[derive(Clone, Copy, Debug)]
pub struct IdParts<'a> {
    pub file: &'a str,
    pub line: u32,
    pub function: &'a str,
    pub op: Op,
    /// The operation's syntax, when the place was found in the repository.
    pub syntax: Option<&'a str>,
    /// With `syntax`: which of the textually identical operations of the function this one
    /// is, from 1 in source order.
    pub twin: u32,
}

/// The id of every place, in the order given.
pub fn assign(places: &[IdParts<'_>]) -> Vec<String> {
    assign_salted(places, &format!("v{ID_VERSION}"))
}

/// The id of every lint finding, in the order given: made like a profile finding's, and
/// salted apart from it, so a lint finding and the profile finding at the same place (both
/// in `report --lint`) keep ids of their own.
pub fn assign_lint(places: &[IdParts<'_>]) -> Vec<String> {
    assign_salted(places, &format!("v{ID_VERSION}/lint"))
}

fn assign_salted(places: &[IdParts<'_>], salt: &str) -> Vec<String> {
    let mut order: Vec<usize> = (0..places.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&places[a], &places[b]);
        (a.file, a.line, a.function).cmp(&(b.file, b.line, b.function))
    });
    let mut ids = vec![String::new(); places.len()];
    let mut taken: HashSet<String> = HashSet::with_capacity(places.len());
    for index in order {
        let place = &places[index];
        let family = place.op.family();
        let (base, mut ordinal) = match place.syntax {
            Some(syntax) => (
                fingerprint(&[salt, place.file, place.function, family.as_str(), syntax]),
                place.twin.max(1),
            ),
            None => {
                let name = place.file.rsplit(['/', '\\']).next().unwrap_or(place.file);
                let line = place.line.to_string();
                let base = fingerprint(&[salt, name, place.function, family.as_str(), &line]);
                (base, 1)
            }
        };
        // The source numbers twins; places it cannot tell apart take the next free number.
        ids[index] = loop {
            let id = if ordinal == 1 {
                base.clone()
            } else {
                format!("{base}-{ordinal}")
            };
            if taken.insert(id.clone()) {
                break id;
            }
            ordinal += 1;
        };
    }
    ids
}

/// 64-bit FNV-1a: a fingerprint that is the same on every machine and every release.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(&[0u8]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
        // FNV-1a 64 of "a\0" and of "a\0leakprof\0", as any implementation computes them.
        assert_eq!(fingerprint(&["a"]), "089be207b544f1e4");
        assert_eq!(fingerprint(&["a", "leakprof"]), "f871f945c2434384");
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }

    fn parts<'a>(file: &'a str, line: u32, op: Op, syntax: Option<&'a str>) -> IdParts<'a> {
        IdParts {
            file,
            line,
            function: "main.f",
            op,
            syntax,
            twin: 1,
        }
    }

    #[test]
    fn ids_follow_the_code_not_the_build() {
        let ids = assign(&[
            parts("a/x.go", 10, Op::Send, Some("ch <- v")),
            // The same operation again, later in the function: its twin number tells it apart.
            IdParts {
                twin: 2,
                ..parts("a/x.go", 30, Op::NilSend, Some("ch <- v"))
            },
            // Another op family on the same text: another id.
            parts("a/x.go", 12, Op::Receive, Some("ch <- v")),
            // Without source: the file's name and the line.
            parts("/build/a/x.go", 10, Op::Range, None),
            parts("/other/x.go", 10, Op::Receive, None),
        ]);
        assert_eq!(ids[0].len(), 16);
        assert_eq!(ids[1], format!("{}-2", ids[0]), "the later twin gets -2");
        assert_ne!(ids[2], ids[0]);
        assert_eq!(ids[4], format!("{}-2", ids[3]), "{ids:?}");
        assert_eq!(sarif_key(), "leakprof/v3");
        // Lint ids are made the same way, apart from profile ids.
        let lint = assign_lint(&[
            parts("a/x.go", 10, Op::Send, Some("ch <- v")),
            parts("a/x.go", 30, Op::NilSend, Some("ch <- v")),
        ]);
        assert_eq!(lint[1], format!("{}-2", lint[0]));
        assert_ne!(lint[0], ids[0]);
    }

    /// The second of two identical operations keeps its id when the profile shows only it,
    /// and the first keeps its own when it is shown alone.
    #[test]
    fn twins_keep_their_ids_whichever_a_profile_shows() {
        let first = parts("a/x.go", 5, Op::Send, Some("a <- 1"));
        let second = IdParts {
            twin: 2,
            ..parts("a/x.go", 6, Op::Send, Some("a <- 1"))
        };
        let both = assign(&[first, second]);
        assert_eq!(assign(&[second]), [both[1].clone()]);
        assert_eq!(assign(&[first]), [both[0].clone()]);
        assert_eq!(both[1], format!("{}-2", both[0]));
    }
}
