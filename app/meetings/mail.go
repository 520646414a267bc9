package meetings

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"seance/app/calendar"
	"seance/app/mail"
	"seance/app/web"
	"seance/models"
	meetingsmodel "seance/models/meetings"
)

// longDate formats "lundi 15 juin 2026" in loc.
func longDate(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return fmt.Sprintf("%s %d %s %d", web.WeekdaysFR[t.Weekday()], t.Day(), web.MonthsFR[t.Month()-1], t.Year())
}

// convocationText is the body of one recipient's convocation: date, place or link, the
// agenda (pseudonymous references only), the documents and the personal link.
func (h *Handler) convocationText(res *meetingsmodel.ConvocationResult, r meetingsmodel.SentRecipient) string {
	m, c, loc := res.Meeting, res.Content, h.Location
	var b strings.Builder
	fmt.Fprintf(&b, "Bonjour %s,\n\n", r.Name)
	switch r.Kind {
	case meetingsmodel.RecipientSuppleant:
		fmt.Fprintf(&b, "Pour information, en votre qualité de suppléant(e) (%s), voici la convocation adressée à votre titulaire. "+
			"Si votre titulaire vous demande de le ou la remplacer, vous siégerez à sa place.\n\n", r.Titled)
	case meetingsmodel.RecipientPresident:
		b.WriteString("Voici la convocation adressée aux membres de la commission.\n\n")
	default:
		fmt.Fprintf(&b, "Vous êtes convoqué(e) à la séance de la %s.\n\n", c.Commission)
	}
	if c.Number > 1 {
		fmt.Fprintf(&b, "Cette convocation (n° %d) remplace les précédentes : la date, le lieu ou l'ordre du jour ont changé.\n\n", c.Number)
	}
	if m.Urgency {
		fmt.Fprintf(&b, "URGENCE : convocation adressée selon la procédure d'urgence (R133-8). Motif : %s\n\n", m.UrgencyReason)
	}
	if m.NoQuorumRequired {
		b.WriteString("SECONDE CONVOCATION : le quorum n'ayant pas été atteint, la commission délibère valablement sans condition de quorum (R133-10).\n\n")
	}
	fmt.Fprintf(&b, "Séance : %s\nDate : %s, de %s à %s (heure de Paris)\nModalité : %s\n", m.Title(), longDate(m.StartsAt, loc),
		m.StartsAt.In(loc).Format("15:04"), m.EndsAt.In(loc).Format("15:04"), m.Mode.Label())
	if m.Place != "" {
		fmt.Fprintf(&b, "Lieu : %s\n", m.Place)
	}
	if m.RemoteLink != "" {
		fmt.Fprintf(&b, "Connexion à distance : %s\n", m.RemoteLink)
	}
	b.WriteString("\nOrdre du jour :\n")
	for _, it := range c.Agenda {
		fmt.Fprintf(&b, "%d. %s\n", it.Position, it.Title)
	}
	b.WriteString("\nDocuments mis à disposition :\n")
	for _, d := range c.Documents {
		fmt.Fprintf(&b, "- %s\n", d)
	}
	link := h.BaseURL + "/convocation/" + r.Token
	if r.Kind == meetingsmodel.RecipientTitulaire {
		fmt.Fprintf(&b, "\nMerci d'indiquer votre participation (présent(e) sur place ou à distance, remplacé(e) par votre suppléant, procuration, absence) "+
			"avec votre lien personnel, sans mot de passe :\n%s\n", link)
	} else {
		fmt.Fprintf(&b, "\nVotre lien personnel pour consulter la séance, sans mot de passe :\n%s\n", link)
	}
	b.WriteString("Ce lien vous est personnel : ne le transférez pas. Les dossiers se consultent sur le portail, après connexion.\n\n")
	fmt.Fprintf(&b, "Le fichier joint seance-%d.ics ajoute la séance à votre agenda.\n\nLe secrétariat de la commission\n", m.ID)
	return b.String()
}

// queueConvocation queues each recipient's copy with the .ics, in tx (the
// convocation's transaction), and records the deliveries.
func (h *Handler) queueConvocation(ctx context.Context, tx bun.IDB, actor *models.User, commission string, res *meetingsmodel.ConvocationResult) error {
	m := res.Meeting
	ics, err := h.icsOf("", calendar.MethodRequest, commission, *m)
	if err != nil {
		return err
	}
	subject := fmt.Sprintf("Convocation — %s — %s à %s", m.Title(), longDate(m.StartsAt, h.Location), m.StartsAt.In(h.Location).Format("15:04"))
	if m.Urgency {
		subject = "URGENT — " + subject
	}
	ds := make([]meetingsmodel.DeliveryRecord, 0, len(res.Recipients))
	for _, r := range res.Recipients {
		d, err := h.Mailer.Queue(ctx, tx, mail.Message{
			To: []string{r.Email}, Subject: subject, Text: h.convocationText(res, r), Kind: "convocation",
			CommissionID: m.CommissionID, Sensitive: true, Actor: models.ActorFor(actor),
			Attachments: []mail.Attachment{{Filename: fmt.Sprintf("seance-%d.ics", m.ID), ContentType: calendar.ContentType(calendar.MethodRequest), Data: ics}},
		})
		if err != nil {
			return err
		}
		res := d.Results[0]
		ds = append(ds, meetingsmodel.DeliveryRecord{RecipientID: r.ID, OutboxID: res.OutboxID, Status: res.Status, MessageID: res.MessageID})
	}
	return meetingsmodel.RecordConvocationDeliveries(ctx, tx, models.ActorFor(actor), m.CommissionID, res.Convocation.ID, ds, h.Now())
}

// queueCancellation tells the people convened that the session is cancelled, with a
// STATUS:CANCELLED calendar file that removes it from their agenda. It returns how
// many people it queued a message for.
func (h *Handler) queueCancellation(ctx context.Context, tx bun.IDB, actor *models.User, commission string, cr *meetingsmodel.CancelResult) (int, error) {
	m, loc := cr.Meeting, h.Location
	ics, err := h.icsOf("", calendar.MethodCancel, commission, *m)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range cr.Notify {
		if r.User == nil || !r.User.Active {
			continue
		}
		text := fmt.Sprintf("Bonjour %s,\n\nLa séance de la %s prévue le %s à %s (%s) est annulée.\nMotif : %s\n\n"+
			"Le fichier joint retire la séance de votre agenda. Une nouvelle convocation vous parviendra si la séance est reportée.\n\nLe secrétariat de la commission\n",
			r.User.Name, commission, longDate(m.StartsAt, loc), m.StartsAt.In(loc).Format("15:04"), m.Title(), m.CancelledReason)
		_, err := h.Mailer.Queue(ctx, tx, mail.Message{
			To: []string{r.Email}, Subject: "Annulation — " + m.Title() + " — " + longDate(m.StartsAt, loc), Text: text, Kind: "convocation_cancel",
			CommissionID: m.CommissionID, Actor: models.ActorFor(actor),
			Attachments: []mail.Attachment{{Filename: fmt.Sprintf("seance-%d.ics", m.ID), ContentType: calendar.ContentType(calendar.MethodCancel), Data: ics}},
		})
		if err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
