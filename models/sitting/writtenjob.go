package sitting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/meetings"
)

// The written deliberations' schedule (jobs.Deliberations): a deliberation opens at
// its announced start, its vote closes at the end of its window, and the chair may
// suspend it after a technical incident and resume it with a new deadline (décret
// 2014-1627 art. 7). The job acts on behalf of the chair who announced it.

// ErrDeliberationSuspended refuses what a suspended deliberation does not allow.
var ErrDeliberationSuspended = models.NewRefusal("La délibération est suspendue à la suite d'un incident : elle reprendra sur décision du président (décret 2014-1627, art. 7).")

// reasonError checks the chair's reason for a suspension or a resumption.
func reasonError(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return models.FieldErrors{"reason": "Indiquez le motif (l'incident technique constaté, ou pourquoi la délibération reprend)."}.Err()
	}
	return models.TextError("reason", "Motif", reason, 2000)
}

// SuspendDeliberation suspends the open debate or the vote of deliberation id after an
// incident: nothing is posted, voted, closed or reminded until the chair resumes it.
// A suspended vote stops taking ballots at once. The caller tells the members.
func SuspendDeliberation(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, cid, id int64, reason string, now time.Time) (*WrittenDeliberation, error) {
	if actor.Role != models.RolePresident {
		return nil, ErrNotChair
	}
	if err := reasonError(reason); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	var d *WrittenDeliberation
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if d, err = lockDeliberation(ctx, tx, cid, id); err != nil {
			return err
		}
		if d.Status != DeliberationOpen && d.Status != DeliberationVoting {
			return models.Refuse("Seule une délibération dont les échanges ou le vote sont en cours peut être suspendue.")
		}
		if d.Suspended() {
			return models.Refuse("Cette délibération est déjà suspendue.")
		}
		t := models.Stamp(now)
		details := map[string]any{"status": string(d.Status), "reason": reason}
		if d.Status == DeliberationVoting {
			v, err := lockVote(ctx, tx, cid, *d.VoteID)
			if err != nil {
				return err
			}
			if !v.Open(now) {
				return models.Refuse("Le vote est déjà terminé : il reste à le clore.")
			}
			details["voting_closed_at"] = v.ClosesAt.Format(time.RFC3339)
			v.ClosesAt, v.UpdatedAt = &t, t // no ballot while suspended
			if _, err := tx.NewUpdate().Model(v).Column("closes_at", "updated_at").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("suspend deliberation: %w", err)
			}
		}
		d.SuspendedAt, d.SuspensionReason, d.UpdatedAt = &t, reason, t
		d.Suspensions++
		if _, err := tx.NewUpdate().Model(d).Column("suspended_at", "suspension_reason", "suspensions", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("suspend deliberation: %w", err)
		}
		msg := "Le président suspend la délibération à la suite d'un incident : " + reason
		if _, err := addContribution(ctx, tx, kr, d, actor.ID, ContributionSuspended, nil, msg, now); err != nil {
			return err
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "deliberation.suspend", Object: models.ObjectRef("deliberation", d.ID), Details: details,
		})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ResumeDeliberation resumes suspended deliberation id (décret 2014-1627 art. 7): the
// debate with deadline as its new earliest closing, or the vote with deadline as the
// new end of its window. The caller tells the members.
func ResumeDeliberation(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, cid, id int64, deadline time.Time, reason string, now time.Time) (*WrittenDeliberation, error) {
	if actor.Role != models.RolePresident {
		return nil, ErrNotChair
	}
	if err := reasonError(reason); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if !deadline.After(now) {
		return nil, models.FieldErrors{"deadline": "La nouvelle échéance doit suivre l'heure actuelle."}.Err()
	}
	var d *WrittenDeliberation
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if d, err = lockDeliberation(ctx, tx, cid, id); err != nil {
			return err
		}
		if !d.Suspended() {
			return models.Refuse("Cette délibération n'est pas suspendue.")
		}
		t := models.Stamp(now)
		deadline = models.Stamp(deadline)
		details := map[string]any{"status": string(d.Status), "reason": reason, "suspended_at": d.SuspendedAt.Format(time.RFC3339),
			"deadline": deadline.Format(time.RFC3339)}
		var msg string
		switch d.Status {
		case DeliberationOpen:
			details["previous_deadline"] = d.Deadline.Format(time.RFC3339)
			d.Deadline = deadline
			msg = "Le président reprend la délibération : les échanges pourront être clos au plus tôt le " + frDateTime(deadline) + ". Motif : " + reason
		case DeliberationVoting:
			v, err := lockVote(ctx, tx, cid, *d.VoteID)
			if err != nil {
				return err
			}
			v.ClosesAt, v.UpdatedAt = &deadline, t
			if _, err := tx.NewUpdate().Model(v).Column("closes_at", "updated_at").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("resume deliberation: %w", err)
			}
			msg = "Le président reprend la délibération : le vote est ouvert jusqu'au " + frDateTime(deadline) + ". Motif : " + reason
		default:
			return models.Refuse("Cette délibération ne peut plus reprendre.")
		}
		d.SuspendedAt, d.SuspensionReason, d.UpdatedAt = nil, "", t
		if _, err := tx.NewUpdate().Model(d).Column("suspended_at", "suspension_reason", "deadline", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("resume deliberation: %w", err)
		}
		if _, err := addContribution(ctx, tx, kr, d, actor.ID, ContributionResumed, nil, msg, now); err != nil {
			return err
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "deliberation.resume", Object: models.ObjectRef("deliberation", d.ID), Details: details,
		})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// refuseSuspendedVote refuses to close written vote v while its deliberation is suspended.
func refuseSuspendedVote(ctx context.Context, tx bun.Tx, v *Vote) error {
	if !v.Written {
		return nil
	}
	suspended, err := tx.NewSelect().Model((*WrittenDeliberation)(nil)).Where("vote_id = ? AND suspended_at IS NOT NULL", v.ID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("close vote: %w", err)
	}
	if suspended {
		return ErrDeliberationSuspended
	}
	return nil
}

// ScheduledDeliberations returns, across commissions, the deliberations the job looks
// after at now: announced ones whose start has come, and those whose debate or vote is
// under way; never suspended ones, nor those of a cancelled or closed session.
func ScheduledDeliberations(ctx context.Context, db bun.IDB, now time.Time) ([]WrittenDeliberation, error) {
	var ds []WrittenDeliberation
	err := db.NewSelect().Model(&ds).Join("JOIN meetings AS m ON m.id = deliberation.meeting_id").
		Where("deliberation.suspended_at IS NULL").
		Where("m.status IN (?)", bun.In([]meetings.MeetingStatus{meetings.MeetingConvened, meetings.MeetingOpen})).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("deliberation.status = ? AND deliberation.starts_at <= ?", DeliberationAnnounced, now.UTC()).
				WhereOr("deliberation.status IN (?)", bun.In([]WrittenDeliberationStatus{DeliberationOpen, DeliberationVoting}))
		}).Order("deliberation.id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("scheduled deliberations: %w", err)
	}
	return ds, nil
}

// deliberationChair is who the job acts for: the président who announced d, or another
// active président of the commission when that account is gone.
func deliberationChair(ctx context.Context, db bun.IDB, d *WrittenDeliberation) (*models.User, error) {
	u, err := activePresident(ctx, db, d.CommissionID, d.AnnouncedBy)
	if !errors.Is(err, ErrNotChair) {
		return u, err
	}
	ps, err := ListPresidents(ctx, db, d.CommissionID)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("deliberation %d: no active président to act for", d.ID)
	}
	return &ps[0], nil
}

// OpenScheduledDeliberation opens deliberation id at its announced start on behalf of
// its chair, opening the written session first if it is only convened, inside the
// caller's transaction. It reports false when there is nothing to do (already open,
// not yet time, suspended, session cancelled).
func OpenScheduledDeliberation(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, cid, id int64, actor models.Actor, now time.Time) (*WrittenDeliberation, bool, error) {
	d, err := lockDeliberation(ctx, tx, cid, id)
	if err != nil {
		return nil, false, err
	}
	if d.Status != DeliberationAnnounced || d.Suspended() || now.Before(d.StartsAt) {
		return d, false, nil
	}
	m, err := meetings.FindMeeting(ctx, tx, cid, d.MeetingID)
	if err != nil {
		return nil, false, err
	}
	chair, err := deliberationChair(ctx, tx, d)
	if err != nil {
		return nil, false, err
	}
	switch m.Status {
	case meetings.MeetingConvened:
		if _, err := OpenSitting(ctx, tx, chair, cid, m.ID, chair.ID, now); err != nil {
			return nil, false, err
		}
	case meetings.MeetingOpen:
	default:
		return d, false, nil
	}
	if err := openDeliberationTx(ctx, tx, kr, chair, actor, d, "", now); err != nil {
		return nil, false, err
	}
	return d, true, nil
}

// CloseScheduledVote closes the vote of deliberation id once its window has ended, on
// behalf of its chair, inside the caller's transaction; the job then sends the results
// to the members (décret 2014-1627 art. 6). It reports false when there is nothing to
// do (vote still open, already closed, suspended).
func CloseScheduledVote(ctx context.Context, tx bun.Tx, cid, id int64, actor models.Actor, now time.Time) (*Vote, bool, error) {
	d, err := lockDeliberation(ctx, tx, cid, id)
	if err != nil {
		return nil, false, err
	}
	if d.Status != DeliberationVoting || d.Suspended() || d.VoteID == nil {
		return nil, false, nil
	}
	v, err := lockVote(ctx, tx, cid, *d.VoteID)
	if err != nil {
		return nil, false, err
	}
	if v.Status != VoteOpen || v.ClosesAt == nil || now.Before(*v.ClosesAt) {
		return v, false, nil
	}
	chair, err := deliberationChair(ctx, tx, d)
	if err != nil {
		return nil, false, err
	}
	if err := closeVoteTx(ctx, tx, chair, v, CloseVoteInput{}, now); err != nil {
		return nil, false, err
	}
	return v, true, models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: cid, Actor: actor, Action: "deliberation.close_vote", Object: models.ObjectRef("deliberation", d.ID),
		Details: map[string]any{"vote_id": v.ID, "on_behalf_of": chair.ID, "outcome": string(v.Outcome)},
	})
}

// DeliberationParticipants returns the active persons a deliberation's messages go to:
// the holders of the voting seats on the session's day and the présidents, less those
// excluded from the item.
func DeliberationParticipants(ctx context.Context, db bun.IDB, cid, id int64) ([]models.User, error) {
	d, err := FindDeliberation(ctx, db, cid, id)
	if err != nil {
		return nil, err
	}
	m, err := meetings.FindMeeting(ctx, db, cid, d.MeetingID)
	if err != nil {
		return nil, err
	}
	p, err := loadPresence(ctx, db, m)
	if err != nil {
		return nil, err
	}
	item, err := findSittingItem(ctx, db, cid, d.AgendaItemID)
	if err != nil {
		return nil, err
	}
	x, _, err := itemExclusions(ctx, db, p, item)
	if err != nil {
		return nil, err
	}
	var out []models.User
	seen := map[string]bool{}
	add := func(u *models.User) {
		if u != nil && u.Active && !x.user(u.ID) && !seen[u.Email] {
			seen[u.Email] = true
			out = append(out, *u)
		}
	}
	for i := range p.Seats {
		sp := &p.Seats[i]
		if sp.Titulaire == nil || x.seat(sp.Seat.ID) {
			continue
		}
		add(sp.Titulaire.User)
		for j := range sp.Suppleants {
			add(sp.Suppleants[j].User)
		}
	}
	ps, err := ListPresidents(ctx, db, cid)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		add(&ps[i])
	}
	return out, nil
}

// SilentMembers returns the participants of deliberation d, présidents aside, who have
// posted no contribution yet.
func SilentMembers(ctx context.Context, db bun.IDB, d *WrittenDeliberation) ([]models.User, error) {
	us, err := DeliberationParticipants(ctx, db, d.CommissionID, d.ID)
	if err != nil {
		return nil, err
	}
	var authors []int64
	if err := db.NewSelect().Model((*Contribution)(nil)).Column("user_id").
		Where("deliberation_id = ? AND kind = ?", d.ID, ContributionMessage).Scan(ctx, &authors); err != nil {
		return nil, fmt.Errorf("silent members: %w", err)
	}
	wrote := map[int64]bool{}
	for _, id := range authors {
		wrote[id] = true
	}
	var out []models.User
	for _, u := range us {
		if u.Role != models.RolePresident && !wrote[u.ID] {
			out = append(out, u)
		}
	}
	return out, nil
}

// PendingVoters returns the active accounts expected to vote in vote id that have not
// cast every ballot they hold (their own, or one they carry by proxy).
func PendingVoters(ctx context.Context, db bun.IDB, cid, id int64) ([]models.User, error) {
	var voters []VoteVoter
	if err := db.NewSelect().Model(&voters).Where("vote_id = ? AND commission_id = ?", id, cid).Scan(ctx); err != nil {
		return nil, fmt.Errorf("pending voters: %w", err)
	}
	var ballots []Ballot
	if err := db.NewSelect().Model(&ballots).Where("vote_id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("pending voters: %w", err)
	}
	key := func(voter int64, represented *int64) [2]int64 {
		k := [2]int64{voter, 0}
		if represented != nil {
			k[1] = *represented
		}
		return k
	}
	cast := map[[2]int64]bool{}
	for _, b := range ballots {
		cast[key(b.VoterUserID, b.RepresentedUserID)] = true
	}
	var ids []int64
	for _, v := range voters {
		if !cast[key(v.VoterUserID, v.RepresentedUserID)] {
			ids = append(ids, v.VoterUserID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var us []models.User
	if err := db.NewSelect().Model(&us).Where("id IN (?) AND active", bun.In(ids)).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("pending voters: %w", err)
	}
	return us, nil
}
