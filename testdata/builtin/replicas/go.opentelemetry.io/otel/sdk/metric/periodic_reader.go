// Package metric is a replica of go.opentelemetry.io/otel/sdk/metric for
// leakprof's built-in rule tests: the periodic reader's export loop.
package metric

import (
	"context"
	"time"
)

type PeriodicReader struct {
	flushCh chan chan error
	done    chan struct{}
	cancel  context.CancelFunc
}

func NewPeriodicReader() *PeriodicReader {
	ctx, cancel := context.WithCancel(context.Background())
	r := &PeriodicReader{flushCh: make(chan chan error), done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(r.done)
		r.run(ctx, time.Hour)
	}()
	return r
}

func (r *PeriodicReader) run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
		case errCh := <-r.flushCh:
			errCh <- nil
		case <-ctx.Done():
			return
		}
	}
}
