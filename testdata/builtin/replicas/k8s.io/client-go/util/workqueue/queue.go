// Package workqueue is a replica of k8s.io/client-go/util/workqueue (generic,
// as since v0.31) for leakprof's built-in rule tests: a queue's
// unfinished-work loop and a delaying queue's waiting loop.
package workqueue

import "time"

type Typed[T comparable] struct {
	queue []T
}

func newQueue[T comparable]() *Typed[T] {
	t := &Typed[T]{}
	go t.updateUnfinishedWorkLoop()
	return t
}

func (q *Typed[T]) updateUnfinishedWorkLoop() {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for range t.C {
		if !q.updateUnfinishedWork() {
			return
		}
	}
}

func (q *Typed[T]) updateUnfinishedWork() bool { return true }

type delayingType[T comparable] struct {
	*Typed[T]
	stopCh          chan struct{}
	heartbeat       *time.Ticker
	waitingForAddCh chan T
}

// NewTypedDelayingQueue makes a queue whose items can be added later.
func NewTypedDelayingQueue[T comparable]() any {
	q := &delayingType[T]{
		Typed:           newQueue[T](),
		stopCh:          make(chan struct{}),
		heartbeat:       time.NewTicker(10 * time.Second),
		waitingForAddCh: make(chan T, 1000),
	}
	go q.waitingLoop()
	return q
}

func (q *delayingType[T]) waitingLoop() {
	never := make(<-chan time.Time)
	for {
		select {
		case <-q.stopCh:
			return
		case <-q.heartbeat.C:
		case <-never:
		case <-q.waitingForAddCh:
		}
	}
}
