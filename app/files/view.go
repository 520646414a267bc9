package files

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	filesmodel "seance/models/files"
	"seance/models/registry"
)

// stateBadge returns the DSFR badge variant of a file state; the label is always shown,
// so the colour never carries the meaning alone.
func stateBadge(s filesmodel.State) string {
	switch s {
	case filesmodel.StateSubmitted:
		return "fr-badge--new"
	case filesmodel.StateIncomplete:
		return "fr-badge--warning"
	case filesmodel.StateAdmissible:
		return "fr-badge--success"
	case filesmodel.StateScheduled, filesmodel.StateExamined:
		return "fr-badge--info"
	case filesmodel.StateDecided:
		return "fr-badge--blue-ecume"
	}
	return ""
}

// parcoursBadge returns the DSFR badge variant of a parcours status.
func parcoursBadge(s filesmodel.ParcoursStatus) string {
	switch s {
	case filesmodel.ParcoursActive:
		return "fr-badge--success"
	case filesmodel.ParcoursLapsed:
		return "fr-badge--warning"
	case filesmodel.ParcoursSuspended:
		return "fr-badge--info"
	}
	return ""
}

// Row is a file as listed.
type Row struct {
	filesmodel.FileSummary
	Badge string
}

func rows(ss []filesmodel.FileSummary) []Row {
	out := make([]Row, len(ss))
	for i, s := range ss {
		out[i] = Row{FileSummary: s, Badge: stateBadge(s.State)}
	}
	return out
}

// ParcoursRow is a parcours as listed.
type ParcoursRow struct {
	filesmodel.ParcoursSummary
	Badge      string
	DueInDays  int  // days left before the current period ends
	Renewable  bool // a renewal may be prepared: running, under 24 months, nothing pending
	PendingRef string
}

func parcoursRow(p filesmodel.ParcoursSummary, now time.Time) ParcoursRow {
	today := filesmodel.DateOf(now)
	r := ParcoursRow{ParcoursSummary: p, Badge: parcoursBadge(p.Status), PendingRef: p.PendingFile}
	r.DueInDays = int(p.RenewalDueOn.Sub(today).Hours() / 24)
	r.Renewable = p.EndedOn == nil && p.PendingFile == "" && p.CumulativeMonths < filesmodel.ParcoursMaxMonths &&
		(p.Status == filesmodel.ParcoursActive || p.Status == filesmodel.ParcoursLapsed)
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
func eventView(e filesmodel.FileEvent) Event {
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
		ev.Title = "Brouillon créé : " + filesmodel.FileKind(str(d, "kind")).Label()
	case string(filesmodel.StateSubmitted):
		ev.Title = "Dossier déposé"
		if e.FromState == filesmodel.StateIncomplete {
			ev.Title = "Compléments déposés"
		}
	case string(filesmodel.StateIncomplete):
		ev.Title = "Dossier déclaré incomplet"
		for _, it := range list(d, "missing_items") {
			ev.Lines = append(ev.Lines, "Manquant : "+it)
		}
	case string(filesmodel.StateAdmissible):
		ev.Title = "Dossier déclaré recevable"
		if e.FromState == filesmodel.StateScheduled {
			ev.Title = "Retiré de l'ordre du jour"
		}
	case string(filesmodel.StateScheduled):
		ev.Title = "Inscrit à l'ordre du jour de la séance du " + day(str(d, "session_date"))
	case string(filesmodel.StateExamined):
		ev.Title = fmt.Sprintf("Avis de la commission : %s", strings.ToLower(filesmodel.Avis(str(d, "avis")).Label()))
		ev.Lines = append(ev.Lines, "Avis rendu le "+day(str(d, "avis_on")))
	case string(filesmodel.StateDecided):
		ev.Title = "Décision du préfet : " + strings.ToLower(filesmodel.DecisionOutcome(str(d, "decision")).Label())
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
			ev.Lines = append(ev.Lines, "AFIS accordée : "+filesmodel.FormatEuros(int64(c))+" par mois")
		}
	case "observations":
		ev.Title = "Observations de la personne"
		ev.Lines = append(ev.Lines, fmt.Sprintf("Invitée le %s (%s)", day(str(d, "invited_on")), strings.ToLower(filesmodel.ObservationMeans(str(d, "means")).Label())))
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
		ev.Title = "Pièce ajoutée : " + filesmodel.AttachmentKind(str(d, "kind")).Label()
	case "attachment_delete":
		ev.Title = "Pièce retirée : " + filesmodel.AttachmentKind(str(d, "kind")).Label()
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
	return filesmodel.FormatDate(t)
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
func associationOptions(as []registry.Association) []Option {
	out := make([]Option, len(as))
	for i, a := range as {
		out[i] = Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name}
	}
	return out
}
