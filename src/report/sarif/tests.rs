//! SARIF written from model values: rules, results, fixes, locations.

use super::*;
use crate::blocking::Op;
use crate::model::{Finding, SourceContext, Span};
use crate::model::{SourceEvidence, Suppression, SuppressionKind, testing};

#[test]
fn rules_are_sorted_and_indexed() {
    let ids: Vec<String> = RULES.iter().map(|&op| rule_id(op)).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted);
    for (index, &op) in RULES.iter().enumerate() {
        assert_eq!(rule_index(op), index, "{op:?}");
    }
    // Every op has the rule of its family, whatever format named it.
    for op in OPS {
        assert_eq!(RULES[rule_index(op)], op.family(), "{op:?}");
        assert_eq!(rule_id(op), rule_id(op.family()), "{op:?}");
    }
}

#[test]
fn rule_docs_fit_code_scanning() {
    for op in RULES {
        let rule = rule(op);
        assert!(rule.id.len() <= 255, "{}", rule.id);
        let first = rule.name.chars().next().unwrap_or(' ');
        assert!(first.is_ascii_uppercase() && !rule.name.contains(['_', ' ', '-']));
        for text in [&rule.short_description.text, &rule.full_description.text] {
            assert!(text.ends_with('.') && !text.contains("  "), "{text:?}");
        }
    }
    // A rule's help covers every kind under it.
    let receive = rule(Op::Receive);
    for member in ["`range`", "`nil_receive`"] {
        assert!(receive.help.markdown.contains(member), "{member}");
    }
    assert!(rule(Op::Send).help.markdown.contains("`nil_send`"));
    assert!(
        !rule(Op::Select)
            .help
            .markdown
            .contains("Also under this rule")
    );
}

/// 150 goroutines blocked on a send at `svc/leaks.go:7`, in 300 over two profiles.
fn finding() -> Finding {
    testing::finding()
        .id("0123456789abcdef")
        .file("svc/leaks.go")
        .line(7)
        .goroutines(150)
        .total_goroutines(300)
        .profiles(2)
        .build()
}

#[test]
fn results() {
    /// `expected` null: the member is absent.
    fn check(change: fn(&mut Finding), pointer: &str, expected: serde_json::Value) {
        let mut finding = finding();
        change(&mut finding);
        let result = serde_json::to_value(result(&finding, None, None)).unwrap();
        let found = result.pointer(pointer).unwrap_or(&serde_json::Value::Null);
        assert_eq!(found, &expected, "{pointer} in {result}");
    }
    use serde_json::json;
    check(
        |_| {},
        "/message/text",
        json!("150 goroutines blocked on send in main.f (leaks.go:7)"),
    );
    check(|_| {}, "/level", json!("error"));
    check(
        |f| {
            f.op = Op::Unknown;
            f.goroutines = 1;
            f.file = String::new();
        },
        "/message/text",
        json!("1 goroutine blocked on a channel operation in main.f"),
    );
    check(|f| f.op = Op::Unknown, "/level", json!("warning"));
    // A leak the GC proved is an error whatever the rule's level.
    check(
        |f| {
            f.op = Op::SelectNoCases;
            f.leaked_goroutines = 2;
        },
        "/level",
        json!("error"),
    );
    check(|f| f.op = Op::NilSend, "/ruleId", json!("leakprof/send"));
    check(|f| f.op = Op::NilSend, "/properties/op", json!("nil_send"));
    check(|f| f.op = Op::Range, "/ruleId", json!("leakprof/receive"));
    check(
        |f| f.line = 0,
        "/locations/0/physicalLocation",
        json!({"artifactLocation": {"uri": "svc/leaks.go"}}),
    );
    check(
        |f| f.leaked_goroutines = 3,
        "/message/text",
        json!(
            "150 goroutines blocked on send in main.f (leaks.go:7); the garbage collector proved 3 of them leaked"
        ),
    );
    check(
        |f| {
            f.status = Status::Suppressed;
            f.suppression = Some(Suppression {
                verified: None,
                kind: SuppressionKind::Inline,
                reason: "drained at shutdown".into(),
                rule: None,
                owner: None,
            });
        },
        "/suppressions",
        json!([{"kind": "inSource", "status": "accepted", "justification": "drained at shutdown", "properties": {"kind": "inline"}}]),
    );
    check(|f| f.new = Some(true), "/baselineState", json!("new"));
    check(|f| f.new = Some(false), "/properties/new", json!(false));
    check(
        |f| f.owners = vec!["@team".into()],
        "/properties/owners",
        json!(["@team"]),
    );
    check(
        |_| {},
        "/partialFingerprints",
        json!({"leakprof/v3": "0123456789abcdef"}),
    );
    check(
        |_| {},
        "/locations/0/logicalLocations",
        json!([{"fullyQualifiedName": "main.f", "kind": "function"}]),
    );
}

/// With the source: the span's columns, its text as the snippet, and the lines around it
/// as the context region.
#[test]
fn regions_from_the_source() {
    let mut finding = finding();
    finding.source = Some(SourceEvidence {
        snippet: "done <- v".into(),
        span: Some(Span {
            start_line: 7,
            start_column: 3,
            end_line: 7,
            end_column: 12,
        }),
        context: Some(SourceContext {
            first_line: 6,
            lines: vec![
                "\tgo func() {".into(),
                "\t\tdone <- v // é".into(),
                "\t}()".into(),
            ],
        }),
        function: None,
        channel: None,
        notes: Vec::new(),
    });
    let result = serde_json::to_value(result(&finding, Some("svc/leaks.go".into()), None)).unwrap();
    assert_eq!(
        result["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {"uri": "svc/leaks.go", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 7, "startColumn": 3, "endLine": 7, "endColumn": 12,
                       "snippet": {"text": "done <- v"}},
            "contextRegion": {"startLine": 6, "endLine": 8,
                              "snippet": {"text": "\tgo func() {\n\t\tdone <- v // é\n\t}()"}},
        })
    );
}

/// Region columns count UTF-16 code units: a character outside the BMP takes two.
#[test]
fn utf16_columns() {
    let context = SourceContext {
        first_line: 7,
        lines: vec!["s := \"😀\"; ch <- s".into(), "é <- x".into()],
    };
    assert_eq!(utf16_column(&context, 7, 1), Some(1));
    // `ch` is the 11th code point, after an emoji of two UTF-16 units.
    assert_eq!(utf16_column(&context, 7, 11), Some(12));
    assert_eq!(utf16_column(&context, 8, 3), Some(3));
    assert_eq!(utf16_column(&context, 9, 1), None);
    assert_eq!(utf16_column(&context, 6, 1), None);
}

#[test]
fn span_texts() {
    let context = SourceContext {
        first_line: 10,
        lines: vec![
            "a := é + <-ch".into(),
            "for x := range".into(),
            "  ch {".into(),
        ],
    };
    let span = |start_line, start_column, end_line, end_column| Span {
        start_line,
        start_column,
        end_line,
        end_column,
    };
    assert_eq!(
        span_text(&context, span(10, 10, 10, 14)).as_deref(),
        Some("<-ch")
    );
    assert_eq!(
        span_text(&context, span(11, 1, 12, 5)).as_deref(),
        Some("for x := range\n  ch")
    );
    assert_eq!(span_text(&context, span(9, 1, 9, 2)), None);
    assert_eq!(span_text(&context, span(12, 1, 13, 2)), None);
}

#[test]
fn file_uris() {
    fn check(file: &str, expected: &str) {
        assert_eq!(file_uri(file), expected, "{file:?}");
    }
    check("testdata/leaky/leaks.go", "testdata/leaky/leaks.go");
    check("/home/ci/app/leaks.go", "file:///home/ci/app/leaks.go");
    check("/tmp/my app/x.go", "file:///tmp/my%20app/x.go");
    check("example.com/app/pkg/x.go", "example.com/app/pkg/x.go");
    check("a:b/x.go", "a%3Ab/x.go");
    check("C:/src/app/x.go", "file:///C:/src/app/x.go");
    check(r"C:\src\app\x.go", "file:///C:/src/app/x.go");
    check("/src/100%/é.go", "file:///src/100%25/%C3%A9.go");
}
