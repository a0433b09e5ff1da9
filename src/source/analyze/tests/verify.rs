//! Bound verification (verify.rs), case by case on small functions.

use crate::blocking::Op;
use crate::source::analyze::{Check, analyze};

/// `body` is the body of `func f(parent context.Context, ch chan int)`; the select (or
/// bare wait) is on the line marked `// here`. The answer: "fires", "unverified" or
/// "never", with a piece of the reason.
fn check(body: &str, expected: &str, says: &str) {
    let source = format!(
        "package p\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n\nvar stop context.CancelFunc\n\n\
         func f(parent context.Context, ch chan int) {{\n{body}\n}}\n"
    );
    let line = source
        .lines()
        .position(|line| line.contains("// here"))
        .map(|row| row as u32 + 1)
        .expect("a line marked // here");
    let op = if source
        .lines()
        .nth(line as usize - 1)
        .unwrap()
        .contains("select")
    {
        Op::Select
    } else {
        Op::Receive
    };
    let analysis = analyze(&source, line, op);
    assert!(analysis.problems.is_empty(), "{:?}", analysis.problems);
    let bound = analysis
        .bounds
        .first()
        .unwrap_or_else(|| panic!("no bound in\n{body}"));
    let (got, why) = match &bound.check {
        Check::Fires => ("fires", String::new()),
        Check::Unverified { why, .. } => ("unverified", why.clone()),
        Check::Never { why, .. } => ("never", why.clone()),
    };
    assert_eq!(got, expected, "{body}\n{why}");
    assert!(why.contains(says), "{body}\n{why:?} lacks {says:?}");
}

const SELECT_CTX: &str = "\tselect { // here\n\tcase ch <- 1:\n\tcase <-ctx.Done():\n\t}";

#[test]
fn contexts() {
    let with = |setup: &str| format!("{setup}\n{SELECT_CTX}");
    check(
        &with("\tctx := context.Background()"),
        "never",
        "Done() is nil",
    );
    check(
        &with("\tctx := context.WithoutCancel(parent)"),
        "never",
        "never done",
    );
    check(
        &with("\tctx := context.WithValue(context.TODO(), \"k\", 1)"),
        "never",
        "context.TODO()",
    );
    check(
        &with("\tctx, cancel := context.WithTimeout(parent, time.Second)\n\tdefer cancel()"),
        "fires",
        "",
    );
    check(
        &with("\tctx, _ := context.WithDeadline(parent, time.Now())"),
        "fires",
        "",
    );
    // The parent may end: the derived context ends with it.
    check(
        &with("\tctx, _ := context.WithCancel(parent)"),
        "unverified",
        "parent",
    );
    check(
        &with("\tctx, cancel := context.WithCancel(context.Background())\n\tgo cancel()"),
        "fires",
        "",
    );
    check(
        &with(
            "\tctx, cancel := context.WithCancel(context.Background())\n\ttime.AfterFunc(time.Second, cancel)",
        ),
        "fires",
        "",
    );
    check(
        &with("\tctx, cancel := context.WithCancel(context.Background())\n\tdefer cancel()"),
        "never",
        "only deferred",
    );
    check(
        &with("\tctx, cancel := context.WithCancel(context.Background())"),
        "never",
        "never called",
    );
    // Called after the wait, in the same function: it runs after the wait...
    check(
        &format!(
            "\tctx, cancel := context.WithCancel(context.Background())\n{SELECT_CTX}\n\tcancel()"
        ),
        "never",
        "only deferred",
    );
    // ...unless a loop brings the call round before the next wait.
    check(
        &format!(
            "\tctx, cancel := context.WithCancel(context.Background())\n\tfor {{\n{SELECT_CTX}\n\tcancel()\n\t}}"
        ),
        "fires",
        "",
    );
    check(
        &with("\tvar ctx context.Context\n\tctx, stop = context.WithCancel(context.Background())"),
        "unverified",
        "kept in stop",
    );
    check(
        SELECT_CTX.replace("ctx.Done", "parent.Done").as_str(),
        "unverified",
        "parameter of f",
    );
    // A Done() of a value received from elsewhere: nothing to trace.
    check(
        &with("\tctx := <-make(chan context.Context)"),
        "unverified",
        "not clear",
    );
    // A bare wait.
    check(
        "\tctx := context.TODO()\n\t<-ctx.Done() // here",
        "never",
        "context.TODO()",
    );
}

#[test]
fn timers_and_tickers() {
    let select =
        |channel: &str| format!("\tselect {{ // here\n\tcase ch <- 1:\n\tcase <-{channel}:\n\t}}");
    check(
        &format!(
            "\tt := time.NewTimer(time.Second)\n\tt.Stop()\n{}",
            select("t.C")
        ),
        "never",
        "stopped at line",
    );
    check(
        &format!(
            "\tt := time.NewTimer(time.Second)\n\tt.Stop()\n\tt.Reset(time.Second)\n{}",
            select("t.C")
        ),
        "fires",
        "",
    );
    check(
        &format!(
            "\tt := time.NewTimer(time.Second)\n\tdefer t.Stop()\n{}",
            select("t.C")
        ),
        "fires",
        "",
    );
    check(
        &format!(
            "\ttk := time.NewTicker(time.Second)\n\ttk.Stop()\n{}",
            select("tk.C")
        ),
        "never",
        "stopped",
    );
    // A timer made before a loop fires once; a ticker keeps firing; a case that leaves
    // the loop ends it when the timer fires.
    let looped = |setup: &str, channel: &str, body: &str| {
        format!(
            "\t{setup}\n\tfor {{\n\t\tselect {{ // here\n\t\tcase v := <-ch:\n\t\t\t_ = v\n\t\tcase <-{channel}:\n\t\t\t{body}\n\t\t}}\n\t}}"
        )
    };
    check(
        &looped("t := time.NewTimer(time.Second)", "t.C", ""),
        "never",
        "fires once",
    );
    check(
        &looped("t := time.NewTimer(time.Second)", "t.C", "return"),
        "fires",
        "",
    );
    check(
        &looped("tk := time.NewTicker(time.Second)", "tk.C", ""),
        "fires",
        "",
    );
    check(
        &looped("timeout := time.After(time.Second)", "timeout", ""),
        "never",
        "fires once",
    );
    check(
        &looped(
            "t := time.NewTimer(time.Second)",
            "t.C",
            "t.Reset(time.Second)",
        ),
        "fires",
        "",
    );
    check(&select("time.After(time.Second)"), "fires", "");
}
