package web

import (
	"bytes"
	"html/template"

	"github.com/gofiber/fiber/v2"

	"seance/models"
)

const (
	userLocal       = "web.user"
	commissionLocal = "web.commission"
	siteLocal       = "web.site"
)

// Site is what every page shows about the instance.
type Site struct {
	Demo    bool
	BaseURL string
}

// SiteMiddleware makes site available to every render.
func SiteMiddleware(site Site) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(siteLocal, site)
		return c.Next()
	}
}

// SetUser records the signed-in user and their commission (nil for admins and region users).
func SetUser(c *fiber.Ctx, u *models.User, cm *models.Commission) {
	c.Locals(userLocal, u)
	if cm != nil {
		c.Locals(commissionLocal, cm)
	}
}

// User returns the signed-in user, or nil.
func User(c *fiber.Ctx) *models.User {
	u, _ := c.Locals(userLocal).(*models.User)
	return u
}

// Commission returns the signed-in user's commission, or nil.
func Commission(c *fiber.Ctx) *models.Commission {
	cm, _ := c.Locals(commissionLocal).(*models.Commission)
	return cm
}

// Page is the data every template receives; Data holds the page's own values.
type Page struct {
	Title      string
	User       *models.User
	Commission *models.Commission
	Nav        template.HTML // the navigation's list items (navHTML); empty when signed out
	Path       string
	CSRF       string
	Flashes    []Flash
	Site       Site
	Data       fiber.Map
	Errors     map[string]string // field errors of a form, by field name
}

// RenderFragment renders the template name with data on its own, for a page to keep
// (models.Memo) and include: html/template's output, escaped already.
func RenderFragment(c *fiber.Ctx, name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := c.App().Config().Views.Render(&buf, name, data); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// Render renders the page template name (e.g. "home/index") with data.
// data["Title"] sets the page title; data["Errors"] (a map[string]string or a
// models.FieldErrors) the form's field errors, shown next to each field. A template
// that is not a whole page (an htmx fragment) is rendered the same way.
func Render(c *fiber.Ctx, name string, data fiber.Map) error {
	site, _ := c.Locals(siteLocal).(Site)
	u := User(c)
	p := Page{
		User: u, Commission: Commission(c), Nav: navHTML(navFor(u, c.Path())), Path: c.Path(),
		CSRF: SessionOf(c).CSRFToken(), Flashes: takeFlashes(c), Site: site, Data: data,
	}
	if t, ok := data["Title"].(string); ok {
		p.Title = t
	}
	switch e := data["Errors"].(type) {
	case map[string]string:
		p.Errors = e
	case models.FieldErrors:
		p.Errors = e
	}
	c.Type("html", "utf-8")
	return c.Render(name, p)
}
