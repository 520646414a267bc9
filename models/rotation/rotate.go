package rotation

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/minutes"
	"seance/models/sitting"
	"seance/models/twofactor"
)

// RotationReport counts the values RotateKeys re-sealed, by table and column.
type RotationReport struct {
	Resealed map[string]int // "persons.identity_sealed" → count
	Total    int
	// Sealed counts the procès-verbal snapshots found in clear (made before they were
	// sealed) and sealed with the current key.
	Sealed int
}

// SealedColumn is a column holding sealed values, with the aad of each row.
type SealedColumn struct {
	Table, Column string
	key           string // the row's key column: "id" unless set
	binary        bool   // sealed with SealBytes
	AAD           func(id int64) string
}

// keyColumn returns the column that identifies a row of the table.
func (c SealedColumn) keyColumn() string {
	if c.key == "" {
		return "id"
	}
	return c.key
}

// sealedColumns lists every sealed column of the database; RotateKeys walks them all.
func sealedColumns() []SealedColumn {
	return []SealedColumn{
		{Table: "persons", Column: "identity_sealed", AAD: files.IdentityAAD},
		{Table: "files", Column: "proposal_sealed", AAD: files.ProposalAAD},
		{Table: "attachments", Column: "name_sealed", AAD: files.AttachmentNameAAD},
		{Table: "attachments", Column: "content", binary: true, AAD: files.AttachmentAAD},
		{Table: "user_totp", Column: "secret_sealed", key: "user_id", AAD: twofactor.TOTPAAD},
		{Table: "sitting_votes", Column: "reasoning_sealed", AAD: sitting.ReasoningAAD},
		{Table: "sitting_votes", Column: "conditions_sealed", AAD: sitting.ConditionsAAD},
		{Table: "sitting_dissents", Column: "text_sealed", AAD: sitting.DissentAAD},
		{Table: "written_contributions", Column: "body_sealed", AAD: sitting.ContributionAAD},
		{Table: "minutes", Column: "content_sealed", AAD: minutes.MinutesAAD},
	}
}

// SealedRow is one sealed value read for rotation.
type SealedRow struct {
	ID    int64  `bun:"id"`
	Value []byte `bun:"value"`
}

// RotateKeys re-seals with kr's current key every sealed value sealed with an older key
// of the ring (`seance keys rotate`), after sealing the procès-verbal snapshots still in
// clear (SealMinutesSnapshots). Each batch of rows is its own transaction, so the
// command can be interrupted and run again; values already under the current key are left.
func RotateKeys(ctx context.Context, db *bun.DB, kr *keyring.Keyring, now time.Time) (RotationReport, error) {
	rep := RotationReport{Resealed: map[string]int{}}
	sealed, err := minutes.SealMinutesSnapshots(ctx, db, kr, now)
	rep.Sealed = sealed
	if err != nil {
		return rep, err
	}
	const batch = 50
	for _, col := range sealedColumns() {
		name := col.Table + "." + col.Column
		rep.Resealed[name] = 0 // every column is in the report, even when empty
		var lastID int64
		for {
			var rows []SealedRow
			key := bun.Ident(col.keyColumn())
			err := db.NewSelect().TableExpr(col.Table).ColumnExpr("? AS id", key).ColumnExpr("? AS value", bun.Ident(col.Column)).
				Where("? > ?", key, lastID).OrderExpr("? ASC", key).Limit(batch).Scan(ctx, &rows)
			if err != nil {
				return rep, fmt.Errorf("rotate %s: %w", name, err)
			}
			if len(rows) == 0 {
				break
			}
			lastID = rows[len(rows)-1].ID
			n, err := resealBatch(ctx, db, kr, col, rows)
			rep.Resealed[name] += n
			rep.Total += n
			if err != nil {
				return rep, err
			}
		}
	}
	details := map[string]any{"resealed": rep.Total}
	if rep.Sealed > 0 {
		details["sealed"] = rep.Sealed
	}
	err = models.Audit(ctx, db, now, models.AuditEntry{Actor: models.SystemActor("cli"), Action: "keys.rotate", Object: "keyring:" + kr.CurrentID(), Details: details})
	return rep, err
}

// resealBatch re-seals the rows of one batch that are not under the current key.
func resealBatch(ctx context.Context, db *bun.DB, kr *keyring.Keyring, col SealedColumn, rows []SealedRow) (int, error) {
	n := 0
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		for _, r := range rows {
			if len(r.Value) == 0 {
				continue
			}
			var value any
			if col.binary {
				if keyring.SealedBytesWith(r.Value) == kr.CurrentID() {
					continue
				}
				plain, err := kr.OpenBytes(r.Value, col.AAD(r.ID))
				if err != nil {
					return fmt.Errorf("rotate %s.%s row %d: %w", col.Table, col.Column, r.ID, err)
				}
				value = kr.SealBytes(plain, col.AAD(r.ID))
			} else {
				if keyring.SealedWith(string(r.Value)) == kr.CurrentID() {
					continue
				}
				plain, err := kr.Open(string(r.Value), col.AAD(r.ID))
				if err != nil {
					return fmt.Errorf("rotate %s.%s row %d: %w", col.Table, col.Column, r.ID, err)
				}
				value = kr.Seal(plain, col.AAD(r.ID))
			}
			_, err := tx.NewUpdate().TableExpr(col.Table).Set("? = ?", bun.Ident(col.Column), value).Where("? = ?", bun.Ident(col.keyColumn()), r.ID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("rotate %s.%s row %d: %w", col.Table, col.Column, r.ID, err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
