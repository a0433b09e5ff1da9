// Command leaky is a test fixture for leakprof: it leaks goroutines in many
// well-known patterns (see leaks.go), then serves net/http/pprof so that
// real goroutine profiles can be captured from it (see ../capture.sh).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime"
	"runtime/pprof"
	"time"
)

// stopWorkers would cancel the ctxLoop workers; nothing ever calls it.
var stopWorkers context.CancelFunc

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to serve net/http/pprof on")
	panicAfterReady := flag.Bool("panic", false, "panic once all goroutines are parked")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())

	n, err := spawnAll()
	if err != nil {
		log.Fatal(err)
	}
	waitParked(n)
	fmt.Println("ready")
	if *panicAfterReady {
		panic("leaky: panic requested with -panic")
	}
	log.Fatal(http.Serve(ln, nil))
}

// spawnAll starts every pattern and returns how many goroutines it left
// blocked.
func spawnAll() (int, error) {
	for i := 0; i < 150; i++ {
		_, _ = prematureReturn(true)
	}

	slowCall := make(chan int)
	for i := 0; i < 200; i++ {
		_ = timeoutLeak(context.Background(), slowCall)
	}
	close(slowCall) // the slow calls finish only after their callers gave up

	for i := 0; i < 30; i++ {
		firstResponse(5) // 4 senders left behind each time
	}
	for i := 0; i < 110; i++ {
		rangeNeverClosed([]int{1, 2, 3})
	}
	for i := 0; i < 130; i++ {
		tickerLoop(make(chan struct{}))
	}
	for i := 0; i < 140; i++ {
		afterLoop(make(chan int))
	}
	var ctx context.Context
	ctx, stopWorkers = context.WithCancel(context.Background())
	for i := 0; i < 160; i++ {
		ctxLoop(ctx, make(chan int))
	}
	pprof.Do(context.Background(), pprof.Labels("pattern", "nil"), func(context.Context) {
		nilSend(101)
		nilReceive(102)
	})
	selectForever(103)
	inlinedSend(104)
	selectNoTimer(105)
	globalReceive(106)
	smallLeak(5)
	mutexWait(50)
	waitGroupWait(40)
	sleeper(30)
	if err := ioRead(20); err != nil {
		return 0, err
	}
	condWait(10)

	return 150 + 200 + 120 + 110 + 130 + 140 + 160 + 101 + 102 + 103 + 104 + 105 + 106 + 5 +
		50 + 40 + 30 + 20 + 10, nil
}

// waitParked polls all goroutine stacks until n goroutines started from
// leaks.go are parked (not running or runnable), so profiles taken after
// "ready" are deterministic. A patched program leaves fewer of them, so it is
// also ready once none of them is running or runnable and the parked count
// has not changed for a second.
func waitParked(n int) {
	buf := make([]byte, 4<<20)
	last, same := -1, 0
	for {
		for {
			if k := runtime.Stack(buf, true); k < len(buf) {
				buf = buf[:k]
				break
			}
			buf = make([]byte, 2*len(buf))
		}
		parked, busy := countParked(buf)
		if parked == n {
			return
		}
		if busy > 0 || parked != last {
			last, same = parked, 0
		} else if same++; same == 100 {
			return
		}
		buf = buf[:cap(buf)]
		time.Sleep(10 * time.Millisecond)
	}
}

// countParked counts the goroutines in a runtime.Stack dump that were
// created in leaks.go: those blocked, and those running or runnable.
func countParked(dump []byte) (parked, busy int) {
	for _, g := range bytes.Split(dump, []byte("\n\ngoroutine ")) {
		header, rest, _ := bytes.Cut(g, []byte("\n"))
		_, status, _ := bytes.Cut(header, []byte("["))
		i := bytes.LastIndex(rest, []byte("\ncreated by "))
		if i < 0 || !bytes.Contains(rest[i:], []byte("/leaks.go:")) {
			continue
		}
		if bytes.HasPrefix(status, []byte("runn")) || bytes.HasPrefix(status, []byte("syscall")) {
			busy++
		} else {
			parked++
		}
	}
	return parked, busy
}
