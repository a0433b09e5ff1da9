//! The registry of leak kinds: for each kind leakprof reports, what it is, why it leaks, how to
//! fix it and a short example. Every output takes its words from here (text, Markdown, HTML,
//! SARIF rule help), and `leakprof explain KIND` prints an entry. One entry per channel
//! operation today; leak patterns get entries of their own.

use crate::blocking::Op;

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

/// The entry named `id`, if any.
pub fn lookup(id: &str) -> Option<&'static KindDoc> {
    KINDS.iter().find(|kind| kind.id == id)
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
        let mut names: Vec<&str> = KINDS.iter().map(|kind| kind.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len(), "SARIF names are unique");
    }
}
