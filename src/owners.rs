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
mod tests;
