package account

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"seance/app/mail"
	"seance/app/web"
	"seance/models"
	"seance/models/registry"
	"seance/models/twofactor"
)

// The administrator's account pages (/admin/comptes): the list with each account's
// role, commission or region, state, last sign-in and two-factor status; creating an
// account with its invitation; changing the role within the rules; deactivating and
// reactivating; a new invitation link; the TOTP reset (totp.go).

// AccountForm is the account form, as typed.
type AccountForm struct {
	Name, Email, Role, Commission, Region, Association string
}

// scope reads the role and where it applies; unreadable ids read as none, which the
// rules then refuse with their message.
func (f AccountForm) scope() models.AccountScope {
	cid, _ := strconv.ParseInt(f.Commission, 10, 64)
	aid, _ := strconv.ParseInt(f.Association, 10, 64)
	return models.AccountScope{Role: models.Role(f.Role), CommissionID: cid, Region: f.Region, AssociationID: aid}
}

func formOf(u *models.User) AccountForm {
	sc := models.ScopeOf(u)
	f := AccountForm{Name: u.Name, Email: u.Email, Role: string(sc.Role), Region: sc.Region}
	if sc.CommissionID != 0 {
		f.Commission = strconv.FormatInt(sc.CommissionID, 10)
	}
	if sc.AssociationID != 0 {
		f.Association = strconv.FormatInt(sc.AssociationID, 10)
	}
	return f
}

func readAccountForm(c *fiber.Ctx) AccountForm {
	return AccountForm{Name: c.FormValue("name"), Email: c.FormValue("email"), Role: c.FormValue("role"),
		Commission: c.FormValue("commission"), Region: c.FormValue("region"), Association: c.FormValue("association")}
}

// option is one choice of a select.
type option struct{ Value, Label string }

// formChoices adds the lists the account form offers.
func (h *Handler) formChoices(ctx context.Context, data fiber.Map) error {
	cs, err := models.ListCommissions(ctx, h.DB, "")
	if err != nil {
		return err
	}
	as, err := registry.ListAllAssociations(ctx, h.DB)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, cm := range cs {
		names[cm.ID] = cm.Department
	}
	opt := func(v, label string) option { return option{Value: v, Label: label} }
	var roles, comms, regions, assoc []option
	for _, r := range models.Roles {
		roles = append(roles, opt(string(r), r.Label()))
	}
	for _, cm := range cs {
		comms = append(comms, opt(strconv.FormatInt(cm.ID, 10), cm.Department+" — "+cm.Name))
	}
	for _, r := range models.Regions {
		regions = append(regions, opt(r.Code, r.Code+" — "+r.Name))
	}
	for _, a := range as {
		assoc = append(assoc, opt(strconv.FormatInt(a.ID, 10), a.Name+" ("+names[a.CommissionID]+")"))
	}
	data["RoleOptions"], data["CommissionOptions"], data["RegionOptions"], data["AssociationOptions"] = roles, comms, regions, assoc
	data["Commissions"] = cs
	return nil
}

// Users lists the accounts, filtered by role, commission and state.
func (h *Handler) Users(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cid, _ := strconv.ParseInt(c.Query("commission"), 10, 64)
	f := models.AccountFilter{Role: models.Role(c.Query("role")), CommissionID: cid, Active: c.Query("actif")}
	rows, err := models.ListAccounts(ctx, h.DB, f)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Comptes", "Rows": rows, "Filter": f}
	if err := h.formChoices(ctx, data); err != nil {
		return err
	}
	return web.Render(c, "account/users", data)
}

// NewUser shows the form creating an account.
func (h *Handler) NewUser(c *fiber.Ctx) error {
	return h.renderNewUser(c, fiber.StatusOK, AccountForm{}, nil)
}

func (h *Handler) renderNewUser(c *fiber.Ctx, status int, f AccountForm, fe models.FieldErrors) error {
	data := fiber.Map{"Title": "Nouveau compte", "Form": f, "Errors": fe}
	if err := h.formChoices(c.UserContext(), data); err != nil {
		return err
	}
	c.Status(status)
	return web.Render(c, "account/user_new", data)
}

// CreateUser creates an account and e-mails its invitation link.
func (h *Handler) CreateUser(c *fiber.Ctx) error {
	f := readAccountForm(c)
	actor := models.ActorFor(web.User(c))
	u, secret, err := models.CreateAccount(c.UserContext(), h.DB, actor, f.Name, f.Email, f.scope(), h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderNewUser(c, fiber.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Le compte de "+u.Name+" ("+u.Role.Label()+") est créé.")
	flashSent(c, u, h.sendInvitation(c.UserContext(), actor, u, secret))
	return c.Redirect(userPath(u.ID), fiber.StatusSeeOther)
}

func userPath(id int64) string { return "/admin/comptes/" + strconv.FormatInt(id, 10) }

// target returns the account named by :id.
func (h *Handler) target(c *fiber.Ctx) (*models.User, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindUser(c.UserContext(), h.DB, id)
}

// ShowUser shows an account: its scope form, its state and its actions.
func (h *Handler) ShowUser(c *fiber.Ctx) error {
	u, err := h.target(c)
	if err != nil {
		return err
	}
	return h.renderUser(c, u, fiber.StatusOK, formOf(u), nil)
}

func (h *Handler) renderUser(c *fiber.Ctx, u *models.User, status int, f AccountForm, fe models.FieldErrors) error {
	ctx := c.UserContext()
	st, err := twofactor.TOTPStatusOf(ctx, h.DB, u.ID)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": u.Name, "Account": u, "TOTP": st, "Form": f, "Errors": fe, "Self": u.ID == web.User(c).ID}
	if err := h.formChoices(ctx, data); err != nil {
		return err
	}
	c.Status(status)
	return web.Render(c, "account/user", data)
}

// ChangeRole changes an account's role and scope within the rules; its sessions end.
func (h *Handler) ChangeRole(c *fiber.Ctx) error {
	u, err := h.target(c)
	if err != nil {
		return err
	}
	f := readAccountForm(c)
	f.Name, f.Email = u.Name, u.Email
	err = models.ChangeAccountScope(c.UserContext(), h.DB, models.ActorFor(web.User(c)), u.ID, f.scope(), h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderUser(c, u, fiber.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	web.FlashSuccess(c, "Le rôle de "+u.Name+" est enregistré : ses sessions ont pris fin, ses nouveaux droits s'appliquent à sa prochaine connexion.")
	return c.Redirect(userPath(u.ID), fiber.StatusSeeOther)
}

// SetActive deactivates (ending the sessions at once) or reactivates an account.
func (h *Handler) SetActive(active bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, err := h.target(c)
		if err != nil {
			return err
		}
		err = models.SetAccountActive(c.UserContext(), h.DB, models.ActorFor(web.User(c)), u.ID, active, h.Now())
		if fe, ok := models.AsFieldErrors(err); ok {
			return h.renderUser(c, u, fiber.StatusUnprocessableEntity, formOf(u), fe)
		}
		if err != nil {
			return err
		}
		if active {
			web.FlashSuccess(c, "Le compte de "+u.Name+" est réactivé.")
		} else {
			web.FlashSuccess(c, "Le compte de "+u.Name+" est désactivé : ses sessions ont pris fin immédiatement et ses liens d'invitation ne fonctionnent plus.")
		}
		return c.Redirect(userPath(u.ID), fiber.StatusSeeOther)
	}
}

// Reinvite e-mails a new invitation link (the earlier one stops working).
func (h *Handler) Reinvite(c *fiber.Ctx) error {
	u, err := h.target(c)
	if err != nil {
		return err
	}
	actor := models.ActorFor(web.User(c))
	secret, err := models.InvitePerson(c.UserContext(), h.DB, actor, u.CommissionIDOrZero(), u.ID, h.Now())
	if fe, ok := models.AsFieldErrors(err); ok {
		return h.renderUser(c, u, fiber.StatusUnprocessableEntity, formOf(u), fe)
	}
	if err != nil {
		return err
	}
	flashSent(c, u, h.sendInvitation(c.UserContext(), actor, u, secret))
	return c.Redirect(userPath(u.ID), fiber.StatusSeeOther)
}

// sendInvitation e-mails the invitation link secret, after the transaction that made it.
func (h *Handler) sendInvitation(ctx context.Context, actor models.Actor, u *models.User, secret string) error {
	where := "la plateforme Séance"
	if u.CommissionID != nil {
		if cm, err := models.FindCommission(ctx, h.DB, *u.CommissionID); err == nil {
			where = cm.Name
		}
	} else if u.Role == models.RoleRegion {
		where = "la région " + models.RegionName(u.Region)
	}
	_, err := h.Mailer.Send(ctx, mail.Message{
		To: []string{u.Email}, Subject: "Séance : activez votre compte",
		Text: "Bonjour " + u.Name + ",\n\n" +
			"Un compte « " + u.Role.Label() + " » vous a été ouvert sur le portail Séance pour " + where + ".\n\n" +
			"Pour l'activer, choisissez votre mot de passe en ouvrant ce lien, valable 72 heures et utilisable une seule fois :\n\n" +
			h.BaseURL + InvitationPath + secret + "\n\n" +
			"Votre identifiant est votre adresse électronique : " + u.Email + ".\n" +
			"Si le lien a expiré, demandez-en un nouveau à l'administrateur de la plateforme.\n\n" +
			"— Séance, portail de la commission départementale\n",
		Kind: "invitation", CommissionID: u.CommissionIDOrZero(), Sensitive: true, Actor: actor,
	})
	if err != nil {
		h.Log.Error("invitation e-mail not sent", "user_id", u.ID, "err", err)
	}
	return err
}

// flashSent tells the administrator whether the invitation left.
func flashSent(c *fiber.Ctx, u *models.User, err error) {
	web.FlashInvitation(c, u.Email, err, "la fiche du compte")
}
