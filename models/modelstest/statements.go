package modelstest

import (
	"context"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// StatementCounter counts the statements a database runs (a bun query hook), so that
// tests and benchmarks check that a page's cost does not grow with the data.
type StatementCounter struct{ n atomic.Int64 }

// CountStatements adds a counter to db and returns it.
func CountStatements(db *bun.DB) *StatementCounter {
	c := &StatementCounter{}
	db.AddQueryHook(c)
	return c
}

// N returns the number of statements run since the counter was added.
func (c *StatementCounter) N() int64 { return c.n.Load() }

// BeforeQuery implements bun.QueryHook.
func (c *StatementCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

// AfterQuery implements bun.QueryHook.
func (c *StatementCounter) AfterQuery(context.Context, *bun.QueryEvent) { c.n.Add(1) }
