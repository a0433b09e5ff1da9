// Command waits is a test fixture for leakprof: it parks goroutines in the
// shapes that testdata/leaky does not have (see waits.go), then serves
// net/http/pprof so that real goroutine profiles can be captured from it
// (see ../capture.sh).
//
// It runs in two phases. The first starts every pattern, forces a garbage
// collection (the runtime notes how long a goroutine has waited only when a
// collection sees it blocked) and prints "ready". GET /advance starts the
// second: the early parkers are released and more goroutines park at the same
// place, started by another function; then it collects again.
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
	"sync"
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

	n, err := spawnAll()
	if err != nil {
		log.Fatal(err)
	}
	waitParked(n)
	runtime.GC()
	fmt.Println("ready")

	var once sync.Once
	http.HandleFunc("/advance", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			advance()
			waitParked(n - early + late)
			runtime.GC()
		})
		fmt.Fprintln(w, "advanced")
	})
	log.Fatal(http.Serve(ln, nil))
}

// Goroutines parked at main.park before and after /advance.
const (
	early = 4
	late  = 21
)

// spawnAll starts every pattern and returns how many goroutines started in
// waits.go it left blocked.
func spawnAll() (int, error) {
	// First: it waits for its own writers to park before starting readers.
	rwMutex(3, 14)
	reflectSend(11)
	reflectRecv(12)
	reflectSelect(13)
	if err := sharedConn(15); err != nil {
		return 0, err
	}
	notifySignal()
	if err := blockingRead(2); err != nil {
		return 0, err
	}
	twoPlaces(16, 17)
	relay(18, 19)
	deepStacks(3)
	labelled(20)
	startEarly(early)
	return 11 + 12 + 13 + 3 + 14 + 15 + 2 + 16 + 17 + 18 + 19 + 3 + 20 + early, nil
}

// advance releases the early parkers and starts the late ones.
func advance() {
	close(earlyRelease)
	startLate(late)
}

// waitParked polls all goroutine stacks until n goroutines started from
// waits.go are parked or in a system call (not running or runnable), so
// profiles taken after "ready" are deterministic.
func waitParked(n int) {
	buf := make([]byte, 1<<20)
	for {
		k := runtime.Stack(buf, true)
		if k == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		if countParked(buf[:k]) == n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func countParked(dump []byte) int {
	count := 0
	for _, g := range bytes.Split(dump, []byte("\n\ngoroutine ")) {
		header, rest, _ := bytes.Cut(g, []byte("\n"))
		_, status, _ := bytes.Cut(header, []byte("["))
		if bytes.HasPrefix(status, []byte("runn")) {
			continue
		}
		if i := bytes.LastIndex(rest, []byte("\ncreated by ")); i >= 0 && bytes.Contains(rest[i:], []byte("/waits.go:")) {
			count++
		}
	}
	return count
}
