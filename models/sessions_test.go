package models_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"seance/models"
	"seance/models/files"
	"seance/models/meetings"
	"seance/models/modelstest"
	"seance/models/registry"
)

// sessionWorld is the file world plus a composition and two files sessions:
//   - seat "a" (DDETS): titulaire a, suppléant a2;
//   - seat "b" (doctor, never a suppléant) and "c" (gendarmerie, no suppléant appointed);
//   - seat "d": titulaire member_a1, who sits for association 1 (excluded from its files);
//   - session S on 15/06/2026 at 14:00 (Paris), N on 13/07/2026; today is 01/06/2026.
type sessionWorld struct {
	*world
	seats map[string]*registry.Seat
	ids   map[string]int64 // users by short name
	s, n  *meetings.Meeting
	now   time.Time
}

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return l
}()

func newSessionWorld(t *testing.T) *sessionWorld {
	t.Helper()
	w := &sessionWorld{world: newWorld(t), seats: map[string]*registry.Seat{}, ids: map[string]int64{}, now: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	start := modelstest.Date(2025, 1, 6)
	seat := func(name string, cat registry.SeatCategory) *registry.Seat {
		s := modelstest.Seat(t, w.db, w.c.ID, cat, "Qualité "+name)
		w.seats[name] = s
		return s
	}
	w.ids["a"] = modelstest.Appoint(t, w.db, seat("a", registry.CategoryDDETS), registry.MandateTitulaire, "a@test.example", start).User.ID
	w.ids["a2"] = modelstest.Appoint(t, w.db, w.seats["a"], registry.MandateSuppleant, "a2@test.example", start).User.ID
	w.ids["b"] = modelstest.Appoint(t, w.db, seat("b", registry.CategoryDoctor), registry.MandateTitulaire, "b@test.example", start).User.ID
	w.ids["c"] = modelstest.Appoint(t, w.db, seat("c", registry.CategoryGendarmerie), registry.MandateTitulaire, "c@test.example", start).User.ID
	w.ids["d"] = modelstest.Appoint(t, w.db, seat("d", registry.CategoryLocalAuthority), registry.MandateTitulaire, w.users["member_a1"].Email, start).User.ID
	w.s = w.meeting(t, time.Date(2026, 6, 15, 14, 0, 0, 0, paris), 10)
	w.n = w.meeting(t, time.Date(2026, 7, 13, 14, 0, 0, 0, paris), 2)
	return w
}

func (w *sessionWorld) meeting(t *testing.T, start time.Time, capacity int) *meetings.Meeting {
	t.Helper()
	m, err := meetings.CreateMeeting(w.ctx, w.db, models.SystemActor("test"), w.c.ID, meetings.MeetingInput{
		Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: start, Place: "Préfecture, salle Capitole", Capacity: capacity,
	}, w.now)
	if err != nil {
		t.Fatalf("CreateMeeting: %v", err)
	}
	return m
}

// entry runs an authorised entry decided on day at (period of 6 months from then).
func (w *sessionWorld) entry(t *testing.T, name string, at time.Time) int64 {
	t.Helper()
	f := w.request(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person(name, "Ada", 1990), 0), files.DecisionAuthorised, at)
	return *f.ParcoursID
}

// admissible creates a request of kind submitted and declared admissible on day at.
func (w *sessionWorld) admissible(t *testing.T, kind files.FileKind, person string, parcoursID int64, at time.Time) *files.File {
	t.Helper()
	var p *files.PersonInput
	if kind == files.KindEngagement {
		p = modelstest.Person(person, "Joy", 1995)
	}
	f := w.create(t, modelstest.CompleteInput(kind, p, parcoursID), at)
	w.driveTo(t, f.ID, files.StateAdmissible, "", at)
	return w.file(t, f.ID)
}

// orderWorld adds the files of the ordering rule: renewals due on 10/06 (before S: a
// warning) and 20/06 (before N), a renewal due in August (after N), an end request and
// two entries.
type orderFiles struct{ renewJune10, renewJune20, renewAug, end, entryMay10, entryMay20, submitted *files.File }

func (w *sessionWorld) orderFiles(t *testing.T) orderFiles {
	t.Helper()
	p1 := w.entry(t, "Exemple Un", date(2025, 12, 20))   // rights until 19/06/2026
	p2 := w.entry(t, "Exemple Deux", date(2025, 12, 10)) // rights until 09/06/2026
	p3 := w.entry(t, "Exemple Trois", date(2026, 2, 1))  // rights until 31/07/2026
	p4 := w.entry(t, "Exemple Quatre", date(2026, 1, 15))
	var o orderFiles
	o.renewJune20 = w.admissible(t, files.KindRenewal, "", p1, date(2026, 5, 25))
	o.renewJune10 = w.admissible(t, files.KindRenewal, "", p2, date(2026, 5, 28))
	o.renewAug = w.admissible(t, files.KindRenewal, "", p3, date(2026, 5, 5))
	o.end = w.admissible(t, files.KindEnd, "", p4, date(2026, 5, 26))
	o.entryMay20 = w.admissible(t, files.KindEngagement, "Exemple Cinq", 0, date(2026, 5, 20))
	o.entryMay10 = w.admissible(t, files.KindEngagement, "Exemple Six", 0, date(2026, 5, 10))
	// Not admissible yet: never proposed.
	o.submitted = w.create(t, modelstest.CompleteInput(files.KindEngagement, modelstest.Person("Exemple Sept", "Lina", 1999), 0), date(2026, 5, 1))
	w.move(t, "association", o.submitted.ID, files.StateSubmitted, files.TransitionInput{}, date(2026, 5, 2))
	return o
}

func refs(ps []meetings.ProposedFile) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.File.Reference
	}
	return out
}

func TestRule8_AgendaProposalOrderAndCapacity(t *testing.T) {
	w := newSessionWorld(t)
	o := w.orderFiles(t)
	all := []string{o.renewJune10.Reference, o.renewJune20.Reference, o.end.Reference, o.renewAug.Reference, o.entryMay10.Reference, o.entryMay20.Reference}
	for _, tt := range []struct {
		name         string
		capacity     int
		wantProposed []string
		wantLeftOut  []string
		wantFallsToN int // how many left-out files fall to session N (capacity 2)
	}{
		{"room for all", 10, all, nil, 0},
		{"capacity 3", 3, all[:3], all[3:], 2},
		{"capacity 1", 1, all[:1], all[1:], 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := meetings.MeetingInput{Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: w.s.StartsAt, EndsAt: w.s.EndsAt, Place: w.s.Place, Capacity: tt.capacity}
			if _, err := meetings.UpdateMeeting(w.ctx, w.db, w.users["secretariat"], w.c.ID, w.s.ID, in, w.now); err != nil {
				t.Fatal(err)
			}
			p, err := meetings.ProposeAgenda(w.ctx, w.db, w.c.ID, w.s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := refs(p.Proposed); strings.Join(got, ",") != strings.Join(tt.wantProposed, ",") {
				t.Errorf("proposed = %v, want %v", got, tt.wantProposed)
			}
			if got := refs(p.LeftOut); strings.Join(got, ",") != strings.Join(tt.wantLeftOut, ",") {
				t.Errorf("left out = %v, want %v", got, tt.wantLeftOut)
			}
			toN := 0
			for _, l := range p.LeftOut {
				if l.FallsTo != nil && l.FallsTo.ID == w.n.ID {
					toN++
				}
			}
			if toN != tt.wantFallsToN {
				t.Errorf("%d left-out files fall to the next session, want %d", toN, tt.wantFallsToN)
			}
			if p.Next == nil || p.Next.ID != w.n.ID {
				t.Errorf("next session = %v, want N", p.Next)
			}
		})
	}
	// With capacity 1, the renewal due on 20/06 falls to N, after its period: a warning.
	p, err := meetings.ProposeAgenda(w.ctx, w.db, w.c.ID, w.s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.LeftOut[0].Warning == "" || p.LeftOut[0].File.Reference != o.renewJune20.Reference {
		t.Errorf("left out first = %s warning %q, want the renewal due 20/06 with a warning", p.LeftOut[0].File.Reference, p.LeftOut[0].Warning)
	}
	in := meetings.MeetingInput{Kind: meetings.MeetingFiles, Mode: meetings.ModeOnSite, StartsAt: w.s.StartsAt, EndsAt: w.s.EndsAt, Place: w.s.Place, Capacity: 10}
	if _, err := meetings.UpdateMeeting(w.ctx, w.db, w.users["secretariat"], w.c.ID, w.s.ID, in, w.now); err != nil {
		t.Fatal(err)
	}
	if p, err = meetings.ProposeAgenda(w.ctx, w.db, w.c.ID, w.s.ID); err != nil {
		t.Fatal(err)
	}
	for _, pf := range append(p.Proposed, p.LeftOut...) {
		if pf.Reason == "" {
			t.Errorf("%s has no reason", pf.File.Reference)
		}
		switch pf.File.Reference {
		case o.renewJune10.Reference:
			if pf.Group != meetings.GroupRenewalDue || !strings.Contains(pf.Warning, "09/06/2026") {
				t.Errorf("renewal due 10/06: group %d warning %q, want group 1 and a warning naming 09/06/2026", pf.Group, pf.Warning)
			}
		case o.renewJune20.Reference:
			if pf.Group != meetings.GroupRenewalDue || pf.Warning != "" || pf.DueOn == nil || !pf.DueOn.Equal(date(2026, 6, 20)) {
				t.Errorf("renewal due 20/06: group %d warning %q due %v", pf.Group, pf.Warning, pf.DueOn)
			}
		case o.renewAug.Reference:
			if pf.Group != meetings.GroupOther {
				t.Errorf("renewal due in August: group %d, want %d (after the next session)", pf.Group, meetings.GroupOther)
			}
		case o.submitted.Reference:
			t.Errorf("a submitted (not admissible) file is proposed")
		}
	}
}

func TestRule8_OnlyAdmissibleFilesWithAvisGoOnTheAgenda(t *testing.T) {
	w := newSessionWorld(t)
	o := w.orderFiles(t)
	sec := w.users["secretariat"]
	_, err := meetings.AddAgendaFile(w.ctx, w.db, sec, w.c.ID, w.s.ID, o.submitted.ID, "", w.now)
	wantRefusal(t, err, models.FormLevel, "seuls les dossiers recevables")
	if _, err := meetings.AddAgendaFile(w.ctx, w.db, sec, w.c.ID, w.s.ID, o.entryMay10.ID, "", w.now); err != nil {
		t.Fatalf("add an admissible file: %v", err)
	}
	if f := w.file(t, o.entryMay10.ID); f.State != files.StateScheduled || f.SessionID == nil || *f.SessionID != w.s.ID {
		t.Fatalf("after AddAgendaFile: state %s session %v, want scheduled on S", f.State, f.SessionID)
	}
	// A member cannot set the agenda.
	_, err = meetings.AddAgendaFile(w.ctx, w.db, w.users["member"], w.c.ID, w.s.ID, o.entryMay20.ID, "", w.now)
	if !errors.Is(err, meetings.ErrAgendaForbidden) {
		t.Fatalf("member adds a file: error %v, want ErrAgendaForbidden", err)
	}
}

func TestRule8_FileOnOneOpenAgendaOnly(t *testing.T) {
	w := newSessionWorld(t)
	f := w.admissible(t, files.KindEngagement, "Exemple Huit", 0, date(2026, 5, 12))
	sec := w.users["secretariat"]
	item, err := meetings.AddAgendaFile(w.ctx, w.db, sec, w.c.ID, w.s.ID, f.ID, "", w.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*meetings.Meeting{w.n, w.s} {
		_, err = meetings.AddAgendaFile(w.ctx, w.db, sec, w.c.ID, m.ID, f.ID, "", w.now)
		wantRefusal(t, err, models.FormLevel, "un seul ordre du jour")
	}
	if err := meetings.RemoveAgendaItem(w.ctx, w.db, sec, w.c.ID, w.s.ID, item.ID, w.now); err != nil {
		t.Fatal(err)
	}
	if got := w.file(t, f.ID); got.State != files.StateAdmissible || got.SessionID != nil {
		t.Fatalf("after removal: state %s session %v, want admissible without session", got.State, got.SessionID)
	}
	if _, err := meetings.AddAgendaFile(w.ctx, w.db, sec, w.c.ID, w.n.ID, f.ID, "", w.now); err != nil {
		t.Fatalf("add to N after removal from S: %v", err)
	}
	// The capacity of N (2) is enforced on manual additions too.
	g := w.admissible(t, files.KindEngagement, "Exemple Neuf", 0, date(2026, 5, 13))
	h := w.admissible(t, files.KindEngagement, "Exemple Dix", 0, date(2026, 5, 14))
	if _, err := meetings.AddAgendaFile(w.ctx, w.db, sec, w.c.ID, w.n.ID, g.ID, "", w.now); err != nil {
		t.Fatal(err)
	}
	_, err = meetings.AddAgendaFile(w.ctx, w.db, sec, w.c.ID, w.n.ID, h.ID, "", w.now)
	wantRefusal(t, err, models.FormLevel, "maximum pour cette séance")
}

func TestAgendaAcceptReorderAndStandingItems(t *testing.T) {
	w := newSessionWorld(t)
	o := w.orderFiles(t)
	sec := w.users["secretariat"]
	ids := []int64{o.renewJune10.ID, o.renewJune20.ID, o.end.ID}
	if err := meetings.AcceptProposal(w.ctx, w.db, sec, w.c.ID, w.s.ID, ids, w.now); err != nil {
		t.Fatal(err)
	}
	if n, err := meetings.AddStandingItems(w.ctx, w.db, sec, w.c.ID, w.s.ID, modelstest.Epoch()); err != nil || n != 1 {
		t.Fatalf("AddStandingItems = %d, %v; want 1 (information; no previous session)", n, err)
	}
	agenda := func() []meetings.AgendaEntry {
		es, err := meetings.LoadAgenda(w.ctx, w.db, w.s)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	es := agenda()
	if len(es) != 4 || es[0].Kind != meetings.ItemInformation || es[1].Reference != o.renewJune10.Reference || es[1].Warning == "" || es[1].Reason == "" {
		t.Fatalf("agenda = %+v", es)
	}
	if err := meetings.MoveAgendaItem(w.ctx, w.db, sec, w.c.ID, w.s.ID, es[3].ID, -1, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	if got := agenda(); got[2].ID != es[3].ID || got[3].ID != es[2].ID {
		t.Fatalf("after moving the last item up: %v", got)
	}
	err := meetings.ReorderAgenda(w.ctx, w.db, sec, w.c.ID, w.s.ID, []int64{es[0].ID, es[1].ID}, modelstest.Epoch())
	wantRefusal(t, err, models.FormLevel, "modifié entre-temps")
	if err := meetings.ReorderAgenda(w.ctx, w.db, sec, w.c.ID, w.s.ID, []int64{es[3].ID, es[2].ID, es[1].ID, es[0].ID}, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
	if got := agenda(); got[0].ID != es[3].ID || got[3].ID != es[0].ID {
		t.Fatalf("after reorder: %v", got)
	}
}

// convenable gives session m an agenda item so that it can be convened.
func (w *sessionWorld) convenable(t *testing.T, m *meetings.Meeting) {
	t.Helper()
	if _, err := meetings.AddAgendaItem(w.ctx, w.db, w.users["secretariat"], w.c.ID, m.ID, meetings.ItemInput{Kind: meetings.ItemInformation, Title: "Informations"}, modelstest.Epoch()); err != nil {
		t.Fatal(err)
	}
}

func TestRule3_NoticePeriod(t *testing.T) {
	for _, tt := range []struct {
		name      string
		daysAhead int
		urgency   bool
		wantErr   bool
	}{
		{"4 days refused", 4, false, true},
		{"5 days accepted", 5, false, false},
		{"4 days with urgency accepted", 4, true, false},
		{"1 day with urgency accepted", 1, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newSessionWorld(t)
			// Convened at 23:30 Paris: the calendar day in France counts, not UTC's.
			now := time.Date(2026, 6, 1, 23, 30, 0, 0, paris)
			m := w.meeting(t, time.Date(2026, 6, 1+tt.daysAhead, 9, 0, 0, 0, paris), 5)
			w.convenable(t, m)
			res, err := meetings.Convoke(w.ctx, w.db, w.users["president"], w.c.ID, m.ID, meetings.ConvokeInput{Urgency: tt.urgency, UrgencyReason: "Renouvellement dont la période s'achève"}, now)
			if tt.wantErr {
				ne, ok := models.AsRefusal(err)
				if !ok {
					t.Fatalf("Convoke error = %v, want a refusal", err)
				}
				if msg := ne.Message; !strings.Contains(msg, "au moins 5 jours") || !strings.Contains(msg, "06/06/2026") || !strings.Contains(msg, "au plus tard le 31/05/2026") {
					t.Fatalf("message %q must give the notice and the dates", msg)
				}
				got, _ := meetings.FindMeeting(w.ctx, w.db, w.c.ID, m.ID)
				if got.Status != meetings.MeetingPlanned {
					t.Fatalf("refused convocation left status %s", got.Status)
				}
				return
			}
			if err != nil {
				t.Fatalf("Convoke error = %v", err)
			}
			if res.Meeting.Status != meetings.MeetingConvened || res.Convocation.NoticeDays != tt.daysAhead || res.Convocation.Urgency != tt.urgency {
				t.Fatalf("convocation: status %s notice %d urgency %v", res.Meeting.Status, res.Convocation.NoticeDays, res.Convocation.Urgency)
			}
			got, _ := meetings.FindMeeting(w.ctx, w.db, w.c.ID, m.ID)
			if got.Urgency != tt.urgency || (tt.urgency && got.UrgencyReason == "") {
				t.Fatalf("meeting urgency %v %q, want %v recorded", got.Urgency, got.UrgencyReason, tt.urgency)
			}
			recs, err := models.ListAudit(w.ctx, w.db, w.c.ID, 500)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range recs {
				if r.Action == "meeting.convene" && r.Object == models.ObjectRef("meeting", m.ID) {
					found = strings.Contains(r.Details, res.Convocation.ContentSHA256) && strings.Contains(r.Details, `"urgency":`+map[bool]string{true: "true", false: "false"}[tt.urgency])
				}
			}
			if !found {
				t.Fatalf("no meeting.convene audit record with the hash and the urgency")
			}
		})
	}
}

func TestConvocationContentRecipientsAndGrants(t *testing.T) {
	w := newSessionWorld(t)
	f := w.admissible(t, files.KindEngagement, "Identité Secrète", 0, date(2026, 5, 12))
	sec := w.users["secretariat"]
	if _, err := meetings.AddAgendaFile(w.ctx, w.db, sec, w.c.ID, w.s.ID, f.ID, "", w.now); err != nil {
		t.Fatal(err)
	}
	if err := files.DeclareInterest(w.ctx, w.db, models.ActorFor(sec), w.c.ID, f.ID, w.ids["c"], "Lien familial", w.now); err != nil {
		t.Fatal(err)
	}
	res, err := meetings.Convoke(w.ctx, w.db, sec, w.c.ID, w.s.ID, meetings.ConvokeInput{}, w.now)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[int64]meetings.RecipientKind{}
	for _, r := range res.Recipients {
		kinds[r.UserID] = r.Kind
		if r.Token == "" || r.TokenHash != models.HashToken(r.Token) {
			t.Errorf("recipient %d: token not hashed", r.UserID)
		}
	}
	if kinds[w.ids["a"]] != meetings.RecipientTitulaire || kinds[w.ids["a2"]] != meetings.RecipientSuppleant || kinds[w.users["president"].ID] != meetings.RecipientPresident {
		t.Fatalf("recipient kinds = %v", kinds)
	}
	// The content is what was hashed, and names no person concerned by a file.
	var c meetings.ConvocationContent
	if err := json.Unmarshal([]byte(res.Convocation.Content), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Agenda) != 1 || c.Agenda[0].Reference != f.Reference || len(c.Recipients) != len(res.Recipients) || len(c.Documents) != 2 {
		t.Fatalf("content = %+v", c)
	}
	if strings.Contains(res.Convocation.Content, "Identité Secrète") {
		t.Fatalf("the convocation content names the person concerned")
	}
	// Access: a and b (titulaires) and the president, not c (interest), d (association), nor a2 (suppléant).
	grants, err := files.ListFileAccessGrants(w.ctx, w.db, w.c.ID, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	granted := map[int64]bool{}
	for _, g := range grants {
		granted[g.UserID] = true
		if !g.ValidUntil.Equal(date(2026, 6, 15).Add(files.MemberAccessAfterSession)) {
			t.Errorf("grant until %v, want 30 days after the session", g.ValidUntil)
		}
	}
	want := map[int64]bool{w.ids["a"]: true, w.ids["b"]: true, w.users["president"].ID: true}
	for _, id := range []int64{w.ids["a"], w.ids["b"], w.ids["c"], w.ids["d"], w.ids["a2"], w.users["president"].ID} {
		if granted[id] != want[id] {
			t.Errorf("user %d granted = %v, want %v", id, granted[id], want[id])
		}
	}
	// The suppléant gets access once called to sit.
	if _, err := meetings.Reply(w.ctx, w.db, models.SystemActor("test"), w.c.ID, w.s.ID, w.ids["a"], meetings.ReplyInput{Status: meetings.AttSubstituted}, w.now); err != nil {
		t.Fatal(err)
	}
	grants, _ = files.ListFileAccessGrants(w.ctx, w.db, w.c.ID, f.ID)
	if !func() bool {
		for _, g := range grants {
			if g.UserID == w.ids["a2"] {
				return true
			}
		}
		return false
	}() {
		t.Fatalf("the suppléant replacing a has no access to the file")
	}
	// After the convocation the agenda is stale once changed, and the change is audited as such.
	if stale, err := meetings.ConvocationStale(w.ctx, w.db, res.Meeting); err != nil || stale {
		t.Fatalf("ConvocationStale right after convening = %v, %v", stale, err)
	}
	w.convenable(t, w.s)
	m, _ := meetings.FindMeeting(w.ctx, w.db, w.c.ID, w.s.ID)
	if stale, err := meetings.ConvocationStale(w.ctx, w.db, m); err != nil || !stale {
		t.Fatalf("ConvocationStale after an agenda change = %v, %v", stale, err)
	}
	recs, _ := models.ListAudit(w.ctx, w.db, w.c.ID, 50)
	if !strings.Contains(recs[0].Details, `"after_convocation":true`) || recs[0].Action != "meeting.agenda_add" {
		t.Fatalf("last audit record = %s %s, want meeting.agenda_add after_convocation", recs[0].Action, recs[0].Details)
	}
	// A second convocation is numbered 2; the agenda is not in calendars, so the
	// calendar sequence stays (a change of date would have raised it).
	res2, err := meetings.Convoke(w.ctx, w.db, sec, w.c.ID, w.s.ID, meetings.ConvokeInput{}, w.now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res2.Convocation.Number != 2 || res2.Meeting.Sequence != 0 {
		t.Fatalf("second convocation: number %d sequence %d", res2.Convocation.Number, res2.Meeting.Sequence)
	}
	// Removing the file withdraws the access the convocation gave.
	items, _ := meetings.ListAgenda(w.ctx, w.db, w.c.ID, w.s.ID)
	if err := meetings.RemoveAgendaItem(w.ctx, w.db, sec, w.c.ID, w.s.ID, items[0].ID, w.now); err != nil {
		t.Fatal(err)
	}
	if grants, _ = files.ListFileAccessGrants(w.ctx, w.db, w.c.ID, f.ID); len(grants) != 0 {
		t.Fatalf("%d grants left after the file left the agenda", len(grants))
	}
}

func TestRule2_RepliesThroughTheConvocation(t *testing.T) {
	w := newSessionWorld(t)
	w.convenable(t, w.s)
	reply := func(who string, in meetings.ReplyInput) error {
		_, err := meetings.Reply(w.ctx, w.db, models.SystemActor("test"), w.c.ID, w.s.ID, w.ids[who], in, w.now)
		return err
	}
	if err := reply("b", meetings.ReplyInput{Status: meetings.AttPresentOnSite}); !errors.Is(err, meetings.ErrRepliesClosed) {
		t.Fatalf("reply before the convocation: %v, want ErrRepliesClosed", err)
	}
	if _, err := meetings.Convoke(w.ctx, w.db, w.users["secretariat"], w.c.ID, w.s.ID, meetings.ConvokeInput{}, w.now); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		who  string
		in   meetings.ReplyInput
		want error
	}{
		{"a suppléant does not answer", "a2", meetings.ReplyInput{Status: meetings.AttPresentOnSite}, meetings.ErrNotConvened},
		{"proxy refused to a member who has a suppléant", "a", meetings.ReplyInput{Status: meetings.AttProxy, ProxyHolderUserID: w.ids["b"]}, meetings.ErrProxyWithSuppleant},
		{"replaced by another seat's suppléant", "b", meetings.ReplyInput{Status: meetings.AttSubstituted, SuppleantUserID: w.ids["a2"]}, meetings.ErrNoSuppleant},
		{"replaced by own suppléant", "a", meetings.ReplyInput{Status: meetings.AttSubstituted}, nil},
		{"proxy to a member replaced by a suppléant", "b", meetings.ReplyInput{Status: meetings.AttProxy, ProxyHolderUserID: w.ids["a"]}, meetings.ErrProxyHolderAway},
		{"proxy to a sitting member", "b", meetings.ReplyInput{Status: meetings.AttProxy, ProxyHolderUserID: w.ids["d"]}, nil},
		{"second proxy to the same member", "c", meetings.ReplyInput{Status: meetings.AttProxy, ProxyHolderUserID: w.ids["d"]}, meetings.ErrProxyHolderTaken},
		{"holder cannot be absent", "d", meetings.ReplyInput{Status: meetings.AttAbsent}, meetings.ErrHoldsProxy},
		{"remote counts as present", "c", meetings.ReplyInput{Status: meetings.AttPresentRemote}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := reply(tt.who, tt.in)
			if (tt.want == nil && err != nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Reply = %v, want %v", err, tt.want)
			}
		})
	}
	sum, err := meetings.LoadReplies(w.ctx, w.db, w.c.ID, w.s.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 4 voting seats: quorum 2; a (suppléant), c (remote) sit, b gave a proxy, d no answer.
	if sum.Voting != 4 || sum.Required != 2 || sum.Sitting != 2 || sum.Proxies != 1 || sum.NoReply != 1 || sum.Expected() != 3 || !sum.Reached() {
		t.Fatalf("summary: voting %d required %d sitting %d proxies %d no reply %d", sum.Voting, sum.Required, sum.Sitting, sum.Proxies, sum.NoReply)
	}
}

func TestConvocationLinkReadReceiptAndExpiry(t *testing.T) {
	w := newSessionWorld(t)
	w.convenable(t, w.s)
	res, err := meetings.Convoke(w.ctx, w.db, w.users["secretariat"], w.c.ID, w.s.ID, meetings.ConvokeInput{}, w.now)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Recipients[0]
	first := w.now.Add(time.Hour)
	for i, at := range []time.Time{first, first.Add(time.Hour)} {
		l, err := meetings.OpenConvocationLink(w.ctx, w.db, r.Token, at)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if l.User.ID != r.UserID || l.Meeting.ID != w.s.ID || l.Recipient.FirstOpenedAt == nil || !l.Recipient.FirstOpenedAt.Equal(first) {
			t.Fatalf("open %d: user %d meeting %d first opened %v", i, l.User.ID, l.Meeting.ID, l.Recipient.FirstOpenedAt)
		}
	}
	reads, _ := meetings.ReadReceipts(w.ctx, w.db, w.c.ID, w.s.ID)
	if _, ok := reads[r.UserID]; !ok || len(reads) != 1 {
		t.Fatalf("read receipts = %v", reads)
	}
	if _, err := meetings.OpenConvocationLink(w.ctx, w.db, r.Token+"x", first); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("wrong token: %v", err)
	}
	if _, err := meetings.OpenConvocationLink(w.ctx, w.db, r.Token, w.s.EndsAt); !errors.Is(err, meetings.ErrLinkExpired) {
		t.Fatalf("after the session: %v, want ErrLinkExpired", err)
	}
}

func TestCancelMeetingReleasesFilesAndNotifies(t *testing.T) {
	w := newSessionWorld(t)
	f := w.admissible(t, files.KindEngagement, "Exemple Onze", 0, date(2026, 5, 12))
	sec := w.users["secretariat"]
	if _, err := meetings.AddAgendaFile(w.ctx, w.db, sec, w.c.ID, w.s.ID, f.ID, "", w.now); err != nil {
		t.Fatal(err)
	}
	res, err := meetings.Convoke(w.ctx, w.db, sec, w.c.ID, w.s.ID, meetings.ConvokeInput{}, w.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := meetings.CancelMeeting(w.ctx, w.db, sec, w.c.ID, w.s.ID, " ", w.now); err == nil {
		t.Fatal("cancellation without a reason accepted")
	}
	cr, err := meetings.CancelMeeting(w.ctx, w.db, sec, w.c.ID, w.s.ID, "Préfecture fermée", w.now)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Meeting.Status != meetings.MeetingCancelled || cr.Meeting.Sequence != 1 || len(cr.Notify) != len(res.Recipients) || len(cr.Released) != 1 {
		t.Fatalf("cancel: status %s sequence %d notify %d released %v", cr.Meeting.Status, cr.Meeting.Sequence, len(cr.Notify), cr.Released)
	}
	if got := w.file(t, f.ID); got.State != files.StateAdmissible {
		t.Fatalf("file state after cancellation = %s", got.State)
	}
	if gs, _ := files.ListFileAccessGrants(w.ctx, w.db, w.c.ID, f.ID); len(gs) != 0 {
		t.Fatalf("%d grants left after cancellation", len(gs))
	}
	if _, err := meetings.AddAgendaItem(w.ctx, w.db, sec, w.c.ID, w.s.ID, meetings.ItemInput{Kind: meetings.ItemOther, Title: "x"}, modelstest.Epoch()); !errors.Is(err, meetings.ErrAgendaFrozen) {
		t.Fatalf("agenda change on a cancelled session: %v", err)
	}
	if _, err := meetings.CancelMeeting(w.ctx, w.db, sec, w.c.ID, w.s.ID, "encore", w.now); !errors.Is(err, meetings.ErrMeetingFrozen) {
		t.Fatalf("second cancellation: %v", err)
	}
}

func TestMeetingsForMembersAndCalendarFeed(t *testing.T) {
	w := newSessionWorld(t)
	from, to := date(2026, 1, 1), date(2027, 1, 1)
	for _, tt := range []struct {
		user string
		want int
	}{{"secretariat", 2}, {"member", 0}, {"member_a1", 2}, {"secretariat_c2", 0}} {
		ms, err := meetings.MeetingsFor(w.ctx, w.db, w.users[tt.user], from, to)
		if err != nil || len(ms) != tt.want {
			t.Errorf("MeetingsFor(%s) = %d sessions, %v; want %d", tt.user, len(ms), err, tt.want)
		}
	}
	u := w.users["member_a1"]
	tok, err := meetings.CreateCalendarFeed(w.ctx, w.db, u, w.now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := meetings.CalendarFeedUser(w.ctx, w.db, tok, w.now); err != nil || got.ID != u.ID {
		t.Fatalf("CalendarFeedUser = %v, %v", got, err)
	}
	f, _ := meetings.ActiveCalendarFeed(w.ctx, w.db, u)
	if f.TokenHash == tok || f.TokenHash != models.HashToken(tok) {
		t.Fatalf("the feed token is not stored hashed")
	}
	tok2, err := meetings.CreateCalendarFeed(w.ctx, w.db, u, w.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := meetings.CalendarFeedUser(w.ctx, w.db, tok, w.now); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("old token after renewal: %v", err)
	}
	if err := meetings.RevokeCalendarFeed(w.ctx, w.db, u, w.now); err != nil {
		t.Fatal(err)
	}
	if _, err := meetings.CalendarFeedUser(w.ctx, w.db, tok2, w.now); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("revoked token: %v", err)
	}
}
