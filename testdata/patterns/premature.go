package main

import "errors"

var errOddOrder = errors.New("odd order")

func validate(order int) error {
	if order > 1000 {
		return errors.New("too large")
	}
	return nil
}

// handleOrder starts the validation, then returns early for odd orders
// without receiving its result (LeakProf's premature function return).
func handleOrder(order int) error {
	errc := make(chan error)
	go func() {
		errc <- validate(order)
	}()
	if order%2 == 1 {
		return errOddOrder
	}
	return <-errc
}

// startJob starts a worker that waits for the go-ahead, then returns early for
// odd jobs without closing start: the worker waits for ever.
func startJob(job int) error {
	start := make(chan struct{})
	go func() {
		<-start
		_ = validate(job)
	}()
	if job%2 == 1 {
		return errOddOrder
	}
	close(start)
	return nil
}
