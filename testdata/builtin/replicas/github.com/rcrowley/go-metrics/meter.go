// Package metrics is a replica of github.com/rcrowley/go-metrics for leakprof's
// built-in rule tests: the meter arbiter, started once by the first meter.
package metrics

import (
	"sync"
	"time"
)

type meterArbiter struct {
	sync.RWMutex
	started bool
	ticker  *time.Ticker
}

var arbiter = meterArbiter{ticker: time.NewTicker(5 * time.Second)}

type Meter struct{}

func NewMeter() *Meter {
	m := &Meter{}
	arbiter.Lock()
	defer arbiter.Unlock()
	if !arbiter.started {
		arbiter.started = true
		go arbiter.tick()
	}
	return m
}

func (ma *meterArbiter) tick() {
	for {
		select {
		case <-ma.ticker.C:
			ma.tickMeters()
		}
	}
}

func (ma *meterArbiter) tickMeters() {}
