// Command service is a test fixture for leakprof's time series, fleet,
// GC-confirmed leak and adaptive threshold support. It serves net/http/pprof
// and runs, side by side (see patterns.go):
//
//   - a leak that grows with time: every -leak-every, -leak-batch goroutines
//     block forever sending on a channel nobody reads;
//   - a steady worker pool of -workers goroutines;
//   - a shrinking group of -drain goroutines, released -drain-batch every
//     -drain-every until none are left;
//   - a small background: 2 + 3 goroutines waiting on a signal and a cond.
//
// It prints "listening on http://ADDR", then "ready" once the initial
// goroutines are parked; the leak and the drain start after "ready".
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime"
	"time"
)

const (
	signalWaiters = 2
	condWaiters   = 3
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to serve net/http/pprof on")
	leakEvery := flag.Duration("leak-every", 100*time.Millisecond, "period of the growing leak")
	leakBatch := flag.Int("leak-batch", 10, "goroutines leaked per -leak-every")
	workers := flag.Int("workers", 40, "size of the steady worker pool")
	drain := flag.Int("drain", 60, "goroutines in the shrinking group")
	drainEvery := flag.Duration("drain-every", 750*time.Millisecond, "period of the drain")
	drainBatch := flag.Int("drain-batch", 5, "drain goroutines released per -drain-every")
	// Go 1.27 always serves /debug/pprof/goroutineleak (1.26 needed
	// GOEXPERIMENT=goroutineleakprofile at build time); the flag is accepted
	// so that scripts written for either version can pass it, and does nothing.
	_ = flag.Bool("leak-profile", false, "no-op: Go 1.27 always serves /debug/pprof/goroutineleak")
	flag.Parse()
	if *leakEvery <= 0 || *drainEvery <= 0 || *leakBatch < 0 || *workers < 0 || *drain < 0 || *drainBatch <= 0 {
		log.Fatal("service: periods and -drain-batch must be positive, counts non-negative")
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())

	for i := 0; i < *workers; i++ {
		go poolWorker()
	}
	for i := 0; i < *drain; i++ {
		go drainWaiter()
	}
	for i := 0; i < signalWaiters; i++ {
		go signalWaiter()
	}
	for i := 0; i < condWaiters; i++ {
		go condWaiter()
	}
	waitParked(*workers + *drain + signalWaiters + condWaiters)
	fmt.Println("ready")

	leakTicker = time.NewTicker(*leakEvery)
	drainTicker = time.NewTicker(*drainEvery)
	go control(*leakBatch, *drainBatch, *drain)
	log.Fatal(http.Serve(ln, nil))
}

// waitParked polls all goroutine stacks until n goroutines started from
// main.main are parked (not running or runnable), so profiles taken after
// "ready" see every initial goroutine at its blocking line.
func waitParked(n int) {
	buf := make([]byte, 1<<20)
	for {
		for {
			if k := runtime.Stack(buf, true); k < len(buf) {
				buf = buf[:k]
				break
			}
			buf = make([]byte, 2*len(buf))
		}
		if countParked(buf) == n {
			return
		}
		buf = buf[:cap(buf)]
		time.Sleep(10 * time.Millisecond)
	}
}

// countParked counts the goroutines in a runtime.Stack dump that were
// created by main.main and are blocked.
func countParked(dump []byte) int {
	count := 0
	for _, g := range bytes.Split(dump, []byte("\n\ngoroutine ")) {
		header, rest, _ := bytes.Cut(g, []byte("\n"))
		_, status, _ := bytes.Cut(header, []byte("["))
		if bytes.HasPrefix(status, []byte("runn")) || bytes.HasPrefix(status, []byte("syscall")) {
			continue
		}
		if bytes.Contains(rest, []byte("\ncreated by main.main in goroutine ")) {
			count++
		}
	}
	return count
}
