// Command quiet runs correct concurrent code: every goroutine it starts ends. It exits 1 if
// goroutines are still running after the work is done, so the corpus that `leakprof lint`
// must stay quiet on is proven leak-free by running it.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"
)

func main() {
	squareAll([]int{1, 2, 3, 4}, 2)
	boundedParallel([]string{"a", "b", "c"}, 2, func(string) {})
	countWords()
	fetchAll(context.Background(), []int{1, 2, 3})
	fetchAll(context.Background(), []int{1, -1, 3})
	firstSquares(3)
	lookup(context.Background(), func() int { return 1 })
	fastest([]func() string{func() string { return "a" }, func() string { return "b" }})
	validate("")
	validate("ok")
	p := startPoller(time.Millisecond)
	p.Stop()
	tryPublish(make(chan string), "dropped")
	askAll([]int{1, 2, 3})
	retryInBackground(func(try int) (int, error) {
		if try < 2 {
			return 0, errTransient
		}
		return try, nil
	})
	pingPong(100)
	values := make(chan int)
	go func() {
		for i := 0; i < 5; i++ {
			values <- i
		}
	}()
	firstLarge(values, make(chan struct{}), 3)
	bothReady(func(worker int) bool { return worker >= 0 })

	// Goroutines end a moment after the work that started them returns.
	for wait := 0; runtime.NumGoroutine() > 1; wait++ {
		if wait == 500 {
			fmt.Fprintf(os.Stderr, "%d goroutines still running\n", runtime.NumGoroutine())
			os.Exit(1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("no goroutine left")
}
