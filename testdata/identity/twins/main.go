// Command twins is a test fixture for leakprof's finding ids: one function holds the same
// send twice, and -block chooses where its goroutines get stuck (the first send, the second,
// or half at each), so a profile can show one twin alone or both side by side. It serves
// net/http/pprof and prints "listening on http://ADDR", then "ready" once the goroutines
// are parked.
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

// send blocks forever on one of two identical sends: nobody receives from ch.
func send(ch chan int, second bool) {
	if !second {
		ch <- 1
		return
	}
	ch <- 1
}

func main() {
	block := flag.String("block", "both", "where the goroutines block: first, second or both")
	count := flag.Int("count", 20, "goroutines started")
	flag.Parse()
	for i := 0; i < *count; i++ {
		second := *block == "second" || (*block == "both" && i%2 == 1)
		go send(make(chan int), second)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", listener.Addr())
	for runtime.NumGoroutine() < *count+1 {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("ready")
	log.Fatal(http.Serve(listener, nil))
}
