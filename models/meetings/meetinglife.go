package meetings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/registry"
)

// UpdateMeeting changes the date, place, mode, capacity or urgency of a planned or
// convened session. A change of date, place or mode raises the calendar Sequence; once
// convened, it also requires a new convocation (see ConvocationStale). The kind
// cannot change while files are on the agenda.
func UpdateMeeting(ctx context.Context, db bun.IDB, actor *models.User, cid, id int64, in MeetingInput, now time.Time) (*Meeting, error) {
	if !mayConvene(actor, cid) {
		return nil, ErrAgendaForbidden
	}
	if fe := in.Validate(now); len(fe) > 0 {
		return nil, fe.Err()
	}
	if in.EndsAt.IsZero() {
		in.EndsAt = in.StartsAt.Add(3 * time.Hour)
	}
	var m *Meeting
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if m, err = lockAgendaMeeting(ctx, tx, actor, cid, id); errors.Is(err, ErrAgendaFrozen) {
			return ErrMeetingFrozen
		} else if err != nil {
			return err
		}
		if in.Kind != m.Kind {
			counts, err := fileItemCounts(ctx, tx, []int64{m.ID})
			if err != nil {
				return err
			}
			if counts[m.ID] > 0 {
				return models.FieldErrors{"kind": "Des dossiers sont inscrits à l'ordre du jour : retirez-les avant de changer le type de séance."}.Err()
			}
		}
		changed := !m.StartsAt.Equal(in.StartsAt.UTC()) || !m.EndsAt.Equal(in.EndsAt.UTC()) || m.Place != in.Place || m.RemoteLink != in.RemoteLink || m.Mode != in.Mode
		m.Kind, m.Mode, m.StartsAt, m.EndsAt, m.Place, m.RemoteLink = in.Kind, in.Mode, in.StartsAt.UTC(), in.EndsAt.UTC(), in.Place, in.RemoteLink
		m.Capacity, m.Urgency, m.UrgencyReason, m.UpdatedAt = in.Capacity, in.Urgency, in.UrgencyReason, now.UTC()
		if !in.Urgency {
			m.UrgencyReason = ""
		}
		if changed {
			m.Sequence++ // calendars (the feeds, the next .ics) see the new date or place
		}
		if _, err := tx.NewUpdate().Model(m).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("update meeting: %w", err)
		}
		details := map[string]any{"kind": string(m.Kind), "mode": string(m.Mode), "starts_at": m.StartsAt.Format(time.RFC3339),
			"ends_at": m.EndsAt.Format(time.RFC3339), "capacity": m.Capacity, "urgency": m.Urgency, "sequence": m.Sequence}
		if m.Status == MeetingConvened && changed {
			details["after_convocation"] = true
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: cid, Actor: models.ActorFor(actor), Action: "meeting.update", Object: models.ObjectRef("meeting", m.ID), Details: details})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// CancelResult is a cancelled session and the people convened to it, to notify.
type CancelResult struct {
	Meeting  *Meeting
	Notify   []ConvocationRecipient
	Released []string // references of the files back to admissible
}

// CancelMeeting cancels a planned or convened session with a reason: the files of its
// agenda go back to admissible, the access the convocation gave is withdrawn and the
// calendar Sequence grows. The caller notifies CancelResult.Notify (by e-mail with a
// STATUS:CANCELLED calendar file).
func CancelMeeting(ctx context.Context, db bun.IDB, actor *models.User, cid, id int64, reason string, now time.Time) (*CancelResult, error) {
	if !mayConvene(actor, cid) {
		return nil, ErrAgendaForbidden
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, models.FieldErrors{"reason": "Indiquez le motif de l'annulation : il sera communiqué aux membres."}.Err()
	}
	if err := models.TextError("reason", "Motif de l'annulation", reason, models.MaxNoteLength); err != nil {
		return nil, err
	}
	res := &CancelResult{}
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := lockAgendaMeeting(ctx, tx, actor, cid, id)
		if errors.Is(err, ErrAgendaFrozen) {
			return ErrMeetingFrozen
		} else if err != nil {
			return err
		}
		items, err := ListAgenda(ctx, tx, cid, m.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.FileID == nil {
				continue
			}
			f, err := files.FindFileRow(ctx, tx, cid, *it.FileID)
			if err != nil {
				return err
			}
			if f.State == files.StateScheduled && f.SessionID != nil && *f.SessionID == m.ID {
				if err := UnscheduleFile(ctx, tx, actor, f.ID, now); err != nil {
					return err
				}
				res.Released = append(res.Released, f.Reference)
			}
		}
		if err := revokeSessionGrants(ctx, tx, models.ActorFor(actor), m, nil, now); err != nil {
			return err
		}
		m.Status, m.CancelledReason, m.UpdatedAt = MeetingCancelled, reason, now.UTC()
		m.Sequence++
		if _, err := tx.NewUpdate().Model(m).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("cancel meeting: %w", err)
		}
		if res.Notify, err = ConvenedUsers(ctx, tx, cid, m.ID); err != nil {
			return err
		}
		res.Meeting = m
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "meeting.cancel", Object: models.ObjectRef("meeting", m.ID),
			Details: map[string]any{"reason": reason, "released_files": res.Released, "notified": len(res.Notify), "sequence": m.Sequence},
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// MeetingsFor returns the sessions u may see in [from, to): every session of the
// commission for the secretariat, the présidence, the préfecture and the associations
// (dates only for the last two, see CanSeeAgenda); for a member, the sessions where
// they hold a mandate on the session's day or were convened.
func MeetingsFor(ctx context.Context, db bun.IDB, u *models.User, from, to time.Time) ([]Meeting, error) {
	ms := []Meeting{}
	q, err := visibleMeetings(ctx, db, u, &ms)
	if err != nil || q == nil {
		return ms, err
	}
	err = q.Where("meeting.starts_at >= ? AND meeting.starts_at < ?", from.UTC(), to.UTC()).Order("meeting.starts_at ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	return ms, nil
}

// MeetingCursor is where a page of sessions resumes: after the session starting at
// StartsAt with id ID, in (starts_at, id) order.
type MeetingCursor struct {
	StartsAt time.Time
	ID       int64
}

// MeetingsPage returns at most limit sessions u may see (the same as MeetingsFor),
// by start then id, after the cursor (from the first when nil), and whether more follow.
func MeetingsPage(ctx context.Context, db bun.IDB, u *models.User, after *MeetingCursor, limit int) ([]Meeting, bool, error) {
	ms := []Meeting{}
	q, err := visibleMeetings(ctx, db, u, &ms)
	if err != nil || q == nil {
		return ms, false, err
	}
	if after != nil {
		at := after.StartsAt.UTC()
		q = q.Where("(meeting.starts_at > ? OR (meeting.starts_at = ? AND meeting.id > ?))", at, at, after.ID)
	}
	if err := q.Order("meeting.starts_at ASC", "meeting.id ASC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("page meetings: %w", err)
	}
	if len(ms) > limit {
		return ms[:limit], true, nil
	}
	return ms, false, nil
}

// visibleMeetings starts the query of the sessions u may see into dest, or returns nil
// when u sees none. It is the one statement of the rule of MeetingsFor: a member sees a
// session they were convened to, or one held on a day one of their mandates runs (the
// mandate's calendar days, in the commission's zone, as instants).
func visibleMeetings(ctx context.Context, db bun.IDB, u *models.User, dest *[]Meeting) (*bun.SelectQuery, error) {
	cid := u.CommissionIDOrZero()
	if cid == 0 || !u.Active {
		return nil, nil
	}
	q := db.NewSelect().Model(dest).Where("meeting.commission_id = ?", cid)
	if u.Role != models.RoleMember {
		return q, nil
	}
	mandates, err := registry.UserMandates(ctx, db, cid, u.ID)
	if err != nil {
		return nil, err
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("meeting.id IN (SELECT meeting_id FROM convocation_recipients WHERE user_id = ?)", u.ID)
		for _, m := range mandates {
			if m.LastDay().Before(m.StartsOn) {
				continue
			}
			q = q.WhereOr("(meeting.starts_at >= ? AND meeting.starts_at < ?)", dayStart(m.StartsOn), dayStart(m.LastDay().AddDate(0, 0, 1)))
		}
		return q
	}), nil
}

// dayStart is the first instant of calendar day (a date as CalendarDay returns) in the
// commission's zone: CalendarDay(t) == day exactly when dayStart(day) <= t < dayStart(day+1).
func dayStart(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, models.Paris).UTC()
}

// CanSeeMeeting reports whether u may open session m's page: the secretariat and the
// présidence always; a member for their sessions (see MeetingsFor).
func CanSeeMeeting(ctx context.Context, db bun.IDB, u *models.User, m *Meeting) (bool, error) {
	if u == nil || !u.Active || u.CommissionIDOrZero() != m.CommissionID {
		return false, nil
	}
	switch u.Role {
	case models.RoleSecretariat, models.RolePresident:
		return true, nil
	case models.RoleMember:
		var ms []Meeting
		q, err := visibleMeetings(ctx, db, u, &ms)
		if err != nil || q == nil {
			return false, err
		}
		ok, err := q.Where("meeting.id = ?", m.ID).Exists(ctx)
		if err != nil {
			return false, fmt.Errorf("can see meeting: %w", err)
		}
		return ok, nil
	}
	return false, nil
}

// UpcomingMeetings returns the active sessions of u starting after now, soonest first, at most limit.
func UpcomingMeetings(ctx context.Context, db bun.IDB, u *models.User, now time.Time, limit int) ([]Meeting, error) {
	ms, err := MeetingsFor(ctx, db, u, now, now.AddDate(2, 0, 0))
	if err != nil {
		return nil, err
	}
	ms = slices.DeleteFunc(ms, func(m Meeting) bool { return !m.Status.Active() })
	return ms[:min(limit, len(ms))], nil
}
