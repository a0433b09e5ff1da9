package main

import (
	"context"
	"errors"
	"sync"
)

// group is an errgroup-style helper: the first error cancels the shared context, and Wait
// returns it after every goroutine has ended.
type group struct {
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	cancel context.CancelFunc
}

func withContext(parent context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancel(parent)
	return &group{cancel: cancel}, ctx
}

func (g *group) Go(task func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := task(); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

var errBadItem = errors.New("bad item")

// fetchAll runs one task per item; a failing task cancels the others, which stop sending
// because every send also waits on the context.
func fetchAll(parent context.Context, items []int) ([]int, error) {
	g, ctx := withContext(parent)
	results := make(chan int, len(items))
	for _, item := range items {
		g.Go(func() error {
			if item < 0 {
				return errBadItem
			}
			select {
			case results <- item * 2:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}
	err := g.Wait()
	close(results)
	var out []int
	for result := range results {
		out = append(out, result)
	}
	return out, err
}
