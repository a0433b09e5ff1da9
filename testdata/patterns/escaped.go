package main

// newChannel hands out a channel that code out of sight may still hold.
func newChannel() chan int {
	return make(chan int)
}

// escaped waits on a channel it did not make here: no pattern can be told.
func escaped(n int) {
	for i := 0; i < n; i++ {
		ch := newChannel()
		go func() {
			<-ch
		}()
	}
}
