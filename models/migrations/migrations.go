// Package migrations holds the schema migrations, embedded in the binary and
// run in order under the migrator lock by Up.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Migrations is the registry every migration file adds itself to.
var Migrations = migrate.NewMigrations()

//go:embed *.sql
var sqlMigrations embed.FS

func init() {
	if err := Migrations.Discover(sqlMigrations); err != nil {
		panic(err)
	}
}

// Up applies every pending migration. It waits up to a minute for another
// instance holding the migrator lock.
func Up(ctx context.Context, db *bun.DB) error {
	m := migrate.NewMigrator(db, Migrations, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("migrate init: %w", err)
	}
	deadline := time.Now().Add(time.Minute) // real elapsed time: how long to wait for another instance's lock
	for {
		err := m.Lock(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) { // real elapsed time, as above
			return fmt.Errorf("migrate: %w (another instance is migrating, or a crashed one left the lock in bun_migration_locks)", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	_, err := m.Migrate(ctx)
	if uerr := m.Unlock(ctx); uerr != nil {
		err = errors.Join(err, uerr)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// inTx runs a Go migration's statements in one transaction.
func inTx(ctx context.Context, db *bun.DB, fn func(ctx context.Context, tx bun.Tx) error) error {
	return db.RunInTx(ctx, nil, fn)
}

// table is a frozen model with its foreign keys, e.g. "(commission_id) REFERENCES commissions (id)".
type table struct {
	model any
	fks   []string
}

// createTables creates the tables in order, with their foreign keys (SQLite only
// accepts them in CREATE TABLE).
func createTables(ctx context.Context, tx bun.Tx, tables ...table) error {
	for _, t := range tables {
		q := tx.NewCreateTable().Model(t.model)
		for _, fk := range t.fks {
			q = q.ForeignKey(fk)
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("create table %T: %w", t.model, err)
		}
	}
	return nil
}

// dropTables drops the tables of models in reverse order.
func dropTables(ctx context.Context, tx bun.Tx, tables ...table) error {
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := tx.NewDropTable().Model(tables[i].model).IfExists().Exec(ctx); err != nil {
			return fmt.Errorf("drop table %T: %w", tables[i].model, err)
		}
	}
	return nil
}

// Rollback undoes the last group of migrations and returns its id (0: nothing left).
func Rollback(ctx context.Context, db *bun.DB) (int64, error) {
	m := migrate.NewMigrator(db, Migrations, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return 0, fmt.Errorf("migrate init: %w", err)
	}
	g, err := m.Rollback(ctx)
	if err != nil {
		return 0, fmt.Errorf("rollback: %w", err)
	}
	return g.ID, nil
}
