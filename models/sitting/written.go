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

// Written electronic deliberation (ordonnance 2014-1329 art. 3 to 5, décret 2014-1627,
// REGLES.md requirement 12), one per agenda item of a session in ModeWritten:
//
//	announced ──open──▶ open ──close debate──▶ voting ──close vote──▶ closed
//
// The chair announces it like a convocation, with its start and its earliest closing
// (the deadline), after checking that every member has the technical means; the
// opening message recalls the deadline; members post contributions that every member
// sees and may answer; the chair may extend the deadline; the debate closes no earlier
// than the deadline, and a voting window opens for the stated number of hours. The
// result is valid only if at least half the members took part. Sanctions (an end of
// parcours for breach of commitments, a suspension) are never deliberated in writing.

// WrittenDeliberationStatus is where a written deliberation stands.
type WrittenDeliberationStatus string

// The statuses of a written deliberation.
const (
	DeliberationAnnounced WrittenDeliberationStatus = "announced"
	DeliberationOpen      WrittenDeliberationStatus = "open"
	DeliberationVoting    WrittenDeliberationStatus = "voting"
	DeliberationClosed    WrittenDeliberationStatus = "closed"
)

// Label is the French name of the status.
func (s WrittenDeliberationStatus) Label() string {
	switch s {
	case DeliberationAnnounced:
		return "Annoncée"
	case DeliberationOpen:
		return "Échanges ouverts"
	case DeliberationVoting:
		return "Vote en cours"
	case DeliberationClosed:
		return "Close"
	}
	return string(s)
}

// WrittenDeliberation is the written deliberation of one agenda item.
type WrittenDeliberation struct {
	bun.BaseModel `bun:"table:written_deliberations,alias:deliberation"` // the alias its queries name

	ID             int64                     `bun:",pk,autoincrement"`
	CommissionID   int64                     `bun:",notnull"`
	MeetingID      int64                     `bun:",notnull"`
	AgendaItemID   int64                     `bun:",notnull"`
	Status         WrittenDeliberationStatus `bun:",notnull"`
	StartsAt       time.Time                 `bun:",notnull"`
	Deadline       time.Time                 `bun:",notnull"` // earliest closing of the debate
	VotingHours    int                       `bun:",notnull"` // length of the voting window
	MeansChecked   bool                      `bun:",notnull"` // the chair checked every member's technical means
	AnnouncedAt    time.Time                 `bun:",notnull"`
	AnnouncedBy    int64                     `bun:",notnull"`
	OpenedAt       *time.Time
	DebateClosedAt *time.Time
	Extensions     int       `bun:",notnull"`
	VoteID         *int64    `bun:",nullzero"`
	UpdatedAt      time.Time `bun:",notnull"`
	// SuspendedAt is set while the chair has suspended the deliberation after an
	// incident (décret 2014-1627 art. 7), with the reason given.
	SuspendedAt      *time.Time
	SuspensionReason string `bun:",notnull"`
	Suspensions      int    `bun:",notnull"`
}

// Suspended reports whether the deliberation is suspended after an incident.
func (d *WrittenDeliberation) Suspended() bool { return d.SuspendedAt != nil }

// ContributionKind tells members' contributions from the chair's procedural messages.
type ContributionKind string

// The kinds of contribution.
const (
	ContributionMessage   ContributionKind = "message"   // a member's remark or answer
	ContributionOpening   ContributionKind = "opening"   // the chair's opening message
	ContributionExtension ContributionKind = "extension" // the chair extended the deadline
	ContributionClosing   ContributionKind = "closing"   // the debate closed, the vote opened
	ContributionSuspended ContributionKind = "suspended" // the chair suspended it after an incident
	ContributionResumed   ContributionKind = "resumed"   // the chair resumed it, with a new deadline
)

// Contribution is one message of a written deliberation; every member sees it.
type Contribution struct {
	bun.BaseModel `bun:"table:written_contributions"`

	ID             int64            `bun:",pk,autoincrement"`
	CommissionID   int64            `bun:",notnull"`
	DeliberationID int64            `bun:",notnull"`
	UserID         int64            `bun:",notnull"`
	ReplyToID      *int64           `bun:",nullzero"`
	Kind           ContributionKind `bun:",notnull"`
	BodySealed     string           `bun:",notnull" json:"-"`
	CreatedAt      time.Time        `bun:",notnull"`
}

// ContributionAAD binds a written contribution's sealed body to its row.
func ContributionAAD(id int64) string { return fmt.Sprintf("contribution:%d:body", id) }

// Refusals of written deliberations, in French.
var (
	ErrNotWritten       = models.NewRefusal("Cette séance ne se tient pas par délibération électronique écrite.")
	ErrWrittenSanction  = models.NewRefusal("Une sanction (fin de parcours pour non-respect des engagements, suspension) ne peut pas faire l'objet d'une délibération écrite (ordonnance 2014-1329, art. 5).")
	ErrDebateTooEarly   = models.NewRefusal("Les échanges ne peuvent pas être clos avant l'heure de clôture annoncée (décret 2014-1627, art. 5).")
	ErrDebateNotOpen    = models.NewRefusal("Les échanges de cette délibération ne sont pas ouverts.")
	ErrDebateNotStarted = models.NewRefusal("La délibération ne peut pas être ouverte avant l'heure de début annoncée.")
	ErrAlreadyAnnounced = models.NewRefusal("Une délibération écrite est déjà annoncée pour ce point.")
	ErrNotParticipant   = models.NewRefusal("Seuls les membres de la commission qui ne sont pas écartés de ce point prennent part à la délibération.")
)

// DeliberationInput is what the chair announces.
type DeliberationInput struct {
	StartsAt    time.Time
	Deadline    time.Time // earliest closing date and time of the debate
	VotingHours int       // how long the vote stays open once the debate is closed
	// MeansChecked: the chair checked that every member has the technical means to take
	// part (décret 2014-1627 art. 2).
	MeansChecked bool
}

// Validate checks the announcement; the start must respect the convocation's notice
// (noticeDays, or none in urgency). Messages are keyed "starts_at", "deadline",
// "voting_hours" and "means_checked".
func (in *DeliberationInput) Validate(now time.Time, noticeDays int) models.FieldErrors {
	fe := models.FieldErrors{}
	switch {
	case in.StartsAt.IsZero():
		fe.Add("starts_at", "Indiquez la date et l'heure d'ouverture des échanges.")
	case in.StartsAt.Before(now.AddDate(0, 0, noticeDays)):
		if noticeDays > 0 {
			fe.Add("starts_at", fmt.Sprintf("La délibération s'annonce comme une convocation : au moins %d jours avant son ouverture (R133-8), sauf urgence.", noticeDays))
		} else {
			fe.Add("starts_at", "L'ouverture ne peut pas être dans le passé.")
		}
	}
	switch {
	case in.Deadline.IsZero():
		fe.Add("deadline", "Indiquez la date et l'heure de clôture au plus tôt.")
	case !in.StartsAt.IsZero() && !in.Deadline.After(in.StartsAt):
		fe.Add("deadline", "La clôture au plus tôt doit suivre l'ouverture.")
	}
	if in.VotingHours < 1 || in.VotingHours > 720 {
		fe.Add("voting_hours", "La durée du vote est comprise entre 1 heure et 30 jours (720 heures).")
	}
	if !in.MeansChecked {
		fe.Add("means_checked", "Vérifiez d'abord que chaque membre dispose des moyens techniques de participer (décret 2014-1627, art. 2).")
	}
	return fe
}

// isSanction reports whether a file asks for a sanction, which a written deliberation
// may not decide (ordonnance 2014-1329 art. 5).
func isSanction(f *files.File) bool {
	return (f.Kind == files.KindEnd && f.EndReason == files.EndBreach) || f.Kind == files.KindSuspension
}

// AnnounceDeliberation announces the written deliberation of agenda item itemID of a
// written session, convened or open (decret 2014-1627 art. 3). The caller then e-mails
// the announcement to the members (DeliberationRecipients).
func AnnounceDeliberation(ctx context.Context, db bun.IDB, actor *models.User, cid, itemID int64, in DeliberationInput, now time.Time) (*WrittenDeliberation, error) {
	if actor.Role != models.RolePresident {
		return nil, ErrNotChair
	}
	var d *WrittenDeliberation
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		item, err := findSittingItem(ctx, tx, cid, itemID)
		if err != nil {
			return err
		}
		m, err := lockSittingMeeting(ctx, tx, cid, item.MeetingID)
		if err != nil {
			return err
		}
		if m.Mode != meetings.ModeWritten {
			return ErrNotWritten
		}
		if m.Status != meetings.MeetingConvened && m.Status != meetings.MeetingOpen {
			return models.Refuse("La délibération s'annonce une fois la séance convoquée, et avant sa clôture.")
		}
		if item.Kind == meetings.ItemInformation {
			return ErrNothingToVote
		}
		if item.FileID != nil {
			f, err := files.FindFileRow(ctx, tx, cid, *item.FileID)
			if err != nil {
				return err
			}
			if isSanction(f) {
				return ErrWrittenSanction
			}
		}
		exists, err := tx.NewSelect().Model((*WrittenDeliberation)(nil)).Where("agenda_item_id = ?", item.ID).Exists(ctx)
		if err != nil {
			return fmt.Errorf("announce deliberation: %w", err)
		}
		if exists {
			return ErrAlreadyAnnounced
		}
		settings, err := models.FindSettings(ctx, tx, cid)
		if err != nil {
			return err
		}
		notice := settings.NoticeDays
		if m.Urgency {
			notice = 0
		}
		if fe := in.Validate(now, notice); len(fe) > 0 {
			return fe.Err()
		}
		t := models.Stamp(now)
		d = &WrittenDeliberation{CommissionID: cid, MeetingID: m.ID, AgendaItemID: item.ID, Status: DeliberationAnnounced,
			StartsAt: in.StartsAt.UTC(), Deadline: in.Deadline.UTC(), VotingHours: in.VotingHours, MeansChecked: true,
			AnnouncedAt: t, AnnouncedBy: actor.ID, UpdatedAt: t}
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			return fmt.Errorf("announce deliberation: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "deliberation.announce", Object: models.ObjectRef("deliberation", d.ID),
			Details: map[string]any{"agenda_item_id": item.ID, "starts_at": d.StartsAt.Format(time.RFC3339),
				"deadline": d.Deadline.Format(time.RFC3339), "voting_hours": d.VotingHours, "means_checked": true},
		})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// FindDeliberation returns written deliberation id of commission cid.
func FindDeliberation(ctx context.Context, db bun.IDB, cid, id int64) (*WrittenDeliberation, error) {
	return findDeliberation(ctx, db, cid, "id", id)
}

// FindItemDeliberation returns the written deliberation of agenda item itemID, or ErrNotFound.
func FindItemDeliberation(ctx context.Context, db bun.IDB, cid, itemID int64) (*WrittenDeliberation, error) {
	return findDeliberation(ctx, db, cid, "agenda_item_id", itemID)
}

func findDeliberation(ctx context.Context, db bun.IDB, cid int64, column string, value int64) (*WrittenDeliberation, error) {
	d := new(WrittenDeliberation)
	if err := db.NewSelect().Model(d).Where("? = ? AND commission_id = ?", bun.Ident(column), value, cid).Scan(ctx); err != nil {
		return nil, models.NotFound(err, "find deliberation")
	}
	return d, nil
}

// ListDeliberations returns the written deliberations of session meetingID in agenda order.
func ListDeliberations(ctx context.Context, db bun.IDB, cid, meetingID int64) ([]WrittenDeliberation, error) {
	var ds []WrittenDeliberation
	err := db.NewSelect().Model(&ds).Join("JOIN agenda_items AS ai ON ai.id = deliberation.agenda_item_id").
		Where("deliberation.commission_id = ? AND deliberation.meeting_id = ?", cid, meetingID).
		Order("ai.position ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list deliberations: %w", err)
	}
	return ds, nil
}

func lockDeliberation(ctx context.Context, tx bun.Tx, cid, id int64) (*WrittenDeliberation, error) {
	return models.LockOwned[WrittenDeliberation](ctx, tx, cid, id, "lock deliberation")
}

// lockOpenDebate reads deliberation id for update, refusing it unless its debate is open.
func lockOpenDebate(ctx context.Context, tx bun.Tx, cid, id int64) (*WrittenDeliberation, error) {
	d, err := lockDeliberation(ctx, tx, cid, id)
	if err != nil {
		return nil, err
	}
	if d.Status != DeliberationOpen {
		return nil, ErrDebateNotOpen
	}
	if d.Suspended() {
		return nil, ErrDeliberationSuspended
	}
	return d, nil
}

// addContribution inserts a sealed message in a deliberation.
func addContribution(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, d *WrittenDeliberation, userID int64, kind ContributionKind, replyTo *int64, body string, now time.Time) (*Contribution, error) {
	c := &Contribution{CommissionID: d.CommissionID, DeliberationID: d.ID, UserID: userID, ReplyToID: replyTo, Kind: kind, CreatedAt: models.Stamp(now)}
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		return nil, fmt.Errorf("add contribution: %w", err)
	}
	c.BodySealed = kr.Seal([]byte(body), ContributionAAD(c.ID))
	if _, err := tx.NewUpdate().Model(c).Column("body_sealed").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("add contribution: %w", err)
	}
	return c, nil
}

// OpenDeliberation opens the debate of announced deliberation id, from its start, with
// the chair's message recalling the deadline (décret 2014-1627 art. 4). The written
// session must be open. The caller e-mails the message to the members.
func OpenDeliberation(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, cid, id int64, message string, now time.Time) (*WrittenDeliberation, error) {
	if actor.Role != models.RolePresident {
		return nil, ErrNotChair
	}
	if err := models.TextError("message", "Message aux membres", message, models.MaxTextLength); err != nil {
		return nil, err
	}
	var d *WrittenDeliberation
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if d, err = lockDeliberation(ctx, tx, cid, id); err != nil {
			return err
		}
		return openDeliberationTx(ctx, tx, kr, actor, models.ActorFor(actor), d, message, now)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// openDeliberationTx opens the debate of d, locked, with actor's message; audit is who
// the audit chain names (the chair, or the job opening it on the chair's behalf).
func openDeliberationTx(ctx context.Context, tx bun.Tx, kr *keyring.Keyring, actor *models.User, audit models.Actor, d *WrittenDeliberation, message string, now time.Time) error {
	if d.Status != DeliberationAnnounced {
		return models.Refuse("Cette délibération est déjà ouverte.")
	}
	if now.Before(d.StartsAt) {
		return ErrDebateNotStarted
	}
	if _, _, err := openSitting(ctx, tx, d.CommissionID, d.MeetingID); err != nil {
		return err
	}
	body := strings.TrimSpace(message)
	recall := "Les échanges sont ouverts. Ils pourront être clos au plus tôt le " + frDateTime(d.Deadline) + " ; le vote sera alors ouvert pendant " + fmt.Sprint(d.VotingHours) + " heures."
	if body == "" {
		body = recall
	} else {
		body += "\n\n" + recall
	}
	if _, err := addContribution(ctx, tx, kr, d, actor.ID, ContributionOpening, nil, body, now); err != nil {
		return err
	}
	t := models.Stamp(now)
	d.Status, d.OpenedAt, d.UpdatedAt = DeliberationOpen, &t, t
	if _, err := tx.NewUpdate().Model(d).Column("status", "opened_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("open deliberation: %w", err)
	}
	return models.Audit(ctx, tx, now, models.AuditEntry{
		CommissionID: d.CommissionID, Actor: audit, Action: "deliberation.open", Object: models.ObjectRef("deliberation", d.ID),
		Details: map[string]any{"deadline": d.Deadline.Format(time.RFC3339), "message_sha256": models.TextDigest(body)},
	})
}

// frDateTime formats a time in Paris as "24/11/2026 à 14:30".
func frDateTime(t time.Time) string { return t.In(models.Paris).Format("02/01/2006 à 15:04") }

// ExtendDeliberation moves the deadline of deliberation id to a later time (décret
// 2014-1627 art. 4); a message in the thread says so.
func ExtendDeliberation(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, cid, id int64, deadline, now time.Time) (*WrittenDeliberation, error) {
	if actor.Role != models.RolePresident {
		return nil, ErrNotChair
	}
	var d *WrittenDeliberation
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if d, err = lockDeliberation(ctx, tx, cid, id); err != nil {
			return err
		}
		if d.Status != DeliberationAnnounced && d.Status != DeliberationOpen {
			return ErrDebateNotOpen
		}
		if d.Suspended() {
			return ErrDeliberationSuspended
		}
		if !deadline.After(d.Deadline) || !deadline.After(now) {
			return models.FieldErrors{"deadline": "La nouvelle clôture au plus tôt doit suivre la précédente (" + frDateTime(d.Deadline) + ") et l'heure actuelle."}.Err()
		}
		old := d.Deadline
		t := models.Stamp(now)
		d.Deadline, d.UpdatedAt = deadline.UTC(), t
		d.Extensions++
		if _, err := tx.NewUpdate().Model(d).Column("deadline", "extensions", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("extend deliberation: %w", err)
		}
		if d.Status == DeliberationOpen {
			msg := "Le président prolonge les échanges : clôture au plus tôt le " + frDateTime(d.Deadline) + " (au lieu du " + frDateTime(old) + ")."
			if _, err := addContribution(ctx, tx, kr, d, actor.ID, ContributionExtension, nil, msg, now); err != nil {
				return err
			}
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "deliberation.extend", Object: models.ObjectRef("deliberation", d.ID),
			Details: map[string]any{"from": old.Format(time.RFC3339), "to": d.Deadline.Format(time.RFC3339)},
		})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// CloseDebate closes the debate of deliberation id, no earlier than its deadline, and
// opens the vote for its voting window (décret 2014-1627 art. 5): every holder of a seat
// not excluded from the item may vote, once per seat.
func CloseDebate(ctx context.Context, db bun.IDB, kr *keyring.Keyring, actor *models.User, cid, id int64, now time.Time) (*Vote, error) {
	if actor.Role != models.RolePresident {
		return nil, ErrNotChair
	}
	var v *Vote
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		d, err := lockOpenDebate(ctx, tx, cid, id)
		if err != nil {
			return err
		}
		if now.Before(d.Deadline) {
			return ErrDebateTooEarly
		}
		m, s, err := openSitting(ctx, tx, cid, d.MeetingID)
		if err != nil {
			return err
		}
		item, err := findSittingItem(ctx, tx, cid, d.AgendaItemID)
		if err != nil {
			return err
		}
		t := models.Stamp(now)
		closes := t.Add(time.Duration(d.VotingHours) * time.Hour)
		if v, err = openVoteTx(ctx, tx, actor, m, s, item, VoteInput{}, &closes, now); err != nil {
			return err
		}
		msg := "Les échanges sont clos. Le vote est ouvert jusqu'au " + frDateTime(closes) + "."
		if _, err := addContribution(ctx, tx, kr, d, actor.ID, ContributionClosing, nil, msg, now); err != nil {
			return err
		}
		d.Status, d.DebateClosedAt, d.VoteID, d.UpdatedAt = DeliberationVoting, &t, &v.ID, t
		if _, err := tx.NewUpdate().Model(d).Column("status", "debate_closed_at", "vote_id", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("close debate: %w", err)
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(actor), Action: "deliberation.close_debate", Object: models.ObjectRef("deliberation", d.ID),
			Details: map[string]any{"vote_id": v.ID, "voting_closes_at": closes.Format(time.RFC3339)},
		})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// deliberationParticipant checks that u may read and write in deliberation d: a holder
// of a voting seat on the session's day, or a président, not excluded from the item.
func deliberationParticipant(ctx context.Context, db bun.IDB, u *models.User, d *WrittenDeliberation) error {
	m, err := meetings.FindMeeting(ctx, db, d.CommissionID, d.MeetingID)
	if err != nil {
		return err
	}
	p, err := loadPresence(ctx, db, m)
	if err != nil {
		return err
	}
	item, err := findSittingItem(ctx, db, d.CommissionID, d.AgendaItemID)
	if err != nil {
		return err
	}
	x, _, err := itemExclusions(ctx, db, p, item)
	if err != nil {
		return err
	}
	if x.user(u.ID) {
		return ErrNotParticipant
	}
	switch u.Role {
	case models.RolePresident, models.RoleSecretariat:
		return nil
	case models.RoleMember:
		for i := range p.Seats {
			sp := &p.Seats[i]
			if _, ok := sp.holderNames()[u.ID]; ok && !x.seat(sp.Seat.ID) {
				return nil
			}
		}
	}
	return ErrNotParticipant
}

// PostContribution posts u's message (or answer to message replyTo, 0 for none) in the
// open debate of deliberation id; every member sees it.
func PostContribution(ctx context.Context, db bun.IDB, kr *keyring.Keyring, u *models.User, cid, id, replyTo int64, body string, now time.Time) (*Contribution, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return nil, models.FieldErrors{"body": "Rédigez votre contribution (5 000 caractères au plus)."}.Err()
	}
	if err := models.TextError("body", "Contribution", body, 5000); err != nil {
		return nil, err
	}
	if u.Role != models.RoleMember && u.Role != models.RolePresident {
		return nil, ErrNotParticipant
	}
	var c *Contribution
	err := models.InTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		d, err := lockOpenDebate(ctx, tx, cid, id)
		if err != nil {
			return err
		}
		if err := deliberationParticipant(ctx, tx, u, d); err != nil {
			return err
		}
		var rt *int64
		if replyTo != 0 {
			ok, err := tx.NewSelect().Model((*Contribution)(nil)).Where("id = ? AND deliberation_id = ?", replyTo, d.ID).Exists(ctx)
			if err != nil {
				return fmt.Errorf("post contribution: %w", err)
			}
			if !ok {
				return models.ErrNotFound
			}
			rt = &replyTo
		}
		if c, err = addContribution(ctx, tx, kr, d, u.ID, ContributionMessage, rt, body, now); err != nil {
			return err
		}
		details := map[string]any{"contribution_id": c.ID, "body_sha256": models.TextDigest(body)}
		if rt != nil {
			details["reply_to_id"] = *rt
		}
		return models.Audit(ctx, tx, now, models.AuditEntry{
			CommissionID: cid, Actor: models.ActorFor(u), Action: "deliberation.contribution", Object: models.ObjectRef("deliberation", d.ID), Details: details,
		})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ContributionText is a contribution, decrypted, with its author's name.
type ContributionText struct {
	ID        int64
	UserID    int64
	Name      string
	Kind      ContributionKind
	ReplyToID int64
	Body      string
	CreatedAt time.Time
}

// ListContributions returns every message of deliberation id in order, decrypted: to a
// participant (ErrNotParticipant otherwise) and to the minutes, which pass a nil viewer.
func ListContributions(ctx context.Context, db bun.IDB, kr *keyring.Keyring, viewer *models.User, cid, id int64) ([]ContributionText, error) {
	d, err := FindDeliberation(ctx, db, cid, id)
	if err != nil {
		return nil, err
	}
	if viewer != nil {
		if err := deliberationParticipant(ctx, db, viewer, d); err != nil {
			return nil, err
		}
	}
	var cs []Contribution
	if err := db.NewSelect().Model(&cs).Where("deliberation_id = ?", d.ID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list contributions: %w", err)
	}
	names, err := userNames(ctx, db, func(add func(int64)) {
		for _, c := range cs {
			add(c.UserID)
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]ContributionText, 0, len(cs))
	for _, c := range cs {
		b, err := kr.Open(c.BodySealed, ContributionAAD(c.ID))
		if err != nil {
			return nil, fmt.Errorf("contribution %d: %w", c.ID, err)
		}
		t := ContributionText{ID: c.ID, UserID: c.UserID, Name: names[c.UserID], Kind: c.Kind, Body: string(b), CreatedAt: c.CreatedAt}
		if c.ReplyToID != nil {
			t.ReplyToID = *c.ReplyToID
		}
		out = append(out, t)
	}
	return out, nil
}

// CanTakePart reports whether u takes part in deliberation d (reads and writes in it).
func CanTakePart(ctx context.Context, db bun.IDB, u *models.User, d *WrittenDeliberation) (bool, error) {
	err := deliberationParticipant(ctx, db, u, d)
	if err == ErrNotParticipant {
		return false, nil
	}
	return err == nil, err
}

// DeliberationRecipients returns the e-mail addresses of the persons a deliberation's
// messages go to (DeliberationParticipants).
func DeliberationRecipients(ctx context.Context, db bun.IDB, cid, id int64) ([]string, error) {
	us, err := DeliberationParticipants(ctx, db, cid, id)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(us))
	for i := range us {
		out[i] = us[i].Email
	}
	return out, nil
}
