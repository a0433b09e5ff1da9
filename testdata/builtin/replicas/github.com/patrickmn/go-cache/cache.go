// Package cache is a replica of github.com/patrickmn/go-cache for leakprof's
// built-in rule tests: a Cache's janitor.
package cache

import "time"

type Cache struct{ *cache }

type cache struct{ janitor *janitor }

type janitor struct {
	Interval time.Duration
	stop     chan bool
}

func New(cleanupInterval time.Duration) *Cache {
	c := &cache{}
	j := &janitor{Interval: cleanupInterval, stop: make(chan bool)}
	c.janitor = j
	go j.Run(c)
	return &Cache{c}
}

func (j *janitor) Run(c *cache) {
	ticker := time.NewTicker(j.Interval)
	for {
		select {
		case <-ticker.C:
		case <-j.stop:
			ticker.Stop()
			return
		}
	}
}
