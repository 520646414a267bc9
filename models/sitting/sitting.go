package sitting

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/registry"
)

// A sitting is a session being held: the secretariat confirms the attendance from the
// replies, the président (the chair) opens it, arrivals and departures are recorded
// against the agenda item under way, the quorum is computed live (REGLES.md
// requirement 4), the chair opens and closes the votes (vote.go), then closes the
// session. A session that lacks the quorum is closed with one action that creates its
// second convocation (R133-10).
//
// The chair is the président (an account of role president), who is not one of the
// seats of R121-12-7: the quorum counts the seats with a voting right only, whoever
// chairs. When the commission's setting PresidentVotes is on (the default), the chair
// casts a ballot like a member on every vote and that ballot decides a tie (casting
// vote, R133-11); when it is off, the chair does not vote and a tie rejects the motion.

// Sitting records how a session was held.
type Sitting struct {
	bun.BaseModel `bun:"table:meeting_sittings"`

	MeetingID     int64     `bun:",pk"`
	CommissionID  int64     `bun:",notnull"`
	ChairUserID   int64     `bun:",notnull"` // the président chairing
	OpenedAt      time.Time `bun:",notnull"`
	OpenedBy      int64     `bun:",notnull"`
	CurrentItemID *int64    `bun:",nullzero"` // the agenda item under way
	ClosedAt      *time.Time
	ClosedBy      *int64 `bun:",nullzero"`
	// QuorumFailed: closed for lack of quorum; SecondConvocationID is then the new session.
	QuorumFailed        bool      `bun:",notnull"`
	SecondConvocationID *int64    `bun:",nullzero"`
	UpdatedAt           time.Time `bun:",notnull"`
}

// PresenceKind is an arrival or a departure during a sitting.
type PresenceKind string

// The presence events.
const (
	PresenceArrival   PresenceKind = "arrival"
	PresenceDeparture PresenceKind = "departure"
)

// Label is the French name of the event.
func (k PresenceKind) Label() string {
	if k == PresenceArrival {
		return "Arrivée"
	}
	return "Départ"
}

// PresenceEvent is an arrival or a departure of a seat's holder during a sitting,
// recorded against the agenda item under way (nil: before the first item).
type PresenceEvent struct {
	bun.BaseModel `bun:"table:sitting_presence_events"`

	ID           int64        `bun:",pk,autoincrement"`
	CommissionID int64        `bun:",notnull"`
	MeetingID    int64        `bun:",notnull"`
	SeatID       int64        `bun:",notnull"`
	UserID       int64        `bun:",notnull"` // who arrived or left: the titulaire or their suppléant
	Kind         PresenceKind `bun:",notnull"`
	Remote       bool         `bun:",notnull"` // an arrival by telephone or video
	AgendaItemID *int64       `bun:",nullzero"`
	At           time.Time    `bun:",notnull"`
	RecordedBy   int64        `bun:",notnull"`
}

// Refusals of the sitting (REGLES.md requirements 2, 4, 5, 6 and 12), in French.
var (
	ErrSittingNotConvened  = models.NewRefusal("La séance ne peut être ouverte qu'une fois convoquée, et le jour prévu.")
	ErrSittingNotOpen      = models.NewRefusal("La séance n'est pas ouverte.")
	ErrAttendanceToConfirm = models.NewRefusal("Confirmez d'abord la participation de chaque membre (émargement) : certaines réponses ne sont pas confirmées.")
	ErrNotChair            = models.NewRefusal("La présidence de séance revient à un compte « Présidence » actif de la commission.")
	ErrQuorumReached       = models.NewRefusal("Le quorum est atteint : la séance ne peut pas être close pour défaut de quorum.")
	ErrQuorumNotNeeded     = models.NewRefusal("Cette séance est une seconde convocation : elle délibère sans condition de quorum (R133-10).")
	ErrVotesStillOpen      = models.NewRefusal("Un vote est encore ouvert : clôturez-le avant de clore la séance.")
	ErrPresenceInvalid     = models.NewRefusal("Ce mouvement ne correspond pas à la présence actuelle du membre.")
	ErrWrittenNoQuorum     = models.NewRefusal("Une délibération écrite n'a pas de quorum : chacune n'est valable que si la moitié au moins des membres y prennent part.")
)

// FindSitting returns the sitting of session meetingID of commission cid, or ErrNotFound
// when it was never opened.
func FindSitting(ctx context.Context, db bun.IDB, cid, meetingID int64) (*Sitting, error) {
	s := new(Sitting)
	if err := db.NewSelect().Model(s).Where("meeting_id = ? AND commission_id = ?", meetingID, cid).Scan(ctx); err != nil {
		return nil, models.NotFound(err, "find sitting")
	}
	return s, nil
}

// lockSittingMeeting reads a session for update: on PostgreSQL the row stays locked until
// the transaction ends, so that opening a vote and closing the session never interleave.
func lockSittingMeeting(ctx context.Context, tx bun.Tx, cid, meetingID int64) (*meetings.Meeting, error) {
	return models.LockOwned[meetings.Meeting](ctx, tx, cid, meetingID, "lock meeting")
}

// SeatPresence is one voting seat at a sitting: its holders, its confirmed attendance
// and, after the arrivals and departures so far, who sits for it or holds its proxy.
type SeatPresence struct {
	Seat       registry.Seat
	Titulaire  *registry.Mandate  // nil: vacant seat
	Suppleants []registry.Mandate // current suppléants
	Attendance *meetings.Attendance
	Status     meetings.AttendanceStatus // the reply or the confirmed status (AttNoReply without one)
	Confirmed  bool
	SitterID   int64 // who sits for the seat now (titulaire or suppléant); 0: nobody
	SitterName string
	Remote     bool  // the sitter takes part by telephone or video
	HolderID   int64 // the member holding the seat's proxy and sitting now; 0: not represented
	HolderName string
	Events     []PresenceEvent
}

// Sits reports whether someone sits for the seat now (on site or remotely).
func (p *SeatPresence) Sits() bool { return p.SitterID != 0 }

// Represented reports whether the seat is represented by a sitting proxy holder.
func (p *SeatPresence) Represented() bool { return p.HolderID != 0 }

// Left reports whether the seat's holder arrived or sat then left.
func (p *SeatPresence) Left() bool {
	return len(p.Events) > 0 && p.Events[len(p.Events)-1].Kind == PresenceDeparture
}

// Label is the French description of the seat's presence now.
func (p *SeatPresence) Label() string {
	switch {
	case p.Titulaire == nil:
		return "Siège vacant"
	case p.Sits() && p.Remote:
		return "Présent(e) à distance"
	case p.Sits() && p.Titulaire.UserID != p.SitterID:
		return "Suppléé(e)"
	case p.Sits():
		return "Présent(e)"
	case p.Represented():
		return "Représenté(e) par procuration"
	case p.Left():
		return "Parti(e) en cours de séance"
	}
	return p.Status.Label()
}

// holderNames returns the names of a seat's holders by user id.
func (p *SeatPresence) holderNames() map[int64]string {
	out := map[int64]string{}
	if p.Titulaire != nil && p.Titulaire.User != nil {
		out[p.Titulaire.UserID] = p.Titulaire.User.Name
	}
	for _, s := range p.Suppleants {
		if s.User != nil {
			out[s.UserID] = s.User.Name
		}
	}
	return out
}

// Presence is the state of a session's seats now.
type Presence struct {
	Meeting  *meetings.Meeting
	Members  int // seats with a voting right, vacant ones included (the base of the quorum)
	AllSeats int // every seat, for the "half of all members" quorum rule
	Seats    []SeatPresence
}

// seat returns the presence of seat id, or nil.
func (p *Presence) seat(id int64) *SeatPresence {
	for i := range p.Seats {
		if p.Seats[i].Seat.ID == id {
			return &p.Seats[i]
		}
	}
	return nil
}

// SittingPresence returns who sits now at session meetingID of commission cid: the
// confirmed attendance (or the replies, before confirmation) with the arrivals and
// departures replayed in order. A proxy counts only while its holder sits.
func SittingPresence(ctx context.Context, db bun.IDB, cid, meetingID int64) (*Presence, error) {
	m, err := meetings.FindMeeting(ctx, db, cid, meetingID)
	if err != nil {
		return nil, err
	}
	return loadPresence(ctx, db, m)
}

func loadPresence(ctx context.Context, db bun.IDB, m *meetings.Meeting) (*Presence, error) {
	return loadPresenceWith(ctx, db, m, nil)
}

// loadPresenceWith is loadPresence with the commission's roster already read (nil: read
// it).
func loadPresenceWith(ctx context.Context, db bun.IDB, m *meetings.Meeting, r *registry.Roster) (*Presence, error) {
	if r == nil {
		var err error
		if r, err = registry.LoadRoster(ctx, db, m.CommissionID); err != nil {
			return nil, err
		}
	}
	roll := registry.NewVotingRoll(r.HoldersOn(models.CalendarDay(m.StartsAt)), m.StartsAt)
	n := len(r.Seats)
	as, err := meetings.ListAttendance(ctx, db, m.CommissionID, m.ID)
	if err != nil {
		return nil, err
	}
	var events []PresenceEvent
	if err := db.NewSelect().Model(&events).Where("meeting_id = ?", m.ID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("sitting presence: %w", err)
	}
	p := &Presence{Meeting: m, Members: roll.Count, AllSeats: n}
	bySeat := map[int64]*meetings.Attendance{}
	for i := range as {
		bySeat[as[i].SeatID] = &as[i]
	}
	for _, h := range roll.Seats {
		sp := SeatPresence{Seat: h.Seat, Titulaire: h.Titulaire, Suppleants: h.Suppleants, Status: meetings.AttNoReply}
		if a := bySeat[h.Seat.ID]; a != nil && h.Titulaire != nil {
			sp.Attendance, sp.Status, sp.Confirmed = a, a.Status, a.ConfirmedAt != nil
			switch a.Status {
			case meetings.AttPresentOnSite, meetings.AttPresentRemote:
				sp.SitterID, sp.Remote = h.Titulaire.UserID, a.Status == meetings.AttPresentRemote
			case meetings.AttSubstituted:
				if a.SubstituteUserID != nil {
					sp.SitterID = *a.SubstituteUserID
				}
			}
		}
		p.Seats = append(p.Seats, sp)
	}
	for _, e := range events {
		sp := p.seat(e.SeatID)
		if sp == nil {
			continue
		}
		sp.Events = append(sp.Events, e)
		if e.Kind == PresenceArrival {
			sp.SitterID, sp.Remote = e.UserID, e.Remote
		} else {
			sp.SitterID, sp.Remote = 0, false
		}
	}
	// Proxies last: a proxy counts while its giver does not sit and its holder sits as
	// the titulaire of their own seat.
	sitting := map[int64]string{}
	for i := range p.Seats {
		sp := &p.Seats[i]
		if sp.Sits() {
			sp.SitterName = sp.holderNames()[sp.SitterID]
			sitting[sp.SitterID] = sp.SitterName
		}
	}
	for i := range p.Seats {
		sp := &p.Seats[i]
		a := sp.Attendance
		if sp.Sits() || a == nil || a.Status != meetings.AttProxy || a.ProxyHolderUserID == nil {
			continue
		}
		if name, ok := sitting[*a.ProxyHolderUserID]; ok {
			sp.HolderID, sp.HolderName = *a.ProxyHolderUserID, name
		}
	}
	return p, nil
}

// Quorum is the count of members present or represented against the quorum (REGLES.md
// requirement 4, CRPA R133-10): members present on site or remotely (décret 2022-997)
// and members represented by a proxy count; members excluded from the item do not.
type Quorum struct {
	Members     int // seats with a voting right
	Required    int // settings.QuorumRequired: ceil(members/2) by default
	Present     int // seats sitting (titulaire or suppléant, on site or remotely)
	Represented int // seats represented by a sitting proxy holder
	Recused     int // seats that would count but are excluded from the item
	// NotRequired: a second convocation deliberates without quorum (R133-10).
	NotRequired bool
}

// Count is the number of members present or represented.
func (q Quorum) Count() int { return q.Present + q.Represented }

// Met reports whether the count reaches the quorum (always, on a second convocation).
func (q Quorum) Met() bool { return q.NotRequired || q.Count() >= q.Required }

// Missing is how many more members must come for the quorum (0 when met).
func (q Quorum) Missing() int {
	if q.Met() {
		return 0
	}
	return q.Required - q.Count()
}

// exclusions are the seats and users kept out of an item (REGLES.md requirement 6).
type exclusions struct {
	seats map[int64]bool
	users map[int64]bool
}

func (x *exclusions) seat(id int64) bool { return x != nil && x.seats[id] }
func (x *exclusions) user(id int64) bool { return x != nil && x.users[id] }

// counts reports whether a seat counts for an item: it sits (sitter not excluded) or is
// represented (titulaire and holder not excluded); present tells which.
func (x *exclusions) counts(sp *SeatPresence) (counts, present bool) {
	if sp.Titulaire == nil || x.seat(sp.Seat.ID) {
		return false, false
	}
	if sp.Sits() {
		return !x.user(sp.SitterID), true
	}
	if sp.Represented() {
		return !x.user(sp.Titulaire.UserID) && !x.user(sp.HolderID), false
	}
	return false, false
}

// quorumOf computes the quorum of a presence, leaving out the exclusions of an item.
func quorumOf(p *Presence, s *models.CommissionSettings, x *exclusions) Quorum {
	q := Quorum{Members: p.Members, Required: s.QuorumRequired(p.Members, p.AllSeats), NotRequired: p.Meeting.NoQuorumRequired}
	for i := range p.Seats {
		sp := &p.Seats[i]
		ok, present := x.counts(sp)
		switch {
		case ok && present:
			q.Present++
		case ok:
			q.Represented++
		default:
			if all, _ := (*exclusions)(nil).counts(sp); all {
				q.Recused++
			}
		}
	}
	return q
}

// MeetingQuorum returns the quorum of session meetingID now, all seats considered.
func MeetingQuorum(ctx context.Context, db bun.IDB, cid, meetingID int64) (Quorum, error) {
	p, err := SittingPresence(ctx, db, cid, meetingID)
	if err != nil {
		return Quorum{}, err
	}
	s, err := models.FindSettings(ctx, db, cid)
	if err != nil {
		return Quorum{}, err
	}
	return quorumOf(p, s, nil), nil
}

// ItemQuorum returns the quorum for agenda item itemID now: the session's presence
// without the seats and members excluded from the item (REGLES.md requirements 4 and 6).
func ItemQuorum(ctx context.Context, db bun.IDB, cid, itemID int64) (Quorum, error) {
	item, err := findSittingItem(ctx, db, cid, itemID)
	if err != nil {
		return Quorum{}, err
	}
	p, err := SittingPresence(ctx, db, cid, item.MeetingID)
	if err != nil {
		return Quorum{}, err
	}
	x, _, err := itemExclusions(ctx, db, p, item)
	if err != nil {
		return Quorum{}, err
	}
	s, err := models.FindSettings(ctx, db, cid)
	if err != nil {
		return Quorum{}, err
	}
	return quorumOf(p, s, x), nil
}

// FindSittingItem returns agenda item id of commission cid.
func FindSittingItem(ctx context.Context, db bun.IDB, cid, id int64) (*meetings.AgendaItem, error) {
	return findSittingItem(ctx, db, cid, id)
}

// findSittingItem returns agenda item id of commission cid.
func findSittingItem(ctx context.Context, db bun.IDB, cid, id int64) (*meetings.AgendaItem, error) {
	item := new(meetings.AgendaItem)
	if err := db.NewSelect().Model(item).Where("id = ? AND commission_id = ?", id, cid).Scan(ctx); err != nil {
		return nil, models.NotFound(err, "find agenda item")
	}
	return item, nil
}

// Recusal is a person kept out of an agenda item (REGLES.md requirement 6): a holder of
// the seat of the association that instructed the file (R121-12-7), or a member who
// declared an interest (R133-12).
type Recusal struct {
	UserID      int64
	Name        string
	SeatID      int64 // 0 for the président or an account without a seat
	Association bool  // the instructing association; false: a declared interest
	Reason      string
}

// itemExclusions returns the seats and users excluded from a file item, with the list of
// the members and présidents among them. Other items exclude nobody.
func itemExclusions(ctx context.Context, db bun.IDB, p *Presence, item *meetings.AgendaItem) (*exclusions, []Recusal, error) {
	return itemExclusionsWith(ctx, db, p, item, files.NewExclusionLookup())
}

// itemExclusionsWith is itemExclusions sharing lk with the other items of a page.
func itemExclusionsWith(ctx context.Context, db bun.IDB, p *Presence, item *meetings.AgendaItem, lk *files.ExclusionLookup) (*exclusions, []Recusal, error) {
	x := &exclusions{seats: map[int64]bool{}, users: map[int64]bool{}}
	list := []Recusal{}
	if item.Kind != meetings.ItemFile || item.FileID == nil {
		return x, list, nil
	}
	f, err := lk.File(ctx, db, item.CommissionID, *item.FileID)
	if err != nil {
		return nil, nil, err
	}
	seats, err := lk.SeatsOf(ctx, db, item.CommissionID, f.AssociationID)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range seats {
		x.seats[s.ID] = true
	}
	holders := map[int64]*SeatPresence{}
	for i := range p.Seats {
		sp := &p.Seats[i]
		for _, h := range sp.Suppleants {
			holders[h.UserID] = sp
		}
		if sp.Titulaire != nil {
			holders[sp.Titulaire.UserID] = sp
		}
	}
	for i := range p.Seats {
		sp := &p.Seats[i]
		if !x.seats[sp.Seat.ID] {
			continue
		}
		names := sp.holderNames()
		ms := sp.Suppleants
		if sp.Titulaire != nil {
			ms = append([]registry.Mandate{*sp.Titulaire}, ms...)
		}
		for _, h := range ms {
			x.users[h.UserID] = true
			list = append(list, Recusal{UserID: h.UserID, Name: names[h.UserID], SeatID: sp.Seat.ID, Association: true,
				Reason: "Siège de l'association qui instruit le dossier (R121-12-7)"})
		}
	}
	ex, err := lk.Exclusions(ctx, db, f)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range ex {
		if x.users[e.UserID] {
			continue
		}
		x.users[e.UserID] = true
		r := Recusal{UserID: e.UserID, Name: e.Name, Association: e.Reason == "Association qui instruit le dossier", Reason: e.Reason}
		if r.Association {
			r.Reason = "Membre de l'association qui instruit le dossier (R121-12-7)"
		} else {
			r.Reason += " (R133-12)"
		}
		sp, member := holders[e.UserID]
		if member {
			r.SeatID = sp.Seat.ID
		}
		u, err := lk.User(ctx, db, e.UserID)
		if err != nil {
			return nil, nil, err
		}
		if member || u.Role == models.RolePresident {
			list = append(list, r)
		}
	}
	return x, list, nil
}

// ItemRecusals lists the members (and présidents) kept out of agenda item itemID:
// the holders of the instructing association's seat and whoever declared an interest.
// Sitting pages and the minutes show them (REGLES.md requirement 6).
func ItemRecusals(ctx context.Context, db bun.IDB, cid, itemID int64) ([]Recusal, error) {
	item, err := findSittingItem(ctx, db, cid, itemID)
	if err != nil {
		return nil, err
	}
	p, err := SittingPresence(ctx, db, cid, item.MeetingID)
	if err != nil {
		return nil, err
	}
	_, list, err := itemExclusions(ctx, db, p, item)
	return list, err
}

// activePresident returns user id if it is an active président account of commission cid.
func activePresident(ctx context.Context, db bun.IDB, cid, id int64) (*models.User, error) {
	u, err := models.FindUser(ctx, db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrNotChair
	}
	if err != nil {
		return nil, err
	}
	if u.Role != models.RolePresident || !u.Active || u.CommissionIDOrZero() != cid {
		return nil, ErrNotChair
	}
	return u, nil
}

// ListPresidents returns the active président accounts of commission cid: who may chair.
func ListPresidents(ctx context.Context, db bun.IDB, cid int64) ([]models.User, error) {
	var us []models.User
	err := db.NewSelect().Model(&us).Where("commission_id = ? AND role = ? AND active", cid, models.RolePresident).Order("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list presidents: %w", err)
	}
	return us, nil
}

// ConfirmSittingAttendance confirms, at the sitting, every reply not yet confirmed
// (SetAttendance with Confirm, so requirement 2 is checked again); seats without a reply
// are confirmed absent. It returns how many seats it confirmed.
func ConfirmSittingAttendance(ctx context.Context, db bun.IDB, actor models.Actor, cid, meetingID int64, now time.Time) (int, error) {
	n := 0
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := lockSittingMeeting(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		p, err := loadPresence(ctx, tx, m)
		if err != nil {
			return err
		}
		// Proxy holders first: a proxy is checked against its holder's confirmed status.
		order := make([]*SeatPresence, 0, len(p.Seats))
		for i := range p.Seats {
			if p.Seats[i].Status != meetings.AttProxy {
				order = append(order, &p.Seats[i])
			}
		}
		for i := range p.Seats {
			if p.Seats[i].Status == meetings.AttProxy {
				order = append(order, &p.Seats[i])
			}
		}
		for _, sp := range order {
			if sp.Titulaire == nil || sp.Confirmed {
				continue
			}
			in := meetings.AttendanceInput{SeatID: sp.Seat.ID, Status: sp.Status, Confirm: true}
			if in.Status == meetings.AttNoReply {
				in.Status = meetings.AttAbsent
			}
			if a := sp.Attendance; a != nil && a.SubstituteUserID != nil {
				in.SubstituteUserID = *a.SubstituteUserID
			}
			if a := sp.Attendance; a != nil && a.ProxyHolderUserID != nil {
				in.ProxyHolderUserID = *a.ProxyHolderUserID
			}
			if _, err := meetings.SetAttendance(ctx, tx, actor, cid, meetingID, in, now); err != nil {
				if r, ok := models.AsRefusal(err); ok {
					return r.For(sp.Seat.Label()) // which seat the refusal is about
				}
				return fmt.Errorf("%s: %w", sp.Seat.Label(), err)
			}
			n++
		}
		return nil
	})
	return n, err
}

// OpenSitting opens convened session meetingID, chaired by président chairID: from the
// day of the session, once every seat's attendance is confirmed (a written deliberation
// has no attendance to confirm). The quorum at opening goes to the audit chain.
func OpenSitting(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID, chairID int64, now time.Time) (*Sitting, error) {
	var s *Sitting
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := lockSittingMeeting(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		if m.Status != meetings.MeetingConvened || models.CalendarDay(now).Before(models.CalendarDay(m.StartsAt)) {
			return ErrSittingNotConvened
		}
		if _, err := activePresident(ctx, tx, cid, chairID); err != nil {
			return err
		}
		p, err := loadPresence(ctx, tx, m)
		if err != nil {
			return err
		}
		if m.Mode != meetings.ModeWritten {
			for _, sp := range p.Seats {
				if sp.Titulaire != nil && !sp.Confirmed {
					return ErrAttendanceToConfirm
				}
			}
		}
		settings, err := models.FindSettings(ctx, tx, cid)
		if err != nil {
			return err
		}
		q := quorumOf(p, settings, nil)
		t := models.Stamp(now)
		s = &Sitting{MeetingID: m.ID, CommissionID: cid, ChairUserID: chairID, OpenedAt: t, OpenedBy: actor.ID, UpdatedAt: t}
		if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
			return fmt.Errorf("open sitting: %w", err)
		}
		if err := setMeetingStatus(ctx, tx, m, meetings.MeetingOpen, t); err != nil {
			return err
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "sitting.open", Object: models.ObjectRef("meeting", m.ID),
			Details: map[string]any{"chair_user_id": chairID, "members": q.Members, "quorum_required": q.Required,
				"present": q.Present, "represented": q.Represented, "quorum_met": q.Met(), "no_quorum_required": q.NotRequired},
		})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// setMeetingStatus moves a session to status.
func setMeetingStatus(ctx context.Context, tx bun.Tx, m *meetings.Meeting, status meetings.MeetingStatus, now time.Time) error {
	from := m.Status
	m.Status, m.UpdatedAt = status, now
	res, err := tx.NewUpdate().Model(m).Column("status", "updated_at").WherePK().Where("status = ?", from).Exec(ctx)
	if err != nil {
		return fmt.Errorf("meeting status: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return models.Refuse("La séance a changé d'état entre-temps : rechargez la page.")
	}
	return nil
}

// openSitting returns the open session meetingID, locked, with its sitting.
func openSitting(ctx context.Context, tx bun.Tx, cid, meetingID int64) (*meetings.Meeting, *Sitting, error) {
	m, err := lockSittingMeeting(ctx, tx, cid, meetingID)
	if err != nil {
		return nil, nil, err
	}
	if m.Status != meetings.MeetingOpen {
		return nil, nil, ErrSittingNotOpen
	}
	s, err := FindSitting(ctx, tx, cid, meetingID)
	if err != nil {
		return nil, nil, err
	}
	return m, s, nil
}

// PresenceInput is an arrival or a departure during a sitting.
type PresenceInput struct {
	SeatID int64
	Kind   PresenceKind
	UserID int64 // who arrives: the titulaire (0) or one of the seat's suppléants
	Remote bool  // an arrival by telephone or video
}

// RecordPresence records an arrival or a departure at open session meetingID against
// the item under way. Only the titulaire or the seat's own suppléant may arrive for a
// seat (REGLES.md requirement 2); a titulaire who gave a proxy and arrives sits
// themselves, and the proxy no longer counts. A departing proxy holder takes the
// represented member's vote away too.
func RecordPresence(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID int64, in PresenceInput, now time.Time) (*PresenceEvent, error) {
	var e *PresenceEvent
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, s, err := openSitting(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		if m.Mode == meetings.ModeWritten {
			return ErrPresenceInvalid
		}
		p, err := loadPresence(ctx, tx, m)
		if err != nil {
			return err
		}
		sp := p.seat(in.SeatID)
		if sp == nil || sp.Titulaire == nil {
			return models.ErrNotFound
		}
		e = &PresenceEvent{CommissionID: cid, MeetingID: m.ID, SeatID: sp.Seat.ID, Kind: in.Kind, AgendaItemID: s.CurrentItemID,
			At: models.Stamp(now), RecordedBy: actor.ID}
		switch in.Kind {
		case PresenceArrival:
			if sp.Sits() {
				return ErrPresenceInvalid
			}
			e.UserID, e.Remote = sp.Titulaire.UserID, in.Remote
			if in.UserID != 0 && in.UserID != sp.Titulaire.UserID {
				if !holdsSuppleance(sp, in.UserID) {
					return meetings.ErrNotOwnSuppleant
				}
				e.UserID = in.UserID
			}
		case PresenceDeparture:
			if !sp.Sits() {
				return ErrPresenceInvalid
			}
			e.UserID = sp.SitterID
		default:
			return ErrPresenceInvalid
		}
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return fmt.Errorf("record presence: %w", err)
		}
		details := map[string]any{"seat_id": e.SeatID, "user_id": e.UserID, "remote": e.Remote}
		if e.AgendaItemID != nil {
			details["agenda_item_id"] = *e.AgendaItemID
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "sitting." + string(e.Kind), Object: models.ObjectRef("meeting", m.ID), Details: details,
		})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

func holdsSuppleance(sp *SeatPresence, userID int64) bool {
	for _, s := range sp.Suppleants {
		if s.UserID == userID {
			return true
		}
	}
	return false
}

// SetCurrentItem records the agenda item under way at open session meetingID (arrivals
// and departures are recorded against it).
func SetCurrentItem(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID, itemID int64, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, s, err := openSitting(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		item, err := findSittingItem(ctx, tx, cid, itemID)
		if err != nil {
			return err
		}
		if item.MeetingID != m.ID {
			return models.ErrNotFound
		}
		return setCurrentItemTx(ctx, tx, actor, s, item, now)
	})
}

func setCurrentItemTx(ctx context.Context, tx bun.Tx, actor *models.User, s *Sitting, item *meetings.AgendaItem, now time.Time) error {
	if s.CurrentItemID != nil && *s.CurrentItemID == item.ID {
		return nil
	}
	s.CurrentItemID, s.UpdatedAt = &item.ID, models.Stamp(now)
	if _, err := tx.NewUpdate().Model(s).Column("current_item_id", "updated_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("set current item: %w", err)
	}
	return models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: s.CommissionID, Actor: models.ActorFor(actor), Action: "sitting.item", Object: models.ObjectRef("meeting", s.MeetingID),
		Details: map[string]any{"agenda_item_id": item.ID, "position": item.Position},
	})
}

// CloseSitting closes open session meetingID: no vote may still be open, every avis on
// a file must be reasoned, and every written deliberation must be over.
func CloseSitting(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID int64, now time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, s, err := openSitting(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		votes, err := ListVotes(ctx, tx, cid, m.ID)
		if err != nil {
			return err
		}
		for _, v := range votes {
			if v.Status == VoteOpen {
				return ErrVotesStillOpen
			}
			if v.Avis != "" && v.ReasoningSealed == "" {
				item, err := findSittingItem(ctx, tx, cid, v.AgendaItemID)
				if err != nil {
					return err
				}
				return models.Refuse("Motivez l'avis rendu sur « %s » avant de clore la séance.", item.Title)
			}
		}
		n, err := tx.NewSelect().Model((*WrittenDeliberation)(nil)).Where("meeting_id = ? AND status <> ?", m.ID, DeliberationClosed).Count(ctx)
		if err != nil {
			return fmt.Errorf("close sitting: %w", err)
		}
		if n > 0 {
			return models.Refuse("Une délibération écrite est encore en cours : elle doit être close avant la séance.")
		}
		return closeSittingTx(ctx, tx, actor, m, s, nil, now)
	})
}

func closeSittingTx(ctx context.Context, tx bun.Tx, actor *models.User, m *meetings.Meeting, s *Sitting, second *meetings.Meeting, now time.Time) error {
	t := models.Stamp(now)
	s.ClosedAt, s.ClosedBy, s.UpdatedAt = &t, &actor.ID, t
	details := map[string]any{}
	if second != nil {
		s.QuorumFailed, s.SecondConvocationID = true, &second.ID
		details["quorum_failed"], details["second_convocation_id"] = true, second.ID
	}
	if _, err := tx.NewUpdate().Model(s).Column("closed_at", "closed_by", "quorum_failed", "second_convocation_id", "updated_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("close sitting: %w", err)
	}
	if err := setMeetingStatus(ctx, tx, m, meetings.MeetingClosed, t); err != nil {
		return err
	}
	return models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: m.CommissionID, Actor: models.ActorFor(actor), Action: "sitting.close", Object: models.ObjectRef("meeting", m.ID), Details: details,
	})
}

// CloseSittingWithoutQuorum closes open session meetingID for lack of quorum and
// creates its second convocation in one transaction (R133-10, REGLES.md requirement 4):
// a new planned session described by in, linked by FirstConvocationID, marked
// NoQuorumRequired, with the same agenda (the items not voted yet, in order). The files
// on it move to the new session. The sessions feature then convenes it. A written
// session has no quorum (its deliberations need half the members' participation).
func CloseSittingWithoutQuorum(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID int64, in meetings.MeetingInput, now time.Time) (*meetings.Meeting, error) {
	var second *meetings.Meeting
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, s, err := openSitting(ctx, tx, cid, meetingID)
		if err != nil {
			return err
		}
		if m.NoQuorumRequired {
			return ErrQuorumNotNeeded
		}
		if m.Mode == meetings.ModeWritten {
			return ErrWrittenNoQuorum
		}
		p, err := loadPresence(ctx, tx, m)
		if err != nil {
			return err
		}
		settings, err := models.FindSettings(ctx, tx, cid)
		if err != nil {
			return err
		}
		if quorumOf(p, settings, nil).Met() {
			return ErrQuorumReached
		}
		votes, err := ListVotes(ctx, tx, cid, m.ID)
		if err != nil {
			return err
		}
		voted := map[int64]bool{}
		for _, v := range votes {
			if v.Status == VoteOpen {
				return ErrVotesStillOpen
			}
			voted[v.AgendaItemID] = true
		}
		in.Kind = m.Kind
		second, err = meetings.CreateMeeting(ctx, tx, models.ActorFor(actor), cid, in, now)
		if err != nil {
			return err
		}
		second.FirstConvocationID, second.NoQuorumRequired = &m.ID, true
		if _, err := tx.NewUpdate().Model(second).Column("first_convocation_id", "no_quorum_required").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("second convocation: %w", err)
		}
		items, err := meetings.ListAgenda(ctx, tx, cid, m.ID)
		if err != nil {
			return err
		}
		pos := 0
		for _, it := range items {
			if voted[it.ID] {
				continue
			}
			pos++
			if err := copyItemToSecondConvocation(ctx, tx, actor, it, second, pos, now); err != nil {
				return err
			}
		}
		if err := models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "meeting.second_convocation", Object: models.ObjectRef("meeting", second.ID),
			Details: map[string]any{"first_convocation_id": m.ID, "items": pos, "no_quorum_required": true},
		}); err != nil {
			return err
		}
		return closeSittingTx(ctx, tx, actor, m, s, second, now)
	})
	if err != nil {
		return nil, err
	}
	return second, nil
}

// copyItemToSecondConvocation copies an agenda item to the second convocation; a file
// still on the agenda is taken off the first session and put on the second.
func copyItemToSecondConvocation(ctx context.Context, tx bun.Tx, actor *models.User, it meetings.AgendaItem, second *meetings.Meeting, pos int, now time.Time) error {
	cp := meetings.AgendaItem{CommissionID: it.CommissionID, MeetingID: second.ID, Position: pos, Kind: it.Kind, FileID: it.FileID,
		Title: it.Title, Notes: it.Notes, Reason: "Seconde convocation : " + it.Reason, DueOn: it.DueOn, CreatedAt: now}
	if it.Reason == "" {
		cp.Reason = "Seconde convocation, faute de quorum à la première séance"
	}
	if _, err := tx.NewInsert().Model(&cp).Exec(ctx); err != nil {
		return fmt.Errorf("copy agenda item: %w", err)
	}
	if it.FileID == nil {
		return nil
	}
	f, err := files.FindFileRow(ctx, tx, it.CommissionID, *it.FileID)
	if err != nil {
		return err
	}
	if f.State != files.StateScheduled {
		return nil
	}
	if err := files.Transition(ctx, tx, nil, actor, f.ID, files.StateAdmissible, files.TransitionInput{}, now); err != nil {
		return err
	}
	return files.MarkScheduled(ctx, tx, actor, f.ID, second.ID, second.StartsAt, now)
}
