// Command bounds is a test fixture for leakprof's bound verification: goroutines that wait
// in selects (and bare waits) that look bounded by a timer, a ticker or a context. Some of
// those bounds can fire and some never can (see bounds.go). It serves net/http/pprof; Go
// 1.27's goroutineleak profile and the (leaked) markers of its debug=2 dump tell which
// goroutines leaked, which is the oracle the tests check leakprof against.
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

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to serve net/http/pprof on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())

	// A distinct count per case, so that each place is told by its count too.
	backgroundCtx(11)
	discardedCancel(12)
	deferredCancel(13)
	stoppedTimer(14)
	reusedTimer(15)
	paramBackground(16)
	backgroundWait(17)
	stoppedTickerWait(18)
	withTimeout(21)
	afterInLoop(22)
	liveTicker(23)
	doneVariable(24)
	paramTimeout(25)
	ignoredCancel(26)
	cancelEachTurn(27)
	deferredFuncCancel(28)
	literalDeferredCancel(29)
	// reusedTimer's timers fire after a millisecond; wait for them to have fired.
	time.Sleep(50 * time.Millisecond)
	waitParked(11 + 12 + 13 + 14 + 15 + 16 + 17 + 18 + 21 + 22 + 23 + 24 + 25 + 26 + 27 + 28 + 29)
	fmt.Println("ready")
	log.Fatal(http.Serve(ln, nil))
}

// waitParked polls all goroutine stacks until n goroutines started from bounds.go are
// parked (not running or runnable), so that profiles taken after "ready" are deterministic.
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
		count := 0
		for _, g := range bytes.Split(buf, []byte("\n\ngoroutine ")) {
			header, rest, _ := bytes.Cut(g, []byte("\n"))
			_, status, _ := bytes.Cut(header, []byte("["))
			if bytes.HasPrefix(status, []byte("runn")) || bytes.HasPrefix(status, []byte("syscall")) {
				continue
			}
			if i := bytes.LastIndex(rest, []byte("\ncreated by ")); i >= 0 && bytes.Contains(rest[i:], []byte("/bounds.go:")) {
				count++
			}
		}
		if count == n {
			return
		}
		buf = buf[:cap(buf)]
		time.Sleep(10 * time.Millisecond)
	}
}
