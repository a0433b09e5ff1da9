// Package metricexport is a replica of go.opencensus.io/metric/metricexport for
// leakprof's built-in rule tests: a started IntervalReader's loop.
package metricexport

import "time"

type IntervalReader struct {
	timer *time.Ticker
	quit  chan bool
	done  chan bool
}

func NewIntervalReader() *IntervalReader {
	return &IntervalReader{quit: make(chan bool), done: make(chan bool)}
}

func (ir *IntervalReader) Start() error {
	ir.timer = time.NewTicker(time.Hour)
	go ir.startInternal()
	return nil
}

func (ir *IntervalReader) startInternal() {
	for {
		select {
		case <-ir.timer.C:
		case <-ir.quit:
			ir.timer.Stop()
			ir.done <- true
			return
		}
	}
}
