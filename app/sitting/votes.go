package sitting

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seance/app/mail"
	"seance/app/web"
	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	sittingmodel "seance/models/sitting"
)

func votePath(meetingID, voteID int64) string {
	return fmt.Sprintf("/sitting/%d/votes/%d", meetingID, voteID)
}

// OpenVote opens the vote on an agenda item (refused without the item's quorum).
func (h *Handler) OpenVote(c *fiber.Ctx) error {
	id, itemID, err := itemParams(c)
	if err != nil {
		return err
	}
	in := sittingmodel.VoteInput{Question: c.FormValue("question"), ProposedAvis: files.Avis(c.FormValue("proposed_avis"))}
	v, err := sittingmodel.OpenVote(c.UserContext(), h.DB, web.User(c), cidOf(c), itemID, in, h.Now())
	if err != nil {
		return back(c, err, consolePath(id)+"#ordre-du-jour", "")
	}
	web.FlashSuccess(c, "Le vote est ouvert.")
	return c.Redirect(votePath(id, v.ID), fiber.StatusSeeOther)
}

// loadVote returns the vote of the route, checking it belongs to the session.
func (h *Handler) loadVote(c *fiber.Ctx) (int64, *sittingmodel.Vote, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return 0, nil, err
	}
	voteID, err := web.ParamID(c, "vote")
	if err != nil {
		return 0, nil, err
	}
	v, err := sittingmodel.FindVote(c.UserContext(), h.DB, cidOf(c), voteID)
	if err != nil {
		return 0, nil, err
	}
	if v.MeetingID != id {
		return 0, nil, models.ErrNotFound
	}
	return id, v, nil
}

// VotePanel is the chair's page of one vote: live tally, who has not voted, the
// secretariat's entry for the room, closing, then the avis and the dissents.
func (h *Handler) VotePanel(c *fiber.Ctx) error {
	_, v, err := h.loadVote(c)
	if err != nil {
		return err
	}
	return h.renderVote(c, v, fiber.Map{})
}

func (h *Handler) renderVote(c *fiber.Ctx, v *sittingmodel.Vote, data fiber.Map) error {
	ctx := c.UserContext()
	t, err := sittingmodel.VoteTally(ctx, h.DB, cidOf(c), v.ID)
	if err != nil {
		return err
	}
	m, err := meetings.FindMeeting(ctx, h.DB, cidOf(c), v.MeetingID)
	if err != nil {
		return err
	}
	ds, err := sittingmodel.ListDissents(ctx, h.DB, h.Keys, cidOf(c), m.ID)
	if err != nil {
		return err
	}
	var dissents []sittingmodel.DissentText
	for _, d := range ds {
		if d.VoteID == v.ID {
			dissents = append(dissents, d)
		}
	}
	if _, ok := data["Avis"]; !ok {
		reasoning, conditions, err := t.Vote.AvisTexts(h.Keys)
		if err != nil {
			return err
		}
		months := ""
		if t.Vote.RecommendedMonths > 0 {
			months = strconv.Itoa(t.Vote.RecommendedMonths)
		}
		data["Avis"] = avisForm{Reasoning: reasoning, Conditions: conditions, Months: months}
	}
	data["Title"] = "Vote — " + t.Item.Title
	data["Tally"] = t
	data["Meeting"] = m
	data["Voters"] = voterOptions(t)
	data["Dissents"] = dissents
	data["Choices"] = sittingmodel.BallotChoices
	data["ChairVotes"] = chairVotes(t, web.User(c).ID)
	return web.Render(c, "sitting/vote", data)
}

// chairVotes reports whether user is the chair expected to vote on the tally's vote.
func chairVotes(t *sittingmodel.Tally, user int64) bool {
	for _, l := range t.Lines {
		if l.Chair && l.VoterUserID == user {
			return true
		}
	}
	return false
}

// voterOptions are the voters the secretariat may enter a named ballot for; those who
// voted online are listed but cannot be chosen.
func voterOptions(t *sittingmodel.Tally) []option {
	var out []option
	for _, l := range t.Lines {
		v := strconv.FormatInt(l.VoterUserID, 10) + ":" + strconv.FormatInt(l.RepresentedUserID, 10)
		label := l.VoterName
		if l.RepresentedUserID != 0 {
			label += " pour " + l.RepresentedName + " (procuration)"
		}
		if l.Chair {
			label += " (présidence)"
		}
		disabled := false
		if b := l.Ballot; b != nil {
			label += " — a voté " + strings.ToLower(b.Choice.Label()) + " (" + b.ChannelLabel() + ")"
			disabled = b.Channel == sittingmodel.ChannelOnline // only the voter changes it
		}
		out = append(out, option{Value: v, Label: label, Disabled: disabled})
	}
	return out
}

// Tally is the htmx fragment of a vote's live tally.
func (h *Handler) Tally(c *fiber.Ctx) error {
	_, v, err := h.loadVote(c)
	if err != nil {
		return err
	}
	t, err := sittingmodel.VoteTally(c.UserContext(), h.DB, cidOf(c), v.ID)
	if err != nil {
		return err
	}
	return web.Render(c, "sitting/tally", fiber.Map{"Tally": t})
}

// RoomBallot records a named ballot entered by the secretariat for a voter in the room.
func (h *Handler) RoomBallot(c *fiber.Ctx) error {
	id, v, err := h.loadVote(c)
	if err != nil {
		return err
	}
	voter, represented, _ := strings.Cut(c.FormValue("voter"), ":")
	in := sittingmodel.BallotInput{Choice: sittingmodel.BallotChoice(c.FormValue("choice"))}
	in.VoterUserID, _ = strconv.ParseInt(voter, 10, 64)
	in.RepresentedUserID, _ = strconv.ParseInt(represented, 10, 64)
	if in.VoterUserID <= 0 {
		return back(c, models.FieldErrors{"voter": "Choisissez le votant."}.Err(), votePath(id, v.ID), "")
	}
	_, err = sittingmodel.CastBallot(c.UserContext(), h.DB, web.User(c), cidOf(c), v.ID, in, h.Now())
	return back(c, err, votePath(id, v.ID), "Vote enregistré.")
}

// CloseVote closes the vote, with the room's count if given, and computes the result.
// While voters present or represented have not voted, the first request answers with
// the page asking to confirm, naming them; the confirmation posts confirm=1.
func (h *Handler) CloseVote(c *fiber.Ctx) error {
	id, v, err := h.loadVote(c)
	if err != nil {
		return err
	}
	room, fe := roomCount(c)
	var closed *sittingmodel.Vote
	if len(fe) == 0 {
		in := sittingmodel.CloseVoteInput{Room: room, ConfirmMissing: c.FormValue("confirm") == "1"}
		closed, err = sittingmodel.CloseVote(c.UserContext(), h.DB, web.User(c), cidOf(c), v.ID, in, h.Now())
		if got, ok := models.AsFieldErrors(err); ok {
			fe, err = got, nil
		}
	}
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderVote(c, v, fiber.Map{"Errors": fe, "Room": roomValues(c)})
	}
	var missing *sittingmodel.MissingVoters
	if errors.As(err, &missing) {
		return h.renderVote(c, v, fiber.Map{"Missing": missing, "Room": roomValues(c)})
	}
	if err != nil {
		return back(c, err, votePath(id, v.ID), "")
	}
	if closed.Written {
		h.sendResult(c, closed)
	}
	msg := "Vote clos : " + closed.ResultLabel() + "."
	if nv := closed.NotVotedLabel(); nv != "" {
		msg += " " + nv + "."
	}
	web.FlashSuccess(c, msg)
	return c.Redirect(votePath(id, v.ID), fiber.StatusSeeOther)
}

func roomValues(c *fiber.Ctx) map[string]string {
	return map[string]string{"Yes": c.FormValue("room_yes"), "No": c.FormValue("room_no"), "Abstentions": c.FormValue("room_abstentions")}
}

// avisForm is the avis details form, as typed.
type avisForm struct {
	Reasoning  string
	Conditions string
	Months     string
}

// AvisDetails records the reasoning, conditions and recommended duration of the avis.
func (h *Handler) AvisDetails(c *fiber.Ctx) error {
	id, v, err := h.loadVote(c)
	if err != nil {
		return err
	}
	f := avisForm{Reasoning: c.FormValue("reasoning"), Conditions: c.FormValue("conditions"), Months: strings.TrimSpace(c.FormValue("recommended_months"))}
	d := sittingmodel.AvisDetails{Reasoning: f.Reasoning, Conditions: f.Conditions}
	fe := models.FieldErrors{}
	if f.Months != "" {
		n, err := strconv.Atoi(f.Months)
		if err != nil {
			fe.Add("recommended_months", "Indiquez un nombre de mois, de 1 à 6.")
		}
		d.RecommendedMonths = n
	}
	if len(fe) == 0 {
		err = sittingmodel.RecordAvisDetails(c.UserContext(), h.DB, h.Keys, web.User(c), cidOf(c), v.ID, d, h.Now())
		if got, ok := models.AsFieldErrors(err); ok {
			fe, err = got, nil
		}
	}
	if len(fe) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderVote(c, v, fiber.Map{"Errors": fe, "Avis": f})
	}
	return back(c, err, votePath(id, v.ID), "Motivation de l'avis enregistrée.")
}

// RoomDissent records a dissent a member states in the room.
func (h *Handler) RoomDissent(c *fiber.Ctx) error {
	id, v, err := h.loadVote(c)
	if err != nil {
		return err
	}
	member, err := formID(c, "user_id")
	if err != nil {
		return back(c, err, votePath(id, v.ID), "")
	}
	_, err = sittingmodel.RecordDissent(c.UserContext(), h.DB, h.Keys, web.User(c), cidOf(c), v.ID, member, c.FormValue("dissent"), h.Now())
	return back(c, err, votePath(id, v.ID)+"#opinions", "Opinion divergente enregistrée.")
}

// sendResult e-mails the result of a written vote to every member (décret 2014-1627 art. 6).
func (h *Handler) sendResult(c *fiber.Ctx, v *sittingmodel.Vote) {
	ctx := c.UserContext()
	d, err := sittingmodel.FindItemDeliberation(ctx, h.DB, cidOf(c), v.AgendaItemID)
	if err != nil {
		h.Log.Error("written result: deliberation", "vote", v.ID, "err", err)
		return
	}
	t, err := sittingmodel.VoteTally(ctx, h.DB, cidOf(c), v.ID)
	if err != nil {
		h.Log.Error("written result: tally", "vote", v.ID, "err", err)
		return
	}
	text := fmt.Sprintf("Délibération électronique écrite — résultat\n\nPoint : %s\nQuestion : %s\n\nRésultat : %s\nPour : %d — Contre : %d — Abstentions : %d\nMembres ayant pris part : %d sur %d.\n",
		t.Item.Title, v.Question, v.ResultLabel(), v.Yes, v.No, v.Abstentions, v.Participants, v.Members)
	if v.Avis != "" {
		text += "Avis de la commission : " + v.Avis.Label() + ".\n"
	}
	text += "\nLe détail figure sur le portail : " + h.BaseURL + fmt.Sprintf("/deliberations/%d", d.ID) + "\n"
	h.mailMembers(c, d, "Résultat de la délibération écrite — "+t.Item.Title, text, "deliberation.result")
}

// mailMembers sends a deliberation's message to its participants, outside any
// transaction; a failure is logged and reported to the user, not fatal.
func (h *Handler) mailMembers(c *fiber.Ctx, d *sittingmodel.WrittenDeliberation, subject, text, kind string) {
	ctx := c.UserContext()
	if h.Mailer == nil {
		h.Log.Warn("deliberation mail not sent: no mailer", "deliberation", d.ID, "kind", kind)
		return
	}
	to, err := sittingmodel.DeliberationRecipients(ctx, h.DB, cidOf(c), d.ID)
	if err == nil && len(to) > 0 {
		_, err = h.Mailer.Send(ctx, mail.Message{To: to, Subject: subject, Text: text, Kind: kind, CommissionID: cidOf(c), Actor: models.ActorFor(web.User(c))})
	}
	if err != nil {
		h.Log.Error("deliberation mail", "deliberation", d.ID, "kind", kind, "err", err)
		web.AddFlash(c, "warning", "Le courriel aux membres n'a pas pu être envoyé à tous : vérifiez la page Courriels.")
	}
}
