// Package zapcore is a replica of go.uber.org/zap/zapcore for leakprof's
// built-in rule tests: BufferedWriteSyncer's flush loop.
package zapcore

import (
	"sync"
	"time"
)

type BufferedWriteSyncer struct {
	once   sync.Once
	ticker *time.Ticker
	stop   chan struct{}
	done   chan struct{}
}

// Write starts the flush loop on first use, as upstream does.
func (s *BufferedWriteSyncer) Write(p []byte) (int, error) {
	s.once.Do(s.initialize)
	return len(p), nil
}

func (s *BufferedWriteSyncer) initialize() {
	s.ticker = time.NewTicker(time.Hour)
	s.stop = make(chan struct{})
	s.done = make(chan struct{})
	go s.flushLoop()
}

func (s *BufferedWriteSyncer) flushLoop() {
	defer close(s.done)
	for {
		select {
		case <-s.ticker.C:
			_ = s.Sync()
		case <-s.stop:
			return
		}
	}
}

func (s *BufferedWriteSyncer) Sync() error { return nil }

// Stop ends the flush loop.
func (s *BufferedWriteSyncer) Stop() error {
	close(s.stop)
	<-s.done
	return nil
}
