package main

// Shapes too rare for the fixture programs, each pinning a rule of the analysis that
// mutation testing found no other test holding. `// name` markers name the lines.

import (
	"context"
	"time"
)

func aliasChains(in <-chan int, d time.Duration) {
	a := time.After(d)
	b := a
	c := b
	e := c
	select { // four-names
	case <-in:
	case <-e:
	}
	f := e
	select { // five-names
	case <-in:
	case <-f:
	}
}

type Watch struct{}

func (w *Watch) events() <-chan int       { return nil }
func (w *Watch) Done(n int) <-chan int    { return nil }
func (w *Watch) Context() context.Context { return nil }

func notContexts(w *Watch, in <-chan int) {
	select { // other-call
	case <-in:
	case <-w.events():
	}
	select { // done-with-argument
	case <-in:
	case <-w.Done(1):
	}
}

func sendCases(out chan<- int, in <-chan int) {
	select {
	case out <- 1: // send-case
	case <-in:
	}
	(out // send-arrow-channel
	) <- 2 // send-arrow
	<-in; out <- 3 // receive-then-send
} // closing-brace

func scopes(x any, chans []chan int, chs chan chan int) {
	ch := make(chan int)
	switch ch := x.(type) {
	case chan int:
		ch <- 1 // type-switch-shadows
	}
	switch v := x.(type) {
	case int:
		_ = v
		ch <- 2 // type-switch-other-name
	}
	switch ch := make(chan int, 1); x.(type) {
	case int:
		ch <- 3 // type-switch-initializer
	}
	for ch := range chans {
		ch <- 4 // range-shadows
	}
	for ch := make(chan int, 5); ; {
		ch <- 5 // for-initializer
	}
	select {
	case ch := <-chs:
		ch <- 6 // case-shadows
	case <-ch:
	}
	chans[0] = make(chan int, 7)
	chans[0] <- 7 // index-channel
}
