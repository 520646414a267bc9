package meetings

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
)

// MeetingKind is what a session (séance) is for.
type MeetingKind string

// The kinds of session (REGLES.md requirement 7).
const (
	MeetingPolicy MeetingKind = "policy" // policy and coordination (at least once a year; twice from 2026)
	MeetingFiles  MeetingKind = "files"  // individual files
)

// Label is the French name of the kind.
func (k MeetingKind) Label() string {
	switch k {
	case MeetingPolicy:
		return "Séance plénière (politique et coordination)"
	case MeetingFiles:
		return "Examen des dossiers individuels"
	}
	return string(k)
}

// MeetingMode is how members take part.
type MeetingMode string

// The modes of a session.
const (
	ModeOnSite  MeetingMode = "onsite"  // in the room
	ModeRemote  MeetingMode = "remote"  // telephone or video conference
	ModeHybrid  MeetingMode = "hybrid"  // room plus remote participants
	ModeWritten MeetingMode = "written" // written electronic deliberation (ordonnance 2014-1329 art. 3)
)

// MeetingModes lists the modes in display order.
var MeetingModes = []MeetingMode{ModeOnSite, ModeHybrid, ModeRemote, ModeWritten}

// Label is the French name of the mode.
func (m MeetingMode) Label() string {
	switch m {
	case ModeOnSite:
		return "En présentiel"
	case ModeRemote:
		return "À distance (visioconférence ou téléphone)"
	case ModeHybrid:
		return "Mixte (présentiel et à distance)"
	case ModeWritten:
		return "Délibération électronique écrite"
	}
	return string(m)
}

// MeetingStatus is where a session stands.
type MeetingStatus string

// The statuses of a session: planned → convened → open → closed → minutes approved;
// cancelled from planned or convened.
const (
	MeetingPlanned         MeetingStatus = "planned"
	MeetingConvened        MeetingStatus = "convened"
	MeetingOpen            MeetingStatus = "open"
	MeetingClosed          MeetingStatus = "closed"
	MeetingMinutesApproved MeetingStatus = "minutes_approved"
	MeetingCancelled       MeetingStatus = "cancelled"
)

// Label is the French name of the status.
func (s MeetingStatus) Label() string {
	switch s {
	case MeetingPlanned:
		return "Planifiée"
	case MeetingConvened:
		return "Convocation envoyée"
	case MeetingOpen:
		return "En cours"
	case MeetingClosed:
		return "Close"
	case MeetingMinutesApproved:
		return "Procès-verbal approuvé"
	case MeetingCancelled:
		return "Annulée"
	}
	return string(s)
}

// Active reports whether the session still has an open agenda (not closed nor cancelled).
func (s MeetingStatus) Active() bool {
	return s == MeetingPlanned || s == MeetingConvened || s == MeetingOpen
}

// Meeting is a session (séance) of a commission.
type Meeting struct {
	bun.BaseModel `bun:"table:meetings"`

	ID           int64         `bun:",pk,autoincrement"`
	CommissionID int64         `bun:",notnull"`
	Kind         MeetingKind   `bun:",notnull"`
	Mode         MeetingMode   `bun:",notnull"`
	Status       MeetingStatus `bun:",notnull"`
	StartsAt     time.Time     `bun:",notnull"` // UTC
	EndsAt       time.Time     `bun:",notnull"` // expected end, UTC
	Place        string        `bun:",notnull"`
	RemoteLink   string        `bun:",notnull"`
	Capacity     int           `bun:",notnull"` // maximum number of files on the agenda
	// Urgency allows a notice shorter than the commission's setting (R133-8 "sauf urgence").
	Urgency       bool   `bun:",notnull"`
	UrgencyReason string `bun:",notnull"`
	// FirstConvocationID links a second convocation to the session that lacked a quorum;
	// such a session needs no quorum (R133-10).
	FirstConvocationID *int64 `bun:",nullzero"`
	NoQuorumRequired   bool   `bun:",notnull"`
	ConvenedAt         *time.Time
	CancelledReason    string    `bun:",notnull"`
	Sequence           int       `bun:",notnull"` // calendar SEQUENCE, incremented on every change sent
	CreatedAt          time.Time `bun:",notnull"`
	UpdatedAt          time.Time `bun:",notnull"`
}

// Title names the session in lists and e-mails.
func (m *Meeting) Title() string {
	if m.FirstConvocationID != nil {
		return m.Kind.Label() + " — seconde convocation"
	}
	return m.Kind.Label()
}

// MeetingInput is what the secretariat enters to plan a session.
type MeetingInput struct {
	Kind          MeetingKind
	Mode          MeetingMode
	StartsAt      time.Time
	EndsAt        time.Time
	Place         string
	RemoteLink    string
	Capacity      int
	Urgency       bool
	UrgencyReason string
}

// Validate checks the input and returns French messages by field.
func (in *MeetingInput) Validate(now time.Time) models.FieldErrors {
	fe := models.FieldErrors{}
	if in.Kind != MeetingPolicy && in.Kind != MeetingFiles {
		fe.Add("kind", "Choisissez le type de séance.")
	}
	switch in.Mode {
	case ModeOnSite, ModeRemote, ModeHybrid, ModeWritten:
	default:
		fe.Add("mode", "Choisissez la modalité de la séance.")
	}
	in.Place, in.RemoteLink = strings.TrimSpace(in.Place), strings.TrimSpace(in.RemoteLink)
	if in.StartsAt.IsZero() {
		fe.Add("starts_at", "Indiquez la date et l'heure de début.")
	} else if in.StartsAt.Before(now) {
		fe.Add("starts_at", "La séance ne peut pas commencer dans le passé.")
	}
	if !in.StartsAt.IsZero() && !in.EndsAt.IsZero() && !in.EndsAt.After(in.StartsAt) {
		fe.Add("ends_at", "La fin doit être postérieure au début.")
	}
	if (in.Mode == ModeOnSite || in.Mode == ModeHybrid) && in.Place == "" {
		fe.Add("place", "Indiquez le lieu de la séance.")
	}
	if (in.Mode == ModeRemote || in.Mode == ModeHybrid) && in.RemoteLink == "" {
		fe.Add("remote_link", "Indiquez le lien ou le numéro de la visioconférence.")
	}
	if in.RemoteLink != "" && !strings.HasPrefix(in.RemoteLink, "https://") && !strings.HasPrefix(in.RemoteLink, "tel:") {
		fe.Add("remote_link", "Le lien doit commencer par https:// (ou tel: pour un numéro).")
	}
	if in.Capacity < 0 || in.Capacity > 200 {
		fe.Add("capacity", "Le nombre maximal de dossiers doit être compris entre 0 et 200.")
	}
	in.UrgencyReason = strings.TrimSpace(in.UrgencyReason)
	if in.Urgency && in.UrgencyReason == "" {
		fe.Add("urgency_reason", "Motivez l'urgence : elle sera indiquée sur la convocation.")
	}
	models.CheckLine(fe, "place", "Lieu", in.Place, models.MaxLineLength)
	models.CheckLine(fe, "remote_link", "Lien de la visioconférence", in.RemoteLink, models.MaxLineLength)
	models.CheckText(fe, "urgency_reason", "Motif de l'urgence", in.UrgencyReason, models.MaxNoteLength)
	return fe
}

// CreateMeeting plans a session of commission cid.
func CreateMeeting(ctx context.Context, db bun.IDB, actor models.Actor, cid int64, in MeetingInput, now time.Time) (*Meeting, error) {
	if fe := in.Validate(now); len(fe) > 0 {
		return nil, fe.Err()
	}
	if in.EndsAt.IsZero() {
		in.EndsAt = in.StartsAt.Add(3 * time.Hour)
	}
	m := &Meeting{
		CommissionID: cid, Kind: in.Kind, Mode: in.Mode, Status: MeetingPlanned,
		StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(), Place: in.Place, RemoteLink: in.RemoteLink,
		Capacity: in.Capacity, Urgency: in.Urgency, UrgencyReason: in.UrgencyReason,
	}
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m.CreatedAt, m.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
			return fmt.Errorf("create meeting: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: actor, Action: "meeting.create", Object: models.ObjectRef("meeting", m.ID),
			Details: map[string]any{"kind": string(m.Kind), "mode": string(m.Mode), "starts_at": m.StartsAt.Format(time.RFC3339)},
		})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FindMeeting returns session id of commission cid.
func FindMeeting(ctx context.Context, db bun.IDB, cid, id int64) (*Meeting, error) {
	m := new(Meeting)
	err := db.NewSelect().Model(m).Where("id = ? AND commission_id = ?", id, cid).Scan(ctx)
	if err != nil {
		return nil, models.NotFound(err, "find meeting")
	}
	return m, nil
}

// ListMeetings returns the sessions of commission cid starting in [from, to), by date.
func ListMeetings(ctx context.Context, db bun.IDB, cid int64, from, to time.Time) ([]Meeting, error) {
	var ms []Meeting
	err := db.NewSelect().Model(&ms).Where("commission_id = ? AND starts_at >= ? AND starts_at < ?", cid, from.UTC(), to.UTC()).
		Order("starts_at ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	return ms, nil
}

// AgendaItemKind is what an agenda item is about.
type AgendaItemKind string

// The kinds of agenda item.
const (
	ItemFile        AgendaItemKind = "file"        // an individual file (avis to give)
	ItemMinutes     AgendaItemKind = "minutes"     // approval of the previous minutes
	ItemInformation AgendaItemKind = "information" // information of the members
	ItemPolicy      AgendaItemKind = "policy"      // policy or coordination point
	ItemOther       AgendaItemKind = "other"       // any other item
)

// Label is the French name of the kind.
func (k AgendaItemKind) Label() string {
	switch k {
	case ItemFile:
		return "Dossier individuel"
	case ItemMinutes:
		return "Approbation du procès-verbal"
	case ItemInformation:
		return "Information"
	case ItemPolicy:
		return "Point de politique ou de coordination"
	case ItemOther:
		return "Autre point"
	}
	return string(k)
}

// AgendaItem is one item of a session's agenda, in Position order.
type AgendaItem struct {
	bun.BaseModel `bun:"table:agenda_items"`

	ID           int64          `bun:",pk,autoincrement"`
	CommissionID int64          `bun:",notnull"`
	MeetingID    int64          `bun:",notnull"`
	Position     int            `bun:",notnull"`
	Kind         AgendaItemKind `bun:",notnull"`
	FileID       *int64         `bun:",nullzero"` // for ItemFile
	Title        string         `bun:",notnull"`  // pseudonymous for files: the reference and request kind
	Notes        string         `bun:",notnull"`
	Reason       string         `bun:",notnull"` // why the agenda builder put it there
	DueOn        *time.Time     // renewal due date, for renewals
	CreatedAt    time.Time      `bun:",notnull"`
}

// ListAgenda returns the items of a session in order.
func ListAgenda(ctx context.Context, db bun.IDB, cid, meetingID int64) ([]AgendaItem, error) {
	var items []AgendaItem
	err := db.NewSelect().Model(&items).Where("commission_id = ? AND meeting_id = ?", cid, meetingID).
		Order("position ASC", "id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list agenda: %w", err)
	}
	return items, nil
}

// RequiredPolicySessions returns how many policy sessions a commission must hold in
// year: at least one a year (CASF R121-12-8), two from 2026 (décret of 30/12/2025).
func RequiredPolicySessions(year int) int {
	if year >= 2026 {
		return 2
	}
	return 1
}

// PolicySessionCheck compares the policy sessions of a year with what the law asks.
type PolicySessionCheck struct {
	Year     int
	Planned  int // policy sessions of the year that are not cancelled
	Required int
}

// Short reports whether fewer policy sessions are planned than required.
func (p PolicySessionCheck) Short() bool { return p.Planned < p.Required }

// CheckPolicySessions counts the policy sessions of commission cid in calendar year
// (in loc) that are not cancelled, against RequiredPolicySessions (REGLES.md requirement 7).
func CheckPolicySessions(ctx context.Context, db bun.IDB, cid int64, year int, loc *time.Location) (PolicySessionCheck, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	n, err := db.NewSelect().Model((*Meeting)(nil)).
		Where("commission_id = ? AND kind = ? AND status <> ?", cid, MeetingPolicy, MeetingCancelled).
		Where("starts_at >= ? AND starts_at < ?", from.UTC(), from.AddDate(1, 0, 0).UTC()).Count(ctx)
	if err != nil {
		return PolicySessionCheck{}, fmt.Errorf("count policy sessions: %w", err)
	}
	return PolicySessionCheck{Year: year, Planned: int(n), Required: RequiredPolicySessions(year)}, nil
}

// UpcomingConvenedMeetings returns the convened sessions (neither cancelled nor
// only planned) of every commission starting after from and before to, soonest first.
func UpcomingConvenedMeetings(ctx context.Context, db bun.IDB, from, to time.Time) ([]Meeting, error) {
	var ms []Meeting
	err := db.NewSelect().Model(&ms).Where("status = ?", MeetingConvened).
		Where("starts_at > ? AND starts_at < ?", models.Stamp(from), models.Stamp(to)).Order("starts_at ASC", "id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("upcoming convened meetings: %w", err)
	}
	return ms, nil
}
