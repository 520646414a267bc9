// Package home serves the dashboard each role lands on after signing in: what waits for
// the signed-in person, soonest first, each item linked to its page.
package home

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
	"seance/models/dashboard"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/minutes"
	retentionmodel "seance/models/retention"
)

// Handler serves the dashboard.
type Handler struct {
	DB       *bun.DB
	Now      func() time.Time
	Location *time.Location // the portal's zone, for dates

	// retention keeps, by commission and day, the files the retention panel counts:
	// computing them reads every file and parcours of the persons that may fall due
	// (issue 17), and the answer changes only with the data or the day.
	retention *models.Memo[retentionKey, []retentionmodel.RetentionFile]
	// boards keeps the dashboards (boardOf) until the next write, by the minute.
	boards *models.Memo[boardKey, []Panel]
}

// boardKey is what a dashboard depends on besides the data: the role, the commission,
// the association or the user whose work it lists, and the minute (sessions start,
// and votes and debates close, on the minute).
type boardKey struct {
	role                  models.Role
	cid, association, uid int64
	minute                time.Time
}

// boardOf returns the key of u's dashboard at now. The secretariat's is the same for
// all its readers, an association's for all its accounts; the others hold what the
// user must answer (convocations, votes, procès-verbaux), their own.
func boardOf(u *models.User, now time.Time) boardKey {
	k := boardKey{role: u.Role, cid: u.CommissionIDOrZero(), minute: now.Truncate(time.Minute)}
	switch {
	case u.Role == models.RoleSecretariat:
	case u.Role == models.RoleAssociation && u.AssociationID != nil:
		k.association = *u.AssociationID
	default:
		k.uid = u.ID
	}
	return k
}

type retentionKey struct {
	cid int64
	day time.Time
}

// NewHandler returns the dashboard's handler on db; the retention panel is computed
// again after each write w counts, and at least every maxAge.
func NewHandler(db *bun.DB, now func() time.Time, loc *time.Location, w *models.Writes, maxAge time.Duration) *Handler {
	return &Handler{DB: db, Now: now, Location: loc,
		retention: models.NewMemo[retentionKey, []retentionmodel.RetentionFile](w, maxAge),
		boards:    models.NewMemo[boardKey, []Panel](w, maxAge)}
}

// Item is one thing listed in a panel, linked to its page.
type Item struct {
	Text string
	Link string
}

// Panel is one block of the dashboard.
type Panel struct {
	Title string
	Text  string
	Items []Item
	Link  string
	Label string
}

// Dashboard shows the panels of the signed-in user's role.
func (h *Handler) Dashboard(c *fiber.Ctx) error {
	u := web.User(c)
	b := &board{h: h, ctx: c.UserContext(), u: u, now: h.Now()}
	build := func() ([]Panel, error) {
		var panels []Panel
		switch u.Role {
		case models.RoleMember:
			panels = b.member()
		case models.RolePresident:
			panels = b.president()
		case models.RoleSecretariat:
			panels = b.secretariat()
		case models.RoleAssociation:
			panels = b.association()
		default:
			panels = staticPanels(u.Role)
		}
		// What waits comes first; the panels with nothing to do keep their order after it.
		slices.SortStableFunc(panels, func(a, b Panel) int { return cmp.Compare(min(len(b.Items), 1), min(len(a.Items), 1)) })
		return panels, b.err
	}
	panels, err := h.boards.Get(boardOf(u, b.now), b.now, build)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Tableau de bord", "Panels": panels}
	if u.Role == models.RoleAdmin || u.Role == models.RoleRegion {
		cs, err := models.ListCommissions(c.UserContext(), h.DB, u.Region)
		if err != nil {
			return err
		}
		data["Commissions"] = cs
	}
	return web.Render(c, "home/index", data)
}

// staticPanels are the dashboards of the roles with no work queue: links to their pages.
func staticPanels(r models.Role) []Panel {
	switch r {
	case models.RolePrefecture:
		return []Panel{
			{Title: "Statistiques annuelles", Text: "Chiffres clés, graphiques et tableaux de l'année, avec le secret statistique appliqué aux petits effectifs.", Link: "/statistiques", Label: "Voir les statistiques"},
			{Title: "Rapports annuels", Text: "Le rapport annuel de la commission au format Excel, année par année ; l'année en cours est provisoire.", Link: "/statistiques/rapports", Label: "Télécharger les rapports"},
			{Title: "Procès-verbaux", Text: "Les procès-verbaux approuvés des séances de la commission.", Link: "/seances", Label: "Voir les séances"},
		}
	case models.RoleRegion:
		return []Panel{
			{Title: "Statistiques régionales", Text: "Les commissions départementales de votre région côte à côte, puis leurs totaux : chiffres clés, graphiques et tableaux, avec le secret statistique.", Link: "/statistiques/region", Label: "Voir les statistiques régionales"},
			{Title: "Rapport annuel consolidé", Text: "Le classeur Excel de la région, année par année : comparaison des départements, puis une feuille par thème ; l'année en cours est provisoire.", Link: "/statistiques/region", Label: "Choisir l'année et télécharger"},
		}
	case models.RoleAdmin:
		return []Panel{
			{Title: "Commissions", Text: "Créez une commission départementale et ses paramètres, puis nommez son secrétariat.", Link: "/admin/commissions", Label: "Gérer les commissions"},
			{Title: "Comptes", Text: "Créez les comptes, changez un rôle, désactivez ou réactivez un compte.", Link: "/admin/comptes", Label: "Gérer les comptes"},
			{Title: "Statistiques consolidées", Text: "Les commissions de chaque région, ou de tout le portail, côte à côte et totalisées, avec le secret statistique.", Link: "/statistiques/region", Label: "Voir les statistiques"},
			{Title: "Journal d'audit", Text: "Qui a fait quoi, sur quel objet : filtrez, exportez, et vérifiez l'intégrité de la chaîne.", Link: "/admin/audit", Label: "Ouvrir le journal"},
		}
	}
	return nil
}

// board builds one dashboard; the first error stops the queries and is returned.
type board struct {
	h   *Handler
	ctx context.Context
	u   *models.User
	now time.Time
	err error
}

// list runs one of the dashboard queries unless an earlier one failed.
func (b *board) list(f func() (dashboard.DueList, error)) dashboard.DueList {
	if b.err != nil {
		return dashboard.DueList{}
	}
	l, err := f()
	b.err = err
	return l
}

func (b *board) day(t time.Time) string     { return t.In(b.h.Location).Format("02/01/2006") }
func (b *board) dayTime(t time.Time) string { return t.In(b.h.Location).Format("02/01/2006 à 15:04") }

// more says how many items the list leaves out.
func more(l dashboard.DueList, p *Panel) {
	if n := l.Count - len(l.Items); n > 0 {
		p.Text += fmt.Sprintf(" Les %d autres sont listés sur la page liée.", n)
	}
}

func (b *board) member() []Panel {
	return b.voter(nil)
}

// voter is what waits for anyone who votes: ballots, written deliberations,
// convocations to answer and procès-verbaux submitted for approval; extra panels come
// after the convocations.
func (b *board) voter(extra []Panel) []Panel {
	ctx, db, u := b.ctx, b.h.DB, b.u
	votes := b.list(func() (dashboard.DueList, error) { return dashboard.OpenVotesAwaiting(ctx, db, u, b.now) })
	p := Panel{Title: "Mes votes", Link: "/votes", Label: "Voir mes votes", Text: "Aucun vote n'attend votre bulletin."}
	if votes.Count > 0 {
		p.Text = plural(votes.Count, "vote ouvert attend", "votes ouverts attendent") + " votre bulletin."
		for _, it := range votes.Items {
			// A vote with a closing time (written deliberation) is listed by it.
			when := " — ouvert depuis le " + b.dayTime(it.At)
			if it.At.After(b.now) {
				when = " — à voter avant le " + b.dayTime(it.At)
			}
			p.Items = append(p.Items, Item{Text: it.Label + when, Link: "/votes"})
		}
		more(votes, &p)
	}
	panels := []Panel{p, b.convocations()}
	panels = append(panels, extra...)
	if d := b.deliberations(); d != nil {
		panels = append(panels, *d)
	}
	if u.Role == models.RoleMember {
		pv := b.list(func() (dashboard.DueList, error) {
			return dashboard.MinutesWaiting(ctx, db, u, minutes.MinutesSubmitted)
		})
		if pv.Count > 0 {
			p := Panel{Title: "Procès-verbaux à approuver", Link: "/seances", Label: "Calendrier des séances",
				Text: plural(pv.Count, "procès-verbal est soumis", "procès-verbaux sont soumis") + " à l'approbation d'une séance à laquelle vous êtes convoqué(e) : lisez-le avant la séance."}
			for _, it := range pv.Items {
				p.Items = append(p.Items, Item{Text: "Procès-verbal de la séance du " + b.day(it.At), Link: fmt.Sprintf("/seances/%d/pv", it.MeetingID)})
			}
			more(pv, &p)
			panels = append(panels, p)
		}
	}
	return panels
}

// convocations lists every session to come the user is convened to, soonest first,
// with their reply.
func (b *board) convocations() Panel {
	p := Panel{Title: "Mes convocations", Link: "/seances", Label: "Calendrier des séances", Text: "Vous n'avez pas de convocation pour une séance à venir."}
	if b.err != nil {
		return p
	}
	rs, err := meetings.MyConvocations(b.ctx, b.h.DB, b.u.CommissionIDOrZero(), b.u.ID, b.now)
	if err != nil {
		b.err = err
		return p
	}
	if len(rs) == 0 {
		return p
	}
	unanswered, answerable := 0, 0
	for i := range rs {
		r := &rs[i]
		text := fmt.Sprintf("%s le %s — votre réponse : %s", r.Meeting.Title(), b.dayTime(r.Meeting.StartsAt), r.Status.Label())
		switch {
		case r.Kind == meetings.RecipientSuppleant:
			text = fmt.Sprintf("%s le %s — pour information (suppléant) ; réponse de votre titulaire : %s", r.Meeting.Title(), b.dayTime(r.Meeting.StartsAt), r.Status.Label())
		case r.Kind == meetings.RecipientPresident:
			// The chair holds no seat: there is no answer to give.
			text = fmt.Sprintf("%s le %s — vous présidez la séance", r.Meeting.Title(), b.dayTime(r.Meeting.StartsAt))
		default:
			answerable++
			if r.Status == meetings.AttNoReply {
				unanswered++
			}
		}
		p.Items = append(p.Items, Item{Text: text, Link: fmt.Sprintf("/seances/%d", r.Meeting.ID)})
	}
	p.Text = plural(len(rs), "séance à venir", "séances à venir") + " : vous avez répondu à chaque convocation."
	if answerable == 0 {
		p.Text = plural(len(rs), "séance à venir", "séances à venir") + "."
	}
	if unanswered > 0 {
		p.Text = plural(len(rs), "séance à venir", "séances à venir") + fmt.Sprintf(" ; %s.", plural(unanswered, "convocation attend votre réponse", "convocations attendent votre réponse"))
	}
	return p
}

// deliberations is the panel of the written deliberations under way, nil when none.
func (b *board) deliberations() *Panel {
	ds := b.list(func() (dashboard.DueList, error) { return dashboard.WrittenDeliberations(b.ctx, b.h.DB, b.u) })
	if ds.Count == 0 {
		return nil
	}
	p := &Panel{Title: "Délibérations écrites", Text: plural(ds.Count, "délibération écrite est en cours", "délibérations écrites sont en cours") + "."}
	for _, it := range ds.Items {
		p.Items = append(p.Items, Item{Text: it.Label + " — échanges jusqu'au " + b.dayTime(it.At), Link: fmt.Sprintf("/deliberations/%d", it.ID)})
	}
	more(ds, p)
	return p
}

func (b *board) president() []Panel {
	ctx, db, u := b.ctx, b.h.DB, b.u
	cid := u.CommissionIDOrZero()
	drafts := b.list(func() (dashboard.DueList, error) { return dashboard.MinutesWaiting(ctx, db, u, minutes.MinutesDraft) })
	pv := Panel{Title: "Procès-verbaux à valider", Link: "/seances", Label: "Calendrier des séances", Text: "Aucun procès-verbal n'attend votre validation."}
	if drafts.Count > 0 {
		pv.Text = plural(drafts.Count, "procès-verbal préparé attend", "procès-verbaux préparés attendent") + " votre validation."
		for _, it := range drafts.Items {
			pv.Items = append(pv.Items, Item{Text: "Séance du " + b.day(it.At), Link: fmt.Sprintf("/seances/%d/pv", it.MeetingID)})
		}
		more(drafts, &pv)
	}
	open := b.list(func() (dashboard.DueList, error) { return dashboard.OpenVotes(ctx, db, cid) })
	underway := b.list(func() (dashboard.DueList, error) { return dashboard.SessionsUnderway(ctx, db, cid) })
	votes := Panel{Title: "Votes à ouvrir ou à clore", Link: "/sitting", Label: "Tenue des séances", Text: "Aucune séance n'est en cours et aucun vote n'est ouvert."}
	if open.Count+underway.Count > 0 {
		votes.Text = plural(underway.Count, "séance en cours", "séances en cours") + " ; " + plural(open.Count, "vote ouvert à clore", "votes ouverts à clore") + "."
		for _, it := range underway.Items {
			votes.Items = append(votes.Items, Item{Text: "Séance du " + b.dayTime(it.At) + " en cours : ouvrir les votes", Link: fmt.Sprintf("/sitting/%d", it.MeetingID)})
		}
		for _, it := range open.Items {
			when := " — vote ouvert le " + b.dayTime(it.At)
			if it.At.After(b.now) {
				when = " — vote ouvert jusqu'au " + b.dayTime(it.At)
			}
			votes.Items = append(votes.Items, Item{Text: it.Label + when, Link: fmt.Sprintf("/sitting/%d", it.MeetingID)})
		}
	}
	convene := b.toConvene("Séances à convoquer")
	panels := b.voter([]Panel{b.upcoming(), pv, votes, convene})
	return append(panels, b.filePanels(nil)...)
}

// toConvene lists the planned sessions no convocation was sent for.
func (b *board) toConvene(title string) Panel {
	l := b.list(func() (dashboard.DueList, error) {
		return dashboard.SessionsToConvene(b.ctx, b.h.DB, b.u.CommissionIDOrZero(), b.now)
	})
	p := Panel{Title: title, Link: "/seances", Label: "Calendrier des séances", Text: "Toutes les séances planifiées ont leur convocation."}
	if l.Count > 0 {
		p.Text = plural(l.Count, "séance planifiée n'a", "séances planifiées n'ont") + " pas encore de convocation."
		for _, it := range l.Items {
			p.Items = append(p.Items, Item{Text: "Séance du " + b.dayTime(it.At), Link: fmt.Sprintf("/seances/%d", it.MeetingID)})
		}
		more(l, &p)
	}
	return p
}

// upcoming is the panel of the next sessions of the commission.
func (b *board) upcoming() Panel {
	p := Panel{Title: "Prochaines séances", Link: "/seances", Label: "Calendrier des séances", Text: "Aucune séance n'est planifiée pour l'instant."}
	if b.err != nil {
		return p
	}
	ms, err := meetings.UpcomingMeetings(b.ctx, b.h.DB, b.u, b.now, 3)
	if err != nil {
		b.err = err
		return p
	}
	if len(ms) > 0 {
		p.Text = "Les prochaines séances de la commission :"
	}
	for i := range ms {
		m := &ms[i]
		p.Items = append(p.Items, Item{Text: fmt.Sprintf("%s le %s — %s", m.Title(), b.dayTime(m.StartsAt), m.Status.Label()), Link: fmt.Sprintf("/seances/%d", m.ID)})
	}
	return p
}

func (b *board) secretariat() []Panel {
	panels := []Panel{b.upcoming(), b.toConvene("Séances sans convocation")}
	failed := Panel{Title: "Courriels en échec", Link: "/courriels/echecs", Label: "Voir les courriels en échec", Text: "Aucun courriel n'a échoué."}
	if b.err == nil {
		n, err := models.CountFailedOutbox(b.ctx, b.h.DB, b.u.CommissionIDOrZero(), false)
		b.err = err
		if n > 0 {
			failed.Text = plural(n, "courriel n'a pas pu être remis : vérifiez l'adresse puis renvoyez-le.", "courriels n'ont pas pu être remis : vérifiez les adresses puis renvoyez-les.")
		}
	}
	panels = b.filePanels(panels)
	return append(panels, failed, b.retention(),
		Panel{Title: "Journal d'audit", Text: "Qui a fait quoi, sur quel objet : filtrez, exportez, et vérifiez l'intégrité de la chaîne.", Link: "/admin/audit", Label: "Ouvrir le journal"})
}

// retention counts the files anonymised within models.RetentionPreviewDays days.
func (b *board) retention() Panel {
	p := Panel{Title: "Conservation des dossiers", Link: "/conservation", Label: "Voir les dossiers à anonymiser",
		Text: fmt.Sprintf("Aucun dossier ne sera anonymisé dans les %d jours.", retentionmodel.RetentionPreviewDays)}
	if b.err != nil {
		return p
	}
	cid := b.u.CommissionIDOrZero()
	fs, err := b.h.retention.Get(retentionKey{cid, models.CalendarDay(b.now)}, b.now, func() ([]retentionmodel.RetentionFile, error) {
		return retentionmodel.RetentionPreview(b.ctx, b.h.DB, b.u, cid, b.now)
	})
	b.err = err
	if len(fs) > 0 {
		p.Text = plural(len(fs), "dossier sera anonymisé", "dossiers seront anonymisés") +
			fmt.Sprintf(" dans les %d jours, au terme de la durée de conservation.", retentionmodel.RetentionPreviewDays)
	}
	return p
}

// renewalDays is how far ahead the dashboard looks for periods of rights to renew.
const renewalDays = 60

// renewals lists the parcours whose rights end within renewalDays with no request.
func (b *board) renewals() Panel {
	until := files.DateOf(b.now).AddDate(0, 0, renewalDays+1)
	l := b.list(func() (dashboard.DueList, error) { return dashboard.RenewalsDueFor(b.ctx, b.h.DB, b.u, until) })
	p := Panel{Title: "Renouvellements à préparer", Link: fmt.Sprintf("/parcours?echeance=%d", renewalDays), Label: "Voir les parcours",
		Text: fmt.Sprintf("Aucun parcours n'arrive à échéance dans les %d jours sans demande de renouvellement.", renewalDays)}
	if l.Count > 0 {
		p.Text = plural(l.Count, "parcours arrive", "parcours arrivent") + fmt.Sprintf(" à échéance dans les %d jours sans demande de renouvellement en cours.", renewalDays)
		for _, it := range l.Items {
			end := "fin des droits le "
			if it.At.Before(files.DateOf(b.now)) {
				end = "droits échus depuis le "
			}
			p.Items = append(p.Items, Item{Text: fmt.Sprintf("Parcours n° %d — %s%s", it.ID, end, it.At.Format("02/01/2006")), Link: fmt.Sprintf("/parcours/%d", it.ID)})
		}
		more(l, &p)
	}
	return p
}

// filePanels appends the file panels of the secretariat, the president and an
// association, with the counts of one GROUP BY.
func (b *board) filePanels(panels []Panel) []Panel {
	if b.err != nil {
		return panels
	}
	count, err := dashboard.FileStateCounts(b.ctx, b.h.DB, b.u)
	if err != nil {
		b.err = err
		return panels
	}
	switch b.u.Role {
	case models.RoleAssociation:
		inProgress := count[files.StateSubmitted] + count[files.StateAdmissible] + count[files.StateScheduled] + count[files.StateExamined]
		mine := Panel{Title: "Mes dossiers", Link: "/dossiers", Label: "Voir mes dossiers",
			Text: fmt.Sprintf("%s, %s, %s.", plural(count[files.StateDraft], "brouillon", "brouillons"),
				plural(inProgress, "dossier en cours d'instruction", "dossiers en cours d'instruction"), plural(count[files.StateDecided], "dossier décidé", "dossiers décidés"))}
		complete := Panel{Title: "Dossiers à compléter", Link: "/dossiers?etat=incomplete", Label: "Compléter", Text: "Aucun dossier n'attend de complément."}
		if n := count[files.StateIncomplete]; n > 0 {
			complete.Text = plural(n, "dossier déclaré incomplet attend", "dossiers déclarés incomplets attendent") + " vos compléments."
			b.fileItems(&complete, files.StateIncomplete)
		}
		if n := count[files.StateDraft]; n > 0 {
			complete.Text += " " + plural(n, "brouillon n'est pas encore déposé.", "brouillons ne sont pas encore déposés.")
		}
		return append(panels, mine, complete, b.renewals(),
			Panel{Title: "Nouvelle demande", Text: "Engagement, renouvellement, fin, suspension ou AFIS : préparez une demande en quatre étapes, enregistrée à chaque étape.", Link: "/dossiers/nouveau", Label: "Nouvelle demande"})
	case models.RoleSecretariat:
		incoming := Panel{Title: "Dossiers à vérifier", Link: "/dossiers/arrivee", Label: "Vérifier la recevabilité",
			Text: plural(count[files.StateSubmitted], "dossier déposé attend", "dossiers déposés attendent") + " la vérification de recevabilité."}
		incomplete := Panel{Title: "Dossiers incomplets", Link: "/dossiers?etat=incomplete", Label: "Voir les dossiers incomplets",
			Text: plural(count[files.StateIncomplete], "dossier déclaré incomplet attend", "dossiers déclarés incomplets attendent") + " les compléments de l'association."}
		if count[files.StateSubmitted] > 0 {
			b.fileItems(&incoming, files.StateSubmitted)
		}
		if count[files.StateIncomplete] > 0 {
			b.fileItems(&incomplete, files.StateIncomplete)
		}
		panels = append(panels, incoming, incomplete)
	}
	return append(panels,
		Panel{Title: "Dossiers à examiner", Link: "/dossiers?etat=admissible", Label: "Voir les dossiers recevables",
			Text: plural(count[files.StateAdmissible], "dossier recevable attend", "dossiers recevables attendent") + " l'inscription à l'ordre du jour."},
		b.renewals())
}

// fileItems lists on p the files in state st, the longest waiting first, each linked
// to its page.
func (b *board) fileItems(p *Panel, st files.State) {
	l := b.list(func() (dashboard.DueList, error) { return dashboard.FilesInState(b.ctx, b.h.DB, b.u, st) })
	for _, it := range l.Items {
		p.Items = append(p.Items, Item{Text: "Dossier " + it.Label + " — déposé le " + b.day(it.At), Link: fmt.Sprintf("/dossiers/%d", it.ID)})
	}
	more(l, p)
}

func (b *board) association() []Panel { return b.filePanels(nil) }

// plural writes "1 dossier", "0 dossier" or "3 dossiers".
func plural(n int, one, many string) string {
	if n > 1 {
		return fmt.Sprintf("%d %s", n, many)
	}
	return fmt.Sprintf("%d %s", n, one)
}
