package main

import (
	"sync"
	"time"
)

// poller ticks until stopped; Stop closes the done channel once and waits for the loop.
type poller struct {
	done    chan struct{}
	stopped sync.WaitGroup
	once    sync.Once
	ticks   int
}

func startPoller(every time.Duration) *poller {
	p := &poller{done: make(chan struct{})}
	p.stopped.Add(1)
	go p.run(every)
	return p
}

func (p *poller) run(every time.Duration) {
	defer p.stopped.Done()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			p.ticks++
		case <-p.done:
			return
		}
	}
}

func (p *poller) Stop() {
	p.once.Do(func() { close(p.done) })
	p.stopped.Wait()
}

// tryPublish drops an event rather than block when nobody is listening.
func tryPublish(events chan<- string, event string) bool {
	select {
	case events <- event:
		return true
	default:
		return false
	}
}

// requestReply: the server answers every request on the reply channel it carries, and
// the caller always receives it.
type request struct {
	n     int
	reply chan int
}

func serve(requests <-chan request) {
	for req := range requests {
		req.reply <- req.n + 1
	}
}

func askAll(values []int) int {
	requests := make(chan request)
	go serve(requests)
	total := 0
	for _, value := range values {
		reply := make(chan int)
		requests <- request{n: value, reply: reply}
		total += <-reply
	}
	close(requests)
	return total
}
