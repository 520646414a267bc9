package migrations

import (
	"context"
	"fmt"
	"regexp"

	"github.com/uptrace/bun"
)

// outboxBody20261206 is the part of an outbox row this migration rewrites.
type outboxBody20261206 struct {
	bun.BaseModel `bun:"table:outbox_messages"`

	ID    int64  `bun:",pk"`
	Body  string `bun:",notnull"`
	Error string `bun:",notnull"`
}

// linkSecret20261206 is a frozen copy of models.MaskLinkSecrets' pattern and mask.
var linkSecret20261206 = regexp.MustCompile(`/[A-Za-z0-9_-]{32,}`)

const maskedSecret20261206 = "/[secret masqué]"

// Outbox rows written before issue 11 kept the links of invitations, password resets
// and convocations readable; mask their secrets as RecordMail now does. There is no way
// back: the down migration leaves the rows masked.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			var last int64
			for {
				var rows []outboxBody20261206
				err := tx.NewSelect().Model(&rows).Where("id > ?", last).Order("id ASC").Limit(500).Scan(ctx)
				if err != nil {
					return fmt.Errorf("mask outbox secrets: %w", err)
				}
				if len(rows) == 0 {
					return nil
				}
				for _, r := range rows {
					last = r.ID
					body := linkSecret20261206.ReplaceAllLiteralString(r.Body, maskedSecret20261206)
					msg := linkSecret20261206.ReplaceAllLiteralString(r.Error, maskedSecret20261206)
					if body == r.Body && msg == r.Error {
						continue
					}
					_, err := tx.NewUpdate().Model((*outboxBody20261206)(nil)).Set("body = ?", body).Set("error = ?", msg).Where("id = ?", r.ID).Exec(ctx)
					if err != nil {
						return fmt.Errorf("mask outbox secrets: %w", err)
					}
				}
			}
		})
	}, func(context.Context, *bun.DB) error { return nil })
}
