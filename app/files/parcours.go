package files

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	filesmodel "seance/models/files"
)

// ParcoursFilter is the filters of the parcours list, as typed.
type ParcoursFilter struct {
	Status, DueWithin string
}

// ListParcours lists the parcours the user follows, soonest renewal first, with filters
// on the status and on the end of the current period.
func (h *Handler) ListParcours(c *fiber.Ctx) error {
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	form := ParcoursFilter{Status: c.Query("statut"), DueWithin: c.Query("echeance")}
	fe := models.FieldErrors{}
	statuses := []filesmodel.ParcoursStatus{filesmodel.ParcoursActive, filesmodel.ParcoursLapsed, filesmodel.ParcoursSuspended, filesmodel.ParcoursEnded}
	if form.Status != "" && !slices.Contains(statuses, filesmodel.ParcoursStatus(form.Status)) {
		fe.Add("statut", "Choisissez un statut dans la liste.")
	}
	days := -1
	if form.DueWithin != "" {
		n, err := strconv.Atoi(form.DueWithin)
		if err != nil || n < 1 || n > 730 {
			fe.Add("echeance", "Indiquez un nombre de jours entre 1 et 730.")
		} else {
			days = n
		}
	}
	ps, err := filesmodel.ListParcours(ctx, h.DB, u, now)
	if err != nil {
		return err
	}
	var out []ParcoursRow
	for _, p := range ps {
		r := parcoursRow(p, now)
		if form.Status != "" && fe["statut"] == "" && string(p.Status) != form.Status {
			continue
		}
		if days >= 0 && (p.EndedOn != nil || p.SuspendedOn != nil || r.DueInDays > days || p.CumulativeMonths >= filesmodel.ParcoursMaxMonths) {
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b ParcoursRow) int {
		if ea, eb := a.Status == filesmodel.ParcoursEnded, b.Status == filesmodel.ParcoursEnded; ea != eb {
			if ea {
				return 1
			}
			return -1
		}
		return a.RenewalDueOn.Compare(b.RenewalDueOn)
	})
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return render(c, "files/parcours_list", fiber.Map{
		"Title": "Parcours", "Rows": out, "Form": form, "Errors": fe, "Statuses": options(statuses),
		"IsAssociation": u.Role == models.RoleAssociation, "Max": filesmodel.ParcoursMaxMonths,
	})
}

// PeriodRow is a period of rights as shown.
type PeriodRow struct {
	filesmodel.Period
	AFIS    string
	Counted int
	Current bool
}

// RequestLink is a request an association may start on a parcours.
type RequestLink struct {
	Label string
	URL   string
}

// ShowParcours shows a parcours: its periods of rights, its files and the actions offered.
func (h *Handler) ShowParcours(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderParcours(c, id, nil)
}

func (h *Handler) renderParcours(c *fiber.Ctx, id int64, extra fiber.Map) error {
	u, ctx, now := web.User(c), c.UserContext(), h.Now()
	p, err := filesmodel.FindParcours(ctx, h.DB, u, id, now)
	if err != nil {
		return err
	}
	ss, err := filesmodel.ListFiles(ctx, h.DB, u, filesmodel.FileFilter{ParcoursID: id}, now)
	if err != nil {
		return err
	}
	cur := p.CurrentPeriod(now)
	periods := make([]PeriodRow, len(p.Periods))
	for i, per := range p.Periods {
		periods[i] = PeriodRow{Period: per, AFIS: afisLabel(&per), Counted: per.CountedMonths(), Current: cur != nil && cur.ID == per.ID}
	}
	row := parcoursRow(*p, now)
	var links []RequestLink
	if u.Role == models.RoleAssociation && p.EndedOn == nil {
		base := "/dossiers/nouveau?parcours=" + strconv.FormatInt(id, 10) + "&type="
		if row.Renewable {
			links = append(links, RequestLink{"Préparer le renouvellement", base + string(filesmodel.KindRenewal)})
		}
		links = append(links,
			RequestLink{"Demander l'AFIS ou son réexamen", base + string(filesmodel.KindAFIS)},
			RequestLink{"Demander une suspension", base + string(filesmodel.KindSuspension)},
			RequestLink{"Demander la fin du parcours", base + string(filesmodel.KindEnd)})
	}
	ref := parcoursRef(p)
	data := fiber.Map{
		"Title": "Parcours " + ref, "Ref": ref, "P": row, "Periods": periods, "Files": rows(ss), "Links": links,
		"MayEnd": u.Role == models.RoleSecretariat && p.EndedOn == nil, "MayRights": u.Role == models.RoleSecretariat,
		"EndReasons": options(filesmodel.EndReasonsWithoutFile()), "EndForm": EndForm{EndedOn: filesmodel.DateOf(now).Format(time.DateOnly)},
		"Max": filesmodel.ParcoursMaxMonths,
	}
	for k, v := range extra {
		data[k] = v
	}
	return render(c, "files/parcours_show", data)
}

func afisLabel(p *filesmodel.Period) string {
	if !p.AFISGranted {
		return ""
	}
	s := filesmodel.FormatEuros(p.AFISMonthlyCents) + " par mois"
	if p.AFISFrom != nil {
		s += " à partir de " + p.AFISFrom.Format("01/2006")
	}
	if p.AFISStoppedFrom != nil {
		s += ", arrêtée à partir de " + p.AFISStoppedFrom.Format("01/2006")
	}
	return s
}

// EndParcours ends a parcours for a reason that needs no decision on a file.
func (h *Handler) EndParcours(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	form := EndForm{Reason: c.FormValue("reason"), EndedOn: c.FormValue("ended_on")}
	fe := models.FieldErrors{}
	on := parseDate(fe, "ended_on", form.EndedOn)
	fe, err = attempt(fe, func() error {
		return filesmodel.EndParcours(c.UserContext(), h.DB, web.User(c), id, filesmodel.EndReason(form.Reason), on, h.Now())
	})
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderParcours(c, id, fiber.Map{"Errors": fe, "EndForm": form})
	}
	web.FlashSuccess(c, "Le parcours est terminé : "+filesmodel.EndReason(form.Reason).Label()+", le "+filesmodel.FormatDate(on)+".")
	return c.Redirect("/parcours/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// period returns parcours id and its period pid, for the user.
func (h *Handler) period(c *fiber.Ctx) (*filesmodel.ParcoursSummary, *filesmodel.Period, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	pid, err := web.ParamID(c, "pid")
	if err != nil {
		return nil, nil, err
	}
	p, err := filesmodel.FindParcours(c.UserContext(), h.DB, web.User(c), id, h.Now())
	if err != nil {
		return nil, nil, err
	}
	for i := range p.Periods {
		if p.Periods[i].ID == pid {
			return p, &p.Periods[i], nil
		}
	}
	return nil, nil, models.ErrNotFound
}

// EditRights shows the rights of a period: APS, AFIS (amount from the scale) and housing.
func (h *Handler) EditRights(c *fiber.Ctx) error {
	p, per, err := h.period(c)
	if err != nil {
		return err
	}
	return h.renderRights(c, p, per, rightsForm(per), nil)
}

func (h *Handler) renderRights(c *fiber.Ctx, p *filesmodel.ParcoursSummary, per *filesmodel.Period, form RightsForm, fe models.FieldErrors) error {
	ctx := c.UserContext()
	scales, err := filesmodel.ListAFISScales(ctx, h.DB)
	if err != nil {
		return err
	}
	type scaleRow struct {
		From                      time.Time
		Single, Child1, Child2, C string
		Source                    string
	}
	var table []scaleRow
	for i := len(scales) - 1; i >= 0; i-- {
		s := scales[i]
		table = append(table, scaleRow{From: s.EffectiveFrom, Single: filesmodel.FormatEuros(s.Amount(0)), Child1: filesmodel.FormatEuros(s.Amount(1)),
			Child2: filesmodel.FormatEuros(s.Amount(2)), C: filesmodel.FormatEuros(s.PerChildCents), Source: s.Source})
	}
	// The amount the scale gives for the typed number of children, in the first month paid.
	children, _ := strconv.Atoi(form.AFISChildren)
	from := per.StartsOn
	if t := parseMonth(models.FieldErrors{}, "m", form.AFISFrom); !t.IsZero() {
		from = t
	}
	amount := ""
	if cents, err := filesmodel.AFISAmount(ctx, h.DB, max(children, 0), from); err == nil {
		amount = filesmodel.FormatEuros(cents)
	}
	ref := parcoursRef(p)
	return render(c, "files/rights", fiber.Map{
		"Title": fmt.Sprintf("Droits de la période %d — parcours %s", per.Seq, ref), "Ref": ref, "P": p, "Period": per,
		"Form": form, "Errors": fe, "Housings": options(filesmodel.Housings), "Scales": table, "Amount": amount, "AmountFrom": from,
	})
}

// SaveRights records the rights of a period.
func (h *Handler) SaveRights(c *fiber.Ctx) error {
	p, per, err := h.period(c)
	if err != nil {
		return err
	}
	form := parseRights(c)
	r, fe := form.input()
	fe, err = attempt(fe, func() error {
		return filesmodel.UpdatePeriodRights(c.UserContext(), h.DB, web.User(c), per.ID, r, h.Now())
	})
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderRights(c, p, per, form, fe)
	}
	web.FlashSuccess(c, fmt.Sprintf("Les droits de la période %d sont enregistrés.", per.Seq))
	return c.Redirect("/parcours/"+strconv.FormatInt(p.ID, 10), fiber.StatusSeeOther)
}

// parcoursRef names a parcours by the reference of its entry file.
func parcoursRef(p *filesmodel.ParcoursSummary) string {
	if p.Reference == "" {
		return fmt.Sprintf("n° %d", p.ID)
	}
	return p.Reference
}
