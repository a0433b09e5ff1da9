//! Rare shapes, each pinning a rule that mutation testing (`cargo mutants`) found no other
//! test holding: how far aliases are followed, which calls count as a context, sends that
//! are select cases, names shadowed by a type switch, range, `for` header or select case,
//! and where syntax errors are looked for.

use super::*;

/// Go written for these tests; `// name` markers at line ends name the lines to check.
const RARE: &str = include_str!("rare.go");

#[test]
fn rare_shapes() {
    use Op::*;
    for (marker, profile_op, expected) in [
        // Four names from the timer to the case are followed; a fifth is past the limit.
        (
            "four-names",
            Select,
            "select bound=timer(time.After)@18:<-e",
        ),
        ("five-names", Select, "select"),
        // Only `E.Done()` without arguments counts as a context.
        ("other-call", Select, "select"),
        ("done-with-argument", Select, "select"),
        // A send that is one case of a select waits as part of the select.
        ("send-case", Send, "none"),
        // The runtime reports a send at its arrow, not at its channel.
        ("send-arrow", Send, "send"),
        ("send-arrow-channel", Send, "none"),
        // Two ops on one line, none agreeing with the profile: the innermost, then the first.
        ("receive-then-send", Unknown, "receive"),
        ("receive-then-send", Send, "send"),
        // A type switch's name shadows only inside its cases; its initializer binds.
        ("type-switch-shadows", Send, "send"),
        ("type-switch-other-name", Send, "send chan=ch@55:unbuffered"),
        ("type-switch-initializer", Send, "send chan=ch@65:1"),
        // Range variables and select-case names shadow; a `for` header binds.
        ("range-shadows", Send, "send"),
        ("for-initializer", Send, "send chan=ch@72:5"),
        ("case-shadows", Send, "send"),
        // An indexed channel is no name: the element can change between make and send.
        ("index-channel", Send, "send"),
    ] {
        check(RARE, marked(RARE, marker), profile_op, expected);
    }
}

#[test]
fn the_closing_brace_is_inside_its_function() {
    let analysis = analyze(RARE, marked(RARE, "closing-brace"), Op::Unknown);
    assert_eq!(
        analysis.function.as_deref(),
        Some("func sendCases(out chan<- int, in <-chan int)")
    );
}

/// Go that tree-sitter parses without errors but the compiler rejects: a case whose
/// right side is not a receive waits on nothing.
const NOT_RECEIVES: &str = "package main

import \"time\"

func f(in chan int, d time.Duration) {
	select { // selector
	case v := time.After(d).C:
	case <-in:
	}
	select { // negation
	case v := !time.After(d):
	case <-in:
	}
}
";

#[test]
fn a_case_that_is_no_receive_bounds_nothing() {
    for marker in ["selector", "negation"] {
        check(
            NOT_RECEIVES,
            marked(NOT_RECEIVES, marker),
            Op::Select,
            "select",
        );
    }
}

/// Functions with syntax errors around one without: errors count only in the function
/// holding the line, or near a line at top level.
const ERRORS: &str = "package main

func a(ch chan int) {
	x := )
}

func b(ch chan int) {
	ch <- 2 // clean
}

func c(ch chan int) {
	y := ]
}

var v = 1 // top-level

func three(ch chan int) {
	if a := ); a {
	}
	if b := ); b {
	}
	if c := ); c {
	}
	ch <- 1 // three
}

func five(ch chan int) {
	f(1 2)
	f(1 2)
	f(1 2)
	f(1 2)
	f(1 2)
	ch <- 1 // five
}
";

#[test]
fn syntax_errors_are_looked_for_where_they_matter() {
    for (marker, expected) in [
        // In a function: its own errors only, not its neighbours'.
        ("clean", &[][..]),
        // At top level: the declaration before and five lines either side.
        (
            "top-level",
            &[
                "syntax error at line 12",
                "syntax error at line 18",
                "syntax error at line 20",
            ],
        ),
        // Three errors are listed; past three, the rest are counted.
        (
            "three",
            &[
                "syntax error at line 18",
                "syntax error at line 20",
                "syntax error at line 22",
            ],
        ),
        (
            "five",
            &[
                "syntax error at line 28",
                "syntax error at line 29",
                "syntax error at line 30",
                "2 more syntax errors",
            ],
        ),
    ] {
        let analysis = analyze(ERRORS, marked(ERRORS, marker), Op::Send);
        assert_eq!(analysis.problems, expected, "{marker}");
    }
}
