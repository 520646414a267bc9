package registry

import (
	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
)

// CommissionRow is one commission on the administrator's list.
type CommissionRow struct {
	models.Commission
	Accounts int
}

// Commissions lists the commissions hosted by the instance, for the administrator.
func (h *Handler) Commissions(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cs, err := models.ListCommissions(ctx, h.DB, "")
	if err != nil {
		return err
	}
	counts, err := models.CountCommissionUsers(ctx, h.DB)
	if err != nil {
		return err
	}
	rows := make([]CommissionRow, len(cs))
	for i, cm := range cs {
		rows[i] = CommissionRow{Commission: cm, Accounts: counts[cm.ID]}
	}
	return web.Render(c, "registry/commissions", fiber.Map{"Title": "Commissions", "Rows": rows})
}

// NewCommission shows the form creating a commission, with the default settings.
func (h *Handler) NewCommission(c *fiber.Ctx) error {
	f := settingsForm(&models.Commission{}, models.DefaultSettings(0))
	return h.renderNewCommission(c, fiber.StatusOK, f, "", nil)
}

func (h *Handler) renderNewCommission(c *fiber.Ctx, status int, f SettingsForm, region string, fe models.FieldErrors) error {
	c.Status(status)
	return web.Render(c, "registry/commission_new", fiber.Map{
		"Title": "Nouvelle commission", "Form": f, "Region": region, "Errors": fe,
		"Departments": models.Departments, "Regions": models.Regions,
		"QuorumRules": models.QuorumRules, "AbstentionRules": models.AbstentionRules,
	})
}

// CreateCommission creates a commission and its settings, then opens its composition,
// where the administrator appoints the secretariat and the members.
func (h *Handler) CreateCommission(c *fiber.Ctx) error {
	f := readSettingsForm(c)
	region := c.FormValue("region")
	cm, s, fe := f.parse(&models.Commission{Region: region})
	if len(fe) > 0 {
		return h.renderNewCommission(c, fiber.StatusUnprocessableEntity, f, region, merge(fe, s.Validate()))
	}
	err := models.AddCommission(c.UserContext(), h.DB, models.ActorFor(web.User(c)), cm, s, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderNewCommission(c, fiber.StatusUnprocessableEntity, f, region, fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "La commission "+cm.Name+" ("+cm.Department+") est créée. Nommez maintenant son secrétariat et ses membres.")
	return c.Redirect(Base(cm.ID)+"/composition", fiber.StatusSeeOther)
}
