package minutes

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
)

// MinutesFile is what the minutes may say of a file: its pseudonymous reference, its
// request kind and the instructing association, never the person's identity.
type MinutesFile struct {
	ID              int64
	Reference       string
	Kind            files.FileKind
	AssociationName string
}

// MinutesFiles returns the files ids of commission cid for the minutes, by id.
func MinutesFiles(ctx context.Context, db bun.IDB, cid int64, ids []int64) (map[int64]MinutesFile, error) {
	out := map[int64]MinutesFile{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []MinutesFile
	err := db.NewSelect().TableExpr("files AS f").
		ColumnExpr("f.id, f.reference, f.kind, a.name AS association_name").
		Join("JOIN associations AS a ON a.id = f.association_id").
		Where("f.commission_id = ? AND f.id IN (?)", cid, bun.In(ids)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("minutes files: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// MinutesUserNames returns the names of the users of commission cid (members,
// présidents, secretariat) by id, for the minutes.
func MinutesUserNames(ctx context.Context, db bun.IDB, cid int64) (map[int64]string, error) {
	var us []models.User
	if err := db.NewSelect().Model(&us).Column("id", "name").Where("commission_id = ?", cid).Scan(ctx); err != nil {
		return nil, fmt.Errorf("minutes user names: %w", err)
	}
	out := make(map[int64]string, len(us))
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}
