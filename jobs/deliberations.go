package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/keyring"
	"seance/models/sitting"
)

// Deliberations keeps the written deliberations on time (décret 2014-1627): it opens
// each at its announced start, reminds once the members who have not contributed
// before the debate's deadline and those who have not voted before the vote ends,
// tells the chair when the deadline has passed and the debate may be closed,
// closes the vote at the end of its window and sends the results to all members
// (art. 6). It acts on behalf of the chair who announced the deliberation. Each
// change and its notices are written in one transaction, so a second run, or a run
// after a restart, sends nothing twice. A suspended deliberation (art. 7) and the
// deliberations of a cancelled session are left alone.
type Deliberations struct {
	Notices
	Keys     *keyring.Keyring
	Location *time.Location
}

// remindLead is how long before a deadline members are reminded; a shorter phase is
// reminded at its middle.
const remindLead = 24 * time.Hour

// Name names the job.
func (j *Deliberations) Name() string { return "deliberations" }

// Run does what is due; the items are the notices sent.
func (j *Deliberations) Run(ctx context.Context) error {
	now := j.Now()
	ds, err := sitting.ScheduledDeliberations(ctx, j.DB, now)
	if err != nil {
		return err
	}
	var errs []error
	for i := range ds {
		n, err := j.deliberation(ctx, &ds[i], now)
		Handled(ctx, n)
		if err != nil { // one deliberation's failure does not hold the others up
			errs = append(errs, fmt.Errorf("deliberation %d: %w", ds[i].ID, err))
		}
	}
	return errors.Join(errs...)
}

func (j *Deliberations) deliberation(ctx context.Context, d *sitting.WrittenDeliberation, now time.Time) (int, error) {
	switch d.Status {
	case sitting.DeliberationAnnounced:
		return j.open(ctx, d, now)
	case sitting.DeliberationOpen:
		if !now.Before(d.Deadline) {
			return j.debateDue(ctx, d)
		}
		if !due(d.OpenedAt, d.Deadline, now) {
			return 0, nil
		}
		us, err := sitting.SilentMembers(ctx, j.DB, d)
		if err != nil || len(us) == 0 {
			return 0, err
		}
		title, err := j.title(ctx, j.DB, d)
		if err != nil {
			return 0, err
		}
		when := j.when(d.Deadline)
		return j.Notifier.send(ctx, j.notice(d, "deliberation-reminder", "Délibération écrite : les échanges peuvent être clos à partir du "+when,
			"Vous n'avez pas encore contribué à la délibération électronique écrite sur le point « "+title+" ». "+
				"Les échanges pourront être clos à partir du "+when+" ; chaque contribution est communiquée à tous les membres, "+
				"qui peuvent y répondre. La délibération n'est valable que si la moitié au moins des membres y prennent part."),
			accounts(us), now)
	case sitting.DeliberationVoting:
		v, err := sitting.FindVote(ctx, j.DB, d.CommissionID, *d.VoteID)
		if err != nil {
			return 0, err
		}
		if v.Status != sitting.VoteOpen || v.ClosesAt == nil {
			return 0, nil
		}
		if !now.Before(*v.ClosesAt) {
			return j.close(ctx, d, now)
		}
		if !due(d.DebateClosedAt, *v.ClosesAt, now) {
			return 0, nil
		}
		us, err := sitting.PendingVoters(ctx, j.DB, d.CommissionID, v.ID)
		if err != nil || len(us) == 0 {
			return 0, err
		}
		title, err := j.title(ctx, j.DB, d)
		if err != nil {
			return 0, err
		}
		when := j.when(*v.ClosesAt)
		n := j.notice(d, "deliberation-vote-reminder", "Délibération écrite : votez avant le "+when,
			"Le vote de la délibération électronique écrite sur le point « "+title+" » est ouvert jusqu'au "+when+
				" et vous n'avez pas encore voté. La délibération n'est valable que si la moitié au moins des membres y prennent part.")
		n.Link = "/votes/" + strconv.FormatInt(v.ID, 10)
		return j.Notifier.send(ctx, n, accounts(us), now)
	}
	return 0, nil
}

// debateDue tells the présidents, once per deadline, that the debate of d may now be
// closed: the closing message is theirs (art. 5), the vote then opens.
func (j *Deliberations) debateDue(ctx context.Context, d *sitting.WrittenDeliberation) (int, error) {
	us, err := models.ActiveUsersWithRole(ctx, j.DB, d.CommissionID, models.RolePresident)
	if err != nil || len(us) == 0 {
		return 0, err
	}
	title, err := j.title(ctx, j.DB, d)
	if err != nil {
		return 0, err
	}
	n := j.notice(d, "deliberation-debate-due", "Délibération écrite : les échanges peuvent être clos — "+title,
		"L'heure de clôture annoncée ("+j.when(d.Deadline)+") est passée : vous pouvez clore les échanges de la délibération "+
			"électronique écrite sur le point « "+title+" », ce qui ouvre le vote pendant "+strconv.Itoa(d.VotingHours)+" heures "+
			"(décret n° 2014-1627, art. 5), ou les prolonger.")
	n.Occurrence = "deadline:" + d.Deadline.UTC().Format("2006-01-02T15:04")
	return j.Notifier.send(ctx, n, accounts(us), j.Now())
}

// due reports whether a phase from start to end is within its reminder window at now.
func due(start *time.Time, end, now time.Time) bool {
	lead := remindLead
	if start != nil && end.Sub(*start)/2 < lead {
		lead = end.Sub(*start) / 2
	}
	return !now.Before(end.Add(-lead)) && now.Before(end)
}

// open opens d and tells its participants, in one transaction.
func (j *Deliberations) open(ctx context.Context, d *sitting.WrittenDeliberation, now time.Time) (int, error) {
	if j.Keys == nil {
		return 0, errors.New("no secret key: the opening message cannot be sealed (SEANCE_SECRET_KEY)")
	}
	sent := 0
	err := models.InTx(ctx, j.DB, func(ctx context.Context, tx bun.Tx) error {
		od, ok, err := sitting.OpenScheduledDeliberation(ctx, tx, j.Keys, d.CommissionID, d.ID, models.SystemActor("jobs"), now)
		if err != nil || !ok {
			return err
		}
		us, err := sitting.DeliberationParticipants(ctx, tx, d.CommissionID, d.ID)
		if err != nil {
			return err
		}
		when := j.when(od.Deadline)
		n, err := j.noticeTx(ctx, tx, od, "deliberation-open", "Ouverture de la délibération écrite", func(title string) string {
			return "La délibération électronique écrite sur le point « " + title + " » est ouverte.\nLes échanges pourront être clos au plus tôt le " + when +
				" ; le vote sera alors ouvert pendant " + strconv.Itoa(od.VotingHours) + " heures. Contribuez et répondez sur le portail : " +
				"chaque contribution est communiquée à tous les membres."
		})
		if err != nil {
			return err
		}
		sent, err = j.Notifier.sendTx(ctx, tx, n, accounts(us), now)
		return err
	})
	return sent, err
}

// close closes d's vote and sends the results to its participants (art. 6), in one
// transaction.
func (j *Deliberations) close(ctx context.Context, d *sitting.WrittenDeliberation, now time.Time) (int, error) {
	sent := 0
	err := models.InTx(ctx, j.DB, func(ctx context.Context, tx bun.Tx) error {
		v, ok, err := sitting.CloseScheduledVote(ctx, tx, d.CommissionID, d.ID, models.SystemActor("jobs"), now)
		if err != nil || !ok {
			return err
		}
		us, err := sitting.DeliberationParticipants(ctx, tx, d.CommissionID, d.ID)
		if err != nil {
			return err
		}
		result := fmt.Sprintf("\n\nQuestion : %s\nRésultat : %s\nPour : %d — Contre : %d — Abstentions : %d\nMembres ayant pris part : %d sur %d.",
			v.Question, v.ResultLabel(), v.Yes, v.No, v.Abstentions, v.Participants, v.Members)
		if v.Avis != "" {
			result += "\nAvis de la commission : " + v.Avis.Label() + "."
		}
		n, err := j.noticeTx(ctx, tx, d, "deliberation-result", "Résultat de la délibération écrite", func(title string) string {
			return "La délibération électronique écrite sur le point « " + title + " » est close (décret n° 2014-1627, art. 6)." + result
		})
		if err != nil {
			return err
		}
		sent, err = j.Notifier.sendTx(ctx, tx, n, accounts(us), now)
		return err
	})
	return sent, err
}

// notice is a notice about d.
func (j *Deliberations) notice(d *sitting.WrittenDeliberation, kind, subject, text string) notice {
	id := strconv.FormatInt(d.ID, 10)
	return notice{CommissionID: d.CommissionID, Kind: kind, Object: "deliberation:" + id, Subject: subject, Text: text,
		Link: "/deliberations/" + id}
}

// noticeTx is notice with the item's title, read in tx, in the subject and the text.
func (j *Deliberations) noticeTx(ctx context.Context, tx bun.Tx, d *sitting.WrittenDeliberation, kind, subject string, text func(title string) string) (notice, error) {
	title, err := j.title(ctx, tx, d)
	if err != nil {
		return notice{}, err
	}
	return j.notice(d, kind, subject+" — "+title, text(title)), nil
}

// title is the title of d's agenda item.
func (j *Deliberations) title(ctx context.Context, db bun.IDB, d *sitting.WrittenDeliberation) (string, error) {
	item, err := sitting.FindSittingItem(ctx, db, d.CommissionID, d.AgendaItemID)
	if err != nil {
		return "", err
	}
	return item.Title, nil
}

func (j *Deliberations) when(t time.Time) string {
	return t.In(j.Location).Format("02/01/2006 à 15h04")
}
