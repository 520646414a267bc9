package sitting

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	"seance/models/meetings"
	sittingmodel "seance/models/sitting"
)

func deliberationPath(id int64) string { return fmt.Sprintf("/deliberations/%d", id) }

// Announce announces the written deliberation of an item and e-mails the announcement
// to the members, as a convocation (décret 2014-1627 art. 3).
func (h *Handler) Announce(c *fiber.Ctx) error {
	id, itemID, err := itemParams(c)
	if err != nil {
		return err
	}
	f := announceForm{ItemID: itemID, StartsAt: c.FormValue("starts_at"), Deadline: c.FormValue("deadline"),
		VotingHours: c.FormValue("voting_hours"), MeansChecked: c.FormValue("means_checked") == "1"}
	in, fe := f.input(h.Location)
	var d *sittingmodel.WrittenDeliberation
	if len(fe) == 0 {
		d, err = sittingmodel.AnnounceDeliberation(c.UserContext(), h.DB, web.User(c), cidOf(c), itemID, in, h.Now())
		if got, ok := models.AsFieldErrors(err); ok {
			fe, err = got, nil
		}
	}
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderConsole(c, id, fiber.Map{"Errors": fe, "Announce": f})
	}
	if err != nil {
		return back(c, err, consolePath(id)+"#ordre-du-jour", "")
	}
	item, err := sittingmodel.FindSittingItem(c.UserContext(), h.DB, cidOf(c), itemID)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("Délibération électronique écrite\n\nLe président de la commission vous convoque à une délibération électronique écrite (ordonnance n° 2014-1329, décret n° 2014-1627) sur le point suivant :\n\n%s\n\nOuverture des échanges : %s\nClôture des échanges au plus tôt : %s\nDurée du vote après la clôture des échanges : %d heures\n\nChaque contribution est communiquée à tous les membres, qui peuvent y répondre. La délibération n'est valable que si la moitié au moins des membres y prennent part.\n\nPortail : %s%s\n",
		item.Title, dateTimeFR(d.StartsAt, h.Location), dateTimeFR(d.Deadline, h.Location), d.VotingHours, h.BaseURL, deliberationPath(d.ID))
	h.mailMembers(c, d, "Convocation — délibération électronique écrite — "+item.Title, text, "deliberation.announce")
	web.FlashSuccess(c, "Délibération écrite annoncée ; l'annonce est envoyée aux membres.")
	return c.Redirect(deliberationPath(d.ID), fiber.StatusSeeOther)
}

// dateTimeFR formats a time as "24/11/2026 à 14:30" in loc.
func dateTimeFR(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("02/01/2006 à 15:04")
}

// Deliberation is the page of a written deliberation: schedule, thread, the chair's
// actions and the vote.
func (h *Handler) Deliberation(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderDeliberation(c, id, fiber.Map{})
}

func (h *Handler) renderDeliberation(c *fiber.Ctx, id int64, data fiber.Map) error {
	ctx := c.UserContext()
	u := web.User(c)
	d, err := sittingmodel.FindDeliberation(ctx, h.DB, cidOf(c), id)
	if err != nil {
		return err
	}
	ok, err := sittingmodel.CanTakePart(ctx, h.DB, u, d)
	if err != nil {
		return err
	}
	if !ok {
		return fiber.NewError(fiber.StatusForbidden, "Vous êtes écarté(e) de ce point (association qui instruit le dossier, ou intérêt déclaré) : vous ne prenez pas part à sa délibération.")
	}
	item, err := sittingmodel.FindSittingItem(ctx, h.DB, cidOf(c), d.AgendaItemID)
	if err != nil {
		return err
	}
	m, err := meetings.FindMeeting(ctx, h.DB, cidOf(c), d.MeetingID)
	if err != nil {
		return err
	}
	cs, err := sittingmodel.ListContributions(ctx, h.DB, h.Keys, u, cidOf(c), d.ID)
	if err != nil {
		return err
	}
	var v *sittingmodel.Vote
	if d.VoteID != nil {
		if v, err = sittingmodel.FindVote(ctx, h.DB, cidOf(c), *d.VoteID); err != nil {
			return err
		}
	}
	now := h.Now()
	data["Title"] = "Délibération écrite — " + item.Title
	data["D"] = d
	data["Item"] = item
	data["Meeting"] = m
	data["Contributions"] = cs
	data["Vote"] = v
	data["Chair"] = u.Role == models.RolePresident
	running := !d.Suspended()
	data["CanWrite"] = d.Status == sittingmodel.DeliberationOpen && running && u.Role != models.RoleSecretariat
	data["MayOpen"] = d.Status == sittingmodel.DeliberationAnnounced && !now.Before(d.StartsAt)
	data["MayCloseDebate"] = d.Status == sittingmodel.DeliberationOpen && running && !now.Before(d.Deadline)
	data["VoteOver"] = v != nil && v.Status == sittingmodel.VoteOpen && running && !v.Open(now)
	data["MaySuspend"] = running && (d.Status == sittingmodel.DeliberationOpen || (v != nil && v.Open(now)))
	if _, ok := data["Resume"]; !ok {
		data["Resume"] = now.Add(24 * time.Hour).In(h.Location).Format(dateTimeLayout)
	}
	if _, ok := data["Extend"]; !ok {
		data["Extend"] = d.Deadline.Add(24 * time.Hour).In(h.Location).Format(dateTimeLayout)
	}
	return web.Render(c, "sitting/deliberation", data)
}

// OpenDeliberation opens the debate with the chair's message, e-mailed to the members.
func (h *Handler) OpenDeliberation(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, err := sittingmodel.OpenDeliberation(c.UserContext(), h.DB, h.Keys, web.User(c), cidOf(c), id, c.FormValue("message"), h.Now())
	if err != nil {
		return back(c, err, deliberationPath(id), "")
	}
	text := fmt.Sprintf("La délibération électronique écrite est ouverte.\n\n%s\n\nLes échanges pourront être clos au plus tôt le %s. Contribuez et répondez sur le portail : %s%s\n",
		c.FormValue("message"), dateTimeFR(d.Deadline, h.Location), h.BaseURL, deliberationPath(d.ID))
	h.mailMembers(c, d, "Ouverture de la délibération écrite", text, "deliberation.open")
	return back(c, nil, deliberationPath(id), "Les échanges sont ouverts ; le message d'ouverture est envoyé aux membres.")
}

// Extend moves the deliberation's deadline later.
func (h *Handler) Extend(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	deadline, ok := parseLocal(c.FormValue("deadline"), h.Location)
	if !ok {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderDeliberation(c, id, fiber.Map{"Errors": map[string]string{"deadline": "Indiquez la nouvelle date et heure de clôture au plus tôt."}, "Extend": c.FormValue("deadline")})
	}
	d, err := sittingmodel.ExtendDeliberation(c.UserContext(), h.DB, h.Keys, web.User(c), cidOf(c), id, deadline, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderDeliberation(c, id, fiber.Map{"Errors": fe, "Extend": c.FormValue("deadline")})
	}
	if err != nil {
		return back(c, err, deliberationPath(id), "")
	}
	h.mailMembers(c, d, "Prolongation de la délibération écrite",
		fmt.Sprintf("Le président prolonge les échanges : clôture au plus tôt le %s.\n\n%s%s\n", dateTimeFR(d.Deadline, h.Location), h.BaseURL, deliberationPath(d.ID)),
		"deliberation.extend")
	return back(c, nil, deliberationPath(id), "Échéance prolongée.")
}

// CloseDebate closes the debate and opens the vote for its window.
func (h *Handler) CloseDebate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	v, err := sittingmodel.CloseDebate(c.UserContext(), h.DB, h.Keys, web.User(c), cidOf(c), id, h.Now())
	if err != nil {
		return back(c, err, deliberationPath(id), "")
	}
	d, err := sittingmodel.FindDeliberation(c.UserContext(), h.DB, cidOf(c), id)
	if err != nil {
		return err
	}
	h.mailMembers(c, d, "Délibération écrite : le vote est ouvert",
		fmt.Sprintf("Les échanges sont clos. Le vote est ouvert jusqu'au %s.\n\nVotez sur le portail : %s%s\n", dateTimeFR(*v.ClosesAt, h.Location), h.BaseURL, memberVotePath(v.ID)),
		"deliberation.vote")
	return back(c, nil, deliberationPath(id), "Échanges clos : le vote est ouvert.")
}

// CloseWrittenVote closes the vote of a written deliberation once its window is over.
func (h *Handler) CloseWrittenVote(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, err := sittingmodel.FindDeliberation(c.UserContext(), h.DB, cidOf(c), id)
	if err != nil {
		return err
	}
	if d.VoteID == nil {
		return back(c, sittingmodel.ErrDebateNotOpen, deliberationPath(id), "")
	}
	v, err := sittingmodel.CloseVote(c.UserContext(), h.DB, web.User(c), cidOf(c), *d.VoteID, sittingmodel.CloseVoteInput{}, h.Now())
	if err != nil {
		return back(c, err, deliberationPath(id), "")
	}
	h.sendResult(c, v)
	return back(c, nil, deliberationPath(id), "Vote clos : "+v.ResultLabel()+". Le résultat est envoyé aux membres.")
}

// Contribute posts a contribution, or an answer to one.
func (h *Handler) Contribute(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var replyTo int64
	if s := c.FormValue("reply_to"); s != "" {
		if replyTo, err = strconv.ParseInt(s, 10, 64); err != nil {
			return fiber.ErrBadRequest
		}
	}
	_, err = sittingmodel.PostContribution(c.UserContext(), h.DB, h.Keys, web.User(c), cidOf(c), id, replyTo, c.FormValue("body"), h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderDeliberation(c, id, fiber.Map{"Errors": fe, "Body": c.FormValue("body"), "ReplyTo": replyTo})
	}
	return back(c, err, deliberationPath(id)+"#echanges", "Contribution publiée : tous les membres la voient.")
}

// Suspend suspends the deliberation after a technical incident (décret 2014-1627
// art. 7), with the chair's reason, and tells the members.
func (h *Handler) Suspend(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, err := sittingmodel.SuspendDeliberation(c.UserContext(), h.DB, h.Keys, web.User(c), cidOf(c), id, c.FormValue("reason"), h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderDeliberation(c, id, fiber.Map{"Errors": fe, "Reason": c.FormValue("reason")})
	}
	if err != nil {
		return back(c, err, deliberationPath(id), "")
	}
	h.mailMembers(c, d, "Délibération écrite suspendue",
		fmt.Sprintf("Le président suspend la délibération électronique écrite à la suite d'un incident technique (décret n° 2014-1627, art. 7).\n\nMotif : %s\n\nElle reprendra sur sa décision ; vous en serez informé(e). %s%s\n",
			d.SuspensionReason, h.BaseURL, deliberationPath(d.ID)), "deliberation.suspend")
	return back(c, nil, deliberationPath(id), "Délibération suspendue ; les membres en sont informés.")
}

// Resume resumes a suspended deliberation with its new deadline (end of the debate's
// earliest closing, or of the vote) and the chair's reason, and tells the members.
func (h *Handler) Resume(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	deadline, ok := parseLocal(c.FormValue("deadline"), h.Location)
	var d *sittingmodel.WrittenDeliberation
	if ok {
		d, err = sittingmodel.ResumeDeliberation(c.UserContext(), h.DB, h.Keys, web.User(c), cidOf(c), id, deadline, c.FormValue("reason"), h.Now())
	} else {
		err = models.FieldErrors{"deadline": "Indiquez la nouvelle échéance (date et heure)."}.Err()
	}
	if fe, ok := models.AsFieldErrors(err); ok {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderDeliberation(c, id, fiber.Map{"Errors": fe, "Resume": c.FormValue("deadline"), "Reason": c.FormValue("reason")})
	}
	if err != nil {
		return back(c, err, deliberationPath(id), "")
	}
	what := "Les échanges pourront être clos au plus tôt le " + dateTimeFR(d.Deadline, h.Location) + "."
	if d.Status == sittingmodel.DeliberationVoting {
		what = "Le vote est ouvert jusqu'au " + dateTimeFR(deadline, h.Location) + "."
	}
	h.mailMembers(c, d, "Reprise de la délibération écrite",
		fmt.Sprintf("Le président reprend la délibération électronique écrite (décret n° 2014-1627, art. 7).\n\nMotif : %s\n\n%s\n\n%s%s\n",
			strings.TrimSpace(c.FormValue("reason")), what, h.BaseURL, deliberationPath(d.ID)), "deliberation.resume")
	return back(c, nil, deliberationPath(id), "Délibération reprise ; les membres en sont informés.")
}
