package main

// events is package-level: reachable for the whole program, so the GC
// cannot prove its waiters leaked.
var events = make(chan string)

func global(n int) {
	for i := 0; i < n; i++ {
		go func() {
			<-events
		}()
	}
}
