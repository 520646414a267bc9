package registry_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"seance/app/registry"
	"seance/app/servertest"
	"seance/app/web"
	"seance/models"
	"seance/models/modelstest"
	registrymodel "seance/models/registry"
)

// secretariat returns a signed-in secretariat client and the commission's base path.
func secretariat(t *testing.T, env *servertest.Env) (*servertest.Client, string) {
	t.Helper()
	c := env.Client()
	c.SignIn(t, models.RoleSecretariat)
	return c, registry.Base(env.Commission.ID)
}

func count(t *testing.T, env *servertest.Env, model any) int64 {
	t.Helper()
	n, err := env.DB.NewSelect().Model(model).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSettingsPageValidation(t *testing.T) {
	env := servertest.New(t)
	c, base := secretariat(t, env)
	servertest.Expect(t, "GET settings", c.Get(t, base+"/parametres"), http.StatusOK, "Paramètres de la commission", `value="31"`, "R133-10")
	valid := url.Values{
		"name": {"Commission de la Haute-Garonne"}, "department": {"31"}, "arrete_ref": {"Arrêté n° 31-2026-001"}, "arrete_date": {"2026-01-15"},
		"quorum_rule": {"majority_voting"}, "abstention_rule": {"cast"}, "notice_days": {"7"}, "max_files_per_session": {"25"},
		"min_cell_size": {"10"}, "president_votes": {"1"}, "totp_required_for_members": {"1"}, "retention_months": {"36"},
	}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range valid {
			f[kk] = vv
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"notice under 5 days", with("notice_days", "3"), "ne peut pas être inférieur à 5 jours (R133-8)"},
		{"notice not a number", with("notice_days", "cinq"), "Saisissez un nombre entier."},
		{"department unknown", with("department", "99"), "« 99 » n&#39;est pas un code de département INSEE"},
		{"name missing", with("name", "  "), "Indiquez le nom de la commission."},
		{"too many files", with("max_files_per_session", "500"), "entre 1 et 200"},
		{"min cell size zero", with("min_cell_size", "0"), "entre 1 et 50"},
		{"retention too short", with("retention_months", "3"), "La durée de conservation doit être comprise entre 6 et 120 mois"},
		{"retention not a number", with("retention_months", "deux ans"), "Saisissez un nombre entier."},
		{"quorum rule unknown", with("quorum_rule", "tous"), "Choisissez une règle de quorum."},
		{"abstention rule missing", with("abstention_rule", ""), "Choisissez comment les abstentions sont comptées."},
		{"date unreadable", with("arrete_date", "32/13/2026"), "Date invalide"},
		{"date without arrêté", with("arrete_ref", ""), "Indiquez la référence de l&#39;arrêté de composition."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.PostForm(t, base+"/parametres", tt.form)
			servertest.Expect(t, "POST settings", resp, http.StatusUnprocessableEntity, tt.want, "Le formulaire contient des erreurs")
			if tt.form.Get("name") == valid.Get("name") && !strings.Contains(resp.Body, `value="Commission de la Haute-Garonne"`) {
				t.Errorf("the re-rendered form lost the typed name")
			}
		})
	}
	s, err := models.FindSettings(ctx, env.DB, env.Commission.ID)
	if err != nil || s.NoticeDays != models.DefaultNoticeDays {
		t.Fatalf("settings after refused posts: %+v, %v; want the defaults", s, err)
	}
	servertest.Expect(t, "POST valid settings", c.PostForm(t, base+"/parametres", valid), http.StatusSeeOther)
	servertest.Expect(t, "settings saved", c.Get(t, base+"/parametres"), http.StatusOK, "Les paramètres de la commission sont enregistrés.", `value="7"`, `value="2026-01-15"`)
	s, err = models.FindSettings(ctx, env.DB, env.Commission.ID)
	if err != nil || s.NoticeDays != 7 || s.QuorumRule != models.QuorumMajorityVoting || !s.TOTPRequiredForMembers || s.MinCellSize != 10 || s.RetentionMonths != 36 {
		t.Errorf("settings saved = %+v, %v", s, err)
	}
}

func TestRegistryAccess(t *testing.T) {
	env := servertest.New(t)
	other := modelstest.Commission(t, env.DB, "09")
	base := registry.Base(env.Commission.ID)
	for _, tt := range []struct {
		role   models.Role
		path   string
		status int
	}{
		{models.RoleSecretariat, base + "/composition", http.StatusOK},
		{models.RolePresident, base + "/composition", http.StatusOK},
		{models.RolePresident, base + "/parametres", http.StatusForbidden},
		{models.RoleMember, base + "/composition", http.StatusForbidden},
		{models.RoleAssociation, base + "/associations", http.StatusForbidden},
		{models.RoleSecretariat, registry.Base(other.ID) + "/composition", http.StatusNotFound},
		{models.RoleSecretariat, registry.Base(other.ID) + "/parametres", http.StatusNotFound},
		{models.RoleAdmin, registry.Base(other.ID) + "/parametres", http.StatusOK},
		{models.RoleSecretariat, "/composition", http.StatusSeeOther},
		{models.RoleAdmin, "/composition", http.StatusOK}, // two commissions: a choice
	} {
		t.Run(string(tt.role)+" "+tt.path, func(t *testing.T) {
			c := env.Client()
			c.SignIn(t, tt.role)
			if resp := c.Get(t, tt.path); resp.Status != tt.status {
				t.Fatalf("GET %s as %s = %d, want %d", tt.path, tt.role, resp.Status, tt.status)
			}
		})
	}
	p := env.Client()
	p.SignIn(t, models.RolePresident)
	if resp := p.Get(t, base+"/composition"); strings.Contains(resp.Body, "Ajouter un siège") {
		t.Errorf("the president's composition page offers to change it")
	}
}

// today is the server's calendar day.
func today(env *servertest.Env) time.Time { return models.CalendarDay(env.Clock()) }

func TestCompositionPageWarnings(t *testing.T) {
	env := servertest.New(t)
	cid := env.Commission.ID
	ddets := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryDDETS, "Directrice départementale")
	doctor := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryDoctor, "Médecin désigné")
	vacant := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryGendarmerie, "Commandant du groupement")
	ending := today(env).AddDate(0, 0, 45).AddDate(-registrymodel.TermYears, 0, 1)
	modelstest.Appoint(t, env.DB, ddets, registrymodel.MandateTitulaire, "directrice@example.org", ending)
	modelstest.Appoint(t, env.DB, doctor, registrymodel.MandateTitulaire, "medecin@example.org", today(env).AddDate(-1, 0, 0))

	c, base := secretariat(t, env)
	resp := c.Get(t, base+"/composition")
	servertest.Expect(t, "composition", resp, http.StatusOK,
		"2. Direction départementale de l&#39;emploi",
		"Nom de directrice@example.org", "Fin dans 45 jours", "dans 45 jours.",
		"Siège vacant", "Nommer le titulaire",
		"une place de suppléant est vacante.", "Nommer un suppléant",
		"Une personnalité qualifiée ne peut pas être suppléée (R133-3).",
		"Aucun siège pour la catégorie « Police judiciaire » (R121-12-7).",
		"<strong>3</strong> sièges", "<strong>1</strong> vacant(s)", "Quorum : <strong>2</strong>",
		`id="siege-`+itoaT(vacant.ID)+`"`,
	)
	seat := c.Get(t, base+"/sieges/"+itoaT(ddets.ID))
	servertest.Expect(t, "seat page", seat, http.StatusOK, "Historique du siège", "Nom de directrice@example.org", "Modifier le siège")
}

func itoaT(n int64) string { return strconv.FormatInt(n, 10) }

func TestAppointRulesGiveFrenchErrors(t *testing.T) {
	env := servertest.New(t)
	cid := env.Commission.ID
	ddets := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryDDETS, "Directrice départementale")
	doctor := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryDoctor, "Médecin désigné")
	start := today(env).AddDate(0, -2, 0)
	modelstest.Appoint(t, env.DB, ddets, registrymodel.MandateTitulaire, "directrice@example.org", start)
	modelstest.Appoint(t, env.DB, ddets, registrymodel.MandateSuppleant, "adjoint@example.org", start)
	c, base := secretariat(t, env)
	servertest.Expect(t, "appoint form", c.Get(t, base+"/sieges/"+itoaT(doctor.ID)+"/nommer?role=suppleant"), http.StatusOK, "Nommer un membre", `value="suppleant" checked`)

	form := func(kind, email, startsOn, ends, arrete string) url.Values {
		return url.Values{"kind": {kind}, "email": {email}, "name": {"Nouvelle Personne"}, "starts_on": {startsOn}, "term_ends_on": {ends}, "arrete_ref": {arrete}}
	}
	d := func(t time.Time) string { return t.Format(time.DateOnly) }
	for _, tt := range []struct {
		name string
		seat *registrymodel.Seat
		form url.Values
		want string
	}{
		{"suppléant of a qualified person", doctor, form("suppleant", "nouvelle@example.org", d(start), "", "arrêté 2"), "Une personnalité qualifiée ne peut pas être suppléée (R133-3)."},
		{"second titulaire", ddets, form("titulaire", "nouvelle@example.org", d(start), "", "arrêté 2"), "Ce siège a déjà un titulaire sur cette période"},
		{"no free suppléant place", ddets, form("suppleant", "nouvelle@example.org", d(start), "", "arrêté 2"), "Toutes les places de suppléant de ce siège sont pourvues"},
		{"person already sitting", doctor, form("titulaire", "adjoint@example.org", d(start), "", "arrêté 2"), "Cette personne siège déjà dans la commission"},
		{"account of another role", doctor, form("titulaire", "secretariat@test.example", d(start), "", "arrêté 2"), "ne peut pas siéger dans la commission"},
		{"term over three years", doctor, form("titulaire", "nouvelle@example.org", d(start), d(start.AddDate(3, 0, 1)), "arrêté 2"), "Un mandat dure trois ans au plus"},
		{"end before start", doctor, form("titulaire", "nouvelle@example.org", d(start), d(start.AddDate(0, 0, -1)), "arrêté 2"), "La fin du mandat doit suivre son début."},
		{"no arrêté", doctor, form("titulaire", "nouvelle@example.org", d(start), "", ""), "Indiquez la référence de l&#39;arrêté de nomination."},
		{"unreadable date", doctor, form("titulaire", "nouvelle@example.org", "15/13/2026", "", "arrêté 2"), "Date invalide"},
		{"bad e-mail", doctor, form("titulaire", "pas-une-adresse", d(start), "", "arrêté 2"), "L&#39;adresse électronique n&#39;est pas valide."},
		{"no kind", doctor, form("", "nouvelle@example.org", d(start), "", "arrêté 2"), "Choisissez titulaire ou suppléant."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.PostForm(t, base+"/sieges/"+itoaT(tt.seat.ID)+"/nommer", tt.form)
			servertest.Expect(t, "POST appoint", resp, http.StatusUnprocessableEntity, tt.want, "Le formulaire contient des erreurs")
			if !strings.Contains(resp.Body, `value="`+tt.form.Get("email")+`"`) {
				t.Errorf("the re-rendered form lost the typed e-mail")
			}
		})
	}
	if n := count(t, env, (*registrymodel.Mandate)(nil)); n != 2 {
		t.Fatalf("%d mandates after refused appointments, want 2", n)
	}

	resp := c.PostForm(t, base+"/sieges/"+itoaT(doctor.ID)+"/nommer", form("titulaire", "Nouvelle@Example.org", d(start), "", "arrêté 2"))
	servertest.Expect(t, "valid appointment", resp, http.StatusSeeOther)
	servertest.Expect(t, "composition after", c.Get(t, base+"/composition"), http.StatusOK,
		"Nouvelle Personne est nommé(e) titulaire", "Une invitation à choisir son mot de passe", "Invitation en attente")
	u, err := models.FindUserByEmail(ctx, env.DB, "nouvelle@example.org")
	if err != nil || u.Role != models.RoleMember || u.PasswordHash != "" || u.CommissionIDOrZero() != cid {
		t.Fatalf("new account = %+v, %v", u, err)
	}
	var mails []models.OutboxMessage
	if err := env.DB.NewSelect().Model(&mails).Where("kind = 'invitation'").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(mails) != 1 || mails[0].Recipient != "nouvelle@example.org" || !strings.Contains(mails[0].Body, "/invitation/") {
		t.Fatalf("invitation e-mails = %+v", mails)
	}
}

func TestSeatFormValidation(t *testing.T) {
	env := servertest.New(t)
	c, base := secretariat(t, env)
	servertest.Expect(t, "new seat form", c.Get(t, base+"/sieges/nouveau?categorie=9"), http.StatusOK, `<option value="9" selected>`)
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no category", url.Values{"organisation": {"X"}, "quality": {"Y"}, "suppleant_places": {"1"}}, "Choisissez une des 11 catégories de membres (R121-12-7)."},
		{"suppléant place for the doctor", url.Values{"category": {"9"}, "organisation": {"Ordre"}, "quality": {"Médecin"}, "suppleant_places": {"1"}}, "Une personnalité qualifiée ne peut pas être suppléée (R133-3)."},
		{"association on another category", url.Values{"category": {"2"}, "organisation": {"DDETS"}, "quality": {"Directrice"}, "suppleant_places": {"1"}, "association_id": {"1"}}, "Seuls les sièges d&#39;associations agréées"},
		{"association seat without association", url.Values{"category": {"11"}, "organisation": {"Asso"}, "quality": {"Directrice"}, "suppleant_places": {"1"}}, "doit être rattaché à son association"},
		{"too many places", url.Values{"category": {"2"}, "organisation": {"DDETS"}, "quality": {"Directrice"}, "suppleant_places": {"9"}}, "entre 0 et 5"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			servertest.Expect(t, "POST seat", c.PostForm(t, base+"/sieges/nouveau", tt.form), http.StatusUnprocessableEntity, tt.want)
		})
	}
	resp := c.PostForm(t, base+"/sieges/nouveau", url.Values{"category": {"2"}, "organisation": {"DDETS 31"}, "quality": {"Directrice"}, "suppleant_places": {"1"}, "voting_right": {"1"}})
	servertest.Expect(t, "valid seat", resp, http.StatusSeeOther)
	servertest.Expect(t, "seat page", c.Get(t, resp.Location), http.StatusOK, "Siège créé : DDETS 31 — Directrice.", "Supprimer ce siège")
	servertest.Expect(t, "delete", c.PostForm(t, resp.Location+"/supprimer", nil), http.StatusSeeOther)
	if n := count(t, env, (*registrymodel.Seat)(nil)); n != 0 {
		t.Errorf("%d seats after deletion, want 0", n)
	}
}

var mandateLink = regexp.MustCompile(`/mandats/(\d+)/remplacer`)

func TestReplaceRenewEndAndDeactivate(t *testing.T) {
	env := servertest.New(t)
	cid := env.Commission.ID
	gend := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryGendarmerie, "Commandant du groupement")
	member := env.Users[models.RoleMember]
	start := today(env).AddDate(-1, 0, 0)
	res := modelstest.Appoint(t, env.DB, gend, registrymodel.MandateTitulaire, "colonel@example.org", start)
	if _, err := registrymodel.Appoint(ctx, env.DB, models.SystemActor("test"), cid, registrymodel.Appointment{
		SeatID: gend.ID, Kind: registrymodel.MandateSuppleant, Email: member.Email, StartsOn: start, ArreteRef: "arrêté 1",
	}, start); err != nil {
		t.Fatal(err)
	}
	c, base := secretariat(t, env)
	mpath := base + "/mandats/" + itoaT(res.Mandate.ID)

	servertest.Expect(t, "replace form", c.Get(t, mpath+"/remplacer"), http.StatusOK, "pour la durée du mandat restant à courir")
	servertest.Expect(t, "replace too early", c.PostForm(t, mpath+"/remplacer", url.Values{"email": {"colonelle@example.org"}, "name": {"Colonelle Roussel"}, "starts_on": {start.Format(time.DateOnly)}, "arrete_ref": {"arrêté 2"}}),
		http.StatusUnprocessableEntity, "Le remplacement prend effet entre le")
	on := today(env)
	servertest.Expect(t, "replace", c.PostForm(t, mpath+"/remplacer", url.Values{"email": {"colonelle@example.org"}, "name": {"Colonelle Roussel"}, "starts_on": {on.Format(time.DateOnly)}, "arrete_ref": {"arrêté 2"}}), http.StatusSeeOther)
	comp := c.Get(t, base+"/composition")
	servertest.Expect(t, "composition after replacement", comp, http.StatusOK, "Colonelle Roussel est nommé(e) en remplacement de Nom de colonel@example.org", "Colonelle Roussel")
	hist := c.Get(t, base+"/sieges/"+itoaT(gend.ID))
	servertest.Expect(t, "seat history", hist, http.StatusOK, "Nom de colonel@example.org", "Remplacé", "Colonelle Roussel")

	m := mandateLink.FindAllStringSubmatch(comp.Body, -1)
	if len(m) != 2 {
		t.Fatalf("composition links to %d mandates, want 2", len(m))
	}
	next := base + "/mandats/" + m[0][1]
	servertest.Expect(t, "renew form", c.Get(t, next+"/renouveler"), http.StatusOK, "Renouveler un mandat")
	servertest.Expect(t, "renew without arrêté", c.PostForm(t, next+"/renouveler", url.Values{"arrete_ref": {""}}), http.StatusUnprocessableEntity, "Indiquez la référence de l&#39;arrêté de nomination.")
	servertest.Expect(t, "renew", c.PostForm(t, next+"/renouveler", url.Values{"arrete_ref": {"arrêté 3"}}), http.StatusSeeOther)
	servertest.Expect(t, "renewed", c.Get(t, base+"/composition"), http.StatusOK, "renouvelé du")

	// The member signed in on their phone; ending their mandate with deactivation signs them out.
	phone := env.Client()
	phone.SignIn(t, models.RoleMember)
	sup := base + "/mandats/" + m[1][1]
	servertest.Expect(t, "end too late", c.PostForm(t, sup+"/terminer", url.Values{"ended_on": {today(env).AddDate(5, 0, 0).Format(time.DateOnly)}}), http.StatusUnprocessableEntity, "Le dernier jour du mandat est compris entre")
	servertest.Expect(t, "end", c.PostForm(t, sup+"/terminer", url.Values{"ended_on": {today(env).Format(time.DateOnly)}, "deactivate": {"1"}}), http.StatusSeeOther)
	servertest.Expect(t, "flash", c.Get(t, base+"/composition"), http.StatusOK, "Son compte est désactivé")
	if resp := phone.Get(t, "/"); resp.Status != http.StatusSeeOther || resp.Location != "/login" {
		t.Errorf("the deactivated member's session: GET / = %d %q, want redirect to login", resp.Status, resp.Location)
	}
}

func TestPersonPage(t *testing.T) {
	env := servertest.New(t)
	cid := env.Commission.ID
	seat := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryDASEN, "DASEN")
	res := modelstest.Appoint(t, env.DB, seat, registrymodel.MandateTitulaire, "dasen@example.org", today(env).AddDate(0, -1, 0))
	member := env.Users[models.RoleMember]
	c, base := secretariat(t, env)
	page := base + "/personnes/" + itoaT(res.User.ID)
	servertest.Expect(t, "person", c.Get(t, page), http.StatusOK, "Nom de dasen@example.org", "Invitation en attente", "Renvoyer l'invitation", "DASEN")
	servertest.Expect(t, "email taken", c.PostForm(t, page, url.Values{"name": {"Dasen"}, "email": {member.Email}}), http.StatusUnprocessableEntity, "déjà utilisée par un autre compte")
	servertest.Expect(t, "no name", c.PostForm(t, page, url.Values{"name": {""}, "email": {"dasen@example.org"}}), http.StatusUnprocessableEntity, "Indiquez le nom de la personne.")
	servertest.Expect(t, "rename", c.PostForm(t, page, url.Values{"name": {"Directrice académique"}, "email": {"dasen@example.org"}}), http.StatusSeeOther)
	servertest.Expect(t, "invite again", c.PostForm(t, page+"/inviter", nil), http.StatusSeeOther)
	servertest.Expect(t, "renamed", c.Get(t, page), http.StatusOK, "Directrice académique", "Une invitation à choisir son mot de passe")
	servertest.Expect(t, "deactivate", c.PostForm(t, page+"/desactiver", nil), http.StatusSeeOther)
	servertest.Expect(t, "deactivated", c.Get(t, page), http.StatusOK, "ses sessions ont pris fin immédiatement", "Réactiver le compte")
	servertest.Expect(t, "invite deactivated", c.PostForm(t, page+"/inviter", nil), http.StatusUnprocessableEntity, "réactivez-le avant de l&#39;inviter")
	servertest.Expect(t, "reactivate", c.PostForm(t, page+"/activer", nil), http.StatusSeeOther)
	servertest.Expect(t, "not a member", c.Get(t, base+"/personnes/"+itoaT(env.Users[models.RolePresident].ID)), http.StatusNotFound)
}

func TestAssociationPages(t *testing.T) {
	env := servertest.New(t)
	c, base := secretariat(t, env)
	expired := today(env).AddDate(-4, 0, 0)
	old := &registrymodel.Association{CommissionID: env.Commission.ID, Name: "Association Ancienne", AgrementArrete: "arrêté 2021", AgrementDate: expired, Departments: "31"}
	if err := registrymodel.SaveNewAssociation(ctx, env.DB, models.SystemActor("test"), old, env.Clock()); err != nil {
		t.Fatal(err)
	}
	list := c.Get(t, base+"/associations")
	servertest.Expect(t, "list", list, http.StatusOK, "Association Ancienne", "Expiré", `<p class="seance-expired fr-mb-0">Expiré le `)
	if !strings.Contains(list.Body, "Expiré le "+frenchDate(old.AgrementEnds)) {
		t.Errorf("the expired agrément does not show its end date %s", frenchDate(old.AgrementEnds))
	}

	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", url.Values{"agrement_arrete": {"a"}, "agrement_date": {"2025-01-01"}, "departments": {"31"}}, "Indiquez le nom de l&#39;association."},
		{"bad department", url.Values{"name": {"A"}, "agrement_arrete": {"a"}, "agrement_date": {"2025-01-01"}, "departments": {"31, 99"}}, "« 99 » n&#39;est pas un code de département."},
		{"over three years", url.Values{"name": {"A"}, "agrement_arrete": {"a"}, "agrement_date": {"2025-01-01"}, "agrement_ends": {"2028-06-01"}, "departments": {"31"}}, "trois ans au plus"},
		{"no date", url.Values{"name": {"A"}, "agrement_arrete": {"a"}, "departments": {"31"}}, "Indiquez la date de l&#39;agrément."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			servertest.Expect(t, "POST association", c.PostForm(t, base+"/associations/nouvelle", tt.form), http.StatusUnprocessableEntity, tt.want)
		})
	}
	servertest.Expect(t, "create", c.PostForm(t, base+"/associations/nouvelle", url.Values{"name": {"Association Nouvelle"}, "agrement_arrete": {"arrêté 2025"}, "agrement_date": {today(env).AddDate(-1, 0, 0).Format(time.DateOnly)}, "departments": {"31 ; 09"}}), http.StatusSeeOther)
	servertest.Expect(t, "list after create", c.Get(t, base+"/associations"), http.StatusOK, "Association Nouvelle", "31,09", "En cours")

	renew := base + "/associations/" + itoaT(old.ID) + "/renouveler"
	servertest.Expect(t, "renew form", c.Get(t, renew), http.StatusOK, "Renouveler l&#39;agrément", "expiré")
	servertest.Expect(t, "renew before the current one", c.PostForm(t, renew, url.Values{"agrement_arrete": {"arrêté 2025"}, "agrement_date": {expired.AddDate(0, 0, -1).Format(time.DateOnly)}}), http.StatusUnprocessableEntity, "ne peut pas précéder l&#39;agrément en cours")
	servertest.Expect(t, "renew", c.PostForm(t, renew, url.Values{"agrement_arrete": {"arrêté 2025"}, "agrement_date": {today(env).Format(time.DateOnly)}}), http.StatusSeeOther)
	list = c.Get(t, base+"/associations")
	if strings.Contains(list.Body, "seance-expired") {
		t.Errorf("the renewed agrément is still shown expired")
	}
	edit := base + "/associations/" + itoaT(old.ID)
	servertest.Expect(t, "edit form", c.Get(t, edit), http.StatusOK, `value="Association Ancienne"`)
	servertest.Expect(t, "edit", c.PostForm(t, edit, url.Values{"name": {"Association Renommée"}, "agrement_arrete": {"arrêté 2025"}, "agrement_date": {today(env).Format(time.DateOnly)}, "departments": {"31"}}), http.StatusSeeOther)
	servertest.Expect(t, "renamed", c.Get(t, base+"/associations"), http.StatusOK, "Association Renommée")
}

func frenchDate(t time.Time) string { return web.DateFR(t, time.UTC) }

func TestExportDownload(t *testing.T) {
	env := servertest.New(t)
	cid := env.Commission.ID
	seat := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryDDETS, "Directrice départementale")
	start := today(env).AddDate(0, -6, 0)
	modelstest.Appoint(t, env.DB, seat, registrymodel.MandateTitulaire, "directrice@example.org", start)
	modelstest.Appoint(t, env.DB, seat, registrymodel.MandateSuppleant, "adjoint@example.org", start)
	c, base := secretariat(t, env)
	resp := c.Get(t, base+"/composition.xlsx")
	if resp.Status != http.StatusOK {
		t.Fatalf("export: status %d", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "composition-31-") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	f, err := excelize.OpenReader(strings.NewReader(resp.Body))
	if err != nil {
		t.Fatalf("the download is not a workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(registry.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], "|") != strings.Join(registry.Headers(), "|") ||
		rows[1][5] != "directrice@example.org" || rows[2][3] != "Suppléant" || rows[1][6] != start.Format("02/01/2006") {
		t.Fatalf("exported rows = %q", rows)
	}
	p := env.Client()
	p.SignIn(t, models.RolePresident)
	if resp := p.Get(t, base+"/composition.xlsx"); resp.Status != http.StatusOK {
		t.Errorf("president export: %d", resp.Status)
	}
}

// upload posts a workbook to the import form, as a browser does (multipart).
func upload(t *testing.T, c *servertest.Client, path, name string, data []byte) *servertest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.WriteField("csrf", c.CSRF); err != nil {
		t.Fatal(err)
	}
	if name != "" {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(t, req)
}

// workbook writes the current composition plus extra rows.
func workbook(t *testing.T, env *servertest.Env, extra ...registrymodel.CompositionRow) []byte {
	t.Helper()
	rows, err := registrymodel.CompositionRows(ctx, env.DB, env.Commission.ID, env.Clock())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := registry.WriteComposition(&buf, append(rows, extra...)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var importIDRe = regexp.MustCompile(`name="import" value="([^"]+)"`)

func importID(t *testing.T, resp *servertest.Response) string {
	t.Helper()
	m := importIDRe.FindStringSubmatch(resp.Body)
	if m == nil {
		t.Fatalf("no import id in the preview\n%s", resp.Body)
	}
	return m[1]
}

// importSetup makes a DDETS seat with its titulaire and a vacant suppléant place, and
// returns the rows of a new suppléant there and of a new DASEN seat.
func importSetup(t *testing.T, env *servertest.Env) (registrymodel.CompositionRow, registrymodel.CompositionRow) {
	t.Helper()
	seat := modelstest.Seat(t, env.DB, env.Commission.ID, registrymodel.CategoryDDETS, "Directrice départementale")
	modelstest.Appoint(t, env.DB, seat, registrymodel.MandateTitulaire, "directrice@example.org", today(env).AddDate(0, -6, 0))
	day := today(env)
	suppleant := registrymodel.CompositionRow{Category: registrymodel.CategoryDDETS, Organisation: seat.Organisation, Quality: seat.Quality, Kind: registrymodel.MandateSuppleant,
		Name: "Nouvel Adjoint", Email: "nouvel.adjoint@example.org", StartsOn: day, TermEndsOn: registrymodel.DefaultTermEnd(day), ArreteRef: "arrêté import", VotingRight: true}
	dasen := registrymodel.CompositionRow{Category: registrymodel.CategoryDASEN, Organisation: "DSDEN de la Haute-Garonne", Quality: "Directrice académique", Kind: registrymodel.MandateTitulaire,
		Name: "Directrice Académique", Email: "dasen.import@example.org", StartsOn: day, TermEndsOn: registrymodel.DefaultTermEnd(day), ArreteRef: "arrêté import", VotingRight: true}
	return suppleant, dasen
}

func TestImportPreviewThenConfirm(t *testing.T) {
	env := servertest.New(t)
	suppleant, dasen := importSetup(t, env)
	c, base := secretariat(t, env)
	servertest.Expect(t, "import form", c.Get(t, base+"/import"), http.StatusOK, "Importer la composition", "Voir l'aperçu", "Arrêté de nomination")
	servertest.Expect(t, "no file", upload(t, c, base+"/import", "", nil), http.StatusUnprocessableEntity, "Choisissez le fichier Excel")
	servertest.Expect(t, "not a workbook", upload(t, c, base+"/import", "composition.xlsx", []byte("nom;prénom\n")), http.StatusUnprocessableEntity, "n&#39;est pas un classeur Excel")

	seats, mandates, users := count(t, env, (*registrymodel.Seat)(nil)), count(t, env, (*registrymodel.Mandate)(nil)), count(t, env, (*models.User)(nil))
	preview := upload(t, c, base+"/import", "composition.xlsx", workbook(t, env, suppleant, dasen))
	servertest.Expect(t, "preview", preview, http.StatusOK, "Aperçu de l&#39;import", "composition.xlsx",
		"<strong>2</strong> création(s)", "<strong>1</strong> sans changement", "Nouveau siège : DSDEN de la Haute-Garonne — Directrice académique.",
		"Nomination de Nouvel Adjoint (suppléant)", "Confirmer l'import")
	if count(t, env, (*registrymodel.Seat)(nil)) != seats || count(t, env, (*registrymodel.Mandate)(nil)) != mandates || count(t, env, (*models.User)(nil)) != users {
		t.Fatalf("the preview wrote to the composition")
	}
	id := importID(t, preview)
	servertest.Expect(t, "confirm", c.PostForm(t, base+"/import/confirmer", url.Values{"import": {id}}), http.StatusSeeOther)
	servertest.Expect(t, "composition after import", c.Get(t, base+"/composition"), http.StatusOK,
		"Import enregistré : 2 création(s), 0 modification(s), 1 ligne(s) sans changement, 0 fin(s) de mandat.",
		"2 invitation(s) envoyée(s)", "Nouvel Adjoint", "Directrice Académique")
	if got := count(t, env, (*registrymodel.Mandate)(nil)); got != mandates+2 {
		t.Errorf("%d mandates after import, want %d", got, mandates+2)
	}
	var invited []models.OutboxMessage
	if err := env.DB.NewSelect().Model(&invited).Where("kind = 'invitation'").Order("recipient ASC").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(invited) != 2 || invited[0].Recipient != "dasen.import@example.org" || invited[1].Recipient != "nouvel.adjoint@example.org" {
		t.Errorf("invitations = %+v", invited)
	}
	resp := c.PostForm(t, base+"/import/confirmer", url.Values{"import": {id}})
	if resp.Status != http.StatusSeeOther || resp.Location != base+"/import" {
		t.Fatalf("confirming twice: %d %q, want a redirect to the upload form", resp.Status, resp.Location)
	}
	servertest.Expect(t, "flash", c.Get(t, base+"/import"), http.StatusOK, "n&#39;est plus disponible")
	if got := count(t, env, (*registrymodel.Mandate)(nil)); got != mandates+2 {
		t.Errorf("%d mandates after a second confirmation, want %d", got, mandates+2)
	}
}

func TestImportCancelAndForeignConfirmation(t *testing.T) {
	env := servertest.New(t)
	suppleant, _ := importSetup(t, env)
	c, base := secretariat(t, env)
	mandates := count(t, env, (*registrymodel.Mandate)(nil))
	id := importID(t, upload(t, c, base+"/import", "composition.xlsx", workbook(t, env, suppleant)))

	// Another signed-in user cannot confirm the secretariat's upload, even knowing its id.
	a := env.Client()
	a.SignIn(t, models.RoleAdmin)
	resp := a.PostForm(t, base+"/import/confirmer", url.Values{"import": {id}})
	if resp.Status != http.StatusSeeOther || resp.Location != base+"/import" {
		t.Fatalf("confirmation by another user: %d %q, want a redirect to the upload form", resp.Status, resp.Location)
	}
	servertest.Expect(t, "garbage id", c.PostForm(t, base+"/import/confirmer", url.Values{"import": {"../../etc"}}), http.StatusSeeOther)

	servertest.Expect(t, "cancel", c.PostForm(t, base+"/import/annuler", url.Values{"import": {id}}), http.StatusSeeOther)
	servertest.Expect(t, "flash", c.Get(t, base+"/composition"), http.StatusOK, "Import annulé")
	servertest.Expect(t, "confirm after cancel", c.PostForm(t, base+"/import/confirmer", url.Values{"import": {id}}), http.StatusSeeOther)
	if got := count(t, env, (*registrymodel.Mandate)(nil)); got != mandates {
		t.Errorf("%d mandates after a cancelled import, want %d", got, mandates)
	}
}

func TestImportWithErrorsWritesNothing(t *testing.T) {
	env := servertest.New(t)
	suppleant, dasen := importSetup(t, env)
	dasen.Category = 42
	c, base := secretariat(t, env)
	seats, mandates := count(t, env, (*registrymodel.Seat)(nil)), count(t, env, (*registrymodel.Mandate)(nil))
	preview := upload(t, c, base+"/import", "composition.xlsx", workbook(t, env, suppleant, dasen))
	servertest.Expect(t, "preview with errors", preview, http.StatusOK, "Le fichier contient des erreurs", "Catégorie inconnue", "<strong>1</strong> ligne(s) en erreur")
	if strings.Contains(preview.Body, "Confirmer l'import") {
		t.Errorf("a preview with errors offers to confirm")
	}
	resp := c.PostForm(t, base+"/import/confirmer", url.Values{"import": {importID(t, preview)}})
	servertest.Expect(t, "confirm anyway", resp, http.StatusUnprocessableEntity, "rien n&#39;a été enregistré")
	if count(t, env, (*registrymodel.Seat)(nil)) != seats || count(t, env, (*registrymodel.Mandate)(nil)) != mandates {
		t.Errorf("an import with errors wrote to the composition")
	}
}

func TestImportRollsBackWhenTheCompositionChangedSincePreview(t *testing.T) {
	env := servertest.New(t)
	suppleant, dasen := importSetup(t, env)
	member := env.Users[models.RoleMember]
	suppleant.Email, suppleant.Name = member.Email, member.Name // an existing account this time
	c, base := secretariat(t, env)
	seats, mandates, users := count(t, env, (*registrymodel.Seat)(nil)), count(t, env, (*registrymodel.Mandate)(nil)), count(t, env, (*models.User)(nil))
	preview := upload(t, c, base+"/import", "composition.xlsx", workbook(t, env, dasen, suppleant))
	servertest.Expect(t, "preview", preview, http.StatusOK, "<strong>2</strong> création(s)", "Confirmer l'import")

	// Meanwhile the member's account is deactivated: their row is no longer valid.
	if err := models.SetUserActive(ctx, env.DB, models.SystemActor("test"), member.ID, false, env.Clock()); err != nil {
		t.Fatal(err)
	}
	resp := c.PostForm(t, base+"/import/confirmer", url.Values{"import": {importID(t, preview)}})
	servertest.Expect(t, "confirm", resp, http.StatusUnprocessableEntity, "La composition a changé depuis l&#39;aperçu", "désactivé")
	if count(t, env, (*registrymodel.Seat)(nil)) != seats || count(t, env, (*registrymodel.Mandate)(nil)) != mandates || count(t, env, (*models.User)(nil)) != users {
		t.Errorf("a refused import left a seat, a mandate or an account behind (the DASEN row was valid)")
	}
}

// TestCompositionPageFollowsEachWriteDayAndReader checks the composition's body, rendered
// once and kept until the next write (issue 17): the same twice without a write, the
// days left one less at midnight (within the memo's minute), a seat renamed in the
// database shown on the next request, and the president, who reads after the
// secretariat, offered no change.
func TestCompositionPageFollowsEachWriteDayAndReader(t *testing.T) {
	env := servertest.New(t)
	cid := env.Commission.ID
	y, m, d := env.Clock().In(models.Paris).Date()
	env.SetClock(time.Date(y, m, d, 23, 59, 30, 0, models.Paris))
	ddets := modelstest.Seat(t, env.DB, cid, registrymodel.CategoryDDETS, "Directrice départementale")
	modelstest.Appoint(t, env.DB, ddets, registrymodel.MandateTitulaire, "directrice@example.org",
		today(env).AddDate(0, 0, 45).AddDate(-registrymodel.TermYears, 0, 1))

	c, base := secretariat(t, env)
	p := env.Client()
	p.SignIn(t, models.RolePresident)
	first := c.Get(t, base+"/composition")
	servertest.Expect(t, "composition", first, http.StatusOK, "Fin dans 45 jours", "Ajouter un siège")
	bodyOf := func(page string) string { // the CSRF token of the layout's forms changes with each response
		start, end := strings.Index(page, `<ul class="seance-figures`), strings.LastIndex(page, `</section>`)
		if start < 0 || end < start {
			t.Fatalf("the composition has no figures or sections:\n%s", page)
		}
		return page[start:end]
	}
	if again := c.Get(t, base+"/composition"); bodyOf(again.Body) != bodyOf(first.Body) {
		t.Fatal("the same page twice with no write between: the bodies differ")
	}
	env.Advance(40 * time.Second)
	servertest.Expect(t, "composition after midnight", c.Get(t, base+"/composition"), http.StatusOK, "Fin dans 44 jours")

	if _, err := env.DB.NewUpdate().Table("seats").Set("organisation = ?", "DDETS de la Haute-Garonne").Where("id = ?", ddets.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	servertest.Expect(t, "composition after a write", c.Get(t, base+"/composition"), http.StatusOK, "DDETS de la Haute-Garonne")
	if r := p.Get(t, base+"/composition"); r.Status != http.StatusOK || strings.Contains(r.Body, "Ajouter un siège") || strings.Contains(r.Body, "/remplacer") {
		t.Fatalf("the president's composition (%d) offers the secretariat's changes", r.Status)
	}
}
