// Package grpc is a replica of gRPC-Go for leakprof's built-in rule tests: the
// goroutines a ClientConn and a Server keep, with upstream's function names and
// blocking shapes, and nothing else.
package grpc

import (
	"context"

	"google.golang.org/grpc/internal/grpcsync"
	"google.golang.org/grpc/internal/transport"
)

// ClientConn keeps a balancer wrapper (its watcher and serializer), a resolver
// wrapper's serializer and one subchannel per address, each with a transport.
type ClientConn struct {
	cancel context.CancelFunc
	done   chan struct{}
	keep   []any
}

// Dial connects to addresses backends.
func Dial(addresses int) *ClientConn {
	ctx, cancel := context.WithCancel(context.Background())
	cc := &ClientConn{cancel: cancel, done: make(chan struct{})}
	ccb := &ccBalancerWrapper{updates: make(chan struct{}), closed: cc.done}
	go ccb.watcher()
	cc.keep = append(cc.keep, ccb, grpcsync.NewCallbackSerializer(ctx), grpcsync.NewCallbackSerializer(ctx))
	for i := 0; i < addresses; i++ {
		ac := &addrConn{down: make(chan struct{})}
		go ac.resetTransport()
		t, _ := transport.NewClientTransport(cc.done)
		cc.keep = append(cc.keep, ac, t)
	}
	return cc
}

// Close stops every goroutine of the ClientConn.
func (cc *ClientConn) Close() {
	cc.cancel()
	close(cc.done)
}

type ccBalancerWrapper struct {
	updates chan struct{}
	closed  chan struct{}
}

func (ccb *ccBalancerWrapper) watcher() {
	for {
		select {
		case <-ccb.updates:
		case <-ccb.closed:
			return
		}
	}
}

type addrConn struct{ down chan struct{} }

// resetTransport waits for its transport to go down, as older releases do
// after connecting.
func (ac *addrConn) resetTransport() {
	for {
		<-ac.down
	}
}

// Server serves connections with a fixed pool of stream workers.
type Server struct {
	serverWorkerChannel chan func()
	done                chan struct{}
	keep                []any
}

func NewServer(workers int) *Server {
	s := &Server{serverWorkerChannel: make(chan func()), done: make(chan struct{})}
	for i := 0; i < workers; i++ {
		go s.serverWorker()
	}
	return s
}

func (s *Server) serverWorker() {
	for {
		f, ok := <-s.serverWorkerChannel
		if !ok {
			return
		}
		f()
	}
}

// Accept takes connections client connections.
func (s *Server) Accept(connections int) {
	for i := 0; i < connections; i++ {
		t, _ := transport.NewServerTransport(s.done)
		s.keep = append(s.keep, t)
	}
}
