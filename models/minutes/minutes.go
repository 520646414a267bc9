package minutes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/meetings"
)

// MinutesStatus is where a version of a procès-verbal stands:
// draft → validated (by the chair) → submitted (to the next session) → approved →
// locked. A validated or submitted draft may go back to draft; a locked version never
// changes: a correction is a new version.
type MinutesStatus string

// The statuses of a procès-verbal.
const (
	MinutesDraft     MinutesStatus = "draft"
	MinutesValidated MinutesStatus = "validated"
	MinutesSubmitted MinutesStatus = "submitted"
	MinutesApproved  MinutesStatus = "approved"
	MinutesLocked    MinutesStatus = "locked"
)

// Label is the French name of the status.
func (s MinutesStatus) Label() string {
	switch s {
	case MinutesDraft:
		return "Projet"
	case MinutesValidated:
		return "Validé par le président"
	case MinutesSubmitted:
		return "Soumis à approbation"
	case MinutesApproved:
		return "Approuvé"
	case MinutesLocked:
		return "Approuvé et verrouillé"
	}
	return string(s)
}

// Minutes is one version of the procès-verbal of a session (CRPA R133-13). Its content
// is the JSON snapshot of the view-model (app/minutes.Minutes) made from the sitting's
// records, sealed with the keyring because it quotes the avis reasoning, conditions,
// dissents and contributions (Snapshot opens it); only the free texts of a draft can be
// edited. Once locked, ContentHash (also written to the audit chain) covers the clear
// content, the free texts and the approval, and the database refuses any change to the
// row but a new sealing of its snapshot.
type Minutes struct {
	bun.BaseModel `bun:"table:minutes"`

	ID           int64         `bun:",pk,autoincrement"`
	CommissionID int64         `bun:",notnull"`
	MeetingID    int64         `bun:",notnull"`
	Version      int           `bun:",notnull"` // 1, then 2… for corrections
	Status       MinutesStatus `bun:",notnull"`
	// ContentSealed is the JSON snapshot, kept byte for byte and sealed (minutesAAD).
	ContentSealed string `bun:",notnull" json:"-"`
	// ClearContent is the snapshot of a version made before sealing, until
	// SealMinutesSnapshots seals it; "" once sealed.
	ClearContent string `bun:"content,notnull" json:"-"`
	GeneralItems string `bun:",notnull"` // questions diverses
	Observations string `bun:",notnull"`

	ValidatedBy          *int64 `bun:",nullzero"`
	ValidatedAt          *time.Time
	SubmittedToMeetingID *int64 `bun:",nullzero"` // the session asked to approve it
	SubmittedAt          *time.Time
	ApprovedAt           *time.Time
	ApprovalRef          string `bun:",notnull"` // e.g. "séance du 8 décembre 2026, point 1"
	LockedAt             *time.Time
	ContentHash          string `bun:",notnull"` // SHA-256 hex, set when locked

	PreviousVersionID *int64    `bun:",nullzero"` // the locked version this one corrects
	PreviousHash      string    `bun:",notnull"`  // its content hash, kept
	CorrectionNote    string    `bun:",notnull"`  // why this version corrects the previous one
	CreatedAt         time.Time `bun:",notnull"`
	UpdatedAt         time.Time `bun:",notnull"`
}

// Refusals of the procès-verbal workflow, in French.
var (
	ErrMinutesExist          = models.NewRefusal("Un procès-verbal existe déjà pour cette séance : complétez le projet en cours ou, s'il est verrouillé, établissez une version rectificative.")
	ErrMinutesMeetingNotHeld = models.NewRefusal("La séance n'a pas été tenue : son procès-verbal ne peut pas être établi.")
	ErrMinutesNotDraft       = models.NewRefusal("Seul un projet de procès-verbal peut être modifié ; renvoyez-le d'abord en projet.")
	ErrMinutesLocked         = models.NewRefusal("Ce procès-verbal est approuvé et verrouillé : il ne peut plus être modifié. Une rectification prend la forme d'une nouvelle version annotée.")
	ErrMinutesChairOnly      = models.NewRefusal("Seul le président de la commission peut valider le procès-verbal.")
	ErrMinutesWrongStatus    = models.NewRefusal("Cette action n'est pas possible au stade actuel du procès-verbal.")
	ErrMinutesApprovalDate   = models.NewRefusal("Le procès-verbal est approuvé en séance : la séance à laquelle il est soumis n'a pas encore commencé.")
	ErrMinutesNextSession    = models.NewRefusal("Le procès-verbal doit être soumis à une séance ultérieure, planifiée ou en cours.")
	ErrMinutesSuperseded     = models.NewRefusal("Une version plus récente de ce procès-verbal existe : c'est elle qu'il faut rectifier.")
	ErrMinutesTampered       = models.NewRefusal("L'empreinte du procès-verbal verrouillé ne correspond plus à son contenu ou au journal d'audit : il a été altéré.")
)

// MaxMinutesText bounds each free text of a procès-verbal, in characters.
const MaxMinutesText = 20000

// MinutesTexts are the free texts the secretariat edits in a draft.
type MinutesTexts struct {
	GeneralItems string
	Observations string
}

// Validate trims the texts and checks their length.
func (in *MinutesTexts) Validate() models.FieldErrors {
	fe := models.FieldErrors{}
	in.GeneralItems, in.Observations = strings.TrimSpace(in.GeneralItems), strings.TrimSpace(in.Observations)
	models.CheckText(fe, "general_items", "Questions diverses", in.GeneralItems, MaxMinutesText)
	models.CheckText(fe, "observations", "Observations", in.Observations, MaxMinutesText)
	return fe
}

// MinutesAAD binds a procès-verbal's sealed snapshot to its row.
func MinutesAAD(id int64) string { return fmt.Sprintf("minutes:%d:content", id) }

// Snapshot returns the JSON content of the version, opened with kr.
func (r *Minutes) Snapshot(kr *keyring.Keyring) ([]byte, error) {
	if r.ContentSealed == "" {
		return []byte(r.ClearContent), nil
	}
	b, err := kr.Open(r.ContentSealed, MinutesAAD(r.ID))
	if err != nil {
		return nil, fmt.Errorf("minutes %d content: %w", r.ID, err)
	}
	return b, nil
}

// seal stores content sealed for row r, which must have its id.
func (r *Minutes) seal(kr *keyring.Keyring, content []byte) {
	r.ContentSealed, r.ClearContent = kr.Seal(content, MinutesAAD(r.ID)), ""
}

// insertMinutes inserts r without its content, then seals content for its id: the
// snapshot never reaches the database in clear.
func insertMinutes(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, r *Minutes, content []byte) error {
	r.ContentSealed, r.ClearContent = "", ""
	if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
		return fmt.Errorf("insert minutes: %w", err)
	}
	r.seal(kr, content)
	if _, err := tx.NewUpdate().Model(r).Column("content_sealed").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("seal minutes: %w", err)
	}
	return nil
}

// checkContent refuses content that is not a JSON object.
func checkContent(content []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(content, &obj); err != nil {
		return fmt.Errorf("minutes content is not a JSON object: %w", err)
	}
	return nil
}

// CreateMinutesDraft makes version 1 of the procès-verbal of session meetingID, held
// (open or closed), from content generated from the sitting's records, sealed with kr.
func CreateMinutesDraft(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor models.Actor, cid, meetingID int64, content []byte, now time.Time) (*Minutes, error) {
	if err := checkContent(content); err != nil {
		return nil, err
	}
	var out *Minutes
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := meetings.FindMeeting(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		if m.Status != meetings.MeetingOpen && m.Status != meetings.MeetingClosed {
			return ErrMinutesMeetingNotHeld
		}
		n, err := tx.NewSelect().Model((*Minutes)(nil)).Where("commission_id = ? AND meeting_id = ?", cid, meetingID).Count(ctx)
		if err != nil {
			return fmt.Errorf("create minutes: %w", err)
		}
		if n > 0 {
			return ErrMinutesExist
		}
		t := models.Stamp(now)
		r := &Minutes{CommissionID: cid, MeetingID: meetingID, Version: 1, Status: MinutesDraft, CreatedAt: t, UpdatedAt: t}
		if err := insertMinutes(ctx, tx, kr, r, content); err != nil {
			return err
		}
		out = r
		return auditMinutes(ctx, tx, actor, r, "minutes.create", nil, now)
	})
	return out, err
}

// auditMinutes records an action on version r, with its version and status.
func auditMinutes(ctx context.Context, tx bun.IDB, actor models.Actor, r *Minutes, action string, extra map[string]any, now time.Time) error {
	details := map[string]any{"meeting_id": r.MeetingID, "version": r.Version, "status": string(r.Status)}
	for k, v := range extra {
		details[k] = v
	}
	return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: r.CommissionID, Actor: actor, Action: action, Object: models.ObjectRef("minutes", r.ID), Details: details})
}

// changeMinutes loads version id of commission cid in tx, checks its status is one of
// from, applies change and saves the row.
func changeMinutes(ctx context.Context, tx bun.Tx, cid, id int64, from []MinutesStatus, change func(r *Minutes) error) (*Minutes, error) {
	r, err := FindMinutes(ctx, tx, cid, id)
	if err != nil {
		return nil, err
	}
	ok := false
	for _, s := range from {
		ok = ok || r.Status == s
	}
	switch {
	case ok:
	case r.Status == MinutesLocked:
		return nil, ErrMinutesLocked
	case len(from) == 1 && from[0] == MinutesDraft:
		return nil, ErrMinutesNotDraft
	default:
		return nil, ErrMinutesWrongStatus
	}
	if err := change(r); err != nil {
		return nil, err
	}
	if _, err := tx.NewUpdate().Model(r).WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("update minutes %d: %w", id, err)
	}
	return r, nil
}

// stepMinutes applies change to version id, if its status is one of from, and audits
// action, in one transaction.
func stepMinutes(ctx context.Context, db bun.IDB, actor models.Actor, cid, id int64, from []MinutesStatus, action string, now time.Time, change func(r *Minutes) error) (*Minutes, error) {
	var out *Minutes
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		r, err := changeMinutes(ctx, tx, cid, id, from, change)
		if err != nil {
			return err
		}
		out = r
		return auditMinutes(ctx, tx, actor, r, action, nil, now)
	})
	return out, err
}

// UpdateMinutesTexts sets the free texts of a draft.
func UpdateMinutesTexts(ctx context.Context, db bun.IDB, actor models.Actor, cid, id int64, in MinutesTexts, now time.Time) (*Minutes, error) {
	if fe := in.Validate(); len(fe) > 0 {
		return nil, fe.Err()
	}
	return stepMinutes(ctx, db, actor, cid, id, []MinutesStatus{MinutesDraft}, "minutes.texts", now, func(r *Minutes) error {
		r.GeneralItems, r.Observations, r.UpdatedAt = in.GeneralItems, in.Observations, models.Stamp(now)
		return nil
	})
}

// RefreshMinutesContent replaces the content of a draft with a new snapshot of the
// sitting's records (after a recorded vote was corrected, for instance). The content
// is generated, never typed; it is sealed with kr.
func RefreshMinutesContent(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor models.Actor, cid, id int64, content []byte, now time.Time) (*Minutes, error) {
	if err := checkContent(content); err != nil {
		return nil, err
	}
	return stepMinutes(ctx, db, actor, cid, id, []MinutesStatus{MinutesDraft}, "minutes.refresh", now, func(r *Minutes) error {
		r.seal(kr, content)
		r.UpdatedAt = models.Stamp(now)
		return nil
	})
}

// ValidateMinutes records the chair's validation of a draft; only a user with the
// president role of the commission may give it.
func ValidateMinutes(ctx context.Context, db bun.IDB, u *models.User, cid, id int64, now time.Time) (*Minutes, error) {
	if u == nil || u.Role != models.RolePresident || u.CommissionIDOrZero() != cid {
		return nil, ErrMinutesChairOnly
	}
	r, err := stepMinutes(ctx, db, models.ActorFor(u), cid, id, []MinutesStatus{MinutesDraft}, "minutes.validate", now, func(r *Minutes) error {
		t := models.Stamp(now)
		r.Status, r.ValidatedBy, r.ValidatedAt, r.UpdatedAt = MinutesValidated, &u.ID, &t, t
		return nil
	})
	if errors.Is(err, ErrMinutesNotDraft) {
		return nil, ErrMinutesWrongStatus
	}
	return r, err
}

// ReopenMinutes sends a validated or submitted version back to draft, for the
// secretariat to correct it before approval.
func ReopenMinutes(ctx context.Context, db bun.IDB, actor models.Actor, cid, id int64, now time.Time) (*Minutes, error) {
	return stepMinutes(ctx, db, actor, cid, id, []MinutesStatus{MinutesValidated, MinutesSubmitted}, "minutes.reopen", now, func(r *Minutes) error {
		r.Status, r.ValidatedBy, r.ValidatedAt, r.SubmittedToMeetingID, r.SubmittedAt = MinutesDraft, nil, nil, nil, nil
		r.UpdatedAt = models.Stamp(now)
		return nil
	})
}

// SubmitMinutes puts a validated version on the agenda of session toMeetingID, a later
// session of the commission that is planned, convened or open, for approval as a
// standing item (ListMinutesForApproval lists them for that session's agenda).
func SubmitMinutes(ctx context.Context, db bun.IDB, actor models.Actor, cid, id, toMeetingID int64, now time.Time) (*Minutes, error) {
	var out *Minutes
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		cur, err := FindMinutes(ctx, tx, cid, id)
		if err != nil {
			return err
		}
		held, err := meetings.FindMeeting(ctx, tx, cid, cur.MeetingID)
		if err != nil {
			return err
		}
		next, err := meetings.FindMeeting(ctx, tx, cid, toMeetingID)
		if errors.Is(err, models.ErrNotFound) {
			return ErrMinutesNextSession
		}
		if err != nil {
			return err
		}
		if next.ID == held.ID || !next.StartsAt.After(held.StartsAt) || !next.Status.Active() {
			return ErrMinutesNextSession
		}
		r, err := changeMinutes(ctx, tx, cid, id, []MinutesStatus{MinutesValidated}, func(r *Minutes) error {
			t := models.Stamp(now)
			r.Status, r.SubmittedToMeetingID, r.SubmittedAt, r.UpdatedAt = MinutesSubmitted, &next.ID, &t, t
			return nil
		})
		if err != nil {
			return err
		}
		out = r
		return auditMinutes(ctx, tx, actor, r, "minutes.submit", map[string]any{"to_meeting_id": next.ID}, now)
	})
	return out, err
}

// ApprovalInput is the commission's approval of a submitted version.
type ApprovalInput struct {
	Reference string // the approving session as its own minutes will cite it
	Lock      bool   // lock at once
}

// ApproveMinutes records the approval of a submitted version by the session it was
// submitted to, once that session has started; with in.Lock the version is locked in the
// same transaction (kr opens the content to hash it). The minuted session, if closed,
// becomes "minutes approved".
func ApproveMinutes(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor models.Actor, cid, id int64, in ApprovalInput, now time.Time) (*Minutes, error) {
	in.Reference = strings.TrimSpace(in.Reference)
	if in.Reference == "" {
		return nil, models.FieldErrors{"approval_ref": "Indiquez la séance qui approuve le procès-verbal (date et point de l'ordre du jour)."}.Err()
	}
	if err := models.LineError("approval_ref", "Séance d'approbation", in.Reference, 300); err != nil {
		return nil, err
	}
	t := models.Stamp(now)
	var out *Minutes
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		cur, err := FindMinutes(ctx, tx, cid, id)
		if err != nil {
			return err
		}
		if cur.Status == MinutesSubmitted && cur.SubmittedToMeetingID != nil {
			approving, err := meetings.FindMeeting(ctx, tx, cid, *cur.SubmittedToMeetingID)
			if err != nil {
				return err
			}
			if approving.Status == meetings.MeetingCancelled || t.Before(approving.StartsAt) {
				return ErrMinutesApprovalDate
			}
		}
		r, err := changeMinutes(ctx, tx, cid, id, []MinutesStatus{MinutesSubmitted}, func(r *Minutes) error {
			r.Status, r.ApprovedAt, r.ApprovalRef, r.UpdatedAt = MinutesApproved, &t, in.Reference, t
			return nil
		})
		if err != nil {
			return err
		}
		if err := auditMinutes(ctx, tx, actor, r, "minutes.approve", map[string]any{"approval_meeting_id": *r.SubmittedToMeetingID}, now); err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model((*meetings.Meeting)(nil)).Set("status = ?", meetings.MeetingMinutesApproved).Set("updated_at = ?", t).
			Where("id = ? AND commission_id = ? AND status = ?", r.MeetingID, cid, meetings.MeetingClosed).Exec(ctx)
		if err != nil {
			return fmt.Errorf("approve minutes: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			err := models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: cid, Actor: actor, Action: "meeting.minutes_approved", Object: models.ObjectRef("meeting", r.MeetingID),
				Details: map[string]any{"minutes_id": r.ID, "version": r.Version}})
			if err != nil {
				return err
			}
		}
		if in.Lock {
			r, err = lockMinutes(ctx, tx, kr, actor, cid, id, t)
			if err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	return out, err
}

// LockMinutes locks an approved version: its content hash (over the clear content,
// opened with kr) is computed and written to the audit chain, and the row can no longer
// change.
func LockMinutes(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor models.Actor, cid, id int64, now time.Time) (*Minutes, error) {
	var out *Minutes
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		r, err := lockMinutes(ctx, tx, kr, actor, cid, id, models.Stamp(now))
		out = r
		return err
	})
	return out, err
}

func lockMinutes(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, actor models.Actor, cid, id int64, t time.Time) (*Minutes, error) {
	r, err := changeMinutes(ctx, tx, cid, id, []MinutesStatus{MinutesApproved}, func(r *Minutes) error {
		content, err := r.Snapshot(kr)
		if err != nil {
			return err
		}
		r.Status, r.LockedAt, r.UpdatedAt = MinutesLocked, &t, t
		r.ContentHash = r.computeHash(content)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, auditMinutes(ctx, tx, actor, r, "minutes.lock", map[string]any{"content_hash": r.ContentHash}, t)
}

// computeHash is the SHA-256 of everything the commission approved: the clear content
// byte for byte, the free texts, the validation, the approval and the version it
// corrects. Sealing or re-sealing the content leaves it unchanged.
func (r *Minutes) computeHash(content []byte) string {
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	id := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	b, _ := json.Marshal(struct {
		CommissionID      int64  `json:"commission_id"`
		MeetingID         int64  `json:"meeting_id"`
		Version           int    `json:"version"`
		Content           string `json:"content"`
		GeneralItems      string `json:"general_items"`
		Observations      string `json:"observations"`
		ValidatedBy       int64  `json:"validated_by"`
		ValidatedAt       string `json:"validated_at"`
		SubmittedTo       int64  `json:"submitted_to_meeting_id"`
		ApprovedAt        string `json:"approved_at"`
		ApprovalRef       string `json:"approval_ref"`
		LockedAt          string `json:"locked_at"`
		PreviousVersionID int64  `json:"previous_version_id"`
		PreviousHash      string `json:"previous_hash"`
		CorrectionNote    string `json:"correction_note"`
	}{r.CommissionID, r.MeetingID, r.Version, string(content), r.GeneralItems, r.Observations, id(r.ValidatedBy), ts(r.ValidatedAt),
		id(r.SubmittedToMeetingID), ts(r.ApprovedAt), r.ApprovalRef, ts(r.LockedAt), id(r.PreviousVersionID), r.PreviousHash, r.CorrectionNote})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CorrectMinutes starts a corrected version of a locked one: a new draft with the next
// version number, the same content (or content, when given: a new snapshot of the
// corrected records) and free texts, the note saying what it corrects, and the old
// version's hash, which stays in place with the old row. kr opens the old content and
// seals the new one.
func CorrectMinutes(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor models.Actor, cid, id int64, note string, content []byte, now time.Time) (*Minutes, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, models.FieldErrors{"correction_note": "Indiquez l'objet de la rectification : il figurera en tête de la nouvelle version."}.Err()
	}
	if err := models.TextError("correction_note", "Objet de la rectification", note, models.MaxNoteLength); err != nil {
		return nil, err
	}
	if content != nil {
		if err := checkContent(content); err != nil {
			return nil, err
		}
	}
	var out *Minutes
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		old, err := FindMinutes(ctx, tx, cid, id)
		if err != nil {
			return err
		}
		if old.Status != MinutesLocked {
			return ErrMinutesWrongStatus
		}
		newer, err := tx.NewSelect().Model((*Minutes)(nil)).Where("commission_id = ? AND meeting_id = ? AND version > ?", cid, old.MeetingID, old.Version).Count(ctx)
		if err != nil {
			return fmt.Errorf("correct minutes: %w", err)
		}
		if newer > 0 {
			return ErrMinutesSuperseded
		}
		if content == nil {
			if content, err = old.Snapshot(kr); err != nil {
				return err
			}
		}
		t := models.Stamp(now)
		r := &Minutes{
			CommissionID: cid, MeetingID: old.MeetingID, Version: old.Version + 1, Status: MinutesDraft,
			GeneralItems: old.GeneralItems, Observations: old.Observations,
			PreviousVersionID: &old.ID, PreviousHash: old.ContentHash, CorrectionNote: note, CreatedAt: t, UpdatedAt: t,
		}
		if err := insertMinutes(ctx, tx, kr, r, content); err != nil {
			return err
		}
		out = r
		return auditMinutes(ctx, tx, actor, r, "minutes.correct", map[string]any{"previous_id": old.ID, "previous_hash": old.ContentHash}, now)
	})
	return out, err
}

// FindMinutes returns version id of commission cid.
func FindMinutes(ctx context.Context, db bun.IDB, cid, id int64) (*Minutes, error) {
	r := new(Minutes)
	err := db.NewSelect().Model(r).Where("id = ? AND commission_id = ?", id, cid).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find minutes")
	}
	return r, nil
}

// FindCurrentMinutes returns the latest version of the procès-verbal of session meetingID.
func FindCurrentMinutes(ctx context.Context, db bun.IDB, cid, meetingID int64) (*Minutes, error) {
	r := new(Minutes)
	err := db.NewSelect().Model(r).Where("commission_id = ? AND meeting_id = ?", cid, meetingID).Order("version DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find current minutes")
	}
	return r, nil
}

// ListMinutesVersions returns every version of the procès-verbal of session meetingID,
// oldest first.
func ListMinutesVersions(ctx context.Context, db bun.IDB, cid, meetingID int64) ([]Minutes, error) {
	var rs []Minutes
	err := db.NewSelect().Model(&rs).Where("commission_id = ? AND meeting_id = ?", cid, meetingID).Order("version ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list minutes versions: %w", err)
	}
	return rs, nil
}

// ListMinutesForApproval returns the versions submitted to session meetingID and not
// yet approved: the standing "approbation du procès-verbal" items of its agenda.
func ListMinutesForApproval(ctx context.Context, db bun.IDB, cid, meetingID int64) ([]Minutes, error) {
	var rs []Minutes
	err := db.NewSelect().Model(&rs).Where("commission_id = ? AND submitted_to_meeting_id = ? AND status = ?", cid, meetingID, MinutesSubmitted).
		Order("meeting_id ASC", "version ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list minutes for approval: %w", err)
	}
	return rs, nil
}

// VerifyMinutes checks a locked version: its hash must match its content, opened with
// kr, and the hash the audit chain recorded when it was locked (ErrMinutesTampered
// otherwise, also when the sealed content no longer opens).
func VerifyMinutes(ctx context.Context, db bun.IDB, kr *keyring.Keyring, cid, id int64) error {
	r, err := FindMinutes(ctx, db, cid, id)
	if err != nil {
		return err
	}
	if r.Status != MinutesLocked {
		return ErrMinutesWrongStatus
	}
	var rec models.AuditRecord
	err = db.NewSelect().Model(&rec).Where("commission_id = ? AND action = ? AND object = ?", cid, "minutes.lock", models.ObjectRef("minutes", r.ID)).
		Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		if models.NotFound(err, "") == models.ErrNotFound {
			return ErrMinutesTampered
		}
		return fmt.Errorf("verify minutes: %w", err)
	}
	var d struct {
		ContentHash string `json:"content_hash"`
	}
	if err := json.Unmarshal([]byte(rec.Details), &d); err != nil {
		return fmt.Errorf("verify minutes: audit details: %w", err)
	}
	content, err := r.Snapshot(kr)
	if errors.Is(err, keyring.ErrSealed) {
		return fmt.Errorf("%w (%w)", ErrMinutesTampered, err)
	}
	if err != nil {
		return err
	}
	if h := r.computeHash(content); h != r.ContentHash || h != d.ContentHash {
		return ErrMinutesTampered
	}
	return nil
}

// SealMinutesSnapshots seals the content of the versions made before the snapshot was
// sealed, locked ones included (the guard lets a locked row change only its sealed
// content; its hash, over the clear content, still verifies), and returns how many it
// sealed. A migration has no key, so `seance serve` runs it at start-up and `seance keys
// rotate` before re-sealing: an upgraded database keeps no snapshot in clear past its
// first start. On SQLite, the pages and the write-ahead log that held the clear text are
// then rewritten (VACUUM, checkpoint), so that the file keeps no copy of it; on
// PostgreSQL, dumps carry only the sealed rows.
func SealMinutesSnapshots(ctx context.Context, db *bun.DB, kr *keyring.Keyring, now time.Time) (int, error) {
	n := 0
	for {
		var rs []Minutes
		err := db.NewSelect().Model(&rs).Where("content <> '' AND content_sealed = ''").Order("id ASC").Limit(50).Scan(ctx)
		if err != nil {
			return n, fmt.Errorf("seal minutes: %w", err)
		}
		if len(rs) == 0 {
			break
		}
		err = models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			ids := make([]int64, 0, len(rs))
			for i := range rs {
				r := &rs[i]
				r.seal(kr, []byte(r.ClearContent))
				if _, err := tx.NewUpdate().Model(r).Column("content_sealed", "content").WherePK().Exec(ctx); err != nil {
					return fmt.Errorf("seal minutes %d: %w", r.ID, err)
				}
				ids = append(ids, r.ID)
			}
			return models.Audit(ctx, tx, now, models.AuditEntry{Actor: models.SystemActor("seal"), Action: "minutes.seal", Object: "keyring:" + kr.CurrentID(),
				Details: map[string]any{"minutes_ids": ids}})
		})
		if err != nil {
			return n, err
		}
		n += len(rs)
	}
	if n == 0 || models.IsPG(db) {
		return n, nil
	}
	for _, q := range []string{"VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return n, fmt.Errorf("seal minutes: %s: %w", q, err)
		}
	}
	return n, nil
}
