//! The words every renderer shares: the headline, counts with their plurals, the example stack
//! as people read it, the channel and trend phrases, the facts beside a finding's count. Each
//! renderer adds only its own markup, so the formats say the same things the same way.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::kinds::{self, KindDoc};
use crate::model::{Change, ChannelEvidence, Finding, FoundBy, Pattern, PatternId, Report};

/// `text` from a profile, the source or a rules file, made safe to print where a terminal or
/// a log viewer reads it: control characters (C0 but tab, DEL, C1) and the bidirectional
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) are written as escapes (`\x1b`,
/// `\u{202e}`), so a function name cannot set a window title, recolour the screen, start a
/// fake line or reorder what people read. Newlines are escaped too: one value, one line.
/// Every text-like format (text, concise, GitHub, Markdown) and standard error pass what they
/// did not write themselves through here; their own colours are added after.
pub fn safe(text: &str) -> Cow<'_, str> {
    escape_controls(text, false)
}

/// As [`safe`], but keeps line breaks: for messages of several lines (an error on standard
/// error, a patch in a fenced block).
pub fn safe_lines(text: &str) -> Cow<'_, str> {
    escape_controls(text, true)
}

fn escape_controls(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| match c {
        '\t' => false,
        '\n' => !keep_newlines,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    };
    if !text.contains(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !unsafe_char(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// Stack frames shown per finding; JSON has them all.
pub const SHOWN_FRAMES: usize = 12;

/// "no suspected goroutine leaks", "1 suspected goroutine leak", "3 suspected goroutine leaks".
pub fn headline(reported: usize) -> String {
    match reported {
        0 => "no suspected goroutine leaks".to_string(),
        n => count(n as u64, "suspected goroutine leak"),
    }
}

/// Whether the report is `leakprof lint`'s: the source alone, no profile read. Its header
/// counts files linted rather than goroutines, and has no threshold.
pub fn is_lint_report(report: &Report) -> bool {
    report.lint.is_some() && report.profiles.is_empty()
}

/// The header of a lint report: "3 leak patterns in 120 Go files of 14 packages", with what
/// was linted when not the whole revision (paths, `--diff BASE`).
pub fn lint_headline(report: &Report, reported: usize) -> String {
    let found = match reported {
        0 => "no leak patterns".to_string(),
        n => count(n as u64, "leak pattern"),
    };
    let Some(lint) = &report.lint else {
        return found;
    };
    let mut text = format!(
        "{found} in {} of {}",
        count(lint.files as u64, "Go file"),
        count(lint.packages as u64, "package")
    );
    if !lint.paths.is_empty() {
        text.push_str(&format!(" under {}", lint.paths.join(", ")));
    }
    if let Some(base) = &lint.diff_base {
        text.push_str(&format!(", functions changed since {base}"));
    }
    text
}

/// The findings a profile's headline counts: in `report --lint`, the lint findings are told
/// apart ([`lint_line`]) rather than counted as suspected leaks a second time.
pub fn profile_findings(findings: &[&Finding]) -> usize {
    findings
        .iter()
        .filter(|finding| finding.found_by == FoundBy::Profile)
        .count()
}

/// `report --lint`: what the lint added, "lint: 11 leak patterns in the files the findings
/// point to (3 Go files of 1 package), 9 confirmed by a profile finding".
pub fn lint_line(report: &Report) -> Option<String> {
    let lint = report.lint.as_ref().filter(|_| !is_lint_report(report))?;
    let confirmed = report
        .findings
        .iter()
        .filter(|finding| finding.confirmed_by.is_some())
        .count();
    let found = match lint.findings {
        0 => "no leak patterns".to_string(),
        n => count(n as u64, "leak pattern"),
    };
    Some(format!(
        "lint: {found} in the files the findings point to ({} of {}), {confirmed} confirmed by \
         a profile finding",
        count(lint.files as u64, "Go file"),
        count(lint.packages as u64, "package"),
    ))
}

/// Who waits, to lead a sentence ending in "on WHAT in FUNCTION": "3 goroutines blocked"
/// for a profile's finding; a lint finding saw no goroutine, only code that can wait
/// forever.
pub fn blocked(finding: &Finding) -> String {
    match finding.found_by {
        FoundBy::Profile => format!("{} blocked", count(finding.goroutines, "goroutine")),
        FoundBy::Lint => "lint: a goroutine can block forever".to_string(),
    }
}

/// The finding's size, as a table cell or the lead of its line: "3 goroutines", or `lint`.
pub fn amount(finding: &Finding) -> String {
    match finding.found_by {
        FoundBy::Profile => count(finding.goroutines, "goroutine"),
        FoundBy::Lint => "lint".to_string(),
    }
}

/// The link between a profile finding and a lint finding at the same place (`report
/// --lint`): "confirmed by profile finding ID", "lint finds it from the source too: ID".
pub fn cross_link(finding: &Finding) -> Option<String> {
    match (&finding.confirmed_by, &finding.lint_finding) {
        (Some(profile), _) => Some(format!(
            "confirmed by profile finding {profile}: goroutines wait here"
        )),
        (None, Some(lint)) => Some(format!("lint finds it from the source too: {lint}")),
        (None, None) => None,
    }
}

/// The threshold as people read it: `100`, or with `--threshold auto` the bars the profiles
/// set: `auto (10)`, `auto (10 to 2299)`.
pub fn threshold(report: &Report) -> String {
    if let Some(threshold) = report.threshold {
        return threshold.to_string();
    }
    let bars = report
        .profiles
        .iter()
        .filter_map(|profile| profile.threshold);
    match (bars.clone().min(), bars.max()) {
        (Some(low), Some(high)) if low == high => format!("auto ({low})"),
        (Some(low), Some(high)) => format!("auto ({low} to {high})"),
        _ => "auto".to_string(),
    }
}

/// "2 profiles": the snapshots read. goroutineleak profiles read beside them confirm places
/// but are not snapshots; [`evidence`] counts them.
pub fn profiles(report: &Report) -> String {
    let snapshots = report.profiles.iter().filter(|p| !p.evidence).count();
    count(snapshots as u64, "profile")
}

/// "1 goroutineleak profile as evidence", when any was read.
pub fn evidence(report: &Report) -> Option<String> {
    let evidence = report.profiles.iter().filter(|p| p.evidence).count();
    (evidence > 0).then(|| {
        format!(
            "{} as evidence",
            count(evidence as u64, "goroutineleak profile")
        )
    })
}

/// `n` and a noun that takes an `s` in the plural: "1 goroutine", "2 goroutines".
pub fn count(n: u64, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

/// The noun alone, plural unless `n` is 1.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

/// The leak kind of a finding, with its documentation: its pattern's when the source named
/// one, else its operation's.
pub fn kind(finding: &Finding) -> &'static KindDoc {
    match known_pattern(finding) {
        Some(pattern) => kinds::for_pattern(pattern.id),
        None => kinds::for_op(finding.op),
    }
}

/// The finding's pattern, unless it is `other`.
pub fn known_pattern(finding: &Finding) -> Option<&Pattern> {
    finding
        .pattern
        .as_ref()
        .filter(|pattern| pattern.id != PatternId::Other)
}

/// "started at leaks.go:38", when known.
pub fn started_at(finding: &Finding) -> Option<String> {
    finding
        .created_at
        .as_ref()
        .map(|at| format!("started at {at}"))
}

/// "; pattern timeout; started at leaks.go:38; by endpoint: /checkout 300": what one-line
/// messages (concise, Code Quality) add after a finding's own words; `created_at` as the
/// format names files.
pub fn pattern_and_start(finding: &Finding, created_at: Option<String>) -> String {
    let mut tail = String::new();
    if let Some(pattern) = known_pattern(finding) {
        tail.push_str(&format!("; pattern {}", pattern.id));
    }
    if let Some(at) = created_at {
        tail.push_str(&format!("; started at {at}"));
    }
    if let Some(groups) = label_groups(finding, str::to_string) {
        tail.push_str(&format!("; {groups}"));
    }
    tail
}

/// "timeout: A goroutine's send is abandoned …": a pattern as one line.
pub fn pattern_line(pattern: &Pattern) -> String {
    format!("{}: {}", pattern.id, kinds::for_pattern(pattern.id).short)
}

/// `leaks.go:37`: an evidence line's place, the file's name only when it is the finding's.
pub fn evidence_place(finding: &Finding, file: &str, line: u32) -> String {
    if file == finding.file {
        let name = file.rsplit('/').next().unwrap_or(file);
        format!("{name}:{line}")
    } else {
        format!("{file}:{line}")
    }
}

/// What the fix does to the code that runs, when the patch lets new code run: "careful: …".
pub fn caution(pattern: &Pattern) -> Option<String> {
    pattern
        .fix
        .runs_new_code
        .as_ref()
        .map(|runs| format!("careful: {runs}"))
}

/// How the fix is delivered: "patch: leakprof fix", or why there is none.
pub fn patch_note(pattern: &Pattern) -> String {
    match (&pattern.fix.patch, &pattern.fix.no_patch) {
        (Some(_), _) => "patch: `leakprof fix` writes it".to_string(),
        (None, Some(why)) => format!("no patch: {why}"),
        (None, None) => "no patch".to_string(),
    }
}

/// The example stack as shown: the runtime's own frames say nothing the op does not, so they
/// are left out (JSON keeps them), and at most [`SHOWN_FRAMES`] of the rest.
pub struct StackView<'a> {
    pub frames: Vec<&'a str>,
    /// Frames left out after the first [`SHOWN_FRAMES`].
    pub more: usize,
    pub created_by: Option<&'a str>,
}

impl StackView<'_> {
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty() && self.created_by.is_none()
    }

    /// "... 3 more", when frames were left out.
    pub fn more_text(&self) -> Option<String> {
        (self.more > 0).then(|| format!("... {} more", self.more))
    }
}

pub fn stack(finding: &Finding) -> StackView<'_> {
    let frames: Vec<&str> = finding
        .stack
        .frames()
        .filter(|frame| !frame.starts_with("runtime."))
        .collect();
    let more = frames.len().saturating_sub(SHOWN_FRAMES);
    StackView {
        frames: frames.into_iter().take(SHOWN_FRAMES).collect(),
        more,
        created_by: finding.created_by.as_deref(),
    }
}

/// "channel done made unbuffered at line 37"; `code` marks up the channel's name.
pub fn channel(channel: &ChannelEvidence, code: impl Fn(&str) -> String) -> String {
    let size = match &channel.capacity {
        None => "unbuffered".to_string(),
        Some(capacity) => format!("with capacity {capacity}"),
    };
    format!(
        "channel {} made {size} at line {}",
        code(&channel.name),
        channel.line
    )
}

/// `text` with its first letter in upper case, to open a sentence.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The channel phrase of a finding whose source shows where its channel was made.
pub fn finding_channel(finding: &Finding, code: impl Fn(&str) -> String) -> Option<String> {
    let made = finding.source.as_ref()?.channel.as_ref()?;
    Some(channel(made, code))
}

/// "growing (+12.0 an hour)" over a span long enough for a rate, "growing (+150 in 25 s)"
/// over a shorter one: what the snapshots showed.
pub fn trend(finding: &Finding) -> Option<String> {
    let trend = finding.trend?;
    let movement = match (finding.growth_per_hour, finding.change) {
        (Some(growth), _) => format!(" ({growth:+.1} an hour)"),
        (None, Some(change)) => format!(" ({})", change_text(change)),
        (None, None) => String::new(),
    };
    Some(format!("{}{movement}", trend.as_str()))
}

/// "+150 in 25 s", "-3 in 2 h".
pub fn change_text(change: Change) -> String {
    format!("{:+} in {}", change.goroutines, duration(change.seconds))
}

/// A span as people say it: "25 s", "12 min", "3 h", "2 days".
pub fn duration(seconds: f64) -> String {
    let seconds = seconds.max(0.0);
    if seconds < 120.0 {
        format!("{} s", seconds.round() as u64)
    } else if seconds < 2.0 * 3600.0 {
        format!("{} min", (seconds / 60.0).round() as u64)
    } else if seconds < 2.0 * 86_400.0 {
        format!("{} h", (seconds / 3600.0).round() as u64)
    } else {
        format!("{} days", (seconds / 86_400.0).round() as u64)
    }
}

/// "on 3 instances: web-2 940 (growing), web-1 40 (steady), web-3 12", when the place was
/// seen on more than one instance; `name` marks up an instance's name.
pub fn instances(finding: &Finding, name: impl Fn(&str) -> String) -> Option<String> {
    if finding.instances.len() < 2 {
        return None;
    }
    let each: Vec<String> = finding
        .instances
        .iter()
        .map(|instance| {
            let trend = instance
                .trend
                .map(|trend| format!(" ({})", trend.as_str()))
                .unwrap_or_default();
            let shown = instance.name.as_deref().unwrap_or("(unnamed)");
            format!("{} {}{trend}", name(shown), instance.goroutines)
        })
        .collect();
    Some(format!(
        "on {}: {}",
        count(finding.instances.len() as u64, "instance"),
        each.join(", ")
    ))
}

/// "by endpoint: /checkout 300, /cart 40", with `--group-by-label`; `value` marks up a
/// label value.
pub fn label_groups(finding: &Finding, value: impl Fn(&str) -> String) -> Option<String> {
    let groups = finding.by_label.as_ref()?;
    let each: Vec<String> = groups
        .values
        .iter()
        .map(|group| format!("{} {}", value(&group.value), group.goroutines))
        .collect();
    Some(format!("by {}: {}", value(&groups.key), each.join(", ")))
}

/// What a person reads about a finding beside its place and count, in plain words (no markup,
/// nothing taken from the profile's text): baseline, snapshots, wait time, GC proof.
pub fn facts(finding: &Finding) -> Vec<String> {
    let mut facts = Vec::new();
    if finding.new == Some(true) {
        facts.push("new since the baseline".to_string());
    }
    if finding.profiles > 1 {
        facts.push(format!(
            "in {} profiles, {} in all",
            finding.profiles, finding.total_goroutines
        ));
    }
    if let Some(minutes) = finding.max_wait_minutes {
        facts.push(format!(
            "waiting up to {}",
            count(u64::from(minutes), "minute")
        ));
    }
    if finding.leaked_goroutines > 0 {
        facts.push(format!(
            "{} proven leaked by the GC",
            finding.leaked_goroutines
        ));
    }
    facts.extend(cross_link(finding));
    facts
}

/// The labels as `labels key=value, key=value2`, or nothing.
pub fn labels(finding: &Finding) -> Option<String> {
    let pairs: Vec<String> = finding
        .labels
        .iter()
        .flat_map(|(key, values)| values.iter().map(move |value| format!("{key}={value}")))
        .collect();
    (!pairs.is_empty()).then(|| format!("labels {}", pairs.join(", ")))
}

/// How to read more about a finding's kind: "leakprof explain send".
pub fn explain_command(finding: &Finding) -> String {
    format!("leakprof explain {}", kind(finding).id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(headline(0), "no suspected goroutine leaks");
        assert_eq!(headline(1), "1 suspected goroutine leak");
        assert_eq!(headline(2), "2 suspected goroutine leaks");
        assert_eq!(count(1, "goroutine"), "1 goroutine");
        assert_eq!(count(0, "goroutine"), "0 goroutines");
        assert_eq!(count(12, "minute"), "12 minutes");
    }

    /// Issue 15: nothing from a profile reaches the terminal as a control sequence.
    #[test]
    fn control_characters_are_escaped() {
        for (text, expected, lines) in [
            ("main.f", "main.f", "main.f"),
            ("a\tb", "a\tb", "a\tb"),
            (
                "main.f\x1b]0;pwned\x07\x1b[31m",
                "main.f\\x1b]0;pwned\\x07\\x1b[31m",
                "main.f\\x1b]0;pwned\\x07\\x1b[31m",
            ),
            ("a\nb\r", "a\\nb\\r", "a\nb\\r"),
            ("\0\x7f\u{9b}2J", "\\x00\\x7f\\x9b2J", "\\x00\\x7f\\x9b2J"),
            (
                "if admin \u{202e}\u{2066}x\u{2069}",
                "if admin \\u{202e}\\u{2066}x\\u{2069}",
                "if admin \\u{202e}\\u{2066}x\\u{2069}",
            ),
            ("héllo ← ü", "héllo ← ü", "héllo ← ü"),
        ] {
            assert_eq!(safe(text), expected, "{text:?}");
            assert_eq!(safe_lines(text), lines, "{text:?}");
        }
        assert!(matches!(safe("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn durations_and_changes() {
        assert_eq!(duration(25.4), "25 s");
        assert_eq!(duration(600.0), "10 min");
        assert_eq!(duration(3.0 * 3600.0), "3 h");
        assert_eq!(duration(3.0 * 86_400.0), "3 days");
        let change = Change {
            goroutines: 150,
            seconds: 25.0,
        };
        assert_eq!(change_text(change), "+150 in 25 s");
        let change = Change {
            goroutines: -3,
            seconds: 7200.0,
        };
        assert_eq!(change_text(change), "-3 in 2 h");
    }

    #[test]
    fn channel_phrases() {
        let made = |capacity: Option<&str>| ChannelEvidence {
            name: "done".into(),
            line: 37,
            capacity: capacity.map(str::to_string),
        };
        let plain = |name: &str| name.to_string();
        assert_eq!(
            channel(&made(None), plain),
            "channel done made unbuffered at line 37"
        );
        assert_eq!(
            channel(&made(Some("len(items)")), |name| format!("`{name}`")),
            "channel `done` made with capacity len(items) at line 37"
        );
    }
}
