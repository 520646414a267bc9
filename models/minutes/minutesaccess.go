package minutes

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/meetings"
)

// Refusals of a procès-verbal the user may not read, in French.
var (
	ErrMinutesNotEstablished = models.NewRefusal("Le procès-verbal de cette séance n'est pas encore établi.")
	ErrMinutesNotConvened    = models.NewRefusal("Vous n'avez pas été convoqué(e) à cette séance : son procès-verbal ne vous est pas accessible.")
	ErrMinutesInPreparation  = models.NewRefusal("Le procès-verbal de cette séance est en préparation : il vous sera accessible une fois validé par le président.")
	ErrMinutesNotApproved    = models.NewRefusal("Le procès-verbal de cette séance n'est pas encore approuvé : la préfecture le consultera une fois approuvé.")
)

// MinutesReader says which procès-verbaux of their commission a user may read:
//   - the secretariat and the president: every version, drafts included;
//   - a member: the versions past the draft of the sessions they were convened to, and
//     the versions submitted for approval to such a session (whatever their mandate:
//     holding a seat on a day is not being convened to that day's session);
//   - the prefecture: the approved versions;
//   - anybody else: nothing.
type MinutesReader struct {
	user     *models.User
	convened []int64 // the sessions a member was convened to
}

// MinutesReaderFor returns what u may read of the procès-verbaux.
func MinutesReaderFor(ctx context.Context, db bun.IDB, u *models.User) (*MinutesReader, error) {
	r := &MinutesReader{user: u}
	if u == nil || !u.Active || u.Role != models.RoleMember {
		return r, nil
	}
	err := db.NewSelect().Model((*meetings.ConvocationRecipient)(nil)).Column("meeting_id").
		Where("user_id = ? AND commission_id = ?", u.ID, u.CommissionIDOrZero()).Scan(ctx, &r.convened)
	if err != nil {
		return nil, fmt.Errorf("minutes reader: %w", err)
	}
	return r, nil
}

// Convened reports whether the session is one the user may look for minutes of: every
// session of the commission for the secretariat, the president and the prefecture; a
// member's convened sessions.
func (r *MinutesReader) Convened(m *meetings.Meeting) bool {
	u := r.user
	if u == nil || !u.Active || u.CommissionIDOrZero() != m.CommissionID {
		return false
	}
	switch u.Role {
	case models.RoleSecretariat, models.RolePresident, models.RolePrefecture:
		return true
	case models.RoleMember:
		return slices.Contains(r.convened, m.ID)
	}
	return false
}

// CanRead reports whether the user may read version v.
func (r *MinutesReader) CanRead(v *Minutes) bool {
	u := r.user
	if u == nil || !u.Active || u.CommissionIDOrZero() != v.CommissionID {
		return false
	}
	switch u.Role {
	case models.RoleSecretariat, models.RolePresident:
		return true
	case models.RolePrefecture:
		return v.Status == MinutesApproved || v.Status == MinutesLocked
	case models.RoleMember:
		if v.Status == MinutesDraft {
			return false
		}
		return slices.Contains(r.convened, v.MeetingID) ||
			(v.SubmittedToMeetingID != nil && slices.Contains(r.convened, *v.SubmittedToMeetingID))
	}
	return false
}

// Latest returns the latest of versions (oldest first) the user may read, or the
// refusal that explains why there is none.
func (r *MinutesReader) Latest(m *meetings.Meeting, versions []Minutes) (*Minutes, error) {
	for i := len(versions) - 1; i >= 0; i-- {
		if r.CanRead(&versions[i]) {
			return &versions[i], nil
		}
	}
	switch {
	case !r.Convened(m):
		return nil, ErrMinutesNotConvened
	case len(versions) == 0:
		return nil, ErrMinutesNotEstablished
	case r.user.Role == models.RolePrefecture:
		return nil, ErrMinutesNotApproved
	}
	return nil, ErrMinutesInPreparation
}

// ReadableMinutes returns session meetingID of commission cid and the latest version of
// its procès-verbal that u may read (see MinutesReader), or a refusal:
// ErrMinutesNotEstablished, ErrMinutesNotConvened, ErrMinutesInPreparation or
// ErrMinutesNotApproved; ErrNotFound for a session of another commission.
func ReadableMinutes(ctx context.Context, db bun.IDB, u *models.User, cid, meetingID int64) (*meetings.Meeting, *Minutes, error) {
	rec, err := ReadMinutesRecord(ctx, db, cid, meetingID)
	if err != nil {
		return nil, nil, err
	}
	return ReadableIn(ctx, db, u, rec)
}

// MinutesRecord is what is stored of a session's procès-verbal: the session and every
// version, their snapshots sealed. It is the same for every reader; a page may keep it
// until the next write, and only reads it.
type MinutesRecord struct {
	Meeting  meetings.Meeting
	Versions []Minutes // oldest first
}

// ReadMinutesRecord reads the record of session meetingID of commission cid; ErrNotFound
// for a session of another commission.
func ReadMinutesRecord(ctx context.Context, db bun.IDB, cid, meetingID int64) (*MinutesRecord, error) {
	m, err := meetings.FindMeeting(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	versions, err := ListMinutesVersions(ctx, db, cid, m.ID)
	if err != nil {
		return nil, err
	}
	return &MinutesRecord{Meeting: *m, Versions: versions}, nil
}

// ReadableIn is ReadableMinutes on a record read earlier: u is checked now, and the
// session and version returned are copies, the caller's own.
func ReadableIn(ctx context.Context, db bun.IDB, u *models.User, rec *MinutesRecord) (*meetings.Meeting, *Minutes, error) {
	r, err := MinutesReaderFor(ctx, db, u)
	if err != nil {
		return nil, nil, err
	}
	m := rec.Meeting
	v, err := r.Latest(&m, rec.Versions)
	if err != nil {
		return nil, nil, err
	}
	own := *v
	return &m, &own, nil
}
