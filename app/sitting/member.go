package sitting

import (
	"errors"
	"fmt"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	sittingmodel "seance/models/sitting"
)

func memberVotePath(id int64) string { return fmt.Sprintf("/votes/%d", id) }

// MyVotes is a member's page: open votes, sessions where they may declare an interest,
// their receipts and the receipt check.
func (h *Handler) MyVotes(c *fiber.Ctx) error {
	return h.renderMyVotes(c, fiber.Map{})
}

func (h *Handler) renderMyVotes(c *fiber.Ctx, data fiber.Map) error {
	u := web.User(c)
	key := memberPageKey{user: u.ID, role: u.Role, cid: u.CommissionIDOrZero()}
	page, err := h.memberPages.Get(key, h.Now(), func() (*memberPage, error) { return h.loadMemberPage(c, u) })
	if err != nil {
		return err
	}
	var open, closed []sittingmodel.MemberVote
	for _, v := range page.votes {
		if v.Vote.Open(h.Now()) {
			open = append(open, v)
		} else {
			closed = append(closed, v)
		}
	}
	data["Title"] = "Mes votes"
	data["Open"] = open
	data["Closed"] = closed
	data["Sessions"] = page.sessions
	data["ReceiptsHTML"] = page.receiptsHTML
	return web.Render(c, "sitting/votes", data)
}

// memberPage is what /votes shows a member. It depends on the data only (whether a
// vote is still open is decided at each request), so it is kept until the next write:
// computing it takes some forty queries (issue 17).
type memberPage struct {
	votes    []sittingmodel.MemberVote
	sessions []sittingmodel.MemberSession
	receipts []sittingmodel.ReceiptLine
	// receiptsHTML is the table of the receipts (sitting/receipts), rendered once.
	receiptsHTML template.HTML
}

type memberPageKey struct {
	user int64
	role models.Role
	cid  int64
}

func (h *Handler) loadMemberPage(c *fiber.Ctx, u *models.User) (*memberPage, error) {
	ctx := c.UserContext()
	var p memberPage
	var err error
	if p.votes, err = sittingmodel.MemberVotes(ctx, h.DB, u, 30); err != nil {
		return nil, err
	}
	if p.sessions, err = sittingmodel.MemberSessions(ctx, h.DB, u); err != nil {
		return nil, err
	}
	if p.receipts, err = sittingmodel.MyReceipts(ctx, h.DB, u, 50); err != nil {
		return nil, err
	}
	if p.receiptsHTML, err = web.RenderFragment(c, "sitting/receipts", p.receipts); err != nil {
		return nil, err
	}
	return &p, nil
}

// MemberVote is the page on which a member votes on one item and sees their ballot.
func (h *Handler) MemberVote(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderMemberVote(c, id, fiber.Map{})
}

func (h *Handler) renderMemberVote(c *fiber.Ctx, id int64, data fiber.Map) error {
	mv, err := sittingmodel.FindMemberVote(c.UserContext(), h.DB, web.User(c), id)
	if err != nil {
		return err
	}
	data["Title"] = "Vote — " + mv.Item.Title
	data["MV"] = mv
	data["IsOpen"] = mv.Vote.Open(h.Now())
	data["Choices"] = sittingmodel.BallotChoices
	return web.Render(c, "sitting/member_vote", data)
}

// Ballot records the member's ballot (for themselves, or acting for the member they
// represent), or changes it while the vote is open.
func (h *Handler) Ballot(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := sittingmodel.BallotInput{Choice: sittingmodel.BallotChoice(c.FormValue("choice"))}
	if s := c.FormValue("acting_for"); s != "" && s != "0" {
		if in.RepresentedUserID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return fiber.ErrBadRequest
		}
	}
	b, err := sittingmodel.CastBallot(c.UserContext(), h.DB, web.User(c), cidOf(c), id, in, h.Now())
	if errors.Is(err, sittingmodel.ErrRecusedVoter) {
		// The vote's page is not a recused member's (it answers 404): the refusal is
		// shown on their list of votes.
		return back(c, err, "/votes", "")
	}
	if err != nil {
		return back(c, err, memberVotePath(id), "")
	}
	web.FlashSuccess(c, "Votre vote « "+b.Choice.Label()+" » est enregistré. Reçu : "+sittingmodel.FormatReceipt(b.Receipt)+".")
	return c.Redirect(memberVotePath(id), fiber.StatusSeeOther)
}

// Dissent records the member's dissent on a closed vote.
func (h *Handler) Dissent(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u := web.User(c)
	_, err = sittingmodel.RecordDissent(c.UserContext(), h.DB, h.Keys, u, cidOf(c), id, u.ID, c.FormValue("dissent"), h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderMemberVote(c, id, fiber.Map{"Errors": fe, "DissentText": c.FormValue("dissent")})
	}
	return back(c, err, memberVotePath(id), "Votre opinion divergente est enregistrée : elle figurera au procès-verbal.")
}

// CheckReceipt verifies one of the member's receipts against the audit chain.
func (h *Handler) CheckReceipt(c *fiber.Ctx) error {
	receipt := c.FormValue("receipt")
	check, err := sittingmodel.CheckReceipt(c.UserContext(), h.DB, web.User(c), receipt)
	switch {
	case err == models.ErrNotFound:
		c.Status(fiber.StatusUnprocessableEntity)
		return h.renderMyVotes(c, fiber.Map{"Errors": map[string]string{"receipt": "Ce reçu ne correspond à aucun de vos votes."}, "ReceiptTyped": receipt})
	case err != nil:
		return err
	}
	return h.renderMyVotes(c, fiber.Map{"Check": check, "ReceiptTyped": receipt})
}

// Interest records the member's declared interest in a file of a coming session.
func (h *Handler) Interest(c *fiber.Ctx) error {
	item, err := formID(c, "item_id")
	if err != nil {
		return back(c, err, "/votes", "")
	}
	err = sittingmodel.DeclareItemInterest(c.UserContext(), h.DB, web.User(c), item, c.FormValue("reason"), h.Now())
	return back(c, err, "/votes#seances", "Votre intérêt est déclaré : vous ne verrez plus ce dossier et ne prendrez pas part à son vote.")
}
