// Package home serves the dashboard each role lands on after signing in.
package home

import (
	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/models"
)

// Handler serves the dashboard.
type Handler struct {
	DB *bun.DB
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
	data := fiber.Map{"Title": "Tableau de bord", "Panels": panelsFor(u.Role)}
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

// Me returns the caller's account as JSON (useful to check an API token).
func (h *Handler) Me(c *fiber.Ctx) error {
	u := web.User(c)
	return c.JSON(fiber.Map{"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role, "commission_id": u.CommissionIDOrZero()})
}
