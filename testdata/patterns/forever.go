package main

// forever parks goroutines in an empty select.
func forever(n int) {
	for i := 0; i < n; i++ {
		go func() {
			select {}
		}()
	}
}
