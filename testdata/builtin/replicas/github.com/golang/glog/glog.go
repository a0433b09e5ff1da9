// Package glog is a replica of github.com/golang/glog for leakprof's built-in
// rule tests: the flush daemon of releases before v1.1 (loggingT, a range over
// a ticker) and of v1.1 and later (fileSink, a select), both started once in
// init as upstream does.
package glog

import "time"

type loggingT struct{}

var logging loggingT

func (l *loggingT) flushDaemon() {
	for range time.NewTicker(time.Hour).C {
		l.lockAndFlushAll()
	}
}

func (l *loggingT) lockAndFlushAll() {}

type fileSink struct{ flushChan chan int }

var sink = &fileSink{flushChan: make(chan int, 1)}

func (s *fileSink) flushDaemon() {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			s.Flush()
		case sev := <-s.flushChan:
			s.flush(sev)
		}
	}
}

func (s *fileSink) Flush() error        { return nil }
func (s *fileSink) flush(sev int) error { return nil }

func init() {
	go logging.flushDaemon()
	go sink.flushDaemon()
}

// Flush is what programs call; importing the package is what starts the daemons.
func Flush() { sink.Flush() }
