package main

import "context"

// poller runs until stop closes quit; nobody calls stop.
type poller struct {
	quit  chan struct{}
	ticks chan int
}

func newPoller() *poller {
	p := &poller{quit: make(chan struct{}), ticks: make(chan int)}
	go p.run()
	return p
}

func (p *poller) run() {
	for {
		select {
		case <-p.ticks:
		case <-p.quit:
			return
		}
	}
}

func (p *poller) stop() {
	close(p.quit)
}

var stopped int

// watch makes a cancellable context and drops its cancel function, so the
// watcher's wait on ctx.Done() never ends.
func watch() {
	ctx, _ := context.WithCancel(context.Background())
	go func() {
		<-ctx.Done()
		stopped++
	}()
}
