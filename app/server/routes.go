package server

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"seance/app/admin"
	"seance/app/auth"
	"seance/app/home"
	"seance/app/sitting"
	"seance/app/web"
	"seance/models"
)

// route is one line of the route table: who may call it is declared here and nowhere else.
type route struct {
	method  string
	path    string
	access  []models.Role // nil with public false: any signed-in user
	public  bool          // no sign-in needed
	handler fiber.Handler
	extra   []fiber.Handler // route-specific middleware, run before the access check
}

// Role groups used in the table.
var (
	staff       = []models.Role{models.RoleSecretariat, models.RoleAdmin}
	adminOnly   = []models.Role{models.RoleAdmin}
	anySignedIn []models.Role
)

func registerRoutes(app *fiber.App, d Deps) {
	store := models.NewStorage(d.DB)
	store.Now = d.Now
	sessions := &web.Sessions{Store: store, Secure: d.Config.Secure(), Now: d.Now}
	authH := &auth.Handler{DB: d.DB, Sessions: sessions, Log: d.Log, Now: d.Now}
	homeH := &home.Handler{DB: d.DB}
	adminH := &admin.Handler{DB: d.DB}
	sittingH := &sitting.Handler{DB: d.DB, Keys: d.Config.Keys, Mailer: d.Mailer, Log: d.Log, Now: d.Now,
		Location: d.Config.Location, BaseURL: d.Config.BaseURL}
	chair := []models.Role{models.RolePresident, models.RoleSecretariat}
	president := []models.Role{models.RolePresident}
	secretariat := []models.Role{models.RoleSecretariat}
	voters := []models.Role{models.RoleMember, models.RolePresident}
	deliberants := []models.Role{models.RoleMember, models.RolePresident, models.RoleSecretariat}

	loginLimit := limiter.New(limiter.Config{
		Max: 20, Expiration: 5 * time.Minute, Storage: store,
		KeyGenerator: func(c *fiber.Ctx) string { return "ratelimit:login:" + c.IP() },
		LimitReached: authH.RateLimited,
	})

	routes := []route{
		{method: "GET", path: "/healthz", public: true, handler: health(d)},
		{method: "GET", path: "/login", public: true, handler: authH.ShowLogin},
		{method: "POST", path: "/login", public: true, handler: authH.Login, extra: []fiber.Handler{loginLimit}},
		{method: "POST", path: "/logout", access: anySignedIn, handler: authH.Logout},

		{method: "GET", path: "/", access: anySignedIn, handler: homeH.Dashboard},
		{method: "GET", path: "/api/v1/me", access: anySignedIn, handler: homeH.Me},

		{method: "GET", path: "/admin/audit", access: staff, handler: adminH.Audit},
		{method: "POST", path: "/admin/audit/verify", access: staff, handler: adminH.VerifyAudit},
		{method: "GET", path: "/admin/outbox", access: adminOnly, handler: adminH.Outbox},

		// Sitting, quorum and votes (issue 6)
		{method: "GET", path: "/sitting", access: chair, handler: sittingH.Index},
		{method: "GET", path: "/sitting/:id", access: chair, handler: sittingH.Console},
		{method: "GET", path: "/sitting/:id/live", access: chair, handler: sittingH.Live},
		{method: "POST", path: "/sitting/:id/attendance", access: chair, handler: sittingH.SetAttendance},
		{method: "POST", path: "/sitting/:id/attendance/confirm", access: chair, handler: sittingH.ConfirmAll},
		{method: "POST", path: "/sitting/:id/open", access: chair, handler: sittingH.Open},
		{method: "POST", path: "/sitting/:id/presence", access: chair, handler: sittingH.Presence},
		{method: "POST", path: "/sitting/:id/items/:item/current", access: chair, handler: sittingH.CurrentItem},
		{method: "POST", path: "/sitting/:id/items/:item/vote", access: chair, handler: sittingH.OpenVote},
		{method: "POST", path: "/sitting/:id/items/:item/announce", access: president, handler: sittingH.Announce},
		{method: "GET", path: "/sitting/:id/votes/:vote", access: chair, handler: sittingH.VotePanel},
		{method: "GET", path: "/sitting/:id/votes/:vote/tally", access: chair, handler: sittingH.Tally},
		{method: "POST", path: "/sitting/:id/votes/:vote/ballot", access: secretariat, handler: sittingH.RoomBallot},
		{method: "POST", path: "/sitting/:id/votes/:vote/close", access: chair, handler: sittingH.CloseVote},
		{method: "POST", path: "/sitting/:id/votes/:vote/avis", access: chair, handler: sittingH.AvisDetails},
		{method: "POST", path: "/sitting/:id/votes/:vote/dissent", access: secretariat, handler: sittingH.RoomDissent},
		{method: "POST", path: "/sitting/:id/close", access: chair, handler: sittingH.Close},
		{method: "POST", path: "/sitting/:id/no-quorum", access: chair, handler: sittingH.NoQuorum},
		{method: "GET", path: "/votes", access: voters, handler: sittingH.MyVotes},
		{method: "POST", path: "/votes/receipt", access: voters, handler: sittingH.CheckReceipt},
		{method: "POST", path: "/votes/interest", access: voters, handler: sittingH.Interest},
		{method: "GET", path: "/votes/:id", access: voters, handler: sittingH.MemberVote},
		{method: "POST", path: "/votes/:id/ballot", access: voters, handler: sittingH.Ballot},
		{method: "POST", path: "/votes/:id/dissent", access: voters, handler: sittingH.Dissent},
		{method: "GET", path: "/deliberations/:id", access: deliberants, handler: sittingH.Deliberation},
		{method: "POST", path: "/deliberations/:id/open", access: president, handler: sittingH.OpenDeliberation},
		{method: "POST", path: "/deliberations/:id/extend", access: president, handler: sittingH.Extend},
		{method: "POST", path: "/deliberations/:id/close-debate", access: president, handler: sittingH.CloseDebate},
		{method: "POST", path: "/deliberations/:id/close-vote", access: president, handler: sittingH.CloseWrittenVote},
		{method: "POST", path: "/deliberations/:id/contributions", access: voters, handler: sittingH.Contribute},
	}

	app.Use(web.SiteMiddleware(web.Site{Demo: d.Config.Demo, BaseURL: d.Config.BaseURL}))
	app.Use(authH.BearerToken, sessions.Middleware, authH.LoadUser, web.CSRF)
	for _, r := range routes {
		handlers := append([]fiber.Handler{}, r.extra...)
		if !r.public {
			handlers = append(handlers, auth.Require(r.access...))
		}
		handlers = append(handlers, r.handler)
		app.Add(r.method, r.path, handlers...)
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// health answers /healthz with the database status, as JSON.
func health(d Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := d.DB.PingContext(c.UserContext()); err != nil {
			d.Log.Error("health check", "err", err)
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "error", "database": "unreachable"})
		}
		return c.JSON(fiber.Map{"status": "ok", "database": "ok"})
	}
}
