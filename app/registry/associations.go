package registry

import (
	"github.com/gofiber/fiber/v2"

	"seance/app/web"
	"seance/models"
	registrymodel "seance/models/registry"
)

// Associations lists the approved associations with the state of their agrément:
// expired ones in red with their end date (REGLES requirement 13).
func (h *Handler) Associations(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	as, err := registrymodel.ListAssociationStatuses(c.UserContext(), h.DB, cm.ID, h.Now())
	if err != nil {
		return err
	}
	return render(c, cm, fiber.StatusOK, "registry/associations", fiber.Map{"Title": "Associations agréées", "Associations": as})
}

// AssociationForm is the association form, as typed.
type AssociationForm struct {
	Name, AgrementArrete, AgrementDate, AgrementEnds, Departments, ContactEmail string
}

func associationForm(a *registrymodel.Association) AssociationForm {
	return AssociationForm{
		Name: a.Name, AgrementArrete: a.AgrementArrete, AgrementDate: inputDate(a.AgrementDate),
		AgrementEnds: inputDate(a.AgrementEnds), Departments: a.Departments, ContactEmail: a.ContactEmail,
	}
}

func readAssociationForm(c *fiber.Ctx) AssociationForm {
	return AssociationForm{
		Name: c.FormValue("name"), AgrementArrete: c.FormValue("agrement_arrete"), AgrementDate: c.FormValue("agrement_date"),
		AgrementEnds: c.FormValue("agrement_ends"), Departments: c.FormValue("departments"), ContactEmail: c.FormValue("contact_email"),
	}
}

// apply copies the form onto a and returns every problem found, the model's rules included.
func (f AssociationForm) apply(a *registrymodel.Association) models.FieldErrors {
	fe := models.FieldErrors{}
	a.Name, a.AgrementArrete, a.Departments, a.ContactEmail = f.Name, f.AgrementArrete, f.Departments, f.ContactEmail
	a.AgrementDate = formDate(f.AgrementDate, "agrement_date", fe)
	a.AgrementEnds = formDate(f.AgrementEnds, "agrement_ends", fe)
	return merge(fe, a.Validate())
}

func (h *Handler) renderAssociation(c *fiber.Ctx, cm *models.Commission, a *registrymodel.Association, status int, f AssociationForm, fe models.FieldErrors) error {
	title := "Nouvelle association agréée"
	if a != nil {
		title = a.Name
	}
	return render(c, cm, status, "registry/association", fiber.Map{"Title": title, "Association": a, "Form": f, "Errors": fe})
}

// NewAssociation shows the form of a new association.
func (h *Handler) NewAssociation(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	return h.renderAssociation(c, cm, nil, fiber.StatusOK, AssociationForm{Departments: cm.Department}, nil)
}

// CreateAssociation validates and creates an association.
func (h *Handler) CreateAssociation(c *fiber.Ctx) error {
	cm, err := h.commission(c)
	if err != nil {
		return err
	}
	f := readAssociationForm(c)
	a := &registrymodel.Association{CommissionID: cm.ID}
	if fe := f.apply(a); len(fe) > 0 {
		return h.renderAssociation(c, cm, nil, fiber.StatusUnprocessableEntity, f, fe)
	}
	if err := registrymodel.SaveNewAssociation(c.UserContext(), h.DB, models.ActorFor(web.User(c)), a, h.Now()); err != nil {
		return err
	}
	web.FlashSuccess(c, "Association enregistrée : "+a.Name+".")
	return c.Redirect(Base(cm.ID)+"/associations", fiber.StatusSeeOther)
}

func (h *Handler) association(c *fiber.Ctx) (*models.Commission, *registrymodel.Association, error) {
	cm, err := h.commission(c)
	if err != nil {
		return nil, nil, err
	}
	aid, err := web.ParamID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	a, err := registrymodel.FindAssociation(c.UserContext(), h.DB, cm.ID, aid)
	if err != nil {
		return nil, nil, err
	}
	return cm, a, nil
}

// Association shows the form of an association.
func (h *Handler) Association(c *fiber.Ctx) error {
	cm, a, err := h.association(c)
	if err != nil {
		return err
	}
	return h.renderAssociation(c, cm, a, fiber.StatusOK, associationForm(a), nil)
}

// UpdateAssociation validates and saves an association.
func (h *Handler) UpdateAssociation(c *fiber.Ctx) error {
	cm, a, err := h.association(c)
	if err != nil {
		return err
	}
	f := readAssociationForm(c)
	next := *a
	if fe := f.apply(&next); len(fe) > 0 {
		return h.renderAssociation(c, cm, a, fiber.StatusUnprocessableEntity, f, fe)
	}
	if err := registrymodel.UpdateAssociation(c.UserContext(), h.DB, models.ActorFor(web.User(c)), &next, h.Now()); err != nil {
		return err
	}
	web.FlashSuccess(c, "Association enregistrée : "+next.Name+".")
	return c.Redirect(Base(cm.ID)+"/associations", fiber.StatusSeeOther)
}

// RenewalForm is the form that records the renewal of an agrément.
type RenewalForm struct {
	AgrementArrete, AgrementDate string
}

func (h *Handler) renderRenewal(c *fiber.Ctx, cm *models.Commission, a *registrymodel.Association, status int, f RenewalForm, fe models.FieldErrors) error {
	return render(c, cm, status, "registry/agrement", fiber.Map{
		"Title": "Renouveler l'agrément", "Association": a, "Form": f, "Errors": fe, "Expired": !h.Now().Before(a.AgrementEnds),
	})
}

// RenewAgrement shows the form that renews an agrément for three years.
func (h *Handler) RenewAgrement(c *fiber.Ctx) error {
	cm, a, err := h.association(c)
	if err != nil {
		return err
	}
	return h.renderRenewal(c, cm, a, fiber.StatusOK, RenewalForm{AgrementDate: inputDate(a.AgrementEnds)}, nil)
}

// SaveAgrement records the renewed agrément.
func (h *Handler) SaveAgrement(c *fiber.Ctx) error {
	cm, a, err := h.association(c)
	if err != nil {
		return err
	}
	f := RenewalForm{AgrementArrete: c.FormValue("agrement_arrete"), AgrementDate: c.FormValue("agrement_date")}
	fe := models.FieldErrors{}
	date := formDate(f.AgrementDate, "agrement_date", fe)
	if len(fe) == 0 {
		err = registrymodel.RenewAgrement(c.UserContext(), h.DB, models.ActorFor(web.User(c)), cm.ID, a.ID, f.AgrementArrete, date, h.Now())
		if more, ok := models.AsFieldErrors(err); ok {
			fe, err = more, nil
		}
		if err != nil {
			return err
		}
	}
	if len(fe) > 0 {
		return h.renderRenewal(c, cm, a, fiber.StatusUnprocessableEntity, f, fe)
	}
	web.FlashSuccess(c, "Agrément de "+a.Name+" renouvelé pour trois ans à compter du "+frDate(date)+".")
	return c.Redirect(Base(cm.ID)+"/associations", fiber.StatusSeeOther)
}
