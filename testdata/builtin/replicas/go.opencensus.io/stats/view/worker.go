// Package view is a replica of go.opencensus.io/stats/view for leakprof's
// built-in rule tests: the package-level worker, started in init.
package view

import "time"

type worker struct {
	c     chan func()
	timer *time.Ticker
	quit  chan bool
	done  chan bool
}

var defaultWorker *worker

func init() {
	defaultWorker = &worker{c: make(chan func(), 1024), timer: time.NewTicker(time.Hour), quit: make(chan bool), done: make(chan bool)}
	go defaultWorker.start()
}

func (w *worker) start() {
	for {
		select {
		case cmd := <-w.c:
			cmd()
		case <-w.timer.C:
		case <-w.quit:
			w.timer.Stop()
			close(w.c)
			close(w.done)
			return
		}
	}
}

// Register is what programs call; importing the package is what starts the worker.
func Register() {}
