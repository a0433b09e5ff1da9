// Package otlpgrpc is a replica of the pre-1.x OTLP gRPC exporter of
// go.opentelemetry.io/otel for leakprof's built-in rule tests: its reconnect
// loop.
package otlpgrpc

type connection struct {
	disconnectedCh chan bool
	stopCh         chan struct{}
}

func NewConnection() any {
	c := &connection{disconnectedCh: make(chan bool, 1), stopCh: make(chan struct{})}
	go c.indefiniteBackgroundConnection()
	return c
}

func (c *connection) indefiniteBackgroundConnection() {
	for {
		select {
		case <-c.stopCh:
			return
		case <-c.disconnectedCh:
		}
	}
}
