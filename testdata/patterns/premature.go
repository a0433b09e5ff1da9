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
