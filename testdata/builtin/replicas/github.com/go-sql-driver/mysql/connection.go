// Package mysql is a replica of github.com/go-sql-driver/mysql for leakprof's
// built-in rule tests: a connection's context watcher.
package mysql

import "context"

type mysqlConn struct {
	watcher  chan<- context.Context
	finished chan<- struct{}
	closech  chan struct{}
}

// Connect opens one connection (the watcher starts with it).
func Connect() any {
	mc := &mysqlConn{closech: make(chan struct{})}
	mc.startWatcher()
	return mc
}

func (mc *mysqlConn) startWatcher() {
	watcher := make(chan context.Context, 1)
	mc.watcher = watcher
	finished := make(chan struct{})
	mc.finished = finished
	go func() {
		for {
			var ctx context.Context
			select {
			case ctx = <-watcher:
			case <-mc.closech:
				return
			}
			select {
			case <-ctx.Done():
			case <-finished:
			case <-mc.closech:
				return
			}
		}
	}()
}
