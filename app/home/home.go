// Package home serves the dashboard each role lands on after signing in.
package home

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
)

// Handler serves the dashboard.
type Handler struct {
	DB       *bun.DB
	Now      func() time.Time
	Location *time.Location // the portal's zone, for dates
}

// Panel is one block of the dashboard.
type Panel struct {
	Title string
	Text  string
	Link  string
	Label string
}

// Dashboard shows the panels of the signed-in user's role.
func (h *Handler) Dashboard(c *fiber.Ctx) error {
	u := web.User(c)
	panels := panelsFor(u.Role)
	if u.Role == models.RoleAssociation || u.Role == models.RoleSecretariat || u.Role == models.RolePresident {
		var err error
		if panels, err = h.filePanels(c, u, panels); err != nil {
			return err
		}
	}
	if err := h.sessionPanels(c, u, panels); err != nil {
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

func panelsFor(r models.Role) []Panel {
	switch r {
	case models.RoleSecretariat, models.RolePresident:
		return []Panel{
			{Title: "Prochaines séances", Text: "Aucune séance n'est planifiée pour l'instant."},
			{Title: "Dossiers à examiner", Text: "Aucun dossier recevable n'est en attente d'inscription à l'ordre du jour."},
			{Title: "Journal d'audit", Text: "Consultez les dernières opérations et vérifiez l'intégrité du journal.", Link: "/admin/audit", Label: "Ouvrir le journal"},
		}
	case models.RoleMember:
		return []Panel{
			{Title: "Mes convocations", Text: "Vous n'avez pas de convocation en cours."},
			{Title: "Mes votes", Text: "Aucun vote n'est ouvert."},
		}
	case models.RoleAssociation:
		return []Panel{
			{Title: "Mes dossiers", Text: "Aucun dossier en cours."},
			{Title: "Renouvellements à préparer", Text: "Aucun parcours n'arrive à échéance prochainement."},
		}
	case models.RolePrefecture:
		return []Panel{
			{Title: "Statistiques annuelles", Text: "Chiffres clés, graphiques et tableaux de l'année, avec le secret statistique appliqué aux petits effectifs.", Link: "/statistiques", Label: "Voir les statistiques"},
			{Title: "Rapports annuels", Text: "Le rapport annuel de la commission au format Excel, année par année ; l'année en cours est provisoire.", Link: "/statistiques/rapports", Label: "Télécharger les rapports"},
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
			{Title: "Journal d'audit", Text: "Vérifiez l'intégrité de la chaîne d'audit.", Link: "/admin/audit", Label: "Ouvrir le journal"},
		}
	}
	return nil
}

// sessionPanels fills the "Prochaines séances" and "Mes convocations" panels.
func (h *Handler) sessionPanels(c *fiber.Ctx, u *models.User, panels []Panel) error {
	now := h.Now()
	at := func(m *models.Meeting) string {
		return m.StartsAt.In(h.Location).Format("02/01/2006 à 15:04")
	}
	for i := range panels {
		switch panels[i].Title {
		case "Prochaines séances":
			ms, err := models.UpcomingMeetings(c.UserContext(), h.DB, u, now, 3)
			if err != nil {
				return err
			}
			p := &panels[i]
			p.Link, p.Label = "/seances", "Calendrier des séances"
			if len(ms) == 0 {
				p.Text = "Aucune séance n'est planifiée pour l'instant."
				continue
			}
			m := &ms[0]
			p.Text = fmt.Sprintf("%s le %s — %s.", m.Title(), at(m), m.Status.Label())
			if len(ms) > 1 {
				p.Text += fmt.Sprintf(" Puis %d autre(s) séance(s), dont le %s.", len(ms)-1, at(&ms[1]))
			}
			p.Link, p.Label = "/seances/"+strconv.FormatInt(m.ID, 10), "Ouvrir la prochaine séance"
		case "Mes convocations":
			rs, err := models.MyConvocations(c.UserContext(), h.DB, u.CommissionIDOrZero(), u.ID, now)
			if err != nil {
				return err
			}
			p := &panels[i]
			if len(rs) == 0 {
				p.Link, p.Label = "/seances", "Calendrier des séances"
				continue
			}
			r := &rs[0]
			p.Text = fmt.Sprintf("%s le %s. Votre réponse : %s.", r.Meeting.Title(), at(&r.Meeting), r.Status.Label())
			if r.Kind == models.RecipientSuppleant {
				p.Text = fmt.Sprintf("%s le %s (pour information, en tant que suppléant). Réponse de votre titulaire : %s.", r.Meeting.Title(), at(&r.Meeting), r.Status.Label())
			}
			if len(rs) > 1 {
				p.Text += fmt.Sprintf(" %d autre(s) convocation(s) en cours.", len(rs)-1)
			}
			p.Link, p.Label = "/seances/"+strconv.FormatInt(r.Meeting.ID, 10), "Voir la convocation et répondre"
		}
	}
	return nil
}

// renewalDays is how far ahead the dashboard looks for periods of rights to renew.
const renewalDays = 60

// filePanels replaces the file panels of the association, secretariat and president
// dashboards with the real counts, linked to the lists they come from.
func (h *Handler) filePanels(c *fiber.Ctx, u *models.User, panels []Panel) ([]Panel, error) {
	ctx, now := c.UserContext(), h.Now()
	fs, err := models.ListFiles(ctx, h.DB, u, models.FileFilter{}, now)
	if err != nil {
		return nil, err
	}
	count := map[models.State]int{}
	for _, f := range fs {
		count[f.State]++
	}
	ps, err := models.ListParcours(ctx, h.DB, u, now)
	if err != nil {
		return nil, err
	}
	due, limit := 0, models.DateOf(now).AddDate(0, 0, renewalDays+1)
	for _, p := range ps {
		if p.EndedOn == nil && p.SuspendedOn == nil && p.PendingFile == "" && p.CumulativeMonths < models.ParcoursMaxMonths && p.RenewalDueOn.Before(limit) {
			due++
		}
	}
	renewals := Panel{Title: "Renouvellements à préparer", Link: fmt.Sprintf("/parcours?echeance=%d", renewalDays), Label: "Voir les parcours",
		Text: "Aucun parcours n'arrive à échéance dans les " + fmt.Sprint(renewalDays) + " jours sans demande de renouvellement."}
	if due > 0 {
		renewals.Text = plural(due, "parcours arrive", "parcours arrivent") + fmt.Sprintf(" à échéance dans les %d jours sans demande de renouvellement en cours.", renewalDays)
	}
	if u.Role == models.RoleAssociation {
		inProgress := count[models.StateSubmitted] + count[models.StateAdmissible] + count[models.StateScheduled] + count[models.StateExamined]
		mine := Panel{Title: "Mes dossiers", Link: "/dossiers", Label: "Voir mes dossiers",
			Text: fmt.Sprintf("%s, %s, %s.", plural(count[models.StateDraft], "brouillon", "brouillons"),
				plural(inProgress, "dossier en cours d'instruction", "dossiers en cours d'instruction"), plural(count[models.StateDecided], "dossier décidé", "dossiers décidés"))}
		out := []Panel{mine}
		if n := count[models.StateIncomplete]; n > 0 {
			out = append(out, Panel{Title: "Dossiers à compléter", Link: "/dossiers", Label: "Compléter",
				Text: plural(n, "dossier déclaré incomplet attend", "dossiers déclarés incomplets attendent") + " vos compléments."})
		}
		out = append(out, renewals, Panel{Title: "Nouvelle demande", Text: "Engagement, renouvellement, fin, suspension ou AFIS : préparez une demande en quatre étapes, enregistrée à chaque étape.", Link: "/dossiers/nouveau", Label: "Nouvelle demande"})
		return out, nil
	}
	out := []Panel{}
	for _, p := range panels {
		if p.Title == "Dossiers à examiner" {
			if u.Role == models.RoleSecretariat {
				out = append(out, Panel{Title: "Dossiers à vérifier", Link: "/dossiers/arrivee", Label: "Vérifier la recevabilité",
					Text: plural(count[models.StateSubmitted], "dossier déposé attend", "dossiers déposés attendent") + " la vérification de recevabilité."})
			}
			p.Text = plural(count[models.StateAdmissible], "dossier recevable attend", "dossiers recevables attendent") + " l'inscription à l'ordre du jour."
			p.Link, p.Label = "/dossiers?etat=admissible", "Voir les dossiers recevables"
			out = append(out, p, renewals)
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// plural writes "1 dossier", "0 dossier" or "3 dossiers".
func plural(n int, one, many string) string {
	if n > 1 {
		return fmt.Sprintf("%d %s", n, many)
	}
	return fmt.Sprintf("%d %s", n, one)
}
