//! Unit tests of `scan`.

use super::*;

/// `(text, expected tokens as (kind, text, depth))`.
fn check(text: &str, expected: &[(Kind, &str, usize)]) {
    let found: Vec<(Kind, &str, usize)> = Scanner::new(text)
        .map(|token| (token.kind, &text[token.start..token.end], token.depth))
        .collect();
    assert_eq!(found, expected, "{text:?}");
}

use Kind::*;

#[test]
fn block_structure() {
    check(
        "version: 1\n# comment [\nsuppressions:\n  - id: a # x [\n    reason: 'it''s [' \n",
        &[
            (Scalar, "version", 0),
            (Value, ":", 0),
            (Scalar, "1", 0),
            (Scalar, "suppressions", 0),
            (Value, ":", 0),
            (Entry, "-", 0),
            (Scalar, "id", 0),
            (Value, ":", 0),
            (Scalar, "a", 0),
            (Scalar, "reason", 0),
            (Value, ":", 0),
            (Scalar, "'it''s ['", 0),
        ],
    );
}

#[test]
fn flow_structure() {
    check(
        "s: [{id: a, f: \"x]\\\"\"}, [b:c, d], e f]\n",
        &[
            (Scalar, "s", 0),
            (Value, ":", 0),
            (Open, "[", 0),
            (Open, "{", 1),
            (Scalar, "id", 2),
            (Value, ":", 2),
            (Scalar, "a", 2),
            (Comma, ",", 2),
            (Scalar, "f", 2),
            (Value, ":", 2),
            (Scalar, "\"x]\\\"\"", 2),
            (Close, "}", 2),
            (Comma, ",", 1),
            (Open, "[", 1),
            (Scalar, "b:c", 2),
            (Comma, ",", 2),
            (Scalar, "d", 2),
            (Close, "]", 2),
            (Comma, ",", 1),
            (Scalar, "e f", 1),
            (Close, "]", 1),
        ],
    );
}

#[test]
fn plain_scalars_in_blocks() {
    // Brackets and quotes inside a plain scalar are text, on this line and on the lines
    // that continue it; a line indented no deeper than the key starts a new key.
    check(
        "a: x [y 'z\n  'w [[\nb: [c]\n",
        &[
            (Scalar, "a", 0),
            (Value, ":", 0),
            (Scalar, "x [y 'z\n  'w [[", 0),
            (Scalar, "b", 0),
            (Value, ":", 0),
            (Open, "[", 0),
            (Scalar, "c", 1),
            (Close, "]", 1),
        ],
    );
    check(
        "- a: x\n  b: y\n- c\n",
        &[
            (Entry, "-", 0),
            (Scalar, "a", 0),
            (Value, ":", 0),
            (Scalar, "x", 0),
            (Scalar, "b", 0),
            (Value, ":", 0),
            (Scalar, "y", 0),
            (Entry, "-", 0),
            (Scalar, "c", 0),
        ],
    );
    // Inside a flow collection a plain scalar goes on across lines whatever the indent.
    check(
        "a: [x\n'y, [z]]\n",
        &[
            (Scalar, "a", 0),
            (Value, ":", 0),
            (Open, "[", 0),
            (Scalar, "x\n'y", 1),
            (Comma, ",", 1),
            (Open, "[", 1),
            (Scalar, "z", 2),
            (Close, "]", 2),
            (Close, "]", 1),
        ],
    );
}

#[test]
fn block_scalars_anchors_tags() {
    check(
        "a: |\n  [[[ '\n\n  }\nb: &x !t [*x]\n",
        &[
            (Scalar, "a", 0),
            (Value, ":", 0),
            (Scalar, "|\n  [[[ '\n\n  }", 0),
            (Scalar, "b", 0),
            (Value, ":", 0),
            (Other, "&x", 0),
            (Other, "!t", 0),
            (Open, "[", 0),
            (Other, "*x", 1),
            (Close, "]", 1),
        ],
    );
    check(
        "--- \n- >-\n   text\n\n - x\n...\n",
        &[
            (Other, "---", 0),
            (Entry, "-", 0),
            (Scalar, ">-\n   text", 0),
            (Entry, "-", 0),
            (Scalar, "x", 0),
            (Other, "...", 0),
        ],
    );
}

#[test]
fn less_common_tokens() {
    check(
        "%YAML 1.2\n---\n? a\n: b\n",
        &[
            (Other, "%YAML 1.2", 0),
            (Other, "---", 0),
            (Key, "?", 0),
            (Scalar, "a", 0),
            (Value, ":", 0),
            (Scalar, "b", 0),
        ],
    );
    check(
        "{\"a\":1, b#c: [d:], e:\tf}",
        &[
            (Open, "{", 0),
            (Scalar, "\"a\"", 1),
            (Value, ":", 1),
            (Scalar, "1", 1),
            (Comma, ",", 1),
            (Scalar, "b#c", 1),
            (Value, ":", 1),
            (Open, "[", 1),
            (Scalar, "d", 2),
            (Value, ":", 2),
            (Close, "]", 2),
            (Comma, ",", 1),
            (Scalar, "e", 1),
            (Value, ":", 1),
            (Scalar, "f", 1),
            (Close, "}", 1),
        ],
    );
    // An indentation indicator sets the block scalar's indentation; CR LF line ends and
    // escaped line breaks stay inside their tokens.
    check(
        "a: |2-\r\n   x\r\n  y\r\n\r\nb: \"c\\\r\n d\" #\r\n",
        &[
            (Scalar, "a", 0),
            (Value, ":", 0),
            (Scalar, "|2-\r\n   x\r\n  y", 0),
            (Scalar, "b", 0),
            (Value, ":", 0),
            (Scalar, "\"c\\\r\n d\"", 0),
        ],
    );
    check(
        "--- |\n x\ny\n",
        &[(Other, "---", 0), (Scalar, "|\n x", 0), (Scalar, "y", 0)],
    );
    // A sequence in a mapping, an anchored key, and unclosed quotes.
    check(
        "a:\n  - b\n    c\n  - 'd\ne: f\n&k g: h\n  i\nj: 'k",
        &[
            (Scalar, "a", 0),
            (Value, ":", 0),
            (Entry, "-", 0),
            (Scalar, "b\n    c", 0),
            (Entry, "-", 0),
            (Scalar, "'d\ne: f\n&k g: h\n  i\nj: '", 0),
            (Scalar, "k", 0),
        ],
    );
    check(
        "&k g: h\n  i\nj: k\n",
        &[
            (Other, "&k", 0),
            (Scalar, "g", 0),
            (Value, ":", 0),
            (Scalar, "h\n  i", 0),
            (Scalar, "j", 0),
            (Value, ":", 0),
            (Scalar, "k", 0),
        ],
    );
    check(
        "a: \"x",
        &[(Scalar, "a", 0), (Value, ":", 0), (Scalar, "\"x", 0)],
    );
    // After a quoted value the next line starts a key at its own column, so a plain
    // value indented by one goes on.
    check(
        "a: 'x'\nb: c\n d\n",
        &[
            (Scalar, "a", 0),
            (Value, ":", 0),
            (Scalar, "'x'", 0),
            (Scalar, "b", 0),
            (Value, ":", 0),
            (Scalar, "c\n d", 0),
        ],
    );
    check(
        "- - x\n  - y\n- z\n",
        &[
            (Entry, "-", 0),
            (Entry, "-", 0),
            (Scalar, "x", 0),
            (Entry, "-", 0),
            (Scalar, "y", 0),
            (Entry, "-", 0),
            (Scalar, "z", 0),
        ],
    );
}

#[test]
fn depth_is_bounded() {
    let ok = format!("a: {}{}\n", "[".repeat(16), "]".repeat(16));
    assert_eq!(too_deep(&ok), None);
    let deep = format!("a: {}{}\n", "[".repeat(17), "]".repeat(17));
    assert_eq!(too_deep(&deep), Some(3 + 16));
    // Brackets in quotes, comments and block scalars do not count; quotes inside a plain
    // scalar open nothing.
    let hidden = format!(
        "a: \"{0}\"\nb: '{0}'\n# {0}\nc: |\n  {0}\nd: x'{0}\n",
        "[".repeat(40)
    );
    assert_eq!(too_deep(&hidden), None);
    let after = format!("a: it's\nb: {}\n", "[".repeat(40));
    assert_eq!(too_deep(&after), Some(11 + 16));
    assert_eq!(too_deep(&"{".repeat(1 << 16)), Some(16));
    assert_eq!(too_deep(""), None);
}
