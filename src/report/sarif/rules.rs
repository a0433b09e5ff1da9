//! SARIF rules: one per leak kind, their ids, indexes and help.

use crate::blocking::Op;
use crate::kinds::{self, KindDoc};

/// The final schema, the one `testdata/sarif/` holds.
use super::*;

/// `leakprof/send`: the rule of an op's family.
pub fn rule_id(op: Op) -> String {
    format!("leakprof/{}", op.family().as_str())
}

/// The rule's position in `RULES`; a new family does not compile until it has one.
pub(super) fn rule_index(op: Op) -> usize {
    match op.family() {
        Op::Cond => 0,
        Op::Mutex => 1,
        Op::Receive | Op::Range | Op::NilReceive => 2,
        Op::RwMutex => 3,
        Op::Select => 4,
        Op::SelectNoCases => 5,
        Op::Send | Op::NilSend => 6,
        Op::Unknown => 7,
        Op::WaitGroup => 8,
    }
}

/// How often a rule's results are real leaks (`precision`, as code scanning reads it) and how
/// bad one is (`problem.severity`). Many goroutines parked at one send or receive are rarely
/// anything else; a select may be a worker's idle loop whose exit leakprof could not see;
/// `select {}` is often kept on purpose in `main`; `unknown` comes from a profile that
/// hides the operation. A wait on a mutex, WaitGroup or Cond is reported only when the
/// garbage collector proved it leaked.
pub(super) fn precision_and_severity(op: Op) -> (&'static str, &'static str) {
    match op.family() {
        Op::Send | Op::NilSend | Op::Receive | Op::Range | Op::NilReceive => ("high", "error"),
        Op::Select => ("medium", "error"),
        Op::SelectNoCases => ("medium", "warning"),
        Op::Unknown => ("low", "warning"),
        Op::Mutex | Op::RwMutex | Op::WaitGroup | Op::Cond => ("very-high", "error"),
    }
}

/// The anchor of the rule's section in the README, as GitHub makes it from the heading
/// `#### Rule leakprof/send`.
pub fn help_anchor(op: Op) -> String {
    format!("rule-leakprof{}", op.family().as_str())
}

pub(super) fn rule(op: Op) -> Rule {
    let doc = kinds::for_op(op);
    let members: Vec<&'static KindDoc> = OPS
        .iter()
        .filter(|&&member| member != op && member.family() == op)
        .map(|&member| kinds::for_op(member))
        .collect();
    let full = doc.full();
    let mut text = format!("{full}\n\nHow to fix: {}", doc.fix);
    let mut markdown = format!(
        "{full}\n\n**How to fix.** {}\n\n```go\n{}\n```\n",
        doc.fix, doc.example
    );
    for member in &members {
        text.push_str(&format!(
            "\n\nAlso under this rule, {}: {} How to fix: {}",
            member.id,
            member.full(),
            member.fix
        ));
        markdown.push_str(&format!(
            "\n### Also under this rule: `{}`\n\n{}\n\n**How to fix.** {}\n\n```go\n{}\n```\n",
            member.id,
            member.full(),
            member.fix,
            member.example
        ));
    }
    let (precision, severity) = precision_and_severity(op);
    Rule {
        id: rule_id(op),
        name: doc.name,
        short_description: Text {
            text: doc.short.to_string(),
        },
        full_description: Text { text: full },
        help: Help { text, markdown },
        help_uri: format!("{HELP_URI}#{}", help_anchor(op)),
        default_configuration: Configuration {
            level: doc.level.as_str(),
        },
        properties: RuleProperties {
            tags: TAGS,
            precision,
            problem_severity: severity,
        },
    }
}
