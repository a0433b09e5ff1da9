package main

// nilSend sends on a channel that was declared but never made.
func nilSend(n int) {
	var results chan int
	for i := 0; i < n; i++ {
		go func() {
			results <- 1
		}()
	}
}
