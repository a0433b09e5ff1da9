package main

import "errors"

var errTransient = errors.New("transient")

// retryInBackground retries an operation in a goroutine; each way out of the loop sends
// once and returns, so the caller's one receive always takes the only value.
func retryInBackground(attempt func(try int) (int, error)) (int, error) {
	type outcome struct {
		value int
		err   error
	}
	done := make(chan outcome)
	go func() {
		for try := 0; ; try++ {
			value, err := attempt(try)
			if err == nil {
				done <- outcome{value, nil}
				return
			}
			if !errors.Is(err, errTransient) || try == 3 {
				done <- outcome{0, err}
				return
			}
		}
	}()
	result := <-done
	return result.value, result.err
}

// pingPong starts two players that each either serve or return the ball on one unbuffered
// channel: every exchange takes one turn of each, so both finish together.
func pingPong(turns int) {
	ball := make(chan int)
	finished := make(chan struct{}, 2)
	for player := 0; player < 2; player++ {
		go func(player int) {
			for turn := 0; turn < turns; turn++ {
				select {
				case ball <- player:
				case <-ball:
				}
			}
			finished <- struct{}{}
		}(player)
	}
	<-finished
	<-finished
}

// firstLarge watches a stream until a value passes the limit or the alarm goes off; each
// way out of the loop sends once and returns.
func firstLarge(values <-chan int, alarm <-chan struct{}, limit int) int {
	found := make(chan int)
	go func() {
		for {
			select {
			case v := <-values:
				if v > limit {
					found <- v
					return
				}
			case <-alarm:
				found <- -1
				return
			}
		}
	}()
	return <-found
}

// bothReady asks two fixed workers and waits for the answer of each.
func bothReady(check func(worker int) bool) bool {
	ready := make(chan bool)
	for worker := 0; worker < 2; worker++ {
		go func(worker int) {
			ready <- check(worker)
		}(worker)
	}
	first := <-ready
	second := <-ready
	return first && second
}
