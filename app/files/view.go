package files

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"seance/models"
)

// stateBadge returns the DSFR badge variant of a file state; the label is always shown,
// so the colour never carries the meaning alone.
func stateBadge(s models.State) string {
	switch s {
	case models.StateSubmitted:
		return "fr-badge--new"
	case models.StateIncomplete:
		return "fr-badge--warning"
	case models.StateAdmissible:
		return "fr-badge--success"
	case models.StateScheduled, models.StateExamined:
		return "fr-badge--info"
	case models.StateDecided:
		return "fr-badge--blue-ecume"
	}
	return ""
}

// parcoursBadge returns the DSFR badge variant of a parcours status.
func parcoursBadge(s models.ParcoursStatus) string {
	switch s {
	case models.ParcoursActive:
		return "fr-badge--success"
	case models.ParcoursLapsed:
		return "fr-badge--warning"
	case models.ParcoursSuspended:
		return "fr-badge--info"
	}
	return ""
}

// Row is a file as listed.
type Row struct {
	models.FileSummary
	Badge string
}

func rows(ss []models.FileSummary) []Row {
	out := make([]Row, len(ss))
	for i, s := range ss {
		out[i] = Row{FileSummary: s, Badge: stateBadge(s.State)}
	}
	return out
}

// ParcoursRow is a parcours as listed.
type ParcoursRow struct {
	models.ParcoursSummary
	Badge      string
	DueInDays  int  // days left before the current period ends
	Renewable  bool // a renewal may be prepared: running, under 24 months, nothing pending
	PendingRef string
}

func parcoursRow(p models.ParcoursSummary, now time.Time) ParcoursRow {
	today := models.DateOf(now)
	r := ParcoursRow{ParcoursSummary: p, Badge: parcoursBadge(p.Status), PendingRef: p.PendingFile}
	r.DueInDays = int(p.RenewalDueOn.Sub(today).Hours() / 24)
	r.Renewable = p.EndedOn == nil && p.PendingFile == "" && p.CumulativeMonths < models.ParcoursMaxMonths &&
		(p.Status == models.ParcoursActive || p.Status == models.ParcoursLapsed)
	return r
}

// Event is one line of the history timeline, in French.
type Event struct {
	At      time.Time
	Actor   string
	Title   string
	Badge   string // the state the file reached, for transitions
	ToLabel string
	Lines   []string
}

// eventView describes a history line for people.
func eventView(e models.FileEvent) Event {
	d := e.DetailMap()
	ev := Event{At: e.At, Actor: e.ActorLabel}
	if ev.Actor == "" {
		ev.Actor = "Système"
	}
	if e.FromState != e.ToState {
		ev.Badge, ev.ToLabel = stateBadge(e.ToState), e.ToState.Label()
	}
	switch e.Action {
	case "create":
		ev.Title = "Brouillon créé : " + models.FileKind(str(d, "kind")).Label()
	case string(models.StateSubmitted):
		ev.Title = "Dossier déposé"
		if e.FromState == models.StateIncomplete {
			ev.Title = "Compléments déposés"
		}
	case string(models.StateIncomplete):
		ev.Title = "Dossier déclaré incomplet"
		for _, it := range list(d, "missing_items") {
			ev.Lines = append(ev.Lines, "Manquant : "+it)
		}
	case string(models.StateAdmissible):
		ev.Title = "Dossier déclaré recevable"
		if e.FromState == models.StateScheduled {
			ev.Title = "Retiré de l'ordre du jour"
		}
	case string(models.StateScheduled):
		ev.Title = "Inscrit à l'ordre du jour de la séance du " + day(str(d, "session_date"))
	case string(models.StateExamined):
		ev.Title = fmt.Sprintf("Avis de la commission : %s", strings.ToLower(models.Avis(str(d, "avis")).Label()))
		ev.Lines = append(ev.Lines, "Avis rendu le "+day(str(d, "avis_on")))
	case string(models.StateDecided):
		ev.Title = "Décision du préfet : " + strings.ToLower(models.DecisionOutcome(str(d, "decision")).Label())
		ev.Lines = append(ev.Lines, "Décision du "+day(str(d, "decided_on")))
		ev.Lines = append(ev.Lines, notificationLines(d)...)
		if m := num(d, "months"); m > 0 {
			ev.Lines = append(ev.Lines, fmt.Sprintf("Période de droits de %d mois", int(m)))
		}
		if s := str(d, "parcours_ends_on"); s != "" {
			ev.Lines = append(ev.Lines, "Fin des droits le "+day(s))
		}
		if s := str(d, "parcours_suspended_on"); s != "" {
			ev.Lines = append(ev.Lines, "Droits suspendus à partir du "+day(s))
		}
		if c := num(d, "afis_monthly_cents"); c > 0 {
			ev.Lines = append(ev.Lines, "AFIS accordée : "+models.FormatEuros(int64(c))+" par mois")
		}
	case "observations":
		ev.Title = "Observations de la personne"
		ev.Lines = append(ev.Lines, fmt.Sprintf("Invitée le %s (%s)", day(str(d, "invited_on")), strings.ToLower(models.ObservationMeans(str(d, "means")).Label())))
		if b, _ := d["received"].(bool); b {
			ev.Lines = append(ev.Lines, "Observations reçues")
		} else {
			ev.Lines = append(ev.Lines, "Aucune observation reçue")
		}
	case "notification":
		ev.Title = "Notification de la décision"
		ev.Lines = notificationLines(d)
	case "appeal":
		ev.Title = "Recours contre la décision, formé le " + day(str(d, "appeal_on"))
	case "attachment_add":
		ev.Title = "Pièce ajoutée : " + models.AttachmentKind(str(d, "kind")).Label()
	case "attachment_delete":
		ev.Title = "Pièce retirée : " + models.AttachmentKind(str(d, "kind")).Label()
	default:
		ev.Title = e.Action
	}
	return ev
}

func notificationLines(d map[string]any) []string {
	var out []string
	if s := str(d, "notified_person_on"); s != "" {
		out = append(out, "Notifiée à la personne le "+day(s))
	}
	if s := str(d, "notified_association_on"); s != "" {
		out = append(out, "Notifiée à l'association le "+day(s))
	}
	return out
}

func str(d map[string]any, k string) string {
	s, _ := d[k].(string)
	return s
}

func num(d map[string]any, k string) float64 {
	n, _ := d[k].(float64)
	return n
}

func list(d map[string]any, k string) []string {
	raw, _ := d[k].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// day turns an ISO date of the history into "03/11/2026".
func day(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return models.FormatDate(t)
}

// Option is a choice of a select or a group of radio buttons.
type Option struct {
	Value, Label string
	Help         string // hint under a radio button
}

// labeled is a domain value with a French label.
type labeled interface {
	~string
	Label() string
}

// options lists xs as choices, labelled in French.
func options[T labeled](xs []T) []Option {
	out := make([]Option, len(xs))
	for i, x := range xs {
		out[i] = Option{Value: string(x), Label: x.Label()}
	}
	return out
}

// associationOptions lists the associations as choices.
func associationOptions(as []models.Association) []Option {
	out := make([]Option, len(as))
	for i, a := range as {
		out[i] = Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name}
	}
	return out
}
