//! What a goroutine is blocked on, told from the runtime frames above its park point, from
//! the wait reason of a text dump, or from the library function it waits in; and where: the
//! first frame below the runtime's own.

use serde::Serialize;

use crate::profile::{Frame, Sample};

/// A channel operation a goroutine waits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Send,
    Receive,
    /// `for … range ch`: only the source tells it from a plain receive.
    Range,
    Select,
    /// `select {}`: blocks forever by construction.
    SelectNoCases,
    NilSend,
    NilReceive,
    /// The profile cannot tell (debug=1 hides runtime frames); source analysis may.
    Unknown,
    /// Not channel operations: waits the garbage collector proved leaked (a goroutineleak
    /// profile, `(leaked)`), reported on the GC's word alone.
    Mutex,
    #[serde(rename = "rwmutex")]
    RwMutex,
    #[serde(rename = "waitgroup")]
    WaitGroup,
    Cond,
}

impl Op {
    /// The operation whatever the channel: `range` and `nil_receive` are receives, `nil_send`
    /// a send. Profile formats differ in how finely they name an op; families do not.
    pub fn family(self) -> Op {
        match self {
            Op::Range | Op::NilReceive => Op::Receive,
            Op::NilSend => Op::Send,
            op => op,
        }
    }

    /// A channel operation, as opposed to a sync wait proven leaked.
    pub fn is_channel(self) -> bool {
        !matches!(self, Op::Mutex | Op::RwMutex | Op::WaitGroup | Op::Cond)
    }

    /// The op a wait on a sync primitive is reported as, when the GC proves it leaked.
    pub fn of_sync_wait(other: Other) -> Option<Op> {
        match other {
            Other::Mutex => Some(Op::Mutex),
            Other::RwMutex => Some(Op::RwMutex),
            Other::WaitGroup => Some(Op::WaitGroup),
            Other::Cond => Some(Op::Cond),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Send => "send",
            Op::Receive => "receive",
            Op::Range => "range",
            Op::Select => "select",
            Op::SelectNoCases => "select_no_cases",
            Op::NilSend => "nil_send",
            Op::NilReceive => "nil_receive",
            Op::Unknown => "unknown",
            Op::Mutex => "mutex",
            Op::RwMutex => "rwmutex",
            Op::WaitGroup => "waitgroup",
            Op::Cond => "cond",
        }
    }
}

/// Blocking that is not a channel operation: classified so it can be shown on request, but
/// never a leak finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Other {
    Mutex,
    RwMutex,
    WaitGroup,
    Cond,
    /// A runtime semaphore whose user the stack does not name.
    Semaphore,
    Sleep,
    /// Network or file I/O through the netpoller.
    Io,
    Syscall,
    Running,
    Runnable,
    /// The runtime's own goroutines (GC workers, finalizers, …) and anything else.
    Other,
}

impl Other {
    pub fn as_str(self) -> &'static str {
        match self {
            Other::Mutex => "mutex",
            Other::RwMutex => "rwmutex",
            Other::WaitGroup => "waitgroup",
            Other::Cond => "cond",
            Other::Semaphore => "semaphore",
            Other::Sleep => "sleep",
            Other::Io => "io",
            Other::Syscall => "syscall",
            Other::Running => "running",
            Other::Runnable => "runnable",
            Other::Other => "other",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Blocking {
    Channel(Op),
    Other(Other),
}

/// A classified sample: what it waits on and the frame that waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classified<'a> {
    pub blocking: Blocking,
    pub location: Option<Frame<'a>>,
}

/// How many frames past the runtime's are searched for a blocking library call.
const LIBRARY_DEPTH: usize = 8;

/// Classifies one sample.
pub fn classify<'a>(sample: &Sample<'a>) -> Classified<'a> {
    let mut frames = sample.frames.clone();
    let mut runtime_op: Option<Op> = None;
    let mut first_user: Option<Frame<'a>> = None;
    let mut saw_runtime = false;
    for frame in frames.by_ref() {
        if is_runtime_internal(frame.function) {
            saw_runtime = true;
            if runtime_op.is_none() {
                runtime_op = runtime_channel_op(frame.function);
            }
            continue;
        }
        if let Some(op) = reflect_channel_op(frame.function) {
            runtime_op.get_or_insert(op);
            continue;
        }
        first_user = Some(frame);
        break;
    }

    let reason_op = sample.wait_reason.and_then(wait_reason_channel_op);
    let op = match (runtime_op, reason_op) {
        // Only the wait reason tells nil channels apart.
        (_, Some(op @ (Op::NilSend | Op::NilReceive))) => Some(op),
        (Some(op), _) | (None, Some(op)) => Some(op),
        (None, None) => None,
    };
    if let Some(op) = op {
        return Classified {
            blocking: Blocking::Channel(op),
            location: first_user,
        };
    }

    // The goroutine writing this very profile is running, whatever runtime frames sit above it.
    if first_user.is_some_and(|frame| frame.function.starts_with("runtime/pprof.")) {
        return Classified {
            blocking: Blocking::Other(Other::Running),
            location: first_user,
        };
    }

    // Not a channel: look for the library call it waits in, then report the first frame
    // outside that library as the place.
    let mut library: Option<Other> = None;
    let mut location = first_user;
    if let Some(frame) = first_user {
        library = library_wait(frame.function);
        if library.is_some() {
            for frame in frames.take(LIBRARY_DEPTH) {
                if library_wait(frame.function).is_none() && !is_waiting_library(frame.function) {
                    location = Some(frame);
                    break;
                }
                if library == Some(Other::Semaphore) {
                    library = library_wait(frame.function).or(library);
                }
            }
        }
    }
    if library.is_none() && sample.wait_reason.is_none() {
        match sample.hidden_runtime_frames {
            // debug=1: parked inside the runtime, called straight from user code. The runtime
            // parks user code directly for channel operations and selects.
            Some(hidden) if hidden > 0 => {
                return Classified {
                    blocking: Blocking::Channel(Op::Unknown),
                    location,
                };
            }
            Some(_) => {
                return Classified {
                    blocking: Blocking::Other(Other::Running),
                    location,
                };
            }
            None => {}
        }
    }
    let other = library
        .or_else(|| sample.wait_reason.map(wait_reason_other))
        .unwrap_or(if saw_runtime {
            Other::Other
        } else {
            Other::Running
        });
    Classified {
        blocking: Blocking::Other(other),
        location,
    }
}

/// Frames of the runtime itself; `runtime/pprof` and friends are ordinary packages.
pub fn is_runtime_internal(function: &str) -> bool {
    function.starts_with("runtime.") || function.starts_with("internal/runtime/")
}

fn runtime_channel_op(function: &str) -> Option<Op> {
    match function {
        "runtime.chansend1" | "runtime.chansend" => Some(Op::Send),
        "runtime.chanrecv1" | "runtime.chanrecv2" | "runtime.chanrecv" => Some(Op::Receive),
        "runtime.selectgo" => Some(Op::Select),
        "runtime.block" => Some(Op::SelectNoCases),
        _ => None,
    }
}

/// `reflect.Select`, `Value.Send` and `Value.Recv` park through these (Go 1.27 adds
/// `reflect.select0` between `Select` and the runtime).
fn reflect_channel_op(function: &str) -> Option<Op> {
    match function {
        "reflect.rselect" | "reflect.select0" | "reflect.Select" => Some(Op::Select),
        "reflect.chansend" | "reflect.chansend0" | "reflect.Value.send" | "reflect.Value.Send" => {
            Some(Op::Send)
        }
        "reflect.chanrecv" | "reflect.Value.recv" | "reflect.Value.Recv" => Some(Op::Receive),
        _ => None,
    }
}

fn wait_reason_channel_op(reason: &str) -> Option<Op> {
    // Go 1.24+ adds "(synctest)" variants for goroutines inside a synctest bubble.
    let reason = reason.strip_suffix(" (synctest)").unwrap_or(reason);
    match reason {
        "chan send" => Some(Op::Send),
        "chan receive" => Some(Op::Receive),
        "chan send (nil chan)" => Some(Op::NilSend),
        "chan receive (nil chan)" => Some(Op::NilReceive),
        "select" => Some(Op::Select),
        "select (no cases)" => Some(Op::SelectNoCases),
        _ => None,
    }
}

fn wait_reason_other(reason: &str) -> Other {
    match reason {
        "sync.Mutex.Lock" => Other::Mutex,
        "sync.RWMutex.RLock" | "sync.RWMutex.Lock" => Other::RwMutex,
        "sync.WaitGroup.Wait" => Other::WaitGroup,
        "sync.Cond.Wait" => Other::Cond,
        "semacquire" => Other::Semaphore,
        "sleep" => Other::Sleep,
        "IO wait" => Other::Io,
        "syscall" => Other::Syscall,
        "running" => Other::Running,
        "runnable" => Other::Runnable,
        _ => Other::Other,
    }
}

/// The standard library function a goroutine waits in, when it is a known blocking one.
fn library_wait(function: &str) -> Option<Other> {
    let function = function.strip_prefix("internal/").unwrap_or(function);
    Some(match function {
        "sync.runtime_SemacquireMutex" | "sync.(*Mutex).Lock" | "sync.(*Mutex).lockSlow" => {
            Other::Mutex
        }
        "sync.runtime_SemacquireRWMutexR"
        | "sync.runtime_SemacquireRWMutex"
        | "sync.(*RWMutex).RLock"
        | "sync.(*RWMutex).Lock" => Other::RwMutex,
        "sync.runtime_SemacquireWaitGroup" | "sync.(*WaitGroup).Wait" => Other::WaitGroup,
        "sync.runtime_notifyListWait" | "sync.(*Cond).Wait" => Other::Cond,
        // `poll.runtime_Semacquire`: waiting for a file or connection another goroutine is
        // reading, writing or closing.
        "sync.runtime_Semacquire" | "poll.runtime_Semacquire" => Other::Semaphore,
        "time.Sleep" => Other::Sleep,
        "poll.runtime_pollWait" => Other::Io,
        _ if function.starts_with("syscall.") || function.starts_with("syscall/") => Other::Syscall,
        _ => return None,
    })
}

/// Library frames between the blocking call and the code that made it (`internal/poll`,
/// `net`, `os` wrappers around a read), skipped when looking for the place.
fn is_waiting_library(function: &str) -> bool {
    [
        "internal/poll.",
        "internal/sync.",
        "sync.",
        "net.",
        "os.",
        "syscall.",
        "time.",
    ]
    .iter()
    .any(|prefix| function.starts_with(prefix))
}

/// The top-level packages of the Go standard library. A module path never starts with one of
/// these (module paths need a dot in their first element, and these names are reserved).
const STD_ROOTS: &[&str] = &[
    "archive",
    "arena",
    "bufio",
    "builtin",
    "bytes",
    "cmd",
    "cmp",
    "compress",
    "container",
    "context",
    "crypto",
    "database",
    "debug",
    "embed",
    "encoding",
    "errors",
    "expvar",
    "flag",
    "fmt",
    "go",
    "hash",
    "html",
    "image",
    "index",
    "internal",
    "io",
    "iter",
    "log",
    "maps",
    "math",
    "mime",
    "net",
    "os",
    "path",
    "plugin",
    "reflect",
    "regexp",
    "runtime",
    "slices",
    "sort",
    "strconv",
    "strings",
    "structs",
    "sync",
    "syscall",
    "testing",
    "text",
    "time",
    "unicode",
    "unique",
    "unsafe",
    "vendor",
    "weak",
];

/// The import path of a fully qualified Go function: `example.com/app/pkg.(*T).run.func1` →
/// `example.com/app/pkg`; `main.main` → `main`. Dots in the last path element are escaped as
/// `%2e` in symbol names (`gopkg.in/yaml%2ev3`), so the first dot after the last slash ends
/// the package.
pub fn package_path(function: &str) -> &str {
    let last_slash = function.rfind('/').map_or(0, |slash| slash + 1);
    match function[last_slash..].find('.') {
        Some(dot) => &function[..last_slash + dot],
        None => function,
    }
}

/// Whether a fully qualified Go function belongs to the standard library.
pub fn is_std_function(function: &str) -> bool {
    let package = package_path(function);
    let root = package.split('/').next().unwrap_or(package);
    STD_ROOTS.binary_search(&root).is_ok()
}

#[cfg(test)]
mod tests;
