package main

import (
	"sync"
	"time"
)

// One named function per pattern. Every blocking operation sits on its own
// line, so all goroutines of a pattern park at exactly one source location;
// ../expected.tsv lists those locations and how their counts change over
// time (kind: growing, steady, shrinking, background).

// Package-level channels are GC roots: goroutines blocked on them are not
// reported by /debug/pprof/goroutineleak, however long they wait.
var (
	jobs     = make(chan int)      // the worker pool's work queue; nothing is ever queued
	quit     = make(chan struct{}) // closed on shutdown, which never comes
	release  = make(chan struct{}) // drainControl sends one value per waiter it lets go
	shutdown = make(chan struct{}) // signalWaiter's wake-up; never closed

	flushMu    sync.Mutex
	flushCond  = sync.NewCond(&flushMu)
	flushReady bool // never set

	leakTicker  *time.Ticker
	drainTicker *time.Ticker
)

// GROWING. scatter starts batch senders and returns without gathering their
// results: the results channel becomes unreachable, and every sender blocks
// forever on its send. Called once per tick, so the count at the send line
// grows linearly with time.
func scatter(batch int) {
	results := make(chan int)
	for i := 0; i < batch; i++ {
		go leakSend(results, i)
	}
}

// leakSend is the leaking goroutine: nobody ever receives from results.
func leakSend(results chan<- int, v int) {
	// The send below blocks forever: scatter never receives.

	results <- v // a comment added in a later commit
}

// STEADY. poolWorker waits for a job or for quit; neither ever comes, so the
// pool's count stays exactly at -workers. Real blocking, no timer, no leak.
func poolWorker() {
	for {
		// A comment above the select.
		select { // and one after it
		case j := <-jobs: // jobs never come
			_ = j
		case <-quit:
			return
		}
	}
}

// SHRINKING. drainWaiter waits to be released; drainControl releases a few
// per tick until none are left.
func drainWaiter() {
	/* waits for drainControl */
	<-release // released a few per tick
}

// BACKGROUND (2). signalWaiter waits for a shutdown signal.
func signalWaiter() {
	<-shutdown
}

// BACKGROUND (3). condWaiter waits for a flush that is never signalled.
func condWaiter() {
	flushMu.Lock()
	for !flushReady {
		flushCond.Wait()
	}
	flushMu.Unlock()
}

// control drives both the leak and the drain: each leakTicker tick calls
// scatter(leakBatch); each drainTicker tick releases up to drainBatch of the
// remaining drain waiters. Once all waiters are released it stops the drain
// ticker and ignores it. One goroutine, blocked at one line (count 1).
func control(leakBatch, drainBatch, remaining int) {
	var drain <-chan time.Time
	if remaining > 0 {
		drain = drainTicker.C
	} else {
		drainTicker.Stop()
	}
	for {
		select {
		case <-leakTicker.C:
			scatter(leakBatch)
		case <-drain:
			n := drainBatch
			if n > remaining {
				n = remaining
			}
			for i := 0; i < n; i++ {
				release <- struct{}{}
			}
			remaining -= n
			if remaining == 0 {
				drainTicker.Stop()
				drain = nil
			}
		}
	}
}
