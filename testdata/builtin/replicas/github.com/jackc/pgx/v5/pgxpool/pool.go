// Package pgxpool is a replica of github.com/jackc/pgx/v5/pgxpool for
// leakprof's built-in rule tests: a pool's health check loop.
package pgxpool

import "time"

type Pool struct {
	closeChan       chan struct{}
	healthCheckChan chan struct{}
}

func New() *Pool {
	p := &Pool{closeChan: make(chan struct{}), healthCheckChan: make(chan struct{}, 1)}
	go p.backgroundHealthCheck()
	return p
}

func (p *Pool) backgroundHealthCheck() {
	ticker := time.NewTicker(time.Minute)
	defer ticker.Stop()
	for {
		select {
		case <-p.closeChan:
			return
		case <-p.healthCheckChan:
		case <-ticker.C:
		}
	}
}

func (p *Pool) Close() { close(p.closeChan) }
