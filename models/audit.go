package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"
)

// Actor is who performs an audited action.
type Actor struct {
	UserID int64  // 0 for the system or an unknown account
	Label  string // e-mail address, or "système", "cli"
}

// ActorFor returns the actor for a signed-in user.
func ActorFor(u *User) Actor { return Actor{UserID: u.ID, Label: u.Email} }

// SystemActor returns an actor for work done by the portal itself (jobs, CLI, demo).
func SystemActor(label string) Actor { return Actor{Label: label} }

// ObjectRef formats an audited object as "kind:id".
func ObjectRef(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// AuditEntry is what a caller records; Audit adds the time and the chain.
type AuditEntry struct {
	CommissionID int64
	Actor        Actor
	Action       string
	Object       string
	Details      map[string]any
}

// AuditRecord is one link of the append-only audit chain:
// Hash = SHA-256(PrevHash ‖ canonical record).
type AuditRecord struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID           int64     `bun:",pk,autoincrement"`
	At           time.Time `bun:",notnull"`
	CommissionID int64     `bun:",notnull"` // 0 for platform-wide events
	ActorID      int64     `bun:",notnull"`
	ActorLabel   string    `bun:",notnull"`
	Action       string    `bun:",notnull"`
	Object       string    `bun:",notnull"`
	Details      string    `bun:",notnull"` // canonical JSON
	PrevHash     string    `bun:",notnull"`
	Hash         string    `bun:",notnull,unique"`
}

// canonical is the byte string that is hashed for a record.
func (r *AuditRecord) canonical() []byte {
	b, _ := json.Marshal(struct {
		At           string          `json:"at"`
		CommissionID int64           `json:"commission_id"`
		ActorID      int64           `json:"actor_id"`
		ActorLabel   string          `json:"actor"`
		Action       string          `json:"action"`
		Object       string          `json:"object"`
		Details      json.RawMessage `json:"details"`
	}{r.At.UTC().Format(time.RFC3339Nano), r.CommissionID, r.ActorID, r.ActorLabel, r.Action, r.Object, json.RawMessage(r.Details)})
	return b
}

func (r *AuditRecord) computeHash() string {
	h := sha256.New()
	h.Write([]byte(r.PrevHash))
	h.Write(r.canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// auditLockKey serialises appends to the chain on PostgreSQL.
const auditLockKey = 731_2014_1329

// Audit appends e, which happened at now, to the chain in the caller's transaction (or its own when db is not one),
// so that the write it records and the record itself commit or fail together.
func Audit(ctx context.Context, db bun.IDB, now time.Time, e AuditEntry) error {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	raw, err := json.Marshal(details) // map keys are sorted: canonical
	if err != nil {
		return fmt.Errorf("audit: encode details: %w", err)
	}
	return InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if IsPG(tx) {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", auditLockKey); err != nil {
				return fmt.Errorf("audit: lock chain: %w", err)
			}
		}
		var prev string
		err := tx.NewSelect().Model((*AuditRecord)(nil)).Column("hash").Order("id DESC").Limit(1).Scan(ctx, &prev)
		if err != nil && notFound(err, "") != ErrNotFound {
			return fmt.Errorf("audit: read chain head: %w", err)
		}
		r := &AuditRecord{
			At: Stamp(now), CommissionID: e.CommissionID, ActorID: e.Actor.UserID, ActorLabel: e.Actor.Label,
			Action: e.Action, Object: e.Object, Details: string(raw), PrevHash: prev,
		}
		r.Hash = r.computeHash()
		if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
		return nil
	})
}

// AuditHashOf returns the hash the chain would compute for r; it lets callers
// (vote receipts) quote the link that records their action.
func AuditHashOf(r *AuditRecord) string { return r.computeHash() }

// ChainReport is the result of verifying the audit chain.
type ChainReport struct {
	Checked  int
	OK       bool
	BrokenID int64  // first record whose link does not hold
	Reason   string // why, in French
}

// VerifyAuditChain recomputes every link in order and reports the first broken one.
func VerifyAuditChain(ctx context.Context, db bun.IDB) (ChainReport, error) {
	rep := ChainReport{OK: true}
	prev := ""
	var lastID int64
	for {
		var batch []AuditRecord
		err := db.NewSelect().Model(&batch).Where("id > ?", lastID).Order("id ASC").Limit(1000).Scan(ctx)
		if err != nil {
			return rep, fmt.Errorf("verify audit chain: %w", err)
		}
		for i := range batch {
			r := &batch[i]
			rep.Checked++
			switch {
			case r.PrevHash != prev:
				rep.OK, rep.BrokenID, rep.Reason = false, r.ID, "le lien vers l'enregistrement précédent est rompu"
			case r.computeHash() != r.Hash:
				rep.OK, rep.BrokenID, rep.Reason = false, r.ID, "le contenu de l'enregistrement a été modifié"
			}
			if !rep.OK {
				return rep, nil
			}
			prev = r.Hash
			lastID = r.ID
		}
		if len(batch) < 1000 {
			return rep, nil
		}
	}
}

// ListAudit returns the latest records of a commission (0: all), newest first.
func ListAudit(ctx context.Context, db bun.IDB, commissionID int64, limit int) ([]AuditRecord, error) {
	var rs []AuditRecord
	q := db.NewSelect().Model(&rs).Order("id DESC").Limit(int64(limit))
	if commissionID != 0 {
		q = q.Where("commission_id = ?", commissionID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return rs, nil
}
