package meetings

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/registry"
)

// AttendanceStatus is how a seat's titulaire takes part in a session: first as the
// member's reply to the convocation, then as confirmed by the secretariat at the sitting.
type AttendanceStatus string

// The attendance statuses.
const (
	AttNoReply       AttendanceStatus = "no_reply"
	AttPresentOnSite AttendanceStatus = "present_onsite"
	AttPresentRemote AttendanceStatus = "present_remote" // counts as present (décret 2022-997)
	AttSubstituted   AttendanceStatus = "substituted"    // replaced by their own suppléant (R133-3)
	AttProxy         AttendanceStatus = "proxy"          // gave a proxy to another member (R133-9)
	AttExcused       AttendanceStatus = "excused"
	AttAbsent        AttendanceStatus = "absent"
)

// AttendanceStatuses lists the statuses in display order.
var AttendanceStatuses = []AttendanceStatus{AttPresentOnSite, AttPresentRemote, AttSubstituted, AttProxy, AttExcused, AttAbsent, AttNoReply}

// Label is the French name of the status.
func (s AttendanceStatus) Label() string {
	switch s {
	case AttNoReply:
		return "Pas de réponse"
	case AttPresentOnSite:
		return "Présent(e) sur place"
	case AttPresentRemote:
		return "Présent(e) à distance"
	case AttSubstituted:
		return "Remplacé(e) par son suppléant"
	case AttProxy:
		return "A donné procuration"
	case AttExcused:
		return "Excusé(e)"
	case AttAbsent:
		return "Absent(e)"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s AttendanceStatus) Valid() bool { return slices.Contains(AttendanceStatuses, s) }

// Sits reports whether the seat is occupied in the room or remotely (by the titulaire
// or their suppléant): what counts as present for the quorum.
func (s AttendanceStatus) Sits() bool {
	return s == AttPresentOnSite || s == AttPresentRemote || s == AttSubstituted
}

// Attendance is one voting seat's participation in a session.
type Attendance struct {
	bun.BaseModel `bun:"table:meeting_attendance"`

	ID                int64            `bun:",pk,autoincrement"`
	CommissionID      int64            `bun:",notnull"`
	MeetingID         int64            `bun:",notnull"`
	SeatID            int64            `bun:",notnull"`
	TitulaireUserID   int64            `bun:",notnull"`
	Status            AttendanceStatus `bun:",notnull"`
	SubstituteUserID  *int64           `bun:",nullzero"` // the suppléant sitting, for AttSubstituted
	ProxyHolderUserID *int64           `bun:",nullzero"` // the member holding the proxy, for AttProxy
	RepliedAt         *time.Time       // the member's own answer
	ConfirmedAt       *time.Time       // confirmed by the secretariat at the sitting
	UpdatedAt         time.Time        `bun:",notnull"`
}

// AttendanceInput sets a seat's attendance.
type AttendanceInput struct {
	SeatID            int64
	Status            AttendanceStatus
	SubstituteUserID  int64 // for AttSubstituted
	ProxyHolderUserID int64 // for AttProxy
	// Confirm marks the secretariat's confirmation at the sitting rather than a reply.
	Confirm bool
}

// Rule refusals of attendance (REGLES.md requirement 2), in French.
var (
	ErrNotOwnSuppleant    = models.NewRefusal("Seul un suppléant de ce siège peut remplacer son titulaire (R133-3).")
	ErrProxyWithSuppleant = models.NewRefusal("Ce siège a un suppléant : c'est lui qui remplace le titulaire. Seul un membre qui ne peut pas être suppléé peut donner procuration (R133-9).")
	ErrProxyHolderTaken   = models.NewRefusal("Ce membre détient déjà une procuration pour cette séance : nul ne peut détenir plus d'un mandat (R133-9).")
	ErrProxyHolderInvalid = models.NewRefusal("La procuration doit être donnée à un autre membre titulaire de la commission ayant voix délibérative.")
	ErrProxyHolderAway    = models.NewRefusal("Ce membre ne siégera pas lui-même : il ne peut pas recevoir de procuration.")
	ErrHoldsProxy         = models.NewRefusal("Ce membre détient la procuration d'un autre membre : il doit siéger, ou cette procuration doit d'abord être retirée.")
	ErrMeetingNotActive   = models.NewRefusal("Cette séance est close ou annulée : la participation ne peut plus être modifiée.")
)

// SetAttendance records a seat's participation in session meetingID and enforces
// REGLES.md requirement 2: a suppléant replaces only their own titulaire; a proxy only
// for a member who cannot be substituted (no suppléant), to another titulaire who sits;
// nobody holds more than one proxy.
func SetAttendance(ctx context.Context, db bun.IDB, actor models.Actor, cid, meetingID int64, in AttendanceInput, now time.Time) (*Attendance, error) {
	if !in.Status.Valid() {
		return nil, models.FieldErrors{"status": "Choisissez une réponse."}.Err()
	}
	var out *Attendance
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := FindMeeting(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		if !m.Status.Active() {
			return ErrMeetingNotActive
		}
		roll, err := registry.VotingMembers(ctx, tx, cid, m.StartsAt)
		if err != nil {
			return err
		}
		var seat *registry.SeatHolders
		titulaireSeat := map[int64]int64{} // titulaire user → seat
		for i := range roll.Seats {
			h := &roll.Seats[i]
			if h.Titulaire != nil {
				titulaireSeat[h.Titulaire.UserID] = h.Seat.ID
			}
			if h.Seat.ID == in.SeatID {
				seat = h
			}
		}
		if seat == nil || seat.Titulaire == nil {
			return fmt.Errorf("%w: seat %d has no titulaire with a voting right", models.ErrNotFound, in.SeatID)
		}
		existing, err := ListAttendance(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		bySeat := map[int64]*Attendance{}
		for i := range existing {
			bySeat[existing[i].SeatID] = &existing[i]
		}
		a := bySeat[in.SeatID]
		if a == nil {
			a = &Attendance{CommissionID: cid, MeetingID: meetingID, SeatID: in.SeatID}
		}
		a.TitulaireUserID = seat.Titulaire.UserID
		a.Status, a.SubstituteUserID, a.ProxyHolderUserID = in.Status, nil, nil
		if err := checkRepresentation(seat, in, titulaireSeat, bySeat); err != nil {
			return err
		}
		if in.Status == AttSubstituted {
			a.SubstituteUserID = &in.SubstituteUserID
		}
		if in.Status == AttProxy {
			a.ProxyHolderUserID = &in.ProxyHolderUserID
		}
		t := models.Stamp(now)
		if in.Confirm {
			a.ConfirmedAt = &t
		} else {
			a.RepliedAt = &t
		}
		a.UpdatedAt = t
		if a.ID == 0 {
			_, err = tx.NewInsert().Model(a).Exec(ctx)
		} else {
			_, err = tx.NewUpdate().Model(a).WherePK().Exec(ctx)
		}
		if err != nil {
			return fmt.Errorf("set attendance: %w", err)
		}
		out = a
		details := map[string]any{"seat_id": a.SeatID, "status": string(a.Status), "confirmed": in.Confirm}
		if a.SubstituteUserID != nil {
			details["substitute_user_id"] = *a.SubstituteUserID
		}
		if a.ProxyHolderUserID != nil {
			details["proxy_holder_user_id"] = *a.ProxyHolderUserID
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: actor, Action: "meeting.attendance", Object: models.ObjectRef("meeting", meetingID), Details: details,
		})
	})
	return out, err
}

// checkRepresentation applies REGLES.md requirement 2 to one seat's new status, given
// the titulaires' seats and the other seats' attendance.
func checkRepresentation(seat *registry.SeatHolders, in AttendanceInput, titulaireSeat map[int64]int64, bySeat map[int64]*Attendance) error {
	me := seat.Titulaire.UserID
	if !in.Status.Sits() && in.Status != AttNoReply {
		for sid, other := range bySeat {
			if sid != seat.Seat.ID && other.Status == AttProxy && other.ProxyHolderUserID != nil && *other.ProxyHolderUserID == me {
				return ErrHoldsProxy
			}
		}
	}
	switch in.Status {
	case AttSubstituted:
		for _, s := range seat.Suppleants {
			if s.UserID == in.SubstituteUserID {
				return nil
			}
		}
		return ErrNotOwnSuppleant
	case AttProxy:
		if len(seat.Suppleants) > 0 {
			return ErrProxyWithSuppleant
		}
		holderSeat, ok := titulaireSeat[in.ProxyHolderUserID]
		if !ok || in.ProxyHolderUserID == me {
			return ErrProxyHolderInvalid
		}
		if h := bySeat[holderSeat]; h != nil && h.Status != AttNoReply && !h.Status.Sits() {
			return ErrProxyHolderAway
		}
		if h := bySeat[holderSeat]; h != nil && h.Status == AttSubstituted {
			return ErrProxyHolderAway
		}
		for sid, other := range bySeat {
			if sid != seat.Seat.ID && other.Status == AttProxy && other.ProxyHolderUserID != nil && *other.ProxyHolderUserID == in.ProxyHolderUserID {
				return ErrProxyHolderTaken
			}
		}
	}
	return nil
}

// ListAttendance returns the attendance rows of a session by seat.
func ListAttendance(ctx context.Context, db bun.IDB, cid, meetingID int64) ([]Attendance, error) {
	var as []Attendance
	err := db.NewSelect().Model(&as).Where("commission_id = ? AND meeting_id = ?", cid, meetingID).Order("seat_id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list attendance: %w", err)
	}
	return as, nil
}
