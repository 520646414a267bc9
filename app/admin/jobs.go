package admin

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/jobs"
	"seance/models"
)

// JobRow is one line of the jobs page: the schedule and the last run.
type JobRow struct {
	jobs.Planned
	Last *models.JobRun
}

// ListJobs lists the periodic jobs with their last and next run, and the latest runs.
func (h *Handler) ListJobs(c *fiber.Ctx) error {
	ctx := c.UserContext()
	last, err := models.LastJobRuns(ctx, h.DB)
	if err != nil {
		return err
	}
	runs, err := models.ListJobRuns(ctx, h.DB, "", 30)
	if err != nil {
		return err
	}
	var rows []JobRow
	for _, p := range h.Jobs.Plan(h.Now()) {
		row := JobRow{Planned: p}
		if r, ok := last[p.Name]; ok {
			row.Last = &r
		}
		rows = append(rows, row)
	}
	return web.Render(c, "admin/jobs", fiber.Map{"Title": "Tâches planifiées", "Jobs": rows, "Runs": runs})
}

// RunJob starts a job now, in the background, and records who asked in the audit chain.
func (h *Handler) RunJob(c *fiber.Ctx) error {
	name, err := url.PathUnescape(c.Params("name"))
	if err != nil {
		return fiber.ErrNotFound
	}
	err = h.Jobs.RunInBackground(name, models.TriggerManual)
	switch {
	case errors.Is(err, jobs.ErrUnknownJob):
		return fiber.ErrNotFound
	case errors.Is(err, jobs.ErrBusy):
		web.FlashError(c, "La tâche « "+name+" » est déjà en cours : attendez la fin de son exécution.")
		return c.Redirect("/admin/taches", fiber.StatusSeeOther)
	case err != nil:
		return err
	}
	u := web.User(c)
	if err := models.Audit(c.UserContext(), h.DB, h.Now(), models.AuditEntry{
		Actor: models.ActorFor(u), Action: "job.run_requested", Object: "job:" + name,
	}); err != nil {
		return err
	}
	web.FlashSuccess(c, "La tâche « "+name+" » a été lancée. Son résultat apparaîtra dans l'historique ci-dessous.")
	return c.Redirect("/admin/taches", fiber.StatusSeeOther)
}
