package files

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// ReadableFiles returns, among fileIDs, those whose page viewer may open at now (at
// least the summary), in two queries whatever their number: the set is the same as
// accessFor's, so that a page links a file only when the link answers.
func ReadableFiles(ctx context.Context, db bun.IDB, viewer *models.User, fileIDs []int64, now time.Time) (map[int64]bool, error) {
	out := map[int64]bool{}
	if viewer == nil || !viewer.Active || len(fileIDs) == 0 {
		return out, nil
	}
	var files []File
	q := db.NewSelect().Model(&files).Column("id", "association_id").
		Where("commission_id = ? AND id IN (?)", viewer.CommissionIDOrZero(), bun.In(fileIDs))
	if viewer.Role != models.RoleAssociation {
		q = q.Where("state <> ?", StateDraft)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("readable files: %w", err)
	}
	var granted map[int64]bool
	if viewer.Role == models.RoleMember {
		ids, err := grantedFileIDs(ctx, db, viewer, now)
		if err != nil {
			return nil, err
		}
		granted = make(map[int64]bool, len(ids))
		for _, id := range ids {
			granted[id] = true
		}
	}
	for _, f := range files {
		switch viewer.Role {
		case models.RoleSecretariat, models.RolePresident:
			out[f.ID] = true
		case models.RoleAssociation:
			out[f.ID] = viewer.AssociationID != nil && *viewer.AssociationID == f.AssociationID
		case models.RoleMember:
			out[f.ID] = granted[f.ID] && (viewer.AssociationID == nil || *viewer.AssociationID != f.AssociationID)
		}
	}
	return out, nil
}
