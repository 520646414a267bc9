// Package admin serves the administration pages: the audit log and its verification,
// the outbox, the e-mails not delivered and the periodic jobs.
package admin

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"seance/app/web"
	"seance/jobs"
	"seance/models"
)

// Handler serves the administration pages.
type Handler struct {
	DB       *bun.DB
	Jobs     *jobs.Registry
	Now      func() time.Time
	Location *time.Location // the portal's zone, for the journal's dates
}

// Audit lists the audit records (the secretariat sees its commission's only), filtered
// and paged.
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

// AuditRow is one line of the journal as people read it.
type AuditRow struct {
	models.AuditRecord
	Person     string // the actor's name, or the recorded label
	ActionText string
	ObjectText string
}

// auditQuery reads the journal's filters from the query string; errors are in French,
// by field.
func (h *Handler) auditQuery(c *fiber.Ctx) (models.AuditFilter, map[string]string) {
	u := web.User(c)
	f, errs := models.AuditFilter{}, map[string]string{}
	if u.Role != models.RoleAdmin {
		f.CommissionID = u.CommissionIDOrZero()
	}
	day := func(key string) time.Time {
		v := strings.TrimSpace(c.Query(key))
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", v, h.Location)
		if err != nil {
			errs[key] = "Indiquez une date au format jj/mm/aaaa."
		}
		return t
	}
	f.From = day("du")
	if until := day("au"); !until.IsZero() {
		f.Until = until.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.From.Before(f.Until) {
		errs["au"] = "La fin de la période doit suivre son début."
	}
	id := func(key, msg string) int64 {
		v := c.Query(key)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs[key] = msg
		}
		return n
	}
	f.ActorID = id("personne", "Choisissez une personne dans la liste.")
	f.BeforeID = id("avant", "Page inconnue.")
	f.Action = c.Query("action")
	if f.Action != "" && !knownAction(f.Action) {
		errs["action"] = "Choisissez une action dans la liste."
	}
	f.Object = strings.TrimSpace(c.Query("objet"))
	if f.Object != "" && !validObject(f.Object) {
		errs["objet"] = "Indiquez un objet comme « file:12 », ou un type seul comme « file »."
	}
	return f, errs
}

// validObject accepts "kind" or "kind:id" with a lower-case kind.
func validObject(s string) bool {
	kind, id, hasID := strings.Cut(s, ":")
	if kind == "" || strings.Trim(kind, "abcdefghijklmnopqrstuvwxyz_") != "" {
		return false
	}
	if hasID {
		n, err := strconv.ParseInt(id, 10, 64)
		return err == nil && n > 0
	}
	return true
}

func (h *Handler) renderAudit(c *fiber.Ctx, rep *models.ChainReport) error {
	ctx := c.UserContext()
	f, errs := h.auditQuery(c)
	data := fiber.Map{"Title": "Journal d'audit", "Report": rep, "Actions": actionChoices(),
		"Query": fiber.Map{"du": c.Query("du"), "au": c.Query("au"), "personne": c.Query("personne"), "action": c.Query("action"), "objet": c.Query("objet")}}
	actors, err := models.AuditActors(ctx, h.DB, f.CommissionID)
	if err != nil {
		return err
	}
	data["Actors"] = actors
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		data["Errors"] = errs
		return web.Render(c, "admin/audit", data)
	}
	rows, more, err := h.auditRows(c, f, models.AuditPageSize)
	if err != nil {
		return err
	}
	data["Records"] = rows
	params := auditParams(c)
	data["Export"] = "/admin/audit/export" + params.query("")
	if more {
		data["Next"] = "/admin/audit" + params.query(strconv.FormatInt(rows[len(rows)-1].ID, 10))
	}
	if f.BeforeID != 0 {
		data["First"] = "/admin/audit" + params.query("")
	}
	return web.Render(c, "admin/audit", data)
}

// auditRows reads a page of records and names their people, actions and objects.
func (h *Handler) auditRows(c *fiber.Ctx, f models.AuditFilter, limit int) ([]AuditRow, bool, error) {
	recs, more, err := models.ListAuditPage(c.UserContext(), h.DB, f, limit)
	if err != nil {
		return nil, false, err
	}
	actors, objects, err := models.AuditNames(c.UserContext(), h.DB, recs, h.Location)
	if err != nil {
		return nil, false, err
	}
	rows := make([]AuditRow, len(recs))
	for i, r := range recs {
		row := AuditRow{AuditRecord: r, Person: r.ActorLabel, ActionText: ActionLabel(r.Action), ObjectText: r.Object}
		if name, ok := actors[r.ActorID]; ok {
			row.Person = name + " (" + r.ActorLabel + ")"
		}
		if name, ok := objects[r.Object]; ok {
			row.ObjectText = name
		}
		rows[i] = row
	}
	return rows, more, nil
}

// auditFilterParams are the filters of the current page, to carry into its links.
type auditFilterParams []string

func auditParams(c *fiber.Ctx) auditFilterParams {
	var ps auditFilterParams
	for _, k := range []string{"du", "au", "personne", "action", "objet"} {
		if v := c.Query(k); v != "" {
			ps = append(ps, k+"="+url.QueryEscape(v))
		}
	}
	return ps
}

// query is "?…" with the filters and, unless empty, the keyset cursor.
func (ps auditFilterParams) query(before string) string {
	all := append([]string(nil), ps...)
	if before != "" {
		all = append(all, "avant="+before)
	}
	if len(all) == 0 {
		return ""
	}
	return "?" + strings.Join(all, "&")
}

// auditExportMax bounds an export.
const auditExportMax = 50_000

// csvText keeps a text a spreadsheet would read as a formula (a name typed as
// "=HYPERLINK(…)", "+33…", "-2+3", "@SUM(…)") a text: it is prefixed with an apostrophe,
// which the spreadsheet shows as nothing (OWASP, CSV injection).
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportAudit downloads the filtered journal as CSV (UTF-8 with BOM, semicolons, for a
// spreadsheet), and records the export in the journal itself.
func (h *Handler) ExportAudit(c *fiber.Ctx) error {
	u := web.User(c)
	f, errs := h.auditQuery(c)
	if len(errs) > 0 {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Les filtres de l'export sont invalides : corrigez-les sur la page du journal.")
	}
	f.BeforeID = 0
	rows, _, err := h.auditRows(c, f, auditExportMax)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	_ = w.Write([]string{"N°", "Date", "Personne", "Action", "Code de l'action", "Objet", "Référence de l'objet", "Empreinte"})
	for _, r := range rows {
		_ = w.Write([]string{strconv.FormatInt(r.ID, 10), r.At.In(h.Location).Format("02/01/2006 15:04:05"), csvText(r.Person),
			csvText(r.ActionText), csvText(r.Action), csvText(r.ObjectText), csvText(r.Object), r.Hash})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	err = models.Audit(c.UserContext(), h.DB, h.Now(), models.AuditEntry{CommissionID: f.CommissionID, Actor: models.ActorFor(u), Action: "audit.export",
		Object: "audit_log", Details: map[string]any{"rows": len(rows), "filters": c.Context().QueryArgs().String()}})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="journal-audit-%s.csv"`, h.Now().In(h.Location).Format("2006-01-02")))
	return c.Send(buf.Bytes())
}
