package main

import "testing"

// TestBlocksForever leaks goroutines in a few patterns and then blocks, so
// that `go test -timeout 2s` panics and prints every goroutine's stack.
func TestBlocksForever(t *testing.T) {
	for i := 0; i < 3; i++ {
		_, _ = prematureReturn(true)
	}
	firstResponse(3)
	nilReceive(2)
	selectNoTimer(2)
	select {}
}
