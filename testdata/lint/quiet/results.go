package main

import (
	"context"
	"errors"
	"time"
)

// lookup waits for a slow call with a timeout; the result channel has room for the one
// send, so the goroutine finishes even when nobody receives.
func lookup(ctx context.Context, slow func() int) (int, error) {
	result := make(chan int, 1)
	go func() {
		result <- slow()
	}()
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	select {
	case value := <-result:
		return value, nil
	case <-timer.C:
		return 0, errors.New("timed out")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// fastest asks every replica and keeps the first answer; the channel is buffered for all
// of them, so the slower ones do not wait.
func fastest(replicas []func() string) string {
	answers := make(chan string, len(replicas))
	for _, replica := range replicas {
		go func(replica func() string) {
			answers <- replica()
		}(replica)
	}
	return <-answers
}

// validate returns early on bad input, but the goroutine's channel is buffered.
func validate(input string) (bool, error) {
	checked := make(chan bool, 1)
	go func() {
		checked <- len(input) < 100
	}()
	if input == "" {
		return false, errors.New("empty input")
	}
	return <-checked, nil
}
