// Command stdlib is a test fixture for leakprof's built-in rules on the standard
// library's per-object daemons. It serves /work, whose handler talks to a
// database (through the tiny driver in driver.go) and to two upstream HTTP
// servers, one HTTP/1.1 and one unencrypted HTTP/2:
//
//   - -mode leaky: two sql.DBs, an http.Transport and an HTTP/2 Transport per
//     request, never closed, the most common goroutine leak in Go services:
//     every request leaves two database/sql openers and a cleaner, a
//     persistConn write loop (and read loop) and an HTTP/2 server connection
//     behind. The "users" DB has no connection lifetime, so nothing but its
//     own opener can reach it and the GC proves that opener leaked; the
//     "orders" DB's cleaner waits on a timer, which keeps it reachable, so the
//     GC cannot prove its goroutines leaked and only the rules' bounds tell.
//   - -mode healthy: one of each per process, shared by every request.
//
// main calls /work -requests times, waits until the goroutines settle, then
// says "ready" and serves net/http/pprof for capture.sh (on a listener of its
// own, so that main waits in accept, not on a channel).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime"
	"time"
)

func main() {
	mode := flag.String("mode", "healthy", "leaky: new clients per request; healthy: one per process")
	requests := flag.Int("requests", 150, "calls to /work before ready")
	flag.Parse()

	plain := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "plain")
	}), nil)
	h2 := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}), unencryptedHTTP2())

	var work http.Handler
	switch *mode {
	case "leaky":
		work = leaky{plain: plain, h2: h2}
	case "healthy":
		work = newHealthy(plain, h2)
	default:
		log.Fatalf("-mode %q: want leaky or healthy", *mode)
	}
	http.Handle("/work", work)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	go func() { log.Fatal(http.Serve(ln, nil)) }()

	for i := 0; i < *requests; i++ {
		get(http.DefaultClient, base+"/work")
	}
	settle()
	profiles, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", profiles.Addr())
	fmt.Println("ready")
	log.Fatal(http.Serve(profiles, nil))
}

// serve starts a server for h on a local port and returns its URL.
func serve(h http.Handler, protocols *http.Protocols) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: h, Protocols: protocols}
	go func() { log.Fatal(srv.Serve(ln)) }()
	return "http://" + ln.Addr().String()
}

// unencryptedHTTP2 is HTTP/2 with prior knowledge over plain TCP (h2c), so that
// no certificates are needed.
func unencryptedHTTP2() *http.Protocols {
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	return &protocols
}

func get(client *http.Client, url string) string {
	resp, err := client.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	return string(body)
}

// query runs one query, which leaves one idle connection in db's pool; with a
// lifetime it then sets it, which starts db's cleaner.
func query(db *sql.DB, lifetime time.Duration) {
	var answer string
	if err := db.QueryRowContext(context.Background(), "answer").Scan(&answer); err != nil {
		log.Fatal(err)
	}
	if lifetime > 0 {
		db.SetConnMaxLifetime(lifetime)
	}
}

func open(name string) *sql.DB {
	db, err := sql.Open("fixture", name)
	if err != nil {
		log.Fatal(err)
	}
	return db
}

// leaky makes its clients per request and never closes them.
type leaky struct{ plain, h2 string }

func (l leaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	query(open("orders"), time.Hour) // no Close()
	query(open("users"), 0)          // no Close()

	client := &http.Client{Transport: &http.Transport{}}
	get(client, l.plain) // no CloseIdleConnections()

	h2 := &http.Client{Transport: &http.Transport{Protocols: unencryptedHTTP2()}}
	io.WriteString(w, get(h2, l.h2))
}

// healthy shares one database handle and one client of each kind.
type healthy struct {
	orders   *sql.DB
	users    *sql.DB
	client   *http.Client
	h2       *http.Client
	plainURL string
	h2URL    string
}

func newHealthy(plain, h2 string) *healthy {
	return &healthy{
		orders:   open("orders"),
		users:    open("users"),
		client:   &http.Client{Transport: &http.Transport{}},
		h2:       &http.Client{Transport: &http.Transport{Protocols: unencryptedHTTP2()}},
		plainURL: plain,
		h2URL:    h2,
	}
}

func (h *healthy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	query(h.orders, time.Hour)
	query(h.users, 0)
	get(h.client, h.plainURL)
	io.WriteString(w, get(h.h2, h.h2URL))
}

// settle waits until the number of goroutines stops changing, then collects
// garbage so that the leak detector has a recent cycle to go by.
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
	runtime.GC()
}
