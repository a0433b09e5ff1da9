package main

import (
	"context"
	"net/http"
	t "time"
)

type Server struct {
	tick  *t.Ticker
	quit  chan struct{}
	beat  *Beat
	ch    chan int
}

// Beat has a C field that is no timer.
type Beat struct{ C chan int }

// Remote is declared in another file; this one assigns its timers.
func newRemote(d t.Duration) *Remote {
	r := &Remote{alarm: t.NewTimer(d)}
	r.clock = t.NewTicker(d)
	return r
}

func (s *Server) fields(r *Remote) {
	select { // field-declared
	case <-s.quit:
	case <-s.tick.C:
	}
	select { // field-assigned
	case <-s.quit:
	case <-r.clock.C:
	}
	select { // field-literal
	case <-s.quit:
	case <-r.alarm.C:
	}
	select { // field-unknown
	case <-s.quit:
	case <-s.beat.C:
	}
}

func aliases(in <-chan int) {
	select { // alias-after
	case <-in:
	case <-t.After(t.Second):
	}
	select { // alias-tick
	case <-in:
	case <-t.Tick(t.Second):
	}
	ticker := t.NewTicker(t.Second)
	select { // alias-ticker
	case <-in:
	case <-ticker.C:
	}
	select { // constructor-inline
	case <-in:
	case <-t.NewTimer(t.Second).C:
	}
}

func fromParameter(timer *t.Timer, in <-chan int) {
	select { // parameter-timer
	case v := <-in:
		_ = v
	case <-timer.C:
	}
}

func afterVariable(in <-chan int, d t.Duration) {
	timeout := t.After(d)
	var tc = t.NewTicker(d).C
	for {
		select { // after-variable
		case <-in:
		case <-timeout:
			return
		}
		select { // ticker-channel-variable
		case <-in:
		case <-tc:
		}
	}
}

func requestContext(r *http.Request, in <-chan int) {
	select { // request-context
	case <-in:
	case <-r.Context().Done():
	}
}

func unknownC(x *Beat, in <-chan int, tick <-chan t.Time) {
	select { // unknown-c
	case <-in:
	case <-x.C:
	}
	after := t.AfterFunc(t.Second, func() {})
	select { // after-func
	case <-in:
	case <-after.C:
	}
	select { // time-channel
	case <-in:
	case <-tick:
	}
}

func sendsOnly(out chan<- int, done chan<- bool) {
	select { // sends-only
	case out <- 1:
	case done <- true:
	}
}

func contextFirst(ctx context.Context, in <-chan int) {
	select { // context-first
	case <-ctx.Done():
	case <-in:
	case <-t.After(t.Minute):
	}
}

func receives(ch chan int, chs chan chan int) (int, bool) {
	v, ok := <-ch // comma-ok
	if v := <-ch; v > 0 { // if-init
	}
	pair := make(chan int, 1)
	pair <- <-ch // send-receive
	single := make(chan int, 10)
	select { // one-case
	case single <- 1: // one-case-send
	}
	select { case <-ch: case <-chs: } // select-one-line
	return v, ok
}

func buffered(xs []int) {
	tens := make(chan int, 10)
	go func() {
		tens <- 1 // buffered-ten
	}()
	var sized = make(chan int, len(xs))
	sized <- 1 // buffered-len
	var later chan int
	later = make(chan int)
	later <- 1 // assigned-later
	var cond chan int
	if len(xs) > 0 {
		cond = make(chan int, 1)
	}
	cond <- 1 // conditional
	(tens) <- 2 // parenthesized
	s := &Server{}
	s.ch = make(chan int, 3)
	s.ch <- 1 // field-channel
	for v := range tens { // range-buffered
		_ = v
	}
	for i, x := range xs { // range-slice
		_, _ = i, x
	}
	for range 10 { // range-int
	}
	n := len(xs) // no-op
	_ = n
}

func shadowed() {
	ch := make(chan int)
	go func(ch chan int) {
		ch <- 1 // shadowed
	}(ch)
}

func multiLine(
	ctx context.Context, // the caller's
	in <-chan int,
) {
	for {
		select { // multi-line
		case v, ok := <-in:
			if !ok {
				return
			}
			_ = v
		case <-t.After(
			t.Minute,
		):
			return
		}
	}
}

func forever() {
	select {} // forever
	select { // forever-multi-line
	}
}

func Generic[T any](ch chan T, v T) {
	ch <- v // generic
}

func (s *Server) run(ctx context.Context) {
	go func() {
		<-ctx.Done() // method-literal
	}()
}

func (s Server) value() {
	go func() {
		s.ch <- 1 // value-receiver
	}()
}

var handler = func(ch chan int) {
	ch <- 1 // top-level-literal
}

func scopes(chans []chan int, ok bool) {
	for ch := range chans {
		ch <- 1 // range-variable
	}
	if ch := make(chan int, 2); ok {
		ch <- 1 // if-initializer
	}
	ch := make(chan int)
	select { // one-case-receive
	case v := <-ch: // one-case-receive-case
		_ = v
	}
}

func (l *List[T]) push(v T) {
	go func() {
		l.ch <- v // generic-receiver
	}()
}
