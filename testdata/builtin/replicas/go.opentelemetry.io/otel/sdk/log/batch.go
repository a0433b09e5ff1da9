// Package log is a replica of go.opentelemetry.io/otel/sdk/log for leakprof's
// built-in rule tests: the batch processor's goroutine as sdk/log v0.21 and
// later start it (process) and as earlier releases did (poll).
package log

import "time"

type BatchProcessor struct {
	pollTrigger chan struct{}
	pollKill    chan struct{}
	flush       chan chan error
	shutdown    chan chan error
	done        chan struct{}
}

// NewBatchProcessor starts the processor as v0.21 and later do.
func NewBatchProcessor() *BatchProcessor {
	b := newBatchProcessor()
	b.process(time.Hour)
	return b
}

// NewPollingBatchProcessor starts the processor as releases before v0.21 did.
func NewPollingBatchProcessor() *BatchProcessor {
	b := newBatchProcessor()
	b.done = b.poll(time.Hour)
	return b
}

func newBatchProcessor() *BatchProcessor {
	return &BatchProcessor{
		pollTrigger: make(chan struct{}, 1),
		pollKill:    make(chan struct{}),
		flush:       make(chan chan error),
		shutdown:    make(chan chan error),
		done:        make(chan struct{}),
	}
}

func (b *BatchProcessor) process(interval time.Duration) {
	go func() {
		timer := time.NewTimer(interval)
		defer timer.Stop()
		for {
			select {
			case req := <-b.shutdown:
				close(b.done)
				req <- nil
				return
			case req := <-b.flush:
				req <- nil
			case <-b.pollTrigger:
			case <-timer.C:
				timer.Reset(interval)
			}
		}
	}()
}

func (b *BatchProcessor) poll(interval time.Duration) (done chan struct{}) {
	done = make(chan struct{})
	ticker := time.NewTicker(interval)
	go func() {
		defer close(done)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
			case <-b.pollTrigger:
				ticker.Reset(interval)
			case <-b.pollKill:
				return
			}
		}
	}()
	return done
}
