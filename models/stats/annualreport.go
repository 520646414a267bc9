package stats

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// AnnualReport is the final annual workbook of a commission for a year, generated on
// 1 February of the next year (jobs.AnnualReport) and kept as generated: its hash is
// written in the audit chain. The on-demand workbook stays beside it, provisional.
type AnnualReport struct {
	bun.BaseModel `bun:"table:annual_reports"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	Year         int       `bun:",notnull"`
	FileName     string    `bun:",notnull"`
	Content      []byte    `bun:",notnull"`
	SHA256       string    `bun:"sha256,notnull"`
	GeneratedAt  time.Time `bun:",notnull"`
}

// StoreAnnualReport stores the final workbook of commission cid for year, unless one is
// stored already, and writes its hash in the audit chain, in one transaction. It
// reports whether it stored it.
func StoreAnnualReport(ctx context.Context, db bun.IDB, cid int64, year int, fileName string, content []byte, now time.Time) (bool, error) {
	sum := sha256.Sum256(content)
	r := &AnnualReport{CommissionID: cid, Year: year, FileName: fileName, Content: content, SHA256: hex.EncodeToString(sum[:]), GeneratedAt: models.Stamp(now)}
	stored := false
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(r).On("CONFLICT (commission_id, year) DO NOTHING").Returning("NULL").Exec(ctx)
		if err != nil {
			return fmt.Errorf("store annual report: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		stored = true
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.SystemActor("jobs"), Action: "stats.annual_report", Object: models.ObjectRef("commission", cid),
			Details: map[string]any{"year": year, "file": fileName, "bytes": len(content), "sha256": r.SHA256},
		})
	})
	return stored, err
}

// HasAnnualReport reports whether the final workbook of commission cid for year is stored.
func HasAnnualReport(ctx context.Context, db bun.IDB, cid int64, year int) (bool, error) {
	ok, err := db.NewSelect().Model((*AnnualReport)(nil)).Where("commission_id = ? AND year = ?", cid, year).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("annual report: %w", err)
	}
	return ok, nil
}

// ListAnnualReports returns the final workbooks of commission cid, without their
// content, newest year first.
func ListAnnualReports(ctx context.Context, db bun.IDB, cid int64) ([]AnnualReport, error) {
	var rs []AnnualReport
	if err := db.NewSelect().Model(&rs).ExcludeColumn("content").Where("commission_id = ?", cid).Order("year DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list annual reports: %w", err)
	}
	return rs, nil
}

// FindAnnualReport returns the final workbook of commission cid for year, or ErrNotFound.
func FindAnnualReport(ctx context.Context, db bun.IDB, cid int64, year int) (*AnnualReport, error) {
	r := new(AnnualReport)
	if err := db.NewSelect().Model(r).Where("commission_id = ? AND year = ?", cid, year).Scan(ctx); err != nil {
		return nil, models.NotFound(err, "find annual report")
	}
	return r, nil
}
