// Command patterns is a test fixture for leakprof: each file leaks goroutines in
// one leak pattern (the file is named after it), always the same number, then
// the program waits until its goroutines settle and serves net/http/pprof so
// that profiles can be captured from it (see capture.sh). expected.tsv lists
// every place with its count and pattern.
package main

import (
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
	addr := flag.String("addr", "127.0.0.1:0", "address to serve pprof on")
	flag.Parse()

	load()
	settle()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	fmt.Println("ready")
	log.Fatal(http.Serve(ln, nil))
}

// load runs every pattern with its fixed count.
func load() {
	slow := make(chan struct{})
	for i := 0; i < 31; i++ {
		_ = fetchWithTimeout(slow)
	}
	for order := 0; order < 66; order++ {
		_ = handleOrder(order)
	}
	for i := 0; i < 8; i++ {
		_ = firstResult([]string{"a", "b", "c", "d", "e"})
	}
	for i := 0; i < 34; i++ {
		sum([]int{1, 2, 3})
	}
	for i := 0; i < 35; i++ {
		gather(3)
	}
	for i := 0; i < 36; i++ {
		go drain(3)
	}
	for id := 0; id < 74; id++ {
		_ = lookup(id)
	}
	for i := 0; i < 38; i++ {
		newPoller()
	}
	for i := 0; i < 39; i++ {
		watch()
	}
	nilSend(40)
	forever(41)
	global(42)
	escaped(43)
	for job := 0; job < 88; job++ {
		_ = startJob(job)
	}
	close(slow)
}

// settle waits until the number of goroutines stops changing: the leaked
// ones are parked for good, the others have finished.
func settle() {
	last, same := -1, 0
	for same < 25 {
		time.Sleep(20 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n == last {
			same++
		} else {
			last, same = n, 0
		}
	}
}
