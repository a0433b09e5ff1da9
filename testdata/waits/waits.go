package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"reflect"
	"runtime/pprof"
	"sync"
	"syscall"
)

// Each function below parks goroutines in one shape. Every blocking operation
// sits on its own line (except in relay, on purpose); expected.tsv lists the
// places with their counts.

// reflectSend: sends through reflect.Value.Send that nobody receives. The
// runtime parks them inside package reflect.
func reflectSend(n int) {
	for i := 0; i < n; i++ {
		ch := reflect.ValueOf(make(chan int))
		go func() {
			ch.Send(reflect.ValueOf(1))
		}()
	}
}

// reflectRecv: receives through reflect.Value.Recv that nobody sends to.
func reflectRecv(n int) {
	for i := 0; i < n; i++ {
		ch := reflect.ValueOf(make(chan int))
		go func() {
			_, _ = ch.Recv()
		}()
	}
}

// reflectSelect: reflect.Select over two channels that never become ready.
func reflectSelect(n int) {
	for i := 0; i < n; i++ {
		cases := []reflect.SelectCase{
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(make(chan int))},
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(make(chan string))},
		}
		go func() {
			reflect.Select(cases)
		}()
	}
}

// rwMutex: the lock is read-held forever. The first writer waits for the
// readers to leave (wait reason sync.RWMutex.Lock); later writers wait for
// the first one on the writers' mutex (sync.Mutex.Lock), at the same line.
// Readers that come after a waiting writer queue behind it
// (sync.RWMutex.RLock). It runs before any other pattern: waitParked counts
// every parked goroutine of this file.
func rwMutex(writers, readers int) {
	var rw sync.RWMutex
	rw.RLock()
	for i := 0; i < writers; i++ {
		go func() {
			rw.Lock()
		}()
	}
	waitParked(writers)
	for i := 0; i < readers; i++ {
		go func() {
			rw.RLock()
		}()
	}
}

// sharedConn: n goroutines read one connection whose peer never writes. One
// holds the connection's read lock and waits in the poller (IO wait); the
// others wait for that lock on a runtime semaphore (semacquire).
func sharedConn(n int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	s, err := ln.Accept()
	if err != nil {
		return err
	}
	peers = append(peers, s)
	for i := 0; i < n; i++ {
		go func() {
			buf := make([]byte, 1)
			_, _ = c.Read(buf)
		}()
	}
	return nil
}

// peers keeps the server side of sharedConn's connection open.
var peers []net.Conn

// notifySignal: signal.Notify starts the runtime's signal loop, which waits
// in a system call (wait reason syscall) in package os/signal.
func notifySignal() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGUSR1)
}

// twoPlaces: one function that blocks at two lines, sending on two
// channels nobody receives from: two places, never one.
func twoPlaces(first, second int) {
	for i := 0; i < first+second; i++ {
		a, b := make(chan int), make(chan int)
		go func(useA bool) {
			if useA {
				a <- 1
			} else {
				b <- 2
			}
		}(i < first)
	}
}

// relay: two operations on one line. Relays whose input never comes wait
// to receive; relays that got their input wait to send it on. Same place,
// different operations.
func relay(receivers, senders int) {
	for i := 0; i < receivers+senders; i++ {
		in, out := make(chan int, 1), make(chan int)
		if i >= receivers {
			in <- i
		}
		go func() {
			out <- <-in
		}()
	}
}

// deepStacks: goroutines that recurse 80 calls deep, then wait forever.
func deepStacks(n int) {
	for i := 0; i < n; i++ {
		go func() {
			descend(make(chan int), 80)
		}()
	}
}

func descend(ch chan int, depth int) int {
	if depth == 0 {
		return <-ch
	}
	return descend(ch, depth-1) + 1
}

// labelled: goroutines labelled with a request id each (more ids than a
// place keeps) and one shared label.
func labelled(n int) {
	for i := 0; i < n; i++ {
		labels := pprof.Labels("request", fmt.Sprintf("r%02d", i), "pattern", "labelled")
		pprof.Do(context.Background(), labels, func(context.Context) {
			ch := make(chan int)
			go func() {
				<-ch
			}()
		})
	}
}

// earlyRelease releases the goroutines startEarly parked.
var earlyRelease = make(chan int)

// startEarly parks goroutines at park until /advance.
func startEarly(n int) {
	for i := 0; i < n; i++ {
		go func() {
			park(earlyRelease)
		}()
	}
}

// startLate parks goroutines at park, after /advance, from another caller.
func startLate(n int) {
	for i := 0; i < n; i++ {
		go func() {
			park(make(chan int))
		}()
	}
}

// park waits for a value on ch: the one place both phases block at.
//
//go:noinline
func park(ch chan int) int {
	return <-ch
}

// blockingRead: reads from pipes in blocking mode, which the poller does not
// manage: each goroutine waits in a system call (and holds a thread).
func blockingRead(n int) error {
	for i := 0; i < n; i++ {
		var fds [2]int
		if err := syscall.Pipe(fds[:]); err != nil {
			return err
		}
		pipes = append(pipes, fds[1])
		go func() {
			buf := make([]byte, 1)
			_, _ = syscall.Read(fds[0], buf)
		}()
	}
	return nil
}

// pipes keeps the write ends of blockingRead's pipes open.
var pipes []int
