package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
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

// AuditRecord is one link of the append-only audit chain. A keyed link (KeyID set) is
// Hash = HMAC-SHA256(audit key, PrevHash ‖ canonical record); records written before
// the chain was keyed are Hash = SHA-256(PrevHash ‖ canonical record). Once a keyed
// link exists, every later link must be keyed too.
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
	KeyID        string    `bun:",notnull"` // the audit key of a keyed link; "" before keying
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

// computeHash computes an unkeyed link; keyed links are computeMAC's.
func (r *AuditRecord) computeHash() string {
	h := sha256.New()
	h.Write([]byte(r.PrevHash))
	h.Write(r.canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// computeMAC computes the keyed link with key.
func (r *AuditRecord) computeMAC(key []byte) string {
	return hexMAC(key, []byte(r.PrevHash), r.canonical())
}

// Holds reports whether r's link is what its content, previous hash and key give,
// with the keys db carries.
func (r *AuditRecord) Holds(db bun.IDB) bool {
	if r.KeyID == "" {
		return r.computeHash() == r.Hash
	}
	ks, ok := auditKeysOf(db)
	return ok && ks.keys[r.KeyID] != nil && hmac.Equal([]byte(r.computeMAC(ks.keys[r.KeyID])), []byte(r.Hash))
}

// ErrAuditKeyMissing is returned when the chain is keyed but the handle holds no key.
var ErrAuditKeyMissing = errors.New("audit: the chain is keyed with SEANCE_SECRET_KEY but this process has no key")

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
		var head AuditRecord
		err := tx.NewSelect().Model(&head).Column("hash", "key_id").Order("id DESC").Limit(1).Scan(ctx)
		if err != nil && NotFound(err, "") != ErrNotFound {
			return fmt.Errorf("audit: read chain head: %w", err)
		}
		r := &AuditRecord{
			At: Stamp(now), CommissionID: e.CommissionID, ActorID: e.Actor.UserID, ActorLabel: e.Actor.Label,
			Action: e.Action, Object: e.Object, Details: string(raw), PrevHash: head.Hash,
		}
		switch ks, keyed := auditKeysOf(tx); {
		case keyed:
			r.KeyID = ks.current
			r.Hash = r.computeMAC(ks.keys[ks.current])
		case head.KeyID != "":
			return ErrAuditKeyMissing
		default: // a process without SEANCE_SECRET_KEY on a chain never keyed (tests of old data)
			r.Hash = r.computeHash()
		}
		if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
		return nil
	})
}

// ChainReport is the result of verifying the audit chain.
type ChainReport struct {
	Checked  int
	OK       bool
	BrokenID int64     // first record whose link does not hold
	Reason   string    // why, in French
	Head     AuditHead // the last record checked
}

// VerifyAuditChain recomputes every link in order and reports the first broken one.
// Keyed links are checked with the keys the handle carries (WithAuditKeys); without
// them a keyed link cannot be checked and is reported.
func VerifyAuditChain(ctx context.Context, db bun.IDB) (ChainReport, error) {
	rep := ChainReport{OK: true}
	prev := ""
	keyed := false
	ks, haveKeys := auditKeysOf(db)
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
			case r.KeyID == "" && keyed:
				rep.OK, rep.BrokenID, rep.Reason = false, r.ID, "l'enregistrement n'est pas scellé par la clé alors que les précédents le sont"
			case r.KeyID == "" && r.computeHash() != r.Hash:
				rep.OK, rep.BrokenID, rep.Reason = false, r.ID, "le contenu de l'enregistrement a été modifié"
			case r.KeyID != "" && !haveKeys:
				rep.OK, rep.BrokenID, rep.Reason = false, r.ID, "l'enregistrement est scellé par une clé : SEANCE_SECRET_KEY est nécessaire pour le vérifier"
			case r.KeyID != "" && ks.keys[r.KeyID] == nil:
				rep.OK, rep.BrokenID, rep.Reason = false, r.ID, "l'enregistrement est scellé par une clé inconnue (ancienne clé absente de SEANCE_OLD_SECRET_KEYS ?)"
			case r.KeyID != "" && !hmac.Equal([]byte(r.computeMAC(ks.keys[r.KeyID])), []byte(r.Hash)):
				rep.OK, rep.BrokenID, rep.Reason = false, r.ID, "le sceau de l'enregistrement est faux : contenu modifié ou lien forgé sans la clé"
			}
			if !rep.OK {
				return rep, nil
			}
			prev, keyed = r.Hash, keyed || r.KeyID != ""
			lastID = r.ID
			rep.Head = AuditHead{ID: r.ID, Hash: r.Hash, At: r.At}
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
