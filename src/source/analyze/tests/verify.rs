//! Bound verification (verify.rs), case by case on small functions.

use crate::blocking::Op;
use crate::source::analyze::{Check, Parameter, ParsedFile, analyze};

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
        "only reached at line 16, after the wait",
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

/// What is done with a cancel function decides whether it can wake the wait: only a call
/// or a hand-over that can happen while the goroutine waits counts (audit of issue 10).
#[test]
fn cancel_uses() {
    let made = "\tctx, cancel := context.WithCancel(context.Background())";
    let with = |uses: &str| format!("{made}\n{uses}\n{SELECT_CTX}");
    // Discarded, or only compared or written: nothing can call it.
    check(&with("\t_ = cancel"), "never", "discarded at line 12");
    check(&with("\tvar _ = cancel"), "never", "discarded at line 12");
    check(
        &with("\t_, _ = ctx, cancel"),
        "never",
        "discarded at line 12",
    );
    check(
        &with("\tif cancel == nil {\n\t\treturn\n\t}"),
        "never",
        "never called",
    );
    check(&with("\tcancel = nil"), "never", "never called");
    check(
        &with("\ttype s struct{ cancel func() }\n\t_ = s{cancel: nil}"),
        "never",
        "never called",
    );
    check(
        &with("\ttype s struct{ cancel func() }\n\tkeep := s{cancel: cancel}\n\t_ = keep"),
        "fires",
        "",
    );
    // Handed over before the wait: whoever gets it can call it.
    check(&with("\tstop = cancel"), "fires", "");
    check(&with("\tkeep := []any{cancel}\n\t_ = keep"), "fires", "");
    check(&with("\tgo func() { cancel() }()"), "fires", "");
    // Handed over, or a goroutine started, only after the wait: too late.
    check(
        &format!("{made}\n{SELECT_CTX}\n\tstop = cancel"),
        "never",
        "only reached at line 16, after the wait",
    );
    check(
        &format!("{made}\n{SELECT_CTX}\n\tgo func() {{ cancel() }}()"),
        "never",
        "only reached at line 16",
    );
    // A deferred func literal runs after the wait like a deferred call.
    check(
        &with("\tdefer func() {\n\t\tcancel()\n\t}()"),
        "never",
        "only deferred, at line 13",
    );
    check(
        &with("\tdefer time.AfterFunc(time.Second, cancel)"),
        "never",
        "only deferred, at line 12",
    );
    // Called only in a branch that returns: on no path to the wait.
    check(
        &with("\tif ch == nil {\n\t\tcancel()\n\t\treturn\n\t}"),
        "never",
        "never called",
    );
    check(
        &with("\tif ch == nil {\n\t\tgo cancel()\n\t\tpanic(\"no channel\")\n\t}"),
        "never",
        "never called",
    );
    check(
        &with("\tif ch == nil {\n\t\tcancel()\n\t\tos.Exit(1)\n\t}"),
        "never",
        "never called",
    );
    // ...but a goroutine started in that branch returns on its own.
    check(
        &with("\tif ch == nil {\n\t\treturn\n\t}\n\tgo func() {\n\t\tcancel()\n\t\treturn\n\t}()"),
        "fires",
        "",
    );
    // Another variable of the same name is not this cancel function.
    check(
        &with("\tgo func() {\n\t\t_, cancel := context.WithCancel(parent)\n\t\tcancel()\n\t}()"),
        "never",
        "never called",
    );
}

/// A cancel called after the wait in the loop turn that made the context never wakes that
/// wait: the next turn waits on a new context. Made before the loop, the next turn's wait
/// finds it cancelled.
#[test]
fn cancel_in_loops() {
    let made = "ctx, cancel := context.WithCancel(context.Background())";
    check(
        &format!("\tfor {{\n\t{made}\n{SELECT_CTX}\n\tcancel()\n\t}}"),
        "never",
        "only called at line 17, after the wait in the same turn of the loop at line 11",
    );
    check(
        &format!("\tfor i := 0; i < 3; i++ {{\n\t{made}\n{SELECT_CTX}\n\tdefer cancel()\n\t}}"),
        "never",
        "only deferred, at line 17",
    );
    // Made in the outer loop, waited on in the inner one: the inner loop comes round.
    check(
        &format!("\tfor {{\n\t{made}\n\tfor {{\n{SELECT_CTX}\n\tcancel()\n\t}}\n\t}}"),
        "fires",
        "",
    );
    // `ctx, cancel = …` again in the loop: each turn's cancel is for its own context.
    check(
        &format!(
            "\tvar ctx context.Context\n\tvar cancel context.CancelFunc\n\tfor {{\n\tctx, cancel = context.WithCancel(context.Background())\n{SELECT_CTX}\n\tcancel()\n\t}}"
        ),
        "never",
        "same turn of the loop at line 13",
    );
}

/// From the caller that starts the goroutine, any use of the cancel function after the `go`
/// statement can happen while the goroutine waits; a use before it counts only on a path
/// that reaches it.
#[test]
fn cancel_uses_from_the_caller() {
    let answer = |uses: &str| -> String {
        let source = format!(
            "package p\n\nimport \"context\"\n\nvar keep []any\n\n\
             func waitCtx(ctx context.Context, ch chan int) {{\n\tselect {{\n\tcase ch <- 1:\n\
             \tcase <-ctx.Done():\n\t}}\n}}\n\n\
             func start(ch chan int, fail bool) {{\n\
             \tctx, cancel := context.WithCancel(context.Background())\n{uses}\n}}\n"
        );
        let line = source
            .lines()
            .position(|line| line.contains("go waitCtx"))
            .expect("a go statement") as u32
            + 1;
        let parameter = Parameter {
            function: "waitCtx".to_string(),
            index: 0,
            name: "ctx".to_string(),
        };
        match ParsedFile::parse(&source).argument_check(line, &parameter) {
            Some(Check::Fires) => "fires".to_string(),
            Some(Check::Never { why, .. }) => format!("never: {why}"),
            Some(Check::Unverified { why, .. }) => format!("unverified: {why}"),
            None => "none".to_string(),
        }
    };
    let go = "\tgo waitCtx(ctx, ch)";
    assert_eq!(answer(&format!("{go}\n\tcancel()")), "fires");
    assert_eq!(
        answer(&format!("{go}\n\tkeep = append(keep, cancel)")),
        "fires"
    );
    assert_eq!(answer(&format!("\tdefer cancel()\n{go}")), "fires");
    for unused in [
        format!("\t_ = cancel\n{go}"),
        format!("\tif fail {{\n\t\tcancel()\n\t\treturn\n\t}}\n{go}"),
    ] {
        let got = answer(&unused);
        assert!(
            got.starts_with("never: the cancel function of ctx"),
            "{unused}\n{got}"
        );
    }
    // A func literal started with the context as its argument: what it defers runs after
    // its wait; what the caller does, or the literal does on its way, can wake it.
    let literal = |body: &str| -> String {
        let source = format!(
            "package p\n\nimport \"context\"\n\n\
             func start(ch chan int) {{\n\
             \tctx, cancel := context.WithCancel(context.Background())\n\
             \tgo func(ctx context.Context) {{\n{body}\n\
             \t\tselect {{\n\t\tcase ch <- 1:\n\t\tcase <-ctx.Done():\n\t\t}}\n\
             \t}}(ctx)\n}}\n"
        );
        let parameter = Parameter {
            function: "a func literal".to_string(),
            index: 0,
            name: "ctx".to_string(),
        };
        match ParsedFile::parse(&source).argument_check(7, &parameter) {
            Some(Check::Fires) => "fires".to_string(),
            Some(Check::Never { why, .. }) => format!("never: {why}"),
            Some(Check::Unverified { why, .. }) => format!("unverified: {why}"),
            None => "none".to_string(),
        }
    };
    let deferred = literal("\t\tdefer cancel()");
    assert!(deferred.contains("only deferred, at line 8"), "{deferred}");
    let deferred = literal("\t\tdefer func() { cancel() }()");
    assert!(deferred.contains("only deferred"), "{deferred}");
    assert_eq!(literal("\t\tgo cancel()"), "fires");
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
    // Stopped only in a branch that returns: the wait is reached with the timer running.
    check(
        &format!(
            "\tt := time.NewTimer(time.Second)\n\tif ch == nil {{\n\t\tt.Stop()\n\t\treturn\n\t}}\n{}",
            select("t.C")
        ),
        "fires",
        "",
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

/// A cancel function kept in a package-level variable is unverified from the function alone,
/// naming the variable and the line, so the package's other files can settle it.
#[test]
fn a_cancel_kept_in_a_package_variable_names_it() {
    let source = "package p\n\nimport \"context\"\n\nvar stop context.CancelFunc\n\n\
                  func f(ch chan int) {\n\tvar ctx context.Context\n\
                  \tctx, stop = context.WithCancel(context.Background())\n\
                  \tselect {\n\tcase ch <- 1:\n\tcase <-ctx.Done():\n\t}\n}\n";
    let analysis = analyze(source, 10, Op::Select);
    match &analysis.bounds[0].check {
        Check::Unverified {
            kept: Some(kept), ..
        } => {
            assert_eq!((kept.name.as_str(), kept.line), ("stop", 9));
        }
        other => panic!("{other:?}"),
    }
}

/// `reads_of` finds every read, call or hand-over of a name, never its assignments or its
/// declaration.
#[test]
fn reads_of_a_name_leave_out_its_assignments() {
    let source = "package p\n\n\
                  var stop func()\n\
                  var a, stop2 = 1, func() {}\n\n\
                  func f() {\n\
                  \tstop = nil\n\
                  \t_, stop = 1, func() {}\n\
                  \tstop()\n\
                  \tg := stop\n\
                  \tdefer h(stop)\n\
                  \tif stop != nil {\n\t}\n\
                  \t_ = g\n}\n";
    let parsed = ParsedFile::parse(source);
    assert_eq!(parsed.reads_of("stop"), Some(vec![9, 10, 11, 12]));
    assert_eq!(parsed.reads_of("stop2"), Some(vec![]));
    assert_eq!(parsed.reads_of("missing"), Some(vec![]));
}
