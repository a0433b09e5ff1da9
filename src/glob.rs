//! The one glob engine: allowlist globs on Go symbols and repository paths, and the
//! CODEOWNERS patterns of [`crate::owners`], all compile to the same [`Token`]s and are
//! matched here.
//!
//! Matching runs the pattern as a small automaton over the subject, one character at a time,
//! keeping the set of pattern positions reached so far: each character is looked at once,
//! against the positions reached (at most every position of the pattern, usually a few), so
//! a match costs O(subject × pattern) in time and O(pattern) in memory whatever the input. Profiles are hostile input (a dump can
//! carry megabyte-long function names), so no backtracking and no table over the subject.

/// One element of a compiled glob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// This character.
    Char(char),
    /// Any one character; `/` only when `cross` is set.
    One { cross: bool },
    /// Any run of characters, possibly empty; containing `/` only when `cross` is set.
    Star { cross: bool },
    /// Zero or more whole folders: empty, or any run that ends with `/` (`**/` in a path).
    Folders,
    /// The end of the subject, or a `/` and anything after it: a path or what is below it.
    Below,
}

/// A compiled glob, with the text it was written as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    program: Vec<Node>,
}

/// A position of the automaton. Edges that consume nothing only point forward, so one pass
/// in index order closes a set of positions over them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    /// Consumes this character, then the next node.
    Char(char),
    /// Consumes one character (`/` only with `cross`), then the next node.
    One { cross: bool },
    /// Consumes characters (`/` only with `cross`) and stays; may move on without consuming.
    Loop { cross: bool },
    /// Moves on without consuming, to the next node and to the node `skip` ahead.
    Fork { skip: usize },
}

impl Glob {
    /// Compiles `tokens`; `pattern` is the text they came from, for messages.
    pub fn from_tokens(pattern: &str, tokens: &[Token]) -> Glob {
        let mut program = Vec::with_capacity(tokens.len());
        for token in tokens {
            match *token {
                Token::Char(c) => program.push(Node::Char(c)),
                Token::One { cross } => program.push(Node::One { cross }),
                Token::Star { cross } => program.push(Node::Loop { cross }),
                Token::Folders => program.extend([
                    Node::Fork { skip: 3 },
                    Node::Loop { cross: true },
                    Node::Char('/'),
                ]),
                Token::Below => program.extend([
                    Node::Fork { skip: 3 },
                    Node::Char('/'),
                    Node::Loop { cross: true },
                ]),
            }
        }
        Glob {
            pattern: pattern.to_string(),
            program,
        }
    }

    /// A glob on Go symbols (an allowlist's `function` and `stack`): `*` any run of
    /// characters, `?` one character, everything else literal.
    pub fn symbol(pattern: &str) -> Result<Glob, String> {
        if pattern.trim().is_empty() {
            return Err("the glob is empty".into());
        }
        if pattern.chars().any(char::is_whitespace) {
            return Err(format!(
                "glob {pattern:?} has white space; Go symbols have none"
            ));
        }
        let tokens: Vec<Token> = pattern
            .chars()
            .map(|c| match c {
                '*' => Token::Star { cross: true },
                '?' => Token::One { cross: true },
                c => Token::Char(c),
            })
            .collect();
        Ok(Glob::from_tokens(pattern, &tokens))
    }

    /// A glob on repository-relative paths (an allowlist's `file`): `*` and `?` stop at `/`,
    /// and `**`, a whole path segment, crosses folders.
    pub fn path(pattern: &str) -> Result<Glob, String> {
        if pattern.trim().is_empty() {
            return Err("the glob is empty".into());
        }
        if pattern.starts_with('/') || pattern.contains('\\') {
            return Err(format!(
                "glob {pattern:?} must be a repository-relative path with `/` separators"
            ));
        }
        let segments: Vec<&str> = pattern.split('/').collect();
        let mut tokens = Vec::new();
        for (index, segment) in segments.iter().enumerate() {
            let last = index + 1 == segments.len();
            if segment.is_empty() {
                return Err(format!("glob {pattern:?} has an empty path segment"));
            }
            if *segment == "**" {
                tokens.push(if last {
                    Token::Star { cross: true }
                } else {
                    Token::Folders
                });
                continue;
            }
            if segment.contains("**") {
                return Err(format!(
                    "glob {pattern:?}: `**` must be a whole path segment, as in `a/**/b.go`"
                ));
            }
            tokens.extend(segment.chars().map(|c| match c {
                '*' => Token::Star { cross: false },
                '?' => Token::One { cross: false },
                c => Token::Char(c),
            }));
            if !last {
                tokens.push(Token::Char('/'));
            }
        }
        Ok(Glob::from_tokens(pattern, &tokens))
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the glob matches all of `text`.
    pub fn matches(&self, text: &str) -> bool {
        self.run(text).0
    }

    /// The match, and the number of steps it took: a step is a position of the pattern
    /// entered or left on one character, so at most two per position per character, which a
    /// test checks on long subjects.
    fn run(&self, text: &str) -> (bool, usize) {
        let end = self.program.len();
        let mut walk = Walk {
            // stamp[i] == generation: position i is in the set being built.
            stamp: vec![0; end + 1],
            generation: 1,
            pending: Vec::new(),
            steps: 0,
        };
        // The positions reached so far, in no particular order, each once.
        let mut current = Vec::with_capacity(end + 1);
        let mut next = Vec::with_capacity(end + 1);
        self.enter(0, &mut current, &mut walk);
        for c in text.chars() {
            walk.generation += 1;
            next.clear();
            for &position in &current {
                walk.steps += 1;
                let target = match self.program.get(position) {
                    Some(&Node::Char(expected)) if expected == c => position + 1,
                    Some(&Node::One { cross }) if cross || c != '/' => position + 1,
                    Some(&Node::Loop { cross }) if cross || c != '/' => position,
                    _ => continue,
                };
                self.enter(target, &mut next, &mut walk);
            }
            if next.is_empty() {
                return (false, walk.steps);
            }
            std::mem::swap(&mut current, &mut next);
        }
        (walk.stamp[end] == walk.generation, walk.steps)
    }

    /// Adds `position` to `set`, with every position reachable from it without consuming.
    fn enter(&self, position: usize, set: &mut Vec<usize>, walk: &mut Walk) {
        walk.pending.push(position);
        while let Some(position) = walk.pending.pop() {
            if walk.stamp[position] == walk.generation {
                continue;
            }
            walk.stamp[position] = walk.generation;
            walk.steps += 1;
            set.push(position);
            match self.program.get(position) {
                Some(Node::Loop { .. }) => walk.pending.push(position + 1),
                Some(&Node::Fork { skip }) => {
                    walk.pending.extend([position + 1, position + skip]);
                }
                _ => {}
            }
        }
    }
}

/// The bookkeeping of one match.
struct Walk {
    stamp: Vec<u64>,
    generation: u64,
    /// Positions still to enter, so that no pattern is deep enough to overflow the stack.
    pending: Vec<usize>,
    steps: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(pattern, subject, expected)` rows for one kind of glob.
    fn check(make: fn(&str) -> Result<Glob, String>, rows: &[(&str, &str, bool)]) {
        for &(pattern, text, expected) in rows {
            let glob = make(pattern).unwrap();
            assert_eq!(glob.matches(text), expected, "{pattern:?} on {text:?}");
            assert_eq!(glob.as_str(), pattern);
        }
    }

    #[test]
    fn symbol_globs() {
        check(
            Glob::symbol,
            &[
                (
                    "example.com/billing.(*Poller).run*",
                    "example.com/billing.(*Poller).run.func1",
                    true,
                ),
                (
                    "example.com/billing.(*Poller).run*",
                    "example.com/billing.(*Poller).run",
                    true,
                ),
                (
                    "example.com/billing.(*Poller).run*",
                    "example.com/billing.(*Poller).stop",
                    false,
                ),
                (
                    "google.golang.org/grpc*",
                    "google.golang.org/grpc/internal/transport.(*loopyWriter).run",
                    true,
                ),
                ("main.F[...]", "main.F[...]", true),
                ("main.?", "main.f", true),
                ("main.?", "main.fg", false),
                ("main.?", "main.", false),
                ("a?c", "a/c", true),
                ("*", "", true),
                ("*", "a/b.c", true),
                ("a*", "", false),
                ("*b", "ab/b", true),
                ("*b", "ab/c", false),
                ("a*b*c", "abc", true),
                ("a*b*c", "aXbYbZc", true),
                ("a*b*c", "acb", false),
                ("**", "x", true),
                ("main.f", "main.f", true),
                ("main.f", "main.fg", false),
                ("main.f", "main.", false),
                ("é*", "éà", true),
            ],
        );
        for bad in ["", "  ", "main.f g", "main.f\n"] {
            assert!(Glob::symbol(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn path_globs() {
        check(
            Glob::path,
            &[
                ("billing/**/*.go", "billing/x.go", true),
                ("billing/**/*.go", "billing/a/b/x.go", true),
                ("billing/**/*.go", "billing/a/x.txt", false),
                ("billing/**/*.go", "billingx.go", false),
                ("billing/*.go", "billing/a/x.go", false),
                ("billing/*.go", "billing/.go", true),
                ("**/leaks.go", "testdata/leaky/leaks.go", true),
                ("**/leaks.go", "leaks.go", true),
                ("**/leaks.go", "xleaks.go", false),
                ("**", "any/thing.go", true),
                ("**", "", true),
                ("a/**", "a/", true),
                ("a/**", "a/b/c", true),
                ("a/**", "a", false),
                ("testdata/leaky/leaks.go", "testdata/leaky/leaks.go", true),
                ("leaks.go", "testdata/leaky/leaks.go", false),
                ("a?c.go", "abc.go", true),
                ("a?c.go", "a/c.go", false),
                ("a/*/c", "a/b/c", true),
                ("a/*/c", "a/b/b/c", false),
                ("a/**/c", "a/b/b/c", true),
                ("a/**/c", "a/c", true),
                ("a/**/c", "a//c", true),
            ],
        );
        for bad in [
            "",
            " ",
            "/abs/x.go",
            "a\\b.go",
            "a/***/b",
            "a**/b",
            "a//b",
            "a/",
        ] {
            assert!(Glob::path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tokens_folders_and_below() {
        let glob = Glob::from_tokens(
            "(.*/)?x(/.*)?",
            &[Token::Folders, Token::Char('x'), Token::Below],
        );
        for (text, expected) in [
            ("x", true),
            ("a/x", true),
            ("a/b/x/c/d", true),
            ("x/", true),
            ("ax", false),
            ("xa", false),
            ("a/xb/c", false),
            ("", false),
        ] {
            assert_eq!(glob.matches(text), expected, "{text:?}");
        }
    }

    /// Issue 15: long subjects (a dump had megabyte-long function names) against patterns
    /// that made the old engine quadratic. Each character costs at most two passes over the
    /// positions, which the step count shows; a quadratic matcher would need about 10^5
    /// times more here.
    #[test]
    fn long_subjects_take_linear_steps() {
        let long = "a".repeat(1 << 17);
        let mut long_then_b = long.clone();
        long_then_b.push('b');
        let deep = "a/".repeat(1 << 16) + "x.go";
        let rows: &[(Glob, &str, bool)] = &[
            (Glob::symbol("*a*a*a*a*a*b").unwrap(), &long, false),
            (Glob::symbol("*a*a*a*a*a*b").unwrap(), &long_then_b, true),
            (
                Glob::symbol("google.golang.org/grpc*").unwrap(),
                &long,
                false,
            ),
            (Glob::symbol("*").unwrap(), &long, true),
            (Glob::symbol("a*?").unwrap(), &long, true),
            (Glob::path("**/a/**/*.go").unwrap(), &deep, true),
            (Glob::path("**/b/**/*.go").unwrap(), &deep, false),
            (Glob::path("a/*").unwrap(), &deep, false),
        ];
        for (glob, text, expected) in rows {
            let (matched, steps) = glob.run(text);
            assert_eq!(matched, *expected, "{:?}", glob.as_str());
            let bound = 2 * (text.chars().count() + 1) * (glob.program.len() + 1);
            assert!(
                steps <= bound,
                "{:?}: {steps} steps > {bound}",
                glob.as_str()
            );
        }
        // Exactly: `a*` enters `a` (1); on `a` leaves it (2) and enters the loop and the end
        // (4); on `b` leaves the loop (5), enters it and the end again (7), leaves the end
        // (8). A mismatch stops at once.
        for (pattern, text, steps) in [("a*", "", 1), ("a*", "ab", 8), ("b*", "xyz", 2)] {
            let glob = Glob::symbol(pattern).unwrap();
            assert_eq!(glob.run(text).1, steps, "{pattern:?} on {text:?}");
        }
        assert_eq!(Glob::symbol("b*").unwrap().run(&long), (false, 2));
    }
}
