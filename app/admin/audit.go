// Package admin serves the administration pages: the audit log and its verification,
// the outbox, the e-mails not delivered and the periodic jobs.
package admin

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/jobs"
	"seance/models"
)

// Handler serves the administration pages.
type Handler struct {
	DB   *bun.DB
	Jobs *jobs.Registry
	Now  func() time.Time
}

// Audit lists the latest audit records (the secretariat sees its commission's only).
func (h *Handler) Audit(c *fiber.Ctx) error {
	return h.renderAudit(c, nil)
}

// VerifyAudit recomputes the whole chain and shows the first broken link, if any.
func (h *Handler) VerifyAudit(c *fiber.Ctx) error {
	rep, err := models.VerifyAuditChain(c.UserContext(), h.DB)
	if err != nil {
		return err
	}
	return h.renderAudit(c, &rep)
}

func (h *Handler) renderAudit(c *fiber.Ctx, rep *models.ChainReport) error {
	u := web.User(c)
	var cid int64
	if u.Role != models.RoleAdmin {
		cid = u.CommissionIDOrZero()
	}
	recs, err := models.ListAudit(c.UserContext(), h.DB, cid, 100)
	if err != nil {
		return err
	}
	return web.Render(c, "admin/audit", fiber.Map{"Title": "Journal d'audit", "Records": recs, "Report": rep})
}
