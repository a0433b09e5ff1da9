// Go written for the pattern tests: a want comment at the end of a line (want, the
// pattern's id, then patch or nopatch) names the pattern of the channel operation on it,
// and whether its fix is a patch.
package cases

import (
	"context"
	"errors"
	"sync"
	"time"
)

var errBad = errors.New("bad")

func work() int { return 1 }

// A receive in a select bounded by time.After leaves the sender behind.
func afterTimeout() int {
	done := make(chan int)
	go func() {
		done <- work() // want timeout patch
	}()
	select {
	case v := <-done:
		return v
	case <-time.After(time.Second):
		return 0
	}
}

// A select with a default case gives up at once.
func nonBlocking() int {
	ready := make(chan int)
	go func() {
		ready <- work() // want premature_return patch
	}()
	select {
	case v := <-ready:
		return v
	default:
		return 0
	}
}

// The receive sits in one branch only.
func conditional(check bool) int {
	out := make(chan int)
	go func() {
		out <- work() // want premature_return patch
	}()
	if check {
		return <-out
	}
	return 0
}

// Both branches receive: balanced.
func bothBranches(check bool) int {
	out := make(chan int)
	go func() {
		out <- work() // want other
	}()
	if check {
		return <-out
	} else {
		return <-out + 1
	}
}

// Received on every path: nothing to say.
func balanced() int {
	out := make(chan int)
	go func() {
		out <- work() // want other
	}()
	return <-out
}

// Already buffered: the send never waits.
func buffered(check bool) int {
	out := make(chan int, 1)
	go func() {
		out <- work() // want other
	}()
	if check {
		return 0
	}
	return <-out
}

// The channel escapes: returned to the caller, who may receive.
func escapes() chan int {
	out := make(chan int)
	go func() {
		out <- work() // want other
	}()
	return out
}

// Passed to a function out of sight.
func handOff(consume func(chan int)) {
	out := make(chan int)
	go func() {
		out <- work() // want other
	}()
	consume(out)
}

// N senders, one receive, a counted loop: the buffer takes the loop's bound.
func counted(n int) int {
	answers := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			answers <- work() // want ncast patch
		}()
	}
	return <-answers
}

// The loop ranges over a call: no bound to give the buffer.
func fromCall() int {
	answers := make(chan int)
	for range time.Now().String() {
		go func() {
			answers <- work() // want ncast nopatch
		}()
	}
	return <-answers
}

// As many receives as senders: balanced.
func gatherAll(n int) int {
	answers := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			answers <- work() // want other
		}()
	}
	total := 0
	for i := 0; i < n; i++ {
		total += <-answers
	}
	return total
}

// The first error wins and the rest are abandoned.
func firstError(n int) error {
	errc := make(chan error)
	for i := 0; i < n; i++ {
		go func() {
			errc <- nil // want premature_return patch
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Two sends on exclusive branches: one per path.
func eitherOr(check bool) error {
	errc := make(chan error)
	go func() {
		if check {
			errc <- errBad // want other
		} else {
			errc <- nil
		}
	}()
	return <-errc
}

// A send after a branch that returns: one per path.
func returnsFirst(check bool) error {
	errc := make(chan error)
	go func() {
		if check {
			errc <- errBad
			return
		}
		errc <- nil // want other
	}()
	return <-errc
}

// The missing return.
func missingReturn(check bool) error {
	errc := make(chan error)
	go func() {
		if check {
			errc <- errBad
		}
		errc <- nil // want double_send patch
	}()
	return <-errc
}

// Producers done with a WaitGroup whose Wait runs in a goroutine of its own, which then
// closes: correct, nothing to say.
func pipeline(n int) {
	out := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- i
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	for v := range out { // want other
		_ = v
	}
}

// The consumer ranges, the owner sends and never closes: close after its loop.
func feed(values []int) {
	ch := make(chan int)
	go func() {
		for v := range ch { // want unclosed_range patch
			_ = v
		}
	}()
	for _, v := range values {
		ch <- v
	}
}

// The owner can return from inside its sending loop, which would skip a close after it.
func feedUntil(values []int) error {
	ch := make(chan int)
	go func() {
		for v := range ch { // want unclosed_range nopatch
			_ = v
		}
	}()
	for _, v := range values {
		if v < 0 {
			return errBad
		}
		ch <- v
	}
	return nil
}

// A worker started by a go statement on a function of the file.
func startWorker() {
	jobs := make(chan int)
	go worker(jobs)
}

func worker(jobs chan int) {
	for job := range jobs { // want unclosed_range nopatch
		_ = job
	}
}

// A nil channel: declared, never made.
func neverMade() {
	var ch chan int
	go func() {
		<-ch // want nil_channel nopatch
	}()
}

// Declared nil, then made: not nil.
func madeLater() {
	var ch chan int
	ch = make(chan int)
	go func() {
		<-ch // want other
	}()
}

// A cancel that is deferred ends the wait when the function returns.
func cancelled(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	go func() {
		<-ctx.Done() // want other
	}()
}

// A cancel called only after an early return.
func cancelSkipped(parent context.Context, check bool) error {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-ctx.Done() // want premature_return patch
	}()
	if check {
		return errBad
	}
	cancel()
	return nil
}

// A timeout context ends by itself.
func timedOut(parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	_ = cancel
	go func() {
		<-ctx.Done() // want other
	}()
}

// A server whose Stop is called.
type server struct{ quit chan struct{} }

func newServer() *server {
	s := &server{quit: make(chan struct{})}
	go s.loop()
	return s
}

func (s *server) loop() {
	<-s.quit // want other
}

func (s *server) stop() { close(s.quit) }

func useServer() {
	s := newServer()
	defer s.stop()
}

// A select in a loop whose other case goes around again: not abandoning.
func pump(ticks <-chan int) int {
	out := make(chan int)
	go func() {
		out <- work() // want other
	}()
	for {
		select {
		case v := <-out:
			return v
		case <-ticks:
		}
	}
}

func forever() {
	go func() {
		select {} // want select_forever nopatch
	}()
}

// The early return receives on its way out: nothing is skipped.
func receivesThenReturns(check bool) int {
	out := make(chan int)
	go func() {
		out <- work() // want other
	}()
	if check {
		v := <-out
		return v + 1
	}
	return <-out
}

// Every case of a switch with a default receives.
func everyCase(kind int) int {
	out := make(chan int)
	go func() {
		out <- work() // want other
	}()
	switch kind {
	case 1:
		return <-out
	default:
		return <-out * 2
	}
}

// A switch without a default can skip the receive.
func someCases(kind int) int {
	out := make(chan int)
	go func() {
		out <- work() // want premature_return patch
	}()
	switch kind {
	case 1:
		return <-out
	}
	return 0
}
