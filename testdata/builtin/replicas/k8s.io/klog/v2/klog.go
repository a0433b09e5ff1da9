// Package klog is a replica of k8s.io/klog/v2 for leakprof's built-in rule
// tests: the flush daemon of early releases (loggingT.flushDaemon, a range over
// a ticker) and of current ones (flushDaemon.run's goroutine, a select).
package klog

import "time"

type loggingT struct{}

var logging loggingT

func (l *loggingT) flushDaemon() {
	for range time.NewTicker(time.Hour).C {
		l.lockAndFlushAll()
	}
}

func (l *loggingT) lockAndFlushAll() {}

type flushDaemon struct {
	stopC    chan struct{}
	stopDone chan struct{}
	ticker   *time.Ticker
}

var flushD = &flushDaemon{}

func (f *flushDaemon) run(interval time.Duration) {
	f.stopC = make(chan struct{})
	f.stopDone = make(chan struct{})
	f.ticker = time.NewTicker(interval)
	go func() {
		defer close(f.stopDone)
		defer f.ticker.Stop()
		for {
			select {
			case <-f.ticker.C:
				logging.lockAndFlushAll()
			case <-f.stopC:
				return
			}
		}
	}()
}

func init() {
	go logging.flushDaemon()
	flushD.run(time.Hour)
}

// Flush is what programs call; importing the package is what starts the daemons.
func Flush() { logging.lockAndFlushAll() }
