// Command huge parks so many deep goroutines that
// /debug/pprof/goroutine?debug=2 exceeds the 64 MiB cap of
// runtime/pprof's writeGoroutineStacks and comes out truncated.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime"
	"sync/atomic"
	"time"
)

// block is never sent to.
var block = make(chan int)

var parked atomic.Int64

// descend recurses depth times and then blocks. Its only argument is an int,
// so every goroutine prints the same frames and the dump compresses well.
func descend(depth int) {
	if depth > 0 {
		descend(depth - 1)
		return
	}
	parked.Add(1)
	<-block
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to serve net/http/pprof on")
	count := flag.Int("n", 16000, "goroutines to park")
	depth := flag.Int("depth", 150, "recursion depth of each goroutine")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	for i := 0; i < *count; i++ {
		go descend(*depth)
	}
	for parked.Load() < int64(*count) {
		time.Sleep(10 * time.Millisecond)
	}
	runtime.Gosched()
	fmt.Println("ready")
	log.Fatal(http.Serve(ln, nil))
}
