package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// AuditCheckpoint writes the head of the audit chain (sequence number, hash, time)
// into a file outside the database, and logs it: `seance audit verify` compares the
// chain with the last checkpoint, so that deleting its last records is seen. serve
// also writes one at shutdown (WriteCheckpoint).
type AuditCheckpoint struct {
	DB  *bun.DB
	Dir string // SEANCE_CHECKPOINT_DIR
	Now func() time.Time
	Log *slog.Logger
}

// Name names the job.
func (j *AuditCheckpoint) Name() string { return "audit-checkpoint" }

// Run writes the checkpoint.
func (j *AuditCheckpoint) Run(ctx context.Context) error {
	if j.Dir == "" {
		return errors.New("audit checkpoint: no folder configured (SEANCE_CHECKPOINT_DIR)")
	}
	_, err := WriteCheckpoint(ctx, j.DB, j.Dir, j.Now(), j.Log)
	if err == nil {
		Handled(ctx, 1)
	}
	return err
}

// WriteCheckpoint writes the chain's head into dir and logs it.
func WriteCheckpoint(ctx context.Context, db bun.IDB, dir string, now time.Time, log *slog.Logger) (models.AuditCheckpoint, error) {
	cp, err := models.WriteAuditCheckpoint(ctx, db, dir, now)
	if err != nil {
		return cp, err
	}
	if log != nil {
		log.Info("audit checkpoint", "id", cp.Head.ID, "hash", cp.Head.Hash, "at", cp.Head.At, "dir", dir)
	}
	return cp, nil
}
