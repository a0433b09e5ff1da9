// Package expirable is a replica of github.com/hashicorp/golang-lru/v2/expirable
// for leakprof's built-in rule tests: NewLRU's cleanup goroutine, generic as
// upstream (NewLRU[...].func1 in tracebacks, shape names in pprof), and never
// stopped, as in v2.
package expirable

import (
	"sync"
	"time"
)

type EvictCallback[K comparable, V any] func(key K, value V)

type LRU[K comparable, V any] struct {
	mu    sync.Mutex
	items map[K]V
	ttl   time.Duration
	done  chan struct{}
}

func NewLRU[K comparable, V any](size int, onEvict EvictCallback[K, V], ttl time.Duration) *LRU[K, V] {
	res := LRU[K, V]{items: make(map[K]V, size), ttl: ttl, done: make(chan struct{})}
	if res.ttl > 0 {
		go func(done <-chan struct{}) {
			ticker := time.NewTicker(res.ttl / 100)
			defer ticker.Stop()
			for {
				select {
				case <-done:
					return
				case <-ticker.C:
					res.deleteExpired()
				}
			}
		}(res.done)
	}
	return &res
}

func (c *LRU[K, V]) deleteExpired() {
	c.mu.Lock()
	defer c.mu.Unlock()
}
