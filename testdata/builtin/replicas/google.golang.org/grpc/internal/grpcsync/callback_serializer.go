// Package grpcsync is a replica of gRPC-Go's internal/grpcsync for leakprof's
// built-in rule tests.
package grpcsync

import "context"

// CallbackSerializer runs callbacks one at a time on its own goroutine.
type CallbackSerializer struct {
	callbacks chan func(context.Context)
}

func NewCallbackSerializer(ctx context.Context) *CallbackSerializer {
	cs := &CallbackSerializer{callbacks: make(chan func(context.Context))}
	go cs.run(ctx)
	return cs
}

func (cs *CallbackSerializer) run(ctx context.Context) {
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case cb := <-cs.callbacks:
			cb(ctx)
		}
	}
}
