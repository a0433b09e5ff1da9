// Package trace is a replica of go.opentelemetry.io/otel/sdk/trace for
// leakprof's built-in rule tests: the batch span processor's queue loop.
package trace

import "time"

type batchSpanProcessor struct {
	queue    chan any
	timer    *time.Timer
	stopCh   chan struct{}
	stopWait chan struct{}
}

func NewBatchSpanProcessor() any {
	bsp := &batchSpanProcessor{
		queue:    make(chan any, 2048),
		timer:    time.NewTimer(time.Hour),
		stopCh:   make(chan struct{}),
		stopWait: make(chan struct{}),
	}
	go func() {
		defer close(bsp.stopWait)
		bsp.processQueue()
	}()
	return bsp
}

func (bsp *batchSpanProcessor) processQueue() {
	defer bsp.timer.Stop()
	for {
		select {
		case <-bsp.stopCh:
			return
		case <-bsp.timer.C:
			bsp.timer.Reset(time.Hour)
		case <-bsp.queue:
		}
	}
}
