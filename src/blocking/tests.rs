//! Unit tests of `blocking`.

use super::*;
use crate::profile::Frames;

fn frame(function: &'static str) -> Frame<'static> {
    Frame {
        function,
        file: "x.go",
        line: 1,
    }
}

fn check(
    functions: &[&'static str],
    wait_reason: Option<&'static str>,
    hidden: Option<u32>,
    expected: (Blocking, &str),
) {
    let frames: Vec<Frame<'static>> = functions.iter().map(|f| frame(f)).collect();
    let sample = Sample {
        count: 1,
        wait_reason,
        wait_minutes: None,
        leaked: false,
        hidden_runtime_frames: hidden,
        frames: Frames::List(&frames),
        labels: Vec::new(),
    };
    let got = classify(&sample);
    assert_eq!(
        (got.blocking, got.location.map(|f| f.function).unwrap_or("")),
        expected,
        "{functions:?} {wait_reason:?}"
    );
}

#[test]
fn classification() {
    use Blocking::*;
    let send = [
        "runtime.gopark",
        "runtime.chansend",
        "runtime.chansend1",
        "main.f",
        "main.main",
    ];
    check(&send, None, None, (Channel(Op::Send), "main.f"));
    check(
        &send,
        Some("chan send (nil chan)"),
        None,
        (Channel(Op::NilSend), "main.f"),
    );
    check(
        &["main.f"],
        Some("chan receive"),
        None,
        (Channel(Op::Receive), "main.f"),
    );
    check(
        &["runtime.gopark", "runtime.selectgo", "main.f"],
        None,
        None,
        (Channel(Op::Select), "main.f"),
    );
    check(
        &["runtime.gopark", "runtime.block", "main.f"],
        None,
        None,
        (Channel(Op::SelectNoCases), "main.f"),
    );
    check(
        &["main.f"],
        Some("select (no cases)"),
        None,
        (Channel(Op::SelectNoCases), "main.f"),
    );
    check(
        &["main.f", "main.main"],
        None,
        Some(3),
        (Channel(Op::Unknown), "main.f"),
    );
    check(
        &["main.f", "main.main"],
        None,
        Some(0),
        (Other(super::Other::Running), "main.f"),
    );
    check(
        &[
            "sync.runtime_SemacquireMutex",
            "sync.(*Mutex).lockSlow",
            "sync.(*Mutex).Lock",
            "main.g",
        ],
        None,
        Some(3),
        (Other(super::Other::Mutex), "main.g"),
    );
    check(
        &[
            "runtime.gopark",
            "runtime.goparkunlock",
            "runtime.semacquire1",
            "sync.runtime_Semacquire",
            "sync.(*WaitGroup).Wait",
            "main.w",
        ],
        Some("semacquire"),
        None,
        (Other(super::Other::WaitGroup), "main.w"),
    );
    check(
        &[
            "internal/poll.runtime_pollWait",
            "internal/poll.(*pollDesc).wait",
            "internal/poll.(*FD).Read",
            "net.(*netFD).Read",
            "net.(*conn).Read",
            "main.r",
        ],
        None,
        Some(2),
        (Other(super::Other::Io), "main.r"),
    );
    check(
        &["time.Sleep", "main.s"],
        None,
        Some(1),
        (Other(super::Other::Sleep), "main.s"),
    );
    check(
        &[
            "runtime.gopark",
            "runtime.selectgo",
            "reflect.rselect",
            "reflect.Select",
            "main.r",
        ],
        None,
        None,
        (Channel(Op::Select), "main.r"),
    );
}

/// When no frame names a library call the classifier knows (a Go release that renames
/// its internals, a dump trimmed by hand), the debug=2 wait reason still tells what the
/// goroutine waits on.
#[test]
fn wait_reasons() {
    use super::Other::*;
    for (reason, kind) in [
        ("sync.Mutex.Lock", Mutex),
        ("sync.RWMutex.RLock", RwMutex),
        ("sync.RWMutex.Lock", RwMutex),
        ("sync.WaitGroup.Wait", WaitGroup),
        ("sync.Cond.Wait", Cond),
        ("semacquire", Semaphore),
        ("sleep", Sleep),
        ("IO wait", Io),
        ("syscall", Syscall),
        ("running", Running),
        ("runnable", Runnable),
        ("GC worker (idle)", Other),
    ] {
        check(
            &["example.com/lib.wait", "main.f"],
            Some(reason),
            None,
            (Blocking::Other(kind), "example.com/lib.wait"),
        );
    }
    check(
        &["main.f"],
        Some("chan send (synctest)"),
        None,
        (Blocking::Channel(Op::Send), "main.f"),
    );
}

#[test]
fn package_paths() {
    for (function, package) in [
        ("main.main", "main"),
        ("example.com/app/pkg.(*T).run.func1", "example.com/app/pkg"),
        // The linker escapes dots in the last path element.
        ("gopkg.in/yaml%2ev3.(*parser).parse", "gopkg.in/yaml%2ev3"),
        ("net/http.(*persistConn).readLoop", "net/http"),
        ("weird", "weird"),
        // Profiles are input: a hand-made one may name anything.
        ("/x.F", "/x"),
        ("/", "/"),
    ] {
        assert_eq!(package_path(function), package, "{function}");
    }
}

#[test]
fn standard_library() {
    for (function, std) in [
        ("main.main", false),
        ("net/http.(*persistConn).readLoop", true),
        ("context.propagateCancel.func2", true),
        ("example.com/app/internal/x.(*T).run", false),
        ("internal/poll.runtime_pollWait", true),
        ("runtime.gopark", true),
        ("github.com/a/b.F", false),
        ("database/sql.(*DB).connectionOpener", true),
        ("myapp/pkg.F", false),
    ] {
        assert_eq!(is_std_function(function), std, "{function}");
    }
}
