package main

import "errors"

var errNotFound = errors.New("not found")

// lookup sends an error for even ids and then, missing a return, sends
// again; the caller receives only once, so the second send waits forever.
func lookup(id int) error {
	errc := make(chan error)
	go func() {
		if id%2 == 0 {
			errc <- errNotFound
		}
		errc <- nil
	}()
	return <-errc
}
