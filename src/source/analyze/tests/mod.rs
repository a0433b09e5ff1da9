//! End-to-end checks of [`analyze`](super::analyze) on the leaky fixture program and on Go
//! written for these tests.

use super::*;

mod rare;
mod verify;

const LEAKS: &str = include_str!("../../../../testdata/leaky/leaks.go");
const EXPECTED: &str = include_str!("../../../../testdata/leaky/expected.tsv");

/// Go written for these tests; `// name` markers at line ends name the lines to check.
const SNIPPETS: &str = include_str!("snippets.go");

const BROKEN: &str = "package main

func broken(ch chan int) {
	if ready {
		ch <- 1
	
}

func other() {}
";

/// The analysis on one line: the op (with `?` when it disagrees with the profile), every
/// bound, the channel's make, and how many notes and problems there are.
fn summary(analysis: &Analysis) -> String {
    let mut parts = vec![match analysis.op {
        Some(op) if analysis.matches_profile => op.as_str().to_owned(),
        Some(op) => format!("{}?", op.as_str()),
        None => "none".to_owned(),
    }];
    for bound in &analysis.bounds {
        parts.push(format!(
            "bound={}({})@{}:{}",
            bound.kind.as_str(),
            bound.origin,
            bound.line,
            bound.expr
        ));
    }
    if let Some(channel) = &analysis.channel {
        parts.push(format!(
            "chan={}@{}:{}",
            channel.name,
            channel.line,
            channel.capacity.as_deref().unwrap_or("unbuffered")
        ));
    }
    if !analysis.notes.is_empty() {
        parts.push(format!("notes={}", analysis.notes.len()));
    }
    if !analysis.problems.is_empty() {
        parts.push(format!("problems={}", analysis.problems.len()));
    }
    parts.join(" ")
}

#[track_caller]
fn check(source: &str, line: u32, profile_op: Op, expected: &str) -> Analysis {
    let analysis = analyze(source, line, profile_op);
    assert_eq!(
        summary(&analysis),
        expected,
        "line {line} `{}`: {analysis:#?}",
        analysis.snippet
    );
    assert_eq!(analysis.bound.as_ref(), analysis.bounds.first());
    analysis
}

/// The line of `SNIPPETS` that ends with the `// marker` comment.
#[track_caller]
fn at(marker: &str) -> u32 {
    marked(SNIPPETS, marker)
}

/// The line of `source` that ends with the `// marker` comment.
#[track_caller]
fn marked(source: &str, marker: &str) -> u32 {
    let suffix = format!("// {marker}");
    let index = source
        .lines()
        .position(|line| line.ends_with(&suffix))
        .unwrap_or_else(|| panic!("no line ends with {suffix}"));
    u32::try_from(index + 1).unwrap()
}

#[test]
fn every_channel_row_of_expected_tsv_agrees() {
    for row in EXPECTED.lines().skip(1) {
        let columns: Vec<&str> = row.split('\t').collect();
        let line: u32 = columns[2].parse().unwrap();
        let op = match columns[3] {
            "send" => Some(Op::Send),
            "receive" => Some(Op::Receive),
            "nil_send" => Some(Op::NilSend),
            "nil_receive" => Some(Op::NilReceive),
            "select" => Some(Op::Select),
            "select_no_cases" => Some(Op::SelectNoCases),
            _ => None,
        };
        let analysis = analyze(LEAKS, line, op.unwrap_or(Op::Unknown));
        assert_eq!(
            analysis.matches_profile,
            op.is_some(),
            "{row}: {analysis:#?}"
        );
        assert_eq!(analysis.op.is_some(), op.is_some(), "{row}: {analysis:#?}");
        assert!(analysis.problems.is_empty(), "{row}: {analysis:#?}");
    }
}

#[test]
fn leaks_go() {
    use Op::*;
    for (line, profile_op, expected) in [
        (23, Send, "send chan=result@21:unbuffered"),
        (28, Receive, "receive chan=result@21:unbuffered"),
        (39, Receive, "receive"),
        (40, Send, "send chan=done@37:unbuffered"),
        (40, Unknown, "send chan=done@37:unbuffered"),
        (40, Receive, "send? chan=done@37:unbuffered"),
        (42, Select, "select bound=ctx_done(context)@45:<-ctx.Done()"),
        (43, Receive, "none"),
        (56, Send, "send chan=answers@53:unbuffered"),
        (68, Receive, "range chan=ch@65:unbuffered"),
        (68, NilReceive, "range chan=ch@65:unbuffered"),
        (73, Receive, "none"),
        (74, Send, "send chan=ch@65:unbuffered"),
        (85, Select, "select bound=ticker(ticker)@86:<-ticker.C"),
        (85, Send, "select? bound=ticker(ticker)@86:<-ticker.C"),
        (
            99,
            Select,
            "select bound=timer(time.After)@101:<-time.After(time.Hour)",
        ),
        (
            113,
            Select,
            "select bound=ctx_done(context)@115:<-ctx.Done()",
        ),
        (128, NilSend, "send"),
        (138, NilReceive, "receive"),
        (147, SelectNoCases, "select_no_cases"),
        (147, Select, "select_no_cases?"),
        (155, Send, "send"),
        (163, Unknown, "none"),
        (175, Select, "select"),
        (191, Receive, "receive"),
        (202, Receive, "receive chan=ch@200:unbuffered"),
        (213, Unknown, "none"),
    ] {
        check(LEAKS, line, profile_op, expected);
    }
}

#[test]
fn snippets() {
    use Op::*;
    for (marker, profile_op, expected) in [
        (
            "field-declared",
            Select,
            "select bound=ticker(ticker)@29:<-s.tick.C",
        ),
        (
            "field-assigned",
            Select,
            "select bound=ticker(ticker)@33:<-r.clock.C",
        ),
        (
            "field-literal",
            Select,
            "select bound=timer(timer)@37:<-r.alarm.C",
        ),
        ("field-unknown", Select, "select notes=1"),
        (
            "alias-after",
            Select,
            "select bound=timer(time.After)@48:<-t.After(t.Second)",
        ),
        (
            "alias-tick",
            Select,
            "select bound=ticker(time.Tick)@52:<-t.Tick(t.Second)",
        ),
        (
            "alias-ticker",
            Select,
            "select bound=ticker(ticker)@57:<-ticker.C",
        ),
        (
            "constructor-inline",
            Select,
            "select bound=timer(timer)@61:<-t.NewTimer(t.Second).C",
        ),
        (
            "parameter-timer",
            Select,
            "select bound=timer(timer)@69:<-timer.C",
        ),
        (
            "after-variable",
            Select,
            "select bound=timer(time.After)@79:<-timeout",
        ),
        (
            "ticker-channel-variable",
            Select,
            "select bound=ticker(ticker)@84:<-tc",
        ),
        (
            "request-context",
            Select,
            "select bound=ctx_done(context)@92:<-r.Context().Done()",
        ),
        ("unknown-c", Select, "select notes=1"),
        ("after-func", Select, "select notes=1"),
        ("time-channel", Select, "select notes=1"),
        ("sends-only", Select, "select"),
        (
            "context-first",
            Select,
            "select bound=ctx_done(context)@121:<-ctx.Done() \
             bound=timer(time.After)@123:<-t.After(t.Minute)",
        ),
        ("comma-ok", Receive, "receive"),
        ("if-init", Receive, "receive"),
        ("send-receive", Send, "send chan=pair@131:1"),
        ("send-receive", Receive, "receive"),
        ("send-receive", Unknown, "receive"),
        ("one-case", Select, "select"),
        ("one-case-send", Send, "send chan=single@133:10"),
        ("select-one-line", Select, "select"),
        ("select-one-line", Unknown, "select"),
        ("buffered-ten", Send, "send chan=tens@142:10"),
        ("buffered-len", Send, "send chan=sized@146:len(xs)"),
        ("assigned-later", Send, "send chan=later@149:unbuffered"),
        ("conditional", Send, "send"),
        ("parenthesized", Send, "send chan=tens@142:10"),
        ("field-channel", Send, "send chan=s.ch@158:3"),
        ("range-buffered", Receive, "range chan=tens@142:10"),
        ("range-slice", Receive, "none"),
        ("range-int", Receive, "none"),
        ("no-op", Receive, "none"),
        ("shadowed", Send, "send"),
        (
            "multi-line",
            Select,
            "select bound=timer(time.After)@190:<-t.After(t.Minute)",
        ),
        ("forever", SelectNoCases, "select_no_cases"),
        ("forever-multi-line", SelectNoCases, "select_no_cases"),
        ("generic", Send, "send"),
        // A bare wait on a context is checked like a select's case.
        (
            "method-literal",
            Receive,
            "receive bound=ctx_done(context)@210:<-ctx.Done()",
        ),
        ("value-receiver", Send, "send"),
        ("top-level-literal", Send, "send"),
        ("range-variable", Send, "send"),
        ("if-initializer", Send, "send chan=ch@228:2"),
        ("one-case-receive", Select, "select"),
        (
            "one-case-receive-case",
            Receive,
            "receive chan=ch@231:unbuffered",
        ),
        (
            "one-case-receive-case",
            Select,
            "receive? chan=ch@231:unbuffered",
        ),
    ] {
        check(SNIPPETS, at(marker), profile_op, expected);
    }
}

#[test]
fn functions() {
    let timeout_leak = "func timeoutLeak(ctx context.Context, slowCall <-chan int) error";
    for (source, line, expected) in [
        (LEAKS, 40, Some("func() in timeoutLeak")),
        (LEAKS, 42, Some(timeout_leak)),
        (LEAKS, 34, Some(timeout_leak)),
        (LEAKS, 56, Some("func(id int) in firstResponse")),
        (LEAKS, 16, None),
        (LEAKS, 1, None),
        (
            SNIPPETS,
            at("field-declared"),
            Some("func (s *Server) fields(r *Remote)"),
        ),
        (
            SNIPPETS,
            at("generic"),
            Some("func Generic[T any](ch chan T, v T)"),
        ),
        (
            SNIPPETS,
            at("method-literal"),
            Some("func() in (*Server).run"),
        ),
        (
            SNIPPETS,
            at("value-receiver"),
            Some("func() in Server.value"),
        ),
        (SNIPPETS, at("top-level-literal"), Some("func(ch chan int)")),
        (
            SNIPPETS,
            at("generic-receiver"),
            Some("func() in (*List[T]).push"),
        ),
        (
            SNIPPETS,
            at("multi-line"),
            Some("func multiLine(ctx context.Context, in <-chan int)"),
        ),
    ] {
        let analysis = analyze(source, line, Op::Unknown);
        assert_eq!(analysis.function.as_deref(), expected, "line {line}");
    }
}

#[test]
fn reasons_and_notes() {
    let ticker = analyze(LEAKS, 85, Op::Select);
    assert_eq!(
        ticker
            .bound
            .map(|bound| bound.reason("leaks.go", 85, true))
            .as_deref(),
        Some("select at leaks.go:85 also waits on <-ticker.C (ticker) at line 86")
    );
    let context = analyze(LEAKS, 113, Op::Select);
    assert_eq!(
        context
            .bound
            .map(|bound| bound.reason("leaks.go", 113, true))
            .as_deref(),
        Some(
            "select at leaks.go:113 also waits on <-ctx.Done() (context) at line 115; \
             unverified: ctx is a parameter of ctxLoop: whether its callers can end it was \
             not checked"
        )
    );
    for (marker, note) in [
        (
            "field-unknown",
            "<-s.beat.C at line 41: origin of s.beat unknown, not counted as a timer",
        ),
        (
            "unknown-c",
            "<-x.C at line 99: origin of x unknown, not counted as a timer",
        ),
        (
            "after-func",
            "<-after.C at line 104: after comes from time.AfterFunc, whose C is nil, \
             not counted as a timer",
        ),
        (
            "time-channel",
            "<-tick at line 108: origin of tick unknown, not counted as a timer",
        ),
    ] {
        assert_eq!(analyze(SNIPPETS, at(marker), Op::Select).notes, [note]);
    }
    let snippet = analyze(LEAKS, 40, Op::Send).snippet;
    assert_eq!(snippet, "done <- v");
}

#[test]
fn untrustworthy() {
    check(BROKEN, 5, Op::Send, "send problems=2");
    assert_eq!(
        analyze(BROKEN, 5, Op::Send).problems,
        [
            "syntax error at line 9",
            "syntax error: missing `}` at line 10"
        ]
    );
    check(BROKEN, 0, Op::Send, "none problems=1");
    check(BROKEN, 11, Op::Send, "none problems=1");
    check(BROKEN, u32::MAX, Op::Send, "none problems=1");
    // A time package that is not imported is not the time package.
    check(
        "package main\nfunc f(in chan int) {\n\tselect {\n\tcase <-in:\n\
         \tcase <-time.After(1):\n\t}\n}\n",
        3,
        Op::Select,
        "select",
    );
}

#[test]
fn any_input_is_analyzed_without_panicking() {
    let inputs = [
        "",
        "\n\n\n",
        "not go at all <- <- {{{ select",
        "package main\nfunc f( {\n\tch <-\n\tselect {\n\tcase <-",
        "\u{feff}package main\r\nfunc f(ch chan int) {\r\n\tch <- 1\r\n}\r\n",
        &"(".repeat(10_000),
        &format!("package main\nfunc f() {{\n{}\n}}\n", "<-".repeat(5_000)),
        BROKEN,
        LEAKS,
        SNIPPETS,
    ];
    let ops = [
        Op::Send,
        Op::Receive,
        Op::Range,
        Op::Select,
        Op::SelectNoCases,
        Op::NilSend,
        Op::NilReceive,
        Op::Unknown,
    ];
    for input in inputs {
        let parsed = ParsedFile::parse(input);
        assert_eq!(parsed.analyze(3, Op::Send), analyze(input, 3, Op::Send));
        let lines = u32::try_from(input.lines().count()).unwrap();
        for line in 0..=lines + 1 {
            for op in ops {
                let analysis = parsed.analyze(line, op);
                if line == 0 || line > lines {
                    assert!(!analysis.problems.is_empty());
                }
            }
        }
    }
    assert!(
        !analyze("not go at all <- <- {{{ select", 1, Op::Send)
            .problems
            .is_empty()
    );
    assert_eq!(
        summary(&analyze(inputs[4], 3, Op::Send)),
        "send",
        "CRLF line endings"
    );
}
