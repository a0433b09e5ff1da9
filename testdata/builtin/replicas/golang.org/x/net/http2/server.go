// Package http2 is a replica of golang.org/x/net/http2 for leakprof's built-in
// rule tests: one serverConn.serve loop per connection.
package http2

type Server struct{ done chan struct{} }

func NewServer() *Server { return &Server{done: make(chan struct{})} }

type serverConn struct {
	readFrameCh      chan struct{}
	wantWriteFrameCh chan struct{}
	doneServing      chan struct{}
}

// ServeConn serves one connection until it closes, on the caller's goroutine.
func (s *Server) ServeConn() {
	sc := &serverConn{readFrameCh: make(chan struct{}), wantWriteFrameCh: make(chan struct{}), doneServing: s.done}
	sc.serve()
}

func (sc *serverConn) serve() {
	for {
		select {
		case <-sc.wantWriteFrameCh:
		case <-sc.readFrameCh:
		case <-sc.doneServing:
			return
		}
	}
}
