//! Allowlists of known false positives: YAML rule files, loaded (validated, with
//! `FILE:LINE:COL` errors), matched against findings, and reported when expired or unused.
//!
//! ```yaml
//! version: 1
//! suppressions:
//!   - id: billing-heartbeat
//!     reason: long-poll by design
//!     function: "example.com/billing.(*Poller).run*"
//!     file: "billing/**/*.go"
//!     op: select
//!     max_goroutines: 5000
//!     owner: "@billing-team"
//!     expires: 2027-03-31
//! ```
//!
//! Rules come from `--rules` files, the repository's `.leakprof.yaml` at the revision, and
//! the built-in files under `rules/`, compiled into the binary and loaded by this same
//! loader. When several rules match a finding the first in that order suppresses it; every
//! matching rule counts as used.

use serde::Deserialize;

use crate::blocking::Op;
use crate::date::Date;
use crate::model::{RuleUsage, Warning};

/// Built-in rules, one YAML file per library family.
pub const BUILTIN: &[(&str, &str)] = &[
    ("stdlib.yaml", include_str!("../rules/stdlib.yaml")),
    ("grpc.yaml", include_str!("../rules/grpc.yaml")),
    ("logging.yaml", include_str!("../rules/logging.yaml")),
    ("telemetry.yaml", include_str!("../rules/telemetry.yaml")),
    ("libraries.yaml", include_str!("../rules/libraries.yaml")),
];

/// Ids of built-in rules start with this; user rules may not.
pub const BUILTIN_PREFIX: &str = "leakprof.";

/// Where a rule was loaded from, in precedence order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleSource {
    /// A `--rules` file; the index is its position on the command line.
    User(usize),
    /// The repository's `.leakprof.yaml` at the revision.
    Repo,
    Builtin,
}

/// A validated rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub reason: String,
    pub function: Option<Glob>,
    pub file: Option<Glob>,
    pub line: Option<u32>,
    pub op: Option<Op>,
    pub stack: Option<Glob>,
    pub max_goroutines: Option<u64>,
    pub owner: Option<String>,
    pub expires: Option<Date>,
    pub source: RuleSource,
    /// `FILE:LINE` of the rule's `id`, for messages.
    pub origin: String,
    /// The file and the 1-based line and column of the rule's `id` value.
    pub position: (String, usize, usize),
}

/// One problem in a rules file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct RulesError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

// The file as written. Types are checked while deserialising (the YAML library places
// those errors); values are checked afterwards and placed by `Layout`.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u64,
    #[serde(default)]
    suppressions: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    reason: String,
    function: Option<String>,
    file: Option<String>,
    line: Option<u32>,
    op: Option<String>,
    stack: Option<String>,
    max_goroutines: Option<u64>,
    owner: Option<String>,
    expires: Option<String>,
}

const OP_NAMES: &[(&str, Op)] = &[
    ("send", Op::Send),
    ("receive", Op::Receive),
    ("range", Op::Range),
    ("select", Op::Select),
    ("select_no_cases", Op::SelectNoCases),
    ("nil_send", Op::NilSend),
    ("nil_receive", Op::NilReceive),
];

fn parse_op(name: &str) -> Result<Op, String> {
    match OP_NAMES.iter().find(|(known, _)| *known == name) {
        Some((_, op)) => Ok(*op),
        None => {
            let known: Vec<&str> = OP_NAMES.iter().map(|(known, _)| *known).collect();
            Err(format!(
                "unknown op {name:?}, expected one of {}",
                known.join(", ")
            ))
        }
    }
}

/// A glob: `*` any run of characters, `?` one character, everything else literal. In file
/// globs `*` and `?` stop at `/`, and `**` (a whole path segment) crosses folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    tokens: Vec<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    /// Any run of characters; `bool`: may cross `/`.
    Star(bool),
    /// One character; may not be `/` in file globs.
    One(bool),
    /// `**/`: zero or more whole folders.
    Folders,
}

impl Glob {
    /// A glob on Go symbols (`function`, `stack`).
    pub fn symbol(pattern: &str) -> Result<Glob, String> {
        if pattern.trim().is_empty() {
            return Err("the glob is empty".into());
        }
        if pattern.chars().any(char::is_whitespace) {
            return Err(format!(
                "glob {pattern:?} has white space; Go symbols have none"
            ));
        }
        let tokens = pattern
            .chars()
            .map(|c| match c {
                '*' => Token::Star(true),
                '?' => Token::One(true),
                c => Token::Char(c),
            })
            .collect();
        Ok(Glob {
            pattern: pattern.to_string(),
            tokens,
        })
    }

    /// A glob on repository-relative paths (`file`).
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
                    Token::Star(true)
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
            for c in segment.chars() {
                tokens.push(match c {
                    '*' => Token::Star(false),
                    '?' => Token::One(false),
                    c => Token::Char(c),
                });
            }
            if !last {
                tokens.push(Token::Char('/'));
            }
        }
        Ok(Glob {
            pattern: pattern.to_string(),
            tokens,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        // reachable[i]: the tokens so far can match text[..i].
        let mut reachable = vec![false; text.len() + 1];
        reachable[0] = true;
        for token in &self.tokens {
            let mut next = vec![false; text.len() + 1];
            for start in 0..=text.len() {
                if !reachable[start] {
                    continue;
                }
                match token {
                    Token::Char(c) => {
                        if text.get(start) == Some(c) {
                            next[start + 1] = true;
                        }
                    }
                    Token::One(cross) => {
                        if text.get(start).is_some_and(|&c| *cross || c != '/') {
                            next[start + 1] = true;
                        }
                    }
                    Token::Star(cross) => {
                        next[start] = true;
                        for end in start..text.len() {
                            if !cross && text[end] == '/' {
                                break;
                            }
                            next[end + 1] = true;
                        }
                    }
                    Token::Folders => {
                        next[start] = true;
                        for end in start..text.len() {
                            if text[end] == '/' {
                                next[end + 1] = true;
                            }
                        }
                    }
                }
            }
            reachable = next;
        }
        reachable[text.len()]
    }
}

/// Parses and validates one rules file. `name` is how messages name it.
pub fn parse(text: &str, name: &str, source: RuleSource) -> Result<Vec<Rule>, Vec<RulesError>> {
    let at = |(line, column): (usize, usize), message: String| RulesError {
        file: name.to_string(),
        line,
        column,
        message,
    };
    let has_content = text
        .lines()
        .any(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'));
    if !has_content {
        return Err(vec![at(
            (1, 1),
            "the file is empty; a rules file starts with `version: 1`".into(),
        )]);
    }
    let raw: RawFile = serde_yaml::from_str(text).map_err(|error| {
        let position = error.location().map_or((1, 1), |l| (l.line(), l.column()));
        let message = error.to_string();
        let message = match message.rfind(" at line ") {
            Some(cut) => message[..cut].to_string(),
            None => message,
        };
        vec![at(position, message)]
    })?;

    let layout = Layout::new(text);
    let mut errors = Vec::new();
    if raw.version != 1 {
        errors.push(at(
            layout.top_level("version"),
            format!(
                "version: unsupported version {}; this leakprof reads version 1",
                raw.version
            ),
        ));
    }
    let mut rules = Vec::with_capacity(raw.suppressions.len());
    for (index, raw) in raw.suppressions.into_iter().enumerate() {
        let key = |key: &str| layout.key(index, key);
        let mut fail = |key_name: &str, message: String| {
            errors.push(at(
                key(key_name),
                format!("suppressions[{index}].{key_name}: {message}"),
            ));
        };
        let id = raw.id.trim().to_string();
        if id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            fail(
                "id",
                format!("{:?} must be a non-empty word without spaces", raw.id),
            );
        } else if source != RuleSource::Builtin && id.starts_with(BUILTIN_PREFIX) {
            fail(
                "id",
                format!(
                    "{id:?}: ids starting with {BUILTIN_PREFIX:?} are reserved for built-in rules"
                ),
            );
        }
        if raw.reason.trim().is_empty() {
            fail(
                "reason",
                "must not be empty: say why this is not a leak".into(),
            );
        }
        let names_a_place = raw.function.is_some() || raw.file.is_some() || raw.stack.is_some();
        let mut glob =
            |key_name: &str, value: Option<String>, make: fn(&str) -> Result<Glob, String>| {
                value.and_then(|value| make(&value).map_err(|message| fail(key_name, message)).ok())
            };
        let function = glob("function", raw.function, Glob::symbol);
        let file = glob("file", raw.file, Glob::path);
        let stack = glob("stack", raw.stack, Glob::symbol);
        let op = raw
            .op
            .and_then(|name| parse_op(&name).map_err(|message| fail("op", message)).ok());
        let expires = raw.expires.and_then(|text| {
            let date = Date::parse(text.trim());
            if date.is_none() {
                fail(
                    "expires",
                    format!("{text:?} is not a date of the form YYYY-MM-DD"),
                );
            }
            date
        });
        if raw.line == Some(0) {
            fail("line", "must be at least 1".into());
        }
        if raw.max_goroutines == Some(0) {
            fail("max_goroutines", "must be at least 1".into());
        }
        let owner = raw.owner.map(|owner| owner.trim().to_string());
        if owner.as_deref() == Some("") {
            fail("owner", "must not be empty".into());
        }
        if !names_a_place {
            errors.push(at(
                layout.entry(index),
                format!("suppressions[{index}] ({id}): needs at least one of `function`, `file` or `stack`"),
            ));
        }
        let (line, column) = layout.key(index, "id");
        rules.push(Rule {
            id,
            reason: raw.reason.trim().to_string(),
            function,
            file,
            line: raw.line,
            op,
            stack,
            max_goroutines: raw.max_goroutines,
            owner,
            expires,
            source: source.clone(),
            origin: format!("{name}:{line}"),
            position: (name.to_string(), line, column),
        });
    }
    if errors.is_empty() {
        errors.extend(duplicate_ids(&rules));
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// Where things are in a rules file, read from its text: the YAML library reports positions
/// only for syntax and type errors.
pub struct Layout<'a> {
    lines: Vec<&'a str>,
    /// First line (0-based) of each entry of `suppressions`, and the line after the list.
    entries: Vec<usize>,
    end: usize,
}

impl<'a> Layout<'a> {
    pub fn new(text: &'a str) -> Layout<'a> {
        let lines: Vec<&str> = text.lines().collect();
        let mut entries = Vec::new();
        let mut end = lines.len();
        let list = lines.iter().position(|line| {
            line.strip_prefix("suppressions")
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        });
        if let Some(list) = list {
            let mut indent: Option<usize> = None;
            for (number, line) in lines.iter().enumerate().skip(list + 1) {
                let trimmed = line.trim_start();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let this_indent = line.len() - trimmed.len();
                let is_item = trimmed == "-" || trimmed.starts_with("- ");
                match indent {
                    None if is_item => {
                        indent = Some(this_indent);
                        entries.push(number);
                    }
                    Some(indent) if is_item && this_indent == indent => entries.push(number),
                    Some(indent) if this_indent < indent || (this_indent == indent && !is_item) => {
                        end = number;
                        break;
                    }
                    None if this_indent == 0 => {
                        end = number;
                        break;
                    }
                    _ => {}
                }
            }
        }
        Layout {
            lines,
            entries,
            end,
        }
    }

    /// Lines `[start, end)` of entry `index`.
    pub fn entry_lines(&self, index: usize) -> Option<(usize, usize)> {
        let start = *self.entries.get(index)?;
        let end = self.entries.get(index + 1).copied().unwrap_or(self.end);
        // Trailing blank and comment lines belong to what follows.
        let mut end = end;
        while end > start + 1
            && self.lines.get(end - 1).is_some_and(|line| {
                let trimmed = line.trim();
                trimmed.is_empty() || trimmed.starts_with('#')
            })
        {
            end -= 1;
        }
        Some((start, end))
    }

    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// The line after the last entry's last line (where a new entry goes), and the entries'
    /// indentation.
    pub fn append_point(&self) -> Option<(usize, usize)> {
        let last = self.entries.len().checked_sub(1)?;
        let (start, end) = self.entry_lines(last)?;
        let line = self.lines[start];
        Some((end, line.len() - line.trim_start().len()))
    }

    /// 1-based position of entry `index`'s `-`.
    fn entry(&self, index: usize) -> (usize, usize) {
        match self.entries.get(index) {
            Some(&line) => (
                line + 1,
                self.lines[line].len() - self.lines[line].trim_start().len() + 1,
            ),
            None => (1, 1),
        }
    }

    /// 1-based position of the value of `key` in entry `index`, else of the entry.
    fn key(&self, index: usize, key: &str) -> (usize, usize) {
        let Some((start, end)) = self.entry_lines(index) else {
            return (1, 1);
        };
        for number in start..end {
            let line = self.lines[number];
            let trimmed = line.trim_start();
            let item = trimmed
                .strip_prefix('-')
                .map(str::trim_start)
                .unwrap_or(trimmed);
            let Some(rest) = item.strip_prefix(key).map(str::trim_start) else {
                continue;
            };
            if let Some(value) = rest.strip_prefix(':') {
                let value_start = line.len() - value.trim_start().len();
                return (number + 1, value_start + 1);
            }
        }
        self.entry(index)
    }

    fn top_level(&self, key: &str) -> (usize, usize) {
        for (number, line) in self.lines.iter().enumerate() {
            if let Some(value) = line
                .strip_prefix(key)
                .and_then(|rest| rest.trim_start().strip_prefix(':'))
            {
                return (number + 1, line.len() - value.trim_start().len() + 1);
            }
        }
        (1, 1)
    }
}

/// Ids must be unique across every file loaded together.
pub fn duplicate_ids(rules: &[Rule]) -> Vec<RulesError> {
    let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let mut errors = Vec::new();
    for rule in rules {
        if let Some(first) = seen.insert(&rule.id, &rule.origin) {
            let (file, line, column) = rule.position.clone();
            errors.push(RulesError {
                file,
                line,
                column,
                message: format!("duplicate id {:?}: already defined at {first}", rule.id),
            });
            seen.insert(&rule.id, first);
        }
    }
    errors
}

/// The built-in rules.
pub fn builtin() -> Vec<Rule> {
    let mut rules = Vec::new();
    for (name, text) in BUILTIN {
        match parse(text, &format!("rules/{name}"), RuleSource::Builtin) {
            Ok(parsed) => rules.extend(parsed),
            // A test loads every built-in file; a broken one never ships.
            Err(errors) => unreachable!("built-in rules/{name} is invalid: {errors:?}"),
        }
    }
    rules
}

/// A place as rules see it.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub function: &'a str,
    /// Repository-relative with `--repo`, else the profile's path.
    pub file: &'a str,
    pub line: u32,
    pub op: Op,
    /// The example stack, innermost first: `function file:line`.
    pub stack: &'a [String],
    pub goroutines: u64,
    /// An inline ignore already claims the place: rules that match still count as used, but
    /// none suppresses it.
    pub ignored_inline: bool,
}

/// What the rules say about every place.
#[derive(Debug, Default)]
pub struct Applied {
    /// Per place: the index of the rule that suppresses it, the first in precedence order
    /// that matches, has not expired and allows its count.
    pub hits: Vec<Option<usize>>,
    /// Per rule: how many places it matches.
    pub matched: Vec<u64>,
    /// Rules that matched a place with more goroutines than they allow.
    pub warnings: Vec<Warning>,
}

/// Matches `rules` (in precedence order) against every place; `None` places (not own code)
/// are not matched. Decides nothing: the pipeline weighs a hit with the other evidence.
pub fn apply(rules: &[Rule], subjects: &[Option<Subject<'_>>], today: Date) -> Applied {
    let mut applied = Applied {
        hits: Vec::with_capacity(subjects.len()),
        matched: vec![0; rules.len()],
        warnings: Vec::new(),
    };
    for subject in subjects {
        let Some(subject) = subject else {
            applied.hits.push(None);
            continue;
        };
        let mut hit = None;
        for (index, rule) in rules.iter().enumerate() {
            if !rule.matches(subject) {
                continue;
            }
            applied.matched[index] += 1;
            if subject.ignored_inline || hit.is_some() || rule.expired(today) {
                continue;
            }
            if let Some(max) = rule.max_goroutines.filter(|&max| subject.goroutines >= max) {
                applied.warnings.push(Warning::RuleOverBound {
                    rule: rule.id.clone(),
                    origin: rule.origin.clone(),
                    max,
                    file: subject.file.to_string(),
                    line: subject.line,
                    goroutines: subject.goroutines,
                });
                continue;
            }
            hit = Some(index);
        }
        applied.hits.push(hit);
    }
    applied
}

/// How each rule fared, given how many places it matched and suppressed; warnings for user
/// rules that expired or matched nothing (built-in rules are listed only when they matched).
pub fn usage(
    rules: &[Rule],
    matched: &[u64],
    suppressed: &[u64],
    today: Date,
) -> (Vec<RuleUsage>, Vec<Warning>) {
    let mut listed = Vec::new();
    let mut warnings = Vec::new();
    for ((rule, &matched), &suppressed) in rules.iter().zip(matched).zip(suppressed) {
        let usage = RuleUsage {
            id: rule.id.clone(),
            origin: rule.origin.clone(),
            matched,
            suppressed,
            expires: rule.expires.map(|date| date.to_string()),
            expired: rule.expired(today),
        };
        if rule.source == RuleSource::Builtin {
            if matched > 0 {
                listed.push(usage);
            }
            continue;
        }
        if usage.expired {
            warnings.push(Warning::RuleExpired {
                rule: rule.id.clone(),
                origin: rule.origin.clone(),
                expires: usage.expires.clone().unwrap_or_default(),
                matched,
            });
        } else if matched == 0 {
            warnings.push(Warning::RuleUnused {
                rule: rule.id.clone(),
                origin: rule.origin.clone(),
            });
        }
        listed.push(usage);
    }
    (listed, warnings)
}

impl Rule {
    /// From `expires` on, a rule no longer suppresses.
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| today >= expires)
    }

    /// Whether every condition the rule names holds for `subject`.
    pub fn matches(&self, subject: &Subject<'_>) -> bool {
        if let Some(glob) = &self.function {
            if !glob.matches(subject.function) {
                return false;
            }
        }
        if let Some(glob) = &self.file {
            if !file_matches(glob, subject.file) {
                return false;
            }
        }
        if self.line.is_some_and(|line| line != subject.line) {
            return false;
        }
        if let Some(op) = self.op {
            if !op_matches(op, subject.op) {
                return false;
            }
        }
        if let Some(glob) = &self.stack {
            let any_frame = subject
                .stack
                .iter()
                .any(|frame| glob.matches(frame.split(' ').next().unwrap_or(frame)));
            if !any_frame {
                return false;
            }
        }
        true
    }
}

/// A file glob is written against repository-relative paths; without `--repo` a finding's
/// file is the absolute build path, so the glob may match any trailing part of it.
fn file_matches(glob: &Glob, file: &str) -> bool {
    if glob.matches(file) {
        return true;
    }
    file.starts_with('/')
        && file
            .match_indices('/')
            .any(|(at, _)| glob.matches(&file[at + 1..]))
}

/// `send` and `receive` name families: `receive` also matches a range loop and a nil
/// channel, so a rule keeps matching when `--repo` refines the op. A debug=1 finding checked
/// without source has op `unknown`, which any op matches: the profile cannot say otherwise.
fn op_matches(rule: Op, finding: Op) -> bool {
    if finding == Op::Unknown {
        return true;
    }
    match rule {
        Op::Send => matches!(finding, Op::Send | Op::NilSend),
        Op::Receive => matches!(finding, Op::Receive | Op::Range | Op::NilReceive),
        other => other == finding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_file_loads() {
        let rules = builtin();
        assert!(rules.len() >= 30, "{} built-in rules", rules.len());
        assert!(rules.iter().all(|rule| rule.id.starts_with(BUILTIN_PREFIX)));
        assert!(duplicate_ids(&rules).is_empty());
    }

    #[test]
    fn globs() {
        let symbol = |pattern: &str, text: &str| Glob::symbol(pattern).unwrap().matches(text);
        assert!(symbol(
            "example.com/billing.(*Poller).run*",
            "example.com/billing.(*Poller).run.func1"
        ));
        assert!(symbol(
            "example.com/billing.(*Poller).run*",
            "example.com/billing.(*Poller).run"
        ));
        assert!(!symbol(
            "example.com/billing.(*Poller).run*",
            "example.com/billing.(*Poller).stop"
        ));
        assert!(symbol(
            "google.golang.org/grpc*",
            "google.golang.org/grpc/internal/transport.(*loopyWriter).run"
        ));
        assert!(symbol("main.F[...]", "main.F[...]"));
        assert!(symbol("main.?", "main.f"));
        assert!(!symbol("main.?", "main.fg"));

        let path = |pattern: &str, text: &str| Glob::path(pattern).unwrap().matches(text);
        assert!(path("billing/**/*.go", "billing/x.go"));
        assert!(path("billing/**/*.go", "billing/a/b/x.go"));
        assert!(!path("billing/**/*.go", "billing/a/x.txt"));
        assert!(!path("billing/*.go", "billing/a/x.go"));
        assert!(path("**/leaks.go", "testdata/leaky/leaks.go"));
        assert!(path("**", "any/thing.go"));
        assert!(path("testdata/leaky/leaks.go", "testdata/leaky/leaks.go"));
        assert!(!path("leaks.go", "testdata/leaky/leaks.go"));
        assert!(path("a?c.go", "abc.go") && !path("a?c.go", "a/c.go"));

        for bad in ["", "/abs/x.go", "a\\\\b.go", "a/***/b", "a**/b", "a//b"] {
            assert!(Glob::path(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "  ", "main.f g"] {
            assert!(Glob::symbol(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn file_globs_match_absolute_paths_by_their_tail() {
        let glob = Glob::path("billing/**/*.go").unwrap();
        assert!(file_matches(&glob, "/build/shop/billing/poll/x.go"));
        assert!(!file_matches(&glob, "/build/shop/orders/x.go"));
    }

    #[test]
    fn op_families() {
        assert!(op_matches(Op::Receive, Op::Range));
        assert!(op_matches(Op::Send, Op::NilSend));
        assert!(!op_matches(Op::Range, Op::Receive));
        assert!(!op_matches(Op::Select, Op::SelectNoCases));
        assert!(op_matches(Op::Send, Op::Unknown));
    }

    #[test]
    fn layout_finds_entries_and_keys() {
        let text = "version: 1\n# id: not this\nsuppressions:\n  - id: a\n    reason: r\n\n  # about b\n  -   id: b\n    expires: 2027-01-01\nother: 1\n";
        let layout = Layout::new(text);
        assert_eq!(layout.entry_count(), 2);
        assert_eq!(layout.entry_lines(0), Some((3, 5)));
        assert_eq!(layout.entry_lines(1), Some((7, 9)));
        assert_eq!(layout.key(0, "id"), (4, 9));
        assert_eq!(layout.key(1, "id"), (8, 11));
        assert_eq!(layout.key(1, "expires"), (9, 14));
        assert_eq!(layout.key(1, "owner"), (8, 3));
        assert_eq!(layout.append_point(), Some((9, 2)));
    }
}
