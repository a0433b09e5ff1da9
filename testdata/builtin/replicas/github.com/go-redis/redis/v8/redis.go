// Package redis is a replica of github.com/go-redis/redis/v8 for leakprof's
// built-in rule tests: a client owns one connection pool.
package redis

import (
	"time"

	"github.com/go-redis/redis/v8/internal/pool"
)

type Client struct{ pool *pool.ConnPool }

func NewClient() *Client { return &Client{pool: pool.NewConnPool(time.Minute)} }

func (c *Client) Close() error { return c.pool.Close() }
