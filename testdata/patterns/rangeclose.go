package main

import (
	"strconv"
	"sync"
)

var totals []int

// sum feeds a consumer goroutine and never closes the channel it ranges
// over (LeakProf's channel iteration misuse).
func sum(values []int) {
	ch := make(chan int)
	go func() {
		total := 0
		for v := range ch {
			total += v
		}
		totals = append(totals, total)
	}()
	for _, v := range values {
		ch <- v
	}
}

// gather waits for its producers with a WaitGroup but never closes the
// queue its consumer ranges over (the blog's example).
func gather(jobs int) {
	queue := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			queue <- i
		}(i)
	}
	go func() {
		for job := range queue {
			_ = job
		}
	}()
	wg.Wait()
}

// drain ranges over the lines of a producer goroutine that forgets to close
// them, so drain itself never returns.
func drain(n int) {
	lines := make(chan string)
	go func() {
		for i := 0; i < n; i++ {
			lines <- strconv.Itoa(i)
		}
	}()
	for line := range lines {
		_ = line
	}
}
