package main

import "context"

// generate, square and sum form a pipeline: each stage closes its output when its input
// ends or the context is cancelled, so no stage is left waiting.
func generate(ctx context.Context, n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			select {
			case out <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func square(ctx context.Context, in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for value := range in {
			select {
			case out <- value * value:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// firstSquares stops early: cancelling the context lets every stage return.
func firstSquares(limit int) []int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out []int
	for value := range square(ctx, generate(ctx, 100)) {
		out = append(out, value)
		if len(out) == limit {
			break
		}
	}
	return out
}
