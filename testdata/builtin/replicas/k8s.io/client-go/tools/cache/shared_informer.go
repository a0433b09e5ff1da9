// Package cache is a replica of k8s.io/client-go/tools/cache for leakprof's
// built-in rule tests: the two goroutines of a shared informer's listener (one
// per event handler), pop and run.
package cache

import "time"

type processorListener struct {
	nextCh  chan any
	addCh   chan any
	pending []any
}

type SharedInformer struct{ listeners []*processorListener }

func NewSharedInformer() *SharedInformer { return &SharedInformer{} }

// AddEventHandler starts a listener for one more handler.
func (s *SharedInformer) AddEventHandler() {
	p := &processorListener{nextCh: make(chan any), addCh: make(chan any)}
	s.listeners = append(s.listeners, p)
	go p.run()
	go p.pop()
}

func (p *processorListener) pop() {
	defer close(p.nextCh)
	var nextCh chan<- any
	var notification any
	for {
		select {
		case nextCh <- notification:
			if len(p.pending) == 0 {
				nextCh = nil
				notification = nil
				continue
			}
			notification, p.pending = p.pending[0], p.pending[1:]
		case notificationToAdd, ok := <-p.addCh:
			if !ok {
				return
			}
			if notification == nil {
				notification = notificationToAdd
				nextCh = p.nextCh
			} else {
				p.pending = append(p.pending, notificationToAdd)
			}
		}
	}
}

func (p *processorListener) run() {
	stopCh := make(chan struct{})
	until(func() {
		for next := range p.nextCh {
			_ = next
		}
		close(stopCh)
	}, time.Second, stopCh)
}

// until stands for k8s.io/apimachinery's wait.Until: f again every period until
// stopCh closes.
func until(f func(), period time.Duration, stopCh <-chan struct{}) {
	for {
		f()
		select {
		case <-stopCh:
			return
		case <-time.After(period):
		}
	}
}
