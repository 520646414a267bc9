package server

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"seance/app/account"
	"seance/app/admin"
	"seance/app/api"
	"seance/app/auth"
	"seance/app/files"
	"seance/app/home"
	"seance/app/legal"
	"seance/app/meetings"
	"seance/app/minutes"
	"seance/app/notices"
	"seance/app/registry"
	"seance/app/sitting"
	"seance/app/stats"
	"seance/app/web"
	"seance/models"
	"seance/models/kvstore"
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

// registryReaders see the composition; only staff changes it.
var registryReaders = []models.Role{models.RoleSecretariat, models.RoleAdmin, models.RolePresident}

func registerRoutes(app *fiber.App, d Deps) {
	store := kvstore.NewStorage(d.DB, d.Now)
	sessions := &web.Sessions{Store: store, Secure: d.Config.Secure(), Now: d.Now, Secret: sessionSecret(d.Config)}
	authH := auth.NewHandler(auth.Handler{DB: d.DB, Sessions: sessions, Log: d.Log, Now: d.Now, Keys: d.Config.Keys, Demo: d.Config.Demo, Location: d.Config.Location}, d.Writes)
	accountH := &account.Handler{DB: d.DB, Keys: d.Config.Keys, Mailer: d.Mailer, Log: d.Log, Now: d.Now, BaseURL: d.Config.BaseURL, Demo: d.Config.Demo,
		Location: d.Config.Location}
	registryH := registry.NewHandler(registry.Handler{DB: d.DB, Keys: d.Config.Keys, Mailer: d.Mailer, Log: d.Log, Now: d.Now, BaseURL: d.Config.BaseURL, Storage: store}, d.Writes, memoMaxAge)
	legalH := &legal.Handler{Operator: legal.Operator{Name: d.Config.Operator, Address: d.Config.OperatorAddress, Email: d.Config.ContactEmail}}
	homeH := home.NewHandler(d.DB, d.Now, d.Config.Location, d.Writes, memoMaxAge)
	adminH := &admin.Handler{DB: d.DB, Jobs: d.Jobs, Now: d.Now, Location: d.Config.Location}
	sessionsH := meetings.NewHandler(meetings.Handler{DB: d.DB, Location: d.Config.Location, BaseURL: d.Config.BaseURL, Mailer: d.Mailer, Log: d.Log, Now: d.Now}, d.Writes, memoMaxAge)
	// Sessions: the chair and the secretariat set agendas and convene (R133-5).
	chair := []models.Role{models.RoleSecretariat, models.RolePresident}
	convened := []models.Role{models.RoleSecretariat, models.RolePresident, models.RoleMember}
	calendarRoles := []models.Role{models.RoleSecretariat, models.RolePresident, models.RoleMember, models.RoleAssociation, models.RolePrefecture}
	filesH := files.NewHandler(files.Handler{DB: d.DB, Keys: d.Config.Keys, Now: d.Now}, d.Writes, memoMaxAge)
	// Who works on individual files (the models check each file's access on top).
	var (
		secretariat   = []models.Role{models.RoleSecretariat}
		associations  = []models.Role{models.RoleAssociation}
		instructors   = []models.Role{models.RoleAssociation, models.RoleSecretariat}
		fileFollowers = []models.Role{models.RoleAssociation, models.RoleSecretariat, models.RolePresident}
		fileViewers   = []models.Role{models.RoleAssociation, models.RoleSecretariat, models.RolePresident, models.RoleMember}
	)
	sittingH := sitting.NewHandler(sitting.Handler{DB: d.DB, Keys: d.Config.Keys, Mailer: d.Mailer, Log: d.Log, Now: d.Now,
		Location: d.Config.Location, BaseURL: d.Config.BaseURL}, d.Writes, memoMaxAge)
	// chair (secretariat and president) and secretariat are declared above.
	president := []models.Role{models.RolePresident}

	voters := []models.Role{models.RoleMember, models.RolePresident}
	minutesH := minutes.NewHandler(minutes.Handler{DB: d.DB, Keys: d.Config.Keys, Now: d.Now}, d.Writes, memoMaxAge)
	// Readers of a procès-verbal; the handler narrows members to their sessions and the
	// prefecture to approved versions.
	minutesReaders := []models.Role{models.RoleSecretariat, models.RolePresident, models.RoleMember, models.RolePrefecture}
	deliberants := []models.Role{models.RoleMember, models.RolePresident, models.RoleSecretariat}
	statsH := stats.NewHandler(d.DB, d.Now, d.Writes, memoMaxAge)
	// Readers of the annual statistics; the secretariat alone sees exact small counts.
	statsReaders := []models.Role{models.RoleSecretariat, models.RolePresident, models.RolePrefecture}
	rollUpReaders := []models.Role{models.RoleRegion, models.RoleAdmin}

	loginLimit := limiter.New(limiter.Config{
		Max: 20, Expiration: 5 * time.Minute, Storage: store,
		KeyGenerator: func(c *fiber.Ctx) string { return "ratelimit:login:" + c.IP() },
		LimitReached: authH.RateLimited,
	})
	forgotLimit := limiter.New(limiter.Config{
		Max: 5, Expiration: 15 * time.Minute, Storage: store,
		KeyGenerator: func(c *fiber.Ctx) string { return "ratelimit:reset:" + c.IP() },
		LimitReached: accountH.ForgotRateLimited,
	})
	apiH := &api.Handler{DB: d.DB, Now: d.Now}
	// Every API call carries a token (no session) and counts against the token's allowance.
	apiCall := []fiber.Handler{api.RequireToken, limiter.New(limiter.Config{
		Max: api.RateLimit, Expiration: api.RateWindow, Storage: store,
		KeyGenerator: api.RateLimitKey, LimitReached: api.RateLimited,
	})}
	// Routes on one object resolve it first: another tenant's object is 404 for every role.
	apiBody := append(slices.Clone(apiCall), apiH.LoadBody)
	apiMeeting := append(slices.Clone(apiCall), apiH.LoadMeeting)
	// Routes open to a user who must still enrol TOTP (auth.Require lets nothing else through).
	enrolment := []fiber.Handler{auth.EnrolmentStep}

	routes := []route{
		{method: "GET", path: "/healthz", public: true, handler: health(d)},
		{method: "GET", path: "/accessibilite", public: true, handler: legalH.Accessibility},
		{method: "GET", path: "/mentions-legales", public: true, handler: legalH.Notice},
		{method: "GET", path: "/donnees-personnelles", public: true, handler: legalH.PersonalData},
		{method: "GET", path: "/login", public: true, handler: authH.ShowLogin},
		{method: "POST", path: "/login", public: true, handler: authH.Login, extra: []fiber.Handler{loginLimit}},
		{method: "POST", path: "/logout", access: anySignedIn, handler: authH.Logout, extra: enrolment},

		{method: "GET", path: "/", access: anySignedIn, handler: homeH.Dashboard},

		// Read API (issue 13): the same roles as the pages they mirror; app/api checks the
		// objects (tenant, member's sessions). Every route here is in app/api/openapi.json.
		{method: "GET", path: api.Base + "/openapi.json", public: true, handler: apiH.Document},
		{method: "GET", path: api.Base + "/me", access: anySignedIn, handler: apiH.Me, extra: apiCall},
		{method: "GET", path: api.Base + "/bodies", access: anySignedIn, handler: apiH.Bodies, extra: apiCall},
		{method: "GET", path: api.Base + "/bodies/:id", access: anySignedIn, handler: apiH.Body, extra: apiBody},
		{method: "GET", path: api.Base + "/bodies/:id/meetings", access: calendarRoles, handler: apiH.Meetings, extra: apiBody},
		{method: "GET", path: api.Base + "/bodies/:id/stats", access: statsReaders, handler: apiH.Stats, extra: apiBody},
		{method: "GET", path: api.Base + "/meetings/:id", access: convened, handler: apiH.Meeting, extra: apiMeeting},
		{method: "GET", path: api.Base + "/meetings/:id/results", access: minutesReaders, handler: apiH.Results, extra: apiMeeting},

		{method: "GET", path: "/admin/audit", access: staff, handler: adminH.Audit},
		{method: "POST", path: "/admin/audit/verify", access: staff, handler: adminH.VerifyAudit},
		{method: "GET", path: "/admin/audit/export", access: staff, handler: adminH.ExportAudit},
		{method: "GET", path: "/admin/outbox", access: adminOnly, handler: adminH.Outbox},
		// Periodic jobs and undelivered e-mail (issue 14)
		{method: "GET", path: "/admin/taches", access: adminOnly, handler: adminH.ListJobs},
		{method: "POST", path: "/admin/taches/:name/executer", access: adminOnly, handler: adminH.RunJob},
		{method: "GET", path: "/courriels/echecs", access: staff, handler: adminH.MailFailures},
		{method: "POST", path: "/courriels/echecs/:id/renvoyer", access: staff, handler: adminH.ResendMail},
		{method: "GET", path: "/admin/commissions", access: adminOnly, handler: registryH.Commissions},
		{method: "GET", path: "/admin/commissions/nouvelle", access: adminOnly, handler: registryH.NewCommission},
		{method: "POST", path: "/admin/commissions/nouvelle", access: adminOnly, handler: registryH.CreateCommission},

		// Sessions, agenda, convocations and replies (issue "Sessions, the agenda built from pending files, and convocations with proof")
		{method: "GET", path: "/seances", access: calendarRoles, handler: sessionsH.Index},
		{method: "POST", path: "/seances/abonnement", access: calendarRoles, handler: sessionsH.CreateFeed},
		{method: "POST", path: "/seances/abonnement/revoquer", access: calendarRoles, handler: sessionsH.RevokeFeed},
		{method: "GET", path: "/seances/nouvelle", access: chair, handler: sessionsH.New},
		{method: "POST", path: "/seances", access: chair, handler: sessionsH.Create},
		{method: "GET", path: "/seances/:id", access: convened, handler: sessionsH.Show},
		{method: "GET", path: "/seances/:id/seance.ics", access: convened, handler: sessionsH.ICS},
		{method: "GET", path: "/seances/:id/modifier", access: chair, handler: sessionsH.Edit},
		{method: "POST", path: "/seances/:id/modifier", access: chair, handler: sessionsH.Update},
		{method: "GET", path: "/seances/:id/proposition", access: chair, handler: sessionsH.Proposal},
		{method: "POST", path: "/seances/:id/proposition", access: chair, handler: sessionsH.AcceptProposal},
		{method: "POST", path: "/seances/:id/ordre-du-jour/dossier", access: chair, handler: sessionsH.AddFile},
		{method: "POST", path: "/seances/:id/ordre-du-jour/point", access: chair, handler: sessionsH.AddItem},
		{method: "POST", path: "/seances/:id/ordre-du-jour/points-habituels", access: chair, handler: sessionsH.AddStanding},
		{method: "POST", path: "/seances/:id/ordre-du-jour/ordre", access: chair, handler: sessionsH.Reorder},
		{method: "POST", path: "/seances/:id/ordre-du-jour/:item/deplacer", access: chair, handler: sessionsH.MoveItem},
		{method: "POST", path: "/seances/:id/ordre-du-jour/:item/retirer", access: chair, handler: sessionsH.RemoveItem},
		{method: "POST", path: "/seances/:id/convocation", access: chair, handler: sessionsH.Convene},
		{method: "POST", path: "/seances/:id/annuler", access: chair, handler: sessionsH.Cancel},
		{method: "GET", path: "/seances/:id/reponses", access: chair, handler: sessionsH.Replies},
		{method: "GET", path: "/seances/:id/reponses/tableau", access: chair, handler: sessionsH.RepliesTable},
		{method: "POST", path: "/seances/:id/reponse", access: []models.Role{models.RoleMember}, handler: sessionsH.MyReply},
		// Personal links: the secret token in the path is the credential (redacted from logs).
		{method: "GET", path: "/convocation/:token", public: true, handler: sessionsH.Link},
		{method: "POST", path: "/convocation/:token", public: true, handler: sessionsH.LinkReply},
		{method: "GET", path: "/calendrier/:token", public: true, handler: sessionsH.Feed},

		// Individual files and the parcours lifecycle (issue "Individual files", screens)
		{method: "GET", path: "/dossiers", access: fileFollowers, handler: filesH.List},
		{method: "GET", path: "/dossiers/arrivee", access: secretariat, handler: filesH.Incoming},
		{method: "GET", path: "/dossiers/nouveau", access: associations, handler: filesH.NewFile},
		{method: "POST", path: "/dossiers/nouveau", access: associations, handler: filesH.Create},
		{method: "GET", path: "/dossiers/:id", access: fileViewers, handler: filesH.Show},
		{method: "POST", path: "/dossiers/:id/identite", access: instructors, handler: filesH.RevealIdentity},
		{method: "GET", path: "/dossiers/:id/personne", access: associations, handler: filesH.EditSituation},
		{method: "POST", path: "/dossiers/:id/personne", access: associations, handler: filesH.SaveSituation},
		{method: "GET", path: "/dossiers/:id/proposition", access: associations, handler: filesH.EditProposal},
		{method: "POST", path: "/dossiers/:id/proposition", access: associations, handler: filesH.SaveProposal},
		{method: "GET", path: "/dossiers/:id/pieces", access: associations, handler: filesH.EditAttachments},
		{method: "POST", path: "/dossiers/:id/pieces", access: instructors, handler: filesH.Upload},
		{method: "POST", path: "/dossiers/:id/pieces/:aid/supprimer", access: instructors, handler: filesH.DeleteAttachment},
		{method: "POST", path: "/dossiers/:id/deposer", access: associations, handler: filesH.Submit},
		{method: "POST", path: "/dossiers/:id/supprimer", access: associations, handler: filesH.DeleteDraft},
		{method: "POST", path: "/dossiers/:id/transition", access: fileFollowers, handler: filesH.Transition},
		{method: "POST", path: "/dossiers/:id/observations", access: instructors, handler: filesH.RecordObservations},
		{method: "POST", path: "/dossiers/:id/notification", access: secretariat, handler: filesH.RecordNotification},
		{method: "POST", path: "/dossiers/:id/recours", access: secretariat, handler: filesH.RecordAppeal},
		{method: "GET", path: "/pieces/:aid", access: fileFollowers, handler: filesH.Download},
		{method: "GET", path: "/parcours", access: fileFollowers, handler: filesH.ListParcours},
		{method: "GET", path: "/parcours/:id", access: fileFollowers, handler: filesH.ShowParcours},
		{method: "POST", path: "/parcours/:id/fin", access: secretariat, handler: filesH.EndParcours},
		{method: "GET", path: "/parcours/:id/periodes/:pid", access: secretariat, handler: filesH.EditRights},
		{method: "POST", path: "/parcours/:id/periodes/:pid", access: secretariat, handler: filesH.SaveRights},
		// Accounts: second step of sign-in, invitations, password reset, TOTP, "Mon compte" (issue 3)
		{method: "GET", path: auth.SecondFactorPath, public: true, handler: authH.ShowSecondFactor},
		{method: "POST", path: auth.SecondFactorPath, public: true, handler: authH.SecondFactor},
		{method: "GET", path: account.InvitationPath + ":token", public: true, handler: accountH.ShowInvitation},
		{method: "POST", path: account.InvitationPath + ":token", public: true, handler: accountH.AcceptInvitation},
		{method: "GET", path: "/mot-de-passe-oublie", public: true, handler: accountH.ShowForgot},
		{method: "POST", path: "/mot-de-passe-oublie", public: true, handler: accountH.Forgot, extra: []fiber.Handler{forgotLimit}},
		{method: "GET", path: account.ResetPath + ":token", public: true, handler: accountH.ShowReset},
		{method: "POST", path: account.ResetPath + ":token", public: true, handler: accountH.Reset},
		{method: "GET", path: "/compte", access: anySignedIn, handler: accountH.Show},
		{method: "GET", path: "/notifications", access: anySignedIn, handler: (&notices.Handler{DB: d.DB}).Index},
		{method: "POST", path: "/compte/mot-de-passe", access: anySignedIn, handler: accountH.ChangePassword},
		{method: "POST", path: "/compte/adresse", access: anySignedIn, handler: accountH.RequestEmailChange},
		{method: "GET", path: account.EmailChangePath + ":token", public: true, handler: accountH.ShowEmailChange},
		{method: "POST", path: account.EmailChangePath + ":token", public: true, handler: accountH.ConfirmEmailChange},
		{method: "POST", path: "/compte/codes-de-secours", access: anySignedIn, handler: accountH.RegenerateCodes},
		{method: "GET", path: api.TokensPath, access: anySignedIn, handler: apiH.Tokens},
		{method: "POST", path: api.TokensPath, access: anySignedIn, handler: apiH.CreateToken},
		{method: "POST", path: api.TokensPath + "/:id/revoquer", access: anySignedIn, handler: apiH.RevokeToken},
		{method: "GET", path: auth.EnrolmentPath, access: anySignedIn, handler: accountH.Enrol, extra: enrolment},
		{method: "POST", path: auth.EnrolmentPath, access: anySignedIn, handler: accountH.ConfirmEnrolment, extra: enrolment},
		{method: "GET", path: auth.EnrolmentPath + "/qr.png", access: anySignedIn, handler: accountH.QRCode, extra: enrolment},
		{method: "POST", path: auth.EnrolmentPath + "/nouvelle-cle", access: anySignedIn, handler: accountH.RestartEnrolment, extra: enrolment},
		{method: "POST", path: auth.EnrolmentPath + "/passer", access: anySignedIn, handler: accountH.SkipEnrolment, extra: enrolment},
		{method: "GET", path: "/admin/comptes", access: adminOnly, handler: accountH.Users},
		{method: "GET", path: "/admin/comptes/nouveau", access: adminOnly, handler: accountH.NewUser},
		{method: "POST", path: "/admin/comptes/nouveau", access: adminOnly, handler: accountH.CreateUser},
		{method: "GET", path: "/admin/comptes/:id", access: adminOnly, handler: accountH.ShowUser},
		{method: "POST", path: "/admin/comptes/:id/role", access: adminOnly, handler: accountH.ChangeRole},
		{method: "POST", path: "/admin/comptes/:id/desactiver", access: adminOnly, handler: accountH.SetActive(false)},
		{method: "POST", path: "/admin/comptes/:id/activer", access: adminOnly, handler: accountH.SetActive(true)},
		{method: "POST", path: "/admin/comptes/:id/inviter", access: adminOnly, handler: accountH.Reinvite},
		{method: "POST", path: "/admin/comptes/:id/double-authentification/reinitialiser", access: adminOnly, handler: accountH.ResetTOTP},

		// Commission registry: settings, composition, seats, mandates, associations, Excel (issue 3)
		{method: "GET", path: "/composition", access: registryReaders, handler: registryH.Entry("composition")},
		{method: "GET", path: "/associations", access: staff, handler: registryH.Entry("associations")},
		{method: "GET", path: "/parametres", access: staff, handler: registryH.Entry("parametres")},
		{method: "GET", path: "/commissions/:cid/parametres", access: staff, handler: registryH.Settings},
		{method: "POST", path: "/commissions/:cid/parametres", access: staff, handler: registryH.SaveSettings},
		{method: "GET", path: "/conservation", access: secretariat, handler: registryH.Entry("conservation")},
		{method: "GET", path: "/commissions/:cid/conservation", access: secretariat, handler: registryH.Retention},
		{method: "GET", path: "/commissions/:cid/composition", access: registryReaders, handler: registryH.Composition},
		{method: "GET", path: "/commissions/:cid/composition.xlsx", access: registryReaders, handler: registryH.Export},
		{method: "GET", path: "/commissions/:cid/import", access: staff, handler: registryH.ImportForm},
		{method: "POST", path: "/commissions/:cid/import", access: staff, handler: registryH.UploadImport},
		{method: "POST", path: "/commissions/:cid/import/confirmer", access: staff, handler: registryH.ConfirmImport},
		{method: "POST", path: "/commissions/:cid/import/annuler", access: staff, handler: registryH.CancelImport},
		{method: "GET", path: "/commissions/:cid/sieges/nouveau", access: staff, handler: registryH.NewSeat},
		{method: "POST", path: "/commissions/:cid/sieges/nouveau", access: staff, handler: registryH.CreateSeat},
		{method: "GET", path: "/commissions/:cid/sieges/:id", access: staff, handler: registryH.Seat},
		{method: "POST", path: "/commissions/:cid/sieges/:id", access: staff, handler: registryH.UpdateSeat},
		{method: "POST", path: "/commissions/:cid/sieges/:id/supprimer", access: staff, handler: registryH.DeleteSeat},
		{method: "GET", path: "/commissions/:cid/sieges/:id/nommer", access: staff, handler: registryH.Appoint},
		{method: "POST", path: "/commissions/:cid/sieges/:id/nommer", access: staff, handler: registryH.SaveAppointment},
		{method: "GET", path: "/commissions/:cid/mandats/:id/remplacer", access: staff, handler: registryH.Replace},
		{method: "POST", path: "/commissions/:cid/mandats/:id/remplacer", access: staff, handler: registryH.SaveReplacement},
		{method: "GET", path: "/commissions/:cid/mandats/:id/terminer", access: staff, handler: registryH.End},
		{method: "POST", path: "/commissions/:cid/mandats/:id/terminer", access: staff, handler: registryH.SaveEnd},
		{method: "GET", path: "/commissions/:cid/mandats/:id/renouveler", access: staff, handler: registryH.Renew},
		{method: "POST", path: "/commissions/:cid/mandats/:id/renouveler", access: staff, handler: registryH.SaveRenewal},
		{method: "GET", path: "/commissions/:cid/personnes/:id", access: staff, handler: registryH.Person},
		{method: "POST", path: "/commissions/:cid/personnes/:id", access: staff, handler: registryH.UpdatePerson},
		{method: "POST", path: "/commissions/:cid/personnes/:id/desactiver", access: staff, handler: registryH.SetActive(false)},
		{method: "POST", path: "/commissions/:cid/personnes/:id/activer", access: staff, handler: registryH.SetActive(true)},
		{method: "POST", path: "/commissions/:cid/personnes/:id/inviter", access: staff, handler: registryH.Invite},
		{method: "GET", path: "/commissions/:cid/associations", access: staff, handler: registryH.Associations},
		{method: "GET", path: "/commissions/:cid/associations/nouvelle", access: staff, handler: registryH.NewAssociation},
		{method: "POST", path: "/commissions/:cid/associations/nouvelle", access: staff, handler: registryH.CreateAssociation},
		{method: "GET", path: "/commissions/:cid/associations/:id", access: staff, handler: registryH.Association},
		{method: "POST", path: "/commissions/:cid/associations/:id", access: staff, handler: registryH.UpdateAssociation},
		{method: "GET", path: "/commissions/:cid/associations/:id/renouveler", access: staff, handler: registryH.RenewAgrement},
		{method: "POST", path: "/commissions/:cid/associations/:id/renouveler", access: staff, handler: registryH.SaveAgrement},
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
		{method: "POST", path: "/deliberations/:id/suspend", access: president, handler: sittingH.Suspend},
		{method: "POST", path: "/deliberations/:id/resume", access: president, handler: sittingH.Resume},
		{method: "POST", path: "/deliberations/:id/contributions", access: voters, handler: sittingH.Contribute},
		// Minutes (issue 7)
		{method: "GET", path: "/proces-verbaux", access: minutesReaders, handler: minutesH.Index},
		{method: "GET", path: "/seances/:id/pv", access: minutesReaders, handler: minutesH.Show},
		{method: "GET", path: "/seances/:id/pv.xlsx", access: minutesReaders, handler: minutesH.XLSX},
		{method: "GET", path: "/seances/:id/pv.pdf", access: minutesReaders, handler: minutesH.PDF},
		{method: "POST", path: "/seances/:id/pv/etablir", access: secretariat, handler: minutesH.Establish},
		{method: "POST", path: "/seances/:id/pv/textes", access: secretariat, handler: minutesH.SaveTexts},
		{method: "POST", path: "/seances/:id/pv/valider", access: president, handler: minutesH.Validate},
		{method: "POST", path: "/seances/:id/pv/soumettre", access: chair, handler: minutesH.Submit},
		{method: "POST", path: "/seances/:id/pv/approuver", access: chair, handler: minutesH.Approve},
		{method: "POST", path: "/seances/:id/pv/corriger", access: chair, handler: minutesH.Correct},
		// Statistics and the annual report (issue 12)
		{method: "GET", path: "/statistiques", access: statsReaders, handler: statsH.Index},
		{method: "GET", path: "/statistiques/rapports", access: statsReaders, handler: statsH.Reports},
		{method: "GET", path: "/statistiques/rapports/:year.xlsx", access: statsReaders, handler: statsH.Workbook},
		{method: "GET", path: "/statistiques/rapports/definitifs/:year.xlsx", access: statsReaders, handler: statsH.FinalWorkbook},
		// Regional and national roll-up (issue 13): aggregated tables only, always masked.
		{method: "GET", path: stats.RegionPath, access: rollUpReaders, handler: statsH.RegionIndex},
		{method: "GET", path: stats.RegionPath + "/rapports/:year.xlsx", access: rollUpReaders, handler: statsH.RegionWorkbook},
	}

	app.Use(web.SiteMiddleware(web.Site{Demo: d.Config.Demo, BaseURL: d.Config.BaseURL}))
	// FormLimits runs before anything reads the form (CSRF does).
	app.Use(authH.BearerToken, sessions.Middleware, authH.LoadUser, web.FormLimits, web.CSRF)
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
