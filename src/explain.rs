//! `leakprof explain [KIND]`: the registry of leak kinds for people at a terminal, as ruff
//! prints a rule. Without a kind, the list; with one, what it is, why it leaks, how to fix it
//! and an example.

use std::io::{self, Write};

use crate::exit::{EXIT_CLEAN, EXIT_ERROR};
use crate::kinds::{self, KINDS, KindDoc, PATTERNS};

/// Text is wrapped at this many columns.
const WIDTH: usize = 88;

pub fn run(kind: Option<&str>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let written = match kind {
        None => list(stdout),
        Some(id) => match kinds::lookup(id) {
            Some(kind) => entry(kind, stdout),
            None => {
                let known: Vec<&str> = KINDS.iter().chain(PATTERNS).map(|kind| kind.id).collect();
                let _ = writeln!(
                    stderr,
                    "error: no leak kind {id:?}; known kinds: {}",
                    known.join(", ")
                );
                return EXIT_ERROR;
            }
        },
    };
    match written {
        Ok(()) => EXIT_CLEAN,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(error) => {
            let _ = writeln!(stderr, "error: cannot write: {error}");
            EXIT_ERROR
        }
    }
}

fn list(out: &mut dyn Write) -> io::Result<()> {
    let width = KINDS
        .iter()
        .chain(PATTERNS)
        .map(|kind| kind.id.len())
        .max()
        .unwrap_or(0);
    writeln!(out, "Leak kinds (`leakprof explain KIND` tells more):")?;
    writeln!(out)?;
    for kind in KINDS {
        writeln!(out, "  {:width$}  {}", kind.id, kind.short)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Leak patterns, told from the source (`leakprof explain PATTERN` tells more):"
    )?;
    writeln!(out)?;
    for kind in PATTERNS {
        writeln!(out, "  {:width$}  {}", kind.id, kind.short)?;
    }
    Ok(())
}

fn entry(kind: &KindDoc, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} ({}, {})", kind.id, kind.name, kind.level.as_str())?;
    writeln!(out)?;
    paragraph(out, kind.short, "")?;
    for (heading, text) in [
        ("What it is", kind.what),
        ("Why it leaks", kind.why),
        ("How to fix", kind.fix),
    ] {
        writeln!(out)?;
        writeln!(out, "{heading}")?;
        paragraph(out, text, "  ")?;
    }
    writeln!(out)?;
    writeln!(out, "Example")?;
    for line in kind.example.lines() {
        writeln!(out, "  {}", line.replace('\t', "    "))?;
    }
    Ok(())
}

/// Writes `text` wrapped at [`WIDTH`], each line behind `indent`.
fn paragraph(out: &mut dyn Write, text: &str, indent: &str) -> io::Result<()> {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > WIDTH {
            writeln!(out, "{indent}{line}")?;
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        writeln!(out, "{indent}{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_wrap_between_words() {
        let mut out = Vec::new();
        let text = "word ".repeat(40);
        paragraph(&mut out, &text, "  ").unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.lines().count() > 1);
        assert!(
            out.lines()
                .all(|line| line.len() <= WIDTH && line.starts_with("  word"))
        );
        assert_eq!(out.split_whitespace().count(), 40);
    }
}
