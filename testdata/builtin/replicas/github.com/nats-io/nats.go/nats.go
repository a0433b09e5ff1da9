// Package nats is a replica of github.com/nats-io/nats.go for leakprof's
// built-in rule tests: a connection's flusher. The package path's last element
// has a dot, which symbols print as nats%2ego.
package nats

type Conn struct{ fch chan struct{} }

func Connect() *Conn {
	nc := &Conn{fch: make(chan struct{}, 1024)}
	go nc.flusher()
	return nc
}

func (nc *Conn) flusher() {
	fch := nc.fch
	for {
		if _, ok := <-fch; !ok {
			return
		}
	}
}

func (nc *Conn) Close() { close(nc.fch) }
