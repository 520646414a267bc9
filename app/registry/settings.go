package registry

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
)

// SettingsForm is the commission settings form, as typed.
type SettingsForm struct {
	Name, Department, ArreteRef, ArreteDate string
	QuorumRule, AbstentionRule              string
	NoticeDays, MaxFiles, MinCellSize       string
	RetentionMonths                         string
	PresidentVotes, TOTPMembers             bool
}

func settingsForm(cm *models.Commission, s *models.CommissionSettings) SettingsForm {
	f := SettingsForm{
		Name: cm.Name, Department: cm.Department, ArreteRef: cm.ArreteRef,
		QuorumRule: string(s.QuorumRule), AbstentionRule: string(s.AbstentionRule),
		NoticeDays: strconv.Itoa(s.NoticeDays), MaxFiles: strconv.Itoa(s.MaxFilesPerSession), MinCellSize: strconv.Itoa(s.MinCellSize),
		RetentionMonths: strconv.Itoa(s.RetentionMonths), PresidentVotes: s.PresidentVotes, TOTPMembers: s.TOTPRequiredForMembers,
	}
	if s.ArreteDate != nil {
		f.ArreteDate = inputDate(*s.ArreteDate)
	}
	return f
}

// parse returns the commission and settings the form describes, and the fields it could not read.
func (f SettingsForm) parse(cm *models.Commission) (*models.Commission, *models.CommissionSettings, models.FieldErrors) {
	fe := models.FieldErrors{}
	c := *cm
	c.Name, c.Department, c.ArreteRef = f.Name, f.Department, f.ArreteRef
	s := &models.CommissionSettings{
		CommissionID: cm.ID, QuorumRule: models.QuorumRule(f.QuorumRule), AbstentionRule: models.AbstentionRule(f.AbstentionRule),
		NoticeDays: formInt(f.NoticeDays, "notice_days", fe), MaxFilesPerSession: formInt(f.MaxFiles, "max_files_per_session", fe),
		MinCellSize: formInt(f.MinCellSize, "min_cell_size", fe), PresidentVotes: f.PresidentVotes, TOTPRequiredForMembers: f.TOTPMembers,
	}
	// Left empty, the retention period is the CNIL référentiel's 2 years.
	s.RetentionMonths = models.DefaultRetentionMonths
	if strings.TrimSpace(f.RetentionMonths) != "" {
		s.RetentionMonths = formInt(f.RetentionMonths, "retention_months", fe)
	}
	if d := formDate(f.ArreteDate, "arrete_date", fe); !d.IsZero() {
		s.ArreteDate = &d
	}
	return &c, s, fe
}

// readSettingsForm reads the posted settings form.
func readSettingsForm(c *fiber.Ctx) SettingsForm {
	return SettingsForm{
		Name: c.FormValue("name"), Department: c.FormValue("department"), ArreteRef: c.FormValue("arrete_ref"), ArreteDate: c.FormValue("arrete_date"),
		QuorumRule: c.FormValue("quorum_rule"), AbstentionRule: c.FormValue("abstention_rule"),
		NoticeDays: c.FormValue("notice_days"), MaxFiles: c.FormValue("max_files_per_session"), MinCellSize: c.FormValue("min_cell_size"),
		RetentionMonths: c.FormValue("retention_months"), PresidentVotes: checked(c, "president_votes"), TOTPMembers: checked(c, "totp_required_for_members"),
	}
}

// Settings shows the commission settings form.
func (h *Handler) Settings(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	s, err := models.FindSettings(c.UserContext(), h.DB, cm.ID)
	if err != nil {
		return err
	}
	return h.renderSettings(c, cm, fiber.StatusOK, settingsForm(cm, s), nil)
}

func (h *Handler) renderSettings(c *fiber.Ctx, cm *models.Commission, status int, f SettingsForm, fe models.FieldErrors) error {
	return render(c, cm, status, "registry/settings", fiber.Map{
		"Title": "Paramètres de la commission", "Form": f, "Errors": fe,
		"QuorumRules": models.QuorumRules, "AbstentionRules": models.AbstentionRules,
	})
}

// SaveSettings validates and saves the settings.
func (h *Handler) SaveSettings(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	f := readSettingsForm(c)
	next, s, fe := f.parse(cm)
	if len(fe) > 0 {
		// Unreadable fields: nothing is saved; the other rules are checked all the same.
		return h.renderSettings(c, cm, fiber.StatusUnprocessableEntity, f, merge(fe, s.Validate()))
	}
	err = models.UpdateSettings(c.UserContext(), h.DB, models.ActorFor(web.User(c)), next, s, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderSettings(c, cm, fiber.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Les paramètres de la commission sont enregistrés.")
	return c.Redirect(Base(cm.ID)+"/parametres", fiber.StatusSeeOther)
}
