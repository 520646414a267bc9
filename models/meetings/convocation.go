package meetings

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/registry"
)

// RecipientKind says why a person receives a convocation.
type RecipientKind string

// The kinds of recipient.
const (
	RecipientTitulaire RecipientKind = "titulaire" // convened: answers for their seat
	RecipientSuppleant RecipientKind = "suppleant" // for information, in case they replace their titulaire
	RecipientPresident RecipientKind = "president" // the chair (présidence)
)

// Label is the French name of the kind.
func (k RecipientKind) Label() string {
	switch k {
	case RecipientTitulaire:
		return "Titulaire"
	case RecipientSuppleant:
		return "Suppléant (pour information)"
	case RecipientPresident:
		return "Présidence"
	}
	return string(k)
}

// Convocation is one sending of the convocation of a session: the first one, or a new
// one after a change (R133-8). Its Content (recipients, agenda, documents) is kept as
// sent, with its SHA-256, so that the sending can be proved; the audit chain holds the
// hash, the sending time and every delivery result.
type Convocation struct {
	bun.BaseModel `bun:"table:convocations"`

	ID            int64     `bun:",pk,autoincrement"`
	CommissionID  int64     `bun:",notnull"`
	MeetingID     int64     `bun:",notnull"`
	Number        int       `bun:",notnull"` // 1 for the first sending
	SentAt        time.Time `bun:",notnull"`
	SentByID      *int64    `bun:",nullzero"`
	SentByLabel   string    `bun:",notnull"`
	Urgency       bool      `bun:",notnull"`
	UrgencyReason string    `bun:",notnull"`
	NoticeDays    int       `bun:",notnull"` // days between the sending and the session
	Content       string    `bun:",notnull"` // canonical JSON of ConvocationContent
	ContentSHA256 string    `bun:"content_sha256,notnull"`
	// SubjectSHA256 digests what was convened (date, place, mode, agenda): a change
	// afterwards requires a new convocation.
	SubjectSHA256 string `bun:"subject_sha256,notnull"`
	Recipients    int    `bun:",notnull"`
	Delivered     int    `bun:",notnull"`
	Failed        int    `bun:",notnull"`
	DeliveredAt   *time.Time
}

// ConvocationRecipient is one person convened (or informed) by a convocation, with their
// personal link (only its hash is stored), the delivery of their e-mail and the first
// opening of the link (read receipt).
type ConvocationRecipient struct {
	bun.BaseModel `bun:"table:convocation_recipients"`

	ID             int64         `bun:",pk,autoincrement"`
	CommissionID   int64         `bun:",notnull"`
	ConvocationID  int64         `bun:",notnull"`
	MeetingID      int64         `bun:",notnull"`
	UserID         int64         `bun:",notnull"`
	SeatID         *int64        `bun:",nullzero"`
	Kind           RecipientKind `bun:",notnull"`
	Email          string        `bun:",notnull"`
	TokenHash      string        `bun:",notnull,unique" json:"-"`
	OutboxID       *int64        `bun:",nullzero"`
	DeliveryStatus string        `bun:",notnull"` // "" until sent; then an OutboxSent/Failed/Stored status
	MessageID      string        `bun:",notnull"`
	FirstOpenedAt  *time.Time
	CreatedAt      time.Time `bun:",notnull"`

	User *models.User `bun:"rel:belongs-to,join:user_id=id"`
}

// DeliveryLabel is the French name of the delivery status.
func (r *ConvocationRecipient) DeliveryLabel() string {
	switch r.DeliveryStatus {
	case models.OutboxSent:
		return "Remis au serveur de messagerie"
	case models.OutboxFailed:
		return "Échec de l'envoi"
	case models.OutboxStored:
		return "Conservé dans la boîte d'envoi (pas de serveur SMTP)"
	case models.OutboxQueued:
		return "En file d'envoi"
	}
	return "Non envoyé par courriel"
}

// ConvocationContent is what a convocation says, hashed for proof. It holds pseudonymous
// references only: never the identity of a person concerned by a file.
type ConvocationContent struct {
	Commission         string             `json:"commission"`
	MeetingID          int64              `json:"meeting_id"`
	Number             int                `json:"number"`
	Title              string             `json:"title"`
	Kind               MeetingKind        `json:"kind"`
	Mode               MeetingMode        `json:"mode"`
	StartsAt           string             `json:"starts_at"`
	EndsAt             string             `json:"ends_at"`
	Place              string             `json:"place,omitempty"`
	RemoteLink         string             `json:"remote_link,omitempty"`
	Urgency            bool               `json:"urgency"`
	UrgencyReason      string             `json:"urgency_reason,omitempty"`
	NoQuorumRequired   bool               `json:"no_quorum_required"`
	FirstConvocationID int64              `json:"first_convocation_id,omitempty"`
	Agenda             []ContentItem      `json:"agenda"`
	Documents          []string           `json:"documents"`
	Recipients         []ContentRecipient `json:"recipients"`
	SentAt             string             `json:"sent_at"`
}

// ContentItem is an agenda item in a convocation.
type ContentItem struct {
	Position  int            `json:"position"`
	Kind      AgendaItemKind `json:"kind"`
	Title     string         `json:"title"`
	Reference string         `json:"reference,omitempty"`
}

// ContentRecipient is a recipient in a convocation.
type ContentRecipient struct {
	UserID int64         `json:"user_id"`
	Email  string        `json:"email"`
	Kind   RecipientKind `json:"kind"`
	SeatID int64         `json:"seat_id,omitempty"`
}

// CheckNotice returns a *models.Refusal when a convocation sent at now would not reach
// the members noticeDays calendar days (in France) before the session m (R133-8,
// REGLES.md requirement 3): it says the last day it could have been sent and the first
// day the session could be held if convened now.
func CheckNotice(m *Meeting, noticeDays int, now time.Time) error {
	start, today := models.CalendarDay(m.StartsAt), models.CalendarDay(now)
	if !today.AddDate(0, 0, noticeDays).After(start) {
		return nil
	}
	return models.Refuse("La convocation doit parvenir aux membres au moins %d jours avant la séance (R133-8) : pour la séance du %s, il fallait l'envoyer au plus tard le %s. "+
		"Reportez la séance au %s au plus tôt, ou déclarez l'urgence en la motivant.",
		noticeDays, files.FormatDate(start), files.FormatDate(start.AddDate(0, 0, -noticeDays)), files.FormatDate(today.AddDate(0, 0, noticeDays)))
}

// noticeGiven returns the calendar days between now and the session.
func noticeGiven(m *Meeting, now time.Time) int {
	return int(models.CalendarDay(m.StartsAt).Sub(models.CalendarDay(now)).Hours() / 24)
}

// ConvokeInput is the chair's or secretariat's decision to convene.
type ConvokeInput struct {
	// Urgency allows a shorter notice; the reason is shown on the convocation and recorded.
	Urgency       bool
	UrgencyReason string
}

// SentRecipient is a recipient of a new convocation with the secret of their personal
// link, which exists only here: e-mail it at once.
type SentRecipient struct {
	ConvocationRecipient
	Name   string
	Token  string
	Titled string // the seat's label, for the e-mail
}

// ConvocationResult is a new convocation, ready to be e-mailed.
type ConvocationResult struct {
	Convocation *Convocation
	Meeting     *Meeting
	Content     *ConvocationContent
	Recipients  []SentRecipient
	// Skipped names the members not convened by e-mail (inactive account), in French.
	Skipped []string
}

// subjectDigest digests what a convocation convenes: date, place, mode and agenda.
func subjectDigest(m *Meeting, items []AgendaItem) string {
	raw, _ := json.Marshal([]string{m.StartsAt.UTC().Format(time.RFC3339), m.EndsAt.UTC().Format(time.RFC3339), string(m.Mode), m.Place, m.RemoteLink, AgendaDigest(items)})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Convoke convenes session meetingID (planned → convened), or convenes it again after a
// change (the calendar Sequence was raised by the change itself, see UpdateMeeting): it freezes the agenda, checks the notice (REGLES.md requirement 3: at least
// settings.NoticeDays days before the start, unless urgency, which is then recorded),
// lists the recipients (every titulaire, their suppléants for information, and the
// présidence), creates their personal links, grants the convened members access to the
// agenda's files until 30 days after the session (never to excluded members, see
// FileExclusions), and records the content with its hash in the audit chain. The caller
// e-mails the result and then calls RecordConvocationDeliveries.
func Convoke(ctx context.Context, db bun.IDB, actor *models.User, cid, meetingID int64, in ConvokeInput, now time.Time) (*ConvocationResult, error) {
	if !mayConvene(actor, cid) {
		return nil, ErrAgendaForbidden
	}
	in.UrgencyReason = strings.TrimSpace(in.UrgencyReason)
	if in.Urgency && in.UrgencyReason == "" {
		return nil, models.FieldErrors{"urgency_reason": "Motivez l'urgence : elle sera indiquée sur la convocation."}.Err()
	}
	if err := models.TextError("urgency_reason", "Motif de l'urgence", in.UrgencyReason, models.MaxNoteLength); err != nil {
		return nil, err
	}
	now = models.Stamp(now)
	var res *ConvocationResult
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		m, err := models.LockOwned[Meeting](ctx, tx, cid, meetingID, "find meeting")
		if err != nil {
			return err
		}
		if m.Status != MeetingPlanned && m.Status != MeetingConvened {
			return models.Refuse("Cette séance est « %s » : elle ne peut plus être convoquée.", m.Status.Label())
		}
		if !m.StartsAt.After(now) {
			return models.Refuse("Cette séance a déjà commencé : elle ne peut plus être convoquée.")
		}
		s, err := models.FindSettings(ctx, tx, cid)
		if err != nil {
			return err
		}
		urgency, reason := in.Urgency || m.Urgency, in.UrgencyReason
		if reason == "" {
			reason = m.UrgencyReason
		}
		if err := CheckNotice(m, s.NoticeDays, now); err != nil && !urgency {
			return err
		}
		items, err := ListAgenda(ctx, tx, cid, m.ID)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return models.Refuse("L'ordre du jour est vide : ajoutez au moins un point avant de convoquer.")
		}
		cm, err := models.FindCommission(ctx, tx, cid)
		if err != nil {
			return err
		}
		var previous []Convocation
		if err := tx.NewSelect().Model(&previous).Where("meeting_id = ?", m.ID).Order("number ASC").Scan(ctx); err != nil {
			return fmt.Errorf("convoke: %w", err)
		}
		res = &ConvocationResult{Meeting: m}
		if err := convocationRecipients(ctx, tx, m, res, now); err != nil {
			return err
		}
		if len(res.Recipients) == 0 {
			return models.Refuse("Aucun membre à convoquer : la composition de la commission est vide à la date de la séance.")
		}
		m.Status, m.ConvenedAt, m.UpdatedAt = MeetingConvened, &now, now
		if urgency {
			m.Urgency, m.UrgencyReason = true, reason
		}
		if _, err := tx.NewUpdate().Model(m).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("convoke: %w", err)
		}
		content, err := convocationContent(ctx, tx, cm, m, res.Recipients, len(previous)+1, now)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(content)
		if err != nil {
			return fmt.Errorf("convoke: %w", err)
		}
		sum := sha256.Sum256(raw)
		c := &Convocation{
			CommissionID: cid, MeetingID: m.ID, Number: content.Number, SentAt: now, SentByID: &actor.ID, SentByLabel: actor.Email,
			Urgency: urgency, UrgencyReason: reason, NoticeDays: noticeGiven(m, now), Content: string(raw),
			ContentSHA256: hex.EncodeToString(sum[:]), SubjectSHA256: subjectDigest(m, items), Recipients: len(res.Recipients),
		}
		if !urgency {
			c.UrgencyReason = ""
		}
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return fmt.Errorf("convoke: %w", err)
		}
		res.Convocation, res.Content = c, content
		for i := range res.Recipients {
			r := &res.Recipients[i].ConvocationRecipient
			r.ConvocationID = c.ID
			if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
				return fmt.Errorf("convoke: recipient: %w", err)
			}
		}
		details := map[string]any{
			"number": c.Number, "sha256": c.ContentSHA256, "sent_at": now.Format(time.RFC3339Nano), "recipients": c.Recipients,
			"agenda_items": len(items), "notice_days": c.NoticeDays, "urgency": urgency,
		}
		if urgency {
			details["urgency_reason"] = reason
		}
		if len(previous) > 0 {
			last := previous[len(previous)-1]
			details["previous_sha256"] = last.ContentSHA256
			details["changed_since_previous"] = last.SubjectSHA256 != c.SubjectSHA256
		}
		if err := models.Audit(ctx, tx, now, models.AuditEntry{CommissionID: cid, Actor: models.ActorFor(actor), Action: "meeting.convene", Object: models.ObjectRef("meeting", m.ID), Details: details}); err != nil {
			return err
		}
		return grantConvened(ctx, tx, models.ActorFor(actor), m, items, res.Recipients, now)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// convocationRecipients lists who receives the convocation of m: each seat's titulaire
// and suppléants on the session's day, then the présidence, active accounts only.
func convocationRecipients(ctx context.Context, tx bun.Tx, m *Meeting, res *ConvocationResult, now time.Time) error {
	holders, err := registry.CommissionHolders(ctx, tx, m.CommissionID, models.CalendarDay(m.StartsAt))
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	add := func(u *models.User, kind RecipientKind, seat *registry.Seat) {
		if seen[u.ID] {
			return
		}
		seen[u.ID] = true
		if !u.Active {
			res.Skipped = append(res.Skipped, u.Name+" (compte désactivé)")
			return
		}
		r := SentRecipient{Name: u.Name, Token: models.NewSecretToken()}
		r.ConvocationRecipient = ConvocationRecipient{
			CommissionID: m.CommissionID, MeetingID: m.ID, UserID: u.ID, Kind: kind, Email: u.Email,
			TokenHash: models.HashToken(r.Token), CreatedAt: now, User: u,
		}
		if seat != nil {
			r.SeatID, r.Titled = &seat.ID, seat.Label()
		}
		res.Recipients = append(res.Recipients, r)
	}
	for _, h := range holders {
		for _, md := range h.All() {
			u, err := models.FindUser(ctx, tx, md.UserID)
			if err != nil {
				return err
			}
			kind := RecipientTitulaire
			if md.Kind == registry.MandateSuppleant {
				kind = RecipientSuppleant
			}
			add(u, kind, &h.Seat)
		}
	}
	var chairs []models.User
	if err := tx.NewSelect().Model(&chairs).Where("commission_id = ? AND role = ?", m.CommissionID, models.RolePresident).Order("id ASC").Scan(ctx); err != nil {
		return fmt.Errorf("convoke: présidence: %w", err)
	}
	for i := range chairs {
		add(&chairs[i], RecipientPresident, nil)
	}
	return nil
}

// convocationContent builds the content of convocation number of m.
func convocationContent(ctx context.Context, tx bun.Tx, cm *models.Commission, m *Meeting, rs []SentRecipient, number int, now time.Time) (*ConvocationContent, error) {
	c := &ConvocationContent{
		Commission: cm.Name, MeetingID: m.ID, Number: number, Title: m.Title(), Kind: m.Kind, Mode: m.Mode,
		StartsAt: m.StartsAt.UTC().Format(time.RFC3339), EndsAt: m.EndsAt.UTC().Format(time.RFC3339), Place: m.Place, RemoteLink: m.RemoteLink,
		Urgency: m.Urgency, UrgencyReason: m.UrgencyReason, NoQuorumRequired: m.NoQuorumRequired, SentAt: now.Format(time.RFC3339Nano),
		Agenda: []ContentItem{}, Documents: []string{}, Recipients: []ContentRecipient{},
	}
	if m.FirstConvocationID != nil {
		c.FirstConvocationID = *m.FirstConvocationID
	}
	entries, err := LoadAgenda(ctx, tx, m)
	if err != nil {
		return nil, err
	}
	until := models.CalendarDay(m.StartsAt).Add(files.MemberAccessAfterSession)
	for i, e := range entries {
		c.Agenda = append(c.Agenda, ContentItem{Position: i + 1, Kind: e.Kind, Title: e.Title, Reference: e.Reference})
		if e.Reference != "" {
			c.Documents = append(c.Documents, fmt.Sprintf("Dossier %s : fiche pseudonymisée et proposition de l'association, consultables sur le portail jusqu'au %s", e.Reference, files.FormatDate(until)))
		}
	}
	c.Documents = append(c.Documents, fmt.Sprintf("Invitation de calendrier seance-%d.ics", m.ID))
	for _, r := range rs {
		cr := ContentRecipient{UserID: r.UserID, Email: r.Email, Kind: r.Kind}
		if r.SeatID != nil {
			cr.SeatID = *r.SeatID
		}
		c.Recipients = append(c.Recipients, cr)
	}
	return c, nil
}

// grantConvened lets the convened titulaires and the présidence see the files of the
// agenda from now until 30 days after the session (REGLES.md requirement 15), leaving
// out the members excluded from a file (requirement 6) and grants already covering it.
func grantConvened(ctx context.Context, tx bun.Tx, actor models.Actor, m *Meeting, items []AgendaItem, rs []SentRecipient, now time.Time) error {
	var users []int64
	for _, r := range rs {
		if r.Kind == RecipientTitulaire || r.Kind == RecipientPresident {
			users = append(users, r.UserID)
		}
	}
	return grantFiles(ctx, tx, actor, m, items, users, now)
}

// grantFiles grants users access to the file items of m (see grantConvened).
func grantFiles(ctx context.Context, tx bun.Tx, actor models.Actor, m *Meeting, items []AgendaItem, users []int64, now time.Time) error {
	until := models.CalendarDay(m.StartsAt).Add(files.MemberAccessAfterSession)
	for _, it := range items {
		if it.FileID == nil {
			continue
		}
		excl, err := files.FileExclusions(ctx, tx, m.CommissionID, *it.FileID)
		if err != nil {
			return err
		}
		excluded := map[int64]bool{}
		for _, e := range excl {
			excluded[e.UserID] = true
		}
		var existing []files.FileAccessGrant
		if err := tx.NewSelect().Model(&existing).Where("file_id = ?", *it.FileID).Scan(ctx); err != nil {
			return fmt.Errorf("grant files: %w", err)
		}
		for _, uid := range users {
			if excluded[uid] || slices.ContainsFunc(existing, func(g files.FileAccessGrant) bool {
				return g.UserID == uid && !g.ValidFrom.After(now) && !g.ValidUntil.Before(until)
			}) {
				continue
			}
			u, err := models.FindUser(ctx, tx, uid)
			if err != nil {
				return err
			}
			if u.Role != models.RoleMember && u.Role != models.RolePresident {
				continue
			}
			g := &files.FileAccessGrant{
				CommissionID: m.CommissionID, FileID: *it.FileID, UserID: uid, ValidFrom: now, ValidUntil: until,
				Reason: "Convocation à la séance du " + files.FormatDate(models.CalendarDay(m.StartsAt)), SessionID: &m.ID,
			}
			if err := files.GrantFileAccess(ctx, tx, actor, g, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeliveryRecord is the delivery of one recipient's copy of a convocation.
type DeliveryRecord struct {
	RecipientID int64
	OutboxID    int64 // 0: no record (the message could not be composed)
	Status      string
	MessageID   string
}

// RecordConvocationDeliveries links each recipient of convocation convocationID to the
// record of their e-mail and writes the results, with the content hash and the sending
// time, to the audit chain.
func RecordConvocationDeliveries(ctx context.Context, db bun.IDB, actor models.Actor, cid, convocationID int64, ds []DeliveryRecord, at time.Time) error {
	return models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		c := new(Convocation)
		if err := tx.NewSelect().Model(c).Where("id = ? AND commission_id = ?", convocationID, cid).Scan(ctx); err != nil {
			return models.NotFound(err, "find convocation")
		}
		results := make([]map[string]any, 0, len(ds))
		delivered, failed := 0, 0
		for _, d := range ds {
			q := tx.NewUpdate().Model((*ConvocationRecipient)(nil)).Set("delivery_status = ?", d.Status).Set("message_id = ?", d.MessageID).
				Where("id = ? AND convocation_id = ?", d.RecipientID, c.ID)
			if d.OutboxID != 0 {
				q = q.Set("outbox_id = ?", d.OutboxID)
			}
			if _, err := q.Exec(ctx); err != nil {
				return fmt.Errorf("record deliveries: %w", err)
			}
			if d.Status == models.OutboxFailed || d.Status == "" {
				failed++
			} else {
				delivered++
			}
			results = append(results, map[string]any{"recipient_id": d.RecipientID, "outbox_id": d.OutboxID, "status": d.Status, "message_id": d.MessageID})
		}
		t := models.Stamp(at)
		c.Delivered, c.Failed, c.DeliveredAt = delivered, failed, &t
		if _, err := tx.NewUpdate().Model(c).Column("delivered", "failed", "delivered_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("record deliveries: %w", err)
		}
		return models.Audit(ctx, tx, at, models.AuditEntry{
			CommissionID: cid, Actor: actor, Action: "meeting.convocation_sent", Object: models.ObjectRef("meeting", c.MeetingID),
			Details: map[string]any{"convocation_id": c.ID, "number": c.Number, "sha256": c.ContentSHA256, "sent_at": t.Format(time.RFC3339Nano),
				"delivered": delivered, "failed": failed, "results": results},
		})
	})
}

// ListConvocations returns the convocations of session meetingID, first first.
func ListConvocations(ctx context.Context, db bun.IDB, cid, meetingID int64) ([]Convocation, error) {
	var cs []Convocation
	if err := db.NewSelect().Model(&cs).Where("commission_id = ? AND meeting_id = ?", cid, meetingID).Order("number ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list convocations: %w", err)
	}
	return cs, nil
}

// ListConvocationRecipients returns the recipients of convocation convocationID, with
// their accounts, titulaires first.
func ListConvocationRecipients(ctx context.Context, db bun.IDB, cid, convocationID int64) ([]ConvocationRecipient, error) {
	var rs []ConvocationRecipient
	err := db.NewSelect().Model(&rs).Relation("User").
		Where("convocation_recipient.commission_id = ? AND convocation_recipient.convocation_id = ?", cid, convocationID).
		Order("convocation_recipient.id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list convocation recipients: %w", err)
	}
	return rs, nil
}

// ConvocationStale reports whether session m changed (date, place, mode or agenda) since
// its last convocation: the members must then be convened again. False when never convened.
func ConvocationStale(ctx context.Context, db bun.IDB, m *Meeting) (bool, error) {
	cs, err := ListConvocations(ctx, db, m.CommissionID, m.ID)
	if err != nil || len(cs) == 0 {
		return false, err
	}
	items, err := ListAgenda(ctx, db, m.CommissionID, m.ID)
	if err != nil {
		return false, err
	}
	return cs[len(cs)-1].SubjectSHA256 != subjectDigest(m, items), nil
}

// ConvocationLink is what a personal link opens: one recipient's view of one session.
type ConvocationLink struct {
	Recipient ConvocationRecipient
	Meeting   *Meeting
	User      *models.User
}

// ErrLinkExpired is returned for a personal link of a session that is over.
var ErrLinkExpired = models.NewRefusal("Ce lien personnel a expiré : la séance est passée. Connectez-vous au portail pour consulter la séance.")

// OpenConvocationLink returns what the personal link token opens, and records its first
// opening as a read receipt (audited). It returns ErrNotFound for an unknown token or an
// inactive account, ErrLinkExpired once the session has ended.
func OpenConvocationLink(ctx context.Context, db bun.IDB, token string, now time.Time) (*ConvocationLink, error) {
	if token == "" {
		return nil, models.ErrNotFound
	}
	l := &ConvocationLink{}
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		r := new(ConvocationRecipient)
		if err := tx.NewSelect().Model(r).Relation("User").Where("token_hash = ?", models.HashToken(token)).Scan(ctx); err != nil {
			return models.NotFound(err, "find convocation link")
		}
		if r.User == nil || !r.User.Active || r.User.CommissionIDOrZero() != r.CommissionID {
			return models.ErrNotFound
		}
		m, err := FindMeeting(ctx, tx, r.CommissionID, r.MeetingID)
		if err != nil {
			return err
		}
		if !now.Before(m.EndsAt) {
			return ErrLinkExpired
		}
		if r.FirstOpenedAt == nil {
			t := models.Stamp(now)
			res, err := tx.NewUpdate().Model((*ConvocationRecipient)(nil)).Set("first_opened_at = ?", t).
				Where("id = ? AND first_opened_at IS NULL", r.ID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("read receipt: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				r.FirstOpenedAt = &t
				err := models.Audit(ctx, tx, now, models.AuditEntry{
					CommissionID: r.CommissionID, Actor: models.Actor{UserID: r.UserID, Label: r.Email + " (lien personnel)"}, Action: "meeting.convocation_read",
					Object: models.ObjectRef("meeting", m.ID), Details: map[string]any{"convocation_id": r.ConvocationID, "recipient_id": r.ID, "opened_at": t.Format(time.RFC3339Nano)},
				})
				if err != nil {
					return err
				}
			}
		}
		l.Recipient, l.Meeting, l.User = *r, m, r.User
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// ReadReceipts returns, by user, the first time they opened a personal link of session
// meetingID (any convocation).
func ReadReceipts(ctx context.Context, db bun.IDB, cid, meetingID int64) (map[int64]time.Time, error) {
	var rs []ConvocationRecipient
	err := db.NewSelect().Model(&rs).Column("user_id", "first_opened_at").
		Where("commission_id = ? AND meeting_id = ? AND first_opened_at IS NOT NULL", cid, meetingID).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read receipts: %w", err)
	}
	out := map[int64]time.Time{}
	for _, r := range rs {
		if t, ok := out[r.UserID]; !ok || r.FirstOpenedAt.Before(t) {
			out[r.UserID] = *r.FirstOpenedAt
		}
	}
	return out, nil
}

// ConvenedUsers returns the latest recipient row of each person convened to session
// meetingID (the people to notify of a change or a cancellation).
func ConvenedUsers(ctx context.Context, db bun.IDB, cid, meetingID int64) ([]ConvocationRecipient, error) {
	var rs []ConvocationRecipient
	err := db.NewSelect().Model(&rs).Relation("User").
		Where("convocation_recipient.commission_id = ? AND convocation_recipient.meeting_id = ?", cid, meetingID).
		Order("convocation_recipient.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("convened users: %w", err)
	}
	seen := map[int64]bool{}
	out := rs[:0]
	for _, r := range rs {
		if !seen[r.UserID] {
			seen[r.UserID] = true
			out = append(out, r)
		}
	}
	slices.Reverse(out)
	return out, nil
}
