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

mod apply;
mod layout;

use serde::Deserialize;

use crate::blocking::Op;
use crate::date::Date;
pub use crate::glob::Glob;

pub use apply::{Applied, Subject, apply, usage};
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
mod tests {
    use super::*;

    #[test]
    fn every_builtin_file_loads() {
        let rules = builtin();
        assert!(rules.len() >= 30, "{} built-in rules", rules.len());
        assert!(rules.iter().all(|rule| rule.id.starts_with(BUILTIN_PREFIX)));
        assert!(duplicate_ids(&rules).is_empty());
    }
}
