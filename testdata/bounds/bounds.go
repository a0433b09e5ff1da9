package main

import (
	"context"
	"time"
)

// Fake bounds: each select or wait below looks bounded by a timer, a ticker or a context,
// and none of them can ever fire. The goroutines leak, and Go 1.27's GC proves it.

// backgroundCtx: context.Background() is never done; its Done() is nil.
func backgroundCtx(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		ctx := context.Background()
		go func() {
			select {
			case ch <- 1:
			case <-ctx.Done():
			}
		}()
	}
}

// discardedCancel: nobody can cancel a context whose cancel function is thrown away.
func discardedCancel(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		ctx, _ := context.WithCancel(context.Background())
		go func() {
			select {
			case ch <- 1:
			case <-ctx.Done():
			}
		}()
	}
}

// deferredCancel: the only call of cancel is deferred by the goroutine that waits, so it
// runs after the wait, never during it.
func deferredCancel(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			select {
			case ch <- 1:
			case <-ctx.Done():
			}
		}()
	}
}

// stoppedTimer: the timer is stopped before the select and never reset.
func stoppedTimer(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			t := time.NewTimer(time.Hour)
			t.Stop()
			select {
			case ch <- 1:
			case <-t.C:
			}
		}()
	}
}

// reusedTimer: the timer fires once, at the first turn of the loop; later turns wait on it
// again without a Reset.
func reusedTimer(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			t := time.NewTimer(time.Millisecond)
			for {
				select {
				case v := <-ch:
					_ = v
				case <-t.C:
				}
			}
		}()
	}
}

// waitCtx is started with a context.Background(): its ctx.Done() is nil.
func waitCtx(ctx context.Context, ch chan int) {
	select {
	case ch <- 1:
	case <-ctx.Done():
	}
}

func paramBackground(n int) {
	for i := 0; i < n; i++ {
		go waitCtx(context.Background(), make(chan int))
	}
}

// backgroundWait: a bare wait on a context that is never done.
func backgroundWait(n int) {
	for i := 0; i < n; i++ {
		ctx := context.TODO()
		go func() {
			<-ctx.Done()
		}()
	}
}

// stoppedTickerWait: a bare wait on a ticker stopped before it.
func stoppedTickerWait(n int) {
	for i := 0; i < n; i++ {
		go func() {
			tk := time.NewTicker(time.Hour)
			tk.Stop()
			<-tk.C
		}()
	}
}

// Genuine bounds: each wait below ends by itself (within the hour); the goroutines are
// parked when profiled, but not leaked.

// keep holds cancel functions and channels out of the GC's reach, as a server would.
var keep []any

// withTimeout: the context's deadline ends the wait.
func withTimeout(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		keep = append(keep, cancel)
		go func() {
			select {
			case ch <- 1:
			case <-ctx.Done():
			}
		}()
	}
}

// afterInLoop: a fresh time.After at every turn.
func afterInLoop(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			for {
				select {
				case v := <-ch:
					_ = v
				case <-time.After(time.Hour):
				}
			}
		}()
	}
}

// liveTicker: a ticker that is never stopped fires for ever.
func liveTicker(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			tk := time.NewTicker(time.Hour)
			for {
				select {
				case v := <-ch:
					_ = v
				case <-tk.C:
				}
			}
		}()
	}
}

// doneVariable: ctx.Done() kept in a variable, of a context whose cancel is called later.
func doneVariable(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Hour, cancel)
		go func() {
			done := ctx.Done()
			select {
			case ch <- 1:
			case <-done:
			}
		}()
	}
}

// waitDeadline is started with a context that has a deadline.
func waitDeadline(ctx context.Context, ch chan int) {
	select {
	case ch <- 1:
	case <-ctx.Done():
	}
}

func paramTimeout(n int) {
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		keep = append(keep, cancel)
		go waitDeadline(ctx, make(chan int))
	}
}

// Fake bounds found by an audit of the cancel check: nothing can cancel these contexts
// while the goroutines wait.

// ignoredCancel: `_ = cancel` only silences the compiler; nothing calls it.
func ignoredCancel(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		ctx, cancel := context.WithCancel(context.Background())
		_ = cancel
		go func() {
			select {
			case ch <- 1:
			case <-ctx.Done():
			}
		}()
	}
}

// cancelEachTurn: each turn makes a new context and cancels it after the select, so the
// cancel of one turn never wakes that turn's select.
func cancelEachTurn(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			for {
				ctx, cancel := context.WithCancel(context.Background())
				select {
				case ch <- 1:
				case <-ctx.Done():
				}
				cancel()
			}
		}()
	}
}

// deferredFuncCancel: a deferred func literal runs after the wait, like a deferred call.
func deferredFuncCancel(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer func() { cancel() }()
			select {
			case ch <- 1:
			case <-ctx.Done():
			}
		}()
	}
}

// literalDeferredCancel: the context is handed to the goroutine as an argument, and the
// only call of cancel is deferred by that goroutine: after its wait.
func literalDeferredCancel(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		ctx, cancel := context.WithCancel(context.Background())
		go func(ctx context.Context) {
			defer cancel()
			select {
			case ch <- 1:
			case <-ctx.Done():
			}
		}(ctx)
	}
}
