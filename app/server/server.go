// Package server builds the Fiber application: middleware, error pages and the route table.
package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/gofiber/template/html/v2"
	"github.com/uptrace/bun"

	"seance/app/account"
	"seance/app/config"
	"seance/app/mail"
	"seance/app/web"
	"seance/jobs"
	"seance/models"
	"seance/views"
)

// Deps are the long-lived values the server needs; main builds them.
type Deps struct {
	DB     *bun.DB
	Config *config.Config
	Log    *slog.Logger
	Now    func() time.Time
	// Mailer sends e-mail over SMTP, or keeps it in the outbox table when SMTP is not
	// configured. Call Send outside any transaction.
	Mailer *mail.Mailer
	// Jobs are the periodic jobs, for the administration page (last and next run, run now).
	Jobs *jobs.Registry
	// Writes counts the writes through DB (models.TrackWrites, called before anything
	// else uses DB): the pages that keep what they computed (the statistics, the
	// dashboard's retention panel) compute it again after each. New makes it when nil.
	Writes *models.Writes
}

// memoMaxAge bounds how long a value computed from the database is kept without a write
// through this process: the writes of other instances on PostgreSQL show after it.
const memoMaxAge = time.Minute

// BodyLimit bounds request bodies: an upload of one attachment (at most 20 MB, with room
// for a clear message about a slightly larger file). Forms without files are bounded
// lower by web.FormLimits.
const BodyLimit = 25 << 20

// ContentSecurityPolicy allows only the portal's own scripts, styles, fonts and images.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// New returns the portal's application.
func New(d Deps) *fiber.App {
	if d.Now == nil {
		panic("server.New: Deps.Now is required (the process's clock, or a test clock)")
	}
	clock := d.Now
	d.Now = func() time.Time { return models.Stamp(clock()) } // one normalisation for every handler
	if d.Writes == nil {
		d.Writes = models.TrackWrites(d.DB)
	}
	engine := html.NewFileSystem(http.FS(fingerprintViews(views.FS)), ".html")
	engine.AddFuncMap(templateFuncs(d.Config.Location))
	app := fiber.New(fiber.Config{
		Views:                 engine,
		Immutable:             true,
		BodyLimit:             BodyLimit,
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(d.Log),
		ReadTimeout:           60 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
	})
	app.Use(recover.New())
	app.Use(clientAddressMiddleware(d.Config))
	app.Use(requestLog(d.Log, d.Now))
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: ContentSecurityPolicy,
		ReferrerPolicy:        "same-origin",
		PermissionPolicy:      "camera=(), microphone=(), geolocation=()",
		// HSTS is set by noStoreAndHSTS: helmet only sends it when the request itself
		// came over TLS, which a portal behind a reverse proxy cannot see.
	}))
	app.Use(noStoreAndHSTS(d.Config.Secure()))
	app.Use(compressText())
	serveStatic(app)
	registerRoutes(app, d)
	return app
}

// HSTS is the Strict-Transport-Security header sent when the base URL is https.
const HSTS = "max-age=31536000; includeSubDomains"

// noStoreAndHSTS forbids browsers and proxies to keep any page, download or fragment
// (they may show an identity or a procès-verbal: a shared computer's cache or history
// must not hold them); only /static files are cached. With an https base URL, every
// answer carries HSTS, whatever the headers the reverse proxy adds.
func noStoreAndHSTS(https bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if https {
			c.Set(fiber.HeaderStrictTransportSecurity, HSTS)
		}
		if !strings.HasPrefix(c.Path(), "/static/") {
			c.Set(fiber.HeaderCacheControl, "no-store")
		}
		return c.Next()
	}
}

// sessionSecret derives the key of the CSRF tokens of unstored sessions from the
// portal's secret key, so that every instance computes the same tokens.
func sessionSecret(cfg *config.Config) []byte {
	if cfg.SecretKey == "" {
		return nil
	}
	mac := hmac.New(sha256.New, []byte(cfg.SecretKey))
	mac.Write([]byte("seance session csrf"))
	return mac.Sum(nil)
}

func requestLog(log *slog.Logger, now func() time.Time) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := now()
		err := c.Next()
		if strings.HasPrefix(c.Path(), "/static/") {
			return err
		}
		status := c.Response().StatusCode()
		if err != nil {
			var fe *fiber.Error
			if errors.As(err, &fe) {
				status = fe.Code
			} else if errors.Is(err, models.ErrNotFound) {
				status = fiber.StatusNotFound
			} else {
				status = fiber.StatusInternalServerError
			}
		}
		// The path only: query strings may carry tokens.
		log.Info("request", "method", c.Method(), "path", redactPath(c.Path()), "status", status, "duration", now().Sub(start).Round(time.Microsecond))
		return err
	}
}

// redactedPrefixes are paths whose rest is a secret token (personal links, calendar
// feeds, invitation, reset and address confirmation links).
var redactedPrefixes = []string{"/convocation/", "/calendrier/", account.InvitationPath, account.ResetPath, account.EmailChangePath}

// redactPath hides the secret part of a path before it is logged.
func redactPath(p string) string {
	for _, prefix := range redactedPrefixes {
		if strings.HasPrefix(p, prefix) {
			return prefix + "[secret]"
		}
	}
	return p
}

// frenchStatus gives a French title and message for the statuses users meet.
var frenchStatus = map[int][2]string{
	400: {"Requête incorrecte", "La requête envoyée n'est pas valide."},
	401: {"Connexion requise", "Vous devez vous connecter pour accéder à cette page."},
	403: {"Accès refusé", "Vous n'avez pas accès à cette page."},
	404: {"Page introuvable", "La page que vous cherchez n'existe pas, ou vous n'y avez pas accès."},
	405: {"Action impossible", "Cette action n'est pas permise sur cette page."},
	409: {"Conflit", "Cette action entre en conflit avec une modification récente. Rechargez la page."},
	413: {"Fichier trop volumineux", "Le fichier ou le formulaire envoyé dépasse la taille autorisée (20 Mo par pièce jointe)."},
	422: {"Données invalides", "Les données envoyées ne sont pas valides."},
	429: {"Trop de requêtes", "Trop de requêtes en peu de temps. Patientez quelques minutes."},
	500: {"Erreur du service", "Une erreur inattendue est survenue. L'équipe technique a été prévenue ; réessayez plus tard."},
	503: {"Service indisponible", "Le service est momentanément indisponible. Réessayez dans quelques minutes."},
}

// apiStatus replaces, for the API, the messages of frenchStatus that speak of pages.
var apiStatus = map[int]string{
	401: "Authentification requise : envoyez un jeton d'API dans l'en-tête Authorization.",
	403: "Vous n'avez pas accès à cette ressource.",
	404: "Ressource introuvable, ou vous n'y avez pas accès.",
	405: "Méthode non permise : l'API est en lecture seule (GET).",
}

func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		code := fiber.StatusInternalServerError
		var msg string
		var fe *fiber.Error
		refusal, refused := models.AsRefusal(err)
		switch {
		case errors.Is(err, models.ErrNotFound):
			code = fiber.StatusNotFound
		case refused:
			// A rule's refusal the handler did not answer itself (web.Refused): its
			// message, with 422 for a form's values and 409 for the state of things.
			code, msg = fiber.StatusConflict, refusal.Error()
			if len(refusal.Fields) > 0 {
				code = fiber.StatusUnprocessableEntity
			}
		case errors.As(err, &fe):
			code = fe.Code
			// Our own errors carry a French message; Fiber's generic ones do not, nor
			// those of a request the server could not read (a malformed multipart body…),
			// which reach no route: fasthttp's English reason is not shown.
			if fe.Message != utils.StatusMessage(fe.Code) && !strings.HasPrefix(fe.Message, "Cannot ") && len(c.Route().Handlers) > 0 {
				msg = fe.Message
			}
		}
		if code >= 500 {
			log.Error("request failed", "method", c.Method(), "path", redactPath(c.Path()), "err", err)
		}
		fr, ok := frenchStatus[code]
		if !ok {
			fr = frenchStatus[500]
			if code < 500 {
				fr = frenchStatus[400]
			}
		}
		api := strings.HasPrefix(c.Path(), "/api/")
		if msg == "" || code >= 500 {
			msg = fr[1]
			if m, ok := apiStatus[code]; ok && api {
				msg = m
			}
		}
		c.Status(code)
		if api || strings.HasPrefix(c.Path(), "/healthz") {
			return c.JSON(fiber.Map{"error": msg, "status": code})
		}
		if rerr := web.Render(c, "errors/error", fiber.Map{"Title": fr[0], "Status": code, "Message": msg}); rerr != nil {
			log.Error("render error page", "err", rerr)
			return c.Type("txt", "utf-8").SendString(fr[0] + " : " + msg)
		}
		return nil
	}
}

func templateFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		// dateFR formats a date as "24 novembre 2026" in the portal's time zone.
		"dateFR": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return web.DateFR(t, loc)
		},
		// dateTimeFR formats a time as "24/11/2026 à 14:30".
		"dateTimeFR": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("02/01/2006 à 15:04")
		},
		// dict builds a map from key/value pairs, to pass several values to a partial:
		// {{template "x/field" dict "Name" "email" "Label" "Adresse" "Page" .}}.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, errors.New("dict: keys must be strings")
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"isoDate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format(time.DateOnly)
		},
	}
}
