package sitting

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/meetings"
)

// Dissent is a member's request to have their dissenting opinion recorded in the
// minutes (R133-13).
type Dissent struct {
	bun.BaseModel `bun:"table:sitting_dissents"`

	ID           int64     `bun:",pk,autoincrement"`
	CommissionID int64     `bun:",notnull"`
	VoteID       int64     `bun:",notnull"`
	UserID       int64     `bun:",notnull"`
	TextSealed   string    `bun:",notnull" json:"-"`
	RecordedBy   int64     `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
}

// DissentAAD binds a dissent's sealed text to its row.
func DissentAAD(id int64) string { return fmt.Sprintf("dissent:%d:text", id) }

// RecordDissent records that userID asks for their dissent on closed vote voteID to be
// written in the minutes (R133-13), with their text. The member must have been a voter
// on it; the secretariat may record it for them, in the room. Once per member and vote,
// while the session is open.
func RecordDissent(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, cid, voteID, userID int64, text string, now time.Time) (*Dissent, error) {
	if actor.ID != userID && actor.Role != models.RoleSecretariat {
		return nil, models.ErrNotFound
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, models.FieldErrors{"dissent": "Rédigez votre opinion divergente (2 000 caractères au plus)."}.Err()
	}
	if err := models.TextError("dissent", "Opinion divergente", text, models.MaxNoteLength); err != nil {
		return nil, err
	}
	var d *Dissent
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		v, err := lockVote(ctx, tx, cid, voteID)
		if err != nil {
			return err
		}
		if v.Status != VoteClosed {
			return models.Refuse("L'opinion divergente s'exprime sur le résultat : attendez la clôture du vote.")
		}
		m, err := meetings.FindMeeting(ctx, tx, cid, v.MeetingID)
		if err != nil {
			return err
		}
		if m.Status != meetings.MeetingOpen {
			return ErrSittingNotOpen
		}
		voter, err := tx.NewSelect().Model((*VoteVoter)(nil)).Where("vote_id = ? AND voter_user_id = ?", v.ID, userID).Exists(ctx)
		if err != nil {
			return fmt.Errorf("record dissent: %w", err)
		}
		if !voter {
			return ErrNotEligible
		}
		dup, err := tx.NewSelect().Model((*Dissent)(nil)).Where("vote_id = ? AND user_id = ?", v.ID, userID).Exists(ctx)
		if err != nil {
			return fmt.Errorf("record dissent: %w", err)
		}
		if dup {
			return models.Refuse("Votre opinion divergente sur ce point est déjà enregistrée.")
		}
		d = &Dissent{CommissionID: cid, VoteID: v.ID, UserID: userID, RecordedBy: actor.ID, CreatedAt: models.Stamp(now)}
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			return fmt.Errorf("record dissent: %w", err)
		}
		d.TextSealed = kr.Seal([]byte(text), DissentAAD(d.ID))
		if _, err := tx.NewUpdate().Model(d).Column("text_sealed").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("record dissent: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "vote.dissent", Object: models.ObjectRef("vote", v.ID),
			Details: map[string]any{"user_id": userID, "dissent_id": d.ID, "text_sha256": models.TextDigest(text)},
		})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DissentText is a dissent, decrypted, with its author's name.
type DissentText struct {
	ID        int64
	VoteID    int64
	UserID    int64
	Name      string
	Text      string
	CreatedAt time.Time
}

// ListDissents returns the dissents recorded on the votes of session meetingID, in the
// order of the agenda then of their recording.
func ListDissents(ctx context.Context, db bun.IDB, kr *keyring.Keyring, cid, meetingID int64) ([]DissentText, error) {
	var ds []Dissent
	err := db.NewSelect().Model(&ds).
		Join("JOIN sitting_votes AS v ON v.id = dissent.vote_id").
		Join("JOIN agenda_items AS ai ON ai.id = v.agenda_item_id").
		Where("dissent.commission_id = ? AND v.meeting_id = ?", cid, meetingID).
		Order("ai.position ASC", "dissent.id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list dissents: %w", err)
	}
	names, err := userNames(ctx, db, func(add func(int64)) {
		for _, d := range ds {
			add(d.UserID)
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]DissentText, 0, len(ds))
	for _, d := range ds {
		b, err := kr.Open(d.TextSealed, DissentAAD(d.ID))
		if err != nil {
			return nil, fmt.Errorf("dissent %d: %w", d.ID, err)
		}
		out = append(out, DissentText{ID: d.ID, VoteID: d.VoteID, UserID: d.UserID, Name: names[d.UserID], Text: string(b), CreatedAt: d.CreatedAt})
	}
	return out, nil
}

// userNames returns the names of the users collect adds.
func userNames(ctx context.Context, db bun.IDB, collect func(add func(int64))) (map[int64]string, error) {
	ids := map[int64]bool{}
	collect(func(id int64) {
		if id != 0 {
			ids[id] = true
		}
	})
	names := map[int64]string{}
	if len(ids) == 0 {
		return names, nil
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	var us []models.User
	if err := db.NewSelect().Model(&us).Column("id", "name").Where("id IN (?)", bun.In(list)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("user names: %w", err)
	}
	for _, u := range us {
		names[u.ID] = u.Name
	}
	return names, nil
}
