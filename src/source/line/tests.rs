use super::*;
use crate::source::Location;

fn check(text: &str, line: u32, expected: Option<&str>, warns: bool) {
    let place = PlaceRef {
        file: "x.go",
        line,
        function: "main.f",
        op: Op::Send,
        creator: None,
        caller: None,
    };
    let mut warnings = Vec::new();
    let reason = inline_ignore(&place, text, &mut warnings);
    assert_eq!(reason.as_deref(), expected, "{text:?} line {line}");
    assert_eq!(
        !warnings.is_empty(),
        warns,
        "{text:?} line {line}: {warnings:?}"
    );
}

#[test]
fn inline_ignores() {
    let above = "func f() {\n\t//leakprof:ignore drained by the supervisor\n\tch <- 1\n}\n";
    check(above, 3, Some("drained by the supervisor"), false);
    let trailing = "func f() {\n\tch <- 1 //leakprof:ignore bounded by caller\n}\n";
    check(trailing, 2, Some("bounded by caller"), false);
    check("//leakprof:ignore\nch <- 1\n", 2, None, true);
    check("ch <- 1 //leakprof:ignore   \n", 1, None, true);
    // With a space after the slashes, as gofmt-minded people write comments (issue 14).
    check(
        "ch <- 1 // leakprof:ignore by design\n",
        1,
        Some("by design"),
        false,
    );
    check("// leakprof:ignore\nch <- 1\n", 2, None, true);
    // Two lines up is too far; a marker glued to other text is not one.
    check("//leakprof:ignore far\n\nch <- 1\n", 3, None, false);
    check(
        "ch <- 1 //leakprof:ignored not the marker\n",
        1,
        None,
        false,
    );
    // Code before the marker on the line above: the comment is about that line.
    check(
        "x := 1 //leakprof:ignore not alone\nch <- 1\n",
        2,
        None,
        false,
    );
    check("ch <- 1\n", 1, None, false);
    check("", 5, None, false);
}

/// A select's bounds are evidence, gathered only when the line is trusted; a line that
/// holds something else gathers none and warns.
#[test]
fn select_bounds_are_gathered_from_trusted_lines_only() {
    let text = "package p\n\nimport \"context\"\n\nfunc wait(ctx context.Context, ch chan int) {\n\tselect {\n\tcase <-ch:\n\tcase <-ctx.Done():\n\t}\n}\n";
    let parsed = ParsedFile::parse(text);
    for (line, op, trusted, bounds) in [
        (6, Op::Select, true, 1),
        (6, Op::Unknown, true, 1),
        (6, Op::Send, false, 0),
        (5, Op::Select, false, 0),
    ] {
        let place = PlaceRef {
            file: "p.go",
            line,
            function: "p.wait",
            op,
            creator: None,
            caller: None,
        };
        let mut check = SourceCheck::at(Location::Own("p.go".into()));
        let mut warnings = Vec::new();
        check_place(&mut check, &place, &parsed, "HEAD", &mut warnings);
        assert_eq!(check.trusted, trusted, "line {line} {op:?}");
        assert_eq!(check.bounds.len(), bounds, "line {line} {op:?}");
        assert_eq!(warnings.is_empty(), trusted, "{warnings:?}");
        let refined = (op == Op::Unknown).then_some(Op::Select);
        assert_eq!(check.refined_op, refined);
    }
}
