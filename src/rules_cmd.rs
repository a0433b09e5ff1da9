//! `leakprof rules …`: maintaining allowlist files with the tool itself. Files are edited as
//! text, never re-serialised, so comments and layout survive; every edit is validated with
//! the same loader `report` uses before it is written.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::allowlist::{self, Layout, RuleSource};
use crate::cli::{AddArgs, RulesCommand};
use crate::date::Date;
use crate::{EXIT_CLEAN, EXIT_ERROR};

/// Errors of the rules commands: each names the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum RulesCmdError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path}: cannot write: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("{path}: not a leakprof JSON report: {message}")]
    Report { path: PathBuf, message: String },
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<allowlist::RulesError>),
    #[error("{0}")]
    Usage(String),
}

pub fn run(command: &RulesCommand, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let result = match command {
        RulesCommand::Check { files } => check(files, stdout),
        RulesCommand::Add(args) => add(args, stdout),
        RulesCommand::Prune {
            file,
            report,
            write,
            today,
        } => prune(
            file,
            report,
            *write,
            today.unwrap_or_else(Date::today),
            stdout,
        ),
    };
    match result {
        Ok(()) => EXIT_CLEAN,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            EXIT_ERROR
        }
    }
}

fn read(path: &Path) -> Result<String, RulesCmdError> {
    fs::read_to_string(path).map_err(|source| RulesCmdError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn write_atomically(path: &Path, text: &str) -> Result<(), RulesCmdError> {
    let fail = |source| RulesCmdError::Write {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.leakprof-tmp"));
    fs::write(&temporary, text).map_err(fail)?;
    fs::rename(&temporary, path).map_err(fail)
}

fn check(files: &[PathBuf], stdout: &mut dyn Write) -> Result<(), RulesCmdError> {
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    for (index, path) in files.iter().enumerate() {
        let text = read(path)?;
        match allowlist::parse(&text, &path.display().to_string(), RuleSource::User(index)) {
            Ok(parsed) => rules.push((path, parsed)),
            Err(found) => errors.extend(found),
        }
    }
    let all: Vec<allowlist::Rule> = rules
        .iter()
        .flat_map(|(_, parsed)| parsed.clone())
        .collect();
    errors.extend(allowlist::duplicate_ids(&all));
    if !errors.is_empty() {
        return Err(RulesCmdError::Invalid(errors));
    }
    for (path, parsed) in rules {
        let _ = writeln!(stdout, "{}: {} rules, valid", path.display(), parsed.len());
    }
    Ok(())
}

/// A YAML double-quoted scalar: JSON string syntax is valid YAML.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

/// `example.com/billing.(*Poller).run.func1` → `billing-poller-run-func1`.
fn id_from_function(function: &str) -> String {
    let tail = function.rsplit('/').next().unwrap_or(function);
    let mut id = String::new();
    for c in tail.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() {
        "rule".to_string()
    } else {
        id
    }
}

fn add(args: &AddArgs, stdout: &mut dyn Write) -> Result<(), RulesCmdError> {
    let mut fields: Vec<(&str, String)> = Vec::new();
    let function_name: String;
    match (&args.from_report, &args.finding) {
        (Some(report_path), Some(finding_id)) => {
            let report = read_report(report_path)?;
            let findings = report["findings"]
                .as_array()
                .ok_or_else(|| RulesCmdError::Report {
                    path: report_path.clone(),
                    message: "no `findings` list".into(),
                })?;
            let finding = findings.iter().find(|f| f["id"] == finding_id.as_str()).ok_or_else(|| {
                RulesCmdError::Usage(format!(
                    "{}: no finding with id {finding_id:?} (ids are the `id` fields of the JSON report)",
                    report_path.display()
                ))
            })?;
            let field = |name: &str| finding[name].as_str().map(str::to_string);
            function_name = field("function").ok_or_else(|| RulesCmdError::Report {
                path: report_path.clone(),
                message: format!("finding {finding_id} has no function"),
            })?;
            fields.push(("function", quoted(&function_name)));
            // A repository-relative file (the report was made with --repo) narrows the entry;
            // an absolute build path would not match a rebuild elsewhere.
            if let Some(file) =
                field("file").filter(|file| !report["source"].is_null() && !file.starts_with('/'))
            {
                fields.push(("file", quoted(&file)));
            }
            if let Some(op) = field("op").filter(|op| op != "unknown") {
                fields.push(("op", op));
            }
        }
        _ => {
            function_name = args
                .function
                .clone()
                .or_else(|| args.file_glob.clone())
                .unwrap_or_default();
            if let Some(function) = &args.function {
                fields.push(("function", quoted(function)));
            }
            if let Some(file) = &args.file_glob {
                fields.push(("file", quoted(file)));
            }
            if let Some(line) = args.line {
                fields.push(("line", line.to_string()));
            }
            if let Some(op) = &args.op {
                fields.push(("op", op.clone()));
            }
        }
    }
    if let Some(owner) = &args.owner {
        fields.push(("owner", quoted(owner)));
    }
    if let Some(expires) = args.expires {
        fields.push(("expires", expires.to_string()));
    }

    let existing = match fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(RulesCmdError::Read {
                path: args.file.clone(),
                source,
            });
        }
    };
    let name = args.file.display().to_string();
    let existing_ids: Vec<String> = if existing.trim().is_empty() {
        Vec::new()
    } else {
        allowlist::parse(&existing, &name, RuleSource::User(0))
            .map_err(RulesCmdError::Invalid)?
            .into_iter()
            .map(|rule| rule.id)
            .collect()
    };
    let id = match &args.id {
        Some(id) => id.clone(),
        None => {
            let base = id_from_function(&function_name);
            let mut id = base.clone();
            let mut n = 2;
            while existing_ids.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        }
    };

    let updated = insert_entry(&existing, &id, &args.reason, &fields);
    allowlist::parse(&updated, &name, RuleSource::User(0)).map_err(RulesCmdError::Invalid)?;
    write_atomically(&args.file, &updated)?;
    let _ = writeln!(stdout, "added rule {id} to {name}");
    Ok(())
}

/// Appends an entry to the `suppressions` list of `text`, after its last entry and with its
/// indentation; creates the list (or the file's skeleton) when there is none.
fn insert_entry(text: &str, id: &str, reason: &str, fields: &[(&str, String)]) -> String {
    let render = |indent: usize| {
        let pad = " ".repeat(indent);
        let mut entry = format!(
            "{pad}- id: {}\n{pad}  reason: {}\n",
            quoted(id),
            quoted(reason)
        );
        for (key, value) in fields {
            entry.push_str(&format!("{pad}  {key}: {value}\n"));
        }
        entry
    };
    if text.trim().is_empty() {
        return format!("version: 1\nsuppressions:\n{}", render(2));
    }
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let layout = Layout::new(text);
    if let Some((after, indent)) = layout.append_point() {
        let entry = render(indent);
        lines.insert(after, entry.trim_end_matches('\n').to_string());
    } else {
        let list = lines.iter().position(|line| {
            line.strip_prefix("suppressions")
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        });
        match list {
            Some(list) => {
                // `suppressions:` with no entries, or `suppressions: []`.
                lines[list] = "suppressions:".to_string();
                lines.insert(list + 1, render(2).trim_end_matches('\n').to_string());
            }
            None => lines.push(format!(
                "suppressions:\n{}",
                render(2).trim_end_matches('\n')
            )),
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn read_report(path: &Path) -> Result<Value, RulesCmdError> {
    let text = read(path)?;
    let report: Value = serde_json::from_str(&text).map_err(|error| RulesCmdError::Report {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    if report["schema_version"].as_u64() != Some(1) {
        return Err(RulesCmdError::Report {
            path: path.to_path_buf(),
            message: "no `schema_version: 1` (make it with `leakprof report --format json`)".into(),
        });
    }
    Ok(report)
}

fn prune(
    file: &Path,
    report_path: &Path,
    write: bool,
    today: Date,
    stdout: &mut dyn Write,
) -> Result<(), RulesCmdError> {
    let text = read(file)?;
    let name = file.display().to_string();
    let rules =
        allowlist::parse(&text, &name, RuleSource::User(0)).map_err(RulesCmdError::Invalid)?;
    let report = read_report(report_path)?;
    let usage = report["rules"].as_array().cloned().unwrap_or_default();

    let mut stale = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        if let Some(expires) = rule.expires.filter(|&expires| today >= expires) {
            stale.push((
                index,
                format!("{} ({}): expired on {expires}", rule.id, rule.origin),
            ));
            continue;
        }
        match usage.iter().find(|entry| entry["id"] == rule.id.as_str()) {
            Some(entry) if entry["matched"].as_u64() == Some(0) => stale.push((
                index,
                format!(
                    "{} ({}): matched nothing in {}",
                    rule.id,
                    rule.origin,
                    report_path.display()
                ),
            )),
            Some(_) => {}
            None => {
                let _ = writeln!(
                    stdout,
                    "kept {} ({}): not in {}; was the report made with --rules {name}?",
                    rule.id,
                    rule.origin,
                    report_path.display()
                );
            }
        }
    }
    if stale.is_empty() {
        let _ = writeln!(stdout, "{name}: nothing to prune");
        return Ok(());
    }
    let verb = if write { "removed" } else { "would remove" };
    for (_, why) in &stale {
        let _ = writeln!(stdout, "{verb} {why}");
    }
    if !write {
        return Ok(());
    }
    let layout = Layout::new(&text);
    let lines: Vec<&str> = text.lines().collect();
    let mut drop = vec![false; lines.len()];
    for (index, _) in &stale {
        let Some((start, end)) = layout.entry_lines(*index) else {
            continue;
        };
        // Comment lines right above an entry are about it, and the blank lines above those
        // separated it from what came before.
        let mut first = start;
        while first > 0 && lines[first - 1].trim_start().starts_with('#') {
            first -= 1;
        }
        while first > 0 && lines[first - 1].trim().is_empty() {
            first -= 1;
        }
        for flag in &mut drop[first..end] {
            *flag = true;
        }
    }
    let mut updated: String = lines
        .iter()
        .zip(&drop)
        .filter(|(_, dropped)| !**dropped)
        .map(|(line, _)| format!("{line}\n"))
        .collect();
    if layout.entry_count() == stale.len() {
        // Every entry went: keep the list valid and visible.
        updated = updated.replacen("suppressions:\n", "suppressions: []\n", 1);
    }
    allowlist::parse(&updated, &name, RuleSource::User(0)).map_err(RulesCmdError::Invalid)?;
    write_atomically(file, &updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_functions() {
        for (function, id) in [
            (
                "example.com/billing.(*Poller).run.func1",
                "billing-poller-run-func1",
            ),
            ("main.timeoutLeak.func1", "main-timeoutleak-func1"),
            ("***", "rule"),
        ] {
            assert_eq!(id_from_function(function), id, "{function}");
        }
    }

    #[test]
    fn entries_are_inserted_after_the_last_one() {
        let text = "# Known false positives.\nversion: 1\nsuppressions:\n    # heartbeat\n    - id: a\n      reason: r\n      function: f\n\n# trailing comment\n";
        let fields = [("function", quoted("main.g"))];
        let updated = insert_entry(text, "b", "why", &fields);
        assert_eq!(
            updated,
            "# Known false positives.\nversion: 1\nsuppressions:\n    # heartbeat\n    - id: a\n      reason: r\n      function: f\n    - id: \"b\"\n      reason: \"why\"\n      function: \"main.g\"\n\n# trailing comment\n"
        );
        let empty_list = insert_entry("version: 1\nsuppressions: []\n", "b", "why", &fields);
        assert_eq!(
            empty_list,
            "version: 1\nsuppressions:\n  - id: \"b\"\n    reason: \"why\"\n    function: \"main.g\"\n"
        );
        let fresh = insert_entry("", "b", "why", &fields);
        assert_eq!(
            fresh,
            "version: 1\nsuppressions:\n  - id: \"b\"\n    reason: \"why\"\n    function: \"main.g\"\n"
        );
    }
}
