// Package transport is a replica of gRPC-Go's internal/transport for leakprof's
// built-in rule tests: the loopy writers and keepalive loops of client and
// server transports, with upstream's function names and blocking shapes.
package transport

import (
	"errors"
	"time"
)

type controlBuffer struct {
	ch   chan struct{}
	done <-chan struct{}
}

// get waits for a control frame or for the transport to close, as upstream's
// get(true) does once its list is empty.
func (c *controlBuffer) get(block bool) (any, error) {
	for {
		select {
		case <-c.ch:
		case <-c.done:
			return nil, errors.New("transport closed by client")
		}
	}
}

type loopyWriter struct{ cbuf *controlBuffer }

func (l *loopyWriter) run() error {
	for {
		if _, err := l.cbuf.get(true); err != nil {
			return err
		}
	}
}

type http2Server struct {
	done       chan struct{}
	controlBuf *controlBuffer
	loopy      *loopyWriter
}

// NewServerTransport starts the server side's loopy writer and keepalive loop
// for one accepted connection.
func NewServerTransport(done chan struct{}) (_ any, err error) {
	t := &http2Server{done: done, controlBuf: &controlBuffer{ch: make(chan struct{}), done: done}}
	defer func() {
		if err != nil {
			close(t.done)
		}
	}()
	go func() {
		t.loopy = &loopyWriter{cbuf: t.controlBuf}
		t.loopy.run()
	}()
	go t.keepalive()
	return t, nil
}

func (t *http2Server) keepalive() {
	idle := time.NewTimer(time.Hour)
	defer idle.Stop()
	for {
		select {
		case <-idle.C:
			idle.Reset(time.Hour)
		case <-t.done:
			return
		}
	}
}

type http2Client struct {
	done       chan struct{}
	controlBuf *controlBuffer
	loopy      *loopyWriter
}

// NewClientTransport dials one connection of a ClientConn.
func NewClientTransport(done chan struct{}) (any, error) { return newHTTP2Client(done) }

func newHTTP2Client(done chan struct{}) (_ *http2Client, err error) {
	t := &http2Client{done: done, controlBuf: &controlBuffer{ch: make(chan struct{}), done: done}}
	go t.keepalive()
	go func() {
		t.loopy = &loopyWriter{cbuf: t.controlBuf}
		t.loopy.run()
	}()
	return t, nil
}

func (t *http2Client) keepalive() {
	timer := time.NewTimer(time.Hour)
	for {
		select {
		case <-timer.C:
			timer.Reset(time.Hour)
		case <-t.done:
			timer.Stop()
			return
		}
	}
}
