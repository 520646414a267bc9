package sitting

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/keyring"
	"seance/models/meetings"
)

// AvisDetails are the reasoning of the commission's avis on a file and its conditions.
type AvisDetails struct {
	Reasoning  string
	Conditions string
	// RecommendedMonths is the duration the commission recommends for the period (1-6),
	// 0 for none.
	RecommendedMonths int
}

// Validate checks the details of an avis; messages are keyed "reasoning", "conditions"
// and "recommended_months".
func (d *AvisDetails) Validate(avis files.Avis) models.FieldErrors {
	fe := models.FieldErrors{}
	d.Reasoning, d.Conditions = strings.TrimSpace(d.Reasoning), strings.TrimSpace(d.Conditions)
	if d.Reasoning == "" {
		fe.Add("reasoning", "Motivez l'avis de la commission.")
	}
	models.CheckText(fe, "reasoning", "Motivation de l'avis", d.Reasoning, 4000)
	models.CheckText(fe, "conditions", "Conditions", d.Conditions, models.MaxNoteLength)
	if d.RecommendedMonths < 0 || d.RecommendedMonths > 6 {
		fe.Add("recommended_months", "La durée recommandée est comprise entre 1 et 6 mois (laisser vide sinon).")
	}
	if avis == files.AvisDefavorable && (d.Conditions != "" || d.RecommendedMonths != 0) {
		fe.Add("conditions", "Un avis défavorable ne comporte ni conditions ni durée recommandée.")
	}
	return fe
}

// RecordAvisDetails records the reasoning, the conditions and the recommended duration
// of the avis given by closed vote voteID, while its session is open. The texts are
// encrypted; the audit chain keeps their SHA-256.
func RecordAvisDetails(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, cid, voteID int64, d AvisDetails, now time.Time) error {
	if actor.Role != models.RolePresident && actor.Role != models.RoleSecretariat {
		return ErrNotChair
	}
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		v, err := lockVote(ctx, tx, cid, voteID)
		if err != nil {
			return err
		}
		if v.Status != VoteClosed || v.Avis == "" {
			return ErrNoAvis
		}
		if fe := d.Validate(v.Avis); len(fe) > 0 {
			return fe.Err()
		}
		m, err := meetings.FindMeeting(ctx, tx, cid, v.MeetingID)
		if err != nil {
			return err
		}
		if m.Status != meetings.MeetingOpen {
			return ErrSittingNotOpen
		}
		t := models.Stamp(now)
		v.ReasoningSealed = kr.Seal([]byte(d.Reasoning), ReasoningAAD(v.ID))
		v.ConditionsSealed = ""
		if d.Conditions != "" {
			v.ConditionsSealed = kr.Seal([]byte(d.Conditions), ConditionsAAD(v.ID))
		}
		v.RecommendedMonths, v.AvisRecordedAt, v.UpdatedAt = d.RecommendedMonths, &t, t
		if _, err := tx.NewUpdate().Model(v).Column("reasoning_sealed", "conditions_sealed", "recommended_months", "avis_recorded_at", "updated_at").
			WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("avis details: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "vote.avis", Object: models.ObjectRef("vote", v.ID),
			Details: map[string]any{"avis": string(v.Avis), "reasoning_sha256": models.TextDigest(d.Reasoning),
				"conditions_sha256": models.TextDigest(d.Conditions), "recommended_months": d.RecommendedMonths},
		})
	})
}
