package main

import "sync"

// merge fans several channels into one: one goroutine per input forwards until the input
// is closed, and the output is closed after all of them finish.
func merge(inputs ...<-chan string) <-chan string {
	out := make(chan string)
	var wg sync.WaitGroup
	wg.Add(len(inputs))
	for _, input := range inputs {
		go func(input <-chan string) {
			defer wg.Done()
			for value := range input {
				out <- value
			}
		}(input)
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// emit sends the words and closes its channel.
func emit(words ...string) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		for _, word := range words {
			out <- word
		}
	}()
	return out
}

// countWords fans in two producers and counts what arrives.
func countWords() int {
	total := 0
	for range merge(emit("a", "b"), emit("c")) {
		total++
	}
	return total
}
