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
//!     bound_reason: one poller per tenant, and we have about 3000
//!     over_bound: "billing pollers: one per tenant — is a poller started per request?"
//!     owner: "@billing-team"
//!     expires: 2027-03-31
//! ```
//!
//! Rules come from `--rules` files, the repository's `.leakprof.yaml` at the revision, and
//! the built-in files under `rules/`, compiled into the binary and loaded by this same
//! loader. When several rules match a finding the first in that order suppresses it; every
//! matching rule counts as used.

mod apply;
mod edit;
mod layout;
mod scan;

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use crate::blocking::Op;
use crate::date::Date;
pub use crate::glob::Glob;

pub use apply::{Applied, Subject, apply, usage};
pub use edit::{EditError, Field, NewEntry, insert_entry, remove_entries};
pub use layout::Layout;

/// Built-in rules, one YAML file per library family.
pub const BUILTIN: &[(&str, &str)] = &[
    ("stdlib.yaml", include_str!("../../rules/stdlib.yaml")),
    ("grpc.yaml", include_str!("../../rules/grpc.yaml")),
    ("logging.yaml", include_str!("../../rules/logging.yaml")),
    ("telemetry.yaml", include_str!("../../rules/telemetry.yaml")),
    ("libraries.yaml", include_str!("../../rules/libraries.yaml")),
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
    /// Why the bound is what it is (or why there is none), for `rules list`.
    pub bound_reason: Option<String>,
    /// What a count over `max_goroutines` means, said in the finding's note after the count
    /// ("database/sql openers: one per sql.DB — …").
    pub over_bound: Option<String>,
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

/// The largest rules file read or parsed: thousands of rules fit in far less, and the YAML
/// library's time and memory grow with what it is given.
pub const MAX_FILE_SIZE: usize = 1 << 20;

/// A rules file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{}: larger than {} KiB, the limit for a rules file: is it the right file?",
        path.display(),
        MAX_FILE_SIZE >> 10
    )]
    TooLarge { path: PathBuf },
    #[error("{}: not UTF-8 text (byte {offset}): a rules file is YAML in UTF-8", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
}

/// Reads a rules file, refusing more than [`MAX_FILE_SIZE`] bytes (so `/dev/zero` or a huge
/// file is an error, not a run out of memory) and text that is not UTF-8.
pub fn read_file(path: &Path) -> Result<String, ReadError> {
    let io_error = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    String::from_utf8(bytes).map_err(|error| ReadError::NotUtf8 {
        path: path.to_path_buf(),
        offset: error.utf8_error().valid_up_to(),
    })
}

/// The keys of an entry, in the order messages list them.
const FIELDS: &[&str] = &[
    "id",
    "reason",
    "function",
    "file",
    "line",
    "op",
    "stack",
    "max_goroutines",
    "bound_reason",
    "over_bound",
    "owner",
    "expires",
];

/// The op names a rule may use, as the JSON report writes them.
pub const OP_NAMES: &[(&str, Op)] = &[
    ("send", Op::Send),
    ("receive", Op::Receive),
    ("range", Op::Range),
    ("select", Op::Select),
    ("select_no_cases", Op::SelectNoCases),
    ("nil_send", Op::NilSend),
    ("nil_receive", Op::NilReceive),
];

/// The op a rule names, or what is wrong with the name.
pub fn parse_op(name: &str) -> Result<Op, String> {
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

/// An entry as written, its types checked.
#[derive(Default)]
struct RawRule {
    id: Option<String>,
    reason: Option<String>,
    function: Option<String>,
    file: Option<String>,
    line: Option<u32>,
    op: Option<String>,
    stack: Option<String>,
    max_goroutines: Option<u64>,
    bound_reason: Option<String>,
    over_bound: Option<String>,
    owner: Option<String>,
    expires: Option<String>,
}

impl RawRule {
    /// Stores `value` under `key` (one of [`FIELDS`]), or says what is wrong with its type.
    fn set(&mut self, key: &str, value: &Value) -> Result<(), String> {
        match key {
            "line" => self.line = Some(typed(value)?),
            "max_goroutines" => self.max_goroutines = Some(typed(value)?),
            _ => {
                let text = Some(typed::<String>(value)?);
                match key {
                    "id" => self.id = text,
                    "reason" => self.reason = text,
                    "function" => self.function = text,
                    "file" => self.file = text,
                    "op" => self.op = text,
                    "stack" => self.stack = text,
                    "bound_reason" => self.bound_reason = text,
                    "over_bound" => self.over_bound = text,
                    "owner" => self.owner = text,
                    _ => self.expires = text,
                }
            }
        }
        Ok(())
    }
}

/// `value` as a `T`, or the YAML library's words for why not.
fn typed<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    serde_yaml::from_value(value.clone()).map_err(|error| error.to_string())
}

/// A mapping key as messages show it.
fn key_text(key: &Value) -> String {
    match key {
        Value::String(text) => text.clone(),
        other => serde_yaml::to_string(other)
            .map(|text| text.trim_end().to_string())
            .unwrap_or_default(),
    }
}

/// Parses and validates one rules file, then checks that its ids are unique. `name` is how
/// messages name it. Every problem is reported, sorted by position.
pub fn parse(text: &str, name: &str, source: RuleSource) -> Result<Vec<Rule>, Vec<RulesError>> {
    let (rules, mut errors) = parse_all(text, name, source);
    errors.extend(duplicate_ids(&rules));
    if errors.is_empty() {
        Ok(rules)
    } else {
        errors.sort_by_key(|error| (error.line, error.column));
        Err(errors)
    }
}

/// Parses and validates one rules file without checking ids for duplicates: the rules without
/// a problem, and every problem found, in file order.
pub fn parse_all(text: &str, name: &str, source: RuleSource) -> (Vec<Rule>, Vec<RulesError>) {
    let at = |(line, column): (usize, usize), message: String| RulesError {
        file: name.to_string(),
        line,
        column,
        message,
    };
    // Editors on Windows start UTF-8 files with a byte order mark; YAML allows it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() > MAX_FILE_SIZE {
        let message = format!(
            "the file is {} bytes, over the {} KiB limit for a rules file; split it",
            text.len(),
            MAX_FILE_SIZE >> 10
        );
        return (Vec::new(), vec![at((1, 1), message)]);
    }
    let has_content = text
        .lines()
        .any(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'));
    if !has_content {
        let message = "the file is empty; a rules file starts with `version: 1`".to_string();
        return (Vec::new(), vec![at((1, 1), message)]);
    }
    let layout = Layout::new(text);
    // Checked before the YAML library sees the text: its time grows with depth × size.
    if let Some(offset) = scan::too_deep(text) {
        let message = format!(
            "`[` and `{{` nest deeper than {} levels; a rules file needs two",
            scan::MAX_FLOW_DEPTH
        );
        return (Vec::new(), vec![at(layout.position(offset), message)]);
    }
    let document: Value = match serde_yaml::from_str(text) {
        Ok(document) => document,
        Err(error) => {
            let position = error.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = error.to_string();
            let message = match message.rfind(" at line ") {
                Some(cut) => message[..cut].to_string(),
                None => message,
            };
            return (Vec::new(), vec![at(layout.clamp(position), message)]);
        }
    };
    let mut errors = Vec::new();
    let Value::Mapping(top) = document else {
        let message = match typed::<serde_yaml::Mapping>(&document) {
            Err(message) => message,
            Ok(_) => String::new(),
        };
        let message = format!("{message}; a rules file maps `version` and `suppressions`");
        return (Vec::new(), vec![at((1, 1), message)]);
    };

    let mut version = None;
    let mut entries = Vec::new();
    for (key, value) in &top {
        let key = key_text(key);
        match key.as_str() {
            "version" => match typed::<u64>(value) {
                Ok(number) => version = Some(Ok(number)),
                Err(message) => {
                    version = Some(Err(()));
                    errors.push(at(
                        layout.top_level("version"),
                        format!("version: {message}"),
                    ));
                }
            },
            // `suppressions:` with no value reads as an empty list.
            "suppressions" => match typed::<Vec<Value>>(value) {
                Ok(list) => entries = list,
                Err(message) => errors.push(at(
                    layout.top_level("suppressions"),
                    format!("suppressions: {message}"),
                )),
            },
            _ => errors.push(at(
                layout.top_level_name(&key),
                format!("unknown field `{key}`, expected `version` or `suppressions`"),
            )),
        }
    }
    match version {
        None => errors.push(at((1, 1), "missing field `version`".into())),
        Some(Ok(1)) | Some(Err(())) => {}
        Some(Ok(other)) => errors.push(at(
            layout.top_level("version"),
            format!("version: unsupported version {other}; this leakprof reads version 1"),
        )),
    }

    let mut rules = Vec::with_capacity(entries.len());
    // Every entry's id, kept or not (first line of each), so that a duplicate shows in the
    // same pass as a problem that keeps its first occurrence out.
    let mut ids: Vec<(String, usize, bool)> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let before = errors.len();
        let parsed = parse_entry(
            index,
            entry,
            &layout,
            &source,
            name,
            &mut |position, message| errors.push(at(position, message)),
        );
        let kept = parsed.is_some() && errors.len() == before;
        if let Some(Value::String(id)) = entry.get("id") {
            ids.push((id.clone(), index, kept));
        }
        if let Some(rule) = parsed.filter(|_| kept) {
            rules.push(rule);
        }
    }
    // Two kept rules are left to [`duplicate_ids`], which sees every file loaded together.
    let mut first: HashMap<&str, (usize, bool)> = HashMap::new();
    for (id, index, kept) in &ids {
        match first.get(id.as_str()) {
            Some(&(earlier, earlier_kept)) if !(earlier_kept && *kept) => {
                let (line, _) = layout.key(earlier, "id");
                errors.push(at(
                    layout.key(*index, "id"),
                    format!("duplicate id {id:?}: already defined at {name}:{line}"),
                ));
            }
            Some(_) => {}
            None => {
                first.insert(id, (*index, *kept));
            }
        }
    }
    errors.sort_by_key(|error| (error.line, error.column));
    (rules, errors)
}

/// Checks entry `index`; reports each problem through `fail` and returns the rule, complete
/// as far as it could be read.
fn parse_entry(
    index: usize,
    entry: &Value,
    layout: &Layout,
    source: &RuleSource,
    name: &str,
    fail: &mut dyn FnMut((usize, usize), String),
) -> Option<Rule> {
    let Value::Mapping(fields) = entry else {
        let message = typed::<serde_yaml::Mapping>(entry)
            .err()
            .unwrap_or_default();
        fail(
            layout.entry(index),
            format!("suppressions[{index}]: {message}"),
        );
        return None;
    };
    let mut raw = RawRule::default();
    let mut unknown = false;
    let mut present = Vec::new();
    let mut mistyped = Vec::new();
    for (key, value) in fields {
        let key = key_text(key);
        let Some(&known) = FIELDS.iter().find(|&&field| field == key) else {
            unknown = true;
            let expected: Vec<String> = FIELDS.iter().map(|field| format!("`{field}`")).collect();
            fail(
                layout.key_name(index, &key),
                format!(
                    "suppressions[{index}]: unknown field `{key}`, expected one of {}",
                    expected.join(", ")
                ),
            );
            continue;
        };
        present.push(known);
        // An optional key written with no value is as good as absent.
        if value.is_null() && !matches!(known, "id" | "reason") {
            continue;
        }
        if let Err(message) = raw.set(known, value) {
            mistyped.push(known);
            fail(
                layout.key(index, known),
                format!("suppressions[{index}].{known}: {message}"),
            );
        }
    }
    for required in ["id", "reason"] {
        if !present.contains(&required) {
            fail(
                layout.entry_body(index),
                format!("suppressions[{index}]: missing field `{required}`"),
            );
        }
    }
    let mut fail_key = |key: &str, message: String| {
        fail(
            layout.key(index, key),
            format!("suppressions[{index}].{key}: {message}"),
        );
    };
    let id = match &raw.id {
        Some(raw_id) => {
            let id = raw_id.trim();
            if id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
                fail_key(
                    "id",
                    format!("{raw_id:?} must be a non-empty word without spaces"),
                );
            } else if *source != RuleSource::Builtin && id.starts_with(BUILTIN_PREFIX) {
                fail_key(
                    "id",
                    format!(
                        "{id:?}: ids starting with {BUILTIN_PREFIX:?} are reserved for built-in rules"
                    ),
                );
            }
            id.to_string()
        }
        None => String::new(),
    };
    let reason = raw
        .reason
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    if raw.reason.is_some() && reason.is_empty() {
        fail_key(
            "reason",
            "must not be empty: say why this is not a leak".into(),
        );
    }
    let names_a_place = raw.function.is_some() || raw.file.is_some() || raw.stack.is_some();
    let mut glob = |key: &str, value: Option<String>, make: fn(&str) -> Result<Glob, String>| {
        value.and_then(|value| make(&value).map_err(|message| fail_key(key, message)).ok())
    };
    let function = glob("function", raw.function, Glob::symbol);
    let file = glob("file", raw.file, Glob::path);
    let stack = glob("stack", raw.stack, Glob::symbol);
    let op = raw.op.and_then(|name| {
        parse_op(&name)
            .map_err(|message| fail_key("op", message))
            .ok()
    });
    let expires = raw.expires.and_then(|text| {
        let date = Date::parse(text.trim());
        if date.is_none() {
            fail_key(
                "expires",
                format!("{text:?} is not a date of the form YYYY-MM-DD"),
            );
        }
        date
    });
    if raw.line == Some(0) {
        fail_key("line", "must be at least 1".into());
    }
    if raw.max_goroutines == Some(0) {
        fail_key("max_goroutines", "must be at least 1".into());
    }
    let mut words = |key: &str, value: Option<String>| {
        let value = value.map(|text| text.trim().to_string());
        if value.as_deref() == Some("") {
            fail_key(key, "must not be empty".into());
        }
        value
    };
    let bound_reason = words("bound_reason", raw.bound_reason);
    let over_bound = words("over_bound", raw.over_bound);
    if over_bound.is_some() && raw.max_goroutines.is_none() && !mistyped.contains(&"max_goroutines")
    {
        fail_key(
            "over_bound",
            "says what a count over `max_goroutines` means, and the rule has none: add \
             `max_goroutines` or remove `over_bound`"
                .into(),
        );
    }
    let owner = raw.owner.map(|owner| owner.trim().to_string());
    if owner.as_deref() == Some("") {
        fail_key("owner", "must not be empty".into());
    }
    // A misspelt or mistyped key is the likelier mistake than a missing one.
    let place_mistyped = mistyped
        .iter()
        .any(|key| matches!(*key, "function" | "file" | "stack"));
    if !names_a_place && !unknown && !place_mistyped {
        fail(
            layout.entry(index),
            format!(
                "suppressions[{index}] ({id}): needs at least one of `function`, `file` or `stack`"
            ),
        );
    }
    let (line, column) = layout.key(index, "id");
    Some(Rule {
        id,
        reason,
        function,
        file,
        line: raw.line,
        op,
        stack,
        max_goroutines: raw.max_goroutines,
        bound_reason,
        over_bound,
        owner,
        expires,
        source: source.clone(),
        origin: format!("{name}:{line}"),
        position: (name.to_string(), line, column),
    })
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

#[cfg(test)]
mod tests;
