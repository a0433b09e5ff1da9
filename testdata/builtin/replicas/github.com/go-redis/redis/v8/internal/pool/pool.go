// Package pool is a replica of go-redis v8's internal/pool for leakprof's
// built-in rule tests: a connection pool's reaper.
package pool

import "time"

type ConnPool struct{ closedCh chan struct{} }

func NewConnPool(idleCheckFrequency time.Duration) *ConnPool {
	p := &ConnPool{closedCh: make(chan struct{})}
	go p.reaper(idleCheckFrequency)
	return p
}

func (p *ConnPool) reaper(frequency time.Duration) {
	ticker := time.NewTicker(frequency)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
		case <-p.closedCh:
			return
		}
	}
}

func (p *ConnPool) Close() error {
	close(p.closedCh)
	return nil
}
