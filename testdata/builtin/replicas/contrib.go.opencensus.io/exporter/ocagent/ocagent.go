// Package ocagent is a replica of contrib.go.opencensus.io/exporter/ocagent for
// leakprof's built-in rule tests: an exporter's reconnect loop.
package ocagent

type Exporter struct {
	disconnectedCh chan bool
	stopCh         chan bool
}

func NewExporter() (*Exporter, error) {
	ae := &Exporter{disconnectedCh: make(chan bool, 1), stopCh: make(chan bool)}
	go ae.indefiniteBackgroundConnection()
	return ae, nil
}

func (ae *Exporter) indefiniteBackgroundConnection() {
	for {
		select {
		case <-ae.stopCh:
			return
		case <-ae.disconnectedCh:
		}
	}
}
