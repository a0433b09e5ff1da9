package main

import (
	"context"
	"time"
)

// fetchWithTimeout gives up after a millisecond; the goroutine doing the
// slow work sends its answer later, on an unbuffered channel nobody reads
// any more (LeakProf's timeout leak).
func fetchWithTimeout(slow <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	done := make(chan error)
	go func() {
		<-slow
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
