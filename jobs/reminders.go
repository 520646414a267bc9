package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/registry"
)

// ConvocationFollowUp reminds, the day before a session, the convened members who
// have not answered, and tells the chair and the secretariat, from two days before,
// when the expected attendance does not reach the quorum (models.LoadReplies).
// Cancelled sessions are not convened any more: nothing is sent for them.
type ConvocationFollowUp struct {
	Notices
	Location *time.Location
}

// Notices are the dependencies of the jobs that send notices.
type Notices struct {
	DB       *bun.DB
	Notifier *Notifier
	Now      func() time.Time
}

// Name names the job.
func (j *ConvocationFollowUp) Name() string { return "convocations" }

// Run sends the notices due; the items are the notices sent.
func (j *ConvocationFollowUp) Run(ctx context.Context) error {
	now := j.Now()
	today := models.CalendarDay(now)
	ms, err := meetings.UpcomingConvenedMeetings(ctx, j.DB, now, now.Add(4*24*time.Hour))
	if err != nil {
		return err
	}
	for i := range ms {
		m := &ms[i]
		days := daysBetween(today, models.CalendarDay(m.StartsAt))
		if days < 1 || days > 2 {
			continue
		}
		n, err := j.meeting(ctx, m, days, now)
		Handled(ctx, n)
		if err != nil {
			return err
		}
	}
	return nil
}

func (j *ConvocationFollowUp) meeting(ctx context.Context, m *meetings.Meeting, days int, now time.Time) (int, error) {
	sum, err := meetings.LoadReplies(ctx, j.DB, m.CommissionID, m.ID)
	if err != nil {
		return 0, err
	}
	when := m.StartsAt.In(j.Location).Format("02/01/2006 à 15h04")
	object, occurrence := "meeting:"+strconv.FormatInt(m.ID, 10), "on:"+m.StartsAt.UTC().Format("2006-01-02T15:04")
	link := "/seances/" + strconv.FormatInt(m.ID, 10)
	sent := 0
	if days == 1 {
		waiting := map[int64]bool{}
		for _, r := range sum.Rows {
			if r.Status == meetings.AttNoReply && r.TitulaireID != 0 {
				waiting[r.TitulaireID] = true
			}
		}
		convened, err := meetings.ConvenedUsers(ctx, j.DB, m.CommissionID, m.ID)
		if err != nil {
			return 0, err
		}
		var to []recipient
		for _, r := range convened {
			if r.Kind == meetings.RecipientTitulaire && waiting[r.UserID] && r.User != nil && r.User.Active {
				to = append(to, recipient{UserID: &r.User.ID, Email: r.User.Email})
			}
		}
		n, err := j.Notifier.send(ctx, notice{
			CommissionID: m.CommissionID, Kind: "convocation-reminder", Object: object, Occurrence: occurrence, Link: link,
			Subject: "Séance : rappel, répondez à la convocation du " + when,
			Text: "Vous êtes convoqué(e) à la séance « " + m.Title() + " » du " + when + " et vous n'avez pas encore indiqué " +
				"si vous y serez présent(e), représenté(e) ou remplacé(e) par votre suppléant(e).\n" +
				"Merci de répondre sur la page de la séance : votre réponse permet de savoir si le quorum sera atteint.",
		}, to, now)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	if sum.Reached() {
		return sent, nil
	}
	staff, err := models.ActiveUsersWithRole(ctx, j.DB, m.CommissionID, models.RolePresident, models.RoleSecretariat)
	if err != nil {
		return sent, err
	}
	n, err := j.Notifier.send(ctx, notice{
		CommissionID: m.CommissionID, Kind: "quorum-at-risk", Object: object, Occurrence: occurrence, Link: link + "/reponses",
		Subject: "Séance du " + when + " : quorum non atteint à ce jour",
		Text: fmt.Sprintf("D'après les réponses à la convocation, %d membre(s) seront présents ou représentés à la séance « %s » du %s, "+
			"pour un quorum de %d (%d sans réponse).\n"+
			"Vous pouvez relancer les membres, ou prévoir une seconde convocation, qui ne requiert pas de quorum (art. R133-10).",
			sum.Expected(), m.Title(), when, sum.Required, sum.NoReply),
	}, accounts(staff), now)
	return sent + n, err
}

// renewalStages are the notices before the end of a period of rights, widest first.
var renewalStages = []int{45, 15}

// Renewals tells the association following a parcours and the secretariat when the
// current period of rights ends within 45 days and no renewal (or end) request is
// under way, and again at 15 days. Ended, suspended and lapsed parcours get nothing:
// a lapsed one shows « Période échue » on its page.
type Renewals struct{ Notices }

// Name names the job.
func (j *Renewals) Name() string { return "renewals" }

// Run sends the notices due; the items are the notices sent.
func (j *Renewals) Run(ctx context.Context) error {
	now := j.Now()
	today := models.CalendarDay(now)
	return eachCommission(ctx, j.DB, func(cid int64) (int, error) {
		ss, err := files.RenewalsDue(ctx, j.DB, cid, today.AddDate(0, 0, renewalStages[0]+1), now)
		if err != nil {
			return 0, err
		}
		sent := 0
		for i := range ss {
			n, err := j.parcours(ctx, &ss[i], today, now)
			sent += n
			if err != nil {
				return sent, err
			}
		}
		return sent, nil
	})
}

// eachCommission calls fn for every commission, counting the notices it sent.
func eachCommission(ctx context.Context, db bun.IDB, fn func(cid int64) (int, error)) error {
	cs, err := models.ListCommissions(ctx, db, "")
	if err != nil {
		return err
	}
	for _, c := range cs {
		n, err := fn(c.ID)
		Handled(ctx, n)
		if err != nil {
			return err
		}
	}
	return nil
}

func (j *Renewals) parcours(ctx context.Context, s *files.ParcoursSummary, today, now time.Time) (int, error) {
	last := s.LastPeriod()
	if s.Status != files.ParcoursActive || s.PendingFile != "" || last == nil {
		return 0, nil
	}
	left := daysBetween(today, s.RenewalDueOn)
	stage := 0
	for _, st := range renewalStages {
		if left >= 0 && left <= st {
			stage = st
		}
	}
	if stage == 0 {
		return 0, nil
	}
	to, err := j.association(ctx, s)
	if err != nil {
		return 0, err
	}
	staff, err := models.ActiveUsersWithRole(ctx, j.DB, s.CommissionID, models.RoleSecretariat)
	if err != nil {
		return 0, err
	}
	id := strconv.FormatInt(s.ID, 10)
	lastDay := frDay(s.RenewalDueOn.AddDate(0, 0, -1))
	return j.Notifier.send(ctx, notice{
		CommissionID: s.CommissionID, Kind: "renewal-" + strconv.Itoa(stage), Object: "parcours:" + id,
		Occurrence: "period:" + strconv.Itoa(last.Seq), Link: "/parcours/" + id,
		Subject: fmt.Sprintf("Parcours %s : la période de droits s'achève le %s", s.Reference, lastDay),
		Text: fmt.Sprintf("La période de droits n° %d du parcours %s s'achève le %s (%s) et aucune demande de "+
			"renouvellement n'a été déposée.\nSans renouvellement examiné par la commission avant cette date, les droits de la "+
			"personne (autorisation provisoire de séjour, AFIS) prendront fin et le parcours apparaîtra « échu ».",
			last.Seq, s.Reference, lastDay, inDays(left)),
	}, append(to, accounts(staff)...), now)
}

// inDays says in French when a day comes, left (≥ 1) days from today.
func inDays(left int) string {
	if left == 1 {
		return "demain"
	}
	return fmt.Sprintf("dans %d jours", left)
}

// association returns the active accounts of the association following s, or its
// contact address when it has none.
func (j *Renewals) association(ctx context.Context, s *files.ParcoursSummary) ([]recipient, error) {
	us, err := models.ActiveUsersWithRole(ctx, j.DB, s.CommissionID, models.RoleAssociation)
	if err != nil {
		return nil, err
	}
	var to []recipient
	for _, r := range accounts(us) {
		for _, u := range us {
			if u.ID == *r.UserID && u.AssociationID != nil && *u.AssociationID == s.AssociationID {
				to = append(to, r)
			}
		}
	}
	if len(to) > 0 {
		return to, nil
	}
	a, err := registry.FindAssociation(ctx, j.DB, s.CommissionID, s.AssociationID)
	if err != nil {
		return nil, err
	}
	if a.ContactEmail != "" {
		to = append(to, recipient{Email: a.ContactEmail})
	}
	return to, nil
}

// termsWindow is how long before their end terms and agréments are announced.
const termsWindow = 90 * 24 * time.Hour

// Terms tells the secretariat of the members' terms of office and the associations'
// agréments ending within 90 days, once per term or agrément end.
type Terms struct{ Notices }

// Name names the job.
func (j *Terms) Name() string { return "terms" }

// Run sends the notices due; the items are the notices sent.
func (j *Terms) Run(ctx context.Context) error {
	now := j.Now()
	return eachCommission(ctx, j.DB, func(cid int64) (int, error) { return j.commission(ctx, cid, now) })
}

func (j *Terms) commission(ctx context.Context, cid int64, now time.Time) (int, error) {
	us, err := models.ActiveUsersWithRole(ctx, j.DB, cid, models.RoleSecretariat)
	if err != nil || len(us) == 0 {
		return 0, err
	}
	staff := accounts(us)
	ms, err := registry.TermsEndingWithin(ctx, j.DB, cid, now, termsWindow)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range ms {
		who, seat := "", ""
		if m.User != nil {
			who = m.User.Name
		}
		if m.Seat != nil {
			seat = m.Seat.Label()
		}
		n, err := j.Notifier.send(ctx, notice{
			CommissionID: cid, Kind: "term-90", Object: "mandate:" + strconv.FormatInt(m.ID, 10),
			Occurrence: "ends:" + m.TermEndsOn.Format("2006-01-02"), Link: "/composition",
			Subject: "Composition : un mandat s'achève le " + frDay(m.TermEndsOn),
			Text: fmt.Sprintf("Le mandat de %s (%s, %s) s'achève le %s.\nPensez à faire renouveler la désignation par arrêté, "+
				"ou à désigner un successeur, avant cette date.", who, m.Kind.Label(), seat, frDay(m.TermEndsOn)),
		}, staff, now)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	as, err := registry.ListAssociationStatuses(ctx, j.DB, cid, now)
	if err != nil {
		return sent, err
	}
	for _, a := range as {
		if a.Expired || a.AgrementEnds.After(now.Add(termsWindow)) {
			continue
		}
		last := frDay(a.AgrementEnds.AddDate(0, 0, -1))
		n, err := j.Notifier.send(ctx, notice{
			CommissionID: cid, Kind: "agrement-90", Object: "association:" + strconv.FormatInt(a.ID, 10),
			Occurrence: "ends:" + a.AgrementEnds.Format("2006-01-02"), Link: "/associations",
			Subject: "Associations : l'agrément de « " + a.Name + " » expire le " + last,
			Text: "L'agrément préfectoral de l'association « " + a.Name + " » (" + a.AgrementArrete + ") est valable jusqu'au " + last + ".\n" +
				"Sans renouvellement, elle ne pourra plus présenter de dossiers à la commission.",
		}, staff, now)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
