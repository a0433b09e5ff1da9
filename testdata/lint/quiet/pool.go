package main

import "sync"

// squareAll runs a fixed pool of workers over a job channel the producer closes; the
// results channel is closed once every worker is done, so the range below ends.
func squareAll(numbers []int, workers int) []int {
	jobs := make(chan int)
	results := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				results <- n * n
			}
		}()
	}
	go func() {
		for _, n := range numbers {
			jobs <- n
		}
		close(jobs)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var out []int
	for square := range results {
		out = append(out, square)
	}
	return out
}

// boundedParallel limits concurrency with a semaphore channel; every acquired slot is
// released, and the WaitGroup waits for every goroutine.
func boundedParallel(items []string, limit int, work func(string)) {
	semaphore := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, item := range items {
		wg.Add(1)
		semaphore <- struct{}{}
		go func(item string) {
			defer wg.Done()
			defer func() { <-semaphore }()
			work(item)
		}(item)
	}
	wg.Wait()
}
