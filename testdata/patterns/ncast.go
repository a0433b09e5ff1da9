package main

import "strings"

// firstResult asks every replica and takes the first answer; the others
// block forever on the unbuffered channel (LeakProf's n-cast leak).
func firstResult(items []string) string {
	results := make(chan string)
	for _, item := range items {
		go func(item string) {
			results <- strings.ToUpper(item)
		}(item)
	}
	return <-results
}
