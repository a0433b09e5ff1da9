//! The registry of leak kinds: for each kind leakprof reports, what it is, why it leaks, how to
//! fix it and a short example. Every output takes its words from here (text, Markdown, HTML,
//! SARIF rule help), and `leakprof explain KIND` prints an entry. One entry per channel
//! operation ([`KINDS`]), and one per leak pattern a finding can name ([`PATTERNS`]).

use crate::blocking::Op;
use crate::model::PatternId;

/// How loud a kind is by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

impl Level {
    /// SARIF's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// What a person needs to know about one kind of leak.
#[derive(Debug)]
pub struct KindDoc {
    /// The id `explain` takes and JSON uses (`send`, `select_no_cases`, …).
    pub id: &'static str,
    /// PascalCase, as SARIF viewers show it.
    pub name: &'static str,
    /// Completes "N goroutines blocked on …".
    pub blocked_on: &'static str,
    /// One sentence.
    pub short: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
    /// Go code showing the fix.
    pub example: &'static str,
    pub level: Level,
}

impl KindDoc {
    /// What it is and why it leaks, as one paragraph.
    pub fn full(&self) -> String {
        format!("{} {}", self.what, self.why)
    }
}

/// The entry of a channel operation.
pub fn for_op(op: Op) -> &'static KindDoc {
    let id = op.as_str();
    KINDS
        .iter()
        .find(|kind| kind.id == id)
        .unwrap_or(&KINDS[KINDS.len() - 1])
}

/// The entry of a leak pattern.
pub fn for_pattern(id: PatternId) -> &'static KindDoc {
    let id = id.as_str();
    PATTERNS
        .iter()
        .find(|kind| kind.id == id)
        .unwrap_or(&PATTERNS[PATTERNS.len() - 1])
}

/// The entry named `id`, an operation's or a pattern's, if any.
pub fn lookup(id: &str) -> Option<&'static KindDoc> {
    KINDS.iter().chain(PATTERNS).find(|kind| kind.id == id)
}

/// Every kind, in the order `explain` lists them. `unknown` stays last: [`for_op`] falls back
/// to it.
pub const KINDS: &[KindDoc] = &[
    KindDoc {
        id: "send",
        name: "BlockedSend",
        blocked_on: "send",
        short: "Goroutines wait forever to send on a channel that nobody receives from.",
        what: "Many goroutines are parked on the same channel send.",
        why: "A send on an unbuffered (or full) channel completes only when another goroutine \
              receives; when the receiver has already returned (a timeout, an error, a \
              cancelled request), the sender waits forever, and its stack and everything it \
              references stay allocated.",
        fix: "When one value is sent and the receiver may leave early, give the channel a \
              buffer of 1 (`make(chan T, 1)`) so the send always completes. When N goroutines \
              each send one value and the receiver takes only the first (fan-out, first answer \
              wins), give it a buffer of `len(senders)`. Otherwise make the send give up: \
              `select { case ch <- v: case <-ctx.Done(): }`.",
        example: "done := make(chan int, 1) // the send completes even if nobody receives\n\
                  go func() { done <- slowCall() }()\n\
                  select {\n\
                  case v := <-done:\n\
                  \treturn v, nil\n\
                  case <-ctx.Done():\n\
                  \treturn 0, ctx.Err()\n\
                  }",
        level: Level::Error,
    },
    KindDoc {
        id: "receive",
        name: "BlockedReceive",
        blocked_on: "receive",
        short: "Goroutines wait forever to receive from a channel that nobody sends on or \
                closes.",
        what: "Many goroutines are parked on the same channel receive.",
        why: "A receive waits until a value is sent or the channel is closed; when the sending \
              side returns early without doing either, the receiver waits forever.",
        fix: "Make every path of the sending side either send or close the channel \
              (`defer close(ch)` in the producer), or make the receive cancellable: \
              `select { case v := <-ch: case <-ctx.Done(): return }`.",
        example: "select {\n\
                  case v := <-results:\n\
                  \tuse(v)\n\
                  case <-ctx.Done():\n\
                  \treturn ctx.Err()\n\
                  }",
        level: Level::Error,
    },
    KindDoc {
        id: "range",
        name: "RangeOverUnclosedChannel",
        blocked_on: "range over a channel",
        short: "Goroutines wait forever in `for range` over a channel that is never closed.",
        what: "`for v := range ch` ends only when ch is closed.",
        why: "When the producer stops sending without closing the channel, the consumer waits \
              forever after the last value.",
        fix: "Close the channel from the sending side once the producer is done: \
              `defer close(ch)` in the goroutine that sends, or, with several senders, close it \
              after a `sync.WaitGroup` of them is done.",
        example: "go func() {\n\
                  \tdefer close(jobs) // ends the consumer's range\n\
                  \tfor _, j := range work {\n\
                  \t\tjobs <- j\n\
                  \t}\n\
                  }()\n\
                  for j := range jobs {\n\
                  \thandle(j)\n\
                  }",
        level: Level::Error,
    },
    KindDoc {
        id: "select",
        name: "SelectWithoutExit",
        blocked_on: "select",
        short: "Goroutines wait forever in a select that has no timeout and no cancellation \
                case.",
        what: "A select without a default case waits until one of its cases can proceed.",
        why: "When every channel it waits on has been abandoned and none of them is a timer, a \
              ticker or a context, nothing will ever wake it.",
        fix: "Add a way out: `case <-ctx.Done(): return` with a context that is cancelled, or \
              a timeout (`time.After`, `time.NewTimer`). leakprof suppresses selects bounded by \
              a timer, a ticker or ctx.Done() when it reads the source (`--repo`).",
        example: "for {\n\
                  \tselect {\n\
                  \tcase msg := <-in:\n\
                  \t\thandle(msg)\n\
                  \tcase <-ctx.Done(): // the way out\n\
                  \t\treturn\n\
                  \t}\n\
                  }",
        level: Level::Error,
    },
    KindDoc {
        id: "select_no_cases",
        name: "EmptySelect",
        blocked_on: "select {}",
        short: "Goroutines parked in `select {}`, which never returns.",
        what: "`select {}` blocks forever by construction.",
        why: "It is sometimes used to keep `main` or a daemon alive; anywhere else, each \
              goroutine that reaches it is leaked.",
        fix: "If it is intended (keeping `main` alive), allowlist it with `--rules`. Otherwise \
              wait on something that ends: a signal (`signal.NotifyContext`), `<-ctx.Done()`, \
              or a done channel.",
        example: "ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)\n\
                  defer stop()\n\
                  <-ctx.Done() // instead of select {}",
        level: Level::Warning,
    },
    KindDoc {
        id: "nil_send",
        name: "SendOnNilChannel",
        blocked_on: "send on a nil channel",
        short: "Goroutines wait forever to send on a nil channel.",
        what: "A send on a nil channel blocks forever.",
        why: "The channel was declared but never made (`var ch chan T`, a struct field left \
              zero), or was set to nil while senders still used it.",
        fix: "Initialise the channel with `make` before any goroutine can use it (in the \
              constructor), and do not set it to nil while senders may still send.",
        example: "type Worker struct{ out chan Result }\n\n\
                  func NewWorker() *Worker {\n\
                  \treturn &Worker{out: make(chan Result, 1)} // never nil\n\
                  }",
        level: Level::Error,
    },
    KindDoc {
        id: "nil_receive",
        name: "ReceiveFromNilChannel",
        blocked_on: "receive from a nil channel",
        short: "Goroutines wait forever to receive from a nil channel.",
        what: "A receive from a nil channel blocks forever.",
        why: "The channel was declared but never made (`var ch chan T`, a struct field left \
              zero), or was set to nil while receivers still waited on it.",
        fix: "Initialise the channel with `make` before any goroutine can use it (in the \
              constructor). Setting a channel to nil is only safe inside a select loop that \
              also waits on something else.",
        example: "type Server struct{ quit chan struct{} }\n\n\
                  func NewServer() *Server {\n\
                  \treturn &Server{quit: make(chan struct{})} // never nil\n\
                  }",
        level: Level::Error,
    },
    KindDoc {
        id: "mutex",
        name: "LeakedMutexWait",
        blocked_on: "a sync.Mutex",
        short: "Goroutines the garbage collector proved will never get a mutex.",
        what: "Goroutines wait in `sync.Mutex.Lock`, and the garbage collector proved that no \
               running goroutine can ever unlock it.",
        why: "The goroutine holding the lock returned or blocked forever without unlocking \
              (a missing `Unlock` on an early return or a panic path), or locked it twice; \
              every later `Lock` waits forever.",
        fix: "Unlock with `defer mu.Unlock()` right after `Lock` so every path releases it, and \
              never call a function that locks the same mutex while holding it.",
        example: "mu.Lock()\n\
                  defer mu.Unlock() // released on every return and panic\n\
                  if err := step(); err != nil {\n\
                  \treturn err\n\
                  }",
        level: Level::Error,
    },
    KindDoc {
        id: "rwmutex",
        name: "LeakedRWMutexWait",
        blocked_on: "a sync.RWMutex",
        short: "Goroutines the garbage collector proved will never get a read-write lock.",
        what: "Goroutines wait in `sync.RWMutex.Lock` or `RLock`, and the garbage collector \
               proved that no running goroutine can ever release it.",
        why: "A holder of the lock returned or blocked forever without `Unlock`/`RUnlock`, or \
              a reader asked for the lock again while a writer waited (recursive read \
              locking deadlocks once a writer queues).",
        fix: "Release with `defer mu.RUnlock()` / `defer mu.Unlock()` right after locking, and \
              never take the read lock again while holding it.",
        example: "mu.RLock()\n\
                  defer mu.RUnlock()\n\
                  return cache[key] // no second RLock on this path",
        level: Level::Error,
    },
    KindDoc {
        id: "waitgroup",
        name: "LeakedWaitGroupWait",
        blocked_on: "a sync.WaitGroup",
        short: "Goroutines the garbage collector proved will wait on a WaitGroup forever.",
        what: "Goroutines wait in `sync.WaitGroup.Wait`, and the garbage collector proved the \
               counter can never reach zero.",
        why: "`Add` counted more goroutines than ever call `Done`: a goroutine returned early \
              without `Done`, or was never started.",
        fix: "Call `defer wg.Done()` first thing in each goroutine, and `Add` only for \
              goroutines actually started (or use `wg.Go`).",
        example: "wg.Add(1)\n\
                  go func() {\n\
                  \tdefer wg.Done() // on every path\n\
                  \twork()\n\
                  }()\n\
                  wg.Wait()",
        level: Level::Error,
    },
    KindDoc {
        id: "cond",
        name: "LeakedCondWait",
        blocked_on: "a sync.Cond",
        short: "Goroutines the garbage collector proved will never be signalled.",
        what: "Goroutines wait in `sync.Cond.Wait`, and the garbage collector proved that no \
               running goroutine can ever signal the condition.",
        why: "Whoever was to call `Signal` or `Broadcast` has returned, or the condition was \
              changed without a broadcast.",
        fix: "Broadcast whenever the condition changes, including on shutdown, or replace the \
              condition variable with a channel that is closed once.",
        example: "mu.Lock()\n\
                  ready = true\n\
                  cond.Broadcast() // wake every waiter\n\
                  mu.Unlock()",
        level: Level::Error,
    },
    KindDoc {
        id: "unknown",
        name: "BlockedOnChannel",
        blocked_on: "a channel operation",
        short: "Goroutines wait forever on a channel operation the profile does not name.",
        what: "Many goroutines are parked in the runtime straight from this line, on a channel \
               operation the profile does not name.",
        why: "The profile is a debug=1 text dump, which leaves out the runtime's frames, so \
              leakprof cannot tell a send from a receive or a select.",
        fix: "Run with `--repo` so that the source names the operation, or take the profile \
              with debug=0 (pprof protobuf) or debug=2, which say it; then follow the advice of \
              that operation's rule.",
        example: "// curl -o goroutine.pb.gz http://host/debug/pprof/goroutine\n\
                  // leakprof report --profile goroutine.pb.gz --repo .",
        level: Level::Warning,
    },
];

/// Every leak pattern, in the order of [`PatternId::ALL`]. `other` stays last: [`for_pattern`]
/// falls back to it.
pub const PATTERNS: &[KindDoc] = &[
    KindDoc {
        id: "timeout",
        name: "TimeoutAbandonsGoroutine",
        blocked_on: "an operation its caller stopped waiting for",
        short: "A goroutine's send is abandoned when the function waiting for it leaves through \
                a timeout.",
        what: "The function that starts the goroutine waits for its answer in a select that can \
               also leave through a timer, a ticker or a context's `Done()`.",
        why: "When the timeout wins, the function returns and nobody will ever receive from the \
              channel; the goroutine's send on the unbuffered channel then waits forever (the \
              LeakProf blog's timeout leak).",
        fix: "Give the channel a buffer of 1 (`make(chan T, 1)`): the one send completes whether \
              or not anybody still waits, and the goroutine ends. `leakprof fix` writes the \
              patch.",
        example: "done := make(chan error, 1) // was: make(chan error)\n\
                  go func() { done <- slowCall() }()\n\
                  select {\n\
                  case err := <-done:\n\
                  \treturn err\n\
                  case <-ctx.Done():\n\
                  \treturn ctx.Err()\n\
                  }",
        level: Level::Error,
    },
    KindDoc {
        id: "premature_return",
        name: "PrematureReturn",
        blocked_on: "an operation its caller returned before doing",
        short: "The function that started the goroutine returns on some path without the \
                matching operation.",
        what: "A function makes a channel, starts a goroutine that sends (or receives) on it, and \
               has a path that returns, branches past or never reaches its own receive (or \
               send).",
        why: "On that path nobody is left to complete the goroutine's operation, so it waits \
              forever (the LeakProf blog's premature function return).",
        fix: "For a goroutine that sends one value, give the channel a buffer of 1 so the send \
              completes without a receiver; `leakprof fix` writes the patch. For a goroutine that \
              waits for a value, send or close the channel on every path (a `defer` right after \
              the make covers early returns).",
        example: "errc := make(chan error, 1) // was: make(chan error)\n\
                  go func() { errc <- validate(order) }()\n\
                  if order.Invalid() {\n\
                  \treturn errInvalid // the goroutine can still send\n\
                  }\n\
                  return <-errc",
        level: Level::Error,
    },
    KindDoc {
        id: "ncast",
        name: "NCast",
        blocked_on: "a send nobody receives after the first",
        short: "N goroutines started in a loop send on one channel that is received from fewer \
                than N times.",
        what: "A loop starts a goroutine per item, each sends its result on the same channel, and \
               the function receives only the first result (or a few).",
        why: "Every sender but the ones received from waits forever on the unbuffered channel \
              (the LeakProf blog's n-cast leak).",
        fix: "Give the channel a buffer as large as the number of goroutines (`len(items)`, or the \
              loop's bound): every send completes, the first result is still the one received. \
              `leakprof fix` writes the patch when it can read the loop's bound.",
        example: "results := make(chan string, len(items)) // was: make(chan string)\n\
                  for _, item := range items {\n\
                  \tgo func(item string) { results <- fetch(item) }(item)\n\
                  }\n\
                  return <-results",
        level: Level::Error,
    },
    KindDoc {
        id: "unclosed_range",
        name: "UnclosedRange",
        blocked_on: "a range over a channel nobody closes",
        short: "A `for … range ch` waits forever because the producers never close the channel.",
        what: "A goroutine ranges over a channel whose producers send their values and stop, \
               without closing it.",
        why: "A range over a channel ends only when the channel is closed; after the last value \
              it waits forever (the LeakProf blog's channel iteration misuse).",
        fix: "Close the channel where the producers end: after the producing loop, after the \
              producers' `sync.WaitGroup` Wait, or with `defer close(ch)` at the top of a single \
              producer. `leakprof fix` writes the patch.",
        example: "for i := 0; i < n; i++ {\n\
                  \twg.Add(1)\n\
                  \tgo func() { defer wg.Done(); jobs <- i }()\n\
                  }\n\
                  wg.Wait()\n\
                  close(jobs) // ends the consumer's range",
        level: Level::Error,
    },
    KindDoc {
        id: "double_send",
        name: "DoubleSend",
        blocked_on: "a second send nobody receives",
        short: "One goroutine's path sends twice on a channel its counterpart receives from once.",
        what: "A goroutine sends an error and, missing a `return`, goes on to send a result on \
               the same channel; the function waiting for it receives one value.",
        why: "The second send has no receiver and waits forever.",
        fix: "Return after the first send (the missing `return`); `leakprof fix` writes the patch \
              when the first send ends a branch of a function literal that returns nothing.",
        example: "go func() {\n\
                  \tif err != nil {\n\
                  \t\terrc <- err\n\
                  \t\treturn // was missing\n\
                  \t}\n\
                  \terrc <- nil\n\
                  }()",
        level: Level::Error,
    },
    KindDoc {
        id: "never_closed",
        name: "NeverClosed",
        blocked_on: "a done channel nobody closes",
        short: "Goroutines wait on a done channel (or a context) that only a function nobody \
                calls would close.",
        what: "A goroutine waits until a quit channel is closed or a context is cancelled, and \
               the only code that would do it is a `Stop`/`Close` method nothing calls, or a \
               cancel function that is dropped or never called; or the context can never be \
               cancelled at all (`context.Background()`, `context.TODO()`: their `Done()` is \
               nil).",
        why: "Without the call, the wait never ends.",
        fix: "Call the method when the value is no longer needed (`defer s.Stop()` where it is \
              made). For a context made in the function that starts the goroutine, `defer \
              cancel()` right after `context.WithCancel`: `leakprof fix` writes that patch. For \
              a context that can never be cancelled, pass the caller's context or derive one \
              that something cancels.",
        example: "ctx, cancel := context.WithCancel(parent)\n\
                  defer cancel() // ends the watcher when this function returns\n\
                  go watch(ctx)",
        level: Level::Error,
    },
    KindDoc {
        id: "nil_channel",
        name: "NilChannel",
        blocked_on: "a nil channel",
        short: "An operation on a channel that was never made blocks forever.",
        what: "The channel was declared (`var ch chan T`, a struct field left zero) but never \
               made.",
        why: "A send on or a receive from a nil channel blocks forever.",
        fix: "Make the channel (`make(chan T)`) before any goroutine uses it, and make sure \
              something sends on it or closes it.",
        example: "results := make(chan int) // was: var results chan int",
        level: Level::Error,
    },
    KindDoc {
        id: "select_forever",
        name: "SelectForever",
        blocked_on: "select {}",
        short: "Goroutines parked in `select {}`, which never returns.",
        what: "`select {}` has no case and blocks forever by construction.",
        why: "Outside a `main` kept alive on purpose, every goroutine reaching it is leaked.",
        fix: "Wait on something that ends (`<-ctx.Done()`, a done channel, a signal); if it keeps \
              `main` alive on purpose, allowlist it.",
        example: "<-ctx.Done() // instead of select {}",
        level: Level::Warning,
    },
    KindDoc {
        id: "global_channel",
        name: "GlobalChannel",
        blocked_on: "a package-level channel",
        short: "Goroutines wait on a channel held by a package-level variable.",
        what: "The channel is reachable from a package-level variable, so anything in the \
               program could still send on it or close it.",
        why: "The garbage collector cannot prove these goroutines leaked, and the source alone \
              cannot show who was supposed to end their wait.",
        fix: "Give the channel an owner that closes it when done, or pass each goroutine a \
              channel made for it.",
        example: "func worker(events <-chan Event) { … } // not a package-level channel",
        level: Level::Warning,
    },
    KindDoc {
        id: "other",
        name: "OtherPattern",
        blocked_on: "a channel operation",
        short: "No known leak pattern fits, or the channel escapes where leakprof cannot follow.",
        what: "The source does not show one of the known shapes: the channel comes from a call, \
               is stored or passed on, or its counterpart is out of sight.",
        why: "leakprof names a pattern only when every line of its case is found.",
        fix: "Follow the advice of the operation's kind (`leakprof explain send`, …).",
        example: "// leakprof explain send",
        level: Level::Warning,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_op_has_its_own_entry() {
        for op in [
            Op::Send,
            Op::Receive,
            Op::Range,
            Op::Select,
            Op::SelectNoCases,
            Op::NilSend,
            Op::NilReceive,
            Op::Unknown,
            Op::Mutex,
            Op::RwMutex,
            Op::WaitGroup,
            Op::Cond,
        ] {
            assert_eq!(for_op(op).id, op.as_str());
            assert_eq!(lookup(op.as_str()).map(|kind| kind.id), Some(op.as_str()));
        }
        assert!(lookup("no_such_kind").is_none());
        let mut names: Vec<&str> = KINDS.iter().chain(PATTERNS).map(|kind| kind.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            KINDS.len() + PATTERNS.len(),
            "SARIF names are unique"
        );
    }

    #[test]
    fn every_pattern_has_its_own_entry() {
        let ids: Vec<&str> = PATTERNS.iter().map(|kind| kind.id).collect();
        let expected: Vec<&str> = PatternId::ALL.iter().map(|id| id.as_str()).collect();
        assert_eq!(ids, expected);
        for id in PatternId::ALL {
            assert_eq!(for_pattern(id).id, id.as_str());
            assert_eq!(lookup(id.as_str()).map(|kind| kind.id), Some(id.as_str()));
        }
        for kind in PATTERNS {
            for text in [kind.short, kind.what, kind.why, kind.fix] {
                assert!(text.ends_with('.') && !text.contains("  "), "{text:?}");
            }
        }
    }
}
