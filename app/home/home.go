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
	case models.RolePrefecture, models.RoleRegion:
		return []Panel{{Title: "Rapports annuels", Text: "Les statistiques annuelles seront disponibles ici au format Excel."}}
	case models.RoleAdmin:
		return []Panel{{Title: "Journal d'audit", Text: "Vérifiez l'intégrité de la chaîne d'audit.", Link: "/admin/audit", Label: "Ouvrir le journal"}}
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

// Me returns the caller's account as JSON (useful to check an API token).
func (h *Handler) Me(c *fiber.Ctx) error {
	u := web.User(c)
	return c.JSON(fiber.Map{"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role, "commission_id": u.CommissionIDOrZero()})
}
