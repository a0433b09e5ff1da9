package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
)

// A database/sql driver with no database behind it: every connection answers
// any query with one row of one column, so that sql.DB runs its real opener and
// cleaner goroutines without a server.
func init() { sql.Register("fixture", fixtureDriver{}) }

type fixtureDriver struct{}

func (fixtureDriver) Open(name string) (driver.Conn, error) { return &conn{}, nil }

type conn struct{ closed bool }

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return nil, errors.New("fixture: prepared statements are not supported")
}

func (c *conn) Close() error {
	c.closed = true
	return nil
}

func (c *conn) Begin() (driver.Tx, error) {
	return nil, errors.New("fixture: transactions are not supported")
}

// QueryContext answers every query at once, so database/sql never prepares.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return &rows{values: []string{"42"}}, nil
}

type rows struct{ values []string }

func (r *rows) Columns() []string { return []string{"answer"} }

func (r *rows) Close() error { return nil }

func (r *rows) Next(dest []driver.Value) error {
	if len(r.values) == 0 {
		return io.EOF
	}
	dest[0] = r.values[0]
	r.values = r.values[1:]
	return nil
}
