//! `leakprof rules …`: maintaining allowlist files with the tool itself. Files are edited as
//! text, never re-serialised, so comments and layout survive; every edit is validated with
//! the same loader `report` uses, must leave every other entry as it was, and is written
//! atomically.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::allowlist::{self, EditError, Field, NewEntry, Rule, RuleSource, RulesError};
use crate::blocking::Op;
use crate::cli::{AddArgs, RulesCommand};
use crate::date::Date;
use crate::exit::{EXIT_CLEAN, EXIT_ERROR};
use crate::model::view::{ReportView, ViewError};
use crate::report::present;

/// Errors of the rules commands: each names the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum RulesCmdError {
    #[error("{0}")]
    Read(#[from] allowlist::ReadError),
    #[error("{}: cannot write: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("{0}")]
    Report(#[from] ViewError),
    /// One line per problem, every file's problems in one pass.
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
    #[error("{}: cannot edit: {error}; edit the file by hand", path.display())]
    Edit { path: PathBuf, error: EditError },
    #[error(
        "{}: the edit would not leave the other entries as they are (ids {found:?} instead of \
         {expected:?}); the file is unchanged: edit it by hand",
        path.display()
    )]
    Unsafe {
        path: PathBuf,
        found: Vec<String>,
        expected: Vec<String>,
    },
    #[error("{0}")]
    Usage(String),
}

impl From<Vec<RulesError>> for RulesCmdError {
    fn from(errors: Vec<RulesError>) -> Self {
        RulesCmdError::Invalid(errors.iter().map(ToString::to_string).collect())
    }
}

pub fn run(command: &RulesCommand, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let result = match command {
        RulesCommand::Check { files } => check(files, stdout),
        RulesCommand::Add(args) => add(args, Date::today(), stdout, stderr),
        RulesCommand::List { files, builtin } => list(files, *builtin, stdout),
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
            for line in error.to_string().lines() {
                let _ = writeln!(stderr, "error: {}", present::safe(line));
            }
            EXIT_ERROR
        }
    }
}

/// `1 rule`, `2 rules`.
fn rules_count(count: usize) -> String {
    format!("{count} rule{}", if count == 1 { "" } else { "s" })
}

fn write_file(path: &Path, text: &str) -> Result<(), RulesCmdError> {
    crate::atomic::write(path, text.as_bytes()).map_err(|source| RulesCmdError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Checks that an edit left exactly the entries expected, in order.
fn check_edit(path: &Path, rules: &[Rule], expected: Vec<String>) -> Result<(), RulesCmdError> {
    let found: Vec<String> = rules.iter().map(|rule| rule.id.clone()).collect();
    if found == expected {
        Ok(())
    } else {
        Err(RulesCmdError::Unsafe {
            path: path.to_path_buf(),
            found,
            expected,
        })
    }
}

/// Validates every file and reports every problem of every file, in file order.
fn check(files: &[PathBuf], stdout: &mut dyn Write) -> Result<(), RulesCmdError> {
    let mut problems: Vec<((usize, usize, usize), String)> = Vec::new();
    let mut loaded = Vec::new();
    let mut all: Vec<Rule> = Vec::new();
    for (index, path) in files.iter().enumerate() {
        let text = match allowlist::read_file(path) {
            Ok(text) => text,
            Err(error) => {
                problems.push(((index, 0, 0), error.to_string()));
                continue;
            }
        };
        let name = path.display().to_string();
        let (rules, errors) = allowlist::parse_all(&text, &name, RuleSource::User(index));
        problems.extend(
            errors
                .iter()
                .map(|error| ((index, error.line, error.column), error.to_string())),
        );
        loaded.push((path, rules.len()));
        all.extend(rules);
    }
    for error in allowlist::duplicate_ids(&all) {
        let index = files
            .iter()
            .position(|path| path.display().to_string() == error.file)
            .unwrap_or(files.len());
        problems.push(((index, error.line, error.column), error.to_string()));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|(position, _)| *position);
        return Err(RulesCmdError::Invalid(
            problems.into_iter().map(|(_, message)| message).collect(),
        ));
    }
    for (path, count) in loaded {
        let _ = writeln!(stdout, "{}: {}, valid", path.display(), rules_count(count));
    }
    Ok(())
}

/// Prints every rule of `files` (validated as `report` loads them), then the built-in ones
/// when asked: what each matches, its bound and why, what a count over it means, its reason.
fn list(files: &[PathBuf], builtin: bool, stdout: &mut dyn Write) -> Result<(), RulesCmdError> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (index, path) in files.iter().enumerate() {
        let text = allowlist::read_file(path)?;
        let name = path.display().to_string();
        match allowlist::parse(&text, &name, RuleSource::User(index)) {
            Ok(parsed) => rules.extend(parsed),
            Err(found) => errors.extend(found),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let from_files = rules.len();
    if builtin {
        rules.extend(allowlist::builtin());
    }
    let mut out = String::new();
    if from_files > 0 {
        out.push_str(&format!("{} from files\n", rules_count(from_files)));
    }
    if builtin {
        out.push_str(&format!(
            "{} built in (rules/*.yaml; --no-builtin-rules turns them off)\n",
            rules_count(rules.len() - from_files)
        ));
    }
    for rule in &rules {
        out.push('\n');
        out.push_str(&describe(rule));
    }
    // Rules files come from repositories: their text is shown, never acted on.
    stdout
        .write_all(present::safe_lines(&out).as_bytes())
        .map_err(|source| RulesCmdError::Write {
            path: PathBuf::from("<stdout>"),
            source,
        })
}

/// One rule as `rules list` prints it: the id and where it is written, then a line per key.
fn describe(rule: &Rule) -> String {
    let mut lines = vec![format!("{} ({})", rule.id, rule.origin)];
    let mut key = |name: &str, value: String| lines.push(format!("  {name:<10} {value}"));
    if let Some(glob) = &rule.function {
        key("function", glob.as_str().to_string());
    }
    if let Some(glob) = &rule.stack {
        key("stack", glob.as_str().to_string());
    }
    if let Some(glob) = &rule.file {
        key("file", glob.as_str().to_string());
    }
    if let Some(line) = rule.line {
        key("line", line.to_string());
    }
    key("op", rule.op.map_or("any", Op::as_str).to_string());
    let bound = match (rule.max_goroutines, &rule.bound_reason) {
        (Some(max), Some(why)) => format!("fewer than {max} goroutines: {why}"),
        (Some(max), None) => format!("fewer than {max} goroutines"),
        (None, Some(why)) => why.clone(),
        (None, None) => "none".to_string(),
    };
    key("bound", bound);
    if let Some(says) = &rule.over_bound {
        key("over bound", format!("N {says}"));
    }
    key("reason", rule.reason.clone());
    if let Some(owner) = &rule.owner {
        key("owner", owner.clone());
    }
    if let Some(expires) = rule.expires {
        key("expires", expires.to_string());
    }
    lines.push(String::new());
    lines.join("\n")
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

/// The keys of the new entry, from a finding of a report or from the flags, and the text its
/// id is made from.
/// The keys of an entry after `id` and `reason`, in order.
type Fields = Vec<(&'static str, Field)>;

fn entry_fields(args: &AddArgs) -> Result<(Fields, String), RulesCmdError> {
    let mut fields = Vec::new();
    let (Some(report_path), Some(finding_id)) = (&args.from_report, &args.finding) else {
        if let Some(function) = &args.function {
            fields.push(("function", Field::Text(function.clone())));
        }
        if let Some(file) = &args.file_glob {
            fields.push(("file", Field::Text(file.clone())));
        }
        if let Some(line) = args.line {
            fields.push(("line", Field::Number(u64::from(line))));
        }
        if let Some(op) = &args.op {
            let op = allowlist::parse_op(op)
                .map_err(|message| RulesCmdError::Usage(format!("--op: {message}")))?;
            fields.push(("op", Field::Op(op)));
        }
        let base = args
            .function
            .clone()
            .or_else(|| args.file_glob.clone())
            .unwrap_or_default();
        return Ok((fields, base));
    };
    let report = ReportView::read(report_path)?;
    let finding = report.finding(finding_id).ok_or_else(|| {
        RulesCmdError::Usage(format!(
            "{}: no finding with id {finding_id:?} (ids are the `id` fields of the JSON report)",
            report_path.display()
        ))
    })?;
    fields.push(("function", Field::Text(finding.function.clone())));
    // A repository-relative file (the report was made with --repo) narrows the entry; an
    // absolute build path would not match a rebuild elsewhere.
    if report.source.is_some() && !finding.file.starts_with('/') {
        fields.push(("file", Field::Text(finding.file.clone())));
    }
    if finding.op != Op::Unknown {
        fields.push(("op", Field::Op(finding.op)));
    }
    Ok((fields, finding.function.clone()))
}

fn add(
    args: &AddArgs,
    today: Date,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), RulesCmdError> {
    let (mut fields, base) = entry_fields(args)?;
    if let Some(max) = args.max_goroutines {
        fields.push(("max_goroutines", Field::Number(max)));
    }
    if let Some(owner) = &args.owner {
        fields.push(("owner", Field::Text(owner.clone())));
    }
    if let Some(expires) = args.expires {
        if expires <= today {
            let _ = writeln!(
                stderr,
                "warning: --expires {expires} is not after today ({today}): the rule is expired \
                 already and suppresses nothing"
            );
        }
        fields.push(("expires", Field::Date(expires)));
    }

    let existing = match allowlist::read_file(&args.file) {
        Ok(text) => text,
        Err(allowlist::ReadError::Io { source, .. })
            if source.kind() == io::ErrorKind::NotFound =>
        {
            String::new()
        }
        Err(error) => return Err(error.into()),
    };
    let name = args.file.display().to_string();
    let mut ids: Vec<String> = if existing.trim().is_empty() {
        Vec::new()
    } else {
        allowlist::parse(&existing, &name, RuleSource::User(0))?
            .into_iter()
            .map(|rule| rule.id)
            .collect()
    };
    let id = match &args.id {
        Some(id) => id.clone(),
        None => {
            let base = id_from_function(&base);
            let mut id = base.clone();
            let mut n = 2;
            while ids.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        }
    };
    let entry = NewEntry {
        id: id.clone(),
        reason: args.reason.clone(),
        fields,
    };
    let updated =
        allowlist::insert_entry(&existing, &entry).map_err(|error| RulesCmdError::Edit {
            path: args.file.clone(),
            error,
        })?;
    let rules = allowlist::parse(&updated, &name, RuleSource::User(0))?;
    ids.push(id.clone());
    check_edit(&args.file, &rules, ids)?;
    write_file(&args.file, &updated)?;
    let _ = writeln!(stdout, "added rule {id} to {name}");
    Ok(())
}

fn prune(
    file: &Path,
    report_path: &Path,
    write: bool,
    today: Date,
    stdout: &mut dyn Write,
) -> Result<(), RulesCmdError> {
    let text = allowlist::read_file(file)?;
    let name = file.display().to_string();
    let rules = allowlist::parse(&text, &name, RuleSource::User(0))?;
    let report = ReportView::read(report_path)?;

    let mut stale = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        if let Some(expires) = rule.expires.filter(|&expires| today >= expires) {
            stale.push((
                index,
                format!("{} ({}): expired on {expires}", rule.id, rule.origin),
            ));
            continue;
        }
        match report.rule(&rule.id) {
            Some(usage) if usage.matched == 0 => stale.push((
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
    if write {
        let indices: Vec<usize> = stale.iter().map(|(index, _)| *index).collect();
        let updated =
            allowlist::remove_entries(&text, &indices).map_err(|error| RulesCmdError::Edit {
                path: file.to_path_buf(),
                error,
            })?;
        let remaining = allowlist::parse(&updated, &name, RuleSource::User(0))?;
        let expected = rules
            .iter()
            .enumerate()
            .filter(|(index, _)| !indices.contains(index))
            .map(|(_, rule)| rule.id.clone())
            .collect();
        check_edit(file, &remaining, expected)?;
        write_file(file, &updated)?;
    }
    let verb = if write { "removed" } else { "would remove" };
    for (_, why) in &stale {
        let _ = writeln!(stdout, "{verb} {}", present::safe(why));
    }
    Ok(())
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
}
