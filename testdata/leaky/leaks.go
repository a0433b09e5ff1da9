package main

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// Each function below demonstrates one leak pattern (or one kind of
// non-channel blocking). Every blocking operation sits on its own line so
// that all goroutines of a pattern park at exactly one source location;
// testdata/leaky/expected.tsv lists those locations.

var errInvalid = errors.New("invalid request")

// prematureReturn: the child sends its result on an unbuffered channel, but
// the parent returns early on an error path and never receives it.
func prematureReturn(invalid bool) (int, error) {
	result := make(chan int)
	go func() {
		result <- 42
	}()
	if invalid {
		return 0, errInvalid
	}
	return <-result, nil
}

// timeoutLeak: the parent gives up when its context times out; the child
// finishes later and blocks forever sending on the unbuffered done channel.
// slowCall stands in for a call that takes longer than the timeout.
func timeoutLeak(ctx context.Context, slowCall <-chan int) error {
	ctx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	done := make(chan int)
	go func() {
		v := <-slowCall
		done <- v
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// firstResponse (NCast): N senders race to answer, the parent receives only
// the first answer, so N-1 senders block forever.
func firstResponse(replicas int) int {
	answers := make(chan int)
	for i := 0; i < replicas; i++ {
		go func(id int) {
			answers <- id
		}(i)
	}
	return <-answers
}

// rangeNeverClosed: the producer forgets to close the channel, so the
// consumer's range loop waits for a value that never comes.
func rangeNeverClosed(items []int) {
	ch := make(chan int)
	go func() {
		total := 0
		for v := range ch {
			total += v
		}
		_ = total
	}()
	for _, it := range items {
		ch <- it
	}
}

// tickerLoop: a periodic worker whose select is bounded by a ticker; its
// quit channel is never closed, so it wakes up hourly forever.
func tickerLoop(quit <-chan struct{}) {
	go func() {
		ticker := time.NewTicker(time.Hour)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
			case <-quit:
				return
			}
		}
	}()
}

// afterLoop: a select bounded by time.After; it looks like a leak at any
// instant, but every goroutine would exit after an hour of idleness.
func afterLoop(requests <-chan int) {
	go func() {
		for {
			select {
			case <-requests:
			case <-time.After(time.Hour):
				return
			}
		}
	}()
}

// ctxLoop: a worker bounded by ctx.Done(); the context is long-lived and is
// never cancelled, and the jobs channel never receives anything.
func ctxLoop(ctx context.Context, jobs <-chan int) {
	go func() {
		for {
			select {
			case <-jobs:
			case <-ctx.Done():
				return
			}
		}
	}()
}

// nilSend: sending on a nil channel (e.g. an uninitialised struct field)
// blocks forever.
func nilSend(n int) {
	var ch chan int
	for i := 0; i < n; i++ {
		go func() {
			ch <- 1
		}()
	}
}

// nilReceive: receiving from a nil channel blocks forever.
func nilReceive(n int) {
	var ch chan int
	for i := 0; i < n; i++ {
		go func() {
			<-ch
		}()
	}
}

// selectForever: an empty select blocks forever by definition.
func selectForever(n int) {
	for i := 0; i < n; i++ {
		go func() {
			select {}
		}()
	}
}

// sendOne is small enough to be inlined, so the blocking frame of
// inlinedSend's goroutines is an inlined frame.
func sendOne(ch chan<- int) {
	ch <- 1
}

// inlinedSend: the leak happens inside an inlined helper.
func inlinedSend(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			sendOne(ch)
		}()
	}
}

// selectNoTimer: a select over two plain channels, neither of which is ever
// ready; no timer or context bounds it, so it is a real leak.
func selectNoTimer(n int) {
	for i := 0; i < n; i++ {
		a := make(chan int)
		b := make(chan string)
		go func() {
			select {
			case <-a:
			case <-b:
			}
		}()
	}
}

// globalCh is reachable for the whole program, so the GC-based leak detector
// cannot prove that its receivers are leaked, although nobody sends to it.
var globalCh = make(chan int)

// globalReceive: receivers of a package-level channel that nobody sends to.
func globalReceive(n int) {
	for i := 0; i < n; i++ {
		go func() {
			<-globalCh
		}()
	}
}

// smallLeak: a real leak whose goroutine count stays below a typical
// reporting threshold.
func smallLeak(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			<-ch
		}()
	}
}

// mutexWait: the mutex is locked and never unlocked.
func mutexWait(n int) {
	var mu sync.Mutex
	mu.Lock()
	for i := 0; i < n; i++ {
		go func() {
			mu.Lock()
			mu.Unlock()
		}()
	}
}

// waitGroupWait: Add was called once too often, so Wait never returns.
func waitGroupWait(n int) {
	var wg sync.WaitGroup
	wg.Add(1)
	for i := 0; i < n; i++ {
		go func() {
			wg.Wait()
		}()
	}
}

// sleeper: goroutines sleeping for a long time.
func sleeper(n int) {
	for i := 0; i < n; i++ {
		go func() {
			time.Sleep(time.Hour)
		}()
	}
}

// peers keeps the accepted server side of ioRead's connections open.
var peers []net.Conn

// ioRead: reads from loopback TCP connections whose peer never writes.
func ioRead(n int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return err
		}
		s, err := ln.Accept()
		if err != nil {
			return err
		}
		peers = append(peers, s)
		go func() {
			buf := make([]byte, 1)
			_, _ = c.Read(buf)
		}()
	}
	return nil
}

// condWait: waiters of a condition variable that is never signalled.
func condWait(n int) {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	ready := false
	for i := 0; i < n; i++ {
		go func() {
			mu.Lock()
			for !ready {
				cond.Wait()
			}
			mu.Unlock()
		}()
	}
}
