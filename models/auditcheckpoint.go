package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uptrace/bun"
)

// AuditHead is the last link of the audit chain: its sequence number, hash and time.
type AuditHead struct {
	ID   int64     `json:"id"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
}

// AuditCheckpoint is the head of the chain written outside the database (a file in
// SEANCE_CHECKPOINT_DIR), so that deleting the last records of the chain, which
// leaves a chain that holds, is still seen.
type AuditCheckpoint struct {
	Head    AuditHead `json:"head"`
	Written time.Time `json:"written"`
}

// AuditCheckpointFile is the checkpoint's file name in its folder.
const AuditCheckpointFile = "audit-checkpoint.json"

// ReadAuditHead returns the chain's last record (zero on an empty chain).
func ReadAuditHead(ctx context.Context, db bun.IDB) (AuditHead, error) {
	var r AuditRecord
	err := db.NewSelect().Model(&r).Column("id", "hash", "at").Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		if errors.Is(NotFound(err, ""), ErrNotFound) {
			return AuditHead{}, nil
		}
		return AuditHead{}, fmt.Errorf("read audit head: %w", err)
	}
	return AuditHead{ID: r.ID, Hash: r.Hash, At: r.At}, nil
}

// WriteAuditCheckpoint writes the chain's head, at now, into dir (created if needed),
// replacing the previous checkpoint atomically, and returns it.
func WriteAuditCheckpoint(ctx context.Context, db bun.IDB, dir string, now time.Time) (AuditCheckpoint, error) {
	head, err := ReadAuditHead(ctx, db)
	if err != nil {
		return AuditCheckpoint{}, err
	}
	cp := AuditCheckpoint{Head: head, Written: Stamp(now)}
	b, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		return cp, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cp, fmt.Errorf("audit checkpoint: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, AuditCheckpointFile), append(b, '\n')); err != nil {
		return cp, fmt.Errorf("audit checkpoint: %w", err)
	}
	return cp, nil
}

// writeFileAtomic writes b to a temporary file, syncs it and renames it over path.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// LoadAuditCheckpoint reads the checkpoint in dir; ok is false when there is none yet.
func LoadAuditCheckpoint(dir string) (cp AuditCheckpoint, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, AuditCheckpointFile))
	if errors.Is(err, os.ErrNotExist) {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, fmt.Errorf("read audit checkpoint: %w", err)
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return cp, false, fmt.Errorf("read audit checkpoint %s: %w", filepath.Join(dir, AuditCheckpointFile), err)
	}
	return cp, true, nil
}

// CheckAgainst compares a verified chain with a checkpoint: the chain must reach the
// checkpoint's head and hold the same link there. It returns "" when it does, and
// otherwise why not, in French (dates in loc).
func (cp AuditCheckpoint) CheckAgainst(ctx context.Context, db bun.IDB, rep ChainReport, loc *time.Location) (string, error) {
	if cp.Head.ID == 0 {
		return "", nil
	}
	when := cp.Written.In(loc).Format("02/01/2006 à 15:04")
	if rep.Head.ID < cp.Head.ID {
		return fmt.Sprintf("la chaîne s'arrête au n° %d alors que le point de contrôle du %s en comptait %d : les derniers enregistrements ont été supprimés",
			rep.Head.ID, when, cp.Head.ID), nil
	}
	var hash string
	err := db.NewSelect().Model((*AuditRecord)(nil)).Column("hash").Where("id = ?", cp.Head.ID).Scan(ctx, &hash)
	if err != nil && !errors.Is(NotFound(err, ""), ErrNotFound) {
		return "", fmt.Errorf("check audit checkpoint: %w", err)
	}
	if hash != cp.Head.Hash {
		return fmt.Sprintf("l'enregistrement n° %d ne correspond pas au point de contrôle du %s : la chaîne a été réécrite", cp.Head.ID, when), nil
	}
	return "", nil
}
