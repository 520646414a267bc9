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
	if viewer == nil || !viewer.Active || len(fileIDs) == 0 {
		return map[int64]bool{}, nil
	}
	files, err := LinkRows(ctx, db, viewer.CommissionIDOrZero(), fileIDs)
	if err != nil {
		return nil, err
	}
	return ReadableAmong(ctx, db, viewer, files, now)
}

// LinkRows returns, of files fileIDs of commission cid, what ReadableAmong decides on:
// their id, commission, association and state.
func LinkRows(ctx context.Context, db bun.IDB, cid int64, fileIDs []int64) ([]File, error) {
	var files []File
	if len(fileIDs) == 0 {
		return files, nil
	}
	err := db.NewSelect().Model(&files).Column("id", "commission_id", "association_id", "state").
		Where("commission_id = ? AND id IN (?)", cid, bun.In(fileIDs)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("readable files: %w", err)
	}
	return files, nil
}

// ReadableAmong is ReadableFiles on the rows LinkRows read, maybe earlier (a page keeps
// them until the next write): only a member's grants are read, at now.
func ReadableAmong(ctx context.Context, db bun.IDB, viewer *models.User, files []File, now time.Time) (map[int64]bool, error) {
	out := map[int64]bool{}
	if viewer == nil || !viewer.Active || len(files) == 0 {
		return out, nil
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
		if f.CommissionID != viewer.CommissionIDOrZero() || (f.State == StateDraft && viewer.Role != models.RoleAssociation) {
			continue
		}
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
