//! CODEOWNERS: reads a repository's GitHub CODEOWNERS file and says who owns a path, so a
//! finding can name the people to ask about it.
//!
//! Patterns follow gitignore, with GitHub's documented exceptions: no `!` negation, no `[ ]`
//! character ranges, and `\#` does not turn a comment into a pattern. GitHub skips a line it
//! cannot use and keeps the rest of the file; [`CodeOwners::parse`] does the same and returns
//! the skipped lines as problems.
//!
//! Matching, per rule, against a `/`-separated repository path:
//! - a pattern without a slash, or with only a trailing one, matches at any depth;
//!   any other slash anchors it to the root;
//! - a trailing `/` matches directories only, so it owns what is under them, not a file of
//!   that name; a trailing `/**` is the same, anchored;
//! - `*` and `?` never cross `/`; a whole `**` segment matches zero or more directories;
//! - a pattern that matches a directory owns everything under it, except a pattern whose last
//!   segment is a lone `*` (`docs/*`): GitHub documents that it owns the files directly in the
//!   directory and not those nested deeper;
//! - paths are case-sensitive, as on GitHub.
//!
//! Each pattern compiles to a [`Glob`] on the whole path, matched by the one glob engine in
//! O(path length × pattern length), so no pattern can make a lookup slow.

use crate::glob::{Glob, Token};

/// Where GitHub looks for the file, in its order of preference: the first that exists wins.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// The file GitHub uses: the first of [`LOCATIONS`] that `read` finds, with what it read.
pub fn locate<T>(mut read: impl FnMut(&'static str) -> Option<T>) -> Option<(&'static str, T)> {
    LOCATIONS
        .iter()
        .find_map(|&location| read(location).map(|found| (location, found)))
}

/// The rules of a CODEOWNERS file, in file order.
#[derive(Debug, Clone, Default)]
pub struct CodeOwners {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    pattern: Pattern,
    /// As written, de-duplicated; empty means the rule makes its paths unowned.
    owners: Vec<String>,
}

impl CodeOwners {
    /// Parses the text of a CODEOWNERS file. Never fails: a line it cannot use is returned as a
    /// problem `(line_number, message)` (1-based) and skipped, like GitHub does.
    pub fn parse(text: &str) -> (CodeOwners, Vec<(usize, String)>) {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rules = Vec::new();
        let mut problems = Vec::new();
        for (index, line) in text.lines().enumerate() {
            match parse_line(line) {
                Ok(Some(rule)) => rules.push(rule),
                Ok(None) => {}
                Err(message) => problems.push((index + 1, message)),
            }
        }
        (CodeOwners { rules }, problems)
    }

    /// Owners of a repository-relative path (`/`-separated, no leading slash): those of the
    /// last matching rule; empty if none matches or the last matching rule has no owners.
    pub fn owners(&self, path: &str) -> Vec<String> {
        let segments: Vec<&str> = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        if segments.is_empty() {
            return Vec::new();
        }
        let path = segments.join("/");
        self.rules
            .iter()
            .rev()
            .find(|rule| rule.pattern.matches(&path))
            .map(|rule| rule.owners.clone())
            .unwrap_or_default()
    }
}

/// `Ok(None)` for blank and comment lines.
fn parse_line(line: &str) -> Result<Option<Rule>, String> {
    let mut words = split_words(line).into_iter();
    let Some(pattern_text) = words.next() else {
        return Ok(None);
    };
    let pattern = Pattern::compile(&pattern_text)?;
    let mut owners: Vec<String> = Vec::new();
    for owner in words {
        if !is_owner(&owner) {
            return Err(format!(
                "`{owner}` is not an owner: write @user, @org/team or an email address, \
                 and escape spaces in the pattern as `\\ `"
            ));
        }
        // GitHub user names, team names and email addresses are case-insensitive.
        if !owners.iter().any(|seen| seen.eq_ignore_ascii_case(&owner)) {
            owners.push(owner);
        }
    }
    Ok(Some(Rule { pattern, owners }))
}

/// Splits a line on unescaped whitespace and drops everything from a word that starts with an
/// unescaped `#` (a comment, whole-line or after whitespace). Backslash escapes are kept in
/// the words for [`Pattern::compile`] to interpret.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            word.push(c);
            if let Some(escaped) = chars.next() {
                word.push(escaped);
            }
        } else if c.is_whitespace() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
        } else if c == '#' && word.is_empty() {
            return words;
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `@user`, `@org/team` or an email address, by shape only: whether the account exists and
/// has access is GitHub's to check.
fn is_owner(word: &str) -> bool {
    fn is_name(name: &str) -> bool {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    }
    if let Some(handle) = word.strip_prefix('@') {
        return match handle.split_once('/') {
            Some((org, team)) => is_name(org) && is_name(team),
            None => is_name(handle),
        };
    }
    match word.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !word.contains(['/', '\\'])
        }
        None => false,
    }
}

/// A compiled CODEOWNERS pattern: a [`Glob`] on the whole path, `/`-separated with no empty
/// segments, that also says which paths below a matching directory it owns.
#[derive(Debug, Clone)]
struct Pattern {
    glob: Glob,
}

/// A pattern split at `/`, before it is turned into glob tokens.
enum Segment {
    /// `**`: zero or more whole path segments.
    AnyDepth,
    Glob(Vec<Token>),
}

impl Pattern {
    fn compile(text: &str) -> Result<Pattern, String> {
        if text.starts_with('!') {
            return Err(format!(
                "`{text}`: `!` negation is not supported in CODEOWNERS; \
                 to leave paths unowned, write the pattern with no owners"
            ));
        }
        if let Some(rest) = text.strip_prefix("\\#") {
            return Err(format!(
                "`{text}`: GitHub does not support escaping a leading `#` with `\\`; \
                 match the file with a wildcard instead, such as `?{rest}`"
            ));
        }
        let anchored_at_start = text.starts_with('/');
        let body = text.strip_prefix('/').unwrap_or(text);
        let (body, trailing_slash) = match body.strip_suffix('/') {
            Some(body) if !body.ends_with('\\') => (body, true),
            _ => (body, false),
        };
        if body.is_empty() {
            return Err(format!(
                "`{text}` matches no path; name a file or directory"
            ));
        }
        let anchored = anchored_at_start || body.contains('/');

        let mut segments = Vec::new();
        if !anchored {
            segments.push(Segment::AnyDepth);
        }
        for part in body.split('/') {
            if part == "**" {
                // `**/**` means no more than `**`.
                if !matches!(segments.last(), Some(Segment::AnyDepth)) {
                    segments.push(Segment::AnyDepth);
                }
            } else {
                segments.push(Segment::Glob(compile_glob(part, text)?));
            }
        }

        let mut directory_only = trailing_slash;
        // `dir/**` is everything inside `dir`, but not a file named `dir`.
        if segments.len() > 1 && matches!(segments.last(), Some(Segment::AnyDepth)) {
            segments.pop();
            directory_only = true;
        }
        let entries_only = !directory_only
            && matches!(segments.last(), Some(Segment::Glob(tokens)) if tokens == &[STAR]);

        let mut tokens = Vec::new();
        if let [Segment::AnyDepth] = segments.as_slice() {
            // `**` alone: one or more whole segments, so any path.
            tokens.extend([Token::One { cross: true }, Token::Star { cross: true }]);
        }
        for (index, segment) in segments.iter().enumerate() {
            match segment {
                Segment::AnyDepth if segments.len() > 1 => tokens.push(Token::Folders),
                Segment::AnyDepth => {}
                Segment::Glob(glob) => {
                    tokens.extend_from_slice(glob);
                    if index + 1 < segments.len() {
                        tokens.push(Token::Char('/'));
                    }
                }
            }
        }
        if directory_only {
            // Strictly below: a `/` and at least one more segment.
            tokens.extend([Token::Char('/'), Token::Star { cross: true }]);
        } else if !entries_only {
            // The path itself, or anything below it when it is a directory.
            tokens.push(Token::Below);
        }
        Ok(Pattern {
            glob: Glob::from_tokens(text, &tokens),
        })
    }

    /// `path` is `/`-separated with no empty segment, and not empty.
    fn matches(&self, path: &str) -> bool {
        self.glob.matches(path)
    }
}

/// A `*` in a segment: it never crosses `/`.
const STAR: Token = Token::Star { cross: false };

/// One path segment's glob: `*`, `?`, and `\` escaping any character.
fn compile_glob(part: &str, pattern: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = part.chars();
    while let Some(c) = chars.next() {
        let token = match c {
            '\\' => match chars.next() {
                Some(escaped) => Token::Char(escaped),
                None => {
                    return Err(format!(
                        "`{pattern}` ends a segment with `\\`, which escapes nothing; remove it"
                    ));
                }
            },
            '[' | ']' => {
                return Err(format!(
                    "`{pattern}`: `[ ]` character ranges are not supported in CODEOWNERS; \
                     use `?` or `*`, or write `\\[` and `\\]` for literal brackets"
                ));
            }
            '*' if tokens.last() == Some(&STAR) => continue,
            '*' => STAR,
            '?' => Token::One { cross: false },
            c => Token::Char(c),
        };
        tokens.push(token);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text`, expects exactly `problems` as (line, part of the message), then the
    /// owners of each path.
    fn check(text: &str, problems: &[(usize, &str)], cases: Cases) {
        let (owners, found) = CodeOwners::parse(text);
        assert_eq!(
            found.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            problems.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            "problem lines for:\n{text}\ngot {found:?}"
        );
        for ((_, message), (_, part)) in found.iter().zip(problems) {
            assert!(message.contains(part), "{message:?} lacks {part:?}");
        }
        for (path, expected) in cases {
            assert_eq!(
                &owners.owners(path),
                expected,
                "owners of {path:?} in:\n{text}"
            );
        }
    }

    /// Paths and the owners expected for them.
    type Cases<'a> = &'a [(&'a str, &'a [&'a str])];

    const NONE: &[&str] = &[];

    /// The example file of GitHub's "About code owners" page, verbatim (current version).
    const GITHUB_EXAMPLE: &str = "\
# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name. Teams must have
# explicit write access to the repository. In this example,
# the octocats team in the octo-org organization owns all .txt files.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The `docs/*` pattern will match files like
# `docs/getting-started.md` but not further nested files like
# `docs/build-app/troubleshooting.md`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the `/docs`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the `/scripts` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a `/logs` directory such as
# `/build/logs`, `/scripts/logs`, and `/deeply/nested/logs`. Any changes
# in a `/logs` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as its owners are left empty.
/apps/ @octocat
/apps/github

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as this subdirectory has its own owner @doctocat
/apps/ @octocat
/apps/github @doctocat
";

    #[test]
    fn github_example_file_as_a_whole() {
        let global: &[&str] = &["@global-owner1", "@global-owner2"];
        check(
            GITHUB_EXAMPLE,
            &[],
            &[
                ("README.md", global),
                ("web/app.js", &["@js-owner"]),
                ("cmd/main.go", &["docs@example.com"]),
                ("notes/todo.txt", &["@octo-org/octocats"]),
                // `/docs/` comes after `docs/*`, and `**/logs` after `/build/logs/`.
                ("docs/getting-started.md", &["@doctocat"]),
                ("build/logs/today.log", &["@octocat"]),
                ("scripts/deploy.sh", &["@doctocat", "@octocat"]),
                ("apps/main.go", &["@octocat"]),
                ("apps/github/main.go", &["@doctocat"]),
            ],
        );
    }

    /// Each example line of GitHub's page, with what its comment says it does.
    #[test]
    fn github_example_lines_do_what_their_comments_say() {
        let global: &[&str] = &["@global-owner1", "@global-owner2"];
        let default = "*       @global-owner1 @global-owner2\n";
        let table: &[(&str, Cases)] = &[
            // Default owners for everything in the repo.
            (
                default,
                &[("README.md", global), ("src/deep/er/file.rs", global)],
            ),
            // Only @js-owner, not the global owners, for JS files; the inline comment is
            // not an owner.
            (
                "*       @global-owner1 @global-owner2\n\
                 *.js    @js-owner #This is an inline comment.\n",
                &[
                    ("app.js", &["@js-owner"]),
                    ("web/static/app.js", &["@js-owner"]),
                    ("app.ts", global),
                ],
            ),
            // Email addresses as owners.
            (
                "*.go docs@example.com\n",
                &[
                    ("main.go", &["docs@example.com"]),
                    ("x/y/z.go", &["docs@example.com"]),
                ],
            ),
            // The octocats team owns all .txt files.
            (
                "*.txt @octo-org/octocats\n",
                &[
                    ("a.txt", &["@octo-org/octocats"]),
                    ("a/b/c.txt", &["@octo-org/octocats"]),
                    ("a.txt.bak", NONE),
                ],
            ),
            // build/logs at the root and any of its subdirectories.
            (
                "/build/logs/ @doctocat\n",
                &[
                    ("build/logs/a.log", &["@doctocat"]),
                    ("build/logs/2024/01/a.log", &["@doctocat"]),
                    ("src/build/logs/a.log", NONE),
                    ("build/logs", NONE),
                ],
            ),
            // docs/getting-started.md but not docs/build-app/troubleshooting.md.
            (
                "docs/*  docs@example.com\n",
                &[
                    ("docs/getting-started.md", &["docs@example.com"]),
                    ("docs/build-app/troubleshooting.md", NONE),
                    ("src/docs/getting-started.md", NONE),
                ],
            ),
            // Any file in an apps directory anywhere.
            (
                "apps/ @octocat\n",
                &[
                    ("apps/main.go", &["@octocat"]),
                    ("apps/a/b/main.go", &["@octocat"]),
                    ("services/x/apps/main.go", &["@octocat"]),
                    ("apps", NONE),
                    ("myapps/main.go", NONE),
                ],
            ),
            // Any file in /docs at the root and its subdirectories.
            (
                "/docs/ @doctocat\n",
                &[
                    ("docs/a.md", &["@doctocat"]),
                    ("docs/build-app/troubleshooting.md", &["@doctocat"]),
                    ("src/docs/a.md", NONE),
                ],
            ),
            // Approval from @doctocat or @octocat inside /scripts.
            (
                "/scripts/ @doctocat @octocat\n",
                &[
                    ("scripts/deploy.sh", &["@doctocat", "@octocat"]),
                    ("deploy.sh", NONE),
                ],
            ),
            // /build/logs, /scripts/logs and /deeply/nested/logs.
            (
                "**/logs @octocat\n",
                &[
                    ("build/logs/a.log", &["@octocat"]),
                    ("scripts/logs/b.log", &["@octocat"]),
                    ("deeply/nested/logs/c.log", &["@octocat"]),
                    ("logs/d.log", &["@octocat"]),
                    ("build/logsx/a.log", NONE),
                ],
            ),
            // /apps except /apps/github, whose owners are left empty.
            (
                "/apps/ @octocat\n/apps/github\n",
                &[
                    ("apps/main.go", &["@octocat"]),
                    ("apps/github/main.go", NONE),
                    ("apps/github", NONE),
                    ("apps/githubber/main.go", &["@octocat"]),
                ],
            ),
            // /apps except /apps/github, which has its own owner.
            (
                "/apps/ @octocat\n/apps/github @doctocat\n",
                &[
                    ("apps/main.go", &["@octocat"]),
                    ("apps/github/deep/main.go", &["@doctocat"]),
                ],
            ),
            // Branch protection examples of earlier versions of the page: any change inside
            // /apps needs @doctocat; @doctocat or @octocat; a member of the team.
            ("/apps/ @doctocat\n", &[("apps/main.go", &["@doctocat"])]),
            (
                "/apps/ @doctocat @octocat\n",
                &[("apps/main.go", &["@doctocat", "@octocat"])],
            ),
            (
                "/apps/ @example-org/content-team\n",
                &[("apps/main.go", &["@example-org/content-team"])],
            ),
        ];
        for (text, cases) in table {
            check(text, &[], cases);
        }
    }

    #[test]
    fn last_matching_rule_wins() {
        check(
            "* @all\n*.go @gophers\n/src/ @src\n",
            &[],
            &[
                ("src/main.go", &["@src"]),
                ("main.go", &["@gophers"]),
                ("README.md", &["@all"]),
            ],
        );
        check(
            "/src/ @src\n*.go @gophers\n* @all\n",
            &[],
            &[("src/main.go", &["@all"]), ("main.go", &["@all"])],
        );
    }

    #[test]
    fn anchoring_and_depth() {
        check(
            "/README.md @root\nLICENSE @anywhere\na/b @middle-slash\n",
            &[],
            &[
                ("README.md", &["@root"]),
                ("docs/README.md", NONE),
                ("LICENSE", &["@anywhere"]),
                ("vendor/x/LICENSE", &["@anywhere"]),
                // A slash in the middle anchors like a leading one.
                ("a/b", &["@middle-slash"]),
                ("a/b/c.go", &["@middle-slash"]),
                ("x/a/b", NONE),
            ],
        );
        // `/*` is the entries at the root, not what is nested below them.
        check(
            "/* @root-files\n",
            &[],
            &[("main.go", &["@root-files"]), ("cmd/main.go", NONE)],
        );
        check(
            "docs @docs\n*.go @gophers\n",
            &[],
            &[
                // A slashless name is a file or a directory at any depth, and its contents.
                ("docs", &["@docs"]),
                ("a/b/docs", &["@docs"]),
                ("docs/index.md", &["@docs"]),
                ("a/docs/x/index.md", &["@docs"]),
                ("docs.md", NONE),
                ("main.go", &["@gophers"]),
                ("a/b/c/main.go", &["@gophers"]),
                ("main.go.orig", NONE),
            ],
        );
    }

    #[test]
    fn trailing_slash_is_a_directory() {
        check(
            "logs/ @logs\n/build/ @build\n",
            &[],
            &[
                ("logs", NONE),
                ("logs/a", &["@logs"]),
                ("x/y/logs/a/b", &["@logs"]),
                ("build", NONE),
                ("build/out", &["@build"]),
                ("x/build/out", NONE),
            ],
        );
    }

    #[test]
    fn double_star_forms() {
        check(
            "**/logs @a\n",
            &[],
            &[("logs", &["@a"]), ("x/logs", &["@a"])],
        );
        check(
            "docs/** @a\n",
            &[],
            &[
                ("docs/a.md", &["@a"]),
                ("docs/a/b/c.md", &["@a"]),
                ("docs", NONE),
                ("x/docs/a.md", NONE),
            ],
        );
        check(
            "a/**/b @a\n",
            &[],
            &[
                ("a/b", &["@a"]),
                ("a/x/b", &["@a"]),
                ("a/x/y/b", &["@a"]),
                ("a/x/b/inside.go", &["@a"]),
                ("a/bb", NONE),
                ("x/a/b", NONE),
            ],
        );
        check(
            "/src/**/*.go @a\n",
            &[],
            &[
                ("src/main.go", &["@a"]),
                ("src/x/y/main.go", &["@a"]),
                ("src/x/main.rs", NONE),
            ],
        );
        check("** @all\n", &[], &[("a", &["@all"]), ("a/b/c", &["@all"])]);
        // `**` inside a segment is two ordinary stars.
        check(
            "/a**b @a\n",
            &[],
            &[("ab", &["@a"]), ("axxb", &["@a"]), ("ax/xb", NONE)],
        );
    }

    #[test]
    fn wildcards_stay_within_a_segment() {
        check(
            "/file?.go @q\n/cmd/*.go @star\n",
            &[],
            &[
                ("file1.go", &["@q"]),
                ("file10.go", NONE),
                ("file.go", NONE),
                ("cmd/main.go", &["@star"]),
                ("cmd/x/main.go", NONE),
            ],
        );
    }

    #[test]
    fn comments_and_escapes() {
        check(
            "# a comment\n   \t# an indented comment\n\n\
             *.go @gophers # trailing comment @not-an-owner\n\
             /c#sharp/ @hash-inside\n\
             /\\*.md @literal-star\n\
             /\\!important.txt @literal-bang\n",
            &[],
            &[
                ("main.go", &["@gophers"]),
                ("c#sharp/x", &["@hash-inside"]),
                ("*.md", &["@literal-star"]),
                ("README.md", NONE),
                ("!important.txt", &["@literal-bang"]),
            ],
        );
        // GitHub documents that `\#` does not escape a leading `#`.
        check(
            "* @all\n\\#notes.md @hash\n",
            &[(2, "leading `#`")],
            &[("#notes.md", &["@all"])],
        );
        // A lone `#` owner word starts a comment too: the rule has no owners.
        check("* @all\n/vendor/ #unowned\n", &[], &[("vendor/x.go", NONE)]);
    }

    #[test]
    fn invalid_lines_are_reported_and_skipped() {
        check(
            "* @all\n\
             !vendor/ @nobody\n\
             *.[ch] @c\n\
             /tools/ tools-team\n\
             /bin\\\n\
             /ok/ @ok\n\
             /\n\
             /src/x]y @z\n\
             /lib/ @a/b/c\n",
            &[
                (2, "negation"),
                (3, "character ranges"),
                (4, "not an owner"),
                (5, "escapes nothing"),
                (7, "matches no path"),
                (8, "character ranges"),
                (9, "not an owner"),
            ],
            &[
                ("vendor/x.go", &["@all"]),
                ("main.c", &["@all"]),
                ("tools/x", &["@all"]),
                ("ok/x", &["@ok"]),
                ("lib/x", &["@all"]),
            ],
        );
        // Escaped brackets are literal characters.
        check(
            "/pages/\\[id\\].tsx @web\n",
            &[],
            &[("pages/[id].tsx", &["@web"])],
        );
    }

    #[test]
    fn empty_owner_list_clears_ownership() {
        check(
            "* @all\n/vendor/\n/vendor/ours/ @us\n",
            &[],
            &[
                ("main.go", &["@all"]),
                ("vendor/x/y.go", NONE),
                ("vendor/ours/y.go", &["@us"]),
            ],
        );
    }

    #[test]
    fn paths_are_case_sensitive() {
        check(
            "/Docs/ @docs\n*.GO @upper\n",
            &[],
            &[
                ("Docs/a.md", &["@docs"]),
                ("docs/a.md", NONE),
                ("main.GO", &["@upper"]),
                ("main.go", NONE),
            ],
        );
    }

    #[test]
    fn paths_with_spaces() {
        check(
            "docs/* @docs\n*.md @md\n/my\\ tools/ @tools\n/a\\ b\\ c.txt @abc\n",
            &[],
            &[
                ("docs/my file.go", &["@docs"]),
                ("release notes/read me.md", &["@md"]),
                ("my tools/run.sh", &["@tools"]),
                ("my/run.sh", NONE),
                ("a b c.txt", &["@abc"]),
            ],
        );
    }

    #[test]
    fn owners_in_order_without_duplicates() {
        check(
            "* @b @a @b @A ops@example.com OPS@example.com @org/team\n",
            &[],
            &[("x", &["@b", "@a", "ops@example.com", "@org/team"])],
        );
    }

    #[test]
    fn unmatched_empty_and_odd_input() {
        check("", &[], &[("main.go", NONE)]);
        check("/src/ @src\n", &[], &[("main.go", NONE), ("", NONE)]);
        // CRLF line ends and a byte order mark, as editors on Windows write them.
        check(
            "\u{feff}/src/ @src\r\n!x @y\r\n*.go @go\r\n",
            &[(2, "negation")],
            &[("src/a.rs", &["@src"]), ("a.go", &["@go"])],
        );
    }

    /// GitHub's order of preference: `.github/`, then the root, then `docs/`.
    #[test]
    fn the_first_location_found_wins() {
        let table: &[(&[&str], Option<&str>)] = &[
            (&[], None),
            (&["docs/CODEOWNERS"], Some("docs/CODEOWNERS")),
            (&["CODEOWNERS", "docs/CODEOWNERS"], Some("CODEOWNERS")),
            (
                &["docs/CODEOWNERS", "CODEOWNERS", ".github/CODEOWNERS"],
                Some(".github/CODEOWNERS"),
            ),
            (&["src/CODEOWNERS", "codeowners"], None),
        ];
        for (present, expected) in table {
            let mut asked = Vec::new();
            let found = locate(|location| {
                asked.push(location);
                present
                    .contains(&location)
                    .then(|| format!("text of {location}"))
            });
            assert_eq!(
                found,
                expected.map(|location| (location, format!("text of {location}"))),
                "{present:?}"
            );
            // Nothing is read past the file that is used.
            match expected {
                Some(location) => assert_eq!(asked.last(), Some(location)),
                None => assert_eq!(asked, LOCATIONS),
            }
        }
    }

    #[test]
    fn pathological_patterns_finish() {
        let mut path = "a/".repeat(2_000);
        path.push_str(&"bcd".repeat(2_000));
        path.push_str(".txt");
        let long_name = "a".repeat(20_000);
        check(
            "a/**/**/**/**/**/b*c*d*e* @slow\n\
             a/**/a*/**/*a/**/a*a/**/b*c*d*e* @slow\n\
             *a*a*a*a*a*a*a*a*a*b @slower\n",
            &[],
            &[(path.as_str(), NONE), (long_name.as_str(), NONE)],
        );
    }
}
