package models

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// RotationReport counts the values RotateKeys re-sealed, by table and column.
type RotationReport struct {
	Resealed map[string]int // "persons.identity_sealed" → count
	Total    int
	// Sealed counts the procès-verbal snapshots found in clear (made before they were
	// sealed) and sealed with the current key.
	Sealed int
}

// sealedColumn is a column holding sealed values, with the aad of each row.
type sealedColumn struct {
	table, column string
	key           string // the row's key column: "id" unless set
	binary        bool   // sealed with SealBytes
	aad           func(id int64) string
}

// keyColumn returns the column that identifies a row of the table.
func (c sealedColumn) keyColumn() string {
	if c.key == "" {
		return "id"
	}
	return c.key
}

// sealedColumns lists every sealed column of the database; RotateKeys walks them all.
func sealedColumns() []sealedColumn {
	return []sealedColumn{
		{table: "persons", column: "identity_sealed", aad: identityAAD},
		{table: "files", column: "proposal_sealed", aad: proposalAAD},
		{table: "attachments", column: "name_sealed", aad: attachmentNameAAD},
		{table: "attachments", column: "content", binary: true, aad: attachmentAAD},
		{table: "user_totp", column: "secret_sealed", key: "user_id", aad: totpAAD},
		{table: "sitting_votes", column: "reasoning_sealed", aad: reasoningAAD},
		{table: "sitting_votes", column: "conditions_sealed", aad: conditionsAAD},
		{table: "sitting_dissents", column: "text_sealed", aad: dissentAAD},
		{table: "written_contributions", column: "body_sealed", aad: contributionAAD},
		{table: "minutes", column: "content_sealed", aad: minutesAAD},
	}
}

// sealedRow is one sealed value read for rotation.
type sealedRow struct {
	ID    int64  `bun:"id"`
	Value []byte `bun:"value"`
}

// RotateKeys re-seals with kr's current key every sealed value sealed with an older key
// of the ring (`seance keys rotate`), after sealing the procès-verbal snapshots still in
// clear (SealMinutesSnapshots). Each batch of rows is its own transaction, so the
// command can be interrupted and run again; values already under the current key are left.
func RotateKeys(ctx context.Context, db *bun.DB, kr *Keyring, now time.Time) (RotationReport, error) {
	rep := RotationReport{Resealed: map[string]int{}}
	sealed, err := SealMinutesSnapshots(ctx, db, kr, now)
	rep.Sealed = sealed
	if err != nil {
		return rep, err
	}
	const batch = 50
	for _, col := range sealedColumns() {
		name := col.table + "." + col.column
		rep.Resealed[name] = 0 // every column is in the report, even when empty
		var lastID int64
		for {
			var rows []sealedRow
			key := bun.Ident(col.keyColumn())
			err := db.NewSelect().TableExpr(col.table).ColumnExpr("? AS id", key).ColumnExpr("? AS value", bun.Ident(col.column)).
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
	err = Audit(ctx, db, now, AuditEntry{Actor: SystemActor("cli"), Action: "keys.rotate", Object: "keyring:" + kr.CurrentID(), Details: details})
	return rep, err
}

// resealBatch re-seals the rows of one batch that are not under the current key.
func resealBatch(ctx context.Context, db *bun.DB, kr *Keyring, col sealedColumn, rows []sealedRow) (int, error) {
	n := 0
	err := InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		for _, r := range rows {
			if len(r.Value) == 0 {
				continue
			}
			var value any
			if col.binary {
				if SealedBytesWith(r.Value) == kr.CurrentID() {
					continue
				}
				plain, err := kr.OpenBytes(r.Value, col.aad(r.ID))
				if err != nil {
					return fmt.Errorf("rotate %s.%s row %d: %w", col.table, col.column, r.ID, err)
				}
				value = kr.SealBytes(plain, col.aad(r.ID))
			} else {
				if SealedWith(string(r.Value)) == kr.CurrentID() {
					continue
				}
				plain, err := kr.Open(string(r.Value), col.aad(r.ID))
				if err != nil {
					return fmt.Errorf("rotate %s.%s row %d: %w", col.table, col.column, r.ID, err)
				}
				value = kr.Seal(plain, col.aad(r.ID))
			}
			_, err := tx.NewUpdate().TableExpr(col.table).Set("? = ?", bun.Ident(col.column), value).Where("? = ?", bun.Ident(col.keyColumn()), r.ID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("rotate %s.%s row %d: %w", col.table, col.column, r.ID, err)
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
